//! The per-second history of a JTL: samples bucketed by the second their
//! `timeStamp` falls in, each second fed to the [`HistoryObserver`] (the
//! total, and every label when it wants endpoints) and kept as a
//! [`HistoryPoint`] through [`PointsBuilder`].
//!
//! JMeter writes a sample when it ends, so rows are not in `timeStamp`
//! order (a transaction controller's row follows its children, a slow
//! sample the fast ones that started after it). A second is therefore held
//! open until the file has reached samples ending [`LATE_MS`] after it, and
//! only then emitted; the memory is that window's histograms, not the run's
//! samples. A sample arriving later than that (one that took longer than
//! the window) is counted in the totals but cannot join its second any
//! more: the reader says how many there were.

use std::collections::BTreeMap;
use std::path::Path;

use super::stats::Acc;
use crate::format::ShowPath;
use crate::ingest::{HistoryObserver, HistoryRow};
use crate::model::{History, HistoryPercentiles, HistoryPoint, MAX_GAP_S, PointsBuilder};

/// How long a second stays open for samples that started in it: JMeter
/// writes a sample when it ends, so a second is complete once the file has
/// reached samples that ended this long after it.
pub(super) const LATE_MS: u64 = 120_000;

/// The samples that started in one second.
#[derive(Debug, Default)]
struct Second {
    total: Acc,
    /// The highest `allThreads` of its samples.
    users: Option<u64>,
    /// Per label index, when the observer wants endpoints.
    labels: BTreeMap<usize, Acc>,
}

/// The history being built while the JTL is read.
pub(super) struct Timeline<'o, 'b> {
    observer: Option<&'o mut (dyn HistoryObserver + 'b)>,
    wants_endpoints: bool,
    open: BTreeMap<u64, Second>,
    /// The last second emitted.
    emitted: Option<u64>,
    /// The latest sample end seen (ms).
    horizon_ms: u64,
    /// Samples that arrived after their second was emitted.
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
            horizon_ms: 0,
            late: 0,
            last_users: 0,
            total_requests: 0,
            total_failures: 0,
            points: PointsBuilder::default(),
            anomalies: Vec::new(),
            row: Vec::new(),
        }
    }

    /// Add one sample of label `label` (an index into `labels`), then emit
    /// the seconds that can no longer change.
    pub(super) fn add(
        &mut self,
        sample: &super::columns::Sample<'_>,
        label: usize,
        labels: &[String],
        path: &Path,
    ) {
        let second = sample.time_stamp / 1000;
        if self.emitted.is_some_and(|e| second <= e) {
            self.late += 1;
        } else {
            let s = self.open.entry(second).or_default();
            s.total.add(sample.elapsed, sample.success);
            s.users = s.users.max(sample.all_threads);
            if self.wants_endpoints {
                s.labels
                    .entry(label)
                    .or_default()
                    .add(sample.elapsed, sample.success);
            }
        }
        self.horizon_ms = self.horizon_ms.max(sample.end());
        while let Some(entry) = self.open.first_entry() {
            if (entry.key() + 1) * 1000 + LATE_MS > self.horizon_ms {
                break;
            }
            let (s, bucket) = entry.remove_entry();
            self.emit_through(s, bucket, labels, path);
        }
    }

    /// Emit second `s` with its samples, after the empty seconds before it
    /// (a second in which no sample started has no requests: 0/s).
    fn emit_through(&mut self, s: u64, bucket: Second, labels: &[String], path: &Path) {
        if let Some(prev) = self.emitted {
            let gap = s - prev;
            if gap as i64 > MAX_GAP_S {
                self.anomalies.push(format!(
                    "{}: no sample started for {} s, from {} to {} (a stalled test, or two runs appended to one JTL: JMeter appends to an existing -l file)",
                    path.show(),
                    gap - 1,
                    crate::format::rfc3339(prev as i64 + 1).unwrap_or_default(),
                    crate::format::rfc3339(s as i64).unwrap_or_default(),
                ));
            } else {
                for empty in prev + 1..s {
                    self.emit(empty, Second::default(), labels);
                }
            }
        }
        self.emit(s, bucket, labels);
    }

    /// One second to the observer and the points.
    fn emit(&mut self, s: u64, bucket: Second, labels: &[String]) {
        self.emitted = Some(s);
        let users = bucket.users.unwrap_or(self.last_users);
        self.last_users = users;
        self.total_requests += bucket.total.requests;
        self.total_failures += bucket.total.failures;
        let timestamp = s as i64;
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
        // Every label seen so far has a row, 0/s in a second without its samples.
        let empty = Acc::default();
        for (i, name) in labels.iter().enumerate() {
            let acc = bucket.labels.get(&i).unwrap_or(&empty);
            acc.levels(&mut self.row);
            observer.observe(&HistoryRow {
                timestamp,
                users,
                endpoint: Some(("", name)),
                rps: acc.requests as f64,
                failures_per_s: acc.failures as f64,
                percentiles: &self.row,
            });
        }
    }

    /// Emit the seconds still open, and the history.
    pub(super) fn finish(
        mut self,
        labels: &[String],
        path: &Path,
        users_known: bool,
    ) -> Option<History> {
        while let Some((s, bucket)) = self.open.pop_first() {
            self.emit_through(s, bucket, labels, path);
        }
        let points = self.points.finish();
        (!points.is_empty()).then(|| History {
            percentile_labels: crate::ingest::exact::level_labels(),
            percentiles: HistoryPercentiles::Windowed,
            points,
            tick_s: 1,
            users_known,
            anomalies: self.anomalies,
        })
    }
}
