//! `[cost]`, `[[savings_plans]]` and the cost keys of services, capacity
//! providers and task definitions, into the typed [`CostConfig`].

use super::super::cost::{CostConfig, InstanceExtras, PlanRates, SavingsPlan, SavingsPlanKind, SharedLb};
use super::super::raw;
use super::super::types::*;
use super::assumed;
use super::ctx::Ctx;
use crate::catalog::{
    Arch, DEFAULT_ROOT_VOLUME_GIB, EBS_VOLUME_TYPES, FARGATE_FREE_EPHEMERAL_GIB, FARGATE_MAX_EPHEMERAL_GIB,
    FargatePrice, InfraPrices, InstanceType, PRICED_REGIONS, SpPayment, SpTerm, compute_sp_fargate_discount,
    compute_sp_instance_discount, describe_compute_sp_rates, ebs_gb_month, fargate_price_in, infra_prices,
};

/// The parts of the raw file the cost settings read.
pub(super) struct RawCost<'a> {
    pub settings: Option<&'a raw::CostSettings>,
    pub plans: &'a [Option<raw::SavingsPlan>],
    pub services: &'a [Option<raw::Service>],
    pub providers: &'a [Option<raw::CapacityProvider>],
    pub task_defs: &'a [Option<raw::TaskDefinition>],
    /// Architectures of the task definitions that run on Fargate.
    pub fargate_arches: Vec<Arch>,
    /// Architectures of the task definitions that run on on-demand Fargate
    /// (the usage a Savings Plan can cover).
    pub fargate_on_demand_arches: Vec<Arch>,
}

/// Resolves the cost settings; `services` are the resolved services (same order as the file).
pub(super) fn resolve_cost(
    ctx: &mut Ctx,
    r: &RawCost,
    region: &str,
    services: &[Service],
    providers: &[Provider],
    instance_types: &[InstanceType],
) -> CostConfig {
    let s = r.settings;
    let flag = |f: fn(&raw::CostSettings) -> Option<bool>| s.and_then(f).unwrap_or(false);
    let mut cfg = CostConfig {
        load_balancers: flag(|s| s.load_balancers),
        public_ipv4: flag(|s| s.public_ipv4),
        data_transfer: flag(|s| s.data_transfer),
        storage: flag(|s| s.storage),
        ..CostConfig::default()
    };
    cfg.prices = resolve_prices(ctx, &cfg, s.and_then(|s| s.prices.as_ref()), region);
    (cfg.fargate_x86_64, cfg.fargate_arm64) =
        resolve_fargate_prices(ctx, s.and_then(|s| s.prices.as_ref()), region, &r.fargate_arches);
    let usage = PlanUsage {
        region,
        instance_types: on_demand_instance_types(providers, instance_types),
        fargate_arches: &r.fargate_on_demand_arches,
    };
    cfg.savings_plans = r
        .plans
        .iter()
        .enumerate()
        .filter_map(|(i, p)| {
            p.as_ref().and_then(|p| resolve_plan(ctx, &format!("savings_plans[{i}]"), p, instance_types, &usage))
        })
        .collect();
    resolve_service_costs(ctx, &mut cfg, r.services, services);
    let prices = cfg.prices;
    for (i, p) in r.providers.iter().enumerate() {
        let Some(p) = p else { continue };
        let path = format!("capacity_providers[{i}]");
        cfg.instance_extras.push(resolve_extras(ctx, &path, p, &prices));
    }
    for (i, t) in r.task_defs.iter().enumerate() {
        let Some(t) = t else { continue };
        let gib = t.ephemeral_storage_gib.unwrap_or(FARGATE_FREE_EPHEMERAL_GIB);
        let path = format!("task_definitions[{i}].ephemeral_storage_gib");
        ctx.range(&path, gib, FARGATE_FREE_EPHEMERAL_GIB, FARGATE_MAX_EPHEMERAL_GIB, "Fargate ephemeral storage (GiB)");
        cfg.ephemeral_gib.push(gib);
    }
    cfg
}

/// One price: its key, the value given, the built-in one, where it goes, and
/// whether an item turned on needs it.
type PriceField<'a> = (&'static str, Option<f64>, Option<f64>, &'a mut f64, bool);

