//! The shape of an Artillery 2 report (`artillery run --output FILE`), as
//! typed serde structs: only the fields loadgate reads; every other field
//! (`rates`, `histograms`, `firstCounterAt`, …) is skipped unread.

use std::collections::BTreeMap;

use serde::Deserialize;

/// The whole report: the run's totals and one entry per reporting period.
#[derive(Debug, Deserialize)]
pub(super) struct Report {
    pub(super) aggregate: Period,
    pub(super) intermediate: Vec<Period>,
}

/// The metrics of the run (`aggregate`) or of one period (`intermediate[]`).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Period {
    #[serde(default)]
    pub(super) counters: BTreeMap<String, u64>,
    #[serde(default)]
    pub(super) summaries: BTreeMap<String, Summary>,
    /// Unix ms of the first and last metric recorded.
    pub(super) first_metric_at: Option<u64>,
    pub(super) last_metric_at: Option<u64>,
    /// Unix ms of the period's start: a number, or a numeric string in some
    /// Artillery versions.
    pub(super) period: Option<Stamp>,
}

/// A Unix time in ms, as a number or a numeric string.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub(super) enum Stamp {
    Number(u64),
    Text(String),
}

impl Stamp {
    pub(super) fn ms(&self) -> Option<u64> {
        match self {
            Stamp::Number(n) => Some(*n),
            Stamp::Text(s) => s.trim().parse().ok(),
        }
    }
}

/// A summary (Artillery's DDSketch, summarised): response times in ms.
#[derive(Debug, Clone, Deserialize)]
pub(super) struct Summary {
    pub(super) min: f64,
    pub(super) max: f64,
    pub(super) mean: f64,
    pub(super) p50: Option<f64>,
    pub(super) median: Option<f64>,
    pub(super) p75: Option<f64>,
    pub(super) p90: Option<f64>,
    pub(super) p95: Option<f64>,
    pub(super) p99: Option<f64>,
    pub(super) p999: Option<f64>,
}

impl Summary {
    /// (label, value) per percentile loadgate reports, p50 falling back to
    /// the median.
    pub(super) fn levels(&self) -> [(&'static str, Option<f64>); 6] {
        [
            ("50", self.p50.or(self.median)),
            ("75", self.p75),
            ("90", self.p90),
            ("95", self.p95),
            ("99", self.p99),
            ("99.9", self.p999),
        ]
    }

    /// The name of the first negative value, if any.
    pub(super) fn negative(&self) -> Option<&'static str> {
        let fields = [
            ("min", Some(self.min)),
            ("max", Some(self.max)),
            ("mean", Some(self.mean)),
            ("median", self.median),
        ];
        fields
            .into_iter()
            .chain(
                self.levels()
                    .into_iter()
                    .zip(["p50", "p75", "p90", "p95", "p99", "p999"])
                    .map(|((_, v), name)| (name, v)),
            )
            .find(|(_, v)| v.is_some_and(|v| v < 0.0))
            .map(|(name, _)| name)
    }
}

/// Only whether the top level has `aggregate` and `intermediate`.
#[derive(Deserialize)]
pub(super) struct Shape {
    #[allow(dead_code)]
    pub(super) aggregate: serde::de::IgnoredAny,
    #[allow(dead_code)]
    pub(super) intermediate: serde::de::IgnoredAny,
}
