//! The JMeter reader: a JTL in JMeter's CSV format (`jmeter -n -t plan.jmx
//! -l NAME.jtl`) into [`ScenarioData`], and the statistics of JMeter's HTML
//! dashboard (`statistics.json`, in `statistics`: its own mapping). One file
//! is the whole result set. The files: `rows` (the records, split in place),
//! `columns` (header, delimiter, one typed sample per row); each sample goes to
//! [`samples::Run`](crate::ingest::samples::Run), which sums up the exact
//! counts and percentiles and streams the per-second series to the observer.
//!
//! **Names.** `NAME.jtl` is scenario `NAME`; a JTL written as `NAME.csv` is
//! recognised by its header. Two files have a fixed name, so their folder
//! names the scenario: a dashboard's `DIR/statistics.json` is `DIR` (asked
//! by content: Locust claims any `*.json` only weakly), and Taurus's
//! artifacts folder `DIR/kpi.jtl` is `DIR` (`kpi-N.jtl`, a further execution
//! of one Taurus run, is `DIR-N`). Taurus names the folder by the time it
//! started unless `settings.artifacts-dir` says otherwise.
//!
//! **Taurus's Locust executor** writes kpi.jtl itself
//! (`locustio-taurus-wrapper.py`): exactly the columns `allThreads,
//! timeStamp, label, method, elapsed, bytes, responseCode, responseMessage,
//! success, Latency`, CRLF lines, and each row stamped when Locust reported
//! the request, at its end. A file with those columns is read so: a sample
//! ran from `timeStamp − elapsed` to `timeStamp`, its second is the one it
//! ended in, the endpoint is (`method`, `label`) as in Locust, and the tool
//! is `taurus`. Its failure messages are the wrapper's (`409` and `Conflict
//! for url: /api/x`). Taurus's JMeter executor writes JMeter's own JTL.
//!
//! How a JTL maps onto the model:
//!
//! - **Columns** are found by the header's names, in any order, so the header
//!   line is required (`jmeter.save.saveservice.print_field_names=true`; JMeter
//!   2.13 writes none by default): a file that starts with a sample is an
//!   error on line 1 naming that setting. The delimiter is the one that splits
//!   the header into `timeStamp`, `elapsed` and `label` (`,`, tab, `;`, `|`).
//!   Required: `timeStamp` (Unix ms), `elapsed` (ms), `label`, `success`
//!   (`true`/`false`). Read when present: `responseCode`, `responseMessage`,
//!   `failureMessage`, `allThreads`, `method` (not JMeter's: Taurus's Locust
//!   executor writes it; the endpoint's method); `grpThreads`, `bytes`, `sentBytes`,
//!   `Latency` and `Connect` are checked to be numbers; every other column
//!   (`threadName`, `URL`, `dataType`, …) is ignored. Every malformed value is
//!   an [`InputError`] with the path, line and column. An XML JTL is an error
//!   naming `jmeter.save.saveservice.output_format=csv`.
//! - **Samples.** Every row is one sample (request), whatever made it: a
//!   sampler, a transaction controller's own row (which JMeter writes after
//!   its children, so a transaction's requests are counted in its children
//!   and again in it, as JMeter's Aggregate Report does), a sub-result.
//!   `success=false` is a failure. Samples with one label are one endpoint,
//!   whichever thread group sent them. The endpoint's method is empty (a
//!   JMeter JTL has no method column) and its name is the label; endpoints
//!   are sorted by label, then method.
//! - **Totals and endpoints**: requests, failures, min/max/mean and exact
//!   nearest-rank percentiles (the smallest elapsed time with at least N% of
//!   the samples at or below it; the median is p50) at Locust's levels 50, 66,
//!   75, 80, 90, 95, 98, 99, 99.9, 99.99 and 100, from a histogram per whole
//!   millisecond (JMeter's resolution), so no sample is held. The run lasts
//!   from the first `timeStamp` to the last sample end (`timeStamp + elapsed`);
//!   requests/s and failures/s are the counts over that.
//! - **History**: one point a second, the samples whose `timeStamp` falls in
//!   it (with JMeter's default `sampleresult.timestamp.start=true`, the second
//!   they started in): requests/s and failures/s are that second's counts, the
//!   users its highest `allThreads` (unknown without that column), the
//!   percentiles that second's alone (windowed). A second without samples
//!   within a run has 0 requests; no sample for more than
//!   [`MAX_GAP_S`](crate::model::MAX_GAP_S) seconds is a finding instead.
//! - **Failures**: one row per (label, error), the error being the response
//!   code and message (`409 Conflict`) and the `failureMessage` of a failed
//!   assertion, when there is one.
//! - **Histograms** for the rank test against a baseline: the per-millisecond
//!   counts, total and per label.

