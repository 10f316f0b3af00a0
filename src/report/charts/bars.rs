//! The grouped-bar renderer behind the overview and the baseline chart:
//! horizontal bars, one row per group, on a shared value axis from 0, with
//! targets as marks across the bars.

use std::ops::Range;

use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint};
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;

use super::svg::Svg;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::frame::{LegendEntry, Mark, draw_header, render_svg};
use super::style::{
    AXIS_COLOR, BAR_PX, DESC_PX, GRID_COLOR, HEADER_PX, HEIGHT, LABEL_PX, SMALL_PX, TARGET_COLOR,
    TEXT_COLOR, axis_end, font, tick, truncate,
};

/// The overview's axis reaches out to targets up to this many times the
/// highest median or p99; farther targets are written at the right edge.
const TARGET_REACH: f64 = 3.0;

/// One kind of bar in a grouped bar chart, e.g. "median" or "baseline":
/// every group has one bar of each kind, the first kind at the top.
pub(super) struct BarKind {
    pub(super) label: &'static str,
    pub(super) color: RGBColor,
}

/// One bar: its length, and a target to mark across it. Non-finite values
/// count as missing.
#[derive(Debug, Clone, Copy)]
pub(super) struct Bar {
    pub(super) value: Option<f64>,
    pub(super) target: Option<f64>,
}

/// One row of a grouped bar chart: a name on the vertical axis, and one bar
/// per [`BarKind`], in the same order.
pub(super) struct BarGroup<'a> {
    /// Raw text (plotters escapes it); cut to fit the label area.
    pub(super) name: &'a str,
    pub(super) bars: Vec<Bar>,
}

impl BarGroup<'_> {
    pub(super) fn has_value(&self) -> bool {
        self.bars.iter().any(|b| finite(b.value).is_some())
    }
}

pub(super) struct GroupedBarSpec<'a> {
    pub(super) title: &'a str,
    pub(super) kinds: &'a [BarKind],
    pub(super) groups: &'a [BarGroup<'a>],
    pub(super) x_desc: &'static str,
    /// Write each value (`12.5 ms`) just past its bar's end, and `n/a` where
    /// a row with values lacks one, so that 0, a sliver and a missing value
    /// can be told apart. The axis reaches further right to make room.
    pub(super) value_labels: bool,
}

/// `v` if it is a finite number: non-finite values count as missing.
pub(super) fn finite(v: Option<f64>) -> Option<f64> {
    v.filter(|v| v.is_finite())
}

type BarChart<'a, 'b> = ChartContext<'a, Svg<'b>, Cartesian2d<RangedCoordf64, RowAxis>>;

/// Horizontal grouped bars: one row per group, top to bottom in the given
/// order, its bars stacked within the row, on a shared value axis from 0.
/// The legend lists the kinds, and "target" when any bar has one; a row
/// without any value says "no data". Used by the overview and the baseline
/// chart.
pub(super) fn render_grouped_bars(spec: &GroupedBarSpec) -> anyhow::Result<String> {
    let layout = BarLayout::new(spec);
    render_svg(layout.height, |root| {
        draw_header(root, spec.title, &legend(spec, layout.has_target))?;
        let (_, body) = root.split_vertically(HEADER_PX);
        let mut chart = ChartBuilder::on(&body)
            .margin_left(8)
            .margin_right(24)
            .margin_top(6)
            .margin_bottom(6)
            .x_label_area_size(40)
            .y_label_area_size(layout.label_area)
            .build_cartesian_2d(0.0..layout.x_end, RowAxis { rows: layout.rows })?;
        draw_mesh(&mut chart, spec, &layout)?;
        for (i, group) in spec.groups.iter().enumerate() {
            draw_group(&mut chart, spec, &layout, i, group)?;
        }
        Ok(())
    })
}

/// The sizes and the value axis of a grouped bar chart, from its data.
struct BarLayout {
    /// The number of groups.
    rows: usize,
    /// The number of bars per group (at least 1).
    kinds: usize,
    height: u32,
    value_max: f64,
    x_end: f64,
    has_target: bool,
    /// Names longer than this are cut.
    label_chars: usize,
    label_area: u32,
}

impl BarLayout {
    fn new(spec: &GroupedBarSpec) -> BarLayout {
        let (groups, n) = (spec.groups, spec.groups.len());
        let kinds = spec.kinds.len().max(1);
        let height = HEIGHT.max(HEADER_PX + 70 + BAR_PX * kinds as u32 * n as u32);
        let value_max = groups
            .iter()
            .flat_map(|g| &g.bars)
            .filter_map(|b| finite(b.value))
            .reduce(f64::max)
            .unwrap_or(0.0);
        let x_end = value_axis_end(spec, value_max);
        let has_target = targets(groups).next().is_some();
        // Room for the longest name, within reason; longer names are cut.
        let longest = groups
            .iter()
            .map(|g| g.name.chars().count())
            .max()
            .unwrap_or(0);
        let label_chars = longest.clamp(8, 40);
        let label_area = (label_chars as f64 * LABEL_PX * 0.62) as u32 + 16;
        BarLayout {
            rows: n,
            kinds,
            height,
            value_max,
            x_end,
            has_target,
            label_chars,
            label_area,
        }
    }

    /// Whether target `t` is drawn on the axis (see [`on_scale`]).
    fn on_scale(&self, t: f64) -> bool {
        on_scale(t, self.value_max)
    }
}

