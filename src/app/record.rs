//! A run's record in its history folder (`check --history DIR`): the run's
//! metadata resolved, the folder prepared before any work, the record
//! written once the outputs are.
//!
//! The commit and branch come from GitHub Actions (`GITHUB_SHA`,
//! `GITHUB_REF_NAME`), else from `git` in the current folder when it is
//! there and the folder is a checkout, else they are unknown: a missing
//! `git` is never an error.

use std::path::Path;
use std::process::{Command, Stdio};

use anyhow::{Context, bail};

use super::plan::Plan;
use crate::format::ShowPath;
use crate::model::{HISTORY_MARKER, RevisionSource, RunMeta};
use crate::report::Summary;

/// What the marker file says, for whoever opens the folder.
const MARKER_TEXT: &str = "\
This folder is a loadgate run history: one JSON record per `loadgate check --history DIR` run
(its summary.json with a \"run\" object: label, commit, branch, CI run), schema loadgate/summary/v1.
`loadgate check … --baseline DIR` compares with the median of its last comparable runs;
`loadgate trend DIR` renders them all. loadgate only ever adds records; this file marks the folder.
";

/// This run's metadata: `--label`, the revision, the CI run.
pub fn meta(plan: &Plan) -> RunMeta {
    let ci = &plan.revision;
    let (commit, branch, revision_source) = match &ci.sha {
        Some(sha) => (
            Some(sha.clone()),
            ci.ref_name.clone(),
            Some(RevisionSource::GithubActions),
        ),
        None => {
            let commit = git(&["rev-parse", "--verify", "-q", "HEAD"]);
            let branch = git(&["rev-parse", "--abbrev-ref", "HEAD"]).filter(|b| b != "HEAD");
            let source = (commit.is_some() || branch.is_some()).then_some(RevisionSource::Git);
            (commit, branch, source)
        }
    };
    RunMeta {
        label: plan.label.clone().filter(|l| !l.trim().is_empty()),
        commit,
        branch,
        revision_source,
        project: ci.repository.clone(),
        ci_run_id: ci.run_id.clone(),
        ci_run_attempt: ci.run_attempt.clone(),
        // A pinned time (SOURCE_DATE_EPOCH) is the run's time; else the
        // clock's, finer than generated_at's seconds, so runs of one
        // second keep their order.
        recorded_at: if plan.time_pinned { None } else { now_utc() },
    }
}

/// The clock's time to the microsecond, `2026-12-01T12:44:01.123456Z`.
fn now_utc() -> Option<String> {
    let now = time::OffsetDateTime::now_utc();
    let format = time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:6]Z"
    );
    now.format(&format).ok()
}

/// `git ARGS` in the current folder: its first output line, or `None` when
/// git is missing, fails, or says nothing. Never prompts, never waits on
/// stdin, takes no lock.
fn git(args: &[&str]) -> Option<String> {
    let output = Command::new("git")
        .args(args)
        .env("GIT_TERMINAL_PROMPT", "0")
        .env("GIT_OPTIONAL_LOCKS", "0")
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    if !output.status.success() {
        return None;
    }
    let text = String::from_utf8(output.stdout).ok()?;
    let line = text.lines().next()?.trim();
    (!line.is_empty()).then(|| line.to_string())
}

/// Make `dir` ready for records before any work: create it (and its
/// marker) when missing or empty; a folder that holds other files and no
/// marker is refused, so `--history` never turns a results folder into a
/// history.
pub fn prepare(dir: &Path, out: Option<&Path>) -> anyhow::Result<()> {
    if let Some(out) = out
        && std::fs::canonicalize(out)
            .ok()
            .is_some_and(|o| std::fs::canonicalize(dir).is_ok_and(|d| d == o))
    {
        bail!(
            "--history {} is the output folder; keep the run history in a folder of its own",
            dir.show()
        );
    }
    match std::fs::metadata(dir) {
        Ok(m) if !m.is_dir() => bail!("the run history {} is not a folder", dir.show()),
        Ok(_) if crate::ingest::records::is_history(dir) => return Ok(()),
        Ok(_) => {
            let entries = std::fs::read_dir(dir)
                .with_context(|| format!("reading the run history {}", dir.show()))?;
            let visible = entries
                .filter_map(Result::ok)
                .any(|e| !e.file_name().to_string_lossy().starts_with('.'));
            if visible {
                bail!(
                    "{} holds files but is not a loadgate run history (no {HISTORY_MARKER}); give --history a new or empty folder (or, for a history that lost that file, create it)",
                    dir.show()
                );
            }
        }
        Err(_) => std::fs::create_dir_all(dir)
            .with_context(|| format!("creating the run history {}", dir.show()))?,
    }
    crate::report::output::create_if_missing(&dir.join(HISTORY_MARKER), MARKER_TEXT.as_bytes())?;
    Ok(())
}

/// Write this run's record into `dir`; its path. Never replaces a file.
pub fn write(
    dir: &Path,
    summary: &Summary<'_>,
    meta: &RunMeta,
) -> anyhow::Result<std::path::PathBuf> {
    let bytes = crate::report::record::render(summary, meta)?;
    let stem = crate::report::record::file_stem(
        meta.recorded_at.as_deref().unwrap_or(&summary.generated_at),
        meta,
        std::process::id(),
    );
    crate::report::output::write_new_file(dir, &stem, ".json", &bytes)
}
