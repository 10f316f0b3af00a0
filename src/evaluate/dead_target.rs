//! A dead target never passes: when most requests failed, the times are
//! those of failed requests (a refused connection answers in a millisecond).

use super::{Check, CheckKind, CheckMetric};
use crate::config::{Metric, Op};
use crate::format;
use crate::model::{ScenarioData, Stats, Unit};

/// Below this success rate a scenario "mostly failed": its response times
/// are those of failed requests (a refused connection answers in a
/// millisecond) and say nothing about the service.
pub const MOSTLY_FAILED_BELOW_PCT: f64 = 50.0;

/// Why a scenario's times mean nothing, if most of its requests failed:
/// `all 115 requests failed: ConnectionRefusedError(111, 'Connection
/// refused')`, `230 of 280 requests failed (82.14%): …` (the most frequent
/// failure, clipped).
pub fn mostly_failed(totals: &Stats, failures: &[crate::model::FailureRow]) -> Option<String> {
    let rate = totals.success_rate?;
    if rate >= MOSTLY_FAILED_BELOW_PCT {
        return None;
    }
    let mut text = if totals.failures == totals.requests {
        format!("all {} requests failed", format::count(totals.requests))
    } else {
        format!(
            "{} of {} requests failed ({})",
            format::count(totals.failures),
            format::count(totals.requests),
            format::percent(100.0 - rate)
        )
    };
    if let Some(top) = failures.iter().max_by_key(|f| f.occurrences) {
        text.push_str(": ");
        text.push_str(&format::clipped(&top.error, 120));
    }
    Some(text)
}

/// A dead target never passes. When most requests failed, the scenario
/// fails even if no success-rate threshold applies (the built-in one is
/// `success_rate >= 50%`), and every time check says its times are not
/// meaningful instead of praising them.
pub(super) fn dead_target_guard(data: &ScenarioData, checks: &mut Vec<Check>) {
    let Some(reason) = mostly_failed(&data.totals, &data.failures) else {
        return;
    };
    for c in checks.iter_mut().filter(|c| c.endpoint.is_none()) {
        if c.unit == Some(Unit::Ms) {
            c.achievement = Some(format!("not meaningful: {reason}"));
        } else if !c.passed && c.metric.is_rate() {
            // The reason is the news, not how many times the budget it is.
            c.achievement = Some(reason.clone());
        }
    }
    let judged = checks
        .iter()
        .any(|c| c.endpoint.is_none() && !c.passed && c.metric.is_rate());
    if !judged {
        let actual = data.totals.success_rate;
        checks.push(Check {
            kind: CheckKind::Threshold,
            threshold: format!("success_rate >= {MOSTLY_FAILED_BELOW_PCT}%"),
            metric: CheckMetric::Of(Metric::SuccessRate),
            op: Some(Op::Ge),
            target: Some(MOSTLY_FAILED_BELOW_PCT),
            unit: Some(Unit::Percent),
            actual,
            passed: false,
            achievement: Some(reason.clone()),
            achievement_ratio: actual.map(|a| a / MOSTLY_FAILED_BELOW_PCT),
            endpoint: None,
            message: format!(
                "most requests failed ({reason}); a run that mostly failed never passes, whatever its thresholds"
            ),
            config_key: "built-in: a run that mostly failed never passes".into(),
            window: None,
        });
    }
}
