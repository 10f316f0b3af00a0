//! `loadgate.toml`: the serde types, their validation, and where a config
//! comes from (a file, or the built-in defaults).
//!
//! Parsing happens in two steps: serde reads the TOML into `Raw*` types that
//! keep source spans, then [`Config::from_toml`] parses every threshold and
//! duration so that each error can name the file, the key path, the line and
//! the column.

mod duration;
mod endpoints;
mod glob;
mod hints;
pub mod threshold;

use crate::format::ShowPath;
use std::collections::BTreeMap;
use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

pub use endpoints::{DEFAULT_MAX_ENDPOINTS, GroupConfig, MAX_MAX_ENDPOINTS, ReportConfig};
pub use glob::Glob;
pub use threshold::{Metric, MetricKind, Op, Threshold, Tolerance, Worse};

/// The thresholds applied when there is no config file, or the config has no `[defaults]`.
pub const BUILTIN_DEFAULTS: [&str; 3] = ["median < 200ms", "p99 < 1s", "success_rate >= 99%"];

/// The tolerances used by `--baseline` when the config has no `[regression]` table.
pub const DEFAULT_TOLERANCES: [(&str, &str); 5] = [
    ("median", "+10%"),
    ("p95", "+10%"),
    ("p99", "+15%"),
    ("rps", "-10%"),
    ("success_rate", "-0.5"),
];

/// The default noise floor: a time metric moving less than this never counts.
pub const DEFAULT_NOISE_FLOOR_MS: f64 = 2.0;

/// How many comparable runs of a history a baseline is the median of, when
/// `[history] window` is not given.
pub const DEFAULT_HISTORY_WINDOW: usize = 5;
/// The largest `[history] window`.
pub const MAX_HISTORY_WINDOW: usize = 1000;

/// The name looked for when `--config` is not given.
pub const CONFIG_FILE_NAME: &str = "loadgate.toml";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    title: Option<String>,
    defaults: Option<RawDefaults>,
    regression: Option<BTreeMap<String, Spanned<String>>>,
    history: Option<RawHistory>,
    report: Option<endpoints::RawReport>,
    #[serde(default)]
    scenarios: BTreeMap<String, RawScenario>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHistory {
    window: Option<Spanned<u64>>,
    branch: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDefaults {
    #[serde(default)]
    thresholds: Vec<Spanned<String>>,
    steady_state: Option<Spanned<String>>,
    strict_data: Option<bool>,
}

fn default_true() -> bool {
    true
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScenario {
    #[serde(rename = "match")]
    pattern: Option<String>,
    #[serde(default = "default_true")]
    required: bool,
    min_duration: Option<Spanned<String>>,
    min_requests: Option<u64>,
    #[serde(default)]
    thresholds: Vec<Spanned<String>>,
    #[serde(default)]
    endpoint: Vec<RawEndpoint>,
    #[serde(default)]
    group: Vec<endpoints::RawGroup>,
    regression: Option<BTreeMap<String, Spanned<String>>>,
    steady_state: Option<Spanned<String>>,
    users: Option<u64>,
    strict_data: Option<bool>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEndpoint {
    name: String,
    method: Option<String>,
    #[serde(default)]
    thresholds: Vec<Spanned<String>>,
}

/// Where the config came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigSource {
    File(PathBuf),
    /// No config file: the built-in defaults.
    BuiltIn,
}

/// A position in the config file (1-based).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Location {
    pub line: usize,
    pub column: usize,
}

/// A threshold together with where it was written.
#[derive(Debug, Clone, PartialEq)]
pub struct ConfiguredThreshold {
    pub threshold: Threshold,
    /// The TOML key path, e.g. `scenarios.deployments.thresholds[0]`.
    pub key: String,
    /// Where the threshold's string starts, when it came from a file.
    pub location: Option<Location>,
}

/// A `[[scenarios.X.endpoint]]` table.
#[derive(Debug, Clone, PartialEq)]
pub struct EndpointConfig {
    /// Glob on the Locust `Name`.
    pub name: Glob,
    /// The Locust `Type` (method), matched exactly when given.
    pub method: Option<String>,
    pub thresholds: Vec<ConfiguredThreshold>,
    /// Key path of the table, e.g. `scenarios.deployments.endpoint[0]`.
    pub key: String,
}

/// Where the steady part of a run starts: windowed checks and `rps.steady`
/// look only at it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum SteadyState {
    /// When the user count first reaches its peak (the default).
    Auto,
    /// The whole run.
    All,
    /// This many seconds after the first history tick (`after 30s`).
    After(f64),
    /// When the user count first reaches this many (`users >= 100`).
    Users(u64),
}

