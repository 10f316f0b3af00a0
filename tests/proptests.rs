//! Property tests of the readers and the config parser (proptest; a few
//! hundred cases each, so they stay fast in `cargo test`):
//! - random bytes, and real Locust CSVs with random fields, rows and line
//!   endings, never make a reader panic; a reader either returns data that
//!   keeps its invariants or an error that names the file;
//! - `Threshold::parse` and `Config::from_toml` never panic on any text;
//! - a threshold written from the grammar (`METRIC OP VALUE[UNIT] [for
//!   DURATION]`) parses, and its target is the value in the metric's
//!   canonical unit.
//!
//! Inputs found by the fuzzers in `fuzz/` (and by these properties) are kept
//! below as regression tests. A panic that is known and not yet fixed in
//! src/ is listed in [`KNOWN_PANICS`]: it is printed instead of failing, so
//! remove its entry once it is fixed.

use std::fmt::Debug;
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use loadgate::config::threshold::parse_duration;
use loadgate::config::{Config, Metric, MetricKind, Op, Threshold};
use loadgate::ingest::InputError;
use loadgate::ingest::locust::{read_exceptions, read_failures, read_json, read_stats};
use loadgate::model::{History, Stats};
use proptest::prelude::*;
use proptest::sample::Index;

use crate::util::fixture;

/// Panics found and reported, not yet fixed in src/: (the call as named in
/// [`no_panic`], a substring of the panic message, what goes wrong).
const KNOWN_PANICS: &[(&str, &str, &str)] = &[];

/// `cases` per property, or `PROPTEST_CASES` when set (e.g. 10000 for a deeper local run).
fn cfg(cases: u32) -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(cases);
    ProptestConfig {
        cases,
        // A failure prints its minimal input: add it as a regression test below
        // rather than keeping proptest-regressions/ files.
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Run `f`, failing on a panic unless it is one of [`KNOWN_PANICS`].
fn no_panic<T>(what: &str, input: &dyn Debug, f: impl FnOnce() -> T) -> Option<T> {
    match std::panic::catch_unwind(AssertUnwindSafe(f)) {
        Ok(v) => Some(v),
        Err(payload) => {
            let message = payload
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| payload.downcast_ref::<&str>().copied())
                .unwrap_or("(no message)");
            let known = KNOWN_PANICS
                .iter()
                .find(|(call, sig, _)| *call == what && message.contains(sig));
            match known {
                Some((_, _, known)) => {
                    eprintln!("known panic in {what} ({known}) on {input:?}");
                    None
                }
                None => panic!("{what} panicked on {input:?}: {message}"),
            }
        }
    }
}

/// `read_history` in one place, so a change of its signature is one edit here.
fn history(path: &Path) -> Result<(Option<History>, Option<String>), InputError> {
    loadgate::ingest::locust::read_history(path, None)
}

/// Write `bytes` to `name` in a new temp folder.
fn temp_file(name: &str, bytes: &[u8]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).expect("write input");
    (dir, path)
}

fn names_the_file(e: &impl std::fmt::Display, path: &Path) -> Result<(), TestCaseError> {
    let text = e.to_string();
    prop_assert!(
        text.contains(&path.display().to_string()),
        "the message does not name {}: {text}",
        path.display()
    );
    Ok(())
}

/// What a successful `read_stats` promises about every row.
fn stats_invariants(stats: &Stats) -> Result<(), TestCaseError> {
    prop_assert!(stats.failures <= stats.requests, "{stats:?}");
    let times = [stats.median_ms, stats.avg_ms, stats.min_ms, stats.max_ms];
    let percentiles = stats.percentiles_ms.iter().map(|(_, _, value_ms)| value_ms);
    for v in times.into_iter().chain(percentiles).flatten() {
        prop_assert!(v.is_finite() && v >= 0.0, "time {v} in {stats:?}");
    }
    for v in [stats.rps, stats.failures_per_s] {
        prop_assert!(v.is_finite() && v >= 0.0, "rate {v} in {stats:?}");
    }
    Ok(())
}

