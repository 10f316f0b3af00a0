//! Finding result sets: folders, single files, the output folder, duplicates.

use crate::util::{check, copy_dir, fixture};

#[test]
fn the_output_folder_inside_a_path_is_never_read() {
    let results = copy_dir(&fixture("demo"));
    let out = results.path().join("loadgate-report");
    std::fs::create_dir_all(&out).unwrap();
    // A stray result set inside the output folder must not become a scenario.
    std::fs::copy(
        fixture("demo/scenario1_concurrent_deployments_stats.csv"),
        out.join("stray_stats.csv"),
    )
    .unwrap();
    let run = check(&[results.path().to_str().unwrap()], &out);
    let summary = run.summary.unwrap();
    let names: Vec<&str> = summary["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert!(!names.contains(&"stray"), "{names:?}");
    assert_eq!(names.len(), 4);
}

#[test]
fn the_same_scenario_name_in_two_folders_is_an_error_naming_both() {
    let root = tempfile::tempdir().unwrap();
    for sub in ["monday", "tuesday"] {
        let dir = root.path().join(sub);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::copy(
            fixture("demo/scenario1_concurrent_deployments_stats.csv"),
            dir.join("s1_stats.csv"),
        )
        .unwrap();
    }
    let out = tempfile::tempdir().unwrap();
    let run = check(&[root.path().to_str().unwrap()], out.path());
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("monday/s1_stats.csv") && run.stderr.contains("tuesday/s1_stats.csv"),
        "{}",
        run.stderr
    );
    assert!(run.stdout.contains("ERROR"), "{}", run.stdout);
}

#[test]
fn a_folder_without_results_is_an_error() {
    let empty = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let run = check(&[empty.path().to_str().unwrap()], out.path());
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("no load-test results found"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_path_that_does_not_exist_is_an_error() {
    let out = tempfile::tempdir().unwrap();
    let run = check(&["fixtures/no-such-folder"], out.path());
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("fixtures/no-such-folder"),
        "{}",
        run.stderr
    );
}

#[test]
fn an_unwritable_output_is_an_error_before_any_work() {
    let blocker = tempfile::NamedTempFile::new().unwrap();
    // A regular file where the output folder should be.
    let run = check(&["fixtures/demo"], blocker.path());
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("is not a folder"), "{}", run.stderr);
    assert!(run.stdout.is_empty());
    assert_eq!(std::fs::read(blocker.path()).unwrap(), b"");
}

#[test]
fn a_single_stats_file_is_judged_with_its_siblings() {
    let out = tempfile::tempdir().unwrap();
    let run = check(
        &["fixtures/demo/scenario2_cab_approvals_stats.csv"],
        out.path(),
    );
    let summary = run.summary.unwrap();
    // The demo's loadgate.toml (found beside the file) lists the other
    // scenarios, which are then missing: only the named file's set is read.
    let read: Vec<&serde_json::Value> = summary["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["status"] != "missing")
        .collect();
    assert_eq!(read.len(), 1, "{}", run.stdout);
    let scenarios = read;
    assert!(
        !scenarios[0]["failures"].as_array().unwrap().is_empty(),
        "failures file read"
    );
    assert!(scenarios[0]["duration_s"].is_i64(), "history file read");
}

#[test]
fn a_hundred_result_sets_in_a_deep_tree_are_all_read() {
    let root = tempfile::tempdir().unwrap();
    for i in 0..100 {
        // Up to five folders deep.
        let mut dir = root.path().to_path_buf();
        for level in 0..(i % 6) {
            dir = dir.join(format!("level{level}"));
        }
        std::fs::create_dir_all(&dir).unwrap();
        for suffix in ["stats", "stats_history", "failures"] {
            std::fs::copy(
                fixture(&format!(
                    "demo/scenario1_concurrent_deployments_{suffix}.csv"
                )),
                dir.join(format!("run{i:03}_{suffix}.csv")),
            )
            .unwrap();
        }
    }
    let out = tempfile::tempdir().unwrap();
    let run = check(&[root.path().to_str().unwrap(), "--no-fail"], out.path());
    assert_eq!(run.code, 0, "{}", run.stderr);
    let summary = run.summary.unwrap();
    let scenarios = summary["scenarios"].as_array().unwrap();
    assert_eq!(scenarios.len(), 100);
    assert!(
        scenarios
            .iter()
            .all(|s| s["totals"]["requests"] == scenarios[0]["totals"]["requests"])
    );
    assert_eq!(summary["counts"]["scenarios_complete"], 100);
}

#[cfg(unix)]
#[test]
fn dangling_and_self_loop_symlinks_are_skipped_with_a_warning() {
    let results = copy_dir(&fixture("demo"));
    std::os::unix::fs::symlink("/no/such/target", results.path().join("dangling_stats.csv"))
        .unwrap();
    std::os::unix::fs::symlink("self", results.path().join("self")).unwrap();
    let out = tempfile::tempdir().unwrap();
    let run = check(&[results.path().to_str().unwrap(), "--no-fail"], out.path());
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("dangling_stats.csv: a symlink that leads nowhere"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("self: a symlink that leads nowhere"),
        "{}",
        run.stderr
    );
}

#[cfg(unix)]
#[test]
fn special_files_named_like_results_are_not_regular_files() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("pipe_stats.csv");
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    std::os::unix::fs::symlink("/dev/zero", dir.path().join("zero_stats.csv")).unwrap();
    let out = tempfile::tempdir().unwrap();
    let run = check(&[dir.path().to_str().unwrap()], out.path());
    assert_eq!(run.code, 2, "{}", run.stderr);
    for name in ["pipe_stats.csv", "zero_stats.csv"] {
        assert!(
            run.stderr.contains(&format!("{name}: not a regular file")),
            "{}",
            run.stderr
        );
    }
    assert!(
        !run.stderr.contains("a folder named like"),
        "{}",
        run.stderr
    );
    // As a PATH of its own, too, and without blocking on the FIFO.
    let run = check(&[fifo.to_str().unwrap()], out.path());
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("not a regular file or folder"),
        "{}",
        run.stderr
    );
}

