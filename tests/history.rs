//! History-aware checks on real runs with a 20 s stall (fixtures/history):
//! sustained windows, the steady part, and data sanity.

use crate::util::{check, scenario};

const CONFIG: &str = "fixtures/history/loadgate.toml";

fn checks(summary: &serde_json::Value) -> Vec<serde_json::Value> {
    scenario(summary, "checkout_api")["checks"]
        .as_array()
        .unwrap()
        .clone()
}

#[test]
fn a_stall_hidden_by_the_whole_run_numbers_fails_a_window_check() {
    let out = tempfile::tempdir().unwrap();
    let run = check(
        &["fixtures/history/stall_full", "--config", CONFIG],
        out.path(),
    );
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    let summary = run.summary.unwrap();
    let all = checks(&summary);
    // The whole-run thresholds pass...
    for text in [
        "median < 200ms",
        "p95 < 1s",
        "success_rate >= 99%",
        "rps.steady >= 20",
    ] {
        let c = all.iter().find(|c| c["threshold"] == text).unwrap();
        assert_eq!(c["passed"], true, "{text}: {c}");
    }
    // ...the windowed one catches the stall, and names the stretch.
    let window = all
        .iter()
        .find(|c| c["kind"] == "window" && c["endpoint"].is_null())
        .unwrap();
    assert_eq!(window["passed"], false);
    let stretch = &window["window"]["stretch"];
    let (start, duration) = (
        stretch["start_offset_s"].as_i64().unwrap(),
        stretch["duration_s"].as_i64().unwrap(),
    );
    // The target stalled from about 50 s to 70 s; the 10 s window lags behind it.
    assert!((45..=60).contains(&start), "stretch starts {start} s in");
    assert!(duration >= 20, "{duration} s");
    assert!(stretch["worst"].as_f64().unwrap() >= 600.0);
    assert_eq!(window["window"]["window_s"], 10);
    let message = window["message"].as_str().unwrap();
    assert!(message.starts_with("p95 broke < 300 ms for "), "{message}");
    assert!(
        run.stdout.contains("checkout_api: p95 broke < 300 ms for"),
        "{}",
        run.stdout
    );
    // The endpoint table's window check follows that endpoint's own rows.
    let endpoint = all
        .iter()
        .find(|c| c["kind"] == "window" && c["endpoint"] == "GET /api/health")
        .unwrap();
    assert_eq!(endpoint["passed"], false);
}

#[test]
fn a_window_that_is_never_broken_long_enough_passes() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("loadgate.toml");
    // The stall lasts about 30 s in the windowed p95; a 1 min window allows it.
    std::fs::write(
        &config,
        "[defaults]\nthresholds = [\"p95 < 300ms for 1m\", \"rps >= 5 for 10s\"]\n",
    )
    .unwrap();
    let out = tempfile::tempdir().unwrap();
    let run = check(
        &[
            "fixtures/history/stall_full",
            "--config",
            config.to_str().unwrap(),
        ],
        out.path(),
    );
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let summary = run.summary.unwrap();
    let window = checks(&summary)
        .into_iter()
        .find(|c| c["threshold"] == "p95 < 300ms for 1m")
        .unwrap();
    assert_eq!(window["passed"], true);
    assert!(
        window["window"]["stretch"]["duration_s"].as_i64().unwrap() >= 20,
        "the longest stretch is still reported"
    );
}

#[test]
fn a_percentile_window_on_cumulative_history_is_an_error_that_says_how_to_fix_it() {
    let out = tempfile::tempdir().unwrap();
    let run = check(
        &["fixtures/history/stall_cumulative", "--config", CONFIG],
        out.path(),
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("defaults.thresholds[3]: `p95 < 300ms for 10s` needs windowed percentiles, but this history's are cumulative since the start of the run; re-run Locust with --csv-full-history"),
        "{}",
        run.stderr
    );
}

