//! Taurus's `kpi.jtl`: real Taurus 1.17.2 runs with its Locust executor in
//! `fixtures/taurus/NAME/` (made by `fixtures/gen/generate_taurus.sh`). Each
//! folder's summary.json equals an independent reading of its kpi.jtl
//! (counts, failures, nearest-rank percentiles, min/max/mean, the run from
//! the first start to the last end, rates, users, failures table), and the
//! counts equal Taurus's own (final-stats.xml) and Locust's (locust.err); a
//! Taurus folder sits beside a Locust set in one report; a broken kpi.jtl is
//! an error with its line.

use std::collections::BTreeMap;

use crate::util::{
    LEVELS, beside_a_locust_set, check, csv_rows, fixture, nearest_rank, scenario, scenario_tools,
};

const RUNS: [&str; 2] = ["checkout", "slow"];

/// The samples of one endpoint (or all), read straight from kpi.jtl.
#[derive(Default, Debug)]
struct Expected {
    elapsed: Vec<u64>,
    failures: u64,
}

impl Expected {
    /// Nearest rank: the value at 1-based rank ⌈n × p⌉ of the sorted samples.
    fn percentile(&self, hundredths: u64) -> f64 {
        nearest_rank(&self.elapsed, hundredths) as f64
    }

    fn assert_stats(&self, json: &serde_json::Value, duration_s: f64, what: &str) {
        let n = self.elapsed.len() as u64;
        let num = |f: &str| {
            json[f]
                .as_f64()
                .unwrap_or_else(|| panic!("{what} {f}: {json}"))
        };
        assert_eq!(json["requests"].as_u64(), Some(n), "{what}");
        assert_eq!(json["failures"].as_u64(), Some(self.failures), "{what}");
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
        assert_eq!(num("median_ms"), self.percentile(5000), "{what}");
        assert!(
            (num("rps") - n as f64 / duration_s).abs() < 1e-9,
            "{what} rps"
        );
        let fps = self.failures as f64 / duration_s;
        assert!((num("failures_per_s") - fps).abs() < 1e-9, "{what} fps");
        for (label, hundredths) in LEVELS {
            assert_eq!(
                json["percentiles_ms"][label].as_f64(),
                Some(self.percentile(hundredths)),
                "{what} p{label}"
            );
        }
    }
}

/// One kpi.jtl read independently.
struct Kpi {
    total: Expected,
    /// (method, label) → samples.
    endpoints: BTreeMap<(String, String), Expected>,
    /// (method, label, error) → occurrences, the error as the reader words it.
    failures: BTreeMap<(String, String, String), u64>,
    duration_s: f64,
    peak_users: u64,
}

fn read_kpi(run: &str) -> Kpi {
    let rows = csv_rows(&fixture(&format!("taurus/{run}/kpi.jtl")));
    assert!(rows.len() > 200, "{run}: a real run ({} rows)", rows.len());
    let mut kpi = Kpi {
        total: Expected::default(),
        endpoints: BTreeMap::new(),
        failures: BTreeMap::new(),
        duration_s: 0.0,
        peak_users: 0,
    };
    let (mut first, mut last) = (u64::MAX, 0);
    for row in &rows {
        // Taurus's Locust wrapper stamps a row when the request is reported: its end.
        let end: u64 = row["timeStamp"].parse().unwrap();
        let elapsed: u64 = row["elapsed"].parse().unwrap();
        first = first.min(end - elapsed);
        last = last.max(end);
        kpi.peak_users = kpi.peak_users.max(row["allThreads"].parse().unwrap());
        let failed = u64::from(row["success"] == "false");
        let key = (row["method"].clone(), row["label"].clone());
        for e in [
            &mut kpi.total,
            kpi.endpoints.entry(key.clone()).or_default(),
        ] {
            e.elapsed.push(elapsed);
            e.failures += failed;
        }
        if failed == 1 {
            let error = format!("{} {}", row["responseCode"], row["responseMessage"]);
            *kpi.failures.entry((key.0, key.1, error)).or_default() += 1;
        }
    }
    kpi.duration_s = (last - first) as f64 / 1000.0;
    kpi
}

