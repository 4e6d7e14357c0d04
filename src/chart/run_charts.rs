//! The charts of one run: per service requests, tasks, CPU and latency;
//! instances per capacity provider; cost.

use std::collections::BTreeSet;

use plotters::style::RGBColor;

use crate::chart::figure::{Dash, Figure, Layer, MarkerGroup, Panel, XAxis, XScale, slug, thin_min_max};
use crate::chart::markers::marker_groups;
use crate::chart::palette::{self, BLACK, BLUE, BLUISH_GREEN, MID_GREY, ORANGE, SKY_BLUE, VERMILLION};
use crate::chart::render::THIN_BUCKETS;
use crate::chart::run_data::RunData;

/// Runs up to this long get an hour axis, longer ones a day axis.
const HOUR_AXIS_LIMIT_S: f64 = 72.0 * 3600.0;

/// Where a row's value is drawn within its interval `[t, t + interval)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Placement {
    /// Averages over the interval (rates, percentages, latency).
    Midpoint,
    /// Levels held over the interval (task and instance counts), drawn as steps.
    Step,
    /// Running totals reached at the interval's end (cumulative cost).
    End,
}

/// The time axis shared by every chart of a run.
#[derive(Clone, Copy, Debug, PartialEq)]
struct TimeAxis {
    seconds_per_unit: f64,
    duration_s: f64,
    interval_s: u64,
}

impl TimeAxis {
    fn new(run: &RunData) -> TimeAxis {
        let seconds_per_unit = if run.duration_s <= HOUR_AXIS_LIMIT_S { 3600.0 } else { 86400.0 };
        TimeAxis { seconds_per_unit, duration_s: run.duration_s, interval_s: run.series.interval_s.max(1) }
    }

    fn x_axis(&self) -> XAxis {
        let in_days = self.seconds_per_unit > 3600.0;
        XAxis {
            label: format!("time since start ({})", if in_days { "days" } else { "hours" }),
            scale: XScale::Time { in_days },
            min: 0.0,
            max: self.duration_s / self.seconds_per_unit,
        }
    }

    /// The series as line segments in axis units, broken wherever a row is
    /// missing (a gap longer than one interval), thinned for drawing.
    fn segments(&self, points: &[(u64, f64)], placement: Placement) -> Vec<Vec<(f64, f64)>> {
        let interval = self.interval_s as f64;
        let to_unit = |seconds: f64| seconds.min(self.duration_s) / self.seconds_per_unit;
        let mut segments: Vec<Vec<(f64, f64)>> = Vec::new();
        let mut previous: Option<u64> = None;
        for &(time_s, value) in points {
            let continues = previous.is_some_and(|p| time_s > p && time_s - p <= self.interval_s);
            if !continues {
                segments.push(Vec::new());
            }
            previous = Some(time_s);
            let Some(segment) = segments.last_mut() else {
                continue;
            };
            let start = time_s as f64;
            match placement {
                Placement::Midpoint => segment.push((to_unit(start + interval / 2.0), value)),
                Placement::End => segment.push((to_unit(start + interval), value)),
                Placement::Step => match segment.last() {
                    // A level that continues needs no new corner.
                    Some(&(_, level)) if level == value => {}
                    Some(&(_, level)) => {
                        segment.push((to_unit(start), level));
                        segment.push((to_unit(start), value));
                    }
                    None => segment.push((to_unit(start), value)),
                },
            }
        }
        if placement == Placement::Step {
            // Each segment's last level holds to the end of its last interval.
            let mut previous: Option<u64> = None;
            let mut ends = Vec::new();
            for &(time_s, _) in points {
                if previous.is_some_and(|p| !(time_s > p && time_s - p <= self.interval_s)) {
                    ends.push(previous);
                }
                previous = Some(time_s);
            }
            ends.push(previous);
            for (segment, end) in segments.iter_mut().zip(ends) {
                if let (Some(&(_, level)), Some(end)) = (segment.last(), end) {
                    segment.push((to_unit(end as f64 + interval), level));
                }
            }
        }
        segments.iter().map(|segment| thin_min_max(segment, THIN_BUCKETS)).collect()
    }

