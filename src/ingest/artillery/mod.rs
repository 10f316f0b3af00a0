//! The Artillery reader: an Artillery 2 JSON report (`artillery run --output
//! NAME.artillery.json scenario.yml`) into [`ScenarioData`]. The file is the
//! whole result set: `NAME.artillery.json` is scenario `NAME`.
//!
//! **Naming.** Locust's `--json-file` output is claimed as `*.json`, so an
//! Artillery report must end in `.artillery.json` to be read; this reader
//! comes before Locust in [`READERS`](crate::ingest::READERS) so that
//! `checkout.artillery.json` is scenario `checkout` of Artillery rather than
//! a Locust histogram file of a set `checkout.artillery`. A report saved as
//! plain `NAME.json` is not read as Artillery's. The files: `report` (the
//! typed shape), this one (the mapping), `history` (one point per period).
//!
//! How a report maps onto the model (Artillery 2.0.21's fields):
//!
//! - **Recognised** as JSON whose top level has `aggregate` and `intermediate`.
//!   Every malformed value (a count that is not a whole number, a summary
//!   without `min`, a negative time, a bad `period`) is an [`InputError`]
//!   naming the file and the JSON path (`aggregate.counters.http.requests`).
//! - **Requests** are the counter `http.requests` (requests sent), else
//!   `http.responses`, else the responses by code plus the errors.
//! - **Failures** are the responses with a code of 400 or more
//!   (`http.codes.4xx`/`5xx` counters) plus every `errors.*` counter (a request
//!   that got no response: `ETIMEDOUT`, `ECONNREFUSED`, …; Artillery counts one
//!   per failed request), at most the requests. `vusers.failed` is not added:
//!   a VU fails *because of* one of those errors, so it would count it twice.
//!   The success rate follows from the two.
//! - **Response times** from `summaries["http.response_time"]`: `min`, `max`,
//!   `mean` (avg), `median` (p50 when missing), and the percentiles
//!   `p50`, `p75`, `p90`, `p95`, `p99`, `p999` as "50", "75", "90", "95",
//!   "99", "99.9". Artillery's percentiles are DDSketch estimates (about 1%
//!   relative error), kept as written.
//! - **Run length**: `aggregate.lastMetricAt − aggregate.firstMetricAt`, else
//!   the first to the last `intermediate[].period` plus one period (10 s unless
//!   the periods say otherwise). Requests/s and failures/s are the counts over it.
//! - **Users**: Artillery's VUs are arrivals (an open model) and its report
//!   has counters (`vusers.created`, `vusers.completed`), no gauge of VUs in
//!   flight, so there is no user count: the history's `users_known` is false
//!   (the `auto` steady state is the whole run, as for Locust 0.x) and no peak
//!   users is reported.
//! - **Endpoints** from the bundled `metrics-by-endpoint` plugin
//!   (`config.plugins: metrics-by-endpoint: {}`): the summaries
//!   `plugins.metrics-by-endpoint.response_time.<KEY>` and the counters
//!   `plugins.metrics-by-endpoint.<KEY>.codes.<code>` and `.errors.<name>`,
//!   with requests, failures and rates as for the total. The plugin's KEY is
//!   the request's path (with its query unless `stripQueryString`), preceded
//!   by its host and `:port` when they differ from the target's
//!   (`127.0.0.1:8080/api/health`), followed by ` (NAME)` when the request has
//!   a `name:` (`/api/orders (place order)`); with `useOnlyRequestNames` a
//!   named request's KEY is its name alone. The endpoint's name is the KEY
//!   **without its origin** (see `endpoint_name`): the port of a local
//!   target changes from run to run, and a baseline's endpoints must match.
//!   Two KEYs that differ only by their origin keep it, with a warning. The
//!   method is empty (the plugin keys by URL: a GET and a POST of one unnamed
//!   URL are one endpoint). Sorted by name. Only the default
//!   `metricsNamespace` is read.
//! - **Failures table**: one row per endpoint and code ≥ 400 (`HTTP 409`) or
//!   error name (`ETIMEDOUT`); from the aggregate with an empty name when the
//!   plugin is off.
//! - **History**: one point per `intermediate[]` period, at its `period` start:
//!   requests/s and failures/s are its counts over the part of the period the
//!   run covered (the first and last periods are partial), the percentiles
//!   its own `http.response_time` summary (windowed). A missing period is a
//!   finding (no metric for that long). The tick is the period length.
//! - **Tool**: `artillery`, no version (the report does not record one).
//!   No histograms: Artillery's are serialised sketches, so the rank test
//!   against a baseline is not available.

