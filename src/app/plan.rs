//! The command line and the environment, resolved once (ripgrep's HiArgs):
//! [`Env`] reads every variable loadgate looks at, [`Plan`] is what `check`
//! will do. Everything below takes these values; nothing reads `std::env`.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

use crate::cli::CheckArgs;
use crate::report::Format;
use crate::report::github::comment::{CommentId, CommentOptions, ReportUrl};
use crate::report::terminal::Verbosity;

/// The environment, read once.
#[derive(Debug, Clone, Default)]
pub struct Env {
    /// `CI` is set (any CI system): no progress bar.
    pub ci: bool,
    /// `GITHUB_ACTIONS=true`.
    pub github_actions: bool,
    /// `$GITHUB_STEP_SUMMARY`, `$GITHUB_OUTPUT` (non-empty).
    pub step_summary: Option<PathBuf>,
    pub output: Option<PathBuf>,
    /// The link to this workflow run, from `GITHUB_SERVER_URL`,
    /// `GITHUB_REPOSITORY` and `GITHUB_RUN_ID`.
    pub run_url: Option<String>,
    /// `SOURCE_DATE_EPOCH`, as written.
    pub source_date_epoch: Option<String>,
    /// `CI_PROJECT_DIR` (GitLab CI): the checkout that Code Quality paths
    /// are relative to.
    pub ci_project_dir: Option<PathBuf>,
    /// The revision and run Actions names, for a run record.
    pub revision: CiRevision,
    /// Whether stderr is a terminal (for the progress bar).
    pub stderr_is_terminal: bool,
}

impl Env {
    pub fn read() -> Env {
        use std::io::IsTerminal;
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        let path = |name: &str| {
            std::env::var_os(name)
                .filter(|p| !p.is_empty())
                .map(PathBuf::from)
        };
        Env {
            ci: std::env::var_os("CI").is_some(),
            github_actions: var("GITHUB_ACTIONS").is_some_and(|v| v == "true"),
            step_summary: path("GITHUB_STEP_SUMMARY"),
            output: path("GITHUB_OUTPUT"),
            run_url: match (
                var("GITHUB_SERVER_URL"),
                var("GITHUB_REPOSITORY"),
                var("GITHUB_RUN_ID"),
            ) {
                (Some(server), Some(repo), Some(run)) => {
                    Some(format!("{server}/{repo}/actions/runs/{run}"))
                }
                _ => None,
            },
            source_date_epoch: std::env::var("SOURCE_DATE_EPOCH").ok(),
            ci_project_dir: path("CI_PROJECT_DIR"),
            revision: CiRevision {
                sha: var("GITHUB_SHA"),
                ref_name: var("GITHUB_REF_NAME"),
                run_id: var("GITHUB_RUN_ID"),
                run_attempt: var("GITHUB_RUN_ATTEMPT"),
                repository: var("GITHUB_REPOSITORY"),
            },
            stderr_is_terminal: std::io::stderr().is_terminal(),
        }
    }
}

/// What GitHub Actions says about the revision and the run (each non-empty).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CiRevision {
    /// `GITHUB_SHA`.
    pub sha: Option<String>,
    /// `GITHUB_REF_NAME`: the branch (or `123/merge` for a pull request).
    pub ref_name: Option<String>,
    /// `GITHUB_RUN_ID`, `GITHUB_RUN_ATTEMPT`.
    pub run_id: Option<String>,
    pub run_attempt: Option<String>,
    /// `GITHUB_REPOSITORY` (`owner/name`).
    pub repository: Option<String>,
}

/// GitHub Actions mode: the runner's files and the run's link.
#[derive(Debug, Clone, Default)]
pub struct GithubEnv {
    pub step_summary: Option<PathBuf>,
    pub output: Option<PathBuf>,
    pub run_url: Option<String>,
}

impl GithubEnv {
    /// `--github`, or inside GitHub Actions unless `--no-github`.
    pub fn for_check(args: &CheckArgs, env: &Env) -> Option<GithubEnv> {
        (!args.no_github && (args.github || env.github_actions)).then(|| GithubEnv {
            step_summary: env.step_summary.clone(),
            output: env.output.clone(),
            run_url: env.run_url.clone(),
        })
    }
}

/// Where the outputs go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Dest {
    /// `--out -`: the one format on stdout.
    Stdout,
    Folder(PathBuf),
}

