//! Scaling policies: target tracking (predefined metrics, and customized
//! metrics that are the same as one) and step scaling with the CloudWatch
//! alarm that triggers it.

use super::document::{Origin, Table, tv_bool, tv_int, tv_num, tv_secs, tv_str};
use super::error::Errors;
use super::json::Node;
use super::report::Report;
use super::unmodelled::{ALARM, STEP_SCALING, TARGET_TRACKING, report_unread};
use std::collections::BTreeMap;

const ALB_REQUESTS: &str = "ALBRequestCountPerTarget";

/// The ecsim metric a CloudWatch metric is, with the statistic that makes it
/// so (the average CPU or memory utilization of the service's tasks; the
/// requests per target per minute of its target group).
fn ecsim_metric(namespace: &str, name: &str) -> Option<(&'static str, &'static str)> {
    match (namespace, name) {
        ("AWS/ECS", "CPUUtilization") => Some(("ECSServiceAverageCPUUtilization", "Average")),
        ("AWS/ECS", "MemoryUtilization") => Some(("ECSServiceAverageMemoryUtilization", "Average")),
        ("AWS/ApplicationELB", "RequestCountPerTarget") => Some((ALB_REQUESTS, "Sum")),
        _ => None,
    }
}

/// What the policy needs from its service.
pub struct Context<'s> {
    pub service: &'s str,
    pub aws_service: &'s str,
    pub has_alb: bool,
}

/// The `[[services.auto_scaling.target_tracking]]` table of a policy.
pub fn target_tracking(
    policy: &Node<'_>,
    cfg: &Node<'_>,
    name: &str,
    ctx: &Context<'_>,
    report: &mut Report,
    errors: &mut Errors,
) -> Option<Table> {
    report_unread(cfg, &TARGET_TRACKING, ctx.service, report);
    let (metric, metric_origin) = if let Some(pre) = cfg.get("PredefinedMetricSpecification") {
        let kind =
            errors.keep(pre.need("PredefinedMetricType", "a string").and_then(|n| Ok((n.str()?, n.origin()))))?;
        match kind.0 {
            "ECSServiceAverageCPUUtilization" | "ECSServiceAverageMemoryUtilization" | ALB_REQUESTS => (kind.0, kind.1),
            other => {
                report
                    .warn_at(&pre, format!("policy {name}: predefined metric {other} is not modelled; policy skipped"));
                report.unmodelled(format!("describe-scaling-policies: PredefinedMetricType {other}"), ctx.service);
                return None;
            }
        }
    } else if let Some(custom) = cfg.get("CustomizedMetricSpecification") {
        let namespace = custom.opt_str("Namespace").ok().flatten().unwrap_or("");
        let metric_name = custom.opt_str("MetricName").ok().flatten().unwrap_or("");
        let statistic = custom.opt_str("Statistic").ok().flatten().unwrap_or("");
        match ecsim_metric(namespace, metric_name) {
            Some((m, stat)) if stat == statistic && custom.get("Metrics").is_none() => {
                (m, Origin::Derived(format!("{namespace} {metric_name} {statistic} is {m}: {}", custom.source())))
            }
            _ => {
                let what = if custom.get("Metrics").is_some() {
                    "metric math".to_string()
                } else {
                    format!("{namespace} {metric_name} ({statistic})")
                };
                report.warn_at(
                    &custom,
                    format!("policy {name}: the customized metric {what} is not one ecsim models; policy skipped"),
                );
                report.unmodelled(
                    format!("describe-scaling-policies: CustomizedMetricSpecification {what}"),
                    ctx.service,
                );
                return None;
            }
        }
    } else {
        errors.push(cfg.invalid("neither PredefinedMetricSpecification nor CustomizedMetricSpecification"));
        return None;
    };
    if metric == ALB_REQUESTS && !ctx.has_alb {
        report.warn_at(policy, format!("policy {name} tracks ALBRequestCountPerTarget but the service has no Application Load Balancer in the export; policy skipped"));
        return None;
    }
    let mut t = Table::default();
    t.set("name", tv_str(name), policy.get("PolicyName")?.origin());
    t.set("predefined_metric", tv_str(metric), metric_origin);
    let target = errors.keep(cfg.need("TargetValue", "a number"))?;
    t.set("target_value", tv_num(errors.keep(target.f64())?), target.origin());
    cooldowns(
        cfg,
        &[("scale_out_cooldown", "ScaleOutCooldown"), ("scale_in_cooldown", "ScaleInCooldown")],
        &mut t,
        errors,
    );
    if let Some(n) = cfg.get("DisableScaleIn") {
        t.set("disable_scale_in", tv_bool(errors.keep(n.bool())?), n.origin());
    }
    Some(t)
}

