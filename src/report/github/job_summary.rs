//! The job summary: compact GitHub-flavoured Markdown for
//! `$GITHUB_STEP_SUMMARY` or a pull-request comment, in the order of the
//! report: the status, the failed checks and regressions, what's left, the
//! scenario × metric results, then the charts, the endpoints and the data
//! notes. Its pieces are rendered once ([`Parts`]), kept or left out at a
//! [`Detail`], and laid out by `templates/job_summary.md.j2`;
//! [`job_summary`] sheds detail until the text fits its budget (the only
//! part of the layout left in Rust).

use std::fmt::Write as _;

use super::comment::{failed_item, matrix_header, row};
use super::md;
use super::mermaid::chart_sections;
use crate::evaluate::Status;
use crate::format;
use crate::report::decision::FailedKind;
use crate::report::view::{LeftItem, ReportView, ScenarioView};
use crate::report::{RunStatus, Summary};

/// When the table has to be cut, each list (failed checks, regressions,
/// what's left, data notes) keeps this many items.
const MAX_LIST_ITEMS: usize = 50;

/// How much of the job summary is kept, from everything to the least.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Detail {
    /// Everything.
    Full,
    /// Without the endpoint tables, the failed endpoint checks and the
    /// endpoint regressions.
    NoEndpoints,
    /// Also without the charts and their tables.
    NoCharts,
    /// Also lists cut to [`MAX_LIST_ITEMS`] and the results table cut to
    /// the rows that fit.
    Cut,
}

