//! Unit tests of the Locust reader.

use super::failures::*;
use super::history::*;
use super::json::*;
use super::stats::*;
use crate::model::{Histogram, HistoryPercentiles};
use std::io::Write;

const STATS_HEADER: &str = "Type,Name,Request Count,Failure Count,Median Response Time,Average Response Time,Min Response Time,Max Response Time,Average Content Size,Requests/s,Failures/s,50%,66%,75%,80%,90%,95%,98%,99%,99.9%,99.99%,100%";

fn write(dir: &tempfile::TempDir, name: &str, content: &[u8]) -> std::path::PathBuf {
    let path = dir.path().join(name);
    std::fs::File::create(&path)
        .and_then(|mut f| f.write_all(content))
        .unwrap();
    path
}

fn stats_file(rows: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        &dir,
        "s_stats.csv",
        format!("{STATS_HEADER}\n{rows}").as_bytes(),
    );
    (dir, path)
}

const AGG: &str = ",Aggregated,10,1,5,5.5,1.25,40.0,12.0,2.5,0.25,5,6,7,8,9,10,11,12,40,40,40\n";

#[test]
fn stats_total_and_endpoints_keep_locusts_numbers() {
    let (_d, path) = stats_file(&format!(
        "GET,\"/a,b \"\"q\"\" | <x> ✓\",10,1,5,5.5,1.25,40.0,12.0,2.5,0.25,5,6,7,8,9,10,11,12,40,40,40\n{AGG}"
    ));
    let (total, endpoints) = read_stats(&path).unwrap();
    assert_eq!(total.requests, 10);
    assert_eq!(total.success_rate, Some(90.0));
    assert_eq!(total.min_ms, Some(1.25));
    assert_eq!(total.percentiles_ms.get(99.9), Some(Some(40.0)));
    assert_eq!(endpoints[0].name, "/a,b \"q\" | <x> ✓");
    assert_eq!(endpoints[0].method, "GET");
}

#[test]
fn line_numbers_are_exact_in_crlf_files() {
    let (_d, path) = stats_file(&format!(
        "GET,/x,1,0,5,5,5,5,0,1,0,5,5,5,5,5,5,5,5,5,5,5\r\nGET,/y,ten,0,5,5,5,5,0,1,0,5,5,5,5,5,5,5,5,5,5,5\r\n{AGG}"
    ));
    assert_eq!(read_stats(&path).unwrap_err().line, Some(3));
}

#[test]
fn crlf_and_bom_are_accepted() {
    let dir = tempfile::tempdir().unwrap();
    let text = format!("\u{feff}{STATS_HEADER}\r\n{}", AGG.replace('\n', "\r\n"));
    let path = write(&dir, "s_stats.csv", text.as_bytes());
    let (total, _) = read_stats(&path).unwrap();
    assert_eq!(total.requests, 10);
    assert_eq!(total.percentiles_ms.get(100.0), Some(Some(40.0)));
}

#[test]
fn columns_are_found_by_name_not_position() {
    let dir = tempfile::tempdir().unwrap();
    let text = "Name,Extra,Type,Failure Count,Request Count,Median Response Time,Average Response Time,Min Response Time,Max Response Time,Requests/s,Failures/s,95%\nAggregated,zz,,2,4,5,6,7,8,9,1,N/A\n";
    let path = write(&dir, "s_stats.csv", text.as_bytes());
    let (total, _) = read_stats(&path).unwrap();
    assert_eq!((total.requests, total.failures), (4, 2));
    assert_eq!(total.percentiles_ms.get(95.0), Some(None));
    assert_eq!(total.percentiles_ms.labels(), vec!["95"]);
}

#[test]
fn a_non_number_names_file_line_and_column() {
    let (_d, path) = stats_file(&format!(
        "GET,/x,ten,0,5,5,5,5,0,1,0,5,5,5,5,5,5,5,5,5,5,5\n{AGG}"
    ));
    let e = read_stats(&path).unwrap_err();
    assert_eq!(e.line, Some(2));
    assert_eq!(e.column.as_deref(), Some("Request Count"));
    assert!(
        e.to_string().ends_with(
            "expected a whole number of 0 or more, found `ten` (column \"Request Count\")"
        ),
        "{e}"
    );
}

