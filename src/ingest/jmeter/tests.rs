use super::*;
use crate::ingest::HistoryRow;
use crate::model::HistoryPercentiles;

const HEADER: &str = "timeStamp,elapsed,label,responseCode,responseMessage,threadName,dataType,success,bytes,grpThreads,allThreads,Latency\n";
/// 2026-12-01T10:27:24Z in ms.
const T0: u64 = 1_796_120_844_000;

fn row(ts: u64, elapsed: u64, label: &str, ok: bool, threads: u64) -> String {
    let (code, message) = if ok {
        ("200", "OK")
    } else {
        ("409", "Conflict")
    };
    format!(
        "{ts},{elapsed},{label},{code},{message},tg 1-1,text,{ok},184,{threads},{threads},{elapsed}\n"
    )
}

fn jtl(text: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let d = tempfile::tempdir().unwrap();
    let path = d.path().join("run.jtl");
    std::fs::write(&path, text).unwrap();
    (d, path)
}

/// A history row as the tests compare it: (second, label, rps, users, p50).
type Seen = (i64, Option<String>, f64, u64, Option<f64>);

#[derive(Default)]
struct Rows {
    endpoints: bool,
    seen: Vec<Seen>,
}

impl HistoryObserver for Rows {
    fn wants_endpoints(&self) -> bool {
        self.endpoints
    }
    fn observe(&mut self, row: &HistoryRow<'_>) {
        let p50 = row.percentiles.iter().find(|(l, _)| *l == 50.0).unwrap().1;
        self.seen.push((
            row.timestamp,
            row.endpoint.map(|(_, n)| n.to_string()),
            row.rps,
            row.users,
            p50,
        ));
    }
}

#[test]
fn claims_jtl_files_and_recognises_their_header() {
    assert_eq!(
        Jmeter.claim("checkout.jtl"),
        Some(("checkout".into(), Role::Stats))
    );
    assert_eq!(Jmeter.claim(".jtl"), None);
    assert_eq!(Jmeter.claim("checkout_stats.csv"), None);
    assert!(Jmeter.looks_like_result(b"x.jtl"));
    let (_d, path) = jtl(HEADER);
    assert!(Jmeter.recognises(&path));
    let (_d, path) = jtl("Type,Name,Request Count\n");
    assert!(!Jmeter.recognises(&path));
}

#[test]
fn samples_add_up_with_rows_out_of_order_in_their_seconds() {
    // JMeter writes a sample when it ends: the 900 ms sample that started
    // first comes last, and still belongs to the first second.
    let text = [
        HEADER.to_string(),
        row(T0 + 100, 10, "a", true, 1),
        row(T0 + 1_200, 20, "b", false, 2),
        row(T0 + 2_500, 30, "a", true, 2),
        row(T0 + 50, 900, "b", true, 1),
    ]
    .concat();
    let (_d, path) = jtl(&text);
    let mut rows = Rows::default();
    let (data, warnings) = read_jtl(&path, Some(&mut rows)).unwrap();
    assert!(warnings.is_empty(), "{warnings:?}");
    let t = &data.totals;
    assert_eq!((t.requests, t.failures), (4, 1));
    assert_eq!(
        (t.min_ms, t.max_ms, t.avg_ms),
        (Some(10.0), Some(900.0), Some(240.0))
    );
    // First start (T0+50) to last end (T0+2530): 2.48 s.
    assert_eq!(t.rps, 4.0 / 2.48);
    assert_eq!(t.median_ms, Some(20.0));
    let names: Vec<&str> = data.endpoints.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names, ["a", "b"]);
    assert_eq!(data.failures.len(), 1);
    assert_eq!(data.failures[0].error, "409 Conflict");
    let s0 = (T0 / 1000) as i64;
    assert_eq!(
        rows.seen,
        vec![
            (s0, None, 2.0, 1, Some(10.0)),
            (s0 + 1, None, 1.0, 2, Some(20.0)),
            (s0 + 2, None, 1.0, 2, Some(30.0)),
        ]
    );
    let history = data.history.unwrap();
    assert_eq!(history.percentiles, HistoryPercentiles::Windowed);
    let last = history.points.last().unwrap();
    assert_eq!((last.total_requests, last.total_failures), (4, 1));
    let h = data.histograms.unwrap();
    assert_eq!(h.total.values().sum::<u64>(), 4);
    assert_eq!(h.endpoints[&(String::new(), "b".to_string())].len(), 2);
}

