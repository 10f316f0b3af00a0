//! k6's results: SYNTHETIC fixtures in `fixtures/k6/` (made by
//! `fixtures/gen/make_k6_fixtures.py` in k6's formats; see its README).
//! The stream's summary.json equals an independent reading of its points
//! (counts, failures, nearest-rank percentiles, min/max/mean, run length,
//! rates, failures table); each summary's equals the file's own values; a
//! k6 file sits beside a Locust set in one report; Locust's `NAME.json` stays
//! Locust's; thresholds and windows work on the stream.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::util::{beside_a_locust_set, check, fixture, scenario, scenario_tools};

/// Locust's percentile levels, as (label, hundredths of a percent).
const LEVELS: [(&str, u64); 11] = [
    ("50", 5000),
    ("66", 6600),
    ("75", 7500),
    ("80", 8000),
    ("90", 9000),
    ("95", 9500),
    ("98", 9800),
    ("99", 9900),
    ("99.9", 9990),
    ("99.99", 9999),
    ("100", 10000),
];

/// A value at the reader's resolution, 0.01 ms.
fn centi(ms: f64) -> f64 {
    (ms * 100.0).round() / 100.0
}

/// Seconds since midnight of a fixture timestamp (all on one UTC day).
fn seconds(time: &str) -> f64 {
    assert!(time.ends_with("+00:00"), "{time}");
    assert!(time.starts_with("2026-03-02T"), "{time}");
    let clock = &time[11..time.len() - 6];
    let mut parts = clock.split(':');
    let h: f64 = parts.next().unwrap().parse().unwrap();
    let m: f64 = parts.next().unwrap().parse().unwrap();
    let s: f64 = parts.next().unwrap().parse().unwrap();
    h * 3600.0 + m * 60.0 + s
}

/// The requests of one endpoint (or all), read straight from the stream.
#[derive(Default, Debug)]
struct Expected {
    durations: Vec<f64>,
    /// `http_reqs` points.
    reqs: u64,
    /// `http_req_failed` points with value 1.
    failed: u64,
}

impl Expected {
    /// Nearest rank: the value at 1-based rank ⌈n × p⌉ of the sorted samples.
    fn percentile(&self, hundredths: u64) -> f64 {
        let mut sorted = self.durations.clone();
        sorted.sort_by(f64::total_cmp);
        let n = sorted.len() as u64;
        let rank = (n * hundredths).div_ceil(10_000).max(1);
        centi(sorted[rank as usize - 1])
    }

    fn assert_stats(&self, json: &Value, duration_s: f64, what: &str) {
        let n = self.durations.len() as u64;
        assert_eq!(self.reqs, n, "{what}: an http_reqs point per request");
        assert_eq!(json["requests"].as_u64(), Some(n), "{what} requests");
        assert_eq!(
            json["failures"].as_u64(),
            Some(self.failed),
            "{what} failures"
        );
        let num = |field: &str| {
            json[field]
                .as_f64()
                .unwrap_or_else(|| panic!("{what} {field}: {json}"))
        };
        let min = self.durations.iter().copied().fold(f64::INFINITY, f64::min);
        let max = self.durations.iter().copied().fold(0.0, f64::max);
        assert_eq!(num("min_ms"), centi(min), "{what}");
        assert_eq!(num("max_ms"), centi(max), "{what}");
        let mean = self.durations.iter().sum::<f64>() / n as f64;
        assert!((num("avg_ms") - mean).abs() < 1e-9, "{what} avg");
        assert_eq!(num("median_ms"), self.percentile(5000), "{what}");
        let close = |a: f64, b: f64| (a - b).abs() <= 1e-6 * b.abs().max(1.0);
        let rps = n as f64 / duration_s;
        assert!(close(num("rps"), rps), "{what} rps {} vs {rps}", num("rps"));
        let fps = self.failed as f64 / duration_s;
        assert!(close(num("failures_per_s"), fps), "{what} fps");
        let percentiles = json["percentiles_ms"].as_object().unwrap();
        assert_eq!(percentiles.len(), LEVELS.len(), "{what}");
        for (label, hundredths) in LEVELS {
            assert_eq!(
                percentiles[label].as_f64(),
                Some(self.percentile(hundredths)),
                "{what} p{label}"
            );
        }
    }
}

