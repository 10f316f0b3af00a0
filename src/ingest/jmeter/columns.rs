//! The JTL's header and its rows: the delimiter, the columns by name, and
//! one sample per record with typed fields and located errors.

use std::fs::File;
use std::path::Path;

use csv::ByteRecord;

use crate::ingest::InputError;
use crate::ingest::guard::{self, Guarded};

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

    /// One record as a sample, checked.
    // One row's fields checked in column order, each error located by the
    // closures that share the row's line: kept whole (85 lines) so that the
    // order of the checks, and so the first error reported, is plain to see.
    pub(super) fn sample<'r>(
        &self,
        path: &Path,
        start: u64,
        record: Fields<'r>,
    ) -> Result<Sample<'r>, InputError> {
        let error = |column: Option<usize>, message: String| InputError {
            path: path.to_path_buf(),
            line: record_line(path, start),
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
        if self.is_header_again(&record) {
            return Err(error(
                None,
                "the header line again: two JTL files joined into one?".into(),
            ));
        }
        // The row's bytes checked once; a field is then a slice of them (on
        // a char boundary, else it is checked alone and reported).
        let whole = std::str::from_utf8(record.bytes()).ok();
        let text = |column: usize| -> Result<&'r str, InputError> {
            let field = record.get(column).unwrap_or_default();
            if let Some(s) = whole.and_then(|w| slice_of(w, field)) {
                return Ok(s);
            }
            std::str::from_utf8(field)
                .map_err(|_| error(Some(column), "the field is not valid UTF-8".into()))
        };
        let opt_text =
            |column: Option<usize>| -> Result<&'r str, InputError> { column.map_or(Ok(""), text) };
        let number = |column: usize, what: &str| -> Result<u64, InputError> {
            if let Some(n) = digits(record.get(column).unwrap_or_default()) {
                return Ok(n);
            }
            let t = text(column)?.trim();
            t.parse::<u64>()
                .map_err(|_| error(Some(column), format!("expected {what}, found `{t}`")))
        };
        let time_stamp = number(self.time_stamp, "a Unix time in milliseconds")
            .map_err(|mut e| {
                e.message.push_str(
                    ": JMeter writes one with jmeter.save.saveservice.timestamp_format=ms (the default)",
                );
                e
            })?;
        if !(PLAUSIBLE_MS.0..PLAUSIBLE_MS.1).contains(&time_stamp) {
            return Err(error(
                Some(self.time_stamp),
                format!(
                    "{time_stamp} is not a plausible time of a load test in Unix milliseconds (before 2000 or after 2100)"
                ),
            ));
        }
        let elapsed = number(self.elapsed, "a whole number of milliseconds")?;
        let success = match record.get(self.success) {
            Some(b"true") => Some(true),
            Some(b"false") => Some(false),
            _ => None,
        };
        let success = match success {
            Some(s) => s,
            None => match text(self.success)?.trim() {
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
        Ok(Sample {
            time_stamp,
            elapsed,
            label: text(self.label)?,
            success,
            response_code: opt_text(self.response_code)?,
            response_message: opt_text(self.response_message)?,
            failure_message: opt_text(self.failure_message)?,
            method: opt_text(self.method)?.trim(),
            all_threads,
        })
    }

    fn is_header_again(&self, record: &Fields<'_>) -> bool {
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

/// A JTL row's fields: straight from the tokenizer's buffer when the row
/// has no quote, or unescaped into a record when it has.
#[derive(Clone, Copy)]
pub(super) enum Fields<'r> {
    Raw(&'r simd_csv::ZeroCopyByteRecord<'r>),
    Unescaped(&'r ByteRecord),
}

impl<'r> Fields<'r> {
    pub(super) fn len(&self) -> usize {
        match self {
            Fields::Raw(r) => r.len(),
            Fields::Unescaped(r) => r.len(),
        }
    }

    pub(super) fn get(&self, i: usize) -> Option<&'r [u8]> {
        match *self {
            Fields::Raw(r) => r.get(i),
            Fields::Unescaped(r) => r.get(i),
        }
    }

    /// The bytes every field is a slice of: the row, or the record's fields
    /// one after the other.
    fn bytes(&self) -> &'r [u8] {
        match *self {
            Fields::Raw(r) => r.as_slice(),
            Fields::Unescaped(r) => r.as_slice(),
        }
    }
}

