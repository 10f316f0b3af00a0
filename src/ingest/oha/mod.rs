//! The oha reader: oha's JSON summary (`oha --no-tui --output-format json
//! URL > NAME.oha.json`; before oha 1.9, `-j`/`--json`) into
//! [`ScenarioData`]. The file is the whole result set: `NAME.oha.json` is
//! scenario `NAME`, and so is a plain `NAME.json` whose content is oha's
//! (Locust's `--json-file` output, which Locust claims by that name, is a
//! list, never an object with oha's keys).
//!
//! The summary holds what oha computed, not the requests, so the scenario
//! holds only what the file says (oha 1.16's `print_json`; the same keys
//! since 0.6):
//!
//! - **Recognised** as a JSON object with `summary` (`successRate`,
//!   `requestsPerSec`), `latencyPercentiles` and `statusCodeDistribution`.
//!   A malformed or missing value is an [`InputError`] naming the file, the
//!   line and the JSON path (`summary.total`).
//! - **Requests** are the responses (`statusCodeDistribution`, every status)
//!   plus the requests that got none (`errorDistribution`: a refused
//!   connection, a `-t` timeout), except those oha cut itself at the `-z`
//!   deadline (`aborted due to deadline`): a run stopped by the clock is not
//!   a failure, and oha's own `successRate` leaves them out too (since 1.6).
//!   oha's `requestsPerSec` counts them, so loadgate's requests/s can be
//!   slightly lower than oha's.
//! - **Failures** are the responses with a status of 400 or more plus those
//!   errors. oha's `successRate` is another figure: the share of requests
//!   that got any response, a 500 included.
//! - **Response times** (seconds in the file, ms in loadgate) are oha's over
//!   every response, any status: `fastest`, `slowest`, `average`, and each
//!   `latencyPercentiles` key `pN` as percentile `N` (oha 1.16 writes p10,
//!   p25, p50, p75, p90, p95, p99, p99.9 and p99.99; the median is p50). oha
//!   takes the value at 0-based index ⌊N/100 × n⌋ of the sorted times, one
//!   rank above nearest rank where N/100 × n is whole; kept as written.
//!   Requests without a response have no time. oha writes `null` (NaN) when
//!   there were no responses: no value.
//! - **Run length** is `summary.total` (oha's whole run, seconds); requests/s
//!   and failures/s are over it.
//! - **Endpoint.** The file does not name the URL (or the URLs of
//!   `--urls-from-file`), so the run is one endpoint named after the
//!   scenario, method empty, with the totals' figures.
//! - **Failures table**: one row per status of 400 or more (`HTTP 503`) and
//!   per error message, as oha words it.
//! - **No history** (no time series: a windowed threshold cannot be
//!   checked), **no histograms** (oha's `responseTimeHistogram` has 11
//!   buckets: no rank test), no user count (`-c` is not in the file), no
//!   version (the file records none).

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use crate::format::ShowPath;
use crate::ingest::{HistoryObserver, Ingested, InputError, Reader, one_file};
use crate::model::{
    Endpoint, FailureRow, Percentile, Percentiles, ResultFiles, Role, ScenarioData, Stats,
    ToolInfo, success_rate,
};

#[cfg(test)]
mod tests;

/// The oha reader (see the module doc).
pub struct Oha;

const SUFFIX: &str = ".oha.json";

/// The format, as errors name it.
const WHAT: &str = "an oha JSON summary (oha --output-format json)";

/// oha's name for a request it cut at the `-z` deadline (`ClientError::Deadline`).
const DEADLINE: &str = "aborted due to deadline";

/// The largest summary read: oha writes a few KB (one key per error message).
const MAX_BYTES: u64 = 64 << 20;

/// The part of oha's JSON that is read; other keys are ignored.
#[derive(Deserialize)]
#[serde(
    expecting = "a JSON object with oha's summary, latencyPercentiles, statusCodeDistribution and errorDistribution"
)]
struct Report {
    summary: Summary,
    #[serde(rename = "latencyPercentiles")]
    latency_percentiles: BTreeMap<String, Option<f64>>,
    #[serde(rename = "statusCodeDistribution")]
    status_code_distribution: BTreeMap<String, u64>,
    #[serde(rename = "errorDistribution")]
    error_distribution: BTreeMap<String, u64>,
}

