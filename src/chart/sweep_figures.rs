//! Every chart of a sweep, in report order.

use crate::chart::figure::Figure;
use crate::chart::pareto_chart::{pareto_figure, pareto_metrics};
use crate::chart::sweep_charts::axis_figure;
use crate::chart::sweep_data::{COST_METRIC, SweepData};

/// Every sweep chart: Pareto charts against cost (see `pareto_metrics`),
/// then per axis (in column order) one chart per metric, cost last unless it
/// is a metric.
pub(crate) fn sweep_figures(sweep: &SweepData) -> Vec<Figure> {
    let mut figures: Vec<Figure> = pareto_metrics(sweep).iter().map(|metric| pareto_figure(sweep, metric)).collect();
    let mut axis_metrics = sweep.metrics.clone();
    if !axis_metrics.iter().any(|m| m == COST_METRIC) {
        axis_metrics.push(COST_METRIC.to_string());
    }
    for axis in 0..sweep.axes.len() {
        for metric in &axis_metrics {
            figures.push(axis_figure(sweep, axis, metric));
        }
    }
    figures
}
