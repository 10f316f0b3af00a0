//! The Vegeta reader: `vegeta report -type=json` (`vegeta attack … | vegeta
//! report -type=json > NAME.vegeta.json`) into [`ScenarioData`]. The file is
//! the whole result set, a summary with no time series: scenario `NAME`.
//!
//! **Which files.** `NAME.vegeta.json` by name; a plain `NAME.json` (which
//! Locust claims for its `--json-file` output) when its content is
//! Vegeta's: a JSON object with `latencies`, `status_codes`, `success` and
//! `wait`, which no other tool writes. A file of several reports one after
//! the other (`vegeta report -type=json -every=1s -output=FILE` writes one
//! per interval, each over every result so far) is read as its last one.
//!
//! How a report maps onto the model (Vegeta 12's `lib/metrics.go`, whose
//! durations are **nanoseconds**, converted to ms):
//!
//! - **Requests** = `requests`; `status_codes` must add up to it.
//! - **Failures**: the responses with a code outside 200–399 (Vegeta's own
//!   notion of success, behind its `success` ratio), code `0` being a request
//!   that got no response (a timeout, a refused connection).
//! - **Response times** from `latencies`: `min`, `max`, `mean`, and the
//!   percentiles `50th` (also the median), `90th`, `95th`, `99th` as levels
//!   50, 90, 95, 99, none other. Vegeta's percentiles are t-digest estimates
//!   (compression 100), kept as written; min, max and mean are exact.
//! - **Run length** `duration + wait`: from the first request's start
//!   (`earliest`) to the last response's end (`end`), as `vegeta report`'s
//!   text prints it as the total duration. Requests/s and failures/s are the
//!   counts over it; Vegeta's `rate` is over `duration` alone (first to last
//!   request sent), and its `throughput` is the successes over the same
//!   total, so `throughput` × run length = requests − failures.
//! - **Endpoints**: none. A report aggregates every target of the attack.
//! - **Failures table**: one row per failing code (`HTTP 503`); code 0's row
//!   carries the distinct transport errors of the report's `errors` (which
//!   has no counts; status errors there are the status lines, `503 Service
//!   Unavailable`, and are left out).
//! - **Not in the file**: a time series (no history: no windowed check, no
//!   steady state), users (Vegeta's is an open model at a rate), the Vegeta
//!   version, histograms (`buckets` are a few counts; no rank test).

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use crate::ingest::{HistoryObserver, Ingested, InputError, Reader, one_file};
use crate::model::{
    FailureRow, Percentile, Percentiles, ResultFiles, Role, ScenarioData, Stats, ToolInfo,
    success_rate,
};

/// The Vegeta reader (see the module doc).
pub struct Vegeta;

const SUFFIX: &str = ".vegeta.json";

/// The format, as errors name it.
const WHAT: &str = "a Vegeta report (vegeta report -type=json)";

/// The largest report read: Vegeta writes a few KB (more with many
/// distinct errors).
const MAX_BYTES: u64 = 64 << 20;

/// How much of a file is looked at to tell whether it is Vegeta's.
const HEAD_BYTES: u64 = 64 * 1024;

/// At most this many transport errors are named in the code-0 failure row.
const MAX_ERRORS_NAMED: usize = 3;

const NS_PER_MS: f64 = 1e6;

impl Reader for Vegeta {
    fn tool(&self) -> &'static str {
        "vegeta"
    }

    fn display_name(&self) -> &'static str {
        "Vegeta"
    }

    fn no_histograms(&self) -> String {
        "Vegeta's JSON report holds percentiles only".into()
    }

    fn files_hint(&self) -> &'static str {
        "Vegeta's *.vegeta.json (`vegeta report -type=json > NAME.vegeta.json`)"
    }

    /// `NAME.vegeta.json` → (`NAME`, stats): the report is the whole set.
    fn claim(&self, file_name: &str) -> Option<(String, Role)> {
        one_file::claim_suffix(file_name, SUFFIX)
    }

    fn looks_like_result(&self, file_name: &[u8]) -> bool {
        file_name.ends_with(SUFFIX.as_bytes())
    }

    /// A JSON object with Vegeta's keys (see the module doc).
    fn recognises(&self, path: &Path) -> bool {
        one_file::json_object_with(
            &one_file::head_text(path, HEAD_BYTES),
            &[
                "\"latencies\":{",
                "\"status_codes\":",
                "\"success\":",
                "\"wait\":",
            ],
        )
    }

    /// A plain `NAME.json` whose content is Vegeta's.
    fn claim_by_content(&self, path: &Path) -> Option<(String, Role)> {
        one_file::claim_stem(path, ".json", |p| self.recognises(p))
    }

    /// The progress bar is not advanced: a report is read at once.
    fn read(
        &self,
        files: &ResultFiles,
        _observer: Option<&mut (dyn HistoryObserver + '_)>,
        _progress: Option<&indicatif::ProgressBar>,
    ) -> Ingested {
        one_file::read_one(files, read_report)
    }
}

