//! `summary.json`: the machine contract, serialised straight from [`Summary`].
//!
//! Pretty-printed, except that a scenario's `endpoints`, `failures`,
//! `checks` or `comparisons` array of more than [`ONE_LINE_ABOVE`] items is
//! written one item a line (each item without inner white space): the same
//! JSON, at about half the size, for runs with a million endpoint names.
//! Only the layout changes, so every consumer reads the same values.

use std::io::{self, Write};

use serde::Serialize;
use serde_json::ser::{CompactFormatter, Formatter, PrettyFormatter};

use super::Summary;

/// The file name in the output folder.
pub const FILE_NAME: &str = "summary.json";

/// A scenario's arrays longer than this are written one item a line.
pub const ONE_LINE_ABOVE: usize = 1_000;

/// summary.json in memory (for `--out -`).
pub fn render(summary: &Summary<'_>) -> anyhow::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    write(summary, &mut bytes)?;
    Ok(bytes)
}

/// Write summary.json, with a trailing newline.
pub fn write(summary: &Summary<'_>, out: &mut dyn Write) -> anyhow::Result<()> {
    let long = summary
        .scenarios
        .iter()
        .map(|s| {
            let long = |n: usize| n > ONE_LINE_ABOVE;
            Long {
                endpoints: long(s.endpoints.len()),
                failures: long(s.failures.len()),
                checks: long(s.checks.len()),
                comparisons: long(s.comparisons.map_or(0, <[_]>::len)),
            }
        })
        .collect();
    let formatter = SummaryFormatter {
        pretty: PrettyFormatter::new(),
        long,
        depth: 0,
        scenario: None,
        keys: Vec::new(),
        in_key: false,
        one_line_at: None,
        in_item: false,
    };
    // A buffer of a concrete type: the serializer's many small writes are
    // inlined, and reach `out` in large ones.
    let mut buffered = io::BufWriter::with_capacity(1 << 16, out);
    let mut serializer = serde_json::Serializer::with_formatter(&mut buffered, formatter);
    summary.serialize(&mut serializer)?;
    buffered.write_all(b"\n")?;
    buffered.flush()?;
    Ok(())
}

/// Which of a scenario's arrays are written one item a line.
#[derive(Default)]
struct Long {
    endpoints: bool,
    failures: bool,
    checks: bool,
    comparisons: bool,
}

/// serde_json's pretty layout, but inside a long array each item on one
/// line. It follows where it is by the nesting depth (the root object is 1,
/// the `scenarios` array 2, a scenario 3), the last key of each open
/// object, and which scenario it is in; the items it writes compactly are never seen by the
/// pretty formatter, whose state stays that of the array around them.
struct SummaryFormatter {
    pretty: PrettyFormatter<'static>,
    long: Vec<Long>,
    /// Containers open.
    depth: usize,
    /// The index of the scenario being written.
    scenario: Option<usize>,
    /// The last key of each open object, outermost first, and whether a
    /// key is being written.
    keys: Vec<String>,
    in_key: bool,
    /// The depth of the array being written one item a line.
    one_line_at: Option<usize>,
    /// Inside an item of that array.
    in_item: bool,
}

/// Depth of a scenario object: root object, `scenarios` array, scenario.
const SCENARIO_DEPTH: usize = 3;

impl SummaryFormatter {
    /// Whether the array about to begin is a long one of a scenario.
    fn starts_long_array(&self) -> bool {
        let Some(long) = self.scenario.and_then(|i| self.long.get(i)) else {
            return false;
        };
        self.depth == SCENARIO_DEPTH
            && match self.keys.as_slice() {
                [_, key] => match key.as_str() {
                    "endpoints" => long.endpoints,
                    "failures" => long.failures,
                    "checks" => long.checks,
                    "comparisons" => long.comparisons,
                    _ => false,
                },
                _ => false,
            }
    }

    /// A `scenarios` item begins: the next scenario.
    fn at_scenarios_item(&self) -> bool {
        self.depth == SCENARIO_DEPTH - 1
            && matches!(self.keys.as_slice(), [key] if key == "scenarios")
    }
}

