//! Exact statistics from samples: counts and a histogram of elapsed times
//! per whole millisecond (JMeter's resolution), so percentiles are exact
//! nearest-rank values whatever the number of samples.

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

/// The nearest-rank percentile of `histogram` (holding `n` samples) at
/// `hundredths` of a percent: the smallest value with at least that share
/// of the samples at or below it. `None` without samples.
pub(super) fn nearest_rank(histogram: &Histogram, n: u64, hundredths: u64) -> Option<f64> {
    if n == 0 {
        return None;
    }
    // ceil(n × p / 100), at least 1, in integers.
    let rank = (u128::from(n) * u128::from(hundredths))
        .div_ceil(10_000)
        .max(1);
    let mut seen: u128 = 0;
    for (&ms, &count) in histogram {
        seen += u128::from(count);
        if seen >= rank {
            return Some(ms as f64);
        }
    }
    histogram.keys().next_back().map(|&ms| ms as f64)
}

/// The percentiles of `histogram` at every level of [`LEVELS`], as
/// (level, value) pairs (the shape of a history row).
pub(super) fn levels_of(histogram: &Histogram, n: u64, out: &mut Vec<(f64, Option<f64>)>) {
    out.clear();
    out.extend(
        LEVELS
            .iter()
            .map(|&(_, h)| (h as f64 / 100.0, nearest_rank(histogram, n, h))),
    );
}

/// Samples of one label (or of all), summed up as they are read.
#[derive(Debug, Clone, Default)]
pub(super) struct Acc {
    pub(super) requests: u64,
    pub(super) failures: u64,
    sum_ms: u128,
    pub(super) histogram: Histogram,
}

impl Acc {
    pub(super) fn add(&mut self, elapsed_ms: u64, success: bool) {
        self.requests += 1;
        self.failures += u64::from(!success);
        self.sum_ms += u128::from(elapsed_ms);
        *self.histogram.entry(elapsed_ms).or_insert(0) += 1;
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
            avg_ms: (n > 0).then(|| self.sum_ms as f64 / n as f64),
            min_ms: self.histogram.keys().next().map(|&ms| ms as f64),
            max_ms: self.histogram.keys().next_back().map(|&ms| ms as f64),
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

#[cfg(test)]
mod tests {
    use super::*;

    fn histogram(values: &[u64]) -> Histogram {
        let mut h = Histogram::new();
        for &v in values {
            *h.entry(v).or_insert(0) += 1;
        }
        h
    }

    #[test]
    fn nearest_rank_is_the_smallest_value_with_the_share_at_or_below_it() {
        // 1..=10: p50 is the 5th value, p66 the 7th (6.6 rounds up), p100 the max.
        let h = histogram(&(1..=10).collect::<Vec<_>>());
        assert_eq!(nearest_rank(&h, 10, 5000), Some(5.0));
        assert_eq!(nearest_rank(&h, 10, 6600), Some(7.0));
        assert_eq!(nearest_rank(&h, 10, 9000), Some(9.0));
        assert_eq!(nearest_rank(&h, 10, 9999), Some(10.0));
        assert_eq!(nearest_rank(&h, 10, 10000), Some(10.0));
        // One sample is every percentile; none is none.
        let one = histogram(&[42]);
        assert!(
            LEVELS
                .iter()
                .all(|&(_, l)| nearest_rank(&one, 1, l) == Some(42.0))
        );
        assert_eq!(nearest_rank(&Histogram::new(), 0, 5000), None);
        // Repeated values: 3 of 4 samples are 1 ms, so p75 is 1.
        let h = histogram(&[1, 1, 1, 900]);
        assert_eq!(nearest_rank(&h, 4, 7500), Some(1.0));
        assert_eq!(nearest_rank(&h, 4, 8000), Some(900.0));
    }

    #[test]
    fn stats_sum_up_the_samples() {
        let mut acc = Acc::default();
        for (ms, ok) in [(10, true), (20, false), (30, true), (40, true)] {
            acc.add(ms, ok);
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
        assert_eq!(s.percentiles_ms.labels().len(), LEVELS.len());
        let empty = Acc::default().stats(0.0);
        assert_eq!(
            (empty.rps, empty.median_ms, empty.avg_ms),
            (0.0, None, None)
        );
    }
}
