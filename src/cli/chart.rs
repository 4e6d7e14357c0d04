//! `ecsim chart`: charts and report.html for a run or sweep results directory.

use super::Failure;
use crate::chart::{ChartFormat, chart_dir};
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// A results directory written by `ecsim run` or `ecsim sweep`.
    pub dir: PathBuf,
    /// png, svg or both.
    #[arg(long, default_value = "both")]
    pub format: ChartFormat,
}

pub fn exec(args: Args) -> Result<(), Failure> {
    let written = chart_dir(&args.dir, args.format).map_err(|e| Failure::Input(format!("{e:#}")))?;
    for path in &written {
        println!("{}", path.display());
    }
    Ok(())
}
