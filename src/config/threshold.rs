//! The threshold language: `METRIC OP VALUE[UNIT]`, e.g. `p99 < 1s`,
//! `success_rate >= 99%`, `rps >= 50`, and durations such as `4m`.
//!
//! Values are normalised to one canonical unit per metric kind (ms for
//! times, percent for rates, plain numbers for counts and per-second rates),
//! so evaluation compares like with like.

use std::fmt;

use crate::model::Stats;

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
    pub fn unit(self) -> &'static str {
        match self {
            MetricKind::Time => "ms",
            MetricKind::Rate => "%",
            MetricKind::Count => "",
            MetricKind::PerSecond => "/s",
        }
    }
}

/// A metric of the threshold language.
#[derive(Debug, Clone, PartialEq)]
pub enum Metric {
    Requests,
    Failures,
    Median,
    Avg,
    Min,
    Max,
    /// `pN`: the percentile column `N%`. Keeps the text as written (`99.9`).
    Percentile {
        level: f64,
        label: String,
    },
    Rps,
    FailuresPerS,
    SuccessRate,
    ErrorRate,
    /// The user count: peak users, or per tick in a window (from the history).
    Users,
    /// Mean requests/s over the steady part of the run (from the history).
    RpsSteady,
}

/// The metric names as listed in error messages.
/// The largest target a threshold may set, in the metric's canonical unit
/// (ms, /s, %, a count): 10^15, far above any real figure, and small enough
/// that every output can show it whole.
pub const MAX_TARGET: f64 = 1e15;

/// The most decimals a percentile level may have (`p99.9999`).
pub const MAX_PERCENTILE_DECIMALS: usize = 4;

pub const METRIC_NAMES: &str = "requests, failures, median, avg, min, max, pN (any percentile column, e.g. p95, p99, p99.9), rps, rps.steady, failures_per_s, success_rate, error_rate, users";

/// The metrics a `for DURATION` window can check, as listed in error messages.
pub const WINDOW_METRIC_NAMES: &str = "rps, failures_per_s, median, pN (e.g. p95), users";

impl Metric {
    /// The metric named `name`, e.g. `median`, `p99.9`, `rps`.
    pub fn parse(name: &str) -> Option<Metric> {
        Some(match name {
            "requests" => Metric::Requests,
            "failures" => Metric::Failures,
            "median" => Metric::Median,
            "avg" => Metric::Avg,
            "min" => Metric::Min,
            "max" => Metric::Max,
            "rps" => Metric::Rps,
            "failures_per_s" => Metric::FailuresPerS,
            "success_rate" => Metric::SuccessRate,
            "error_rate" => Metric::ErrorRate,
            "users" => Metric::Users,
            "rps.steady" => Metric::RpsSteady,
            _ => {
                let label = name.strip_prefix('p')?;
                if label.is_empty() || !label.chars().all(|c| c.is_ascii_digit() || c == '.') {
                    return None;
                }
                let level: f64 = label.parse().ok()?;
                if !(level > 0.0 && level <= 100.0) {
                    return None;
                }
                // At most 4 decimals (Locust's finest column is 99.999%,
                // 99.9999 is one in a million): `p99.99999999999999999999`
                // is not a percentile any file has, and f64 cannot tell it
                // from p100.
                if label
                    .split_once('.')
                    .is_some_and(|(_, decimals)| decimals.len() > MAX_PERCENTILE_DECIMALS)
                {
                    return None;
                }
                Metric::Percentile {
                    level,
                    label: label.to_string(),
                }
            }
        })
    }

    pub fn kind(&self) -> MetricKind {
        match self {
            Metric::Requests | Metric::Failures | Metric::Users => MetricKind::Count,
            Metric::Median
            | Metric::Avg
            | Metric::Min
            | Metric::Max
            | Metric::Percentile { .. } => MetricKind::Time,
            Metric::Rps | Metric::RpsSteady | Metric::FailuresPerS => MetricKind::PerSecond,
            Metric::SuccessRate | Metric::ErrorRate => MetricKind::Rate,
        }
    }

    /// The value of this metric in `stats`, in the canonical unit.
    ///
    /// `Ok(None)` means the data has no value (Locust wrote `N/A`, or there
    /// were no requests); `Err` lists the percentiles that exist when the
    /// data has no such percentile column.
    pub fn value(&self, stats: &Stats) -> Result<Option<f64>, Vec<String>> {
        Ok(match self {
            Metric::Requests => Some(stats.requests as f64),
            Metric::Failures => Some(stats.failures as f64),
            Metric::Median => stats.median_ms,
            Metric::Avg => stats.avg_ms,
            Metric::Min => stats.min_ms,
            Metric::Max => stats.max_ms,
            Metric::Percentile { level, .. } => match stats.percentiles_ms.get(*level) {
                Some(v) => v,
                None => {
                    return Err(stats
                        .percentiles_ms
                        .labels()
                        .iter()
                        .map(|l| format!("p{l}"))
                        .collect());
                }
            },
            Metric::Rps => Some(stats.rps),
            Metric::FailuresPerS => Some(stats.failures_per_s),
            Metric::SuccessRate => stats.success_rate,
            Metric::ErrorRate => stats.error_rate(),
            // History metrics: not in a stats row (see `evaluate`).
            Metric::Users | Metric::RpsSteady => None,
        })
    }

    /// Whether the metric comes from the history rather than a stats row.
    pub fn from_history(&self) -> bool {
        matches!(self, Metric::Users | Metric::RpsSteady)
    }

    /// Whether a `for DURATION` window can check this metric.
    pub fn windowable(&self) -> bool {
        matches!(
            self,
            Metric::Rps
                | Metric::FailuresPerS
                | Metric::Median
                | Metric::Percentile { .. }
                | Metric::Users
        )
    }
}

