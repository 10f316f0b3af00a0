//! `{slug}-throughput.svg`: requests/s over time, with the user count on a
//! second axis on the right.

use super::style::{REQUESTS_COLOR, USERS_COLOR};
use super::time::{Line, RightAxis, ScenarioInput, TimeChartSpec, render_time_chart};
use super::{Chart, MarkedChart};

pub(super) fn throughput_chart(s: &ScenarioInput) -> anyhow::Result<Chart> {
    let (history, series) = (s.history, &s.series);
    let title = |name: &str| format!("{name}: requests/s and users");
    Ok(Chart {
        file_name: format!("{}-throughput.svg", s.slug),
        title: title(s.name),
        svg: render_time_chart(&TimeChartSpec {
            title: &title(&s.short_name),
            axis: series.axis,
            y_desc: "requests/s",
            lines: vec![Line {
                label: "requests/s".to_string(),
                color: REQUESTS_COLOR,
                points: series.prepare(history.points.iter().map(|p| Some(p.rps))),
            }],
            // Locust 0.x wrote no user count: no line rather than a flat zero.
            right: history.users_known.then(|| RightAxis {
                desc: "users",
                line: Line {
                    label: "users (right axis)".to_string(),
                    color: USERS_COLOR,
                    points: series.prepare(history.points.iter().map(|p| Some(p.users as f64))),
                },
            }),
            empty_note: "no throughput values",
            marks: s.marks(MarkedChart::Throughput),
        })?,
    })
}
