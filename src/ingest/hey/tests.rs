//! The hey reader on small hand-written inputs (the real runs are in
//! `fixtures/hey/`, checked by `tests/hey.rs`).

use super::*;

const HEADER_LINE: &str =
    "response-time,DNS+dialup,DNS,Request-write,Response-delay,Response-read,status-code,offset\n";

fn read_text(name: &str, text: &str) -> Ingested {
    let d = tempfile::tempdir().unwrap();
    let path = d.path().join(name);
    std::fs::write(&path, text).unwrap();
    let files = ResultFiles {
        stats: Some(path),
        ..ResultFiles::default()
    };
    Hey.read(&files, None, None)
}

/// The one error of reading `text`, as `line: message (column)`.
fn error_of(text: &str) -> String {
    let ingested = read_text("x.hey.csv", text);
    assert!(ingested.data.is_none());
    let e = &ingested.errors[0];
    format!(
        "{}: {}{}",
        e.line.map_or("-".to_string(), |l| l.to_string()),
        e.message,
        e.column
            .as_ref()
            .map_or(String::new(), |c| format!(" ({c})"))
    )
}

#[test]
fn claims_hey_names_and_plain_csv_by_content() {
    assert_eq!(Hey.claim("run.hey.csv"), Some(("run".into(), Role::Stats)));
    for other in [".hey.csv", "run.csv", "run_stats.csv", "run.jtl"] {
        assert_eq!(Hey.claim(other), None, "{other}");
    }
    assert!(Hey.looks_like_result(b"a.hey.csv"));
    let d = tempfile::tempdir().unwrap();
    let plain = d.path().join("plain.csv");
    std::fs::write(
        &plain,
        format!("{HEADER_LINE}0.0100,0,0,0,0.0090,0,200,0.0010\n"),
    )
    .unwrap();
    assert_eq!(
        Hey.claim_by_content(&plain),
        Some(("plain".into(), Role::Stats))
    );
    // Locust's and JMeter's CSVs are not hey's.
    let jtl = d.path().join("results.csv");
    std::fs::write(&jtl, "timeStamp,elapsed,label,success\n").unwrap();
    assert_eq!(Hey.claim_by_content(&jtl), None);
    assert!(!columns::is_header("Type,Name,Request Count"));
    assert!(columns::is_header(
        "\u{feff}offset,status-code,response-time"
    ));
    // A locust name is Locust's even with hey's header.
    let first = crate::ingest::READERS
        .iter()
        .find_map(|r| r.claim("a_stats.csv").map(|_| r.tool()));
    assert_eq!(first, Some("locust"));
}

#[test]
fn rows_are_requests_with_exact_percentiles_failures_and_seconds() {
    // Written in the order responses arrived; offsets are starts.
    let text = format!(
        "{HEADER_LINE}\
0.0100,0.0005,0.0000,0.0001,0.0090,0.0001,200,0.2000\n\
0.0300,0.0000,0.0000,0.0000,0.0290,0.0000,429,0.1900\n\
0.0201,0.0000,0.0000,0.0000,0.0200,0.0000,200,1.5000\n\
0.5000,0.0000,0.0000,0.0000,0.5000,0.0000,503,1.1000\n"
    );
    let ingested = read_text("login.hey.csv", &text);
    assert!(ingested.errors.is_empty(), "{:?}", ingested.errors);
    assert!(ingested.warnings.is_empty(), "{:?}", ingested.warnings);
    let data = ingested.data.unwrap();
    assert_eq!(
        (data.tool.name, data.tool.version.as_deref()),
        ("hey", None)
    );
    let t = &data.totals;
    assert_eq!((t.requests, t.failures), (4, 2));
    assert_eq!((t.min_ms, t.max_ms), (Some(10.0), Some(500.0)));
    // Nearest rank of 10, 20.1, 30, 500: p50 is the 2nd, p75 the 3rd.
    assert_eq!(t.median_ms, Some(20.1));
    assert_eq!(t.percentiles_ms.get(75.0), Some(Some(30.0)));
    assert!((t.avg_ms.unwrap() - 560.1 / 4.0).abs() < 1e-9);
    // 0.19 s (first start) to 1.6 s (1.1 + 0.5, the last end).
    assert!((t.rps - 4.0 / 1.41).abs() < 1e-9, "{}", t.rps);
    // One endpoint, the file's name.
    assert_eq!(data.endpoints.len(), 1);
    assert_eq!(
        (
            data.endpoints[0].method.as_str(),
            data.endpoints[0].name.as_str()
        ),
        ("", "login")
    );
    assert_eq!(data.endpoints[0].stats.requests, 4);
    let failures: Vec<(&str, u64)> = data
        .failures
        .iter()
        .map(|f| (f.error.as_str(), f.occurrences))
        .collect();
    assert_eq!(failures, [("HTTP 429", 1), ("HTTP 503", 1)]);
    // Seconds from the epoch: 0 s has two starts, 1 s two; no user count.
    let h = data.history.unwrap();
    let rps: Vec<(i64, f64)> = h.points.iter().map(|p| (p.timestamp, p.rps)).collect();
    assert_eq!(rps, [(0, 2.0), (1, 2.0)]);
    assert!(!h.users_known);
    assert!(data.histograms.is_some());
}

