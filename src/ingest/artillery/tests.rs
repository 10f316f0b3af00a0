//! Unit tests of the Artillery reader on small hand-written reports.

use std::io::Write;

use super::*;

fn file(text: &str) -> tempfile::NamedTempFile {
    let mut f = tempfile::Builder::new()
        .suffix(".artillery.json")
        .tempfile()
        .unwrap();
    f.write_all(text.as_bytes()).unwrap();
    f
}

const REPORT: &str = r#"{
  "aggregate": {
    "counters": {"http.requests": 10, "http.codes.200": 7, "http.codes.500": 2, "errors.ETIMEDOUT": 1,
      "plugins.metrics-by-endpoint./a.codes.200": 7, "plugins.metrics-by-endpoint./b.codes.500": 2,
      "plugins.metrics-by-endpoint./b.errors.ETIMEDOUT": 1},
    "firstMetricAt": 1000, "lastMetricAt": 6000, "period": 0,
    "summaries": {"http.response_time": {"min": 1, "max": 9, "count": 9, "mean": 4.5, "p50": 4, "median": 4,
      "p75": 6, "p90": 8, "p95": 9, "p99": 9, "p999": 9}}
  },
  "intermediate": [
    {"counters": {"http.requests": 10}, "period": "0", "summaries": {}}
  ]
}"#;

#[test]
fn claims_and_maps() {
    assert_eq!(
        Artillery.claim("checkout.artillery.json"),
        Some(("checkout".into(), Role::Stats))
    );
    assert_eq!(Artillery.claim(".artillery.json"), None);
    assert_eq!(Artillery.claim("checkout.json"), None);
    let f = file(REPORT);
    assert!(Artillery.recognises(f.path()));
    let (data, warnings) = read_report(f.path(), None).unwrap();
    assert!(warnings.is_empty());
    assert_eq!(data.totals.requests, 10);
    assert_eq!(data.totals.failures, 3);
    assert_eq!(data.totals.rps, 2.0);
    assert_eq!(data.totals.percentiles_ms.get(99.9), Some(Some(9.0)));
    let names: Vec<_> = data.endpoints.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names, ["/a", "/b"]);
    assert_eq!(data.endpoints[1].stats.failures, 3);
    assert_eq!(data.failures[0].error, "HTTP 500");
    let h = data.history.unwrap();
    assert_eq!(h.points.len(), 1);
    assert!(!h.users_known);
}

#[test]
fn malformed_values_name_the_path() {
    let f = file(&REPORT.replace("\"http.requests\": 10,", "\"http.requests\": 1.5,"));
    let e = read_report(f.path(), None).unwrap_err();
    assert!(e.message.contains("aggregate.counters"), "{e}");
    let f = file(&REPORT.replace("\"min\": 1,", "\"min\": -1,"));
    let e = read_report(f.path(), None).unwrap_err();
    assert!(e.message.contains("http.response_time.min"), "{e}");
    let f = file(r#"{"aggregate": {}}"#);
    assert!(!Artillery.recognises(f.path()));
    assert!(read_report(f.path(), None).is_err());
}

#[test]
fn endpoint_names_drop_the_origin_and_keep_request_names() {
    for (key, name) in [
        // The plugin's shapes (its unit tests: `/dino`, `www.artillery.io/docs`, `:8081/dino`).
        ("/dino", "/dino"),
        ("www.artillery.io/docs", "/docs"),
        (":8081/dino", "/dino"),
        ("127.0.0.1:49579/api/health", "/api/health"),
        ("localhost/x?y=1", "/x?y=1"),
        ("[::1]:8080/x", "/x"),
        ("[::1]/x", "/x"),
        ("http://127.0.0.1:8080/x", "/x"),
        ("https://shop/x", "/x"),
        // A named request without useOnlyRequestNames: URL (name).
        (
            "127.0.0.1:49579/api/deployments (create deployment)",
            "/api/deployments (create deployment)",
        ),
        ("/dino (bunnyRequest123)", "/dino (bunnyRequest123)"),
        // useOnlyRequestNames: the name, whatever it holds.
        ("create deployment", "create deployment"),
        ("login/step 2", "login/step 2"),
        ("GET /users", "GET /users"),
        ("a:b/c", "a:b/c"),
        ("[oops/x", "[oops/x"),
        ("", ""),
    ] {
        assert_eq!(endpoint_name(key), name, "{key}");
    }
}

#[test]
fn endpoints_that_differ_only_by_origin_keep_it_with_a_warning() {
    let text = REPORT
        .replace(
            "\"plugins.metrics-by-endpoint./a.codes.200\": 7",
            "\"plugins.metrics-by-endpoint.127.0.0.1:9/a.codes.200\": 3, \"plugins.metrics-by-endpoint.a.test/a.codes.200\": 4",
        )
        .replace(
            "\"plugins.metrics-by-endpoint./b.codes.500\"",
            "\"plugins.metrics-by-endpoint.127.0.0.1:9/b.codes.500\"",
        )
        .replace(
            "\"plugins.metrics-by-endpoint./b.errors.ETIMEDOUT\"",
            "\"plugins.metrics-by-endpoint.127.0.0.1:9/b.errors.ETIMEDOUT\"",
        );
    let f = file(&text);
    let (data, warnings) = read_report(f.path(), None).unwrap();
    let names: Vec<_> = data.endpoints.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names, ["/b", "127.0.0.1:9/a", "a.test/a"]);
    let requests: Vec<_> = data.endpoints.iter().map(|e| e.stats.requests).collect();
    assert_eq!(requests, [3, 3, 4]);
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0].contains("`127.0.0.1:9/a`, `a.test/a` differ only by their origin"),
        "{warnings:?}"
    );
    let failing: Vec<_> = data.failures.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(failing, ["/b", "/b"]);
}
