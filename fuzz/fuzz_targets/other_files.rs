//! Bytes into the optional readers: `_failures.csv`, `_exceptions.csv` and
//! Locust's `--json-file` output. No panic; an error names the file.
#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;
use loadgate::ingest::locust::{read_exceptions, read_failures, read_json};

fuzz_target!(|data: &[u8]| {
    let path = common::file("fuzz_failures.csv", data);
    if let Err(e) = read_failures(&path) {
        common::names_the_file(&e, &path);
    }
    if let Err(e) = read_exceptions(&path) {
        common::names_the_file(&e, &path);
    }
    let path = common::file("fuzz.json", data);
    if let Err(e) = read_json(&path) {
        common::names_the_file(&e, &path);
    }
});