#[test]
fn a_missing_column_is_an_error_on_the_header() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        &dir,
        "s_stats.csv",
        b"Type,Name,Request Count\n,Aggregated,1\n",
    );
    let e = read_stats(&path).unwrap_err();
    assert_eq!(
        (e.line, e.column.as_deref()),
        (Some(1), Some("Failure Count"))
    );
}

#[test]
fn a_duplicated_column_is_an_error() {
    let (_d, path) = stats_file(AGG);
    let text =
        std::fs::read_to_string(&path)
            .unwrap()
            .replacen("Failure Count", "Request Count", 1);
    std::fs::write(&path, text).unwrap();
    let e = read_stats(&path).unwrap_err();
    assert_eq!(
        (e.line, e.column.as_deref()),
        (Some(1), Some("Request Count"))
    );
    assert!(e.message.contains("twice (fields 3 and 4)"), "{e}");
}

#[test]
fn empty_and_header_only_stats_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let empty = write(&dir, "a_stats.csv", b"");
    assert!(read_stats(&empty).unwrap_err().message.contains("empty"));
    let header_only = write(&dir, "b_stats.csv", format!("{STATS_HEADER}\n").as_bytes());
    assert!(
        read_stats(&header_only)
            .unwrap_err()
            .message
            .contains("empty")
    );
}

#[test]
fn nan_and_negative_values_are_errors() {
    for bad in ["NaN", "-1", "inf"] {
        let (_d, path) = stats_file(&AGG.replace("5.5", bad));
        let e = read_stats(&path).unwrap_err();
        assert_eq!(e.column.as_deref(), Some("Average Response Time"), "{bad}");
    }
}

#[test]
fn short_rows_are_errors() {
    let (_d, path) = stats_file(",Aggregated,10,1\n");
    let e = read_stats(&path).unwrap_err();
    assert!(e.message.contains("fields"), "{e}");
    assert_eq!(e.line, Some(2));
}

const HISTORY_HEADER: &str = "Timestamp,User Count,Type,Name,Requests/s,Failures/s,50%,95%,Total Request Count,Total Failure Count,Total Median Response Time";

#[test]
fn history_cut_short_is_read_to_the_last_whole_line() {
    let dir = tempfile::tempdir().unwrap();
    let text = format!(
        "{HISTORY_HEADER}\r\n1700000000,0,,Aggregated,0.000000,0.000000,N/A,N/A,0,0,0\r\n1700000001,5,,Aggregated,3.000000,0.000000,4,9,3,0,4\r\n1700000002,10,,Aggr"
    );
    let path = write(&dir, "s_stats_history.csv", text.as_bytes());
    let (history, warning) = read_history(&path, None).unwrap();
    let history = history.unwrap();
    assert_eq!(history.points.len(), 2);
    assert_eq!(history.span(), Some((1_700_000_000, 1_700_000_001)));
    assert_eq!(history.peak_users(), Some(5));
    assert_eq!(history.percentiles, HistoryPercentiles::Cumulative);
    assert!(
        warning
            .unwrap()
            .contains("s_stats_history.csv:4: the last line is cut short")
    );
}

#[test]
fn history_with_endpoint_rows_is_windowed() {
    let dir = tempfile::tempdir().unwrap();
    let text = format!(
        "{HISTORY_HEADER}\n1700000001,5,GET,/x,3.0,0.0,4,9,3,0,4\n1700000001,5,,Aggregated,3.0,0.0,4,9,3,0,4\n"
    );
    let path = write(&dir, "s_stats_history.csv", text.as_bytes());
    let (history, warning) = read_history(&path, None).unwrap();
    assert!(warning.is_none());
    let history = history.unwrap();
    assert_eq!(history.percentiles, HistoryPercentiles::Windowed);
    assert_eq!(history.points.len(), 1);
}

#[test]
fn a_short_endpoint_row_inside_a_full_history_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let text = format!(
        "{HISTORY_HEADER}\r\n1700000001,5,GET,/x,3.0,0.0,4,9,3,0,4\r\n1700000001,5,GET,/y,3.0,0.0,4,9,3\r\n1700000001,5,,Aggregated,3.0,0.0,4,9,3,0,4\r\n"
    );
    let path = write(&dir, "s_stats_history.csv", text.as_bytes());
    let e = read_history(&path, None).unwrap_err();
    assert_eq!(e.line, Some(3));
    assert!(
        e.message
            .contains("the line has 9 fields but the header has 11"),
        "{e}"
    );
}

