//! Helpers shared by the integration tests.

use std::path::{Path, PathBuf};

use assert_cmd::Command;

/// The repository root (where Cargo.toml is).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A fixture path under `fixtures/`.
pub fn fixture(rel: &str) -> PathBuf {
    root().join("fixtures").join(rel)
}

/// `loadgate` with a fixed environment: no colours, no SOURCE_DATE_EPOCH
/// unless a test sets it, run from the repository root.
pub fn loadgate() -> Command {
    let mut cmd = Command::cargo_bin("loadgate").expect("the loadgate binary is built");
    cmd.current_dir(root())
        .env("NO_COLOR", "1")
        .env_remove("SOURCE_DATE_EPOCH")
        .env_remove("GITHUB_ACTIONS");
    cmd
}

/// Run `loadgate check ARGS --out OUT` and return (exit code, stdout, stderr, summary.json).
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
    pub summary: Option<serde_json::Value>,
}

pub fn check(args: &[&str], out: &Path) -> Run {
    let output = loadgate()
        .arg("check")
        .args(args)
        .arg("--out")
        .arg(out)
        .output()
        .expect("loadgate runs");
    let summary = std::fs::read_to_string(out.join("summary.json"))
        .ok()
        .map(|t| serde_json::from_str(&t).expect("summary.json is JSON"));
    Run {
        code: output.status.code().expect("exit code"),
        stdout: String::from_utf8(output.stdout).expect("utf-8 stdout"),
        stderr: String::from_utf8(output.stderr).expect("utf-8 stderr"),
        summary,
    }
}

/// The scenario object named `name` in a summary.
pub fn scenario<'a>(summary: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    summary["scenarios"]
        .as_array()
        .expect("scenarios array")
        .iter()
        .find(|s| s["name"] == name)
        .unwrap_or_else(|| panic!("scenario {name} in summary"))
}

/// The rows of a Locust CSV as header-keyed maps, read independently of loadgate.
pub fn csv_rows(path: &Path) -> Vec<std::collections::HashMap<String, String>> {
    let mut reader = csv::Reader::from_path(path).expect("fixture CSV opens");
    let headers = reader.headers().expect("header").clone();
    reader
        .records()
        .map(|r| {
            let r = r.expect("record");
            headers
                .iter()
                .zip(r.iter())
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect()
        })
        .collect()
}

/// Copy a folder's files (not recursive) into a new temp folder.
pub fn copy_dir(from: &Path) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for entry in std::fs::read_dir(from).expect("fixture folder") {
        let entry = entry.expect("entry");
        if entry.file_type().expect("type").is_file() {
            std::fs::copy(entry.path(), dir.path().join(entry.file_name())).expect("copy");
        }
    }
    dir
}

/// A new temp folder holding the demo's `scenario1_concurrent_deployments`
/// Locust set plus each `(fixture path, file name)` given: another tool's
/// files beside a Locust set.
pub fn beside_a_locust_set(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for entry in std::fs::read_dir(fixture("demo")).expect("demo fixtures") {
        let entry = entry.expect("entry");
        let file = entry.file_name().into_string().expect("UTF-8 name");
        if file.starts_with("scenario1_concurrent_deployments") {
            std::fs::copy(entry.path(), dir.path().join(&file)).expect("copy");
        }
    }
    for (from, name) in files {
        std::fs::copy(fixture(from), dir.path().join(name)).expect("copy");
    }
    dir
}

/// Each scenario of a summary as (name, tool name), in summary order.
pub fn scenario_tools(summary: &serde_json::Value) -> Vec<(&str, &str)> {
    summary["scenarios"]
        .as_array()
        .expect("scenarios array")
        .iter()
        .map(|s| {
            (
                s["name"].as_str().expect("name"),
                s["tool"]["name"].as_str().expect("tool name"),
            )
        })
        .collect()
}

/// Locust's percentile levels, the ones loadgate reports for raw samples,
/// as (label, hundredths of a percent).
pub const LEVELS: [(&str, u64); 11] = [
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

/// Nearest rank, computed here independently of loadgate: the value at
/// 1-based rank ⌈n × p⌉ of `values` sorted (`hundredths` of a percent).
pub fn nearest_rank<T: Copy + PartialOrd>(values: &[T], hundredths: u64) -> T {
    let mut sorted = values.to_vec();
    sorted.sort_by(|a, b| a.partial_cmp(b).expect("comparable values"));
    let rank = (sorted.len() as u64 * hundredths).div_ceil(10_000).max(1);
    sorted[rank as usize - 1]
}

/// Unescaped `|` in a Markdown table line.
fn cells(line: &str) -> usize {
    let mut count = 0;
    let mut escaped = false;
    for c in line.chars() {
        match c {
            '\\' if !escaped => escaped = true,
            '|' if !escaped => count += 1,
            _ => escaped = false,
        }
        if c != '\\' {
            escaped = false;
        }
    }
    count
}

/// Every Markdown table keeps the header's column count on every row.
pub fn assert_tables_keep_their_columns(md: &str) {
    let mut expected: Option<usize> = None;
    for line in md.lines() {
        if line.starts_with('|') {
            let n = cells(line);
            match expected {
                None => expected = Some(n),
                Some(e) => assert_eq!(n, e, "table row with a different column count:\n{line}"),
            }
        } else {
            expected = None;
        }
    }
}
