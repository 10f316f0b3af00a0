//! oha's JSON summary: real oha 1.16.0 runs in `fixtures/oha/` (made by
//! `fixtures/gen/generate_hey_oha.sh`). Each summary.json equals the file's
//! own figures read here (requests and failures from the status and error
//! distributions, oha's times and percentiles, run length, rates, failures
//! table), and those agree with oha's printed `successRate`,
//! `requestsPerSec` and `metrics`; a percentile the file lacks and a
//! windowed threshold are config errors; malformed files are exit 2 with
//! file:line; an oha file sits beside a Locust set in one report, under
//! its own name or as a plain `NAME.json`.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::util::{beside_a_locust_set, check, fixture, scenario, scenario_tools};

const DEADLINE: &str = "aborted due to deadline";

fn json(name: &str) -> Value {
    serde_json::from_str(
        &std::fs::read_to_string(fixture(&format!("oha/{name}.oha.json"))).unwrap(),
    )
    .unwrap()
}

/// Seconds as oha's whole nanoseconds, in ms.
fn ms(v: &Value) -> f64 {
    (v.as_f64().unwrap() * 1e9).round() / 1e6
}

/// What the file says, read here.
struct Expected {
    responses: u64,
    /// Errors other than the deadline's.
    errors: u64,
    deadline: u64,
    requests: u64,
    failures: u64,
    /// The failures table: error → occurrences.
    table: BTreeMap<String, u64>,
    total_s: f64,
}

fn expected(j: &Value) -> Expected {
    let mut table = BTreeMap::new();
    let mut responses = 0;
    for (code, n) in j["statusCodeDistribution"].as_object().unwrap() {
        let n = n.as_u64().unwrap();
        responses += n;
        if code.parse::<u16>().unwrap() >= 400 {
            table.insert(format!("HTTP {code}"), n);
        }
    }
    let (mut errors, mut deadline) = (0, 0);
    for (message, n) in j["errorDistribution"].as_object().unwrap() {
        let n = n.as_u64().unwrap();
        if message == DEADLINE {
            deadline += n;
        } else {
            errors += n;
            table.insert(message.clone(), n);
        }
    }
    Expected {
        responses,
        errors,
        deadline,
        requests: responses + errors,
        failures: table.values().sum(),
        table,
        total_s: j["summary"]["total"].as_f64().unwrap(),
    }
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * b.abs().max(1.0)
}