use std::path::Path;

use crate::format::ShowPath;
use crate::ingest::samples::{self, Run, Sample, SecondOf, Spec};
use crate::ingest::{HistoryObserver, Ingested, InputError, Reader, guard, one_file};
use crate::model::{ResultFiles, Role, ScenarioData};

mod columns;
mod rows;
mod statistics;
#[cfg(test)]
mod tests;

use columns::{Columns, HEADER_SETTING, Writer};
use rows::{Record, Rows};

/// The JMeter reader (see the module doc).
pub struct Jmeter;

impl Reader for Jmeter {
    fn tool(&self) -> &'static str {
        "jmeter"
    }

    fn display_name(&self) -> &'static str {
        "JMeter"
    }

    fn other_tools(&self) -> &'static [(&'static str, &'static str)] {
        &[("taurus", "Taurus")]
    }

    fn naming_hint(&self) -> &'static str {
        "JMeter labels a sample with its sampler's name: give each HTTP Request sampler a fixed name, not one made from the URL or a variable such as /item/${id}"
    }

    fn files_hint(&self) -> &'static str {
        "JMeter's *.jtl (`jmeter -n -l NAME.jtl`) or dashboard statistics.json (`jmeter -g NAME.jtl -o DIR`)"
    }

    /// `NAME.jtl` → (`NAME`, stats): the samples file is the whole set.
    /// Taurus's `kpi.jtl` is named by its folder ([`Reader::claim_by_content`]).
    fn claim(&self, file_name: &str) -> Option<(String, Role)> {
        let prefix = file_name.strip_suffix(".jtl")?;
        (!prefix.is_empty() && taurus_suffix(file_name).is_none())
            .then(|| (prefix.to_string(), Role::Stats))
    }

    fn looks_like_result(&self, file_name: &[u8]) -> bool {
        file_name.ends_with(b".jtl")
    }

    /// A CSV whose header has JMeter's `timeStamp`, `elapsed` and `label`,
    /// or a dashboard's statistics.
    fn recognises(&self, path: &Path) -> bool {
        is_jtl(path) || statistics::recognises(path)
    }

    /// The files whose scenario is not in their name: a dashboard's
    /// `statistics.json` (when its content is JMeter's) and Taurus's
    /// `kpi.jtl` (`kpi-N.jtl` for a run's further executions) are named by
    /// their folder (`checkout-report/statistics.json` → `checkout-report`,
    /// `kpi-1.jtl` → `FOLDER-1`); a JTL under another name (`jmeter -l
    /// results.csv` is common): `NAME.csv` whose header is JMeter's is
    /// scenario `NAME`.
    fn claim_by_content(&self, path: &Path) -> Option<(String, Role)> {
        let file_name = path.file_name()?.to_str()?;
        if file_name == statistics::FILE_NAME {
            return statistics::recognises(path).then(|| {
                (
                    folder_name(path).unwrap_or_else(|| "statistics".into()),
                    Role::Stats,
                )
            });
        }
        if let Some(suffix) = taurus_suffix(file_name) {
            let name = folder_name(path).map_or_else(
                || file_name.trim_end_matches(".jtl").to_string(),
                |folder| format!("{folder}{suffix}"),
            );
            return Some((name, Role::Stats));
        }
        let stem = file_name.strip_suffix(".csv")?;
        (!stem.is_empty() && is_jtl(path)).then(|| (stem.to_string(), Role::Stats))
    }

    /// The JMeter results without per-second data are a dashboard's
    /// statistics.json (and a JTL without samples).
    fn no_history(&self, threshold: &str) -> String {
        format!(
            "`{threshold}` needs per-second data, and a JMeter dashboard's statistics.json is a summary of the whole run without any: check the JTL it was made from (`jmeter -l NAME.jtl`), or drop `for …` to judge the whole run"
        )
    }

    /// The JMeter results without every request's time are a dashboard's.
    fn no_histograms(&self) -> String {
        "a JMeter dashboard's statistics.json holds percentile summaries, not every request's time (the JTL it was made from has them)".to_string()
    }

    /// The progress bar is not advanced: the check command sizes it over
    /// the history files (Locust's), which a JTL set has none of.
    fn read(
        &self,
        files: &ResultFiles,
        observer: Option<&mut (dyn HistoryObserver + '_)>,
        _progress: Option<&indicatif::ProgressBar>,
    ) -> Ingested {
        one_file::read_one(files, |path| {
            if path.file_name() == Some(statistics::FILE_NAME.as_ref()) {
                statistics::read(path)
            } else {
                read_jtl(path, observer)
            }
        })
    }
}

