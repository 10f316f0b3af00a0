//! `{slug}-failures.svg`: failures/s over time.

use super::style::FAILURES_COLOR;
use super::time::{Line, ScenarioInput, TimeChartSpec, render_time_chart};
use super::{Chart, MarkedChart};

pub(super) fn failures_chart(s: &ScenarioInput) -> anyhow::Result<Chart> {
    let (history, series) = (s.history, &s.series);
    let title = |name: &str| format!("{name}: failures/s");
    Ok(Chart {
        file_name: format!("{}-failures.svg", s.slug),
        title: title(s.name),
        svg: render_time_chart(&TimeChartSpec {
            title: &title(&s.short_name),
            axis: series.axis,
            y_desc: "failures/s",
            lines: vec![Line {
                label: "failures/s".to_string(),
                color: FAILURES_COLOR,
                points: series.prepare(history.points.iter().map(|p| Some(p.failures_per_s))),
            }],
            right: None,
            empty_note: "no failure values",
            marks: s.marks(MarkedChart::Failures),
        })?,
    })
}
