//! `loadgate init`: read the results, write a starter `loadgate.toml`
//! (the text comes from [`crate::init`], which does no I/O).

use std::path::Path;

use anyhow::{Context, bail};

use super::load::ingest_set;
use super::streams;
use crate::cli::InitArgs;
use crate::format::ShowPath;

/// `loadgate init`: measure the results and write a starter config.
pub fn run(args: &InitArgs) -> anyhow::Result<()> {
    let to_stdout = args.output == Path::new("-");
    if !to_stdout && args.output.exists() && !args.force {
        bail!(
            "{} already exists; use --force to overwrite it, or --output FILE to write elsewhere",
            args.output.show()
        );
    }
    let found = crate::discover::discover(&args.paths, None);
    let mut problems = found.errors;
    problems.extend(found.duplicates.into_iter().map(|(_, m)| m));
    let mut measured = Vec::new();
    for set in &found.sets {
        let input = ingest_set(set, None, None);
        problems.extend(input.errors);
        if let Some(data) = input.data {
            measured.push((set.name.clone(), data));
        }
    }
    if !problems.is_empty() {
        bail!(
            "the results could not be read:\n  {}",
            problems.join("\n  ")
        );
    }
    if measured.is_empty() {
        bail!(
            "no load-test results found in {} (looked for {})",
            args.paths
                .iter()
                .map(|p| p.show().to_string())
                .collect::<Vec<_>>()
                .join(", "),
            crate::ingest::files_hint()
        );
    }
    let refs: Vec<(String, &crate::model::ScenarioData)> =
        measured.iter().map(|(n, d)| (n.clone(), d)).collect();
    let text = crate::init::starter_config(&refs, None);
    for warning in crate::init::warnings(&refs) {
        streams::warning(&warning);
    }
    if to_stdout {
        return streams::out_text(&text);
    }
    args.output
        .file_name()
        .context("--output needs a file name")?;
    crate::report::output::write_file_atomic(&args.output, text.as_bytes())?;
    streams::err_line(&format!(
        "wrote {} with targets for {} scenarios, measured from the results; review them, then run `loadgate check`",
        args.output.show(),
        measured.len()
    ));
    Ok(())
}
