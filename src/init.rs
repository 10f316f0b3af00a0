//! `loadgate init`: a starter `loadgate.toml` written from measured results.
//!
//! The targets are the measured values with headroom, rounded to friendly
//! numbers, so the config passes on the data it came from and a person can
//! then tighten it:
//!
//! - `[defaults]`: `median`, `p95` and `p99` below 1.5× the worst scenario's
//!   value (rounded up), and `success_rate` at or below the worst scenario's,
//!   allowing 1.5× its error rate (rounded up, at least 0.1%).
//! - one `[scenarios.KEY]` per scenario: `match` on the exact name,
//!   `min_duration` at 90% of the history span (rounded down), `p99` below
//!   1.5× its own p99 (rounded up) and `rps` at 0.8× its own (rounded down).
//!
//! A value Locust did not report (`N/A`, a missing percentile column) gets no
//! threshold. This module is pure: it turns data into text and does no I/O.

use std::fmt::Write as _;

use crate::config::{BUILTIN_DEFAULTS, Glob};
use crate::format;
use crate::model::{ScenarioData, Stats};

/// The friendly mantissas, in tenths: 1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8 per
/// decade (close to the Renard R10 series). Neighbours are at most 1.33×
/// apart, so rounding moves a value by less than a third.
const LADDER_TENTHS: [u32; 10] = [10, 12, 15, 20, 25, 30, 40, 50, 60, 80];

/// Headroom on response times: the target is above 1.5× the measured value.
const TIME_HEADROOM: f64 = 1.5;
/// Headroom on throughput: the target is below 0.8× the measured value.
const RPS_HEADROOM: f64 = 0.8;
/// Headroom on the error rate: 1.5× the measured failures are allowed.
const ERROR_HEADROOM: f64 = 1.5;
/// The smallest error allowance in percent, so 100% measured gives `>= 99.9%`.
const MIN_ERROR_ALLOWANCE_PCT: f64 = 0.1;
/// The smallest time target: sub-millisecond targets are noise.
const MIN_TIME_TARGET_MS: f64 = 1.0;
/// `min_duration` is this share of the measured history span, rounded down.
const DURATION_SHARE: f64 = 0.9;

/// `tenths / 10 × 10^exp`, computed as an exact integer scaled by an exact
/// power of ten, so the result is the `f64` nearest to the decimal and
/// prints as written (`0.12`, not `0.12000000000000001`).
fn ladder_value(tenths: u32, exp: i32) -> f64 {
    let e = exp - 1;
    if e >= 0 {
        f64::from(tenths) * 10f64.powi(e)
    } else {
        f64::from(tenths) / 10f64.powi(-e)
    }
}

/// The ladder values of the decades around `x` (`x > 0`), ascending.
fn ladder_around(x: f64) -> impl Iterator<Item = f64> {
    // log10 can be off by one next to a power of ten: look one decade either side.
    let exp = x.log10().floor() as i32;
    (exp - 1..=exp + 1)
        .flat_map(|e| LADDER_TENTHS.iter().map(move |&t| ladder_value(t, e)))
        .chain(std::iter::once(ladder_value(10, exp + 2)))
}

/// The smallest friendly number ≥ `x`: 1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8
/// times a power of ten (e.g. 70.5 → 80, 22.5 → 25, 0.11 → 0.12).
/// `x` ≤ 0, NaN or infinite is returned unchanged.
pub fn round_up_friendly(x: f64) -> f64 {
    if !(x.is_finite() && x > 0.0) {
        return x;
    }
    ladder_around(x).find(|&v| v >= x).unwrap_or(x)
}

/// The largest friendly number ≤ `x` on the same ladder as
/// [`round_up_friendly`] (e.g. 45 → 40, 19.5 → 15, 0.9 → 0.8).
/// `x` ≤ 0, NaN or infinite is returned unchanged.
pub fn round_down_friendly(x: f64) -> f64 {
    if !(x.is_finite() && x > 0.0) {
        return x;
    }
    ladder_around(x).filter(|&v| v <= x).last().unwrap_or(x)
}

/// A response-time target strictly above `measured_ms`, so `<` passes.
fn time_target_ms(measured_ms: f64) -> f64 {
    // For measured > 0, round_up(1.5 × m) ≥ 1.5 × m > m; for 0 the 1 ms floor is above it.
    round_up_friendly(measured_ms * TIME_HEADROOM).max(MIN_TIME_TARGET_MS)
}

