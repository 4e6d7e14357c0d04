//! A service's load balancer: the target group's protocol (ALB or NLB), its
//! health check, and its deregistration delay from the target group's
//! attributes (which the export wraps with the target group's ARN, as
//! docs/import.md describes).

use super::document::{Origin, Table, tv_int, tv_secs, tv_str};
use super::error::Errors;
use super::export::{Export, by_key};
use super::json::Node;
use super::kind::Kind;
use super::report::Report;
use super::unmodelled::{TARGET_GROUP, report_unread};
use std::collections::BTreeMap;

/// Target group attributes ecsim does not model, with their default values.
const UNMODELLED_ATTRIBUTES: &[(&str, &str)] = &[
    ("slow_start.duration_seconds", "0"),
    ("load_balancing.algorithm.type", "round_robin"),
    ("stickiness.enabled", "false"),
    ("deregistration_delay.connection_termination.enabled", "false"),
];

pub struct TargetGroups<'a> {
    by_arn: BTreeMap<String, Node<'a>>,
    /// Target group ARN -> its `Attributes` list.
    attributes: BTreeMap<String, Node<'a>>,
}

impl<'a> TargetGroups<'a> {
    pub fn new(export: &Export<'a>, report: &mut Report) -> TargetGroups<'a> {
        let groups = export.items(Kind::TargetGroups);
        let by_arn = by_key(groups, "TargetGroupArn");
        let mut attributes = BTreeMap::new();
        for root in export.items(Kind::TargetGroupAttributes) {
            let Some(list) = root.get("Attributes") else { continue };
            match root.opt_str("TargetGroupArn") {
                Ok(Some(arn)) => {
                    attributes.insert(arn.to_string(), list);
                }
                _ if by_arn.len() == 1 => {
                    let only = by_arn.keys().next().cloned().unwrap_or_default();
                    attributes.insert(only, list);
                }
                _ => report.warn_at(
                    root,
                    "target group attributes without a TargetGroupArn key, and the export does not hold exactly \
                     one target group: cannot tell whose they are; skipped (see docs/import.md)",
                ),
            }
        }
        TargetGroups { by_arn, attributes }
    }

    /// The `[services.load_balancer]` table for a service's `loadBalancers`.
    pub fn table(&self, lbs: &[Node<'_>], service: &str, report: &mut Report, errors: &mut Errors) -> Option<Table> {
        let first = lbs.first()?;
        if lbs.len() > 1 {
            report.unmodelled(
                "describe-services: services[].loadBalancers[1..] (only the first target group is modelled)",
                service,
            );
        }
        let mut t = Table::default();
        let Some(arn_node) = first.get("targetGroupArn") else {
            report.warn_at(first, "a Classic Load Balancer (loadBalancerName) is not modelled; no load balancer");
            report.unmodelled("describe-services: services[].loadBalancers[].loadBalancerName", service);
            return None;
        };
        let arn = errors.keep(arn_node.str())?;
        let Some(tg) = self.by_arn.get(arn) else {
            report.warn_at(&arn_node, "the target group is not in the export (elbv2 describe-target-groups)");
            let why = "the target group is not exported: an Application Load Balancer with ecsim's default health check and deregistration delay";
            t.set("kind", tv_str("alb"), report.assume("services[].load_balancer.kind", service, why));
            return Some(t);
        };
        report_unread(tg, &TARGET_GROUP, service, report);
        let protocol = tg.get("Protocol");
        let kind = match protocol.as_ref().and_then(|p| p.str().ok()) {
            Some("HTTP" | "HTTPS") => Some("alb"),
            Some("TCP" | "TLS" | "UDP" | "TCP_UDP") => Some("nlb"),
            _ => None,
        };
        match (kind, &protocol) {
            (Some(k), Some(p)) => t.set("kind", tv_str(k), Origin::Derived(format!("the protocol in {}", p.source()))),
            _ => {
                let why = "the target group's protocol is neither an ALB's nor an NLB's: alb";
                t.set("kind", tv_str("alb"), report.assume("services[].load_balancer.kind", service, why));
            }
        }
        match self.attribute(arn, "deregistration_delay.timeout_seconds") {
            Some(v) => {
                let secs = errors
                    .keep(v.str().and_then(|s| s.parse::<u64>().map_err(|_| v.invalid("expected whole seconds"))))?;
                t.set("deregistration_delay", tv_secs(secs), v.origin());
            }
            None => {
                let why = "the target group's attributes are not exported: the Elastic Load Balancing default, 300 s";
                t.set(
                    "deregistration_delay",
                    tv_secs(300),
                    report.assume("services[].load_balancer.deregistration_delay", service, why),
                );
            }
        }
        if let Some(n) = tg.get("HealthCheckIntervalSeconds") {
            t.set("health_check_interval", tv_secs(errors.keep(n.u64())?), n.origin());
        }
        for (key, aws) in
            [("healthy_threshold", "HealthyThresholdCount"), ("unhealthy_threshold", "UnhealthyThresholdCount")]
        {
            if let Some(n) = tg.get(aws) {
                t.set(key, tv_int(errors.keep(n.u64())?), n.origin());
            }
        }
        if tg.opt_bool("HealthCheckEnabled").ok().flatten() == Some(false) {
            report.unmodelled(format!("{}.HealthCheckEnabled = false", TARGET_GROUP.what), service);
        }
        if let Some(list) = self.attributes.get(arn) {
            for a in errors.keep(list.items()).unwrap_or_default() {
                let (Ok(Some(key)), Ok(Some(value))) = (a.opt_str("Key"), a.opt_str("Value")) else { continue };
                if UNMODELLED_ATTRIBUTES.iter().any(|(k, d)| *k == key && *d != value) {
                    report.unmodelled(format!("describe-target-group-attributes: {key}"), service);
                }
            }
        }
        Some(t)
    }

    fn attribute(&self, arn: &str, key: &str) -> Option<Node<'a>> {
        let list = self.attributes.get(arn)?.items().ok()?;
        list.into_iter().find(|a| a.opt_str("Key").ok().flatten() == Some(key)).and_then(|a| a.get("Value"))
    }
}
