//! Marks on the time charts ([`ChartMarks`]): the ramp-up that the
//! evaluation left out (light grey, on all three) and the stretches where a
//! sustained-window check failed (translucent vermillion, on the chart the
//! check is about). Both are drawn under the grid and the series, at the same
//! times as the series (seconds since the first point), clamped to the
//! plotted range, and labelled along the top of the plot, where the axis
//! headroom above the highest value leaves space. Without marks the output is
//! exactly what it was before marks existed.

use std::ops::Range;

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::frame::{LegendEntry, Mark};
use super::series::{TimeAxis, TimeSeries};
use super::style::{
    RAMP_UP_COLOR, SMALL_PX, STRETCH_ALPHA, STRETCH_COLOR, STRETCH_EDGE_ALPHA, STRETCH_TEXT_COLOR,
    TEXT_COLOR, font, truncate,
};
use super::time::TimePlot;
use super::{ChartMarks, MarkedChart};

const RAMP_UP_LABEL: &str = "ramp-up (excluded)";
/// Where the ramp-up label does not fit.
const RAMP_UP_SHORT_LABEL: &str = "ramp-up";
const STRETCH_LEGEND: &str = "failed window";
/// Mark labels shorter than this (with the `…`) are left out.
const MIN_MARK_LABEL_CHARS: usize = 4;

/// The marks of one time chart, in seconds since the first point, already
/// clamped to the time the history covers (see [`TimeSeries::plotted`]).
#[derive(Debug, Default)]
pub(super) struct TimeMarks<'a> {
    /// The excluded ramp-up runs from the first point to here.
    pub(super) ramp_up_end_s: Option<f64>,
    /// Failed stretches with their raw labels, in time order.
    pub(super) stretches: Vec<(Range<f64>, &'a str)>,
}

impl<'a> TimeMarks<'a> {
    /// The marks of `chart`: the ramp-up, and the stretches on that chart,
    /// each clamped to what `series` covers (left out if that is nothing).
    pub(super) fn new(marks: &'a ChartMarks, series: &TimeSeries, chart: MarkedChart) -> Self {
        let ramp_up_end_s = marks
            .steady_start
            .and_then(|steady| series.plotted(series.t0, steady))
            .map(|r| r.end);
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
    }

    /// The legend entries for the kinds of mark there are, ramp-up first.
    pub(super) fn legend_entries(&self) -> [Option<LegendEntry<'static>>; 2] {
        [
            self.ramp_up_end_s.map(|_| LegendEntry {
                label: RAMP_UP_LABEL,
                color: RAMP_UP_COLOR,
                mark: Mark::Shade,
            }),
            (!self.stretches.is_empty()).then_some(LegendEntry {
                label: STRETCH_LEGEND,
                color: STRETCH_COLOR,
                mark: Mark::Band,
            }),
        ]
    }
}

/// The ramp-up and the stretches as filled areas over the plot's full height.
pub(super) fn draw_mark_areas(
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

impl MarkLabel {
    /// The text to write in `max_chars`, if any (see [`MarkLabel::texts`]).
    fn fitting(&self, max_chars: usize) -> Option<String> {
        let text = match (
            self.texts.iter().find(|t| t.chars().count() <= max_chars),
            self.texts.as_slice(),
        ) {
            (Some(fits), _) => fits.clone(),
            (None, [only]) if max_chars >= MIN_MARK_LABEL_CHARS => truncate(only, max_chars),
            _ => return None,
        };
        (!text.is_empty()).then_some(text)
    }
}

/// The stretches' edges (where they are inside the plot, not cut by its
/// ends), and the marks' labels along the top of the plot. Left to right,
/// each label is cut to end before the next one starts (or the plot ends),
/// so a stretch's label may reach past a narrow stretch; the ramp-up's label
/// stays inside the ramp-up, falling back to "ramp-up". A label that would be
/// shorter than [`MIN_MARK_LABEL_CHARS`] is left out (the legend still
/// explains the mark).
pub(super) fn draw_mark_edges_and_labels(
    plot: &TimePlot,
    axis: TimeAxis,
    marks: &TimeMarks,
    y_end: f64,
) -> anyhow::Result<()> {
    draw_stretch_edges(plot, axis, marks, y_end)?;
    draw_mark_labels(plot, axis, &mark_labels(marks), y_end)
}

fn draw_stretch_edges(
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
    Ok(())
}

/// The marks' labels, in time order; the ramp-up (at 0) before a stretch
/// that also starts at 0 (a stable sort).
fn mark_labels(marks: &TimeMarks) -> Vec<MarkLabel> {
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
    labels
}

/// `labels` (in time order) along the top of the plot, each cut to the room
/// up to the next one (see [`draw_mark_edges_and_labels`]).
fn draw_mark_labels(
    plot: &TimePlot,
    axis: TimeAxis,
    labels: &[MarkLabel],
    y_end: f64,
) -> anyhow::Result<()> {
    const PAD: i32 = 4;
    let px = |s: f64| plot.map_coordinate(&(axis.x(s), y_end)).0;
    let right_px = plot.get_pixel_range().0.end;
    for (i, label) in labels.iter().enumerate() {
        let next = labels.get(i + 1).map_or(right_px, |next| px(next.start_s));
        let limit = label.end_s.map_or(next, |end| px(end).min(next)) - PAD;
        let room = (limit - px(label.start_s) - PAD).max(0) as f64;
        let max_chars = (room / (SMALL_PX * 0.62)) as usize;
        let Some(text) = label.fitting(max_chars) else {
            continue;
        };
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
