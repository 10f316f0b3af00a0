//! `{slug}-trend.svg`: one scenario's runs side by side, a small panel per
//! figure (median, p95, throughput, success rate), oldest run on the left.
//!
//! Each panel draws the runs as a line (dots too while there are few),
//! rings the runs where a threshold or a regression failed, marks this run
//! (when there is one) as a larger orange dot, and shows the baseline: its
//! median as a dashed line on a pale band, the range that counts as
//! unchanged. Times and throughput start at 0; the success rate's axis is
//! zoomed to its values, since everything happens within a few points of
//! 100%, and the panel says so.

use plotters::coord::types::RangedCoordf64;
use plotters::element::DashedPathElement;
use plotters::prelude::*;

use super::svg::Svg;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::Chart;
use super::frame::{Canvas, LegendEntry, Mark, draw_header, render_svg};
use super::style::{
    AXIS_COLOR, GRID_COLOR, HEADER_PX, LABEL_PX, LINE_WIDTH, SMALL_PX, TEXT_COLOR,
    TITLE_NAME_CHARS, TREND_BAND_COLOR, TREND_BASELINE_COLOR, TREND_COLOR, TREND_CURRENT_COLOR,
    TREND_FAILED_COLOR, axis_end, font, tick, truncate,
};

/// Height of one row of panels.
const PANEL_PX: u32 = 210;
/// Dots are drawn on every run up to this many runs; beyond, the line alone.
const MAX_DOTS: usize = 60;
/// Run labels under the x axis are cut to this many characters.
const RUN_LABEL_CHARS: usize = 12;

/// One run of a trend chart.
#[derive(Debug, Clone, PartialEq)]
pub struct TrendChartRun {
    /// Raw text (escaped when drawn), cut to fit.
    pub label: String,
    /// One value per panel, in the order of the panels.
    pub values: [Option<f64>; 4],
    pub current: bool,
    pub failed: bool,
}

/// A panel's baseline: the dashed median and the band around it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TrendChartBand {
    pub low: f64,
    pub baseline: f64,
    pub high: f64,
}

/// What a panel shows: its title and whether its axis is zoomed to the
/// values (rates near 100%) rather than starting at 0.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TrendPanel {
    pub title: &'static str,
    pub zoomed: bool,
    /// The highest value the figure can have (100 for a rate).
    pub max: Option<f64>,
}

/// `{slug}-trend.svg`, titled "{scenario}: the last N runs"; `None` without
/// runs.
pub fn trend_chart_as(
    scenario: &str,
    slug: &str,
    panels: &[TrendPanel; 4],
    runs: &[TrendChartRun],
    bands: &[Option<TrendChartBand>; 4],
) -> anyhow::Result<Option<Chart>> {
    if runs.is_empty() {
        return Ok(None);
    }
    let title = |name: &str| match runs.len() {
        1 => format!("{name}: 1 run"),
        n => format!("{name}: {n} runs, oldest first"),
    };
    let svg = render_svg(HEADER_PX + 2 * PANEL_PX, |root| {
        draw_header(
            root,
            &title(&truncate(scenario, TITLE_NAME_CHARS)),
            &legend(runs, bands),
        )?;
        let (_, body) = root.split_vertically(HEADER_PX);
        for (i, area) in body.split_evenly((2, 2)).iter().enumerate() {
            draw_panel(area, &panels[i], runs, i, bands[i])?;
        }
        Ok(())
    })?;
    Ok(Some(Chart {
        file_name: format!("{slug}-trend.svg"),
        title: title(scenario),
        svg,
    }))
}

