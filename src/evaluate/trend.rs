//! Run histories judged: which records are comparable with this run, the
//! baseline they make, and the trend every report shows.
//!
//! - **Comparable**: a record is comparable with this run when it has the
//!   same scenarios (those with results), and each scenario the same load
//!   tool, the same peak users and a duration within 10% of this run's.
//! - **The window**: walking the history from its newest record back, on
//!   one branch (`[history] branch`, else this run's branch; every branch
//!   when neither is known), the first `[history] window` comparable
//!   records; the non-comparable ones met on the way are skipped and
//!   counted by reason ("3 of the last 8 runs were skipped: a different load
//!   profile").
//! - **The baseline**: per scenario, endpoint and figure, the median of the
//!   window's values (an even count takes the mean of the middle two), so
//!   one slow or fast outlier run moves it little; the `[regression]`
//!   tolerances then apply as against one run.
//! - **The noise**: per compared metric, the median absolute deviation
//!   (MAD) of the window's values, `median(|x - median(x)|)`: robust to one
//!   outlier as the median is. A change no larger than it is not significant
//!   (see `compare`).
//!
//! Pure: the records come read (`ingest::records`), this run's meta comes
//! resolved (`app`).

use std::collections::BTreeMap;

use serde::Serialize;

use super::{ScenarioInput, ScenarioResult, Status};
use crate::config::{Config, Metric, MetricKind, Regression};
use crate::ingest::records::History;
use crate::ingest::summary::{Record, RecordScenario};
use crate::model::{Endpoint, Noise, RunMeta, RunSnapshot, SnapshotScenario, Stats};

/// A duration within this fraction of this run's is the same load profile.
pub const DURATION_TOLERANCE: f64 = 0.10;

/// What a scenario of this run ran: what comparability looks at.
#[derive(Debug, Clone, PartialEq)]
pub struct ProfileScenario {
    pub name: String,
    pub tool: String,
    pub peak_users: Option<u64>,
    pub duration_s: Option<i64>,
}

/// The load profile of this run: its scenarios with results, by name.
pub fn profile(inputs: &[ScenarioInput]) -> Vec<ProfileScenario> {
    let mut out: Vec<ProfileScenario> = inputs
        .iter()
        .filter_map(|i| {
            let d = i.data.as_ref()?;
            Some(ProfileScenario {
                name: i.name.clone(),
                tool: d.tool.name.to_string(),
                peak_users: d.history.as_ref().and_then(|h| h.peak_users()),
                duration_s: d.duration_s(),
            })
        })
        .collect();
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

/// Why a record is not comparable with this run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Skip {
    /// Other scenarios (one more, one fewer, one renamed).
    ScenarioSet,
    /// A scenario written by another load tool.
    LoadTool,
    /// Other peak users, or a duration more than 10% off.
    LoadProfile,
}

impl Skip {
    /// As the reports say it: "a different load profile".
    pub fn describe(self) -> &'static str {
        match self {
            Skip::ScenarioSet => "a different scenario set",
            Skip::LoadTool => "a different load tool",
            Skip::LoadProfile => "a different load profile",
        }
    }
}

fn same_duration(a: Option<i64>, b: Option<i64>) -> bool {
    match (a, b) {
        (Some(r), Some(c)) => (r - c).abs() as f64 <= DURATION_TOLERANCE * c.abs() as f64,
        (None, None) => true,
        _ => false,
    }
}

/// Why `record` is not comparable with `current`, if it is not.
pub fn mismatch(record: &Record, current: &[ProfileScenario]) -> Option<Skip> {
    let theirs: Vec<&RecordScenario> = record
        .scenarios
        .iter()
        .filter(|s| s.totals.is_some())
        .collect();
    if theirs.len() != current.len() || theirs.iter().zip(current).any(|(r, c)| r.name != c.name) {
        return Some(Skip::ScenarioSet);
    }
    if theirs
        .iter()
        .zip(current)
        .any(|(r, c)| r.tool.as_deref() != Some(c.tool.as_str()))
    {
        return Some(Skip::LoadTool);
    }
    let same_profile = theirs
        .iter()
        .zip(current)
        .all(|(r, c)| r.peak_users == c.peak_users && same_duration(r.duration_s, c.duration_s));
    (!same_profile).then_some(Skip::LoadProfile)
}

