//! `loadgate check`, top to bottom: load what must parse (templates,
//! config), find the result sets, make sure the outputs may be written, read
//! every set, judge them (with the baseline), render every output, write the
//! set, then tell people (terminal) and the CI runner (annotations, job
//! summary, step outputs).

use std::path::PathBuf;

use anyhow::bail;

use super::load::{ingest_set, load_config, load_run};
use super::plan::{Dest, Plan};
use super::{Outcome, github, streams};
use crate::config::{self, Config, ConfigSource, DefaultsOrigin};
use crate::discover::{self, Discovery};
use crate::evaluate::{self, ScenarioInput, window::Probes};
use crate::format::{self, ShowPath};
use crate::model::RunSnapshot;
use crate::report::templates::Templates;
use crate::report::terminal::Verbosity;
use crate::report::{self, Format, OutputDir, OutputSet, RunStatus, Summary};

/// `loadgate check`: the whole pipeline.
pub fn run(plan: &Plan) -> anyhow::Result<Outcome> {
    // Fail before any work when the templates or the config do not parse, a
    // PATH does not exist, or the outputs may not be written.
    let templates = load_templates(plan)?;
    let config = load_config(plan.config.as_deref(), &plan.paths)?;
    for path in &plan.paths {
        if std::fs::symlink_metadata(path).is_err() {
            bail!("{}: no such file or folder", path.show());
        }
    }
    let found = discover::discover(&plan.paths, plan.out_dir());
    let out = prepare_outputs(plan, &config, &found)?;

    let (inputs, errors, mut warnings) = read_sets(plan, &config, found);
    let baseline = match &plan.baseline {
        Some(path) => {
            let mut run = load_run(path, plan.out_dir())?;
            evaluate::group::apply_to_run(&config, &mut run);
            Some(run)
        }
        None => None,
    };
    warnings.extend(config_warnings(&config, baseline.as_ref()));
    let evaluation = evaluate::evaluate(&config, inputs, baseline.as_ref());
    warnings.extend(evaluation.warnings);
    let results = evaluation.results;
    warnings.extend(defaults_warning(&config));

    let mut summary = Summary::new(
        config
            .title
            .clone()
            .unwrap_or_else(|| "Load test results".to_string()),
        config.source_label(),
        plan.generated_at.clone(),
        &results,
        evaluation.baseline,
        warnings,
        errors,
    );
    summary.max_endpoints = config.report.max_endpoints;
    if let Some(path) = &plan.dump_context {
        dump_context(path, &summary)?;
    }
    let written = write_outputs(&summary, plan, &config, templates.as_ref(), out.as_ref())?;
    tell(plan, &summary, written, out.as_ref())?;
    Ok(Outcome {
        status: summary.status,
    })
}

/// The templates, when a format needs them.
fn load_templates(plan: &Plan) -> anyhow::Result<Option<Templates>> {
    let needed = plan
        .formats
        .iter()
        .any(|f| matches!(f, Format::Md | Format::Html));
    Ok(match needed {
        true => Some(Templates::load(plan.templates.as_deref())?),
        false => None,
    })
}

/// The output folder, checked: it may be written, and no planned output
/// would replace a file loadgate did not write or one of the inputs.
fn prepare_outputs(
    plan: &Plan,
    config: &Config,
    found: &Discovery,
) -> anyhow::Result<Option<OutputDir>> {
    let Dest::Folder(dir) = &plan.dest else {
        return Ok(None);
    };
    let mut planned: Vec<&str> = plan.formats.iter().map(|f| f.file_name()).collect();
    if plan.formats.iter().any(|f| f.has_charts()) {
        planned.push("charts/*");
    }
    let mut inputs: Vec<PathBuf> = found.sets.iter().flat_map(|s| s.files.all()).collect();
    inputs.extend(plan.config.iter().cloned());
    if let ConfigSource::File(p) = &config.source {
        inputs.push(p.clone());
    }
    inputs.extend(plan.baseline.iter().cloned());
    Ok(Some(OutputDir::prepare(dir, &planned, &inputs)?))
}