/// `summary`: times in seconds; `null` where oha had NaN (no responses).
#[derive(Deserialize)]
#[serde(expecting = "an object with total, slowest, fastest and average (seconds)")]
struct Summary {
    total: f64,
    slowest: Option<f64>,
    fastest: Option<f64>,
    average: Option<f64>,
}

impl Reader for Oha {
    fn tool(&self) -> &'static str {
        "oha"
    }

    fn files_hint(&self) -> &'static str {
        "oha's *.oha.json (`oha --output-format json URL > NAME.oha.json`)"
    }

    fn no_histograms(&self) -> String {
        "oha's JSON summary holds percentiles and an 11-bucket histogram only".into()
    }

    /// `NAME.oha.json` → (`NAME`, stats): the file is the whole set.
    fn claim(&self, file_name: &str) -> Option<(String, Role)> {
        one_file::claim_suffix(file_name, SUFFIX)
    }

    fn looks_like_result(&self, file_name: &[u8]) -> bool {
        file_name.ends_with(SUFFIX.as_bytes())
    }

    /// A JSON object with oha's `summary` (`successRate`, `requestsPerSec`),
    /// `latencyPercentiles` and `statusCodeDistribution`.
    fn recognises(&self, path: &Path) -> bool {
        one_file::json_object_with(
            &one_file::head_text(path, 256 * 1024),
            &[
                "\"summary\":{",
                "\"successRate\":",
                "\"requestsPerSec\":",
                "\"latencyPercentiles\":{",
                "\"statusCodeDistribution\":{",
            ],
        )
    }

    /// A plain `NAME.json` whose content is oha's (Locust's `--json-file`
    /// output is a list, never an object with oha's keys).
    fn claim_by_content(&self, path: &Path) -> Option<(String, Role)> {
        one_file::claim_stem(path, ".json", |p| self.recognises(p))
    }

    /// The progress bar is not advanced: a summary is read at once.
    fn read(
        &self,
        files: &ResultFiles,
        _observer: Option<&mut (dyn HistoryObserver + '_)>,
        _progress: Option<&indicatif::ProgressBar>,
    ) -> Ingested {
        one_file::read_one(files, read_summary)
    }
}

/// Parse the file: typed, every error with its line and JSON path.
fn parse(path: &Path) -> Result<Report, InputError> {
    one_file::read_json_object(path, MAX_BYTES, WHAT)
}

/// The longest time read, in seconds (about 31 years): a larger one is no
/// request's.
const MAX_SECONDS: f64 = 1e9;

/// A time in seconds from the file as ms; an error naming `key` when it is
/// negative, not finite or implausibly long.
fn ms(path: &Path, key: &str, seconds: Option<f64>) -> Result<Option<f64>, InputError> {
    match seconds {
        None => Ok(None),
        // oha's times are whole nanoseconds: kept at that precision, without
        // the binary noise of × 1000 (0.010358171 s is 10.358171 ms).
        Some(s) if (0.0..=MAX_SECONDS).contains(&s) => Ok(Some((s * 1e9).round() / 1e6)),
        Some(s) => Err(InputError::file(
            path,
            format!("{key}: {s} is not a response time in seconds"),
        )),
    }
}