/// Taurus's own figures (final-stats.xml): label → (samples, succ, fail);
/// `""` is the total. Taurus groups by label alone.
fn taurus_figures(run: &str) -> (f64, BTreeMap<String, (u64, u64, u64)>) {
    let text = std::fs::read_to_string(fixture(&format!("taurus/{run}/final-stats.xml"))).unwrap();
    let doc = roxmltree::Document::parse(&text).unwrap();
    let root = doc.root_element();
    let duration: f64 = root
        .children()
        .find(|n| n.has_tag_name("TestDuration"))
        .and_then(|n| n.text())
        .unwrap()
        .parse()
        .unwrap();
    let mut groups = BTreeMap::new();
    for group in root.children().filter(|n| n.has_tag_name("Group")) {
        let value = |tag: &str| -> u64 {
            group
                .children()
                .find(|n| n.has_tag_name(tag))
                .and_then(|n| n.attribute("value"))
                .unwrap()
                .parse()
                .unwrap()
        };
        groups.insert(
            group.attribute("label").unwrap().to_string(),
            (value("throughput"), value("succ"), value("fail")),
        );
    }
    (duration, groups)
}

/// Locust's own end-of-run table (locust.err): (method, name) → (requests,
/// failures); `("", "Aggregated")` is the total.
fn locust_figures(run: &str) -> BTreeMap<(String, String), (u64, u64)> {
    let text = std::fs::read_to_string(fixture(&format!("taurus/{run}/locust.err"))).unwrap();
    let mut out = BTreeMap::new();
    // The first table, up to the percentiles one.
    for line in text
        .lines()
        .take_while(|l| !l.starts_with("Response time percentiles"))
    {
        let Some((left, _)) = line.split_once(" | ") else {
            continue;
        };
        let fields: Vec<&str> = left.split_whitespace().collect();
        let [head @ .., reqs, fails] = fields.as_slice() else {
            continue;
        };
        let (Ok(reqs), Some(Ok(fails))) = (
            reqs.parse::<u64>(),
            fails.split_once('(').map(|(f, _)| f.parse::<u64>()),
        ) else {
            continue;
        };
        let (method, name) = match head {
            [name] => (String::new(), (*name).to_string()),
            [method, name @ ..] => ((*method).to_string(), name.join(" ")),
            [] => continue,
        };
        out.insert((method, name), (reqs, fails));
    }
    out
}

