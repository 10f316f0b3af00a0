//! The output README shows is the output loadgate prints: the quick start's
//! run of the demo and the config-error example, compared line for line
//! with the real binary.

use std::path::Path;

use crate::util::{fixture, loadgate, root};

/// The first fenced block after the line holding `marker`, without its fences.
fn block_after(readme: &str, marker: &str) -> String {
    let at = readme
        .find(marker)
        .unwrap_or_else(|| panic!("README has no `{marker}`"));
    let rest = &readme[at..];
    let open = rest.find("\n```").expect("a fenced block") + 1;
    let body_start = open + rest[open..].find('\n').expect("the fence line") + 1;
    let body_len = rest[body_start..].find("```").expect("a closing fence");
    rest[body_start..body_start + body_len].to_string()
}

fn readme() -> String {
    std::fs::read_to_string(root().join("README.md")).expect("README.md")
}

#[test]
fn the_quick_start_shows_what_loadgate_check_fixtures_demo_prints() {
    let shown = block_after(&readme(), "The first command prints");
    // The command as README gives it, from a folder where `fixtures/demo`
    // is the demo (so the default output folder lands in a temp folder).
    let work = tempfile::tempdir().unwrap();
    let demo = work.path().join("fixtures/demo");
    std::fs::create_dir_all(&demo).unwrap();
    for entry in std::fs::read_dir(fixture("demo")).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), demo.join(entry.file_name())).unwrap();
    }
    let output = loadgate()
        .current_dir(work.path())
        .args(["check", "fixtures/demo"])
        .output()
        .unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    // README: "loadgate exits with code 1 (the last line, on stderr, says so)".
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        stderr, "exit code 1: the gate failed (use --no-fail to report without failing)\n",
        "stderr holds the last line only"
    );
    let printed = format!("{stdout}{stderr}");
    assert_eq!(
        shown, printed,
        "README's quick start block differs from what `loadgate check fixtures/demo` prints"
    );
    assert!(work.path().join("loadgate-report/summary.json").is_file());
}

#[test]
fn the_config_error_example_is_what_loadgate_prints() {
    let shown = block_after(&readme(), "with a misspelt metric on line 6 prints:");
    // The example's file: its line 6 is the line README shows.
    let line = shown
        .lines()
        .find_map(|l| l.strip_prefix("6 | "))
        .expect("README shows line 6");
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("loadgate.toml"),
        format!("title = \"x\"\n\n# targets\n\n[defaults]\n{line}\n"),
    )
    .unwrap();
    std::fs::create_dir(dir.path().join("results")).unwrap();
    std::fs::copy(
        fixture("demo/scenario1_concurrent_deployments_stats.csv"),
        dir.path().join("results/s_stats.csv"),
    )
    .unwrap();
    // As README runs it.
    let output = loadgate()
        .current_dir(dir.path())
        .args(["check", "results/", "--config", "loadgate.toml"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(shown, stderr);
    assert!(!Path::new(&dir.path().join("loadgate-report/summary.json")).exists());
}
