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

/// A probe for a report: at a given width, is every table cell reachable
/// (its rect inside the viewport, or inside an ancestor that scrolls
/// sideways, `overflow-x: auto` or `scroll`, whose own rect is)? And is
/// what a reader must see without scrolling sideways (the status, every
/// failed check and regression, every scenario's name and verdict in the
/// results) inside the viewport? The report is laid out in an iframe of
/// that width (headless Chromium lays a page out at least 500 px wide for
/// `--dump-dom`, though its screenshots have the width asked for); the probe
/// writes what it found into the outer page, where `--dump-dom` shows it.
const REACH_PROBE: &str = r#"
const frame = document.getElementById('report');
frame.addEventListener('load', () => {
  const d = frame.contentDocument, w = frame.contentWindow;
  // As tall as the report, so that no scrollbar takes from its width.
  frame.style.height = d.documentElement.scrollHeight + 'px';
  const vw = d.documentElement.clientWidth;
  const inside = r => r.left >= -0.5 && r.right <= vw + 0.5;
  const scroller = el => {
    for (let a = el.parentElement; a; a = a.parentElement) {
      const o = w.getComputedStyle(a).overflowX;
      if (o === 'auto' || o === 'scroll') return a;
    }
    return null;
  };
  const text = e => e.textContent.trim().replace(/\s+/g, ' ').slice(0, 80);
  const unreachable = [];
  let in_box = 0;
  const cells = d.querySelectorAll('td, th');
  for (const c of cells) {
    const r = c.getBoundingClientRect();
    if (inside(r)) continue;
    const box = scroller(c);
    if (box && inside(box.getBoundingClientRect())) { in_box++; continue; }
    unreachable.push(text(c) + ' [' + Math.round(r.left) + ', ' + Math.round(r.right) + ']');
  }
  const must = d.querySelectorAll(
    'header .status-line, #failed tbody tr, #regressions tbody tr, .matrix tbody th.scenario, .matrix tbody th.scenario .badge');
  const cut = [...must].filter(e => !inside(e.getBoundingClientRect())).map(text);
  document.body.setAttribute('data-reach', JSON.stringify({
    vw, cells: cells.length, in_box, must: must.length, unreachable, cut,
    page_width: d.documentElement.scrollWidth,
  }));
});
"#;

/// What [`REACH_PROBE`] found in `page` at `width` px.
fn reach(chromium: &Path, page: &Path, width: u32) -> serde_json::Value {
    let html = std::fs::read_to_string(page).unwrap();
    // In an attribute value only `&` and `"` need escaping.
    let srcdoc = html.replace('&', "&amp;").replace('"', "&quot;");
    let probe = page.with_file_name(format!("reach-{width}.html"));
    std::fs::write(
        &probe,
        format!(
            "<!DOCTYPE html><html><head><style>body {{ margin: 0; }}</style></head><body>\
             <iframe id=\"report\" style=\"display: block; border: 0; width: {width}px; height: 3000px\" srcdoc=\"{srcdoc}\"></iframe>\
             <script>{REACH_PROBE}</script></body></html>"
        ),
    )
    .unwrap();
    let profile = tempfile::tempdir().unwrap();
    let output = headless(
        chromium,
        profile.path(),
        &[
            "--dump-dom",
            &format!("--window-size={},3000", width.max(500)),
            "--hide-scrollbars",
        ],
        &probe,
    );
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let dom = String::from_utf8_lossy(&output.stdout);
    let attr = dom
        .split("data-reach=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_else(|| panic!("the probe ran: {}", &dom[dom.len().saturating_sub(2000)..]));
    let json = attr
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&nbsp;", "\u{a0}")
        .replace("&amp;", "&");
    serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}: {json}"))
}

