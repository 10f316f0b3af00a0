//! The per-second history of a [`Run`](super::Run), built while the samples
//! are read: each second held open for late samples, then emitted to the
//! observer and the points. A run read in parts (a file split between
//! threads) keeps each later part's seconds as [`Closed`] ones, and its
//! first ones open, until the part before it takes them over
//! ([`Timeline::absorb`]).

use std::collections::{BTreeMap, VecDeque};
use std::path::Path;

use super::{Acc, Sample, SecondOf, Spec};
use crate::format::ShowPath;
use crate::ingest::exact::level_labels;
use crate::ingest::{HistoryObserver, HistoryRow};
use crate::model::{History, HistoryPercentiles, HistoryPoint, MAX_GAP_S, PointsBuilder};

/// The samples of one second.
#[derive(Debug, Default)]
pub(super) struct Second<const P: u64> {
    total: Acc<P>,
    /// The highest user count of the second.
    users: Option<u64>,
    /// Per endpoint index, when the observer wants endpoints.
    endpoints: BTreeMap<usize, Acc<P>>,
}

/// What emitting a second needs besides the timeline: the endpoints' names
/// (by index), the file (for findings) and the observer.
pub(super) struct Cx<'a, 'o, 'b> {
    pub(super) names: &'a [(String, String)],
    pub(super) path: &'a Path,
    pub(super) observer: &'a mut Option<&'o mut (dyn HistoryObserver + 'b)>,
}

/// A second of a later part, summed up: what its history row needs.
#[derive(Debug)]
pub(super) struct Closed {
    timestamp: i64,
    users: Option<u64>,
    requests: u64,
    failures: u64,
    row: Vec<(f64, Option<f64>)>,
}

/// What a timeline read as a later part of a file keeps for the part
/// before it to take over (see [`Timeline::absorb`]).
#[derive(Debug, Default)]
pub(super) struct Part<const P: u64> {
    /// The seconds up to this one stay whole (not [`Closed`]) when they
    /// close: the part before may have samples of them. Its first sample's
    /// end plus the late window.
    hold_through: Option<i64>,
    held: Vec<(i64, Second<P>)>,
    closed: Vec<Closed>,
    /// Samples of a second that may already have closed (one whose late
    /// window the samples before had passed): whether such a sample was
    /// late depends on the part before, so the part cannot be taken over.
    stragglers: u64,
    /// The earliest second of a sample.
    first_second: Option<i64>,
}

/// The per-second history, built while the samples are read.
pub(super) struct Timeline<const P: u64> {
    pub(super) spec: Spec,
    wants_endpoints: bool,
    /// The open seconds, in order (a few: those within the late window).
    open: VecDeque<(i64, Second<P>)>,
    /// The last second emitted.
    emitted: Option<i64>,
    /// The latest sample end seen (µs).
    horizon_us: i64,
    pub(super) late: u64,
    last_users: u64,
    total_requests: u64,
    total_failures: u64,
    points: PointsBuilder,
    anomalies: Vec<String>,
    /// A history row's percentiles, reused.
    row: Vec<(f64, Option<f64>)>,
    /// Set when the timeline is a later part of a file.
    part: Option<Part<P>>,
}

impl<const P: u64> Timeline<P> {
    pub(super) fn new(spec: Spec, wants_endpoints: bool) -> Self {
        Timeline {
            spec,
            wants_endpoints,
            open: VecDeque::new(),
            emitted: None,
            horizon_us: i64::MIN,
            late: 0,
            last_users: 0,
            total_requests: 0,
            total_failures: 0,
            points: PointsBuilder::default(),
            anomalies: Vec::new(),
            row: Vec::new(),
            part: None,
        }
    }

    /// A timeline for a later part of a file (no observer).
    pub(super) fn part(spec: Spec) -> Self {
        Timeline {
            part: Some(Part::default()),
            ..Timeline::new(spec, false)
        }
    }

