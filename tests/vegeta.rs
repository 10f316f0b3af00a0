//! Vegeta reports: SYNTHETIC `vegeta report -type=json` files in
//! `fixtures/vegeta/` (made by `fixtures/gen/make_vegeta_fixtures.py` from
//! real requests, computed as Vegeta computes them; see its README).
//! Each report's summary.json equals the file's own figures, read here
//! independently as plain JSON (nanoseconds → ms, failures from the status
//! codes, the run from the first request's start to the last response's
//! end); a report sits beside a Locust set in one report, also as a plain
//! `NAME.json`; malformed reports are located; thresholds on what a summary
//! lacks are clear errors.

use serde_json::Value;

use crate::util::{beside_a_locust_set, check, fixture, scenario, scenario_tools};

const FIXTURES: [&str; 2] = ["steady", "stalled"];

fn text(name: &str) -> String {
    std::fs::read_to_string(fixture(&format!("vegeta/{name}.vegeta.json"))).unwrap()
}

fn report(name: &str) -> Value {
    serde_json::from_str(&text(name)).unwrap()
}

fn u(v: &Value, key: &str) -> u64 {
    v[key]
        .as_u64()
        .unwrap_or_else(|| panic!("{key} is a whole number: {v}"))
}

/// ns since midnight of a fixture time (`2026-…T11:21:45.840376711Z`).
fn ns_of_day(t: &str) -> u64 {
    assert!(t.ends_with('Z'), "{t}");
    let clock = &t[11..t.len() - 1];
    let (hms, frac) = clock.split_once('.').unwrap_or((clock, "0"));
    let mut parts = hms.split(':').map(|p| p.parse::<u64>().unwrap());
    let (h, m, s) = (
        parts.next().unwrap(),
        parts.next().unwrap(),
        parts.next().unwrap(),
    );
    let ns: u64 = format!("{frac:0<9}").parse().unwrap();
    ((h * 60 + m) * 60 + s) * 1_000_000_000 + ns
}

/// (requests, failures): failures are the codes outside 200–399.
fn counts(r: &Value) -> (u64, u64) {
    let mut failures = 0;
    let mut total = 0;
    for (code, n) in r["status_codes"].as_object().unwrap() {
        let n = n.as_u64().unwrap();
        total += n;
        if !(200..400).contains(&code.parse::<u16>().unwrap()) {
            failures += n;
        }
    }
    assert_eq!(total, u(r, "requests"), "status_codes add up to requests");
    (total, failures)
}

fn ms(r: &Value, key: &str) -> f64 {
    u(&r["latencies"], key) as f64 / 1e6
}

