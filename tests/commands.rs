//! `loadgate init`, `schema` and `completions`.

use crate::util::{check, loadgate};

#[test]
fn init_writes_a_config_that_check_accepts_and_that_passes_on_the_same_results() {
    for results in ["fixtures/demo", "fixtures/edge", "fixtures/baseline/slow"] {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("loadgate.toml");
        loadgate()
            .args(["init", results, "--output"])
            .arg(&config)
            .assert()
            .success()
            .stderr(predicates::str::contains("review them"));
        let text = std::fs::read_to_string(&config).unwrap();
        assert!(text.contains("[defaults]"), "{text}");
        let out = tempfile::tempdir().unwrap();
        let run = check(&[results, "--config", config.to_str().unwrap()], out.path());
        assert_eq!(
            run.code, 0,
            "{results}:\n{text}\n{}\n{}",
            run.stdout, run.stderr
        );
        let summary = run.summary.unwrap();
        assert!(summary["counts"]["checks"].as_u64().unwrap() > 0);
        // Every scenario got its own table.
        for s in summary["scenarios"].as_array().unwrap() {
            assert!(
                s["config_key"].is_string(),
                "{results}: {} has a [scenarios.*] table",
                s["name"]
            );
        }
    }
}

#[test]
fn init_refuses_to_overwrite_without_force() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("loadgate.toml");
    std::fs::write(&config, "# mine\n").unwrap();
    loadgate()
        .args(["init", "fixtures/demo", "--output"])
        .arg(&config)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("already exists; use --force"));
    assert_eq!(std::fs::read_to_string(&config).unwrap(), "# mine\n");
    loadgate()
        .args(["init", "fixtures/demo", "--force", "--output"])
        .arg(&config)
        .assert()
        .success();
    assert!(
        std::fs::read_to_string(&config)
            .unwrap()
            .contains("[scenarios.")
    );
}

#[test]
fn init_on_malformed_results_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    loadgate()
        .args(["init", "fixtures/broken/non_number", "--output"])
        .arg(dir.path().join("x.toml"))
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "found `12o` (column \"Request Count\")",
        ));
    assert!(!dir.path().join("x.toml").exists());
}

#[test]
fn schema_is_json_schema_of_the_config() {
    let output = loadgate().arg("schema").output().unwrap();
    assert!(output.status.success());
    let schema: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(schema["$schema"], "http://json-schema.org/draft-07/schema#");
    for key in ["title", "defaults", "scenarios", "regression"] {
        assert!(schema["properties"].get(key).is_some(), "{key}");
    }
}

#[test]
fn completions_are_generated_for_each_shell() {
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let output = loadgate().args(["completions", shell]).output().unwrap();
        assert!(output.status.success(), "{shell}");
        let text = String::from_utf8(output.stdout).unwrap();
        assert!(
            text.contains("loadgate") && text.contains("baseline"),
            "{shell}"
        );
    }
}

#[test]
fn long_help_has_examples() {
    loadgate()
        .arg("--help")
        .assert()
        .success()
        .stdout(predicates::str::contains("Examples:"))
        .stdout(predicates::str::contains("loadgate init results/"));
}
