//! Capacity providers: an Auto Scaling group provider becomes an `"ec2"`
//! provider (its group's sizes, instance types, purchase options and zones;
//! ECS managed scaling, termination protection and draining); FARGATE and
//! FARGATE_SPOT become Fargate providers.

use super::cluster::Cluster;
use super::document::{Origin, Table, tv_int, tv_num, tv_secs, tv_str, tv_str_array};
use super::error::Errors;
use super::export::{Export, by_key};
use super::json::Node;
use super::kind::Kind;
use super::names::scenario_name;
use super::report::Report;
use super::unmodelled::{
    ASG, ASG_PROVIDER, CAPACITY_PROVIDER, DISTRIBUTION, MANAGED_SCALING, MIXED_INSTANCES, OVERRIDE, report_unread,
};
use crate::catalog::{Arch, builtin_instance_types};
use std::collections::{BTreeMap, BTreeSet};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProviderKind {
    Ec2,
    Fargate,
    FargateSpot,
}

pub struct Provider {
    pub name: String,
    pub kind: ProviderKind,
    pub table: Table,
}

pub struct Capacity {
    pub providers: Vec<Provider>,
    /// The zones of the groups, and where they were read.
    pub zones: BTreeSet<String>,
    pub zone_sources: Vec<String>,
}

impl Capacity {
    pub fn kind_of(&self, name: &str) -> Option<ProviderKind> {
        self.providers.iter().find(|p| p.name == name).map(|p| p.kind)
    }
}

/// The providers attached to the cluster (all described ones when the cluster
/// was not described), plus FARGATE and FARGATE_SPOT when a service uses them.
pub fn capacity(
    export: &Export<'_>,
    cluster: &Cluster<'_>,
    used_by_services: &BTreeSet<String>,
    report: &mut Report,
    errors: &mut Errors,
) -> Capacity {
    let items = export.items(Kind::CapacityProviders);
    let described = by_key(items, "name");
    let mut names: Vec<String> = match &cluster.providers {
        Some(list) => list.iter().filter_map(|n| n.str().ok().map(str::to_string)).collect(),
        // In the order described, each once.
        None => items.iter().filter_map(|n| n.opt_str("name").ok().flatten().map(str::to_string)).fold(
            Vec::new(),
            |mut v, n| {
                if !v.contains(&n) {
                    v.push(n);
                }
                v
            },
        ),
    };
    if cluster.providers.is_some() {
        for (name, node) in &described {
            if !names.contains(name) && !used_by_services.contains(name) {
                report.warn_at(
                    node,
                    format!("capacity provider {name} is not attached to cluster {}; skipped", cluster.name),
                );
            }
        }
    }
    for fargate in ["FARGATE", "FARGATE_SPOT"] {
        if used_by_services.contains(fargate) && !names.iter().any(|n| n == fargate) {
            names.push(fargate.to_string());
        }
    }
    let groups = Groups::new(export);
    let mut out = Capacity { providers: Vec::new(), zones: BTreeSet::new(), zone_sources: Vec::new() };
    for name in names {
        match name.as_str() {
            "FARGATE" => out.providers.push(fargate(&name, ProviderKind::Fargate, described.get(&name), report)),
            "FARGATE_SPOT" => {
                out.providers.push(fargate(&name, ProviderKind::FargateSpot, described.get(&name), report))
            }
            _ => match described.get(&name) {
                Some(node) => {
                    if let Some(p) = ec2_provider(node, &groups, &mut out, report, errors) {
                        out.providers.push(p);
                    }
                }
                None => report.warn(format!(
                    "capacity provider {name} is attached to cluster {} but its describe-capacity-providers output is \
                     not in the export; skipped",
                    cluster.name
                )),
            },
        }
    }
    out
}