/// The entries for what the chart holds.
fn legend(
    runs: &[TrendChartRun],
    bands: &[Option<TrendChartBand>; 4],
) -> Vec<LegendEntry<'static>> {
    let mut legend = vec![LegendEntry {
        label: "runs",
        color: TREND_COLOR,
        mark: Mark::Line,
    }];
    if runs.iter().any(|r| r.current) {
        legend.push(LegendEntry {
            label: "this run",
            color: TREND_CURRENT_COLOR,
            mark: Mark::Dot,
        });
    }
    if runs.iter().any(|r| r.failed) {
        legend.push(LegendEntry {
            label: "failed a check",
            color: TREND_FAILED_COLOR,
            mark: Mark::Ring,
        });
    }
    if bands.iter().any(Option::is_some) {
        legend.push(LegendEntry {
            label: "baseline (median)",
            color: TREND_BASELINE_COLOR,
            mark: Mark::Dashed,
        });
        legend.push(LegendEntry {
            label: "unchanged band",
            color: TREND_BAND_COLOR,
            mark: Mark::Shade,
        });
    }
    legend
}

/// The value axis of a panel: from 0 (or, zoomed, a little below the
/// lowest value) to a little above the highest value or band edge.
fn value_range(panel: &TrendPanel, values: &[f64], band: Option<TrendChartBand>) -> (f64, f64) {
    let mut all: Vec<f64> = values.to_vec();
    if let Some(b) = band {
        all.extend([b.low, b.high]);
    }
    let max = all.iter().copied().reduce(f64::max).unwrap_or(0.0);
    let min = all.iter().copied().reduce(f64::min).unwrap_or(0.0);
    if !panel.zoomed {
        return (0.0, axis_end(max));
    }
    let top = panel.max.map_or(max, |m| m.max(max));
    let span = (top - min).max(1.0);
    let low = (min - span * 0.15).max(0.0);
    (low, top + span * 0.08)
}

fn draw_panel(
    area: &Canvas,
    panel: &TrendPanel,
    runs: &[TrendChartRun],
    i: usize,
    band: Option<TrendChartBand>,
) -> anyhow::Result<()> {
    let values: Vec<f64> = runs
        .iter()
        .filter_map(|r| r.values[i])
        .filter(|v| v.is_finite())
        .collect();
    let (y_low, y_high) = value_range(panel, &values, band);
    let n = runs.len();
    let x_end = n as f64 - 0.5;
    let mut chart = ChartBuilder::on(area)
        .caption(panel.title, font(LABEL_PX).color(&TEXT_COLOR))
        .margin_left(6)
        .margin_right(14)
        .margin_top(4)
        .margin_bottom(4)
        .x_label_area_size(24)
        .y_label_area_size(48)
        .build_cartesian_2d(-0.5..x_end, y_low..y_high)?;
    // The band first, under the grid and the runs.
    if let Some(b) = band {
        chart.draw_series(std::iter::once(Rectangle::new(
            [(-0.5, b.low.max(y_low)), (x_end, b.high.min(y_high))],
            TREND_BAND_COLOR.filled(),
        )))?;
    }
    let label_of = |x: &f64| -> String {
        let k = x.round();
        if (x - k).abs() > 1e-6 || k < 0.0 || k as usize >= n {
            return String::new();
        }
        truncate(&runs[k as usize].label, RUN_LABEL_CHARS)
    };
    chart
        .configure_mesh()
        .max_light_lines(0)
        .bold_line_style(GRID_COLOR)
        .axis_style(AXIS_COLOR)
        .x_labels(n.min(6))
        .y_labels(5)
        .x_label_formatter(&label_of)
        .y_label_formatter(&tick)
        .label_style(font(SMALL_PX).color(&TEXT_COLOR))
        .draw()?;
    if let Some(b) = band.filter(|b| b.baseline >= y_low && b.baseline <= y_high) {
        chart.draw_series(std::iter::once(DashedPathElement::new(
            vec![(-0.5, b.baseline), (x_end, b.baseline)],
            5,
            3,
            TREND_BASELINE_COLOR.stroke_width(LINE_WIDTH),
        )))?;
    }
    draw_runs(chart.plotting_area(), runs, i)?;
    if values.is_empty() {
        chart.plotting_area().draw(&Text::new(
            "no values",
            (x_end / 2.0, (y_low + y_high) / 2.0),
            font(SMALL_PX)
                .color(&TEXT_COLOR)
                .pos(Pos::new(HPos::Center, VPos::Center)),
        ))?;
    }
    Ok(())
}

