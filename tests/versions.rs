//! Every Locust generation users run: real result sets of Locust 0.14.6 to
//! 2.47 (`fixtures/locust-versions/`, made by `fixtures/gen/generate_versions.sh`),
//! a distributed run, a run against a dead target, and `--json` with
//! `--json-file`. Each is read without error, its summary.json equals its
//! CSVs (read here independently, with the old column names mapped), its
//! duration is Locust's own within 1.5 s, the percentile kind is the one
//! the version writes, and no data warning fires on a healthy run.

use std::collections::HashMap;

use crate::util::{check, csv_rows, fixture};

/// (set, percentile kind the version writes with --csv-full-history).
const SETS: [(&str, &str); 11] = [
    ("0.14.6", "windowed"),
    ("1.0.3", "windowed"),
    ("1.1.1", "windowed"),
    ("1.4.4", "cumulative"),
    ("2.0.0", "cumulative"),
    ("2.8.6", "windowed"),
    ("2.20.1", "windowed"),
    ("2.32.10", "windowed"),
    ("2.47.0", "windowed"),
    ("2.47.0-distributed", "windowed"),
    ("2.47.0-json-empty", "windowed"),
];

/// A stats row's value by today's column name, or by Locust 0.x's.
fn col<'a>(row: &'a HashMap<String, String>, name: &str) -> &'a str {
    let old = match name {
        "Request Count" => "# requests",
        "Failure Count" => "# failures",
        "Median Response Time" => "Median response time",
        "Average Response Time" => "Average response time",
        "Min Response Time" => "Min response time",
        "Max Response Time" => "Max response time",
        "Failures/s" => "Requests Failed/s",
        other => other,
    };
    row.get(name)
        .or_else(|| row.get(old))
        .unwrap_or_else(|| panic!("column {name} in {row:?}"))
}

fn num(v: &serde_json::Value, what: &str) -> f64 {
    v.as_f64()
        .unwrap_or_else(|| panic!("{what}: {v} is a number"))
}

/// A summary stats object equals its CSV row, to the last digit.
fn assert_row(json: &serde_json::Value, row: &HashMap<String, String>, what: &str) {
    let requests: u64 = col(row, "Request Count").parse().unwrap();
    assert_eq!(json["requests"].as_u64(), Some(requests), "{what} requests");
    let failures: u64 = col(row, "Failure Count").parse().unwrap();
    assert_eq!(json["failures"].as_u64(), Some(failures), "{what} failures");
    for (field, column) in [
        ("rps", "Requests/s"),
        ("failures_per_s", "Failures/s"),
        ("median_ms", "Median Response Time"),
        ("avg_ms", "Average Response Time"),
        ("min_ms", "Min Response Time"),
        ("max_ms", "Max Response Time"),
    ] {
        if requests == 0 && !field.contains("_s") && field != "rps" {
            continue;
        }
        let expected: f64 = col(row, column).parse().unwrap();
        assert_eq!(num(&json[field], what), expected, "{what} {field}");
    }
    // Percentile columns end in `%`, but for 0.x's bare `99.999`.
    let mut percentiles = 0;
    for (column, value) in row {
        let label = column.strip_suffix('%').unwrap_or(column);
        if label.parse::<f64>().is_err() {
            continue;
        }
        percentiles += 1;
        let got = &json["percentiles_ms"][label];
        match value.as_str() {
            "N/A" => assert!(got.is_null(), "{what} {column} is N/A"),
            v => assert_eq!(num(got, what), v.parse::<f64>().unwrap(), "{what} {column}"),
        }
    }
    assert_eq!(
        json["percentiles_ms"].as_object().unwrap().len(),
        percentiles,
        "{what}: every percentile column"
    );
}