/// A report (Vegeta's `Metrics`), as typed serde structs: only the fields
/// loadgate reads (`bytes_in`, `bytes_out`, `buckets`, the timestamps and
/// Vegeta's own rates are skipped unread).
#[derive(Debug, Deserialize)]
struct Report {
    latencies: Latencies,
    /// ns, first to last request sent.
    duration: u64,
    /// ns, the last request sent to the last response's end (Vegeta before
    /// 9 had none).
    #[serde(default)]
    wait: u64,
    requests: u64,
    #[serde(default)]
    status_codes: BTreeMap<String, u64>,
    /// Distinct errors, without counts (`null` when Go's slice was nil).
    #[serde(default)]
    errors: Option<Vec<String>>,
}

/// `latencies`, in ns.
#[derive(Debug, Deserialize)]
struct Latencies {
    mean: u64,
    #[serde(rename = "50th")]
    p50: u64,
    #[serde(rename = "90th")]
    p90: u64,
    #[serde(rename = "95th")]
    p95: u64,
    #[serde(rename = "99th")]
    p99: u64,
    max: u64,
    min: u64,
}

/// A JSON error at its line, `at` naming the key path (or empty).
fn json_error(path: &Path, at: &str, line: usize, inner: &serde_json::Error) -> InputError {
    InputError {
        path: path.to_path_buf(),
        line: Some(line as u64).filter(|l| *l > 0),
        column: None,
        message: format!("not {WHAT}:{at}: {inner}"),
    }
}

/// Parse the file's last report: typed, every error with its line and JSON
/// path.
fn parse(path: &Path) -> Result<Report, InputError> {
    let text = one_file::read_text(path, MAX_BYTES)?;
    one_file::json_object_start(path, &text, WHAT)?;
    let text = text.as_str();
    // Where each report starts: one, or one per `-every` interval.
    let mut last = 0;
    let mut stream = serde_json::Deserializer::from_str(text).into_iter::<serde::de::IgnoredAny>();
    let mut start = 0;
    while let Some(doc) = stream.next() {
        doc.map_err(|e| json_error(path, "", e.line(), &e))?;
        last = start;
        start = stream.byte_offset();
    }
    let before = text[..last].matches('\n').count();
    let mut de = serde_json::Deserializer::from_str(&text[last..]);
    let report: Report = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let at = format!(" at {}", e.path());
        let inner = e.into_inner();
        json_error(path, &at, inner.line() + before, &inner)
    })?;
    Ok(report)
}

/// A failing status code's row wording, `None` for a success (200–399).
fn failing(path: &Path, code: &str) -> Result<Option<u16>, InputError> {
    let n: u16 = code.parse().map_err(|_| {
        InputError::file(
            path,
            format!("status_codes: `{code}` is not an HTTP status code"),
        )
    })?;
    Ok((!(200..400).contains(&n)).then_some(n))
}

/// Whether an entry of `errors` is a status line (`503 Service
/// Unavailable`), which Vegeta records for every failing code.
fn is_status_line(error: &str) -> bool {
    let b = error.as_bytes();
    b.len() >= 3 && b[..3].iter().all(u8::is_ascii_digit) && (b.len() == 3 || b[3] == b' ')
}

/// The code-0 row's wording: the transport errors, a few of them named.
fn no_response(errors: &[String]) -> String {
    let transport: Vec<&str> = errors
        .iter()
        .map(String::as_str)
        .filter(|e| !is_status_line(e))
        .collect();
    match transport.len() {
        0 => "no response (status 0)".to_string(),
        n if n <= MAX_ERRORS_NAMED => format!("no response: {}", transport.join("; ")),
        n => format!(
            "no response: {}; and {} more distinct errors",
            transport[..MAX_ERRORS_NAMED].join("; "),
            n - MAX_ERRORS_NAMED
        ),
    }
}