#[test]
fn history_cut_inside_the_header_has_no_points() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(&dir, "s_stats_history.csv", b"Timestamp,User Co");
    let (history, warning) = read_history(&path, None).unwrap();
    assert!(history.is_none());
    assert!(warning.unwrap().contains("partial header"));
}

#[test]
fn failures_accept_four_and_six_columns() {
    let dir = tempfile::tempdir().unwrap();
    let old = write(
        &dir,
        "a_failures.csv",
        b"Method,Name,Error,Occurrences\nPOST,/login,HTTPError('429'),13\n",
    );
    let new = write(&dir, "b_failures.csv", b"Method,Name,Error,Occurrences,First Seen,Last Seen\nPOST,/login,\"HTTPError('429, slow')\",13,2026-01-22T10:00:00Z,2026-01-22T10:01:00Z\n");
    assert_eq!(read_failures(&old).unwrap()[0].occurrences, 13);
    assert_eq!(
        read_failures(&new).unwrap()[0].error,
        "HTTPError('429, slow')"
    );
}

#[test]
fn locust_json_histograms_are_merged_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(&dir, "s.json", br#"[{"name":"/a","method":"GET","num_requests":3,"response_times":{"5":2,"7":1}},{"name":"/b","method":"POST","response_times":{"5":4,"120":1}}]"#);
    let h = read_json(&path).unwrap();
    assert_eq!(h.total, Histogram::from([(5, 6), (7, 1), (120, 1)]));
    assert_eq!(h.endpoints[&("GET".to_string(), "/a".to_string())][&5], 2);
    let bad = write(&dir, "t.json", b"{\"not\": \"a list\"}");
    assert!(read_json(&bad).unwrap_err().message.contains("--json-file"));
}

#[test]
fn exceptions_split_nodes() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        &dir,
        "a_exceptions.csv",
        b"Count,Message,Traceback,Nodes\n2,boom,\"line 1\nline 2\",\"host-a, host-b\"\n",
    );
    let rows = read_exceptions(&path).unwrap();
    assert_eq!(rows[0].nodes, vec!["host-a", "host-b"]);
    assert_eq!(rows[0].traceback, "line 1\nline 2");
}

#[test]
fn plain_timestamps_are_read_without_the_slow_path() {
    use super::history::unix_seconds;
    assert_eq!(unix_seconds(b"1764578640"), Some(1_764_578_640));
    assert_eq!(unix_seconds(b"0"), Some(0));
    for slow in [
        &b""[..],
        b" 1764578640",
        b"1764578640\r",
        b"-5",
        b"1.5",
        b"1234567890123456789",
    ] {
        assert_eq!(
            unix_seconds(slow),
            None,
            "{:?}",
            String::from_utf8_lossy(slow)
        );
    }
}

#[test]
fn plain_decimals_are_the_doubles_str_parse_gives() {
    use super::rows::{plain_count, plain_decimal};
    // Every split of up to 15 digits into an integer and a fraction, over
    // pseudo-random digits: bit for bit what str::parse gives.
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    for _ in 0..20_000 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let digits = format!("{:015}", x % 1_000_000_000_000_000);
        let total = 1 + (x % 15) as usize;
        let int_len = 1 + ((x >> 20) as usize % total);
        let text = if int_len == total {
            digits[..total].to_string()
        } else {
            format!("{}.{}", &digits[..int_len], &digits[int_len..total])
        };
        let want: f64 = text.parse().unwrap();
        assert_eq!(
            plain_decimal(text.as_bytes()).map(f64::to_bits),
            Some(want.to_bits()),
            "{text}"
        );
    }
    assert_eq!(plain_decimal(b"0.1"), Some(0.1));
    assert_eq!(plain_decimal(b"24.390000"), Some(24.39));
    for slow in [
        &b""[..],
        b"N/A",
        b"5.",
        b".5",
        b"-1",
        b"1e3",
        b" 2",
        b"1.2.3",
        b"1234567890123456",
    ] {
        assert_eq!(
            plain_decimal(slow),
            None,
            "{:?}",
            String::from_utf8_lossy(slow)
        );
    }
    assert_eq!(plain_count(b"13323008"), Some(13_323_008));
    assert_eq!(plain_count(b"12 "), None);
}

