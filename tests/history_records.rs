//! Run histories: `check --history DIR` records each run, `--baseline DIR`
//! judges against the median of the last comparable runs with their noise,
//! `loadgate trend DIR` renders them all. (`tests/history.rs` is about
//! Locust's `_stats_history.csv`.)
//!
//! The runs are real: `fixtures/jmeter/slow.jtl` (a JMeter 2.13 run against
//! a slowed target, medians of 130 ms and more, so whole-millisecond
//! rounding stays far below the changes under test) with every latency
//! column scaled and the timestamps moved, one copy per run. Expected values
//! are computed here from the records' own figures, never copied from
//! loadgate's output.

use std::path::{Path, PathBuf};

use assert_cmd::Command;

use crate::util::{fixture, loadgate, scenario};

/// The CI variables a record reads, removed so that the tests behave the
/// same inside GitHub Actions.
const CI_VARS: [&str; 5] = [
    "GITHUB_SHA",
    "GITHUB_REF_NAME",
    "GITHUB_RUN_ID",
    "GITHUB_RUN_ATTEMPT",
    "GITHUB_REPOSITORY",
];

/// A Unix time the runs are recorded at (one hour apart).
const EPOCH: i64 = 1_790_000_000;

/// 5% on the latency figures, nothing else, no thresholds: only the
/// comparison decides.
const TOLERANCE_5: &str =
    "[defaults]\nthresholds = []\n[regression]\nmedian = \"+5%\"\np95 = \"+5%\"\np99 = \"+5%\"\n";

/// A work folder: runs, histories and outputs, outside any git checkout.
struct Lab {
    dir: tempfile::TempDir,
}

struct Outcome {
    code: i32,
    stdout: String,
    stderr: String,
    summary: Option<serde_json::Value>,
}

impl Lab {
    fn new() -> Lab {
        let lab = Lab {
            dir: tempfile::tempdir().unwrap(),
        };
        std::fs::write(lab.path("loadgate.toml"), TOLERANCE_5).unwrap();
        lab
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    /// `loadgate` run in the lab, with no CI variables.
    fn cmd(&self) -> Command {
        let mut cmd = loadgate();
        cmd.current_dir(self.dir.path());
        for var in CI_VARS {
            cmd.env_remove(var);
        }
        cmd
    }

    /// A run: `slow.jtl` with every latency × `factor`, `day` days later, in
    /// the folder `name` (scenario `checkout`).
    fn run(&self, name: &str, factor: f64, day: i64) -> PathBuf {
        let dir = self.path(name);
        std::fs::create_dir_all(&dir).unwrap();
        scaled_jtl(
            &fixture("jmeter/slow.jtl"),
            &dir.join("checkout.jtl"),
            factor,
            day,
            None,
        );
        dir
    }

    /// `check RESULTS --out OUT ARGS…` at `EPOCH + hour` hours.
    fn check(&self, results: &Path, out: &str, hour: i64, args: &[&str]) -> Outcome {
        self.check_with(results, out, hour, args, &[])
    }

    fn check_with(
        &self,
        results: &Path,
        out: &str,
        hour: i64,
        args: &[&str],
        env: &[(&str, &str)],
    ) -> Outcome {
        let mut cmd = self.cmd();
        cmd.env("SOURCE_DATE_EPOCH", (EPOCH + hour * 3600).to_string())
            .arg("check")
            .arg(results)
            .args(["--out", out])
            .args(args);
        if !args.contains(&"--config") {
            cmd.args(["--config", "loadgate.toml"]);
        }
        for (k, v) in env {
            cmd.env(k, v);
        }
        let output = cmd.output().unwrap();
        Outcome {
            code: output.status.code().unwrap(),
            stdout: String::from_utf8(output.stdout).unwrap(),
            stderr: String::from_utf8(output.stderr).unwrap(),
            summary: std::fs::read_to_string(self.path(out).join("summary.json"))
                .ok()
                .map(|t| serde_json::from_str(&t).unwrap()),
        }
    }

    /// The history's records (the files that parse), by file name (which
    /// sorts by time).
    fn records(&self, history: &str) -> Vec<(String, serde_json::Value)> {
        let mut out: Vec<(String, serde_json::Value)> = std::fs::read_dir(self.path(history))
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .filter(|n| n.ends_with(".json") && !n.starts_with('.'))
            .filter_map(|n| {
                let text = std::fs::read_to_string(self.path(history).join(&n)).unwrap();
                Some((n, serde_json::from_str(&text).ok()?))
            })
            .collect();
        out.sort_by(|a, b| a.0.cmp(&b.0));
        out
    }
}

/// Copy a real JTL with `elapsed` and `Latency` × `factor` (rounded to
/// whole ms, as JMeter writes them) and every `timeStamp` `day` days later;
/// `keep` keeps only the first rows.
fn scaled_jtl(from: &Path, to: &Path, factor: f64, day: i64, keep: Option<usize>) {
    let mut reader = csv::Reader::from_path(from).unwrap();
    let headers = reader.headers().unwrap().clone();
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let (ts, elapsed, latency) = (col("timeStamp"), col("elapsed"), col("Latency"));
    let mut writer = csv::Writer::from_path(to).unwrap();
    writer.write_record(&headers).unwrap();
    for (i, row) in reader.records().enumerate() {
        if keep.is_some_and(|k| i >= k) {
            break;
        }
        let row = row.unwrap();
        let fields: Vec<String> = row
            .iter()
            .enumerate()
            .map(|(j, v)| match j {
                _ if j == ts => (v.parse::<i64>().unwrap() + day * 86_400_000).to_string(),
                _ if j == elapsed || j == latency => {
                    ((v.parse::<f64>().unwrap() * factor).round() as i64).to_string()
                }
                _ => v.to_string(),
            })
            .collect();
        writer.write_record(&fields).unwrap();
    }
    writer.flush().unwrap();
}

/// The median and the median absolute deviation, computed independently.
fn median(values: &[f64]) -> f64 {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

fn mad(values: &[f64]) -> f64 {
    let m = median(values);
    median(&values.iter().map(|v| (v - m).abs()).collect::<Vec<_>>())
}

/// The comparison of `metric` on the scenario total of `checkout`.
fn total_comparison<'a>(summary: &'a serde_json::Value, metric: &str) -> &'a serde_json::Value {
    scenario(summary, "checkout")["comparisons"]
        .as_array()
        .expect("comparisons")
        .iter()
        .find(|c| c["metric"] == metric && c["endpoint"].is_null())
        .unwrap_or_else(|| panic!("a {metric} comparison"))
}

