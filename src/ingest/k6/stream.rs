//! k6's raw samples, whichever output wrote them: [`Sink`], the requests
//! and `vus` of a stream (or of one k6 scenario in it) into the model, fed
//! by the `--out json` reader here and the `--out csv` reader in `csv`; and
//! the `--out json` stream itself: one JSON object a line, `Metric` (a
//! metric's definition, before its first point) or `Point` (one sample),
//! read line by line through the guard (see the module doc for the mapping).

use std::borrow::Cow;
use std::collections::{BTreeSet, HashMap};
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
    wall_clock: true,
};

/// How long a second stays open for samples stamped in it (µs).
pub(super) const LATE_US: i64 = 30_000_000;

/// The most k6 scenarios one file is split into; a file with more is read
/// as one scenario (each part is a pass over the file).
pub(super) const MAX_PARTS: usize = 64;

/// The tags of one sample that loadgate reads, whichever output wrote it.
/// An empty value is no value (k6's CSV cannot tell them apart).
#[derive(Debug, Default, Clone, Copy)]
pub(super) struct Tags<'a> {
    pub(super) name: Option<&'a str>,
    pub(super) url: Option<&'a str>,
    pub(super) method: Option<&'a str>,
    pub(super) status: Option<&'a str>,
    pub(super) expected_response: Option<&'a str>,
    pub(super) error: Option<&'a str>,
    pub(super) scenario: Option<&'a str>,
}

impl<'a> Tags<'a> {
    /// The tags from a lookup by tag name.
    pub(super) fn from_fn(get: impl Fn(&str) -> Option<&'a str>) -> Tags<'a> {
        let get = |k: &str| get(k).filter(|v| !v.is_empty());
        Tags {
            name: get("name"),
            url: get("url"),
            method: get("method"),
            status: get("status"),
            expected_response: get("expected_response"),
            error: get("error"),
            scenario: get("scenario"),
        }
    }

    /// Whether the request failed: its `expected_response` tag is `false`
    /// (k6 ≥ 0.31 tags every request so; it is what `http_req_failed`
    /// records), and without that tag its `status` is outside 200–399
    /// (k6's default expected statuses; 0, no response, included).
    fn failed(&self) -> bool {
        match self.expected_response {
            Some(e) => e == "false",
            None => self
                .status
                .and_then(|s| s.parse::<u32>().ok())
                .is_some_and(|s| !(200..400).contains(&s)),
        }
    }

    /// A failed request's error: `HTTP <status>`, and k6's `error` tag.
    fn error(&self) -> String {
        match (self.status.filter(|s| *s != "0"), self.error) {
            (Some(s), Some(e)) => format!("HTTP {s}: {e}"),
            (Some(s), None) => format!("HTTP {s}"),
            (None, Some(e)) => e.to_string(),
            (None, None) => "no response (status 0)".to_string(),
        }
    }
}

/// The requests of a k6 stream, or of one of its scenarios (a part), as
/// either output's reader hands them over, into the model.
pub(super) struct Sink<'o, 'b, 'p> {
    // k6 writes float milliseconds: histograms per 0.01 ms.
    run: Run<'o, 'b, 100>,
    /// The k6 scenario read, or the whole file.
    part: Option<&'p str>,
    users_known: bool,
    /// Requests without a `scenario` tag, left out of a part.
    untagged: u64,
    /// The first of the file's `scenario` tags (by name), seen by a part:
    /// that part alone warns about the untagged requests.
    first_tag: Option<String>,
    /// The scenario tags of the whole file's requests (at most
    /// [`MAX_PARTS`] and one more), for the warning that it was not split.
    scenarios: BTreeSet<String>,
}

impl<'o, 'b, 'p> Sink<'o, 'b, 'p> {
    pub(super) fn new(
        observer: Option<&'o mut (dyn HistoryObserver + 'b)>,
        part: Option<&'p str>,
    ) -> Self {
        Sink {
            run: Run::new(SPEC, observer),
            part,
            users_known: false,
            untagged: 0,
            first_tag: None,
            scenarios: BTreeSet::new(),
        }
    }

    /// A `vus` point. k6's `vus` counts the VUs of every scenario, so a
    /// part has no user count of its own: it is unknown there.
    pub(super) fn vus(&mut self, time_us: i64, value: f64, path: &Path) {
        if self.part.is_none() {
            self.users_known = true;
            self.run.users(time_us, value.round() as u64, path);
        }
    }

    /// An `http_req_duration` point: one request, stamped with its end.
    pub(super) fn request(&mut self, time_us: i64, ms: f64, tags: &Tags<'_>, path: &Path) {
        if self.part.is_some()
            && let Some(scenario) = tags.scenario
            && self.first_tag.as_deref().is_none_or(|f| scenario < f)
        {
            self.first_tag = Some(scenario.to_string());
        }
        match (self.part, tags.scenario) {
            (Some(part), Some(scenario)) if part != scenario => return,
            (Some(_), None) => {
                self.untagged += 1;
                return;
            }
            (None, Some(scenario))
                if self.scenarios.len() <= MAX_PARTS && !self.scenarios.contains(scenario) =>
            {
                self.scenarios.insert(scenario.to_string());
            }
            _ => {}
        }
        let name = tags.name.or(tags.url).unwrap_or_default();
        let endpoint = self.run.endpoint(tags.method.unwrap_or_default(), name);
        let sample = Sample {
            start_us: time_us.saturating_sub((ms * 1000.0).round() as i64),
            end_us: time_us,
            ms,
            failed: tags.failed(),
            users: None,
        };
        self.run.add(endpoint, &sample, path, || tags.error());
    }

    /// The model, with the warnings about what was read.
    pub(super) fn finish(self, path: &Path) -> (ScenarioData, Vec<String>) {
        let empty = self.run.requests() == 0;
        let read = self.run.finish(path, self.users_known, None);
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
        // Said once for the file, by its first scenario.
        if self.untagged > 0 && self.part == self.first_tag.as_deref() {
            warnings.push(format!(
                "{}: {} requests have no k6 `scenario` tag (setup() and teardown() run outside the scenarios); they are in none of the file's scenarios",
                path.show(),
                crate::format::count(self.untagged),
            ));
        }
        if self.scenarios.len() > MAX_PARTS {
            warnings.push(format!(
                "{}: holds more than {MAX_PARTS} k6 scenarios (`scenario` tags), read as one scenario",
                path.show()
            ));
        }
        (read.data, warnings)
    }
}

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

