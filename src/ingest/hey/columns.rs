//! hey's CSV header and rows: the columns by name, one typed row per
//! record, every error located by line and column.

use std::path::Path;

use csv::ByteRecord;

use crate::ingest::InputError;
use crate::ingest::guard;

/// The header hey 0.1.4 writes, for messages.
pub(super) const HEADER: &str =
    "response-time,DNS+dialup,DNS,Request-write,Response-delay,Response-read,status-code,offset";

/// The columns read; the others hey writes, checked to be numbers.
const REQUIRED: [&str; 3] = ["response-time", "status-code", "offset"];
const CHECKED: [&str; 5] = [
    "DNS+dialup",
    "DNS",
    "Request-write",
    "Response-delay",
    "Response-read",
];

/// The longest time read, in seconds (about 31 years): a larger one is no
/// request's, and would not fit the microsecond clock.
const MAX_SECONDS: f64 = 1e9;

/// The field names of a header line.
fn names(line: &str) -> Vec<&str> {
    line.trim_start_matches('\u{feff}')
        .split(',')
        .map(str::trim)
        .collect()
}

/// Whether a first line is hey's header: comma-separated, naming the
/// required columns.
pub(super) fn is_header(first_line: &str) -> bool {
    let names = names(first_line);
    REQUIRED.iter().all(|r| names.contains(r))
}

/// The columns of a hey CSV, by index.
pub(super) struct Columns {
    names: Vec<String>,
    response_time: usize,
    status_code: usize,
    offset: usize,
    checked: Vec<usize>,
}

/// One row: a request that got a response.
#[derive(Debug, Clone, Copy)]
pub(super) struct Row {
    pub(super) response_time_s: f64,
    pub(super) status: u16,
    /// When the request started, in seconds since hey started.
    pub(super) offset_s: f64,
}

impl Row {
    /// A status of 400 or more, or 0 (no response; hey writes no such row).
    pub(super) fn failed(&self) -> bool {
        self.status >= 400 || self.status == 0
    }

    /// The failure, for the failures table.
    pub(super) fn error(&self) -> String {
        match self.status {
            0 => "no response (status 0)".to_string(),
            s => format!("HTTP {s}"),
        }
    }
}

impl Columns {
    /// The columns from the header record (line 1).
    pub(super) fn new(path: &Path, record: &ByteRecord) -> Result<Columns, InputError> {
        let at_line_1 = |column: Option<&str>, message: String| InputError {
            path: path.to_path_buf(),
            line: Some(1),
            column: column.map(str::to_string),
            message,
        };
        if std::str::from_utf8(record.as_slice()).is_err() {
            return Err(at_line_1(None, "the header line is not valid UTF-8".into()));
        }
        let names: Vec<String> = record
            .iter()
            .map(|f| {
                String::from_utf8_lossy(f)
                    .trim()
                    .trim_start_matches('\u{feff}')
                    .to_string()
            })
            .collect();
        let index = guard::header_index(path, &names)?;
        let require = |name: &str| {
            index.get(name).copied().ok_or_else(|| {
                at_line_1(
                    Some(name),
                    format!(
                        "a required column is missing from the header; hey -o csv writes {HEADER}"
                    ),
                )
            })
        };
        Ok(Columns {
            response_time: require("response-time")?,
            status_code: require("status-code")?,
            offset: require("offset")?,
            checked: CHECKED
                .iter()
                .filter_map(|n| index.get(n).copied())
                .collect(),
            names,
        })
    }

    /// One record as a row, checked.
    pub(super) fn row(&self, path: &Path, record: &ByteRecord) -> Result<Row, InputError> {
        let line = record.position().and_then(|p| guard::record_line(path, p));
        let error = |column: Option<usize>, message: String| InputError {
            path: path.to_path_buf(),
            line,
            column: column.map(|c| self.names[c].clone()),
            message,
        };
        if record.len() != self.names.len() {
            return Err(error(
                None,
                format!(
                    "the line has {} fields but the header has {}",
                    record.len(),
                    self.names.len()
                ),
            ));
        }
        if record.get(self.response_time) == Some(b"response-time".as_slice()) {
            return Err(error(
                None,
                "the header line again: two hey outputs joined into one?".into(),
            ));
        }
        let text = |column: usize| -> Result<&str, InputError> {
            std::str::from_utf8(record.get(column).unwrap_or_default())
                .map(str::trim)
                .map_err(|_| error(Some(column), "the field is not valid UTF-8".into()))
        };
        let seconds = |column: usize| -> Result<f64, InputError> {
            let t = text(column)?;
            match t.parse::<f64>() {
                Ok(v) if v.is_finite() && (0.0..=MAX_SECONDS).contains(&v) => Ok(v),
                Ok(_) => Err(error(
                    Some(column),
                    format!("`{t}` is not a plausible time in seconds (0 to {MAX_SECONDS:e})"),
                )),
                Err(_) => Err(error(
                    Some(column),
                    format!("expected a time in seconds, found `{t}`"),
                )),
            }
        };
        let response_time_s = seconds(self.response_time)?;
        for &c in &self.checked {
            seconds(c)?;
        }
        let status = {
            let t = text(self.status_code)?;
            t.parse::<u16>().map_err(|_| {
                error(
                    Some(self.status_code),
                    format!("expected an HTTP status code, found `{t}`"),
                )
            })?
        };
        let offset_s = seconds(self.offset)?;
        Ok(Row {
            response_time_s,
            status,
            offset_s,
        })
    }
}
