//! What every chart has around its plot: the white canvas, the title and
//! legend rows above the plot, and the clean-up that makes the document safe
//! to insert inline into HTML.

use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;

use super::svg::Svg;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::style::{
    HEADER_LEFT, LABEL_PX, LINE_WIDTH, RAMP_UP_OUTLINE, STRETCH_ALPHA, STRETCH_EDGE_ALPHA,
    TEXT_COLOR, TITLE_PX, WIDTH, font,
};

/// The whole chart, title and legend included.
pub(super) type Canvas<'a> = DrawingArea<Svg<'a>, Shift>;

/// A [`WIDTH`] × `height` SVG on a white canvas, drawn by `draw`: no XML
/// prolog (it would show as text inline in HTML), every text escaped.
pub(super) fn render_svg(
    height: u32,
    draw: impl FnOnce(&Canvas) -> anyhow::Result<()>,
) -> anyhow::Result<String> {
    // Room for most charts (about 10 KB) without growing.
    let mut svg = String::with_capacity(16 * 1024);
    {
        let root = Svg::with_string(&mut svg, (WIDTH, height)).into_drawing_area();
        root.fill(&WHITE)?;
        draw(&root)?;
        root.present()?;
    }
    Ok(svg)
}

/// How a legend entry is marked.
#[derive(Debug, Clone, Copy)]
pub(super) enum Mark {
    Line,
    Bar,
    Target,
    /// The excluded ramp-up.
    Shade,
    /// A failed stretch: translucent, with edges.
    Band,
    /// A dashed line (a trend's baseline).
    Dashed,
    /// A filled dot (a trend's current run).
    Dot,
    /// A ring (a trend's failed run).
    Ring,
}

pub(super) struct LegendEntry<'a> {
    pub(super) label: &'a str,
    pub(super) color: RGBColor,
    pub(super) mark: Mark,
}

/// The title on the first row and the legend, left to right, on the second:
/// above the plot, so the legend never hides data.
pub(super) fn draw_header(
    root: &Canvas,
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
        draw_swatch(root, entry, x, y)?;
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

/// The mark of a legend entry whose 26 px start at `x`, centred on `y`.
fn draw_swatch(root: &Canvas, entry: &LegendEntry, x: i32, y: i32) -> anyhow::Result<()> {
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
        Mark::Dashed => root.draw(&DashedPathElement::new(
            vec![(x, y), (x + 20, y)],
            5,
            3,
            entry.color.stroke_width(LINE_WIDTH),
        ))?,
        Mark::Dot => root.draw(&Circle::new((x + 10, y), 5, entry.color.filled()))?,
        Mark::Ring => root.draw(&Circle::new((x + 10, y), 5, entry.color.stroke_width(2)))?,
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
    Ok(())
}

/// The room a legend entry takes, with the gap after it: its mark, and an
/// estimated width of its label, generous for sans-serif fonts.
pub(super) fn legend_entry_width(label: &str) -> i32 {
    26 + (label.chars().count() as f64 * LABEL_PX * 0.62) as i32 + 18
}
