//! Runs every (configuration, replication) pair of a sweep on a rayon pool.
//!
//! Results come back in input order whatever the thread count
//! (`par_iter().map().collect()` keeps order), so the CSV files are byte-identical
//! for any `jobs`. A failing (or panicking) run becomes an `error` row and the
//! others go on. Cancellation is cooperative: a run checks the flag before it
//! starts, finished runs are kept, unstarted ones are simply absent.

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rayon::prelude::*;
use thiserror::Error;

use super::figure_row::FigureNames;
pub use super::figure_row::Figures;
use super::grid::Configuration;
use super::spec::SweepSpec;
use crate::model::RunError;

/// What the sweep needs from the simulator: run one configuration's document
/// for one replication and return its figures, or why not.
/// The simulator derives its random streams from (seed, replication, stream name),
/// so replication k of every configuration sees the same randomness.
pub trait Runner: Sync {
    fn run(&self, cfg: &Configuration, replication: u32) -> Result<Figures, RunError>;
}

/// One finished run.
#[derive(Debug, Clone, PartialEq)]
pub struct RunRecord {
    /// [`Configuration::index`] of the configuration that ran.
    pub configuration: usize,
    pub replication: u32,
    /// The configuration document's `simulation.seed`, when it is an integer.
    pub seed: Option<i64>,
    /// Figures (non-finite values already turned into null), or why the run failed.
    pub outcome: Result<Figures, RunError>,
}

/// Every run that finished, in (configuration, replication) order.
#[derive(Debug, Clone, PartialEq)]
pub struct SweepResults {
    pub runs: Vec<RunRecord>,
    /// Runs the sweep asked for; more than `runs.len()` after a cancellation.
    pub planned: usize,
    /// Wall-clock time, for the progress line only (never written to a file).
    pub elapsed: Duration,
}

impl SweepResults {
    pub fn failed(&self) -> usize {
        self.runs.iter().filter(|run| run.outcome.is_err()).count()
    }

    /// Runs never started because the sweep was cancelled.
    pub fn unfinished(&self) -> usize {
        self.planned.saturating_sub(self.runs.len())
    }

    /// Metrics that no successful run reported (a likely typo in `metrics`),
    /// in the order given; empty when every run failed, since then nothing is known.
    pub fn unreported_metrics<'a>(&self, metrics: &'a [String]) -> Vec<&'a str> {
        let mut reported = self.runs.iter().filter_map(|run| run.outcome.as_ref().ok()).peekable();
        if reported.peek().is_none() {
            return Vec::new();
        }
        let names: std::collections::BTreeSet<&str> = reported.flat_map(|figures| figures.keys()).collect();
        metrics.iter().map(String::as_str).filter(|metric| !names.contains(metric)).collect()
    }
}

#[derive(Debug, Error)]
pub enum ExecError {
    #[error("cannot start {jobs} worker thread(s) for the sweep: {message}")]
    ThreadPool { jobs: usize, message: String },
}

/// A run of the sweep: (configuration index, replication).
pub type RunKey = (usize, u32);

/// Every run of the sweep in input order (configurations, then replications).
pub fn all_runs(configs: &[Configuration], replications: u32) -> Vec<RunKey> {
    configs.iter().flat_map(|config| (0..replications).map(move |replication| (config.index, replication))).collect()
}

/// Runs `configs` × `spec.replications` on `jobs` threads (0 = one per core,
/// rayon's default). Shows a progress bar when stderr is a terminal.
pub fn run_sweep<R: Runner + ?Sized>(
    spec: &SweepSpec,
    configs: &[Configuration],
    runner: &R,
    jobs: usize,
    cancel: &AtomicBool,
) -> Result<SweepResults, ExecError> {
    run_selected(spec, configs, &all_runs(configs, spec.replications), runner, jobs, cancel)
}

/// Runs only `runs` (configuration index, replication), in that order: a
/// shard's share of the sweep, the runs other shards did not finish, or
/// the pairs a search (`ecsim optimize`) chooses for its next round.
pub fn run_selected<R: Runner + ?Sized>(
    spec: &SweepSpec,
    configs: &[Configuration],
    runs: &[RunKey],
    runner: &R,
    jobs: usize,
    cancel: &AtomicBool,
) -> Result<SweepResults, ExecError> {
    let by_index: BTreeMap<usize, &Configuration> = configs.iter().map(|config| (config.index, config)).collect();
    let pairs: Vec<(&Configuration, u32)> = runs
        .iter()
        .filter_map(|&(index, replication)| by_index.get(&index).map(|config| (*config, replication)))
        .collect();
    run_pairs(&spec.name, &pairs, runner, jobs, cancel)
}