fn check_stats(path: &Path, bytes: &[u8]) -> Result<(), TestCaseError> {
    let input = String::from_utf8_lossy(bytes);
    match no_panic("read_stats", &input, || read_stats(path)) {
        Some(Ok((total, endpoints))) => {
            stats_invariants(&total)?;
            for e in &endpoints {
                stats_invariants(&e.stats)?;
            }
        }
        Some(Err(e)) => names_the_file(&e, path)?,
        None => {}
    }
    Ok(())
}

fn check_history(path: &Path, bytes: &[u8]) -> Result<(), TestCaseError> {
    let input = String::from_utf8_lossy(bytes);
    match no_panic("read_history", &input, || history(path)) {
        Some(Ok((h, warning))) => {
            if let Some(w) = warning {
                names_the_file(&w, path)?;
            }
            if let Some(h) = h {
                let ts: Vec<i64> = h.points.iter().map(|p| p.timestamp).collect();
                prop_assert!(
                    ts.windows(2).all(|w| w[0] <= w[1]),
                    "time goes back: {ts:?}"
                );
            }
        }
        Some(Err(e)) => names_the_file(&e, path)?,
        None => {}
    }
    Ok(())
}

// ------------------------------------------------------------------ mangled Locust CSVs

/// A real Locust file as rows of fields (the demo's fields hold no commas or quotes).
fn rows_of(rel: &str, max_rows: usize) -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(fixture(rel)).expect("fixture");
    text.lines()
        .take(max_rows)
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect()
}

static STATS: LazyLock<Vec<Vec<Vec<String>>>> = LazyLock::new(|| {
    vec![
        rows_of(
            "demo/scenario1_concurrent_deployments_stats.csv",
            usize::MAX,
        ),
        rows_of("demo/scenario4_burst_load_stats.csv", usize::MAX),
    ]
});

static HISTORIES: LazyLock<Vec<Vec<Vec<String>>>> = LazyLock::new(|| {
    vec![
        // Cumulative: Aggregated rows only.
        rows_of(
            "demo/scenario1_concurrent_deployments_stats_history.csv",
            30,
        ),
        // --csv-full-history: endpoint rows too.
        rows_of("demo/scenario3_connector_scaling_stats_history.csv", 30),
    ]
});

/// A field value a broken or hostile file might hold.
fn token() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "",
            " ",
            "N/A",
            "Aggregated",
            "NaN",
            "inf",
            "-inf",
            "-1",
            "-0",
            "0",
            "1e308",
            "99999999999999999999999",
            "1.5",
            "12o",
            "\"",
            "\"unclosed",
            "a\"b",
            "\"q\"\"x\"",
            "\r",
            "\n",
            "\u{feff}",
            "é",
            "\u{0}",
            "Type",
            "Name",
            "Request Count",
        ])
        .prop_map(str::to_string),
        any::<u64>().prop_map(|n| n.to_string()),
        any::<i64>().prop_map(|n| n.to_string()),
        any::<f64>().prop_map(|f| f.to_string()),
        "[ -~]{0,12}",
        "\\PC{0,6}",
    ]
}

#[derive(Debug, Clone)]
enum Mutation {
    SetField(Index, Index, String),
    DropField(Index, Index),
    AddField(Index, Index, String),
    DropRow(Index),
    DupRow(Index),
    SwapRows(Index, Index),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        4 => (any::<Index>(), any::<Index>(), token()).prop_map(|(r, c, t)| Mutation::SetField(r, c, t)),
        1 => (any::<Index>(), any::<Index>()).prop_map(|(r, c)| Mutation::DropField(r, c)),
        1 => (any::<Index>(), any::<Index>(), token()).prop_map(|(r, c, t)| Mutation::AddField(r, c, t)),
        1 => any::<Index>().prop_map(Mutation::DropRow),
        1 => any::<Index>().prop_map(Mutation::DupRow),
        1 => (any::<Index>(), any::<Index>()).prop_map(|(a, b)| Mutation::SwapRows(a, b)),
    ]
}

/// How the mangled rows are written out.
#[derive(Debug, Clone)]
struct Layout {
    line_end: &'static str,
    bom: bool,
    /// Cut the file at this fraction of its length (a killed run).
    cut: Option<Index>,
}

fn layout() -> impl Strategy<Value = Layout> {
    (
        prop::sample::select(vec!["\r\n", "\n", "\r"]),
        any::<bool>(),
        prop::option::weighted(0.2, any::<Index>()),
    )
        .prop_map(|(line_end, bom, cut)| Layout { line_end, bom, cut })
}

