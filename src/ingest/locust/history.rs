//! `PREFIX_stats_history.csv`: the run's time series, read in big chunks
//! line by line (two threads for a large file without windowed checks), fed
//! to a [`HistoryObserver`] as it goes, kept at a bounded resolution, and
//! judged windowed or cumulative from the data.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::Path;

use super::ahead;
use super::follow::{self, Endpoints};
use super::rows::*;
use crate::format::ShowPath;
use crate::ingest::guard::{self, Guarded};
use crate::ingest::lines::Lines;
use crate::ingest::{HistoryObserver, HistoryRow, InputError};
use crate::model::*;

/// A field of 1 to 18 ASCII digits as a number (a Unix time in seconds);
/// `None` for anything else.
pub(super) fn unix_seconds(field: &[u8]) -> Option<i64> {
    if field.is_empty() || field.len() > 18 {
        return None;
    }
    field.iter().try_fold(0i64, |n, &b| {
        b.is_ascii_digit().then(|| n * 10 + i64::from(b - b'0'))
    })
}

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
    let mut file = open(path)?;
    guard::sniff_file(path, &mut file)?;
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
    let (header, cols, header_len) = read_header(path, &mut file, whole)?;

    // A file part: [from, to) of the file, read through the progress bar.
    // The file opened already reads the first part.
    let mut opened = Some(file);
    let mut part = |from: u64, to: u64| -> Result<Box<dyn Read + Send>, InputError> {
        let mut f = match opened.take() {
            Some(f) => f,
            None => open(path)?,
        };
        f.seek(SeekFrom::Start(from))
            .map_err(|e| InputError::file(path, format!("cannot read: {e}")))?;
        let f = Guarded::new(f.take(to - from), from);
        Ok(match progress {
            Some(bar) => Box::new(bar.wrap_read(f)),
            None => Box::new(f),
        })
    };
    let split = match probes.is_none() && whole - header_len > PARALLEL_BYTES {
        true => split_point(path, header_len, whole)?,
        false => None,
    };
    let scanned = match split {
        Some(at) => {
            let (a, b) = (part(header_len, at)?, part(at, whole)?);
            let (mut a, mut b) = (Lines::new(a, header_len), Lines::new(b, at));
            let (a, b) = std::thread::scope(|scope| {
                // No observer on a split read: windowed checks read in one pass.
                let second =
                    scope.spawn(|| scan_history(&mut b, &header, &cols, None::<&mut O>, true));
                let first = scan_history(&mut a, &header, &cols, None::<&mut O>, false);
                (first, second.join())
            });
            let b = b.map_err(|_| InputError::file(path, "reading the history failed"))?;
            a?.join(b?, path)
        }
        // A windowed endpoint check on a large file: in one pass, with the
        // lines read and split ahead on another core.
        None if probes.as_deref().is_some_and(|p| p.wants_endpoints())
            && whole - header_len > PARALLEL_BYTES
            && std::thread::available_parallelism().is_ok_and(|n| n.get() > 1) =>
        {
            let input = part(header_len, whole)?;
            std::thread::scope(|scope| {
                let mut lines = ahead::read_ahead(scope, input, header_len);
                scan_history(&mut lines, &header, &cols, probes, false)
            })?
        }
        None => scan_history(
            &mut Lines::new(part(header_len, whole)?, header_len),
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
    Ok((Some(into_history(cols, scanned)), warning))
}

/// The header line ([`Header::from_line`]: BOM, quoting) and the columns
/// read; also the header's length in bytes, where the body starts.
fn read_header<'p>(
    path: &'p Path,
    file: &mut File,
    whole: u64,
) -> Result<(Header<'p>, HistoryColumns, u64), InputError> {
    let mut first = Vec::new();
    let header_len = BufReader::new(Guarded::new(file.take(whole), 0))
        .read_until(b'\n', &mut first)
        .map_err(|e| io_error(path, &e))? as u64;
    let header = Header::from_line(first, path)?;
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

    Ok((header, cols, header_len))
}

/// Where to cut a large body for two threads: the first line boundary
/// after its middle. Without windowed checks the rows are independent, so
/// the halves can be read apart and joined; windowed checks follow the rows
/// in order, in one pass. `None` when a quoted field might span the cut.
fn split_point(path: &Path, header_len: u64, whole: u64) -> Result<Option<u64>, InputError> {
    let mut f = open(path)?;
    let middle = header_len + (whole - header_len) / 2;
    f.seek(SeekFrom::Start(middle))
        .map_err(|e| InputError::file(path, format!("cannot read: {e}")))?;
    let mut rest = Vec::new();
    BufReader::new(f.take((whole - middle).min(guard::MAX_LINE_BYTES as u64 + 1)))
        .read_until(b'\n', &mut rest)
        .map_err(|e| InputError::file(path, format!("cannot read: {e}")))?;
    let at = middle + rest.len() as u64;
    Ok((at < whole && !rest.contains(&b'"')).then_some(at))
}