    /// "1-minute", "1-hour", "30-second": the length of one row's interval.
    fn interval_phrase(&self) -> String {
        let s = self.interval_s;
        if s.is_multiple_of(3600) {
            format!("{}-hour", s / 3600)
        } else if s.is_multiple_of(60) {
            format!("{}-minute", s / 60)
        } else {
            format!("{s}-second")
        }
    }
}

/// Every chart of a run, in report order: cost, instances, then per service
/// (sorted by name) requests, tasks, CPU and latency.
pub(crate) fn run_figures(run: &RunData) -> Vec<Figure> {
    let axis = TimeAxis::new(run);
    let mut figures = vec![cost_figure(run, &axis), instances_figure(run, &axis)];
    let services: BTreeSet<String> =
        run.series.names("service").into_iter().chain(run.targets.keys().cloned()).collect();
    for service in &services {
        let markers = marker_groups(&run.events, Some(service), axis.seconds_per_unit);
        let chart = ServiceChart { run, axis: &axis, service, markers };
        figures.extend([chart.requests(), chart.tasks(), chart.cpu(), chart.latency()]);
    }
    figures
}

/// Default stroke width of data lines.
const LINE_WIDTH: u32 = 2;

fn line(label: impl Into<String>, colour: RGBColor, dash: Dash, segments: Vec<Vec<(f64, f64)>>) -> Layer {
    Layer::Line { label: label.into(), colour, dash, width: LINE_WIDTH, segments }
}

/// Trims a number for a label: "60", "0.25", "187.5".
fn short_number(value: f64) -> String {
    let text = format!("{value:.3}");
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

struct ServiceChart<'a> {
    run: &'a RunData,
    axis: &'a TimeAxis,
    service: &'a str,
    markers: Vec<MarkerGroup>,
}

impl ServiceChart<'_> {
    fn series(&self, metric: &str, placement: Placement) -> Vec<Vec<(f64, f64)>> {
        self.axis.segments(self.run.series.get("service", self.service, metric), placement)
    }

    fn figure(&self, kind: &str, what: &str, subtitle: String, panel: Panel) -> Figure {
        Figure {
            stem: format!("service-{}-{kind}", slug(self.service)),
            title: format!("{}: {} {what}", self.run.scenario_name, self.service),
            subtitle: Some(subtitle),
            x: self.axis.x_axis(),
            panels: vec![panel],
            markers: self.markers.clone(),
        }
    }

    fn requests(&self) -> Figure {
        let layers = vec![
            // Wide underneath "served", which equals it whenever nothing fails.
            Layer::Line {
                label: "demand".to_string(),
                colour: SKY_BLUE,
                dash: Dash::Solid,
                width: 6,
                segments: self.series("demand_rps", Placement::Midpoint),
            },
            line("capacity of healthy tasks", BLACK, Dash::Dashed, self.series("capacity_rps", Placement::Midpoint)),
            line("served", BLUISH_GREEN, Dash::Solid, self.series("served_rps", Placement::Midpoint)),
            line("failed", VERMILLION, Dash::Solid, self.series("failed_rps", Placement::Midpoint)),
        ];
        let subtitle =
            format!("{} averages of offered, servable, served and failed requests", self.axis.interval_phrase());
        let panel = Panel {
            y_label: "requests per second (req/s)".to_string(),
            layers,
            y_include: vec![0.0],
            integer_y: false,
        };
        self.figure("requests", "requests per second", subtitle, panel)
    }

    fn tasks(&self) -> Figure {
        let layers = vec![
            line("desired", ORANGE, Dash::Solid, self.series("desired", Placement::Step)),
            line("running", BLUE, Dash::Solid, self.series("running", Placement::Step)),
            line("pending", VERMILLION, Dash::Solid, self.series("pending", Placement::Step)),
            line("min capacity", MID_GREY, Dash::Dashed, self.series("min_capacity", Placement::Step)),
            line("max capacity", BLACK, Dash::Dashed, self.series("max_capacity", Placement::Step)),
        ];
        let subtitle = format!(
            "task counts at the end of each {} interval; dashed: auto scaling bounds",
            self.axis.interval_phrase()
        );
        let panel = Panel { y_label: "tasks (count)".to_string(), layers, y_include: vec![0.0], integer_y: true };
        self.figure("tasks", "tasks", subtitle, panel)
    }

    fn cpu(&self) -> Figure {
        let mut layers =
            vec![line("CPU utilisation", BLUE, Dash::Solid, self.series("cpu_percent", Placement::Midpoint))];
        let target = self.run.targets.get(self.service).and_then(|t| t.cpu_target_percent);
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
        let subtitle =
            format!("{} average CPU utilisation of the service's tasks; {target_phrase}", self.axis.interval_phrase());
        let panel =
            Panel { y_label: "CPU utilisation (%)".to_string(), layers, y_include: vec![0.0, 100.0], integer_y: false };
        self.figure("cpu", "CPU utilisation", subtitle, panel)
    }

    fn latency(&self) -> Figure {
        let mut layers = vec![
            line("p99 latency", BLUE, Dash::Solid, self.series("latency_p99_ms", Placement::Midpoint)),
            line("p50 latency", SKY_BLUE, Dash::Solid, self.series("latency_p50_ms", Placement::Midpoint)),
        ];
        let slo = self.run.targets.get(self.service).and_then(|t| t.latency_p99_slo_ms);
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
        let subtitle =
            format!("request latency percentiles per {} interval; {slo_phrase}", self.axis.interval_phrase());
        let panel = Panel { y_label: "latency (ms)".to_string(), layers, y_include: vec![0.0], integer_y: false };
        self.figure("latency", "p99 latency", subtitle, panel)
    }
}

