//! Which endpoints a report lists when a scenario has more than it may
//! show (`[report] max_endpoints`, 50 by default): part of the view, so
//! report.md, report.html and the job summary list the same ones.
//!
//! The rule: three rankings of all the scenario's endpoints, the slowest
//! (by p95, by the median where there is no p95 column; endpoints without
//! either are not in it), the most failing (by failures, those with any) and
//! the busiest (by requests), each with ties in name, then method order.
//! The endpoints are taken from the rankings in turn (the slowest, the most
//! failing, the busiest, the next slowest, …), each once, until the limit
//! is reached or the rankings run out, and are listed in the data's order.

use std::cmp::Ordering;

use crate::format;
use crate::model::Endpoint;

/// The endpoints a report lists (indices in data order) and, when some are
/// left out, the line that says so.
pub fn shown(endpoints: &[Endpoint], max: usize) -> (Vec<usize>, Option<String>) {
    if endpoints.len() <= max {
        return ((0..endpoints.len()).collect(), None);
    }
    let slowness = |i: usize| {
        let s = &endpoints[i].stats;
        s.percentiles_ms.get(95.0).flatten().or(s.median_ms)
    };
    // The data's order last, should a tool repeat a (method, name).
    let by_name = |a: usize, b: usize| {
        let (x, y) = (&endpoints[a], &endpoints[b]);
        x.name
            .cmp(&y.name)
            .then_with(|| x.method.cmp(&y.method))
            .then(a.cmp(&b))
    };
    // At most `max` are taken from each ranking and at most `max` skipped
    // (taken by another), so its first 2 × max are all that can matter.
    let depth = 2 * max;
    let slowest = ranking(
        (0..endpoints.len()).filter(|&i| slowness(i).is_some()),
        depth,
        |a, b| {
            let (x, y) = (slowness(a).unwrap_or(0.0), slowness(b).unwrap_or(0.0));
            y.total_cmp(&x).then_with(|| by_name(a, b))
        },
    );
    let failing = ranking(
        (0..endpoints.len()).filter(|&i| endpoints[i].stats.failures > 0),
        depth,
        |a, b| {
            endpoints[b]
                .stats
                .failures
                .cmp(&endpoints[a].stats.failures)
                .then_with(|| by_name(a, b))
        },
    );
    let busiest = ranking(0..endpoints.len(), depth, |a, b| {
        endpoints[b]
            .stats
            .requests
            .cmp(&endpoints[a].stats.requests)
            .then_with(|| by_name(a, b))
    });
    let mut chosen: Vec<usize> = Vec::with_capacity(max);
    let mut lists = [
        slowest.into_iter(),
        failing.into_iter(),
        busiest.into_iter(),
    ];
    let mut exhausted = [false; 3];
    'fill: while chosen.len() < max && exhausted.contains(&false) {
        for (list, done) in lists.iter_mut().zip(exhausted.iter_mut()) {
            if chosen.len() == max {
                break 'fill;
            }
            match list.find(|i| !chosen.contains(i)) {
                Some(i) => chosen.push(i),
                None => *done = true,
            }
        }
    }
    chosen.sort_unstable();
    let line = format!(
        "{} of {} endpoints shown: the slowest (by p95), the most failing and the busiest, in turn; the other {} are in summary.json.",
        format::count(chosen.len() as u64),
        format::count(endpoints.len() as u64),
        format::count((endpoints.len() - chosen.len()) as u64)
    );
    (chosen, Some(line))
}

/// The first `depth` of `items` in `order`, in that order, in memory for
/// 2 × `depth` of them whatever their number: the buffer is cut back to its
/// best `depth` whenever it fills.
fn ranking(
    items: impl Iterator<Item = usize>,
    depth: usize,
    order: impl Fn(usize, usize) -> Ordering,
) -> Vec<usize> {
    let mut best: Vec<usize> = Vec::with_capacity(2 * depth + 1);
    let cut = |v: &mut Vec<usize>| {
        if v.len() > depth {
            v.select_nth_unstable_by(depth, |&a, &b| order(a, b));
            v.truncate(depth);
        }
    };
    for i in items {
        best.push(i);
        if best.len() > 2 * depth {
            cut(&mut best);
        }
    }
    cut(&mut best);
    best.sort_unstable_by(|&a, &b| order(a, b));
    best
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Percentile, Percentiles, Stats};

    fn endpoint(name: &str, requests: u64, failures: u64, p95: Option<f64>) -> Endpoint {
        Endpoint {
            method: "GET".into(),
            name: name.into(),
            stats: Stats {
                requests,
                failures,
                success_rate: None,
                rps: 0.0,
                failures_per_s: 0.0,
                median_ms: Some(1.0),
                avg_ms: None,
                min_ms: None,
                max_ms: None,
                percentiles_ms: Percentiles(vec![Percentile {
                    label: "95".into(),
                    level: 95.0,
                    value_ms: p95,
                }]),
            },
        }
    }

    #[test]
    fn all_are_shown_up_to_the_limit() {
        let e: Vec<Endpoint> = (0..3)
            .map(|i| endpoint(&i.to_string(), 1, 0, None))
            .collect();
        assert_eq!(shown(&e, 3), (vec![0, 1, 2], None));
    }

    #[test]
    fn the_slowest_the_most_failing_and_the_busiest_are_taken_in_turn() {
        let e = vec![
            endpoint("a", 10, 0, Some(5.0)),
            endpoint("b", 500, 0, Some(1.0)),  // busiest
            endpoint("c", 10, 9, Some(2.0)),   // most failing
            endpoint("d", 10, 0, Some(90.0)),  // slowest
            endpoint("e", 400, 0, Some(80.0)), // 2nd slowest, 2nd busiest
            endpoint("f", 10, 3, Some(1.0)),   // 2nd most failing
            endpoint("g", 10, 0, None),        // no p95: its median, 1 ms
        ];
        // Turn 1: d (slowest), c (failing), b (busiest); turn 2: e (next
        // slowest), f (next failing).
        let (chosen, line) = shown(&e, 5);
        assert_eq!(chosen, vec![1, 2, 3, 4, 5]);
        assert_eq!(
            line.as_deref(),
            Some(
                "5 of 7 endpoints shown: the slowest (by p95), the most failing and the busiest, in turn; the other 2 are in summary.json."
            )
        );
        let (chosen, _) = shown(&e, 6);
        // The 6th: the next busiest not taken; of the endpoints tied at 10
        // requests, a comes first by name.
        assert_eq!(chosen, vec![0, 1, 2, 3, 4, 5]);
        let (chosen, _) = shown(&e, 1);
        assert_eq!(chosen, vec![3]);
    }

    #[test]
    fn rankings_that_run_out_leave_the_others_to_fill() {
        // No failures at all: the slowest and the busiest alternate.
        let e: Vec<Endpoint> = (0..100)
            .map(|i| endpoint(&format!("{i:03}"), i, 0, Some((100 - i) as f64)))
            .collect();
        let (chosen, _) = shown(&e, 4);
        // Slowest: 000, 001; busiest: 099, 098.
        assert_eq!(chosen, vec![0, 1, 98, 99]);
    }
}
