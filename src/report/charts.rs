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
//! Long runs: a 24 h soak test has 86,400 points per series, which
//! [`downsample_min_max`] cuts to at most [`MAX_POINTS`] while keeping every
//! spike. Missing data is never bridged: a value Locust wrote as `N/A`, and a
//! pause in the history longer than [`GAP_FACTOR`] times its usual tick,
//! both break the line.
//!
//! Marks ([`ChartMarks`]): the time charts can shade the ramp-up that the
//! evaluation left out (light grey, on all three) and the stretches where a
//! sustained-window check failed (translucent vermillion, on the chart the
//! check is about). Both are drawn under the grid and the series, at the same
//! times as the series (seconds since the first point), clamped to the
//! plotted range, and labelled along the top of the plot, where the axis
//! headroom above the highest value leaves space. Without marks the output is
//! exactly what it was before marks existed.

use std::ops::Range;

use plotters::coord::Shift;
use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint};
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::model::{History, HistoryPercentiles};

/// Width of every chart, in pixels.
pub const WIDTH: u32 = 800;
/// Height of every time chart, and the least height of the bar charts.
pub const HEIGHT: u32 = 320;
/// Height of the title and legend rows above the plot.
const HEADER_PX: u32 = 50;
/// Height per bar of a row in the bar charts (overview, baseline): a row of
/// two bars takes 46 px. Charts with few rows stay [`HEIGHT`] high.
const BAR_PX: u32 = 23;

/// Font sizes in CSS pixels. plotters writes `font-size = size / 1.24`, so
/// [`font`] multiplies by 1.24; these sizes come back out as whole numbers.
const TITLE_PX: f64 = 14.0;
const LABEL_PX: f64 = 11.0;
const DESC_PX: f64 = 12.0;
const SMALL_PX: f64 = 10.0;

/// The most points one series is drawn with (see [`downsample_min_max`]):
/// above one per pixel of the plot, so nothing visible is lost.
pub const MAX_POINTS: usize = 1000;
/// A pause longer than this many median tick intervals breaks the lines.
pub const GAP_FACTOR: f64 = 3.0;
/// The overview's axis reaches out to targets up to this many times the
/// highest median or p99; farther targets are written at the right edge.
const TARGET_REACH: f64 = 3.0;
/// Scenario names longer than this are cut (with `…`) in SVG titles.
const TITLE_NAME_CHARS: usize = 60;

/// The Okabe–Ito palette: eight colours that stay distinct with every common
/// kind of colour blindness, plus the grey that R's
/// `palette.colors("Okabe-Ito")` adds as a ninth, neutral one. Only the ones
/// in use are listed.
mod okabe_ito {
    use plotters::style::RGBColor;

    pub const ORANGE: RGBColor = RGBColor(0xE6, 0x9F, 0x00);
    pub const BLUISH_GREEN: RGBColor = RGBColor(0x00, 0x9E, 0x73);
    pub const BLUE: RGBColor = RGBColor(0x00, 0x72, 0xB2);
    pub const VERMILLION: RGBColor = RGBColor(0xD5, 0x5E, 0x00);
    pub const REDDISH_PURPLE: RGBColor = RGBColor(0xCC, 0x79, 0xA7);
    pub const BLACK: RGBColor = RGBColor(0x00, 0x00, 0x00);
    pub const GREY: RGBColor = RGBColor(0x99, 0x99, 0x99);
}

/// What each colour means, the same in every chart.
const REQUESTS_COLOR: RGBColor = okabe_ito::BLUE;
const USERS_COLOR: RGBColor = okabe_ito::ORANGE;
const FAILURES_COLOR: RGBColor = okabe_ito::VERMILLION;
/// p50 (median), p95, p99: the lowest percentile in blue, the highest in purple.
const PERCENTILE_COLORS: [RGBColor; 3] = [
    okabe_ito::BLUE,
    okabe_ito::BLUISH_GREEN,
    okabe_ito::REDDISH_PURPLE,
];
const MEDIAN_COLOR: RGBColor = PERCENTILE_COLORS[0];
const P99_COLOR: RGBColor = PERCENTILE_COLORS[2];
const TARGET_COLOR: RGBColor = okabe_ito::BLACK;
/// The baseline recedes in neutral grey; the current run is the subject.
const BASELINE_COLOR: RGBColor = okabe_ito::GREY;
const CURRENT_COLOR: RGBColor = okabe_ito::BLUE;
const TEXT_COLOR: RGBColor = RGBColor(0x33, 0x33, 0x33);
const AXIS_COLOR: RGBColor = RGBColor(0x88, 0x88, 0x88);
const GRID_COLOR: RGBColor = RGBColor(0xE4, 0xE4, 0xE4);
const LINE_WIDTH: u32 = 2;
/// The excluded ramp-up: a light grey no other element uses.
const RAMP_UP_COLOR: RGBColor = RGBColor(0xEE, 0xEE, 0xEE);
/// The ramp-up's legend swatch needs an outline to show on the white header.
const RAMP_UP_OUTLINE: RGBColor = RGBColor(0xC8, 0xC8, 0xC8);
const RAMP_UP_LABEL: &str = "ramp-up (excluded)";
/// Where the ramp-up label does not fit.
const RAMP_UP_SHORT_LABEL: &str = "ramp-up";
/// A failed stretch: vermillion (as failures) at [`STRETCH_ALPHA`], edged by
/// lines at [`STRETCH_EDGE_ALPHA`], labelled in a darker vermillion that
/// stays legible at 10 px on the band.
const STRETCH_COLOR: RGBColor = okabe_ito::VERMILLION;
const STRETCH_ALPHA: f64 = 0.2;
const STRETCH_EDGE_ALPHA: f64 = 0.8;
const STRETCH_TEXT_COLOR: RGBColor = RGBColor(0xA0, 0x46, 0x00);
const STRETCH_LEGEND: &str = "failed window";
/// Mark labels shorter than this (with the `…`) are left out.
const MIN_MARK_LABEL_CHARS: usize = 4;
/// Left edge of the title and the legend.
const HEADER_LEFT: i32 = 12;

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
    let series = TimeSeries::new(history);
    let short_name = truncate(scenario, TITLE_NAME_CHARS);
    let ramp_up_end_s = marks
        .steady_start
        .and_then(|steady| series.plotted(series.t0, steady))
        .map(|r| r.end);
    let time_marks = |chart: MarkedChart| {
        let mut stretches: Vec<(Range<f64>, &str)> = marks
            .stretches
            .iter()
            .filter(|s| s.chart == chart)
            .filter_map(|s| Some((series.plotted(s.start, s.end)?, s.label.as_str())))
            .collect();
        stretches.sort_by(|a, b| a.0.start.total_cmp(&b.0.start));
        TimeMarks {
            ramp_up_end_s,
            stretches,
        }
    };

    let mut charts = Vec::with_capacity(3);

    let title = |name: &str| format!("{name}: requests/s and users");
    charts.push(Chart {
        file_name: format!("{slug}-throughput.svg"),
        title: title(scenario),
        svg: render_time_chart(&TimeChartSpec {
            title: &title(&short_name),
            axis: series.axis,
            y_desc: "requests/s",
            lines: vec![Line {
                label: "requests/s".to_string(),
                color: REQUESTS_COLOR,
                points: series.prepare(history.points.iter().map(|p| Some(p.rps))),
            }],
            // Locust 0.x wrote no user count: no line rather than a flat zero.
            right: history.users_known.then(|| RightAxis {
                desc: "users",
                line: Line {
                    label: "users (right axis)".to_string(),
                    color: USERS_COLOR,
                    points: series.prepare(history.points.iter().map(|p| Some(p.users as f64))),
                },
            }),
            empty_note: "no throughput values",
            marks: time_marks(MarkedChart::Throughput),
        })?,
    });

    let mode = match history.percentiles {
        HistoryPercentiles::Cumulative => "cumulative since start",
        HistoryPercentiles::Windowed => "10 s window",
    };
    let title = |name: &str| format!("{name}: response times ({mode})");
    let lines = chosen_percentiles(&history.percentile_labels)
        .into_iter()
        .zip(PERCENTILE_COLORS)
        .map(|(column, color)| Line {
            label: format!("p{}", history.percentile_labels[column]),
            color,
            points: series.prepare(
                history
                    .points
                    .iter()
                    .map(|p| p.percentiles_ms.get(column).copied().flatten()),
            ),
        })
        .collect();
    charts.push(Chart {
        file_name: format!("{slug}-response-times.svg"),
        title: title(scenario),
        svg: render_time_chart(&TimeChartSpec {
            title: &title(&short_name),
            axis: series.axis,
            y_desc: "ms",
            lines,
            right: None,
            empty_note: "no response times (Locust wrote N/A)",
            marks: time_marks(MarkedChart::ResponseTimes),
        })?,
    });

    let title = |name: &str| format!("{name}: failures/s");
    charts.push(Chart {
        file_name: format!("{slug}-failures.svg"),
        title: title(scenario),
        svg: render_time_chart(&TimeChartSpec {
            title: &title(&short_name),
            axis: series.axis,
            y_desc: "failures/s",
            lines: vec![Line {
                label: "failures/s".to_string(),
                color: FAILURES_COLOR,
                points: series.prepare(history.points.iter().map(|p| Some(p.failures_per_s))),
            }],
            right: None,
            empty_note: "no failure values",
            marks: time_marks(MarkedChart::Failures),
        })?,
    });

    Ok(charts)
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

/// `overview-latency.svg`: one row per scenario, in the given order, with its
/// median and p99 as horizontal bars and the targets as black marks across
/// them. `None` when there are no rows, or no row has a median or p99.
pub fn overview_chart(rows: &[OverviewRow]) -> anyhow::Result<Option<Chart>> {
    let has_values = rows
        .iter()
        .flat_map(|r| [r.median_ms, r.p99_ms])
        .any(|v| finite(v).is_some());
    if !has_values {
        return Ok(None);
    }
    let title = "Response times by scenario: median and p99";
    let kinds = [
        BarKind {
            label: "median",
            color: MEDIAN_COLOR,
        },
        BarKind {
            label: "p99",
            color: P99_COLOR,
        },
    ];
    let groups: Vec<BarGroup> = rows
        .iter()
        .map(|r| BarGroup {
            name: &r.scenario,
            bars: vec![
                Bar {
                    value: r.median_ms,
                    target: r.median_target_ms,
                },
                Bar {
                    value: r.p99_ms,
                    target: r.p99_target_ms,
                },
            ],
        })
        .collect();
    Ok(Some(Chart {
        file_name: "overview-latency.svg".to_string(),
        title: title.to_string(),
        svg: render_grouped_bars(&GroupedBarSpec {
            title,
            kinds: &kinds,
            groups: &groups,
            x_desc: "ms",
            value_labels: false,
        })?,
    }))
}

/// One group of the baseline chart: a metric (e.g. "p50", "p95", "p99") with
/// the baseline and current value in ms.
#[derive(Debug, Clone, PartialEq)]
pub struct BaselineBar {
    pub metric: String,
    pub baseline_ms: Option<f64>,
    pub current_ms: Option<f64>,
}

/// `{slug}-baseline.svg`: one row per metric, in the given order, with the
/// baseline's value (grey) above the current run's (blue) as horizontal
/// bars, each labelled with its value (`n/a` when missing), titled
/// "{scenario}: baseline vs current". `None` when no bar has a value.
pub fn baseline_chart(scenario: &str, bars: &[BaselineBar]) -> anyhow::Result<Option<Chart>> {
    baseline_chart_as(scenario, &slug(scenario), bars)
}

