//! The malformed-input corpus: every case in `fixtures/broken/corpus/MANIFEST.tsv`
//! (built by `fixtures/gen/make_corpus.py`) gives its expected exit code, a
//! message naming the file (and the line, where the format has one), and no
//! panic.
//!
//! Cases named `@…` in the manifest need a file system state that git does not
//! hold well (chmod 000, a dangling symlink, a folder named like a CSV, a file
//! name that is not UTF-8); [`build_special`] makes them in a temp folder.
//!
//! [`KNOWN_BAD`] lists the cases where loadgate does not (yet) do what the
//! manifest says. They are reported, not failed, by the main test; the ignored
//! test `known_bad_cases_behave_as_the_manifest_says` fails on each of them,
//! so a fix can be checked with
//! `cargo test --test integration -- --ignored corpus::known_bad` and the case
//! then removed from the list.

use std::path::{Path, PathBuf};

use crate::util::{check, fixture, root};

/// Cases whose behaviour is wrong today; the manifest holds what is right.
/// Empty: every case found so far was fixed (CR-only line numbers, 1970/2200
/// and extreme timestamps, overflowing targets and durations, an escape before
/// a wide space, a folder named like a result file, a non-UTF-8 file name).
const KNOWN_BAD: &[&str] = &[];

/// The stats file of the demo scenario the special cases are built from.
const S1_STATS: &str = "demo/scenario1_concurrent_deployments_stats.csv";

/// A config the demo scenario passes, so that a special case's exit code is
/// about the broken file alone (and no `loadgate.toml` from the current folder is used).
const PASSING_CONFIG: &str =
    "[defaults]\nthresholds = [\"median < 200ms\", \"success_rate >= 98%\"]\n";

/// One row of MANIFEST.tsv.
#[derive(Debug)]
struct Case {
    name: String,
    exit: i32,
    /// The file stderr must name, relative to the case folder.
    file: Option<String>,
    /// The line that must follow the file name.
    line: Option<u64>,
    /// A substring of stderr, or of stdout when written `stdout:…`.
    expect: String,
}

fn corpus() -> PathBuf {
    fixture("broken/corpus")
}

fn manifest() -> Vec<Case> {
    let text = std::fs::read_to_string(corpus().join("MANIFEST.tsv")).expect("MANIFEST.tsv");
    let dash = |s: &str| (s != "-").then(|| s.to_string());
    text.lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            assert_eq!(f.len(), 6, "six tab-separated fields: {l:?}");
            Case {
                name: f[0].to_string(),
                exit: f[1].parse().expect("exit code"),
                file: dash(f[2]),
                line: dash(f[3]).map(|n| n.parse().expect("line number")),
                expect: f[4].to_string(),
            }
        })
        .collect()
}

/// A case folder to point loadgate at: the committed one, or a temp folder
/// built for an `@` case (`None` when this platform cannot build it).
enum CaseDir {
    Committed(String),
    Temp(tempfile::TempDir),
}

impl CaseDir {
    /// The PATH argument, as loadgate will print it.
    fn arg(&self) -> String {
        match self {
            CaseDir::Committed(rel) => rel.clone(),
            CaseDir::Temp(dir) => dir.path().display().to_string(),
        }
    }
}

/// A temp folder holding the demo scenario's stats file and a passing config.
fn good_set() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::copy(
        fixture(S1_STATS),
        dir.path()
            .join("scenario1_concurrent_deployments_stats.csv"),
    )
    .expect("copy stats");
    std::fs::write(dir.path().join("loadgate.toml"), PASSING_CONFIG).expect("write config");
    dir
}