/// The records a history baseline is made of, and what was passed over.
#[derive(Debug, Clone)]
pub struct Selection<'h> {
    /// The history folder, as shown.
    pub source: String,
    pub window: usize,
    /// Only records of this branch were looked at (`None`: every branch).
    pub branch: Option<String>,
    /// The window's records, oldest first.
    pub runs: Vec<&'h Record>,
    /// Comparable and skipped records looked at, newest first, to fill the window.
    pub looked_at: usize,
    pub skipped: BTreeMap<Skip, usize>,
    /// Records of other branches, not looked at.
    pub other_branches: usize,
    /// Record files left out (unreadable, another project's), each with its warning.
    pub left_out: usize,
}

/// The last `window` comparable records of `history` on `branch`.
pub fn select<'h>(
    history: &'h History,
    current: &[ProfileScenario],
    window: usize,
    branch: Option<&str>,
) -> Selection<'h> {
    let mut sel = Selection {
        source: history.dir.to_string_lossy().into_owned(),
        window,
        branch: branch.map(str::to_string),
        runs: Vec::new(),
        looked_at: 0,
        skipped: BTreeMap::new(),
        other_branches: 0,
        left_out: history.skipped.len(),
    };
    for record in history.records.iter().rev() {
        if branch.is_some_and(|b| record.run.branch.as_deref() != Some(b)) {
            sel.other_branches += 1;
            continue;
        }
        if sel.runs.len() == window {
            continue;
        }
        sel.looked_at += 1;
        match mismatch(record, current) {
            Some(why) => *sel.skipped.entry(why).or_default() += 1,
            None => sel.runs.push(record),
        }
    }
    sel.runs.reverse();
    sel
}

/// `summary.json`'s `baseline.history`: how the baseline was taken.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HistoryInfo {
    /// `[history] window`.
    pub window: usize,
    /// The branch whose runs were used; `null`: every branch.
    pub branch: Option<String>,
    /// The record files the baseline is the median of, oldest first.
    pub runs: Vec<String>,
    /// Records looked at to fill the window, newest first (used + skipped).
    pub looked_at: usize,
    /// Records skipped as not comparable, by reason.
    pub skipped: BTreeMap<Skip, usize>,
    pub other_branches: usize,
    /// Record files left out: unreadable, or of another project.
    pub left_out: usize,
}

impl Selection<'_> {
    pub fn info(&self) -> HistoryInfo {
        HistoryInfo {
            window: self.window,
            branch: self.branch.clone(),
            runs: self.runs.iter().map(|r| r.file.clone()).collect(),
            looked_at: self.looked_at,
            skipped: self.skipped.clone(),
            other_branches: self.other_branches,
            left_out: self.left_out,
        }
    }
}

