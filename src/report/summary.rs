//! The summary: one serialisable view of a judged run. summary.json is this
//! struct serialised (schema `loadgate/summary/v1`, documented in README);
//! the terminal output and later reports read the same struct, so every
//! output shows the same verdicts.

use serde::Serialize;

use crate::evaluate::compare::Comparison;
use crate::evaluate::group::GroupResult;
use crate::evaluate::history::Steady;
use crate::evaluate::{BaselineInfo, Check, ScenarioResult, Status};
use crate::model::{
    DurationSource, Endpoint, ExceptionRow, FailureRow, HistoryPercentiles, ResultFiles,
    ScenarioData, Stats, ToolInfo,
};

/// The schema identifier written in every summary.json.
pub use crate::model::SUMMARY_SCHEMA as SCHEMA;

/// The verdict of the whole run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RunStatus {
    Passed,
    Failed,
    /// loadgate could not judge everything (exit code 2).
    Error,
}

impl RunStatus {
    /// As summary.json and the step outputs write it: `passed`, `failed`, `error`.
    pub fn as_str(self) -> &'static str {
        match self {
            RunStatus::Passed => "passed",
            RunStatus::Failed => "failed",
            RunStatus::Error => "error",
        }
    }
}

#[derive(Debug, Serialize)]
pub struct Tool {
    pub name: &'static str,
    pub version: &'static str,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// Scenarios reported: those found plus required ones that are missing.
    pub scenarios_expected: usize,
    /// Scenarios with readable results (passed, failed or incomplete).
    pub scenarios_executed: usize,
    /// Scenarios that ran to completion (passed or failed).
    pub scenarios_complete: usize,
    pub checks: usize,
    pub checks_failed: usize,
    /// Compared metrics that regressed against the baseline (0 without one).
    pub regressions: usize,
}

#[derive(Debug, Serialize)]
pub struct ScenarioSummary<'a> {
    pub name: &'a str,
    /// Everything read (the history for charts): one value per scenario for
    /// every renderer, not a slice beside the summary.
    #[serde(skip)]
    pub data: Option<&'a ScenarioData>,
    /// The load tool that wrote the result set (`{"name": "locust", "version": null}`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tool: Option<&'a ToolInfo>,
    /// The `[scenarios.KEY]` table that configured it, if any.
    pub config_key: Option<&'a str>,
    pub status: Status,
    pub files: &'a ResultFiles,
    /// RFC 3339, from the history's first timestamp.
    pub started_at: Option<String>,
    /// RFC 3339, from the history's last timestamp.
    pub ended_at: Option<String>,
    /// The run length judged (`min_duration`), in whole seconds.
    pub duration_s: Option<i64>,
    /// Where `duration_s` comes from: `stats` (requests ÷ Requests/s) or `history`.
    pub duration_source: Option<DurationSource>,
    pub peak_users: Option<u64>,
    /// Whether the history's percentiles are `cumulative` or `windowed`.
    pub history_percentiles: Option<HistoryPercentiles>,
    /// The steady part of the run: its rule, start, and mean requests/s
    /// (`rps.steady`, beside the whole-run `totals.rps`).
    pub steady: Option<&'a Steady>,
    pub totals: Option<&'a Stats>,
    /// Every endpoint; more than 1,000 are written one a line (see `report::json`).
    pub endpoints: &'a [Endpoint],
    /// The endpoints merged by `[[scenarios.X.group]]` (only when it has groups).
    #[serde(skip_serializing_if = "<[GroupResult]>::is_empty")]
    pub groups: &'a [GroupResult],
    pub checks: &'a [Check],
    /// Metrics compared with the baseline (only with `--baseline`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comparisons: Option<&'a [Comparison]>,
    /// Endpoints only in this run / only in the baseline (only with `--baseline`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new_endpoints: Option<&'a [String]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vanished_endpoints: Option<&'a [String]>,
    /// With `--baseline`: why there is no rank test on the total, if there is none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub no_rank_test: Option<&'a str>,
    pub failures: &'a [FailureRow],
    pub exceptions: &'a [ExceptionRow],
    pub warnings: &'a [String],
    pub errors: &'a [String],
}

#[derive(Debug, Serialize)]
pub struct Summary<'a> {
    pub schema: &'static str,
    pub tool: Tool,
    pub title: String,
    pub status: RunStatus,
    /// RFC 3339; `SOURCE_DATE_EPOCH` when set.
    pub generated_at: String,
    /// The config file, or `built-in defaults`.
    pub config: String,
    pub counts: Counts,
    /// The run compared with (only with `--baseline`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline: Option<BaselineInfo>,
    pub scenarios: Vec<ScenarioSummary<'a>>,
    /// Run-wide warnings (e.g. built-in default targets in use).
    pub warnings: Vec<String>,
    /// Run-wide errors (e.g. a PATH that does not exist).
    pub errors: Vec<String>,
    /// The run history shown beside this run, for the reports; not part of
    /// summary.json (a record would otherwise hold its history).
    #[serde(skip)]
    pub trend: Option<&'a crate::evaluate::trend::Trend>,
    /// At most this many endpoints per scenario in the reports (`[report]
    /// max_endpoints`); summary.json has them all.
    #[serde(skip)]
    pub max_endpoints: usize,
}

