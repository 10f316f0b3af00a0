use super::*;
use crate::ingest::HistoryRow;
use crate::model::HistoryPercentiles;
use std::path::Path;

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

/// Taurus's Locust wrapper: its own column order, a `method` column, and
/// each row stamped when the request ended.
#[test]
fn a_taurus_locust_jtl_reads_methods_and_end_stamps() {
    let text = format!(
        "allThreads,timeStamp,label,method,elapsed,bytes,responseCode,responseMessage,success,Latency\r\n\
         3,{},/api/x,GET,100,16,200,OK,true,0\r\n\
         3,{},/api/x,POST,20,74,409,Conflict for url: /api/x,false,0\r\n",
        T0 + 1_100,
        T0 + 2_000
    );
    let (_d, path) = jtl(&text);
    let mut rows = Rows::default();
    let (data, warnings) = read_jtl(&path, Some(&mut rows)).unwrap();
    assert!(warnings.is_empty(), "{warnings:?}");
    assert_eq!(data.tool.name, "taurus");
    let keys: Vec<(&str, &str, u64)> = data
        .endpoints
        .iter()
        .map(|e| (e.method.as_str(), e.name.as_str(), e.stats.requests))
        .collect();
    assert_eq!(keys, [("GET", "/api/x", 1), ("POST", "/api/x", 1)]);
    // From the first start (T0 + 1000) to the last end (T0 + 2000).
    assert_eq!(data.totals.rps, 2.0);
    assert_eq!(data.failures[0].method, "POST");
    assert_eq!(data.failures[0].error, "409 Conflict for url: /api/x");
    // Each sample is in the second it ended in.
    let s0 = (T0 / 1000) as i64;
    let seconds: Vec<(i64, f64)> = rows.seen.iter().map(|r| (r.0, r.2)).collect();
    assert_eq!(seconds, [(s0 + 1, 1.0), (s0 + 2, 1.0)]);
    // A JMeter JTL with a `method` column of its own is still JMeter's.
    let text = format!("timeStamp,elapsed,label,success,method\n{T0},5,a,true,GET\n");
    let (_d, path) = jtl(&text);
    let (data, _) = read_jtl(&path, None).unwrap();
    assert_eq!(data.tool.name, "jmeter");
    assert_eq!(data.endpoints[0].method, "GET");
    assert_eq!(data.totals.rps, 200.0);
}

#[test]
fn taurus_and_dashboard_files_are_named_by_their_folder() {
    assert_eq!(taurus_suffix("kpi.jtl"), Some(""));
    assert_eq!(taurus_suffix("kpi-2.jtl"), Some("-2"));
    for other in ["kpi-.jtl", "kpi-x.jtl", "kpis.jtl", "my-kpi.jtl", "kpi.csv"] {
        assert_eq!(taurus_suffix(other), None, "{other}");
    }
    assert_eq!(Jmeter.claim("kpi.jtl"), None);
    assert_eq!(Jmeter.claim("kpi-1.jtl"), None);
    assert_eq!(Jmeter.claim("kpis.jtl"), Some(("kpis".into(), Role::Stats)));
    let d = tempfile::tempdir().unwrap();
    let run = d.path().join("checkout");
    std::fs::create_dir_all(run.join("content/js")).unwrap();
    std::fs::write(run.join("kpi.jtl"), HEADER).unwrap();
    std::fs::write(run.join("kpi-1.jtl"), HEADER).unwrap();
    std::fs::write(run.join("statistics.json"), "{}").unwrap();
    let claim = |name: &str| Jmeter.claim_by_content(&run.join(name));
    assert_eq!(claim("kpi.jtl"), Some(("checkout".into(), Role::Stats)));
    assert_eq!(claim("kpi-1.jtl"), Some(("checkout-1".into(), Role::Stats)));
    // `{}` is no dashboard's content, and no dashboard is beside it ...
    assert_eq!(claim("statistics.json"), None);
    // ... until there is one: then even a damaged file is claimed (and its error reported).
    std::fs::write(run.join("content/js/dashboard.js"), "").unwrap();
    assert_eq!(
        claim("statistics.json"),
        Some(("checkout".into(), Role::Stats))
    );
    // A path with no folder of its own is named by the folder it resolves to.
    assert_eq!(
        folder_name(&run.join("content/../kpi.jtl")),
        Some("checkout".into())
    );
    assert_eq!(folder_name(Path::new("/kpi.jtl")), None);
}

