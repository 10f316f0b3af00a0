//! The charts' unit tests, by topic, with the histories they draw.

mod bars;
mod marks;
mod scenario;
mod series;
mod slug;
mod style;

use crate::model::{History, HistoryPercentiles, HistoryPoint};

fn point(t: i64, users: u64, rps: f64, percentiles: &[Option<f64>]) -> HistoryPoint {
    HistoryPoint {
        timestamp: t,
        users,
        rps,
        failures_per_s: rps / 10.0,
        percentiles_ms: percentiles.to_vec(),
        total_requests: 0,
        total_failures: 0,
    }
}

fn labels(l: &[&str]) -> Vec<String> {
    l.iter().map(|s| s.to_string()).collect()
}

/// A 1 Hz history of `n` points with p50/p95/p99 and an N/A first point.
fn history(n: usize) -> History {
    let t0 = 1_795_824_570;
    History {
        percentile_labels: labels(&["50", "66", "95", "99"]),
        percentiles: HistoryPercentiles::Cumulative,
        anomalies: Vec::new(),
        wall_clock: true,
        tick_s: 1,
        users_known: true,
        points: (0..n)
            .map(|i| {
                let x = i as f64;
                let p = if i == 0 {
                    vec![None; 4]
                } else {
                    vec![
                        Some(10.0 + x % 7.0),
                        Some(12.0 + x % 5.0),
                        Some(30.0 + x % 11.0),
                        Some(45.0 + x % 13.0),
                    ]
                };
                point(t0 + i as i64, (i as u64).min(50), 20.0 + x % 3.0, &p)
            })
            .collect(),
    }
}
