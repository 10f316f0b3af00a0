//! k6's results: SYNTHETIC fixtures in `fixtures/k6/` (made by
//! `fixtures/gen/make_k6_fixtures.py` in k6's formats; see its README).
//! Each raw-sample file (`--out json` and `--out csv`) reads as an
//! independent reading of its points says (counts, failures, nearest-rank
//! percentiles, min/max/mean, run length, rates, failures table), one
//! scenario per k6 `scenario` tag when it has several; the CSV and the
//! stream of one run give the same summary; each summary's summary.json
//! equals the file's own values; k6 files sit beside a Locust set in one
//! report; Locust's `NAME.json` stays Locust's; thresholds and windows work
//! on a k6 scenario; malformed files are exit 2 with their file and line.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::util::{
    LEVELS, beside_a_locust_set, check, fixture, nearest_rank, scenario, scenario_tools,
};

/// A value at the reader's resolution, 0.01 ms.
fn centi(ms: f64) -> f64 {
    (ms * 100.0).round() / 100.0
}

/// Seconds since 2026-03-01T00:00:00Z of a stream timestamp (the fixtures'
/// runs are in March 2026, in UTC).
fn seconds(time: &str) -> f64 {
    assert!(time.ends_with("+00:00"), "{time}");
    assert!(time.starts_with("2026-03-"), "{time}");
    let day: f64 = time[8..10].parse().unwrap();
    let clock = &time[11..time.len() - 6];
    let mut parts = clock.split(':');
    let h: f64 = parts.next().unwrap().parse().unwrap();
    let m: f64 = parts.next().unwrap().parse().unwrap();
    let s: f64 = parts.next().unwrap().parse().unwrap();
    (day - 1.0) * 86_400.0 + h * 3600.0 + m * 60.0 + s
}

/// One point of a k6 file, read here independently of loadgate.
struct Point {
    metric: String,
    /// The point's time in seconds (any fixed origin: only differences count).
    time_s: f64,
    value: f64,
    /// Tags; an empty CSV column is no tag.
    tags: BTreeMap<String, String>,
}

/// Every point of a `--out json` stream, its `Metric` lines checked.
fn stream_points(text: &str) -> Vec<Point> {
    let mut defined = BTreeSet::new();
    let mut out = Vec::new();
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
        out.push(Point {
            metric,
            time_s: seconds(data["time"].as_str().unwrap()),
            value: data["value"].as_f64().unwrap(),
            tags: data["tags"]
                .as_object()
                .unwrap()
                .iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_string()))
                .collect(),
        });
    }
    out
}

/// Every row of a `--out csv` file; `unit_s`: seconds per timestamp unit.
fn csv_points(path: &std::path::Path, unit_s: f64) -> Vec<Point> {
    let mut reader = csv::Reader::from_path(path).unwrap();
    let headers = reader.headers().unwrap().clone();
    assert_eq!(
        headers.iter().take(3).collect::<Vec<_>>(),
        ["metric_name", "timestamp", "metric_value"]
    );
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            let field = |i: usize| r.get(i).unwrap();
            Point {
                metric: field(0).to_string(),
                time_s: field(1).parse::<f64>().unwrap() * unit_s,
                value: field(2).parse().unwrap(),
                tags: headers
                    .iter()
                    .zip(r.iter())
                    .skip(3)
                    .filter(|(k, v)| !v.is_empty() && !matches!(*k, "extra_tags" | "metadata"))
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect(),
            }
        })
        .collect()
}

/// The points of a fixture file, by its name and format.
fn points(file: &str) -> Vec<Point> {
    let path = fixture(&format!("k6/{file}"));
    match file {
        f if f.ends_with(".ndjson") => stream_points(&std::fs::read_to_string(path).unwrap()),
        // timeFormat=unix_micro.
        "checkout_csv.k6.csv" => csv_points(&path, 1e-6),
        // k6's default timeFormat, unix: whole seconds.
        "failing_csv.k6.csv" => csv_points(&path, 1.0),
        other => panic!("{other}"),
    }
}

