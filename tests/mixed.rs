//! A results folder holding several tools' files: Locust, a JMeter JTL, a
//! k6 summary and stream, an Artillery report. One report and one verdict;
//! the same config judges each (per-endpoint globs, windows on the raw
//! formats) and a baseline compares each; each scenario names its tool.

use serde_json::Value;

use crate::util::{beside_a_locust_set, check, scenario, scenario_tools};

const CONFIG: &str = r#"
[defaults]
thresholds = ["p95 < 10s", "success_rate >= 50%"]

[scenarios.orders]
match = "orders"
thresholds = ["p95 < 10s for 2s"]
[[scenarios.orders.endpoint]]
name = "list *"
thresholds = ["p95 < 1ms"]

[scenarios.stream]
match = "stream"
thresholds = ["p95 < 10s for 2s"]
[[scenarios.stream.endpoint]]
name = "place *"
thresholds = ["p95 < 1ms"]

[scenarios.api]
match = "api"
[[scenarios.api.endpoint]]
name = "place *"
thresholds = ["p95 < 1ms"]

[scenarios.browse]
match = "browse"
[[scenarios.browse.endpoint]]
name = "*deployments"
thresholds = ["p95 < 1ms"]

[scenarios.deploy]
match = "scenario1_*"
[[scenarios.deploy.endpoint]]
name = "/api/deployments*"
thresholds = ["p95 < 1ms"]
"#;

/// The mixed folder, with its config.
fn mixed() -> tempfile::TempDir {
    let dir = beside_a_locust_set(&[
        ("jmeter/checkout.jtl", "orders.jtl"),
        ("k6/checkout_summary.k6-summary.json", "api.k6-summary.json"),
        // A stream of one k6 scenario (a stream of several is one scenario each).
        ("k6/failing.k6.ndjson", "stream.k6.ndjson"),
        ("artillery/checkout.artillery.json", "browse.artillery.json"),
    ]);
    std::fs::write(dir.path().join("loadgate.toml"), CONFIG).unwrap();
    dir
}

fn checks(s: &Value) -> &Vec<Value> {
    s["checks"].as_array().expect("checks")
}

/// The endpoint's p95 as summary.json reports it.
fn endpoint_p95(s: &Value, label: &str) -> f64 {
    s["endpoints"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| {
            let method = e["method"].as_str().unwrap();
            let name = e["name"].as_str().unwrap();
            label == name || label == format!("{method} {name}")
        })
        .unwrap_or_else(|| panic!("endpoint {label} in {}", s["endpoints"]))["percentiles_ms"]["95"]
        .as_f64()
        .unwrap()
}

