//! The fast way through a large CSV file (Locust's history): the file in
//! big chunks, line by line in place ([`Lines`]); a line without quotes
//! split at its delimiters where it lies, copying nothing
//! ([`Fields::Split`]); a line with quotes (a field holding the delimiter, a
//! quote or a newline) read on until its quotes balance ([`read_quoted`])
//! and parsed by the csv crate ([`Fields::Record`]). Measured on a JTL of
//! 20 columns (a fifth of its lines quoted), splitting lines this way was
//! no faster than the csv crate, so the JTL reader keeps the csv crate.

use std::io::{self, Read};
use std::ops::Range;
use std::path::Path;

use csv::ByteRecord;

use crate::ingest::InputError;
use crate::ingest::guard;

/// The fields of a row: a csv `ByteRecord`, or a line split at its
/// delimiters.
#[derive(Clone, Copy)]
pub enum Fields<'a> {
    Record(&'a ByteRecord),
    /// `commas` are the positions of the delimiters (a comma, or the
    /// file's own) in `line`.
    Split {
        line: &'a [u8],
        commas: &'a [usize],
    },
}

impl<'a> Fields<'a> {
    pub fn len(&self) -> usize {
        match self {
            Fields::Record(r) => r.len(),
            Fields::Split { commas, .. } => commas.len() + 1,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    #[inline]
    pub fn get(&self, i: usize) -> Option<&'a [u8]> {
        match *self {
            Fields::Record(r) => r.get(i),
            Fields::Split { line, .. } => self.range(i).map(|r| &line[r]),
        }
    }

    /// Where field `i` lies: in the line, or in the record's fields one
    /// after the other.
    #[inline]
    pub fn range(&self, i: usize) -> Option<Range<usize>> {
        match *self {
            Fields::Record(r) => r.range(i),
            Fields::Split { line, commas } => {
                if i > commas.len() {
                    return None;
                }
                let start = if i == 0 { 0 } else { commas[i - 1] + 1 };
                let end = commas.get(i).copied().unwrap_or(line.len());
                Some(start..end)
            }
        }
    }
}

/// Where lines come from: [`Lines`], or a thread that read them ahead.
pub trait NextLine {
    /// The next line without its `\n`, and the file offset where it starts.
    fn next_line(&mut self) -> io::Result<Option<(u64, &[u8])>>;
}

impl<R: Read> NextLine for Lines<R> {
    fn next_line(&mut self) -> io::Result<Option<(u64, &[u8])>> {
        Lines::next_line(self)
    }
}

/// The first read of a file; the buffer doubles from there on to [`CHUNK`].
const FIRST_READ: usize = 16 * 1024;
/// The size of the reads of a large file.
const CHUNK: usize = 1024 * 1024;

/// Lines of a large file, read in big chunks and handed out in place.
pub struct Lines<R> {
    inner: R,
    buf: Vec<u8>,
    start: usize,
    end: usize,
    eof: bool,
    /// File offset of `buf[start]`.
    offset: u64,
    /// Whether the last read filled the buffer (the file is longer than it
    /// held: the buffer grows).
    filled: bool,
}

impl<R: Read> Lines<R> {
    /// Lines of `inner`, whose first byte is at file offset `offset`.
    pub fn new(inner: R, offset: u64) -> Self {
        Lines {
            inner,
            // Small at first: a thousand small files each zeroing a whole
            // chunk cost more than reading them.
            buf: vec![0; FIRST_READ],
            start: 0,
            end: 0,
            eof: false,
            offset,
            filled: false,
        }
    }

    /// The next line without its `\n`, and the file offset where it starts.
    pub fn next_line(&mut self) -> io::Result<Option<(u64, &[u8])>> {
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
            if self.end == self.buf.len() || (self.filled && self.buf.len() < CHUNK) {
                // A line longer than the buffer, or a file longer than the
                // reads so far: grow towards the big chunks.
                self.buf.resize(self.buf.len() * 2, 0);
            }
            let n = self.inner.read(&mut self.buf[self.end..])?;
            self.filled = self.end + n == self.buf.len();
            self.eof = n == 0;
            self.end += n;
        }
    }
}

/// How many times `byte` occurs in `bytes`. Counted in byte lanes over
/// chunks of at most 255 bytes (so a lane cannot overflow), which the
/// compiler vectorises.
pub fn count_byte(bytes: &[u8], byte: u8) -> usize {
    bytes
        .chunks(255)
        .map(|chunk| usize::from(chunk.iter().fold(0u8, |n, &b| n + u8::from(b == byte))))
        .sum()
}