/// Build an `@` case. `Err` says why it cannot be checked here.
fn build_special(name: &str) -> Result<tempfile::TempDir, String> {
    let dir = good_set();
    let p = dir.path();
    match name {
        "@stats_is_a_folder" => {
            std::fs::create_dir(p.join("x_stats.csv")).expect("mkdir");
        }
        "@stats_unreadable" => {
            let stats = p.join("scenario1_concurrent_deployments_stats.csv");
            set_mode(&stats, 0o000)?;
            // Tests often run as root (CI does), and root reads a chmod 000
            // file anyway: then there is nothing to check.
            if std::fs::read(&stats).is_ok() {
                return Err("chmod 000 does not stop reads here (running as root?)".into());
            }
        }
        "@stats_dangling_symlink" => symlink(
            Path::new("/nonexistent/loadgate/nowhere"),
            &p.join("x_stats.csv"),
        )?,
        "@stats_fifo" => {
            let status = std::process::Command::new("mkfifo")
                .arg(p.join("x_stats.csv"))
                .status()
                .map_err(|e| format!("mkfifo: {e}"))?;
            if !status.success() {
                return Err("mkfifo failed".into());
            }
        }
        "@stats_dev_zero_symlink" => symlink(Path::new("/dev/zero"), &p.join("x_stats.csv"))?,
        "@stats_sparse_2g_nul" => {
            let file = std::fs::File::create(p.join("x_stats.csv")).expect("create");
            file.set_len(2 << 30)
                .map_err(|e| format!("no sparse 2 GiB file here: {e}"))?;
        }
        "@stats_over_long_line" => {
            use std::io::Write;
            let header = std::fs::read_to_string(fixture(S1_STATS)).expect("stats");
            let mut file = std::fs::File::create(p.join("x_stats.csv")).expect("create");
            file.write_all(header.lines().next().unwrap_or_default().as_bytes())
                .expect("write");
            file.write_all(b"\n").expect("write");
            let junk = vec![b'A'; 1 << 20];
            for _ in 0..64 {
                file.write_all(&junk).expect("write");
            }
        }
        "@exceptions_unclosed_quote" => {
            use std::io::Write;
            std::fs::copy(fixture(S1_STATS), p.join("x_stats.csv")).expect("copy");
            let mut file = std::fs::File::create(p.join("x_exceptions.csv")).expect("create");
            file.write_all(
                b"Count,Message,Traceback,Nodes\n1,boom,\"Traceback (most recent call last):\n",
            )
            .expect("write");
            let line = b"  at task (locustfile.py, line 12)\n".repeat(1 << 14);
            while file.metadata().expect("size").len() < 20 << 20 {
                file.write_all(&line).expect("write");
            }
        }
        "@scenario_name_newline_command" => {
            std::fs::copy(
                fixture(S1_STATS),
                p.join("a\n::error::x @octocat_stats.csv"),
            )
            .map_err(|e| format!("the file system refuses a newline in a name: {e}"))?;
        }
        "@stats_non_utf8_file_name" => {
            let name = non_utf8_name(b"caf\xe9_stats.csv")?;
            std::fs::copy(fixture(S1_STATS), p.join(name))
                .map_err(|e| format!("the file system refuses a non-UTF-8 name: {e}"))?;
        }
        other => panic!("no setup for special case {other}"),
    }
    Ok(dir)
}

#[cfg(unix)]
fn set_mode(path: &Path, mode: u32) -> Result<(), String> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).map_err(|e| e.to_string())
}

#[cfg(not(unix))]
fn set_mode(_: &Path, _: u32) -> Result<(), String> {
    Err("no Unix permissions on this platform".into())
}

#[cfg(unix)]
fn symlink(target: &Path, link: &Path) -> Result<(), String> {
    std::os::unix::fs::symlink(target, link).map_err(|e| e.to_string())
}

#[cfg(not(unix))]
fn symlink(_: &Path, _: &Path) -> Result<(), String> {
    Err("symlinks need privileges on this platform".into())
}

#[cfg(unix)]
fn non_utf8_name(bytes: &[u8]) -> Result<std::ffi::OsString, String> {
    use std::os::unix::ffi::OsStrExt;
    Ok(std::ffi::OsStr::from_bytes(bytes).to_os_string())
}

#[cfg(not(unix))]
fn non_utf8_name(_: &[u8]) -> Result<std::ffi::OsString, String> {
    Err("file names are UTF-16 on this platform".into())
}

/// Every regular file under `dir` (not following links), with its length
/// and a hash of its bytes; a FIFO or device is listed by name only.
fn fingerprint(dir: &Path) -> Vec<(PathBuf, u64, u64)> {
    use std::hash::{Hash, Hasher};
    let mut out = Vec::new();
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let Ok(entry) = entry else { continue };
        let path = entry.path().to_path_buf();
        if !entry.file_type().is_file() {
            out.push((path, 0, 0));
            continue;
        }
        let len = entry.metadata().map_or(0, |m| m.len());
        // The 2 GiB sparse case is hashed by its first MiB only.
        let bytes = std::fs::File::open(&path)
            .ok()
            .map(|f| {
                use std::io::Read;
                let mut buf = Vec::new();
                let _ = f.take(1 << 20).read_to_end(&mut buf);
                buf
            })
            .unwrap_or_default();
        let mut h = std::collections::hash_map::DefaultHasher::new();
        bytes.hash(&mut h);
        out.push((path, len, h.finish()));
    }
    out
}

