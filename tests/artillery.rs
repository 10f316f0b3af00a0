//! Artillery 2 JSON reports: real Artillery 2.0.21 output in
//! `fixtures/artillery/` (made by `fixtures/gen/generate_artillery.sh`).
//! Each report's summary.json equals the report's own aggregate figures,
//! read here independently as plain JSON; endpoint names lose the run's
//! `127.0.0.1:PORT` (so runs on two ports compare) and keep the plugin's
//! request names; thresholds and windows judge a report; a report sits
//! beside a Locust set in one report.

use crate::util::{beside_a_locust_set, check, fixture, scenario, scenario_tools};

const FIXTURES: [&str; 3] = ["checkout", "named", "slow"];
const PLUGIN: &str = "plugins.metrics-by-endpoint.";

/// The endpoint name of a metrics-by-endpoint key in these fixtures: the
/// server's `127.0.0.1:PORT` dropped before the path; a request name kept.
fn expected_name(key: &str) -> String {
    match key.strip_prefix("127.0.0.1:") {
        Some(rest) => {
            let slash = rest.find('/').expect("a path after the port");
            assert!(rest[..slash].bytes().all(|b| b.is_ascii_digit()), "{key}");
            rest[slash..].to_string()
        }
        None => key.to_string(),
    }
}

/// The report's metrics-by-endpoint keys, from its response-time summaries.
fn endpoint_keys(r: &serde_json::Value) -> Vec<String> {
    r["aggregate"]["summaries"]
        .as_object()
        .unwrap()
        .keys()
        .filter_map(|k| {
            k.strip_prefix(&format!("{PLUGIN}response_time."))
                .map(str::to_string)
        })
        .collect()
}

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

        // Endpoints: one per metrics-by-endpoint key, named without the
        // origin, sorted by name, with the key's own counts.
        let mut keys: Vec<(String, String)> = endpoint_keys(&r)
            .into_iter()
            .map(|k| (expected_name(&k), k))
            .collect();
        keys.sort();
        let endpoints = s["endpoints"].as_array().unwrap();
        let names: Vec<&str> = endpoints
            .iter()
            .map(|e| e["name"].as_str().unwrap())
            .collect();
        let want: Vec<&str> = keys.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, want, "{name}");
        for (e, (_, key)) in endpoints.iter().zip(&keys) {
            let (n, f) = counts(
                counters,
                &format!("{PLUGIN}{key}.codes."),
                &format!("{PLUGIN}{key}.errors."),
            );
            assert_eq!(e["requests"].as_u64(), Some(n), "{name} {key}");
            assert_eq!(e["failures"].as_u64(), Some(f), "{name} {key}");
            assert_summary(
                e,
                &agg["summaries"][format!("{PLUGIN}response_time.{key}")],
                key,
            );
        }
        // The failures table: one row per endpoint and code >= 400 or error.
        let mut want_failures: Vec<(String, String, u64)> = Vec::new();
        for (endpoint, key) in &keys {
            for (k, v) in counters {
                let Some(rest) = k.strip_prefix(&format!("{PLUGIN}{key}.")) else {
                    continue;
                };
                let error = match rest.split_once('.') {
                    Some(("codes", code)) if code.parse::<u16>().unwrap() >= 400 => {
                        format!("HTTP {code}")
                    }
                    Some(("errors", e)) => e.to_string(),
                    _ => continue,
                };
                want_failures.push((endpoint.clone(), error, v.as_u64().unwrap()));
            }
        }
        want_failures.sort();
        let mut got_failures: Vec<(String, String, u64)> = s["failures"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                (
                    f["name"].as_str().unwrap().to_string(),
                    f["error"].as_str().unwrap().to_string(),
                    f["occurrences"].as_u64().unwrap(),
                )
            })
            .collect();
        got_failures.sort();
        assert_eq!(got_failures, want_failures, "{name}");
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

