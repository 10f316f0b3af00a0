//! `loadgate schema`: a JSON Schema of `loadgate.toml`, for editors.
//!
//! TOML editors such as Taplo (and VS Code's Even Better TOML, which runs
//! Taplo) validate and complete TOML against a JSON Schema. The schema is
//! draft-07, the draft Taplo's validator has supported longest and the one
//! most TOML schemas on SchemaStore use; it uses only keywords that mean the
//! same in every draft since (`type`, `properties`, `patternProperties`,
//! `additionalProperties`, `required`, `items`, `pattern`, `minimum`,
//! `maximum`, `minLength`, `default`, `examples`), and no `$ref`, so descriptions sit right next to
//! what they describe.
//!
//! It mirrors the `Raw*` serde types in [`crate::config`] key for key, with
//! `additionalProperties: false` on every table because loadgate rejects
//! unknown keys too. The `pattern`s for thresholds and durations are an
//! approximation for editors: loadgate's parser is authoritative. They check
//! the shape (`METRIC OP VALUE[UNIT]` with the units each metric takes) but
//! not ranges: `p0`, `p101` and `success_rate >= 101%` match the pattern and
//! are still rejected by loadgate, and neither is a rate threshold that
//! points the wrong way (`error_rate > 1%`, which loadgate refuses because it
//! passes only when requests fail). The same goes for `[regression]`
//! tolerances (`+10%`, `-0.5`, `+5ms`) and their metric keys. The patterns
//! use only syntax that reads the same in ECMA-262 (what JSON Schema
//! specifies) and in Rust's `regex`, which the tests run them with.

use serde_json::{Value, json};

/// The JSON Schema dialect of [`config_schema`].
pub const DRAFT: &str = "http://json-schema.org/draft-07/schema#";

/// A time metric name: `median`, `avg`, `min`, `max` or `pN`.
const TIME_METRIC: &str = r"(?:median|avg|min|max|p(?:[0-9]+(?:\.[0-9]{0,4})?|\.[0-9]{1,4}))";
/// The other metric names, which take no time unit.
const OTHER_METRIC: &str =
    r"(?:requests|failures_per_s|failures|rps\.steady|rps|success_rate|error_rate|users)";
/// An unsigned number as the tolerance parser reads it.
const AMOUNT: &str = r"(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)";
/// A threshold value as the parser reads it: an optional `+`, no `-`, no exponent.
const NUMBER: &str = r"\+?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)";
/// The comparison operators.
const OP: &str = r"(?:<=|>=|==|<|>)";

/// The threshold pattern: each metric family with the units it takes.
pub fn threshold_pattern() -> String {
    let window = format!(r"(?:\s+for\s+(?:{AMOUNT}(?:ms|min|s|m|h))+)");
    let time = format!(r"{TIME_METRIC}\s*{OP}\s*{NUMBER}\s*(?:ms|s)?{window}?");
    let rate = format!(r"(?:success_rate|error_rate)\s*{OP}\s*{NUMBER}\s*%");
    // Per-second metrics also take `/s`, as loadgate's reports print them (`20/s`).
    let per_second = format!(r"(?:failures_per_s|rps)\s*{OP}\s*{NUMBER}(?:\s*/s)?{window}?");
    let steady = format!(r"rps\.steady\s*{OP}\s*{NUMBER}(?:\s*/s)?");
    let users = format!(r"users\s*{OP}\s*{NUMBER}{window}?");
    let bare = format!(r"(?:requests|failures)\s*{OP}\s*{NUMBER}");
    format!(r"^\s*(?:{time}|{rate}|{per_second}|{steady}|{users}|{bare})\s*$")
}

/// `steady_state`: `auto`, `all`, `after DURATION` or `users >= N`.
fn steady_state(description: &str) -> Value {
    json!({
        "type": "string",
        "description": description,
        "pattern": format!(r"^\s*(?:auto|all|after\s+(?:{AMOUNT}(?:ms|min|s|m|h))+|users\s*>=\s*[0-9]+)\s*$"),
        "examples": ["auto", "all", "after 30s", "users >= 100"]
    })
}

/// The duration pattern: one or more `NUMBER UNIT` with no space between, e.g. `1h30m`.
pub fn duration_pattern() -> String {
    format!(r"^\s*(?:{AMOUNT}(?:ms|min|s|m|h))+\s*$")
}

/// A `[regression]` tolerance for a time metric: `+10%`, `+5ms`, `+0.5s`.
pub fn time_tolerance_pattern() -> String {
    format!(r"^\s*[+-]\s*{AMOUNT}\s*(?:%|ms|s)?\s*$")
}