impl HistoryInfo {
    /// One sentence for every report: "the median of the last 5 comparable
    /// runs on main; 3 of the last 8 runs were skipped: a different load
    /// profile".
    pub fn describe(&self) -> String {
        let n = self.runs.len();
        let on = self.branch.as_deref().map_or_else(String::new, |b| {
            format!(" on {}", crate::format::display(b))
        });
        let mut text = match n {
            0 => format!("no comparable run{on}"),
            1 => format!("the last comparable run{on}"),
            n => format!("the median of the last {n} comparable runs{on}"),
        };
        let skipped: usize = self.skipped.values().sum();
        if skipped > 0 {
            let reasons: Vec<String> = match self.skipped.len() {
                1 => self
                    .skipped
                    .keys()
                    .map(|k| k.describe().to_string())
                    .collect(),
                _ => self
                    .skipped
                    .iter()
                    .map(|(k, c)| format!("{c} {}", k.describe()))
                    .collect(),
            };
            text.push_str(&format!(
                "; {skipped} of the last {} runs {} skipped: {}",
                self.looked_at,
                if skipped == 1 { "was" } else { "were" },
                reasons.join(", ")
            ));
        }
        let mut not_used = Vec::new();
        if self.other_branches > 0 {
            not_used.push(plural(
                self.other_branches,
                "run of another branch",
                "runs of other branches",
            ));
        }
        if self.left_out > 0 {
            not_used.push(plural(
                self.left_out,
                "record left out (see its warning)",
                "records left out (see their warnings)",
            ));
        }
        if !not_used.is_empty() {
            text.push_str(&format!("; not used: {}", not_used.join(", ")));
        }
        text
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    match n {
        1 => format!("1 {one}"),
        n => format!("{n} {many}"),
    }
}

/// The median of the finite values; the mean of the middle two for an even
/// count; `None` without values.
pub fn median(values: &[f64]) -> Option<f64> {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let mid = v.len() / 2;
    Some(match v.len() % 2 {
        1 => v[mid],
        _ => (v[mid - 1] + v[mid]) / 2.0,
    })
}

/// The median absolute deviation of the finite values:
/// `median(|x - median(x)|)`; `None` without values.
pub fn mad(values: &[f64]) -> Option<f64> {
    let m = median(values)?;
    let deviations: Vec<f64> = values
        .iter()
        .filter(|x| x.is_finite())
        .map(|x| (x - m).abs())
        .collect();
    median(&deviations)
}

/// One figure per run, the median of them.
fn median_of(stats: &[&Stats], figure: impl Fn(&Stats) -> Option<f64>) -> Option<f64> {
    let values: Vec<f64> = stats.iter().filter_map(|s| figure(s)).collect();
    median(&values)
}

/// Field by field, the median of `stats` (at least one): counts rounded to
/// whole numbers, the percentile columns of the newest run.
fn median_stats(stats: &[&Stats]) -> Stats {
    let newest = stats
        .last()
        .map(|s| s.percentiles_ms.clone())
        .unwrap_or_default();
    let count = |f: fn(&Stats) -> u64| {
        median_of(stats, |s| Some(f(s) as f64)).map_or(0, |v| v.round() as u64)
    };
    Stats {
        requests: count(|s| s.requests),
        failures: count(|s| s.failures),
        success_rate: median_of(stats, |s| s.success_rate),
        rps: median_of(stats, |s| Some(s.rps)).unwrap_or(0.0),
        failures_per_s: median_of(stats, |s| Some(s.failures_per_s)).unwrap_or(0.0),
        median_ms: median_of(stats, |s| s.median_ms),
        avg_ms: median_of(stats, |s| s.avg_ms),
        min_ms: median_of(stats, |s| s.min_ms),
        max_ms: median_of(stats, |s| s.max_ms),
        percentiles_ms: newest.with_values(
            newest
                .iter()
                .map(|(_, level, _)| median_of(stats, |s| s.percentiles_ms.get(level).flatten()))
                .collect::<Vec<_>>(),
        ),
    }
}

/// The MAD of every tolerance's metric over `stats`, keyed as [`Noise::mad`].
fn noise_of(regression: &Regression, endpoint: &str, stats: &[&Stats], out: &mut Noise) {
    for rule in &regression.rules {
        let values: Vec<f64> = stats
            .iter()
            .filter_map(|s| rule.metric.value(s).ok().flatten())
            .collect();
        if let Some(m) = mad(&values) {
            out.mad
                .insert((endpoint.to_string(), rule.metric.to_string()), m);
        }
    }
}

/// A record scenario's endpoints, as read (none when read for its totals).
fn endpoints_of<'r>(r: &&'r RecordScenario) -> &'r [Endpoint] {
    r.endpoints.as_deref().unwrap_or_default()
}

