//! The run-wide settings: `[simulation]`, `[cloudwatch]`, `[region]`,
//! `[cluster]` and `[output]`, and the size estimate that refuses a run too
//! large to finish.

use super::super::raw;
use super::super::types::*;
use super::assumed;
use super::ctx::{Ctx, check_name, index_ids, path_name_problem};
use crate::calendar::{Calendar, parse_instant};
use crate::engine::{MS_PER_MINUTE, MS_PER_SECOND, SimDuration};
use jiff::Timestamp;
use std::collections::BTreeMap;
use std::path::Path;

pub const DEFAULT_START: &str = "2026-01-05T00:00:00Z";

/// Work ceiling: fluid steps × (services + 1). Beyond this a run would take
/// many minutes and gigabytes; refuse with an estimate instead of hanging.
const MAX_WORK_UNITS: f64 = 4.0e8;

/// `[simulation]` and `[cloudwatch]`, defaults filled in.
pub(super) struct Run {
    pub(super) name: String,
    pub(super) calendar: Calendar,
    pub(super) duration: SimDuration,
    /// The duration was given and valid (otherwise 1m stands in for it).
    pub(super) duration_ok: bool,
    pub(super) seed: u64,
    pub(super) tick: SimDuration,
    pub(super) replications: u32,
    pub(super) initial_state: InitialState,
    pub(super) warmup: SimDuration,
    pub(super) metric_delay: SimDuration,
}

pub(super) fn resolve_run(
    ctx: &mut Ctx,
    sim: raw::Simulation,
    cloudwatch: Option<raw::CloudWatch>,
    source_label: &str,
) -> Run {
    let name = sim.name.clone().unwrap_or_else(|| {
        Path::new(source_label).file_stem().and_then(|s| s.to_str()).unwrap_or("scenario").to_string()
    });
    // A name that cannot be a directory is told so once, in those words.
    match path_name_problem(&name) {
        Some(problem) => ctx.err("simulation.name", problem),
        None => check_name(ctx, "simulation.name", &name),
    }
    let calendar = Calendar::new(resolve_start(ctx, sim.start.as_deref()));
    let duration = resolve_duration(ctx, sim.duration.map(|d| d.0));
    let tick = sim.tick.map_or(SimDuration::from_minutes(1), |d| d.0);
    check_tick(ctx, tick);
    let initial_state = match sim.initial_state.as_deref() {
        None => InitialState::Steady,
        Some(s) => ctx
            .enum_value(
                "simulation.initial_state",
                s,
                &[("steady", InitialState::Steady), ("cold", InitialState::Cold)],
            )
            .unwrap_or(InitialState::Steady),
    };
    // A duration reported above stands in as 1m: do not also measure the warm-up against it.
    let duration_ok = ctx.problems.iter().all(|(p, _)| p != "simulation.duration" && p != "simulation");
    let warmup = sim.warmup.map_or(SimDuration::ZERO, |d| d.0);
    if !warmup.as_millis().is_multiple_of(MS_PER_MINUTE) {
        ctx.err("simulation.warmup", format!("{warmup} is not a whole number of minutes"));
    }
    if duration_ok && warmup >= duration {
        ctx.err("simulation.warmup", format!("warmup {warmup} must be shorter than the duration {duration}"));
    }
    let replications = sim.replications.unwrap_or(1);
    if replications == 0 || replications > 10_000 {
        ctx.err("simulation.replications", format!("{replications} is out of range; expected 1 to 10000"));
    }
    let metric_delay =
        cloudwatch.and_then(|c| c.metric_delay).map_or(SimDuration::from_secs(assumed::METRIC_DELAY_S), |d| d.0);
    if !metric_delay.as_millis().is_multiple_of(MS_PER_MINUTE) || metric_delay > SimDuration::from_minutes(10) {
        ctx.err("cloudwatch.metric_delay", format!("{metric_delay} must be whole minutes between 0m and 10m"));
    }
    Run {
        name,
        calendar,
        duration,
        duration_ok,
        seed: sim.seed.unwrap_or(1),
        tick,
        replications,
        initial_state,
        warmup,
        metric_delay,
    }
}

fn resolve_start(ctx: &mut Ctx, start: Option<&str>) -> Timestamp {
    match parse_instant(start.unwrap_or(DEFAULT_START)) {
        Ok(t) => t,
        Err(e) => {
            ctx.err("simulation.start", e);
            parse_instant(DEFAULT_START).expect("default start parses")
        }
    }
}

