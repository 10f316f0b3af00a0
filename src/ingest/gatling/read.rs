//! A text simulation.log streamed into the model: each line read into one
//! reused buffer, parsed in place ([`Parser`]), each REQUEST handed to the
//! shared [`Run`] as a sample, the USER records counted into active users,
//! the ERROR records into the exceptions table.

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::Path;

use super::records::{Parser, Record};
use crate::format::ShowPath;
use crate::ingest::guard::{self, Guarded};
use crate::ingest::samples::{MAX_FAILURE_KINDS, Run, Sample, SecondOf, Spec};
use crate::ingest::{HistoryObserver, InputError};
use crate::model::{ExceptionRow, ScenarioData};

/// How long a second stays open for requests started in it: Gatling writes
/// a request when it ends, and its default request timeout is 60 s.
const LATE_MS: i64 = 120_000;

const SPEC: Spec = Spec {
    tool: "gatling",
    second_of: SecondOf::Start,
    late_us: LATE_MS * 1000,
    gap_what: "no request started",
    gap_why: "a stalled test, or a pause in the simulation",
    wall_clock: true,
};

/// What the lines other than requests add up to.
#[derive(Default)]
struct Extras {
    /// Users started and not yet ended.
    active: u64,
    users_seen: bool,
    /// ERROR message → occurrences.
    errors: HashMap<String, u64>,
    version: Option<String>,
}

/// Read one log into the model; warnings beside.
pub(super) fn read(
    path: &Path,
    observer: Option<&mut (dyn HistoryObserver + '_)>,
) -> Result<(ScenarioData, Vec<String>), InputError> {
    let file = File::open(path).map_err(|e| InputError::file(path, format!("cannot open: {e}")))?;
    let mut reader = BufReader::with_capacity(256 * 1024, Guarded::new(file, 0));
    let mut parser = Parser::new();
    // Gatling writes whole milliseconds.
    let mut run = Run::<1>::new(SPEC, observer);
    let mut extras = Extras::default();
    let mut warnings = Vec::new();
    let mut buf = Vec::with_capacity(1024);
    // The endpoint's name (groups and request name), rebuilt in place.
    let mut name = String::new();
    let mut line_no = 0u64;
    loop {
        buf.clear();
        line_no += 1;
        match reader.read_until(b'\n', &mut buf) {
            Ok(0) => break,
            Ok(_) => {}
            Err(e) => return Err(io_error(path, line_no, &e)),
        }
        let Some(line) = buf.strip_suffix(b"\n") else {
            warnings.push(format!(
                "{}:{line_no}: the last line is cut short (no line break: a run killed while Gatling was writing); read up to line {}",
                path.show(),
                line_no - 1
            ));
            break;
        };
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let line = if line_no == 1 {
            line.strip_prefix("\u{feff}".as_bytes()).unwrap_or(line)
        } else {
            line
        };
        if line.is_empty() {
            continue;
        }
        let record = parser.parse(line).map_err(|fault| InputError {
            path: path.to_path_buf(),
            line: Some(line_no),
            column: fault.column.map(str::to_string),
            message: fault.message,
        })?;
        match record {
            Record::Request {
                groups,
                name: request,
                start_ms,
                end_ms,
                ok,
                message,
            } => {
                endpoint_name(&mut name, groups, request);
                let endpoint = run.endpoint("", &name);
                let sample = Sample {
                    start_us: us(start_ms),
                    end_us: us(end_ms),
                    ms: (end_ms - start_ms) as f64,
                    failed: !ok,
                    users: None,
                };
                run.add(endpoint, &sample, path, || failure(message));
            }
            Record::User { start, ms } => {
                extras.users_seen = true;
                extras.active = if start {
                    extras.active.saturating_add(1)
                } else {
                    extras.active.saturating_sub(1)
                };
                run.users(us(ms), extras.active, path);
            }
            Record::Error { message } => {
                let mut message = message.trim().to_string();
                if extras.errors.len() >= MAX_FAILURE_KINDS && !extras.errors.contains_key(&message)
                {
                    message =
                        format!("(other errors: more than {MAX_FAILURE_KINDS} distinct messages)");
                }
                *extras.errors.entry(message).or_insert(0) += 1;
            }
            Record::Run { version, .. } => extras.version = version.map(str::to_string),
            Record::Assertion | Record::Group => {}
        }
    }
    if parser.layout().is_none() {
        return Err(InputError {
            path: path.to_path_buf(),
            line: Some(line_no.saturating_sub(1).max(1)),
            column: None,
            message: "no RUN record: the log ends before Gatling wrote the run's start".into(),
        });
    }
    let empty = run.requests() == 0;
    let read = run.finish(path, extras.users_seen, extras.version);
    if empty {
        warnings.push(format!(
            "{}: holds no requests (no REQUEST records)",
            path.show()
        ));
    }
    if read.late > 0 {
        warnings.push(format!(
            "{}: {} requests were written more than {} s after the second they started in; they are counted in the totals but left out of the per-second history",
            path.show(),
            crate::format::count(read.late),
            LATE_MS / 1000
        ));
    }
    let mut data = read.data;
    data.exceptions = exceptions(extras.errors);
    Ok((data, warnings))
}

/// The endpoint of a request: Gatling's request path, the groups
/// (outermost first, `,`-joined in the log) and the name joined by ` / `.
fn endpoint_name(out: &mut String, groups: &str, request: &str) {
    out.clear();
    if !groups.is_empty() {
        for group in groups.split(',') {
            out.push_str(group);
            out.push_str(" / ");
        }
    }
    out.push_str(request);
}

/// A KO request's error for the failures table (Gatling writes a space for none).
fn failure(message: &str) -> String {
    match message.trim() {
        "" => "(no message)".to_string(),
        m => m.to_string(),
    }
}

/// The ERROR messages as exceptions rows, the most frequent first.
fn exceptions(errors: HashMap<String, u64>) -> Vec<ExceptionRow> {
    let mut rows: Vec<ExceptionRow> = errors
        .into_iter()
        .map(|(message, count)| ExceptionRow {
            count,
            message,
            traceback: String::new(),
            nodes: Vec::new(),
        })
        .collect();
    rows.sort_by(|a, b| {
        b.count
            .cmp(&a.count)
            .then_with(|| a.message.cmp(&b.message))
    });
    rows
}

fn us(ms: u64) -> i64 {
    i64::try_from(ms).unwrap_or(i64::MAX).saturating_mul(1000)
}

/// An I/O error on line `line`: a guard's finding, or as the system says.
fn io_error(path: &Path, line: u64, e: &std::io::Error) -> InputError {
    InputError {
        path: path.to_path_buf(),
        line: Some(line),
        column: None,
        message: guard::pathology(e).map_or_else(|| format!("cannot read: {e}"), |p| p.message()),
    }
}