/// `field`, a slice of `whole`'s bytes, as text: `None` when it is not one
/// or does not start and end on a character boundary.
fn slice_of<'w>(whole: &'w str, field: &[u8]) -> Option<&'w str> {
    let offset = (field.as_ptr() as usize).checked_sub(whole.as_ptr() as usize)?;
    whole.get(offset..offset.checked_add(field.len())?)
}

/// The 1-based line of the record the tokenizer read from byte `start`:
/// it skips blank lines before a record, so the record starts at the first
/// byte there that is not a line break (reads the file: for messages only).
pub(super) fn record_line(path: &Path, start: u64) -> Option<u64> {
    use std::io::{Read, Seek, SeekFrom};
    let mut file = File::open(path).ok()?;
    file.seek(SeekFrom::Start(start)).ok()?;
    let mut buf = [0u8; 4096];
    let mut offset = start;
    'scan: loop {
        let n = file.read(&mut buf).ok()?;
        if n == 0 {
            break;
        }
        for &b in &buf[..n] {
            if b != b'\r' && b != b'\n' {
                break 'scan;
            }
            offset += 1;
        }
    }
    guard::line_at(path, offset)
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
    pub(super) label: &'r str,
    pub(super) success: bool,
    pub(super) response_code: &'r str,
    pub(super) response_message: &'r str,
    pub(super) failure_message: &'r str,
    /// The `method` column's (empty without one).
    pub(super) method: &'r str,
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

    /// What went wrong, for the failures table: the response code and
    /// message (`409 Conflict`), and the assertion's failure message.
    pub(super) fn error(&self) -> String {
        let response = format!(
            "{} {}",
            self.response_code.trim(),
            self.response_message.trim()
        );
        match (response.trim(), self.failure_message.trim()) {
            ("", "") => "(no message)".to_string(),
            (r, "") => r.to_string(),
            ("", f) => f.to_string(),
            (r, f) => format!("{r}: {f}"),
        }
    }
}

/// The first 4 KiB of a file, as text (lossy); empty when unreadable.
pub(super) fn head(path: &Path) -> String {
    crate::ingest::one_file::head_text(path, 4096)
}

/// Open a JTL to stream it: its start sniffed, every byte checked as read.
pub(super) fn open(path: &Path) -> Result<Guarded<File>, InputError> {
    guard::sniff(path)?;
    let file = File::open(path).map_err(|e| InputError::file(path, format!("cannot open: {e}")))?;
    Ok(Guarded::csv(file))
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

    #[test]
    fn a_field_split_inside_a_character_is_not_valid_utf8() {
        // The record's bytes together are valid UTF-8 ("é" = C3 A9), the
        // fields alone are not: the field is reported, not sliced.
        let cols = Columns::new(
            Path::new("x.jtl"),
            &ByteRecord::from(vec![
                "timeStamp",
                "elapsed",
                "success",
                "label",
                "responseMessage",
            ]),
        )
        .unwrap();
        let mut record = ByteRecord::new();
        for field in [&b"1796120939992"[..], b"5", b"true", b"a\xC3", b"\xA9"] {
            record.push_field(field);
        }
        let err = cols
            .sample(Path::new("x.jtl"), 0, Fields::Unescaped(&record))
            .unwrap_err();
        assert_eq!(err.column.as_deref(), Some("label"), "{err}");
        assert!(err.message.contains("not valid UTF-8"), "{err}");
    }
}