/// The positions of the commas in `line`, appended to `out`, unless the
/// line holds a quote (`true`: the caller reads it another way). One pass,
/// sixteen bytes at a time ([`positions_of`]), where `memchr` would be called
/// once per comma.
pub fn split_commas(line: &[u8], out: &mut Vec<usize>) -> bool {
    if memchr::memchr(b'"', line).is_some() {
        return true;
    }
    positions_of(line, b',', out);
    false
}

/// The positions of `byte` in `line`, appended to `out`: sixteen bytes at a
/// time ([`byte_masks`]).
pub fn positions_of(line: &[u8], byte: u8, out: &mut Vec<usize>) {
    positions_of_each(line, [byte], [out]);
}

/// The positions of each of `bytes` in `line`, appended to its `outs`, in
/// one pass of sixteen bytes a step ([`byte_masks`]).
pub fn positions_of_each<const N: usize>(
    line: &[u8],
    bytes: [u8; N],
    mut outs: [&mut Vec<usize>; N],
) {
    let (chunks, rest) = line.as_chunks::<16>();
    for (c, chunk) in chunks.iter().enumerate() {
        for (mut bits, out) in byte_masks(chunk, bytes).into_iter().zip(outs.iter_mut()) {
            if bits != 0 {
                // One capacity check for the chunk, not one per position.
                out.reserve(16);
                while bits != 0 {
                    out.push(c * 16 + bits.trailing_zeros() as usize);
                    bits &= bits - 1;
                }
            }
        }
    }
    let base = chunks.len() * 16;
    for (i, &b) in rest.iter().enumerate() {
        for (&byte, out) in bytes.iter().zip(outs.iter_mut()) {
            if b == byte {
                out.push(base + i);
            }
        }
    }
}

/// For each of `bytes`, bit `i` set when byte `i` of `chunk` is that byte:
/// one SSE2 load and one compare per byte looked for.
///
/// The only `unsafe` in loadgate, for a measured reason: splitting the
/// lines of a windowed endpoint check's history was a third of its
/// instructions with eight bytes a step in a `u64` ([`byte_bits_swar`]);
/// sixteen at a time in one instruction took the thread that reads the
/// 24 h soak's lines ahead from 2.15 to 1.64 G instructions, the whole
/// check from 4.56 to 4.05 G (callgrind). A JTL's rows are split the same
/// way (line break, quote and delimiter in one pass).
#[cfg(target_arch = "x86_64")]
pub fn byte_masks<const N: usize>(chunk: &[u8; 16], bytes: [u8; N]) -> [u32; N] {
    use std::arch::x86_64::{
        __m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_set1_epi8,
    };
    // SAFETY: SSE2 is in every x86_64 CPU (the target's baseline, enabled
    // at compile time), and the unaligned load reads exactly the 16 bytes
    // `chunk` borrows.
    unsafe {
        let loaded = _mm_loadu_si128(chunk.as_ptr().cast::<__m128i>());
        bytes.map(|b| _mm_movemask_epi8(_mm_cmpeq_epi8(loaded, _mm_set1_epi8(b as i8))) as u32)
    }
}

/// [`byte_masks`] without SIMD.
#[cfg(not(target_arch = "x86_64"))]
pub fn byte_masks<const N: usize>(chunk: &[u8; 16], bytes: [u8; N]) -> [u32; N] {
    bytes.map(|b| byte_bits_swar(chunk, b))
}

/// One of [`byte_masks`] without SIMD: eight bytes a step in a `u64`, a byte per
/// lane, each `byte` marked exactly (no carry between lanes), the lanes'
/// marks gathered into bits by one multiplication.
#[cfg(any(test, not(target_arch = "x86_64")))]
fn byte_bits_swar(chunk: &[u8; 16], byte: u8) -> u32 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    let half = |bytes: &[u8]| {
        let mut word = [0u8; 8];
        word.copy_from_slice(bytes);
        let x = u64::from_le_bytes(word) ^ (ONES * u64::from(byte));
        // 0x80 in each lane of `x` that is zero (`byte`), 0 in the others.
        let lanes = !(((x & LOW7).wrapping_add(LOW7)) | x | LOW7);
        // Lane j's mark to bit j of the top byte.
        ((lanes >> 7).wrapping_mul(0x0102_0408_1020_4080) >> 56) as u32
    };
    half(&chunk[..8]) | half(&chunk[8..]) << 8
}

