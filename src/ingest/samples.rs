//! A run read sample by sample, for the readers that see every request
//! (JMeter's JTL, k6's stream, and the other raw formats): [`Run`] sums up
//! the samples per endpoint and for all ([`Acc`], exact histograms), keeps
//! the failures table, and builds the per-second history as it goes
//! (`Timeline`), feeding each second to the [`HistoryObserver`]. A reader
//! parses its format and hands each sample over; what the samples mean is
//! the same for every tool.
//!
//! Samples are nearly but not strictly in time order (JMeter writes a sample
//! when it ends, k6 as its outputs flush), so a second is held open until
//! the file has reached samples ending [`Spec::late_us`] after it, and only
//! then emitted; the memory is that window's histograms, not the run's
//! samples. A sample arriving later than that is counted in the totals but
//! cannot join its second any more: [`Read::late`] says how many there were.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use crate::format::ShowPath;
use crate::ingest::exact::{Sampled, level_labels, levels_of};
use crate::ingest::{HistoryObserver, HistoryRow};
use crate::model::{
    Endpoint, FailureRow, Histogram, Histograms, History, HistoryPercentiles, HistoryPoint,
    MAX_GAP_S, PointsBuilder, ScenarioData, Stats, ToolInfo,
};

/// Distinct (endpoint, error) pairs kept in the failures table; the rest
/// are counted under one "other errors" row.
pub const MAX_FAILURE_KINDS: usize = 1000;

/// Samples of one endpoint (or of all), summed up as they are read: counts,
/// the sum of the exact values, and a histogram in `PER_MS` units per
/// millisecond (1 for tools that write whole ms, 100 for 0.01 ms), from
/// which percentiles are exact nearest-rank values at that resolution.
#[derive(Debug, Clone, Default)]
pub struct Acc<const PER_MS: u64> {
    pub requests: u64,
    pub failures: u64,
    sum_ms: f64,
    pub histogram: Histogram,
}

impl<const PER_MS: u64> Acc<PER_MS> {
    /// A value in ms as a histogram key (rounded to the resolution).
    pub fn key(ms: f64) -> u64 {
        (ms * PER_MS as f64).round() as u64
    }

    pub fn add(&mut self, ms: f64, failed: bool) {
        self.requests += 1;
        self.failures += u64::from(failed);
        self.sum_ms += ms;
        *self.histogram.entry(Self::key(ms)).or_insert(0) += 1;
    }

    /// The stats, with rates over `duration_s` (none when it is 0).
    pub fn stats(&self, duration_s: f64) -> Stats {
        Sampled {
            requests: self.requests,
            failures: self.failures,
            avg_ms: (self.requests > 0).then(|| self.sum_ms / self.requests as f64),
            histogram: &self.histogram,
            per_ms: PER_MS as f64,
        }
        .stats(duration_s)
    }

    /// The percentiles at every level, for a history row.
    pub fn levels(&self, out: &mut Vec<(f64, Option<f64>)>) {
        levels_of(&self.histogram, self.requests, PER_MS as f64, out);
    }

    /// The histogram per whole millisecond (rounded half up), for the rank
    /// test and baselines.
    pub fn into_per_ms(self) -> Histogram {
        if PER_MS == 1 {
            return self.histogram;
        }
        let mut out = Histogram::new();
        for (k, count) in self.histogram {
            *out.entry(k.saturating_add(PER_MS / 2) / PER_MS)
                .or_insert(0) += count;
        }
        out
    }
}

/// Which time a sample's second is taken from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecondOf {
    /// When it started (JMeter's `timeStamp`).
    Start,
    /// When it ended (k6 stamps a request with its end).
    End,
}

/// What differs between the tools that write samples.
#[derive(Debug, Clone, Copy)]
pub struct Spec {
    /// The tool, as summary.json names it.
    pub tool: &'static str,
    pub second_of: SecondOf,
    /// How long a second stays open for samples of it (µs).
    pub late_us: i64,
    /// A silence longer than [`MAX_GAP_S`], for the finding: "no sample
    /// started", then "for N s, from … to …", then `(gap_why)`.
    pub gap_what: &'static str,
    pub gap_why: &'static str,
    /// Whether sample times are wall-clock time ([`History::wall_clock`]).
    pub wall_clock: bool,
}

