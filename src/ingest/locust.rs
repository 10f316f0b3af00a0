//! The Locust reader: `PREFIX_stats.csv`, `_stats_history.csv`,
//! `_failures.csv` and `_exceptions.csv` into [`ScenarioData`].
//!
//! Columns are found by header name, percentile columns by their `%` suffix;
//! unknown columns are ignored. `N/A` means "no value". The `Aggregated` row
//! (empty `Type`) is the scenario total. A history file whose last line was
//! cut short by a killed run is read up to its last whole line, with a
//! warning; every other malformed value is an [`InputError`] with the file,
//! the line and the column.

use crate::format::ShowPath;
use std::collections::HashMap;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::Path;

use csv::ByteRecord;

use super::guard::{self, Guarded};
use super::{HistoryObserver, HistoryRow, InputError};

/// Unix times a load test can plausibly have: 2000-01-01 to 2100-01-01.
const PLAUSIBLE_UNIX_S: (i64, i64) = (946_684_800, 4_102_444_800);
use crate::model::{
    Endpoint, ExceptionRow, FailureRow, Histogram, Histograms, History, HistoryPercentiles,
    HistoryPoint, Percentile, Percentiles, PointsBuilder, ResultFiles, ScenarioData, Stats,
    success_rate,
};

/// What reading a result set produced: the data when `_stats.csv` was
/// readable, plus warnings and errors from any of its files.
#[derive(Debug, Default)]
pub struct Ingested {
    pub data: Option<ScenarioData>,
    pub warnings: Vec<String>,
    pub errors: Vec<InputError>,
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
        totals,
        endpoints,
        history,
        failures,
        exceptions,
        histograms,
    });
    out
}

/// The header of a CSV file, with lookups by column name.
struct Header<'p> {
    path: &'p Path,
    names: Vec<String>,
    index: HashMap<String, usize>,
}

impl<'p> Header<'p> {
    fn read<R: Read>(reader: &mut csv::Reader<R>, path: &'p Path) -> Result<Self, InputError> {
        let record = reader.headers().map_err(|e| csv_error(path, e))?;
        Self::from_fields(record.iter().map(str::to_string).collect(), path)
    }

    /// The header from the first line's fields.
    fn from_fields(fields: Vec<String>, path: &'p Path) -> Result<Self, InputError> {
        if fields.is_empty() || (fields.len() == 1 && fields[0].trim().is_empty()) {
            return Err(InputError {
                path: path.to_path_buf(),
                line: Some(1),
                column: None,
                message: "the file is empty: expected Locust's header line".into(),
            });
        }
        let names: Vec<String> = fields.iter().map(|n| n.trim().to_string()).collect();
        let mut index = HashMap::with_capacity(names.len());
        for (i, name) in names.iter().enumerate() {
            // Which of two same-named columns holds the numbers? Neither guess is safe.
            if let Some(first) = index.insert(name.clone(), i) {
                return Err(InputError {
                    path: path.to_path_buf(),
                    line: Some(1),
                    column: Some(name.clone()),
                    message: format!(
                        "the header names this column twice (fields {} and {})",
                        first + 1,
                        i + 1
                    ),
                });
            }
        }
        Ok(Header { path, names, index })
    }

    fn require(&self, name: &str) -> Result<usize, InputError> {
        self.optional(name).ok_or_else(|| InputError {
            path: self.path.to_path_buf(),
            line: Some(1),
            column: Some(name.to_string()),
            message: "a required column is missing from the header".into(),
        })
    }

    /// A column by today's name, or by the name Locust 0.x gave it.
    fn require_or_old(&self, name: &str) -> Result<usize, InputError> {
        match old_name(name).and_then(|old| self.optional(old)) {
            Some(i) if self.optional(name).is_none() => Ok(i),
            _ => self.require(name),
        }
    }

    /// Whether this is a Locust 0.x file (`# requests` instead of `Request Count`).
    fn is_locust_0x(&self) -> bool {
        self.optional("# requests").is_some() && self.optional("Request Count").is_none()
    }

    fn optional(&self, name: &str) -> Option<usize> {
        self.index.get(name).copied()
    }

    /// The `N%` columns: (index, label without `%`, level). Locust 0.x
    /// wrote one of them without its `%` (`99.999`): in a 0.x file, a
    /// column named by a bare number between two percentile columns counts.
    fn percentiles(&self) -> Vec<(usize, String, f64)> {
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
fn old_name(name: &str) -> Option<&'static str> {
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

/// The fields of a row: a csv `ByteRecord`, or a line split at its commas
/// (the history's fast path, which copies nothing).
#[derive(Clone, Copy)]
enum Fields<'a> {
    Record(&'a ByteRecord),
    /// `commas` are the positions of the commas in `line`.
    Split {
        line: &'a [u8],
        commas: &'a [usize],
    },
}

impl<'a> Fields<'a> {
    fn len(&self) -> usize {
        match self {
            Fields::Record(r) => r.len(),
            Fields::Split { commas, .. } => commas.len() + 1,
        }
    }

    fn get(&self, i: usize) -> Option<&'a [u8]> {
        match *self {
            Fields::Record(r) => r.get(i),
            Fields::Split { line, commas } => {
                if i > commas.len() {
                    return None;
                }
                let start = if i == 0 { 0 } else { commas[i - 1] + 1 };
                let end = commas.get(i).copied().unwrap_or(line.len());
                Some(&line[start..end])
            }
        }
    }
}

/// One data row, with typed accessors that produce located errors.
///
/// Fields stay bytes: numbers are parsed straight from them, and text is
/// checked to be UTF-8 before it is used.
struct Row<'a> {
    fields: Fields<'a>,
    header: &'a Header<'a>,
    /// Where the row starts in the file, for the line of a message.
    start: Option<u64>,
}

