//! The hey reader: hey's `-o csv` output (`hey -o csv URL > NAME.hey.csv`),
//! one row per response, into [`ScenarioData`](crate::model::ScenarioData)
//! through [`samples::Run`](crate::ingest::samples::Run). The file is the
//! whole result set: `NAME.hey.csv` is scenario `NAME`, and so is a plain
//! `NAME.csv` whose header is hey's.
//!
//! How the CSV maps onto the model (hey 0.1.4, `requester/print.go` and
//! `report.go`):
//!
//! - **Columns** by header name, in any order: `response-time`,
//!   `status-code` and `offset` are required; `DNS+dialup`, `DNS`,
//!   `Request-write`, `Response-delay` and `Response-read` are checked to be
//!   numbers when present; any other column is ignored. hey writes every time
//!   in seconds with four decimals (`%4.4f`: 0.1 ms steps). Every malformed
//!   value is an [`InputError`] with the path, line and column.
//! - **Rows.** A row is one request that got a response, whatever its status:
//!   failed when the status is 400 or more (or 0, no response). hey writes
//!   **no row for a request without a response** (a refused connection, a
//!   `-t` timeout): its reporter counts those only in the "Error
//!   distribution" of its text summary, which `-o csv` replaces. So such
//!   failures cannot be counted here, and a file with only the header is a
//!   run whose every request failed that way, or sent none (a warning; the
//!   run has no requests, so no threshold on it passes). hey keeps at most
//!   1,000,000 results: a file of exactly that many rows gets a warning that
//!   later responses were not written.
//! - **Endpoint.** The file does not name the URL or method, so the run is
//!   one endpoint named after the scenario (the file stem), method empty.
//! - **Statistics**: requests, failures, min/max/mean and exact nearest-rank
//!   percentiles (the smallest response time with at least N% of the rows at
//!   or below it) at Locust's levels, from a histogram at 0.01 ms, which holds
//!   hey's 0.1 ms values exactly; the mean is over the values as written.
//! - **Time.** `offset` is when the request started, in seconds since hey's
//!   process started (its `startTime`, set as it starts; the work begins a
//!   few ms later). hey's CSV has no wall-clock time at all, so loadgate puts
//!   the run at the Unix epoch: a request is at `1970-01-01T00:00:00Z +
//!   offset`. That is deterministic (a file's modification time would not
//!   be: a checkout or copy changes it) and reads as elapsed time in charts;
//!   the history says it has no wall clock (`History::wall_clock`), so the
//!   summary gives no `started_at` or `ended_at`. The run lasts from the first request's
//!   start to the last one's end (offset + response time); requests/s and
//!   failures/s are over that. hey's own `Total` (from just before its
//!   workers start to their end) is not in the file.
//! - **History**: one point a second, the requests that started in it (rows
//!   come in the order responses arrived, so a second is held open
//!   [`LATE_S`] s), windowed percentiles, no user count (`-c` is not in the
//!   file: peak users unknown, and `steady_state = auto` takes the whole run).
//! - **Failures**: one row per status, `HTTP 429`.
//! - **Tool**: `hey`, no version (the file records none). Histograms per
//!   whole millisecond feed the rank test against a baseline.

use std::fs::File;
use std::path::Path;

use crate::format::ShowPath;
use crate::ingest::guard::{self, Guarded};
use crate::ingest::samples::{Run, Sample, SecondOf, Spec};
use crate::ingest::{HistoryObserver, Ingested, InputError, Reader, one_file};
use crate::model::{ResultFiles, Role, ScenarioData};

mod columns;
#[cfg(test)]
mod tests;

use columns::Columns;

/// The hey reader (see the module doc).
pub struct Hey;

const SUFFIX: &str = ".hey.csv";

/// How many results hey keeps (`maxRes` in its `report.go`).
const HEY_MAX_RESULTS: u64 = 1_000_000;

/// How long a second stays open for requests that started in it: hey writes
/// a row when the response arrives, so up to a request's time later (its
/// `-t` timeout is 20 s by default).
const LATE_S: i64 = 120;

/// How hey's rows make a run (see the module doc).
const SPEC: Spec = Spec {
    tool: "hey",
    second_of: SecondOf::Start,
    late_us: LATE_S * 1_000_000,
    gap_what: "no request started",
    gap_why: "a stalled test, or hey's -q rate limit below one request in 10 s",
    // Offsets from hey's start, put at the Unix epoch.
    wall_clock: false,
};

/// The first 4 KiB of a file, as text (lossy); empty when unreadable.
fn head(path: &Path) -> String {
    one_file::head_text(path, 4096)
}