fn instances_figure(run: &RunData, axis: &TimeAxis) -> Figure {
    let providers = run.series.names("provider");
    let mut layers = Vec::new();
    let mut totals = Vec::new();
    for (index, provider) in providers.iter().enumerate() {
        let colour = palette::series(index);
        let get = |metric: &str| run.series.get("provider", provider, metric);
        let on_demand = get("instances_on_demand");
        let spot = get("instances_spot");
        let total = get("instances");
        let has_instances = |points: &[(u64, f64)]| points.iter().any(|p| p.1 != 0.0);
        if has_instances(on_demand) {
            layers.push(line(
                format!("{provider}: on-demand"),
                colour,
                Dash::Solid,
                axis.segments(on_demand, Placement::Step),
            ));
        }
        if has_instances(spot) {
            layers.push(line(format!("{provider}: spot"), colour, Dash::Dashed, axis.segments(spot, Placement::Step)));
        }
        if on_demand.is_empty() && spot.is_empty() && has_instances(total) {
            layers.push(line(
                format!("{provider}: instances"),
                colour,
                Dash::Solid,
                axis.segments(total, Placement::Step),
            ));
        }
        if !total.is_empty() {
            totals.push(line(
                format!("{provider}: instances"),
                colour,
                Dash::Solid,
                axis.segments(total, Placement::Step),
            ));
        }
    }
    // With no EC2 instance at all (Fargate only), still show the flat totals.
    if layers.is_empty() {
        layers = totals;
    }
    Figure {
        stem: "instances".to_string(),
        title: format!("{}: EC2 instances by capacity provider", run.scenario_name),
        subtitle: Some(format!(
            "instances at the end of each {} interval; solid: on-demand, dashed: spot",
            axis.interval_phrase()
        )),
        x: axis.x_axis(),
        panels: vec![Panel { y_label: "instances (count)".to_string(), layers, y_include: vec![0.0], integer_y: true }],
        markers: marker_groups(&run.events, None, axis.seconds_per_unit),
    }
}