/// One sample, as a reader hands it over.
#[derive(Debug, Clone, Copy)]
pub struct Sample {
    pub start_us: i64,
    pub end_us: i64,
    /// The response time; at most `end_us - start_us` where both are known.
    pub ms: f64,
    pub failed: bool,
    /// The tool's active user count when it was taken, if it records one.
    pub users: Option<u64>,
}

/// The samples of one second.
#[derive(Debug, Default)]
struct Second<const P: u64> {
    total: Acc<P>,
    /// The highest user count of the second.
    users: Option<u64>,
    /// Per endpoint index, when the observer wants endpoints.
    endpoints: BTreeMap<usize, Acc<P>>,
}

/// The per-second history, built while the samples are read.
struct Timeline<'o, 'b, const P: u64> {
    spec: Spec,
    observer: Option<&'o mut (dyn HistoryObserver + 'b)>,
    wants_endpoints: bool,
    open: BTreeMap<i64, Second<P>>,
    /// The last second emitted.
    emitted: Option<i64>,
    /// The latest sample end seen (µs).
    horizon_us: i64,
    late: u64,
    last_users: u64,
    total_requests: u64,
    total_failures: u64,
    points: PointsBuilder,
    anomalies: Vec<String>,
    /// A history row's percentiles, reused.
    row: Vec<(f64, Option<f64>)>,
}

