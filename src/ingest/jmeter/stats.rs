//! Samples of one JMeter label (or of all) summed up as the JTL is read:
//! counts and a histogram of elapsed times per whole millisecond (JMeter's
//! resolution), so percentiles are exact ([`crate::ingest::exact`]).

use crate::ingest::exact::{Sampled, levels_of};
use crate::model::{Histogram, Stats};

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
        Sampled {
            requests: self.requests,
            failures: self.failures,
            avg_ms: (self.requests > 0).then(|| self.sum_ms as f64 / self.requests as f64),
            histogram: &self.histogram,
            per_ms: 1.0,
        }
        .stats(duration_s)
    }

    /// The percentiles at every level, for a history row.
    pub(super) fn levels(&self, out: &mut Vec<(f64, Option<f64>)>) {
        levels_of(&self.histogram, self.requests, 1.0, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert_eq!(
            s.percentiles_ms.labels().len(),
            crate::ingest::exact::LEVELS.len()
        );
        let empty = Acc::default().stats(0.0);
        assert_eq!(
            (empty.rps, empty.median_ms, empty.avg_ms),
            (0.0, None, None)
        );
    }
}