/// The lines of a stream through the guard, each with its 1-based number,
/// trimmed; blank lines are skipped. `f` returns `false` to stop.
fn each_line(
    path: &Path,
    mut f: impl FnMut(u64, &str) -> Result<bool, InputError>,
) -> Result<(), InputError> {
    let file = File::open(path).map_err(|e| InputError::file(path, format!("cannot open: {e}")))?;
    let mut reader = BufReader::with_capacity(256 * 1024, Guarded::new(file, 0));
    let mut buf = String::new();
    let mut line_no = 0u64;
    loop {
        buf.clear();
        line_no += 1;
        match reader.read_line(&mut buf) {
            Ok(0) => return Ok(()),
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
        if !text.is_empty() && !f(line_no, text)? {
            return Ok(());
        }
    }
}

/// Whether a line could be a point of a metric loadgate reads: most lines
/// are other metrics' points (eight more per request), skipped unparsed.
fn may_be_wanted(text: &str) -> bool {
    memchr::memmem::find(text.as_bytes(), b"http_req_duration").is_some()
        || memchr::memmem::find(text.as_bytes(), b"\"vus\"").is_some()
}

/// Read one stream (or the part of it that is k6 scenario `part`) into the
/// model; warnings beside.
pub(super) fn read(
    path: &Path,
    part: Option<&str>,
    observer: Option<&mut (dyn HistoryObserver + '_)>,
) -> Result<(ScenarioData, Vec<String>), InputError> {
    let mut sink = Sink::new(observer, part);
    each_line(path, |line_no, text| {
        if !may_be_wanted(text) {
            if !(text.starts_with('{') && text.ends_with('}')) {
                return Err(at(
                    path,
                    line_no,
                    "not a k6 JSON output line: expected one JSON object a line",
                ));
            }
            return Ok(true);
        }
        let line: Line<'_> = serde_json::from_str(text)
            .map_err(|e| at(path, line_no, format!("not a k6 JSON output line: {e}")))?;
        match line.kind.as_ref() {
            "Metric" => return Ok(true),
            "Point" => {}
            other => {
                return Err(at(
                    path,
                    line_no,
                    format!("expected a line of type Metric or Point, found `{other}`"),
                ));
            }
        }
        if !matches!(line.metric.as_ref(), "http_req_duration" | "vus") {
            return Ok(true);
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
            sink.vus(time_us, value, path);
            return Ok(true);
        }
        let tags = data.tags.unwrap_or_default();
        let tags = Tags::from_fn(|k| tags.get(k).map(|v| v.as_ref()));
        sink.request(time_us, value, &tags, path);
        Ok(true)
    })?;
    Ok(sink.finish(path))
}

/// The `scenario` tags of a stream's requests, sorted (at most
/// [`MAX_PARTS`] and one more), for discovery to split the file by; `None` when the
/// file cannot be read to its end (its reader then says why, once).
pub(super) fn scenarios(path: &Path) -> Option<BTreeSet<String>> {
    let mut found = BTreeSet::new();
    let pattern = memchr::memmem::Finder::new(b"\"scenario\":\"");
    each_line(path, |line_no, text| {
        if memchr::memmem::find(text.as_bytes(), b"http_req_duration").is_none() {
            // As the reader checks them: a broken file is not split.
            return match text.starts_with('{') && text.ends_with('}') {
                true => Ok(true),
                false => Err(at(path, line_no, "not one JSON object")),
            };
        }
        // The tag as k6 writes it (scenario names are [0-9a-zA-Z_-]+);
        // anything else (escapes, the key twice, spaces) is parsed.
        let mut hits = pattern.find_iter(text.as_bytes());
        let quick = match (hits.next(), hits.next()) {
            (Some(at), None) => {
                let rest = &text[at + 12..];
                rest.find('"')
                    .map(|end| &rest[..end])
                    .filter(|v| !v.contains('\\'))
                    .map(|v| Some(v.to_string()))
            }
            (None, _) if !text.contains("scenario") => Some(None),
            _ => None,
        };
        let scenario = match quick {
            Some(s) => s,
            None => {
                let line = serde_json::from_str::<Line<'_>>(text)
                    .map_err(|e| at(path, line_no, e.to_string()))?;
                if line.kind != "Point" || line.metric != "http_req_duration" {
                    return Ok(true);
                }
                line.data
                    .and_then(|d| d.tags)
                    .and_then(|t| t.get("scenario").map(|s| s.to_string()))
            }
        };
        if let Some(s) = scenario.filter(|s| !s.is_empty()) {
            found.insert(s);
        }
        Ok(found.len() <= MAX_PARTS)
    })
    .ok()?;
    Some(found)
}
