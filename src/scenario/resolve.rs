//! Raw file → typed `Scenario`: defaults, name resolution, cross-checks.
//!
//! Every problem is recorded against an index path (`services[0].desired_count`)
//! and the resolver keeps going, so `ecsim validate` reports them all at once.
//! Defaults chosen here are listed in docs/scenario-format.md.

use super::dist::Dist;
use super::duration::Offset;
use super::raw;
use super::trace::load_trace;
use super::types::*;
use crate::calendar::{Calendar, Schedule, parse_instant, parse_time_of_day, parse_time_zone};
use crate::catalog::{self, Arch, InstanceType};
use crate::engine::{MS_PER_MINUTE, MS_PER_SECOND, SimDuration, SimTime};
use crate::fmt::fmt_f64;
use crate::query::Expression;
use crate::scaling::{
    AdjustmentType, AutoScalingConfig, Comparison, ServiceMetric, Statistic, StepAdjustment, StepScalingConfig,
    TargetTrackingConfig, validate_step_config,
};
use crate::units::{CpuUnits, MemMib, UsdPerHour};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Defaults that stand for AWS behaviour ecsim could not confirm from a
/// primary source; each is reported in `summary.json` under `assumptions`.
pub mod assumed {
    /// Spot price = on-demand × (1 − discount) when no pool says otherwise (aws-ecs.md 3.2: 0.30–0.40 × on-demand).
    pub const SPOT_DISCOUNT: f64 = 0.65;
    /// Spot Instance Advisor band used when none is given: most general-purpose types sit in "<5%" (aws-ecs.md 3.2).
    pub const SPOT_INTERRUPTION_BAND: &str = "<5%";
    /// Fargate Spot discount when none is given (aws-ecs.md 3.4: "up to ~70%").
    pub const FARGATE_SPOT_DISCOUNT: f64 = 0.70;
    /// Delay between a minute closing and its CloudWatch datapoint being visible (aws-ecs.md 6.2: ~1–2 min).
    pub const METRIC_DELAY_S: u64 = 60;
    /// EC2 launch to ACTIVE registration: lognormal median and p95 (aws-ecs.md 8: ~1–3 min).
    pub const LAUNCH_MEDIAN_S: f64 = 90.0;
    pub const LAUNCH_P95_S: f64 = 180.0;
    /// Fargate provisioning (capacity, ENI): lognormal median and p95 (aws-ecs.md 8: ~30–60 s).
    pub const FARGATE_PROVISIONING_MEDIAN_S: f64 = 35.0;
    pub const FARGATE_PROVISIONING_P95_S: f64 = 70.0;
    /// Container start on a host with a cached image (aws-ecs.md 8: a few seconds to ~10–20 s).
    pub const TASK_STARTUP_S: f64 = 10.0;
    /// Cloud Map DNS record TTL when a service discovery block gives none.
    pub const DNS_TTL_S: u64 = 60;
}

/// ECS service quota "tasks per service" and the largest sizes accepted.
const MAX_TASKS_PER_SERVICE: u32 = 5_000;
/// ECS service quota "container instances per cluster".
const MAX_INSTANCES_PER_PROVIDER: u32 = 5_000;
/// ECS API: at most 5 placement strategy rules and 10 constraints.
const MAX_PLACEMENT_STRATEGIES: usize = 5;
const MAX_PLACEMENT_CONSTRAINTS: usize = 10;
/// Host ports the ECS agent reserves by default (aws-ecs.md 5.4).
pub const AGENT_RESERVED_PORTS: [u16; 5] = [22, 2375, 2376, 51678, 51679];
/// Fargate caps stopTimeout at 120 s (aws-ecs.md 1.4).
const FARGATE_MAX_STOP_TIMEOUT_S: u64 = 120;
/// Work ceiling: fluid steps × (services + 1). Beyond this a run would take
/// many minutes and gigabytes; refuse with an estimate instead of hanging.
const MAX_WORK_UNITS: f64 = 4.0e8;

pub const DEFAULT_START: &str = "2026-01-05T00:00:00Z";

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

struct Ctx {
    problems: Vec<(String, String)>,
    /// Names of elements already reported as broken (failed to parse, or an
    /// incomplete instance type): references to them are not called unknown.
    broken_names: BTreeSet<String>,
}

impl Ctx {
    fn err(&mut self, path: impl Into<String>, msg: impl Into<String>) {
        self.problems.push((path.into(), msg.into()));
    }

    /// Checks `lo <= v <= hi` and finiteness, recording a problem otherwise.
    fn range(&mut self, path: &str, v: f64, lo: f64, hi: f64, what: &str) -> bool {
        if !v.is_finite() || v < lo || v > hi {
            let (v, lo, hi) = (fmt_f64(v), fmt_f64(lo), fmt_f64(hi));
            self.err(path, format!("{v} is out of range; {what} must be between {lo} and {hi}"));
            return false;
        }
        true
    }

    fn enum_value<T: Copy>(&mut self, path: &str, value: &str, options: &[(&str, T)]) -> Option<T> {
        if let Some((_, v)) = options.iter().find(|(k, _)| *k == value) {
            return Some(*v);
        }
        let names: Vec<&str> = options.iter().map(|(k, _)| *k).collect();
        let hint = super::diag::did_you_mean(value, names.iter().copied())
            .map(|b| format!("; did you mean \"{b}\"?"))
            .unwrap_or_default();
        self.err(path, format!("\"{value}\" is not allowed; expected one of {}{hint}", quoted(&names)));
        None
    }

    /// Looks a name up, with a suggestion when it is a likely typo.
    fn lookup<T: Copy>(&mut self, path: &str, what: &str, name: &str, map: &BTreeMap<String, T>) -> Option<T> {
        if let Some(v) = map.get(name) {
            return Some(*v);
        }
        if self.broken_names.contains(name) {
            return None;
        }
        let hint = super::diag::did_you_mean(name, map.keys().map(String::as_str))
            .map(|b| format!("; did you mean \"{b}\"?"))
            .unwrap_or_default();
        let known: Vec<&str> = map.keys().map(String::as_str).collect();
        let list = match known.len() {
            0 => "none are defined".to_string(),
            1..=12 => format!("defined: {}", quoted(&known)),
            n => format!("{n} are defined; `ecsim catalog` lists instance types"),
        };
        self.err(path, format!("unknown {what} \"{name}\" ({list}){hint}"));
        None
    }
}

fn quoted(names: &[&str]) -> String {
    names.iter().map(|n| format!("\"{n}\"")).collect::<Vec<_>>().join(", ")
}

/// Names that become output keys may not contain "." or "[" (CONVENTIONS.md).
fn check_name(ctx: &mut Ctx, path: &str, name: &str) {
    if name.is_empty() || name.contains(['.', '[', ']', '"', ',']) || name.trim() != name {
        ctx.err(
            path,
            format!("name \"{name}\" must be non-empty and contain no '.', '[', ']', '\"', ',' or surrounding spaces"),
        );
    }
}

fn index_names<'a>(
    ctx: &mut Ctx,
    section: &str,
    names: impl Iterator<Item = Option<&'a str>>,
) -> BTreeMap<String, usize> {
    let mut map = BTreeMap::new();
    for (i, name) in names.enumerate() {
        let Some(name) = name else { continue };
        let path = format!("{section}[{i}]");
        check_name(ctx, &path, name);
        if map.insert(name.to_string(), i).is_some() {
            ctx.err(path, format!("duplicate name \"{name}\""));
        }
    }
    map
}

fn offset_to_time(ctx: &mut Ctx, path: &str, off: &Offset, cal: &Calendar) -> SimTime {
    match off {
        Offset::After(d) => SimTime::ZERO + *d,
        Offset::Instant(ts) => match cal.offset_of(*ts) {
            Some(ms) => SimTime::from_millis(ms),
            None => {
                ctx.err(path, format!("{ts} is before simulation.start ({})", cal.start()));
                SimTime::ZERO
            }
        },
    }
}

