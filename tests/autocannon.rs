//! autocannon results: real autocannon 9.0.0 output (`-j`) in
//! `fixtures/autocannon/` (made by `fixtures/gen/generate_autocannon.sh`).
//! Each result's summary.json equals the file's own figures, read here
//! independently as plain JSON and added up as autocannon counts them; a
//! result sits beside a Locust set in one report, also as a plain
//! `NAME.json`; malformed results are located; thresholds on what a summary
//! lacks are clear errors.

use serde_json::Value;

use crate::util::{beside_a_locust_set, check, fixture, scenario, scenario_tools};

const FIXTURES: [&str; 2] = ["deployments", "overload"];

fn result(name: &str) -> Value {
    let text =
        std::fs::read_to_string(fixture(&format!("autocannon/{name}.autocannon.json"))).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn u(v: &Value, key: &str) -> u64 {
    v[key]
        .as_u64()
        .unwrap_or_else(|| panic!("{key} is a count: {v}"))
}

/// autocannon's percentile keys and the labels loadgate gives them.
const KEYS: [(&str, &str); 15] = [
    ("p0_001", "0.001"),
    ("p0_01", "0.01"),
    ("p0_1", "0.1"),
    ("p1", "1"),
    ("p2_5", "2.5"),
    ("p10", "10"),
    ("p25", "25"),
    ("p50", "50"),
    ("p75", "75"),
    ("p90", "90"),
    ("p97_5", "97.5"),
    ("p99", "99"),
    ("p99_9", "99.9"),
    ("p99_99", "99.99"),
    ("p99_999", "99.999"),
];

fn assert_stats(json: &Value, r: &Value, what: &str) {
    let responses = u(&r["requests"], "total");
    let errors = u(r, "errors");
    let requests = responses + errors;
    let failures = errors + u(r, "non2xx").max(u(r, "mismatches"));
    assert_eq!(json["requests"].as_u64(), Some(requests), "{what}");
    assert_eq!(json["failures"].as_u64(), Some(failures), "{what}");
    let duration = r["duration"].as_f64().unwrap();
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-9 * b.abs().max(1.0);
    assert!(close(
        json["rps"].as_f64().unwrap(),
        requests as f64 / duration
    ));
    assert!(close(
        json["failures_per_s"].as_f64().unwrap(),
        failures as f64 / duration
    ));
    let want_rate = (requests - failures) as f64 * 100.0 / requests as f64;
    assert!(close(json["success_rate"].as_f64().unwrap(), want_rate));
    let lat = &r["latency"];
    assert_eq!(json["median_ms"], lat["p50"], "{what}");
    assert_eq!(json["avg_ms"], lat["mean"], "{what}");
    assert_eq!(json["min_ms"], lat["min"], "{what}");
    assert_eq!(json["max_ms"], lat["max"], "{what}");
    let mut want = serde_json::Map::new();
    for (key, label) in KEYS {
        want.insert(label.to_string(), lat[key].clone());
    }
    assert_eq!(json["percentiles_ms"], Value::Object(want), "{what}");
}

#[test]
fn every_result_reads_as_its_own_figures_say() {
    for name in FIXTURES {
        let out = tempfile::tempdir().unwrap();
        let path = format!("fixtures/autocannon/{name}.autocannon.json");
        let run = check(&[&path, "--no-fail"], out.path());
        assert_eq!(run.code, 0, "{name}: {}", run.stderr);
        let summary = run.summary.unwrap();
        let s = scenario(&summary, name);
        assert_eq!(
            s["tool"],
            serde_json::json!({"name": "autocannon", "version": null})
        );
        assert_eq!(s["errors"].as_array().unwrap().len(), 0, "{name}: {s}");
        assert_eq!(s["warnings"].as_array().unwrap().len(), 0, "{name}: {s}");
        assert_eq!(s["files"]["stats"], path.as_str());
        let r = result(name);
        assert_stats(&s["totals"], &r, name);
        let duration = r["duration"].as_f64().unwrap();
        assert_eq!(s["duration_s"].as_i64(), Some(duration.round() as i64));
        assert_eq!(s["duration_source"], "stats");
        assert!(s["history_percentiles"].is_null(), "{name}: no history");
        assert!(s["peak_users"].is_null(), "{name}");

        // One endpoint for one URL, named by its path; none for several.
        let endpoints = s["endpoints"].as_array().unwrap();
        let names: Vec<&str> = endpoints
            .iter()
            .map(|e| e["name"].as_str().unwrap())
            .collect();
        match &r["url"] {
            Value::String(url) => {
                let path = &url[url.find("/api/").unwrap()..];
                assert_eq!(names, [path], "{name}");
                assert_eq!(endpoints[0]["method"], "");
                assert_stats(&endpoints[0], &r, name);
            }
            urls => {
                assert!(urls.as_array().unwrap().len() > 1);
                assert!(names.is_empty(), "{name}: {names:?}");
            }
        }

        // The failures table: every status code outside 2xx, and the timeouts.
        let mut want: Vec<(String, u64)> = r["statusCodeStats"]
            .as_object()
            .unwrap()
            .iter()
            .filter(|(code, _)| !code.starts_with('2'))
            .map(|(code, c)| (format!("HTTP {code}"), u(c, "count")))
            .collect();
        if u(&r, "timeouts") > 0 {
            want.push(("request timed out".into(), u(&r, "timeouts")));
        }
        want.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        let got: Vec<(String, u64)> = s["failures"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                (
                    f["error"].as_str().unwrap().to_string(),
                    u(f, "occurrences"),
                )
            })
            .collect();
        assert_eq!(got, want, "{name}");
    }
}

