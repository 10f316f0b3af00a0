//! The data model: what one Locust result set says, as plain data.
//!
//! Readers in `ingest/` fill these types; `evaluate/` and `report/` only read
//! them. Nothing here does I/O. Numbers keep the value Locust wrote (parsed
//! into `f64`/`u64`); rounding happens only when something is displayed.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

mod percentiles;
pub use percentiles::*;

/// The files of one Locust `--csv PREFIX` result set.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ResultFiles {
    /// `PREFIX_stats.csv`, the only required file.
    pub stats: Option<PathBuf>,
    /// `PREFIX_stats_history.csv`.
    pub history: Option<PathBuf>,
    /// `PREFIX_failures.csv`.
    pub failures: Option<PathBuf>,
    /// `PREFIX_exceptions.csv`.
    pub exceptions: Option<PathBuf>,
    /// `PREFIX.json`, Locust's `--json-file PREFIX` output (response-time histograms).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub json: Option<PathBuf>,
    /// The part of the stats file this set is, when one file holds several
    /// scenarios (a k6 stream's `scenario` tag); `None`: the whole file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub part: Option<String>,
}

/// The unit of a value, as summary.json writes it (`ms`, `%`, `/s`, `s`,
/// or empty for a count). Outputs dispatch on this, never on the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Unit {
    #[serde(rename = "ms")]
    Ms,
    /// Percent (rates); changes in rates are percentage points.
    #[serde(rename = "%")]
    Percent,
    #[serde(rename = "/s")]
    PerSecond,
    /// Seconds (run lengths).
    #[serde(rename = "s")]
    Seconds,
    /// A plain count.
    #[serde(rename = "")]
    Count,
}

impl Unit {
    /// As summary.json writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Unit::Ms => "ms",
            Unit::Percent => "%",
            Unit::PerSecond => "/s",
            Unit::Seconds => "s",
            Unit::Count => "",
        }
    }
}

/// What a metric measures, which decides the units it accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MetricKind {
    /// Milliseconds; written with `ms` or `s`, a bare number means ms.
    Time,
    /// Percent; written with `%`.
    Rate,
    /// A count of requests; a bare number.
    Count,
    /// Per second; a bare number, or with `/s` as loadgate's reports print it.
    PerSecond,
}

impl MetricKind {
    /// The canonical unit of values of this kind, as written in summary.json.
    pub fn unit(self) -> Unit {
        match self {
            MetricKind::Time => Unit::Ms,
            MetricKind::Rate => Unit::Percent,
            MetricKind::Count => Unit::Count,
            MetricKind::PerSecond => Unit::PerSecond,
        }
    }
}

/// What a file is to its result set (a Locust `--csv` prefix's four files
/// and its `--json-file` output; other tools map their files onto these).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Role {
    /// The per-endpoint totals (Locust `_stats.csv`); a set needs it.
    Stats,
    /// The time series (Locust `_stats_history.csv`).
    History,
    /// Failures grouped by endpoint and error (Locust `_failures.csv`).
    Failures,
    /// Errors raised by the load script itself (Locust `_exceptions.csv`).
    Exceptions,
    /// Response-time histograms (Locust `--json-file`).
    Histograms,
}

impl Role {
    /// The role in a message: "results" (a one-file tool's whole set),
    /// "history", …
    pub fn describe(self) -> &'static str {
        match self {
            Role::Stats => "results",
            Role::History => "history",
            Role::Failures => "failures",
            Role::Exceptions => "exceptions",
            Role::Histograms => "histograms",
        }
    }
}

/// The load tool that wrote a result set, as summary.json names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ToolInfo {
    /// `locust`.
    pub name: &'static str,
    /// The tool's version, where its files say it (Locust's do not).
    pub version: Option<String>,
}

