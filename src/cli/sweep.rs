//! `ecsim sweep`: expand the grid, check every configuration, run them all in
//! parallel with common random numbers, and write runs.csv and summary.csv.

use super::Failure;
use crate::chart::ChartFormat;
use crate::model::record::{NullSink, Sink};
use crate::model::{RunError, RunOptions, simulate};
use crate::report::{CsvSink, Staged, child, flatten, summary_text, write_atomically};
use crate::scenario::{self, Scenario};
use crate::sweep::{
    Configuration, Figures, Runner, SweepSpec, document, expand, load_sweep, load_toml_table, run_sweep,
    write_sweep_tables,
};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

#[derive(clap::Args, Debug)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct Args {
    #[command(subcommand)]
    pub action: Option<Action>,
    /// Sweep file (TOML with a [sweep] table).
    #[arg(required = true)]
    pub sweep: Option<PathBuf>,
    /// Results directory [default: results/<sweep name>].
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Worker threads [default: all cores]; at most 256, and never more than the runs.
    #[arg(short = 'j', long)]
    pub jobs: Option<usize>,
    /// Keep every run's outputs under DIR/runs/<variant>/<configuration>/<replication>/.
    #[arg(long)]
    pub keep_runs: bool,
    /// Also draw the sweep charts and report.html.
    #[arg(long)]
    pub charts: bool,
    /// Chart format with --charts.
    #[arg(long, default_value = "both")]
    pub format: ChartFormat,
    /// Override a key of the base scenario before the axes and variants apply,
    /// e.g. `--set 'simulation.duration="2h"'`; repeatable.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    /// Run only shard K of N (K from 0), for another machine; `auto/N` reads K
    /// from AWS_BATCH_JOB_ARRAY_INDEX or JOB_COMPLETION_INDEX. Combine the
    /// shards' directories with `ecsim sweep merge`.
    #[arg(long, value_name = "K/N")]
    pub shard: Option<String>,
    /// Run only the runs that none of these shard directories holds (after
    /// `ecsim sweep merge` said some are missing); repeatable.
    #[arg(long = "only-missing", value_name = "DIR")]
    pub only_missing: Vec<PathBuf>,
    /// Refuse a sweep whose estimated memory is above this (e.g. 8GB; docs/limits.md).
    #[arg(long, value_name = "SIZE", default_value_t = super::limits::DEFAULT_MAX_MEMORY)]
    pub max_memory: super::limits::Size,
    /// Refuse a sweep whose estimated output is larger than this (e.g. 60GB; docs/limits.md).
    #[arg(long, value_name = "SIZE", default_value_t = super::limits::DEFAULT_MAX_OUTPUT)]
    pub max_output: super::limits::Size,
}

#[derive(clap::Subcommand, Debug)]
pub enum Action {
    /// Merge the directories of `ecsim sweep --shard` into runs.csv and
    /// summary.csv, byte-identical to an unsharded sweep.
    Merge(super::sweep_merge::Args),
}

/// A sweep ready to run: every configuration checked. A configuration whose
/// values are well-formed but rejected (a minimum above a maximum) is listed
/// in `invalid`: its runs fail, the others still run. Scenarios are resolved
/// when their runs start ([`Plan::scenario`]), not kept per configuration, so
/// a sweep's memory grows with its rows, not with its scenarios.
pub struct Plan {
    pub spec: SweepSpec,
    pub configs: Vec<Configuration>,
    /// Configuration index -> why it will not run.
    pub invalid: BTreeMap<usize, String>,
    /// The base scenario's document (with `--set` applied).
    base: toml::Table,
    /// Where the base scenario's relative paths (traces) are read from.
    base_dir: PathBuf,
    pub base_text: String,
    pub sweep_text: String,
    /// The `--set` overrides of the base scenario, as given.
    pub overrides: Vec<String>,
    /// The largest memory one run of any configuration needs (`model::budget`).
    largest_run: u64,
    /// Time series and events one replication of every configuration writes, summed.
    kept_bytes: u64,
    /// Figures a run reports (from the probe runs; 0 when they failed).
    figures: u64,
}

