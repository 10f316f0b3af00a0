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

/// Charts of one scenario from its history, in this order:
///  1. `{slug}-throughput.svg`: requests/s over time, with the user count on
///     a second axis on the right;
///  2. `{slug}-response-times.svg`: p50, p95 and p99 over time (those of them
///     the history has; otherwise its first three percentiles), titled
///     "cumulative since start" or "10 s window" after
///     [`History::percentiles`];
///  3. `{slug}-failures.svg`: failures/s over time.
///
/// Returns no chart when the history has fewer than 2 points.
pub fn scenario_charts(scenario: &str, history: &History) -> anyhow::Result<Vec<Chart>> {
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
    let slug = slug(scenario);
    let series = TimeSeries::new(history);
    let short_name = truncate(scenario, TITLE_NAME_CHARS);

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
            right: Some(RightAxis {
                desc: "users",
                line: Line {
                    label: "users (right axis)".to_string(),
                    color: USERS_COLOR,
                    points: series.prepare(history.points.iter().map(|p| Some(p.users as f64))),
                },
            }),
            empty_note: "no throughput values",
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
        file_name: format!("{}-baseline.svg", slug(scenario)),
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
            .filter_map(|&(t, v)| Some((t / axis.seconds_per_unit, v?)))
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
        }
    }
}

/// The times of a history, and how to turn one of its columns into a series
/// ready to draw.
struct TimeSeries {
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
            .map(|p| p.timestamp.saturating_sub(t0) as f64)
            .collect();
        let span_s = elapsed_s.iter().copied().fold(0.0, f64::max);
        TimeSeries {
            max_gap_s: median_interval(&elapsed_s).map(|step| step * GAP_FACTOR),
            axis: TimeAxis::for_span(span_s),
            elapsed_s,
        }
    }

    /// Pair values with times, break at pauses, and downsample.
    fn prepare(&self, values: impl Iterator<Item = Option<f64>>) -> Vec<(f64, Option<f64>)> {
        let points: Vec<(f64, Option<f64>)> = self.elapsed_s.iter().copied().zip(values).collect();
        downsample_min_max(&mark_time_gaps(&points, self.max_gap_s), MAX_POINTS)
    }
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
}

fn render_time_chart(spec: &TimeChartSpec) -> anyhow::Result<String> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, HEIGHT)).into_drawing_area();
        root.fill(&WHITE)?;
        let legend: Vec<LegendEntry> = spec
            .lines
            .iter()
            .chain(spec.right.as_ref().map(|r| &r.line))
            .map(|l| LegendEntry {
                label: &l.label,
                color: l.color,
                mark: Mark::Line,
            })
            .collect();
        draw_header(&root, spec.title, &legend)?;
        let (_, body) = root.split_vertically(HEADER_PX);

        let y_max = spec.lines.iter().filter_map(Line::max).reduce(f64::max);
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
            .build_cartesian_2d(0.0..spec.axis.end, 0.0..axis_end(y_max.unwrap_or(0.0)))?
            .set_secondary_coord(0.0..spec.axis.end, 0.0..right_max);
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
    let left = 12;
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
        }
        root.draw(&Text::new(
            entry.label,
            (x + 26, y),
            font(LABEL_PX)
                .color(&TEXT_COLOR)
                .pos(Pos::new(HPos::Left, VPos::Center)),
        ))?;
        // Estimated width of the label, generous for sans-serif fonts.
        x += 26 + (entry.label.chars().count() as f64 * LABEL_PX * 0.62) as i32 + 18;
    }
    Ok(())
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

/// `text` cut to at most `max` characters, ending in `…` when cut.
fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        let mut cut: String = text.chars().take(max.saturating_sub(1)).collect();
        cut.push('…');
        cut
    }
}

/// Make the document safe to insert inline into HTML: no XML prolog (plotters
/// 0.3 writes none, but a prolog inside HTML would show as text).
fn inline_svg(svg: String) -> String {
    match svg.strip_prefix("<?xml") {
        Some(rest) => match rest.find("?>") {
            Some(end) => rest[end + 2..].trim_start().to_string(),
            None => svg,
        },
        None => svg,
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
    fn slug_is_never_empty() {
        for name in ["", "---", "日本語", "🔥", "/"] {
            assert_eq!(slug(name), "scenario", "{name:?}");
        }
    }

    #[test]
    fn a_history_of_fewer_than_two_points_gives_no_charts() {
        assert!(scenario_charts("s", &history(0)).unwrap().is_empty());
        assert!(scenario_charts("s", &history(1)).unwrap().is_empty());
    }

    #[test]
    fn scenario_charts_come_in_order_with_slugged_names() {
        let charts = scenario_charts("Checkout Flow", &history(120)).unwrap();
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
        let charts = scenario_charts("s", &h).unwrap();
        assert_eq!(
            charts[1].title,
            "s: response times (cumulative since start)"
        );
        h.percentiles = HistoryPercentiles::Windowed;
        let charts = scenario_charts("s", &h).unwrap();
        assert_eq!(charts[1].title, "s: response times (10 s window)");
        assert!(charts[1].svg.contains("s: response times (10 s window)"));
    }

    #[test]
    fn response_time_chart_falls_back_to_the_percentiles_there_are() {
        let mut h = history(30);
        h.percentile_labels = labels(&["66", "75", "90", "99.9"]);
        let svg = &scenario_charts("s", &h).unwrap()[1].svg;
        for text in [">\np66\n<", ">\np75\n<", ">\np90\n<"] {
            assert!(svg.contains(text), "{text}");
        }
        assert!(!svg.contains("p99.9"));
    }

    #[test]
    fn hostile_scenario_names_are_escaped() {
        let name = "<script>alert(1)</script> & \"x\"";
        let charts = scenario_charts(name, &history(30)).unwrap();
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
        let charts = scenario_charts("s", &history(30)).unwrap();
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
            scenario_charts("s", &h).unwrap(),
            scenario_charts("s", &h).unwrap()
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
            let charts = scenario_charts("s", &h).unwrap();
            assert_eq!(charts.len(), 3);
        }
        let all_missing = &scenario_charts("s", &{
            let mut h = history(10);
            h.points
                .iter_mut()
                .for_each(|p| p.percentiles_ms = vec![None; 4]);
            h
        })
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
            scenario_charts("s", &backwards).unwrap(),
            scenario_charts("s", &h).unwrap()
        );
    }

    #[test]
    fn a_soak_history_is_downsampled_to_a_small_svg() {
        let h = history(86_400);
        let charts = scenario_charts("soak", &h).unwrap();
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
            let charts = scenario_charts(scenario, &history.unwrap()).unwrap();
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
}