/// The history, with its percentile kind decided from the data.
fn into_history(cols: HistoryColumns, scanned: Scanned) -> History {
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
    History {
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
        wall_clock: true,
    }
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

/// One pass over history rows from `lines`. `started`: whether the run
/// began before this part (the second half of a split file).
pub(super) fn scan_history<O: HistoryObserver + ?Sized>(
    lines: &mut impl RowSource,
    header: &Header<'_>,
    cols: &HistoryColumns,
    probes: Option<&mut O>,
    started: bool,
) -> Result<Scanned, InputError> {
    let mut scan = Scan::new(header.path, cols, probes, started);
    // The first fields a quick look needs: timestamp, type and name; every
    // field when a windowed endpoint check reads the endpoint rows.
    let early = match scan.wants_endpoints {
        true => header.names.len(),
        false => cols.timestamp.max(cols.type_col).max(cols.name_col) + 1,
    };
    for_each_line_row(
        lines,
        header,
        &[cols.type_col, cols.name_col],
        early,
        |row| match row {
            LineRow::Quick(start, fields) => Ok(scan.quick(start, fields)),
            LineRow::Full(row) => scan.full(row),
        },
    )?;
    Ok(scan.finish())
}

/// The last idle row before the run began: (time, percentiles, rps, failures/s).
type IdleRow = (i64, Vec<(f64, Option<f64>)>, f64, f64);

/// The state of one pass over history rows.
struct Scan<'a, O: ?Sized> {
    path: &'a Path,
    cols: &'a HistoryColumns,
    probes: Option<&'a mut O>,
    wants_endpoints: bool,
    /// The run has begun (leading idle rows are behind).
    started: bool,
    idle: Option<IdleRow>,
    points: PointsBuilder,
    evidence: Evidence,
    /// The 50% column, and whether the percentile kind is still to be learnt.
    median_col: Option<usize>,
    needs_evidence: bool,
    prev_top: Option<f64>,
    last_point_ts: Option<i64>,
    tick_s: Option<i64>,
    windowed: bool,
    anomalies: Vec<String>,
    first_ts: Option<(i64, u64)>,
    last_ts: Option<i64>,
    /// (level, value) of the current row, reused.
    row_percentiles: Vec<(f64, Option<f64>)>,
    /// The percentile columns an endpoint row needs: the probes' levels.
    endpoint_percentiles: Vec<(usize, String, f64)>,
    /// The endpoints seen, when the probes follow endpoint rows.
    endpoints: Endpoints,
}

impl<'a, O: HistoryObserver + ?Sized> Scan<'a, O> {
    fn new(
        path: &'a Path,
        cols: &'a HistoryColumns,
        probes: Option<&'a mut O>,
        started: bool,
    ) -> Self {
        let median_col = cols
            .percentiles
            .iter()
            .find(|(_, _, level)| *level == 50.0)
            .map(|(c, _, _)| *c);
        let probes_levels = probes.as_deref().and_then(|p| p.endpoint_levels());
        Scan {
            path,
            cols,
            wants_endpoints: probes.as_deref().is_some_and(|p| p.wants_endpoints()),
            probes,
            started,
            idle: None,
            points: PointsBuilder::default(),
            evidence: Evidence::default(),
            needs_evidence: median_col.is_some() && cols.total_median.is_some(),
            median_col,
            prev_top: None,
            last_point_ts: None,
            tick_s: None,
            windowed: false,
            anomalies: Vec::new(),
            first_ts: None,
            last_ts: None,
            row_percentiles: Vec::with_capacity(cols.percentiles.len()),
            endpoint_percentiles: follow::endpoint_percentiles(cols, probes_levels.as_deref()),
            endpoints: Endpoints::default(),
        }
    }

    /// A quick look at a row's first fields; `true` when that is enough.
    ///
    /// Per-endpoint rows exist only with --csv-full-history. They are most of
    /// a soak test's file: unless a windowed endpoint check follows them, or
    /// the percentile kind is still to be learnt from them, only their
    /// timestamp is read.
    fn quick(&mut self, start: u64, fields: Fields<'_>) -> bool {
        let cols = self.cols;
        let (Some(t), Some(n), Some(ts)) = (
            fields.get(cols.type_col),
            fields.get(cols.name_col),
            fields.get(cols.timestamp),
        ) else {
            return false;
        };
        let aggregated = matches!(t, b"" | b"None") && n == b"Aggregated";
        if aggregated || (self.needs_evidence && !self.evidence.parts) {
            return false;
        }
        // A windowed endpoint check wants this endpoint's numbers: ask by
        // its name (once per endpoint), before parsing them.
        if self.wants_endpoints {
            let Some(probes) = self.probes.as_deref_mut() else {
                return false;
            };
            let Some(e) = self.endpoints.find(t, n, probes) else {
                return false;
            };
            if self.endpoints.wanted(e) {
                return self.plain_endpoint_row(start, fields, e);
            }
        }
        // Most timestamps are plain digits: read without UTF-8 checks or
        // trimming; anything else the slow way (a bad one fails the full read).
        let Some(ts) = unix_seconds(ts).or_else(|| {
            std::str::from_utf8(ts)
                .ok()
                .and_then(|x| x.trim().parse::<i64>().ok())
        }) else {
            return false;
        };
        self.windowed = true;
        self.check_time(ts, start);
        true
    }

