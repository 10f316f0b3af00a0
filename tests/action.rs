//! The action's API calls (`scripts/action.py`) against a mock of the GitHub
//! REST API on 127.0.0.1 (`tests/mock_github.py`): the pull-request comment
//! is created, then updated in place (found on the second page of
//! comments), a 403 is a warning with exit 0; the release binary is
//! downloaded and checked against its SHA-256, a tampered one refused, a
//! missing release left to the build from source. action.yml's own scripts
//! run with bash: the release only at a version tag, comment.md added to
//! the formats. And action.yml's inputs are the ones README documents.
//!
//! Needs python3 (standard library only, as on GitHub's runners): without it
//! the tests say so and pass, except in CI, where they fail.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

use crate::util::{loadgate, root};

/// Whether python3 runs; in CI its absence is a failure.
fn python() -> bool {
    let found = Command::new("python3")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        assert!(
            std::env::var_os("CI").is_none(),
            "python3 is needed for the action tests in CI"
        );
        eprintln!("skipped: python3 is not on PATH");
    }
    found
}

/// The mock API, stopped when dropped.
struct Mock {
    child: Child,
    port: u16,
}

impl Mock {
    fn start(args: &[&str]) -> Mock {
        let mut child = Command::new("python3")
            .arg(root().join("tests/mock_github.py"))
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the mock starts");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let port = line
            .trim()
            .strip_prefix("port ")
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("the mock printed {line:?}"));
        Mock { child, port }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// A request to the mock's own endpoints; the response body.
    fn call(&self, method: &str, path: &str, body: &str) -> String {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        write!(
            stream,
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        )
        .unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).unwrap();
        response
            .split_once("\r\n\r\n")
            .map(|(_, b)| b.to_string())
            .unwrap_or_default()
    }

    fn state(&self) -> serde_json::Value {
        serde_json::from_str(&self.call("GET", "/_state", "")).unwrap()
    }

    fn seed(&self, number: u64, bodies: &[String]) {
        self.call(
            "POST",
            "/_seed",
            &serde_json::json!({ "number": number, "bodies": bodies }).to_string(),
        );
    }

    /// The comments of pull request `number` that start with `marker`.
    fn marked(&self, number: u64, marker: &str) -> Vec<serde_json::Value> {
        self.state()["comments"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["number"] == number && c["body"].as_str().unwrap().starts_with(marker))
            .cloned()
            .collect()
    }
}

