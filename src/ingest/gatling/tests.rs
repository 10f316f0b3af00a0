use std::path::Path;

use super::records::{Layout, Parser, Record};
use super::*;
use crate::ingest::exact::nearest_rank;
use crate::ingest::samples::Acc;

/// Gatling's own test log (gatling/gatling v3.11.5,
/// `gatling-charts/src/test/resources/single_node_with_known_stats/simulation.log`).
const KNOWN_STATS: &str = include_str!(
    "../../../fixtures/gatling/gatling-repo/single_node_with_known_stats/simulation.log"
);
/// Gatling's own binary test log (gatling/gatling main,
/// `gatling-charts/src/test/resources/known_stats/simulation.log`).
const KNOWN_STATS_BINARY: &[u8] =
    include_bytes!("../../../fixtures/gatling/gatling-repo/known_stats/simulation.log");

fn parse_all(text: &str) -> (Parser, Vec<Record<'_>>) {
    parse_all_with(Parser::new(), text)
}

fn parse_all_with(mut parser: Parser, text: &str) -> (Parser, Vec<Record<'_>>) {
    let records = text
        .lines()
        .map(|l| {
            parser
                .parse(l.as_bytes())
                .unwrap_or_else(|f| panic!("{l}: {f:?}"))
        })
        .collect();
    (parser, records)
}

fn fault(lines: &[&str]) -> (Option<&'static str>, String) {
    let mut parser = Parser::new();
    for (i, line) in lines.iter().enumerate() {
        if let Err(f) = parser.parse(line.as_bytes()) {
            assert_eq!(i, lines.len() - 1, "failed early on {line}: {f:?}");
            return (f.column, f.message);
        }
    }
    panic!("no fault in {lines:?}")
}

#[test]
fn gatlings_own_known_stats_log_gives_gatlings_own_figures() {
    // LogFileReaderSpec (v3.11.5) asserts min 2000, max 9000, the 70th
    // percentile 5000 and the 100th 9000 of these 8 requests (its 99th, 8860,
    // is interpolated; the nearest rank is the max).
    let (parser, records) = parse_all_with(Parser::any_time(), KNOWN_STATS);
    assert_eq!(parser.layout(), Some(Layout::V3));
    let mut acc = Acc::<1>::default();
    for r in &records {
        if let Record::Request {
            start_ms,
            end_ms,
            ok,
            ..
        } = *r
        {
            acc.add((end_ms - start_ms) as f64, !ok);
        }
    }
    let s = acc.stats(1.0);
    assert_eq!((s.requests, s.failures), (8, 0));
    assert_eq!((s.min_ms, s.max_ms), (Some(2000.0), Some(9000.0)));
    assert_eq!(nearest_rank(&acc.histogram(), 8, 7000, 1.0), Some(5000.0));
    assert_eq!(nearest_rank(&acc.histogram(), 8, 10000, 1.0), Some(9000.0));
    assert_eq!(nearest_rank(&acc.histogram(), 8, 9900, 1.0), Some(9000.0));
    assert_eq!(
        records[0],
        Record::Run {
            simulation_id: "run1",
            start_ms: 1_406_822_067_250,
            version: Some("2.0"),
        }
    );
}

// Gatling's test log is stamped from 1970 (1000 ms on): the reader refuses
// such times, as every reader does, so the figures above are checked on the
// records and the file itself on its first USER line.
#[test]
fn gatlings_own_test_log_is_refused_for_its_1970_timestamps() {
    let (column, message) = fault(&KNOWN_STATS.lines().take(2).collect::<Vec<_>>());
    assert_eq!(column, Some("timestamp"));
    assert!(message.contains("not a plausible time"), "{message}");
}

