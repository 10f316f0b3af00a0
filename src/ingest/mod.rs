//! Readers that turn result files into the model. One reader per source
//! format; Locust's CSV output is the first.

pub mod guard;
pub mod locust;
pub mod summary;

use crate::format::ShowPath;
use std::fmt;
use std::path::PathBuf;

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
    fn observe(&mut self, row: &HistoryRow<'_>);
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
