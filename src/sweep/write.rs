//! `runs.csv` and `summary.csv` of a sweep directory (columns in CHANGELOG.md
//! and docs/conventions.md, "Outputs"), each written atomically
//! ([`crate::report::atomic`]): an exclusive temporary file in the same
//! directory, fsync, rename. A crash or Ctrl-C never leaves a half-written file.
//!
//! Numbers print in their shortest round-trip form (`fmt::fmt_f64`): 3.0
//! prints `3`, 0.1 prints `0.1`, 1e-7 prints `1e-7`. Null is an empty cell.

use std::collections::{BTreeMap, BTreeSet};
use std::io;
use std::path::{Path, PathBuf};

use thiserror::Error;
use toml::Value;

use super::exec::{RunRecord, SweepResults};
use super::grid::Configuration;
use super::path::KeyPath;
use super::spec::SweepSpec;
use super::stats::summarize;

#[derive(Debug, Error)]
#[error("cannot write {}: {io}", .path.display())]
pub struct WriteError {
    pub path: PathBuf,
    pub io: io::Error,
}

/// Writes `DIR/runs.csv` and `DIR/summary.csv` (the directory must exist).
pub fn write_sweep_tables(
    dir: &Path,
    spec: &SweepSpec,
    configs: &[Configuration],
    results: &SweepResults,
) -> Result<(), WriteError> {
    let runs_path = dir.join("runs.csv");
    let runs = runs_csv(spec, configs, results).map_err(|io| WriteError { path: runs_path.clone(), io })?;
    write_atomically(&runs_path, &runs)?;
    let summary_path = dir.join("summary.csv");
    let summary = summary_csv(spec, configs, results).map_err(|io| WriteError { path: summary_path.clone(), io })?;
    write_atomically(&summary_path, &summary)
}

/// runs.csv: one row per finished run; the figure columns are the union of the
/// figure names of all runs, sorted, so every row has the same columns. A figure
/// that repeats a run column (summary.json's own `replication` and `seed`) is
/// left out: column names are unique.
pub fn runs_csv(spec: &SweepSpec, configs: &[Configuration], results: &SweepResults) -> io::Result<Vec<u8>> {
    let mut header = vec!["configuration", "variant"];
    header.extend(spec.axes.iter().flat_map(|axis| axis.keys.iter().map(KeyPath::as_str)));
    header.extend(["replication", "seed", "status", "error"]);
    let figure_names: BTreeSet<&str> = results
        .runs
        .iter()
        .filter_map(|run| run.outcome.as_ref().ok())
        .flat_map(|figures| figures.keys())
        .filter(|name| !header.contains(name))
        .collect();
    let by_index = index_configurations(configs);

    let mut writer = csv::Writer::from_writer(Vec::new());
    header.extend(figure_names.iter().copied());
    writer.write_record(&header)?;

    for run in &results.runs {
        let mut row = configuration_cells(run.configuration, spec, &by_index);
        row.push(run.replication.to_string());
        row.push(run.seed.map(|seed| seed.to_string()).unwrap_or_default());
        match &run.outcome {
            Ok(figures) => {
                row.push("ok".to_string());
                row.push(String::new());
                row.extend(figure_names.iter().map(|name| number_cell(figures.get(name).copied().flatten())));
            }
            Err(error) => {
                row.push("error".to_string());
                row.push(error.to_string());
                row.extend(figure_names.iter().map(|_| String::new()));
            }
        }
        writer.write_record(&row)?;
    }
    finish(writer)
}

/// summary.csv: one row per configuration with at least one finished run, with
/// `runs` (successful replications) and, per metric, mean, sd and ci95 over the
/// successful runs where that metric is defined (not null).
pub fn summary_csv(spec: &SweepSpec, configs: &[Configuration], results: &SweepResults) -> io::Result<Vec<u8>> {
    let by_index = index_configurations(configs);
    let mut per_configuration: BTreeMap<usize, Vec<&RunRecord>> = BTreeMap::new();
    for run in &results.runs {
        per_configuration.entry(run.configuration).or_default().push(run);
    }

    let mut writer = csv::Writer::from_writer(Vec::new());
    let mut header: Vec<String> = vec!["configuration".into(), "variant".into()];
    header.extend(spec.axes.iter().flat_map(|axis| axis.keys.iter().map(|key| key.as_str().to_string())));
    header.push("runs".into());
    for metric in &spec.metrics {
        header.extend(["mean", "sd", "ci95"].map(|statistic| format!("{metric}.{statistic}")));
    }
    writer.write_record(&header)?;

    for (configuration, runs) in per_configuration {
        let successes: Vec<_> = runs.iter().filter_map(|run| run.outcome.as_ref().ok()).collect();
        let mut row = configuration_cells(configuration, spec, &by_index);
        row.push(successes.len().to_string());
        for metric in &spec.metrics {
            let values: Vec<f64> = successes
                .iter()
                .filter_map(|figures| figures.get(metric).copied().flatten())
                .filter(|value| value.is_finite())
                .collect();
            let summary = summarize(&values);
            row.extend([summary.mean, summary.sd, summary.ci95].map(number_cell));
        }
        writer.write_record(&row)?;
    }
    finish(writer)
}

