//! k6's `--out csv` output: a header, then one sample a row, as k6's
//! `internal/output/csv/output.go` writes it: `metric_name`, `timestamp`,
//! `metric_value`, a column per enabled system tag (k6's defaults, sorted:
//! `check`, `error`, `error_code`, `expected_response`, `group`, `method`,
//! `name`, `proto`, `scenario`, `service`, `status`, `subproto`,
//! `tls_version`, `url`), then `extra_tags` (`k=v&k=v`: the tags without a
//! column) and `metadata`. Rows are read through the guard with the csv
//! crate and handed to the stream's [`Sink`], so a CSV means what the same
//! samples in `--out json` mean.
//!
//! Columns are found by name, so `systemTags` may add or drop some; only
//! the first three are required. A tag without a column is looked up in
//! `extra_tags`. The `timestamp` is in k6's `timeFormat`: `unix` (whole
//! seconds, the default), `unix_milli`, `unix_micro`, `unix_nano` (told
//! apart by size: a load test's time in seconds has 10 digits, in ms 13, in
//! µs 16, in ns 19), `rfc3339` or `rfc3339_nano`. With whole seconds a
//! request's end is known to the second, and its start (end − duration)
//! too, so the run length may be off by up to a second; the history's
//! seconds are the same as with a finer format.

use std::collections::BTreeSet;
use std::fs::File;
use std::path::Path;

use csv::ByteRecord;

use super::stream::{MAX_PARTS, Sink, Tags};
use crate::ingest::guard::{self, Guarded};
use crate::ingest::{HistoryObserver, InputError};
use crate::model::ScenarioData;

/// The columns k6 always writes first.
const REQUIRED: [&str; 3] = ["metric_name", "timestamp", "metric_value"];

/// The tags read, in [`Tags`] order.
const TAGS: [&str; 7] = [
    "name",
    "url",
    "method",
    "status",
    "expected_response",
    "error",
    "scenario",
];

/// Whether a file's first line is k6's CSV header.
pub(super) fn is_header(first_line: &str) -> bool {
    let line = first_line.trim_start_matches('\u{feff}').trim_end();
    let mut fields = line.split(',');
    REQUIRED.iter().all(|name| fields.next() == Some(name))
}

/// The header's columns, by index.
struct Columns {
    names: Vec<String>,
    metric: usize,
    timestamp: usize,
    value: usize,
    /// Per [`TAGS`] entry, its column.
    tags: [Option<usize>; 7],
    extra_tags: Option<usize>,
}

impl Columns {
    fn new(path: &Path, record: &ByteRecord) -> Result<Columns, InputError> {
        let at_line_1 = |column: Option<&str>, message: String| InputError {
            path: path.to_path_buf(),
            line: Some(1),
            column: column.map(str::to_string),
            message,
        };
        let mut names = Vec::with_capacity(record.len());
        for field in record {
            let name = std::str::from_utf8(field)
                .map_err(|_| at_line_1(None, "the header line is not valid UTF-8".into()))?;
            names.push(name.trim_start_matches('\u{feff}').trim().to_string());
        }
        if names.len() < 3 || names[..3] != REQUIRED {
            return Err(at_line_1(
                None,
                "the first line is not k6's CSV header (metric_name,timestamp,metric_value,…, as `k6 run --out csv` writes it)".into(),
            ));
        }
        guard::header_index(path, &names)?;
        let find = |name: &str| names.iter().position(|n| n == name);
        Ok(Columns {
            metric: 0,
            timestamp: 1,
            value: 2,
            tags: TAGS.map(find),
            extra_tags: find("extra_tags"),
            names,
        })
    }
}

/// A located error in one row.
struct Row<'r> {
    path: &'r Path,
    cols: &'r Columns,
    record: &'r ByteRecord,
    line: Option<u64>,
}

impl<'r> Row<'r> {
    fn error(&self, column: Option<usize>, message: impl Into<String>) -> InputError {
        InputError {
            path: self.path.to_path_buf(),
            line: self.line,
            column: column.map(|c| self.cols.names[c].clone()),
            message: message.into(),
        }
    }

    fn text(&self, column: usize) -> Result<&'r str, InputError> {
        std::str::from_utf8(self.record.get(column).unwrap_or_default())
            .map_err(|_| self.error(Some(column), "the field is not valid UTF-8"))
    }

    /// The row's tags: from their columns, else from `extra_tags`.
    fn tags(&self) -> Result<Tags<'r>, InputError> {
        let mut values: [Option<&'r str>; 7] = [None; 7];
        let mut missing = false;
        for (value, column) in values.iter_mut().zip(self.cols.tags) {
            match column {
                Some(c) => *value = Some(self.text(c)?),
                None => missing = true,
            }
        }
        if missing && let Some(c) = self.cols.extra_tags {
            for pair in self.text(c)?.split('&') {
                let Some((key, v)) = pair.split_once('=') else {
                    continue;
                };
                if let Some(i) = TAGS.iter().position(|t| *t == key)
                    && self.cols.tags[i].is_none()
                {
                    values[i] = Some(v);
                }
            }
        }
        Ok(Tags::from_fn(|key| {
            TAGS.iter().position(|t| *t == key).and_then(|i| values[i])
        }))
    }

    /// The `timestamp` in µs since the epoch (see the module doc).
    fn time_us(&self) -> Result<i64, InputError> {
        let t = self.text(self.cols.timestamp)?.trim();
        unix_us(t).ok_or_else(|| {
            self.error(
                Some(self.cols.timestamp),
                format!(
                    "`{t}` is not a k6 CSV timestamp (Unix seconds, ms, µs or ns, or RFC 3339, as k6's timeFormat writes it)"
                ),
            )
        })
    }

    /// The `metric_value`: a finite number of 0 or more.
    fn value(&self) -> Result<f64, InputError> {
        let v = self.text(self.cols.value)?.trim();
        v.parse::<f64>()
            .ok()
            .filter(|v| v.is_finite() && *v >= 0.0)
            .ok_or_else(|| {
                self.error(
                    Some(self.cols.value),
                    format!("expected a finite number of 0 or more, found `{v}`"),
                )
            })
    }
}

