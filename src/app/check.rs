//! `loadgate check`, top to bottom: load what must parse (templates,
//! config), find the result sets, make sure the outputs (and the run
//! history) may be written, read every set, judge them (with the baseline:
//! one run, or the median of a history's last comparable runs), render every
//! output, write the set, record the run in its history, then tell people
//! (terminal) and the CI runner (annotations, job summary, step outputs).

use std::path::PathBuf;

use anyhow::bail;

use super::load::{Baseline, ingest_set, load_baseline, load_config};
use super::plan::{Dest, Plan};
use super::{Outcome, github, record, streams};
use crate::config::{self, Config, ConfigSource, DefaultsOrigin};
use crate::discover::{self, Discovery};
use crate::evaluate::{self, Evaluation, ScenarioInput, trend, window::Probes};
use crate::format::{self, ShowPath};
use crate::ingest::records;
use crate::model::{RunMeta, RunSnapshot};
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
    if let Some(dir) = &plan.history {
        record::prepare(dir, plan.out_dir())?;
    }

    let (inputs, errors, mut warnings) = read_sets(plan, &config, found);
    let meta = uses_history(plan).then(|| record::meta(plan));
    let (evaluation, trend) = judge(plan, &config, inputs, meta.as_ref(), &mut warnings)?;
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
    summary.trend = trend.as_ref();
    summary.max_endpoints = config.report.max_endpoints;
    if let Some(path) = &plan.dump_context {
        dump_context(path, &summary)?;
    }
    let written = write_outputs(&summary, plan, &config, templates.as_ref(), out.as_ref())?;
    // Only now that the outputs are written: a record stands for a run
    // that was reported.
    let recorded = match (&plan.history, &meta) {
        (Some(dir), Some(meta)) => Some(record::write(dir, &summary, meta)?),
        _ => None,
    };
    tell(plan, &summary, written, out.as_ref(), recorded.as_deref())?;
    Ok(Outcome {
        status: summary.status,
    })
}

/// Whether the run reads or writes a run history, and so needs its
/// metadata (the revision: maybe a `git` call).
fn uses_history(plan: &Plan) -> bool {
    plan.history.is_some()
        || plan
            .baseline
            .as_deref()
            .is_some_and(|p| p.is_dir() && records::is_history(p))
}

