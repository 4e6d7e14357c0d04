//! Services: desired count, capacity provider strategy (or launch type),
//! deployment configuration, placement, health check grace period, and the
//! load balancer, service discovery and auto scaling tables of their own
//! files.

use super::autoscaling::Scaling;
use super::capacity::{Capacity, ProviderKind};
use super::cluster::Cluster;
use super::discovery::Registries;
use super::document::{Origin, Table, tv_int, tv_num, tv_secs, tv_str};
use super::error::{Errors, ImportError};
use super::export::cluster_of_arn;
use super::json::Node;
use super::load_balancer::TargetGroups;
use super::names::scenario_name;
use super::policies::Context;
use super::report::Report;
use super::task_definition::TaskDefs;
use super::unmodelled::{DEPLOYMENT_CONFIGURATION, SERVICE, report_unread};
use crate::query::Expression;
use std::collections::BTreeSet;

/// A service the import can map: of this cluster, a replica service, with
/// its task definition in the export.
pub struct Admitted<'a> {
    pub node: Node<'a>,
    pub aws_name: String,
    pub task_def: usize,
}

/// Checks a described service before mapping it. A service of another
/// cluster is an error; a daemon service or a missing task definition is a
/// warning and the service is skipped.
pub fn admit<'a>(
    node: &Node<'a>,
    cluster: &Cluster<'_>,
    tds: &TaskDefs<'_>,
    report: &mut Report,
    errors: &mut Errors,
) -> Option<Admitted<'a>> {
    let aws_name = errors.keep(node.req_str("serviceName"))?;
    if let Some(arn) = node.get("clusterArn")
        && let Some(text) = errors.keep(arn.str())
        && cluster_of_arn(text) != cluster.name
    {
        errors.push(ImportError::OtherCluster {
            file: node.doc.label.clone(),
            path: arn.path.clone(),
            ours: cluster.name.clone(),
            theirs: cluster_of_arn(text).to_string(),
            ours_source: cluster.source.clone(),
        });
        return None;
    }
    if node.opt_str("schedulingStrategy").ok().flatten() == Some("DAEMON") {
        report.warn_at(
            node,
            format!(
                "service {aws_name} is a DAEMON service (one task per instance), which ecsim does not model; skipped"
            ),
        );
        report.unmodelled("describe-services: services[].schedulingStrategy DAEMON", aws_name);
        return None;
    }
    let td_node = errors.keep(node.need("taskDefinition", "the task definition's ARN"))?;
    let reference = errors.keep(td_node.str())?;
    let Some(task_def) = tds.find(reference) else {
        report.warn_at(
            &td_node,
            format!(
                "service {aws_name} uses task definition {reference}, which is not in the export \
                 (ecs describe-task-definition --task-definition {}); service skipped",
                reference.rsplit('/').next().unwrap_or(reference)
            ),
        );
        return None;
    };
    Some(Admitted { node: node.clone(), aws_name: aws_name.to_string(), task_def })
}

/// The providers services name in their strategies or launch types, so that
/// FARGATE and FARGATE_SPOT are imported when used.
pub fn referenced_providers(services: &[Admitted<'_>], cluster: &Cluster<'_>) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let defaults = cluster.default_strategy.iter();
    for item in services
        .iter()
        .flat_map(|s| s.node.list("capacityProviderStrategy").unwrap_or_default())
        .chain(defaults.cloned())
    {
        if let Ok(Some(p)) = item.opt_str("capacityProvider") {
            names.insert(p.to_string());
        }
    }
    if services.iter().any(|s| s.node.opt_str("launchType").ok().flatten() == Some("FARGATE")) {
        names.insert("FARGATE".to_string());
    }
    names
}

/// Everything a service's mapping looks up.
pub struct Lookups<'b, 'a> {
    pub cluster: &'b Cluster<'a>,
    pub capacity: &'b Capacity,
    pub tds: &'b TaskDefs<'a>,
    pub target_groups: &'b TargetGroups<'a>,
    pub registries: &'b Registries<'a>,
    pub scaling: &'b Scaling<'a>,
}

pub struct MappedService {
    pub name: String,
    pub aws_name: String,
    pub task_def: usize,
    pub desired_count: u64,
    pub table: Table,
}