fn fargate(name: &str, kind: ProviderKind, node: Option<&Node<'_>>, report: &mut Report) -> Provider {
    let mut t = Table::default();
    let origin = match node.and_then(|n| n.get("name")) {
        Some(n) => n.origin(),
        None => Origin::Derived("used by a service; ECS provides it".to_string()),
    };
    t.set("name", tv_str(name), origin);
    let kind_text = if kind == ProviderKind::Fargate { "fargate" } else { "fargate_spot" };
    t.set("kind", tv_str(kind_text), Origin::Derived(format!("the built-in {name} provider")));
    t.note(
        "provisioning_time",
        report.assume(
            "capacity_providers[].provisioning_time",
            name,
            "not reported by AWS: ecsim's default (lognormal, median 35 s, p95 70 s)",
        ),
    );
    t.note(
        "max_vcpu",
        report.assume(
            "capacity_providers[].max_vcpu",
            name,
            "the account's Fargate vCPU quota is not exported: no limit",
        ),
    );
    Provider { name: name.to_string(), kind, table: t }
}

/// The Auto Scaling groups and launch template versions of the export.
struct Groups<'a> {
    by_arn: BTreeMap<String, Node<'a>>,
    by_name: BTreeMap<String, Node<'a>>,
    templates: Vec<Node<'a>>,
}

impl<'a> Groups<'a> {
    fn new(export: &Export<'a>) -> Groups<'a> {
        let groups = export.items(Kind::AutoScalingGroups);
        Groups {
            by_arn: by_key(groups, "AutoScalingGroupARN"),
            by_name: by_key(groups, "AutoScalingGroupName"),
            templates: export.items(Kind::LaunchTemplateVersions).to_vec(),
        }
    }

    fn find(&self, arn: &str) -> Option<&Node<'a>> {
        let name = arn.rsplit_once("autoScalingGroupName/").map_or(arn, |(_, n)| n);
        self.by_arn.get(arn).or_else(|| self.by_name.get(name))
    }

    /// The launch template version a `LaunchTemplateSpecification` names.
    fn template(&self, spec: &Node<'_>) -> Option<&Node<'a>> {
        let id = spec.opt_str("LaunchTemplateId").ok().flatten();
        let name = spec.opt_str("LaunchTemplateName").ok().flatten();
        let version = spec.opt_str("Version").ok().flatten().unwrap_or("$Default");
        let same = |t: &&Node<'a>| {
            let tid = t.opt_str("LaunchTemplateId").ok().flatten();
            let tname = t.opt_str("LaunchTemplateName").ok().flatten();
            (id.is_some() && tid == id) || (name.is_some() && tname == name)
        };
        let candidates: Vec<&Node<'a>> = self.templates.iter().filter(same).collect();
        let number = |t: &Node<'_>| t.opt_u64("VersionNumber").ok().flatten().unwrap_or(0);
        match version {
            "$Latest" => candidates.into_iter().max_by_key(|t| number(t)),
            "$Default" => candidates.into_iter().find(|t| t.opt_bool("DefaultVersion").ok().flatten() == Some(true)),
            v => candidates.into_iter().find(|t| v.parse::<u64>().ok() == Some(number(t))),
        }
    }
}