/// [`baseline_chart`] with the file-name slug given (see [`unique_slugs`]).
pub fn baseline_chart_as(
    scenario: &str,
    slug: &str,
    bars: &[BaselineBar],
) -> anyhow::Result<Option<Chart>> {
    let groups: Vec<BarGroup> = bars
        .iter()
        .map(|b| BarGroup {
            name: &b.metric,
            bars: vec![
                Bar {
                    value: b.baseline_ms,
                    target: None,
                },
                Bar {
                    value: b.current_ms,
                    target: None,
                },
            ],
        })
        .collect();
    if !groups.iter().any(BarGroup::has_value) {
        return Ok(None);
    }
    let kinds = [
        BarKind {
            label: "baseline",
            color: BASELINE_COLOR,
        },
        BarKind {
            label: "current",
            color: CURRENT_COLOR,
        },
    ];
    let title = |name: &str| format!("{name}: baseline vs current");
    Ok(Some(Chart {
        file_name: format!("{slug}-baseline.svg"),
        title: title(scenario),
        svg: render_grouped_bars(&GroupedBarSpec {
            title: &title(&truncate(scenario, TITLE_NAME_CHARS)),
            kinds: &kinds,
            groups: &groups,
            x_desc: "ms",
            value_labels: true,
        })?,
    }))
}

/// A file-name-safe slug of a scenario name: ASCII letters (lowercased),
/// digits, `-` and `_` are kept, every other character becomes `-`, runs of
/// `-` collapse to one and are trimmed from the ends. Never empty (`scenario`
/// stands in), and at most 100 bytes, so that the chart file names stay
/// below common file-name limits.
///
/// Different names can share a slug (`a b` and `a-b`); callers that need
/// unique file names must check.
pub fn slug(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        let c = if c.is_ascii_alphanumeric() || c == '_' {
            c.to_ascii_lowercase()
        } else {
            '-'
        };
        if !(c == '-' && out.ends_with('-')) {
            out.push(c);
        }
    }
    let mut out = out.trim_matches('-').to_string();
    // All ASCII, so any byte index is a char boundary.
    out.truncate(100);
    let out = out.trim_end_matches('-');
    if out.is_empty() {
        "scenario".to_string()
    } else {
        out.to_string()
    }
}

/// One slug per name, unique within the run and stable across runs: the
/// plain [`slug`] where no other name of the run has the same one, else the
/// slug plus the first 8 hex digits of an FNV-1a hash of the full name
/// (`api-v1-3f2a9c01`). Slugs are lower case, so names that differ only in
/// case (`Checkout`, `checkout`) never share a file on a case-insensitive
/// file system either. Used for chart file names and HTML anchors.
pub fn unique_slugs<'a>(names: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let names: Vec<&str> = names.into_iter().collect();
    let plain: Vec<String> = names.iter().map(|n| slug(n)).collect();
    let mut count: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for p in &plain {
        *count.entry(p.as_str()).or_default() += 1;
    }
    // A hashed slug could itself equal another name's plain slug; such a
    // name gets its hash too (checked once more, to be sure).
    let hashed = |name: &str, plain: &str| format!("{plain}-{:08x}", fnv1a(name) >> 32);
    let mut out: Vec<String> = names
        .iter()
        .zip(&plain)
        .map(|(n, p)| match count[p.as_str()] {
            1 => p.clone(),
            _ => hashed(n, p),
        })
        .collect();
    let taken: std::collections::HashSet<String> = out
        .iter()
        .enumerate()
        .filter(|(i, s)| **s != plain[*i])
        .map(|(_, s)| s.clone())
        .collect();
    for (i, s) in out.iter_mut().enumerate() {
        if *s == plain[i] && taken.contains(s) {
            *s = hashed(names[i], &plain[i]);
        }
    }
    out
}

/// 64-bit FNV-1a: a small, fixed hash (not `DefaultHasher`, whose output
/// may change between Rust releases), so slugs are stable across runs.
fn fnv1a(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Reduce a time series to at most `max_points` points, keeping its shape and
/// every spike.
///
/// Method (min/max bucketing): the time span is cut into equal buckets; each
/// bucket keeps only its lowest and its highest value, in their time order,
/// at their own times. The global maximum and minimum therefore always
/// survive, and a one-point spike is drawn at full height. Buckets are
/// `max_points / 2`; if gaps (below) would push the result over budget, it is
/// redone with `(max_points - 1) / 4` buckets, which always fits.
///
/// Gaps: a `None` value is missing data, and the result keeps a `None` between
/// any two kept points that had one between them in the input, so a line
/// drawn through the result never bridges missing data. A bucket without any
/// value becomes one `None`; consecutive `None`s collapse into one.
///
/// Edge cases: a series no longer than `max_points` comes back unchanged
/// (non-finite values turned into `None`, as everywhere); `max_points` below
/// 5 counts as 5; points out of time order are sorted first (stably);
/// non-finite values count as missing; a series whose points all share one
/// time is one bucket.
pub fn downsample_min_max(
    points: &[(f64, Option<f64>)],
    max_points: usize,
) -> Vec<(f64, Option<f64>)> {
    let max_points = max_points.max(5);
    let mut points: Vec<(f64, Option<f64>)> = points
        .iter()
        .map(|&(t, v)| (t, v.filter(|v| v.is_finite())))
        .collect();
    if points.len() <= max_points {
        return points;
    }
    if !points.is_sorted_by(|a, b| a.0 <= b.0) {
        points.sort_by(|a, b| a.0.total_cmp(&b.0));
    }
    let fine = bucket_min_max(&points, max_points / 2);
    if fine.len() <= max_points {
        return fine;
    }
    // Each bucket gives at most None, min, None, max, None, and its leading
    // None merges with the previous bucket's trailing one: 4 per bucket + 1.
    bucket_min_max(&points, (max_points - 1) / 4)
}

/// [`downsample_min_max`] with a given bucket count, on points in time order.
fn bucket_min_max(points: &[(f64, Option<f64>)], buckets: usize) -> Vec<(f64, Option<f64>)> {
    let buckets = buckets.max(1);
    let (Some(first), Some(last)) = (points.first(), points.last()) else {
        return Vec::new();
    };
    let (t0, width) = (first.0, (last.0 - first.0) / buckets as f64);
    let bucket_of = |t: f64| -> usize {
        if width > 0.0 && width.is_finite() {
            // `as` saturates: a NaN time lands in bucket 0.
            (((t - t0) / width) as usize).min(buckets - 1)
        } else {
            0
        }
    };
    let mut out = Vec::with_capacity(buckets * 2 + 1);
    let mut start = 0;
    while start < points.len() {
        let bucket = bucket_of(points[start].0);
        let len = points[start..]
            .iter()
            .take_while(|p| bucket_of(p.0) == bucket)
            .count();
        keep_min_max(&points[start..start + len], &mut out);
        start += len;
    }
    out
}

/// Append the lowest and highest value of `bucket` (in time order) to `out`,
/// with a `None` wherever `bucket` had one before, between or after them.
fn keep_min_max(bucket: &[(f64, Option<f64>)], out: &mut Vec<(f64, Option<f64>)>) {
    let mut low: Option<(usize, f64)> = None;
    let mut high: Option<(usize, f64)> = None;
    for (i, &(_, v)) in bucket.iter().enumerate() {
        let Some(v) = v else { continue };
        if low.is_none_or(|(_, m)| v < m) {
            low = Some((i, v));
        }
        if high.is_none_or(|(_, m)| v > m) {
            high = Some((i, v));
        }
    }
    let (Some((a, _)), Some((b, _))) = (low, high) else {
        if let Some(&(t, _)) = bucket.first() {
            push_gap(out, t);
        }
        return;
    };
    let mut keep = vec![a.min(b), a.max(b)];
    keep.dedup();
    let mut from = 0;
    for k in keep {
        if let Some(&(t, _)) = bucket[from..k].iter().find(|p| p.1.is_none()) {
            push_gap(out, t);
        }
        out.push(bucket[k]);
        from = k + 1;
    }
    if let Some(&(t, _)) = bucket[from..].iter().find(|p| p.1.is_none()) {
        push_gap(out, t);
    }
}

fn push_gap(out: &mut Vec<(f64, Option<f64>)>, t: f64) {
    if out.last().is_none_or(|p| p.1.is_some()) {
        out.push((t, None));
    }
}

/// Insert a `None` (at the midpoint) wherever two consecutive points are more
/// than `max_gap` apart, so that the line breaks there.
fn mark_time_gaps(points: &[(f64, Option<f64>)], max_gap: Option<f64>) -> Vec<(f64, Option<f64>)> {
    let mut out = Vec::with_capacity(points.len());
    let mut prev: Option<f64> = None;
    for &p in points {
        if let (Some(max_gap), Some(prev)) = (max_gap, prev)
            && p.0 - prev > max_gap
        {
            out.push((prev + (p.0 - prev) / 2.0, None));
        }
        out.push(p);
        prev = Some(p.0);
    }
    out
}

/// The median of the positive intervals between consecutive times, if any.
fn median_interval(times: &[f64]) -> Option<f64> {
    let mut steps: Vec<f64> = times
        .windows(2)
        .map(|w| w[1] - w[0])
        .filter(|d| *d > 0.0)
        .collect();
    steps.sort_by(f64::total_cmp);
    steps.get(steps.len() / 2).copied()
}

/// The lines (two or more points) and lone dots of a prepared series, with
/// times converted to the axis unit.
type Pieces = (Vec<Vec<(f64, f64)>>, Vec<(f64, f64)>);

fn pieces(points: &[(f64, Option<f64>)], axis: TimeAxis) -> Pieces {
    let (mut lines, mut dots) = (Vec::new(), Vec::new());
    for run in points.split(|p| p.1.is_none()) {
        let run: Vec<(f64, f64)> = run
            .iter()
            .filter_map(|&(t, v)| Some((axis.x(t), v?)))
            .collect();
        match run.len() {
            0 => {}
            1 => dots.push(run[0]),
            _ => lines.push(run),
        }
    }
    (lines, dots)
}

/// The time axis: elapsed time since the first point, in seconds for runs up
/// to 3 minutes, minutes up to 3 hours, hours beyond, so that ticks are round
/// numbers in a unit people read at a glance.
#[derive(Debug, Clone, Copy, PartialEq)]
struct TimeAxis {
    seconds_per_unit: f64,
    desc: &'static str,
    /// The axis end, in the unit.
    end: f64,
    /// The time the history covers, in seconds.
    span_s: f64,
}

impl TimeAxis {
    fn for_span(span_s: f64) -> TimeAxis {
        let (seconds_per_unit, desc) = if span_s <= 180.0 {
            (1.0, "elapsed (s)")
        } else if span_s <= 3.0 * 3600.0 {
            (60.0, "elapsed (min)")
        } else {
            (3600.0, "elapsed (h)")
        };
        let end = span_s / seconds_per_unit;
        TimeAxis {
            seconds_per_unit,
            desc,
            end: if end > 0.0 && end.is_finite() {
                end
            } else {
                1.0
            },
            span_s,
        }
    }

    /// The x coordinate of a time in seconds since the first point: the one
    /// transform for series and marks alike.
    fn x(&self, seconds: f64) -> f64 {
        seconds / self.seconds_per_unit
    }
}

/// The times of a history, and how to turn one of its columns into a series
/// ready to draw.
struct TimeSeries {
    /// The first point's time (unix s).
    t0: i64,
    /// Seconds since the first point.
    elapsed_s: Vec<f64>,
    max_gap_s: Option<f64>,
    axis: TimeAxis,
}

impl TimeSeries {
    fn new(history: &History) -> TimeSeries {
        let t0 = history.points.first().map_or(0, |p| p.timestamp);
        let elapsed_s: Vec<f64> = history
            .points
            .iter()
            .map(|p| elapsed_s(t0, p.timestamp))
            .collect();
        let span_s = elapsed_s.iter().copied().fold(0.0, f64::max);
        TimeSeries {
            t0,
            max_gap_s: median_interval(&elapsed_s).map(|step| step * GAP_FACTOR),
            axis: TimeAxis::for_span(span_s),
            elapsed_s,
        }
    }

    /// The part of `start..end` (unix s) that the history covers, in seconds
    /// since the first point; `None` when there is none.
    fn plotted(&self, start: i64, end: i64) -> Option<Range<f64>> {
        let from = elapsed_s(self.t0, start).max(0.0);
        let to = elapsed_s(self.t0, end).min(self.axis.span_s);
        (from < to).then_some(from..to)
    }

    /// Pair values with times, break at pauses, and downsample.
    fn prepare(&self, values: impl Iterator<Item = Option<f64>>) -> Vec<(f64, Option<f64>)> {
        let points: Vec<(f64, Option<f64>)> = self.elapsed_s.iter().copied().zip(values).collect();
        downsample_min_max(&mark_time_gaps(&points, self.max_gap_s), MAX_POINTS)
    }
}

/// Seconds from `t0` to `t` (unix s), negative before it.
fn elapsed_s(t0: i64, t: i64) -> f64 {
    t.saturating_sub(t0) as f64
}

/// The percentile columns to chart: p50, p95 and p99 where present, else the
/// first three columns.
fn chosen_percentiles(labels: &[String]) -> Vec<usize> {
    let wanted: Vec<usize> = ["50", "95", "99"]
        .iter()
        .filter_map(|w| labels.iter().position(|l| l == w))
        .collect();
    if wanted.is_empty() {
        (0..labels.len().min(3)).collect()
    } else {
        wanted
    }
}

/// One series to draw.
struct Line {
    label: String,
    color: RGBColor,
    /// Prepared points: seconds since the start, `None` breaks the line.
    points: Vec<(f64, Option<f64>)>,
}

impl Line {
    fn max(&self) -> Option<f64> {
        self.points.iter().filter_map(|p| p.1).reduce(f64::max)
    }
}

/// A series on its own scale, on a second axis on the right.
struct RightAxis {
    desc: &'static str,
    line: Line,
}

struct TimeChartSpec<'a> {
    title: &'a str,
    axis: TimeAxis,
    y_desc: &'static str,
    lines: Vec<Line>,
    right: Option<RightAxis>,
    /// Written across the plot when no line has any value.
    empty_note: &'static str,
    marks: TimeMarks<'a>,
}

