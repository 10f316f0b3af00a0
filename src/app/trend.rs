//! `loadgate trend DIR`: every run of a history as one standalone report
//! (trend.md, trend.html with its charts, trend.json), written as one set
//! into its own output folder. Deterministic like `check`: the same records
//! and `SOURCE_DATE_EPOCH` give byte-identical files.

use anyhow::bail;

use super::load::{find_config, load_config};
use super::plan::{Env, generated_at};
use super::streams;
use crate::cli::TrendArgs;
use crate::format::ShowPath;
use crate::ingest::records;
use crate::report::templates::{self, Templates};
use crate::report::trend::{self as view, TREND_HTML, TREND_JSON, TREND_MD};
use crate::report::{OutputDir, OutputSet};

/// Read the history, render the trend report, write it; warnings for
/// records left out go to stderr.
pub fn run(args: &TrendArgs, env: &Env) -> anyhow::Result<()> {
    let config = match &args.config {
        Some(path) => load_config(Some(path), &[])?,
        None => find_config(None)?,
    };
    let dir = &args.dir;
    if !dir.is_dir() {
        bail!("the run history {} does not exist", dir.show());
    }
    if !records::is_history(dir) {
        bail!(
            "{} is not a loadgate run history (no {}); `loadgate check --history DIR` makes one",
            dir.show(),
            crate::model::HISTORY_MARKER
        );
    }
    let now = generated_at(env.source_date_epoch.as_deref())?;
    let templates = Templates::load(None)?;
    let out = OutputDir::prepare(
        &args.out,
        &[TREND_JSON, TREND_MD, TREND_HTML, "charts/*"],
        std::slice::from_ref(dir),
    )?;
    let history = records::read_history(dir, env.revision.repository.as_deref())?;
    for warning in &history.skipped {
        streams::warning(warning);
    }
    if history.records.is_empty() {
        bail!("the run history {} holds no readable record", dir.show());
    }
    let window = config.history.window;
    let scenarios = crate::evaluate::trend::history_trend(&config, &history);
    let page = view::page(&history, &scenarios, window, &now, true)?;
    let mut set = OutputSet::default();
    set.add(TREND_JSON, view::json(&history, &scenarios, window, &now)?);
    set.add(
        TREND_MD,
        templates.render(templates::TREND_MARKDOWN, &page)?,
    );
    set.add(TREND_HTML, templates.render(templates::TREND_HTML, &page)?);
    let mut charts = 0;
    for chart in page.charts() {
        set.add_shared(chart.path.clone(), chart.svg.clone());
        charts += 1;
    }
    out.commit(set)?;
    let plural = |n: usize, what: &str| match n {
        1 => format!("1 {what}"),
        n => format!("{n} {what}s"),
    };
    streams::out_text(&format!(
        "{} of {} from {}\nwrote {}: {TREND_JSON}, {TREND_MD}, {TREND_HTML}, charts/ ({charts} SVG)\n",
        plural(history.records.len(), "run"),
        plural(scenarios.len(), "scenario"),
        dir.show(),
        out.path().show()
    ))?;
    Ok(())
}
