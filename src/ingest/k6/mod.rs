//! The k6 reader: k6's end-of-test summary, its `--out json` stream or its
//! `--out csv` output into [`ScenarioData`](crate::model::ScenarioData).
//! One file is the whole result set, its name minus the suffix the
//! scenario, except a stream of several k6 scenarios: each is a set of its
//! own (see **k6 scenarios** below). The files: `summary` (the summary
//! JSON), `stream` (the raw samples of either output, handed to
//! [`samples::Run`](crate::ingest::samples::Run) for exact counts,
//! percentiles per 0.01 ms and the per-second history, and the NDJSON
//! itself), `csv` (the CSV), `time` (k6's RFC 3339 timestamps).
//!
//! **Which files.** Discovery classifies by name alone and takes the first
//! reader whose `claim` matches; Locust claims every `*.json` (its
//! `--json-file` histograms). So k6 files need a name of their own, and this
//! reader sits before Locust in [`READERS`](crate::ingest::READERS) (its names
//! are narrow, so no Locust name is taken from Locust):
//!
//! - `NAME.k6-summary.json` and `NAME.k6.json`: a summary (`k6 run
//!   --summary-export NAME.k6.json`, or `handleSummary` returning
//!   `{"NAME.k6-summary.json": JSON.stringify(data)}`);
//! - `NAME.k6.ndjson` and `NAME.ndjson`: the stream (`k6 run --out
//!   json=NAME.k6.ndjson`);
//! - `NAME.k6.csv`: the CSV (`k6 run --out csv=NAME.k6.csv`), and any
//!   `NAME.csv` no other reader claims whose header is k6's (k6's default
//!   file name is `file.csv`).
//!
//! Which of them a file is, is decided by its content, whatever the name
//! (`k6 run --out json=NAME.k6.json` is read as the stream): the stream's
//! first line is a `{"type":"Metric",…}` or `{"type":"Point",…}` object;
//! the CSV's starts `metric_name,timestamp,metric_value`; a
//! summary is a JSON object whose `metrics` has `http_req_duration`. A plain
//! `NAME.json` stays Locust's (a name alone cannot tell a k6 summary from
//! Locust's `--json-file`): rename it. Gzipped output (`--out
//! json=x.json.gz`, `--out csv=x.csv.gz`) is not read.
//!
//! **The summary** (both shapes: handleSummary's `data`, where a metric is
//! `{type, contains, values: {…}}`, and `--summary-export`'s older one, where
//! the metric is its values and a rate's `rate` is called `value`):
//!
//! - requests = `http_reqs.count`, requests/s = `http_reqs.rate`;
//!   failures = `http_req_failed.passes` (a rate metric counts `true`s as
//!   passes, and `http_req_failed` is `true` for a failed request); no
//!   `http_req_failed` (k6 before 0.31) is 0 failures and a warning;
//! - median, mean, min, max = `med`, `avg`, `min`, `max` of
//!   `http_req_duration`; every `p(N)` it has is percentile `N` (`p(95)` →
//!   `95`), none other: k6's `summaryTrendStats` decides which there are
//!   (`p(90)` and `p(95)` by default). These are k6's numbers, interpolated
//!   between ranks, not loadgate's nearest rank;
//! - the run length is `state.testRunDurationMs` when the file has it
//!   (handleSummary), else `count ÷ rate` of `http_reqs` (the same, as k6
//!   computes the rate over the run); failures/s are over that;
//! - endpoints are the sub-metrics tagged by `name` (and optionally `method`),
//!   which k6 writes only when a threshold names them:
//!   `http_req_duration{name:/api/x}` for times, `http_reqs{name:…}` (or else
//!   `http_req_failed{name:…}`'s passes + fails) for the count,
//!   `http_req_failed{name:…}` for failures;
//! - a summary has **no history** (no time series: windowed checks have
//!   nothing to follow), no failures table and no histograms (no rank test).
//!
//! **The stream**, raw samples, read like a JTL (the CSV's rows mean the
//! same: `metric_name`, `timestamp`, `metric_value` and a column per tag):
//!
//! - every `http_req_duration` point is one request (k6 writes one per
//!   request, with `http_reqs` and `http_req_failed` points beside it, all
//!   with the request's tags and end time); other metrics' lines are
//!   skipped unparsed (checked only to be `{…}`: a stream is mostly them),
//!   except `vus` (the users);
//! - a request failed when its `expected_response` tag is `false` (k6 ≥ 0.31
//!   tags every request so; it is what `http_req_failed` records), and
//!   without that tag when its `status` is outside 200–399 (k6's default
//!   expected statuses; 0, no response, included);
//! - endpoints are (`method` tag, `name` tag), `name` being the URL unless
//!   the script names the request; sorted by name, then method;
//! - exact nearest-rank percentiles (Locust's levels 50 … 100) and
//!   min/max/mean, from a histogram at 0.01 ms resolution: k6 writes float
//!   milliseconds (ns precision); each value is rounded to 0.01 ms for the
//!   percentiles, min and max (the mean is over the exact values). The
//!   histograms kept for the rank test are per whole millisecond (rounded);
//! - the run lasts from the first request's start (its time minus its
//!   duration) to the last request's end; requests/s and failures/s are over
//!   that;
//! - the history has one point a second, the requests whose time (k6 stamps
//!   the end) falls in it, windowed percentiles; the users are that second's
//!   highest `vus` value (carried over seconds without one); no request for
//!   more than [`MAX_GAP_S`](crate::model::MAX_GAP_S) s is a finding;
//! - failures: one row per (endpoint, error), the error being `HTTP <status>`
//!   and the `error` tag k6 adds on a network error (`request timeout`).
//!
//! **k6 scenarios.** k6 tags every sample of a scenario with its name
//! (`scenario`: `default` without `options.scenarios`). Discovery asks
//! [`K6::complete`] about every stream: one whose requests carry two or
//! more `scenario` tags (up to 64, `stream::MAX_PARTS`) becomes one
//! result set per tag, named `NAME/SCENARIO` (`checkout/browse`), whose
//! [`ResultFiles::part`] is the tag; each is read in a pass of its own over
//! the file, keeping that scenario's requests. No file name holds a `/`, so
//! such a name is never another set's (two files of one `NAME` in two
//! folders are the usual duplicate error). In a part:
//!
//! - the users are unknown: k6's `vus` counts every scenario's VUs;
//! - requests without a `scenario` tag (those of setup() and teardown(),
//!   which run outside the scenarios) are in no part, with a warning;
//! - the run lasts from the scenario's first request's start to its last
//!   request's end.
//!
//! A file with one tag (`default`, or one named scenario), with none (the
//! tag switched off in `systemTags`), or with more than `MAX_PARTS` (with a
//! warning) is one scenario, `NAME`, with every request.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::ingest::{HistoryObserver, Ingested, InputError, Reader, guard, one_file};
use crate::model::{ResultFiles, Role};

