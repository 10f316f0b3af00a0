//! A windowed endpoint check reads the history in file order (its windows
//! follow the rows in order), so it cannot take the file in two halves.
//! Instead a second thread reads ahead ([`read_ahead`]): it reads the
//! lines exactly as the one-thread reader would (the same [`Lines`] over
//! the same guarded input, so the same errors at the same places) and
//! finds their commas; this thread ([`Behind`]) takes the lines in order,
//! split, and does the rest: the figures, the endpoints, the windows, the
//! points, every message (the halves of the work are about equal: reading
//! the numbers on the other thread too left this one waiting). A few
//! blocks of lines are in flight, so memory does not grow with the file.

use std::io::{self, Read};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

use super::rows::{RowSource, SourceLine};
use crate::ingest::lines::{Lines, NextLine, split_commas};

/// A block is handed over once it holds this many bytes of lines.
const BLOCK_BYTES: usize = 512 * 1024;

/// One line of a block, its parts as ranges of the block's vectors.
struct BlockLine {
    start: u64,
    bytes: (usize, usize),
    /// `None` when the line holds a quote.
    commas: Option<(usize, usize)>,
}

/// Lines read ahead, in order, and how the reading ended after them.
#[derive(Default)]
struct Block {
    bytes: Vec<u8>,
    lines: Vec<BlockLine>,
    commas: Vec<usize>,
    /// `Some` after the last line: the end of the input, or its error.
    end: Option<io::Result<()>>,
}

impl Block {
    /// Add a line (with its `\r`, if any, as [`Lines`] gives it).
    fn push(&mut self, start: u64, raw: &[u8]) {
        let line = raw.strip_suffix(b"\r").unwrap_or(raw);
        let at = self.bytes.len();
        self.bytes.extend_from_slice(raw);
        let from = self.commas.len();
        let quoted = split_commas(line, &mut self.commas);
        if quoted {
            self.commas.truncate(from);
        }
        self.lines.push(BlockLine {
            start,
            bytes: (at, at + raw.len()),
            commas: (!quoted).then_some((from, self.commas.len())),
        });
    }

    fn clear(mut self) -> Block {
        self.bytes.clear();
        self.lines.clear();
        self.commas.clear();
        self.end = None;
        self
    }
}

/// Read the body `input` (starting at file offset `offset`) ahead on a
/// thread of `scope`; the lines come out of the [`Behind`].
pub(super) fn read_ahead<'scope>(
    scope: &'scope std::thread::Scope<'scope, '_>,
    input: Box<dyn Read + Send + 'scope>,
    offset: u64,
) -> Behind {
    let (tx, rx) = sync_channel(2);
    let (back, spare) = sync_channel(4);
    scope.spawn(move || ahead(input, offset, &tx, &spare));
    Behind {
        rx,
        back,
        block: Block::default(),
        next: 0,
    }
}

/// The reading-ahead thread: blocks of lines until the input ends, fails,
/// or [`Behind`] is dropped (the reader stopped at an error of its own).
fn ahead(input: impl Read, offset: u64, tx: &SyncSender<Block>, spare: &Receiver<Block>) {
    // Blocks come back to be filled again: a fresh one would fault in new pages.
    let fresh = || spare.try_recv().map(Block::clear).unwrap_or_default();
    let mut lines = Lines::new(input, offset);
    let mut block = fresh();
    loop {
        let end = match lines.next_line() {
            Ok(Some((start, raw))) => {
                block.push(start, raw);
                None
            }
            Ok(None) => Some(Ok(())),
            Err(e) => Some(Err(e)),
        };
        let last = end.is_some();
        if last || block.bytes.len() >= BLOCK_BYTES {
            block.end = end;
            if tx.send(std::mem::replace(&mut block, fresh())).is_err() || last {
                return;
            }
        }
    }
}

/// The lines [`read_ahead`] read, in order, with its work on them.
pub(super) struct Behind {
    rx: Receiver<Block>,
    back: SyncSender<Block>,
    block: Block,
    next: usize,
}