/// The job summary: compact GitHub-flavoured Markdown with the title, the
/// status line, the failed checks and the regressions (each with actual,
/// target and how far off), what's left, the results table (one row per
/// scenario, one column per metric, the scenarios that need attention
/// first), charts as Mermaid `xychart-beta` blocks (median and p99 per
/// scenario; requests/s over time per scenario in at most 50 points), each
/// followed by a table with the same numbers for where Mermaid does not
/// render, the endpoints of each scenario, and the data notes.
///
/// - The charts read each scenario's history from its summary (`data`).
/// - `report_dir` is the output folder, named as where the full report is.
/// - `run_url` links to the workflow run (whose artifacts hold the report);
///   anything but a plain `http(s)://` URL is ignored.
/// - `budget` is the most bytes returned: [`STEP_SUMMARY_BUDGET`] for
///   `$GITHUB_STEP_SUMMARY`, [`PR_COMMENT_BUDGET`] for a pull-request comment.
///
/// When the whole summary is larger than `budget`, it first leaves out the
/// per-endpoint detail, then the charts, then cuts long lists to 50 items
/// and the results table to the rows that fit, followed by a "… N more
/// scenarios" line; a note at the top says what was left out and that the
/// full report is in `report_dir`. Should even that not fit (a budget of a
/// few KB), the text is cut at the budget with a closing line.
///
/// [`STEP_SUMMARY_BUDGET`]: super::STEP_SUMMARY_BUDGET
/// [`PR_COMMENT_BUDGET`]: super::PR_COMMENT_BUDGET
pub fn job_summary(
    summary: &Summary<'_>,
    view: &ReportView,
    report_dir: &str,
    run_url: Option<&str>,
    budget: usize,
) -> String {
    let parts = Parts::new(summary, view, report_dir, run_url);
    let all_rows = parts.rows.len();
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

/// A list of failed items (checks or regressions) of the job summary.
struct FailedList {
    /// `## Failed checks (2 of 30)`; empty when nothing failed.
    heading: String,
    /// Whether the item is an endpoint's, and its list item.
    items: Vec<(bool, String)>,
    /// What the items are, for the lines that count the rest.
    what: &'static str,
    /// What its endpoint items are, for the line that counts those left out.
    endpoint_what: &'static str,
}

impl FailedList {
    fn endpoint_items(&self) -> usize {
        self.items.iter().filter(|(e, _)| *e).count()
    }
}

/// The pieces of the job summary, rendered once and assembled per [`Detail`].
struct Parts {
    head: String,
    failed: FailedList,
    regressions: FailedList,
    whats_left: Vec<String>,
    /// The results table's header, empty without scenarios.
    table_header: String,
    /// The results table's rows, the scenarios needing attention first;
    /// with whether the scenario passed.
    rows: Vec<(bool, String)>,
    /// The median/p99 section and one requests/s section per scenario.
    charts: Vec<String>,
    /// With a run history: the trend heading, then one piece per scenario.
    trend: Vec<String>,
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
        report_dir: &str,
        run_url: Option<&str>,
    ) -> Parts {
        let with_endpoints = || view.scenarios.iter().filter(|s| !s.endpoints.is_empty());
        let dir = md(report_dir);
        let items = |kind: FailedKind| -> Vec<(bool, String)> {
            view.failed
                .iter()
                .filter(|f| f.kind == kind)
                .map(|f| (f.endpoint.is_some(), failed_item(f)))
                .collect()
        };
        let count = |n: usize| format::count(n as u64);
        let c = &summary.counts;
        let compared: usize = summary
            .scenarios
            .iter()
            .map(|s| s.comparisons.map_or(0, <[_]>::len))
            .sum();
        let matrix = &view.matrix;
        Parts {
            head: head(summary, view),
            failed: FailedList {
                heading: match c.checks_failed {
                    0 => String::new(),
                    n => format!("## Failed checks ({} of {})\n\n", count(n), count(c.checks)),
                },
                items: items(FailedKind::Check),
                what: "failed checks",
                endpoint_what: "failed endpoint checks",
            },
            regressions: FailedList {
                heading: match c.regressions {
                    0 => String::new(),
                    n => format!(
                        "## Regressions ({} of {} compared metrics)\n\n",
                        count(n),
                        count(compared)
                    ),
                },
                items: items(FailedKind::Regression),
                what: "regressions",
                endpoint_what: "endpoint regressions",
            },
            whats_left: view.whats_left.iter().map(left_item).collect(),
            table_header: match matrix.rows.is_empty() {
                true => String::new(),
                false => matrix_header(matrix),
            },
            rows: matrix
                .rows_needing_attention_first()
                .map(|r| (r.status == Status::Passed, row(r)))
                .collect(),
            charts: chart_sections(summary),
            trend: super::trend::trend_sections(summary),
            endpoints: with_endpoints().map(endpoint_section).collect(),
            endpoint_rows: with_endpoints().map(|s| s.endpoints.len()).sum(),
            notes: view
                .data_notes
                .iter()
                .map(|n| format!("- {}\n", md(n)))
                .collect(),
            full_report: full_report(&dir, run_url),
            cut_line: format!(
                "\n\n… cut here to stay within the size limit; the full report is in {dir}.\n"
            ),
        }
    }

    /// The summary at `detail`, with the first `rows` rows of the results
    /// table: the pieces that `detail` keeps, laid out by `job_summary.md.j2`.
    fn render(&self, detail: Detail, rows: usize) -> String {
        let rows = rows.min(self.rows.len());
        let list_cap = match detail {
            Detail::Cut => MAX_LIST_ITEMS,
            _ => usize::MAX,
        };
        let capped = |items: Vec<&'_ String>, what: &str| {
            let more = more_line(items.len(), list_cap, what);
            let kept: Vec<String> = items.into_iter().take(list_cap).cloned().collect();
            (kept, more)
        };
        let failed_section = |list: &FailedList| {
            let items: Vec<&String> = list
                .items
                .iter()
                .filter(|(endpoint, _)| detail == Detail::Full || !endpoint)
                .map(|(_, line)| line)
                .collect();
            let (items, more) = capped(items, list.what);
            let endpoint_items = list.endpoint_items();
            Section {
                heading: list.heading.clone(),
                items,
                more,
                endpoint_note: match detail > Detail::Full && endpoint_items > 0 {
                    true => format!(
                        "- … and {} {}, left out here: see report.md in the full report.\n",
                        format::count(endpoint_items as u64),
                        list.endpoint_what
                    ),
                    false => String::new(),
                },
            }
        };
        let (whats_left, whats_left_more) = capped(self.whats_left.iter().collect(), "scenarios");
        let (notes, notes_more) = capped(self.notes.iter().collect(), "notes");
        let dropped = self.rows.len() - rows;
        let dropped_passed = self.rows[rows..].iter().filter(|(p, _)| *p).count();
        let doc = Doc {
            head: &self.head,
            left_out: self.left_out(detail, rows),
            failed: failed_section(&self.failed),
            regressions: failed_section(&self.regressions),
            whats_left,
            whats_left_more,
            results_empty: self.rows.is_empty(),
            table: match rows {
                0 => "",
                _ => &self.table_header,
            },
            rows: self.rows[..rows].iter().map(|(_, r)| r.as_str()).collect(),
            rows_more: match dropped {
                0 => String::new(),
                n => format!(
                    "{}… {} more scenarios ({} passed, {} not): see report.md in the full report.\n",
                    if rows > 0 { "\n" } else { "" },
                    format::count(n as u64),
                    format::count(dropped_passed as u64),
                    format::count((n - dropped_passed) as u64)
                ),
            },
            charts: match detail <= Detail::NoEndpoints {
                true => &self.charts,
                false => &[],
            },
            trend: match detail <= Detail::NoEndpoints {
                true => &self.trend,
                false => &[],
            },
            endpoints: match detail == Detail::Full {
                true => &self.endpoints,
                false => &[],
            },
            notes,
            notes_more,
            full_report: &self.full_report,
        };
        render_doc(&doc)
    }

    /// The note on what was left out, at the top where it is seen; nothing
    /// at [`Detail::Full`] with every row.
    fn left_out(&self, detail: Detail, rows: usize) -> String {
        let endpoint_checks = self.failed.endpoint_items();
        let endpoint_regressions = self.regressions.endpoint_items();
        let shown = |list: &FailedList| match detail {
            Detail::Full => list.items.len(),
            _ => list.items.len() - list.endpoint_items(),
        };
        let lists_cut = detail == Detail::Cut
            && [
                shown(&self.failed),
                shown(&self.regressions),
                self.whats_left.len(),
                self.notes.len(),
            ]
            .iter()
            .any(|&n| n > MAX_LIST_ITEMS);
        let mut left_out = Vec::new();
        if detail > Detail::Full
            && (self.endpoint_rows > 0 || endpoint_checks > 0 || endpoint_regressions > 0)
        {
            let mut what = format!(
                "per-endpoint detail ({} endpoint rows, {} failed endpoint checks",
                format::count(self.endpoint_rows as u64),
                format::count(endpoint_checks as u64)
            );
            if endpoint_regressions > 0 {
                let _ = write!(
                    what,
                    ", {} endpoint regressions",
                    format::count(endpoint_regressions as u64)
                );
            }
            what.push(')');
            left_out.push(what);
        }
        if detail > Detail::NoEndpoints && !self.charts.is_empty() {
            left_out.push(format!(
                "the charts and their tables ({})",
                format::count(self.charts.len() as u64)
            ));
        }
        if detail > Detail::NoEndpoints && self.trend.len() > 1 {
            left_out.push(format!(
                "the trend of the run history ({} scenarios)",
                format::count(self.trend.len() as u64 - 1)
            ));
        }
        if lists_cut {
            left_out.push(format!(
                "all but the first {MAX_LIST_ITEMS} items of long lists"
            ));
        }
        if rows < self.rows.len() {
            left_out.push(format!(
                "{} of {} rows of the results table",
                format::count((self.rows.len() - rows) as u64),
                format::count(self.rows.len() as u64)
            ));
        }
        match left_out.is_empty() {
            true => String::new(),
            false => format!(
                "> **Shortened to stay within GitHub's size limit.** Left out: {}. {}\n\n",
                left_out.join("; "),
                self.full_report
            ),
        }
    }

    /// How many rows of the results table fit in `budget` at [`Detail::Cut`].
    fn rows_that_fit(&self, budget: usize) -> usize {
        // Slack for the digits of the counts, which change with the rows kept.
        let mut used = self.render(Detail::Cut, 0).len() + self.table_header.len() + 64;
        let mut keep = 0;
        for (_, row) in &self.rows {
            used += row.len();
            if used > budget {
                break;
            }
            keep += 1;
        }
        keep
    }
}