/// Screenshot `page` at `width` px, check it is a real picture, and keep a
/// copy in `LOADGATE_SCREENSHOT_DIR` when that is set.
fn screenshot(chromium: &Path, page: &Path, width: u32, name: &str) {
    let shot = page.with_file_name(format!("{name}-{width}.png"));
    let profile = tempfile::tempdir().unwrap();
    let output = headless(
        chromium,
        profile.path(),
        &[
            &format!("--screenshot={}", shot.display()),
            &format!("--window-size={width},3000"),
            "--hide-scrollbars",
        ],
        page,
    );
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        std::fs::metadata(&shot).is_ok_and(|m| m.len() > 10_000),
        "a real screenshot of {name} at {width} px"
    );
    if let Some(dir) = std::env::var_os("LOADGATE_SCREENSHOT_DIR") {
        std::fs::copy(&shot, Path::new(&dir).join(format!("{name}-{width}.png"))).unwrap();
    }
}

/// The hostile names of `tests/hostile.rs` beside `fixtures/edge` and a
/// copy of the demo's burst run under a 100-character name, every endpoint
/// failing its check, every time regressed against a baseline of half the
/// times, and a required scenario that is missing: every list and table of
/// the report full of long and hostile text.
fn hostile_report(out: &Path) -> PathBuf {
    let (results, env) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    crate::hostile::hostile_results(results.path());
    for entry in std::fs::read_dir(crate::util::fixture("edge")).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), results.path().join(entry.file_name())).unwrap();
    }
    let long = "checkout-flow-with-a-very-long-scenario-name-that-keeps-going-for-the-nightly-suite-in-eu-west-1";
    for kind in ["stats", "stats_history", "failures", "exceptions"] {
        std::fs::copy(
            crate::util::fixture(&format!("demo/scenario4_burst_load_{kind}.csv")),
            results.path().join(format!("{long}_{kind}.csv")),
        )
        .unwrap();
    }
    let config = env.path().join("c.toml");
    std::fs::write(
        &config,
        format!(
            "{}\n[scenarios.never_ran_but_required]\n",
            crate::hostile::CONFIG
        ),
    )
    .unwrap();
    let baseline = crate::hostile::faster_baseline(results.path(), &config, env.path());
    let run = loadgate()
        .env("SOURCE_DATE_EPOCH", "1769040000")
        .arg("check")
        .arg(results.path())
        .arg("--config")
        .arg(&config)
        .arg("--baseline")
        .arg(&baseline)
        .args(["--no-fail", "--out"])
        .arg(out)
        .output()
        .unwrap();
    assert_eq!(
        run.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    out.join("report.html")
}

/// On a 390 px phone every table cell of report.html can be reached (in the
/// viewport, or in its own box that scrolls sideways), the page itself is
/// no wider than the screen, and the status, every failed check and
/// regression and every scenario's verdict are on screen without scrolling
/// sideways; at 1280 px nothing needs a scroll box at all in the demo.
#[test]
fn chromium_reaches_every_table_cell_of_the_report_on_a_phone() {
    let Some(chromium) = require_chromium() else {
        return;
    };
    let (_demo_out, demo) = render("fixtures/demo");
    let hostile_out = tempfile::tempdir().unwrap();
    let hostile = hostile_report(hostile_out.path());
    for (name, page) in [("demo", &demo), ("hostile", &hostile)] {
        for width in [390, 1280] {
            let found = reach(&chromium, page, width);
            let what = format!("{name} at {width} px: {found}");
            assert_eq!(found["vw"], width, "the page is laid out at {what}");
            assert!(found["cells"].as_u64().unwrap() > 50, "{what}");
            // The status, the failed items, and every row's name and verdict.
            assert!(found["must"].as_u64().unwrap() > 8, "{what}");
            assert_eq!(found["unreachable"], serde_json::json!([]), "{what}");
            assert_eq!(found["cut"], serde_json::json!([]), "{what}");
            assert_eq!(found["page_width"], width, "no sideways scrolling: {what}");
            if (name, width) == ("demo", 1280) {
                assert_eq!(found["in_box"], 0, "every cell in sight: {what}");
            }
            screenshot(&chromium, page, width, name);
        }
    }
}
