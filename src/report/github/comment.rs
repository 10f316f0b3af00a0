//! The pull-request comment (`comment.md`): a compact, self-contained
//! GitHub-flavoured Markdown body that a workflow posts on the pull request
//! and updates in place. It opens with a hidden marker, `<!-- loadgate:ID
//! -->`, by which the action finds its own comment again; then the status,
//! the failed checks and regressions, what's left, and the scenario × metric
//! matrix of the report view; last, a link to the full report.
//!
//! It never links anything relative (no images, no anchors: a comment has
//! no `charts/` beside it) and has no charts. Its pieces are escaped and
//! formatted here, laid out by `templates/comment.md.j2`, and [`comment`]
//! drops list items and table rows, never half of one, until the text fits
//! [`COMMENT_BUDGET`], saying what it left out.

use std::fmt::Write as _;

use super::md;
use crate::evaluate::Status;
use crate::format;
use crate::report::decision::{FailedItem, FailedKind, Matrix, MatrixCell, MatrixRow};
use crate::report::view::ReportView;
use crate::report::{RunStatus, Summary};

/// The most a comment may be, in UTF-16 code units (the strictest way to
/// count characters: never fewer than Unicode scalar values). GitHub refuses
/// a comment body over 65,536 characters.
pub const COMMENT_BUDGET: usize = 65_000;

/// Each list (failed checks, regressions, what's left) shows at most this
/// many items, and says how many more there are.
const MAX_LIST_ITEMS: usize = 50;

/// When not everything fits, each list and the table first keep this many
/// items (see [`Parts::shares`]).
const FIRST_ITEMS: usize = 10;

/// The `NAME` of the hidden marker `<!-- loadgate:NAME -->` (`--comment-id`):
/// one comment per gate, so that two gates on one pull request (a matrix)
/// keep a comment each.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommentId(String);

impl CommentId {
    /// 1 to 64 ASCII letters, digits, `.`, `_` or `-`: it ends up inside an
    /// HTML comment and in the action's search for it, so nothing that
    /// could close the comment or need quoting.
    pub fn parse(text: &str) -> Result<CommentId, String> {
        let valid = (1..=64).contains(&text.len())
            && text
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
        match valid {
            true => Ok(CommentId(text.to_string())),
            false => Err(format!(
                "--comment-id `{}`: use 1 to 64 letters, digits, `.`, `_` or `-` (it names the comment's hidden marker <!-- loadgate:NAME -->)",
                format::clipped(text, 80)
            )),
        }
    }

    /// The hidden marker the comment starts with.
    pub fn marker(&self) -> String {
        format!("<!-- loadgate:{} -->", self.0)
    }
}

impl Default for CommentId {
    fn default() -> CommentId {
        CommentId("loadgate".to_string())
    }
}

/// A link to the full report (`--report-url`) or to the workflow run: an
/// `http://` or `https://` URL with a host, escaped so that it can neither
/// end the Markdown link nor hide anything.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportUrl(String);

impl ReportUrl {
    pub fn parse(text: &str) -> Result<ReportUrl, String> {
        let refuse = |why: &str| {
            Err(format!(
                "--report-url `{}`: {why}",
                format::clipped(text, 200)
            ))
        };
        let lower = text.to_ascii_lowercase();
        let Some(rest) = ["https://", "http://"]
            .iter()
            .find_map(|scheme| lower.starts_with(scheme).then(|| &text[scheme.len()..]))
        else {
            return refuse("only http:// and https:// URLs are linked");
        };
        if text.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return refuse(
                "a URL has no white space or control characters (encode a space as %20)",
            );
        }
        let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
        if host.is_empty() {
            return refuse("the URL has no host");
        }
        if text.len() > 2048 {
            return refuse("longer than 2,048 bytes");
        }
        // Brackets belong in the host only (an IPv6 address); elsewhere they
        // and whatever could end the link destination are percent-encoded.
        let host_range = (text.len() - rest.len())..(text.len() - rest.len() + host.len());
        let mut escaped = String::with_capacity(text.len());
        for (at, c) in text.char_indices() {
            match c {
                '[' | ']' if host_range.contains(&at) => escaped.push(c),
                '(' | ')' | '<' | '>' | '"' | '`' | '\\' | '|' | '[' | ']' => {
                    let _ = write!(escaped, "%{:02X}", c as u32);
                }
                c if !c.is_ascii() => {
                    let mut buf = [0u8; 4];
                    for b in c.encode_utf8(&mut buf).bytes() {
                        let _ = write!(escaped, "%{b:02X}");
                    }
                }
                c => escaped.push(c),
            }
        }
        Ok(ReportUrl(escaped))
    }

    /// The URL, safe in a Markdown link destination.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What the comment needs besides the summary and the view.