fn ec2_provider(
    cp: &Node<'_>,
    groups: &Groups<'_>,
    capacity: &mut Capacity,
    report: &mut Report,
    errors: &mut Errors,
) -> Option<Provider> {
    let raw_name = errors.keep(cp.req_str("name"))?;
    let name = scenario_name(raw_name);
    report_unread(cp, &CAPACITY_PROVIDER, &name, report);
    let Some(asgp) = cp.get("autoScalingGroupProvider") else {
        report.warn_at(cp, format!("capacity provider {raw_name} has no autoScalingGroupProvider (ECS Managed Instances are not modelled); skipped"));
        report.unmodelled(format!("{}.managedInstancesProvider", CAPACITY_PROVIDER.what), &name);
        return None;
    };
    report_unread(&asgp, &ASG_PROVIDER, &name, report);
    let arn_node = errors.keep(asgp.need("autoScalingGroupArn", "the group's ARN"))?;
    let arn = errors.keep(arn_node.str())?;
    let Some(asg) = groups.find(arn) else {
        report.warn_at(
            &arn_node,
            format!("the Auto Scaling group of capacity provider {raw_name} is not in the export (describe-auto-scaling-groups); provider skipped"),
        );
        return None;
    };
    report_unread(asg, &ASG, &name, report);
    let mut t = Table::default();
    t.set("name", tv_str(&name), cp.get("name")?.origin());
    t.set("kind", tv_str("ec2"), Origin::Derived(format!("an Auto Scaling group provider: {}", asgp.source())));
    let types = instance_types(asg, groups, &name, report, errors)?;
    t.set("instance_types", tv_str_array(&types.0), types.1);
    purchase_options(asg, groups, &name, &mut t, report, errors);
    for (key, aws) in [("min_size", "MinSize"), ("max_size", "MaxSize"), ("desired_capacity", "DesiredCapacity")] {
        let node = errors.keep(asg.need(aws, "a whole number"))?;
        let n = errors.keep(node.u64())?;
        t.set(key, tv_int(n), node.origin());
    }
    if let Some(zones) = asg.get("AvailabilityZones")
        && let Some(list) = errors.keep(zones.items())
    {
        for z in list {
            if let Some(z) = errors.keep(z.str()) {
                capacity.zones.insert(z.to_string());
            }
        }
        capacity.zone_sources.push(zones.source());
    }
    t.note(
        "launch_time",
        report.assume(
            "capacity_providers[].launch_time",
            &name,
            "EC2 launch to ECS registration is not exported: ecsim's default (lognormal, median 90 s, p95 180 s)",
        ),
    );
    if let Some(n) = asgp.get("managedTerminationProtection") {
        t.set("managed_termination_protection", tv_str(errors.keep(n.str())?), n.origin());
    }
    match asgp.get("managedDraining") {
        Some(n) => t.set("managed_draining", tv_str(errors.keep(n.str())?), n.origin()),
        None => t.note(
            "managed_draining",
            report.assume(
                "capacity_providers[].managed_draining",
                &name,
                "absent from the export (providers created before managed draining existed): ENABLED, ecsim's default",
            ),
        ),
    }
    match asgp.get("managedScaling") {
        Some(ms) => t.table("managed_scaling", managed_scaling(&ms, &name, report, errors)),
        None => t.note(
            "managed_scaling",
            Origin::Derived("absent: ECS does not scale the group; it stays at its desired capacity".into()),
        ),
    }
    Some(Provider { name, kind: ProviderKind::Ec2, table: t })
}

fn managed_scaling(ms: &Node<'_>, name: &str, report: &mut Report, errors: &mut Errors) -> Table {
    report_unread(ms, &MANAGED_SCALING, name, report);
    let mut t = Table::default();
    if let Some(n) = ms.get("status")
        && let Some(s) = errors.keep(n.str())
    {
        t.set("status", tv_str(s), n.origin());
    }
    if let Some(n) = ms.get("targetCapacity")
        && let Some(v) = errors.keep(n.f64())
    {
        t.set("target_capacity", tv_num(v), n.origin());
    }
    for (key, aws) in [
        ("minimum_scaling_step_size", "minimumScalingStepSize"),
        ("maximum_scaling_step_size", "maximumScalingStepSize"),
    ] {
        if let Some(n) = ms.get(aws)
            && let Some(v) = errors.keep(n.u64())
        {
            t.set(key, tv_int(v), n.origin());
        }
    }
    match ms.get("instanceWarmupPeriod") {
        Some(n) => {
            if let Some(v) = errors.keep(n.u64()) {
                t.set("instance_warmup_period", tv_secs(v), n.origin());
            }
        }
        None => t.note("instance_warmup_period", Origin::Derived("absent: the ECS default, 300 s".into())),
    }
    t
}

