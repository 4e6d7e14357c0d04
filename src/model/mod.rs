//! The ECS world and its discrete-event run.
//!
//! [`Simulation`] owns everything one run needs (world state, event queue,
//! random streams, recorder) and is `Send`, so a sweep runs many in
//! parallel. Each concern lives in its own file as an `impl Simulation`
//! block: capacity (ASGs, Fargate), placement, the service scheduler, task
//! lifecycle, spot, the fluid workload, cost, batch, scripted events and the
//! per-minute metrics. The event dispatch is the one `match` in `handle`.

pub mod batch;
pub mod budget;
pub mod capacity;
pub mod circuit_breaker;
pub mod cost;
pub mod cost_items;
pub mod cost_traffic;
pub mod e2e;
pub mod e2e_grid;
pub mod entities;
pub mod error;
pub mod fleet;
pub mod fluid;
pub mod free_index;
pub mod health_checks;
pub mod invariants;
pub mod metrics;
pub mod placement;
pub mod queueing;
pub mod record;
pub mod savings_plans;
pub mod scheduler;
pub mod scripted;
pub mod spot;
pub mod summary;
pub mod tasks;
pub mod throttle;
pub mod workload;

use crate::engine::{EventQueue, MS_PER_MINUTE, SimDuration, SimTime};
use crate::rng::RngStreams;
use crate::scaling::ServiceScaler;
use crate::scenario::{BatchId, InitialState, ProviderId, Scenario, ServiceId, TaskDefId, ZoneId};
use entities::{Instance, InstanceId, Task, TaskId, TaskState};
pub use error::RunError;
use record::{Recorder, Sink};

/// Everything that can happen at an instant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Event {
    /// An EC2 instance finished booting and registered with the cluster.
    InstanceReady(InstanceId),
    /// Retry a spot launch that failed for lack of capacity, avoiding the failed pool.
    LaunchRetry { provider: ProviderId, avoid: u32 },
    /// Retry placing the tasks waiting for capacity on a provider.
    PlaceWaiting(ProviderId),
    /// Fargate capacity is ready: the task moves to PENDING.
    TaskProvisioned(TaskId),
    /// Retry a Fargate task whose Spot capacity was unavailable.
    FargateRetry(TaskId),
    /// Containers started: the task is RUNNING.
    TaskStarted(TaskId),
    /// The load balancer's health checks passed: the task receives traffic.
    TaskHealthy(TaskId),
    /// The task failed its health checks past the grace period: ECS replaces it.
    TaskUnhealthy(TaskId),
    /// A serving target failed `unhealthy_threshold` checks in a row under load.
    TargetUnhealthy(TaskId),
    /// The deregistration delay is over: SIGTERM.
    TaskDeregistered(TaskId),
    /// The stop timeout is over: the task is STOPPED.
    TaskExited(TaskId),
    /// A batch job finished its work.
    BatchWorkDone(TaskId),
    /// Run the service scheduler for one service.
    Reconcile(ServiceId),
    /// An EC2 spot interruption notice.
    SpotNotice(InstanceId),
    /// The end of a spot notice: the instance is reclaimed.
    SpotReclaimed(InstanceId),
    /// A draining instance being scaled in has waited as long as the lifecycle hook allows.
    DrainTimeout(InstanceId),
    /// A Fargate Spot interruption notice for one task.
    FargateSpotNotice(TaskId),
    /// The end of a Fargate Spot notice.
    FargateSpotKill(TaskId),
    /// A correlated reclaim event in one spot pool.
    Reclaim(u32),
    /// A scheduled scaling action fires.
    ScheduledAction { service: ServiceId, action: u32 },
    /// A scheduled (batch) task fires.
    BatchFire(BatchId),
    /// A scripted event from the scenario.
    Scripted(u32),
    /// An availability zone comes back.
    OutageEnd(ZoneId),
    /// A stale endpoint expires: the workload rates change at this instant.
    Refresh,
    /// The load balancer has found a target that died while registered
    /// unhealthy: the rates change, and the load balancer may fail open.
    LbGhostGone(ServiceId),
    /// A spot pool's price changes (from its price trace).
    SpotPrice(u32),
    /// An instance launch that waited for its RunInstances token is made now.
    ThrottledLaunch { provider: ProviderId, avoid: u32 },
    /// A service task held back by the scheduler's launch pace starts provisioning.
    LaunchTask(TaskId),
    /// A correlated Fargate Spot reclaim in one zone.
    FargateReclaim(u32),
}