#[test]
fn each_oha_summary_reads_as_the_file_s_own_figures() {
    for name in ["deployments", "mixed"] {
        let path = format!("fixtures/oha/{name}.oha.json");
        let out = tempfile::tempdir().unwrap();
        let run = check(&[&path, "--no-fail"], out.path());
        assert_eq!(run.code, 0, "{name}: {}", run.stderr);
        let summary = run.summary.unwrap();
        let s = scenario(&summary, name);
        assert_eq!(
            s["tool"],
            serde_json::json!({"name": "oha", "version": null})
        );
        assert_eq!(s["files"]["stats"], path.as_str());
        assert_eq!(s["errors"].as_array().unwrap().len(), 0, "{s}");
        assert_eq!(s["warnings"].as_array().unwrap().len(), 0, "{s}");

        let j = json(name);
        let e = expected(&j);
        let t = &s["totals"];
        assert_eq!(t["requests"].as_u64(), Some(e.requests), "{name}");
        assert_eq!(t["failures"].as_u64(), Some(e.failures), "{name}");
        let num = |k: &str| t[k].as_f64().unwrap();
        assert!(close(num("rps"), e.requests as f64 / e.total_s), "{name}");
        assert!(close(num("failures_per_s"), e.failures as f64 / e.total_s));
        let rate = 100.0 * (e.requests - e.failures) as f64 / e.requests as f64;
        assert!(close(num("success_rate"), rate), "{name}");
        let sum = &j["summary"];
        assert_eq!(num("min_ms"), ms(&sum["fastest"]), "{name}");
        assert_eq!(num("max_ms"), ms(&sum["slowest"]), "{name}");
        assert_eq!(num("avg_ms"), ms(&sum["average"]), "{name}");
        let pct = j["latencyPercentiles"].as_object().unwrap();
        assert_eq!(num("median_ms"), ms(&pct["p50"]), "{name}");
        let want: serde_json::Map<String, Value> = pct
            .iter()
            .map(|(k, v)| (k[1..].to_string(), serde_json::json!(ms(v))))
            .collect();
        assert_eq!(t["percentiles_ms"], Value::Object(want), "{name}");
        assert_eq!(s["duration_s"].as_i64(), Some(e.total_s.round() as i64));
        assert_eq!(s["duration_source"], "stats");
        // Summary-only: no history, no users.
        for k in ["history_percentiles", "started_at", "peak_users", "steady"] {
            assert!(s[k].is_null(), "{name}: {k} = {}", s[k]);
        }
        let endpoints = s["endpoints"].as_array().unwrap();
        assert_eq!(endpoints.len(), 1, "{name}");
        assert_eq!(endpoints[0]["name"], name);
        assert_eq!(endpoints[0]["requests"], t["requests"]);
        assert_eq!(endpoints[0]["percentiles_ms"], t["percentiles_ms"]);
        let table: BTreeMap<String, u64> = s["failures"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                (
                    f["error"].as_str().unwrap().to_string(),
                    f["occurrences"].as_u64().unwrap(),
                )
            })
            .collect();
        assert_eq!(table, e.table, "{name}");

        // oha's own printed figures agree with this reading of its counts:
        // successRate is responses over requests bar the deadline's,
        // requestsPerSec counts the deadline's too, metrics.latency_ms is
        // the same times rounded to µs.
        let oha_rate = sum["successRate"].as_f64().unwrap();
        assert!(
            close(oha_rate, e.responses as f64 / e.requests as f64),
            "{name}"
        );
        let oha_rps = sum["requestsPerSec"].as_f64().unwrap();
        let all = (e.requests + e.deadline) as f64;
        assert!(close(oha_rps, all / e.total_s), "{name}: {oha_rps}");
        let m = &j["metrics"]["latency_ms"];
        for (theirs, ours) in [("min", "min_ms"), ("p50", "median_ms"), ("max", "max_ms")] {
            assert!(
                (m[theirs].as_f64().unwrap() - num(ours)).abs() <= 0.0005 + 1e-12,
                "{name} {theirs}"
            );
        }
        assert!(
            (m["p99"].as_f64().unwrap() - t["percentiles_ms"]["99"].as_f64().unwrap()).abs()
                <= 0.0005 + 1e-12
        );
    }
}

#[test]
fn the_fixtures_are_a_passing_run_and_one_with_409s_timeouts_and_a_deadline() {
    let deployments = expected(&json("deployments"));
    assert!(deployments.requests > 500);
    assert_eq!(deployments.failures, 0);
    let mixed = expected(&json("mixed"));
    let errors: Vec<&str> = mixed.table.keys().map(String::as_str).collect();
    assert_eq!(errors, ["HTTP 409", "timeout"]);
    assert!(mixed.errors > 0 && mixed.deadline > 0);
    // The slow connector: its 140 ms path is the slowest response.
    let slowest = json("mixed")["summary"]["slowest"].as_f64().unwrap();
    assert!((0.13..0.5).contains(&slowest), "{slowest}");
}

