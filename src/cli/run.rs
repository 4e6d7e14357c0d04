//! `ecsim run`: simulate one scenario (all its replications) and write the results.

use super::Failure;
use crate::chart::ChartFormat;
use crate::model::{RunOptions, simulate};
use crate::report::{CsvSink, Staged, summary_text, write_atomically};
use crate::scenario::Scenario;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::sync::Arc;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Scenario file (TOML).
    pub scenario: PathBuf,
    /// Results directory [default: results/<scenario name>].
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Override simulation.seed.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Override simulation.replications.
    #[arg(long)]
    pub replications: Option<u32>,
    /// Also draw the charts and report.html.
    #[arg(long)]
    pub charts: bool,
    /// Chart format with --charts.
    #[arg(long, default_value = "both")]
    pub format: ChartFormat,
    /// Check the model's invariants after every event (slow).
    #[arg(long)]
    pub check_invariants: bool,
    /// Print nothing but errors.
    #[arg(short, long)]
    pub quiet: bool,
    /// Observed minutes (CSV: time,service,metric,value) to compare the run with:
    /// writes observed-vs-simulated.json (and replay charts with --charts).
    #[arg(long)]
    pub observed: Option<PathBuf>,
    /// Override a key of the scenario before it is checked, e.g.
    /// `--set 'services[web].desired_count=6'` (a key path, '=', a TOML value); repeatable.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    /// Refuse a run whose estimated memory is above this (e.g. 8GB; docs/limits.md).
    #[arg(long, value_name = "SIZE", default_value_t = super::limits::DEFAULT_MAX_MEMORY)]
    pub max_memory: super::limits::Size,
    /// Refuse a run whose estimated time series are larger than this (e.g. 60GB; docs/limits.md).
    #[arg(long, value_name = "SIZE", default_value_t = super::limits::DEFAULT_MAX_OUTPUT)]
    pub max_output: super::limits::Size,
}

pub fn exec(args: Args) -> Result<(), Failure> {
    super::validate::expect_kind(&args.scenario, super::validate::FileKind::Scenario)?;
    let mut sc = super::overrides::load(&args.scenario, &args.set).map_err(|d| Failure::Input(d.to_string()))?;
    if let Some(seed) = args.seed {
        sc.seed = seed;
    }
    if let Some(r) = args.replications {
        if r == 0 || r > 10_000 {
            return Err(Failure::Input(format!("--replications {r} is out of range; expected 1 to 10000")));
        }
        sc.replications = r;
    }
    super::limits::check(&sc, sc.replications, args.max_memory, args.max_output)?;
    let observed = match &args.observed {
        Some(path) => {
            crate::calibrate::replay::check_outputs(&sc).map_err(Failure::Input)?;
            Some(crate::observed::read(path).map_err(|e| Failure::Input(e.to_string()))?)
        }
        None => None,
    };
    let out = args.out.clone().unwrap_or_else(|| Path::new("results").join(&sc.name));
    let cancel = super::cancel_flag();
    let staged = Staged::begin(&out).map_err(super::commit_failure)?;
    let mut summaries = Vec::new();
    for rep in 0..sc.replications {
        let dir = if sc.replications == 1 {
            staged.dir().to_path_buf()
        } else {
            staged.dir().join(format!("replication-{rep}"))
        };
        let made = if sc.replications == 1 { Ok(()) } else { create_replication_dir(&dir) };
        let summary = match made.and_then(|()| run_one(&sc, rep, &dir, &args, cancel.clone())) {
            Ok(summary) => summary,
            Err(failure) => return Err(stopped(failure, staged, &sc, rep, Some(&dir))),
        };
        if !args.quiet {
            print_summary(&sc, &summary, &staged.shown(&dir));
        }
        summaries.push(summary);
        let extras = (|| {
            if args.charts {
                let written = crate::chart::chart_run(&dir, args.format).map_err(|e| Failure::Run(format!("{e:#}")))?;
                if !args.quiet {
                    let charts = staged.shown(&dir.join(crate::chart::CHARTS_DIR));
                    println!("  charts         {} files in {}", written.len(), charts.display());
                }
            }
            if let Some(obs) = &observed {
                let charts = args.charts.then_some(args.format);
                let written = crate::calibrate::replay::write_check(&sc, obs, &dir, charts).map_err(Failure::Run)?;
                if !args.quiet {
                    println!("  observed       {}", staged.shown(&written[0]).display());
                }
            }
            Ok(())
        })();
        if let Err(failure) = extras {
            return Err(stopped(failure, staged, &sc, rep + 1, None));
        }
    }
    if sc.replications > 1 {
        if let Err(failure) = write_replication_summary(staged.dir(), &summaries) {
            return Err(stopped(failure, staged, &sc, sc.replications, None));
        }
        if !args.quiet {
            let summary = staged.shown(&staged.dir().join("summary.csv"));
            println!("summary of {} replications: {}", sc.replications, summary.display());
        }
    }
    if super::cancelled(&cancel) {
        let finished = format!("the {} finished replication(s)", sc.replications);
        let what = super::settle_stopped(staged, Some(&finished));
        return Err(Failure::Interrupted(format!(
            "the run of {} stopped before its results replaced the previous ones; {what}",
            sc.name
        )));
    }
    staged.commit().map_err(super::commit_failure)
}