#[test]
fn a_header_only_file_is_a_run_without_responses_and_says_why() {
    let ingested = read_text("down.hey.csv", HEADER_LINE);
    assert!(ingested.errors.is_empty());
    let data = ingested.data.unwrap();
    assert_eq!(data.totals.requests, 0);
    assert!(data.history.is_none());
    assert!(
        ingested.warnings[0].contains("hey writes a row only for a request that got a response"),
        "{:?}",
        ingested.warnings
    );
}

#[test]
fn malformed_input_is_an_error_with_its_line_and_column() {
    assert_eq!(
        error_of(""),
        "1: the file is empty: expected hey's CSV header (response-time,DNS+dialup,DNS,Request-write,Response-delay,Response-read,status-code,offset)"
    );
    assert_eq!(
        error_of("response-time,offset\n"),
        "1: a required column is missing from the header; hey -o csv writes response-time,DNS+dialup,DNS,Request-write,Response-delay,Response-read,status-code,offset (status-code)"
    );
    assert_eq!(
        error_of("response-time,status-code,offset,offset\n"),
        "1: the header names this column twice (fields 3 and 4) (offset)"
    );
    let row = |r: &str| error_of(&format!("{HEADER_LINE}0.0100,0,0,0,0,0,200,0.1\n{r}\n"));
    assert_eq!(
        row("fast,0,0,0,0,0,200,0.2"),
        "3: expected a time in seconds, found `fast` (response-time)"
    );
    assert_eq!(
        row("0.01,0,0,0,0,0,OK,0.2"),
        "3: expected an HTTP status code, found `OK` (status-code)"
    );
    assert_eq!(
        row("0.01,0,0,0,0,0,200.5,0.2"),
        "3: expected an HTTP status code, found `200.5` (status-code)"
    );
    assert_eq!(
        row("0.01,0,0,x,0,0,200,0.2"),
        "3: expected a time in seconds, found `x` (Request-write)"
    );
    assert_eq!(
        row("-0.01,0,0,0,0,0,200,0.2"),
        "3: `-0.01` is not a plausible time in seconds (0 to 1e9) (response-time)"
    );
    assert_eq!(
        row("NaN,0,0,0,0,0,200,0.2"),
        "3: `NaN` is not a plausible time in seconds (0 to 1e9) (response-time)"
    );
    assert_eq!(
        row("0.01,0,0,0,0,0,200,1e300"),
        "3: `1e300` is not a plausible time in seconds (0 to 1e9) (offset)"
    );
    // A file cut in the middle of a row.
    assert_eq!(
        row("0.01,0,0,0"),
        "3: the line has 4 fields but the header has 8"
    );
    assert_eq!(
        row(HEADER_LINE.trim_end()),
        "3: the header line again: two hey outputs joined into one?"
    );
    assert_eq!(
        error_of("response-time,status-code,offset\n0.1,200,0\n\u{0}"),
        "3: binary content (a NUL byte): this is not a text result file"
    );
}

#[test]
fn the_largest_times_and_odd_statuses_never_panic() {
    let text = format!("{HEADER_LINE}0,0,0,0,0,0,0,0\n1000000000,0,0,0,0,0,65535,1000000000\n");
    let ingested = read_text("odd.hey.csv", &text);
    assert!(ingested.errors.is_empty(), "{:?}", ingested.errors);
    let data = ingested.data.unwrap();
    assert_eq!((data.totals.requests, data.totals.failures), (2, 2));
    let errors: Vec<&str> = data.failures.iter().map(|f| f.error.as_str()).collect();
    assert_eq!(errors, ["HTTP 65535", "no response (status 0)"]);
    // A silence of 31 years is a finding, not 10^9 empty seconds.
    let h = data.history.unwrap();
    assert_eq!(h.points.len(), 2);
    assert_eq!(h.anomalies.len(), 1, "{:?}", h.anomalies);
}

#[test]
fn every_cut_and_mangled_copy_of_a_real_file_reads_or_errs_without_a_panic() {
    let real = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/hey/login.hey.csv"
    ))
    .unwrap();
    let real = &real[..2000.min(real.len())];
    for cut in (0..real.len()).step_by(7) {
        let mut text = real[..cut].to_vec();
        let ingested = read_text("cut.hey.csv", &String::from_utf8_lossy(&text));
        assert!(ingested.data.is_some() || !ingested.errors.is_empty());
        // The same cut with one byte turned into another.
        if let Some(b) = text.get_mut(cut / 2) {
            *b = b"-.e9x,\n\""[cut % 8];
        }
        let ingested = read_text("mangled.hey.csv", &String::from_utf8_lossy(&text));
        assert!(ingested.data.is_some() || !ingested.errors.is_empty());
    }
}
