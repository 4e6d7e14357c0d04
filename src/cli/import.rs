//! `ecsim import aws DIR [--out FILE]`: a scenario from an AWS CLI export of
//! one ECS cluster (docs/import.md).

use super::Failure;
use crate::import;
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(subcommand)]
    pub source: Source,
}

#[derive(clap::Subcommand, Debug)]
pub enum Source {
    /// Read the JSON of read-only AWS CLI calls saved in DIR (scripts/export-aws.sh).
    Aws(AwsArgs),
}

#[derive(clap::Args, Debug)]
pub struct AwsArgs {
    /// Directory of *.json files, each the output of one AWS CLI call.
    pub dir: PathBuf,
    /// Scenario to write; traces/ and observed.csv go next to it [default: DIR/../imported.toml].
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Print only errors and the summary line.
    #[arg(short, long)]
    pub quiet: bool,
}

pub fn exec(args: Args) -> Result<(), Failure> {
    let Source::Aws(args) = args.source;
    let imported = import::import_aws(&args.dir).map_err(|errors| {
        eprintln!("{errors}");
        Failure::Input(format!("the import found {} error(s); nothing was written", errors.0.len()))
    })?;
    let out = args.out.clone().unwrap_or_else(|| import::default_out(&args.dir));
    let written = import::write(&imported.files, &out).map_err(|e| Failure::Run(e.to_string()))?;
    println!(
        "imported cluster {} from {} files: {} services, {} capacity providers, {} task definitions -> {}",
        imported.cluster,
        imported.files_read,
        imported.services,
        imported.capacity_providers,
        imported.task_definitions,
        written.scenario.display()
    );
    if let Some(observed) = &written.observed {
        println!("  {} workload traces in traces/, observed metrics in {}", written.traces.len(), observed.display());
    }
    if !args.quiet {
        print!("{}", imported.report.render());
    }
    match &written.validation {
        Ok(()) => println!("the scenario validates: ecsim run {}", written.scenario.display()),
        Err(problems) => {
            println!("warning: the scenario does not validate yet; complete it by hand:\n{problems}");
        }
    }
    Ok(())
}