/// The record whose first line (at file offset `start`) is in `quoted`:
/// further lines are appended until its quotes balance, up to
/// [`guard::MAX_RECORD_BYTES`].
pub fn read_quoted(
    lines: &mut impl NextLine,
    start: u64,
    path: &Path,
    quoted: &mut Vec<u8>,
) -> Result<(), InputError> {
    let mut quotes = memchr::memchr_iter(b'"', quoted).count();
    while quotes % 2 == 1 {
        let Some((_, more)) = lines.next_line().map_err(|e| guard::io_error(path, &e))? else {
            break;
        };
        let more = more.strip_suffix(b"\r").unwrap_or(more);
        quotes += memchr::memchr_iter(b'"', more).count();
        quoted.push(b'\n');
        quoted.extend_from_slice(more);
        if quoted.len() > guard::MAX_RECORD_BYTES {
            return Err(InputError {
                path: path.to_path_buf(),
                line: guard::line_at(path, start),
                column: None,
                message: format!(
                    "a quoted field that runs on for more than {} MiB: a quote is never closed",
                    guard::MAX_RECORD_BYTES >> 20
                ),
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_come_out_whole_while_the_buffer_grows_from_small_to_big_reads() {
        // Lines of every length from 0 to 70,000 bytes, across a few MB.
        let mut text = Vec::new();
        let mut want = Vec::new();
        for i in 0..400usize {
            let line = vec![b'a' + (i % 26) as u8; (i * 7919) % 70_000];
            text.extend_from_slice(&line);
            text.push(b'\n');
            want.push(line);
        }
        text.extend_from_slice(b"last");
        want.push(b"last".to_vec());
        let mut lines = Lines::new(text.as_slice(), 10);
        let (mut got, mut offset) = (Vec::new(), 10u64);
        while let Some((at, line)) = lines.next_line().unwrap() {
            assert_eq!(at, offset);
            offset += line.len() as u64 + 1;
            got.push(line.to_vec());
        }
        assert!(got == want);
        assert!(lines.buf.len() >= CHUNK);
    }

    #[test]
    fn split_fields_know_where_they_lie() {
        let line = b"ab,,cde";
        let commas = [2, 3];
        let f = Fields::Split {
            line,
            commas: &commas,
        };
        assert_eq!(f.len(), 3);
        assert_eq!(
            (f.range(0), f.range(1), f.range(2)),
            (Some(0..2), Some(3..3), Some(4..7))
        );
        assert_eq!(f.get(3), None);
        assert_eq!(count_byte(&[b','; 600], b','), 600);
    }

    #[test]
    fn split_commas_finds_every_comma_and_any_quote() {
        // Every line of up to 40 bytes over a few bytes (one of them a
        // lane's top bit), against a byte-by-byte scan.
        let alphabet = [b',', b'"', b'a', 0xac, 0x2b, 0x2d, 0x00];
        let mut seed = 1u64;
        for len in 0..40 {
            for _ in 0..200 {
                let line: Vec<u8> = (0..len)
                    .map(|_| {
                        seed = seed
                            .wrapping_mul(6364136223846793005)
                            .wrapping_add(1442695040888963407);
                        alphabet[(seed >> 33) as usize % alphabet.len()]
                    })
                    .collect();
                let mut commas = vec![7];
                let quoted = split_commas(&line, &mut commas);
                assert_eq!(quoted, line.contains(&b'"'), "{line:?}");
                if !quoted {
                    let want: Vec<usize> = std::iter::once(7)
                        .chain((0..len).filter(|&i| line[i] == b','))
                        .collect();
                    assert_eq!(commas, want, "{line:?}");
                }
                let mut chunk = [b'a'; 16];
                chunk[..len.min(16)].copy_from_slice(&line[..len.min(16)]);
                for byte in [b',', b'\t', 0xac] {
                    assert_eq!(
                        byte_bits_swar(&chunk, byte),
                        byte_masks(&chunk, [byte])[0],
                        "{chunk:?}"
                    );
                    let [a, b] = byte_masks(&chunk, [byte, b'"']);
                    assert_eq!(
                        (a, b),
                        (byte_bits_swar(&chunk, byte), byte_bits_swar(&chunk, b'"'))
                    );
                }
            }
        }
    }
}