/// The marks of one time chart, in seconds since the first point, already
/// clamped to the time the history covers (see [`TimeSeries::plotted`]).
#[derive(Debug, Default)]
struct TimeMarks<'a> {
    /// The excluded ramp-up runs from the first point to here.
    ramp_up_end_s: Option<f64>,
    /// Failed stretches with their raw labels, in time order.
    stretches: Vec<(Range<f64>, &'a str)>,
}

type TimePlot<'a> = DrawingArea<SVGBackend<'a>, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

fn render_time_chart(spec: &TimeChartSpec) -> anyhow::Result<String> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, HEIGHT)).into_drawing_area();
        root.fill(&WHITE)?;
        let mut legend: Vec<LegendEntry> = spec
            .lines
            .iter()
            .chain(spec.right.as_ref().map(|r| &r.line))
            .map(|l| LegendEntry {
                label: &l.label,
                color: l.color,
                mark: Mark::Line,
            })
            .collect();
        let mark_entries = [
            spec.marks.ramp_up_end_s.map(|_| LegendEntry {
                label: RAMP_UP_LABEL,
                color: RAMP_UP_COLOR,
                mark: Mark::Shade,
            }),
            (!spec.marks.stretches.is_empty()).then_some(LegendEntry {
                label: STRETCH_LEGEND,
                color: STRETCH_COLOR,
                mark: Mark::Band,
            }),
        ];
        for entry in mark_entries.into_iter().flatten() {
            let used: i32 = legend.iter().map(|e| legend_entry_width(e.label)).sum();
            if HEADER_LEFT + used + legend_entry_width(entry.label) <= WIDTH as i32 {
                legend.push(entry);
            }
        }
        draw_header(&root, spec.title, &legend)?;
        let (_, body) = root.split_vertically(HEADER_PX);

        let y_max = spec.lines.iter().filter_map(Line::max).reduce(f64::max);
        let y_end = axis_end(y_max.unwrap_or(0.0));
        let mut builder = ChartBuilder::on(&body);
        builder
            .margin_left(8)
            .margin_bottom(6)
            .margin_top(6)
            .margin_right(if spec.right.is_some() { 8 } else { 24 })
            .x_label_area_size(40)
            .y_label_area_size(64);
        if spec.right.is_some() {
            builder.right_y_label_area_size(64);
        }
        // The right axis takes over the right label area, so it must be set
        // before the mesh is drawn (or the mesh labels both sides). Without a
        // right axis, the secondary coordinates go unused.
        let right_max = spec
            .right
            .as_ref()
            .map_or(1.0, |r| axis_end(r.line.max().unwrap_or(0.0)).max(10.0));
        let mut chart = builder
            .build_cartesian_2d(0.0..spec.axis.end, 0.0..y_end)?
            .set_secondary_coord(0.0..spec.axis.end, 0.0..right_max);
        // The marks' areas go first, under the grid and the series.
        draw_mark_areas(chart.plotting_area(), spec.axis, &spec.marks, y_end)?;
        chart
            .configure_mesh()
            .max_light_lines(0)
            .bold_line_style(GRID_COLOR)
            .axis_style(AXIS_COLOR)
            .x_labels(10)
            .y_labels(6)
            .x_desc(spec.axis.desc)
            .y_desc(spec.y_desc)
            .x_label_formatter(&tick)
            .y_label_formatter(&tick)
            .label_style(font(LABEL_PX).color(&TEXT_COLOR))
            .axis_desc_style(font(DESC_PX).color(&TEXT_COLOR))
            .draw()?;
        draw_mark_edges_and_labels(chart.plotting_area(), spec.axis, &spec.marks, y_end)?;
        if let Some(right) = &spec.right {
            chart
                .configure_secondary_axes()
                .axis_style(AXIS_COLOR)
                .y_labels(6)
                .y_desc(right.desc)
                .y_label_formatter(&whole_tick)
                .label_style(font(LABEL_PX).color(&TEXT_COLOR))
                .axis_desc_style(font(DESC_PX).color(&TEXT_COLOR))
                .draw()?;
            let (paths, dots) = pieces(&right.line.points, spec.axis);
            chart.draw_secondary_series(paths.into_iter().map(|p| path(p, right.line.color)))?;
            chart.draw_secondary_series(dots.into_iter().map(|p| dot(p, right.line.color)))?;
        }

        // The left axis's lines go on top: they are the main subject.
        for line in &spec.lines {
            let (paths, dots) = pieces(&line.points, spec.axis);
            chart.draw_series(paths.into_iter().map(|p| path(p, line.color)))?;
            chart.draw_series(dots.into_iter().map(|p| dot(p, line.color)))?;
        }
        if y_max.is_none() {
            chart.plotting_area().draw(&Text::new(
                spec.empty_note,
                (spec.axis.end / 2.0, axis_end(0.0) / 2.0),
                font(DESC_PX)
                    .color(&TEXT_COLOR)
                    .pos(Pos::new(HPos::Center, VPos::Center)),
            ))?;
        }
        root.present()?;
    }
    Ok(inline_svg(svg))
}

/// The ramp-up and the stretches as filled areas over the plot's full height.
fn draw_mark_areas(
    plot: &TimePlot,
    axis: TimeAxis,
    marks: &TimeMarks,
    y_end: f64,
) -> anyhow::Result<()> {
    let area = |from: f64, to: f64, style: ShapeStyle| {
        Rectangle::new([(axis.x(from), y_end), (axis.x(to), 0.0)], style)
    };
    if let Some(end) = marks.ramp_up_end_s {
        plot.draw(&area(0.0, end, RAMP_UP_COLOR.filled()))?;
    }
    for (range, _) in &marks.stretches {
        let style = STRETCH_COLOR.mix(STRETCH_ALPHA).filled();
        plot.draw(&area(range.start, range.end, style))?;
    }
    Ok(())
}

/// A label along the top of the plot, starting just inside its mark.
struct MarkLabel {
    /// Where its mark starts, in seconds since the first point.
    start_s: f64,
    /// Where it must end, if not only before the next label.
    end_s: Option<f64>,
    /// Candidates, best first: the first that fits is written; a lone one
    /// that does not fit is cut with `…` instead.
    texts: Vec<String>,
    color: RGBColor,
}

/// The stretches' edges (where they are inside the plot, not cut by its
/// ends), and the marks' labels along the top of the plot. Left to right,
/// each label is cut to end before the next one starts (or the plot ends),
/// so a stretch's label may reach past a narrow stretch; the ramp-up's label
/// stays inside the ramp-up, falling back to "ramp-up". A label that would be
/// shorter than [`MIN_MARK_LABEL_CHARS`] is left out (the legend still
/// explains the mark).
fn draw_mark_edges_and_labels(
    plot: &TimePlot,
    axis: TimeAxis,
    marks: &TimeMarks,
    y_end: f64,
) -> anyhow::Result<()> {
    for (range, _) in &marks.stretches {
        for edge in [range.start, range.end] {
            if edge > 0.0 && edge < axis.span_s {
                plot.draw(&PathElement::new(
                    vec![(axis.x(edge), 0.0), (axis.x(edge), y_end)],
                    STRETCH_COLOR.mix(STRETCH_EDGE_ALPHA).stroke_width(1),
                ))?;
            }
        }
    }

    // In time order; the ramp-up (at 0) before a stretch that also starts
    // at 0 (a stable sort).
    let mut labels: Vec<MarkLabel> = Vec::new();
    if let Some(end) = marks.ramp_up_end_s {
        labels.push(MarkLabel {
            start_s: 0.0,
            end_s: Some(end),
            texts: vec![RAMP_UP_LABEL.to_string(), RAMP_UP_SHORT_LABEL.to_string()],
            color: TEXT_COLOR,
        });
    }
    for (range, label) in &marks.stretches {
        let clean: String = label
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        labels.push(MarkLabel {
            start_s: range.start,
            end_s: None,
            texts: vec![clean.trim().to_string()],
            color: STRETCH_TEXT_COLOR,
        });
    }
    labels.sort_by(|a, b| a.start_s.total_cmp(&b.start_s));

    const PAD: i32 = 4;
    let px = |s: f64| plot.map_coordinate(&(axis.x(s), y_end)).0;
    let right_px = plot.get_pixel_range().0.end;
    for (i, label) in labels.iter().enumerate() {
        let next = labels.get(i + 1).map_or(right_px, |next| px(next.start_s));
        let limit = label.end_s.map_or(next, |end| px(end).min(next)) - PAD;
        let room = (limit - px(label.start_s) - PAD).max(0) as f64;
        let max_chars = (room / (SMALL_PX * 0.62)) as usize;
        let text = match (
            label.texts.iter().find(|t| t.chars().count() <= max_chars),
            label.texts.as_slice(),
        ) {
            (Some(fits), _) => fits.clone(),
            (None, [only]) if max_chars >= MIN_MARK_LABEL_CHARS => truncate(only, max_chars),
            _ => continue,
        };
        if text.is_empty() {
            continue;
        }
        plot.draw(
            &(EmptyElement::at((axis.x(label.start_s), y_end))
                + Text::new(
                    text,
                    (PAD, 3),
                    font(SMALL_PX)
                        .color(&label.color)
                        .pos(Pos::new(HPos::Left, VPos::Top)),
                )),
        )?;
    }
    Ok(())
}