/// Whether a file starts with a JTL header: `timeStamp`, `elapsed` and
/// `label` split by one delimiter.
fn is_jtl(path: &Path) -> bool {
    let head = columns::head(path);
    columns::delimiter_of(head.lines().next().unwrap_or_default()).is_some()
}

/// What follows `kpi` in a name Taurus gives its samples file: `""` for
/// `kpi.jtl`, `"-N"` for `kpi-N.jtl` (a further execution in one run; bzt's
/// `get_uniq_name`); `None` for any other name.
fn taurus_suffix(file_name: &str) -> Option<&str> {
    let rest = file_name.strip_prefix("kpi")?.strip_suffix(".jtl")?;
    let n = match rest.strip_prefix('-') {
        None if rest.is_empty() => return Some(""),
        None => return None,
        Some(n) => n,
    };
    (!n.is_empty() && n.bytes().all(|b| b.is_ascii_digit())).then_some(rest)
}

/// The name of the folder a file is in (`results/checkout/kpi.jtl` →
/// `checkout`), resolved when the path does not say (`kpi.jtl`, `../kpi.jtl`);
/// `None` at the root or for a name that is not UTF-8.
fn folder_name(path: &Path) -> Option<String> {
    let parent = path.parent()?;
    if let Some(name) = parent.file_name() {
        return name.to_str().map(str::to_string);
    }
    let parent = if parent.as_os_str().is_empty() {
        Path::new(".")
    } else {
        parent
    };
    let resolved = std::fs::canonicalize(parent).ok()?;
    resolved.file_name()?.to_str().map(str::to_string)
}

/// How a JTL's samples make a run (see the module doc).
const SPEC: Spec = Spec {
    tool: "jmeter",
    second_of: SecondOf::Start,
    late_us: LATE_MS as i64 * 1000,
    gap_what: "no sample started",
    gap_why: "a stalled test, or two runs appended to one JTL: JMeter appends to an existing -l file",
    wall_clock: true,
};

/// How Taurus's Locust `kpi.jtl` makes a run: stamped at the end.
const TAURUS_SPEC: Spec = Spec {
    tool: "taurus",
    second_of: SecondOf::End,
    late_us: LATE_MS as i64 * 1000,
    gap_what: "no request",
    gap_why: "a stalled test, or a pause in the script",
    wall_clock: true,
};

/// How long a second stays open for samples that started in it: JMeter
/// writes a sample when it ends, so a second is complete once the file has
/// reached samples that ended this long after it.
const LATE_MS: u64 = 120_000;

