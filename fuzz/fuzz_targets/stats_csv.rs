//! Bytes as `PREFIX_stats.csv` into `read_stats`: no panic; an error names the
//! file; a result keeps failures ≤ requests and times finite and ≥ 0.
#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;
use loadgate::ingest::locust::read_stats;

fuzz_target!(|data: &[u8]| {
    let path = common::file("fuzz_stats.csv", data);
    match read_stats(&path) {
        Ok((total, endpoints)) => {
            for stats in std::iter::once(&total).chain(endpoints.iter().map(|e| &e.stats)) {
                assert!(stats.failures <= stats.requests);
                for v in [stats.median_ms, stats.avg_ms, stats.min_ms, stats.max_ms]
                    .into_iter()
                    .flatten()
                    .chain([stats.rps, stats.failures_per_s])
                {
                    assert!(v.is_finite() && v >= 0.0, "{v}");
                }
            }
        }
        Err(e) => common::names_the_file(&e, &path),
    }
});
