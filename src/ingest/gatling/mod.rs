//! The Gatling reader: a run's text `simulation.log` into
//! [`ScenarioData`](crate::model::ScenarioData). The file is the whole
//! result set. The files: `records` (one line as a typed record, by the
//! layout of the Gatling version that wrote it), `read` (the log streamed
//! into the shared [`samples`](crate::ingest::samples) run).
//!
//! **Which files.** Gatling writes `RESULTS/SIMULATIONID-yyyyMMddHHmmssSSS/
//! simulation.log` (`target/gatling/…` under Maven, `build/reports/gatling/…`
//! under Gradle). No reader claims `*.log` by name, so this one claims by
//! content ([`Reader::claim_by_content`]): any file named `simulation.log`
//! whatever it holds (so that an empty, binary or broken one is an error
//! rather than a silently missing result), and another `*.log` whose first
//! line is a Gatling record (`RUN\t…`, or `ASSERTION\t…`, which 3.x writes
//! before `RUN` for each assertion of the simulation).
//!
//! **The scenario** of a `simulation.log` is the simulation id of its RUN
//! record (Gatling's default is the simulation class's simple name in lower
//! case: `checkoutsimulation`; 2.x's `-on` name when given), so it stays the
//! same from run to run and a `[scenarios.checkoutsimulation]` table and a
//! baseline keep matching. Two logs with the same simulation id (two runs of
//! one simulation under `target/gatling/`) are the same scenario twice,
//! which discovery reports naming both files: pass one run folder. A log
//! whose RUN record cannot be read is named after its folder without the
//! `-TIMESTAMP` suffix. A log saved under another name, `NAME.log`, is
//! scenario `NAME`, as a JTL is (so two logs kept in one folder stay two
//! scenarios).
//!
//! **The layouts** (gatling/gatling's `LogFileDataWriter` per tag): tab-
//! separated fields, one record a line (LF, or CRLF from Windows):
//!
//! | Gatling | RUN | USER | REQUEST | GROUP |
//! |---|---|---|---|---|
//! | 3.4–3.12 | class, id, start, description, version | scenario, START/END, time | groups, name, start, end, OK/KO, message | groups, start, end, cumulated, OK/KO |
//! | 3.0–3.3 | as 3.4 | scenario, user id, event, user start, time | user id, then as 3.4 | user id, then as 3.4 |
//! | 2.2–2.3 | class, `-on` id, default id, start, description, `2.0` | as 3.0 | scenario, user id, then as 3.4, then extra info | scenario, user id, then as 3.4 |
//!
//! `ERROR message time` is the same in all (2.x wrote it under the GROUP
//! header); `ASSERTION base64` is skipped. 3.x is told from 2.x by the RUN
//! record's field count, 3.0–3.3 from 3.4 on by the first USER, REQUEST or
//! GROUP record's. Gatling 2.0–2.1 (the record type in the third field) is
//! recognised and refused, and so is the **binary** log of Gatling 3.13 and
//! later (first byte 0, the RUN record's header, then the version as a
//! length-prefixed string): its layout changes from version to version
//! (Gatling itself reads a log only with the version that wrote it).
//!
//! **The mapping:**
//!
//! - every REQUEST record is one request (a sample), `KO` a failure; its
//!   response time is `end − start` in whole ms (Gatling's own
//!   `responseTime`), and percentiles are exact nearest-rank values at
//!   Locust's levels, min/max/mean exact (Gatling's own report interpolates
//!   its percentiles, so its p99 may differ);
//! - the endpoint is the request's path as Gatling's report names it: the
//!   group hierarchy and the request name joined by ` / ` (`Checkout /
//!   Payment / Pay`), so one name in two groups is two endpoints, as in
//!   Gatling's own statistics; the method is empty (the log has none);
//! - GROUP records (a group's duration and cumulated response time) are not
//!   requests and are only checked; ERROR records (a request Gatling could
//!   not build or send) are not requests either: they go into the
//!   exceptions table, one row per message;
//! - the run lasts from the first request's start to the last request's
//!   end; requests/s and failures/s are over that;
//! - users are the active users (USER `START` less `END`, in file order),
//!   peak users the most at once; the history has one point a second (the
//!   requests started in it, windowed percentiles, that second's most active
//!   users), through [`samples::Run`](crate::ingest::samples::Run);
//! - failures are grouped by (endpoint, message), the message being
//!   Gatling's check or transport error (`status.find.in([200, 209], 304),
//!   found 502`, `Request timeout to … after 60000 ms`);
//! - the version is the RUN record's (3.x); 2.x wrote none.
//!
//! **Broken input**: every malformed line is an error with the file, line
//! and field (a timestamp that is no number or not between 2000 and 2100, a
//! status other than OK/KO, a wrong number of fields, a record type Gatling
//! does not write, a second RUN record, invalid UTF-8). A last line without
//! its line break (a run killed while Gatling was writing) is left out with
//! a warning naming it. Lines are read into one reused buffer and split in
//! place, so memory stays flat whatever the file's size.

