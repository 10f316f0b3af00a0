//! JMeter's JTL (CSV) results: real JMeter 2.13 output in `fixtures/jmeter/`
//! (made by `fixtures/gen/generate_jmeter.sh`). Each file's summary.json
//! equals an independent reading of its samples here (counts, nearest-rank
//! percentiles, min/max/mean, run length, rates); a JTL sits beside a Locust
//! set in one report; a JTL without a header is refused with the setting
//! that writes one; thresholds, windows and the rank test work on it.

use std::collections::BTreeMap;

use crate::util::{
    beside_a_locust_set, check, copy_dir, csv_rows, fixture, loadgate, scenario, scenario_tools,
};

const FIXTURES: [&str; 3] = ["checkout", "checkout_full", "slow"];

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

/// The samples of one label (or all), read straight from the JTL.
#[derive(Default)]
struct Expected {
    elapsed: Vec<u64>,
    failures: u64,
}

impl Expected {
    /// Nearest rank: the value at 1-based rank ⌈n × p⌉ of the sorted samples.
    fn percentile(&self, hundredths: u64) -> u64 {
        let mut sorted = self.elapsed.clone();
        sorted.sort_unstable();
        let n = sorted.len() as u64;
        let rank = (n * hundredths).div_ceil(10_000).max(1);
        sorted[rank as usize - 1]
    }

    fn assert_stats(&self, json: &serde_json::Value, duration_s: f64, what: &str) {
        let n = self.elapsed.len() as u64;
        assert_eq!(json["requests"].as_u64(), Some(n), "{what} requests");
        assert_eq!(
            json["failures"].as_u64(),
            Some(self.failures),
            "{what} failures"
        );
        let num = |field: &str| {
            json[field]
                .as_f64()
                .unwrap_or_else(|| panic!("{what} {field}: {json}"))
        };
        assert_eq!(
            num("min_ms"),
            *self.elapsed.iter().min().unwrap() as f64,
            "{what}"
        );
        assert_eq!(
            num("max_ms"),
            *self.elapsed.iter().max().unwrap() as f64,
            "{what}"
        );
        let mean = self.elapsed.iter().sum::<u64>() as f64 / n as f64;
        assert!((num("avg_ms") - mean).abs() < 1e-9, "{what} avg");
        assert_eq!(num("median_ms"), self.percentile(5000) as f64, "{what}");
        let rps = n as f64 / duration_s;
        assert!((num("rps") - rps).abs() < 1e-9, "{what} rps {rps}");
        let fps = self.failures as f64 / duration_s;
        assert!((num("failures_per_s") - fps).abs() < 1e-9, "{what} fps");
        let percentiles = json["percentiles_ms"].as_object().unwrap();
        // (serde_json's map is sorted here; summary.json keeps the level order.)
        let mut labels: Vec<&str> = percentiles.keys().map(String::as_str).collect();
        let mut levels: Vec<&str> = LEVELS.iter().map(|(l, _)| *l).collect();
        labels.sort_unstable();
        levels.sort_unstable();
        assert_eq!(labels, levels, "{what}");
        for (label, hundredths) in LEVELS {
            assert_eq!(
                percentiles[label].as_f64(),
                Some(self.percentile(hundredths) as f64),
                "{what} p{label}"
            );
        }
    }
}

/// A JTL read independently: total, per label, run length, peak threads.
struct Jtl {
    total: Expected,
    labels: BTreeMap<String, Expected>,
    duration_s: f64,
    peak_threads: u64,
    /// (label, error) → occurrences, the error as the reader words it.
    failures: BTreeMap<(String, String), u64>,
}

