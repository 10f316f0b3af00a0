//! The chart sections of the job summary: Mermaid `xychart-beta` blocks
//! (median and p99 per scenario; requests/s over time per scenario), each
//! followed by a table with the same numbers for where Mermaid does not
//! render. Untrusted names reach a chart only through [`mermaid_label`], so
//! a label can end neither its string nor the code fence.

use std::fmt::Write as _;

use super::md;
use crate::format;
use crate::model::History;
use crate::report::Summary;

/// Points per requests/s chart; Mermaid's xychart labels every point.
const CHART_POINTS: usize = 50;
/// Above this many scenarios the bar chart is unreadable; the table stays.
const MAX_BAR_SCENARIOS: usize = 50;
/// Untrusted text in a Mermaid label is cut to this many characters.
pub(super) const MAX_LABEL_CHARS: usize = 40;

/// The chart sections, in order: the median/p99 section (when any scenario
/// has totals), then one requests/s section per scenario whose history has
/// at least two points. Histories come from each scenario's `data`.
pub(super) fn chart_sections(summary: &Summary<'_>) -> Vec<String> {
    let mut charts: Vec<String> = overview_section(summary).into_iter().collect();
    for s in &summary.scenarios {
        if let Some(history) = s.data.and_then(|d| d.history.as_ref()) {
            charts.extend(throughput_section(s.name, history));
        }
    }
    charts
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
            format::opt_ms(median),
            format::opt_ms(p99)
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
pub(super) fn mermaid_label(text: &str, max_chars: usize) -> String {
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
pub(super) fn unique_labels<'a>(names: impl Iterator<Item = &'a str>) -> Vec<String> {
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
pub(super) fn quoted_list(labels: &[String]) -> String {
    labels
        .iter()
        .map(|l| format!("\"{l}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Numbers for Mermaid: at most two decimals, no separators.
pub(super) fn number_list(values: impl Iterator<Item = f64>) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::github::test_support::{config, judge_folder, write_scenario};

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
}
