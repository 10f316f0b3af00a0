//! The decision, as an output leads with it: what failed (every failed
//! check and every regression, each with its actual value, its target and
//! how far off it is) and the scenario × metric matrix (one row per
//! scenario, one column per metric checked or compared on a scenario's
//! total, each cell the actual value against its target and, with a
//! baseline, its change). Part of the report view ([`super::view`]): the
//! wording and the order live here once, renderers only lay them out.

use serde::Serialize;

use super::summary::ScenarioSummary;
use super::view::{check_values, metric_label};
use crate::config::Metric;
use crate::evaluate::compare::{Comparison, Verdict};
use crate::evaluate::{Check, CheckKind, CheckMetric, Status};
use crate::format;

/// Whether a failed item is a missed check or a regression.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FailedKind {
    Check,
    Regression,
}

/// One failed check or regression, worded once for every output.
#[derive(Debug, Clone, Serialize)]
pub struct FailedItem {
    pub kind: FailedKind,
    pub scenario: String,
    pub anchor: String,
    /// `METHOD NAME`; `None` for the scenario total.
    pub endpoint: Option<String>,
    /// `p99`, `duration`, `success_rate (window)`, …
    pub metric: String,
    /// The value measured: `95.22%`; for a regression the current value.
    pub actual: String,
    /// `≥ 99%`; for a regression the baseline and the tolerance
    /// (`14 ms, tolerance +15%`).
    pub target: String,
    /// How far off: `4.8x the allowed failures`; for a window check how
    /// long it was broken (`broken for 28 s, allowed for less than 10 s`);
    /// for a regression the change (`+314.3%`). Empty when there is nothing
    /// to say.
    pub off: String,
    /// The whole item in one line: `success_rate 95.22%, target ≥ 99% (4.8x
    /// the allowed failures)`, `p99 14 ms → 58 ms (+314.3%), tolerance +15%`.
    pub line: String,
}

/// The scenario × metric matrix.
#[derive(Debug, Clone, Serialize)]
pub struct Matrix {
    /// The metric of each column: every metric checked or compared on a
    /// scenario's total, in a fixed order (run length, times from the
    /// median up, throughput, rates, counts; a window after its metric),
    /// then `endpoint checks` when any scenario has them.
    pub columns: Vec<String>,
    /// One row per scenario, in the summary's order.
    pub rows: Vec<MatrixRow>,
}

#[derive(Debug, Clone, Serialize)]
pub struct MatrixRow {
    pub scenario: String,
    pub anchor: String,
    pub status: Status,
    /// `PASS`, `FAIL`, `INCOMPLETE`, `MISSING`, `ERROR`.
    pub status_label: &'static str,
    /// One cell per column.
    pub cells: Vec<MatrixCell>,
}

/// One scenario's value of one metric.
#[derive(Debug, Clone, Default, Serialize)]
pub struct MatrixCell {
    /// No check and no comparison on this metric for this scenario.
    pub empty: bool,
    /// `8 ms`, `95.22%`; for the endpoint-checks column `2 of 5 failed`.
    pub actual: String,
    /// `< 200 ms`; several checks on one metric are joined (`< 200 ms, > 1 ms`);
    /// empty without a check.
    pub target: String,
    /// Every check on the metric passed; `None` without a check.
    pub passed: Option<bool>,
    /// The change against the baseline as its comparison shows it (`+3.2%`,
    /// `-0.5 pp`); empty without one.
    pub change: String,
    /// The comparison regressed beyond its tolerance.
    pub regressed: bool,
    /// The cell fails the gate: a missed check or a regression (what a
    /// renderer marks and colours).
    pub failed: bool,
}

impl MatrixCell {
    /// Whether this cell fails the gate: a missed check or a regression.
    pub fn failed(&self) -> bool {
        self.failed
    }
}

impl Matrix {
    /// The rows that need attention first (every status but `passed`, in
    /// the summary's order), then the passed ones: the order to keep when
    /// not every row fits.
    pub fn rows_needing_attention_first(&self) -> impl Iterator<Item = &MatrixRow> {
        let attention = |r: &&MatrixRow| r.status != Status::Passed;
        self.rows
            .iter()
            .filter(attention)
            .chain(self.rows.iter().filter(move |r| !attention(r)))
    }
}