/// A dashboard's statistics.json in `dir/name/`, with its dashboard.js
/// holding `titles` (none: no dashboard.js).
fn dashboard(json: &str, titles: Option<&str>) -> (tempfile::TempDir, std::path::PathBuf) {
    let d = tempfile::tempdir().unwrap();
    let folder = d.path().join("run-report");
    std::fs::create_dir_all(folder.join("content/js")).unwrap();
    let path = folder.join("statistics.json");
    std::fs::write(&path, json).unwrap();
    if let Some(titles) = titles {
        std::fs::write(
            folder.join("content/js/dashboard.js"),
            format!(
                "createTable($(\"#apdexTable\"), {{\"titles\": [\"Apdex\", \"T\"]}});\n    createTable($(\"#statisticsTable\"), {{\"supportsControllersDiscrimination\": true, \"titles\": {titles}, \"items\": []}}, function(index, item){{}});\n"
            ),
        )
        .unwrap();
    }
    (d, path)
}

/// One row as JMeter 5.6 writes it.
fn stat_row(label: &str, count: u64, errors: u64, throughput: &str) -> String {
    format!(
        "  \"{label}\" : {{\n    \"transaction\" : \"{label}\",\n    \"sampleCount\" : {count},\n    \"errorCount\" : {errors},\n    \"errorPct\" : 0.0,\n    \"meanResTime\" : 8.5,\n    \"medianResTime\" : 7.0,\n    \"minResTime\" : 6.0,\n    \"maxResTime\" : 81.0,\n    \"pct1ResTime\" : 9.0,\n    \"pct2ResTime\" : 10.0,\n    \"pct3ResTime\" : 43.049999999999216,\n    \"throughput\" : {throughput},\n    \"receivedKBytesPerSec\" : 1.5,\n    \"sentKBytesPerSec\" : 0.0\n  }}"
    )
}

fn stats_json(rows: &[String]) -> String {
    format!("{{\n{}\n}}", rows.join(",\n"))
}

const TITLES: &str = r##"["Label", "#Samples", "FAIL", "Error %", "Average", "Min", "Max", "Median", "75th pct", "99.9th pct", "99.99th pct", "Transactions/s", "Received", "Sent"]"##;

#[test]
fn dashboard_statistics_read_as_jmeter_wrote_them() {
    let json = stats_json(&[
        stat_row("b", 100, 10, "20.0"),
        stat_row("Total", 150, 10, "30.0"),
        stat_row("a", 50, 0, "\"Infinity\""),
    ]);
    let (_d, path) = dashboard(&json, Some(TITLES));
    assert_eq!(
        Jmeter.claim_by_content(&path),
        Some(("run-report".into(), Role::Stats))
    );
    let (data, warnings) = statistics::read(&path).unwrap();
    assert!(warnings.is_empty(), "{warnings:?}");
    assert_eq!(
        (data.tool.name, data.tool.version.as_deref()),
        ("jmeter", None)
    );
    assert!(data.history.is_none() && data.histograms.is_none());
    let t = &data.totals;
    assert_eq!((t.requests, t.failures, t.rps), (150, 10, 30.0));
    assert_eq!(t.failures_per_s, 2.0);
    assert_eq!(
        (t.median_ms, t.avg_ms, t.min_ms, t.max_ms),
        (Some(7.0), Some(8.5), Some(6.0), Some(81.0))
    );
    let levels: Vec<(&str, f64, Option<f64>)> = t.percentiles_ms.iter().collect();
    assert_eq!(
        levels,
        [
            ("75", 75.0, Some(9.0)),
            ("99.9", 99.9, Some(10.0)),
            ("99.99", 99.99, Some(43.049999999999216))
        ]
    );
    let names: Vec<&str> = data.endpoints.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names, ["a", "b"]);
    let b = &data.endpoints[1].stats;
    assert_eq!((b.rps, b.failures_per_s), (20.0, 2.0));
    // An infinite throughput (one sample, 0 ms): over the run, 150 / 30 = 5 s.
    assert_eq!(data.endpoints[0].stats.rps, 10.0);
}

