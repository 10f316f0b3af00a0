//! Tick formatting.

use crate::report::charts::style::{tick, whole_tick};

#[test]
fn ticks_are_compact() {
    let cases = [
        (0.0, "0"),
        (0.25, "0.25"),
        (12.5, "12.5"),
        (950.0, "950"),
        (1_500.0, "1500"),
        (15_000.0, "15k"),
        (2_500_000.0, "2.5M"),
        (3e12, "3T"),
        (2e300, "2e300"),
        (2.5e300, "2.5e300"),
    ];
    for (v, want) in cases {
        assert_eq!(tick(&v), want);
    }
    assert_eq!(whole_tick(&0.5), "");
    assert_eq!(whole_tick(&20.0), "20");
}