impl ResultFiles {
    /// The slot for a file of `role`.
    pub fn slot(&mut self, role: Role) -> &mut Option<PathBuf> {
        match role {
            Role::Stats => &mut self.stats,
            Role::History => &mut self.history,
            Role::Failures => &mut self.failures,
            Role::Exceptions => &mut self.exceptions,
            Role::Histograms => &mut self.json,
        }
    }

    /// Whether the set has a file other than histograms (which alone make no set).
    pub fn is_set(&self) -> bool {
        self.stats.is_some()
            || self.history.is_some()
            || self.failures.is_some()
            || self.exceptions.is_some()
    }

    /// Every file of the set.
    pub fn all(&self) -> impl Iterator<Item = PathBuf> + '_ {
        [
            &self.stats,
            &self.history,
            &self.failures,
            &self.exceptions,
            &self.json,
        ]
        .into_iter()
        .flatten()
        .cloned()
    }
}

/// The statistics of one row of `_stats.csv`: an endpoint or the `Aggregated` total.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Stats {
    /// `Request Count`.
    pub requests: u64,
    /// `Failure Count`.
    pub failures: u64,
    /// Percent of requests that did not fail; `None` without requests.
    #[serde(serialize_with = "ser_opt_num")]
    pub success_rate: Option<f64>,
    /// `Requests/s`: a whole-run average.
    #[serde(serialize_with = "ser_num")]
    pub rps: f64,
    /// `Failures/s`: a whole-run average.
    #[serde(serialize_with = "ser_num")]
    pub failures_per_s: f64,
    /// `Median Response Time`.
    #[serde(serialize_with = "ser_opt_num")]
    pub median_ms: Option<f64>,
    /// `Average Response Time`.
    #[serde(serialize_with = "ser_opt_num")]
    pub avg_ms: Option<f64>,
    /// `Min Response Time`.
    #[serde(serialize_with = "ser_opt_num")]
    pub min_ms: Option<f64>,
    /// `Max Response Time`.
    #[serde(serialize_with = "ser_opt_num")]
    pub max_ms: Option<f64>,
    /// Every `N%` column.
    pub percentiles_ms: Percentiles,
}

impl Stats {
    /// Percent of failed requests; `None` without requests.
    pub fn error_rate(&self) -> Option<f64> {
        self.success_rate.map(|s| 100.0 - s)
    }
}

/// Success rate in percent from counts, `None` when there were no requests.
pub fn success_rate(requests: u64, failures: u64) -> Option<f64> {
    if requests == 0 {
        None
    } else {
        let ok = requests.saturating_sub(failures);
        Some(ok as f64 * 100.0 / requests as f64)
    }
}

/// One endpoint row: Locust's `Type` (the method) and `Name`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Endpoint {
    /// Locust's `Type` column, usually the HTTP method.
    pub method: String,
    /// Locust's `Name` column: the URL or the `name=` given in the locustfile.
    pub name: String,
    #[serde(flatten)]
    pub stats: Stats,
}

/// `METHOD NAME`, the way checks and messages name an endpoint; the name
/// alone for tools that record no method (a JTL's label).
pub fn endpoint_label(method: &str, name: &str) -> String {
    if method.is_empty() {
        name.to_string()
    } else {
        format!("{method} {name}")
    }
}

impl Endpoint {
    /// See [`endpoint_label`].
    pub fn label(&self) -> String {
        endpoint_label(&self.method, &self.name)
    }
}

/// A row of `_failures.csv`, grouped by Locust per (method, name, error).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FailureRow {
    pub method: String,
    pub name: String,
    pub error: String,
    pub occurrences: u64,
}

/// A row of `_exceptions.csv`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExceptionRow {
    pub count: u64,
    pub message: String,
    pub traceback: String,
    pub nodes: Vec<String>,
}

/// Whether the history's percentile columns cover the whole run so far or a
/// recent window. Locust writes windowed percentiles only with `--csv-full-history`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HistoryPercentiles {
    /// Since the start of the run (no `--csv-full-history`).
    Cumulative,
    /// The last ~10 s (`--csv-full-history`).
    Windowed,
}

