//! Evaluation: apply the config's thresholds and completeness rules to
//! every scenario and compute each verdict once.
//!
//! Every check yields the same record (see [`Check`]) whatever produced it:
//! a threshold, a required scenario that is missing, or a run shorter than
//! its `min_duration`. Reports only read these records. With a baseline,
//! each scenario is also compared with its earlier run (`compare`); a
//! regression fails the scenario like a missed threshold. A run history
//! gives a baseline of its own (`trend`: the median of its last comparable
//! runs, with their noise) and the trend the reports show.

pub mod achievement;
pub mod compare;
pub mod dead_target;
pub mod group;
pub mod history;
pub mod stats;
pub mod trend;
pub mod window;

use crate::format::ShowPath;
use serde::Serialize;

use crate::config::{Config, ConfiguredThreshold, Metric, Op, ScenarioConfig};
use crate::format;
use crate::model::{Endpoint, ResultFiles, RunSnapshot, ScenarioData, Stats, Unit, ser_opt_num};
use achievement::achievement;
use compare::{Current, ScenarioComparison, Verdict};
use dead_target::dead_target_guard;
pub use dead_target::{MOSTLY_FAILED_BELOW_PCT, mostly_failed};

/// What produced a check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckKind {
    /// A threshold from `[defaults]`, `[scenarios.X]` or an endpoint table.
    Threshold,
    /// `required = true` and no result set matched.
    Required,
    /// `min_duration`.
    MinDuration,
    /// `min_requests`.
    MinRequests,
    /// An endpoint table whose name/method matched no endpoint.
    EndpointMatch,
    /// A sustained-window threshold (`… for 30s`).
    Window,
    /// A data-sanity finding, a failed check with `strict_data = true`.
    DataSanity,
}

/// What a check measured (summary.json `metric`, written as text: `p99`,
/// `success_rate`, `duration`, `scenario`, `endpoint`, `data`).
#[derive(Debug, Clone, PartialEq)]
pub enum CheckMetric {
    /// A metric of the threshold language.
    Of(Metric),
    /// The run length (`min_duration`).
    Duration,
    /// A required scenario was executed.
    Scenario,
    /// An endpoint table matched an endpoint.
    Endpoint,
    /// A data-sanity finding (`strict_data`).
    Data,
}

impl CheckMetric {
    /// Whether this is `success_rate` or `error_rate`.
    pub fn is_rate(&self) -> bool {
        matches!(
            self,
            CheckMetric::Of(Metric::SuccessRate | Metric::ErrorRate)
        )
    }

    pub fn is(&self, metric: &Metric) -> bool {
        matches!(self, CheckMetric::Of(m) if m == metric)
    }
}

impl std::fmt::Display for CheckMetric {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CheckMetric::Of(m) => write!(f, "{m}"),
            CheckMetric::Duration => f.write_str("duration"),
            CheckMetric::Scenario => f.write_str("scenario"),
            CheckMetric::Endpoint => f.write_str("endpoint"),
            CheckMetric::Data => f.write_str("data"),
        }
    }
}

/// Serialize a value as its `Display` text.
pub(crate) fn ser_display<T: std::fmt::Display, S: serde::Serializer>(
    v: &T,
    s: S,
) -> Result<S::Ok, S::Error> {
    s.collect_str(v)
}

impl CheckKind {
    /// The kind as summary.json writes it (`min_duration`), for every output.
    pub fn as_str(self) -> &'static str {
        match self {
            CheckKind::Threshold => "threshold",
            CheckKind::Required => "required",
            CheckKind::MinDuration => "min_duration",
            CheckKind::MinRequests => "min_requests",
            CheckKind::EndpointMatch => "endpoint_match",
            CheckKind::Window => "window",
            CheckKind::DataSanity => "data_sanity",
        }
    }
}

