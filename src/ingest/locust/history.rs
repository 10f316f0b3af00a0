//! `PREFIX_stats_history.csv`: the run's time series, read in big chunks
//! line by line (two threads for a large file without windowed checks), fed
//! to a [`HistoryObserver`] as it goes, kept at a bounded resolution, and
//! judged windowed or cumulative from the data.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::Path;

use super::rows::*;
use crate::format::ShowPath;
use crate::ingest::guard::{self, Guarded};
use crate::ingest::{HistoryObserver, HistoryRow, InputError};
use crate::model::*;

/// Unix times a load test can plausibly have: 2000-01-01 to 2100-01-01.
const PLAUSIBLE_UNIX_S: (i64, i64) = (946_684_800, 4_102_444_800);

/// The length of `file` up to and including its last newline, and its full length.
pub(super) fn whole_lines_len(file: &mut File) -> io::Result<(u64, u64)> {
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
pub(super) const PARALLEL_BYTES: u64 = 8 * 1024 * 1024;

/// The columns of the history that are read.
pub(super) struct HistoryColumns {
    pub(super) timestamp: usize,
    /// `None` in Locust 0.x files.
    pub(super) users: Option<usize>,
    /// The cumulative median (`Total Median Response Time`), to tell windowed
    /// percentile columns from cumulative ones by the data.
    pub(super) total_median: Option<usize>,
    /// Locust 0.x writes 0, not `N/A`, for the percentiles of an empty window.
    pub(super) zeros_for_empty: bool,
    pub(super) type_col: usize,
    pub(super) name_col: usize,
    pub(super) rps: usize,
    pub(super) fps: usize,
    pub(super) total_requests: usize,
    pub(super) total_failures: usize,
    pub(super) percentiles: Vec<(usize, String, f64)>,
}

/// What the `Aggregated` rows say about their percentile columns.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Evidence {
    /// The top percentile fell from one tick to the next by more than
    /// Locust's rounding: only a window does that.
    pub(super) falls: bool,
    /// The 50% column parted from the cumulative median by more than a bucket.
    pub(super) parts: bool,
    /// Some row had both the 50% column and the cumulative median to compare.
    pub(super) compared: bool,
}

impl Evidence {
    pub(super) fn or(self, other: Evidence) -> Evidence {
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
pub(super) struct Scanned {
    pub(super) points: Vec<HistoryPoint>,
    /// The smallest step between `Aggregated` ticks.
    pub(super) tick_s: Option<i64>,
    /// Per-endpoint rows were seen (`--csv-full-history`).
    pub(super) windowed: bool,
    pub(super) evidence: Evidence,
    pub(super) anomalies: Vec<String>,
    pub(super) first_ts: Option<(i64, u64)>,
    pub(super) last_ts: Option<i64>,
}

impl Scanned {
    /// This part followed by `next`, checking time across the seam.
    pub(super) fn join(mut self, mut next: Scanned, path: &Path) -> Scanned {
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
pub(super) fn scan_history<O: HistoryObserver + ?Sized>(
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
