//! Config discovery, the threshold language end to end, and config errors.

use std::path::Path;

use crate::util::{check, copy_dir, fixture, scenario};

fn write_config(dir: &Path, text: &str) -> std::path::PathBuf {
    let path = dir.join("loadgate.toml");
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn loadgate_toml_in_the_first_path_is_used() {
    let out = tempfile::tempdir().unwrap();
    let run = check(&["fixtures/demo"], out.path());
    assert!(
        run.stdout.contains("config: fixtures/demo/loadgate.toml"),
        "{}",
        run.stdout
    );
    assert!(
        !run.stderr.contains("built-in default targets"),
        "{}",
        run.stderr
    );
}

#[test]
fn without_a_config_the_builtin_defaults_are_used_and_said() {
    let results = copy_dir(&fixture("demo"));
    std::fs::remove_file(results.path().join("loadgate.toml")).unwrap();
    let out = tempfile::tempdir().unwrap();
    let run = check(&[results.path().to_str().unwrap()], out.path());
    assert!(
        run.stdout.contains("config: built-in defaults"),
        "{}",
        run.stdout
    );
    assert!(run.stderr.contains("warning: built-in default targets in use (median < 200ms, p99 < 1s, success_rate >= 99%)"), "{}", run.stderr);
    let summary = run.summary.unwrap();
    let checks = scenario(&summary, "scenario1_concurrent_deployments")["checks"]
        .as_array()
        .unwrap()
        .clone();
    let texts: Vec<&str> = checks
        .iter()
        .map(|c| c["threshold"].as_str().unwrap())
        .collect();
    assert_eq!(
        texts,
        vec!["median < 200ms", "p99 < 1s", "success_rate >= 99%"]
    );
}

#[test]
fn everything_within_target_exits_zero() {
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(
        dir.path(),
        "[defaults]\nthresholds = [\"median < 10s\", \"success_rate >= 50%\"]\n",
    );
    let out = tempfile::tempdir().unwrap();
    let run = check(
        &[
            "fixtures/demo/scenario3_connector_scaling_stats.csv",
            "--config",
            config.to_str().unwrap(),
        ],
        out.path(),
    );
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let summary = run.summary.unwrap();
    assert_eq!(summary["status"], "passed");
    assert_eq!(summary["scenarios"].as_array().unwrap().len(), 1);
    assert!(
        run.stdout
            .contains("PASSED — 1 of 1 scenarios complete; all 2 checks passed"),
        "{}",
        run.stdout
    );
}

#[test]
fn a_missed_threshold_fails_with_actual_and_target() {
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), "[defaults]\nthresholds = [\"max < 1ms\"]\n");
    let out = tempfile::tempdir().unwrap();
    let run = check(
        &["fixtures/demo", "--config", config.to_str().unwrap()],
        out.path(),
    );
    assert_eq!(run.code, 1);
    let summary = run.summary.unwrap();
    let c = &scenario(&summary, "scenario1_concurrent_deployments")["checks"][0];
    assert_eq!(c["passed"], false);
    assert_eq!(c["target"], 1);
    assert_eq!(c["unit"], "ms");
    assert_eq!(
        c["actual"],
        scenario(&summary, "scenario1_concurrent_deployments")["totals"]["max_ms"]
    );
    assert!(run.stdout.contains("Failed checks"), "{}", run.stdout);
    assert!(run.stdout.contains(", target < 1 ms"), "{}", run.stdout);
}