fn mangle(rows: &[Vec<String>], mutations: &[Mutation], layout: &Layout) -> Vec<u8> {
    let mut rows = rows.to_vec();
    for m in mutations {
        if rows.is_empty() {
            break;
        }
        let n = rows.len();
        match m {
            Mutation::SetField(r, c, t) => {
                let row = &mut rows[r.index(n)];
                if !row.is_empty() {
                    let c = c.index(row.len());
                    row[c] = t.clone();
                }
            }
            Mutation::DropField(r, c) => {
                let row = &mut rows[r.index(n)];
                if !row.is_empty() {
                    row.remove(c.index(row.len()));
                }
            }
            Mutation::AddField(r, c, t) => {
                let row = &mut rows[r.index(n)];
                row.insert(c.index(row.len() + 1), t.clone());
            }
            Mutation::DropRow(r) => {
                rows.remove(r.index(n));
            }
            Mutation::DupRow(r) => {
                let i = r.index(n);
                rows.insert(i, rows[i].clone());
            }
            Mutation::SwapRows(a, b) => rows.swap(a.index(n), b.index(n)),
        }
    }
    let mut text = String::new();
    if layout.bom {
        text.push('\u{feff}');
    }
    for row in &rows {
        text.push_str(&row.join(","));
        text.push_str(layout.line_end);
    }
    let mut bytes = text.into_bytes();
    if let Some(cut) = &layout.cut {
        bytes.truncate(cut.index(bytes.len() + 1));
    }
    bytes
}

proptest! {
    #![proptest_config(cfg(128))]

    #[test]
    fn random_bytes_never_panic_a_reader(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
        let (_dir, path) = temp_file("r_stats.csv", &bytes);
        check_stats(&path, &bytes)?;
        check_history(&path, &bytes)?;
        for result in [
            no_panic("read_failures", &bytes, || read_failures(&path).map(drop)),
            no_panic("read_exceptions", &bytes, || read_exceptions(&path).map(drop)),
            no_panic("read_json", &bytes, || read_json(&path).map(drop)),
        ] {
            if let Some(Err(e)) = result {
                names_the_file(&e, &path)?;
            }
        }
    }

    #[test]
    fn a_mangled_stats_file_parses_or_names_itself(
        which in any::<Index>(),
        mutations in prop::collection::vec(mutation(), 0..5),
        layout in layout(),
    ) {
        let rows: &Vec<Vec<String>> = which.get(&STATS[..]);
        let bytes = mangle(rows, &mutations, &layout);
        let (_dir, path) = temp_file("m_stats.csv", &bytes);
        check_stats(&path, &bytes)?;
    }

    #[test]
    fn a_mangled_history_parses_or_names_itself(
        which in any::<Index>(),
        mutations in prop::collection::vec(mutation(), 0..5),
        layout in layout(),
    ) {
        let rows: &Vec<Vec<String>> = which.get(&HISTORIES[..]);
        let bytes = mangle(rows, &mutations, &layout);
        let (_dir, path) = temp_file("m_stats_history.csv", &bytes);
        check_history(&path, &bytes)?;
    }
}

// ------------------------------------------------------------------ thresholds and config

/// Pieces of the threshold language and of what people mistype.
fn threshold_like() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        prop::sample::select(vec![
            "p99",
            "p99.9",
            "p0",
            "p101",
            "p",
            "p.",
            "p1..2",
            "median",
            "success_rate",
            "rps",
            "requests",
            "<",
            "<=",
            ">",
            ">=",
            "==",
            "=",
            "≤",
            " ",
            "\t",
            "\u{3000}",
            "5",
            "-5",
            "+5",
            "1.",
            ".5",
            "1e3",
            "ms",
            "s",
            "%",
            "h",
            "m",
            "99999999999999999999999",
            "é",
        ])
        .prop_map(str::to_string),
        "[ -~]{0,4}",
    ];
    prop::collection::vec(piece, 0..7).prop_map(|p| p.concat())
}