mod csv;
mod stream;
mod summary;
#[cfg(test)]
mod tests;
mod time;

/// The k6 reader (see the module doc).
pub struct K6;

/// The names claimed, longest first where one ends another.
const SUFFIXES: [&str; 5] = [
    ".k6-summary.json",
    ".k6.json",
    ".k6.ndjson",
    ".ndjson",
    ".k6.csv",
];

/// What a k6 file is, by its content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Summary,
    Stream,
    Csv,
}

/// How much of a file is looked at to tell what it is: a summary's
/// `root_group` (every check) comes before its `metrics`.
const HEAD_BYTES: usize = 256 * 1024;

/// The first bytes of a file, lossily as text ("" when unreadable).
fn head(path: &Path) -> String {
    one_file::head_text(path, HEAD_BYTES as u64)
}

/// What `head` (a file's first bytes) is, if it is k6's.
fn kind_of(head: &str) -> Option<Kind> {
    let text = head.trim_start_matches('\u{feff}').trim_start();
    let first = text.lines().next().unwrap_or_default();
    let compact: String = first.chars().filter(|c| !c.is_whitespace()).collect();
    if compact.starts_with('{')
        && (compact.contains(r#""type":"Metric""#) || compact.contains(r#""type":"Point""#))
    {
        return Some(Kind::Stream);
    }
    if csv::is_header(first) {
        return Some(Kind::Csv);
    }
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    (compact.starts_with('{')
        && compact.contains(r#""metrics":{"#)
        && compact.contains(r#""http_req_duration"#))
    .then_some(Kind::Summary)
}

impl Reader for K6 {
    fn tool(&self) -> &'static str {
        "k6"
    }

    fn naming_hint(&self) -> &'static str {
        "k6 names a request by its URL unless it has a `name` tag: tag it, as in http.get(`${BASE}/item/${id}`, { tags: { name: 'item' } })"
    }

    fn files_hint(&self) -> &'static str {
        "k6's *.k6-summary.json, *.k6.json, *.k6.ndjson or *.k6.csv (`k6 run --summary-export` / `--out json` / `--out csv`)"
    }

    fn no_history(&self, threshold: &str) -> String {
        format!(
            "`{threshold}` needs per-second data, which k6's end-of-test summary does not have: check the --out json stream instead (k6 run --out json=NAME.k6.ndjson), or drop `for …` to judge the whole run"
        )
    }

    fn no_histograms(&self) -> String {
        "k6's end-of-test summary holds percentiles only; its --out json and --out csv streams have every request"
            .into()
    }

    /// `NAME.k6-summary.json`, `NAME.k6.json`, `NAME.k6.ndjson`, `NAME.ndjson`,
    /// `NAME.k6.csv` → (`NAME`, stats): the one file is the whole set.
    fn claim(&self, file_name: &str) -> Option<(String, Role)> {
        SUFFIXES
            .iter()
            .find_map(|suffix| one_file::claim_suffix(file_name, suffix))
    }

    fn looks_like_result(&self, file_name: &[u8]) -> bool {
        SUFFIXES.iter().any(|s| file_name.ends_with(s.as_bytes()))
    }

    /// A stream's first line is a `Metric` or `Point` object, a CSV's is
    /// k6's header; a summary has `metrics` with `http_req_duration`.
    fn recognises(&self, path: &Path) -> bool {
        kind_of(&head(path)).is_some()
    }

    /// k6's CSV under another name (`--out csv` writes `file.csv` by
    /// default): `NAME.csv` whose header is k6's is scenario `NAME`.
    fn claim_by_content(&self, path: &Path) -> Option<(String, Role)> {
        let stem = path.file_name()?.to_str()?.strip_suffix(".csv")?;
        (!stem.is_empty() && kind_of(&head(path)) == Some(Kind::Csv))
            .then(|| (stem.to_string(), Role::Stats))
    }

    /// A stream (NDJSON or CSV) whose requests carry two or more k6
    /// `scenario` tags becomes one set per tag, `NAME/SCENARIO`, with the
    /// tag as its [`ResultFiles::part`]. A file that cannot be read to its
    /// end is left whole: its reader reports why, once.
    fn complete(&self, groups: &mut BTreeMap<(PathBuf, String), ResultFiles>) {
        let whole: Vec<(PathBuf, String)> = groups
            .iter()
            .filter(|(_, files)| files.part.is_none() && files.stats.is_some())
            .map(|(key, _)| key.clone())
            .collect();
        for key in whole {
            let Some(path) = groups.get(&key).and_then(|f| f.stats.clone()) else {
                continue;
            };
            if guard::sniff(&path).is_err() {
                continue;
            }
            let tags = match kind_of(&head(&path)) {
                Some(Kind::Stream) => stream::scenarios(&path),
                Some(Kind::Csv) => csv::scenarios(&path),
                _ => None,
            };
            let Some(tags) = tags.filter(|t| (2..=stream::MAX_PARTS).contains(&t.len())) else {
                continue;
            };
            let Some(files) = groups.remove(&key) else {
                continue;
            };
            for tag in tags {
                let name = format!("{}/{tag}", key.1);
                let part = ResultFiles {
                    part: Some(tag),
                    ..files.clone()
                };
                groups.insert((key.0.clone(), name), part);
            }
        }
    }

    /// The progress bar is not advanced: the check command sizes it over
    /// the history files (Locust's), which a k6 set has none of.
    fn read(
        &self,
        files: &ResultFiles,
        observer: Option<&mut (dyn HistoryObserver + '_)>,
        _progress: Option<&indicatif::ProgressBar>,
    ) -> Ingested {
        let mut out = Ingested::default();
        let Some(path) = &files.stats else {
            return out;
        };
        let part = files.part.as_deref();
        let result = guard::sniff(path).and_then(|()| match kind_of(&head(path)) {
            Some(Kind::Stream) => stream::read(path, part, observer),
            Some(Kind::Csv) => csv::read(path, part, observer),
            Some(Kind::Summary) => summary::read(path),
            None => Err(InputError {
                path: path.to_path_buf(),
                line: Some(1),
                column: None,
                message: "not a k6 result: expected k6's end-of-test summary (a JSON object whose `metrics` has `http_req_duration`, from --summary-export or handleSummary), its `--out json` output (one `{\"type\":\"Metric\"…}` or `{\"type\":\"Point\"…}` object a line) or its `--out csv` output (a header starting metric_name,timestamp,metric_value)".into(),
            }),
        });
        match result {
            Ok((data, warnings)) => {
                out.data = Some(data);
                out.warnings = warnings;
            }
            Err(e) => out.errors.push(e),
        }
        out
    }
}

/// An I/O error while reading `path`: a guard's finding with its line when
/// known, else as the system says.
fn io_error(path: &Path, line: Option<u64>, e: &std::io::Error) -> InputError {
    match guard::pathology(e) {
        Some(p) => InputError {
            path: path.to_path_buf(),
            line,
            column: None,
            message: p.message(),
        },
        None => InputError {
            path: path.to_path_buf(),
            line,
            column: None,
            message: format!("cannot read: {e}"),
        },
    }
}