/// Read every result set found, with the windowed checks that follow its
/// history; duplicates become scenarios in error. Returns the inputs (sorted
/// by name) and discovery's errors and warnings.
fn read_sets(
    plan: &Plan,
    config: &Config,
    found: Discovery,
) -> (Vec<ScenarioInput>, Vec<String>, Vec<String>) {
    let mut errors = found.errors;
    if found.sets.is_empty() && found.duplicates.is_empty() && errors.is_empty() {
        errors.push(format!(
            "no load-test results found in {} (looked for {})",
            plan.paths
                .iter()
                .map(|p| p.show())
                .collect::<Vec<_>>()
                .join(", "),
            crate::ingest::files_hint()
        ));
    }
    let progress = progress_bar(&found.sets, plan.progress);
    let mut inputs: Vec<ScenarioInput> = found
        .sets
        .iter()
        .map(|set| {
            // Matched once: the probes and the judging use the same table.
            let resolved = config.scenario_for(&set.name);
            let sc = resolved.as_ref().ok().copied().flatten();
            let mut input = ingest_set(set, Probes::for_scenario(config, sc), progress.as_ref());
            input.scenario = Some(resolved.map(|sc| sc.map(|s| s.key.clone())));
            input
        })
        .collect();
    if let Some(bar) = progress {
        bar.finish_and_clear();
    }
    for (name, message) in found.duplicates {
        inputs.push(ScenarioInput {
            name,
            errors: vec![message],
            ..ScenarioInput::default()
        });
    }
    inputs.sort_by(|a, b| a.name.cmp(&b.name));
    (inputs, errors, found.warnings)
}

/// Built-in regression tolerances in use with a baseline.
fn config_warnings(config: &Config, baseline: Option<&RunSnapshot>) -> Option<String> {
    (baseline.is_some() && config.regression.is_none()).then(|| {
        format!(
            "built-in regression tolerances in use ({}, noise floor {}): the config has no [regression] table",
            config::DEFAULT_TOLERANCES
                .iter()
                .map(|(m, t)| format!("{m} {t}"))
                .collect::<Vec<_>>()
                .join(", "),
            format::ms(config::DEFAULT_NOISE_FLOOR_MS)
        )
    })
}

/// Built-in default targets in use.
fn defaults_warning(config: &Config) -> Option<String> {
    (config.defaults_origin == DefaultsOrigin::BuiltIn).then(|| {
        format!(
            "built-in default targets in use ({}): {}",
            config::BUILTIN_DEFAULTS.join(", "),
            match config.source {
                ConfigSource::BuiltIn => "no loadgate.toml found",
                ConfigSource::File(_) => "the config has no [defaults] table",
            }
        )
    })
}