proptest! {
    #![proptest_config(cfg(256))]

    #[test]
    fn threshold_parse_never_panics(text in prop_oneof![any::<String>(), threshold_like()]) {
        let result = no_panic("Threshold::parse", &text, || Threshold::parse(&text));
        if let Some(Err(e)) = result {
            prop_assert!(text.is_char_boundary(e.offset), "offset {} in {text:?}", e.offset);
        }
        let duration = no_panic("parse_duration", &text, || parse_duration(&text));
        if let Some(Err(e)) = duration {
            prop_assert!(e.offset <= text.trim().len(), "offset {} in {text:?}", e.offset);
        }
    }
}

/// A TOML string literal holding `s`, escaped or raw, as people write them.
fn toml_string() -> impl Strategy<Value = String> {
    let ch = prop_oneof![
        prop::sample::select(vec![
            "\\t",
            "\\u3000",
            "\\\"",
            "\\\\",
            "\\n",
            "\u{3000}",
            "é",
            "€",
            " ",
            "<",
            "5",
            "ms",
            "%",
            "p99",
            "median",
            "success_rate >= 99%",
            "\\x",
        ])
        .prop_map(str::to_string),
        "[a-z0-9 <>=.%]{0,3}",
    ];
    (prop::collection::vec(ch, 0..6), 0..3u8).prop_map(|(parts, quoting)| {
        let body = parts.concat();
        match quoting {
            0 => format!("\"{body}\""),
            1 => format!("'{}'", body.replace('\'', "")),
            _ => format!("\"\"\"{body}\"\"\""),
        }
    })
}

/// A `loadgate.toml` made of real keys with odd values, and odd keys.
fn config_like() -> impl Strategy<Value = String> {
    let key = prop::sample::select(vec![
        "title",
        "thresholds",
        "threshold",
        "match",
        "required",
        "min_duration",
        "min_requests",
        "name",
        "method",
        "p99",
        "noise_floor",
        "success_rate",
        "bogus",
    ]);
    let value = prop_oneof![
        toml_string(),
        prop::collection::vec(toml_string(), 0..3).prop_map(|v| format!("[{}]", v.join(", "))),
        prop::sample::select(vec![
            "true",
            "0",
            "-1",
            "1e400",
            "99999999999999999999999",
            "[",
            "{}"
        ])
        .prop_map(str::to_string),
    ];
    let table = prop::sample::select(vec![
        "",
        "[defaults]",
        "[scenarios.a]",
        "[scenarios.\"b c\"]",
        "[[scenarios.a.endpoint]]",
        "[regression]",
        "[scenarios.a.regression]",
        "[scenarios]",
    ]);
    let line = prop_oneof![
        4 => (key, value).prop_map(|(k, v)| format!("{k} = {v}")),
        1 => table.prop_map(str::to_string),
        1 => "[ -~]{0,10}",
    ];
    prop::collection::vec(line, 0..8).prop_map(|l| l.join("\n"))
}

proptest! {
    #![proptest_config(cfg(256))]

    #[test]
    fn config_from_toml_never_panics(text in prop_oneof![any::<String>(), config_like()]) {
        let file = Path::new("dir/loadgate.toml");
        let result = no_panic("Config::from_toml", &text, || {
            Config::from_toml(&text, file).map_err(|e| e.to_string())
        });
        if let Some(Err(message)) = result {
            prop_assert!(message.starts_with("dir/loadgate.toml"), "{message}");
        }
    }
}

// ------------------------------------------------------------------ the threshold grammar

/// A metric as written, its parsed form, and its kind.
fn metric() -> impl Strategy<Value = (String, Metric)> {
    let named = prop::sample::select(vec![
        "requests",
        "failures",
        "median",
        "avg",
        "min",
        "max",
        "rps",
        "failures_per_s",
        "success_rate",
        "error_rate",
        "users",
        "rps.steady",
    ])
    .prop_map(|n| {
        (
            n.to_string(),
            Metric::parse(n).expect("a documented metric"),
        )
    });
    // pN: N in (0, 100] with up to two decimals, written as people do (`p99`, `p99.9`).
    let percentile = (1u32..=10_000, 0u32..3).prop_map(|(hundredths, decimals)| {
        let level = match decimals {
            0 => f64::from(hundredths.div_ceil(100)),
            1 => f64::from(hundredths.div_ceil(10)) / 10.0,
            _ => f64::from(hundredths) / 100.0,
        };
        let label = format!("{level}");
        (format!("p{label}"), Metric::Percentile { level, label })
    });
    prop_oneof![named, percentile]
}

