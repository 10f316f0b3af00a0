//! GitHub Actions mode: job summary, annotations and step outputs.

use std::path::Path;

use crate::util::loadgate;

struct GithubRun {
    code: i32,
    stdout: String,
    step_summary: String,
    outputs: String,
}

fn run_in_actions(args: &[&str], env_dir: &Path, out: &Path) -> GithubRun {
    let summary_file = env_dir.join("step_summary.md");
    let output_file = env_dir.join("github_output");
    let output = loadgate()
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_STEP_SUMMARY", &summary_file)
        .env("GITHUB_OUTPUT", &output_file)
        .env("GITHUB_SERVER_URL", "https://github.com")
        .env("GITHUB_REPOSITORY", "acme/shop")
        .env("GITHUB_RUN_ID", "42")
        .arg("check")
        .args(args)
        .arg("--out")
        .arg(out)
        .output()
        .unwrap();
    GithubRun {
        code: output.status.code().unwrap(),
        stdout: String::from_utf8(output.stdout).unwrap(),
        step_summary: std::fs::read_to_string(summary_file).unwrap_or_default(),
        outputs: std::fs::read_to_string(output_file).unwrap_or_default(),
    }
}

#[test]
fn a_failing_run_writes_outputs_summary_and_annotations() {
    let (env, out) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let run = run_in_actions(&["fixtures/demo"], env.path(), out.path());
    assert_eq!(run.code, 1);
    assert!(
        run.outputs
            .starts_with("status=failed\nchecks-failed=2\nregressions=0\nreport-dir<<"),
        "{}",
        run.outputs
    );
    let delimiter = run
        .outputs
        .lines()
        .nth(3)
        .unwrap()
        .trim_start_matches("report-dir<<");
    assert_eq!(
        run.outputs.lines().nth(4),
        Some(out.path().to_str().unwrap())
    );
    assert_eq!(run.outputs.lines().nth(5), Some(delimiter));
    assert!(
        run.step_summary
            .contains("FAILED — 3 of 4 scenarios complete; 2 of 30 checks failed")
    );
    assert!(run.step_summary.contains("```mermaid"));
    assert!(
        run.step_summary
            .contains("https://github.com/acme/shop/actions/runs/42")
    );
    assert!(run.step_summary.len() < 1024 * 1024);
    let errors: Vec<&str> = run
        .stdout
        .lines()
        .filter(|l| l.starts_with("::error"))
        .collect();
    assert_eq!(errors.len(), 2, "{}", run.stdout);
    assert!(
        errors[0].starts_with("::error title=loadgate%3A scenario4_burst_load::ran "),
        "{}",
        errors[0]
    );
    // The killed run's history is shorter than the run, as every history of a
    // Locust before 2.46.3 is: explained, judged by Locust's counts, no warning.
    let warnings = run
        .stdout
        .lines()
        .filter(|l| l.starts_with("::warning"))
        .count();
    assert_eq!(warnings, 0, "{}", run.stdout);
}

#[test]
fn hostile_endpoint_names_cannot_inject_workflow_commands() {
    let (env, out) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let config = env.path().join("strict.toml");
    // Every endpoint fails, so every hostile name reaches an annotation.
    std::fs::write(&config, "[defaults]\nthresholds = []\n[scenarios.edge]\nmatch = \"edge_names\"\n[[scenarios.edge.endpoint]]\nname = \"*\"\nthresholds = [\"max < 0.001ms\"]\n").unwrap();
    let run = run_in_actions(
        &["fixtures/edge", "--config", config.to_str().unwrap()],
        env.path(),
        out.path(),
    );
    assert_eq!(run.code, 1);
    let commands: Vec<&str> = run.stdout.lines().filter(|l| l.starts_with("::")).collect();
    assert_eq!(
        commands.len(),
        10,
        "at most 10 errors, the last one summing up:\n{}",
        run.stdout
    );
    for line in &commands {
        assert!(line.starts_with("::error title=loadgate"), "{line}");
        let (props, _) = line[2..].split_once("::").unwrap();
        let title = props.trim_start_matches("error title=");
        assert!(
            !title.contains(':') && !title.contains(','),
            "title escaped: {line}"
        );
    }
    assert!(
        commands[9].contains("more failed checks"),
        "{}",
        commands[9]
    );
    assert!(
        !run.stdout.lines().any(|l| l.starts_with("::error file=x")),
        "no injected command"
    );

    // The names built to inject: a workflow command and an encoded newline.
    std::fs::write(&config, "[defaults]\nthresholds = []\n[scenarios.edge]\nmatch = \"edge_names\"\n[[scenarios.edge.endpoint]]\nname = \"::*\"\nthresholds = [\"max < 0.001ms\"]\n[[scenarios.edge.endpoint]]\nname = \"*%0A*\"\nthresholds = [\"max < 0.001ms\"]\n").unwrap();
    let run = run_in_actions(
        &["fixtures/edge", "--config", config.to_str().unwrap()],
        env.path(),
        out.path(),
    );
    let commands: Vec<&str> = run.stdout.lines().filter(|l| l.starts_with("::")).collect();
    assert_eq!(commands.len(), 2, "{}", run.stdout);
    assert!(commands[0].starts_with("::error title=loadgate%3A edge_names%3A GET %3A%3Aerror file=x%3A%3Ainjected annotation::max "), "{}", commands[0]);
    assert!(
        commands[1].starts_with(
            "::error title=loadgate%3A edge_names%3A GET /api/literal%250Anewline::max "
        ),
        "{}",
        commands[1]
    );
    // The job summary keeps its tables.
    for line in run.step_summary.lines().filter(|l| l.starts_with("| ")) {
        assert!(!line.contains("<script"), "{line}");
    }
}

