//! Bounds on what a reader will take in, so that a pathological file (a
//! sparse 2 GB file of NUL bytes, a valid header followed by gigabytes
//! without a line break) is an error within a second and in bounded memory
//! rather than minutes and gigabytes.
//!
//! - A NUL byte anywhere means binary content: no load tool writes one into
//!   a CSV or JSON result file.
//! - A physical line (up to `\n` or `\r`) longer than [`MAX_LINE_BYTES`] is
//!   refused. A quoted CSV field may span lines (Locust's tracebacks in
//!   `_exceptions.csv` do), so a whole record may be up to
//!   [`MAX_RECORD_BYTES`]; real tracebacks are a few KB.
//!
//! [`sniff`] looks at the start of a file before any reader does; [`Guarded`]
//! checks every byte as a reader pulls it through.

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

use super::InputError;

/// The longest physical line any reader accepts: 1 MiB.
pub const MAX_LINE_BYTES: usize = 1 << 20;
/// The longest CSV record (a quoted field may span lines): 16 MiB.
pub const MAX_RECORD_BYTES: usize = 16 << 20;

/// What [`Guarded`] found, carried inside an `io::Error` of kind `InvalidData`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pathology {
    /// The file offset where it was found.
    pub offset: u64,
    pub kind: PathologyKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PathologyKind {
    Nul,
    LongLine,
    /// A CSV record (quoted fields spanning lines) over [`MAX_RECORD_BYTES`].
    LongRecord,
}

impl Pathology {
    pub fn message(self) -> String {
        match self.kind {
            PathologyKind::Nul => {
                "binary content (a NUL byte): this is not a text result file".to_string()
            }
            PathologyKind::LongLine => format!(
                "a line longer than {} MiB: this is not a result file loadgate can read",
                MAX_LINE_BYTES >> 20
            ),
            PathologyKind::LongRecord => format!(
                "a quoted field that runs on for more than {} MiB: a quote is never closed",
                MAX_RECORD_BYTES >> 20
            ),
        }
    }
}

impl std::fmt::Display for Pathology {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message())
    }
}

impl std::error::Error for Pathology {}

/// The [`Pathology`] inside an I/O error, if that is what it is.
pub fn pathology(e: &io::Error) -> Option<Pathology> {
    e.get_ref()?.downcast_ref::<Pathology>().copied()
}

/// Check the start of `path`: a NUL byte in the first 64 KiB, or no line
/// break in the first [`MAX_LINE_BYTES`] of a longer file, is an error
/// naming the file (and the line of the NUL byte).
pub fn sniff(path: &Path) -> Result<(), InputError> {
    let mut file =
        File::open(path).map_err(|e| InputError::file(path, format!("cannot open: {e}")))?;
    sniff_file(path, &mut file).map(drop)
}

/// [`sniff`] on a file the caller has opened to read (one open, not two):
/// returns the bytes it read from the file's start, with which the reading
/// goes on ([`sniffed`]).
pub fn sniff_file(path: &Path, file: &mut File) -> Result<Vec<u8>, InputError> {
    // No bigger than the file: a 64 KiB buffer zeroed for each of a
    // thousand small files cost more than reading them.
    let len = file.metadata().map_or(u64::MAX, |m| m.len());
    let mut buf = vec![0u8; (64 * 1024).min(len.saturating_add(1)) as usize];
    let mut filled = 0;
    let mut limit = buf.len();
    loop {
        let n = file
            .read(&mut buf[filled..limit])
            .map_err(|e| InputError::file(path, format!("cannot read: {e}")))?;
        let chunk = &buf[filled..filled + n];
        if filled == 0 && (chunk.starts_with(b"\xff\xfe") || chunk.starts_with(b"\xfe\xff")) {
            return Err(InputError {
                path: path.to_path_buf(),
                line: Some(1),
                column: None,
                message: "the file is encoded as UTF-16 (it starts with a UTF-16 byte-order mark); loadgate reads UTF-8: convert it, e.g. `iconv -f UTF-16 -t UTF-8`".to_string(),
            });
        }
        if let Some(i) = memchr::memchr(0, chunk) {
            return Err(located(path, &buf[..filled + i], PathologyKind::Nul));
        }
        filled += n;
        if n == 0 || memchr::memchr2(b'\n', b'\r', &buf[..filled]).is_some() {
            buf.truncate(filled);
            return Ok(buf);
        }
        if filled == limit && limit < 64 * 1024 {
            // The file grew since its length was taken: look on as for any.
            limit = (64 * 1024).min(limit * 4);
            buf.resize(limit, 0);
        } else if filled == limit {
            // No line break yet: look on, up to the longest line allowed.
            if limit > MAX_LINE_BYTES {
                return Err(located(path, &[], PathologyKind::LongLine));
            }
            limit = (limit * 4).min(MAX_LINE_BYTES + 1);
            buf.resize(limit, 0);
        }
    }
}

/// The whole file again, after [`sniff_file`]: the bytes it read, then the
/// rest of the file.
pub fn sniffed(head: Vec<u8>, file: File) -> io::Chain<io::Cursor<Vec<u8>>, File> {
    io::Cursor::new(head).chain(file)
}

