//! SVG charts for the reports: per scenario, throughput, response times and
//! failures over time from its history, and its percentiles against the
//! baseline's; across scenarios, median and p99 against their targets.
//!
//! Drawn with plotters' SVG backend, built without any font support (no
//! `ttf`, no `ab_glyph`): plotters only estimates text sizes for its layout,
//! and the text is written as `<text font-family="sans-serif">` for the
//! browser to render. So charts need no system fonts, and the output depends
//! on the input alone (no clock, no randomness): the same history gives a
//! byte-identical SVG. Every chart starts with a bare `<svg … viewBox=…>`
//! root and no XML prolog, so it can be inserted inline into HTML.
//!
//! Text from the input (scenario names) is escaped by plotters' SVG backend,
//! which escapes `<`, `>`, `&` and both quotes in text and attributes; it
//! must therefore be passed in raw, not pre-escaped (see the tests).
//!
//! This module owns the public types and the entry points; the drawing is
//! split by what it draws, one figure per file:
//! - `throughput.rs`, `response_times.rs`, `failures.rs`: the three time
//!   charts of a scenario ([`scenario_charts`]);
//! - `baseline.rs` ([`baseline_chart`]) and `overview.rs`
//!   ([`overview_chart`]): the bar charts;
//! - `trend.rs` ([`trend_chart_as`]): a scenario's runs side by side from
//!   a run history, one small panel per figure;
//!
//! and the parts they share:
//! - `time.rs`: the time charts' renderer; `marks.rs`: the ramp-up and the
//!   failed stretches drawn on them ([`ChartMarks`]); `series.rs`: a
//!   history's columns as series to draw, with gaps, downsampled
//!   ([`downsample_min_max`]);
//! - `bars.rs`: the grouped-bar renderer;
//! - `frame.rs`: the canvas, the title and legend, the inline-SVG clean-up;
//! - `style.rs`: sizes, the palette, fonts, tick and text formatting, in one
//!   place;
//! - `slug.rs`: file-name slugs of scenario names ([`unique_slugs`]).

mod bars;
mod baseline;
mod failures;
mod frame;
mod marks;
mod overview;
mod response_times;
mod series;
mod slug;
mod style;
mod svg;
mod throughput;
mod time;
mod trend;

#[cfg(test)]
mod tests;

pub use baseline::{baseline_chart, baseline_chart_as};
pub use overview::overview_chart;
pub use series::{GAP_FACTOR, MAX_POINTS, downsample_min_max};
pub use slug::{slug, unique_slugs};
pub use style::{HEIGHT, WIDTH};
pub use trend::{TrendChartBand, TrendChartRun, TrendPanel, trend_chart_as};

use crate::model::History;

/// One rendered chart.
#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    /// The file name to save it under, e.g. `checkout-throughput.svg`.
    pub file_name: String,
    /// The chart's title, with the full scenario name (raw text: escape it
    /// when putting it into HTML).
    pub title: String,
    /// The SVG document, ready to save or to insert inline into HTML.
    pub svg: String,
}

/// Which time chart a [`MarkedStretch`] belongs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MarkedChart {
    /// `{slug}-throughput.svg`.
    Throughput,
    /// `{slug}-response-times.svg`.
    ResponseTimes,
    /// `{slug}-failures.svg`.
    Failures,
}

/// A failed sustained-window stretch to draw (e.g. "p95 < 300 ms broken for
/// 28 s").
#[derive(Debug, Clone, PartialEq)]
pub struct MarkedStretch {
    pub chart: MarkedChart,
    /// Unix seconds.
    pub start: i64,
    /// Unix seconds, exclusive.
    pub end: i64,
    /// Raw text (escaped when drawn, control characters become spaces), cut
    /// with `…` to the room there is.
    pub label: String,
}

/// What to mark on a scenario's time charts (see [`scenario_charts`]).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ChartMarks {
    /// The steady part starts here (unix s): the time before it (from the
    /// first history point) is the excluded ramp-up, shaded light grey on all
    /// three charts with a small "ramp-up (excluded)" label; `None` = nothing
    /// excluded.
    pub steady_start: Option<i64>,
    pub stretches: Vec<MarkedStretch>,
}

/// Charts of one scenario from its history, in this order:
///  1. `{slug}-throughput.svg`: requests/s over time, with the user count on
///     a second axis on the right;
///  2. `{slug}-response-times.svg`: p50, p95 and p99 over time (those of them
///     the history has; otherwise its first three percentiles), titled
///     "cumulative since start" or "10 s window" after
///     [`History::percentiles`];
///  3. `{slug}-failures.svg`: failures/s over time.
///
/// `marks` are drawn behind the series: the ramp-up before
/// [`ChartMarks::steady_start`] on all three charts (nothing when it is not
/// after the first point), each stretch on its [`MarkedChart`]. Marks are
/// clamped to the time the history covers, and left out when entirely
/// outside it or empty. Each kind of mark is added to the legend when the
/// legend has room for it.
///
/// Returns no chart when the history has fewer than 2 points.
pub fn scenario_charts(
    scenario: &str,
    history: &History,
    marks: &ChartMarks,
) -> anyhow::Result<Vec<Chart>> {
    scenario_charts_as(scenario, &slug(scenario), history, marks)
}

/// [`scenario_charts`] with the file-name slug given (see [`unique_slugs`]).
pub fn scenario_charts_as(
    scenario: &str,
    slug: &str,
    history: &History,
    marks: &ChartMarks,
) -> anyhow::Result<Vec<Chart>> {
    if history.points.len() < 2 {
        return Ok(Vec::new());
    }
    // Locust appends in time order; anything else is sorted (stably) so the
    // time axis starts at the earliest point and gaps are measured correctly.
    let sorted;
    let history = if history.points.is_sorted_by_key(|p| p.timestamp) {
        history
    } else {
        let mut copy = history.clone();
        copy.points.sort_by_key(|p| p.timestamp);
        sorted = copy;
        &sorted
    };
    let input = time::ScenarioInput::new(scenario, slug, history, marks);
    Ok(vec![
        throughput::throughput_chart(&input)?,
        response_times::response_times_chart(&input)?,
        failures::failures_chart(&input)?,
    ])
}

/// One scenario in the overview: median and p99 as bars, each with its target
/// as a marker when there is one.
#[derive(Debug, Clone, PartialEq)]
pub struct OverviewRow {
    pub scenario: String,
    pub median_ms: Option<f64>,
    pub p99_ms: Option<f64>,
    pub median_target_ms: Option<f64>,
    pub p99_target_ms: Option<f64>,
}

/// One group of the baseline chart: a metric (e.g. "p50", "p95", "p99") with
/// the baseline and current value in ms.
#[derive(Debug, Clone, PartialEq)]
pub struct BaselineBar {
    pub metric: String,
    pub baseline_ms: Option<f64>,
    pub current_ms: Option<f64>,
}
