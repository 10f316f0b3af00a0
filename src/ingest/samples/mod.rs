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

use crate::ingest::HistoryObserver;
use crate::model::{Endpoint, FailureRow, Histograms, ScenarioData, ToolInfo};

/// Distinct (endpoint, error) pairs kept in the failures table; the rest
/// are counted under one "other errors" row.
pub const MAX_FAILURE_KINDS: usize = 1000;

mod acc;
mod timeline;

pub use acc::Acc;
use timeline::{Cx, Timeline};

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

/// (method, name) → endpoint index, in order of first appearance. A test
/// plan has a few endpoints: they are compared one by one (no hashing) while
/// there are at most [`Labels::FEW`], and hashed beyond. Looked up by bytes,
/// so a reader checks a name's UTF-8 only when it is new.
#[derive(Debug, Default)]
pub struct Labels {
    few: Vec<(String, String)>,
    /// Label → its methods' indices (a JMeter JTL has one method, "").
    many: HashMap<Vec<u8>, Vec<(Vec<u8>, usize)>>,
    /// How many there are.
    count: usize,
}

impl Labels {
    const FEW: usize = 16;

    /// The index of (`method`, `label`), if it has one.
    pub fn find(&self, method: &[u8], label: &[u8]) -> Option<usize> {
        if self.many.is_empty() {
            return self
                .few
                .iter()
                .position(|(m, l)| same(l.as_bytes(), label) && same(m.as_bytes(), method));
        }
        let methods = self.many.get(label)?;
        methods
            .iter()
            .find(|(m, _)| m.as_slice() == method)
            .map(|&(_, i)| i)
    }

    /// The index of (`method`, `label`), and whether it is new.
    pub fn index(&mut self, method: &str, label: &str) -> (usize, bool) {
        if let Some(i) = self.find(method.as_bytes(), label.as_bytes()) {
            return (i, false);
        }
        let i = self.count;
        self.count += 1;
        if self.many.is_empty() {
            self.few.push((method.to_string(), label.to_string()));
            if self.few.len() > Self::FEW {
                for (i, (m, l)) in self.few.drain(..).enumerate() {
                    self.many
                        .entry(l.into_bytes())
                        .or_default()
                        .push((m.into_bytes(), i));
                }
            }
        } else {
            self.many
                .entry(label.as_bytes().to_vec())
                .or_default()
                .push((method.as_bytes().to_vec(), i));
        }
        (i, true)
    }
}

/// `a == b` without a call to the C library's `memcmp`, eight bytes a
/// step (the last eight overlapping the step before): on a JTL's hot path
/// (its endpoint names, its failures' fields) the call cost more than the
/// bytes, a 10-million-row JTL took 1.2 s with it and 0.8 s without.
#[inline]
pub fn same(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    match (a.last_chunk::<8>(), b.last_chunk::<8>()) {
        (Some(a_end), Some(b_end)) => {
            let (a_words, _) = a.as_chunks::<8>();
            let (b_words, _) = b.as_chunks::<8>();
            a_end == b_end && a_words.iter().zip(b_words).all(|(x, y)| x == y)
        }
        _ => a.iter().zip(b).all(|(x, y)| x == y),
    }
}

/// A run being read sample by sample: the totals, per endpoint, the
/// failures and the history (fed to the observer as it goes).
pub struct Run<'o, 'b, const P: u64> {
    t: Tally<P>,
    observer: Option<&'o mut (dyn HistoryObserver + 'b)>,
}

/// What a [`Run`] has summed up, without its observer: a part of a file
/// read on another thread is handed over as this ([`Run::into_part`]).
pub struct Tally<const P: u64> {
    total: Acc<P>,
    /// (method, name) → index into `names` and `endpoints`: looked up by
    /// bytes, so the hot path allocates only for a new endpoint.
    index: Labels,
    names: Vec<(String, String)>,
    endpoints: Vec<Acc<P>>,
    /// (endpoint index, error) → its kind: its row in `failures`.
    failure_kinds: HashMap<(usize, String), usize>,
    /// Each failure kind's occurrences, in order of first appearance.
    failures: Vec<((usize, String), u64)>,
    first_start_us: Option<i64>,
    last_end_us: Option<i64>,
    timeline: Timeline<P>,
}