impl BaselineInfo {
    /// The baseline and which scenarios are new or gone against it: the one
    /// matching of `check --baseline` and `compare`.
    pub fn new(base: &RunSnapshot, current: &[&str]) -> BaselineInfo {
        BaselineInfo {
            source: base.source.show().to_string(),
            title: base.title.clone(),
            date: base.date.clone(),
            new_scenarios: current
                .iter()
                .filter(|n| !base.scenarios.iter().any(|b| b.name == **n))
                .map(|n| n.to_string())
                .collect(),
            vanished_scenarios: base
                .scenarios
                .iter()
                .filter(|b| !current.contains(&b.name.as_str()))
                .map(|b| b.name.clone())
                .collect(),
            history: None,
        }
    }
}

/// Compare two runs read as snapshots (`compare BASE CURRENT`), scenario by
/// scenario with each one's tolerances, exactly as `check --baseline` does.
pub fn compare_runs(
    config: &Config,
    base: &RunSnapshot,
    current: &RunSnapshot,
) -> (BaselineInfo, Vec<(String, ScenarioComparison)>) {
    let names: Vec<&str> = current.scenarios.iter().map(|s| s.name.as_str()).collect();
    let info = BaselineInfo::new(base, &names);
    let compared = current
        .scenarios
        .iter()
        .filter_map(|scenario| {
            let b = base.scenarios.iter().find(|b| b.name == scenario.name)?;
            let regression =
                config.regression_for(config.scenario_for(&scenario.name).ok().flatten());
            let result = compare::compare(
                &regression,
                b,
                Current {
                    totals: &scenario.totals,
                    endpoints: &scenario.endpoints,
                    histograms: scenario.histograms.as_ref(),
                    no_histograms: scenario.no_histograms.as_deref(),
                },
            );
            Some((scenario.name.clone(), result))
        })
        .collect();
    (info, compared)
}

/// One check and its verdict.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Check {
    pub kind: CheckKind,
    /// The threshold or rule as written, e.g. `p99 < 1s` or `min_duration = "4m"`.
    pub threshold: String,
    #[serde(serialize_with = "ser_display")]
    pub metric: CheckMetric,
    pub op: Option<Op>,
    /// The target in `unit`.
    #[serde(serialize_with = "ser_opt_num")]
    pub target: Option<f64>,
    /// `ms`, `%`, `/s`, `s`, or empty for counts.
    pub unit: Option<Unit>,
    #[serde(serialize_with = "ser_opt_num")]
    pub actual: Option<f64>,
    pub passed: bool,
    /// `40x better`, `115% of target`, `2.1x over target`.
    pub achievement: Option<String>,
    /// Above 1 is better than the target: target/actual where lower is
    /// better, actual/target where higher is better.
    #[serde(serialize_with = "ser_opt_num")]
    pub achievement_ratio: Option<f64>,
    /// `METHOD NAME` for endpoint checks.
    pub endpoint: Option<String>,
    /// One line for people, e.g. `p99 36 ms, target < 20 ms`.
    pub message: String,
    /// The config key path the rule came from.
    pub config_key: String,
    /// For a `for DURATION` threshold: the window and its longest violation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub window: Option<history::WindowResult>,
}

impl Check {
    /// A failed check that measured nothing: a missing scenario, an endpoint
    /// table that matches nothing, a data-sanity finding.
    pub fn failed_rule(
        kind: CheckKind,
        threshold: String,
        metric: CheckMetric,
        endpoint: Option<String>,
        message: String,
        config_key: String,
    ) -> Check {
        Check {
            kind,
            threshold,
            metric,
            op: None,
            target: None,
            unit: None,
            actual: None,
            passed: false,
            achievement: None,
            achievement_ratio: None,
            endpoint,
            message,
            config_key,
            window: None,
        }
    }
}

/// A scenario's verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Passed,
    Failed,
    Incomplete,
    Missing,
    Error,
}

impl Status {
    pub fn label(self) -> &'static str {
        match self {
            Status::Passed => "PASS",
            Status::Failed => "FAIL",
            Status::Incomplete => "INCOMPLETE",
            Status::Missing => "MISSING",
            Status::Error => "ERROR",
        }
    }
}

