//! The report view: one serialisable context for the Markdown and HTML
//! templates, with every number already formatted (in `crate::format`), the
//! status line, the findings and the data notes computed once here.

use serde::Serialize;

use super::Summary;
use super::charts::{self, Chart, OverviewRow};
use super::decision::{self, FailedItem, Matrix};
use super::summary::ScenarioSummary;
use crate::config::{Metric, Op};
use crate::evaluate::compare::Verdict;
use crate::evaluate::group::Exactness;
use crate::evaluate::{Check, CheckKind, CheckMetric, Status};
use crate::format;
use crate::model::Unit;
use crate::model::{HistoryPercentiles, ScenarioData, Stats};

/// A chart as the templates see it.
#[derive(Debug, Clone, Serialize)]
pub struct ChartView {
    pub title: String,
    /// Relative path from the report, e.g. `charts/scenario1-throughput.svg`.
    pub path: String,
    /// The SVG markup, for inline use in HTML (generated and escaped by us).
    pub svg: Markup,
}

impl ChartView {
    pub(super) fn from_chart(chart: Chart) -> ChartView {
        ChartView {
            title: shown(&chart.title),
            path: format!("charts/{}", chart.file_name),
            svg: Markup::new(chart.svg),
        }
    }
}

/// Markup loadgate made (a chart's SVG), held once: the templates' context
/// and the file under `charts/` share its bytes, and report.html takes it as
/// it is, unescaped. A thousand scenarios' charts are 29 MB, and each copy
/// of them (into the context, through `|safe`) was a visible part of a run.
#[derive(Debug, Clone)]
pub struct Markup(minijinja::Value);

impl Markup {
    pub fn new(markup: String) -> Markup {
        Markup(minijinja::Value::from_safe_string(markup))
    }

    pub fn as_str(&self) -> &str {
        self.0.as_str().unwrap_or_default()
    }
}

impl AsRef<[u8]> for Markup {
    fn as_ref(&self) -> &[u8] {
        self.as_str().as_bytes()
    }
}

