//! [`Acc`]: the samples of one endpoint, one second or the whole run,
//! summed up as they are read, with an exact histogram that is cheap to add
//! to: a map while it has few distinct values, an array indexed by value
//! once it has enough of them close together.

use crate::ingest::exact::{LEVELS, Sampled, rank};
use crate::model::{Histogram, Stats};

/// Keys below this are counted in the array once it is used (4,096 ms at
/// whole milliseconds, 40.96 ms at 0.01 ms); larger ones stay in the map.
const DENSE_KEYS: u64 = 4096;

/// Distinct keys in the map before the array is first considered (then
/// again at twice as many, and so on): a map of fewer is as cheap.
const DENSE_AFTER: usize = 4;

/// The array is used, and grown, only while it has at most this many slots
/// per distinct key counted in it, so it is never much larger than the map
/// it replaces (a map entry is about as large as 5 slots).
const SLOTS_PER_KEY: usize = 8;

/// Samples of one endpoint (or of all), summed up as they are read: counts,
/// the sum of the exact values, and a histogram in `PER_MS` units per
/// millisecond (1 for tools that write whole ms, 100 for 0.01 ms), from
/// which percentiles are exact nearest-rank values at that resolution.
#[derive(Debug, Clone, Default)]
pub struct Acc<const PER_MS: u64> {
    pub requests: u64,
    pub failures: u64,
    sum_ms: f64,
    /// Counts by key, for keys below `dense.len()` (empty until the map
    /// has enough keys close together).
    dense: Vec<u64>,
    /// Non-zero slots of `dense`.
    dense_keys: usize,
    /// Counts of the keys not in `dense`.
    sparse: Histogram,
}

impl<const PER_MS: u64> Acc<PER_MS> {
    /// A value in ms as a histogram key (rounded to the resolution).
    pub fn key(ms: f64) -> u64 {
        let x = ms * PER_MS as f64;
        // A whole value (every JMeter sample) needs no rounding call; the
        // conversions saturate as `round() as u64` does.
        let whole = x as u64;
        if whole as f64 == x {
            whole
        } else {
            x.round() as u64
        }
    }

    pub fn add(&mut self, ms: f64, failed: bool) {
        self.requests += 1;
        self.failures += u64::from(failed);
        self.sum_ms += ms;
        self.count(Self::key(ms), 1);
    }

    /// `n` more samples of `key`.
    fn count(&mut self, key: u64, n: u64) {
        if let Some(slot) = usize::try_from(key)
            .ok()
            .and_then(|k| self.dense.get_mut(k))
        {
            self.dense_keys += usize::from(*slot == 0);
            *slot += n;
            return;
        }
        self.count_slow(key, n);
    }

    /// A key beyond the array: it grows to hold it if that keeps it dense,
    /// or the key goes to the map (which may then turn into the array).
    #[cold]
    fn count_slow(&mut self, key: u64, n: u64) {
        let slots = (key + 1) as usize;
        if key < DENSE_KEYS
            && !self.dense.is_empty()
            && slots <= (self.dense_keys + 1) * SLOTS_PER_KEY
        {
            self.dense.resize(slots, 0);
            // The map's keys the array now covers move into it.
            let beyond = self.sparse.split_off(&(slots as u64));
            for (k, count) in std::mem::replace(&mut self.sparse, beyond) {
                self.dense[k as usize] = count;
                self.dense_keys += 1;
            }
            let slot = &mut self.dense[key as usize];
            self.dense_keys += usize::from(*slot == 0);
            *slot += n;
            return;
        }
        let entry = self.sparse.entry(key).or_insert(0);
        let new = *entry == 0;
        *entry += n;
        // Tried at 4, 8, 16… keys, so a spread histogram costs little more.
        let len = self.sparse.len();
        if new && self.dense.is_empty() && len >= DENSE_AFTER && len.is_power_of_two() {
            self.densify();
        }
    }

    /// Move the map's small keys into an array, as far up as they are
    /// close enough together: the largest key with at most [`SLOTS_PER_KEY`]
    /// slots per key at or below it (and a few keys) ends the array. The
    /// array is so never much larger than the map (a million endpoints of a
    /// few samples each stay small).
    fn densify(&mut self) {
        let mut last = None;
        for (i, &key) in self.sparse.range(..DENSE_KEYS).map(|(k, _)| k).enumerate() {
            if (key as usize) < (i + 1) * SLOTS_PER_KEY && i + 1 >= DENSE_AFTER {
                last = Some((key, i + 1));
            }
        }
        let Some((last, keys)) = last else {
            return;
        };
        let large = self.sparse.split_off(&(last + 1));
        self.dense = vec![0; last as usize + 1];
        for (key, count) in std::mem::replace(&mut self.sparse, large) {
            self.dense[key as usize] = count;
        }
        self.dense_keys = keys;
    }

