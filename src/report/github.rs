//! GitHub Actions: the job summary (Markdown for `$GITHUB_STEP_SUMMARY`), the
//! annotations (workflow commands for stdout) and the step outputs (lines
//! for `$GITHUB_OUTPUT`).
//!
//! Everything here is a pure function from the [`Summary`] (and the report
//! view) to text: nothing reads the environment or writes a file. The caller
//! in `lib.rs` does that when `GITHUB_ACTIONS=true` or `--github` is given:
//! it appends [`job_summary`] to the file named by `GITHUB_STEP_SUMMARY`,
//! prints [`annotations`] on stdout, and appends [`outputs`] to the file
//! named by `GITHUB_OUTPUT`. It builds the run link from `GITHUB_SERVER_URL`,
//! `GITHUB_REPOSITORY` and `GITHUB_RUN_ID`, and the heredoc delimiter with
//! [`delimiter_for`] from a random seed.
//!
//! The runner's rules shape each function. A step summary over 1 MiB is not
//! shown at all, so [`job_summary`] sheds detail until it fits a budget.
//! GitHub shows 10 error and 10 warning annotations per step, so
//! [`annotations`] emits at most that many of each. Untrusted text (scenario
//! and endpoint names, error messages) goes through [`escape_data`] and
//! [`escape_property`], so it can neither break the line nor start a second
//! command.

use std::fmt::Write as _;

use super::templates::escape_markdown;
use super::view::ReportView;
use super::{RunStatus, Summary};
use crate::evaluate::CheckKind;
use crate::format;
use crate::model::{History, ScenarioData};

/// The usual budget of [`job_summary`] for `$GITHUB_STEP_SUMMARY`, in bytes:
/// half of GitHub's 1 MiB per step (over it the summary is not shown at
/// all), which leaves room for whatever else the step appends.
pub const STEP_SUMMARY_BUDGET: usize = 512 * 1024;

/// The budget of [`job_summary`] for a pull-request comment, in bytes.
/// GitHub caps a comment at 65,536 characters; a character is at least one
/// byte, so this byte budget is safely below it.
pub const PR_COMMENT_BUDGET: usize = 60 * 1024;

/// GitHub shows at most this many error annotations, and as many warning
/// annotations, per step.
pub const MAX_ANNOTATIONS: usize = 10;

/// Points per requests/s chart; Mermaid's xychart labels every point.
const CHART_POINTS: usize = 50;
/// Above this many scenarios the bar chart is unreadable; the table stays.
const MAX_BAR_SCENARIOS: usize = 50;
/// Untrusted text in Markdown is cut to this many characters.
const MAX_TEXT_CHARS: usize = 300;
/// Untrusted text in a Mermaid label is cut to this many characters.
const MAX_LABEL_CHARS: usize = 40;
/// Annotation titles and messages are cut to these many characters.
const MAX_TITLE_CHARS: usize = 300;
const MAX_MESSAGE_CHARS: usize = 4000;
/// When the table has to be cut, each list (failed checks, what's left, data
/// notes) keeps this many items.
const MAX_LIST_ITEMS: usize = 50;

// ---------------------------------------------------------------------------
// Job summary

/// How much of the job summary is kept, from everything to the least.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Detail {
    /// Everything.
    Full,
    /// Without the endpoint tables and the failed endpoint checks.
    NoEndpoints,
    /// Also without the charts and their tables.
    NoCharts,
    /// Also lists cut to [`MAX_LIST_ITEMS`] and the quick-results table cut
    /// to what fits.
    Cut,
}

/// The job summary: compact GitHub-flavoured Markdown with the title, the
/// status line, the quick-results table (`Scenario | Metric | Target |
/// Actual | Achievement | Status`), the failed checks, what's left, charts
/// as Mermaid `xychart-beta` blocks (median and p99 per scenario; requests/s
/// over time per scenario in at most 50 points), each followed by a table
/// with the same numbers for where Mermaid does not render, the endpoints of
/// each scenario, and the data notes.
///
/// - `data` is aligned with `summary.scenarios`, as for [`super::view::build`];
///   the charts read the histories from it.
/// - `report_dir` is the output folder, named as where the full report is.
/// - `run_url` links to the workflow run (whose artifacts hold the report);
///   anything but a plain `http(s)://` URL is ignored.
/// - `budget` is the most bytes returned: [`STEP_SUMMARY_BUDGET`] for
///   `$GITHUB_STEP_SUMMARY`, [`PR_COMMENT_BUDGET`] for a pull-request comment.
///
/// When the whole summary is larger than `budget`, it first leaves out the
/// per-endpoint detail, then the charts, then cuts long lists to 50 items
/// and the quick-results table to the rows that fit, followed by a
/// "… N more rows" line; a note at the top says what was left out and that
/// the full report is in `report_dir`. Should even that not fit (a budget of
/// a few KB), the text is cut at the budget with a closing line.
pub fn job_summary(
    summary: &Summary<'_>,
    view: &ReportView,
    data: &[Option<&ScenarioData>],
    report_dir: &str,
    run_url: Option<&str>,
    budget: usize,
) -> String {
    let parts = Parts::new(summary, view, data, report_dir, run_url);
    let all_rows = parts.quick_rows.len();
    for detail in [Detail::Full, Detail::NoEndpoints, Detail::NoCharts] {
        let text = parts.render(detail, all_rows);
        if text.len() <= budget {
            return text;
        }
    }
    let mut keep = parts.rows_that_fit(budget);
    loop {
        let text = parts.render(Detail::Cut, keep);
        if text.len() <= budget {
            return text;
        }
        if keep == 0 {
            return cut_at(text, budget, &parts.cut_line);
        }
        keep -= 1;
    }
}

/// The pieces of the job summary, rendered once and assembled per [`Detail`].
struct Parts {
    head: String,
    quick_rows: Vec<String>,
    checks_failed: usize,
    checks: usize,
    /// Failed checks: whether it is an endpoint check, and its list item.
    failed: Vec<(bool, String)>,
    whats_left: Vec<String>,
    /// The median/p99 section and one requests/s section per scenario.
    charts: Vec<String>,
    /// One section per scenario with endpoints, and the number of rows.
    endpoints: Vec<String>,
    endpoint_rows: usize,
    notes: Vec<String>,
    /// Where the full report is, as a sentence.
    full_report: String,
    /// The line that ends a summary cut at its budget.
    cut_line: String,
}

