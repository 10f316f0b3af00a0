//! The time charts of a scenario, without marks.

use super::*;
use crate::report::charts::{ChartMarks, OverviewRow, overview_chart, scenario_charts};

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
    let charts = scenario_charts("Checkout Flow", &history(120), &ChartMarks::default()).unwrap();
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
}

#[test]
fn characters_xml_forbids_in_a_name_never_reach_a_chart() {
    let name = "a\u{1}b\u{1f}c\u{fffe}d";
    let charts = scenario_charts(name, &history(30), &ChartMarks::default()).unwrap();
    let forbidden = |c: char| matches!(c, '\u{0}'..='\u{8}' | '\u{b}' | '\u{c}' | '\u{e}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}');
    for chart in &charts {
        // Shown escaped, as in every output.
        assert!(chart.svg.contains("a\\x01b\\x1fc"), "{}", chart.svg);
        assert!(!chart.svg.contains(forbidden));
    }
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
        let charts = scenario_charts(scenario, &history.unwrap(), &ChartMarks::default()).unwrap();
        assert_eq!(charts.len(), 3);
        count += 1;
    }
    assert_eq!(count, 4);
}
