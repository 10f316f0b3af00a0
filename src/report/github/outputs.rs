//! The step outputs: `name=value` lines for `$GITHUB_OUTPUT`, with the one
//! value that may hold a line break (the report folder) in the heredoc form
//! `name<<DELIMITER`, and a delimiter the value cannot contain.

use crate::report::Summary;

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
    let status = summary.status.as_str();
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

/// Whether `s` is a non-empty run of ASCII letters, digits, `_` and `-`.
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
    use super::*;
    use crate::report::github::test_support::{failing_endpoints, summarise};

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
