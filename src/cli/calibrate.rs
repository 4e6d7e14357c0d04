//! `ecsim calibrate`: fits each service's CPU model to observed minutes and
//! writes a results directory holding the calibrated copy of the scenario
//! (`scenario.toml`) and the fit of every service (`calibration.json`),
//! committed whole like a run's (`report::commit`): an interrupted or failed
//! calibration leaves the previous directory as it was, never a new scenario
//! beside an old fit.

use super::Failure;
use crate::calibrate::{self, edit};
use crate::report::{Staged, summary_text, write_atomically};
use crate::scenario;
use std::path::{Path, PathBuf};

/// The calibrated scenario inside `--out`.
pub const SCENARIO_FILE: &str = "scenario.toml";
/// The fit of every service inside `--out`.
pub const REPORT_FILE: &str = "calibration.json";

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Scenario file (TOML) to calibrate.
    pub scenario: PathBuf,
    /// Observed minutes: CSV with header time,service,metric,value.
    pub observed: PathBuf,
    /// Results directory: the calibrated scenario.toml and calibration.json, replaced whole.
    #[arg(long)]
    pub out: PathBuf,
    /// Refused with the reason: the fit is written to OUT/calibration.json.
    #[arg(long, hide = true)]
    pub report: Option<PathBuf>,
    /// Print nothing but errors.
    #[arg(short, long)]
    pub quiet: bool,
}

pub fn exec(args: Args) -> Result<(), Failure> {
    if args.report.is_some() {
        return Err(Failure::Input(format!(
            "--report is no longer a separate file: the fit of every service is written to {}, beside the \
             calibrated {SCENARIO_FILE}, so both are replaced together",
            args.out.join(REPORT_FILE).display()
        )));
    }
    if args.out.extension().is_some_and(|e| e == "toml") {
        return Err(Failure::Input(format!(
            "--out {} names a results directory, not a file: the calibrated scenario is written to \
             OUT/{SCENARIO_FILE} and the fit to OUT/{REPORT_FILE}; give a directory name such as `calibrated`",
            args.out.display()
        )));
    }
    let sc = scenario::load(&args.scenario).map_err(|d| Failure::Input(d.to_string()))?;
    if inside(&args.scenario, &args.out) {
        return Err(Failure::Input(format!(
            "--out {} holds the scenario {} itself, and the directory is replaced whole; write the calibration \
             to another directory",
            args.out.display(),
            args.scenario.display()
        )));
    }
    let obs = crate::observed::read(&args.observed).map_err(|e| Failure::Input(e.to_string()))?;
    let result = calibrate::calibrate(&sc, &obs);
    let text = edit::apply(&sc.source_text, &calibrate::changes(&result))
        .map_err(|e| Failure::Input(format!("{}: {e}", args.scenario.display())))?;
    // Relative trace paths are rewritten to be read from OUT, and the copy must load from there.
    let base = args.scenario.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let text = edit::relocate_traces(&text, base, &args.out)
        .map_err(|e| Failure::Input(format!("{}: {e}", args.scenario.display())))?;
    let written = args.out.join(SCENARIO_FILE);
    let cancel = super::cancel_flag();
    let staged = Staged::begin(&args.out).map_err(super::commit_failure)?;
    // Read from the fresh directory, beside OUT and so the same depth: `..` needs a directory that exists.
    if let Err(d) = scenario::load_str(&text, &written.display().to_string(), staged.dir()) {
        let why = format!("the calibrated scenario does not validate (a bug):\n{d}");
        return Err(Failure::Run(format!("{why}\n{}", super::settle_stopped(staged, None))));
    }
    let json = summary_text(&calibrate::report_json(&result));
    let files = write_atomically(&staged.dir().join(SCENARIO_FILE), text.as_bytes())
        .and_then(|()| write_atomically(&staged.dir().join(REPORT_FILE), json.as_bytes()));
    if let Err(e) = files {
        return Err(Failure::Run(format!("{}; {}", staged.shown_message(&e), super::settle_stopped(staged, None))));
    }
    if super::cancelled(&cancel) {
        return Err(Failure::Interrupted(format!("calibrate stopped; {}", super::settle_stopped(staged, None))));
    }
    staged.commit().map_err(super::commit_failure)?;
    if !args.quiet {
        for note in obs.notes.iter().chain(&result.notes) {
            eprintln!("note: {note}");
        }
        for r in &result.services {
            let fit = r.fitted.as_ref().map_or("no fit".to_string(), |f| {
                format!(
                    "cpu_per_request {} ± {}, baseline {:.2} ± {:.2}%, R² {:.3}",
                    calibrate::written_ms(f.cpu_per_request_ms),
                    calibrate::written_ms(f.cpu_per_request_ms_se),
                    f.baseline_cpu_percent,
                    f.baseline_cpu_percent_se,
                    f.r2
                )
            });
            let state = if r.flagged { "FLAGGED, kept" } else { "written" };
            println!("{:<20} {state:<14} {fit} ({} minutes)", r.service, r.points_used);
            for m in &r.messages {
                println!("{:<20} {m}", "");
            }
        }
        println!("calibrated scenario: {}", written.display());
    }
    Ok(())
}

/// Whether `file` lies in the directory `dir` (both resolved when they exist).
fn inside(file: &Path, dir: &Path) -> bool {
    let file = file.canonicalize().unwrap_or_else(|_| file.to_path_buf());
    let dir = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
    file.starts_with(&dir)
}
