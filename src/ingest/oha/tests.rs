//! The oha reader on small hand-written summaries (the real runs are in
//! `fixtures/oha/`, checked by `tests/oha.rs`).

use super::*;

fn read_text(name: &str, text: &str) -> Ingested {
    let d = tempfile::tempdir().unwrap();
    let path = d.path().join(name);
    std::fs::write(&path, text).unwrap();
    let files = ResultFiles {
        stats: Some(path),
        ..ResultFiles::default()
    };
    Oha.read(&files, None, None)
}

/// A summary in oha 1.16's shape, `summary` and the distributions given.
fn summary(summary: &str, percentiles: &str, codes: &str, errors: &str) -> String {
    format!(
        r#"{{
  "summary": {{"successRate": 0.9, "requestsPerSec": 10.0, {summary}, "totalData": 10, "sizePerRequest": 1, "sizePerSec": 2.0}},
  "metrics": {{"success_rate": 0.9}},
  "responseTimeHistogram": {{"0.001": 3}},
  "latencyPercentiles": {{{percentiles}}},
  "rps": {{"mean": 1.0, "stddev": null, "max": 1.0, "min": 1.0, "percentiles": {{}}}},
  "details": {{}},
  "statusCodeDistribution": {{{codes}}},
  "errorDistribution": {{{errors}}}
}}"#
    )
}

const TIMES: &str = r#""total": 2.0, "slowest": 0.5, "fastest": 0.001, "average": 0.0125"#;
const PERCENTILES: &str = r#""p10": 0.001, "p50": 0.002, "p99": 0.4, "p99.9": 0.5, "p99.99": 0.5"#;

