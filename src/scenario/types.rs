//! The validated scenario: every default applied, every name resolved to an
//! index. The simulation reads only these types, never the raw file.

use super::dist::Dist;
use crate::calendar::{Calendar, Schedule};
use crate::catalog::{Arch, InstanceType};
use crate::engine::{SimDuration, SimTime};
use crate::query::Expression;
use crate::scaling::AutoScalingConfig;
use crate::units::{CpuUnits, MemMib, UsdPerHour};

macro_rules! id_type {
    ($(#[$m:meta])* $name:ident) => {
        $(#[$m])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(pub u32);
        impl $name {
            pub fn idx(self) -> usize {
                self.0 as usize
            }
            pub fn from_idx(i: usize) -> Self {
                $name(i as u32)
            }
        }
    };
}

id_type!(
    /// Index into `Scenario::instance_types`.
    TypeId
);
id_type!(
    /// Index into `Scenario::providers`.
    ProviderId
);
id_type!(
    /// Index into `Scenario::task_defs`.
    TaskDefId
);
id_type!(
    /// Index into `Scenario::services`.
    ServiceId
);
id_type!(
    /// Index into `Scenario::batch`.
    BatchId
);
id_type!(
    /// Index into `Scenario::zones`.
    ZoneId
);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InitialState {
    /// min_size instances and desired tasks already running at t = 0.
    Steady,
    /// Everything launches at t = 0.
    Cold,
}

#[derive(Clone, Debug)]
pub struct Scenario {
    pub name: String,
    /// The file's text, for the provenance hash and the copy in the results.
    pub source_text: String,
    pub source_label: String,
    pub calendar: Calendar,
    pub duration: SimDuration,
    pub seed: u64,
    pub tick: SimDuration,
    pub replications: u32,
    pub initial_state: InitialState,
    pub warmup: SimDuration,
    pub metric_delay: SimDuration,
    pub region: String,
    pub zones: Vec<String>,
    pub cluster_name: String,
    pub awsvpc_trunking: bool,
    pub instance_types: Vec<InstanceType>,
    pub providers: Vec<Provider>,
    pub reserved: Vec<Reservation>,
    pub spot: SpotMarket,
    /// Control-plane launch limits (`[limits]`).
    pub limits: Limits,
    pub task_defs: Vec<TaskDef>,
    pub services: Vec<Service>,
    /// Services ordered so that every caller comes before the services it calls.
    pub call_order: Vec<ServiceId>,
    pub batch: Vec<ScheduledTask>,
    pub events: Vec<ScriptedEvent>,
    pub output: OutputConfig,
    /// Savings Plans and the items beyond compute (`scenario/cost.rs`).
    pub cost: super::cost::CostConfig,
}

impl Scenario {
    pub fn end(&self) -> SimTime {
        SimTime::ZERO + self.duration
    }
}

#[derive(Clone, Debug)]
pub struct Provider {
    pub name: String,
    pub kind: ProviderKind,
}

#[derive(Clone, Debug)]
pub enum ProviderKind {
    Asg(AsgConfig),
    Fargate(FargateConfig),
}

impl Provider {
    pub fn asg(&self) -> Option<&AsgConfig> {
        match &self.kind {
            ProviderKind::Asg(a) => Some(a),
            ProviderKind::Fargate(_) => None,
        }
    }
    pub fn fargate(&self) -> Option<&FargateConfig> {
        match &self.kind {
            ProviderKind::Fargate(f) => Some(f),
            ProviderKind::Asg(_) => None,
        }
    }
    pub fn is_fargate(&self) -> bool {
        matches!(self.kind, ProviderKind::Fargate(_))
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lifecycle {
    OnDemand,
    Spot,
    /// On-demand base and percentage above base; the rest spot.
    Mixed,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AllocationStrategy {
    /// On-demand: the order of `instance_types` (AWS's `prioritized`).
    Prioritized,
    LowestPrice,
    CapacityOptimized,
    PriceCapacityOptimized,
}

#[derive(Clone, Debug)]
pub struct AsgConfig {
    pub instance_types: Vec<TypeId>,
    pub lifecycle: Lifecycle,
    pub spot_allocation: AllocationStrategy,
    pub on_demand_allocation: AllocationStrategy,
    pub on_demand_base: u32,
    pub on_demand_percent_above_base: f64,
    pub min_size: u32,
    pub max_size: u32,
    /// Initial desired capacity (defaults to min_size).
    pub desired_capacity: u32,
    pub launch_time: Dist,
    pub spot_draining: bool,
    pub termination_protection: bool,
    pub managed_draining: bool,
    pub managed_scaling: Option<ManagedScaling>,
}

#[derive(Clone, Debug)]
pub struct ManagedScaling {
    pub target_capacity: f64,
    pub min_step: u32,
    pub max_step: u32,
    pub warmup: SimDuration,
}

#[derive(Clone, Debug)]
pub struct FargateConfig {
    pub spot: bool,
    pub provisioning_time: Dist,
    /// Account vCPU quota for this provider's tasks, if any.
    pub max_vcpu: Option<f64>,
}

#[derive(Clone, Debug)]
pub struct Reservation {
    pub instance_type: TypeId,
    pub count: u32,
    pub hourly: UsdPerHour,
}

#[derive(Clone, Debug)]
pub struct SpotMarket {
    pub notice: SimDuration,
    pub launch_failure_probability: f64,
    /// Per instance type: price and monthly interruption share (pool overrides applied).
    pub pools: Vec<SpotPoolConfig>,
    pub reclaims: Vec<ReclaimConfig>,
    pub fargate_discount: f64,
    pub fargate_monthly_interruption: f64,
    pub fargate_unavailable_probability: f64,
    /// Correlated Fargate Spot reclaims, each with an optional capacity drought after it.
    pub fargate_reclaims: Vec<FargateReclaimConfig>,
}

/// `[[spot.fargate.reclaim_events]]`: AWS takes back a share of a zone's
/// Fargate Spot tasks at once, and its Fargate Spot capacity there may stay
/// short for a while after.
#[derive(Clone, Debug)]
pub struct FargateReclaimConfig {
    pub rate_per_month: f64,
    pub fraction: f64,
    /// One zone, or every zone (one process each) when `None`.
    pub zone: Option<ZoneId>,
    /// How long the zone's Fargate Spot capacity stays short after the event (zero: not at all).
    pub drought: SimDuration,
    /// The probability that a Fargate Spot launch in the zone finds no capacity during the drought.
    pub drought_unavailable_probability: f64,
}

/// A token bucket's figures: `burst` tokens at most, refilled at `per_second`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RateLimit {
    pub burst: u32,
    pub per_second: f64,
}

/// `[limits]`: the control-plane launch limits (docs/aws-facts.md §11).
#[derive(Clone, Debug)]
pub struct Limits {
    /// Fargate On-Demand task launches, per account and region.
    pub fargate_launch: Option<RateLimit>,
    /// Fargate Spot task launches, per account and region (a bucket of its own).
    pub fargate_spot_launch: Option<RateLimit>,
    /// EC2 instances launched (RunInstances resource tokens), per account and
    /// region: every ASG of the scenario shares it.
    pub ec2_run_instances: Option<RateLimit>,
    /// Tasks the service scheduler starts per service (no published figure: off unless given).
    pub service_launch: Option<RateLimit>,
}

/// The spot terms of one instance type, optionally in one zone.
#[derive(Clone, Debug)]
pub struct SpotPoolConfig {
    pub instance_type: TypeId,
    pub zone: Option<ZoneId>,
    pub hourly: UsdPerHour,
    /// Share of instances interrupted per 30-day month.
    pub monthly_interruption: f64,
    /// The price over time (USD/h, held between rows), replacing `hourly` when given.
    pub price_trace: Option<Trace>,
}

impl SpotPoolConfig {
    /// The hourly price at `t`.
    pub fn price_at(&self, t: SimTime) -> f64 {
        self.price_trace.as_ref().map_or(self.hourly.0, |tr| tr.rate_at(t.as_millis()))
    }
}

#[derive(Clone, Debug)]
pub struct ReclaimConfig {
    pub rate_per_month: f64,
    pub fraction: f64,
    pub instance_type: Option<TypeId>,
    pub zone: Option<ZoneId>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NetworkMode {
    None,
    Bridge,
    Host,
    Awsvpc,
}

#[derive(Clone, Debug)]
pub struct TaskDef {
    pub family: String,
    pub cpu: CpuUnits,
    pub memory: MemMib,
    pub network_mode: NetworkMode,
    /// Host ports reserved on the instance (static mappings in bridge/host mode).
    pub static_host_ports: Vec<u16>,
    pub startup_time: Dist,
    /// SIGTERM to exit; `None` = the whole stop timeout (the assumption `stop_exit`).
    pub shutdown_time: Option<Dist>,
    /// RUNNING to the application answering its health checks; `None` = at once.
    pub warmup_time: Option<Dist>,
    pub stop_timeout: SimDuration,
    pub arch: Option<Arch>,
}

#[derive(Clone, Copy, Debug)]
pub struct StrategyItem {
    pub provider: ProviderId,
    pub base: u32,
    pub weight: u32,
}

/// What `spread` spreads over.
#[derive(Clone, Debug, PartialEq)]
pub enum SpreadField {
    InstanceId,
    Zone,
    InstanceType,
    OsType,
    Arch,
    /// A custom attribute: instances without it share one "absent" bucket.
    Attribute(String),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinpackField {
    Cpu,
    Memory,
}

#[derive(Clone, Debug, PartialEq)]
pub enum PlacementStrategy {
    Binpack(BinpackField),
    Spread(SpreadField),
    Random,
}

#[derive(Clone, Debug)]
pub enum PlacementConstraint {
    DistinctInstance,
    MemberOf(Expression),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LbKind {
    Alb,
    Nlb,
}

#[derive(Clone, Debug)]
pub struct LoadBalancer {
    pub kind: LbKind,
    pub deregistration_delay: SimDuration,
    pub health_check_interval: SimDuration,
    /// A check whose response comes later than this fails (docs/model.md §5.9).
    pub health_check_timeout: SimDuration,
    pub healthy_threshold: u32,
    pub unhealthy_threshold: u32,
}

impl LoadBalancer {
    /// Time from RUNNING to first traffic for an application that answers at
    /// once: a newly registered target is healthy at its first passing check
    /// (docs/aws-facts.md §15).
    pub fn time_to_healthy(&self) -> SimDuration {
        self.health_check_interval
    }
    /// Time a dead target keeps receiving traffic before the LB notices.
    pub fn time_to_unhealthy(&self) -> SimDuration {
        self.health_check_interval.saturating_mul(u64::from(self.unhealthy_threshold))
    }

    /// What the health checks of a new target make of it, counted from
    /// RUNNING, when the application answers them only after `warmup`.
    /// Checks run every interval from registration (k = 1, 2, …); check k
    /// passes when k × interval ≥ warmup. A newly registered target is
    /// healthy at its first passing check; when `unhealthy_threshold` checks
    /// fail first it is unhealthy, needs `healthy_threshold` passes in a row
    /// to recover (docs/aws-facts.md §15), and ECS judges it unhealthy once
    /// the health check grace period is over.
    pub fn health_checks(&self, warmup: SimDuration, grace: SimDuration) -> HealthChecks {
        let interval = self.health_check_interval.as_millis().max(1);
        let first_pass = warmup.as_millis().div_ceil(interval).max(1);
        let fails_first = first_pass > u64::from(self.unhealthy_threshold);
        let passes = if fails_first { first_pass + u64::from(self.healthy_threshold) - 1 } else { first_pass };
        let healthy_after = SimDuration::from_millis(interval.saturating_mul(passes));
        let judged = self.time_to_unhealthy().max(grace);
        HealthChecks { healthy_after, unhealthy_after: (fails_first && judged < healthy_after).then_some(judged) }
    }
}

/// The health check timeline of a new target behind a load balancer, from RUNNING.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HealthChecks {
    /// Passes its checks and starts serving (if still alive).
    pub healthy_after: SimDuration,
    /// Failed its checks and the grace period is over: ECS marks it unhealthy.
    pub unhealthy_after: Option<SimDuration>,
}

/// `deployment_circuit_breaker` with `enable = true` (docs/model.md §6.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CircuitBreaker {
    /// Roll back to the last completed deployment's task definition when it trips.
    pub rollback: bool,
}

#[derive(Clone, Debug)]
pub struct Discovery {
    pub dns_ttl: SimDuration,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CallRoute {
    LoadBalancer,
    ServiceDiscovery,
    ServiceConnect,
}

#[derive(Clone, Debug)]
pub struct Call {
    pub service: ServiceId,
    /// floor(p) calls per request, and one more with probability frac(p).
    pub per_request: f64,
    pub via: CallRoute,
    /// Made at the same time as the caller's other parallel calls (the
    /// slowest counts), not one after another.
    pub parallel: bool,
}

#[derive(Clone, Debug)]
pub enum RatePattern {
    Constant(f64),
    /// rate = base + (peak − base)(1 + cos(2π(h − peak_at)/24))/2, h the local hour.
    Diurnal {
        base: f64,
        peak: f64,
        peak_at_hours: f64,
        tz: jiff::tz::TimeZone,
    },
    /// Linear from `from` at `start` to `to` at `end`, held outside.
    Ramp {
        from: f64,
        to: f64,
        start: SimTime,
        end: SimTime,
    },
    /// rate = base + Σ height × bump(h − at, width), h the local hour
    /// (docs/model.md §8.1).
    Peaks {
        base: f64,
        peaks: Vec<DiurnalPeak>,
        tz: jiff::tz::TimeZone,
    },
    Trace(Trace),
}

/// A raised-cosine bump on the 24-hour clock: `height` above base at `at`,
/// zero from `width` hours away.
#[derive(Clone, Debug)]
pub struct DiurnalPeak {
    pub at_hours: f64,
    pub height: f64,
    pub width_hours: f64,
}

/// Weekday multipliers and holidays, read on the local calendar of `tz`.
#[derive(Clone, Debug)]
pub struct WeekCycle {
    /// Monday first.
    pub weekdays: [f64; 7],
    /// Day numbers (days since 1970-01-01), sorted; they take Sunday's multiplier.
    pub holidays: Vec<i64>,
    pub tz: jiff::tz::TimeZone,
}

#[derive(Clone, Debug)]
pub struct Trace {
    /// Milliseconds from start, strictly increasing.
    pub times: Vec<u64>,
    /// Requests per second (already scaled).
    pub values: Vec<f64>,
    pub linear: bool,
}

#[derive(Clone, Debug)]
pub struct Spike {
    pub at: SimTime,
    pub multiplier: f64,
    pub ramp: SimDuration,
    pub hold: SimDuration,
}

#[derive(Clone, Debug)]
pub struct Slo {
    pub latency_p99_s: Option<f64>,
    pub availability: f64,
    /// p99 of the end-to-end time, calls included (docs/model.md §8.8).
    pub end_to_end_p99_s: Option<f64>,
}

#[derive(Clone, Debug)]
pub struct Workload {
    pub rate: RatePattern,
    /// Multiplies the pattern by the local day's factor; None for traces and
    /// for patterns without `weekdays`.
    pub week: Option<WeekCycle>,
    /// Log-standard deviation of the per-minute multiplicative noise (0 = none).
    pub noise_sigma: f64,
    pub spikes: Vec<Spike>,
    /// vCPU-seconds of work per request.
    pub cpu_per_request_s: f64,
    pub request_timeout_s: f64,
    pub baseline_cpu_percent: f64,
    pub memory_base_mib: f64,
    pub memory_per_inflight_mib: f64,
    pub slo: Option<Slo>,
}

impl Workload {
    /// The time zone the pattern is read in: the diurnal pattern's, else the
    /// week cycle's; None for a pattern not tied to a clock (constant, ramp or
    /// trace without `weekdays`).
    pub fn time_zone(&self) -> Option<&jiff::tz::TimeZone> {
        match &self.rate {
            RatePattern::Diurnal { tz, .. } | RatePattern::Peaks { tz, .. } => Some(tz),
            _ => self.week.as_ref().map(|w| &w.tz),
        }
    }
}

#[derive(Clone, Debug)]
pub struct ScheduledAction {
    pub name: String,
    pub schedule: Schedule,
    pub min_capacity: Option<u32>,
    pub max_capacity: Option<u32>,
}

#[derive(Clone, Debug)]
pub struct Service {
    pub name: String,
    pub task_def: TaskDefId,
    pub desired_count: u32,
    pub health_check_grace: SimDuration,
    pub strategy: Vec<StrategyItem>,
    pub placement_strategy: Vec<PlacementStrategy>,
    pub constraints: Vec<PlacementConstraint>,
    pub min_healthy_percent: f64,
    pub max_percent: f64,
    /// The deployment circuit breaker (`None`: off).
    pub circuit_breaker: Option<CircuitBreaker>,
    pub load_balancer: Option<LoadBalancer>,
    pub discovery: Option<Discovery>,
    pub workload: Workload,
    pub auto_scaling: Option<AutoScalingConfig>,
    pub scheduled_actions: Vec<ScheduledAction>,
    pub calls: Vec<Call>,
}

#[derive(Clone, Debug)]
pub struct ScheduledTask {
    pub name: String,
    pub task_def: TaskDefId,
    pub schedule: Schedule,
    pub count: u32,
    pub duration: Dist,
    pub strategy: Vec<StrategyItem>,
    pub placement_strategy: Vec<PlacementStrategy>,
    pub constraints: Vec<PlacementConstraint>,
    pub max_attempts: u32,
}

#[derive(Clone, Debug)]
pub struct ScriptedEvent {
    pub at: SimTime,
    pub kind: ScriptedKind,
}

#[derive(Clone, Debug)]
pub enum ScriptedKind {
    Deploy { service: ServiceId, task_def: TaskDefId },
    AzOutage { zone: ZoneId, duration: SimDuration },
    SetDesiredCount { service: ServiceId, count: u32 },
    KillInstances { provider: ProviderId, amount: KillAmount, zone: Option<ZoneId> },
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum KillAmount {
    Count(u32),
    Fraction(f64),
}

#[derive(Clone, Debug)]
pub struct OutputConfig {
    pub timeseries: bool,
    pub timeseries_interval: SimDuration,
    pub events: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alb() -> LoadBalancer {
        // ELB defaults: checks every 30 s, healthy after 5 passes, unhealthy after 2 failures.
        LoadBalancer {
            kind: LbKind::Alb,
            deregistration_delay: SimDuration::from_secs(300),
            health_check_interval: SimDuration::from_secs(30),
            health_check_timeout: SimDuration::from_secs(5),
            healthy_threshold: 5,
            unhealthy_threshold: 2,
        }
    }

    fn checks(warmup_s: u64, grace_s: u64) -> (u64, Option<u64>) {
        let h = alb().health_checks(SimDuration::from_secs(warmup_s), SimDuration::from_secs(grace_s));
        (h.healthy_after.as_millis() / 1000, h.unhealthy_after.map(|d| d.as_millis() / 1000))
    }

    #[test]
    fn an_app_ready_at_once_is_healthy_at_its_first_check() {
        // A newly registered target needs one passing check, whatever HealthyThresholdCount
        // (ELB health check page; ECS "Optimize load balancer health check parameters").
        assert_eq!(checks(0, 0), (30, None));
    }

    #[test]
    fn one_failed_check_delays_health_but_is_not_unhealthy() {
        // Warm-up 45 s: the check at 30 s fails (one failure, below the threshold of 2: still
        // initial), the one at 60 s passes: healthy at 60 s.
        assert_eq!(checks(45, 0), (60, None));
        // Warm-up 60 s: the check at 60 s already passes.
        assert_eq!(checks(60, 0), (60, None));
    }

    #[test]
    fn two_failed_checks_make_the_target_unhealthy_unless_the_grace_period_covers_it() {
        // Warm-up 61 s: checks at 30 and 60 s fail (unhealthy at 60 s); passes from 90 s, healthy at 210 s.
        assert_eq!(checks(61, 0), (210, Some(60)));
        assert_eq!(checks(90, 0), (210, Some(60)));
        // ECS ignores the failures until the grace period ends, and acts then if still unhealthy.
        assert_eq!(checks(90, 120), (210, Some(120)));
        // A grace period that lasts until the target is healthy saves it.
        assert_eq!(checks(90, 210), (210, None));
        assert_eq!(checks(90, 300), (210, None));
    }
}