/// The requests of one endpoint (or all), read straight from the points.
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
        centi(nearest_rank(&self.durations, hundredths))
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

/// One scenario of a file (the whole file, or one `scenario` tag's requests).
#[derive(Default)]
struct Part {
    total: Expected,
    /// (method, name) → requests.
    endpoints: BTreeMap<(String, String), Expected>,
    /// (method, name, error) → occurrences, the error as the reader words it.
    failures: BTreeMap<(String, String, String), u64>,
    first_start_s: f64,
    last_end_s: f64,
}

impl Part {
    fn duration_s(&self) -> f64 {
        self.last_end_s - self.first_start_s
    }
}

/// A file read independently: its scenarios as loadgate should name them.
struct Reading {
    /// Scenario name → its requests.
    parts: BTreeMap<String, Part>,
    /// The `scenario` tags of the requests.
    tags: BTreeSet<String>,
    /// Requests without a `scenario` tag.
    untagged: u64,
    peak_vus: u64,
}

fn read(file: &str) -> Reading {
    let stem = file.split('.').next().unwrap();
    let points = points(file);
    let tags: BTreeSet<String> = points
        .iter()
        .filter(|p| p.metric == "http_req_duration")
        .filter_map(|p| p.tags.get("scenario").cloned())
        .collect();
    let split = tags.len() > 1;
    let mut r = Reading {
        parts: BTreeMap::new(),
        tags,
        untagged: 0,
        peak_vus: 0,
    };
    for p in &points {
        if p.metric == "vus" {
            r.peak_vus = r.peak_vus.max(p.value as u64);
            continue;
        }
        if !p.metric.starts_with("http_req") {
            continue;
        }
        let tag = |k: &str| p.tags.get(k).cloned().unwrap_or_default();
        let name = match (split, p.tags.get("scenario")) {
            (false, _) => stem.to_string(),
            (true, Some(s)) => format!("{stem}/{s}"),
            (true, None) => {
                r.untagged += u64::from(p.metric == "http_req_duration");
                continue;
            }
        };
        let s = r.parts.entry(name).or_insert_with(|| Part {
            first_start_s: f64::INFINITY,
            last_end_s: f64::NEG_INFINITY,
            ..Part::default()
        });
        let key = (tag("method"), tag("name"));
        match p.metric.as_str() {
            "http_req_duration" => {
                s.first_start_s = s.first_start_s.min(p.time_s - p.value / 1000.0);
                s.last_end_s = s.last_end_s.max(p.time_s);
                for e in [&mut s.total, s.endpoints.entry(key).or_default()] {
                    e.durations.push(p.value);
                }
            }
            "http_reqs" => {
                for e in [&mut s.total, s.endpoints.entry(key).or_default()] {
                    e.reqs += 1;
                }
            }
            "http_req_failed" if p.value == 1.0 => {
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
    r
}

/// The (method, name) of every endpoint of a summary.json scenario, in order.
fn endpoint_keys(s: &Value) -> Vec<(String, String)> {
    s["endpoints"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["method"].as_str().unwrap().to_string(),
                e["name"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// summary.json's scenario `name` against the independent reading of it.
fn assert_part(s: &Value, name: &str, part: &Part, peak_users: Option<u64>) {
    assert_eq!(
        s["tool"],
        serde_json::json!({"name": "k6", "version": null}),
        "{name}"
    );
    assert_eq!(s["errors"].as_array().unwrap().len(), 0, "{name}: {s}");
    part.total
        .assert_stats(&s["totals"], part.duration_s(), &format!("{name} total"));
    let keys = endpoint_keys(s);
    let mut expected: Vec<(String, String)> = part.endpoints.keys().cloned().collect();
    expected.sort_by(|a, b| a.1.cmp(&b.1).then_with(|| a.0.cmp(&b.0)));
    assert_eq!(
        keys, expected,
        "{name}: one endpoint per (method, name), by name"
    );
    for (e, key) in s["endpoints"].as_array().unwrap().iter().zip(&keys) {
        part.endpoints[key].assert_stats(e, part.duration_s(), &format!("{name} {key:?}"));
    }
    assert_eq!(
        s["duration_s"].as_i64(),
        Some(part.duration_s().round() as i64),
        "{name}"
    );
    assert_eq!(s["duration_source"], "stats", "{name}");
    assert_eq!(s["peak_users"].as_u64(), peak_users, "{name}");
    assert_eq!(s["history_percentiles"], "windowed", "{name}");
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
    assert_eq!(failures, part.failures, "{name}");
    let data_warnings: Vec<&str> = s["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|w| w.as_str())
        .filter(|w| w.starts_with("data:"))
        .collect();
    assert!(data_warnings.is_empty(), "{name}: {data_warnings:?}");
}

/// The raw-sample fixtures.
const STREAMS: [&str; 5] = [
    "checkout.k6.ndjson",
    "checkout_csv.k6.csv",
    "failing.k6.ndjson",
    "failing_csv.k6.csv",
    "mixed.k6.ndjson",
];

#[test]
fn each_stream_reads_exactly_as_its_points_say() {
    for file in STREAMS {
        let out = tempfile::tempdir().unwrap();
        let path = format!("fixtures/k6/{file}");
        let run = check(&[&path, "--no-fail"], out.path());
        assert_eq!(run.code, 0, "{file}: {}", run.stderr);
        let summary = run.summary.unwrap();
        let reading = read(file);
        let names: Vec<&str> = scenario_tools(&summary).iter().map(|(n, _)| *n).collect();
        let expected: Vec<&str> = reading.parts.keys().map(String::as_str).collect();
        assert_eq!(names, expected, "{file}: one scenario per k6 scenario tag");
        let split = reading.parts.len() > 1;
        for (name, part) in &reading.parts {
            let s = scenario(&summary, name);
            assert!(part.total.durations.len() > 10, "{name}");
            // k6's `vus` counts every scenario's VUs: a part has no users of its own.
            let peak = (!split).then_some(reading.peak_vus);
            assert_part(s, name, part, peak);
            assert_eq!(s["files"]["stats"], path.as_str(), "{name}");
            let tag = name.split_once('/').map(|(_, t)| t);
            assert_eq!(s["files"]["part"].as_str(), tag, "{name}");
        }
        // Requests without a scenario tag (setup, teardown) are in no part,
        // and one warning, in the first part, says how many.
        let untagged: Vec<&str> = summary["scenarios"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|s| s["warnings"].as_array().unwrap())
            .filter_map(|w| w.as_str())
            .filter(|w| w.contains("no k6 `scenario` tag"))
            .collect();
        if reading.untagged > 0 {
            assert_eq!(untagged.len(), 1, "{file}: {untagged:?}");
            assert!(
                untagged[0].contains(&format!("{} requests have no k6", reading.untagged)),
                "{untagged:?}"
            );
            let first = &summary["scenarios"][0];
            assert_eq!(first["warnings"].as_array().unwrap().len(), 1, "{first}");
        } else {
            assert!(untagged.is_empty(), "{file}: {untagged:?}");
        }
    }
}

#[test]
fn the_fixtures_are_the_runs_their_readme_describes() {
    let checkout = read("checkout.k6.ndjson");
    let tags: Vec<&str> = checkout.tags.iter().map(String::as_str).collect();
    assert_eq!(tags, ["browse", "buy"]);
    assert_eq!(checkout.untagged, 0);
    // One failing endpoint, with both an HTTP error and a network error.
    let buy = &checkout.parts["checkout/buy"];
    let failing: Vec<&(String, String)> = buy
        .endpoints
        .iter()
        .filter(|(_, e)| e.failed > 0)
        .map(|(k, _)| k)
        .collect();
    assert_eq!(failing, [&("POST".to_string(), "place order".to_string())]);
    assert!(buy.failures.keys().any(|(_, _, e)| e == "request timeout"));
    assert_eq!(checkout.parts["checkout/browse"].total.failed, 0);
    let run_s = buy
        .last_end_s
        .max(checkout.parts["checkout/browse"].last_end_s)
        - buy
            .first_start_s
            .min(checkout.parts["checkout/browse"].first_start_s);
    assert!((18.0..=22.0).contains(&run_s), "{run_s}");
    // The summaries count the whole run's requests and failures.
    let (reqs, failed) = checkout
        .parts
        .values()
        .fold((0, 0), |(r, f), p| (r + p.total.reqs, f + p.total.failed));
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
            Some(reqs),
            "{file}"
        );
        assert_eq!(
            values(m, "http_req_failed")["passes"].as_u64(),
            Some(failed),
            "{file}"
        );
    }
    // The failing run: k6's one `default` scenario, a setup() request
    // without a scenario tag (counted in the file's one scenario), a slow
    // endpoint, and failures of two kinds.
    let failing = read("failing.k6.ndjson");
    assert_eq!(failing.tags.iter().collect::<Vec<_>>(), ["default"]);
    let all = &failing.parts["failing"];
    assert!(all.endpoints.contains_key(&("POST".into(), "login".into())));
    let report = &all.endpoints[&("GET".into(), "report".into())];
    assert!(report.percentile(5000) > 500.0, "a slow endpoint");
    let errors: BTreeSet<&str> = all.failures.keys().map(|(_, _, e)| e.as_str()).collect();
    assert_eq!(errors, BTreeSet::from(["HTTP 500", "request timeout"]));
    // The mixed run: three scenarios, setup() and teardown() untagged.
    let mixed = read("mixed.k6.ndjson");
    let tags: Vec<&str> = mixed.tags.iter().map(String::as_str).collect();
    assert_eq!(tags, ["api", "browse", "ingest"]);
    assert_eq!(mixed.untagged, 2);
}

#[test]
fn the_csv_and_the_stream_of_one_run_give_the_same_summary() {
    let summary_of = |file: &str| {
        let out = tempfile::tempdir().unwrap();
        let run = check(&[&format!("fixtures/k6/{file}"), "--no-fail"], out.path());
        run.summary
            .unwrap_or_else(|| panic!("{file}: {}", run.stderr))
    };
    // Without the names and files, every field agrees (µs timestamps).
    let strip = |s: &Value| {
        let mut s = s.clone();
        let o = s.as_object_mut().unwrap();
        o.remove("name");
        o.remove("files");
        s
    };
    let stream = summary_of("checkout.k6.ndjson");
    let csv = summary_of("checkout_csv.k6.csv");
    for tag in ["browse", "buy"] {
        let a = scenario(&stream, &format!("checkout/{tag}"));
        let b = scenario(&csv, &format!("checkout_csv/{tag}"));
        assert_eq!(strip(a), strip(b), "{tag}");
    }
    // With k6's default timeFormat (whole seconds) the counts, times and
    // failures agree; the run length is known to the second.
    let stream = summary_of("failing.k6.ndjson");
    let csv = summary_of("failing_csv.k6.csv");
    let (a, b) = (scenario(&stream, "failing"), scenario(&csv, "failing_csv"));
    for field in [
        "requests",
        "failures",
        "median_ms",
        "avg_ms",
        "min_ms",
        "max_ms",
    ] {
        assert_eq!(a["totals"][field], b["totals"][field], "{field}");
    }
    assert_eq!(a["totals"]["percentiles_ms"], b["totals"]["percentiles_ms"]);
    assert_eq!(a["failures"], b["failures"]);
    assert_eq!(endpoint_keys(a), endpoint_keys(b));
    assert_eq!(a["peak_users"], b["peak_users"]);
    let rps = |s: &Value| s["totals"]["rps"].as_f64().unwrap();
    let run_s = |s: &Value| s["totals"]["requests"].as_f64().unwrap() / rps(s);
    let gap = run_s(a) - run_s(b);
    assert!(gap.abs() < 1.0, "{} vs {}", run_s(a), run_s(b));
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
fn k6_files_beside_a_locust_set_make_one_report_and_locust_keeps_its_json() {
    // A k6 summary under a plain `.json` name is Locust's by name: not read
    // as k6; a k6 CSV under a plain `.csv` name is k6's by its header.
    let dir = beside_a_locust_set(&[
        ("k6/checkout.k6.ndjson", "checkout.k6.ndjson"),
        ("k6/checkout_export.k6.json", "checkout_export.k6.json"),
        ("k6/checkout_summary.k6-summary.json", "plain.json"),
        ("k6/failing_csv.k6.csv", "file.csv"),
    ]);
    let out = tempfile::tempdir().unwrap();
    let run = check(&[dir.path().to_str().unwrap(), "--no-fail"], out.path());
    let summary = run.summary.unwrap_or_else(|| panic!("{}", run.stderr));
    let tools = scenario_tools(&summary);
    assert_eq!(
        tools,
        [
            ("checkout/browse", "k6"),
            ("checkout/buy", "k6"),
            ("checkout_export", "k6"),
            ("file", "k6"),
            ("scenario1_concurrent_deployments", "locust")
        ]
    );
}

#[test]
fn a_k6_scenario_s_name_is_unique_and_a_file_of_one_scenario_keeps_its_stem() {
    // The same multi-scenario stream in two folders: each of its scenarios
    // is found twice, the usual duplicate error naming both files.
    let root = tempfile::tempdir().unwrap();
    for folder in ["a", "b"] {
        std::fs::create_dir(root.path().join(folder)).unwrap();
        std::fs::copy(
            fixture("k6/mixed.k6.ndjson"),
            root.path().join(folder).join("mixed.k6.ndjson"),
        )
        .unwrap();
    }
    let out = tempfile::tempdir().unwrap();
    let run = check(&[root.path().to_str().unwrap(), "--no-fail"], out.path());
    assert_eq!(run.code, 2, "{}", run.stderr);
    for tag in ["api", "browse", "ingest"] {
        let line = format!("scenario `mixed/{tag}` is found in 2 places: ");
        assert!(run.stderr.contains(&line), "{tag}: {}", run.stderr);
    }
    assert!(
        run.stderr.contains("a/mixed.k6.ndjson") && run.stderr.contains("b/mixed.k6.ndjson"),
        "{}",
        run.stderr
    );
    // A stream of one scenario (here `default`, by k6's own name) is the file's.
    let out = tempfile::tempdir().unwrap();
    let run = check(&["fixtures/k6/failing.k6.ndjson", "--no-fail"], out.path());
    let summary = run.summary.unwrap();
    assert_eq!(scenario_tools(&summary), [("failing", "k6")]);
    assert!(scenario(&summary, "failing")["files"].get("part").is_none());
}

#[test]
fn thresholds_and_windows_judge_a_k6_scenario() {
    let buy = read("checkout.k6.ndjson")
        .parts
        .remove("checkout/buy")
        .unwrap();
    let place_order = &buy.endpoints[&("POST".to_string(), "place order".to_string())];
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("loadgate.toml");
    std::fs::write(
        &cfg,
        "[defaults]\nthresholds = [\"p95 < 10s\", \"p95 < 1ms for 2s\"]\n[scenarios.\"checkout/buy\"]\n[[scenarios.\"checkout/buy\".endpoint]]\nname = \"place order\"\nthresholds = [\"success_rate >= 99%\"]\n",
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
    let s = scenario(&summary, "checkout/buy");
    assert_eq!(s["config_key"], "checkout/buy", "{s}");
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
        Some(buy.total.percentile(9500))
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
    // The other k6 scenario of the file gets the defaults only.
    let browse = scenario(&summary, "checkout/browse");
    assert!(browse["config_key"].is_null(), "{browse}");
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

#[test]
fn malformed_k6_files_are_exit_2_with_their_line_and_the_others_are_still_reported() {
    let ndjson = std::fs::read_to_string(fixture("k6/failing.k6.ndjson")).unwrap();
    let csv = std::fs::read_to_string(fixture("k6/failing_csv.k6.csv")).unwrap();
    // The first line (1-based) that is a point of `metric`, and its text.
    let line_of = |text: &str, metric: &str| {
        let (json, csv) = (format!("\"metric\":\"{metric}\""), format!("{metric},"));
        text.lines()
            .enumerate()
            .find(|(_, l)| (l.contains(&json) && l.contains("\"Point\"")) || l.starts_with(&csv))
            .map(|(i, l)| (i as u64 + 1, l.to_string()))
            .unwrap()
    };
    // Cut in the middle of a request's line.
    let cut = |text: &str, needle: &str| {
        let (n, line) = line_of(text, needle);
        let start = text.find(&line).unwrap();
        (text[..start + line.len() / 2].to_string(), n)
    };
    let (nd_cut, nd_cut_line) = cut(&ndjson, "http_req_duration");
    let (csv_cut, csv_cut_line) = cut(&csv, "http_req_duration");
    let (nd_line, nd_text) = line_of(&ndjson, "http_req_duration");
    let nd_wrong = ndjson.replacen(
        &nd_text,
        &nd_text.replacen("\"value\":", "\"value\":\"slow\",\"x\":", 1),
        1,
    );
    let (csv_line, csv_text) = line_of(&csv, "http_req_duration");
    let mut fields: Vec<&str> = csv_text.split(',').collect();
    fields[2] = "slow";
    let csv_wrong = csv.replacen(&csv_text, &fields.join(","), 1);
    let (ts_line, ts_text) = line_of(&csv, "vus");
    let csv_bad_time = csv.replacen(&ts_text, &ts_text.replacen("vus,", "vus,yesterday", 1), 1);
    let cases: Vec<(&str, String, String)> = vec![
        (
            "cut.k6.ndjson",
            nd_cut,
            format!("cut.k6.ndjson:{nd_cut_line}: not a k6 JSON output line"),
        ),
        (
            "cut.k6.csv",
            csv_cut,
            format!("cut.k6.csv:{csv_cut_line}: the line has "),
        ),
        (
            "wrong.k6.ndjson",
            nd_wrong,
            format!(
                "wrong.k6.ndjson:{nd_line}: not a k6 JSON output line: invalid type: string \"slow\""
            ),
        ),
        (
            "wrong.k6.csv",
            csv_wrong,
            format!(
                "wrong.k6.csv:{csv_line}: expected a finite number of 0 or more, found `slow` (column \"metric_value\")"
            ),
        ),
        (
            "time.k6.csv",
            csv_bad_time,
            format!("time.k6.csv:{ts_line}: `yesterday1772546400` is not a k6 CSV timestamp"),
        ),
        (
            "empty.k6.csv",
            String::new(),
            "empty.k6.csv:1: not a k6 result".to_string(),
        ),
        (
            "empty.k6.ndjson",
            String::new(),
            "empty.k6.ndjson:1: not a k6 result".to_string(),
        ),
        (
            "header.k6.csv",
            csv.lines().next().unwrap().to_string() + "\n",
            "header.k6.csv: holds no HTTP requests".to_string(),
        ),
    ];
    for (file, content, expected) in cases {
        let dir = beside_a_locust_set(&[]);
        std::fs::write(dir.path().join(file), content).unwrap();
        let out = tempfile::tempdir().unwrap();
        let run = check(&[dir.path().to_str().unwrap(), "--no-fail"], out.path());
        assert!(run.stderr.contains(&expected), "{file}: {}", run.stderr);
        let summary = run
            .summary
            .unwrap_or_else(|| panic!("{file}: {}", run.stderr));
        let locust = scenario(&summary, "scenario1_concurrent_deployments");
        assert!(locust["totals"]["requests"].as_u64().unwrap() > 0, "{file}");
        if file.starts_with("header") {
            // Only a header: read, with a warning, and nothing to judge.
            assert_eq!(run.code, 0, "{file}: {}", run.stderr);
            continue;
        }
        assert_eq!(run.code, 2, "{file}: {}", run.stderr);
        let s = scenario(&summary, file.split('.').next().unwrap());
        assert!(
            s["errors"][0].as_str().unwrap().contains(&expected),
            "{file}: {s}"
        );
    }
}
