//! The GitLab Code Quality report (`--format gitlab`,
//! `gl-code-quality-report.json`): one issue per failed check, regression
//! and error, so that a merge request shows what failed the gate. GitLab
//! reads a JSON array of `{description, check_name, fingerprint, severity,
//! location: {path, lines: {begin}}}`.
//!
//! - **path** is the scenario's result file (its first file: `_stats.csv`,
//!   the JTL, the k6 file …), relative to the project folder
//!   (`CI_PROJECT_DIR`) when it lies inside it; a check without a result
//!   file (a missing scenario) and a run-wide error point at the config
//!   file, or `loadgate.toml` with the built-in defaults. The line is 1:
//!   a check is about the whole file.
//! - **fingerprint** identifies the check, not its figures: the same missed
//!   target in the next pipeline has the same fingerprint, so GitLab shows
//!   it as unchanged rather than fixed and new. It is a 128-bit FNV-1a hash
//!   (stable across builds and platforms) of the scenario, the endpoint, the
//!   rule and where it came from.

use std::path::Path;

use serde::Serialize;

use super::Summary;
use super::summary::ScenarioSummary;
use crate::evaluate::compare::Verdict;
use crate::evaluate::{Check, CheckKind};
use crate::format;

/// The file GitLab's `artifacts:reports:codequality` is pointed at.
pub const FILE_NAME: &str = "gl-code-quality-report.json";

#[derive(Debug, Serialize)]
struct Issue {
    description: String,
    check_name: String,
    fingerprint: String,
    severity: &'static str,
    location: Location,
}

#[derive(Debug, Serialize)]
struct Location {
    path: String,
    lines: Lines,
}

#[derive(Debug, Serialize)]
struct Lines {
    begin: u32,
}

/// The report: the config file (`None` for the built-in defaults) and the
/// project folder that paths are made relative to.
pub fn render(
    summary: &Summary<'_>,
    config: Option<&Path>,
    project_dir: Option<&Path>,
) -> anyhow::Result<Vec<u8>> {
    let config_path =
        config.map_or_else(|| "loadgate.toml".to_string(), |p| relative(p, project_dir));
    let mut issues = Vec::new();
    let mut seen = std::collections::BTreeMap::<u128, u32>::new();
    let mut push = |identity: Vec<&str>, issue: Issue| {
        let mut hash = fnv1a_128(&identity);
        // Two identical rules on one scenario stay two issues.
        let n = seen.entry(hash).or_insert(0);
        *n += 1;
        if *n > 1 {
            let nth = n.to_string();
            let mut again = identity.clone();
            again.push(&nth);
            hash = fnv1a_128(&again);
        }
        issues.push(Issue {
            fingerprint: format!("{hash:032x}"),
            ..issue
        });
    };
    for e in &summary.errors {
        push(
            vec!["error", "", e],
            issue(
                format!("loadgate could not judge: {}", format::display(e)),
                "error",
                "blocker",
                &config_path,
            ),
        );
    }
    for s in &summary.scenarios {
        let path = scenario_path(s, project_dir).unwrap_or_else(|| config_path.clone());
        for e in s.errors {
            push(
                vec!["error", s.name, e],
                issue(
                    format!("{}: could not be judged: {}", shown(s.name), shown(e)),
                    "error",
                    "blocker",
                    &path,
                ),
            );
        }
        for c in s.checks.iter().filter(|c| !c.passed) {
            let endpoint = c.endpoint.as_deref().unwrap_or_default();
            push(
                vec![
                    "check",
                    s.name,
                    endpoint,
                    c.kind.as_str(),
                    &c.threshold,
                    &c.config_key,
                ],
                issue(
                    description(s.name, c.endpoint.as_deref(), &super::view::check_line(c)),
                    c.kind.as_str(),
                    severity(c),
                    &path,
                ),
            );
        }
        for c in s
            .comparisons
            .unwrap_or_default()
            .iter()
            .filter(|c| c.verdict == Verdict::Regressed)
        {
            let metric = c.metric.to_string();
            let endpoint = c.endpoint.as_deref().unwrap_or_default();
            push(
                vec!["regression", s.name, endpoint, &metric, &c.config_key],
                issue(
                    description(
                        s.name,
                        c.endpoint.as_deref(),
                        &format!("regression: {}", c.message),
                    ),
                    "regression",
                    "major",
                    &path,
                ),
            );
        }
    }
    let mut json = serde_json::to_vec_pretty(&issues)?;
    json.push(b'\n');
    Ok(json)
}

