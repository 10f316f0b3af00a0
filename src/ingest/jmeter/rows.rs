//! A JTL's records, read straight from the file in large blocks and split
//! into fields where they lie: no copy of an unquoted row (most of them),
//! its delimiters found sixteen bytes at a time (`lines::positions_of`). A row with a quote is split
//! by the CSV rules (RFC 4180, as JMeter writes it) into a scratch buffer,
//! and may run over several lines.
//!
//! The rules: records end at `\n` (a `\r` before it is dropped); blank lines
//! are skipped; a field that starts with `"` is quoted, `""` in it is one
//! quote, and it may hold delimiters and line breaks; what follows its
//! closing quote up to the next delimiter is kept as it is, as is a quote
//! inside an unquoted field. A quote never closed runs to the end of the
//! file, bounded by [`MAX_RECORD_BYTES`]. NUL bytes and over-long lines
//! are refused by [`Guarded`], as in every reader.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

use crate::ingest::InputError;
use crate::ingest::guard::{self, Guarded, MAX_RECORD_BYTES, Pathology, PathologyKind};

/// Bytes read at a time.
const BLOCK: usize = 1 << 20;
/// Field ends a plain record keeps in [`Rows::batch`].
const BATCH: usize = 256;

/// A file's records from a given offset.
pub(super) struct Rows<'p> {
    path: &'p Path,
    file: Guarded<File>,
    buf: Vec<u8>,
    /// `buf[..filled]` holds data; `buf[pos..filled]` is not read yet.
    filled: usize,
    pos: usize,
    /// The file offset of `buf[0]`.
    base: u64,
    eof: bool,
    delimiter: u8,
    /// The current record's field ends, as offsets into its bytes, for a
    /// quoted record or one with more fields than `batch` holds.
    ends: Vec<usize>,
    /// A plain record's field ends (the first `n` of them, [`At::Plain`]):
    /// written in place, no copy and no capacity check per field.
    batch: Vec<usize>,
    /// The file offset of the record last returned.
    last: u64,
    /// Where a line's quotes are (reused).
    quotes: Vec<usize>,
    /// A quoted record, unescaped: its fields one after another, each but
    /// the last followed by the delimiter (so fields are found as in a row).
    scratch: Vec<u8>,
}

/// Where the current record's bytes are.
#[derive(Clone, Copy)]
enum At {
    /// `buf[start..end]`, its `n` field ends in `batch`, no quotes.
    Plain(usize, usize, usize),
    /// `buf[start..end]`, the fields of the `quoted` mask ([`Record`]) in quotes.
    Buf(usize, usize, u64),
    /// `scratch`.
    Scratch,
}

/// One record: its fields, and the file offset it starts at.
#[derive(Clone, Copy)]
pub(super) struct Record<'r> {
    pub(super) start: u64,
    bytes: &'r [u8],
    ends: &'r [usize],
    /// Bit `i`: field `i` is quoted in `bytes` (it starts one byte later,
    /// and the next field two bytes after its end). Only fields 0 to 63.
    quoted: u64,
}

impl<'r> Record<'r> {
    pub(super) fn len(&self) -> usize {
        self.ends.len()
    }

    pub(super) fn get(&self, i: usize) -> Option<&'r [u8]> {
        let end = *self.ends.get(i)?;
        let start = match i {
            0 => 0,
            _ => self.ends[i - 1] + 1,
        };
        if self.quoted == 0 {
            return self.bytes.get(start..end);
        }
        let bit = |i: usize| self.quoted.checked_shr(i as u32).unwrap_or(0) as usize & 1;
        let start = start + bit(i) + i.checked_sub(1).map_or(0, bit);
        self.bytes.get(start..end)
    }

    /// The fields, as a csv record (for the header).
    pub(super) fn to_byte_record(self) -> csv::ByteRecord {
        let mut record = csv::ByteRecord::new();
        for i in 0..self.len() {
            record.push_field(self.get(i).unwrap_or_default());
        }
        record
    }
}

