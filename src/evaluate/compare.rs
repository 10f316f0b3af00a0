//! Baseline comparison: each tolerance of `[regression]` applied to a
//! scenario's totals and to every endpoint present in both runs.
//!
//! A change counts when it goes the bad way by more than the tolerance:
//! `+10%` allows a rise of 10% of the baseline value, `-0.5` a fall of half a
//! unit (percentage points for rates). The same margin the good way is an
//! improvement; anything within it is unchanged. For time metrics a change
//! smaller than the noise floor is always unchanged, whatever its percentage.
//! A relative tolerance on a baseline of 0 allows no change at all.
//!
//! Against a run history (the median of its last runs, see `trend`), a
//! change no larger than the metric's run-to-run noise in those runs (their
//! median absolute deviation) is not significant either way: such a
//! regression or improvement is `unchanged`, and its message says so.

use serde::Serialize;

use super::stats::{ProportionTest, RankTest, failure_rise, mann_whitney};
use crate::config::{MetricKind, Regression, ToleranceRule, Worse};
use crate::format;
use crate::model::{
    Endpoint, Histogram, Histograms, Noise, SnapshotScenario, Stats, Unit, ser_num, ser_opt_num,
};

/// The verdict of one compared metric.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Regressed,
    Improved,
    Unchanged,
}

/// One metric compared with the baseline.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    #[serde(serialize_with = "super::ser_display")]
    pub metric: crate::config::Metric,
    /// `METHOD NAME`, or `null` for the scenario total.
    pub endpoint: Option<String>,
    #[serde(serialize_with = "ser_num")]
    pub baseline: f64,
    #[serde(serialize_with = "ser_num")]
    pub current: f64,
    /// current − baseline, in `unit`.
    #[serde(serialize_with = "ser_num")]
    pub change: f64,
    /// The change in percent of the baseline; `null` for a baseline of 0.
    #[serde(serialize_with = "ser_opt_num")]
    pub change_pct: Option<f64>,
    /// As written, e.g. `+15%`.
    pub tolerance: String,
    /// `ms`, `%`, `/s` or empty for counts.
    pub unit: Unit,
    pub verdict: Verdict,
    /// The rank test on the response-time histograms, for time metrics when
    /// both runs have Locust's `--json-file` output.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub significance: Option<RankTest>,
    /// For success and error rates: whether the failures rose beyond chance.
    /// A rate that moved past its tolerance on too few requests for the
    /// rise to be significant is `unchanged`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub proportion_test: Option<ProportionTest>,
    /// Against a run history: the metric's run-to-run noise in the runs the
    /// baseline is the median of. A change no larger is `unchanged`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub noise: Option<MetricNoise>,
    /// One line for people, e.g. `p99 15 ms → 58 ms (+287%), tolerance +15%`.
    pub message: String,
    pub config_key: String,
    /// The change as the message shows it, in the tolerance's own unit
    /// (`+287.0%`, `-5 pp`, `+40 ms`); `None` for a relative tolerance on a
    /// baseline of 0. Not in summary.json (`change` and `change_pct` are).
    #[serde(skip)]
    pub change_shown: Option<String>,
}

/// A metric's noise in a history baseline (`noise` in summary.json).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct MetricNoise {
    /// The median absolute deviation of the metric over the runs, in `unit`.
    #[serde(serialize_with = "ser_num")]
    pub mad: f64,
    /// How many runs the baseline is the median of.
    pub runs: usize,
}

/// A scenario compared with its baseline.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ScenarioComparison {
    pub comparisons: Vec<Comparison>,
    /// Endpoints only in the current run.
    pub new_endpoints: Vec<String>,
    /// Endpoints only in the baseline.
    pub vanished_endpoints: Vec<String>,
    /// Why there is no rank test on the scenario total, when there is none.
    pub no_rank_test: Option<String>,
}

/// The current side of a comparison.
pub struct Current<'a> {
    pub totals: &'a Stats,
    pub endpoints: &'a [Endpoint],
    pub histograms: Option<&'a Histograms>,
    /// Why there are none, when there are none.
    pub no_histograms: Option<&'a str>,
}

/// Judge a single value pair against one tolerance.
pub fn verdict(rule: &ToleranceRule, noise_floor_ms: f64, baseline: f64, current: f64) -> Verdict {
    let change = current - baseline;
    if rule.metric.kind() == MetricKind::Time && change.abs() < noise_floor_ms {
        return Verdict::Unchanged;
    }
    let allowed = if rule.tolerance.relative {
        baseline.abs() * rule.tolerance.amount / 100.0
    } else {
        rule.tolerance.amount
    };
    let bad = match rule.tolerance.worse {
        Worse::Higher => change,
        Worse::Lower => -change,
    };
    if bad > allowed {
        Verdict::Regressed
    } else if -bad > allowed {
        Verdict::Improved
    } else {
        Verdict::Unchanged
    }
}

