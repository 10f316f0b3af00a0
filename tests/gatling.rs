//! Gatling's simulation.log: SYNTHETIC logs in `fixtures/gatling/` (made by
//! `fixtures/gen/make_gatling_fixtures.py` in the layouts of Gatling 3.11,
//! 3.3 and 2.3, with timings measured against `server.py`), and Gatling's own
//! test logs in `fixtures/gatling/gatling-repo/`. Each log's summary.json
//! equals an independent reading of its records here (counts, failures,
//! nearest-rank percentiles, min/max/mean, run length, rates, peak users,
//! the failures and exceptions tables); a log sits beside a Locust set in one
//! report; binary, empty, cut and malformed logs are refused or warned about
//! with their file and line; two runs of one simulation are an error naming
//! both.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::util::{
    LEVELS, beside_a_locust_set, check, fixture, nearest_rank, scenario, scenario_tools,
};

/// The text fixtures: (simulation id, Gatling version in the RUN record,
/// index of the REQUEST's groups field, of the USER's event field).
const TEXT: [(&str, Option<&str>, usize, usize); 4] = [
    ("checkoutsimulation", Some("3.11.5"), 1, 2),
    ("checkoutslowsimulation", Some("3.11.5"), 1, 2),
    ("checkout33simulation", Some("3.3.1"), 2, 3),
    ("legacycheckoutsimulation", None, 3, 3),
];

/// The run folder `ID-TIMESTAMP` of a simulation id under `fixtures/gatling/`.
fn run_folder(id: &str) -> PathBuf {
    let prefix = format!("{id}-");
    let mut found: Vec<PathBuf> = std::fs::read_dir(fixture("gatling"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .and_then(|n| n.strip_prefix(&prefix))
                .is_some_and(|stamp| stamp.bytes().all(|b| b.is_ascii_digit()))
        })
        .collect();
    assert_eq!(found.len(), 1, "one run folder of {id}: {found:?}");
    found.pop().unwrap()
}

/// `fixtures/gatling/ID-…/simulation.log`, relative to the repository root.
fn log_of(id: &str) -> String {
    let folder = run_folder(id);
    let rel = folder.strip_prefix(crate::util::root()).unwrap();
    format!("{}/simulation.log", rel.display())
}

/// The requests of one endpoint (or of all), read straight from the log.
#[derive(Default)]
struct Expected {
    ms: Vec<u64>,
    failures: u64,
}

impl Expected {
    /// Nearest rank: the value at 1-based rank ⌈n × p⌉ of the sorted samples.
    fn percentile(&self, hundredths: u64) -> u64 {
        nearest_rank(&self.ms, hundredths)
    }

    fn assert_stats(&self, json: &serde_json::Value, duration_s: f64, what: &str) {
        let n = self.ms.len() as u64;
        assert_eq!(json["requests"].as_u64(), Some(n), "{what} requests");
        assert_eq!(json["failures"].as_u64(), Some(self.failures), "{what}");
        let num = |field: &str| {
            json[field]
                .as_f64()
                .unwrap_or_else(|| panic!("{what} {field}: {json}"))
        };
        assert_eq!(
            num("min_ms"),
            *self.ms.iter().min().unwrap() as f64,
            "{what}"
        );
        assert_eq!(
            num("max_ms"),
            *self.ms.iter().max().unwrap() as f64,
            "{what}"
        );
        let mean = self.ms.iter().sum::<u64>() as f64 / n as f64;
        assert!((num("avg_ms") - mean).abs() < 1e-9, "{what} avg");
        assert_eq!(num("median_ms"), self.percentile(5000) as f64, "{what}");
        assert!(
            (num("rps") - n as f64 / duration_s).abs() < 1e-9,
            "{what} rps"
        );
        let fps = self.failures as f64 / duration_s;
        assert!((num("failures_per_s") - fps).abs() < 1e-9, "{what} fps");
        for (label, hundredths) in LEVELS {
            assert_eq!(
                json["percentiles_ms"][label].as_f64(),
                Some(self.percentile(hundredths) as f64),
                "{what} p{label}"
            );
        }
    }
}