impl<'p> Rows<'p> {
    /// The records of `path` from byte `offset` (0, or where a record starts).
    pub(super) fn open(path: &'p Path, offset: u64, delimiter: u8) -> Result<Self, InputError> {
        let mut file =
            File::open(path).map_err(|e| InputError::file(path, format!("cannot open: {e}")))?;
        if offset > 0 {
            file.seek(SeekFrom::Start(offset))
                .map_err(|e| InputError::file(path, format!("cannot read: {e}")))?;
        }
        Ok(Rows {
            path,
            file: Guarded::new(file, offset),
            buf: vec![0; BLOCK],
            filled: 0,
            pos: 0,
            base: offset,
            eof: false,
            delimiter,
            ends: Vec::new(),
            batch: vec![0; BATCH],
            last: offset,
            quotes: Vec::new(),
            scratch: Vec::new(),
        })
    }

    /// The next record, `None` at the end of the file.
    pub(super) fn next_record(&mut self) -> Result<Option<Record<'_>>, InputError> {
        let Some((start, at)) = self.locate()? else {
            return Ok(None);
        };
        self.last = start;
        let (bytes, ends, quoted) = match at {
            At::Plain(a, b, n) => (&self.buf[a..b], &self.batch[..n], 0),
            At::Buf(a, b, quoted) => (&self.buf[a..b], &self.ends[..], quoted),
            At::Scratch => (&self.scratch[..], &self.ends[..], 0),
        };
        Ok(Some(Record {
            start,
            bytes,
            ends,
            quoted,
        }))
    }

    /// Give the record last returned back: the next call returns it again.
    pub(super) fn unread(&mut self) {
        // Its bytes are still in the buffer: nothing was read since.
        self.pos = usize::try_from(self.last - self.base).unwrap_or(self.pos);
    }

    /// The file offset of the next byte not yet looked at.
    pub(super) fn offset(&self) -> u64 {
        self.base + self.pos as u64
    }

    /// Find the next record and split it: its file offset and its bytes.
    fn locate(&mut self) -> Result<Option<(u64, At)>, InputError> {
        loop {
            let start = self.pos;
            let offset = self.base + start as u64;
            self.ends.clear();
            let (scan, batched) = scan_line(
                &self.buf[start..self.filled],
                self.delimiter,
                &mut self.batch,
                &mut self.ends,
            );
            let end = match scan {
                Scan::Line(n) => start + n,
                Scan::Quote => match self.plainly_quoted(start) {
                    Some((end, next, mask)) => {
                        self.pos = next;
                        return Ok(Some((offset, At::Buf(start, end, mask))));
                    }
                    None => match self.quoted(start)? {
                        Some(after) => {
                            self.pos = after;
                            return Ok(Some((offset, At::Scratch)));
                        }
                        None => {
                            self.refill(start)?;
                            continue;
                        }
                    },
                },
                Scan::Open if !self.eof => {
                    self.refill(start)?;
                    continue;
                }
                Scan::Open if start == self.filled => return Ok(None),
                // The last line has no line break.
                Scan::Open => self.filled,
            };
            self.pos = (end + 1).min(self.filled);
            let line_end = match self.buf[start..end].last() {
                Some(b'\r') => end - 1,
                _ => end,
            };
            if line_end > start {
                match batched {
                    Some(n) if n < self.batch.len() => {
                        self.batch[n] = line_end - start;
                        return Ok(Some((offset, At::Plain(start, line_end, n + 1))));
                    }
                    Some(n) => self.ends.extend_from_slice(&self.batch[..n]),
                    None => {}
                }
                self.ends.push(line_end - start);
                return Ok(Some((offset, At::Buf(start, line_end, 0))));
            }
            // A blank line.
        }
    }

    /// The record at `buf[start..]` split in place when it is on one line
    /// and each of its quotes opens or closes a whole field (`"a, b"`, as
    /// JMeter quotes a message with a delimiter), the first 64 fields at
    /// most: (where it ends, where the next line starts, which fields are
    /// quoted). `None` for anything else (`""` in a field, a quoted line
    /// break, a quote inside a field), which [`Rows::quoted`] splits.
    fn plainly_quoted(&mut self, start: usize) -> Option<(usize, usize, u64)> {
        let data = &self.buf[start..self.filled];
        let newline = memchr::memchr(b'\n', data)?;
        let line = &data[..newline];
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let (delimiters, quotes) = (&mut self.ends, &mut self.quotes);
        delimiters.clear();
        quotes.clear();
        crate::ingest::lines::positions_of_each(line, [self.delimiter, b'"'], [delimiters, quotes]);
        if quotes.len() % 2 == 1 {
            return None;
        }
        // The field ends are written over the delimiters' positions (a
        // field never ends after the delimiter it is read up to), the last
        // one pushed.
        fn put(ends: &mut Vec<usize>, field: usize, end: usize) {
            match ends.get_mut(field) {
                Some(slot) => *slot = end,
                None => ends.push(end),
            }
        }
        let (mut pos, mut next_quote, mut read, mut field) = (0, 0, 0, 0);
        let mut mask = 0u64;
        loop {
            if quotes.get(next_quote) == Some(&pos) {
                let close = quotes[next_quote + 1];
                next_quote += 2;
                let after = close + 1;
                if field >= 64 || (after < line.len() && line[after] != self.delimiter) {
                    return None;
                }
                while delimiters.get(read).is_some_and(|&d| d < after) {
                    read += 1;
                }
                mask |= 1 << field;
                put(delimiters, field, close);
                if after == line.len() {
                    break;
                }
                read += 1;
                pos = after + 1;
            } else {
                let next = delimiters.get(read).copied();
                let end = next.unwrap_or(line.len());
                if quotes.get(next_quote).is_some_and(|&q| q < end) {
                    return None;
                }
                put(delimiters, field, end);
                if next.is_none() {
                    break;
                }
                read += 1;
                pos = end + 1;
            }
            field += 1;
        }
        delimiters.truncate(field + 1);
        Some((start + line.len(), start + newline + 1, mask))
    }

    /// Split the record with quotes at `buf[start..]` into `scratch`: where
    /// the next record starts, or `None` when the buffer ends first and the
    /// file does not.
    fn quoted(&mut self, start: usize) -> Result<Option<usize>, InputError> {
        let delimiter = self.delimiter;
        let data = &self.buf[..self.filled];
        self.scratch.clear();
        self.ends.clear();
        let mut i = start;
        loop {
            // One field from `i`.
            if data.get(i) == Some(&b'"') {
                i += 1;
                loop {
                    let Some(q) = memchr::memchr(b'"', &data[i..]) else {
                        if !self.eof {
                            return Ok(None);
                        }
                        // Never closed: the field runs to the end.
                        self.scratch.extend_from_slice(&data[i..]);
                        i = data.len();
                        break;
                    };
                    self.scratch.extend_from_slice(&data[i..i + q]);
                    i += q + 1;
                    match data.get(i) {
                        Some(b'"') => {
                            self.scratch.push(b'"');
                            i += 1;
                        }
                        None if !self.eof => return Ok(None),
                        _ => break,
                    }
                }
            }
            // The rest of the field, as it is, up to a delimiter or the line's end.
            let stop = memchr::memchr2(delimiter, b'\n', &data[i..]).map(|n| i + n);
            let Some(stop) = stop.or_else(|| self.eof.then_some(data.len())) else {
                return Ok(None);
            };
            let field = &data[i..stop];
            let at_end = data.get(stop) != Some(&delimiter);
            let field = match at_end {
                true => field.strip_suffix(b"\r").unwrap_or(field),
                false => field,
            };
            self.scratch.extend_from_slice(field);
            if self.scratch.len() > MAX_RECORD_BYTES {
                return Err(self.too_long(start));
            }
            self.ends.push(self.scratch.len());
            if at_end {
                return Ok(Some((stop + 1).min(data.len())));
            }
            self.scratch.push(delimiter);
            i = stop + 1;
        }
    }

    fn too_long(&self, start: usize) -> InputError {
        let offset = self.base + start as u64;
        InputError {
            path: self.path.to_path_buf(),
            line: guard::line_at(self.path, offset),
            column: None,
            message: Pathology {
                offset,
                kind: PathologyKind::LongRecord,
            }
            .message(),
        }
    }

    /// Keep `buf[keep..filled]` (moved to the front) and read more after it;
    /// the buffer grows when what is kept fills it (a long quoted record).
    fn refill(&mut self, keep: usize) -> Result<(), InputError> {
        self.buf.copy_within(keep..self.filled, 0);
        self.filled -= keep;
        self.pos -= keep.min(self.pos);
        self.base += keep as u64;
        if self.filled == self.buf.len() {
            if self.filled > MAX_RECORD_BYTES {
                return Err(self.too_long(0));
            }
            self.buf.resize(self.buf.len() * 2, 0);
        }
        loop {
            match self.file.read(&mut self.buf[self.filled..]) {
                Ok(0) => {
                    self.eof = true;
                    return Ok(());
                }
                Ok(n) => {
                    self.filled += n;
                    return Ok(());
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(guard::io_error(self.path, &e)),
            }
        }
    }
}