/// Resolves the raw scenario. `base_dir` is where relative trace paths start;
/// `broken_names` are elements that failed to parse (see [`Ctx`]).
pub fn resolve(
    raw: raw::RawScenario,
    source_text: &str,
    source_label: &str,
    base_dir: &Path,
    broken_names: &BTreeSet<String>,
) -> Result<Scenario, Vec<(String, String)>> {
    let mut ctx = Ctx { problems: Vec::new(), broken_names: broken_names.clone() };

    // ---------------------------------------------------------- simulation
    let sim = raw.simulation.unwrap_or_default();
    let name = sim.name.clone().unwrap_or_else(|| {
        Path::new(source_label).file_stem().and_then(|s| s.to_str()).unwrap_or("scenario").to_string()
    });
    check_name(&mut ctx, "simulation.name", &name);
    if name.contains(['/', '\\']) {
        ctx.err("simulation.name", "name must not contain path separators (it names the results directory)");
    }
    let start = match parse_instant(sim.start.as_deref().unwrap_or(DEFAULT_START)) {
        Ok(t) => t,
        Err(e) => {
            ctx.err("simulation.start", e);
            parse_instant(DEFAULT_START).expect("default start parses")
        }
    };
    let calendar = Calendar::new(start);
    let duration = match sim.duration {
        Some(d) if d.0.as_millis() >= MS_PER_MINUTE && d.0.as_millis().is_multiple_of(MS_PER_MINUTE) => d.0,
        Some(d) if d.0.as_millis() >= MS_PER_MINUTE => {
            ctx.err(
                "simulation.duration",
                format!("{} is not a whole number of minutes; figures are per minute, so the horizon is too", d.0),
            );
            SimDuration::from_minutes(1)
        }
        Some(d) => {
            ctx.err("simulation.duration", format!("{} is too short; a run lasts at least 1m", d.0));
            SimDuration::from_minutes(1)
        }
        None => {
            ctx.err("simulation", "`duration` is required (e.g. duration = \"1d\")");
            SimDuration::from_minutes(1)
        }
    };
    let tick = sim.tick.map_or(SimDuration::from_minutes(1), |d| d.0);
    let tick_ms = tick.as_millis();
    let divides_minute = tick_ms > 0 && tick_ms.is_multiple_of(MS_PER_SECOND) && MS_PER_MINUTE.is_multiple_of(tick_ms);
    let whole_minutes = tick_ms.is_multiple_of(MS_PER_MINUTE) && tick_ms <= 5 * MS_PER_MINUTE && tick_ms > 0;
    if !(divides_minute || whole_minutes) {
        ctx.err(
            "simulation.tick",
            format!("{tick} is not allowed; the tick must be between 1s and 5m and either divide a minute (1s, 2s, 3s, 4s, 5s, 6s, 10s, 12s, 15s, 20s, 30s) or be whole minutes (1m..5m)"),
        );
    }
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
        raw.cloudwatch.and_then(|c| c.metric_delay).map_or(SimDuration::from_secs(assumed::METRIC_DELAY_S), |d| d.0);
    if !metric_delay.as_millis().is_multiple_of(MS_PER_MINUTE) || metric_delay > SimDuration::from_minutes(10) {
        ctx.err("cloudwatch.metric_delay", format!("{metric_delay} must be whole minutes between 0m and 10m"));
    }

    // ---------------------------------------------------------- region, cluster
    let region = raw.region.unwrap_or_default();
    let region_name = region.name.unwrap_or_else(|| "us-east-1".to_string());
    let zones = region
        .availability_zones
        .unwrap_or_else(|| ["a", "b", "c"].iter().map(|s| format!("{region_name}{s}")).collect());
    if zones.is_empty() {
        ctx.err("region.availability_zones", "at least one availability zone is required");
    }
    let zone_map = index_names(&mut ctx, "region.availability_zones", zones.iter().map(|z| Some(z.as_str())));
    let zone_ids: BTreeMap<String, ZoneId> = zone_map.iter().map(|(k, v)| (k.clone(), ZoneId::from_idx(*v))).collect();
    let cluster = raw.cluster.unwrap_or_default();
    let cluster_name = cluster.name.unwrap_or_else(|| "default".to_string());
    check_name(&mut ctx, "cluster.name", &cluster_name);
    let awsvpc_trunking = cluster.awsvpc_trunking.unwrap_or(false);

    // ---------------------------------------------------------- instance catalog
    let mut instance_types: Vec<InstanceType> = catalog::builtin_instance_types();
    for (i, it) in raw.instance_types.iter().enumerate() {
        let Some(it) = it else { continue };
        let path = format!("instance_types[{i}]");
        if it.name.trim().is_empty() {
            ctx.err(format!("{path}.name"), "an instance type needs a name such as \"m5.large\"");
        }
        let existing = instance_types.iter().position(|t| t.name == it.name);
        let mut incomplete = false;
        let mut t = match existing {
            Some(p) => instance_types[p].clone(),
            None => {
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
                if !missing.is_empty() {
                    ctx.err(
                        &path,
                        format!("\"{}\" is not in the built-in catalog, so it needs {}", it.name, missing.join(", ")),
                    );
                    incomplete = true;
                }
                InstanceType {
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
                }
            }
        };
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
        // A new type missing a field was reported above; check the fields it has.
        let given = |field: Option<()>| existing.is_some() || field.is_some();
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
        match existing {
            Some(p) => instance_types[p] = t,
            None if incomplete => {
                ctx.broken_names.insert(t.name);
            }
            None => instance_types.push(t),
        }
    }
    let type_ids: BTreeMap<String, TypeId> =
        instance_types.iter().enumerate().map(|(i, t)| (t.name.clone(), TypeId::from_idx(i))).collect();

    // ---------------------------------------------------------- capacity providers
    let provider_map = index_names(
        &mut ctx,
        "capacity_providers",
        raw.capacity_providers.iter().map(|p| p.as_ref().map(|p| p.name.as_str())),
    );
    let provider_ids: BTreeMap<String, ProviderId> =
        provider_map.iter().map(|(k, v)| (k.clone(), ProviderId::from_idx(*v))).collect();
    let mut providers = Vec::new();
    for (i, p) in raw.capacity_providers.iter().enumerate() {
        let Some(p) = p else { continue };
        let path = format!("capacity_providers[{i}]");
        let kind = match p.kind.as_str() {
            "ec2" => resolve_asg(&mut ctx, &path, p, &type_ids, &instance_types).map(ProviderKind::Asg),
            "fargate" | "fargate_spot" => {
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
                        ctx.err(
                            format!("{path}.{key}"),
                            format!("`{key}` applies to kind = \"ec2\" providers, not Fargate"),
                        );
                    }
                }
                if let Some(v) = p.max_vcpu {
                    ctx.range(&format!("{path}.max_vcpu"), v, 0.25, 1.0e6, "max_vcpu");
                }
                Some(ProviderKind::Fargate(FargateConfig {
                    spot,
                    provisioning_time: p.provisioning_time.clone().unwrap_or(Dist::lognormal_p95(
                        assumed::FARGATE_PROVISIONING_MEDIAN_S,
                        assumed::FARGATE_PROVISIONING_P95_S,
                    )),
                    max_vcpu: p.max_vcpu,
                }))
            }
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
            providers.push((i, Provider { name: p.name.clone(), kind }));
        }
    }
    // Keep provider indices equal to file positions even when one failed.
    let providers: Vec<Provider> = if providers.len() == raw.capacity_providers.len() {
        providers.into_iter().map(|(_, p)| p).collect()
    } else {
        Vec::new()
    };
    if raw.capacity_providers.is_empty() {
        ctx.err("capacity_providers", "at least one [[capacity_providers]] is required");
    }

    // ---------------------------------------------------------- reserved instances
    let mut reserved = Vec::new();
    for (i, r) in raw.reserved_instances.iter().enumerate() {
        let Some(r) = r else { continue };
        let path = format!("reserved_instances[{i}]");
        let t = ctx.lookup(&format!("{path}.instance_type"), "instance type", &r.instance_type, &type_ids);
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

    // ---------------------------------------------------------- spot market
    let spot = resolve_spot(
        &mut ctx,
        raw.spot.unwrap_or_default(),
        &instance_types,
        &type_ids,
        &zone_ids,
        &calendar,
        base_dir,
        duration,
    );

    // ---------------------------------------------------------- task definitions
    let td_map = index_names(
        &mut ctx,
        "task_definitions",
        raw.task_definitions.iter().map(|t| t.as_ref().map(|t| t.family.as_str())),
    );
    let td_ids: BTreeMap<String, TaskDefId> =
        td_map.iter().map(|(k, v)| (k.clone(), TaskDefId::from_idx(*v))).collect();
    let mut task_defs = Vec::new();
    for (i, t) in raw.task_definitions.iter().enumerate() {
        let Some(t) = t else { continue };
        task_defs.push(resolve_task_def(&mut ctx, &format!("task_definitions[{i}]"), t));
    }
    let task_defs_ok = task_defs.len() == raw.task_definitions.len();
    // Ids are file positions: with one missing, later ones would point at the wrong entry.
    let task_defs = if task_defs_ok { task_defs } else { Vec::new() };

    // ---------------------------------------------------------- services
    let svc_map = index_names(&mut ctx, "services", raw.services.iter().map(|s| s.as_ref().map(|s| s.name.as_str())));
    let svc_ids: BTreeMap<String, ServiceId> =
        svc_map.iter().map(|(k, v)| (k.clone(), ServiceId::from_idx(*v))).collect();
    let names = Names { providers: &provider_ids, task_defs: &td_ids, services: &svc_ids, zones: &zone_ids };
    let env = Env {
        providers: &providers,
        task_defs: &task_defs,
        instance_types: &instance_types,
        trunking: awsvpc_trunking,
        calendar: &calendar,
    };
    let mut services = Vec::new();
    for (i, s) in raw.services.iter().enumerate() {
        let Some(s) = s else { continue };
        let path = format!("services[{i}]");
        if let Some(svc) = resolve_service(&mut ctx, &path, s, &names, &env, &raw.services, base_dir, duration) {
            services.push(svc);
        }
    }
    let services_ok = services.len() == raw.services.len();
    let call_order = if services_ok { order_calls(&mut ctx, &services) } else { Vec::new() };
    // Every service that receives load needs per-request work to turn it into CPU.
    for (i, svc) in services.iter().enumerate().filter(|_| services_ok) {
        let called = services.iter().any(|s| s.calls.iter().any(|c| c.service.idx() == i));
        let has_own = !matches!(svc.workload.rate, RatePattern::Constant(v) if v == 0.0);
        let path = format!("services[{i}].workload.cpu_per_request");
        // A cpu_per_request given as 0 is already reported where it is written.
        if (called || has_own) && svc.workload.cpu_per_request_s <= 0.0 && !ctx.problems.iter().any(|(p, _)| *p == path)
        {
            ctx.err(path, "this service receives requests, so it needs cpu_per_request (vCPU-seconds of work per request, e.g. \"5ms\")");
        }
    }

    // ---------------------------------------------------------- scheduled tasks
    let batch_map = index_names(
        &mut ctx,
        "scheduled_tasks",
        raw.scheduled_tasks.iter().map(|b| b.as_ref().map(|b| b.name.as_str())),
    );
    let _ = batch_map;
    let mut batch = Vec::new();
    for (i, b) in raw.scheduled_tasks.iter().enumerate() {
        let Some(b) = b else { continue };
        let path = format!("scheduled_tasks[{i}]");
        if let Some(st) = resolve_scheduled_task(&mut ctx, &path, b, &names, &env) {
            batch.push(st);
        }
    }

    // ---------------------------------------------------------- scripted events
    let mut events = Vec::new();
    for (i, e) in raw.events.iter().enumerate() {
        let Some(e) = e else { continue };
        let path = format!("events[{i}]");
        let known = if services_ok { services.as_slice() } else { &[] };
        if let Some(ev) = resolve_event(&mut ctx, &path, e, &names, &env, known) {
            if duration_ok && ev.at >= SimTime::ZERO + duration {
                ctx.err(
                    format!("{path}.at"),
                    format!(
                        "the event is at or after the end of the simulation ({duration}), so it would never happen"
                    ),
                );
            }
            events.push(ev);
        }
    }
    events.sort_by_key(|e| e.at);

    // ---------------------------------------------------------- output
    let out = raw.output.unwrap_or_default();
    let interval = out.timeseries_interval.map_or(SimDuration::from_minutes(1), |d| d.0);
    if interval.as_millis() == 0 || !interval.as_millis().is_multiple_of(MS_PER_MINUTE) {
        ctx.err(
            "output.timeseries_interval",
            format!("{interval} must be a whole number of minutes (\"1m\", \"15m\", \"1h\")"),
        );
    }
    let output = OutputConfig {
        timeseries: out.timeseries.unwrap_or(true),
        timeseries_interval: interval,
        events: out.events.unwrap_or(true),
    };

    // ---------------------------------------------------------- size estimate
    let steps = duration.as_millis() as f64 / tick_ms.max(1) as f64;
    let work = steps * (services.len() as f64 + 1.0);
    if work > MAX_WORK_UNITS {
        ctx.err(
            "simulation",
            format!(
                "this run is too large: {steps:.0} ticks of {tick} over {duration} for {} services is about {:.1e} workload steps (the limit is {MAX_WORK_UNITS:.0e}, roughly 10 minutes of work); use a coarser tick (e.g. \"1m\") or a shorter duration",
                services.len(),
                work
            ),
        );
    }

    // A task definition that failed to parse leaves `task_defs` empty with no
    // problem here: the loader reports its parse error and discards this result.
    if !ctx.problems.is_empty() {
        return Err(ctx.problems);
    }
    Ok(Scenario {
        name,
        source_text: source_text.to_string(),
        source_label: source_label.to_string(),
        calendar,
        duration,
        seed: sim.seed.unwrap_or(1),
        tick,
        replications,
        initial_state,
        warmup,
        metric_delay,
        region: region_name,
        zones,
        cluster_name,
        awsvpc_trunking,
        instance_types,
        providers,
        reserved,
        spot,
        task_defs,
        services,
        call_order,
        batch,
        events,
        output,
    })
}