/// Options that change what a run records, never what it simulates.
#[derive(Clone, Debug, Default)]
pub struct RunOptions {
    /// Check the model's invariants after every event (slow; for debugging and tests).
    pub check_invariants: bool,
    /// Set from another thread (Ctrl-C) to stop the run early with an error.
    pub cancel: Option<std::sync::Arc<std::sync::atomic::AtomicBool>>,
    /// Advanced once per simulated minute.
    pub progress: Option<indicatif::ProgressBar>,
}

/// Per-provider runtime state.
#[derive(Debug)]
pub struct ProviderState {
    /// ASG desired capacity (EC2 providers).
    pub desired: u32,
    /// Instances launched so far (ordinal of the next one).
    pub launched: u64,
    /// Tasks assigned so far (ordinal of the next one).
    pub tasks_assigned: u64,
    /// Launch attempts so far (keys launch-failure draws).
    pub launch_attempts: u64,
    /// Failed spot launches waiting to be retried (count toward the ASG size).
    pub retries_pending: u32,
    /// Live instances (not terminated), in id order.
    pub instances: Vec<InstanceId>,
    /// Tasks waiting for capacity, oldest first.
    pub waiting: Vec<TaskId>,
    pub placement_requested: bool,
    /// Fargate vCPU in use (for the account quota).
    pub fargate_vcpu: f64,
    /// Managed scaling alarms on CapacityProviderReservation.
    pub cpr_high: Option<crate::scaling::Alarm>,
    pub cpr_low: Option<crate::scaling::Alarm>,
    pub last_cpr: Option<f64>,
    /// Running totals of the provider's instances.
    pub fleet: fleet::FleetTotals,
    /// Its instances that take tasks, by free resources (binpack placement).
    pub free: free_index::FreeIndex,
    /// Published CapacityProviderReservation datapoints (value, M, N) not yet visible to the alarms.
    pub cpr_published: std::collections::VecDeque<(f64, u32, u32)>,
}

/// A rolling deployment in progress.
#[derive(Clone, Copy, Debug)]
pub struct Deployment {
    pub started: SimTime,
    pub to: TaskDefId,
    /// A stall was logged and nothing has moved since.
    pub stall_logged: bool,
    /// Started after the warm-up, so it counts in the summary.
    pub counted: bool,
    /// Tasks of `to` judged unhealthy since the last one became healthy (circuit breaker).
    pub failures: u32,
    /// A circuit breaker rollback (never rolled back in turn).
    pub rollback: bool,
}

/// Per-service runtime state.
pub struct ServiceState {
    pub desired: u32,
    /// The task definition new tasks use (the primary deployment's).
    pub task_def: TaskDefId,
    /// Tasks not yet stopped, in no particular order (a stopped one is swap-removed).
    pub tasks: Vec<TaskId>,
    /// Its live tasks (PROVISIONING through RUNNING), in creation (serial) order: what the
    /// scheduler walks, without the tasks deregistering or stopping (many during churn), and
    /// takes its retiring tasks from oldest first without sorting them.
    pub live: Vec<TaskId>,
    pub scaler: Option<ServiceScaler>,
    pub deployment: Option<Deployment>,
    pub reconcile_pending: bool,
    /// Tasks placed so far (keys the random placement strategy).
    pub placements: u64,
    /// Datapoints waiting to become visible to alarms (minute, metrics).
    pub published: std::collections::VecDeque<crate::scaling::MinuteMetrics>,
    /// Active tasks per zone (all, and on Fargate), kept as tasks get and leave zones.
    pub zones: GroupZones,
    /// Current tasks (not retiring, not yet stopping) per capacity provider strategy item.
    pub by_strategy_item: Vec<u32>,
    /// Tasks marked for replacement that have not started stopping yet.
    pub retiring_live: u32,
    /// The last reconcile kept an unhealthy task standing in for a missing
    /// healthy one: a replacement that then fails placement calls the
    /// scheduler back, to stop a stand-in and clear room.
    pub holds_stand_in: bool,
    /// The task definition of the last completed deployment (the initial one at first).
    pub last_completed: TaskDefId,
    /// A deployment failed without rollback: ECS launches no task until the next deployment.
    pub launches_stopped: bool,
    /// Its load balancer fails open: no target is healthy, so it routes to every registered
    /// target until one passes its checks (docs/model.md §5.9).
    pub fail_open: bool,
    /// Some target's checks can change something even when no check can fail: it is
    /// unhealthy, takes traffic in its initial checks, or has failures in a row. Without it
    /// and with no check able to fail, the minute's health checks skip the service.
    pub checks_pending: bool,
    /// Its tasks marked unhealthy that are on their way out (DEACTIVATING or STOPPING),
    /// kept by `set_task_state`: whether a stand-in is already going, without a walk
    /// over every task the churn leaves deregistering.
    pub failed_going: u32,
    /// Its current (not retiring) tasks still PROVISIONING, kept with the strategy tally:
    /// with none, no replacement can be stuck waiting, and the scheduler skips that walk.
    pub provisioning_current: u32,
}

