//! comment.md (`--format comment`) and the GitLab Code Quality report
//! (`--format gitlab`) from the real binary: the demo, a run whose every
//! name is hostile, and 10,000 scenarios.

use std::path::Path;

use crate::hostile::{CONFIG, assert_markdown_clean, faster_baseline, hostile_results};
use crate::util::{assert_tables_keep_their_columns, fixture, loadgate};

/// GitHub's limit is 65,536 characters; loadgate keeps 65,000 UTF-16 code units.
const LIMIT: usize = 65_000;

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// `check PATHS --out OUT ARGS` with a fixed SOURCE_DATE_EPOCH; (exit code, stderr).
fn check(paths: &[&Path], out: &Path, args: &[&str]) -> (i32, String) {
    let output = loadgate()
        .env("SOURCE_DATE_EPOCH", "1769040000")
        .arg("check")
        .args(paths)
        .arg("--out")
        .arg(out)
        .args(args)
        .output()
        .unwrap();
    (
        output.status.code().unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

/// Every `](` opens an http(s) link or an anchor, and there is no image.
fn assert_no_relative_links(text: &str) {
    for (at, _) in text.match_indices("](") {
        // `\]` is an escaped bracket, not the end of a link text.
        let backslashes = text[..at].chars().rev().take_while(|&c| c == '\\').count();
        if backslashes % 2 == 1 {
            continue;
        }
        let target = &text[at + 2..];
        assert!(
            target.starts_with("https://")
                || target.starts_with("http://")
                || target.starts_with('#'),
            "a relative link: {}",
            &text[at.saturating_sub(80)..(at + 80).min(text.len())]
        );
    }
    assert!(!text.contains("!["), "an image");
    assert!(!text.contains("<img"), "an image");
}

/// The checks every comment.md passes: the marker first, within the limit,
/// no relative link, whole tables, and no HTML but the marker.
fn assert_comment_shape(text: &str, id: &str) {
    let units = text.encode_utf16().count();
    assert!(units <= LIMIT, "{units} UTF-16 code units");
    assert_eq!(
        text.lines().next(),
        Some(format!("<!-- loadgate:{id} -->").as_str())
    );
    assert_eq!(text.matches("<!--").count(), 1, "one marker");
    assert_no_relative_links(text);
    assert_tables_keep_their_columns(text);
    // No tag but the marker: `<` before a letter, `/` or `!` is escaped.
    for (at, _) in text.match_indices('<').skip(1) {
        let next = text[at + 1..].chars().next();
        assert!(
            !next.is_some_and(|c| c.is_ascii_alphabetic() || c == '/' || c == '!'),
            "markup: {}",
            &text[at..(at + 40).min(text.len())]
        );
    }
}

#[test]
fn the_demo_comment_leads_with_what_failed_and_has_one_row_per_scenario() {
    let out = tempfile::tempdir().unwrap();
    // Relative, as README runs it: the config's path is in the comment.
    let demo = Path::new("fixtures/demo");
    let (code, stderr) = check(&[demo], out.path(), &["--format", "comment"]);
    assert_eq!(code, 1, "{stderr}");
    let text = read(&out.path().join("comment.md"));
    assert_comment_shape(&text, "loadgate");
    insta::assert_snapshot!("demo_comment_md", text);

    let failed = text.find("### Failed checks (2 of 30)").unwrap();
    let left = text.find("### What's left").unwrap();
    let results = text.find("### Results").unwrap();
    assert!(failed < left && left < results);
    assert!(text.contains(
        "- ❌ **scenario4_burst_load**: success_rate 95.22%, target ≥ 99% (4.8x the allowed failures)\n"
    ));
    // One row per scenario, the incomplete one first.
    let rows: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("| scenario"))
        .collect();
    assert_eq!(rows.len(), 4, "{text}");
    assert!(rows[0].starts_with("| scenario4_burst_load | ❌ INCOMPLETE | ❌ 13 s (≥ 4 min) |"));
    assert!(!text.contains("Shortened"));
    // The same input gives the same bytes.
    let again = tempfile::tempdir().unwrap();
    check(&[demo], again.path(), &["--format", "comment"]);
    assert_eq!(read(&again.path().join("comment.md")), text);
}

#[test]
fn the_comment_id_names_the_marker_and_the_report_url_is_linked() {
    let out = tempfile::tempdir().unwrap();
    let (code, stderr) = check(
        &[&fixture("demo")],
        out.path(),
        &[
            "--format",
            "comment",
            "--no-fail",
            "--comment-id",
            "perf-linux_x64",
            "--report-url",
            "https://o.github.io/r/runs/7/report.html",
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    let text = read(&out.path().join("comment.md"));
    assert_comment_shape(&text, "perf-linux_x64");
    assert!(text.contains("📄 [Full report](https://o.github.io/r/runs/7/report.html) · "));

    // In GitHub Actions without --report-url: the workflow run, whose artifacts hold it.
    let env = tempfile::tempdir().unwrap();
    let output = loadgate()
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_SERVER_URL", "https://github.com")
        .env("GITHUB_REPOSITORY", "o/r")
        .env("GITHUB_RUN_ID", "42")
        .env("GITHUB_STEP_SUMMARY", env.path().join("summary.md"))
        .env("GITHUB_OUTPUT", env.path().join("output"))
        .args([
            "check",
            "fixtures/demo",
            "--format",
            "comment",
            "--out",
            "-",
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stdout.starts_with("<!-- loadgate:loadgate -->\n## ❌ Release 2026.11 load tests\n"),
        "{stdout}"
    );
    assert!(stdout.contains(
        "The full report is in the artifacts of [this workflow run](https://github.com/o/r/actions/runs/42) · "
    ));
}

#[test]
fn a_comment_id_or_report_url_that_could_break_out_is_refused_before_any_work() {
    for (args, message) in [
        (
            ["--comment-id", "x --> <b>hi</b>"],
            "error: --comment-id `x --> <b>hi</b>`: use 1 to 64 letters, digits",
        ),
        (["--comment-id", ""], "error: --comment-id ``: use 1 to 64"),
        (
            ["--report-url", "javascript:alert(1)"],
            "error: --report-url `javascript:alert(1)`: only http:// and https:// URLs are linked",
        ),
        (
            ["--report-url", "report.html"],
            "error: --report-url `report.html`: only http",
        ),
        (
            ["--report-url", "https://h/a\n::error::x"],
            "error: --report-url `https://h/a\\n::error::x`: a URL has no white space",
        ),
    ] {
        let out = tempfile::tempdir().unwrap();
        let (code, stderr) = check(&[&fixture("demo")], out.path(), &args);
        assert_eq!(code, 2, "{args:?}: {stderr}");
        assert!(stderr.contains(message), "{args:?}: {stderr}");
        assert!(!out.path().join("summary.json").exists());
    }
}

#[test]
fn hostile_names_in_the_comment_and_the_code_quality_report_stay_text() {
    let (results, env, out) = (
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
    );
    hostile_results(results.path());
    let config = env.path().join("c.toml");
    std::fs::write(&config, CONFIG).unwrap();
    let baseline = faster_baseline(results.path(), &config, env.path());
    let (code, stderr) = check(
        &[results.path()],
        out.path(),
        &[
            "--config",
            config.to_str().unwrap(),
            "--baseline",
            baseline.to_str().unwrap(),
            "--format",
            "comment,gitlab",
        ],
    );
    assert_eq!(code, 1, "{stderr}");
    let text = read(&out.path().join("comment.md"));
    assert_comment_shape(&text, "loadgate");
    assert_markdown_clean(&text, "comment.md");
    // The names arrived, escaped, in the failed checks, the regressions and the table.
    assert!(text.contains("/x\\\\n::stop-commands::pwned"), "{text}");
    assert!(text.contains("a\\\\n::error::x"), "{text}");
    assert!(text.contains("### Regressions ("), "{text}");
    assert!(text.contains("| a\\\\n::error::x | ❌ FAIL |"), "{text}");
    assert!(!text.contains("\u{202e}") && !text.contains('\u{1b}'));

    let report: serde_json::Value =
        serde_json::from_str(&read(&out.path().join("gl-code-quality-report.json"))).unwrap();
    let issues = report.as_array().unwrap();
    assert!(issues.len() > 10, "{}", issues.len());
    for issue in issues {
        let description = issue["description"].as_str().unwrap();
        assert!(
            !description.chars().any(loadgate::format::is_unsafe_char),
            "{description:?}"
        );
        let path = issue["location"]["path"].as_str().unwrap();
        assert!(
            Path::new(path).is_file() || results.path().join(path).is_file(),
            "{path}"
        );
    }
    let fingerprints: std::collections::BTreeSet<&str> = issues
        .iter()
        .map(|i| i["fingerprint"].as_str().unwrap())
        .collect();
    assert_eq!(fingerprints.len(), issues.len(), "fingerprints are unique");
}

/// A results folder of `n` scenarios, each a copy of one of the demo's
/// stats files: odd ones from scenario3 (p99 47 ms), even ones from
/// scenario1 (p99 15 ms).
fn many_scenarios(dir: &Path, n: usize) {
    let fast = std::fs::read(fixture("demo/scenario1_concurrent_deployments_stats.csv")).unwrap();
    let slow = std::fs::read(fixture("demo/scenario3_connector_scaling_stats.csv")).unwrap();
    for i in 0..n {
        let (kind, bytes) = match i % 2 {
            1 => ("connectors", &slow),
            _ => ("deployments", &fast),
        };
        std::fs::write(dir.join(format!("s{i:05}_{kind}_stats.csv")), bytes).unwrap();
    }
}

#[test]
fn ten_thousand_scenarios_fit_one_comment_that_says_what_it_left_out() {
    let (results, env, out) = (
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
    );
    many_scenarios(results.path(), 10_000);
    let config = env.path().join("c.toml");
    std::fs::write(
        &config,
        "[defaults]\nthresholds = [\"median < 200ms\", \"p99 < 30ms\", \"success_rate >= 95%\"]\n[scenarios.nightly]\n",
    )
    .unwrap();
    let (code, stderr) = check(
        &[results.path()],
        out.path(),
        &[
            "--config",
            config.to_str().unwrap(),
            "--format",
            "comment,json",
            "--quiet",
        ],
    );
    assert_eq!(code, 1, "{stderr}");
    let summary: serde_json::Value =
        serde_json::from_str(&read(&out.path().join("summary.json"))).unwrap();
    assert_eq!(summary["counts"]["scenarios_expected"], 10_001);
    let failed = summary["counts"]["checks_failed"].as_u64().unwrap();
    assert_eq!(failed, 5_001, "5,000 p99 misses and the missing scenario");

    let text = read(&out.path().join("comment.md"));
    assert_comment_shape(&text, "loadgate");
    let units = text.encode_utf16().count();
    eprintln!("10,000 scenarios: comment.md is {units} UTF-16 code units");
    assert!(units > LIMIT - 2_000, "it uses the room it has: {units}");
    assert!(text.contains("> **Shortened to fit a pull-request comment.** Left out: "));
    assert!(
        text.contains("- … and 4,951 more failed checks: see the full report.\n"),
        "{text}"
    );
    assert!(text.contains("- **MISSING** nightly: not executed: "));
    // The rows kept are counted with the ones left out; the failed come first.
    let rows: Vec<&str> = text.lines().filter(|l| l.starts_with("| s")).collect();
    let kept = rows.len()
        + text
            .lines()
            .filter(|l| l.starts_with("| nightly |"))
            .count();
    let dropped = 10_001 - kept;
    let count = |n: usize| {
        let s = n.to_string();
        match s.len() > 3 {
            true => format!("{},{}", &s[..s.len() - 3], &s[s.len() - 3..]),
            false => s,
        }
    };
    assert!(
        text.contains(&format!(
            "{} of 10,001 rows of the results table",
            count(dropped)
        )),
        "{text}"
    );
    assert!(rows.len() > 100, "{}", rows.len());
    assert!(
        rows.iter().all(|r| r.contains("| ❌ FAIL |")),
        "only failing scenarios fit: {}",
        rows.iter().find(|r| !r.contains("❌ FAIL")).unwrap()
    );
}

/// The issues of a gl-code-quality-report.json.
fn code_quality(out: &Path) -> Vec<serde_json::Value> {
    let text = read(&out.join("gl-code-quality-report.json"));
    serde_json::from_str::<serde_json::Value>(&text)
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

#[test]
fn the_code_quality_report_points_each_failed_check_at_its_result_file() {
    let out = tempfile::tempdir().unwrap();
    let (code, stderr) = check(
        &[Path::new("fixtures/demo")],
        out.path(),
        &["--format", "gitlab"],
    );
    assert_eq!(code, 1, "{stderr}");
    let issues = code_quality(out.path());
    let burst = "fixtures/demo/scenario4_burst_load_stats.csv";
    let fields: Vec<(&str, &str, &str, &str, u64)> = issues
        .iter()
        .map(|i| {
            (
                i["description"].as_str().unwrap(),
                i["check_name"].as_str().unwrap(),
                i["severity"].as_str().unwrap(),
                i["location"]["path"].as_str().unwrap(),
                i["location"]["lines"]["begin"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        fields,
        [
            (
                "scenario4_burst_load: ran 13 s of the required 4 min (5% of target)",
                "loadgate:min_duration",
                "critical",
                burst,
                1
            ),
            (
                "scenario4_burst_load: success_rate 95.22%, target ≥ 99% (4.8x the allowed failures)",
                "loadgate:threshold",
                "major",
                burst,
                1
            ),
        ]
    );
    for issue in &issues {
        let fingerprint = issue["fingerprint"].as_str().unwrap();
        assert_eq!(fingerprint.len(), 32);
        assert!(fingerprint.bytes().all(|b| b.is_ascii_hexdigit()));
    }

    // The same checks on a copy in another checkout, named by its absolute
    // path inside CI_PROJECT_DIR: the same paths and fingerprints.
    let project = tempfile::tempdir().unwrap();
    let copy = project.path().join("fixtures/demo");
    std::fs::create_dir_all(&copy).unwrap();
    for entry in std::fs::read_dir(fixture("demo")).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), copy.join(entry.file_name())).unwrap();
    }
    let elsewhere = tempfile::tempdir().unwrap();
    let output = loadgate()
        .env("CI_PROJECT_DIR", project.path())
        .arg("check")
        .arg(&copy)
        .args(["--format", "gitlab", "--out"])
        .arg(elsewhere.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let again = code_quality(elsewhere.path());
    let key = |i: &serde_json::Value| {
        (
            i["fingerprint"].as_str().unwrap().to_string(),
            i["location"]["path"].as_str().unwrap().to_string(),
        )
    };
    assert_eq!(
        issues.iter().map(key).collect::<Vec<_>>(),
        again.iter().map(key).collect::<Vec<_>>()
    );
}

#[test]
fn a_missing_scenario_points_at_the_config_and_a_passing_run_has_no_issues() {
    let (results, out) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    for kind in ["stats", "stats_history"] {
        std::fs::copy(
            fixture(&format!("demo/scenario3_connector_scaling_{kind}.csv")),
            results.path().join(format!("s3_{kind}.csv")),
        )
        .unwrap();
    }
    let config = results.path().join("loadgate.toml");
    std::fs::write(&config, "[defaults]\nthresholds = [\"p99 < 1s\"]\n").unwrap();
    let (code, stderr) = check(&[results.path()], out.path(), &["--format", "gitlab"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        read(&out.path().join("gl-code-quality-report.json")),
        "[]\n"
    );

    std::fs::write(
        &config,
        "[defaults]\nthresholds = [\"p99 < 1s\"]\n[scenarios.nightly]\n",
    )
    .unwrap();
    let (code, stderr) = check(&[results.path()], out.path(), &["--format", "gitlab"]);
    assert_eq!(code, 1, "{stderr}");
    let issues = code_quality(out.path());
    assert_eq!(issues.len(), 1, "{issues:?}");
    assert_eq!(issues[0]["check_name"], "loadgate:required");
    assert_eq!(issues[0]["severity"], "critical");
    assert_eq!(
        issues[0]["location"]["path"],
        config.to_string_lossy().as_ref()
    );
    assert!(
        issues[0]["description"]
            .as_str()
            .unwrap()
            .starts_with("nightly: not executed: ")
    );
}
