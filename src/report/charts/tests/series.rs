//! Downsampling, gaps and the time axis.

use crate::report::charts::series::{TimeAxis, mark_time_gaps, median_interval, pieces};
use crate::report::charts::{GAP_FACTOR, downsample_min_max};

fn series(values: &[Option<f64>]) -> Vec<(f64, Option<f64>)> {
    values
        .iter()
        .enumerate()
        .map(|(i, v)| (i as f64, *v))
        .collect()
}

/// Every kept pair of consecutive values must have no `None` between
/// them in the input.
fn assert_no_bridged_gap(input: &[(f64, Option<f64>)], output: &[(f64, Option<f64>)]) {
    for w in output.windows(2) {
        if let ((a, Some(_)), (b, Some(_))) = (w[0], w[1]) {
            let bridged = input.iter().any(|&(t, v)| v.is_none() && t > a && t < b);
            assert!(!bridged, "line from t={a} to t={b} bridges a gap");
        }
    }
}

#[test]
fn short_series_are_not_downsampled() {
    let input = series(&[Some(1.0), None, Some(3.0), Some(2.0)]);
    assert_eq!(downsample_min_max(&input, 1000), input);
    assert_eq!(downsample_min_max(&[], 1000), vec![]);
}

#[test]
fn downsampling_bounds_the_output_and_keeps_time_order() {
    let input: Vec<_> = (0..86_400)
        .map(|i| (i as f64, Some((i as f64 / 300.0).sin() * 50.0 + 100.0)))
        .collect();
    for max in [5, 10, 999, 1000] {
        let out = downsample_min_max(&input, max);
        assert!(out.len() <= max, "{} > {max}", out.len());
        assert!(out.len() >= max / 2 - 1);
        assert!(out.windows(2).all(|w| w[0].0 <= w[1].0));
    }
}

#[test]
fn downsampling_keeps_the_spike_and_the_dip() {
    let mut input: Vec<_> = (0..86_400).map(|i| (i as f64, Some(100.0))).collect();
    input[43_210].1 = Some(9_000.0);
    input[70_001].1 = Some(0.5);
    let out = downsample_min_max(&input, 1000);
    assert!(out.contains(&(43_210.0, Some(9_000.0))));
    assert!(out.contains(&(70_001.0, Some(0.5))));
}

#[test]
fn downsampling_never_bridges_missing_values() {
    let input: Vec<_> = (0..20_000)
        .map(|i| {
            let v = if i % 997 == 0 || (5_000..5_300).contains(&i) {
                None
            } else {
                Some((i % 50) as f64)
            };
            (i as f64, v)
        })
        .collect();
    let out = downsample_min_max(&input, 1000);
    assert!(out.len() <= 1000);
    assert_no_bridged_gap(&input, &out);
    assert!(out.iter().any(|p| p.1.is_none()));
}

#[test]
fn downsampling_alternating_gaps_stays_bounded_and_unbridged() {
    let input: Vec<_> = (0..10_000)
        .map(|i| (i as f64, (i % 2 == 0).then_some(i as f64)))
        .collect();
    let out = downsample_min_max(&input, 1000);
    assert!(out.len() <= 1000, "{}", out.len());
    assert_no_bridged_gap(&input, &out);
    assert!(out.contains(&(9_998.0, Some(9_998.0))));
}

#[test]
fn downsampling_copes_with_all_missing_one_time_and_disorder() {
    let missing: Vec<_> = (0..5_000).map(|i| (i as f64, None)).collect();
    let out = downsample_min_max(&missing, 1000);
    assert_eq!(out, vec![(0.0, None)]);

    let same_time: Vec<_> = (0..5_000).map(|i| (7.0, Some(i as f64))).collect();
    assert_eq!(
        downsample_min_max(&same_time, 1000),
        vec![(7.0, Some(0.0)), (7.0, Some(4_999.0))]
    );

    let mut reversed: Vec<_> = (0..5_000).map(|i| (i as f64, Some(i as f64))).collect();
    reversed.reverse();
    let out = downsample_min_max(&reversed, 100);
    assert!(out.len() <= 100);
    assert!(out.windows(2).all(|w| w[0].0 <= w[1].0));

    let nan = series(&[Some(f64::NAN), Some(1.0)]);
    assert_eq!(downsample_min_max(&nan, 10), series(&[None, Some(1.0)]));
}

#[test]
fn pauses_in_the_history_break_the_line() {
    let input = vec![
        (0.0, Some(1.0)),
        (1.0, Some(1.0)),
        (2.0, Some(1.0)),
        (60.0, Some(1.0)),
        (61.0, Some(1.0)),
    ];
    let times: Vec<f64> = input.iter().map(|p| p.0).collect();
    let max_gap = median_interval(&times).map(|s| s * GAP_FACTOR);
    assert_eq!(max_gap, Some(3.0));
    let marked = mark_time_gaps(&input, max_gap);
    assert_eq!(marked[3], (31.0, None));
    let (lines, dots) = pieces(&marked, TimeAxis::for_span(61.0));
    assert_eq!(lines.len(), 2);
    assert!(dots.is_empty());
}

#[test]
fn a_lone_value_between_gaps_is_drawn_as_a_dot() {
    let (lines, dots) = pieces(
        &series(&[Some(1.0), Some(2.0), None, Some(5.0), None]),
        TimeAxis::for_span(4.0),
    );
    assert_eq!(lines, vec![vec![(0.0, 1.0), (1.0, 2.0)]]);
    assert_eq!(dots, vec![(3.0, 5.0)]);
}

#[test]
fn time_axis_switches_to_minutes_and_hours_for_long_runs() {
    assert_eq!(TimeAxis::for_span(120.0).desc, "elapsed (s)");
    let minutes = TimeAxis::for_span(1_800.0);
    assert_eq!((minutes.desc, minutes.end), ("elapsed (min)", 30.0));
    let hours = TimeAxis::for_span(86_400.0);
    assert_eq!((hours.desc, hours.end), ("elapsed (h)", 24.0));
    assert_eq!(TimeAxis::for_span(0.0).end, 1.0);
}