struct Names<'a> {
    providers: &'a BTreeMap<String, ProviderId>,
    task_defs: &'a BTreeMap<String, TaskDefId>,
    services: &'a BTreeMap<String, ServiceId>,
    zones: &'a BTreeMap<String, ZoneId>,
}

struct Env<'a> {
    providers: &'a [Provider],
    task_defs: &'a [TaskDef],
    instance_types: &'a [InstanceType],
    trunking: bool,
    calendar: &'a Calendar,
}

fn on_off(ctx: &mut Ctx, path: &str, v: Option<&str>, default: bool) -> bool {
    match v {
        None => default,
        Some(s) => ctx.enum_value(path, s, &[("ENABLED", true), ("DISABLED", false)]).unwrap_or(default),
    }
}

fn resolve_asg(
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
    let managed_scaling = match &p.managed_scaling {
        None => None,
        Some(ms) => {
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
                ctx.err(
                    format!("{mp}.instance_warmup_period"),
                    format!("{warmup} is out of range; AWS accepts 0 to 10000 s"),
                );
            }
            enabled.then_some(ManagedScaling { target_capacity: target, min_step, max_step, warmup })
        }
    };
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
        lifecycle,
        spot_allocation,
        on_demand_allocation,
        on_demand_base: p.on_demand_base_capacity.unwrap_or(0),
        on_demand_percent_above_base: pct,
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

#[allow(clippy::too_many_arguments)]
fn resolve_spot(
    ctx: &mut Ctx,
    s: raw::Spot,
    types: &[InstanceType],
    type_ids: &BTreeMap<String, TypeId>,
    zone_ids: &BTreeMap<String, ZoneId>,
    cal: &Calendar,
    base_dir: &Path,
    duration: SimDuration,
) -> SpotMarket {
    let discount = s.discount.unwrap_or(assumed::SPOT_DISCOUNT);
    ctx.range("spot.discount", discount, 0.0, 0.95, "a spot discount (share of the on-demand price saved)");
    let band = s.interruption_frequency.as_deref().unwrap_or(assumed::SPOT_INTERRUPTION_BAND);
    let default_rate = parse_interruption_frequency(band).unwrap_or_else(|e| {
        ctx.err("spot.interruption_frequency", e);
        0.0
    });
    let notice = s.notice.map_or(SimDuration::from_minutes(2), |d| d.0);
    if notice > SimDuration::from_minutes(10) {
        ctx.err("spot.notice", format!("{notice} is longer than any notice AWS gives (2m)"));
    }
    let lfp = s.launch_failure_probability.unwrap_or(0.0);
    ctx.range("spot.launch_failure_probability", lfp, 0.0, 0.99, "a probability");
    // One default pool per instance type, then the listed overrides (more specific ones later).
    let mut pools: Vec<SpotPoolConfig> = types
        .iter()
        .enumerate()
        .map(|(i, t)| SpotPoolConfig {
            instance_type: TypeId::from_idx(i),
            zone: None,
            hourly: UsdPerHour(t.on_demand_hourly * (1.0 - discount)),
            monthly_interruption: default_rate,
            price_trace: None,
        })
        .collect();
    for (i, p) in s.pools.iter().flatten().enumerate() {
        let path = format!("spot.pools[{i}]");
        let Some(t) = ctx.lookup(&format!("{path}.instance_type"), "instance type", &p.instance_type, type_ids) else {
            continue;
        };
        let zone = p.zone.as_ref().and_then(|z| ctx.lookup(&format!("{path}.zone"), "availability zone", z, zone_ids));
        let d = p.discount.unwrap_or(discount);
        ctx.range(&format!("{path}.discount"), d, 0.0, 0.95, "a spot discount");
        let rate = match &p.interruption_frequency {
            Some(f) => parse_interruption_frequency(f).unwrap_or_else(|e| {
                ctx.err(format!("{path}.interruption_frequency"), e);
                0.0
            }),
            None => default_rate,
        };
        let price_trace = p.price_trace.as_ref().and_then(|file| {
            if p.discount.is_some() {
                ctx.err(format!("{path}.price_trace"), "give either `discount` or `price_trace`, not both");
            }
            match load_trace(&base_dir.join(file), "time_s", "usd_per_hour", 1.0, false, cal, duration) {
                Ok(t) => Some(t),
                Err(e) => {
                    ctx.err(format!("{path}.price_trace"), e);
                    None
                }
            }
        });
        let cfg = SpotPoolConfig {
            instance_type: t,
            zone,
            hourly: UsdPerHour(types[t.idx()].on_demand_hourly * (1.0 - d)),
            monthly_interruption: rate,
            price_trace,
        };
        if zone.is_none() {
            pools[t.idx()] = cfg;
        } else {
            pools.push(cfg);
        }
    }
    let mut reclaims = Vec::new();
    for (i, r) in s.reclaim_events.iter().flatten().enumerate() {
        let path = format!("spot.reclaim_events[{i}]");
        ctx.range(&format!("{path}.rate_per_month"), r.rate_per_month, 0.0, 10_000.0, "rate_per_month");
        if !(r.fraction > 0.0 && r.fraction <= 1.0) {
            ctx.err(
                format!("{path}.fraction"),
                format!("{} is out of range; expected more than 0 and at most 1", r.fraction),
            );
        }
        let instance_type = r
            .instance_type
            .as_ref()
            .and_then(|n| ctx.lookup(&format!("{path}.instance_type"), "instance type", n, type_ids));
        let zone = r.zone.as_ref().and_then(|z| ctx.lookup(&format!("{path}.zone"), "availability zone", z, zone_ids));
        reclaims.push(ReclaimConfig { rate_per_month: r.rate_per_month, fraction: r.fraction, instance_type, zone });
    }
    let f = s.fargate.unwrap_or_default();
    let fargate_discount = f.discount.unwrap_or(assumed::FARGATE_SPOT_DISCOUNT);
    ctx.range("spot.fargate.discount", fargate_discount, 0.0, 0.95, "a Fargate Spot discount");
    let fargate_monthly_interruption = match &f.interruption_frequency {
        Some(b) => parse_interruption_frequency(b).unwrap_or_else(|e| {
            ctx.err("spot.fargate.interruption_frequency", e);
            0.0
        }),
        None => default_rate,
    };
    let unavailable = f.unavailable_probability.unwrap_or(0.0);
    ctx.range("spot.fargate.unavailable_probability", unavailable, 0.0, 0.99, "a probability");
    SpotMarket {
        notice,
        launch_failure_probability: lfp,
        pools,
        reclaims,
        fargate_discount,
        fargate_monthly_interruption,
        fargate_unavailable_probability: unavailable,
    }
}