/// What a run that stopped at replication `rep` (0-based; `unfinished` its
/// directory, if it has one of its own) leaves: interrupted, the replications
/// before it move to `OUT.partial`; failed, nothing is kept. `OUT` is
/// untouched either way.
fn stopped(failure: Failure, staged: Staged, sc: &Scenario, rep: u32, unfinished: Option<&Path>) -> Failure {
    match failure {
        Failure::Interrupted(_) => {
            if let Some(dir) = unfinished.filter(|_| sc.replications > 1) {
                let _ = std::fs::remove_dir_all(dir);
            }
            let finished = format!("the {rep} finished replication(s)");
            let what = super::settle_stopped(staged, (rep > 0 && sc.replications > 1).then_some(finished.as_str()));
            Failure::Interrupted(format!("the run of {} stopped; {what}", sc.name))
        }
        Failure::Input(m) => Failure::Input(format!("{m}; {}", super::settle_stopped(staged, None))),
        Failure::Run(m) => Failure::Run(format!("{m}; {}", super::settle_stopped(staged, None))),
        // Only `ecsim diff` raises a condition; a run never does, but keep its meaning.
        Failure::Condition(m) => Failure::Condition(format!("{m}; {}", super::settle_stopped(staged, None))),
    }
}

/// One replication into `dir` (inside the fresh results directory): time
/// series and events streamed to temporary files, renamed into place with
/// summary.json only when the run completes.
fn run_one(
    sc: &Scenario,
    rep: u32,
    dir: &Path,
    args: &Args,
    cancel: Arc<std::sync::atomic::AtomicBool>,
) -> Result<Value, Failure> {
    let mut sink = CsvSink::create(dir, sc.output.timeseries, sc.output.events).map_err(Failure::Run)?;
    let bar = if args.quiet {
        indicatif::ProgressBar::hidden()
    } else {
        super::progress_bar(
            sc.duration.as_millis() / 60_000,
            "{prefix} [{bar:30}] {percent}% of simulated time, {elapsed}",
        )
    };
    bar.set_prefix(sc.name.clone());
    let opts =
        RunOptions { check_invariants: args.check_invariants, cancel: Some(cancel), progress: Some(bar.clone()) };
    let outcome = simulate(sc, rep, opts, Box::new(&mut sink));
    bar.finish_and_clear();
    // The caller says what became of the outputs.
    let outcome = outcome.map_err(|e| Failure::from_run(e, String::new))?;
    sink.commit().map_err(Failure::Run)?;
    let mut summary = outcome.summary;
    super::overrides::record(&mut summary, &args.set);
    write_atomically(&dir.join("scenario.toml"), sc.source_text.as_bytes()).map_err(Failure::Run)?;
    write_atomically(&dir.join("summary.json"), summary_text(&summary).as_bytes()).map_err(Failure::Run)?;
    Ok(summary)
}

fn create_replication_dir(dir: &Path) -> Result<(), Failure> {
    std::fs::create_dir(dir).map_err(|e| Failure::Run(format!("cannot create {}: {e}", dir.display())))
}

fn write_replication_summary(out: &Path, summaries: &[Value]) -> Result<(), Failure> {
    let flat: Vec<_> = summaries.iter().map(crate::report::flatten).collect();
    let mut keys: Vec<&String> = flat.iter().flat_map(|f| f.keys()).collect();
    keys.sort();
    keys.dedup();
    let mut text = String::from("figure,n,mean,sd,ci95\n");
    for k in keys {
        let values: Vec<f64> = flat.iter().filter_map(|f| f.get(k).copied().flatten()).collect();
        let s = crate::sweep::summarize(&values);
        let cell = |v: Option<f64>| v.map(crate::fmt::fmt_f64).unwrap_or_default();
        text.push_str(&format!("{k},{},{},{},{}\n", s.n, cell(s.mean), cell(s.sd), cell(s.ci95)));
    }
    write_atomically(&out.join("summary.csv"), text.as_bytes()).map_err(Failure::Run)
}