/// What [`scan_line`] found.
enum Scan {
    /// The line break, at this offset.
    Line(usize),
    /// A quote before any line break: the record is split another way.
    Quote,
    /// Neither: the line runs on past what is in the buffer.
    Open,
}

/// One pass over a line at the start of `data`, sixteen bytes a step (line
/// break, quote and delimiter each one compare): the offsets of its
/// delimiters up to its line break (or the end of `data`) written to
/// `batch` (`Some(n)`: the first `n`), or, for a line with more than
/// `batch` holds, pushed to `spill` (`None`; also after a quote, when the
/// record is split another way).
fn scan_line(
    data: &[u8],
    delimiter: u8,
    batch: &mut [usize],
    spill: &mut Vec<usize>,
) -> (Scan, Option<usize>) {
    /// Where the delimiters go: `batch[..n]`, or `spill` once it is full.
    struct Out<'b> {
        batch: &'b mut [usize],
        spill: &'b mut Vec<usize>,
        n: usize,
        spilled: bool,
    }
    impl Out<'_> {
        fn put(&mut self, at: usize) {
            if !self.spilled && self.n == self.batch.len() {
                self.spill.extend_from_slice(self.batch);
                self.spilled = true;
            }
            if self.spilled {
                self.spill.push(at);
            } else {
                self.batch[self.n] = at;
                self.n += 1;
            }
        }
        fn batched(&self) -> Option<usize> {
            (!self.spilled).then_some(self.n)
        }
    }
    let mut out = Out {
        batch,
        spill,
        n: 0,
        spilled: false,
    };
    let (chunks, rest) = data.as_chunks::<16>();
    for (c, chunk) in chunks.iter().enumerate() {
        let [delimiters, quotes, breaks] =
            crate::ingest::lines::byte_masks(chunk, [delimiter, b'"', b'\n']);
        // The bits before the first line break.
        let before = match breaks {
            0 => u32::MAX,
            _ => (breaks & breaks.wrapping_neg()) - 1,
        };
        if quotes & before != 0 {
            return (Scan::Quote, None);
        }
        let mut found = delimiters & before;
        if !out.spilled && out.n + 16 <= out.batch.len() {
            // Room for the chunk's (at most 16): no check per delimiter.
            let mut n = out.n;
            while found != 0 {
                out.batch[n] = c * 16 + found.trailing_zeros() as usize;
                n += 1;
                found &= found - 1;
            }
            out.n = n;
        }
        while found != 0 {
            out.put(c * 16 + found.trailing_zeros() as usize);
            found &= found - 1;
        }
        if breaks != 0 {
            let line = Scan::Line(c * 16 + breaks.trailing_zeros() as usize);
            return (line, out.batched());
        }
    }
    let base = chunks.len() * 16;
    for (i, &b) in rest.iter().enumerate() {
        match b {
            b'\n' => return (Scan::Line(base + i), out.batched()),
            b'"' => return (Scan::Quote, None),
            _ if b == delimiter => out.put(base + i),
            _ => {}
        }
    }
    (Scan::Open, out.batched())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn records(text: &[u8]) -> Vec<Vec<Vec<u8>>> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.jtl");
        std::fs::write(&path, text).unwrap();
        let mut rows = Rows::open(&path, 0, b',').unwrap();
        let mut out = Vec::new();
        while let Some(r) = rows.next_record().unwrap() {
            out.push((0..r.len()).map(|i| r.get(i).unwrap().to_vec()).collect());
        }
        out
    }

    fn csv_crate(text: &[u8]) -> Vec<Vec<Vec<u8>>> {
        csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(text)
            .byte_records()
            .map(|r| r.unwrap().iter().map(<[u8]>::to_vec).collect())
            .collect()
    }

    #[test]
    fn fields_split_as_the_csv_crate_splits_them() {
        let cases: [&[u8]; 16] = [
            b"a,\"b,c\",d\n\"\",x,\"\"\n",
            b"\"first\",\"la,st\"\r\n\"a\"\"b\",c\n",
            b"x,ab\"c,\"d\"\n",
            b"x,\"unclosed,y\nz\",w\n",
            b"\"q\"tail,b\n",
            b"a,b,\"\"\n\"\"\n",
            b"\"x\"",
            b"a,b,c\n1,2,3\n",
            b"a,b,c\r\n1,,3\r\n\r\n\n4,5,6",
            b"x,\"quoted, with comma\",y\n",
            b"x,\"say \"\"hi\"\"\",y\r\nnext,row,here\r\n",
            b"x,\"two\nlines\",y\nz,w,v\n",
            b",,,\n",
            b"0123456789abcdef,0123456789abcdefghij,k\n",
            b"a\"b,c\n",
            b"\"\",\"\"\n",
        ];
        for text in cases {
            assert_eq!(
                records(text),
                csv_crate(text),
                "{:?}",
                String::from_utf8_lossy(text)
            );
        }
    }

    #[test]
    fn long_rows_and_records_across_blocks_are_whole() {
        // Rows of every length around a word, and a quoted record that
        // straddles the block boundary.
        let mut text = Vec::new();
        let mut expected = Vec::new();
        for n in 0..(BLOCK / 40 + 100) {
            let a = "x".repeat(n % 19);
            let row = if n % 7 == 0 {
                format!("{n},\"{a}\n,\"\"{a}\",end\n")
            } else {
                format!("{n},{a},end\n")
            };
            text.extend_from_slice(row.as_bytes());
            expected.push(row);
        }
        let ours = records(&text);
        assert_eq!(ours, csv_crate(&text));
        assert_eq!(ours.len(), expected.len());
    }

    #[test]
    fn rows_of_more_fields_than_the_batch_holds_are_split_as_the_csv_crate_does() {
        let mut text = Vec::new();
        for fields in [1, 2, BATCH - 1, BATCH, BATCH + 1, BATCH + 2, 3 * BATCH] {
            let row: Vec<String> = (0..fields).map(|i| format!("f{i}")).collect();
            text.extend_from_slice(row.join(",").as_bytes());
            text.push(b'\n');
        }
        // The last line without its line break, with more fields than the batch.
        let last: Vec<String> = (0..BATCH + 5).map(|i| i.to_string()).collect();
        text.extend_from_slice(last.join(",").as_bytes());
        assert_eq!(records(&text), csv_crate(&text));
    }

    #[test]
    fn scan_line_finds_every_delimiter_up_to_the_line_break() {
        for len in 0..40 {
            for newline in [None, Some(len / 2), Some(len)] {
                let mut line: Vec<u8> = (0..len)
                    .map(|i| {
                        if i % 3 == 1 {
                            b';'
                        } else {
                            b'a' + (i % 20) as u8
                        }
                    })
                    .collect();
                if let Some(n) = newline {
                    line.insert(n, b'\n');
                    line.extend_from_slice(b";x;\"");
                }
                // A batch of 4 spills most of these lines, one of 64 none.
                let stop = newline.unwrap_or(line.len());
                let expected: Vec<usize> = (0..stop).filter(|&i| line[i] == b';').collect();
                for size in [4, 64] {
                    let (mut batch, mut spilled) = (vec![0; size], Vec::new());
                    let (scan, batched) = scan_line(&line, b';', &mut batch, &mut spilled);
                    let ends = match batched {
                        Some(n) => batch[..n].to_vec(),
                        None => spilled,
                    };
                    assert_eq!(ends, expected, "{len} {newline:?} batch {size}");
                    match (scan, newline) {
                        (Scan::Line(n), Some(m)) => assert_eq!(n, m),
                        (Scan::Open, None) => {}
                        _ => panic!("{len} {newline:?}"),
                    }
                }
                // A quote before the break is reported, one after it is not.
                let mut quoted = line.clone();
                quoted.insert(stop / 2, b'"');
                assert!(matches!(
                    scan_line(&quoted, b';', &mut [0; 8], &mut Vec::new()),
                    (Scan::Quote, None)
                ));
            }
        }
    }

    #[test]
    fn a_quote_never_closed_is_bounded_and_located() {
        let mut text = b"a,b\n1,\"".to_vec();
        text.extend(std::iter::repeat_n(b"x\n".as_slice(), MAX_RECORD_BYTES / 2 + 10).flatten());
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.jtl");
        std::fs::write(&path, &text).unwrap();
        let mut rows = Rows::open(&path, 0, b',').unwrap();
        assert!(rows.next_record().unwrap().is_some());
        let err = rows.next_record().err().expect("an error");
        assert_eq!(err.line, Some(2), "{err}");
        assert!(err.message.contains("never closed"), "{err}");
    }
}