/// What `check` will do.
#[derive(Debug, Clone)]
pub struct Plan {
    pub paths: Vec<PathBuf>,
    pub config: Option<PathBuf>,
    pub templates: Option<PathBuf>,
    pub baseline: Option<PathBuf>,
    /// `--history DIR`: record this run there.
    pub history: Option<PathBuf>,
    /// `--label`.
    pub label: Option<String>,
    /// The CI's revision, for the run's record and its branch.
    pub revision: CiRevision,
    /// `--dump-context FILE`: the templates' context as JSON.
    pub dump_context: Option<PathBuf>,
    pub dest: Dest,
    /// Deduplicated, in a fixed order.
    pub formats: Vec<Format>,
    pub verbosity: Verbosity,
    pub no_fail: bool,
    pub github: Option<GithubEnv>,
    /// The report timestamp (RFC 3339): `SOURCE_DATE_EPOCH`, else now.
    pub generated_at: String,
    /// Whether `SOURCE_DATE_EPOCH` pins it (then a run record takes its
    /// time from it too, else the clock's to the microsecond).
    pub time_pinned: bool,
    /// A progress bar may be shown: a terminal, not CI, not `--quiet`.
    pub progress: bool,
    /// comment.md's marker and links.
    pub comment: CommentOptions,
    /// Where GitLab Code Quality paths are relative to (`CI_PROJECT_DIR`).
    pub project_dir: Option<PathBuf>,
}

impl Plan {
    pub fn resolve(args: &CheckArgs, env: &Env) -> anyhow::Result<Plan> {
        let dest = match args.out.as_path() == Path::new("-") {
            true => Dest::Stdout,
            false => Dest::Folder(args.out.clone()),
        };
        let verbosity = match args.quiet {
            true => Verbosity::Quiet,
            false => Verbosity::Normal,
        };
        let github = GithubEnv::for_check(args, env);
        let comment = CommentOptions {
            id: CommentId::parse(&args.comment_id).map_err(anyhow::Error::msg)?,
            report_url: match &args.report_url {
                Some(url) => Some(ReportUrl::parse(url).map_err(anyhow::Error::msg)?),
                None => None,
            },
            // The run's page lists its artifacts; only in GitHub mode, so that
            // comment.md does not change with a stray variable elsewhere.
            run_url: github
                .as_ref()
                .and_then(|gh| gh.run_url.as_deref())
                .and_then(|url| ReportUrl::parse(url).ok()),
        };
        Ok(Plan {
            paths: args.paths.clone(),
            config: args.config.clone(),
            templates: args.templates.clone(),
            baseline: args.baseline.clone(),
            history: args.history.clone(),
            label: args.label.clone(),
            revision: env.revision.clone(),
            dump_context: args.dump_context.clone(),
            formats: selected_formats(args, dest == Dest::Stdout)?,
            dest,
            verbosity,
            no_fail: args.no_fail,
            github,
            generated_at: generated_at(env.source_date_epoch.as_deref())?,
            time_pinned: env.source_date_epoch.is_some(),
            progress: verbosity == Verbosity::Normal && !env.ci && env.stderr_is_terminal,
            comment,
            project_dir: env.ci_project_dir.clone(),
        })
    }

    /// The output folder, if the outputs go to one.
    pub fn out_dir(&self) -> Option<&Path> {
        match &self.dest {
            Dest::Folder(p) => Some(p),
            Dest::Stdout => None,
        }
    }
}

/// `--format`, deduplicated and in a fixed order; md, html, json and junit
/// by default, md for `--out -`.
fn selected_formats(args: &CheckArgs, to_stdout: bool) -> anyhow::Result<Vec<Format>> {
    let mut formats: Vec<Format> = args.format.iter().map(|&f| f.into()).collect();
    formats.sort();
    formats.dedup();
    if formats.is_empty() {
        formats = if to_stdout {
            vec![Format::Md]
        } else {
            Format::DEFAULT.to_vec()
        };
    }
    if to_stdout && formats.len() > 1 {
        bail!("--out - writes one format to stdout; choose one, e.g. `--format md --out -`");
    }
    Ok(formats)
}

/// The report timestamp: `SOURCE_DATE_EPOCH` when set, else now, in RFC 3339.
pub(super) fn generated_at(source_date_epoch: Option<&str>) -> anyhow::Result<String> {
    let secs = match source_date_epoch {
        Some(v) => v
            .trim()
            .parse::<i64>()
            .ok()
            .filter(|s| *s >= 0)
            .with_context(|| {
                format!("SOURCE_DATE_EPOCH must be a Unix time in whole seconds, found `{v}`")
            })?,
        None => time::OffsetDateTime::now_utc().unix_timestamp(),
    };
    crate::format::rfc3339(secs).context("SOURCE_DATE_EPOCH is out of range")
}