/// A throughput target at or below `measured`, so `>=` passes; `None` for 0.
fn rps_target(measured: f64) -> Option<f64> {
    (measured > 0.0).then(|| round_down_friendly(measured * RPS_HEADROOM))
}

/// A success-rate target (percent, as TOML text without `%`) at or below
/// `measured_pct`, so `>=` passes; `None` when the allowance reaches 100%.
fn success_target(measured_pct: f64) -> Option<String> {
    let error = (100.0 - measured_pct).max(0.0);
    let allowance = round_up_friendly(error * ERROR_HEADROOM).max(MIN_ERROR_ALLOWANCE_PCT);
    if allowance >= 100.0 {
        return None;
    }
    // Subtract in decimal: as many decimals as the allowance has, so that
    // 100 - 0.12 is written `99.88`, not `99.88000000000001`.
    let text = number(allowance);
    let decimals = text.split_once('.').map_or(0, |(_, f)| f.len());
    Some(trim(format!("{:.decimals$}", 100.0 - allowance)))
}

/// A run-length target at or below `span_s`: 90% of it, rounded down to whole
/// seconds below 10 s, 5 s below 5 min, 1 min below 2 h and 5 min above, and
/// at least 1 s. `None` without a history span of 1 s or more.
fn min_duration_s(span_s: Option<i64>) -> Option<i64> {
    let span = span_s.filter(|&s| s >= 1)?;
    let x = span as f64 * DURATION_SHARE;
    let step = if x < 10.0 {
        1
    } else if x < 300.0 {
        5
    } else if x < 7200.0 {
        60
    } else {
        300
    };
    let floored = (x / step as f64).floor() as i64 * step;
    Some(floored.max(1))
}

/// Seconds as the config writes a duration: `35s`, `4m30s`, `1h30m`.
fn duration_text(seconds: i64) -> String {
    let (h, m, s) = (seconds / 3600, (seconds % 3600) / 60, seconds % 60);
    let mut out = String::new();
    for (value, unit) in [(h, "h"), (m, "m"), (s, "s")] {
        if value > 0 {
            let _ = write!(out, "{value}{unit}");
        }
    }
    if out.is_empty() {
        out.push_str("0s");
    }
    out
}

/// `12.50` → `12.5`, `3.00` → `3`.
fn trim(s: String) -> String {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// A number as the threshold language reads it: shortest decimal, no exponent.
fn number(x: f64) -> String {
    // Rust's Display for f64 never uses exponent notation and prints the
    // shortest text that reads back as the same value.
    format!("{x}")
}

/// A time target in the threshold language: `80ms`, or `1.2s` from 1 s up.
fn time_text(ms: f64) -> String {
    if ms >= 1000.0 {
        format!("{}s", number(ms / 1000.0))
    } else {
        format!("{}ms", number(ms))
    }
}

/// A TOML basic string: quotes, backslashes and control characters escaped.
/// Names come from file names, so anything may be in them.
fn toml_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            // TOML allows no other control character (U+0000–U+001F, U+007F) in a string.
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A TOML key: bare when it is only `A-Za-z0-9_-`, else a quoted string.
fn toml_key(s: &str) -> String {
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        s.to_string()
    } else {
        toml_string(s)
    }
}

/// Text that is safe inside a TOML comment: control characters are escaped,
/// since a newline in a scenario name would otherwise end the comment.
fn comment_text(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// The p99 of `stats`: `Err` says why there is none.
fn p99_ms(stats: &Stats) -> Result<f64, &'static str> {
    match stats.percentiles_ms.get(99.0) {
        Some(Some(v)) => Ok(v),
        Some(None) => Err("N/A"),
        None => Err("no 99% column"),
    }
}

/// The worst value of a `[defaults]` time metric, and the scenario it came from.
struct WorstTime<'a> {
    metric: &'static str,
    value_ms: f64,
    scenario: &'a str,
}

/// The worst (highest) value of a time metric over the scenarios with
/// requests; `None` when any of them lacks the value, since a default on a
/// value that is not there would fail on that scenario.
fn worst_time<'a>(
    measured: &[(&'a str, &Stats)],
    metric: &'static str,
    read: impl Fn(&Stats) -> Option<f64>,
) -> Option<WorstTime<'a>> {
    let mut worst: Option<WorstTime<'a>> = None;
    for (name, stats) in measured {
        let value_ms = read(stats)?;
        if worst.as_ref().is_none_or(|w| value_ms > w.value_ms) {
            worst = Some(WorstTime {
                metric,
                value_ms,
                scenario: name,
            });
        }
    }
    worst
}