/// A log read independently: per endpoint, run length, peak users, the
/// failures and the ERROR messages.
struct Log {
    total: Expected,
    endpoints: BTreeMap<String, Expected>,
    duration_s: f64,
    peak_users: u64,
    failures: BTreeMap<(String, String), u64>,
    errors: BTreeMap<String, u64>,
    run: Vec<String>,
}

fn read_log(id: &str, groups_at: usize, event_at: usize) -> Log {
    let text = std::fs::read_to_string(crate::util::root().join(log_of(id))).unwrap();
    let mut log = Log {
        total: Expected::default(),
        endpoints: BTreeMap::new(),
        duration_s: 0.0,
        peak_users: 0,
        failures: BTreeMap::new(),
        errors: BTreeMap::new(),
        run: Vec::new(),
    };
    let (mut first, mut last, mut active) = (u64::MAX, 0, 0u64);
    for line in text.lines() {
        let f: Vec<&str> = line.split('\t').collect();
        match f[0] {
            "RUN" => log.run = f.iter().map(|s| s.to_string()).collect(),
            "USER" if f[event_at] == "START" => {
                active += 1;
                log.peak_users = log.peak_users.max(active);
            }
            "USER" => active -= 1,
            "REQUEST" => {
                let g = groups_at;
                let (start, end): (u64, u64) =
                    (f[g + 2].parse().unwrap(), f[g + 3].parse().unwrap());
                first = first.min(start);
                last = last.max(end);
                let name = if f[g].is_empty() {
                    f[g + 1].to_string()
                } else {
                    format!("{} / {}", f[g].replace(',', " / "), f[g + 1])
                };
                let failed = match f[g + 4] {
                    "OK" => 0,
                    "KO" => 1,
                    other => panic!("status {other}"),
                };
                for e in [
                    &mut log.total,
                    log.endpoints.entry(name.clone()).or_default(),
                ] {
                    e.ms.push(end - start);
                    e.failures += failed;
                }
                if failed == 1 {
                    *log.failures
                        .entry((name, f[g + 5].trim().to_string()))
                        .or_default() += 1;
                }
            }
            // 2.x wrote errors under the GROUP header: 3 fields.
            "ERROR" | "GROUP" if f.len() == 3 => {
                *log.errors.entry(f[1].trim().to_string()).or_default() += 1;
            }
            _ => {}
        }
    }
    log.duration_s = (last - first) as f64 / 1000.0;
    log
}