impl fmt::Display for Metric {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match self {
            Metric::Requests => "requests",
            Metric::Failures => "failures",
            Metric::Median => "median",
            Metric::Avg => "avg",
            Metric::Min => "min",
            Metric::Max => "max",
            Metric::Percentile { label, .. } => return write!(f, "p{label}"),
            Metric::Rps => "rps",
            Metric::FailuresPerS => "failures_per_s",
            Metric::SuccessRate => "success_rate",
            Metric::ErrorRate => "error_rate",
            Metric::Users => "users",
            Metric::RpsSteady => "rps.steady",
        };
        f.write_str(name)
    }
}

/// A comparison operator; serialised as written (`<`, `<=`, …).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Op {
    #[serde(rename = "<")]
    Lt,
    #[serde(rename = "<=")]
    Le,
    #[serde(rename = ">")]
    Gt,
    #[serde(rename = ">=")]
    Ge,
    #[serde(rename = "==")]
    Eq,
}

impl Op {
    pub fn holds(self, actual: f64, target: f64) -> bool {
        match self {
            Op::Lt => actual < target,
            Op::Le => actual <= target,
            Op::Gt => actual > target,
            Op::Ge => actual >= target,
            Op::Eq => actual == target,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Op::Lt => "<",
            Op::Le => "<=",
            Op::Gt => ">",
            Op::Ge => ">=",
            Op::Eq => "==",
        }
    }

    /// The operator as a release manager writes it: `<`, `≤`, `>`, `≥`, `=`.
    pub fn symbol(self) -> &'static str {
        match self {
            Op::Lt => "<",
            Op::Le => "≤",
            Op::Gt => ">",
            Op::Ge => "≥",
            Op::Eq => "=",
        }
    }

    /// The operator pointing the other way: `<` for `>`, `>=` for `<=`.
    pub fn mirrored(self) -> Op {
        match self {
            Op::Lt => Op::Gt,
            Op::Le => Op::Ge,
            Op::Gt => Op::Lt,
            Op::Ge => Op::Le,
            Op::Eq => Op::Eq,
        }
    }
}

/// A parsed threshold.
#[derive(Debug, Clone, PartialEq)]
pub struct Threshold {
    /// The text as written in the config (trimmed).
    pub text: String,
    pub metric: Metric,
    pub op: Op,
    /// The target in the metric's canonical unit.
    pub target: f64,
    /// `for DURATION`: fail only when violated continuously this long (seconds).
    pub window_s: Option<f64>,
}

/// Why a threshold or duration did not parse, and where in its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// Byte offset in the text where the problem starts.
    pub offset: usize,
    pub message: String,
    /// What the user probably meant, in loadgate's spelling, e.g. "did you
    /// mean `error_rate < 1%`?". Shown after the message (and after the
    /// quoted threshold, in config errors).
    pub hint: Option<String>,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        if let Some(hint) = &self.hint {
            write!(f, "; {hint}")?;
        }
        Ok(())
    }
}

fn err<T>(offset: usize, message: impl Into<String>) -> Result<T, ParseError> {
    Err(ParseError {
        offset,
        message: message.into(),
        hint: None,
    })
}

fn err_hint<T>(
    offset: usize,
    message: impl Into<String>,
    hint: impl Into<String>,
) -> Result<T, ParseError> {
    Err(ParseError {
        offset,
        message: message.into(),
        hint: Some(hint.into()),
    })
}

/// A tiny cursor over the threshold text.
struct Cursor<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn skip_ws(&mut self) {
        let rest = &self.text[self.pos..];
        self.pos += rest.len() - rest.trim_start().len();
    }

    fn take_while(&mut self, f: impl Fn(char) -> bool) -> &'a str {
        let rest = &self.text[self.pos..];
        let end = rest.find(|c: char| !f(c)).unwrap_or(rest.len());
        self.pos += end;
        &rest[..end]
    }

    fn rest(&self) -> &'a str {
        &self.text[self.pos..]
    }
}

impl Threshold {
    /// Parse `METRIC OP VALUE[UNIT]`.
    ///
    /// This is the grammar alone: `error_rate > 1%` parses. A config goes
    /// through [`Threshold::parse_strict`], which also refuses rate
    /// thresholds that point the wrong way.
    pub fn parse(text: &str) -> Result<Threshold, ParseError> {
        parse_with_op_offset(text).map(|(threshold, _)| threshold)
    }

    /// [`Threshold::parse`], then refuse a threshold that is well formed but
    /// passes only when the service is failing: `success_rate < 99%`,
    /// `success_rate <= 99%`, `error_rate > 1%`, `error_rate >= 1%`. The
    /// error points at the operator and suggests the mirrored one.
    pub fn parse_strict(text: &str) -> Result<Threshold, ParseError> {
        let (threshold, op_at) = parse_with_op_offset(text)?;
        if let Some(problem) = wrong_way(&threshold.metric, threshold.op, threshold.target) {
            let op_len = threshold.op.as_str().len();
            let lead = text.len() - text.trim_start().len();
            let trimmed = text.trim();
            let mirrored = format!(
                "{}{}{}",
                &text[lead..op_at],
                threshold.op.mirrored().as_str(),
                &text[op_at + op_len..lead + trimmed.len()]
            );
            return err_hint(
                op_at,
                format!("`{trimmed}` {problem}"),
                format!("did you mean `{mirrored}`?"),
            );
        }
        Ok(threshold)
    }
}

/// Why a rate threshold with this operator and target can pass only when
/// the service fails (or always passes), e.g. "passes only when more than 1%
/// of requests fail"; `None` when it points the right way.
fn wrong_way(metric: &Metric, op: Op, target: f64) -> Option<String> {
    Some(match (metric, op) {
        (Metric::ErrorRate, Op::Ge) if target == 0.0 => "always passes".to_string(),
        (Metric::ErrorRate, Op::Gt) => {
            format!("passes only when more than {target}% of requests fail")
        }
        (Metric::ErrorRate, Op::Ge) => {
            format!("passes only when at least {target}% of requests fail")
        }
        (Metric::SuccessRate, Op::Le) if target == 100.0 => "always passes".to_string(),
        (Metric::SuccessRate, Op::Lt) => {
            format!("passes only when fewer than {target}% of requests succeed")
        }
        (Metric::SuccessRate, Op::Le) => {
            format!("passes only when at most {target}% of requests succeed")
        }
        _ => return None,
    })
}