fn op() -> impl Strategy<Value = (&'static str, Op)> {
    prop::sample::select(vec![
        ("<", Op::Lt),
        ("<=", Op::Le),
        (">", Op::Gt),
        (">=", Op::Ge),
        ("==", Op::Eq),
    ])
}

/// A value with up to three decimals; `{v}` prints it so that it parses back exactly.
fn value(max: u32) -> impl Strategy<Value = f64> {
    // n thousandths, cut to `decimals` decimals.
    (0..=max * 1000, 0u32..4).prop_map(|(n, decimals)| {
        let kept = n / 10u32.pow(3 - decimals);
        f64::from(kept) / f64::from(10u32.pow(decimals))
    })
}

proptest! {
    #![proptest_config(cfg(256))]

    #[test]
    fn a_threshold_from_the_grammar_parses_to_its_canonical_target(
        (name, metric) in metric(),
        (op_text, op) in op(),
        v in value(100_000),
        rate in value(100),
        second in any::<bool>(),
        ws in prop::sample::select(vec![("", ""), (" ", " "), (" ", ""), ("\t", " "), ("  ", "")]),
        window in prop::option::of((1u32..=600, prop::sample::select(vec![("s", 1.0), ("m", 60.0), ("h", 3600.0)]))),
    ) {
        // The unit and the value in canonical units (ms, %, plain numbers) for the metric's kind.
        let (value, unit, target) = match metric.kind() {
            MetricKind::Time if second => (v, "s", v * 1000.0),
            MetricKind::Time => (v, if (v as u64).is_multiple_of(2) { "ms" } else { "" }, v),
            MetricKind::Rate => (rate, "%", rate),
            MetricKind::Count | MetricKind::PerSecond => (v, "", v),
        };
        let (outer, inner) = ws;
        // `for DURATION` only on the metrics a window can check.
        let window = window.filter(|_| metric.windowable());
        let window_text = window.map_or(String::new(), |(n, (u, _))| format!(" for {n}{u}"));
        let text = format!("{outer}{name}{inner}{op_text}{inner}{value}{unit}{window_text}{outer}");
        let t = Threshold::parse(&text).map_err(|e| TestCaseError::fail(format!("{text:?}: {e}")))?;
        prop_assert_eq!(&t.metric, &metric, "{:?}", text);
        prop_assert_eq!(t.op, op, "{:?}", text);
        prop_assert_eq!(t.target, target, "{:?}", text);
        prop_assert_eq!(t.window_s, window.map(|(n, (_, factor))| f64::from(n) * factor), "{:?}", text);
        prop_assert_eq!(t.text.as_str(), text.trim());
    }
}

// ------------------------------------------------------------------ regression inputs

/// Found by reading src/config/mod.rs, and confirmed with the `config_toml`
/// fuzz target: an escape (`\t`) before a multi-byte space (NBSP, U+3000)
/// shifts the error position of the threshold into the middle of that space.
#[test]
fn an_escaped_threshold_with_a_wide_space_does_not_panic_the_config() {
    for text in [
        "[defaults]\nthresholds = [\"\\t\\t\u{3000}x < 5\"]\n",
        "[defaults]\nthresholds = [\"\\t\u{a0}x < 5\"]\n",
    ] {
        let result = no_panic("Config::from_toml", &text, || {
            Config::from_toml(text, Path::new("loadgate.toml")).map_err(|e| e.to_string())
        });
        if let Some(result) = result {
            let message = result.expect_err("`x` is not a metric");
            assert!(message.starts_with("loadgate.toml:2:"), "{message}");
            assert!(message.contains("unknown metric `x`"), "{message}");
        }
    }
}

