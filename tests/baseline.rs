//! `--baseline` and `loadgate compare` on real runs: a baseline, an unchanged
//! re-run, and a run against a target slowed by 40 ms (fixtures/baseline).

use crate::util::{check, loadgate, scenario};

const CONFIG: &str = "fixtures/baseline/loadgate.toml";

fn comparisons(summary: &serde_json::Value) -> Vec<serde_json::Value> {
    scenario(summary, "checkout_api")["comparisons"]
        .as_array()
        .expect("comparisons with --baseline")
        .clone()
}

fn regressed(summary: &serde_json::Value) -> Vec<(String, String)> {
    comparisons(summary)
        .iter()
        .filter(|c| c["verdict"] == "regressed")
        .map(|c| {
            (
                c["endpoint"].as_str().unwrap_or("total").to_string(),
                c["metric"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn an_unchanged_rerun_passes_against_its_baseline() {
    let out = tempfile::tempdir().unwrap();
    let run = check(
        &[
            "fixtures/baseline/rerun",
            "--baseline",
            "fixtures/baseline/base",
            "--config",
            CONFIG,
        ],
        out.path(),
    );
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let summary = run.summary.unwrap();
    assert_eq!(summary["counts"]["regressions"], 0);
    assert_eq!(summary["baseline"]["source"], "fixtures/baseline/base");
    let cs = comparisons(&summary);
    // Totals and three endpoints, five tolerances each.
    assert_eq!(cs.len(), 4 * 5);
    let total_median = cs
        .iter()
        .find(|c| c["endpoint"].is_null() && c["metric"] == "median")
        .unwrap();
    let p = total_median["significance"]["p_value"].as_f64().unwrap();
    assert!(
        p > 0.01,
        "an unchanged system shows no significant shift: p = {p}"
    );
    assert!(
        run.stdout.contains("no regression against the baseline"),
        "{}",
        run.stdout
    );
}

#[test]
fn a_slowed_target_fails_with_the_regressed_metrics_named() {
    let out = tempfile::tempdir().unwrap();
    let run = check(
        &[
            "fixtures/baseline/slow",
            "--baseline",
            "fixtures/baseline/base",
            "--config",
            CONFIG,
        ],
        out.path(),
    );
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    let summary = run.summary.unwrap();
    let names = regressed(&summary);
    for metric in ["median", "p95", "p99"] {
        assert!(
            names.contains(&("total".to_string(), metric.to_string())),
            "{metric}: {names:?}"
        );
    }
    assert!(
        !names.iter().any(|(_, m)| m == "rps" || m == "success_rate"),
        "{names:?}"
    );
    assert_eq!(
        summary["counts"]["regressions"].as_u64().unwrap() as usize,
        names.len()
    );
    assert_eq!(summary["status"], "failed");
    assert_eq!(scenario(&summary, "checkout_api")["status"], "failed");
    // The terminal names them, with the rank test.
    assert!(
        run.stdout.contains("Regressions against the baseline"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("checkout_api: median "),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("(slower, P(slower) = 1.00, p < 0.0001)"),
        "{}",
        run.stdout
    );
    // Every output shows the same verdicts.
    let md = std::fs::read_to_string(out.path().join("report.md")).unwrap();
    assert!(md.contains("## Compared with baseline"));
    assert!(
        md.contains(&format!(
            "**{} of 20 compared metrics regressed.**",
            names.len()
        )),
        "{md}"
    );
    let junit = std::fs::read_to_string(out.path().join("junit.xml")).unwrap();
    assert_eq!(junit.matches("type=\"regression\"").count(), names.len());
    assert!(
        out.path()
            .join("charts/checkout_api-baseline.svg")
            .is_file()
    );
}

#[test]
fn a_summary_json_baseline_gives_the_same_verdicts_as_its_folder() {
    let base_out = tempfile::tempdir().unwrap();
    let base = check(
        &[
            "fixtures/baseline/base",
            "--config",
            CONFIG,
            "--format",
            "json",
        ],
        base_out.path(),
    );
    assert_eq!(base.code, 0, "{}", base.stderr);
    let summary_path = base_out.path().join("summary.json");
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let from_json = check(
        &[
            "fixtures/baseline/slow",
            "--baseline",
            summary_path.to_str().unwrap(),
            "--config",
            CONFIG,
        ],
        a.path(),
    );
    let from_folder = check(
        &[
            "fixtures/baseline/slow",
            "--baseline",
            "fixtures/baseline/base",
            "--config",
            CONFIG,
        ],
        b.path(),
    );
    assert_eq!(from_json.code, 1);
    let (sj, sf) = (from_json.summary.unwrap(), from_folder.summary.unwrap());
    assert_eq!(regressed(&sj), regressed(&sf));
    // Same numbers; only the folder has the histograms for the rank test.
    for (x, y) in comparisons(&sj).iter().zip(comparisons(&sf).iter()) {
        assert_eq!(x["baseline"], y["baseline"]);
        assert_eq!(x["current"], y["current"]);
        assert!(x.get("significance").is_none());
    }
    assert!(
        sj["baseline"]["title"]
            .as_str()
            .unwrap()
            .contains("checkout_api")
    );
}

#[test]
fn compare_prints_the_table_and_exits_one_on_a_regression() {
    let output = loadgate()
        .args([
            "compare",
            "fixtures/baseline/base",
            "fixtures/baseline/slow",
            "--config",
            CONFIG,
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(stdout.contains("SCENARIO      ENDPOINT"), "{stdout}");
    assert!(stdout.contains("REGRESSED (+15%)"), "{stdout}");
    assert!(
        stdout.contains("REGRESSED: 12 of 20 compared metrics."),
        "{stdout}"
    );
    loadgate()
        .args([
            "compare",
            "fixtures/baseline/base",
            "fixtures/baseline/rerun",
            "--config",
            CONFIG,
        ])
        .assert()
        .code(0)
        .stdout(predicates::str::contains(
            "No regression: 20 metrics compared.",
        ));
}

#[test]
fn a_baseline_that_is_not_a_summary_is_an_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let bogus = dir.path().join("other.json");
    std::fs::write(&bogus, "{\"name\": \"not loadgate\"}").unwrap();
    let out = tempfile::tempdir().unwrap();
    let run = check(
        &[
            "fixtures/baseline/rerun",
            "--baseline",
            bogus.to_str().unwrap(),
            "--config",
            CONFIG,
        ],
        out.path(),
    );
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains(&format!("{}: not a loadgate summary.json", bogus.display())),
        "{}",
        run.stderr
    );
    let future = dir.path().join("summary.json");
    std::fs::write(
        &future,
        "{\"schema\": \"loadgate/summary/v2\", \"scenarios\": []}",
    )
    .unwrap();
    let run = check(
        &[
            "fixtures/baseline/rerun",
            "--baseline",
            future.to_str().unwrap(),
        ],
        out.path(),
    );
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("summary schema `loadgate/summary/v2` is not supported"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_baseline_without_matching_scenarios_is_a_warning() {
    let out = tempfile::tempdir().unwrap();
    let run = check(
        &[
            "fixtures/baseline/rerun",
            "--baseline",
            "fixtures/demo",
            "--config",
            CONFIG,
            "--no-fail",
        ],
        out.path(),
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("has none of this run's scenarios, so nothing was compared"),
        "{}",
        run.stderr
    );
    let summary = run.summary.unwrap();
    assert_eq!(summary["baseline"]["new_scenarios"][0], "checkout_api");
    assert_eq!(
        summary["baseline"]["vanished_scenarios"]
            .as_array()
            .unwrap()
            .len(),
        4
    );
}

#[test]
fn without_a_regression_table_the_builtin_tolerances_are_announced() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("loadgate.toml");
    std::fs::write(&config, "[defaults]\nthresholds = []\n").unwrap();
    let out = tempfile::tempdir().unwrap();
    let run = check(
        &[
            "fixtures/baseline/rerun",
            "--baseline",
            "fixtures/baseline/base",
            "--config",
            config.to_str().unwrap(),
        ],
        out.path(),
    );
    assert!(run.stderr.contains("built-in regression tolerances in use (median +10%, p95 +10%, p99 +15%, rps -10%, success_rate -0.5, noise floor 2 ms)"), "{}", run.stderr);
}
