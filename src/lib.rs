//! loadgate turns Locust load-test results into a release decision.
//!
//! The pipeline, top to bottom in [`check`]: discover result sets → ingest
//! the Locust CSVs into the model → evaluate them against the config → render
//! summary.json, report.md, report.html, junit.xml, the charts and the
//! terminal summary → an [`Outcome`] that `main` maps to an exit code. Failing the gate is a value, not an error; an `Err` from
//! [`check`] means loadgate could not judge at all (exit code 2).

pub mod cli;
pub mod config;
pub mod discover;
pub mod evaluate;
pub mod format;
pub mod ingest;
pub mod init;
pub mod model;
pub mod report;
pub mod schema;

use crate::format::ShowPath;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

use cli::{CheckArgs, CompareArgs, InitArgs};
use config::{CONFIG_FILE_NAME, Config, ConfigSource, DefaultsOrigin};
use evaluate::ScenarioInput;
use report::templates::Templates;
use report::terminal::Verbosity;
use report::{Format, OutputDir, OutputSet, RunStatus, Summary};

/// What a run decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Outcome {
    pub status: RunStatus,
}

impl Outcome {
    /// 0 passed, 1 the gate failed (0 with `--no-fail`), 2 could not judge.
    pub fn exit_code(self, no_fail: bool) -> u8 {
        match self.status {
            RunStatus::Passed => 0,
            RunStatus::Failed if no_fail => 0,
            RunStatus::Failed => 1,
            RunStatus::Error => 2,
        }
    }
}