#[test]
fn every_gatling_log_reads_exactly_as_its_records_say() {
    for (id, version, groups_at, event_at) in TEXT {
        let out = tempfile::tempdir().unwrap();
        let path = log_of(id);
        let run = check(&[&path, "--no-fail"], out.path());
        assert_eq!(run.code, 0, "{id}: {}", run.stderr);
        let summary = run.summary.unwrap();
        let s = scenario(&summary, id);
        assert_eq!(s["tool"]["name"], "gatling", "{id}");
        assert_eq!(s["tool"]["version"].as_str(), version, "{id}");
        assert_eq!(s["errors"].as_array().unwrap().len(), 0, "{id}: {s}");
        assert_eq!(s["files"]["stats"], path.as_str(), "{id}");

        let log = read_log(id, groups_at, event_at);
        assert!(
            log.total.ms.len() > 80,
            "{id}: a run ({} requests)",
            log.total.ms.len()
        );
        log.total
            .assert_stats(&s["totals"], log.duration_s, &format!("{id} total"));
        let endpoints = s["endpoints"].as_array().unwrap();
        let names: Vec<&str> = endpoints
            .iter()
            .map(|e| e["name"].as_str().unwrap())
            .collect();
        assert_eq!(
            names,
            log.endpoints.keys().map(String::as_str).collect::<Vec<_>>(),
            "{id}: one endpoint per group path and name, sorted"
        );
        for e in endpoints {
            assert_eq!(e["method"], "", "{id}");
            let name = e["name"].as_str().unwrap();
            log.endpoints[name].assert_stats(e, log.duration_s, &format!("{id} {name}"));
        }
        assert_eq!(
            s["duration_s"].as_i64(),
            Some(log.duration_s.round() as i64),
            "{id}"
        );
        assert_eq!(s["peak_users"].as_u64(), Some(log.peak_users), "{id}");
        assert_eq!(s["history_percentiles"], "windowed", "{id}");

        let failures: BTreeMap<(String, String), u64> = s["failures"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                assert_eq!(f["method"], "");
                let key = (
                    f["name"].as_str().unwrap().into(),
                    f["error"].as_str().unwrap().into(),
                );
                (key, f["occurrences"].as_u64().unwrap())
            })
            .collect();
        assert_eq!(failures, log.failures, "{id}");
        let errors: BTreeMap<String, u64> = s["exceptions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                (
                    e["message"].as_str().unwrap().into(),
                    e["count"].as_u64().unwrap(),
                )
            })
            .collect();
        assert_eq!(errors, log.errors, "{id}");
        let data_warnings: Vec<&serde_json::Value> = s["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|w| w.as_str().is_some_and(|w| w.starts_with("data:")))
            .collect();
        assert!(data_warnings.is_empty(), "{id}: {data_warnings:?}");
    }
}

#[test]
fn the_fixtures_hold_what_the_brief_asks_of_them() {
    // The passing run: groups, a nested group, no KO.
    let ok = read_log("checkoutsimulation", 1, 2);
    assert_eq!(ok.total.failures, 0);
    assert!(
        ok.endpoints.contains_key("Checkout / Payment / Pay"),
        "{:?}",
        ok.endpoints.keys()
    );
    assert!(ok.endpoints.contains_key("Catalog / List deployments"));
    assert!(ok.endpoints.contains_key("Home"));
    assert_eq!(ok.run[5], "3.11.5");
    // The failing run: timeouts, 502s, crash errors, assertions before RUN.
    let slow = read_log("checkoutslowsimulation", 1, 2);
    let messages: Vec<&str> = slow.failures.keys().map(|(_, m)| m.as_str()).collect();
    assert!(
        messages
            .iter()
            .any(|m| m.starts_with("Request timeout to 127.0.0.1")),
        "{messages:?}"
    );
    assert!(
        messages.contains(&"status.find.in([200, 209], 304), found 502"),
        "{messages:?}"
    );
    assert!(!slow.errors.is_empty());
    let text = std::fs::read_to_string(crate::util::root().join(log_of("checkoutslowsimulation")))
        .unwrap();
    assert!(text.starts_with("ASSERTION\t"));
    // The 2.x run: its RUN record and an error under the GROUP header.
    let legacy = read_log("legacycheckoutsimulation", 3, 3);
    assert_eq!(legacy.run.len(), 7);
    assert_eq!(legacy.run[6], "2.0");
    assert!(legacy.total.failures > 0);
    for id in TEXT
        .map(|t| t.0)
        .into_iter()
        .chain(["checkoutbinarysimulation"])
    {
        let len = std::fs::metadata(run_folder(id).join("simulation.log"))
            .unwrap()
            .len();
        assert!(len < 300_000, "{id}: {len} bytes");
    }
}

#[test]
fn a_gatling_log_and_a_locust_set_in_one_folder_make_one_report() {
    let log = log_of("checkoutslowsimulation");
    let dir = beside_a_locust_set(&[(log.strip_prefix("fixtures/").unwrap(), "simulation.log")]);
    let out = tempfile::tempdir().unwrap();
    let run = check(&[dir.path().to_str().unwrap(), "--no-fail"], out.path());
    assert_eq!(run.code, 0, "{}", run.stderr);
    let summary = run.summary.unwrap();
    assert_eq!(
        scenario_tools(&summary),
        [
            ("checkoutslowsimulation", "gatling"),
            ("scenario1_concurrent_deployments", "locust")
        ]
    );
    let html = std::fs::read_to_string(out.path().join("report.html")).unwrap();
    assert!(
        html.contains("checkoutslowsimulation")
            && html.contains("scenario1_concurrent_deployments")
    );
    // (minijinja's autoescape writes `/` as `&#x2f;`.)
    assert!(html.contains("Checkout &#x2f; Payment &#x2f; Pay"));
}