    /// A followed endpoint row whose figures are all plain, with the effect
    /// [`Scan::full`] has on it; `false` (nothing done) for any other row.
    fn plain_endpoint_row(&mut self, start: u64, fields: Fields<'_>, e: usize) -> bool {
        let Some((ts, users, rps, failures_per_s)) = follow::plain_row(
            fields,
            self.cols,
            &self.endpoint_percentiles,
            &mut self.row_percentiles,
        ) else {
            return false;
        };
        if !self.check_time(ts, start) {
            return true;
        }
        self.windowed = true;
        self.zeros_are_empty();
        if !self.started {
            return true;
        }
        let (method, name, id) = self.endpoints.get(e);
        let row = HistoryRow {
            timestamp: ts,
            users,
            endpoint: Some((method, name)),
            rps,
            failures_per_s,
            percentiles: &self.row_percentiles,
        };
        match (self.probes.as_deref_mut(), id) {
            (Some(probes), Some(id)) => probes.observe_endpoint(id, &row),
            (Some(probes), None) => probes.observe(&row),
            (None, _) => {}
        }
        true
    }

    /// A row read in full.
    fn full(&mut self, row: &Row<'_>) -> Result<bool, InputError> {
        let cols = self.cols;
        let ts_text = row.str(cols.timestamp).trim();
        let ts: i64 = ts_text.parse().map_err(|_| {
            row.error(
                Some(cols.timestamp),
                format!("expected a Unix time in whole seconds, found `{ts_text}`"),
            )
        })?;
        if !self.check_time(ts, row.start.unwrap_or(0)) {
            return Ok(true);
        }
        let aggregated = row.is_aggregated(cols.type_col, cols.name_col);
        self.learn_kind(row)?;
        if !aggregated {
            self.windowed = true;
            if !self.wants_endpoints {
                return Ok(true);
            }
        }
        self.read_percentiles(row, aggregated)?;
        let users = match cols.users {
            Some(col) => row.count(col)?,
            None => 0,
        };
        let rps = row.number(cols.rps)?;
        let failures_per_s = row.number(cols.fps)?;
        if aggregated && !self.started && !self.begins(row, ts, users, rps, failures_per_s)? {
            return Ok(true);
        }
        if !self.started {
            return Ok(true);
        }
        if aggregated {
            self.follow_top();
        }
        if let Some(probes) = self.probes.as_deref_mut() {
            probes.observe(&HistoryRow {
                timestamp: ts,
                users,
                endpoint: (!aggregated).then(|| (row.str(cols.type_col), row.str(cols.name_col))),
                rps,
                failures_per_s,
                percentiles: &self.row_percentiles,
            });
        }
        if aggregated {
            let point = HistoryPoint {
                timestamp: ts,
                users,
                rps,
                failures_per_s,
                percentiles_ms: self.row_percentiles.iter().map(|(_, v)| *v).collect(),
                total_requests: row.count(cols.total_requests)?,
                total_failures: row.count(cols.total_failures)?,
            };
            self.push_point(point);
        }
        Ok(true)
    }

    /// Timestamps in order, no gap, plausible: the reader reports, evaluation
    /// decides (warning or failed check). Returns whether to keep the row.
    /// The line number costs a read of the file, so only a finding pays it.
    fn check_time(&mut self, ts: i64, start: u64) -> bool {
        let path = self.path;
        let line = || line_at(path, start).unwrap_or(0);
        self.first_ts.get_or_insert((ts, start));
        if !(PLAUSIBLE_UNIX_S.0..PLAUSIBLE_UNIX_S.1).contains(&ts) {
            self.anomalies.push(format!(
                "{}:{}: timestamp {ts} is not a plausible time of a load test (before 2000 or after 2100); the row is left out",
                path.show(),
                line()
            ));
            return false;
        }
        if let Some(prev) = self.last_ts {
            if ts < prev {
                self.anomalies.push(format!(
                    "{}:{}: time goes backwards ({ts} after {prev}); the row is left out",
                    path.show(),
                    line()
                ));
                return false;
            }
            if ts.saturating_sub(prev) > crate::model::MAX_GAP_S {
                self.anomalies.push(format!(
                    "{}:{}: no history for {} s before this row (a stalled or crashed load generator?)",
                    path.show(),
                    line(),
                    ts.saturating_sub(prev)
                ));
            }
        }
        self.last_ts = Some(ts);
        true
    }

