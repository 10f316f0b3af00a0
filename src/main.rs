//! The `loadgate` binary: parse the command line, run, map the outcome to an exit code.

use std::process::ExitCode;

use clap::Parser;
use loadgate::cli::{Cli, Command};

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Check(args) => match loadgate::check(&args) {
            Ok(outcome) => ExitCode::from(outcome.exit_code(args.no_fail)),
            Err(e) => {
                eprintln!("error: {e:#}");
                ExitCode::from(2)
            }
        },
        Command::Compare(args) => match loadgate::compare(&args) {
            Ok(regressed) => ExitCode::from(u8::from(regressed)),
            Err(e) => {
                eprintln!("error: {e:#}");
                ExitCode::from(2)
            }
        },
    }
}