/// Active tasks of a placement group per zone.
#[derive(Clone, Debug, Default)]
pub struct GroupZones {
    pub all: Vec<u32>,
    pub fargate: Vec<u32>,
}

/// Per-zone runtime state.
#[derive(Clone, Copy, Debug, Default)]
pub struct ZoneState {
    pub down_until: Option<SimTime>,
}

/// One run of one scenario.
pub struct Simulation<'s> {
    pub sc: &'s Scenario,
    pub replication: u32,
    pub opts: RunOptions,
    pub queue: EventQueue<Event>,
    pub streams: RngStreams,
    pub now: SimTime,
    pub instances: Vec<Instance>,
    pub tasks: Vec<Task>,
    pub providers: Vec<ProviderState>,
    pub services: Vec<ServiceState>,
    pub batches: Vec<batch::BatchState>,
    pub zones: Vec<ZoneState>,
    pub fluid: fluid::FluidState,
    pub cost: cost::CostLedger,
    pub rec: Recorder<'s>,
    pub spot: spot::SpotState,
    /// Control-plane launch limits (token buckets).
    pub throttles: throttle::Throttles,
    /// Ordinal of the next task per task definition (keys startup draws).
    pub task_def_starts: Vec<u64>,
    /// Ordinal of the next stop per task definition (keys shutdown draws).
    pub task_def_stops: Vec<u64>,
    /// Ordinal of the next warm-up per task definition (keys warm-up draws).
    pub task_def_warmups: Vec<u64>,
    pub series: metrics::SeriesIds,
    /// The first broken invariant noticed inside the model (checked with `check_invariants`).
    pub violation: Option<String>,
    /// A cleared minute accumulator, swapped with a service's when its minute closes.
    pub minute_spare: Option<Box<fluid::MinuteAcc>>,
    pub last_cumulative_cost: f64,
    /// The run was cancelled (Ctrl-C); no results.
    pub cancelled: bool,
    /// Per service: some other service calls it (so not all its requests are entry requests).
    pub called: Vec<bool>,
    /// The minute's end-to-end distributions of callers, kept while their inputs repeat.
    pub e2e: e2e::E2eCache,
    /// Slots of stopped tasks, reused by new tasks.
    pub free_task_slots: Vec<u32>,
    /// Tasks created so far.
    pub next_serial: u64,
    /// The next tick or minute boundary.
    pub next_boundary: SimTime,
    /// The service scheduler's reused buffers.
    pub reconcile_scratch: scheduler::ReconcileScratch,
    /// The minute's health check failure probabilities of one service, per task definition
    /// (serving, idle): a buffer reused from one service and minute to the next.
    pub check_probs: Vec<(TaskDefId, f64, f64)>,
}

