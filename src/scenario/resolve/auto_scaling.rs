//! `[services.auto_scaling]`: Service Auto Scaling bounds and its target
//! tracking and step scaling policies (scheduled actions are in
//! [`super::scheduled`]).

use super::super::raw;
use super::super::types::*;
use super::MAX_TASKS_PER_SERVICE;
use super::ctx::{Ctx, check_name};
use crate::scaling::{
    AdjustmentType, AutoScalingConfig, Comparison, ServiceMetric, Statistic, StepAdjustment, StepScalingConfig,
    TargetTrackingConfig, validate_step_config,
};
use std::collections::BTreeSet;

/// The predefined metrics a policy may follow, by their AWS names.
const METRICS: [(&str, ServiceMetric); 3] = [
    ("ECSServiceAverageCPUUtilization", ServiceMetric::CpuUtilization),
    ("ECSServiceAverageMemoryUtilization", ServiceMetric::MemoryUtilization),
    ("ALBRequestCountPerTarget", ServiceMetric::AlbRequestCountPerTarget),
];

pub(super) fn resolve_auto_scaling(
    ctx: &mut Ctx,
    path: &str,
    a: &raw::AutoScaling,
    env: &super::predictive::PredictiveEnv,
) -> Option<AutoScalingConfig> {
    let lb = env.lb;
    if a.min_capacity > a.max_capacity {
        ctx.err(
            format!("{path}.min_capacity"),
            format!("min_capacity {} is greater than max_capacity {}", a.min_capacity, a.max_capacity),
        );
    }
    if a.max_capacity > MAX_TASKS_PER_SERVICE {
        ctx.err(
            format!("{path}.max_capacity"),
            format!("{} is out of range; ECS allows at most {MAX_TASKS_PER_SERVICE} tasks per service", a.max_capacity),
        );
    }
    // Policy and scheduled action names share one namespace per service.
    let mut policy_names = BTreeSet::new();
    let mut target_tracking = Vec::new();
    for (j, t) in a.target_tracking.iter().flatten().enumerate() {
        let tp = format!("{path}.target_tracking[{j}]");
        if let Some(cfg) = target_tracking_policy(ctx, &tp, t, lb, &mut policy_names) {
            target_tracking.push(cfg);
        }
    }
    let mut step_scaling = Vec::new();
    for (j, s) in a.step_scaling.iter().flatten().enumerate() {
        let sp = format!("{path}.step_scaling[{j}]");
        if let Some(cfg) = step_scaling_policy(ctx, &sp, s, lb, &mut policy_names) {
            step_scaling.push(cfg);
        }
    }
    let mut predictive = Vec::new();
    for (j, p) in a.predictive.iter().flatten().enumerate() {
        let pp = format!("{path}.predictive[{j}]");
        claim_policy_name(ctx, &pp, &p.name, &mut policy_names);
        predictive.extend(super::predictive::predictive_policy(ctx, &pp, p, env));
    }
    for (j, s) in a.scheduled.iter().flatten().enumerate() {
        if !policy_names.insert(s.name.clone()) {
            ctx.err(format!("{path}.scheduled[{j}]"), format!("duplicate policy or action name \"{}\"", s.name));
        }
    }
    Some(AutoScalingConfig {
        min_capacity: a.min_capacity,
        max_capacity: a.max_capacity,
        target_tracking,
        step_scaling,
        predictive,
    })
}

/// ALBRequestCountPerTarget counts requests at an Application Load Balancer.
fn check_metric(ctx: &mut Ctx, path: &str, m: ServiceMetric, lb: Option<&LoadBalancer>) {
    if m == ServiceMetric::AlbRequestCountPerTarget && !lb.is_some_and(|l| l.kind == LbKind::Alb) {
        ctx.err(path, "ALBRequestCountPerTarget needs the service to have an Application Load Balancer ([services.load_balancer] kind = \"alb\")");
    }
}

/// Checks a policy's name and that no earlier policy of the service took it.
fn claim_policy_name(ctx: &mut Ctx, path: &str, name: &str, policy_names: &mut BTreeSet<String>) {
    check_name(ctx, path, name);
    if !policy_names.insert(name.to_string()) {
        ctx.err(path, format!("duplicate policy name \"{name}\""));
    }
}

fn target_tracking_policy(
    ctx: &mut Ctx,
    tp: &str,
    t: &raw::TargetTracking,
    lb: Option<&LoadBalancer>,
    policy_names: &mut BTreeSet<String>,
) -> Option<TargetTrackingConfig> {
    claim_policy_name(ctx, tp, &t.name, policy_names);
    let metric = ctx.enum_value(&format!("{tp}.predefined_metric"), &t.predefined_metric, &METRICS)?;
    check_metric(ctx, &format!("{tp}.predefined_metric"), metric, lb);
    if !(t.target_value.is_finite() && t.target_value > 0.0) {
        ctx.err(format!("{tp}.target_value"), format!("{} must be more than 0", t.target_value));
    }
    if metric != ServiceMetric::AlbRequestCountPerTarget && t.target_value > 100.0 {
        ctx.err(format!("{tp}.target_value"), format!("{} is a utilization percentage above 100", t.target_value));
    }
    Some(TargetTrackingConfig {
        name: t.name.clone(),
        metric,
        target_value: t.target_value,
        scale_out_cooldown: t.scale_out_cooldown.map_or(crate::scaling::DEFAULT_COOLDOWN, |d| d.0),
        scale_in_cooldown: t.scale_in_cooldown.map_or(crate::scaling::DEFAULT_COOLDOWN, |d| d.0),
        disable_scale_in: t.disable_scale_in.unwrap_or(false),
    })
}

