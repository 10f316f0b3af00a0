//! Sustained-window thresholds (`p95 < 300ms for 30s`): the check fails when
//! the condition is violated continuously for at least the window anywhere
//! in the steady part of the run.
//!
//! A [`Tracker`] follows one series (one metric of the `Aggregated` rows or of
//! one endpoint) tick by tick while the history is read, and records every
//! *stretch* of consecutive violating ticks with its worst value. Only
//! stretches are kept, never the series, so memory does not grow with the
//! run length.
//!
//! - A stretch of violating ticks at times t₁ … tₙ lasts `tₙ − t₁ + interval`,
//!   where `interval` is the history's tick (1 s for Locust): ten violating
//!   one-second ticks are a 10 s violation, so `for 10s` fails on them.
//! - A tick without a value (`N/A`) ends a stretch, and so does a gap in the
//!   history longer than [`MAX_GAP_S`]: nothing is known about the missing
//!   time, so it is not counted as violating.
//! - The steady part starts at a tick the reader can only know at the end
//!   (with `auto`, when the user count first reaches its peak). So stretches
//!   are cut at every candidate start ([`Tracker::split`]: each new user-count
//!   maximum, and a configured time), and at the end only stretches that
//!   start at or after the steady start count.

use crate::ingest::{HistoryObserver, HistoryRow};
use std::collections::HashMap;

use serde::Serialize;

use crate::config::{Config, ConfiguredThreshold, Glob, Metric, Op, ScenarioConfig, SteadyState};

/// A gap between two history ticks longer than this ends a stretch.
pub use crate::model::MAX_GAP_S;

/// One run of consecutive violating ticks.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Stretch {
    /// Unix time of the first violating tick.
    pub start: i64,
    /// Unix time of the last violating tick.
    pub end: i64,
    /// The worst value seen: the highest for `<`/`<=`, the lowest for `>`/`>=`.
    pub worst: f64,
}

impl Stretch {
    /// How long the violation lasted, counting the last tick's interval.
    pub fn duration_s(&self, interval_s: i64) -> i64 {
        self.end - self.start + interval_s
    }
}

/// Follows one series and records its violating stretches.
#[derive(Debug, Clone, PartialEq)]
pub struct Tracker {
    op: Op,
    target: f64,
    open: Option<Stretch>,
    last_ts: Option<i64>,
    closed: Vec<Stretch>,
}

impl Tracker {
    pub fn new(op: Op, target: f64) -> Tracker {
        Tracker {
            op,
            target,
            open: None,
            last_ts: None,
            closed: Vec::new(),
        }
    }

    fn close(&mut self) {
        if let Some(s) = self.open.take() {
            self.closed.push(s);
        }
    }

    /// A possible start of the steady part: a stretch must not cross it.
    pub fn split(&mut self) {
        self.close();
    }

    /// The value at tick `ts` (`None`: Locust wrote `N/A`).
    pub fn push(&mut self, ts: i64, value: Option<f64>) {
        if self.last_ts.is_some_and(|last| ts - last > MAX_GAP_S) {
            self.close();
        }
        self.last_ts = Some(ts);
        let violating = value.filter(|v| !self.op.holds(*v, self.target));
        match (violating, self.open.as_mut()) {
            (Some(v), Some(open)) => {
                open.end = ts;
                open.worst = worse(self.op, open.worst, v);
            }
            (Some(v), None) => {
                self.open = Some(Stretch {
                    start: ts,
                    end: ts,
                    worst: v,
                })
            }
            (None, _) => self.close(),
        }
    }

    /// Every stretch, merging pieces that were split at a tick that did
    /// not turn out to be the steady start, clipped to start at `steady_start`.
    pub fn finish(mut self, steady_start: i64, interval_s: i64) -> Vec<Stretch> {
        self.close();
        let mut out: Vec<Stretch> = Vec::new();
        for s in self.closed.into_iter().filter(|s| s.start >= steady_start) {
            match out.last_mut() {
                // Adjacent ticks, split only at a candidate start: one stretch.
                Some(prev) if s.start - prev.end <= interval_s && prev.start >= steady_start => {
                    prev.end = s.end;
                    prev.worst = worse(self.op, prev.worst, s.worst);
                }
                _ => out.push(s),
            }
        }
        out
    }
}

/// The worse of two violating values: the higher one for `<`, `<=` and
/// `==`, the lower one for `>` and `>=`.
fn worse(op: Op, a: f64, b: f64) -> f64 {
    match op {
        Op::Lt | Op::Le | Op::Eq => a.max(b),
        Op::Gt | Op::Ge => a.min(b),
    }
}