/// A temp results folder with run folders `(folder name, log bytes)`.
fn results(runs: &[(&str, &[u8])]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (folder, bytes) in runs {
        std::fs::create_dir_all(dir.path().join(folder)).unwrap();
        std::fs::write(dir.path().join(folder).join("simulation.log"), bytes).unwrap();
    }
    dir
}

fn bytes_of(id: &str) -> Vec<u8> {
    std::fs::read(run_folder(id).join("simulation.log")).unwrap()
}

#[test]
fn two_runs_of_one_simulation_are_an_error_naming_both_logs() {
    let log = bytes_of("checkoutsimulation");
    let dir = results(&[
        ("checkoutsimulation-20261201100000000", &log),
        ("checkoutsimulation-20261201110000000", &log),
    ]);
    let out = tempfile::tempdir().unwrap();
    let run = check(&[dir.path().to_str().unwrap(), "--no-fail"], out.path());
    assert_eq!(run.code, 2, "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stderr
            .contains("scenario `checkoutsimulation` is found in 2 places"),
        "{}",
        run.stderr
    );
    for folder in [
        "checkoutsimulation-20261201100000000",
        "checkoutsimulation-20261201110000000",
    ] {
        assert!(
            run.stderr.contains(&format!("{folder}/simulation.log")),
            "{}",
            run.stderr
        );
    }
    // One run folder alone is read.
    let one = check(
        &[
            dir.path()
                .join("checkoutsimulation-20261201100000000")
                .to_str()
                .unwrap(),
            "--no-fail",
        ],
        &out.path().join("one"),
    );
    assert_eq!(one.code, 0, "{}", one.stderr);
}

#[test]
fn binary_logs_of_gatling_3_13_on_are_refused_while_the_others_are_reported() {
    let dir = results(&[
        (
            "checkoutbinarysimulation-20261201100000000",
            &bytes_of("checkoutbinarysimulation"),
        ),
        (
            "computerdatabasesimulation-20241017120000000",
            &std::fs::read(fixture("gatling/gatling-repo/known_stats/simulation.log")).unwrap(),
        ),
        (
            "checkoutsimulation-20261201100000000",
            &bytes_of("checkoutsimulation"),
        ),
    ]);
    let out = tempfile::tempdir().unwrap();
    let run = check(&[dir.path().to_str().unwrap(), "--no-fail"], out.path());
    assert_eq!(run.code, 2, "{}\n{}", run.stdout, run.stderr);
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    for (folder, version) in [
        ("checkoutbinarysimulation-20261201100000000", "3.14.9"),
        ("computerdatabasesimulation-20241017120000000", "3.12.1"),
    ] {
        let line = run
            .stderr
            .lines()
            .find(|l| l.contains(&format!("{folder}/simulation.log: a binary simulation.log")))
            .unwrap_or_else(|| panic!("{}", run.stderr));
        assert!(line.contains("Gatling 3.13 and later"), "{line}");
        assert!(
            line.contains(&format!("written by Gatling {version}")),
            "{line}"
        );
        assert!(line.contains("Gatling 3.12 or earlier"), "{line}");
    }
    let summary = run.summary.unwrap();
    let ok = scenario(&summary, "checkoutsimulation");
    assert!(ok["totals"]["requests"].as_u64().unwrap() > 0, "{ok}");
    // Named after their folders, without the timestamp.
    let refused = scenario(&summary, "computerdatabasesimulation");
    assert_eq!(refused["status"], "error", "{refused}");
    scenario(&summary, "checkoutbinarysimulation");
}

