//! A rank test on response-time histograms: is the current run's
//! distribution shifted against the baseline's?
//!
//! Locust's `--json-file` output holds, per endpoint, how many requests fell
//! in each response-time bucket. Those counts are the samples, binned, so the
//! Mann–Whitney U test applies directly, with every value in a bucket a tie:
//!
//! - Pool both histograms, walk the buckets in order, and give each bucket's
//!   requests the mid-rank of the positions they occupy.
//! - `U = R_current − n_c(n_c+1)/2`, where `R_current` is the current run's
//!   rank sum. `U / (n_b n_c)` is the probability that a random current request
//!   is slower than a random baseline request (ties count half): 0.5 means no shift.
//! - With samples in the hundreds or more, U is close to normal with mean
//!   `n_b n_c / 2` and variance `n_b n_c / 12 · ((n+1) − Σ(t³−t) / (n(n−1)))`,
//!   the tie-corrected variance (t = the requests in one bucket). The two-sided
//!   p-value is `erfc(|z| / √2)` with a 0.5 continuity correction.
//!
//! Edge cases: an empty histogram, or all requests in one bucket (zero
//! variance), give no result rather than a p-value of 0 or NaN.

use crate::model::Histogram;

pub use crate::model::{ALPHA, MIN_SHIFT, ProportionTest, RankTest, Shift};

/// [`ProportionTest`] of `current` failing more often than `baseline`;
/// `None` without requests on either side. All failures or none on both
/// sides pooled (no variance) gives `p = 1` for no rise, `0` for one.
pub fn failure_rise(baseline: (u64, u64), current: (u64, u64)) -> Option<ProportionTest> {
    let ((fb, nb), (fc, nc)) = (baseline, current);
    if nb == 0 || nc == 0 || fb > nb || fc > nc {
        return None;
    }
    let (pb, pc) = (fb as f64 / nb as f64, fc as f64 / nc as f64);
    let pooled = (fb + fc) as f64 / (nb + nc) as f64;
    let se = (pooled * (1.0 - pooled) * (1.0 / nb as f64 + 1.0 / nc as f64)).sqrt();
    let rise = pc - pb;
    let p_value = if se == 0.0 {
        if rise > 0.0 { 0.0 } else { 1.0 }
    } else {
        // Continuity correction: half a request on each side.
        let corrected = (rise.abs() - 0.5 * (1.0 / nb as f64 + 1.0 / nc as f64)).max(0.0);
        let z = corrected / se * rise.signum();
        0.5 * erfc(z / std::f64::consts::SQRT_2)
    };
    Some(ProportionTest {
        test: "two_proportion_z",
        p_value: p_value.clamp(0.0, 1.0),
        baseline_failures: fb,
        baseline_requests: nb,
        current_failures: fc,
        current_requests: nc,
    })
}

/// Mann–Whitney U of `current` against `baseline`; `None` when it cannot be computed.
pub fn mann_whitney(baseline: &Histogram, current: &Histogram) -> Option<RankTest> {
    // Readers check their sums; a histogram from elsewhere that does not fit
    // simply has no rank test.
    let total = |h: &Histogram| h.values().try_fold(0u64, |a, &v| a.checked_add(v));
    let (n_b, n_c) = (total(baseline)?, total(current)?);
    n_b.checked_add(n_c)?;
    if n_b == 0 || n_c == 0 {
        return None;
    }
    let (nb, nc) = (n_b as f64, n_c as f64);
    let n = nb + nc;
    let mut buckets: Vec<u64> = baseline.keys().chain(current.keys()).copied().collect();
    buckets.sort_unstable();
    buckets.dedup();

    let mut below = 0.0; // requests in earlier buckets
    let mut rank_sum_current = 0.0;
    let mut tie_term = 0.0;
    for bucket in buckets {
        let b = *baseline.get(&bucket).unwrap_or(&0) as f64;
        let c = *current.get(&bucket).unwrap_or(&0) as f64;
        let t = b + c;
        // Ranks below+1 ..= below+t; their mean is the mid-rank.
        let mid_rank = below + (t + 1.0) / 2.0;
        rank_sum_current += c * mid_rank;
        tie_term += t * t * t - t;
        below += t;
    }
    let u = rank_sum_current - nc * (nc + 1.0) / 2.0;
    let mean = nb * nc / 2.0;
    let variance = nb * nc / 12.0 * ((n + 1.0) - tie_term / (n * (n - 1.0)));
    // Zero (every request in one bucket) or NaN: no test.
    if variance.is_nan() || variance <= 0.0 {
        return None;
    }
    let z = ((u - mean).abs() - 0.5).max(0.0) / variance.sqrt();
    Some(RankTest {
        test: "mann_whitney_u",
        p_value: erfc(z / std::f64::consts::SQRT_2).clamp(0.0, 1.0),
        prob_slower: u / (nb * nc),
        n_baseline: n_b,
        n_current: n_c,
    })
}

