//! The autocannon reader: the result object autocannon prints with `-j`
//! (`autocannon -j URL > NAME.autocannon.json`) into [`ScenarioData`]. The
//! file is the whole result set, a summary with no time series: scenario
//! `NAME`.
//!
//! **Which files.** `NAME.autocannon.json` by name; a plain `NAME.json`
//! (which Locust claims for its `--json-file` output) when its content is
//! autocannon's: a JSON object with `latency` and `requests` objects and the
//! `non2xx` and `timeouts` counts, which no other tool writes. Other names are
//! not looked at.
//!
//! How a result maps onto the model (autocannon 9's `lib/run.js` and
//! `lib/aggregateResult.js`):
//!
//! - **Requests** are the responses (`requests.total`, every status) plus
//!   `errors` (a request that got no response: a connection error, or a
//!   timeout: autocannon counts a timeout in `errors` and again in
//!   `timeouts`). `requests.sent` also counts the requests still in flight
//!   when the run stopped (one per connection), which have no outcome.
//! - **Failures**, autocannon's own notion: `errors` (timeouts included) plus
//!   the responses autocannon reports as failed, `non2xx` (1xx, 3xx, 4xx and
//!   5xx: autocannon follows no redirects) or, with `--expectBody`,
//!   `mismatches`. A response can be both (a 503 whose body is not the
//!   expected one), and the file does not say how many are, so the larger of
//!   the two is taken: exact when every non-2xx body also mismatches (the
//!   usual case), the least it can be otherwise.
//! - **Response times** from `latency` (ms): `mean`, `min`, `max`, and every
//!   percentile it has, `p0_001` … `p99_999` as levels `0.001` … `99.999`
//!   (`p50` is the median). autocannon records each latency into an HDR
//!   histogram of whole milliseconds (the fraction is dropped) with 5
//!   significant digits, so its percentiles are exact nearest-rank values of
//!   the truncated latencies up to 262 s; the mean is rounded up to 0.01 ms.
//!   They cover `latency.totalCount` values: every response by default, the
//!   2xx ones only with `-x`, more than the responses with `-R`'s
//!   coordinated-omission correction (a warning when they differ). No
//!   response, no times.
//! - **Run length** `duration` (s, as autocannon rounds it to 10 ms);
//!   requests/s and failures/s are the counts over it (not autocannon's
//!   `requests.average`, the mean of its per-second samples of responses).
//! - **Endpoint**: one, named by the URL's path and query (`/api/health`; the
//!   host and port change between runs), when `url` is a single URL; several
//!   URLs (one per connection, round robin) are not split, so there is no
//!   endpoint. The method is not in the file (empty).
//! - **Failures table**: one row per status code outside 2xx
//!   (`statusCodeStats`: `HTTP 503`), `request timed out` (`timeouts`),
//!   `connection error` (`errors` − `timeouts`) and `body did not match
//!   --expectBody` (`mismatches`).
//! - **Not in the file**: a time series (no history: no windowed check,
//!   no steady state), users (`connections` is not a history of users), the
//!   autocannon version, histograms (no rank test).

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use crate::ingest::{HistoryObserver, Ingested, InputError, Reader, one_file};
use crate::model::{
    Endpoint, FailureRow, Percentile, Percentiles, ResultFiles, Role, ScenarioData, Stats,
    ToolInfo, success_rate,
};

/// The autocannon reader (see the module doc).
pub struct Autocannon;

const SUFFIX: &str = ".autocannon.json";

/// The format, as errors name it.
const WHAT: &str = "an autocannon result (autocannon -j)";

/// The largest result read: autocannon writes about 1 KB.
const MAX_BYTES: u64 = 16 << 20;

/// How much of a file is looked at to tell whether it is autocannon's: the
/// keys it tells by come in the first kilobyte.
const HEAD_BYTES: u64 = 64 * 1024;