/// The baseline the window's records make (`runs`: the selection's,
/// read with their endpoints): per scenario, its totals and endpoints as
/// the median of theirs, with their noise. `None` for an empty window.
pub fn baseline(config: &Config, source: &str, runs: &[Record]) -> Option<RunSnapshot> {
    let newest = runs.last()?;
    let window = runs;
    let mut scenarios = Vec::new();
    for s in newest.scenarios.iter().filter(|s| s.totals.is_some()) {
        let runs: Vec<&RecordScenario> = window
            .iter()
            .filter_map(|r| r.scenarios.iter().find(|x| x.name == s.name))
            .collect();
        let totals: Vec<&Stats> = runs.iter().filter_map(|r| r.totals.as_ref()).collect();
        let regression = config.regression_for(config.scenario_for(&s.name).ok().flatten());
        let mut noise = Noise {
            runs: window.len(),
            mad: BTreeMap::new(),
        };
        noise_of(&regression, "", &totals, &mut noise);
        // Every endpoint of any window run, the median over those that have it.
        let mut keys: Vec<(&str, &str)> = runs
            .iter()
            .flat_map(|r| {
                endpoints_of(r)
                    .iter()
                    .map(|e| (e.method.as_str(), e.name.as_str()))
            })
            .collect();
        keys.sort();
        keys.dedup();
        let endpoints = keys
            .into_iter()
            .map(|(method, name)| {
                let stats: Vec<&Stats> = runs
                    .iter()
                    .filter_map(|r| {
                        endpoints_of(r)
                            .iter()
                            .find(|e| e.method == method && e.name == name)
                            .map(|e| &e.stats)
                    })
                    .collect();
                let label = crate::model::endpoint_label(method, name);
                noise_of(&regression, &label, &stats, &mut noise);
                Endpoint {
                    method: method.to_string(),
                    name: name.to_string(),
                    stats: median_stats(&stats),
                }
            })
            .collect();
        scenarios.push(SnapshotScenario {
            name: s.name.clone(),
            totals: median_stats(&totals),
            endpoints,
            histograms: None,
            no_histograms: Some("a run history keeps none (its records are summaries)".to_string()),
            noise: Some(noise),
        });
    }
    Some(RunSnapshot {
        source: std::path::PathBuf::from(source),
        title: None,
        date: Some(newest.recorded_at.clone()),
        scenarios,
    })
}

/// The figures a trend follows, in the order every report shows them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Figure {
    Median,
    P95,
    Rps,
    SuccessRate,
}

impl Figure {
    pub const ALL: [Figure; 4] = [
        Figure::Median,
        Figure::P95,
        Figure::Rps,
        Figure::SuccessRate,
    ];

    /// The metric as the threshold language names it.
    pub fn metric(self) -> Metric {
        match self {
            Figure::Median => Metric::Median,
            Figure::P95 => Metric::Percentile {
                level: 95.0,
                label: "95".into(),
            },
            Figure::Rps => Metric::Rps,
            Figure::SuccessRate => Metric::SuccessRate,
        }
    }

    pub fn kind(self) -> MetricKind {
        self.metric().kind()
    }

    /// A column heading: `Median`, `p95`, `Throughput`, `Success rate`.
    pub fn heading(self) -> &'static str {
        match self {
            Figure::Median => "Median",
            Figure::P95 => "p95",
            Figure::Rps => "Throughput",
            Figure::SuccessRate => "Success rate",
        }
    }

    /// The figure in a scenario's totals.
    pub fn of(self, stats: &Stats) -> Option<f64> {
        self.metric().value(stats).ok().flatten()
    }
}

/// One run of a trend.
#[derive(Debug, Clone, PartialEq)]
pub struct TrendRun {
    /// `--label`, else the short commit, else the time (`2026-11-28 00:11`).
    pub label: String,
    pub commit: Option<String>,
    pub branch: Option<String>,
    /// RFC 3339.
    pub recorded_at: String,
    /// The record's file; `None` for this run.
    pub file: Option<String>,
    pub current: bool,
    /// A threshold or a regression failed (or the scenario did not complete).
    pub failed: bool,
    /// In [`Figure::ALL`] order.
    pub values: [Option<f64>; 4],
}

/// One figure's baseline in a trend: the window's median, its noise, and
/// the band around it that counts as unchanged (the tolerance, widened to
/// the noise and, for times, the noise floor).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Band {
    pub baseline: f64,
    pub mad: f64,
    pub low: f64,
    pub high: f64,
}