/// An error at the end of `before` (the file's first bytes).
fn located(path: &Path, before: &[u8], kind: PathologyKind) -> InputError {
    let line = memchr::memchr_iter(b'\n', before).count() as u64 + 1;
    InputError {
        path: path.to_path_buf(),
        line: Some(line),
        column: None,
        message: Pathology {
            offset: before.len() as u64,
            kind,
        }
        .message(),
    }
}

/// A reader that fails with a [`Pathology`] on a NUL byte or an over-long
/// physical line. Two memchr passes per chunk read; nothing per byte.
pub struct Guarded<R> {
    inner: R,
    /// File offset of the next byte read.
    offset: u64,
    /// Bytes since the last line break.
    line: usize,
    /// Whole CSV records are bounded too (see [`Guarded::csv`]).
    records: Option<Records>,
}

/// Where a CSV record stands: inside quotes or not, and its length so far.
#[derive(Debug, Default)]
struct Records {
    quoted: bool,
    len: usize,
    /// The file offset where the record began, to name its line.
    start: u64,
}

impl<R: Read> Guarded<R> {
    /// `offset`: where in the file `inner` starts.
    pub fn new(inner: R, offset: u64) -> Self {
        Guarded {
            inner,
            offset,
            line: 0,
            records: None,
        }
    }

    /// Also bound each CSV record (a quoted field may span lines) to
    /// [`MAX_RECORD_BYTES`], for readers that hand the stream to the csv crate,
    /// which would otherwise take in a never-closed quote whole.
    pub fn csv(inner: R) -> Self {
        Guarded {
            records: Some(Records::default()),
            ..Guarded::new(inner, 0)
        }
    }

    /// Follow the quotes and line breaks of `chunk`; the file offset where a
    /// record that runs past the bound began.
    fn follow_records(&mut self, chunk: &[u8]) -> Option<u64> {
        let offset = self.offset;
        let records = self.records.as_mut()?;
        if !records.quoted && memchr::memchr(b'"', chunk).is_none() {
            match memchr::memrchr2(b'\n', b'\r', chunk) {
                Some(last) => {
                    records.len = chunk.len() - last - 1;
                    records.start = offset + last as u64 + 1;
                }
                None => records.len += chunk.len(),
            }
        } else {
            let mut start = 0;
            for at in memchr::memchr3_iter(b'"', b'\n', b'\r', chunk) {
                match chunk[at] {
                    b'"' => records.quoted = !records.quoted,
                    _ if !records.quoted => {
                        records.len = 0;
                        records.start = offset + at as u64 + 1;
                        start = at + 1;
                        continue;
                    }
                    _ => {}
                }
                if records.len + (at - start) > MAX_RECORD_BYTES {
                    return Some(records.start);
                }
            }
            records.len += chunk.len() - start;
        }
        (records.len > MAX_RECORD_BYTES).then_some(records.start)
    }
}

impl<R: Read> Read for Guarded<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        let chunk = &buf[..n];
        let fail = |at: usize, kind| {
            Err(io::Error::new(
                io::ErrorKind::InvalidData,
                Pathology {
                    offset: self.offset + at as u64,
                    kind,
                },
            ))
        };
        if let Some(i) = memchr::memchr(0, chunk) {
            return fail(i, PathologyKind::Nul);
        }
        match memchr::memrchr2(b'\n', b'\r', chunk) {
            Some(last) => {
                // The lines before `last` were checked only if short; a long
                // one inside this chunk is at most the chunk long, and the
                // line after `last` starts the count anew.
                let first = memchr::memchr2(b'\n', b'\r', chunk).unwrap_or(last);
                if self.line + first > MAX_LINE_BYTES {
                    return fail(first, PathologyKind::LongLine);
                }
                // A chunk longer than a line may hold a whole long line.
                if n > MAX_LINE_BYTES {
                    let mut prev = first;
                    for at in memchr::memchr2_iter(b'\n', b'\r', &chunk[first + 1..]) {
                        let at = first + 1 + at;
                        if at - prev - 1 > MAX_LINE_BYTES {
                            return fail(at, PathologyKind::LongLine);
                        }
                        prev = at;
                    }
                }
                self.line = n - last - 1;
            }
            None => {
                self.line += n;
                if self.line > MAX_LINE_BYTES {
                    return fail(n, PathologyKind::LongLine);
                }
            }
        }
        if let Some(start) = self.follow_records(&buf[..n]) {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                Pathology {
                    offset: start,
                    kind: PathologyKind::LongRecord,
                },
            ));
        }
        self.offset += n as u64;
        Ok(n)
    }
}

/// The 1-based line of byte `offset` of `path`, counting `\n`s before it
/// (reads the file: for messages only, never per row).
pub fn line_at(path: &Path, offset: u64) -> Option<u64> {
    let mut file = File::open(path).ok()?.take(offset);
    let mut buf = vec![0u8; 64 * 1024];
    let mut lines = 1;
    loop {
        let n = file.read(&mut buf).ok()?;
        if n == 0 {
            return Some(lines);
        }
        lines += memchr::memchr_iter(b'\n', &buf[..n]).count() as u64;
    }
}