/// The title, the status line with its icon, and the run's date, config and tool.
fn head(summary: &Summary<'_>, view: &ReportView) -> String {
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
    head
}

/// One item of "What's left".
fn left_item(l: &LeftItem) -> String {
    format!(
        "- **{}** {}: {}\n",
        l.status_label,
        md(&l.scenario),
        md(&l.reason)
    )
}

/// A scenario's endpoint table, folded in `<details>`.
fn endpoint_section(s: &ScenarioView) -> String {
    let mut section = format!(
        "### {}\n\n<details><summary>{} endpoints</summary>\n\n",
        md(&s.name),
        format::count(s.endpoints_total as u64)
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
    if let Some(more) = &s.endpoints_more {
        let _ = write!(section, "\n{}\n", md(more));
    }
    section.push_str("\n</details>\n\n");
    section
}

/// Where the full report is, as a sentence; `dir` is already Markdown.
fn full_report(dir: &str, run_url: Option<&str>) -> String {
    let run = run_url
        .filter(|u| is_plain_url(u))
        .map_or_else(String::new, |u| format!(" of [this workflow run]({u})"));
    format!(
        "The full report (report.md, report.html with charts, summary.json, junit.xml) is in {dir}; the loadgate action uploads that folder as an artifact{run}."
    )
}

/// A link target that cannot end the Markdown link or hide anything.
fn is_plain_url(url: &str) -> bool {
    (url.starts_with("https://") || url.starts_with("http://"))
        && url
            .chars()
            .all(|c| c.is_ascii_graphic() && !matches!(c, '(' | ')' | '<' | '>' | '"' | '`' | '\\'))
}

/// The line after a list cut at `cap` items, saying how many more there are.
fn more_line(len: usize, cap: usize, what: &str) -> String {
    match len > cap {
        true => format!(
            "- … and {} more {what}: see report.md in the full report.\n",
            format::count((len - cap) as u64)
        ),
        false => String::new(),
    }
}

/// A list of failed items as the layout gets it; every piece ends in `\n`,
/// empty when there is nothing to say.
#[derive(serde::Serialize)]
struct Section {
    heading: String,
    items: Vec<String>,
    more: String,
    /// How many endpoint items this detail left out.
    endpoint_note: String,
}

/// What `job_summary.md.j2` lays out: every piece escaped and formatted,
/// ending in its own line break; a piece left out is empty.
#[derive(serde::Serialize)]
struct Doc<'a> {
    head: &'a str,
    left_out: String,
    failed: Section,
    regressions: Section,
    whats_left: Vec<String>,
    whats_left_more: String,
    results_empty: bool,
    table: &'a str,
    rows: Vec<&'a str>,
    rows_more: String,
    charts: &'a [String],
    trend: &'a [String],
    endpoints: &'a [String],
    notes: Vec<String>,
    notes_more: String,
    full_report: &'a str,
}