/// The `[[services]]` table of an admitted service.
pub fn service(
    s: &Admitted<'_>,
    look: &Lookups<'_, '_>,
    report: &mut Report,
    errors: &mut Errors,
) -> Option<MappedService> {
    let n = &s.node;
    let name = scenario_name(&s.aws_name);
    report_unread(n, &SERVICE, &name, report);
    for d in n.list("deployments").unwrap_or_default() {
        if d.get("serviceConnectConfiguration").and_then(|c| c.opt_bool("enabled").ok().flatten()) == Some(true) {
            report.unmodelled(
                "describe-services: services[].deployments[].serviceConnectConfiguration (Service Connect)",
                &name,
            );
        }
    }
    let mut t = Table::default();
    t.set("name", tv_str(&name), n.get("serviceName")?.origin());
    let td_name = look.tds.names.get(&s.task_def)?;
    t.set("task_definition", tv_str(td_name), n.get("taskDefinition")?.origin());
    let desired = errors.keep(n.need("desiredCount", "a whole number"))?;
    let desired_count = errors.keep(desired.u64())?;
    t.set("desired_count", tv_int(desired_count), desired.origin());
    if let Some(g) = n.get("healthCheckGracePeriodSeconds") {
        t.set("health_check_grace_period", tv_secs(errors.keep(g.u64())?), g.origin());
    }
    let strategy = strategy(n, look, &name, report, errors)?;
    let on_ec2 = strategy.iter().any(|(_, k)| *k == ProviderKind::Ec2);
    t.array("capacity_provider_strategy", strategy.into_iter().map(|(t, _)| t).collect());
    if on_ec2 {
        placement(n, &look.tds.list[s.task_def].constraints, &name, &mut t, report, errors);
    }
    if let Some(dc) = n.get("deploymentConfiguration") {
        t.table("deployment_configuration", deployment(&dc, &name, report, errors)?);
    }
    let lbs = errors.keep(n.list("loadBalancers"))?;
    let lb = look.target_groups.table(&lbs, &name, report, errors);
    let has_alb = lb.as_ref().is_some_and(|t| t.value("kind") == Some("\"alb\""));
    if let Some(lb) = lb {
        t.table("load_balancer", lb);
    }
    let registries = errors.keep(n.list("serviceRegistries"))?;
    if let Some(sd) = look.registries.table(&registries, &name, report, errors) {
        t.table("service_discovery", sd);
    }
    let ctx = Context { service: &name, aws_service: &s.aws_name, has_alb };
    if let Some(scaling) = look.scaling.table(&ctx, report, errors) {
        t.table("auto_scaling", scaling);
    }
    Some(MappedService { name, aws_name: s.aws_name.clone(), task_def: s.task_def, desired_count, table: t })
}

/// The strategy items, each with its provider's kind; `None` (service
/// skipped) when none of its providers was imported.
fn strategy(
    n: &Node<'_>,
    look: &Lookups<'_, '_>,
    name: &str,
    report: &mut Report,
    errors: &mut Errors,
) -> Option<Vec<(Table, ProviderKind)>> {
    let own = errors.keep(n.list("capacityProviderStrategy"))?;
    let launch = n.get("launchType");
    let (items, how) = if !own.is_empty() {
        (own, None)
    } else if let Some(lt) = &launch {
        match errors.keep(lt.str())? {
            "FARGATE" => {
                let mut t = Table::default();
                t.set(
                    "capacity_provider",
                    tv_str("FARGATE"),
                    Origin::Derived(format!("launchType FARGATE: {}", lt.source())),
                );
                t.set("weight", tv_int(1), Origin::Derived("the whole service on FARGATE".into()));
                return Some(vec![(t, ProviderKind::Fargate)]);
            }
            "EC2" => return ec2_launch_type(look.capacity, format!("launchType EC2 in {}", lt.source()), name, report),
            other => {
                report.warn_at(lt, format!("launch type {other} is not modelled; service {name} skipped"));
                report.unmodelled(format!("describe-services: services[].launchType {other}"), name);
                return None;
            }
        }
    } else if !look.cluster.default_strategy.is_empty() {
        (look.cluster.default_strategy.clone(), Some("the cluster's default capacity provider strategy"))
    } else {
        return ec2_launch_type(
            look.capacity,
            "neither a strategy nor a launch type: EC2, the ECS default".into(),
            name,
            report,
        );
    };
    let mut out = Vec::new();
    for item in items {
        let Some(p) = item.get("capacityProvider") else {
            errors.push(item.invalid("a strategy item without capacityProvider"));
            continue;
        };
        let provider = errors.keep(p.str())?;
        let Some(kind) = look.capacity.kind_of(&scenario_name(provider)) else {
            report.warn_at(
                &p,
                format!("service {name}: capacity provider {provider} was not imported; left out of its strategy"),
            );
            continue;
        };
        let mut t = Table::default();
        let origin = |node: &Node<'_>| match how {
            Some(h) => Origin::Derived(format!("{h}: {}", node.source())),
            None => node.origin(),
        };
        t.set("capacity_provider", tv_str(&scenario_name(provider)), origin(&p));
        for key in ["base", "weight"] {
            if let Some(v) = item.get(key) {
                t.set(key, tv_int(errors.keep(v.u64())?), origin(&v));
            }
        }
        out.push((t, kind));
    }
    if out.is_empty() {
        report.warn_at(n, format!("service {name} has no capacity provider that was imported; service skipped"));
        return None;
    }
    Some(out)
}

