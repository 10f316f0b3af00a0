//! Exact statistics from every sample, for the readers that see each one
//! (JMeter's JTL, k6's stream): a histogram of values in fixed units per
//! millisecond (1 for JMeter's whole ms, 100 for k6's 0.01 ms), from which
//! percentiles are exact nearest-rank values whatever the number of samples.

use crate::model::{Histogram, Percentile, Percentiles, Stats, success_rate};

/// The percentile levels reported, Locust's usual ones: (label, level in
/// hundredths of a percent).
pub const LEVELS: [(&str, u64); 11] = [
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

/// The labels of [`LEVELS`], as a history names its percentile columns.
pub fn level_labels() -> Vec<String> {
    LEVELS.iter().map(|(label, _)| label.to_string()).collect()
}

/// The nearest-rank percentile, in ms, of `histogram` (holding `n` samples,
/// keys in `per_ms` units per millisecond) at `hundredths` of a percent: the
/// smallest value with at least that share of the samples at or below it.
/// `None` without samples.
pub fn nearest_rank(histogram: &Histogram, n: u64, hundredths: u64, per_ms: f64) -> Option<f64> {
    if n == 0 {
        return None;
    }
    let rank = rank(n, hundredths);
    let mut seen: u128 = 0;
    for (&key, &count) in histogram {
        seen += u128::from(count);
        if seen >= rank {
            return Some(key as f64 / per_ms);
        }
    }
    histogram.keys().next_back().map(|&key| key as f64 / per_ms)
}

/// How many of `n` samples are at or below the nearest-rank percentile at
/// `hundredths` of a percent: ceil(n × p / 100), at least 1, in integers.
pub fn rank(n: u64, hundredths: u64) -> u128 {
    (u128::from(n) * u128::from(hundredths))
        .div_ceil(10_000)
        .max(1)
}

/// The percentiles of `histogram` at every level of [`LEVELS`], as
/// (level, value) pairs (the shape of a history row).
pub fn levels_of(histogram: &Histogram, n: u64, per_ms: f64, out: &mut Vec<(f64, Option<f64>)>) {
    out.clear();
    out.extend(
        LEVELS
            .iter()
            .map(|&(_, h)| (h as f64 / 100.0, nearest_rank(histogram, n, h, per_ms))),
    );
}

/// What a reader summed up for one endpoint (or all): the counts, the mean
/// of the exact values, and the histogram.
pub struct Sampled<'a> {
    pub requests: u64,
    pub failures: u64,
    pub avg_ms: Option<f64>,
    pub histogram: &'a Histogram,
    /// Histogram units per millisecond.
    pub per_ms: f64,
}

impl Sampled<'_> {
    /// The stats, with rates over `duration_s` (none when it is 0).
    pub fn stats(&self, duration_s: f64) -> Stats {
        let n = self.requests;
        let per_s = |count: u64| {
            if duration_s > 0.0 {
                count as f64 / duration_s
            } else {
                0.0
            }
        };
        let time = |h: u64| nearest_rank(self.histogram, n, h, self.per_ms);
        let ms = |&key: &u64| key as f64 / self.per_ms;
        Stats {
            requests: n,
            failures: self.failures,
            success_rate: success_rate(n, self.failures),
            rps: per_s(n),
            failures_per_s: per_s(self.failures),
            median_ms: time(5000),
            avg_ms: self.avg_ms,
            min_ms: self.histogram.keys().next().map(ms),
            max_ms: self.histogram.keys().next_back().map(ms),
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
        assert_eq!(nearest_rank(&h, 10, 5000, 1.0), Some(5.0));
        assert_eq!(nearest_rank(&h, 10, 6600, 1.0), Some(7.0));
        assert_eq!(nearest_rank(&h, 10, 9000, 1.0), Some(9.0));
        assert_eq!(nearest_rank(&h, 10, 9999, 1.0), Some(10.0));
        assert_eq!(nearest_rank(&h, 10, 10000, 1.0), Some(10.0));
        // One sample is every percentile; none is none.
        let one = histogram(&[42]);
        assert!(
            LEVELS
                .iter()
                .all(|&(_, l)| nearest_rank(&one, 1, l, 1.0) == Some(42.0))
        );
        assert_eq!(nearest_rank(&Histogram::new(), 0, 5000, 1.0), None);
        // Repeated values: 3 of 4 samples are 1 ms, so p75 is 1.
        let h = histogram(&[1, 1, 1, 900]);
        assert_eq!(nearest_rank(&h, 4, 7500, 1.0), Some(1.0));
        assert_eq!(nearest_rank(&h, 4, 8000, 1.0), Some(900.0));
        // Keys in 0.01 ms come back in ms.
        assert_eq!(nearest_rank(&h, 4, 8000, 100.0), Some(9.0));
    }
}