/// The group's instance types: the mixed instances policy's overrides, else
/// the launch template's type, else (assumed) the types of its instances.
fn instance_types(
    asg: &Node<'_>,
    groups: &Groups<'_>,
    name: &str,
    report: &mut Report,
    errors: &mut Errors,
) -> Option<(Vec<String>, Origin)> {
    let mixed = asg.get("MixedInstancesPolicy");
    let lt = mixed.as_ref().and_then(|m| m.get("LaunchTemplate"));
    let mut found: Vec<String> = Vec::new();
    let mut origin = None;
    if let Some(m) = &mixed {
        report_unread(m, &MIXED_INSTANCES, name, report);
    }
    if let Some(lt) = &lt {
        let overrides = errors.keep(lt.list("Overrides"))?;
        for o in &overrides {
            report_unread(o, &OVERRIDE, name, report);
            if let Some(t) = o.get("InstanceType")
                && let Some(t) = errors.keep(t.str())
            {
                found.push(t.to_string());
            }
        }
        if !found.is_empty() {
            origin = Some(Origin::Aws {
                command: asg.doc.kind.command(),
                file: asg.doc.name.clone(),
                path: format!("{}.Overrides[].InstanceType", lt.path),
            });
        }
    }
    if found.is_empty() {
        let spec = lt.as_ref().and_then(|l| l.get("LaunchTemplateSpecification")).or_else(|| asg.get("LaunchTemplate"));
        if let Some(spec) = spec {
            match groups.template(&spec) {
                Some(v) => {
                    if let Some(t) = v.get("LaunchTemplateData").and_then(|d| d.get("InstanceType")) {
                        found.push(errors.keep(t.str())?.to_string());
                        origin = Some(t.origin());
                    }
                }
                None => report.warn_at(
                    &spec,
                    "the launch template version is not in the export (ec2 describe-launch-template-versions)",
                ),
            }
        }
    }
    if found.is_empty() {
        for i in errors.keep(asg.list("Instances"))? {
            if let Ok(Some(t)) = i.opt_str("InstanceType")
                && !found.iter().any(|f| f == t)
            {
                found.push(t.to_string());
            }
        }
        if !found.is_empty() {
            origin = Some(report.assume(
                "capacity_providers[].instance_types",
                name,
                format!(
                    "the launch template or configuration does not say: the types of the running instances, \
                     {}.Instances[].InstanceType",
                    asg.path
                ),
            ));
        }
    }
    let catalog = builtin_instance_types();
    let mut arch: Option<Arch> = None;
    let mut kept = Vec::new();
    for t in found {
        match catalog.iter().find(|c| c.name == t) {
            None => report.warn_at(
                asg,
                format!(
                    "instance type {t} of provider {name} is not in ecsim's catalog (`ecsim catalog`); left out. \
                     Add an [[instance_types]] entry to the scenario to keep it"
                ),
            ),
            Some(c) if arch.is_some_and(|a| a != c.arch) => report.warn_at(
                asg,
                format!("instance type {t} of provider {name} has another CPU architecture than the first type; left out (ecsim needs one architecture per provider)"),
            ),
            Some(c) => {
                arch = Some(c.arch);
                kept.push(t);
            }
        }
    }
    if kept.is_empty() {
        report.warn_at(asg, format!("provider {name} has no instance type ecsim knows; provider skipped"));
        return None;
    }
    Some((kept, origin.unwrap_or(Origin::Derived("the group's instance types".into()))))
}