/// The parser behind [`Threshold::parse`]; also returns where the operator starts.
fn parse_with_op_offset(text: &str) -> Result<(Threshold, usize), ParseError> {
    let mut c = Cursor { text, pos: 0 };
    c.skip_ws();
    let metric_at = c.pos;
    let name = c.take_while(|ch| ch.is_ascii_alphanumeric() || ch == '_' || ch == '.');
    if name.is_empty() {
        return err(
            metric_at,
            format!("expected a metric name; valid metrics: {METRIC_NAMES}"),
        );
    }
    let Some(metric) = Metric::parse(name) else {
        if let Some((message, hint)) = k6::hint(text) {
            return err_hint(metric_at, message, hint);
        }
        let message = format!("unknown metric `{name}`; valid metrics: {METRIC_NAMES}");
        if name == "p" && c.rest().starts_with('(') {
            return err_hint(
                metric_at,
                message,
                "a percentile is written `p95`, not k6's `p(95)`",
            );
        }
        return err(metric_at, message);
    };
    c.skip_ws();
    let op_at = c.pos;
    let op = [
        ("<=", Op::Le),
        (">=", Op::Ge),
        ("==", Op::Eq),
        ("<", Op::Lt),
        (">", Op::Gt),
    ]
    .into_iter()
    .find(|(s, _)| c.rest().starts_with(s));
    let Some((op_text, op)) = op else {
        return err(
            op_at,
            format!("expected an operator (<, <=, >, >=, ==) after `{name}`"),
        );
    };
    c.pos += op_text.len();
    c.skip_ws();
    let value_at = c.pos;
    let number = c.take_while(|ch| ch.is_ascii_digit() || ch == '.' || ch == '-' || ch == '+');
    let Ok(value) = number.parse::<f64>() else {
        return err(
            value_at,
            format!("expected a number after `{op_text}`, found `{}`", c.rest()),
        );
    };
    if !value.is_finite() || value < 0.0 {
        return err(
            value_at,
            format!("`{number}` must be a number of 0 or more"),
        );
    }
    c.skip_ws();
    let unit_at = c.pos;
    let mut unit = if c.rest().starts_with('/') {
        // `20/s`, as loadgate's reports print a per-second rate.
        c.pos += 1;
        c.take_while(|ch| ch.is_ascii_alphabetic());
        &text[unit_at..c.pos]
    } else {
        c.take_while(|ch| ch.is_ascii_alphabetic() || ch == '%')
    };
    if unit == "for" {
        // `rps >= 100 for 1m`: no unit, the window follows.
        c.pos = unit_at;
        unit = "";
    }
    if metric.kind() == MetricKind::Rate && unit.is_empty() {
        return err_hint(
            unit_at,
            format!("`{metric}` is a percentage: write the value with `%`"),
            bare_rate_hint(&metric, op, number, value),
        );
    }
    let target = apply_unit(&metric, value, unit, unit_at)?;
    if !target.is_finite() || target > MAX_TARGET {
        return err(
            value_at,
            format!("`{number}{unit}` is too large: a target is at most 10^15 (in ms for times)"),
        );
    }
    c.skip_ws();
    let mut window_s = None;
    if let Some(after) = c.rest().strip_prefix("for")
        && (after.is_empty() || after.starts_with(char::is_whitespace))
    {
        let for_at = c.pos;
        c.pos += 3;
        c.skip_ws();
        let duration_at = c.pos;
        let seconds = parse_duration(c.rest()).map_err(|e| ParseError {
            offset: duration_at + e.offset,
            message: format!("{} after `for`", e.message),
            hint: e.hint,
        })?;
        if !metric.windowable() {
            return err(
                for_at,
                format!(
                    "`{metric}` cannot be checked over a window; `for` works with {WINDOW_METRIC_NAMES}"
                ),
            );
        }
        if seconds <= 0.0 {
            return err(duration_at, "a window must be longer than 0 s");
        }
        window_s = Some(seconds);
        c.pos = c.text.len();
    }
    if !c.rest().is_empty() {
        return err(
            c.pos,
            format!(
                "unexpected `{}` after the value; a threshold is `METRIC OP VALUE[UNIT] [for DURATION]`",
                c.rest()
            ),
        );
    }
    Ok((
        Threshold {
            text: text.trim().to_string(),
            metric,
            op,
            target,
            window_s,
        },
        op_at,
    ))
}

/// The hint for a rate written without `%`, e.g. `error_rate < 1`: the same
/// number as a percentage, or, below 1, the number read as a fraction
/// (`success_rate >= 0.99`, as k6 writes rates) and turned into a percentage.
/// When the suggestion would point the wrong way, it is mirrored and says so.
fn bare_rate_hint(metric: &Metric, op: Op, number: &str, value: f64) -> String {
    let fraction = value < 1.0;
    let percent = if fraction {
        fraction_as_percent(number)
    } else {
        number.trim_start_matches('+').to_string()
    };
    let written = format!("{metric} {} {percent}%", op.as_str());
    let problem = percent
        .parse::<f64>()
        .ok()
        .and_then(|target| wrong_way(metric, op, target));
    let suggested = match problem {
        Some(_) => format!("{metric} {} {percent}%", op.mirrored().as_str()),
        None => written.clone(),
    };
    let mut hint = format!("did you mean `{suggested}`?");
    let mut why = Vec::new();
    if fraction && value > 0.0 {
        why.push(format!(
            "loadgate's rates are percentages, not fractions: {number} is {percent}%"
        ));
    }
    if let Some(problem) = problem {
        why.push(format!("`{written}` {problem}"));
    }
    if !why.is_empty() {
        hint.push_str(&format!(" ({})", why.join(", and ")));
    }
    hint
}

