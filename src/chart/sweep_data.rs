//! Loads a sweep directory (`summary.csv`, `runs.csv`, `sweep.toml`,
//! `scenario.toml`) into configurations, their statistics and the raw
//! per-replication values the charts need.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, bail};

use crate::chart::csv_input;

/// The cost figure every sweep chart plots against.
pub(crate) const COST_METRIC: &str = "cost.total_usd";
/// Figures charted against cost in every sweep, whether or not the sweep
/// lists them in `metrics`: every run's summary has them, so `runs.csv`
/// does too (they are read from it when present and not a metric).
pub(crate) const ALWAYS_CHARTED: [&str; 2] = ["requests.availability", "latency.p99_ms"];

pub(crate) const RUNS_FILE: &str = "runs.csv";
pub(crate) const SUMMARY_CSV_FILE: &str = "summary.csv";
pub(crate) const SWEEP_FILE: &str = "sweep.toml";
pub(crate) const SCENARIO_FILE: &str = "scenario.toml";

#[derive(Clone, Debug)]
pub(crate) struct SweepData {
    /// `[sweep] name` of `sweep.toml`, else the directory's name.
    pub name: String,
    /// Axis key paths, in column order.
    pub axes: Vec<String>,
    /// The sweep's `metrics`, in `summary.csv` order.
    pub metrics: Vec<String>,
    pub configurations: Vec<Configuration>,
    /// Names of the values held in every `RunValues::values`: the metrics,
    /// then `cost.total_usd` when it is not one of them, then those of
    /// `ALWAYS_CHARTED` that are neither but are columns of `runs.csv`.
    pub run_metrics: Vec<String>,
    /// Successful runs only.
    pub runs: Vec<RunValues>,
    pub failed_runs: Vec<FailedRun>,
    /// `summary.csv` as read, for the report table.
    pub summary_header: Vec<String>,
    pub summary_rows: Vec<Vec<String>>,
    pub sweep_text: Option<String>,
    pub scenario_text: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Configuration {
    pub index: u64,
    pub variant: String,
    /// One value per axis, as written in `summary.csv`.
    pub axis_values: Vec<String>,
    /// Successful replications.
    pub runs: u64,
    /// Mean and CI of each metric, aligned with `SweepData::metrics`.
    pub stats: Vec<MetricStats>,
}

/// `<metric>.mean` and `<metric>.ci95` of one configuration (empty cells are `None`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct MetricStats {
    pub mean: Option<f64>,
    pub ci95: Option<f64>,
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) struct RunValues {
    pub configuration: u64,
    pub replication: u64,
    /// Aligned with `SweepData::run_metrics`; `None` for an empty cell.
    pub values: Vec<Option<f64>>,
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) struct FailedRun {
    pub configuration: u64,
    pub variant: String,
    pub replication: u64,
    pub error: String,
}

impl SweepData {
    pub(crate) fn load(dir: &Path) -> anyhow::Result<SweepData> {
        let summary = read_summary(&dir.join(SUMMARY_CSV_FILE))?;
        let mut required = summary.metrics.clone();
        if !required.iter().any(|m| m == COST_METRIC) {
            required.push(COST_METRIC.to_string());
        }
        let runs = read_runs(&dir.join(RUNS_FILE), &summary.axes, &required, &ALWAYS_CHARTED)?;
        for run in &runs.ok {
            if !summary.configurations.iter().any(|c| c.index == run.configuration) {
                bail!(
                    "{} has runs of configuration {} but {} has no such configuration",
                    dir.join(RUNS_FILE).display(),
                    run.configuration,
                    dir.join(SUMMARY_CSV_FILE).display()
                );
            }
        }
        let sweep_text = read_optional(&dir.join(SWEEP_FILE))?;
        let name = sweep_text
            .as_deref()
            .and_then(sweep_name)
            .or_else(|| dir.file_name().map(|n| n.to_string_lossy().into_owned()))
            .unwrap_or_else(|| "sweep".to_string());
        Ok(SweepData {
            name,
            axes: summary.axes,
            metrics: summary.metrics,
            configurations: summary.configurations,
            run_metrics: runs.metrics,
            runs: runs.ok,
            failed_runs: runs.failed,
            summary_header: summary.header,
            summary_rows: summary.rows,
            sweep_text,
            scenario_text: read_optional(&dir.join(SCENARIO_FILE))?,
        })
    }

    /// Position of `metric` in `run_metrics`.
    pub(crate) fn run_metric_index(&self, metric: &str) -> Option<usize> {
        self.run_metrics.iter().position(|m| m == metric)
    }

    /// Variant names in order of first appearance.
    pub(crate) fn variants(&self) -> Vec<String> {
        let mut variants: Vec<String> = Vec::new();
        for configuration in &self.configurations {
            if !variants.contains(&configuration.variant) {
                variants.push(configuration.variant.clone());
            }
        }
        variants
    }
}

fn read_optional(path: &Path) -> anyhow::Result<Option<String>> {
    if !path.exists() {
        return Ok(None);
    }
    std::fs::read_to_string(path).map(Some).with_context(|| format!("cannot read {}", path.display()))
}

/// `[sweep] name` from the sweep file, if it parses and has one.
fn sweep_name(text: &str) -> Option<String> {
    let document: toml::Table = toml::from_str(text).ok()?;
    document.get("sweep")?.get("name")?.as_str().map(str::to_string)
}

struct SummaryCsv {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
    axes: Vec<String>,
    metrics: Vec<String>,
    configurations: Vec<Configuration>,
}

