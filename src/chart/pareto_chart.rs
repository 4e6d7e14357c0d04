//! Cost against the figures that say how well a configuration served its
//! users (reliability and latency), with the Pareto frontier, the scenario's
//! SLO drawn as a line, frontier points labelled by their axis values, and
//! log axes where values span more than two decades.

use crate::chart::figure::{ErrorPoint, Figure, Layer, Shape, XAxis, XScale, slug};
use crate::chart::log_scale::{log_point, log_ticks, needs_log};
use crate::chart::palette::{self, VERMILLION};
use crate::chart::pareto::pareto_front;
use crate::chart::sweep_charts::{
    configuration_estimates, higher_is_better, is_share, metric_label, metric_panel, unit_of, variant_label,
};
use crate::chart::sweep_data::{ALWAYS_CHARTED, COST_METRIC, Configuration, SweepData};
use crate::chart::ticks::padded_range;
use crate::scenario::duration::parse_seconds;

/// Last name segments of failure and delay figures, besides `failed*`,
/// `*_ms` and `*_s`.
const RELIABILITY_FIGURES: [&str; 9] = [
    "interrupted",
    "killed_in_flight",
    "stalled",
    "launch_failures",
    "pending_task_minutes",
    "below_desired_minutes",
    "violation_minutes",
    "served",
    "completed",
];

/// Whether cost against `metric` answers "what does reliability or speed
/// cost": availability, served and completed work, failures of every kind,
/// SLO violation minutes, waits, deployment times and latencies. Cost components
/// (`cost.*`, `*_usd`) are not (cost against part of itself is a line),
/// nor are resource counts or the SLO targets themselves
/// (`services.<s>.slo.latency_p99_ms`).
pub(crate) fn is_reliability_or_latency(metric: &str) -> bool {
    let segments: Vec<&str> = metric.split('.').collect();
    let last = segments.last().copied().unwrap_or(metric);
    if matches!(unit_of(metric), Some("USD" | "USD per job")) {
        return false;
    }
    if segments.contains(&"slo") {
        return last == "violation_minutes";
    }
    last.ends_with("_ms")
        || last.ends_with("_s")
        || last.ends_with("availability")
        || last.starts_with("failed")
        || segments.contains(&"placement_failures")
        || RELIABILITY_FIGURES.contains(&last)
}

/// The figures charted against cost, in this order: the sweep's metrics
/// that are reliability or latency figures, then availability and p99
/// latency (`ALWAYS_CHARTED`) when they are not metrics but `runs.csv` has
/// them.
pub(crate) fn pareto_metrics(sweep: &SweepData) -> Vec<String> {
    let mut metrics: Vec<String> = sweep.metrics.iter().filter(|m| is_reliability_or_latency(m)).cloned().collect();
    for metric in ALWAYS_CHARTED {
        if !metrics.iter().any(|m| m == metric) && sweep.run_metric_index(metric).is_some() {
            metrics.push(metric.to_string());
        }
    }
    metrics
}

/// One service's SLO as the base scenario states it.
#[derive(Clone, Debug, PartialEq)]
struct ServiceSlo {
    service: String,
    latency_p99_ms: Option<f64>,
    availability: f64,
}

/// The `slo` of every service of the scenario text that has one
/// (availability 0.999 unless given, as the scenario format's default).
fn service_slos(scenario_text: &str) -> Vec<ServiceSlo> {
    let Ok(scenario) = toml::from_str::<toml::Table>(scenario_text) else {
        return Vec::new();
    };
    let services = scenario.get("services").and_then(toml::Value::as_array).cloned().unwrap_or_default();
    services
        .iter()
        .filter_map(|service| {
            let name = service.get("name")?.as_str()?.to_string();
            let slo = service.get("workload")?.get("slo")?;
            let latency_p99_ms = slo
                .get("latency_p99")
                .and_then(toml::Value::as_str)
                .and_then(|d| parse_seconds(d).ok())
                .map(|s| s * 1000.0);
            let availability = slo.get("availability").and_then(toml::Value::as_float).unwrap_or(0.999);
            Some(ServiceSlo { service: name, latency_p99_ms, availability })
        })
        .collect()
}