/// A history row as an observer sees it: time, endpoint, users, the bits
/// of requests/s and failures/s, the percentiles.
type SeenRow = (
    i64,
    Option<(String, String)>,
    u64,
    u64,
    u64,
    Vec<(f64, Option<f64>)>,
);

/// Every history row a windowed endpoint check sees, with what it sees of it.
#[derive(Default)]
struct Seen {
    numbered: bool,
    names: Vec<(String, String)>,
    rows: Vec<SeenRow>,
}

impl crate::ingest::HistoryObserver for Seen {
    fn wants_endpoints(&self) -> bool {
        true
    }
    fn wants_endpoint(&mut self, _method: &str, name: &str) -> bool {
        name != "/skipped"
    }
    fn endpoint_levels(&self) -> Option<Vec<f64>> {
        Some(vec![95.0])
    }
    fn observe(&mut self, row: &crate::ingest::HistoryRow<'_>) {
        self.rows.push((
            row.timestamp,
            row.endpoint.map(|(m, n)| (m.to_string(), n.to_string())),
            row.users,
            row.rps.to_bits(),
            row.failures_per_s.to_bits(),
            row.percentiles.to_vec(),
        ));
    }
    fn endpoint_id(&mut self, method: &str, name: &str) -> Option<usize> {
        self.names.push((method.to_string(), name.to_string()));
        self.numbered.then(|| self.names.len() - 1)
    }
    fn observe_endpoint(&mut self, id: usize, row: &crate::ingest::HistoryRow<'_>) {
        assert_eq!(row.endpoint, Some((&*self.names[id].0, &*self.names[id].1)));
        self.observe(row);
    }
}

#[test]
fn plain_endpoint_rows_are_seen_as_the_general_path_sees_them() {
    // The same figures written plainly (the fast path, endpoints by number)
    // and spelled so that only the general path reads them (names only).
    let header = "Timestamp,User Count,Type,Name,Requests/s,Failures/s,50%,95%,100%,Total Request Count,Total Failure Count,Total Median Response Time";
    let body = |plain: bool| {
        let mut s = format!("{header}\n1795651200,0,,Aggregated,0,0,N/A,N/A,N/A,0,0,0\n");
        for t in 1..40 {
            let ts = 1795651200 + t;
            let users = t.min(9);
            for (name, p95) in [("/a", 120 + t), ("/b", 300 - t), ("/skipped", 7)] {
                let (u, p) = match plain || name == "/a" {
                    true => (format!("{users}"), format!("{p95}")),
                    false => (format!(" {users}"), format!("{p95}.0e0")),
                };
                let p = if t % 7 == 0 { "N/A".to_string() } else { p };
                // 50% parts from the total median at once: windowed
                // percentiles, learnt on the first row.
                s += &format!(
                    "{ts},{u},GET,{name},2.500000,0.100000,50,{p},{p},{},0,5\n",
                    100 + t
                );
            }
            // The name quoted in the other file: the csv crate's way.
            let quoted = if plain { "/c" } else { "\"/c\"" };
            s += &format!(
                "{ts},{users},POST,{quoted},1.25,0,5,{},400,{t},0,5\n",
                90 + t
            );
            s += &format!(
                "{ts},{users},,Aggregated,6.25,0.2,5,200,400,{},0,5\n",
                4 * t
            );
        }
        s
    };
    let read = |plain: bool| {
        let dir = tempfile::tempdir().unwrap();
        let path = write(&dir, "h_stats_history.csv", body(plain).as_bytes());
        let mut seen = Seen {
            numbered: plain,
            ..Seen::default()
        };
        read_history(&path, Some(&mut seen)).unwrap();
        seen.rows
    };
    let (fast, general) = (read(true), read(false));
    // Every row but the skipped endpoint's and the first tick's endpoint
    // rows (before the run begins at its total row), and the idle row.
    assert_eq!(fast.len(), 39 * 4 + 1 - 3);
    assert_eq!(fast, general);
}