/// Named constants the model relies on that AWS does not publish exactly;
/// `summary.json` lists them under `assumptions` with the scaling module's.
pub const ASSUMPTIONS: &[(&str, &str)] = &[
    ("model::capacity::MANAGED_DRAINING_TIMEOUT", "3600s"),
    ("model::capacity::PRICE_CAPACITY_BAND", "0.05"),
    ("model::capacity::scale_in_halving", "ceil(excess / 2) instances per minute"),
    ("model::capacity::scale_from_zero", "2 instances"),
    ("scenario::assumed::SPOT_DISCOUNT", "0.65"),
    ("scenario::assumed::SPOT_INTERRUPTION_BAND", "<5%"),
    ("scenario::assumed::FARGATE_SPOT_DISCOUNT", "0.70"),
    ("scenario::assumed::METRIC_DELAY_S", "60"),
    ("scenario::assumed::LAUNCH_TIME", "lognormal median 90s p95 180s"),
    ("scenario::assumed::FARGATE_PROVISIONING", "lognormal median 35s p95 70s"),
    ("scenario::assumed::TASK_STARTUP_S", "10"),
    ("scenario::assumed::DNS_TTL_S", "60"),
    ("scenario::assumed::REQUEST_BYTES", "1024"),
    ("scenario::assumed::RESPONSE_BYTES", "10240"),
    ("catalog::REGISTERED_MEMORY_RULE", "floor(advertised MiB x 7985 / 8192)"),
    ("model::tasks::stop_exit", "without shutdown_time, a task exits at the end of its stop timeout"),
    ("model::cost::spot_minimum", "spot instances are billed at least 60 s, like on-demand"),
    ("model::cost::fargate_billing_start", "Fargate bills from PENDING (image pull) to STOPPED"),
    ("model::cost::ec2_billing_start", "EC2 bills from the launch request"),
    ("model::cost_items::one_connection_per_request", "every request through a load balancer opens a connection"),
    ("model::cost_items::gb", "a billed GB of load balancer and transfer traffic is 2^30 bytes"),
    ("catalog::DEFAULT_ROOT_VOLUME_GIB", "30 GiB gp3 (ECS-optimized AL2023 AMI, UNCONFIRMED)"),
    ("model::capacity::cpr_alarms", "scale-out 1 of 1 above target, scale-in 15 of 15 below (observed)"),
    ("scenario::assumed::FARGATE_SPOT_BAND", "Fargate Spot uses the EC2 spot band unless given"),
    ("model::tasks::health_check_timing", "ELB checks a new target every interval from RUNNING"),
    (
        "model::fluid::service_connect_retry",
        "a Service Connect call cut off by a dying task is retried on another task",
    ),
    ("model::throttle::asg_run_instances", "ASG launches take EC2 RunInstances tokens, one bucket for every ASG"),
];

/// Everything a finished run reports.
pub struct RunOutcome {
    pub summary: serde_json::Value,
}