#[test]
fn the_fixtures_are_what_autocannon_counts() {
    for name in FIXTURES {
        let r = result(name);
        let responses = u(&r["requests"], "total");
        // Every response is in one status class and one status code.
        let classes: u64 = ["1xx", "2xx", "3xx", "4xx", "5xx"]
            .iter()
            .map(|c| u(&r, c))
            .sum();
        assert_eq!(classes, responses, "{name}");
        assert_eq!(u(&r, "2xx") + u(&r, "non2xx"), responses, "{name}");
        let codes: u64 = r["statusCodeStats"]
            .as_object()
            .unwrap()
            .values()
            .map(|c| u(c, "count"))
            .sum();
        assert_eq!(codes, responses, "{name}");
        // Every response's latency was recorded (no -x, no -R).
        assert_eq!(u(&r["latency"], "totalCount"), responses, "{name}");
        // `sent` also counts the one request per connection in flight at
        // the stop, which has no outcome: loadgate's requests leave it out.
        assert_eq!(
            u(&r["requests"], "sent"),
            responses + u(&r, "errors") + u(&r, "connections"),
            "{name}"
        );
        // autocannon counts a timeout as an error, too.
        assert!(u(&r, "timeouts") <= u(&r, "errors"));
        // Whole milliseconds, in order.
        let values: Vec<f64> = KEYS
            .iter()
            .map(|(k, _)| r["latency"][k].as_f64().unwrap())
            .collect();
        assert!(values.iter().all(|v| v.fract() == 0.0), "{name}");
        assert!(values.windows(2).all(|w| w[0] <= w[1]), "{name}");
        // The duration is the start-to-finish span, to autocannon's 10 ms.
        let secs = |key: &str| {
            let t = r[key].as_str().unwrap();
            let clock = &t[11..t.len() - 1];
            let mut parts = clock.split(':');
            let h: f64 = parts.next().unwrap().parse().unwrap();
            let m: f64 = parts.next().unwrap().parse().unwrap();
            let s: f64 = parts.next().unwrap().parse().unwrap();
            h * 3600.0 + m * 60.0 + s
        };
        let span = secs("finish") - secs("start");
        assert!(
            (span - r["duration"].as_f64().unwrap()).abs() <= 0.011,
            "{name}: {span}"
        );
    }
    // The failing run: 503s, timeouts and slow responses.
    let r = result("overload");
    assert!(u(&r, "5xx") > 0 && u(&r, "timeouts") > 0);
    assert!(r["latency"]["p50"].as_f64().unwrap() > 200.0);
}