#[test]
fn each_layout_gives_the_same_records() {
    let start = 1_764_590_000_000u64;
    let request = |groups, name, ok, message| Record::Request {
        groups,
        name,
        start_ms: start + 10,
        end_ms: start + 35,
        ok,
        message,
    };
    let t = |ms: u64| (start + ms).to_string();
    let v3 = format!(
        "ASSERTION\tAAEC\nRUN\tshop.Checkout\tcheckout\t{}\t \t3.11.5\nUSER\tBuy\tSTART\t{}\nREQUEST\tCheckout,Payment\tPay\t{}\t{}\tKO\tstatus.find.in([200, 209], 304), found 502\nGROUP\tCheckout,Payment\t{}\t{}\t25\tKO\nERROR\tApprove: Failed to build request: No attribute named 'cabId' is defined \t{}\nREQUEST\t\tHome\t{}\t{}\tOK\t \nUSER\tBuy\tEND\t{}",
        t(0),
        t(1),
        t(10),
        t(35),
        t(5),
        t(40),
        t(41),
        t(10),
        t(35),
        t(50)
    );
    let v33 = format!(
        "RUN\tshop.Checkout\tcheckout\t{}\t \t3.3.1\nUSER\tBuy\t7\tSTART\t{}\t{}\nREQUEST\t7\tCheckout,Payment\tPay\t{}\t{}\tKO\tstatus.find.in([200, 209], 304), found 502\nGROUP\t7\tCheckout,Payment\t{}\t{}\t25\tKO\nERROR\tApprove: Failed to build request: No attribute named 'cabId' is defined \t{}\nREQUEST\t7\t\tHome\t{}\t{}\tOK\t \nUSER\tBuy\t7\tEND\t{}\t{}",
        t(0),
        t(1),
        t(1),
        t(10),
        t(35),
        t(5),
        t(40),
        t(41),
        t(10),
        t(35),
        t(1),
        t(50)
    );
    let v2 = format!(
        "RUN\tshop.Checkout\t\tcheckout\t{}\t \t2.0\nUSER\tBuy\t7\tSTART\t{}\t{}\nREQUEST\tBuy\t7\tCheckout,Payment\tPay\t{}\t{}\tKO\tstatus.find.in(200,304,201,202,203,204,205,206,207,208,209), but actually found 502\textra\nGROUP\tBuy\t7\tCheckout,Payment\t{}\t{}\t25\tKO\nGROUP\tApprove: Failed to build request: No attribute named 'cabId' is defined \t{}\nREQUEST\tBuy\t7\t\tHome\t{}\t{}\tOK\t \nUSER\tBuy\t7\tEND\t{}\t{}",
        t(0),
        t(1),
        t(1),
        t(10),
        t(35),
        t(5),
        t(40),
        t(41),
        t(10),
        t(35),
        t(1),
        t(50)
    );
    for (text, layout, version, message) in [
        (
            &v3,
            Layout::V3,
            Some("3.11.5"),
            "status.find.in([200, 209], 304), found 502",
        ),
        (
            &v33,
            Layout::V3UserIds,
            Some("3.3.1"),
            "status.find.in([200, 209], 304), found 502",
        ),
        (
            &v2,
            Layout::V2,
            None,
            "status.find.in(200,304,201,202,203,204,205,206,207,208,209), but actually found 502",
        ),
    ] {
        let (parser, records) = parse_all(text);
        assert_eq!(parser.layout(), Some(layout));
        let records: Vec<_> = records
            .into_iter()
            .filter(|r| *r != Record::Assertion)
            .collect();
        assert_eq!(
            records,
            [
                Record::Run {
                    simulation_id: "checkout",
                    start_ms: start,
                    version,
                },
                Record::User {
                    start: true,
                    ms: start + 1
                },
                request("Checkout,Payment", "Pay", false, message),
                Record::Group,
                Record::Error {
                    message: "Approve: Failed to build request: No attribute named 'cabId' is defined "
                },
                request("", "Home", true, " "),
                Record::User {
                    start: false,
                    ms: start + 50
                },
            ],
            "{layout:?}"
        );
    }
}

#[test]
fn a_2x_run_record_names_the_simulation_by_its_output_name_when_given() {
    let mut parser = Parser::new();
    let run = parser
        .parse(b"RUN\tshop.Checkout\tnightly\tcheckout\t1764590000000\t \t2.0")
        .unwrap();
    assert!(matches!(
        run,
        Record::Run {
            simulation_id: "nightly",
            version: None,
            ..
        }
    ));
    assert_eq!(
        simulation_id(b"RUN\tshop.Checkout\tnightly\tcheckout\t1764590000000\t \t2.0"),
        Some("nightly".into())
    );
    assert_eq!(
        simulation_id(b"RUN\tshop.Checkout\t\tcheckout\t1764590000000\t \t2.0\r"),
        Some("checkout".into())
    );
    assert_eq!(
        simulation_id(b"RUN\tshop.Checkout\tcheckout\t1764590000000\t \t3.11.5\r"),
        Some("checkout".into())
    );
    assert_eq!(simulation_id(b"RUN\tx\t \t1\t \t3.11.5"), None);
}