#[test]
fn endpoint_rows_cover_every_label_and_empty_seconds_are_zero() {
    let text = [
        HEADER.to_string(),
        row(T0, 5, "a", true, 1),
        row(T0 + 3_000, 7, "b", true, 3),
    ]
    .concat();
    let (_d, path) = jtl(&text);
    let mut rows = Rows {
        endpoints: true,
        ..Rows::default()
    };
    read_jtl(&path, Some(&mut rows)).unwrap();
    let s0 = (T0 / 1000) as i64;
    let at = |t: i64| -> Vec<_> {
        rows.seen
            .iter()
            .filter(|r| r.0 == t)
            .map(|r| (r.1.clone(), r.2, r.3, r.4))
            .collect()
    };
    assert_eq!(
        at(s0),
        vec![
            (None, 1.0, 1, Some(5.0)),
            (Some("a".into()), 1.0, 1, Some(5.0)),
            (Some("b".into()), 0.0, 1, None)
        ]
    );
    // Nothing started in the two seconds between: 0/s, the last user count.
    assert_eq!(at(s0 + 1)[0], (None, 0.0, 1, None));
    assert_eq!(at(s0 + 3)[0], (None, 1.0, 3, Some(7.0)));
}

#[test]
fn a_long_silence_is_a_finding_and_a_very_late_sample_a_warning() {
    let text = [
        HEADER.to_string(),
        row(T0, 5, "a", true, 1),
        row(T0 + 300_000, 5, "a", true, 1),
        // Started in the first second, written 5 minutes later: that second is out.
        row(T0 + 500, 299_500, "a", true, 1),
    ]
    .concat();
    let (_d, path) = jtl(&text);
    let (data, warnings) = read_jtl(&path, None).unwrap();
    assert_eq!(data.totals.requests, 3);
    assert!(
        warnings[0].contains("1 samples were written more than 120 s"),
        "{warnings:?}"
    );
    let anomalies = &data.history.unwrap().anomalies;
    assert!(
        anomalies[0].contains("no sample started for 299 s"),
        "{anomalies:?}"
    );
}

#[test]
fn a_file_without_header_names_the_setting_on_line_1() {
    let (_d, path) = jtl(&row(T0, 5, "a", true, 1));
    let e = read_jtl(&path, None).unwrap_err();
    assert_eq!(e.line, Some(1));
    assert!(
        e.message
            .contains("jmeter.save.saveservice.print_field_names=true"),
        "{e}"
    );
    assert!(e.message.contains("no header line"), "{e}");
    let (_d, path) = jtl("");
    assert!(read_jtl(&path, None).unwrap_err().message.contains("empty"));
    let (_d, path) = jtl("<?xml version=\"1.0\"?>\n<testResults version=\"1.2\">\n");
    let e = read_jtl(&path, None).unwrap_err();
    assert!(e.message.contains("output_format=csv"), "{e}");
}

