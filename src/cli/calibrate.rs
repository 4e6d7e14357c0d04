//! `ecsim calibrate`: fits each service's CPU model to observed minutes and
//! writes a calibrated copy of the scenario (and optionally a report).

use super::Failure;
use crate::calibrate::{self, edit};
use crate::report::{summary_text, write_atomically};
use crate::scenario;
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Scenario file (TOML) to calibrate.
    pub scenario: PathBuf,
    /// Observed minutes: CSV with header time,service,metric,value.
    pub observed: PathBuf,
    /// Where to write the calibrated scenario (not the scenario itself).
    #[arg(long)]
    pub out: PathBuf,
    /// Also write the fit of every service as JSON.
    #[arg(long)]
    pub report: Option<PathBuf>,
    /// Print nothing but errors.
    #[arg(short, long)]
    pub quiet: bool,
}

pub fn exec(args: Args) -> Result<(), Failure> {
    let sc = scenario::load(&args.scenario).map_err(|d| Failure::Input(d.to_string()))?;
    let same = |a: &std::path::Path, b: &std::path::Path| match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    };
    if same(&args.out, &args.scenario) {
        return Err(Failure::Input(format!(
            "--out {} is the scenario itself; write the calibrated copy to another file",
            args.out.display()
        )));
    }
    let obs = crate::observed::read(&args.observed).map_err(|e| Failure::Input(e.to_string()))?;
    let result = calibrate::calibrate(&sc, &obs);
    let text = edit::apply(&sc.source_text, &calibrate::changes(&result))
        .map_err(|e| Failure::Input(format!("{}: {e}", args.scenario.display())))?;
    // The copy must still be a valid scenario (its relative paths read from the original's directory).
    let base = args.scenario.parent().unwrap_or(std::path::Path::new("."));
    scenario::load_str(&text, &args.out.display().to_string(), base)
        .map_err(|d| Failure::Run(format!("the calibrated scenario does not validate (a bug):\n{d}")))?;
    write_atomically(&args.out, text.as_bytes()).map_err(Failure::Run)?;
    if let Some(path) = &args.report {
        let json = calibrate::report_json(&result);
        write_atomically(path, summary_text(&json).as_bytes()).map_err(Failure::Run)?;
    }
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
        println!("calibrated scenario: {}", args.out.display());
    }
    Ok(())
}