/// The stretch that decides the check: the longest one at least `window_s`
/// long (the first of equals), or, when none is that long, the longest one.
pub fn decisive(stretches: &[Stretch], window_s: f64, interval_s: i64) -> (bool, Option<Stretch>) {
    let longest = stretches.iter().copied().reduce(|a, b| {
        if b.duration_s(interval_s) > a.duration_s(interval_s) {
            b
        } else {
            a
        }
    });
    let failed = longest.is_some_and(|s| s.duration_s(interval_s) as f64 >= window_s);
    (failed, longest)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(values: &[(i64, Option<f64>)], splits: &[i64]) -> Tracker {
        let mut t = Tracker::new(Op::Lt, 300.0);
        for &(ts, v) in values {
            if splits.contains(&ts) {
                t.split();
            }
            t.push(ts, v);
        }
        t
    }

    fn series(from: i64, to: i64, value: f64) -> Vec<(i64, Option<f64>)> {
        (from..=to).map(|t| (t, Some(value))).collect()
    }

    #[test]
    fn a_violation_exactly_the_window_long_fails() {
        // Ticks 10..=19 violate: ten one-second ticks are a 10 s violation.
        let mut v = series(0, 9, 100.0);
        v.extend(series(10, 19, 500.0));
        v.extend(series(20, 30, 100.0));
        let stretches = run(&v, &[]).finish(0, 1);
        assert_eq!(
            stretches,
            vec![Stretch {
                start: 10,
                end: 19,
                worst: 500.0
            }]
        );
        assert!(decisive(&stretches, 10.0, 1).0);
        assert!(!decisive(&stretches, 11.0, 1).0);
    }

    #[test]
    fn the_worst_value_is_kept() {
        let v = vec![
            (0, Some(400.0)),
            (1, Some(900.0)),
            (2, Some(350.0)),
            (3, Some(10.0)),
        ];
        let stretches = run(&v, &[]).finish(0, 1);
        assert_eq!(stretches[0].worst, 900.0);
        let mut t = Tracker::new(Op::Ge, 100.0);
        for (ts, v) in [(0, 50.0), (1, 20.0), (2, 70.0)] {
            t.push(ts, Some(v));
        }
        assert_eq!(t.finish(0, 1)[0].worst, 20.0);
    }

    #[test]
    fn missing_values_and_gaps_end_a_stretch() {
        let mut v = series(0, 4, 500.0);
        v.push((5, None));
        v.extend(series(6, 9, 500.0));
        let stretches = run(&v, &[]).finish(0, 1);
        assert_eq!(stretches.len(), 2);
        // A 15 s hole in the history: the stretch does not bridge it.
        let mut v = series(0, 4, 500.0);
        v.extend(series(20, 24, 500.0));
        let stretches = run(&v, &[]).finish(0, 1);
        assert_eq!(stretches.len(), 2);
        assert!(!decisive(&stretches, 6.0, 1).0);
    }

    #[test]
    fn stretches_before_the_steady_start_do_not_count() {
        // Violating from 0 to 20; the steady part starts at 12.
        let v = series(0, 20, 500.0);
        let stretches = run(&v, &[5, 12]).finish(12, 1);
        assert_eq!(
            stretches,
            vec![Stretch {
                start: 12,
                end: 20,
                worst: 500.0
            }]
        );
        // Splits at candidates that are not the start are merged back.
        let stretches = run(&v, &[5, 12]).finish(0, 1);
        assert_eq!(
            stretches,
            vec![Stretch {
                start: 0,
                end: 20,
                worst: 500.0
            }]
        );
    }

    #[test]
    fn edges_of_the_run() {
        // Violating at the very first and very last tick.
        let v = vec![(0, Some(500.0)), (1, Some(100.0)), (2, Some(500.0))];
        let stretches = run(&v, &[]).finish(0, 1);
        assert_eq!(stretches.len(), 2);
        assert_eq!(stretches[1].duration_s(1), 1);
        assert!(run(&[], &[]).finish(0, 1).is_empty());
    }
}

/// Which column of a history row a probe follows.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Series {
    Rps,
    FailuresPerS,
    Users,
    /// A percentile column by level (`median` is 50).
    Percentile(f64),
}

/// One history row as the probes see it (the readers' [`HistoryRow`]).
pub type Row<'a> = HistoryRow<'a>;

