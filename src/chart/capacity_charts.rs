//! EC2 instances: per capacity provider by purchase option (on-demand,
//! spot) against the Auto Scaling group's desired capacity, and how many are
//! launching or draining; with several providers, an overview of all.

use crate::chart::figure::{Dash, Figure, Layer, Panel, slug};
use crate::chart::palette::{self, BLACK, BLUE, BLUISH_GREEN, MID_GREY, ORANGE, VERMILLION};
use crate::chart::run_context::{RunContext, SkippedChart, has_nonzero, line, wide_line};
use crate::chart::time_axis::Placement;

const OVERVIEW_WHAT: &str = "EC2 instances by capacity provider";

/// The instance charts: an overview when two or more providers ran EC2
/// instances, then one chart per such provider. A run on Fargate alone has
/// none, which is reported as one skipped chart.
pub(crate) fn instance_figures(context: &RunContext) -> Vec<Result<Figure, SkippedChart>> {
    let series = &context.run.series;
    let providers: Vec<(usize, String)> = series
        .names("provider")
        .into_iter()
        .enumerate()
        .filter(|(_, provider)| has_nonzero(series.get("provider", provider, "instances")))
        .collect();
    if providers.is_empty() {
        return vec![Err(context.skipped(OVERVIEW_WHAT, "no capacity provider ran an EC2 instance (Fargate only)"))];
    }
    let mut outcomes = Vec::new();
    if providers.len() > 1 {
        outcomes.push(Ok(overview_figure(context, &providers)));
    }
    outcomes.extend(providers.iter().map(|(_, provider)| Ok(provider_figure(context, provider))));
    outcomes
}

/// One line per provider and purchase option; the colour is the provider's
/// (as on the cost chart), the dash the purchase option.
fn overview_figure(context: &RunContext, providers: &[(usize, String)]) -> Figure {
    let axis = &context.axis;
    let mut layers = Vec::new();
    for (index, provider) in providers {
        let colour = palette::series(*index);
        let get = |metric: &str| context.run.series.get("provider", provider, metric);
        let (on_demand, spot) = (get("instances_on_demand"), get("instances_spot"));
        if has_nonzero(on_demand) {
            layers.push(line(
                format!("{provider}: on-demand"),
                colour,
                Dash::Solid,
                axis.segments(on_demand, Placement::Step),
            ));
        }
        if has_nonzero(spot) {
            layers.push(line(format!("{provider}: spot"), colour, Dash::Dashed, axis.segments(spot, Placement::Step)));
        }
        if !has_nonzero(on_demand) && !has_nonzero(spot) {
            let total = get("instances");
            layers.push(line(
                format!("{provider}: instances"),
                colour,
                Dash::Solid,
                axis.segments(total, Placement::Step),
            ));
        }
    }
    let subtitle =
        format!("instances at the end of each {} interval; solid: on-demand, dashed: spot", axis.interval_phrase());
    let panel = Panel::counts("instances (count)", layers);
    context.figure("instances".to_string(), OVERVIEW_WHAT, subtitle, vec![panel], context.cluster_markers())
}

/// One provider: instances by purchase option with the group's desired
/// capacity on top, and below, when any, those launching or draining.
fn provider_figure(context: &RunContext, provider: &str) -> Figure {
    let axis = &context.axis;
    let get = |metric: &str| context.run.series.get("provider", provider, metric);
    let steps = |metric: &str| axis.segments(get(metric), Placement::Step);
    let (on_demand, spot) = (get("instances_on_demand"), get("instances_spot"));
    let mut layers = vec![wide_line("desired capacity", MID_GREY, steps("desired_capacity"))];
    let lifecycle = match (has_nonzero(on_demand), has_nonzero(spot)) {
        (true, true) => {
            layers.push(line("all instances", BLACK, Dash::Solid, steps("instances")));
            layers.push(line("on-demand", BLUE, Dash::Solid, steps("instances_on_demand")));
            layers.push(line("spot", ORANGE, Dash::Solid, steps("instances_spot")));
            "on-demand and spot"
        }
        (true, false) => {
            layers.push(line("instances (on-demand)", BLUE, Dash::Solid, steps("instances")));
            "all on-demand"
        }
        (false, true) => {
            layers.push(line("instances (spot)", ORANGE, Dash::Solid, steps("instances")));
            "all spot"
        }
        (false, false) => {
            layers.push(line("instances", BLUE, Dash::Solid, steps("instances")));
            "purchase option not recorded"
        }
    };
    layers.retain(Layer::has_data);
    let mut panels = vec![Panel::counts("instances (count)", layers)];
    let mut states = Vec::new();
    if has_nonzero(get("instances_launching")) {
        states.push(line("launching", BLUISH_GREEN, Dash::Solid, steps("instances_launching")));
    }
    if has_nonzero(get("instances_draining")) {
        states.push(line("draining", VERMILLION, Dash::Solid, steps("instances_draining")));
    }
    let state_phrase = if states.is_empty() {
        "none was ever launching or draining at an interval's end".to_string()
    } else {
        panels.push(Panel::counts("launching, draining", states));
        "below: how many of them were launching or draining".to_string()
    };
    let subtitle = format!(
        "instances at the end of each {} interval ({lifecycle}) and the Auto Scaling group's desired capacity; {state_phrase}",
        axis.interval_phrase()
    );
    context.figure(
        format!("instances-{}", slug(provider)),
        &format!("{provider} instances"),
        subtitle,
        panels,
        context.cluster_markers(),
    )
}

const ZONES_WHAT: &str = "tasks and instances by availability zone";

/// Running tasks per availability zone and, when any EC2 instance ran,
/// live instances per zone: the view a zone outage question needs (does
/// the cluster rebalance, and how fast). Colours follow the zone's place in
/// the scenario's `zones`.
pub(crate) fn zone_figure(context: &RunContext) -> Result<Figure, SkippedChart> {
    let series = &context.run.series;
    let axis = &context.axis;
    let zones = series.names("zone");
    let has_rows = |metric: &str| zones.iter().any(|zone| !series.get("zone", zone, metric).is_empty());
    if !has_rows("tasks_running") {
        return Err(
            context.skipped(ZONES_WHAT, "no per-zone rows in timeseries.csv (a run made before they were recorded)")
        );
    }
    let lines = |metric: &str| -> Vec<Layer> {
        zones
            .iter()
            .enumerate()
            .map(|(index, zone)| {
                let rows = series.get("zone", zone, metric);
                line(zone.as_str(), palette::series(index), Dash::Solid, axis.segments(rows, Placement::Step))
            })
            .filter(Layer::has_data)
            .collect()
    };
    let mut panels = vec![Panel::counts("running tasks (count)", lines("tasks_running"))];
    let with_instances = zones.iter().any(|zone| has_nonzero(series.get("zone", zone, "instances")));
    if with_instances {
        // The same zones in the same colours: the legend lists each zone once.
        panels.push(Panel::counts("EC2 instances (count)", lines("instances")));
    }
    let below = if with_instances { "; below: live EC2 instances" } else { " (Fargate only: no instances)" };
    let subtitle = format!(
        "tasks running in each availability zone at the end of each {} interval{below}",
        axis.interval_phrase()
    );
    Ok(context.figure("zones".to_string(), ZONES_WHAT, subtitle, panels, context.cluster_markers()))
}
