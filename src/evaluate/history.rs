//! What the history adds to the verdict: the steady part of the run and its
//! throughput (`rps.steady`), the sustained-window checks fed while the
//! history was read, and the data-sanity findings.

use serde::Serialize;

use super::window::{self, Probes, Series};
use super::{Check, CheckKind, CheckMetric};
use crate::config::{Config, SteadyState};
use crate::format;
use crate::format::rfc3339;
use crate::model::{History, HistoryPercentiles, ScenarioData, ser_num, ser_opt_num};

/// The steady part of a run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Steady {
    /// The rule, e.g. `auto: from when the user count first reached its peak`.
    pub rule: String,
    /// RFC 3339 of the first steady tick.
    pub start: String,
    /// Seconds from the first history tick (the excluded ramp-up).
    pub start_offset_s: i64,
    /// Unix time of the first steady tick.
    #[serde(skip)]
    pub start_ts: i64,
    /// Mean requests/s over the steady part: the growth of `Total Request
    /// Count` divided by the time it took. `null` when the steady part is a
    /// single tick.
    #[serde(serialize_with = "ser_opt_num")]
    pub rps: Option<f64>,
}

/// The history's tick in seconds (1 for Locust), as read.
pub fn interval_s(history: &History) -> i64 {
    history.tick_s.max(1)
}

/// Where the steady part starts under `rule`; `None` when the history is
/// empty or the rule is never met (e.g. `users >= 100` in a run that peaked at 80).
pub fn steady(history: &History, rule: SteadyState) -> Option<Steady> {
    let first = history.points.first()?;
    let last = history.points.last()?;
    let start = match rule {
        SteadyState::All => Some(first),
        // Without a user count (Locust 0.x) there is no ramp-up to leave out.
        SteadyState::Auto if !history.users_known => Some(first),
        SteadyState::Auto => {
            let peak = history.peak_users()?;
            history.points.iter().find(|p| p.users == peak)
        }
        SteadyState::After(s) => history
            .points
            .iter()
            .find(|p| (p.timestamp - first.timestamp) as f64 >= s),
        SteadyState::Users(n) => history.points.iter().find(|p| p.users >= n),
    }?;
    let span = last.timestamp - start.timestamp;
    let rps = (span > 0)
        .then(|| last.total_requests.saturating_sub(start.total_requests) as f64 / span as f64);
    Some(Steady {
        rule: rule.describe(),
        start: rfc3339(start.timestamp).unwrap_or_default(),
        start_offset_s: start.timestamp - first.timestamp,
        start_ts: start.timestamp,
        rps,
    })
}

/// Where and how long a windowed threshold was violated.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WindowResult {
    /// The `for` duration, in seconds.
    #[serde(serialize_with = "ser_num")]
    pub window_s: f64,
    /// The longest violation in the steady part, if any.
    pub stretch: Option<StretchView>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StretchView {
    pub start: String,
    pub end: String,
    /// Seconds from the first history tick.
    pub start_offset_s: i64,
    pub end_offset_s: i64,
    pub duration_s: i64,
    #[serde(serialize_with = "ser_num")]
    pub worst: f64,
}

/// Turn the probes fed during reading into checks. Errors (a percentile
/// window on cumulative data, a column the history lacks) come back as messages.
/// `tool` names the tool whose data has no history, for the message.
pub fn window_checks(
    config: &Config,
    probes: Probes,
    history: Option<&History>,
    steady: Option<&Steady>,
    tool: &str,
) -> (Vec<Check>, Vec<String>) {
    let mut checks = Vec::new();
    let mut errors = Vec::new();
    let Some(history) = history else {
        for p in probes.probes {
            let why = crate::ingest::no_history(tool, &p.threshold.threshold.text);
            errors.push(format!("{}: {why}", config.threshold_label(&p.threshold)));
        }
        return (checks, errors);
    };
    let run = RunClock {
        interval: interval_s(history),
        first_ts: history.points.first().map_or(0, |p| p.timestamp),
        steady_start: steady.map_or(i64::MAX, |s| s.start_ts),
    };
    for mut probe in probes.probes {
        let source = config.threshold_label(&probe.threshold);
        if let Some(why) = unusable(history, &probe) {
            errors.push(format!("{source}: {why}"));
            continue;
        }
        if probe.is_untracked() {
            match untracked(history, &probe) {
                Ok(check) => checks.push(check),
                Err(why) => errors.push(format!("{source}: {why}")),
            }
            continue;
        }
        for (label, tracker) in probe.take_trackers() {
            checks.push(window_check(&probe.threshold, label, tracker, &run));
        }
    }
    (checks, errors)
}

/// The history's time base for window checks.
struct RunClock {
    /// The tick, in seconds.
    interval: i64,
    first_ts: i64,
    /// Windows look only at the steady part, from here.
    steady_start: i64,
}