impl Reader for Autocannon {
    fn tool(&self) -> &'static str {
        "autocannon"
    }

    fn no_histograms(&self) -> String {
        "autocannon's -j result holds percentiles only".into()
    }

    fn files_hint(&self) -> &'static str {
        "autocannon's *.autocannon.json (`autocannon -j URL > NAME.autocannon.json`)"
    }

    /// `NAME.autocannon.json` → (`NAME`, stats): the result is the whole set.
    fn claim(&self, file_name: &str) -> Option<(String, Role)> {
        one_file::claim_suffix(file_name, SUFFIX)
    }

    fn looks_like_result(&self, file_name: &[u8]) -> bool {
        file_name.ends_with(SUFFIX.as_bytes())
    }

    /// A JSON object with autocannon's keys (see the module doc).
    fn recognises(&self, path: &Path) -> bool {
        one_file::json_object_with(
            &one_file::head_text(path, HEAD_BYTES),
            &[
                "\"latency\":{",
                "\"requests\":{",
                "\"non2xx\":",
                "\"timeouts\":",
            ],
        )
    }

    /// A plain `NAME.json` whose content is autocannon's.
    fn claim_by_content(&self, path: &Path) -> Option<(String, Role)> {
        one_file::claim_stem(path, ".json", |p| self.recognises(p))
    }

    /// The progress bar is not advanced: a result is read at once.
    fn read(
        &self,
        files: &ResultFiles,
        _observer: Option<&mut (dyn HistoryObserver + '_)>,
        _progress: Option<&indicatif::ProgressBar>,
    ) -> Ingested {
        one_file::read_one(files, read_result)
    }
}

/// The result object, as typed serde structs: only the fields loadgate
/// reads (`throughput`, the request-rate histogram and the options are
/// skipped unread).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Output {
    url: Option<Urls>,
    /// Seconds.
    duration: f64,
    errors: u64,
    timeouts: u64,
    #[serde(default)]
    mismatches: u64,
    non2xx: u64,
    #[serde(rename = "2xx")]
    ok: Option<u64>,
    #[serde(default)]
    status_code_stats: BTreeMap<String, CodeCount>,
    latency: Latency,
    requests: Requests,
}

/// `url`: one URL, or one per connection (round robin).
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Urls {
    One(String),
    Many(Vec<String>),
}

#[derive(Debug, Deserialize)]
struct CodeCount {
    count: u64,
}

#[derive(Debug, Deserialize)]
struct Requests {
    /// Responses received.
    total: u64,
}

/// `latency`: ms, from an HDR histogram of whole milliseconds. (Not
/// camelCase: that would make `p2_5` into `p25`.)
#[derive(Debug, Deserialize)]
struct Latency {
    mean: f64,
    min: f64,
    max: f64,
    /// Values recorded (autocannon 7 and later).
    #[serde(rename = "totalCount")]
    total_count: Option<u64>,
    p0_001: Option<f64>,
    p0_01: Option<f64>,
    p0_1: Option<f64>,
    p1: Option<f64>,
    p2_5: Option<f64>,
    p10: Option<f64>,
    p25: Option<f64>,
    p50: Option<f64>,
    p75: Option<f64>,
    p90: Option<f64>,
    p97_5: Option<f64>,
    p99: Option<f64>,
    p99_9: Option<f64>,
    p99_99: Option<f64>,
    p99_999: Option<f64>,
}

impl Latency {
    /// (key, label, value) of every percentile field, present or not.
    fn levels(&self) -> [(&'static str, &'static str, Option<f64>); 15] {
        [
            ("p0_001", "0.001", self.p0_001),
            ("p0_01", "0.01", self.p0_01),
            ("p0_1", "0.1", self.p0_1),
            ("p1", "1", self.p1),
            ("p2_5", "2.5", self.p2_5),
            ("p10", "10", self.p10),
            ("p25", "25", self.p25),
            ("p50", "50", self.p50),
            ("p75", "75", self.p75),
            ("p90", "90", self.p90),
            ("p97_5", "97.5", self.p97_5),
            ("p99", "99", self.p99),
            ("p99_9", "99.9", self.p99_9),
            ("p99_99", "99.99", self.p99_99),
            ("p99_999", "99.999", self.p99_999),
        ]
    }