fn cooldowns(cfg: &Node<'_>, keys: &[(&str, &str)], t: &mut Table, errors: &mut Errors) {
    for (key, aws) in keys {
        match cfg.get(aws) {
            Some(n) => {
                if let Some(v) = errors.keep(n.u64()) {
                    t.set(key, tv_secs(v), n.origin());
                }
            }
            None => t.note(key, Origin::Derived("absent: the Application Auto Scaling default for ECS, 300 s".into())),
        }
    }
}

/// The `[[services.auto_scaling.step_scaling]]` table of a policy and its alarm.
pub fn step_scaling(
    policy: &Node<'_>,
    cfg: &Node<'_>,
    name: &str,
    ctx: &Context<'_>,
    alarms: &BTreeMap<String, Node<'_>>,
    report: &mut Report,
    errors: &mut Errors,
) -> Option<Table> {
    report_unread(cfg, &STEP_SCALING, ctx.service, report);
    let linked = errors.keep(policy.list("Alarms"))?;
    let Some(first) = linked.first() else {
        report.warn_at(policy, format!("step policy {name} has no alarm, so it never runs; skipped"));
        return None;
    };
    if linked.len() > 1 {
        report.unmodelled(
            "describe-scaling-policies: ScalingPolicies[].Alarms[1..] (only the first alarm is modelled)",
            ctx.service,
        );
    }
    let alarm_name = errors.keep(first.req_str("AlarmName"))?;
    let Some(alarm) = alarms.get(alarm_name) else {
        report.warn_at(first, format!("the alarm {alarm_name} of step policy {name} is not in the export (cloudwatch describe-alarms); policy skipped"));
        return None;
    };
    report_unread(alarm, &ALARM, ctx.service, report);
    if alarm.opt_bool("ActionsEnabled").ok().flatten() == Some(false) {
        report.warn_at(
            alarm,
            format!("alarm {alarm_name} has its actions disabled, so step policy {name} never runs; skipped"),
        );
        return None;
    }
    let mut t = Table::default();
    t.set("name", tv_str(name), policy.get("PolicyName")?.origin());
    alarm_keys(alarm, name, ctx, &mut t, report, errors)?;
    let adjustment = errors.keep(cfg.need("AdjustmentType", "a string"))?;
    t.set("adjustment_type", tv_str(errors.keep(adjustment.str())?), adjustment.origin());
    if let Some(n) = cfg.get("MinAdjustmentMagnitude") {
        t.set("min_adjustment_magnitude", tv_int(errors.keep(n.u64())?), n.origin());
    }
    cooldowns(cfg, &[("cooldown", "Cooldown")], &mut t, errors);
    if let Some(n) = cfg.get("MetricAggregationType") {
        t.set("metric_aggregation_type", tv_str(errors.keep(n.str())?), n.origin());
    }
    let mut steps = Vec::new();
    for s in errors.keep(cfg.need("StepAdjustments", "an array").and_then(|n| n.items()))? {
        let mut st = Table::default();
        for (key, aws) in [("lower", "MetricIntervalLowerBound"), ("upper", "MetricIntervalUpperBound")] {
            if let Some(n) = s.get(aws) {
                st.set(key, tv_num(errors.keep(n.f64())?), n.origin());
            }
        }
        let adj = errors.keep(s.need("ScalingAdjustment", "a whole number"))?;
        st.set("adjustment", tv_int(errors.keep(adj.i64())?), adj.origin());
        steps.push(st);
    }
    t.array("steps", steps);
    Some(t)
}

