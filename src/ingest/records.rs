//! A run history: a folder that `loadgate check --history DIR` appends one
//! record to per run, told apart from a results folder by its marker file
//! ([`HISTORY_MARKER`]). A record is a summary.json with a `run` object
//! (read by [`super::summary::read_record`]).
//!
//! Reading never fails on one bad record: a file that does not parse, is of
//! a newer schema, is another tool's JSON or another project's record is
//! left out with a warning naming it. Every `*.json` file in the folder
//! (not in subfolders, not hidden) is taken for a record; other files (the
//! marker, a README, a `.gitkeep`, a half-written `.…tmp`) are not looked
//! at. The records are read on a few threads, since a CI history grows to
//! thousands of files, and for their totals only ([`read_history`]); the
//! few a baseline is made of are read again whole ([`with_endpoints`]).

use std::path::{Path, PathBuf};

use super::InputError;
use super::summary::{Record, RecordDetail, read_record};
use crate::format::ShowPath;
use crate::model::HISTORY_MARKER;

/// A record larger than this is not read: records are a few KB to tens of KB.
pub const MAX_RECORD_BYTES: u64 = 16 * 1024 * 1024;

/// A history folder, read.
#[derive(Debug, Clone, Default)]
pub struct History {
    pub dir: PathBuf,
    /// The readable records, oldest first: by recorded time, then file name.
    pub records: Vec<Record>,
    /// One warning per record left out, naming its file and why.
    pub skipped: Vec<String>,
}

/// Whether `dir` is a run history: a folder with the marker file.
pub fn is_history(dir: &Path) -> bool {
    std::fs::metadata(dir.join(HISTORY_MARKER)).is_ok_and(|m| m.is_file())
}

/// Whether `dir` holds a file named like a record (a hint for a history
/// folder that lost its marker).
pub fn has_record_names(dir: &Path) -> bool {
    record_files(dir).is_ok_and(|(f, _)| !f.is_empty())
}

/// The names of the record files of `dir` (`*.json`, not hidden, regular
/// files or links to one), sorted; and a warning for each entry named like a
/// record that cannot be one (a folder, a dangling link, a FIFO, a name that
/// is not UTF-8), which is never opened.
fn record_files(dir: &Path) -> Result<(Vec<String>, Vec<String>), InputError> {
    let entries = std::fs::read_dir(dir)
        .map_err(|e| InputError::file(dir, format!("cannot list the run history: {e}")))?;
    let mut names = Vec::new();
    let mut warnings = Vec::new();
    for entry in entries {
        let entry = entry
            .map_err(|e| InputError::file(dir, format!("cannot list the run history: {e}")))?;
        let raw = entry.file_name();
        let lossy = raw.to_string_lossy();
        if lossy.starts_with('.') || !lossy.ends_with(".json") {
            continue;
        }
        let Some(name) = raw.to_str() else {
            warnings.push(format!(
                "{}: a file name that is not UTF-8; left out of the run history",
                entry.path().show()
            ));
            continue;
        };
        match std::fs::metadata(entry.path()) {
            Ok(m) if m.is_file() => names.push(name.to_string()),
            _ => warnings.push(format!(
                "{}: not a regular file; left out of the run history",
                entry.path().show()
            )),
        }
    }
    names.sort();
    warnings.sort();
    Ok((names, warnings))
}