/// `loadgate check` on one log of these bytes (in a run folder).
fn check_log(bytes: &[u8]) -> (crate::util::Run, tempfile::TempDir, tempfile::TempDir) {
    let dir = results(&[("shopsimulation-20261201100000000", bytes)]);
    let out = tempfile::tempdir().unwrap();
    let run = check(&[dir.path().to_str().unwrap(), "--no-fail"], out.path());
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    (run, dir, out)
}

#[test]
fn a_log_cut_short_by_a_killed_run_is_read_up_to_its_last_whole_line() {
    let log = bytes_of("checkoutsimulation");
    let text = std::str::from_utf8(&log).unwrap();
    let lines = text.lines().count();
    // Cut in the middle of the last REQUEST line.
    let last_request = text.rfind("\nREQUEST\t").unwrap() + 1;
    let cut = &log[..last_request + 20];
    let kept_requests = text[..last_request].matches("\nREQUEST\t").count() as u64;
    let (run, _dir, _out) = check_log(cut);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let line_no = text[..last_request].lines().count() + 1;
    assert!(line_no <= lines);
    assert!(
        run.stderr.contains(&format!(
            "simulation.log:{line_no}: the last line is cut short (no line break: a run killed while Gatling was writing); read up to line {}",
            line_no - 1
        )),
        "{}",
        run.stderr
    );
    let s = scenario(run.summary.as_ref().unwrap(), "checkoutsimulation");
    assert_eq!(s["totals"]["requests"].as_u64(), Some(kept_requests));
}

#[test]
fn malformed_logs_are_errors_with_their_file_line_and_field() {
    let log = String::from_utf8(bytes_of("checkoutsimulation")).unwrap();
    let nth_request = |n: usize| log.match_indices("\nREQUEST\t").nth(n).unwrap().0 + 1;
    let line_of = |at: usize| log[..at].lines().count() + 1;
    // A status that is neither OK nor KO.
    let at = nth_request(3);
    let end = at + log[at..].find('\n').unwrap();
    let bad_status = format!(
        "{}{}{}",
        &log[..at],
        log[at..end].replace("\tOK\t", "\tDONE\t"),
        &log[end..]
    );
    // An end time that is no number.
    let bad_end = {
        let f: Vec<&str> = log[at..end].split('\t').collect();
        let line = [&f[..4], &["12:00:01"], &f[5..]].concat().join("\t");
        format!("{}{}{}", &log[..at], line, &log[end..])
    };
    let cases: [(Vec<u8>, String); 6] = [
        (
            bad_status.into_bytes(),
            format!(
                "simulation.log:{}: expected OK or KO, found `DONE` (column \"status\")",
                line_of(at)
            ),
        ),
        (
            bad_end.into_bytes(),
            format!(
                "simulation.log:{}: expected a Unix time in milliseconds, found `12:00:01` (column \"end\")",
                line_of(at)
            ),
        ),
        (Vec::new(), "simulation.log:1: the file is empty".into()),
        (
            b"hello\n".to_vec(),
            "simulation.log:1: not a Gatling simulation.log".into(),
        ),
        (
            b"shop.Checkout\tshop\tRUN\t1406822067250\t \t2.0\n".to_vec(),
            "simulation.log:1: the simulation.log layout of Gatling 2.0".into(),
        ),
        (
            format!("{}\0{}", &log[..at], &log[at..]).into_bytes(),
            format!(
                "simulation.log:{}: binary content (a NUL byte)",
                line_of(at)
            ),
        ),
    ];
    for (bytes, expected) in cases {
        let (run, _dir, _out) = check_log(&bytes);
        assert_eq!(run.code, 2, "{expected}: {}\n{}", run.stdout, run.stderr);
        assert!(
            run.stderr.contains(&expected),
            "{expected}:\n{}",
            run.stderr
        );
    }
}

