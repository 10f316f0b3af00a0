//! `junit.xml`: one testsuite per scenario, one testcase per check; a
//! scenario that could not be read is one testcase in error. Built with
//! quick-junit, which does the XML escaping.

use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};

use super::Summary;
use crate::evaluate::compare::Verdict;

pub const FILE_NAME: &str = "junit.xml";

/// The JUnit XML for a summary.
pub fn render(summary: &Summary<'_>) -> anyhow::Result<Vec<u8>> {
    let mut report = Report::new(format!("loadgate: {}", shown(&summary.title)));
    for s in &summary.scenarios {
        let scenario = shown(s.name);
        let mut suite = TestSuite::new(scenario.as_str());
        for c in s.checks {
            let name = match &c.endpoint {
                Some(endpoint) => format!("{}: {}", shown(endpoint), shown(&c.threshold)),
                None => shown(&c.threshold),
            };
            let status = if c.passed {
                TestCaseStatus::success()
            } else {
                let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
                let message = super::view::check_line(c);
                status.set_message(message).set_type(c.kind.as_str());
                status
            };
            let mut case = TestCase::new(name, status);
            case.set_classname(scenario.as_str());
            suite.add_test_case(case);
        }
        for c in s.comparisons.unwrap_or_default() {
            let name = format!(
                "baseline: {}{} ({})",
                c.endpoint
                    .as_ref()
                    .map(|e| format!("{}: ", shown(e)))
                    .unwrap_or_default(),
                c.metric,
                c.tolerance
            );
            let status = if c.verdict == Verdict::Regressed {
                let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
                status.set_message(shown(&c.message)).set_type("regression");
                status
            } else {
                TestCaseStatus::success()
            };
            let mut case = TestCase::new(name, status);
            case.set_classname(scenario.as_str());
            suite.add_test_case(case);
        }
        for e in s.errors {
            let mut status = TestCaseStatus::non_success(NonSuccessKind::Error);
            status.set_message(shown(e)).set_type("input");
            let mut case = TestCase::new("input is readable", status);
            case.set_classname(scenario.as_str());
            suite.add_test_case(case);
        }
        report.add_test_suite(suite);
    }
    let mut bytes = report.to_string()?.into_bytes();
    if !bytes.ends_with(b"\n") {
        bytes.push(b'\n');
    }
    Ok(bytes)
}

/// Text from the input with its control characters shown escaped: XML 1.0
/// cannot hold most of them at all, not even as character references.
fn shown(text: &str) -> String {
    crate::format::display(text).into_owned()
}