impl RowSource for Behind {
    fn next_row_line(&mut self) -> io::Result<Option<SourceLine<'_>>> {
        while self.next == self.block.lines.len() {
            match self.block.end.take() {
                Some(Ok(())) => {
                    self.block.end = Some(Ok(()));
                    return Ok(None);
                }
                Some(Err(e)) => return Err(e),
                None => {}
            }
            let block = self
                .rx
                .recv()
                .map_err(|_| io::Error::other("the thread reading ahead stopped"))?;
            // A thread that has stopped needs no block back.
            let _ = self
                .back
                .try_send(std::mem::replace(&mut self.block, block));
            self.next = 0;
        }
        let b = &self.block;
        let l = &b.lines[self.next];
        self.next += 1;
        Ok(Some(SourceLine {
            start: l.start,
            line: &b.bytes[l.bytes.0..l.bytes.1],
            commas: Some(l.commas.map(|(from, to)| &b.commas[from..to])),
        }))
    }
}

impl NextLine for Behind {
    fn next_line(&mut self) -> io::Result<Option<(u64, &[u8])>> {
        Ok(self.next_row_line()?.map(|l| (l.start, l.line)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reader that fails after `ok` bytes, as a guarded file does at a NUL byte.
    struct FailsAfter<'a>(&'a [u8], usize);

    impl Read for FailsAfter<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            if self.1 == 0 {
                return Err(io::Error::other("bad byte"));
            }
            let n = buf.len().min(self.1).min(self.0.len());
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            self.1 -= n;
            Ok(n)
        }
    }

    /// A line: where it starts, its bytes, its commas (`None`: quoted).
    type Seen = (u64, Vec<u8>, Option<Vec<usize>>);

    /// Every line and comma split as the one-thread reader has them, and
    /// whether a reading error came after them.
    fn lines_of(source: &mut impl RowSource) -> (Vec<Seen>, bool) {
        let mut out = Vec::new();
        loop {
            match source.next_row_line() {
                Ok(Some(l)) => {
                    let line = l.line.strip_suffix(b"\r").unwrap_or(l.line);
                    let commas = match l.commas {
                        Some(c) => c.map(<[usize]>::to_vec),
                        None => {
                            let mut c = Vec::new();
                            (!split_commas(line, &mut c)).then_some(c)
                        }
                    };
                    out.push((l.start, l.line.to_vec(), commas));
                }
                Ok(None) => return (out, false),
                Err(_) => return (out, true),
            }
        }
    }

    #[test]
    fn lines_read_ahead_are_the_lines_read_here() {
        // Blocks' worth of rows, with CRLF, empty lines, quotes and a
        // quoted field spanning lines among them.
        let mut body = Vec::new();
        for i in 0..40_000 {
            let row = match i % 997 {
                0 => format!("{i},1,GET,\"/a,\n{i}\",1.5\r\n"),
                1 => "\n".to_string(),
                2 => format!("{i},1,GET,\"/q\"\"{i}\",2\n"),
                _ => format!("{i},1,GET,/endpoint/{i},3.25\r\n"),
            };
            body.extend_from_slice(row.as_bytes());
        }
        assert!(body.len() > 2 * BLOCK_BYTES);
        for ok in [body.len() + 1, body.len() / 2 + 7, 100] {
            let here = lines_of(&mut Lines::new(FailsAfter(&body, ok), 40));
            let ahead = std::thread::scope(|scope| {
                let input: Box<dyn Read + Send> = Box::new(FailsAfter(&body, ok));
                lines_of(&mut read_ahead(scope, input, 40))
            });
            assert_eq!(here.1, ok <= body.len());
            assert!(here == ahead, "reading {ok} bytes");
        }
        // A reader that stops at an error of its own stops the thread too.
        std::thread::scope(|scope| {
            let input: Box<dyn Read + Send> = Box::new(body.as_slice());
            let mut lines = read_ahead(scope, input, 0);
            assert!(lines.next_row_line().is_ok_and(|l| l.is_some()));
        });
    }
}
