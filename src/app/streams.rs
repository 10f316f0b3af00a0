//! The only writes to stdout and stderr. Text for people goes through
//! [`format::guard_lines`] (no raw control character, no line that starts a
//! workflow command); loadgate's own workflow commands go through
//! [`commands`]. A closed pipe (`loadgate check | head`) is not an error, and
//! nothing here panics on one.

use std::io::Write;

use anyhow::Context;

use crate::format;

pub const YELLOW: anstyle::Style = anstyle::AnsiColor::Yellow.on_default().bold();
pub const RED: anstyle::Style = anstyle::AnsiColor::Red.on_default().bold();

/// Bytes to stdout as they are (a report for `--out -`, a schema, completions).
pub fn out(bytes: &[u8]) -> anyhow::Result<()> {
    let mut stdout = anstream::stdout().lock();
    match stdout.write_all(bytes).and_then(|()| stdout.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e).context("writing to stdout"),
        _ => Ok(()),
    }
}

/// Text for people to stdout, guarded.
pub fn out_text(text: &str) -> anyhow::Result<()> {
    out(format::guard_lines(text).as_bytes())
}

/// loadgate's own workflow commands (annotations), unguarded: they are
/// built escaped (see `report::github`). On stdout, or on stderr when
/// stdout holds a report.
pub fn commands(text: &str, on_stderr: bool) -> anyhow::Result<()> {
    if on_stderr {
        let _ = std::io::stderr().lock().write_all(text.as_bytes());
        Ok(())
    } else {
        out(text.as_bytes())
    }
}

/// A line for people on stderr, guarded; errors writing it are ignored
/// (there is nowhere left to report them).
pub fn err_line(text: &str) {
    let mut stderr = anstream::stderr().lock();
    let _ = writeln!(stderr, "{}", format::guard_lines(text));
}

/// `warning: …` on stderr, one line: the message is shown escaped whole.
pub fn warning(message: &str) {
    labelled(YELLOW, "warning", message);
}

/// `error: …` on stderr, one line.
pub fn error(message: &str) {
    labelled(RED, "error", message);
}

fn labelled(style: anstyle::Style, label: &str, message: &str) {
    let mut stderr = anstream::stderr().lock();
    let _ = writeln!(
        stderr,
        "{style}{label}:{style:#} {}",
        format::guard_lines(&format::display(message))
    );
}
