//! The JMeter reader: a JTL in JMeter's CSV format (`jmeter -n -t plan.jmx
//! -l NAME.jtl`) into [`ScenarioData`]. The file is the whole result set:
//! `NAME.jtl` is scenario `NAME`. The files: `columns` (header, delimiter,
//! one typed sample per row); each sample goes to
//! [`samples::Run`](crate::ingest::samples::Run), which sums up the exact
//! counts and percentiles and streams the per-second series to the observer.
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
//!   `failureMessage`, `allThreads`; `grpThreads`, `bytes`, `sentBytes`,
//!   `Latency` and `Connect` are checked to be numbers; every other column
//!   (`threadName`, `URL`, `dataType`, …) is ignored. Every malformed value is
//!   an [`InputError`] with the path, line and column. An XML JTL is an error
//!   naming `jmeter.save.saveservice.output_format=csv`.
//! - **Samples.** Every row is one sample (request), whatever made it: a
//!   sampler, a transaction controller's own row (which JMeter writes after
//!   its children, so a transaction's requests are counted in its children
//!   and again in it, as JMeter's Aggregate Report does), a sub-result.
//!   `success=false` is a failure. Samples with one label are one endpoint,
//!   whichever thread group sent them. The endpoint's method is empty (a JTL
//!   has no method column) and its name is the label; endpoints are sorted by
//!   label.
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

use std::collections::HashMap;
use std::path::Path;

use crate::format::ShowPath;
use crate::ingest::samples::{Run, Sample, SecondOf, Spec};
use crate::ingest::{HistoryObserver, Ingested, InputError, Reader};
use crate::model::{ResultFiles, Role, ScenarioData};

mod columns;
#[cfg(test)]
mod tests;

use columns::{Columns, HEADER_SETTING};

/// The JMeter reader (see the module doc).
pub struct Jmeter;

impl Reader for Jmeter {
    fn tool(&self) -> &'static str {
        "jmeter"
    }

    fn display_name(&self) -> &'static str {
        "JMeter"
    }

    fn files_hint(&self) -> &'static str {
        "JMeter's *.jtl (`jmeter -n -l NAME.jtl`)"
    }

    /// `NAME.jtl` → (`NAME`, stats): the samples file is the whole set.
    fn claim(&self, file_name: &str) -> Option<(String, Role)> {
        let prefix = file_name.strip_suffix(".jtl")?;
        (!prefix.is_empty()).then(|| (prefix.to_string(), Role::Stats))
    }

    fn looks_like_result(&self, file_name: &[u8]) -> bool {
        file_name.ends_with(b".jtl")
    }

    /// A CSV whose header has JMeter's `timeStamp`, `elapsed` and `label`.
    fn recognises(&self, path: &Path) -> bool {
        let head = columns::head(path);
        columns::delimiter_of(head.lines().next().unwrap_or_default()).is_some()
    }

    /// A JTL under another name (`jmeter -l results.csv` is common):
    /// `NAME.csv` whose header is JMeter's is scenario `NAME`.
    fn claim_by_content(&self, path: &Path) -> Option<(String, Role)> {
        let stem = path.file_name()?.to_str()?.strip_suffix(".csv")?;
        (!stem.is_empty() && self.recognises(path)).then(|| (stem.to_string(), Role::Stats))
    }

    /// The progress bar is not advanced: the check command sizes it over
    /// the history files (Locust's), which a JTL set has none of.
    fn read(
        &self,
        files: &ResultFiles,
        observer: Option<&mut (dyn HistoryObserver + '_)>,
        _progress: Option<&indicatif::ProgressBar>,
    ) -> Ingested {
        let mut out = Ingested::default();
        let Some(path) = &files.stats else {
            return out;
        };
        match read_jtl(path, observer) {
            Ok((data, warnings)) => {
                out.data = Some(data);
                out.warnings = warnings;
            }
            Err(e) => out.errors.push(e),
        }
        out
    }
}

