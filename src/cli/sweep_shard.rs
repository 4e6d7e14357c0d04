//! `ecsim sweep FILE --shard K/N` and `--only-missing DIR...`: run a share of
//! a sweep's runs, for another machine, and write the rows with a manifest
//! (`shard.json`) that `ecsim sweep merge` checks.
//!
//! An interrupted shard still commits its directory: its finished rows are
//! results, and the manifest says the shard is incomplete, so the merge can
//! name the runs still missing and `--only-missing` can run only those.

use super::Failure;
use super::sweep::{Args, Plan, SimRunner};
use crate::hash::sha256_hex;
use crate::model::RunError;
use crate::report::{Staged, write_atomically};
use crate::sweep::shard::{self, Manifest, Shard};
use crate::sweep::{SweepResults, run_selected, runs_csv};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

pub fn exec(args: &Args, plan: &Plan) -> Result<(), Failure> {
    if args.charts {
        return Err(Failure::Input(
            "--charts needs the whole sweep: draw the charts with `ecsim sweep merge SHARD_DIRS... --out DIR --charts`"
                .to_string(),
        ));
    }
    let shard = match &args.shard {
        Some(given) => {
            Some(Shard::parse(given, |name| std::env::var(name).ok()).map_err(|e| Failure::Input(e.to_string()))?)
        }
        None => None,
    };
    let all = shard::all_runs(&plan.configs, plan.spec.replications);
    let this = manifest(plan, shard, all.len());
    let done = runs_held(args, plan, &this)?;
    let runs = shard::select_runs(&all, &done, shard);
    let out = args.out.clone().unwrap_or_else(|| default_out(&plan.spec.name, shard));
    let what = shard.map_or_else(|| "the missing runs".to_string(), |shard| format!("shard {shard}"));

    let jobs = super::limits::sweep_threads(args.jobs, runs.len());
    super::limits::check_sweep(
        "shard",
        &plan.shape(runs.len(), jobs, args.keep_runs),
        args.max_memory,
        args.max_output,
    )?;
    let cancel = super::cancel_flag();
    let staged = Staged::begin(&out).map_err(super::commit_failure)?;
    let runner = SimRunner::keeping(plan, args.keep_runs.then(|| staged.dir().join("runs")), cancel.clone());
    let results = match run_selected(&plan.spec, &plan.configs, &runs, &runner, jobs, &cancel) {
        Ok(results) => results,
        Err(e) => return Err(Failure::Run(format!("{e}; {}", super::settle_stopped(staged, None)))),
    };
    // Interrupted runs are not results: leaving them out makes them missing.
    let finished: Vec<_> =
        results.runs.into_iter().filter(|run| !matches!(run.outcome, Err(RunError::Interrupted))).collect();
    let failed = finished.iter().filter(|run| run.outcome.is_err()).count();
    let complete = finished.len() == runs.len();
    let manifest = Manifest {
        skipped_as_done: done.len(),
        runs_assigned: runs.len(),
        runs_finished: finished.len(),
        complete,
        ..this
    };
    let finished = SweepResults { runs: finished, planned: runs.len(), elapsed: results.elapsed };
    if let Err(e) = write_shard(staged.dir(), plan, &finished, &manifest) {
        return Err(Failure::Run(format!("{e}; {}", super::settle_stopped(staged, None))));
    }
    staged.commit().map_err(super::commit_failure)?;
    eprintln!(
        "sweep {} {what}: {} of {} runs finished ({failed} failed), in {:.1} s; rows in {}",
        plan.spec.name,
        manifest.runs_finished,
        manifest.runs_assigned,
        finished.elapsed.as_secs_f64(),
        out.display()
    );
    if !complete {
        return Err(Failure::Interrupted(format!(
            "{} of the {} runs of {what} did not finish; the finished rows are in {} (shard.json says incomplete); \
             `ecsim sweep merge` names the missing runs and `--only-missing` runs them",
            manifest.runs_assigned - manifest.runs_finished,
            manifest.runs_assigned,
            out.display()
        )));
    }
    if failed > 0 {
        return Err(Failure::Run(format!(
            "{failed} of {} runs failed; their error rows and the other rows are in {}",
            manifest.runs_assigned,
            out.display()
        )));
    }
    Ok(())
}

/// This shard's manifest before it runs: which sweep, which share.
fn manifest(plan: &Plan, shard: Option<Shard>, runs_in_sweep: usize) -> Manifest {
    Manifest {
        ecsim_version: env!("CARGO_PKG_VERSION").to_string(),
        sweep: plan.spec.name.clone(),
        sweep_sha256: sha256_hex(plan.sweep_text.as_bytes()),
        scenario_sha256: sha256_hex(plan.base_text.as_bytes()),
        shard: shard.map(|shard| shard.to_string()),
        skipped_as_done: 0,
        runs_in_sweep,
        runs_assigned: 0,
        runs_finished: 0,
        complete: false,
    }
}

/// The runs the `--only-missing` directories already hold, each directory
/// checked to be a shard of this very sweep.
fn runs_held(args: &Args, plan: &Plan, this: &Manifest) -> Result<BTreeSet<shard::RunKey>, Failure> {
    let input = |e: shard::MergeError| Failure::Input(e.to_string());
    let file = args.sweep.clone().unwrap_or_default();
    let mut done = BTreeSet::new();
    for dir in &args.only_missing {
        let theirs = shard::read_manifest(dir).map_err(input)?;
        shard::check_same_sweep((&file, this), (dir, &theirs)).map_err(input)?;
        done.extend(shard::read_rows(dir, &plan.spec).map_err(input)?.iter().map(|r| (r.configuration, r.replication)));
    }
    Ok(done)
}

/// `results/<sweep>-shard-K-of-N`, or `results/<sweep>-missing`.
fn default_out(name: &str, shard: Option<Shard>) -> PathBuf {
    let leaf = match shard {
        Some(shard) => format!("{name}-shard-{}-of-{}", shard.index, shard.count),
        None => format!("{name}-missing"),
    };
    Path::new("results").join(leaf)
}

/// runs.csv of the finished runs, the copies of the sweep and base scenario
/// that the merge reads, and shard.json.
fn write_shard(dir: &Path, plan: &Plan, results: &SweepResults, manifest: &Manifest) -> Result<(), String> {
    let rows = runs_csv(&plan.spec, &plan.configs, results).map_err(|e| format!("cannot write runs.csv: {e}"))?;
    write_atomically(&dir.join("runs.csv"), &rows)?;
    write_atomically(&dir.join("sweep.toml"), plan.sweep_text.as_bytes())?;
    write_atomically(&dir.join("scenario.toml"), plan.base_text.as_bytes())?;
    write_atomically(&dir.join(shard::MANIFEST), manifest.to_json().as_bytes())
}