#[test]
fn a_missing_required_scenario_fails_the_gate() {
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(
        dir.path(),
        "[defaults]\nthresholds = []\n[scenarios.soak]\nmatch = \"scenario5*\"\n[scenarios.nightly]\nrequired = false\n",
    );
    let out = tempfile::tempdir().unwrap();
    let run = check(
        &["fixtures/demo", "--config", config.to_str().unwrap()],
        out.path(),
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    let summary = run.summary.unwrap();
    let soak = scenario(&summary, "soak");
    assert_eq!(soak["status"], "missing");
    assert!(
        soak["checks"][0]["message"]
            .as_str()
            .unwrap()
            .contains("no result set matches \"scenario5*\"")
    );
    assert!(run.stdout.contains("MISSING"), "{}", run.stdout);
    assert!(
        run.stderr
            .contains("[scenarios.nightly] matches no result set"),
        "{}",
        run.stderr
    );
    assert_eq!(summary["counts"]["scenarios_expected"], 5);
}

#[test]
fn endpoint_thresholds_check_each_matching_endpoint() {
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(
        dir.path(),
        "[defaults]\nthresholds = []\n[scenarios.connectors]\nmatch = \"scenario3*\"\n[[scenarios.connectors.endpoint]]\nname = \"/api/connectors/*\"\nthresholds = [\"p95 < 60s\"]\n[[scenarios.connectors.endpoint]]\nname = \"/nothing/*\"\nthresholds = [\"p95 < 1s\"]\n",
    );
    let out = tempfile::tempdir().unwrap();
    let run = check(
        &[
            "fixtures/demo/scenario3_connector_scaling_stats.csv",
            "--config",
            config.to_str().unwrap(),
        ],
        out.path(),
    );
    let summary = run.summary.unwrap();
    let s = scenario(&summary, "scenario3_connector_scaling");
    let endpoints = s["endpoints"].as_array().unwrap();
    let connectors = endpoints
        .iter()
        .filter(|e| e["name"].as_str().unwrap().starts_with("/api/connectors/"))
        .count();
    assert!(connectors >= 2);
    let checks = s["checks"].as_array().unwrap();
    let endpoint_checks: Vec<_> = checks.iter().filter(|c| c["kind"] == "threshold").collect();
    assert_eq!(endpoint_checks.len(), connectors);
    assert!(
        endpoint_checks
            .iter()
            .all(|c| c["endpoint"].as_str().unwrap().contains("/api/connectors/"))
    );
    // A table that matches nothing fails instead of passing silently.
    let unmatched = checks
        .iter()
        .find(|c| c["kind"] == "endpoint_match")
        .unwrap();
    assert_eq!(unmatched["passed"], false);
    assert_eq!(run.code, 1);
}

/// Run with a config text; return (code, stderr).
fn config_error(text: &str) -> (i32, String, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), text);
    let out = tempfile::tempdir().unwrap();
    let run = check(
        &["fixtures/demo", "--config", config.to_str().unwrap()],
        out.path(),
    );
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    // keep the dir alive long enough: the path is only used in messages
    (run.code, run.stderr, config)
}

#[test]
fn an_unknown_metric_names_file_key_line_column_and_lists_the_metrics() {
    let (code, stderr, path) =
        config_error("[defaults]\nthresholds = [\"median < 200ms\", \"latency < 5ms\"]\n");
    assert_eq!(code, 2);
    let expected = format!(
        "error: {}:2:34: defaults.thresholds[1]: unknown metric `latency`",
        path.display()
    );
    assert!(stderr.starts_with(&expected), "{stderr}");
    assert!(
        stderr.contains("valid metrics: requests, failures, median"),
        "{stderr}"
    );
    assert!(
        stderr.contains("2 | thresholds = [\"median < 200ms\", \"latency < 5ms\"]"),
        "{stderr}"
    );
}

#[test]
fn an_unknown_key_is_an_error_not_ignored() {
    let (code, stderr, _) = config_error("[scenarios.deployments]\nthreshold = [\"median < 5\"]\n");
    assert_eq!(code, 2);
    assert!(
        stderr.contains(":2:1: scenarios.deployments.threshold: unknown field `threshold`"),
        "{stderr}"
    );
}

#[test]
fn a_rate_without_percent_is_an_error() {
    let (code, stderr, _) = config_error("[defaults]\nthresholds = [\"success_rate >= 99\"]\n");
    assert_eq!(code, 2);
    assert!(
        stderr.contains("defaults.thresholds[0]: `success_rate` is a percentage"),
        "{stderr}"
    );
}

#[test]
fn invalid_toml_is_an_error_with_position() {
    let (code, stderr, path) = config_error("title = \"unterminated\n");
    assert_eq!(code, 2);
    assert!(
        stderr.starts_with(&format!("error: {}:1:", path.display())),
        "{stderr}"
    );
}

#[test]
fn a_percentile_the_data_lacks_lists_the_ones_present() {
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), "[defaults]\nthresholds = [\"p97 < 1s\"]\n");
    let out = tempfile::tempdir().unwrap();
    let run = check(
        &["fixtures/demo", "--config", config.to_str().unwrap()],
        out.path(),
    );
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("defaults.thresholds[0]: the data has no p97 column; percentiles present: p50, p66, p75, p80, p90, p95, p98, p99"), "{}", run.stderr);
    assert_eq!(run.summary.unwrap()["status"], "error");
}

#[test]
fn a_scenario_matching_two_tables_is_a_config_error_naming_both() {
    let (code, stderr, _) = config_error(
        "[scenarios.first]\nmatch = \"scenario1*\"\n[scenarios.all]\nmatch = \"scenario*\"\n",
    );
    assert_eq!(code, 2);
    assert!(
        stderr
            .contains("matches both [scenarios.all] (match = \"scenario*\") and [scenarios.first]"),
        "{stderr}"
    );
}

#[test]
fn a_missing_config_file_is_an_error() {
    let out = tempfile::tempdir().unwrap();
    let run = check(
        &["fixtures/demo", "--config", "no/such/loadgate.toml"],
        out.path(),
    );
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("config file no/such/loadgate.toml does not exist"),
        "{}",
        run.stderr
    );
}

/// Run with `thresholds = [TEXT]` in `[defaults]` (on line 2, the string
/// starting at column 16); return (code, stderr, config path).
fn threshold_error(text: &str) -> (i32, String, std::path::PathBuf) {
    config_error(&format!("[defaults]\nthresholds = [\"{text}\"]\n"))
}

