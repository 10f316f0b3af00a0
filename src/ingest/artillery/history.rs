//! The history of an Artillery report: one point per `intermediate[]`
//! period, fed to the [`HistoryObserver`] (the total, and every endpoint
//! when it wants endpoints) and kept through [`PointsBuilder`].

use std::path::Path;

use super::report::{Report, Summary};
use super::{Counts, endpoint_counts, endpoint_summary, total_counts};
use crate::format::ShowPath;
use crate::ingest::{HistoryObserver, HistoryRow, InputError};
use crate::model::{History, HistoryPercentiles, HistoryPoint, PointsBuilder};

/// The percentile labels of every point.
const LABELS: [&str; 6] = ["50", "75", "90", "95", "99", "99.9"];

/// (level, value) per label from a summary (all `None` without one).
fn levels(summary: Option<&Summary>) -> Vec<(f64, Option<f64>)> {
    match summary {
        Some(s) => s
            .levels()
            .iter()
            .map(|(l, v)| (l.parse().unwrap_or(0.0), *v))
            .collect(),
        None => LABELS
            .iter()
            .map(|l| (l.parse().unwrap_or(0.0), None))
            .collect(),
    }
}

/// The history: periods in time order; a period going backwards is skipped
/// and a missing one reported, both as findings.
pub(super) fn build(
    path: &Path,
    report: &Report,
    period_ms: u64,
    span: Option<(u64, u64)>,
    endpoints: &[(String, String)],
    mut observer: Option<&mut (dyn HistoryObserver + '_)>,
) -> Result<Option<History>, InputError> {
    let wants_endpoints = observer.as_deref().is_some_and(|o| o.wants_endpoints());
    let mut points = PointsBuilder::default();
    let mut anomalies = Vec::new();
    let mut last: Option<u64> = None;
    let (mut total_requests, mut total_failures) = (0u64, 0u64);
    for (i, period) in report.intermediate.iter().enumerate() {
        let Some(start) = period.period.as_ref().and_then(|p| p.ms()) else {
            anomalies.push(format!(
                "{}: intermediate[{i}] has no period and is left out of the history",
                path.show()
            ));
            continue;
        };
        if let Some(prev) = last {
            if start <= prev {
                anomalies.push(format!(
                    "{}: intermediate[{i}].period goes back in time ({} after {}); left out of the history",
                    path.show(),
                    start,
                    prev
                ));
                continue;
            }
            if start - prev > period_ms {
                anomalies.push(format!(
                    "{}: no metric for {} s, from {} to {} (a stalled test)",
                    path.show(),
                    (start - prev - period_ms) / 1000,
                    crate::format::rfc3339(((prev + period_ms) / 1000) as i64).unwrap_or_default(),
                    crate::format::rfc3339((start / 1000) as i64).unwrap_or_default(),
                ));
            }
        }
        last = Some(start);
        // The part of the period the run covered: the first and last are partial.
        let (from, to) = span.map_or((start, start + period_ms), |(a, b)| {
            (start.max(a), (start + period_ms).min(b))
        });
        let seconds = if to > from {
            (to - from) as f64 / 1000.0
        } else {
            period_ms as f64 / 1000.0
        };
        let c = total_counts(path, period)?;
        total_requests = total_requests.saturating_add(c.requests);
        total_failures = total_failures.saturating_add(c.failures);
        let timestamp = (start / 1000) as i64;
        let row = levels(period.summaries.get("http.response_time"));
        let rate = |n: u64| n as f64 / seconds;
        if let Some(o) = observer.as_deref_mut() {
            o.observe(&HistoryRow {
                timestamp,
                users: 0,
                endpoint: None,
                rps: rate(c.requests),
                failures_per_s: rate(c.failures),
                percentiles: &row,
            });
            if wants_endpoints {
                let by_url = endpoint_counts(path, period)?;
                let empty = Counts::default();
                for (key, name) in endpoints {
                    let e = by_url.get(key).unwrap_or(&empty);
                    let row = levels(endpoint_summary(period, key));
                    o.observe(&HistoryRow {
                        timestamp,
                        users: 0,
                        endpoint: Some(("", name)),
                        rps: rate(e.requests),
                        failures_per_s: rate(e.failures),
                        percentiles: &row,
                    });
                }
            }
        }
        points.push(HistoryPoint {
            timestamp,
            users: 0,
            rps: rate(c.requests),
            failures_per_s: rate(c.failures),
            percentiles_ms: row.iter().map(|(_, v)| *v).collect(),
            total_requests,
            total_failures,
        });
    }
    let points = points.finish();
    Ok((!points.is_empty()).then(|| History {
        percentile_labels: LABELS.iter().map(|l| l.to_string()).collect(),
        percentiles: HistoryPercentiles::Windowed,
        points,
        tick_s: (period_ms / 1000).max(1) as i64,
        users_known: false,
        anomalies,
        wall_clock: true,
    }))
}
