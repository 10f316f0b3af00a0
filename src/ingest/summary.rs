//! Reading an earlier `summary.json` back: as a baseline ([`read_summary`]),
//! or as one run record of a history folder ([`read_record`], a summary with
//! a `run` object; see `records`). One reader for both, so a record is
//! exactly a summary.json: only the fields a comparison or a trend needs are
//! read, and the schema must be `loadgate/summary/v1`.

use std::path::Path;

use serde::Deserialize;

use super::InputError;
use crate::model::SUMMARY_SCHEMA as SCHEMA;
use crate::model::{Endpoint, RunMeta, RunSnapshot, SnapshotScenario, Stats};

/// A summary.json, with its endpoints as `E`: `Vec<Endpoint>`, or
/// [`Skipped`] where only the totals are wanted (a history's trend), which
/// makes reading a record about twice as fast and keeps no endpoint.
#[derive(Deserialize)]
#[serde(bound = "E: Deserialize<'de> + Default")]
struct SummaryFile<E> {
    schema: Option<String>,
    title: Option<String>,
    generated_at: Option<String>,
    status: Option<String>,
    /// Only in a history record.
    run: Option<RunMeta>,
    scenarios: Vec<SummaryScenario<E>>,
}

/// A value read past, not kept.
#[derive(Default)]
struct Skipped;

impl<'de> Deserialize<'de> for Skipped {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        serde::de::IgnoredAny::deserialize(d)?;
        Ok(Skipped)
    }
}

/// What a summary's endpoints become in a [`RecordScenario`].
trait Endpoints {
    fn into_endpoints(self) -> Option<Vec<Endpoint>>;
}

impl Endpoints for Vec<Endpoint> {
    fn into_endpoints(self) -> Option<Vec<Endpoint>> {
        Some(self)
    }
}

impl Endpoints for Skipped {
    fn into_endpoints(self) -> Option<Vec<Endpoint>> {
        None
    }
}

#[derive(Deserialize)]
#[serde(bound = "E: Deserialize<'de> + Default")]
struct SummaryScenario<E> {
    name: String,
    tool: Option<ToolName>,
    status: Option<String>,
    started_at: Option<String>,
    duration_s: Option<i64>,
    peak_users: Option<u64>,
    totals: Option<Stats>,
    #[serde(default)]
    endpoints: E,
    #[serde(default)]
    checks: Vec<CheckPassed>,
    #[serde(default)]
    comparisons: Vec<ComparisonVerdict>,
}

#[derive(Deserialize)]
struct ToolName {
    name: String,
}

#[derive(Deserialize)]
struct CheckPassed {
    passed: bool,
}

#[derive(Deserialize)]
struct ComparisonVerdict {
    verdict: String,
}

/// Only the schema, to name a file that is not a v1 summary as such.
#[derive(Deserialize)]
struct SchemaOnly {
    schema: Option<serde_json::Value>,
}

/// The schema check every summary read starts with: the right message for a
/// file of another version, or one that is no loadgate summary at all.
fn check_schema(path: &Path, schema: Option<&str>, what: &str) -> Result<(), InputError> {
    match schema {
        Some(SCHEMA) => Ok(()),
        Some(other) if other.starts_with("loadgate/summary/") => Err(InputError::file(
            path,
            format!(
                "summary schema `{other}` is not supported (this loadgate reads `{SCHEMA}`); regenerate it with this version"
            ),
        )),
        _ => Err(InputError::file(
            path,
            format!("not a loadgate {what} (no \"schema\": \"{SCHEMA}\")"),
        )),
    }
}

