//! The JTL's header and its rows: the delimiter, the columns by name, and
//! one sample per record with typed fields and located errors.

use std::path::Path;

use csv::ByteRecord;

use crate::ingest::InputError;
use crate::ingest::guard;

use super::rows::Record;

/// The setting that makes JMeter write the header line.
pub(super) const HEADER_SETTING: &str = "jmeter.save.saveservice.print_field_names=true";

/// The delimiters JMeter's `jmeter.save.saveservice.default_delimiter` is
/// set to in practice, the default first.
const DELIMITERS: [u8; 4] = [b',', b'\t', b';', b'|'];

/// Unix times in ms a load test can plausibly have: 2000-01-01 to 2100-01-01.
const PLAUSIBLE_MS: (u64, u64) = (946_684_800_000, 4_102_444_800_000);

/// The columns Taurus's Locust executor writes to `kpi.jtl`
/// (`bzt/resources/locustio-taurus-wrapper.py`, in this order).
const TAURUS_LOCUST: [&str; 10] = [
    "allThreads",
    "timeStamp",
    "label",
    "method",
    "elapsed",
    "bytes",
    "responseCode",
    "responseMessage",
    "success",
    "Latency",
];

/// Who wrote a JTL, from its header: what its `timeStamp` means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Writer {
    /// JMeter (also under Taurus's JMeter executor): `timeStamp` is when the
    /// sample started (`sampleresult.timestamp.start=true`, the default).
    Jmeter,
    /// Taurus's Locust executor: its wrapper stamps a row with the time it
    /// writes it, when Locust reports the request, which is when it ended.
    TaurusLocust,
}

/// The delimiter of a header line: the one that splits it into fields named
/// `timeStamp`, `elapsed` and `label`.
pub(super) fn delimiter_of(first_line: &str) -> Option<u8> {
    let first_line = first_line.trim_start_matches('\u{feff}');
    DELIMITERS.into_iter().find(|&d| {
        let names: Vec<&str> = first_line.split(d as char).map(str::trim).collect();
        ["timeStamp", "elapsed", "label"]
            .iter()
            .all(|n| names.contains(n))
    })
}

