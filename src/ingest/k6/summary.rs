//! k6's end-of-test summary: handleSummary's `data` or `--summary-export`'s
//! older shape, into totals and the endpoints its sub-metrics name (see the
//! module doc for the mapping). A summary has no time series.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::Read;
use std::path::Path;

use serde_json::{Map, Value};

use crate::format::ShowPath;
use crate::ingest::InputError;
use crate::ingest::guard::Guarded;
use crate::model::{
    Endpoint, Percentile, Percentiles, ScenarioData, Stats, ToolInfo, success_rate,
};

/// The largest summary read whole: k6 writes a few KB, a sub-metric per
/// endpoint included.
const MAX_BYTES: u64 = 64 << 20;

/// A metric's values: `values` in handleSummary's data, the metric itself
/// in `--summary-export`'s (where a rate's `rate` is called `value`).
fn values(metric: &Value) -> Option<&Map<String, Value>> {
    let m = metric.as_object()?;
    match m.get("values") {
        Some(Value::Object(v)) => Some(v),
        _ => Some(m),
    }
}

fn number(values: &Map<String, Value>, key: &str) -> Option<f64> {
    values.get(key)?.as_f64().filter(|v| v.is_finite())
}

/// A non-negative count, rounded (k6 writes counts as floats).
fn count(values: &Map<String, Value>, key: &str) -> Option<u64> {
    number(values, key)
        .filter(|v| *v >= 0.0)
        .map(|v| v.round() as u64)
}

/// A sub-metric's base name and tags: `http_reqs{name:/a,method:GET}` →
/// (`http_reqs`, {name: /a, method: GET}); quotes around a value dropped.
fn parse_name(name: &str) -> Option<(&str, BTreeMap<&str, &str>)> {
    let Some((base, rest)) = name.split_once('{') else {
        return Some((name, BTreeMap::new()));
    };
    let inner = rest.strip_suffix('}')?;
    let mut tags = BTreeMap::new();
    for pair in inner.split(',') {
        let (k, v) = pair.split_once(':')?;
        let v = v.trim();
        let v = v
            .strip_prefix('"')
            .and_then(|v| v.strip_suffix('"'))
            .or_else(|| v.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')))
            .unwrap_or(v);
        tags.insert(k.trim(), v);
    }
    Some((base, tags))
}

/// The three HTTP metrics of one set of tags (the whole run, or an endpoint).
#[derive(Default)]
struct Http<'a> {
    duration: Option<&'a Map<String, Value>>,
    reqs: Option<&'a Map<String, Value>>,
    failed: Option<&'a Map<String, Value>>,
}

impl Http<'_> {
    /// The stats; `None` when the request count is unknown.
    fn stats(&self, duration_s: Option<f64>) -> Option<Stats> {
        let requests = self.reqs.and_then(|r| count(r, "count")).or_else(|| {
            let f = self.failed?;
            Some(count(f, "passes")? + count(f, "fails")?)
        })?;
        let failures = self.failed.and_then(|f| count(f, "passes")).unwrap_or(0);
        let rps = self
            .reqs
            .and_then(|r| number(r, "rate"))
            .or_else(|| duration_s.filter(|d| *d > 0.0).map(|d| requests as f64 / d))
            .unwrap_or(0.0);
        let duration_s = duration_s.or_else(|| (rps > 0.0).then(|| requests as f64 / rps));
        let failures_per_s = duration_s
            .filter(|d| *d > 0.0)
            .map_or(0.0, |d| failures as f64 / d);
        let time = |key: &str| self.duration.and_then(|d| number(d, key));
        let mut percentiles: Vec<Percentile> = self
            .duration
            .into_iter()
            .flat_map(|d| d.iter())
            .filter_map(|(key, v)| {
                let label = key.strip_prefix("p(")?.strip_suffix(')')?.trim();
                let level = label
                    .parse::<f64>()
                    .ok()
                    .filter(|l| (0.0..=100.0).contains(l))?;
                Some(Percentile {
                    label: label.to_string(),
                    level,
                    value_ms: v.as_f64(),
                })
            })
            .collect();
        percentiles.sort_by(|a, b| a.level.total_cmp(&b.level));
        Some(Stats {
            requests,
            failures,
            success_rate: success_rate(requests, failures),
            rps,
            failures_per_s,
            median_ms: time("med"),
            avg_ms: time("avg"),
            min_ms: time("min"),
            max_ms: time("max"),
            percentiles_ms: Percentiles(percentiles),
        })
    }
}

