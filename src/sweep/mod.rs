//! Parameter sweeps: run one scenario over a grid of overrides, each point for
//! several replications, in parallel, and tabulate the figures.
//!
//! The flow is one way, one file per step:
//! - [`spec`]: read and check the sweep file ([`load_sweep`]) and the base
//!   scenario as a plain TOML table ([`load_toml_table`]);
//! - [`path`]: bracket-aware key paths (`services[web].desired_count`) that
//!   read and set values in a TOML document;
//! - [`grid`]: expand variants × axes into [`Configuration`]s, reporting every
//!   override that does not apply before anything runs;
//! - [`exec`]: run every (configuration, replication) through a [`Runner`] on a
//!   rayon pool, in input order, with progress and cancellation;
//! - [`stats`]: mean, sample sd and Student-t 95% confidence half-width;
//! - [`write`]: `runs.csv` and `summary.csv`, atomically;
//! - [`shard`]: a share of the runs for another machine, and the merge of
//!   the shares back into the files one machine would write.
//!
//! The caller supplies the simulator as a [`Runner`] (typed parsing of each
//! configuration's document, then one simulation, then flattened figures):
//!
//! ```ignore
//! let spec = sweep::load_sweep(Path::new("scenarios/reference-sweep.toml"))?;
//! let base = sweep::load_toml_table(&spec.scenario)?;
//! let configs = sweep::expand(&spec, &base)?;
//! // The runner builds a configuration's document when its run starts: sweep::document(&spec, &base, index).
//! let results = sweep::run_sweep(&spec, &configs, &simulator, jobs, &cancel)?;
//! sweep::write_sweep_tables(out_dir, &spec, &configs, &results)?;
//! ```

mod axes;
pub mod budget;
pub mod exec;
pub mod figure_row;
pub mod figures;
pub mod grid;
pub mod path;
pub mod shard;
pub mod spec;
pub mod stats;
pub mod write;

pub use exec::{ExecError, RunRecord, Runner, SweepResults, run_selected, run_sweep};
pub use figure_row::{FigureNames, Figures};
pub use grid::{Configuration, GridError, GridProblem, document, expand};
pub use path::{Assignment, AssignmentError, KeyPath, PathError, PathErrorKind, Segment, Step, get_path, set_path};
pub use spec::{
    Axis, Problem, SpecError, SweepSpec, Variant, load_sweep, load_toml_table, parse_sweep, parse_toml_table,
};
pub use stats::{Summary, student_t_quantile, summarize};
pub use write::{WriteError, runs_csv, summary_csv, write_atomically, write_sweep_tables};

#[cfg(test)]
mod tests {
    use std::fs;
    use std::path::{Path, PathBuf};
    use std::sync::atomic::AtomicBool;
    use std::time::Duration;

    use toml::Value;

    use super::*;
    use crate::model::RunError;

    const TARGET: &str = "services[web].auto_scaling.target_tracking[cpu60].target_value";
    const WEIGHT: &str = "services[web].capacity_provider_strategy[FARGATE_SPOT].weight";
    const DRAINING: &str = "capacity_providers[ec2-spot].enable_spot_draining";

    /// Figures derived from the overridden values, after a sleep that varies by
    /// run so that, on two threads, runs finish out of order.
    struct SleepyFake(SweepSpec, toml::Table);

    impl Runner for SleepyFake {
        fn run(&self, cfg: &Configuration, replication: u32) -> Result<Figures, RunError> {
            let sleep_ms = (cfg.index as u64 * 7 + u64::from(replication) * 3) % 4;
            std::thread::sleep(Duration::from_millis(sleep_ms));
            if cfg.index == 5 && replication == 3 {
                return Err(RunError::Output("simulated failure".to_string()));
            }
            // Built from the grid as the simulator's runner builds it.
            let doc = document(&self.0, &self.1, cfg.index).map_err(|e| RunError::Scenario(e.to_string()))?;
            let integer = |path: &str| {
                get_path(&doc, path)
                    .and_then(Value::as_integer)
                    .ok_or_else(|| RunError::Scenario(format!("{path} is not an integer")))
            };
            let target = integer(TARGET)? as f64;
            let weight = integer(WEIGHT)? as f64;
            let draining = get_path(&doc, DRAINING).and_then(Value::as_bool) == Some(true);
            let rep = f64::from(replication);
            Ok(Figures::from([
                ("cost.total_usd".to_string(), Some(target + 10.0 * weight + rep)),
                ("requests.availability".to_string(), Some(if draining { 0.999 } else { 0.99 })),
                ("latency.p99_ms".to_string(), (replication != 0).then_some(100.0 + rep)),
                ("cost.by_provider.FARGATE".to_string(), Some(0.25 * rep)),
            ]))
        }
    }

