//! hey's `-o csv` output: real hey 0.1.4 runs in `fixtures/hey/` (made by
//! `fixtures/gen/generate_hey_oha.sh`). Each summary.json equals an
//! independent reading of the rows (counts, failures, nearest-rank
//! percentiles, min/max/mean, run length, rates, failures table, the
//! per-second history behind the steady rate and the windows); malformed
//! files are exit 2 with file:line; a hey file sits beside a Locust set in
//! one report, under its own name or as a plain `NAME.csv`.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::util::{
    LEVELS, beside_a_locust_set, check, fixture, nearest_rank, scenario, scenario_tools,
};

/// One row as written: seconds.
struct Row {
    response_time_s: f64,
    status: u16,
    offset_s: f64,
}

/// A CSV read with the csv crate, by hey's header names.
fn rows(name: &str) -> Vec<Row> {
    let mut reader = csv::Reader::from_path(fixture(&format!("hey/{name}.hey.csv"))).unwrap();
    let headers = reader.headers().unwrap().clone();
    assert_eq!(
        headers.iter().collect::<Vec<_>>(),
        [
            "response-time",
            "DNS+dialup",
            "DNS",
            "Request-write",
            "Response-delay",
            "Response-read",
            "status-code",
            "offset"
        ],
        "hey 0.1.4's header"
    );
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            Row {
                response_time_s: r[0].parse().unwrap(),
                status: r[6].parse().unwrap(),
                offset_s: r[7].parse().unwrap(),
            }
        })
        .collect()
}

/// Nearest rank: the value at 1-based rank ⌈n × p⌉ of the sorted times, in ms.
fn percentile(sorted_ms: &[f64], hundredths: u64) -> f64 {
    nearest_rank(sorted_ms, hundredths)
}

/// A time of the file in ms, as the 0.1 ms step it is (`0.0154` s → 15.4).
fn ms(seconds: f64) -> f64 {
    (seconds * 10_000.0).round() / 10.0
}

/// What a run's rows say, computed here.
struct Expected {
    requests: u64,
    failures: u64,
    sorted_ms: Vec<f64>,
    mean_ms: f64,
    duration_s: f64,
    /// Status → count, statuses of 400 or more.
    failed_statuses: BTreeMap<u16, u64>,
    /// Whole second of the start (seconds after hey started) → requests.
    per_second: BTreeMap<i64, u64>,
}

fn expected(rows: &[Row]) -> Expected {
    let mut sorted_ms: Vec<f64> = rows.iter().map(|r| ms(r.response_time_s)).collect();
    sorted_ms.sort_by(f64::total_cmp);
    let first = rows
        .iter()
        .map(|r| r.offset_s)
        .fold(f64::INFINITY, f64::min);
    let last = rows
        .iter()
        .map(|r| r.offset_s + r.response_time_s)
        .fold(0.0, f64::max);
    let mut failed_statuses = BTreeMap::new();
    let mut per_second = BTreeMap::new();
    for r in rows {
        if r.status >= 400 {
            *failed_statuses.entry(r.status).or_insert(0) += 1;
        }
        *per_second.entry(r.offset_s.floor() as i64).or_insert(0) += 1;
    }
    Expected {
        requests: rows.len() as u64,
        failures: failed_statuses.values().sum(),
        mean_ms: rows.iter().map(|r| r.response_time_s * 1000.0).sum::<f64>() / rows.len() as f64,
        sorted_ms,
        duration_s: last - first,
        failed_statuses,
        per_second,
    }
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-6 * b.abs().max(1.0)
}