fn read_jtl(name: &str) -> Jtl {
    let rows = csv_rows(&fixture(&format!("jmeter/{name}.jtl")));
    let mut jtl = Jtl {
        total: Expected::default(),
        labels: BTreeMap::new(),
        duration_s: 0.0,
        peak_threads: 0,
        failures: BTreeMap::new(),
    };
    let (mut first, mut last) = (u64::MAX, 0);
    for row in &rows {
        let ts: u64 = row["timeStamp"].parse().unwrap();
        let elapsed: u64 = row["elapsed"].parse().unwrap();
        let failed = match row["success"].as_str() {
            "true" => 0,
            "false" => 1,
            other => panic!("success {other}"),
        };
        first = first.min(ts);
        last = last.max(ts + elapsed);
        jtl.peak_threads = jtl.peak_threads.max(row["allThreads"].parse().unwrap());
        for e in [
            &mut jtl.total,
            jtl.labels.entry(row["label"].clone()).or_default(),
        ] {
            e.elapsed.push(elapsed);
            e.failures += failed;
        }
        if failed == 1 {
            let response = format!("{} {}", row["responseCode"], row["responseMessage"]);
            let failure = row.get("failureMessage").map_or("", String::as_str);
            let error = match (response.trim(), failure) {
                (r, "") => r.to_string(),
                ("", f) => f.to_string(),
                (r, f) => format!("{r}: {f}"),
            };
            *jtl.failures
                .entry((row["label"].clone(), error))
                .or_default() += 1;
        }
    }
    assert!(rows.len() > 300, "{name}: a real run ({} rows)", rows.len());
    jtl.duration_s = (last - first) as f64 / 1000.0;
    jtl
}

#[test]
fn every_jtl_reads_exactly_as_its_samples_say() {
    for name in FIXTURES {
        let out = tempfile::tempdir().unwrap();
        let path = format!("fixtures/jmeter/{name}.jtl");
        let run = check(&[&path, "--no-fail"], out.path());
        assert_eq!(run.code, 0, "{name}: {}", run.stderr);
        let summary = run.summary.unwrap();
        let s = scenario(&summary, name);
        assert_eq!(s["tool"]["name"], "jmeter", "{name}");
        assert!(s["tool"]["version"].is_null(), "{name}");
        assert_eq!(s["errors"].as_array().unwrap().len(), 0, "{name}: {s}");
        assert_eq!(s["files"]["stats"], path.as_str(), "{name}");

        let jtl = read_jtl(name);
        jtl.total
            .assert_stats(&s["totals"], jtl.duration_s, &format!("{name} total"));
        let endpoints = s["endpoints"].as_array().unwrap();
        let names: Vec<&str> = endpoints
            .iter()
            .map(|e| e["name"].as_str().unwrap())
            .collect();
        assert_eq!(
            names,
            jtl.labels.keys().map(String::as_str).collect::<Vec<_>>(),
            "{name}: one endpoint per label, sorted"
        );
        for e in endpoints {
            assert_eq!(e["method"], "", "{name}");
            let label = e["name"].as_str().unwrap();
            jtl.labels[label].assert_stats(e, jtl.duration_s, &format!("{name} {label}"));
        }
        assert_eq!(
            s["duration_s"].as_i64(),
            Some(jtl.duration_s.round() as i64),
            "{name}"
        );
        assert_eq!(s["duration_source"], "stats", "{name}");
        assert_eq!(s["peak_users"].as_u64(), Some(jtl.peak_threads), "{name}");
        assert_eq!(s["history_percentiles"], "windowed", "{name}");

        let failures: BTreeMap<(String, String), u64> = s["failures"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                assert_eq!(f["method"], "");
                (
                    (
                        f["name"].as_str().unwrap().to_string(),
                        f["error"].as_str().unwrap().to_string(),
                    ),
                    f["occurrences"].as_u64().unwrap(),
                )
            })
            .collect();
        assert_eq!(failures, jtl.failures, "{name}");

        let data_warnings: Vec<&str> = s["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|w| w.as_str())
            .filter(|w| w.starts_with("data:"))
            .collect();
        assert!(data_warnings.is_empty(), "{name}: {data_warnings:?}");
    }
}