use std::path::Path;

use crate::ingest::{HistoryObserver, Ingested, InputError, Reader, guard};
use crate::model::{ResultFiles, Role};

mod read;
mod records;
#[cfg(test)]
mod tests;

/// The Gatling reader (see the module doc).
pub struct Gatling;

/// The name Gatling gives every log.
const LOG_NAME: &str = "simulation.log";

/// How much of a file is looked at to tell what it is and name it (the
/// ASSERTION records before RUN are short).
const HEAD_BYTES: u64 = 64 * 1024;

/// What a file is, by its first bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Kind {
    /// The text log of Gatling 2.2 to 3.12; the RUN record's simulation id
    /// when it is in the head.
    Text { simulation_id: Option<String> },
    /// Gatling 2.0–2.1: `class id RUN start description 2.0`.
    Old,
    /// Gatling 3.13 and later; the version its RUN record names.
    Binary { version: String },
}

/// The first bytes of a file (empty when unreadable).
fn head(path: &Path) -> Vec<u8> {
    crate::ingest::one_file::head(path, HEAD_BYTES)
}

/// What `head` (a file's first bytes) is, if it is Gatling's.
fn kind_of(head: &[u8]) -> Option<Kind> {
    if let Some(version) = binary_version(head) {
        return Some(Kind::Binary { version });
    }
    let text = head.strip_prefix("\u{feff}".as_bytes()).unwrap_or(head);
    let mut lines = text.split(|&b| b == b'\n');
    let first = lines.next().unwrap_or_default();
    if first.starts_with(b"RUN\t") || first.starts_with(b"ASSERTION\t") {
        let run = std::iter::once(first)
            .chain(lines)
            .find(|l| l.starts_with(b"RUN\t"));
        return Some(Kind::Text {
            simulation_id: run.and_then(simulation_id),
        });
    }
    let fields: Vec<&[u8]> = first.split(|&b| b == b'\t').collect();
    (fields.len() >= 6 && fields[2] == b"RUN").then_some(Kind::Old)
}

/// The simulation id of a RUN line (3.x: field 3; 2.x: the `-on` name,
/// else the default id).
fn simulation_id(run: &[u8]) -> Option<String> {
    let run = std::str::from_utf8(run).ok()?.trim_end_matches('\r');
    let fields: Vec<&str> = run.split('\t').collect();
    let id = match fields.len() {
        6 => fields[2],
        7 if !fields[2].is_empty() => fields[2],
        7 => fields[3],
        _ => return None,
    };
    let id = id.trim();
    (!id.is_empty()).then(|| id.to_string())
}

/// The version named by a binary log's RUN record: header byte 0, then the
/// version as a big-endian length and that many bytes (`3.13.1`). `None`
/// unless the bytes look exactly so.
fn binary_version(head: &[u8]) -> Option<String> {
    let rest = head.strip_prefix(&[0u8])?;
    let len = u32::from_be_bytes(rest.get(..4)?.try_into().ok()?) as usize;
    let version = rest.get(4..4 + len).filter(|_| (1..=40).contains(&len))?;
    let plausible = version[0].is_ascii_digit()
        && version
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b'+'));
    plausible.then(|| String::from_utf8_lossy(version).into_owned())
}