#[test]
fn dashboard_percentile_levels_come_from_its_table_or_are_assumed() {
    let json = stats_json(&[stat_row("Total", 1, 0, "1.0")]);
    let levels = |titles: Option<&str>| {
        let (_d, path) = dashboard(&json, titles);
        let (data, warnings) = statistics::read(&path).unwrap();
        let labels: Vec<String> = data
            .totals
            .percentiles_ms
            .labels()
            .into_iter()
            .map(String::from)
            .collect();
        (labels, warnings)
    };
    let french = r##"["Libellé", "#Échantillons", "KO", "% Erreur", "Moyenne", "Min", "Max", "Médiane", "90% centile", "95% centile", "99% centile", "Transactions/s", "Reçus", "Envoyés"]"##;
    assert_eq!(
        levels(Some(french)),
        (vec!["90".into(), "95".into(), "99".into()], vec![])
    );
    let (labels, warnings) = levels(None);
    assert_eq!(labels, ["90", "95", "99"]);
    assert!(
        warnings[0].contains("taken as p90, p95 and p99")
            && warnings[0].contains("content/js/dashboard.js"),
        "{warnings:?}"
    );
    let (labels, warnings) = levels(Some(r#"["Label", "90th pct"]"#));
    assert_eq!(labels, ["90", "95", "99"]);
    assert!(
        warnings[0].contains("names 1 percentile columns"),
        "{warnings:?}"
    );
    // Two levels set alike are one percentile.
    let (labels, _) = levels(Some(r#"["95th pct", "95th pct", "99th pct"]"#));
    assert_eq!(labels, ["95", "99"]);
}

#[test]
fn older_and_longer_dashboards_say_what_their_figures_miss() {
    // JMeter 5.1 and 5.2: no medianResTime.
    let old = stat_row("Total", 25_000, 0, "100.0").replace("    \"medianResTime\" : 7.0,\n", "");
    let (_d, path) = dashboard(&stats_json(&[old]), Some(TITLES));
    let (data, warnings) = statistics::read(&path).unwrap();
    assert_eq!(data.totals.median_ms, None);
    assert_eq!(data.totals.avg_ms, Some(8.5));
    assert!(warnings[0].contains("no medianResTime"), "{warnings:?}");
    assert!(
        warnings[1].contains("rows with more than 20,000 samples (Total)")
            && warnings[1].contains("statistic_window"),
        "{warnings:?}"
    );
    // A run without samples: JMeter's Long.MAX_VALUE and NaN are no values.
    let empty = "{\"Total\":{\"transaction\":\"Total\",\"sampleCount\":0,\"errorCount\":0,\"errorPct\":\"NaN\",\"meanResTime\":\"NaN\",\"medianResTime\":\"NaN\",\"minResTime\":9.223372036854776E18,\"maxResTime\":-9.223372036854776E18,\"pct1ResTime\":\"NaN\",\"pct2ResTime\":\"NaN\",\"pct3ResTime\":\"NaN\",\"throughput\":\"NaN\",\"receivedKBytesPerSec\":\"NaN\",\"sentKBytesPerSec\":\"NaN\"}}";
    let (_d, path) = dashboard(empty, Some(TITLES));
    let t = statistics::read(&path).unwrap().0.totals;
    assert_eq!(
        (t.requests, t.rps, t.min_ms, t.median_ms),
        (0, 0.0, None, None)
    );
}

#[test]
fn malformed_dashboard_statistics_are_located() {
    let good = stats_json(&[stat_row("a", 5, 1, "2.0"), stat_row("Total", 5, 1, "2.0")]);
    let truncated = &good[..good.len() / 2];
    let last_line = truncated.lines().count() as u64;
    let cases: [(String, Option<u64>, &str); 8] = [
        (String::new(), Some(1), "the file is empty"),
        (
            truncated.to_string(),
            Some(last_line),
            "not valid JSON: EOF while parsing",
        ),
        (
            good.replacen("\"sampleCount\" : 5", "\"sampleCount\" : \"5\"", 1),
            Some(4),
            "\"a\".sampleCount: invalid type: string \"5\", expected a whole number of 0 or more",
        ),
        (
            good.replacen("\"errorCount\" : 1", "\"errorCount\" : -1", 1),
            Some(5),
            "\"a\".errorCount: invalid value: integer `-1`",
        ),
        (
            good.replacen("\"meanResTime\" : 8.5", "\"meanResTime\" : \"fast\"", 1),
            Some(7),
            "\"a\".meanResTime: invalid value: string \"fast\", expected a number",
        ),
        (
            "[1, 2]".into(),
            Some(1),
            "not JMeter's dashboard statistics",
        ),
        (
            stats_json(&[stat_row("a", 5, 1, "2.0")]),
            None,
            "no \"Total\" row",
        ),
        (
            stats_json(&[stat_row("a", 5, 6, "2.0"), stat_row("Total", 5, 1, "2.0")]),
            None,
            "\"a\": errorCount 6 is more than sampleCount 5",
        ),
    ];
    for (text, line, what) in cases {
        let (_d, path) = dashboard(&text, Some(TITLES));
        let e = statistics::read(&path).unwrap_err();
        assert_eq!(e.line, line, "{e}");
        assert!(e.message.contains(what), "{what}: {e}");
    }
    let renamed = stats_json(&[
        stat_row("a", 5, 1, "2.0").replacen(
            "\"transaction\" : \"a\"",
            "\"transaction\" : \"b\"",
            1,
        ),
        stat_row("Total", 5, 1, "2.0"),
    ]);
    let (_d, path) = dashboard(&renamed, Some(TITLES));
    let e = statistics::read(&path).unwrap_err();
    assert!(e.message.contains("the row's transaction is \"b\""), "{e}");
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

/// What reading `text` gives, split at its middle and not: the same; and
/// how the split read went.
fn same_split(text: &str) -> Result<(ScenarioData, Vec<String>, HowRead), InputError> {
    let (_d, path) = jtl(text);
    let whole = read_jtl_split(&path, None, u64::MAX);
    let halves = read_jtl_split(&path, None, 0);
    match (&whole, &halves) {
        (Ok(a), Ok(b)) => {
            assert_eq!(a.2, HowRead::InOrder);
            assert!(
                a.0 == b.0 && a.1 == b.1,
                "split and whole differ:\n{a:?}\n{b:?}"
            );
        }
        (Err(a), Err(b)) => assert_eq!(
            (&a.line, &a.column, &a.message),
            (&b.line, &b.column, &b.message)
        ),
        _ => panic!("split and whole differ: {whole:?} / {halves:?}"),
    }
    halves
}

/// Rows `from..to` seconds after T0, `per_s` a second, in labels a and b.
fn rows(from: u64, to: u64, per_s: u64) -> String {
    let mut text = String::new();
    for s in from..to {
        for i in 0..per_s {
            let label = if i % 3 == 0 { "b" } else { "a" };
            let ok = i % 7 != 0;
            text.push_str(&row(
                T0 + s * 1000 + i * 10,
                5 + (s + i) % 40,
                label,
                ok,
                1 + s % 5,
            ));
        }
    }
    text
}

#[test]
fn a_jtl_read_in_two_halves_gives_what_one_read_gives() {
    // The fixtures.
    for name in ["checkout.jtl", "checkout_full.jtl", "slow.jtl"] {
        let text = std::fs::read_to_string(Path::new("fixtures/jmeter").join(name)).unwrap();
        assert_eq!(same_split(&text).unwrap().2, HowRead::Halves, "{name}");
    }
    // A plain run; an endpoint first seen in the second half; seconds
    // shared by both halves; a gap across the middle.
    let (data, _, how) = same_split(&format!("{HEADER}{}", rows(0, 40, 20))).unwrap();
    assert_eq!((data.totals.requests, how), (800, HowRead::Halves));
    let later = row(T0 + 20_500, 9, "only later", true, 2);
    let text = format!("{HEADER}{}{later}{later}", rows(0, 20, 20));
    assert_eq!(same_split(&text).unwrap().2, HowRead::Halves);
    let (gap, _, how) = same_split(&format!(
        "{HEADER}{}{}",
        rows(0, 20, 20),
        rows(400, 420, 20)
    ))
    .unwrap();
    assert_eq!(
        (gap.history.unwrap().anomalies.len(), how),
        (1, HowRead::Halves)
    );
    // Blank lines where the second half starts.
    let mut text = format!("{HEADER}{}", rows(0, 20, 20));
    text.push_str(&"\n\r\n".repeat(text.len() / 2));
    text.push_str(&rows(20, 40, 20));
    assert_eq!(same_split(&text).unwrap().2, HowRead::Halves);
}

#[test]
fn a_jtl_split_where_reading_on_differs_is_read_on() {
    // A quoted message with line breaks across the middle: the second
    // thread starts inside it.
    let long = "line\n".repeat(2000);
    let text = format!(
        "{HEADER}{}1796120844500,5,q,500,\"{long}\",tg 1-1,text,false,1,1,1,5\n{}",
        rows(0, 5, 10),
        rows(5, 10, 10)
    );
    let (data, _, how) = same_split(&text).unwrap();
    assert_eq!((data.totals.requests, how), (101, HowRead::ReadOn));
    assert!(
        data.failures
            .iter()
            .any(|f| f.error.contains("500 line\nline")),
        "{:?}",
        data.failures
    );
    // A sample of the second half that is late only after the first half:
    // the first half ends 200 s later than the second half starts.
    let mut text = format!("{HEADER}{}", rows(0, 30, 20));
    text.push_str(&row(T0 + 30_000, 200_000, "slow", true, 1));
    let later = rows(1, 30, 20);
    let (_, warnings, how) = same_split(&format!("{text}{later}")).unwrap();
    assert!(
        warnings.iter().any(|w| w.contains("more than 120 s")),
        "{warnings:?}"
    );
    assert_eq!(how, HowRead::ReadOn);
    // More distinct errors than the failures table keeps, in both halves.
    let mut text = HEADER.to_string();
    for i in 0..(3 * crate::ingest::samples::MAX_FAILURE_KINDS as u64) {
        text.push_str(&format!(
            "{},5,x,500,error {i},tg 1-1,text,false,1,1,1,5\n",
            T0 + i * 10
        ));
    }
    let (data, _, how) = same_split(&text).unwrap();
    assert!(
        data.failures
            .iter()
            .any(|f| f.error.starts_with("(other errors"))
    );
    assert_eq!(how, HowRead::ReadOn);
}

#[test]
fn a_bad_row_in_either_half_is_the_error_reading_in_order_gives() {
    let good = rows(0, 20, 20);
    let bad = "1796120844000,notanumber,a,200,OK,tg 1-1,text,true,1,1,1,5\n";
    // In the second half only: its line.
    let text = format!("{HEADER}{good}{bad}{good}");
    let err = same_split(&format!("{text}{good}")).unwrap_err();
    assert_eq!(err.line, Some(402), "{err}");
    // In both halves: the first.
    let err = same_split(&format!("{HEADER}{bad}{good}{good}{bad}")).unwrap_err();
    assert_eq!(err.line, Some(2), "{err}");
}