/// A `[regression]` tolerance for any other metric: `-10%`, `-0.5` (points for a rate).
pub fn tolerance_pattern() -> String {
    format!(r"^\s*[+-]\s*{AMOUNT}\s*%?\s*$")
}

/// A `[regression]` table, global or per scenario, described by `description`.
fn regression(description: &str) -> Value {
    let tolerance = "How far this metric may move against the baseline before it counts as a \
        regression. The sign says which way is worse: `+` a rise (times, failures), `-` a fall \
        (throughput, success rate). `%` is relative to the baseline value; without it the amount \
        is absolute, in the metric's unit (ms or s for times, percentage points for rates). The \
        same margin the good way is an improvement.";
    json!({
        "type": "object",
        "description": description,
        "additionalProperties": false,
        "properties": {
            "noise_floor": {
                "type": "string",
                "description": format!(
                    "A time metric moving less than this never counts as a regression, whatever its \
                    percentage. Default `{}ms`.",
                    crate::config::DEFAULT_NOISE_FLOOR_MS
                ),
                "pattern": format!(r"^\s*\+?{AMOUNT}\s*(?:ms|s)?\s*$"),
                "examples": ["5ms"]
            }
        },
        "patternProperties": {
            format!("^{TIME_METRIC}$"): {
                "type": "string",
                "description": tolerance,
                "pattern": time_tolerance_pattern(),
                "examples": ["+10%", "+5ms"]
            },
            format!("^{OTHER_METRIC}$"): {
                "type": "string",
                "description": tolerance,
                "pattern": tolerance_pattern(),
                "examples": ["-10%", "-0.5"]
            }
        }
    })
}

/// A list of thresholds, described by `description`.
fn thresholds(description: &str) -> Value {
    json!({
        "type": "array",
        "description": description,
        "items": {
            "type": "string",
            "description": "`METRIC OP VALUE[UNIT]`, e.g. `p99 < 1s`, `success_rate >= 99%`, `rps >= 50`. \
                Metrics: `requests`, `failures` (bare number); `median`, `avg`, `min`, `max`, `pN` \
                such as `p95`, `p99.9` (`ms` or `s`; a bare number means ms); `rps`, `rps.steady`, \
                `failures_per_s` (a bare number, or with `/s`: `20/s`); `success_rate`, \
                `error_rate` (`%`, required; a rate that passes only when requests fail, such as \
                `error_rate > 1%`, is an error); `users` (bare number). \
                Operators: `<`, `<=`, `>`, `>=`, `==`.",
            "pattern": threshold_pattern(),
            "examples": ["p99 < 1s", "median < 200ms", "success_rate >= 99%", "rps >= 50"]
        }
    })
}

/// A `[[scenarios.NAME.endpoint]]` table.
fn endpoint() -> Value {
    json!({
        "type": "object",
        "description": "Per-endpoint thresholds.",
        "additionalProperties": false,
        "required": ["name"],
        "properties": {
            "name": {
                "type": "string",
                "description": "Which endpoint rows (Locust's Name) to check. A table that matches no \
                    endpoint is a failed check, so a typo cannot pass silently. Pattern: `*` matches any \
                    run of characters, including `/`, and `?` matches one character; every other \
                    character is literal.",
                "examples": ["/api/deployments/*"]
            },
            "method": {
                "type": "string",
                "description": "Optional; Locust's Type (GET, POST, …).",
                "examples": ["GET", "POST"]
            },
            "thresholds": thresholds(
                "Checked against each matching endpoint row. Endpoint rows get no `[defaults]`."
            )
        }
    })
}

/// A `[[scenarios.NAME.group]]` table.
fn group() -> Value {
    json!({
        "type": "object",
        "description": "Endpoints merged into one: those whose name matches `pattern` (and whose \
            method is `method`, when given) become one endpoint per method, before anything is \
            checked, compared or reported. Counts merge exactly; percentiles exactly where every \
            request's time is known (histograms), otherwise estimated and marked ≈.",
        "additionalProperties": false,
        "required": ["pattern"],
        "properties": {
            "pattern": {
                "type": "string",
                "minLength": 1,
                "description": "Which endpoint names to merge. An endpoint joins the first group that \
                    matches it. Pattern: `*` matches any run of characters, including `/`, and `?` \
                    matches one character; every other character is literal.",
                "examples": ["/item/*"]
            },
            "name": {
                "type": "string",
                "minLength": 1,
                "description": "The merged endpoint's name. Default: the pattern.",
                "examples": ["/item/[id]"]
            },
            "method": {
                "type": "string",
                "description": "Optional; only endpoints of this method (Locust's Type) join the group.",
                "examples": ["GET"]
            }
        }
    })
}