/// Read every record of the history `dir`, each scenario's totals and
/// profile (not its endpoints). `project` is this run's
/// repository (`GITHUB_REPOSITORY`): a record of another one is left out.
/// An error only when the folder cannot be listed.
pub fn read_history(dir: &Path, project: Option<&str>) -> Result<History, InputError> {
    let (names, not_files) = record_files(dir)?;
    let read: Vec<Result<Record, String>> =
        super::parallel_map(&names, |n| read_one(dir, n, RecordDetail::Totals));
    let mut history = History {
        dir: dir.to_path_buf(),
        skipped: not_files,
        ..History::default()
    };
    for result in read {
        match result {
            Ok(record) => match (project, record.run.project.as_deref()) {
                (Some(ours), Some(theirs)) if ours != theirs => history.skipped.push(format!(
                    "{}: a record of another project ({theirs}, this run is {ours}); left out",
                    dir.join(&record.file).show()
                )),
                _ => history.records.push(record),
            },
            Err(warning) => history.skipped.push(warning),
        }
    }
    history
        .records
        .sort_by(|a, b| (&a.recorded_at, &a.file).cmp(&(&b.recorded_at, &b.file)));
    Ok(history)
}

/// `records` of the history `dir` read again whole, endpoints included, for a
/// baseline. A record that cannot be read again (removed since) is an error.
pub fn with_endpoints(dir: &Path, records: &[&Record]) -> Result<Vec<Record>, String> {
    records
        .iter()
        .map(|r| read_one(dir, &r.file, RecordDetail::Endpoints))
        .collect()
}

/// One record, or the warning that says why it is left out.
fn read_one(dir: &Path, name: &str, detail: RecordDetail) -> Result<Record, String> {
    let path = dir.join(name);
    let left_out = |e: InputError| format!("{e}; left out of the run history");
    let size = std::fs::metadata(&path)
        .map_err(|e| left_out(InputError::file(&path, format!("cannot read: {e}"))))?
        .len();
    if size > MAX_RECORD_BYTES {
        return Err(left_out(InputError::file(
            &path,
            format!("{size} bytes, too large for a run record"),
        )));
    }
    let bytes = std::fs::read(&path)
        .map_err(|e| left_out(InputError::file(&path, format!("cannot read: {e}"))))?;
    read_record(&path, name, &bytes, detail).map_err(left_out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(time: &str, project: Option<&str>) -> String {
        let project = project.map_or("null".to_string(), |p| format!("\"{p}\""));
        format!(
            r#"{{"schema": "loadgate/summary/v1", "generated_at": "{time}", "status": "passed",
               "run": {{"project": {project}}}, "scenarios": []}}"#
        )
    }

    #[test]
    fn records_are_read_in_time_order_and_bad_ones_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::write(d.join(HISTORY_MARKER), "x").unwrap();
        std::fs::write(d.join("b.json"), record("2026-01-01T00:00:00Z", None)).unwrap();
        std::fs::write(
            d.join("a.json"),
            record("2026-01-02T00:00:00Z", Some("o/r")),
        )
        .unwrap();
        std::fs::write(
            d.join("c.json"),
            record("2026-01-03T00:00:00Z", Some("o/x")),
        )
        .unwrap();
        std::fs::write(d.join("d.json"), "{\"schema\": \"loadgate/summary/v1\"").unwrap();
        std::fs::write(d.join(".e.json.tmp"), "partial").unwrap();
        std::fs::write(d.join("README.md"), "notes").unwrap();
        std::fs::create_dir(d.join("f.json")).unwrap();
        assert!(is_history(d) && has_record_names(d));
        let h = read_history(d, Some("o/r")).unwrap();
        let files: Vec<&str> = h.records.iter().map(|r| r.file.as_str()).collect();
        assert_eq!(files, ["b.json", "a.json"]);
        assert_eq!(h.skipped.len(), 3, "{:?}", h.skipped);
        assert!(
            h.skipped
                .iter()
                .any(|w| w.contains("f.json: not a regular file"))
        );
        assert!(
            h.skipped
                .iter()
                .any(|w| w.contains("c.json: a record of another project (o/x, this run is o/r)"))
        );
        assert!(
            h.skipped
                .iter()
                .any(|w| w.contains("d.json:1: not valid JSON"))
        );
        // Without a project of its own, every project's records are used.
        assert_eq!(read_history(d, None).unwrap().records.len(), 3);
        assert!(!is_history(&d.join("nowhere")));
    }
}