/// A windowed threshold to follow: on the `Aggregated` rows, or on the
/// rows of every endpoint an `[[scenarios.X.endpoint]]` table matches.
#[derive(Debug, Clone)]
pub struct Probe {
    pub threshold: ConfiguredThreshold,
    pub series: Series,
    /// `(name glob, method, table key)` for an endpoint table.
    pub endpoint: Option<(Glob, Option<String>, String)>,
    /// One tracker per series followed, by label (`""` for the total, else
    /// `METHOD NAME`), in the order first seen: see [`Probe::take_trackers`].
    slots: Vec<(String, Tracker)>,
    /// Endpoint name → (method, its slot, or `None` when the table does not
    /// match it): each name is matched and labelled once, not on every row.
    seen: HashMap<String, Vec<(String, Option<usize>)>>,
    /// Label → its slot.
    labels: HashMap<String, usize>,
}

impl Probe {
    fn new(
        threshold: ConfiguredThreshold,
        series: Series,
        endpoint: Option<(Glob, Option<String>, String)>,
    ) -> Probe {
        Probe {
            threshold,
            series,
            endpoint,
            slots: Vec::new(),
            seen: HashMap::new(),
            labels: HashMap::new(),
        }
    }

    /// Whether no row reached this probe.
    pub fn is_untracked(&self) -> bool {
        self.slots.is_empty()
    }

    /// The trackers by label, sorted.
    pub fn take_trackers(&mut self) -> Vec<(String, Tracker)> {
        self.labels.clear();
        let mut slots = std::mem::take(&mut self.slots);
        slots.sort_by(|a, b| a.0.cmp(&b.0));
        slots
    }

    /// The slot of `label`, added when new (two endpoints with one label
    /// share it).
    fn slot(&mut self, label: String) -> usize {
        if let Some(&i) = self.labels.get(&label) {
            return i;
        }
        let (op, target) = (self.threshold.threshold.op, self.threshold.threshold.target);
        let i = self.slots.len();
        self.labels.insert(label.clone(), i);
        self.slots.push((label, Tracker::new(op, target)));
        i
    }

    /// The row's value of this probe's series into the tracker of `slot`.
    fn push(&mut self, slot: usize, row: &Row<'_>) {
        let value = match self.series {
            Series::Rps => Some(row.rps),
            Series::FailuresPerS => Some(row.failures_per_s),
            Series::Users => Some(row.users as f64),
            Series::Percentile(level) => row
                .percentiles
                .iter()
                .find(|(l, _)| *l == level)
                .and_then(|(_, v)| *v),
        };
        self.slots[slot].1.push(row.timestamp, value);
    }

    /// The slot a row feeds, if any.
    fn slot_of(&mut self, endpoint: Option<(&str, &str)>) -> Option<usize> {
        match (&self.endpoint, endpoint) {
            (None, None) => Some(match self.slots.first() {
                // A total probe has one slot, the total's.
                Some(_) => 0,
                None => self.slot(String::new()),
            }),
            (Some(_), Some((m, name))) => {
                if let Some(&(_, slot)) = self
                    .seen
                    .get(name)
                    .and_then(|methods| methods.iter().find(|(x, _)| x == m))
                {
                    return slot;
                }
                let (glob, method, _) = self.endpoint.as_ref()?;
                let matched = glob.matches(name) && method.as_ref().is_none_or(|x| x == m);
                let slot = matched.then(|| {
                    self.slot(if m.is_empty() {
                        name.to_string()
                    } else {
                        format!("{m} {name}")
                    })
                });
                self.seen
                    .entry(name.to_string())
                    .or_default()
                    .push((m.to_string(), slot));
                slot
            }
            _ => None,
        }
    }
}

/// Every windowed threshold of one scenario, fed while its history is read.
#[derive(Debug, Clone)]
pub struct Probes {
    pub probes: Vec<Probe>,
    /// A configured steady start (`after 30s`), in seconds after the first tick.
    after_s: Option<f64>,
    first_ts: Option<i64>,
    tick: Option<i64>,
    max_users: u64,
    after_done: bool,
    /// Per endpoint id ([`HistoryObserver::endpoint_id`]), each probe's slot.
    endpoint_slots: Vec<Vec<Option<usize>>>,
}

fn series_of(metric: &Metric) -> Option<Series> {
    Some(match metric {
        Metric::Rps => Series::Rps,
        Metric::FailuresPerS => Series::FailuresPerS,
        Metric::Users => Series::Users,
        Metric::Median => Series::Percentile(50.0),
        Metric::Percentile { level, .. } => Series::Percentile(*level),
        _ => return None,
    })
}