#[test]
fn every_report_reads_as_its_own_figures_say() {
    for name in FIXTURES {
        let out = tempfile::tempdir().unwrap();
        let path = format!("fixtures/vegeta/{name}.vegeta.json");
        let run = check(&[&path, "--no-fail"], out.path());
        assert_eq!(run.code, 0, "{name}: {}", run.stderr);
        let summary = run.summary.unwrap();
        let s = scenario(&summary, name);
        assert_eq!(
            s["tool"],
            serde_json::json!({"name": "vegeta", "version": null})
        );
        assert_eq!(s["errors"].as_array().unwrap().len(), 0, "{name}: {s}");
        assert_eq!(s["warnings"].as_array().unwrap().len(), 0, "{name}: {s}");
        let r = report(name);
        let (requests, failures) = counts(&r);
        let t = &s["totals"];
        assert_eq!(t["requests"].as_u64(), Some(requests), "{name}");
        assert_eq!(t["failures"].as_u64(), Some(failures), "{name}");
        let span_s = (u(&r, "duration") + u(&r, "wait")) as f64 / 1e9;
        let close = |a: f64, b: f64| (a - b).abs() <= 1e-9 * b.abs().max(1.0);
        assert!(close(t["rps"].as_f64().unwrap(), requests as f64 / span_s));
        assert!(close(
            t["failures_per_s"].as_f64().unwrap(),
            failures as f64 / span_s
        ));
        assert_eq!(s["duration_s"].as_i64(), Some(span_s.round() as i64));
        assert_eq!(s["duration_source"], "stats");
        for (ours, theirs) in [
            ("median_ms", "50th"),
            ("avg_ms", "mean"),
            ("min_ms", "min"),
            ("max_ms", "max"),
        ] {
            assert_eq!(t[ours].as_f64(), Some(ms(&r, theirs)), "{name} {ours}");
        }
        let want: serde_json::Map<String, Value> = [
            ("50", "50th"),
            ("90", "90th"),
            ("95", "95th"),
            ("99", "99th"),
        ]
        .iter()
        .map(|(label, key)| (label.to_string(), serde_json::json!(ms(&r, key))))
        .collect();
        assert_eq!(t["percentiles_ms"], Value::Object(want), "{name}");
        assert!(s["endpoints"].as_array().unwrap().is_empty(), "{name}");
        assert!(s["history_percentiles"].is_null() && s["peak_users"].is_null());

        // One failures row per failing code; code 0's names the transport errors.
        let rows = s["failures"].as_array().unwrap();
        let codes = r["status_codes"].as_object().unwrap();
        let failing: Vec<(&String, u64)> = codes
            .iter()
            .map(|(c, n)| (c, n.as_u64().unwrap()))
            .filter(|(c, _)| !(200..400).contains(&c.parse::<u16>().unwrap()))
            .collect();
        assert_eq!(rows.len(), failing.len(), "{name}: {rows:?}");
        for (code, n) in failing {
            let row = rows
                .iter()
                .find(|f| {
                    f["occurrences"].as_u64() == Some(n)
                        && (code == "0") == f["error"].as_str().unwrap().starts_with("no response")
                })
                .unwrap_or_else(|| panic!("{name}: code {code} in {rows:?}"));
            let error = row["error"].as_str().unwrap();
            if code == "0" {
                for e in r["errors"].as_array().unwrap() {
                    let e = e.as_str().unwrap();
                    assert_eq!(error.contains(e), !e.starts_with("503 "), "{name}: {e}");
                }
            } else {
                assert_eq!(error, format!("HTTP {code}"));
            }
        }
    }
}

#[test]
fn the_fixtures_are_what_vegeta_computes() {
    for name in FIXTURES {
        let r = report(name);
        let (requests, failures) = counts(&r);
        let successes = requests - failures;
        let (duration, wait) = (u(&r, "duration"), u(&r, "wait"));
        // The timestamps: attack = earliest → latest, wait = latest → end.
        let at = |k: &str| ns_of_day(r[k].as_str().unwrap());
        assert_eq!(at("latest") - at("earliest"), duration, "{name}");
        assert_eq!(at("end") - at("latest"), wait, "{name}");
        // rate over the attack, throughput (successes) over the whole span.
        let rel = |a: f64, b: f64| (a - b).abs() <= 1e-12 * b.max(1.0);
        assert!(rel(
            r["rate"].as_f64().unwrap(),
            requests as f64 / (duration as f64 / 1e9)
        ));
        assert!(rel(
            r["throughput"].as_f64().unwrap(),
            successes as f64 / ((duration + wait) as f64 / 1e9)
        ));
        assert_eq!(
            r["success"].as_f64().unwrap(),
            successes as f64 / requests as f64
        );
        let lat = &r["latencies"];
        assert_eq!(u(lat, "mean"), u(lat, "total") / requests, "{name}");
        let order: Vec<u64> = ["min", "50th", "90th", "95th", "99th", "max"]
            .iter()
            .map(|k| u(lat, k))
            .collect();
        assert!(order.windows(2).all(|w| w[0] <= w[1]), "{name}: {order:?}");
    }
    // The failing run: 503s, timeouts (code 0) and responses over 100 ms.
    let r = report("stalled");
    assert!(u(&r["status_codes"], "503") > 0 && u(&r["status_codes"], "0") > 0);
    let buckets: u64 = r["buckets"]
        .as_object()
        .unwrap()
        .values()
        .map(|n| n.as_u64().unwrap())
        .sum();
    assert_eq!(buckets, u(&r, "requests"));
    assert_eq!(
        u(&r["buckets"], "0"),
        0,
        "every response took 100 ms or more"
    );
}

