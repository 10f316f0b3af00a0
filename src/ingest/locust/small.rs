//! A small Locust CSV file (`_stats.csv`, `_failures.csv`,
//! `_exceptions.csv` of an ordinary run) read without building the csv
//! crate's parser: building it (a table of 256 bytes × its states) cost more
//! than reading a file of a few hundred bytes, three times per scenario.
//!
//! Only a file the csv crate would read as plain lines split at commas takes
//! this way: read whole by the sniff (under 64 KiB, at its end), valid UTF-8,
//! no quote anywhere, and every CR part of a CRLF. Everything else (a quoted
//! name, a lone CR, invalid UTF-8) goes through the csv crate, which also
//! words its errors. The records and their positions are the csv crate's
//! (`tests` compares both ways on every shape of line ending and blank
//! line).

use csv::ByteRecord;

/// A whole small file, handed out record by record as the csv crate would.
pub(super) struct Plain {
    text: Vec<u8>,
    /// The next byte to read.
    at: usize,
}

impl Plain {
    /// The file's bytes, when the csv crate would read them as plain lines.
    pub(super) fn new(text: Vec<u8>) -> Result<Plain, Vec<u8>> {
        let plain = memchr::memchr(b'"', &text).is_none()
            && std::str::from_utf8(&text).is_ok()
            && memchr::memchr_iter(b'\r', &text).all(|i| text.get(i + 1) == Some(&b'\n'));
        match plain {
            true => Ok(Plain { text, at: 0 }),
            false => Err(text),
        }
    }

    /// The next record into `record`; `false` at the end. Its position is
    /// where the previous record's terminator ended, as the csv crate counts
    /// it: a record ends at the `\r` of a CRLF, and the `\n` is skipped with
    /// any blank lines at the start of the next one. A byte-order mark at
    /// the start is not part of the first field.
    pub(super) fn read(&mut self, record: &mut ByteRecord) -> bool {
        record.clear();
        let start = self.at;
        if self.at == 0 && self.text.starts_with(b"\xef\xbb\xbf") {
            self.at = 3;
        }
        while let Some(b'\n' | b'\r') = self.text.get(self.at) {
            self.at += 1;
        }
        if self.at == self.text.len() {
            return false;
        }
        let rest = &self.text[self.at..];
        let end = memchr::memchr2(b'\r', b'\n', rest).unwrap_or(rest.len());
        for field in rest[..end].split(|&b| b == b',') {
            record.push_field(field);
        }
        self.at += (end + 1).min(rest.len());
        let mut position = csv::Position::new();
        position.set_byte(start as u64);
        record.set_position(Some(position));
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every record with its byte position, through the csv crate.
    fn by_csv(text: &[u8]) -> Vec<(Vec<Vec<u8>>, u64)> {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(text);
        let mut record = ByteRecord::new();
        let mut out = Vec::new();
        while reader.read_byte_record(&mut record).unwrap() {
            let fields = record.iter().map(<[u8]>::to_vec).collect();
            out.push((fields, record.position().unwrap().byte()));
        }
        out
    }

    fn by_plain(text: &[u8]) -> Vec<(Vec<Vec<u8>>, u64)> {
        let mut plain = Plain::new(text.to_vec()).ok().unwrap();
        let mut record = ByteRecord::new();
        let mut out = Vec::new();
        while plain.read(&mut record) {
            let fields = record.iter().map(<[u8]>::to_vec).collect();
            out.push((fields, record.position().unwrap().byte()));
        }
        out
    }

    #[test]
    fn records_and_positions_are_the_csv_crates_for_every_plain_file() {
        // Lines of every kind, joined with LF or CRLF, with blank lines,
        // a byte-order mark, and with or without a last line break.
        let lines: [&[u8]; 7] = [
            b"Type,Name,Count",
            b"GET,/a,1",
            b"",
            b",,",
            b"x",
            b" , y ,",
            b"\xc3\xa9,2",
        ];
        let mut cases = 0;
        for bom in [false, true] {
            for eol in [&b"\n"[..], b"\r\n"] {
                for n in 0..=lines.len() {
                    for last_break in [false, true] {
                        for start in 0..lines.len() {
                            let mut text = Vec::new();
                            if bom {
                                text.extend_from_slice(b"\xef\xbb\xbf");
                            }
                            for i in 0..n {
                                text.extend_from_slice(lines[(start + i) % lines.len()]);
                                if i + 1 < n || last_break {
                                    text.extend_from_slice(eol);
                                }
                            }
                            assert_eq!(
                                by_plain(&text),
                                by_csv(&text),
                                "{:?}",
                                String::from_utf8_lossy(&text)
                            );
                            cases += 1;
                        }
                    }
                }
            }
        }
        assert!(cases > 200);
    }

    #[test]
    fn quotes_lone_carriage_returns_and_invalid_utf8_take_the_csv_crate() {
        for text in [&b"a,\"b,c\"\n"[..], b"a\rb\n", b"a,\xff\n", b"a\r"] {
            assert!(Plain::new(text.to_vec()).is_err(), "{text:?}");
        }
        assert!(Plain::new(b"a,b\r\nc,d".to_vec()).is_ok());
    }
}
