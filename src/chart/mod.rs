//! Charts (PNG and SVG) and a self-contained HTML report from the
//! directories `ecsim run` and `ecsim sweep` write.
//!
//! A run directory gets, in `DIR/charts/`, a cost chart, instance charts
//! (per EC2 capacity provider, and an overview when there are several), and
//! per service a requests, tasks, CPU and latency chart; a chart that would
//! be empty is left out and the report says why. A sweep
//! directory gets cost-versus-metric charts with their Pareto frontier (for
//! every metric, and always for availability and p99 latency) and
//! metric-versus-axis charts. Both get `DIR/report.html`.
//!
//! ```no_run
//! use std::path::Path;
//! # use ecsim::chart::{ChartFormat, chart_dir};
//! # fn main() -> anyhow::Result<()> {
//! let written = chart_dir(Path::new("results/reference"), ChartFormat::Both)?;
//! for path in written {
//!     println!("{}", path.display());
//! }
//! # Ok(())
//! # }
//! ```
//!
//! Text is drawn with an embedded font, so no system font is needed.

mod answers;
mod capacity_charts;
mod coord;
mod cost_breakdown_chart;
mod cost_chart;
mod csv_input;
mod diff_chart;
mod figure;
mod font;
mod html;
mod labels;
mod legend;
mod log_scale;
mod markers;
mod optimize_chart;
mod output;
mod palette;
mod pareto;
mod pareto_chart;
mod predictive_chart;
mod primitives;
mod render;
mod replay_chart;
mod report;
mod run_charts;
mod run_context;
mod run_data;
mod stats;
mod sweep_charts;
mod sweep_data;
mod sweep_figures;
#[cfg(test)]
mod test_fixtures;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_views;
mod ticks;
mod time_axis;
mod wall_clock;

use std::path::{Path, PathBuf};
use std::str::FromStr;

use anyhow::{Context, bail};

pub use diff_chart::chart_diff;
pub use optimize_chart::{OPTIMIZE_STEM, OptimizeChart, TrialPoint};
pub use pareto::pareto_front;
pub use pareto_chart::{labels_key, values_label};
pub use replay_chart::{ObservedSeries, chart_replay};
pub use run_data::TimeWindow;

use figure::{Figure, make_stems_unique};
use report::ChartImage;

/// Which image files to write; the report always inlines SVG.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChartFormat {
    Png,
    Svg,
    Both,
}

impl ChartFormat {
    fn writes_png(self) -> bool {
        matches!(self, ChartFormat::Png | ChartFormat::Both)
    }

    fn writes_svg(self) -> bool {
        matches!(self, ChartFormat::Svg | ChartFormat::Both)
    }
}

/// A chart format name that is not `png`, `svg` or `both`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown chart format `{0}`: expected `png`, `svg` or `both`")]
pub struct UnknownChartFormat(pub String);

impl FromStr for ChartFormat {
    type Err = UnknownChartFormat;

    fn from_str(text: &str) -> Result<ChartFormat, UnknownChartFormat> {
        match text.to_ascii_lowercase().as_str() {
            "png" => Ok(ChartFormat::Png),
            "svg" => Ok(ChartFormat::Svg),
            "both" => Ok(ChartFormat::Both),
            _ => Err(UnknownChartFormat(text.to_string())),
        }
    }
}

/// Where charts go inside a run or sweep directory.
pub const CHARTS_DIR: &str = "charts";
pub const REPORT_FILE: &str = "report.html";

/// Detects a run dir (summary.json + timeseries.csv) or a sweep dir (runs.csv + summary.csv) and writes charts into DIR/charts/
/// and DIR/report.html. Returns the written paths (sorted).
pub fn chart_dir(dir: &Path, format: ChartFormat) -> anyhow::Result<Vec<PathBuf>> {
    if is_sweep_dir(dir)? { chart_sweep(dir, format) } else { chart_run(dir, format) }
}

