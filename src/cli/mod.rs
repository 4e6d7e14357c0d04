//! Subcommands, one file each with the same shape: `Args` and `exec`.
//!
//! Exit codes: 0 success; 1 the input is invalid (scenario, sweep or results
//! directory, a `--set` or `--fail-if`, an output directory ecsim will not
//! replace); 2 the command line is wrong (clap); 3 the run failed (I/O, an
//! invariant, another ecsim writing the same output directory); 4 a
//! `--fail-if` condition of `ecsim diff` holds; 130 interrupted by Ctrl-C
//! (SIGINT) or SIGTERM. In every case but 0 the previous results are left as
//! they were (see `report::commit`).

pub mod calibrate;
pub mod catalog;
pub mod chart;
pub mod diff;
pub mod import;
pub mod limits;
pub mod optimize;
pub mod overrides;
pub mod run;
pub mod sweep;
pub mod sweep_merge;
pub mod sweep_shard;
pub mod validate;

use crate::model::RunError;
use crate::report::{CommitError, Staged};
use clap::{Parser, Subcommand};
use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

#[derive(Parser, Debug)]
#[command(name = "ecsim", version, about = "Discrete-event simulator of Amazon ECS scheduling and auto scaling")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Simulate a scenario and write summary.json, timeseries.csv and events.csv.
    Run(run::Args),
    /// Check scenario or sweep files and report every problem.
    Validate(validate::Args),
    /// Run a parameter sweep in parallel and write runs.csv and summary.csv.
    Sweep(sweep::Args),
    /// Find the cheapest configuration meeting constraints (racing, not the whole grid).
    Optimize(optimize::Args),
    /// Draw charts (PNG, SVG) and report.html for a run or sweep results directory.
    Chart(chart::Args),
    /// Print the built-in EC2 instance and Fargate catalog.
    Catalog(catalog::Args),
    /// Fit each service's cpu_per_request and baseline CPU to observed minutes; write a calibrated scenario.
    Calibrate(calibrate::Args),
    /// Write a scenario from an export of a real cluster (`import aws DIR`).
    Import(import::Args),
    /// Compare two run directories: every figure that differs, and --fail-if gates (exit 4).
    Diff(diff::Args),
}

/// Why a command failed, and the exit code that says so.
#[derive(Debug)]
pub enum Failure {
    /// The input is invalid (exit 1).
    Input(String),
    /// The run could not complete (exit 3).
    Run(String),
    /// Ctrl-C (exit 130).
    Interrupted(String),
    /// A `--fail-if` condition holds (exit 4): the command worked, and says no.
    Condition(String),
}

impl Failure {
    /// A run that did not complete: Ctrl-C is exit 130 with `stopped` saying
    /// what became of the outputs; any other run error is exit 3.
    pub fn from_run(error: RunError, stopped: impl FnOnce() -> String) -> Failure {
        match error {
            RunError::Interrupted => Failure::Interrupted(stopped()),
            other => Failure::Run(other.to_string()),
        }
    }

    pub fn exit_code(&self) -> u8 {
        match self {
            Failure::Input(_) => 1,
            Failure::Run(_) => 3,
            Failure::Condition(_) => 4,
            Failure::Interrupted(_) => 130,
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Input(m) => write!(f, "error: {m}"),
            Failure::Run(m) => write!(f, "error: {m}"),
            Failure::Interrupted(m) => write!(f, "interrupted: {m}"),
            Failure::Condition(m) => write!(f, "fail-if: {m}"),
        }
    }
}

pub fn exec(cli: Cli) -> Result<(), Failure> {
    match cli.command {
        Command::Run(a) => run::exec(a),
        Command::Validate(a) => validate::exec(a),
        Command::Sweep(a) => sweep::exec(a),
        Command::Optimize(a) => optimize::exec(a),
        Command::Chart(a) => chart::exec(a),
        Command::Catalog(a) => catalog::exec(a),
        Command::Calibrate(a) => calibrate::exec(a),
        Command::Import(a) => import::exec(a),
        Command::Diff(a) => diff::exec(a),
    }
}

/// A flag Ctrl-C (SIGINT), SIGTERM and SIGHUP set, installed once per
/// process: the command stops at the next clock boundary, removes what it
/// wrote and releases its lock instead of dying with them in place.
pub fn cancel_flag() -> Arc<AtomicBool> {
    static FLAG: std::sync::OnceLock<Arc<AtomicBool>> = std::sync::OnceLock::new();
    FLAG.get_or_init(|| {
        let flag = Arc::new(AtomicBool::new(false));
        let handler_flag = flag.clone();
        // If a handler cannot be installed, a signal simply kills the process;
        // the previous results are still whole (only a directory rename replaces
        // them), and the next run clears what this one left.
        let _ = ctrlc::set_handler(move || handler_flag.store(true, Ordering::SeqCst));
        flag
    })
    .clone()
}

/// Whether a signal asked the command to stop.
pub fn cancelled(flag: &AtomicBool) -> bool {
    flag.load(Ordering::SeqCst)
}

/// A failure to lock, prepare or replace the output directory: exit 1 when
/// the directory given cannot be used, 3 when writing failed.
pub fn commit_failure(error: CommitError) -> Failure {
    if error.is_input() { Failure::Input(error.to_string()) } else { Failure::Run(error.to_string()) }
}

/// Settles the outputs of a command that stopped before its results were
/// complete, and says what became of them: with `kept` (what the finished
/// pieces are, e.g. "the 3 finished replications"), they move to
/// `OUT.partial`; without, they are removed. `OUT` is untouched either way.
pub fn settle_stopped(staged: Staged, kept: Option<&str>) -> String {
    let out = staged.out().display().to_string();
    let previous = if staged.had_previous() {
        format!("the previous results in {out} are unchanged")
    } else {
        format!("nothing was written to {out}")
    };
    let Some(what) = kept else {
        drop(staged);
        return format!("nothing was kept; {previous}");
    };
    match staged.keep_partial() {
        Ok(partial) => format!("{what} are in {}; {previous}", partial.display()),
        Err(e) => format!("nothing was kept ({e}); {previous}"),
    }
}

/// A progress bar on stderr that indicatif hides when stderr is not a terminal.
pub fn progress_bar(len: u64, template: &str) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::with_draw_target(Some(len), indicatif::ProgressDrawTarget::stderr());
    if let Ok(style) = indicatif::ProgressStyle::with_template(template) {
        bar.set_style(style);
    }
    bar
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::SimTime;
    use crate::model::Event;

    #[test]
    fn ctrl_c_exits_130_and_other_run_errors_exit_3() {
        let stopped = || "the run of web stopped; no results were written to out".to_string();
        let interrupted = Failure::from_run(RunError::Interrupted, stopped);
        assert_eq!(interrupted.exit_code(), 130);
        assert_eq!(interrupted.to_string(), "interrupted: the run of web stopped; no results were written to out");

        let violated = RunError::InvariantViolated {
            at: SimTime::from_millis(90_500),
            event: Event::Refresh,
            what: "task 3 is listed on i-0 but says it is elsewhere".to_string(),
        };
        let failure = Failure::from_run(violated, stopped);
        assert_eq!(failure.exit_code(), 3);
        assert_eq!(
            failure.to_string(),
            "error: invariant violated at 90.500 s after Refresh: task 3 is listed on i-0 but says it is elsewhere"
        );

        let output = Failure::from_run(RunError::Output("cannot create out: denied".to_string()), stopped);
        assert_eq!(output.exit_code(), 3);
        assert_eq!(output.to_string(), "error: cannot create out: denied");
    }
}