/// `loadgate check`: the whole pipeline.
pub fn check(args: &CheckArgs) -> anyhow::Result<Outcome> {
    let verbosity = if args.quiet {
        Verbosity::Quiet
    } else {
        Verbosity::Normal
    };
    let to_stdout = args.out == Path::new("-");
    let formats = selected_formats(args, to_stdout)?;
    // Fail before any work when the templates or the config do not parse, a
    // PATH does not exist, or the outputs cannot be written.
    let templates = match formats
        .iter()
        .any(|f| matches!(f, Format::Md | Format::Html))
    {
        true => Some(Templates::load(args.templates.as_deref())?),
        false => None,
    };
    let config = load_config(args)?;
    let generated_at = generated_at()?;
    for path in &args.paths {
        if std::fs::symlink_metadata(path).is_err() {
            bail!("{}: no such file or folder", path.show());
        }
    }
    let exclude = (!to_stdout).then_some(args.out.as_path());
    let found = discover::discover(&args.paths, exclude);
    let out = match to_stdout {
        true => None,
        false => {
            let mut planned: Vec<&str> = formats.iter().map(|f| f.file_name()).collect();
            if formats.iter().any(|f| f.has_charts()) {
                planned.push("charts/*");
            }
            let mut inputs: Vec<PathBuf> = found.sets.iter().flat_map(|s| s.files.all()).collect();
            inputs.extend(args.config.iter().cloned());
            if let ConfigSource::File(p) = &config.source {
                inputs.push(p.clone());
            }
            inputs.extend(args.baseline.iter().cloned());
            Some(OutputDir::prepare(&args.out, &planned, &inputs)?)
        }
    };
    let mut errors = found.errors;
    let mut warnings = found.warnings;
    if found.sets.is_empty() && found.duplicates.is_empty() && errors.is_empty() {
        errors.push(format!(
            "no Locust results found in {} (looked for files named *_stats.csv, written by `locust --csv PREFIX`)",
            args.paths
                .iter()
                .map(|p| p.show().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }

    let progress = progress_bar(&found.sets, verbosity);
    let mut inputs: Vec<ScenarioInput> = found
        .sets
        .iter()
        .map(|set| {
            let sc = config.scenario_for(&set.name).ok().flatten();
            ingest_set(
                set,
                evaluate::window::Probes::for_scenario(&config, sc),
                progress.as_ref(),
            )
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

    let baseline = match &args.baseline {
        Some(path) => Some(load_run(path, out.as_ref().map(OutputDir::path))?),
        None => None,
    };
    if baseline.is_some() && config.regression.is_none() {
        warnings.push(format!(
            "built-in regression tolerances in use ({}, noise floor {}): the config has no [regression] table",
            config::DEFAULT_TOLERANCES
                .iter()
                .map(|(m, t)| format!("{m} {t}"))
                .collect::<Vec<_>>()
                .join(", "),
            format::ms(config::DEFAULT_NOISE_FLOOR_MS)
        ));
    }
    let evaluation = evaluate::evaluate(&config, inputs, baseline.as_ref());
    warnings.extend(evaluation.warnings);
    let results = evaluation.results;
    if config.defaults_origin == DefaultsOrigin::BuiltIn {
        warnings.push(format!(
            "built-in default targets in use ({}): {}",
            config::BUILTIN_DEFAULTS.join(", "),
            match config.source {
                ConfigSource::BuiltIn => "no loadgate.toml found",
                ConfigSource::File(_) => "the config has no [defaults] table",
            }
        ));
    }

    let title = config
        .title
        .clone()
        .unwrap_or_else(|| "Load test results".to_string());
    let summary = Summary::new(
        title,
        config.source_label(),
        generated_at,
        &results,
        evaluation.baseline,
        warnings,
        errors,
    );
    let data: Vec<_> = results.iter().map(|r| r.data.as_ref()).collect();
    let written = write_outputs(&summary, &data, &formats, templates.as_ref(), out.as_ref())?;

    // Diagnostics on stderr, the summary on stdout.
    let mut stderr = anstream::stderr().lock();
    if verbosity == Verbosity::Normal {
        let scenario_warnings = summary.scenarios.iter().flat_map(|s| s.warnings.iter());
        for w in summary.warnings.iter().chain(scenario_warnings) {
            let _ = writeln!(
                stderr,
                "{}warning:{} {}",
                YELLOW,
                YELLOW.render_reset(),
                format::guard_lines(&format::display(w))
            );
        }
    }
    let scenario_errors = summary.scenarios.iter().flat_map(|s| s.errors.iter());
    for e in summary.errors.iter().chain(scenario_errors) {
        let _ = writeln!(
            stderr,
            "{}error:{} {}",
            RED,
            RED.render_reset(),
            format::guard_lines(&format::display(e))
        );
    }
    drop(stderr);

    let github = github_active(args);
    let annotations = match github {
        true => {
            let data: Vec<_> = results.iter().map(|r| r.data.as_ref()).collect();
            // The real path: a workflow's next step opens it.
            let report_dir = out.as_ref().map_or_else(
                || "-".to_string(),
                |o| o.path().to_string_lossy().into_owned(),
            );
            let mut stderr = anstream::stderr().lock();
            for problem in github_files(&summary, &data, &report_dir)? {
                let _ = writeln!(
                    stderr,
                    "{}warning:{} {}",
                    YELLOW,
                    YELLOW.render_reset(),
                    format::guard_lines(&format::display(&problem))
                );
            }
            report::github::annotations(&summary)
        }
        false => String::new(),
    };
    match written {
        Written::Stdout(bytes) => {
            print_stdout(format::guard_lines(&String::from_utf8_lossy(&bytes)).as_bytes())?;
            // stdout holds the report: the runner reads commands on stderr too.
            eprint!("{annotations}");
        }
        Written::Folder(line) => {
            let mut text = report::terminal::render(&summary, verbosity);
            if verbosity == Verbosity::Normal {
                text.push_str(&line);
            }
            // Text for people is guarded; the commands are loadgate's own.
            let mut text = format::guard_lines(&text);
            text.push_str(&annotations);
            print_stdout(text.as_bytes())?;
        }
    }

    let hint = match summary.status {
        RunStatus::Passed => None,
        RunStatus::Failed if args.no_fail => {
            Some("exit code 0: --no-fail reports without failing the gate".to_string())
        }
        RunStatus::Failed => Some(
            "exit code 1: the gate failed (use --no-fail to report without failing)".to_string(),
        ),
        RunStatus::Error => {
            Some("exit code 2: some input could not be judged; see the errors above".to_string())
        }
    };
    if let Some(hint) = hint.filter(|_| verbosity == Verbosity::Normal) {
        eprintln!("{hint}");
    }
    Ok(Outcome {
        status: summary.status,
    })
}

const YELLOW: anstyle::Style = anstyle::AnsiColor::Yellow.on_default().bold();
const RED: anstyle::Style = anstyle::AnsiColor::Red.on_default().bold();

/// A progress bar over the history bytes, for inputs big enough to take a
/// while (≥ 64 MB of history, about a second), only on a terminal, never in
/// CI (`CI` set) or with `--quiet`.
fn progress_bar(
    sets: &[discover::ResultSet],
    verbosity: Verbosity,
) -> Option<indicatif::ProgressBar> {
    use std::io::IsTerminal;
    const LARGE: u64 = 64 * 1024 * 1024;
    if verbosity == Verbosity::Quiet
        || std::env::var_os("CI").is_some()
        || !std::io::stderr().is_terminal()
    {
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

/// `--github`, or inside GitHub Actions unless `--no-github`.
fn github_active(args: &CheckArgs) -> bool {
    !args.no_github && (args.github || std::env::var("GITHUB_ACTIONS").is_ok_and(|v| v == "true"))
}

/// Append the job summary to `$GITHUB_STEP_SUMMARY` and the step outputs to
/// `$GITHUB_OUTPUT`, where the runner names those files. A file that cannot
/// be written is a warning (returned), never the end of the annotations.
fn github_files(
    summary: &Summary<'_>,
    data: &[Option<&model::ScenarioData>],
    report_dir: &str,
) -> anyhow::Result<Vec<String>> {
    let run_url = github_run_url();
    let view = report::view::build(summary, data, false)?;
    let markdown = report::github::job_summary(
        summary,
        &view,
        data,
        report_dir,
        run_url.as_deref(),
        report::github::STEP_SUMMARY_BUDGET,
    );
    let mut problems = Vec::new();
    problems.extend(append_github_file("GITHUB_STEP_SUMMARY", &markdown));
    let delimiter = report::github::delimiter_for(&delimiter_seed(), &[report_dir]);
    let outputs =
        report::github::outputs(summary, summary.counts.regressions, report_dir, &delimiter);
    problems.extend(append_github_file("GITHUB_OUTPUT", &outputs));
    Ok(problems)
}

/// The link to this workflow run, when the runner says where it is.
fn github_run_url() -> Option<String> {
    let env = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    Some(format!(
        "{}/{}/actions/runs/{}",
        env("GITHUB_SERVER_URL")?,
        env("GITHUB_REPOSITORY")?,
        env("GITHUB_RUN_ID")?
    ))
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
fn append_github_file(var: &str, text: &str) -> Option<String> {
    let path = PathBuf::from(std::env::var_os(var).filter(|p| !p.is_empty())?);
    if let Ok(meta) = std::fs::metadata(&path)
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
        .open(&path)
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
pub fn report_github_error(args: &CheckArgs, error: &anyhow::Error) {
    if !github_active(args) {
        return;
    }
    let reason = format!("{error:#}");
    let mut problems = Vec::new();
    let mut markdown = String::from(
        "## ❌ loadgate could not judge this run

No verdict: exit code 2. The reason:

",
    );
    for line in reason.lines() {
        markdown.push_str("> ");
        markdown.push_str(&report::templates::escape_markdown(line));
        markdown.push('\n');
    }
    if let Some(url) = github_run_url() {
        markdown.push_str(&format!("\nSee the log of [this workflow run]({url}).\n"));
    }
    problems.extend(append_github_file("GITHUB_STEP_SUMMARY", &markdown));
    let report_dir = args.out.to_string_lossy();
    let delimiter = report::github::delimiter_for(&delimiter_seed(), &[&report_dir]);
    let outputs = report::github::outputs_of("error", 0, 0, &report_dir, &delimiter);
    problems.extend(append_github_file("GITHUB_OUTPUT", &outputs));
    for problem in problems {
        eprintln!(
            "warning: {}",
            format::guard_lines(&format::display(&problem))
        );
    }
    // The annotation last, on stdout like every annotation.
    println!(
        "::error title=loadgate::{}",
        report::github::escape_data(&format::display_lines(&format!(
            "could not judge: {reason}"
        )))
    );
}

/// What the outputs step produced.
enum Written {
    /// The one format, for stdout (`--out -`).
    Stdout(Vec<u8>),
    /// Files in the output folder; a line saying which.
    Folder(String),
}

/// `--format`, deduplicated and in a fixed order; all by default, md for `--out -`.
fn selected_formats(args: &CheckArgs, to_stdout: bool) -> anyhow::Result<Vec<Format>> {
    let mut formats: Vec<Format> = args.format.iter().map(|&f| f.into()).collect();
    formats.sort();
    formats.dedup();
    if formats.is_empty() {
        formats = if to_stdout {
            vec![Format::Md]
        } else {
            Format::ALL.to_vec()
        };
    }
    if to_stdout && formats.len() > 1 {
        bail!("--out - writes one format to stdout; choose one, e.g. `--format md --out -`");
    }
    Ok(formats)
}

/// Render every selected format and write it (or return it for stdout).
fn write_outputs(
    summary: &Summary<'_>,
    data: &[Option<&model::ScenarioData>],
    formats: &[Format],
    templates: Option<&Templates>,
    out: Option<&OutputDir>,
) -> anyhow::Result<Written> {
    let with_charts = out.is_some() && formats.iter().any(|f| f.has_charts());
    let view = match templates {
        Some(_) => Some(report::view::build(summary, data, with_charts)?),
        None => None,
    };
    let render = |format: Format| -> anyhow::Result<Vec<u8>> {
        match (format, templates, &view) {
            (Format::Json, _, _) => report::json::render(summary),
            (Format::Junit, _, _) => report::junit::render(summary),
            (Format::Md, Some(t), Some(v)) => t.render(report::templates::MARKDOWN, v),
            (Format::Html, Some(t), Some(v)) => t.render(report::templates::HTML, v),
            // Templates are loaded whenever md or html is selected.
            (Format::Md | Format::Html, _, _) => bail!("templates not loaded"),
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
        set.add(format.file_name(), render(format)?);
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

/// Write to stdout; a closed pipe (`loadgate check | head`) is not an error.
/// Callers pass text for people through [`format::guard_lines`] first.
fn print_stdout(bytes: &[u8]) -> anyhow::Result<()> {
    let mut stdout = anstream::stdout().lock();
    match stdout.write_all(bytes).and_then(|()| stdout.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e).context("writing to stdout"),
        _ => Ok(()),
    }
}

/// `loadgate compare BASE CURRENT`: print the comparison table; returns
/// whether anything regressed.
pub fn compare(args: &CompareArgs) -> anyhow::Result<bool> {
    let config = match &args.config {
        Some(path) => {
            if !path.is_file() {
                bail!("config file {} does not exist", path.show());
            }
            Config::load(path)?
        }
        None => {
            let folder = if args.current.is_dir() {
                Some(args.current.clone())
            } else {
                args.current.parent().map(Path::to_path_buf)
            };
            find_config(folder)?
        }
    };
    let base = load_run(&args.base, None)?;
    let current = load_run(&args.current, None)?;
    let mut compared = Vec::new();
    let mut notes = Vec::new();
    for scenario in &current.scenarios {
        let Some(b) = base.scenarios.iter().find(|b| b.name == scenario.name) else {
            notes.push(format!(
                "new scenario (not in the baseline): {}",
                scenario.name
            ));
            continue;
        };
        let regression = config.regression_for(config.scenario_for(&scenario.name).ok().flatten());
        let result = evaluate::compare::compare(
            &regression,
            b,
            evaluate::compare::Current {
                totals: &scenario.totals,
                endpoints: &scenario.endpoints,
                histograms: scenario.histograms.as_ref(),
            },
        );
        notes.extend(
            result
                .no_rank_test
                .iter()
                .map(|why| format!("{}: no rank test: {why}", scenario.name)),
        );
        notes.extend(
            result
                .new_endpoints
                .iter()
                .map(|e| format!("{}: new endpoint {e}", scenario.name)),
        );
        notes.extend(
            result
                .vanished_endpoints
                .iter()
                .map(|e| format!("{}: endpoint no longer present: {e}", scenario.name)),
        );
        compared.push((scenario.name.clone(), result.comparisons));
    }
    for b in &base.scenarios {
        if !current.scenarios.iter().any(|c| c.name == b.name) {
            notes.push(format!("scenario no longer present: {}", b.name));
        }
    }
    if compared.is_empty() {
        bail!(
            "{} and {} have no scenario in common, so nothing can be compared",
            args.base.show(),
            args.current.show()
        );
    }
    let rows: Vec<(&str, &evaluate::compare::Comparison)> = compared
        .iter()
        .flat_map(|(name, cs)| cs.iter().map(move |c| (name.as_str(), c)))
        .collect();
    let regressed = rows
        .iter()
        .filter(|(_, c)| c.verdict == evaluate::compare::Verdict::Regressed)
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
    text.push_str(&report::terminal::render_comparisons(&rows));
    for note in &notes {
        text.push_str(&format!("note: {note}\n"));
    }
    text.push_str(&match regressed {
        0 => format!("\nNo regression: {} metrics compared.\n", rows.len()),
        n => format!("\nREGRESSED: {n} of {} compared metrics.\n", rows.len()),
    });
    print_stdout(format::guard_lines(&text).as_bytes())?;
    Ok(regressed > 0)
}

/// `loadgate init`: measure the results and write a starter config.
pub fn init(args: &InitArgs) -> anyhow::Result<()> {
    let to_stdout = args.output == Path::new("-");
    if !to_stdout && args.output.exists() && !args.force {
        bail!(
            "{} already exists; use --force to overwrite it, or --output FILE to write elsewhere",
            args.output.show()
        );
    }
    let found = discover::discover(&args.paths, None);
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
            "no Locust results found in {} (looked for files named *_stats.csv)",
            args.paths
                .iter()
                .map(|p| p.show().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    let refs: Vec<(String, &model::ScenarioData)> =
        measured.iter().map(|(n, d)| (n.clone(), d)).collect();
    let text = init::starter_config(&refs, None);
    for warning in init::warnings(&refs) {
        let mut stderr = anstream::stderr().lock();
        let _ = writeln!(
            stderr,
            "{}warning:{} {}",
            YELLOW,
            YELLOW.render_reset(),
            format::guard_lines(&format::display(&warning))
        );
    }
    if to_stdout {
        return print_stdout(format::guard_lines(&text).as_bytes());
    }
    args.output
        .file_name()
        .context("--output needs a file name")?;
    report::output::write_file_atomic(&args.output, text.as_bytes())?;
    eprintln!(
        "wrote {} with targets for {} scenarios, measured from the results; review them, then run `loadgate check`",
        args.output.show(),
        measured.len()
    );
    Ok(())
}

/// Read a run to compare with: an earlier summary.json, or a results folder
/// (read like `check` reads its PATHs). Any problem with it is an error.
pub fn load_run(path: &Path, exclude: Option<&Path>) -> anyhow::Result<model::RunSnapshot> {
    if path.is_file() {
        return Ok(ingest::summary::read_summary(path)?);
    }
    if !path.is_dir() {
        bail!("baseline {} does not exist", path.show());
    }
    let found = discover::discover(&[path.to_path_buf()], exclude);
    let mut problems = found.errors;
    problems.extend(found.duplicates.into_iter().map(|(_, m)| m));
    let mut scenarios = Vec::new();
    let mut date: Option<String> = None;
    for set in &found.sets {
        let input = ingest_set(set, None, None);
        problems.extend(input.errors);
        if let Some(data) = input.data {
            let start = data
                .history
                .as_ref()
                .and_then(|h| h.span())
                .and_then(|(a, _)| report::summary::rfc3339(a));
            if let Some(start) = start {
                date = Some(date.map_or(start.clone(), |d| d.min(start)));
            }
            scenarios.push(model::SnapshotScenario {
                name: set.name.clone(),
                totals: data.totals,
                endpoints: data.endpoints,
                histograms: data.histograms,
            });
        }
    }
    if !problems.is_empty() {
        bail!(
            "the baseline {} could not be read:\n  {}",
            path.show(),
            problems.join("\n  ")
        );
    }
    if scenarios.is_empty() {
        bail!("no Locust results found in the baseline {}", path.show());
    }
    Ok(model::RunSnapshot {
        source: path.to_path_buf(),
        title: None,
        date,
        scenarios,
    })
}

/// Read one result set into a [`ScenarioInput`].
fn ingest_set(
    set: &discover::ResultSet,
    probes: Option<evaluate::window::Probes>,
    progress: Option<&indicatif::ProgressBar>,
) -> ScenarioInput {
    let mut input = ScenarioInput {
        name: set.name.clone(),
        files: set.files.clone(),
        ..ScenarioInput::default()
    };
    if set.files.stats.is_none() {
        let found = [
            &set.files.history,
            &set.files.failures,
            &set.files.exceptions,
        ]
        .into_iter()
        .flatten()
        .next();
        if let Some(other) = found {
            let expected = other.with_file_name(format!("{}_stats.csv", set.name));
            input.errors.push(format!(
                "{}: missing, but {} exists; the stats file is required",
                expected.show(),
                other.show()
            ));
        }
        return input;
    }
    let mut probes = probes;
    let observer = probes
        .as_mut()
        .map(|p| p as &mut dyn ingest::HistoryObserver);
    let ingested = ingest::locust::read_result_set_with_progress(&set.files, observer, progress);
    input.data = ingested.data;
    input.probes = probes;
    input.warnings = ingested.warnings;
    input.errors = ingested.errors.iter().map(ToString::to_string).collect();
    input
}

/// `--config`, else `loadgate.toml` in the first PATH folder, else in the
/// current folder, else the built-in defaults.
fn load_config(args: &CheckArgs) -> anyhow::Result<Config> {
    if let Some(path) = &args.config {
        match std::fs::metadata(path) {
            Ok(m) if m.is_file() => return Config::load(path),
            Ok(_) => bail!("config file {} is not a regular file", path.show()),
            Err(_) => bail!("config file {} does not exist", path.show()),
        }
    }
    let first_folder: Option<PathBuf> = args.paths.first().map(|p| {
        if p.is_dir() {
            p.clone()
        } else {
            p.parent().map(Path::to_path_buf).unwrap_or_default()
        }
    });
    find_config(first_folder)
}

/// `loadgate.toml` in `folder`, else in the current folder, else the built-in defaults.
fn find_config(folder: Option<PathBuf>) -> anyhow::Result<Config> {
    let candidates = folder
        .into_iter()
        .map(|d| d.join(CONFIG_FILE_NAME))
        .chain(std::iter::once(PathBuf::from(CONFIG_FILE_NAME)));
    for candidate in candidates {
        match std::fs::metadata(&candidate) {
            Ok(m) if m.is_file() => return Config::load(&candidate),
            // A config the user meant to use is never replaced by defaults in silence.
            Ok(_) => bail!(
                "{} is not a regular file, so it cannot be read as the config; remove it or pass --config FILE",
                candidate.show()
            ),
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                return Err(e).with_context(|| format!("reading config {}", candidate.show()));
            }
            Err(_) if std::fs::symlink_metadata(&candidate).is_ok() => bail!(
                "{} is a symlink that leads nowhere; fix it or pass --config FILE",
                candidate.show()
            ),
            Err(_) => {}
        }
    }
    Ok(Config::builtin())
}

/// The report timestamp: `SOURCE_DATE_EPOCH` when set, else now, in RFC 3339.
fn generated_at() -> anyhow::Result<String> {
    let secs = match std::env::var("SOURCE_DATE_EPOCH") {
        Ok(v) => v
            .trim()
            .parse::<i64>()
            .ok()
            .filter(|s| *s >= 0)
            .with_context(|| {
                format!("SOURCE_DATE_EPOCH must be a Unix time in whole seconds, found `{v}`")
            })?,
        Err(_) => time::OffsetDateTime::now_utc().unix_timestamp(),
    };
    report::summary::rfc3339(secs).context("SOURCE_DATE_EPOCH is out of range")
}
