//! The bundled demo: three complete scenarios and a burst run killed mid-way.

use crate::util::{check, csv_rows, fixture, loadgate, scenario};

const DEMO_SCENARIOS: [&str; 4] = [
    "scenario1_concurrent_deployments",
    "scenario2_cab_approvals",
    "scenario3_connector_scaling",
    "scenario4_burst_load",
];

fn num(v: &serde_json::Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("{v} is a number"))
}

/// Compare a summary stats object with a Locust stats row, exactly.
fn assert_same_numbers(
    json: &serde_json::Value,
    row: &std::collections::HashMap<String, String>,
    what: &str,
) {
    let requests: u64 = row["Request Count"].parse().unwrap();
    let failures: u64 = row["Failure Count"].parse().unwrap();
    assert_eq!(json["requests"].as_u64(), Some(requests), "{what} requests");
    assert_eq!(json["failures"].as_u64(), Some(failures), "{what} failures");
    for (field, column) in [
        ("rps", "Requests/s"),
        ("failures_per_s", "Failures/s"),
        ("median_ms", "Median Response Time"),
        ("avg_ms", "Average Response Time"),
        ("min_ms", "Min Response Time"),
        ("max_ms", "Max Response Time"),
    ] {
        let expected: f64 = row[column].parse().unwrap();
        if requests == 0 && field != "rps" && field != "failures_per_s" {
            continue;
        }
        assert_eq!(num(&json[field]), expected, "{what} {field}");
    }
    for (column, value) in row.iter().filter(|(c, _)| c.ends_with('%')) {
        let label = column.trim_end_matches('%');
        let got = &json["percentiles_ms"][label];
        if value == "N/A" {
            assert!(got.is_null(), "{what} {column} is N/A");
        } else {
            assert_eq!(num(got), value.parse::<f64>().unwrap(), "{what} {column}");
        }
    }
    if requests > 0 {
        let rate = (requests - failures) as f64 * 100.0 / requests as f64;
        assert_eq!(num(&json["success_rate"]), rate, "{what} success_rate");
    }
}

#[test]
fn summary_reports_locusts_exact_numbers_for_totals_and_endpoints() {
    let out = tempfile::tempdir().unwrap();
    let run = check(&["fixtures/demo"], out.path());
    let summary = run.summary.expect("summary.json written");
    for name in DEMO_SCENARIOS {
        let rows = csv_rows(&fixture(&format!("demo/{name}_stats.csv")));
        let s = scenario(&summary, name);
        let total = rows
            .iter()
            .find(|r| r["Name"] == "Aggregated" && r["Type"].is_empty())
            .unwrap();
        assert_same_numbers(&s["totals"], total, name);
        let endpoints = s["endpoints"].as_array().unwrap();
        assert_eq!(
            endpoints.len(),
            rows.len() - 1,
            "{name}: every endpoint row"
        );
        for (json, row) in endpoints.iter().zip(rows.iter()) {
            assert_eq!(json["method"], row["Type"].as_str());
            assert_eq!(json["name"], row["Name"].as_str());
            assert_same_numbers(json, row, &format!("{name} {}", row["Name"]));
        }
    }
}

#[test]
fn duration_and_peak_users_come_from_the_history() {
    let out = tempfile::tempdir().unwrap();
    let summary = check(&["fixtures/demo"], out.path()).summary.unwrap();
    for name in &DEMO_SCENARIOS[..3] {
        let rows = csv_rows(&fixture(&format!("demo/{name}_stats_history.csv")));
        let agg: Vec<_> = rows.iter().filter(|r| r["Name"] == "Aggregated").collect();
        let first: i64 = agg.first().unwrap()["Timestamp"].parse().unwrap();
        let last: i64 = agg.last().unwrap()["Timestamp"].parse().unwrap();
        let peak: u64 = agg
            .iter()
            .map(|r| r["User Count"].parse::<u64>().unwrap())
            .max()
            .unwrap();
        let s = scenario(&summary, name);
        assert_eq!(s["duration_s"].as_i64(), Some(last - first), "{name}");
        assert_eq!(s["peak_users"].as_u64(), Some(peak), "{name}");
        assert!(s["started_at"].as_str().unwrap().ends_with('Z'));
    }
}

#[test]
fn history_percentiles_say_whether_they_are_cumulative() {
    let out = tempfile::tempdir().unwrap();
    let summary = check(&["fixtures/demo"], out.path()).summary.unwrap();
    // scenario3 ran with --csv-full-history, the others without.
    assert_eq!(
        scenario(&summary, "scenario3_connector_scaling")["history_percentiles"],
        "windowed"
    );
    assert_eq!(
        scenario(&summary, "scenario1_concurrent_deployments")["history_percentiles"],
        "cumulative"
    );
}