/// What a run read into.
pub struct Read {
    pub data: ScenarioData,
    /// Samples left out of the per-second history (see the module doc).
    pub late: u64,
}

impl<'o, 'b, const P: u64> Run<'o, 'b, P> {
    pub fn new(spec: Spec, observer: Option<&'o mut (dyn HistoryObserver + 'b)>) -> Self {
        let wants_endpoints = observer.as_deref().is_some_and(|o| o.wants_endpoints());
        Run {
            t: Tally {
                total: Acc::default(),
                index: Labels::default(),
                names: Vec::new(),
                endpoints: Vec::new(),
                failure_kinds: HashMap::new(),
                failures: Vec::new(),
                first_start_us: None,
                last_end_us: None,
                timeline: Timeline::new(spec, wants_endpoints),
            },
            observer,
        }
    }

    /// A run of a later part of a file, for [`Run::absorb`] into the run of
    /// the part before it.
    pub fn part(spec: Spec) -> Self {
        let mut run = Run::new(spec, None);
        run.t.timeline = Timeline::part(spec);
        run
    }

    /// What the run of a later part summed up, to hand to the run of the
    /// part before ([`Run::absorb`]).
    pub fn into_part(self) -> Tally<P> {
        self.t
    }

    /// Take over `later`, the run of the rest of the file (from
    /// [`Run::part`]), when that gives the same result as reading its samples
    /// here: `false` when it does not (see `Timeline::can_absorb`; a part
    /// that reached [`MAX_FAILURE_KINDS`] lumped errors that may be this
    /// part's), and the caller then reads those samples here instead.
    #[must_use]
    pub fn absorb(&mut self, later: Tally<P>, path: &Path) -> bool {
        if self.observer.is_some()
            || !self.t.timeline.can_absorb(&later.timeline)
            || later.failures.len() >= MAX_FAILURE_KINDS
        {
            return false;
        }
        let map: Vec<usize> = later
            .names
            .iter()
            .map(|(method, name)| self.endpoint(method, name))
            .collect();
        self.t.total.merge(&later.total);
        for (i, acc) in later.endpoints.iter().enumerate() {
            self.t.endpoints[map[i]].merge(acc);
        }
        self.t.first_start_us = match (self.t.first_start_us, later.first_start_us) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        self.t.last_end_us = self.t.last_end_us.max(later.last_end_us);
        for ((i, error), occurrences) in later.failures {
            let kind = self.failure_kind(map[i], error);
            self.t.failures[kind].1 += occurrences;
        }
        self.t.timeline.absorb(
            later.timeline,
            &mut Cx {
                names: &self.t.names,
                path,
                observer: &mut self.observer,
            },
        );
        true
    }

    /// The index of endpoint (`method`, `name`), added when new.
    pub fn endpoint(&mut self, method: &str, name: &str) -> usize {
        let (i, new) = self.t.index.index(method, name);
        if new {
            self.t.names.push((method.to_string(), name.to_string()));
            self.t.endpoints.push(Acc::default());
        }
        i
    }

    /// The index of endpoint (`method`, `name`) by their bytes, if it has one.
    pub fn find(&self, method: &[u8], name: &[u8]) -> Option<usize> {
        self.t.index.find(method, name)
    }

    /// The samples read so far.
    pub fn requests(&self) -> u64 {
        self.t.total.requests
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
        let kind = sample.failed.then(|| self.failure_kind(endpoint, error()));
        self.add_kind(endpoint, sample, kind, path);
    }

    /// The failure kind of `error` on `endpoint`, new or not: past
    /// [`MAX_FAILURE_KINDS`] distinct ones, a new error counts in the
    /// endpoint's "other errors". For a reader that knows which of its
    /// samples share a kind without making the message each time.
    pub fn failure_kind(&mut self, endpoint: usize, error: String) -> usize {
        let mut key = (endpoint, error);
        if let Some(&kind) = self.t.failure_kinds.get(&key) {
            return kind;
        }
        if self.t.failures.len() >= MAX_FAILURE_KINDS {
            key.1 = format!("(other errors: more than {MAX_FAILURE_KINDS} distinct messages)");
            if let Some(&kind) = self.t.failure_kinds.get(&key) {
                return kind;
            }
        }
        let kind = self.t.failures.len();
        self.t.failure_kinds.insert(key.clone(), kind);
        self.t.failures.push((key, 0));
        kind
    }

    /// One sample of `endpoint`, of failure kind `kind` (from
    /// [`Run::failure_kind`]) when it failed.
    pub fn add_kind(&mut self, endpoint: usize, sample: &Sample, kind: Option<usize>, path: &Path) {
        self.t.total.add(sample.ms, sample.failed);
        self.t.endpoints[endpoint].add(sample.ms, sample.failed);
        self.t.first_start_us = Some(
            self.t
                .first_start_us
                .map_or(sample.start_us, |f| f.min(sample.start_us)),
        );
        self.t.last_end_us = Some(
            self.t
                .last_end_us
                .map_or(sample.end_us, |l| l.max(sample.end_us)),
        );
        if let Some(row) = kind.and_then(|k| self.t.failures.get_mut(k)) {
            row.1 += 1;
        }
        self.t.timeline.add(
            sample,
            endpoint,
            &mut Cx {
                names: &self.t.names,
                path,
                observer: &mut self.observer,
            },
        );
    }

    /// A user count at `time_us`, from a tool that records it apart from
    /// the samples (k6's `vus` metric).
    pub fn users(&mut self, time_us: i64, users: u64, path: &Path) {
        self.t.timeline.users(
            time_us,
            users,
            &mut Cx {
                names: &self.t.names,
                path,
                observer: &mut self.observer,
            },
        );
    }

    /// The run length in seconds: first start to last end.
    fn duration_s(&self) -> f64 {
        match (self.t.first_start_us, self.t.last_end_us) {
            (Some(a), Some(b)) if b > a => (b - a) as f64 / 1e6,
            _ => 0.0,
        }
    }

    /// The model from what the samples added up to; endpoints sorted by
    /// name, then method; failures by occurrences, most first.
    pub fn finish(mut self, path: &Path, users_known: bool, version: Option<String>) -> Read {
        let duration_s = self.duration_s();
        let tool = self.t.timeline.spec.tool;
        let late = self.t.timeline.late;
        let history = self.t.timeline.finish(
            &mut Cx {
                names: &self.t.names,
                path,
                observer: &mut self.observer,
            },
            users_known,
        );
        let names = self.t.names;
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
                stats: self.t.endpoints[i].stats(duration_s),
            })
            .collect();
        let mut failures: Vec<FailureRow> = self
            .t
            .failures
            .into_iter()
            .filter(|&(_, occurrences)| occurrences > 0)
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
        let stats = self.t.total.stats(duration_s);
        let histograms = (stats.requests > 0).then(|| {
            let mut per_endpoint: Vec<Option<Acc<P>>> =
                self.t.endpoints.into_iter().map(Some).collect();
            Histograms {
                total: self.t.total.into_per_ms(),
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

    #[test]
    fn same_is_byte_equality_at_every_length() {
        for len in 0..=40usize {
            let a: Vec<u8> = (0..len).map(|i| b'a' + (i % 26) as u8).collect();
            assert!(same(&a, &a.clone()), "{len}");
            for at in 0..len {
                let mut b = a.clone();
                b[at] ^= 1;
                assert!(!same(&a, &b), "{len} {at}");
            }
            assert!(!same(&a, &a[..len.saturating_sub(1)]) || len == 0);
        }
    }

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