/// The success-rate target of a scenario that mostly failed: one a working
/// run meets and this one fails.
const DEAD_SUCCESS_TARGET: &str = "success_rate >= 99%";

/// Why a scenario's numbers mean nothing, if most of its requests failed.
fn dead(data: &ScenarioData) -> Option<String> {
    crate::evaluate::mostly_failed(&data.totals, &data.failures)
}

/// What `init` must say out loud: every scenario that mostly failed, with
/// the target it gets and why it fails.
pub fn warnings(scenarios: &[(String, &ScenarioData)]) -> Vec<String> {
    scenarios
        .iter()
        .filter_map(|(name, data)| {
            Some(format!(
                "scenario `{}` mostly failed ({}): its times are not meaningful, so it gets only `{DEAD_SUCCESS_TARGET}`, which fails on these results on purpose; fix the target and run again",
                format::display(name),
                dead(data)?
            ))
        })
        .collect()
}

/// The `[defaults]` table.
fn write_defaults(out: &mut String, scenarios: &[(&str, &ScenarioData)]) {
    out.push_str("[defaults]\n");
    // A scenario that mostly failed measured failed requests: nothing to derive from.
    let measured: Vec<(&str, &Stats)> = scenarios
        .iter()
        .filter(|(_, d)| d.totals.requests > 0 && dead(d).is_none())
        .map(|(n, d)| (*n, &d.totals))
        .collect();
    if measured.is_empty() {
        out.push_str(if scenarios.iter().any(|(_, d)| d.totals.requests > 0) {
            "# Every scenario with requests mostly failed, so nothing to derive targets from:\n\
             # these are loadgate's built-in defaults.\n"
        } else {
            "# No scenario recorded any requests, so nothing to derive targets from:\n\
             # these are loadgate's built-in defaults.\n"
        });
        let list: Vec<String> = BUILTIN_DEFAULTS.iter().map(|t| toml_string(t)).collect();
        let _ = writeln!(out, "thresholds = [{}]", list.join(", "));
        return;
    }

    let times = [
        worst_time(&measured, "median", |s| s.median_ms),
        worst_time(&measured, "p95", |s| s.percentiles_ms.get(95.0).flatten()),
        worst_time(&measured, "p99", |s| p99_ms(s).ok()),
    ];
    let mut thresholds = Vec::new();
    let mut notes = Vec::new();
    for w in times.iter().flatten() {
        thresholds.push(format!(
            "{} < {}",
            w.metric,
            time_text(time_target_ms(w.value_ms))
        ));
        notes.push((w.metric, format::ms(w.value_ms), w.scenario));
    }
    // Scenarios with requests always have a success rate; the lowest decides.
    let lowest = measured
        .iter()
        .filter_map(|(n, s)| Some((*n, s.success_rate?)))
        .reduce(|a, b| if b.1 < a.1 { b } else { a });
    if let Some((name, rate)) = lowest {
        if let Some(target) = success_target(rate) {
            thresholds.push(format!("success_rate >= {target}%"));
        }
        notes.push(("success_rate", format::percent(rate), name));
    }

    out.push_str(
        "# Checked on every scenario's total. Each target passes on the worst scenario measured:\n",
    );
    let width = notes.iter().map(|(_, v, _)| v.len()).max().unwrap_or(0);
    for (metric, value, scenario) in &notes {
        let _ = writeln!(
            out,
            "#   {metric:<12}  {value:>width$}  {}",
            comment_text(scenario)
        );
    }
    let list: Vec<String> = thresholds.iter().map(|t| toml_string(t)).collect();
    let _ = writeln!(out, "thresholds = [{}]", list.join(", "));
}