/// A progress bar over the history bytes, for inputs big enough to take a
/// while (≥ 64 MB of history, about a second), where the plan allows one
/// (a terminal, not CI, not `--quiet`).
fn progress_bar(sets: &[discover::ResultSet], allowed: bool) -> Option<indicatif::ProgressBar> {
    const LARGE: u64 = 64 * 1024 * 1024;
    if !allowed {
        return None;
    }
    let total: u64 = sets
        .iter()
        .filter_map(|s| s.files.history.as_ref())
        .filter_map(|p| std::fs::metadata(p).ok())
        .map(|m| m.len())
        .sum();
    if total < LARGE {
        return None;
    }
    let bar = indicatif::ProgressBar::new(total);
    bar.set_style(
        indicatif::ProgressStyle::with_template("reading history {bar:30} {binary_bytes}/{binary_total_bytes} {binary_bytes_per_sec} eta {eta}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    Some(bar)
}

/// `--dump-context FILE`: the one value every template gets, as JSON (the
/// charts' SVG included), so a template author sees every field.
fn dump_context(path: &std::path::Path, summary: &Summary<'_>) -> anyhow::Result<()> {
    let view = report::view::build(summary, true)?;
    let mut json = serde_json::to_vec_pretty(&view)?;
    json.push(b'\n');
    if path.as_os_str() == "-" {
        return streams::out(&json);
    }
    // Only an earlier dump is ever replaced: a mistyped path must not
    // overwrite a result file.
    if let Ok(existing) = std::fs::read(path)
        && !existing.starts_with(b"{\n  \"title\"")
    {
        bail!(
            "{} exists and is not a context written by --dump-context; choose another file",
            path.show()
        );
    }
    report::output::write_file_atomic(path, &json)
}

/// What the outputs step produced.
enum Written {
    /// The one format, for stdout (`--out -`).
    Stdout(Vec<u8>),
    /// Files in the output folder; a line saying which.
    Folder(String),
}

/// Render every selected format and write the set (or return it for stdout).
fn write_outputs(
    summary: &Summary<'_>,
    plan: &Plan,
    config: &Config,
    templates: Option<&Templates>,
    out: Option<&OutputDir>,
) -> anyhow::Result<Written> {
    let formats = plan.formats.as_slice();
    let with_charts = out.is_some() && formats.iter().any(|f| f.has_charts());
    let view = match formats.iter().any(|f| f.needs_view()) {
        true => Some(report::view::build(summary, with_charts)?),
        false => None,
    };
    let config_file = match &config.source {
        ConfigSource::File(p) => Some(p.as_path()),
        ConfigSource::BuiltIn => None,
    };
    let render = |format: Format| -> anyhow::Result<Vec<u8>> {
        match (format, templates, &view) {
            (Format::Json, _, _) => report::json::render(summary),
            (Format::Junit, _, _) => report::junit::render(summary),
            (Format::Gitlab, _, _) => {
                report::gitlab::render(summary, config_file, plan.project_dir.as_deref())
            }
            (Format::Md, Some(t), Some(v)) => t.render(report::templates::MARKDOWN, v),
            (Format::Html, Some(t), Some(v)) => t.render(report::templates::HTML, v),
            (Format::Comment, _, Some(v)) => Ok(report::github::comment::comment(
                summary,
                v,
                &plan.comment,
                report::github::comment::COMMENT_BUDGET,
            )
            .into_bytes()),
            // Templates are loaded whenever md or html is selected, the view
            // whenever a format needs it.
            (Format::Md | Format::Html | Format::Comment, _, _) => {
                bail!("templates or view not loaded")
            }
        }
    };
    let Some(out) = out else {
        return match formats {
            [format] => Ok(Written::Stdout(render(*format)?)),
            _ => bail!("--out - writes exactly one format"),
        };
    };
    // Every file is rendered before any is written; the set is switched in whole.
    let mut set = OutputSet::default();
    let mut names: Vec<String> = Vec::new();
    // summary.json first: the verdict, in the list of what was written too.
    let mut ordered = formats.to_vec();
    ordered.sort_by_key(|f| *f != Format::Json);
    for format in ordered {
        match format {
            // Written straight to its file: a million endpoints' worth.
            Format::Json => set.add_writer(format.file_name(), |w| report::json::write(summary, w)),
            _ => set.add(format.file_name(), render(format)?),
        }
        names.push(format.file_name().to_string());
    }
    if let Some(view) = view.as_ref().filter(|_| with_charts) {
        let mut charts = 0;
        for chart in view.charts() {
            set.add(chart.path.clone(), chart.svg.clone().into_bytes());
            charts += 1;
        }
        if charts > 0 {
            names.push(format!("charts/ ({charts} SVG)"));
        }
    }
    out.commit(set)?;
    Ok(Written::Folder(format!(
        "wrote {}: {}\n",
        out.path().show(),
        names.join(", ")
    )))
}

/// Diagnostics on stderr, the summary (or the report) on stdout, and in CI
/// the job summary, step outputs and annotations; last, the exit-code hint.
fn tell(
    plan: &Plan,
    summary: &Summary<'_>,
    written: Written,
    out: Option<&OutputDir>,
) -> anyhow::Result<()> {
    let normal = plan.verbosity == Verbosity::Normal;
    if normal {
        let scenario_warnings = summary.scenarios.iter().flat_map(|s| s.warnings.iter());
        for w in summary.warnings.iter().chain(scenario_warnings) {
            streams::warning(w);
        }
    }
    let scenario_errors = summary.scenarios.iter().flat_map(|s| s.errors.iter());
    for e in summary.errors.iter().chain(scenario_errors) {
        streams::error(e);
    }

    let annotations = match &plan.github {
        Some(gh) => {
            // The real path: a workflow's next step opens it.
            let report_dir = out.map_or_else(
                || "-".to_string(),
                |o| o.path().to_string_lossy().into_owned(),
            );
            for problem in github::write_files(gh, summary, &report_dir)? {
                streams::warning(&problem);
            }
            report::github::annotations(summary)
        }
        None => String::new(),
    };
    match written {
        Written::Stdout(bytes) => {
            streams::out_text(&String::from_utf8_lossy(&bytes))?;
            // stdout holds the report: the runner reads commands on stderr too.
            streams::commands(&annotations, true)?;
        }
        Written::Folder(line) => {
            let mut text = report::terminal::render(summary, plan.verbosity);
            if normal {
                text.push_str(&line);
            }
            streams::out_text(&text)?;
            streams::commands(&annotations, false)?;
        }
    }
    if let Some(hint) = exit_hint(summary.status, plan.no_fail).filter(|_| normal) {
        streams::err_line(hint);
    }
    Ok(())
}

/// The last line on stderr: what the exit code means.
fn exit_hint(status: RunStatus, no_fail: bool) -> Option<&'static str> {
    match status {
        RunStatus::Passed => None,
        RunStatus::Failed if no_fail => {
            Some("exit code 0: --no-fail reports without failing the gate")
        }
        RunStatus::Failed => {
            Some("exit code 1: the gate failed (use --no-fail to report without failing)")
        }
        RunStatus::Error => {
            Some("exit code 2: some input could not be judged; see the errors above")
        }
    }
}