/// Parse `bytes` as a v1 summary: one typed parse, and only when it fails a
/// second look at the schema, so a file of another version or tool is named
/// as such rather than by the first field it lacks.
fn parse<E: serde::de::DeserializeOwned + Default>(
    path: &Path,
    bytes: &[u8],
    what: &str,
) -> Result<SummaryFile<E>, InputError> {
    match serde_json::from_slice::<SummaryFile<E>>(bytes) {
        Ok(file) => {
            check_schema(path, file.schema.as_deref(), what)?;
            Ok(file)
        }
        Err(e) => {
            let at_line = |e: &serde_json::Error, message: String| InputError {
                path: path.to_path_buf(),
                line: Some(e.line() as u64),
                column: None,
                message,
            };
            match serde_json::from_slice::<SchemaOnly>(bytes) {
                // Not JSON (or cut short): say where.
                Err(syntax) => Err(at_line(&syntax, format!("not valid JSON: {syntax}"))),
                Ok(probe) => {
                    let schema = probe.schema.as_ref().and_then(|s| s.as_str());
                    check_schema(path, schema, what)?;
                    Err(at_line(&e, format!("invalid {what}: {e}")))
                }
            }
        }
    }
}

/// Read a loadgate `summary.json` as a run snapshot. Scenarios without
/// totals (missing or unreadable ones) are left out.
pub fn read_summary(path: &Path) -> Result<RunSnapshot, InputError> {
    let bytes =
        std::fs::read(path).map_err(|e| InputError::file(path, format!("cannot read: {e}")))?;
    let file = parse::<Vec<Endpoint>>(path, &bytes, "summary.json").map_err(|mut e| {
        if e.message.starts_with("not a loadgate") {
            e.message.push_str(
                "; pass a summary.json written by `loadgate check`, a results folder or a run history",
            );
        }
        e
    })?;
    let date = file
        .scenarios
        .iter()
        .filter_map(|s| s.started_at.clone())
        .min()
        .or(file.generated_at);
    let mut scenarios: Vec<SnapshotScenario> = file
        .scenarios
        .into_iter()
        .filter_map(|s| {
            Some(SnapshotScenario {
                name: s.name,
                totals: s.totals?,
                endpoints: s.endpoints,
                histograms: None,
                no_histograms: Some(
                    "a summary.json keeps none (give --baseline the baseline run's results folder)"
                        .into(),
                ),
                noise: None,
            })
        })
        .collect();
    scenarios.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(RunSnapshot {
        source: path.to_path_buf(),
        title: file.title,
        date,
        scenarios,
    })
}

/// One run record of a history folder, as read.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    /// The file name in the history folder.
    pub file: String,
    /// When the run was recorded: the summary's `generated_at` (RFC 3339).
    pub recorded_at: String,
    pub title: Option<String>,
    pub run: RunMeta,
    /// The run's verdict: `passed`, `failed` or `error`.
    pub status: String,
    /// Sorted by name.
    pub scenarios: Vec<RecordScenario>,
}

/// One scenario of a [`Record`]: what comparability, the baseline and the
/// trend read.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordScenario {
    pub name: String,
    /// The load tool (`jmeter`), when the scenario was read.
    pub tool: Option<String>,
    /// `passed`, `failed`, `incomplete`, `missing`, `error`.
    pub status: String,
    pub peak_users: Option<u64>,
    pub duration_s: Option<i64>,
    /// `None` for a scenario that was missing or unreadable.
    pub totals: Option<Stats>,
    /// `None` when the record was read for its totals only.
    pub endpoints: Option<Vec<Endpoint>>,
    pub checks_failed: usize,
    pub regressions: usize,
}

/// Whether `t` has the shape loadgate writes times in: `YYYY-MM-DDTHH:MM:SSZ`,
/// so records sort by their text.
/// `2026-01-22T00:00:00.123456Z` (six fraction digits, as records write
/// it), or [`is_utc_time`]'s form: such times compare in time order as text.
fn is_utc_time_with_fraction(t: &str) -> bool {
    match (t.get(..19), t.get(19..)) {
        (Some(head), Some(rest)) => {
            is_utc_time(&format!("{head}Z"))
                && (rest == "Z"
                    || rest
                        .strip_prefix('.')
                        .and_then(|r| r.strip_suffix('Z'))
                        .is_some_and(|digits| {
                            digits.len() == 6 && digits.bytes().all(|b| b.is_ascii_digit())
                        }))
        }
        _ => false,
    }
}

