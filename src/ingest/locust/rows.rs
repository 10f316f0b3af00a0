//! Reading Locust's CSV files row by row: the header and its lookups by
//! name (with Locust 0.x's old names), typed field access with located
//! errors, the line-by-line fast path for large files, and the shared file
//! opening and error mapping.

#![allow(clippy::wildcard_imports)]

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

use csv::ByteRecord;

use super::small::Plain;
use crate::ingest::InputError;
use crate::ingest::guard::{self, Guarded};
pub(super) use crate::ingest::lines::Fields;
use crate::ingest::lines::{Lines, NextLine, count_byte, read_quoted, split_commas};

/// The header of a CSV file, with lookups by column name.
pub(super) struct Header<'p> {
    pub(super) path: &'p Path,
    pub(super) names: Vec<String>,
    pub(super) index: HashMap<String, usize>,
}

impl<'p> Header<'p> {
    pub(super) fn read(reader: &mut CsvFile, path: &'p Path) -> Result<Self, InputError> {
        let fields = match reader {
            CsvFile::Csv(reader) => {
                let record = reader.headers().map_err(|e| csv_error(path, e))?;
                record.iter().map(str::to_string).collect()
            }
            CsvFile::Plain(plain) => plain_fields(plain),
        };
        Self::from_fields(fields, path)
    }

    /// The header from its line (the history's, read on its own).
    pub(super) fn from_line(line: Vec<u8>, path: &'p Path) -> Result<Self, InputError> {
        let fields = match Plain::new(line) {
            Ok(mut plain) => plain_fields(&mut plain),
            Err(line) => {
                let mut reader = csv_reader(line.as_slice());
                let record = reader.headers().map_err(|e| csv_error(path, e))?;
                record.iter().map(str::to_string).collect()
            }
        };
        Self::from_fields(fields, path)
    }

    /// The header from the first line's fields.
    pub(super) fn from_fields(fields: Vec<String>, path: &'p Path) -> Result<Self, InputError> {
        if fields.is_empty() || (fields.len() == 1 && fields[0].trim().is_empty()) {
            return Err(InputError {
                path: path.to_path_buf(),
                line: Some(1),
                column: None,
                message: "the file is empty: expected Locust's header line".into(),
            });
        }
        let names: Vec<String> = fields.iter().map(|n| n.trim().to_string()).collect();
        let index: HashMap<String, usize> = guard::header_index(path, &names)?
            .into_iter()
            .map(|(name, i)| (name.to_string(), i))
            .collect();
        Ok(Header { path, names, index })
    }

    pub(super) fn require(&self, name: &str) -> Result<usize, InputError> {
        self.optional(name).ok_or_else(|| InputError {
            path: self.path.to_path_buf(),
            line: Some(1),
            column: Some(name.to_string()),
            message: "a required column is missing from the header".into(),
        })
    }

    /// A column by today's name, or by the name Locust 0.x gave it.
    pub(super) fn require_or_old(&self, name: &str) -> Result<usize, InputError> {
        match old_name(name).and_then(|old| self.optional(old)) {
            Some(i) if self.optional(name).is_none() => Ok(i),
            _ => self.require(name),
        }
    }

    /// Whether this is a Locust 0.x file (`# requests` instead of `Request Count`).
    pub(super) fn is_locust_0x(&self) -> bool {
        self.optional("# requests").is_some() && self.optional("Request Count").is_none()
    }

    pub(super) fn optional(&self, name: &str) -> Option<usize> {
        self.index.get(name).copied()
    }

    /// The `N%` columns: (index, label without `%`, level). Locust 0.x
    /// wrote one of them without its `%` (`99.999`): in a 0.x file, a
    /// column named by a bare number between two percentile columns counts.
    pub(super) fn percentiles(&self) -> Vec<(usize, String, f64)> {
        let old = self.is_locust_0x();
        self.names
            .iter()
            .enumerate()
            .filter_map(|(i, n)| {
                let label = match n.strip_suffix('%') {
                    Some(label) => label,
                    None if old && n.contains('.') => n.as_str(),
                    None => return None,
                };
                let level: f64 = label.parse().ok()?;
                (level > 0.0 && level <= 100.0).then(|| (i, label.to_string(), level))
            })
            .collect()
    }
}

