//! A run history shown: the trend section of a check's report (the last
//! runs beside this one, [`section`]), and the standalone trend report of
//! `loadgate trend DIR` ([`page`] for trend.md and trend.html, [`json`] for
//! trend.json). Every value is formatted here, once, for every template;
//! the charts come from `charts::trend_chart_as`.

use serde::Serialize;

use super::charts::{self, TrendChartBand, TrendChartRun, TrendPanel};
use super::view::ChartView;
use crate::evaluate::trend::{Band, Figure, ScenarioTrend, Trend, TrendRun};
use crate::format;
use crate::ingest::records::History;
use crate::model::{MetricKind, ser_opt_num};

/// The schema id of trend.json.
pub const TREND_SCHEMA: &str = "loadgate/trend/v1";
/// The files `loadgate trend` writes.
pub const TREND_JSON: &str = "trend.json";
pub const TREND_MD: &str = "trend.md";
pub const TREND_HTML: &str = "trend.html";

const DASH: &str = "–";

/// The chart panels, in [`Figure::ALL`] order.
const PANELS: [TrendPanel; 4] = [
    TrendPanel {
        title: "median, ms",
        zoomed: false,
        max: None,
    },
    TrendPanel {
        title: "p95, ms",
        zoomed: false,
        max: None,
    },
    TrendPanel {
        title: "throughput, requests/s",
        zoomed: false,
        max: None,
    },
    TrendPanel {
        title: "success rate, % (axis zoomed)",
        zoomed: true,
        max: Some(100.0),
    },
];

/// One run as the templates see it.
#[derive(Debug, Clone, Serialize)]
pub struct TrendRunView {
    /// The label, else the short commit, else the time.
    pub label: String,
    /// The short commit and the branch: `0123abc on main`, `0123abc`,
    /// `main`, or `–`.
    pub revision: String,
    /// `2026-11-28 00:11` (UTC).
    pub date: String,
    /// The record's file; empty for this run.
    pub file: String,
    pub current: bool,
    pub failed: bool,
    /// In the order of `headings`.
    pub values: Vec<String>,
}

/// One scenario's trend as the templates see it.
#[derive(Debug, Clone, Serialize)]
pub struct TrendScenarioView {
    pub name: String,
    pub anchor: String,
    /// Oldest first (in a check's report, this run last).
    pub runs: Vec<TrendRunView>,
    /// The median of the baseline runs, per heading.
    pub baseline: Vec<String>,
    /// Their noise: `±3.2 ms` (the MAD).
    pub noise: Vec<String>,
    /// What counts as unchanged: `95 ms – 108 ms`.
    pub band: Vec<String>,
    pub failed_runs: usize,
    pub chart: Option<ChartView>,
}

/// The trend section of report.md / report.html.
#[derive(Debug, Clone, Serialize)]
pub struct TrendSectionView {
    pub source: String,
    /// Whether the gate used the history as its baseline.
    pub judged: bool,
    /// How the baseline was taken, and what was skipped, in a sentence.
    pub note: String,
    pub headings: Vec<&'static str>,
    pub scenarios: Vec<TrendScenarioView>,
}

/// `±3.2 ms`, `±0.12 pp`, `±1.5/s`.
fn spread(kind: MetricKind, v: f64) -> String {
    let unit = kind.unit();
    let text = format::signed_in_unit(unit, v.abs());
    format!("±{}", text.trim_start_matches('+'))
}

fn run_view(run: &TrendRun) -> TrendRunView {
    let at = &run.recorded_at;
    TrendRunView {
        label: shown(&run.label),
        revision: match (run.commit.as_deref(), run.branch.as_deref()) {
            (Some(c), Some(b)) => format!("{} on {}", shown(&short(c)), shown(b)),
            (Some(c), None) => shown(&short(c)),
            (None, Some(b)) => shown(b),
            (None, None) => DASH.to_string(),
        },
        date: match (at.get(..10), at.get(11..16)) {
            (Some(d), Some(t)) => format!("{d} {t}"),
            _ => shown(at),
        },
        file: run.file.as_deref().map(shown).unwrap_or_default(),
        current: run.current,
        failed: run.failed,
        values: Figure::ALL
            .iter()
            .zip(run.values)
            .map(|(f, v)| v.map_or_else(|| DASH.to_string(), |v| format::value(f.kind(), v)))
            .collect(),
    }
}