    /// The first field that is negative, if any.
    fn negative(&self) -> Option<&'static str> {
        [("mean", self.mean), ("min", self.min), ("max", self.max)]
            .into_iter()
            .chain(
                self.levels()
                    .into_iter()
                    .filter_map(|(key, _, v)| Some((key, v?))),
            )
            .find(|(_, v)| *v < 0.0)
            .map(|(key, _)| key)
    }
}

/// Parse the file: typed, every error with its line and JSON path.
fn parse(path: &Path) -> Result<Output, InputError> {
    let output: Output = one_file::read_json_object(path, MAX_BYTES, WHAT)?;
    if let Some(key) = output.latency.negative() {
        return Err(InputError::file(
            path,
            format!("latency.{key}: a negative response time"),
        ));
    }
    if !output.duration.is_finite() || output.duration < 0.0 {
        return Err(InputError::file(
            path,
            format!("duration: not a run length in seconds: {}", output.duration),
        ));
    }
    Ok(output)
}

/// The URL's path and query: `http://127.0.0.1:8080/api/x?a=1` → `/api/x?a=1`.
fn url_path(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    match rest.find('/') {
        Some(i) => rest[i..].to_string(),
        None => "/".to_string(),
    }
}

/// Read one result into the model; warnings beside.
fn read_result(path: &Path) -> Result<(ScenarioData, Vec<String>), InputError> {
    use crate::format::ShowPath;
    let out = parse(path)?;
    let responses = out.requests.total;
    let requests = responses.checked_add(out.errors).ok_or_else(|| {
        InputError::file(
            path,
            "requests.total + errors is more than 2^64 - 1 requests",
        )
    })?;
    let failures = out
        .errors
        .saturating_add(out.non2xx.max(out.mismatches))
        .min(requests);
    let mut warnings = Vec::new();
    if let Some(ok) = out.ok
        && ok.checked_add(out.non2xx) != Some(responses)
    {
        warnings.push(format!(
            "{}: 2xx ({ok}) + non2xx ({}) is not requests.total ({responses}); loadgate counts requests.total and non2xx",
            path.show(),
            out.non2xx
        ));
    }
    let recorded = out.latency.total_count.unwrap_or(responses);
    if recorded != responses {
        warnings.push(format!(
            "{}: the latency figures cover {recorded} values for {responses} responses (autocannon -x records 2xx responses only; -R/-r's coordinated-omission correction adds values)",
            path.show()
        ));
    }
    let duration_s = out.duration;
    let per_s = |n: u64| {
        if duration_s > 0.0 {
            n as f64 / duration_s
        } else {
            0.0
        }
    };
    let lat = &out.latency;
    let timed = recorded > 0;
    let time = |v: f64| timed.then_some(v);
    let percentiles = lat
        .levels()
        .into_iter()
        .filter(|(_, _, v)| v.is_some())
        .map(|(_, label, v)| Percentile {
            label: label.to_string(),
            level: label.parse().unwrap_or(0.0),
            value_ms: v.filter(|_| timed),
        })
        .collect();
    let totals = Stats {
        requests,
        failures,
        success_rate: success_rate(requests, failures),
        rps: per_s(requests),
        failures_per_s: per_s(failures),
        median_ms: lat.p50.and_then(time),
        avg_ms: time(lat.mean),
        min_ms: time(lat.min),
        max_ms: time(lat.max),
        percentiles_ms: Percentiles(percentiles),
    };
    if requests == 0 {
        warnings.push(format!("{}: the result holds no requests", path.show()));
    }
    let endpoint = match &out.url {
        Some(Urls::One(url)) => Some(url_path(url)),
        Some(Urls::Many(urls)) if urls.len() == 1 => Some(url_path(&urls[0])),
        _ => None,
    };
    let failures = failure_rows(&out, endpoint.as_deref().unwrap_or_default());
    let endpoints = endpoint
        .into_iter()
        .map(|name| Endpoint {
            method: String::new(),
            name,
            stats: totals.clone(),
        })
        .collect();
    let data = ScenarioData {
        tool: ToolInfo {
            name: "autocannon",
            version: None,
        },
        totals,
        endpoints,
        history: None,
        failures,
        exceptions: Vec::new(),
        histograms: None,
    };
    Ok((data, warnings))
}