/// The column label of a whole-scenario check that belongs in the matrix;
/// `None` for kinds the status already says (a missing scenario, a data
/// finding) and for endpoint checks.
fn column_of(c: &Check) -> Option<String> {
    let in_matrix = c.endpoint.is_none()
        && matches!(
            c.kind,
            CheckKind::Threshold
                | CheckKind::Window
                | CheckKind::MinDuration
                | CheckKind::MinRequests
        );
    in_matrix.then(|| metric_label(c))
}

const ENDPOINT_CHECKS: &str = "endpoint checks";

/// Every failed check (scenario totals first, then endpoints), then every
/// regression (totals first, then endpoints), scenario by scenario in the
/// summary's order. `anchors` are the scenarios' anchors, in order.
pub fn failed_items(scenarios: &[ScenarioSummary<'_>], anchors: &[String]) -> Vec<FailedItem> {
    let mut items = Vec::new();
    for endpoints in [false, true] {
        for (s, anchor) in scenarios.iter().zip(anchors) {
            for c in s
                .checks
                .iter()
                .filter(|c| !c.passed && c.endpoint.is_some() == endpoints)
            {
                items.push(failed_check(s, anchor, c));
            }
        }
    }
    for endpoints in [false, true] {
        for (s, anchor) in scenarios.iter().zip(anchors) {
            for c in
                s.comparisons.unwrap_or_default().iter().filter(|c| {
                    c.verdict == Verdict::Regressed && c.endpoint.is_some() == endpoints
                })
            {
                items.push(regression(s, anchor, c));
            }
        }
    }
    items
}

fn failed_check(s: &ScenarioSummary<'_>, anchor: &str, c: &Check) -> FailedItem {
    let (target, actual) = check_values(c);
    FailedItem {
        kind: FailedKind::Check,
        scenario: shown(s.name),
        anchor: anchor.to_string(),
        endpoint: c.endpoint.as_deref().map(shown),
        metric: metric_label(c),
        actual,
        target,
        off: how_far_off(c),
        line: shown(&super::view::check_line(c)),
    }
}

/// How far off a failed check is: its achievement as every output shows
/// it; for a window check, whose line says it in a sentence, how long it was
/// broken against how long it may be.
fn how_far_off(c: &Check) -> String {
    match (c.kind, c.achievement.as_deref(), c.window.as_ref()) {
        (CheckKind::Window, Some(broken), Some(w)) => format!(
            "{broken}, allowed for less than {}",
            format::duration(w.window_s)
        ),
        _ => super::view::shown_achievement(c)
            .unwrap_or_default()
            .to_string(),
    }
}

fn regression(s: &ScenarioSummary<'_>, anchor: &str, c: &Comparison) -> FailedItem {
    FailedItem {
        kind: FailedKind::Regression,
        scenario: shown(s.name),
        anchor: anchor.to_string(),
        endpoint: c.endpoint.as_deref().map(shown),
        metric: c.metric.to_string(),
        actual: format::in_unit(c.unit, c.current),
        target: format!(
            "{}, tolerance {}",
            format::in_unit(c.unit, c.baseline),
            shown(&c.tolerance)
        ),
        off: c.change_shown.clone().unwrap_or_default(),
        line: shown(&c.message),
    }
}

/// The matrix of `scenarios` (with their anchors, in order).
pub fn matrix(scenarios: &[ScenarioSummary<'_>], anchors: &[String]) -> Matrix {
    // (label, rank), each label once, in the order first seen.
    let mut columns: Vec<(String, f64)> = Vec::new();
    let mut add = |label: String, rank: f64| {
        if !columns.iter().any(|(l, _)| *l == label) {
            columns.push((label, rank));
        }
    };
    for s in scenarios {
        for c in s.checks {
            if let Some(label) = column_of(c) {
                add(label, check_rank(c));
            }
        }
    }
    for s in scenarios {
        for c in s.comparisons.unwrap_or_default() {
            if c.endpoint.is_none() {
                add(c.metric.to_string(), metric_rank(&c.metric));
            }
        }
    }
    // Stable: columns of one rank keep the order first seen.
    columns.sort_by(|a, b| a.1.total_cmp(&b.1));
    let mut columns: Vec<String> = columns.into_iter().map(|(label, _)| label).collect();
    let endpoint_checks = scenarios
        .iter()
        .any(|s| s.checks.iter().any(|c| c.endpoint.is_some()));
    if endpoint_checks {
        columns.push(ENDPOINT_CHECKS.to_string());
    }
    let rows = scenarios
        .iter()
        .zip(anchors)
        .map(|(s, anchor)| MatrixRow {
            scenario: shown(s.name),
            anchor: anchor.clone(),
            status: s.status,
            status_label: s.status.label(),
            cells: columns
                .iter()
                .map(|column| match column.as_str() {
                    ENDPOINT_CHECKS if endpoint_checks => endpoint_cell(s),
                    _ => metric_cell(s, column),
                })
                .collect(),
        })
        .collect();
    Matrix { columns, rows }
}

/// Where a metric's column goes: the times (median, mean, minimum,
/// percentiles by level, maximum), throughput, rates, counts.
fn metric_rank(m: &Metric) -> f64 {
    match m {
        Metric::Median => 10.0,
        Metric::Avg => 11.0,
        Metric::Min => 12.0,
        // p0 … p100 between the minimum and the maximum.
        Metric::Percentile { level, .. } => 13.0 + level.clamp(0.0, 100.0) / 4.0,
        Metric::Max => 40.0,
        Metric::Rps => 50.0,
        Metric::RpsSteady => 51.0,
        Metric::FailuresPerS => 52.0,
        Metric::SuccessRate => 60.0,
        Metric::ErrorRate => 61.0,
        Metric::Requests => 70.0,
        Metric::Failures => 71.0,
        Metric::Users => 72.0,
    }
}

/// Where a check's column goes: the run length first, a window right after
/// its metric.
fn check_rank(c: &Check) -> f64 {
    match (&c.kind, &c.metric) {
        (CheckKind::MinDuration, _) => 0.0,
        (CheckKind::MinRequests, _) => 1.0,
        (CheckKind::Window, CheckMetric::Of(m)) => metric_rank(m) + 0.5,
        (_, CheckMetric::Of(m)) => metric_rank(m),
        _ => 100.0,
    }
}

/// A scenario's cell in a metric's column: its checks on that metric (the
/// first one's value, every target) and its comparison with the baseline.
fn metric_cell(s: &ScenarioSummary<'_>, column: &str) -> MatrixCell {
    let checks: Vec<&Check> = s
        .checks
        .iter()
        .filter(|c| column_of(c).as_deref() == Some(column))
        .collect();
    let comparison = s
        .comparisons
        .unwrap_or_default()
        .iter()
        .find(|c| c.endpoint.is_none() && c.metric.to_string() == column);
    if checks.is_empty() && comparison.is_none() {
        return MatrixCell {
            empty: true,
            ..MatrixCell::default()
        };
    }
    let values: Vec<(String, String)> = checks.iter().map(|c| check_values(c)).collect();
    let actual = match (values.first(), comparison) {
        (Some((_, actual)), _) => actual.clone(),
        (None, Some(c)) => format::in_unit(c.unit, c.current),
        (None, None) => String::new(),
    };
    let passed = (!checks.is_empty()).then(|| checks.iter().all(|c| c.passed));
    let regressed = comparison.is_some_and(|c| c.verdict == Verdict::Regressed);
    MatrixCell {
        empty: false,
        actual,
        target: values
            .iter()
            .map(|(t, _)| t.as_str())
            .collect::<Vec<_>>()
            .join(", "),
        passed,
        change: comparison
            .and_then(|c| c.change_shown.clone())
            .unwrap_or_default(),
        regressed,
        failed: passed == Some(false) || regressed,
    }
}

/// A scenario's cell in the endpoint-checks column: how many failed.
fn endpoint_cell(s: &ScenarioSummary<'_>) -> MatrixCell {
    let checks: Vec<&Check> = s.checks.iter().filter(|c| c.endpoint.is_some()).collect();
    if checks.is_empty() {
        return MatrixCell {
            empty: true,
            ..MatrixCell::default()
        };
    }
    let failed = checks.iter().filter(|c| !c.passed).count();
    let (n, total) = (format::count(failed as u64), checks.len() as u64);
    MatrixCell {
        empty: false,
        actual: match failed {
            0 => format!("{} passed", format::count(total)),
            _ => format!("{n} of {} failed", format::count(total)),
        },
        target: String::new(),
        passed: Some(failed == 0),
        // Endpoint regressions are in the failed items, not counted here.
        change: String::new(),
        regressed: false,
        failed: failed > 0,
    }
}

fn shown(text: &str) -> String {
    format::display(text).into_owned()
}
