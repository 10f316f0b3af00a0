//! Names from the system under test, as an attacker would choose them: in
//! every position (endpoint, failure, scenario file name), with newlines,
//! CR, ESC, DEL, C1 controls, U+2028, U+202E, `::` commands and `@`
//! mentions. Nothing of them may become a workflow command, a terminal
//! escape, markup or ill-formed XML. A NUL byte makes a CSV file binary
//! content, an error of its own (see the end).

use std::collections::BTreeMap;
use std::path::Path;

use crate::util::{fixture, loadgate};

/// Endpoint names an attacker controls (an endpoint is often a URL path).
const ENDPOINTS: [&str; 6] = [
    "/x\n::stop-commands::pwned",
    "/y\r::error::forged-by-cr",
    "\u{1b}[31m/red\u{7}\u{1b}]0;title\u{7}",
    "/del\u{7f}\u{85}next\u{2028}line",
    "/evil\u{202e}gnp.exe @octocat https://evil.example/x ops@evil.example #42",
    "::error::at-the-start",
];

/// Scenario names (file prefixes): a file name can hold a newline too.
const SCENARIOS: [&str; 2] = ["a\n::error::x", "::warning::s\u{1b}[2J @admins"];

/// Copy a Locust CSV, renaming the values of its `Name` column.
fn rename_names(from: &Path, to: &Path, names: &BTreeMap<String, String>) {
    let mut reader = csv::Reader::from_path(from).unwrap();
    let headers = reader.headers().unwrap().clone();
    let col = headers.iter().position(|h| h == "Name").unwrap();
    let mut writer = csv::Writer::from_path(to).unwrap();
    writer.write_record(&headers).unwrap();
    for record in reader.records() {
        let record = record.unwrap();
        let row: Vec<String> = record
            .iter()
            .enumerate()
            .map(|(i, v)| match names.get(v) {
                Some(new) if i == col => new.clone(),
                _ => v.to_string(),
            })
            .collect();
        writer.write_record(&row).unwrap();
    }
    writer.flush().unwrap();
}

/// A results folder with two scenarios whose every name is hostile.
pub(crate) fn hostile_results(dir: &Path) {
    let sources = [
        "scenario3_connector_scaling",
        "scenario1_concurrent_deployments",
    ];
    for (scenario, source) in SCENARIOS.iter().zip(sources) {
        let stats = fixture(&format!("demo/{source}_stats.csv"));
        let mut endpoints: Vec<String> = crate::util::csv_rows(&stats)
            .into_iter()
            .map(|r| r["Name"].clone())
            .filter(|n| n != "Aggregated")
            .collect();
        endpoints.dedup();
        let names: BTreeMap<String, String> = endpoints
            .into_iter()
            .zip(ENDPOINTS.iter().cycle())
            .map(|(old, new)| (old, new.to_string()))
            .collect();
        for kind in ["stats", "stats_history", "failures"] {
            let from = fixture(&format!("demo/{source}_{kind}.csv"));
            rename_names(&from, &dir.join(format!("{scenario}_{kind}.csv")), &names);
        }
    }
}

/// A config that fails every endpoint, so every name reaches the failed-check lists.
pub(crate) const CONFIG: &str = r#"
[scenarios.all]
match = "*"
thresholds = ["median < 0.001ms", "success_rate >= 99.99%", "rps > 1000000 for 2s"]
[[scenarios.all.endpoint]]
name = "*"
thresholds = ["median < 0.001ms"]
"#;

/// Whether a line is one of loadgate's own workflow commands.
fn is_own_command(line: &str) -> bool {
    [
        "::error title=loadgate",
        "::warning title=loadgate",
        "::notice title=loadgate",
    ]
    .iter()
    .any(|p| line.starts_with(p))
}

fn assert_no_forged_command_or_raw_control(stream: &str, what: &str) {
    for line in stream.lines() {
        if line.trim_start().starts_with("::") {
            assert!(
                is_own_command(line),
                "{what}: a forged workflow command: {line:?}"
            );
        }
        assert!(
            !line.chars().any(loadgate::format::is_unsafe_char),
            "{what}: a raw control character in {line:?}"
        );
    }
}

