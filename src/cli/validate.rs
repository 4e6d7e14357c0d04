//! `ecsim validate`: check scenario and sweep files, reporting every problem.

use super::Failure;
use crate::scenario;
use std::path::{Path, PathBuf};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Scenario or sweep files (a file with a [sweep] table is a sweep).
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
}

pub fn exec(args: Args) -> Result<(), Failure> {
    let mut failed = 0;
    for file in &args.files {
        match validate_file(file) {
            Ok(note) => println!("{}: ok ({note})", file.display()),
            Err(message) => {
                eprintln!("{message}");
                failed += 1;
            }
        }
    }
    if failed > 0 {
        return Err(Failure::Input(format!("{failed} of {} file(s) have problems", args.files.len())));
    }
    Ok(())
}

/// Whether a file is a sweep: its top level has a `[sweep]` table.
pub fn is_sweep(text: &str) -> bool {
    toml::from_str::<toml::Table>(text).is_ok_and(|t| t.contains_key("sweep"))
}

fn validate_file(file: &Path) -> Result<String, String> {
    let text = scenario::read_text(file).map_err(|e| format!("{}: {e}", file.display()))?;
    if is_sweep(&text) {
        let plan = super::sweep::plan(file)?;
        return Ok(format!("sweep of {} configurations x {} replications", plan.configs.len(), plan.spec.replications));
    }
    let sc = scenario::load(file).map_err(|d| d.to_string())?;
    let limits = super::limits::DEFAULT_MAX_MEMORY;
    if let Err(over) = super::limits::check(&sc, sc.replications, limits, super::limits::DEFAULT_MAX_OUTPUT) {
        // The file is valid; say now what `ecsim run` would refuse.
        let message = over.to_string();
        eprintln!("warning: {}: {}", file.display(), message.trim_start_matches("error: "));
    }
    Ok(format!(
        "scenario {}: {} services, {} capacity providers, {}",
        sc.name,
        sc.services.len(),
        sc.providers.len(),
        sc.duration
    ))
}