#[test]
fn malformed_values_are_located_by_line_and_column() {
    let cases = [
        (
            row(T0, 5, "a", true, 1).replace(",5,", ",5.5,"),
            "elapsed",
            "`5.5`",
        ),
        (
            row(T0, 5, "a", true, 1).replace("true", "yes"),
            "success",
            "`yes`",
        ),
        (
            row(T0, 5, "a", true, 1).replacen(&T0.to_string(), "2026/12/01 10:27:24", 1),
            "timeStamp",
            "timestamp_format=ms",
        ),
        (
            row(T0, 5, "a", true, 1).replacen(&T0.to_string(), "1796120844", 1),
            "timeStamp",
            "not a plausible time",
        ),
        (
            row(T0, 5, "a", true, 1).replace(",184,", ",-3,"),
            "bytes",
            "`-3`",
        ),
    ];
    for (bad, column, what) in cases {
        let text = [HEADER.to_string(), row(T0, 5, "a", true, 1), bad].concat();
        let (_d, path) = jtl(&text);
        let e = read_jtl(&path, None).unwrap_err();
        assert_eq!(e.line, Some(3), "{e}");
        assert_eq!(e.column.as_deref(), Some(column), "{e}");
        assert!(e.message.contains(what), "{e}");
    }
    let text = [HEADER.to_string(), "1796120844000,5,a\n".to_string()].concat();
    let (_d, path) = jtl(&text);
    let e = read_jtl(&path, None).unwrap_err();
    assert!(e.message.contains("3 fields but the header has 12"), "{e}");
    let text = [HEADER, HEADER].concat();
    let (_d, path) = jtl(&text);
    let e = read_jtl(&path, None).unwrap_err();
    assert!(e.message.contains("header line again"), "{e}");
    let (_d, path) = jtl("timeStamp,elapsed,label\n");
    let e = read_jtl(&path, None).unwrap_err();
    assert_eq!(e.column.as_deref(), Some("success"), "{e}");
}

#[test]
fn columns_in_any_order_with_another_delimiter_and_quoted_messages() {
    let text = "label\tsuccess\telapsed\ttimeStamp\tresponseMessage\n\
                flow\tfalse\t12\t1796120844000\t\"Number of samples in transaction : 2, number of failing samples : 1\"\n\
                flow\ttrue\t8\t1796120844100\tok\n";
    let (_d, path) = jtl(text);
    let (data, _) = read_jtl(&path, None).unwrap();
    assert_eq!(data.totals.requests, 2);
    assert_eq!(data.endpoints[0].name, "flow");
    assert_eq!(
        data.failures[0].error,
        "Number of samples in transaction : 2, number of failing samples : 1"
    );
    // No allThreads column: the users are unknown.
    assert!(!data.history.unwrap().users_known);
    // A byte-order mark before the header is not part of its first name.
    let (_d, path) = jtl(&format!("\u{feff}{HEADER}{}", row(T0, 5, "a", true, 1)));
    assert!(Jmeter.recognises(&path));
    assert_eq!(read_jtl(&path, None).unwrap().0.totals.requests, 1);
}

#[test]
fn a_header_only_file_is_a_run_without_samples() {
    let (_d, path) = jtl(HEADER);
    let (data, warnings) = read_jtl(&path, None).unwrap();
    assert_eq!(data.totals.requests, 0);
    assert!(data.history.is_none() && data.histograms.is_none());
    assert!(warnings[0].contains("no samples"), "{warnings:?}");
}

/// The csv crate takes a record after `\r\n` to start on the line before:
/// errors in CRLF files (Taurus's kpi.jtl) named the line above the fault.
#[test]
fn a_malformed_row_after_crlf_lines_names_its_own_line() {
    for eol in ["\n", "\r\n"] {
        let rows = [
            row(T0, 5, "a", true, 1),
            row(T0, 5, "a", true, 1),
            row(T0, 5, "a", true, 1).replace("true", "yes"),
        ];
        let text = [
            HEADER.trim_end(),
            &rows.map(|r| r.trim_end().to_string()).join(eol),
        ]
        .join(eol);
        let (_d, path) = jtl(&text);
        let e = read_jtl(&path, None).unwrap_err();
        assert_eq!(e.line, Some(4), "{eol:?}: {e}");
        assert_eq!(e.column.as_deref(), Some("success"));
    }
}