fn compare_stats(
    regression: &Regression,
    base: &Stats,
    current: &Stats,
    endpoint: Option<String>,
    test: Option<RankTest>,
    noise: Option<&Noise>,
    out: &mut Vec<Comparison>,
) {
    for rule in &regression.rules {
        // A metric without a value on either side (N/A, no requests, no such
        // percentile column) cannot be compared; it is left out.
        let (Ok(Some(b)), Ok(Some(c))) = (rule.metric.value(base), rule.metric.value(current))
        else {
            continue;
        };
        let kind = rule.metric.kind();
        let change = c - b;
        let change_pct = (b != 0.0).then(|| change * 100.0 / b);
        let mut verdict = verdict(rule, regression.noise_floor_ms, b, c);
        // Rates: a rise in failures must also be more than chance, as the
        // rank test asks of times (3 failures of 40 against 1 of 40 is not).
        let proportion_test = (kind == MetricKind::Rate)
            .then(|| {
                failure_rise(
                    (base.failures, base.requests),
                    (current.failures, current.requests),
                )
            })
            .flatten();
        let mut note = String::new();
        let noise = noise.map(|n| MetricNoise {
            mad: n
                .mad
                .get(&(
                    endpoint.clone().unwrap_or_default(),
                    rule.metric.to_string(),
                ))
                .copied()
                .unwrap_or(0.0),
            runs: n.runs,
        });
        if let Some(n) = noise {
            let runs = match n.runs {
                1 => "the last run".to_string(),
                r => format!("median of the last {r} runs"),
            };
            note = format!(
                "; baseline: {runs}, noise ±{} (MAD)",
                format::value(kind, n.mad)
            );
            if verdict != Verdict::Unchanged && change.abs() <= n.mad {
                verdict = Verdict::Unchanged;
                note.push_str("; within the noise: not significant");
            }
        }
        if verdict == Verdict::Regressed
            && let Some(t) = proportion_test.filter(|t| !t.significant())
        {
            verdict = Verdict::Unchanged;
            note += &format!(
                "; not significant: {} of {} failed against {} of {}, p = {}",
                format::count(t.current_failures),
                format::count(t.current_requests),
                format::count(t.baseline_failures),
                format::count(t.baseline_requests),
                format::p_value(t.p_value)
            );
        }
        // The change in the tolerance's own unit: percent of the baseline for
        // `+10%`, percentage points (rates), ms or /s for an absolute one.
        let change_shown = match (rule.tolerance.relative, change_pct) {
            (true, Some(p)) => Some(format!("{p:+.1}%")),
            (true, None) => None,
            (false, _) => Some(format::signed_in_unit(kind.unit(), change)),
        };
        let shown_change = change_shown
            .as_deref()
            .map_or_else(String::new, |c| format!(" ({c})"));
        out.push(Comparison {
            metric: rule.metric.clone(),
            endpoint: endpoint.clone(),
            baseline: b,
            current: c,
            change,
            change_pct,
            tolerance: rule.text.clone(),
            unit: kind.unit(),
            verdict,
            significance: test.filter(|_| kind == MetricKind::Time),
            proportion_test,
            noise,
            message: format!(
                "{} {} → {}{shown_change}, tolerance {}{note}",
                rule.metric,
                format::value(kind, b),
                format::value(kind, c),
                tolerance_text(rule, kind)
            ),
            config_key: rule.key.clone(),
            change_shown,
        });
    }
}

/// A tolerance as written, with its unit where it has none: `-0.5` on a
/// rate is `-0.5 pp` (percentage points), `+5` on a time `+5 ms`.
fn tolerance_text(rule: &ToleranceRule, kind: MetricKind) -> String {
    let text = rule.text.trim();
    if rule.tolerance.relative || text.ends_with(|c: char| c.is_ascii_alphabetic() || c == '%') {
        return text.to_string();
    }
    match kind {
        MetricKind::Rate => format!("{text} pp"),
        MetricKind::Time => format!("{text} ms"),
        MetricKind::PerSecond => format!("{text}/s"),
        MetricKind::Count => text.to_string(),
    }
}