fn assert_stats(e: &Expected, json: &Value, what: &str) {
    assert_eq!(json["requests"].as_u64(), Some(e.requests), "{what}");
    assert_eq!(json["failures"].as_u64(), Some(e.failures), "{what}");
    let num = |k: &str| {
        json[k]
            .as_f64()
            .unwrap_or_else(|| panic!("{what} {k}: {json}"))
    };
    assert_eq!(num("min_ms"), e.sorted_ms[0], "{what}");
    assert_eq!(num("max_ms"), *e.sorted_ms.last().unwrap(), "{what}");
    assert!(
        close(num("avg_ms"), e.mean_ms),
        "{what} avg {}",
        num("avg_ms")
    );
    assert_eq!(num("median_ms"), percentile(&e.sorted_ms, 5000), "{what}");
    let rps = e.requests as f64 / e.duration_s;
    assert!(close(num("rps"), rps), "{what} rps {} vs {rps}", num("rps"));
    let fps = e.failures as f64 / e.duration_s;
    assert!(close(num("failures_per_s"), fps), "{what} failures/s");
    let want = 100.0 * (e.requests - e.failures) as f64 / e.requests as f64;
    assert!(close(num("success_rate"), want), "{what} success rate");
    let percentiles = json["percentiles_ms"].as_object().unwrap();
    assert_eq!(percentiles.len(), LEVELS.len(), "{what}");
    for (label, hundredths) in LEVELS {
        assert_eq!(
            percentiles[label].as_f64(),
            Some(percentile(&e.sorted_ms, hundredths)),
            "{what} p{label}"
        );
    }
}

#[test]
fn each_hey_csv_reads_exactly_as_its_rows_say() {
    for name in ["browse", "login"] {
        let path = format!("fixtures/hey/{name}.hey.csv");
        let out = tempfile::tempdir().unwrap();
        let run = check(&[&path, "--no-fail"], out.path());
        assert_eq!(run.code, 0, "{name}: {}", run.stderr);
        let summary = run.summary.unwrap();
        let s = scenario(&summary, name);
        assert_eq!(
            s["tool"],
            serde_json::json!({"name": "hey", "version": null})
        );
        assert_eq!(s["files"]["stats"], path.as_str());
        assert_eq!(s["errors"].as_array().unwrap().len(), 0, "{s}");
        assert_eq!(s["warnings"].as_array().unwrap().len(), 0, "{s}");

        let e = expected(&rows(name));
        assert_stats(&e, &s["totals"], &format!("{name} total"));
        // One endpoint, named after the file: the CSV has no URL.
        let endpoints = s["endpoints"].as_array().unwrap();
        assert_eq!(endpoints.len(), 1, "{name}");
        assert_eq!(endpoints[0]["name"], name);
        assert_eq!(endpoints[0]["method"], "");
        assert_stats(&e, &endpoints[0], &format!("{name} endpoint"));
        assert_eq!(s["duration_s"].as_i64(), Some(e.duration_s.round() as i64));
        assert_eq!(s["duration_source"], "stats");

        // The history: the seconds of the offsets. hey's CSV has no wall
        // clock, so the summary gives no dates.
        let first = *e.per_second.keys().next().unwrap();
        let last = *e.per_second.keys().next_back().unwrap();
        assert!(s["started_at"].is_null(), "{name}: {}", s["started_at"]);
        assert!(s["ended_at"].is_null(), "{name}: {}", s["ended_at"]);
        assert_eq!(s["history_percentiles"], "windowed");
        assert!(s["peak_users"].is_null(), "{name}: -c is not in the file");
        // No user count: the steady part is the whole run, and its rate the
        // requests after the first second over the seconds after it.
        let after_first: u64 = e.per_second.range(first + 1..).map(|(_, n)| n).sum();
        let steady = after_first as f64 / (last - first) as f64;
        assert_eq!(s["steady"]["start_offset_s"], 0, "{name}");
        assert!(
            close(s["steady"]["rps"].as_f64().unwrap(), steady),
            "{name}: steady {} vs {steady}",
            s["steady"]["rps"]
        );

        let failures: BTreeMap<String, u64> = s["failures"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                assert_eq!(f["name"], name);
                (
                    f["error"].as_str().unwrap().to_string(),
                    f["occurrences"].as_u64().unwrap(),
                )
            })
            .collect();
        let want: BTreeMap<String, u64> = e
            .failed_statuses
            .iter()
            .map(|(s, n)| (format!("HTTP {s}"), *n))
            .collect();
        assert_eq!(failures, want, "{name}");
    }
}

