//! Readers that turn result files into the model: one [`Reader`] per load
//! tool (Locust first, in `locust/`), each claiming its files by name and
//! content and reading a result set into the tool-neutral model; `guard`
//! bounds what any reader takes in; `summary` reads an earlier summary.json
//! back as a baseline or as a run record, `records` a run history folder of
//! them. A reader feeds a run's history to a
//! [`HistoryObserver`] as it streams it, so checks over time need not hold it.

pub mod artillery;
pub mod autocannon;
pub mod exact;
pub mod gatling;
pub mod guard;
pub mod hey;
pub mod jmeter;
pub mod k6;
pub mod lines;
pub mod locust;
pub mod oha;
pub mod one_file;
pub mod records;
pub mod samples;
pub mod summary;
pub mod vegeta;

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use crate::format::ShowPath;
use crate::model::{ResultFiles, Role, ScenarioData};

/// A reader of one load tool's result files: which files are its and
/// which result set each belongs to, and how to read a set into the model.
/// Adding a tool is one implementation plus one line in [`READERS`].
pub trait Reader: Sync {
    /// The tool, as summary.json names it (`locust`).
    fn tool(&self) -> &'static str;

    /// The tool as people write it (`JMeter`), for the report and the
    /// terminal; the id by default.
    fn display_name(&self) -> &'static str {
        self.tool()
    }

    /// Other tools whose files this reader reads under their own name, as
    /// (id, display name): Taurus's `kpi.jtl` is a JTL.
    fn other_tools(&self) -> &'static [(&'static str, &'static str)] {
        &[]
    }

    /// The files this reader reads, for messages: "Locust's *_stats.csv
    /// (`locust --csv PREFIX`)".
    fn files_hint(&self) -> &'static str;

    /// The scenario and role of a file, by its name, when it is one of this
    /// tool's result files (`s1_stats.csv` → (`s1`, stats)). Files with
    /// ambiguous names are confirmed by [`Reader::recognises`].
    fn claim(&self, file_name: &str) -> Option<(String, Role)>;

    /// Whether a file name (any bytes, possibly not UTF-8) ends like one of
    /// this tool's result files, so that a name discovery cannot use is
    /// reported rather than skipped.
    fn looks_like_result(&self, file_name: &[u8]) -> bool;

    /// Whether the file's content is this tool's, from its first bytes.
    fn recognises(&self, path: &Path) -> bool;

    /// The scenario and role of a file that no reader claims by name but
    /// whose content is this tool's (a JTL written as `results.csv`), or
    /// whose scenario its folder names (JMeter's dashboard `statistics.json`,
    /// Taurus's `kpi.jtl`). Asked only for such files, and for a plain
    /// `NAME.json` that Locust claims as a histograms file (an autocannon
    /// result, a dashboard's `statistics.json`); the default claims nothing.
    fn claim_by_content(&self, _path: &Path) -> Option<(String, Role)> {
        None
    }

    /// A last pass over the files grouped in one folder: attach files that
    /// belong to a set by content rather than by name (Locust's freely named
    /// `--json-file` output).
    fn complete(&self, _groups: &mut BTreeMap<(PathBuf, String), ResultFiles>) {}

    /// Why a result set of this tool may have no response-time histograms
    /// (every request's time, for the rank test against a baseline), and
    /// what gives them.
    fn no_histograms(&self) -> String {
        format!(
            "{}'s files hold percentile summaries, not every request's time",
            self.tool()
        )
    }

    /// How to give this tool's requests fixed names, for the warning on a
    /// scenario with thousands of endpoint names (every URL on its own:
    /// `/item/1`, `/item/2`, …).
    fn naming_hint(&self) -> &'static str {
        "give the requests fixed names in the load script"
    }

    /// Why a windowed `threshold` cannot be judged on a result set of this
    /// tool that has no per-second history, and what to do.
    fn no_history(&self, threshold: &str) -> String {
        format!(
            "`{threshold}` needs per-second data, and this {} file is a summary of the whole run without any; drop `for …` to judge the whole run",
            self.display_name()
        )
    }

    /// Read one result set. Never panics on bad input; a broken optional
    /// file is an error while the rest is still read.
    fn read(
        &self,
        files: &ResultFiles,
        observer: Option<&mut (dyn HistoryObserver + '_)>,
        progress: Option<&indicatif::ProgressBar>,
    ) -> Ingested;
}

/// Every reader, in the order discovery asks them. Artillery, k6, autocannon,
/// Vegeta and oha come first: their names (`NAME.artillery.json`,
/// `NAME.k6-summary.json`, `NAME.k6.json`, `NAME.autocannon.json`,
/// `NAME.vegeta.json`, `NAME.oha.json`) end in `.json`, which Locust claims
/// for its `--json-file` histograms.
pub static READERS: &[&dyn Reader] = &[
    &artillery::Artillery,
    &k6::K6,
    &autocannon::Autocannon,
    &vegeta::Vegeta,
    &oha::Oha,
    &locust::Locust,
    &jmeter::Jmeter,
    &gatling::Gatling,
    &hey::Hey,
];