#[test]
fn malformed_lines_name_the_field_and_why() {
    let run = "RUN\tshop.Checkout\tcheckout\t1764590000000\t \t3.11.5";
    let user = "USER\tBuy\tSTART\t1764590000001";
    let cases: [(&[&str], Option<&str>, &str); 12] = [
        (
            &["REQUEST\t\tHome\t1\t2\tOK\t "],
            None,
            "expected the RUN record",
        ),
        (&["RUN\tx\ty"], None, "the RUN record has 3 fields"),
        (&[run, run], None, "a second RUN record"),
        (
            &[
                run,
                user,
                "REQUEST\t\tHome\t1764590000001\t1764590000009\tMAYBE\t ",
            ],
            Some("status"),
            "expected OK or KO, found `MAYBE`",
        ),
        (
            &[run, user, "REQUEST\t\tHome\t1764590000001\tsoon\tOK\t "],
            Some("end"),
            "expected a Unix time in milliseconds, found `soon`",
        ),
        (
            &[
                run,
                user,
                "REQUEST\t\tHome\t1764590000009\t1764590000001\tOK\t ",
            ],
            Some("end"),
            "ends (1764590000001) before it starts (1764590000009)",
        ),
        (
            &[
                run,
                user,
                "REQUEST\t\tHo\tme\t1764590000001\t1764590000009\tOK\t ",
            ],
            None,
            "a REQUEST record with 8 fields, where Gatling 3.4 to 3.12 writes 7",
        ),
        (
            &[run, "REQUEST\tone\ttwo"],
            None,
            "(8 with 3.0–3.3's user ids, 7 from 3.4 on)",
        ),
        (
            &[run, "USER\tBuy\tBEGIN\t1764590000001"],
            Some("event"),
            "expected START or END, found `BEGIN`",
        ),
        (
            &[run, "USER\tBuy\tSTART\t99"],
            Some("timestamp"),
            "99 is not a plausible time",
        ),
        (&[run, "CHECK\tx"], None, "`CHECK` is not a record type"),
        (
            &[run, "ERROR\tonly a message"],
            None,
            "an ERROR record has 2 fields",
        ),
    ];
    for (lines, column, message) in cases {
        let (c, m) = fault(lines);
        assert_eq!(c, column, "{lines:?}: {m}");
        assert!(m.contains(message), "{lines:?}: {m}");
    }
    let mut parser = Parser::new();
    parser.parse(run.as_bytes()).unwrap();
    let f = parser
        .parse(b"REQUEST\t\tH\xffme\t1\t2\tOK\t ")
        .unwrap_err();
    assert!(f.message.contains("not valid UTF-8"), "{f:?}");
    // Untrusted text in a message is clipped.
    let long = format!("{run}\nUSER\tBuy\t{}\t1764590000001", "X".repeat(500));
    let (_, m) = fault(&long.lines().collect::<Vec<_>>());
    assert!(m.len() < 200, "{m}");
}

#[test]
fn the_first_bytes_tell_a_text_log_an_old_one_and_a_binary_one() {
    let text = b"RUN\tshop.Checkout\tcheckout\t1764590000000\t \t3.11.5\nUSER\tBuy\tSTART\t1764590000001\n";
    assert_eq!(
        kind_of(text),
        Some(Kind::Text {
            simulation_id: Some("checkout".into())
        })
    );
    // 3.x writes its assertions first; a BOM is allowed.
    let asserted = b"\xef\xbb\xbfASSERTION\tAAEC\r\nASSERTION\tAAED\r\nRUN\tshop.Checkout\tcheckout\t1764590000000\t \t3.11.5\r\n";
    assert_eq!(
        kind_of(asserted),
        Some(Kind::Text {
            simulation_id: Some("checkout".into())
        })
    );
    // Gatling 2.0–2.1: the record type third.
    assert_eq!(
        kind_of(b"shop.Checkout\tcheckout\tRUN\t1406822067250\t \t2.0\n"),
        Some(Kind::Old)
    );
    // Gatling's own binary test log names the version it was written with.
    assert_eq!(
        kind_of(KNOWN_STATS_BINARY),
        Some(Kind::Binary {
            version: "3.12.1".into()
        })
    );
    assert_eq!(
        binary_version(b"\0\0\0\0\x063.14.9\0\0\0\0\x05shop."),
        Some("3.14.9".into())
    );
    for other in [
        &b""[..],
        b"\0\0\0\0\0",
        b"\0\0\0\0\x06\xff\xfe\0\0\0\0",
        b"\0\0\0\xff\xff3.14.9",
        b"timeStamp,elapsed,label\n",
        b"RUNNING\tx\n",
        b"2026-01-01 12:00:00 INFO started\n",
    ] {
        assert_eq!(kind_of(other), None, "{other:?}");
    }
}