/// The complementary error function, to about 1e-7 relative accuracy
/// (Numerical Recipes' Chebyshev fit `erfcc`), for x ≥ 0 and x < 0.
fn erfc(x: f64) -> f64 {
    let z = x.abs();
    let t = 1.0 / (1.0 + 0.5 * z);
    let poly = -z * z - 1.265_512_23
        + t * (1.000_023_68
            + t * (0.374_091_96
                + t * (0.096_784_18
                    + t * (-0.186_288_06
                        + t * (0.278_868_07
                            + t * (-1.135_203_98
                                + t * (1.488_515_87 + t * (-0.822_152_23 + t * 0.170_872_77))))))));
    let r = t * poly.exp();
    if x >= 0.0 { r } else { 2.0 - r }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(pairs: &[(u64, u64)]) -> Histogram {
        pairs.iter().copied().collect()
    }

    #[test]
    fn a_few_failures_on_forty_requests_are_no_significant_rise() {
        // 3 of 40 against 1 of 40: well within chance.
        let t = failure_rise((1, 40), (3, 40)).unwrap();
        assert!(t.p_value > 0.1 && !t.significant(), "{t:?}");
        // 300 of 4,000 against 100 of 4,000: not chance.
        let t = failure_rise((100, 4000), (300, 4000)).unwrap();
        assert!(t.significant(), "{t:?}");
        // Fewer failures is never a rise.
        assert!(
            !failure_rise((300, 4000), (100, 4000))
                .unwrap()
                .significant()
        );
        assert!(failure_rise((0, 0), (1, 10)).is_none());
        assert_eq!(failure_rise((0, 100), (0, 100)).unwrap().p_value, 1.0);
    }

    #[test]
    fn erfc_matches_known_values() {
        for (x, want) in [
            (0.0, 1.0),
            (0.5, 0.479_500_122),
            (1.0, 0.157_299_207),
            (2.0, 0.004_677_735),
            (-1.0, 1.842_700_793),
        ] {
            assert!((erfc(x) - want).abs() < 1e-6, "erfc({x}) = {}", erfc(x));
        }
    }

    #[test]
    fn identical_runs_show_no_shift() {
        let a = h(&[(5, 100), (6, 50), (9, 10)]);
        let t = mann_whitney(&a, &a).unwrap();
        assert!((t.prob_slower - 0.5).abs() < 1e-12);
        assert!(t.p_value > 0.9, "{t:?}");
        assert!(!t.significant());
    }

    #[test]
    fn a_shifted_run_is_significant_and_slower() {
        let base = h(&[(5, 200), (6, 100), (8, 20)]);
        let slow = h(&[(45, 200), (46, 100), (48, 20)]);
        let t = mann_whitney(&base, &slow).unwrap();
        assert_eq!(t.prob_slower, 1.0);
        assert!(t.p_value < 1e-10, "{t:?}");
        let fast = mann_whitney(&slow, &base).unwrap();
        assert_eq!(fast.prob_slower, 0.0);
    }

    #[test]
    fn small_example_matches_the_textbook_u() {
        // Baseline {1, 2, 4}, current {3, 5, 6}: U_current = 8 of 9 pairs.
        let base = h(&[(1, 1), (2, 1), (4, 1)]);
        let cur = h(&[(3, 1), (5, 1), (6, 1)]);
        let t = mann_whitney(&base, &cur).unwrap();
        assert!((t.prob_slower - 8.0 / 9.0).abs() < 1e-12);
    }

    #[test]
    fn degenerate_inputs_give_no_result() {
        assert!(mann_whitney(&h(&[]), &h(&[(5, 3)])).is_none());
        // Every request in one bucket: no variance.
        assert!(mann_whitney(&h(&[(5, 3)]), &h(&[(5, 4)])).is_none());
    }
}
