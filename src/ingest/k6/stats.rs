//! Exact statistics from k6's samples: counts and a histogram of durations
//! per 0.01 ms (k6 writes float milliseconds), so percentiles are exact
//! nearest-rank values (of the values rounded to 0.01 ms) whatever the
//! number of samples.

use std::collections::BTreeMap;

use crate::model::{Histogram, Percentile, Percentiles, Stats, success_rate};

/// The percentile levels reported, Locust's usual ones: (label, level in
/// hundredths of a percent).
pub(super) const LEVELS: [(&str, u64); 11] = [
    ("50", 5000),
    ("66", 6600),
    ("75", 7500),
    ("80", 8000),
    ("90", 9000),
    ("95", 9500),
    ("98", 9800),
    ("99", 9900),
    ("99.9", 9990),
    ("99.99", 9999),
    ("100", 10000),
];

/// Histogram units per millisecond.
const PER_MS: f64 = 100.0;

/// A duration in ms as a histogram key (0.01 ms units, rounded).
pub(super) fn key(ms: f64) -> u64 {
    (ms * PER_MS).round() as u64
}

/// A histogram key back in ms.
fn ms(key: u64) -> f64 {
    key as f64 / PER_MS
}

/// The nearest-rank percentile of `histogram` (0.01 ms keys, `n` samples)
/// at `hundredths` of a percent, in ms: the smallest value with at least
/// that share of the samples at or below it. `None` without samples.
pub(super) fn nearest_rank(histogram: &BTreeMap<u64, u64>, n: u64, hundredths: u64) -> Option<f64> {
    if n == 0 {
        return None;
    }
    let rank = (u128::from(n) * u128::from(hundredths))
        .div_ceil(10_000)
        .max(1);
    let mut seen: u128 = 0;
    for (&k, &count) in histogram {
        seen += u128::from(count);
        if seen >= rank {
            return Some(ms(k));
        }
    }
    histogram.keys().next_back().map(|&k| ms(k))
}

/// The percentiles of `histogram` at every level of [`LEVELS`], as
/// (level, value) pairs (the shape of a history row).
pub(super) fn levels_of(histogram: &BTreeMap<u64, u64>, n: u64, out: &mut Vec<(f64, Option<f64>)>) {
    out.clear();
    out.extend(
        LEVELS
            .iter()
            .map(|&(_, h)| (h as f64 / 100.0, nearest_rank(histogram, n, h))),
    );
}

/// Requests of one endpoint (or of all), summed up as they are read.
#[derive(Debug, Clone, Default)]
pub(super) struct Acc {
    pub(super) requests: u64,
    pub(super) failures: u64,
    /// Of the exact values.
    sum_ms: f64,
    /// 0.01 ms → count.
    pub(super) histogram: BTreeMap<u64, u64>,
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
        let n = self.requests;
        let per_s = |count: u64| {
            if duration_s > 0.0 {
                count as f64 / duration_s
            } else {
                0.0
            }
        };
        let time = |h: u64| nearest_rank(&self.histogram, n, h);
        Stats {
            requests: n,
            failures: self.failures,
            success_rate: success_rate(n, self.failures),
            rps: per_s(n),
            failures_per_s: per_s(self.failures),
            median_ms: time(5000),
            avg_ms: (n > 0).then(|| self.sum_ms / n as f64),
            min_ms: self.histogram.keys().next().map(|&k| ms(k)),
            max_ms: self.histogram.keys().next_back().map(|&k| ms(k)),
            percentiles_ms: Percentiles(
                LEVELS
                    .iter()
                    .map(|&(label, h)| Percentile {
                        label: label.to_string(),
                        level: h as f64 / 100.0,
                        value_ms: time(h),
                    })
                    .collect(),
            ),
        }
    }
}