/// One kind of bar in a grouped bar chart, e.g. "median" or "baseline":
/// every group has one bar of each kind, the first kind at the top.
struct BarKind {
    label: &'static str,
    color: RGBColor,
}

/// One bar: its length, and a target to mark across it. Non-finite values
/// count as missing.
#[derive(Debug, Clone, Copy)]
struct Bar {
    value: Option<f64>,
    target: Option<f64>,
}

/// One row of a grouped bar chart: a name on the vertical axis, and one bar
/// per [`BarKind`], in the same order.
struct BarGroup<'a> {
    /// Raw text (plotters escapes it); cut to fit the label area.
    name: &'a str,
    bars: Vec<Bar>,
}

impl BarGroup<'_> {
    fn has_value(&self) -> bool {
        self.bars.iter().any(|b| finite(b.value).is_some())
    }
}

struct GroupedBarSpec<'a> {
    title: &'a str,
    kinds: &'a [BarKind],
    groups: &'a [BarGroup<'a>],
    x_desc: &'static str,
    /// Write each value (`12.5 ms`) just past its bar's end, and `n/a` where
    /// a row with values lacks one, so that 0, a sliver and a missing value
    /// can be told apart. The axis reaches further right to make room.
    value_labels: bool,
}

/// Horizontal grouped bars: one row per group, top to bottom in the given
/// order, its bars stacked within the row, on a shared value axis from 0.
/// The legend lists the kinds, and "target" when any bar has one; a row
/// without any value says "no data". Used by the overview and the baseline
/// chart.
fn render_grouped_bars(spec: &GroupedBarSpec) -> anyhow::Result<String> {
    let (groups, n) = (spec.groups, spec.groups.len());
    let kinds = spec.kinds.len().max(1);
    let height = HEIGHT.max(HEADER_PX + 70 + BAR_PX * kinds as u32 * n as u32);
    let value_max = groups
        .iter()
        .flat_map(|g| &g.bars)
        .filter_map(|b| finite(b.value))
        .reduce(f64::max)
        .unwrap_or(0.0);
    // A target far above every value (the defaults' `p99 < 1s` against
    // 20 ms) would squash the bars into slivers: the axis only reaches out to
    // targets within TARGET_REACH times the highest value, and a target
    // beyond is written at the right edge instead, where the bars leave room.
    let on_scale = |t: f64| t <= value_max * TARGET_REACH;
    let targets = || {
        groups
            .iter()
            .flat_map(|g| &g.bars)
            .filter_map(|b| finite(b.target))
    };
    let x_max = targets().filter(|t| on_scale(*t)).fold(value_max, f64::max);
    let x_end = if targets().any(|t| !on_scale(t)) {
        axis_end(x_max) * 1.3
    } else {
        axis_end(x_max)
    };
    // Value labels: at least ~100 px right of the longest bar, enough for
    // `1234.5 ms`. (Kept finite for values near f64::MAX.)
    let x_end = match x_end * 1.1 {
        wider if spec.value_labels && wider.is_finite() => wider,
        _ => x_end,
    };
    let has_target = targets().next().is_some();
    // Room for the longest name, within reason; longer names are cut.
    let longest = groups
        .iter()
        .map(|g| g.name.chars().count())
        .max()
        .unwrap_or(0);
    let label_chars = longest.clamp(8, 40);
    let label_area = (label_chars as f64 * LABEL_PX * 0.62) as u32 + 16;

    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, height)).into_drawing_area();
        root.fill(&WHITE)?;
        let mut legend: Vec<LegendEntry> = spec
            .kinds
            .iter()
            .map(|k| LegendEntry {
                label: k.label,
                color: k.color,
                mark: Mark::Bar,
            })
            .collect();
        if has_target {
            legend.push(LegendEntry {
                label: "target",
                color: TARGET_COLOR,
                mark: Mark::Target,
            });
        }
        draw_header(&root, spec.title, &legend)?;
        let (_, body) = root.split_vertically(HEADER_PX);

        // Row i (0 = first, drawn at the top) spans y in [n-1-i, n-i]; the
        // ticks sit at the row centres and are labelled with the names.
        let name_at = |y: &f64| -> String {
            let from_top = n as f64 - y;
            groups
                .get(from_top.max(0.0) as usize)
                .map(|g| truncate(g.name, label_chars))
                .unwrap_or_default()
        };
        let mut chart = ChartBuilder::on(&body)
            .margin_left(8)
            .margin_right(24)
            .margin_top(6)
            .margin_bottom(6)
            .x_label_area_size(40)
            .y_label_area_size(label_area)
            .build_cartesian_2d(0.0..x_end, RowAxis { rows: n })?;
        chart
            .configure_mesh()
            .max_light_lines(0)
            .disable_y_mesh()
            .bold_line_style(GRID_COLOR)
            .axis_style(AXIS_COLOR)
            .x_labels(10)
            .x_desc(spec.x_desc)
            .x_label_formatter(&tick)
            .y_label_formatter(&name_at)
            .label_style(font(LABEL_PX).color(&TEXT_COLOR))
            .axis_desc_style(font(DESC_PX).color(&TEXT_COLOR))
            .draw()?;

        for (i, group) in groups.iter().enumerate() {
            let top = (n - i) as f64;
            for ((j, bar), kind) in group.bars.iter().enumerate().zip(spec.kinds) {
                let (low, high) = bar_band(top, j, kinds);
                if let Some(v) = finite(bar.value) {
                    chart.draw_series(std::iter::once(Rectangle::new(
                        [(0.0, low), (v, high)],
                        kind.color.filled(),
                    )))?;
                }
                match finite(bar.target) {
                    Some(t) if on_scale(t) => {
                        chart.draw_series(std::iter::once(PathElement::new(
                            vec![(t, low - 0.05), (t, high + 0.05)],
                            TARGET_COLOR.stroke_width(3),
                        )))?;
                    }
                    Some(t) => {
                        chart.draw_series(std::iter::once(Text::new(
                            format!("target {} →", crate::format::ms(t)),
                            (x_end, (low + high) / 2.0),
                            font(SMALL_PX)
                                .color(&TARGET_COLOR)
                                .pos(Pos::new(HPos::Right, VPos::Center)),
                        )))?;
                    }
                    None => {}
                }
                if spec.value_labels {
                    let (text, at, color) = match finite(bar.value) {
                        Some(v) => (crate::format::ms(v), v, TEXT_COLOR),
                        None if group.has_value() => ("n/a".to_string(), 0.0, AXIS_COLOR),
                        None => continue,
                    };
                    chart.draw_series(std::iter::once(
                        EmptyElement::at((at, (low + high) / 2.0))
                            + Text::new(
                                text,
                                (4, 0),
                                font(SMALL_PX)
                                    .color(&color)
                                    .pos(Pos::new(HPos::Left, VPos::Center)),
                            ),
                    ))?;
                }
            }
            if !group.has_value() {
                chart.draw_series(std::iter::once(Text::new(
                    "no data",
                    (x_end * 0.01, top - 0.5),
                    font(SMALL_PX)
                        .color(&AXIS_COLOR)
                        .pos(Pos::new(HPos::Left, VPos::Center)),
                )))?;
            }
        }
        root.present()?;
    }
    Ok(inline_svg(svg))
}

/// The vertical extent `(low, high)` of bar `j` of `kinds` in the row whose
/// top is at `top`: the row's `1.0` less a margin of 0.14 above and below,
/// shared by the bars with gaps of 0.04. For two kinds: `top - 0.48 ..
/// top - 0.14` and `top - 0.86 .. top - 0.52`.
fn bar_band(top: f64, j: usize, kinds: usize) -> (f64, f64) {
    const MARGIN: f64 = 0.14;
    const GAP: f64 = 0.04;
    let kinds = kinds.max(1) as f64;
    let height = (1.0 - 2.0 * MARGIN - GAP * (kinds - 1.0)) / kinds;
    let high = top - MARGIN - j as f64 * (height + GAP);
    (high - height, high)
}

/// The bar charts' vertical axis: `0..rows`, with one tick at the centre of
/// each row (plotters' own numeric axes pick round numbers instead).
#[derive(Debug, Clone, Copy)]
struct RowAxis {
    rows: usize,
}

impl Ranged for RowAxis {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        RangedCoordf64::from(self.range()).map(value, limit)
    }

    fn key_points<Hint: KeyPointHint>(&self, _hint: Hint) -> Vec<f64> {
        (0..self.rows).map(|i| i as f64 + 0.5).collect()
    }

    fn range(&self) -> Range<f64> {
        0.0..self.rows as f64
    }
}

/// How a legend entry is marked.
#[derive(Debug, Clone, Copy)]
enum Mark {
    Line,
    Bar,
    Target,
    /// The excluded ramp-up.
    Shade,
    /// A failed stretch: translucent, with edges.
    Band,
}

struct LegendEntry<'a> {
    label: &'a str,
    color: RGBColor,
    mark: Mark,
}

/// The title on the first row and the legend, left to right, on the second:
/// above the plot, so the legend never hides data.
fn draw_header(
    root: &DrawingArea<SVGBackend, Shift>,
    title: &str,
    legend: &[LegendEntry],
) -> anyhow::Result<()> {
    let left = HEADER_LEFT;
    root.draw(&Text::new(
        title,
        (left, 8),
        font(TITLE_PX)
            .style(FontStyle::Bold)
            .color(&TEXT_COLOR)
            .pos(Pos::new(HPos::Left, VPos::Top)),
    ))?;
    let y = 36;
    let mut x = left;
    for entry in legend {
        match entry.mark {
            Mark::Line => root.draw(&PathElement::new(
                vec![(x, y), (x + 20, y)],
                entry.color.stroke_width(LINE_WIDTH + 1),
            ))?,
            Mark::Bar => root.draw(&Rectangle::new(
                [(x + 4, y - 5), (x + 18, y + 5)],
                entry.color.filled(),
            ))?,
            Mark::Target => root.draw(&PathElement::new(
                vec![(x + 10, y - 7), (x + 10, y + 7)],
                entry.color.stroke_width(3),
            ))?,
            Mark::Shade => {
                root.draw(&Rectangle::new(
                    [(x + 3, y - 6), (x + 19, y + 6)],
                    entry.color.filled(),
                ))?;
                root.draw(&Rectangle::new(
                    [(x + 3, y - 6), (x + 19, y + 6)],
                    RAMP_UP_OUTLINE.stroke_width(1),
                ))?;
            }
            Mark::Band => {
                root.draw(&Rectangle::new(
                    [(x + 3, y - 6), (x + 19, y + 6)],
                    entry.color.mix(STRETCH_ALPHA).filled(),
                ))?;
                for edge in [x + 3, x + 19] {
                    root.draw(&PathElement::new(
                        vec![(edge, y - 6), (edge, y + 6)],
                        entry.color.mix(STRETCH_EDGE_ALPHA).stroke_width(1),
                    ))?;
                }
            }
        }
        root.draw(&Text::new(
            entry.label,
            (x + 26, y),
            font(LABEL_PX)
                .color(&TEXT_COLOR)
                .pos(Pos::new(HPos::Left, VPos::Center)),
        ))?;
        x += legend_entry_width(entry.label);
    }
    Ok(())
}

/// The room a legend entry takes, with the gap after it: its mark, and an
/// estimated width of its label, generous for sans-serif fonts.
fn legend_entry_width(label: &str) -> i32 {
    26 + (label.chars().count() as f64 * LABEL_PX * 0.62) as i32 + 18
}

fn path(points: Vec<(f64, f64)>, color: RGBColor) -> PathElement<(f64, f64)> {
    PathElement::new(points, color.stroke_width(LINE_WIDTH))
}

/// A lone value between two gaps, which a line cannot show.
fn dot(point: (f64, f64), color: RGBColor) -> Circle<(f64, f64), u32> {
    Circle::new(point, 3, color.filled())
}

