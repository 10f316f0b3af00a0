//! `PREFIX_stats.csv`: the `Aggregated` total and one row per endpoint.

use std::path::Path;

use super::rows::*;
use crate::ingest::InputError;
use crate::model::{Endpoint, Percentile, Percentiles, Stats, success_rate};

/// The columns of one stats row, resolved once per file.
pub(super) struct StatsColumns {
    pub(super) requests: usize,
    pub(super) failures: usize,
    pub(super) median: usize,
    pub(super) avg: usize,
    pub(super) min: usize,
    pub(super) max: usize,
    pub(super) rps: usize,
    pub(super) failures_per_s: usize,
    pub(super) percentiles: Vec<(usize, String, f64)>,
    /// The percentile columns without values, which every row's share.
    columns: Percentiles,
}

impl StatsColumns {
    pub(super) fn new(h: &Header<'_>) -> Result<Self, InputError> {
        Ok(StatsColumns {
            requests: h.require_or_old("Request Count")?,
            failures: h.require_or_old("Failure Count")?,
            median: h.require_or_old("Median Response Time")?,
            avg: h.require_or_old("Average Response Time")?,
            min: h.require_or_old("Min Response Time")?,
            max: h.require_or_old("Max Response Time")?,
            rps: h.require("Requests/s")?,
            failures_per_s: h.require_or_old("Failures/s")?,
            columns: h
                .percentiles()
                .into_iter()
                .map(|(_, label, level)| Percentile {
                    label,
                    level,
                    value_ms: None,
                })
                .collect(),
            percentiles: h.percentiles(),
        })
    }

    pub(super) fn read(&self, row: &Row<'_>) -> Result<Stats, InputError> {
        let requests = row.count(self.requests)?;
        let failures = row.count(self.failures)?;
        if failures > requests {
            return Err(row.error(
                Some(self.failures),
                format!("{failures} failures is more than the {requests} requests"),
            ));
        }
        let mut values = Vec::with_capacity(self.percentiles.len());
        for (col, _, _) in &self.percentiles {
            values.push(row.opt_number(*col)?);
        }
        // Locust writes 0 for min/avg/median/max of an entry with no requests;
        // those zeros are not response times.
        let time = |col| -> Result<Option<f64>, InputError> {
            let v = row.opt_number(col)?;
            Ok(if requests == 0 { None } else { v })
        };
        Ok(Stats {
            requests,
            failures,
            success_rate: success_rate(requests, failures),
            rps: row.number(self.rps)?,
            failures_per_s: row.number(self.failures_per_s)?,
            median_ms: time(self.median)?,
            avg_ms: time(self.avg)?,
            min_ms: time(self.min)?,
            max_ms: time(self.max)?,
            percentiles_ms: self.columns.with_values(values),
        })
    }
}

/// Read `_stats.csv`: the `Aggregated` total and the endpoint rows.
pub fn read_stats(path: &Path) -> Result<(Stats, Vec<Endpoint>), InputError> {
    let mut reader = open_csv(path)?;
    let header = Header::read(&mut reader, path)?;
    let type_col = header.require("Type")?;
    let name_col = header.require("Name")?;
    let columns = StatsColumns::new(&header)?;
    let mut total: Option<Stats> = None;
    let mut endpoints = Vec::new();
    let rows = for_each_row(&mut reader, &header, |row| {
        let stats = columns.read(row)?;
        if row.is_aggregated(type_col, name_col) {
            if total.is_some() {
                return Err(row.error(None, "a second `Aggregated` row".into()));
            }
            total = Some(stats);
        } else {
            endpoints.push(Endpoint {
                method: row.str(type_col).to_string(),
                name: row.str(name_col).to_string(),
                stats,
            });
        }
        Ok(())
    })?;
    match total {
        Some(total) => Ok((total, endpoints)),
        None => Err(InputError {
            path: path.to_path_buf(),
            line: None,
            column: None,
            message: if rows == 0 {
                "no rows after the header: the stats file is empty".into()
            } else {
                "no `Aggregated` row (the total, with an empty Type): is this a Locust stats file?"
                    .into()
            },
        }),
    }
}
