//! GitHub Actions: the job summary and step outputs appended to the files
//! the runner names, and what the workflow learns when loadgate could not
//! judge at all. The Markdown and the commands are built in `report::github`;
//! this module does their I/O.

use std::io::Write;
use std::path::Path;

use super::plan::GithubEnv;
use super::streams;
use crate::format::{self, ShowPath};
use crate::report::Summary;

/// Append the job summary to `$GITHUB_STEP_SUMMARY` and the step outputs to
/// `$GITHUB_OUTPUT`. A file that cannot be written is a warning (returned),
/// never the end of the annotations.
pub fn write_files(
    gh: &GithubEnv,
    summary: &Summary<'_>,
    report_dir: &str,
) -> anyhow::Result<Vec<String>> {
    let run_url = gh.run_url.clone();
    let view = crate::report::view::build(summary, false)?;
    let markdown = crate::report::github::job_summary(
        summary,
        &view,
        report_dir,
        run_url.as_deref(),
        crate::report::github::STEP_SUMMARY_BUDGET,
    );
    let mut problems = Vec::new();
    problems.extend(append(
        gh.step_summary.as_deref(),
        "GITHUB_STEP_SUMMARY",
        &markdown,
    ));
    let delimiter = crate::report::github::delimiter_for(&delimiter_seed(), &[report_dir]);
    let outputs =
        crate::report::github::outputs(summary, summary.counts.regressions, report_dir, &delimiter);
    problems.extend(append(gh.output.as_deref(), "GITHUB_OUTPUT", &outputs));
    Ok(problems)
}

/// A delimiter seed nobody can predict from the input.
fn delimiter_seed() -> String {
    format!(
        "{}_{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos())
    )
}

/// Append `text` to the file the runner names in `var`; what went wrong, if
/// anything. Only a regular file (or none yet) is opened: a FIFO or device
/// there would block or swallow the text.
fn append(path: Option<&Path>, var: &str, text: &str) -> Option<String> {
    let path = path?;
    if let Ok(meta) = std::fs::metadata(path)
        && !meta.is_file()
    {
        return Some(format!(
            "${var} ({}) is not a regular file; nothing was written to it",
            path.show()
        ));
    }
    let written = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .and_then(|mut file| file.write_all(text.as_bytes()));
    written.err().map(|e| {
        format!(
            "${var} ({}) could not be written: {e}; the annotations are still printed",
            path.show()
        )
    })
}

/// In GitHub mode, when `check` could not judge at all (exit code 2 before
/// any summary, such as a config error): `status=error` in `$GITHUB_OUTPUT`,
/// one `::error` annotation with the reason, and a short job summary that
/// says loadgate could not judge and why, so a workflow's next steps never
/// read empty outputs.
pub fn report_error(gh: &GithubEnv, report_dir: &str, error: &anyhow::Error) {
    let reason = format!("{error:#}");
    let mut markdown = String::from(
        "## ❌ loadgate could not judge this run\n\nNo verdict: exit code 2. The reason:\n\n",
    );
    for line in reason.lines() {
        markdown.push_str("> ");
        markdown.push_str(&crate::report::templates::escape_markdown(line));
        markdown.push('\n');
    }
    if let Some(url) = &gh.run_url {
        markdown.push_str(&format!("\nSee the log of [this workflow run]({url}).\n"));
    }
    let mut problems = Vec::new();
    problems.extend(append(
        gh.step_summary.as_deref(),
        "GITHUB_STEP_SUMMARY",
        &markdown,
    ));
    let delimiter = crate::report::github::delimiter_for(&delimiter_seed(), &[report_dir]);
    let outputs = crate::report::github::outputs_of("error", 0, 0, report_dir, &delimiter);
    problems.extend(append(gh.output.as_deref(), "GITHUB_OUTPUT", &outputs));
    for problem in problems {
        streams::warning(&problem);
    }
    // The annotation last, on stdout like every annotation.
    let _ = streams::commands(
        &format!(
            "::error title=loadgate::{}\n",
            crate::report::github::escape_data(&format::display_lines(&format!(
                "could not judge: {reason}"
            )))
        ),
        false,
    );
}