/// A sans-serif font of `px` CSS pixels (see [`TITLE_PX`]).
fn font(px: f64) -> FontDesc<'static> {
    (FontFamily::SansSerif, px * 1.24).into_font()
}

/// The end of a value axis that starts at 0: a little above the highest
/// value, and 1 when there is nothing above 0.
fn axis_end(max: f64) -> f64 {
    if !(max > 0.0 && max.is_finite()) {
        return 1.0;
    }
    let end = max * 1.08;
    if end.is_finite() { end } else { max }
}

fn finite(v: Option<f64>) -> Option<f64> {
    v.filter(|v| v.is_finite())
}

/// A compact tick label: `0`, `0.25`, `12.5`, `950`, `1500`, `15k`, `2.5M`,
/// `4e301`.
/// Axes start at 0 and have at most ~10 ticks, so steps are never finer than
/// these digits show.
fn tick(v: &f64) -> String {
    let v = *v;
    let a = v.abs();
    if a >= 1e15 {
        return format!("{v:.1e}").replace(".0e", "e");
    }
    let (scaled, suffix) = if a >= 1e12 {
        (v / 1e12, "T")
    } else if a >= 1e9 {
        (v / 1e9, "G")
    } else if a >= 1e6 {
        (v / 1e6, "M")
    } else if a >= 1e4 {
        (v / 1e3, "k")
    } else {
        (v, "")
    };
    let digits = if suffix.is_empty() { 2 } else { 1 };
    let s = format!("{scaled:.digits$}");
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.')
    } else {
        &s
    };
    let s = if s == "-0" { "0" } else { s };
    format!("{s}{suffix}")
}

/// A tick label for counts (users): none on fractional ticks.
fn whole_tick(v: &f64) -> String {
    if v.fract() == 0.0 {
        tick(v)
    } else {
        String::new()
    }
}

/// `text` shown escaped ([`format::display`]) and cut to at most `max`
/// characters, ending in `…` when cut.
fn truncate(text: &str, max: usize) -> String {
    crate::format::clipped(text, max)
}