#[test]
fn the_fixtures_are_a_passing_run_and_a_throttled_slow_one() {
    let browse = expected(&rows("browse"));
    assert!(browse.requests > 500, "{}", browse.requests);
    assert_eq!(browse.failures, 0);
    assert!((2.5..4.0).contains(&browse.duration_s));
    let login = expected(&rows("login"));
    // The login throttle's 429s, some 200s, and the stall's +400 ms spell.
    assert_eq!(login.failed_statuses.keys().collect::<Vec<_>>(), [&429]);
    assert!(login.failures < login.requests);
    assert!(*login.sorted_ms.last().unwrap() > 400.0);
    assert!(percentile(&login.sorted_ms, 5000) < 100.0);
    // Rows come in the order responses arrived, not by start.
    let offsets: Vec<f64> = rows("login").iter().map(|r| r.offset_s).collect();
    assert!(offsets.windows(2).any(|w| w[1] < w[0]));
    // hey writes four decimals of a second.
    let text = std::fs::read_to_string(fixture("hey/login.hey.csv")).unwrap();
    let second = text.lines().nth(1).unwrap();
    assert!(
        second.split(',').all(|f| f.len() == 6 || !f.contains('.')),
        "{second}"
    );
}

#[test]
fn thresholds_and_windows_judge_a_hey_run() {
    let login = rows("login");
    let e = expected(&login);
    // Each second's p95 (nearest rank), by the second of the start.
    let mut seconds: BTreeMap<i64, Vec<f64>> = BTreeMap::new();
    for r in &login {
        seconds
            .entry(r.offset_s.floor() as i64)
            .or_default()
            .push(ms(r.response_time_s));
    }
    let p95s: Vec<f64> = seconds
        .values_mut()
        .map(|v| {
            v.sort_by(f64::total_cmp);
            percentile(v, 9500)
        })
        .collect();
    let worst = p95s.iter().copied().fold(0.0, f64::max);
    assert!(worst > 300.0, "the stall shows in a second's p95: {p95s:?}");

    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("loadgate.toml");
    std::fs::write(
        &cfg,
        "[defaults]\nthresholds = [\"p95 < 10s\", \"p95 < 100ms for 1s\", \"p95 < 10s for 2s\", \"success_rate >= 99%\"]\n",
    )
    .unwrap();
    let out = tempfile::tempdir().unwrap();
    let run = check(
        &[
            "fixtures/hey/login.hey.csv",
            "--config",
            cfg.to_str().unwrap(),
        ],
        out.path(),
    );
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    let summary = run.summary.unwrap();
    let s = scenario(&summary, "login");
    let find = |t: &str| {
        s["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["threshold"] == t && c["endpoint"].is_null())
            .unwrap_or_else(|| panic!("{t} in {}", s["checks"]))
    };
    assert_eq!(find("p95 < 10s")["passed"], true);
    assert_eq!(
        find("p95 < 10s")["actual"].as_f64(),
        Some(percentile(&e.sorted_ms, 9500))
    );
    let window = find("p95 < 100ms for 1s");
    assert_eq!(window["kind"], "window");
    assert_eq!(window["passed"], false, "{window}");
    assert_eq!(
        window["window"]["stretch"]["worst"].as_f64(),
        Some(worst),
        "{window}"
    );
    assert_eq!(find("p95 < 10s for 2s")["passed"], true);
    assert_eq!(find("success_rate >= 99%")["passed"], false);
}

#[test]
fn hey_files_beside_a_locust_set_make_one_report_also_as_plain_csv() {
    let dir = beside_a_locust_set(&[
        ("hey/browse.hey.csv", "browse.hey.csv"),
        // `hey -o csv URL > run.csv`: hey's by its header.
        ("hey/login.hey.csv", "login.csv"),
    ]);
    // An unrelated CSV beside them is not a result set.
    std::fs::write(dir.path().join("notes.csv"), "a,b\n1,2\n").unwrap();
    let out = tempfile::tempdir().unwrap();
    let run = check(&[dir.path().to_str().unwrap(), "--no-fail"], out.path());
    assert_eq!(run.code, 0, "{}", run.stderr);
    let summary = run.summary.unwrap_or_else(|| panic!("{}", run.stderr));
    assert_eq!(
        scenario_tools(&summary),
        [
            ("browse", "hey"),
            ("login", "hey"),
            ("scenario1_concurrent_deployments", "locust")
        ]
    );
    let e = expected(&rows("login"));
    assert_eq!(
        scenario(&summary, "login")["totals"]["requests"].as_u64(),
        Some(e.requests)
    );
    // As a PATH of its own, too.
    let out = tempfile::tempdir().unwrap();
    let single = check(
        &[dir.path().join("login.csv").to_str().unwrap(), "--no-fail"],
        out.path(),
    );
    assert_eq!(single.code, 0, "{}", single.stderr);
    assert_eq!(scenario_tools(&single.summary.unwrap()), [("login", "hey")]);
}

#[test]
fn malformed_hey_csvs_are_exit_2_with_file_and_line_and_the_rest_is_reported() {
    let text = std::fs::read_to_string(fixture("hey/login.hey.csv")).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        fixture("hey/browse.hey.csv"),
        dir.path().join("browse.hey.csv"),
    )
    .unwrap();
    // Truncated: cut in the middle of line 11.
    let cut = lines[..10].join("\n").len() + 1 + 9;
    std::fs::write(dir.path().join("truncated.hey.csv"), &text[..cut]).unwrap();
    // A word where the status code is (line 6).
    let mut bad: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
    bad[5] = bad[5]
        .replacen(",429,", ",Too Many,", 1)
        .replacen(",200,", ",OK,", 1);
    std::fs::write(dir.path().join("wrongtype.hey.csv"), bad.join("\n")).unwrap();
    std::fs::write(dir.path().join("empty.hey.csv"), "").unwrap();

    let out = tempfile::tempdir().unwrap();
    let run = check(&[dir.path().to_str().unwrap(), "--no-fail"], out.path());
    assert_eq!(run.code, 2, "{}\n{}", run.stdout, run.stderr);
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    for want in [
        "truncated.hey.csv:11: the line has 2 fields but the header has 8".to_string(),
        format!(
            "wrongtype.hey.csv:6: expected an HTTP status code, found `{}` (column \"status-code\")",
            if bad[5].contains(",OK,") {
                "OK"
            } else {
                "Too Many"
            }
        ),
        "empty.hey.csv:1: the file is empty: expected hey's CSV header".to_string(),
    ] {
        assert!(run.stderr.contains(&want), "{want}\n{}", run.stderr);
    }
    // The readable scenario is still judged and written.
    let summary = run.summary.unwrap();
    let browse = scenario(&summary, "browse");
    assert_eq!(
        browse["totals"]["requests"].as_u64(),
        Some(expected(&rows("browse")).requests)
    );
    assert_eq!(scenario(&summary, "empty")["status"], "error");
}

