//! Service Auto Scaling: the scalable target's capacity range, its scaling
//! policies (see policies.rs) and its scheduled actions. Application Auto
//! Scaling lists every resource of the account and region, so targets of
//! other clusters or other AWS services are skipped with a warning.

use super::document::{Origin, Table, tv_int, tv_str};
use super::error::Errors;
use super::export::{Export, by_key, service_resource};
use super::json::Node;
use super::kind::Kind;
use super::names::{scenario_name, unique};
use super::policies::{Context, step_scaling, target_tracking};
use super::report::Report;
use super::unmodelled::{SCALABLE_TARGET, SCALING_POLICY, SCHEDULED_ACTION, report_unread};
use crate::calendar::{Schedule, parse_time_zone};
use std::collections::{BTreeMap, BTreeSet};

const DIMENSION: &str = "ecs:service:DesiredCount";

/// The Application Auto Scaling resources of the cluster's services, by
/// service name.
pub struct Scaling<'a> {
    targets: BTreeMap<String, Node<'a>>,
    policies: BTreeMap<String, Vec<Node<'a>>>,
    actions: BTreeMap<String, Vec<Node<'a>>>,
    alarms: BTreeMap<String, Node<'a>>,
}

impl<'a> Scaling<'a> {
    pub fn new(export: &Export<'a>, cluster: &str, report: &mut Report, errors: &mut Errors) -> Scaling<'a> {
        let mut s = Scaling {
            targets: BTreeMap::new(),
            policies: BTreeMap::new(),
            actions: BTreeMap::new(),
            alarms: by_key(export.items(Kind::MetricAlarms), "AlarmName"),
        };
        for node in export.items(Kind::ScalableTargets) {
            if let Some(service) = ours(node, cluster, report, errors) {
                s.targets.entry(service).or_insert_with(|| node.clone());
            }
        }
        for (kind, map) in [(Kind::ScalingPolicies, &mut s.policies), (Kind::ScheduledActions, &mut s.actions)] {
            for node in export.items(kind) {
                if let Some(service) = ours(node, cluster, report, errors) {
                    map.entry(service).or_default().push(node.clone());
                }
            }
        }
        s
    }

    /// Warns about targets, policies and actions of services not imported.
    pub fn warn_unused(&self, imported: &BTreeSet<String>, report: &mut Report) {
        let nodes = self.targets.iter().chain(
            self.policies.iter().chain(self.actions.iter()).flat_map(|(s, list)| list.iter().map(move |n| (s, n))),
        );
        for (service, node) in nodes {
            if !imported.contains(service) {
                report.warn_at(node, format!("service {service} is not imported; its auto scaling is skipped"));
            }
        }
    }

    /// The `[services.auto_scaling]` table of a service.
    pub fn table(&self, ctx: &Context<'_>, report: &mut Report, errors: &mut Errors) -> Option<Table> {
        let Some(target) = self.targets.get(ctx.aws_service) else {
            for node in
                self.policies.get(ctx.aws_service).into_iter().chain(self.actions.get(ctx.aws_service)).flatten()
            {
                report.warn_at(
                    node,
                    format!(
                        "service {} has no scalable target in the export (describe-scalable-targets); skipped",
                        ctx.aws_service
                    ),
                );
            }
            return None;
        };
        report_unread(target, &SCALABLE_TARGET, ctx.service, report);
        let mut t = Table::default();
        for (key, aws) in [("min_capacity", "MinCapacity"), ("max_capacity", "MaxCapacity")] {
            let n = errors.keep(target.need(aws, "a whole number"))?;
            t.set(key, tv_int(errors.keep(n.u64())?), n.origin());
        }
        let mut taken: Vec<String> = Vec::new();
        let (mut tracking, mut steps) = (Vec::new(), Vec::new());
        for p in self.policies.get(ctx.aws_service).into_iter().flatten() {
            report_unread(p, &SCALING_POLICY, ctx.service, report);
            let Some(name) = errors.keep(p.req_str("PolicyName")) else { continue };
            let name = unique(scenario_name(name), &taken);
            let kind = p.opt_str("PolicyType").ok().flatten().unwrap_or("");
            let table = match (
                kind,
                p.get("TargetTrackingScalingPolicyConfiguration"),
                p.get("StepScalingPolicyConfiguration"),
            ) {
                ("TargetTrackingScaling", Some(cfg), _) => {
                    target_tracking(p, &cfg, &name, ctx, report, errors).map(|t| (t, true))
                }
                ("StepScaling", _, Some(cfg)) => {
                    step_scaling(p, &cfg, &name, ctx, &self.alarms, report, errors).map(|t| (t, false))
                }
                _ => {
                    report.warn_at(p, format!("policy {name} of type {kind} is not modelled; skipped"));
                    report.unmodelled(format!("describe-scaling-policies: PolicyType {kind}"), ctx.service);
                    None
                }
            };
            if let Some((table, is_tracking)) = table {
                taken.push(name);
                if is_tracking { tracking.push(table) } else { steps.push(table) }
            }
        }
        let mut scheduled = Vec::new();
        for a in self.actions.get(ctx.aws_service).into_iter().flatten() {
            if let Some(table) = scheduled_action(a, ctx.service, &mut taken, report, errors) {
                scheduled.push(table);
            }
        }
        t.array("target_tracking", tracking);
        t.array("step_scaling", steps);
        t.array("scheduled", scheduled);
        Some(t)
    }
}

/// The service of a resource of this cluster's ECS desired counts; anything
/// else is skipped with a warning.
fn ours(node: &Node<'_>, cluster: &str, report: &mut Report, errors: &mut Errors) -> Option<String> {
    let namespace = errors.keep(node.req_str("ServiceNamespace"))?;
    let resource = errors.keep(node.req_str("ResourceId"))?;
    let dimension = node.opt_str("ScalableDimension").ok().flatten().unwrap_or("");
    if namespace != "ecs" || dimension != DIMENSION {
        report.warn_at(
            node,
            format!("{resource} ({namespace}, {dimension}) is not an ECS service's desired count; skipped"),
        );
        return None;
    }
    let Some((their_cluster, service)) = service_resource(resource) else {
        errors.push(node.invalid(format!("ResourceId {resource} is not service/<cluster>/<service>")));
        return None;
    };
    if their_cluster != cluster {
        report.warn_at(node, format!("{resource} belongs to cluster \"{their_cluster}\", not to cluster \"{cluster}\" of this export; skipped"));
        return None;
    }
    Some(service.to_string())
}

fn scheduled_action(
    a: &Node<'_>,
    service: &str,
    taken: &mut Vec<String>,
    report: &mut Report,
    errors: &mut Errors,
) -> Option<Table> {
    report_unread(a, &SCHEDULED_ACTION, service, report);
    let name_node = errors.keep(a.need("ScheduledActionName", "a string"))?;
    let name = unique(scenario_name(errors.keep(name_node.str())?), taken);
    let schedule = errors.keep(a.need("Schedule", "a string"))?;
    let expr = errors.keep(schedule.str())?;
    let tz_node = a.get("Timezone");
    let tz_name = match &tz_node {
        Some(n) => errors.keep(n.str())?,
        None => "UTC",
    };
    let checked = parse_time_zone(tz_name).and_then(|tz| Schedule::parse(expr, &tz));
    if let Err(e) = checked {
        report.warn_at(&schedule, format!("scheduled action {name}: ecsim cannot read the schedule: {e}; skipped"));
        report.unmodelled(format!("describe-scheduled-actions: Schedule {expr}"), service);
        return None;
    }
    let mut t = Table::default();
    t.set("name", tv_str(&name), name_node.origin());
    t.set("schedule", tv_str(expr), schedule.origin());
    match &tz_node {
        Some(n) => t.set("timezone", tv_str(tz_name), n.origin()),
        None => t.note("timezone", Origin::Derived("absent: UTC, the Application Auto Scaling default".into())),
    }
    let action = errors.keep(a.need("ScalableTargetAction", "MinCapacity or MaxCapacity"))?;
    let mut any = false;
    for (key, aws) in [("min_capacity", "MinCapacity"), ("max_capacity", "MaxCapacity")] {
        if let Some(n) = action.get(aws) {
            t.set(key, tv_int(errors.keep(n.u64())?), n.origin());
            any = true;
        }
    }
    if !any {
        report.warn_at(&action, format!("scheduled action {name} sets neither MinCapacity nor MaxCapacity; skipped"));
        return None;
    }
    taken.push(name);
    Some(t)
}