#[test]
fn one_folder_of_four_tools_files_gives_one_report_and_one_verdict() {
    let dir = mixed();
    let out = tempfile::tempdir().unwrap();
    let run = check(&[dir.path().to_str().unwrap()], out.path());
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    let summary = run.summary.unwrap();
    assert_eq!(
        scenario_tools(&summary),
        [
            ("api", "k6"),
            ("browse", "artillery"),
            ("orders", "jmeter"),
            ("scenario1_concurrent_deployments", "locust"),
            ("stream", "k6"),
        ]
    );
    assert_eq!(summary["status"], "failed");
    assert_eq!(summary["counts"]["scenarios_complete"], 5);

    // Every scenario: the defaults pass, the glob picks its endpoints and
    // fails each with that endpoint's own p95.
    let globbed = [
        ("api", vec!["place order"]),
        // Artillery's names lose the origin; the named POST is `URL (name)`.
        ("browse", vec!["/api/deployments"]),
        ("orders", vec!["list deployments"]),
        (
            "scenario1_concurrent_deployments",
            vec![
                "GET /api/deployments",
                "POST /api/deployments",
                "GET /api/deployments/[id]",
            ],
        ),
        ("stream", vec!["POST place order"]),
    ];
    for (name, endpoints) in globbed {
        let s = scenario(&summary, name);
        assert_eq!(s["status"], "failed", "{name}: {}", s["checks"]);
        let endpoint_checks: Vec<&Value> = checks(s)
            .iter()
            .filter(|c| c["threshold"] == "p95 < 1ms" && !c["endpoint"].is_null())
            .collect();
        assert!(!endpoint_checks.is_empty(), "{name}: {}", s["checks"]);
        for c in &endpoint_checks {
            let label = c["endpoint"].as_str().unwrap();
            assert_eq!(c["passed"], false, "{name}: {c}");
            assert_eq!(c["actual"].as_f64(), Some(endpoint_p95(s, label)), "{c}");
        }
        let labels: Vec<&str> = endpoint_checks
            .iter()
            .map(|c| c["endpoint"].as_str().unwrap())
            .collect();
        assert_eq!(labels, endpoints, "{name}");
        assert!(
            checks(s)
                .iter()
                .filter(|c| c["endpoint"].is_null() && c["kind"] == "threshold")
                .all(|c| c["passed"] == true),
            "{name}: {}",
            s["checks"]
        );
    }
    // Windows follow the per-second history of the raw formats.
    for name in ["orders", "stream"] {
        let window = checks(scenario(&summary, name))
            .iter()
            .find(|c| c["kind"] == "window")
            .unwrap_or_else(|| panic!("{name}: a window check"));
        assert_eq!(window["passed"], true, "{window}");
    }
    // One report names each scenario's tool, the terminal table too.
    let md = std::fs::read_to_string(out.path().join("report.md")).unwrap();
    for tool in [
        "Load tool: JMeter",
        "Load tool: k6",
        "Load tool: Artillery",
        "Load tool: Locust",
    ] {
        assert!(md.contains(tool), "{tool} in report.md");
    }
    let row = run
        .stdout
        .lines()
        .find(|l| l.contains("orders"))
        .unwrap_or_else(|| panic!("{}", run.stdout));
    assert!(row.contains("JMeter"), "{row}");
}

#[test]
fn a_mixed_folder_is_compared_with_its_baseline_tool_by_tool() {
    let dir = mixed();
    let base_out = tempfile::tempdir().unwrap();
    let base = check(&[dir.path().to_str().unwrap()], base_out.path());
    assert_eq!(base.code, 1, "{}", base.stderr);
    // The same results against the baseline folder: every scenario
    // compared, nothing regressed.
    for baseline in [
        dir.path().to_path_buf(),
        base_out.path().join("summary.json"),
    ] {
        let out = tempfile::tempdir().unwrap();
        let run = check(
            &[
                dir.path().to_str().unwrap(),
                "--baseline",
                baseline.to_str().unwrap(),
            ],
            out.path(),
        );
        assert_eq!(run.code, 1, "{}", run.stderr);
        let summary = run.summary.unwrap();
        assert_eq!(summary["counts"]["regressions"], 0);
        for s in summary["scenarios"].as_array().unwrap() {
            let compared = s["comparisons"].as_array().expect("comparisons");
            assert!(compared.len() >= 5, "{}: {compared:?}", s["name"]);
            assert!(
                compared.iter().all(|c| c["verdict"] == "unchanged"),
                "{}",
                s["name"]
            );
        }
        // Why a rank test did not run is said in the tool's own terms.
        let notes: Vec<&str> = summary["scenarios"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|s| s["no_rank_test"].as_str())
            .collect();
        let from_folder = baseline.is_dir();
        for note in &notes {
            assert!(
                !note.contains("Locust") || note.contains("Locust writes them"),
                "{note}"
            );
        }
        assert!(
            notes.iter().any(|n| n.contains("k6's end-of-test summary")),
            "{notes:?}"
        );
        assert_eq!(
            notes
                .iter()
                .any(|n| n.contains("a summary.json keeps none")),
            !from_folder,
            "{notes:?}"
        );
    }
}