/// The region's built-in prices with `[cost.prices]` on top. Every price an
/// enabled item uses must be known: built in for the region, or given.
fn resolve_prices(ctx: &mut Ctx, cfg: &CostConfig, given: Option<&raw::CostPrices>, region: &str) -> InfraPrices {
    let listed = infra_prices(region);
    let known = listed.unwrap_or_default();
    let empty = raw::CostPrices::default();
    let g = given.unwrap_or(&empty);
    let mut out = InfraPrices::default();
    let fields: [PriceField; 9] = [
        ("alb_hourly", g.alb_hourly, known.alb_hourly, &mut out.alb_hourly, cfg.load_balancers),
        ("alb_lcu_hourly", g.alb_lcu_hourly, known.alb_lcu_hourly, &mut out.alb_lcu_hourly, cfg.load_balancers),
        ("nlb_hourly", g.nlb_hourly, known.nlb_hourly, &mut out.nlb_hourly, cfg.load_balancers),
        ("nlb_nlcu_hourly", g.nlb_nlcu_hourly, known.nlb_nlcu_hourly, &mut out.nlb_nlcu_hourly, cfg.load_balancers),
        (
            "public_ipv4_hourly",
            g.public_ipv4_hourly,
            known.public_ipv4_hourly,
            &mut out.public_ipv4_hourly,
            cfg.public_ipv4,
        ),
        (
            "cross_az_per_gb_each_way",
            g.cross_az_per_gb_each_way,
            known.cross_az_per_gb_each_way,
            &mut out.cross_az_per_gb_each_way,
            cfg.data_transfer,
        ),
        ("ebs_gp3_gb_month", g.ebs_gp3_gb_month, known.ebs_gp3_gb_month, &mut out.ebs_gp3_gb_month, cfg.storage),
        ("ebs_gp2_gb_month", g.ebs_gp2_gb_month, known.ebs_gp2_gb_month, &mut out.ebs_gp2_gb_month, cfg.storage),
        (
            "fargate_ephemeral_gb_hour",
            g.fargate_ephemeral_gb_hour,
            known.fargate_ephemeral_gb_hour,
            &mut out.fargate_ephemeral_gb_hour,
            cfg.storage,
        ),
    ];
    let mut missing = Vec::new();
    for (key, value, builtin, slot, needed) in fields {
        match (value, builtin) {
            (Some(v), _) => {
                if ctx.range(&format!("cost.prices.{key}"), v, 0.0, 1e6, "a price (USD)") {
                    *slot = v;
                }
            }
            (None, Some(b)) => *slot = b,
            (None, None) if needed => missing.push(format!("cost.prices.{key}")),
            (None, None) => {}
        }
    }
    if !missing.is_empty() {
        ctx.err("cost", format!("{}; give {}", no_price_reason(region, listed.is_some()), or_list(&missing)));
    }
    out
}

/// Why a price the scenario needs is not built in for `region`.
pub(super) fn no_price_reason(region: &str, listed: bool) -> String {
    if listed {
        format!(
            "region \"{region}\" has no confirmed built-in price for this (docs/aws-facts.md §16; `ecsim catalog` \
             lists what is built in)"
        )
    } else {
        format!("region \"{region}\" has no built-in prices (listed: {})", PRICED_REGIONS.join(", "))
    }
}

/// "a", "a and b", "a, b and c".
fn or_list(items: &[String]) -> String {
    match items.split_last() {
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
        None => String::new(),
    }
}

/// The Fargate prices of the region with `[cost.prices]` on top; an
/// architecture some Fargate task uses must have a price. `fargate_arches`
/// lists the architectures of task definitions placed on Fargate.
fn resolve_fargate_prices(
    ctx: &mut Ctx,
    given: Option<&raw::CostPrices>,
    region: &str,
    fargate_arches: &[Arch],
) -> (FargatePrice, FargatePrice) {
    let empty = raw::CostPrices::default();
    let g = given.unwrap_or(&empty);
    let mut missing = Vec::new();
    let mut price = |arch: Arch, keys: [(&str, Option<f64>); 2]| {
        let builtin = fargate_price_in(region, arch);
        let mut out = [builtin.map(|p| p.vcpu_hour), builtin.map(|p| p.gb_hour)];
        for (slot, (key, value)) in out.iter_mut().zip(keys) {
            if let Some(v) = value
                && ctx.range(&format!("cost.prices.{key}"), v, 0.0, 1e6, "a price (USD)")
            {
                *slot = Some(v);
            }
            if slot.is_none() && fargate_arches.contains(&arch) {
                missing.push(format!("cost.prices.{key}"));
            }
        }
        FargatePrice { vcpu_hour: out[0].unwrap_or(0.0), gb_hour: out[1].unwrap_or(0.0) }
    };
    let x86 = price(Arch::X86_64, [("fargate_vcpu_hour", g.fargate_vcpu_hour), ("fargate_gb_hour", g.fargate_gb_hour)]);
    let arm = price(
        Arch::Arm64,
        [("fargate_arm64_vcpu_hour", g.fargate_arm64_vcpu_hour), ("fargate_arm64_gb_hour", g.fargate_arm64_gb_hour)],
    );
    if !missing.is_empty() {
        let reason = no_price_reason(region, PRICED_REGIONS.contains(&region));
        ctx.err("capacity_providers", format!("Fargate tasks run here but {reason}; give {}", or_list(&missing)));
    }
    (x86, arm)
}