#[test]
fn steady_throughput_is_not_dragged_down_by_the_ramp_up() {
    let out = tempfile::tempdir().unwrap();
    let run = check(
        &["fixtures/history/stall_full", "--config", CONFIG],
        out.path(),
    );
    let summary = run.summary.unwrap();
    let s = scenario(&summary, "checkout_api");
    let whole = s["totals"]["rps"].as_f64().unwrap();
    let steady = &s["steady"];
    let steady_rps = steady["rps"].as_f64().unwrap();
    // 30 users ramped up at 1.5/s: the first 20 s run below full load.
    assert!(
        (15..=25).contains(&steady["start_offset_s"].as_i64().unwrap()),
        "{steady}"
    );
    assert!(
        steady_rps > whole * 1.05,
        "steady {steady_rps} vs whole-run {whole}"
    );
    assert!(steady["rule"].as_str().unwrap().starts_with("auto"));
    // Both are reported side by side.
    let md = std::fs::read_to_string(out.path().join("report.md")).unwrap();
    assert!(md.contains("| Throughput | Steady throughput |"), "{md}");

    // With the whole run as the steady part, it is the whole-run mean again.
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("loadgate.toml");
    std::fs::write(
        &config,
        "[defaults]\nthresholds = [\"rps.steady > 0\"]\nsteady_state = \"all\"\n",
    )
    .unwrap();
    let run = check(
        &[
            "fixtures/history/stall_full",
            "--config",
            config.to_str().unwrap(),
        ],
        out.path(),
    );
    let summary = run.summary.unwrap();
    let s = scenario(&summary, "checkout_api");
    assert_eq!(s["steady"]["start_offset_s"], 0);
    let all_rps = s["steady"]["rps"].as_f64().unwrap();
    assert!(
        (all_rps - whole).abs() / whole < 0.05,
        "{all_rps} vs {whole}"
    );
}

/// Run on a fixture folder and return the data warnings.
fn data_warnings(path: &str, config: Option<&str>) -> Vec<String> {
    let out = tempfile::tempdir().unwrap();
    let mut args = vec![path, "--no-fail"];
    if let Some(c) = config {
        args.extend(["--config", c]);
    }
    let run = check(&args, out.path());
    assert_ne!(run.code, 2, "{}", run.stderr);
    run.summary.unwrap()["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["warnings"].as_array().unwrap().clone())
        .map(|w| w.as_str().unwrap().to_string())
        .filter(|w| w.starts_with("data: "))
        .collect()
}

#[test]
fn each_sanity_rule_trips_on_its_fixture() {
    for (case, expected) in [
        (
            "sanity_rps_mismatch",
            "the history spans 44 s but the totals give 21.9 s (1,069 requests at 48.79/s); loadgate judges 21.9 s",
        ),
        (
            "sanity_history_totals",
            "the history's last row counts 1 requests and 13 failures, _stats.csv 1,069 and 13",
        ),
        ("sanity_time_backwards", "time goes backwards"),
        ("sanity_history_gap", "no history for 16 s before this row"),
        (
            "sanity_percentiles_not_monotonic",
            "total: p95 20 ms is above p99 13 ms",
        ),
        (
            "sanity_failures_sum",
            "_failures.csv lists 20 failures, _stats.csv counts 13",
        ),
    ] {
        let warnings = data_warnings(&format!("fixtures/variants/{case}"), None);
        assert_eq!(warnings.len(), 1, "{case}: {warnings:?}");
        assert!(warnings[0].contains(expected), "{case}: {warnings:?}");
    }
}

#[test]
fn clean_complete_runs_trip_no_sanity_rule() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("loadgate.toml");
    std::fs::write(&config, "[defaults]\nthresholds = []\n").unwrap();
    for path in [
        "fixtures/demo/scenario1_concurrent_deployments_stats.csv",
        "fixtures/demo/scenario2_cab_approvals_stats.csv",
        "fixtures/demo/scenario3_connector_scaling_stats.csv",
        "fixtures/history/stall_full",
        "fixtures/baseline/base",
    ] {
        let warnings = data_warnings(path, Some(config.to_str().unwrap()));
        assert!(warnings.is_empty(), "{path}: {warnings:?}");
    }
}

#[test]
fn a_user_count_below_the_configured_one_is_a_finding_and_strict_data_fails_it() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("loadgate.toml");
    std::fs::write(
        &config,
        "[defaults]\nthresholds = []\n[scenarios.c]\nmatch = \"checkout_api\"\nusers = 100\n",
    )
    .unwrap();
    let warnings = data_warnings(
        "fixtures/history/stall_full",
        Some(config.to_str().unwrap()),
    );
    assert_eq!(
        warnings,
        vec![
            "data: checkout_api: the user count peaked at 30 but the scenario is configured for users = 100"
        ]
    );

    std::fs::write(&config, "[defaults]\nthresholds = []\nstrict_data = true\n[scenarios.c]\nmatch = \"checkout_api\"\nusers = 100\n").unwrap();
    let out = tempfile::tempdir().unwrap();
    let run = check(
        &[
            "fixtures/history/stall_full",
            "--config",
            config.to_str().unwrap(),
        ],
        out.path(),
    );
    assert_eq!(run.code, 1);
    let summary = run.summary.unwrap();
    let c = &checks(&summary)[0];
    assert_eq!(c["kind"], "data_sanity");
    assert_eq!(c["passed"], false);
    assert!(
        run.stdout.contains("the user count peaked at 30"),
        "{}",
        run.stdout
    );
}