type Plot<'a> = DrawingArea<Svg<'a>, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// The runs' line (broken where a run has no value), their dots, the
/// failed runs' rings and this run's dot, in that order.
fn draw_runs(plot: &Plot, runs: &[TrendChartRun], i: usize) -> anyhow::Result<()> {
    let point = |k: usize| {
        runs[k].values[i]
            .filter(|v| v.is_finite())
            .map(|v| (k as f64, v))
    };
    let mut piece: Vec<(f64, f64)> = Vec::new();
    for k in 0..=runs.len() {
        match (k < runs.len()).then(|| point(k)).flatten() {
            Some(p) => piece.push(p),
            None => {
                if piece.len() > 1 {
                    plot.draw(&PathElement::new(
                        std::mem::take(&mut piece),
                        TREND_COLOR.stroke_width(LINE_WIDTH),
                    ))?;
                }
                piece.clear();
            }
        }
    }
    let few = runs.len() <= MAX_DOTS;
    for (k, run) in runs.iter().enumerate() {
        let Some(p) = point(k) else { continue };
        if few && !run.current {
            plot.draw(&Circle::new(p, 3, TREND_COLOR.filled()))?;
        }
        if run.failed {
            plot.draw(&Circle::new(p, 6, TREND_FAILED_COLOR.stroke_width(2)))?;
        }
        if run.current {
            plot.draw(&Circle::new(p, 5, TREND_CURRENT_COLOR.filled()))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

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
            title: "success rate, % (zoomed)",
            zoomed: true,
            max: Some(100.0),
        },
    ];

    fn run(label: &str, v: f64, current: bool, failed: bool) -> TrendChartRun {
        TrendChartRun {
            label: label.into(),
            values: [Some(v), Some(v * 2.0), Some(50.0), Some(99.5)],
            current,
            failed,
        }
    }

    #[test]
    fn a_trend_chart_is_deterministic_escapes_labels_and_marks_its_runs() {
        let runs = vec![
            run("v1.0", 100.0, false, false),
            run("<b>v1.1</b>", 103.0, false, true),
            run("v1.2", 106.0, true, false),
        ];
        let band = Some(TrendChartBand {
            low: 95.0,
            baseline: 101.5,
            high: 108.0,
        });
        let bands = [band, None, None, None];
        let a = trend_chart_as("checkout", "checkout", &PANELS, &runs, &bands)
            .unwrap()
            .unwrap();
        let b = trend_chart_as("checkout", "checkout", &PANELS, &runs, &bands)
            .unwrap()
            .unwrap();
        assert_eq!(a, b);
        assert_eq!(a.file_name, "checkout-trend.svg");
        assert_eq!(a.title, "checkout: 3 runs, oldest first");
        assert!(a.svg.starts_with("<svg"), "{}", &a.svg[..40]);
        assert!(!a.svg.contains("<b>"));
        assert!(a.svg.contains("&lt;b&gt;v1.1&lt;/b"));
        for text in [
            "this run",
            "failed a check",
            "unchanged band",
            "success rate, % (zoomed)",
        ] {
            assert!(a.svg.contains(text), "{text}");
        }
        assert!(
            trend_chart_as("x", "x", &PANELS, &[], &bands)
                .unwrap()
                .is_none()
        );
    }

    #[test]
    fn long_histories_draw_no_dots_and_empty_panels_say_so() {
        let mut runs: Vec<TrendChartRun> = (0..500)
            .map(|k| run(&format!("r{k}"), 100.0 + k as f64, false, k % 100 == 0))
            .collect();
        runs[10].values = [None; 4];
        let chart = trend_chart_as("s", "s", &PANELS, &runs, &[None; 4])
            .unwrap()
            .unwrap();
        // Five rings per panel (runs 0, 100, …, 400) and the legend's, no dots.
        assert_eq!(chart.svg.matches("<circle").count(), 5 * 4 + 1);
        let none = vec![TrendChartRun {
            label: "a".into(),
            values: [None; 4],
            current: false,
            failed: false,
        }];
        let chart = trend_chart_as("s", "s", &PANELS, &none, &[None; 4])
            .unwrap()
            .unwrap();
        assert_eq!(chart.svg.matches("no values").count(), 4);
    }
}