fn get<'a>(v: &'a Value, path: &str) -> &'a Value {
    path.split('.').fold(v, |v, k| v.get(k).unwrap_or(&Value::Null))
}

fn f(v: &Value, path: &str) -> f64 {
    get(v, path).as_f64().unwrap_or(0.0)
}

/// `cost.by_item` keys with the words the console uses for them.
fn item_labels() -> [(&'static str, &'static str); 6] {
    let keys = crate::model::cost_items::ITEM_KEYS;
    let labels = ["compute", "savings plan", "load balancer", "public IPv4", "data transfer", "storage"];
    std::array::from_fn(|k| (keys[k], labels[k]))
}

/// The short human summary on stdout (progress and errors go to stderr).
fn print_summary(sc: &Scenario, s: &Value, dir: &Path) {
    let rep = get(s, "replication").as_u64().unwrap_or(0);
    println!("{} (seed {}, {}, replication {rep})", sc.name, sc.seed, sc.duration);
    let providers: Vec<String> = sc
        .providers
        .iter()
        .map(|p| format!("{} ${:.2}", p.name, f(s, &format!("cost.by_provider.{}", p.name))))
        .collect();
    println!("  cost           ${:.2}  ({})", f(s, "cost.total_usd"), providers.join(", "));
    // The items line appears once anything beyond compute is charged (Savings Plans, [cost] items).
    let items: Vec<(&str, f64)> =
        item_labels().iter().map(|&(key, label)| (label, f(s, &format!("cost.by_item.{key}")))).collect();
    if items[1..].iter().any(|(_, usd)| *usd != 0.0) {
        let parts: Vec<String> = items.iter().map(|(label, usd)| format!("{label} ${usd:.2}")).collect();
        println!("  cost by item   {}", parts.join(", "));
    }
    let offered = f(s, "requests.total");
    let availability = get(s, "requests.availability").as_f64();
    match availability {
        Some(a) => println!(
            "  requests       {offered:.0} offered, {:.3}% served, {:.0} failed",
            a * 100.0,
            f(s, "requests.failed")
        ),
        None => println!("  requests       none offered"),
    }
    let ms = |k: &str| get(s, k).as_f64().map_or("-".to_string(), |x| format!("{x:.1} ms"));
    println!(
        "  latency        p50 {}, p95 {}, p99 {}",
        ms("latency.p50_ms"),
        ms("latency.p95_ms"),
        ms("latency.p99_ms")
    );
    let worst = get(s, "slo.worst_service").as_str().filter(|w| !w.is_empty());
    if !sc.services.iter().any(|svc| svc.workload.slo.is_some()) {
        println!("  SLO            none set (services[].workload.slo)");
    } else if let Some(worst) = worst {
        println!(
            "  SLO            {} violation minutes (worst service: {worst}, {} minutes)",
            f(s, "slo.violation_minutes"),
            f(s, &format!("services.{worst}.slo.violation_minutes"))
        );
    } else {
        println!("  SLO            {} violation minutes", f(s, "slo.violation_minutes"));
    }
    println!(
        "  tasks          {} started, {} interrupted, {:.1} pending task-minutes",
        f(s, "tasks.started"),
        f(s, "tasks.interrupted"),
        f(s, "tasks.pending_task_minutes")
    );
    let unplaced = f(s, "tasks.unplaced_at_start");
    if unplaced > 0.0 {
        let why = match sc.initial_state {
            crate::scenario::InitialState::Cold => "the cold start's instances were still launching",
            crate::scenario::InitialState::Steady => "the initial capacity had no room for them",
        };
        println!(
            "  placement      {unplaced} tasks could not be placed at start ({why}; see placement_failed in events.csv)"
        );
    }
    println!(
        "  instances      {} launched, peak {}, {} interrupted",
        f(s, "instances.launched"),
        f(s, "instances.peak"),
        f(s, "instances.interrupted")
    );
    println!(
        "  scaling        {} actions ({} out, {} in)",
        f(s, "scaling.actions"),
        f(s, "scaling.scale_out"),
        f(s, "scaling.scale_in")
    );
    println!("  results        {}", dir.display());
}
