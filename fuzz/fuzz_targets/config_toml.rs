//! Text (lossy UTF-8) as `loadgate.toml` into `Config::from_toml`: no panic,
//! and an error that names the file (its Display renders the source line too).
//!
//! The same text is also written as a threshold string inside a valid config,
//! escaped in the ways TOML allows (chosen by the first byte), because error
//! positions inside strings map decoded offsets back to the source.
#![no_main]

use std::fmt::Write;
use std::path::Path;

use libfuzzer_sys::fuzz_target;
use loadgate::config::Config;

fn check(text: &str) {
    let file = Path::new("fuzz/loadgate.toml");
    match Config::from_toml(text, file) {
        Ok(config) => {
            for sc in &config.scenarios {
                let _ = config.regression_for(Some(sc));
            }
        }
        Err(e) => assert!(e.to_string().starts_with("fuzz/loadgate.toml"), "{e}"),
    }
}

/// `s` as a TOML string: a basic string that escapes what it must and, per
/// bit of `style`, tabs, non-ASCII or spaces too; or a literal string.
fn toml_string(s: &str, style: u8) -> String {
    if style & 1 == 1 && !s.contains(['\'', '\n', '\r']) && !s.chars().any(char::is_control) {
        return format!("'{s}'");
    }
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\t' if style & 2 == 0 => out.push_str("\\t"),
            '\t' => out.push('\t'),
            ' ' if style & 8 != 0 => out.push_str("\\u0020"),
            c if c.is_control() || (!c.is_ascii() && style & 4 != 0) => {
                let _ = write!(out, "\\U{:08X}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    check(&text);
    if let Some((&style, rest)) = data.split_first() {
        let threshold = String::from_utf8_lossy(rest);
        let embedded = format!(
            "[defaults]\nthresholds = [{}]\n[scenarios.a]\nmin_duration = {}\n",
            toml_string(&threshold, style),
            toml_string(&threshold, style >> 4)
        );
        check(&embedded);
    }
});
