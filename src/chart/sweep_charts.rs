//! The charts of a sweep along its axes (every metric against every axis,
//! one line per variant), and what every sweep chart shares: metric units,
//! directions and estimates.

use std::collections::BTreeMap;

use crate::chart::figure::{Dash, ErrorPoint, Figure, Layer, Panel, Shape, XAxis, XScale, slug};
use crate::chart::palette::{self, CI_BAND_OPACITY};
use crate::chart::stats::{Estimate, estimate};
use crate::chart::sweep_data::{Configuration, SweepData};
use crate::chart::ticks::padded_range;

/// Last name segments of the figures that are better when larger: what a
/// configuration gets done. Any segment ending in `availability` counts too.
const HIGHER_IS_BETTER: [&str; 3] = ["served", "completed", "jobs"];

/// Whether a larger value of `metric` is better, which decides the Pareto
/// frontier's direction. The rule reads the last segment of the name:
///
/// - higher is better: `*availability` (`requests.availability`,
///   `services.<s>.slo.availability`), `served`, `completed`
///   (`deployments.<s>.completed`, `batch.<b>.completed`,
///   `tasks.stopped.completed`) and `jobs` (batch jobs fired);
/// - lower is better: everything else. That is the clear direction for cost
///   (`*_usd`, `cost.*`), latency and durations (`*_ms`, `*_s`), failures
///   (`failed*`, `placement_failures.*`, `launch_failures`,
///   `killed_in_flight`), `violation_minutes`, `pending_task_minutes`,
///   `below_desired_minutes`, `interrupted`, `stalled`, `in_progress`,
///   `attempts` and `wasted_task_hours`.
///
/// Counts without a clear direction — resources and churn such as
/// `instances.peak`, `instances.launched`, instance and task hours,
/// `tasks.started`, scaling actions, `requests.total` — are deliberately
/// read like cost: fewer for the same outcome is better.
pub(crate) fn higher_is_better(metric: &str) -> bool {
    let last = metric.rsplit('.').next().unwrap_or(metric);
    last.ends_with("availability") || HIGHER_IS_BETTER.contains(&last)
}

/// The unit of shares such as availability, whose axes run from 0 to 1 at most.
const SHARE_UNIT: &str = "fraction served";

/// Groups of `summary.json` whose figures without a unit suffix are counts
/// (of deployments, instances, scaling actions, tasks, batch jobs).
const COUNTED_GROUPS: [&str; 5] = ["deployments", "instances", "scaling", "tasks", "batch"];

/// The unit of a metric (a `summary.json` figure's dotted name), for axis
/// labels; `None` when the name does not tell. The one place that maps
/// names to units: a unit suffix of the last segment first (`_usd`, `_ms`,
/// `_minutes`, `_hours`, `_s`, `_percent`), then what the name is:
/// everything under `cost` is USD, instance and task hours per provider are
/// hours, availability is a share, request figures (`requests.*`,
/// `killed_in_flight`) count requests, and the rest of the deployments,
/// instances, scaling, tasks and batch groups are counts.
pub(crate) fn unit_of(metric: &str) -> Option<&'static str> {
    let segments: Vec<&str> = metric.split('.').collect();
    let last = segments.last().copied().unwrap_or(metric);
    let has = |name: &str| segments.contains(&name);
    let unit = if last.ends_with("_per_job_usd") {
        "USD per job"
    } else if last.ends_with("_usd") || segments[0] == "cost" {
        "USD"
    } else if last.ends_with("_ms") {
        "ms"
    } else if last.ends_with("_minutes") {
        "minutes"
    } else if last.ends_with("_hours") || has("instance_hours") || has("task_hours") {
        "hours"
    } else if last.ends_with("_s") {
        "s"
    } else if last.ends_with("_percent") {
        "%"
    } else if last.ends_with("availability") {
        SHARE_UNIT
    } else if has("requests") || last == "killed_in_flight" {
        "requests"
    } else if COUNTED_GROUPS.iter().any(|group| has(group)) {
        "count"
    } else {
        return None;
    };
    Some(unit)
}