use std::collections::{BTreeMap, BTreeSet};
use std::fs::File;
use std::io::BufReader;
use std::path::Path;

use crate::ingest::guard::{self, Guarded};
use crate::ingest::{HistoryObserver, Ingested, InputError, Reader, one_file};
use crate::model::{
    Endpoint, FailureRow, Percentile, Percentiles, ResultFiles, Role, ScenarioData, Stats,
    ToolInfo, success_rate,
};

mod history;
mod report;
#[cfg(test)]
mod tests;

use report::{Period, Report, Summary};

/// The Artillery reader (see the module doc).
pub struct Artillery;

const SUFFIX: &str = ".artillery.json";
/// The plugin's prefix, in counters and summaries.
const PLUGIN: &str = "plugins.metrics-by-endpoint.";
/// The period length when the report does not show one (Artillery's default).
const DEFAULT_PERIOD_MS: u64 = 10_000;

impl Reader for Artillery {
    fn tool(&self) -> &'static str {
        "artillery"
    }

    fn display_name(&self) -> &'static str {
        "Artillery"
    }

    fn files_hint(&self) -> &'static str {
        "Artillery's *.artillery.json (`artillery run --output NAME.artillery.json`)"
    }

    fn no_histograms(&self) -> String {
        "Artillery's report holds percentile summaries only".into()
    }

    /// `NAME.artillery.json` → (`NAME`, stats): the report is the whole set.
    fn claim(&self, file_name: &str) -> Option<(String, Role)> {
        one_file::claim_suffix(file_name, SUFFIX)
    }

    fn looks_like_result(&self, file_name: &[u8]) -> bool {
        file_name.ends_with(SUFFIX.as_bytes())
    }

    /// JSON with top-level `aggregate` and `intermediate` (the whole file is
    /// parsed, without keeping the values).
    fn recognises(&self, path: &Path) -> bool {
        open(path).is_ok_and(|r| serde_json::from_reader::<_, report::Shape>(r).is_ok())
    }

    /// The progress bar is not advanced: a report is read at once.
    fn read(
        &self,
        files: &ResultFiles,
        observer: Option<&mut (dyn HistoryObserver + '_)>,
        _progress: Option<&indicatif::ProgressBar>,
    ) -> Ingested {
        one_file::read_one(files, |path| read_report(path, observer))
    }
}

/// The report through the guard (a NUL byte or an over-long line is refused).
fn open(path: &Path) -> Result<BufReader<Guarded<File>>, InputError> {
    guard::sniff(path)?;
    let file = File::open(path).map_err(|e| InputError::file(path, format!("cannot open: {e}")))?;
    Ok(BufReader::new(Guarded::new(file, 0)))
}

/// Parse the report: typed, every error with its JSON path.
fn parse(path: &Path) -> Result<Report, InputError> {
    let mut de = serde_json::Deserializer::from_reader(open(path)?);
    let report: Report = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let at = e.path().to_string();
        let inner = e.into_inner();
        InputError {
            path: path.to_path_buf(),
            line: Some(inner.line() as u64).filter(|l| *l > 0),
            column: None,
            message: format!("not an Artillery report (artillery run --output): at {at}: {inner}"),
        }
    })?;
    check_summaries(path, "aggregate", &report.aggregate)?;
    for (i, p) in report.intermediate.iter().enumerate() {
        check_summaries(path, &format!("intermediate[{i}]"), p)?;
    }
    Ok(report)
}