/// The simulation id from a run folder's name (`checkoutsimulation-
/// 20240301120000123` → `checkoutsimulation`), for a log whose RUN record
/// cannot be read.
fn id_from_folder(path: &Path) -> String {
    let folder = path
        .parent()
        .and_then(Path::file_name)
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    let id = match folder.rsplit_once('-') {
        Some((id, stamp))
            if !id.is_empty() && stamp.len() >= 8 && stamp.bytes().all(|b| b.is_ascii_digit()) =>
        {
            id
        }
        _ => folder,
    };
    if id.is_empty() {
        "simulation".to_string()
    } else {
        id.to_string()
    }
}

impl Reader for Gatling {
    fn tool(&self) -> &'static str {
        "gatling"
    }

    fn display_name(&self) -> &'static str {
        "Gatling"
    }

    fn files_hint(&self) -> &'static str {
        "Gatling's simulation.log (a run folder under target/gatling/)"
    }

    /// Nothing by name alone: every log is `simulation.log`, and its
    /// scenario is in its content (see [`Reader::claim_by_content`]).
    fn claim(&self, _file_name: &str) -> Option<(String, Role)> {
        None
    }

    fn looks_like_result(&self, file_name: &[u8]) -> bool {
        file_name == LOG_NAME.as_bytes()
    }

    fn recognises(&self, path: &Path) -> bool {
        kind_of(&head(path)).is_some()
    }

    /// Any `simulation.log`: (its simulation id, stats); another `NAME.log`
    /// that is Gatling's by content: (`NAME`, stats), as a JTL is named.
    fn claim_by_content(&self, path: &Path) -> Option<(String, Role)> {
        let name = path.file_name()?.to_str()?;
        let kind = kind_of(&head(path));
        if name != LOG_NAME {
            let stem = name.strip_suffix(".log").filter(|s| !s.is_empty())?;
            return matches!(kind, Some(Kind::Text { .. }))
                .then(|| (stem.to_string(), Role::Stats));
        }
        let id = match kind {
            Some(Kind::Text { simulation_id }) => simulation_id,
            _ => None,
        };
        Some((id.unwrap_or_else(|| id_from_folder(path)), Role::Stats))
    }

    /// The progress bar is not advanced: the check command sizes it over
    /// the history files (Locust's), which a Gatling set has none of.
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
        match refuse(path).and_then(|()| read::read(path, observer)) {
            Ok((data, warnings)) => {
                out.data = Some(data);
                out.warnings = warnings;
            }
            Err(e) => out.errors.push(e),
        }
        out
    }
}

/// An error unless the file starts like a text log this reader reads.
fn refuse(path: &Path) -> Result<(), InputError> {
    let head = head(path);
    let at_line_1 = |message: String| InputError {
        path: path.to_path_buf(),
        line: Some(1),
        column: None,
        message,
    };
    match kind_of(&head) {
        Some(Kind::Text { .. }) => guard::sniff(path),
        Some(Kind::Binary { version }) => Err(InputError::file(
            path,
            format!(
                "a binary simulation.log (written by Gatling {}; Gatling 3.13 and later write this format): loadgate reads the text simulation.log of Gatling 2.2 to 3.12. The binary layout changes between Gatling versions (Gatling reads a log only with the version that wrote it), so run the simulation with Gatling 3.12 or earlier to gate on it",
                crate::format::display(&version)
            ),
        )),
        Some(Kind::Old) => Err(at_line_1(
            "the simulation.log layout of Gatling 2.0–2.1 (the record type in the third field): loadgate reads the logs of Gatling 2.2 to 3.12".into(),
        )),
        None if std::fs::metadata(path).is_ok_and(|m| m.len() == 0) => Err(at_line_1(
            "the file is empty: Gatling writes simulation.log through a buffer, so a run killed early (or still running) leaves it empty".into(),
        )),
        None => Err(at_line_1(
            "not a Gatling simulation.log: expected a first line `RUN\\t…` (or `ASSERTION\\t…` records before it), as Gatling 2.2 to 3.12 write".into(),
        )),
    }
}
