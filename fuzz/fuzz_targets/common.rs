//! Shared by the file-reading targets: loadgate's readers take a path, so each
//! input is written to a file in a temp folder made once per process.

use std::path::PathBuf;
use std::sync::OnceLock;

static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();

/// Write `data` to `name` in the process's temp folder and return its path.
pub fn file(name: &str, data: &[u8]) -> PathBuf {
    let dir = DIR.get_or_init(|| tempfile::tempdir().expect("a temp folder for fuzz inputs"));
    let path = dir.path().join(name);
    std::fs::write(&path, data).expect("write the fuzz input");
    path
}

/// Every reader error must name its file.
pub fn names_the_file(error: &impl std::fmt::Display, path: &std::path::Path) {
    let text = error.to_string();
    assert!(
        text.contains(&path.display().to_string()),
        "an error without its path: {text}"
    );
}