fn resolve_task_def(ctx: &mut Ctx, path: &str, t: &raw::TaskDefinition) -> TaskDef {
    let network_mode = match t.network_mode.as_deref() {
        None => NetworkMode::Bridge,
        Some(s) => ctx
            .enum_value(
                &format!("{path}.network_mode"),
                s,
                &[
                    ("none", NetworkMode::None),
                    ("bridge", NetworkMode::Bridge),
                    ("host", NetworkMode::Host),
                    ("awsvpc", NetworkMode::Awsvpc),
                ],
            )
            .unwrap_or(NetworkMode::Bridge),
    };
    if t.cpu < 128 || t.cpu > 196_608 {
        ctx.err(
            format!("{path}.cpu"),
            format!("{} CPU units is out of range; expected 128 to 196608 (1024 per vCPU)", t.cpu),
        );
    }
    if t.memory < 6 || t.memory > 1_572_864 {
        ctx.err(format!("{path}.memory"), format!("{} MiB is out of range; expected 6 to 1572864", t.memory));
    }
    let mut static_host_ports = Vec::new();
    for (j, pm) in t.port_mappings.iter().flatten().enumerate() {
        let pp = format!("{path}.port_mappings[{j}]");
        if pm.container_port == 0 || pm.container_port > 65_535 {
            ctx.err(
                format!("{pp}.container_port"),
                format!("{} is not a port; expected 1 to 65535", pm.container_port),
            );
            continue;
        }
        let host = pm.host_port.filter(|&h| h != 0);
        if let Some(h) = host
            && h > 65_535
        {
            ctx.err(format!("{pp}.host_port"), format!("{h} is not a port; expected 0 (dynamic) or 1 to 65535"));
            continue;
        }
        let reserved = match network_mode {
            NetworkMode::Awsvpc => {
                if host.is_some_and(|h| h != pm.container_port) {
                    ctx.err(
                        format!("{pp}.host_port"),
                        "under awsvpc, host_port must be absent or equal to container_port",
                    );
                }
                None
            }
            NetworkMode::Bridge => host,
            NetworkMode::Host => {
                if host.is_some_and(|h| h != pm.container_port) {
                    ctx.err(
                        format!("{pp}.host_port"),
                        "under host networking, host_port must be absent or equal to container_port",
                    );
                }
                Some(pm.container_port)
            }
            NetworkMode::None => {
                ctx.err(&pp, "network_mode = \"none\" has no port mappings");
                None
            }
        };
        if let Some(port) = reserved {
            let port = port as u16;
            if AGENT_RESERVED_PORTS.contains(&port) {
                ctx.err(&pp, format!("host port {port} is reserved by the ECS agent on every instance (22, 2375, 2376, 51678, 51679), so the task could never be placed"));
            }
            if static_host_ports.contains(&port) {
                ctx.err(&pp, format!("host port {port} is mapped twice"));
            }
            static_host_ports.push(port);
        }
    }
    let arch = t.cpu_architecture.as_ref().and_then(|a| {
        let parsed = Arch::parse(a);
        if parsed.is_none() {
            ctx.err(
                format!("{path}.cpu_architecture"),
                format!("\"{a}\" is not allowed; expected \"x86_64\" or \"arm64\""),
            );
        }
        parsed
    });
    TaskDef {
        family: t.family.clone(),
        cpu: CpuUnits(t.cpu),
        memory: MemMib(t.memory),
        network_mode,
        static_host_ports,
        startup_time: t.startup_time.clone().unwrap_or(Dist::Constant(assumed::TASK_STARTUP_S)),
        shutdown_time: t.shutdown_time.clone(),
        warmup_time: t.warmup_time.clone(),
        stop_timeout: t.stop_timeout.map_or(SimDuration::from_secs(30), |d| d.0),
        arch,
    }
}

/// Resolves a capacity provider strategy, or the single provider when omitted.
fn resolve_strategy(
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

fn resolve_placement(
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
    let mut out = Vec::new();
    match strategies {
        None if default_spread => {
            out.push(PlacementStrategy::Spread(SpreadField::Zone));
            out.push(PlacementStrategy::Spread(SpreadField::InstanceId));
        }
        None => {}
        Some(list) => {
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
                        other => ctx.err(
                            format!("{sp}.field"),
                            format!("binpack needs field = \"cpu\" or \"memory\" (got {other:?})"),
                        ),
                    },
                    "spread" => match field.map(spread_field) {
                        Some(Ok(f)) => out.push(PlacementStrategy::Spread(f)),
                        Some(Err(e)) => ctx.err(format!("{sp}.field"), e),
                        None => ctx.err(
                            &sp,
                            "spread needs a field such as \"attribute:ecs.availability-zone\" or \"instanceId\"",
                        ),
                    },
                    "random" => {
                        if field.is_some() {
                            ctx.err(format!("{sp}.field"), "random takes no field");
                        }
                        out.push(PlacementStrategy::Random);
                    }
                    other => {
                        ctx.enum_value::<()>(
                            &format!("{sp}.type"),
                            other,
                            &[("binpack", ()), ("spread", ()), ("random", ())],
                        );
                    }
                }
            }
        }
    }
    let mut cons = Vec::new();
    if let Some(list) = constraints {
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
    }
    (out, cons)
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

/// `warmup_time` acts through load balancer health checks only; elsewhere it
/// would be read and ignored, so it is refused.
fn reject_warmup(ctx: &mut Ctx, path: &str, td_id: TaskDefId, env: &Env, why: &str) {
    if let Some(td) = env.task_defs.get(td_id.idx())
        && td.warmup_time.is_some()
    {
        ctx.err(
            path,
            format!(
                "task definition \"{}\" sets warmup_time, which only load balancer health checks act on, but {why}",
                td.family
            ),
        );
    }
}