fn issue(description: String, kind: &str, severity: &'static str, path: &str) -> Issue {
    Issue {
        description,
        check_name: format!("loadgate:{kind}"),
        fingerprint: String::new(),
        severity,
        location: Location {
            path: path.to_string(),
            lines: Lines { begin: 1 },
        },
    }
}

/// `scenario: METHOD NAME: line`, control characters shown escaped.
fn description(scenario: &str, endpoint: Option<&str>, line: &str) -> String {
    match endpoint {
        Some(e) => format!("{}: {}: {}", shown(scenario), shown(e), shown(line)),
        None => format!("{}: {}", shown(scenario), shown(line)),
    }
}

/// A scenario that did not run to completion is `critical`; a missed
/// target `major`.
fn severity(c: &Check) -> &'static str {
    match c.kind {
        CheckKind::Required | CheckKind::MinDuration | CheckKind::MinRequests => "critical",
        CheckKind::Threshold
        | CheckKind::Window
        | CheckKind::EndpointMatch
        | CheckKind::DataSanity => "major",
    }
}

/// The scenario's first result file, relative to the project folder.
fn scenario_path(s: &ScenarioSummary<'_>, project_dir: Option<&Path>) -> Option<String> {
    s.files.all().next().map(|p| relative(&p, project_dir))
}

/// `path` inside `project_dir` made relative to it, `./` dropped, with `/`
/// separators (GitLab's paths are the repository's).
fn relative(path: &Path, project_dir: Option<&Path>) -> String {
    let path = project_dir
        .and_then(|dir| path.strip_prefix(dir).ok())
        .unwrap_or(path);
    let text = path.to_string_lossy().replace('\\', "/");
    let mut text = text.as_str();
    while let Some(rest) = text.strip_prefix("./") {
        text = rest;
    }
    text.to_string()
}

/// FNV-1a, 128 bits, over the parts with a separator no text holds.
fn fnv1a_128(parts: &[&str]) -> u128 {
    const OFFSET: u128 = 0x6c62272e07bb014262b821756295c58d;
    const PRIME: u128 = 0x0000000001000000000000000000013b;
    let mut hash = OFFSET;
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            hash ^= 0xff;
            hash = hash.wrapping_mul(PRIME);
        }
        for b in part.bytes() {
            hash ^= u128::from(b);
            hash = hash.wrapping_mul(PRIME);
        }
    }
    hash
}

fn shown(text: &str) -> String {
    format::display(text).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv1a_128_matches_the_published_test_vectors() {
        // The reference values of the FNV specification (draft-eastlake-fnv).
        assert_eq!(fnv1a_128(&[""]), 0x6c62272e07bb014262b821756295c58d);
        assert_eq!(fnv1a_128(&["a"]), 0xd228cb696f1a8caf78912b704e4a8964);
        assert_eq!(fnv1a_128(&["foobar"]), 0x343e1662793c64bf6f0d3597ba446f18);
    }

    #[test]
    fn parts_are_separated_so_that_moving_a_boundary_changes_the_hash() {
        assert_ne!(fnv1a_128(&["ab", "c"]), fnv1a_128(&["a", "bc"]));
        assert_ne!(fnv1a_128(&["a", ""]), fnv1a_128(&["a"]));
    }

    #[test]
    fn paths_are_relative_to_the_project_with_forward_slashes() {
        let dir = Path::new("/builds/group/app");
        assert_eq!(
            relative(
                Path::new("/builds/group/app/results/s_stats.csv"),
                Some(dir)
            ),
            "results/s_stats.csv"
        );
        assert_eq!(
            relative(Path::new("./results/s_stats.csv"), None),
            "results/s_stats.csv"
        );
        assert_eq!(
            relative(Path::new("/elsewhere/s_stats.csv"), Some(dir)),
            "/elsewhere/s_stats.csv"
        );
    }
}
