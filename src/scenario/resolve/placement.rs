//! Where tasks go: capacity provider strategies, placement strategies and
//! placement constraints, shared by services and scheduled tasks.

use super::super::raw;
use super::super::types::*;
use super::ctx::Ctx;
use super::{Env, Names};
use crate::query::Expression;
use std::collections::BTreeSet;

/// ECS API: at most 5 placement strategy rules and 10 constraints.
const MAX_PLACEMENT_STRATEGIES: usize = 5;
const MAX_PLACEMENT_CONSTRAINTS: usize = 10;

/// Resolves a capacity provider strategy, or the single provider when omitted.
pub(super) fn resolve_strategy(
    ctx: &mut Ctx,
    path: &str,
    items: Option<&Vec<raw::StrategyItem>>,
    names: &Names,
    env: &Env,
) -> Vec<StrategyItem> {
    let sp = format!("{path}.capacity_provider_strategy");
    let Some(items) = items else {
        if env.providers.len() == 1 {
            return vec![StrategyItem { provider: ProviderId(0), base: 0, weight: 1 }];
        }
        ctx.err(
            path,
            format!("needs a capacity_provider_strategy: the cluster has {} capacity providers", names.providers.len()),
        );
        return Vec::new();
    };
    if items.is_empty() {
        ctx.err(&sp, "the strategy needs at least one capacity provider");
        return Vec::new();
    }
    let mut out = Vec::new();
    for (j, it) in items.iter().enumerate() {
        let ip = format!("{sp}[{j}]");
        let Some(id) =
            ctx.lookup(&format!("{ip}.capacity_provider"), "capacity provider", &it.capacity_provider, names.providers)
        else {
            continue;
        };
        if out.iter().any(|o: &StrategyItem| o.provider == id) {
            ctx.err(&ip, format!("\"{}\" appears twice in the strategy", it.capacity_provider));
        }
        let base = it.base.unwrap_or(0);
        let weight = it.weight.unwrap_or(0);
        if base > 100_000 {
            ctx.err(format!("{ip}.base"), format!("{base} is out of range; expected 0 to 100000"));
        }
        if weight > 1_000 {
            ctx.err(format!("{ip}.weight"), format!("{weight} is out of range; expected 0 to 1000"));
        }
        out.push(StrategyItem { provider: id, base, weight });
    }
    if out.iter().filter(|i| i.base > 0).count() > 1 {
        ctx.err(&sp, "only one capacity provider in a strategy may have a base");
    }
    if !out.is_empty() && out.iter().all(|i| i.weight == 0) {
        ctx.err(&sp, "at least one capacity provider needs a weight above 0 (weights default to 0, as in the ECS API)");
    }
    if !env.providers.is_empty() {
        let kinds: BTreeSet<bool> = out.iter().map(|i| env.providers[i.provider.idx()].is_fargate()).collect();
        if kinds.len() > 1 {
            ctx.err(&sp, "a strategy cannot mix Auto Scaling group providers with FARGATE/FARGATE_SPOT providers");
        }
    }
    out
}

/// Whether a strategy runs its tasks on Fargate (its first provider says).
pub(super) fn runs_on_fargate(strategy: &[StrategyItem], env: &Env) -> bool {
    strategy.first().is_some_and(|i| env.providers.get(i.provider.idx()).is_some_and(Provider::is_fargate))
}

/// Placement strategy and constraints; Fargate takes neither. Without a
/// strategy, `default_spread` spreads across zones and then instances (as
/// services do here); otherwise none applies (scheduled tasks).
pub(super) fn resolve_placement(
    ctx: &mut Ctx,
    path: &str,
    strategies: Option<&Vec<raw::PlacementStrategy>>,
    constraints: Option<&Vec<raw::PlacementConstraint>>,
    fargate: bool,
    default_spread: bool,
) -> (Vec<PlacementStrategy>, Vec<PlacementConstraint>) {
    if fargate {
        if strategies.is_some_and(|s| !s.is_empty()) {
            ctx.err(
                format!("{path}.placement_strategy"),
                "Fargate tasks take no placement strategy (Fargate spreads across zones itself)",
            );
        }
        if constraints.is_some_and(|c| !c.is_empty()) {
            ctx.err(format!("{path}.placement_constraints"), "Fargate tasks take no placement constraints");
        }
        return (Vec::new(), Vec::new());
    }
    let out = match strategies {
        None if default_spread => {
            vec![PlacementStrategy::Spread(SpreadField::Zone), PlacementStrategy::Spread(SpreadField::InstanceId)]
        }
        None => Vec::new(),
        Some(list) => placement_strategies(ctx, path, list),
    };
    let cons = constraints.map(|list| placement_constraints(ctx, path, list)).unwrap_or_default();
    (out, cons)
}

