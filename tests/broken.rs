//! Malformed input: exit 2, a message naming file, line and column, no
//! panic, readable scenarios still reported, input files untouched.

use std::path::Path;

use crate::util::{check, fixture, scenario};

/// Every file under `dir` with its bytes, to prove inputs are not modified.
fn snapshot(dir: &Path) -> Vec<(std::path::PathBuf, Vec<u8>)> {
    let mut files: Vec<_> = walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_file())
        .map(|e| (e.path().to_path_buf(), std::fs::read(e.path()).unwrap()))
        .collect();
    files.sort();
    files
}

/// Run on `fixtures/broken/CASE` and expect exit 2 with `message` on stderr.
fn expect_error(case: &str, message: &str) -> serde_json::Value {
    let dir = fixture(&format!("broken/{case}"));
    let before = snapshot(&dir);
    let out = tempfile::tempdir().unwrap();
    let rel = format!("fixtures/broken/{case}");
    let run = check(&[&rel], out.path());
    assert_eq!(
        run.code, 2,
        "{case}: stdout:\n{}\nstderr:\n{}",
        run.stdout, run.stderr
    );
    assert!(!run.stderr.contains("panicked"), "{case}: {}", run.stderr);
    assert!(
        run.stderr.contains(message),
        "{case}: expected {message:?} in:\n{}",
        run.stderr
    );
    assert!(run.stderr.contains("exit code 2"), "{case}: {}", run.stderr);
    assert_eq!(snapshot(&dir), before, "{case}: input files unchanged");
    let summary = run
        .summary
        .unwrap_or_else(|| panic!("{case}: summary.json still written"));
    assert_eq!(summary["status"], "error");
    summary
}

const S1: &str = "fixtures/broken/{case}/scenario1_concurrent_deployments";

fn path(case: &str, suffix: &str) -> String {
    format!("{}{suffix}", S1.replace("{case}", case))
}

#[test]
fn a_typo_in_a_count_names_file_line_and_column() {
    let summary = expect_error(
        "non_number",
        &format!(
            "error: {}:3: expected a whole number of 0 or more, found `12o` (column \"Request Count\")",
            path("non_number", "_stats.csv")
        ),
    );
    let s = scenario(&summary, "scenario1_concurrent_deployments");
    assert_eq!(s["status"], "error");
    assert!(s["totals"].is_null());
}

#[test]
fn a_missing_column_is_named() {
    expect_error(
        "missing_column",
        &format!(
            "{}:1: a required column is missing from the header (column \"Failure Count\")",
            path("missing_column", "_stats.csv")
        ),
    );
}

#[test]
fn an_empty_stats_file_is_an_error() {
    expect_error(
        "empty_stats",
        &format!("{}:1: the file is empty", path("empty_stats", "_stats.csv")),
    );
}

#[test]
fn a_header_only_stats_file_is_an_error() {
    expect_error(
        "header_only",
        &format!(
            "{}: no rows after the header",
            path("header_only", "_stats.csv")
        ),
    );
}

#[test]
fn a_row_with_a_missing_field_is_an_error() {
    expect_error(
        "short_row",
        &format!(
            "{}:2: the line has 21 fields but the header has 22",
            path("short_row", "_stats.csv")
        ),
    );
}

#[test]
fn invalid_utf8_is_an_error_with_its_line() {
    expect_error(
        "invalid_utf8",
        &format!(
            "{}:2: the line is not valid UTF-8",
            path("invalid_utf8", "_stats.csv")
        ),
    );
}

#[test]
fn a_bad_value_inside_the_history_is_an_error_but_the_totals_are_kept() {
    let summary = expect_error(
        "history_bad_value",
        &format!(
            "{}:5: expected a number or N/A, found `fast` (column \"Requests/s\")",
            path("history_bad_value", "_stats_history.csv")
        ),
    );
    let s = scenario(&summary, "scenario1_concurrent_deployments");
    assert_eq!(s["status"], "error");
    assert!(
        s["totals"]["requests"].as_u64().unwrap() > 0,
        "stats still reported"
    );
}

#[test]
fn a_bad_failures_count_is_an_error() {
    expect_error(
        "failures_bad_count",
        "scenario2_cab_approvals_failures.csv:2: expected a whole number of 0 or more, found `many` (column \"Occurrences\")",
    );
}