#[test]
fn results_beside_a_locust_set_make_one_report_also_as_plain_json() {
    let dir = beside_a_locust_set(&[
        (
            "autocannon/deployments.autocannon.json",
            "deployments.autocannon.json",
        ),
        ("autocannon/overload.autocannon.json", "overload.json"),
    ]);
    // The demo set's own Locust JSON stays Locust's.
    std::fs::copy(
        fixture("baseline/base/checkout_api.json"),
        dir.path().join("scenario1_concurrent_deployments.json"),
    )
    .unwrap();
    let out = tempfile::tempdir().unwrap();
    let run = check(&[dir.path().to_str().unwrap(), "--no-fail"], out.path());
    let summary = run.summary.unwrap_or_else(|| panic!("{}", run.stderr));
    assert_eq!(
        scenario_tools(&summary),
        [
            ("deployments", "autocannon"),
            ("overload", "autocannon"),
            ("scenario1_concurrent_deployments", "locust")
        ]
    );
    let locust = scenario(&summary, "scenario1_concurrent_deployments");
    assert!(
        locust["files"]["json"]
            .as_str()
            .unwrap()
            .ends_with("scenario1_concurrent_deployments.json"),
        "{locust}"
    );
    assert_stats(
        &scenario(&summary, "overload")["totals"],
        &result("overload"),
        "plain",
    );
    // Named alone, a plain-named result is read too.
    let out = tempfile::tempdir().unwrap();
    let file = dir.path().join("overload.json");
    let run = check(&[file.to_str().unwrap(), "--no-fail"], out.path());
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        scenario_tools(&run.summary.unwrap()),
        [("overload", "autocannon")]
    );
}

#[test]
fn malformed_results_are_located_and_the_rest_still_reported() {
    let text = std::fs::read_to_string(fixture("autocannon/overload.autocannon.json")).unwrap();
    // (case, content, line, message)
    let cases = [
        (
            "truncated",
            text[..text.len() / 2].to_string(),
            ":1",
            "EOF while parsing",
        ),
        (
            "wrong_type",
            text.replacen("\"errors\":20", "\"errors\":\"20\"", 1),
            ":1",
            "at errors: invalid type: string \"20\", expected u64",
        ),
        ("empty", String::new(), "", "an empty file"),
        (
            "a_list",
            "\n[1, 2]\n".to_string(),
            ":2",
            "expected a JSON object, found `[`",
        ),
    ];
    assert!(text.contains("\"errors\":20"), "the fixture has 20 errors");
    for (case, body, line, message) in cases {
        let dir = tempfile::tempdir().unwrap();
        std::fs::copy(
            fixture("autocannon/deployments.autocannon.json"),
            dir.path().join("deployments.autocannon.json"),
        )
        .unwrap();
        let bad = dir.path().join(format!("{case}.autocannon.json"));
        std::fs::write(&bad, body).unwrap();
        let out = tempfile::tempdir().unwrap();
        let run = check(&[dir.path().to_str().unwrap(), "--no-fail"], out.path());
        assert_eq!(run.code, 2, "{case}: {}", run.stderr);
        let want = format!("error: {}{line}: ", bad.display());
        assert!(
            run.stderr.contains(&want),
            "{case}: {want} in {}",
            run.stderr
        );
        assert!(run.stderr.contains(message), "{case}: {}", run.stderr);
        let summary = run.summary.unwrap();
        assert_eq!(scenario(&summary, "deployments")["status"], "passed");
        assert_eq!(scenario(&summary, case)["status"], "error");
    }
}

#[test]
fn thresholds_on_what_a_summary_lacks_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("loadgate.toml");
    std::fs::write(
        &cfg,
        "[defaults]\nthresholds = [\"p97.5 < 50ms\", \"p99.999 < 1s\", \"p95 < 1s\", \"p99 < 1s for 2s\"]\n",
    )
    .unwrap();
    let out = tempfile::tempdir().unwrap();
    let run = check(
        &[
            "fixtures/autocannon/deployments.autocannon.json",
            "--config",
            cfg.to_str().unwrap(),
        ],
        out.path(),
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("the data has no p95 column; percentiles present: p0.001, p0.01, p0.1, p1, p2.5, p10, p25, p50, p75, p90, p97.5, p99, p99.9, p99.99, p99.999"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("`p99 < 1s for 2s` needs per-second data, and this autocannon file is a summary of the whole run without any"),
        "{}",
        run.stderr
    );
    let s = scenario(run.summary.as_ref().unwrap(), "deployments");
    let checks = s["checks"].as_array().unwrap();
    let p97_5 = checks
        .iter()
        .find(|c| c["threshold"] == "p97.5 < 50ms")
        .unwrap();
    assert_eq!(p97_5["actual"], result("deployments")["latency"]["p97_5"]);
    assert_eq!(p97_5["passed"], true);
}
