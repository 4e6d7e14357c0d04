//! `ecsim diff --charts`: the main time series of two runs overlaid (A
//! solid blue, B dashed orange), each above its difference B − A: the
//! cluster's cumulative cost, and per service that both runs have, running
//! tasks, p99 latency and failed requests (when either run failed at least
//! one request: the per-minute rates carry rounding noise of 1e-14).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::chart::figure::{Dash, Figure, Layer, Panel, make_stems_unique, slug};
use crate::chart::palette::{BLACK, BLUE, MID_GREY, ORANGE};
use crate::chart::run_context::line;
use crate::chart::run_data::RunData;
use crate::chart::time_axis::{Placement, TimeAxis};
use crate::chart::{ChartFormat, write_charts};

/// Writes `out/charts/diff-*.{png,svg}` comparing run directories `a` and
/// `b` (each needs `timeseries.csv`); returns the files written (sorted).
pub fn chart_diff(a: &Path, b: &Path, out: &Path, format: ChartFormat) -> anyhow::Result<Vec<PathBuf>> {
    let load = |dir: &Path| RunData::load(dir).with_context(|| format!("cannot chart run directory {}", dir.display()));
    let (run_a, run_b) = (load(a)?, load(b)?);
    let pair = Pair::new(&run_a, &run_b, &a.display().to_string(), &b.display().to_string());
    let mut figures = pair.figures();
    make_stems_unique(&mut figures);
    let (mut written, _) = write_charts(out, &figures, format)?;
    written.sort();
    Ok(written)
}

/// B − A at every time both series have a row.
fn difference(a: &[(u64, f64)], b: &[(u64, f64)]) -> Vec<(u64, f64)> {
    let b_at: BTreeMap<u64, f64> = b.iter().copied().collect();
    a.iter().filter_map(|&(time_s, va)| b_at.get(&time_s).map(|vb| (time_s, vb - va))).collect()
}

/// Two runs on one time axis: the longer run's span, each run's own interval.
struct Pair<'a> {
    a: &'a RunData,
    b: &'a RunData,
    axis_a: TimeAxis,
    axis_b: TimeAxis,
    subtitle: String,
    title: String,
}

/// One compared series: where it lives and how to draw it.
struct Series<'s> {
    scope: &'s str,
    name: &'s str,
    metric: &'s str,
    placement: Placement,
}

impl<'a> Pair<'a> {
    fn new(a: &'a RunData, b: &'a RunData, label_a: &str, label_b: &str) -> Pair<'a> {
        let longer = if b.duration_s > a.duration_s { b } else { a };
        let common = TimeAxis::new(longer);
        let on_common = |run: &RunData| TimeAxis { interval_s: TimeAxis::new(run).interval_s, ..common };
        let title = if a.scenario_name == b.scenario_name {
            a.scenario_name.clone()
        } else {
            format!("{} against {}", a.scenario_name, b.scenario_name)
        };
        Pair {
            a,
            b,
            axis_a: on_common(a),
            axis_b: on_common(b),
            subtitle: format!("A: {label_a} (solid); B: {label_b} (dashed); below: B − A where both have a row"),
            title,
        }
    }

    fn figures(&self) -> Vec<Figure> {
        let clusters = self.a.series.names("cluster");
        let mut figures = Vec::new();
        for cluster in clusters.iter().filter(|c| self.b.series.names("cluster").contains(c)) {
            let cost =
                Series { scope: "cluster", name: cluster, metric: "cost_usd_cumulative", placement: Placement::End };
            figures.push(self.figure(format!("diff-cost-{}", slug(cluster)), "cumulative cost", "cost (USD)", &cost));
        }
        let services_b = self.b.series.names("service");
        for service in self.a.series.names("service").iter().filter(|s| services_b.contains(s)) {
            let of = |metric, placement| Series { scope: "service", name: service, metric, placement };
            let stem = |what: &str| format!("diff-service-{}-{what}", slug(service));
            figures.push(self.figure(
                stem("tasks"),
                &format!("{service} running tasks"),
                "running tasks (count)",
                &of("running", Placement::Step),
            ));
            figures.push(self.figure(
                stem("latency"),
                &format!("{service} p99 latency"),
                "p99 latency (ms)",
                &of("latency_p99_ms", Placement::Midpoint),
            ));
            let failed = of("failed_rps", Placement::Midpoint);
            let failed_requests = |run: &RunData| {
                let path = ["services", service.as_str(), "requests", "failed"];
                path.iter().try_fold(&run.summary, |v, k| v.get(k)).and_then(serde_json::Value::as_f64).unwrap_or(0.0)
            };
            if failed_requests(self.a) >= 1.0 || failed_requests(self.b) >= 1.0 {
                figures.push(self.figure(
                    stem("failed"),
                    &format!("{service} failed requests"),
                    "failed requests (per second)",
                    &failed,
                ));
            }
        }
        figures
    }

    fn rows<'r>(&self, run: &'r RunData, s: &Series<'_>) -> &'r [(u64, f64)] {
        run.series.get(s.scope, s.name, s.metric)
    }

    /// The series of both runs above, B − A below.
    fn figure(&self, stem: String, what: &str, y_label: &str, s: &Series<'_>) -> Figure {
        let (rows_a, rows_b) = (self.rows(self.a, s), self.rows(self.b, s));
        let overlay = vec![
            line("A", BLUE, Dash::Solid, self.axis_a.segments(rows_a, s.placement)),
            line("B", ORANGE, Dash::Dashed, self.axis_b.segments(rows_b, s.placement)),
        ];
        let zero = Layer::Threshold { label: "no change".to_string(), colour: MID_GREY, y: 0.0 };
        let change = line("B − A", BLACK, Dash::Solid, self.axis_a.segments(&difference(rows_a, rows_b), s.placement));
        let panels = vec![
            Panel::from_zero(y_label, overlay),
            Panel::from_zero(&format!("B − A, {y_label}"), vec![zero, change]),
        ];
        Figure {
            stem,
            title: format!("{}: {what}, A and B", self.title),
            subtitle: Some(self.subtitle.clone()),
            x: self.axis_a.x_axis(),
            panels,
            markers: Vec::new(),
            shade: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_difference_is_b_minus_a_where_both_have_a_row() {
        let a = [(0, 2.0), (60, 3.0), (120, 5.0)];
        // B lacks minute 60 and has one A lacks (180).
        let b = [(0, 2.5), (120, 4.0), (180, 1.0)];
        assert_eq!(difference(&a, &b), [(0, 0.5), (120, -1.0)]);
        assert!(difference(&a, &[]).is_empty());
    }
}