/// Why a percentile window cannot be checked on this history: cumulative
/// percentiles, or no such percentile column.
fn unusable(history: &History, probe: &window::Probe) -> Option<String> {
    let th = &probe.threshold.threshold;
    let Series::Percentile(level) = probe.series else {
        return None;
    };
    if history.percentiles == HistoryPercentiles::Cumulative {
        return Some(format!(
            "`{}` needs windowed percentiles, but this history's are cumulative since the start of the run; re-run Locust with --csv-full-history (Locust 1.2 to 2.2.1 write cumulative percentiles even with it: use 2.2.2 or later)",
            th.text
        ));
    }
    let levels: Vec<f64> = history
        .percentile_labels
        .iter()
        .filter_map(|l| l.parse().ok())
        .collect();
    (!levels.contains(&level)).then(|| {
        format!(
            "the history has no {} column to check `{}` on; percentiles present: {}",
            th.metric,
            th.text,
            history
                .percentile_labels
                .iter()
                .map(|l| format!("p{l}"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    })
}

/// A probe that followed no rows: an endpoint table matching nothing in the
/// history is a failed check, anything else an error.
fn untracked(history: &History, probe: &window::Probe) -> Result<Check, String> {
    let th = &probe.threshold.threshold;
    match &probe.endpoint {
        Some(_) if history.percentiles == HistoryPercentiles::Cumulative => Err(format!(
            "`{}` on an endpoint needs per-endpoint history rows; re-run Locust with --csv-full-history",
            th.text
        )),
        Some((glob, method, key)) => {
            let wanted = method
                .as_ref()
                .map_or_else(|| glob.to_string(), |m| format!("{m} {glob}"));
            Ok(Check::failed_rule(
                CheckKind::EndpointMatch,
                format!("endpoint \"{wanted}\""),
                CheckMetric::Endpoint,
                Some(wanted.clone()),
                format!(
                    "no endpoint in the history matches \"{wanted}\", so `{}` cannot be checked",
                    th.text
                ),
                key.clone(),
            ))
        }
        None => Err(format!("the history has no rows to check `{}` on", th.text)),
    }
}

/// The check of one windowed threshold on one series (`""` the total, else
/// `METHOD NAME`): its longest stretch, and whether it lasted the window.
fn window_check(
    t: &crate::config::ConfiguredThreshold,
    label: String,
    tracker: window::Tracker,
    run: &RunClock,
) -> Check {
    let th = &t.threshold;
    let window_s = th.window_s.unwrap_or(0.0);
    let interval = run.interval;
    let stretches = tracker.finish(run.steady_start, interval);
    let (failed, longest) = window::decisive(&stretches, window_s, interval);
    let kind = th.metric.kind();
    let lasted = |s: &window::Stretch| format::duration(s.duration_s(interval) as f64);
    // The worst value beside its target, never looking equal to it.
    let worst = |s: &window::Stretch| {
        let (worst, target) = format::pair(kind.unit(), s.worst, th.target);
        (worst, format!("{} {target}", th.op.symbol()))
    };
    let message = match longest {
        Some(s) if failed => {
            let (worst, target_text) = worst(&s);
            format!(
                "{} broke {target_text} for {} ({}–{} into the run, worst {worst}); allowed for less than {}",
                th.metric,
                lasted(&s),
                format::duration((s.start - run.first_ts) as f64),
                format::duration((s.end + interval - run.first_ts) as f64),
                format::duration(window_s)
            )
        }
        Some(s) => {
            let (worst, target_text) = worst(&s);
            format!(
                "{} held {target_text} except for at most {} at a time (worst {worst}), under the {} window",
                th.metric,
                lasted(&s),
                format::duration(window_s)
            )
        }
        None => format!(
            "{} held {} {} throughout the steady part",
            th.metric,
            th.op.symbol(),
            format::value(kind, th.target)
        ),
    };
    Check {
        kind: CheckKind::Window,
        threshold: th.text.clone(),
        metric: CheckMetric::Of(th.metric.clone()),
        op: Some(th.op),
        target: Some(th.target),
        unit: Some(kind.unit()),
        actual: longest.map(|s| s.worst),
        passed: !failed,
        achievement: Some(match longest {
            Some(s) if failed => format!("broken for {}", lasted(&s)),
            Some(s) => format!("longest breach {}", lasted(&s)),
            None => "never broken".to_string(),
        }),
        achievement_ratio: None,
        endpoint: (!label.is_empty()).then_some(label),
        message,
        config_key: t.key.clone(),
        window: Some(WindowResult {
            window_s,
            stretch: longest.map(|s| StretchView {
                start: rfc3339(s.start).unwrap_or_default(),
                end: rfc3339(s.end + interval).unwrap_or_default(),
                start_offset_s: s.start - run.first_ts,
                end_offset_s: s.end + interval - run.first_ts,
                duration_s: s.duration_s(interval),
                worst: s.worst,
            }),
        }),
    }
}

/// Numbers that cannot all be true, in plain sentences.
/// Whether the history and the stats file agree on the run.
///
/// The judged run length is the stats file's (`requests ÷ Requests/s`, see
/// [`ScenarioData::run_length`]); the history's span is its cross-check.
/// A history that ends early is what Locust before 2.46.3 always leaves (it
/// does not flush the history at exit) and what a killed run leaves: its
/// last row then counts fewer requests than the stats file, and its span
/// should cover about that share of the run. Whole-second timestamps, the
/// first tick and an uneven ramp-up make the two differ on a healthy run by
/// about 2 s plus a tenth of the run, so that much is not a finding.
fn run_length_findings(data: &ScenarioData, last: &crate::model::HistoryPoint) -> Vec<String> {
    let mut out = Vec::new();
    let totals = &data.totals;
    let totals_text = || {
        format!(
            "the history's last row counts {} requests and {} failures, _stats.csv {} and {}",
            format::count(last.total_requests),
            format::count(last.total_failures),
            format::count(totals.requests),
            format::count(totals.failures)
        )
    };
    if last.total_requests > totals.requests
        || (last.total_requests == totals.requests && last.total_failures != totals.failures)
    {
        out.push(totals_text());
        return out;
    }
    let (Some(span), Some(stats)) = (data.history_span_s(), data.stats_span_s()) else {
        return out;
    };
    let span = span as f64;
    // Two ticks of the history (Locust's are 1 s, Artillery's periods 10 s)
    // plus a tenth of the run.
    let tick = data.history.as_ref().map_or(1, |h| h.tick_s).max(1) as f64;
    let tolerance = 2.0 * tick + 0.1 * stats;
    let share = last.total_requests as f64 / totals.requests as f64;
    if (span - stats * share).abs() <= tolerance {
        return out;
    }
    out.push(if last.total_requests < totals.requests {
        format!(
            "{}, but the history spans {} of the {} the totals give: its rows do not fit its totals",
            totals_text(),
            format::duration(span),
            format::duration(stats)
        )
    } else {
        format!(
            "the history spans {} but the totals give {} ({} requests at {}); loadgate judges {}",
            format::duration(span),
            format::duration(stats),
            format::count(totals.requests),
            format::per_s(totals.rps),
            format::duration(stats)
        )
    });
    out
}

pub fn sanity(data: &ScenarioData, expected_users: Option<u64>) -> Vec<String> {
    let mut out = Vec::new();
    let totals = &data.totals;
    if let Some(history) = &data.history {
        out.extend(history.anomalies.iter().cloned());
        if let Some(last) = history.points.last() {
            out.extend(run_length_findings(data, last));
        }
        if let (Some(want), Some(peak)) = (expected_users, history.peak_users())
            && peak < want
        {
            out.push(format!(
                "the user count peaked at {} but the scenario is configured for users = {}",
                format::count(peak),
                format::count(want)
            ));
        }
    }
    // A label is made only for a finding: a scenario may have a million endpoints.
    let rows =
        std::iter::once((None, totals)).chain(data.endpoints.iter().map(|e| (Some(e), &e.stats)));
    for (endpoint, s) in rows {
        let chain = [
            ("p50", s.percentiles_ms.get(50.0).flatten().or(s.median_ms)),
            ("p95", s.percentiles_ms.get(95.0).flatten()),
            ("p99", s.percentiles_ms.get(99.0).flatten()),
            ("max", s.max_ms),
        ];
        let present: Vec<(&str, f64)> = chain
            .iter()
            .filter_map(|(n, v)| Some((*n, (*v)?)))
            .collect();
        for w in present.windows(2) {
            // Percentiles are Locust's buckets (whole ms below 100 ms, then two
            // significant digits), so a rounded p99 can exceed the exact max
            // by up to one bucket: 6 ms over a max of 5.61 ms is rounding.
            let slack = if w[1].0 == "max" {
                crate::ingest::locust::locust_bucket_ms(w[0].1)
            } else {
                0.0
            };
            if w[0].1 > w[1].1 + slack {
                let label = endpoint.map_or_else(|| "total".to_string(), |e| e.label());
                out.push(format!(
                    "{label}: {} {} is above {} {}: percentiles must rise",
                    w[0].0,
                    format::ms(w[0].1),
                    w[1].0,
                    format::ms(w[1].1)
                ));
            }
        }
    }
    if !data.failures.is_empty() || totals.failures > 0 {
        // The reader checked that this sum fits.
        let listed = data
            .failures
            .iter()
            .fold(0u64, |a, f| a.saturating_add(f.occurrences));
        if data.failures.is_empty() {
            // No _failures.csv rows at all: nothing to add up.
        } else if listed != totals.failures {
            out.push(format!(
                "_failures.csv lists {} failures, _stats.csv counts {}",
                format::count(listed),
                format::count(totals.failures)
            ));
        }
    }
    out
}