/// The SLO lines of a Pareto chart: (label, value), one per distinct
/// target. A service's own figure gets its own SLO; a run-wide figure
/// (`latency.p99_ms`, `requests.availability`) every service's, each line
/// naming the services that share it.
fn slo_lines(metric: &str, scenario_text: Option<&str>) -> Vec<(String, f64)> {
    let slos = scenario_text.map(service_slos).unwrap_or_default();
    let segments: Vec<&str> = metric.split('.').collect();
    let own = match segments.as_slice() {
        ["services", service, ..] => Some(*service),
        _ => None,
    };
    let latency = metric.ends_with("latency.p99_ms");
    let availability = metric.ends_with("requests.availability");
    if !latency && !availability {
        return Vec::new();
    }
    let mut lines: Vec<(f64, Vec<String>)> = Vec::new();
    for slo in slos.iter().filter(|s| own.is_none_or(|o| o == s.service)) {
        let value = if latency { slo.latency_p99_ms } else { Some(slo.availability) };
        let Some(value) = value else { continue };
        match lines.iter_mut().find(|(v, _)| *v == value) {
            Some((_, services)) => services.push(slo.service.clone()),
            None => lines.push((value, vec![slo.service.clone()])),
        }
    }
    lines
        .into_iter()
        .map(|(value, services)| {
            let what =
                if latency { format!("p99 {} ms", crate::fmt::fmt_f64(value)) } else { crate::fmt::fmt_f64(value) };
            (format!("SLO {what} ({})", services.join(", ")), value)
        })
        .collect()
}

/// A frontier point's label: its configuration's axis values, "60/3",
/// followed by its variant when the sweep has several ("60/3 spot"); the
/// variant alone when the sweep has no axes.
pub(crate) fn point_label(configuration: &Configuration, several_variants: bool) -> String {
    values_label(&configuration.axis_values, &configuration.variant, several_variants)
}

/// [`point_label`] from the values themselves (as their CSV cells) and the variant.
pub fn values_label(axis_values: &[String], variant: &str, several_variants: bool) -> String {
    let variant = variant_label(variant);
    match (axis_values.is_empty(), several_variants) {
        (true, _) => variant,
        (false, true) => format!("{} {variant}", axis_values.join("/")),
        (false, false) => axis_values.join("/"),
    }
}

/// The last segment of each axis key, "target_value/weight": what the
/// frontier's labels list.
fn label_key(sweep: &SweepData) -> String {
    labels_key(&sweep.axes, sweep.variants().len() > 1)
}

/// [`label_key`] from the axis keys and whether there are several variants.
pub fn labels_key(axes: &[String], several_variants: bool) -> String {
    if axes.is_empty() {
        return "variant".to_string();
    }
    let names: Vec<&str> = axes.iter().map(|key| key.rsplit('.').next().unwrap_or(key)).collect();
    let variant = if several_variants { " variant" } else { "" };
    format!("{}{variant}", names.join("/"))
}