/// Whether `dir` is a sweep directory (true) or a run directory (false); an
/// error says why it is neither.
pub fn is_sweep_dir(dir: &Path) -> anyhow::Result<bool> {
    let has = |name: &str| dir.join(name).is_file();
    let is_run = has(run_data::SUMMARY_FILE) && has(run_data::TIMESERIES_FILE);
    let is_sweep = has(sweep_data::RUNS_FILE) && has(sweep_data::SUMMARY_CSV_FILE);
    match (is_run, is_sweep) {
        (true, false) => Ok(false),
        (false, true) => Ok(true),
        (true, true) => bail!(
            "{} holds both a run (summary.json, timeseries.csv) and a sweep (runs.csv, summary.csv); cannot tell which to chart",
            dir.display()
        ),
        (false, false) if !dir.is_dir() => bail!("{} is not a directory", dir.display()),
        (false, false) if has(run_data::SUMMARY_FILE) => bail!(
            "{} has summary.json but no timeseries.csv, which the run charts need (was the run made with output.timeseries = false?)",
            dir.display()
        ),
        (false, false) => bail!(
            "{} is neither a run directory (summary.json and timeseries.csv) nor a sweep directory (runs.csv and summary.csv)",
            dir.display()
        ),
    }
}

/// [`chart_dir`] drawing only `window` of a run; a sweep directory has no
/// time axis, so a window other than the whole run is refused for it.
pub fn chart_dir_window(dir: &Path, format: ChartFormat, window: &TimeWindow) -> anyhow::Result<Vec<PathBuf>> {
    if is_sweep_dir(dir)? {
        if !window.is_whole_run() {
            bail!("{} is a sweep directory: --from and --to apply to a run's time axis only", dir.display());
        }
        chart_sweep(dir, format)
    } else {
        chart_run_window(dir, format, window)
    }
}

/// Charts a run directory; see [`chart_dir`].
pub fn chart_run(dir: &Path, format: ChartFormat) -> anyhow::Result<Vec<PathBuf>> {
    chart_run_window(dir, format, &TimeWindow::default())
}

/// Charts `window` of a run directory; see [`chart_dir_window`].
pub fn chart_run_window(dir: &Path, format: ChartFormat, window: &TimeWindow) -> anyhow::Result<Vec<PathBuf>> {
    let mut run =
        run_data::RunData::load(dir).with_context(|| format!("cannot chart run directory {}", dir.display()))?;
    run.narrow(window).with_context(|| format!("cannot chart run directory {}", dir.display()))?;
    let run_charts::RunFigures { mut figures, skipped } = run_charts::run_figures(&run);
    make_stems_unique(&mut figures);
    let (mut written, images) = write_charts(dir, &figures, format)?;
    written.push(write_report(dir, &report::run_report(&run, &images, &skipped))?);
    written.sort();
    Ok(written)
}

/// Charts a sweep directory; see [`chart_dir`].
pub fn chart_sweep(dir: &Path, format: ChartFormat) -> anyhow::Result<Vec<PathBuf>> {
    let sweep =
        sweep_data::SweepData::load(dir).with_context(|| format!("cannot chart sweep directory {}", dir.display()))?;
    let mut figures = sweep_figures::sweep_figures(&sweep);
    make_stems_unique(&mut figures);
    let (mut written, images) = write_charts(dir, &figures, format)?;
    written.push(write_report(dir, &report::sweep_report(&sweep, &images))?);
    written.sort();
    Ok(written)
}

/// Writes each figure in the chosen formats under `dir/charts/` and returns
/// the files written with the SVG of every figure for the report.
fn write_charts(
    dir: &Path,
    figures: &[Figure],
    format: ChartFormat,
) -> anyhow::Result<(Vec<PathBuf>, Vec<ChartImage>)> {
    let charts_dir = dir.join(CHARTS_DIR);
    std::fs::create_dir_all(&charts_dir).with_context(|| format!("cannot create {}", charts_dir.display()))?;
    let mut written = Vec::new();
    let mut images = Vec::new();
    for figure in figures {
        let svg = output::svg_string(figure)?;
        if format.writes_svg() {
            let path = charts_dir.join(format!("{}.svg", figure.stem));
            output::write_atomic(&path, svg.as_bytes())?;
            written.push(path);
        }
        if format.writes_png() {
            let path = charts_dir.join(format!("{}.png", figure.stem));
            output::write_png(figure, &path)?;
            written.push(path);
        }
        images.push(ChartImage { stem: figure.stem.clone(), title: figure.title.clone(), svg });
    }
    Ok((written, images))
}

/// Draws the chart of an optimize search into `dir/charts/`; returns the files written.
pub fn chart_optimize(dir: &Path, chart: &OptimizeChart, format: ChartFormat) -> anyhow::Result<Vec<PathBuf>> {
    let (written, _) = write_charts(dir, &[optimize_chart::optimize_figure(chart)], format)?;
    Ok(written)
}

fn write_report(dir: &Path, html: &str) -> anyhow::Result<PathBuf> {
    let path = dir.join(REPORT_FILE);
    output::write_atomic(&path, html.as_bytes())?;
    Ok(path)
}
