//! The Locust reader: `PREFIX_stats.csv`, `_stats_history.csv`,
//! `_failures.csv` and `_exceptions.csv` into [`ScenarioData`].
//!
//! Columns are found by header name, percentile columns by their `%` suffix;
//! unknown columns are ignored. `N/A` means "no value". The `Aggregated` row
//! (empty `Type`) is the scenario total. A history file whose last line was
//! cut short by a killed run is read up to its last whole line, with a
//! warning; every other malformed value is an [`InputError`] with the file,
//! the line and the column.

use crate::format::ShowPath;

use crate::ingest::{HistoryObserver, InputError};

mod failures;
mod history;
mod json;
mod rows;
mod stats;
#[cfg(test)]
mod tests;

pub use failures::{read_exceptions, read_failures};
pub use history::{locust_bucket_ms, read_history, read_history_with_progress};
pub use json::read_json;
pub use stats::read_stats;

use crate::model::{ResultFiles, ScenarioData};

/// What reading a result set produced: the data when `_stats.csv` was
/// readable, plus warnings and errors from any of its files.
#[derive(Debug, Default)]
pub struct Ingested {
    pub data: Option<ScenarioData>,
    pub warnings: Vec<String>,
    pub errors: Vec<InputError>,
}

/// Read every file of one result set. Never panics on bad input; a broken
/// optional file is reported as an error while the rest is still read.
pub fn read_result_set(
    files: &ResultFiles,
    observer: Option<&mut (dyn HistoryObserver + '_)>,
) -> Ingested {
    read_result_set_with_progress(files, observer, None)
}

/// [`read_result_set`], advancing `progress` by the history bytes read.
pub fn read_result_set_with_progress(
    files: &ResultFiles,
    probes: Option<&mut (dyn HistoryObserver + '_)>,
    progress: Option<&indicatif::ProgressBar>,
) -> Ingested {
    let mut out = Ingested::default();
    let Some(stats_path) = &files.stats else {
        return out;
    };
    let (totals, endpoints) = match read_stats(stats_path) {
        Ok(v) => v,
        Err(e) => {
            out.errors.push(e);
            return out;
        }
    };
    let history = match &files.history {
        Some(path) => match read_history_with_progress(path, probes, progress) {
            Ok((history, warning)) => {
                out.warnings.extend(warning);
                history
            }
            Err(e) => {
                out.errors.push(e);
                None
            }
        },
        None => None,
    };
    let failures = match &files.failures {
        Some(path) => read_failures(path).unwrap_or_else(|e| {
            out.errors.push(e);
            Vec::new()
        }),
        None => Vec::new(),
    };
    let exceptions = match &files.exceptions {
        Some(path) => read_exceptions(path).unwrap_or_else(|e| {
            out.errors.push(e);
            Vec::new()
        }),
        None => Vec::new(),
    };
    let histograms = match &files.json {
        Some(path) => read_json(path).map(Some).unwrap_or_else(|e| {
            out.errors.push(e);
            None
        }),
        None => None,
    };
    let histograms = histograms.and_then(|h| {
        let json_requests = h
            .total
            .values()
            .fold(0u64, |a, &n| a.saturating_add(n));
        let path = files.json.as_deref().unwrap_or(stats_path);
        if h.endpoints.is_empty() {
            out.warnings.push(format!(
                "{}: holds no entries (`[]`), so there is no rank test: Locust 2.47 writes an empty list when --json is given together with --json-file; drop --json",
                path.show()
            ));
            return None;
        }
        if json_requests > totals.requests {
            out.warnings.push(format!(
                "{} counts {} requests, {} {}: Locust writes its CSV files before the last requests in flight finish; loadgate judges the CSV's figures, and the rank test uses the JSON's histograms",
                path.show(),
                crate::format::count(json_requests),
                stats_path.show(),
                crate::format::count(totals.requests)
            ));
        }
        Some(h)
    });
    out.data = Some(ScenarioData {
        totals,
        endpoints,
        history,
        failures,
        exceptions,
        histograms,
    });
    out
}