/// The failures table (see the module doc), most frequent first.
fn failure_rows(out: &Output, name: &str) -> Vec<FailureRow> {
    let row = |error: String, occurrences: u64| FailureRow {
        method: String::new(),
        name: name.to_string(),
        error,
        occurrences,
    };
    let mut rows: Vec<FailureRow> = out
        .status_code_stats
        .iter()
        .filter(|(code, _)| !code.starts_with('2'))
        .map(|(code, c)| row(format!("HTTP {code}"), c.count))
        .collect();
    if out.status_code_stats.is_empty() && out.non2xx > 0 {
        // Before autocannon 7 there are only the classes.
        rows.push(row("non-2xx response".into(), out.non2xx));
    }
    rows.push(row("request timed out".into(), out.timeouts));
    rows.push(row(
        "connection error".into(),
        out.errors.saturating_sub(out.timeouts),
    ));
    rows.push(row(
        "body did not match --expectBody".into(),
        out.mismatches,
    ));
    rows.retain(|r| r.occurrences > 0);
    rows.sort_by(|a, b| {
        b.occurrences
            .cmp(&a.occurrences)
            .then_with(|| a.error.cmp(&b.error))
    });
    rows
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    fn file(name: &str, text: &str) -> (tempfile::TempDir, std::path::PathBuf) {
        let d = tempfile::tempdir().unwrap();
        let path = d.path().join(name);
        std::fs::File::create(&path)
            .unwrap()
            .write_all(text.as_bytes())
            .unwrap();
        (d, path)
    }

    const RESULT: &str = r#"{"url":"http://127.0.0.1:9/api/x?a=1","connections":2,"duration":2.5,
        "errors":3,"timeouts":2,"mismatches":0,"non2xx":4,"2xx":6,
        "statusCodeStats":{"200":{"count":6},"302":{"count":1},"503":{"count":3}},
        "latency":{"average":7.5,"mean":7.5,"stddev":1,"min":1,"max":30,"p2_5":1,"p50":5,"p97_5":30,"p99":30,"totalCount":10},
        "requests":{"average":4,"total":10,"sent":15}}"#;

    #[test]
    fn claims_its_names_and_recognises_its_content() {
        assert_eq!(
            Autocannon.claim("run.autocannon.json"),
            Some(("run".into(), Role::Stats))
        );
        for other in ["run.json", ".autocannon.json", "run.autocannon.json.bak"] {
            assert_eq!(Autocannon.claim(other), None, "{other}");
        }
        let (_d, path) = file("plain.json", RESULT);
        assert!(Autocannon.recognises(&path));
        assert_eq!(
            Autocannon.claim_by_content(&path),
            Some(("plain".into(), Role::Stats))
        );
        let (_d, locust) = file("s1.json", r#"[{"name":"/a","response_times":{}}]"#);
        assert!(!Autocannon.recognises(&locust));
        let (_d, vegeta) = file("v.json", r#"{"latencies":{"total":1},"requests":1}"#);
        assert!(!Autocannon.recognises(&vegeta));
        let (_d, txt) = file("run.txt", RESULT);
        assert_eq!(Autocannon.claim_by_content(&txt), None);
    }

    #[test]
    fn maps_counts_failures_times_and_the_one_endpoint() {
        let (_d, path) = file("x.autocannon.json", RESULT);
        let (data, warnings) = read_result(&path).unwrap();
        assert!(warnings.is_empty(), "{warnings:?}");
        let t = &data.totals;
        // 10 responses + 3 errors; 3 errors + 4 non-2xx.
        assert_eq!((t.requests, t.failures), (13, 7));
        assert_eq!((t.rps, t.failures_per_s), (13.0 / 2.5, 7.0 / 2.5));
        assert_eq!(data.stats_span_s(), Some(2.5));
        assert_eq!((t.median_ms, t.avg_ms), (Some(5.0), Some(7.5)));
        assert_eq!((t.min_ms, t.max_ms), (Some(1.0), Some(30.0)));
        assert_eq!(t.percentiles_ms.labels(), ["2.5", "50", "97.5", "99"]);
        assert_eq!(t.percentiles_ms.get(97.5), Some(Some(30.0)));
        assert_eq!(data.endpoints.len(), 1);
        assert_eq!(data.endpoints[0].name, "/api/x?a=1");
        assert_eq!(data.endpoints[0].stats, *t);
        assert!(data.history.is_none());
        let rows: Vec<(&str, u64)> = data
            .failures
            .iter()
            .map(|f| (f.error.as_str(), f.occurrences))
            .collect();
        assert_eq!(
            rows,
            [
                ("HTTP 503", 3),
                ("request timed out", 2),
                ("HTTP 302", 1),
                ("connection error", 1)
            ]
        );
    }

    #[test]
    fn several_urls_make_no_endpoint_and_no_responses_no_times() {
        let text = RESULT
            .replace(
                r#""url":"http://127.0.0.1:9/api/x?a=1""#,
                r#""url":["http://h/a","http://h/b"]"#,
            )
            .replace(r#""total":10"#, r#""total":0"#)
            .replace(r#""totalCount":10"#, r#""totalCount":0"#);
        let (_d, path) = file("y.autocannon.json", &text);
        let (data, warnings) = read_result(&path).unwrap();
        assert!(data.endpoints.is_empty());
        assert_eq!(data.totals.requests, 3);
        assert_eq!(data.totals.failures, 3, "at most the requests");
        assert_eq!(data.totals.median_ms, None);
        assert_eq!(data.totals.percentiles_ms.get(99.0), Some(None));
        assert!(warnings[0].contains("2xx (6) + non2xx (4)"), "{warnings:?}");
    }

    #[test]
    fn mismatches_and_non2xx_overlap_so_the_larger_counts() {
        let text = RESULT.replace(r#""mismatches":0"#, r#""mismatches":5"#);
        let (_d, path) = file("m.autocannon.json", &text);
        let (data, _) = read_result(&path).unwrap();
        assert_eq!(data.totals.failures, 3 + 5);
        let text = RESULT.replace(r#""totalCount":10"#, r#""totalCount":6"#);
        let (_d, path) = file("x.autocannon.json", &text);
        let (_, warnings) = read_result(&path).unwrap();
        assert!(warnings[0].contains("cover 6 values for 10 responses"));
    }

    #[test]
    fn malformed_results_name_the_line_and_key() {
        let (_d, path) = file("t.autocannon.json", &RESULT[..RESULT.len() / 2]);
        let e = read_result(&path).unwrap_err();
        assert!(e.line.is_some() && e.message.contains("EOF"), "{e}");
        let (_d, path) = file(
            "w.autocannon.json",
            &RESULT.replace(r#""errors":3"#, r#""errors":"3""#),
        );
        let e = read_result(&path).unwrap_err();
        assert_eq!(e.line, Some(2), "{e}");
        assert!(e.message.contains("at errors:"), "{e}");
        let (_d, path) = file(
            "n.autocannon.json",
            &RESULT.replace(r#""p99":30"#, r#""p99":-1"#),
        );
        let e = read_result(&path).unwrap_err();
        assert!(e.message.contains("latency.p99"), "{e}");
        let (_d, path) = file("e.autocannon.json", "  \n");
        assert!(read_result(&path).unwrap_err().message.contains("empty"));
        let (_d, path) = file("a.autocannon.json", "[]");
        assert!(read_result(&path).is_err());
        let (_d, path) = file("z.autocannon.json", &format!("{RESULT} x"));
        let e = read_result(&path).unwrap_err();
        assert!(e.message.contains("trailing"), "{e}");
    }

    /// Every prefix of a real file, and the file with any one byte replaced
    /// by a quote or a digit, is read or refused: never a panic.
    #[test]
    fn no_cut_or_corrupted_file_panics() {
        let real = include_str!("../../fixtures/autocannon/overload.autocannon.json");
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
            let _ = read_result(&path);
        }
        std::fs::write(&path, real).unwrap();
        assert!(read_result(&path).is_ok());
    }
}