/// Locust 0.x's name of a column of today's (1.0 and later) files.
pub(super) fn old_name(name: &str) -> Option<&'static str> {
    Some(match name {
        "Request Count" | "Total Request Count" => "# requests",
        "Failure Count" | "Total Failure Count" => "# failures",
        "Median Response Time" => "Median response time",
        "Average Response Time" => "Average response time",
        "Min Response Time" => "Min response time",
        "Max Response Time" => "Max response time",
        "Failures/s" => "Requests Failed/s",
        _ => return None,
    })
}

/// One data row, with typed accessors that produce located errors.
///
/// Fields stay bytes: numbers are parsed straight from them, and text is
/// checked to be UTF-8 before it is used.
pub(super) struct Row<'a> {
    pub(super) fields: Fields<'a>,
    pub(super) header: &'a Header<'a>,
    /// Where the row starts in the file, for the line of a message.
    pub(super) start: Option<u64>,
}

/// The 1-based line of the record that starts at byte `byte` of `path`.
///
/// Only computed for a message (an error or a finding), never per row: it
/// reads the file up to that byte. The csv crate counts a record that
/// follows a CRLF line as starting on the `\n` before it, so a `\n` at
/// `byte` belongs to the previous line.
pub(super) fn line_at(path: &Path, byte: u64) -> Option<u64> {
    let mut file = File::open(path).ok()?;
    let mut buf = vec![0u8; 64 * 1024];
    let mut left = byte + 1;
    let mut newlines = 0;
    let mut prev_cr = false;
    while left > 0 {
        let want = buf.len().min(left as usize);
        let n = file.read(&mut buf[..want]).ok()?;
        if n == 0 {
            break;
        }
        let chunk = &buf[..n];
        if !prev_cr && memchr::memchr(b'\r', chunk).is_none() {
            newlines += memchr::memchr_iter(b'\n', chunk).count() as u64;
        } else {
            for &b in chunk {
                // A lone CR ends a line too (old Mac files); CRLF counts once.
                newlines += u64::from(b == b'\n');
                if prev_cr && b != b'\n' {
                    newlines += 1;
                }
                prev_cr = b == b'\r';
            }
        }
        left -= n as u64;
    }
    Some(newlines + 1)
}

impl<'a> Row<'a> {
    /// A row from the csv crate, checked to be UTF-8 as a whole.
    pub(super) fn new(record: &'a ByteRecord, header: &'a Header<'a>) -> Result<Self, InputError> {
        let row = Row {
            fields: Fields::Record(record),
            header,
            start: record.position().map(|p| p.byte()),
        };
        if std::str::from_utf8(record.as_slice()).is_err() {
            return Err(row.error(None, "the line is not valid UTF-8".into()));
        }
        row.checked()
    }

    /// A row whose text columns are `text`: only those are checked to be
    /// UTF-8 (numbers are checked when parsed). For the large history file.
    pub(super) fn with_text(
        fields: Fields<'a>,
        header: &'a Header<'a>,
        start: u64,
        text: &[usize],
    ) -> Result<Self, InputError> {
        let row = Row {
            fields,
            header,
            start: Some(start),
        };
        for &col in text {
            if fields
                .get(col)
                .is_some_and(|f| std::str::from_utf8(f).is_err())
            {
                return Err(row.error(Some(col), "the field is not valid UTF-8".into()));
            }
        }
        row.checked()
    }

    pub(super) fn checked(self) -> Result<Self, InputError> {
        if self.fields.len() != self.header.names.len() {
            return Err(self.error(
                None,
                format!(
                    "the line has {} fields but the header has {}",
                    self.fields.len(),
                    self.header.names.len()
                ),
            ));
        }
        Ok(self)
    }

    /// The row's line in the file (reads the file: for messages only).
    pub(super) fn line(&self) -> u64 {
        self.start
            .and_then(|b| line_at(self.header.path, b))
            .unwrap_or(0)
    }

    pub(super) fn error(&self, column: Option<usize>, message: String) -> InputError {
        InputError {
            path: self.header.path.to_path_buf(),
            line: Some(self.line()),
            column: column.map(|c| self.header.names[c].clone()),
            message,
        }
    }