impl Formatter for SummaryFormatter {
    fn begin_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        if self.in_item {
            self.depth += 1;
            return CompactFormatter.begin_array(w);
        }
        if self.starts_long_array() {
            self.one_line_at = Some(self.depth + 1);
        }
        self.depth += 1;
        self.pretty.begin_array(w)
    }

    fn end_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.depth -= 1;
        if self.in_item {
            return CompactFormatter.end_array(w);
        }
        if self.one_line_at == Some(self.depth + 1) {
            self.one_line_at = None;
        }
        self.pretty.end_array(w)
    }

    fn begin_array_value<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        if self.in_item {
            return CompactFormatter.begin_array_value(w, first);
        }
        if self.at_scenarios_item() {
            self.scenario = Some(self.scenario.map_or(0, |i| i + 1));
        }
        if self.one_line_at == Some(self.depth) {
            self.in_item = true;
        }
        self.pretty.begin_array_value(w, first)
    }

    fn end_array_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        if self.in_item && self.one_line_at == Some(self.depth) {
            self.in_item = false;
        } else if self.in_item {
            return CompactFormatter.end_array_value(w);
        }
        self.pretty.end_array_value(w)
    }

    fn begin_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.depth += 1;
        if !self.in_item {
            self.keys.push(String::new());
        }
        match self.in_item {
            true => CompactFormatter.begin_object(w),
            false => self.pretty.begin_object(w),
        }
    }

    fn end_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.depth -= 1;
        if !self.in_item {
            self.keys.pop();
        }
        match self.in_item {
            true => CompactFormatter.end_object(w),
            false => self.pretty.end_object(w),
        }
    }

    fn begin_object_key<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        if !self.in_item
            && let Some(key) = self.keys.last_mut()
        {
            key.clear();
        }
        self.in_key = true;
        match self.in_item {
            true => CompactFormatter.begin_object_key(w, first),
            false => self.pretty.begin_object_key(w, first),
        }
    }

    fn end_object_key<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.in_key = false;
        match self.in_item {
            true => CompactFormatter.end_object_key(w),
            false => self.pretty.end_object_key(w),
        }
    }

    fn begin_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        match self.in_item {
            true => CompactFormatter.begin_object_value(w),
            false => self.pretty.begin_object_value(w),
        }
    }

    fn end_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        match self.in_item {
            true => CompactFormatter.end_object_value(w),
            false => self.pretty.end_object_value(w),
        }
    }

    fn write_string_fragment<W: ?Sized + Write>(
        &mut self,
        w: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        if self.in_key
            && !self.in_item
            && let Some(key) = self.keys.last_mut()
        {
            key.push_str(fragment);
        }
        w.write_all(fragment.as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Formats `value` as summary.json would, with `long` for its scenarios.
    fn formatted(value: &serde_json::Value, long: Vec<Long>) -> String {
        let formatter = SummaryFormatter {
            pretty: PrettyFormatter::new(),
            long,
            depth: 0,
            scenario: None,
            keys: Vec::new(),
            in_key: false,
            one_line_at: None,
            in_item: false,
        };
        let mut out = Vec::new();
        let mut serializer = serde_json::Serializer::with_formatter(&mut out, formatter);
        value.serialize(&mut serializer).unwrap();
        String::from_utf8(out).unwrap()
    }

    fn sample() -> serde_json::Value {
        json!({
            "schema": "x",
            "counts": { "failures": 1, "endpoints": [] },
            "scenarios": [
                { "name": "a", "totals": { "failures": 2 },
                  "endpoints": [ { "name": "/x", "percentiles_ms": { "50": 1, "99": [1, 2] } }, { "name": "/y" } ],
                  "failures": [ { "error": "e", "n": [] } ],
                  "checks": [ { "k": 1 } ] },
                { "name": "b", "endpoints": [ { "name": "/z", "p": {} } ], "failures": [] },
                { "name": "c", "endpoints": [ { "name": "/w" } ], "failures": [ { "error": "f" } ] }
            ]
        })
    }

    #[test]
    fn without_long_arrays_the_layout_is_serde_jsons_pretty_one() {
        let long = (0..3).map(|_| Long::default()).collect();
        let value = sample();
        assert_eq!(
            formatted(&value, long),
            serde_json::to_string_pretty(&value).unwrap()
        );
    }

    #[test]
    fn long_arrays_have_one_item_a_line_and_the_same_json() {
        let long = vec![
            Long {
                endpoints: true,
                failures: true,
                ..Long::default()
            },
            Long::default(),
            Long {
                failures: true,
                ..Long::default()
            },
        ];
        let value = sample();
        let text = formatted(&value, long);
        let back: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back, value);
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines.contains(&r#"        {"name":"/x","percentiles_ms":{"50":1,"99":[1,2]}},"#));
        assert!(lines.contains(&r#"        {"name":"/y"}"#), "{text}");
        assert!(lines.contains(&r#"        {"error":"e","n":[]}"#), "{text}");
        assert!(lines.contains(&r#"        {"error":"f"}"#), "{text}");
        // Scenario b and c's endpoints, the totals and the checks stay pretty.
        assert!(lines.contains(&r#"          "name": "/z","#), "{text}");
        assert!(lines.contains(&r#"          "name": "/w""#), "{text}");
        assert!(lines.contains(&r#"          "k": 1"#), "{text}");
        assert!(lines.contains(&r#"        "failures": 2"#), "{text}");
    }
}