/// A `[scenarios.NAME]` table.
fn scenario() -> Value {
    json!({
        "type": "object",
        "description": "Targets for the scenarios this table matches.",
        "additionalProperties": false,
        "properties": {
            "match": {
                "type": "string",
                "description": "Which scenarios this table configures. Default: `NAME`. Pattern: `*` \
                    matches any run of characters, including `/`, and `?` matches one character; every \
                    other character is literal.",
                "examples": ["scenario1*"]
            },
            "required": {
                "type": "boolean",
                "description": "Default `true`. A required table that matches no result set fails the \
                    gate as `missing`. An optional one only produces a warning.",
                "default": true
            },
            "min_duration": {
                "type": "string",
                "description": "`30s`, `4m`, `1h30m`, `500ms`. A shorter history span makes the scenario \
                    `incomplete`. Without a readable history the duration is unknown, and the check fails.",
                "pattern": duration_pattern(),
                "examples": ["4m", "30s", "1h30m"]
            },
            "min_requests": {
                "type": "integer",
                "minimum": 0,
                "description": "Fewer requests in total makes the scenario `incomplete`.",
                "examples": [10000]
            },
            "thresholds": thresholds(
                "Added to `[defaults]`. A scenario threshold on a metric replaces every default on that metric."
            ),
            "endpoint": {
                "type": "array",
                "description": "Per-endpoint thresholds: `[[scenarios.NAME.endpoint]]`.",
                "items": endpoint()
            },
            "group": {
                "type": "array",
                "description": "Endpoint names merged into one: `[[scenarios.NAME.group]]`.",
                "items": group()
            },
            "regression": regression(
                "This scenario's tolerances for `--baseline`, overriding the global `[regression]` \
                key by key."
            ),
            "steady_state": steady_state("Where this scenario's steady part starts, overriding `[defaults]`."),
            "users": {
                "type": "integer",
                "minimum": 0,
                "description": "The user count the run should reach; a lower peak is a data-sanity finding.",
                "examples": [100]
            },
            "strict_data": {
                "type": "boolean",
                "description": "Data-sanity findings are failed checks for this scenario (overrides `[defaults]`)."
            }
        }
    })
}

/// The JSON Schema (draft-07) of `loadgate.toml`.
pub fn config_schema() -> Value {
    json!({
        "$schema": DRAFT,
        "title": "loadgate.toml",
        "description": "loadgate's config: SLA targets for Locust load-test results. The schema helps \
            editors; loadgate's own parser is authoritative.",
        "type": "object",
        "additionalProperties": false,
        "properties": {
            "title": {
                "type": "string",
                "description": "The report title. Default `Load test results`.",
                "examples": ["Release 2026-01 load tests"]
            },
            "defaults": {
                "type": "object",
                "description": "Applies to every scenario's total.",
                "additionalProperties": false,
                "properties": {
                    "thresholds": thresholds(
                        "Checked against every scenario's `Aggregated` row. If there is no `[defaults]` \
                        table, the built-in defaults apply (and loadgate says so). `thresholds = []` turns \
                        the defaults off."
                    ),
                    "steady_state": steady_state(
                        "Where the steady part of a run starts, for windowed checks and `rps.steady`: \
                        `auto` (default: when the user count first reaches its peak), `all`, \
                        `after 30s`, or `users >= 100`."
                    ),
                    "strict_data": {
                        "type": "boolean",
                        "description": "Data-sanity findings (numbers that cannot all be true) are failed \
                            checks instead of warnings. Default `false`."
                    }
                }
            },
            "regression": regression(&format!(
                "Tolerances for `--baseline`: how far each metric may move against the baseline \
                before it counts as a regression, which fails the gate. Without this table the \
                built-in tolerances apply: {}, noise_floor {}ms.",
                crate::config::DEFAULT_TOLERANCES
                    .iter()
                    .map(|(metric, tolerance)| format!("{metric} {tolerance}"))
                    .collect::<Vec<_>>()
                    .join(", "),
                crate::config::DEFAULT_NOISE_FLOOR_MS
            )),
            "history": {
                "type": "object",
                "description": "How `--baseline DIR` takes its baseline from a run history (a folder \
                    `check --history DIR` writes): per metric, the median of the last `window` \
                    comparable runs (same scenarios, load tool and peak users, duration within 10%) \
                    on `branch`.",
                "additionalProperties": false,
                "properties": {
                    "window": {
                        "type": "integer",
                        "minimum": 1,
                        "maximum": crate::config::MAX_HISTORY_WINDOW,
                        "description": format!(
                            "How many comparable runs the baseline is the median of. Default {}.",
                            crate::config::DEFAULT_HISTORY_WINDOW
                        ),
                        "examples": [crate::config::DEFAULT_HISTORY_WINDOW]
                    },
                    "branch": {
                        "type": "string",
                        "description": "Compare with the runs of this branch, e.g. `main` for pull \
                            requests against main. Default: the branch of this run (`GITHUB_REF_NAME`, \
                            else `git`); runs of other branches are not used.",
                        "examples": ["main"]
                    }
                }
            },
            "report": {
                "type": "object",
                "description": "How the reports lay the results out.",
                "additionalProperties": false,
                "properties": {
                    "max_endpoints": {
                        "type": "integer",
                        "minimum": 1,
                        "maximum": crate::config::MAX_MAX_ENDPOINTS,
                        "default": crate::config::DEFAULT_MAX_ENDPOINTS,
                        "description": "At most this many endpoints per scenario in report.md, \
                            report.html and the job summary: the slowest, the most failing and the \
                            busiest, taken in turn, with a line saying how many more there are. \
                            summary.json has them all."
                    }
                }
            },
            "scenarios": {
                "type": "object",
                "description": "One table per scenario (or group of scenarios, via `match`). Scenarios found \
                    on disk but not named here are judged by `[defaults]` alone.",
                "additionalProperties": scenario()
            }
        }
    })
}