/// A negative response time is an error naming its path.
fn check_summaries(path: &Path, at: &str, period: &Period) -> Result<(), InputError> {
    for (key, s) in &period.summaries {
        if let Some(field) = s.negative() {
            return Err(InputError::file(
                path,
                format!("{at}.summaries.{key}.{field}: a negative response time"),
            ));
        }
    }
    if let Some(p) = &period.period
        && p.ms().is_none()
    {
        return Err(InputError::file(
            path,
            format!("{at}.period: not a Unix time in ms: {p:?}"),
        ));
    }
    Ok(())
}

/// Requests and failures of the total or one endpoint, from its counters.
#[derive(Debug, Default, Clone)]
struct Counts {
    requests: u64,
    failures: u64,
    /// Error wording (`HTTP 409`, `ETIMEDOUT`) → count, failures only.
    errors: BTreeMap<String, u64>,
}

/// A failure's wording from a code counter, `None` for a success (< 400).
fn code_error(path: &Path, key: &str, code: &str) -> Result<Option<String>, InputError> {
    let n: u16 = code.parse().map_err(|_| {
        InputError::file(
            path,
            format!("counters.{key}: `{code}` is not an HTTP status code"),
        )
    })?;
    Ok((n >= 400).then(|| format!("HTTP {n}")))
}

/// The total's counts of one period (see the module doc for the rule).
fn total_counts(path: &Path, period: &Period) -> Result<Counts, InputError> {
    let mut c = Counts::default();
    let mut answered = 0u64;
    let mut errored = 0u64;
    for (key, &n) in &period.counters {
        if let Some(code) = key.strip_prefix("http.codes.") {
            answered = answered.saturating_add(n);
            if let Some(error) = code_error(path, key, code)? {
                *c.errors.entry(error).or_insert(0) += n;
            }
        } else if let Some(name) = key.strip_prefix("errors.") {
            errored = errored.saturating_add(n);
            *c.errors.entry(name.to_string()).or_insert(0) += n;
        }
    }
    c.requests = period
        .counters
        .get("http.requests")
        .or_else(|| period.counters.get("http.responses"))
        .copied()
        .unwrap_or(answered.saturating_add(errored));
    c.failures = c
        .errors
        .values()
        .fold(0u64, |a, &n| a.saturating_add(n))
        .min(c.requests);
    Ok(c)
}

/// Every endpoint's counts of one period, by URL key.
fn endpoint_counts(path: &Path, period: &Period) -> Result<BTreeMap<String, Counts>, InputError> {
    let mut out: BTreeMap<String, Counts> = BTreeMap::new();
    for (key, &n) in &period.counters {
        let Some(rest) = key.strip_prefix(PLUGIN) else {
            continue;
        };
        if let Some((url, code)) = rest.rsplit_once(".codes.") {
            let c = out.entry(url.to_string()).or_default();
            c.requests = c.requests.saturating_add(n);
            if let Some(error) = code_error(path, key, code)? {
                c.failures = c.failures.saturating_add(n);
                *c.errors.entry(error).or_insert(0) += n;
            }
        } else if let Some((url, name)) = rest.rsplit_once(".errors.") {
            let c = out.entry(url.to_string()).or_default();
            c.requests = c.requests.saturating_add(n);
            c.failures = c.failures.saturating_add(n);
            *c.errors.entry(name.to_string()).or_insert(0) += n;
        }
    }
    Ok(out)
}

/// An endpoint's summary key.
fn endpoint_summary<'p>(period: &'p Period, url: &str) -> Option<&'p Summary> {
    period
        .summaries
        .get(&format!("{PLUGIN}response_time.{url}"))
}

/// The endpoints' URL keys of a period: from summaries and counters.
fn endpoint_urls(period: &Period, counts: &BTreeMap<String, Counts>) -> BTreeSet<String> {
    let prefix = format!("{PLUGIN}response_time.");
    period
        .summaries
        .keys()
        .filter_map(|k| k.strip_prefix(&prefix))
        .map(str::to_string)
        .chain(counts.keys().cloned())
        .collect()
}