/// Checks that a task definition can run on every provider of a strategy.
fn check_task_fits(ctx: &mut Ctx, path: &str, td_id: TaskDefId, strategy: &[StrategyItem], env: &Env) {
    let Some(td) = env.task_defs.get(td_id.idx()) else { return };
    for item in strategy {
        let Some(p) = env.providers.get(item.provider.idx()) else { continue };
        match &p.kind {
            ProviderKind::Fargate(f) => {
                if td.network_mode != NetworkMode::Awsvpc {
                    ctx.err(
                        path,
                        format!(
                            "task definition \"{}\" runs on {} but Fargate requires network_mode = \"awsvpc\"",
                            td.family, p.name
                        ),
                    );
                }
                if let Err(e) = catalog::check_fargate_size(td.cpu.0, td.memory.0) {
                    ctx.err(path, format!("task definition \"{}\" is not a valid Fargate size: {e}", td.family));
                }
                if td.stop_timeout > SimDuration::from_secs(FARGATE_MAX_STOP_TIMEOUT_S) {
                    ctx.err(
                        path,
                        format!(
                            "task definition \"{}\" has stop_timeout {} but Fargate allows at most 120s",
                            td.family, td.stop_timeout
                        ),
                    );
                }
                if f.spot && td.arch == Some(Arch::Arm64) {
                    ctx.err(
                        path,
                        format!("task definition \"{}\" is arm64 but FARGATE_SPOT runs only x86_64", td.family),
                    );
                }
            }
            ProviderKind::Asg(a) => {
                let fits = a.instance_types.iter().any(|t| {
                    let it = &env.instance_types[t.idx()];
                    let arch_ok = td.arch.is_none_or(|arch| arch == it.arch);
                    let eni_ok = td.network_mode != NetworkMode::Awsvpc || it.awsvpc_task_limit(env.trunking) > 0;
                    arch_ok && eni_ok && it.cpu_units() >= td.cpu.0 && it.registered_memory_mib >= td.memory.0
                });
                if !fits && !a.instance_types.is_empty() {
                    ctx.err(
                        path,
                        format!(
                            "task definition \"{}\" ({} CPU units, {} MiB{}) fits no instance type of provider \"{}\", so its tasks could never be placed",
                            td.family,
                            td.cpu.0,
                            td.memory.0,
                            td.arch.map(|a| format!(", {}", a.as_str())).unwrap_or_default(),
                            p.name
                        ),
                    );
                }
            }
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn resolve_service(
    ctx: &mut Ctx,
    path: &str,
    s: &raw::Service,
    names: &Names,
    env: &Env,
    all: &[Option<raw::Service>],
    base_dir: &Path,
    duration: SimDuration,
) -> Option<Service> {
    let td = ctx.lookup(&format!("{path}.task_definition"), "task definition", &s.task_definition, names.task_defs);
    if s.desired_count > MAX_TASKS_PER_SERVICE {
        ctx.err(
            format!("{path}.desired_count"),
            format!(
                "{} is out of range; ECS allows at most {MAX_TASKS_PER_SERVICE} tasks per service",
                s.desired_count
            ),
        );
    }
    let strategy = resolve_strategy(ctx, path, s.capacity_provider_strategy.as_ref(), names, env);
    let fargate =
        strategy.first().is_some_and(|i| env.providers.get(i.provider.idx()).is_some_and(Provider::is_fargate));
    let (placement_strategy, constraints) =
        resolve_placement(ctx, path, s.placement_strategy.as_ref(), s.placement_constraints.as_ref(), fargate, true);
    if let Some(td) = td {
        check_task_fits(ctx, path, td, &strategy, env);
        if s.load_balancer.is_none() {
            reject_warmup(ctx, path, td, env, "this service has no [services.load_balancer]");
        }
    }
    let dc = s.deployment_configuration.as_ref();
    let min_healthy_percent = dc.and_then(|d| d.minimum_healthy_percent).unwrap_or(100.0);
    let max_percent = dc.and_then(|d| d.maximum_percent).unwrap_or(200.0);
    ctx.range(
        &format!("{path}.deployment_configuration.minimum_healthy_percent"),
        min_healthy_percent,
        0.0,
        100.0,
        "minimum_healthy_percent",
    );
    ctx.range(
        &format!("{path}.deployment_configuration.maximum_percent"),
        max_percent,
        100.0,
        200.0,
        "maximum_percent",
    );
    let load_balancer = s.load_balancer.as_ref().map(|lb| {
        let lp = format!("{path}.load_balancer");
        let kind = lb.kind.as_deref().map_or(Some(LbKind::Alb), |k| {
            ctx.enum_value(&format!("{lp}.kind"), k, &[("alb", LbKind::Alb), ("nlb", LbKind::Nlb)])
        });
        let cfg = LoadBalancer {
            kind: kind.unwrap_or(LbKind::Alb),
            deregistration_delay: lb.deregistration_delay.map_or(SimDuration::from_secs(300), |d| d.0),
            health_check_interval: lb.health_check_interval.map_or(SimDuration::from_secs(30), |d| d.0),
            healthy_threshold: lb.healthy_threshold.unwrap_or(5),
            unhealthy_threshold: lb.unhealthy_threshold.unwrap_or(2),
        };
        if cfg.deregistration_delay > SimDuration::from_secs(3600) {
            ctx.err(
                format!("{lp}.deregistration_delay"),
                format!("{} is out of range; ELB accepts 0 to 3600 s", cfg.deregistration_delay),
            );
        }
        if cfg.health_check_interval < SimDuration::from_secs(5)
            || cfg.health_check_interval > SimDuration::from_secs(300)
        {
            ctx.err(
                format!("{lp}.health_check_interval"),
                format!("{} is out of range; ELB accepts 5s to 300s", cfg.health_check_interval),
            );
        }
        for (k, v) in [("healthy_threshold", cfg.healthy_threshold), ("unhealthy_threshold", cfg.unhealthy_threshold)] {
            if !(2..=10).contains(&v) {
                ctx.err(format!("{lp}.{k}"), format!("{v} is out of range; ELB accepts 2 to 10"));
            }
        }
        cfg
    });
    let discovery = s.service_discovery.as_ref().map(|sd| {
        let dp = format!("{path}.service_discovery");
        if let Some(k) = &sd.kind {
            ctx.enum_value(&format!("{dp}.kind"), k, &[("cloud_map", ())]);
        }
        let ttl = sd.dns_ttl.map_or(SimDuration::from_secs(assumed::DNS_TTL_S), |d| d.0);
        if ttl > SimDuration::from_hours(24) {
            ctx.err(
                format!("{dp}.dns_ttl"),
                format!("{ttl} is longer than a day; Cloud Map TTLs are seconds to minutes"),
            );
        }
        Discovery { dns_ttl: ttl }
    });
    let workload =
        resolve_workload(ctx, &format!("{path}.workload"), s.workload.as_ref(), env.calendar, base_dir, duration);
    let auto_scaling = s
        .auto_scaling
        .as_ref()
        .and_then(|a| resolve_auto_scaling(ctx, &format!("{path}.auto_scaling"), a, load_balancer.as_ref()));
    let scheduled_actions = s
        .auto_scaling
        .as_ref()
        .map(|a| resolve_scheduled_actions(ctx, &format!("{path}.auto_scaling"), a))
        .unwrap_or_default();
    let mut calls = Vec::new();
    for (j, c) in s.calls.iter().flatten().enumerate() {
        let cp = format!("{path}.calls[{j}]");
        let Some(target) = ctx.lookup(&format!("{cp}.service"), "service", &c.service, names.services) else {
            continue;
        };
        if c.service == s.name {
            ctx.err(format!("{cp}.service"), "a service cannot call itself");
            continue;
        }
        let per_request = c.per_request.unwrap_or(1.0);
        ctx.range(&format!("{cp}.per_request"), per_request, 0.0, 1000.0, "calls per request");
        let callee = all.get(target.idx()).and_then(Option::as_ref);
        let has_lb = callee.is_some_and(|t| t.load_balancer.is_some());
        let has_sd = callee.is_some_and(|t| t.service_discovery.is_some());
        let via = match c.via.as_deref() {
            Some(v) => ctx.enum_value(
                &format!("{cp}.via"),
                v,
                &[
                    ("load_balancer", CallRoute::LoadBalancer),
                    ("service_discovery", CallRoute::ServiceDiscovery),
                    ("service_connect", CallRoute::ServiceConnect),
                ],
            ),
            None if has_lb => Some(CallRoute::LoadBalancer),
            None if has_sd => Some(CallRoute::ServiceDiscovery),
            None => {
                ctx.err(&cp, format!("service \"{}\" has neither a load_balancer nor service_discovery; set via = \"service_connect\" or give it one", c.service));
                None
            }
        };
        match via {
            Some(CallRoute::LoadBalancer) if !has_lb => ctx.err(
                format!("{cp}.via"),
                format!("via = \"load_balancer\" but service \"{}\" has no [services.load_balancer]", c.service),
            ),
            Some(CallRoute::ServiceDiscovery) if !has_sd => ctx.err(
                format!("{cp}.via"),
                format!(
                    "via = \"service_discovery\" but service \"{}\" has no [services.service_discovery]",
                    c.service
                ),
            ),
            _ => {}
        }
        if let Some(via) = via {
            calls.push(Call { service: target, per_request, via });
        }
    }
    let td = td?;
    Some(Service {
        name: s.name.clone(),
        task_def: td,
        desired_count: s.desired_count,
        health_check_grace: s.health_check_grace_period.map_or(SimDuration::ZERO, |d| d.0),
        strategy,
        placement_strategy,
        constraints,
        min_healthy_percent,
        max_percent,
        load_balancer,
        discovery,
        workload,
        auto_scaling,
        scheduled_actions,
        calls,
    })
}

fn resolve_workload(
    ctx: &mut Ctx,
    path: &str,
    w: Option<&raw::Workload>,
    cal: &Calendar,
    base_dir: &Path,
    duration: SimDuration,
) -> Workload {
    let Some(w) = w else {
        return Workload {
            rate: RatePattern::Constant(0.0),
            noise_sigma: 0.0,
            spikes: Vec::new(),
            cpu_per_request_s: 0.0,
            request_timeout_s: 60.0,
            baseline_cpu_percent: 0.0,
            memory_base_mib: 0.0,
            memory_per_inflight_mib: 0.0,
            slo: None,
        };
    };
    let default_rate = raw::Rate::default();
    let r = w.rate.as_ref().unwrap_or(&default_rate);
    let rp = format!("{path}.rate");
    let (rate, used): (RatePattern, &[&str]) = match (r.pattern.as_deref(), &r.trace) {
        (Some(_), Some(_)) => {
            ctx.err(&rp, "give either `pattern` or `trace`, not both");
            (RatePattern::Constant(0.0), &[])
        }
        (None, Some(trace)) => {
            let interp = r.interpolate.as_deref().unwrap_or("step");
            let linear = ctx
                .enum_value(&format!("{rp}.interpolate"), interp, &[("step", false), ("linear", true)])
                .unwrap_or(false);
            let scale = r.scale.unwrap_or(1.0);
            ctx.range(&format!("{rp}.scale"), scale, 0.0, 1.0e9, "scale");
            let tcol = r.time_column.as_deref().unwrap_or("time_s");
            let vcol = r.value_column.as_deref().unwrap_or("rps");
            let pattern = match load_trace(&base_dir.join(trace), tcol, vcol, scale, linear, cal, duration) {
                Ok(t) => RatePattern::Trace(t),
                Err(e) => {
                    ctx.err(format!("{rp}.trace"), e);
                    RatePattern::Constant(0.0)
                }
            };
            (pattern, &["trace", "time_column", "value_column", "scale", "interpolate", "noise"])
        }
        (pattern, None) => match pattern.unwrap_or("constant") {
            "constant" => {
                let v = r.value.unwrap_or(0.0);
                ctx.range(&format!("{rp}.value"), v, 0.0, 1.0e9, "requests per second");
                (RatePattern::Constant(v), &["pattern", "value", "noise"])
            }
            "diurnal" => {
                let base = r.base.unwrap_or_else(|| {
                    ctx.err(&rp, "diurnal needs `base` (the trough, requests/s)");
                    0.0
                });
                let peak = r.peak.unwrap_or_else(|| {
                    ctx.err(&rp, "diurnal needs `peak` (the maximum, requests/s)");
                    0.0
                });
                ctx.range(&format!("{rp}.base"), base, 0.0, 1.0e9, "requests per second");
                ctx.range(&format!("{rp}.peak"), peak, base.max(0.0), 1.0e9, "peak (at least base)");
                let peak_at_hours = match r.peak_at.as_deref().map(parse_time_of_day) {
                    None => 12.0,
                    Some(Ok(h)) => h,
                    Some(Err(e)) => {
                        ctx.err(format!("{rp}.peak_at"), e);
                        12.0
                    }
                };
                let tz = match r.timezone.as_deref().map(parse_time_zone) {
                    None => jiff::tz::TimeZone::UTC,
                    Some(Ok(tz)) => tz,
                    Some(Err(e)) => {
                        ctx.err(format!("{rp}.timezone"), e);
                        jiff::tz::TimeZone::UTC
                    }
                };
                (
                    RatePattern::Diurnal { base, peak, peak_at_hours, tz },
                    &["pattern", "base", "peak", "peak_at", "timezone", "noise"],
                )
            }
            "ramp" => {
                let from = r.from.unwrap_or(0.0);
                let to = r.to.unwrap_or(0.0);
                ctx.range(&format!("{rp}.from"), from, 0.0, 1.0e9, "requests per second");
                ctx.range(&format!("{rp}.to"), to, 0.0, 1.0e9, "requests per second");
                let start =
                    r.start.as_ref().map_or(SimTime::ZERO, |w| offset_to_time(ctx, &format!("{rp}.start"), &w.0, cal));
                let end = r
                    .end
                    .as_ref()
                    .map_or(SimTime::ZERO + duration, |w| offset_to_time(ctx, &format!("{rp}.end"), &w.0, cal));
                if end <= start {
                    ctx.err(format!("{rp}.end"), "a ramp must end after it starts");
                }
                (RatePattern::Ramp { from, to, start, end }, &["pattern", "from", "to", "start", "end", "noise"])
            }
            other => {
                ctx.enum_value::<()>(
                    &format!("{rp}.pattern"),
                    other,
                    &[("constant", ()), ("diurnal", ()), ("ramp", ())],
                );
                (RatePattern::Constant(0.0), &[])
            }
        },
    };
    if !used.is_empty() {
        let present = [
            ("pattern", r.pattern.is_some()),
            ("value", r.value.is_some()),
            ("base", r.base.is_some()),
            ("peak", r.peak.is_some()),
            ("peak_at", r.peak_at.is_some()),
            ("timezone", r.timezone.is_some()),
            ("from", r.from.is_some()),
            ("to", r.to.is_some()),
            ("start", r.start.is_some()),
            ("end", r.end.is_some()),
            ("noise", r.noise.is_some()),
            ("trace", r.trace.is_some()),
            ("time_column", r.time_column.is_some()),
            ("value_column", r.value_column.is_some()),
            ("scale", r.scale.is_some()),
            ("interpolate", r.interpolate.is_some()),
        ];
        for (k, set) in present {
            if set && !used.contains(&k) {
                ctx.err(
                    format!("{rp}.{k}"),
                    format!("`{k}` does not belong to this rate form, which takes {}", used.join(", ")),
                );
            }
        }
    }
    let noise_sigma = r.noise.unwrap_or(0.0);
    ctx.range(&format!("{rp}.noise"), noise_sigma, 0.0, 3.0, "noise (log-standard deviation)");
    let mut spikes = Vec::new();
    for (j, s) in w.spikes.iter().flatten().enumerate() {
        let sp = format!("{path}.spikes[{j}]");
        ctx.range(&format!("{sp}.multiplier"), s.multiplier, 0.0, 1.0e6, "multiplier");
        spikes.push(Spike {
            at: offset_to_time(ctx, &format!("{sp}.at"), &s.at.0, cal),
            multiplier: s.multiplier,
            ramp: s.ramp.map_or(SimDuration::ZERO, |d| d.0),
            hold: s.hold.0,
        });
    }
    let cpu_per_request_s = w.cpu_per_request.map_or(0.0, |s| s.0);
    if w.cpu_per_request.is_some() && cpu_per_request_s <= 0.0 {
        ctx.err(format!("{path}.cpu_per_request"), "must be more than 0 (vCPU-seconds of work per request)");
    }
    let request_timeout_s = w.request_timeout.map_or(60.0, |s| s.0);
    if request_timeout_s <= 0.0 || request_timeout_s > 3600.0 {
        ctx.err(
            format!("{path}.request_timeout"),
            format!("{request_timeout_s} s is out of range; expected more than 0 and at most 1h"),
        );
    }
    let baseline = w.baseline_cpu_percent.unwrap_or(0.0);
    ctx.range(&format!("{path}.baseline_cpu_percent"), baseline, 0.0, 100.0, "a percentage");
    let mem_base = w.memory_base_mib.unwrap_or(0.0);
    ctx.range(&format!("{path}.memory_base_mib"), mem_base, 0.0, 1.0e7, "MiB");
    let mem_inflight = w.memory_per_inflight_mib.unwrap_or(0.0);
    ctx.range(&format!("{path}.memory_per_inflight_mib"), mem_inflight, 0.0, 1.0e6, "MiB");
    let slo = w.slo.as_ref().map(|s| {
        let availability = s.availability.unwrap_or(0.999);
        ctx.range(&format!("{path}.slo.availability"), availability, 0.0, 1.0, "availability (a share, e.g. 0.999)");
        let latency_p99_s = s.latency_p99.map(|l| l.0);
        if let Some(l) = latency_p99_s
            && l <= 0.0
        {
            ctx.err(format!("{path}.slo.latency_p99"), "must be more than 0");
        }
        Slo { latency_p99_s, availability }
    });
    Workload {
        rate,
        noise_sigma,
        spikes,
        cpu_per_request_s,
        request_timeout_s,
        baseline_cpu_percent: baseline,
        memory_base_mib: mem_base,
        memory_per_inflight_mib: mem_inflight,
        slo,
    }
}

fn resolve_auto_scaling(
    ctx: &mut Ctx,
    path: &str,
    a: &raw::AutoScaling,
    lb: Option<&LoadBalancer>,
) -> Option<AutoScalingConfig> {
    if a.min_capacity > a.max_capacity {
        ctx.err(
            format!("{path}.min_capacity"),
            format!("min_capacity {} is greater than max_capacity {}", a.min_capacity, a.max_capacity),
        );
    }
    if a.max_capacity > MAX_TASKS_PER_SERVICE {
        ctx.err(
            format!("{path}.max_capacity"),
            format!("{} is out of range; ECS allows at most {MAX_TASKS_PER_SERVICE} tasks per service", a.max_capacity),
        );
    }
    let metrics = [
        ("ECSServiceAverageCPUUtilization", ServiceMetric::CpuUtilization),
        ("ECSServiceAverageMemoryUtilization", ServiceMetric::MemoryUtilization),
        ("ALBRequestCountPerTarget", ServiceMetric::AlbRequestCountPerTarget),
    ];
    let mut policy_names = BTreeSet::new();
    let check_metric = |ctx: &mut Ctx, p: &str, m: ServiceMetric| {
        if m == ServiceMetric::AlbRequestCountPerTarget && !lb.is_some_and(|l| l.kind == LbKind::Alb) {
            ctx.err(p, "ALBRequestCountPerTarget needs the service to have an Application Load Balancer ([services.load_balancer] kind = \"alb\")");
        }
    };
    let mut target_tracking = Vec::new();
    for (j, t) in a.target_tracking.iter().flatten().enumerate() {
        let tp = format!("{path}.target_tracking[{j}]");
        check_name(ctx, &tp, &t.name);
        if !policy_names.insert(t.name.clone()) {
            ctx.err(&tp, format!("duplicate policy name \"{}\"", t.name));
        }
        let Some(metric) = ctx.enum_value(&format!("{tp}.predefined_metric"), &t.predefined_metric, &metrics) else {
            continue;
        };
        check_metric(ctx, &format!("{tp}.predefined_metric"), metric);
        if !(t.target_value.is_finite() && t.target_value > 0.0) {
            ctx.err(format!("{tp}.target_value"), format!("{} must be more than 0", t.target_value));
        }
        if metric != ServiceMetric::AlbRequestCountPerTarget && t.target_value > 100.0 {
            ctx.err(format!("{tp}.target_value"), format!("{} is a utilization percentage above 100", t.target_value));
        }
        target_tracking.push(TargetTrackingConfig {
            name: t.name.clone(),
            metric,
            target_value: t.target_value,
            scale_out_cooldown: t.scale_out_cooldown.map_or(crate::scaling::DEFAULT_COOLDOWN, |d| d.0),
            scale_in_cooldown: t.scale_in_cooldown.map_or(crate::scaling::DEFAULT_COOLDOWN, |d| d.0),
            disable_scale_in: t.disable_scale_in.unwrap_or(false),
        });
    }
    let mut step_scaling = Vec::new();
    let stats = [
        ("Average", Statistic::Average),
        ("Maximum", Statistic::Maximum),
        ("Minimum", Statistic::Minimum),
        ("Sum", Statistic::Sum),
        ("SampleCount", Statistic::SampleCount),
    ];
    for (j, s) in a.step_scaling.iter().flatten().enumerate() {
        let sp = format!("{path}.step_scaling[{j}]");
        check_name(ctx, &sp, &s.name);
        if !policy_names.insert(s.name.clone()) {
            ctx.err(&sp, format!("duplicate policy name \"{}\"", s.name));
        }
        let metric = ctx.enum_value(&format!("{sp}.metric"), &s.metric, &metrics);
        if let Some(m) = metric {
            check_metric(ctx, &format!("{sp}.metric"), m);
        }
        let statistic = s
            .statistic
            .as_deref()
            .map_or(Some(Statistic::Average), |v| ctx.enum_value(&format!("{sp}.statistic"), v, &stats));
        let comparison = ctx.enum_value(
            &format!("{sp}.comparison"),
            &s.comparison,
            &[
                ("GreaterThanOrEqualToThreshold", Comparison::GreaterThanOrEqualToThreshold),
                ("GreaterThanThreshold", Comparison::GreaterThanThreshold),
                ("LessThanThreshold", Comparison::LessThanThreshold),
                ("LessThanOrEqualToThreshold", Comparison::LessThanOrEqualToThreshold),
            ],
        );
        let adjustment_type = ctx.enum_value(
            &format!("{sp}.adjustment_type"),
            &s.adjustment_type,
            &[
                ("ChangeInCapacity", AdjustmentType::ChangeInCapacity),
                ("PercentChangeInCapacity", AdjustmentType::PercentChangeInCapacity),
                ("ExactCapacity", AdjustmentType::ExactCapacity),
            ],
        );
        let aggregation = s.metric_aggregation_type.as_deref().map_or(Some(Statistic::Average), |v| {
            ctx.enum_value(
                &format!("{sp}.metric_aggregation_type"),
                v,
                &[("Average", Statistic::Average), ("Minimum", Statistic::Minimum), ("Maximum", Statistic::Maximum)],
            )
        });
        let evaluation_periods = s.evaluation_periods.unwrap_or(1);
        let datapoints_to_alarm = s.datapoints_to_alarm.unwrap_or(evaluation_periods);
        if evaluation_periods == 0 || evaluation_periods > 1440 {
            ctx.err(
                format!("{sp}.evaluation_periods"),
                format!("{evaluation_periods} is out of range; expected 1 to 1440"),
            );
        }
        if datapoints_to_alarm == 0 || datapoints_to_alarm > evaluation_periods {
            ctx.err(
                format!("{sp}.datapoints_to_alarm"),
                format!("{datapoints_to_alarm} must be between 1 and evaluation_periods ({evaluation_periods})"),
            );
        }
        if !s.threshold.is_finite() {
            ctx.err(format!("{sp}.threshold"), "must be a finite number");
        }
        let (Some(metric), Some(statistic), Some(comparison), Some(adjustment_type), Some(aggregation)) =
            (metric, statistic, comparison, adjustment_type, aggregation)
        else {
            continue;
        };
        let cfg = StepScalingConfig {
            name: s.name.clone(),
            metric,
            statistic,
            comparison,
            threshold: s.threshold,
            evaluation_periods,
            datapoints_to_alarm,
            adjustment_type,
            min_adjustment_magnitude: s.min_adjustment_magnitude,
            cooldown: s.cooldown.map_or(crate::scaling::DEFAULT_COOLDOWN, |d| d.0),
            metric_aggregation_type: aggregation,
            steps: s
                .steps
                .iter()
                .map(|st| StepAdjustment { lower: st.lower, upper: st.upper, adjustment: st.adjustment })
                .collect(),
        };
        for msg in validate_step_config(&cfg) {
            ctx.err(&sp, msg);
        }
        step_scaling.push(cfg);
    }
    for (j, s) in a.scheduled.iter().flatten().enumerate() {
        if !policy_names.insert(s.name.clone()) {
            ctx.err(format!("{path}.scheduled[{j}]"), format!("duplicate policy or action name \"{}\"", s.name));
        }
    }
    Some(AutoScalingConfig {
        min_capacity: a.min_capacity,
        max_capacity: a.max_capacity,
        target_tracking,
        step_scaling,
    })
}

fn resolve_scheduled_actions(ctx: &mut Ctx, path: &str, a: &raw::AutoScaling) -> Vec<ScheduledAction> {
    let mut out = Vec::new();
    for (j, s) in a.scheduled.iter().flatten().enumerate() {
        let sp = format!("{path}.scheduled[{j}]");
        check_name(ctx, &sp, &s.name);
        if s.min_capacity.is_none() && s.max_capacity.is_none() {
            ctx.err(&sp, "a scheduled action sets min_capacity, max_capacity or both");
        }
        if let (Some(lo), Some(hi)) = (s.min_capacity, s.max_capacity)
            && lo > hi
        {
            ctx.err(format!("{sp}.min_capacity"), format!("min_capacity {lo} is greater than max_capacity {hi}"));
        }
        if let Some(schedule) = parse_schedule(ctx, &sp, &s.schedule, s.timezone.as_deref()) {
            out.push(ScheduledAction {
                name: s.name.clone(),
                schedule,
                min_capacity: s.min_capacity,
                max_capacity: s.max_capacity,
            });
        }
    }
    out
}

fn parse_schedule(ctx: &mut Ctx, path: &str, expr: &str, tz: Option<&str>) -> Option<Schedule> {
    let tz = match tz.map(parse_time_zone) {
        None => jiff::tz::TimeZone::UTC,
        Some(Ok(tz)) => tz,
        Some(Err(e)) => {
            ctx.err(format!("{path}.timezone"), e);
            return None;
        }
    };
    match Schedule::parse(expr, &tz) {
        Ok(s) => Some(s),
        Err(e) => {
            ctx.err(format!("{path}.schedule"), e);
            None
        }
    }
}

fn resolve_scheduled_task(
    ctx: &mut Ctx,
    path: &str,
    b: &raw::ScheduledTask,
    names: &Names,
    env: &Env,
) -> Option<ScheduledTask> {
    let td = ctx.lookup(&format!("{path}.task_definition"), "task definition", &b.task_definition, names.task_defs);
    let count = b.count.unwrap_or(1);
    if !(1..=10).contains(&count) {
        ctx.err(
            format!("{path}.count"),
            format!("{count} is out of range; EventBridge's RunTask target runs 1 to 10 tasks"),
        );
    }
    let max_attempts = b.max_attempts.unwrap_or(1);
    if !(1..=100).contains(&max_attempts) {
        ctx.err(format!("{path}.max_attempts"), format!("{max_attempts} is out of range; expected 1 to 100"));
    }
    let strategy = resolve_strategy(ctx, path, b.capacity_provider_strategy.as_ref(), names, env);
    let fargate =
        strategy.first().is_some_and(|i| env.providers.get(i.provider.idx()).is_some_and(Provider::is_fargate));
    let (placement_strategy, constraints) =
        resolve_placement(ctx, path, b.placement_strategy.as_ref(), b.placement_constraints.as_ref(), fargate, false);
    if let Some(td) = td {
        check_task_fits(ctx, path, td, &strategy, env);
        reject_warmup(ctx, path, td, env, "scheduled tasks have no load balancer");
    }
    let schedule = parse_schedule(ctx, path, &b.schedule, b.timezone.as_deref());
    Some(ScheduledTask {
        name: b.name.clone(),
        task_def: td?,
        schedule: schedule?,
        count,
        duration: b.duration.clone(),
        strategy,
        placement_strategy,
        constraints,
        max_attempts,
    })
}

fn resolve_event(
    ctx: &mut Ctx,
    path: &str,
    e: &raw::ScriptedEvent,
    names: &Names,
    env: &Env,
    services: &[Service],
) -> Option<ScriptedEvent> {
    let at = offset_to_time(ctx, &format!("{path}.at"), &e.at.0, env.calendar);
    let fields = [
        ("service", e.service.is_some()),
        ("task_definition", e.task_definition.is_some()),
        ("zone", e.zone.is_some()),
        ("duration", e.duration.is_some()),
        ("desired_count", e.desired_count.is_some()),
        ("capacity_provider", e.capacity_provider.is_some()),
        ("count", e.count.is_some()),
        ("fraction", e.fraction.is_some()),
    ];
    let allowed: &[&str] = match e.kind.as_str() {
        "deploy" => &["service", "task_definition"],
        "az_outage" => &["zone", "duration"],
        "set_desired_count" => &["service", "desired_count"],
        "kill_instances" => &["capacity_provider", "count", "fraction", "zone"],
        other => {
            ctx.enum_value::<()>(
                &format!("{path}.kind"),
                other,
                &[("deploy", ()), ("az_outage", ()), ("set_desired_count", ()), ("kill_instances", ())],
            );
            return None;
        }
    };
    for (k, set) in fields {
        if set && !allowed.contains(&k) {
            ctx.err(
                format!("{path}.{k}"),
                format!("`{k}` does not belong to kind = \"{}\", which takes {}", e.kind, allowed.join(", ")),
            );
        }
    }
    let need = |ctx: &mut Ctx, k: &str, present: bool| {
        if !present {
            ctx.err(path, format!("kind = \"{}\" needs `{k}`", e.kind));
        }
        present
    };
    let service = |ctx: &mut Ctx| {
        e.service.as_ref().and_then(|s| ctx.lookup(&format!("{path}.service"), "service", s, names.services))
    };
    let kind = match e.kind.as_str() {
        "deploy" => {
            need(ctx, "service", e.service.is_some());
            need(ctx, "task_definition", e.task_definition.is_some());
            let svc = service(ctx);
            let td = e
                .task_definition
                .as_ref()
                .and_then(|t| ctx.lookup(&format!("{path}.task_definition"), "task definition", t, names.task_defs));
            if let (Some(svc), Some(td)) = (svc, td)
                && let Some(s) = services.get(svc.idx())
            {
                check_task_fits(ctx, path, td, &s.strategy, env);
                if s.load_balancer.is_none() {
                    reject_warmup(ctx, path, td, env, "the service has no [services.load_balancer]");
                }
            }
            ScriptedKind::Deploy { service: svc?, task_def: td? }
        }
        "az_outage" => {
            need(ctx, "zone", e.zone.is_some());
            need(ctx, "duration", e.duration.is_some());
            let zone =
                e.zone.as_ref().and_then(|z| ctx.lookup(&format!("{path}.zone"), "availability zone", z, names.zones));
            ScriptedKind::AzOutage { zone: zone?, duration: e.duration?.0 }
        }
        "set_desired_count" => {
            need(ctx, "service", e.service.is_some());
            need(ctx, "desired_count", e.desired_count.is_some());
            let count = e.desired_count?;
            if count > MAX_TASKS_PER_SERVICE {
                ctx.err(
                    format!("{path}.desired_count"),
                    format!("{count} is out of range; ECS allows at most {MAX_TASKS_PER_SERVICE} tasks per service"),
                );
            }
            ScriptedKind::SetDesiredCount { service: service(ctx)?, count }
        }
        "kill_instances" => {
            need(ctx, "capacity_provider", e.capacity_provider.is_some());
            let provider = e.capacity_provider.as_ref().and_then(|p| {
                ctx.lookup(&format!("{path}.capacity_provider"), "capacity provider", p, names.providers)
            });
            if let Some(p) = provider
                && env.providers.get(p.idx()).is_some_and(Provider::is_fargate)
            {
                ctx.err(
                    format!("{path}.capacity_provider"),
                    "kill_instances needs an ec2 provider (Fargate has no instances)",
                );
            }
            let amount = match (e.count, e.fraction) {
                (Some(c), None) => KillAmount::Count(c),
                (None, Some(f)) => {
                    if !(f > 0.0 && f <= 1.0) {
                        ctx.err(
                            format!("{path}.fraction"),
                            format!("{f} is out of range; expected more than 0 and at most 1"),
                        );
                    }
                    KillAmount::Fraction(f)
                }
                _ => {
                    ctx.err(path, "kill_instances needs exactly one of `count` or `fraction`");
                    return None;
                }
            };
            let zone =
                e.zone.as_ref().and_then(|z| ctx.lookup(&format!("{path}.zone"), "availability zone", z, names.zones));
            ScriptedKind::KillInstances { provider: provider?, amount, zone }
        }
        _ => return None,
    };
    Some(ScriptedEvent { at, kind })
}

/// Orders services callers-first; a cycle in `calls` is an error naming it.
fn order_calls(ctx: &mut Ctx, services: &[Service]) -> Vec<ServiceId> {
    let n = services.len();
    let mut indegree = vec![0usize; n];
    for s in services {
        for c in &s.calls {
            indegree[c.service.idx()] += 1;
        }
    }
    let mut ready: Vec<usize> = (0..n).filter(|&i| indegree[i] == 0).collect();
    ready.reverse();
    let mut order = Vec::with_capacity(n);
    while let Some(i) = ready.pop() {
        order.push(ServiceId::from_idx(i));
        for c in &services[i].calls {
            let j = c.service.idx();
            indegree[j] -= 1;
            if indegree[j] == 0 {
                ready.push(j);
                ready.sort_unstable_by(|a, b| b.cmp(a));
            }
        }
    }
    if order.len() < n {
        let stuck: Vec<&str> = (0..n).filter(|&i| indegree[i] > 0).map(|i| services[i].name.as_str()).collect();
        ctx.err("services", format!("`calls` form a cycle among {}; calls must flow one way (a request cannot come back to a service it passed)", quoted(&stuck)));
    }
    order
}

#[cfg(test)]
mod tests {
    use crate::scenario::load_str;
    use std::path::Path;

    /// A task definition that fails to parse is reported, not a panic (a debug
    /// assertion once required every task definition to have resolved).
    #[test]
    fn a_broken_task_definition_is_reported() {
        let text = "[simulation]\nduration = \"1h\"\n[[capacity_providers]]\nname = \"FARGATE\"\nkind = \"fargate\"\n\
                    [[task_definitions]]\nfamily = \"web\"\ncpu = \"x\"\nmemory = 512\n\
                    [[services]]\nname = \"web\"\ntask_definition = \"web\"\ndesired_count = 2\n";
        let problems = load_str(text, "t.toml", Path::new(".")).err().expect("the scenario is refused").problems;
        let paths: Vec<&str> = problems.iter().map(|p| p.path.as_str()).collect();
        assert_eq!(paths, ["task_definitions[web].cpu"]);
    }
}
