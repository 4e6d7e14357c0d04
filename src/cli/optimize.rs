//! `ecsim optimize`: plan the grid as a sweep would, race through it
//! (docs/optimize.md), and write best.json, best.toml, trials.csv and the trials chart.

use super::Failure;
use super::sweep::{Plan, SimRunner, describe, plan_spec};
use super::validate::{FileKind, expect_kind};
use crate::chart::{ChartFormat, OptimizeChart, TrialPoint, labels_key, values_label};
use crate::model::RunError;
use crate::optimize::best_toml::edit_scenario;
use crate::optimize::write::{best_json, trials_csv};
use crate::optimize::{OptimizeSpec, Outcome, assess, load_optimize, search};
use crate::report::{Staged, write_atomically};
use crate::sweep::write::value_cell;
use crate::sweep::{Assignment, Configuration, ExecError, KeyPath, RunRecord, run_selected};
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
    if let Some(chart) = chart(spec, &plan.configs, outcome) {
        crate::chart::chart_optimize(dir, &chart, args.format).map_err(|e| format!("{e:#}"))?;
    }
    Ok(())
}

/// The scenario file as written, comments kept, with the `--set` overrides,
/// the variant's and the chosen axis values applied: runnable as is with `ecsim run`.
fn best_toml(args: &Args, spec: &OptimizeSpec, cfg: &Configuration) -> Result<String, String> {
    let mut assignments = args
        .set
        .iter()
        .map(|text| Assignment::parse(text).map_err(|e| e.to_string()))
        .collect::<Result<Vec<_>, _>>()?;
    let variant = spec.sweep.variants.iter().find(|v| v.name == cfg.variant);
    let chosen = variant.into_iter().flat_map(|v| v.set.iter().map(|(k, value)| (k.clone(), value)));
    let axes = cfg.axis_values.iter().map(|(k, value)| KeyPath::parse(k).map(|path| (path, value)));
    for (path, value) in chosen.map(Ok).chain(axes).collect::<Result<Vec<_>, _>>().map_err(|e| e.to_string())? {
        assignments.push(Assignment { text: format!("{path}={value}"), path, value: value.clone() });
    }
    let path = &spec.sweep.scenario;
    let original = crate::scenario::read_text(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let name = path.file_name().map_or(String::new(), |n| n.to_string_lossy().into_owned());
    let header = [format!(
        "{name} with the values `ecsim optimize` chose (configuration {}, variant \"{}\"); the rest is the file as written. Changed:",
        cfg.index, cfg.variant
    )];
    let text = edit_scenario(&original, &assignments, &header).map_err(|e| format!("best.toml: {e}"))?;
    // The file must still be a valid scenario (it is the configuration that ran).
    let base = path.parent().unwrap_or(Path::new("."));
    crate::scenario::load_str(&text, "best.toml", base).map_err(|d| d.to_string())?;
    Ok(text)
}

/// The chart's points: each trial's mean objective against the figure of the
/// choice's binding constraint; `None` without constraints (nothing to plot against).
fn chart(spec: &OptimizeSpec, configs: &[Configuration], outcome: &Outcome) -> Option<OptimizeChart> {
    let problem = spec.problem();
    let best_runs = &outcome.trials.iter().find(|t| t.configuration == outcome.best)?.runs;
    let binding = assess(&problem, best_runs).binding()?;
    let constraint = &spec.constraints[binding];
    let several_variants = spec.sweep.variants.len() > 1;
    let keys: Vec<String> =
        spec.sweep.axes.iter().flat_map(|a| a.keys.iter().map(|k| k.as_str().to_string())).collect();
    let trials = outcome
        .trials
        .iter()
        .map(|trial| {
            let a = assess(&problem, &trial.runs);
            let config = &configs[trial.configuration];
            let values: Vec<String> = config.axis_values.iter().map(|(_, v)| value_cell(v)).collect();
            TrialPoint {
                configuration: trial.configuration,
                label: values_label(&values, &config.variant, several_variants),
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
        labels: labels_key(&keys, several_variants),
        trials,
    })
}
