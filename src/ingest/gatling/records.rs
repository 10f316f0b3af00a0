//! One line of a text `simulation.log` as a typed record: the tab-separated
//! fields split without allocating, checked and typed by the layout of the
//! Gatling version that wrote them (see the module doc of
//! [`gatling`](super) for the layouts).

/// Unix times in ms a load test can plausibly have: 2000-01-01 to 2100-01-01.
const PLAUSIBLE_MS: std::ops::Range<u64> = 946_684_800_000..4_102_444_800_000;

/// Fields kept per line; a 2.x REQUEST may have more (its `extraInfo`),
/// which are counted but not read.
const MAX_FIELDS: usize = 12;

/// The field layout of a text simulation.log, by Gatling version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Layout {
    /// Gatling 2.2 and 2.3: USER, REQUEST and GROUP carry the scenario and
    /// the user id; errors are written under the GROUP header.
    V2,
    /// Gatling 3.x, until the first USER, REQUEST or GROUP record tells
    /// 3.0–3.3 from 3.4 on by its number of fields.
    V3Unsettled,
    /// Gatling 3.0 to 3.3: a user id in USER, REQUEST and GROUP.
    V3UserIds,
    /// Gatling 3.4 to 3.12.
    V3,
}

impl Layout {
    /// The Gatling versions that write this layout, for messages.
    pub(super) fn versions(self) -> &'static str {
        match self {
            Layout::V2 => "Gatling 2.2 to 2.3",
            Layout::V3Unsettled => "Gatling 3.x",
            Layout::V3UserIds => "Gatling 3.0 to 3.3",
            Layout::V3 => "Gatling 3.4 to 3.12",
        }
    }
}

/// One record of the log.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Record<'a> {
    /// `ASSERTION`: a pickled assertion (base64), not decoded.
    Assertion,
    Run {
        simulation_id: &'a str,
        start_ms: u64,
        /// The Gatling version, as 3.x writes it (2.x writes the format's `2.0`).
        version: Option<&'a str>,
    },
    /// A user started (`START`) or ended.
    User { start: bool, ms: u64 },
    Request {
        /// The group hierarchy, outermost first, joined by `,`; empty outside groups.
        groups: &'a str,
        name: &'a str,
        start_ms: u64,
        end_ms: u64,
        ok: bool,
        /// Gatling writes a space for no message.
        message: &'a str,
    },
    /// A group's timing (not a request: its requests have records of their own).
    Group,
    /// A request Gatling could not send (`requestName: error `).
    Error { message: &'a str },
}

/// What is wrong with a line: the field at fault (by name) and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Fault {
    pub(super) column: Option<&'static str>,
    pub(super) message: String,
}

impl Fault {
    fn line(message: impl Into<String>) -> Fault {
        Fault {
            column: None,
            message: message.into(),
        }
    }

    fn at(column: &'static str, message: impl Into<String>) -> Fault {
        Fault {
            column: Some(column),
            message: message.into(),
        }
    }
}

/// A line's fields: the first [`MAX_FIELDS`], and how many there are.
struct Fields<'a> {
    at: [&'a str; MAX_FIELDS],
    len: usize,
}

impl<'a> Fields<'a> {
    fn split(line: &'a str) -> Fields<'a> {
        let mut at = [""; MAX_FIELDS];
        let mut len = 0;
        let mut start = 0;
        for tab in memchr::memchr_iter(b'\t', line.as_bytes()).chain([line.len()]) {
            if len < MAX_FIELDS {
                at[len] = &line[start..tab];
            }
            len += 1;
            start = tab + 1;
        }
        Fields { at, len }
    }

    fn get(&self, i: usize) -> &'a str {
        self.at.get(i).copied().unwrap_or_default()
    }
}

/// Reads the lines of one log in order: which layout it has, and each
/// line as a [`Record`].
#[derive(Debug)]
pub(super) struct Parser {
    /// `None` before the RUN record.
    layout: Option<Layout>,
    /// The times accepted ([`PLAUSIBLE_MS`]).
    times: std::ops::Range<u64>,
}

impl Parser {
    pub(super) fn new() -> Parser {
        Parser {
            layout: None,
            times: PLAUSIBLE_MS,
        }
    }

    /// A parser that takes any time (Gatling's own test logs start at 1970).
    #[cfg(test)]
    pub(super) fn any_time() -> Parser {
        Parser {
            times: 0..u64::MAX,
            ..Parser::new()
        }
    }

    pub(super) fn layout(&self) -> Option<Layout> {
        self.layout
    }