impl Plan {
    /// The size of `runs` runs of this plan on `threads` threads, keeping
    /// each run's files or not (docs/limits.md).
    pub fn shape(&self, runs: usize, threads: usize, keep_runs: bool) -> crate::sweep::budget::Shape {
        let configurations = self.configs.len().max(1) as u128;
        // A share of the runs keeps its share of the files, at the average configuration's size.
        let kept = if keep_runs { u128::from(self.kept_bytes) * runs as u128 / configurations } else { 0 };
        crate::sweep::budget::Shape {
            configurations: self.configs.len() as u64,
            runs: runs as u64,
            figures: self.figures,
            axis_columns: self.spec.axes.iter().map(|a| a.keys.len() as u64).sum(),
            metrics: self.spec.metrics.len() as u64,
            threads: threads as u64,
            largest_run: self.largest_run,
            kept_bytes: u64::try_from(kept).unwrap_or(u64::MAX),
        }
    }

    /// Configuration `index` resolved into a scenario (the base file's text
    /// kept for provenance and the copy in results); `Err` says why it does
    /// not run.
    pub fn scenario(&self, index: usize) -> Result<Scenario, String> {
        if let Some(why) = self.invalid.get(&index) {
            return Err(why.clone());
        }
        self.resolve(index)?.map_err(|d| d.to_string())
    }

    /// The scenario of configuration `index`, or its problems; `Err` when its
    /// document cannot even be built.
    fn resolve(&self, index: usize) -> Result<Result<Scenario, scenario::Diagnostics>, String> {
        let doc = document(&self.spec, &self.base, index).map_err(|e| e.to_string())?;
        let text = toml::to_string(&doc).map_err(|e| format!("configuration {index}: cannot serialise: {e}"))?;
        let label = format!("{} (configuration {index})", self.spec.scenario.display());
        Ok(scenario::load_str(&text, &label, &self.base_dir).map(|mut sc| {
            sc.source_text = self.base_text.clone();
            sc
        }))
    }

    /// Prints, once before the runs, each configuration that will not run and why.
    pub fn warn_invalid(&self) {
        for (index, why) in &self.invalid {
            eprintln!("configuration {index} ({}) will not run: {why}", describe(&self.configs[*index]));
        }
    }
}

/// Describes a configuration for messages: its variant and axis values.
pub fn describe(cfg: &Configuration) -> String {
    let axes: Vec<String> = cfg.axis_values.iter().map(|(k, v)| format!("{k} = {v}")).collect();
    if axes.is_empty() {
        format!("variant \"{}\"", cfg.variant)
    } else {
        format!("variant \"{}\", {}", cfg.variant, axes.join(", "))
    }
}

/// Loads the sweep, expands it and parses every configuration before anything
/// runs. Unknown keys and values of the wrong type stop the sweep here.
pub fn plan(file: &Path) -> Result<Plan, String> {
    plan_with(file, &[])
}

/// [`plan`] with `--set` overrides applied to the base scenario first.
pub fn plan_with(file: &Path, set: &[String]) -> Result<Plan, String> {
    let spec = load_sweep(file).map_err(|e| e.to_string())?;
    let names: Vec<(String, String)> =
        spec.metrics.iter().enumerate().map(|(i, m)| (format!("sweep.metrics[{i}]"), m.clone())).collect();
    plan_spec(file, spec, set, &names)
}