impl SteadyState {
    /// Parse `auto`, `all`, `after 30s` or `users >= 100`.
    pub fn parse(text: &str) -> Result<SteadyState, threshold::ParseError> {
        let t = text.trim();
        match t {
            "auto" => return Ok(SteadyState::Auto),
            "all" => return Ok(SteadyState::All),
            _ => {}
        }
        if let Some(d) = t.strip_prefix("after ") {
            return threshold::parse_duration(d).map(SteadyState::After);
        }
        if let Some(n) = t
            .strip_prefix("users")
            .map(str::trim_start)
            .and_then(|r| r.strip_prefix(">="))
            .and_then(|n| n.trim().parse::<u64>().ok())
        {
            return Ok(SteadyState::Users(n));
        }
        Err(threshold::ParseError {
            offset: 0,
            message: format!(
                "`{t}` is not a steady state: use \"auto\", \"all\", \"after 30s\" or \"users >= 100\""
            ),
            hint: None,
        })
    }

    /// As written in messages.
    pub fn describe(&self) -> String {
        match self {
            SteadyState::Auto => "auto: from when the user count first reached its peak".into(),
            SteadyState::All => "all: the whole run".into(),
            SteadyState::After(s) => format!("after {}", crate::format::duration(*s)),
            SteadyState::Users(n) => format!("users >= {n}"),
        }
    }
}

/// One tolerance of a `[regression]` table, e.g. `p99 = "+15%"`.
#[derive(Debug, Clone, PartialEq)]
pub struct ToleranceRule {
    pub metric: Metric,
    pub tolerance: Tolerance,
    /// The tolerance as written, e.g. `+15%`.
    pub text: String,
    /// The key path, e.g. `regression.p99`.
    pub key: String,
}

/// A `[regression]` table as written (global or per scenario).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RegressionTable {
    pub rules: Vec<ToleranceRule>,
    pub noise_floor_ms: Option<f64>,
}

/// The tolerances in force for one scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct Regression {
    pub rules: Vec<ToleranceRule>,
    pub noise_floor_ms: f64,
}

/// `[history]`: how a baseline is taken from a run history (`--baseline DIR`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryConfig {
    /// The baseline is the median of the last `window` comparable runs.
    pub window: usize,
    /// Compare with the runs of this branch (e.g. `main` for pull requests);
    /// `None`: the branch of this run.
    pub branch: Option<String>,
}

impl Default for HistoryConfig {
    fn default() -> Self {
        HistoryConfig {
            window: DEFAULT_HISTORY_WINDOW,
            branch: None,
        }
    }
}

/// A `[scenarios.X]` table.
#[derive(Debug, Clone, PartialEq)]
pub struct ScenarioConfig {
    /// The table key `X`.
    pub key: String,
    /// Glob on the scenario name; the key itself when `match` is absent.
    pub pattern: Glob,
    /// A required scenario that is absent fails the gate.
    pub required: bool,
    /// Minimum run length in seconds, with the text as written.
    pub min_duration: Option<(f64, String)>,
    pub min_requests: Option<u64>,
    pub thresholds: Vec<ConfiguredThreshold>,
    pub endpoints: Vec<EndpointConfig>,
    /// `[[scenarios.X.group]]`: endpoint names merged into one, in order.
    pub groups: Vec<GroupConfig>,
    /// `[scenarios.X.regression]`, overriding the global table key by key.
    pub regression: Option<RegressionTable>,
    /// `steady_state`, overriding `[defaults]`.
    pub steady_state: Option<SteadyState>,
    /// `users`: the user count the run should reach.
    pub users: Option<u64>,
    /// `strict_data`, overriding `[defaults]`.
    pub strict_data: Option<bool>,
}

/// Where the default thresholds came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DefaultsOrigin {
    /// `[defaults]` in the config file.
    Config,
    /// The built-in defaults (no config, or no `[defaults]` table).
    BuiltIn,
}

/// A validated config.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    pub source: ConfigSource,
    pub title: Option<String>,
    pub defaults: Vec<ConfiguredThreshold>,
    pub defaults_origin: DefaultsOrigin,
    /// Sorted by key.
    pub scenarios: Vec<ScenarioConfig>,
    /// `[regression]`; `None` means the built-in tolerances apply.
    pub regression: Option<RegressionTable>,
    /// `[defaults] steady_state`.
    pub steady_state: Option<SteadyState>,
    /// `[defaults] strict_data`: data-sanity findings fail the gate.
    pub strict_data: Option<bool>,
    /// `[history]`.
    pub history: HistoryConfig,
    /// `[report]`.
    pub report: ReportConfig,
}