/// `*` and `?` in a name are wildcards in `match`, and loadgate has no
/// escape for them: say so when the pattern also catches another scenario.
fn write_wildcard_note(out: &mut String, name: &str, all_names: &[&str]) {
    let pattern = Glob::new(name);
    let also: Vec<&str> = all_names
        .iter()
        .copied()
        .filter(|other| *other != name && pattern.matches(other))
        .collect();
    if !also.is_empty() {
        let _ = writeln!(
            out,
            "# note: `*` and `?` in `match` are wildcards, so this also matches {}; edit the pattern",
            also.iter()
                .map(|n| comment_text(n))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
}

/// One `[scenarios.KEY]` table.
fn write_scenario(out: &mut String, name: &str, data: &ScenarioData, all_names: &[&str]) {
    let _ = writeln!(out, "\n[scenarios.{}]", toml_key(name));
    let _ = writeln!(out, "match = {}", toml_string(name));
    write_wildcard_note(out, name, all_names);

    let totals = &data.totals;
    if totals.requests == 0 {
        out.push_str(
            "# No requests were recorded, so there is nothing to derive targets from.\n\
             # [defaults] fails on this scenario until it records requests.\n\
             required = true\n",
        );
        return;
    }

    if let Some(min_s) = min_duration_s(data.duration_s()) {
        let span = data.duration_s().unwrap_or(min_s);
        let _ = writeln!(
            out,
            "min_duration = {}  # ran {}",
            toml_string(&duration_text(min_s)),
            format::duration(span as f64)
        );
    }

    if let Some(reason) = dead(data) {
        let _ = writeln!(
            out,
            "# WARNING: {}.\n\
             # Its response times are those of failed requests, so no time or throughput target\n\
             # is derived from them. The target below fails on this run ON PURPOSE: fix the\n\
             # target system and run again, then run `loadgate init` on results that worked.",
            comment_text(&reason)
        );
        let _ = writeln!(
            out,
            "thresholds = [{}]  # measured success_rate {}",
            toml_string(DEAD_SUCCESS_TARGET),
            format::percent(totals.success_rate.unwrap_or(0.0))
        );
        return;
    }

    let mut thresholds = Vec::new();
    let mut measured = Vec::new();
    match p99_ms(totals) {
        Ok(p99) => {
            thresholds.push(format!("p99 < {}", time_text(time_target_ms(p99))));
            measured.push(format!("p99 {}", format::ms(p99)));
        }
        Err(why) => measured.push(format!("p99 {why}")),
    }
    match rps_target(totals.rps) {
        Some(target) => thresholds.push(format!("rps >= {}", number(target))),
        None => measured.push("(rps 0: no throughput target)".to_string()),
    }
    if totals.rps > 0.0 {
        measured.push(format!("rps {}", format::per_s(totals.rps)));
    }
    let comment = format!("# measured {}", measured.join(", "));
    if thresholds.is_empty() {
        let _ = writeln!(
            out,
            "# no thresholds: nothing to derive them from; {comment}"
        );
    } else {
        let list: Vec<String> = thresholds.iter().map(|t| toml_string(t)).collect();
        let _ = writeln!(out, "thresholds = [{}]  {comment}", list.join(", "));
    }
}

/// A starter `loadgate.toml` from measured result sets, as TOML text.
///
/// `scenarios` are (scenario name, its data); they are written sorted by name
/// whatever the input order. `title` becomes the `title` key when given.
/// The text parses with [`crate::config::Config::from_toml`], and every
/// threshold and `min_duration` in it passes on the data it came from.
pub fn starter_config(scenarios: &[(String, &ScenarioData)], title: Option<&str>) -> String {
    let mut sorted: Vec<(&str, &ScenarioData)> =
        scenarios.iter().map(|(n, d)| (n.as_str(), *d)).collect();
    sorted.sort_by(|a, b| a.0.cmp(b.0));
    let names: Vec<&str> = sorted.iter().map(|(n, _)| *n).collect();

    let mut out = String::new();
    let count = match sorted.len() {
        1 => "1 scenario".to_string(),
        n => format!("{n} scenarios"),
    };
    let _ = writeln!(
        out,
        "# loadgate.toml: generated by `loadgate init` from {count}.\n\
         # The targets are the measured values with headroom (times 1.5x, throughput 0.8x,\n\
         # 1.5x the failures), rounded to friendly numbers, so they pass on the data they came\n\
         # from. Review the targets before relying on them: tighten them to your SLA.\n\
         # min_duration is 90% of what ran: if a run was cut short, set the planned length.\n\
         # Reference: README.md, \"Configuration\". For completion and checks in your editor\n\
         # (Taplo / Even Better TOML): `loadgate schema > loadgate.schema.json`.\n"
    );
    match title {
        Some(t) => {
            let _ = writeln!(out, "title = {}\n", toml_string(t));
        }
        None => out.push_str("# title = \"Load test results\"  # shown in every output\n\n"),
    }
    write_defaults(&mut out, &sorted);
    for (name, data) in &sorted {
        write_scenario(&mut out, name, data, &names);
    }
    out
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::config::{Config, ConfiguredThreshold};
    use crate::model::{Percentile, Percentiles};

    /// Every result set under `dir`, read the way `check` reads them.
    fn read_fixtures(dir: &str) -> Vec<(String, ScenarioData)> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
        let found = crate::discover::discover(&[root], None);
        assert!(found.errors.is_empty(), "{:?}", found.errors);
        assert!(!found.sets.is_empty(), "no result sets in {dir}");
        found
            .sets
            .iter()
            .map(|set| {
                let ingested = crate::ingest::locust::read_result_set(&set.files, None);
                assert!(ingested.errors.is_empty(), "{:?}", ingested.errors);
                let data = ingested
                    .data
                    .unwrap_or_else(|| panic!("{} unreadable", set.name));
                (set.name.clone(), data)
            })
            .collect()
    }

    fn generate(sets: &[(String, ScenarioData)]) -> (String, Config) {
        let input: Vec<(String, &ScenarioData)> =
            sets.iter().map(|(n, d)| (n.clone(), d)).collect();
        let text = starter_config(&input, Some("Starter"));
        let config = Config::from_toml(&text, Path::new("loadgate.toml"))
            .unwrap_or_else(|e| panic!("{e}\n---\n{text}"));
        (text, config)
    }

    fn assert_passes(t: &ConfiguredThreshold, name: &str, stats: &Stats, text: &str) {
        let actual = t
            .threshold
            .metric
            .value(stats)
            .unwrap_or_else(|cols| panic!("{name}: {}: column missing {cols:?}\n{text}", t.key))
            .unwrap_or_else(|| panic!("{name}: {}: no value\n{text}", t.key));
        assert!(
            t.threshold.op.holds(actual, t.threshold.target),
            "{name}: `{}` fails on {actual}\n{text}",
            t.threshold.text
        );
    }

    /// The brief's contract: the config parses, every scenario finds its own
    /// table, and every threshold and min_duration written passes on its data.
    fn assert_config_passes_on_its_data(sets: &[(String, ScenarioData)]) -> String {
        let (text, config) = generate(sets);
        assert_eq!(config.title.as_deref(), Some("Starter"));
        assert_eq!(config.scenarios.len(), sets.len(), "{text}");
        for (name, data) in sets {
            let sc = config
                .scenario_for(name)
                .unwrap_or_else(|e| panic!("{e}\n{text}"))
                .unwrap_or_else(|| panic!("{name}: no table\n{text}"));
            assert!(sc.required);
            if data.totals.requests == 0 {
                assert!(sc.thresholds.is_empty(), "{text}");
                continue;
            }
            // All defaults, even those a scenario threshold replaces: each must pass.
            for t in config.defaults.iter().chain(&sc.thresholds) {
                assert_passes(t, name, &data.totals, &text);
            }
            if let Some((min_s, _)) = &sc.min_duration {
                let ran = data.duration_s().expect("min_duration only with a history") as f64;
                assert!(
                    *min_s <= ran,
                    "{name}: min_duration {min_s} > {ran}\n{text}"
                );
            }
        }
        text
    }

    #[test]
    fn starter_config_from_demo_parses_and_passes_on_its_own_data() {
        let sets = read_fixtures("fixtures/demo");
        assert_eq!(sets.len(), 4);
        let text = assert_config_passes_on_its_data(&sets);
        let (_, config) = generate(&sets);
        // Demo: every scenario has a history, a p99 and throughput.
        for sc in &config.scenarios {
            assert!(sc.min_duration.is_some(), "{}\n{text}", sc.key);
            assert_eq!(sc.thresholds.len(), 2, "{}\n{text}", sc.key);
        }
        assert_eq!(config.defaults.len(), 4, "{text}");
    }

    #[test]
    fn starter_config_from_edge_fixture_parses_and_passes_on_its_own_data() {
        assert_config_passes_on_its_data(&read_fixtures("fixtures/edge"));
    }

    #[test]
    fn starter_config_from_demo_and_edge_together_passes_on_all_of_them() {
        let mut sets = read_fixtures("fixtures/demo");
        sets.extend(read_fixtures("fixtures/edge"));
        assert_config_passes_on_its_data(&sets);
    }

    #[test]
    fn hostile_scenario_names_are_quoted_and_matched_exactly() {
        let demo = read_fixtures("fixtures/demo");
        let template = &demo[0].1;
        let names = [
            "plain-name_1",
            "quote\"d, with commas",
            "back\\slash",
            "<script>alert(1)</script>",
            "emoji 🚀 データ",
            "ns::scenario",
            "new\nline\tand\u{7f}del",
            "a.b",
            "[brackets]",
            "# not a comment",
        ];
        let sets: Vec<(String, ScenarioData)> = names
            .iter()
            .map(|n| (n.to_string(), template.clone()))
            .collect();
        let text = assert_config_passes_on_its_data(&sets);
        let (_, config) = generate(&sets);
        for name in names {
            let sc = config.scenario_for(name).unwrap().unwrap();
            assert_eq!(sc.key, name);
            assert_eq!(sc.pattern.to_string(), name);
        }
        assert!(text.contains("[scenarios.plain-name_1]"), "{text}");
        assert!(text.contains("[scenarios.\"ns::scenario\"]"), "{text}");
        assert!(
            text.contains("[scenarios.\"quote\\\"d, with commas\"]"),
            "{text}"
        );
    }

    #[test]
    fn a_wildcard_in_a_name_that_catches_another_scenario_is_flagged() {
        let demo = read_fixtures("fixtures/demo");
        let d = &demo[0].1;
        let input = vec![("run*".to_string(), d), ("run1".to_string(), d)];
        let text = starter_config(&input, None);
        assert!(
            text.contains(
                "# note: `*` and `?` in `match` are wildcards, so this also matches run1"
            ),
            "{text}"
        );
        // Still valid TOML and a valid config; the person has to resolve the overlap.
        Config::from_toml(&text, Path::new("loadgate.toml")).unwrap();
    }

    fn stats(requests: u64, failures: u64, rps: f64, times: Option<f64>) -> Stats {
        Stats {
            requests,
            failures,
            success_rate: crate::model::success_rate(requests, failures),
            rps,
            failures_per_s: 0.0,
            median_ms: times,
            avg_ms: times,
            min_ms: times,
            max_ms: times,
            percentiles_ms: Percentiles(
                [("50", 50.0), ("95", 95.0), ("99", 99.0)]
                    .into_iter()
                    .map(|(label, level)| Percentile {
                        label: label.into(),
                        level,
                        value_ms: times,
                    })
                    .collect(),
            ),
        }
    }

    /// Synthetic data: `totals` and a history spanning `span_s`. The rest is
    /// a demo fixture's, so fields added to the model need no change here.
    fn data(mut totals: Stats, span_s: Option<i64>) -> ScenarioData {
        let base = read_fixtures("fixtures/demo").swap_remove(0).1;
        // Consistent with the span, as Locust's are: requests = rps × run
        // length (the judged duration is requests ÷ rps), failures in proportion.
        if let Some(s) = span_s.filter(|_| totals.requests > 0 && totals.rps > 0.0) {
            let requests = (totals.rps * s as f64).round().max(1.0) as u64;
            totals.failures = totals.failures * requests / totals.requests;
            totals.requests = requests;
            totals.success_rate = crate::model::success_rate(requests, totals.failures);
        }
        let history = span_s.map(|s| {
            let mut history = base.history.clone().expect("the demo has a history");
            let mut first = history.points[0].clone();
            first.timestamp = 1_000;
            let mut last = first.clone();
            last.timestamp = 1_000 + s;
            history.points = vec![first, last];
            history
        });
        ScenarioData {
            totals,
            history,
            ..base
        }
    }

    #[test]
    fn a_scenario_with_no_requests_gets_only_required_and_a_comment() {
        let empty = data(stats(0, 0, 0.0, None), Some(30));
        let busy = data(stats(100, 0, 10.0, Some(20.0)), Some(30));
        let sets = vec![("busy".to_string(), busy), ("idle".to_string(), empty)];
        let text = assert_config_passes_on_its_data(&sets);
        let (_, config) = generate(&sets);
        let idle = config.scenario_for("idle").unwrap().unwrap();
        assert!(
            idle.thresholds.is_empty() && idle.min_duration.is_none(),
            "{text}"
        );
        assert!(text.contains("No requests were recorded"), "{text}");
        let table = text.split("[scenarios.idle]").nth(1).unwrap();
        assert!(table.contains("required = true"), "{text}");
        // The defaults come from the scenario with data.
        assert_eq!(config.defaults.len(), 4, "{text}");
    }

    #[test]
    fn only_scenarios_without_requests_fall_back_to_the_builtin_defaults() {
        let sets = vec![("idle".to_string(), data(stats(0, 0, 0.0, None), None))];
        let (text, config) = generate(&sets);
        let defaults: Vec<&str> = config
            .defaults
            .iter()
            .map(|t| t.threshold.text.as_str())
            .collect();
        assert_eq!(defaults, BUILTIN_DEFAULTS, "{text}");
        assert!(starter_config(&[], None).contains("from 0 scenarios"));
        Config::from_toml(&starter_config(&[], None), Path::new("loadgate.toml")).unwrap();
    }

    #[test]
    fn values_locust_did_not_report_get_no_threshold() {
        // Requests but every time N/A, no throughput, no history.
        let na = data(stats(5, 0, 0.0, None), None);
        let ok = data(stats(100, 1, 50.0, Some(40.0)), Some(600));
        let sets = vec![("na".to_string(), na), ("ok".to_string(), ok)];
        let text = assert_config_passes_on_its_data(&sets);
        let (_, config) = generate(&sets);
        let na = config.scenario_for("na").unwrap().unwrap();
        assert!(
            na.thresholds.is_empty() && na.min_duration.is_none(),
            "{text}"
        );
        assert!(text.contains("# no thresholds"), "{text}");
        // A default on a time `na` lacks would fail there: only success_rate is left.
        let defaults: Vec<&str> = config
            .defaults
            .iter()
            .map(|t| t.threshold.text.as_str())
            .collect();
        assert_eq!(defaults, ["success_rate >= 98.5%"], "{text}");
        let ok = config.scenario_for("ok").unwrap().unwrap();
        assert_eq!(ok.min_duration, Some((540.0, "9m".into())));
        let written: Vec<&str> = ok
            .thresholds
            .iter()
            .map(|t| t.threshold.text.as_str())
            .collect();
        assert_eq!(written, ["p99 < 60ms", "rps >= 40"]);
    }

    #[test]
    fn a_scenario_that_mostly_failed_gets_a_target_that_fails_and_a_warning() {
        // A dead target: every request refused, in a millisecond.
        let mut dead = data(stats(200, 200, 20.0, Some(1.0)), Some(10));
        dead.failures = vec![crate::model::FailureRow {
            method: "GET".into(),
            name: "/".into(),
            error: "ConnectionRefusedError(111, 'Connection refused')".into(),
            occurrences: dead.totals.failures,
        }];
        let ok = data(stats(100, 1, 50.0, Some(40.0)), Some(600));
        let sets = vec![("dead".to_string(), dead), ("ok".to_string(), ok)];
        let (text, config) = generate(&sets);
        // The defaults come from the healthy run and always hold a success floor.
        let defaults: Vec<&str> = config
            .defaults
            .iter()
            .map(|t| t.threshold.text.as_str())
            .collect();
        assert!(defaults.contains(&"success_rate >= 98.5%"), "{text}");
        assert!(defaults.contains(&"p99 < 60ms"), "{text}");
        let sc = config.scenario_for("dead").unwrap().unwrap();
        let written: Vec<&str> = sc
            .thresholds
            .iter()
            .map(|t| t.threshold.text.as_str())
            .collect();
        assert_eq!(written, ["success_rate >= 99%"], "{text}");
        assert!(
            text.contains("# WARNING: all 200 requests failed: ConnectionRefusedError"),
            "{text}"
        );
        assert!(text.contains("ON PURPOSE"), "{text}");
        let input: Vec<(String, &ScenarioData)> =
            sets.iter().map(|(n, d)| (n.clone(), d)).collect();
        let warnings = warnings(&input);
        assert_eq!(warnings.len(), 1);
        assert!(
            warnings[0].starts_with("scenario `dead` mostly failed (all 200 requests failed"),
            "{warnings:?}"
        );
    }

    #[test]
    fn a_missing_p99_column_leaves_p99_out() {
        let mut totals = stats(100, 0, 10.0, Some(20.0));
        totals.percentiles_ms = totals
            .percentiles_ms
            .iter()
            .filter(|(label, _, _)| *label != "99")
            .map(|(label, level, value_ms)| Percentile {
                label: label.to_string(),
                level,
                value_ms,
            })
            .collect();
        let sets = vec![("s".to_string(), data(totals, Some(60)))];
        let text = assert_config_passes_on_its_data(&sets);
        assert!(text.contains("measured p99 no 99% column"), "{text}");
        assert!(!text.contains("p99 <"), "{text}");
    }

    #[test]
    fn the_ladder_rounds_to_friendly_numbers() {
        let up = [
            (70.5, 80.0),
            (22.5, 25.0),
            (45.0, 50.0),
            (1.0, 1.0),
            (1.01, 1.2),
            (8.5, 10.0),
            (999.0, 1000.0),
            (0.11, 0.12),
            (0.071, 0.08),
        ];
        for (x, want) in up {
            assert_eq!(round_up_friendly(x), want, "round_up_friendly({x})");
        }
        let down = [
            (45.0, 40.0),
            (19.5, 15.0),
            (0.9, 0.8),
            (10.0, 10.0),
            (9.99, 8.0),
            (1234.0, 1200.0),
            (0.0123, 0.012),
        ];
        for (x, want) in down {
            assert_eq!(round_down_friendly(x), want, "round_down_friendly({x})");
        }
        assert_eq!(round_up_friendly(0.0), 0.0);
        assert!(round_down_friendly(f64::NAN).is_nan());
        // Printed values read back exactly, without float noise.
        assert_eq!(number(round_up_friendly(0.11)), "0.12");
        assert_eq!(number(round_down_friendly(0.0123)), "0.012");
    }

    #[test]
    fn the_ladder_brackets_every_value_within_a_third() {
        let mut x = 1e-4;
        while x < 1e7 {
            let (u, d) = (round_up_friendly(x), round_down_friendly(x));
            assert!(d <= x && x <= u, "{d} <= {x} <= {u}");
            assert!(u <= x * 1.34 && d >= x / 1.34, "{x}: {d}..{u}");
            assert_eq!(round_up_friendly(u), u, "{u} is on the ladder");
            assert_eq!(round_down_friendly(d), d, "{d} is on the ladder");
            x *= 1.0137;
        }
    }

    #[test]
    fn targets_leave_headroom_and_stay_on_the_passing_side() {
        assert_eq!(time_target_ms(47.0), 80.0);
        assert_eq!(time_target_ms(0.0), 1.0);
        assert_eq!(time_target_ms(0.2), 1.0);
        assert_eq!(time_text(time_target_ms(900.0)), "1.5s");
        assert_eq!(rps_target(56.26), Some(40.0));
        assert_eq!(rps_target(0.0), None);
        assert_eq!(success_target(100.0).as_deref(), Some("99.9"));
        assert_eq!(success_target(98.78).as_deref(), Some("98"));
        assert_eq!(success_target(95.22).as_deref(), Some("92"));
        assert_eq!(success_target(99.92).as_deref(), Some("99.88"));
        assert_eq!(success_target(10.0), None);
        let mut rate = 0.0;
        while rate <= 100.0 {
            if let Some(t) = success_target(rate) {
                let t: f64 = t.parse().unwrap();
                assert!(t <= rate && t < 100.0, "{rate} -> {t}");
            }
            rate += 0.013;
        }
    }

    #[test]
    fn min_duration_is_ninety_percent_rounded_down_to_a_friendly_step() {
        assert_eq!(min_duration_s(None), None);
        assert_eq!(min_duration_s(Some(0)), None);
        assert_eq!(min_duration_s(Some(1)), Some(1));
        assert_eq!(min_duration_s(Some(10)), Some(9));
        assert_eq!(min_duration_s(Some(44)), Some(35));
        assert_eq!(min_duration_s(Some(300)), Some(270));
        assert_eq!(min_duration_s(Some(600)), Some(540));
        assert_eq!(min_duration_s(Some(86_400)), Some(77_700));
        assert_eq!(duration_text(270), "4m30s");
        assert_eq!(duration_text(5400), "1h30m");
        assert_eq!(duration_text(35), "35s");
        for span in 1..20_000 {
            let min = min_duration_s(Some(span)).unwrap();
            assert!(min >= 1 && min <= span, "{span} -> {min}");
            let parsed = crate::config::threshold::parse_duration(&duration_text(min)).unwrap();
            assert_eq!(parsed, min as f64);
        }
    }

    #[test]
    fn toml_strings_escape_what_toml_requires() {
        assert_eq!(toml_string("a\"b\\c"), r#""a\"b\\c""#);
        assert_eq!(toml_string("x\u{1}y\u{7f}"), r#""x\u0001y\u007F""#);
        for s in ["a\"b", "tab\there", "nl\nx", "\u{0}\u{1f}\u{7f}", "🚀::<b>"] {
            let doc: toml::Table = toml::from_str(&format!("k = {}", toml_string(s))).unwrap();
            assert_eq!(doc["k"].as_str(), Some(s));
        }
        assert_eq!(comment_text("a\nb"), "a\\nb");
    }

    #[test]
    fn input_order_does_not_change_the_output() {
        let demo = read_fixtures("fixtures/demo");
        let forward: Vec<(String, &ScenarioData)> =
            demo.iter().map(|(n, d)| (n.clone(), d)).collect();
        let mut backward = forward.clone();
        backward.reverse();
        assert_eq!(
            starter_config(&forward, None),
            starter_config(&backward, None)
        );
    }
}
