//! The charts of one run, in report order: cost, instances, then per service
//! requests, tasks, CPU and latency; and the charts left out because they
//! would be empty, with the reason the report gives.

use std::collections::BTreeSet;

use crate::chart::capacity_charts::{instance_figures, zone_figure};
use crate::chart::cost_breakdown_chart::cost_breakdown_figure;
use crate::chart::cost_chart::cost_figure;
use crate::chart::figure::{Dash, Figure, Layer, MarkerGroup, Panel, slug};
use crate::chart::palette::{BLACK, BLUE, BLUISH_GREEN, MID_GREY, ORANGE, SKY_BLUE, VERMILLION};
use crate::chart::predictive_chart::predictive_figures;
use crate::chart::run_context::{RunContext, SkippedChart, has_nonzero, line, wide_line};
use crate::chart::run_data::RunData;
use crate::chart::ticks::spike_cap;
use crate::chart::time_axis::{Placement, TimeAxis};

/// Runs longer than this with rows shorter than an hour also get the CPU
/// line averaged per hour: a week of minutes is a solid band on screen.
const HOURLY_MEAN_AFTER_S: f64 = 48.0 * 3600.0;
const HOUR_S: u64 = 3600;

/// The run charts drawn, and those left out.
#[derive(Clone, Debug)]
pub(crate) struct RunFigures {
    pub figures: Vec<Figure>,
    pub skipped: Vec<SkippedChart>,
}

/// Every chart of a run, in report order: cost, instances, then per service
/// (sorted by name) requests, tasks, CPU and latency; charts with nothing to
/// show are left out and listed with their reason.
pub(crate) fn run_figures(run: &RunData) -> RunFigures {
    let context = RunContext::new(run);
    let mut figures = Vec::new();
    let mut skipped = Vec::new();
    let mut keep = |outcome: Result<Figure, SkippedChart>| match outcome {
        Ok(figure) => figures.push(figure),
        Err(reason) => skipped.push(reason),
    };
    keep(cost_figure(&context));
    // Only when something beyond compute is charged; not listed as skipped otherwise.
    if let Some(figure) = cost_breakdown_figure(&context) {
        keep(Ok(figure));
    }
    for outcome in instance_figures(&context) {
        keep(outcome);
    }
    keep(zone_figure(&context));
    let services: BTreeSet<String> =
        run.series.names("service").into_iter().chain(run.targets.keys().cloned()).collect();
    for service in &services {
        let markers = context.service_markers(service);
        let chart = ServiceChart { context: &context, service, markers };
        keep(chart.requests());
        keep(Ok(chart.tasks()));
        keep(chart.cpu());
        keep(chart.latency());
        for figure in predictive_figures(&context, service, &chart.markers) {
            keep(Ok(figure));
        }
    }
    RunFigures { figures, skipped }
}

/// Trims a number for a label: "60", "0.25", "187.5".
pub(crate) fn short_number(value: f64) -> String {
    let text = format!("{value:.3}");
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// Per hour of the run, the mean of the rows that start in it, as rows
/// `(hour start, mean)`; hours without a row are left out.
fn hourly_means(points: &[(u64, f64)]) -> Vec<(u64, f64)> {
    let mut means: Vec<(u64, f64)> = Vec::new();
    let mut current: Option<(u64, f64, u32)> = None;
    for &(time_s, value) in points {
        let hour = time_s / HOUR_S * HOUR_S;
        match current {
            Some((start, sum, count)) if start == hour => current = Some((start, sum + value, count + 1)),
            _ => {
                if let Some((start, sum, count)) = current {
                    means.push((start, sum / f64::from(count)));
                }
                current = Some((hour, value, 1));
            }
        }
    }
    if let Some((start, sum, count)) = current {
        means.push((start, sum / f64::from(count)));
    }
    means
}

struct ServiceChart<'a> {
    context: &'a RunContext<'a>,
    service: &'a str,
    markers: Vec<MarkerGroup>,
}

