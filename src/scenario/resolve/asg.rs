//! Auto Scaling group capacity providers (`kind = "ec2"`): instance types,
//! purchase options, sizes and ECS managed scaling.

use super::super::dist::Dist;
use super::super::raw;
use super::super::types::*;
use super::MAX_INSTANCES_PER_PROVIDER;
use super::assumed;
use super::ctx::{Ctx, on_off};
use crate::catalog::{Arch, InstanceType};
use crate::engine::SimDuration;
use std::collections::{BTreeMap, BTreeSet};

pub(super) fn resolve_asg(
    ctx: &mut Ctx,
    path: &str,
    p: &raw::CapacityProvider,
    type_ids: &BTreeMap<String, TypeId>,
    types: &[InstanceType],
) -> Option<AsgConfig> {
    if p.provisioning_time.is_some() {
        ctx.err(
            format!("{path}.provisioning_time"),
            "`provisioning_time` applies to Fargate providers; EC2 providers take `launch_time`",
        );
    }
    if p.max_vcpu.is_some() {
        ctx.err(format!("{path}.max_vcpu"), "`max_vcpu` applies to Fargate providers; EC2 providers take `max_size`");
    }
    let ids = asg_instance_types(ctx, path, p, type_ids);
    let purchase = purchase_options(ctx, path, p);
    let (min_size, max_size, desired_capacity) = asg_sizes(ctx, path, p)?;
    let managed_scaling = p.managed_scaling.as_ref().and_then(|ms| managed_scaling(ctx, path, ms));
    let termination_protection = on_off(
        ctx,
        &format!("{path}.managed_termination_protection"),
        p.managed_termination_protection.as_deref(),
        false,
    );
    if termination_protection && managed_scaling.is_none() {
        ctx.err(
            format!("{path}.managed_termination_protection"),
            "managed termination protection requires managed scaling (AWS rejects it otherwise)",
        );
    }
    let managed_draining = on_off(ctx, &format!("{path}.managed_draining"), p.managed_draining.as_deref(), true);
    let spot_draining = p.enable_spot_draining.unwrap_or(false);
    let archs: BTreeSet<Arch> = ids.iter().map(|t: &TypeId| types[t.idx()].arch).collect();
    if archs.len() > 1 {
        ctx.err(format!("{path}.instance_types"), "mixes x86_64 and arm64 instance types; ECS capacity providers need one architecture per Auto Scaling group");
    }
    Some(AsgConfig {
        instance_types: ids,
        lifecycle: purchase.lifecycle,
        spot_allocation: purchase.spot_allocation,
        on_demand_allocation: purchase.on_demand_allocation,
        on_demand_base: p.on_demand_base_capacity.unwrap_or(0),
        on_demand_percent_above_base: purchase.on_demand_percent_above_base,
        min_size,
        max_size,
        desired_capacity,
        launch_time: p
            .launch_time
            .clone()
            .unwrap_or(Dist::lognormal_p95(assumed::LAUNCH_MEDIAN_S, assumed::LAUNCH_P95_S)),
        spot_draining,
        termination_protection,
        managed_draining,
        managed_scaling,
    })
}

fn asg_instance_types(
    ctx: &mut Ctx,
    path: &str,
    p: &raw::CapacityProvider,
    type_ids: &BTreeMap<String, TypeId>,
) -> Vec<TypeId> {
    let mut ids = Vec::new();
    match &p.instance_types {
        None => ctx.err(path, "an ec2 provider needs `instance_types` (e.g. [\"m5.large\"])"),
        Some(list) if list.is_empty() => {
            ctx.err(format!("{path}.instance_types"), "at least one instance type is required")
        }
        Some(list) => {
            for (j, n) in list.iter().enumerate() {
                if let Some(t) = ctx.lookup(&format!("{path}.instance_types[{j}]"), "instance type", n, type_ids) {
                    if ids.contains(&t) {
                        ctx.err(format!("{path}.instance_types[{j}]"), format!("\"{n}\" is listed twice"));
                    }
                    ids.push(t);
                }
            }
        }
    }
    ids
}

/// On-demand, spot or mixed, and how each chooses among the instance types.
struct Purchase {
    lifecycle: Lifecycle,
    spot_allocation: AllocationStrategy,
    on_demand_allocation: AllocationStrategy,
    on_demand_percent_above_base: f64,
}