/// A string to every serializer; into the templates' values, the one
/// safe string itself (no copy).
impl Serialize for Markup {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct CheckView {
    pub rule: String,
    pub endpoint: Option<String>,
    pub target: String,
    pub actual: String,
    pub achievement: String,
    pub message: String,
    pub passed: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct StatsView {
    pub requests: String,
    pub failures: String,
    pub median: String,
    pub p95: String,
    pub p99: String,
    pub avg: String,
    pub max: String,
    pub rps: String,
    pub success_rate: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct EndpointView {
    pub method: String,
    pub name: String,
    pub stats: StatsView,
    /// A group whose percentiles are estimated: its median, p95 and p99 show `≈`.
    pub approximate: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct FailureView {
    pub method: String,
    pub name: String,
    pub error: String,
    pub occurrences: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ExceptionView {
    pub count: String,
    pub message: String,
    pub traceback: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ScenarioView {
    pub name: String,
    pub anchor: String,
    /// `passed`, `failed`, `incomplete`, `missing`, `error`.
    pub status: Status,
    /// `PASS`, `FAIL`, …
    pub status_label: &'static str,
    /// The load tool that wrote it (`JMeter`, `Artillery 2.0.21`); empty
    /// when nothing was read.
    pub tool: String,
    pub has_data: bool,
    pub peak_users: String,
    pub duration: String,
    /// Mean requests/s over the steady part (`rps.steady`), beside the whole-run figure.
    pub steady_rps: String,
    /// E.g. `from 20 s (auto: when the user count first reached its peak)`.
    pub steady_from: String,
    pub started_at: String,
    pub totals: Option<StatsView>,
    pub checks: Vec<CheckView>,
    pub failures: Vec<FailureView>,
    pub exceptions: Vec<ExceptionView>,
    /// The endpoints listed: all, or at most `[report] max_endpoints` (see
    /// `report::endpoints`), in the data's order.
    pub endpoints: Vec<EndpointView>,
    /// When some are left out, the line that says how many and where they are.
    pub endpoints_more: Option<String>,
    /// How many endpoints the scenario has.
    pub endpoints_total: usize,
    pub charts: Vec<ChartView>,
    /// Baseline vs current percentiles (only with `--baseline`).
    pub baseline_chart: Option<ChartView>,
    pub errors: Vec<String>,
}

/// One compared metric, formatted.
#[derive(Debug, Clone, Serialize)]
pub struct ComparisonRow {
    pub scenario: String,
    pub anchor: String,
    pub endpoint: String,
    pub metric: String,
    pub baseline: String,
    pub current: String,
    pub change_pct: String,
    pub tolerance: String,
    /// `regressed`, `improved`, `unchanged`.
    pub verdict: Verdict,
    pub significance: String,
}

/// The "Compared with baseline" section.
#[derive(Debug, Clone, Serialize)]
pub struct BaselineView {
    pub source: String,
    /// For a run history: how the baseline was taken ("the median of the
    /// last 5 comparable runs on main; …"); empty for one run.
    pub history: String,
    pub title: String,
    pub date: String,
    pub compared: usize,
    pub regressions: usize,
    /// Totals, and endpoint metrics that moved beyond their tolerance.
    pub rows: Vec<ComparisonRow>,
    /// Endpoint metrics within tolerance, left out of `rows`.
    pub hidden_unchanged: usize,
    pub new_scenarios: Vec<String>,
    pub vanished_scenarios: Vec<String>,
}

/// Something still to do: a scenario that is missing, incomplete or unreadable.
#[derive(Debug, Clone, Serialize)]
pub struct LeftItem {
    pub scenario: String,
    pub anchor: String,
    pub status_label: &'static str,
    pub reason: String,
}

/// The whole report context.
#[derive(Debug, Clone, Serialize)]
pub struct ReportView {
    pub title: String,
    /// When the load ran, from the data's timestamps.
    pub run_date: String,
    pub generated_at: String,
    pub tool: String,
    pub config: String,
    /// `passed`, `failed`, `error`.
    pub status: String,
    pub status_line: String,
    pub scenarios: Vec<ScenarioView>,
    pub whats_left: Vec<LeftItem>,
    pub data_notes: Vec<String>,
    pub findings: Vec<String>,
    pub overview_chart: Option<ChartView>,
    pub baseline: Option<BaselineView>,
    /// Every failed check, then every regression, each with actual, target
    /// and how far off: what a report leads with.
    pub failed: Vec<FailedItem>,
    /// One row per scenario, one column per metric: the quick results. Each
    /// scenario's section lists its checks one by one.
    pub matrix: Matrix,
    /// The run history beside this run (with `--history` or a history
    /// `--baseline`).
    pub trend: Option<super::trend::TrendSectionView>,
}

impl ReportView {
    /// All charts, for writing to `charts/` (moved out: 3,000 of them are
    /// 27 MB, not to be copied).
    pub fn charts(&self) -> impl Iterator<Item = &ChartView> {
        self.overview_chart
            .iter()
            .chain(
                self.scenarios
                    .iter()
                    .flat_map(|s| s.charts.iter().chain(&s.baseline_chart)),
            )
            .chain(
                self.trend
                    .iter()
                    .flat_map(|t| t.scenarios.iter().filter_map(|s| s.chart.as_ref())),
            )
    }
}

const DASH: &str = "–";

fn stats_view(s: &Stats) -> StatsView {
    StatsView {
        requests: format::count(s.requests),
        failures: format::count(s.failures),
        median: format::opt_ms(s.median_ms),
        p95: format::opt_ms(s.percentiles_ms.get(95.0).flatten()),
        p99: format::opt_ms(s.percentiles_ms.get(99.0).flatten()),
        avg: format::opt_ms(s.avg_ms),
        max: format::opt_ms(s.max_ms),
        rps: format::per_s(s.rps),
        success_rate: s
            .success_rate
            .map_or_else(|| DASH.to_string(), format::percent),
    }
}

/// `target` and `actual` of a check, formatted in its unit.
pub(super) fn check_values(c: &Check) -> (String, String) {
    let unit = c.unit.unwrap_or(Unit::Count);
    let fmt = |v: f64| format::in_unit(unit, v);
    // Shown so that a miss never looks equal to its target.
    let (actual_text, target_text) = match (c.actual, c.target) {
        (Some(a), Some(t)) => {
            let (a, t) = format::pair(unit, a, t);
            (Some(a), Some(t))
        }
        (a, t) => (a.map(fmt), t.map(fmt)),
    };
    let target = match (c.op, target_text) {
        (Some(op), Some(t)) => format!("{} {t}", op.symbol()),
        _ => match c.kind {
            CheckKind::Required => "executed".to_string(),
            CheckKind::EndpointMatch => "endpoint present".to_string(),
            _ => DASH.to_string(),
        },
    };
    let actual = match actual_text {
        Some(a) => a,
        None => match c.kind {
            CheckKind::Required => "not executed".to_string(),
            CheckKind::EndpointMatch => "not found".to_string(),
            _ => "no value".to_string(),
        },
    };
    (target, actual)
}

fn check_view(c: &Check) -> CheckView {
    let (target, actual) = check_values(c);
    CheckView {
        rule: c.threshold.clone(),
        endpoint: c.endpoint.as_deref().map(shown),
        target,
        actual,
        achievement: c.achievement.clone().unwrap_or_else(|| DASH.to_string()),
        message: c.message.clone(),
        passed: c.passed,
    }
}

pub(super) fn metric_label(c: &Check) -> String {
    match c.kind {
        CheckKind::Threshold => c.metric.to_string(),
        CheckKind::Required => "executed".into(),
        CheckKind::MinDuration => "duration".into(),
        CheckKind::MinRequests => "requests (minimum)".into(),
        CheckKind::EndpointMatch => "endpoint".into(),
        CheckKind::Window => format!("{} (window)", c.metric),
        CheckKind::DataSanity => "data".into(),
    }
}

/// The first and last history timestamps over all scenarios, as a readable range.
fn run_date(summary: &Summary<'_>) -> String {
    let starts = summary
        .scenarios
        .iter()
        .filter_map(|s| s.started_at.as_deref());
    let ends = summary
        .scenarios
        .iter()
        .filter_map(|s| s.ended_at.as_deref());
    let (Some(first), Some(last)) = (starts.min(), ends.max()) else {
        return "unknown (no history files)".to_string();
    };
    // RFC 3339 `YYYY-MM-DDTHH:MM:SSZ`: compare the dates, show minutes.
    let (d1, t1) = (&first[..10], &first[11..16]);
    let (d2, t2) = (&last[..10], &last[11..16]);
    if d1 == d2 {
        format!("{d1}, {t1}–{t2} UTC")
    } else {
        format!("{d1} {t1} – {d2} {t2} UTC")
    }
}

/// Build the report view. `with_charts` is false when no chart is wanted
/// (e.g. Markdown to stdout), which also skips drawing them.
pub fn build(summary: &Summary<'_>, with_charts: bool) -> anyhow::Result<ReportView> {
    let mut scenarios = Vec::new();
    let mut whats_left = Vec::new();
    let mut data_notes: Vec<String> = summary.warnings.clone();
    data_notes.extend(summary.errors.iter().map(|e| format!("error: {e}")));

    let slugs = charts::unique_slugs(summary.scenarios.iter().map(|s| s.name));
    let anchors: Vec<String> = slugs
        .iter()
        .map(|slug| format!("scenario-{slug}"))
        .collect();
    // Drawn on every core (three charts for each of a thousand scenarios is
    // most of the rendering), then taken in the scenarios' order.
    let drawn = match with_charts {
        true => {
            let pairs: Vec<_> = summary.scenarios.iter().zip(&slugs).collect();
            crate::ingest::parallel_map(&pairs, |(s, slug)| scenario_charts(s, s.data, slug))
        }
        false => Vec::new(),
    };
    let mut drawn = drawn.into_iter();
    for (s, slug) in summary.scenarios.iter().zip(&slugs) {
        let anchor = format!("scenario-{slug}");
        if let Some(reason) = left_reason(s) {
            whats_left.push(LeftItem {
                scenario: shown(s.name),
                anchor: anchor.clone(),
                status_label: s.status.label(),
                reason,
            });
        }
        data_notes.extend(scenario_notes(s));
        let (charts, baseline_chart) = match drawn.next() {
            Some(charts) => charts?,
            None => (Vec::new(), None),
        };
        scenarios.push(scenario_view(
            s,
            anchor,
            charts,
            baseline_chart,
            summary.max_endpoints,
        ));
    }

    let overview_chart = if with_charts {
        charts::overview_chart(&overview_rows(summary))?.map(ChartView::from_chart)
    } else {
        None
    };

    Ok(ReportView {
        title: shown(&summary.title),
        run_date: run_date(summary),
        generated_at: summary.generated_at.clone(),
        tool: format!("{} {}", summary.tool.name, summary.tool.version),
        config: shown(&summary.config),
        status: summary.status.as_str().to_string(),
        status_line: summary.status_line(),
        scenarios,
        whats_left,
        data_notes: data_notes.iter().map(|n| shown(n)).collect(),
        findings: super::findings::findings(summary)
            .iter()
            .map(|f| shown(f))
            .collect(),
        overview_chart,
        baseline: baseline_view(summary),
        failed: decision::failed_items(&summary.scenarios, &anchors),
        matrix: decision::matrix(&summary.scenarios, &anchors),
        trend: match summary.trend {
            Some(t) => Some(super::trend::section(t, with_charts)?),
            None => None,
        },
    })
}

/// A scenario's data notes: its warnings and errors, what its charts show,
/// and what the baseline comparison could not do.
fn scenario_notes(s: &ScenarioSummary<'_>) -> Vec<String> {
    let mut notes: Vec<String> = s.warnings.to_vec();
    notes.extend(s.errors.iter().map(|e| format!("error: {e}")));
    if s.history_percentiles == Some(HistoryPercentiles::Cumulative) {
        notes.push(format!(
            "{}: the response-time chart shows percentiles cumulative since the start of the run (Locust ran without --csv-full-history), so a late slowdown shows up damped",
            s.name
        ));
    }
    for g in s
        .groups
        .iter()
        .filter(|g| g.percentiles == Exactness::Approximate)
    {
        notes.push(format!(
            "{}: the percentiles of `{}` (a group of {} endpoints, {}) are estimated (≈) and lean high: with no histogram of every request's time, each endpoint's requests are spread over its own percentile steps at the upper step's value; its counts, rates, min, max and mean are exact",
            s.name,
            crate::model::endpoint_label(&g.method, &g.name),
            format::count(g.endpoints as u64),
            g.config_key,
        ));
    }
    if let Some(why) = s.no_rank_test {
        notes.push(format!(
            "{}: no rank test against the baseline: {why}",
            s.name
        ));
    }
    for (label, list) in [("new", s.new_endpoints), ("vanished", s.vanished_endpoints)] {
        if let Some(list) = list.filter(|l| !l.is_empty()) {
            notes.push(format!(
                "{}: {label} endpoints against the baseline (not compared): {}",
                s.name,
                list.join(", ")
            ));
        }
    }
    notes
}

/// A scenario's time charts (from its history) and its baseline chart.
fn scenario_charts(
    s: &ScenarioSummary<'_>,
    data: Option<&ScenarioData>,
    slug: &str,
) -> anyhow::Result<(Vec<ChartView>, Option<ChartView>)> {
    let charts = match data.and_then(|d| d.history.as_ref()) {
        Some(history) => {
            charts::scenario_charts_as(s.name, slug, history, &chart_marks(s, history))?
                .into_iter()
                .map(ChartView::from_chart)
                .collect()
        }
        None => Vec::new(),
    };
    let baseline_chart = match s.comparisons {
        Some(comparisons) => {
            let bars: Vec<charts::BaselineBar> = comparisons
                .iter()
                .filter(|c| c.endpoint.is_none() && c.unit == Unit::Ms)
                .map(|c| charts::BaselineBar {
                    metric: c.metric.to_string(),
                    baseline_ms: Some(c.baseline),
                    current_ms: Some(c.current),
                })
                .collect();
            charts::baseline_chart_as(s.name, slug, &bars)?.map(ChartView::from_chart)
        }
        None => None,
    };
    Ok((charts, baseline_chart))
}

/// A scenario's section of the report.
fn scenario_view(
    s: &ScenarioSummary<'_>,
    anchor: String,
    charts: Vec<ChartView>,
    baseline_chart: Option<ChartView>,
    max_endpoints: usize,
) -> ScenarioView {
    let (listed, endpoints_more) = super::endpoints::shown(s.endpoints, max_endpoints);
    ScenarioView {
        name: shown(s.name),
        anchor,
        status: s.status,
        status_label: s.status.label(),
        tool: s
            .tool
            .map_or_else(String::new, |t| shown(&crate::ingest::tool_label(t))),
        has_data: s.totals.is_some(),
        peak_users: s.peak_users.map_or_else(|| DASH.to_string(), format::count),
        duration: s
            .duration_s
            .map_or_else(|| DASH.to_string(), |d| format::duration(d as f64)),
        steady_rps: s
            .steady
            .and_then(|st| st.rps)
            .map_or_else(|| DASH.to_string(), format::per_s),
        steady_from: s.steady.map_or_else(String::new, |st| {
            format!(
                "from {} into the run (steady_state = {})",
                format::duration(st.start_offset_s as f64),
                st.rule
            )
        }),
        started_at: s.started_at.clone().unwrap_or_else(|| DASH.to_string()),
        totals: s.totals.map(stats_view),
        checks: s.checks.iter().map(check_view).collect(),
        failures: top_failures(s),
        exceptions: s
            .exceptions
            .iter()
            .map(|e| ExceptionView {
                count: format::count(e.count),
                message: shown(&e.message),
                traceback: format::display_lines(&e.traceback),
            })
            .collect(),
        endpoints: listed
            .into_iter()
            .map(|i| endpoint_view(s, &s.endpoints[i]))
            .collect(),
        endpoints_more,
        endpoints_total: s.endpoints.len(),
        charts,
        baseline_chart,
        errors: s.errors.iter().map(|e| shown(e)).collect(),
    }
}

/// An endpoint row; a group's estimated percentiles marked `≈`.
fn endpoint_view(s: &ScenarioSummary<'_>, e: &crate::model::Endpoint) -> EndpointView {
    let approximate = s.groups.iter().any(|g| {
        g.percentiles == Exactness::Approximate && g.method == e.method && g.name == e.name
    });
    let mut stats = stats_view(&e.stats);
    if approximate {
        for value in [&mut stats.median, &mut stats.p95, &mut stats.p99] {
            if *value != DASH {
                *value = format!("≈ {value}");
            }
        }
    }
    EndpointView {
        method: shown(&e.method),
        name: shown(&e.name),
        stats,
        approximate,
    }
}

/// The ten most frequent failures; ties keep Locust's order (stable sort).
fn top_failures(s: &ScenarioSummary<'_>) -> Vec<FailureView> {
    let mut order: Vec<usize> = (0..s.failures.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(s.failures[i].occurrences));
    order
        .into_iter()
        .take(10)
        .map(|i| {
            let f = &s.failures[i];
            FailureView {
                method: shown(&f.method),
                name: shown(&f.name),
                error: shown(&f.error),
                occurrences: format::count(f.occurrences),
            }
        })
        .collect()
}

fn baseline_view(summary: &Summary<'_>) -> Option<BaselineView> {
    let info = summary.baseline.as_ref()?;
    let mut rows = Vec::new();
    let mut compared = 0;
    let mut hidden_unchanged = 0;
    let slugs = charts::unique_slugs(summary.scenarios.iter().map(|s| s.name));
    for (s, slug) in summary.scenarios.iter().zip(&slugs) {
        let anchor = format!("scenario-{slug}");
        for c in s.comparisons.unwrap_or_default() {
            compared += 1;
            if c.endpoint.is_some() && c.verdict == Verdict::Unchanged {
                hidden_unchanged += 1;
                continue;
            }
            rows.push(ComparisonRow {
                scenario: shown(s.name),
                anchor: anchor.clone(),
                endpoint: c
                    .endpoint
                    .as_deref()
                    .map_or_else(|| "total".to_string(), shown),
                metric: c.metric.to_string(),
                baseline: format::in_unit(c.unit, c.baseline),
                current: format::in_unit(c.unit, c.current),
                change_pct: c
                    .change_pct
                    .map_or_else(|| DASH.to_string(), |p| format!("{p:+.1}%")),
                tolerance: c.tolerance.clone(),
                verdict: c.verdict,
                significance: c
                    .significance
                    .as_ref()
                    .map_or_else(|| DASH.to_string(), format::significance),
            });
        }
    }
    Some(BaselineView {
        source: shown(&info.source),
        history: info
            .history
            .as_ref()
            .map(|h| shown(&h.describe()))
            .unwrap_or_default(),
        title: info.title.as_deref().map(shown).unwrap_or_default(),
        date: info.date.clone().unwrap_or_else(|| "unknown".to_string()),
        compared,
        regressions: summary.counts.regressions,
        rows,
        hidden_unchanged,
        new_scenarios: info.new_scenarios.iter().map(|n| shown(n)).collect(),
        vanished_scenarios: info.vanished_scenarios.iter().map(|n| shown(n)).collect(),
    })
}

/// What to mark on a scenario's time charts: the excluded ramp-up, and every
/// failed window of the scenario total on the chart of its metric.
fn chart_marks(s: &ScenarioSummary<'_>, history: &crate::model::History) -> charts::ChartMarks {
    let first = history.points.first().map_or(0, |p| p.timestamp);
    let stretches = s
        .checks
        .iter()
        .filter(|c| c.kind == CheckKind::Window && !c.passed && c.endpoint.is_none())
        .filter_map(|c| {
            let stretch = c.window.as_ref()?.stretch.as_ref()?;
            let chart = match &c.metric {
                CheckMetric::Of(Metric::Rps | Metric::Users) => charts::MarkedChart::Throughput,
                CheckMetric::Of(Metric::FailuresPerS) => charts::MarkedChart::Failures,
                _ => charts::MarkedChart::ResponseTimes,
            };
            Some(charts::MarkedStretch {
                chart,
                start: first + stretch.start_offset_s,
                end: first + stretch.end_offset_s,
                label: format!(
                    "{}: {}",
                    c.threshold,
                    format::duration(stretch.duration_s as f64)
                ),
            })
        })
        .collect();
    charts::ChartMarks {
        steady_start: s.steady.map(|st| st.start_ts).filter(|t| *t > first),
        stretches,
    }
}

/// Why a scenario is on the "what's left" list, beside its name, e.g.
/// `ran 13 s of the required 4 min`.
fn left_reason(s: &ScenarioSummary<'_>) -> Option<String> {
    match s.status {
        Status::Passed | Status::Failed => None,
        Status::Missing | Status::Incomplete => {
            let reasons: Vec<String> = s
                .checks
                .iter()
                .filter(|c| {
                    !c.passed
                        && matches!(
                            c.kind,
                            CheckKind::Required | CheckKind::MinDuration | CheckKind::MinRequests
                        )
                })
                .map(|c| c.message.clone())
                .collect();
            Some(reasons.join("; "))
        }
        Status::Error => Some(format!(
            "could not be judged: {}",
            s.errors.first().map_or("unreadable input", String::as_str)
        )),
    }
}

/// The target of the first scenario-level threshold on `metric` with `<`/`<=`.
fn target_of(checks: &[Check], metric: impl Fn(&Metric) -> bool) -> Option<f64> {
    checks
        .iter()
        .find(|c| {
            c.kind == CheckKind::Threshold
                && c.endpoint.is_none()
                && matches!(&c.metric, CheckMetric::Of(m) if metric(m))
                && matches!(c.op, Some(Op::Lt | Op::Le))
        })
        .and_then(|c| c.target)
}

fn overview_rows(summary: &Summary<'_>) -> Vec<OverviewRow> {
    summary
        .scenarios
        .iter()
        .filter_map(|s| {
            let t = s.totals?;
            Some(OverviewRow {
                scenario: shown(s.name),
                median_ms: t.median_ms,
                p99_ms: t.percentiles_ms.get(99.0).flatten(),
                median_target_ms: target_of(s.checks, |m| *m == Metric::Median),
                p99_target_ms: target_of(
                    s.checks,
                    |m| matches!(m, Metric::Percentile { level, .. } if *level == 99.0),
                ),
            })
        })
        .collect()
}

/// The achievement a check shows beside its message: none for a window
/// check, whose message already says how long it was broken. The one rule
/// for every output (terminal, reports, JUnit, annotations, job summary).
pub fn shown_achievement(c: &Check) -> Option<&str> {
    c.achievement
        .as_deref()
        .filter(|_| c.kind != CheckKind::Window)
}

/// A check in one line for people: `p99 36 ms, target < 20 ms (80% over target)`.
pub fn check_line(c: &Check) -> String {
    match shown_achievement(c) {
        Some(a) => format!("{} ({a})", c.message),
        None => c.message.clone(),
    }
}

/// Text from the input as every report shows it: control and invisible
/// characters escaped ([`format::display`]). Markup escaping is the
/// renderer's (the `md` filter, the HTML template's autoescape).
fn shown(text: &str) -> String {
    format::display(text).into_owned()
}