    /// One line (without its line break) as a record.
    pub(super) fn parse<'a>(&mut self, line: &'a [u8]) -> Result<Record<'a>, Fault> {
        let line = std::str::from_utf8(line)
            .map_err(|_| Fault::line("the line is not valid UTF-8 (Gatling writes UTF-8 unless gatling.core.encoding says otherwise)"))?;
        let f = Fields::split(line);
        let kind = f.get(0);
        let Some(layout) = self.layout else {
            return match kind {
                "ASSERTION" => Ok(Record::Assertion),
                "RUN" => self.run(&f),
                _ => Err(Fault::line(format!(
                    "expected the RUN record (or ASSERTION records before it), found `{}`",
                    clip(kind)
                ))),
            };
        };
        match kind {
            "ASSERTION" => Ok(Record::Assertion),
            "RUN" => Err(Fault::line(
                "a second RUN record: two simulation.log files joined into one? loadgate reads one run a file",
            )),
            "USER" => self.user(layout, &f),
            "REQUEST" => self.request(layout, &f),
            "ERROR" => self.error(&f),
            // 2.x wrote its error records with the GROUP header.
            "GROUP" if layout == Layout::V2 && f.len == 3 => self.error(&f),
            "GROUP" => self.group(layout, &f),
            other => Err(Fault::line(format!(
                "`{}` is not a record type of a Gatling simulation.log (RUN, USER, REQUEST, GROUP, ERROR, ASSERTION)",
                clip(other)
            ))),
        }
    }

    /// `RUN`: 3.x `RUN class simulationId start description version`;
    /// 2.x `RUN class userDefinedId defaultId start description 2.0`.
    fn run<'a>(&mut self, f: &Fields<'a>) -> Result<Record<'a>, Fault> {
        let (layout, id, start, version) = match f.len {
            6 => (
                Layout::V3Unsettled,
                f.get(2),
                f.get(3),
                Some(f.get(5).trim()).filter(|v| !v.is_empty()),
            ),
            7 => {
                let id = Some(f.get(2)).filter(|id| !id.is_empty());
                (Layout::V2, id.unwrap_or(f.get(3)), f.get(4), None)
            }
            n => {
                return Err(Fault::line(format!(
                    "the RUN record has {n} fields; Gatling 3.x writes 6 (RUN, class, simulation id, start, description, version) and 2.2–2.3 write 7"
                )));
            }
        };
        let start_ms = self.time(start, "start")?;
        self.layout = Some(layout);
        Ok(Record::Run {
            simulation_id: id.trim(),
            start_ms,
            version,
        })
    }

    /// Settle 3.0–3.3 against 3.4 on by a record's field count (`old`, `new`).
    fn settle(&mut self, layout: Layout, len: usize, old: usize, new: usize) -> Layout {
        if layout != Layout::V3Unsettled {
            return layout;
        }
        let settled = if len == old {
            Layout::V3UserIds
        } else if len == new {
            Layout::V3
        } else {
            return layout;
        };
        self.layout = Some(settled);
        settled
    }

    /// `USER scenario START|END ms` (3.4 on); `USER scenario userId START|END
    /// userStart ms` (2.x, 3.0–3.3: a start's time is its user start).
    fn user<'a>(&mut self, layout: Layout, f: &Fields<'a>) -> Result<Record<'a>, Fault> {
        let layout = self.settle(layout, f.len, 6, 4);
        let (event, at) = match layout {
            Layout::V3 => (2, 3),
            _ => (3, 4),
        };
        expect(
            f,
            layout,
            "USER",
            if layout == Layout::V3 { 4 } else { 6 },
            false,
        )?;
        let start = match f.get(event) {
            "START" => true,
            "END" => false,
            other => {
                return Err(Fault::at(
                    "event",
                    format!("expected START or END, found `{}`", clip(other)),
                ));
            }
        };
        let field = if start || layout == Layout::V3 {
            at
        } else {
            at + 1
        };
        Ok(Record::User {
            start,
            ms: self.time(f.get(field), "timestamp")?,
        })
    }

    /// `REQUEST groups name start end status message` (3.4 on), with a user
    /// id before the groups (3.0–3.3), and the scenario too (2.x, whose
    /// `extraInfo` fields may follow the message).
    fn request<'a>(&mut self, layout: Layout, f: &Fields<'a>) -> Result<Record<'a>, Fault> {
        let layout = self.settle(layout, f.len, 8, 7);
        let (first, fields, more_allowed) = match layout {
            Layout::V2 => (3, 9, true),
            Layout::V3UserIds => (2, 8, false),
            _ => (1, 7, false),
        };
        expect(f, layout, "REQUEST", fields, more_allowed)?;
        let start_ms = self.time(f.get(first + 2), "start")?;
        let end_ms = self.time(f.get(first + 3), "end")?;
        if end_ms < start_ms {
            return Err(Fault::at(
                "end",
                format!("the request ends ({end_ms}) before it starts ({start_ms})"),
            ));
        }
        Ok(Record::Request {
            groups: f.get(first),
            name: f.get(first + 1),
            start_ms,
            end_ms,
            ok: status(f.get(first + 4))?,
            message: f.get(first + 5),
        })
    }

    /// `GROUP groups start end cumulatedResponseTime status` (3.4 on), with
    /// a user id (3.0–3.3), and the scenario too (2.x). Checked, not kept.
    fn group<'a>(&mut self, layout: Layout, f: &Fields<'a>) -> Result<Record<'a>, Fault> {
        let layout = self.settle(layout, f.len, 7, 6);
        let (first, fields) = match layout {
            Layout::V2 => (3, 8),
            Layout::V3UserIds => (2, 7),
            _ => (1, 6),
        };
        expect(f, layout, "GROUP", fields, false)?;
        let start = self.time(f.get(first + 1), "start")?;
        let end = self.time(f.get(first + 2), "end")?;
        if end < start {
            return Err(Fault::at(
                "end",
                format!("the group ends ({end}) before it starts ({start})"),
            ));
        }
        number(f.get(first + 3), "cumulated response time")?;
        status(f.get(first + 4))?;
        Ok(Record::Group)
    }

    /// `ERROR message ms` (2.x: `GROUP message ms`).
    fn error<'a>(&self, f: &Fields<'a>) -> Result<Record<'a>, Fault> {
        if f.len != 3 {
            return Err(Fault::line(format!(
                "an ERROR record has {} fields; Gatling writes 3 (ERROR, message, timestamp)",
                f.len
            )));
        }
        self.time(f.get(2), "timestamp")?;
        Ok(Record::Error { message: f.get(1) })
    }

    /// A Unix time in ms, within the parser's window.
    fn time(&self, text: &str, column: &'static str) -> Result<u64, Fault> {
        let t = text.trim();
        if t.is_empty() || !t.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Fault::at(
                column,
                format!("expected a Unix time in milliseconds, found `{}`", clip(t)),
            ));
        }
        match t.parse::<u64>() {
            Ok(ms) if self.times.contains(&ms) => Ok(ms),
            _ => Err(Fault::at(
                column,
                format!(
                    "{} is not a plausible time of a load test in Unix milliseconds (before 2000 or after 2100)",
                    clip(t)
                ),
            )),
        }
    }
}