/// The stream read independently.
struct Stream {
    total: Expected,
    /// (method, name) → requests.
    endpoints: BTreeMap<(String, String), Expected>,
    /// (method, name, error) → occurrences, the error as the reader words it.
    failures: BTreeMap<(String, String, String), u64>,
    duration_s: f64,
    peak_vus: u64,
    scenarios: std::collections::BTreeSet<String>,
}

fn read_stream() -> Stream {
    let text = std::fs::read_to_string(fixture("k6/checkout.k6.ndjson")).unwrap();
    let mut s = Stream {
        total: Expected::default(),
        endpoints: BTreeMap::new(),
        failures: BTreeMap::new(),
        duration_s: 0.0,
        peak_vus: 0,
        scenarios: Default::default(),
    };
    let (mut first, mut last) = (f64::INFINITY, 0.0f64);
    let mut defined = std::collections::BTreeSet::new();
    for line in text.lines() {
        let v: Value = serde_json::from_str(line).unwrap();
        let metric = v["metric"].as_str().unwrap().to_string();
        if v["type"] == "Metric" {
            assert_eq!(v["data"]["name"], metric.as_str());
            defined.insert(metric);
            continue;
        }
        assert_eq!(v["type"], "Point");
        assert!(defined.contains(&metric), "{metric}: Metric line first");
        let data = &v["data"];
        let value = data["value"].as_f64().unwrap();
        let time = seconds(data["time"].as_str().unwrap());
        let tag = |k: &str| data["tags"][k].as_str().unwrap_or_default().to_string();
        if metric == "vus" {
            s.peak_vus = s.peak_vus.max(value as u64);
            continue;
        }
        if !metric.starts_with("http_req") {
            continue;
        }
        s.scenarios.insert(tag("scenario"));
        let key = (tag("method"), tag("name"));
        match metric.as_str() {
            "http_req_duration" => {
                first = first.min(time - value / 1000.0);
                last = last.max(time);
                for e in [&mut s.total, s.endpoints.entry(key).or_default()] {
                    e.durations.push(value);
                }
            }
            "http_reqs" => {
                for e in [&mut s.total, s.endpoints.entry(key).or_default()] {
                    e.reqs += 1;
                }
            }
            "http_req_failed" if value == 1.0 => {
                for e in [&mut s.total, s.endpoints.entry(key.clone()).or_default()] {
                    e.failed += 1;
                }
                let error = match (tag("status").as_str(), tag("error")) {
                    ("0", e) => e,
                    (status, e) if e.is_empty() => format!("HTTP {status}"),
                    (status, e) => format!("HTTP {status}: {e}"),
                };
                *s.failures.entry((key.0, key.1, error)).or_default() += 1;
            }
            _ => {}
        }
    }
    s.duration_s = last - first;
    s
}