/// Read one summary into the model; warnings beside.
fn read_summary(path: &Path) -> Result<(ScenarioData, Vec<String>), InputError> {
    let report = parse(path)?;
    let mut warnings = Vec::new();
    let duration_s = report.summary.total;
    if !(0.0..=MAX_SECONDS).contains(&duration_s) {
        return Err(InputError::file(
            path,
            format!("summary.total: {duration_s} is not a run length in seconds"),
        ));
    }
    // The failures table: statuses of 400 or more, then the errors.
    let mut failures: BTreeMap<String, u64> = BTreeMap::new();
    let mut responses: u64 = 0;
    for (code, &n) in &report.status_code_distribution {
        let status: u16 = code.parse().map_err(|_| {
            InputError::file(
                path,
                format!(
                    "statusCodeDistribution.{}: not an HTTP status code",
                    crate::format::display(code)
                ),
            )
        })?;
        responses = add(path, responses, n)?;
        if status >= 400 && n > 0 {
            failures.insert(format!("HTTP {status}"), n);
        }
    }
    let mut errors: u64 = 0;
    for (message, &n) in &report.error_distribution {
        if message == DEADLINE || n == 0 {
            continue;
        }
        errors = add(path, errors, n)?;
        let slot = failures.entry(message.clone()).or_insert(0);
        *slot = add(path, *slot, n)?;
    }
    let requests = add(path, responses, errors)?;
    let failed: u64 = failures.values().try_fold(0, |a, &n| add(path, a, n))?;
    if requests == 0 {
        warnings.push(format!(
            "{}: oha counted no requests (no status and no error other than `{DEADLINE}`)",
            path.show()
        ));
    }
    let mut percentiles = Vec::new();
    for (key, value) in &report.latency_percentiles {
        let level = key
            .strip_prefix('p')
            .and_then(|l| l.parse::<f64>().ok())
            .filter(|l| (0.0..=100.0).contains(l))
            .ok_or_else(|| {
                InputError::file(
                    path,
                    format!(
                        "latencyPercentiles.{}: expected a key pN with N from 0 to 100 (p99.9)",
                        crate::format::display(key)
                    ),
                )
            })?;
        percentiles.push(Percentile {
            label: key[1..].to_string(),
            level,
            value_ms: ms(path, &format!("latencyPercentiles.{key}"), *value)?,
        });
    }
    percentiles.sort_by(|a, b| a.level.total_cmp(&b.level));
    let median_ms = percentiles
        .iter()
        .find(|p| p.level == 50.0)
        .and_then(|p| p.value_ms);
    let per_s = |n: u64| {
        if duration_s > 0.0 {
            n as f64 / duration_s
        } else {
            0.0
        }
    };
    let totals = Stats {
        requests,
        failures: failed,
        success_rate: success_rate(requests, failed),
        rps: per_s(requests),
        failures_per_s: per_s(failed),
        median_ms,
        avg_ms: ms(path, "summary.average", report.summary.average)?,
        min_ms: ms(path, "summary.fastest", report.summary.fastest)?,
        max_ms: ms(path, "summary.slowest", report.summary.slowest)?,
        percentiles_ms: Percentiles(percentiles),
    };
    let name = stem(path);
    let mut failures: Vec<FailureRow> = failures
        .into_iter()
        .map(|(error, occurrences)| FailureRow {
            method: String::new(),
            name: name.clone(),
            error,
            occurrences,
        })
        .collect();
    failures.sort_by(|a, b| {
        b.occurrences
            .cmp(&a.occurrences)
            .then_with(|| a.error.cmp(&b.error))
    });
    Ok((
        ScenarioData {
            tool: ToolInfo {
                name: "oha",
                version: None,
            },
            endpoints: vec![Endpoint {
                method: String::new(),
                name,
                stats: totals.clone(),
            }],
            totals,
            history: None,
            failures,
            exceptions: Vec::new(),
            histograms: None,
        },
        warnings,
    ))
}

/// A sum of counts, an error past 2^64 − 1 rather than a wrapped number.
fn add(path: &Path, a: u64, b: u64) -> Result<u64, InputError> {
    a.checked_add(b).ok_or_else(|| {
        InputError::file(
            path,
            "the counts add up past 2^64 − 1: not a real oha summary",
        )
    })
}

/// The scenario (and so the endpoint) name: the file name without
/// `.oha.json` or `.json`.
fn stem(path: &Path) -> String {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    name.strip_suffix(SUFFIX)
        .or_else(|| name.strip_suffix(".json"))
        .unwrap_or(&name)
        .to_string()
}
