//! report.md, report.html, junit.xml and the charts, from the real binary.

use std::path::Path;

use crate::util::{assert_tables_keep_their_columns, loadgate};

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Run `check` on `paths` with a fixed SOURCE_DATE_EPOCH into `out`.
fn report(paths: &[&str], out: &Path, extra: &[&str]) -> std::process::Output {
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
fn the_demo_writes_every_report_with_the_gate_verdict() {
    let out = tempfile::tempdir().unwrap();
    let output = report(&["fixtures/demo"], out.path(), &[]);
    assert_eq!(output.status.code(), Some(1));
    for name in ["summary.json", "report.md", "report.html", "junit.xml"] {
        assert!(out.path().join(name).is_file(), "{name} written");
    }
    let summary: serde_json::Value =
        serde_json::from_str(&read(&out.path().join("summary.json"))).unwrap();
    let md = read(&out.path().join("report.md"));
    let checks = summary["counts"]["checks"].as_u64().unwrap();
    assert!(
        md.contains(&format!(
            "**FAILED — 3 of 4 scenarios complete; 2 of {checks} checks failed**"
        )),
        "{md}"
    );
    // The run date comes from the data, not the clock (SOURCE_DATE_EPOCH is in January).
    let started = summary["scenarios"][0]["started_at"].as_str().unwrap();
    assert!(
        md.contains(&format!("Load run: {}", &started[..10])),
        "{md}"
    );
    let burst = summary["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "scenario4_burst_load")
        .unwrap();
    let ran = burst["duration_s"].as_i64().unwrap();
    assert!(
        md.contains(&format!(
            "(#scenario-scenario4_burst_load): ran {ran} s of the required 4 min"
        )),
        "{md}"
    );
    assert!(md.contains("| Scenario | Endpoint | Check | Actual | Target | How far off |"));
    assert!(
        md.contains("| Scenario | Status | duration | median |"),
        "{md}"
    );
    assert_tables_keep_their_columns(&md);
    // Charts: files exist and report.md links them relatively.
    let charts: Vec<String> = std::fs::read_dir(out.path().join("charts"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(charts.len() >= 3 * 4, "{charts:?}");
    for chart in &charts {
        assert!(
            md.contains(&format!("](charts/{chart})")),
            "report.md links {chart}"
        );
    }
    assert!(output.stdout.starts_with(b"Release 2026.11 load tests"));
}

/// The cells of a Markdown table row, split at the pipes that end a cell.
fn cells(row: &str) -> Vec<String> {
    let (mut cells, mut cell, mut escaped) = (Vec::new(), String::new(), false);
    for c in row.trim().trim_start_matches('|').chars() {
        match c {
            '|' if !escaped => cells.push(std::mem::take(&mut cell).trim().to_string()),
            _ => cell.push(c),
        }
        escaped = c == '\\' && !escaped;
    }
    cells
}

/// report.md and report.html open with the status, then the failed checks,
/// what's left, the scenario × metric matrix and the findings; the checks
/// one by one are in each scenario's section only. The matrix's marks are
/// checked against summary.json's checks, read here on their own.
#[test]
fn the_report_leads_with_what_failed_then_the_matrix() {
    let out = tempfile::tempdir().unwrap();
    report(&["fixtures/demo"], out.path(), &[]);
    let md = read(&out.path().join("report.md"));
    let summary: serde_json::Value =
        serde_json::from_str(&read(&out.path().join("summary.json"))).unwrap();
    let at = |text: &str, what: &str| {
        text.find(what)
            .unwrap_or_else(|| panic!("{what} is missing: {text}"))
    };
    let order = [
        "**FAILED",
        "## Failed checks",
        "## What's left",
        "## Results",
        "## Findings",
        "## Scenarios",
    ];
    for pair in order.windows(2) {
        assert!(at(&md, pair[0]) < at(&md, pair[1]), "{pair:?}");
    }
    let (lead, sections) = md.split_at(at(&md, "## Scenarios"));
    assert!(!lead.contains("#### Checks"));
    let scenarios = summary["scenarios"].as_array().unwrap();
    assert_eq!(sections.matches("#### Checks").count(), scenarios.len());

    // Every failed check, with its scenario, endpoint and metric.
    let failed_rows: Vec<Vec<String>> = lead
        [at(lead, "## Failed checks")..at(lead, "## What's left")]
        .lines()
        .filter(|l| l.starts_with("| ["))
        .map(cells)
        .collect();
    let failed: Vec<(String, String)> = scenarios
        .iter()
        .flat_map(|s| {
            s["checks"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|c| c["passed"] == false)
                .map(|c| {
                    (
                        s["name"].as_str().unwrap().to_string(),
                        c["metric"].as_str().unwrap().to_string(),
                    )
                })
        })
        .collect();
    assert_eq!(
        failed.len(),
        summary["counts"]["checks_failed"].as_u64().unwrap() as usize
    );
    assert_eq!(failed_rows.len(), failed.len(), "{lead}");
    for (row, (scenario, metric)) in failed_rows.iter().zip(&failed) {
        assert!(row[0].starts_with(&format!("[{scenario}](#")), "{row:?}");
        assert_eq!(
            (row[1].as_str(), row[2].as_str()),
            ("total", metric.as_str())
        );
        assert!(
            row[5].contains("target") || row[5].contains("failures"),
            "{row:?}"
        );
    }

    // The matrix: one row per scenario, a mark in every cell that has a check.
    let table: Vec<Vec<String>> = lead[at(lead, "## Results")..at(lead, "## Findings")]
        .lines()
        .filter(|l| l.starts_with('|'))
        .map(cells)
        .collect();
    let (header, rows) = (&table[0], &table[2..]);
    assert_eq!(&header[..2], ["Scenario", "Status"]);
    assert_eq!(rows.len(), scenarios.len());
    for (row, s) in rows.iter().zip(scenarios) {
        assert_eq!(row.len(), header.len(), "{row:?}");
        assert!(row[0].starts_with(&format!("[{}](#", s["name"].as_str().unwrap())));
        let checks = s["checks"].as_array().unwrap();
        for (column, cell) in header[2..].iter().zip(&row[2..]) {
            let on: Vec<&serde_json::Value> = checks
                .iter()
                .filter(|c| match column.as_str() {
                    "endpoint checks" => !c["endpoint"].is_null(),
                    metric => c["endpoint"].is_null() && c["metric"] == metric,
                })
                .collect();
            let expected = match (on.is_empty(), on.iter().all(|c| c["passed"] == true)) {
                (true, _) => "–",
                (false, true) => "✅ ",
                (false, false) => "❌ ",
            };
            assert!(cell.starts_with(expected), "{} {column}: {cell}", s["name"]);
        }
    }
    assert!(rows[3][2].starts_with("❌ 13 s (≥ 4 min)"), "{:?}", rows[3]);

    // The HTML in the same order, the matrix's cells coloured by status.
    let html = read(&out.path().join("report.html"));
    let order = [
        "class=\"status-line\"",
        "<section id=\"failed\">",
        "<section id=\"whats-left\">",
        "<section id=\"results\">",
        "<section id=\"findings\">",
        "<section class=\"scenario\"",
    ];
    for pair in order.windows(2) {
        assert!(at(&html, pair[0]) < at(&html, pair[1]), "{pair:?}");
    }
    let matrix =
        &html[at(&html, "<table class=\"matrix\">")..at(&html, "<section id=\"findings\">")];
    assert_eq!(
        matrix
            .matches("<th class=\"scenario\" scope=\"row\">")
            .count(),
        scenarios.len()
    );
    let marks = md[at(&md, "## Results")..at(&md, "## Findings")]
        .matches("❌")
        .count();
    // Each failed cell, and the INCOMPLETE status mark in Markdown.
    assert_eq!(matrix.matches("<td class=\"fail\">").count() + 1, marks);
    assert_eq!(
        matrix.matches("<td class=\"pass\">").count(),
        md[at(&md, "## Results")..at(&md, "## Findings")]
            .matches("✅ ")
            .count()
            - 3,
        "3 PASS statuses are not cells"
    );
}

#[test]
fn the_html_report_is_one_self_contained_file() {
    let out = tempfile::tempdir().unwrap();
    report(&["fixtures/demo"], out.path(), &[]);
    let html = read(&out.path().join("report.html"));
    assert!(html.len() < 1_000_000, "{} bytes", html.len());
    assert!(html.contains("<svg"), "charts inline");
    assert!(!html.contains("<script"), "no JavaScript");
    assert!(!html.contains("<link"), "no external stylesheet");
    assert!(
        !html.contains("src=\"http") && !html.contains("url(http"),
        "no network access"
    );
    assert!(html.contains("@media print"), "print stylesheet");
    assert!(html.contains("name=\"viewport\""), "phone layout");
}

#[test]
fn same_input_and_source_date_epoch_give_byte_identical_outputs() {
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    report(&["fixtures/demo"], a.path(), &[]);
    report(&["fixtures/demo"], b.path(), &[]);
    let files = |dir: &Path| -> Vec<(String, Vec<u8>)> {
        let mut v: Vec<_> = walkdir::WalkDir::new(dir)
            .sort_by_file_name()
            .into_iter()
            .map(|e| e.unwrap())
            .filter(|e| e.file_type().is_file())
            .map(|e| {
                (
                    e.path().strip_prefix(dir).unwrap().display().to_string(),
                    std::fs::read(e.path()).unwrap(),
                )
            })
            .collect();
        v.sort();
        v
    };
    let (fa, fb) = (files(a.path()), files(b.path()));
    assert!(fa.len() > 4);
    assert_eq!(
        fa.iter().map(|f| &f.0).collect::<Vec<_>>(),
        fb.iter().map(|f| &f.0).collect::<Vec<_>>()
    );
    for ((name, x), (_, y)) in fa.iter().zip(fb.iter()) {
        assert!(x == y, "{name} differs between runs");
    }
}

#[test]
fn hostile_names_stay_text_in_markdown_html_and_junit() {
    let out = tempfile::tempdir().unwrap();
    let output = report(&["fixtures/edge", "--no-fail"], out.path(), &[]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let md = read(&out.path().join("report.md"));
    assert_tables_keep_their_columns(&md);
    assert!(md.contains("&lt;script>alert(1)&lt;/script>"), "{md}");
    assert!(md.contains("&lt;img src=x onerror=alert(1)>"));
    assert!(md.contains("| a\\|b |"), "pipe escaped in a cell");
    assert!(md.contains("Zürich/データ/ünïcödé"));
    assert!(!md.contains("<script") && !md.contains("<img"));

    let html = read(&out.path().join("report.html"));
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;&#x2f;script&gt;")
            || html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "escaped script name"
    );
    assert!(
        !html.contains("<script") && !html.contains("<img"),
        "no element from a name"
    );
    assert!(
        html.contains("Zürich&#x2f;データ&#x2f;ünïcödé"),
        "non-ASCII kept (minijinja escapes /)"
    );

    let junit = read(&out.path().join("junit.xml"));
    assert!(!junit.contains("<script") && !junit.contains("<img"));
}

#[test]
fn junit_has_a_suite_per_scenario_and_a_case_per_check() {
    let out = tempfile::tempdir().unwrap();
    report(&["fixtures/demo"], out.path(), &[]);
    let junit = read(&out.path().join("junit.xml"));
    let summary: serde_json::Value =
        serde_json::from_str(&read(&out.path().join("summary.json"))).unwrap();
    assert_eq!(
        junit.matches("<testsuite ").count(),
        summary["scenarios"].as_array().unwrap().len()
    );
    let checks = summary["counts"]["checks"].as_u64().unwrap() as usize;
    assert_eq!(junit.matches("<testcase ").count(), checks);
    let failed = summary["counts"]["checks_failed"].as_u64().unwrap() as usize;
    assert_eq!(junit.matches("<failure ").count(), failed);
    let burst = summary["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "scenario4_burst_load")
        .unwrap();
    let ran = burst["duration_s"].as_i64().unwrap();
    assert!(
        junit.contains(&format!("message=\"ran {ran} s of the required 4 min")),
        "{junit}"
    );
    assert!(
        junit.contains("message=\"success_rate 95.22%, target ≥ 99% (4.8x the allowed failures)\""),
        "{junit}"
    );
}

#[test]
fn markdown_can_go_to_stdout_alone() {
    let output = loadgate()
        .args(["check", "fixtures/demo", "--format", "md", "--out", "-"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(
        stdout.starts_with("# Release 2026.11 load tests\n"),
        "{stdout}"
    );
    assert!(
        !stdout.contains("](charts/"),
        "no links to charts that were not written"
    );
    assert!(!stdout.contains("STATUS  "), "no terminal table mixed in");
}

/// `--out - --format html` is the same self-contained page as the file
/// report.html, its charts inline: it once dropped every one of them.
#[test]
fn html_on_stdout_is_report_html_with_every_chart_inline() {
    let out = tempfile::tempdir().unwrap();
    report(&["fixtures/demo"], out.path(), &[]);
    let file = read(&out.path().join("report.html"));
    let charts = std::fs::read_dir(out.path().join("charts"))
        .unwrap()
        .count();
    assert!(charts >= 13, "{charts} charts");
    let output = loadgate()
        .env("SOURCE_DATE_EPOCH", "1769040000")
        .args(["check", "fixtures/demo", "--format", "html", "--out", "-"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert_eq!(stdout.matches("<svg").count(), charts, "every chart inline");
    assert_eq!(file.matches("<svg").count(), charts);
    assert!(stdout == file, "stdout differs from the file report.html");
    assert!(!stdout.contains("charts/"), "no link to a charts/ folder");
}

#[test]
fn two_formats_cannot_share_stdout() {
    let output = loadgate()
        .args([
            "check",
            "fixtures/demo",
            "--format",
            "md,json",
            "--out",
            "-",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("--out - writes one format"));
}

#[test]
fn format_selects_the_outputs() {
    let out = tempfile::tempdir().unwrap();
    report(&["fixtures/demo"], out.path(), &["--format", "json,junit"]);
    assert!(out.path().join("summary.json").is_file());
    assert!(out.path().join("junit.xml").is_file());
    assert!(!out.path().join("report.md").exists());
    assert!(!out.path().join("charts").exists());
}

#[test]
fn a_user_template_replaces_the_builtin_of_the_same_name() {
    let templates = tempfile::tempdir().unwrap();
    std::fs::write(
        templates.path().join("report.md.j2"),
        "custom: {{ status_line }} / {{ scenarios|length }}\n",
    )
    .unwrap();
    let out = tempfile::tempdir().unwrap();
    report(
        &["fixtures/demo"],
        out.path(),
        &["--templates", templates.path().to_str().unwrap()],
    );
    assert!(
        read(&out.path().join("report.md"))
            .starts_with("custom: FAILED — 3 of 4 scenarios complete")
    );
    // The HTML still comes from the built-in.
    assert!(read(&out.path().join("report.html")).contains("<!DOCTYPE html>"));
}

#[test]
fn a_broken_user_template_is_an_error_with_file_and_line() {
    let templates = tempfile::tempdir().unwrap();
    std::fs::write(templates.path().join("report.html.j2"), "<p>\n{{ title }\n").unwrap();
    let out = tempfile::tempdir().unwrap();
    let output = report(
        &["fixtures/demo"],
        out.path(),
        &["--templates", templates.path().to_str().unwrap()],
    );
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    let expected = format!(
        "error: {}:2: syntax error",
        templates.path().join("report.html.j2").display()
    );
    assert!(stderr.contains(&expected), "{stderr}");
}

#[test]
fn a_template_that_fails_while_rendering_names_its_line() {
    let templates = tempfile::tempdir().unwrap();
    std::fs::write(
        templates.path().join("report.md.j2"),
        "ok\n{{ title|nosuchfilter }}\n",
    )
    .unwrap();
    let out = tempfile::tempdir().unwrap();
    let output = report(
        &["fixtures/demo"],
        out.path(),
        &["--templates", templates.path().to_str().unwrap()],
    );
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("report.md.j2:2:"), "{stderr}");
    // An output set is whole or not written at all.
    assert!(!out.path().join("summary.json").exists());
    assert!(!out.path().join("charts").exists());
}

#[test]
fn stale_charts_from_an_earlier_run_are_removed_and_a_users_files_kept() {
    let out = tempfile::tempdir().unwrap();
    // An earlier run on other results leaves its own charts.
    report(&["fixtures/edge"], out.path(), &[]);
    let edge_charts: Vec<_> = std::fs::read_dir(out.path().join("charts"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert!(!edge_charts.is_empty());
    std::fs::write(out.path().join("charts/architecture.svg"), "<svg/>").unwrap();
    std::fs::write(out.path().join("charts/notes.txt"), "kept").unwrap();
    report(&["fixtures/demo"], out.path(), &[]);
    let md = read(&out.path().join("report.md"));
    let mut gone = 0;
    for chart in &edge_charts {
        let name = chart.file_name().unwrap().to_str().unwrap();
        if !md.contains(&format!("charts/{name}")) {
            assert!(!chart.exists(), "{} lingers", chart.display());
            gone += 1;
        }
    }
    assert!(gone > 0);
    assert_eq!(read(&out.path().join("charts/architecture.svg")), "<svg/>");
    assert!(out.path().join("charts/notes.txt").exists());
    // Every chart of loadgate's is linked from the report.
    for entry in std::fs::read_dir(out.path().join("charts")).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        if name.ends_with(".svg") && name != "architecture.svg" {
            assert!(
                md.contains(&format!("charts/{name}")),
                "{name} is not linked"
            );
        }
    }
}

#[test]
fn a_format_not_written_this_time_is_removed_if_loadgate_wrote_it() {
    let out = tempfile::tempdir().unwrap();
    report(&["fixtures/demo"], out.path(), &[]);
    assert!(out.path().join("report.md").exists());
    report(&["fixtures/demo"], out.path(), &["--format", "json"]);
    assert!(out.path().join("summary.json").exists());
    for gone in ["report.md", "report.html", "junit.xml", "charts"] {
        assert!(
            !out.path().join(gone).exists(),
            "{gone} is left from the earlier run"
        );
    }
}

#[test]
fn markdown_and_junit_snapshots() {
    let out = tempfile::tempdir().unwrap();
    report(&["fixtures/demo"], out.path(), &[]);
    insta::assert_snapshot!("demo_report_md", read(&out.path().join("report.md")));
    insta::assert_snapshot!("demo_junit_xml", read(&out.path().join("junit.xml")));
}

#[test]
fn dump_context_writes_the_template_context_and_never_over_an_input() {
    let dir = tempfile::tempdir().unwrap();
    let ctx = dir.path().join("context.json");
    let output = report(
        &["fixtures/demo", "--no-fail"],
        &dir.path().join("out"),
        &["--dump-context", ctx.to_str().unwrap()],
    );
    assert_eq!(output.status.code(), Some(0));
    let view: serde_json::Value = serde_json::from_str(&read(&ctx)).unwrap();
    assert_eq!(view["status"], "failed");
    assert_eq!(view["scenarios"].as_array().unwrap().len(), 4);
    // The decision the reports lead with: what failed, and the matrix.
    assert_eq!(view["failed"].as_array().unwrap().len(), 2);
    assert_eq!(view["failed"][1]["off"], "4.8x the allowed failures");
    assert_eq!(view["matrix"]["rows"].as_array().unwrap().len(), 4);
    assert!(view["matrix"]["rows"][3]["cells"][0]["failed"].is_boolean());
    // A second dump replaces the first; a result file is never replaced.
    let again = report(
        &["fixtures/demo", "--no-fail"],
        &dir.path().join("out"),
        &["--dump-context", ctx.to_str().unwrap()],
    );
    assert_eq!(again.status.code(), Some(0));
    let stats = dir.path().join("s_stats.csv");
    std::fs::write(&stats, "Type,Name\n").unwrap();
    let refused = report(
        &["fixtures/demo", "--no-fail"],
        &dir.path().join("out"),
        &["--dump-context", stats.to_str().unwrap()],
    );
    assert_eq!(refused.status.code(), Some(2));
    assert_eq!(read(&stats), "Type,Name\n");
}

#[test]
fn the_failed_checks_at_the_top_are_capped_and_counted() {
    // 300 labels, each failing an endpoint check: the report's first table
    // lists 100 and says how many more there are.
    let dir = tempfile::tempdir().unwrap();
    let mut reader = csv::Reader::from_path(crate::util::fixture("jmeter/checkout.jtl")).unwrap();
    let headers = reader.headers().unwrap().clone();
    let label = headers.iter().position(|h| h == "label").unwrap();
    let mut writer = csv::Writer::from_path(dir.path().join("many.jtl")).unwrap();
    writer.write_record(&headers).unwrap();
    for (k, row) in reader.records().enumerate() {
        let mut row: Vec<String> = row.unwrap().iter().map(str::to_string).collect();
        row[label] = format!("label {}", k % 300);
        writer.write_record(&row).unwrap();
    }
    writer.flush().unwrap();
    let config = dir.path().join("loadgate.toml");
    std::fs::write(
        &config,
        "[defaults]\nthresholds = [\"p95 < 10s\"]\n[scenarios.m]\nmatch = \"many\"\n[[scenarios.m.endpoint]]\nname = \"label *\"\nthresholds = [\"p95 < 1ms\"]\n",
    )
    .unwrap();
    let out = tempfile::tempdir().unwrap();
    let run = crate::util::check(
        &[
            dir.path().to_str().unwrap(),
            "--config",
            config.to_str().unwrap(),
        ],
        out.path(),
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    let failed = run.summary.unwrap()["counts"]["checks_failed"]
        .as_u64()
        .unwrap();
    assert!(failed >= 290, "{failed}");
    let md = std::fs::read_to_string(out.path().join("report.md")).unwrap();
    let top = &md[md.find("## Failed checks").unwrap()..md.find("## Results").unwrap()];
    assert_eq!(
        top.lines().filter(|l| l.starts_with("| [many]")).count(),
        100,
        "{top}"
    );
    assert!(
        top.contains(&format!("… and {} more failed checks", failed - 100)),
        "{top}"
    );
    let html = std::fs::read_to_string(out.path().join("report.html")).unwrap();
    assert!(html.contains(&format!("… and {} more failed checks", failed - 100)));
}
