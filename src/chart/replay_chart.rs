//! The replay check's charts: per service, observed against simulated running
//! tasks and CPU utilisation, on the run's time axis (`ecsim run --observed
//! --charts`).

use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::chart::figure::{Dash, Figure, Panel, make_stems_unique, slug};
use crate::chart::palette::{BLUE, ORANGE};
use crate::chart::run_context::{RunContext, line};
use crate::chart::run_data::RunData;
use crate::chart::time_axis::Placement;
use crate::chart::{ChartFormat, write_charts};

/// One service's observed minutes, already aligned on the run's clock:
/// (seconds since `simulation.start`, value).
#[derive(Clone, Debug, Default)]
pub struct ObservedSeries {
    pub service: String,
    pub running: Vec<(u64, f64)>,
    pub cpu_percent: Vec<(u64, f64)>,
}

/// Writes `charts/replay-<service>.{png,svg}` for every service with
/// observations; returns the files written (sorted).
pub fn chart_replay(dir: &Path, observed: &[ObservedSeries], format: ChartFormat) -> anyhow::Result<Vec<PathBuf>> {
    let run = RunData::load(dir).with_context(|| format!("cannot chart run directory {}", dir.display()))?;
    let mut figures: Vec<Figure> = observed.iter().map(|o| replay_figure(&run, o)).collect();
    make_stems_unique(&mut figures);
    let (mut written, _) = write_charts(dir, &figures, format)?;
    written.sort();
    Ok(written)
}

/// Two panels, tasks above CPU; observed in orange and dashed, simulated in blue and solid.
fn replay_figure(run: &RunData, o: &ObservedSeries) -> Figure {
    let context = RunContext::new(run);
    let axis = &context.axis;
    let simulated = |metric: &str, placement| axis.segments(run.series.get("service", &o.service, metric), placement);
    let tasks = Panel::counts(
        "running tasks (count)",
        vec![
            line("simulated", BLUE, Dash::Solid, simulated("running", Placement::Step)),
            line("observed", ORANGE, Dash::Dashed, axis.segments(&o.running, Placement::Step)),
        ],
    );
    let cpu = Panel {
        y_include: vec![0.0, 100.0],
        ..Panel::from_zero(
            "CPU utilisation (%)",
            vec![
                line("simulated", BLUE, Dash::Solid, simulated("cpu_percent", Placement::Midpoint)),
                line("observed", ORANGE, Dash::Dashed, axis.segments(&o.cpu_percent, Placement::Midpoint)),
            ],
        )
    };
    let mut panels = vec![tasks, cpu];
    for p in &mut panels {
        p.layers.retain(|l| l.has_data());
    }
    context.figure(
        format!("replay-{}", slug(&o.service)),
        &format!("{} observed against simulated", o.service),
        "minute values aligned on simulation.start; a gap is a minute without data".to_string(),
        panels,
        Vec::new(),
    )
}