/// Metric, statistic, threshold, comparison and evaluation of a step policy's alarm.
fn alarm_keys(
    alarm: &Node<'_>,
    policy: &str,
    ctx: &Context<'_>,
    t: &mut Table,
    report: &mut Report,
    errors: &mut Errors,
) -> Option<()> {
    let alarm_name = alarm.opt_str("AlarmName").ok().flatten().unwrap_or("?");
    let skip = |report: &mut Report, what: String| {
        report.warn_at(
            alarm,
            format!("alarm {alarm_name} of step policy {policy}: {what} is not modelled; policy skipped"),
        );
        report.unmodelled(format!("describe-alarms: {what}"), ctx.service);
    };
    if alarm.get("Metrics").is_some() {
        skip(report, "metric math (Metrics)".into());
        return None;
    }
    let (Some(ns), Some(mn)) = (alarm.get("Namespace"), alarm.get("MetricName")) else {
        errors.push(alarm.invalid("the alarm has neither MetricName and Namespace nor Metrics"));
        return None;
    };
    let (namespace, metric_name) = (errors.keep(ns.str())?, errors.keep(mn.str())?);
    let Some((metric, _)) = ecsim_metric(namespace, metric_name) else {
        skip(report, format!("the metric {namespace} {metric_name}"));
        return None;
    };
    if metric == ALB_REQUESTS && !ctx.has_alb {
        report.warn_at(alarm, format!("step policy {policy} watches RequestCountPerTarget but the service has no Application Load Balancer in the export; policy skipped"));
        return None;
    }
    for d in errors.keep(alarm.list("Dimensions"))? {
        if d.opt_str("Name").ok().flatten() == Some("ServiceName")
            && let Ok(Some(v)) = d.opt_str("Value")
            && v != ctx.aws_service
        {
            report.warn_at(
                &d,
                format!(
                    "alarm {alarm_name} watches service {v}; ecsim applies it to {} (the service of policy {policy})",
                    ctx.aws_service
                ),
            );
        }
    }
    t.set("metric", tv_str(metric), Origin::Derived(format!("{namespace} {metric_name}: {}", mn.source())));
    match (alarm.get("Statistic"), alarm.get("ExtendedStatistic")) {
        (Some(s), _) => t.set("statistic", tv_str(errors.keep(s.str())?), s.origin()),
        (None, Some(_)) => {
            skip(report, "a percentile statistic (ExtendedStatistic)".into());
            return None;
        }
        (None, None) => {}
    }
    let cmp = errors.keep(alarm.need("ComparisonOperator", "a string"))?;
    let op = errors.keep(cmp.str())?;
    if !matches!(
        op,
        "GreaterThanOrEqualToThreshold" | "GreaterThanThreshold" | "LessThanThreshold" | "LessThanOrEqualToThreshold"
    ) {
        skip(report, format!("the comparison {op}"));
        return None;
    }
    t.set("comparison", tv_str(op), cmp.origin());
    let threshold = errors.keep(alarm.need("Threshold", "a number"))?;
    t.set("threshold", tv_num(errors.keep(threshold.f64())?), threshold.origin());
    let periods = errors.keep(alarm.need("EvaluationPeriods", "a whole number"))?;
    let n = errors.keep(periods.u64())?;
    let datapoints = alarm.get("DatapointsToAlarm");
    let m = match &datapoints {
        Some(d) => Some(errors.keep(d.u64())?),
        None => None,
    };
    let period = alarm.opt_u64("Period").ok().flatten().unwrap_or(60);
    if period == 60 {
        t.set("evaluation_periods", tv_int(n), periods.origin());
        if let (Some(m), Some(d)) = (m, &datapoints) {
            t.set("datapoints_to_alarm", tv_int(m), d.origin());
        }
    } else {
        // ecsim's alarms read one-minute datapoints: a longer period becomes
        // as many one-minute periods (a shorter one, one minute).
        let minutes = (period / 60).max(1);
        let (n_minutes, m_minutes) = (n.saturating_mul(minutes), m.map(|m| m.saturating_mul(minutes)));
        let why = format!(
            "the alarm's Period is {period} s and ecsim evaluates one-minute datapoints: {n} periods become {n_minutes} one-minute periods"
        );
        t.set(
            "evaluation_periods",
            tv_int(n_minutes),
            report.assume("services[].auto_scaling.step_scaling[].evaluation_periods", ctx.service, why),
        );
        if let Some(m) = m_minutes {
            let why = format!("scaled with the alarm's {period} s Period: {m}");
            t.set(
                "datapoints_to_alarm",
                tv_int(m),
                report.assume("services[].auto_scaling.step_scaling[].datapoints_to_alarm", ctx.service, why),
            );
        }
    }
    Some(())
}