#[test]
fn endpoint_names_drop_the_port_and_keep_the_request_names() {
    // Each run had its own port, and the plugin wrote it into every key.
    let ports: Vec<String> = FIXTURES
        .iter()
        .map(|name| {
            let keys = endpoint_keys(&report(name));
            let port = |k: &String| {
                let rest = k.strip_prefix("127.0.0.1:")?;
                Some(rest[..rest.find('/')?].to_string())
            };
            let ports: std::collections::BTreeSet<String> = keys.iter().filter_map(port).collect();
            assert_eq!(ports.len(), 1, "{name}: {keys:?}");
            ports.into_iter().next().unwrap()
        })
        .collect();
    assert_ne!(ports[0], ports[1], "{ports:?}");
    assert_ne!(ports[0], ports[2], "{ports:?}");
    let names = |name: &str| -> Vec<String> {
        let out = tempfile::tempdir().unwrap();
        let path = format!("fixtures/artillery/{name}.artillery.json");
        let run = check(&[&path, "--no-fail"], out.path());
        let summary = run.summary.unwrap_or_else(|| panic!("{}", run.stderr));
        scenario(&summary, name)["endpoints"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["name"].as_str().unwrap().to_string())
            .collect()
    };
    let urls = [
        "/api/connectors/sccm/sync",
        "/api/deployments",
        "/api/fail/500",
        "/api/health",
    ];
    // The named POST is `URL (name)`; with useOnlyRequestNames its name alone.
    let mut checkout: Vec<&str> = urls.to_vec();
    checkout.push("/api/deployments (create deployment)");
    checkout.sort();
    assert_eq!(names("checkout"), checkout);
    assert_eq!(names("slow"), checkout, "the same names on another port");
    let mut named: Vec<&str> = urls.to_vec();
    named.push("create deployment");
    named.sort();
    assert_eq!(names("named"), named);
}

#[test]
fn a_run_on_another_port_compares_endpoint_by_endpoint_with_its_baseline() {
    // The slow run as the current `checkout`, against the checkout run.
    let base = tempfile::tempdir().unwrap();
    std::fs::copy(
        fixture("artillery/checkout.artillery.json"),
        base.path().join("checkout.artillery.json"),
    )
    .unwrap();
    let current = tempfile::tempdir().unwrap();
    std::fs::copy(
        fixture("artillery/slow.artillery.json"),
        current.path().join("checkout.artillery.json"),
    )
    .unwrap();
    let out = tempfile::tempdir().unwrap();
    let run = check(
        &[
            current.path().to_str().unwrap(),
            "--baseline",
            base.path().to_str().unwrap(),
            "--no-fail",
        ],
        out.path(),
    );
    let summary = run.summary.unwrap_or_else(|| panic!("{}", run.stderr));
    let s = scenario(&summary, "checkout");
    assert_eq!(s["new_endpoints"], serde_json::json!([]), "{s}");
    assert_eq!(s["vanished_endpoints"], serde_json::json!([]), "{s}");
    let compared: std::collections::BTreeSet<&str> = s["comparisons"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["endpoint"].as_str())
        .collect();
    assert_eq!(compared.len(), 5, "every endpoint compared: {compared:?}");
    assert!(compared.contains("/api/deployments (create deployment)"));
}

#[test]
fn a_malformed_report_is_exit_2_with_its_line_and_the_others_are_still_reported() {
    let text = std::fs::read_to_string(fixture("artillery/checkout.artillery.json")).unwrap();
    let line_at = |at: usize| text[..at].matches('\n').count() + 1;
    let requests_line = line_at(text.find("\"http.requests\"").unwrap());
    let cut = text.len() / 2;
    let cut_line = line_at(cut);
    for (case, content, expected) in [
        (
            "truncated",
            text[..cut].to_string(),
            format!("truncated.artillery.json:{cut_line}: not an Artillery report"),
        ),
        (
            "wrong_type",
            text.replacen(
                "\"http.requests\": ",
                "\"http.requests\": \"many\", \"x\": ",
                1,
            ),
            format!(
                "wrong_type.artillery.json:{requests_line}: not an Artillery report (artillery run --output): at aggregate.counters.http.requests: invalid type: string \"many\""
            ),
        ),
        (
            "empty",
            String::new(),
            "empty.artillery.json:1: not an Artillery report".to_string(),
        ),
    ] {
        let dir = beside_a_locust_set(&[]);
        std::fs::write(dir.path().join(format!("{case}.artillery.json")), content).unwrap();
        let out = tempfile::tempdir().unwrap();
        let run = check(&[dir.path().to_str().unwrap(), "--no-fail"], out.path());
        assert_eq!(run.code, 2, "{case}: {}", run.stderr);
        assert!(run.stderr.contains(&expected), "{case}: {}", run.stderr);
        let summary = run
            .summary
            .unwrap_or_else(|| panic!("{case}: {}", run.stderr));
        let s = scenario(&summary, case);
        assert!(
            s["errors"][0].as_str().unwrap().contains(&expected),
            "{case}: {s}"
        );
        let locust = scenario(&summary, "scenario1_concurrent_deployments");
        assert!(locust["totals"]["requests"].as_u64().unwrap() > 0, "{case}");
    }
}
