//! `{slug}-response-times.svg`: p50, p95 and p99 over time (those of them
//! the history has; otherwise its first three percentiles), titled
//! "cumulative since start" or "10 s window" after [`History::percentiles`].
//!
//! [`History::percentiles`]: crate::model::History::percentiles

use super::style::PERCENTILE_COLORS;
use super::time::{Line, ScenarioInput, TimeChartSpec, render_time_chart};
use super::{Chart, MarkedChart};
use crate::model::HistoryPercentiles;

pub(super) fn response_times_chart(s: &ScenarioInput) -> anyhow::Result<Chart> {
    let (history, series) = (s.history, &s.series);
    let mode = match history.percentiles {
        HistoryPercentiles::Cumulative => "cumulative since start",
        HistoryPercentiles::Windowed => "10 s window",
    };
    let title = |name: &str| format!("{name}: response times ({mode})");
    let lines = chosen_percentiles(&history.percentile_labels)
        .into_iter()
        .zip(PERCENTILE_COLORS)
        .map(|(column, color)| Line {
            label: format!("p{}", history.percentile_labels[column]),
            color,
            points: series.prepare(
                history
                    .points
                    .iter()
                    .map(|p| p.percentiles_ms.get(column).copied().flatten()),
            ),
        })
        .collect();
    Ok(Chart {
        file_name: format!("{}-response-times.svg", s.slug),
        title: title(s.name),
        svg: render_time_chart(&TimeChartSpec {
            title: &title(&s.short_name),
            axis: series.axis,
            y_desc: "ms",
            lines,
            right: None,
            empty_note: "no response times (Locust wrote N/A)",
            marks: s.marks(MarkedChart::ResponseTimes),
        })?,
    })
}

/// The percentile columns to chart: p50, p95 and p99 where present, else the
/// first three columns.
fn chosen_percentiles(labels: &[String]) -> Vec<usize> {
    let wanted: Vec<usize> = ["50", "95", "99"]
        .iter()
        .filter_map(|w| labels.iter().position(|l| l == w))
        .collect();
    if wanted.is_empty() {
        (0..labels.len().min(3)).collect()
    } else {
        wanted
    }
}
