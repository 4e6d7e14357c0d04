//! `ecsim chart`: charts and report.html for a run or sweep results directory.
//!
//! The directory is rewritten whole, like every output (`report::commit`):
//! its files are hard-linked into a fresh directory beside it, without the
//! old `charts/` and `report.html`, the new charts are drawn there, and that
//! directory replaces the old one in one step. A reader sees the old charts
//! or the new ones, never a mix; an interrupted or failed chart leaves the
//! directory as it was.

use super::Failure;
use crate::chart::{CHARTS_DIR, ChartFormat, REPORT_FILE, TimeWindow, chart_dir_window, is_sweep_dir};
use crate::report::Staged;
use crate::scenario::duration::{Offset, parse_offset};
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// A results directory written by `ecsim run` or `ecsim sweep`.
    pub dir: PathBuf,
    /// png, svg or both.
    #[arg(long, default_value = "both")]
    pub format: ChartFormat,
    /// Draw a run from this time: an offset since the start ("2d 08:00",
    /// "36h") or an RFC 3339 instant.
    #[arg(long, value_parser = parse_offset)]
    pub from: Option<Offset>,
    /// Draw a run up to this time (same forms as --from).
    #[arg(long, value_parser = parse_offset)]
    pub to: Option<Offset>,
}

pub fn exec(args: Args) -> Result<(), Failure> {
    is_sweep_dir(&args.dir).map_err(|e| Failure::Input(format!("{e:#}")))?;
    let cancel = super::cancel_flag();
    let staged = Staged::begin_update(&args.dir, &[CHARTS_DIR, REPORT_FILE]).map_err(super::commit_failure)?;
    // The fresh directory holds the same files: errors name the directory given.
    let window = TimeWindow { from: args.from, to: args.to };
    let written = chart_dir_window(staged.dir(), args.format, &window)
        .map_err(|e| Failure::Input(staged.shown_message(&format!("{e:#}"))))?;
    if super::cancelled(&cancel) {
        return Err(Failure::Interrupted(format!("no charts were drawn; {}", super::settle_stopped(staged, None))));
    }
    let shown: Vec<PathBuf> = written.iter().map(|path| staged.shown(path)).collect();
    staged.commit().map_err(super::commit_failure)?;
    for path in &shown {
        println!("{}", path.display());
    }
    Ok(())
}