    pub(super) fn str(&self, column: usize) -> &'a str {
        // The constructors checked the field count and the text columns;
        // a number column that is not UTF-8 reads as "" and fails to parse.
        self.fields
            .get(column)
            .and_then(|b| std::str::from_utf8(b).ok())
            .unwrap_or("")
    }

    pub(super) fn count(&self, column: usize) -> Result<u64, InputError> {
        if let Some(n) = self.fields.get(column).and_then(plain_count) {
            return Ok(n);
        }
        let text = self.str(column).trim();
        text.parse::<u64>().map_err(|_| {
            self.error(
                Some(column),
                format!("expected a whole number of 0 or more, found `{text}`"),
            )
        })
    }

    /// A number that Locust may write as `N/A`.
    pub(super) fn opt_number(&self, column: usize) -> Result<Option<f64>, InputError> {
        if let Some(v) = self.fields.get(column).and_then(plain_decimal) {
            return Ok(Some(v));
        }
        let text = self.str(column).trim();
        if text == "N/A" {
            return Ok(None);
        }
        match text.parse::<f64>() {
            Ok(v) if v.is_finite() && v >= 0.0 => Ok(Some(v)),
            Ok(_) => Err(self.error(
                Some(column),
                format!("expected a finite number of 0 or more, found `{text}`"),
            )),
            Err(_) => Err(self.error(
                Some(column),
                format!("expected a number or N/A, found `{text}`"),
            )),
        }
    }

    pub(super) fn number(&self, column: usize) -> Result<f64, InputError> {
        self.opt_number(column)?
            .ok_or_else(|| self.error(Some(column), "expected a number, found `N/A`".into()))
    }

    /// The total row: Name `Aggregated`, Type empty (Locust 1.1 and later)
    /// or `None` (0.x and 1.0, which wrote Python's `None`).
    pub(super) fn is_aggregated(&self, type_col: usize, name_col: usize) -> bool {
        matches!(self.str(type_col), "" | "None") && self.str(name_col) == "Aggregated"
    }
}

pub(super) fn csv_reader<R: Read>(input: R) -> csv::Reader<R> {
    csv_reader_with(input, 256 * 1024)
}

/// [`csv_reader`] with a buffer of `capacity` bytes.
fn csv_reader_with<R: Read>(input: R, capacity: usize) -> csv::Reader<R> {
    csv::ReaderBuilder::new()
        .has_headers(true)
        // Field counts are checked by `Row::new`, which names the file and line.
        .flexible(true)
        .buffer_capacity(capacity)
        .from_reader(input)
}

/// The first record of a plain file (valid UTF-8 as a whole) as text.
fn plain_fields(plain: &mut Plain) -> Vec<String> {
    let mut record = ByteRecord::new();
    plain.read(&mut record);
    record
        .iter()
        .map(|f| String::from_utf8_lossy(f).into_owned())
        .collect()
}

/// A result file being read record by record.
pub(super) enum CsvFile {
    /// Through the csv crate, every byte checked as it is read (see
    /// [`super::guard`]).
    Csv(csv::Reader<Guarded<Sniffed>>),
    /// A small file without quotes, read whole ([`Plain`]).
    Plain(Plain),
}

/// A whole result file, opened once and its start sniffed: a small plain
/// one as [`Plain`], any other through the csv crate, with a buffer no
/// bigger than the file (the reader zeroes all of it, which for a thousand
/// small files cost more than reading them).
pub(super) fn open_csv(path: &Path) -> Result<CsvFile, InputError> {
    let mut file = open(path)?;
    let mut head = guard::sniff_file(path, &mut file)?;
    // A head shorter than sniff's 64 KiB is the whole file, if nothing follows.
    if head.len() < 64 * 1024 {
        let mut more = [0u8; 1];
        match file.read(&mut more) {
            Ok(0) => match Plain::new(head) {
                Ok(plain) => return Ok(CsvFile::Plain(plain)),
                Err(text) => head = text,
            },
            Ok(n) => head.extend_from_slice(&more[..n]),
            Err(e) => return Err(InputError::file(path, format!("cannot read: {e}"))),
        }
    }
    let capacity = match head.len() < 64 * 1024 {
        true => (head.len() + 1).max(1024),
        false => 256 * 1024,
    };
    Ok(CsvFile::Csv(csv_reader_with(
        Guarded::csv(guard::sniffed(head, file)),
        capacity,
    )))
}

pub(super) fn open(path: &Path) -> Result<File, InputError> {
    File::open(path).map_err(|e| InputError::file(path, format!("cannot open: {e}")))
}

