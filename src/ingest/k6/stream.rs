//! k6's `--out json` stream: one JSON object a line, `Metric` (a metric's
//! definition, before its first point) or `Point` (one sample), read line
//! by line through the guard into totals, endpoints, failures and the
//! per-second history (see the module doc for the mapping).

use std::borrow::Cow;
use std::collections::HashMap;
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::Path;

use serde::Deserialize;

use crate::format::ShowPath;
use crate::ingest::guard::Guarded;
use crate::ingest::samples::{Run, Sample, SecondOf, Spec};
use crate::ingest::{HistoryObserver, InputError};
use crate::model::ScenarioData;

/// How a stream's requests make a run: k6 stamps a request's samples with
/// its end, and writes them as its outputs flush (about once a second), so
/// a second stays open 30 s for late ones.
const SPEC: Spec = Spec {
    tool: "k6",
    second_of: SecondOf::End,
    late_us: LATE_US,
    gap_what: "no request",
    gap_why: "a stalled test, or a pause in the script",
};

/// How long a second stays open for samples stamped in it (µs).
pub(super) const LATE_US: i64 = 30_000_000;

/// One line, as k6's `internal/output/json/wrapper.go` writes it.
#[derive(Deserialize)]
struct Line<'a> {
    #[serde(rename = "type", borrow)]
    kind: Cow<'a, str>,
    #[serde(borrow, default)]
    metric: Cow<'a, str>,
    #[serde(borrow, default)]
    data: Option<Data<'a>>,
}

/// A line's `data`: a point's time, value and tags (a `Metric` line's
/// definition fields are not needed).
#[derive(Deserialize, Default)]
struct Data<'a> {
    #[serde(borrow, default)]
    time: Option<Cow<'a, str>>,
    #[serde(default)]
    value: Option<f64>,
    #[serde(borrow, default)]
    tags: Option<HashMap<Cow<'a, str>, Cow<'a, str>>>,
}

/// A located error on `line`.
fn at(path: &Path, line: u64, message: impl Into<String>) -> InputError {
    InputError {
        path: path.to_path_buf(),
        line: Some(line),
        column: None,
        message: message.into(),
    }
}

/// Whether a request failed, by its tags (see the module doc).
fn failed(tags: &HashMap<Cow<'_, str>, Cow<'_, str>>) -> bool {
    match tags.get("expected_response").map(|v| v.as_ref()) {
        Some("false") => true,
        Some(_) => false,
        None => tags
            .get("status")
            .and_then(|s| s.parse::<u32>().ok())
            .is_some_and(|s| !(200..400).contains(&s)),
    }
}

/// A failed request's error: `HTTP <status>`, and k6's `error` tag.
fn error_of(tags: &HashMap<Cow<'_, str>, Cow<'_, str>>) -> String {
    let status = tags
        .get("status")
        .map(|s| s.as_ref())
        .filter(|s| !s.is_empty() && *s != "0");
    let error = tags
        .get("error")
        .map(|s| s.as_ref())
        .filter(|s| !s.is_empty());
    match (status, error) {
        (Some(s), Some(e)) => format!("HTTP {s}: {e}"),
        (Some(s), None) => format!("HTTP {s}"),
        (None, Some(e)) => e.to_string(),
        (None, None) => "no response (status 0)".to_string(),
    }
}

/// Read one stream into the model; warnings beside.
pub(super) fn read(
    path: &Path,
    observer: Option<&mut (dyn HistoryObserver + '_)>,
) -> Result<(ScenarioData, Vec<String>), InputError> {
    let file = File::open(path).map_err(|e| InputError::file(path, format!("cannot open: {e}")))?;
    let mut reader = BufReader::with_capacity(256 * 1024, Guarded::new(file, 0));
    // k6 writes float milliseconds: histograms per 0.01 ms.
    let mut run = Run::<100>::new(SPEC, observer);
    let mut users_known = false;
    let mut buf = String::new();
    let mut line_no = 0u64;
    loop {
        buf.clear();
        line_no += 1;
        match reader.read_line(&mut buf) {
            Ok(0) => break,
            Ok(_) => {}
            Err(e)
                if e.kind() == std::io::ErrorKind::InvalidData
                    && crate::ingest::guard::pathology(&e).is_none() =>
            {
                return Err(at(path, line_no, "the line is not valid UTF-8"));
            }
            Err(e) => return Err(super::io_error(path, Some(line_no), &e)),
        }
        let text = buf.trim_start_matches('\u{feff}').trim();
        if text.is_empty() {
            continue;
        }
        // Most lines are other metrics' points (eight more per request):
        // skipped unparsed, by name, unless they could be a wanted one.
        if memchr::memmem::find(text.as_bytes(), b"http_req_duration").is_none()
            && memchr::memmem::find(text.as_bytes(), b"\"vus\"").is_none()
        {
            if !(text.starts_with('{') && text.ends_with('}')) {
                return Err(at(
                    path,
                    line_no,
                    "not a k6 JSON output line: expected one JSON object a line",
                ));
            }
            continue;
        }
        let line: Line<'_> = serde_json::from_str(text)
            .map_err(|e| at(path, line_no, format!("not a k6 JSON output line: {e}")))?;
        match line.kind.as_ref() {
            "Metric" => continue,
            "Point" => {}
            other => {
                return Err(at(
                    path,
                    line_no,
                    format!("expected a line of type Metric or Point, found `{other}`"),
                ));
            }
        }
        let wanted = matches!(line.metric.as_ref(), "http_req_duration" | "vus");
        if !wanted {
            continue;
        }
        let data = line.data.unwrap_or_default();
        let time = data
            .time
            .as_deref()
            .ok_or_else(|| at(path, line_no, "a point without `data.time`"))?;
        let time_us = super::time::unix_us(time).ok_or_else(|| {
            at(
                path,
                line_no,
                format!("`{time}` is not an RFC 3339 time (as k6 writes `data.time`)"),
            )
        })?;
        let value = data
            .value
            .filter(|v| v.is_finite() && *v >= 0.0)
            .ok_or_else(|| {
                at(
                    path,
                    line_no,
                    "a point without a finite, non-negative `data.value`",
                )
            })?;
        if line.metric == "vus" {
            users_known = true;
            run.users(time_us, value.round() as u64, path);
            continue;
        }
        let tags = data.tags.unwrap_or_default();
        let name = tags
            .get("name")
            .or_else(|| tags.get("url"))
            .map_or("", |n| n.as_ref());
        let method = tags.get("method").map_or("", |m| m.as_ref());
        let endpoint = run.endpoint(method, name);
        let sample = Sample {
            start_us: time_us - (value * 1000.0).round() as i64,
            end_us: time_us,
            ms: value,
            failed: failed(&tags),
            users: None,
        };
        run.add(endpoint, &sample, path, || error_of(&tags));
    }
    let empty = run.requests() == 0;
    let read = run.finish(path, users_known, None);
    let mut warnings = Vec::new();
    if empty {
        warnings.push(format!(
            "{}: holds no HTTP requests (no http_req_duration points)",
            path.show()
        ));
    }
    if read.late > 0 {
        warnings.push(format!(
            "{}: {} requests were written more than {} s after the second they are stamped in; they are counted in the totals but left out of the per-second history",
            path.show(),
            crate::format::count(read.late),
            LATE_US / 1_000_000
        ));
    }
    Ok((read.data, warnings))
}