/// Whether `metric` is a share (availability): its axis stays within 0..1.
pub(crate) fn is_share(metric: &str) -> bool {
    unit_of(metric) == Some(SHARE_UNIT)
}

/// "name (unit)", or the bare name when the unit is unknown.
fn with_unit(name: &str, unit: Option<&str>) -> String {
    match unit {
        Some(unit) => format!("{name} ({unit})"),
        None => name.to_string(),
    }
}

pub(crate) fn metric_label(metric: &str) -> String {
    with_unit(metric, unit_of(metric))
}

/// The one panel of a sweep chart: `metric` on the y axis, with its unit and limits.
pub(crate) fn metric_panel(metric: &str, layers: Vec<Layer>) -> Panel {
    Panel {
        y_label: metric_label(metric),
        layers,
        y_include: Vec::new(),
        integer_y: false,
        y_cap: None,
        y_limits: y_limits(metric),
        y_ticks: None,
    }
}

/// The y range limits of a metric's panel: shares never leave 0..1, and
/// the other figures of known unit (costs, counts, latencies) are never
/// negative, however wide a confidence interval reaches below zero.
fn y_limits(metric: &str) -> Option<(f64, f64)> {
    if is_share(metric) { Some((0.0, 1.0)) } else { unit_of(metric).map(|_| (0.0, f64::INFINITY)) }
}

/// The unit of a sweep axis (a scenario key path), where the key tells:
/// a target tracking `target_value` takes its policy's unit from the
/// scenario (percent for the utilization metrics, requests per target per
/// minute for `ALBRequestCountPerTarget`); `*_percent` keys and managed
/// scaling's `target_capacity` are percentages.
pub(crate) fn axis_unit(key: &str, scenario_text: Option<&str>) -> Option<&'static str> {
    let last = key.rsplit('.').next().unwrap_or(key);
    if last == "target_value" {
        let metric = target_tracking_metric(key, scenario_text?)?;
        if metric.ends_with("Utilization") {
            Some("%")
        } else if metric == "ALBRequestCountPerTarget" {
            Some("requests per target per minute")
        } else {
            None
        }
    } else if last.ends_with("_percent") || last == "target_capacity" {
        Some("%")
    } else {
        None
    }
}

/// The `predefined_metric` of the target tracking policy a key such as
/// `services[api].auto_scaling.target_tracking[cpu].target_value` names, as
/// the sweep's base scenario states it.
fn target_tracking_metric(key: &str, scenario_text: &str) -> Option<String> {
    let selector = |prefix: &str| {
        let start = key.find(&format!("{prefix}["))? + prefix.len() + 1;
        let end = start + key[start..].find(']')?;
        Some(key[start..end].to_string())
    };
    let (service, policy) = (selector("services")?, selector("target_tracking")?);
    let scenario: toml::Table = toml::from_str(scenario_text).ok()?;
    let named = |items: &toml::Value, name: &str| -> Option<toml::Value> {
        let items = items.as_array()?;
        items
            .iter()
            .find(|item| item.get("name").and_then(toml::Value::as_str) == Some(name))
            .or_else(|| items.get(name.parse::<usize>().ok()?))
            .cloned()
    };
    let service = named(scenario.get("services")?, &service)?;
    let policy = named(service.get("auto_scaling")?.get("target_tracking")?, &policy)?;
    policy.get("predefined_metric")?.as_str().map(str::to_string)
}

/// The last two segments of an axis key path, short enough for a title.
fn short_axis_name(key: &str) -> String {
    let segments: Vec<&str> = key.split('.').collect();
    let start = segments.len().saturating_sub(2);
    segments[start..].join(".")
}

pub(crate) fn variant_label(variant: &str) -> String {
    if variant.is_empty() { "(unnamed variant)".to_string() } else { variant.to_string() }
}