#[derive(Debug, Clone, Default)]
pub struct CommentOptions {
    pub id: CommentId,
    /// `--report-url`: where the full report is (an artifact, Pages).
    pub report_url: Option<ReportUrl>,
    /// The workflow run, whose artifacts hold the report (GitHub Actions).
    pub run_url: Option<ReportUrl>,
}

/// The pull-request comment: at most `budget` UTF-16 code units
/// ([`COMMENT_BUDGET`] for GitHub). Each list shows at most 50 items and
/// counts the rest. When that does not fit, the failed checks, the
/// regressions, what's left and the table rows (scenarios that need
/// attention first) are kept in that order while they fit, and a note at
/// the top says what was left out.
pub fn comment(
    summary: &Summary<'_>,
    view: &ReportView,
    options: &CommentOptions,
    budget: usize,
) -> String {
    let parts = Parts::new(summary, view, options);
    let all = parts.items();
    let fits = |keep: usize| units(&parts.render(keep)) <= budget;
    if fits(all) {
        return parts.render(all);
    }
    // The largest number of items kept that fits: every item is a few
    // hundred characters at most, so a few kept items always fit.
    let (mut lo, mut hi) = (0, all);
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        match fits(mid) {
            true => lo = mid,
            false => hi = mid,
        }
    }
    parts.render(lo)
}

/// Characters as the strictest counter counts them (UTF-16 code units).
pub fn units(text: &str) -> usize {
    text.encode_utf16().count()
}

/// A list of the comment: its heading and every item, each ending in `\n`.
struct List {
    heading: String,
    items: Vec<String>,
    /// What the items are (one, many), for the lines that count the rest.
    what: (&'static str, &'static str),
}

impl List {
    /// The items shown at most, before the budget is considered.
    fn cap(&self) -> usize {
        self.items.len().min(MAX_LIST_ITEMS)
    }
}

/// The pieces of the comment, escaped and formatted once.
struct Parts {
    marker: String,
    head: String,
    failed: List,
    regressions: List,
    whats_left: List,
    table_header: String,
    /// Needing attention first; with whether the scenario passed.
    rows: Vec<(bool, String)>,
    foot: String,
    /// Where the full report is, for the lines that count what was left out.
    see: String,
}

impl Parts {
    fn new(summary: &Summary<'_>, view: &ReportView, options: &CommentOptions) -> Parts {
        let item = |kind: FailedKind| {
            view.failed
                .iter()
                .filter(|f| f.kind == kind)
                .map(failed_item)
                .collect::<Vec<String>>()
        };
        let count = |n: usize| format::count(n as u64);
        let c = &summary.counts;
        let compared: usize = summary
            .scenarios
            .iter()
            .map(|s| s.comparisons.map_or(0, <[_]>::len))
            .sum();
        let mut whats_left: Vec<String> = summary
            .errors
            .iter()
            .map(|e| format!("- **ERROR** {}\n", md(e)))
            .collect();
        whats_left.extend(view.whats_left.iter().map(|l| {
            format!(
                "- **{}** {}: {}\n",
                l.status_label,
                md(&l.scenario),
                md(&l.reason)
            )
        }));
        let matrix = &view.matrix;
        Parts {
            marker: format!("{}\n", options.id.marker()),
            head: head(summary, view),
            failed: List {
                heading: format!(
                    "### Failed checks ({} of {})\n\n",
                    count(c.checks_failed),
                    count(c.checks)
                ),
                items: item(FailedKind::Check),
                what: ("failed check", "failed checks"),
            },
            regressions: List {
                heading: format!(
                    "### Regressions ({} of {} compared metrics)\n\n",
                    count(c.regressions),
                    count(compared)
                ),
                items: item(FailedKind::Regression),
                what: ("regression", "regressions"),
            },
            whats_left: List {
                heading: "### What's left\n\n".to_string(),
                items: whats_left,
                what: ("scenario", "scenarios"),
            },
            table_header: matrix_header(matrix),
            rows: matrix
                .rows_needing_attention_first()
                .map(|r| (r.status == Status::Passed, row(r)))
                .collect(),
            foot: foot(view, options),
            see: match &options.report_url {
                Some(url) => format!("see the [full report]({})", url.as_str()),
                None => "see the full report".to_string(),
            },
        }
    }