/// Check a record's field count: `fields` exactly, or at least when
/// `more_allowed`.
fn expect(
    f: &Fields<'_>,
    layout: Layout,
    kind: &str,
    fields: usize,
    more_allowed: bool,
) -> Result<(), Fault> {
    if f.len == fields || (more_allowed && f.len > fields) {
        return Ok(());
    }
    let also = match (layout, kind) {
        (Layout::V3Unsettled, "USER") => " (6 with 3.0–3.3's user ids, 4 from 3.4 on)",
        (Layout::V3Unsettled, "REQUEST") => " (8 with 3.0–3.3's user ids, 7 from 3.4 on)",
        (Layout::V3Unsettled, _) => " (7 with 3.0–3.3's user ids, 6 from 3.4 on)",
        _ => "",
    };
    let at_least = if more_allowed { "at least " } else { "" };
    Err(Fault::line(format!(
        "a {kind} record with {} fields, where {} writes {at_least}{fields}{also}: a tab in a name, or a line cut short?",
        f.len,
        layout.versions()
    )))
}

/// `OK` or `KO`.
fn status(text: &str) -> Result<bool, Fault> {
    match text {
        "OK" => Ok(true),
        "KO" => Ok(false),
        other => Err(Fault::at(
            "status",
            format!("expected OK or KO, found `{}`", clip(other)),
        )),
    }
}

/// A whole number of 0 or more.
fn number(text: &str, column: &'static str) -> Result<u64, Fault> {
    let t = text.trim();
    if t.is_empty() || !t.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Fault::at(
            column,
            format!(
                "expected a whole number of milliseconds, found `{}`",
                clip(t)
            ),
        ));
    }
    t.parse::<u64>()
        .map_err(|_| Fault::at(column, format!("`{}` is too large", clip(t))))
}

/// At most 60 characters of untrusted text, for a message.
fn clip(text: &str) -> String {
    match text.char_indices().nth(60) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_string(),
    }
}
