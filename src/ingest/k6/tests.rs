//! The k6 reader on small hand-made inputs.

use super::*;
use crate::model::ResultFiles;

fn read_text(name: &str, text: &str) -> Ingested {
    let d = tempfile::tempdir().unwrap();
    let path = d.path().join(name);
    std::fs::write(&path, text).unwrap();
    let files = ResultFiles {
        stats: Some(path),
        ..ResultFiles::default()
    };
    K6.read(&files, None, None)
}

#[test]
fn claims_k6_names_only_and_tells_the_two_formats_apart_by_content() {
    assert_eq!(
        K6.claim("a.k6-summary.json"),
        Some(("a".into(), Role::Stats))
    );
    assert_eq!(K6.claim("a.k6.json"), Some(("a".into(), Role::Stats)));
    assert_eq!(K6.claim("run.k6.ndjson"), Some(("run".into(), Role::Stats)));
    assert_eq!(K6.claim("run.ndjson"), Some(("run".into(), Role::Stats)));
    for other in ["a.json", "a_stats.csv", ".k6.json", "a.jtl", "k6.json"] {
        assert_eq!(K6.claim(other), None, "{other}");
    }
    // Locust's `--json-file` output stays Locust's.
    let first = crate::ingest::READERS
        .iter()
        .find_map(|r| r.claim("a.json").map(|_| r.tool()));
    assert_eq!(first, Some("locust"));
    assert!(K6.looks_like_result(b"x.ndjson"));
    assert_eq!(
        kind_of(r#"{"type":"Metric","data":{"name":"vus"},"metric":"vus"}"#),
        Some(Kind::Stream)
    );
    assert_eq!(
        kind_of("{\"metrics\": {\"http_req_duration\": {}}}"),
        Some(Kind::Summary)
    );
    assert_eq!(kind_of(r#"[{"name":"/a","response_times":{}}]"#), None);
    assert_eq!(kind_of("{\"metrics\": {\"vus\": {}}}"), None);
}

#[test]
fn a_stream_s_requests_failures_and_seconds() {
    let point = |t: &str, v: f64, status: &str, expected: Option<&str>| {
        let expected = expected.map_or(String::new(), |e| format!(r#","expected_response":"{e}""#));
        format!(
            r#"{{"type":"Point","data":{{"time":"2026-01-01T00:00:{t}Z","value":{v},"tags":{{"method":"GET","name":"/a","status":"{status}"{expected}}}}},"metric":"http_req_duration"}}"#
        )
    };
    let text = [
        r#"{"type":"Metric","data":{"name":"http_req_duration","type":"trend"},"metric":"http_req_duration"}"#.to_string(),
        point("01.5", 10.004, "200", Some("true")),
        point("01.9", 20.0, "503", Some("false")),
        // Without expected_response: by status.
        point("02.1", 30.0, "404", None),
        point("02.2", 1.5, "0", None),
        r#"{"type":"Point","data":{"time":"2026-01-01T00:00:02Z","value":3,"tags":{}},"metric":"vus"}"#.to_string(),
        String::new(),
    ]
    .join("\n");
    let got = read_text("s.k6.ndjson", &text);
    assert!(got.errors.is_empty(), "{:?}", got.errors);
    let data = got.data.unwrap();
    let t = &data.totals;
    assert_eq!((t.requests, t.failures), (4, 3));
    assert_eq!((t.min_ms, t.max_ms), (Some(1.5), Some(30.0)));
    assert_eq!(t.median_ms, Some(10.0));
    assert!((t.avg_ms.unwrap() - 61.504 / 4.0).abs() < 1e-12);
    let h = data.history.unwrap();
    assert_eq!(h.points.len(), 2);
    assert_eq!((h.points[0].rps, h.points[1].rps), (2.0, 2.0));
    assert_eq!(h.points[1].users, 3);
    let errors: Vec<&str> = data.failures.iter().map(|f| f.error.as_str()).collect();
    assert_eq!(errors, ["HTTP 404", "HTTP 503", "no response (status 0)"]);
    // A bad line is located.
    let got = read_text(
        "b.ndjson",
        &format!("{}\nnot json\n", point("01", 1.0, "200", None)),
    );
    assert_eq!(got.errors[0].line, Some(2), "{:?}", got.errors);
    let got = read_text("c.ndjson", &point("xx", 1.0, "200", None));
    assert!(
        got.errors[0].message.contains("RFC 3339"),
        "{:?}",
        got.errors
    );
}

#[test]
fn a_summary_in_either_shape() {
    let new = r#"{"state":{"testRunDurationMs":10000},"metrics":{
        "http_reqs":{"type":"counter","values":{"count":100,"rate":10.1}},
        "http_req_failed":{"type":"rate","values":{"rate":0.05,"passes":5,"fails":95}},
        "http_req_duration":{"type":"trend","values":{"avg":12.5,"min":1,"med":10,"max":99,"p(90)":40,"p(95)":50,"p(99.9)":90}},
        "http_req_duration{name:/a}":{"type":"trend","values":{"avg":1,"min":1,"med":1,"max":1,"p(95)":1}},
        "http_reqs{name:/a}":{"type":"counter","values":{"count":60,"rate":6}},
        "http_req_duration{expected_response:true}":{"type":"trend","values":{"avg":1}}}}"#;
    let data = read_text("n.k6-summary.json", new).data.unwrap();
    let t = &data.totals;
    assert_eq!((t.requests, t.failures, t.rps), (100, 5, 10.1));
    assert_eq!(t.failures_per_s, 0.5);
    assert_eq!((t.median_ms, t.max_ms), (Some(10.0), Some(99.0)));
    assert_eq!(t.percentiles_ms.labels(), ["90", "95", "99.9"]);
    assert_eq!(t.percentiles_ms.get(95.0), Some(Some(50.0)));
    assert_eq!(data.endpoints.len(), 1);
    assert_eq!(data.endpoints[0].stats.requests, 60);
    assert!(data.history.is_none());
    let old = r#"{"metrics":{"http_reqs":{"count":10,"rate":2},
        "http_req_duration":{"avg":1,"min":1,"med":1,"max":1,"p(95)":1,"thresholds":{"p(95)<5":false}},
        "http_req_failed":{"passes":1,"fails":9,"value":0.1}}}"#;
    let got = read_text("o.k6.json", old);
    let data = got.data.unwrap();
    assert_eq!((data.totals.requests, data.totals.failures), (10, 1));
    assert_eq!(data.stats_span_s(), Some(5.0));
    assert!(got.warnings.is_empty(), "{:?}", got.warnings);
    let got = read_text("x.k6.json", r#"{"metrics":{"vus":{}}}"#);
    assert!(
        got.errors[0].message.contains("not a k6 result"),
        "{:?}",
        got.errors
    );
}

/// A request point of the `--out json` stream.
fn json_point(t: &str, ms: f64, name: &str, scenario: Option<&str>) -> String {
    let scenario = scenario.map_or(String::new(), |s| format!(r#","scenario":"{s}""#));
    format!(
        r#"{{"metric":"http_req_duration","type":"Point","data":{{"time":"2026-01-01T00:00:{t}Z","value":{ms},"tags":{{"expected_response":"true","method":"GET","name":"{name}","status":"200"{scenario}}}}}}}"#
    )
}

const CSV_HEADER: &str = "metric_name,timestamp,metric_value,check,error,error_code,expected_response,group,method,name,proto,scenario,service,status,subproto,tls_version,url,extra_tags,metadata";

/// A request row of the `--out csv` output.
fn csv_row(ts: &str, ms: &str, status: &str, expected: &str, name: &str, scenario: &str) -> String {
    format!(
        "http_req_duration,{ts},{ms},,,,{expected},,GET,{name},HTTP/1.1,{scenario},,{status},,,https://x.test/a,,"
    )
}

#[test]
fn a_csv_reads_like_the_stream_of_the_same_samples() {
    let csv = [
        CSV_HEADER.to_string(),
        "vus,1767225601,3.000000,,,,,,,,,,,,,,,,".to_string(),
        csv_row(
            "1767225601500000",
            "10.004000",
            "200",
            "true",
            "/a",
            "default",
        ),
        csv_row(
            "1767225601900000",
            "20.000000",
            "503",
            "false",
            "/a",
            "default",
        ),
        // Without expected_response: by status.
        csv_row("1767225602100000", "30.000000", "404", "", "/a", "default"),
        // A name with a comma, quoted as Go's encoding/csv quotes it.
        csv_row(
            "1767225602200000",
            "1.500000",
            "0",
            "",
            "\"/b, c\"",
            "default",
        ),
        "http_reqs,1767225602,1.000000,,,,,,,,,,,,,,,,".to_string(),
        String::new(),
    ]
    .join("\n");
    let got = read_text("s.k6.csv", &csv);
    assert!(got.errors.is_empty(), "{:?}", got.errors);
    let data = got.data.unwrap();
    let t = &data.totals;
    assert_eq!((t.requests, t.failures), (4, 3));
    assert_eq!(
        (t.min_ms, t.max_ms, t.median_ms),
        (Some(1.5), Some(30.0), Some(10.0))
    );
    let names: Vec<&str> = data.endpoints.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names, ["/a", "/b, c"]);
    let errors: Vec<&str> = data.failures.iter().map(|f| f.error.as_str()).collect();
    assert_eq!(errors, ["HTTP 404", "HTTP 503", "no response (status 0)"]);
    let h = data.history.unwrap();
    assert_eq!(
        h.points.iter().map(|p| p.rps).collect::<Vec<_>>(),
        [2.0, 2.0]
    );
    assert_eq!(h.points[0].users, 3);
    assert!(h.users_known);
    // The same requests as a stream give the same totals.
    let json: Vec<String> = [
        ("01.5", 10.004),
        ("01.9", 20.0),
        ("02.1", 30.0),
        ("02.2", 1.5),
    ]
    .iter()
    .map(|(t, ms)| json_point(t, *ms, "/a", Some("default")))
    .collect();
    let stream = read_text("s.k6.ndjson", &json.join("\n")).data.unwrap();
    assert_eq!(stream.totals.percentiles_ms, data.totals.percentiles_ms);
    assert_eq!(stream.totals.rps, data.totals.rps);
}

#[test]
fn a_csv_s_columns_are_found_by_name_and_missing_tags_in_extra_tags() {
    // systemTags without `name` and `status`: a custom tag set goes to extra_tags.
    let csv = "metric_name,timestamp,metric_value,expected_response,method,url,extra_tags,metadata\n\
        http_req_duration,2026-01-01T00:00:01.5Z,12.000000,false,POST,https://x.test/o,name=order&status=500&team=a,vu=1\n\
        http_req_duration,1767225601600,8.000000,true,POST,https://x.test/o,,\n";
    let data = read_text("c.csv", csv).data.unwrap();
    let names: Vec<&str> = data.endpoints.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names, ["https://x.test/o", "order"]);
    assert_eq!(data.failures[0].error, "HTTP 500");
    assert!(!data.history.unwrap().users_known, "no vus rows");
}

#[test]
fn malformed_csvs_are_located() {
    let cases = [
        (
            format!("{CSV_HEADER}\nvus,1,2\n"),
            2,
            "the line has 3 fields but the header has 19",
        ),
        (
            "metric,timestamp,value\n".to_string(),
            1,
            "its `--out csv` output (a header starting",
        ),
        (
            "metric_name,timestamp,metric_value,name,name\n".to_string(),
            1,
            "names this column twice",
        ),
        (
            format!(
                "{CSV_HEADER}\n{}\n",
                csv_row("soon", "1", "200", "true", "/a", "")
            ),
            2,
            "`soon` is not a k6 CSV timestamp",
        ),
        (
            format!(
                "{CSV_HEADER}\n{}\n",
                csv_row("1767225601", "NaN", "200", "true", "/a", "")
            ),
            2,
            "expected a finite number of 0 or more, found `NaN`",
        ),
        (
            format!("{CSV_HEADER}\n{CSV_HEADER}\n"),
            2,
            "the header line again",
        ),
    ];
    for (text, line, message) in cases {
        let got = read_text("m.k6.csv", &text);
        let e = got.errors.first().unwrap_or_else(|| panic!("{text}"));
        assert_eq!(e.line, Some(line), "{e}");
        assert!(e.message.contains(message), "{e}");
    }
    let got = read_text(
        "m.k6.csv",
        &format!("{CSV_HEADER}\n{}\n", csv_row("1", "NaN", "", "", "", "")),
    );
    assert_eq!(got.errors[0].column.as_deref(), Some("metric_value"));
}

#[test]
fn claims_k6_csvs_by_name_and_by_their_header() {
    assert_eq!(K6.claim("run.k6.csv"), Some(("run".into(), Role::Stats)));
    assert_eq!(K6.claim("run.csv"), None);
    assert!(K6.looks_like_result(b"run.k6.csv"));
    let d = tempfile::tempdir().unwrap();
    let k6 = d.path().join("file.csv");
    std::fs::write(&k6, format!("{CSV_HEADER}\n")).unwrap();
    assert_eq!(K6.claim_by_content(&k6), Some(("file".into(), Role::Stats)));
    let jtl = d.path().join("results.csv");
    std::fs::write(&jtl, "timeStamp,elapsed,label,success\n").unwrap();
    assert_eq!(K6.claim_by_content(&jtl), None);
    assert_eq!(kind_of(CSV_HEADER), Some(Kind::Csv));
}

/// Discovery's groups for one file, after [`K6::complete`].
fn completed(name: &str, text: &str) -> (tempfile::TempDir, Vec<(String, Option<String>)>) {
    let d = tempfile::tempdir().unwrap();
    let path = d.path().join(name);
    std::fs::write(&path, text).unwrap();
    let (stem, _) = K6.claim(name).unwrap();
    let mut groups = BTreeMap::new();
    groups.insert(
        (d.path().to_path_buf(), stem),
        ResultFiles {
            stats: Some(path),
            ..ResultFiles::default()
        },
    );
    K6.complete(&mut groups);
    let sets = groups
        .into_iter()
        .map(|((_, name), files)| (name, files.part))
        .collect();
    (d, sets)
}

#[test]
fn a_stream_of_several_k6_scenarios_is_one_set_per_scenario() {
    let lines = [
        json_point("00.5", 3.0, "/setup", None),
        json_point("01.0", 10.0, "/a", Some("browse")),
        json_point("01.2", 20.0, "/b", Some("buy")),
        json_point("02.0", 30.0, "/a", Some("browse")),
        r#"{"metric":"vus","type":"Point","data":{"time":"2026-01-01T00:00:01Z","value":7,"tags":{}}}"#.to_string(),
    ];
    let text = lines.join("\n");
    let (d, sets) = completed("run.k6.ndjson", &text);
    assert_eq!(
        sets,
        [
            ("run/browse".to_string(), Some("browse".to_string())),
            ("run/buy".to_string(), Some("buy".to_string())),
        ]
    );
    let read_part = |part: &str| {
        K6.read(
            &ResultFiles {
                stats: Some(d.path().join("run.k6.ndjson")),
                part: Some(part.to_string()),
                ..ResultFiles::default()
            },
            None,
            None,
        )
    };
    let browse = read_part("browse");
    let data = browse.data.unwrap();
    assert_eq!(data.totals.requests, 2);
    // 1.0 s − 10 ms to 2.0 s.
    assert!((data.totals.rps - 2.0 / 1.01).abs() < 1e-12);
    let history = data.history.unwrap();
    assert!(!history.users_known, "vus counts every scenario's VUs");
    assert!(history.points.iter().all(|p| p.users == 0));
    // The untagged request is in no part, said once, by the first.
    assert_eq!(browse.warnings.len(), 1, "{:?}", browse.warnings);
    assert!(browse.warnings[0].contains("1 requests have no k6 `scenario` tag"));
    let buy = read_part("buy");
    assert_eq!(buy.data.unwrap().totals.requests, 1);
    assert!(buy.warnings.is_empty(), "{:?}", buy.warnings);
    // The whole file (as before discovery splits it) has every request.
    let whole = read_text("run.k6.ndjson", &text).data.unwrap();
    assert_eq!(whole.totals.requests, 4);
    assert!(whole.history.unwrap().users_known);
}

#[test]
fn one_scenario_none_or_too_many_keep_the_file_whole() {
    let one: Vec<String> = ["default", "default"]
        .iter()
        .map(|s| json_point("01", 1.0, "/a", Some(s)))
        .collect();
    let (_d, sets) = completed("one.ndjson", &one.join("\n"));
    assert_eq!(sets, [("one".to_string(), None)]);
    // One named scenario: still the file's name.
    let (_d, sets) = completed(
        "named.k6.ndjson",
        &json_point("01", 1.0, "/a", Some("smoke")),
    );
    assert_eq!(sets, [("named".to_string(), None)]);
    let (_d, sets) = completed("none.k6.ndjson", &json_point("01", 1.0, "/a", None));
    assert_eq!(sets, [("none".to_string(), None)]);
    let many: Vec<String> = (0..=stream::MAX_PARTS)
        .map(|i| json_point("01", 1.0, "/a", Some(&format!("s{i}"))))
        .collect();
    let (d, sets) = completed("many.k6.ndjson", &many.join("\n"));
    assert_eq!(sets, [("many".to_string(), None)]);
    let got = K6.read(
        &ResultFiles {
            stats: Some(d.path().join("many.k6.ndjson")),
            ..ResultFiles::default()
        },
        None,
        None,
    );
    assert!(
        got.warnings
            .iter()
            .any(|w| w.contains("more than 64 k6 scenarios")),
        "{:?}",
        got.warnings
    );
    // A stream that cannot be read to its end stays whole: its error is said once.
    let broken = format!("{}\n{{not json", json_point("01", 1.0, "/a", Some("x")));
    let broken = format!("{broken}\n{}", json_point("02", 1.0, "/a", Some("y")));
    let (_d, sets) = completed("broken.k6.ndjson", &broken);
    assert_eq!(sets, [("broken".to_string(), None)]);
    let (_d, sets) = completed("bad.k6.ndjson", "{\"metric\":\"http_req_duration\",\u{0}");
    assert_eq!(sets, [("bad".to_string(), None)]);
    // A CSV splits alike.
    let csv = [
        CSV_HEADER.to_string(),
        csv_row("1767225601", "1.0", "200", "true", "/a", "api"),
        csv_row("1767225601", "1.0", "200", "true", "/a", "web"),
    ]
    .join("\n");
    let (_d, sets) = completed("c.k6.csv", &csv);
    let names: Vec<&str> = sets.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["c/api", "c/web"]);
}