    /// The (key, count) pairs in key order, zero counts left out.
    fn entries(&self) -> impl Iterator<Item = (u64, u64)> + '_ {
        let dense = self
            .dense
            .iter()
            .enumerate()
            .filter(|&(_, &c)| c > 0)
            .map(|(k, &c)| (k as u64, c));
        // Every map key is beyond the array.
        dense.chain(self.sparse.iter().map(|(&k, &c)| (k, c)))
    }

    /// The histogram, in the tool's units.
    pub fn histogram(&self) -> Histogram {
        if self.dense.is_empty() {
            return self.sparse.clone();
        }
        self.entries().collect()
    }

    /// Another accumulator's samples added to this one's.
    pub fn merge(&mut self, other: &Acc<PER_MS>) {
        self.requests += other.requests;
        self.failures += other.failures;
        self.sum_ms += other.sum_ms;
        for (key, count) in other.entries() {
            self.count(key, count);
        }
    }

    /// The stats, with rates over `duration_s` (none when it is 0).
    pub fn stats(&self, duration_s: f64) -> Stats {
        Sampled {
            requests: self.requests,
            failures: self.failures,
            avg_ms: (self.requests > 0).then(|| self.sum_ms / self.requests as f64),
            histogram: &self.histogram(),
            per_ms: PER_MS as f64,
        }
        .stats(duration_s)
    }

    /// The percentiles at every level, for a history row: one walk over the
    /// histogram, the same values as [`crate::ingest::exact::levels_of`].
    pub fn levels(&self, out: &mut Vec<(f64, Option<f64>)>) {
        out.clear();
        let n = self.requests;
        let mut entries = self.entries();
        let mut seen: u128 = 0;
        let mut key = None;
        for &(_, hundredths) in &LEVELS {
            let value = if n == 0 {
                None
            } else {
                let rank = rank(n, hundredths);
                while seen < rank {
                    let Some((k, count)) = entries.next() else {
                        break;
                    };
                    seen += u128::from(count);
                    key = Some(k);
                }
                key.map(|k| k as f64 / PER_MS as f64)
            };
            out.push((hundredths as f64 / 100.0, value));
        }
    }

    /// The histogram per whole millisecond (rounded half up), for the rank
    /// test and baselines.
    pub fn into_per_ms(self) -> Histogram {
        if PER_MS == 1 {
            return self.histogram();
        }
        let mut out = Histogram::new();
        for (k, count) in self.entries() {
            *out.entry(k.saturating_add(PER_MS / 2) / PER_MS)
                .or_insert(0) += count;
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::exact::levels_of;

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

    /// The same samples in one map give the same histogram, levels and
    /// merges whether the accumulator went dense or not.
    #[test]
    fn array_and_map_hold_the_same_histogram() {
        // A pseudo-random mix: many small values close together (the array),
        // a few spread far (the map), in no order.
        let mut state = 12345u64;
        let mut values = Vec::new();
        for i in 0..20_000u64 {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1);
            let v = match i % 100 {
                0 => 4096 + (state >> 40) % 100_000,
                1 => 4095,
                _ => (state >> 33) % 300,
            };
            values.push(v);
        }
        let mut acc = Acc::<1>::default();
        let mut expected = Histogram::new();
        for (i, &v) in values.iter().enumerate() {
            acc.add(v as f64, false);
            *expected.entry(v).or_insert(0) += 1;
            if i == 10 || i == 5000 || i == values.len() - 1 {
                assert_eq!(acc.histogram(), expected, "after {} samples", i + 1);
                let mut ours = Vec::new();
                acc.levels(&mut ours);
                let mut theirs = Vec::new();
                levels_of(&expected, i as u64 + 1, 1.0, &mut theirs);
                assert_eq!(ours, theirs);
            }
        }
        assert!(!acc.dense.is_empty(), "went dense");
        // Sparse values alone stay in the map.
        let mut spread = Acc::<1>::default();
        for v in 0..100u64 {
            spread.add((v * 1000) as f64, false);
        }
        assert!(spread.dense.is_empty());
        // Merging either way round gives the union.
        let mut merged = spread.clone();
        merged.merge(&acc);
        let mut other = acc.clone();
        other.merge(&spread);
        let mut union = expected.clone();
        for v in 0..100u64 {
            *union.entry(v * 1000).or_insert(0) += 1;
        }
        assert_eq!(merged.histogram(), union);
        assert_eq!(other.histogram(), union);
        assert_eq!(merged.requests, 20_100);
        let mut none = Vec::new();
        Acc::<1>::default().levels(&mut none);
        assert!(none.iter().all(|(_, v)| v.is_none()) && none.len() == LEVELS.len());
    }
}