fn band_texts(bands: &[Option<Band>; 4]) -> (Vec<String>, Vec<String>, Vec<String>) {
    let mut baseline = Vec::new();
    let mut noise = Vec::new();
    let mut range = Vec::new();
    for (f, b) in Figure::ALL.iter().zip(bands) {
        let kind = f.kind();
        match b {
            Some(b) => {
                baseline.push(format::value(kind, b.baseline));
                noise.push(spread(kind, b.mad));
                range.push(format!(
                    "{} – {}",
                    format::value(kind, b.low),
                    format::value(kind, b.high)
                ));
            }
            None => {
                baseline.push(DASH.to_string());
                noise.push(DASH.to_string());
                range.push(DASH.to_string());
            }
        }
    }
    (baseline, noise, range)
}

/// A scenario's trend, formatted, with its chart when `with_charts`.
fn scenario_view(
    s: &ScenarioTrend,
    slug: &str,
    with_charts: bool,
) -> anyhow::Result<TrendScenarioView> {
    let chart = match with_charts {
        true => {
            let runs: Vec<TrendChartRun> = s
                .runs
                .iter()
                .map(|r| TrendChartRun {
                    label: r.label.clone(),
                    values: r.values,
                    current: r.current,
                    failed: r.failed,
                })
                .collect();
            let bands = s.bands.map(|b| {
                b.map(|b| TrendChartBand {
                    low: b.low,
                    baseline: b.baseline,
                    high: b.high,
                })
            });
            charts::trend_chart_as(&s.name, slug, &PANELS, &runs, &bands)?
                .map(ChartView::from_chart)
        }
        false => None,
    };
    let (baseline, noise, band) = band_texts(&s.bands);
    Ok(TrendScenarioView {
        name: shown(&s.name),
        anchor: format!("trend-{slug}"),
        runs: s.runs.iter().map(run_view).collect(),
        baseline,
        noise,
        band,
        failed_runs: s.runs.iter().filter(|r| r.failed).count(),
        chart,
    })
}

fn headings() -> Vec<&'static str> {
    Figure::ALL.iter().map(|f| f.heading()).collect()
}

/// The trend section of a check's report. Its chart files are named after
/// the scenarios' slugs, as the report's other charts are.
pub fn section(trend: &Trend, with_charts: bool) -> anyhow::Result<TrendSectionView> {
    let slugs = charts::unique_slugs(trend.scenarios.iter().map(|s| s.name.as_str()));
    let scenarios = trend
        .scenarios
        .iter()
        .zip(&slugs)
        .map(|(s, slug)| scenario_view(s, slug, with_charts))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let source = shown(&trend.source);
    let how = trend.info.describe();
    let note = match trend.judged {
        true => format!(
            "Baseline: {how}, from the run history {source}. Noise is each metric's median absolute deviation (MAD) in those runs; a change within it is not significant. The band is what counts as unchanged: the tolerance, widened to the noise."
        ),
        false => format!(
            "From the run history {source}: {how}. Not the gate's baseline (give --baseline {source} for that); the band shows what it would count as unchanged."
        ),
    };
    Ok(TrendSectionView {
        source,
        judged: trend.judged,
        note,
        headings: headings(),
        scenarios,
    })
}

/// The standalone trend report (trend.md, trend.html).
#[derive(Debug, Clone, Serialize)]
pub struct TrendPage {
    pub title: String,
    pub source: String,
    pub generated_at: String,
    pub tool: String,
    /// Records read.
    pub runs: usize,
    pub first: String,
    pub last: String,
    /// The band and noise are over each scenario's last `window` runs.
    pub window: usize,
    pub headings: Vec<&'static str>,
    /// Records left out, each naming its file.
    pub notes: Vec<String>,
    pub scenarios: Vec<TrendScenarioView>,
}

/// The page of `loadgate trend`, over every record of `history`.
pub fn page(
    history: &History,
    scenarios: &[ScenarioTrend],
    window: usize,
    generated_at: &str,
    with_charts: bool,
) -> anyhow::Result<TrendPage> {
    let slugs = charts::unique_slugs(scenarios.iter().map(|s| s.name.as_str()));
    let date = |r: Option<&crate::ingest::summary::Record>| {
        r.and_then(|r| r.recorded_at.get(..10))
            .map_or_else(|| DASH.to_string(), str::to_string)
    };
    Ok(TrendPage {
        title: format!("Run history: {}", shown(&history.dir.to_string_lossy())),
        source: shown(&history.dir.to_string_lossy()),
        generated_at: generated_at.to_string(),
        tool: format!("{} {}", env!("CARGO_PKG_NAME"), env!("CARGO_PKG_VERSION")),
        runs: history.records.len(),
        first: date(history.records.first()),
        last: date(history.records.last()),
        window,
        headings: headings(),
        notes: history.skipped.iter().map(|n| shown(n)).collect(),
        scenarios: scenarios
            .iter()
            .zip(&slugs)
            .map(|(s, slug)| scenario_view(s, slug, with_charts))
            .collect::<anyhow::Result<Vec<_>>>()?,
    })
}