/// Read one summary into the model; warnings beside.
pub(super) fn read(path: &Path) -> Result<(ScenarioData, Vec<String>), InputError> {
    let file = File::open(path).map_err(|e| InputError::file(path, format!("cannot open: {e}")))?;
    let mut text = String::new();
    Guarded::new(file.take(MAX_BYTES), 0)
        .read_to_string(&mut text)
        .map_err(|e| super::io_error(path, None, &e))?;
    let json: Value =
        serde_json::from_str(text.trim_start_matches('\u{feff}')).map_err(|e| InputError {
            path: path.to_path_buf(),
            line: Some(e.line() as u64),
            column: None,
            message: format!("not valid JSON: {e}"),
        })?;
    let metrics = json
        .get("metrics")
        .and_then(Value::as_object)
        .ok_or_else(|| InputError::file(path, "a k6 summary without a `metrics` object"))?;
    let mut total = Http::default();
    // (method, name) → metrics; BTreeMap: sorted by method then name, resorted below.
    let mut endpoints: BTreeMap<(String, String), Http<'_>> = BTreeMap::new();
    for (key, metric) in metrics {
        let Some((base, tags)) = parse_name(key) else {
            continue;
        };
        let slot = if tags.is_empty() {
            &mut total
        } else if tags.contains_key("name") && tags.keys().all(|k| matches!(*k, "name" | "method"))
        {
            let method = tags.get("method").copied().unwrap_or_default();
            endpoints
                .entry((method.to_string(), tags["name"].to_string()))
                .or_default()
        } else {
            continue;
        };
        let v = values(metric);
        match base {
            "http_req_duration" => slot.duration = v,
            "http_reqs" => slot.reqs = v,
            "http_req_failed" => slot.failed = v,
            _ => {}
        }
    }
    if total.duration.is_none() {
        return Err(InputError::file(
            path,
            "a k6 summary without the `http_req_duration` metric (a test that sent no HTTP requests?)",
        ));
    }
    let duration_s = json
        .pointer("/state/testRunDurationMs")
        .and_then(Value::as_f64)
        .filter(|ms| ms.is_finite() && *ms > 0.0)
        .map(|ms| ms / 1000.0);
    let totals = total.stats(duration_s).ok_or_else(|| {
        InputError::file(
            path,
            "a k6 summary without `http_reqs` (its `count` is the number of requests)",
        )
    })?;
    let mut warnings = Vec::new();
    if total.failed.is_none() {
        warnings.push(format!(
            "{}: no `http_req_failed` metric (k6 before 0.31): failures are counted as 0",
            path.show()
        ));
    }
    let mut out: Vec<Endpoint> = Vec::new();
    for ((method, name), http) in &endpoints {
        match http.stats(duration_s) {
            Some(stats) => out.push(Endpoint {
                method: method.clone(),
                name: name.clone(),
                stats,
            }),
            None => warnings.push(format!(
                "{}: endpoint {} has no `http_reqs{{name:…}}` or `http_req_failed{{name:…}}` sub-metric, so its request count is unknown; left out",
                path.show(),
                crate::format::display(name)
            )),
        }
    }
    out.sort_by(|a, b| a.name.cmp(&b.name).then_with(|| a.method.cmp(&b.method)));
    Ok((
        ScenarioData {
            tool: ToolInfo {
                name: "k6",
                version: None,
            },
            totals,
            endpoints: out,
            history: None,
            failures: Vec::new(),
            exceptions: Vec::new(),
            histograms: None,
        },
        warnings,
    ))
}