/// A decimal number times 100, as exact text: `0.99` → `99`, `0.995` →
/// `99.5`, `.5` → `50`, `0.001` → `0.1`.
fn fraction_as_percent(number: &str) -> String {
    let number = number.trim_start_matches('+');
    let (int, frac) = number.split_once('.').unwrap_or((number, ""));
    let mut digits = format!("{int}{frac}");
    let point = int.len() + 2;
    while digits.len() < point {
        digits.push('0');
    }
    let (int, frac) = digits.split_at(point);
    let int = match int.trim_start_matches('0') {
        "" => "0",
        kept => kept,
    };
    match frac.trim_end_matches('0') {
        "" => int.to_string(),
        frac => format!("{int}.{frac}"),
    }
}

fn apply_unit(metric: &Metric, value: f64, unit: &str, at: usize) -> Result<f64, ParseError> {
    match (metric.kind(), unit) {
        (MetricKind::Time, "" | "ms") => Ok(value),
        (MetricKind::Time, "s") => Ok(value * 1000.0),
        (MetricKind::Time, _) => err(
            at,
            format!(
                "`{metric}` is a time: use the unit ms or s (a bare number means ms), not `{unit}`"
            ),
        ),
        (MetricKind::Rate, "%") if value <= 100.0 => Ok(value),
        (MetricKind::Rate, "%") => err(at, format!("`{metric}` is a percentage: at most 100%")),
        (MetricKind::Rate, _) => {
            let example = match metric {
                Metric::ErrorRate => "error_rate < 1%",
                _ => "success_rate >= 99%",
            };
            err(
                at,
                format!("`{metric}` is a percentage: write the value with `%`, e.g. `{example}`"),
            )
        }
        (MetricKind::Count, "") | (MetricKind::PerSecond, "" | "/s") => Ok(value),
        (MetricKind::Count, "/s") => {
            let message =
                format!("`{metric}` takes a bare number, without a unit (found `{unit}`)");
            match metric {
                Metric::Requests => err_hint(at, message, "requests per second is `rps`"),
                Metric::Failures => {
                    err_hint(at, message, "failures per second is `failures_per_s`")
                }
                _ => err(at, message),
            }
        }
        (MetricKind::Count, _) => err(
            at,
            format!("`{metric}` takes a bare number, without a unit (found `{unit}`)"),
        ),
        (MetricKind::PerSecond, _) => err(
            at,
            format!(
                "`{metric}` takes a bare number or one with `/s`, such as `20/s` (found `{unit}`)"
            ),
        ),
    }
}

/// k6's threshold syntax, for a hint when a threshold is written in it.
///
/// k6 writes `p(95)<200` (trend aggregations `avg`, `min`, `max`, `med`,
/// `p(N)`, in ms without a unit), `rate<0.01` (a rate as a fraction, or
/// per second on a counter), `count>100`, often with the k6 metric before
/// it as in a k6 script: `http_req_duration: p(95)<200`,
/// `http_req_failed: rate<0.01`, `http_reqs: rate>20`.
mod k6 {
    use super::{Metric, Op, Threshold, fraction_as_percent, wrong_way};

    /// The k6 metrics [`translate`] knows; another one before `:` has no
    /// counterpart in loadgate.
    const K6_METRICS: [&str; 5] = [
        "http_req_duration",
        "http_reqs",
        "http_req_failed",
        "checks",
        "vus",
    ];

    /// A k6 threshold expression, taken apart.
    struct Expr<'a> {
        /// The k6 metric before `:`, and whether it had a `{tag:value}` selector.
        metric: Option<(&'a str, bool)>,
        /// `med`, `avg`, `rate`, …, or `p(N)` as written.
        aggregation: &'a str,
        /// The level of `p(N)`, as loadgate names the metric (`p95`).
        percentile: Option<String>,
        op: Op,
        number: &'a str,
        unit: &'a str,
    }

    fn skip_ws(s: &str) -> &str {
        s.trim_start()
    }

    fn ident(s: &str) -> (&str, &str) {
        let end = s
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(s.len());
        s.split_at(end)
    }