/// A scenario as read, before judgement.
#[derive(Debug, Clone, Default)]
pub struct ScenarioInput {
    pub name: String,
    /// The `[scenarios.KEY]` it matched, when already resolved (for the
    /// ingest's window probes): the key, or why the match is ambiguous.
    /// `None`: [`evaluate`] resolves it. A scenario's patterns are matched once.
    pub scenario: Option<Result<Option<String>, String>>,
    pub files: ResultFiles,
    pub data: Option<ScenarioData>,
    /// The windowed thresholds, already fed with the history.
    pub probes: Option<window::Probes>,
    pub warnings: Vec<String>,
    pub errors: Vec<String>,
}

/// A judged scenario.
#[derive(Debug, Clone)]
pub struct ScenarioResult {
    pub name: String,
    pub config_key: Option<String>,
    pub status: Status,
    pub files: ResultFiles,
    pub data: Option<ScenarioData>,
    pub checks: Vec<Check>,
    /// The comparison with the baseline, when one was given and has this scenario.
    pub comparison: Option<ScenarioComparison>,
    /// The steady part of the run (from the history).
    pub steady: Option<history::Steady>,
    /// The endpoints merged by `[[scenarios.X.group]]`.
    pub groups: Vec<group::GroupResult>,
    pub warnings: Vec<String>,
    pub errors: Vec<String>,
}

impl ScenarioResult {
    pub fn failed_checks(&self) -> impl Iterator<Item = &Check> {
        self.checks.iter().filter(|c| !c.passed)
    }

    pub fn regressions(&self) -> usize {
        self.comparison.as_ref().map_or(0, |c| {
            c.comparisons
                .iter()
                .filter(|c| c.verdict == Verdict::Regressed)
                .count()
        })
    }
}

/// What the baseline was, and which scenarios only one side has.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BaselineInfo {
    pub source: String,
    pub title: Option<String>,
    pub date: Option<String>,
    /// Scenarios in this run but not in the baseline.
    pub new_scenarios: Vec<String>,
    /// Scenarios in the baseline but not in this run.
    pub vanished_scenarios: Vec<String>,
    /// When the baseline is a run history: how it was taken.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub history: Option<trend::HistoryInfo>,
}

/// Everything evaluation decided.
#[derive(Debug, Clone)]
pub struct Evaluation {
    pub results: Vec<ScenarioResult>,
    pub warnings: Vec<String>,
    pub baseline: Option<BaselineInfo>,
}

/// Judge every scenario against the config. Scenarios come back sorted by
/// name, then the missing ones in config order.
pub fn evaluate(
    config: &Config,
    inputs: Vec<ScenarioInput>,
    baseline: Option<&RunSnapshot>,
) -> Evaluation {
    let mut warnings = Vec::new();
    let mut results = Vec::new();
    let mut matched_keys = std::collections::BTreeSet::new();
    for input in inputs {
        let scenario_config = match &input.scenario {
            Some(resolved) => resolved
                .clone()
                .map(|key| key.and_then(|k| config.scenarios.iter().find(|s| s.key == k))),
            None => config.scenario_for(&input.name),
        };
        if let Ok(Some(sc)) = &scenario_config {
            matched_keys.insert(sc.key.clone());
        }
        let mut result = judge(config, input, scenario_config.clone());
        if let (Some(base), Some(data)) = (baseline, &result.data)
            && let Some(base_scenario) = base.scenarios.iter().find(|b| b.name == result.name)
        {
            let regression = config.regression_for(scenario_config.ok().flatten());
            let why = crate::ingest::no_histograms(data.tool.name);
            let comparison = compare::compare(
                &regression,
                base_scenario,
                Current {
                    totals: &data.totals,
                    endpoints: &data.endpoints,
                    histograms: data.histograms.as_ref(),
                    no_histograms: Some(&why),
                },
            );
            result.comparison = Some(comparison);
            if result.regressions() > 0 && result.status == Status::Passed {
                result.status = Status::Failed;
            }
        }
        results.push(result);
    }
    let baseline_info = baseline.map(|base| {
        let names: Vec<&str> = results
            .iter()
            .filter(|r| r.data.is_some())
            .map(|r| r.name.as_str())
            .collect();
        let info = BaselineInfo::new(base, &names);
        if !names.is_empty() && info.new_scenarios.len() == names.len() {
            warnings.push(format!(
                "the baseline {} has none of this run's scenarios, so nothing was compared",
                info.source
            ));
        }
        info
    });
    let found: Vec<String> = results.iter().map(|r| r.name.clone()).collect();
    for sc in &config.scenarios {
        if matched_keys.contains(&sc.key) {
            continue;
        }
        let hint = format::did_you_mean(&sc.pattern.to_string(), found.iter().map(String::as_str));
        if sc.required {
            results.push(missing(sc, &hint));
        } else {
            warnings.push(format!(
                "[scenarios.{}] matches no result set (match = \"{}\"{hint}); it is optional (required = false), so the gate does not fail",
                sc.key, sc.pattern
            ));
        }
    }
    Evaluation {
        results,
        warnings,
        baseline: baseline_info,
    }
}

