//! `{slug}-baseline.svg`: one scenario's percentiles against the baseline's.

use super::bars::{Bar, BarGroup, BarKind, GroupedBarSpec, render_grouped_bars};
use super::slug::slug;
use super::style::{BASELINE_COLOR, CURRENT_COLOR, TITLE_NAME_CHARS, truncate};
use super::{BaselineBar, Chart};

/// `{slug}-baseline.svg`: one row per metric, in the given order, with the
/// baseline's value (grey) above the current run's (blue) as horizontal
/// bars, each labelled with its value (`n/a` when missing), titled
/// "{scenario}: baseline vs current". `None` when no bar has a value.
pub fn baseline_chart(scenario: &str, bars: &[BaselineBar]) -> anyhow::Result<Option<Chart>> {
    baseline_chart_as(scenario, &slug(scenario), bars)
}

/// [`baseline_chart`] with the file-name slug given (see
/// [`unique_slugs`](super::unique_slugs)).
pub fn baseline_chart_as(
    scenario: &str,
    slug: &str,
    bars: &[BaselineBar],
) -> anyhow::Result<Option<Chart>> {
    let groups: Vec<BarGroup> = bars
        .iter()
        .map(|b| BarGroup {
            name: &b.metric,
            bars: vec![
                Bar {
                    value: b.baseline_ms,
                    target: None,
                },
                Bar {
                    value: b.current_ms,
                    target: None,
                },
            ],
        })
        .collect();
    if !groups.iter().any(BarGroup::has_value) {
        return Ok(None);
    }
    let kinds = [
        BarKind {
            label: "baseline",
            color: BASELINE_COLOR,
        },
        BarKind {
            label: "current",
            color: CURRENT_COLOR,
        },
    ];
    let title = |name: &str| format!("{name}: baseline vs current");
    Ok(Some(Chart {
        file_name: format!("{slug}-baseline.svg"),
        title: title(scenario),
        svg: render_grouped_bars(&GroupedBarSpec {
            title: &title(&truncate(scenario, TITLE_NAME_CHARS)),
            kinds: &kinds,
            groups: &groups,
            x_desc: "ms",
            value_labels: true,
        })?,
    }))
}