impl<'s> Simulation<'s> {
    /// Builds the world at t = 0 as the scenario's initial state says.
    pub fn new(sc: &'s Scenario, replication: u32, opts: RunOptions, sink: Box<dyn Sink + Send + 's>) -> Self {
        let streams = RngStreams::new(sc.seed, replication);
        // Say why a proposal did not act only where events are kept (the text costs more than the decision).
        let explain = sink.wants_events();
        let providers = sc
            .providers
            .iter()
            .map(|p| ProviderState {
                desired: p.asg().map_or(0, |a| a.desired_capacity),
                launched: 0,
                tasks_assigned: 0,
                launch_attempts: 0,
                retries_pending: 0,
                instances: Vec::new(),
                waiting: Vec::new(),
                placement_requested: false,
                fargate_vcpu: 0.0,
                cpr_high: None,
                cpr_low: None,
                last_cpr: None,
                cpr_published: std::collections::VecDeque::new(),
                fleet: fleet::FleetTotals::default(),
                free: free_index::FreeIndex::new(sc.zones.len()),
            })
            .collect();
        let services = sc
            .services
            .iter()
            .map(|s| ServiceState {
                desired: s.desired_count,
                task_def: s.task_def,
                tasks: Vec::new(),
                live: Vec::new(),
                scaler: s.auto_scaling.clone().map(|a| {
                    let scaler = ServiceScaler::new(a);
                    if explain { scaler.explaining_held_back() } else { scaler }
                }),
                deployment: None,
                reconcile_pending: false,
                placements: 0,
                published: std::collections::VecDeque::new(),
                zones: GroupZones { all: vec![0; sc.zones.len()], fargate: vec![0; sc.zones.len()] },
                by_strategy_item: vec![0; s.strategy.len()],
                retiring_live: 0,
                holds_stand_in: false,
                last_completed: s.task_def,
                launches_stopped: false,
                fail_open: false,
                checks_pending: false,
                failed_going: 0,
                provisioning_current: 0,
            })
            .collect();
        let mut sim = Simulation {
            sc,
            replication,
            opts,
            queue: EventQueue::with_capacity(1024),
            streams,
            now: SimTime::ZERO,
            instances: Vec::new(),
            tasks: Vec::new(),
            providers,
            services,
            batches: sc
                .batch
                .iter()
                .map(|_| batch::BatchState {
                    zones: GroupZones { all: vec![0; sc.zones.len()], fargate: vec![0; sc.zones.len()] },
                    ..batch::BatchState::default()
                })
                .collect(),
            zones: vec![ZoneState::default(); sc.zones.len()],
            fluid: fluid::FluidState::new(sc),
            cost: cost::CostLedger::new(sc),
            rec: Recorder::new(sc, sink),
            spot: spot::SpotState::new(sc),
            throttles: throttle::Throttles::new(&sc.limits, sc.services.len()),
            task_def_starts: vec![0; sc.task_defs.len()],
            task_def_stops: vec![0; sc.task_defs.len()],
            task_def_warmups: vec![0; sc.task_defs.len()],
            series: metrics::SeriesIds::default(),
            violation: None,
            minute_spare: None,
            last_cumulative_cost: 0.0,
            cancelled: false,
            free_task_slots: Vec::new(),
            next_serial: 0,
            called: (0..sc.services.len())
                .map(|i| sc.services.iter().any(|s| s.calls.iter().any(|c| c.service.idx() == i)))
                .collect(),
            e2e: e2e::E2eCache::default(),
            next_boundary: SimTime::ZERO,
            reconcile_scratch: scheduler::ReconcileScratch::default(),
            check_probs: Vec::new(),
        };
        sim.register_series();
        sim.init_capacity_alarms();
        sim.start();
        sim
    }

    /// Schedules an event; model code never schedules into the past.
    pub fn at(&mut self, time: SimTime, event: Event) {
        self.queue.schedule_at_or_now(time, event);
    }

    pub fn after(&mut self, delay: SimDuration, event: Event) {
        self.queue.schedule_at_or_now(self.now + delay, event);
    }

    fn start(&mut self) {
        let steady = self.sc.initial_state == InitialState::Steady;
        self.init_instances(steady);
        for s in 0..self.sc.services.len() {
            let sid = ServiceId::from_idx(s);
            let desired = self.services[s].desired;
            for _ in 0..desired {
                self.create_service_task(sid, steady);
            }
        }
        self.schedule_scripted_and_schedules();
        self.spot_start();
        for p in 0..self.providers.len() {
            self.request_placement(ProviderId::from_idx(p));
        }
        for s in 0..self.services.len() {
            self.request_reconcile(ServiceId::from_idx(s));
        }
    }

    /// Runs to the end of the horizon and returns the summary.
    pub fn run(mut self) -> Result<RunOutcome, RunError> {
        let end = self.sc.end();
        self.run_until(end)?;
        self.now = end;
        let outcome = self.finish();
        let non_finite = summary::non_finite_figures(&outcome.summary);
        if !non_finite.is_empty() {
            return Err(RunError::NonFinite(non_finite));
        }
        Ok(outcome)
    }

