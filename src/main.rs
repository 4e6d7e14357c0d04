//! The `ecsim` command line: parsing only; every subcommand lives in `ecsim::cli`.

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args = ecsim::cli::Cli::parse();
    match ecsim::cli::exec(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            eprintln!("{failure}");
            ExitCode::from(failure.exit_code())
        }
    }
}
