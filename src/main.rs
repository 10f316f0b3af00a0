//! The `loadgate` binary: parse the command line, run it, print an error
//! once, exit with the code `app::run` decided.

use std::process::ExitCode;

use clap::Parser;
use loadgate::cli::Cli;

fn main() -> ExitCode {
    match loadgate::app::run(Cli::parse()) {
        Ok(code) => code,
        Err(e) => {
            loadgate::app::streams::err_line(&format!("error: {e:#}"));
            ExitCode::from(2)
        }
    }
}
