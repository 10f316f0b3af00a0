//! `loadgate compare BASE CURRENT`: the baseline comparison alone, as a
//! table, with the tolerances `check` would use.

use std::path::Path;

use anyhow::bail;

use super::load::{find_config, load_config, load_run};
use super::streams;
use crate::cli::CompareArgs;
use crate::format::ShowPath;

/// `loadgate compare BASE CURRENT`: print the comparison table; returns
/// whether anything regressed.
pub fn run(args: &CompareArgs) -> anyhow::Result<bool> {
    // The same lookup as `check`, from the CURRENT side.
    let config = match &args.config {
        Some(path) => load_config(Some(path), &[])?,
        None => {
            let folder = if args.current.is_dir() {
                Some(args.current.clone())
            } else {
                args.current.parent().map(Path::to_path_buf)
            };
            find_config(folder)?
        }
    };
    let mut base = load_run(&args.base, None)?;
    let mut current = load_run(&args.current, None)?;
    crate::evaluate::group::apply_to_run(&config, &mut base);
    crate::evaluate::group::apply_to_run(&config, &mut current);
    let (info, results) = crate::evaluate::compare_runs(&config, &base, &current);
    let mut notes: Vec<String> = info
        .new_scenarios
        .iter()
        .map(|n| format!("new scenario (not in the baseline): {n}"))
        .collect();
    let mut compared = Vec::new();
    for (name, result) in results {
        notes.extend(
            result
                .no_rank_test
                .iter()
                .map(|why| format!("{name}: no rank test: {why}")),
        );
        notes.extend(
            result
                .new_endpoints
                .iter()
                .map(|e| format!("{name}: new endpoint {e}")),
        );
        notes.extend(
            result
                .vanished_endpoints
                .iter()
                .map(|e| format!("{name}: endpoint no longer present: {e}")),
        );
        compared.push((name, result.comparisons));
    }
    notes.extend(
        info.vanished_scenarios
            .iter()
            .map(|n| format!("scenario no longer present: {n}")),
    );
    if compared.is_empty() {
        bail!(
            "{} and {} have no scenario in common, so nothing can be compared",
            args.base.show(),
            args.current.show()
        );
    }
    let (text, regressed) = table(args, &config, &compared, &notes);
    streams::out_text(&text)?;
    Ok(regressed > 0)
}

/// The table, its notes and the verdict line; and how many metrics regressed.
fn table(
    args: &CompareArgs,
    config: &crate::config::Config,
    compared: &[(String, Vec<crate::evaluate::compare::Comparison>)],
    notes: &[String],
) -> (String, usize) {
    let rows: Vec<(&str, &crate::evaluate::compare::Comparison)> = compared
        .iter()
        .flat_map(|(name, cs)| cs.iter().map(move |c| (name.as_str(), c)))
        .collect();
    let regressed = rows
        .iter()
        .filter(|(_, c)| c.verdict == crate::evaluate::compare::Verdict::Regressed)
        .count();
    let mut text = format!(
        "{} → {} (tolerances: {})\n\n",
        args.base.show(),
        args.current.show(),
        if config.regression.is_some() {
            config.source_label()
        } else {
            "built-in".to_string()
        }
    );
    text.push_str(&crate::report::terminal::render_comparisons(&rows));
    for note in notes {
        text.push_str(&format!("note: {note}\n"));
    }
    text.push_str(&match regressed {
        0 => format!("\nNo regression: {} metrics compared.\n", rows.len()),
        n => format!("\nREGRESSED: {n} of {} compared metrics.\n", rows.len()),
    });
    (text, regressed)
}
