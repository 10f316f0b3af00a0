//! A real browser renders report.html: headless Chromium dumps the DOM, and
//! the test checks that the charts and tables are there and that hostile
//! endpoint names produced no elements. Skips (loudly) only when Chromium is
//! absent outside CI; in CI (`CI` set) a missing Chromium fails the test.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::util::loadgate;

fn chromium() -> Option<PathBuf> {
    ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .find_map(|name| {
            std::env::var_os("PATH").and_then(|paths| {
                std::env::split_paths(&paths)
                    .map(|dir| dir.join(name))
                    .find(|p| p.is_file())
            })
        })
}

pub(crate) fn require_chromium() -> Option<PathBuf> {
    match chromium() {
        Some(path) => Some(path),
        None if std::env::var_os("CI").is_some() => {
            panic!(
                "chromium is required in CI: .ci/run installs it with apt-get install -y chromium"
            )
        }
        None => {
            eprintln!(
                "SKIPPED: chromium not found on PATH; install it (apt-get install -y chromium) to run the browser test"
            );
            None
        }
    }
}

/// Run headless Chromium with the flags that work without network access.
pub(crate) fn headless(
    chromium: &Path,
    profile: &Path,
    args: &[&str],
    page: &Path,
) -> std::process::Output {
    Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-quic",
            "--no-first-run",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("chromium runs")
}

fn render(fixtures: &str) -> (tempfile::TempDir, PathBuf) {
    let out = tempfile::tempdir().unwrap();
    loadgate()
        .env("SOURCE_DATE_EPOCH", "1769040000")
        .args(["check", fixtures, "--no-fail", "--out"])
        .arg(out.path())
        .assert()
        .success();
    let page = out.path().join("report.html");
    (out, page)
}

#[test]
fn chromium_renders_the_demo_report_with_charts_and_tables() {
    let Some(chromium) = require_chromium() else {
        return;
    };
    let (out, page) = render("fixtures/demo");
    let profile = tempfile::tempdir().unwrap();
    let output = headless(&chromium, profile.path(), &["--dump-dom"], &page);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let dom = String::from_utf8_lossy(&output.stdout);
    assert!(
        dom.matches("<svg").count() >= 13,
        "inline charts in the DOM"
    );
    assert!(dom.matches("<table").count() >= 5, "tables in the DOM");
    assert!(dom.contains("FAILED — 3 of 4 scenarios complete"));
    // A screenshot to look at (kept next to the report while the test runs).
    let shot = out.path().join("report.png");
    let output = headless(
        &chromium,
        profile.path(),
        &[
            &format!("--screenshot={}", shot.display()),
            "--window-size=1200,2400",
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
        std::fs::metadata(&shot)
            .map(|m| m.len() > 10_000)
            .unwrap_or(false),
        "a real screenshot"
    );
    if let Some(dir) = std::env::var_os("LOADGATE_SCREENSHOT_DIR") {
        std::fs::copy(&shot, Path::new(&dir).join("demo-report.png")).unwrap();
    }
}

#[test]
fn chromium_finds_no_element_made_from_a_hostile_name() {
    let Some(chromium) = require_chromium() else {
        return;
    };
    let (_out, page) = render("fixtures/edge");
    let profile = tempfile::tempdir().unwrap();
    let output = headless(&chromium, profile.path(), &["--dump-dom"], &page);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let dom = String::from_utf8_lossy(&output.stdout);
    assert!(!dom.contains("<script"), "no script element");
    assert!(!dom.contains("<img"), "no img element");
    // The names are there, as text.
    assert!(
        dom.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "script name shown as text"
    );
    assert!(
        dom.contains("&lt;img src=x onerror=alert(1)&gt;"),
        "img name shown as text"
    );
    assert!(dom.contains("a|b"));
    assert!(dom.contains("Zürich/データ/ünïcödé"));
}

/// Every status badge is readable: its text colour, as Chromium computes it,
/// differs from its background. The k6 set has pass, FAIL and ERROR badges;
/// a page-wide `.error` text colour once painted ERROR red on red.
#[test]
fn chromium_shows_every_badge_in_a_colour_other_than_its_background() {
    let Some(chromium) = require_chromium() else {
        return;
    };
    let out = tempfile::tempdir().unwrap();
    let run = loadgate()
        .env("SOURCE_DATE_EPOCH", "1769040000")
        .args(["check", "fixtures/k6", "--out"])
        .arg(out.path())
        .output()
        .unwrap();
    assert_eq!(
        run.status.code(),
        Some(2),
        "the k6 set has an ERROR scenario"
    );
    // A copy of the report with a probe that writes each badge's computed
    // colours into the DOM, where --dump-dom shows them.
    let html = std::fs::read_to_string(out.path().join("report.html")).unwrap();
    let probe = r#"<script>
for (const b of document.querySelectorAll('.badge')) {
  const s = getComputedStyle(b);
  b.setAttribute('data-probe', b.textContent.trim() + '|' + s.color + '|' + s.backgroundColor);
}
</script></body>"#;
    let page = out.path().join("probe.html");
    std::fs::write(&page, html.replacen("</body>", probe, 1)).unwrap();
    let profile = tempfile::tempdir().unwrap();
    let output = headless(&chromium, profile.path(), &["--dump-dom"], &page);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let dom = String::from_utf8_lossy(&output.stdout);
    let probes: Vec<&str> = dom
        .split("data-probe=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .collect();
    for label in ["pass", "FAIL", "ERROR"] {
        assert!(
            probes.iter().any(|p| p.starts_with(&format!("{label}|"))),
            "a {label} badge: {probes:?}"
        );
    }
    for p in &probes {
        let mut parts = p.split('|');
        let (_, color, background) = (parts.next(), parts.next(), parts.next());
        assert_ne!(color, background, "badge unreadable: {p}");
    }
}