fn resolve_plan(
    ctx: &mut Ctx,
    path: &str,
    p: &raw::SavingsPlan,
    types: &[InstanceType],
    usage: &PlanUsage,
) -> Option<SavingsPlan> {
    let kind = match p.kind.as_str() {
        "compute" => {
            if p.family.is_some() {
                ctx.err(
                    format!("{path}.family"),
                    "a compute Savings Plan covers every family; family is only for kind = \"ec2_instance\"",
                );
            }
            Some(SavingsPlanKind::Compute)
        }
        "ec2_instance" => {
            if p.fargate_discount.is_some() {
                ctx.err(format!("{path}.fargate_discount"), "an EC2 Instance Savings Plan does not cover Fargate");
            }
            match &p.family {
                None => {
                    ctx.err(
                        format!("{path}.family"),
                        "an EC2 Instance Savings Plan needs the instance family it covers, e.g. \"m5\"",
                    );
                    None
                }
                Some(f) if !types.iter().any(|t| family_of(&t.name) == f) => {
                    let mut known: Vec<&str> = types.iter().map(|t| family_of(&t.name)).collect();
                    known.dedup();
                    ctx.err(
                        format!("{path}.family"),
                        format!("no instance type of family \"{f}\" is known; families: {}", known.join(", ")),
                    );
                    None
                }
                Some(f) => Some(SavingsPlanKind::Ec2Instance { family: f.clone() }),
            }
        }
        other => {
            ctx.enum_value::<()>(&format!("{path}.kind"), other, &[("compute", ()), ("ec2_instance", ())]);
            None
        }
    };
    ctx.range(&format!("{path}.commitment_per_hour"), p.commitment_per_hour, 0.0, 1e6, "the hourly commitment (USD)");
    let rates = if p.term.is_some() || p.payment.is_some() {
        for (key, given) in [("discount", p.discount.is_some()), ("fargate_discount", p.fargate_discount.is_some())] {
            if given {
                ctx.err(
                    format!("{path}.{key}"),
                    "give either discount (and fargate_discount) or term and payment, not both: term and payment \
                     select the built-in Savings Plans rates",
                );
            }
        }
        catalog_rates(ctx, path, p, kind.as_ref()?, usage)?
    } else {
        let Some(discount) = p.discount else {
            ctx.err(
                format!("{path}.discount"),
                format!(
                    "a plan needs its discount, or term and payment to select built-in rates (built in: {}); \
                     give the share off on-demand, e.g. 0.28",
                    describe_compute_sp_rates()
                ),
            );
            return None;
        };
        ctx.range(&format!("{path}.discount"), discount, 0.0, 0.99, "a Savings Plan discount (share off on-demand)");
        if let Some(d) = p.fargate_discount {
            ctx.range(
                &format!("{path}.fargate_discount"),
                d,
                0.0,
                0.99,
                "a Savings Plan discount (share off on-demand)",
            );
        }
        PlanRates::Stated { ec2: discount, fargate: p.fargate_discount.unwrap_or(discount) }
    };
    Some(SavingsPlan { kind: kind?, commitment_per_hour: p.commitment_per_hour, rates })
}

/// The usage of a scenario a Savings Plan could cover, for picking built-in rates.
struct PlanUsage<'a> {
    region: &'a str,
    /// Names of the instance types of providers that can run on-demand instances, in file order.
    instance_types: Vec<String>,
    fargate_arches: &'a [Arch],
}

