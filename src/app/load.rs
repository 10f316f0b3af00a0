//! Reading what every command reads: a config by the lookup rule, a result
//! set into a scenario input, an earlier run (or a run history) to compare
//! with.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

use crate::config::{CONFIG_FILE_NAME, Config};
use crate::evaluate::ScenarioInput;
use crate::evaluate::window::Probes;
use crate::format::ShowPath;

/// What `--baseline` names: one earlier run, or a run history.
pub enum Baseline {
    Run(crate::model::RunSnapshot),
    History(crate::ingest::records::History),
}

/// Read `check --baseline PATH`: a run history when PATH is a folder with
/// the history marker (with at least one readable record: an empty history
/// is an error, unreadable records are left out with a warning each), else
/// one run as [`load_run`] reads it. `project` is this run's repository.
pub fn load_baseline(
    path: &Path,
    exclude: Option<&Path>,
    project: Option<&str>,
) -> anyhow::Result<Baseline> {
    if !(path.is_dir() && crate::ingest::records::is_history(path)) {
        return Ok(Baseline::Run(load_run(path, exclude)?));
    }
    let history = crate::ingest::records::read_history(path, project)?;
    if history.records.is_empty() {
        match history.skipped.len() {
            0 => bail!(
                "the run history {} holds no record yet: record a run first (`check --history {}`), then compare with it",
                path.show(),
                path.show()
            ),
            n => bail!(
                "none of the {n} records of the run history {} can be used:\n  {}",
                path.show(),
                history.skipped.join("\n  ")
            ),
        }
    }
    Ok(Baseline::History(history))
}

/// Read a run to compare with: an earlier summary.json, or a results folder
/// (read like `check` reads its PATHs). Any problem with it is an error.
pub fn load_run(path: &Path, exclude: Option<&Path>) -> anyhow::Result<crate::model::RunSnapshot> {
    if path.is_file() {
        return Ok(crate::ingest::summary::read_summary(path)?);
    }
    if !path.is_dir() {
        bail!("baseline {} does not exist", path.show());
    }
    if crate::ingest::records::is_history(path) {
        bail!(
            "{} is a run history: `check --baseline {}` compares with it (the median of its last runs); here, give a summary.json or a results folder",
            path.show(),
            path.show()
        );
    }
    let found = crate::discover::discover(&[path.to_path_buf()], exclude);
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
                .and_then(|(a, _)| crate::format::rfc3339(a));
            if let Some(start) = start {
                date = Some(date.map_or(start.clone(), |d| d.min(start)));
            }
            scenarios.push(crate::model::SnapshotScenario {
                name: set.name.clone(),
                totals: data.totals,
                endpoints: data.endpoints,
                no_histograms: data
                    .histograms
                    .is_none()
                    .then(|| crate::ingest::no_histograms(data.tool.name)),
                histograms: data.histograms,
                noise: None,
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
        let hint = match crate::ingest::records::has_record_names(path) {
            true => format!(
                "; if its *.json files are loadgate run records, it is a run history that lost its {} (create that file)",
                crate::model::HISTORY_MARKER
            ),
            false => String::new(),
        };
        bail!(
            "no load-test results found in the baseline {}{hint}",
            path.show()
        );
    }
    Ok(crate::model::RunSnapshot {
        source: path.to_path_buf(),
        title: None,
        date,
        scenarios,
    })
}

/// Read one result set into a [`ScenarioInput`].
pub fn ingest_set(
    set: &crate::discover::ResultSet,
    probes: Option<Probes>,
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
        .map(|p| p as &mut dyn crate::ingest::HistoryObserver);
    let ingested = match crate::ingest::reader(set.tool) {
        Some(reader) => reader.read(&set.files, observer, progress),
        None => crate::ingest::Ingested::default(),
    };
    input.data = ingested.data;
    input.probes = probes;
    input.warnings = ingested.warnings;
    input.errors = ingested.errors.iter().map(ToString::to_string).collect();
    input
}

/// `--config`, else `loadgate.toml` in the first PATH folder, else in the
/// current folder, else the built-in defaults.
pub fn load_config(config: Option<&Path>, paths: &[PathBuf]) -> anyhow::Result<Config> {
    if let Some(path) = config {
        match std::fs::metadata(path) {
            Ok(m) if m.is_file() => return Config::load(path),
            Ok(_) => bail!("config file {} is not a regular file", path.show()),
            Err(_) => bail!("config file {} does not exist", path.show()),
        }
    }
    let first_folder: Option<PathBuf> = paths.first().map(|p| {
        if p.is_dir() {
            p.clone()
        } else {
            p.parent().map(Path::to_path_buf).unwrap_or_default()
        }
    });
    find_config(first_folder)
}

/// `loadgate.toml` in `folder`, else in the current folder, else the built-in defaults.
pub fn find_config(folder: Option<PathBuf>) -> anyhow::Result<Config> {
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