fn purchase_options(ctx: &mut Ctx, path: &str, p: &raw::CapacityProvider) -> Purchase {
    let lifecycle = match p.lifecycle.as_deref() {
        None => Lifecycle::OnDemand,
        Some(s) => ctx
            .enum_value(
                &format!("{path}.lifecycle"),
                s,
                &[("on-demand", Lifecycle::OnDemand), ("spot", Lifecycle::Spot), ("mixed", Lifecycle::Mixed)],
            )
            .unwrap_or(Lifecycle::OnDemand),
    };
    let strategies = [
        ("lowest-price", AllocationStrategy::LowestPrice),
        ("capacity-optimized", AllocationStrategy::CapacityOptimized),
        ("price-capacity-optimized", AllocationStrategy::PriceCapacityOptimized),
    ];
    let spot_allocation = match p.allocation_strategy.as_deref() {
        None => AllocationStrategy::PriceCapacityOptimized,
        Some(s) => ctx
            .enum_value(&format!("{path}.allocation_strategy"), s, &strategies)
            .unwrap_or(AllocationStrategy::PriceCapacityOptimized),
    };
    let on_demand_allocation = match p.on_demand_allocation_strategy.as_deref() {
        None => AllocationStrategy::Prioritized,
        Some(s) => ctx
            .enum_value(
                &format!("{path}.on_demand_allocation_strategy"),
                s,
                &[("prioritized", AllocationStrategy::Prioritized), ("lowest-price", AllocationStrategy::LowestPrice)],
            )
            .unwrap_or(AllocationStrategy::Prioritized),
    };
    if lifecycle != Lifecycle::Mixed
        && (p.on_demand_base_capacity.is_some() || p.on_demand_percentage_above_base_capacity.is_some())
    {
        ctx.err(path, "on_demand_base_capacity and on_demand_percentage_above_base_capacity apply only with lifecycle = \"mixed\"");
    }
    if lifecycle == Lifecycle::OnDemand && p.allocation_strategy.is_some() {
        ctx.err(
            format!("{path}.allocation_strategy"),
            "allocation_strategy chooses spot pools; use on_demand_allocation_strategy for on-demand providers",
        );
    }
    let pct = p.on_demand_percentage_above_base_capacity.unwrap_or(100.0);
    ctx.range(&format!("{path}.on_demand_percentage_above_base_capacity"), pct, 0.0, 100.0, "a percentage");
    Purchase { lifecycle, spot_allocation, on_demand_allocation, on_demand_percent_above_base: pct }
}

/// `(min_size, max_size, desired_capacity)`; `None` without a `max_size`.
fn asg_sizes(ctx: &mut Ctx, path: &str, p: &raw::CapacityProvider) -> Option<(u32, u32, u32)> {
    let min_size = p.min_size.unwrap_or(0);
    let Some(max_size) = p.max_size else {
        ctx.err(path, "an ec2 provider needs `max_size`");
        return None;
    };
    if max_size == 0 || max_size > MAX_INSTANCES_PER_PROVIDER {
        ctx.err(
            format!("{path}.max_size"),
            format!("{max_size} is out of range; expected 1 to {MAX_INSTANCES_PER_PROVIDER} (ECS needs max_size > 0)"),
        );
    }
    if min_size > max_size {
        ctx.err(format!("{path}.min_size"), format!("min_size {min_size} is greater than max_size {max_size}"));
    }
    let desired_capacity = p.desired_capacity.unwrap_or(min_size);
    if desired_capacity < min_size || desired_capacity > max_size {
        ctx.err(
            format!("{path}.desired_capacity"),
            format!("desired_capacity {desired_capacity} must be between min_size {min_size} and max_size {max_size}"),
        );
    }
    Some((min_size, max_size, desired_capacity))
}

/// `[capacity_providers.managed_scaling]`; `None` when its status is DISABLED.
fn managed_scaling(ctx: &mut Ctx, path: &str, ms: &raw::ManagedScaling) -> Option<ManagedScaling> {
    let mp = format!("{path}.managed_scaling");
    let enabled = on_off(ctx, &format!("{mp}.status"), ms.status.as_deref(), true);
    let target = ms.target_capacity.unwrap_or(100.0);
    if !(target > 0.0 && target <= 100.0) {
        ctx.err(
            format!("{mp}.target_capacity"),
            format!("{target} is out of range; AWS accepts more than 0 and at most 100"),
        );
    }
    let min_step = ms.minimum_scaling_step_size.unwrap_or(1);
    let max_step = ms.maximum_scaling_step_size.unwrap_or(10_000);
    for (k, v) in [("minimum_scaling_step_size", min_step), ("maximum_scaling_step_size", max_step)] {
        if !(1..=10_000).contains(&v) {
            ctx.err(format!("{mp}.{k}"), format!("{v} is out of range; expected 1 to 10000"));
        }
    }
    if min_step > max_step {
        ctx.err(
            format!("{mp}.minimum_scaling_step_size"),
            format!("minimum step {min_step} is greater than maximum step {max_step}"),
        );
    }
    let warmup = ms.instance_warmup_period.map_or(SimDuration::from_secs(300), |d| d.0);
    if warmup > SimDuration::from_secs(10_000) {
        ctx.err(format!("{mp}.instance_warmup_period"), format!("{warmup} is out of range; AWS accepts 0 to 10000 s"));
    }
    enabled.then_some(ManagedScaling { target_capacity: target, min_step, max_step, warmup })
}
