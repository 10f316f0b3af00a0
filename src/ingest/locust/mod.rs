//! The Locust reader: `PREFIX_stats.csv`, `_stats_history.csv`,
//! `_failures.csv`, `_exceptions.csv` and the `--json-file` output into
//! [`ScenarioData`]. The files: `rows` (header, typed fields, the fast line
//! reader), `stats`, `history` (and `follow`, its rows for a windowed
//! endpoint check, read `ahead` on another core), `json`, `failures` (failures and exceptions).
//!
//! Columns are found by header name, percentile columns by their `%` suffix;
//! unknown columns are ignored. `N/A` means "no value". The `Aggregated` row
//! (empty `Type`) is the scenario total. A history file whose last line was
//! cut short by a killed run is read up to its last whole line, with a
//! warning; every other malformed value is an [`InputError`] with the file,
//! the line and the column.

use crate::format::ShowPath;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::ingest::{HistoryObserver, Ingested, Reader};
use crate::model::{ResultFiles, Role, ScenarioData, ToolInfo};

mod ahead;
mod failures;
mod follow;
mod history;
mod json;
mod rows;
mod small;
mod stats;
#[cfg(test)]
mod tests;

pub use failures::{read_exceptions, read_failures};
pub use history::{locust_bucket_ms, read_history, read_history_with_progress};
pub use json::read_json;
pub use stats::read_stats;

/// The Locust reader (see the module doc).
pub struct Locust;

/// Locust's file suffixes, longest first: `_stats_history.csv` must not be
/// read as `_stats.csv`'s prefix.
const SUFFIXES: [(&str, Role); 4] = [
    ("_stats_history.csv", Role::History),
    ("_stats.csv", Role::Stats),
    ("_failures.csv", Role::Failures),
    ("_exceptions.csv", Role::Exceptions),
];

impl Reader for Locust {
    fn tool(&self) -> &'static str {
        "locust"
    }

    fn display_name(&self) -> &'static str {
        "Locust"
    }

    fn files_hint(&self) -> &'static str {
        "Locust's *_stats.csv (`locust --csv PREFIX`)"
    }

    fn no_history(&self, threshold: &str) -> String {
        format!("`{threshold}` needs the run's _stats_history.csv, which is missing or unreadable")
    }

    fn no_histograms(&self) -> String {
        "Locust writes them with --json-file PREFIX, beside its stats".into()
    }

    fn naming_hint(&self) -> &'static str {
        "name the requests in the locustfile with `name=`, as in self.client.get(f\"/item/{id}\", name=\"/item/[id]\")"
    }

    /// `x_stats.csv` → (`x`, stats); `x.json` → (`x`, histograms), attached
    /// only to a set that has other files.
    fn claim(&self, file_name: &str) -> Option<(String, Role)> {
        SUFFIXES
            .iter()
            .chain(&[(".json", Role::Histograms)])
            .find_map(|(suffix, role)| {
                let prefix = file_name.strip_suffix(suffix)?;
                (!prefix.is_empty()).then(|| (prefix.to_string(), *role))
            })
    }

    fn looks_like_result(&self, file_name: &[u8]) -> bool {
        SUFFIXES
            .iter()
            .any(|(suffix, _)| file_name.ends_with(suffix.as_bytes()))
    }

    /// A CSV whose header has Locust's `Type` and `Name` columns, or a JSON
    /// list of entries with `response_times`.
    fn recognises(&self, path: &Path) -> bool {
        let head = head(path);
        let compact: String = head.chars().filter(|c| !c.is_whitespace()).collect();
        let header = head.lines().next().unwrap_or_default();
        compact == "[]"
            || (compact.starts_with("[{") && compact.contains("\"response_times\""))
            || (header.contains("Type") && header.contains("Name"))
    }

    fn complete(&self, groups: &mut BTreeMap<(PathBuf, String), ResultFiles>) {
        attach_named_json(self, groups);
    }

    fn read(
        &self,
        files: &ResultFiles,
        observer: Option<&mut (dyn HistoryObserver + '_)>,
        progress: Option<&indicatif::ProgressBar>,
    ) -> Ingested {
        read_result_set_with_progress(files, observer, progress)
    }
}

/// The first 4 KiB of a file, as text (lossy); empty when unreadable.
fn head(path: &Path) -> String {
    use std::io::Read;
    let mut buf = vec![0u8; 4096];
    let n = std::fs::File::open(path)
        .and_then(|mut f| f.read(&mut buf))
        .unwrap_or(0);
    String::from_utf8_lossy(&buf[..n]).into_owned()
}

