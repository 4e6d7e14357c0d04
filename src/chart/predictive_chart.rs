//! A service's predictive scaling chart: the load its policy sees against the
//! forecast, and the forecast capacity against desired (docs/model.md §9.7).
//! Drawn only for services whose time series has a predictive policy.

use crate::chart::figure::{Dash, Figure, Layer, MarkerGroup, Panel, slug};
use crate::chart::palette::{BLUE, ORANGE, SKY_BLUE, VERMILLION};
use crate::chart::run_context::{RunContext, line, wide_line};
use crate::chart::time_axis::Placement;

/// One figure per predictive policy of `service`, in policy-name order.
pub(crate) fn predictive_figures(context: &RunContext, service: &str, markers: &[MarkerGroup]) -> Vec<Figure> {
    let series = &context.run.series;
    let policies: Vec<String> = series
        .metrics("service", service)
        .into_iter()
        .filter_map(|m| m.strip_prefix("predictive_")?.strip_suffix("_forecast_load").map(str::to_string))
        .collect();
    let segments =
        |metric: &str, placement: Placement| context.axis.segments(series.get("service", service, metric), placement);
    policies
        .iter()
        .map(|policy| {
            let p = format!("predictive_{policy}");
            let mut load = vec![
                line("load", SKY_BLUE, Dash::Solid, segments(&format!("{p}_load"), Placement::Midpoint)),
                line(
                    "forecast load",
                    VERMILLION,
                    Dash::Dashed,
                    segments(&format!("{p}_forecast_load"), Placement::Step),
                ),
            ];
            load.retain(Layer::has_data);
            let mut tasks = vec![
                wide_line("desired", ORANGE, segments("desired", Placement::Step)),
                line("running", BLUE, Dash::Solid, segments("running", Placement::Step)),
                line(
                    "forecast capacity",
                    VERMILLION,
                    Dash::Dashed,
                    segments(&format!("{p}_forecast_capacity"), Placement::Step),
                ),
            ];
            tasks.retain(Layer::has_data);
            let subtitle = format!(
                "policy {policy}: the load it forecasts ({} averages) and its hourly forecast; \
                 forecast capacity = ceil(forecast load / target)",
                context.axis.interval_phrase()
            );
            context.figure(
                format!("service-{}-predictive-{}", slug(service), slug(policy)),
                &format!("{service} predictive scaling ({policy})"),
                subtitle,
                vec![Panel::from_zero("load (metric summed over tasks)", load), Panel::counts("tasks (count)", tasks)],
                markers.to_vec(),
            )
        })
        .collect()
}