fn missing(sc: &ScenarioConfig, hint: &str) -> ScenarioResult {
    ScenarioResult {
        name: sc.key.clone(),
        config_key: Some(sc.key.clone()),
        status: Status::Missing,
        files: ResultFiles::default(),
        data: None,
        comparison: None,
        steady: None,
        groups: Vec::new(),
        checks: vec![Check::failed_rule(
            CheckKind::Required,
            "required = true".into(),
            CheckMetric::Scenario,
            None,
            format!(
                "not executed: no result set matches \"{}\" ([scenarios.{}] is required){hint}",
                sc.pattern, sc.key
            ),
            format!("scenarios.{}.required", sc.key),
        )],
        warnings: Vec::new(),
        errors: Vec::new(),
    }
}

fn judge(
    config: &Config,
    input: ScenarioInput,
    scenario_config: Result<Option<&ScenarioConfig>, String>,
) -> ScenarioResult {
    let ScenarioInput {
        name,
        scenario: _,
        files,
        mut data,
        probes,
        mut warnings,
        mut errors,
    } = input;
    let sc = match scenario_config {
        Ok(sc) => sc,
        Err(e) => {
            errors.push(format!("{}: {e}", config.source_label()));
            None
        }
    };
    let mut groups = Vec::new();
    if let Some(d) = data.as_mut() {
        if let Some(sc) = sc {
            let mut grouped = group::apply(
                &sc.groups,
                &name,
                &mut d.endpoints,
                Some(&mut d.failures),
                d.histograms.as_mut(),
            );
            warnings.append(&mut grouped.warnings);
            errors.append(&mut grouped.errors);
            groups = grouped.groups;
        }
        warnings.extend(group::ungrouped(&name, sc.map(|s| s.key.as_str()), d));
    }
    let mut verdicts = Verdicts::default();
    if let Some(data) = &data {
        verdicts = judge_data(config, sc, &name, data, probes, &groups);
        warnings.append(&mut verdicts.warnings);
        errors.append(&mut verdicts.errors);
    }
    let checks = verdicts.checks;
    let status = if data.is_none() || !errors.is_empty() {
        Status::Error
    } else if verdicts.incomplete {
        Status::Incomplete
    } else if checks.iter().any(|c| !c.passed) {
        Status::Failed
    } else {
        Status::Passed
    };
    ScenarioResult {
        name,
        config_key: sc.map(|s| s.key.clone()),
        status,
        files,
        data,
        checks,
        comparison: None,
        steady: verdicts.steady,
        groups,
        warnings,
        errors,
    }
}

/// What judging one scenario's data found.
#[derive(Default)]
struct Verdicts {
    checks: Vec<Check>,
    /// A `min_duration` or `min_requests` was not met.
    incomplete: bool,
    steady: Option<history::Steady>,
    warnings: Vec<String>,
    errors: Vec<String>,
}