/// Run one case; `Ok(problems)` lists every way it differs from the
/// manifest, `Err` says why it was skipped.
fn run_case(case: &Case) -> Result<Vec<String>, String> {
    let dir = match case.name.strip_prefix('@') {
        Some(_) => CaseDir::Temp(build_special(&case.name)?),
        None => CaseDir::Committed(format!("fixtures/broken/corpus/{}", case.name)),
    };
    if let CaseDir::Committed(rel) = &dir {
        assert!(
            root().join(rel).is_dir(),
            "{}: folder {rel} exists",
            case.name
        );
    }
    let out = tempfile::tempdir().expect("temp dir");
    let case_dir = root().join(dir.arg());
    let before = fingerprint(&case_dir);
    let run = check(&[&dir.arg()], out.path());
    let mut problems = Vec::new();
    // Input files are never modified, whatever the input.
    if fingerprint(&case_dir) != before {
        problems.push("an input file was modified".to_string());
    }
    if run.stderr.contains("panicked") {
        problems.push("loadgate panicked".to_string());
    }
    if run.code != case.exit {
        problems.push(format!("exit code {}, expected {}", run.code, case.exit));
    }
    let (stream, text, wanted) = match case.expect.strip_prefix("stdout:") {
        Some(w) => ("stdout", &run.stdout, w),
        None => ("stderr", &run.stderr, case.expect.as_str()),
    };
    if !text.contains(wanted) {
        problems.push(format!("{stream} lacks {wanted:?}"));
    }
    if let Some(file) = &case.file {
        // `<dir>/<file>:<line>:` for a located error, `<dir>/<file>` otherwise.
        let mut at = format!("{}/{file}", dir.arg());
        if let Some(line) = case.line {
            at.push_str(&format!(":{line}:"));
        }
        if !run.stderr.contains(&at) {
            problems.push(format!("stderr does not name {at:?}"));
        }
    }
    if case.exit == 2 && !run.stderr.contains("error:") {
        problems.push("exit 2 without an `error:` line".to_string());
    }
    // Whatever the input, no line is a workflow command or holds a raw control character.
    for line in run.stdout.lines().chain(run.stderr.lines()) {
        if line.trim_start().starts_with("::") || line.chars().any(loadgate::format::is_unsafe_char)
        {
            problems.push(format!("an unguarded output line: {line:?}"));
        }
    }
    if !problems.is_empty() {
        problems.push(format!(
            "stdout:\n{}\nstderr:\n{}",
            run.stdout.trim_end(),
            run.stderr.trim_end()
        ));
    }
    Ok(problems)
}

#[test]
fn the_manifest_covers_every_corpus_folder_and_the_known_bad_list() {
    let cases = manifest();
    assert!(
        cases.len() >= 30,
        "at least 30 cases, found {}",
        cases.len()
    );
    let names: Vec<&str> = cases.iter().map(|c| c.name.as_str()).collect();
    let mut folders: Vec<String> = std::fs::read_dir(corpus())
        .expect("corpus folder")
        .map(|e| e.expect("entry"))
        .filter(|e| e.file_type().expect("type").is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    folders.sort();
    for folder in &folders {
        assert!(
            names.contains(&folder.as_str()),
            "{folder} has no manifest row"
        );
    }
    for case in &cases {
        if !case.name.starts_with('@') {
            assert!(
                folders.contains(&case.name),
                "{}: no folder (rerun make_corpus.py)",
                case.name
            );
        }
        assert!(
            case.exit != 2 || case.file.is_some(),
            "{}: an error must name a file",
            case.name
        );
    }
    for bad in KNOWN_BAD {
        assert!(names.contains(bad), "KNOWN_BAD {bad} is in the manifest");
    }
}

#[test]
fn every_corpus_case_exits_as_expected_and_names_its_file_and_line() {
    let mut failures = Vec::new();
    for case in manifest() {
        let known_bad = KNOWN_BAD.contains(&case.name.as_str());
        match run_case(&case) {
            Err(why) => eprintln!("corpus: skipped {}: {why}", case.name),
            Ok(problems) if problems.is_empty() && known_bad => eprintln!(
                "corpus: {} now behaves as the manifest says: remove it from KNOWN_BAD",
                case.name
            ),
            Ok(problems) if problems.is_empty() => {}
            Ok(problems) if known_bad => eprintln!(
                "corpus: known bad {}: {}",
                case.name,
                problems[..problems.len() - 1].join("; ")
            ),
            Ok(problems) => failures.push(format!("{}: {}", case.name, problems.join("\n"))),
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n\n"));
}

/// The known-bad cases, strictly (none at the moment).
#[test]
fn known_bad_cases_behave_as_the_manifest_says() {
    let mut failures = Vec::new();
    for case in manifest() {
        if !KNOWN_BAD.contains(&case.name.as_str()) {
            continue;
        }
        match run_case(&case) {
            Err(why) => eprintln!("corpus: skipped {}: {why}", case.name),
            Ok(problems) if problems.is_empty() => {}
            Ok(problems) => failures.push(format!("{}: {}", case.name, problems.join("\n"))),
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n\n"));
}