fn placement_strategies(ctx: &mut Ctx, path: &str, list: &[raw::PlacementStrategy]) -> Vec<PlacementStrategy> {
    let mut out = Vec::new();
    if list.len() > MAX_PLACEMENT_STRATEGIES {
        ctx.err(
            format!("{path}.placement_strategy"),
            format!("{} rules given; ECS allows at most {MAX_PLACEMENT_STRATEGIES}", list.len()),
        );
    }
    for (j, s) in list.iter().enumerate() {
        let sp = format!("{path}.placement_strategy[{j}]");
        let field = s.field.as_deref();
        match s.kind.as_str() {
            "binpack" => match field {
                Some("cpu") | Some("CPU") => out.push(PlacementStrategy::Binpack(BinpackField::Cpu)),
                Some("memory") | Some("MEMORY") => out.push(PlacementStrategy::Binpack(BinpackField::Memory)),
                other => ctx
                    .err(format!("{sp}.field"), format!("binpack needs field = \"cpu\" or \"memory\" (got {other:?})")),
            },
            "spread" => match field.map(spread_field) {
                Some(Ok(f)) => out.push(PlacementStrategy::Spread(f)),
                Some(Err(e)) => ctx.err(format!("{sp}.field"), e),
                None => {
                    ctx.err(&sp, "spread needs a field such as \"attribute:ecs.availability-zone\" or \"instanceId\"")
                }
            },
            "random" => {
                if field.is_some() {
                    ctx.err(format!("{sp}.field"), "random takes no field");
                }
                out.push(PlacementStrategy::Random);
            }
            other => {
                ctx.enum_value::<()>(&format!("{sp}.type"), other, &[("binpack", ()), ("spread", ()), ("random", ())]);
            }
        }
    }
    out
}

fn placement_constraints(ctx: &mut Ctx, path: &str, list: &[raw::PlacementConstraint]) -> Vec<PlacementConstraint> {
    let mut cons = Vec::new();
    if list.len() > MAX_PLACEMENT_CONSTRAINTS {
        ctx.err(
            format!("{path}.placement_constraints"),
            format!("{} constraints given; ECS allows at most {MAX_PLACEMENT_CONSTRAINTS}", list.len()),
        );
    }
    for (j, c) in list.iter().enumerate() {
        let cp = format!("{path}.placement_constraints[{j}]");
        match c.kind.as_str() {
            "distinctInstance" => {
                if c.expression.is_some() {
                    ctx.err(format!("{cp}.expression"), "distinctInstance takes no expression");
                }
                cons.push(PlacementConstraint::DistinctInstance);
            }
            "memberOf" => match c.expression.as_deref() {
                None => ctx.err(&cp, "memberOf needs an expression, e.g. \"attribute:ecs.instance-type =~ m5.*\""),
                Some(e) => match Expression::parse(e) {
                    Ok(expr) => cons.push(PlacementConstraint::MemberOf(expr)),
                    Err(msg) => ctx.err(format!("{cp}.expression"), msg),
                },
            },
            other => {
                ctx.enum_value::<()>(&format!("{cp}.type"), other, &[("distinctInstance", ()), ("memberOf", ())]);
            }
        }
    }
    cons
}

fn spread_field(f: &str) -> Result<SpreadField, String> {
    Ok(match f {
        "instanceId" | "host" => SpreadField::InstanceId,
        "attribute:ecs.availability-zone" => SpreadField::Zone,
        "attribute:ecs.instance-type" => SpreadField::InstanceType,
        "attribute:ecs.os-type" => SpreadField::OsType,
        "attribute:ecs.cpu-architecture" => SpreadField::Arch,
        other => match other.strip_prefix("attribute:") {
            Some(name) if !name.is_empty() => SpreadField::Attribute(name.to_string()),
            _ => {
                return Err(format!(
                    "\"{other}\" is not a spread field; expected \"instanceId\" (or \"host\") or \"attribute:<name>\" such as \"attribute:ecs.availability-zone\""
                ));
            }
        },
    })
}