/// A `timestamp` in any of k6's time formats, in µs since the epoch.
fn unix_us(t: &str) -> Option<i64> {
    if t.contains(['T', 't', '-', ':']) {
        return super::time::unix_us(t);
    }
    if t.is_empty() || t.len() > 19 || !t.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n: i64 = t.parse().ok()?;
    // Seconds below 10^11 (year 5138), ms below 10^14, µs below 10^17.
    Some(if n < 100_000_000_000 {
        n * 1_000_000
    } else if n < 100_000_000_000_000 {
        n * 1_000
    } else if n < 100_000_000_000_000_000 {
        n
    } else {
        n / 1_000
    })
}

/// The file through the guard, as CSV; the header is read as the first
/// record, so line numbers are the file's.
fn open(path: &Path) -> Result<csv::Reader<Guarded<File>>, InputError> {
    guard::sniff(path)?;
    let file = File::open(path).map_err(|e| InputError::file(path, format!("cannot open: {e}")))?;
    Ok(csv::ReaderBuilder::new()
        .has_headers(false)
        // Field counts are checked per row, which names the file and line.
        .flexible(true)
        .buffer_capacity(256 * 1024)
        .from_reader(Guarded::csv(file)))
}

/// Every row after the header, checked for its field count, with its
/// metric name; `f` returns `false` to stop.
fn each_row(
    path: &Path,
    mut f: impl FnMut(&Row<'_>, &[u8]) -> Result<bool, InputError>,
) -> Result<(), InputError> {
    let mut reader = open(path)?;
    let mut record = ByteRecord::new();
    let has_header = reader
        .read_byte_record(&mut record)
        .map_err(|e| guard::csv_error(path, &e))?;
    if !has_header {
        return Err(InputError {
            path: path.to_path_buf(),
            line: Some(1),
            column: None,
            message:
                "the file is empty: expected k6's CSV header (metric_name,timestamp,metric_value,…)"
                    .into(),
        });
    }
    let cols = Columns::new(path, &record)?;
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(false) => return Ok(()),
            Ok(true) => {}
            Err(e) => return Err(guard::csv_error(path, &e)),
        }
        let row = Row {
            path,
            cols: &cols,
            record: &record,
            line: record.position().and_then(|p| guard::record_line(path, p)),
        };
        if record.len() != cols.names.len() {
            return Err(row.error(
                None,
                format!(
                    "the line has {} fields but the header has {}",
                    record.len(),
                    cols.names.len()
                ),
            ));
        }
        let metric = record.get(cols.metric).unwrap_or_default();
        if metric == b"metric_name" {
            return Err(row.error(
                None,
                "the header line again: two k6 CSV files joined into one?",
            ));
        }
        if !f(&row, metric)? {
            return Ok(());
        }
    }
}

/// Read one CSV (or the part of it that is k6 scenario `part`) into the
/// model; warnings beside.
pub(super) fn read(
    path: &Path,
    part: Option<&str>,
    observer: Option<&mut (dyn HistoryObserver + '_)>,
) -> Result<(ScenarioData, Vec<String>), InputError> {
    let mut sink = Sink::new(observer, part);
    each_row(path, |row, metric| {
        match metric {
            b"http_req_duration" => {
                let (time_us, value, tags) = (row.time_us()?, row.value()?, row.tags()?);
                sink.request(time_us, value, &tags, path);
            }
            b"vus" => sink.vus(row.time_us()?, row.value()?, path),
            _ => {}
        }
        Ok(true)
    })?;
    Ok(sink.finish(path))
}

/// The `scenario` tags of a CSV's requests, sorted (at most
/// [`MAX_PARTS`] and one more), for discovery to split the file by; `None`
/// when the file cannot be read to its end (its reader then says why, once).
pub(super) fn scenarios(path: &Path) -> Option<BTreeSet<String>> {
    let mut found = BTreeSet::new();
    each_row(path, |row, metric| {
        if metric == b"http_req_duration"
            && let Some(s) = row.tags()?.scenario
        {
            found.insert(s.to_string());
        }
        Ok(found.len() <= MAX_PARTS)
    })
    .ok()?;
    Some(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_in_every_time_format_k6_writes() {
        let us = 1_772_443_800_178_941;
        assert_eq!(unix_us("1772443800"), Some(1_772_443_800_000_000));
        assert_eq!(unix_us("1772443800178"), Some(1_772_443_800_178_000));
        assert_eq!(unix_us("1772443800178941"), Some(us));
        assert_eq!(unix_us("1772443800178941686"), Some(us));
        assert_eq!(unix_us("2026-03-02T09:30:00.178941686Z"), Some(us));
        assert_eq!(
            unix_us("2026-03-02T10:30:00+01:00"),
            Some(1_772_443_800_000_000)
        );
        for bad in [
            "",
            "-1",
            "1.5",
            "17724438001789416860",
            "x",
            "2026-03-02",
            " 1",
        ] {
            assert_eq!(unix_us(bad), None, "{bad}");
        }
    }

    #[test]
    fn the_header_is_k6_s() {
        assert!(is_header(
            "metric_name,timestamp,metric_value,check,error,extra_tags,metadata"
        ));
        assert!(is_header("\u{feff}metric_name,timestamp,metric_value\r\n"));
        assert!(!is_header("timeStamp,elapsed,label"));
        assert!(!is_header("metric_name,metric_value,timestamp"));
    }
}