    /// The open second of `time_us`, or `None` when it was emitted already.
    fn second(&mut self, time_us: i64) -> Option<&mut Second<P>> {
        let second = time_us.div_euclid(1_000_000);
        if self.emitted.is_some_and(|e| second <= e) {
            return None;
        }
        // The open seconds are in order and mostly without gaps (a busy
        // run has samples every second): a sample's second is found at its
        // distance from the first, else by halving (a JTL's samples come up
        // to a sample's length out of order, so it may be dozens back).
        let direct = self
            .open
            .front()
            .and_then(|(first, _)| usize::try_from(second.checked_sub(*first)?).ok())
            .filter(|&i| self.open.get(i).is_some_and(|(s, _)| *s == second));
        let at = match direct {
            Some(i) => Some(i),
            None => self
                .open
                .partition_point(|(s, _)| *s <= second)
                .checked_sub(1),
        };
        let at = match at {
            Some(i) if self.open[i].0 == second => i,
            Some(i) => {
                self.open.insert(i + 1, (second, Second::default()));
                i + 1
            }
            None => {
                self.open.push_front((second, Second::default()));
                0
            }
        };
        self.open.get_mut(at).map(|(_, s)| s)
    }

    /// When second `s` closes: the first sample end that far past it.
    fn closes_us(&self, s: i64) -> i64 {
        (s + 1)
            .saturating_mul(1_000_000)
            .saturating_add(self.spec.late_us)
    }

    #[inline]
    pub(super) fn add(&mut self, sample: &Sample, endpoint: usize, cx: &mut Cx<'_, '_, '_>) {
        let time_us = match self.spec.second_of {
            SecondOf::Start => sample.start_us,
            SecondOf::End => sample.end_us,
        };
        if self.part.is_some() {
            self.note_part(time_us.div_euclid(1_000_000), sample.end_us);
        }
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
        self.advance(sample.end_us, cx);
    }

    /// A later part's bookkeeping for a sample of second `s` ending at `end_us`.
    #[cold]
    fn note_part(&mut self, s: i64, end_us: i64) {
        let closed = self.closes_us(s) <= self.horizon_us;
        let late_us = self.spec.late_us;
        let Some(part) = self.part.as_mut() else {
            return;
        };
        part.stragglers += u64::from(closed);
        part.first_second = Some(part.first_second.map_or(s, |f| f.min(s)));
        part.hold_through
            .get_or_insert(end_us.saturating_add(late_us).div_euclid(1_000_000));
    }

    pub(super) fn users(&mut self, time_us: i64, users: u64, cx: &mut Cx<'_, '_, '_>) {
        if self.part.is_some() {
            self.note_part(time_us.div_euclid(1_000_000), time_us);
        }
        if let Some(s) = self.second(time_us) {
            s.users = s.users.max(Some(users));
        }
        self.advance(time_us, cx);
    }

    /// Emit the seconds that can no longer change.
    fn advance(&mut self, time_us: i64, cx: &mut Cx<'_, '_, '_>) {
        self.horizon_us = self.horizon_us.max(time_us);
        while let Some(&(first, _)) = self.open.front() {
            if self.closes_us(first) > self.horizon_us {
                break;
            }
            let Some((s, bucket)) = self.open.pop_front() else {
                break;
            };
            match self.part.as_mut() {
                None => self.emit_through(s, bucket, cx),
                Some(part) => {
                    self.emitted = Some(s);
                    if part.hold_through.is_some_and(|h| s <= h) {
                        part.held.push((s, bucket));
                    } else {
                        bucket.total.levels(&mut self.row);
                        part.closed.push(Closed {
                            timestamp: s,
                            users: bucket.users,
                            requests: bucket.total.requests,
                            failures: bucket.total.failures,
                            row: self.row.clone(),
                        });
                    }
                }
            }
        }
    }

    /// Emit second `s`, after the empty seconds before it (0 requests/s).
    fn emit_through(&mut self, s: i64, bucket: Second<P>, cx: &mut Cx<'_, '_, '_>) {
        self.fill_to(s, cx);
        self.emit(s, bucket, cx);
    }

    /// Emit the empty seconds between the last one emitted and `s` (or a
    /// finding, when they are too many).
    fn fill_to(&mut self, s: i64, cx: &mut Cx<'_, '_, '_>) {
        if let Some(prev) = self.emitted {
            let gap = s - prev;
            if gap > MAX_GAP_S {
                self.anomalies.push(format!(
                    "{}: {} for {} s, from {} to {} ({})",
                    cx.path.show(),
                    self.spec.gap_what,
                    gap - 1,
                    crate::format::rfc3339(prev + 1).unwrap_or_default(),
                    crate::format::rfc3339(s).unwrap_or_default(),
                    self.spec.gap_why,
                ));
            } else {
                for empty in prev + 1..s {
                    self.emit(empty, Second::default(), cx);
                }
            }
        }
    }

