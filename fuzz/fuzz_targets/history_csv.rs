//! Bytes as `PREFIX_stats_history.csv` into `read_history`: no panic; an error
//! or warning names the file; kept points never go back in time.
#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;
use loadgate::ingest::locust::read_history;

fuzz_target!(|data: &[u8]| {
    let path = common::file("fuzz_stats_history.csv", data);
    match read_history(&path, None) {
        Ok((history, warning)) => {
            if let Some(w) = warning {
                common::names_the_file(&w, &path);
            }
            if let Some(h) = history {
                assert!(
                    h.points
                        .windows(2)
                        .all(|w| w[0].timestamp <= w[1].timestamp)
                );
                let _ = (h.span(), h.peak_users());
            }
        }
        Err(e) => common::names_the_file(&e, &path),
    }
});