/// The checks on a scenario's data, in order: completeness, the thresholds
/// on its total and on its endpoints, the dead-target guard, the windows,
/// then data sanity (failed checks with `strict_data`, else warnings).
fn judge_data(
    config: &Config,
    sc: Option<&ScenarioConfig>,
    name: &str,
    data: &ScenarioData,
    probes: Option<window::Probes>,
    groups: &[group::GroupResult],
) -> Verdicts {
    let mut v = Verdicts::default();
    if let Some(sc) = sc {
        v.incomplete = completeness(sc, data, &mut v.checks);
    }
    let rule = config.steady_state_for(sc);
    v.steady = data.history.as_ref().and_then(|h| history::steady(h, rule));
    if data.history.as_ref().is_some_and(|h| !h.points.is_empty()) && v.steady.is_none() {
        v.warnings.push(format!(
            "{name}: steady_state = {} is never reached in this run, so windowed checks and rps.steady have nothing to look at",
            rule.describe()
        ));
    }
    let figures = HistoryFigures {
        peak_users: data
            .history
            .as_ref()
            .and_then(|h| h.peak_users())
            .map(|u| u as f64),
        rps_steady: v.steady.as_ref().and_then(|s| s.rps),
    };
    for t in thresholds_for(config, sc)
        .into_iter()
        .filter(|t| t.threshold.window_s.is_none())
    {
        match check(t, &data.totals, None, &figures) {
            Ok(c) => v.checks.push(c),
            Err(e) => v.errors.push(format!("{}: {e}", config.threshold_label(t))),
        }
    }
    if let Some(sc) = sc {
        endpoint_checks(config, sc, &data.endpoints, &mut v.checks, &mut v.errors);
        approximate_notes(groups, &mut v.checks);
    }
    dead_target_guard(data, &mut v.checks);
    if let Some(probes) = probes {
        let (window_checks, window_errors) = history::window_checks(
            config,
            probes,
            data.history.as_ref(),
            v.steady.as_ref(),
            data.tool.name,
        );
        v.checks.extend(window_checks);
        v.errors.extend(window_errors);
    }
    let findings = history::sanity(data, sc.and_then(|s| s.users));
    if config.strict_data_for(sc) {
        v.checks.extend(findings.into_iter().map(|f| {
            Check::failed_rule(
                CheckKind::DataSanity,
                "strict_data = true".into(),
                CheckMetric::Data,
                None,
                f,
                "strict_data".into(),
            )
        }));
    } else {
        v.warnings
            .extend(findings.into_iter().map(|f| format!("data: {name}: {f}")));
    }
    if v.checks.is_empty() {
        v.warnings.push(format!(
            "no checks apply to scenario `{name}`: add thresholds in [defaults] or [scenarios.*]"
        ));
    }
    v
}

/// Whole-run figures from the history, for the `users` and `rps.steady` metrics.
#[derive(Debug, Clone, Copy, Default)]
struct HistoryFigures {
    peak_users: Option<f64>,
    rps_steady: Option<f64>,
}

/// `[defaults]` merged with the scenario's thresholds: a scenario threshold
/// on a metric replaces every default on that metric.
pub(crate) fn thresholds_for<'c>(
    config: &'c Config,
    sc: Option<&'c ScenarioConfig>,
) -> Vec<&'c ConfiguredThreshold> {
    let own: &[ConfiguredThreshold] = sc.map_or(&[], |s| &s.thresholds);
    config
        .defaults
        .iter()
        .filter(|d| !own.iter().any(|o| o.threshold.metric == d.threshold.metric))
        .chain(own)
        .collect()
}