fn cost_figure(run: &RunData, axis: &TimeAxis) -> Figure {
    let clusters = run.series.names("cluster");
    let cumulative = clusters
        .iter()
        .enumerate()
        .map(|(index, cluster)| {
            let colour = if clusters.len() == 1 { BLACK } else { palette::series(index) };
            line(
                format!("cumulative cost ({cluster})"),
                colour,
                Dash::Solid,
                axis.segments(run.series.get("cluster", cluster, "cost_usd_cumulative"), Placement::End),
            )
        })
        .collect();
    let mut rates: Vec<Layer> = run
        .series
        .names("provider")
        .iter()
        .enumerate()
        .map(|(index, provider)| {
            line(
                format!("{provider}: cost rate"),
                palette::series(index),
                Dash::Solid,
                axis.segments(run.series.get("provider", provider, "cost_usd_per_hour"), Placement::Midpoint),
            )
        })
        .collect();
    for cluster in &clusters {
        rates.push(line(
            format!("all providers ({cluster})"),
            BLACK,
            Dash::Dashed,
            axis.segments(run.series.get("cluster", cluster, "cost_usd_per_hour"), Placement::Midpoint),
        ));
    }
    let total = run
        .summary
        .get("cost")
        .and_then(|c| c.get("total_usd"))
        .and_then(serde_json::Value::as_f64)
        .map_or_else(String::new, |t| format!("; run total {t:.2} USD"));
    Figure {
        stem: "cost".to_string(),
        title: format!("{}: cost", run.scenario_name),
        subtitle: Some(format!(
            "cumulative cost, and {} average cost rate by capacity provider{total}",
            axis.interval_phrase()
        )),
        x: axis.x_axis(),
        panels: vec![
            Panel {
                y_label: "cumulative cost (USD)".to_string(),
                layers: cumulative,
                y_include: vec![0.0],
                integer_y: false,
            },
            Panel {
                y_label: "cost rate (USD/hour)".to_string(),
                layers: rates,
                y_include: vec![0.0],
                integer_y: false,
            },
        ],
        markers: marker_groups(&run.events, None, axis.seconds_per_unit),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn axis(interval_s: u64, duration_s: f64) -> TimeAxis {
        TimeAxis { seconds_per_unit: 3600.0, duration_s, interval_s }
    }

    #[test]
    fn missing_rows_break_the_line() {
        let points = [(0, 1.0), (60, 2.0), (180, 3.0), (240, 4.0)];
        let segments = axis(60, 3600.0).segments(&points, Placement::Midpoint);
        assert_eq!(
            segments,
            vec![vec![(30.0 / 3600.0, 1.0), (90.0 / 3600.0, 2.0)], vec![(210.0 / 3600.0, 3.0), (270.0 / 3600.0, 4.0)],]
        );
    }

    #[test]
    fn hourly_counts_become_steps_clipped_to_the_run() {
        let points = [(0, 2.0), (3600, 5.0), (7200, 3.0)];
        let segments = axis(3600, 9000.0).segments(&points, Placement::Step);
        assert_eq!(segments, vec![vec![(0.0, 2.0), (1.0, 2.0), (1.0, 5.0), (2.0, 5.0), (2.0, 3.0), (2.5, 3.0)]]);
        let cumulative = axis(3600, 9000.0).segments(&points, Placement::End);
        assert_eq!(cumulative, vec![vec![(1.0, 2.0), (2.0, 5.0), (2.5, 3.0)]]);
        // A level that does not change adds no corner; a gap ends the step
        // at the end of the last interval before it.
        let points = [(0, 2.0), (3600, 2.0), (10800, 4.0)];
        assert_eq!(
            axis(3600, 14400.0).segments(&points, Placement::Step),
            vec![vec![(0.0, 2.0), (2.0, 2.0)], vec![(3.0, 4.0), (4.0, 4.0)]]
        );
    }

    #[test]
    fn interval_phrases() {
        assert_eq!(axis(60, 1.0).interval_phrase(), "1-minute");
        assert_eq!(axis(3600, 1.0).interval_phrase(), "1-hour");
        assert_eq!(axis(90, 1.0).interval_phrase(), "90-second");
        assert_eq!(short_number(60.0), "60");
        assert_eq!(short_number(187.5), "187.5");
    }
}