impl Parts {
    fn new(
        summary: &Summary<'_>,
        view: &ReportView,
        data: &[Option<&ScenarioData>],
        report_dir: &str,
        run_url: Option<&str>,
    ) -> Parts {
        let icon = match summary.status {
            RunStatus::Passed => "✅",
            RunStatus::Failed => "❌",
            RunStatus::Error => "⚠️",
        };
        let mut head = String::new();
        let _ = writeln!(head, "# {}\n", md(&view.title));
        let _ = writeln!(head, "**{icon} {}**\n", md(&view.status_line));
        let _ = writeln!(
            head,
            "Load run: {} · Config: {} · {}\n",
            md(&view.run_date),
            md(&view.config),
            md(&view.tool)
        );

        let quick_rows = view
            .quick_results
            .iter()
            .map(|r| {
                format!(
                    "| {} | {} | {} | {} | {} | {} |\n",
                    md(&r.scenario),
                    md(&r.metric),
                    md(&r.target),
                    md(&r.actual),
                    md(&r.achievement),
                    if r.passed { "✅ pass" } else { "❌ FAIL" }
                )
            })
            .collect();

        let mut failed = Vec::new();
        for s in &summary.scenarios {
            for c in s.checks.iter().filter(|c| !c.passed) {
                let endpoint = c
                    .endpoint
                    .as_deref()
                    .map(|e| format!(" {}", md(e)))
                    .unwrap_or_default();
                let achievement = c
                    .achievement
                    .as_deref()
                    .map(|a| format!(" ({})", md(a)))
                    .unwrap_or_default();
                failed.push((
                    c.endpoint.is_some(),
                    format!(
                        "- ❌ **{}**{endpoint}: {}{achievement}\n",
                        md(s.name),
                        md(&c.message)
                    ),
                ));
            }
        }

        let whats_left = view
            .whats_left
            .iter()
            .map(|l| {
                format!(
                    "- **{}** {}: {}\n",
                    l.status_label,
                    md(&l.scenario),
                    md(&l.reason)
                )
            })
            .collect();

        let mut charts: Vec<String> = overview_section(summary).into_iter().collect();
        for (s, d) in summary.scenarios.iter().zip(data) {
            if let Some(history) = d.and_then(|d| d.history.as_ref()) {
                charts.extend(throughput_section(s.name, history));
            }
        }

        let mut endpoints = Vec::new();
        let mut endpoint_rows = 0;
        for s in view.scenarios.iter().filter(|s| !s.endpoints.is_empty()) {
            let mut section = format!(
                "### {}\n\n<details><summary>{} endpoints</summary>\n\n",
                md(&s.name),
                format::count(s.endpoints.len() as u64)
            );
            section.push_str(
                "| Method | Name | Requests | Failures | Median | p95 | p99 | Throughput | Success rate |\n\
                 |---|---|---:|---:|---:|---:|---:|---:|---:|\n",
            );
            for e in &s.endpoints {
                let t = &e.stats;
                let _ = writeln!(
                    section,
                    "| {} | {} | {} | {} | {} | {} | {} | {} | {} |",
                    md(&e.method),
                    md(&e.name),
                    t.requests,
                    t.failures,
                    t.median,
                    t.p95,
                    t.p99,
                    t.rps,
                    t.success_rate
                );
            }
            section.push_str("\n</details>\n\n");
            endpoints.push(section);
            endpoint_rows += s.endpoints.len();
        }

        let notes = view
            .data_notes
            .iter()
            .map(|n| format!("- {}\n", md(n)))
            .collect();

        let dir = md(report_dir);
        let run = run_url
            .filter(|u| is_plain_url(u))
            .map_or_else(String::new, |u| format!(" of [this workflow run]({u})"));
        let full_report = format!(
            "The full report (report.md, report.html with charts, summary.json, junit.xml) is in {dir}; the loadgate action uploads that folder as an artifact{run}."
        );
        let cut_line =
            format!("\n\n… cut here to stay within the size limit; the full report is in {dir}.\n");

        Parts {
            head,
            quick_rows,
            checks_failed: summary.counts.checks_failed,
            checks: summary.counts.checks,
            failed,
            whats_left,
            charts,
            endpoints,
            endpoint_rows,
            notes,
            full_report,
            cut_line,
        }
    }

    /// The summary at `detail`, with the first `rows` quick-results rows.
    fn render(&self, detail: Detail, rows: usize) -> String {
        let rows = rows.min(self.quick_rows.len());
        let list_cap = match detail {
            Detail::Cut => MAX_LIST_ITEMS,
            _ => usize::MAX,
        };
        let failed: Vec<&String> = self
            .failed
            .iter()
            .filter(|(endpoint, _)| detail == Detail::Full || !endpoint)
            .map(|(_, line)| line)
            .collect();
        let failed_endpoint_checks = self.failed.iter().filter(|(e, _)| *e).count();
        let lists_cut = detail == Detail::Cut
            && [failed.len(), self.whats_left.len(), self.notes.len()]
                .iter()
                .any(|&n| n > MAX_LIST_ITEMS);

        let mut out = self.head.clone();

        // What was left out, at the top where it is seen.
        let mut left_out = Vec::new();
        if detail > Detail::Full && (self.endpoint_rows > 0 || failed_endpoint_checks > 0) {
            left_out.push(format!(
                "per-endpoint detail ({} endpoint rows, {} failed endpoint checks)",
                format::count(self.endpoint_rows as u64),
                format::count(failed_endpoint_checks as u64)
            ));
        }
        if detail > Detail::NoEndpoints && !self.charts.is_empty() {
            left_out.push(format!(
                "the charts and their tables ({})",
                format::count(self.charts.len() as u64)
            ));
        }
        if lists_cut {
            left_out.push(format!(
                "all but the first {MAX_LIST_ITEMS} items of long lists"
            ));
        }
        if rows < self.quick_rows.len() {
            left_out.push(format!(
                "{} of {} quick-results rows",
                format::count((self.quick_rows.len() - rows) as u64),
                format::count(self.quick_rows.len() as u64)
            ));
        }
        if !left_out.is_empty() {
            let _ = writeln!(
                out,
                "> **Shortened to stay within GitHub's size limit.** Left out: {}. {}\n",
                left_out.join("; "),
                self.full_report
            );
        }

        out.push_str("## Quick results\n\n");
        if self.quick_rows.is_empty() {
            out.push_str("No checks ran.\n\n");
        } else {
            out.push_str("| Scenario | Metric | Target | Actual | Achievement | Status |\n");
            out.push_str("|---|---|---|---|---|---|\n");
            for row in &self.quick_rows[..rows] {
                out.push_str(row);
            }
            if rows < self.quick_rows.len() {
                let _ = write!(
                    out,
                    "\n… {} more rows: see report.md in the full report.\n",
                    format::count((self.quick_rows.len() - rows) as u64)
                );
            }
            out.push('\n');
        }

        if self.checks_failed > 0 {
            let _ = writeln!(
                out,
                "## Failed checks ({} of {})\n",
                format::count(self.checks_failed as u64),
                format::count(self.checks as u64)
            );
            push_list(&mut out, &failed, list_cap, "failed checks");
            if detail > Detail::Full && failed_endpoint_checks > 0 {
                let _ = writeln!(
                    out,
                    "- … and {} failed endpoint checks, left out here: see report.md in the full report.",
                    format::count(failed_endpoint_checks as u64)
                );
            }
            out.push('\n');
        }

        if !self.whats_left.is_empty() {
            out.push_str("## What's left\n\n");
            let items: Vec<&String> = self.whats_left.iter().collect();
            push_list(&mut out, &items, list_cap, "scenarios");
            out.push('\n');
        }

        if detail <= Detail::NoEndpoints && !self.charts.is_empty() {
            out.push_str("## Charts\n\n");
            for chart in &self.charts {
                out.push_str(chart);
            }
        }

        if detail == Detail::Full && !self.endpoints.is_empty() {
            out.push_str("## Endpoints\n\n");
            for section in &self.endpoints {
                out.push_str(section);
            }
        }

        if !self.notes.is_empty() {
            out.push_str("## Data notes\n\n");
            let items: Vec<&String> = self.notes.iter().collect();
            push_list(&mut out, &items, list_cap, "notes");
            out.push('\n');
        }

        let _ = writeln!(out, "---\n\n{}", self.full_report);
        out
    }

