//! The threshold language: `METRIC OP VALUE[UNIT]`, e.g. `p99 < 1s`,
//! `success_rate >= 99%`, `rps >= 50`, and durations such as `4m`.
//!
//! Values are normalised to one canonical unit per metric kind (ms for
//! times, percent for rates, plain numbers for counts and per-second rates),
//! so evaluation compares like with like.
//!
//! The durations are parsed in `duration.rs`, and the hints for thresholds
//! that are almost right (the wrong way round, in k6's syntax) are shaped in
//! `hints.rs`.

use std::fmt;

use super::hints;
use crate::model::Stats;

pub use super::duration::parse_duration;

pub use crate::model::MetricKind;

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

/// The largest target a threshold may set, in the metric's canonical unit
/// (ms, /s, %, a count): 10^15, far above any real figure, and small enough
/// that every output can show it whole.
pub const MAX_TARGET: f64 = 1e15;

/// The most decimals a percentile level may have (`p99.9999`).
pub const MAX_PERCENTILE_DECIMALS: usize = 4;

/// The metric names as listed in error messages.
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

pub(super) fn err<T>(offset: usize, message: impl Into<String>) -> Result<T, ParseError> {
    Err(ParseError {
        offset,
        message: message.into(),
        hint: None,
    })
}

pub(super) fn err_hint<T>(
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
pub(super) struct Cursor<'a> {
    pub(super) text: &'a str,
    pub(super) pos: usize,
}

impl<'a> Cursor<'a> {
    pub(super) fn skip_ws(&mut self) {
        let rest = &self.text[self.pos..];
        self.pos += rest.len() - rest.trim_start().len();
    }

    pub(super) fn take_while(&mut self, f: impl Fn(char) -> bool) -> &'a str {
        let rest = &self.text[self.pos..];
        let end = rest.find(|c: char| !f(c)).unwrap_or(rest.len());
        self.pos += end;
        &rest[..end]
    }

    pub(super) fn rest(&self) -> &'a str {
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
        hints::check_direction(text, &threshold, op_at)?;
        Ok(threshold)
    }
}

/// The parser behind [`Threshold::parse`]; also returns where the operator starts.
fn parse_with_op_offset(text: &str) -> Result<(Threshold, usize), ParseError> {
    let mut c = Cursor { text, pos: 0 };
    let (metric, name) = parse_metric(&mut c)?;
    let (op, op_text, op_at) = parse_op(&mut c, name)?;
    let target = parse_target(&mut c, &metric, op, op_text)?;
    let window_s = parse_window(&mut c, &metric)?;
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

/// `METRIC`, after any space: the metric and its name as written. An
/// unknown name written as k6 writes thresholds gets a hint.
fn parse_metric<'a>(c: &mut Cursor<'a>) -> Result<(Metric, &'a str), ParseError> {
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
        if let Some((message, hint)) = hints::k6::hint(c.text) {
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
    Ok((metric, name))
}

/// `OP`, after any space: the operator, as written, and where it starts.
fn parse_op(c: &mut Cursor<'_>, name: &str) -> Result<(Op, &'static str, usize), ParseError> {
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
    Ok((op, op_text, op_at))
}

/// `VALUE[UNIT]`, after any space: the target in the metric's canonical unit.
fn parse_target(
    c: &mut Cursor<'_>,
    metric: &Metric,
    op: Op,
    op_text: &str,
) -> Result<f64, ParseError> {
    let text = c.text;
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
            hints::bare_rate_hint(metric, op, number, value),
        );
    }
    let target = apply_unit(metric, value, unit, unit_at)?;
    if !target.is_finite() || target > MAX_TARGET {
        return err(
            value_at,
            format!("`{number}{unit}` is too large: a target is at most 10^15 (in ms for times)"),
        );
    }
    Ok(target)
}

/// `for DURATION`, after any space, when it follows: the window in seconds.
fn parse_window(c: &mut Cursor<'_>, metric: &Metric) -> Result<Option<f64>, ParseError> {
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
    Ok(window_s)
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
}