/// The columns a JTL may have that are read, by index.
pub(super) struct Columns {
    pub(super) names: Vec<String>,
    pub(super) time_stamp: usize,
    pub(super) elapsed: usize,
    pub(super) label: usize,
    pub(super) success: usize,
    pub(super) response_code: Option<usize>,
    pub(super) response_message: Option<usize>,
    pub(super) failure_message: Option<usize>,
    pub(super) all_threads: Option<usize>,
    /// `method`: not JMeter's; Taurus's Locust executor writes the HTTP method.
    pub(super) method: Option<usize>,
    pub(super) writer: Writer,
    /// Number columns that are checked but not otherwise used.
    pub(super) checked_numbers: Vec<usize>,
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
            .map(|f| String::from_utf8_lossy(f).trim().to_string())
            .collect();
        if !["timeStamp", "elapsed", "label"]
            .iter()
            .all(|n| names.iter().any(|x| x == n))
        {
            return Err(at_line_1(None, not_a_header(&names)));
        }
        let index = guard::header_index(path, &names)?;
        let require = |name: &str| {
            index.get(name).copied().ok_or_else(|| {
                at_line_1(
                    Some(name),
                    "a required column is missing from the header (it is on unless jmeter.save.saveservice.successful=false)".into(),
                )
            })
        };
        let optional = |name: &str| index.get(name).copied();
        // Taurus's wrapper writes exactly these columns; no JMeter setting
        // writes a `method` column.
        let writer = if names.len() == TAURUS_LOCUST.len()
            && TAURUS_LOCUST.iter().all(|n| index.contains_key(n))
        {
            Writer::TaurusLocust
        } else {
            Writer::Jmeter
        };
        Ok(Columns {
            time_stamp: require("timeStamp")?,
            elapsed: require("elapsed")?,
            label: require("label")?,
            success: require("success")?,
            response_code: optional("responseCode"),
            response_message: optional("responseMessage"),
            failure_message: optional("failureMessage"),
            all_threads: optional("allThreads"),
            method: optional("method"),
            writer,
            checked_numbers: ["grpThreads", "bytes", "sentBytes", "Latency", "Connect"]
                .iter()
                .filter_map(|n| optional(n))
                .collect(),
            names,
        })
    }

    /// An error on the record that starts at byte `start`, in `column`.
    fn error(&self, path: &Path, start: u64, column: Option<usize>, message: String) -> InputError {
        InputError {
            path: path.to_path_buf(),
            line: guard::line_at(path, start),
            column: column.map(|c| self.names[c].clone()),
            message,
        }
    }

    /// A field of `record` as text, checked to be UTF-8 (a missing column
    /// is empty).
    pub(super) fn text<'r>(
        &self,
        path: &Path,
        record: &Record<'r>,
        column: Option<usize>,
    ) -> Result<&'r str, InputError> {
        let Some(c) = column else {
            return Ok("");
        };
        std::str::from_utf8(record.get(c).unwrap_or_default()).map_err(|_| {
            self.error(
                path,
                record.start,
                Some(c),
                "the field is not valid UTF-8".into(),
            )
        })
    }

    /// What went wrong in a failed sample, for the failures table: the
    /// response code and message (`409 Conflict`), and the assertion's
    /// failure message; each checked to be UTF-8.
    pub(super) fn failure(&self, path: &Path, record: &Record<'_>) -> Result<String, InputError> {
        let text = |column| self.text(path, record, column).map(str::trim);
        let (code, message) = (text(self.response_code)?, text(self.response_message)?);
        let response = format!("{code} {message}");
        Ok(match (response.trim(), text(self.failure_message)?) {
            ("", "") => "(no message)".to_string(),
            (r, "") => r.to_string(),
            ("", f) => f.to_string(),
            (r, f) => format!("{r}: {f}"),
        })
    }

    /// One record as a sample, checked. Text is checked to be UTF-8 where
    /// it is used, by the caller: the label and method when they are new,
    /// a failure's messages when they are ([`Columns::failure`]).
    // One row's fields checked in column order, each error located by the
    // closures that share the row's line: kept whole (85 lines) so that the
    // order of the checks, and so the first error reported, is plain to see.
    pub(super) fn sample<'r>(
        &self,
        path: &Path,
        record: &Record<'r>,
    ) -> Result<Sample<'r>, InputError> {
        let error = |column: Option<usize>, message: String| {
            self.error(path, record.start, column, message)
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
        let text = |column: usize| self.text(path, record, Some(column));
        // Plain digits (nearly every field) are read without a `Result`;
        // anything else is parsed the slow way, or named.
        let number = |column: usize, what: &str| -> Result<u64, InputError> {
            let t = text(column)?.trim();
            t.parse::<u64>()
                .map_err(|_| error(Some(column), format!("expected {what}, found `{t}`")))
        };
        let time_stamp = match digits(record.get(self.time_stamp).unwrap_or_default()) {
            Some(n) => n,
            // Looked for only here: the header's `timeStamp` is no number.
            None if self.is_header_again(record) => {
                return Err(error(
                    None,
                    "the header line again: two JTL files joined into one?".into(),
                ));
            }
            None => number(self.time_stamp, "a Unix time in milliseconds").map_err(|mut e| {
                e.message.push_str(
                    ": JMeter writes one with jmeter.save.saveservice.timestamp_format=ms (the default)",
                );
                e
            })?,
        };
        if !(PLAUSIBLE_MS.0..PLAUSIBLE_MS.1).contains(&time_stamp) {
            return Err(error(
                Some(self.time_stamp),
                format!(
                    "{time_stamp} is not a plausible time of a load test in Unix milliseconds (before 2000 or after 2100)"
                ),
            ));
        }
        let elapsed = match digits(record.get(self.elapsed).unwrap_or_default()) {
            Some(n) => n,
            None => number(self.elapsed, "a whole number of milliseconds")?,
        };
        let success = match record.get(self.success) {
            Some(b"true") => true,
            Some(b"false") => false,
            _ => match text(self.success)?.trim() {
                s if s.eq_ignore_ascii_case("true") => true,
                s if s.eq_ignore_ascii_case("false") => false,
                s => {
                    return Err(error(
                        Some(self.success),
                        format!("expected true or false, found `{s}`"),
                    ));
                }
            },
        };
        let all_threads = match self.all_threads {
            Some(c) => match digits(record.get(c).unwrap_or_default()) {
                Some(n) => Some(n),
                None if text(c)?.trim().is_empty() => None,
                None => Some(number(c, "a thread count")?),
            },
            None => None,
        };
        for &c in &self.checked_numbers {
            let field = record.get(c).unwrap_or_default();
            if !field.is_empty() && digits(field).is_none() && !text(c)?.trim().is_empty() {
                number(c, "a whole number of 0 or more")?;
            }
        }
        let field = |column: Option<usize>| column.and_then(|c| record.get(c)).unwrap_or_default();
        let message = |column| if success { &[][..] } else { field(column) };
        Ok(Sample {
            time_stamp,
            elapsed,
            label: field(Some(self.label)),
            success,
            response_code: message(self.response_code),
            response_message: message(self.response_message),
            failure_message: message(self.failure_message),
            method: field(self.method).trim_ascii(),
            all_threads,
        })
    }

    fn is_header_again(&self, record: &Record<'_>) -> bool {
        record.get(self.label) == Some(b"label".as_slice())
            && record.get(self.time_stamp) == Some(b"timeStamp".as_slice())
    }
}