/// [`config_schema`] as pretty-printed JSON with a trailing newline.
pub fn config_schema_pretty() -> String {
    // Serialising a `Value` cannot fail: its map keys are strings.
    let mut text =
        serde_json::to_string_pretty(&config_schema()).expect("a JSON value always serialises");
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::path::Path;

    use regex::Regex;

    use super::*;
    use crate::config::{BUILTIN_DEFAULTS, Config, Threshold, threshold::parse_duration};

    fn re(pattern: &str) -> Regex {
        Regex::new(pattern).unwrap_or_else(|e| panic!("{pattern}: {e}"))
    }

    /// A validator for the keywords this schema uses, so tests can check
    /// real configs against it without a JSON Schema crate. Returns the
    /// problems found, each with its JSON path.
    fn validate(schema: &Value, value: &Value, path: &str, problems: &mut Vec<String>) {
        let ty = schema["type"].as_str();
        let ok = match (ty, value) {
            (Some("object"), Value::Object(_))
            | (Some("array"), Value::Array(_))
            | (Some("string"), Value::String(_))
            | (Some("boolean"), Value::Bool(_))
            | (None, _) => true,
            (Some("integer"), Value::Number(n)) => n.is_i64() || n.is_u64(),
            _ => false,
        };
        if !ok {
            problems.push(format!("{path}: expected {ty:?}, found {value}"));
            return;
        }
        if let (Some(pattern), Value::String(s)) = (schema["pattern"].as_str(), value)
            && !re(pattern).is_match(s)
        {
            problems.push(format!("{path}: `{s}` does not match the pattern"));
        }
        if let (Some(min), Some(n)) = (schema["minimum"].as_f64(), value.as_f64())
            && n < min
        {
            problems.push(format!("{path}: {n} < {min}"));
        }
        if let (Some(max), Some(n)) = (schema["maximum"].as_f64(), value.as_f64())
            && n > max
        {
            problems.push(format!("{path}: {n} > {max}"));
        }
        if let (Some(min), Value::String(s)) = (schema["minLength"].as_u64(), value)
            && (s.chars().count() as u64) < min
        {
            problems.push(format!("{path}: shorter than {min}"));
        }
        if let Value::Array(items) = value {
            for (i, item) in items.iter().enumerate() {
                validate(&schema["items"], item, &format!("{path}[{i}]"), problems);
            }
        }
        if let Value::Object(map) = value {
            for required in schema["required"].as_array().into_iter().flatten() {
                let key = required.as_str().unwrap_or_default();
                if !map.contains_key(key) {
                    problems.push(format!("{path}: `{key}` is required"));
                }
            }
            for (key, v) in map {
                let sub = format!("{path}.{key}");
                if let Some(sub_schema) = property_schema(schema, key) {
                    validate(sub_schema, v, &sub, problems);
                } else if schema["additionalProperties"] == false {
                    problems.push(format!("{sub}: unknown key"));
                }
            }
        }
    }

    /// The schema for `key` in an object: `properties`, else the first
    /// matching `patternProperties`, else an `additionalProperties` schema.
    fn property_schema<'a>(schema: &'a Value, key: &str) -> Option<&'a Value> {
        if schema["properties"][key].is_object() {
            return Some(&schema["properties"][key]);
        }
        let by_pattern = schema["patternProperties"]
            .as_object()
            .into_iter()
            .flatten()
            .find(|(pattern, _)| re(pattern).is_match(key))
            .map(|(_, sub)| sub);
        by_pattern.or(Some(&schema["additionalProperties"]).filter(|s| s.is_object()))
    }

    /// Metric names, valid and not, for the keys of `[regression]` tables.
    const METRIC_KEYS: [&str; 12] = [
        "requests",
        "failures",
        "median",
        "avg",
        "min",
        "max",
        "p50",
        "p99.9",
        "rps",
        "failures_per_s",
        "success_rate",
        "error_rate",
    ];

    fn problems_in(toml_text: &str) -> Vec<String> {
        let doc: toml::Table = toml::from_str(toml_text).unwrap();
        let json = serde_json::to_value(&doc).unwrap();
        let mut problems = Vec::new();
        validate(&config_schema(), &json, "$", &mut problems);
        problems
    }

    #[test]
    fn schema_is_draft_07_json_with_the_config_top_level_keys() {
        let schema: Value = serde_json::from_str(&config_schema_pretty()).unwrap();
        assert_eq!(schema["$schema"], DRAFT);
        assert_eq!(schema["type"], "object");
        assert_eq!(schema["additionalProperties"], false);
        let keys: Vec<&str> = schema["properties"]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(
            keys,
            [
                "defaults",
                "history",
                "regression",
                "report",
                "scenarios",
                "title"
            ]
        );
        assert!(config_schema_pretty().ends_with("}\n"));
    }

    #[test]
    fn every_table_in_the_schema_rejects_unknown_keys() {
        fn walk(schema: &Value, path: &str) {
            if schema["type"] == "object" {
                // Either a closed table, or a map of tables (`scenarios`) whose values are closed.
                match &schema["additionalProperties"] {
                    Value::Bool(false) => {}
                    Value::Object(_) => assert!(schema.get("properties").is_none(), "{path}"),
                    other => panic!("{path}: additionalProperties is {other}"),
                }
            }
            for (key, sub) in schema["properties"].as_object().into_iter().flatten() {
                walk(sub, &format!("{path}.{key}"));
            }
            for (key, sub) in schema["patternProperties"]
                .as_object()
                .into_iter()
                .flatten()
            {
                walk(sub, &format!("{path}.{key}"));
            }
            for key in ["items", "additionalProperties"] {
                if schema[key].is_object() {
                    walk(&schema[key], &format!("{path}.{key}"));
                }
            }
        }
        walk(&config_schema(), "$");
    }

    /// Every string in README.md that is written as code (`...`) or as a
    /// TOML string ("...") and could be a threshold.
    fn readme_candidates() -> BTreeSet<String> {
        let readme = include_str!("../README.md");
        let mut out = BTreeSet::new();
        for quote in ['`', '"'] {
            for (i, piece) in readme.split(quote).enumerate() {
                if i % 2 == 1 && !piece.contains('\n') && piece.len() < 60 {
                    out.insert(piece.to_string());
                }
            }
        }
        out
    }

    #[test]
    fn every_threshold_in_the_readme_and_demo_config_matches_the_pattern() {
        let pattern = re(&threshold_pattern());
        let demo: toml::Table =
            toml::from_str(include_str!("../fixtures/demo/loadgate.toml")).unwrap();
        let demo_json = serde_json::to_value(&demo).unwrap();
        let mut demo_thresholds = Vec::new();
        collect_thresholds(&demo_json, &mut demo_thresholds);
        assert!(demo_thresholds.len() >= 10, "{demo_thresholds:?}");

        let mut checked = 0;
        let candidates = readme_candidates()
            .into_iter()
            .chain(demo_thresholds)
            .chain(BUILTIN_DEFAULTS.iter().map(|s| s.to_string()));
        for text in candidates {
            if Threshold::parse(&text).is_ok() {
                assert!(
                    pattern.is_match(&text),
                    "`{text}` parses but does not match"
                );
                checked += 1;
            } else {
                // The README's examples of bad thresholds (`latency < 5ms`) must not match either.
                assert!(
                    !pattern.is_match(&text),
                    "`{text}` matches but does not parse"
                );
            }
        }
        assert!(
            checked >= 15,
            "only {checked} thresholds found in README.md"
        );
    }

    fn collect_thresholds(value: &Value, out: &mut Vec<String>) {
        match value {
            Value::Object(map) => {
                for (k, v) in map {
                    match (k.as_str(), v) {
                        ("thresholds", Value::Array(items)) => out.extend(
                            items
                                .iter()
                                .filter_map(Value::as_str)
                                .map(ToString::to_string),
                        ),
                        _ => collect_thresholds(v, out),
                    }
                }
            }
            Value::Array(items) => items.iter().for_each(|v| collect_thresholds(v, out)),
            _ => {}
        }
    }

    #[test]
    fn the_threshold_pattern_agrees_with_the_parser() {
        let pattern = re(&threshold_pattern());
        let valid = [
            "median < 200",
            "median < 200ms",
            "p99 < 1s",
            "p99<1.5 s",
            "  p99.9 <= 2s  ",
            "p50 == 3",
            "avg > 0.5ms",
            "min >= .5",
            "max <= 3s",
            "rps >= 50",
            "rps > 50.25",
            "failures == 0",
            "requests >= 10000",
            "failures_per_s < 1",
            "success_rate >= 99%",
            "success_rate>=99.95 %",
            "error_rate < 1%",
            "median < +5",
            // Per-second values as loadgate's reports print them.
            "rps >= 50/s",
            "rps >= 20 /s",
            "failures_per_s < 1/s",
            "rps.steady >= 20/s",
            "rps >= 100/s for 1m",
        ];
        for text in valid {
            assert!(Threshold::parse(text).is_ok(), "{text} should parse");
            assert!(pattern.is_match(text), "{text} should match");
        }
        let invalid = [
            "",
            "median",
            "median 200",
            "median < ",
            "median < abc",
            "median < -5",
            "median < 200 ms extra",
            "median ≤ 5",
            "median < 5m",
            "latency < 5ms",
            "medians < 5",
            "success_rate >= 99",
            "error_rate < 1ms",
            "requests > 10ms",
            "rps => 50",
            "p < 5",
            "requests > 5/s",
            "users >= 5/s",
            "median < 5/s",
            "error_rate < 1/s",
            "rps >= 20/min",
            "rps >= 20/ s",
            "rps >= 20//s",
            // Other tools' spellings, which loadgate answers with a hint.
            "p(95)<200",
            "med < 50",
            "rate<0.01",
            "http_req_duration: p(95)<200",
            "success_rate >= 0.99",
            "error_rate < 1",
        ];
        for text in invalid {
            assert!(Threshold::parse(text).is_err(), "{text} should not parse");
            assert!(!pattern.is_match(text), "{text} should not match");
        }
        // Known and documented: ranges are the parser's job.
        for text in ["p0 < 5", "p101 < 5", "error_rate < 101%"] {
            assert!(
                Threshold::parse(text).is_err() && pattern.is_match(text),
                "{text}"
            );
        }
        // Known and documented: so is the direction of a rate, which the
        // grammar accepts and a config refuses.
        for text in [
            "error_rate > 1%",
            "error_rate >= 1%",
            "success_rate < 99%",
            "success_rate <= 99%",
        ] {
            assert!(
                Threshold::parse(text).is_ok()
                    && Threshold::parse_strict(text).is_err()
                    && pattern.is_match(text),
                "{text}"
            );
        }
    }

    #[test]
    fn the_duration_pattern_agrees_with_the_parser() {
        let pattern = re(&duration_pattern());
        for text in [
            "30s", "4m", "1h30m", "500ms", "2min", "1.5h", " 90s ", "0s", "4m30s",
        ] {
            assert!(parse_duration(text).is_ok(), "{text} should parse");
            assert!(pattern.is_match(text), "{text} should match");
        }
        for text in [
            "", "4", "4 weeks", "1m 30s", "s", "4mh", "1m5", "-1s", "1.2.3s",
        ] {
            assert!(parse_duration(text).is_err(), "{text} should not parse");
            assert!(!pattern.is_match(text), "{text} should not match");
        }
    }

    /// A TOML document that uses every property of the schema, built from it:
    /// its `examples`, else a value of its type.
    fn sample(schema: &Value) -> toml::Value {
        if let Some(example) = schema["examples"].get(0) {
            return serde_json::from_value(example.clone()).unwrap();
        }
        match schema["type"].as_str() {
            Some("object") => {
                let mut table = toml::Table::new();
                for (key, sub) in schema["properties"].as_object().into_iter().flatten() {
                    table.insert(key.clone(), sample(sub));
                }
                for key in METRIC_KEYS {
                    if let Some((_, sub)) = schema["patternProperties"]
                        .as_object()
                        .into_iter()
                        .flatten()
                        .find(|(pattern, _)| re(pattern).is_match(key))
                    {
                        table.insert(key.into(), sample(sub));
                    }
                }
                if schema["additionalProperties"].is_object() {
                    table.insert("sample".into(), sample(&schema["additionalProperties"]));
                }
                toml::Value::Table(table)
            }
            Some("array") => toml::Value::Array(vec![sample(&schema["items"])]),
            Some("boolean") => toml::Value::Boolean(schema["default"].as_bool().unwrap_or(true)),
            Some("integer") => toml::Value::Integer(1),
            _ => toml::Value::String("x".into()),
        }
    }

    #[test]
    fn a_config_using_every_schema_property_loads() {
        let doc = sample(&config_schema());
        let text = toml::to_string(&doc).unwrap();
        let config = Config::from_toml(&text, Path::new("loadgate.toml"))
            .unwrap_or_else(|e| panic!("{e}\n{text}"));
        assert!(config.title.is_some(), "{text}");
        assert!(config.history.branch.is_some(), "{text}");
        let sc = &config.scenarios[0];
        assert_eq!(sc.key, "sample");
        assert!(
            sc.min_duration.is_some() && sc.min_requests.is_some(),
            "{text}"
        );
        assert!(
            !sc.thresholds.is_empty() && !config.defaults.is_empty(),
            "{text}"
        );
        let ep = &sc.endpoints[0];
        assert!(ep.method.is_some() && !ep.thresholds.is_empty(), "{text}");
        for regression in [config.regression.as_ref(), sc.regression.as_ref()] {
            let regression = regression.unwrap_or_else(|| panic!("{text}"));
            assert_eq!(regression.rules.len(), METRIC_KEYS.len(), "{text}");
            assert!(regression.noise_floor_ms.is_some(), "{text}");
        }
        assert_eq!(problems_in(&text), Vec::<String>::new());
    }

    #[test]
    fn schema_properties_are_exactly_the_keys_loadgate_accepts() {
        // serde names every field a table accepts when it meets an unknown one
        // ("unknown field `x`, expected one of `a`, `b`"): compare that list
        // with the schema's properties, table by table.
        let schema = config_schema();
        let doc = sample(&schema);
        let mut paths = Vec::new();
        collect_table_paths(&schema, &doc, Vec::new(), &mut paths);
        assert_eq!(
            paths.len(),
            7,
            "root, defaults, history, report, a scenario, an endpoint, a group"
        );
        for (path, properties) in paths {
            let mut probe = doc.clone();
            table_at(&mut probe, &path).insert("zz_unknown".into(), toml::Value::Integer(1));
            let text = toml::to_string(&probe).unwrap();
            let err = Config::from_toml(&text, Path::new("loadgate.toml"))
                .expect_err("an unknown key is an error");
            let expected = err
                .message
                .split_once("expected")
                .unwrap_or_else(|| panic!("{path:?}: {}", err.message))
                .1;
            let accepted: BTreeSet<String> = expected
                .split('`')
                .skip(1)
                .step_by(2)
                .map(ToString::to_string)
                .collect();
            assert_eq!(accepted, properties, "table {path:?}: {}", err.message);
            assert_eq!(problems_in(&text).len(), 1, "the schema rejects it too");
        }
    }

    #[test]
    fn regression_keys_are_the_metrics_loadgate_accepts() {
        let odd = [
            "latency",
            "p",
            "p99x",
            "Median",
            "noise",
            "p99 ",
            "success-rate",
        ];
        for table in ["regression", "scenarios.a.regression"] {
            for key in METRIC_KEYS.iter().chain(&odd).chain(&["noise_floor"]) {
                let value = if *key == "noise_floor" { "5ms" } else { "+10%" };
                let text = format!("[{table}]\n\"{key}\" = \"{value}\"\n");
                let loads = Config::from_toml(&text, Path::new("loadgate.toml")).is_ok();
                let valid = problems_in(&text).is_empty();
                assert_eq!(valid, loads, "{text}: schema {valid}, loadgate {loads}");
                assert_eq!(loads, !odd.contains(key), "{text}");
            }
        }
    }

    #[test]
    fn the_tolerance_patterns_agree_with_the_parser() {
        use crate::config::{Metric, Tolerance};
        let cases = [
            ("+10%", true, true),
            ("-10%", true, true),
            ("- 0.5", true, true),
            (" +.5 % ", true, true),
            ("+5ms", true, false),
            ("+0.5s", true, false),
            ("+5", true, true),
            ("10%", false, false),
            ("+", false, false),
            ("+x%", false, false),
            ("+5m", false, false),
            ("+5 ms extra", false, false),
            ("+-5", false, false),
        ];
        let time = re(&time_tolerance_pattern());
        let other = re(&tolerance_pattern());
        let (p99, rps) = (Metric::parse("p99").unwrap(), Metric::parse("rps").unwrap());
        for (text, time_ok, other_ok) in cases {
            assert_eq!(
                Tolerance::parse(&p99, text).is_ok(),
                time_ok,
                "p99 {text:?}"
            );
            assert_eq!(time.is_match(text), time_ok, "time pattern {text:?}");
            assert_eq!(
                Tolerance::parse(&rps, text).is_ok(),
                other_ok,
                "rps {text:?}"
            );
            assert_eq!(other.is_match(text), other_ok, "pattern {text:?}");
        }
    }

    #[derive(Debug, Clone)]
    enum Seg {
        Key(String),
        Index(usize),
    }

    /// The path to every closed table of `doc` and the schema's property names for it.
    fn collect_table_paths(
        schema: &Value,
        doc: &toml::Value,
        path: Vec<Seg>,
        out: &mut Vec<(Vec<Seg>, BTreeSet<String>)>,
    ) {
        match doc {
            toml::Value::Table(table) => {
                // Tables keyed by metric (`[regression]`) are checked by
                // `regression_keys_are_the_metrics_loadgate_accepts`.
                if let (Some(props), None) = (
                    schema["properties"].as_object(),
                    schema.get("patternProperties"),
                ) {
                    out.push((path.clone(), props.keys().cloned().collect()));
                }
                for (key, v) in table {
                    let Some(sub) = property_schema(schema, key) else {
                        continue;
                    };
                    let mut p = path.clone();
                    p.push(Seg::Key(key.clone()));
                    collect_table_paths(sub, v, p, out);
                }
            }
            toml::Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    let mut p = path.clone();
                    p.push(Seg::Index(i));
                    collect_table_paths(&schema["items"], item, p, out);
                }
            }
            _ => {}
        }
    }

    fn table_at<'a>(doc: &'a mut toml::Value, path: &[Seg]) -> &'a mut toml::Table {
        let mut v = doc;
        for seg in path {
            v = match seg {
                Seg::Key(k) => &mut v[k.as_str()],
                Seg::Index(i) => &mut v[*i],
            };
        }
        v.as_table_mut().expect("the path leads to a table")
    }

    #[test]
    fn the_fixture_configs_the_readme_example_and_starter_configs_validate() {
        for config in [
            include_str!("../fixtures/demo/loadgate.toml"),
            include_str!("../fixtures/baseline/loadgate.toml"),
        ] {
            assert_eq!(problems_in(config), Vec::<String>::new(), "{config}");
        }
        let readme = include_str!("../README.md");
        let example = readme
            .split("```toml\n")
            .nth(1)
            .and_then(|s| s.split("```").next())
            .expect("README.md has a toml example");
        assert_eq!(problems_in(example), Vec::<String>::new());

        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        for dir in ["fixtures/demo", "fixtures/edge"] {
            let found = crate::discover::discover(&[root.join(dir)], None);
            let sets: Vec<(String, crate::model::ScenarioData)> = found
                .sets
                .iter()
                .filter_map(|s| {
                    let data = crate::ingest::locust::read_result_set(&s.files, None).data?;
                    Some((s.name.clone(), data))
                })
                .collect();
            let input: Vec<(String, &crate::model::ScenarioData)> =
                sets.iter().map(|(n, d)| (n.clone(), d)).collect();
            let text = crate::init::starter_config(&input, Some("t"));
            assert_eq!(problems_in(&text), Vec::<String>::new(), "{text}");
        }
    }

    #[test]
    fn the_validator_used_here_catches_what_loadgate_rejects() {
        let bad = [
            "titel = \"x\"",
            "[defaults]\nthreshold = []",
            "[defaults]\nthresholds = [\"latency < 5ms\"]",
            "[scenarios.a]\nmin_duration = \"4\"",
            "[scenarios.a]\nmin_requests = -1",
            "[scenarios.a]\nrequired = \"yes\"",
            "[[scenarios.a.endpoint]]\nmethod = \"GET\"",
            "[[scenarios.a.endpoint]]\nname = \"/x\"\nweight = 1",
            "[regression]\nlatency = \"+1%\"",
            "[regression]\np99 = \"15%\"",
            "[scenarios.a.regression]\nnoise_floor = \"two\"",
            "[scenarios.a.regression]\nrps = \"-1ms\"",
            "[history]\nwindow = 0",
            "[history]\nwindow = 1001",
            "[history]\nwindows = 5",
            "[history]\nbranch = 1",
        ];
        for text in bad {
            assert!(!problems_in(text).is_empty(), "the schema accepts {text:?}");
            assert!(
                Config::from_toml(text, Path::new("loadgate.toml")).is_err(),
                "loadgate accepts {text:?}"
            );
        }
    }
}
