//! `overview-latency.svg`: across scenarios, median and p99 against their
//! targets.

use super::bars::{Bar, BarGroup, BarKind, GroupedBarSpec, finite, render_grouped_bars};
use super::style::{MEDIAN_COLOR, P99_COLOR};
use super::{Chart, OverviewRow};

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