    fn parse(text: &str) -> Option<Expr<'_>> {
        let mut rest = text.trim();
        // `http_req_duration:` or `http_req_duration{status:200}:`
        let mut metric = None;
        let (name, after) = ident(rest);
        let (tagged, after) = match after.strip_prefix('{') {
            Some(tags) => (true, &tags[tags.find('}')? + 1..]),
            None => (false, after),
        };
        if !name.is_empty()
            && let Some(after) = skip_ws(after).strip_prefix(':')
        {
            metric = Some((name, tagged));
            rest = skip_ws(after);
        }
        let (aggregation, percentile) = if let Some(inner) = rest.strip_prefix("p(") {
            let close = inner.find(')')?;
            let level = inner[..close].trim();
            let written = &rest[..close + 3];
            rest = &inner[close + 1..];
            (written, Some(format!("p{level}")))
        } else {
            let (name, after) = ident(rest);
            rest = after;
            (name, None)
        };
        rest = skip_ws(rest);
        let (op, after) = [
            ("===", Op::Eq),
            ("==", Op::Eq),
            (">=", Op::Ge),
            ("<=", Op::Le),
            ("<", Op::Lt),
            (">", Op::Gt),
        ]
        .into_iter()
        .find_map(|(s, op)| rest.strip_prefix(s).map(|after| (op, after)))?;
        rest = skip_ws(after);
        let end = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '+'))
            .unwrap_or(rest.len());
        let (number, after) = rest.split_at(end);
        number.parse::<f64>().ok()?;
        let after = skip_ws(after);
        let end = after
            .find(|c: char| !(c.is_ascii_alphabetic() || c == '%'))
            .unwrap_or(after.len());
        let (unit, after) = after.split_at(end);
        if !after.trim().is_empty() {
            return None;
        }
        Some(Expr {
            metric,
            aggregation,
            percentile,
            op,
            number,
            unit,
        })
    }

    /// loadgate's spelling of a k6 expression, and a note on what changed.
    fn translate(e: &Expr<'_>) -> Option<(String, Option<&'static str>)> {
        let op = e.op.as_str();
        let number = e.number.trim_start_matches('+');
        let k6_metric = e.metric.map(|(name, _)| name);
        let time = |name: &str| {
            // Only names loadgate knows: the translation is parsed again.
            Metric::parse(name)?;
            let unit = match e.unit {
                "" => "ms",
                "ms" | "s" => e.unit,
                _ => return None,
            };
            Some((format!("{name} {op} {number}{unit}"), None))
        };
        let fraction = |name: &str| {
            if e.unit == "%" {
                return Some((format!("{name} {op} {number}%"), None));
            }
            if !e.unit.is_empty() || number.parse::<f64>().ok()? > 1.0 {
                return None;
            }
            Some((
                format!("{name} {op} {}%", fraction_as_percent(number)),
                Some("k6's `rate` is a fraction, loadgate's rates are percentages"),
            ))
        };
        let bare = |name: &str| {
            e.unit
                .is_empty()
                .then(|| (format!("{name} {op} {number}"), None))
        };
        if let Some(level) = &e.percentile {
            return match k6_metric {
                None | Some("http_req_duration") => time(level),
                _ => None,
            };
        }
        match (k6_metric, e.aggregation) {
            (None | Some("http_req_duration"), "med") => time("median"),
            (None | Some("http_req_duration"), agg @ ("avg" | "min" | "max")) => time(agg),
            (None | Some("http_reqs"), "count") => bare("requests"),
            (Some("http_reqs"), "rate") => bare("rps"),
            (Some("http_req_failed"), "rate") => fraction("error_rate"),
            (Some("checks"), "rate") => fraction("success_rate").map(|(written, _)| {
                (
                    written,
                    Some(
                        "k6's checks are its own assertions, the nearest loadgate has is the share of requests that succeeded, as a percentage",
                    ),
                )
            }),
            // A bare `rate`: a fraction of failed requests (`rate<0.01`) or
            // of passed checks (`rate>0.99`); above 1 it can only be a
            // counter's rate per second.
            (None, "rate") => match number.parse::<f64>().ok()? {
                v if v > 1.0 && e.unit.is_empty() => bare("rps"),
                _ if matches!(e.op, Op::Gt | Op::Ge) => fraction("success_rate"),
                _ => fraction("error_rate"),
            },
            // A gauge's `max` is its peak, like loadgate's `users`.
            (Some("vus"), "max") => bare("users"),
            _ => None,
        }
    }

    /// The message and hint for a threshold written in k6's syntax, or
    /// `None` when it is not k6's.
    pub(super) fn hint(text: &str) -> Option<(String, String)> {
        let e = parse(text)?;
        let message = format!("`{}` looks like k6's threshold syntax", text.trim());
        let Some((written, note)) = translate(&e) else {
            // A k6 expression loadgate has no counterpart for, such as
            // `iteration_duration: p(95)<500`.
            let known = e.percentile.is_some()
                || matches!(
                    e.aggregation,
                    "med" | "avg" | "min" | "max" | "count" | "rate" | "value"
                );
            let (name, _) = e
                .metric
                .filter(|(name, _)| known && !K6_METRICS.contains(name))?;
            return Some((
                message,
                format!(
                    "loadgate has no `{name}`: its thresholds are on the requests of a scenario or an endpoint, with the metrics {}",
                    super::METRIC_NAMES
                ),
            ));
        };
        let threshold = Threshold::parse(&written).ok()?;
        let mut hint = format!("loadgate writes it as `{written}`");
        if let Some(note) = note {
            hint.push_str(&format!(" ({note})"));
        }
        if let Some(problem) = wrong_way(&threshold.metric, threshold.op, threshold.target) {
            hint.push_str(&format!(
                ", which {problem}; did you mean `{} {} {}`?",
                threshold.metric,
                threshold.op.mirrored().as_str(),
                &written[written.rfind(' ').map_or(0, |i| i + 1)..]
            ));
        }
        if e.metric.is_some_and(|(_, tagged)| tagged) {
            hint.push_str(
                "; thresholds for one endpoint go in a `[[scenarios.NAME.endpoint]]` table",
            );
        }
        Some((message, hint))
    }
}

/// Which way a metric must not move for a tolerance: the sign of `+10%` or `-0.5`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Worse {
    /// `+`: a rise is bad (times, failures).
    Higher,
    /// `-`: a fall is bad (throughput, success rate).
    Lower,
}

/// How far a metric may move against a baseline before it counts as a regression.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Tolerance {
    pub worse: Worse,
    /// In percent of the baseline when `relative`, else in the metric's canonical unit
    /// (ms for times, percentage points for rates, plain numbers otherwise).
    pub amount: f64,
    pub relative: bool,
}

