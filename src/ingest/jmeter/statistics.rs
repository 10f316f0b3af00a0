//! JMeter's HTML dashboard statistics (`statistics.json`, JMeter 5.1 and
//! later, written by `jmeter -g NAME.jtl -o DIR` or `jmeter -n … -e -o DIR`)
//! into totals and endpoints. The file is the dashboard's Statistics table:
//! one object per label plus the overall row, each with JMeter's own
//! figures. A summary: no time series, no failures table, no histograms.
//!
//! What JMeter computes (`StatisticsSummaryConsumer`, `StatisticsSummaryData`,
//! `JsonExporter`), and how it maps:
//!
//! - `sampleCount`, `errorCount` → requests, failures. The overall row
//!   (`Total`) leaves out transaction controllers' own samples (those whose
//!   response message starts `Number of samples in transaction`), which the
//!   label rows keep: a controller is an endpoint of its own, not counted
//!   twice in the total (the JTL reader counts it twice, as JMeter's
//!   Aggregate Report does).
//! - `meanResTime`, `minResTime`, `maxResTime` → mean, min, max over every
//!   sample; `medianResTime` (JMeter 5.3 and later) → the median;
//!   `pct1ResTime` … `pct3ResTime` → percentiles at the levels of
//!   `aggregate_rpt_pct1` … `aggregate_rpt_pct3` (90, 95, 99 by default). The
//!   file does not say the levels: they are read from the titles of the
//!   dashboard's Statistics table in `content/js/dashboard.js` beside it
//!   (`"90th pct"`), else taken to be the defaults, with a warning. JMeter's
//!   percentiles (and median) interpolate between ranks (commons-math
//!   `Percentile`, estimation `LEGACY`: position p(n+1)/100) over the last
//!   `jmeter.reportgenerator.statistic_window` samples of the row (20,000 by
//!   default): not loadgate's nearest rank, and for a longer row only the end
//!   of the run (a warning says so).
//! - `throughput` → requests/s: the row's samples over its own first start
//!   to last end; failures/s are the row's errors over the same span. The
//!   run length is the overall row's `sampleCount ÷ throughput`, JMeter's
//!   first start to last end. A row whose samples all started and ended in
//!   one millisecond has `"Infinity"`; its rate is then taken over the run.
//! - `errorPct`, `receivedKBytesPerSec`, `sentKBytesPerSec` are not used.

use std::collections::BTreeMap;
use std::fmt;
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde::de::{self, Deserializer, Visitor};

use crate::format::{ShowPath, count, display};
use crate::ingest::InputError;
use crate::ingest::guard::{self, Guarded};
use crate::model::{
    Endpoint, Percentile, Percentiles, ScenarioData, Stats, ToolInfo, success_rate,
};

/// The dashboard's name for the file.
pub(super) const FILE_NAME: &str = "statistics.json";

/// The largest file read whole: JMeter writes about 450 bytes a label.
const MAX_BYTES: u64 = 64 << 20;

/// How much of a file is looked at to tell whether it is a dashboard's.
const HEAD_BYTES: u64 = 64 * 1024;

/// The overall row's key: JMeter's `reportgenerator_summary_total` in its
/// English and French (`Total`) and Korean messages.
const OVERALL: [&str; 2] = ["Total", "총계"];

/// `aggregate_rpt_pct1` … `aggregate_rpt_pct3` unless set.
const DEFAULT_LEVELS: [&str; 3] = ["90", "95", "99"];

/// `jmeter.reportgenerator.statistic_window` unless set: percentiles are
/// over a row's last this many samples.
const STATISTIC_WINDOW: u64 = 20_000;

/// Where the dashboard keeps its Statistics table, from the file's folder.
const DASHBOARD_JS: [&str; 3] = ["content", "js", "dashboard.js"];

/// A number JMeter wrote: Jackson writes a non-finite double as the string
/// `"NaN"` or `"Infinity"`, which is no value (`None`).
#[derive(Debug, Clone, Copy, PartialEq)]
struct Num(Option<f64>);