    /// One second to the observer and the points.
    fn emit(&mut self, timestamp: i64, bucket: Second<P>, cx: &mut Cx<'_, '_, '_>) {
        bucket.total.levels(&mut self.row);
        let users = self.emit_row(
            timestamp,
            bucket.users,
            bucket.total.requests,
            bucket.total.failures,
            cx,
        );
        if !self.wants_endpoints {
            return;
        }
        let Some(observer) = cx.observer.as_deref_mut() else {
            return;
        };
        // Every endpoint seen so far has a row, 0/s in a second without its samples.
        let empty = Acc::<P>::default();
        for (i, (method, name)) in cx.names.iter().enumerate() {
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

    /// The history row of a second (its percentiles in `row`) to the
    /// observer and the points: the users it had.
    fn emit_row(
        &mut self,
        timestamp: i64,
        users: Option<u64>,
        requests: u64,
        failures: u64,
        cx: &mut Cx<'_, '_, '_>,
    ) -> u64 {
        self.emitted = Some(timestamp);
        let users = users.unwrap_or(self.last_users);
        self.last_users = users;
        self.total_requests += requests;
        self.total_failures += failures;
        if let Some(observer) = cx.observer.as_deref_mut() {
            observer.observe(&HistoryRow {
                timestamp,
                users,
                endpoint: None,
                rps: requests as f64,
                failures_per_s: failures as f64,
                percentiles: &self.row,
            });
        }
        self.points.push(HistoryPoint {
            timestamp,
            users,
            rps: requests as f64,
            failures_per_s: failures as f64,
            percentiles_ms: self.row.iter().map(|(_, v)| *v).collect(),
            total_requests: self.total_requests,
            total_failures: self.total_failures,
        });
        users
    }

    /// Whether `later`, the timeline of the part of the file after this
    /// one's, can be taken over with the same result as reading on (this
    /// one has no observer: it would see seconds out of turn): no sample there
    /// whose lateness depends on this part (each of its seconds still open
    /// at this part's last sample end, none of its samples a straggler);
    /// and this part's open seconds among those it kept whole.
    pub(super) fn can_absorb(&self, later: &Timeline<P>) -> bool {
        let Some(part) = later.part.as_ref() else {
            return false;
        };
        if self.part.is_some() || later.late > 0 || part.stragglers > 0 {
            return false;
        }
        let Some(first) = part.first_second else {
            // The later part has no samples.
            return true;
        };
        let ours_held = match (self.open.back(), part.hold_through) {
            (None, _) => true,
            (Some(&(last, _)), Some(h)) => last <= h,
            (Some(_), None) => false,
        };
        self.closes_us(first) > self.horizon_us && ours_held
    }

    /// Take over `later` (checked with [`Timeline::can_absorb`]): its whole
    /// seconds join this one's open ones, and its closed ones are emitted
    /// in turn, as if its samples had been read here.
    pub(super) fn absorb(&mut self, later: Timeline<P>, cx: &mut Cx<'_, '_, '_>) {
        let Some(part) = later.part else {
            return;
        };
        self.horizon_us = self.horizon_us.max(later.horizon_us);
        for (s, second) in part.held.into_iter().chain(later.open) {
            self.merge_open(s, second);
        }
        for closed in part.closed {
            while self
                .open
                .front()
                .is_some_and(|&(s, _)| s < closed.timestamp)
            {
                if let Some((s, bucket)) = self.open.pop_front() {
                    self.emit_through(s, bucket, cx);
                }
            }
            self.fill_to(closed.timestamp, cx);
            self.row = closed.row;
            self.emit_row(
                closed.timestamp,
                closed.users,
                closed.requests,
                closed.failures,
                cx,
            );
        }
    }

    /// A second's samples from another part added to this one's second.
    fn merge_open(&mut self, s: i64, other: Second<P>) {
        let at = self.open.partition_point(|&(k, _)| k < s);
        match self.open.get_mut(at) {
            Some((k, mine)) if *k == s => {
                mine.total.merge(&other.total);
                mine.users = mine.users.max(other.users);
                for (e, acc) in &other.endpoints {
                    mine.endpoints.entry(*e).or_default().merge(acc);
                }
            }
            _ => self.open.insert(at, (s, other)),
        }
    }

    /// Emit the seconds still open, and the history (none without samples).
    pub(super) fn finish(mut self, cx: &mut Cx<'_, '_, '_>, users_known: bool) -> Option<History> {
        while let Some((s, bucket)) = self.open.pop_front() {
            self.emit_through(s, bucket, cx);
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