#[test]
fn every_locust_generation_reads_exactly_with_its_duration_and_percentile_kind() {
    for (set, kind) in SETS {
        let out = tempfile::tempdir().unwrap();
        let path = format!("fixtures/locust-versions/{set}");
        let run = check(&[&path, "--no-fail"], out.path());
        assert_eq!(run.code, 0, "{set}: {}", run.stderr);
        let summary = run.summary.unwrap();
        let s = &summary["scenarios"][0];
        assert_eq!(s["name"], "run", "{set}");
        assert_eq!(s["errors"].as_array().map_or(0, Vec::len), 0, "{set}: {s}");

        let rows = csv_rows(&fixture(&format!("locust-versions/{set}/run_stats.csv")));
        let (total, endpoints): (Vec<_>, Vec<_>) =
            rows.iter().partition(|r| r["Name"] == "Aggregated");
        assert_eq!(total.len(), 1, "{set}: one Aggregated row");
        assert_row(&s["totals"], total[0], &format!("{set} total"));
        let json_endpoints = s["endpoints"].as_array().unwrap();
        assert_eq!(
            json_endpoints.len(),
            endpoints.len(),
            "{set}: every endpoint"
        );
        for (json, row) in json_endpoints.iter().zip(&endpoints) {
            assert_eq!(json["name"], row["Name"].as_str(), "{set}");
            assert_eq!(json["method"], row["Type"].as_str(), "{set}");
            assert_row(json, row, &format!("{set} {}", row["Name"]));
        }

        // Locust's own run length: requests ÷ Requests/s, within 1.5 s.
        let requests: f64 = col(total[0], "Request Count").parse().unwrap();
        let rps: f64 = col(total[0], "Requests/s").parse().unwrap();
        let duration = num(&s["duration_s"], set);
        assert!(
            (duration - requests / rps).abs() <= 1.5,
            "{set}: duration {duration} s, Locust's counts {} s",
            requests / rps
        );
        assert_eq!(s["duration_source"], "stats", "{set}");
        assert_eq!(s["history_percentiles"], kind, "{set}");

        let warnings: Vec<&str> = s["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|w| w.as_str())
            .filter(|w| w.starts_with("data:"))
            .collect();
        assert!(warnings.is_empty(), "{set}: {warnings:?}");
    }
}

#[test]
fn locust_0x_has_no_user_count_so_peak_users_are_unknown() {
    let out = tempfile::tempdir().unwrap();
    let summary = check(
        &["fixtures/locust-versions/0.14.6", "--no-fail"],
        out.path(),
    )
    .summary
    .unwrap();
    let s = &summary["scenarios"][0];
    assert!(s["peak_users"].is_null(), "{}", s["peak_users"]);
    // 0.x writes `99.999` without its `%`: still a percentile.
    assert!(s["totals"]["percentiles_ms"]["99.999"].is_number());
    // Without users there is no ramp-up to leave out: the steady part is the run.
    assert_eq!(s["steady"]["start_offset_s"], 0);
}

#[test]
fn a_distributed_masters_wait_for_its_workers_is_not_part_of_the_run() {
    let out = tempfile::tempdir().unwrap();
    let summary = check(
        &["fixtures/locust-versions/2.47.0-distributed", "--no-fail"],
        out.path(),
    )
    .summary
    .unwrap();
    let s = &summary["scenarios"][0];
    let rows = csv_rows(&fixture(
        "locust-versions/2.47.0-distributed/run_stats_history.csv",
    ));
    let agg: Vec<_> = rows.iter().filter(|r| r["Name"] == "Aggregated").collect();
    let idle = agg
        .iter()
        .take_while(|r| r["User Count"] == "0" && r["Total Request Count"] == "0")
        .count();
    assert!(idle >= 3, "the fixture has a wait ({idle} idle rows)");
    // The run starts at the last idle row, not the first.
    let start: i64 = agg[idle - 1]["Timestamp"].parse().unwrap();
    let started = time_of(s["started_at"].as_str().unwrap());
    assert_eq!(started, start);
}

/// Seconds since the epoch of an RFC 3339 UTC time `YYYY-MM-DDTHH:MM:SSZ`
/// (days from the civil date, as in Howard Hinnant's `days_from_civil`).
fn time_of(text: &str) -> i64 {
    let n = |a: usize, b: usize| text[a..b].parse::<i64>().unwrap();
    let (y, m, d) = (n(0, 4), n(5, 7), n(8, 10));
    let (y, m) = if m <= 2 { (y - 1, m + 9) } else { (y, m - 3) };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * m + 2) / 5 + d - 1;
    let days = era * 146_097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719_468;
    days * 86_400 + n(11, 13) * 3600 + n(14, 16) * 60 + n(17, 19)
}