/// Milliseconds since the epoch in µs (saturating: a time stamp past
/// year 292,000 is not a real one, and still orders last).
fn us(ms: u64) -> i64 {
    i64::try_from(ms).unwrap_or(i64::MAX).saturating_mul(1000)
}

/// A JTL with at least this many bytes of samples is read on two threads.
const SPLIT_BYTES: u64 = 4 << 20;

/// Read one JTL: its samples, streamed, into the model; warnings beside.
fn read_jtl(
    path: &Path,
    observer: Option<&mut (dyn HistoryObserver + '_)>,
) -> Result<(ScenarioData, Vec<String>), InputError> {
    read_jtl_split(path, observer, SPLIT_BYTES).map(|(data, warnings, _)| (data, warnings))
}

/// How a JTL was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum HowRead {
    /// In order, on one thread.
    InOrder,
    /// In two halves at once, the second half's run taken over.
    Halves,
    /// In two halves at once, then on from the middle in order: the second
    /// half's run could not be taken over.
    ReadOn,
}

/// [`read_jtl`], splitting files with at least `split_bytes` of samples.
///
/// A large JTL without an observer is read in two halves at once: this
/// thread reads the first and another the second, from the first line
/// break past the middle. The second half's run is then taken over
/// ([`Run::absorb`]) when that gives exactly what reading on would: when
/// both threads agree on where the second half's first record starts (a
/// quoted field may hold a line break) and no second of the history
/// depends on both halves in a way a merge cannot recover. Otherwise this
/// thread reads on from the middle, as it would have anyway: the result is
/// the same either way, only the time differs. With an observer (windowed
/// checks) the file is read in order on one thread.
fn read_jtl_split(
    path: &Path,
    observer: Option<&mut (dyn HistoryObserver + '_)>,
    split_bytes: u64,
) -> Result<(ScenarioData, Vec<String>, HowRead), InputError> {
    let delimiter = check_start(path)?;
    let mut rows = Rows::open(path, 0, delimiter)?;
    let Some(header) = rows.next_record()?.map(Record::to_byte_record) else {
        return Err(InputError {
            path: path.to_path_buf(),
            line: Some(1),
            column: None,
            message: format!(
                "the file is empty: expected JMeter's header line (written with {HEADER_SETTING})"
            ),
        });
    };
    let cols = Columns::new(path, &without_bom(header))?;
    let users_known = cols.all_threads.is_some();
    let spec = match cols.writer {
        Writer::Jmeter => SPEC,
        Writer::TaurusLocust => TAURUS_SPEC,
    };
    let seam = match observer {
        None => seam(path, rows.offset(), split_bytes),
        Some(_) => None,
    };
    // JMeter's resolution is the whole millisecond (Taurus rounds Locust's to it).
    let mut run = Run::<1>::new(spec, observer);
    let how = match seam {
        None => {
            add_rows(path, &mut rows, &cols, &mut run, u64::MAX, None)?;
            HowRead::InOrder
        }
        Some(seam) => read_halves(path, &mut rows, &cols, &mut run, seam, (spec, delimiter))?,
    };
    let empty = run.requests() == 0;
    let read = run.finish(path, users_known, None);
    let mut warnings = Vec::new();
    if empty {
        warnings.push(format!(
            "{}: holds no samples, only the header line",
            path.show()
        ));
    }
    if read.late > 0 {
        warnings.push(format!(
            "{}: {} samples were written more than {} s after the second they started in; they are counted in the totals but left out of the per-second history",
            path.show(),
            crate::format::count(read.late),
            LATE_MS / 1000
        ));
    }
    Ok((read.data, warnings, how))
}

/// Where the second half of a JTL starts: the first line break past the
/// middle of what follows byte `from`; `None` for a file too short to split.
fn seam(path: &Path, from: u64, split_bytes: u64) -> Option<u64> {
    use std::io::{Read, Seek, SeekFrom};
    let size = std::fs::metadata(path).ok()?.len();
    if size.saturating_sub(from) < split_bytes.max(2) {
        return None;
    }
    let middle = from + (size - from) / 2;
    let mut file = std::fs::File::open(path).ok()?;
    file.seek(SeekFrom::Start(middle)).ok()?;
    let mut buf = vec![0; 64 * 1024];
    let n = file.read(&mut buf).ok()?;
    let at = memchr::memchr(b'\n', &buf[..n])?;
    let seam = middle + at as u64 + 1;
    (seam < size).then_some(seam)
}

/// Read the JTL in two halves at once (see [`read_jtl_split`]): `rows` up
/// to `seam` here, from `seam` on another thread; then take over the other
/// half's run, or read on here.
fn read_halves(
    path: &Path,
    rows: &mut Rows<'_>,
    cols: &Columns,
    run: &mut Run<'_, '_, 1>,
    seam: u64,
    (spec, delimiter): (Spec, u8),
) -> Result<HowRead, InputError> {
    use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
    // Where the second half's first record starts, once its thread knows
    // (`NONE`: it has none, or cannot tell).
    const PENDING: u64 = u64::MAX;
    const NONE: u64 = u64::MAX - 1;
    let cancel = AtomicBool::new(false);
    let first = AtomicU64::new(PENDING);
    std::thread::scope(|scope| {
        let later = scope.spawn(|| {
            let opened = Rows::open(path, seam, delimiter).and_then(|mut rows| {
                let start = rows.next_record()?.map(|r| r.start);
                rows.unread();
                Ok((rows, start))
            });
            let start = match &opened {
                Ok((_, Some(start))) => *start,
                _ => NONE,
            };
            first.store(start, Ordering::SeqCst);
            let (mut rows, Some(_)) = opened? else {
                return Ok(None);
            };
            let mut part = Run::<1>::part(spec);
            add_rows(path, &mut rows, cols, &mut part, u64::MAX, Some(&cancel))?;
            Ok(Some(part.into_part()))
        });
        let stopped = add_rows(path, rows, cols, run, seam, None);
        // The other thread says within its first block read; a thread that
        // ended without saying (it cannot) counts as no answer.
        let theirs = loop {
            match first.load(Ordering::SeqCst) {
                PENDING if !later.is_finished() => std::thread::yield_now(),
                PENDING => break NONE,
                start => break start,
            }
        };
        let agreed = matches!(stopped, Ok(Some(at)) if theirs == at);
        if !agreed {
            cancel.store(true, Ordering::SeqCst);
        }
        let later: Result<Option<_>, InputError> = later.join().unwrap_or_else(|_| {
            Err(InputError::file(
                path,
                "the JTL reader's second thread stopped unexpectedly",
            ))
        });
        match stopped? {
            // The first half ran to the end: nothing is left.
            None => return Ok(HowRead::ReadOn),
            Some(_) if agreed => {
                // The second half's first error is the file's first one.
                if let Some(part) = later?
                    && run.absorb(part, path)
                {
                    return Ok(HowRead::Halves);
                }
            }
            Some(_) => {}
        }
        add_rows(path, rows, cols, run, u64::MAX, None).map(|_| HowRead::ReadOn)
    })
}

/// Every record of `rows` as a sample of `run`, up to the first that
/// starts at or past byte `until`, which is left unread and whose start is
/// returned (`None` at the end of the file, or when `cancel` is set). The
/// first bad record ends it with its error.
fn add_rows<const P: u64>(
    path: &Path,
    rows: &mut Rows<'_>,
    cols: &Columns,
    run: &mut Run<'_, '_, P>,
    until: u64,
    cancel: Option<&std::sync::atomic::AtomicBool>,
) -> Result<Option<u64>, InputError> {
    let mut kinds = RecentKinds::default();
    let mut count = 0u32;
    while let Some(record) = rows.next_record()? {
        if record.start >= until {
            let start = record.start;
            rows.unread();
            return Ok(Some(start));
        }
        count = count.wrapping_add(1);
        if count.is_multiple_of(4096)
            && cancel.is_some_and(|c| c.load(std::sync::atomic::Ordering::Relaxed))
        {
            return Ok(None);
        }
        let sample = cols.sample(path, &record)?;
        let endpoint = match run.find(sample.method, sample.label) {
            Some(i) => i,
            None => {
                let label = cols.text(path, &record, Some(cols.label))?;
                let method = cols.text(path, &record, cols.method)?.trim_ascii();
                run.endpoint(method, label)
            }
        };
        let (start, end) = sample.span(cols.writer);
        let one = Sample {
            start_us: us(start),
            end_us: us(end),
            ms: sample.elapsed as f64,
            failed: !sample.success,
            users: sample.all_threads,
        };
        let kind = match one.failed {
            true => Some(kinds.kind(endpoint, &sample, run, || cols.failure(path, &record))?),
            false => None,
        };
        run.add_kind(endpoint, &one, kind, path);
    }
    Ok(None)
}

/// The failure kinds of the latest few distinct failures, by the fields
/// they were made from: a failed sample's message is made (and hashed) only
/// when its fields differ from those of every recent one.
#[derive(Default)]
struct RecentKinds {
    /// (endpoint, fields, kind).
    recent: Vec<(usize, Vec<u8>, usize)>,
    /// The entry replaced next, once there are [`RecentKinds::MAX`].
    next: usize,
    key: Vec<u8>,
}

impl RecentKinds {
    const MAX: usize = 16;

    fn kind<const P: u64>(
        &mut self,
        endpoint: usize,
        sample: &columns::Sample<'_>,
        run: &mut Run<'_, '_, P>,
        error: impl FnOnce() -> Result<String, InputError>,
    ) -> Result<usize, InputError> {
        self.key.clear();
        // A NUL byte is never in a JTL (the guard refuses one), so it
        // separates the fields.
        for field in [
            sample.response_code,
            sample.response_message,
            sample.failure_message,
        ] {
            self.key.extend_from_slice(field);
            self.key.push(0);
        }
        if let Some(&(_, _, kind)) = self
            .recent
            .iter()
            .find(|(e, fields, _)| *e == endpoint && samples::same(fields, &self.key))
        {
            return Ok(kind);
        }
        let kind = run.failure_kind(endpoint, error()?);
        let entry = (endpoint, self.key.clone(), kind);
        if self.recent.len() < Self::MAX {
            self.recent.push(entry);
        } else {
            self.recent[self.next] = entry;
            self.next = (self.next + 1) % Self::MAX;
        }
        Ok(kind)
    }
}

/// The header without the byte-order mark a file may start with.
fn without_bom(header: csv::ByteRecord) -> csv::ByteRecord {
    match header
        .get(0)
        .and_then(|f| f.strip_prefix("\u{feff}".as_bytes()))
    {
        Some(first) => std::iter::once(first)
            .chain(header.iter().skip(1))
            .collect(),
        None => header,
    }
}

/// The start of a JTL checked (an XML JTL is refused, naming the setting
/// that writes CSV): its delimiter.
fn check_start(path: &Path) -> Result<u8, InputError> {
    guard::sniff(path)?;
    let head = columns::head(path);
    let start = head.trim_start_matches('\u{feff}').trim_start();
    if start.starts_with("<?xml") || start.starts_with("<testResults") {
        return Err(InputError {
            path: path.to_path_buf(),
            line: Some(1),
            column: None,
            message: "an XML JTL: loadgate reads JMeter's CSV results; run JMeter with jmeter.save.saveservice.output_format=csv (the default) and jmeter.save.saveservice.print_field_names=true".into(),
        });
    }
    Ok(columns::delimiter_of(head.lines().next().unwrap_or_default()).unwrap_or(b','))
}