fn step_scaling_policy(
    ctx: &mut Ctx,
    sp: &str,
    s: &raw::StepScaling,
    lb: Option<&LoadBalancer>,
    policy_names: &mut BTreeSet<String>,
) -> Option<StepScalingConfig> {
    claim_policy_name(ctx, sp, &s.name, policy_names);
    let metric = ctx.enum_value(&format!("{sp}.metric"), &s.metric, &METRICS);
    if let Some(m) = metric {
        check_metric(ctx, &format!("{sp}.metric"), m, lb);
    }
    let (statistic, comparison, adjustment_type, aggregation) = step_enums(ctx, sp, s);
    let evaluation_periods = s.evaluation_periods.unwrap_or(1);
    let datapoints_to_alarm = s.datapoints_to_alarm.unwrap_or(evaluation_periods);
    if evaluation_periods == 0 || evaluation_periods > 1440 {
        ctx.err(
            format!("{sp}.evaluation_periods"),
            format!("{evaluation_periods} is out of range; expected 1 to 1440"),
        );
    }
    if datapoints_to_alarm == 0 || datapoints_to_alarm > evaluation_periods {
        ctx.err(
            format!("{sp}.datapoints_to_alarm"),
            format!("{datapoints_to_alarm} must be between 1 and evaluation_periods ({evaluation_periods})"),
        );
    }
    if !s.threshold.is_finite() {
        ctx.err(format!("{sp}.threshold"), "must be a finite number");
    }
    let cfg = StepScalingConfig {
        name: s.name.clone(),
        metric: metric?,
        statistic: statistic?,
        comparison: comparison?,
        threshold: s.threshold,
        evaluation_periods,
        datapoints_to_alarm,
        adjustment_type: adjustment_type?,
        min_adjustment_magnitude: s.min_adjustment_magnitude,
        cooldown: s.cooldown.map_or(crate::scaling::DEFAULT_COOLDOWN, |d| d.0),
        metric_aggregation_type: aggregation?,
        steps: s
            .steps
            .iter()
            .map(|st| StepAdjustment { lower: st.lower, upper: st.upper, adjustment: st.adjustment })
            .collect(),
    };
    for msg in validate_step_config(&cfg) {
        ctx.err(sp, msg);
    }
    Some(cfg)
}

/// A step policy's statistic, comparison, adjustment type and aggregation,
/// each `None` when it names no allowed value.
fn step_enums(
    ctx: &mut Ctx,
    sp: &str,
    s: &raw::StepScaling,
) -> (Option<Statistic>, Option<Comparison>, Option<AdjustmentType>, Option<Statistic>) {
    let stats = [
        ("Average", Statistic::Average),
        ("Maximum", Statistic::Maximum),
        ("Minimum", Statistic::Minimum),
        ("Sum", Statistic::Sum),
        ("SampleCount", Statistic::SampleCount),
    ];
    let statistic = s
        .statistic
        .as_deref()
        .map_or(Some(Statistic::Average), |v| ctx.enum_value(&format!("{sp}.statistic"), v, &stats));
    let comparison = ctx.enum_value(
        &format!("{sp}.comparison"),
        &s.comparison,
        &[
            ("GreaterThanOrEqualToThreshold", Comparison::GreaterThanOrEqualToThreshold),
            ("GreaterThanThreshold", Comparison::GreaterThanThreshold),
            ("LessThanThreshold", Comparison::LessThanThreshold),
            ("LessThanOrEqualToThreshold", Comparison::LessThanOrEqualToThreshold),
        ],
    );
    let adjustment_type = ctx.enum_value(
        &format!("{sp}.adjustment_type"),
        &s.adjustment_type,
        &[
            ("ChangeInCapacity", AdjustmentType::ChangeInCapacity),
            ("PercentChangeInCapacity", AdjustmentType::PercentChangeInCapacity),
            ("ExactCapacity", AdjustmentType::ExactCapacity),
        ],
    );
    let aggregation = s.metric_aggregation_type.as_deref().map_or(Some(Statistic::Average), |v| {
        ctx.enum_value(
            &format!("{sp}.metric_aggregation_type"),
            v,
            &[("Average", Statistic::Average), ("Minimum", Statistic::Minimum), ("Maximum", Statistic::Maximum)],
        )
    });
    (statistic, comparison, adjustment_type, aggregation)
}