#[test]
fn reports_beside_a_locust_set_make_one_report_also_as_plain_json() {
    let dir = beside_a_locust_set(&[
        ("vegeta/steady.vegeta.json", "steady.vegeta.json"),
        ("vegeta/stalled.vegeta.json", "stalled.json"),
        ("autocannon/overload.autocannon.json", "overload.json"),
    ]);
    let out = tempfile::tempdir().unwrap();
    let run = check(&[dir.path().to_str().unwrap(), "--no-fail"], out.path());
    let summary = run.summary.unwrap_or_else(|| panic!("{}", run.stderr));
    assert_eq!(
        scenario_tools(&summary),
        [
            ("overload", "autocannon"),
            ("scenario1_concurrent_deployments", "locust"),
            ("stalled", "vegeta"),
            ("steady", "vegeta")
        ]
    );
    let (requests, failures) = counts(&report("stalled"));
    let t = &scenario(&summary, "stalled")["totals"];
    assert_eq!(
        (t["requests"].as_u64(), t["failures"].as_u64()),
        (Some(requests), Some(failures))
    );
}

#[test]
fn a_file_of_reports_written_every_interval_is_read_as_its_last() {
    // `vegeta report -type=json -every=1s -output=FILE`: one report per line.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("every.vegeta.json");
    std::fs::write(&path, format!("{}{}", text("steady"), text("stalled"))).unwrap();
    let out = tempfile::tempdir().unwrap();
    let run = check(&[path.to_str().unwrap(), "--no-fail"], out.path());
    assert_eq!(run.code, 0, "{}", run.stderr);
    let t = &scenario(run.summary.as_ref().unwrap(), "every")["totals"];
    assert_eq!(
        t["requests"].as_u64(),
        Some(u(&report("stalled"), "requests"))
    );
}

#[test]
fn malformed_reports_are_located_and_the_rest_still_reported() {
    let good = text("stalled");
    let requests = u(&report("stalled"), "requests");
    let field = format!("\"requests\":{requests}");
    assert!(good.contains(&field));
    // (case, content, line, message)
    let cases = [
        (
            "truncated",
            good[..good.len() / 2].to_string(),
            ":1",
            "EOF while parsing".to_string(),
        ),
        (
            "wrong_type",
            good.replace(&field, &format!("\"requests\":\"{requests}\"")),
            ":1",
            format!("at requests: invalid type: string \"{requests}\", expected u64"),
        ),
        ("empty", String::new(), "", "an empty file".to_string()),
        (
            "codes_disagree",
            good.replace(&field, &format!("\"requests\":{}", requests + 1)),
            "",
            format!(
                "status_codes: the counts add up to {requests}, but requests is {}",
                requests + 1
            ),
        ),
        (
            "second_report_cut",
            format!("{}{}", text("steady"), &good[..40]),
            ":2",
            "EOF while parsing".to_string(),
        ),
    ];
    for (case, body, line, message) in cases {
        let dir = tempfile::tempdir().unwrap();
        std::fs::copy(
            fixture("vegeta/steady.vegeta.json"),
            dir.path().join("steady.vegeta.json"),
        )
        .unwrap();
        let bad = dir.path().join(format!("{case}.vegeta.json"));
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
        assert!(run.stderr.contains(&message), "{case}: {}", run.stderr);
        let summary = run.summary.unwrap();
        assert_eq!(scenario(&summary, "steady")["status"], "passed");
        assert_eq!(scenario(&summary, case)["status"], "error");
    }
}

#[test]
fn thresholds_on_what_a_summary_lacks_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("loadgate.toml");
    std::fs::write(
        &cfg,
        "[defaults]\nthresholds = [\"p95 < 600ms\", \"p75 < 1s\", \"p99 < 1s for 2s\", \"rps >= 30\"]\n",
    )
    .unwrap();
    let out = tempfile::tempdir().unwrap();
    let run = check(
        &[
            "fixtures/vegeta/stalled.vegeta.json",
            "--config",
            cfg.to_str().unwrap(),
        ],
        out.path(),
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("the data has no p75 column; percentiles present: p50, p90, p95, p99"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("`p99 < 1s for 2s` needs per-second data, and this Vegeta file is a summary of the whole run without any"),
        "{}",
        run.stderr
    );
    let s = scenario(run.summary.as_ref().unwrap(), "stalled");
    let find = |threshold: &str| {
        s["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["threshold"] == threshold)
            .unwrap_or_else(|| panic!("{threshold} in {s}"))
            .clone()
    };
    let r = report("stalled");
    assert_eq!(find("p95 < 600ms")["actual"].as_f64(), Some(ms(&r, "95th")));
    let rps = find("rps >= 30");
    let span_s = (u(&r, "duration") + u(&r, "wait")) as f64 / 1e9;
    assert_eq!(
        rps["actual"].as_f64(),
        Some(u(&r, "requests") as f64 / span_s)
    );
}
