//! `[spot]`: the spot price and interruption rate of every pool, capacity
//! reclaim events, and Fargate Spot.

use super::super::raw;
use super::super::types::*;
use super::Horizon;
use super::assumed;
use super::ctx::Ctx;
use crate::catalog::InstanceType;
use crate::engine::SimDuration;
use crate::units::UsdPerHour;
use std::collections::BTreeMap;

/// A monthly interruption share from a Spot Instance Advisor band or a percentage.
pub fn parse_interruption_frequency(s: &str) -> Result<f64, String> {
    let t = s.trim();
    let band = match t {
        "<5%" => Some(0.025),
        "5-10%" => Some(0.075),
        "10-15%" => Some(0.125),
        "15-20%" => Some(0.175),
        ">20%" => Some(0.25),
        _ => None,
    };
    if let Some(p) = band {
        return Ok(p);
    }
    let help = "a Spot Instance Advisor band (\"<5%\", \"5-10%\", \"10-15%\", \"15-20%\", \">20%\") or a share such as \"12%\"";
    let pct: f64 =
        t.strip_suffix('%').and_then(|n| n.trim().parse().ok()).ok_or_else(|| format!("\"{s}\" is not {help}"))?;
    if !(0.0..100.0).contains(&pct) {
        return Err(format!("\"{s}\": the share must be at least 0% and below 100%"));
    }
    Ok(pct / 100.0)
}

/// The interruption share `given` at `path`, or `default` when none is given;
/// 0 stands in for one that does not parse.
fn interruption_rate(ctx: &mut Ctx, path: &str, given: Option<&str>, default: f64) -> f64 {
    match given {
        Some(f) => parse_interruption_frequency(f).unwrap_or_else(|e| {
            ctx.err(path, e);
            0.0
        }),
        None => default,
    }
}

/// What every spot pool starts from, and the names pools may refer to.
struct Market<'a> {
    types: &'a [InstanceType],
    type_ids: &'a BTreeMap<String, TypeId>,
    zone_ids: &'a BTreeMap<String, ZoneId>,
    discount: f64,
    rate: f64,
}

pub(super) fn resolve_spot(
    ctx: &mut Ctx,
    s: raw::Spot,
    types: &[InstanceType],
    type_ids: &BTreeMap<String, TypeId>,
    zone_ids: &BTreeMap<String, ZoneId>,
    horizon: &Horizon,
) -> SpotMarket {
    let discount = s.discount.unwrap_or(assumed::SPOT_DISCOUNT);
    ctx.range("spot.discount", discount, 0.0, 0.95, "a spot discount (share of the on-demand price saved)");
    let band = s.interruption_frequency.as_deref().unwrap_or(assumed::SPOT_INTERRUPTION_BAND);
    let default_rate = interruption_rate(ctx, "spot.interruption_frequency", Some(band), 0.0);
    let notice = s.notice.map_or(SimDuration::from_minutes(2), |d| d.0);
    if notice > SimDuration::from_minutes(10) {
        ctx.err("spot.notice", format!("{notice} is longer than any notice AWS gives (2m)"));
    }
    let lfp = s.launch_failure_probability.unwrap_or(0.0);
    ctx.range("spot.launch_failure_probability", lfp, 0.0, 0.99, "a probability");
    let market = Market { types, type_ids, zone_ids, discount, rate: default_rate };
    let pools = spot_pools(ctx, s.pools.as_deref().unwrap_or_default(), &market, horizon);
    let reclaims = s
        .reclaim_events
        .iter()
        .flatten()
        .enumerate()
        .map(|(i, r)| reclaim(ctx, &format!("spot.reclaim_events[{i}]"), r, &market))
        .collect();
    let f = s.fargate.unwrap_or_default();
    let fargate_discount = f.discount.unwrap_or(assumed::FARGATE_SPOT_DISCOUNT);
    ctx.range("spot.fargate.discount", fargate_discount, 0.0, 0.95, "a Fargate Spot discount");
    let fargate_monthly_interruption = interruption_rate(
        ctx,
        "spot.fargate.interruption_frequency",
        f.interruption_frequency.as_deref(),
        default_rate,
    );
    let unavailable = f.unavailable_probability.unwrap_or(0.0);
    ctx.range("spot.fargate.unavailable_probability", unavailable, 0.0, 0.99, "a probability");
    let fargate_reclaims = f
        .reclaim_events
        .iter()
        .flatten()
        .enumerate()
        .map(|(i, r)| fargate_reclaim(ctx, &format!("spot.fargate.reclaim_events[{i}]"), r, zone_ids))
        .collect();
    SpotMarket {
        notice,
        launch_failure_probability: lfp,
        pools,
        reclaims,
        fargate_discount,
        fargate_monthly_interruption,
        fargate_unavailable_probability: unavailable,
        fargate_reclaims,
    }
}