/// Read one report into the model; warnings beside.
fn read_report(path: &Path) -> Result<(ScenarioData, Vec<String>), InputError> {
    use crate::format::ShowPath;
    let report = parse(path)?;
    let requests = report.requests;
    let mut counted = 0u64;
    let mut failures = 0u64;
    let mut rows = Vec::new();
    let errors = report.errors.as_deref().unwrap_or_default();
    for (code, &n) in &report.status_codes {
        counted = counted.saturating_add(n);
        if let Some(status) = failing(path, code)? {
            failures = failures.saturating_add(n);
            let error = if status == 0 {
                no_response(errors)
            } else {
                format!("HTTP {status}")
            };
            rows.push(FailureRow {
                method: String::new(),
                name: String::new(),
                error,
                occurrences: n,
            });
        }
    }
    rows.retain(|r| r.occurrences > 0);
    rows.sort_by(|a, b| {
        b.occurrences
            .cmp(&a.occurrences)
            .then_with(|| a.error.cmp(&b.error))
    });
    if counted != requests {
        return Err(InputError::file(
            path,
            format!("status_codes: the counts add up to {counted}, but requests is {requests}"),
        ));
    }
    let span_ns = report.duration.saturating_add(report.wait);
    let duration_s = span_ns as f64 / 1e9;
    let per_s = |n: u64| {
        if span_ns > 0 {
            n as f64 / duration_s
        } else {
            0.0
        }
    };
    let lat = &report.latencies;
    let ms = |ns: u64| (requests > 0).then(|| ns as f64 / NS_PER_MS);
    let percentiles = [
        ("50", lat.p50),
        ("90", lat.p90),
        ("95", lat.p95),
        ("99", lat.p99),
    ]
    .into_iter()
    .map(|(label, ns)| Percentile {
        label: label.to_string(),
        level: label.parse().unwrap_or(0.0),
        value_ms: ms(ns),
    })
    .collect();
    let totals = Stats {
        requests,
        failures,
        success_rate: success_rate(requests, failures),
        rps: per_s(requests),
        failures_per_s: per_s(failures),
        median_ms: ms(lat.p50),
        avg_ms: ms(lat.mean),
        min_ms: ms(lat.min),
        max_ms: ms(lat.max),
        percentiles_ms: Percentiles(percentiles),
    };
    let mut warnings = Vec::new();
    if requests == 0 {
        warnings.push(format!("{}: the report holds no requests", path.show()));
    }
    let data = ScenarioData {
        tool: ToolInfo {
            name: "vegeta",
            version: None,
        },
        totals,
        endpoints: Vec::new(),
        history: None,
        failures: rows,
        exceptions: Vec::new(),
        histograms: None,
    };
    Ok((data, warnings))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(name: &str, text: &str) -> (tempfile::TempDir, std::path::PathBuf) {
        let d = tempfile::tempdir().unwrap();
        let path = d.path().join(name);
        std::fs::write(&path, text).unwrap();
        (d, path)
    }

    /// The README's example report (tsenart/vegeta), with failing codes
    /// and errors added.
    const REPORT: &str = r#"{"latencies":{"total":237119463,"mean":2371194,"50th":2854306,"90th":3228223,"95th":3478629,"99th":3530000,"max":3660505,"min":1949582},"buckets":{"0":9952,"1000000":40},"bytes_in":{"total":606700,"mean":6067},"bytes_out":{"total":0,"mean":0},"earliest":"2015-09-19T14:45:50.645818631+02:00","latest":"2015-09-19T14:45:51.635818575+02:00","end":"2015-09-19T14:45:51.639325797+02:00","duration":989999944,"wait":3507222,"requests":100,"rate":101.01010672380401,"throughput":101.00012489812,"success":0.9,
"status_codes":{"0":4,"200":90,"302":1,"503":5},"errors":["503 Service Unavailable","Get \"http://x/a\": dial tcp: connection refused"]}
"#;

    #[test]
    fn claims_its_names_and_recognises_its_content() {
        assert_eq!(
            Vegeta.claim("run.vegeta.json"),
            Some(("run".into(), Role::Stats))
        );
        assert_eq!(Vegeta.claim(".vegeta.json"), None);
        assert_eq!(Vegeta.claim("run.json"), None);
        let (_d, path) = file("plain.json", REPORT);
        assert!(Vegeta.recognises(&path));
        assert_eq!(
            Vegeta.claim_by_content(&path),
            Some(("plain".into(), Role::Stats))
        );
        let (_d, other) = file("a.json", r#"{"latency":{},"requests":{},"non2xx":0}"#);
        assert!(!Vegeta.recognises(&other));
    }

    #[test]
    fn nanoseconds_become_milliseconds_and_codes_failures() {
        let (_d, path) = file("r.vegeta.json", REPORT);
        let (data, warnings) = read_report(&path).unwrap();
        assert!(warnings.is_empty(), "{warnings:?}");
        let t = &data.totals;
        assert_eq!((t.requests, t.failures), (100, 9));
        assert_eq!(t.success_rate, Some(91.0));
        let span = (989_999_944.0 + 3_507_222.0) / 1e9;
        assert_eq!(t.rps, 100.0 / span);
        assert_eq!(t.median_ms, Some(2.854306));
        assert_eq!((t.min_ms, t.max_ms), (Some(1.949582), Some(3.660505)));
        assert_eq!(t.avg_ms, Some(2.371194));
        assert_eq!(t.percentiles_ms.labels(), ["50", "90", "95", "99"]);
        assert_eq!(t.percentiles_ms.get(99.0), Some(Some(3.53)));
        assert!(data.endpoints.is_empty() && data.history.is_none());
        let rows: Vec<(&str, u64)> = data
            .failures
            .iter()
            .map(|f| (f.error.as_str(), f.occurrences))
            .collect();
        assert_eq!(
            rows,
            [
                ("HTTP 503", 5),
                (
                    "no response: Get \"http://x/a\": dial tcp: connection refused",
                    4
                )
            ]
        );
    }

    #[test]
    fn the_last_of_several_reports_is_the_run() {
        let early = REPORT
            .replace("\"requests\":100", "\"requests\":10")
            .replace(r#"{"0":4,"200":90,"302":1,"503":5}"#, r#"{"200":10}"#);
        let (_d, path) = file("e.vegeta.json", &format!("{early}{REPORT}"));
        let (data, _) = read_report(&path).unwrap();
        assert_eq!(data.totals.requests, 100);
        // An error in the second report is on its own line.
        let bad = REPORT.replace("\"requests\":100", "\"requests\":-1");
        let (_d, path) = file("b.vegeta.json", &format!("{early}{bad}"));
        let e = read_report(&path).unwrap_err();
        assert_eq!(e.line, Some(3), "{e}");
        assert!(e.message.contains("at requests"), "{e}");
    }

    #[test]
    fn malformed_reports_are_located() {
        let (_d, path) = file("t.vegeta.json", &REPORT[..200]);
        let e = read_report(&path).unwrap_err();
        assert_eq!(e.line, Some(1), "{e}");
        let (_d, path) = file(
            "w.vegeta.json",
            &REPORT.replace("\"50th\":2854306", "\"50th\":\"2.8ms\""),
        );
        let e = read_report(&path).unwrap_err();
        assert!(e.message.contains("at latencies.50th"), "{e}");
        let (_d, path) = file(
            "s.vegeta.json",
            &REPORT.replace("\"requests\":100", "\"requests\":101"),
        );
        let e = read_report(&path).unwrap_err();
        assert!(
            e.message.contains("add up to 100, but requests is 101"),
            "{e}"
        );
        let (_d, path) = file("c.vegeta.json", &REPORT.replace("\"302\"", "\"3xx\""));
        let e = read_report(&path).unwrap_err();
        assert!(
            e.message.contains("`3xx` is not an HTTP status code"),
            "{e}"
        );
        let (_d, path) = file("e.vegeta.json", "");
        assert!(read_report(&path).unwrap_err().message.contains("empty"));
    }

    #[test]
    fn no_requests_no_times_and_many_errors_are_cut() {
        let empty = r#"{"latencies":{"total":0,"mean":0,"50th":0,"90th":0,"95th":0,"99th":0,"max":0,"min":0},"duration":0,"wait":0,"requests":0,"rate":0,"throughput":0,"success":0,"status_codes":{},"errors":[]}"#;
        let (_d, path) = file("z.vegeta.json", empty);
        let (data, warnings) = read_report(&path).unwrap();
        assert_eq!(data.totals.median_ms, None);
        assert_eq!(data.totals.rps, 0.0);
        assert_eq!(data.stats_span_s(), None);
        assert!(warnings[0].contains("no requests"));
        let errors: Vec<String> = (0..5).map(|i| format!("dial {i}")).collect();
        assert_eq!(
            no_response(&errors),
            "no response: dial 0; dial 1; dial 2; and 2 more distinct errors"
        );
        assert!(is_status_line("503 Service Unavailable") && !is_status_line("Get x"));
    }

    /// Every prefix of a real file, and the file with any one byte replaced
    /// by a quote or a digit, is read or refused: never a panic.
    #[test]
    fn no_cut_or_corrupted_file_panics() {
        let real = include_str!("../../fixtures/vegeta/stalled.vegeta.json");
        let d = tempfile::tempdir().unwrap();
        let path = d.path().join("f.json");
        let mut tries = Vec::new();
        for end in 0..real.len() {
            tries.push(real.as_bytes()[..end].to_vec());
        }
        for i in 0..real.len() {
            for b in [b'"', b'9', b'-'] {
                let mut bytes = real.as_bytes().to_vec();
                bytes[i] = b;
                tries.push(bytes);
            }
        }
        for bytes in tries {
            std::fs::write(&path, &bytes).unwrap();
            let _ = read_report(&path);
        }
        std::fs::write(&path, real).unwrap();
        assert!(read_report(&path).is_ok());
    }
}