    /// How many quick-results rows fit in `budget` at [`Detail::Cut`].
    fn rows_that_fit(&self, budget: usize) -> usize {
        // Slack for the digits of the counts, which change with the rows kept.
        let mut used = self.render(Detail::Cut, 0).len() + 64;
        let mut keep = 0;
        for row in &self.quick_rows {
            used += row.len();
            if used > budget {
                break;
            }
            keep += 1;
        }
        keep
    }
}

/// The first `cap` items, then a line saying how many more there are.
fn push_list(out: &mut String, items: &[&String], cap: usize, what: &str) {
    for item in items.iter().take(cap) {
        out.push_str(item);
    }
    if items.len() > cap {
        let _ = writeln!(
            out,
            "- … and {} more {what}: see report.md in the full report.",
            format::count((items.len() - cap) as u64)
        );
    }
}

/// `text` cut to at most `budget` bytes, ending with `line`.
fn cut_at(mut text: String, budget: usize, line: &str) -> String {
    if text.len() <= budget {
        return text;
    }
    let room = budget.saturating_sub(line.len());
    let mut end = room.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text.truncate(end);
    if text.len() + line.len() <= budget {
        text.push_str(line);
    }
    text
}

/// Median (line) and p99 (bars) per scenario, with the table of the same numbers.
fn overview_section(summary: &Summary<'_>) -> Option<String> {
    let rows: Vec<(&str, Option<f64>, Option<f64>)> = summary
        .scenarios
        .iter()
        .filter_map(|s| {
            let t = s.totals?;
            Some((s.name, t.median_ms, t.percentiles_ms.get(99.0).flatten()))
        })
        .collect();
    if rows.is_empty() {
        return None;
    }
    let drawn: Vec<(&str, f64, f64)> = rows
        .iter()
        .filter_map(|&(name, median, p99)| {
            let (median, p99) = (median?, p99?);
            (median.is_finite() && p99.is_finite()).then_some((name, median, p99))
        })
        .collect();
    let mut out = String::from("### Response times per scenario\n\n");
    if drawn.len() > MAX_BAR_SCENARIOS {
        let _ = writeln!(
            out,
            "Not drawn for more than {MAX_BAR_SCENARIOS} scenarios; the table has every value.\n"
        );
    } else if !drawn.is_empty() {
        let labels = unique_labels(drawn.iter().map(|d| d.0));
        out.push_str("```mermaid\nxychart-beta\n");
        out.push_str("    title \"p99 (bars) and median (line) per scenario, ms\"\n");
        let _ = writeln!(out, "    x-axis [{}]", quoted_list(&labels));
        out.push_str("    y-axis \"ms\"\n");
        let _ = writeln!(out, "    bar [{}]", number_list(drawn.iter().map(|d| d.2)));
        let _ = writeln!(out, "    line [{}]", number_list(drawn.iter().map(|d| d.1)));
        out.push_str("```\n\n");
    }
    out.push_str("| Scenario | Median | p99 |\n|---|---:|---:|\n");
    for (name, median, p99) in rows {
        let _ = writeln!(
            out,
            "| {} | {} | {} |",
            md(name),
            opt_ms(median),
            opt_ms(p99)
        );
    }
    out.push('\n');
    Some(out)
}

/// Requests/s over time for one scenario, with the table of the same numbers.
fn throughput_section(name: &str, history: &History) -> Option<String> {
    let points = requests_per_s(history, CHART_POINTS);
    if points.len() < 2 {
        return None;
    }
    let mut out = format!("### {}: requests/s over time\n\n", md(name));
    out.push_str("```mermaid\nxychart-beta\n");
    let _ = writeln!(
        out,
        "    title \"{} - requests/s\"",
        mermaid_label(name, MAX_LABEL_CHARS)
    );
    let labels: Vec<String> = points.iter().map(|p| p.0.to_string()).collect();
    let _ = writeln!(
        out,
        "    x-axis \"seconds since start\" [{}]",
        quoted_list(&labels)
    );
    out.push_str("    y-axis \"requests/s\"\n");
    let _ = writeln!(
        out,
        "    line [{}]",
        number_list(points.iter().map(|p| p.1))
    );
    out.push_str("```\n\n");
    let _ = write!(
        out,
        "<details><summary>The numbers ({} points)</summary>\n\n| Seconds since start | Requests/s |\n|---:|---:|\n",
        points.len()
    );
    for (t, rps) in &points {
        let _ = writeln!(out, "| {t} | {} |", format::per_s(*rps));
    }
    out.push_str("\n</details>\n\n");
    Some(out)
}

/// Requests/s over time in at most `max` points, as (seconds since the
/// first tick, requests/s).
///
/// The history's ticks are grouped into spans of `w` whole seconds, with
/// `w = ceil((last - first + 1) / max)`, so there are at most `max` spans;
/// each span shows the mean of its ticks at its start. The mean keeps each
/// span's average throughput; a spike shorter than a span is damped (the
/// SVG chart in report.html keeps it). Spans without ticks (a pause) are
/// left out rather than drawn as zero; non-finite values are skipped. The
/// order of the ticks does not matter.
fn requests_per_s(history: &History, max: usize) -> Vec<(i64, f64)> {
    let max = max.max(1);
    let points: Vec<(i64, f64)> = history
        .points
        .iter()
        .filter(|p| p.rps.is_finite())
        .map(|p| (p.timestamp, p.rps))
        .collect();
    let (Some(first), Some(last)) = (
        points.iter().map(|p| p.0).min(),
        points.iter().map(|p| p.0).max(),
    ) else {
        return Vec::new();
    };
    // i128: timestamps from a file may be anything an i64 holds.
    let span = i128::from(last) - i128::from(first);
    let width = ((span + 1) as u128).div_ceil(max as u128).max(1) as i128;
    let mut buckets = vec![(0.0_f64, 0_u32); max];
    for (t, v) in points {
        let index = ((i128::from(t) - i128::from(first)) / width) as usize;
        let bucket = &mut buckets[index.min(max - 1)];
        bucket.0 += v;
        bucket.1 += 1;
    }
    buckets
        .iter()
        .enumerate()
        .filter(|(_, b)| b.1 > 0)
        .map(|(i, b)| {
            let offset = i64::try_from(i as i128 * width).unwrap_or(i64::MAX);
            (offset, b.0 / f64::from(b.1))
        })
        .collect()
}