/// The 1-based line of the CSV record the csv crate says starts at `pos`.
/// Its own line count is one short after CRLF lines (a file written on
/// Windows, Taurus's kpi.jtl): it takes a record that follows `\r\n` to
/// start at the `\n`, which this counts as the line before.
pub fn record_line(path: &Path, pos: &csv::Position) -> Option<u64> {
    line_at(path, pos.byte().saturating_add(1))
}

/// An I/O error while reading `path`: a [`Pathology`] at its line, else as
/// the system says.
pub fn io_error(path: &Path, e: &io::Error) -> InputError {
    match pathology(e) {
        Some(p) => InputError {
            path: path.to_path_buf(),
            line: line_at(path, p.offset),
            column: None,
            message: p.message(),
        },
        None => InputError::file(path, format!("cannot read: {e}")),
    }
}

/// A csv error while reading `path`, at the record's line.
pub fn csv_error(path: &Path, e: &csv::Error) -> InputError {
    if let csv::ErrorKind::Io(io) = e.kind() {
        return io_error(path, io);
    }
    InputError {
        path: path.to_path_buf(),
        line: e.position().and_then(|p| record_line(path, p)),
        column: None,
        message: match e.kind() {
            csv::ErrorKind::Utf8 { .. } => "the line is not valid UTF-8".to_string(),
            _ => e.to_string(),
        },
    }
}

/// A CSV header's column names by position, or the header line's error
/// when it names a column twice (which of the two holds the values? neither
/// guess is safe).
pub fn header_index<'n>(
    path: &Path,
    names: &'n [String],
) -> Result<std::collections::HashMap<&'n str, usize>, InputError> {
    let mut index = std::collections::HashMap::with_capacity(names.len());
    for (i, name) in names.iter().enumerate() {
        if let Some(first) = index.insert(name.as_str(), i) {
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
    Ok(index)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_all(bytes: &[u8]) -> io::Result<Vec<u8>> {
        let mut out = Vec::new();
        Guarded::new(bytes, 0).read_to_end(&mut out)?;
        Ok(out)
    }

    #[test]
    fn text_passes_through_unchanged() {
        let text = b"Type,Name\r\nGET,/a\n,Aggregated\n".repeat(1000);
        assert_eq!(read_all(&text).unwrap(), text);
    }

    #[test]
    fn a_nul_byte_is_found_with_its_offset() {
        let mut text = b"Type,Name\n".to_vec();
        text.extend([b'x', 0, b'y']);
        let e = read_all(&text).unwrap_err();
        assert_eq!(
            pathology(&e),
            Some(Pathology {
                offset: 11,
                kind: PathologyKind::Nul
            })
        );
    }

    #[test]
    fn an_over_long_line_is_refused_in_bounded_memory() {
        let mut reader = Guarded::new(io::repeat(b'a'), 0);
        let mut sink = [0u8; 8192];
        let e = loop {
            if let Err(e) = reader.read(&mut sink) {
                break e;
            }
        };
        assert_eq!(pathology(&e).map(|p| p.kind), Some(PathologyKind::LongLine));
        // Lines just under the limit, many of them, are fine.
        let line = [vec![b'b'; MAX_LINE_BYTES - 1], vec![b'\n']].concat();
        assert!(read_all(&line.repeat(3)).is_ok());
    }

    #[test]
    fn a_never_closed_quote_is_refused_but_real_tracebacks_pass() {
        let traceback =
            b"1,boom,\"Traceback (most recent call last):\n  File \"x.py\", line 1\n\",host\n";
        let text = [
            b"Count,Message,Traceback,Nodes\n".to_vec(),
            traceback.repeat(10_000),
        ]
        .concat();
        let mut out = Vec::new();
        Guarded::csv(text.as_slice()).read_to_end(&mut out).unwrap();
        assert_eq!(out, text);
        let open = [
            b"1,boom,\"never closed\n".to_vec(),
            b"short line\n".repeat(2 << 20),
        ]
        .concat();
        let e = Guarded::csv(open.as_slice())
            .read_to_end(&mut out)
            .unwrap_err();
        assert_eq!(
            pathology(&e).map(|p| p.kind),
            Some(PathologyKind::LongRecord)
        );
    }

    #[test]
    fn sniff_refuses_nul_and_headerless_giants_quickly() {
        let d = tempfile::tempdir().unwrap();
        let nul = d.path().join("a_stats.csv");
        std::fs::write(&nul, b"Type,Name\n\0\0\0").unwrap();
        let e = sniff(&nul).unwrap_err();
        assert_eq!(e.line, Some(2));
        assert!(e.message.contains("NUL"), "{e}");
        let giant = d.path().join("b_stats.csv");
        std::fs::write(&giant, vec![b'x'; MAX_LINE_BYTES + 10]).unwrap();
        assert!(sniff(&giant).unwrap_err().message.contains("longer than"));
        let fine = d.path().join("c_stats.csv");
        std::fs::write(&fine, b"Type,Name\n").unwrap();
        assert!(sniff(&fine).is_ok());
    }
}
