//! The terminal summary: one line per scenario, then each failed check.
//!
//! Rendered with ANSI styles; the caller writes it through `anstream`, which
//! strips them when stdout is not a terminal or `NO_COLOR` is set.

use anstyle::{AnsiColor, Style};

use super::{RunStatus, Summary};
use crate::evaluate::compare::{Comparison, Verdict};
use crate::evaluate::{CheckKind, Status};
use crate::format;
use crate::model::Stats;
use crate::model::Unit;

const BOLD: Style = Style::new().bold();
const DIM: Style = Style::new().dimmed();
const GREEN: Style = AnsiColor::Green.on_default().bold();
const RED: Style = AnsiColor::Red.on_default().bold();
const YELLOW: Style = AnsiColor::Yellow.on_default().bold();

/// How much to print.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verbosity {
    Normal,
    /// Only the failed checks.
    Quiet,
}

fn status_style(status: Status) -> Style {
    match status {
        Status::Passed => GREEN,
        Status::Failed | Status::Error => RED,
        Status::Incomplete | Status::Missing => YELLOW,
    }
}

fn paint(style: Style, text: &str) -> String {
    format!("{style}{text}{style:#}")
}

#[derive(Clone, Copy)]
enum Align {
    Left,
    Right,
}

/// Lay out rows of (text, style) cells in aligned columns.
fn table(rows: &[Vec<(String, Style)>], aligns: &[Align]) -> String {
    let mut widths = vec![0; aligns.len()];
    for row in rows {
        for (i, (text, _)) in row.iter().enumerate() {
            widths[i] = widths[i].max(text.chars().count());
        }
    }
    let mut out = String::new();
    for row in rows {
        let mut line = String::new();
        for (i, (text, style)) in row.iter().enumerate() {
            let pad = " ".repeat(widths[i] - text.chars().count());
            let cell = paint(*style, text);
            match aligns[i] {
                Align::Left if i + 1 == row.len() => line.push_str(&cell),
                Align::Left => line.push_str(&format!("{cell}{pad}")),
                Align::Right => line.push_str(&format!("{pad}{cell}")),
            }
            if i + 1 < row.len() {
                line.push_str("  ");
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

fn stats_cells(stats: Option<&Stats>) -> Vec<(String, Style)> {
    let dash = || ("-".to_string(), Style::new());
    let Some(s) = stats else {
        return vec![dash(), dash(), dash(), dash(), dash(), dash()];
    };
    let time = |v: Option<Option<f64>>| match v.flatten() {
        Some(v) => (format::ms(v), Style::new()),
        None => dash(),
    };
    vec![
        (format::count(s.requests), Style::new()),
        time(Some(s.median_ms)),
        time(s.percentiles_ms.get(95.0)),
        time(s.percentiles_ms.get(99.0)),
        (format::per_s(s.rps), Style::new()),
        match s.success_rate {
            Some(r) => (format::percent(r), Style::new()),
            None => dash(),
        },
    ]
}

/// At most this many failed checks (and as many regressions) are listed; the
/// rest are counted, and summary.json has them all.
pub const MAX_LISTED: usize = 50;

/// A name from the input as the terminal shows it: escaped and clipped.
fn name(text: &str) -> String {
    format::clipped(text, format::MAX_NAME_CHARS)
}

/// `… 12 more failed checks, see summary.json` after a list cut at [`MAX_LISTED`].
fn push_more(out: &mut String, total: usize, what: &str) {
    if total > MAX_LISTED {
        out.push_str(&paint(
            DIM,
            &format!(
                "  … {} more {what}, see summary.json",
                format::count((total - MAX_LISTED) as u64)
            ),
        ));
        out.push('\n');
    }
}

/// The whole terminal summary.
pub fn render(summary: &Summary<'_>, verbosity: Verbosity) -> String {
    let normal = verbosity == Verbosity::Normal;
    let mut out = String::new();
    if normal {
        out.push_str(&scenario_table(summary));
        // A run history as the baseline: which runs, and what was skipped.
        if let Some(b) = &summary.baseline
            && let Some(h) = &b.history
        {
            let line = format!(
                "baseline: {}, from the run history {}",
                h.describe(),
                b.source
            );
            out.push_str(&format!("\n{}\n", paint(DIM, &line)));
        }
    }
    out.push_str(&failed_checks(summary, normal));
    out.push_str(&regressions(summary, normal));
    if normal {
        let style = match summary.status {
            RunStatus::Passed => GREEN,
            RunStatus::Failed | RunStatus::Error => RED,
        };
        out.push('\n');
        out.push_str(&paint(style, &summary.status_line()));
        out.push('\n');
    }
    out
}

/// The title, the config, and one line per scenario.
fn scenario_table(summary: &Summary<'_>) -> String {
    let mut out = format!("{}\n", paint(BOLD, &summary.title));
    out.push_str(&format!(
        "{}\n\n",
        paint(DIM, &format!("config: {}", summary.config))
    ));
    let header: Vec<(String, Style)> = [
        "STATUS", "SCENARIO", "TOOL", "REQUESTS", "MEDIAN", "P95", "P99", "RPS", "SUCCESS",
    ]
    .iter()
    .map(|h| (h.to_string(), DIM))
    .collect();
    let mut rows = vec![header];
    for s in &summary.scenarios {
        let mut row = vec![
            (s.status.label().to_string(), status_style(s.status)),
            (name(s.name), Style::new()),
            (
                s.tool
                    .map_or_else(|| "-".to_string(), |t| name(&crate::ingest::tool_label(t))),
                Style::new(),
            ),
        ];
        row.extend(stats_cells(s.totals));
        rows.push(row);
    }
    let mut aligns = vec![Align::Left, Align::Left, Align::Left];
    aligns.extend([Align::Right; 6]);
    out.push_str(&table(&rows, &aligns));
    out
}

/// A list item: `  ✗ scenario endpoint: message`.
fn item(scenario: &str, endpoint: Option<&str>, message: &str) -> String {
    let mut line = format!("  {} {}", paint(RED, "✗"), paint(BOLD, &name(scenario)));
    if let Some(endpoint) = endpoint {
        line.push_str(&format!(" {}", name(endpoint)));
    }
    line.push_str(&format!(": {message}"));
    line
}

/// Every failed check (the first [`MAX_LISTED`]), with its achievement and
/// config key; the heading only in normal verbosity.
fn failed_checks(summary: &Summary<'_>, heading: bool) -> String {
    let failed: Vec<_> = summary
        .scenarios
        .iter()
        .flat_map(|s| s.checks.iter().filter(|c| !c.passed).map(move |c| (s, c)))
        .collect();
    let mut out = String::new();
    if failed.is_empty() {
        return out;
    }
    if heading {
        out.push('\n');
        out.push_str(&paint(
            BOLD,
            &format!(
                "Failed checks ({} of {}):",
                failed.len(),
                summary.counts.checks
            ),
        ));
        out.push('\n');
    }
    let total = failed.len();
    for (s, c) in failed.into_iter().take(MAX_LISTED) {
        let mut line = item(s.name, c.endpoint.as_deref(), &c.message);
        if let Some(a) = super::view::shown_achievement(c) {
            line.push_str(&paint(DIM, &format!(" ({a})")));
        }
        if c.threshold != c.message && c.kind == CheckKind::Threshold {
            line.push_str(&paint(DIM, &format!(" [{}]", c.config_key)));
        }
        out.push_str(&line);
        out.push('\n');
    }
    push_more(&mut out, total, "failed checks");
    out
}

/// Every regression against the baseline (the first [`MAX_LISTED`]), with
/// its rank test; the heading only in normal verbosity.
fn regressions(summary: &Summary<'_>, heading: bool) -> String {
    let regressed: Vec<_> = summary
        .scenarios
        .iter()
        .flat_map(|s| {
            s.comparisons
                .unwrap_or_default()
                .iter()
                .filter(|c| c.verdict == Verdict::Regressed)
                .map(move |c| (s, c))
        })
        .collect();
    let mut out = String::new();
    if regressed.is_empty() {
        return out;
    }
    if heading {
        let compared: usize = summary
            .scenarios
            .iter()
            .map(|s| s.comparisons.map_or(0, <[_]>::len))
            .sum();
        out.push('\n');
        out.push_str(&paint(
            BOLD,
            &format!(
                "Regressions against the baseline ({} of {compared} compared):",
                regressed.len()
            ),
        ));
        out.push('\n');
    }
    let total = regressed.len();
    for (s, c) in regressed.into_iter().take(MAX_LISTED) {
        let mut line = item(s.name, c.endpoint.as_deref(), &c.message);
        if let Some(t) = &c.significance {
            line.push_str(&paint(DIM, &format!(" ({})", format::significance(t))));
        }
        out.push_str(&line);
        out.push('\n');
    }
    push_more(&mut out, total, "regressions");
    out
}

/// The `loadgate compare` table: one row per compared metric.
pub fn render_comparisons(rows: &[(&str, &Comparison)]) -> String {
    let header: Vec<(String, Style)> = [
        "SCENARIO",
        "ENDPOINT",
        "METRIC",
        "BASELINE",
        "CURRENT",
        "CHANGE",
        "CHANGE %",
        "VERDICT",
        "RANK TEST",
    ]
    .iter()
    .map(|h| (h.to_string(), DIM))
    .collect();
    let mut table_rows = vec![header];
    for (scenario, c) in rows {
        let kind_value = |v: f64| format::in_unit(c.unit, v);
        let change = match c.unit {
            Unit::Ms => format!("{:+.1} ms", c.change),
            Unit::Percent => format!("{:+.2} pp", c.change),
            Unit::PerSecond => format!("{:+.2}/s", c.change),
            _ => format!("{:+}", c.change),
        };
        let (verdict, style) = match c.verdict {
            Verdict::Regressed => ("REGRESSED", RED),
            Verdict::Improved => ("improved", GREEN),
            Verdict::Unchanged => ("unchanged", Style::new()),
        };
        table_rows.push(vec![
            (name(scenario), Style::new()),
            (
                c.endpoint.as_deref().map_or_else(|| "total".into(), name),
                Style::new(),
            ),
            (c.metric.to_string(), Style::new()),
            (kind_value(c.baseline), Style::new()),
            (kind_value(c.current), Style::new()),
            (change, Style::new()),
            (
                c.change_pct
                    .map_or_else(|| "–".into(), |p| format!("{p:+.1}%")),
                Style::new(),
            ),
            (format!("{verdict} ({})", c.tolerance), style),
            (
                c.significance
                    .as_ref()
                    .map_or_else(|| "–".into(), format::significance),
                DIM,
            ),
        ]);
    }
    let aligns = [
        Align::Left,
        Align::Left,
        Align::Left,
        Align::Right,
        Align::Right,
        Align::Right,
        Align::Right,
        Align::Left,
        Align::Left,
    ];
    table(&table_rows, &aligns)
}
