//! The charts of a sweep: cost against every other metric with the Pareto
//! frontier, and every metric against every axis, one line per variant.

use std::collections::BTreeMap;

use crate::chart::figure::{Dash, ErrorPoint, Figure, Layer, Panel, Shape, XAxis, XScale, slug};
use crate::chart::palette;
use crate::chart::pareto::pareto_front;
use crate::chart::stats::{Estimate, estimate};
use crate::chart::sweep_data::{COST_METRIC, Configuration, SweepData};
use crate::chart::ticks::padded_range;

/// Every sweep chart: Pareto charts in metric order, then per axis (in
/// column order) one chart per metric, cost last unless it is a metric.
pub(crate) fn sweep_figures(sweep: &SweepData) -> Vec<Figure> {
    let mut figures: Vec<Figure> =
        sweep.metrics.iter().filter(|m| m.as_str() != COST_METRIC).map(|metric| pareto_figure(sweep, metric)).collect();
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

/// Availability-like figures are better when larger; everything else
/// (cost, latency, failures, minutes) when smaller.
pub(crate) fn higher_is_better(metric: &str) -> bool {
    metric.contains("availability") || metric.ends_with("served")
}

/// The unit a metric's name implies, for axis labels.
fn unit_of(metric: &str) -> Option<&'static str> {
    let last = metric.rsplit('.').next().unwrap_or(metric);
    if last.ends_with("_usd") || last == "usd" {
        Some("USD")
    } else if last.ends_with("_ms") {
        Some("ms")
    } else if last.ends_with("_s") {
        Some("s")
    } else if last.ends_with("_minutes") {
        Some("minutes")
    } else if last.ends_with("_percent") {
        Some("%")
    } else if last.contains("availability") {
        Some("fraction served")
    } else {
        None
    }
}

fn metric_label(metric: &str) -> String {
    match unit_of(metric) {
        Some(unit) => format!("{metric} ({unit})"),
        None => metric.to_string(),
    }
}

/// The last two segments of an axis key path, short enough for a title.
fn short_axis_name(key: &str) -> String {
    let segments: Vec<&str> = key.split('.').collect();
    let start = segments.len().saturating_sub(2);
    segments[start..].join(".")
}

fn variant_label(variant: &str) -> String {
    if variant.is_empty() { "(unnamed variant)".to_string() } else { variant.to_string() }
}

/// Mean and CI of `metric` for each configuration (aligned with
/// `sweep.configurations`): from `summary.csv` when it is a metric, else
/// computed from the successful runs in `runs.csv`.
fn configuration_estimates(sweep: &SweepData, metric: &str) -> Vec<Option<Estimate>> {
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

fn pareto_figure(sweep: &SweepData, metric: &str) -> Figure {
    let costs = configuration_estimates(sweep, COST_METRIC);
    let values = configuration_estimates(sweep, metric);
    let maximise = higher_is_better(metric);
    // (configuration, point) for every configuration with both means.
    let placed: Vec<(&Configuration, ErrorPoint)> = sweep
        .configurations
        .iter()
        .zip(costs.iter().zip(&values))
        .filter_map(|(configuration, (cost, value))| {
            let (cost, value) = ((*cost)?, (*value)?);
            Some((configuration, ErrorPoint { x: cost.mean, y: value.mean, x_ci: cost.ci95, y_ci: value.ci95 }))
        })
        .collect();
    let mut layers: Vec<Layer> = sweep
        .variants()
        .iter()
        .enumerate()
        .map(|(index, variant)| Layer::Points {
            label: variant_label(variant),
            colour: palette::series(index),
            shape: Shape::nth(index),
            points: placed.iter().filter(|(c, _)| &c.variant == variant).map(|(_, p)| *p).collect(),
        })
        .collect();
    let coordinates: Vec<(f64, f64)> = placed.iter().map(|(_, p)| (p.x, p.y)).collect();
    let front = pareto_front(&coordinates, maximise);
    layers.push(Layer::Frontier {
        label: format!("Pareto frontier ({} configurations)", front.len()),
        points: front.iter().map(|&i| (placed[i].1.x, placed[i].1.y, format!("c{}", placed[i].0.index))).collect(),
    });
    let x_values: Vec<f64> = layers.iter().flat_map(Layer::x_extent).collect();
    let (x_min, x_max) = padded_range(&x_values, &[]);
    let direction = if maximise { "highest" } else { "lowest" };
    Figure {
        stem: format!("pareto-{}", slug(metric)),
        title: format!("{}: {metric} vs cost", sweep.name),
        subtitle: Some(format!(
            "one point per configuration (mean of its replications), bars: 95% CI; frontier: least cost for the {direction} {metric}; cN = configuration N"
        )),
        x: XAxis { label: metric_label(COST_METRIC), scale: XScale::Numeric, min: x_min, max: x_max },
        panels: vec![Panel {
            y_label: metric_label(metric),
            layers,
            y_include: Vec::new(),
            integer_y: false,
            y_cap: None,
        }],
        markers: Vec::new(),
        shade: None,
    }
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

fn axis_figure(sweep: &SweepData, axis: usize, metric: &str) -> Figure {
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
                // Points where values were measured: with few axis values a
                // bare line hides which x positions are data.
                let measured =
                    line.iter().flatten().map(|&(x, y)| ErrorPoint { x, y, x_ci: None, y_ci: None }).collect();
                layers.push(Layer::Band { label: String::new(), colour, opacity: 0.2, outline: false, segments: band });
                layers.push(Layer::Points {
                    label: String::new(),
                    colour,
                    shape: Shape::nth(variant_index),
                    points: measured,
                });
                layers.push(Layer::Line {
                    label: variant_label(variant),
                    colour,
                    dash: Dash::Solid,
                    width: 2,
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
    let spread = if numbers.is_some() { "band" } else { "bars" };
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
        x: XAxis { label: key.clone(), scale, min, max },
        panels: vec![Panel {
            y_label: metric_label(metric),
            layers,
            y_include: Vec::new(),
            integer_y: false,
            y_cap: None,
        }],
        markers: Vec::new(),
        shade: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metric_direction_and_units() {
        assert!(higher_is_better("requests.availability"));
        assert!(higher_is_better("services.web.requests.served"));
        assert!(!higher_is_better("latency.p99_ms"));
        assert_eq!(metric_label("cost.total_usd"), "cost.total_usd (USD)");
        assert_eq!(metric_label("latency.p99_ms"), "latency.p99_ms (ms)");
        assert_eq!(metric_label("tasks.started"), "tasks.started");
        assert_eq!(
            short_axis_name("services[web].auto_scaling.target_tracking[cpu60].target_value"),
            "target_tracking[cpu60].target_value"
        );
    }
}