/// Lay the pieces out with the built-in template.
fn render_doc(doc: &Doc<'_>) -> String {
    static ENV: std::sync::LazyLock<minijinja::Environment<'static>> =
        std::sync::LazyLock::new(|| {
            let mut env = minijinja::Environment::new();
            env.add_template(
                "job_summary.md.j2",
                include_str!("../../../templates/job_summary.md.j2"),
            )
            // The built-in template is tested to parse (see the tests below).
            .expect("the built-in job_summary.md.j2 parses");
            env
        });
    let mut text = ENV
        .get_template("job_summary.md.j2")
        .and_then(|t| t.render(minijinja::value::Serde(doc)))
        // Only strings and lists of strings: rendering cannot fail.
        .expect("job_summary.md.j2 renders its own context");
    text.push('\n');
    text
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

#[cfg(test)]
mod tests {
    #[test]
    fn the_built_in_layout_parses() {
        let mut env = minijinja::Environment::new();
        env.add_template(
            "job_summary.md.j2",
            include_str!("../../../templates/job_summary.md.j2"),
        )
        .unwrap();
    }

    use std::path::Path;

    use super::*;
    use crate::config::Config;
    use crate::evaluate::ScenarioResult;
    use crate::report::github::test_support::{config, judge_folder, summarise, write_scenario};
    use crate::report::github::{PR_COMMENT_BUDGET, STEP_SUMMARY_BUDGET, annotations};
    use crate::report::view;

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
        let view = view::build(&summary, false).unwrap();
        let text = job_summary(
            &summary,
            &view,
            "loadgate-report",
            Some("https://github.com/o/r/actions/runs/1"),
            STEP_SUMMARY_BUDGET,
        );

        assert!(text.contains("| a\\|b | ❌ FAIL | ❌ "), "{text}");
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
        let view = view::build(&summary, false).unwrap();
        let summary_for =
            |budget| job_summary(&summary, &view, "out/loadgate-report", None, budget);

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
        // Every scenario's row of the results table is there.
        let results_rows = |text: &str| {
            let start = text.find("## Results\n").expect("a results section");
            let end = text[start..]
                .find("\n## ")
                .map_or(text.len(), |e| start + e);
            text[start..end]
                .lines()
                .filter(|l| l.starts_with("| scenario"))
                .count()
        };
        assert_eq!(results_rows(&step), view.matrix.rows.len());
        assert_eq!(view.matrix.rows.len(), 200);
        assert_tables_keep_their_columns(&step);

        // A pull-request comment: also without charts.
        let comment = summary_for(PR_COMMENT_BUDGET);
        eprintln!(
            "huge run: full {} bytes; step summary {} bytes; PR comment {} bytes",
            Parts::new(&summary, &view, "out/loadgate-report", None)
                .render(Detail::Full, usize::MAX)
                .len(),
            step.len(),
            comment.len()
        );
        assert!(comment.len() <= PR_COMMENT_BUDGET, "{}", comment.len());
        assert!(comment.contains("the charts and their tables (201)"));
        assert_eq!(assert_mermaid_blocks_are_sealed(&comment), 0);
        assert_tables_keep_their_columns(&comment);

        // A smaller budget cuts the table to whole rows and says how many.
        let cut = summary_for(20_000);
        assert!(cut.len() <= 20_000, "{}", cut.len());
        let kept = results_rows(&cut);
        let dropped = view.matrix.rows.len() - kept;
        assert!(kept > 20 && dropped > 0, "kept {kept}");
        let count = |n: usize| format::count(n as u64);
        assert!(cut.contains(&format!(
            "{} of {} rows of the results table",
            count(dropped),
            count(view.matrix.rows.len())
        )));
        // Every scenario failed its endpoint checks.
        assert!(cut.contains(&format!(
            "… {} more scenarios (0 passed, {} not): see report.md",
            count(dropped),
            count(dropped)
        )));
        assert_tables_keep_their_columns(&cut);

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
        let view = view::build(&summary, false).unwrap();
        let text = job_summary(
            &summary,
            &view,
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
}
