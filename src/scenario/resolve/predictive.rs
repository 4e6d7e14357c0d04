//! `[[services.auto_scaling.predictive]]`: predictive scaling policies
//! (docs/model.md §9.7), checked as the PutScalingPolicy API checks them.

use super::super::raw;
use super::super::types::*;
use super::ctx::Ctx;
use super::predictive_metrics::{Owner, resolve_metrics};
use crate::calendar::{Calendar, parse_time_zone};
use crate::engine::SimDuration;
use crate::scaling::{
    Forecaster, HourClock, MaxCapacityBreach, MetricPair, PredictiveConfig, PredictiveMetrics, PredictiveMode,
    validate_predictive_config,
};

/// The default scheduling buffer, 300 s (docs/aws-facts.md §14).
pub const DEFAULT_SCHEDULING_BUFFER: SimDuration = SimDuration::from_secs(300);

/// What a predictive policy is checked against: its service's load balancer,
/// names (the dimensions of its metrics) and clock.
pub(super) struct PredictiveEnv<'a> {
    pub lb: Option<&'a LoadBalancer>,
    pub service: &'a str,
    pub cluster: &'a str,
    pub calendar: Calendar,
    /// The workload's time zone, the default of `timezone`.
    pub workload_tz: Option<&'a jiff::tz::TimeZone>,
}

pub(super) fn predictive_policy(
    ctx: &mut Ctx,
    pp: &str,
    p: &raw::Predictive,
    env: &PredictiveEnv,
) -> Option<PredictiveConfig> {
    let owner = Owner { service: env.service, cluster: env.cluster, lb: env.lb };
    let metrics = resolve_metrics(ctx, pp, p, &owner);
    let percent = match metrics {
        Some(PredictiveMetrics::Pair(pair)) => pair != MetricPair::AlbRequestCount,
        Some(PredictiveMetrics::Custom { scaling, .. }) => scaling.is_percent(),
        None => false,
    };
    if percent && p.target_value > 100.0 {
        ctx.err(format!("{pp}.target_value"), format!("{} is a utilization percentage above 100", p.target_value));
    }
    let mode = ctx.enum_value(
        &format!("{pp}.mode"),
        p.mode.as_deref().unwrap_or("ForecastOnly"),
        &[("ForecastOnly", PredictiveMode::ForecastOnly), ("ForecastAndScale", PredictiveMode::ForecastAndScale)],
    );
    let max_capacity_breach = ctx.enum_value(
        &format!("{pp}.max_capacity_breach_behavior"),
        p.max_capacity_breach_behavior.as_deref().unwrap_or("HonorMaxCapacity"),
        &[
            ("HonorMaxCapacity", MaxCapacityBreach::HonorMaxCapacity),
            ("IncreaseMaxCapacity", MaxCapacityBreach::IncreaseMaxCapacity),
        ],
    );
    // The API: MaxCapacityBuffer is required with IncreaseMaxCapacity and refused
    // without it (docs/aws-facts.md §17).
    let increase = max_capacity_breach == Some(MaxCapacityBreach::IncreaseMaxCapacity);
    if p.max_capacity_buffer.is_some() && !increase && max_capacity_breach.is_some() {
        ctx.err(
            format!("{pp}.max_capacity_buffer"),
            "applies only with max_capacity_breach_behavior = \"IncreaseMaxCapacity\"",
        );
    }
    if p.max_capacity_buffer.is_none() && increase {
        ctx.err(
            format!("{pp}.max_capacity_breach_behavior"),
            "\"IncreaseMaxCapacity\" needs max_capacity_buffer (0-100, percent above the forecast capacity), as the API requires",
        );
    }
    let forecaster = ctx.enum_value(
        &format!("{pp}.forecaster"),
        p.forecaster.as_deref().unwrap_or("seasonal"),
        &[("seasonal", Forecaster::Seasonal), ("daily", Forecaster::Daily)],
    );
    // "The same hour" is read on the workload's clock unless the policy names one.
    let tz = match p.timezone.as_deref().map(parse_time_zone) {
        Some(Ok(tz)) => tz,
        Some(Err(e)) => {
            ctx.err(format!("{pp}.timezone"), e);
            jiff::tz::TimeZone::UTC
        }
        None => env.workload_tz.cloned().unwrap_or(jiff::tz::TimeZone::UTC),
    };
    // Checked with stand-ins for the names already refused, so every problem shows at once.
    let cfg = PredictiveConfig {
        name: p.name.clone(),
        metrics: metrics.unwrap_or(PredictiveMetrics::Pair(MetricPair::Cpu)),
        target_value: p.target_value,
        mode: mode.unwrap_or(PredictiveMode::ForecastOnly),
        scheduling_buffer: p.scheduling_buffer_time.map_or(DEFAULT_SCHEDULING_BUFFER, |d| d.0),
        max_capacity_breach: max_capacity_breach.unwrap_or(MaxCapacityBreach::HonorMaxCapacity),
        max_capacity_buffer: p.max_capacity_buffer.unwrap_or(0),
        forecaster: forecaster.unwrap_or(Forecaster::Seasonal),
        clock: HourClock { calendar: env.calendar, tz },
    };
    // Each problem starts with its field's name.
    for problem in validate_predictive_config(&cfg) {
        let (field, what) = problem.split_once(": ").unwrap_or(("", problem.as_str()));
        ctx.err(format!("{pp}.{field}"), what);
    }
    let all_named = metrics.is_some() && mode.is_some() && max_capacity_breach.is_some() && forecaster.is_some();
    all_named.then_some(cfg)
}