/// A file read on after [`guard::sniff_file`]: its first bytes, then the rest.
pub(super) type Sniffed = io::Chain<io::Cursor<Vec<u8>>, File>;

/// An I/O error while reading `path`: a [`guard::Pathology`] with its line,
/// anything else as the system says it.
pub(super) fn io_error(path: &Path, e: &io::Error) -> InputError {
    match guard::pathology(e) {
        Some(p) => InputError {
            path: path.to_path_buf(),
            line: line_at(path, p.offset),
            column: None,
            message: p.message(),
        },
        None => InputError::file(path, format!("cannot read: {e}")),
    }
}

pub(super) fn csv_error(path: &Path, e: csv::Error) -> InputError {
    if let csv::ErrorKind::Io(io) = e.kind() {
        return io_error(path, io);
    }
    let line = e.position().and_then(|p| line_at(path, p.byte()));
    let message = match e.kind() {
        csv::ErrorKind::Utf8 { .. } => "the line is not valid UTF-8".to_string(),
        _ => e.to_string(),
    };
    InputError {
        path: path.to_path_buf(),
        line,
        column: None,
        message,
    }
}

/// Iterate the records of `reader`, calling `f` with each row.
pub(super) fn for_each_row(
    reader: &mut CsvFile,
    header: &Header<'_>,
    mut f: impl FnMut(&Row<'_>) -> Result<(), InputError>,
) -> Result<u64, InputError> {
    let mut record = ByteRecord::new();
    let mut rows = 0;
    loop {
        let read = match reader {
            CsvFile::Csv(reader) => reader.read_byte_record(&mut record),
            CsvFile::Plain(plain) => Ok(plain.read(&mut record)),
        };
        match read {
            Ok(false) => return Ok(rows),
            Ok(true) => {
                // Blank lines are skipped by the csv crate; a line of only
                // commas is not blank and is checked like any other.
                let row = Row::new(&record, header)?;
                f(&row)?;
                rows += 1;
            }
            Err(e) => return Err(csv_error(header.path, e)),
        }
    }
}

/// A field that is plain digits with an optional fraction (`12`, `0.25`,
/// `3456.789012`: what Locust writes) and at most 15 digits in all, as the
/// number `str::parse` gives, computed without UTF-8 checks: the digits as
/// an integer (exact below 2^53) divided by a power of ten (exact up to
/// 10^22), one correctly rounded division, so the same double. `None` for
/// anything else (signs, exponents, white space, `N/A`), which takes the
/// slow path.
pub(super) fn plain_decimal(field: &[u8]) -> Option<f64> {
    // One pass: the digits as an integer, and where the point is.
    let mut m: u64 = 0;
    let mut point = None;
    for (i, &b) in field.iter().enumerate() {
        match b {
            b'0'..=b'9' => m = m.wrapping_mul(10).wrapping_add(u64::from(b - b'0')),
            b'.' if point.is_none() => point = Some(i),
            _ => return None,
        }
    }
    let frac = match point {
        // `.5` and `5.` take the slow path, as do more than 15 digits.
        Some(0) => return None,
        Some(i) if i + 1 == field.len() => return None,
        Some(i) => field.len() - i - 1,
        None => 0,
    };
    if field.is_empty() || field.len() - usize::from(point.is_some()) > 15 {
        return None;
    }
    const POW10: [f64; 16] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
    ];
    Some(m as f64 / POW10[frac])
}

/// A field of 1 to 19 ASCII digits as a count; `None` for anything else.
pub(super) fn plain_count(field: &[u8]) -> Option<u64> {
    if field.is_empty() || field.len() > 19 {
        return None;
    }
    field.iter().try_fold(0u64, |n, &b| {
        b.is_ascii_digit().then(|| n * 10 + u64::from(b - b'0'))
    })
}

/// A row of the line-by-line reader, offered cheaply first.
pub(super) enum LineRow<'r, 'a> {
    /// A line whose first `early` fields hold no quote, split only that far
    /// (the caller decides from those whether it needs more): the file
    /// offset and those fields.
    Quick(u64, Fields<'a>),
    /// The whole row.
    Full(&'r Row<'a>),
}

/// A line as a [`RowSource`] hands it out: where it starts, its bytes
/// (without the `\n`), and its commas when a thread reading ahead found
/// them (`Some(None)`: the line holds a quote).
pub(super) struct SourceLine<'a> {
    pub(super) start: u64,
    pub(super) line: &'a [u8],
    pub(super) commas: Option<Option<&'a [usize]>>,
}

