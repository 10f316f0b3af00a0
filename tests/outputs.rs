//! The output folder's promises: nothing loadgate did not write is replaced
//! or removed, and the set in OUT is always one whole set from one run.

use std::collections::BTreeMap;
use std::path::Path;

use crate::util::{copy_dir, fixture, loadgate};

/// Every file under `dir` (relative path → bytes), loadgate's own bookkeeping left out.
fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.unwrap();
        if entry.file_type().is_file() {
            let rel = entry
                .path()
                .strip_prefix(dir)
                .unwrap()
                .to_str()
                .unwrap()
                .to_string();
            if rel != ".loadgate.lock" {
                files.insert(rel, std::fs::read(entry.path()).unwrap());
            }
        }
    }
    files
}

fn run(paths: &[&Path], out: &Path, extra: &[&str]) -> std::process::Output {
    loadgate()
        .env("SOURCE_DATE_EPOCH", "1769040000")
        .arg("check")
        .args(paths)
        .arg("--out")
        .arg(out)
        .args(extra)
        .output()
        .unwrap()
}

#[test]
fn a_locust_summary_json_in_the_results_folder_is_never_overwritten() {
    // `locust --json-file summary` leaves summary.json beside the CSVs.
    let results = copy_dir(&fixture("demo"));
    std::fs::write(results.path().join("summary.json"), "[]").unwrap();
    let before = snapshot(results.path());
    let output = run(&[results.path()], results.path(), &[]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("summary.json") && stderr.contains("not written by loadgate"),
        "{stderr}"
    );
    assert!(output.stdout.is_empty(), "nothing was judged or written");
    assert_eq!(
        snapshot(results.path()),
        before,
        "the results folder is untouched"
    );
    // Without the foreign file, reports go beside the results, and a rerun replaces them.
    std::fs::remove_file(results.path().join("summary.json")).unwrap();
    for _ in 0..2 {
        let output = run(&[results.path()], results.path(), &["--no-fail"]);
        assert_eq!(
            output.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

#[test]
fn an_output_that_is_one_of_the_inputs_is_an_error_naming_both() {
    // A scenario named `summary` has a Locust JSON file `summary.json`: it is an input.
    let results = tempfile::tempdir().unwrap();
    for (from, to) in [
        ("baseline/base/checkout_api_stats.csv", "summary_stats.csv"),
        ("baseline/base/checkout_api.json", "summary.json"),
    ] {
        std::fs::copy(fixture(from), results.path().join(to)).unwrap();
    }
    // Even listed as loadgate's own, an input is never an output.
    std::fs::write(
        results.path().join(".loadgate-manifest"),
        "# loadgate output manifest v1: files loadgate wrote here; loadgate replaces and removes only these\nsummary.json\n",
    )
    .unwrap();
    let before = snapshot(results.path());
    let output = run(&[results.path()], results.path(), &[]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("must never replace an input"), "{stderr}");
    assert_eq!(stderr.matches("summary.json").count(), 2, "{stderr}");
    assert_eq!(snapshot(results.path()), before);
}

#[cfg(unix)]
#[test]
fn a_failed_write_leaves_the_previous_set_whole() {
    let out = tempfile::tempdir().unwrap();
    assert_eq!(
        run(&[&fixture("edge")], out.path(), &["--no-fail"])
            .status
            .code(),
        Some(0)
    );
    let before = snapshot(out.path());
    // A file-size limit makes the big report.html fail to write, as a full disk would.
    let bin = assert_cmd::cargo::cargo_bin("loadgate");
    let output = std::process::Command::new("bash")
        .arg("-c")
        .arg("trap '' XFSZ; ulimit -f 48; exec \"$@\"")
        .arg("bash")
        .arg(&bin)
        .arg("check")
        .arg(fixture("demo"))
        .arg("--out")
        .arg(out.path())
        .env("NO_COLOR", "1")
        .env("SOURCE_DATE_EPOCH", "1769040000")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("writing"), "{stderr}");
    assert_eq!(snapshot(out.path()), before, "the previous set is intact");
    let leftovers: Vec<_> = std::fs::read_dir(out.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.starts_with(".loadgate-staging"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

/// Whether OUT holds one complete set: the manifest lists exactly the files
/// there, and report.md, report.html, junit.xml and summary.json name the
/// same scenarios, with every chart the report links present.
fn assert_one_whole_set(out: &Path) -> Vec<String> {
    let files = snapshot(out);
    let manifest = String::from_utf8(files[".loadgate-manifest"].clone()).unwrap();
    let listed: Vec<&str> = manifest.lines().skip(1).collect();
    let on_disk: Vec<&str> = files
        .keys()
        .map(String::as_str)
        .filter(|f| *f != ".loadgate-manifest")
        .collect();
    let mut sorted = listed.clone();
    sorted.sort();
    assert_eq!(sorted, on_disk, "the manifest and the files disagree");
    let summary: serde_json::Value = serde_json::from_slice(&files["summary.json"]).unwrap();
    let names: Vec<String> = summary["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap().to_string())
        .collect();
    let md = String::from_utf8_lossy(&files["report.md"]);
    let junit = String::from_utf8_lossy(&files["junit.xml"]);
    for name in &names {
        let md_name = name.replace('_', "\\_");
        assert!(
            md.contains(name.as_str()) || md.contains(&md_name),
            "{name} not in report.md"
        );
        assert!(
            junit.contains(&format!("<testsuite name=\"{name}\"")),
            "{name} not in junit.xml"
        );
    }
    for link in md.split("](charts/").skip(1) {
        let chart = &link[..link.find(')').unwrap()];
        assert!(
            files.contains_key(&format!("charts/{chart}")),
            "report.md links a missing chart {chart}"
        );
    }
    names
}

#[test]
fn concurrent_runs_on_one_out_end_with_one_whole_set() {
    let bin = assert_cmd::cargo::cargo_bin("loadgate");
    let out = tempfile::tempdir().unwrap();
    let mut winners = BTreeMap::new();
    for _ in 0..20 {
        let spawn = |results: &Path| {
            std::process::Command::new(&bin)
                .arg("check")
                .arg(results)
                .arg("--out")
                .arg(out.path())
                .arg("--no-fail")
                .env("NO_COLOR", "1")
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        };
        let (a, b) = (spawn(&fixture("demo")), spawn(&fixture("edge")));
        for child in [a, b] {
            let output = child.wait_with_output().unwrap();
            assert_eq!(
                output.status.code(),
                Some(0),
                "{}",
                String::from_utf8_lossy(&output.stderr)
            );
        }
        let names = assert_one_whole_set(out.path());
        *winners.entry(names.len()).or_insert(0) += 1;
    }
    // Whichever finished last, its set is the one in OUT: 4 demo scenarios or 1 edge.
    assert!(winners.keys().all(|n| *n == 4 || *n == 1), "{winners:?}");
}