/// One tick of the `Aggregated` rows of `_stats_history.csv`.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryPoint {
    /// Unix time in seconds.
    pub timestamp: i64,
    pub users: u64,
    /// Windowed requests/s.
    pub rps: f64,
    /// Windowed failures/s.
    pub failures_per_s: f64,
    /// Percentile values in the order of [`History::percentile_labels`].
    pub percentiles_ms: Vec<Option<f64>>,
    /// `Total Request Count` (cumulative).
    pub total_requests: u64,
    /// `Total Failure Count` (cumulative).
    pub total_failures: u64,
}

/// The run's time series, from the `Aggregated` rows of the history file.
#[derive(Debug, Clone, PartialEq)]
pub struct History {
    /// The percentile column labels of the history file, e.g. `["50", "95"]`.
    pub percentile_labels: Vec<String>,
    pub percentiles: HistoryPercentiles,
    /// The `Aggregated` ticks: one a second, or coarser for long runs (see
    /// [`compact_points`]); the last point is always the file's last tick.
    pub points: Vec<HistoryPoint>,
    /// The history's own tick in seconds, as read (1 for Locust), whatever
    /// the resolution `points` was kept at.
    pub tick_s: i64,
    /// Whether the file has a user count (Locust 0.x wrote none: the points'
    /// `users` are then 0 and mean nothing).
    pub users_known: bool,
    /// Data-sanity findings while reading: time going backwards, gaps,
    /// implausible timestamps (`path:line: what`).
    pub anomalies: Vec<String>,
    /// Whether the timestamps are wall-clock time. hey's CSV has only
    /// offsets from its start, which its reader puts at the Unix epoch: the
    /// series is right, the dates are not, so the summary gives none.
    pub wall_clock: bool,
}

/// A history gap longer than this many seconds means nothing is known about
/// the time in between (a stalled or crashed load generator): it ends a
/// windowed stretch and is reported as a finding.
pub const MAX_GAP_S: i64 = 10;

/// The `schema` of summary.json (and of a baseline read back).
pub const SUMMARY_SCHEMA: &str = "loadgate/summary/v1";

/// At most about twice this many points are kept per history, so memory
/// does not grow with the run length: a day at one tick a second is kept at
/// 32 s resolution. Charts draw at most ~1,000 points anyway; windowed
/// checks follow the rows while they are read and do not use `points`.
pub const MAX_POINTS_KEPT: usize = 4096;

/// Builds a history's points at a uniform resolution that coarsens as the
/// run gets longer (1 s, 2 s, 4 s, …), so at most `2 × MAX_POINTS_KEPT`
/// are held whatever the run length.
///
/// A point of a coarser step stands for the ticks in it and keeps the worst
/// of them (the highest response times, failures/s and users, the lowest
/// requests/s), so spikes and dips survive; its time and cumulative totals
/// are its first tick's, which keeps them consistent with each other. The
/// last tick is kept as it was: it is the run's end.
#[derive(Debug, Clone, Default)]
pub struct PointsBuilder {
    points: Vec<HistoryPoint>,
    /// Seconds per kept point; 0 until the first halving (every tick kept).
    step_s: i64,
    /// The newest tick, not yet folded into `points`.
    last: Option<HistoryPoint>,
}

/// Fold `b` into `a`, keeping the worst of both.
fn fold(a: &mut HistoryPoint, b: &HistoryPoint) {
    a.users = a.users.max(b.users);
    a.rps = a.rps.min(b.rps);
    a.failures_per_s = a.failures_per_s.max(b.failures_per_s);
    for (v, w) in a.percentiles_ms.iter_mut().zip(&b.percentiles_ms) {
        *v = match (*v, *w) {
            (Some(x), Some(y)) => Some(x.max(y)),
            (x, y) => x.or(y),
        };
    }
}