    /// Every item that can be left out: list items up to their cap, and
    /// the table rows.
    fn items(&self) -> usize {
        self.failed.cap() + self.regressions.cap() + self.whats_left.cap() + self.rows.len()
    }

    /// How many of each (failed checks, regressions, what's left, rows) the
    /// first `keep` items are: the first [`FIRST_ITEMS`] of each in that
    /// order, then the rest of each in the same order, so that a long list
    /// of failed checks cannot crowd out the missing scenarios.
    fn shares(&self, keep: usize) -> [usize; 4] {
        let caps = [
            self.failed.cap(),
            self.regressions.cap(),
            self.whats_left.cap(),
            self.rows.len(),
        ];
        let mut shares = [0; 4];
        let mut left = keep;
        for tier in [FIRST_ITEMS, usize::MAX] {
            for (share, cap) in shares.iter_mut().zip(caps) {
                let more = cap.min(tier).saturating_sub(*share).min(left);
                *share += more;
                left -= more;
            }
        }
        shares
    }

    /// The comment keeping the first `keep` items (see [`Parts::shares`]).
    fn render(&self, keep: usize) -> String {
        let [failed, regressions, whats_left, rows] = self.shares(keep);
        let lists = [
            (&self.failed, failed),
            (&self.regressions, regressions),
            (&self.whats_left, whats_left),
        ];
        // The note at the top is for what the budget dropped; a list cut at
        // its cap alone says so in its own last line.
        let budget_cut =
            rows < self.rows.len() || lists.iter().any(|(list, kept)| *kept < list.cap());
        let mut left_out: Vec<String> = lists
            .iter()
            .filter(|(list, kept)| *kept < list.items.len())
            .map(|(list, kept)| {
                format!(
                    "{} of {}",
                    format::count((list.items.len() - kept) as u64),
                    things(list.items.len(), list.what)
                )
            })
            .collect();
        if rows < self.rows.len() {
            left_out.push(format!(
                "{} of {} of the results table",
                format::count((self.rows.len() - rows) as u64),
                things(self.rows.len(), ("row", "rows"))
            ));
        }
        let section = |(list, kept): (&List, usize)| Section {
            heading: match list.items.is_empty() {
                true => String::new(),
                false => list.heading.clone(),
            },
            items: list.items[..kept].to_vec(),
            more: match kept < list.items.len() {
                true => format!(
                    "- … and {}: {}.\n",
                    more_things(list.items.len() - kept, list.what),
                    self.see
                ),
                false => String::new(),
            },
        };
        let dropped = self.rows.len() - rows;
        let dropped_passed = self.rows[rows..].iter().filter(|(p, _)| *p).count();
        let doc = Doc {
            marker: &self.marker,
            head: &self.head,
            left_out: match !budget_cut || left_out.is_empty() {
                true => String::new(),
                false => format!(
                    "> **Shortened to fit a pull-request comment.** Left out: {}; {}.\n\n",
                    left_out.join("; "),
                    self.see
                ),
            },
            failed: section(lists[0]),
            regressions: section(lists[1]),
            whats_left: section(lists[2]),
            results_empty: match self.rows.is_empty() {
                true => "No scenarios to show.\n".to_string(),
                false => String::new(),
            },
            table: match rows {
                0 => String::new(),
                _ => self.table_header.clone(),
            },
            rows: self.rows[..rows].iter().map(|(_, r)| r.clone()).collect(),
            rows_more: match dropped {
                0 => String::new(),
                n => format!(
                    "{}… and {} ({} passed, {} not): {}.\n",
                    if rows > 0 { "\n" } else { "" },
                    more_things(n, ("scenario", "scenarios")),
                    format::count(dropped_passed as u64),
                    format::count((n - dropped_passed) as u64),
                    self.see
                ),
            },
            foot: &self.foot,
        };
        render_doc(&doc)
    }
}

