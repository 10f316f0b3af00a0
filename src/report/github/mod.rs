//! GitHub Actions: the job summary (Markdown for `$GITHUB_STEP_SUMMARY`), the
//! annotations (workflow commands for stdout), the step outputs (lines
//! for `$GITHUB_OUTPUT`) and the pull-request comment (`comment.md`).
//!
//! Everything here is a pure function from the [`Summary`] (and the report
//! view) to text: nothing reads the environment or writes a file. The caller
//! in `lib.rs` does that when `GITHUB_ACTIONS=true` or `--github` is given:
//! it appends [`job_summary()`] to the file named by `GITHUB_STEP_SUMMARY`,
//! prints [`annotations()`] on stdout, and appends [`outputs()`] to the file
//! named by `GITHUB_OUTPUT`. It builds the run link from `GITHUB_SERVER_URL`,
//! `GITHUB_REPOSITORY` and `GITHUB_RUN_ID`, and the heredoc delimiter with
//! [`delimiter_for`] from a random seed.
//!
//! The runner's rules shape each function. A step summary over 1 MiB is not
//! shown at all, so [`job_summary()`] sheds detail until it fits a budget.
//! GitHub shows 10 error and 10 warning annotations per step, so
//! [`annotations()`] emits at most that many of each. Untrusted text (scenario
//! and endpoint names, error messages) goes through [`escape_data`] and
//! [`escape_property`], so it can neither break the line nor start a second
//! command.
//!
//! The files:
//! - `mod.rs`: the budgets and limits callers use, the re-exports, and the
//!   cut that every output applies to untrusted text (`md`, `clip`).
//! - `job_summary.rs`: the job summary, its sections and the loop that sheds
//!   detail until it fits the budget.
//! - `comment.rs`: the pull-request comment (`comment.md`, `--format
//!   comment`): its hidden marker, the failed checks and the scenario ×
//!   metric matrix of the view, cut to GitHub's comment limit.
//! - `mermaid.rs`: the chart sections of the job summary: Mermaid
//!   `xychart-beta` blocks, their safe labels and numbers, and the
//!   requests/s series, each chart with a table of the same numbers.
//! - `annotations.rs`: the workflow commands, the runner's escaping rules and
//!   the cap per level.
//! - `outputs.rs`: the step outputs and their heredoc delimiter.
//! - `trend.rs`: the trend section of the job summary (with a run history).
//! - `test_support.rs` (tests only): Locust runs written and judged for the
//!   tests of each file.
//!
//! [`Summary`]: super::Summary

mod annotations;
pub mod comment;
mod job_summary;
mod mermaid;
mod outputs;
#[cfg(test)]
mod test_support;
mod trend;

pub use annotations::{annotations, escape_data, escape_property};
pub use job_summary::job_summary;
pub use outputs::{delimiter_for, outputs, outputs_of};

use super::templates::escape_markdown;
use crate::format;

/// The usual budget of [`job_summary()`] for `$GITHUB_STEP_SUMMARY`, in bytes:
/// half of GitHub's 1 MiB per step (over it the summary is not shown at
/// all), which leaves room for whatever else the step appends.
pub const STEP_SUMMARY_BUDGET: usize = 512 * 1024;

/// The budget of [`job_summary()`] for a pull-request comment, in bytes.
/// GitHub caps a comment at 65,536 characters; a character is at least one
/// byte, so this byte budget is safely below it.
pub const PR_COMMENT_BUDGET: usize = 60 * 1024;

/// GitHub shows at most this many error annotations, and as many warning
/// annotations, per step.
pub const MAX_ANNOTATIONS: usize = 10;

/// Untrusted text in Markdown is cut to this many characters.
const MAX_TEXT_CHARS: usize = 300;

/// Untrusted text for Markdown: cut to [`MAX_TEXT_CHARS`], then escaped.
fn md(text: &str) -> String {
    escape_markdown(&clip(text, MAX_TEXT_CHARS))
}

/// Shown escaped ([`format::display`]), cut to its first `max_chars`
/// characters and `…` when longer than `max_chars + 1`.
// Not an alias of `format::clipped`: that one counts the `…` within its
// limit, this one keeps `max_chars` characters of the text before it, so
// the limits named here are characters of the text.
fn clip(text: &str, max_chars: usize) -> String {
    format::clipped(text, max_chars + 1)
}