impl TrendPage {
    /// The charts, for writing to `charts/`.
    pub fn charts(&self) -> impl Iterator<Item = &ChartView> {
        self.scenarios.iter().filter_map(|s| s.chart.as_ref())
    }
}

#[derive(Serialize)]
struct TrendJson<'a> {
    schema: &'static str,
    tool: crate::report::summary::Tool,
    generated_at: &'a str,
    source: String,
    window: usize,
    runs: Vec<RunJson<'a>>,
    scenarios: Vec<ScenarioJson<'a>>,
    /// Records left out, each naming its file and why.
    skipped: &'a [String],
}

#[derive(Serialize)]
struct RunJson<'a> {
    file: &'a str,
    recorded_at: &'a str,
    title: Option<&'a str>,
    status: &'a str,
    #[serde(flatten)]
    run: &'a crate::model::RunMeta,
}

#[derive(Serialize)]
struct ScenarioJson<'a> {
    name: &'a str,
    runs: Vec<ScenarioRunJson<'a>>,
    /// Over the last `window` runs: each figure's median, MAD and band.
    recent: Recent,
}

#[derive(Serialize)]
struct ScenarioRunJson<'a> {
    file: Option<&'a str>,
    failed: bool,
    #[serde(serialize_with = "ser_opt_num")]
    median_ms: Option<f64>,
    #[serde(serialize_with = "ser_opt_num")]
    p95_ms: Option<f64>,
    #[serde(serialize_with = "ser_opt_num")]
    rps: Option<f64>,
    #[serde(serialize_with = "ser_opt_num")]
    success_rate: Option<f64>,
}

#[derive(Serialize)]
struct Recent {
    runs: usize,
    median_ms: Option<BandJson>,
    p95_ms: Option<BandJson>,
    rps: Option<BandJson>,
    success_rate: Option<BandJson>,
}

#[derive(Serialize)]
struct BandJson {
    #[serde(serialize_with = "crate::model::ser_num")]
    median: f64,
    #[serde(serialize_with = "crate::model::ser_num")]
    mad: f64,
    #[serde(serialize_with = "crate::model::ser_num")]
    low: f64,
    #[serde(serialize_with = "crate::model::ser_num")]
    high: f64,
}

fn band_json(b: Option<Band>) -> Option<BandJson> {
    b.map(|b| BandJson {
        median: b.baseline,
        mad: b.mad,
        low: b.low,
        high: b.high,
    })
}

/// trend.json: every run, and per scenario its figures run by run and the
/// recent band. Pretty-printed, with a trailing newline.
pub fn json(
    history: &History,
    scenarios: &[ScenarioTrend],
    window: usize,
    generated_at: &str,
) -> anyhow::Result<Vec<u8>> {
    let doc = TrendJson {
        schema: TREND_SCHEMA,
        tool: crate::report::summary::Tool {
            name: env!("CARGO_PKG_NAME"),
            version: env!("CARGO_PKG_VERSION"),
        },
        generated_at,
        source: history.dir.to_string_lossy().into_owned(),
        window,
        runs: history
            .records
            .iter()
            .map(|r| RunJson {
                file: &r.file,
                recorded_at: &r.recorded_at,
                title: r.title.as_deref(),
                status: &r.status,
                run: &r.run,
            })
            .collect(),
        scenarios: scenarios
            .iter()
            .map(|s| ScenarioJson {
                name: &s.name,
                runs: s
                    .runs
                    .iter()
                    .map(|r| ScenarioRunJson {
                        file: r.file.as_deref(),
                        failed: r.failed,
                        median_ms: r.values[0],
                        p95_ms: r.values[1],
                        rps: r.values[2],
                        success_rate: r.values[3],
                    })
                    .collect(),
                recent: Recent {
                    runs: s.runs.len().min(window),
                    median_ms: band_json(s.bands[0]),
                    p95_ms: band_json(s.bands[1]),
                    rps: band_json(s.bands[2]),
                    success_rate: band_json(s.bands[3]),
                },
            })
            .collect(),
        skipped: &history.skipped,
    };
    let mut bytes = serde_json::to_vec_pretty(&doc)?;
    bytes.push(b'\n');
    Ok(bytes)
}

/// A commit as people quote it: its first 7 characters.
fn short(commit: &str) -> String {
    commit.chars().take(7).collect()
}

/// Text from the input as every report shows it (see `view`).
fn shown(text: &str) -> String {
    format::display(text).into_owned()
}