#[test]
fn a_dead_target_never_passes_and_its_times_are_not_praised() {
    let dir = tempfile::tempdir().unwrap();
    // The built-in defaults: the reason is on the first failed-check line.
    let run = check(
        &["fixtures/locust-versions/dead-target"],
        &dir.path().join("a"),
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    let first_failure = run.stdout.lines().find(|l| l.contains('✗')).unwrap();
    assert!(
        first_failure.contains("all 280 requests failed: ConnectionRefusedError"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.lines().position(|l| l.contains('✗')).unwrap() < 10);
    // A config with no success-rate threshold at all fails it too.
    let config = dir.path().join("times-only.toml");
    std::fs::write(
        &config,
        "[defaults]\nthresholds = [\"p99 < 1s\", \"median < 200ms\"]\n",
    )
    .unwrap();
    let run = check(
        &[
            "fixtures/locust-versions/dead-target",
            "--config",
            config.to_str().unwrap(),
        ],
        &dir.path().join("b"),
    );
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(
        run.stdout.contains("a run that mostly failed never passes"),
        "{}",
        run.stdout
    );
    let summary = run.summary.unwrap();
    let checks = summary["scenarios"][0]["checks"].as_array().unwrap();
    for c in checks.iter().filter(|c| c["unit"] == "ms") {
        assert!(
            c["achievement"]
                .as_str()
                .unwrap()
                .starts_with("not meaningful: all 280 requests failed"),
            "{c}"
        );
    }
    let md = std::fs::read_to_string(dir.path().join("b/report.md")).unwrap();
    let findings = md
        .split("## Findings")
        .nth(1)
        .unwrap()
        .split("\n## ")
        .next()
        .unwrap();
    assert!(
        findings.contains("say nothing about the service"),
        "{findings}"
    );
    assert!(
        !findings.contains("better") && !findings.contains("slowest"),
        "{findings}"
    );
}

#[test]
fn init_on_a_dead_target_warns_and_writes_a_config_that_fails_it() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("loadgate.toml");
    let output = crate::util::loadgate()
        .args(["init", "fixtures/locust-versions/dead-target", "--output"])
        .arg(&config)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.contains("warning: scenario `run` mostly failed (all 280 requests failed"),
        "{stderr}"
    );
    let text = std::fs::read_to_string(&config).unwrap();
    assert!(text.contains("success_rate >= 99%"), "{text}");
    let run = check(
        &[
            "fixtures/locust-versions/dead-target",
            "--config",
            config.to_str().unwrap(),
        ],
        &dir.path().join("out"),
    );
    assert_eq!(run.code, 1, "{}", run.stdout);
    let first_failure = run.stdout.lines().find(|l| l.contains('✗')).unwrap();
    assert!(
        first_failure.contains("ConnectionRefusedError"),
        "{}",
        run.stdout
    );
}

#[test]
fn locusts_json_file_is_checked_against_the_csv_and_an_empty_one_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let run = check(
        &["fixtures/locust-versions/2.47.0", "--no-fail"],
        &dir.path().join("a"),
    );
    let warnings = run.summary.as_ref().unwrap()["scenarios"][0]["warnings"].to_string();
    // The CSV's last write came before the requests in flight finished.
    assert!(
        warnings.contains("run.json counts 552 requests"),
        "{warnings}"
    );
    assert!(warnings.contains("run_stats.csv 519"), "{warnings}");
    assert!(
        warnings.contains("loadgate judges the CSV's figures"),
        "{warnings}"
    );
    let run = check(
        &["fixtures/locust-versions/2.47.0-json-empty", "--no-fail"],
        &dir.path().join("b"),
    );
    assert!(
        run.stderr.contains("run.json: holds no entries (`[]`)"),
        "{}",
        run.stderr
    );
    // The rank test says why it is missing.
    let output = crate::util::loadgate()
        .args(["compare"])
        .arg(dir.path().join("a/summary.json"))
        .arg("fixtures/locust-versions/2.47.0")
        .output()
        .unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(
        stdout.contains("note: run: no rank test: the baseline has no response-time histograms"),
        "{stdout}"
    );
}