#[test]
fn a_gatling_log_is_found_by_its_content_not_its_name() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        run_folder("checkoutsimulation").join("simulation.log"),
        dir.path().join("nightly.log"),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("server.log"),
        "2026-12-01 10:00:00 INFO started\n",
    )
    .unwrap();
    let out = tempfile::tempdir().unwrap();
    let run = check(&[dir.path().to_str().unwrap(), "--no-fail"], out.path());
    assert_eq!(run.code, 0, "{}", run.stderr);
    // Not `simulation.log`: named after the file, as a JTL is.
    assert_eq!(
        scenario_tools(run.summary.as_ref().unwrap()),
        [("nightly", "gatling")]
    );
    // As a PATH of its own too; a CRLF log (Gatling on Windows) reads the same.
    let crlf = String::from_utf8(bytes_of("checkoutsimulation"))
        .unwrap()
        .replace('\n', "\r\n");
    std::fs::write(dir.path().join("windows.log"), crlf).unwrap();
    let single = check(
        &[
            dir.path().join("windows.log").to_str().unwrap(),
            "--no-fail",
        ],
        &out.path().join("single"),
    );
    assert_eq!(single.code, 0, "{}", single.stderr);
    let a = &scenario(run.summary.as_ref().unwrap(), "nightly")["totals"];
    let b = &scenario(single.summary.as_ref().unwrap(), "windows")["totals"];
    assert_eq!(a, b);
}

/// A loadgate.toml in `dir`.
fn config(dir: &Path, toml: &str) -> String {
    let path = dir.join("loadgate.toml");
    std::fs::write(&path, toml).unwrap();
    path.to_str().unwrap().to_string()
}

#[test]
fn thresholds_windows_and_endpoint_tables_judge_a_gatling_log() {
    let dir = tempfile::tempdir().unwrap();
    let slow = read_log("checkoutslowsimulation", 1, 2);
    let cfg = config(
        dir.path(),
        "[defaults]\nthresholds = [\"p95 < 10s\", \"p95 < 100ms for 2s\", \"users >= 1\"]\n\
         [scenarios.checkoutslowsimulation]\n\
         [[scenarios.checkoutslowsimulation.endpoint]]\nname = \"Checkout / Payment / Pay\"\nthresholds = [\"success_rate >= 99%\"]\n",
    );
    let out = tempfile::tempdir().unwrap();
    let run = check(
        &[&log_of("checkoutslowsimulation"), "--config", &cfg],
        out.path(),
    );
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    let summary = run.summary.unwrap();
    let s = scenario(&summary, "checkoutslowsimulation");
    let checks = s["checks"].as_array().unwrap();
    let find = |threshold: &str| {
        checks
            .iter()
            .find(|c| c["threshold"] == threshold && c["endpoint"].is_null())
            .unwrap_or_else(|| panic!("{threshold} in {checks:?}"))
    };
    assert_eq!(find("p95 < 10s")["passed"], true);
    assert_eq!(
        find("p95 < 10s")["actual"].as_f64(),
        Some(slow.total.percentile(9500) as f64)
    );
    assert_eq!(
        find("users >= 1")["actual"].as_f64(),
        Some(slow.peak_users as f64)
    );
    // The 3 s stall (600 ms timeouts) breaks 100 ms for longer than 2 s.
    let window = find("p95 < 100ms for 2s");
    assert_eq!(window["kind"], "window");
    assert_eq!(window["passed"], false, "{window}");
    let pay = &slow.endpoints["Checkout / Payment / Pay"];
    let endpoint = checks
        .iter()
        .find(|c| c["endpoint"] == "Checkout / Payment / Pay")
        .unwrap_or_else(|| panic!("{checks:?}"));
    assert_eq!(endpoint["passed"], false, "{endpoint}");
    let rate = 100.0 * (pay.ms.len() as f64 - pay.failures as f64) / pay.ms.len() as f64;
    assert!(
        (endpoint["actual"].as_f64().unwrap() - rate).abs() < 1e-9,
        "{endpoint}"
    );
}
