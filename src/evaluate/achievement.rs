//! How far a value is from its target, the way hand-written summaries put
//! it, in each metric's own terms.

use crate::config::{Metric, Op};
use crate::format;

/// A success or error rate's achievement in its own terms, the failures
/// against the failures allowed: `success_rate 95.22%, target ≥ 99%` is
/// `4.8x the allowed failures`, not "96% of target"; a pass reads
/// `no failures` or `22% of the allowed failures`. `None` for other metrics
/// or a threshold that points the other way.
fn rate_achievement(metric: &Metric, op: Op, actual: f64, target: f64) -> Option<String> {
    let (failed, allowed) = match (metric, op) {
        (Metric::SuccessRate, Op::Ge | Op::Gt) => (100.0 - actual, 100.0 - target),
        (Metric::ErrorRate, Op::Le | Op::Lt) => (actual, target),
        _ => return None,
    };
    let failed = failed.max(0.0);
    Some(if failed == 0.0 {
        "no failures".to_string()
    } else if allowed <= 0.0 {
        format!("{} failed, none allowed", format::percent(failed))
    } else if failed <= allowed {
        format!(
            "{} of the allowed failures",
            format::percent_of(failed / allowed)
        )
    } else {
        format!("{} the allowed failures", format::times(failed / allowed))
    })
}

/// The achievement text and ratio, the way hand-written summaries put it:
/// `40x better` / `12% under target` / `2.1x over target` where lower is
/// better, `115% of target` where higher is better. Percentages are floored,
/// so a miss never reads as `100% of target`.
pub(super) fn achievement(
    metric: &Metric,
    op: Op,
    actual: f64,
    target: f64,
    passed: bool,
) -> (Option<String>, Option<f64>) {
    if let Some(text) = rate_achievement(metric, op, actual, target) {
        let ratio = match op {
            Op::Lt | Op::Le => (actual > 0.0).then(|| target / actual),
            _ => (target > 0.0).then(|| actual / target),
        };
        return (Some(text), ratio);
    }
    match op {
        Op::Lt | Op::Le if actual > 0.0 && target > 0.0 => {
            let ratio = target / actual;
            let over = actual / target;
            let text = if ratio >= 2.0 {
                format!("{} better", format::times(ratio))
            } else if over >= 2.0 {
                format!("{} over target", format::times(over))
            } else if over < 1.0 {
                match ((1.0 - over) * 100.0).floor() {
                    0.0 => "at target".to_string(),
                    pct => format!("{pct:.0}% under target"),
                }
            } else {
                match ((over - 1.0) * 100.0).ceil() {
                    0.0 => "at target".to_string(),
                    pct => format!("{pct:.0}% over target"),
                }
            };
            (Some(text), Some(ratio))
        }
        Op::Lt | Op::Le => (
            Some(
                if passed {
                    "within target"
                } else {
                    "over target"
                }
                .into(),
            ),
            None,
        ),
        Op::Gt | Op::Ge if target > 0.0 => {
            let ratio = actual / target;
            (
                Some(format!("{} of target", format::percent_of(ratio))),
                Some(ratio),
            )
        }
        Op::Gt | Op::Ge => (None, None),
        Op::Eq => (
            Some(if passed { "on target" } else { "off target" }.into()),
            None,
        ),
    }
}