#[test]
fn k6_thresholds_are_errors_with_the_loadgate_spelling() {
    for (k6, loadgate) in [
        ("p(95)<200", "p95 < 200ms"),
        ("p(99.9) < 1s", "p99.9 < 1s"),
        ("med<50", "median < 50ms"),
        ("rate<0.01", "error_rate < 1%"),
        ("http_req_duration: p(95)<200", "p95 < 200ms"),
        ("http_req_failed: rate<0.01", "error_rate < 1%"),
    ] {
        let (code, stderr, path) = threshold_error(k6);
        assert_eq!(code, 2, "{k6}: {stderr}");
        let expected = format!(
            "error: {}:2:16: defaults.thresholds[0]: `{k6}` looks like k6's threshold syntax; loadgate writes it as `{loadgate}`",
            path.display()
        );
        assert!(stderr.starts_with(&expected), "{k6}: {stderr}");
        assert!(
            stderr.contains(&format!(
                "2 | thresholds = [\"{k6}\"]\n  |                ^"
            )),
            "{k6}: {stderr}"
        );
    }
}

#[test]
fn k6_s_avg_is_loadgate_s_avg() {
    let (code, stderr, _) = threshold_error("avg<100000");
    assert_eq!(code, 0, "{stderr}");
}

#[test]
fn per_second_values_with_per_second_are_the_bare_numbers() {
    let out = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(
        dir.path(),
        "[defaults]\nthresholds = [\"rps >= 20/s\", \"failures_per_s < 1000/s\"]\n",
    );
    let run = check(
        &[
            "fixtures/demo/scenario3_connector_scaling_stats.csv",
            "--config",
            config.to_str().unwrap(),
        ],
        out.path(),
    );
    let summary = run.summary.unwrap();
    let checks = scenario(&summary, "scenario3_connector_scaling")["checks"]
        .as_array()
        .unwrap()
        .clone();
    let found: Vec<(&str, &str, f64)> = checks
        .iter()
        .map(|c| {
            (
                c["threshold"].as_str().unwrap(),
                c["unit"].as_str().unwrap(),
                c["target"].as_f64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        found,
        vec![
            ("rps >= 20/s", "/s", 20.0),
            ("failures_per_s < 1000/s", "/s", 1000.0)
        ],
        "{}",
        run.stderr
    );

    let (code, stderr, _) = threshold_error("requests > 5/s");
    assert_eq!(code, 2);
    assert!(
        stderr.contains(":2:28: defaults.thresholds[0]: `requests` takes a bare number, without a unit (found `/s`) in `requests > 5/s`; requests per second is `rps`"),
        "{stderr}"
    );
}

#[test]
fn rate_thresholds_pointing_the_wrong_way_are_errors_at_the_operator() {
    for (text, column, message) in [
        (
            "error_rate > 1%",
            27,
            "`error_rate > 1%` passes only when more than 1% of requests fail; did you mean `error_rate < 1%`?",
        ),
        (
            "error_rate >= 1%",
            27,
            "`error_rate >= 1%` passes only when at least 1% of requests fail; did you mean `error_rate <= 1%`?",
        ),
        (
            "success_rate < 99%",
            29,
            "`success_rate < 99%` passes only when fewer than 99% of requests succeed; did you mean `success_rate > 99%`?",
        ),
        (
            "success_rate <= 99%",
            29,
            "`success_rate <= 99%` passes only when at most 99% of requests succeed; did you mean `success_rate >= 99%`?",
        ),
    ] {
        let (code, stderr, path) = threshold_error(text);
        assert_eq!(code, 2, "{text}: {stderr}");
        let expected = format!(
            "error: {}:2:{column}: defaults.thresholds[0]: {message}\n",
            path.display()
        );
        assert!(stderr.starts_with(&expected), "{text}: {stderr}");
        let caret = format!("  |{}^", " ".repeat(column));
        assert!(stderr.contains(&caret), "{text}: {stderr}");
    }
}

#[test]
fn a_rate_without_percent_suggests_the_percentage() {
    for (text, column, hint) in [
        ("error_rate < 1", 30, "did you mean `error_rate < 1%`?"),
        (
            "success_rate >= 0.99",
            36,
            "did you mean `success_rate >= 99%`? (loadgate's rates are percentages, not fractions: 0.99 is 99%)",
        ),
    ] {
        let (code, stderr, path) = threshold_error(text);
        assert_eq!(code, 2, "{text}: {stderr}");
        let expected = format!(
            "error: {}:2:{column}: defaults.thresholds[0]: `{}` is a percentage: write the value with `%` in `{text}`; {hint}\n",
            path.display(),
            text.split(' ').next().unwrap()
        );
        assert!(stderr.starts_with(&expected), "{text}: {stderr}");
    }
}