#[test]
fn crashed_burst_run_fails_the_gate_as_incomplete() {
    let out = tempfile::tempdir().unwrap();
    let run = check(&["fixtures/demo"], out.path());
    assert_eq!(
        run.code, 1,
        "stdout:\n{}\nstderr:\n{}",
        run.stdout, run.stderr
    );
    let summary = run.summary.unwrap();
    assert_eq!(summary["status"], "failed");
    let burst = scenario(&summary, "scenario4_burst_load");
    assert_eq!(burst["status"], "incomplete");
    let check = burst["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["kind"] == "min_duration")
        .expect("a min_duration check");
    assert_eq!(check["passed"], false);
    let duration = burst["duration_s"].as_i64().unwrap();
    assert_eq!(
        check["message"],
        format!("ran {duration} s of the required 4 min")
    );
    assert!(
        run.stdout.contains("INCOMPLETE  scenario4_burst_load"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains(&format!(
        "scenario4_burst_load: ran {duration} s of the required 4 min"
    )));
    assert!(
        run.stderr.contains("exit code 1: the gate failed"),
        "{}",
        run.stderr
    );
    // The killed run's history ends in a cut-off line: a warning, not an error.
    assert!(summary["errors"].as_array().unwrap().is_empty());
}

#[test]
fn the_complete_demo_scenarios_pass_their_targets() {
    let out = tempfile::tempdir().unwrap();
    let summary = check(&["fixtures/demo"], out.path()).summary.unwrap();
    for name in &DEMO_SCENARIOS[..3] {
        assert_eq!(scenario(&summary, name)["status"], "passed", "{name}");
    }
    let counts = &summary["counts"];
    assert_eq!(counts["scenarios_expected"], 4);
    assert_eq!(counts["scenarios_executed"], 4);
    assert_eq!(counts["scenarios_complete"], 3);
}

#[test]
fn no_fail_reports_a_failed_gate_with_exit_zero() {
    let out = tempfile::tempdir().unwrap();
    let run = check(&["fixtures/demo", "--no-fail"], out.path());
    assert_eq!(run.code, 0);
    assert_eq!(run.summary.unwrap()["status"], "failed");
    assert!(
        run.stdout.contains("FAILED — 3 of 4 scenarios complete"),
        "{}",
        run.stdout
    );
}

#[test]
fn quiet_prints_only_the_failures() {
    let out = tempfile::tempdir().unwrap();
    let run = check(&["fixtures/demo", "--quiet"], out.path());
    assert_eq!(run.code, 1);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert!(!lines.is_empty());
    assert!(
        lines.iter().all(|l| l.starts_with("  ✗ ")),
        "{}",
        run.stdout
    );
    assert!(run.stderr.is_empty(), "{}", run.stderr);
}

#[test]
fn summary_is_byte_identical_for_the_same_source_date_epoch() {
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    for out in [&a, &b] {
        loadgate()
            .env("SOURCE_DATE_EPOCH", "1769040000")
            .args(["check", "fixtures/demo", "--out"])
            .arg(out.path())
            .assert()
            .code(1);
    }
    let first = std::fs::read(a.path().join("summary.json")).unwrap();
    let second = std::fs::read(b.path().join("summary.json")).unwrap();
    assert_eq!(first, second);
    let summary: serde_json::Value = serde_json::from_slice(&first).unwrap();
    assert_eq!(summary["generated_at"], "2026-01-22T00:00:00Z");
    assert_eq!(summary["schema"], "loadgate/summary/v1");
}

#[test]
fn an_invalid_source_date_epoch_is_an_error() {
    let out = tempfile::tempdir().unwrap();
    loadgate()
        .env("SOURCE_DATE_EPOCH", "yesterday")
        .args(["check", "fixtures/demo", "--out"])
        .arg(out.path())
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "SOURCE_DATE_EPOCH must be a Unix time",
        ));
}

#[test]
fn no_colours_when_stdout_is_not_a_terminal() {
    let out = tempfile::tempdir().unwrap();
    let output = loadgate()
        .env_remove("NO_COLOR")
        .args(["check", "fixtures/demo", "--out"])
        .arg(out.path())
        .output()
        .unwrap();
    assert!(
        !output.stdout.contains(&0x1b),
        "no escape codes in piped output"
    );
    assert!(!output.stderr.contains(&0x1b));
}

#[test]
fn endpoint_names_with_commas_quotes_and_markup_survive_intact() {
    let out = tempfile::tempdir().unwrap();
    let run = check(&["fixtures/edge", "--no-fail"], out.path());
    assert_ne!(run.code, 2, "{}", run.stderr);
    let summary = run.summary.unwrap();
    let s = scenario(&summary, "edge_names");
    let rows = csv_rows(&fixture("edge/edge_names_stats.csv"));
    let names: Vec<&str> = s["endpoints"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].as_str().unwrap())
        .collect();
    let expected: Vec<&str> = rows
        .iter()
        .filter(|r| r["Name"] != "Aggregated")
        .map(|r| r["Name"].as_str())
        .collect();
    assert_eq!(names, expected);
    assert!(
        names.iter().any(|n| n.contains(',')),
        "a name with a comma: {names:?}"
    );
    assert!(
        names.iter().any(|n| n.contains('"')),
        "a name with a quote: {names:?}"
    );
    // Extra percentile columns configured in the locustfile are read.
    assert!(s["totals"]["percentiles_ms"].get("99.9").is_some());
}

#[test]
fn help_documents_the_exit_codes() {
    loadgate()
        .args(["check", "--help"])
        .assert()
        .success()
        .stdout(predicates::str::contains("Exit codes:"))
        .stdout(predicates::str::contains("2  loadgate could not judge"));
}

#[test]
fn a_pattern_that_matches_nothing_suggests_the_closest_names() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("c.toml");
    std::fs::write(
        &config,
        "[scenarios.deploy]\nmatch = \"scenario1_concurent_deployments\"\nrequired = true\n\
         [scenarios.cab]\nmatch = \"scenario2_cab_approvals\"\n\
         [[scenarios.cab.endpoint]]\nname = \"/api/cab/request\"\nthresholds = [\"p99 < 1s\"]\n",
    )
    .unwrap();
    let run = check(
        &["fixtures/demo", "--config", config.to_str().unwrap()],
        &dir.path().join("out"),
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stdout
            .contains("did you mean `scenario1_concurrent_deployments`?"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("did you mean `/api/cab/requests`"),
        "{}",
        run.stdout
    );
}
