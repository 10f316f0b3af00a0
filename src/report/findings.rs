//! Findings: the sentences a release manager reads first, each from one
//! rule over the summary. The order is the order of the rules: a scenario
//! that mostly failed (whose times mean nothing) first, then the slowest
//! endpoint, the dominant failure, sustained-window violations, the largest
//! regression, and each scenario's headroom, error budget and throughput.

use super::Summary;
use super::summary::ScenarioSummary;
use super::view::check_values;
use crate::config::{Metric, Op};
use crate::evaluate::compare::Verdict;
use crate::evaluate::{Check, CheckKind};
use crate::format;
use crate::model::Unit;

/// Every finding, in order.
pub fn findings(summary: &Summary<'_>) -> Vec<String> {
    let mut out = dead_targets(summary);
    // A scenario whose requests mostly failed is neither praised nor ranked.
    let alive: Vec<&ScenarioSummary<'_>> = summary
        .scenarios
        .iter()
        .filter(|s| dead(s).is_none())
        .collect();
    out.extend(slowest_endpoint(&alive));
    out.extend(dominant_failure(summary));
    out.extend(window_violations(summary));
    out.extend(largest_regression(summary));
    out.extend(headroom(&alive));
    out
}

/// Why a scenario's times mean nothing, if most of its requests failed.
fn dead(s: &ScenarioSummary<'_>) -> Option<String> {
    s.totals
        .and_then(|t| crate::evaluate::mostly_failed(t, s.failures))
}

fn dead_targets(summary: &Summary<'_>) -> Vec<String> {
    summary
        .scenarios
        .iter()
        .filter_map(|s| {
            Some(format!(
                "{}: {}. Its response times are those of failed requests and say nothing about the service.",
                s.name,
                dead(s)?
            ))
        })
        .collect()
}

/// The slowest endpoint by p99.
fn slowest_endpoint(alive: &[&ScenarioSummary<'_>]) -> Option<String> {
    let (scenario, e, p99) = alive
        .iter()
        .flat_map(|s| s.endpoints.iter().map(move |e| (s.name, e)))
        .filter_map(|(name, e)| Some((name, e, e.stats.percentiles_ms.get(99.0).flatten()?)))
        .max_by(|a, b| a.2.total_cmp(&b.2))?;
    Some(format!(
        "The slowest endpoint is {} in {scenario}: p99 {} (median {}) over {} requests.",
        e.label(),
        format::ms(p99),
        format::opt_ms(e.stats.median_ms),
        format::count(e.stats.requests)
    ))
}

/// The most frequent failure across all scenarios, or that none failed.
fn dominant_failure(summary: &Summary<'_>) -> Option<String> {
    let total_failures: u64 = summary
        .scenarios
        .iter()
        .filter_map(|s| s.totals.map(|t| t.failures))
        .fold(0, u64::saturating_add);
    let dominant = summary
        .scenarios
        .iter()
        .flat_map(|s| s.failures.iter().map(move |f| (s.name, f)))
        .max_by_key(|(_, f)| f.occurrences);
    match dominant {
        Some((scenario, f)) if total_failures > 0 => Some(format!(
            "The most frequent failure is {} on {} in {scenario}: {} times, {} of all {} failed requests.",
            f.error,
            crate::model::endpoint_label(&f.method, &f.name),
            format::count(f.occurrences),
            format::percent(f.occurrences as f64 * 100.0 / total_failures as f64),
            format::count(total_failures)
        )),
        _ if total_failures == 0 && summary.scenarios.iter().any(|s| s.totals.is_some()) => {
            Some("No request failed in any scenario.".to_string())
        }
        _ => None,
    }
}

/// Sustained-window violations: what the whole-run numbers hide.
fn window_violations(summary: &Summary<'_>) -> Vec<String> {
    let mut out = Vec::new();
    for s in &summary.scenarios {
        for c in s
            .checks
            .iter()
            .filter(|c| c.kind == CheckKind::Window && !c.passed)
        {
            if let Some(st) = c.window.as_ref().and_then(|w| w.stretch.as_ref()) {
                out.push(format!(
                    "{}{}: \"{}\" was broken for {}, from {} to {} into the run (worst {}).",
                    s.name,
                    c.endpoint
                        .as_deref()
                        .map(|e| format!(" {e}"))
                        .unwrap_or_default(),
                    c.threshold,
                    format::duration(st.duration_s as f64),
                    format::duration(st.start_offset_s as f64),
                    format::duration(st.end_offset_s as f64),
                    format::in_unit(c.unit.unwrap_or(Unit::Count), st.worst)
                ));
            }
        }
    }
    out
}

/// The largest regression against the baseline.
fn largest_regression(summary: &Summary<'_>) -> Option<String> {
    let (scenario, c) = summary
        .scenarios
        .iter()
        .flat_map(|s| {
            s.comparisons
                .unwrap_or_default()
                .iter()
                .filter(|c| c.verdict == Verdict::Regressed)
                .map(move |c| (s.name, c))
        })
        .max_by(|a, b| {
            a.1.change_pct
                .unwrap_or(f64::INFINITY)
                .total_cmp(&b.1.change_pct.unwrap_or(f64::INFINITY))
        })?;
    Some(format!(
        "The largest regression against the baseline is {} in {scenario}: {}{}.",
        c.endpoint.as_deref().unwrap_or("the scenario total"),
        c.message,
        c.significance
            .as_ref()
            .map(|t| format!(" ({})", format::significance(t)))
            .unwrap_or_default()
    ))
}

/// A passed check on the scenario total of `metric`, by kind and direction.
fn total_checks<'c>(
    s: &'c ScenarioSummary<'_>,
    keep: impl Fn(&Check) -> bool + 'c,
) -> impl Iterator<Item = &'c Check> + 'c {
    s.checks.iter().filter(move |c| {
        c.kind == CheckKind::Threshold && c.endpoint.is_none() && c.passed && keep(c)
    })
}