#[cfg(unix)]
#[test]
fn a_config_that_is_not_a_regular_file_is_an_error_not_the_defaults() {
    let results = copy_dir(&fixture("demo"));
    std::fs::remove_file(results.path().join("loadgate.toml")).unwrap();
    std::fs::create_dir(results.path().join("loadgate.toml")).unwrap();
    let out = tempfile::tempdir().unwrap();
    let run = check(&[results.path().to_str().unwrap()], out.path());
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("loadgate.toml is not a regular file"),
        "{}",
        run.stderr
    );
    assert!(!out.path().join("summary.json").exists());
}

#[test]
fn a_tree_two_thousand_folders_deep_is_walked_in_linear_time() {
    let root = tempfile::tempdir().unwrap();
    let mut deep = root.path().to_path_buf();
    for _ in 0..2000 {
        deep.push("d");
    }
    std::fs::create_dir_all(&deep).unwrap();
    std::fs::copy(
        fixture("demo/scenario1_concurrent_deployments_stats.csv"),
        deep.join("deep_stats.csv"),
    )
    .unwrap();
    // A loop at the bottom is still found.
    #[cfg(unix)]
    std::os::unix::fs::symlink(root.path(), deep.join("up")).unwrap();
    let found =
        loadgate::discover::discover(&[root.path().to_path_buf()], Some(&root.path().join("out")));
    assert_eq!(found.sets.len(), 1, "{:?}", found.errors);
    assert_eq!(found.sets[0].name, "deep");
    #[cfg(unix)]
    assert!(
        found.warnings.iter().any(|w| w.contains("symlink loop")),
        "{:?}",
        found.warnings
    );
}

#[test]
fn two_files_for_one_scenario_s_results_are_an_error_naming_both() {
    // `a.jtl` by name and `a.csv` by its JTL header are both scenario `a`.
    let dir = tempfile::tempdir().unwrap();
    for name in ["a.jtl", "a.csv"] {
        std::fs::copy(
            crate::util::fixture("jmeter/checkout.jtl"),
            dir.path().join(name),
        )
        .unwrap();
    }
    let out = tempfile::tempdir().unwrap();
    let run = crate::util::check(&[dir.path().to_str().unwrap(), "--no-fail"], out.path());
    assert_eq!(run.code, 2, "{}", run.stderr);
    let line = run
        .stderr
        .lines()
        .find(|l| l.contains("are both scenario `a`'s results file"))
        .unwrap_or_else(|| panic!("{}", run.stderr));
    assert!(line.contains("a.jtl") && line.contains("a.csv"), "{line}");
    // The scenario itself is still read and reported.
    let summary = run.summary.unwrap();
    assert_eq!(
        crate::util::scenario(&summary, "a")["totals"]["requests"],
        802
    );
}