#[test]
fn the_fixtures_are_what_jmeter_writes() {
    // The default columns of 2.13, the extra ones, and what the plan does.
    let header = |name: &str| {
        std::fs::read_to_string(fixture(&format!("jmeter/{name}.jtl")))
            .unwrap()
            .lines()
            .next()
            .unwrap()
            .to_string()
    };
    assert_eq!(
        header("checkout"),
        "timeStamp,elapsed,label,responseCode,responseMessage,threadName,dataType,success,bytes,grpThreads,allThreads,Latency"
    );
    for column in ["URL", "Connect", "failureMessage", "IdleTime"] {
        assert!(header("checkout_full").contains(column), "{column}");
    }
    let jtl = read_jtl("checkout");
    // A label both thread groups send, a transaction controller's own row,
    // and a request that fails on a locked target.
    let rows = csv_rows(&fixture("jmeter/checkout.jtl"));
    let groups: std::collections::BTreeSet<&str> = rows
        .iter()
        .filter(|r| r["label"] == "list deployments")
        .map(|r| r["threadName"].rsplit_once(' ').unwrap().0)
        .collect();
    assert_eq!(groups.len(), 2, "{groups:?}");
    assert!(jtl.labels.contains_key("release flow"));
    assert!(jtl.labels["create deployment"].failures > 0);
    // JMeter writes a row when its sample ends: not in timeStamp order.
    let stamps: Vec<u64> = rows
        .iter()
        .map(|r| r["timeStamp"].parse().unwrap())
        .collect();
    assert!(stamps.windows(2).any(|w| w[1] < w[0]));
    for name in FIXTURES {
        let len = std::fs::metadata(fixture(&format!("jmeter/{name}.jtl")))
            .unwrap()
            .len();
        assert!(len < 500_000, "{name}: {len} bytes");
    }
}

#[test]
fn a_jtl_and_a_locust_set_in_one_folder_make_one_report() {
    let dir = beside_a_locust_set(&[("jmeter/checkout.jtl", "checkout.jtl")]);
    let out = tempfile::tempdir().unwrap();
    let run = check(&[dir.path().to_str().unwrap(), "--no-fail"], out.path());
    assert_eq!(run.code, 0, "{}", run.stderr);
    let summary = run.summary.unwrap();
    let tools = scenario_tools(&summary);
    assert_eq!(
        tools,
        [
            ("checkout", "jmeter"),
            ("scenario1_concurrent_deployments", "locust")
        ]
    );
    assert!(run.stdout.contains("checkout"), "{}", run.stdout);
    assert!(
        run.stdout.contains("scenario1_concurrent_deployments"),
        "{}",
        run.stdout
    );
    let html = std::fs::read_to_string(out.path().join("report.html")).unwrap();
    assert!(html.contains("checkout") && html.contains("scenario1_concurrent_deployments"));
}

#[test]
fn a_jtl_without_its_header_line_is_refused_with_the_setting_that_writes_one() {
    // What JMeter 2.13 writes by default: the same rows, no header.
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(fixture("jmeter/checkout.jtl")).unwrap();
    let body = text.split_once('\n').unwrap().1;
    let path = dir.path().join("noheader.jtl");
    std::fs::write(&path, body).unwrap();
    let out = tempfile::tempdir().unwrap();
    let run = check(&[path.to_str().unwrap()], out.path());
    assert_eq!(run.code, 2, "{}\n{}", run.stdout, run.stderr);
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    assert!(
        run.stderr
            .contains("noheader.jtl:1: the file has no header line"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("jmeter.save.saveservice.print_field_names=true"),
        "{}",
        run.stderr
    );
    // A malformed value names its line and column.
    let bad = text.replacen(",true,", ",maybe,", 1);
    let path = dir.path().join("bad.jtl");
    std::fs::write(&path, &bad).unwrap();
    let line = bad.lines().position(|l| l.contains(",maybe,")).unwrap() + 1;
    let run = check(&[path.to_str().unwrap()], &out.path().join("b"));
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains(&format!(
            "bad.jtl:{line}: expected true or false, found `maybe` (column \"success\")"
        )),
        "{}",
        run.stderr
    );
}

/// A config file in `dir` with these `[defaults]` thresholds and extra TOML.
fn config(dir: &std::path::Path, thresholds: &[&str], extra: &str) -> String {
    let path = dir.join("loadgate.toml");
    let list: Vec<String> = thresholds.iter().map(|t| format!("{t:?}")).collect();
    std::fs::write(
        &path,
        format!("[defaults]\nthresholds = [{}]\n{extra}", list.join(", ")),
    )
    .unwrap();
    path.to_str().unwrap().to_string()
}

fn find<'a>(s: &'a serde_json::Value, threshold: &str) -> &'a serde_json::Value {
    s["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["threshold"] == threshold)
        .unwrap_or_else(|| panic!("check {threshold} in {}", s["checks"]))
}

