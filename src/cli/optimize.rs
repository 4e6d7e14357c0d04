//! `ecsim optimize`: plan the grid as a sweep would, search it by successive
//! halving, and write best.json, best.toml, trials.csv and the trials chart.

use super::Failure;
use super::sweep::{Plan, SimRunner, describe, plan_spec};
use super::validate::{FileKind, expect_kind};
use crate::chart::{ChartFormat, OptimizeChart, TrialPoint};
use crate::model::RunError;
use crate::optimize::write::{best_json, trials_csv};
use crate::optimize::{OptimizeSpec, Outcome, assess, load_optimize, search};
use crate::report::{Staged, write_atomically};
use crate::sweep::{Configuration, ExecError, RunRecord, run_selected};
use std::path::{Path, PathBuf};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Optimize file (TOML with an [optimize] table).
    pub file: PathBuf,
    /// Results directory [default: results/<optimize name>].
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Worker threads [default: all cores]; the result is the same for any.
    #[arg(short = 'j', long)]
    pub jobs: Option<usize>,
    /// Chart format of charts/optimize-trials.
    #[arg(long, default_value = "both")]
    pub format: ChartFormat,
    /// Override a key of the base scenario before the axes apply; repeatable.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    /// Refuse a search whose estimated memory is above this (e.g. 8GB; docs/limits.md).
    #[arg(long, value_name = "SIZE", default_value_t = super::limits::DEFAULT_MAX_MEMORY)]
    pub max_memory: super::limits::Size,
    /// Refuse a search whose estimated output is larger than this (docs/limits.md).
    #[arg(long, value_name = "SIZE", default_value_t = super::limits::DEFAULT_MAX_OUTPUT)]
    pub max_output: super::limits::Size,
    /// Refused with the reason: a search cannot be split into shards.
    #[arg(long, value_name = "K/N", hide = true)]
    pub shard: Option<String>,
}

pub fn exec(args: Args) -> Result<(), Failure> {
    if args.shard.is_some() {
        return Err(Failure::Input(
            "ecsim optimize cannot be split into shards: each round chooses its runs from the figures of the \
             round before; shard a sweep of the same axes instead (`ecsim sweep FILE --shard K/N`, deploy/README.md)"
                .to_string(),
        ));
    }
    super::limits::check_jobs(args.jobs)?;
    expect_kind(&args.file, FileKind::Optimize)?;
    let spec = load_optimize(&args.file).map_err(|e| Failure::Input(e.to_string()))?;
    let plan = plan_spec(&args.file, spec.sweep.clone(), &args.set, &spec.figure_names()).map_err(Failure::Input)?;
    let out = args.out.clone().unwrap_or_else(|| Path::new("results").join(&spec.sweep.name));
    plan.warn_invalid();
    // The search runs at most its budget, and holds every run's figures to the end.
    let most = spec.problem().budget.min(plan.configs.len().saturating_mul(spec.sweep.replications as usize));
    let jobs = super::limits::sweep_threads(args.jobs, usize::MAX);
    super::limits::check_sweep("search", &plan.shape(most, jobs, false), args.max_memory, args.max_output)?;
    let cancel = super::cancel_flag();
    let staged = Staged::begin(&out).map_err(super::commit_failure)?;
    let runner = SimRunner::keeping(&plan, None, cancel.clone());
    let mut pool_error: Option<ExecError> = None;
    let outcome = search(&spec.problem(), plan.configs.len(), &mut |pairs| match run_selected(
        &spec.sweep,
        &plan.configs,
        pairs,
        &runner,
        jobs,
        &cancel,
    ) {
        Ok(results) => results.runs,
        Err(e) => {
            pool_error = Some(e);
            Vec::new()
        }
    });
    if let Some(e) = pool_error {
        return Err(Failure::Run(format!("{e}; {}", super::settle_stopped(staged, None))));
    }
    let interrupted = |r: &RunRecord| matches!(r.outcome, Err(RunError::Interrupted));
    if outcome.interrupted || super::cancelled(&cancel) || outcome.trials.iter().any(|t| t.runs.iter().any(interrupted))
    {
        return Err(Failure::Interrupted(format!(
            "the search stopped after {} runs; {}",
            outcome.runs,
            super::settle_stopped(staged, None)
        )));
    }
    if let Err(e) = write_results(staged.dir(), &args, &spec, &plan, &outcome) {
        return Err(Failure::Run(format!("{e}; {}", super::settle_stopped(staged, None))));
    }
    staged.commit().map_err(super::commit_failure)?;
    eprintln!("{}", verdict(&spec, &plan, &outcome));
    eprintln!("results in {}", out.display());
    Ok(())
}