/// launchType EC2: any container instance of the cluster; in ecsim, every
/// EC2 provider with weight 1.
fn ec2_launch_type(
    capacity: &Capacity,
    source: String,
    name: &str,
    report: &mut Report,
) -> Option<Vec<(Table, ProviderKind)>> {
    let ec2: Vec<&str> =
        capacity.providers.iter().filter(|p| p.kind == ProviderKind::Ec2).map(|p| p.name.as_str()).collect();
    if ec2.is_empty() {
        report.warn(format!(
            "service {name} runs on EC2 ({source}) but no EC2 capacity provider was imported; service skipped"
        ));
        return None;
    }
    let why = format!(
        "{source}: the launch type places tasks on any instance of the cluster; ecsim needs capacity providers: every EC2 provider, weight 1"
    );
    Some(
        ec2.into_iter()
            .map(|p| {
                let mut t = Table::default();
                t.set(
                    "capacity_provider",
                    tv_str(p),
                    report.assume("services[].capacity_provider_strategy", name, why.clone()),
                );
                t.set("weight", tv_int(1), Origin::Assumed(why.clone()));
                (t, ProviderKind::Ec2)
            })
            .collect(),
    )
}

fn placement(
    n: &Node<'_>,
    task_constraints: &[Node<'_>],
    name: &str,
    t: &mut Table,
    report: &mut Report,
    errors: &mut Errors,
) {
    let mut strategies = Vec::new();
    for s in errors.keep(n.list("placementStrategy")).unwrap_or_default() {
        let mut st = Table::default();
        let Some(kind) = s.get("type") else { continue };
        let Some(kind_text) = errors.keep(kind.str()) else { continue };
        st.set("type", tv_str(kind_text), kind.origin());
        if let Some(f) = s.get("field")
            && let Some(field) = errors.keep(f.str())
        {
            st.set("field", tv_str(field), f.origin());
        }
        strategies.push(st);
    }
    t.array("placement_strategy", strategies);
    let own = errors.keep(n.list("placementConstraints")).unwrap_or_default();
    let mut constraints = Vec::new();
    for c in own.iter().chain(task_constraints) {
        let Some(kind) = c.get("type") else { continue };
        let Some(kind_text) = errors.keep(kind.str()) else { continue };
        let mut ct = Table::default();
        ct.set("type", tv_str(kind_text), kind.origin());
        if let Some(e) = c.get("expression")
            && let Some(expr) = errors.keep(e.str())
        {
            if let Err(why) = Expression::parse(expr) {
                report.warn_at(
                    &e,
                    format!("service {name}: ecsim cannot read the memberOf expression ({why}); constraint left out"),
                );
                report.unmodelled(format!("placement constraint expression {expr}"), name);
                continue;
            }
            ct.set("expression", tv_str(expr), e.origin());
        }
        constraints.push(ct);
    }
    t.array("placement_constraints", constraints);
}

fn deployment(dc: &Node<'_>, name: &str, report: &mut Report, errors: &mut Errors) -> Option<Table> {
    report_unread(dc, &DEPLOYMENT_CONFIGURATION, name, report);
    let mut t = Table::default();
    // ecsim's ranges: minimum 0-100, maximum 100-200 (rolling deployments).
    for (key, aws, lo, hi) in [
        ("minimum_healthy_percent", "minimumHealthyPercent", 0.0, 100.0),
        ("maximum_percent", "maximumPercent", 100.0, 200.0),
    ] {
        let Some(node) = dc.get(aws) else { continue };
        let v = errors.keep(node.f64())?;
        if (lo..=hi).contains(&v) {
            t.set(key, tv_num(v), node.origin());
        } else {
            let clamped = v.clamp(lo, hi);
            let why = format!("{aws} {v} is outside ecsim's range {lo}-{hi}: {clamped}");
            t.set(
                key,
                tv_num(clamped),
                report.assume(&format!("services[].deployment_configuration.{key}"), name, why),
            );
        }
    }
    Some(t)
}