/// A scenario's trend.
#[derive(Debug, Clone, PartialEq)]
pub struct ScenarioTrend {
    pub name: String,
    /// Oldest first; in a check's report, this run last.
    pub runs: Vec<TrendRun>,
    /// In [`Figure::ALL`] order; `None` without values in the window.
    pub bands: [Option<Band>; 4],
}

/// The trend section of a check's report.
#[derive(Debug, Clone, PartialEq)]
pub struct Trend {
    /// The history folder, as shown.
    pub source: String,
    /// Whether the gate judged against it (`--baseline DIR`), or it only
    /// shows the history (`--history DIR` alone).
    pub judged: bool,
    pub info: HistoryInfo,
    pub scenarios: Vec<ScenarioTrend>,
}

/// How a run is named in a trend: its label, else its short commit, else
/// its time.
pub fn run_label(meta: &RunMeta, recorded_at: &str) -> String {
    if let Some(label) = meta.label.as_deref().filter(|l| !l.trim().is_empty()) {
        return label.to_string();
    }
    if let Some(commit) = meta.commit.as_deref() {
        return commit.chars().take(7).collect();
    }
    match (recorded_at.get(..10), recorded_at.get(11..16)) {
        (Some(d), Some(t)) => format!("{d} {t}"),
        _ => recorded_at.to_string(),
    }
}

/// Whether a record's scenario failed: a threshold, a regression, or it did
/// not complete.
pub fn record_failed(s: &RecordScenario) -> bool {
    s.status != "passed" || s.checks_failed > 0 || s.regressions > 0
}

/// A record's scenario as a trend run.
pub fn record_run(record: &Record, s: &RecordScenario) -> TrendRun {
    TrendRun {
        label: run_label(&record.run, &record.recorded_at),
        commit: record.run.commit.clone(),
        branch: record.run.branch.clone(),
        recorded_at: record.recorded_at.clone(),
        file: Some(record.file.clone()),
        current: false,
        failed: record_failed(s),
        values: figures(s.totals.as_ref()),
    }
}

fn figures(stats: Option<&Stats>) -> [Option<f64>; 4] {
    Figure::ALL.map(|f| stats.and_then(|s| f.of(s)))
}

/// The band of `figure` around the window's median: the tolerance of its
/// `[regression]` rule (if it has one) widened to the noise and, for a
/// time, the noise floor; just the noise without a rule.
fn band(regression: &Regression, figure: Figure, values: &[f64]) -> Option<Band> {
    let baseline = median(values)?;
    let mad = mad(values).unwrap_or(0.0);
    let metric = figure.metric();
    let allowed = regression
        .rules
        .iter()
        .find(|r| r.metric == metric)
        .map_or(0.0, |r| match r.tolerance.relative {
            true => baseline.abs() * r.tolerance.amount / 100.0,
            false => r.tolerance.amount,
        });
    let floor = match figure.kind() {
        MetricKind::Time => regression.noise_floor_ms,
        _ => 0.0,
    };
    let half = allowed.max(mad).max(floor);
    let mut high = baseline + half;
    if figure == Figure::SuccessRate {
        high = high.min(100.0);
    }
    Some(Band {
        baseline,
        mad,
        low: (baseline - half).max(0.0),
        high,
    })
}