/// Locust's `--json-file NAME` writes `NAME.json`, and users name it freely:
/// `PREFIX_locust.json`, `PREFIX_stats.json`, `PREFIX-report.json`. A JSON
/// file beside a result set that has none is that set's when its name is
/// the set's prefix, a separator (`_`, `-`, `.`) and more, and its content
/// has the shape of Locust's output. Where two prefixes fit, the longest wins.
fn attach_named_json(reader: &Locust, groups: &mut BTreeMap<(PathBuf, String), ResultFiles>) {
    // JSON files that are no set's `PREFIX.json`, by folder.
    let lone: Vec<((PathBuf, String), PathBuf)> = groups
        .iter()
        .filter(|(_, f)| !f.is_set())
        .filter_map(|(key, f)| Some((key.clone(), f.json.clone()?)))
        .collect();
    for ((dir, stem), path) in lone {
        let owner = groups
            .iter()
            .filter(|((d, prefix), f)| {
                *d == dir
                    && f.is_set()
                    && f.json.is_none()
                    && stem
                        .strip_prefix(prefix.as_str())
                        .is_some_and(|rest| rest.starts_with(['_', '-', '.']))
            })
            .map(|((_, prefix), _)| prefix.clone())
            .max_by_key(String::len);
        let is_json = head(&path).trim_start().starts_with('[');
        if let Some(prefix) = owner
            && is_json
            && reader.recognises(&path)
            && let Some(files) = groups.get_mut(&(dir.clone(), prefix))
        {
            files.json = Some(path);
            groups.remove(&(dir, stem));
        }
    }
}

/// Read every file of one result set. Never panics on bad input; a broken
/// optional file is reported as an error while the rest is still read.
pub fn read_result_set(
    files: &ResultFiles,
    observer: Option<&mut (dyn HistoryObserver + '_)>,
) -> Ingested {
    read_result_set_with_progress(files, observer, None)
}

/// [`read_result_set`], advancing `progress` by the history bytes read.
pub fn read_result_set_with_progress(
    files: &ResultFiles,
    probes: Option<&mut (dyn HistoryObserver + '_)>,
    progress: Option<&indicatif::ProgressBar>,
) -> Ingested {
    let mut out = Ingested::default();
    let Some(stats_path) = &files.stats else {
        return out;
    };
    let (totals, endpoints) = match read_stats(stats_path) {
        Ok(v) => v,
        Err(e) => {
            out.errors.push(e);
            return out;
        }
    };
    let history = match &files.history {
        Some(path) => match read_history_with_progress(path, probes, progress) {
            Ok((history, warning)) => {
                out.warnings.extend(warning);
                history
            }
            Err(e) => {
                out.errors.push(e);
                None
            }
        },
        None => None,
    };
    let failures = match &files.failures {
        Some(path) => read_failures(path).unwrap_or_else(|e| {
            out.errors.push(e);
            Vec::new()
        }),
        None => Vec::new(),
    };
    let exceptions = match &files.exceptions {
        Some(path) => read_exceptions(path).unwrap_or_else(|e| {
            out.errors.push(e);
            Vec::new()
        }),
        None => Vec::new(),
    };
    let histograms = match &files.json {
        Some(path) => read_json(path).map(Some).unwrap_or_else(|e| {
            out.errors.push(e);
            None
        }),
        None => None,
    };
    let histograms = histograms.and_then(|h| {
        let json_requests = h
            .total
            .values()
            .fold(0u64, |a, &n| a.saturating_add(n));
        let path = files.json.as_deref().unwrap_or(stats_path);
        if h.endpoints.is_empty() {
            out.warnings.push(format!(
                "{}: holds no entries (`[]`), so there is no rank test: Locust 2.47 writes an empty list when --json is given together with --json-file; drop --json",
                path.show()
            ));
            return None;
        }
        if json_requests > totals.requests {
            out.warnings.push(format!(
                "{} counts {} requests, {} {}: Locust writes its CSV files before the last requests in flight finish; loadgate judges the CSV's figures, and the rank test uses the JSON's histograms",
                path.show(),
                crate::format::count(json_requests),
                stats_path.show(),
                crate::format::count(totals.requests)
            ));
        }
        Some(h)
    });
    out.data = Some(ScenarioData {
        tool: ToolInfo {
            name: "locust",
            version: None,
        },
        totals,
        endpoints,
        history,
        failures,
        exceptions,
        histograms,
    });
    out
}