/// An endpoint's name from the plugin's key: the key without its origin
/// (an optional `scheme://`, then `host`, `host:port` or `:port`) when what
/// follows is a path (`127.0.0.1:8080/api/health` → `/api/health`,
/// `api.test/x (named)` → `/x (named)`). A key that does not start with an
/// origin and a `/` is kept whole: a path already, or a request's name
/// (`useOnlyRequestNames`), which may hold a `/` (`login/step 2`). Without a
/// scheme, a host needs a dot, a port, brackets (IPv6) or to be
/// `localhost`, so that a name's first word is not taken for one.
pub(super) fn endpoint_name(key: &str) -> &str {
    let (rest, has_scheme) = match key.split_once("://") {
        Some((scheme, rest))
            if !scheme.is_empty()
                && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')) =>
        {
            (rest, true)
        }
        _ => (key, false),
    };
    let Some(slash) = rest.find('/') else {
        return key;
    };
    let origin = &rest[..slash];
    let (host, port) = if let Some(v6) = origin.strip_prefix('[') {
        match v6.split_once(']') {
            Some((_, "")) => (origin, None),
            Some((_, after)) => match after.strip_prefix(':') {
                Some(port) => (&origin[..origin.len() - after.len()], Some(port)),
                None => return key,
            },
            None => return key,
        }
    } else {
        match origin.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (origin, None),
        }
    };
    let port_ok = port.is_none_or(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    let host_chars = host.starts_with('[')
        || host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'));
    let looks_like_host = host.starts_with('[')
        || host.contains('.')
        || host.eq_ignore_ascii_case("localhost")
        || port.is_some()
        || (has_scheme && !host.is_empty());
    if port_ok && host_chars && looks_like_host && (!host.is_empty() || port.is_some()) {
        &rest[slash..]
    } else {
        key
    }
}

/// Every endpoint as (plugin key, name), sorted by name: the name is the
/// key without its origin ([`endpoint_name`]), unless two keys would get
/// one name (a path called on two hosts): those keep their whole key, and
/// a warning says so.
fn endpoint_names(
    path: &Path,
    keys: &BTreeSet<String>,
    warnings: &mut Vec<String>,
) -> Vec<(String, String)> {
    use crate::format::ShowPath;
    let mut by_name: BTreeMap<&str, Vec<&String>> = BTreeMap::new();
    for key in keys {
        by_name.entry(endpoint_name(key)).or_default().push(key);
    }
    let mut out = Vec::with_capacity(keys.len());
    for (name, keys) in by_name {
        if let [key] = keys.as_slice() {
            out.push(((*key).clone(), name.to_string()));
            continue;
        }
        let list: Vec<String> = keys.iter().map(|k| format!("`{k}`")).collect();
        warnings.push(format!(
            "{}: the metrics-by-endpoint keys {} differ only by their origin: each keeps its whole key as its endpoint name",
            path.show(),
            list.join(", ")
        ));
        out.extend(keys.into_iter().map(|k| (k.clone(), k.clone())));
    }
    out.sort_by(|a, b| a.1.cmp(&b.1).then_with(|| a.0.cmp(&b.0)));
    out
}

/// Stats from counts and a summary, rates over `duration_s` (0 when it is 0).
fn stats(c: &Counts, summary: Option<&Summary>, duration_s: f64) -> Stats {
    let per_s = |n: u64| {
        if duration_s > 0.0 {
            n as f64 / duration_s
        } else {
            0.0
        }
    };
    let percentiles = summary.map_or_else(Vec::new, |s| {
        s.levels()
            .into_iter()
            .map(|(label, value_ms)| Percentile {
                label: label.to_string(),
                level: label.parse().unwrap_or(0.0),
                value_ms,
            })
            .collect()
    });
    Stats {
        requests: c.requests,
        failures: c.failures,
        success_rate: success_rate(c.requests, c.failures),
        rps: per_s(c.requests),
        failures_per_s: per_s(c.failures),
        median_ms: summary.and_then(|s| s.median.or(s.p50)),
        avg_ms: summary.map(|s| s.mean),
        min_ms: summary.map(|s| s.min),
        max_ms: summary.map(|s| s.max),
        percentiles_ms: Percentiles(percentiles),
    }
}