/// The trend section of this run's report: per scenario with results, the
/// window's runs and this one (`meta`, recorded at `now`) last, with the
/// baseline band. `judged`: the gate used the window as its baseline.
pub fn trend(
    config: &Config,
    sel: &Selection<'_>,
    results: &[ScenarioResult],
    meta: &RunMeta,
    now: &str,
    judged: bool,
) -> Trend {
    let scenarios = results
        .iter()
        .filter_map(|r| {
            let data = r.data.as_ref()?;
            let mut runs: Vec<TrendRun> = sel
                .runs
                .iter()
                .filter_map(|rec| {
                    let s = rec.scenarios.iter().find(|s| s.name == r.name)?;
                    Some(record_run(rec, s))
                })
                .collect();
            let regression = config.regression_for(config.scenario_for(&r.name).ok().flatten());
            let bands = std::array::from_fn(|i| {
                let values: Vec<f64> = runs.iter().filter_map(|run| run.values[i]).collect();
                band(&regression, Figure::ALL[i], &values)
            });
            runs.push(TrendRun {
                label: run_label(meta, now),
                commit: meta.commit.clone(),
                branch: meta.branch.clone(),
                recorded_at: now.to_string(),
                file: None,
                current: true,
                failed: r.status != Status::Passed,
                values: figures(Some(&data.totals)),
            });
            Some(ScenarioTrend {
                name: r.name.clone(),
                runs,
                bands,
            })
        })
        .collect();
    Trend {
        source: sel.source.clone(),
        judged,
        info: sel.info(),
        scenarios,
    }
}

/// The standalone trend (`loadgate trend DIR`): every record, per scenario
/// one run per record that has it, and the band of the last `window` runs.
pub fn history_trend(config: &Config, history: &History) -> Vec<ScenarioTrend> {
    let mut names: Vec<&str> = history
        .records
        .iter()
        .flat_map(|r| r.scenarios.iter().map(|s| s.name.as_str()))
        .collect();
    names.sort();
    names.dedup();
    names
        .into_iter()
        .map(|name| {
            let runs: Vec<TrendRun> = history
                .records
                .iter()
                .filter_map(|rec| {
                    let s = rec.scenarios.iter().find(|s| s.name == name)?;
                    Some(record_run(rec, s))
                })
                .collect();
            let regression = config.regression_for(config.scenario_for(name).ok().flatten());
            let recent = &runs[runs.len().saturating_sub(config.history.window)..];
            let bands = std::array::from_fn(|i| {
                let values: Vec<f64> = recent.iter().filter_map(|run| run.values[i]).collect();
                band(&regression, Figure::ALL[i], &values)
            });
            ScenarioTrend {
                name: name.to_string(),
                runs,
                bands,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_and_mad_are_robust_to_one_outlier() {
        assert_eq!(median(&[]), None);
        assert_eq!(median(&[3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), Some(2.5));
        assert_eq!(median(&[1.0, f64::NAN, 3.0]), Some(2.0));
        // One run three times slower moves neither much.
        let normal = [100.0, 102.0, 98.0, 101.0, 99.0];
        let with_outlier = [100.0, 102.0, 98.0, 101.0, 300.0];
        assert_eq!(median(&normal), Some(100.0));
        assert_eq!(median(&with_outlier), Some(101.0));
        assert_eq!(mad(&normal), Some(1.0));
        assert_eq!(mad(&with_outlier), Some(1.0));
    }

    #[test]
    fn the_summary_sentence_counts_what_was_skipped_and_why() {
        let mut info = HistoryInfo {
            window: 5,
            branch: Some("main".into()),
            runs: (0..5).map(|i| format!("r{i}.json")).collect(),
            looked_at: 8,
            skipped: [(Skip::LoadProfile, 3)].into(),
            other_branches: 0,
            left_out: 0,
        };
        assert_eq!(
            info.describe(),
            "the median of the last 5 comparable runs on main; 3 of the last 8 runs were skipped: a different load profile"
        );
        info.skipped.insert(Skip::ScenarioSet, 1);
        info.looked_at = 9;
        info.other_branches = 2;
        info.left_out = 1;
        assert_eq!(
            info.describe(),
            "the median of the last 5 comparable runs on main; 4 of the last 9 runs were skipped: 1 a different scenario set, 3 a different load profile; not used: 2 runs of other branches, 1 record left out (see its warning)"
        );
    }

    #[test]
    fn durations_within_ten_percent_are_the_same_profile() {
        assert!(same_duration(Some(100), Some(110)) && same_duration(Some(109), Some(100)));
        assert!(!same_duration(Some(111), Some(100)) && !same_duration(Some(100), None));
        assert!(same_duration(None, None) && same_duration(Some(0), Some(0)));
    }
}