#[test]
fn a_percentile_oha_lacks_and_a_window_are_config_errors_naming_what_there_is() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("loadgate.toml");
    std::fs::write(
        &cfg,
        "[defaults]\nthresholds = [\"p95 < 1s\", \"p66 < 1s\", \"p95 < 1s for 5s\"]\n",
    )
    .unwrap();
    let out = tempfile::tempdir().unwrap();
    let run = check(
        &[
            "fixtures/oha/deployments.oha.json",
            "--config",
            cfg.to_str().unwrap(),
        ],
        out.path(),
    );
    assert_eq!(run.code, 2, "{}\n{}", run.stdout, run.stderr);
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    assert!(
        run.stderr.contains(
            "the data has no p66 column; percentiles present: p10, p25, p50, p75, p90, p95, p99, p99.9, p99.99"
        ),
        "{}",
        run.stderr
    );
    // oha's summary has no per-second series to follow a window on.
    assert!(
        run.stderr.contains(
            "`p95 < 1s for 5s` needs per-second data, and this oha file is a summary of the whole run without any; drop `for …` to judge the whole run"
        ),
        "{}",
        run.stderr
    );
    // The thresholds it can judge are judged.
    let summary = run.summary.unwrap();
    let s = scenario(&summary, "deployments");
    let p95 = s["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["threshold"] == "p95 < 1s" && c["endpoint"].is_null())
        .unwrap();
    assert_eq!(p95["passed"], true);
    assert_eq!(
        p95["actual"].as_f64(),
        Some(ms(&json("deployments")["latencyPercentiles"]["p95"]))
    );
}

#[test]
fn oha_files_beside_a_locust_set_make_one_report_also_as_plain_json() {
    let dir = beside_a_locust_set(&[
        ("oha/deployments.oha.json", "deployments.oha.json"),
        // `oha … > mixed.json`: oha's by its content.
        ("oha/mixed.oha.json", "mixed.json"),
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
            ("deployments", "oha"),
            ("mixed", "oha"),
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
    let mixed = scenario(&summary, "mixed");
    assert_eq!(
        mixed["totals"]["requests"].as_u64(),
        Some(expected(&json("mixed")).requests)
    );
    assert_eq!(mixed["endpoints"][0]["name"], "mixed");
    // Named alone, a plain-named summary is read too.
    let out = tempfile::tempdir().unwrap();
    let file = dir.path().join("mixed.json");
    let run = check(&[file.to_str().unwrap(), "--no-fail"], out.path());
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(scenario_tools(&run.summary.unwrap()), [("mixed", "oha")]);
}

#[test]
fn malformed_oha_files_are_exit_2_with_file_and_line_and_the_rest_is_reported() {
    let text = std::fs::read_to_string(fixture("oha/mixed.oha.json")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        fixture("oha/deployments.oha.json"),
        dir.path().join("deployments.oha.json"),
    )
    .unwrap();
    // Truncated in the middle of line 20.
    let cut: usize = text.lines().take(19).map(|l| l.len() + 1).sum::<usize>() + 5;
    std::fs::write(dir.path().join("truncated.oha.json"), &text[..cut]).unwrap();
    // A word where a count is.
    let line = text.lines().position(|l| l.contains("\"409\":")).unwrap() + 1;
    let bad = text.replacen("\"409\": ", "\"409\": \"many\", \"x\": ", 1);
    std::fs::write(dir.path().join("wrongtype.oha.json"), bad).unwrap();
    std::fs::write(dir.path().join("empty.oha.json"), "").unwrap();

    let out = tempfile::tempdir().unwrap();
    let run = check(&[dir.path().to_str().unwrap(), "--no-fail"], out.path());
    assert_eq!(run.code, 2, "{}\n{}", run.stdout, run.stderr);
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    for want in [
        "truncated.oha.json:20: not an oha JSON summary (oha --output-format json): at metrics: EOF while parsing an object".to_string(),
        format!(
            "wrongtype.oha.json:{line}: not an oha JSON summary (oha --output-format json): at statusCodeDistribution.409: invalid type: string \"many\", expected u64"
        ),
        "empty.oha.json: an empty file, not an oha JSON summary (oha --output-format json)".to_string(),
    ] {
        assert!(run.stderr.contains(&want), "{want}\n{}", run.stderr);
    }
    // The line is given once, not again in serde's words.
    assert!(!run.stderr.contains(" at line "), "{}", run.stderr);
    let summary = run.summary.unwrap();
    assert_eq!(
        scenario(&summary, "deployments")["totals"]["requests"].as_u64(),
        Some(expected(&json("deployments")).requests)
    );
    assert_eq!(scenario(&summary, "truncated")["status"], "error");
}
