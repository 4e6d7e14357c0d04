//! `[[instance_types]]` (the built-in catalog with the file's additions and
//! overrides) and `[[reserved_instances]]`, which price some of them.

use super::super::raw;
use super::super::types::*;
use super::MAX_INSTANCES_PER_PROVIDER;
use super::ctx::Ctx;
use crate::catalog::{self, Arch, InstanceType};
use crate::units::UsdPerHour;
use std::collections::{BTreeMap, BTreeSet};

/// The catalog priced for `region` after the file's entries, each type's id
/// by name, and the names left without a price (no built-in figure for the
/// region and none given). A new type missing a required field is left out
/// and its name marked broken.
pub(super) fn resolve_instance_types(
    ctx: &mut Ctx,
    list: &[Option<raw::InstanceType>],
    region: &str,
) -> (Vec<InstanceType>, BTreeMap<String, TypeId>, BTreeSet<String>) {
    let mut instance_types: Vec<InstanceType> = catalog::builtin_instance_types();
    let mut unpriced = BTreeSet::new();
    for t in &mut instance_types {
        match catalog::ec2_on_demand_hourly(&t.name, region) {
            Some(p) => t.on_demand_hourly = p,
            None => {
                unpriced.insert(t.name.clone());
            }
        }
    }
    for (i, it) in list.iter().enumerate() {
        let Some(it) = it else { continue };
        let path = format!("instance_types[{i}]");
        if it.name.trim().is_empty() {
            ctx.err(format!("{path}.name"), "an instance type needs a name such as \"m5.large\"");
        }
        let existing = instance_types.iter().position(|t| t.name == it.name);
        let (mut t, incomplete) = match existing {
            Some(p) => (instance_types[p].clone(), false),
            None => new_type(ctx, &path, it),
        };
        apply_fields(ctx, &path, it, &mut t);
        if it.on_demand_hourly.is_some() {
            unpriced.remove(&t.name);
        }
        check_fields(ctx, &path, it, &t, existing.is_some());
        match existing {
            Some(p) => instance_types[p] = t,
            None if incomplete => {
                ctx.broken_names.insert(t.name);
            }
            None => instance_types.push(t),
        }
    }
    let type_ids = instance_types.iter().enumerate().map(|(i, t)| (t.name.clone(), TypeId::from_idx(i))).collect();
    (instance_types, type_ids, unpriced)
}

/// Every instance type an EC2 provider launches needs an on-demand price in
/// the scenario's region: built in (`ecsim catalog`) or given in
/// `[[instance_types]]`. Never another region's price.
pub(super) fn check_priced(
    ctx: &mut Ctx,
    providers: &[Option<raw::CapacityProvider>],
    unpriced: &BTreeSet<String>,
    region: &str,
) {
    for (i, p) in providers.iter().enumerate() {
        let Some(names) = p.as_ref().and_then(|p| p.instance_types.as_ref()) else { continue };
        for (j, name) in names.iter().enumerate() {
            if unpriced.contains(name) {
                ctx.err(
                    format!("capacity_providers[{i}].instance_types[{j}]"),
                    format!(
                        "\"{name}\" has no on-demand price: {}; give [[instance_types]] name = \"{name}\" with \
                         on_demand_hourly (USD)",
                        super::cost::no_price_reason(region, catalog::PRICED_REGIONS.contains(&region))
                    ),
                );
            }
        }
    }
}

/// An empty type for a name not in the catalog; `true` when required fields are missing.
fn new_type(ctx: &mut Ctx, path: &str, it: &raw::InstanceType) -> (InstanceType, bool) {
    let missing: Vec<&str> = [
        ("vcpu", it.vcpu.is_none()),
        ("memory_mib", it.memory_mib.is_none()),
        ("max_enis", it.max_enis.is_none()),
        ("on_demand_hourly", it.on_demand_hourly.is_none()),
    ]
    .iter()
    .filter(|(_, m)| *m)
    .map(|(k, _)| *k)
    .collect();
    let incomplete = !missing.is_empty();
    if incomplete {
        ctx.err(path, format!("\"{}\" is not in the built-in catalog, so it needs {}", it.name, missing.join(", ")));
    }
    let t = InstanceType {
        name: it.name.clone(),
        arch: Arch::X86_64,
        vcpu: 0,
        memory_mib: 0,
        registered_memory_mib: 0,
        max_enis: 0,
        ipv4_per_eni: 0,
        awsvpc_tasks: 0,
        awsvpc_tasks_trunk: None,
        on_demand_hourly: 0.0,
    };
    (t, incomplete)
}