#[test]
fn thresholds_judge_a_jtl_and_windows_follow_its_seconds() {
    let dir = tempfile::tempdir().unwrap();
    let jtl = read_jtl("slow");
    let p95 = jtl.total.percentile(9500);
    let cfg = config(
        dir.path(),
        &[
            "p95 < 10s",
            "p95 < 1ms",
            "p95 < 1ms for 2s",
            "p95 < 10s for 2s",
        ],
        "[scenarios.slow]\nmatch = \"slow\"\n[[scenarios.slow.endpoint]]\nname = \"sync connector\"\nthresholds = [\"p95 < 1ms for 2s\", \"success_rate >= 99%\"]\n",
    );
    let out = tempfile::tempdir().unwrap();
    let run = check(&["fixtures/jmeter/slow.jtl", "--config", &cfg], out.path());
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    let summary = run.summary.unwrap();
    let s = scenario(&summary, "slow");
    let passed = find(s, "p95 < 10s");
    assert_eq!(passed["passed"], true, "{passed}");
    let failed = find(s, "p95 < 1ms");
    assert_eq!(failed["passed"], false);
    assert_eq!(failed["actual"].as_f64(), Some(p95 as f64), "{failed}");

    // The window is judged on the per-second history: every second of the
    // run breaks 1 ms, so the stretch is the steady part, and its worst
    // second is at least the run's p95 spell (the 3 s stall).
    let window = s["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["threshold"] == "p95 < 1ms for 2s" && c["endpoint"].is_null())
        .unwrap();
    assert_eq!(window["kind"], "window");
    assert_eq!(window["passed"], false, "{window}");
    let stretch = &window["window"]["stretch"];
    assert!(stretch["duration_s"].as_i64().unwrap() >= 10, "{stretch}");
    assert!(stretch["worst"].as_f64().unwrap() >= 600.0, "{stretch}");
    assert_eq!(find(s, "p95 < 10s for 2s")["passed"], true);
    // An endpoint table's window follows that label's own seconds.
    let endpoint = s["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["kind"] == "window" && c["endpoint"] == "sync connector")
        .unwrap_or_else(|| panic!("{}", s["checks"]));
    assert_eq!(endpoint["passed"], false, "{endpoint}");
    assert!(
        run.stdout.contains("slow sync connector: success_rate 0%"),
        "{}",
        run.stdout
    );
}

#[test]
fn a_slower_jtl_is_slower_by_the_rank_test_against_a_jtl_baseline() {
    // The slow run under the baseline's scenario name.
    let current = tempfile::tempdir().unwrap();
    std::fs::copy(
        fixture("jmeter/slow.jtl"),
        current.path().join("checkout.jtl"),
    )
    .unwrap();
    let baseline = copy_dir(&fixture("jmeter"));
    std::fs::remove_file(baseline.path().join("checkout_full.jtl")).unwrap();
    std::fs::remove_file(baseline.path().join("slow.jtl")).unwrap();
    let output = loadgate()
        .arg("compare")
        .arg(baseline.path())
        .arg(current.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    let p95 = stdout
        .lines()
        .find(|l| l.contains("total") && l.contains("p95"))
        .unwrap_or_else(|| panic!("{stdout}"));
    assert!(p95.contains("REGRESSED"), "{p95}");
    assert!(p95.contains("slower, P(slower) = "), "{p95}");
}

#[test]
fn a_jtl_named_csv_is_read_by_its_content() {
    // `jmeter -n -t plan.jmx -l results.csv` is common: the header says it is a JTL.
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        crate::util::fixture("jmeter/checkout.jtl"),
        dir.path().join("results.csv"),
    )
    .unwrap();
    // An unrelated CSV beside it is not a result set.
    std::fs::write(dir.path().join("notes.csv"), "a,b\n1,2\n").unwrap();
    let out = tempfile::tempdir().unwrap();
    let run = crate::util::check(&[dir.path().to_str().unwrap(), "--no-fail"], out.path());
    assert_eq!(run.code, 0, "{}", run.stderr);
    let summary = run.summary.unwrap();
    let names: Vec<&str> = summary["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["results"]);
    assert_eq!(summary["scenarios"][0]["tool"]["name"], "jmeter");
    // As a PATH of its own, too.
    let single = crate::util::check(
        &[
            dir.path().join("results.csv").to_str().unwrap(),
            "--no-fail",
        ],
        &out.path().join("single"),
    );
    assert_eq!(single.code, 0, "{}", single.stderr);
}