impl ServiceChart<'_> {
    fn rows(&self, metric: &str) -> &[(u64, f64)] {
        self.context.run.series.get("service", self.service, metric)
    }

    fn series(&self, metric: &str, placement: Placement) -> Vec<Vec<(f64, f64)>> {
        self.context.axis.segments(self.rows(metric), placement)
    }

    fn what(&self, what: &str) -> String {
        format!("{} {what}", self.service)
    }

    fn figure(&self, kind: &str, what: &str, subtitle: String, panel: Panel) -> Figure {
        self.context.figure(
            format!("service-{}-{kind}", slug(self.service)),
            &self.what(what),
            subtitle,
            vec![panel],
            self.markers.clone(),
        )
    }

    fn interval(&self) -> String {
        self.context.axis.interval_phrase()
    }

    fn requests(&self) -> Result<Figure, SkippedChart> {
        const WHAT: &str = "requests per second";
        if !["demand_rps", "served_rps", "failed_rps"].iter().any(|m| has_nonzero(self.rows(m))) {
            return Err(self.context.skipped(&self.what(WHAT), "no request was offered to the service"));
        }
        let mut layers = vec![
            // Wide underneath "served", which equals it whenever nothing fails.
            wide_line("demand", SKY_BLUE, self.series("demand_rps", Placement::Midpoint)),
            line("capacity of healthy tasks", BLACK, Dash::Dashed, self.series("capacity_rps", Placement::Midpoint)),
            line("served", BLUISH_GREEN, Dash::Solid, self.series("served_rps", Placement::Midpoint)),
            line("failed", VERMILLION, Dash::Solid, self.series("failed_rps", Placement::Midpoint)),
        ];
        layers.retain(Layer::has_data);
        let subtitle = format!("{} averages of offered, servable, served and failed requests", self.interval());
        let panel = Panel::from_zero("requests per second (req/s)", layers);
        Ok(self.figure("requests", WHAT, subtitle, panel))
    }

    fn tasks(&self) -> Figure {
        let mut layers = vec![
            wide_line("desired", ORANGE, self.series("desired", Placement::Step)),
            line("running", BLUE, Dash::Solid, self.series("running", Placement::Step)),
            line("pending", VERMILLION, Dash::Solid, self.series("pending", Placement::Step)),
            line("min capacity", MID_GREY, Dash::Dashed, self.series("min_capacity", Placement::Step)),
            line("max capacity", BLACK, Dash::Dashed, self.series("max_capacity", Placement::Step)),
        ];
        let has_bounds = !self.rows("min_capacity").is_empty() || !self.rows("max_capacity").is_empty();
        layers.retain(Layer::has_data);
        let bounds = if has_bounds { "dashed: auto scaling bounds" } else { "no auto scaling" };
        let subtitle = format!("task counts at the end of each {} interval; {bounds}", self.interval());
        let panel = Panel::counts("tasks (count)", layers);
        self.figure("tasks", "tasks", subtitle, panel)
    }

    fn cpu(&self) -> Result<Figure, SkippedChart> {
        const WHAT: &str = "CPU utilisation";
        let rows = self.rows("cpu_percent");
        if !has_nonzero(rows) {
            let reason = if rows.is_empty() { "no CPU utilisation rows" } else { "CPU utilisation is 0% throughout" };
            return Err(self.context.skipped(&self.what(WHAT), reason));
        }
        let axis = &self.context.axis;
        let hourly = axis.interval_s < HOUR_S && axis.span_s() > HOURLY_MEAN_AFTER_S;
        let mut layers = if hourly {
            let hour_axis = TimeAxis { interval_s: HOUR_S, ..*axis };
            vec![
                Layer::Line {
                    label: format!("{} average", self.interval()),
                    colour: SKY_BLUE,
                    dash: Dash::Solid,
                    width: 1,
                    marker: None,
                    segments: self.series("cpu_percent", Placement::Midpoint),
                },
                line("1-hour mean", BLUE, Dash::Solid, hour_axis.segments(&hourly_means(rows), Placement::Midpoint)),
            ]
        } else {
            vec![line("CPU utilisation", BLUE, Dash::Solid, self.series("cpu_percent", Placement::Midpoint))]
        };
        let target = self.context.run.targets.get(self.service).and_then(|t| t.cpu_target_percent);
        let target_phrase = match target {
            Some(target) => {
                layers.push(Layer::Threshold {
                    label: format!("CPU target {}%", short_number(target)),
                    colour: VERMILLION,
                    y: target,
                });
                format!("target tracking at {}%", short_number(target))
            }
            None => "no CPU target tracking policy".to_string(),
        };
        let averages = if hourly { " and 1-hour" } else { "" };
        let subtitle =
            format!("{}{averages} average CPU utilisation of the service's tasks; {target_phrase}", self.interval());
        let panel = Panel { y_include: vec![0.0, 100.0], ..Panel::from_zero("CPU utilisation (%)", layers) };
        Ok(self.figure("cpu", WHAT, subtitle, panel))
    }

    fn latency(&self) -> Result<Figure, SkippedChart> {
        const WHAT: &str = "p99 latency";
        let p99 = self.rows("latency_p99_ms");
        let p50 = self.rows("latency_p50_ms");
        if p99.is_empty() && p50.is_empty() {
            return Err(self.context.skipped(&self.what(WHAT), "no latency rows: the service served no request"));
        }
        let mut layers = vec![
            line("p99 latency", BLUE, Dash::Solid, self.series("latency_p99_ms", Placement::Midpoint)),
            line("p50 latency", SKY_BLUE, Dash::Solid, self.series("latency_p50_ms", Placement::Midpoint)),
        ];
        layers.retain(Layer::has_data);
        let slo = self.context.run.targets.get(self.service).and_then(|t| t.latency_p99_slo_ms);
        let slo_phrase = match slo {
            Some(slo) => {
                layers.push(Layer::Threshold {
                    label: format!("p99 SLO {} ms", short_number(slo)),
                    colour: VERMILLION,
                    y: slo,
                });
                format!("SLO p99 ≤ {} ms", short_number(slo))
            }
            None => "no latency SLO".to_string(),
        };
        let values: Vec<f64> = p99.iter().chain(p50).map(|p| p.1).collect();
        let y_cap = spike_cap(&values, slo);
        let cap_phrase = match y_cap {
            Some(cap) => {
                let highest = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                format!("; spikes above {} ms (up to {} ms) run along the top", short_number(cap), highest.round())
            }
            None => String::new(),
        };
        let subtitle =
            format!("request latency percentiles per {} interval; {slo_phrase}{cap_phrase}", self.interval());
        let panel = Panel { y_cap, ..Panel::from_zero("latency (ms)", layers) };
        Ok(self.figure("latency", WHAT, subtitle, panel))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hourly_means_average_the_rows_of_each_hour() {
        let rows = [(0, 10.0), (60, 20.0), (3540, 30.0), (3600, 50.0), (10800, 8.0), (10860, 4.0)];
        assert_eq!(hourly_means(&rows), vec![(0, 20.0), (3600, 50.0), (10800, 6.0)]);
        assert_eq!(hourly_means(&[]), vec![]);
    }

    #[test]
    fn short_numbers() {
        assert_eq!(short_number(60.0), "60");
        assert_eq!(short_number(187.5), "187.5");
    }
}