fn index_configurations(configs: &[Configuration]) -> BTreeMap<usize, &Configuration> {
    configs.iter().map(|config| (config.index, config)).collect()
}

/// `configuration`, `variant` and one cell per axis.
fn configuration_cells(index: usize, spec: &SweepSpec, by_index: &BTreeMap<usize, &Configuration>) -> Vec<String> {
    let config = by_index.get(&index);
    let mut cells = vec![index.to_string(), config.map(|config| config.variant.clone()).unwrap_or_default()];
    cells.extend(spec.axes.iter().flat_map(|axis| &axis.keys).map(|axis_key| {
        config
            .and_then(|config| config.axis_values.iter().find(|(key, _)| key == axis_key.as_str()))
            .map(|(_, value)| value_cell(value))
            .unwrap_or_default()
    }));
    cells
}

fn number_cell(value: Option<f64>) -> String {
    value.map(crate::fmt::fmt_f64).unwrap_or_default()
}

/// An axis value as a cell: strings bare (no TOML quotes), numbers as numbers,
/// arrays and tables in TOML inline form.
pub(crate) fn value_cell(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        Value::Integer(integer) => integer.to_string(),
        Value::Float(float) => crate::fmt::fmt_f64(*float),
        Value::Boolean(flag) => flag.to_string(),
        Value::Datetime(datetime) => datetime.to_string(),
        Value::Array(_) | Value::Table(_) => value.to_string(),
    }
}

fn finish(writer: csv::Writer<Vec<u8>>) -> io::Result<Vec<u8>> {
    writer.into_inner().map_err(|error| error.into_error())
}

/// Replaces `path` with `bytes` all at once: readers see the old file or the new
/// one, never a part. The temporary file is removed if anything fails.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), WriteError> {
    crate::report::replace_file(path, bytes).map_err(|io| WriteError { path: path.to_path_buf(), io })
}

#[cfg(test)]
mod tests {
    use std::fs;
    use std::path::Path;
    use std::time::Duration;

    use super::super::exec::Figures;
    use super::super::grid::expand;
    use super::super::spec::{load_toml_table, parse_sweep};
    use super::*;
    use crate::model::RunError;

    fn temp_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("sweep-write-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn spec_and_grid() -> (SweepSpec, Vec<Configuration>) {
        let text = "[sweep]\nname = \"t\"\nscenario = \"reference.toml\"\nreplications = 3\n\
                    metrics = [\"cost.total_usd\", \"latency.p99_ms\"]\n\
                    [[axes]]\nkey = \"services[web].capacity_provider_strategy[FARGATE_SPOT].capacity_provider\"\n\
                    values = [\"FARGATE_SPOT\", \"with,comma\"]\n\
                    [[axes]]\nkey = \"spot.discount\"\nvalues = [0.5, 1.0]\n";
        let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sweep/t.toml");
        let spec = parse_sweep(text, &file).unwrap();
        let base = load_toml_table(&spec.scenario).unwrap();
        let configs = expand(&spec, &base).unwrap();
        (spec, configs)
    }

    fn record(configuration: usize, replication: u32, outcome: Result<Figures, RunError>) -> RunRecord {
        RunRecord { configuration, replication, seed: Some(42), outcome }
    }

    fn figures(pairs: &[(&str, Option<f64>)]) -> Figures {
        pairs.iter().map(|(name, value)| (name.to_string(), *value)).collect()
    }

    /// Configuration 0 all three replications; configuration 1 one success and
    /// one failure (the third was cancelled); configurations 2 and 3 never ran.
    fn results() -> SweepResults {
        SweepResults {
            runs: vec![
                record(0, 0, Ok(figures(&[("cost.total_usd", Some(1.0)), ("latency.p99_ms", Some(120.5))]))),
                record(0, 1, Ok(figures(&[("cost.total_usd", Some(2.0)), ("latency.p99_ms", None)]))),
                record(0, 2, Ok(figures(&[("cost.total_usd", Some(6.0)), ("latency.p99_ms", Some(99.5))]))),
                record(1, 0, Ok(figures(&[("cost.total_usd", Some(0.1)), ("tasks.started", Some(3.0))]))),
                record(1, 1, Err(RunError::Output("placement failed: \"no room\"".to_string()))),
            ],
            planned: 12,
            elapsed: Duration::from_secs(1),
        }
    }