impl<'o, 'b, const P: u64> Timeline<'o, 'b, P> {
    fn new(spec: Spec, observer: Option<&'o mut (dyn HistoryObserver + 'b)>) -> Self {
        Timeline {
            spec,
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
    fn second(&mut self, time_us: i64) -> Option<&mut Second<P>> {
        let second = time_us.div_euclid(1_000_000);
        if self.emitted.is_some_and(|e| second <= e) {
            return None;
        }
        Some(self.open.entry(second).or_default())
    }

    fn add(&mut self, sample: &Sample, endpoint: usize, names: &[(String, String)], path: &Path) {
        let time_us = match self.spec.second_of {
            SecondOf::Start => sample.start_us,
            SecondOf::End => sample.end_us,
        };
        let wants_endpoints = self.wants_endpoints;
        match self.second(time_us) {
            None => self.late += 1,
            Some(s) => {
                s.total.add(sample.ms, sample.failed);
                s.users = s.users.max(sample.users);
                if wants_endpoints {
                    s.endpoints
                        .entry(endpoint)
                        .or_default()
                        .add(sample.ms, sample.failed);
                }
            }
        }
        self.advance(sample.end_us, names, path);
    }

    fn users(&mut self, time_us: i64, users: u64, names: &[(String, String)], path: &Path) {
        if let Some(s) = self.second(time_us) {
            s.users = s.users.max(Some(users));
        }
        self.advance(time_us, names, path);
    }

    /// Emit the seconds that can no longer change.
    fn advance(&mut self, time_us: i64, names: &[(String, String)], path: &Path) {
        self.horizon_us = self.horizon_us.max(time_us);
        while let Some(entry) = self.open.first_entry() {
            let closes_us = (entry.key() + 1)
                .saturating_mul(1_000_000)
                .saturating_add(self.spec.late_us);
            if closes_us > self.horizon_us {
                break;
            }
            let (s, bucket) = entry.remove_entry();
            self.emit_through(s, bucket, names, path);
        }
    }

    /// Emit second `s`, after the empty seconds before it (0 requests/s).
    fn emit_through(&mut self, s: i64, bucket: Second<P>, names: &[(String, String)], path: &Path) {
        if let Some(prev) = self.emitted {
            let gap = s - prev;
            if gap > MAX_GAP_S {
                self.anomalies.push(format!(
                    "{}: {} for {} s, from {} to {} ({})",
                    path.show(),
                    self.spec.gap_what,
                    gap - 1,
                    crate::format::rfc3339(prev + 1).unwrap_or_default(),
                    crate::format::rfc3339(s).unwrap_or_default(),
                    self.spec.gap_why,
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
    fn emit(&mut self, timestamp: i64, bucket: Second<P>, names: &[(String, String)]) {
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
        // Every endpoint seen so far has a row, 0/s in a second without its samples.
        let empty = Acc::<P>::default();
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

    /// Emit the seconds still open, and the history (none without samples).
    fn finish(
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
            percentile_labels: level_labels(),
            percentiles: HistoryPercentiles::Windowed,
            points,
            tick_s: 1,
            users_known,
            anomalies: self.anomalies,
            wall_clock: self.spec.wall_clock,
        })
    }
}

/// (method, name) → endpoint index, in order of first appearance. A test
/// plan has a few endpoints: they are compared one by one (no hashing) while
/// there are at most [`Labels::FEW`], and hashed beyond.
#[derive(Debug, Default)]
pub struct Labels {
    few: Vec<(String, String)>,
    /// Label → its methods' indices (a JMeter JTL has one method, "").
    many: HashMap<String, Vec<(String, usize)>>,
    /// How many there are.
    count: usize,
}

impl Labels {
    const FEW: usize = 16;

    /// The index of (`method`, `label`), and whether it is new.
    pub fn index(&mut self, method: &str, label: &str) -> (usize, bool) {
        if self.many.is_empty() {
            if let Some(i) = self
                .few
                .iter()
                .position(|(m, l)| l.len() == label.len() && l == label && m == method)
            {
                return (i, false);
            }
            let i = self.count;
            self.count += 1;
            self.few.push((method.to_string(), label.to_string()));
            if self.few.len() > Self::FEW {
                for (i, (m, l)) in self.few.drain(..).enumerate() {
                    self.many.entry(l).or_default().push((m, i));
                }
            }
            return (i, true);
        }
        if let Some(&(_, i)) = self
            .many
            .get(label)
            .and_then(|methods| methods.iter().find(|(m, _)| m == method))
        {
            return (i, false);
        }
        let i = self.count;
        self.count += 1;
        self.many
            .entry(label.to_string())
            .or_default()
            .push((method.to_string(), i));
        (i, true)
    }
}

/// A run being read sample by sample: the totals, per endpoint, the
/// failures and the history.
pub struct Run<'o, 'b, const P: u64> {
    total: Acc<P>,
    /// (method, name) → index into `names` and `endpoints`: looked up by
    /// `&str`, so the hot path allocates only for a new endpoint.
    index: Labels,
    names: Vec<(String, String)>,
    endpoints: Vec<Acc<P>>,
    /// (endpoint index, error) → occurrences.
    failures: HashMap<(usize, String), u64>,
    first_start_us: Option<i64>,
    last_end_us: Option<i64>,
    timeline: Timeline<'o, 'b, P>,
}

/// What a run read into.
pub struct Read {
    pub data: ScenarioData,
    /// Samples left out of the per-second history (see the module doc).
    pub late: u64,
}

impl<'o, 'b, const P: u64> Run<'o, 'b, P> {
    pub fn new(spec: Spec, observer: Option<&'o mut (dyn HistoryObserver + 'b)>) -> Self {
        Run {
            total: Acc::default(),
            index: Labels::default(),
            names: Vec::new(),
            endpoints: Vec::new(),
            failures: HashMap::new(),
            first_start_us: None,
            last_end_us: None,
            timeline: Timeline::new(spec, observer),
        }
    }

    /// The index of endpoint (`method`, `name`), added when new.
    pub fn endpoint(&mut self, method: &str, name: &str) -> usize {
        let (i, new) = self.index.index(method, name);
        if new {
            self.names.push((method.to_string(), name.to_string()));
            self.endpoints.push(Acc::default());
        }
        i
    }

    /// The samples read so far.
    pub fn requests(&self) -> u64 {
        self.total.requests
    }

    /// One sample of `endpoint`; `error` names a failure (called only for
    /// failed samples).
    pub fn add(
        &mut self,
        endpoint: usize,
        sample: &Sample,
        path: &Path,
        error: impl FnOnce() -> String,
    ) {
        self.total.add(sample.ms, sample.failed);
        self.endpoints[endpoint].add(sample.ms, sample.failed);
        self.first_start_us = Some(
            self.first_start_us
                .map_or(sample.start_us, |f| f.min(sample.start_us)),
        );
        self.last_end_us = Some(
            self.last_end_us
                .map_or(sample.end_us, |l| l.max(sample.end_us)),
        );
        if sample.failed {
            let mut error = error();
            if self.failures.len() >= MAX_FAILURE_KINDS
                && !self.failures.contains_key(&(endpoint, error.clone()))
            {
                error = format!("(other errors: more than {MAX_FAILURE_KINDS} distinct messages)");
            }
            *self.failures.entry((endpoint, error)).or_insert(0) += 1;
        }
        self.timeline.add(sample, endpoint, &self.names, path);
    }

    /// A user count at `time_us`, from a tool that records it apart from
    /// the samples (k6's `vus` metric).
    pub fn users(&mut self, time_us: i64, users: u64, path: &Path) {
        self.timeline.users(time_us, users, &self.names, path);
    }

    /// The run length in seconds: first start to last end.
    fn duration_s(&self) -> f64 {
        match (self.first_start_us, self.last_end_us) {
            (Some(a), Some(b)) if b > a => (b - a) as f64 / 1e6,
            _ => 0.0,
        }
    }

    /// The model from what the samples added up to; endpoints sorted by
    /// name, then method; failures by occurrences, most first.
    pub fn finish(self, path: &Path, users_known: bool, version: Option<String>) -> Read {
        let duration_s = self.duration_s();
        let tool = self.timeline.spec.tool;
        let late = self.timeline.late;
        let history = self.timeline.finish(&self.names, path, users_known);
        let names = self.names;
        let mut order: Vec<usize> = (0..names.len()).collect();
        order.sort_by(|&a, &b| {
            let (ma, na) = &names[a];
            let (mb, nb) = &names[b];
            na.cmp(nb).then_with(|| ma.cmp(mb))
        });
        let endpoints: Vec<Endpoint> = order
            .iter()
            .map(|&i| Endpoint {
                method: names[i].0.clone(),
                name: names[i].1.clone(),
                stats: self.endpoints[i].stats(duration_s),
            })
            .collect();
        let mut failures: Vec<FailureRow> = self
            .failures
            .into_iter()
            .map(|((i, error), occurrences)| FailureRow {
                method: names[i].0.clone(),
                name: names[i].1.clone(),
                error,
                occurrences,
            })
            .collect();
        failures.sort_by(|a, b| {
            b.occurrences
                .cmp(&a.occurrences)
                .then_with(|| a.name.cmp(&b.name))
                .then_with(|| a.method.cmp(&b.method))
                .then_with(|| a.error.cmp(&b.error))
        });
        let stats = self.total.stats(duration_s);
        let histograms = (stats.requests > 0).then(|| {
            let mut per_endpoint: Vec<Option<Acc<P>>> =
                self.endpoints.into_iter().map(Some).collect();
            Histograms {
                total: self.total.into_per_ms(),
                endpoints: order
                    .iter()
                    .filter_map(|&i| {
                        let acc = per_endpoint[i].take()?;
                        Some((names[i].clone(), acc.into_per_ms()))
                    })
                    .collect::<BTreeMap<_, _>>(),
            }
        });
        Read {
            data: ScenarioData {
                tool: ToolInfo {
                    name: tool,
                    version,
                },
                totals: stats,
                endpoints,
                history,
                failures,
                exceptions: Vec::new(),
                histograms,
            },
            late,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPEC: Spec = Spec {
        tool: "test",
        second_of: SecondOf::Start,
        late_us: 2_000_000,
        gap_what: "no sample started",
        gap_why: "a stalled test",
        wall_clock: true,
    };

    fn sample(start_s: f64, ms: f64, failed: bool) -> Sample {
        let start_us = (start_s * 1e6) as i64;
        Sample {
            start_us,
            end_us: start_us + (ms * 1000.0) as i64,
            ms,
            failed,
            users: Some(3),
        }
    }

    #[test]
    fn acc_sums_up_the_samples() {
        let mut acc = Acc::<1>::default();
        for (ms, failed) in [(10.0, false), (20.0, true), (30.0, false), (40.0, false)] {
            acc.add(ms, failed);
        }
        let s = acc.stats(2.0);
        assert_eq!((s.requests, s.failures), (4, 1));
        assert_eq!((s.rps, s.failures_per_s), (2.0, 0.5));
        assert_eq!(
            (s.min_ms, s.max_ms, s.avg_ms),
            (Some(10.0), Some(40.0), Some(25.0))
        );
        assert_eq!(s.median_ms, Some(20.0));
        assert_eq!(s.success_rate, Some(75.0));
        let empty = Acc::<1>::default().stats(0.0);
        assert_eq!(
            (empty.rps, empty.median_ms, empty.avg_ms),
            (0.0, None, None)
        );
        // 0.01 ms keys: exact values averaged, keys rounded, per-ms rounded half up.
        let mut fine = Acc::<100>::default();
        for ms in [1.004, 1.006, 2.5] {
            fine.add(ms, false);
        }
        let s = fine.stats(1.0);
        assert_eq!((s.min_ms, s.max_ms), (Some(1.0), Some(2.5)));
        assert!((s.avg_ms.unwrap() - 4.51 / 3.0).abs() < 1e-12);
        let per_ms = fine.into_per_ms();
        assert_eq!(per_ms.into_iter().collect::<Vec<_>>(), [(1, 2), (3, 1)]);
    }

    #[test]
    fn a_run_gives_totals_endpoints_failures_and_history() {
        let mut run = Run::<1>::new(SPEC, None);
        let path = Path::new("r.jtl");
        let home = run.endpoint("GET", "/");
        let login = run.endpoint("POST", "/login");
        assert_eq!(run.endpoint("GET", "/"), home);
        assert_ne!(run.endpoint("POST", "/"), home);
        run.add(home, &sample(100.0, 10.0, false), path, String::new);
        run.add(login, &sample(100.5, 30.0, true), path, || {
            "HTTP 500".into()
        });
        run.add(login, &sample(102.2, 20.0, true), path, || {
            "HTTP 500".into()
        });
        run.add(home, &sample(102.9, 100.0, false), path, String::new);
        let read = run.finish(path, true, Some("1.0".into()));
        let data = read.data;
        assert_eq!(read.late, 0);
        assert_eq!(
            (data.tool.name, data.tool.version.as_deref()),
            ("test", Some("1.0"))
        );
        assert_eq!((data.totals.requests, data.totals.failures), (4, 2));
        // 100.0 s to 103.0 s.
        assert_eq!(data.totals.rps, 4.0 / 3.0);
        let names: Vec<_> = data
            .endpoints
            .iter()
            .map(|e| (e.method.as_str(), e.name.as_str(), e.stats.requests))
            .collect();
        assert_eq!(
            names,
            [("GET", "/", 2), ("POST", "/", 0), ("POST", "/login", 2)]
        );
        assert_eq!(data.failures.len(), 1);
        assert_eq!(data.failures[0].occurrences, 2);
        let history = data.history.unwrap();
        let rps: Vec<_> = history
            .points
            .iter()
            .map(|p| (p.timestamp, p.rps))
            .collect();
        assert_eq!(rps, [(100, 2.0), (101, 0.0), (102, 2.0)]);
        assert_eq!(history.points[2].total_failures, 2);
        assert!(history.points.iter().all(|p| p.users == 3));
    }

    #[test]
    fn a_sample_later_than_the_window_is_counted_but_not_in_its_second() {
        let mut run = Run::<1>::new(SPEC, None);
        let path = Path::new("r.jtl");
        let e = run.endpoint("", "x");
        run.add(e, &sample(10.0, 1.0, false), path, String::new);
        // Ends 5 s on: second 10 closes (its window is 2 s).
        run.add(e, &sample(15.0, 1.0, false), path, String::new);
        run.add(e, &sample(10.5, 1.0, false), path, String::new);
        let read = run.finish(path, false, None);
        assert_eq!(read.late, 1);
        assert_eq!(read.data.totals.requests, 3);
        let h = read.data.history.unwrap();
        assert_eq!(h.points.iter().map(|p| p.rps).sum::<f64>(), 2.0);
    }

    #[test]
    fn labels_keep_their_first_index_whether_few_or_many() {
        let mut labels = Labels::default();
        assert_eq!(labels.index("", "home"), (0, true));
        assert_eq!(labels.index("GET", "home"), (1, true));
        assert_eq!(labels.index("", "home"), (0, false));
        // Past the few, hashed: the indices stay.
        for n in 2..100 {
            assert_eq!(labels.index("", &format!("page {n}")), (n, true));
        }
        assert_eq!(labels.index("GET", "home"), (1, false));
        assert_eq!(labels.index("", "page 50"), (50, false));
        assert_eq!(labels.index("POST", "page 50"), (100, true));
    }
}