impl PointsBuilder {
    /// Add the next tick (in time order).
    pub fn push(&mut self, point: HistoryPoint) {
        if let Some(previous) = self.last.replace(point) {
            self.keep(previous);
        }
    }

    fn keep(&mut self, point: HistoryPoint) {
        match self.points.last_mut() {
            Some(open) if point.timestamp - open.timestamp < self.step_s => fold(open, &point),
            _ => self.points.push(point),
        }
        if self.points.len() >= 2 * MAX_POINTS_KEPT {
            let first = self.points.first().map_or(0, |p| p.timestamp);
            let last = self.points.last().map_or(0, |p| p.timestamp);
            // Double the step until the points fit in half the room.
            let mut step = self.step_s.max(1);
            while (last - first) / step >= MAX_POINTS_KEPT as i64 {
                step *= 2;
            }
            self.step_s = step;
            let old = std::mem::take(&mut self.points);
            for p in old {
                match self.points.last_mut() {
                    Some(open) if p.timestamp - open.timestamp < step => fold(open, &p),
                    _ => self.points.push(p),
                }
            }
        }
    }

    /// The points, the last tick last.
    pub fn finish(mut self) -> Vec<HistoryPoint> {
        if let Some(last) = self.last.take() {
            self.points.push(last);
        }
        self.points
    }
}

impl History {
    /// First and last timestamp, if there is any point (both exact: see [`compact_points`]).
    pub fn span(&self) -> Option<(i64, i64)> {
        Some((
            self.points.first()?.timestamp,
            self.points.last()?.timestamp,
        ))
    }

    /// The highest user count seen.
    pub fn peak_users(&self) -> Option<u64> {
        self.points
            .iter()
            .map(|p| p.users)
            .max()
            .filter(|_| self.users_known)
    }
}

/// A response-time histogram from Locust's `--json-file` output: bucket in
/// ms (Locust rounds to 2 significant digits above 100 ms) → request count.
pub type Histogram = BTreeMap<u64, u64>;

/// The histograms of one run: per endpoint (method, name) and merged.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Histograms {
    pub total: Histogram,
    pub endpoints: BTreeMap<(String, String), Histogram>,
}

/// Everything read from one result set.
#[derive(Debug, Clone, PartialEq)]
pub struct ScenarioData {
    /// The tool that wrote it.
    pub tool: ToolInfo,
    /// The `Aggregated` row.
    pub totals: Stats,
    /// The other rows, in file order (Locust sorts them by name, then method).
    pub endpoints: Vec<Endpoint>,
    pub history: Option<History>,
    pub failures: Vec<FailureRow>,
    pub exceptions: Vec<ExceptionRow>,
    /// From `PREFIX.json`, when Locust wrote one.
    pub histograms: Option<Histograms>,
}

/// Where a scenario's run length was taken from (`duration_source` in summary.json).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DurationSource {
    /// `Request Count ÷ Requests/s` of the stats file's total: Locust's own
    /// measure of the time from the start to the last request.
    Stats,
    /// The history's first to last timestamp (when the stats file cannot tell:
    /// no requests).
    History,
}

impl ScenarioData {
    /// The history's span in seconds, first to last timestamp.
    pub fn history_span_s(&self) -> Option<i64> {
        self.history
            .as_ref()
            .and_then(History::span)
            .map(|(a, b)| b - a)
    }

    /// `Request Count ÷ Requests/s` of the total, in seconds. Locust computes
    /// `Requests/s` as requests / (last request − start), so this is the run
    /// length by Locust's own clock, within about a second, even when the
    /// history lost its last seconds (Locust before 2.46.3 does not flush it
    /// at exit) or the run was killed.
    pub fn stats_span_s(&self) -> Option<f64> {
        let t = &self.totals;
        let s = t.requests as f64 / t.rps;
        (t.requests > 0 && t.rps > 0.0 && s.is_finite()).then_some(s)
    }