/// A config error: file, key path, position and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub file: PathBuf,
    pub key: Option<String>,
    pub location: Option<Location>,
    /// The offending source line, for display.
    pub source_line: Option<String>,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.show())?;
        if let Some(loc) = self.location {
            write!(f, ":{}:{}", loc.line, loc.column)?;
        }
        f.write_str(": ")?;
        if let Some(key) = &self.key {
            write!(f, "{key}: ")?;
        }
        f.write_str(&self.message)?;
        if let (Some(loc), Some(line)) = (self.location, &self.source_line) {
            let gutter = loc.line.to_string().len();
            let pad: String = line
                .chars()
                .take(loc.column.saturating_sub(1))
                .map(|c| if c == '\t' { '\t' } else { ' ' })
                .collect();
            write!(
                f,
                "\n{:gutter$} |\n{} | {}\n{:gutter$} | {}^",
                "", loc.line, line, "", pad
            )?;
        }
        Ok(())
    }
}

impl std::error::Error for ConfigError {}

/// Line and column (1-based, in characters) of a byte offset.
fn locate(text: &str, offset: usize) -> (Location, String) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = text[line_start..offset].chars().count() + 1;
    let line_text = text[line_start..]
        .lines()
        .next()
        .unwrap_or("")
        .trim_end_matches('\r')
        .to_string();
    (Location { line, column }, line_text)
}

/// Validation context: the file and its text, to turn spans into positions.
struct Ctx<'a> {
    file: &'a Path,
    text: &'a str,
}

impl Ctx<'_> {
    fn error(&self, key: String, span: Option<Range<usize>>, message: String) -> ConfigError {
        let (location, source_line) = match span {
            Some(span) => {
                let (loc, line) = locate(self.text, span.start);
                (Some(loc), Some(line))
            }
            None => (None, None),
        };
        ConfigError {
            file: self.file.to_path_buf(),
            key: Some(key),
            location,
            source_line,
            message,
        }
    }

    fn thresholds(
        &self,
        raw: &[Spanned<String>],
        key: &str,
    ) -> Result<Vec<ConfiguredThreshold>, ConfigError> {
        raw.iter()
            .enumerate()
            .map(|(i, spanned)| {
                let key = format!("{key}[{i}]");
                // The span covers the quoted string; +1 skips the opening quote.
                let start = spanned.span().start + 1;
                // An offset in the parsed value maps onto the source only when
                // the string holds no escape; otherwise point at its start.
                let literal = self
                    .text
                    .get(spanned.span())
                    .is_some_and(|raw| raw.len() == spanned.get_ref().len() + 2);
                match Threshold::parse_strict(spanned.get_ref()) {
                    Ok(threshold) => Ok(ConfiguredThreshold {
                        threshold,
                        key,
                        location: Some(locate(self.text, start).0),
                    }),
                    Err(e) => {
                        let at = if literal { start + e.offset } else { start };
                        Err(self.error(key, Some(at..at), threshold_message(&e, spanned)))
                    }
                }
            })
            .collect()
    }
}

/// A threshold's parse error as a config message: what is wrong, the
/// threshold as written (unless the message starts by quoting it, as in
/// "`error_rate > 1%` passes only when …"), then the hint.
fn threshold_message(e: &threshold::ParseError, raw: &Spanned<String>) -> String {
    let mut message = e.message.clone();
    if !message.starts_with(&format!("`{}` ", raw.get_ref().trim())) {
        message.push_str(&format!(" in `{}`", raw.get_ref()));
    }
    if let Some(hint) = &e.hint {
        message.push_str("; ");
        message.push_str(hint);
    }
    message
}