    /// Windowed percentile columns part from the cumulative median of the
    /// same row by more than Locust's rounding at some point of a run;
    /// cumulative ones never do. Endpoint rows, being noisier, show it soonest.
    fn learn_kind(&mut self, row: &Row<'_>) -> Result<(), InputError> {
        if !self.needs_evidence || self.evidence.parts {
            return Ok(());
        }
        if let (Some(m), Some(total)) = (self.median_col, self.cols.total_median)
            && let (Some(p50), Some(cum)) = (row.opt_number(m)?, row.opt_number(total)?)
            && row.count(self.cols.total_requests)? >= 20
        {
            self.evidence.compared = true;
            if (p50 - cum).abs() > locust_bucket_ms(p50.max(cum)) {
                self.evidence.parts = true;
            }
        }
        Ok(())
    }

    /// The row's percentiles into `row_percentiles`; Locust 0.x's zeros of
    /// an empty window are N/A.
    /// The row's percentiles: all of an `Aggregated` row's, only those the
    /// probes follow of an endpoint row (parsing numbers is most of the work
    /// of a windowed endpoint check).
    fn read_percentiles(&mut self, row: &Row<'_>, aggregated: bool) -> Result<(), InputError> {
        self.row_percentiles.clear();
        let cols = if aggregated {
            &self.cols.percentiles
        } else {
            &self.endpoint_percentiles
        };
        for (col, _, level) in cols {
            self.row_percentiles.push((*level, row.opt_number(*col)?));
        }
        self.zeros_are_empty();
        Ok(())
    }

    /// Locust 0.x's zeros of an empty window are N/A.
    fn zeros_are_empty(&mut self) {
        if self.cols.zeros_for_empty && self.row_percentiles.iter().all(|(_, v)| *v == Some(0.0)) {
            self.row_percentiles.iter_mut().for_each(|(_, v)| *v = None);
        }
    }

    /// Whether the run begins at this total row. A distributed master writes
    /// rows while it waits for its workers (no users, no requests): not part
    /// of the run. Only the last of them is kept, as the run's start (a local
    /// run's first row is such a row, one tick before the first request).
    fn begins(
        &mut self,
        row: &Row<'_>,
        ts: i64,
        users: u64,
        rps: f64,
        failures_per_s: f64,
    ) -> Result<bool, InputError> {
        if users == 0 && row.count(self.cols.total_requests)? == 0 {
            self.idle = Some((ts, self.row_percentiles.clone(), rps, failures_per_s));
            return Ok(false);
        }
        self.started = true;
        if let Some((idle_ts, idle_percentiles, idle_rps, idle_fps)) = self.idle.take() {
            if let Some(probes) = self.probes.as_deref_mut() {
                probes.observe(&HistoryRow {
                    timestamp: idle_ts,
                    users: 0,
                    endpoint: None,
                    rps: idle_rps,
                    failures_per_s: idle_fps,
                    percentiles: &idle_percentiles,
                });
            }
            self.push_point(HistoryPoint {
                timestamp: idle_ts,
                users: 0,
                rps: idle_rps,
                failures_per_s: idle_fps,
                percentiles_ms: idle_percentiles.iter().map(|(_, v)| *v).collect(),
                total_requests: 0,
                total_failures: 0,
            });
        }
        Ok(true)
    }

    /// A cumulative maximum never falls: a top percentile that falls by more
    /// than Locust's rounding is windowed.
    fn follow_top(&mut self) {
        let top = self.row_percentiles.last().and_then(|(_, v)| *v);
        if let (Some(prev), Some(top)) = (self.prev_top, top)
            && top < prev - locust_bucket_ms(prev)
        {
            self.evidence.falls = true;
        }
        self.prev_top = top.or(self.prev_top);
    }

    /// Keep a total row as a point, and learn the history's tick from it.
    fn push_point(&mut self, point: HistoryPoint) {
        let ts = point.timestamp;
        if let Some(prev) = self.last_point_ts
            && ts > prev
        {
            self.tick_s = Some(self.tick_s.map_or(ts - prev, |t| t.min(ts - prev)));
        }
        self.last_point_ts = Some(ts);
        self.points.push(point);
    }

    fn finish(self) -> Scanned {
        Scanned {
            points: self.points.finish(),
            tick_s: self.tick_s,
            windowed: self.windowed,
            evidence: self.evidence,
            anomalies: self.anomalies,
            first_ts: self.first_ts,
            last_ts: self.last_ts,
        }
    }
}