    /// The run length that is judged, and where it comes from: the stats
    /// file's when it has requests, else the history's span.
    pub fn run_length(&self) -> Option<(f64, DurationSource)> {
        self.stats_span_s()
            .map(|s| (s, DurationSource::Stats))
            .or_else(|| {
                self.history_span_s()
                    .map(|s| (s as f64, DurationSource::History))
            })
    }

    /// [`ScenarioData::run_length`] in whole seconds.
    pub fn duration_s(&self) -> Option<i64> {
        self.run_length().map(|(s, _)| s.round() as i64)
    }
}

/// A run to compare against: read from an earlier summary.json or a results folder.
#[derive(Debug, Clone, PartialEq)]
pub struct RunSnapshot {
    /// The file or folder it was read from.
    pub source: PathBuf,
    pub title: Option<String>,
    /// When it ran (its first history timestamp), or when its summary was made.
    pub date: Option<String>,
    /// Sorted by name.
    pub scenarios: Vec<SnapshotScenario>,
}

/// One scenario of a [`RunSnapshot`].
#[derive(Debug, Clone, PartialEq)]
pub struct SnapshotScenario {
    pub name: String,
    pub totals: Stats,
    pub endpoints: Vec<Endpoint>,
    pub histograms: Option<Histograms>,
    /// Why there are no histograms, when there are none (for the note that
    /// says why the rank test did not run).
    pub no_histograms: Option<String>,
    /// For a baseline made of a run history (the median of its last runs):
    /// each metric's run-to-run spread in those runs.
    pub noise: Option<Noise>,
}

/// The run-to-run spread of a history baseline: per compared metric, the
/// median absolute deviation (MAD) of its values in the runs the baseline
/// is the median of. A change smaller than it is not significant.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Noise {
    /// How many runs the baseline is the median of.
    pub runs: usize,
    /// (endpoint label, empty for the scenario total; metric as written in
    /// `[regression]`, e.g. `p99`) → MAD in the metric's unit.
    pub mad: BTreeMap<(String, String), f64>,
}

/// Where a record's commit and branch came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RevisionSource {
    /// `GITHUB_SHA` and `GITHUB_REF_NAME`.
    GithubActions,
    /// `git` in the folder loadgate ran in.
    Git,
}

/// The run metadata of a history record (its `run` object): what the
/// summary itself does not say. Every key is always written (`null` when
/// unknown), so records read the same whatever was known.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RunMeta {
    /// `--label`, e.g. a release name.
    pub label: Option<String>,
    /// The commit under test (full hash).
    pub commit: Option<String>,
    pub branch: Option<String>,
    pub revision_source: Option<RevisionSource>,
    /// `GITHUB_REPOSITORY`: records of another repository are not used.
    pub project: Option<String>,
    /// `GITHUB_RUN_ID` and `GITHUB_RUN_ATTEMPT`.
    pub ci_run_id: Option<String>,
    pub ci_run_attempt: Option<String>,
    /// When the record was written, by the clock (RFC 3339 to the
    /// microsecond, UTC), so that runs within one second keep their order;
    /// `None` when `SOURCE_DATE_EPOCH` pins the run's time, which is then
    /// the summary's `generated_at` (records of older versions too).
    pub recorded_at: Option<String>,
}

/// The file that makes a folder a run history: `check --history DIR` writes
/// it, `--baseline DIR` and `loadgate trend DIR` look for it. A visible name,
/// because CI artifact uploads leave hidden files out by default.
pub const HISTORY_MARKER: &str = "LOADGATE-HISTORY.txt";

// ---------------------------------------------------------------------------
// Statistical test results (computed in evaluate::stats, shown by every output).

/// The outcome of the test.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct RankTest {
    /// Always `mann_whitney_u`.
    pub test: &'static str,
    /// Two-sided p-value: the chance of a shift at least this large if both
    /// runs came from the same distribution.
    pub p_value: f64,
    /// P(current request slower than baseline request); 0.5 = no shift.
    pub prob_slower: f64,
    pub n_baseline: u64,
    pub n_current: u64,
}