impl HistoryObserver for Probes {
    fn wants_endpoints(&self) -> bool {
        Probes::wants_endpoints(self)
    }

    /// The levels the endpoint tables' windows follow.
    fn endpoint_levels(&self) -> Option<Vec<f64>> {
        let mut levels: Vec<f64> = self
            .probes
            .iter()
            .filter(|p| p.endpoint.is_some())
            .filter_map(|p| match p.series {
                Series::Percentile(level) => Some(level),
                _ => None,
            })
            .collect();
        levels.sort_by(f64::total_cmp);
        levels.dedup();
        Some(levels)
    }

    /// Whether any endpoint table matches it (each name is matched once).
    fn wants_endpoint(&mut self, method: &str, name: &str) -> bool {
        let mut wanted = false;
        for p in &mut self.probes {
            if p.endpoint.is_some() && p.slot_of(Some((method, name))).is_some() {
                wanted = true;
            }
        }
        wanted
    }

    fn observe(&mut self, row: &HistoryRow<'_>) {
        Probes::observe(self, row);
    }

    /// Each probe's slot for the endpoint, resolved now for all its rows.
    fn endpoint_id(&mut self, method: &str, name: &str) -> Option<usize> {
        let slots = self
            .probes
            .iter_mut()
            .map(|p| p.slot_of(Some((method, name))))
            .collect();
        self.endpoint_slots.push(slots);
        Some(self.endpoint_slots.len() - 1)
    }

    fn observe_endpoint(&mut self, id: usize, row: &HistoryRow<'_>) {
        if id >= self.endpoint_slots.len() {
            return Probes::observe(self, row);
        }
        self.next_tick(row);
        for (p, slot) in self.probes.iter_mut().zip(&self.endpoint_slots[id]) {
            if let Some(slot) = *slot {
                p.push(slot, row);
            }
        }
    }
}

impl Probes {
    /// The windowed thresholds that apply to a scenario; `None` when there are none.
    pub fn for_scenario(config: &Config, sc: Option<&ScenarioConfig>) -> Option<Probes> {
        let mut probes = Vec::new();
        let mut add = |t: &ConfiguredThreshold,
                       endpoint: Option<(Glob, Option<String>, String)>| {
            if t.threshold.window_s.is_some()
                && let Some(series) = series_of(&t.threshold.metric)
            {
                probes.push(Probe::new(t.clone(), series, endpoint));
            }
        };
        for t in super::thresholds_for(config, sc) {
            add(t, None);
        }
        for table in sc.map_or(&[][..], |s| &s.endpoints) {
            for t in &table.thresholds {
                add(
                    t,
                    Some((table.name.clone(), table.method.clone(), table.key.clone())),
                );
            }
        }
        if probes.is_empty() {
            return None;
        }
        let after_s = match config.steady_state_for(sc) {
            SteadyState::After(s) => Some(s),
            _ => None,
        };
        Some(Probes {
            probes,
            after_s,
            first_ts: None,
            tick: None,
            max_users: 0,
            after_done: false,
            endpoint_slots: Vec::new(),
        })
    }

    /// Whether any probe follows endpoint rows (else only `Aggregated` rows matter).
    pub fn wants_endpoints(&self) -> bool {
        self.probes.iter().any(|p| p.endpoint.is_some())
    }

    /// Feed one history row (rows come in file order).
    pub fn observe(&mut self, row: &Row<'_>) {
        self.next_tick(row);
        for p in &mut self.probes {
            if let Some(slot) = p.slot_of(row.endpoint) {
                p.push(slot, row);
            }
        }
    }

    /// The first row of a tick: cut every stretch at a candidate steady start.
    fn next_tick(&mut self, row: &Row<'_>) {
        if self.tick != Some(row.timestamp) {
            self.tick = Some(row.timestamp);
            let first = *self.first_ts.get_or_insert(row.timestamp);
            // Candidate steady starts: a new user-count peak, the configured time.
            let mut split = row.users > self.max_users;
            self.max_users = self.max_users.max(row.users);
            if let Some(after) = self.after_s
                && !self.after_done
                && (row.timestamp - first) as f64 >= after
            {
                self.after_done = true;
                split = true;
            }
            if split {
                for p in &mut self.probes {
                    p.slots.iter_mut().for_each(|(_, t)| t.split());
                }
            }
        }
    }
}