/// One default pool per instance type, then the listed overrides (more specific ones later).
fn spot_pools(ctx: &mut Ctx, list: &[raw::SpotPool], market: &Market, horizon: &Horizon) -> Vec<SpotPoolConfig> {
    let mut pools: Vec<SpotPoolConfig> = market
        .types
        .iter()
        .enumerate()
        .map(|(i, t)| SpotPoolConfig {
            instance_type: TypeId::from_idx(i),
            zone: None,
            hourly: UsdPerHour(t.on_demand_hourly * (1.0 - market.discount)),
            monthly_interruption: market.rate,
            price_trace: None,
        })
        .collect();
    for (i, p) in list.iter().enumerate() {
        let Some(cfg) = spot_pool(ctx, &format!("spot.pools[{i}]"), p, market, horizon) else { continue };
        if cfg.zone.is_none() {
            let t = cfg.instance_type.idx();
            pools[t] = cfg;
        } else {
            pools.push(cfg);
        }
    }
    pools
}

fn spot_pool(
    ctx: &mut Ctx,
    path: &str,
    p: &raw::SpotPool,
    market: &Market,
    horizon: &Horizon,
) -> Option<SpotPoolConfig> {
    let t = ctx.lookup(&format!("{path}.instance_type"), "instance type", &p.instance_type, market.type_ids)?;
    let zone =
        p.zone.as_ref().and_then(|z| ctx.lookup(&format!("{path}.zone"), "availability zone", z, market.zone_ids));
    let d = p.discount.unwrap_or(market.discount);
    ctx.range(&format!("{path}.discount"), d, 0.0, 0.95, "a spot discount");
    let rate = interruption_rate(
        ctx,
        &format!("{path}.interruption_frequency"),
        p.interruption_frequency.as_deref(),
        market.rate,
    );
    let price_trace = p.price_trace.as_ref().and_then(|file| {
        if p.discount.is_some() {
            ctx.err(format!("{path}.price_trace"), "give either `discount` or `price_trace`, not both");
        }
        match horizon.load_trace(file, "time_s", "usd_per_hour", 1.0, false) {
            Ok(t) => Some(t),
            Err(e) => {
                ctx.err(format!("{path}.price_trace"), e);
                None
            }
        }
    });
    Some(SpotPoolConfig {
        instance_type: t,
        zone,
        hourly: UsdPerHour(market.types[t.idx()].on_demand_hourly * (1.0 - d)),
        monthly_interruption: rate,
        price_trace,
    })
}

/// The rate and fraction every reclaim process has, EC2 or Fargate Spot.
fn check_rate_and_fraction(ctx: &mut Ctx, path: &str, rate_per_month: f64, fraction: f64) {
    ctx.range(&format!("{path}.rate_per_month"), rate_per_month, 0.0, 10_000.0, "rate_per_month");
    if !(fraction > 0.0 && fraction <= 1.0) {
        ctx.err(format!("{path}.fraction"), format!("{fraction} is out of range; expected more than 0 and at most 1"));
    }
}

fn fargate_reclaim(
    ctx: &mut Ctx,
    path: &str,
    r: &raw::FargateReclaimEvents,
    zone_ids: &BTreeMap<String, ZoneId>,
) -> FargateReclaimConfig {
    check_rate_and_fraction(ctx, path, r.rate_per_month, r.fraction);
    let zone = r.zone.as_ref().and_then(|z| ctx.lookup(&format!("{path}.zone"), "availability zone", z, zone_ids));
    let drought = r.drought.as_ref().map_or(SimDuration::ZERO, |d| d.0);
    if drought > SimDuration::from_hours(720) {
        ctx.err(format!("{path}.drought"), format!("{drought} is longer than 30 days"));
    }
    let p = r.drought_unavailable_probability.unwrap_or(1.0);
    ctx.range(&format!("{path}.drought_unavailable_probability"), p, 0.0, 1.0, "a probability");
    if r.drought.is_none() && r.drought_unavailable_probability.is_some() {
        ctx.err(
            format!("{path}.drought_unavailable_probability"),
            "give `drought` (how long capacity stays short) with it",
        );
    }
    FargateReclaimConfig {
        rate_per_month: r.rate_per_month,
        fraction: r.fraction,
        zone,
        drought,
        drought_unavailable_probability: p,
    }
}

fn reclaim(ctx: &mut Ctx, path: &str, r: &raw::ReclaimEvents, market: &Market) -> ReclaimConfig {
    check_rate_and_fraction(ctx, path, r.rate_per_month, r.fraction);
    let instance_type = r
        .instance_type
        .as_ref()
        .and_then(|n| ctx.lookup(&format!("{path}.instance_type"), "instance type", n, market.type_ids));
    let zone =
        r.zone.as_ref().and_then(|z| ctx.lookup(&format!("{path}.zone"), "availability zone", z, market.zone_ids));
    ReclaimConfig { rate_per_month: r.rate_per_month, fraction: r.fraction, instance_type, zone }
}