    /// Processes every event up to and including `limit` (tests inspect the world in between).
    pub fn run_until(&mut self, limit: SimTime) -> Result<(), RunError> {
        loop {
            // Clock boundaries (ticks and minutes) come before events at the same instant, so
            // a minute is closed before anything that happens at its end is counted.
            let boundary = self.next_boundary;
            if boundary <= limit && self.queue.peek_time().is_none_or(|t| boundary <= t) {
                self.now = boundary;
                self.on_boundary();
                if self.cancelled {
                    return Err(RunError::Interrupted);
                }
                continue;
            }
            let Some((t, ev)) = self.queue.pop_until(limit) else { break };
            self.now = t;
            self.handle(ev);
            if self.opts.check_invariants {
                if let Err(what) = self.check_invariants() {
                    return Err(RunError::InvariantViolated { at: self.now, event: ev, what });
                }
                self.last_cumulative_cost = self.cost.cumulative;
            }
        }
        Ok(())
    }

    fn handle(&mut self, ev: Event) {
        match ev {
            Event::InstanceReady(i) => self.on_instance_ready(i),
            Event::LaunchRetry { provider, avoid } => self.on_launch_retry(provider, avoid),
            Event::PlaceWaiting(p) => self.place_waiting(p),
            Event::TaskProvisioned(t) => self.on_task_provisioned(t),
            Event::FargateRetry(t) => self.on_fargate_retry(t),
            Event::TaskStarted(t) => self.on_task_started(t),
            Event::TaskHealthy(t) => self.on_task_healthy(t),
            Event::TaskUnhealthy(t) => self.on_task_unhealthy(t),
            Event::TargetUnhealthy(t) => self.on_target_unhealthy(t),
            Event::TaskDeregistered(t) => self.on_task_deregistered(t),
            Event::TaskExited(t) => self.on_task_exited(t),
            Event::BatchWorkDone(t) => self.on_batch_work_done(t),
            Event::Reconcile(s) => self.reconcile(s),
            Event::SpotNotice(i) => self.on_spot_notice(i),
            Event::SpotReclaimed(i) => self.on_spot_reclaimed(i),
            Event::DrainTimeout(i) => self.on_drain_timeout(i),
            Event::FargateSpotNotice(t) => self.on_fargate_spot_notice(t),
            Event::FargateSpotKill(t) => self.on_fargate_spot_kill(t),
            Event::Reclaim(pool) => self.on_reclaim(pool),
            Event::ScheduledAction { service, action } => self.on_scheduled_action(service, action),
            Event::BatchFire(b) => self.on_batch_fire(b),
            Event::Scripted(i) => self.on_scripted(i),
            Event::OutageEnd(z) => self.on_outage_end(z),
            Event::Refresh => self.flush(),
            Event::LbGhostGone(s) => self.on_lb_ghost_gone(s),
            Event::SpotPrice(pool) => self.on_spot_price(pool),
            Event::ThrottledLaunch { provider, avoid } => self.on_throttled_launch(provider, avoid),
            Event::LaunchTask(t) => self.on_launch_task(t),
            Event::FargateReclaim(k) => self.on_fargate_reclaim(k),
        }
    }

    /// The fluid step at tick boundaries and the minute's bookkeeping at
    /// minute boundaries (a tick longer than a minute still closes every minute).
    fn on_boundary(&mut self) {
        if self.opts.cancel.as_ref().is_some_and(|c| c.load(std::sync::atomic::Ordering::Relaxed)) {
            self.cancelled = true;
            return;
        }
        self.flush();
        self.add_entry_offered();
        let now = self.now.as_millis();
        if now.is_multiple_of(MS_PER_MINUTE) && now > 0 {
            self.close_minute();
        }
        let end = self.sc.end();
        if self.now >= end {
            self.next_boundary = SimTime::MAX;
            return;
        }
        let tick = self.sc.tick.as_millis();
        if now.is_multiple_of(tick) {
            self.fluid_tick();
        }
        let next_tick = (now / tick + 1) * tick;
        let next_minute = (now / MS_PER_MINUTE + 1) * MS_PER_MINUTE;
        self.next_boundary = SimTime::from_millis(next_tick.min(next_minute)).min(end);
    }

    /// True once the warm-up is over: summary figures count from then on.
    pub fn counting(&self) -> bool {
        self.now >= SimTime::ZERO + self.sc.warmup
    }

    pub fn task(&self, t: TaskId) -> &Task {
        &self.tasks[t.idx()]
    }

    pub fn instance(&self, i: InstanceId) -> &Instance {
        &self.instances[i.idx()]
    }