/// `1 failed check`, `1,237 failed checks`.
fn things(n: usize, (one, many): (&str, &str)) -> String {
    format!(
        "{} {}",
        format::count(n as u64),
        if n == 1 { one } else { many }
    )
}

/// `1 more failed check`, `1,237 more failed checks`.
fn more_things(n: usize, (one, many): (&str, &str)) -> String {
    format!(
        "{} more {}",
        format::count(n as u64),
        if n == 1 { one } else { many }
    )
}

/// The title with the verdict's icon, and the status line.
fn head(summary: &Summary<'_>, view: &ReportView) -> String {
    let icon = match summary.status {
        RunStatus::Passed => "✅",
        RunStatus::Failed => "❌",
        RunStatus::Error => "⚠️",
    };
    format!(
        "## {icon} {}\n\n**{}**\n\n",
        md(&view.title),
        md(&view.status_line)
    )
}

/// A failed check or regression as a list item: `- ❌ **scenario** METHOD
/// NAME: p99 36 ms, target < 20 ms (80% over target)`.
pub(super) fn failed_item(f: &FailedItem) -> String {
    let endpoint = f
        .endpoint
        .as_deref()
        .map(|e| format!(" {}", md(e)))
        .unwrap_or_default();
    format!("- ❌ **{}**{endpoint}: {}\n", md(&f.scenario), md(&f.line))
}

/// The header of the results table: `| Scenario | Status |` and a column
/// per metric of the matrix, with its alignment row.
pub(super) fn matrix_header(matrix: &Matrix) -> String {
    let mut header = String::from("| Scenario | Status |");
    let mut align = String::from("|---|---|");
    for column in &matrix.columns {
        let _ = write!(header, " {} |", md(column));
        align.push_str("---|");
    }
    let _ = write!(header, "\n{align}\n");
    header
}

/// One row of the results table.
pub(super) fn row(r: &MatrixRow) -> String {
    let icon = match r.status {
        Status::Passed => "✅",
        Status::Error => "⚠️",
        Status::Failed | Status::Incomplete | Status::Missing => "❌",
    };
    let mut line = format!("| {} | {icon} {} |", md(&r.scenario), r.status_label);
    for c in &r.cells {
        let _ = write!(line, " {} |", cell(c));
    }
    line.push('\n');
    line
}

/// A cell: `8 ms (< 200 ms)`, `❌ 95.22% (≥ 99%)`, with the change against
/// the baseline after a `·`; `–` when the scenario has no such value. The
/// values are loadgate's own formatting (numbers, units, operators), never
/// text from the data, so they need no Markdown escaping (`> 5/s` would
/// only read as `&gt;`).
fn cell(c: &MatrixCell) -> String {
    if c.empty {
        return "–".to_string();
    }
    let mut text = String::new();
    if c.failed() {
        text.push_str("❌ ");
    }
    text.push_str(&c.actual);
    if !c.target.is_empty() {
        let _ = write!(text, " ({})", c.target);
    }
    if !c.change.is_empty() {
        let _ = write!(text, " · {}", c.change);
        if c.regressed {
            text.push_str(" regressed");
        }
    }
    text
}