/// The plan of a checked `spec` read from `file`; `names` are the figure
/// names the file gives (with where), checked against a probe run.
pub fn plan_spec(file: &Path, spec: SweepSpec, set: &[String], names: &[(String, String)]) -> Result<Plan, String> {
    let mut base = load_toml_table(&spec.scenario).map_err(|e| e.to_string())?;
    let mut base_text = scenario::read_text(&spec.scenario).map_err(|e| format!("{}: {e}", spec.scenario.display()))?;
    let sweep_text = scenario::read_text(file).map_err(|e| format!("{}: {e}", file.display()))?;
    let base_dir = spec.scenario.parent().unwrap_or(Path::new(".")).to_path_buf();
    // The scenario must be valid on its own: a problem there is the input's, not a variant's.
    scenario::load_str(&base_text, &spec.scenario.display().to_string(), &base_dir).map_err(|d| d.to_string())?;
    if !set.is_empty() {
        super::overrides::check_not_swept(&spec, set)?;
        base_text = super::overrides::load(&spec.scenario, set).map_err(|d| d.to_string())?.source_text;
        base = crate::sweep::parse_toml_table(&base_text, &spec.scenario).map_err(|e| e.to_string())?;
    }
    let configs = expand(&spec, &base).map_err(|e| format!("{}: {e}", file.display()))?;
    let mut plan = Plan {
        spec,
        configs,
        invalid: BTreeMap::new(),
        base,
        base_dir,
        base_text,
        sweep_text,
        overrides: set.to_vec(),
        largest_run: 0,
        kept_bytes: 0,
        figures: 0,
    };
    // Every configuration is resolved once here, to report every problem
    // before anything runs, and dropped: runs resolve their own again.
    // Problem text -> configurations it appears in, so a bad axis value is reported once.
    let mut problems: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for cfg in &plan.configs {
        match plan.resolve(cfg.index)? {
            Ok(sc) => {
                let need = crate::model::budget::estimate(&sc);
                plan.largest_run = plan.largest_run.max(need.memory_bytes);
                plan.kept_bytes =
                    plan.kept_bytes.saturating_add(need.timeseries_bytes.saturating_add(need.events_bytes));
            }
            Err(d) if d.values_ok => {
                let why: Vec<String> = d.problems.iter().map(|p| format!("{}: {}", p.path, p.message)).collect();
                plan.invalid.insert(cfg.index, format!("the configuration is invalid: {}", why.join("; ")));
            }
            Err(d) => {
                for p in d.problems {
                    let what = if p.path.is_empty() { p.message } else { format!("{}: {}", p.path, p.message) };
                    problems.entry(what).or_default().push(format!("configuration {} ({})", cfg.index, describe(cfg)));
                }
            }
        }
    }
    if !problems.is_empty() {
        let mut msg = format!("{}: {} problem(s) in the swept configurations:", file.display(), problems.len());
        for (what, where_) in &problems {
            let first = &where_[0];
            let more = if where_.len() > 1 { format!(" and {} more", where_.len() - 1) } else { String::new() };
            msg.push_str(&format!("\n  {what}\n    in {first}{more}"));
        }
        return Err(msg);
    }
    plan.figures = check_figure_names(file, names, &plan)? as u64;
    Ok(plan)
}

/// Checks figure names against a short run of the first valid configuration
/// of each variant (a variant may add a service, so each one is probed);
/// returns how many figures the probes reported (0 when one failed).
fn check_figure_names(file: &Path, names: &[(String, String)], plan: &Plan) -> Result<usize, String> {
    let mut known = std::collections::BTreeSet::new();
    let mut probed: Vec<&str> = Vec::new();
    for cfg in &plan.configs {
        if probed.contains(&cfg.variant.as_str()) {
            continue;
        }
        if let Ok(sc) = plan.scenario(cfg.index) {
            probed.push(&cfg.variant);
            // A probe that fails tells nothing: leave the names to the runs.
            let Some(figures) = crate::sweep::figures::probe(&sc) else { return Ok(0) };
            known.extend(figures);
        }
    }
    if probed.is_empty() {
        return Ok(0);
    }
    crate::sweep::figures::check(file, &plan.sweep_text, names, &known)?;
    Ok(known.len())
}

/// Runs a sweep's configurations through the simulator (one run per call).
pub struct SimRunner<'a> {
    plan: &'a Plan,
    keep_runs: Option<PathBuf>,
    cancel: Arc<AtomicBool>,
    overrides: &'a [String],
}