/// The period length in ms: the smallest step between periods, else 10 s.
fn period_ms(report: &Report) -> u64 {
    let starts: Vec<u64> = report
        .intermediate
        .iter()
        .filter_map(|p| p.period.as_ref()?.ms())
        .collect();
    starts
        .windows(2)
        .filter_map(|w| w[1].checked_sub(w[0]).filter(|d| *d > 0))
        .min()
        .unwrap_or(DEFAULT_PERIOD_MS)
}

/// The run's first and last metric (Unix ms), see the module doc.
fn run_span_ms(report: &Report, period_ms: u64) -> Option<(u64, u64)> {
    let a = &report.aggregate;
    if let (Some(first), Some(last)) = (a.first_metric_at, a.last_metric_at)
        && last > first
    {
        return Some((first, last));
    }
    let starts = report
        .intermediate
        .iter()
        .filter_map(|p| p.period.as_ref()?.ms());
    let (first, last) = starts.fold(None, |acc: Option<(u64, u64)>, s| {
        Some(acc.map_or((s, s), |(a, b)| (a.min(s), b.max(s))))
    })?;
    Some((first, last.saturating_add(period_ms)))
}

/// Read one report into the model; warnings beside.
fn read_report(
    path: &Path,
    observer: Option<&mut (dyn HistoryObserver + '_)>,
) -> Result<(ScenarioData, Vec<String>), InputError> {
    use crate::format::ShowPath;
    let report = parse(path)?;
    let period_ms = period_ms(&report);
    let span = run_span_ms(&report, period_ms);
    let duration_s = span.map_or(0.0, |(a, b)| (b - a) as f64 / 1000.0);
    let agg = &report.aggregate;
    let total = total_counts(path, agg)?;
    let by_url = endpoint_counts(path, agg)?;
    let mut warnings = Vec::new();
    let keys = endpoint_names(path, &endpoint_urls(agg, &by_url), &mut warnings);
    let empty = Counts::default();
    let endpoints: Vec<Endpoint> = keys
        .iter()
        .map(|(key, name)| Endpoint {
            method: String::new(),
            name: name.clone(),
            stats: stats(
                by_url.get(key).unwrap_or(&empty),
                endpoint_summary(agg, key),
                duration_s,
            ),
        })
        .collect();
    let mut failures: Vec<FailureRow> = if by_url.is_empty() {
        rows("", &total)
    } else {
        keys.iter()
            .filter_map(|(key, name)| Some(rows(name, by_url.get(key)?)))
            .flatten()
            .collect()
    };
    failures.sort_by(|a, b| {
        b.occurrences
            .cmp(&a.occurrences)
            .then_with(|| a.name.cmp(&b.name))
            .then_with(|| a.error.cmp(&b.error))
    });
    if total.requests == 0 {
        warnings.push(format!("{}: the report holds no requests", path.show()));
    }
    let history = history::build(path, &report, period_ms, span, &keys, observer)?;
    let data = ScenarioData {
        tool: ToolInfo {
            name: "artillery",
            version: None,
        },
        totals: stats(&total, agg.summaries.get("http.response_time"), duration_s),
        endpoints,
        history,
        failures,
        exceptions: Vec::new(),
        histograms: None,
    };
    Ok((data, warnings))
}

/// The failures table rows of one endpoint (or of all, `name` empty).
fn rows(name: &str, c: &Counts) -> Vec<FailureRow> {
    c.errors
        .iter()
        .filter(|(_, n)| **n > 0)
        .map(|(error, &occurrences)| FailureRow {
            method: String::new(),
            name: name.to_string(),
            error: error.clone(),
            occurrences,
        })
        .collect()
}