fn is_utc_time(t: &str) -> bool {
    let b = t.as_bytes();
    b.len() == 20
        && b.iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            10 => *c == b'T',
            13 | 16 => *c == b':',
            19 => *c == b'Z',
            _ => c.is_ascii_digit(),
        })
}

/// How much of a record to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordDetail {
    /// Each scenario's totals and profile: a trend, the comparability of a run.
    Totals,
    /// Also the endpoints: a baseline.
    Endpoints,
}

/// Read a run record: a v1 summary with a `run` object and a
/// `generated_at` time. `file` names it in the history folder.
pub fn read_record(
    path: &Path,
    file: &str,
    bytes: &[u8],
    detail: RecordDetail,
) -> Result<Record, InputError> {
    match detail {
        RecordDetail::Totals => record_of::<Skipped>(path, file, bytes),
        RecordDetail::Endpoints => record_of::<Vec<Endpoint>>(path, file, bytes),
    }
}

fn record_of<E: serde::de::DeserializeOwned + Default + Endpoints>(
    path: &Path,
    file: &str,
    bytes: &[u8],
) -> Result<Record, InputError> {
    let f = parse::<E>(path, bytes, "run record (a summary.json with \"run\")")?;
    let Some(run) = f.run else {
        return Err(InputError::file(
            path,
            "a summary.json without \"run\": not a run record (records are written by `loadgate check --history DIR`)",
        ));
    };
    let Some(generated_at) = f.generated_at.filter(|t| is_utc_time(t)) else {
        return Err(InputError::file(
            path,
            "no \"generated_at\" time of the form 2026-01-22T00:00:00Z",
        ));
    };
    // The record's own clock time where it has one (generated_at may be
    // pinned by SOURCE_DATE_EPOCH); a malformed one is not used.
    let recorded_at = run
        .recorded_at
        .clone()
        .filter(|t| is_utc_time_with_fraction(t))
        .unwrap_or(generated_at);
    let mut scenarios: Vec<RecordScenario> = f
        .scenarios
        .into_iter()
        .map(|s| RecordScenario {
            name: s.name,
            tool: s.tool.map(|t| t.name),
            status: s.status.unwrap_or_default(),
            peak_users: s.peak_users,
            duration_s: s.duration_s,
            totals: s.totals,
            endpoints: s.endpoints.into_endpoints(),
            checks_failed: s.checks.iter().filter(|c| !c.passed).count(),
            regressions: s
                .comparisons
                .iter()
                .filter(|c| c.verdict == "regressed")
                .count(),
        })
        .collect();
    scenarios.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(Record {
        file: file.to_string(),
        recorded_at,
        title: f.title,
        run,
        status: f.status.unwrap_or_default(),
        scenarios,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_that_are_not_summaries_are_rejected_by_name() {
        let dir = tempfile::tempdir().unwrap();
        let other = dir.path().join("package.json");
        std::fs::write(&other, "{\"name\": \"x\"}").unwrap();
        assert!(
            read_summary(&other)
                .unwrap_err()
                .message
                .contains("not a loadgate summary.json")
        );
        let future = dir.path().join("summary.json");
        std::fs::write(
            &future,
            "{\"schema\": \"loadgate/summary/v9\", \"scenarios\": []}",
        )
        .unwrap();
        assert!(
            read_summary(&future)
                .unwrap_err()
                .message
                .contains("`loadgate/summary/v9` is not supported")
        );
    }

    fn read_record_all(path: &Path, bytes: &[u8]) -> Result<Record, InputError> {
        let totals = read_record(path, "r.json", bytes, RecordDetail::Totals);
        let all = read_record(path, "r.json", bytes, RecordDetail::Endpoints);
        assert_eq!(totals.is_ok(), all.is_ok());
        all
    }

    #[test]
    fn every_cut_and_every_corrupted_byte_of_a_record_is_an_error_or_a_record_never_a_panic() {
        let record = br#"{"schema":"loadgate/summary/v1","generated_at":"2026-01-22T00:00:00Z","status":"failed","run":{"label":"v1","commit":"abc","branch":"main"},"scenarios":[{"name":"checkout","tool":{"name":"jmeter","version":null},"status":"failed","duration_s":15,"peak_users":10,"totals":{"requests":431,"failures":193,"success_rate":55.2,"rps":28.1,"failures_per_s":12.6,"median_ms":129,"avg_ms":201.5,"min_ms":1,"max_ms":1462,"percentiles_ms":{"50":129,"95":729,"99":1460,"100":1462}},"endpoints":[{"method":"","name":"health","requests":86,"failures":40,"success_rate":53.4,"rps":5.6,"failures_per_s":2.6,"median_ms":128,"avg_ms":190,"min_ms":1,"max_ms":1459,"percentiles_ms":{"50":128,"99":1459}}],"checks":[{"passed":false}],"comparisons":[{"verdict":"regressed"}]}]}"#;
        let path = Path::new("h/r.json");
        for detail in [RecordDetail::Totals, RecordDetail::Endpoints] {
            let whole = read_record(path, "r.json", record, detail).unwrap();
            assert_eq!(
                whole.scenarios[0].endpoints.is_some(),
                detail == RecordDetail::Endpoints
            );
            for cut in 0..record.len() {
                assert!(
                    read_record(path, "r.json", &record[..cut], detail).is_err(),
                    "cut at {cut}"
                );
            }
            for i in 0..record.len() {
                for b in [b'"', b'}', b'x', 0, 0xff] {
                    let mut bytes = record.to_vec();
                    bytes[i] = b;
                    let _ = read_record(path, "r.json", &bytes, detail);
                }
            }
        }
    }

    #[test]
    fn records_need_a_run_and_a_time_and_say_where_they_are_cut() {
        let path = Path::new("h/r.json");
        let ok = br#"{"schema": "loadgate/summary/v1", "generated_at": "2026-01-22T00:00:00Z",
            "status": "passed", "run": {"label": "v1"}, "scenarios": [
            {"name": "b", "status": "failed", "checks": [{"passed": false}, {"passed": true}],
             "comparisons": [{"verdict": "regressed"}], "tool": {"name": "jmeter", "version": null}},
            {"name": "a", "status": "passed"}]}"#;
        let r = read_record_all(path, ok).unwrap();
        assert_eq!(r.run.label.as_deref(), Some("v1"));
        assert_eq!(r.scenarios[0].name, "a");
        assert_eq!(
            (r.scenarios[1].checks_failed, r.scenarios[1].regressions),
            (1, 1)
        );
        assert_eq!(r.scenarios[1].tool.as_deref(), Some("jmeter"));

        let no_run = br#"{"schema": "loadgate/summary/v1", "generated_at": "2026-01-22T00:00:00Z", "scenarios": []}"#;
        let e = read_record_all(path, no_run).unwrap_err();
        assert!(e.message.contains("without \"run\""), "{e}");
        let cut = &ok[..120];
        let e = read_record_all(path, cut).unwrap_err();
        assert!(e.message.starts_with("not valid JSON"), "{e}");
        assert_eq!(e.line, Some(2));
        let k6 = br#"{"metrics": {"http_reqs": {"count": 3}}}"#;
        let e = read_record_all(path, k6).unwrap_err();
        assert!(e.message.starts_with("not a loadgate run record"), "{e}");
        let v2 = br#"{"schema": "loadgate/summary/v2", "scenarios": {"a": 1}}"#;
        let e = read_record_all(path, v2).unwrap_err();
        assert!(
            e.message.contains("`loadgate/summary/v2` is not supported"),
            "{e}"
        );
        let bad_time = br#"{"schema": "loadgate/summary/v1", "generated_at": "yesterday", "run": {}, "scenarios": []}"#;
        let e = read_record_all(path, bad_time).unwrap_err();
        assert!(e.message.contains("generated_at"), "{e}");
    }
}