/// Runs the given (configuration, replication) pairs on `jobs` threads;
/// results in the order given, whatever the thread count.
fn run_pairs<R: Runner + ?Sized>(
    name: &str,
    pairs: &[(&Configuration, u32)],
    runner: &R,
    jobs: usize,
    cancel: &AtomicBool,
) -> Result<SweepResults, ExecError> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(jobs)
        .thread_name(|index| format!("sweep-{index}"))
        .build()
        .map_err(|error| ExecError::ThreadPool { jobs, message: error.to_string() })?;

    let progress = progress_bar(name, pairs.len());
    let failed = AtomicUsize::new(0);
    let names = FigureNames::new();
    let started = Instant::now();
    let finished: Vec<Option<RunRecord>> = pool.install(|| {
        pairs
            .par_iter()
            .map(|&(config, replication)| {
                if cancel.load(Ordering::Relaxed) {
                    return None;
                }
                let record = run_one(runner, config, replication, &names);
                if record.outcome.is_err() {
                    let count = failed.fetch_add(1, Ordering::Relaxed) + 1;
                    progress.set_message(format!("{count} failed"));
                }
                progress.inc(1);
                Some(record)
            })
            .collect()
    });
    let results = SweepResults {
        runs: finished.into_iter().flatten().collect(),
        planned: pairs.len(),
        elapsed: started.elapsed(),
    };
    progress.finish_and_clear();
    Ok(results)
}

/// Runs one pair, turning a panic into an error row so the sweep survives it;
/// the figures' names go in the sweep's one list of `names`.
fn run_one<R: Runner + ?Sized>(runner: &R, config: &Configuration, replication: u32, names: &FigureNames) -> RunRecord {
    let outcome = match catch_unwind(AssertUnwindSafe(|| runner.run(config, replication))) {
        Ok(Ok(figures)) => Ok(names.intern(figures.finite_only())),
        Ok(Err(error)) => Err(error),
        Err(payload) => Err(RunError::Panicked(panic_text(payload.as_ref()).to_string())),
    };
    RunRecord { configuration: config.index, replication, seed: config.seed, outcome }
}

fn panic_text(payload: &(dyn std::any::Any + Send)) -> &str {
    if let Some(text) = payload.downcast_ref::<&str>() {
        text
    } else if let Some(text) = payload.downcast_ref::<String>() {
        text
    } else {
        "no message"
    }
}

/// A bar on a terminal; hidden otherwise (logs and pipes get the final line only).
fn progress_bar(name: &str, total: usize) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::with_draw_target(Some(total as u64), ProgressDrawTarget::hidden());
    }
    let bar = ProgressBar::new(total as u64);
    if let Ok(style) = ProgressStyle::with_template("{prefix} {wide_bar} {pos}/{len} runs  {per_sec}  ETA {eta}  {msg}")
    {
        bar.set_style(style);
    }
    bar.set_prefix(format!("sweep {name}"));
    bar
}

#[cfg(test)]
mod tests {
    use std::path::Path;
    use std::sync::Mutex;

    use super::super::grid::expand;
    use super::super::spec::{load_toml_table, parse_sweep};
    use super::*;

    fn grid(replications: u32) -> (SweepSpec, Vec<Configuration>) {
        let text = format!(
            "[sweep]\nname = \"t\"\nscenario = \"reference.toml\"\nreplications = {replications}\n\
             [[axes]]\nkey = \"services[web].desired_count\"\nvalues = [2, 4, 6]\n"
        );
        let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sweep/t.toml");
        let spec = parse_sweep(&text, &file).unwrap();
        let base = load_toml_table(&spec.scenario).unwrap();
        let configs = expand(&spec, &base).unwrap();
        (spec, configs)
    }

    /// Figures from the document, so the test can tell configurations apart.
    struct Fake {
        fail: Option<(usize, u32)>,
        panic_at: Option<(usize, u32)>,
        cancel_after: Option<(usize, &'static AtomicBool)>,
        calls: Mutex<Vec<(usize, u32)>>,
    }