/// Make the document safe to insert inline into HTML: no XML prolog (plotters
/// 0.3 writes none, but a prolog inside HTML would show as text).
///
/// Whatever text reached the drawing, a character XML 1.0 forbids (C0
/// controls but tab and the line breaks, U+FFFE, U+FFFF) is replaced by
/// U+FFFD, so every chart parses as XML.
fn inline_svg(svg: String) -> String {
    let svg = match svg.strip_prefix("<?xml") {
        Some(rest) => match rest.find("?>") {
            Some(end) => rest[end + 2..].trim_start().to_string(),
            None => svg,
        },
        None => svg,
    };
    let illegal = |c: char| matches!(c, '\u{0}'..='\u{8}' | '\u{b}' | '\u{c}' | '\u{e}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}');
    if svg.contains(illegal) {
        svg.replace(illegal, "\u{fffd}")
    } else {
        svg
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::HistoryPoint;

    fn point(t: i64, users: u64, rps: f64, percentiles: &[Option<f64>]) -> HistoryPoint {
        HistoryPoint {
            timestamp: t,
            users,
            rps,
            failures_per_s: rps / 10.0,
            percentiles_ms: percentiles.to_vec(),
            total_requests: 0,
            total_failures: 0,
        }
    }

    fn labels(l: &[&str]) -> Vec<String> {
        l.iter().map(|s| s.to_string()).collect()
    }

    /// A 1 Hz history of `n` points with p50/p95/p99 and an N/A first point.
    fn history(n: usize) -> History {
        let t0 = 1_795_824_570;
        History {
            percentile_labels: labels(&["50", "66", "95", "99"]),
            percentiles: HistoryPercentiles::Cumulative,
            anomalies: Vec::new(),
            tick_s: 1,
            users_known: true,
            points: (0..n)
                .map(|i| {
                    let x = i as f64;
                    let p = if i == 0 {
                        vec![None; 4]
                    } else {
                        vec![
                            Some(10.0 + x % 7.0),
                            Some(12.0 + x % 5.0),
                            Some(30.0 + x % 11.0),
                            Some(45.0 + x % 13.0),
                        ]
                    };
                    point(t0 + i as i64, (i as u64).min(50), 20.0 + x % 3.0, &p)
                })
                .collect(),
        }
    }

    fn series(values: &[Option<f64>]) -> Vec<(f64, Option<f64>)> {
        values
            .iter()
            .enumerate()
            .map(|(i, v)| (i as f64, *v))
            .collect()
    }

    /// Every kept pair of consecutive values must have no `None` between
    /// them in the input.
    fn assert_no_bridged_gap(input: &[(f64, Option<f64>)], output: &[(f64, Option<f64>)]) {
        for w in output.windows(2) {
            if let ((a, Some(_)), (b, Some(_))) = (w[0], w[1]) {
                let bridged = input.iter().any(|&(t, v)| v.is_none() && t > a && t < b);
                assert!(!bridged, "line from t={a} to t={b} bridges a gap");
            }
        }
    }

    #[test]
    fn short_series_are_not_downsampled() {
        let input = series(&[Some(1.0), None, Some(3.0), Some(2.0)]);
        assert_eq!(downsample_min_max(&input, 1000), input);
        assert_eq!(downsample_min_max(&[], 1000), vec![]);
    }

    #[test]
    fn downsampling_bounds_the_output_and_keeps_time_order() {
        let input: Vec<_> = (0..86_400)
            .map(|i| (i as f64, Some((i as f64 / 300.0).sin() * 50.0 + 100.0)))
            .collect();
        for max in [5, 10, 999, 1000] {
            let out = downsample_min_max(&input, max);
            assert!(out.len() <= max, "{} > {max}", out.len());
            assert!(out.len() >= max / 2 - 1);
            assert!(out.windows(2).all(|w| w[0].0 <= w[1].0));
        }
    }

    #[test]
    fn downsampling_keeps_the_spike_and_the_dip() {
        let mut input: Vec<_> = (0..86_400).map(|i| (i as f64, Some(100.0))).collect();
        input[43_210].1 = Some(9_000.0);
        input[70_001].1 = Some(0.5);
        let out = downsample_min_max(&input, 1000);
        assert!(out.contains(&(43_210.0, Some(9_000.0))));
        assert!(out.contains(&(70_001.0, Some(0.5))));
    }

    #[test]
    fn downsampling_never_bridges_missing_values() {
        let input: Vec<_> = (0..20_000)
            .map(|i| {
                let v = if i % 997 == 0 || (5_000..5_300).contains(&i) {
                    None
                } else {
                    Some((i % 50) as f64)
                };
                (i as f64, v)
            })
            .collect();
        let out = downsample_min_max(&input, 1000);
        assert!(out.len() <= 1000);
        assert_no_bridged_gap(&input, &out);
        assert!(out.iter().any(|p| p.1.is_none()));
    }

    #[test]
    fn downsampling_alternating_gaps_stays_bounded_and_unbridged() {
        let input: Vec<_> = (0..10_000)
            .map(|i| (i as f64, (i % 2 == 0).then_some(i as f64)))
            .collect();
        let out = downsample_min_max(&input, 1000);
        assert!(out.len() <= 1000, "{}", out.len());
        assert_no_bridged_gap(&input, &out);
        assert!(out.contains(&(9_998.0, Some(9_998.0))));
    }

    #[test]
    fn downsampling_copes_with_all_missing_one_time_and_disorder() {
        let missing: Vec<_> = (0..5_000).map(|i| (i as f64, None)).collect();
        let out = downsample_min_max(&missing, 1000);
        assert_eq!(out, vec![(0.0, None)]);

        let same_time: Vec<_> = (0..5_000).map(|i| (7.0, Some(i as f64))).collect();
        assert_eq!(
            downsample_min_max(&same_time, 1000),
            vec![(7.0, Some(0.0)), (7.0, Some(4_999.0))]
        );

        let mut reversed: Vec<_> = (0..5_000).map(|i| (i as f64, Some(i as f64))).collect();
        reversed.reverse();
        let out = downsample_min_max(&reversed, 100);
        assert!(out.len() <= 100);
        assert!(out.windows(2).all(|w| w[0].0 <= w[1].0));

        let nan = series(&[Some(f64::NAN), Some(1.0)]);
        assert_eq!(downsample_min_max(&nan, 10), series(&[None, Some(1.0)]));
    }

    #[test]
    fn pauses_in_the_history_break_the_line() {
        let input = vec![
            (0.0, Some(1.0)),
            (1.0, Some(1.0)),
            (2.0, Some(1.0)),
            (60.0, Some(1.0)),
            (61.0, Some(1.0)),
        ];
        let times: Vec<f64> = input.iter().map(|p| p.0).collect();
        let max_gap = median_interval(&times).map(|s| s * GAP_FACTOR);
        assert_eq!(max_gap, Some(3.0));
        let marked = mark_time_gaps(&input, max_gap);
        assert_eq!(marked[3], (31.0, None));
        let (lines, dots) = pieces(&marked, TimeAxis::for_span(61.0));
        assert_eq!(lines.len(), 2);
        assert!(dots.is_empty());
    }

    #[test]
    fn a_lone_value_between_gaps_is_drawn_as_a_dot() {
        let (lines, dots) = pieces(
            &series(&[Some(1.0), Some(2.0), None, Some(5.0), None]),
            TimeAxis::for_span(4.0),
        );
        assert_eq!(lines, vec![vec![(0.0, 1.0), (1.0, 2.0)]]);
        assert_eq!(dots, vec![(3.0, 5.0)]);
    }

    #[test]
    fn time_axis_switches_to_minutes_and_hours_for_long_runs() {
        assert_eq!(TimeAxis::for_span(120.0).desc, "elapsed (s)");
        let minutes = TimeAxis::for_span(1_800.0);
        assert_eq!((minutes.desc, minutes.end), ("elapsed (min)", 30.0));
        let hours = TimeAxis::for_span(86_400.0);
        assert_eq!((hours.desc, hours.end), ("elapsed (h)", 24.0));
        assert_eq!(TimeAxis::for_span(0.0).end, 1.0);
    }

    #[test]
    fn ticks_are_compact() {
        let cases = [
            (0.0, "0"),
            (0.25, "0.25"),
            (12.5, "12.5"),
            (950.0, "950"),
            (1_500.0, "1500"),
            (15_000.0, "15k"),
            (2_500_000.0, "2.5M"),
            (3e12, "3T"),
            (2e300, "2e300"),
            (2.5e300, "2.5e300"),
        ];
        for (v, want) in cases {
            assert_eq!(tick(&v), want);
        }
        assert_eq!(whole_tick(&0.5), "");
        assert_eq!(whole_tick(&20.0), "20");
    }

    #[test]
    fn slug_keeps_safe_ascii_and_collapses_the_rest() {
        assert_eq!(
            slug("scenario1_concurrent_deployments"),
            "scenario1_concurrent_deployments"
        );
        assert_eq!(slug("Checkout Flow (v2)"), "checkout-flow-v2");
        assert_eq!(
            slug("<script>alert(1)</script> & \"x\""),
            "script-alert-1-script-x"
        );
        assert_eq!(slug("a--b..c"), "a-b-c");
        assert_eq!(slug("über/straße"), "ber-stra-e");
        assert_eq!(slug("x".repeat(300).as_str()).len(), 100);
    }

    #[test]
    fn slugs_are_unique_per_run_and_stable() {
        let sets: [&[&str]; 4] = [
            &["api.v1", "api-v1", "other"],
            &["Checkout", "checkout"],
            &["a<b", "a>b", "a b", "a-b"],
            &["", "🔥", "scenario"],
        ];
        for names in sets {
            let slugs = unique_slugs(names.iter().copied());
            let distinct: std::collections::HashSet<String> =
                slugs.iter().map(|s| s.to_lowercase()).collect();
            assert_eq!(distinct.len(), names.len(), "{names:?} → {slugs:?}");
            assert_eq!(slugs, unique_slugs(names.iter().copied()));
        }
        // Only colliding names get a hash; the rest keep their plain slug.
        let slugs = unique_slugs(["api.v1", "api-v1", "other"]);
        assert_eq!(slugs[2], "other");
        assert!(slugs[0].starts_with("api-v1-") && slugs[0].len() == "api-v1-".len() + 8);
        // The hash depends on the name only, not on the other names.
        assert_eq!(unique_slugs(["api.v1", "api-v1"])[0], slugs[0]);
    }

    #[test]
    fn slug_is_never_empty() {
        for name in ["", "---", "日本語", "🔥", "/"] {
            assert_eq!(slug(name), "scenario", "{name:?}");
        }
    }

    #[test]
    fn a_history_of_fewer_than_two_points_gives_no_charts() {
        assert!(
            scenario_charts("s", &history(0), &ChartMarks::default())
                .unwrap()
                .is_empty()
        );
        assert!(
            scenario_charts("s", &history(1), &ChartMarks::default())
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn scenario_charts_come_in_order_with_slugged_names() {
        let charts =
            scenario_charts("Checkout Flow", &history(120), &ChartMarks::default()).unwrap();
        let names: Vec<&str> = charts.iter().map(|c| c.file_name.as_str()).collect();
        assert_eq!(
            names,
            [
                "checkout-flow-throughput.svg",
                "checkout-flow-response-times.svg",
                "checkout-flow-failures.svg"
            ]
        );
        assert_eq!(charts[0].title, "Checkout Flow: requests/s and users");
        for chart in &charts {
            assert!(chart.svg.contains(&chart.title), "{}", chart.title);
        }
        let throughput = &charts[0].svg;
        for text in ["requests/s", "users (right axis)", "elapsed (s)"] {
            assert!(throughput.contains(text), "{text}");
        }
        let response = &charts[1].svg;
        for text in [">\np50\n<", ">\np95\n<", ">\np99\n<", ">\nms\n<"] {
            assert!(response.contains(text), "{text}");
        }
        assert!(!response.contains(">\np66\n<"));
        assert!(charts[2].svg.contains(">\nfailures/s\n<"));
    }

    #[test]
    fn response_time_chart_says_whether_percentiles_are_cumulative_or_windowed() {
        let mut h = history(30);
        let charts = scenario_charts("s", &h, &ChartMarks::default()).unwrap();
        assert_eq!(
            charts[1].title,
            "s: response times (cumulative since start)"
        );
        h.percentiles = HistoryPercentiles::Windowed;
        let charts = scenario_charts("s", &h, &ChartMarks::default()).unwrap();
        assert_eq!(charts[1].title, "s: response times (10 s window)");
        assert!(charts[1].svg.contains("s: response times (10 s window)"));
    }

    #[test]
    fn response_time_chart_falls_back_to_the_percentiles_there_are() {
        let mut h = history(30);
        h.percentile_labels = labels(&["66", "75", "90", "99.9"]);
        let svg = &scenario_charts("s", &h, &ChartMarks::default()).unwrap()[1].svg;
        for text in [">\np66\n<", ">\np75\n<", ">\np90\n<"] {
            assert!(svg.contains(text), "{text}");
        }
        assert!(!svg.contains("p99.9"));
    }

    #[test]
    fn hostile_scenario_names_are_escaped() {
        let name = "<script>alert(1)</script> & \"x\"";
        let charts = scenario_charts(name, &history(30), &ChartMarks::default()).unwrap();
        let overview = overview_chart(&[OverviewRow {
            scenario: name.to_string(),
            median_ms: Some(5.0),
            p99_ms: Some(9.0),
            median_target_ms: None,
            p99_target_ms: None,
        }])
        .unwrap()
        .unwrap();
        for chart in charts.iter().chain([&overview]) {
            assert!(!chart.svg.contains("<script"), "{}", chart.file_name);
            assert!(!chart.svg.contains("& \""), "{}", chart.file_name);
        }
        assert!(
            charts[0]
                .svg
                .contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;x&quot;")
        );
        assert!(overview.svg.contains("&lt;script&gt;"));
        assert!(charts[0].file_name.starts_with("script-alert-1-script-x-"));
    }

    #[test]
    fn charts_are_inline_svg_with_text_and_no_prolog() {
        let charts = scenario_charts("s", &history(30), &ChartMarks::default()).unwrap();
        for chart in &charts {
            assert!(
                chart
                    .svg
                    .starts_with("<svg width=\"800\" height=\"320\" viewBox=\"0 0 800 320\"")
            );
            assert!(chart.svg.trim_end().ends_with("</svg>"));
            assert!(!chart.svg.contains("<?xml"));
            assert!(chart.svg.contains("<text"));
            assert!(chart.svg.contains("font-family=\"sans-serif\""));
            // Font sizes come out whole (see TITLE_PX).
            for size in chart.svg.split("font-size=\"").skip(1) {
                let size = &size[..size.find('"').unwrap()];
                assert!(["10", "11", "12", "14"].contains(&size), "{size}");
            }
        }
        assert_eq!(
            inline_svg("<?xml version=\"1.0\"?>\n<svg/>".into()),
            "<svg/>"
        );
    }

    #[test]
    fn charts_are_deterministic() {
        let h = history(500);
        assert_eq!(
            scenario_charts("s", &h, &ChartMarks::default()).unwrap(),
            scenario_charts("s", &h, &ChartMarks::default()).unwrap()
        );
    }

    #[test]
    fn degenerate_histories_render_without_panicking() {
        let mut all_missing = history(10);
        for p in &mut all_missing.points {
            p.percentiles_ms = vec![None; 4];
        }
        let mut all_zero = history(10);
        for p in &mut all_zero.points {
            p.rps = 0.0;
            p.failures_per_s = 0.0;
            p.users = 0;
            p.percentiles_ms = vec![Some(0.0); 4];
        }
        let mut huge = history(10);
        for p in &mut huge.points {
            p.rps = f64::MAX;
            p.failures_per_s = 1e300;
            p.users = u64::MAX;
            p.percentiles_ms = vec![Some(f64::MAX); 4];
        }
        let mut one_time = history(10);
        for p in &mut one_time.points {
            p.timestamp = 5;
        }
        let mut no_percentiles = history(10);
        no_percentiles.percentile_labels.clear();
        for p in &mut no_percentiles.points {
            p.percentiles_ms.clear();
        }
        let mut backwards = history(10);
        backwards.points.reverse();
        let mut short_rows = history(10);
        short_rows.points[3].percentiles_ms.truncate(1);

        for h in [
            all_missing,
            all_zero,
            huge,
            one_time,
            no_percentiles,
            backwards,
            short_rows,
        ] {
            let charts = scenario_charts("s", &h, &ChartMarks::default()).unwrap();
            assert_eq!(charts.len(), 3);
        }
        let all_missing = &scenario_charts(
            "s",
            &{
                let mut h = history(10);
                h.points
                    .iter_mut()
                    .for_each(|p| p.percentiles_ms = vec![None; 4]);
                h
            },
            &ChartMarks::default(),
        )
        .unwrap()[1];
        assert!(
            all_missing
                .svg
                .contains("no response times (Locust wrote N/A)")
        );
    }

    #[test]
    fn a_history_out_of_order_is_drawn_as_if_sorted() {
        let h = history(50);
        let mut backwards = h.clone();
        backwards.points.reverse();
        assert_eq!(
            scenario_charts("s", &backwards, &ChartMarks::default()).unwrap(),
            scenario_charts("s", &h, &ChartMarks::default()).unwrap()
        );
    }

    #[test]
    fn a_soak_history_is_downsampled_to_a_small_svg() {
        let h = history(86_400);
        let charts = scenario_charts("soak", &h, &ChartMarks::default()).unwrap();
        for chart in &charts {
            assert!(chart.svg.contains("elapsed (h)"));
            assert!(
                chart.svg.len() < 100_000,
                "{}: {} bytes",
                chart.file_name,
                chart.svg.len()
            );
        }
    }

    #[test]
    fn demo_histories_render() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/demo");
        let mut count = 0;
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().to_string();
            let Some(scenario) = name.strip_suffix("_stats_history.csv") else {
                continue;
            };
            let (history, _) = crate::ingest::locust::read_history(&path, None).unwrap();
            let charts =
                scenario_charts(scenario, &history.unwrap(), &ChartMarks::default()).unwrap();
            assert_eq!(charts.len(), 3);
            count += 1;
        }
        assert_eq!(count, 4);
    }

    fn row(name: &str, median: Option<f64>, p99: Option<f64>) -> OverviewRow {
        OverviewRow {
            scenario: name.to_string(),
            median_ms: median,
            p99_ms: p99,
            median_target_ms: None,
            p99_target_ms: None,
        }
    }

    #[test]
    fn overview_without_values_is_none() {
        assert_eq!(overview_chart(&[]).unwrap(), None);
        assert_eq!(overview_chart(&[row("a", None, None)]).unwrap(), None);
        assert_eq!(
            overview_chart(&[row("a", Some(f64::NAN), None)]).unwrap(),
            None
        );
    }

    #[test]
    fn overview_draws_bars_targets_and_names() {
        let mut with_targets = row("checkout", Some(8.0), Some(40.0));
        with_targets.median_target_ms = Some(200.0);
        with_targets.p99_target_ms = Some(30.0);
        let rows = [
            with_targets,
            row("browse", Some(0.0), None),
            row("idle", None, None),
        ];
        let chart = overview_chart(&rows).unwrap().unwrap();
        assert_eq!(chart.file_name, "overview-latency.svg");
        for text in [
            "checkout",
            "browse",
            "idle",
            ">\nmedian\n<",
            ">\np99\n<",
            ">\ntarget\n<",
        ] {
            assert!(chart.svg.contains(text), "{text}");
        }
        // The 200 ms target is far off the scale of 8–40 ms: written, not drawn.
        assert!(chart.svg.contains("target 200 ms →"));
        assert!(!chart.svg.contains("target 30 ms"));
        assert!(chart.svg.contains(">\nno data\n<"));
        let without = overview_chart(&[row("a", Some(1.0), Some(2.0))])
            .unwrap()
            .unwrap();
        assert!(!without.svg.contains(">\ntarget\n<"));
    }

    #[test]
    fn overview_grows_with_the_number_of_scenarios() {
        let rows: Vec<_> = (0..20)
            .map(|i| {
                row(
                    &format!("scenario_{i}"),
                    Some(i as f64),
                    Some(2.0 * i as f64),
                )
            })
            .collect();
        let chart = overview_chart(&rows).unwrap().unwrap();
        assert!(chart.svg.starts_with("<svg width=\"800\" height=\"1040\""));
    }

    fn bar(metric: &str, baseline: Option<f64>, current: Option<f64>) -> BaselineBar {
        BaselineBar {
            metric: metric.to_string(),
            baseline_ms: baseline,
            current_ms: current,
        }
    }

    fn regressed() -> Vec<BaselineBar> {
        vec![
            bar("p50", Some(11.0), Some(51.0)),
            bar("p95", Some(13.0), Some(55.0)),
            bar("p99", Some(14.0), Some(58.0)),
        ]
    }

    #[test]
    fn baseline_chart_is_named_after_the_slug_and_titled_with_the_name() {
        let chart = baseline_chart("Checkout Flow (v2)", &regressed())
            .unwrap()
            .unwrap();
        assert_eq!(chart.file_name, "checkout-flow-v2-baseline.svg");
        assert_eq!(chart.title, "Checkout Flow (v2): baseline vs current");
        assert!(
            chart
                .svg
                .contains(">\nCheckout Flow (v2): baseline vs current\n<")
        );
        assert!(
            chart
                .svg
                .starts_with("<svg width=\"800\" height=\"320\" viewBox=\"0 0 800 320\"")
        );
        // A long name is cut in the drawn title, not in `title`.
        let long = "n".repeat(100);
        let chart = baseline_chart(&long, &regressed()).unwrap().unwrap();
        assert_eq!(chart.title, format!("{long}: baseline vs current"));
        assert!(!chart.svg.contains(&long));
        assert!(chart.svg.contains("…: baseline vs current"));
    }

    #[test]
    fn baseline_chart_draws_both_series_with_legend_metrics_and_values() {
        let svg = baseline_chart("s", &regressed()).unwrap().unwrap().svg;
        for text in [
            ">\nbaseline\n<",
            ">\ncurrent\n<",
            ">\np50\n<",
            ">\np95\n<",
            ">\np99\n<",
            ">\nms\n<",
            ">\n11 ms\n<",
            ">\n58 ms\n<",
        ] {
            assert!(svg.contains(text), "{text}");
        }
        assert!(!svg.contains(">\ntarget\n<"));
        // Legend swatch and three bars each: baseline grey, current blue.
        for color in [BASELINE_COLOR, CURRENT_COLOR] {
            let fill = format!("fill=\"#{:02X}{:02X}{:02X}\"", color.0, color.1, color.2);
            assert_eq!(svg.matches(&fill).count(), 4, "{fill}");
        }
        for size in svg.split("font-size=\"").skip(1) {
            let size = &size[..size.find('"').unwrap()];
            assert!(["10", "11", "12", "14"].contains(&size), "{size}");
        }
    }

    #[test]
    fn baseline_chart_marks_missing_values() {
        let bars = [
            bar("p50", Some(0.0), Some(0.4)),
            bar("p95", None, Some(410.0)),
            bar("p99.9", None, None),
        ];
        let svg = baseline_chart("s", &bars).unwrap().unwrap().svg;
        for text in [">\n0 ms\n<", ">\n0.4 ms\n<", ">\n410 ms\n<"] {
            assert!(svg.contains(text), "{text}");
        }
        assert_eq!(svg.matches(">\nn/a\n<").count(), 1);
        assert_eq!(svg.matches(">\nno data\n<").count(), 1);
    }

    #[test]
    fn baseline_chart_without_values_is_none() {
        assert_eq!(baseline_chart("s", &[]).unwrap(), None);
        let bars = [
            bar("p50", None, None),
            bar("p99", Some(f64::NAN), Some(f64::INFINITY)),
        ];
        assert_eq!(baseline_chart("s", &bars).unwrap(), None);
        assert!(
            baseline_chart("s", &[bar("p50", None, Some(1.0))])
                .unwrap()
                .is_some()
        );
    }

    #[test]
    fn baseline_chart_escapes_hostile_names() {
        let name = "<script>alert(1)</script> & \"x\"";
        let bars = [bar("<b>p50</b>", Some(1.0), Some(2.0))];
        let chart = baseline_chart(name, &bars).unwrap().unwrap();
        assert_eq!(chart.file_name, "script-alert-1-script-x-baseline.svg");
        assert!(!chart.svg.contains("<script"));
        assert!(!chart.svg.contains("<b>"));
        assert!(!chart.svg.contains("& \""));
        assert!(chart.svg.contains(
            "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;x&quot;: baseline vs current"
        ));
        assert!(chart.svg.contains("&lt;b&gt;p50&lt;/b&gt;"));
        // `title` stays raw: the HTML template escapes it.
        assert_eq!(chart.title, format!("{name}: baseline vs current"));
    }

    #[test]
    fn baseline_chart_is_deterministic_and_survives_extreme_values() {
        let bars = regressed();
        assert_eq!(
            baseline_chart("s", &bars).unwrap(),
            baseline_chart("s", &bars).unwrap()
        );
        let extreme = [
            bar("max", Some(f64::MAX), Some(1e300)),
            bar("neg", Some(-5.0), Some(f64::NEG_INFINITY)),
            bar("nan", Some(f64::NAN), Some(0.0)),
        ];
        assert!(baseline_chart("s", &extreme).unwrap().is_some());
        let many: Vec<_> = (0..12)
            .map(|i| bar(&format!("p{i}"), Some(i as f64), Some(2.0 * i as f64)))
            .collect();
        let chart = baseline_chart("s", &many).unwrap().unwrap();
        assert!(chart.svg.starts_with("<svg width=\"800\" height=\"672\""));
    }

    #[test]
    fn bar_bands_keep_the_overview_layout() {
        let close = |(a, b): (f64, f64), (c, d): (f64, f64)| {
            assert!(
                (a - c).abs() < 1e-12 && (b - d).abs() < 1e-12,
                "{a},{b} vs {c},{d}"
            );
        };
        close(bar_band(3.0, 0, 2), (3.0 - 0.48, 3.0 - 0.14));
        close(bar_band(3.0, 1, 2), (3.0 - 0.86, 3.0 - 0.52));
        close(bar_band(1.0, 0, 1), (0.14, 0.86));
        let (low, _) = bar_band(1.0, 2, 3);
        assert!((low - 0.14).abs() < 1e-12);
    }

    // ---- Marks ----

    /// The first timestamp of [`history`].
    const T0: i64 = 1_795_824_570;
    const RAMP_UP_FILL: &str = "opacity=\"1\" fill=\"#EEEEEE\"";
    const STRETCH_FILL: &str = "opacity=\"0.2\" fill=\"#D55E00\"";
    const STRETCH_EDGE: &str = "opacity=\"0.8\" stroke=\"#D55E00\"";

    fn no_marks() -> ChartMarks {
        ChartMarks::default()
    }

    fn stretch(chart: MarkedChart, start: i64, end: i64, label: &str) -> MarkedStretch {
        MarkedStretch {
            chart,
            start,
            end,
            label: label.to_string(),
        }
    }

    fn text(t: &str) -> String {
        format!(">\n{t}\n<")
    }

    /// The `<rect …>` elements of `svg` with `attrs`, as (x, width).
    fn rects_with(svg: &str, attrs: &str) -> Vec<(i32, i32)> {
        svg.lines()
            .filter(|l| l.starts_with("<rect ") && l.contains(attrs))
            .map(|l| {
                let attr = |name: &str| -> i32 {
                    let from = l.find(&format!(" {name}=\"")).unwrap() + name.len() + 3;
                    l[from..from + l[from..].find('"').unwrap()]
                        .parse()
                        .unwrap()
                };
                (attr("x"), attr("width"))
            })
            .collect()
    }

    /// 64-bit FNV-1a, to pin whole documents in a line.
    fn fnv1a(s: &str) -> u64 {
        s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
            (h ^ b as u64).wrapping_mul(0x0000_0100_0000_01b3)
        })
    }

    #[test]
    fn without_marks_the_charts_are_byte_identical_to_those_before_marks() {
        // Length and FNV-1a of each SVG as rendered by this module before
        // marks were added (same inputs, same plotters). A change to the
        // charts' design changes these on purpose: re-pin them then, after
        // checking that no mark shows up in a chart without marks.
        let pinned: [(&str, usize, u64); 12] = [
            ("checkout-flow-throughput.svg", 8300, 0x691c46584450b463),
            ("checkout-flow-response-times.svg", 7713, 0x5a31d6e11e0d9f7a),
            ("checkout-flow-failures.svg", 5464, 0xecccecb5673fbf87),
            (
                "script-alert-1-script-x-throughput.svg",
                12128,
                0x4f82d4298a2cc152,
            ),
            (
                "script-alert-1-script-x-response-times.svg",
                13211,
                0xb3a6b18f7db6c446,
            ),
            (
                "script-alert-1-script-x-failures.svg",
                8039,
                0x0e8d619a26e3b5fd,
            ),
            ("gappy-throughput.svg", 8889, 0x83c7385524b7d8c8),
            ("gappy-response-times.svg", 8037, 0xbb839943e788cdce),
            ("gappy-failures.svg", 6392, 0x09b3e5f7cb5f02c7),
            ("soak-throughput.svg", 17022, 0x4cf6099c52827bd4),
            ("soak-response-times.svg", 16569, 0x78ae0818f7640326),
            ("soak-failures.svg", 11574, 0x14f6bd3f46eecd08),
        ];
        let mut windowed = history(300);
        windowed.percentiles = HistoryPercentiles::Windowed;
        let mut gappy = history(60);
        for p in &mut gappy.points[30..] {
            p.timestamp += 40;
        }
        gappy.points[10].percentiles_ms = vec![None; 4];
        let cases = [
            ("Checkout Flow", history(120)),
            ("<script>alert(1)</script> & \"x\"", windowed),
            ("gappy", gappy),
            ("soak", history(20_000)),
        ];
        let got: Vec<(String, usize, u64)> = cases
            .iter()
            .flat_map(|(name, h)| scenario_charts(name, h, &no_marks()).unwrap())
            .map(|c| (c.file_name, c.svg.len(), fnv1a(&c.svg)))
            .collect();
        let want: Vec<(String, usize, u64)> = pinned
            .iter()
            .map(|&(f, len, hash)| (f.to_string(), len, hash))
            .collect();
        assert_eq!(got, want);
    }

    #[test]
    fn ramp_up_is_shaded_on_every_chart_when_the_steady_part_starts_inside() {
        let h = history(120);
        let marks = ChartMarks {
            steady_start: Some(T0 + 30),
            stretches: Vec::new(),
        };
        let charts = scenario_charts("s", &h, &marks).unwrap();
        assert_eq!(charts.len(), 3);
        for chart in &charts {
            let svg = &chart.svg;
            // One area in the plot, one swatch in the legend.
            let areas = rects_with(svg, RAMP_UP_FILL);
            assert_eq!(areas.len(), 2, "{}", chart.file_name);
            // The area starts at the plot's left edge (the y axis).
            let plot = &areas[1];
            assert!(svg.contains(&format!("x1=\"{}\"", plot.0)), "{plot:?}");
            // Labelled in the legend and inside the area.
            assert_eq!(svg.matches(&text("ramp-up (excluded)")).count(), 2);
            assert!(!svg.contains(STRETCH_FILL));
            assert!(!svg.contains(&text("failed window")));
            // Under the grid and the series: before the first grid line.
            let area_at = svg.find(RAMP_UP_FILL).unwrap();
            let mut after_legend = svg[area_at + 1..].find(RAMP_UP_FILL).unwrap() + area_at;
            after_legend += 1;
            let grid_at = svg.find("stroke=\"#E4E4E4\"").unwrap();
            let series_at = svg.find("stroke-width=\"2\"").unwrap();
            assert!(after_legend < grid_at && grid_at < series_at);
        }
        // 30 s of 119 s: about a quarter of the plot's width.
        let (_, width) = rects_with(&charts[0].svg, RAMP_UP_FILL)[1];
        let full = scenario_charts(
            "s",
            &h,
            &ChartMarks {
                steady_start: Some(T0 + 119),
                stretches: Vec::new(),
            },
        )
        .unwrap();
        let (_, full_width) = rects_with(&full[0].svg, RAMP_UP_FILL)[1];
        let share = width as f64 / full_width as f64;
        assert!((share - 30.0 / 119.0).abs() < 0.01, "{share}");
    }

    #[test]
    fn no_ramp_up_when_the_steady_part_starts_at_or_before_the_first_point() {
        let h = history(120);
        let plain = scenario_charts("s", &h, &no_marks()).unwrap();
        for steady_start in [None, Some(T0), Some(T0 - 5), Some(i64::MIN)] {
            let marks = ChartMarks {
                steady_start,
                stretches: Vec::new(),
            };
            let charts = scenario_charts("s", &h, &marks).unwrap();
            assert_eq!(charts, plain, "{steady_start:?}");
            for chart in &charts {
                assert!(!chart.svg.contains("#EEEEEE"));
                assert!(!chart.svg.contains("ramp-up"));
            }
        }
        // After the last point, the whole run was ramp-up: clamped to it.
        let late = |steady_start| {
            let marks = ChartMarks {
                steady_start: Some(steady_start),
                stretches: Vec::new(),
            };
            rects_with(
                &scenario_charts("s", &h, &marks).unwrap()[1].svg,
                RAMP_UP_FILL,
            )
        };
        assert_eq!(late(T0 + 10_000), late(T0 + 119));
        assert_eq!(late(i64::MAX), late(T0 + 119));
    }

    #[test]
    fn a_stretch_is_drawn_on_its_chart_only() {
        let h = history(120);
        let plain = scenario_charts("s", &h, &no_marks()).unwrap();
        let kinds = [
            MarkedChart::Throughput,
            MarkedChart::ResponseTimes,
            MarkedChart::Failures,
        ];
        for (i, kind) in kinds.into_iter().enumerate() {
            let marks = ChartMarks {
                steady_start: None,
                stretches: vec![stretch(
                    kind,
                    T0 + 50,
                    T0 + 78,
                    "p95 < 300 ms broken for 28 s",
                )],
            };
            let charts = scenario_charts("s", &h, &marks).unwrap();
            for (j, chart) in charts.iter().enumerate() {
                if j != i {
                    assert_eq!(chart, &plain[j], "{kind:?} on chart {j}");
                    continue;
                }
                let svg = &chart.svg;
                // The band in the plot and the legend swatch.
                assert_eq!(rects_with(svg, STRETCH_FILL).len(), 2, "{kind:?}");
                // Two edges in the plot, two on the swatch.
                assert_eq!(svg.matches(STRETCH_EDGE).count(), 4, "{kind:?}");
                assert!(svg.contains(&text("p95 &lt; 300 ms broken for 28 s")));
                assert!(svg.contains(&text("failed window")));
                assert!(!svg.contains("#EEEEEE"));
                // Behind the series.
                let band_at = svg.rfind(STRETCH_FILL).unwrap();
                let series_at = svg.find("stroke-width=\"2\"").unwrap();
                assert!(band_at < series_at);
            }
        }
    }

    #[test]
    fn stretch_band_spans_its_time_and_is_clamped_to_the_history() {
        let h = history(120);
        let band = |start: i64, end: i64| {
            let marks = ChartMarks {
                steady_start: None,
                stretches: vec![stretch(MarkedChart::Failures, start, end, "x")],
            };
            let svg = scenario_charts("s", &h, &marks).unwrap().remove(2).svg;
            (
                rects_with(&svg, STRETCH_FILL).pop(),
                svg.matches(STRETCH_EDGE).count(),
            )
        };
        let whole = band(T0, T0 + 119).0.unwrap();
        let (half, edges) = band(T0 + 20, T0 + 80);
        let half = half.unwrap();
        assert_eq!(edges, 4);
        let share = half.1 as f64 / whole.1 as f64;
        assert!((share - 60.0 / 119.0).abs() < 0.01, "{share}");
        // Partly outside: cut at the ends, with no edge drawn at a cut.
        assert_eq!(band(T0 - 1_000, T0 + 1_000), (Some(whole), 2));
        let (cut_left, edges) = band(T0 - 30, T0 + 80);
        assert_eq!((cut_left.unwrap().0, edges), (whole.0, 3));
        let (cut_right, edges) = band(T0 + 20, T0 + 500);
        let cut_right = cut_right.unwrap();
        assert_eq!(cut_right.0, half.0);
        assert_eq!(cut_right.0 + cut_right.1, whole.0 + whole.1);
        assert_eq!(edges, 3);
    }

    #[test]
    fn marks_outside_the_history_are_ignored() {
        let h = history(120);
        let plain = scenario_charts("s", &h, &no_marks()).unwrap();
        let outside = ChartMarks {
            steady_start: Some(T0 - 1),
            stretches: vec![
                stretch(MarkedChart::ResponseTimes, T0 - 100, T0 - 10, "before"),
                stretch(
                    MarkedChart::ResponseTimes,
                    T0 - 100,
                    T0,
                    "ends at the start",
                ),
                stretch(
                    MarkedChart::Throughput,
                    T0 + 119,
                    T0 + 200,
                    "starts at the end",
                ),
                stretch(MarkedChart::Failures, T0 + 500, T0 + 600, "after"),
                stretch(MarkedChart::Failures, T0 + 60, T0 + 60, "empty"),
                stretch(MarkedChart::Failures, T0 + 80, T0 + 40, "backwards"),
                stretch(MarkedChart::Throughput, i64::MIN, i64::MIN + 1, "min"),
                stretch(MarkedChart::Throughput, i64::MAX - 1, i64::MAX, "max"),
            ],
        };
        assert_eq!(scenario_charts("s", &h, &outside).unwrap(), plain);
        // A history whose points share one time covers no time at all.
        let mut one_time = history(10);
        for p in &mut one_time.points {
            p.timestamp = T0;
        }
        let marks = ChartMarks {
            steady_start: Some(T0 + 5),
            stretches: vec![stretch(MarkedChart::Failures, T0 - 5, T0 + 5, "x")],
        };
        assert_eq!(
            scenario_charts("s", &one_time, &marks).unwrap(),
            scenario_charts("s", &one_time, &no_marks()).unwrap()
        );
    }

    #[test]
    fn hostile_stretch_labels_are_escaped() {
        let hostile = "<script>alert(1)</script> & \"x\" 'y'\u{0}\u{1b}[31m\nz";
        let marks = ChartMarks {
            steady_start: None,
            stretches: vec![stretch(MarkedChart::ResponseTimes, T0, T0 + 119, hostile)],
        };
        let svg = &scenario_charts("s", &history(120), &marks).unwrap()[1].svg;
        assert!(!svg.contains("<script"));
        assert!(!svg.contains("& \""));
        assert!(!svg.chars().any(|c| c == '\u{0}' || c == '\u{1b}'));
        assert!(svg.contains(&text(
            "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;x&quot; &apos;y&apos;  [31m z"
        )));
    }

    #[test]
    fn mark_labels_are_cut_to_the_room_they_have() {
        let h = history(120);
        let long = "p95 < 300 ms broken for 28 s, and then some more words";
        let marks = ChartMarks {
            steady_start: Some(T0 + 9),
            stretches: vec![
                // Starts 10 s after the first point.
                stretch(MarkedChart::ResponseTimes, T0 + 10, T0 + 20, long),
                // 20 s later: the one before is cut with `…`.
                stretch(MarkedChart::ResponseTimes, T0 + 30, T0 + 40, long),
                // At the very end: no room for a label at all.
                stretch(MarkedChart::ResponseTimes, T0 + 118, T0 + 119, long),
            ],
        };
        let svg = &scenario_charts("s", &h, &marks).unwrap()[1].svg;
        // The ramp-up's label stays inside its 9 s: the short form. The
        // legend has the long one.
        assert_eq!(svg.matches(&text("ramp-up (excluded)")).count(), 1);
        assert_eq!(svg.matches(&text("ramp-up")).count(), 1);
        let labels: Vec<&str> = svg
            .split(">\np95 &lt;")
            .skip(1)
            .map(|rest| &rest[..rest.find('\n').unwrap()])
            .collect();
        assert_eq!(labels.len(), 2, "{labels:?}");
        // The first reaches past its stretch, up to the next label.
        assert_eq!(labels[0], " 300 ms bro…");
        // The second has the room up to the last one, which has none.
        assert_eq!(
            labels[1],
            " 300 ms broken for 28 s, and then some more words"
        );
        assert_eq!(rects_with(svg, STRETCH_FILL).len(), 4);

        // A ramp-up too narrow even for "ramp-up": the legend explains it.
        let narrow = ChartMarks {
            steady_start: Some(T0 + 3),
            stretches: Vec::new(),
        };
        let svg = &scenario_charts("s", &h, &narrow).unwrap()[1].svg;
        assert_eq!(rects_with(svg, RAMP_UP_FILL).len(), 2);
        assert_eq!(svg.matches(&text("ramp-up (excluded)")).count(), 1);
        assert!(!svg.contains(&text("ramp-up")));
    }

    #[test]
    fn marks_join_the_legend_only_when_it_has_room() {
        let mut h = history(60);
        let long = "9".repeat(40);
        h.percentile_labels = vec![long.clone(), format!("{long}1"), format!("{long}2")];
        let marks = ChartMarks {
            steady_start: Some(T0 + 10),
            stretches: vec![stretch(MarkedChart::ResponseTimes, T0 + 20, T0 + 30, "x")],
        };
        let charts = scenario_charts("s", &h, &marks).unwrap();
        let svg = &charts[1].svg;
        // No legend entries (and swatches), but the marks themselves are drawn.
        assert!(!svg.contains(&text("failed window")));
        assert_eq!(rects_with(svg, RAMP_UP_FILL).len(), 1);
        assert_eq!(rects_with(svg, STRETCH_FILL).len(), 1);
        // The other charts' legends are short: their entries are there.
        assert!(charts[0].svg.contains(&text("ramp-up (excluded)")));
        assert_eq!(rects_with(&charts[0].svg, RAMP_UP_FILL).len(), 2);
    }

    #[test]
    fn marks_are_deterministic_and_independent_of_order_and_downsampling() {
        let h = history(20_000);
        let stretches = vec![
            stretch(MarkedChart::ResponseTimes, T0 + 15_000, T0 + 15_600, "b"),
            stretch(MarkedChart::ResponseTimes, T0 + 6_000, T0 + 12_000, "a"),
        ];
        let marks = ChartMarks {
            steady_start: Some(T0 + 3_000),
            stretches: stretches.clone(),
        };
        let charts = scenario_charts("s", &h, &marks).unwrap();
        assert_eq!(charts, scenario_charts("s", &h, &marks).unwrap());
        let mut reversed = marks.clone();
        reversed.stretches.reverse();
        assert_eq!(charts, scenario_charts("s", &h, &reversed).unwrap());
        // 20,000 points are downsampled; the marks keep their exact times:
        // 6,000 s against the ramp-up's 3,000 s (of the 19,999 s covered).
        let svg = &charts[1].svg;
        assert!(svg.contains("elapsed (h)"));
        let bands = rects_with(svg, STRETCH_FILL);
        let ramp = rects_with(svg, RAMP_UP_FILL)[1];
        let ratio = bands[1].1 as f64 / ramp.1 as f64;
        assert!((ratio - 2.0).abs() < 0.05, "{ratio}");
    }

    #[test]
    fn a_real_history_with_marks_renders() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures/history/stall_full/checkout_api_stats_history.csv");
        let (history, _) = crate::ingest::locust::read_history(&path, None).unwrap();
        let history = history.unwrap();
        let t0 = history.points.iter().map(|p| p.timestamp).min().unwrap();
        let marks = ChartMarks {
            steady_start: Some(t0 + 20),
            stretches: vec![stretch(
                MarkedChart::ResponseTimes,
                t0 + 50,
                t0 + 78,
                "p95 < 300 ms broken for 28 s",
            )],
        };
        let charts = scenario_charts("checkout_api", &history, &marks).unwrap();
        for chart in &charts {
            assert_eq!(rects_with(&chart.svg, RAMP_UP_FILL).len(), 2);
        }
        assert_eq!(rects_with(&charts[1].svg, STRETCH_FILL).len(), 2);
        assert!(charts[1].svg.contains("p95 &lt; 300 ms"));
    }
}