/// A field of ASCII digits only (the common case, no white space) as a
/// number; `None` for anything else, which the caller parses the slow way.
fn digits(field: &[u8]) -> Option<u64> {
    if field.is_empty() || field.len() > 19 {
        return None;
    }
    let mut n: u64 = 0;
    for &b in field {
        if !b.is_ascii_digit() {
            return None;
        }
        // 19 digits fit in a u64.
        n = n * 10 + u64::from(b - b'0');
    }
    Some(n)
}

/// Why a first line (its fields `names`) is no JTL header.
fn not_a_header(names: &[String]) -> String {
    let first = names
        .first()
        .map_or("", |n| n.trim_start_matches('\u{feff}'));
    if !first.is_empty() && first.bytes().all(|b| b.is_ascii_digit()) {
        format!(
            "the file has no header line (it starts with a sample): loadgate finds JMeter's columns by name, so run JMeter with {HEADER_SETTING} (-J{HEADER_SETTING})"
        )
    } else {
        format!(
            "the first line is not a JMeter CSV header (no timeStamp, elapsed and label columns); JMeter writes one with {HEADER_SETTING}"
        )
    }
}

/// One sample row of a JTL.
#[derive(Debug, Clone, Copy)]
pub(super) struct Sample<'r> {
    /// `timeStamp` (ms since the epoch): when the sample started, with
    /// JMeter's default `sampleresult.timestamp.start=true`; when it ended
    /// in Taurus's Locust JTL ([`Writer`]).
    pub(super) time_stamp: u64,
    pub(super) elapsed: u64,
    /// The label's bytes (UTF-8 checked by the caller when it is new).
    pub(super) label: &'r [u8],
    pub(super) success: bool,
    /// The messages' bytes, for a failed sample (empty for others): see
    /// [`Columns::failure`].
    pub(super) response_code: &'r [u8],
    pub(super) response_message: &'r [u8],
    pub(super) failure_message: &'r [u8],
    /// The `method` column's bytes, trimmed (empty without one).
    pub(super) method: &'r [u8],
    pub(super) all_threads: Option<u64>,
}

impl Sample<'_> {
    /// When the sample started and ended, in ms since the epoch.
    pub(super) fn span(&self, writer: Writer) -> (u64, u64) {
        match writer {
            Writer::Jmeter => (
                self.time_stamp,
                self.time_stamp.saturating_add(self.elapsed),
            ),
            Writer::TaurusLocust => (
                self.time_stamp.saturating_sub(self.elapsed),
                self.time_stamp,
            ),
        }
    }
}

/// The first 4 KiB of a file, as text (lossy); empty when unreadable.
pub(super) fn head(path: &Path) -> String {
    crate::ingest::one_file::head_text(path, 4096)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits_take_plain_numbers_and_leave_the_rest_to_the_slow_path() {
        assert_eq!(digits(b"0"), Some(0));
        assert_eq!(digits(b"1796120939992"), Some(1_796_120_939_992));
        assert_eq!(
            digits(b"9999999999999999999"),
            Some(9_999_999_999_999_999_999)
        );
        for slow in [
            &b""[..],
            b" 12",
            b"12 ",
            b"-1",
            b"1.5",
            b"+3",
            b"99999999999999999999",
        ] {
            assert_eq!(digits(slow), None, "{:?}", String::from_utf8_lossy(slow));
        }
    }
}