/// Untrusted text for Mermaid, to go inside double quotes: letters, digits,
/// spaces and `_-./()+@` are kept, other whitespace (line breaks, tabs)
/// becomes a space, and anything else (quotes, backticks, `#`, `%`, `;`,
/// brackets, `<`, …) becomes `_`, so a label can neither end its string nor
/// the code fence. Cut to `max_chars`; never empty.
fn mermaid_label(text: &str, max_chars: usize) -> String {
    let mut out: String = text
        .chars()
        .take(max_chars)
        .map(|c| match c {
            c if c.is_alphanumeric() => c,
            c if c.is_whitespace() => ' ',
            ' ' | '_' | '-' | '.' | '/' | '(' | ')' | '+' | '@' => c,
            _ => '_',
        })
        .collect();
    if text.chars().count() > max_chars {
        out.push_str("...");
    }
    if out.trim().is_empty() {
        out = "-".to_string();
    }
    out
}

/// Mermaid labels for `names`, made unique (Mermaid merges equal categories).
fn unique_labels<'a>(names: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut labels: Vec<String> = Vec::new();
    for name in names {
        let base = mermaid_label(name, MAX_LABEL_CHARS);
        let mut label = base.clone();
        let mut n = 1;
        while labels.contains(&label) {
            n += 1;
            label = format!("{base} ({n})");
        }
        labels.push(label);
    }
    labels
}