/// On-demand, spot or mixed, from the mixed instances policy's distribution
/// or the launch template's market type.
fn purchase_options(
    asg: &Node<'_>,
    groups: &Groups<'_>,
    name: &str,
    t: &mut Table,
    report: &mut Report,
    errors: &mut Errors,
) {
    let Some(mixed) = asg.get("MixedInstancesPolicy") else {
        let spot = asg
            .get("LaunchTemplate")
            .and_then(|spec| groups.template(&spec).cloned())
            .and_then(|v| v.get("LaunchTemplateData")?.get("InstanceMarketOptions")?.get("MarketType"));
        match spot {
            Some(m) if m.str().is_ok_and(|s| s == "spot") => {
                t.set("lifecycle", tv_str("spot"), m.origin());
                spot_draining_note(t, name, report);
            }
            _ => t.set(
                "lifecycle",
                tv_str("on-demand"),
                Origin::Derived(format!("no MixedInstancesPolicy or spot market type: {}", asg.source())),
            ),
        }
        return;
    };
    let dist = mixed.get("InstancesDistribution");
    if let Some(d) = &dist {
        report_unread(d, &DISTRIBUTION, name, report);
    }
    let field = |key: &str| dist.as_ref().and_then(|d| d.get(key));
    let base_node = field("OnDemandBaseCapacity");
    let pct_node = field("OnDemandPercentageAboveBaseCapacity");
    let base = base_node.as_ref().and_then(|n| errors.keep(n.u64())).unwrap_or(0);
    let pct = pct_node.as_ref().and_then(|n| errors.keep(n.f64())).unwrap_or(100.0);
    let from = |n: &Option<Node<'_>>, default: &str| match n {
        Some(n) => n.origin(),
        None => Origin::Derived(format!("absent: the Auto Scaling default, {default}")),
    };
    let mixed_source = mixed.source();
    if pct >= 100.0 {
        t.set(
            "lifecycle",
            tv_str("on-demand"),
            Origin::Derived(format!("OnDemandPercentageAboveBaseCapacity 100: {mixed_source}")),
        );
    } else if base == 0 && pct <= 0.0 {
        t.set("lifecycle", tv_str("spot"), Origin::Derived(format!("no on-demand base or percentage: {mixed_source}")));
    } else {
        t.set(
            "lifecycle",
            tv_str("mixed"),
            Origin::Derived(format!("on-demand base or percentage with spot: {mixed_source}")),
        );
        t.set("on_demand_base_capacity", tv_int(base), from(&base_node, "0"));
        t.set("on_demand_percentage_above_base_capacity", tv_num(pct), from(&pct_node, "100"));
    }
    if pct < 100.0 {
        match field("SpotAllocationStrategy") {
            Some(n) => {
                let Some(s) = errors.keep(n.str()) else { return };
                let (value, origin) = match s {
                    "lowest-price" | "capacity-optimized" | "price-capacity-optimized" => (s, n.origin()),
                    "capacity-optimized-prioritized" => (
                        "capacity-optimized",
                        report.assume(
                            "capacity_providers[].allocation_strategy",
                            name,
                            "capacity-optimized-prioritized is modelled as capacity-optimized (the priorities are a best effort)",
                        ),
                    ),
                    other => {
                        report.warn_at(&n, format!("spot allocation strategy {other} is not one ecsim knows; ecsim's default applies"));
                        return;
                    }
                };
                t.set("allocation_strategy", tv_str(value), origin);
            }
            None => t.set(
                "allocation_strategy",
                tv_str("lowest-price"),
                Origin::Derived("absent: the Auto Scaling API default, lowest-price".into()),
            ),
        }
        spot_draining_note(t, name, report);
    }
    if (pct > 0.0 || base > 0)
        && let Some(n) = field("OnDemandAllocationStrategy")
        && let Some(s) = errors.keep(n.str())
    {
        t.set("on_demand_allocation_strategy", tv_str(s), n.origin());
    }
}

fn spot_draining_note(t: &mut Table, name: &str, report: &mut Report) {
    t.note(
        "enable_spot_draining",
        report.assume(
            "capacity_providers[].enable_spot_draining",
            name,
            "ECS_ENABLE_SPOT_INSTANCE_DRAINING is set in the instances' user data, which the import does not read: false",
        ),
    );
}
