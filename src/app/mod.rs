//! The application: each command as a short sequence of named steps over
//! the library's layers (discover → ingest → evaluate → report), with the
//! command line and the environment resolved once into a [`plan::Plan`]
//! (ripgrep's HiArgs). Nothing below `app` reads `std::env` or prints.
//!
//! - [`run`] dispatches a parsed command line and returns the exit code:
//!   failing the gate is a value (1), an `Err` means loadgate could not
//!   judge (2, printed once by `main`).
//! - `check`, `compare`, `init`, `trend`: one file each.
//! - `record`: a run's record in its history (metadata, folder, file).
//! - `load`: reading runs and configs the way every command does.
//! - `github`: the files the Actions runner names, and the could-not-judge path.
//! - `streams`: the only writes to stdout and stderr.

pub mod check;
pub mod compare;
pub mod github;
pub mod init;
pub mod load;
pub mod plan;
pub mod record;
pub mod streams;
pub mod trend;

use std::process::ExitCode;

use clap::CommandFactory;

use crate::cli::{Cli, Command};
use crate::report::RunStatus;

/// What a run decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Outcome {
    pub status: RunStatus,
}

impl Outcome {
    /// The one exit-code rule: 0 passed, 1 the gate failed (0 with
    /// `--no-fail`), 2 could not judge.
    pub fn exit_code(self, no_fail: bool) -> u8 {
        match self.status {
            RunStatus::Passed => 0,
            RunStatus::Failed if no_fail => 0,
            RunStatus::Failed => 1,
            RunStatus::Error => 2,
        }
    }
}

/// Run a parsed command line. `Err` is "could not judge" (exit code 2):
/// `main` prints it once.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let env = plan::Env::read();
    match cli.command {
        Command::Check(args) => {
            // Resolved before the plan, which may fail: the workflow must
            // learn that there is no verdict, and why, whatever went wrong.
            let github = plan::GithubEnv::for_check(&args, &env);
            let result = plan::Plan::resolve(&args, &env)
                .and_then(|plan| Ok(check::run(&plan)?.exit_code(plan.no_fail)));
            match result {
                Ok(code) => Ok(ExitCode::from(code)),
                Err(e) => {
                    if let Some(gh) = &github {
                        github::report_error(gh, &args.out.to_string_lossy(), &e);
                    }
                    Err(e)
                }
            }
        }
        Command::Compare(args) => {
            let regressed = compare::run(&args)?;
            Ok(ExitCode::from(u8::from(regressed)))
        }
        Command::Trend(args) => {
            trend::run(&args, &env)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Init(args) => {
            init::run(&args)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Schema => {
            streams::out(crate::schema::config_schema_pretty().as_bytes())?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Completions { shell } => {
            let mut text = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "loadgate", &mut text);
            streams::out(&text)?;
            Ok(ExitCode::SUCCESS)
        }
    }
}