fn regressions(o: &Outcome) -> u64 {
    o.summary.as_ref().unwrap()["counts"]["regressions"]
        .as_u64()
        .unwrap()
}

#[test]
fn a_three_percent_creep_passes_run_by_run_but_fails_against_the_last_five() {
    let lab = Lab::new();
    let runs: Vec<PathBuf> = (0..8)
        .map(|k| lab.run(&format!("run{}", k + 1), 1.03_f64.powi(k), k as i64))
        .collect();
    // Runs 1 to 7 are recorded; from run 2 on each also passes against the one before.
    for (k, run) in runs[..7].iter().enumerate() {
        let mut args = vec!["--history", "history", "--label"];
        let label = format!("v1.{k}");
        args.push(&label);
        let previous = format!("run{k}");
        if k > 0 {
            args.extend(["--baseline", &previous]);
        }
        let o = lab.check(run, &format!("out{}", k + 1), k as i64, &args);
        assert_eq!(o.code, 0, "run {}: {}{}", k + 1, o.stdout, o.stderr);
        assert!(
            o.stdout
                .contains("recorded this run in the run history: history/"),
            "{}",
            o.stdout
        );
        if k > 0 {
            assert_eq!(regressions(&o), 0, "run {} against run {k}", k + 1);
        }
    }
    let records = lab.records("history");
    assert_eq!(records.len(), 7);

    // Run 8 against run 7: +3%, within 5%.
    let previous = lab.check(&runs[7], "out8-previous", 7, &["--baseline", "run7"]);
    assert_eq!(previous.code, 0, "{}{}", previous.stdout, previous.stderr);
    assert_eq!(regressions(&previous), 0);

    // Run 8 against the history: the median of runs 3 to 7 is 3 steps back.
    let judged = lab.check(&runs[7], "out8-history", 7, &["--baseline", "history"]);
    assert_eq!(judged.code, 1, "{}{}", judged.stdout, judged.stderr);
    let summary = judged.summary.as_ref().unwrap();
    let window: Vec<&(String, serde_json::Value)> = records[2..].iter().collect();
    let history = &summary["baseline"]["history"];
    assert_eq!(history["window"], 5);
    assert_eq!(
        history["runs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r.as_str().unwrap())
            .collect::<Vec<_>>(),
        window.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>()
    );
    assert_eq!(history["looked_at"], 5);
    for (metric, field) in [("median", None), ("p95", Some("95")), ("p99", Some("99"))] {
        let values: Vec<f64> = window
            .iter()
            .map(|(_, r)| {
                let totals = &scenario(r, "checkout")["totals"];
                match field {
                    None => totals["median_ms"].as_f64().unwrap(),
                    Some(p) => totals["percentiles_ms"][p].as_f64().unwrap(),
                }
            })
            .collect();
        let c = total_comparison(summary, metric);
        assert_eq!(c["baseline"].as_f64().unwrap(), median(&values), "{metric}");
        assert_eq!(
            c["noise"]["mad"].as_f64().unwrap(),
            mad(&values),
            "{metric}"
        );
        assert_eq!(c["noise"]["runs"], 5);
        assert_eq!(c["verdict"], "regressed", "{metric}: {}", c["message"]);
        let pct = c["change_pct"].as_f64().unwrap();
        assert!(
            pct > 8.0 && pct < 10.5,
            "{metric}: 1.03^3 is +9.3%, got {pct}"
        );
        assert!(
            c["message"]
                .as_str()
                .unwrap()
                .contains("; baseline: median of the last 5 runs, noise ±"),
            "{}",
            c["message"]
        );
    }
    let report = std::fs::read_to_string(lab.path("out8-history/report.md")).unwrap();
    assert!(
        report.contains(
            "Baseline: the median of the last 5 comparable runs, from the run history history"
        ),
        "{report}"
    );
    assert!(report.contains("## Trend"));
    assert!(
        report.contains("| **2026-09-21 21:13** (this run) |"),
        "{report}"
    );
}

#[test]
fn one_outlier_run_in_the_history_does_not_fail_the_next_normal_run() {
    for (outlier, what) in [(1.6, "slow"), (0.75, "fast")] {
        let lab = Lab::new();
        let factors = [1.0, 1.01, 0.99, 1.005, outlier];
        for (k, f) in factors.iter().enumerate() {
            let run = lab.run(&format!("run{k}"), *f, k as i64);
            // The outlier itself stands out against the runs before it.
            if k == 4 {
                let o = lab.check(&run, "judged", k as i64, &["--baseline", "history"]);
                let c = total_comparison(o.summary.as_ref().unwrap(), "median");
                match outlier > 1.0 {
                    true => assert_eq!((o.code, c["verdict"].as_str()), (1, Some("regressed"))),
                    false => assert_eq!((o.code, c["verdict"].as_str()), (0, Some("improved"))),
                }
            }
            let o = lab.check(&run, "out", k as i64, &["--history", "history"]);
            assert_eq!(o.code, 0, "{}{}", o.stdout, o.stderr);
        }
        let next = lab.run("next", 1.0, 5);
        let o = lab.check(&next, "next-out", 5, &["--baseline", "history"]);
        assert_eq!(o.code, 0, "{what} outlier: {}{}", o.stdout, o.stderr);
        let values: Vec<f64> = lab
            .records("history")
            .iter()
            .map(|(_, r)| {
                scenario(r, "checkout")["totals"]["median_ms"]
                    .as_f64()
                    .unwrap()
            })
            .collect();
        let c = total_comparison(o.summary.as_ref().unwrap(), "median");
        assert_eq!(c["baseline"].as_f64().unwrap(), median(&values));
        assert_eq!(c["verdict"], "unchanged", "{}", c["message"]);
        // Against the outlier run alone, a fast outlier fails the normal run.
        let o = lab.check(&next, "vs-outlier", 5, &["--baseline", "run4"]);
        assert_eq!(
            o.code,
            if outlier < 1.0 { 1 } else { 0 },
            "{what}: {}",
            o.stdout
        );
    }
}

#[test]
fn two_concurrent_checks_both_land_under_different_names() {
    let lab = Lab::new();
    let run = lab.run("run", 1.0, 0);
    let bin = assert_cmd::cargo::cargo_bin("loadgate");
    for round in 0..10 {
        let spawn = |out: String| {
            let mut cmd = std::process::Command::new(&bin);
            cmd.current_dir(lab.dir.path())
                .env("SOURCE_DATE_EPOCH", EPOCH.to_string())
                .env("NO_COLOR", "1")
                .env_remove("GITHUB_ACTIONS");
            for var in CI_VARS {
                cmd.env_remove(var);
            }
            cmd.arg("check")
                .arg(&run)
                .args([
                    "--config",
                    "loadgate.toml",
                    "--history",
                    "history",
                    "--out",
                    &out,
                    "-q",
                ])
                .stdout(std::process::Stdio::null())
                .spawn()
                .unwrap()
        };
        let (mut a, mut b) = (spawn(format!("a{round}")), spawn(format!("b{round}")));
        assert!(a.wait().unwrap().success() && b.wait().unwrap().success());
    }
    let records = lab.records("history");
    assert_eq!(records.len(), 20, "every run landed");
    let names: std::collections::BTreeSet<&str> = records.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names.len(), 20);
    // One second for all of them, yet no name twice; each record whole.
    let stamp = "20260921T141320Z-";
    assert!(names.iter().all(|n| n.starts_with(stamp)), "{names:?}");
    for (_, r) in &records {
        assert_eq!(r["schema"], "loadgate/summary/v1");
        assert_eq!(r["run"]["label"], serde_json::Value::Null);
    }
    let leftovers: Vec<String> = std::fs::read_dir(lab.path("history"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn bad_records_are_left_out_with_a_warning_naming_each_file() {
    let lab = Lab::new();
    for k in 0..3 {
        let run = lab.run(&format!("run{k}"), 1.0 + k as f64 / 100.0, k);
        let o = lab.check_with(
            &run,
            "out",
            k,
            &["--history", "history"],
            &[
                ("GITHUB_SHA", "abc1234def"),
                ("GITHUB_REF_NAME", "main"),
                ("GITHUB_REPOSITORY", "o/r"),
            ],
        );
        assert_eq!(o.code, 0, "{}", o.stderr);
    }
    let h = lab.path("history");
    let (good, record) = lab.records("history").remove(0);
    let text = serde_json::to_string_pretty(&record).unwrap();
    std::fs::write(h.join("cut.json"), &text[..text.len() / 2]).unwrap();
    std::fs::write(
        h.join("newer.json"),
        text.replace("loadgate/summary/v1", "loadgate/summary/v2"),
    )
    .unwrap();
    std::fs::copy(fixture("k6/checkout_export.k6.json"), h.join("k6.json")).unwrap();
    let mut no_run = record.clone();
    no_run.as_object_mut().unwrap().remove("run");
    std::fs::write(h.join("plain-summary.json"), no_run.to_string()).unwrap();
    let mut other = record.clone();
    other["run"]["project"] = "o/other".into();
    std::fs::write(h.join("other-project.json"), other.to_string()).unwrap();
    assert!(h.join(&good).is_file());

    let run = lab.run("now", 1.0, 3);
    let o = lab.check_with(
        &run,
        "now-out",
        3,
        &["--baseline", "history"],
        &[
            ("GITHUB_SHA", "fff0000"),
            ("GITHUB_REF_NAME", "main"),
            ("GITHUB_REPOSITORY", "o/r"),
        ],
    );
    assert_eq!(o.code, 0, "{}{}", o.stdout, o.stderr);
    for (file, why) in [
        ("cut.json", "not valid JSON"),
        (
            "newer.json",
            "summary schema `loadgate/summary/v2` is not supported",
        ),
        ("k6.json", "not a loadgate run record"),
        ("plain-summary.json", "without \"run\""),
        (
            "other-project.json",
            "a record of another project (o/other, this run is o/r)",
        ),
    ] {
        let line = o
            .stderr
            .lines()
            .find(|l| l.contains(&format!("history/{file}")))
            .unwrap_or_else(|| panic!("no warning names {file}:\n{}", o.stderr));
        assert!(
            line.starts_with("warning: ") && line.contains(why),
            "{line}"
        );
        assert!(
            line.ends_with("left out of the run history") || line.ends_with("left out"),
            "{line}"
        );
    }
    let history = &o.summary.as_ref().unwrap()["baseline"]["history"];
    assert_eq!(history["left_out"], 5);
    assert_eq!(history["runs"].as_array().unwrap().len(), 3);
    // The data notes of the report name them too.
    let report = std::fs::read_to_string(lab.path("now-out/report.md")).unwrap();
    assert!(
        report.contains("not used: 5 records left out (see their warnings)"),
        "{report}"
    );
    assert!(report.contains("cut.json"));
}

#[test]
fn a_missing_or_empty_history_is_an_error_as_a_baseline_and_created_for_recording() {
    let lab = Lab::new();
    let run = lab.run("run", 1.0, 0);
    let o = lab.check(&run, "out", 0, &["--baseline", "nowhere"]);
    assert_eq!(o.code, 2);
    assert!(
        o.stderr.contains("error: baseline nowhere does not exist"),
        "{}",
        o.stderr
    );

    // --history creates the folder and its marker, then the record.
    let o = lab.check(&run, "out", 0, &["--history", "new/history"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(lab.path("new/history/LOADGATE-HISTORY.txt").is_file());
    assert_eq!(lab.records("new/history").len(), 1);

    // A history without records is no baseline.
    std::fs::create_dir(lab.path("empty")).unwrap();
    std::fs::write(lab.path("empty/LOADGATE-HISTORY.txt"), "").unwrap();
    let o = lab.check(&run, "out", 0, &["--baseline", "empty"]);
    assert_eq!(o.code, 2);
    assert!(
        o.stderr
            .contains("error: the run history empty holds no record yet: record a run first"),
        "{}",
        o.stderr
    );
    // One whose records are all unreadable neither.
    std::fs::write(lab.path("empty/x.json"), "{").unwrap();
    let o = lab.check(&run, "out", 0, &["--baseline", "empty"]);
    assert_eq!(o.code, 2);
    assert!(
        o.stderr
            .contains("none of the 1 records of the run history empty can be used"),
        "{}",
        o.stderr
    );
    assert!(
        o.stderr.contains("empty/x.json:1: not valid JSON"),
        "{}",
        o.stderr
    );

    // --history never turns a results folder into a history.
    let o = lab.check(&run, "out", 0, &["--history", "run"]);
    assert_eq!(o.code, 2);
    assert!(
        o.stderr.contains(
            "run holds files but is not a loadgate run history (no LOADGATE-HISTORY.txt)"
        ),
        "{}",
        o.stderr
    );
    assert!(!lab.path("run/LOADGATE-HISTORY.txt").exists());
    let o = lab.check(&run, "out", 0, &["--history", "out"]);
    assert_eq!(o.code, 2);
    assert!(
        o.stderr.contains("--history out is the output folder"),
        "{}",
        o.stderr
    );

    // A results folder keeps meaning one run; a history is not for `compare`.
    let o = lab.check(&run, "out2", 0, &["--baseline", "run"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(
        o.summary.as_ref().unwrap()["baseline"]
            .get("history")
            .is_none()
    );
    let out = lab
        .cmd()
        .args(["compare", "new/history", "run"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains(
            "new/history is a run history: `check --baseline new/history` compares with it"
        )
    );
    // Records whose marker was lost: a hint, not a silent "no results".
    std::fs::create_dir(lab.path("lost")).unwrap();
    for (n, _) in lab.records("new/history") {
        std::fs::copy(lab.path("new/history").join(&n), lab.path("lost").join(&n)).unwrap();
    }
    let o = lab.check(&run, "out", 0, &["--baseline", "lost"]);
    assert_eq!(o.code, 2);
    assert!(
        o.stderr
            .contains("a run history that lost its LOADGATE-HISTORY.txt"),
        "{}",
        o.stderr
    );
}

#[test]
fn runs_of_another_profile_scenario_set_or_tool_are_skipped_and_counted() {
    let lab = Lab::new();
    let mut hour = 0;
    let mut record = |results: &Path| {
        let o = lab.check(results, "out", hour, &["--history", "history"]);
        assert_eq!(o.code, 0, "{}", o.stderr);
        hour += 1;
    };
    for k in 0..5 {
        record(&lab.run(&format!("run{k}"), 1.0, k));
    }
    // Half the samples: a run about half as long.
    let short = lab.path("short");
    std::fs::create_dir(&short).unwrap();
    scaled_jtl(
        &fixture("jmeter/slow.jtl"),
        &short.join("checkout.jtl"),
        1.0,
        5,
        Some(215),
    );
    record(&short);
    // One more scenario.
    let two = lab.run("two", 1.0, 6);
    std::fs::copy(fixture("jmeter/checkout.jtl"), two.join("extra.jtl")).unwrap();
    record(&two);
    // `checkout` written by Locust.
    let locust = lab.path("locust");
    std::fs::create_dir(&locust).unwrap();
    for suffix in [
        "_stats.csv",
        "_stats_history.csv",
        "_failures.csv",
        "_exceptions.csv",
    ] {
        std::fs::copy(
            fixture(&format!("demo/scenario1_concurrent_deployments{suffix}")),
            locust.join(format!("checkout{suffix}")),
        )
        .unwrap();
    }
    record(&locust);

    let o = lab.check(
        &lab.run("now", 1.0, 9),
        "now-out",
        9,
        &["--baseline", "history"],
    );
    assert_eq!(o.code, 0, "{}{}", o.stdout, o.stderr);
    let history = &o.summary.as_ref().unwrap()["baseline"]["history"];
    assert_eq!(history["looked_at"], 8);
    assert_eq!(
        history["skipped"],
        serde_json::json!({"scenario_set": 1, "load_tool": 1, "load_profile": 1})
    );
    let records = lab.records("history");
    assert_eq!(
        history["runs"],
        serde_json::json!(records[..5].iter().map(|(n, _)| n).collect::<Vec<_>>())
    );
    let report = std::fs::read_to_string(lab.path("now-out/report.md")).unwrap();
    assert!(
        report.contains("3 of the last 8 runs were skipped: 1 a different scenario set, 1 a different load tool, 1 a different load profile"),
        "{report}"
    );

    // Nothing comparable: a warning, and nothing compared.
    let tiny = lab.path("tiny");
    std::fs::create_dir(&tiny).unwrap();
    scaled_jtl(
        &fixture("jmeter/slow.jtl"),
        &tiny.join("checkout.jtl"),
        1.0,
        9,
        Some(100),
    );
    let o = lab.check(&tiny, "tiny-out", 9, &["--baseline", "history"]);
    assert_eq!(o.code, 0);
    assert!(o.stderr.contains("no run of the run history history is comparable with this one (no comparable run; 8 of the last 8 runs were skipped"), "{}", o.stderr);
    assert!(o.summary.as_ref().unwrap().get("baseline").is_none());
}

#[test]
fn the_baseline_is_taken_from_this_branch_or_the_configured_one() {
    let lab = Lab::new();
    let ci = |sha: &'static str, branch: &'static str, run: &'static str| {
        [
            ("GITHUB_SHA", sha),
            ("GITHUB_REF_NAME", branch),
            ("GITHUB_RUN_ID", run),
            ("GITHUB_RUN_ATTEMPT", "2"),
        ]
    };
    for k in 0..3 {
        let main = lab.run(&format!("main{k}"), 1.0, k);
        let o = lab.check_with(
            &main,
            "out",
            2 * k,
            &["--history", "h"],
            &ci("aaaa111", "main", "900"),
        );
        assert_eq!(o.code, 0, "{}", o.stderr);
        let feature = lab.run(&format!("feature{k}"), 1.5, k);
        let o = lab.check_with(
            &feature,
            "out",
            2 * k + 1,
            &["--history", "h"],
            &ci("bbbb222", "feature/x", "901"),
        );
        assert_eq!(o.code, 0, "{}", o.stderr);
    }
    let records = lab.records("h");
    let (name, first) = &records[0];
    assert!(name.starts_with("20260921T141320Z-900-2-"), "{name}");
    assert_eq!(
        first["run"],
        serde_json::json!({"label": null, "commit": "aaaa111", "branch": "main", "revision_source": "github_actions",
            "project": null, "ci_run_id": "900", "ci_run_attempt": "2", "recorded_at": null})
    );
    let now = lab.run("now", 1.5, 4);
    // On feature/x: its own runs, the same speed.
    let o = lab.check_with(
        &now,
        "o1",
        9,
        &["--baseline", "h"],
        &ci("cccc333", "feature/x", "902"),
    );
    assert_eq!(o.code, 0, "{}", o.stdout);
    let h = &o.summary.as_ref().unwrap()["baseline"]["history"];
    assert_eq!(
        (h["branch"].as_str(), h["other_branches"].as_u64()),
        (Some("feature/x"), Some(3))
    );
    // With `[history] branch = "main"`: main's runs, 50% faster.
    std::fs::write(
        lab.path("main.toml"),
        format!("{TOLERANCE_5}[history]\nbranch = \"main\"\nwindow = 2\n"),
    )
    .unwrap();
    let o = lab.check_with(
        &now,
        "o2",
        9,
        &["--baseline", "h", "--config", "main.toml"],
        &ci("cccc333", "feature/x", "902"),
    );
    assert_eq!(o.code, 1, "{}", o.stdout);
    let h = &o.summary.as_ref().unwrap()["baseline"]["history"];
    assert_eq!(h["branch"], "main");
    assert_eq!(h["runs"].as_array().unwrap().len(), 2);
    assert!(
        o.stdout.contains("median of the last 2 runs"),
        "{}",
        o.stdout
    );
}

#[test]
fn without_ci_variables_the_revision_comes_from_git_and_without_git_it_is_unknown() {
    let lab = Lab::new();
    let run = lab.run("run", 1.0, 0);
    // No git on PATH: the run is still recorded, without a revision.
    let empty_path = lab.path("bin");
    std::fs::create_dir(&empty_path).unwrap();
    let o = lab.check_with(
        &run,
        "out",
        0,
        &["--history", "h", "--label", "rc1"],
        &[("PATH", empty_path.to_str().unwrap())],
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    let (_, r) = &lab.records("h")[0];
    assert_eq!(
        (
            r["run"]["commit"].is_null(),
            r["run"]["branch"].is_null(),
            r["run"]["revision_source"].is_null()
        ),
        (true, true, true)
    );
    assert_eq!(r["run"]["label"], "rc1");

    let git = |args: &[&str]| {
        std::process::Command::new("git")
            .args(args)
            .current_dir(lab.dir.path())
            .env("GIT_AUTHOR_NAME", "t")
            .env("GIT_AUTHOR_EMAIL", "t@example.com")
            .env("GIT_COMMITTER_NAME", "t")
            .env("GIT_COMMITTER_EMAIL", "t@example.com")
            .output()
    };
    if !git(&["--version"]).is_ok_and(|o| o.status.success()) {
        eprintln!("SKIPPED the git half: no git on PATH");
        return;
    }
    git(&["init", "-q", "-b", "release/2.4"]).unwrap();
    git(&["add", "loadgate.toml"]).unwrap();
    git(&["commit", "-q", "-m", "x"]).unwrap();
    let head = String::from_utf8(git(&["rev-parse", "HEAD"]).unwrap().stdout).unwrap();
    let o = lab.check(&run, "out", 1, &["--history", "h"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let (_, r) = &lab.records("h")[1];
    assert_eq!(r["run"]["commit"], head.trim());
    assert_eq!(r["run"]["branch"], "release/2.4");
    assert_eq!(r["run"]["revision_source"], "git");
}

#[test]
fn a_change_within_the_history_noise_is_not_a_regression() {
    let lab = Lab::new();
    // A noisy service: ±15 % from run to run.
    for (k, f) in [0.85, 1.15, 0.9, 1.1, 1.0].iter().enumerate() {
        let o = lab.check(
            &lab.run(&format!("run{k}"), *f, k as i64),
            "out",
            k as i64,
            &["--history", "h"],
        );
        assert_eq!(o.code, 0);
    }
    // +8 %: past the 5 % tolerance, within the noise.
    let o = lab.check(&lab.run("now", 1.08, 6), "now", 6, &["--baseline", "h"]);
    assert_eq!(o.code, 0, "{}", o.stdout);
    let c = total_comparison(o.summary.as_ref().unwrap(), "median");
    assert!(c["change_pct"].as_f64().unwrap() > 5.0, "{c}");
    assert!(
        c["change"].as_f64().unwrap() <= c["noise"]["mad"].as_f64().unwrap(),
        "{c}"
    );
    assert_eq!(c["verdict"], "unchanged");
    assert!(
        c["message"]
            .as_str()
            .unwrap()
            .ends_with("; within the noise: not significant"),
        "{c}"
    );
    // The same change against one run is a regression.
    let o = lab.check(&lab.path("now"), "one", 6, &["--baseline", "run4"]);
    assert_eq!(o.code, 1);
}

#[test]
fn the_trend_report_is_deterministic_and_marks_the_runs_that_failed() {
    let lab = Lab::new();
    for k in 0..4 {
        let o = lab.check(
            &lab.run(&format!("run{k}"), 1.0 + 0.02 * k as f64, k),
            "out",
            k,
            &["--history", "h", "--label", &format!("v{k}")],
        );
        assert_eq!(o.code, 0);
    }
    // A run that misses a threshold is recorded, failed.
    std::fs::write(
        lab.path("strict.toml"),
        "[defaults]\nthresholds = [\"p99 < 100ms\"]\n",
    )
    .unwrap();
    let o = lab.check(
        &lab.run("run4", 1.0, 4),
        "out",
        4,
        &["--history", "h", "--config", "strict.toml", "--no-fail"],
    );
    assert_eq!(o.code, 0);
    std::fs::write(lab.path("h/broken.json"), "not json").unwrap();

    let trend = |out: &str| {
        let o = lab
            .cmd()
            .env("SOURCE_DATE_EPOCH", "1800000000")
            .args(["trend", "h", "--out", out])
            .output()
            .unwrap();
        assert_eq!(
            o.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
        (
            String::from_utf8(o.stdout).unwrap(),
            String::from_utf8(o.stderr).unwrap(),
        )
    };
    let (stdout, stderr) = trend("t1");
    assert!(stdout.starts_with("5 runs of 1 scenario from h\nwrote t1: trend.json, trend.md, trend.html, charts/ (1 SVG)"), "{stdout}");
    assert!(
        stderr.contains("warning: h/broken.json:1: not valid JSON"),
        "{stderr}"
    );
    trend("t2");
    let files = [
        "trend.json",
        "trend.md",
        "trend.html",
        "charts/checkout-trend.svg",
    ];
    for f in files {
        let (a, b) = (
            std::fs::read(lab.path("t1").join(f)).unwrap(),
            std::fs::read(lab.path("t2").join(f)).unwrap(),
        );
        assert!(a == b, "{f} differs between two runs");
    }
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(lab.path("t1/trend.json")).unwrap()).unwrap();
    assert_eq!(json["schema"], "loadgate/trend/v1");
    let records = lab.records("h");
    let records: Vec<&(String, serde_json::Value)> =
        records.iter().filter(|(n, _)| n != "broken.json").collect();
    let runs = json["scenarios"][0]["runs"].as_array().unwrap();
    assert_eq!(runs.len(), records.len());
    for (run, (name, record)) in runs.iter().zip(&records) {
        assert_eq!(run["file"], name.as_str());
        let totals = &scenario(record, "checkout")["totals"];
        assert_eq!(run["median_ms"], totals["median_ms"]);
        assert_eq!(run["p95_ms"], totals["percentiles_ms"]["95"]);
        assert_eq!(run["failed"], record["status"] != "passed", "{name}");
    }
    assert_eq!(json["skipped"].as_array().unwrap().len(), 1);
    let md = std::fs::read_to_string(lab.path("t1/trend.md")).unwrap();
    assert_eq!(md.matches("❌ FAIL").count(), 1, "{md}");
    assert!(md.contains("| v3 | – | 2026-09-21 17:13 |"), "{md}");
    assert!(md.contains("(1 failed)"));
    let html = std::fs::read_to_string(lab.path("t1/trend.html")).unwrap();
    assert!(html.contains("<svg") && html.contains("failed a check"));

    // Not a history, and an empty one: errors.
    let o = lab.cmd().args(["trend", "run0"]).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&o.stderr)
            .contains("run0 is not a loadgate run history (no LOADGATE-HISTORY.txt)")
    );
    // `trend` never writes into its history.
    assert!(!lab.path("h/trend.json").exists());
}

#[test]
fn the_report_and_the_job_summary_show_the_trend_with_names_kept_as_text() {
    let lab = Lab::new();
    let hostile = "<img src=x onerror=alert(1)>|`x`\n::error::pwned";
    for k in 0..3 {
        let label = format!("{hostile} {k}");
        let o = lab.check(
            &lab.run(&format!("run{k}"), 1.0, k),
            "out",
            k,
            &["--history", "h", "--label", &label],
        );
        assert_eq!(o.code, 0);
    }
    let step_summary = lab.path("step-summary.md");
    let o = lab.check_with(
        &lab.run("now", 1.0, 3),
        "now",
        3,
        &["--history", "h", "--github", "--label", hostile],
        &[("GITHUB_STEP_SUMMARY", step_summary.to_str().unwrap())],
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(
        !o.stdout
            .lines()
            .chain(o.stderr.lines())
            .any(|l| l.trim_start().starts_with("::error::pwned"))
    );
    let md = std::fs::read_to_string(lab.path("now/report.md")).unwrap();
    assert!(
        md.contains("## Trend") && md.contains("Not the gate's baseline"),
        "{md}"
    );
    assert!(
        md.contains("&lt;img src=x onerror=alert(1)>\\|\\`x\\`\\\\n::error::pwned 0"),
        "{md}"
    );
    assert!(md.contains("(this run)"));
    assert!(md.contains("![checkout: 4 runs, oldest first](charts/checkout-trend.svg)"));
    let html = std::fs::read_to_string(lab.path("now/report.html")).unwrap();
    assert!(!html.contains("<img"));
    assert!(
        html.contains("&lt;img src=x onerror=alert(1)&gt;|`x`\\n::error::pwned 0"),
        "{html}"
    );
    let svg = std::fs::read_to_string(lab.path("now/charts/checkout-trend.svg")).unwrap();
    roxmltree::Document::parse(&svg).expect("the trend chart is XML");
    let summary = std::fs::read_to_string(&step_summary).unwrap();
    assert!(
        summary.contains(
            "## Trend\n\nFrom the run history h: the median of the last 3 comparable runs."
        ),
        "{summary}"
    );
    assert!(summary.contains("### checkout: the last runs"));
    assert!(
        summary.contains(
            "**4 &lt;img src=x onerror=alert(1)>\\|\\`x\\`\\\\n::error::pwned** (this run)"
        ),
        "{summary}"
    );
    assert!(
        summary.contains("    x-axis [\"1 _img src_x onerr...\""),
        "{summary}"
    );
    assert!(summary.len() < 30_000, "{}", summary.len());
}

#[test]
fn a_run_history_is_described_in_the_config_schema() {
    let out = loadgate().arg("schema").output().unwrap();
    let schema: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let history = &schema["properties"]["history"];
    assert_eq!(history["additionalProperties"], false);
    assert_eq!(history["properties"]["window"]["minimum"], 1);
    assert_eq!(history["properties"]["branch"]["type"], "string");
}

#[test]
fn chromium_renders_the_trend_page_with_its_chart_and_table_and_no_element_from_a_label() {
    let Some(chromium) = crate::browser::require_chromium() else {
        return;
    };
    let lab = Lab::new();
    for k in 0..6 {
        let label = match k {
            3 => "<img src=x onerror=alert(1)>".to_string(),
            _ => format!("v2.{k}"),
        };
        let f = 1.0 + 0.03 * k as f64;
        let o = lab.check(
            &lab.run(&format!("run{k}"), f, k),
            "out",
            k,
            &["--history", "h", "--label", &label],
        );
        assert_eq!(o.code, 0);
    }
    let o = lab
        .cmd()
        .env("SOURCE_DATE_EPOCH", "1800000000")
        .args(["trend", "h", "--out", "t"])
        .output()
        .unwrap();
    assert!(o.status.success());
    let page = lab.path("t/trend.html");
    let profile = tempfile::tempdir().unwrap();
    let output = crate::browser::headless(&chromium, profile.path(), &["--dump-dom"], &page);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let dom = String::from_utf8_lossy(&output.stdout);
    assert_eq!(dom.matches("<svg").count(), 1, "the inline chart");
    assert!(dom.contains("<table class=\"trend-runs\">"));
    assert_eq!(
        dom.matches("<tr class=\"\">").count() + dom.matches("<tr class=\" fail\">").count(),
        6
    );
    assert!(!dom.contains("<img"), "no element from a label");
    assert!(dom.contains("&lt;img src=x onerror=alert(1)&gt;"));
    // Screenshots at a desktop and a phone width, to look at.
    for (width, name) in [(1280, "trend-1280.png"), (390, "trend-390.png")] {
        let shot = lab.path(name);
        let output = crate::browser::headless(
            &chromium,
            profile.path(),
            &[
                &format!("--screenshot={}", shot.display()),
                &format!("--window-size={width},1800"),
                "--hide-scrollbars",
            ],
            &page,
        );
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(
            std::fs::metadata(&shot).is_ok_and(|m| m.len() > 10_000),
            "a real screenshot"
        );
        if let Some(dir) = std::env::var_os("LOADGATE_SCREENSHOT_DIR") {
            std::fs::copy(&shot, Path::new(&dir).join(name)).unwrap();
        }
    }
}

#[test]
fn runs_recorded_within_one_second_keep_their_order() {
    // Without SOURCE_DATE_EPOCH a record keeps the clock's time to the
    // microsecond: runs faster than a second apart are still in order.
    let dir = tempfile::tempdir().unwrap();
    let history = dir.path().join("h");
    for label in ["r1", "r2", "r3", "r4"] {
        let out = dir.path().join(label);
        let status = crate::util::loadgate()
            .env_remove("SOURCE_DATE_EPOCH")
            .args([
                "check",
                "fixtures/demo",
                "--no-fail",
                "--quiet",
                "--label",
                label,
            ])
            .arg("--out")
            .arg(&out)
            .arg("--history")
            .arg(&history)
            .output()
            .unwrap();
        assert!(
            status.status.success(),
            "{}",
            String::from_utf8_lossy(&status.stderr)
        );
    }
    let mut stamps = Vec::new();
    for entry in std::fs::read_dir(&history).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "json") {
            let record: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
            let at = record["run"]["recorded_at"].as_str().unwrap().to_string();
            assert_eq!(at.len(), "2026-12-01T12:44:01.123456Z".len(), "{at}");
            stamps.push((at, record["run"]["label"].as_str().unwrap().to_string()));
        }
    }
    stamps.sort();
    let labels: Vec<&str> = stamps.iter().map(|(_, l)| l.as_str()).collect();
    assert_eq!(labels, ["r1", "r2", "r3", "r4"]);
    let trend = dir.path().join("t");
    let status = crate::util::loadgate()
        .arg("trend")
        .arg(&history)
        .arg("--out")
        .arg(&trend)
        .output()
        .unwrap();
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(trend.join("trend.json")).unwrap()).unwrap();
    let runs: Vec<&str> = json["runs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["label"].as_str().unwrap())
        .collect();
    assert_eq!(runs, ["r1", "r2", "r3", "r4"], "{}", json["runs"]);
}