/// The 1-based line of the record that starts at byte `byte` of `path`.
///
/// Only computed for a message (an error or a finding), never per row: it
/// reads the file up to that byte. The csv crate counts a record that
/// follows a CRLF line as starting on the `\n` before it, so a `\n` at
/// `byte` belongs to the previous line.
fn line_at(path: &Path, byte: u64) -> Option<u64> {
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
    fn new(record: &'a ByteRecord, header: &'a Header<'a>) -> Result<Self, InputError> {
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
    fn with_text(
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

    fn checked(self) -> Result<Self, InputError> {
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
    fn line(&self) -> u64 {
        self.start
            .and_then(|b| line_at(self.header.path, b))
            .unwrap_or(0)
    }

    fn error(&self, column: Option<usize>, message: String) -> InputError {
        InputError {
            path: self.header.path.to_path_buf(),
            line: Some(self.line()),
            column: column.map(|c| self.header.names[c].clone()),
            message,
        }
    }

    fn str(&self, column: usize) -> &'a str {
        // The constructors checked the field count and the text columns;
        // a number column that is not UTF-8 reads as "" and fails to parse.
        self.fields
            .get(column)
            .and_then(|b| std::str::from_utf8(b).ok())
            .unwrap_or("")
    }

    fn count(&self, column: usize) -> Result<u64, InputError> {
        let text = self.str(column).trim();
        text.parse::<u64>().map_err(|_| {
            self.error(
                Some(column),
                format!("expected a whole number of 0 or more, found `{text}`"),
            )
        })
    }

    /// A number that Locust may write as `N/A`.
    fn opt_number(&self, column: usize) -> Result<Option<f64>, InputError> {
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

    fn number(&self, column: usize) -> Result<f64, InputError> {
        self.opt_number(column)?
            .ok_or_else(|| self.error(Some(column), "expected a number, found `N/A`".into()))
    }

    /// The total row: Name `Aggregated`, Type empty (Locust 1.1 and later)
    /// or `None` (0.x and 1.0, which wrote Python's `None`).
    fn is_aggregated(&self, type_col: usize, name_col: usize) -> bool {
        matches!(self.str(type_col), "" | "None") && self.str(name_col) == "Aggregated"
    }
}

fn csv_reader<R: Read>(input: R) -> csv::Reader<R> {
    csv::ReaderBuilder::new()
        .has_headers(true)
        // Field counts are checked by `Row::new`, which names the file and line.
        .flexible(true)
        .buffer_capacity(256 * 1024)
        .from_reader(input)
}

fn open(path: &Path) -> Result<File, InputError> {
    File::open(path).map_err(|e| InputError::file(path, format!("cannot open: {e}")))
}

/// Open a result file to read it whole: its start sniffed first, every byte
/// then checked as it is read (see [`super::guard`]).
fn open_guarded(path: &Path) -> Result<Guarded<File>, InputError> {
    guard::sniff(path)?;
    Ok(Guarded::csv(open(path)?))
}

/// An I/O error while reading `path`: a [`guard::Pathology`] with its line,
/// anything else as the system says it.
fn io_error(path: &Path, e: &io::Error) -> InputError {
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

fn csv_error(path: &Path, e: csv::Error) -> InputError {
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
fn for_each_row<R: Read>(
    reader: &mut csv::Reader<R>,
    header: &Header<'_>,
    mut f: impl FnMut(&Row<'_>) -> Result<(), InputError>,
) -> Result<u64, InputError> {
    let mut record = ByteRecord::new();
    let mut rows = 0;
    loop {
        match reader.read_byte_record(&mut record) {
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

/// Lines of a large file, read in big chunks and handed out in place.
struct Lines<R> {
    inner: R,
    buf: Vec<u8>,
    start: usize,
    end: usize,
    eof: bool,
    /// File offset of `buf[start]`.
    offset: u64,
}

impl<R: Read> Lines<R> {
    fn new(inner: R, offset: u64) -> Self {
        Lines {
            inner,
            buf: vec![0; 1024 * 1024],
            start: 0,
            end: 0,
            eof: false,
            offset,
        }
    }

    /// The next line without its `\n`, and the file offset where it starts.
    fn next_line(&mut self) -> io::Result<Option<(u64, &[u8])>> {
        loop {
            if let Some(i) = memchr::memchr(b'\n', &self.buf[self.start..self.end]) {
                let (s, offset) = (self.start, self.offset);
                self.start += i + 1;
                self.offset += i as u64 + 1;
                return Ok(Some((offset, &self.buf[s..s + i])));
            }
            if self.eof {
                if self.start == self.end {
                    return Ok(None);
                }
                let (s, offset) = (self.start, self.offset);
                self.offset += (self.end - s) as u64;
                self.start = self.end;
                return Ok(Some((offset, &self.buf[s..self.end])));
            }
            self.buf.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
            if self.end == self.buf.len() {
                // A line longer than the buffer.
                self.buf.resize(self.buf.len() * 2, 0);
            }
            let n = self.inner.read(&mut self.buf[self.end..])?;
            self.eof = n == 0;
            self.end += n;
        }
    }
}

/// The commas in `bytes`. Counted in byte lanes over chunks of at most
/// 255 bytes (so a lane cannot overflow), which the compiler vectorises.
fn count_commas(bytes: &[u8]) -> usize {
    bytes
        .chunks(255)
        .map(|chunk| usize::from(chunk.iter().fold(0u8, |n, &b| n + u8::from(b == b','))))
        .sum()
}

/// A row of the line-by-line reader, offered cheaply first.
enum LineRow<'r, 'a> {
    /// A line whose first `early` fields hold no quote, split only that far
    /// (the caller decides from those whether it needs more): the file
    /// offset and those fields.
    Quick(u64, Fields<'a>),
    /// The whole row.
    Full(&'r Row<'a>),
}

/// Iterate the rows of a CSV body line by line, the fast way: a line
/// without quotes is split at its commas in place (memchr, no copy); a line
/// with quotes (a name holding a comma or a quote, possibly spanning lines)
/// goes through the csv crate. Used for the history, which can be hundreds
/// of MB: most of its rows are skipped after a look at their first `early`
/// fields, when `f` returns `Ok(true)` for the `Quick` row; otherwise `f`
/// gets the `Full` row. Only the `text` columns are checked to be UTF-8.
fn for_each_line_row(
    input: impl Read,
    offset: u64,
    header: &Header<'_>,
    text: &[usize],
    early: usize,
    mut f: impl FnMut(LineRow<'_, '_>) -> Result<bool, InputError>,
) -> Result<u64, InputError> {
    let read_error = |e: io::Error| io_error(header.path, &e);
    let mut lines = Lines::new(input, offset);
    let mut commas: Vec<usize> = Vec::with_capacity(header.names.len());
    let mut quoted = Vec::new();
    let mut record = ByteRecord::new();
    let mut rows = 0;
    while let Some((start, line)) = lines.next_line().map_err(read_error)? {
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
        commas.clear();
        commas.extend(memchr::memchr_iter(b',', line).take(early));
        if commas.len() == early
            && memchr::memchr(b'"', &line[..commas[early - 1]]).is_none()
            && early + count_commas(&line[commas[early - 1] + 1..]) + 1 == header.names.len()
            && f(LineRow::Quick(
                start,
                Fields::Split {
                    line,
                    commas: &commas,
                },
            ))?
        {
            continue;
        }
        if memchr::memchr(b'"', line).is_none() {
            commas.clear();
            commas.extend(memchr::memchr_iter(b',', line));
            let row = Row::with_text(
                Fields::Split {
                    line,
                    commas: &commas,
                },
                header,
                start,
                text,
            )?;
            f(LineRow::Full(&row))?;
            continue;
        }
        // A quoted field may hold a newline: read on until the quotes balance.
        quoted.clear();
        quoted.extend_from_slice(line);
        let mut quotes = memchr::memchr_iter(b'"', line).count();
        while quotes % 2 == 1 {
            match lines.next_line().map_err(read_error)? {
                Some((_, more)) => {
                    let more = more.strip_suffix(b"\r").unwrap_or(more);
                    quotes += memchr::memchr_iter(b'"', more).count();
                    quoted.push(b'\n');
                    quoted.extend_from_slice(more);
                    if quoted.len() > guard::MAX_RECORD_BYTES {
                        return Err(InputError {
                            path: header.path.to_path_buf(),
                            line: line_at(header.path, start),
                            column: None,
                            message: format!(
                                "a quoted field that runs on for more than {} MiB: a quote is never closed",
                                guard::MAX_RECORD_BYTES >> 20
                            ),
                        });
                    }
                }
                None => break,
            }
        }
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

/// The columns of one stats row, resolved once per file.
struct StatsColumns {
    requests: usize,
    failures: usize,
    median: usize,
    avg: usize,
    min: usize,
    max: usize,
    rps: usize,
    failures_per_s: usize,
    percentiles: Vec<(usize, String, f64)>,
}

impl StatsColumns {
    fn new(h: &Header<'_>) -> Result<Self, InputError> {
        Ok(StatsColumns {
            requests: h.require_or_old("Request Count")?,
            failures: h.require_or_old("Failure Count")?,
            median: h.require_or_old("Median Response Time")?,
            avg: h.require_or_old("Average Response Time")?,
            min: h.require_or_old("Min Response Time")?,
            max: h.require_or_old("Max Response Time")?,
            rps: h.require("Requests/s")?,
            failures_per_s: h.require_or_old("Failures/s")?,
            percentiles: h.percentiles(),
        })
    }

    fn read(&self, row: &Row<'_>) -> Result<Stats, InputError> {
        let requests = row.count(self.requests)?;
        let failures = row.count(self.failures)?;
        if failures > requests {
            return Err(row.error(
                Some(self.failures),
                format!("{failures} failures is more than the {requests} requests"),
            ));
        }
        let mut percentiles = Vec::with_capacity(self.percentiles.len());
        for (col, label, level) in &self.percentiles {
            percentiles.push(Percentile {
                label: label.clone(),
                level: *level,
                value_ms: row.opt_number(*col)?,
            });
        }
        // Locust writes 0 for min/avg/median/max of an entry with no requests;
        // those zeros are not response times.
        let time = |col| -> Result<Option<f64>, InputError> {
            let v = row.opt_number(col)?;
            Ok(if requests == 0 { None } else { v })
        };
        Ok(Stats {
            requests,
            failures,
            success_rate: success_rate(requests, failures),
            rps: row.number(self.rps)?,
            failures_per_s: row.number(self.failures_per_s)?,
            median_ms: time(self.median)?,
            avg_ms: time(self.avg)?,
            min_ms: time(self.min)?,
            max_ms: time(self.max)?,
            percentiles_ms: Percentiles(percentiles),
        })
    }
}

/// Read `_stats.csv`: the `Aggregated` total and the endpoint rows.
pub fn read_stats(path: &Path) -> Result<(Stats, Vec<Endpoint>), InputError> {
    let mut reader = csv_reader(open_guarded(path)?);
    let header = Header::read(&mut reader, path)?;
    let type_col = header.require("Type")?;
    let name_col = header.require("Name")?;
    let columns = StatsColumns::new(&header)?;
    let mut total: Option<Stats> = None;
    let mut endpoints = Vec::new();
    let rows = for_each_row(&mut reader, &header, |row| {
        let stats = columns.read(row)?;
        if row.is_aggregated(type_col, name_col) {
            if total.is_some() {
                return Err(row.error(None, "a second `Aggregated` row".into()));
            }
            total = Some(stats);
        } else {
            endpoints.push(Endpoint {
                method: row.str(type_col).to_string(),
                name: row.str(name_col).to_string(),
                stats,
            });
        }
        Ok(())
    })?;
    match total {
        Some(total) => Ok((total, endpoints)),
        None => Err(InputError {
            path: path.to_path_buf(),
            line: None,
            column: None,
            message: if rows == 0 {
                "no rows after the header: the stats file is empty".into()
            } else {
                "no `Aggregated` row (the total, with an empty Type): is this a Locust stats file?"
                    .into()
            },
        }),
    }
}

/// The length of `file` up to and including its last newline, and its full length.
fn whole_lines_len(file: &mut File) -> io::Result<(u64, u64)> {
    let len = file.seek(SeekFrom::End(0))?;
    let mut end = len;
    let mut buf = [0u8; 4096];
    while end > 0 {
        // No line break in the last MAX_LINE_BYTES: a line too long to read.
        if len - end > guard::MAX_LINE_BYTES as u64 {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                guard::Pathology {
                    offset: end,
                    kind: guard::PathologyKind::LongLine,
                },
            ));
        }
        let start = end.saturating_sub(buf.len() as u64);
        let chunk = &mut buf[..(end - start) as usize];
        file.seek(SeekFrom::Start(start))?;
        file.read_exact(chunk)?;
        if let Some(i) = chunk.iter().rposition(|&b| b == b'\n') {
            file.seek(SeekFrom::Start(0))?;
            return Ok((start + i as u64 + 1, len));
        }
        end = start;
    }
    file.seek(SeekFrom::Start(0))?;
    Ok((0, len))
}

/// Read `_stats_history.csv`: the `Aggregated` time series, and whether its
/// percentiles are cumulative or windowed. Returns a warning when the last
/// line was cut short.
pub fn read_history(
    path: &Path,
    probes: Option<&mut (dyn HistoryObserver + '_)>,
) -> Result<(Option<History>, Option<String>), InputError> {
    read_history_with_progress(path, probes, None)
}

/// [`read_history`], advancing `progress` by the bytes read.
pub fn read_history_with_progress<O: HistoryObserver + ?Sized>(
    path: &Path,
    probes: Option<&mut O>,
    progress: Option<&indicatif::ProgressBar>,
) -> Result<(Option<History>, Option<String>), InputError> {
    guard::sniff(path)?;
    let mut file = open(path)?;
    let (whole, len) = whole_lines_len(&mut file).map_err(|e| io_error(path, &e))?;
    if len == 0 {
        return Ok((
            None,
            Some(format!(
                "{}: the history file is empty; duration and peak users are unknown",
                path.show()
            )),
        ));
    }
    if whole == 0 {
        return Ok((
            None,
            Some(format!(
                "{}: the history file holds only a partial header line (the run was killed as it started); duration and peak users are unknown",
                path.show()
            )),
        ));
    }
    // The header through the csv crate (BOM, quoting); the body line by line.
    let mut first = Vec::new();
    let header_len = BufReader::new(Guarded::new((&mut file).take(whole), 0))
        .read_until(b'\n', &mut first)
        .map_err(|e| io_error(path, &e))? as u64;
    let fields: Vec<String> = {
        let mut reader = csv_reader(first.as_slice());
        let record = reader.headers().map_err(|e| csv_error(path, e))?;
        record.iter().map(str::to_string).collect()
    };
    let header = Header::from_fields(fields, path)?;
    let cols = HistoryColumns {
        timestamp: header.require("Timestamp")?,
        // Locust 0.x wrote no user count: peak users are then unknown, not 0.
        users: if header.is_locust_0x() {
            header.optional("User Count")
        } else {
            Some(header.require("User Count")?)
        },
        total_median: header
            .optional("Total Median Response Time")
            .or_else(|| header.optional("Median response time")),
        zeros_for_empty: header.is_locust_0x(),
        type_col: header.require("Type")?,
        name_col: header.require("Name")?,
        rps: header.require("Requests/s")?,
        fps: header.require_or_old("Failures/s")?,
        total_requests: header.require_or_old("Total Request Count")?,
        total_failures: header.require_or_old("Total Failure Count")?,
        percentiles: header.percentiles(),
    };

    // A file part: [from, to) of the file, read through the progress bar.
    let part = |from: u64, to: u64| -> Result<Box<dyn Read + Send>, InputError> {
        let mut f = open(path)?;
        f.seek(SeekFrom::Start(from))
            .map_err(|e| InputError::file(path, format!("cannot read: {e}")))?;
        let f = Guarded::new(f.take(to - from), from);
        Ok(match progress {
            Some(bar) => Box::new(bar.wrap_read(f)),
            None => Box::new(f),
        })
    };
    // Without windowed checks the rows are independent, so a large body is
    // read as two halves on two threads (split at a line boundary) and the
    // halves are joined. Windowed checks follow the rows in order: one pass.
    let split = if probes.is_none() && whole - header_len > PARALLEL_BYTES {
        let mut f = open(path)?;
        let middle = header_len + (whole - header_len) / 2;
        f.seek(SeekFrom::Start(middle))
            .map_err(|e| InputError::file(path, format!("cannot read: {e}")))?;
        let mut rest = Vec::new();
        BufReader::new(f.take((whole - middle).min(guard::MAX_LINE_BYTES as u64 + 1)))
            .read_until(b'\n', &mut rest)
            .map_err(|e| InputError::file(path, format!("cannot read: {e}")))?;
        let at = middle + rest.len() as u64;
        // A quoted field spanning the split would be cut: read it in one pass.
        (at < whole && !rest.contains(&b'"')).then_some(at)
    } else {
        None
    };
    let scanned = match split {
        Some(at) => {
            let (a, b) = (part(header_len, at)?, part(at, whole)?);
            let (a, b) = std::thread::scope(|scope| {
                // No observer on a split read: windowed checks read in one pass.
                let second =
                    scope.spawn(|| scan_history(b, at, &header, &cols, None::<&mut O>, true));
                let first = scan_history(a, header_len, &header, &cols, None::<&mut O>, false);
                (first, second.join())
            });
            let b = b.map_err(|_| InputError::file(path, "reading the history failed"))?;
            a?.join(b?, path)
        }
        None => scan_history(
            part(header_len, whole)?,
            header_len,
            &header,
            &cols,
            probes,
            false,
        )?,
    };
    let warning = (whole < len).then(|| {
        format!(
            "{}:{}: the last line is cut short (the run was killed while Locust was writing); read up to the last whole line",
            path.show(),
            line_at(path, whole).unwrap_or(0)
        )
    });
    let windowed = match scanned.evidence {
        // The data tells: windowed percentiles fall back after a slow spell
        // (a cumulative maximum never falls) and part from the cumulative
        // median; cumulative ones do neither.
        Evidence { falls: true, .. } | Evidence { parts: true, .. } => true,
        Evidence { compared: true, .. } => false,
        // Nothing to compare (no median column, no requests): per-endpoint
        // rows mean --csv-full-history, which makes them windowed since 2.2.2.
        _ => scanned.windowed,
    };
    let history = History {
        percentile_labels: cols.percentiles.into_iter().map(|(_, l, _)| l).collect(),
        percentiles: if windowed {
            HistoryPercentiles::Windowed
        } else {
            HistoryPercentiles::Cumulative
        },
        users_known: cols.users.is_some(),
        points: scanned.points,
        tick_s: scanned.tick_s.unwrap_or(1),
        anomalies: scanned.anomalies,
    };
    Ok((Some(history), warning))
}

/// A history body larger than this is read on two threads.
const PARALLEL_BYTES: u64 = 8 * 1024 * 1024;

/// The columns of the history that are read.
struct HistoryColumns {
    timestamp: usize,
    /// `None` in Locust 0.x files.
    users: Option<usize>,
    /// The cumulative median (`Total Median Response Time`), to tell windowed
    /// percentile columns from cumulative ones by the data.
    total_median: Option<usize>,
    /// Locust 0.x writes 0, not `N/A`, for the percentiles of an empty window.
    zeros_for_empty: bool,
    type_col: usize,
    name_col: usize,
    rps: usize,
    fps: usize,
    total_requests: usize,
    total_failures: usize,
    percentiles: Vec<(usize, String, f64)>,
}

/// What the `Aggregated` rows say about their percentile columns.
#[derive(Debug, Clone, Copy, Default)]
struct Evidence {
    /// The top percentile fell from one tick to the next by more than
    /// Locust's rounding: only a window does that.
    falls: bool,
    /// The 50% column parted from the cumulative median by more than a bucket.
    parts: bool,
    /// Some row had both the 50% column and the cumulative median to compare.
    compared: bool,
}

impl Evidence {
    fn or(self, other: Evidence) -> Evidence {
        Evidence {
            falls: self.falls || other.falls,
            parts: self.parts || other.parts,
            compared: self.compared || other.compared,
        }
    }
}

/// Locust's response-time buckets: whole ms below 100 ms, then two
/// significant digits (10 ms steps to 1 s, 100 ms steps to 10 s, 1 s above).
/// The width of the bucket `ms` falls in: how far two roundings of one value
/// may be apart.
pub fn locust_bucket_ms(ms: f64) -> f64 {
    match ms {
        ms if ms < 100.0 => 1.0,
        ms if ms < 1_000.0 => 10.0,
        ms if ms < 10_000.0 => 100.0,
        _ => 1_000.0,
    }
}

/// What one pass over (part of) a history body found.
struct Scanned {
    points: Vec<HistoryPoint>,
    /// The smallest step between `Aggregated` ticks.
    tick_s: Option<i64>,
    /// Per-endpoint rows were seen (`--csv-full-history`).
    windowed: bool,
    evidence: Evidence,
    anomalies: Vec<String>,
    first_ts: Option<(i64, u64)>,
    last_ts: Option<i64>,
}

impl Scanned {
    /// This part followed by `next`, checking time across the seam.
    fn join(mut self, mut next: Scanned, path: &Path) -> Scanned {
        if let (Some(prev), Some((ts, start))) = (self.last_ts, next.first_ts) {
            // Only a finding needs the line number, which costs a read of
            // the file up to the seam.
            let line = || line_at(path, start).unwrap_or(0);
            if ts < prev {
                self.anomalies.push(format!(
                    "{}:{}: time goes backwards ({ts} after {prev})",
                    path.show(),
                    line()
                ));
            } else if ts.saturating_sub(prev) > crate::model::MAX_GAP_S {
                self.anomalies.push(format!(
                    "{}:{}: no history for {} s before this row (a stalled or crashed load generator?)",
                    path.show(),
                    line(),
                    ts.saturating_sub(prev)
                ));
            }
        }
        if let (Some(prev), Some(first)) = (self.points.last(), next.points.first())
            && first.timestamp > prev.timestamp
        {
            let step = first.timestamp - prev.timestamp;
            self.tick_s = Some(self.tick_s.map_or(step, |t| t.min(step)));
        }
        let mut builder = PointsBuilder::default();
        for p in self.points.drain(..).chain(next.points.drain(..)) {
            builder.push(p);
        }
        self.points = builder.finish();
        self.anomalies.append(&mut next.anomalies);
        Scanned {
            tick_s: match (self.tick_s, next.tick_s) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            },
            windowed: self.windowed || next.windowed,
            evidence: self.evidence.or(next.evidence),
            first_ts: self.first_ts.or(next.first_ts),
            last_ts: next.last_ts.or(self.last_ts),
            ..self
        }
    }
}

/// One pass over history rows from `input` (which starts at file offset `offset`).
fn scan_history<O: HistoryObserver + ?Sized>(
    input: impl Read,
    offset: u64,
    header: &Header<'_>,
    cols: &HistoryColumns,
    mut probes: Option<&mut O>,
    // Whether the run has begun before this part (the second half of a file).
    mut started: bool,
) -> Result<Scanned, InputError> {
    let path = header.path;
    let mut points = PointsBuilder::default();
    let mut evidence = Evidence::default();
    let mut prev_top: Option<f64> = None;
    let median_col = cols
        .percentiles
        .iter()
        .find(|(_, _, level)| *level == 50.0)
        .map(|(c, _, _)| *c);
    let needs_evidence = median_col.is_some() && cols.total_median.is_some();
    // The last idle row before the run began: (time, percentiles, rps, failures/s).
    type IdleRow = (i64, Vec<(f64, Option<f64>)>, f64, f64);
    let mut idle: Option<IdleRow> = None;
    let mut last_point_ts: Option<i64> = None;
    let mut tick_s: Option<i64> = None;
    let mut windowed = false;
    let mut anomalies = Vec::new();
    let mut first_ts: Option<(i64, u64)> = None;
    let mut last_ts: Option<i64> = None;
    let mut row_percentiles: Vec<(f64, Option<f64>)> = Vec::with_capacity(cols.percentiles.len());
    let wants_endpoints = probes.as_deref().is_some_and(|p| p.wants_endpoints());
    let HistoryColumns {
        timestamp,
        users,
        total_median,
        zeros_for_empty,
        type_col,
        name_col,
        rps,
        fps,
        total_requests,
        total_failures,
        ref percentiles,
    } = *cols;
    // The first fields a quick look needs: timestamp, type and name.
    let early = timestamp.max(type_col).max(name_col) + 1;
    // Timestamps in order, no gap, plausible: the reader reports, evaluation
    // decides (warning or failed check). Returns whether to keep the row.
    let mut check_time = |ts: i64, start: u64| -> bool {
        let line = || line_at(path, start).unwrap_or(0);
        first_ts.get_or_insert((ts, start));
        if !(PLAUSIBLE_UNIX_S.0..PLAUSIBLE_UNIX_S.1).contains(&ts) {
            anomalies.push(format!(
                "{}:{}: timestamp {ts} is not a plausible time of a load test (before 2000 or after 2100); the row is left out",
                path.show(),
                line()
            ));
            return false;
        }
        if let Some(prev) = last_ts {
            if ts < prev {
                anomalies.push(format!(
                    "{}:{}: time goes backwards ({ts} after {prev}); the row is left out",
                    path.show(),
                    line()
                ));
                return false;
            }
            if ts.saturating_sub(prev) > crate::model::MAX_GAP_S {
                anomalies.push(format!(
                    "{}:{}: no history for {} s before this row (a stalled or crashed load generator?)",
                    path.show(),
                    line(),
                    ts.saturating_sub(prev)
                ));
            }
        }
        last_ts = Some(ts);
        true
    };
    let aggregated_fields = |t: &[u8], n: &[u8]| matches!(t, b"" | b"None") && n == b"Aggregated";
    for_each_line_row(input, offset, header, &[type_col, name_col], early, |row| {
        let row = match row {
            LineRow::Quick(start, fields) => {
                // Per-endpoint rows exist only with --csv-full-history, which
                // also makes the percentile columns windowed. They are most of
                // a soak test's file: unless a windowed endpoint check follows
                // them, only their timestamp is read.
                let (Some(t), Some(n), Some(ts)) = (
                    fields.get(type_col),
                    fields.get(name_col),
                    fields.get(timestamp),
                ) else {
                    return Ok(false);
                };
                // Until the percentile kind is known from the data, every row
                // is read in full: endpoint rows tell it first (see below).
                if aggregated_fields(t, n) || wants_endpoints || (needs_evidence && !evidence.parts)
                {
                    return Ok(false);
                }
                let Some(ts) = std::str::from_utf8(ts)
                    .ok()
                    .and_then(|x| x.trim().parse::<i64>().ok())
                else {
                    return Ok(false);
                };
                windowed = true;
                check_time(ts, start);
                return Ok(true);
            }
            LineRow::Full(row) => row,
        };
        let ts_text = row.str(timestamp).trim();
        let ts: i64 = ts_text.parse().map_err(|_| {
            row.error(
                Some(timestamp),
                format!("expected a Unix time in whole seconds, found `{ts_text}`"),
            )
        })?;
        if !check_time(ts, row.start.unwrap_or(0)) {
            return Ok(true);
        }
        let aggregated = row.is_aggregated(type_col, name_col);
        // Windowed percentile columns part from the cumulative median of the
        // same row by more than Locust's rounding at some point of a run;
        // cumulative ones never do. Endpoint rows, being noisier, show it
        // soonest.
        if needs_evidence
            && !evidence.parts
            && let (Some(m), Some(total)) = (median_col, total_median)
            && let (Some(p50), Some(cum)) = (row.opt_number(m)?, row.opt_number(total)?)
            && row.count(total_requests)? >= 20
        {
            evidence.compared = true;
            if (p50 - cum).abs() > locust_bucket_ms(p50.max(cum)) {
                evidence.parts = true;
            }
        }
        if !aggregated {
            windowed = true;
            if !wants_endpoints {
                return Ok(true);
            }
        }
        row_percentiles.clear();
        for (col, _, level) in percentiles {
            row_percentiles.push((*level, row.opt_number(*col)?));
        }
        if zeros_for_empty && row_percentiles.iter().all(|(_, v)| *v == Some(0.0)) {
            row_percentiles.iter_mut().for_each(|(_, v)| *v = None);
        }
        let users = match users {
            Some(col) => row.count(col)?,
            None => 0,
        };
        let rps = row.number(rps)?;
        let failures_per_s = row.number(fps)?;
        if aggregated && !started {
            // A distributed master writes rows while it waits for its
            // workers (no users, no requests): not part of the run. Only the
            // last of them is kept, as the run's start (a local run's first
            // row is such a row, one tick before the first request).
            if users == 0 && row.count(total_requests)? == 0 {
                idle = Some((ts, row_percentiles.clone(), rps, failures_per_s));
                return Ok(true);
            }
            started = true;
            if let Some((idle_ts, idle_percentiles, idle_rps, idle_fps)) = idle.take() {
                if let Some(probes) = probes.as_deref_mut() {
                    probes.observe(&HistoryRow {
                        timestamp: idle_ts,
                        users: 0,
                        endpoint: None,
                        rps: idle_rps,
                        failures_per_s: idle_fps,
                        percentiles: &idle_percentiles,
                    });
                }
                last_point_ts = Some(idle_ts);
                if ts > idle_ts {
                    tick_s = Some(ts - idle_ts);
                }
                points.push(HistoryPoint {
                    timestamp: idle_ts,
                    users: 0,
                    rps: idle_rps,
                    failures_per_s: idle_fps,
                    percentiles_ms: idle_percentiles.iter().map(|(_, v)| *v).collect(),
                    total_requests: 0,
                    total_failures: 0,
                });
            }
        }
        if !started {
            return Ok(true);
        }
        if aggregated {
            let top = row_percentiles.last().and_then(|(_, v)| *v);
            if let (Some(prev), Some(top)) = (prev_top, top)
                && top < prev - locust_bucket_ms(prev)
            {
                evidence.falls = true;
            }
            prev_top = top.or(prev_top);
        }
        if let Some(probes) = probes.as_deref_mut() {
            probes.observe(&HistoryRow {
                timestamp: ts,
                users,
                endpoint: (!aggregated).then(|| (row.str(type_col), row.str(name_col))),
                rps,
                failures_per_s,
                percentiles: &row_percentiles,
            });
        }
        if aggregated {
            if let Some(prev) = last_point_ts
                && ts > prev
            {
                tick_s = Some(tick_s.map_or(ts - prev, |t| t.min(ts - prev)));
            }
            last_point_ts = Some(ts);
            points.push(HistoryPoint {
                timestamp: ts,
                users,
                rps,
                failures_per_s,
                percentiles_ms: row_percentiles.iter().map(|(_, v)| *v).collect(),
                total_requests: row.count(total_requests)?,
                total_failures: row.count(total_failures)?,
            });
        }
        Ok(true)
    })?;
    Ok(Scanned {
        points: points.finish(),
        tick_s,
        windowed,
        evidence,
        anomalies,
        first_ts,
        last_ts,
    })
}

/// One entry of Locust's `--json-file` output; other fields are ignored.
#[derive(serde::Deserialize)]
struct JsonEntry {
    name: String,
    method: Option<String>,
    /// Bucket (ms, as a string key) → count.
    response_times: std::collections::BTreeMap<String, u64>,
}

/// Read `PREFIX.json` (Locust's `--json-file`): the response-time histogram of
/// each endpoint, and their sum, which is exact because buckets are shared.
pub fn read_json(path: &Path) -> Result<Histograms, InputError> {
    // JSON has no lines to bound; a NUL or junk start is still refused at once.
    guard::sniff(path)?;
    let reader = BufReader::new(open(path)?);
    let entries: Vec<JsonEntry> = serde_json::from_reader(reader).map_err(|e| InputError {
        path: path.to_path_buf(),
        line: Some(e.line() as u64).filter(|l| *l > 0),
        column: None,
        message: format!("not Locust's --json-file output: {e}"),
    })?;
    let mut out = Histograms::default();
    // Counts are added up per endpoint, across endpoints and, in the rank
    // test, over a whole histogram: every sum is checked here, so a file
    // whose counts do not fit in 64 bits is an error, not a wrapped number.
    let too_many = |name: &str| {
        InputError::file(
            path,
            format!(
                "the response_times counts of `{}` add up to more than {} (the largest count loadgate can hold)",
                crate::format::display(name),
                crate::format::count(u64::MAX)
            ),
        )
    };
    let mut grand_total: u64 = 0;
    for entry in entries {
        let mut histogram = Histogram::new();
        let mut entry_total: u64 = 0;
        for (bucket, count) in entry.response_times {
            let ms = bucket.parse::<f64>().ok().filter(|v| v.is_finite() && *v >= 0.0).ok_or_else(|| {
                InputError::file(
                    path,
                    format!("response_times of `{}` has a bucket `{bucket}` that is not a time in ms", crate::format::display(&entry.name)),
                )
            })?;
            entry_total = entry_total
                .checked_add(count)
                .ok_or_else(|| too_many(&entry.name))?;
            // Locust's buckets are whole milliseconds.
            *histogram.entry(ms.round() as u64).or_default() += count;
        }
        grand_total = grand_total
            .checked_add(entry_total)
            .ok_or_else(|| too_many("all endpoints together"))?;
        for (bucket, count) in &histogram {
            *out.total.entry(*bucket).or_default() += count;
        }
        out.endpoints
            .insert((entry.method.unwrap_or_default(), entry.name), histogram);
    }
    Ok(out)
}

/// Read `_failures.csv` (4 columns before Locust 2.44, 6 since).
pub fn read_failures(path: &Path) -> Result<Vec<FailureRow>, InputError> {
    let mut reader = csv_reader(open_guarded(path)?);
    let header = Header::read(&mut reader, path)?;
    let method = header.require("Method")?;
    let name = header.require("Name")?;
    let error = header.require("Error")?;
    let occurrences = header.require("Occurrences")?;
    let mut rows = Vec::new();
    // The rows are added up later (against the stats file's failure count):
    // a sum that does not fit is the file's fault, said here with its line.
    let mut total: u64 = 0;
    for_each_row(&mut reader, &header, |row| {
        let n = row.count(occurrences)?;
        total = total.checked_add(n).ok_or_else(|| {
            row.error(
                Some(occurrences),
                format!(
                    "the occurrences add up to more than {} (the largest count loadgate can hold)",
                    crate::format::count(u64::MAX)
                ),
            )
        })?;
        rows.push(FailureRow {
            method: row.str(method).to_string(),
            name: row.str(name).to_string(),
            error: row.str(error).to_string(),
            occurrences: n,
        });
        Ok(())
    })?;
    Ok(rows)
}

/// Read `_exceptions.csv`.
pub fn read_exceptions(path: &Path) -> Result<Vec<ExceptionRow>, InputError> {
    let mut reader = csv_reader(open_guarded(path)?);
    let header = Header::read(&mut reader, path)?;
    let count = header.require("Count")?;
    let message = header.require("Message")?;
    let traceback = header.require("Traceback")?;
    let nodes = header.optional("Nodes");
    let mut rows = Vec::new();
    for_each_row(&mut reader, &header, |row| {
        rows.push(ExceptionRow {
            count: row.count(count)?,
            message: row.str(message).to_string(),
            traceback: row.str(traceback).to_string(),
            nodes: nodes
                .map(|c| {
                    row.str(c)
                        .split(", ")
                        .filter(|n| !n.is_empty())
                        .map(str::to_string)
                        .collect()
                })
                .unwrap_or_default(),
        });
        Ok(())
    })?;
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    const STATS_HEADER: &str = "Type,Name,Request Count,Failure Count,Median Response Time,Average Response Time,Min Response Time,Max Response Time,Average Content Size,Requests/s,Failures/s,50%,66%,75%,80%,90%,95%,98%,99%,99.9%,99.99%,100%";

    fn write(dir: &tempfile::TempDir, name: &str, content: &[u8]) -> std::path::PathBuf {
        let path = dir.path().join(name);
        std::fs::File::create(&path)
            .and_then(|mut f| f.write_all(content))
            .unwrap();
        path
    }

    fn stats_file(rows: &str) -> (tempfile::TempDir, std::path::PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = write(
            &dir,
            "s_stats.csv",
            format!("{STATS_HEADER}\n{rows}").as_bytes(),
        );
        (dir, path)
    }

    const AGG: &str =
        ",Aggregated,10,1,5,5.5,1.25,40.0,12.0,2.5,0.25,5,6,7,8,9,10,11,12,40,40,40\n";

    #[test]
    fn stats_total_and_endpoints_keep_locusts_numbers() {
        let (_d, path) = stats_file(&format!(
            "GET,\"/a,b \"\"q\"\" | <x> ✓\",10,1,5,5.5,1.25,40.0,12.0,2.5,0.25,5,6,7,8,9,10,11,12,40,40,40\n{AGG}"
        ));
        let (total, endpoints) = read_stats(&path).unwrap();
        assert_eq!(total.requests, 10);
        assert_eq!(total.success_rate, Some(90.0));
        assert_eq!(total.min_ms, Some(1.25));
        assert_eq!(total.percentiles_ms.get(99.9), Some(Some(40.0)));
        assert_eq!(endpoints[0].name, "/a,b \"q\" | <x> ✓");
        assert_eq!(endpoints[0].method, "GET");
    }

    #[test]
    fn line_numbers_are_exact_in_crlf_files() {
        let (_d, path) = stats_file(&format!(
            "GET,/x,1,0,5,5,5,5,0,1,0,5,5,5,5,5,5,5,5,5,5,5\r\nGET,/y,ten,0,5,5,5,5,0,1,0,5,5,5,5,5,5,5,5,5,5,5\r\n{AGG}"
        ));
        assert_eq!(read_stats(&path).unwrap_err().line, Some(3));
    }

    #[test]
    fn crlf_and_bom_are_accepted() {
        let dir = tempfile::tempdir().unwrap();
        let text = format!("\u{feff}{STATS_HEADER}\r\n{}", AGG.replace('\n', "\r\n"));
        let path = write(&dir, "s_stats.csv", text.as_bytes());
        let (total, _) = read_stats(&path).unwrap();
        assert_eq!(total.requests, 10);
        assert_eq!(total.percentiles_ms.get(100.0), Some(Some(40.0)));
    }

    #[test]
    fn columns_are_found_by_name_not_position() {
        let dir = tempfile::tempdir().unwrap();
        let text = "Name,Extra,Type,Failure Count,Request Count,Median Response Time,Average Response Time,Min Response Time,Max Response Time,Requests/s,Failures/s,95%\nAggregated,zz,,2,4,5,6,7,8,9,1,N/A\n";
        let path = write(&dir, "s_stats.csv", text.as_bytes());
        let (total, _) = read_stats(&path).unwrap();
        assert_eq!((total.requests, total.failures), (4, 2));
        assert_eq!(total.percentiles_ms.get(95.0), Some(None));
        assert_eq!(total.percentiles_ms.labels(), vec!["95"]);
    }

    #[test]
    fn a_non_number_names_file_line_and_column() {
        let (_d, path) = stats_file(&format!(
            "GET,/x,ten,0,5,5,5,5,0,1,0,5,5,5,5,5,5,5,5,5,5,5\n{AGG}"
        ));
        let e = read_stats(&path).unwrap_err();
        assert_eq!(e.line, Some(2));
        assert_eq!(e.column.as_deref(), Some("Request Count"));
        assert!(
            e.to_string().ends_with(
                "expected a whole number of 0 or more, found `ten` (column \"Request Count\")"
            ),
            "{e}"
        );
    }

    #[test]
    fn a_missing_column_is_an_error_on_the_header() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(
            &dir,
            "s_stats.csv",
            b"Type,Name,Request Count\n,Aggregated,1\n",
        );
        let e = read_stats(&path).unwrap_err();
        assert_eq!(
            (e.line, e.column.as_deref()),
            (Some(1), Some("Failure Count"))
        );
    }

    #[test]
    fn a_duplicated_column_is_an_error() {
        let (_d, path) = stats_file(AGG);
        let text =
            std::fs::read_to_string(&path)
                .unwrap()
                .replacen("Failure Count", "Request Count", 1);
        std::fs::write(&path, text).unwrap();
        let e = read_stats(&path).unwrap_err();
        assert_eq!(
            (e.line, e.column.as_deref()),
            (Some(1), Some("Request Count"))
        );
        assert!(e.message.contains("twice (fields 3 and 4)"), "{e}");
    }

    #[test]
    fn empty_and_header_only_stats_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        let empty = write(&dir, "a_stats.csv", b"");
        assert!(read_stats(&empty).unwrap_err().message.contains("empty"));
        let header_only = write(&dir, "b_stats.csv", format!("{STATS_HEADER}\n").as_bytes());
        assert!(
            read_stats(&header_only)
                .unwrap_err()
                .message
                .contains("empty")
        );
    }

    #[test]
    fn nan_and_negative_values_are_errors() {
        for bad in ["NaN", "-1", "inf"] {
            let (_d, path) = stats_file(&AGG.replace("5.5", bad));
            let e = read_stats(&path).unwrap_err();
            assert_eq!(e.column.as_deref(), Some("Average Response Time"), "{bad}");
        }
    }

    #[test]
    fn short_rows_are_errors() {
        let (_d, path) = stats_file(",Aggregated,10,1\n");
        let e = read_stats(&path).unwrap_err();
        assert!(e.message.contains("fields"), "{e}");
        assert_eq!(e.line, Some(2));
    }

    const HISTORY_HEADER: &str = "Timestamp,User Count,Type,Name,Requests/s,Failures/s,50%,95%,Total Request Count,Total Failure Count,Total Median Response Time";

    #[test]
    fn history_cut_short_is_read_to_the_last_whole_line() {
        let dir = tempfile::tempdir().unwrap();
        let text = format!(
            "{HISTORY_HEADER}\r\n1700000000,0,,Aggregated,0.000000,0.000000,N/A,N/A,0,0,0\r\n1700000001,5,,Aggregated,3.000000,0.000000,4,9,3,0,4\r\n1700000002,10,,Aggr"
        );
        let path = write(&dir, "s_stats_history.csv", text.as_bytes());
        let (history, warning) = read_history(&path, None).unwrap();
        let history = history.unwrap();
        assert_eq!(history.points.len(), 2);
        assert_eq!(history.span(), Some((1_700_000_000, 1_700_000_001)));
        assert_eq!(history.peak_users(), Some(5));
        assert_eq!(history.percentiles, HistoryPercentiles::Cumulative);
        assert!(
            warning
                .unwrap()
                .contains("s_stats_history.csv:4: the last line is cut short")
        );
    }

    #[test]
    fn history_with_endpoint_rows_is_windowed() {
        let dir = tempfile::tempdir().unwrap();
        let text = format!(
            "{HISTORY_HEADER}\n1700000001,5,GET,/x,3.0,0.0,4,9,3,0,4\n1700000001,5,,Aggregated,3.0,0.0,4,9,3,0,4\n"
        );
        let path = write(&dir, "s_stats_history.csv", text.as_bytes());
        let (history, warning) = read_history(&path, None).unwrap();
        assert!(warning.is_none());
        let history = history.unwrap();
        assert_eq!(history.percentiles, HistoryPercentiles::Windowed);
        assert_eq!(history.points.len(), 1);
    }

    #[test]
    fn a_short_endpoint_row_inside_a_full_history_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let text = format!(
            "{HISTORY_HEADER}\r\n1700000001,5,GET,/x,3.0,0.0,4,9,3,0,4\r\n1700000001,5,GET,/y,3.0,0.0,4,9,3\r\n1700000001,5,,Aggregated,3.0,0.0,4,9,3,0,4\r\n"
        );
        let path = write(&dir, "s_stats_history.csv", text.as_bytes());
        let e = read_history(&path, None).unwrap_err();
        assert_eq!(e.line, Some(3));
        assert!(
            e.message
                .contains("the line has 9 fields but the header has 11"),
            "{e}"
        );
    }

    #[test]
    fn history_cut_inside_the_header_has_no_points() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(&dir, "s_stats_history.csv", b"Timestamp,User Co");
        let (history, warning) = read_history(&path, None).unwrap();
        assert!(history.is_none());
        assert!(warning.unwrap().contains("partial header"));
    }

    #[test]
    fn failures_accept_four_and_six_columns() {
        let dir = tempfile::tempdir().unwrap();
        let old = write(
            &dir,
            "a_failures.csv",
            b"Method,Name,Error,Occurrences\nPOST,/login,HTTPError('429'),13\n",
        );
        let new = write(&dir, "b_failures.csv", b"Method,Name,Error,Occurrences,First Seen,Last Seen\nPOST,/login,\"HTTPError('429, slow')\",13,2026-01-22T10:00:00Z,2026-01-22T10:01:00Z\n");
        assert_eq!(read_failures(&old).unwrap()[0].occurrences, 13);
        assert_eq!(
            read_failures(&new).unwrap()[0].error,
            "HTTPError('429, slow')"
        );
    }

    #[test]
    fn locust_json_histograms_are_merged_exactly() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(&dir, "s.json", br#"[{"name":"/a","method":"GET","num_requests":3,"response_times":{"5":2,"7":1}},{"name":"/b","method":"POST","response_times":{"5":4,"120":1}}]"#);
        let h = read_json(&path).unwrap();
        assert_eq!(h.total, Histogram::from([(5, 6), (7, 1), (120, 1)]));
        assert_eq!(h.endpoints[&("GET".to_string(), "/a".to_string())][&5], 2);
        let bad = write(&dir, "t.json", b"{\"not\": \"a list\"}");
        assert!(read_json(&bad).unwrap_err().message.contains("--json-file"));
    }

    #[test]
    fn exceptions_split_nodes() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(
            &dir,
            "a_exceptions.csv",
            b"Count,Message,Traceback,Nodes\n2,boom,\"line 1\nline 2\",\"host-a, host-b\"\n",
        );
        let rows = read_exceptions(&path).unwrap();
        assert_eq!(rows[0].nodes, vec!["host-a", "host-b"]);
        assert_eq!(rows[0].traceback, "line 1\nline 2");
    }
}
