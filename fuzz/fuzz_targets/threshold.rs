//! Text (lossy UTF-8) into the threshold grammar, the duration grammar and the
//! tolerance grammar: no panic, and an error offset inside the text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use loadgate::config::threshold::parse_duration;
use loadgate::config::{Metric, Threshold, Tolerance};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    match Threshold::parse(&text) {
        Ok(t) => assert!(t.target >= 0.0, "{t:?}"),
        Err(e) => assert!(e.offset <= text.len(), "{e:?} in {text:?}"),
    }
    if let Err(e) = parse_duration(&text) {
        assert!(e.offset <= text.len(), "{e:?} in {text:?}");
    }
    for metric in ["p99", "success_rate", "rps", "requests"] {
        let metric = Metric::parse(metric).expect("a valid metric");
        if let Err(e) = Tolerance::parse(&metric, &text) {
            assert!(e.offset <= text.len(), "{e:?} in {text:?}");
        }
    }
});