impl Ctx<'_> {
    fn steady_state(&self, raw: &Spanned<String>, key: &str) -> Result<SteadyState, ConfigError> {
        let start = raw.span().start + 1;
        SteadyState::parse(raw.get_ref()).map_err(|e| {
            self.error(
                key.to_string(),
                Some(start + e.offset..start + e.offset),
                e.message,
            )
        })
    }

    fn regression(
        &self,
        raw: &BTreeMap<String, Spanned<String>>,
        base: &str,
    ) -> Result<RegressionTable, ConfigError> {
        let mut table = RegressionTable::default();
        for (name, value) in raw {
            let key = format!("{base}.{}", toml_key(name));
            let start = value.span().start + 1;
            let at = |offset: usize| Some(start + offset..start + offset);
            if name == "noise_floor" {
                let threshold = Threshold::parse(&format!("median < {}", value.get_ref()))
                    .map_err(|e| {
                        self.error(
                            key.clone(),
                            at(0),
                            format!(
                                "{} in `{}`; a noise floor is a time such as \"2ms\"",
                                e.message,
                                value.get_ref()
                            ),
                        )
                    })?;
                table.noise_floor_ms = Some(threshold.target);
                continue;
            }
            let Some(metric) = Metric::parse(name) else {
                return Err(self.error(
                    key,
                    at(0),
                    format!(
                        "unknown metric `{name}`; a [regression] key is noise_floor or one of: {}",
                        threshold::METRIC_NAMES
                    ),
                ));
            };
            let tolerance = Tolerance::parse(&metric, value.get_ref())
                .map_err(|e| self.error(key.clone(), at(e.offset), e.message))?;
            table.rules.push(ToleranceRule {
                metric,
                tolerance,
                text: value.get_ref().trim().to_string(),
                key,
            });
        }
        Ok(table)
    }
}

impl Ctx<'_> {
    /// `[history]`: a window of 1 to [`MAX_HISTORY_WINDOW`] runs, a branch name.
    fn history(&self, raw: &RawHistory) -> Result<HistoryConfig, ConfigError> {
        let mut history = HistoryConfig::default();
        if let Some(w) = &raw.window {
            let n = *w.get_ref();
            if n == 0 || n > MAX_HISTORY_WINDOW as u64 {
                return Err(self.error(
                    "history.window".into(),
                    Some(w.span()),
                    format!(
                        "a window of {n} runs; use 1 to {MAX_HISTORY_WINDOW} (default {DEFAULT_HISTORY_WINDOW})"
                    ),
                ));
            }
            history.window = n as usize;
        }
        if let Some(b) = &raw.branch {
            let name = b.get_ref().trim();
            if name.is_empty() {
                return Err(self.error(
                    "history.branch".into(),
                    Some(b.span()),
                    "an empty branch name; name the branch whose runs are the baseline, e.g. \"main\"".into(),
                ));
            }
            history.branch = Some(name.to_string());
        }
        Ok(history)
    }
}

/// The steps of [`Config::from_toml`].
impl Ctx<'_> {
    /// The TOML read into the `Raw*` types; a syntax error or a wrong key
    /// or type is an error at its span.
    fn raw(&self) -> Result<RawConfig, ConfigError> {
        toml::Deserializer::parse(self.text)
            .map_err(|e| toml_error(self, None, &e))
            .and_then(|de| {
                serde_path_to_error::deserialize(de).map_err(|e| {
                    // A wrong type in a spanned value names serde's own
                    // wrapper field: the key path is the value's.
                    let path = e.path().to_string();
                    let path = path
                        .strip_suffix(".$__serde_spanned_private_value")
                        .map_or(path.clone(), str::to_string);
                    let key = (path != ".").then_some(path);
                    toml_error(self, key, e.inner())
                })
            })
    }

    /// The `[scenarios.KEY]` table, validated. Errors come in the order the
    /// fields are checked: `min_duration`, the endpoint tables, `regression`,
    /// `steady_state`, the groups, then `thresholds`.
    fn scenario(&self, key: &str, s: &RawScenario) -> Result<ScenarioConfig, ConfigError> {
        let base = format!("scenarios.{}", toml_key(key));
        let min_duration = match &s.min_duration {
            Some(text) => Some(self.min_duration(text, &base)?),
            None => None,
        };
        let mut endpoints = Vec::new();
        for (i, e) in s.endpoint.iter().enumerate() {
            let key = format!("{base}.endpoint[{i}]");
            endpoints.push(EndpointConfig {
                name: Glob::new(&e.name),
                method: e.method.clone(),
                thresholds: self.thresholds(&e.thresholds, &format!("{key}.thresholds"))?,
                key,
            });
        }
        let regression = match &s.regression {
            Some(raw) => Some(self.regression(raw, &format!("{base}.regression"))?),
            None => None,
        };
        let steady_state = match &s.steady_state {
            Some(raw) => Some(self.steady_state(raw, &format!("{base}.steady_state"))?),
            None => None,
        };
        let groups = self.groups(&s.group, &base)?;
        Ok(ScenarioConfig {
            groups,
            regression,
            steady_state,
            users: s.users,
            strict_data: s.strict_data,
            key: key.to_string(),
            pattern: Glob::new(s.pattern.as_deref().unwrap_or(key)),
            required: s.required,
            min_duration,
            min_requests: s.min_requests,
            thresholds: self.thresholds(&s.thresholds, &format!("{base}.thresholds"))?,
            endpoints,
        })
    }

    /// A scenario's `min_duration`: seconds, and the text as written.
    fn min_duration(
        &self,
        text: &Spanned<String>,
        base: &str,
    ) -> Result<(f64, String), ConfigError> {
        let start = text.span().start + 1;
        match threshold::parse_duration(text.get_ref()) {
            Ok(secs) => Ok((secs, text.get_ref().trim().to_string())),
            Err(e) => Err(self.error(
                format!("{base}.min_duration"),
                Some(start + e.offset..start + e.offset),
                e.message,
            )),
        }
    }
}

