//! `ecsim validate`: check scenario and sweep files, reporting every problem.

use super::Failure;
use crate::scenario;
use std::path::{Path, PathBuf};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Scenario, sweep or optimize files (told apart by a [sweep] or [optimize] table).
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
    file_kind(text) == Some(FileKind::Sweep)
}

/// The three kinds of input file, told apart by their top-level table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    Scenario,
    Sweep,
    Optimize,
}

impl FileKind {
    fn describe(self) -> &'static str {
        match self {
            FileKind::Scenario => "a scenario",
            FileKind::Sweep => "a sweep file (it has a [sweep] table)",
            FileKind::Optimize => "an optimize file (it has an [optimize] table)",
        }
    }

    fn noun(self) -> &'static str {
        match self {
            FileKind::Scenario => "a scenario",
            FileKind::Sweep => "a sweep file",
            FileKind::Optimize => "an optimize file",
        }
    }

    fn command(self) -> &'static str {
        match self {
            FileKind::Scenario => "run",
            FileKind::Sweep => "sweep",
            FileKind::Optimize => "optimize",
        }
    }
}

/// `[sweep]` makes a sweep, `[optimize]` an optimize file, anything else is
/// read as a scenario; `None` when the text is not TOML (the loader reports that).
pub fn file_kind(text: &str) -> Option<FileKind> {
    let table = toml::from_str::<toml::Table>(text).ok()?;
    Some(if table.contains_key("sweep") {
        FileKind::Sweep
    } else if table.contains_key("optimize") {
        FileKind::Optimize
    } else {
        FileKind::Scenario
    })
}

/// Refuses a file of another kind than the command takes, naming the command
/// it needs, before its keys are judged against the wrong format. A file that
/// cannot be read or parsed passes: the command's own loader reports that.
pub fn expect_kind(file: &Path, expected: FileKind) -> Result<(), Failure> {
    let Ok(text) = scenario::read_text(file) else { return Ok(()) };
    match file_kind(&text) {
        Some(kind) if kind != expected => Err(Failure::Input(format!(
            "{} is {}, not {}; use `ecsim {} {}`",
            file.display(),
            kind.describe(),
            expected.noun(),
            kind.command(),
            file.display()
        ))),
        _ => Ok(()),
    }
}

fn validate_file(file: &Path) -> Result<String, String> {
    let text = scenario::read_text(file).map_err(|e| format!("{}: {e}", file.display()))?;
    if is_sweep(&text) {
        let plan = super::sweep::plan(file)?;
        return Ok(format!("sweep of {} configurations x {} replications", plan.configs.len(), plan.spec.replications));
    }
    if file_kind(&text) == Some(FileKind::Optimize) {
        let spec = crate::optimize::load_optimize(file).map_err(|e| e.to_string())?;
        let plan = super::sweep::plan_spec(file, spec.sweep.clone(), &[], &spec.figure_names())?;
        return Ok(format!(
            "optimize over {} configurations, at most {} replications each, budget {} runs",
            plan.configs.len(),
            spec.sweep.replications,
            spec.budget
        ));
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
