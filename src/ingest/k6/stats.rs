//! Requests of one k6 endpoint (or of all) summed up as the stream is
//! read: counts and a histogram of durations per 0.01 ms (k6 writes float
//! milliseconds), so percentiles are exact nearest-rank values of the values
//! rounded to 0.01 ms ([`crate::ingest::exact`]).

use crate::ingest::exact::{Sampled, levels_of};
use crate::model::{Histogram, Stats};

/// Histogram units per millisecond.
const PER_MS: f64 = 100.0;

/// A duration in ms as a histogram key (0.01 ms units, rounded).
pub(super) fn key(ms: f64) -> u64 {
    (ms * PER_MS).round() as u64
}

/// Requests of one endpoint (or of all), summed up as they are read.
#[derive(Debug, Clone, Default)]
pub(super) struct Acc {
    pub(super) requests: u64,
    pub(super) failures: u64,
    /// Of the exact values.
    sum_ms: f64,
    /// 0.01 ms → count.
    pub(super) histogram: Histogram,
}

impl Acc {
    pub(super) fn add(&mut self, duration_ms: f64, failed: bool) {
        self.requests += 1;
        self.failures += u64::from(failed);
        self.sum_ms += duration_ms;
        *self.histogram.entry(key(duration_ms)).or_insert(0) += 1;
    }

    /// The histogram per whole millisecond (rounded), for the rank test.
    pub(super) fn per_ms(&self) -> Histogram {
        let mut out = Histogram::new();
        for (&k, &count) in &self.histogram {
            *out.entry(k.saturating_add(50) / 100).or_insert(0) += count;
        }
        out
    }

    /// The stats, with rates over `duration_s` (none when it is 0).
    pub(super) fn stats(&self, duration_s: f64) -> Stats {
        Sampled {
            requests: self.requests,
            failures: self.failures,
            avg_ms: (self.requests > 0).then(|| self.sum_ms / self.requests as f64),
            histogram: &self.histogram,
            per_ms: PER_MS,
        }
        .stats(duration_s)
    }

    /// The percentiles at every level, for a history row.
    pub(super) fn levels(&self, out: &mut Vec<(f64, Option<f64>)>) {
        levels_of(&self.histogram, self.requests, PER_MS, out);
    }
}