impl<'a> SimRunner<'a> {
    /// A runner that keeps only the figures (no per-run files).
    pub fn new(plan: &'a Plan) -> Self {
        Self::keeping(plan, None, Arc::new(AtomicBool::new(false)))
    }

    /// A runner that keeps every run's files under `keep_runs` when given,
    /// and stops at the next clock boundary once `cancel` is set.
    pub fn keeping(plan: &'a Plan, keep_runs: Option<PathBuf>, cancel: Arc<AtomicBool>) -> Self {
        SimRunner { plan, keep_runs, cancel, overrides: &plan.overrides }
    }
}

impl Runner for SimRunner<'_> {
    fn run(&self, cfg: &Configuration, replication: u32) -> Result<Figures, RunError> {
        // Resolved when the run starts and dropped when it ends.
        let sc = &self.plan.scenario(cfg.index).map_err(RunError::Scenario)?;
        let opts = RunOptions { check_invariants: false, cancel: Some(self.cancel.clone()), progress: None };
        let Some(root) = &self.keep_runs else {
            let sink: Box<dyn Sink + Send> = Box::new(NullSink);
            return simulate(sc, replication, opts, sink).map(|o| flatten(&o.summary).into());
        };
        // Every component through the one name check: nothing lands outside `root`.
        let dir = [cfg.variant.clone(), cfg.index.to_string(), replication.to_string()]
            .iter()
            .try_fold(root.clone(), |dir, name| child(&dir, name))
            .map_err(|e| RunError::Output(e.to_string()))?;
        std::fs::create_dir_all(&dir).map_err(|e| RunError::Output(format!("cannot create {}: {e}", dir.display())))?;
        let kept = keep_run(sc, replication, opts, &dir, self.overrides);
        if kept.is_err() {
            // Only finished runs have a directory.
            let _ = std::fs::remove_dir_all(&dir);
        }
        kept
    }
}

/// One run of `--keep-runs` into its own `dir`.
fn keep_run(
    sc: &Scenario,
    replication: u32,
    opts: RunOptions,
    dir: &Path,
    overrides: &[String],
) -> Result<Figures, RunError> {
    let mut sink = CsvSink::create(dir, sc.output.timeseries, sc.output.events).map_err(RunError::Output)?;
    let outcome = simulate(sc, replication, opts, Box::new(&mut sink))?;
    sink.commit().map_err(RunError::Output)?;
    let mut summary = outcome.summary;
    super::overrides::record(&mut summary, overrides);
    write_atomically(&dir.join("summary.json"), summary_text(&summary).as_bytes()).map_err(RunError::Output)?;
    write_atomically(&dir.join("scenario.toml"), sc.source_text.as_bytes()).map_err(RunError::Output)?;
    Ok(flatten(&summary).into())
}

