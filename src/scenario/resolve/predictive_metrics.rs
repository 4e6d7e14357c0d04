//! What a predictive policy measures: `metric_pair`, or the API's
//! `customized_scaling_metric_specification`,
//! `customized_load_metric_specification` and
//! `customized_capacity_metric_specification`, each one metric data query
//! naming a CloudWatch metric ecsim computes (docs/model.md §9.7; the list is
//! `scaling::predictive_metrics::SUPPORTED`).

use super::super::raw;
use super::super::types::*;
use super::ctx::Ctx;
use crate::scaling::predictive_metrics::{Dimensions, Role, SUPPORTED, supported_list};
use crate::scaling::{CustomMetric, MetricPair, PredictiveMetrics};

const ALB_NEEDED: &str =
    "needs the service to have an Application Load Balancer ([services.load_balancer] kind = \"alb\")";

/// The service a policy's metrics must name.
pub(super) struct Owner<'a> {
    pub service: &'a str,
    pub cluster: &'a str,
    pub lb: Option<&'a LoadBalancer>,
}

/// The policy's metrics; None after reporting a problem.
pub(super) fn resolve_metrics(ctx: &mut Ctx, pp: &str, p: &raw::Predictive, env: &Owner) -> Option<PredictiveMetrics> {
    let has_alb = env.lb.is_some_and(|l| l.kind == LbKind::Alb);
    let scaling = p.customized_scaling_metric_specification.as_ref();
    let load = p.customized_load_metric_specification.as_ref();
    let capacity = p.customized_capacity_metric_specification.as_ref();
    let custom_given = scaling.is_some() || load.is_some() || capacity.is_some();
    match (&p.metric_pair, custom_given) {
        (Some(_), true) => {
            ctx.err(
                format!("{pp}.metric_pair"),
                "give either metric_pair or custom metrics (customized_scaling_metric_specification and customized_load_metric_specification), not both",
            );
            None
        }
        (None, false) => {
            ctx.err(
                pp,
                "needs metric_pair, or customized_scaling_metric_specification and customized_load_metric_specification",
            );
            None
        }
        (Some(pair), false) => {
            let pair = ctx.enum_value(&format!("{pp}.metric_pair"), pair, &MetricPair::ALL)?;
            if pair == MetricPair::AlbRequestCount && !has_alb {
                ctx.err(format!("{pp}.metric_pair"), format!("ALBRequestCount {ALB_NEEDED}"));
            }
            Some(PredictiveMetrics::Pair(pair))
        }
        (None, true) => {
            let mut one = |key: &str, spec: Option<&raw::CustomizedMetric>, role: Role| match spec {
                None if role == Role::Capacity => Some(None),
                None => {
                    ctx.err(
                        format!("{pp}.{key}"),
                        format!("custom metrics need a {} metric too: give {key}", role.as_str()),
                    );
                    None
                }
                Some(spec) => custom_metric(ctx, &format!("{pp}.{key}"), spec, role, env, has_alb).map(Some),
            };
            let scaling = one("customized_scaling_metric_specification", scaling, Role::Scaling);
            let load = one("customized_load_metric_specification", load, Role::Load);
            let capacity = one("customized_capacity_metric_specification", capacity, Role::Capacity);
            Some(PredictiveMetrics::custom(scaling??, load??, capacity?))
        }
    }
}

/// One customized metric specification: exactly one query, with a
/// `metric_stat` that is one of the metrics of `role` ecsim computes.
fn custom_metric(
    ctx: &mut Ctx,
    path: &str,
    spec: &raw::CustomizedMetric,
    role: Role,
    env: &Owner,
    has_alb: bool,
) -> Option<CustomMetric> {
    let supported = || format!("ecsim computes these {} metrics: {}", role.as_str(), supported_list(role));
    let query = match spec.metric_data_queries.as_slice() {
        [query] => query,
        [] => {
            ctx.err(
                format!("{path}.metric_data_queries"),
                format!("needs one query with metric_stat; {}", supported()),
            );
            return None;
        }
        [_, ..] => {
            ctx.err(
                format!("{path}.metric_data_queries"),
                format!(
                    "several queries combine metrics with metric math, which ecsim does not simulate: give one query with metric_stat; {}",
                    supported()
                ),
            );
            return None;
        }
    };
    let qp = format!("{path}.metric_data_queries[0]");
    if query.expression.is_some() {
        ctx.err(
            format!("{qp}.expression"),
            format!("metric math is not simulated: give metric_stat instead; {}", supported()),
        );
        return None;
    }
    if query.return_data == Some(false) {
        ctx.err(format!("{qp}.return_data"), "the only query must return its data (true, the default)");
    }
    let Some(stat) = &query.metric_stat else {
        ctx.err(qp, format!("needs metric_stat; {}", supported()));
        return None;
    };
    let sp = format!("{qp}.metric_stat");
    let m = &stat.metric;
    let Some(entry) =
        SUPPORTED.iter().find(|s| s.namespace == m.namespace && s.metric_name == m.metric_name && s.stat == stat.stat)
    else {
        ctx.err(
            format!("{sp}.metric.metric_name"),
            format!(
                "{} {} ({}) is not a metric ecsim computes; {}",
                m.namespace,
                m.metric_name,
                stat.stat,
                supported()
            ),
        );
        return None;
    };
    if entry.role != role {
        ctx.err(
            format!("{sp}.metric.metric_name"),
            format!(
                "{} {} ({}) is a {} metric, not a {} metric; {}",
                m.namespace,
                m.metric_name,
                stat.stat,
                entry.role.as_str(),
                role.as_str(),
                supported()
            ),
        );
        return None;
    }
    if let Some(unit) = &stat.unit
        && unit != entry.unit
    {
        ctx.err(format!("{sp}.unit"), format!("{} is in {}, not {unit}", m.metric_name, entry.unit));
    }
    if entry.metric.needs_alb() && !has_alb {
        ctx.err(format!("{sp}.metric.metric_name"), format!("{} {ALB_NEEDED}", m.metric_name));
    }
    check_dimensions(
        ctx,
        &format!("{sp}.metric.dimensions"),
        m.dimensions.as_deref().unwrap_or(&[]),
        entry.dimensions,
        env,
    );
    Some(entry.metric)
}

/// The dimensions must name the policy's own service: ClusterName and
/// ServiceName, or TargetGroup (optionally with LoadBalancer).
fn check_dimensions(ctx: &mut Ctx, path: &str, dims: &[raw::MetricDimension], kind: Dimensions, env: &Owner) {
    let value = |name: &str| dims.iter().find(|d| d.name == name).map(|d| d.value.as_str());
    match kind {
        Dimensions::Service => {
            let expected = format!("ClusterName = \"{}\" and ServiceName = \"{}\"", env.cluster, env.service);
            let ok = dims.len() == 2
                && value("ClusterName") == Some(env.cluster)
                && value("ServiceName") == Some(env.service);
            if !ok {
                ctx.err(path, format!("must be exactly {expected} (this policy's own service)"));
            }
        }
        Dimensions::TargetGroup => {
            let known = dims.iter().all(|d| d.name == "TargetGroup" || d.name == "LoadBalancer");
            let once = |n: &str| dims.iter().filter(|d| d.name == n).count() <= 1;
            if value("TargetGroup").is_none() || !known || !once("TargetGroup") || !once("LoadBalancer") {
                ctx.err(
                    path,
                    "must be TargetGroup, optionally with LoadBalancer (the service's own target group; ecsim gives each service one)",
                );
            }
        }
    }
}