/// Copies the fields the file gives onto `t`; derived fields follow unless given too.
fn apply_fields(ctx: &mut Ctx, path: &str, it: &raw::InstanceType, t: &mut InstanceType) {
    if let Some(v) = it.vcpu {
        t.vcpu = v;
    }
    if let Some(m) = it.memory_mib {
        t.memory_mib = m;
        t.registered_memory_mib = catalog::registered_memory_mib(m);
    }
    if let Some(r) = it.registered_memory_mib {
        t.registered_memory_mib = r;
    }
    if let Some(e) = it.max_enis {
        t.max_enis = e;
        t.awsvpc_tasks = e.saturating_sub(1);
    }
    if let Some(v) = it.ipv4_per_eni {
        t.ipv4_per_eni = v;
    }
    if let Some(v) = it.awsvpc_tasks {
        t.awsvpc_tasks = v;
    }
    if let Some(v) = it.awsvpc_tasks_trunk {
        t.awsvpc_tasks_trunk = Some(v);
    }
    if let Some(p) = it.on_demand_hourly {
        t.on_demand_hourly = p;
    }
    if let Some(a) = &it.architecture {
        match Arch::parse(a) {
            Some(a) => t.arch = a,
            None => ctx.err(
                format!("{path}.architecture"),
                format!("\"{a}\" is not allowed; expected \"x86_64\" or \"arm64\""),
            ),
        }
    }
}

/// Range checks on the fields a type has (catalog values or given ones).
fn check_fields(ctx: &mut Ctx, path: &str, it: &raw::InstanceType, t: &InstanceType, in_catalog: bool) {
    // A new type missing a field was reported already; check the fields it has.
    let given = |field: Option<()>| in_catalog || field.is_some();
    if given(it.vcpu.map(drop)) && (t.vcpu == 0 || t.vcpu > 448) {
        ctx.err(format!("{path}.vcpu"), format!("{} is out of range; expected 1 to 448", t.vcpu));
    }
    if given(it.memory_mib.map(drop))
        && (t.memory_mib == 0 || t.registered_memory_mib == 0 || t.registered_memory_mib > t.memory_mib)
    {
        ctx.err(format!("{path}.memory_mib"), "memory must be positive and registered memory cannot exceed it");
    }
    if given(it.max_enis.map(drop)) && t.max_enis == 0 {
        ctx.err(format!("{path}.max_enis"), "an instance has at least 1 network interface");
    }
    if given(it.on_demand_hourly.map(drop)) {
        ctx.range(&format!("{path}.on_demand_hourly"), t.on_demand_hourly, 0.0, 1000.0, "an hourly price in USD");
    }
}

pub(super) fn resolve_reserved(
    ctx: &mut Ctx,
    list: &[Option<raw::ReservedInstances>],
    type_ids: &BTreeMap<String, TypeId>,
) -> Vec<Reservation> {
    let mut reserved = Vec::new();
    for (i, r) in list.iter().enumerate() {
        let Some(r) = r else { continue };
        let path = format!("reserved_instances[{i}]");
        let t = ctx.lookup(&format!("{path}.instance_type"), "instance type", &r.instance_type, type_ids);
        if r.count == 0 || r.count > MAX_INSTANCES_PER_PROVIDER {
            ctx.err(
                format!("{path}.count"),
                format!("{} is out of range; expected 1 to {MAX_INSTANCES_PER_PROVIDER}", r.count),
            );
        }
        ctx.range(&format!("{path}.effective_hourly"), r.effective_hourly, 0.0, 1000.0, "effective_hourly (USD)");
        if let Some(t) = t {
            reserved.push(Reservation { instance_type: t, count: r.count, hourly: UsdPerHour(r.effective_hourly) });
        }
    }
    reserved
}
