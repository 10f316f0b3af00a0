//! Snapshots of what people and programs read, on the demo. A change in
//! layout or schema shows up here as a diff to review (`cargo insta review`,
//! or `INSTA_UPDATE=always cargo test` after regenerating the fixtures).

use crate::util::loadgate;

fn run_demo(extra: &[&str]) -> (String, String, Vec<u8>) {
    let out = tempfile::tempdir().unwrap();
    let output = loadgate()
        .env("SOURCE_DATE_EPOCH", "1769040000")
        .args(["check", "fixtures/demo", "--out"])
        .arg(out.path())
        .args(extra)
        .output()
        .unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    // The last line names the temporary output folder.
    let stdout = stdout
        .lines()
        .filter(|l| !l.starts_with("wrote "))
        .collect::<Vec<_>>()
        .join("\n");
    let summary = std::fs::read(out.path().join("summary.json")).unwrap();
    (stdout, String::from_utf8(output.stderr).unwrap(), summary)
}

#[test]
fn terminal_summary_of_the_demo() {
    let (stdout, stderr, _) = run_demo(&[]);
    insta::assert_snapshot!("demo_stdout", stdout);
    insta::assert_snapshot!("demo_stderr", stderr);
}

#[test]
fn summary_json_of_the_demo() {
    let (_, _, summary) = run_demo(&["--no-fail"]);
    insta::assert_snapshot!("demo_summary_json", String::from_utf8(summary).unwrap());
}
