//! Artillery 2 JSON reports: real Artillery 2.0.21 output in
//! `fixtures/artillery/` (made by `fixtures/gen/generate_artillery.sh`).
//! Each report's summary.json equals the report's own aggregate figures,
//! read here independently as plain JSON; thresholds and windows judge it;
//! a report sits beside a Locust set in one report.

use crate::util::{beside_a_locust_set, check, fixture, scenario, scenario_tools};

const FIXTURES: [&str; 2] = ["checkout", "slow"];
const PLUGIN: &str = "plugins.metrics-by-endpoint.";

fn report(name: &str) -> serde_json::Value {
    let text =
        std::fs::read_to_string(fixture(&format!("artillery/{name}.artillery.json"))).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// (requests, failures) from counters with these key prefixes for codes and errors.
fn counts(
    counters: &serde_json::Map<String, serde_json::Value>,
    codes: &str,
    errors: &str,
) -> (u64, u64) {
    let (mut answered, mut failed) = (0, 0);
    for (k, v) in counters {
        let n = v.as_u64().unwrap();
        if let Some(code) = k.strip_prefix(codes) {
            answered += n;
            if code.parse::<u16>().unwrap() >= 400 {
                failed += n;
            }
        } else if k.starts_with(errors) {
            answered += n;
            failed += n;
        }
    }
    (answered, failed)
}

fn assert_summary(json: &serde_json::Value, summary: &serde_json::Value, what: &str) {
    for (ours, theirs) in [
        ("min_ms", "min"),
        ("max_ms", "max"),
        ("avg_ms", "mean"),
        ("median_ms", "median"),
    ] {
        assert_eq!(
            json[ours].as_f64(),
            summary[theirs].as_f64(),
            "{what} {ours}"
        );
    }
    for (label, key) in [
        ("50", "p50"),
        ("75", "p75"),
        ("90", "p90"),
        ("95", "p95"),
        ("99", "p99"),
        ("99.9", "p999"),
    ] {
        assert_eq!(
            json["percentiles_ms"][label].as_f64(),
            summary[key].as_f64(),
            "{what} p{label}"
        );
    }
}

#[test]
fn every_report_reads_as_its_aggregate_says() {
    for name in FIXTURES {
        let out = tempfile::tempdir().unwrap();
        let path = format!("fixtures/artillery/{name}.artillery.json");
        let run = check(&[&path, "--no-fail"], out.path());
        assert_eq!(run.code, 0, "{name}: {}", run.stderr);
        let summary = run.summary.unwrap();
        let s = scenario(&summary, name);
        assert_eq!(s["tool"]["name"], "artillery", "{name}");
        assert_eq!(s["errors"].as_array().unwrap().len(), 0, "{name}: {s}");

        let r = report(name);
        let agg = &r["aggregate"];
        let counters = agg["counters"].as_object().unwrap();
        let requests = counters["http.requests"].as_u64().unwrap();
        let (answered, failures) = counts(counters, "http.codes.", "errors.");
        assert_eq!(
            answered, requests,
            "{name}: every request answered or errored"
        );
        let duration_s = (agg["lastMetricAt"].as_u64().unwrap()
            - agg["firstMetricAt"].as_u64().unwrap()) as f64
            / 1000.0;
        let t = &s["totals"];
        assert_eq!(t["requests"].as_u64(), Some(requests), "{name}");
        assert_eq!(t["failures"].as_u64(), Some(failures), "{name}");
        assert!(
            (t["rps"].as_f64().unwrap() - requests as f64 / duration_s).abs() < 1e-9,
            "{name}"
        );
        let rate = (requests - failures) as f64 * 100.0 / requests as f64;
        assert!(
            (t["success_rate"].as_f64().unwrap() - rate).abs() < 1e-9,
            "{name}"
        );
        assert_summary(t, &agg["summaries"]["http.response_time"], name);

        // Endpoints: one per metrics-by-endpoint URL, sorted, with its own counts.
        let mut urls: Vec<String> = agg["summaries"]
            .as_object()
            .unwrap()
            .keys()
            .filter_map(|k| {
                k.strip_prefix(&format!("{PLUGIN}response_time."))
                    .map(str::to_string)
            })
            .collect();
        urls.sort();
        let endpoints = s["endpoints"].as_array().unwrap();
        let names: Vec<&str> = endpoints
            .iter()
            .map(|e| e["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, urls, "{name}");
        for e in endpoints {
            let url = e["name"].as_str().unwrap();
            let (n, f) = counts(
                counters,
                &format!("{PLUGIN}{url}.codes."),
                &format!("{PLUGIN}{url}.errors."),
            );
            assert_eq!(e["requests"].as_u64(), Some(n), "{name} {url}");
            assert_eq!(e["failures"].as_u64(), Some(f), "{name} {url}");
            assert_summary(
                e,
                &agg["summaries"][format!("{PLUGIN}response_time.{url}")],
                url,
            );
        }
        let periods = r["intermediate"].as_array().unwrap().len();
        assert_eq!(s["history_percentiles"], "windowed", "{name}");
        assert!(periods >= 2, "{name}");
    }
    // The slow run's timeouts are failures too, by endpoint.
    let r = report("slow");
    assert!(
        r["aggregate"]["counters"]["errors.ETIMEDOUT"]
            .as_u64()
            .unwrap()
            > 0
    );
}

fn config(dir: &std::path::Path, thresholds: &[&str]) -> String {
    let path = dir.join("loadgate.toml");
    let list: Vec<String> = thresholds.iter().map(|t| format!("{t:?}")).collect();
    std::fs::write(
        &path,
        format!("[defaults]\nthresholds = [{}]\n", list.join(", ")),
    )
    .unwrap();
    path.to_str().unwrap().to_string()
}

#[test]
fn thresholds_and_windows_judge_a_report() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(
        dir.path(),
        &[
            "p95 < 10s",
            "p95 < 1ms",
            "p95 < 1ms for 10s",
            "p95 < 10s for 10s",
        ],
    );
    let out = tempfile::tempdir().unwrap();
    let run = check(
        &["fixtures/artillery/slow.artillery.json", "--config", &cfg],
        out.path(),
    );
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    let summary = run.summary.unwrap();
    let s = scenario(&summary, "slow");
    let find = |t: &str| {
        s["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["threshold"] == t)
            .unwrap_or_else(|| panic!("{t}: {}", s["checks"]))
            .clone()
    };
    assert_eq!(find("p95 < 10s")["passed"], true);
    let failed = find("p95 < 1ms");
    assert_eq!(failed["passed"], false);
    let p95 = report("slow")["aggregate"]["summaries"]["http.response_time"]["p95"].as_f64();
    assert_eq!(failed["actual"].as_f64(), p95, "{failed}");
    let window = find("p95 < 1ms for 10s");
    assert_eq!(window["kind"], "window", "{window}");
    assert_eq!(window["passed"], false, "{window}");
    assert_eq!(find("p95 < 10s for 10s")["passed"], true);
}

#[test]
fn a_report_and_a_locust_set_in_one_folder_make_one_report() {
    let dir = beside_a_locust_set(&[(
        "artillery/checkout.artillery.json",
        "checkout.artillery.json",
    )]);
    let out = tempfile::tempdir().unwrap();
    let run = check(&[dir.path().to_str().unwrap(), "--no-fail"], out.path());
    assert_eq!(run.code, 0, "{}", run.stderr);
    let summary = run.summary.unwrap();
    let tools = scenario_tools(&summary);
    assert_eq!(
        tools,
        [
            ("checkout", "artillery"),
            ("scenario1_concurrent_deployments", "locust")
        ]
    );
}
