//! The code's shape stays readable: no source file is over about 800 lines
//! before its tests (docs/ARCHITECTURE.md, "The rules").

use crate::util::root;

/// A little over the 800 of the rule, so that a comment does not break CI.
const MAX_LINES: usize = 850;

#[test]
fn no_source_file_is_over_about_800_lines_before_its_tests() {
    let mut long = Vec::new();
    for entry in walkdir::WalkDir::new(root().join("src")) {
        let entry = entry.unwrap();
        let path = entry.path();
        let is_test_file = path.components().any(|c| c.as_os_str() == "tests")
            || path
                .file_name()
                .is_some_and(|n| n == "tests.rs" || n == "test_support.rs");
        if path.extension().is_none_or(|e| e != "rs") || is_test_file {
            continue;
        }
        let text = std::fs::read_to_string(path).unwrap();
        let lines = text.lines().take_while(|l| *l != "#[cfg(test)]").count();
        if lines > MAX_LINES {
            long.push(format!("{}: {lines} lines", path.display()));
        }
    }
    assert!(
        long.is_empty(),
        "split these at their seams:\n{}",
        long.join("\n")
    );
}
