//! The annotations: workflow commands (`::error`, `::warning`) for stdout,
//! at most [`MAX_ANNOTATIONS`] of each level, with untrusted text escaped by
//! the runner's rules so that it can neither break its line nor start a
//! second command.

use std::fmt::Write as _;

use super::{MAX_ANNOTATIONS, clip};
use crate::evaluate::Check;
use crate::evaluate::compare::{Comparison, Verdict};
use crate::report::Summary;

/// Annotation titles and messages are cut to these many characters.
const MAX_TITLE_CHARS: usize = 300;
const MAX_MESSAGE_CHARS: usize = 4000;

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
            checks.push(failed_check(&title, c));
        }
        for c in s
            .comparisons
            .unwrap_or_default()
            .iter()
            .filter(|c| c.verdict == Verdict::Regressed)
        {
            checks.push(regression(&title, c));
        }
    }
    // Failed checks and regressions are `::error`s too, after the errors proper.
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

/// The annotation of a failed check of the scenario titled `title`: the
/// endpoint appended to the title, the achievement to the message (but for
/// a window check, whose message already says it).
fn failed_check(title: &str, c: &Check) -> (Kind, String, String) {
    let title = match &c.endpoint {
        Some(endpoint) => format!("{title}: {endpoint}"),
        None => title.to_string(),
    };
    (Kind::FailedCheck, title, crate::report::view::check_line(c))
}

/// The annotation of a regression of the scenario titled `title`.
fn regression(title: &str, c: &Comparison) -> (Kind, String, String) {
    let title = match &c.endpoint {
        Some(endpoint) => format!("{title}: {endpoint}: regression"),
        None => format!("{title}: regression"),
    };
    (Kind::Regression, title, c.message.clone())
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::github::test_support::{failing_endpoints, summarise};

    #[test]
    fn escaping_follows_the_runner_rules() {
        assert_eq!(escape_data("50% of a\r\nb"), "50%25 of a%0D%0Ab");
        // `%` first: a literal `%0A` stays text instead of becoming a line break.
        assert_eq!(escape_data("%0A"), "%250A");
        assert_eq!(escape_data("::error::x"), "::error::x");
        assert_eq!(escape_property("a:b,c%\n"), "a%3Ab%2Cc%25%0A");
        assert_eq!(escape_property("%3A"), "%253A");
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
}
