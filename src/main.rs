//! The `loadgate` binary: parse the command line, run, map the outcome to an exit code.

use std::process::ExitCode;

use clap::{CommandFactory, Parser};
use loadgate::cli::{Cli, Command};

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Check(args) => match loadgate::check(&args) {
            Ok(outcome) => ExitCode::from(outcome.exit_code(args.no_fail)),
            Err(e) => {
                loadgate::report_github_error(&args, &e);
                eprintln!(
                    "{}",
                    loadgate::format::guard_lines(&format!("error: {e:#}"))
                );
                ExitCode::from(2)
            }
        },
        Command::Init(args) => match loadgate::init(&args) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!(
                    "{}",
                    loadgate::format::guard_lines(&format!("error: {e:#}"))
                );
                ExitCode::from(2)
            }
        },
        Command::Schema => {
            print!("{}", loadgate::schema::config_schema_pretty());
            ExitCode::SUCCESS
        }
        Command::Completions { shell } => {
            clap_complete::generate(
                shell,
                &mut Cli::command(),
                "loadgate",
                &mut std::io::stdout(),
            );
            ExitCode::SUCCESS
        }
        Command::Compare(args) => match loadgate::compare(&args) {
            Ok(regressed) => ExitCode::from(u8::from(regressed)),
            Err(e) => {
                eprintln!(
                    "{}",
                    loadgate::format::guard_lines(&format!("error: {e:#}"))
                );
                ExitCode::from(2)
            }
        },
    }
}