impl Config {
    /// The built-in defaults, used when no config file is found.
    pub fn builtin() -> Config {
        Config {
            source: ConfigSource::BuiltIn,
            title: None,
            defaults: builtin_thresholds(),
            defaults_origin: DefaultsOrigin::BuiltIn,
            scenarios: Vec::new(),
            regression: None,
            steady_state: None,
            strict_data: None,
            history: HistoryConfig::default(),
            report: ReportConfig::default(),
        }
    }

    /// The steady-state rule for a scenario (default `auto`).
    pub fn steady_state_for(&self, sc: Option<&ScenarioConfig>) -> SteadyState {
        sc.and_then(|s| s.steady_state)
            .or(self.steady_state)
            .unwrap_or(SteadyState::Auto)
    }

    /// Whether data-sanity findings are failed checks for a scenario.
    pub fn strict_data_for(&self, sc: Option<&ScenarioConfig>) -> bool {
        sc.and_then(|s| s.strict_data)
            .or(self.strict_data)
            .unwrap_or(false)
    }

    /// The tolerances for a scenario: its own `[scenarios.X.regression]` over
    /// the global `[regression]`, over the built-in defaults when there is no
    /// global table.
    pub fn regression_for(&self, sc: Option<&ScenarioConfig>) -> Regression {
        let global = self.regression.clone().unwrap_or_else(default_regression);
        let mut rules = global.rules;
        let mut noise_floor_ms = global.noise_floor_ms.unwrap_or(DEFAULT_NOISE_FLOOR_MS);
        if let Some(own) = sc.and_then(|s| s.regression.as_ref()) {
            rules.retain(|r| !own.rules.iter().any(|o| o.metric == r.metric));
            rules.extend(own.rules.iter().cloned());
            if let Some(floor) = own.noise_floor_ms {
                noise_floor_ms = floor;
            }
        }
        Regression {
            rules,
            noise_floor_ms,
        }
    }

    /// Read and validate a config file.
    pub fn load(file: &Path) -> anyhow::Result<Config> {
        let text = std::fs::read_to_string(file)
            .map_err(|e| anyhow::anyhow!("reading config {}: {e}", file.show()))?;
        Ok(Config::from_toml(&text, file)?)
    }

    /// Parse and validate config text; `file` names it in errors.
    pub fn from_toml(text: &str, file: &Path) -> Result<Config, ConfigError> {
        let ctx = Ctx { file, text };
        let raw = ctx.raw()?;

        let (defaults, defaults_origin) = match &raw.defaults {
            Some(d) => (
                ctx.thresholds(&d.thresholds, "defaults.thresholds")?,
                DefaultsOrigin::Config,
            ),
            None => (builtin_thresholds(), DefaultsOrigin::BuiltIn),
        };

        let mut scenarios = Vec::new();
        for (key, s) in &raw.scenarios {
            scenarios.push(ctx.scenario(key, s)?);
        }

        let regression = match &raw.regression {
            Some(table) => Some(ctx.regression(table, "regression")?),
            None => None,
        };
        let steady_state = match raw.defaults.as_ref().and_then(|d| d.steady_state.as_ref()) {
            Some(raw) => Some(ctx.steady_state(raw, "defaults.steady_state")?),
            None => None,
        };
        let history = match &raw.history {
            Some(h) => ctx.history(h)?,
            None => HistoryConfig::default(),
        };
        let report = ctx.report(raw.report.as_ref())?;
        Ok(Config {
            history,
            report,
            source: ConfigSource::File(file.to_path_buf()),
            title: raw.title,
            defaults,
            defaults_origin,
            scenarios,
            regression,
            steady_state,
            strict_data: raw.defaults.as_ref().and_then(|d| d.strict_data),
        })
    }

