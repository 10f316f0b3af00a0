//! The look every chart shares, in one place: sizes, the palette and what
//! each colour means, fonts, and the tick and text formatting.

use plotters::prelude::*;

/// Width of every chart, in pixels.
pub const WIDTH: u32 = 800;
/// Height of every time chart, and the least height of the bar charts.
pub const HEIGHT: u32 = 320;
/// Height of the title and legend rows above the plot.
pub(super) const HEADER_PX: u32 = 50;
/// Height per bar of a row in the bar charts (overview, baseline): a row of
/// two bars takes 46 px. Charts with few rows stay [`HEIGHT`] high.
pub(super) const BAR_PX: u32 = 23;
/// Left edge of the title and the legend.
pub(super) const HEADER_LEFT: i32 = 12;
pub(super) const LINE_WIDTH: u32 = 2;

/// Font sizes in CSS pixels. plotters writes `font-size = size / 1.24`, so
/// [`font`] multiplies by 1.24; these sizes come back out as whole numbers.
pub(super) const TITLE_PX: f64 = 14.0;
pub(super) const LABEL_PX: f64 = 11.0;
pub(super) const DESC_PX: f64 = 12.0;
pub(super) const SMALL_PX: f64 = 10.0;

/// Scenario names longer than this are cut (with `…`) in SVG titles.
pub(super) const TITLE_NAME_CHARS: usize = 60;

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
pub(super) const REQUESTS_COLOR: RGBColor = okabe_ito::BLUE;
pub(super) const USERS_COLOR: RGBColor = okabe_ito::ORANGE;
pub(super) const FAILURES_COLOR: RGBColor = okabe_ito::VERMILLION;
/// p50 (median), p95, p99: the lowest percentile in blue, the highest in purple.
pub(super) const PERCENTILE_COLORS: [RGBColor; 3] = [
    okabe_ito::BLUE,
    okabe_ito::BLUISH_GREEN,
    okabe_ito::REDDISH_PURPLE,
];
pub(super) const MEDIAN_COLOR: RGBColor = PERCENTILE_COLORS[0];
pub(super) const P99_COLOR: RGBColor = PERCENTILE_COLORS[2];
pub(super) const TARGET_COLOR: RGBColor = okabe_ito::BLACK;
/// The baseline recedes in neutral grey; the current run is the subject.
pub(super) const BASELINE_COLOR: RGBColor = okabe_ito::GREY;
pub(super) const CURRENT_COLOR: RGBColor = okabe_ito::BLUE;
pub(super) const TEXT_COLOR: RGBColor = RGBColor(0x33, 0x33, 0x33);
pub(super) const AXIS_COLOR: RGBColor = RGBColor(0x88, 0x88, 0x88);
pub(super) const GRID_COLOR: RGBColor = RGBColor(0xE4, 0xE4, 0xE4);
/// A trend: the runs in blue (as requests), this run in orange, failed runs
/// ringed in vermillion (as failures), the baseline dashed in dark grey on
/// a pale blue band (what counts as unchanged), drawn under the grid.
pub(super) const TREND_COLOR: RGBColor = okabe_ito::BLUE;
pub(super) const TREND_CURRENT_COLOR: RGBColor = okabe_ito::ORANGE;
pub(super) const TREND_FAILED_COLOR: RGBColor = okabe_ito::VERMILLION;
pub(super) const TREND_BASELINE_COLOR: RGBColor = RGBColor(0x55, 0x55, 0x55);
pub(super) const TREND_BAND_COLOR: RGBColor = RGBColor(0xD6, 0xEA, 0xF5);
/// The excluded ramp-up: a light grey no other element uses.
pub(super) const RAMP_UP_COLOR: RGBColor = RGBColor(0xEE, 0xEE, 0xEE);
/// The ramp-up's legend swatch needs an outline to show on the white header.
pub(super) const RAMP_UP_OUTLINE: RGBColor = RGBColor(0xC8, 0xC8, 0xC8);
/// A failed stretch: vermillion (as failures) at [`STRETCH_ALPHA`], edged by
/// lines at [`STRETCH_EDGE_ALPHA`], labelled in a darker vermillion that
/// stays legible at 10 px on the band.
pub(super) const STRETCH_COLOR: RGBColor = okabe_ito::VERMILLION;
pub(super) const STRETCH_ALPHA: f64 = 0.2;
pub(super) const STRETCH_EDGE_ALPHA: f64 = 0.8;
pub(super) const STRETCH_TEXT_COLOR: RGBColor = RGBColor(0xA0, 0x46, 0x00);

/// A sans-serif font of `px` CSS pixels (see [`TITLE_PX`]).
pub(super) fn font(px: f64) -> FontDesc<'static> {
    (FontFamily::SansSerif, px * 1.24).into_font()
}

/// The end of a value axis that starts at 0: a little above the highest
/// value, and 1 when there is nothing above 0.
pub(super) fn axis_end(max: f64) -> f64 {
    if !(max > 0.0 && max.is_finite()) {
        return 1.0;
    }
    let end = max * 1.08;
    if end.is_finite() { end } else { max }
}

/// A compact tick label: `0`, `0.25`, `12.5`, `950`, `1500`, `15k`, `2.5M`,
/// `4e301`.
/// Axes start at 0 and have at most ~10 ticks, so steps are never finer than
/// these digits show.
pub(super) fn tick(v: &f64) -> String {
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
    let s = crate::format::fixed(scaled, digits);
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.')
    } else {
        &s
    };
    let s = if s == "-0" { "0" } else { s };
    format!("{s}{suffix}")
}

/// A tick label for counts (users): none on fractional ticks.
pub(super) fn whole_tick(v: &f64) -> String {
    if v.fract() == 0.0 {
        tick(v)
    } else {
        String::new()
    }
}

/// `text` shown escaped ([`crate::format::display`]) and cut to at most `max`
/// characters, ending in `…` when cut.
pub(super) fn truncate(text: &str, max: usize) -> String {
    crate::format::clipped(text, max)
}