    fn run_reference(jobs: usize, name: &str) -> (PathBuf, SweepResults) {
        let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sweep/reference-sweep.toml");
        let spec = load_sweep(&file).unwrap();
        let base = load_toml_table(&spec.scenario).unwrap();
        let configs = expand(&spec, &base).unwrap();
        let fake = SleepyFake(spec.clone(), base);
        let results = run_sweep(&spec, &configs, &fake, jobs, &AtomicBool::new(false)).unwrap();
        let dir = std::env::temp_dir().join(format!("sweep-e2e-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        write_sweep_tables(&dir, &spec, &configs, &results).unwrap();
        (dir, results)
    }

    #[test]
    fn outputs_are_byte_identical_for_one_and_two_threads() {
        let (one, results_one) = run_reference(1, "j1");
        let (two, results_two) = run_reference(2, "j2");
        assert_eq!(results_one.planned, 320);
        assert_eq!(results_one.runs.len(), 320);
        assert_eq!(results_one.failed(), 1);
        assert_eq!(results_one.runs, results_two.runs);
        for file in ["runs.csv", "summary.csv"] {
            let bytes_one = fs::read(one.join(file)).unwrap();
            let bytes_two = fs::read(two.join(file)).unwrap();
            assert!(bytes_one == bytes_two, "{file} differs between -j1 and -j2");
        }

        let runs = fs::read_to_string(one.join("runs.csv")).unwrap();
        let lines: Vec<&str> = runs.lines().collect();
        assert_eq!(lines.len(), 321);
        assert_eq!(
            lines[0],
            format!(
                "configuration,variant,{TARGET},{WEIGHT},replication,seed,status,error,\
                 cost.by_provider.FARGATE,cost.total_usd,latency.p99_ms,requests.availability"
            )
        );
        assert_eq!(lines[1], "0,spot-draining,40,0,0,42,ok,,0,40,,0.999");
        // Configuration 5 is (spot-draining, target 50, weight 1); its 4th run failed.
        assert_eq!(lines[5 * 8 + 4], "5,spot-draining,50,1,3,42,error,simulated failure,,,,");
        assert_eq!(lines[320], "39,no-spot-draining,80,9,7,42,ok,,1.75,177,107,0.99");

        let summary = fs::read_to_string(one.join("summary.csv")).unwrap();
        let lines: Vec<&str> = summary.lines().collect();
        assert_eq!(lines.len(), 41);
        assert_eq!(
            lines[0],
            format!(
                "configuration,variant,{TARGET},{WEIGHT},runs,cost.total_usd.mean,\
                 cost.total_usd.sd,cost.total_usd.ci95,requests.availability.mean,\
                 requests.availability.sd,requests.availability.ci95,latency.p99_ms.mean,\
                 latency.p99_ms.sd,latency.p99_ms.ci95"
            )
        );
        // Configuration 0: cost 40..47: mean 43.5, sd √6; availability constant;
        // latency defined for replications 1..7: 101..107, mean 104, sd √(28/6).
        let cells: Vec<&str> = lines[1].split(',').collect();
        assert_eq!(&cells[..7], ["0", "spot-draining", "40", "0", "8", "43.5", "2.449489742783178"]);
        let ci_cost: f64 = cells[7].parse().unwrap();
        assert!((ci_cost - 2.364_624_251_592_785 * 6.0_f64.sqrt() / 8.0_f64.sqrt()).abs() < 1e-12);
        assert_eq!(&cells[8..12], ["0.999", "0", "0", "104"]);
        let sd_latency: f64 = cells[12].parse().unwrap();
        assert!((sd_latency - (28.0_f64 / 6.0).sqrt()).abs() < 1e-12);
        let ci_latency: f64 = cells[13].parse().unwrap();
        assert!((ci_latency - 2.446_911_851_144_969 * sd_latency / 7.0_f64.sqrt()).abs() < 1e-12);
        // Configuration 5 lost one replication: runs = 7.
        assert!(lines[6].starts_with("5,spot-draining,50,1,7,"));

        fs::remove_dir_all(&one).unwrap();
        fs::remove_dir_all(&two).unwrap();
    }
}