#[test]
fn a_hey_csv_with_only_its_header_has_no_requests_and_fails_the_gate() {
    // hey writes no row for a request without a response: a run against a
    // target that is down leaves only the header.
    let text = std::fs::read_to_string(fixture("hey/browse.hey.csv")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("down.hey.csv");
    std::fs::write(&path, format!("{}\n", text.lines().next().unwrap())).unwrap();
    let out = tempfile::tempdir().unwrap();
    let run = check(&[path.to_str().unwrap()], out.path());
    assert_ne!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stderr
            .contains("down.hey.csv: holds no responses, only the header line"),
        "{}",
        run.stderr
    );
    let summary = run.summary.unwrap();
    assert_eq!(scenario(&summary, "down")["totals"]["requests"], 0);
    // Nothing to follow a window on, and the error says why in hey's terms.
    let cfg = dir.path().join("loadgate.toml");
    std::fs::write(&cfg, "[defaults]\nthresholds = [\"p95 < 1s for 2s\"]\n").unwrap();
    let out = tempfile::tempdir().unwrap();
    let run = check(
        &[path.to_str().unwrap(), "--config", cfg.to_str().unwrap()],
        out.path(),
    );
    assert_eq!(run.code, 2, "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains(
            "`p95 < 1s for 2s` needs per-second data, and this hey CSV holds no responses to make it from"
        ),
        "{}",
        run.stderr
    );
}
