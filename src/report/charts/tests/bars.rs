//! The bar charts: the overview and the baseline chart.

use crate::report::charts::bars::bar_band;
use crate::report::charts::style::{BASELINE_COLOR, CURRENT_COLOR};
use crate::report::charts::{BaselineBar, OverviewRow, baseline_chart, overview_chart};

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