#[test]
fn every_kpi_jtl_reads_exactly_as_its_samples_say() {
    for run in RUNS {
        let out = tempfile::tempdir().unwrap();
        let dir = format!("fixtures/taurus/{run}");
        let result = check(&[&dir, "--no-fail"], out.path());
        assert_eq!(result.code, 0, "{run}: {}", result.stderr);
        let summary = result.summary.unwrap();
        let s = scenario(&summary, run);
        assert_eq!(
            s["tool"],
            serde_json::json!({"name": "taurus", "version": null})
        );
        assert_eq!(s["errors"].as_array().unwrap().len(), 0, "{run}: {s}");
        assert_eq!(s["files"]["stats"], format!("{dir}/kpi.jtl"));

        let kpi = read_kpi(run);
        kpi.total
            .assert_stats(&s["totals"], kpi.duration_s, &format!("{run} total"));
        let endpoints = s["endpoints"].as_array().unwrap();
        let keys: Vec<(String, String)> = endpoints
            .iter()
            .map(|e| {
                let t = |k: &str| e[k].as_str().unwrap().to_string();
                (t("method"), t("name"))
            })
            .collect();
        let mut want: Vec<(String, String)> = kpi.endpoints.keys().cloned().collect();
        want.sort_by(|a, b| a.1.cmp(&b.1).then_with(|| a.0.cmp(&b.0)));
        assert_eq!(
            keys, want,
            "{run}: one endpoint per (method, label), by label"
        );
        assert!(
            keys.iter()
                .any(|(m, n)| m == "GET" && n == "/api/deployments")
        );
        assert!(
            keys.iter()
                .any(|(m, n)| m == "POST" && n == "/api/deployments")
        );
        for (e, key) in endpoints.iter().zip(&keys) {
            kpi.endpoints[key].assert_stats(e, kpi.duration_s, &format!("{run} {key:?}"));
        }
        assert_eq!(
            s["duration_s"].as_i64(),
            Some(kpi.duration_s.round() as i64)
        );
        assert_eq!(s["peak_users"].as_u64(), Some(kpi.peak_users), "{run}");
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
        assert_eq!(failures, kpi.failures, "{run}");
        let data: Vec<&str> = s["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|w| w.as_str())
            .filter(|w| w.starts_with("data:"))
            .collect();
        assert!(data.is_empty(), "{run}: {data:?}");

        // Taurus's own figures: every sample of the file, by label.
        let (taurus_s, groups) = taurus_figures(run);
        let total = &s["totals"];
        let (requests, failures) = (
            total["requests"].as_u64().unwrap(),
            total["failures"].as_u64().unwrap(),
        );
        assert_eq!(
            groups[""],
            (requests, requests - failures, failures),
            "{run}"
        );
        for (label, (n, succ, fail)) in &groups {
            if label.is_empty() {
                continue;
            }
            let ours: Vec<&serde_json::Value> = endpoints
                .iter()
                .filter(|e| e["name"] == label.as_str())
                .collect();
            let sum = |k: &str| ours.iter().map(|e| e[k].as_u64().unwrap()).sum::<u64>();
            assert_eq!(
                (sum("requests"), sum("failures")),
                (*n, *fail),
                "{run} {label}"
            );
            assert_eq!(n - fail, *succ);
        }
        // Taurus counts whole seconds from the first to the last.
        assert!(
            (taurus_s - kpi.duration_s).abs() <= 1.5,
            "{run}: {taurus_s}"
        );

        // Locust's own table, printed as it stopped: a request that ended
        // after it is in kpi.jtl only.
        let locust = locust_figures(run);
        let (l_reqs, l_fails) = locust[&(String::new(), "Aggregated".to_string())];
        assert!(
            requests >= l_reqs && requests - l_reqs <= 2,
            "{run}: {requests} vs {l_reqs}"
        );
        assert!(failures >= l_fails && failures - l_fails <= 2, "{run}");
        for ((method, name), (reqs, fails)) in &locust {
            if name == "Aggregated" {
                continue;
            }
            let e = &kpi.endpoints[&(method.clone(), name.clone())];
            let n = e.elapsed.len() as u64;
            assert!(n >= *reqs && n - reqs <= 2, "{run} {method} {name}");
            assert!(
                e.failures >= *fails && e.failures - fails <= 2,
                "{run} {name}"
            );
        }
    }
}

#[test]
fn the_fixtures_are_what_taurus_writes() {
    for run in RUNS {
        let text = std::fs::read_to_string(fixture(&format!("taurus/{run}/kpi.jtl"))).unwrap();
        assert_eq!(
            text.lines().next().unwrap(),
            "allThreads,timeStamp,label,method,elapsed,bytes,responseCode,responseMessage,success,Latency",
            "{run}: Taurus's own column order"
        );
        assert!(text.contains("\r\n"), "{run}: Python's csv writes CRLF");
        assert!(text.len() < 300_000, "{run}: {} bytes", text.len());
    }
    // The slow run's syncs all fail (404), its creates some (409).
    let slow = read_kpi("slow");
    let sync = &slow.endpoints[&("POST".to_string(), "sync connector".to_string())];
    assert_eq!(sync.failures, sync.elapsed.len() as u64);
    assert!(slow.total.percentile(9500) >= 600.0, "the stall");
    let checkout = read_kpi("checkout");
    assert!(
        checkout
            .failures
            .keys()
            .all(|(_, _, e)| e.starts_with("409 "))
    );
}

#[test]
fn a_taurus_folder_beside_a_locust_set_makes_one_report() {
    let dir = beside_a_locust_set(&[]);
    for run in RUNS {
        let folder = dir.path().join(format!("{run}-artifacts"));
        std::fs::create_dir(&folder).unwrap();
        std::fs::copy(
            fixture(&format!("taurus/{run}/kpi.jtl")),
            folder.join("kpi.jtl"),
        )
        .unwrap();
        // Taurus's other files there are no result sets.
        std::fs::write(folder.join("effective.json"), "{\"execution\": []}").unwrap();
    }
    // A second execution in one Taurus run writes kpi-1.jtl.
    std::fs::copy(
        fixture("taurus/slow/kpi.jtl"),
        dir.path().join("slow-artifacts/kpi-1.jtl"),
    )
    .unwrap();
    let out = tempfile::tempdir().unwrap();
    let run = check(&[dir.path().to_str().unwrap(), "--no-fail"], out.path());
    assert_eq!(run.code, 0, "{}", run.stderr);
    let summary = run.summary.unwrap();
    assert_eq!(
        scenario_tools(&summary),
        [
            ("checkout-artifacts", "taurus"),
            ("scenario1_concurrent_deployments", "locust"),
            ("slow-artifacts", "taurus"),
            ("slow-artifacts-1", "taurus")
        ]
    );
    // Named as a PATH of its own, from inside its folder too.
    let single = crate::util::loadgate()
        .current_dir(dir.path().join("checkout-artifacts"))
        .args(["check", "kpi.jtl", "--no-fail", "--format", "json", "--out"])
        .arg(out.path().join("single"))
        .output()
        .unwrap();
    assert!(
        single.status.success(),
        "{}",
        String::from_utf8_lossy(&single.stderr)
    );
    let text = std::fs::read_to_string(out.path().join("single/summary.json")).unwrap();
    let summary: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(scenario_tools(&summary), [("checkout-artifacts", "taurus")]);
}

#[test]
fn thresholds_judge_a_kpi_jtl_by_method_and_over_its_seconds() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("loadgate.toml");
    std::fs::write(
        &cfg,
        "[defaults]\nthresholds = [\"p95 < 10s\", \"p95 < 300ms for 2s\"]\n\
         [scenarios.slow]\nmatch = \"slow\"\n\
         [[scenarios.slow.endpoint]]\nmethod = \"POST\"\nname = \"sync connector\"\nthresholds = [\"success_rate >= 99%\"]\n\
         [[scenarios.slow.endpoint]]\nmethod = \"GET\"\nname = \"/api/deployments\"\nthresholds = [\"success_rate >= 99%\"]\n",
    )
    .unwrap();
    let out = tempfile::tempdir().unwrap();
    let run = check(
        &["fixtures/taurus/slow", "--config", cfg.to_str().unwrap()],
        out.path(),
    );
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    let summary = run.summary.unwrap();
    let s = scenario(&summary, "slow");
    let checks = s["checks"].as_array().unwrap();
    let find = |threshold: &str, endpoint: Option<&str>| {
        checks
            .iter()
            .find(|c| c["threshold"] == threshold && c["endpoint"].as_str() == endpoint)
            .unwrap_or_else(|| panic!("{threshold} {endpoint:?} in {checks:?}"))
    };
    assert_eq!(find("p95 < 10s", None)["passed"], true);
    // The 3 s stall breaks 300 ms for longer than 2 s.
    let window = find("p95 < 300ms for 2s", None);
    assert_eq!(window["kind"], "window");
    assert_eq!(window["passed"], false, "{window}");
    assert_eq!(
        find("success_rate >= 99%", Some("POST sync connector"))["actual"].as_f64(),
        Some(0.0)
    );
    assert_eq!(
        find("success_rate >= 99%", Some("GET /api/deployments"))["passed"],
        true
    );
}