#[test]
fn the_readable_scenario_is_still_judged_beside_a_malformed_one() {
    let summary = expect_error(
        "mixed",
        "scenario2_cab_approvals_stats.csv:2: expected a number or N/A, found `-` (column \"Median Response Time\")",
    );
    let good = scenario(&summary, "scenario1_concurrent_deployments");
    assert!(
        matches!(good["status"].as_str(), Some("passed" | "failed")),
        "{good}"
    );
    assert!(!good["checks"].as_array().unwrap().is_empty());
    assert_eq!(
        scenario(&summary, "scenario2_cab_approvals")["status"],
        "error"
    );
}

#[test]
fn a_history_cut_mid_line_is_read_to_the_last_whole_line_with_a_warning() {
    let out = tempfile::tempdir().unwrap();
    let run = check(
        &["fixtures/variants/killed_midwrite", "--no-fail"],
        out.path(),
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains("the last line is cut short"),
        "{}",
        run.stderr
    );
    let summary = run.summary.unwrap();
    let s = scenario(&summary, "scenario4_burst_load");
    let whole_lines = std::fs::read_to_string(fixture(
        "variants/killed_midwrite/scenario4_burst_load_stats_history.csv",
    ))
    .unwrap()
    .matches('\n')
    .count();
    // Header + (whole_lines - 1) rows survive; the cut line is dropped.
    let rows = crate::util::csv_rows(&fixture("demo/scenario4_burst_load_stats_history.csv"));
    assert_eq!(whole_lines, rows.len());
    // The run length is Locust's own (requests ÷ Requests/s), not the cut history's span.
    let stats = crate::util::csv_rows(&fixture("demo/scenario4_burst_load_stats.csv"));
    let total = stats.iter().find(|r| r["Name"] == "Aggregated").unwrap();
    let requests: f64 = total["Request Count"].parse().unwrap();
    let rps: f64 = total["Requests/s"].parse().unwrap();
    assert_eq!(
        s["duration_s"].as_i64(),
        Some((requests / rps).round() as i64)
    );
    assert_eq!(s["duration_source"], "stats");
    assert_eq!(
        s["warnings"].as_array().unwrap().len(),
        1,
        "{}",
        s["warnings"]
    );
    assert!(s["warnings"][0].as_str().unwrap().contains("cut short"));
}

#[test]
fn failures_in_the_old_four_column_format_are_read() {
    let out = tempfile::tempdir().unwrap();
    let run = check(
        &["fixtures/variants/failures_4col", "--no-fail"],
        out.path(),
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let summary = run.summary.unwrap();
    let failures = scenario(&summary, "scenario2_cab_approvals")["failures"]
        .as_array()
        .unwrap()
        .clone();
    let rows = crate::util::csv_rows(&fixture("demo/scenario2_cab_approvals_failures.csv"));
    assert_eq!(failures.len(), rows.len());
    for (json, row) in failures.iter().zip(rows) {
        assert_eq!(json["error"], row["Error"].as_str());
        assert_eq!(
            json["occurrences"].as_u64(),
            Some(row["Occurrences"].parse().unwrap())
        );
    }
}

#[test]
fn a_bad_row_in_a_crlf_csv_of_any_tool_names_its_own_line() {
    // The csv crate counts a record after `\r\n` as starting on the line
    // before; every CSV reader (JTL, hey, k6 --out csv) names the line a
    // text editor shows.
    for (from, name, line_no) in [
        ("jmeter/checkout.jtl", "orders.jtl", 40),
        ("hey/browse.hey.csv", "browse.hey.csv", 57),
        ("k6/failing_csv.k6.csv", "failing.k6.csv", 23),
    ] {
        let text = std::fs::read_to_string(fixture(from)).unwrap();
        let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
        // A field count the header does not have, on line `line_no`.
        lines[line_no - 1].push_str(",extra");
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(name), lines.join("\r\n") + "\r\n").unwrap();
        let out = tempfile::tempdir().unwrap();
        let run = check(&[dir.path().to_str().unwrap(), "--no-fail"], out.path());
        assert_eq!(run.code, 2, "{name}: {}", run.stderr);
        let want = format!("{name}:{line_no}: ");
        assert!(
            run.stderr.lines().any(|l| l.contains(&want)),
            "{want} in\n{}",
            run.stderr
        );
    }
}
