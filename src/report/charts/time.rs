//! The time charts' renderer: lines over elapsed time, a second axis on the
//! right when one series has its own scale, and the marks behind them. Each
//! time figure (throughput, response times, failures) gives it a
//! [`TimeChartSpec`] built from a [`ScenarioInput`].

use plotters::chart::DualCoordChartContext;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;

use super::svg::Svg;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::frame::{Canvas, LegendEntry, Mark, draw_header, legend_entry_width, render_svg};
use super::marks::{TimeMarks, draw_mark_areas, draw_mark_edges_and_labels};
use super::series::{TimeAxis, TimeSeries, pieces};
use super::style::{
    AXIS_COLOR, DESC_PX, GRID_COLOR, HEADER_LEFT, HEADER_PX, HEIGHT, LABEL_PX, LINE_WIDTH,
    TEXT_COLOR, TITLE_NAME_CHARS, WIDTH, axis_end, font, tick, truncate, whole_tick,
};
use super::{ChartMarks, MarkedChart};
use crate::model::History;

/// What every time chart of one scenario is drawn from.
pub(super) struct ScenarioInput<'a> {
    /// The raw scenario name, for [`super::Chart::title`].
    pub(super) name: &'a str,
    /// The name cut for the title drawn in the SVG.
    pub(super) short_name: String,
    pub(super) slug: &'a str,
    /// In time order.
    pub(super) history: &'a History,
    pub(super) series: TimeSeries,
    marks: &'a ChartMarks,
}

impl<'a> ScenarioInput<'a> {
    /// `history` must be in time order.
    pub(super) fn new(
        name: &'a str,
        slug: &'a str,
        history: &'a History,
        marks: &'a ChartMarks,
    ) -> Self {
        ScenarioInput {
            name,
            short_name: truncate(name, TITLE_NAME_CHARS),
            slug,
            history,
            series: TimeSeries::new(history),
            marks,
        }
    }

    /// The marks to draw on `chart`.
    pub(super) fn marks(&self, chart: MarkedChart) -> TimeMarks<'a> {
        TimeMarks::new(self.marks, &self.series, chart)
    }
}

/// One series to draw.
pub(super) struct Line {
    pub(super) label: String,
    pub(super) color: RGBColor,
    /// Prepared points: seconds since the start, `None` breaks the line.
    pub(super) points: Vec<(f64, Option<f64>)>,
}

impl Line {
    fn max(&self) -> Option<f64> {
        self.points.iter().filter_map(|p| p.1).reduce(f64::max)
    }
}

/// A series on its own scale, on a second axis on the right.
pub(super) struct RightAxis {
    pub(super) desc: &'static str,
    pub(super) line: Line,
}

pub(super) struct TimeChartSpec<'a> {
    pub(super) title: &'a str,
    pub(super) axis: TimeAxis,
    pub(super) y_desc: &'static str,
    pub(super) lines: Vec<Line>,
    pub(super) right: Option<RightAxis>,
    /// Written across the plot when no line has any value.
    pub(super) empty_note: &'static str,
    pub(super) marks: TimeMarks<'a>,
}

type Xy = Cartesian2d<RangedCoordf64, RangedCoordf64>;
/// The plot of a time chart, in its left axis's coordinates.
pub(super) type TimePlot<'a> = DrawingArea<Svg<'a>, Xy>;
/// A time chart: the left axis's coordinates, and the right axis's (unused
/// without a right axis).
type TimeChart<'a, 'b> = DualCoordChartContext<'a, Svg<'b>, Xy, Xy>;

/// The chart of `spec`. Drawing order matters: it is the SVG's element
/// order, and later elements cover earlier ones.
pub(super) fn render_time_chart(spec: &TimeChartSpec) -> anyhow::Result<String> {
    render_svg(HEIGHT, |root| {
        draw_header(root, spec.title, &legend(spec))?;
        let (_, body) = root.split_vertically(HEADER_PX);

        let y_max = spec.lines.iter().filter_map(Line::max).reduce(f64::max);
        let y_end = axis_end(y_max.unwrap_or(0.0));
        let mut chart = build_chart(&body, spec, y_end)?;
        // The marks' areas go first, under the grid and the series.
        draw_mark_areas(chart.plotting_area(), spec.axis, &spec.marks, y_end)?;
        draw_mesh(&mut chart, spec)?;
        draw_mark_edges_and_labels(chart.plotting_area(), spec.axis, &spec.marks, y_end)?;
        if let Some(right) = &spec.right {
            draw_right_axis(&mut chart, spec.axis, right)?;
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
        Ok(())
    })
}

/// The lines' entries, the right axis's last, then the marks' as far as the
/// header's width has room for them.
fn legend<'a>(spec: &'a TimeChartSpec) -> Vec<LegendEntry<'a>> {
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
    for entry in spec.marks.legend_entries().into_iter().flatten() {
        let used: i32 = legend.iter().map(|e| legend_entry_width(e.label)).sum();
        if HEADER_LEFT + used + legend_entry_width(entry.label) <= WIDTH as i32 {
            legend.push(entry);
        }
    }
    legend
}

/// The plot area with its margins and label areas, and both coordinate
/// systems: the left axis from 0 to `y_end`, the right one from 0 to a
/// little above its line's highest value.
fn build_chart<'b>(
    body: &Canvas<'b>,
    spec: &TimeChartSpec,
    y_end: f64,
) -> anyhow::Result<TimeChart<'b, 'b>> {
    let mut builder = ChartBuilder::on(body);
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
    Ok(builder
        .build_cartesian_2d(0.0..spec.axis.end, 0.0..y_end)?
        .set_secondary_coord(0.0..spec.axis.end, 0.0..right_max))
}

/// The grid, the axes, their ticks and their descriptions (left and bottom).
fn draw_mesh(chart: &mut TimeChart, spec: &TimeChartSpec) -> anyhow::Result<()> {
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
    Ok(())
}

/// The right axis with whole-number ticks, and its line.
fn draw_right_axis(chart: &mut TimeChart, axis: TimeAxis, right: &RightAxis) -> anyhow::Result<()> {
    chart
        .configure_secondary_axes()
        .axis_style(AXIS_COLOR)
        .y_labels(6)
        .y_desc(right.desc)
        .y_label_formatter(&whole_tick)
        .label_style(font(LABEL_PX).color(&TEXT_COLOR))
        .axis_desc_style(font(DESC_PX).color(&TEXT_COLOR))
        .draw()?;
    let (paths, dots) = pieces(&right.line.points, axis);
    chart.draw_secondary_series(paths.into_iter().map(|p| path(p, right.line.color)))?;
    chart.draw_secondary_series(dots.into_iter().map(|p| dot(p, right.line.color)))?;
    Ok(())
}

fn path(points: Vec<(f64, f64)>, color: RGBColor) -> PathElement<(f64, f64)> {
    PathElement::new(points, color.stroke_width(LINE_WIDTH))
}

/// A lone value between two gaps, which a line cannot show.
fn dot(point: (f64, f64), color: RGBColor) -> Circle<(f64, f64), u32> {
    Circle::new(point, 3, color.filled())
}