/// The horizon: whole minutes, at least one; 1m stands in for a wrong one.
fn resolve_duration(ctx: &mut Ctx, duration: Option<SimDuration>) -> SimDuration {
    match duration {
        Some(d) if d.as_millis() >= MS_PER_MINUTE && d.as_millis().is_multiple_of(MS_PER_MINUTE) => d,
        Some(d) if d.as_millis() >= MS_PER_MINUTE => {
            ctx.err(
                "simulation.duration",
                format!("{d} is not a whole number of minutes; figures are per minute, so the horizon is too"),
            );
            SimDuration::from_minutes(1)
        }
        Some(d) => {
            ctx.err("simulation.duration", format!("{d} is too short; a run lasts at least 1m"));
            SimDuration::from_minutes(1)
        }
        None => {
            ctx.err("simulation", "`duration` is required (e.g. duration = \"1d\")");
            SimDuration::from_minutes(1)
        }
    }
}

/// A tick divides a minute (whole seconds) or is whole minutes up to 5m.
fn check_tick(ctx: &mut Ctx, tick: SimDuration) {
    let tick_ms = tick.as_millis();
    let divides_minute = tick_ms > 0 && tick_ms.is_multiple_of(MS_PER_SECOND) && MS_PER_MINUTE.is_multiple_of(tick_ms);
    let whole_minutes = tick_ms.is_multiple_of(MS_PER_MINUTE) && tick_ms <= 5 * MS_PER_MINUTE && tick_ms > 0;
    if !(divides_minute || whole_minutes) {
        ctx.err(
            "simulation.tick",
            format!("{tick} is not allowed; the tick must be between 1s and 5m and either divide a minute (1s, 2s, 3s, 4s, 5s, 6s, 10s, 12s, 15s, 20s, 30s) or be whole minutes (1m..5m)"),
        );
    }
}

/// `[region]` and `[cluster]`.
pub(super) struct Place {
    pub(super) region: String,
    pub(super) zones: Vec<String>,
    pub(super) zone_ids: BTreeMap<String, ZoneId>,
    pub(super) cluster_name: String,
    pub(super) awsvpc_trunking: bool,
}

pub(super) fn resolve_place(ctx: &mut Ctx, region: raw::Region, cluster: raw::Cluster) -> Place {
    let region_name = region.name.unwrap_or_else(|| "us-east-1".to_string());
    let zones = region
        .availability_zones
        .unwrap_or_else(|| ["a", "b", "c"].iter().map(|s| format!("{region_name}{s}")).collect());
    if zones.is_empty() {
        ctx.err("region.availability_zones", "at least one availability zone is required");
    }
    let zone_ids =
        index_ids(ctx, "region.availability_zones", zones.iter().map(|z| Some(z.as_str())), ZoneId::from_idx);
    let cluster_name = cluster.name.unwrap_or_else(|| "default".to_string());
    check_name(ctx, "cluster.name", &cluster_name);
    Place {
        region: region_name,
        zones,
        zone_ids,
        cluster_name,
        awsvpc_trunking: cluster.awsvpc_trunking.unwrap_or(false),
    }
}

pub(super) fn resolve_output(ctx: &mut Ctx, out: raw::Output) -> OutputConfig {
    let interval = out.timeseries_interval.map_or(SimDuration::from_minutes(1), |d| d.0);
    if interval.as_millis() == 0 || !interval.as_millis().is_multiple_of(MS_PER_MINUTE) {
        ctx.err(
            "output.timeseries_interval",
            format!("{interval} must be a whole number of minutes (\"1m\", \"15m\", \"1h\")"),
        );
    }
    OutputConfig {
        timeseries: out.timeseries.unwrap_or(true),
        timeseries_interval: interval,
        events: out.events.unwrap_or(true),
    }
}

/// Refuses a run whose workload steps would take many minutes, with an estimate.
pub(super) fn check_size(ctx: &mut Ctx, run: &Run, services: usize) {
    let (tick, duration) = (run.tick, run.duration);
    let steps = duration.as_millis() as f64 / tick.as_millis().max(1) as f64;
    let work = steps * (services as f64 + 1.0);
    if work > MAX_WORK_UNITS {
        ctx.err(
            "simulation",
            format!(
                "this run is too large: {steps:.0} ticks of {tick} over {duration} for {services} services is about {work:.1e} workload steps (the limit is {MAX_WORK_UNITS:.0e}, roughly 10 minutes of work); use a coarser tick (e.g. \"1m\") or a shorter duration",
            ),
        );
    }
}