/// Mean and CI of `metric` for each configuration (aligned with
/// `sweep.configurations`): from `summary.csv` when it is a metric, else
/// computed from the successful runs in `runs.csv`.
pub(crate) fn configuration_estimates(sweep: &SweepData, metric: &str) -> Vec<Option<Estimate>> {
    sweep.configurations.iter().map(|configuration| group_estimate(sweep, &[configuration], metric)).collect()
}

/// The estimate of `metric` averaged over a group of configurations.
///
/// One configuration with the metric in `summary.csv`: its mean and ci95.
/// Otherwise per replication: the mean over the group's configurations of
/// that replication's values (kept only when every configuration of the
/// group has a value for it), then mean and CI across replications. Because
/// replication k shares its seed across configurations, each such average is
/// one independent draw of the averaged figure.
fn group_estimate(sweep: &SweepData, group: &[&Configuration], metric: &str) -> Option<Estimate> {
    if let [configuration] = group
        && let Some(position) = sweep.metrics.iter().position(|m| m == metric)
    {
        let stats = configuration.stats.get(position)?;
        return stats.mean.map(|mean| Estimate { mean, ci95: stats.ci95 });
    }
    let column = sweep.run_metric_index(metric)?;
    let mut by_replication: BTreeMap<u64, Vec<f64>> = BTreeMap::new();
    for run in &sweep.runs {
        if group.iter().any(|c| c.index == run.configuration)
            && let Some(Some(value)) = run.values.get(column)
        {
            by_replication.entry(run.replication).or_default().push(*value);
        }
    }
    let averages: Vec<f64> = by_replication
        .values()
        .filter(|values| values.len() == group.len())
        .map(|values| values.iter().sum::<f64>() / values.len() as f64)
        .collect();
    estimate(&averages)
}

/// Distinct values of axis `axis` in order of first appearance, and whether
/// they are all numbers (then sorted numerically with their parsed values).
fn axis_values(sweep: &SweepData, axis: usize) -> (Vec<String>, Option<Vec<f64>>) {
    let mut values: Vec<String> = Vec::new();
    for configuration in &sweep.configurations {
        if let Some(value) = configuration.axis_values.get(axis)
            && !values.contains(value)
        {
            values.push(value.clone());
        }
    }
    let numbers: Option<Vec<f64>> =
        values.iter().map(|v| v.trim().parse::<f64>().ok().filter(|n| n.is_finite())).collect();
    match numbers {
        Some(numbers) => {
            let mut pairs: Vec<(f64, String)> = numbers.into_iter().zip(values).collect();
            pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
            let (numbers, values) = pairs.into_iter().unzip();
            (values, Some(numbers))
        }
        None => (values, None),
    }
}