/// How a JTL's samples make a run (see the module doc).
const SPEC: Spec = Spec {
    tool: "jmeter",
    second_of: SecondOf::Start,
    late_us: LATE_MS as i64 * 1000,
    gap_what: "no sample started",
    gap_why: "a stalled test, or two runs appended to one JTL: JMeter appends to an existing -l file",
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

/// One sample as the parsing thread hands it over.
struct Parsed {
    time_stamp: u64,
    end: u64,
    elapsed: u64,
    success: bool,
    all_threads: Option<u64>,
    /// The label's index, in order of first appearance.
    label: usize,
    /// What went wrong, for a failed sample.
    error: Option<String>,
}

/// Samples parsed, in file order, with the labels first seen among them.
#[derive(Default)]
struct Batch {
    new_labels: Vec<String>,
    samples: Vec<Parsed>,
}

/// Samples a batch holds: enough to make the hand-over cheap, few enough
/// that the memory is small (a few hundred KB in flight).
const BATCH: usize = 4096;

/// Read one JTL: its samples, streamed, into the model; warnings beside.
///
/// Two threads: one parses the rows (most of the work) and hands batches
/// of typed samples to this one, which adds them up and feeds the
/// observer, so the observer stays on the caller's thread and the samples
/// are added in file order as before.
fn read_jtl(
    path: &Path,
    observer: Option<&mut (dyn HistoryObserver + '_)>,
) -> Result<(ScenarioData, Vec<String>), InputError> {
    let mut reader = open_csv(path)?;
    let mut record = csv::ByteRecord::new();
    let has_header = reader
        .read_byte_record(&mut record)
        .map_err(|e| columns::csv_error(path, &e))?;
    if !has_header {
        return Err(InputError {
            path: path.to_path_buf(),
            line: Some(1),
            column: None,
            message: format!(
                "the file is empty: expected JMeter's header line (written with {HEADER_SETTING})"
            ),
        });
    }
    let cols = Columns::new(path, &record)?;
    let users_known = cols.all_threads.is_some();
    // JMeter's resolution is the whole millisecond.
    let mut run = Run::<1>::new(SPEC, observer);
    let (sender, receiver) = std::sync::mpsc::sync_channel::<Batch>(4);
    let parsed = std::thread::scope(|scope| {
        let parser = scope.spawn(move || parse_rows(path, reader, &cols, &sender));
        for batch in receiver {
            for name in &batch.new_labels {
                run.endpoint("", name);
            }
            for p in &batch.samples {
                let one = Sample {
                    start_us: us(p.time_stamp),
                    end_us: us(p.end),
                    ms: p.elapsed as f64,
                    failed: !p.success,
                    users: p.all_threads,
                };
                run.add(p.label, &one, path, || p.error.clone().unwrap_or_default());
            }
        }
        parser.join().unwrap_or_else(|_| {
            Err(InputError::file(
                path,
                "the JTL parser stopped unexpectedly",
            ))
        })
    });
    parsed?;
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
    Ok((read.data, warnings))
}

/// The parsing thread: every row after the header, typed and checked, in
/// batches to `sender`; the first bad row ends it with its error (the
/// samples before it are still sent, and then dropped by the caller).
fn parse_rows(
    path: &Path,
    mut reader: csv::Reader<crate::ingest::guard::Guarded<std::fs::File>>,
    cols: &Columns,
    sender: &std::sync::mpsc::SyncSender<Batch>,
) -> Result<(), InputError> {
    let mut record = csv::ByteRecord::new();
    let mut labels: HashMap<String, usize> = HashMap::new();
    let mut batch = Batch::default();
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                let sample = cols.sample(path, &record)?;
                let label = match labels.get(sample.label) {
                    Some(&i) => i,
                    None => {
                        let i = labels.len();
                        labels.insert(sample.label.to_string(), i);
                        batch.new_labels.push(sample.label.to_string());
                        i
                    }
                };
                batch.samples.push(Parsed {
                    time_stamp: sample.time_stamp,
                    end: sample.end(),
                    elapsed: sample.elapsed,
                    success: sample.success,
                    all_threads: sample.all_threads,
                    label,
                    error: (!sample.success).then(|| sample.error()),
                });
                if batch.samples.len() == BATCH && sender.send(std::mem::take(&mut batch)).is_err()
                {
                    return Ok(());
                }
            }
            Err(e) => return Err(columns::csv_error(path, &e)),
        }
    }
    if !batch.samples.is_empty() || !batch.new_labels.is_empty() {
        let _ = sender.send(batch);
    }
    Ok(())
}

/// The JTL through the guard, as CSV with the header's delimiter; the
/// header is read as the first record, so line numbers are the file's.
fn open_csv(
    path: &Path,
) -> Result<csv::Reader<crate::ingest::guard::Guarded<std::fs::File>>, InputError> {
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
    let delimiter = columns::delimiter_of(head.lines().next().unwrap_or_default()).unwrap_or(b',');
    Ok(csv::ReaderBuilder::new()
        .has_headers(false)
        .delimiter(delimiter)
        // Field counts are checked per row, which names the file and line.
        .flexible(true)
        .buffer_capacity(256 * 1024)
        .from_reader(columns::open(path)?))
}
