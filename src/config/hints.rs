//! Hints for thresholds that are almost right: a rate threshold that
//! points the wrong way (`error_rate > 1%`), a rate written without `%`
//! (`success_rate >= 0.99`), and a threshold in k6's syntax (`p(95)<200`).
//! The grammar itself is in [`super::threshold`]; these only shape its
//! errors.

use super::threshold::{METRIC_NAMES, Metric, Op, ParseError, Threshold, err_hint};

/// The check behind [`Threshold::parse_strict`]: refuse a threshold that is
/// well formed but passes only when the service is failing. The error points
/// at the operator (`op_at`) and suggests the mirrored one.
pub(super) fn check_direction(
    text: &str,
    threshold: &Threshold,
    op_at: usize,
) -> Result<(), ParseError> {
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
    Ok(())
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

/// The hint for a rate written without `%`, e.g. `error_rate < 1`: the same
/// number as a percentage, or, below 1, the number read as a fraction
/// (`success_rate >= 0.99`, as k6 writes rates) and turned into a percentage.
/// When the suggestion would point the wrong way, it is mirrored and says so.
pub(super) fn bare_rate_hint(metric: &Metric, op: Op, number: &str, value: f64) -> String {
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

/// k6's threshold syntax, for a hint when a threshold is written in it.
///
/// k6 writes `p(95)<200` (trend aggregations `avg`, `min`, `max`, `med`,
/// `p(N)`, in ms without a unit), `rate<0.01` (a rate as a fraction, or
/// per second on a counter), `count>100`, often with the k6 metric before
/// it as in a k6 script: `http_req_duration: p(95)<200`,
/// `http_req_failed: rate<0.01`, `http_reqs: rate>20`.
pub(super) mod k6 {
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
    pub(in crate::config) fn hint(text: &str) -> Option<(String, String)> {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Threshold {
        Threshold::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"))
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
}