/// `configuration, variant, <axes...>, runs, (<metric>.mean, .sd, .ci95)...`
fn read_summary(path: &Path) -> anyhow::Result<SummaryCsv> {
    let mut reader = csv_input::open(path)?;
    let header = csv_input::header(&mut reader, path)?;
    if header.len() < 3 || header[0] != "configuration" || header[1] != "variant" {
        bail!("{} must start with columns `configuration,variant`; found `{}`", path.display(), header.join(","));
    }
    let runs_column = csv_input::column(&header, "runs", path, "the number of successful replications")?;
    let axes: Vec<String> = header[2..runs_column].to_vec();
    let metric_columns = &header[runs_column + 1..];
    if metric_columns.len() % 3 != 0 {
        bail!(
            "{}: after `runs` the columns must come in threes (`<metric>.mean,<metric>.sd,<metric>.ci95`); found `{}`",
            path.display(),
            metric_columns.join(",")
        );
    }
    let mut metrics = Vec::new();
    for triple in metric_columns.chunks(3) {
        let metric = triple[0].strip_suffix(".mean").unwrap_or_default();
        if metric.is_empty() || triple[1] != format!("{metric}.sd") || triple[2] != format!("{metric}.ci95") {
            bail!(
                "{}: expected columns `<metric>.mean,<metric>.sd,<metric>.ci95`; found `{}`",
                path.display(),
                triple.join(",")
            );
        }
        metrics.push(metric.to_string());
    }
    let mut rows = Vec::new();
    let mut configurations: Vec<Configuration> = Vec::new();
    for record in csv_input::records(&mut reader, path) {
        let record = record?;
        let line = csv_input::line_of(&record);
        let index = csv_input::integer(&record[0], path, line, "configuration")?;
        if configurations.iter().any(|c| c.index == index) {
            bail!("{}, line {line}: configuration {index} appears twice", path.display());
        }
        let mut stats = Vec::new();
        for (m, metric) in metrics.iter().enumerate() {
            let mean_column = runs_column + 1 + 3 * m;
            stats.push(MetricStats {
                mean: csv_input::optional_number(&record[mean_column], path, line, &format!("{metric}.mean"))?,
                ci95: csv_input::optional_number(&record[mean_column + 2], path, line, &format!("{metric}.ci95"))?,
            });
        }
        configurations.push(Configuration {
            index,
            variant: record[1].to_string(),
            axis_values: record.iter().skip(2).take(axes.len()).map(str::to_string).collect(),
            runs: csv_input::integer(&record[runs_column], path, line, "runs")?,
            stats,
        });
        rows.push(record.iter().map(str::to_string).collect());
    }
    Ok(SummaryCsv { header, rows, axes, metrics, configurations })
}

struct RunsCsv {
    /// The metrics read, in `RunValues::values` order.
    metrics: Vec<String>,
    ok: Vec<RunValues>,
    failed: Vec<FailedRun>,
}

/// The rows of `runs.csv`, keeping for successful runs only the `required`
/// metrics (an error when a column is missing), then those `optional` ones
/// that are columns and not required.
fn read_runs(path: &Path, axes: &[String], required: &[String], optional: &[&str]) -> anyhow::Result<RunsCsv> {
    let mut reader = csv_input::open(path)?;
    let header = csv_input::header(&mut reader, path)?;
    let column = |name: &str, purpose: &str| csv_input::column(&header, name, path, purpose);
    let configuration_column = column("configuration", "joining runs to summary.csv")?;
    let variant_column = column("variant", "listing failed runs")?;
    let replication_column = column("replication", "pairing replications across configurations")?;
    let status_column = column("status", "telling failed runs apart")?;
    let error_column = column("error", "listing failed runs")?;
    for axis in axes {
        column(axis, "matching summary.csv's axes")?;
    }
    let mut run_metrics = required.to_vec();
    for metric in optional {
        if !run_metrics.iter().any(|m| m == metric) && header.iter().any(|h| h == metric) {
            run_metrics.push(metric.to_string());
        }
    }
    let metric_columns: Vec<usize> =
        run_metrics.iter().map(|metric| column(metric, "the sweep charts")).collect::<anyhow::Result<_>>()?;
    let mut seen = BTreeMap::new();
    let mut runs = RunsCsv { metrics: Vec::new(), ok: Vec::new(), failed: Vec::new() };
    for record in csv_input::records(&mut reader, path) {
        let record = record?;
        let line = csv_input::line_of(&record);
        let configuration = csv_input::integer(&record[configuration_column], path, line, "configuration")?;
        let replication = csv_input::integer(&record[replication_column], path, line, "replication")?;
        if let Some(first) = seen.insert((configuration, replication), line) {
            bail!(
                "{}, line {line}: configuration {configuration} replication {replication} already appeared on line {first}",
                path.display()
            );
        }
        match &record[status_column] {
            "ok" => {
                let values = metric_columns
                    .iter()
                    .zip(&run_metrics)
                    .map(|(&c, metric)| csv_input::optional_number(&record[c], path, line, metric))
                    .collect::<anyhow::Result<_>>()?;
                runs.ok.push(RunValues { configuration, replication, values });
            }
            "error" => runs.failed.push(FailedRun {
                configuration,
                variant: record[variant_column].to_string(),
                replication,
                error: record[error_column].to_string(),
            }),
            other => bail!(
                "{}, line {line}, column `status`: `{other}` is not a status; expected `ok` or `error`",
                path.display()
            ),
        }
    }
    runs.metrics = run_metrics;
    Ok(runs)
}