/// The instance types of the Auto Scaling groups that can launch on-demand
/// instances (spot usage is never covered), each once.
fn on_demand_instance_types(providers: &[Provider], types: &[InstanceType]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for a in providers.iter().filter_map(Provider::asg).filter(|a| a.lifecycle != Lifecycle::Spot) {
        for t in &a.instance_types {
            let name = &types[t.idx()].name;
            if !out.contains(name) {
                out.push(name.clone());
            }
        }
    }
    out
}

/// The built-in rates of a plan's term and payment option for the usage the
/// scenario runs; an error naming what is built in when any is missing.
fn catalog_rates(
    ctx: &mut Ctx,
    path: &str,
    p: &raw::SavingsPlan,
    kind: &SavingsPlanKind,
    usage: &PlanUsage,
) -> Option<PlanRates> {
    let term = match p.term {
        Some(1) => Some(SpTerm::OneYear),
        Some(3) => Some(SpTerm::ThreeYears),
        Some(n) => {
            ctx.err(format!("{path}.term"), format!("{n} is not a Savings Plans term; expected 1 or 3 (years)"));
            None
        }
        None => {
            ctx.err(format!("{path}.term"), "payment selects built-in rates together with term; give term = 1 or 3");
            None
        }
    };
    let payment = match p.payment.as_deref() {
        Some(text) => ctx.enum_value(
            &format!("{path}.payment"),
            text,
            &[
                ("no_upfront", SpPayment::NoUpfront),
                ("partial_upfront", SpPayment::PartialUpfront),
                ("all_upfront", SpPayment::AllUpfront),
            ],
        ),
        None => {
            ctx.err(
                format!("{path}.payment"),
                "term selects built-in rates together with payment; give payment = \"no_upfront\", \
                 \"partial_upfront\" or \"all_upfront\"",
            );
            None
        }
    };
    let (term, payment) = (term?, payment?);
    let built_in = describe_compute_sp_rates();
    if matches!(kind, SavingsPlanKind::Ec2Instance { .. }) {
        ctx.err(
            format!("{path}.term"),
            format!(
                "ecsim has no built-in EC2 Instance Savings Plans rates; give discount instead (built-in Compute \
                 Savings Plans rates: {built_in})"
            ),
        );
        return None;
    }
    let region = usage.region;
    let mut missing: Vec<String> = Vec::new();
    let mut families: Vec<(String, f64)> = Vec::new();
    for name in &usage.instance_types {
        let Some(d) = compute_sp_instance_discount(region, name, term, payment) else {
            missing.push(name.clone());
            continue;
        };
        let family = family_of(name);
        match families.iter().find(|(f, _)| f == family) {
            // One discount per family is what the billing hour applies (model/savings_plans.rs).
            Some((_, other)) if *other != d => {
                ctx.err(
                    format!("{path}.term"),
                    format!("the built-in rates of the {family} types differ; ecsim applies one discount per family: give discount"),
                );
                return None;
            }
            Some(_) => {}
            None => families.push((family.to_string(), d)),
        }
    }
    let mut fargate: Option<f64> = None;
    for &arch in usage.fargate_arches {
        match (compute_sp_fargate_discount(region, arch, term, payment), fargate) {
            (None, _) => missing.push(format!("Fargate {}", arch.as_str())),
            (Some(d), None) => fargate = Some(d),
            (Some(d), Some(other)) if d != other => {
                ctx.err(
                    format!("{path}.term"),
                    "the built-in Fargate rates of the two architectures differ; ecsim applies one discount to \
                     Fargate: give fargate_discount",
                );
                return None;
            }
            (Some(_), Some(_)) => {}
        }
    }
    if !missing.is_empty() {
        ctx.err(
            format!("{path}.term"),
            format!(
                "no built-in {}-year {} Compute Savings Plans rate for {} in {region}; built in: {built_in}; give \
                 discount (and fargate_discount) instead",
                term.years(),
                payment.as_str(),
                missing.join(", ")
            ),
        );
        return None;
    }
    Some(PlanRates::Catalog { term, payment, families, fargate })
}

