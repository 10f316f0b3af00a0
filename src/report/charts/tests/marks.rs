//! Marks on the time charts: the ramp-up and failed stretches.

use super::*;
use crate::report::charts::{ChartMarks, MarkedChart, MarkedStretch, scenario_charts};

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