/// `"a", "b"` from labels that are already safe (see [`mermaid_label`]).
fn quoted_list(labels: &[String]) -> String {
    labels
        .iter()
        .map(|l| format!("\"{l}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Numbers for Mermaid: at most two decimals, no separators.
fn number_list(values: impl Iterator<Item = f64>) -> String {
    values
        .map(|v| {
            let s = format!("{v:.2}");
            let s = s.trim_end_matches('0').trim_end_matches('.');
            if s == "-0" {
                "0".to_string()
            } else {
                s.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn opt_ms(v: Option<f64>) -> String {
    v.map_or_else(|| "–".to_string(), format::ms)
}

/// Untrusted text for Markdown: cut to [`MAX_TEXT_CHARS`], then escaped.
fn md(text: &str) -> String {
    escape_markdown(&clip(text, MAX_TEXT_CHARS))
}

/// Shown escaped ([`format::display`]), at most `max_chars` characters, with
/// `…` when cut.
fn clip(text: &str, max_chars: usize) -> String {
    format::clipped(text, max_chars + 1)
}

/// A link target that cannot end the Markdown link or hide anything.
fn is_plain_url(url: &str) -> bool {
    (url.starts_with("https://") || url.starts_with("http://"))
        && url
            .chars()
            .all(|c| c.is_ascii_graphic() && !matches!(c, '(' | ')' | '<' | '>' | '"' | '`' | '\\'))
}

// ---------------------------------------------------------------------------
// Annotations

/// Escape a workflow-command message (data): `%` first, then CR and LF.
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escape a workflow-command property value (`title`, `file`): as
/// [`escape_data`], plus `:` and `,`.
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// What an annotation reports, for the line that sums up the rest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Error,
    FailedCheck,
    Regression,
    Warning,
}

/// Annotations for stdout: one `::error` per error (run-wide, then each
/// scenario's), one `::error` per failed check (title `loadgate: SCENARIO`
/// or `loadgate: SCENARIO: ENDPOINT`, message like `p99 36 ms, target <
/// 20 ms (80% over target)`), and one `::warning` per warning (run-wide,
/// then each scenario's).
///
/// At most [`MAX_ANNOTATIONS`] of each level: when there are more, the
/// first nine and a tenth that counts the rest (`… and 16 more failed
/// checks; see the job summary`). Every line starts with `::` and ends with
/// one `\n`; titles go through [`escape_property`], messages through
/// [`escape_data`], so there are exactly as many lines as commands.
pub fn annotations(summary: &Summary<'_>) -> String {
    let mut errors: Vec<(Kind, String, &str)> = Vec::new();
    let mut checks: Vec<(Kind, String, String)> = Vec::new();
    let mut warnings: Vec<(Kind, String, &str)> = Vec::new();
    for e in &summary.errors {
        errors.push((Kind::Error, "loadgate".to_string(), e));
    }
    for w in &summary.warnings {
        warnings.push((Kind::Warning, "loadgate".to_string(), w));
    }
    for s in &summary.scenarios {
        let title = format!("loadgate: {}", s.name);
        for e in s.errors {
            errors.push((Kind::Error, title.clone(), e));
        }
        for w in s.warnings {
            warnings.push((Kind::Warning, title.clone(), w));
        }
        for c in s.checks.iter().filter(|c| !c.passed) {
            let title = match &c.endpoint {
                Some(endpoint) => format!("{title}: {endpoint}"),
                None => title.clone(),
            };
            let message = match c
                .achievement
                .as_ref()
                .filter(|_| c.kind != CheckKind::Window)
            {
                Some(a) => format!("{} ({a})", c.message),
                None => c.message.clone(),
            };
            checks.push((Kind::FailedCheck, title, message));
        }
        for c in s
            .comparisons
            .unwrap_or_default()
            .iter()
            .filter(|c| c.verdict == crate::evaluate::compare::Verdict::Regressed)
        {
            let title = match &c.endpoint {
                Some(endpoint) => format!("{title}: {endpoint}: regression"),
                None => format!("{title}: regression"),
            };
            checks.push((Kind::Regression, title, c.message.clone()));
        }
    }
    let errors: Vec<(Kind, &str, &str)> = errors
        .iter()
        .map(|(k, t, m)| (*k, t.as_str(), *m))
        .chain(checks.iter().map(|(k, t, m)| (*k, t.as_str(), m.as_str())))
        .collect();
    let warnings: Vec<(Kind, &str, &str)> = warnings
        .iter()
        .map(|(k, t, m)| (*k, t.as_str(), *m))
        .collect();
    let mut out = String::new();
    push_commands(&mut out, "error", &errors);
    push_commands(&mut out, "warning", &warnings);
    out
}

/// Up to [`MAX_ANNOTATIONS`] commands; the last one sums up any rest.
fn push_commands(out: &mut String, command: &str, items: &[(Kind, &str, &str)]) {
    let shown = if items.len() > MAX_ANNOTATIONS {
        MAX_ANNOTATIONS - 1
    } else {
        items.len()
    };
    for (_, title, message) in &items[..shown] {
        let _ = writeln!(
            out,
            "::{command} title={}::{}",
            escape_property(&clip(title, MAX_TITLE_CHARS)),
            escape_data(&clip(message, MAX_MESSAGE_CHARS))
        );
    }
    let rest = &items[shown..];
    if rest.is_empty() {
        return;
    }
    let count = |kind: Kind| rest.iter().filter(|i| i.0 == kind).count();
    let what: Vec<String> = [
        (count(Kind::Error), "error", "errors"),
        (count(Kind::FailedCheck), "failed check", "failed checks"),
        (count(Kind::Regression), "regression", "regressions"),
        (count(Kind::Warning), "warning", "warnings"),
    ]
    .into_iter()
    .filter(|(n, _, _)| *n > 0)
    .map(|(n, one, many)| format!("{n} more {}", if n == 1 { one } else { many }))
    .collect();
    let _ = writeln!(
        out,
        "::{command} title=loadgate::{}",
        escape_data(&format!(
            "… and {}; see the job summary",
            what.join(" and ")
        ))
    );
}

// ---------------------------------------------------------------------------
// Step outputs

/// Lines for `$GITHUB_OUTPUT`: `status` (passed, failed or error),
/// `checks-failed`, `regressions` (passed in by the caller) and `report-dir`.
/// `report-dir` uses the multi-line form `report-dir<<DELIMITER`, since a
/// path may hold a line break. `delimiter` should come from
/// [`delimiter_for`]; one that is empty, holds anything but ASCII letters,
/// digits, `_` and `-`, or occurs in `report_dir` is replaced by a safe one
/// derived from it.
pub fn outputs(
    summary: &Summary<'_>,
    regressions: usize,
    report_dir: &str,
    delimiter: &str,
) -> String {
    let status = match summary.status {
        RunStatus::Passed => "passed",
        RunStatus::Failed => "failed",
        RunStatus::Error => "error",
    };
    outputs_of(
        status,
        summary.counts.checks_failed,
        regressions,
        report_dir,
        delimiter,
    )
}

/// The step outputs for a status and counts; [`outputs`] of a summary, or
/// `error` with zeros when loadgate could not judge at all.
pub fn outputs_of(
    status: &str,
    checks_failed: usize,
    regressions: usize,
    report_dir: &str,
    delimiter: &str,
) -> String {
    let delimiter = if is_delimiter_char_only(delimiter) && !report_dir.contains(delimiter) {
        delimiter.to_string()
    } else {
        unique(&delimiter_base(delimiter), &[report_dir])
    };
    format!(
        "status={status}\nchecks-failed={checks_failed}\nregressions={regressions}\nreport-dir<<{delimiter}\n{report_dir}\n{delimiter}\n"
    )
}

/// A heredoc delimiter for `$GITHUB_OUTPUT`: `ghadelimiter_` and the
/// seed's ASCII letters, digits, `_` and `-`, with `_1`, `_2`, … appended
/// until it occurs in none of `values`. The caller passes a random seed
/// (e.g. from the time and the process id), so the values cannot guess it.
pub fn delimiter_for(seed: &str, values: &[&str]) -> String {
    unique(&delimiter_base(&format!("ghadelimiter_{seed}")), values)
}

fn is_delimiter_char_only(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// `s` reduced to delimiter characters; `ghadelimiter` when nothing is left.
fn delimiter_base(s: &str) -> String {
    let base: String = s
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
        .collect();
    if base.is_empty() {
        "ghadelimiter".to_string()
    } else {
        base
    }
}

/// `base`, or `base_N` for the first N that makes it occur in no value.
/// Terminates: a candidate longer than every value occurs in none.
fn unique(base: &str, values: &[&str]) -> String {
    let mut candidate = base.to_string();
    let mut n = 0_u64;
    while values.iter().any(|v| v.contains(&candidate)) {
        n += 1;
        candidate = format!("{base}_{n}");
    }
    candidate
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::config::Config;
    use crate::evaluate::{ScenarioInput, ScenarioResult};
    use crate::report::view;

    const HEADER: &str = "Type,Name,Request Count,Failure Count,Median Response Time,Average Response Time,Min Response Time,Max Response Time,Average Content Size,Requests/s,Failures/s,50%,66%,75%,80%,90%,95%,98%,99%,99.9%,99.99%,100%";
    const HISTORY_HEADER: &str = "Timestamp,User Count,Type,Name,Requests/s,Failures/s,50%,66%,75%,80%,90%,95%,98%,99%,99.9%,99.99%,100%,Total Request Count,Total Failure Count,Total Median Response Time,Total Average Response Time,Total Min Response Time,Total Max Response Time,Total Average Content Size";

    /// A stats row: `median` ms median, `10 * median` ms from p90 up.
    fn stats_row(method: &str, name: &str, requests: u64, median: u64) -> String {
        let mut w = csv::Writer::from_writer(Vec::new());
        let slow = (median * 10).to_string();
        let m = median.to_string();
        w.write_record([
            method,
            name,
            &requests.to_string(),
            "0",
            &m,
            &m,
            "1",
            &slow,
            "10",
            // Requests over the 299 s that a 300-tick history spans.
            &(requests as f64 / 299.0).to_string(),
            "0.0",
            &m,
            &m,
            &m,
            &m,
            &slow,
            &slow,
            &slow,
            &slow,
            &slow,
            &slow,
            &slow,
        ])
        .unwrap();
        String::from_utf8(w.into_inner().unwrap()).unwrap()
    }

    /// One Locust result set: `endpoints` endpoints and `ticks` history rows a second apart.
    fn write_scenario(dir: &Path, name: &str, endpoints: usize, ticks: u64) {
        let mut stats = format!("{HEADER}\n");
        for i in 0..endpoints {
            stats.push_str(&stats_row(
                "GET",
                &format!("/api/items/{i}"),
                600,
                5 + i as u64 % 7,
            ));
        }
        stats.push_str(&stats_row(
            "",
            "Aggregated",
            600 * endpoints.max(1) as u64,
            8,
        ));
        std::fs::write(dir.join(format!("{name}_stats.csv")), stats).unwrap();
        let mut history = format!("{HISTORY_HEADER}\n");
        for t in 0..ticks {
            let _ = writeln!(
                history,
                "{},10,,Aggregated,{}.5,0.0,8,9,10,11,12,13,14,15,16,17,18,{},0,8,9.0,1,18,10",
                1_795_824_570 + t,
                20 + t % 13,
                // Cumulative, ending at the stats file's total (a consistent run).
                (t + 1) * 600 * endpoints.max(1) as u64 / ticks.max(1)
            );
        }
        std::fs::write(dir.join(format!("{name}_stats_history.csv")), history).unwrap();
    }

    /// discover → ingest → evaluate on a folder, as `lib::check` does.
    fn judge_folder(dir: &Path, config: &Config) -> Vec<ScenarioResult> {
        let found = crate::discover::discover(&[dir.to_path_buf()], None);
        let inputs = found
            .sets
            .iter()
            .map(|set| {
                let ingested = crate::ingest::locust::read_result_set(&set.files, None);
                ScenarioInput {
                    name: set.name.clone(),
                    files: set.files.clone(),
                    data: ingested.data,
                    warnings: ingested.warnings,
                    errors: ingested.errors.iter().map(ToString::to_string).collect(),
                    probes: None,
                }
            })
            .collect();
        crate::evaluate::evaluate(config, inputs, None).results
    }

    fn summarise(results: &[ScenarioResult], warnings: Vec<String>) -> Summary<'_> {
        Summary::new(
            "Release 2026.11 load tests".into(),
            "loadgate.toml".into(),
            "2026-01-22T00:00:00Z".into(),
            results,
            None,
            warnings,
            Vec::new(),
        )
    }

    fn data(results: &[ScenarioResult]) -> Vec<Option<&ScenarioData>> {
        results.iter().map(|r| r.data.as_ref()).collect()
    }

    fn config(text: &str) -> Config {
        Config::from_toml(text, Path::new("loadgate.toml")).unwrap()
    }

    /// Pipes that end a cell (not escaped as `\|`).
    fn cell_pipes(line: &str) -> usize {
        let mut count = 0;
        let mut escaped = false;
        for c in line.chars() {
            match c {
                '\\' if !escaped => escaped = true,
                '|' if !escaped => count += 1,
                _ => escaped = false,
            }
            if c != '\\' {
                escaped = false;
            }
        }
        count
    }

    /// Every table keeps the column count of its header row.
    fn assert_tables_keep_their_columns(text: &str) {
        let mut header: Option<usize> = None;
        for line in text.lines() {
            if line.starts_with('|') {
                let pipes = cell_pipes(line);
                match header {
                    None => header = Some(pipes),
                    Some(h) => assert_eq!(pipes, h, "a table row lost its columns: {line}"),
                }
            } else {
                header = None;
            }
        }
    }

    /// Each fence opens with ```` ```mermaid ````, closes with ```` ``` ````,
    /// and holds only xychart statements with safe quoted labels.
    fn assert_mermaid_blocks_are_sealed(text: &str) -> usize {
        let mut blocks = 0;
        let mut inside = false;
        for line in text.lines() {
            if line.starts_with("```") {
                if inside {
                    assert_eq!(line, "```", "a fence closed by something else");
                } else {
                    assert_eq!(line, "```mermaid", "a fence that is not a chart");
                    blocks += 1;
                }
                inside = !inside;
                continue;
            }
            if !inside {
                assert!(!line.contains("```"), "a stray fence: {line}");
                continue;
            }
            assert!(
                line == "xychart-beta"
                    || ["title \"", "x-axis ", "y-axis \"", "bar [", "line ["]
                        .iter()
                        .any(|k| line.starts_with(&format!("    {k}"))),
                "not an xychart statement: {line}"
            );
            assert!(!line.contains('`'), "{line}");
            assert_eq!(line.matches('"').count() % 2, 0, "{line}");
            for (i, label) in line.split('"').enumerate() {
                if i % 2 == 1 {
                    assert!(
                        label
                            .chars()
                            .all(|c| c.is_alphanumeric() || " _-./()+@,".contains(c)),
                        "unsafe label: {label}"
                    );
                }
            }
        }
        assert!(!inside, "an unclosed fence");
        blocks
    }

    const HOSTILE: [&str; 6] = [
        "a|b",
        "<script>alert(1)</script>",
        "``` `x` ```",
        "::error::pwned",
        "line\n```\nbreak",
        "%0A\"quoted\"",
    ];

    #[test]
    fn hostile_names_keep_the_table_columns_and_cannot_break_the_mermaid_fence() {
        let dir = tempfile::tempdir().unwrap();
        for i in 0..HOSTILE.len() {
            write_scenario(dir.path(), &format!("s{i}"), 2, 30);
        }
        let config = config(
            "[defaults]\nthresholds = [\"median < 1ms\", \"p99 < 1s\"]\n[scenarios.all]\nmatch = \"s*\"\n[[scenarios.all.endpoint]]\nname = \"*\"\nthresholds = [\"p99 < 1ms\"]\n",
        );
        let mut results = judge_folder(dir.path(), &config);
        assert_eq!(results.len(), HOSTILE.len());
        for (r, name) in results.iter_mut().zip(HOSTILE) {
            r.name = name.to_string();
            let endpoint = format!("GET {name}");
            for e in &mut r.data.as_mut().unwrap().endpoints {
                e.name = name.to_string();
            }
            for c in r.checks.iter_mut().filter(|c| c.endpoint.is_some()) {
                c.endpoint = Some(endpoint.clone());
            }
        }
        let summary = summarise(&results, vec!["a warning with `code` and |pipes|".into()]);
        let data = data(&results);
        let view = view::build(&summary, &data, false).unwrap();
        let text = job_summary(
            &summary,
            &view,
            &data,
            "loadgate-report",
            Some("https://github.com/o/r/actions/runs/1"),
            STEP_SUMMARY_BUDGET,
        );

        assert!(text.contains("| a\\|b | median |"), "{text}");
        assert!(text.contains("&lt;script>alert(1)&lt;/script>"));
        assert!(!text.contains("<script"));
        assert!(text.contains("\\`\\`\\` \\`x\\` \\`\\`\\`"));
        // The line breaks are shown escaped, `\n` (its backslash escaped for Markdown).
        assert!(text.contains("line\\\\n\\`\\`\\`\\\\nbreak"), "{text}");
        assert_tables_keep_their_columns(&text);
        // The overview and one requests/s chart per scenario.
        assert_eq!(assert_mermaid_blocks_are_sealed(&text), 1 + HOSTILE.len());
        assert!(text.contains("x-axis [\"a_b\", \"_script_alert(1)_/script_\", \"___ _x_ ___\", \"__error__pwned\", \"line ___ break\", \"_0A_quoted_\"]"), "{text}");
        assert!(text.contains("title \"line ___ break - requests/s\""));
        assert!(text.contains("[this workflow run](https://github.com/o/r/actions/runs/1)"));
        assert!(!text.contains("Shortened"), "nothing needed to be left out");
    }

    #[test]
    fn mermaid_labels_keep_words_and_drop_syntax() {
        assert_eq!(
            mermaid_label("scenario1_deployments", 40),
            "scenario1_deployments"
        );
        assert_eq!(
            mermaid_label("Zürich (EU) /api/x", 40),
            "Zürich (EU) /api/x"
        );
        assert_eq!(mermaid_label("a\"b`c#d;e%f\r\n", 40), "a_b_c_d_e_f  ");
        assert_eq!(mermaid_label("", 40), "-");
        assert_eq!(mermaid_label("abcdef", 3), "abc...");
        assert_eq!(
            unique_labels(["a|b", "a<b", "c"].into_iter()),
            vec!["a_b", "a_b (2)", "c"]
        );
    }

    #[test]
    fn requests_per_s_keeps_at_most_50_points_and_skips_pauses() {
        let dir = tempfile::tempdir().unwrap();
        write_scenario(dir.path(), "long", 1, 86_400);
        write_scenario(dir.path(), "short", 1, 10);
        let results = judge_folder(dir.path(), &config("[defaults]\nthresholds = []\n"));
        let history = |i: usize| results[i].data.as_ref().unwrap().history.as_ref().unwrap();
        let long = requests_per_s(history(0), CHART_POINTS);
        assert!(long.len() <= 50 && long.len() >= 45, "{}", long.len());
        // 86,400 s in spans of ceil(86,400 / 50) = 1,728 s.
        assert_eq!(long[1].0, 1728);
        let short = requests_per_s(history(1), CHART_POINTS);
        assert_eq!(short.len(), 10);
        assert_eq!(short[3], (3, 23.5));

        let mut paused = history(1).clone();
        paused.points.drain(3..7);
        let points = requests_per_s(&paused, CHART_POINTS);
        assert_eq!(
            points.iter().map(|p| p.0).collect::<Vec<_>>(),
            vec![0, 1, 2, 7, 8, 9]
        );
    }

    /// 200 scenarios of 25 endpoints (5,000 endpoints), each endpoint with a
    /// failing check, and 300 s of history per scenario.
    fn huge_run(dir: &Path) -> Vec<ScenarioResult> {
        for i in 0..200 {
            write_scenario(
                dir,
                &format!("scenario{i:03}_checkout_flow_with_a_long_name"),
                25,
                300,
            );
        }
        let config = config(
            "[defaults]\nthresholds = [\"median < 200ms\", \"p95 < 500ms\", \"p99 < 1s\", \"success_rate >= 99%\"]\n[scenarios.all]\nmatch = \"scenario*\"\nmin_duration = \"4m\"\nthresholds = [\"rps >= 1\"]\n[[scenarios.all.endpoint]]\nname = \"*\"\nthresholds = [\"p99 < 20ms\"]\n",
        );
        judge_folder(dir, &config)
    }

    #[test]
    fn a_huge_run_stays_under_budget_and_says_what_was_left_out() {
        let dir = tempfile::tempdir().unwrap();
        let results = huge_run(dir.path());
        let summary = summarise(&results, Vec::new());
        assert_eq!(summary.scenarios.len(), 200);
        assert_eq!(
            summary
                .scenarios
                .iter()
                .map(|s| s.endpoints.len())
                .sum::<usize>(),
            5000
        );
        let data = data(&results);
        let view = view::build(&summary, &data, false).unwrap();
        let summary_for =
            |budget| job_summary(&summary, &view, &data, "out/loadgate-report", None, budget);

        // The step summary: without per-endpoint detail, with the charts.
        let step = summary_for(STEP_SUMMARY_BUDGET);
        assert!(step.len() <= STEP_SUMMARY_BUDGET, "{}", step.len());
        assert!(
            step.contains(
                "Left out: per-endpoint detail (5,000 endpoint rows, 5,000 failed endpoint checks)."
            ),
            "{}",
            step.lines()
                .filter(|l| l.contains("Left out"))
                .collect::<Vec<_>>()
                .join("\n")
        );
        assert!(step.contains("is in out/loadgate-report;"));
        assert!(step.contains("- … and 5,000 failed endpoint checks, left out here"));
        assert!(!step.contains("## Endpoints"));
        assert!(step.contains("## Charts"));
        assert!(step.contains("Not drawn for more than 50 scenarios"));
        assert_eq!(assert_mermaid_blocks_are_sealed(&step), 200);
        assert!(step.contains("FAILED — 200 of 200 scenarios complete"));
        // Every quick-results row is there.
        assert_eq!(
            step.matches("| scenario").count(),
            view.quick_results.len() + 200
        );
        assert_tables_keep_their_columns(&step);

        // A pull-request comment: also without charts, and the table cut.
        let comment = summary_for(PR_COMMENT_BUDGET);
        eprintln!(
            "huge run: full {} bytes; step summary {} bytes; PR comment {} bytes",
            Parts::new(&summary, &view, &data, "out/loadgate-report", None)
                .render(Detail::Full, usize::MAX)
                .len(),
            step.len(),
            comment.len()
        );
        assert!(comment.len() <= PR_COMMENT_BUDGET, "{}", comment.len());
        assert!(comment.contains("the charts and their tables (201)"));
        let kept = comment.matches("| scenario").count();
        let dropped = view.quick_results.len() - kept;
        assert!(kept > 100 && dropped > 0, "kept {kept}");
        let count = |n: usize| format::count(n as u64);
        assert!(comment.contains(&format!(
            "{} of {} quick-results rows",
            count(dropped),
            count(view.quick_results.len())
        )));
        assert!(comment.contains(&format!("… {} more rows: see report.md", count(dropped))));
        assert_eq!(assert_mermaid_blocks_are_sealed(&comment), 0);
        assert_tables_keep_their_columns(&comment);

        // Even a budget too small for the head is kept.
        for budget in [4000, 100, 0] {
            let tiny = summary_for(budget);
            assert!(tiny.len() <= budget, "{budget}: {}", tiny.len());
        }
        assert!(summary_for(4000).ends_with("the full report is in out/loadgate-report.\n"));
    }

    /// The bundled demo, through the library pipeline (discover, ingest,
    /// evaluate, summary, view) as `loadgate check fixtures/demo` runs it.
    #[test]
    fn the_demo_summary_keeps_everything_and_fits_a_pr_comment() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/demo");
        let config = Config::load(&root.join("loadgate.toml")).unwrap();
        let results = judge_folder(&root, &config);
        let summary = summarise(&results, Vec::new());
        let data = data(&results);
        let view = view::build(&summary, &data, false).unwrap();
        let text = job_summary(
            &summary,
            &view,
            &data,
            "loadgate-report",
            Some("https://github.com/o/r/actions/runs/1"),
            STEP_SUMMARY_BUDGET,
        );
        eprintln!(
            "demo job summary: {} bytes, {} lines; annotations: {} bytes",
            text.len(),
            text.lines().count(),
            annotations(&summary).len()
        );
        assert!(text.len() <= PR_COMMENT_BUDGET);
        assert!(!text.contains("Shortened"));
        assert!(text.contains("**❌ FAILED — 3 of 4 scenarios complete; 2 of 30 checks failed**"));
        assert!(
            text.contains(
                "- ❌ **scenario4_burst_load**: ran 13 s of the required 4 min (5% of target)"
            ),
            "{text}"
        );
        assert!(text.contains("## What's left\n\n- **INCOMPLETE** scenario4_burst_load: "));
        assert!(text.contains("## Endpoints"));
        assert_eq!(assert_mermaid_blocks_are_sealed(&text), 5);
        assert_tables_keep_their_columns(&text);
    }

    #[test]
    fn escaping_follows_the_runner_rules() {
        assert_eq!(escape_data("50% of a\r\nb"), "50%25 of a%0D%0Ab");
        // `%` first: a literal `%0A` stays text instead of becoming a line break.
        assert_eq!(escape_data("%0A"), "%250A");
        assert_eq!(escape_data("::error::x"), "::error::x");
        assert_eq!(escape_property("a:b,c%\n"), "a%3Ab%2Cc%25%0A");
        assert_eq!(escape_property("%3A"), "%253A");
    }

    /// A run with one scenario `s` whose endpoint checks all failed.
    fn failing_endpoints(dir: &Path, endpoints: usize) -> Vec<ScenarioResult> {
        write_scenario(dir, "s", endpoints, 300);
        let config = config(
            "[defaults]\nthresholds = []\n[scenarios.s]\n[[scenarios.s.endpoint]]\nname = \"*\"\nthresholds = [\"p99 < 20ms\"]\n",
        );
        judge_folder(dir, &config)
    }

    #[test]
    fn untrusted_names_cannot_start_a_second_workflow_command() {
        let dir = tempfile::tempdir().unwrap();
        let mut results = failing_endpoints(dir.path(), 3);
        let r = &mut results[0];
        let names = [
            "GET ::error file=x::pwned",
            "GET a\n::warning::x",
            "GET %0A",
        ];
        for (c, name) in r.checks.iter_mut().zip(names) {
            c.endpoint = Some(name.to_string());
        }
        r.errors
            .push("bad.csv:3: oops\r\n::error::pwned %0A".to_string());
        r.warnings.push("cut short\n::notice::x".to_string());
        // An error makes the scenario `error`; annotations list everything anyway.
        let summary = summarise(&results, vec!["built-in, defaults: in use".into()]);
        let text = annotations(&summary);
        let expected = "\
::error title=loadgate%3A s::bad.csv:3: oops\\r\\n::error::pwned %250A
::error title=loadgate%3A s%3A GET %3A%3Aerror file=x%3A%3Apwned::p99 50 ms, target < 20 ms (2.5x over target)
::error title=loadgate%3A s%3A GET a\\n%3A%3Awarning%3A%3Ax::p99 60 ms, target < 20 ms (3.0x over target)
::error title=loadgate%3A s%3A GET %250A::p99 70 ms, target < 20 ms (3.5x over target)
::warning title=loadgate::built-in, defaults: in use
::warning title=loadgate%3A s::cut short\\n::notice::x
";
        assert_eq!(text, expected);
        assert_eq!(text.lines().count(), 6);
        assert!(text.lines().all(|l| l.starts_with("::")));
    }

    #[test]
    fn annotations_stop_at_ten_errors_and_ten_warnings() {
        let dir = tempfile::tempdir().unwrap();
        let mut results = failing_endpoints(dir.path(), 25);
        results[0].warnings = (0..12).map(|i| format!("warning {i}")).collect();
        results[0].errors = vec!["e1".into(), "e2".into()];
        let summary = summarise(&results, Vec::new());
        let text = annotations(&summary);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 20);
        assert_eq!(
            lines.iter().filter(|l| l.starts_with("::error ")).count(),
            10
        );
        assert_eq!(
            lines.iter().filter(|l| l.starts_with("::warning ")).count(),
            10
        );
        assert_eq!(lines[0], "::error title=loadgate%3A s::e1");
        assert_eq!(
            lines[9],
            "::error title=loadgate::… and 18 more failed checks; see the job summary"
        );
        assert_eq!(lines[18], "::warning title=loadgate%3A s::warning 8");
        assert_eq!(
            lines[19],
            "::warning title=loadgate::… and 3 more warnings; see the job summary"
        );

        // Ten exactly: no summing-up line.
        results[0].warnings.truncate(10);
        let summary = summarise(&results, Vec::new());
        let text = annotations(&summary);
        assert_eq!(
            text.lines().filter(|l| l.starts_with("::warning ")).count(),
            10
        );
        assert!(text.lines().last().unwrap().ends_with("::warning 9"));
    }

    #[test]
    fn outputs_use_a_delimiter_the_path_cannot_contain() {
        let dir = tempfile::tempdir().unwrap();
        let results = failing_endpoints(dir.path(), 2);
        let summary = summarise(&results, Vec::new());
        assert_eq!(
            outputs(&summary, 0, "loadgate-report", "ghadelimiter_1f2e"),
            "status=failed\nchecks-failed=2\nregressions=0\nreport-dir<<ghadelimiter_1f2e\nloadgate-report\nghadelimiter_1f2e\n"
        );
        // A path with a line break, and even the delimiter, stays one value.
        let path = "out\nghadelimiter_1f2e\nstatus=passed";
        assert_eq!(
            outputs(&summary, 3, path, "ghadelimiter_1f2e"),
            "status=failed\nchecks-failed=2\nregressions=3\nreport-dir<<ghadelimiter_1f2e_1\nout\nghadelimiter_1f2e\nstatus=passed\nghadelimiter_1f2e_1\n"
        );
        // An unusable delimiter is replaced.
        assert!(
            outputs(&summary, 0, "x", "").contains("report-dir<<ghadelimiter\nx\nghadelimiter\n")
        );
        assert!(outputs(&summary, 0, "x", "a b\n").contains("report-dir<<ab\nx\nab\n"));
    }

    #[test]
    fn delimiter_for_avoids_every_value() {
        assert_eq!(delimiter_for("a1b2", &["x"]), "ghadelimiter_a1b2");
        assert_eq!(delimiter_for("a1\nb2", &[]), "ghadelimiter_a1b2");
        assert_eq!(
            delimiter_for(
                "7",
                &["ghadelimiter_7", "ghadelimiter_7_1 and ghadelimiter_7_2"]
            ),
            "ghadelimiter_7_3"
        );
    }
}
