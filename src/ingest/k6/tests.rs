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