/// A target far above every value (the defaults' `p99 < 1s` against 20 ms)
/// would squash the bars into slivers: the axis only reaches out to targets
/// within TARGET_REACH times the highest value, and a target beyond is
/// written at the right edge instead, where the bars leave room.
fn on_scale(t: f64, value_max: f64) -> bool {
    t <= value_max * TARGET_REACH
}

/// The targets of every bar that has one.
fn targets<'a>(groups: &'a [BarGroup]) -> impl Iterator<Item = f64> + 'a {
    groups
        .iter()
        .flat_map(|g| &g.bars)
        .filter_map(|b| finite(b.target))
}

/// The end of the value axis: past the highest value and every target on
/// the scale, with room at the right edge for targets off it and for value
/// labels.
fn value_axis_end(spec: &GroupedBarSpec, value_max: f64) -> f64 {
    let x_max = targets(spec.groups)
        .filter(|t| on_scale(*t, value_max))
        .fold(value_max, f64::max);
    let x_end = if targets(spec.groups).any(|t| !on_scale(t, value_max)) {
        axis_end(x_max) * 1.3
    } else {
        axis_end(x_max)
    };
    // Value labels: at least ~100 px right of the longest bar, enough for
    // `1234.5 ms`. (Kept finite for values near f64::MAX.)
    match x_end * 1.1 {
        wider if spec.value_labels && wider.is_finite() => wider,
        _ => x_end,
    }
}

/// The kinds, and "target" when any bar has one.
fn legend<'a>(spec: &GroupedBarSpec<'a>, has_target: bool) -> Vec<LegendEntry<'a>> {
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
    legend
}

/// The vertical grid, the axes, the value ticks and the group names.
fn draw_mesh(
    chart: &mut BarChart,
    spec: &GroupedBarSpec,
    layout: &BarLayout,
) -> anyhow::Result<()> {
    // Row i (0 = first, drawn at the top) spans y in [n-1-i, n-i]; the
    // ticks sit at the row centres and are labelled with the names.
    let name_at = |y: &f64| -> String {
        let from_top = layout.rows as f64 - y;
        spec.groups
            .get(from_top.max(0.0) as usize)
            .map(|g| truncate(g.name, layout.label_chars))
            .unwrap_or_default()
    };
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
    Ok(())
}

/// Row `i`: each bar with its target and value label, or "no data".
fn draw_group(
    chart: &mut BarChart,
    spec: &GroupedBarSpec,
    layout: &BarLayout,
    i: usize,
    group: &BarGroup,
) -> anyhow::Result<()> {
    let top = (layout.rows - i) as f64;
    for ((j, bar), kind) in group.bars.iter().enumerate().zip(spec.kinds) {
        let (low, high) = bar_band(top, j, layout.kinds);
        if let Some(v) = finite(bar.value) {
            chart.draw_series(std::iter::once(Rectangle::new(
                [(0.0, low), (v, high)],
                kind.color.filled(),
            )))?;
        }
        draw_target(chart, layout, bar, (low, high))?;
        if spec.value_labels {
            draw_value_label(chart, group, bar, (low, high))?;
        }
    }
    if !group.has_value() {
        chart.draw_series(std::iter::once(Text::new(
            "no data",
            (layout.x_end * 0.01, top - 0.5),
            font(SMALL_PX)
                .color(&AXIS_COLOR)
                .pos(Pos::new(HPos::Left, VPos::Center)),
        )))?;
    }
    Ok(())
}

/// The bar's target across its band, or written at the right edge when it
/// is off the scale.
fn draw_target(
    chart: &mut BarChart,
    layout: &BarLayout,
    bar: &Bar,
    (low, high): (f64, f64),
) -> anyhow::Result<()> {
    match finite(bar.target) {
        Some(t) if layout.on_scale(t) => {
            chart.draw_series(std::iter::once(PathElement::new(
                vec![(t, low - 0.05), (t, high + 0.05)],
                TARGET_COLOR.stroke_width(3),
            )))?;
        }
        Some(t) => {
            chart.draw_series(std::iter::once(Text::new(
                format!("target {} →", crate::format::ms(t)),
                (layout.x_end, (low + high) / 2.0),
                font(SMALL_PX)
                    .color(&TARGET_COLOR)
                    .pos(Pos::new(HPos::Right, VPos::Center)),
            )))?;
        }
        None => {}
    }
    Ok(())
}

/// The bar's value just past its end, or `n/a` at 0 when it has none but
/// its row has others.
fn draw_value_label(
    chart: &mut BarChart,
    group: &BarGroup,
    bar: &Bar,
    (low, high): (f64, f64),
) -> anyhow::Result<()> {
    let (text, at, color) = match finite(bar.value) {
        Some(v) => (crate::format::ms(v), v, TEXT_COLOR),
        None if group.has_value() => ("n/a".to_string(), 0.0, AXIS_COLOR),
        None => return Ok(()),
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
    Ok(())
}

/// The vertical extent `(low, high)` of bar `j` of `kinds` in the row whose
/// top is at `top`: the row's `1.0` less a margin of 0.14 above and below,
/// shared by the bars with gaps of 0.04. For two kinds: `top - 0.48 ..
/// top - 0.14` and `top - 0.86 .. top - 0.52`.
pub(super) fn bar_band(top: f64, j: usize, kinds: usize) -> (f64, f64) {
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