pub fn exec(args: Args) -> Result<(), Failure> {
    if let Some(Action::Merge(merge)) = args.action {
        return super::sweep_merge::exec(merge);
    }
    let Some(file) = args.sweep.clone() else {
        return Err(Failure::Input("ecsim sweep needs a sweep file (or `merge DIR...`)".to_string()));
    };
    super::limits::check_jobs(args.jobs)?;
    super::validate::expect_kind(&file, super::validate::FileKind::Sweep)?;
    let plan = plan_with(&file, &args.set).map_err(Failure::Input)?;
    if args.shard.is_some() || !args.only_missing.is_empty() {
        return super::sweep_shard::exec(&args, &plan);
    }
    let out = args.out.clone().unwrap_or_else(|| Path::new("results").join(&plan.spec.name));
    let runs = plan.configs.len().saturating_mul(plan.spec.replications as usize);
    let jobs = super::limits::sweep_threads(args.jobs, runs);
    super::limits::check_sweep("sweep", &plan.shape(runs, jobs, args.keep_runs), args.max_memory, args.max_output)?;
    plan.warn_invalid();
    let cancel = super::cancel_flag();
    let staged = Staged::begin(&out).map_err(super::commit_failure)?;
    let runner = SimRunner::keeping(&plan, args.keep_runs.then(|| staged.dir().join("runs")), cancel.clone());
    let results = match run_sweep(&plan.spec, &plan.configs, &runner, jobs, &cancel) {
        Ok(results) => results,
        Err(e) => return Err(Failure::Run(format!("{e}; {}", super::settle_stopped(staged, None)))),
    };
    let interrupted = |r: &&crate::sweep::RunRecord| matches!(r.outcome, Err(RunError::Interrupted));
    let failed: Vec<_> = results.runs.iter().filter(|r| r.outcome.is_err() && !interrupted(r)).collect();
    let cut_short = results.runs.iter().filter(interrupted).count();
    eprintln!(
        "sweep {}: {} runs finished, {} failed, {cut_short} interrupted, in {:.1} s",
        plan.spec.name,
        results.runs.len() - failed.len() - cut_short,
        failed.len(),
        results.elapsed.as_secs_f64()
    );
    let unfinished = results.planned - (results.runs.len() - cut_short);
    let texts = (plan.sweep_text.as_str(), plan.base_text.as_str());
    if let Err(e) = write_tables(staged.dir(), &plan.spec, &plan.configs, texts, &results) {
        return Err(Failure::Run(format!("{e}; {}", super::settle_stopped(staged, None))));
    }
    for run in &failed {
        if let Err(e) = &run.outcome {
            eprintln!("run failed: configuration {} replication {}: {e}", run.configuration, run.replication);
        }
    }
    if unfinished > 0 || super::cancelled(&cancel) {
        let finished = results.planned - unfinished;
        let what = (finished > 0).then(|| format!("the rows of the {finished} finished runs"));
        return Err(Failure::Interrupted(format!(
            "{unfinished} of {} runs did not finish; {}",
            results.planned,
            super::settle_stopped(staged, what.as_deref())
        )));
    }
    let unreported = results.unreported_metrics(&plan.spec.metrics);
    if !unreported.is_empty() {
        staged.commit().map_err(super::commit_failure)?;
        return Err(unreported_metrics(&file, &unreported, &out));
    }
    if args.charts
        && let Err(e) = crate::chart::chart_sweep(staged.dir(), args.format)
    {
        return Err(Failure::Run(format!("{e:#}; {}", super::settle_stopped(staged, None))));
    }
    staged.commit().map_err(super::commit_failure)?;
    if !failed.is_empty() {
        return Err(Failure::Run(format!(
            "{} of {} runs failed; the other rows are in {}",
            failed.len(),
            results.planned,
            out.display()
        )));
    }
    eprintln!("results in {}", out.display());
    Ok(())
}

/// runs.csv, summary.csv and the copies of the sweep and scenario files: the
/// files of a sweep directory, whether its runs ran here or in shards.
pub(super) fn write_tables(
    dir: &Path,
    spec: &SweepSpec,
    configs: &[Configuration],
    texts: (&str, &str),
    results: &crate::sweep::SweepResults,
) -> Result<(), String> {
    let (sweep_text, base_text) = texts;
    write_sweep_tables(dir, spec, configs, results).map_err(|e| e.to_string())?;
    write_atomically(&dir.join("sweep.toml"), sweep_text.as_bytes())?;
    write_atomically(&dir.join("scenario.toml"), base_text.as_bytes())
}

/// `sweep.metrics` names figures no run reported (a typo the probe run could
/// not catch): the tables are written, and the command says which.
pub(super) fn unreported_metrics(file: &Path, unreported: &[&str], out: &Path) -> Failure {
    Failure::Input(format!(
        "{}: sweep.metrics names figures no run reported: {}; the columns of runs.csv in {} list the figures",
        file.display(),
        unreported.join(", "),
        out.display()
    ))
}