fn rank_test(base: Option<&Histogram>, current: Option<&Histogram>) -> Option<RankTest> {
    mann_whitney(base?, current?)
}

/// Compare a scenario with its baseline: totals, then each endpoint in both.
pub fn compare(
    regression: &Regression,
    base: &SnapshotScenario,
    current: Current<'_>,
) -> ScenarioComparison {
    let mut out = ScenarioComparison::default();
    let test = rank_test(
        base.histograms.as_ref().map(|h| &h.total),
        current.histograms.map(|h| &h.total),
    );
    let base_why = base.no_histograms.as_deref().unwrap_or("not read");
    let current_why = current.no_histograms.unwrap_or("not read");
    out.no_rank_test = match (base.histograms.is_some(), current.histograms.is_some()) {
        _ if test.is_some() => None,
        (true, true) => Some(
            "the histograms cannot be ranked (no requests, or every request in one bucket)".into(),
        ),
        (false, true) => Some(format!(
            "the baseline has no response-time histograms: {base_why}"
        )),
        (true, false) => Some(format!(
            "this run has no response-time histograms: {current_why}"
        )),
        (false, false) if base_why == current_why => Some(format!(
            "neither run has response-time histograms: {current_why}"
        )),
        (false, false) => Some(format!(
            "neither run has response-time histograms: {current_why}; the baseline: {base_why}"
        )),
    };
    compare_stats(
        regression,
        &base.totals,
        current.totals,
        None,
        test,
        base.noise.as_ref(),
        &mut out.comparisons,
    );
    // By (method, name): either run may have a million endpoints.
    let base_index: std::collections::HashMap<(&str, &str), &Endpoint> = base
        .endpoints
        .iter()
        .map(|b| ((b.method.as_str(), b.name.as_str()), b))
        .collect();
    for e in current.endpoints {
        let Some(b) = base_index.get(&(e.method.as_str(), e.name.as_str())) else {
            out.new_endpoints.push(e.label());
            continue;
        };
        let key = (e.method.clone(), e.name.clone());
        let test = rank_test(
            base.histograms.as_ref().and_then(|h| h.endpoints.get(&key)),
            current.histograms.and_then(|h| h.endpoints.get(&key)),
        );
        compare_stats(
            regression,
            &b.stats,
            &e.stats,
            Some(e.label()),
            test,
            base.noise.as_ref(),
            &mut out.comparisons,
        );
    }
    let current_index: std::collections::HashSet<(&str, &str)> = current
        .endpoints
        .iter()
        .map(|e| (e.method.as_str(), e.name.as_str()))
        .collect();
    out.vanished_endpoints = base
        .endpoints
        .iter()
        .filter(|b| !current_index.contains(&(b.method.as_str(), b.name.as_str())))
        .map(Endpoint::label)
        .collect();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Metric, Tolerance};

    fn rule(metric: &str, text: &str) -> ToleranceRule {
        let metric = Metric::parse(metric).unwrap();
        ToleranceRule {
            tolerance: Tolerance::parse(&metric, text).unwrap(),
            metric,
            text: text.into(),
            key: "regression.x".into(),
        }
    }

    #[test]
    fn the_sign_says_which_way_is_worse() {
        let p99 = rule("p99", "+15%");
        assert_eq!(verdict(&p99, 2.0, 100.0, 116.0), Verdict::Regressed);
        assert_eq!(verdict(&p99, 2.0, 100.0, 115.0), Verdict::Unchanged);
        assert_eq!(verdict(&p99, 2.0, 100.0, 80.0), Verdict::Improved);
        let rps = rule("rps", "-10%");
        assert_eq!(verdict(&rps, 2.0, 100.0, 89.0), Verdict::Regressed);
        assert_eq!(verdict(&rps, 2.0, 100.0, 120.0), Verdict::Improved);
        assert_eq!(verdict(&rps, 2.0, 100.0, 95.0), Verdict::Unchanged);
    }

    #[test]
    fn the_noise_floor_hides_small_time_changes_only() {
        let median = rule("median", "+10%");
        // 5 ms → 6.9 ms is +38%, but under the 2 ms floor.
        assert_eq!(verdict(&median, 2.0, 5.0, 6.9), Verdict::Unchanged);
        assert_eq!(verdict(&median, 2.0, 5.0, 7.5), Verdict::Regressed);
        // The floor is in ms and does not apply to rates or counts.
        let failures = rule("failures", "+10%");
        assert_eq!(verdict(&failures, 2.0, 10.0, 11.5), Verdict::Regressed);
    }

    #[test]
    fn rate_tolerances_are_percentage_points() {
        let sr = rule("success_rate", "-0.5");
        assert_eq!(verdict(&sr, 2.0, 99.9, 99.5), Verdict::Unchanged);
        assert_eq!(verdict(&sr, 2.0, 99.9, 99.3), Verdict::Regressed);
        let relative = rule("success_rate", "-1%");
        assert_eq!(verdict(&relative, 2.0, 100.0, 98.9), Verdict::Regressed);
    }

    fn rates(requests: u64, failures: u64) -> Stats {
        Stats {
            requests,
            failures,
            success_rate: crate::model::success_rate(requests, failures),
            rps: 1.0,
            failures_per_s: 0.0,
            median_ms: Some(5.0),
            avg_ms: Some(5.0),
            min_ms: Some(1.0),
            max_ms: Some(9.0),
            percentiles_ms: crate::model::Percentiles::default(),
        }
    }

    #[test]
    fn a_rate_moved_past_its_tolerance_by_chance_is_unchanged_and_says_so() {
        let regression = Regression {
            rules: vec![rule("success_rate", "-0.5")],
            noise_floor_ms: 2.0,
        };
        let mut out = Vec::new();
        // 97.5% → 92.5% on 40 requests: 3 failures against 1.
        compare_stats(
            &regression,
            &rates(40, 1),
            &rates(40, 3),
            None,
            None,
            None,
            &mut out,
        );
        assert_eq!(out[0].verdict, Verdict::Unchanged, "{}", out[0].message);
        assert_eq!(
            out[0].message,
            "success_rate 97.5% → 92.5% (-5 pp), tolerance -0.5 pp; not significant: 3 of 40 failed against 1 of 40, p = 0.304"
        );
        // The same rates on 4,000 requests are a regression.
        out.clear();
        compare_stats(
            &regression,
            &rates(4000, 100),
            &rates(4000, 300),
            None,
            None,
            None,
            &mut out,
        );
        assert_eq!(out[0].verdict, Verdict::Regressed, "{}", out[0].message);
        assert_eq!(
            out[0].message,
            "success_rate 97.5% → 92.5% (-5 pp), tolerance -0.5 pp"
        );
        assert!(out[0].proportion_test.unwrap().significant());
    }

    #[test]
    fn a_change_within_the_history_noise_is_unchanged_and_says_so() {
        let regression = Regression {
            rules: vec![rule("median", "+5%")],
            noise_floor_ms: 2.0,
        };
        let mut base = rates(100, 0);
        base.median_ms = Some(100.0);
        let noise = |mad: f64| Noise {
            runs: 5,
            mad: [(("".to_string(), "median".to_string()), mad)].into(),
        };
        let mut out = Vec::new();
        for (current, mad, expected) in [
            // +8 ms is over the 5 ms tolerance; a spread of 10 ms hides it.
            (108.0, 10.0, Verdict::Unchanged),
            (108.0, 3.0, Verdict::Regressed),
            (90.0, 12.0, Verdict::Unchanged),
            (90.0, 1.0, Verdict::Improved),
        ] {
            out.clear();
            let mut cur = base.clone();
            cur.median_ms = Some(current);
            compare_stats(
                &regression,
                &base,
                &cur,
                None,
                None,
                Some(&noise(mad)),
                &mut out,
            );
            assert_eq!(out[0].verdict, expected, "{}", out[0].message);
            assert_eq!(out[0].noise, Some(MetricNoise { mad, runs: 5 }));
        }
        out.clear();
        let mut cur = base.clone();
        cur.median_ms = Some(108.0);
        compare_stats(
            &regression,
            &base,
            &cur,
            None,
            None,
            Some(&noise(10.0)),
            &mut out,
        );
        assert_eq!(
            out[0].message,
            "median 100 ms → 108 ms (+8.0%), tolerance +5%; baseline: median of the last 5 runs, noise ±10 ms (MAD); within the noise: not significant"
        );
    }

    #[test]
    fn a_zero_baseline_allows_no_relative_change() {
        let failures = rule("failures", "+10%");
        assert_eq!(verdict(&failures, 2.0, 0.0, 1.0), Verdict::Regressed);
        assert_eq!(verdict(&failures, 2.0, 0.0, 0.0), Verdict::Unchanged);
        let absolute = rule("failures", "+5");
        assert_eq!(verdict(&absolute, 2.0, 0.0, 5.0), Verdict::Unchanged);
        assert_eq!(verdict(&absolute, 2.0, 0.0, 6.0), Verdict::Regressed);
    }
}