/// Lines of a history body: [`Lines`] from the file, or from a thread
/// that read them ahead.
pub(super) trait RowSource: NextLine {
    fn next_row_line(&mut self) -> io::Result<Option<SourceLine<'_>>>;
}

impl<R: Read> RowSource for Lines<R> {
    fn next_row_line(&mut self) -> io::Result<Option<SourceLine<'_>>> {
        Ok(self.next_line()?.map(|(start, line)| SourceLine {
            start,
            line,
            commas: None,
        }))
    }
}

/// Iterate the rows of a CSV body line by line, the fast way: a line
/// without quotes is split at its commas in place (memchr, no copy); a line
/// with quotes (a name holding a comma or a quote, possibly spanning lines)
/// goes through the csv crate. Used for the history, which can be hundreds
/// of MB: most of its rows are skipped after a look at their first `early`
/// fields (all of them, split in one pass, when `early` is the header's
/// length), when `f` returns `Ok(true)` for the `Quick` row; otherwise `f`
/// gets the `Full` row. Only the `text` columns are checked to be UTF-8.
/// A line `lines` split already is not split again.
pub(super) fn for_each_line_row(
    lines: &mut impl RowSource,
    header: &Header<'_>,
    text: &[usize],
    early: usize,
    mut f: impl FnMut(LineRow<'_, '_>) -> Result<bool, InputError>,
) -> Result<u64, InputError> {
    let read_error = |e: io::Error| io_error(header.path, &e);
    let fields = header.names.len();
    let mut own: Vec<usize> = Vec::with_capacity(fields);
    let mut quoted = Vec::new();
    let mut record = ByteRecord::new();
    let mut rows = 0;
    while let Some(SourceLine {
        start,
        line,
        commas: ahead,
    }) = lines.next_row_line().map_err(read_error)?
    {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.is_empty() {
            continue;
        }
        rows += 1;
        // A quick look: the first `early` fields, if they hold no quote and
        // the line has the header's field count. A row skipped after it is
        // not split any further (its numbers are not used), which is what
        // makes a soak test's history fast to read. Any other line is read
        // whole, and its errors are reported.
        own.clear();
        let (commas, looks, split): (&[usize], bool, bool) = match (&ahead, early >= fields) {
            (Some(None), true) => (&[], false, false),
            (Some(Some(c)), true) => (c, c.len() + 1 == fields, true),
            // Every field wanted: one pass finds every comma and any quote.
            (None, true) => {
                let quoted = split_commas(line, &mut own);
                (&own, !quoted && own.len() + 1 == fields, !quoted)
            }
            (_, false) => {
                own.extend(memchr::memchr_iter(b',', line).take(early));
                let looks = own.len() == early
                    && memchr::memchr(b'"', &line[..own[early - 1]]).is_none()
                    && early + count_byte(&line[own[early - 1] + 1..], b',') + 1 == fields;
                (&own, looks, false)
            }
        };
        if looks && f(LineRow::Quick(start, Fields::Split { line, commas }))? {
            continue;
        }
        if split || memchr::memchr(b'"', line).is_none() {
            let commas = if split {
                commas
            } else {
                own.clear();
                own.extend(memchr::memchr_iter(b',', line));
                &own
            };
            let row = Row::with_text(Fields::Split { line, commas }, header, start, text)?;
            f(LineRow::Full(&row))?;
            continue;
        }
        // A quoted field may hold a newline: read on until the quotes balance.
        quoted.clear();
        quoted.extend_from_slice(line);
        read_quoted(lines, start, header.path, &mut quoted).map_err(|mut e| {
            e.line = line_at(header.path, start);
            e
        })?;
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(quoted.as_slice());
        record.clear();
        if let Err(e) = reader.read_byte_record(&mut record) {
            let mut err = csv_error(header.path, e);
            err.line = line_at(header.path, start);
            return Err(err);
        }
        let row = Row::with_text(Fields::Record(&record), header, start, text)?;
        f(LineRow::Full(&row))?;
    }
    Ok(rows)
}