impl Tolerance {
    /// Parse `+10%`, `-10%`, `-0.5` (percentage points for a rate), `+5ms`, `+0.5s`.
    pub fn parse(metric: &Metric, text: &str) -> Result<Tolerance, ParseError> {
        let t = text.trim();
        let worse = match t.chars().next() {
            Some('+') => Worse::Higher,
            Some('-') => Worse::Lower,
            _ => {
                return err(
                    0,
                    format!(
                        "a tolerance starts with + (a rise is worse) or - (a fall is worse), e.g. \"+10%\"; found `{t}`"
                    ),
                );
            }
        };
        let mut c = Cursor { text: t, pos: 1 };
        c.skip_ws();
        let at = c.pos;
        let number = c.take_while(|ch| ch.is_ascii_digit() || ch == '.');
        let Ok(amount) = number.parse::<f64>() else {
            return err(at, format!("expected a number after the sign in `{t}`"));
        };
        c.skip_ws();
        let unit_at = c.pos;
        let unit = c.take_while(|ch| ch.is_ascii_alphabetic() || ch == '%');
        if !c.rest().trim().is_empty() {
            return err(
                c.pos,
                format!("unexpected `{}` in tolerance `{t}`", c.rest()),
            );
        }
        let (amount, relative) = match (metric.kind(), unit) {
            (_, "%") => (amount, true),
            (MetricKind::Time, "" | "ms") => (amount, false),
            (MetricKind::Time, "s") => (amount * 1000.0, false),
            (MetricKind::Rate | MetricKind::Count | MetricKind::PerSecond, "") => (amount, false),
            _ => {
                return err(
                    unit_at,
                    format!(
                        "`{unit}` is not a unit for `{metric}`; use `%` for a change relative to the baseline, or an absolute amount"
                    ),
                );
            }
        };
        Ok(Tolerance {
            worse,
            amount,
            relative,
        })
    }
}