/// The significance level reports use.
pub const ALPHA: f64 = 0.01;

/// The smallest shift that counts, as a distance of `P(slower)` from 0.5:
/// with tens of thousands of requests a shift of a fraction of a millisecond
/// has a tiny p-value, yet nobody would call a run 51% likely slower changed.
pub const MIN_SHIFT: f64 = 0.05;

/// Which way the current run moved, by the rank test.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shift {
    Slower,
    Faster,
    /// Significant, but smaller than [`MIN_SHIFT`].
    Negligible,
    /// Not significant at [`ALPHA`].
    Unclear,
}

impl RankTest {
    /// A shift that is both significant and at least [`MIN_SHIFT`] large.
    pub fn significant(&self) -> bool {
        matches!(self.shift(), Shift::Slower | Shift::Faster)
    }

    pub fn shift(&self) -> Shift {
        if self.p_value >= ALPHA {
            Shift::Unclear
        } else if (self.prob_slower - 0.5).abs() < MIN_SHIFT {
            Shift::Negligible
        } else if self.prob_slower > 0.5 {
            Shift::Slower
        } else {
            Shift::Faster
        }
    }
}

/// A two-proportion z-test on failure counts: did the current run fail
/// more often than the baseline, beyond what chance explains? One-sided:
/// `p_value` is the chance of a rise at least this large if both runs had
/// the same failure rate (pooled), with a continuity correction.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ProportionTest {
    /// Always `two_proportion_z`.
    pub test: &'static str,
    pub p_value: f64,
    pub baseline_failures: u64,
    pub baseline_requests: u64,
    pub current_failures: u64,
    pub current_requests: u64,
}

impl ProportionTest {
    pub fn significant(&self) -> bool {
        self.p_value < ALPHA
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(t: i64, users: u64, rps: f64, p: f64) -> HistoryPoint {
        HistoryPoint {
            timestamp: t,
            users,
            rps,
            failures_per_s: 0.0,
            percentiles_ms: vec![Some(p), None],
            total_requests: t as u64 * 10,
            total_failures: 0,
        }
    }

    #[test]
    fn long_histories_are_kept_at_a_uniform_coarser_step_with_spikes_dips_and_the_last_tick() {
        let n: i64 = 86_400;
        let mut b = PointsBuilder::default();
        for t in 0..n {
            let mut p = point(t, 10, 100.0, 5.0);
            match t {
                40_001 => p.percentiles_ms[0] = Some(900.0), // a spike
                50_001 => p.rps = 1.0,                       // a dip
                60_001 => p.users = 50,
                _ => {}
            }
            b.push(p);
        }
        let points = b.finish();
        assert!(points.len() <= 2 * MAX_POINTS_KEPT, "{}", points.len());
        assert!(points.len() >= MAX_POINTS_KEPT / 2, "{}", points.len());
        let last = points.last().unwrap();
        assert_eq!(
            (last.timestamp, last.total_requests),
            (n - 1, (n as u64 - 1) * 10)
        );
        // A uniform step (but the exact last tick).
        let steps: std::collections::BTreeSet<i64> = points[..points.len() - 1]
            .windows(2)
            .map(|w| w[1].timestamp - w[0].timestamp)
            .collect();
        assert_eq!(steps.len(), 1, "{steps:?}");
        assert!(points.iter().any(|p| p.percentiles_ms[0] == Some(900.0)));
        assert!(points.iter().any(|p| p.rps == 1.0));
        assert!(points.iter().any(|p| p.users == 50));
        // Each point's total is its first tick's.
        assert!(
            points
                .iter()
                .all(|p| p.total_requests == p.timestamp as u64 * 10)
        );
        // A short history is kept tick by tick.
        let mut b = PointsBuilder::default();
        (0..10).for_each(|t| b.push(point(t, 1, 1.0, 1.0)));
        assert_eq!(b.finish().len(), 10);
    }
}
