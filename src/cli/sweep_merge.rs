//! `ecsim sweep merge DIR... --out DIR`: the shards of one sweep into the
//! `runs.csv` and `summary.csv` an unsharded run would have written, byte for
//! byte, after checking that they belong to the same sweep and hold every run
//! exactly once. Nothing is written unless every run is there.

use super::Failure;
use crate::chart::ChartFormat;
use crate::hash::sha256_hex;
use crate::report::Staged;
use crate::sweep::shard::{self, Manifest};
use crate::sweep::{SweepResults, expand, parse_sweep, parse_toml_table};
use std::path::{Path, PathBuf};
use std::time::Duration;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Directories written by `ecsim sweep --shard` (and `--only-missing`).
    #[arg(required = true, value_name = "DIR")]
    pub dirs: Vec<PathBuf>,
    /// Results directory for the merged sweep.
    #[arg(long)]
    pub out: PathBuf,
    /// Also draw the sweep charts and report.html.
    #[arg(long)]
    pub charts: bool,
    /// Chart format with --charts.
    #[arg(long, default_value = "both")]
    pub format: ChartFormat,
    /// Refuse a merge whose estimated memory is above this (e.g. 8GB; docs/limits.md).
    #[arg(long, value_name = "SIZE", default_value_t = super::limits::DEFAULT_MAX_MEMORY)]
    pub max_memory: super::limits::Size,
    /// Refuse a merge whose estimated output is larger than this (docs/limits.md).
    #[arg(long, value_name = "SIZE", default_value_t = super::limits::DEFAULT_MAX_OUTPUT)]
    pub max_output: super::limits::Size,
}

pub fn exec(args: Args) -> Result<(), Failure> {
    let input = |e: shard::MergeError| Failure::Input(e.to_string());
    let manifests: Vec<Manifest> =
        args.dirs.iter().map(|dir| shard::read_manifest(dir)).collect::<Result<_, _>>().map_err(input)?;
    let first = &args.dirs[0];
    for (dir, manifest) in args.dirs.iter().zip(&manifests).skip(1) {
        shard::check_same_sweep((first, &manifests[0]), (dir, manifest)).map_err(input)?;
    }
    let sweep_text = read_copy(first, "sweep.toml", &manifests[0].sweep_sha256)?;
    let base_text = read_copy(first, "scenario.toml", &manifests[0].scenario_sha256)?;
    let spec = parse_sweep(&sweep_text, &first.join("sweep.toml")).map_err(|e| Failure::Input(e.to_string()))?;
    let base = parse_toml_table(&base_text, &first.join("scenario.toml")).map_err(|e| Failure::Input(e.to_string()))?;
    let configs = expand(&spec, &base).map_err(|e| Failure::Input(format!("{}: {e}", first.display())))?;
    let all = shard::all_runs(&configs, spec.replications);
    // Every row is held until the tables are written: refused before any is read.
    let shape = crate::sweep::budget::Shape {
        configurations: configs.len() as u64,
        runs: all.len() as u64,
        figures: figure_columns(first, &spec)?,
        axis_columns: spec.axes.iter().map(|a| a.keys.len() as u64).sum(),
        metrics: spec.metrics.len() as u64,
        threads: 0,
        largest_run: 0,
        kept_bytes: 0,
    };
    super::limits::check_sweep("merge", &shape, args.max_memory, args.max_output)?;
    let mut rows = Vec::with_capacity(args.dirs.len());
    for dir in &args.dirs {
        rows.push((dir.clone(), shard::read_rows(dir, &spec).map_err(input)?));
    }
    let held = shard::collect_runs(&rows, &all).map_err(input)?;
    let runs = shard::complete_runs(held, &all).map_err(|e| {
        let dirs: Vec<String> = args.dirs.iter().map(|dir| format!("--only-missing {}", dir.display())).collect();
        Failure::Input(format!(
            "{e}; nothing was written to {}. Run only those with `ecsim sweep SWEEP_FILE {} --out NEW_DIR`, \
             then merge again with NEW_DIR added",
            args.out.display(),
            dirs.join(" ")
        ))
    })?;
    let results = SweepResults { runs, planned: all.len(), elapsed: Duration::ZERO };

    let staged = Staged::begin(&args.out).map_err(super::commit_failure)?;
    let texts = (sweep_text.as_str(), base_text.as_str());
    if let Err(e) = super::sweep::write_tables(staged.dir(), &spec, &configs, texts, &results) {
        return Err(Failure::Run(format!("{e}; {}", super::settle_stopped(staged, None))));
    }
    if args.charts
        && let Err(e) = crate::chart::chart_sweep(staged.dir(), args.format)
    {
        return Err(Failure::Run(format!("{e:#}; {}", super::settle_stopped(staged, None))));
    }
    staged.commit().map_err(super::commit_failure)?;
    // As an unsharded sweep: the tables are written, and a metric no run reported is an error.
    let unreported = results.unreported_metrics(&spec.metrics);
    if !unreported.is_empty() {
        return Err(super::sweep::unreported_metrics(&first.join("sweep.toml"), &unreported, &args.out));
    }
    eprintln!(
        "sweep {}: {} runs from {} shard directories ({} failed); results in {}",
        spec.name,
        results.runs.len(),
        args.dirs.len(),
        results.failed(),
        args.out.display()
    );
    Ok(())
}

/// The figure columns of a shard's runs.csv (its header only).
fn figure_columns(dir: &Path, spec: &crate::sweep::SweepSpec) -> Result<u64, Failure> {
    let path = dir.join("runs.csv");
    let mut reader = csv::Reader::from_path(&path).map_err(|e| Failure::Input(format!("{}: {e}", path.display())))?;
    let columns = reader.headers().map_err(|e| Failure::Input(format!("{}: {e}", path.display())))?.len();
    let fixed = 6 + spec.axes.iter().map(|a| a.keys.len()).sum::<usize>();
    Ok(columns.saturating_sub(fixed) as u64)
}

/// A shard's copy of the sweep file or base scenario, checked against the
/// hash its manifest recorded (a copy edited by hand would merge the wrong grid).
fn read_copy(dir: &Path, name: &str, sha256: &str) -> Result<String, Failure> {
    let path = dir.join(name);
    let text = crate::scenario::read_text(&path).map_err(|e| Failure::Input(format!("{}: {e}", path.display())))?;
    if sha256_hex(text.as_bytes()) != sha256 {
        return Err(Failure::Input(format!(
            "{}: the file differs from the one the shard ran (shard.json records another SHA-256)",
            path.display()
        )));
    }
    Ok(text)
}