pub use crate::format::rfc3339;

impl<'a> Summary<'a> {
    pub fn new(
        title: String,
        config: String,
        generated_at: String,
        results: &'a [ScenarioResult],
        baseline: Option<BaselineInfo>,
        warnings: Vec<String>,
        errors: Vec<String>,
    ) -> Summary<'a> {
        let scenarios: Vec<ScenarioSummary<'a>> = results.iter().map(scenario).collect();
        let checks = results.iter().map(|r| r.checks.len()).sum();
        let checks_failed = results.iter().map(|r| r.failed_checks().count()).sum();
        let counts = Counts {
            scenarios_expected: results.len(),
            scenarios_executed: results
                .iter()
                .filter(|r| {
                    matches!(
                        r.status,
                        Status::Passed | Status::Failed | Status::Incomplete
                    )
                })
                .count(),
            scenarios_complete: results
                .iter()
                .filter(|r| matches!(r.status, Status::Passed | Status::Failed))
                .count(),
            checks,
            checks_failed,
            regressions: results.iter().map(ScenarioResult::regressions).sum(),
        };
        let status = if !errors.is_empty() || results.iter().any(|r| r.status == Status::Error) {
            RunStatus::Error
        } else if checks_failed > 0 || counts.regressions > 0 {
            RunStatus::Failed
        } else {
            RunStatus::Passed
        };
        Summary {
            schema: SCHEMA,
            tool: Tool {
                name: env!("CARGO_PKG_NAME"),
                version: env!("CARGO_PKG_VERSION"),
            },
            title,
            status,
            generated_at,
            config,
            counts,
            baseline,
            scenarios,
            warnings,
            errors,
            trend: None,
            max_endpoints: crate::config::DEFAULT_MAX_ENDPOINTS,
        }
    }

    /// One line a release manager can quote, e.g.
    /// `FAILED — 3 of 4 scenarios complete; 2 of 14 checks failed`.
    pub fn status_line(&self) -> String {
        let c = &self.counts;
        let scenarios = format!(
            "{} of {} scenarios complete",
            c.scenarios_complete, c.scenarios_expected
        );
        let mut checks = if c.checks_failed == 0 {
            format!("all {} checks passed", c.checks)
        } else {
            format!("{} of {} checks failed", c.checks_failed, c.checks)
        };
        if self.baseline.is_some() {
            match c.regressions {
                0 => checks.push_str("; no regression against the baseline"),
                1 => checks.push_str("; 1 regression against the baseline"),
                n => checks.push_str(&format!("; {n} regressions against the baseline")),
            }
        }
        match self.status {
            RunStatus::Passed => format!("PASSED — {scenarios}; {checks}"),
            RunStatus::Failed => format!("FAILED — {scenarios}; {checks}"),
            RunStatus::Error => {
                let unreadable = self
                    .scenarios
                    .iter()
                    .filter(|s| s.status == Status::Error)
                    .count();
                let what = match unreadable {
                    0 => "the input could not be fully read".to_string(),
                    1 => "1 scenario could not be judged".to_string(),
                    n => format!("{n} scenarios could not be judged"),
                };
                format!("ERROR — {what}; {scenarios}; {checks}")
            }
        }
    }
}

fn scenario(r: &ScenarioResult) -> ScenarioSummary<'_> {
    let history = r.data.as_ref().and_then(|d| d.history.as_ref());
    // A series without wall-clock time has no dates to give.
    let span = history.filter(|h| h.wall_clock).and_then(|h| h.span());
    ScenarioSummary {
        name: &r.name,
        data: r.data.as_ref(),
        tool: r.data.as_ref().map(|d| &d.tool),
        config_key: r.config_key.as_deref(),
        status: r.status,
        files: &r.files,
        started_at: span.and_then(|(a, _)| rfc3339(a)),
        ended_at: span.and_then(|(_, b)| rfc3339(b)),
        duration_s: r.data.as_ref().and_then(ScenarioData::duration_s),
        duration_source: r.data.as_ref().and_then(|d| d.run_length()).map(|(_, s)| s),
        peak_users: history.and_then(|h| h.peak_users()),
        history_percentiles: history.map(|h| h.percentiles),
        steady: r.steady.as_ref(),
        totals: r.data.as_ref().map(|d| &d.totals),
        endpoints: r.data.as_ref().map_or(&[], |d| &d.endpoints),
        groups: &r.groups,
        checks: &r.checks,
        comparisons: r.comparison.as_ref().map(|c| c.comparisons.as_slice()),
        new_endpoints: r.comparison.as_ref().map(|c| c.new_endpoints.as_slice()),
        vanished_endpoints: r
            .comparison
            .as_ref()
            .map(|c| c.vanished_endpoints.as_slice()),
        no_rank_test: r
            .comparison
            .as_ref()
            .and_then(|c| c.no_rank_test.as_deref()),
        failures: r.data.as_ref().map_or(&[], |d| &d.failures),
        exceptions: r.data.as_ref().map_or(&[], |d| &d.exceptions),
        warnings: &r.warnings,
        errors: &r.errors,
    }
}