/// `min_duration` and `min_requests`; returns whether the run is incomplete.
fn completeness(sc: &ScenarioConfig, data: &ScenarioData, checks: &mut Vec<Check>) -> bool {
    let mut incomplete = false;
    if let Some((min_s, text)) = &sc.min_duration {
        let actual = data.duration_s().map(|d| d as f64);
        let passed = actual.is_some_and(|a| a >= *min_s);
        incomplete |= !passed;
        let message = match actual {
            Some(a) if passed => format!(
                "ran {} (at least {} required)",
                format::duration(a),
                format::duration(*min_s)
            ),
            Some(a) => format!(
                "ran {} of the required {}",
                format::duration(a),
                format::duration(*min_s)
            ),
            None => format!(
                "duration unknown (no readable _stats_history.csv), so the required {} cannot be confirmed",
                format::duration(*min_s)
            ),
        };
        checks.push(Check {
            kind: CheckKind::MinDuration,
            threshold: format!("min_duration = \"{text}\""),
            metric: CheckMetric::Duration,
            op: Some(Op::Ge),
            target: Some(*min_s),
            unit: Some(Unit::Seconds),
            actual,
            passed,
            achievement_ratio: actual.map(|a| a / min_s),
            achievement: actual.map(|a| format!("{} of target", format::percent_of(a / min_s))),
            endpoint: None,
            message,
            config_key: format!("scenarios.{}.min_duration", sc.key),
            window: None,
        });
    }
    if let Some(min) = sc.min_requests {
        let actual = data.totals.requests;
        let passed = actual >= min;
        incomplete |= !passed;
        checks.push(Check {
            kind: CheckKind::MinRequests,
            threshold: format!("min_requests = {min}"),
            metric: CheckMetric::Of(Metric::Requests),
            op: Some(Op::Ge),
            target: Some(min as f64),
            unit: Some(Unit::Count),
            actual: Some(actual as f64),
            passed,
            achievement_ratio: (min > 0).then(|| actual as f64 / min as f64),
            achievement: (min > 0).then(|| {
                format!(
                    "{} of target",
                    format::percent_of(actual as f64 / min as f64)
                )
            }),
            endpoint: None,
            message: if passed {
                format!(
                    "{} requests (at least {} required)",
                    format::count(actual),
                    format::count(min)
                )
            } else {
                format!(
                    "made {} requests of the required {}",
                    format::count(actual),
                    format::count(min)
                )
            },
            config_key: format!("scenarios.{}.min_requests", sc.key),
            window: None,
        });
    }
    incomplete
}

fn endpoint_checks(
    config: &Config,
    sc: &ScenarioConfig,
    endpoints: &[Endpoint],
    checks: &mut Vec<Check>,
    errors: &mut Vec<String>,
) {
    for table in &sc.endpoints {
        let matching: Vec<&Endpoint> = endpoints
            .iter()
            .filter(|e| table.name.matches(&e.name))
            .filter(|e| table.method.as_ref().is_none_or(|m| m == &e.method))
            .collect();
        if matching.is_empty() {
            let wanted = match &table.method {
                Some(m) => format!("{m} {}", table.name),
                None => table.name.to_string(),
            };
            checks.push(Check::failed_rule(
                CheckKind::EndpointMatch,
                format!("endpoint \"{wanted}\""),
                CheckMetric::Endpoint,
                Some(wanted.clone()),
                format!(
                    "no endpoint matches \"{wanted}\", so its thresholds cannot be checked{}",
                    format::did_you_mean(
                        &table.name.to_string(),
                        endpoints.iter().map(|e| e.name.as_str())
                    )
                ),
                table.key.clone(),
            ));
            continue;
        }
        for endpoint in matching {
            for t in &table.thresholds {
                if t.threshold.window_s.is_some() {
                    // Followed through the history (see `window`).
                    continue;
                }
                match check(
                    t,
                    &endpoint.stats,
                    Some(endpoint.label()),
                    &HistoryFigures::default(),
                ) {
                    Ok(c) => checks.push(c),
                    Err(e) => errors.push(format!("{}: {e}", config.threshold_label(t))),
                }
            }
        }
    }
}

