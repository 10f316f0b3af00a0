//! Readers that turn result files into the model. One reader per source
//! format; Locust's CSV output is the first.

pub mod guard;
pub mod locust;
pub mod summary;

use crate::format::ShowPath;
use std::fmt;
use std::path::PathBuf;

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