#[test]
fn claims_oha_names_and_knows_its_content() {
    assert_eq!(Oha.claim("run.oha.json"), Some(("run".into(), Role::Stats)));
    for other in [".oha.json", "run.json", "run.k6.json", "oha.csv"] {
        assert_eq!(Oha.claim(other), None, "{other}");
    }
    assert!(Oha.looks_like_result(b"a.oha.json"));
    let d = tempfile::tempdir().unwrap();
    let path = d.path().join("a.oha.json");
    std::fs::write(&path, summary(TIMES, PERCENTILES, r#""200": 1"#, "")).unwrap();
    assert!(Oha.recognises(&path));
    // Locust's --json-file, a k6 summary and an Artillery report are not oha's.
    for other in [
        r#"[{"name": "/a", "response_times": {}}]"#,
        r#"{"metrics": {"http_req_duration": {}}}"#,
        r#"{"aggregate": {}, "intermediate": []}"#,
    ] {
        std::fs::write(&path, other).unwrap();
        assert!(!Oha.recognises(&path), "{other}");
    }
    // A plain NAME.json is Locust's by name, and oha's by content.
    let first = crate::ingest::READERS
        .iter()
        .find_map(|r| r.claim("a.json").map(|_| r.tool()));
    assert_eq!(first, Some("locust"));
    let plain = d.path().join("run.json");
    std::fs::write(&plain, summary(TIMES, PERCENTILES, r#""200": 1"#, "")).unwrap();
    assert_eq!(
        Oha.claim_by_content(&plain),
        Some(("run".into(), Role::Stats))
    );
    std::fs::write(&plain, r#"[{"name": "/a", "response_times": {}}]"#).unwrap();
    assert_eq!(Oha.claim_by_content(&plain), None);
}

#[test]
fn a_summary_gives_requests_failures_times_and_the_failures_table() {
    let text = summary(
        TIMES,
        PERCENTILES,
        r#""200": 14, "429": 3, "503": 1"#,
        r#""aborted due to deadline": 4, "connection refused": 2"#,
    );
    let ingested = read_text("mixed.oha.json", &text);
    assert!(ingested.errors.is_empty(), "{:?}", ingested.errors);
    assert!(ingested.warnings.is_empty(), "{:?}", ingested.warnings);
    let data = ingested.data.unwrap();
    assert_eq!(
        (data.tool.name, data.tool.version.as_deref()),
        ("oha", None)
    );
    let t = &data.totals;
    // 18 responses and 2 refused; the 4 cut at the deadline are no requests.
    assert_eq!((t.requests, t.failures), (20, 6));
    assert_eq!((t.rps, t.failures_per_s), (10.0, 3.0));
    assert_eq!(t.success_rate, Some(70.0));
    assert_eq!(
        (t.min_ms, t.max_ms, t.avg_ms, t.median_ms),
        (Some(1.0), Some(500.0), Some(12.5), Some(2.0))
    );
    assert_eq!(
        t.percentiles_ms.labels(),
        ["10", "50", "99", "99.9", "99.99"]
    );
    assert_eq!(t.percentiles_ms.get(99.0), Some(Some(400.0)));
    assert_eq!(t.percentiles_ms.get(95.0), None);
    assert_eq!(data.endpoints.len(), 1);
    assert_eq!(data.endpoints[0].name, "mixed");
    assert_eq!(data.endpoints[0].stats, *t);
    let failures: Vec<(&str, &str, u64)> = data
        .failures
        .iter()
        .map(|f| (f.name.as_str(), f.error.as_str(), f.occurrences))
        .collect();
    assert_eq!(
        failures,
        [
            ("mixed", "HTTP 429", 3),
            ("mixed", "connection refused", 2),
            ("mixed", "HTTP 503", 1)
        ]
    );
    assert!(data.history.is_none() && data.histograms.is_none());
}

#[test]
fn a_run_without_responses_has_no_times_and_says_so() {
    // oha writes NaN as null: no fastest, no percentiles.
    let text = summary(
        r#""total": 1.0, "slowest": null, "fastest": null, "average": null"#,
        r#""p50": null, "p99": null"#,
        "",
        r#""aborted due to deadline": 3"#,
    );
    let ingested = read_text("none.oha.json", &text);
    let data = ingested.data.unwrap();
    assert_eq!(data.totals.requests, 0);
    assert_eq!((data.totals.min_ms, data.totals.median_ms), (None, None));
    assert_eq!(data.totals.percentiles_ms.get(99.0), Some(None));
    assert!(ingested.warnings[0].contains("oha counted no requests"));
}

#[test]
fn malformed_summaries_are_errors_naming_the_key() {
    let error = |text: &str| {
        let ingested = read_text("x.oha.json", text);
        assert!(ingested.data.is_none());
        let e = &ingested.errors[0];
        format!("{:?}: {}", e.line, e.message)
    };
    let e = error("");
    assert_eq!(
        e,
        "None: an empty file, not an oha JSON summary (oha --output-format json)"
    );
    let text = summary(TIMES, PERCENTILES, r#""200": 1"#, "");
    let e = error(&text[..text.len() / 2]);
    assert!(e.contains("EOF while parsing"), "{e}");
    let e = error(&summary(TIMES, PERCENTILES, r#""200": "many""#, ""));
    assert!(
        e.contains("at statusCodeDistribution.200: invalid type: string \"many\", expected u64"),
        "{e}"
    );
    let e = error(&summary(TIMES, PERCENTILES, r#""200": -1"#, ""));
    assert!(e.contains("at statusCodeDistribution.200"), "{e}");
    let e = error(&summary(TIMES, PERCENTILES, r#""OK": 1"#, ""));
    assert!(
        e.ends_with("statusCodeDistribution.OK: not an HTTP status code"),
        "{e}"
    );
    let e = error(&summary(
        r#""slowest": 0.5, "fastest": 0.001, "average": 0.0125"#,
        PERCENTILES,
        "",
        "",
    ));
    assert!(e.contains("at summary: missing field `total`"), "{e}");
    let e = error(&summary(TIMES, r#""median": 0.1"#, "", ""));
    assert!(
        e.ends_with("latencyPercentiles.median: expected a key pN with N from 0 to 100 (p99.9)"),
        "{e}"
    );
    let e = error(&summary(TIMES, r#""p50": -0.1"#, "", ""));
    assert!(
        e.ends_with("latencyPercentiles.p50: -0.1 is not a response time in seconds"),
        "{e}"
    );
    let e = error(&summary(
        r#""total": -2.0, "slowest": 0.5, "fastest": 0.001, "average": 0.0125"#,
        PERCENTILES,
        "",
        "",
    ));
    assert!(
        e.ends_with("summary.total: -2 is not a run length in seconds"),
        "{e}"
    );
    let big = u64::MAX;
    let e = error(&summary(
        TIMES,
        PERCENTILES,
        &format!(r#""200": {big}, "500": 1"#),
        "",
    ));
    assert!(
        e.ends_with("the counts add up past 2^64 − 1: not a real oha summary"),
        "{e}"
    );
    let e = error("[1, 2]");
    assert_eq!(
        e,
        "Some(1): not an oha JSON summary (oha --output-format json): expected a JSON object, found `[`"
    );
    let e = error(r#"{"summary": 5}"#);
    assert!(
        e.contains("at summary: invalid type: integer `5`, expected an object with total, slowest, fastest and average (seconds)"),
        "{e}"
    );
}

#[test]
fn every_cut_and_mangled_copy_of_a_real_file_reads_or_errs_without_a_panic() {
    let real = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/oha/mixed.oha.json"
    ))
    .unwrap();
    for cut in (0..real.len()).step_by(9) {
        let mut text = real[..cut].to_vec();
        let ingested = read_text("cut.oha.json", &String::from_utf8_lossy(&text));
        assert!(ingested.data.is_some() || !ingested.errors.is_empty());
        if let Some(b) = text.get_mut(cut / 2) {
            *b = b"-.e9x,:\"{}[]n"[cut % 13];
        }
        let ingested = read_text("mangled.oha.json", &String::from_utf8_lossy(&text));
        assert!(ingested.data.is_some() || !ingested.errors.is_empty());
    }
}
