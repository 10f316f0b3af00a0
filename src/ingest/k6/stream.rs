//! k6's `--out json` stream: one JSON object a line, `Metric` (a metric's
//! definition, before its first point) or `Point` (one sample), read line
//! by line through the guard into totals, endpoints, failures and the
//! per-second history (see the module doc for the mapping).

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::Path;

use serde::Deserialize;

use super::history::{LATE_US, Timeline};
use super::stats::Acc;
use crate::format::ShowPath;
use crate::ingest::guard::Guarded;
use crate::ingest::{HistoryObserver, InputError};
use crate::model::{Endpoint, FailureRow, Histograms, ScenarioData, ToolInfo};

/// Distinct (endpoint, error) pairs kept in the failures table; the rest
/// are counted under one "other errors" row per endpoint.
const MAX_FAILURE_KINDS: usize = 1000;

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

/// What the requests add up to while the stream is read.
#[derive(Default)]
struct Totals {
    total: Acc,
    /// (method, name) → index into `names` and `endpoints`.
    index: HashMap<(String, String), usize>,
    names: Vec<(String, String)>,
    endpoints: Vec<Acc>,
    /// (endpoint index, error) → occurrences.
    failures: HashMap<(usize, String), u64>,
    first_start_us: Option<i64>,
    last_end_us: Option<i64>,
}

impl Totals {
    fn endpoint(&mut self, method: &str, name: &str) -> usize {
        let key = (method.to_string(), name.to_string());
        if let Some(&i) = self.index.get(&key) {
            return i;
        }
        let i = self.names.len();
        self.index.insert(key.clone(), i);
        self.names.push(key);
        self.endpoints.push(Acc::default());
        i
    }

    fn duration_s(&self) -> f64 {
        match (self.first_start_us, self.last_end_us) {
            (Some(a), Some(b)) if b > a => (b - a) as f64 / 1e6,
            _ => 0.0,
        }
    }
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
    let mut totals = Totals::default();
    let mut timeline = Timeline::new(observer);
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
            timeline.users(time_us, value.round() as u64, &totals.names, path);
            continue;
        }
        let tags = data.tags.unwrap_or_default();
        let name = tags
            .get("name")
            .or_else(|| tags.get("url"))
            .map_or("", |n| n.as_ref());
        let method = tags.get("method").map_or("", |m| m.as_ref());
        let endpoint = totals.endpoint(method, name);
        let failed = failed(&tags);
        totals.total.add(value, failed);
        totals.endpoints[endpoint].add(value, failed);
        let start_us = time_us - (value * 1000.0).round() as i64;
        totals.first_start_us = Some(totals.first_start_us.map_or(start_us, |f| f.min(start_us)));
        totals.last_end_us = Some(totals.last_end_us.map_or(time_us, |l| l.max(time_us)));
        if failed {
            let mut error = error_of(&tags);
            if totals.failures.len() >= MAX_FAILURE_KINDS
                && !totals.failures.contains_key(&(endpoint, error.clone()))
            {
                error = format!("(other errors: more than {MAX_FAILURE_KINDS} distinct messages)");
            }
            *totals.failures.entry((endpoint, error)).or_insert(0) += 1;
        }
        timeline.request(time_us, value, failed, endpoint, &totals.names, path);
    }
    let late = timeline.late;
    let history = timeline.finish(&totals.names, path, users_known);
    let mut warnings = Vec::new();
    if totals.total.requests == 0 {
        warnings.push(format!(
            "{}: holds no HTTP requests (no http_req_duration points)",
            path.show()
        ));
    }
    if late > 0 {
        warnings.push(format!(
            "{}: {} requests were written more than {} s after the second they are stamped in; they are counted in the totals but left out of the per-second history",
            path.show(),
            crate::format::count(late),
            LATE_US / 1_000_000
        ));
    }
    Ok((into_data(totals, history), warnings))
}

/// The model from what the requests added up to.
fn into_data(mut totals: Totals, history: Option<crate::model::History>) -> ScenarioData {
    let duration_s = totals.duration_s();
    let mut order: Vec<usize> = (0..totals.names.len()).collect();
    order.sort_by(|&a, &b| {
        let (ma, na) = &totals.names[a];
        let (mb, nb) = &totals.names[b];
        na.cmp(nb).then_with(|| ma.cmp(mb))
    });
    let endpoints: Vec<Endpoint> = order
        .iter()
        .map(|&i| Endpoint {
            method: totals.names[i].0.clone(),
            name: totals.names[i].1.clone(),
            stats: totals.endpoints[i].stats(duration_s),
        })
        .collect();
    let mut failures: Vec<FailureRow> = std::mem::take(&mut totals.failures)
        .into_iter()
        .map(|((i, error), occurrences)| FailureRow {
            method: totals.names[i].0.clone(),
            name: totals.names[i].1.clone(),
            error,
            occurrences,
        })
        .collect();
    failures.sort_by(|a, b| {
        b.occurrences
            .cmp(&a.occurrences)
            .then_with(|| a.name.cmp(&b.name))
            .then_with(|| a.method.cmp(&b.method))
            .then_with(|| a.error.cmp(&b.error))
    });
    let stats = totals.total.stats(duration_s);
    let histograms = (stats.requests > 0).then(|| Histograms {
        total: totals.total.per_ms(),
        endpoints: order
            .iter()
            .map(|&i| (totals.names[i].clone(), totals.endpoints[i].per_ms()))
            .collect::<BTreeMap<_, _>>(),
    });
    ScenarioData {
        tool: ToolInfo {
            name: "k6",
            version: None,
        },
        totals: stats,
        endpoints,
        history,
        failures,
        exceptions: Vec::new(),
        histograms,
    }
}
