//! The per-second history of a k6 stream: requests bucketed by the second
//! of their time (k6 stamps a request's samples with its end), each second
//! fed to the [`HistoryObserver`] (the total, and every endpoint when it
//! wants endpoints) and kept as a [`HistoryPoint`] through [`PointsBuilder`].
//!
//! k6 writes samples as its outputs flush them (about once a second), so
//! they are nearly but not strictly in time order. A second is held open
//! until the file has reached samples [`LATE_US`] after it; the memory is
//! that window's histograms, not the run's samples. A sample arriving later
//! is counted in the totals but not in its second: the reader says how many.

use std::collections::BTreeMap;
use std::path::Path;

use super::stats::Acc;
use crate::format::ShowPath;
use crate::ingest::{HistoryObserver, HistoryRow};
use crate::model::{History, HistoryPercentiles, HistoryPoint, MAX_GAP_S, PointsBuilder};

/// How long a second stays open for samples stamped in it (µs).
pub(super) const LATE_US: i64 = 30_000_000;

/// The requests stamped in one second.
#[derive(Debug, Default)]
struct Second {
    total: Acc,
    /// The highest `vus` value of the second.
    users: Option<u64>,
    /// Per endpoint index, when the observer wants endpoints.
    endpoints: BTreeMap<usize, Acc>,
}

/// The history being built while the stream is read.
pub(super) struct Timeline<'o, 'b> {
    observer: Option<&'o mut (dyn HistoryObserver + 'b)>,
    wants_endpoints: bool,
    open: BTreeMap<i64, Second>,
    /// The last second emitted.
    emitted: Option<i64>,
    /// The latest sample time seen (µs).
    horizon_us: i64,
    /// Requests that arrived after their second was emitted.
    pub(super) late: u64,
    last_users: u64,
    total_requests: u64,
    total_failures: u64,
    points: PointsBuilder,
    anomalies: Vec<String>,
    /// A history row's percentiles, reused.
    row: Vec<(f64, Option<f64>)>,
}

impl<'o, 'b> Timeline<'o, 'b> {
    pub(super) fn new(observer: Option<&'o mut (dyn HistoryObserver + 'b)>) -> Self {
        Timeline {
            wants_endpoints: observer.as_deref().is_some_and(|o| o.wants_endpoints()),
            observer,
            open: BTreeMap::new(),
            emitted: None,
            horizon_us: i64::MIN,
            late: 0,
            last_users: 0,
            total_requests: 0,
            total_failures: 0,
            points: PointsBuilder::default(),
            anomalies: Vec::new(),
            row: Vec::new(),
        }
    }

    /// The open second of `time_us`, or `None` when it was emitted already.
    fn second(&mut self, time_us: i64) -> Option<&mut Second> {
        let second = time_us.div_euclid(1_000_000);
        if self.emitted.is_some_and(|e| second <= e) {
            return None;
        }
        Some(self.open.entry(second).or_default())
    }

    /// One request of endpoint `endpoint` (an index into `names`).
    pub(super) fn request(
        &mut self,
        time_us: i64,
        duration_ms: f64,
        failed: bool,
        endpoint: usize,
        names: &[(String, String)],
        path: &Path,
    ) {
        let wants_endpoints = self.wants_endpoints;
        match self.second(time_us) {
            None => self.late += 1,
            Some(s) => {
                s.total.add(duration_ms, failed);
                if wants_endpoints {
                    s.endpoints
                        .entry(endpoint)
                        .or_default()
                        .add(duration_ms, failed);
                }
            }
        }
        self.advance(time_us, names, path);
    }

    /// A `vus` value at `time_us`.
    pub(super) fn users(
        &mut self,
        time_us: i64,
        users: u64,
        names: &[(String, String)],
        path: &Path,
    ) {
        if let Some(s) = self.second(time_us) {
            s.users = s.users.max(Some(users));
        }
        self.advance(time_us, names, path);
    }

    /// Emit the seconds that can no longer change.
    fn advance(&mut self, time_us: i64, names: &[(String, String)], path: &Path) {
        self.horizon_us = self.horizon_us.max(time_us);
        while let Some(entry) = self.open.first_entry() {
            if (entry.key() + 1) * 1_000_000 + LATE_US > self.horizon_us {
                break;
            }
            let (s, bucket) = entry.remove_entry();
            self.emit_through(s, bucket, names, path);
        }
    }

    /// Emit second `s`, after the empty seconds before it (0 requests/s).
    fn emit_through(&mut self, s: i64, bucket: Second, names: &[(String, String)], path: &Path) {
        if let Some(prev) = self.emitted {
            let gap = s - prev;
            if gap > MAX_GAP_S {
                self.anomalies.push(format!(
                    "{}: no request for {} s, from {} to {} (a stalled test, or a pause in the script)",
                    path.show(),
                    gap - 1,
                    crate::format::rfc3339(prev + 1).unwrap_or_default(),
                    crate::format::rfc3339(s).unwrap_or_default(),
                ));
            } else {
                for empty in prev + 1..s {
                    self.emit(empty, Second::default(), names);
                }
            }
        }
        self.emit(s, bucket, names);
    }

    /// One second to the observer and the points.
    fn emit(&mut self, timestamp: i64, bucket: Second, names: &[(String, String)]) {
        self.emitted = Some(timestamp);
        let users = bucket.users.unwrap_or(self.last_users);
        self.last_users = users;
        self.total_requests += bucket.total.requests;
        self.total_failures += bucket.total.failures;
        bucket.total.levels(&mut self.row);
        if let Some(observer) = self.observer.as_deref_mut() {
            observer.observe(&HistoryRow {
                timestamp,
                users,
                endpoint: None,
                rps: bucket.total.requests as f64,
                failures_per_s: bucket.total.failures as f64,
                percentiles: &self.row,
            });
        }
        self.points.push(HistoryPoint {
            timestamp,
            users,
            rps: bucket.total.requests as f64,
            failures_per_s: bucket.total.failures as f64,
            percentiles_ms: self.row.iter().map(|(_, v)| *v).collect(),
            total_requests: self.total_requests,
            total_failures: self.total_failures,
        });
        if !self.wants_endpoints {
            return;
        }
        let Some(observer) = self.observer.as_deref_mut() else {
            return;
        };
        // Every endpoint seen so far has a row, 0/s in a second without its requests.
        let empty = Acc::default();
        for (i, (method, name)) in names.iter().enumerate() {
            let acc = bucket.endpoints.get(&i).unwrap_or(&empty);
            acc.levels(&mut self.row);
            observer.observe(&HistoryRow {
                timestamp,
                users,
                endpoint: Some((method, name)),
                rps: acc.requests as f64,
                failures_per_s: acc.failures as f64,
                percentiles: &self.row,
            });
        }
    }

    /// Emit the seconds still open, and the history (none without requests).
    pub(super) fn finish(
        mut self,
        names: &[(String, String)],
        path: &Path,
        users_known: bool,
    ) -> Option<History> {
        while let Some((s, bucket)) = self.open.pop_first() {
            self.emit_through(s, bucket, names, path);
        }
        let points = self.points.finish();
        (self.total_requests > 0).then(|| History {
            percentile_labels: crate::ingest::exact::level_labels(),
            percentiles: HistoryPercentiles::Windowed,
            points,
            tick_s: 1,
            users_known,
            anomalies: self.anomalies,
        })
    }
}