/// The architectures of task definitions that services or scheduled tasks
/// place on a Fargate provider, or only on an on-demand one (x86_64 when a
/// definition names none).
pub(super) fn fargate_arches(
    providers: &[Provider],
    task_defs: &[TaskDef],
    services: &[Service],
    batch: &[ScheduledTask],
    on_demand_only: bool,
) -> Vec<Arch> {
    let uses =
        services.iter().map(|s| (s.task_def, &s.strategy)).chain(batch.iter().map(|b| (b.task_def, &b.strategy)));
    let mut arches = Vec::new();
    for (td, strategy) in uses {
        let on_fargate = strategy.iter().any(|i| {
            providers.get(i.provider.idx()).and_then(Provider::fargate).is_some_and(|f| !(on_demand_only && f.spot))
        });
        let arch = task_defs.get(td.idx()).and_then(|t| t.arch).unwrap_or(Arch::X86_64);
        if on_fargate && !arches.contains(&arch) {
            arches.push(arch);
        }
    }
    arches
}

/// "m5" of "m5.large": the family an EC2 Instance Savings Plan names.
pub fn family_of(instance_type: &str) -> &str {
    instance_type.split('.').next().unwrap_or(instance_type)
}

fn resolve_service_costs(
    ctx: &mut Ctx,
    cfg: &mut CostConfig,
    raw_services: &[Option<raw::Service>],
    services: &[Service],
) {
    for (i, (r, svc)) in raw_services.iter().flatten().zip(services).enumerate() {
        let path = format!("services[{i}]");
        cfg.service_public_ip.push(r.assign_public_ip.unwrap_or(false));
        let w = r.workload.as_ref();
        let bytes = |v: Option<f64>, key: &str, default: f64, ctx: &mut Ctx| {
            let v = v.unwrap_or(default);
            ctx.range(&format!("{path}.workload.{key}"), v, 0.0, 1e12, "a size in bytes");
            v
        };
        let req = bytes(w.and_then(|w| w.request_bytes), "request_bytes", assumed::REQUEST_BYTES, ctx);
        let resp = bytes(w.and_then(|w| w.response_bytes), "response_bytes", assumed::RESPONSE_BYTES, ctx);
        cfg.service_bytes.push((req, resp));
        let lb = match (&svc.load_balancer, &r.load_balancer) {
            (Some(lb), Some(raw_lb)) => {
                let name = raw_lb.name.clone().unwrap_or_else(|| svc.name.clone());
                match cfg.lbs.iter().position(|l| l.name == name) {
                    Some(k) if cfg.lbs[k].alb != (lb.kind == LbKind::Alb) => {
                        ctx.err(
                            format!("{path}.load_balancer.kind"),
                            format!("load balancer \"{name}\" is shared with a service that gives it another kind"),
                        );
                        None
                    }
                    Some(k) => {
                        cfg.lbs[k].services.push(i);
                        Some(k)
                    }
                    None => {
                        cfg.lbs.push(SharedLb { name, alb: lb.kind == LbKind::Alb, services: vec![i] });
                        Some(cfg.lbs.len() - 1)
                    }
                }
            }
            _ => None,
        };
        cfg.service_lb.push(lb);
    }
}

fn resolve_extras(ctx: &mut Ctx, path: &str, p: &raw::CapacityProvider, prices: &InfraPrices) -> InstanceExtras {
    if p.kind != "ec2" {
        for (key, given) in [
            ("public_ip", p.public_ip.is_some()),
            ("root_volume_gib", p.root_volume_gib.is_some()),
            ("root_volume_type", p.root_volume_type.is_some()),
        ] {
            if given {
                ctx.err(format!("{path}.{key}"), format!("{key} is only for kind = \"ec2\" (Fargate tasks take assign_public_ip and ephemeral_storage_gib)"));
            }
        }
        return InstanceExtras::default();
    }
    let gib = p.root_volume_gib.unwrap_or(DEFAULT_ROOT_VOLUME_GIB);
    ctx.range(&format!("{path}.root_volume_gib"), gib, 1.0, 16384.0, "an EBS volume size (GiB)");
    let kind = p.root_volume_type.as_deref().unwrap_or("gp3");
    let gb_month = ebs_gb_month(prices, kind).unwrap_or_else(|| {
        let options: Vec<(&str, ())> = EBS_VOLUME_TYPES.iter().map(|t| (*t, ())).collect();
        ctx.enum_value(&format!("{path}.root_volume_type"), kind, &options);
        0.0
    });
    InstanceExtras { public_ip: p.public_ip.unwrap_or(false), root_volume_gib: gib, root_volume_gb_month: gb_month }
}