    /// The `[scenarios.*]` table whose pattern matches `name`.
    /// Two matching tables is an error naming both.
    pub fn scenario_for(&self, name: &str) -> Result<Option<&ScenarioConfig>, String> {
        let matching: Vec<&ScenarioConfig> = self
            .scenarios
            .iter()
            .filter(|s| s.pattern.matches(name))
            .collect();
        match matching.as_slice() {
            [] => Ok(None),
            [one] => Ok(Some(one)),
            [a, b, ..] => Err(format!(
                "scenario `{name}` matches both [scenarios.{}] (match = \"{}\") and [scenarios.{}] (match = \"{}\"); make the `match` patterns exclusive",
                toml_key(&a.key),
                a.pattern,
                toml_key(&b.key),
                b.pattern
            )),
        }
    }

    /// Where a threshold comes from, for messages: `loadgate.toml: 3:15:
    /// defaults.thresholds[0]`, or just `built-in defaults`.
    pub fn threshold_label(&self, t: &ConfiguredThreshold) -> String {
        match (&self.source, t.location) {
            (ConfigSource::BuiltIn, _) => self.source_label(),
            (ConfigSource::File(_), Some(l)) => {
                format!(
                    "{}: {}:{}: {}",
                    self.source_label(),
                    l.line,
                    l.column,
                    t.key
                )
            }
            (ConfigSource::File(_), None) => format!("{}: {}", self.source_label(), t.key),
        }
    }

    /// The file name for messages, or `built-in defaults`.
    pub fn source_label(&self) -> String {
        match &self.source {
            ConfigSource::File(p) => p.show().to_string(),
            ConfigSource::BuiltIn => "built-in defaults".to_string(),
        }
    }
}

/// The built-in tolerances (see [`DEFAULT_TOLERANCES`]).
fn default_regression() -> RegressionTable {
    RegressionTable {
        rules: DEFAULT_TOLERANCES
            .iter()
            .map(|(metric, text)| {
                // Constants covered by a unit test.
                let metric = Metric::parse(metric).expect("built-in tolerance metric");
                ToleranceRule {
                    tolerance: Tolerance::parse(&metric, text).expect("built-in tolerance"),
                    metric,
                    text: text.to_string(),
                    key: "built-in tolerances".to_string(),
                }
            })
            .collect(),
        noise_floor_ms: Some(DEFAULT_NOISE_FLOOR_MS),
    }
}

fn builtin_thresholds() -> Vec<ConfiguredThreshold> {
    BUILTIN_DEFAULTS
        .iter()
        .map(|text| ConfiguredThreshold {
            // The built-in texts are constants covered by a unit test.
            threshold: Threshold::parse(text).expect("built-in thresholds parse"),
            key: "built-in defaults".to_string(),
            location: None,
        })
        .collect()
}

/// A TOML key as it would be written in a dotted path (quoted when needed).
fn toml_key(key: &str) -> String {
    if !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        key.to_string()
    } else {
        format!("{key:?}")
    }
}