impl Drop for Mock {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `python3 scripts/action.py ARGS` with the runner's variables pointing at the mock.
fn action(mock: &Mock, dir: &Path, args: &[&str], extra_env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new("python3");
    cmd.arg(root().join("scripts/action.py"))
        .args(args)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("GITHUB_API_URL", mock.url())
        .env("GITHUB_TOKEN", "t0ken")
        .env("GITHUB_REPOSITORY", "o/r")
        .env("GITHUB_EVENT_PATH", dir.join("event.json"))
        .env("GITHUB_OUTPUT", dir.join("output"));
    for (k, v) in extra_env {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

/// comment.md of the demo, written by the real binary with these arguments.
fn comment_md(dir: &Path, name: &str, extra: &[&str]) -> PathBuf {
    let out = dir.join(name);
    let output = loadgate()
        .env("SOURCE_DATE_EPOCH", "1769040000")
        .args([
            "check",
            "fixtures/demo",
            "--format",
            "comment",
            "--no-fail",
            "--out",
        ])
        .arg(&out)
        .args(extra)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    out.join("comment.md")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).unwrap()
}

#[test]
fn the_comment_is_created_then_updated_in_place_and_a_403_is_a_warning() {
    if !python() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    std::fs::write(dir.join("event.json"), r#"{"pull_request": {"number": 7}}"#).unwrap();
    let mock = Mock::start(&[]);
    let marker = "<!-- loadgate:loadgate -->";
    // 150 comments of people, one quoting the marker (not at its start).
    let people: Vec<String> = (0..150)
        .map(|i| match i {
            42 => format!("the bot wrote {marker} above"),
            _ => format!("comment {i}"),
        })
        .collect();
    mock.seed(7, &people);

    let first = comment_md(dir, "one", &[]);
    let run = action(
        &mock,
        dir,
        &[
            "comment",
            "--body",
            first.to_str().unwrap(),
            "--id",
            "loadgate",
        ],
        &[],
    );
    assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
    assert!(text(&run.stdout).contains("loadgate: created the pull-request comment https://github.example/o/r/pull/7#issuecomment-"), "{}", text(&run.stdout));
    let mine = mock.marked(7, marker);
    assert_eq!(mine.len(), 1);
    assert_eq!(
        mine[0]["body"].as_str().unwrap(),
        std::fs::read_to_string(&first).unwrap()
    );
    assert_eq!(mine[0]["user"], "github-actions[bot]");
    let id = mine[0]["id"].as_u64().unwrap();
    let output = std::fs::read_to_string(dir.join("output")).unwrap();
    assert_eq!(
        output,
        format!("comment-url=https://github.example/o/r/pull/7#issuecomment-{id}\n")
    );

    // More comments since: the bot's is on page 2 now. A new push, a new body.
    mock.seed(
        7,
        &(0..30).map(|i| format!("later {i}")).collect::<Vec<_>>(),
    );
    let second = comment_md(dir, "two", &["--report-url", "https://o.github.io/r/7/"]);
    let run = action(
        &mock,
        dir,
        &[
            "comment",
            "--body",
            second.to_str().unwrap(),
            "--id",
            "loadgate",
        ],
        &[],
    );
    assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
    assert!(
        text(&run.stdout).contains("loadgate: updated the pull-request comment"),
        "{}",
        text(&run.stdout)
    );
    let mine = mock.marked(7, marker);
    assert_eq!(mine.len(), 1, "updated in place, not a second comment");
    assert_eq!(mine[0]["id"].as_u64(), Some(id));
    assert!(
        mine[0]["body"]
            .as_str()
            .unwrap()
            .contains("[Full report](https://o.github.io/r/7/)")
    );
    let state = mock.state();
    let requests: Vec<String> = state["requests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            format!(
                "{} {}",
                r["method"].as_str().unwrap(),
                r["path"].as_str().unwrap()
            )
        })
        .collect();
    assert!(
        requests.contains(&"GET /repos/o/r/issues/7/comments?per_page=100&page=2".to_string()),
        "{requests:?}"
    );
    assert!(
        requests.contains(&format!("PATCH /repos/o/r/issues/comments/{id}")),
        "{requests:?}"
    );
    assert_eq!(
        requests
            .iter()
            .filter(|r| r.starts_with("POST /repos"))
            .count(),
        1
    );
    assert!(
        state["requests"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["path"].as_str().unwrap().starts_with("/_")
                || r["auth"] == "Bearer t0ken" && r["api_version"] == "2022-11-28")
    );

    // The same body again: nothing to write.
    let run = action(
        &mock,
        dir,
        &[
            "comment",
            "--body",
            second.to_str().unwrap(),
            "--id",
            "loadgate",
        ],
        &[],
    );
    assert!(
        text(&run.stdout).contains("loadgate: the comment is up to date"),
        "{}",
        text(&run.stdout)
    );
    let patches = |m: &Mock| {
        m.state()["requests"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["method"] == "PATCH")
            .count()
    };
    assert_eq!(patches(&mock), 1);

    // A fork's read-only token: 403 on the write is a warning, exit 0, the comment as it was.
    mock.call("POST", "/_config", r#"{"deny_writes": 403}"#);
    let run = action(
        &mock,
        dir,
        &[
            "comment",
            "--body",
            first.to_str().unwrap(),
            "--id",
            "loadgate",
        ],
        &[],
    );
    assert_eq!(run.status.code(), Some(0), "a comment never fails the job");
    let stdout = text(&run.stdout);
    assert!(
        stdout.starts_with("::warning title=loadgate::the pull-request comment was not updated: HTTP 403 (Resource not accessible by integration): the token may not write to this pull request. A pull request from a fork gets a read-only token"),
        "{stdout}"
    );
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    assert!(
        mock.marked(7, marker)[0]["body"]
            .as_str()
            .unwrap()
            .contains("[Full report](https://o.github.io/r/7/)")
    );
    // And on a pull request with no comment yet: not created, same warning.
    std::fs::write(dir.join("event.json"), r#"{"pull_request": {"number": 8}}"#).unwrap();
    let run = action(
        &mock,
        dir,
        &[
            "comment",
            "--body",
            first.to_str().unwrap(),
            "--id",
            "loadgate",
        ],
        &[],
    );
    assert_eq!(run.status.code(), Some(0));
    assert!(text(&run.stdout).starts_with(
        "::warning title=loadgate::the pull-request comment was not created: HTTP 403"
    ));
    assert!(mock.marked(8, marker).is_empty());
}

#[test]
fn a_comment_that_cannot_be_posted_is_a_warning_and_exit_0() {
    if !python() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let mock = Mock::start(&[]);
    let body = comment_md(dir, "one", &["--comment-id", "perf"]);
    let body = body.to_str().unwrap();
    std::fs::write(dir.join("event.json"), r#"{"pull_request": {"number": 7}}"#).unwrap();
    for (args, env, warning) in [
        (
            vec!["--id", "other"],
            vec![],
            "does not start with <!-- loadgate:other -->",
        ),
        (vec!["--id", "perf"], vec![("GITHUB_TOKEN", "")], "no token"),
        (
            vec!["--id", "perf"],
            vec![("GITHUB_TOKEN", "wrong")],
            "HTTP 401 (Bad credentials)",
        ),
    ] {
        let mut all = vec!["comment", "--body", body];
        all.extend(args);
        let run = action(&mock, dir, &all, &env);
        assert_eq!(run.status.code(), Some(0));
        let stdout = text(&run.stdout);
        assert!(stdout.starts_with("::warning title=loadgate::"), "{stdout}");
        assert!(stdout.contains(warning), "{warning}: {stdout}");
    }
    // An id that would end the marker is not used.
    let run = action(
        &mock,
        dir,
        &["comment", "--body", body, "--id", "x-->"],
        &[],
    );
    assert!(
        text(&run.stdout).contains("the comment id 'x-->' is not 1 to 64 letters"),
        "{}",
        text(&run.stdout)
    );
    assert!(mock.marked(7, "<!--").is_empty());

    // No comment.md (loadgate could not judge at all): the comment says so,
    // in place of an earlier push's result, with a warning.
    mock.seed(
        7,
        &["<!-- loadgate:perf -->\n## ✅ an earlier push passed\n".to_string()],
    );
    let run = action(
        &mock,
        dir,
        &["comment", "--body", "missing/comment.md", "--id", "perf"],
        &[
            ("GITHUB_SERVER_URL", "https://github.com"),
            ("GITHUB_RUN_ID", "9"),
        ],
    );
    assert_eq!(run.status.code(), Some(0));
    let stdout = text(&run.stdout);
    assert!(
        stdout.contains("loadgate: updated the pull-request comment"),
        "{stdout}"
    );
    assert!(
        stdout.contains("::warning title=loadgate::no comment.md to post (missing/comment.md: No such file or directory)"),
        "{stdout}"
    );
    let marked = mock.marked(7, "<!-- loadgate:perf -->");
    assert_eq!(marked.len(), 1);
    let note = marked[0]["body"].as_str().unwrap();
    assert!(
        note.starts_with("<!-- loadgate:perf -->\n## ⚠️ loadgate could not judge this run\n"),
        "{note}"
    );
    assert!(
        note.contains("[this workflow run](https://github.com/o/r/actions/runs/9)"),
        "{note}"
    );

    // Not a pull request: nothing to comment on.
    std::fs::write(dir.join("event.json"), r#"{"ref": "refs/heads/main"}"#).unwrap();
    let run = action(
        &mock,
        dir,
        &["comment", "--body", body, "--id", "perf"],
        &[],
    );
    assert!(text(&run.stdout).contains("this run is not for a pull request"));
}

/// RUNNER_OS, RUNNER_ARCH and the release target of this machine.
fn runner() -> Option<(&'static str, &'static str, &'static str)> {
    match (std::env::consts::OS, std::env::consts::ARCH) {
        ("linux", "x86_64") => Some(("Linux", "X64", "x86_64-unknown-linux-gnu")),
        ("linux", "aarch64") => Some(("Linux", "ARM64", "aarch64-unknown-linux-gnu")),
        ("macos", "x86_64") => Some(("macOS", "X64", "x86_64-apple-darwin")),
        ("macos", "aarch64") => Some(("macOS", "ARM64", "aarch64-apple-darwin")),
        _ => None,
    }
}

/// The mock with a release `tag` for `target`, packed as release.yml packs
/// it. Its binary is a stand-in that answers `--version` as loadgate does
/// (the real debug binary is a few hundred MB to pack and hash).
fn release_mock(dir: &Path, tag: &str, target: &str) -> Mock {
    let binary = dir.join("stand-in");
    std::fs::write(
        &binary,
        format!("#!/bin/sh\necho 'loadgate {}'\n", env!("CARGO_PKG_VERSION")),
    )
    .unwrap();
    Mock::start(&[
        "--release-binary",
        binary.to_str().unwrap(),
        "--tag",
        tag,
        "--target",
        target,
    ])
}

#[test]
fn the_release_binary_is_checked_against_its_sha256_before_it_is_used() {
    let Some((os, arch, target)) = runner() else {
        eprintln!("skipped: no release target for this machine");
        return;
    };
    if !python() {
        return;
    }
    let tag = format!("v{}", env!("CARGO_PKG_VERSION"));
    let dir = tempfile::tempdir().unwrap();
    let mock = release_mock(dir.path(), &tag, target);
    let install = |tag: &str, dest: &Path| {
        action(
            &mock,
            dir.path(),
            &[
                "install",
                "--repo",
                "o/r",
                "--tag",
                tag,
                "--dest",
                dest.to_str().unwrap(),
            ],
            &[("RUNNER_OS", os), ("RUNNER_ARCH", arch)],
        )
    };
    let dest = dir.path().join("bin");
    let run = install(&tag, &dest);
    let stdout = text(&run.stdout);
    assert_eq!(run.status.code(), Some(0), "{stdout}{}", text(&run.stderr));
    assert!(
        stdout.contains(&format!(
            "loadgate: installed loadgate {} ({target}) from the release {tag}, SHA-256 ",
            env!("CARGO_PKG_VERSION")
        )),
        "{stdout}"
    );
    let binary = dest.join("loadgate");
    // Unpacked executable, and what it says is what the release holds.
    let version = Command::new(&binary).arg("--version").output().unwrap();
    assert_eq!(
        text(&version.stdout),
        format!("loadgate {}\n", env!("CARGO_PKG_VERSION"))
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("output")).unwrap(),
        format!("binary={}\n", binary.display())
    );
    // The asset came from the storage host without the token (it answers 400 to one).
    let state = mock.state();
    let storage: Vec<&serde_json::Value> = state["requests"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["path"].as_str().unwrap().starts_with("/storage/"))
        .collect();
    assert_eq!(storage.len(), 2, "SHA256SUMS and the archive");
    assert!(
        storage
            .iter()
            .all(|r| r["auth"].is_null() && r["host"].as_str().unwrap().starts_with("localhost:"))
    );

    // A release with no such tag: exit 3, build from source.
    let run = install("v0.0.0-none", &dir.path().join("none"));
    assert_eq!(run.status.code(), Some(3));
    assert!(text(&run.stdout).starts_with(
        "::notice title=loadgate::no release v0.0.0-none in o/r; building loadgate from source"
    ));
    // A runner the release has no build for: exit 3 too.
    let run = action(
        &mock,
        dir.path(),
        &["install", "--repo", "o/r", "--tag", &tag, "--dest", "x"],
        &[("RUNNER_OS", "Linux"), ("RUNNER_ARCH", "ARM")],
    );
    assert_eq!(run.status.code(), Some(3));
    assert!(text(&run.stdout).contains("no release build for Linux ARM"));

    // A tampered archive: refused, exit 1, nothing installed.
    mock.call("POST", "/_config", r#"{"tamper": true}"#);
    let tampered = dir.path().join("tampered");
    let run = install(&tag, &tampered);
    assert_eq!(run.status.code(), Some(1));
    let stdout = text(&run.stdout);
    assert!(
        stdout.starts_with("::error title=loadgate::refusing the downloaded loadgate: "),
        "{stdout}"
    );
    assert!(stdout.contains(", but SHA256SUMS says "), "{stdout}");
    assert!(!tampered.join("loadgate").exists());
}

/// The names of a top-level mapping's keys (`inputs:`) in action.yml.
fn action_keys(yaml: &str, section: &str) -> Vec<String> {
    let mut keys = Vec::new();
    let mut inside = false;
    for line in yaml.lines() {
        if !line.starts_with(' ') && !line.is_empty() {
            inside = line == format!("{section}:");
            continue;
        }
        if inside
            && let Some(key) = line.strip_prefix("  ").and_then(|l| l.strip_suffix(':'))
            && !key.starts_with(' ')
        {
            keys.push(key.to_string());
        }
    }
    keys
}

#[test]
fn every_action_input_and_output_is_used_and_in_readme() {
    let yaml = std::fs::read_to_string(root().join("action.yml")).unwrap();
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let inputs = action_keys(&yaml, "inputs");
    assert!(inputs.len() >= 12, "{inputs:?}");
    for input in &inputs {
        assert!(
            yaml.contains(&format!("inputs.{input} "))
                || yaml.contains(&format!("inputs.{input}}}")),
            "input `{input}` is never used"
        );
        assert!(
            readme.contains(&format!("| `{input}` |")),
            "input `{input}` is not in README's table"
        );
    }
    for used in yaml.split("inputs.").skip(1) {
        let name: String = used
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
            .collect();
        assert!(inputs.contains(&name), "`inputs.{name}` is not declared");
    }
    for output in action_keys(&yaml, "outputs") {
        assert!(
            readme.contains(&format!("`{output}`")),
            "output `{output}` is not in README"
        );
    }
}

/// The `run:` script of action.yml's step named `name`.
fn step_script(name: &str) -> String {
    let yaml = std::fs::read_to_string(root().join("action.yml")).unwrap();
    let at = yaml
        .find(&format!("    - name: {name}\n"))
        .unwrap_or_else(|| panic!("no step `{name}`"));
    let step = &yaml[at..];
    let run = step.find("      run: |\n").expect("a run script") + "      run: |\n".len();
    step[run..]
        .lines()
        .take_while(|l| l.is_empty() || l.starts_with("        "))
        .map(|l| l.strip_prefix("        ").unwrap_or(l))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Run a step's script with bash and these variables; (exit code, stdout, $GITHUB_OUTPUT).
fn run_step(name: &str, dir: &Path, env: &[(&str, &str)]) -> (i32, String, String) {
    let output_file = dir.join("step-output");
    let _ = std::fs::remove_file(&output_file);
    let mut cmd = Command::new("bash");
    cmd.arg("-c")
        .arg(step_script(name))
        .current_dir(root())
        .env("GITHUB_OUTPUT", &output_file)
        .env("GITHUB_REPOSITORY", "o/r")
        .env_remove("GITHUB_ACTIONS");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        text(&out.stdout) + &text(&out.stderr),
        std::fs::read_to_string(&output_file).unwrap_or_default(),
    )
}

#[cfg(unix)]
#[test]
fn the_action_downloads_the_release_only_at_a_version_tag_and_adds_comment_to_the_formats() {
    let Some((os, arch, target)) = runner() else {
        eprintln!("skipped: no release target for this machine");
        return;
    };
    if !python() {
        return;
    }
    let tag = format!("v{}", env!("CARGO_PKG_VERSION"));
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let mock = release_mock(dir, &tag, target);
    // The action as the runner checks it out for `uses: o/loadgate@REF`.
    let actions = dir.join("_actions/o/loadgate");
    std::fs::create_dir_all(&actions).unwrap();
    let api = mock.url();
    let dest = dir.join("release");
    let download = |reference: &str, version: &str| {
        let path = actions.join(reference);
        if !path.exists() {
            std::os::unix::fs::symlink(root(), &path).unwrap();
        }
        let _ = std::fs::remove_dir_all(&dest);
        run_step(
            "Download loadgate",
            dir,
            &[
                ("GITHUB_ACTION_PATH", path.to_str().unwrap()),
                ("INPUT_VERSION", version),
                ("GITHUB_TOKEN", "t0ken"),
                ("GITHUB_API_URL", &api),
                ("RUNNER_OS", os),
                ("RUNNER_ARCH", arch),
                ("DEST", dest.to_str().unwrap()),
            ],
        )
    };
    // At a version tag: the release of the action's Cargo.toml version, from the action's repository.
    for reference in [tag.as_str(), "v0"] {
        let (code, log, output) = download(reference, "");
        assert_eq!(code, 0, "{reference}: {log}");
        assert!(
            log.contains(&format!("from the release {tag}")),
            "{reference}: {log}"
        );
        assert_eq!(
            output,
            format!("binary={}\n", dest.join("loadgate").display())
        );
    }
    // At a branch or a commit: built from source, nothing downloaded.
    for reference in ["main", "0123abc"] {
        let (code, log, output) = download(reference, "");
        assert_eq!(code, 0, "{log}");
        assert!(
            log.contains(&format!(
                "built from the action's source (used at {reference}, not a version tag)"
            )),
            "{log}"
        );
        assert_eq!(output, "");
    }
    let (code, log, output) = download("main", &tag);
    assert_eq!((code, output.starts_with("binary=")), (0, true), "{log}");
    let (code, log, output) = download(&tag, "source");
    assert_eq!((code, output.as_str()), (0, ""), "{log}");
    // No such release: the build step runs instead.
    let (code, log, output) = download("main", "v9.9.9");
    assert_eq!((code, output.as_str()), (0, ""), "{log}");
    assert!(log.contains("::notice title=loadgate::no release v9.9.9 in o/loadgate; building loadgate from source"), "{log}");
    let (code, log, _) = download("main", "latest");
    assert_eq!(code, 1, "{log}");
    // A tampered download fails the step.
    mock.call("POST", "/_config", r#"{"tamper": true}"#);
    let (code, log, _) = download(&tag, "");
    assert_eq!(code, 1, "{log}");
    assert!(
        log.contains("::error title=loadgate::refusing the downloaded loadgate"),
        "{log}"
    );

    // The run step: comment joins the default formats, or the user's own.
    let run = |args: &str, out: &Path| {
        run_step(
            "Run loadgate",
            dir,
            &[
                ("LOADGATE", env!("CARGO_BIN_EXE_loadgate")),
                ("INPUT_RESULTS", "fixtures/demo"),
                ("INPUT_CONFIG", ""),
                ("INPUT_BASELINE", ""),
                ("INPUT_OUT", out.to_str().unwrap()),
                ("INPUT_FAIL", "true"),
                ("INPUT_COMMENT", "true"),
                ("INPUT_COMMENT_ID", "perf"),
                ("INPUT_REPORT_URL", "https://o.github.io/r/"),
                ("INPUT_ARGS", args),
                (
                    "GITHUB_STEP_SUMMARY",
                    dir.join("summary.md").to_str().unwrap(),
                ),
            ],
        )
    };
    let files = |out: &Path| {
        let mut names: Vec<String> = std::fs::read_dir(out)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .filter(|n| !n.starts_with('.'))
            .collect();
        names.sort();
        names
    };
    let out = dir.join("out-default");
    let (code, log, output) = run("", &out);
    assert_eq!(code, 1, "the gate failed: {log}");
    assert!(output.contains("status=failed\n"), "{output}");
    assert_eq!(
        files(&out),
        [
            "charts",
            "comment.md",
            "junit.xml",
            "report.html",
            "report.md",
            "summary.json"
        ]
    );
    let comment = std::fs::read_to_string(out.join("comment.md")).unwrap();
    assert!(comment.starts_with("<!-- loadgate:perf -->\n"));
    assert!(comment.contains("[Full report](https://o.github.io/r/)"));
    let out = dir.join("out-own");
    let (code, log, _) = run("--format json --quiet", &out);
    assert_eq!(code, 1, "{log}");
    assert_eq!(files(&out), ["comment.md", "summary.json"]);
}