/// One line on the answer: the choice, or that nothing met the constraints and how close the best came.
fn verdict(spec: &OptimizeSpec, plan: &Plan, outcome: &Outcome) -> String {
    let cfg = &plan.configs[outcome.best];
    let runs = outcome.trials.iter().find(|t| t.configuration == outcome.best).map_or(&[][..], |t| &t.runs[..]);
    let assessment = assess(&spec.problem(), runs);
    let full = plan.configs.len() * spec.sweep.replications as usize;
    let effort =
        format!("{} runs in {} round(s), of the full grid's {full}; {}", outcome.runs, outcome.rounds, outcome.stopped);
    let objective = assessment.objective.map_or("undefined".to_string(), crate::fmt::fmt_f64);
    let binding = assessment.binding().and_then(|i| Some((&spec.constraints[i], assessment.constraints[i]?)));
    if assessment.feasible() {
        let bind = binding
            .map_or(String::new(), |(c, (value, _))| format!("; binding: {c} (at {})", crate::fmt::fmt_f64(value)));
        format!(
            "optimize {}: best is configuration {} ({}): {} = {objective}{bind}; {effort}",
            spec.sweep.name,
            cfg.index,
            describe(cfg),
            spec.minimize
        )
    } else {
        let bind = binding.map_or("a run failed or a figure is undefined".to_string(), |(c, (value, slack))| {
            format!("{c} binds: {} there, {:.1}% short of the limit", crate::fmt::fmt_f64(value), -slack * 100.0)
        });
        format!(
            "optimize {}: no configuration met every constraint; the closest is configuration {} ({}), where {bind}; {effort}",
            spec.sweep.name,
            cfg.index,
            describe(cfg)
        )
    }
}

/// best.json, best.toml, trials.csv, the copies of the inputs, and the chart.
fn write_results(dir: &Path, args: &Args, spec: &OptimizeSpec, plan: &Plan, outcome: &Outcome) -> Result<(), String> {
    let best = best_json(spec, &plan.configs, outcome);
    let text = serde_json::to_string_pretty(&best).map_err(|e| e.to_string())? + "\n";
    write_atomically(&dir.join("best.json"), text.as_bytes())?;
    write_atomically(&dir.join("best.toml"), best_toml(args, spec, &plan.configs[outcome.best])?.as_bytes())?;
    let trials = trials_csv(spec, &plan.configs, outcome).map_err(|e| format!("trials.csv: {e}"))?;
    write_atomically(&dir.join("trials.csv"), &trials)?;
    write_atomically(&dir.join("optimize.toml"), plan.sweep_text.as_bytes())?;
    write_atomically(&dir.join("scenario.toml"), plan.base_text.as_bytes())?;
    if let Some(chart) = chart(spec, outcome) {
        crate::chart::chart_optimize(dir, &chart, args.format).map_err(|e| format!("{e:#}"))?;
    }
    Ok(())
}

/// The base scenario with the `--set` overrides, the variant's and the
/// chosen axis values applied: runnable as is with `ecsim run`.
fn best_toml(args: &Args, spec: &OptimizeSpec, cfg: &Configuration) -> Result<String, String> {
    let variant = spec.sweep.variants.iter().find(|v| v.name == cfg.variant);
    let mut set: Vec<String> = args.set.clone();
    set.extend(variant.into_iter().flat_map(|v| v.set.iter().map(|(k, value)| format!("{k}={value}"))));
    set.extend(cfg.axis_values.iter().map(|(k, value)| format!("{k}={value}")));
    let name = spec.sweep.scenario.file_name().map_or(String::new(), |n| n.to_string_lossy().into_owned());
    let mut header = vec![format!(
        "{name} with the values `ecsim optimize` chose (configuration {}, variant \"{}\"); its comments are not kept:",
        cfg.index, cfg.variant
    )];
    header.extend(set.iter().map(|s| format!("  {s}")));
    let sc = crate::scenario::load_edited(&spec.sweep.scenario, &header, |doc| {
        let mut problems = Vec::new();
        for text in &set {
            let applied = crate::sweep::Assignment::parse(text).and_then(|a| a.apply(doc));
            problems.extend(applied.err().map(|e| e.to_string()));
        }
        problems
    })
    .map_err(|d| d.to_string())?;
    Ok(sc.source_text)
}

/// The chart's points: each trial's mean objective against the figure of the
/// choice's binding constraint; `None` without constraints (nothing to plot against).
fn chart(spec: &OptimizeSpec, outcome: &Outcome) -> Option<OptimizeChart> {
    let problem = spec.problem();
    let best_runs = &outcome.trials.iter().find(|t| t.configuration == outcome.best)?.runs;
    let binding = assess(&problem, best_runs).binding()?;
    let constraint = &spec.constraints[binding];
    let trials = outcome
        .trials
        .iter()
        .map(|trial| {
            let a = assess(&problem, &trial.runs);
            TrialPoint {
                configuration: trial.configuration,
                objective: a.objective.unwrap_or(f64::NAN),
                constraint: a.constraints[binding].map_or(f64::NAN, |(value, _)| value),
                feasible: a.feasible(),
                chosen: trial.configuration == outcome.best,
            }
        })
        .collect();
    Some(OptimizeChart {
        name: spec.sweep.name.clone(),
        objective: spec.minimize.clone(),
        constraint_metric: constraint.metric.clone(),
        constraint: constraint.to_string(),
        limit: constraint.limit,
        trials,
    })
}