#[test]
fn no_github_turns_it_off_inside_actions() {
    let (env, out) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let run = run_in_actions(
        &["fixtures/demo", "--no-github", "--no-fail"],
        env.path(),
        out.path(),
    );
    assert_eq!(run.code, 0);
    assert!(run.outputs.is_empty());
    assert!(run.step_summary.is_empty());
    assert!(!run.stdout.lines().any(|l| l.starts_with("::")));
}

#[test]
fn regressions_are_annotated_and_counted_in_the_outputs() {
    let (env, out) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let run = run_in_actions(
        &[
            "fixtures/baseline/slow",
            "--baseline",
            "fixtures/baseline/base",
            "--config",
            "fixtures/baseline/loadgate.toml",
        ],
        env.path(),
        out.path(),
    );
    assert_eq!(run.code, 1);
    assert!(
        run.outputs.contains("\nregressions=12\n"),
        "{}",
        run.outputs
    );
    assert!(
        run.stdout
            .contains("::error title=loadgate%3A checkout_api%3A regression::median 11 ms → 51 ms"),
        "{}",
        run.stdout
    );
}

/// Run `check` in Actions with a config, from a folder of its own.
fn run_with_config(config: &str) -> (i32, String, String, String, String) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("c.toml"), config).unwrap();
    let output = loadgate()
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_STEP_SUMMARY", dir.path().join("summary.md"))
        .env("GITHUB_OUTPUT", dir.path().join("output"))
        .arg("check")
        .arg("fixtures/demo")
        .arg("--config")
        .arg(dir.path().join("c.toml"))
        .arg("--out")
        .arg(dir.path().join("out"))
        .output()
        .unwrap();
    (
        output.status.code().unwrap(),
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
        std::fs::read_to_string(dir.path().join("summary.md")).unwrap_or_default(),
        std::fs::read_to_string(dir.path().join("output")).unwrap_or_default(),
    )
}

#[test]
fn every_could_not_judge_path_still_tells_the_workflow() {
    for (config, reason) in [
        ("[defaults\nthresholds = []\n", "c.toml"),
        (
            "[defaults]\nthresholdz = [\"p99 < 1s\"]\n",
            "unknown field `thresholdz`",
        ),
        (
            "[defaults]\nthresholds = [\"p(95)<200\"]\n",
            "thresholds[0]",
        ),
    ] {
        let (code, stdout, stderr, summary, outputs) = run_with_config(config);
        assert_eq!(code, 2, "{config}: {stderr}");
        assert!(
            outputs.starts_with("status=error\nchecks-failed=0\nregressions=0\nreport-dir<<"),
            "{outputs}"
        );
        let errors: Vec<&str> = stdout
            .lines()
            .filter(|l| l.starts_with("::error"))
            .collect();
        assert_eq!(errors.len(), 1, "{stdout}");
        assert!(
            errors[0].starts_with("::error title=loadgate::could not judge: "),
            "{}",
            errors[0]
        );
        assert!(errors[0].contains(reason), "{} lacks {reason}", errors[0]);
        assert!(
            summary.contains("loadgate could not judge this run"),
            "{summary}"
        );
        assert!(summary.contains("c.toml"), "{summary}");
        assert!(stderr.contains("error:"), "{stderr}");
    }
}

#[cfg(unix)]
#[test]
fn an_unwritable_or_special_step_summary_warns_and_keeps_the_annotations() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("fifo");
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    for summary_file in [fifo.clone(), dir.path().join("no/such/folder/summary.md")] {
        let output = loadgate()
            .env("GITHUB_ACTIONS", "true")
            .env("GITHUB_STEP_SUMMARY", &summary_file)
            .env("GITHUB_OUTPUT", dir.path().join("output"))
            .arg("check")
            .arg("fixtures/demo")
            .arg("--out")
            .arg(dir.path().join("out"))
            .timeout(std::time::Duration::from_secs(20))
            .output()
            .unwrap();
        let stdout = String::from_utf8(output.stdout).unwrap();
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert_eq!(output.status.code(), Some(1), "{stderr}");
        assert!(stderr.contains("warning: $GITHUB_STEP_SUMMARY"), "{stderr}");
        assert!(
            stdout
                .lines()
                .any(|l| l.starts_with("::error title=loadgate")),
            "{stdout}"
        );
        let outputs = std::fs::read_to_string(dir.path().join("output")).unwrap();
        assert!(outputs.contains("status=failed"), "{outputs}");
        std::fs::remove_file(dir.path().join("output")).unwrap();
    }
}

#[test]
fn every_output_words_a_failed_window_check_the_same_way() {
    // The job summary appended "(broken for 28 s)" to a window's message,
    // which already says how long; every output now uses one rule.
    let (env, out) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let run = run_in_actions(
        &[
            "fixtures/history/stall_full",
            "--config",
            "fixtures/history/loadgate.toml",
            "--no-fail",
        ],
        env.path(),
        out.path(),
    );
    let window_line = |text: &str| -> String {
        text.lines()
            .find(|l| l.contains(" broke "))
            .unwrap_or_else(|| panic!("no window finding in {text}"))
            .to_string()
    };
    let summary = window_line(&run.step_summary);
    assert!(!summary.contains("(broken for"), "{summary}");
    let stdout = window_line(&run.stdout);
    assert!(!stdout.contains("(broken for"), "{stdout}");
    let junit = std::fs::read_to_string(out.path().join("junit.xml")).unwrap();
    assert!(!window_line(&junit).contains("(broken for"), "{junit}");
}