    pub fn task_state(&self, t: TaskId) -> TaskState {
        self.tasks[t.idx()].state
    }

    pub fn zone_up(&self, z: ZoneId) -> bool {
        self.zones[z.idx()].down_until.is_none()
    }

    /// Runs the service scheduler for `s` at the current instant (once, however often asked).
    pub fn request_reconcile(&mut self, s: ServiceId) {
        let st = &mut self.services[s.idx()];
        if !st.reconcile_pending {
            st.reconcile_pending = true;
            self.at(self.now, Event::Reconcile(s));
        }
    }

    /// Retries waiting tasks of provider `p` at the current instant (once, however often asked).
    pub fn request_placement(&mut self, p: ProviderId) {
        let st = &mut self.providers[p.idx()];
        if !st.placement_requested && !st.waiting.is_empty() {
            st.placement_requested = true;
            self.at(self.now, Event::PlaceWaiting(p));
        }
    }
}

/// Runs one scenario replication to completion.
pub fn simulate(
    sc: &Scenario,
    replication: u32,
    opts: RunOptions,
    sink: Box<dyn Sink + Send + '_>,
) -> Result<RunOutcome, RunError> {
    Simulation::new(sc, replication, opts, sink).run()
}

#[cfg(test)]
mod assumptions_tests {
    use super::ASSUMPTIONS;
    use crate::scenario::resolve::assumed;

    /// Every entry of [`ASSUMPTIONS`] that quotes a constant, printed from that
    /// constant: a default changed in one place and not the other fails here.
    #[test]
    fn assumptions_quote_their_constants() {
        let from_constants: Vec<(&str, String)> = vec![
            (
                "model::capacity::MANAGED_DRAINING_TIMEOUT",
                format!("{}s", super::capacity::MANAGED_DRAINING_TIMEOUT.as_millis() / 1000),
            ),
            ("model::capacity::PRICE_CAPACITY_BAND", format!("{}", super::capacity::PRICE_CAPACITY_BAND)),
            ("scenario::assumed::SPOT_DISCOUNT", format!("{:.2}", assumed::SPOT_DISCOUNT)),
            ("scenario::assumed::SPOT_INTERRUPTION_BAND", assumed::SPOT_INTERRUPTION_BAND.to_string()),
            ("scenario::assumed::FARGATE_SPOT_DISCOUNT", format!("{:.2}", assumed::FARGATE_SPOT_DISCOUNT)),
            ("scenario::assumed::METRIC_DELAY_S", format!("{}", assumed::METRIC_DELAY_S)),
            (
                "scenario::assumed::LAUNCH_TIME",
                format!("lognormal median {}s p95 {}s", assumed::LAUNCH_MEDIAN_S, assumed::LAUNCH_P95_S),
            ),
            (
                "scenario::assumed::FARGATE_PROVISIONING",
                format!(
                    "lognormal median {}s p95 {}s",
                    assumed::FARGATE_PROVISIONING_MEDIAN_S,
                    assumed::FARGATE_PROVISIONING_P95_S
                ),
            ),
            ("scenario::assumed::TASK_STARTUP_S", format!("{}", assumed::TASK_STARTUP_S)),
            ("scenario::assumed::DNS_TTL_S", format!("{}", assumed::DNS_TTL_S)),
            ("scenario::assumed::REQUEST_BYTES", format!("{}", assumed::REQUEST_BYTES)),
            ("scenario::assumed::RESPONSE_BYTES", format!("{}", assumed::RESPONSE_BYTES)),
        ];
        for (name, text) in &from_constants {
            let listed = ASSUMPTIONS.iter().find(|(n, _)| n == name).map(|(_, v)| *v);
            assert_eq!(listed, Some(text.as_str()), "{name}");
        }
        // Every scenario default is checked above, except the one stated in words.
        let checked = |n: &str| from_constants.iter().any(|(c, _)| *c == n);
        let unchecked: Vec<&str> = ASSUMPTIONS
            .iter()
            .map(|(n, _)| *n)
            .filter(|n| n.starts_with("scenario::assumed::") && !checked(n))
            .collect();
        assert_eq!(unchecked, ["scenario::assumed::FARGATE_SPOT_BAND"]);
    }
}