pub(crate) fn assert_markdown_clean(text: &str, what: &str) {
    let bad: Vec<char> = text
        .chars()
        .filter(|&c| c != '\n' && loadgate::format::is_unsafe_char(c))
        .collect();
    assert!(bad.is_empty(), "{what}: raw control characters {bad:?}");
    // GitHub links no mention inside a fenced code block or a code span.
    let mut fenced = false;
    for line in text.lines() {
        if line.starts_with("```") {
            fenced = !fenced;
            continue;
        }
        for mention in ["@octocat", "@admins", "@evil.example"] {
            for (at, _) in line.match_indices(mention).filter(|_| !fenced) {
                assert!(
                    line[..at].ends_with('`') && line[at + 1..].starts_with('`'),
                    "{what}: {mention} would mention someone or link an address: {line:?}"
                );
            }
        }
        // Nor a URL or an issue number it would link by itself.
        if !fenced {
            for link in ["https://evil", " #42"] {
                assert!(
                    !line.contains(link),
                    "{what}: {link} would be a link: {line:?}"
                );
            }
        }
    }
}

/// The run's own summary.json with every time halved: a baseline that makes
/// every latency of this run a regression, so the names reach that list too.
pub(crate) fn faster_baseline(results: &Path, config: &Path, dir: &Path) -> std::path::PathBuf {
    let out = dir.join("base");
    let status = loadgate()
        .arg("check")
        .arg(results)
        .arg("--config")
        .arg(config)
        .args(["--format", "json", "--no-fail", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(status.status.code(), Some(0));
    fn halve(v: &mut serde_json::Value, key: &str) {
        match v {
            serde_json::Value::Object(map) => map.iter_mut().for_each(|(k, v)| halve(v, k)),
            serde_json::Value::Array(items) => items.iter_mut().for_each(|v| halve(v, key)),
            serde_json::Value::Number(n) if key.ends_with("_ms") => {
                *v = serde_json::json!(n.as_f64().unwrap() / 2.0);
            }
            _ => {}
        }
    }
    let path = out.join("summary.json");
    let mut summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    halve(&mut summary, "");
    let baseline = dir.join("baseline.json");
    std::fs::write(&baseline, summary.to_string()).unwrap();
    baseline
}

#[test]
fn hostile_names_never_become_commands_escapes_markup_or_bad_xml() {
    let (results, env, out) = (
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
    );
    hostile_results(results.path());
    let config = env.path().join("c.toml");
    std::fs::write(&config, CONFIG).unwrap();
    let step_summary = env.path().join("summary.md");
    let baseline = faster_baseline(results.path(), &config, env.path());
    let output = loadgate()
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_STEP_SUMMARY", &step_summary)
        .env("GITHUB_OUTPUT", env.path().join("out.txt"))
        .arg("check")
        .arg(results.path())
        .arg("--config")
        .arg(&config)
        .arg("--baseline")
        .arg(&baseline)
        .arg("--out")
        .arg(out.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(output.status.code(), Some(1), "{stdout}\n{stderr}");
    // The names did arrive, escaped.
    assert!(stdout.contains("/x\\n::stop-commands::pwned"), "{stdout}");
    assert!(stdout.contains("a\\n::error::x"), "{stdout}");
    assert!(stdout.contains("/evil\\u{202e}gnp.exe"), "{stdout}");
    assert!(
        stdout.lines().filter(|l| is_own_command(l)).count() >= 2,
        "{stdout}"
    );
    assert_no_forged_command_or_raw_control(&stdout, "stdout");
    assert_no_forged_command_or_raw_control(&stderr, "stderr");

    let report = std::fs::read_to_string(out.path().join("report.md")).unwrap();
    assert_markdown_clean(&report, "report.md");
    assert_markdown_clean(
        &std::fs::read_to_string(&step_summary).unwrap(),
        "job summary",
    );
    let html = std::fs::read_to_string(out.path().join("report.html")).unwrap();
    let bad: Vec<char> = html
        .chars()
        .filter(|&c| c != '\n' && loadgate::format::is_unsafe_char(c))
        .collect();
    let at = html.find(|c: char| c != '\n' && loadgate::format::is_unsafe_char(c));
    assert!(
        bad.is_empty(),
        "report.html: raw control characters {bad:?} in {:?}",
        at.map(|a| &html[a.saturating_sub(300)..a + 20])
    );

    let junit = std::fs::read_to_string(out.path().join("junit.xml")).unwrap();
    roxmltree::Document::parse(&junit).expect("junit.xml is well-formed XML");
    let mut svgs = 0;
    for entry in std::fs::read_dir(out.path().join("charts")).unwrap() {
        let path = entry.unwrap().path();
        let svg = std::fs::read_to_string(&path).unwrap();
        roxmltree::Document::parse(&svg)
            .unwrap_or_else(|e| panic!("{} is not well-formed XML: {e}", path.display()));
        svgs += 1;
    }
    assert!(svgs >= 4, "{svgs} charts");

    // `compare` prints the same names in its table and notes.
    let output = loadgate()
        .arg("compare")
        .arg(&baseline)
        .arg(results.path())
        .arg("--config")
        .arg(&config)
        .output()
        .unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stdout.contains("a\\n::error::x"), "{stdout}\n{stderr}");
    assert_no_forged_command_or_raw_control(&stdout, "compare stdout");
    assert_no_forged_command_or_raw_control(&stderr, "compare stderr");
}

#[test]
fn a_hostile_error_message_is_one_escaped_line() {
    // A file named like a result set whose content is broken: the error names the file.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("b\n::error::forged_stats.csv"),
        "not,a\nstats,file\n",
    )
    .unwrap();
    let output = loadgate()
        .arg("check")
        .arg(dir.path())
        .arg("--out")
        .arg(dir.path().join("out"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("b\\n::error::forged_stats.csv"), "{stderr}");
    assert_no_forged_command_or_raw_control(&stderr, "stderr");
    assert_no_forged_command_or_raw_control(&String::from_utf8(output.stdout).unwrap(), "stdout");
}

#[test]
fn scenarios_whose_names_slug_alike_get_their_own_charts_and_anchors() {
    let names = [
        "api.v1", "api-v1", "Checkout", "checkout", "a<b", "a>b", "a b",
    ];
    let (results, out) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    for name in names {
        for kind in ["stats", "stats_history"] {
            std::fs::copy(
                fixture(&format!("demo/scenario3_connector_scaling_{kind}.csv")),
                results.path().join(format!("{name}_{kind}.csv")),
            )
            .unwrap();
        }
    }
    let output = loadgate()
        .arg("check")
        .arg(results.path())
        .args(["--no-fail", "--out"])
        .arg(out.path())
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let charts: Vec<String> = std::fs::read_dir(out.path().join("charts"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap().to_lowercase())
        .filter(|n| n != "overview-latency.svg")
        .collect();
    // Three time charts per scenario, none shared, even ignoring case.
    let distinct: std::collections::BTreeSet<&String> = charts.iter().collect();
    assert_eq!(charts.len(), 3 * names.len(), "{charts:?}");
    assert_eq!(distinct.len(), charts.len());
    let html = std::fs::read_to_string(out.path().join("report.html")).unwrap();
    let ids: Vec<&str> = html
        .match_indices(" id=\"")
        .map(|(at, _)| {
            let rest = &html[at + 5..];
            &rest[..rest.find('"').unwrap()]
        })
        .collect();
    let unique: std::collections::BTreeSet<&&str> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len(), "{ids:?}");
    assert!(ids.iter().filter(|i| i.starts_with("scenario-")).count() == names.len());
    // Every chart the report links exists.
    let md = std::fs::read_to_string(out.path().join("report.md")).unwrap();
    for link in md.split("](charts/").skip(1) {
        let chart = &link[..link.find(')').unwrap()];
        assert!(out.path().join("charts").join(chart).is_file(), "{chart}");
    }
}

#[test]
fn a_nul_byte_in_a_name_is_binary_content_named_by_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let stats = fixture("demo/scenario1_concurrent_deployments_stats.csv");
    let text = std::fs::read_to_string(stats).unwrap();
    let (header, rest) = text.split_once('\n').unwrap();
    std::fs::write(
        dir.path().join("n_stats.csv"),
        format!(
            "{header}\n{}",
            rest.replacen("/api/", "/api/\0::error::x", 1)
        ),
    )
    .unwrap();
    let output = loadgate()
        .arg("check")
        .arg(dir.path())
        .arg("--out")
        .arg(dir.path().join("out"))
        .output()
        .unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("n_stats.csv:2: binary content (a NUL byte)"),
        "{stderr}"
    );
    assert_no_forged_command_or_raw_control(&stderr, "stderr");
}

#[test]
fn the_terminal_lists_fifty_failed_checks_and_counts_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("c.toml");
    std::fs::write(
        &config,
        "[scenarios.all]\nmatch = \"*\"\n[[scenarios.all.endpoint]]\nname = \"*\"\nthresholds = [\"median < 0.001ms\", \"p95 < 0.001ms\", \"p99 < 0.001ms\"]\n",
    )
    .unwrap();
    let output = loadgate()
        .arg("check")
        .arg(fixture("demo"))
        .arg("--config")
        .arg(&config)
        .arg("--out")
        .arg(dir.path().join("out"))
        .output()
        .unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    let listed = stdout.lines().filter(|l| l.starts_with("  ✗ ")).count();
    assert_eq!(listed, 50, "{stdout}");
    let summary: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("out/summary.json")).unwrap(),
    )
    .unwrap();
    let failed = summary["counts"]["checks_failed"].as_u64().unwrap();
    assert!(failed > 50, "{failed}");
    assert!(
        stdout.contains(&format!(
            "  … {} more failed checks, see summary.json",
            failed - 50
        )),
        "{stdout}"
    );
}