/// Where the full report is, and the run's facts.
fn foot(view: &ReportView, options: &CommentOptions) -> String {
    let report = match (&options.report_url, &options.run_url) {
        (Some(url), _) => format!("📄 [Full report]({})", url.as_str()),
        (None, Some(run)) => format!(
            "The full report is in the artifacts of [this workflow run]({})",
            run.as_str()
        ),
        (None, None) => {
            "The full report is report.html (or report.md) in loadgate's output folder".to_string()
        }
    };
    format!(
        "{report} · Load run: {} · Config: {} · {}\n",
        md(&view.run_date),
        md(&view.config),
        md(&view.tool)
    )
}

/// A list as the layout gets it; every piece ends in `\n`, empty when left out.
#[derive(serde::Serialize)]
struct Section {
    heading: String,
    items: Vec<String>,
    more: String,
}

/// What `comment.md.j2` lays out.
#[derive(serde::Serialize)]
struct Doc<'a> {
    marker: &'a str,
    head: &'a str,
    left_out: String,
    failed: Section,
    regressions: Section,
    whats_left: Section,
    results_empty: String,
    table: String,
    rows: Vec<String>,
    rows_more: String,
    foot: &'a str,
}

const TEMPLATE: &str = include_str!("../../../templates/comment.md.j2");

