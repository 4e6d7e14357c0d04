//! `[[capacity_providers]]`: Fargate and Fargate Spot here, Auto Scaling
//! group providers in [`super::asg`].

use super::super::dist::Dist;
use super::super::raw;
use super::super::types::*;
use super::asg::resolve_asg;
use super::assumed;
use super::ctx::{Ctx, index_ids};
use crate::catalog::InstanceType;
use std::collections::BTreeMap;

/// The providers in file order and each one's id by name. When one fails the
/// list is empty, so that ids (file positions) never point at the wrong one.
pub(super) fn resolve_providers(
    ctx: &mut Ctx,
    list: &[Option<raw::CapacityProvider>],
    type_ids: &BTreeMap<String, TypeId>,
    types: &[InstanceType],
) -> (Vec<Provider>, BTreeMap<String, ProviderId>) {
    let provider_ids = index_ids(
        ctx,
        "capacity_providers",
        list.iter().map(|p| p.as_ref().map(|p| p.name.as_str())),
        ProviderId::from_idx,
    );
    let mut providers = Vec::new();
    for (i, p) in list.iter().enumerate() {
        let Some(p) = p else { continue };
        let path = format!("capacity_providers[{i}]");
        let kind = match p.kind.as_str() {
            "ec2" => resolve_asg(ctx, &path, p, type_ids, types).map(ProviderKind::Asg),
            "fargate" | "fargate_spot" => Some(ProviderKind::Fargate(resolve_fargate(ctx, &path, p))),
            other => {
                ctx.enum_value::<()>(
                    &format!("{path}.kind"),
                    other,
                    &[("ec2", ()), ("fargate", ()), ("fargate_spot", ())],
                );
                None
            }
        };
        if let Some(kind) = kind {
            providers.push(Provider { name: p.name.clone(), kind });
        }
    }
    // Keep provider indices equal to file positions even when one failed.
    if providers.len() != list.len() {
        providers = Vec::new();
    }
    if list.is_empty() {
        ctx.err("capacity_providers", "at least one [[capacity_providers]] is required");
    }
    (providers, provider_ids)
}

/// A FARGATE or FARGATE_SPOT provider; the keys of EC2 providers are refused.
fn resolve_fargate(ctx: &mut Ctx, path: &str, p: &raw::CapacityProvider) -> FargateConfig {
    let spot = p.kind == "fargate_spot";
    for (key, set) in [
        ("instance_types", p.instance_types.is_some()),
        ("lifecycle", p.lifecycle.is_some()),
        ("min_size", p.min_size.is_some()),
        ("max_size", p.max_size.is_some()),
        ("managed_scaling", p.managed_scaling.is_some()),
        ("launch_time", p.launch_time.is_some()),
        ("enable_spot_draining", p.enable_spot_draining.is_some()),
        ("allocation_strategy", p.allocation_strategy.is_some()),
        ("on_demand_allocation_strategy", p.on_demand_allocation_strategy.is_some()),
        ("on_demand_base_capacity", p.on_demand_base_capacity.is_some()),
        ("on_demand_percentage_above_base_capacity", p.on_demand_percentage_above_base_capacity.is_some()),
        ("desired_capacity", p.desired_capacity.is_some()),
        ("managed_termination_protection", p.managed_termination_protection.is_some()),
        ("managed_draining", p.managed_draining.is_some()),
    ] {
        if set {
            ctx.err(format!("{path}.{key}"), format!("`{key}` applies to kind = \"ec2\" providers, not Fargate"));
        }
    }
    if let Some(v) = p.max_vcpu {
        ctx.range(&format!("{path}.max_vcpu"), v, 0.25, 1.0e6, "max_vcpu");
    }
    FargateConfig {
        spot,
        provisioning_time: p.provisioning_time.clone().unwrap_or(Dist::lognormal_p95(
            assumed::FARGATE_PROVISIONING_MEDIAN_S,
            assumed::FARGATE_PROVISIONING_P95_S,
        )),
        max_vcpu: p.max_vcpu,
    }
}