/// Headroom, per scenario: one sentence for the scenarios far inside their
/// time targets, one per scenario close to a time or throughput target,
/// and the error budget used.
fn headroom(alive: &[&ScenarioSummary<'_>]) -> Vec<String> {
    let mut out = Vec::new();
    let mut far = Vec::new();
    for s in alive {
        let tightest = total_checks(s, |c| {
            c.unit == Some(Unit::Ms) && matches!(c.op, Some(Op::Lt | Op::Le))
        })
        .filter_map(|c| Some((c, c.achievement_ratio?)))
        .min_by(|a, b| a.1.total_cmp(&b.1));
        match tightest {
            Some((c, ratio)) if ratio >= 5.0 => far.push(format!(
                "{} ({}: {}, {})",
                s.name,
                c.metric,
                check_values(c).1,
                c.achievement.as_deref().unwrap_or("")
            )),
            Some((c, ratio)) if ratio < 1.25 => out.push(format!(
                "{} is close to its response-time target {}: actual {} ({}).",
                s.name,
                c.threshold,
                check_values(c).1,
                c.achievement.as_deref().unwrap_or("")
            )),
            _ => {}
        }
        out.extend(error_budget(s));
        for c in total_checks(s, |c| {
            c.metric.is(&Metric::Rps)
                && matches!(c.op, Some(Op::Gt | Op::Ge))
                && c.achievement_ratio.is_some_and(|r| r < 1.1)
        }) {
            out.push(format!(
                "{} is close to its throughput target {}: actual {} ({}).",
                s.name,
                c.threshold,
                check_values(c).1,
                c.achievement.as_deref().unwrap_or("")
            ));
        }
    }
    if !far.is_empty() {
        out.push(format!(
            "Response times are far inside their targets (at least 5x on every time check) in {}.",
            far.join("; ")
        ));
    }
    out
}

/// How much of the allowed failure rate a scenario used, from half on.
fn error_budget(s: &ScenarioSummary<'_>) -> Vec<String> {
    total_checks(s, |c| c.metric.is(&Metric::SuccessRate))
        .filter_map(|c| {
            let (actual, target) = (c.actual?, c.target?);
            let used = (100.0 - actual) / (100.0 - target);
            (target < 100.0 && used >= 0.5).then(|| {
                format!(
                    "{} used {} of its error budget: success rate {} against a target of {} {}.",
                    s.name,
                    format::percent_of(used),
                    format::percent(actual),
                    c.op.map_or("", Op::symbol),
                    format::percent(target)
                )
            })
        })
        .collect()
}