fn toml_error(ctx: &Ctx<'_>, key: Option<String>, e: &toml::de::Error) -> ConfigError {
    let mut err = ctx.error(String::new(), e.span(), e.message().trim().to_string());
    err.key = key;
    err
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str) -> Result<Config, ConfigError> {
        Config::from_toml(text, Path::new("loadgate.toml"))
    }

    #[test]
    fn builtin_defaults_parse() {
        assert_eq!(Config::builtin().defaults.len(), 3);
        let r = Config::builtin().regression_for(None);
        assert_eq!(r.rules.len(), 5);
        assert_eq!(r.noise_floor_ms, 2.0);
    }

    #[test]
    fn scenario_tolerances_override_the_global_ones_by_metric() {
        let c = load("[regression]\np99 = \"+20%\"\nnoise_floor = \"5ms\"\n[scenarios.a.regression]\np99 = \"+50%\"\nrps = \"-5%\"\n").unwrap();
        let global = c.regression_for(None);
        assert_eq!(global.rules.len(), 1);
        assert_eq!(global.noise_floor_ms, 5.0);
        let a = c.regression_for(c.scenarios.first());
        let texts: Vec<(String, &str)> = a
            .rules
            .iter()
            .map(|r| (r.metric.to_string(), r.text.as_str()))
            .collect();
        assert_eq!(texts, vec![("p99".into(), "+50%"), ("rps".into(), "-5%")]);
        assert_eq!(a.noise_floor_ms, 5.0);
    }

    #[test]
    fn steady_state_and_data_keys_load() {
        let c = load("[defaults]\nthresholds = []\nsteady_state = \"after 30s\"\nstrict_data = true\n[scenarios.a]\nsteady_state = \"users >= 100\"\nusers = 100\n").unwrap();
        assert_eq!(c.steady_state_for(None), SteadyState::After(30.0));
        assert_eq!(
            c.steady_state_for(c.scenarios.first()),
            SteadyState::Users(100)
        );
        assert!(c.strict_data_for(c.scenarios.first()));
        assert_eq!(c.scenarios[0].users, Some(100));
        let e = load("[defaults]\nsteady_state = \"soon\"\n").unwrap_err();
        assert_eq!(e.key.as_deref(), Some("defaults.steady_state"));
        assert_eq!(SteadyState::parse("all").unwrap(), SteadyState::All);
        assert_eq!(SteadyState::parse("auto").unwrap(), SteadyState::Auto);
    }

    #[test]
    fn bad_tolerances_name_their_key() {
        let e = load("[regression]\np99 = \"15%\"\n").unwrap_err();
        assert_eq!(e.key.as_deref(), Some("regression.p99"));
        assert_eq!(e.location.map(|l| l.line), Some(2));
        let e = load("[regression]\nlatency = \"+1%\"\n").unwrap_err();
        assert!(
            e.message.contains("unknown metric `latency`"),
            "{}",
            e.message
        );
        let e = load("[regression]\nnoise_floor = \"two\"\n").unwrap_err();
        assert_eq!(e.key.as_deref(), Some("regression.noise_floor"));
    }

    #[test]
    fn full_example_config_loads() {
        let c = load(
            r#"
title = "Release 2026-01 load tests"
[defaults]
thresholds = ["median < 200ms", "p99 < 1s", "success_rate >= 99%"]
[scenarios.deployments]
match = "scenario1*"
required = true
min_duration = "4m"
min_requests = 10000
thresholds = ["rps >= 50"]
[[scenarios.deployments.endpoint]]
name = "/api/deployments/*"
method = "POST"
thresholds = ["p95 < 300ms"]
"#,
        )
        .unwrap();
        assert_eq!(c.title.as_deref(), Some("Release 2026-01 load tests"));
        assert_eq!(c.defaults.len(), 3);
        let s = &c.scenarios[0];
        assert_eq!(s.min_duration, Some((240.0, "4m".into())));
        assert_eq!(s.min_requests, Some(10000));
        assert_eq!(
            s.endpoints[0].thresholds[0].key,
            "scenarios.deployments.endpoint[0].thresholds[0]"
        );
        assert_eq!(
            s.thresholds[0].location,
            Some(Location {
                line: 10,
                column: 16
            })
        );
    }

    #[test]
    fn bad_threshold_names_key_line_and_column() {
        let e =
            load("[defaults]\nthresholds = [\"median < 200ms\", \"latency < 5ms\"]\n").unwrap_err();
        assert_eq!(e.key.as_deref(), Some("defaults.thresholds[1]"));
        assert_eq!(
            e.location,
            Some(Location {
                line: 2,
                column: 34
            })
        );
        let shown = e.to_string();
        assert!(
            shown.starts_with(
                "loadgate.toml:2:34: defaults.thresholds[1]: unknown metric `latency`"
            ),
            "{shown}"
        );
        assert!(shown.contains("valid metrics"), "{shown}");
    }

    #[test]
    fn hints_follow_the_threshold_and_keep_its_position() {
        // k6 syntax: the caret at the threshold's start, the message quotes
        // it once, the hint follows.
        let e = load("[scenarios.a]\nthresholds = [\"p(95)<200\"]\n").unwrap_err();
        assert_eq!(e.key.as_deref(), Some("scenarios.a.thresholds[0]"));
        assert_eq!(
            e.location,
            Some(Location {
                line: 2,
                column: 16
            })
        );
        assert_eq!(
            e.message,
            "`p(95)<200` looks like k6's threshold syntax; loadgate writes it as `p95 < 200ms`"
        );
        // A rate pointing the wrong way: the caret at the operator.
        let e =
            load("[defaults]\nthresholds = [\"median < 1s\", \"error_rate > 1%\"]\n").unwrap_err();
        assert_eq!(e.key.as_deref(), Some("defaults.thresholds[1]"));
        assert_eq!(
            e.location,
            Some(Location {
                line: 2,
                column: 42
            })
        );
        assert_eq!(
            e.message,
            "`error_rate > 1%` passes only when more than 1% of requests fail; did you mean `error_rate < 1%`?"
        );
        let shown = e.to_string();
        assert!(
            shown.ends_with(
                "2 | thresholds = [\"median < 1s\", \"error_rate > 1%\"]\n  |                                          ^"
            ),
            "{shown}"
        );
        // Other errors keep the threshold after the message, then the hint.
        let e =
            load("[[scenarios.a.endpoint]]\nname = \"/x\"\nthresholds = [\"error_rate < 1\"]\n")
                .unwrap_err();
        assert_eq!(
            e.message,
            "`error_rate` is a percentage: write the value with `%` in `error_rate < 1`; did you mean `error_rate < 1%`?"
        );
        assert_eq!(e.location.map(|l| l.column), Some(30));
        // `/s` loads as the bare number.
        let c = load("[defaults]\nthresholds = [\"rps >= 20/s\"]\n").unwrap();
        assert_eq!(c.defaults[0].threshold.target, 20.0);
    }

    #[test]
    fn unknown_keys_are_errors_with_their_path() {
        let e = load("[scenarios.a]\nthreshold = [\"median < 5\"]\n").unwrap_err();
        assert_eq!(e.key.as_deref(), Some("scenarios.a.threshold"));
        assert_eq!(e.location.map(|l| l.line), Some(2));
        assert!(e.message.contains("unknown field"), "{}", e.message);
    }

    #[test]
    fn the_history_table_loads_and_bad_values_name_their_key() {
        let c = load("[history]\nwindow = 8\nbranch = \"main\"\n").unwrap();
        assert_eq!(c.history.window, 8);
        assert_eq!(c.history.branch.as_deref(), Some("main"));
        assert_eq!(Config::builtin().history.window, DEFAULT_HISTORY_WINDOW);
        for (text, key, line) in [
            ("[history]\nwindow = 0\n", "history.window", 2),
            (
                "[history]\nbranch = \"main\"\nwindow = 1001\n",
                "history.window",
                3,
            ),
            ("[history]\nwindow = -1\n", "history.window", 2),
            ("[history]\nwindow = \"5\"\n", "history.window", 2),
            ("[history]\nbranch = \" \"\n", "history.branch", 2),
            ("[history]\nwindows = 5\n", "history.windows", 2),
        ] {
            let e = load(text).unwrap_err();
            assert_eq!(e.key.as_deref(), Some(key), "{text}: {e}");
            assert_eq!(e.location.map(|l| l.line), Some(line), "{text}: {e}");
        }
    }

    #[test]
    fn toml_syntax_errors_have_a_position() {
        let e = load("title = \"x\n").unwrap_err();
        assert_eq!(e.location.map(|l| l.line), Some(1));
    }

    #[test]
    fn wrong_types_are_errors() {
        let e = load("[scenarios.a]\nmin_requests = \"many\"\n").unwrap_err();
        assert_eq!(e.key.as_deref(), Some("scenarios.a.min_requests"));
    }

    #[test]
    fn bad_durations_are_errors() {
        let e = load("[scenarios.a]\nmin_duration = \"4\"\n").unwrap_err();
        assert_eq!(e.key.as_deref(), Some("scenarios.a.min_duration"));
    }

    #[test]
    fn missing_defaults_table_falls_back_to_builtin() {
        let c = load("title = \"t\"\n").unwrap();
        assert_eq!(c.defaults_origin, DefaultsOrigin::BuiltIn);
        let c = load("[defaults]\nthresholds = []\n").unwrap();
        assert!(c.defaults.is_empty());
        assert_eq!(c.defaults_origin, DefaultsOrigin::Config);
    }

    #[test]
    fn a_scenario_matching_two_tables_is_an_error() {
        let c = load("[scenarios.a]\nmatch = \"s*\"\n[scenarios.b]\nmatch = \"*1\"\n").unwrap();
        let e = c.scenario_for("s1").unwrap_err();
        assert!(
            e.contains("[scenarios.a]") && e.contains("[scenarios.b]"),
            "{e}"
        );
        assert_eq!(c.scenario_for("s2").unwrap().unwrap().key, "a");
        assert!(c.scenario_for("x").unwrap().is_none());
    }
}