/// A check on the percentiles of a group merged without histograms says
/// they are an estimate.
fn approximate_notes(groups: &[group::GroupResult], checks: &mut [Check]) {
    let approximate: std::collections::HashSet<String> = groups
        .iter()
        .filter(|g| g.percentiles == group::Exactness::Approximate)
        .map(|g| crate::model::endpoint_label(&g.method, &g.name))
        .collect();
    if approximate.is_empty() {
        return;
    }
    for c in checks.iter_mut() {
        let percentile = matches!(
            c.metric,
            CheckMetric::Of(Metric::Median | Metric::Percentile { .. })
        );
        if percentile && c.endpoint.as_ref().is_some_and(|e| approximate.contains(e)) {
            c.message
                .push_str(&format!(" ({})", group::APPROXIMATE_NOTE));
        }
    }
}

/// Judge one threshold against one row of stats.
fn check(
    t: &ConfiguredThreshold,
    stats: &Stats,
    endpoint: Option<String>,
    figures: &HistoryFigures,
) -> Result<Check, String> {
    let th = &t.threshold;
    let kind = th.metric.kind();
    let actual = match th.metric {
        Metric::Users => Ok(figures.peak_users),
        Metric::RpsSteady => Ok(figures.rps_steady),
        _ => th.metric.value(stats),
    };
    let actual = actual.map_err(|available| {
        format!(
            "the data has no {} column; percentiles present: {}",
            th.metric,
            if available.is_empty() {
                "none".to_string()
            } else {
                available.join(", ")
            }
        )
    })?;
    let target_text = format!("{} {}", th.op.symbol(), format::value(kind, th.target));
    let passed = actual.is_some_and(|a| th.op.holds(a, th.target));
    let (achievement, achievement_ratio) = match actual {
        Some(a) => achievement(&th.metric, th.op, a, th.target, passed),
        None => (None, None),
    };
    let message = match actual {
        Some(a) => {
            let (actual_text, target_value) = format::pair(kind.unit(), a, th.target);
            format!(
                "{} {actual_text}, target {} {target_value}",
                th.metric,
                th.op.symbol()
            )
        }
        None => format!(
            "{} has no value ({}), target {target_text}",
            th.metric,
            if stats.requests == 0 {
                "no requests"
            } else {
                "Locust wrote N/A"
            }
        ),
    };
    Ok(Check {
        kind: CheckKind::Threshold,
        threshold: th.text.clone(),
        metric: CheckMetric::Of(th.metric.clone()),
        op: Some(th.op),
        target: Some(th.target),
        unit: Some(kind.unit()),
        actual,
        passed,
        achievement,
        achievement_ratio,
        endpoint,
        message,
        config_key: t.key.clone(),
        window: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_kinds_are_named_as_summary_json_names_them() {
        for kind in [
            CheckKind::Threshold,
            CheckKind::Required,
            CheckKind::MinDuration,
            CheckKind::MinRequests,
            CheckKind::EndpointMatch,
            CheckKind::Window,
            CheckKind::DataSanity,
        ] {
            assert_eq!(
                serde_json::to_string(&kind).unwrap(),
                format!("\"{}\"", kind.as_str())
            );
        }
    }
    use crate::config::Threshold;
    use crate::model::Percentiles;
    use std::path::Path;

    fn stats(requests: u64, failures: u64, median: f64, rps: f64) -> Stats {
        Stats {
            requests,
            failures,
            success_rate: crate::model::success_rate(requests, failures),
            rps,
            failures_per_s: 0.0,
            median_ms: Some(median),
            avg_ms: Some(median),
            min_ms: Some(1.0),
            max_ms: Some(median * 3.0),
            percentiles_ms: Percentiles::default(),
        }
    }

    fn configured(text: &str) -> ConfiguredThreshold {
        ConfiguredThreshold {
            threshold: Threshold::parse(text).unwrap(),
            key: "defaults.thresholds[0]".into(),
            location: None,
        }
    }

    #[test]
    fn lower_is_better_achievement_reads_like_the_summaries() {
        let c = check(
            &configured("median < 200ms"),
            &stats(10, 0, 5.0, 1.0),
            None,
            &HistoryFigures::default(),
        )
        .unwrap();
        assert!(c.passed);
        assert_eq!(c.achievement.as_deref(), Some("40x better"));
        assert_eq!(c.message, "median 5 ms, target < 200 ms");
        let c = check(
            &configured("median < 20ms"),
            &stats(10, 0, 42.0, 1.0),
            None,
            &HistoryFigures::default(),
        )
        .unwrap();
        assert!(!c.passed);
        assert_eq!(c.achievement.as_deref(), Some("2.1x over target"));
        let c = check(
            &configured("median < 200ms"),
            &stats(10, 0, 150.0, 1.0),
            None,
            &HistoryFigures::default(),
        )
        .unwrap();
        assert_eq!(c.achievement.as_deref(), Some("25% under target"));
        let c = check(
            &configured("median < 200ms"),
            &stats(10, 0, 201.0, 1.0),
            None,
            &HistoryFigures::default(),
        )
        .unwrap();
        assert_eq!(c.achievement.as_deref(), Some("1% over target"));
    }

    #[test]
    fn higher_is_better_achievement_is_a_percentage() {
        let c = check(
            &configured("rps >= 100"),
            &stats(10, 0, 5.0, 115.0),
            None,
            &HistoryFigures::default(),
        )
        .unwrap();
        assert!(c.passed);
        assert_eq!(c.achievement.as_deref(), Some("115% of target"));
        // A near miss must not round up to 100%.
        let mut s = stats(10_000, 122, 5.0, 1.0);
        s.success_rate = Some(98.78);
        let c = check(
            &configured("success_rate >= 99%"),
            &s,
            None,
            &HistoryFigures::default(),
        )
        .unwrap();
        assert!(!c.passed);
        // A rate's miss in its own terms: 1.22% failed where 1% is allowed.
        assert_eq!(c.achievement.as_deref(), Some("1.2x the allowed failures"));
        let c = check(
            &configured("success_rate >= 95%"),
            &s,
            None,
            &HistoryFigures::default(),
        )
        .unwrap();
        assert_eq!(
            c.achievement.as_deref(),
            Some("24% of the allowed failures")
        );
        let c = check(
            &configured("error_rate < 1%"),
            &stats(10_000, 0, 5.0, 1.0),
            None,
            &HistoryFigures::default(),
        )
        .unwrap();
        assert_eq!(c.achievement.as_deref(), Some("no failures"));
    }

    #[test]
    fn a_missing_value_fails_the_check() {
        let mut s = stats(0, 0, 0.0, 0.0);
        s.median_ms = None;
        let c = check(
            &configured("median < 200"),
            &s,
            None,
            &HistoryFigures::default(),
        )
        .unwrap();
        assert!(!c.passed);
        assert!(c.message.contains("no requests"), "{}", c.message);
        let c = check(
            &configured("success_rate >= 99%"),
            &s,
            None,
            &HistoryFigures::default(),
        )
        .unwrap();
        assert!(!c.passed);
    }

    #[test]
    fn a_percentile_the_data_lacks_lists_those_present() {
        let mut s = stats(10, 0, 5.0, 1.0);
        s.percentiles_ms = Percentiles(vec![crate::model::Percentile {
            label: "95".into(),
            level: 95.0,
            value_ms: Some(9.0),
        }]);
        let e = check(
            &configured("p97 < 200"),
            &s,
            None,
            &HistoryFigures::default(),
        )
        .unwrap_err();
        assert!(e.contains("no p97 column; percentiles present: p95"), "{e}");
    }

    #[test]
    fn scenario_thresholds_replace_defaults_on_the_same_metric() {
        let config = Config::from_toml(
            "[defaults]\nthresholds = [\"median < 200\", \"p99 < 1s\"]\n[scenarios.a]\nthresholds = [\"median < 50\", \"rps >= 1\"]\n",
            Path::new("x.toml"),
        )
        .unwrap();
        let texts: Vec<&str> = thresholds_for(&config, config.scenarios.first())
            .iter()
            .map(|t| t.threshold.text.as_str())
            .collect();
        assert_eq!(texts, vec!["p99 < 1s", "median < 50", "rps >= 1"]);
    }
}