#[test]
fn a_log_is_claimed_by_its_content_and_named_by_its_simulation_id() {
    let d = tempfile::tempdir().unwrap();
    let run_dir = d.path().join("checkoutsimulation-20261201112229632");
    std::fs::create_dir(&run_dir).unwrap();
    let write = |name: &str, bytes: &[u8]| {
        let p = run_dir.join(name);
        std::fs::write(&p, bytes).unwrap();
        p
    };
    let log = write(
        "simulation.log",
        b"RUN\tshop.Checkout\tshopping\t1764590000000\t \t3.11.5\n",
    );
    assert_eq!(
        Gatling.claim_by_content(&log),
        Some(("shopping".into(), Role::Stats))
    );
    assert!(Gatling.recognises(&log));
    // Renamed, it is still a Gatling log by content, named after the file.
    let renamed = write(
        "run-1.log",
        b"RUN\tshop.Checkout\tshopping\t1764590000000\t \t3.11.5\n",
    );
    assert_eq!(
        Gatling.claim_by_content(&renamed),
        Some(("run-1".into(), Role::Stats))
    );
    assert_eq!(Gatling.claim_by_content(&write(".log", b"RUN\tx\n")), None);
    // Any simulation.log is claimed (an empty one is an error, not nothing),
    // named after its folder; other logs only by content.
    let empty = run_dir.join("simulation.log");
    std::fs::write(&empty, b"").unwrap();
    assert_eq!(
        Gatling.claim_by_content(&empty),
        Some(("checkoutsimulation".into(), Role::Stats))
    );
    let app = write("app.log", b"2026-01-01 INFO started\n");
    assert_eq!(Gatling.claim_by_content(&app), None);
    let binary = write("other.log", KNOWN_STATS_BINARY);
    assert_eq!(Gatling.claim_by_content(&binary), None);
    assert_eq!(Gatling.claim("simulation.log"), None);
    assert!(Gatling.looks_like_result(b"simulation.log"));
    assert!(!Gatling.looks_like_result(b"app.log"));
}

#[test]
fn a_folder_name_gives_the_simulation_id_without_its_timestamp() {
    let id = |p: &str| id_from_folder(Path::new(p));
    assert_eq!(
        id("r/checkoutsimulation-20261201112229632/simulation.log"),
        "checkoutsimulation"
    );
    assert_eq!(
        id("r/basic-simulation-20140731180000/simulation.log"),
        "basic-simulation"
    );
    assert_eq!(id("r/nightly/simulation.log"), "nightly");
    assert_eq!(
        id("r/-20261201112229632/simulation.log"),
        "-20261201112229632"
    );
    assert_eq!(id("simulation.log"), "simulation");
}

/// The failing run's log, as generated (its folder name has the run's time).
fn slow_log() -> Vec<u8> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/gatling");
    let folder = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("checkoutslowsimulation-"))
        })
        .unwrap();
    std::fs::read(folder.join(LOG_NAME)).unwrap()
}

mod properties {
    use proptest::prelude::*;

    use super::*;
    use crate::model::ResultFiles;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 64, failure_persistence: None, ..ProptestConfig::default() })]

        /// A real log cut anywhere, with a byte changed and a tab or line
        /// break put anywhere, never panics: the reader gives data whose
        /// failures are among its requests, or an error naming the file.
        #[test]
        fn a_mangled_log_never_panics(cut in 0.0..1.0f64, at in 0.0..1.0f64, byte in any::<u8>(), insert in prop::sample::select(vec![b'\t', b'\n', b'\r', b',', b'-'])) {
            let mut bytes = slow_log();
            bytes.truncate((bytes.len() as f64 * cut) as usize);
            if !bytes.is_empty() {
                let i = ((bytes.len() - 1) as f64 * at) as usize;
                bytes[i] = byte;
                bytes.insert(i / 2, insert);
            }
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join(LOG_NAME);
            std::fs::write(&path, &bytes).unwrap();
            let files = ResultFiles { stats: Some(path.clone()), ..ResultFiles::default() };
            let out = Gatling.read(&files, None, None);
            match (&out.data, out.errors.as_slice()) {
                (Some(data), []) => prop_assert!(data.totals.failures <= data.totals.requests),
                (None, [e]) => prop_assert_eq!(&e.path, &path),
                other => prop_assert!(false, "{:?}", other),
            }
        }
    }
}