/// Found by the corpus (history_timestamp_extremes): timestamps far apart
/// overflow the gap between two rows.
#[test]
fn history_timestamps_far_apart_do_not_overflow() {
    let header = "Timestamp,User Count,Type,Name,Requests/s,Failures/s,50%,Total Request Count,Total Failure Count";
    let text = format!(
        "{header}\n{},1,,Aggregated,1.0,0.0,5,1,0\n{},1,,Aggregated,1.0,0.0,5,2,0\n",
        i64::MIN,
        i64::MAX
    );
    let (_dir, path) = temp_file("x_stats_history.csv", text.as_bytes());
    if let Some(result) = no_panic("read_history", &text, || history(&path)) {
        match result {
            Ok((h, _)) => {
                let h = h.expect("two rows");
                assert!(
                    !h.anomalies.is_empty(),
                    "implausible timestamps are reported"
                );
                assert!(
                    h.anomalies
                        .iter()
                        .all(|a| a.contains(&path.display().to_string()))
                );
            }
            Err(e) => assert!(e.to_string().contains(&path.display().to_string()), "{e}"),
        }
    }
}

/// Counts near the top of u64, where sums overflow, mixed with small ones.
fn big_count() -> impl Strategy<Value = u64> {
    prop_oneof![0u64..1000, (u64::MAX / 4)..=u64::MAX, Just(u64::MAX)]
}

proptest! {
    #![proptest_config(cfg(200))]

    /// Every sum of JSON histogram counts is checked: the reader returns the
    /// exact totals when they fit in 64 bits and an error naming the file
    /// when they do not, never a wrapped number or a panic (debug builds
    /// panic on overflow, so `cargo test` would catch one).
    #[test]
    fn json_histogram_counts_are_summed_exactly_or_refused(
        entries in prop::collection::vec(prop::collection::vec((0u32..5000, big_count()), 0..5), 0..4)
    ) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("run.json");
        let json: Vec<serde_json::Value> = entries.iter().enumerate().map(|(i, buckets)| {
            let times: serde_json::Map<String, serde_json::Value> = buckets
                .iter()
                .map(|(ms, n)| (ms.to_string(), serde_json::json!(n)))
                .collect();
            serde_json::json!({"name": format!("/e{i}"), "method": "GET", "response_times": times})
        }).collect();
        std::fs::write(&path, serde_json::to_string(&json).unwrap()).unwrap();
        // Duplicate bucket keys collapse in the JSON object: sum what was written.
        let exact: u128 = json.iter().map(|e| {
            e["response_times"].as_object().unwrap().values().map(|v| u128::from(v.as_u64().unwrap())).sum::<u128>()
        }).sum();
        let read = no_panic("read_json", &entries, || read_json(&path));
        match read {
            Some(Ok(h)) => {
                prop_assert!(exact <= u128::from(u64::MAX));
                let total: u128 = h.total.values().map(|&v| u128::from(v)).sum();
                prop_assert_eq!(total, exact);
            }
            Some(Err(e)) => {
                prop_assert!(exact > u128::from(u64::MAX), "{e}");
                let text = e.to_string();
                prop_assert!(text.contains("run.json") && text.contains("add up to more than"), "{}", text);
            }
            None => {}
        }
    }

    /// The same for the failures file's `Occurrences`, with the line where
    /// the sum stops fitting.
    #[test]
    fn failure_occurrences_are_summed_exactly_or_refused(counts in prop::collection::vec(big_count(), 0..6)) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s_failures.csv");
        let mut text = String::from("Method,Name,Error,Occurrences\n");
        for (i, n) in counts.iter().enumerate() {
            text.push_str(&format!("GET,/e{i},boom,{n}\n"));
        }
        std::fs::write(&path, text).unwrap();
        let exact: u128 = counts.iter().map(|&n| u128::from(n)).sum();
        match no_panic("read_failures", &counts, || read_failures(&path)) {
            Some(Ok(rows)) => {
                prop_assert!(exact <= u128::from(u64::MAX));
                prop_assert_eq!(rows.iter().map(|r| u128::from(r.occurrences)).sum::<u128>(), exact);
            }
            Some(Err(e)) => {
                prop_assert!(exact > u128::from(u64::MAX), "{e}");
                // The line of the row where the running sum first overflows.
                let mut sum: u128 = 0;
                let line = counts.iter().position(|&n| { sum += u128::from(n); sum > u128::from(u64::MAX) }).unwrap() + 2;
                prop_assert!(e.to_string().contains(&format!("s_failures.csv:{line}:")), "{e}");
            }
            None => {}
        }
    }
}