pub(crate) fn pareto_figure(sweep: &SweepData, metric: &str) -> Figure {
    let costs = configuration_estimates(sweep, COST_METRIC);
    let values = configuration_estimates(sweep, metric);
    let maximise = higher_is_better(metric);
    // (configuration, point) for every configuration with both means.
    let mut placed: Vec<(&Configuration, ErrorPoint)> = sweep
        .configurations
        .iter()
        .zip(costs.iter().zip(&values))
        .filter_map(|(configuration, (cost, value))| {
            let (cost, value) = ((*cost)?, (*value)?);
            Some((configuration, ErrorPoint { x: cost.mean, y: value.mean, x_ci: cost.ci95, y_ci: value.ci95 }))
        })
        .collect();
    let front = pareto_front(&placed.iter().map(|(_, p)| (p.x, p.y)).collect::<Vec<_>>(), maximise);
    let slos = slo_lines(metric, sweep.scenario_text.as_deref());
    let log_x = needs_log(&placed.iter().map(|(_, p)| p.x).collect::<Vec<_>>());
    let y_values: Vec<f64> = placed.iter().map(|(_, p)| p.y).chain(slos.iter().map(|s| s.1)).collect();
    let log_y = !is_share(metric) && needs_log(&y_values);
    for (_, point) in &mut placed {
        if log_x {
            (point.x, point.x_ci) = log_point(point.x, point.x_ci);
        }
        if log_y {
            (point.y, point.y_ci) = log_point(point.y, point.y_ci);
        }
    }
    let several = sweep.variants().len() > 1;
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
    layers.push(Layer::Frontier {
        label: format!("Pareto frontier ({} configurations)", front.len()),
        points: front.iter().map(|&i| (placed[i].1.x, placed[i].1.y, point_label(placed[i].0, several))).collect(),
    });
    for (label, value) in &slos {
        let y = if log_y { value.log10() } else { *value };
        layers.push(Layer::Threshold { label: label.clone(), colour: VERMILLION, y });
    }
    let x_values: Vec<f64> = layers.iter().flat_map(Layer::x_extent).collect();
    let (x_min, x_max) = padded_range(&x_values, &[]);
    let direction = if maximise { "highest" } else { "lowest" };
    let mut panel = metric_panel(metric, layers);
    if log_y {
        let y_all: Vec<f64> = panel.layers.iter().flat_map(Layer::y_extent).collect();
        let (low, high) = padded_range(&y_all, &[]);
        panel.y_ticks = Some(log_ticks(low, high));
        panel.y_label = format!("{} (log scale)", panel.y_label);
        // Limits hold values, not their logarithms.
        panel.y_limits = None;
    }
    let x_label = metric_label(COST_METRIC);
    let x = if log_x {
        XAxis {
            label: format!("{x_label} (log scale)"),
            scale: XScale::Labelled(log_ticks(x_min, x_max)),
            min: x_min,
            max: x_max,
        }
    } else {
        XAxis { label: x_label, scale: XScale::Numeric, min: x_min, max: x_max }
    };
    Figure {
        stem: format!("pareto-{}", slug(metric)),
        title: format!("{}: {metric} vs cost", sweep.name),
        subtitle: Some(format!(
            "one point per configuration (mean of its replications), bars: 95% CI; frontier: least cost for the {direction} {metric}, labelled {}",
            label_key(sweep)
        )),
        x,
        panels: vec![panel],
        markers: Vec::new(),
        shade: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_reliability_and_latency_are_charted_against_cost() {
        for metric in [
            "requests.availability",
            "services.web.requests.availability",
            "latency.p99_ms",
            "services.api.latency.p50_ms",
            "slo.violation_minutes",
            "services.web.slo.violation_minutes",
            "requests.failed",
            "requests.failed_shed",
            "tasks.interrupted",
            "tasks.placement_failures.no_capacity",
            "batch.etl.wait_p95_s",
        ] {
            assert!(is_reliability_or_latency(metric), "{metric}");
        }
        for metric in [
            "cost.total_usd",
            "cost.by_provider.FARGATE",
            "services.api.cost_usd",
            "batch.etl.cost_per_job_usd",
            "instances.peak",
            "scaling.actions",
            "services.web.slo.latency_p99_ms",
            "services.web.slo.availability",
        ] {
            assert!(!is_reliability_or_latency(metric), "{metric}");
        }
    }

    #[test]
    fn slo_lines_name_the_services_that_share_them() {
        let scenario = "[[services]]\nname = \"web\"\n[services.workload]\nslo = { latency_p99 = \"250ms\" }\n\
            [[services]]\nname = \"api\"\n[services.workload]\nslo = { latency_p99 = \"0.1s\", availability = 0.995 }\n\
            [[services]]\nname = \"worker\"\n[services.workload]\n";
        assert_eq!(
            slo_lines("latency.p99_ms", Some(scenario)),
            [("SLO p99 250 ms (web)".to_string(), 250.0), ("SLO p99 100 ms (api)".to_string(), 100.0)]
        );
        assert_eq!(
            slo_lines("services.api.latency.p99_ms", Some(scenario)),
            [("SLO p99 100 ms (api)".to_string(), 100.0)]
        );
        // web's availability defaults to 0.999.
        assert_eq!(
            slo_lines("requests.availability", Some(scenario)),
            [("SLO 0.999 (web)".to_string(), 0.999), ("SLO 0.995 (api)".to_string(), 0.995)]
        );
        assert!(slo_lines("requests.failed", Some(scenario)).is_empty());
        assert!(slo_lines("latency.p99_ms", None).is_empty());
    }
}