#[test]
fn a_broken_kpi_jtl_is_an_error_with_its_line() {
    let text = std::fs::read_to_string(fixture("taurus/checkout/kpi.jtl")).unwrap();
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    // Cut inside the 11th row's fields: the run was killed while writing.
    let cut: String = lines[..11].concat() + &lines[11][..lines[11].len() / 2];
    let bad_line = lines.iter().position(|l| l.contains(",GET,")).unwrap();
    let wrong: String = lines
        .iter()
        .enumerate()
        .map(|(i, l)| match i == bad_line {
            true => l.replacen(",GET,", ",GET,slow,", 1),
            false => (*l).to_string(),
        })
        .collect();
    let typed = text.replacen(",true,", ",yes,", 1);
    let typed_line = typed.lines().position(|l| l.contains(",yes,")).unwrap() + 1;
    let results = tempfile::tempdir().unwrap();
    let cases = [
        ("cut", cut, 12, "the line has"),
        (
            "shifted",
            wrong,
            bad_line + 1,
            "the line has 11 fields but the header has 10",
        ),
        (
            "typed",
            typed,
            typed_line,
            "expected true or false, found `yes` (column \"success\")",
        ),
        ("empty", String::new(), 1, "the file is empty"),
    ];
    for (name, body, _, _) in &cases {
        std::fs::create_dir(results.path().join(name)).unwrap();
        std::fs::write(results.path().join(name).join("kpi.jtl"), body).unwrap();
    }
    std::fs::create_dir(results.path().join("fine")).unwrap();
    std::fs::write(results.path().join("fine/kpi.jtl"), &text).unwrap();
    let out = tempfile::tempdir().unwrap();
    let run = check(&[results.path().to_str().unwrap(), "--no-fail"], out.path());
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    for (name, _, line, what) in &cases {
        let at = format!("{name}/kpi.jtl:{line}: ");
        assert!(
            run.stderr
                .lines()
                .any(|l| l.contains(&at) && l.contains(what)),
            "{at}{what} in {}",
            run.stderr
        );
    }
    let summary = run.summary.unwrap();
    assert_eq!(
        scenario(&summary, "fine")["totals"]["requests"].as_u64(),
        Some(read_kpi("checkout").total.elapsed.len() as u64)
    );
}