pub(crate) fn axis_figure(sweep: &SweepData, axis: usize, metric: &str) -> Figure {
    let key = &sweep.axes[axis];
    let (values, numbers) = axis_values(sweep, axis);
    let variants = sweep.variants();
    let mut layers = Vec::new();
    for (variant_index, variant) in variants.iter().enumerate() {
        let estimates: Vec<Option<Estimate>> = values
            .iter()
            .map(|value| {
                let group: Vec<&Configuration> = sweep
                    .configurations
                    .iter()
                    .filter(|c| &c.variant == variant && c.axis_values.get(axis) == Some(value))
                    .collect();
                if group.is_empty() { None } else { group_estimate(sweep, &group, metric) }
            })
            .collect();
        let colour = palette::series(variant_index);
        match &numbers {
            Some(numbers) => {
                let mut line: Vec<Vec<(f64, f64)>> = vec![Vec::new()];
                let mut band: Vec<Vec<(f64, f64, f64)>> = vec![Vec::new()];
                for (x, estimate) in numbers.iter().zip(&estimates) {
                    match estimate {
                        Some(e) => {
                            let ci = e.ci95.unwrap_or(0.0);
                            if let Some(segment) = line.last_mut() {
                                segment.push((*x, e.mean));
                            }
                            if let Some(segment) = band.last_mut() {
                                segment.push((*x, e.mean - ci, e.mean + ci));
                            }
                        }
                        None => {
                            line.push(Vec::new());
                            band.push(Vec::new());
                        }
                    }
                }
                line.retain(|s| !s.is_empty());
                band.retain(|s| !s.is_empty());
                // Markers where values were measured (with few axis values a
                // bare line hides which x positions are data), and a line
                // style per variant: where two variants' lines coincide,
                // both stay visible.
                layers.push(Layer::Band {
                    label: String::new(),
                    colour,
                    opacity: CI_BAND_OPACITY,
                    outline: false,
                    segments: band,
                });
                layers.push(Layer::Line {
                    label: variant_label(variant),
                    colour,
                    dash: Dash::nth(variant_index),
                    width: 2,
                    marker: Some(Shape::nth(variant_index)),
                    segments: line,
                });
            }
            None => {
                // Side by side within a category so the bars do not overlap.
                let offset = (variant_index as f64 - (variants.len() as f64 - 1.0) / 2.0) * 0.08;
                let points = estimates
                    .iter()
                    .enumerate()
                    .filter_map(|(i, e)| {
                        e.map(|e| ErrorPoint { x: i as f64 + offset, y: e.mean, x_ci: None, y_ci: e.ci95 })
                    })
                    .collect();
                layers.push(Layer::Points {
                    label: variant_label(variant),
                    colour,
                    shape: Shape::nth(variant_index),
                    points,
                });
            }
        }
    }
    let (scale, min, max) = match &numbers {
        Some(numbers) => {
            let (min, max) = padded_range(numbers, &[]);
            (XScale::Numeric, min, max)
        }
        None => (XScale::Categories(values.clone()), -0.5, values.len() as f64 - 0.5),
    };
    let others: Vec<String> =
        sweep.axes.iter().enumerate().filter(|(i, _)| *i != axis).map(|(_, k)| short_axis_name(k)).collect();
    let spread = if numbers.is_some() { "band (in the line's colour)" } else { "bars" };
    let subtitle = if others.is_empty() {
        format!("mean per axis value; {spread}: 95% CI across replications")
    } else {
        format!("mean per axis value, averaged over {}; {spread}: 95% CI across replications", others.join(", "))
    };
    let short = short_axis_name(key);
    Figure {
        stem: format!("axis{}-{}-{}", axis + 1, slug(&short), slug(metric)),
        title: format!("{}: {metric} by {short}", sweep.name),
        subtitle: Some(subtitle),
        x: XAxis { label: with_unit(key, axis_unit(key, sweep.scenario_text.as_deref())), scale, min, max },
        panels: vec![metric_panel(metric, layers)],
        markers: Vec::new(),
        shade: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn direction_of_every_kind_of_metric() {
        for metric in [
            "requests.availability",
            "services.web.requests.availability",
            "services.web.requests.served",
            "requests.served",
            "deployments.api.completed",
            "batch.nightly-etl.completed",
            "batch.nightly-etl.jobs",
            "tasks.stopped.completed",
        ] {
            assert!(higher_is_better(metric), "{metric} should be higher-is-better");
        }
        for metric in [
            "cost.total_usd",
            "cost.by_provider.FARGATE",
            "batch.nightly-etl.cost_per_job_usd",
            "latency.p99_ms",
            "deployments.api.total_s",
            "requests.failed",
            "requests.failed_shed",
            "tasks.placement_failures.resource_ports",
            "slo.violation_minutes",
            "tasks.pending_task_minutes",
            "services.api.tasks.below_desired_minutes",
            "tasks.interrupted",
            "instances.interrupted",
            "deployments.api.stalled",
            "deployments.api.in_progress",
            "batch.nightly-etl.failed",
            "batch.nightly-etl.wasted_task_hours",
            // No clear direction: read like cost.
            "instances.peak",
            "instances.instance_hours.ec2",
            "tasks.started",
            "scaling.actions",
            "requests.total",
        ] {
            assert!(!higher_is_better(metric), "{metric} should be lower-is-better");
        }
    }

    #[test]
    fn units_from_metric_names() {
        let cases = [
            ("cost.total_usd", Some("USD")),
            ("cost.by_provider.ec2-spot", Some("USD")),
            ("services.api.cost_usd", Some("USD")),
            ("batch.etl.cost_per_job_usd", Some("USD per job")),
            ("latency.p99_ms", Some("ms")),
            ("services.web.slo.latency_p99_ms", Some("ms")),
            ("deployments.api.total_s", Some("s")),
            ("batch.etl.wait_p95_s", Some("s")),
            ("slo.violation_minutes", Some("minutes")),
            ("tasks.pending_task_minutes", Some("minutes")),
            ("instances.instance_hours.FARGATE", Some("hours")),
            ("services.api.tasks.task_hours.ec2", Some("hours")),
            ("batch.etl.wasted_task_hours", Some("hours")),
            ("services.api.scaling.cpu_target_percent", Some("%")),
            ("requests.availability", Some("fraction served")),
            ("requests.failed", Some("requests")),
            ("requests.failed_shed", Some("requests")),
            ("services.web.requests.served", Some("requests")),
            ("tasks.killed_in_flight", Some("requests")),
            ("deployments.api.completed", Some("count")),
            ("instances.peak", Some("count")),
            ("tasks.placement_failures.resource_ports", Some("count")),
            ("services.api.scaling.by_policy.cpu", Some("count")),
            ("batch.etl.jobs", Some("count")),
            ("seed", None),
        ];
        for (metric, unit) in cases {
            assert_eq!(unit_of(metric), unit, "{metric}");
        }
        assert_eq!(metric_label("cost.total_usd"), "cost.total_usd (USD)");
        assert_eq!(metric_label("requests.failed"), "requests.failed (requests)");
        assert_eq!(metric_label("deployments.api.completed"), "deployments.api.completed (count)");
        assert_eq!(metric_label("seed"), "seed");
        assert!(is_share("services.web.requests.availability") && !is_share("requests.served"));
        assert_eq!(y_limits("requests.availability"), Some((0.0, 1.0)));
        assert_eq!(y_limits("latency.p99_ms"), Some((0.0, f64::INFINITY)));
        assert_eq!(y_limits("seed"), None);
        assert_eq!(
            short_axis_name("services[web].auto_scaling.target_tracking[cpu60].target_value"),
            "target_tracking[cpu60].target_value"
        );
    }

    #[test]
    fn axis_units_from_the_key_and_the_scenario() {
        let scenario = "[[services]]\nname = \"web\"\n[services.auto_scaling]\n\
            [[services.auto_scaling.target_tracking]]\nname = \"cpu60\"\npredefined_metric = \"ECSServiceAverageCPUUtilization\"\ntarget_value = 60\n\
            [[services.auto_scaling.target_tracking]]\nname = \"rpt\"\npredefined_metric = \"ALBRequestCountPerTarget\"\ntarget_value = 1000\n";
        let cpu = "services[web].auto_scaling.target_tracking[cpu60].target_value";
        assert_eq!(axis_unit(cpu, Some(scenario)), Some("%"));
        let rpt = "services[web].auto_scaling.target_tracking[rpt].target_value";
        assert_eq!(axis_unit(rpt, Some(scenario)), Some("requests per target per minute"));
        // Unknown without the scenario, or for a policy it does not have.
        assert_eq!(axis_unit(cpu, None), None);
        assert_eq!(axis_unit("services[web].auto_scaling.target_tracking[mem].target_value", Some(scenario)), None);
        assert_eq!(axis_unit("capacity_providers[ec2].managed_scaling.target_capacity", None), Some("%"));
        assert_eq!(axis_unit("services[api].deployment_configuration.minimum_healthy_percent", None), Some("%"));
        assert_eq!(axis_unit("services[web].capacity_provider_strategy[FARGATE_SPOT].weight", None), None);
        assert_eq!(with_unit(cpu, axis_unit(cpu, Some(scenario))), format!("{cpu} (%)"));
    }
}