/// Parse a duration such as `4m`, `90s`, `1h30m`, `500ms` into seconds.
pub fn parse_duration(text: &str) -> Result<f64, ParseError> {
    let mut c = Cursor {
        text: text.trim(),
        pos: 0,
    };
    if c.rest().is_empty() {
        return err(0, "expected a duration such as `30s`, `4m` or `1h30m`");
    }
    let mut total = 0.0;
    while !c.rest().is_empty() {
        let at = c.pos;
        let number = c.take_while(|ch| ch.is_ascii_digit() || ch == '.');
        let Ok(value) = number.parse::<f64>() else {
            return err(
                at,
                format!(
                    "expected a number at `{}`; a duration is like `30s`, `4m` or `1h30m`",
                    c.rest()
                ),
            );
        };
        let unit_at = c.pos;
        let unit = c.take_while(|ch| ch.is_ascii_alphabetic());
        let factor = match unit {
            "ms" => 0.001,
            "s" => 1.0,
            "m" | "min" => 60.0,
            "h" => 3600.0,
            "" => {
                return err(
                    unit_at,
                    format!("`{number}` needs a unit: ms, s, m or h (e.g. `{number}s`)"),
                );
            }
            _ => {
                return err(
                    unit_at,
                    format!("unknown duration unit `{unit}`; use ms, s, m or h"),
                );
            }
        };
        total += value * factor;
    }
    // Ten years: longer is a typo, and would overflow later arithmetic.
    if !(total.is_finite() && total <= 10.0 * 365.0 * 86_400.0) {
        return err(0, format!("`{}` is longer than 10 years", c.text));
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Threshold {
        Threshold::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    #[test]
    fn times_default_to_milliseconds_and_seconds_convert() {
        assert_eq!(parse("median < 200").target, 200.0);
        assert_eq!(parse("median < 200ms").target, 200.0);
        assert_eq!(parse("p99 < 1s").target, 1000.0);
        assert_eq!(parse("p99<1.5 s").target, 1500.0);
    }

    #[test]
    fn operators_parse_longest_first() {
        assert_eq!(parse("rps >= 50").op, Op::Ge);
        assert_eq!(parse("rps > 50").op, Op::Gt);
        assert_eq!(parse("max <= 3s").op, Op::Le);
        assert_eq!(parse("failures == 0").op, Op::Eq);
    }

    #[test]
    fn targets_and_percentiles_are_bounded() {
        let huge = format!("rps >= 1{}", "0".repeat(308));
        assert!(
            Threshold::parse(&huge)
                .unwrap_err()
                .message
                .contains("too large")
        );
        assert!(Threshold::parse("rps >= 10000000000000000").is_err());
        assert!(Threshold::parse("rps >= 1000000000000000").is_ok());
        assert!(Threshold::parse("p99.99999999999999999999 < 1s").is_err());
        assert!(Threshold::parse("p99.9999 < 1s").is_ok());
    }

    #[test]
    fn percentiles_keep_their_label() {
        let t = parse("p99.9 < 2s");
        assert_eq!(
            t.metric,
            Metric::Percentile {
                level: 99.9,
                label: "99.9".into()
            }
        );
        assert_eq!(t.metric.to_string(), "p99.9");
    }

    #[test]
    fn rates_require_percent() {
        assert_eq!(parse("success_rate >= 99%").target, 99.0);
        let e = Threshold::parse("success_rate >= 99").unwrap_err();
        assert!(e.message.contains("percentage"), "{e}");
        assert!(Threshold::parse("error_rate < 101%").is_err());
    }

    #[test]
    fn counts_reject_units() {
        let e = Threshold::parse("requests > 10ms").unwrap_err();
        assert!(e.message.contains("bare number"), "{e}");
        assert_eq!(e.offset, 13);
    }

    #[test]
    fn unknown_metric_lists_the_valid_ones() {
        let e = Threshold::parse("latency < 5ms").unwrap_err();
        assert!(e.message.contains("unknown metric `latency`"));
        assert!(e.message.contains("success_rate"));
        assert_eq!(e.offset, 0);
    }

    #[test]
    fn malformed_thresholds_are_errors() {
        for bad in [
            "",
            "median",
            "median 200",
            "median < ",
            "median < abc",
            "median < -5",
            "median < 200 ms extra",
            "p0 < 5",
            "p101 < 5",
            "median ≤ 5",
        ] {
            assert!(Threshold::parse(bad).is_err(), "{bad:?} should not parse");
        }
    }

    #[test]
    fn tolerances_carry_direction_and_kind() {
        let p99 = Metric::parse("p99").unwrap();
        assert_eq!(
            Tolerance::parse(&p99, "+15%").unwrap(),
            Tolerance {
                worse: Worse::Higher,
                amount: 15.0,
                relative: true
            }
        );
        assert_eq!(Tolerance::parse(&p99, "+0.5s").unwrap().amount, 500.0);
        let sr = Metric::parse("success_rate").unwrap();
        let t = Tolerance::parse(&sr, "-0.5").unwrap();
        assert_eq!((t.worse, t.amount, t.relative), (Worse::Lower, 0.5, false));
        assert!(
            Tolerance::parse(&p99, "10%")
                .unwrap_err()
                .message
                .contains("starts with +")
        );
        assert!(Tolerance::parse(&sr, "-1ms").is_err());
        assert!(Tolerance::parse(&p99, "+ten%").is_err());
    }

    #[test]
    fn windows_follow_the_value() {
        let t = parse("p95 < 300ms for 30s");
        assert_eq!((t.target, t.window_s), (300.0, Some(30.0)));
        assert_eq!(parse("rps >= 100 for 1m").window_s, Some(60.0));
        assert_eq!(parse("users >= 50 for 10s").metric, Metric::Users);
        assert_eq!(parse("rps.steady >= 100").metric, Metric::RpsSteady);
        assert!(
            Threshold::parse("requests > 5 for 10s")
                .unwrap_err()
                .message
                .contains("cannot be checked over a window")
        );
        assert!(Threshold::parse("p95 < 300ms for").is_err());
        assert!(Threshold::parse("p95 < 300ms for 10").is_err());
        assert!(Threshold::parse("p95 < 300ms forever").is_err());
    }

    /// The message and hint of a threshold that does not parse, as shown.
    fn shown(text: &str) -> String {
        Threshold::parse_strict(text)
            .map(|t| panic!("{text} parsed as {t:?}"))
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn k6_thresholds_get_loadgate_spelling() {
        for (k6, loadgate) in [
            ("p(95)<200", "p95 < 200ms"),
            ("p(99.9) < 1s", "p99.9 < 1s"),
            ("p( 99 ) <= 300ms", "p99 <= 300ms"),
            ("med<50", "median < 50ms"),
            ("http_req_duration: p(95)<200", "p95 < 200ms"),
            ("http_req_duration : avg < 100", "avg < 100ms"),
            ("http_req_duration: max===5000", "max == 5000ms"),
            ("rate<0.01", "error_rate < 1%"),
            ("rate>=0.995", "success_rate >= 99.5%"),
            ("rate>20", "rps > 20"),
            ("http_req_failed: rate<0.01", "error_rate < 1%"),
            ("http_req_failed: rate<1%", "error_rate < 1%"),
            ("checks: rate>0.99", "success_rate > 99%"),
            ("http_reqs: rate>20", "rps > 20"),
            ("http_reqs: count>1000", "requests > 1000"),
            ("count>1000", "requests > 1000"),
            ("vus: max>=50", "users >= 50"),
        ] {
            let e = Threshold::parse(k6).unwrap_err();
            assert_eq!(e.offset, 0, "{k6}");
            assert_eq!(
                e.message,
                format!("`{k6}` looks like k6's threshold syntax"),
                "{k6}"
            );
            let hint = e.hint.unwrap_or_default();
            assert!(
                hint.starts_with(&format!("loadgate writes it as `{loadgate}`")),
                "{k6}: {hint}"
            );
            // The suggestion is itself a valid threshold.
            assert!(Threshold::parse_strict(loadgate).is_ok(), "{loadgate}");
        }
        assert_eq!(
            shown("p(95)<200"),
            "`p(95)<200` looks like k6's threshold syntax; loadgate writes it as `p95 < 200ms`"
        );
        assert!(shown("rate<0.01").contains("k6's `rate` is a fraction"));
    }

    #[test]
    fn k6_thresholds_that_translate_badly_say_so() {
        // A faithful translation that points the wrong way says that too.
        let s = shown("http_req_failed: rate>0.01");
        assert!(s.contains("`error_rate > 1%`"), "{s}");
        assert!(s.contains("did you mean `error_rate < 1%`?"), "{s}");
        // Tags select an endpoint in k6; loadgate has endpoint tables.
        let s = shown("http_req_duration{name:login}: p(95)<200");
        assert!(s.contains("`p95 < 200ms`"), "{s}");
        assert!(s.contains("[[scenarios.NAME.endpoint]]"), "{s}");
        // A k6 metric loadgate has nothing like.
        let s = shown("iteration_duration: p(95)<500");
        assert!(s.contains("loadgate has no `iteration_duration`"), "{s}");
        assert!(s.contains("success_rate, error_rate"), "{s}");
        // Half-written k6: still a hint on the percentile.
        let e = Threshold::parse("p(95)").unwrap_err();
        assert!(e.message.contains("unknown metric `p`"), "{e}");
        assert!(e.hint.unwrap().contains("`p95`, not k6's `p(95)`"));
        assert!(shown("checks: rate>0.99").contains("k6's checks are its own assertions"));
        // Not k6, or k6 loadgate cannot translate: the plain unknown-metric
        // error, without a hint.
        for text in [
            "latency < 5ms",
            "value > 5",
            "rate != 0.01",
            "med < fast",
            "http_req_duration: p(0)<5",
            "http_req_duration: avg<5m",
            "vus: value>50",
        ] {
            let e = Threshold::parse(text).unwrap_err();
            assert!(e.message.starts_with("unknown metric"), "{text}: {e}");
            assert_eq!(e.hint, None, "{text}");
        }
        // loadgate's own `avg` is k6's too, and means the same: it parses.
        assert_eq!(parse("avg<100").target, 100.0);
    }

    #[test]
    fn per_second_values_may_carry_per_second() {
        for (with, without) in [
            ("rps >= 20/s", "rps >= 20"),
            ("rps >= 20 /s", "rps >= 20"),
            ("failures_per_s < 1/s", "failures_per_s < 1"),
            ("rps.steady > 2.5/s", "rps.steady > 2.5"),
            ("rps >= 100/s for 1m", "rps >= 100 for 1m"),
        ] {
            let (a, b) = (parse(with), parse(without));
            assert_eq!(
                (&a.metric, a.op, a.target, a.window_s),
                (&b.metric, b.op, b.target, b.window_s),
                "{with}"
            );
            assert_eq!(a.text, with);
        }
        let e = Threshold::parse("requests > 5/s").unwrap_err();
        assert_eq!(e.offset, 12);
        assert_eq!(e.hint.as_deref(), Some("requests per second is `rps`"));
        let e = Threshold::parse("failures > 1/s").unwrap_err();
        assert_eq!(
            e.hint.as_deref(),
            Some("failures per second is `failures_per_s`")
        );
        for bad in [
            "users > 5/s",
            "rps >= 20/min",
            "rps >= 20/",
            "rps >= 20/ s",
            "median < 5/s",
            "error_rate < 1/s",
        ] {
            assert!(Threshold::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn rates_that_pass_only_when_requests_fail_are_refused_in_a_config() {
        for (text, message, suggestion) in [
            (
                "error_rate > 1%",
                "passes only when more than 1% of requests fail",
                "error_rate < 1%",
            ),
            (
                "error_rate >= 1%",
                "passes only when at least 1% of requests fail",
                "error_rate <= 1%",
            ),
            (
                "success_rate < 99%",
                "passes only when fewer than 99% of requests succeed",
                "success_rate > 99%",
            ),
            (
                " success_rate<=99.5 % ",
                "passes only when at most 99.5% of requests succeed",
                "success_rate>=99.5 %",
            ),
            ("error_rate >= 0%", "always passes", "error_rate <= 0%"),
            (
                "success_rate <= 100%",
                "always passes",
                "success_rate >= 100%",
            ),
        ] {
            // The grammar accepts it; a config does not.
            assert!(Threshold::parse(text).is_ok(), "{text}");
            let e = Threshold::parse_strict(text).unwrap_err();
            assert_eq!(e.message, format!("`{}` {message}", text.trim()), "{text}");
            assert_eq!(
                e.hint.as_deref(),
                Some(format!("did you mean `{suggestion}`?").as_str()),
                "{text}"
            );
            // The error points at the operator.
            assert!(
                text[e.offset..].starts_with(['<', '>']),
                "{text}: {}",
                e.offset
            );
        }
        assert_eq!(
            shown("error_rate > 1%"),
            "`error_rate > 1%` passes only when more than 1% of requests fail; did you mean `error_rate < 1%`?"
        );
        for fine in [
            "error_rate < 1%",
            "error_rate <= 0%",
            "error_rate == 0%",
            "success_rate >= 99%",
            "success_rate > 99.9%",
            "success_rate == 100%",
            "failures > 0",
        ] {
            assert!(Threshold::parse_strict(fine).is_ok(), "{fine}");
        }
    }

    #[test]
    fn a_rate_without_percent_suggests_one() {
        for (text, hint) in [
            ("error_rate < 1", "did you mean `error_rate < 1%`?"),
            ("success_rate >= 99", "did you mean `success_rate >= 99%`?"),
            ("error_rate == 0", "did you mean `error_rate == 0%`?"),
            (
                "success_rate >= 0.99",
                "did you mean `success_rate >= 99%`? (loadgate's rates are percentages, not fractions: 0.99 is 99%)",
            ),
            (
                "error_rate < .005",
                "did you mean `error_rate < 0.5%`? (loadgate's rates are percentages, not fractions: .005 is 0.5%)",
            ),
            (
                "error_rate > 0.01",
                "did you mean `error_rate < 1%`? (loadgate's rates are percentages, not fractions: 0.01 is 1%, and `error_rate > 1%` passes only when more than 1% of requests fail)",
            ),
            (
                "success_rate <= 100",
                "did you mean `success_rate >= 100%`? (`success_rate <= 100%` always passes)",
            ),
        ] {
            let e = Threshold::parse(text).unwrap_err();
            assert!(e.message.contains("is a percentage"), "{text}: {e}");
            assert_eq!(e.offset, text.len(), "{text}");
            assert_eq!(e.hint.as_deref(), Some(hint), "{text}");
        }
        // Other units keep their message, with an example pointing the right way.
        let e = Threshold::parse("error_rate < 1ms").unwrap_err();
        assert!(e.message.contains("e.g. `error_rate < 1%`"), "{e}");
        assert_eq!(e.hint, None);
    }

    #[test]
    fn fractions_become_exact_percentages() {
        for (fraction, percent) in [
            ("0.99", "99"),
            ("0.995", "99.5"),
            (".5", "50"),
            ("0.001", "0.1"),
            ("0.0001", "0.01"),
            ("0", "0"),
            ("+0.25", "25"),
            ("1", "100"),
            ("0.999999", "99.9999"),
        ] {
            assert_eq!(fraction_as_percent(fraction), percent, "{fraction}");
        }
    }

    #[test]
    fn durations_parse_with_units() {
        assert_eq!(parse_duration("4m").unwrap(), 240.0);
        assert_eq!(parse_duration("90s").unwrap(), 90.0);
        assert_eq!(parse_duration("1h30m").unwrap(), 5400.0);
        assert_eq!(parse_duration("500ms").unwrap(), 0.5);
        assert!(parse_duration("4").is_err());
        assert!(parse_duration("4 weeks").is_err());
        assert!(parse_duration("").is_err());
        assert!(parse_duration("99999999999h").is_err());
        assert!(Threshold::parse(&format!("p99 < {}s", "9".repeat(310))).is_err());
    }
}