#[test]
fn the_stream_reads_exactly_as_its_points_say() {
    let out = tempfile::tempdir().unwrap();
    let path = "fixtures/k6/checkout.k6.ndjson";
    let run = check(&[path, "--no-fail"], out.path());
    assert_eq!(run.code, 0, "{}", run.stderr);
    let summary = run.summary.unwrap();
    let s = scenario(&summary, "checkout");
    assert_eq!(
        s["tool"],
        serde_json::json!({"name": "k6", "version": null})
    );
    assert_eq!(s["errors"].as_array().unwrap().len(), 0, "{s}");
    assert_eq!(s["files"]["stats"], path);

    let stream = read_stream();
    assert!(stream.total.durations.len() > 300);
    stream
        .total
        .assert_stats(&s["totals"], stream.duration_s, "total");
    let endpoints = s["endpoints"].as_array().unwrap();
    let keys: Vec<(String, String)> = endpoints
        .iter()
        .map(|e| {
            (
                e["method"].as_str().unwrap().to_string(),
                e["name"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let mut expected: Vec<(String, String)> = stream.endpoints.keys().cloned().collect();
    expected.sort_by(|a, b| a.1.cmp(&b.1).then_with(|| a.0.cmp(&b.0)));
    assert_eq!(keys, expected, "one endpoint per (method, name), by name");
    for (e, key) in endpoints.iter().zip(&keys) {
        stream.endpoints[key].assert_stats(e, stream.duration_s, &format!("{key:?}"));
    }
    assert_eq!(
        s["duration_s"].as_i64(),
        Some(stream.duration_s.round() as i64)
    );
    assert_eq!(s["duration_source"], "stats");
    assert_eq!(s["peak_users"].as_u64(), Some(stream.peak_vus));
    assert_eq!(s["history_percentiles"], "windowed");

    let failures: BTreeMap<(String, String, String), u64> = s["failures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let t = |k: &str| f[k].as_str().unwrap().to_string();
            (
                (t("method"), t("name"), t("error")),
                f["occurrences"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(failures, stream.failures);
    let data_warnings: Vec<&str> = s["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|w| w.as_str())
        .filter(|w| w.starts_with("data:"))
        .collect();
    assert!(data_warnings.is_empty(), "{data_warnings:?}");
}

/// A metric's values in either summary shape.
fn values<'a>(metrics: &'a Value, name: &str) -> &'a Value {
    let m = &metrics[name];
    if m["values"].is_object() {
        &m["values"]
    } else {
        m
    }
}

#[test]
fn each_summary_reads_as_the_file_s_own_values() {
    // k6's default trend stats have no p99, which the built-in targets judge.
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("loadgate.toml");
    std::fs::write(&cfg, "[defaults]\nthresholds = [\"p95 < 10s\"]\n").unwrap();
    for (file, name, has_state) in [
        ("checkout_summary.k6-summary.json", "checkout_summary", true),
        ("checkout_export.k6.json", "checkout_export", false),
    ] {
        let out = tempfile::tempdir().unwrap();
        let path = format!("fixtures/k6/{file}");
        let run = check(
            &[&path, "--no-fail", "--config", cfg.to_str().unwrap()],
            out.path(),
        );
        let summary = run.summary.unwrap_or_else(|| panic!("{}", run.stderr));
        let s = scenario(&summary, name);
        assert_eq!(s["tool"]["name"], "k6", "{name}");
        assert_eq!(s["errors"].as_array().unwrap().len(), 0, "{name}: {s}");

        let json: Value =
            serde_json::from_str(&std::fs::read_to_string(fixture(&format!("k6/{file}"))).unwrap())
                .unwrap();
        assert_eq!(json.get("state").is_some(), has_state, "{name}");
        let metrics = &json["metrics"];
        let reqs = values(metrics, "http_reqs");
        let count = reqs["count"].as_u64().unwrap();
        let rate = reqs["rate"].as_f64().unwrap();
        let duration_s = match has_state {
            true => json["state"]["testRunDurationMs"].as_f64().unwrap() / 1000.0,
            false => count as f64 / rate,
        };
        let check_stats = |json_stats: &Value, tags: &str, what: &str| {
            let d = values(metrics, &format!("http_req_duration{tags}"));
            let r = values(metrics, &format!("http_reqs{tags}"));
            let f = values(metrics, &format!("http_req_failed{tags}"));
            assert_eq!(json_stats["requests"], r["count"], "{what}");
            assert_eq!(json_stats["failures"], f["passes"], "{what}");
            assert_eq!(json_stats["rps"], r["rate"], "{what}");
            let fps = f["passes"].as_f64().unwrap() / duration_s;
            assert!((json_stats["failures_per_s"].as_f64().unwrap() - fps).abs() < 1e-9);
            for (ours, theirs) in [
                ("median_ms", "med"),
                ("avg_ms", "avg"),
                ("min_ms", "min"),
                ("max_ms", "max"),
            ] {
                assert_eq!(json_stats[ours], d[theirs], "{what} {ours}");
            }
            let mut expected = serde_json::Map::new();
            for (k, v) in d.as_object().unwrap() {
                if let Some(label) = k.strip_prefix("p(").and_then(|k| k.strip_suffix(')')) {
                    expected.insert(label.to_string(), v.clone());
                }
            }
            assert_eq!(
                json_stats["percentiles_ms"],
                Value::Object(expected),
                "{what}"
            );
        };
        check_stats(&s["totals"], "", &format!("{name} total"));
        let labels: Vec<&str> = s["totals"]["percentiles_ms"]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        let mut want = vec!["90", "95"];
        if has_state {
            want.extend(["99", "99.9"]);
        }
        assert_eq!(labels, want, "{name}: only the file's percentiles");
        let endpoints = s["endpoints"].as_array().unwrap();
        let names: Vec<&str> = endpoints
            .iter()
            .map(|e| e["name"].as_str().unwrap())
            .collect();
        assert_eq!(
            names,
            [
                "add to cart",
                "list products",
                "place order",
                "product detail"
            ],
            "{name}"
        );
        for e in endpoints {
            assert_eq!(e["method"], "", "{name}: a name-only sub-metric");
            let n = e["name"].as_str().unwrap();
            check_stats(e, &format!("{{name:{n}}}"), &format!("{name} {n}"));
        }
        assert_eq!(s["duration_s"].as_i64(), Some(duration_s.round() as i64));
        assert!(s["history_percentiles"].is_null(), "{name}: no history");
        assert!(s["peak_users"].is_null(), "{name}");
        assert_eq!(s["failures"].as_array().unwrap().len(), 0, "{name}");
    }
}

#[test]
fn the_fixtures_are_one_consistent_run_of_two_k6_scenarios() {
    let stream = read_stream();
    let scenarios: Vec<&str> = stream.scenarios.iter().map(String::as_str).collect();
    assert_eq!(scenarios, ["browse", "buy"]);
    assert!(
        (18.0..=22.0).contains(&stream.duration_s),
        "{}",
        stream.duration_s
    );
    // One failing endpoint, with both an HTTP error and a network error.
    let failing: Vec<&(String, String)> = stream
        .endpoints
        .iter()
        .filter(|(_, e)| e.failed > 0)
        .map(|(k, _)| k)
        .collect();
    assert_eq!(failing, [&("POST".to_string(), "place order".to_string())]);
    assert!(
        stream
            .failures
            .keys()
            .any(|(_, _, e)| e == "request timeout")
    );
    // The summaries count the same requests and failures.
    for file in [
        "checkout_summary.k6-summary.json",
        "checkout_export.k6.json",
    ] {
        let json: Value =
            serde_json::from_str(&std::fs::read_to_string(fixture(&format!("k6/{file}"))).unwrap())
                .unwrap();
        let m = &json["metrics"];
        assert_eq!(
            values(m, "http_reqs")["count"].as_u64(),
            Some(stream.total.reqs),
            "{file}"
        );
        assert_eq!(
            values(m, "http_req_failed")["passes"].as_u64(),
            Some(stream.total.failed),
            "{file}"
        );
    }
}

#[test]
fn k6_files_beside_a_locust_set_make_one_report_and_locust_keeps_its_json() {
    // A k6 summary under a plain `.json` name is Locust's by name: not read as k6.
    let dir = beside_a_locust_set(&[
        ("k6/checkout.k6.ndjson", "checkout.k6.ndjson"),
        ("k6/checkout_export.k6.json", "checkout_export.k6.json"),
        ("k6/checkout_summary.k6-summary.json", "plain.json"),
    ]);
    let out = tempfile::tempdir().unwrap();
    let run = check(&[dir.path().to_str().unwrap(), "--no-fail"], out.path());
    let summary = run.summary.unwrap_or_else(|| panic!("{}", run.stderr));
    let tools = scenario_tools(&summary);
    assert_eq!(
        tools,
        [
            ("checkout", "k6"),
            ("checkout_export", "k6"),
            ("scenario1_concurrent_deployments", "locust")
        ]
    );
}

#[test]
fn thresholds_and_windows_judge_the_stream() {
    let stream = read_stream();
    let place_order = &stream.endpoints[&("POST".to_string(), "place order".to_string())];
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("loadgate.toml");
    std::fs::write(
        &cfg,
        "[defaults]\nthresholds = [\"p95 < 10s\", \"p95 < 1ms for 2s\"]\n[scenarios.checkout]\nmatch = \"checkout\"\n[[scenarios.checkout.endpoint]]\nname = \"place order\"\nthresholds = [\"success_rate >= 99%\"]\n",
    )
    .unwrap();
    let out = tempfile::tempdir().unwrap();
    let run = check(
        &[
            "fixtures/k6/checkout.k6.ndjson",
            "--config",
            cfg.to_str().unwrap(),
        ],
        out.path(),
    );
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    let summary = run.summary.unwrap();
    let s = scenario(&summary, "checkout");
    let checks = s["checks"].as_array().unwrap();
    let find = |threshold: &str| {
        checks
            .iter()
            .find(|c| c["threshold"] == threshold)
            .unwrap_or_else(|| panic!("{threshold} in {checks:?}"))
    };
    assert_eq!(find("p95 < 10s")["passed"], true);
    assert_eq!(
        find("p95 < 10s")["actual"].as_f64(),
        Some(stream.total.percentile(9500))
    );
    let window = find("p95 < 1ms for 2s");
    assert_eq!(window["kind"], "window");
    assert_eq!(window["passed"], false, "{window}");
    let rate = find("success_rate >= 99%");
    assert_eq!(rate["passed"], false, "{rate}");
    let n = place_order.durations.len() as f64;
    let want = (n - place_order.failed as f64) * 100.0 / n;
    assert!(
        (rate["actual"].as_f64().unwrap() - want).abs() < 1e-9,
        "{rate}"
    );
}

/// k6's `--summary-export` has p(90) and p(95) only: the built-in `p99 < 1s`
/// cannot be judged on it, and the error names its source once.
#[test]
fn a_missing_percentile_under_the_builtin_defaults_is_one_clear_error() {
    let results = tempfile::tempdir().unwrap();
    std::fs::copy(
        fixture("k6").join("checkout_export.k6.json"),
        results.path().join("checkout_export.k6.json"),
    )
    .unwrap();
    let out = tempfile::tempdir().unwrap();
    let run = check(&[results.path().to_str().unwrap()], out.path());
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains(
            "error: built-in defaults: the data has no p99 column; percentiles present: p90, p95"
        ),
        "{}",
        run.stderr
    );
    assert!(
        !run.stderr.contains("built-in defaults: built-in defaults"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_window_on_a_k6_summary_says_to_check_the_stream() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("loadgate.toml");
    std::fs::write(&cfg, "[defaults]\nthresholds = [\"p95 < 1s for 2s\"]\n").unwrap();
    let out = tempfile::tempdir().unwrap();
    let run = check(
        &[
            "fixtures/k6/checkout_summary.k6-summary.json",
            "--config",
            cfg.to_str().unwrap(),
        ],
        out.path(),
    );
    assert_eq!(run.code, 2, "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains(
            "`p95 < 1s for 2s` needs per-second data, which k6's end-of-test summary does not have: check the --out json stream instead"
        ),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("_stats_history.csv"), "{}", run.stderr);
}