    #[test]
    fn runs_csv_follows_the_contract() {
        let (spec, configs) = spec_and_grid();
        let text = String::from_utf8(runs_csv(&spec, &configs, &results()).unwrap()).unwrap();
        let expected = "\
configuration,variant,services[web].capacity_provider_strategy[FARGATE_SPOT].capacity_provider,spot.discount,replication,seed,status,error,cost.total_usd,latency.p99_ms,tasks.started
0,base,FARGATE_SPOT,0.5,0,42,ok,,1,120.5,
0,base,FARGATE_SPOT,0.5,1,42,ok,,2,,
0,base,FARGATE_SPOT,0.5,2,42,ok,,6,99.5,
1,base,FARGATE_SPOT,1,0,42,ok,,0.1,,3
1,base,FARGATE_SPOT,1,1,42,error,\"placement failed: \"\"no room\"\"\",,,
";
        assert_eq!(text, expected);
    }

    #[test]
    fn summary_csv_follows_the_contract() {
        let (spec, configs) = spec_and_grid();
        let text = String::from_utf8(summary_csv(&spec, &configs, &results()).unwrap()).unwrap();
        // Configuration 0: cost [1, 2, 6]: mean 3, sd √7 = 2.6457513110645907,
        // ci95 = t(0.975, 2)·√7/√3 = 4.302652729749464 · 1.5275252316519468 = 6.5724106...;
        // latency [120.5, 99.5] (one null): mean 110, sd √220.5 = 14.849242404917497,
        // ci95 = t(0.975, 1)·10.5 = tan(0.475π)·10.5 = 133.4151497...
        // Configuration 1: one success, so no sd or ci95, and latency never defined.
        let expected = "\
configuration,variant,services[web].capacity_provider_strategy[FARGATE_SPOT].capacity_provider,spot.discount,runs,cost.total_usd.mean,cost.total_usd.sd,cost.total_usd.ci95,latency.p99_ms.mean,latency.p99_ms.sd,latency.p99_ms.ci95
0,base,FARGATE_SPOT,0.5,3,3,2.6457513110645907,6.572410607728427,110,14.849242404917497,133.41514972983427
1,base,FARGATE_SPOT,1,1,0.1,,,,,
";
        assert_eq!(text, expected);
        let closed_form_t2 = 0.95 * (2.0 / (4.0 * 0.975 * 0.025_f64)).sqrt();
        let ci: f64 = closed_form_t2 * 7.0_f64.sqrt() / 3.0_f64.sqrt();
        assert!((ci - 6.572_410_607_728_427).abs() < 1e-12);
        let cauchy_t1 = (std::f64::consts::PI * 0.475).tan();
        assert!((cauchy_t1 * 10.5 - 133.415_149_729_834_27).abs() < 1e-11);
    }

    #[test]
    fn string_axis_values_are_quoted_only_when_csv_needs_it() {
        let (spec, configs) = spec_and_grid();
        let results =
            SweepResults { runs: vec![record(2, 0, Ok(Figures::new()))], planned: 12, elapsed: Duration::ZERO };
        let text = String::from_utf8(runs_csv(&spec, &configs, &results).unwrap()).unwrap();
        assert_eq!(text.lines().nth(1), Some("2,base,\"with,comma\",0.5,0,42,ok,"));
    }

    #[test]
    fn tables_are_written_atomically_and_leave_no_temporary_file() {
        let (spec, configs) = spec_and_grid();
        let dir = temp_dir("tables");
        fs::write(dir.join("runs.csv"), "old contents").unwrap();
        write_sweep_tables(&dir, &spec, &configs, &results()).unwrap();
        let runs = fs::read(dir.join("runs.csv")).unwrap();
        assert_eq!(runs, runs_csv(&spec, &configs, &results()).unwrap());
        let summary = fs::read(dir.join("summary.csv")).unwrap();
        assert_eq!(summary, summary_csv(&spec, &configs, &results()).unwrap());
        let mut names: Vec<String> = fs::read_dir(&dir)
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(names, ["runs.csv", "summary.csv"]);
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_failed_write_names_the_file_and_cleans_up() {
        let dir = temp_dir("failed");
        // A directory where the file should go: the rename fails after the write.
        let target = dir.join("runs.csv");
        fs::create_dir(&target).unwrap();
        fs::write(target.join("keep"), "x").unwrap();
        let error = write_atomically(&target, b"a,b\n").unwrap_err();
        assert!(error.to_string().starts_with(&format!("cannot write {}: ", target.display())));
        let names: Vec<String> = fs::read_dir(&dir)
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["runs.csv"]);
        let missing = dir.join("no-such-dir").join("summary.csv");
        let error = write_atomically(&missing, b"x").unwrap_err();
        assert_eq!(error.io.kind(), io::ErrorKind::NotFound);
        fs::remove_dir_all(&dir).unwrap();
    }
}