/// Every reader's [`Reader::files_hint`], for "looked for …" messages.
pub fn files_hint() -> String {
    let hints: Vec<&str> = READERS.iter().map(|r| r.files_hint()).collect();
    match hints.as_slice() {
        [] => String::new(),
        [one] => (*one).to_string(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

/// The reader of a tool, by the name [`Reader::tool`] or
/// [`Reader::other_tools`] gives.
pub fn reader(tool: &str) -> Option<&'static dyn Reader> {
    READERS
        .iter()
        .copied()
        .find(|r| r.tool() == tool || r.other_tools().iter().any(|(id, _)| *id == tool))
}

/// The tool with its version where its files say it (`Artillery 2.0.21`),
/// as the report and the terminal name it.
pub fn tool_label(tool: &crate::model::ToolInfo) -> String {
    let name = reader(tool.name).map_or(tool.name, |r| {
        r.other_tools()
            .iter()
            .find(|(id, _)| *id == tool.name)
            .map_or(r.display_name(), |(_, display)| *display)
    });
    match &tool.version {
        Some(v) => format!("{name} {v}"),
        None => name.to_string(),
    }
}

/// [`Reader::no_history`] of a tool, by name.
pub fn no_history(tool: &str, threshold: &str) -> String {
    reader(tool).map_or_else(
        || format!("`{threshold}` needs per-second data, which this {tool} run has none of"),
        |r| r.no_history(threshold),
    )
}

/// [`Reader::naming_hint`] of a tool, by name.
pub fn naming_hint(tool: &str) -> &'static str {
    reader(tool).map_or("give the requests fixed names in the load script", |r| {
        r.naming_hint()
    })
}

/// [`Reader::no_histograms`] of a tool, by name.
pub fn no_histograms(tool: &str) -> String {
    reader(tool).map_or_else(
        || format!("{tool}'s files hold no response-time histograms"),
        |r| r.no_histograms(),
    )
}

/// What reading a result set produced: the data when its main file was
/// readable, plus warnings and errors from any of its files.
#[derive(Debug, Default)]
pub struct Ingested {
    pub data: Option<ScenarioData>,
    pub warnings: Vec<String>,
    pub errors: Vec<InputError>,
}

/// One history row as an observer sees it, while a reader reads a run's
/// time series in order (a per-second tick of the total, or of one endpoint).
pub struct HistoryRow<'a> {
    pub timestamp: i64,
    pub users: u64,
    /// `None` for the scenario total, else (method, name).
    pub endpoint: Option<(&'a str, &'a str)>,
    pub rps: f64,
    pub failures_per_s: f64,
    /// (level, value) per percentile column.
    pub percentiles: &'a [(f64, Option<f64>)],
}

/// Follows a run's history rows as a reader streams them, so that checks
/// over time (sustained windows) need not hold the whole series. Defined
/// here, implemented above (evaluate's window probes), so a reader never
/// depends on how it is judged.
pub trait HistoryObserver {
    /// Whether per-endpoint rows are wanted too (they cost a full parse).
    fn wants_endpoints(&self) -> bool;

    /// Whether this endpoint's rows are wanted: asked before a row's
    /// numbers are read, so a reader may skip the others. Every endpoint's
    /// by default, when [`HistoryObserver::wants_endpoints`].
    fn wants_endpoint(&mut self, _method: &str, _name: &str) -> bool {
        self.wants_endpoints()
    }

    /// The percentile levels an endpoint row needs (a reader may leave the
    /// others out of [`HistoryRow::percentiles`]); `None` for all.
    fn endpoint_levels(&self) -> Option<Vec<f64>> {
        None
    }
    fn observe(&mut self, row: &HistoryRow<'_>);

    /// A number for the endpoint (method, name) that
    /// [`HistoryObserver::observe_endpoint`] takes with its rows, so that a
    /// reader with many rows per endpoint has it looked up once, not on
    /// every row; `None` (the default): the observer takes names only.
    fn endpoint_id(&mut self, _method: &str, _name: &str) -> Option<usize> {
        None
    }

    /// [`HistoryObserver::observe`] for a row of the endpoint numbered `id`
    /// by [`HistoryObserver::endpoint_id`] (`row.endpoint` names it too).
    fn observe_endpoint(&mut self, _id: usize, row: &HistoryRow<'_>) {
        self.observe(row);
    }
}

/// A problem with an input file, located as precisely as the format allows.
///
/// Displays as `<path>:<line>: <what> (column "<name>")`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputError {
    pub path: PathBuf,
    /// 1-based line, when the problem is on a line.
    pub line: Option<u64>,
    /// The header name of the column at fault.
    pub column: Option<String>,
    pub message: String,
}

impl InputError {
    pub fn file(path: impl Into<PathBuf>, message: impl Into<String>) -> InputError {
        InputError {
            path: path.into(),
            line: None,
            column: None,
            message: message.into(),
        }
    }
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.path.show())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        write!(f, ": {}", self.message)?;
        if let Some(column) = &self.column {
            write!(f, " (column \"{column}\")")?;
        }
        Ok(())
    }
}

impl std::error::Error for InputError {}

/// `f` over every item (result sets, history records), on as many threads as the machine has cores (one
/// item after another when there is one), the results in the items' order
/// whatever finished first.
pub fn parallel_map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let workers = std::thread::available_parallelism()
        .map_or(1, std::num::NonZeroUsize::get)
        .min(items.len());
    if workers <= 1 {
        return items.iter().map(f).collect();
    }
    let next = AtomicUsize::new(0);
    let mut done: Vec<(usize, R)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                scope.spawn(|| {
                    let mut out = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(item) = items.get(i) else {
                            return out;
                        };
                        out.push((i, f(item)));
                    }
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    });
    done.sort_unstable_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, r)| r).collect()
}

#[cfg(test)]
mod parallel_tests {
    #[test]
    fn parallel_map_keeps_the_order() {
        let items: Vec<u64> = (0..1000).collect();
        let out = super::parallel_map(&items, |&i| {
            // Uneven work, so threads finish out of order.
            (0..(i % 7) * 1000).fold(i, |a, b| a.wrapping_add(b))
        });
        let want: Vec<u64> = items
            .iter()
            .map(|&i| (0..(i % 7) * 1000).fold(i, |a, b| a.wrapping_add(b)))
            .collect();
        assert_eq!(out, want);
        assert!(super::parallel_map(&[] as &[u64], |&i| i).is_empty());
    }
}