impl Reader for Hey {
    fn tool(&self) -> &'static str {
        "hey"
    }

    fn files_hint(&self) -> &'static str {
        "hey's *.hey.csv (`hey -o csv URL > NAME.hey.csv`)"
    }

    /// A hey set has histograms and a history unless the file holds no
    /// responses (only its header).
    fn no_histograms(&self) -> String {
        "this hey CSV holds no responses (hey writes a row only for a request that got one)".into()
    }

    fn no_history(&self, threshold: &str) -> String {
        format!(
            "`{threshold}` needs per-second data, and this hey CSV holds no responses to make it from (hey writes a row only for a request that got one)"
        )
    }

    /// `NAME.hey.csv` → (`NAME`, stats): the file is the whole set.
    fn claim(&self, file_name: &str) -> Option<(String, Role)> {
        one_file::claim_suffix(file_name, SUFFIX)
    }

    fn looks_like_result(&self, file_name: &[u8]) -> bool {
        file_name.ends_with(SUFFIX.as_bytes())
    }

    /// A CSV whose header has hey's `response-time`, `status-code` and `offset`.
    fn recognises(&self, path: &Path) -> bool {
        columns::is_header(head(path).lines().next().unwrap_or_default())
    }

    /// hey's CSV under a plain name (`hey -o csv URL > run.csv`): `NAME.csv`
    /// whose header is hey's is scenario `NAME`.
    fn claim_by_content(&self, path: &Path) -> Option<(String, Role)> {
        one_file::claim_stem(path, ".csv", |p| self.recognises(p))
    }

    /// The progress bar is not advanced: the check command sizes it over
    /// the history files (Locust's), which a hey set has none of.
    fn read(
        &self,
        files: &ResultFiles,
        observer: Option<&mut (dyn HistoryObserver + '_)>,
        _progress: Option<&indicatif::ProgressBar>,
    ) -> Ingested {
        one_file::read_one(files, |path| read_csv(path, observer))
    }
}

/// The scenario (and so the endpoint) name of a file: its name without
/// `.hey.csv` or `.csv`.
fn stem(path: &Path) -> String {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    name.strip_suffix(SUFFIX)
        .or_else(|| name.strip_suffix(".csv"))
        .unwrap_or(&name)
        .to_string()
}

/// Read one CSV: its rows, streamed, into the model; warnings beside.
fn read_csv(
    path: &Path,
    observer: Option<&mut (dyn HistoryObserver + '_)>,
) -> Result<(ScenarioData, Vec<String>), InputError> {
    guard::sniff(path)?;
    let file = File::open(path).map_err(|e| InputError::file(path, format!("cannot open: {e}")))?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        // Field counts are checked per row, which names the file and line.
        .flexible(true)
        .buffer_capacity(256 * 1024)
        .from_reader(Guarded::csv(file));
    let mut record = csv::ByteRecord::new();
    let has_header = reader
        .read_byte_record(&mut record)
        .map_err(|e| crate::ingest::guard::csv_error(path, &e))?;
    if !has_header {
        return Err(InputError {
            path: path.to_path_buf(),
            line: Some(1),
            column: None,
            message: format!(
                "the file is empty: expected hey's CSV header ({})",
                columns::HEADER
            ),
        });
    }
    let cols = Columns::new(path, &record)?;
    // hey writes 0.1 ms steps: 0.01 ms keys hold them exactly.
    let mut run = Run::<100>::new(SPEC, observer);
    let endpoint = run.endpoint("", &stem(path));
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                let row = cols.row(path, &record)?;
                let start_us = (row.offset_s * 1e6).round() as i64;
                let ms = row.response_time_s * 1000.0;
                let sample = Sample {
                    start_us,
                    end_us: start_us.saturating_add((ms * 1000.0).round() as i64),
                    ms,
                    failed: row.failed(),
                    users: None,
                };
                run.add(endpoint, &sample, path, || row.error());
            }
            Err(e) => return Err(crate::ingest::guard::csv_error(path, &e)),
        }
    }
    let requests = run.requests();
    let read = run.finish(path, false, None);
    let mut warnings = Vec::new();
    if requests == 0 {
        warnings.push(format!(
            "{}: holds no responses, only the header line: hey writes a row only for a request that got a response, so every request failed to connect or timed out, or none was sent",
            path.show()
        ));
    }
    if requests == HEY_MAX_RESULTS {
        warnings.push(format!(
            "{}: holds {} rows, as many as hey keeps: responses after those were not written, and are not counted",
            path.show(),
            crate::format::count(requests)
        ));
    }
    if read.late > 0 {
        warnings.push(format!(
            "{}: {} requests were written more than {LATE_S} s after the second they started in; they are counted in the totals but left out of the per-second history",
            path.show(),
            crate::format::count(read.late)
        ));
    }
    Ok((read.data, warnings))
}
