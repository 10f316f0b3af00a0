//! Reading an earlier `summary.json` back, as a baseline. Only the fields a
//! comparison needs are read; the schema must be `loadgate/summary/v1`.

use std::path::Path;

use serde::Deserialize;

use super::InputError;
use crate::model::SUMMARY_SCHEMA as SCHEMA;
use crate::model::{Endpoint, RunSnapshot, SnapshotScenario, Stats};

#[derive(Deserialize)]
struct SummaryFile {
    schema: Option<String>,
    title: Option<String>,
    generated_at: Option<String>,
    scenarios: Vec<SummaryScenario>,
}

#[derive(Deserialize)]
struct SummaryScenario {
    name: String,
    started_at: Option<String>,
    totals: Option<Stats>,
    #[serde(default)]
    endpoints: Vec<Endpoint>,
}

/// Read a loadgate `summary.json` as a run snapshot. Scenarios without
/// totals (missing or unreadable ones) are left out.
pub fn read_summary(path: &Path) -> Result<RunSnapshot, InputError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| InputError::file(path, format!("cannot read: {e}")))?;
    // Check the schema first, so a wrong file gets the right message.
    let schema = serde_json::from_str::<serde_json::Value>(&text)
        .ok()
        .and_then(|v| v.get("schema").and_then(|s| s.as_str()).map(str::to_string));
    match schema.as_deref() {
        Some(SCHEMA) => {}
        Some(other) if other.starts_with("loadgate/summary/") => {
            return Err(InputError::file(
                path,
                format!(
                    "summary schema `{other}` is not supported (this loadgate reads `{SCHEMA}`); regenerate it with this version"
                ),
            ));
        }
        _ => {
            return Err(InputError::file(
                path,
                format!(
                    "not a loadgate summary.json (no \"schema\": \"{SCHEMA}\"); pass a summary.json written by `loadgate check` or a results folder"
                ),
            ));
        }
    }
    let file: SummaryFile = serde_json::from_str(&text).map_err(|e| InputError {
        path: path.to_path_buf(),
        line: Some(e.line() as u64),
        column: None,
        message: format!("invalid summary.json: {e}"),
    })?;
    debug_assert_eq!(file.schema.as_deref(), Some(SCHEMA));
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
}