fn render_doc(doc: &Doc<'_>) -> String {
    static ENV: std::sync::LazyLock<minijinja::Environment<'static>> =
        std::sync::LazyLock::new(|| {
            let mut env = minijinja::Environment::new();
            env.add_template("comment.md.j2", TEMPLATE)
                // The built-in template is tested to parse (see the tests below).
                .expect("the built-in comment.md.j2 parses");
            env
        });
    ENV.get_template("comment.md.j2")
        .and_then(|t| t.render(minijinja::value::Serde(doc)))
        // Only strings and lists of strings: rendering cannot fail.
        .expect("comment.md.j2 renders its own context")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::github::test_support::{config, judge_folder, summarise, write_scenario};
    use crate::report::view;

    #[test]
    fn the_built_in_layout_parses() {
        let mut env = minijinja::Environment::new();
        env.add_template("comment.md.j2", TEMPLATE).unwrap();
    }

    #[test]
    fn a_comment_id_is_a_plain_word() {
        for ok in ["loadgate", "perf-linux_x64.2", &"a".repeat(64)] {
            assert_eq!(
                CommentId::parse(ok).unwrap().marker(),
                format!("<!-- loadgate:{ok} -->")
            );
        }
        for bad in ["", "a b", "x-->", "<b>", "a\n", "ü", &"a".repeat(65)] {
            let e = CommentId::parse(bad).unwrap_err();
            assert!(e.starts_with("--comment-id `"), "{e}");
            assert!(!e.contains('\n'), "{e}");
        }
    }

    #[test]
    fn a_report_url_is_http_with_a_host_and_cannot_end_its_link() {
        let url = |s: &str| ReportUrl::parse(s).map(|u| u.as_str().to_string());
        assert_eq!(
            url("https://o.github.io/r/run-42/report.html#top").unwrap(),
            "https://o.github.io/r/run-42/report.html#top"
        );
        assert_eq!(url("HTTP://host:8080/x").unwrap(), "HTTP://host:8080/x");
        assert_eq!(
            url("https://h/a(b)/<c>\"`\\|[d]").unwrap(),
            "https://h/a%28b%29/%3Cc%3E%22%60%5C%7C%5Bd%5D"
        );
        assert_eq!(url("http://[::1]:9/r").unwrap(), "http://[::1]:9/r");
        assert_eq!(
            url("https://h/r\u{e9}sum\u{e9}\u{202e}").unwrap(),
            "https://h/r%C3%A9sum%C3%A9%E2%80%AE"
        );
        for (bad, why) in [
            ("javascript:alert(1)", "only http:// and https://"),
            ("report.html", "only http:// and https://"),
            ("//h/x", "only http:// and https://"),
            ("ftp://h/x", "only http:// and https://"),
            ("https:///x", "no host"),
            ("https://h/a b", "white space"),
            ("https://h/a\n::error::x", "white space"),
        ] {
            let e = url(bad).unwrap_err();
            assert!(e.contains(why), "{bad}: {e}");
            assert!(!e.contains('\n'), "{e}");
        }
    }

    /// Pipes that end a cell (not escaped as `\|`).
    fn cell_pipes(line: &str) -> usize {
        let (mut count, mut escaped) = (0, false);
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

    /// 120 scenarios of 20 endpoints, every endpoint check failed; half of
    /// the scenarios also miss their median.
    fn big_run(dir: &std::path::Path) -> Vec<crate::evaluate::ScenarioResult> {
        for i in 0..120 {
            let kind = if i % 2 == 1 { "slow" } else { "fast" };
            write_scenario(
                dir,
                &format!("{kind}{i:03}_a_scenario_with_a_long_name"),
                20,
                30,
            );
        }
        let config = config(
            "[defaults]\nthresholds = [\"median < 200ms\", \"p99 < 1s\"]\n[scenarios.slow]\nmatch = \"slow*\"\nthresholds = [\"median < 1ms\"]\n[[scenarios.slow.endpoint]]\nname = \"*\"\nthresholds = [\"p99 < 20ms\"]\n[scenarios.gone]\n",
        );
        judge_folder(dir, &config)
    }

    #[test]
    fn a_comment_over_its_budget_drops_whole_items_and_rows_and_says_so() {
        let dir = tempfile::tempdir().unwrap();
        let results = big_run(dir.path());
        let summary = summarise(&results, Vec::new());
        let view = view::build(&summary, false).unwrap();
        let options = CommentOptions {
            id: CommentId::parse("perf").unwrap(),
            report_url: Some(ReportUrl::parse("https://example.org/r/1").unwrap()),
            run_url: None,
        };
        let full = comment(&summary, &view, &options, usize::MAX);
        assert!(!full.contains("Shortened"));
        // The lists are capped at 50 items whatever the budget.
        assert!(full.contains("- … and 1,211 more failed checks: see the [full report](https://example.org/r/1).\n"), "{full}");
        let mut previous = 0;
        for budget in [COMMENT_BUDGET, 20_000, 8_000, 3_000, 1_500] {
            let text = comment(&summary, &view, &options, budget);
            assert!(units(&text) <= budget, "{budget}: {}", units(&text));
            assert!(text.starts_with("<!-- loadgate:perf -->\n## ❌ "), "{text}");
            assert!(
                text.ends_with(
                    "· loadgate 0.1.0\n"
                        .replace("0.1.0", env!("CARGO_PKG_VERSION"))
                        .as_str()
                )
            );
            // Whole lines only: every item and row is one the full comment has.
            for line in text.lines() {
                assert!(
                    full.lines().any(|l| l == line)
                        || line.starts_with("> **Shortened")
                        || line.starts_with("- … and ")
                        || line.starts_with("… and "),
                    "{budget}: a line the full comment does not have: {line}"
                );
            }
            let header = text.lines().find(|l| l.starts_with("| Scenario |"));
            if let Some(header) = header {
                let columns = cell_pipes(header);
                for row in text.lines().filter(|l| l.starts_with('|')) {
                    assert_eq!(cell_pipes(row), columns, "{row}");
                }
            }
            assert_eq!(
                text.contains("> **Shortened to fit a pull-request comment.** Left out: "),
                units(&full) > budget,
                "{budget}: {text}"
            );
            // A smaller budget keeps less, and the failed checks go last.
            let kept = text
                .lines()
                .filter(|l| l.starts_with("- ❌") || l.starts_with('|'))
                .count();
            if previous > 0 {
                assert!(kept <= previous, "{budget}");
            }
            previous = kept;
            if budget <= 3_000 {
                assert!(!text.contains("| fast"), "{text}");
                assert!(text.contains("- ❌ **slow001"), "{text}");
            }
        }
        // The missing scenario is listed, and its row comes before the passed ones.
        let text = comment(&summary, &view, &options, COMMENT_BUDGET);
        assert!(
            text.contains("- **MISSING** gone: not executed: "),
            "{text}"
        );
        let at = |row: &str| text.find(row).unwrap_or_else(|| panic!("{row}"));
        assert!(
            at("| gone | ❌ MISSING | – | – | – |")
                < at("| fast000_a_scenario_with_a_long_name | ✅ PASS |")
        );
    }
}