    impl Fake {
        fn new() -> Self {
            Fake { fail: None, panic_at: None, cancel_after: None, calls: Mutex::new(Vec::new()) }
        }
    }

    impl Runner for Fake {
        fn run(&self, cfg: &Configuration, replication: u32) -> Result<Figures, RunError> {
            if let Ok(mut calls) = self.calls.lock() {
                calls.push((cfg.index, replication));
                if let Some((count, flag)) = self.cancel_after
                    && calls.len() == count
                {
                    flag.store(true, Ordering::Relaxed);
                }
            }
            if self.fail == Some((cfg.index, replication)) {
                return Err(RunError::Output("no capacity".to_string()));
            }
            if self.panic_at == Some((cfg.index, replication)) {
                panic!("boom at {}", cfg.index);
            }
            let desired = cfg.axis_values[0].1.as_integer().unwrap_or(-1) as f64;
            Ok(Figures::from([
                ("tasks.started".to_string(), Some(desired + f64::from(replication))),
                ("latency.p99_ms".to_string(), Some(f64::NAN)),
            ]))
        }
    }

    #[test]
    fn runs_every_pair_in_order_with_the_scenario_seed() {
        let (spec, configs) = grid(2);
        let results = run_sweep(&spec, &configs, &Fake::new(), 2, &AtomicBool::new(false)).unwrap();
        assert_eq!(results.planned, 6);
        let order: Vec<(usize, u32)> = results.runs.iter().map(|r| (r.configuration, r.replication)).collect();
        assert_eq!(order, [(0, 0), (0, 1), (1, 0), (1, 1), (2, 0), (2, 1)]);
        assert!(results.runs.iter().all(|run| run.seed == Some(42)));
        let started: Vec<Option<f64>> =
            results.runs.iter().map(|run| run.outcome.as_ref().unwrap()["tasks.started"]).collect();
        assert_eq!(started, [Some(2.0), Some(3.0), Some(4.0), Some(5.0), Some(6.0), Some(7.0)]);
        // A NaN figure is undefined: null, like summary.json writes it.
        assert_eq!(results.runs[0].outcome.as_ref().unwrap()["latency.p99_ms"], None);
    }

    #[test]
    fn a_failing_run_leaves_the_others() {
        let (spec, configs) = grid(2);
        let runner = Fake { fail: Some((1, 0)), panic_at: Some((2, 1)), ..Fake::new() };
        let results = run_sweep(&spec, &configs, &runner, 2, &AtomicBool::new(false)).unwrap();
        assert_eq!(results.runs.len(), 6);
        assert_eq!(results.failed(), 2);
        assert_eq!(results.runs[2].outcome, Err(RunError::Output("no capacity".to_string())));
        assert_eq!(results.runs[5].outcome, Err(RunError::Panicked("boom at 2".to_string())));
        let message = results.runs[5].outcome.as_ref().err().map(ToString::to_string);
        assert_eq!(message.as_deref(), Some("the simulator panicked: boom at 2"));
        assert!(results.runs[3].outcome.is_ok());
        assert!(results.runs[4].outcome.is_ok());
    }

    #[test]
    fn cancellation_keeps_finished_runs_and_skips_the_rest() {
        static CANCEL: AtomicBool = AtomicBool::new(false);
        let (spec, configs) = grid(3);
        let runner = Fake { cancel_after: Some((4, &CANCEL)), ..Fake::new() };
        // One thread runs pairs in input order, so exactly the first four finish.
        let results = run_sweep(&spec, &configs, &runner, 1, &CANCEL).unwrap();
        assert_eq!(results.planned, 9);
        assert_eq!(results.unfinished(), 5);
        let order: Vec<(usize, u32)> = results.runs.iter().map(|r| (r.configuration, r.replication)).collect();
        assert_eq!(order, [(0, 0), (0, 1), (0, 2), (1, 0)]);
    }

    #[test]
    fn reports_metrics_no_run_produced() {
        let (spec, configs) = grid(1);
        let results = run_sweep(&spec, &configs, &Fake::new(), 1, &AtomicBool::new(false)).unwrap();
        let metrics = vec!["tasks.started".to_string(), "cost.totl_usd".to_string()];
        assert_eq!(results.unreported_metrics(&metrics), ["cost.totl_usd"]);
    }
}