impl<'de> Deserialize<'de> for Num {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Num, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Num;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a number")
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Num, E> {
                Ok(Num(Some(v).filter(|v| v.is_finite())))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Num, E> {
                Ok(Num(Some(v as f64)))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Num, E> {
                Ok(Num(Some(v as f64)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Num, E> {
                match v {
                    "NaN" | "Infinity" | "-Infinity" => Ok(Num(None)),
                    _ => Err(E::invalid_value(de::Unexpected::Str(v), &self)),
                }
            }
        }
        d.deserialize_any(V)
    }
}

/// A count JMeter wrote (a Java `long`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Count(u64);

impl<'de> Deserialize<'de> for Count {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Count, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Count;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a whole number of 0 or more")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Count, E> {
                Ok(Count(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Count, E> {
                Err(E::invalid_value(de::Unexpected::Signed(v), &self))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Count, E> {
                Err(E::invalid_value(de::Unexpected::Float(v), &self))
            }
        }
        d.deserialize_any(V)
    }
}

/// One row of the Statistics table (`SamplingStatistic`); other keys are
/// ignored.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Row {
    transaction: String,
    sample_count: Count,
    error_count: Count,
    mean_res_time: Num,
    /// JMeter 5.3 and later.
    #[serde(default)]
    median_res_time: Option<Num>,
    min_res_time: Num,
    max_res_time: Num,
    pct1_res_time: Num,
    pct2_res_time: Num,
    pct3_res_time: Num,
    throughput: Num,
}

/// Whether a file is a dashboard's statistics: its start has the keys of a
/// row, or it sits in a dashboard (so that a damaged one is read, and its
/// error reported, rather than left to Locust's `*.json` claim).
pub(super) fn recognises(path: &Path) -> bool {
    let mut buf = Vec::new();
    let _ = File::open(path).and_then(|f| f.take(HEAD_BYTES).read_to_end(&mut buf));
    let head = String::from_utf8_lossy(&buf);
    let compact: String = head.chars().filter(|c| !c.is_whitespace()).collect();
    let by_content = compact.trim_start_matches('\u{feff}').starts_with('{')
        && compact.contains(r#""sampleCount":"#)
        && compact.contains(r#""pct1ResTime":"#);
    by_content || dashboard_js(path).is_file()
}

/// `content/js/dashboard.js` beside `path`.
fn dashboard_js(path: &Path) -> PathBuf {
    let mut js = path.parent().unwrap_or(Path::new("")).to_path_buf();
    js.extend(DASHBOARD_JS);
    js
}

/// An error in `path` at a line (1-based), or for the whole file.
fn error(path: &Path, line: Option<usize>, message: String) -> InputError {
    InputError {
        path: path.to_path_buf(),
        line: line.map(|l| l as u64),
        column: None,
        message,
    }
}

/// The JSON path of a serde error: `"create deployment".sampleCount`.
fn key_path(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut out = String::new();
    for segment in path.iter() {
        match segment {
            // The label, quoted (it is the system under test's text).
            Segment::Map { key } if out.is_empty() => {
                out.push_str(&serde_json::to_string(key).unwrap_or_default());
            }
            Segment::Map { key } => {
                out.push('.');
                out.push_str(key);
            }
            Segment::Seq { index } => out.push_str(&format!("[{index}]")),
            Segment::Enum { variant } => out.push_str(variant),
            Segment::Unknown => {}
        }
    }
    out
}

/// serde_json's message without its ` at line L column C` (the line goes
/// into the error's location).
fn bare(e: &serde_json::Error) -> String {
    let text = e.to_string();
    let at = format!(" at line {} column {}", e.line(), e.column());
    let what = text.strip_suffix(&at).unwrap_or(&text);
    format!("{what} (at column {})", e.column())
}

/// The file parsed: label → row, with located errors.
fn parse(path: &Path, text: &str) -> Result<BTreeMap<String, Row>, InputError> {
    let text = text.trim_start_matches('\u{feff}');
    if text.trim().is_empty() {
        return Err(error(
            path,
            Some(1),
            "the file is empty: expected JMeter's dashboard statistics (an object with a row per label and \"Total\")".into(),
        ));
    }
    let json = |e: serde_json::Error, key: String| {
        let line = Some(e.line().max(1));
        let what = match e.classify() {
            serde_json::error::Category::Data => bare(&e),
            _ => format!("not valid JSON: {}", bare(&e)),
        };
        let message = match key.is_empty() {
            true if e.classify() == serde_json::error::Category::Data => format!(
                "not JMeter's dashboard statistics (an object with a row per label and \"Total\"): {what}"
            ),
            true => what,
            false => format!("{key}: {what}"),
        };
        error(path, line, message)
    };
    let mut de = serde_json::Deserializer::from_str(text);
    let rows: BTreeMap<String, Row> = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let key = key_path(e.path());
        json(e.into_inner(), key)
    })?;
    de.end().map_err(|e| json(e, String::new()))?;
    Ok(rows)
}

/// The percentile levels of `pct1ResTime` … `pct3ResTime`, from the titles
/// of the Statistics table in the dashboard's `content/js/dashboard.js`
/// (`"90th pct"`, `"99.9th pct"`, French `"90% centile"`): `Ok(None)`
/// without that file, `Err(why)` when it does not have them.
fn levels_from_dashboard(path: &Path) -> Result<Option<[String; 3]>, String> {
    let js = dashboard_js(path);
    let Ok(file) = File::open(&js) else {
        return Ok(None);
    };
    let mut text = String::new();
    Guarded::new(file.take(MAX_BYTES), 0)
        .read_to_string(&mut text)
        .map_err(|e| format!("{} cannot be read ({e})", js.show()))?;
    let missing = || format!("{} has no Statistics table titles", js.show());
    let table = text.find("#statisticsTable").ok_or_else(missing)?;
    let titles = text[table..].find(r#""titles":"#).ok_or_else(missing)?;
    let rest = &text[table + titles + r#""titles":"#.len()..];
    let titles: Vec<String> = serde_json::Deserializer::from_str(rest)
        .into_iter::<Vec<String>>()
        .next()
        .and_then(Result::ok)
        .ok_or_else(missing)?;
    // The only titles that start with a digit are the percentiles': the
    // level, then the words of JMeter's `..._percentile_fmt`.
    let levels: Vec<String> = titles
        .iter()
        .filter(|t| t.starts_with(|c: char| c.is_ascii_digit()))
        .map(|t| {
            t.chars()
                .take_while(|c| c.is_ascii_digit() || *c == '.')
                .collect::<String>()
        })
        .filter(|l| l.parse::<f64>().is_ok_and(|v| (0.0..=100.0).contains(&v)))
        .collect();
    <[String; 3]>::try_from(levels).map(Some).map_err(|found| {
        format!(
            "{} names {} percentile columns in its Statistics table, not 3",
            js.show(),
            found.len()
        )
    })
}

/// The stats of one row; `run_s` is the run's length, for a row whose own
/// throughput is not a number.
fn stats(row: &Row, levels: &[String; 3], run_s: Option<f64>) -> Stats {
    let requests = row.sample_count.0;
    let failures = row.error_count.0;
    let rps = row
        .throughput
        .0
        .filter(|r| *r > 0.0)
        .or_else(|| run_s.filter(|d| *d > 0.0).map(|d| requests as f64 / d))
        .unwrap_or(0.0);
    let failures_per_s = if requests > 0 {
        failures as f64 * rps / requests as f64
    } else {
        0.0
    };
    // Without samples JMeter writes Long.MAX_VALUE and NaN: no values.
    let time = |n: Num| n.0.filter(|_| requests > 0);
    let mut percentiles: Vec<Percentile> = Vec::with_capacity(3);
    for (label, value) in
        levels
            .iter()
            .zip([row.pct1_res_time, row.pct2_res_time, row.pct3_res_time])
    {
        if percentiles.iter().any(|p| &p.label == label) {
            continue;
        }
        percentiles.push(Percentile {
            label: label.clone(),
            level: label.parse().unwrap_or_default(),
            value_ms: time(value),
        });
    }
    Stats {
        requests,
        failures,
        success_rate: success_rate(requests, failures),
        rps,
        failures_per_s,
        median_ms: row.median_res_time.and_then(time),
        avg_ms: time(row.mean_res_time),
        min_ms: time(row.min_res_time),
        max_ms: time(row.max_res_time),
        percentiles_ms: Percentiles(percentiles),
    }
}

/// Rows that cannot be JMeter's: a row under another row's name, more
/// errors than samples.
fn check_rows(path: &Path, rows: &BTreeMap<String, Row>) -> Result<(), InputError> {
    let quoted = |text: &str| serde_json::to_string(text).unwrap_or_default();
    for (key, row) in rows {
        let what = if &row.transaction != key {
            format!(
                "the row's transaction is {}: JMeter keys each row by its transaction",
                quoted(&row.transaction)
            )
        } else if row.error_count.0 > row.sample_count.0 {
            format!(
                "errorCount {} is more than sampleCount {}",
                row.error_count.0, row.sample_count.0
            )
        } else {
            continue;
        };
        return Err(InputError::file(path, format!("{}: {what}", quoted(key))));
    }
    Ok(())
}

/// The percentile levels, and what the figures cannot tell, as warnings.
fn levels_and_warnings(
    path: &Path,
    overall: (&str, &Row),
    rows: &BTreeMap<String, Row>,
) -> ([String; 3], Vec<String>) {
    let mut warnings = Vec::new();
    let levels = match levels_from_dashboard(path) {
        Ok(Some(levels)) => levels,
        found => {
            let why = match found {
                Err(why) => why,
                _ => "the dashboard's content/js/dashboard.js, which names them, is not beside it"
                    .to_string(),
            };
            warnings.push(format!(
                "{}: the file does not say which percentiles pct1ResTime, pct2ResTime and pct3ResTime are, and {why}: taken as p90, p95 and p99 (JMeter's defaults; aggregate_rpt_pct1 to aggregate_rpt_pct3 change them)",
                path.show()
            ));
            DEFAULT_LEVELS.map(str::to_string)
        }
    };
    if overall.1.median_res_time.is_none() {
        warnings.push(format!(
            "{}: no medianResTime (JMeter before 5.3): the median is unknown",
            path.show()
        ));
    }
    let long: Vec<String> = std::iter::once(overall)
        .chain(rows.iter().map(|(k, r)| (k.as_str(), r)))
        .filter(|(_, r)| r.sample_count.0 > STATISTIC_WINDOW)
        .map(|(k, _)| display(k).into_owned())
        .collect();
    if !long.is_empty() {
        let mut names = long[..long.len().min(3)].join(", ");
        if long.len() > 3 {
            names.push_str(", …");
        }
        warnings.push(format!(
            "{}: rows with more than {} samples ({names}): JMeter computes a row's median and percentiles over its last jmeter.reportgenerator.statistic_window samples ({} unless set; -1 takes all), so theirs may describe the end of the run only",
            path.show(),
            count(STATISTIC_WINDOW),
            count(STATISTIC_WINDOW)
        ));
    }
    (levels, warnings)
}

/// Read one dashboard's statistics into the model; warnings beside.
pub(super) fn read(path: &Path) -> Result<(ScenarioData, Vec<String>), InputError> {
    guard::sniff(path)?;
    let file = File::open(path).map_err(|e| InputError::file(path, format!("cannot open: {e}")))?;
    let mut text = String::new();
    Guarded::new(file.take(MAX_BYTES), 0)
        .read_to_string(&mut text)
        .map_err(|e| match guard::pathology(&e) {
            Some(p) => InputError::file(path, p.message()),
            None => InputError::file(path, format!("cannot read: {e}")),
        })?;
    let mut rows = parse(path, &text)?;
    check_rows(path, &rows)?;
    let Some((key, overall)) = OVERALL
        .iter()
        .find_map(|k| rows.remove(*k).map(|row| (*k, row)))
    else {
        return Err(InputError::file(
            path,
            "no \"Total\" row: not the statistics of a JMeter dashboard (`jmeter -g NAME.jtl -o DIR` writes DIR/statistics.json)",
        ));
    };
    let (levels, warnings) = levels_and_warnings(path, (key, &overall), &rows);
    let run_s = overall
        .throughput
        .0
        .filter(|r| *r > 0.0)
        .map(|r| overall.sample_count.0 as f64 / r);
    let totals = stats(&overall, &levels, None);
    let endpoints = rows
        .iter()
        .map(|(name, row)| Endpoint {
            method: String::new(),
            name: name.clone(),
            stats: stats(row, &levels, run_s),
        })
        .collect();
    Ok((
        ScenarioData {
            tool: ToolInfo {
                name: "jmeter",
                version: None,
            },
            totals,
            endpoints,
            history: None,
            failures: Vec::new(),
            exceptions: Vec::new(),
            histograms: None,
        },
        warnings,
    ))
}