/// Judge the inputs, with the baseline: one run as it is, or a run history
/// as the median of its last comparable runs. Also the trend the reports
/// show: the history's window beside this run (the baseline's history, or
/// `--history DIR`'s when the baseline is none).
fn judge(
    plan: &Plan,
    config: &Config,
    inputs: Vec<ScenarioInput>,
    meta: Option<&RunMeta>,
    warnings: &mut Vec<String>,
) -> anyhow::Result<(Evaluation, Option<trend::Trend>)> {
    let project = meta.and_then(|m| m.project.as_deref());
    let (mut snapshot, history, judged) = match &plan.baseline {
        Some(path) => match load_baseline(path, plan.out_dir(), project)? {
            Baseline::Run(s) => (Some(s), None, false),
            Baseline::History(h) => (None, Some(h), true),
        },
        None => (None, None, false),
    };
    let history = match (history, &plan.history) {
        (Some(h), _) => Some(h),
        (None, Some(dir)) => Some(records::read_history(dir, project)?),
        _ => None,
    };
    if let Some(h) = &history {
        warnings.extend(h.skipped.iter().cloned());
    }
    let branch = config
        .history
        .branch
        .clone()
        .or_else(|| meta.and_then(|m| m.branch.clone()));
    let profile = trend::profile(&inputs);
    let selection = history
        .as_ref()
        .map(|h| trend::select(h, &profile, config.history.window, branch.as_deref()));
    if judged && let (Some(sel), Some(h)) = (&selection, &history) {
        let window = records::with_endpoints(&h.dir, &sel.runs).map_err(anyhow::Error::msg)?;
        snapshot = trend::baseline(config, &sel.source, &window);
        if snapshot.is_none() {
            warnings.push(format!(
                "no run of the run history {} is comparable with this one ({}), so nothing was compared",
                sel.source.show(),
                sel.info().describe()
            ));
        }
    }
    // The baseline's endpoints grouped as this run's are ([[scenarios.X.group]]).
    if let Some(run) = snapshot.as_mut() {
        evaluate::group::apply_to_run(config, run);
    }
    warnings.extend(config_warnings(config, snapshot.as_ref()));
    let mut evaluation = evaluate::evaluate(config, inputs, snapshot.as_ref());
    if let (true, Some(info), Some(sel)) = (judged, evaluation.baseline.as_mut(), &selection) {
        info.history = Some(sel.info());
    }
    let current = meta.cloned().unwrap_or_default();
    let trend = selection.filter(|s| !s.runs.is_empty()).map(|sel| {
        trend::trend(
            config,
            &sel,
            &evaluation.results,
            &current,
            &plan.generated_at,
            judged,
        )
    });
    Ok((evaluation, trend))
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
    inputs.extend(plan.history.iter().cloned());
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
    // Scenarios are read in parallel (a thousand small ones are mostly
    // waiting on the file system), their results kept in discovery's order.
    let mut inputs: Vec<ScenarioInput> = crate::ingest::parallel_map(&found.sets, |set| {
        // Matched once: the probes and the judging use the same table.
        let resolved = config.scenario_for(&set.name);
        let sc = resolved.as_ref().ok().copied().flatten();
        let mut input = ingest_set(set, Probes::for_scenario(config, sc), progress.as_ref());
        input.scenario = Some(resolved.map(|sc| sc.map(|s| s.key.clone())));
        input
    });
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
/// One function over 80 lines: the stdout case and the set share the view,
/// the templates' context and the one render closure.
fn write_outputs(
    summary: &Summary<'_>,
    plan: &Plan,
    config: &Config,
    templates: Option<&Templates>,
    out: Option<&OutputDir>,
) -> anyhow::Result<Written> {
    let formats = plan.formats.as_slice();
    // On stdout there is no charts/ folder for report.md to link: only the
    // HTML, which carries its charts inline, has them there.
    let with_charts = match out {
        Some(_) => formats.iter().any(|f| f.has_charts()),
        None => formats.contains(&Format::Html),
    };
    let view = match formats.iter().any(|f| f.needs_view()) {
        true => Some(report::view::build(summary, with_charts)?),
        false => None,
    };
    let config_file = match &config.source {
        ConfigSource::File(p) => Some(p.as_path()),
        ConfigSource::BuiltIn => None,
    };
    let context = view
        .as_ref()
        .filter(|_| {
            formats
                .iter()
                .any(|f| matches!(f, Format::Md | Format::Html))
        })
        .map(report::templates::RenderContext::new);
    let render = |format: Format| -> anyhow::Result<Vec<u8>> {
        match (format, templates, &view) {
            (Format::Json, _, _) => report::json::render(summary),
            (Format::Junit, _, _) => report::junit::render(summary),
            (Format::Gitlab, _, _) => {
                report::gitlab::render(summary, config_file, plan.project_dir.as_deref())
            }
            (Format::Md | Format::Html, Some(t), Some(_)) => match &context {
                Some(c) if format == Format::Md => t.render_context(report::templates::MARKDOWN, c),
                Some(c) => t.render_context(report::templates::HTML, c),
                None => bail!("template context not made"),
            },
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
    // Every file is staged before any is switched in; the set is switched
    // in whole. The charts and summary.json are staged on a thread of their
    // own while the reports are rendered.
    let mut staging = out.stage()?;
    let mut names: Vec<String> = Vec::new();
    // summary.json first: the verdict, in the list of what was written too.
    let mut ordered = formats.to_vec();
    ordered.sort_by_key(|f| *f != Format::Json);
    let charts: Vec<&report::view::ChartView> = match &view {
        Some(v) if with_charts => v.charts().collect(),
        _ => Vec::new(),
    };
    let json = ordered.contains(&Format::Json);
    let rendered = std::thread::scope(|scope| {
        let staged = scope.spawn(|| {
            let mut set = OutputSet::default();
            if json {
                // Written straight to its file: a million endpoints' worth.
                set.add_writer(Format::Json.file_name(), |w| {
                    report::json::write(summary, w)
                });
            }
            for chart in &charts {
                set.add_shared(chart.path.clone(), chart.svg.clone());
            }
            staging.add(set)
        });
        // The rendered formats side by side (report.md and report.html of a
        // thousand scenarios are each a template over all of them).
        let rendered = crate::ingest::parallel_map(&ordered, |f| match f {
            Format::Json => Ok(None),
            _ => render(*f).map(Some),
        });
        let staged = staged
            .join()
            .unwrap_or_else(|e| std::panic::resume_unwind(e));
        staged.map(|()| rendered)
    })?;
    let mut set = OutputSet::default();
    for (format, bytes) in ordered.iter().zip(rendered) {
        if let Some(bytes) = bytes? {
            set.add(format.file_name(), bytes);
        }
        names.push(format.file_name().to_string());
    }
    drop(context);
    if !charts.is_empty() {
        names.push(format!("charts/ ({} SVG)", charts.len()));
    }
    staging.add(set)?;
    staging.switch()?;
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
    recorded: Option<&std::path::Path>,
) -> anyhow::Result<()> {
    let recorded =
        recorded.map(|p| format!("recorded this run in the run history: {}\n", p.show()));
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
            if let Some(line) = recorded.as_deref().filter(|_| normal) {
                streams::err_line(line.trim_end());
            }
        }
        Written::Folder(line) => {
            let mut text = report::terminal::render(summary, plan.verbosity);
            if normal {
                text.push_str(&line);
                text.push_str(recorded.as_deref().unwrap_or_default());
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
