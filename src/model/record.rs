//! What a run remembers: counters for the summary, the per-minute time
//! series (aggregated to the output interval) and the event log. Outputs go
//! to a [`Sink`]; a sweep passes a sink that keeps nothing.

use super::e2e::E2eHistogram;
use super::entities::{InstanceState, Owner, StopReason, TaskState};
use super::placement::PlacementFailure;
use super::queueing::Mixture;
use crate::engine::{SimDuration, SimTime};
use crate::scaling::Direction;
use crate::scenario::{ProviderId, Scenario, ServiceId};
use std::fmt;

/// Where time series rows and events go.
pub trait Sink: Send {
    fn wants_rows(&self) -> bool;
    fn wants_events(&self) -> bool;
    fn row(&mut self, time_s: u64, scope: &str, name: &str, metric: &str, value: f64);
    fn event(&mut self, time: SimTime, kind: &str, scope: &str, name: &str, detail: fmt::Arguments<'_>);
}

/// A sink that keeps nothing (sweeps, benchmarks).
pub struct NullSink;

/// A borrowed sink, so the caller keeps the sink (to finish its files) after the run.
impl<T: Sink + ?Sized> Sink for &mut T {
    fn wants_rows(&self) -> bool {
        (**self).wants_rows()
    }
    fn wants_events(&self) -> bool {
        (**self).wants_events()
    }
    fn row(&mut self, time_s: u64, scope: &str, name: &str, metric: &str, value: f64) {
        (**self).row(time_s, scope, name, metric, value);
    }
    fn event(&mut self, time: SimTime, kind: &str, scope: &str, name: &str, detail: fmt::Arguments<'_>) {
        (**self).event(time, kind, scope, name, detail);
    }
}

impl Sink for NullSink {
    fn wants_rows(&self) -> bool {
        false
    }
    fn wants_events(&self) -> bool {
        false
    }
    fn row(&mut self, _: u64, _: &str, _: &str, _: &str, _: f64) {}
    fn event(&mut self, _: SimTime, _: &str, _: &str, _: &str, _: fmt::Arguments<'_>) {}
}

/// Request outcomes, in requests.
#[derive(Clone, Copy, Debug, Default)]
pub struct Requests {
    pub offered: f64,
    pub served: f64,
    pub shed: f64,
    pub timeout: f64,
    pub stale: f64,
    pub no_target: f64,
    pub downstream: f64,
    pub interrupted: f64,
    /// Served by every station but past a timeout end to end (model.md 8.8).
    pub end_to_end_timeout: f64,
}

impl Requests {
    pub fn failed(&self) -> f64 {
        self.shed
            + self.timeout
            + self.stale
            + self.no_target
            + self.downstream
            + self.interrupted
            + self.end_to_end_timeout
    }
}

/// Run-wide counters (after warm-up).
#[derive(Debug, Default)]
pub struct Totals {
    pub tasks_started: u64,
    pub instances_launched: u64,
    pub instances_interrupted: u64,
    /// Instances terminated by an availability zone outage (launching ones included).
    pub instances_zone_outage: u64,
    pub launch_failures: u64,
    pub capacity_scale_out: u64,
    pub capacity_scale_in: u64,
    pub killed_in_flight: f64,
    /// Per reason, indexed by [`PlacementFailure::index`].
    pub placement_failures: [u64; PlacementFailure::ALL.len()],
    pub stops: [u64; StopReason::ALL.len()],
    pub tasks_interrupted: u64,
    /// Tasks active (PROVISIONING to STOPPING) when counting began, so that
    /// active at start + started = stopped + active at the end.
    pub tasks_active_at_start: Option<u64>,
    /// Tasks still waiting for capacity when the first minute closed: the
    /// initial placement found no room for them (set once, at that minute).
    pub unplaced_at_start: Option<u64>,
    pub pending_task_seconds: f64,
    pub instances_peak: u32,
    pub slo_violation_minutes: u64,
    pub requests: Requests,
    /// Launches that waited for a token, per [`super::throttle::Limit`], and their longest wait.
    pub throttled: [u64; 4],
    pub throttled_max_wait_s: [f64; 4],
    /// Correlated Fargate Spot reclaims, the tasks they took, and launches a drought failed.
    pub fargate_reclaim_events: u64,
    pub fargate_reclaimed_tasks: u64,
    pub fargate_drought_failures: u64,
    /// End-to-end time of the entry requests of services that make calls.
    pub e2e_entry: E2eHistogram,
}

/// Per-service counters (after warm-up).
#[derive(Debug, Default)]
pub struct ServiceTotals {
    /// Per outgoing call edge, in `calls` order.
    pub calls: Vec<super::fluid::Edge>,
    pub tasks_started: u64,
    pub tasks_interrupted: u64,
    /// Serving targets taken out of rotation by health checks failed under load.
    pub targets_unhealthy: u64,
    pub scale_out: u64,
    pub scale_in: u64,
    pub requests: Requests,
    pub pending_task_seconds: f64,
    pub below_desired_minutes: u64,
    pub slo_violation_minutes: u64,
    /// End-to-end time of its admitted requests, when it makes calls.
    pub e2e: E2eHistogram,
    pub deployments: u64,
    pub deployments_completed: u64,
    pub deployments_stalled: u64,
    /// Deployments the circuit breaker failed.
    pub deployments_failed: u64,
    pub deployment_total_s: f64,
    pub deployment_max_s: f64,
    /// Actions per policy and scheduled action, every one listed (with 0) in config order.
    pub by_policy: Vec<(String, u64)>,
    /// Tasks per state, and since when the pending count last changed.
    pub by_state: [u32; 6],
    pending_since: SimTime,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Agg {
    /// Average over the minutes of the interval (rates, percentages).
    Mean,
    /// The value at the end of the interval (counts, cumulative sums, alarm states).
    Last,
}

struct Series {
    scope: &'static str,
    name: String,
    metric: String,
    agg: Agg,
}

/// A series' values in the current interval, apart from its names: every
/// minute adds to each of them, so they are kept small and together.
#[derive(Clone, Copy, Debug, Default)]
struct Interval {
    sum: f64,
    /// The latest value (meaningful when `count` > 0).
    last: f64,
    count: u32,
}

pub struct Recorder<'a> {
    sink: Box<dyn Sink + Send + 'a>,
    warmup: SimTime,
    pub totals: Totals,
    pub services: Vec<ServiceTotals>,
    /// Tasks per provider per state; instances per provider per state.
    pub provider_tasks: Vec<[u32; 6]>,
    pub provider_instances: Vec<[u32; 4]>,
    pending_since: SimTime,
    /// Some service with an SLO violated it in the minute being closed.
    pub minute_slo_violated: bool,
    series: Vec<Series>,
    /// By series id.
    intervals: Vec<Interval>,
    /// Latency components of the current output interval, per service.
    pub interval_latency: Vec<Mixture>,
    /// End-to-end time of the current output interval, per service that makes calls.
    pub interval_e2e: Vec<E2eHistogram>,
    interval: SimDuration,
    interval_start: SimTime,
}

fn state_index(s: TaskState) -> usize {
    s as usize
}

fn instance_index(s: InstanceState) -> usize {
    s as usize
}

impl<'a> Recorder<'a> {
    pub fn new(sc: &Scenario, sink: Box<dyn Sink + Send + 'a>) -> Recorder<'a> {
        Recorder {
            sink,
            warmup: SimTime::ZERO + sc.warmup,
            totals: Totals::default(),
            services: sc
                .services
                .iter()
                .map(|svc| {
                    let mut names: Vec<String> = Vec::new();
                    if let Some(a) = &svc.auto_scaling {
                        names.extend(a.target_tracking.iter().map(|p| p.name.clone()));
                        names.extend(a.step_scaling.iter().map(|p| p.name.clone()));
                        names.extend(a.predictive.iter().map(|p| p.name.clone()));
                    }
                    names.extend(svc.scheduled_actions.iter().map(|a| a.name.clone()));
                    ServiceTotals {
                        by_policy: names.into_iter().map(|n| (n, 0)).collect(),
                        calls: vec![super::fluid::Edge::default(); svc.calls.len()],
                        ..ServiceTotals::default()
                    }
                })
                .collect(),
            provider_tasks: vec![[0; 6]; sc.providers.len()],
            provider_instances: vec![[0; 4]; sc.providers.len()],
            pending_since: SimTime::ZERO,
            minute_slo_violated: false,
            series: Vec::new(),
            intervals: Vec::new(),
            interval_latency: vec![Mixture::default(); sc.services.len()],
            interval_e2e: vec![E2eHistogram::default(); sc.services.len()],
            interval: sc.output.timeseries_interval,
            interval_start: SimTime::ZERO,
        }
    }

    fn counting(&self, now: SimTime) -> bool {
        now >= self.warmup
    }

    pub fn wants_rows(&self) -> bool {
        self.sink.wants_rows()
    }

    /// Logs an event (formatting only when the sink keeps events).
    pub fn event(&mut self, now: SimTime, kind: &str, scope: &str, name: &str, detail: fmt::Arguments<'_>) {
        if self.sink.wants_events() {
            self.sink.event(now, kind, scope, name, detail);
        }
    }

    /// Registers a series and returns its id (call in a fixed order).
    pub fn register(&mut self, scope: &'static str, name: &str, metric: &str, agg: Agg) -> usize {
        self.series.push(Series { scope, name: name.to_string(), metric: metric.to_string(), agg });
        self.intervals.push(Interval::default());
        self.series.len() - 1
    }

    /// One minute's value of a series (None = undefined, left out).
    pub fn put(&mut self, id: usize, value: Option<f64>) {
        let Some(v) = value.filter(|v| v.is_finite()) else { return };
        let s = &mut self.intervals[id];
        s.sum += v;
        s.count += 1;
        s.last = v;
    }

    /// Overrides a series' value for the whole interval (used for interval quantiles).
    pub fn set_interval_value(&mut self, id: usize, value: Option<f64>) {
        self.intervals[id] = match value.filter(|v| v.is_finite()) {
            Some(v) => Interval { sum: v, last: v, count: 1 },
            None => Interval::default(),
        };
    }

    /// Whether the minute ending at `minute_end` closes an output interval.
    pub fn interval_ends(&self, minute_end: SimTime, horizon_end: SimTime) -> bool {
        minute_end.saturating_since(self.interval_start) >= self.interval || minute_end >= horizon_end
    }

    /// Writes the interval's rows and starts the next interval.
    pub fn emit_interval(&mut self, minute_end: SimTime) {
        let time_s = self.interval_start.as_millis() / 1000;
        let wants = self.sink.wants_rows();
        for (s, acc) in self.series.iter().zip(&mut self.intervals) {
            if wants && acc.count > 0 {
                let v = match s.agg {
                    Agg::Mean => acc.sum / f64::from(acc.count),
                    Agg::Last => acc.last,
                };
                self.sink.row(time_s, s.scope, &s.name, &s.metric, v);
            }
            *acc = Interval::default();
        }
        for l in &mut self.interval_latency {
            l.clear();
        }
        for h in &mut self.interval_e2e {
            h.clear();
        }
        self.interval_start = minute_end;
    }

    pub fn task_state_changed(
        &mut self,
        now: SimTime,
        owner: Owner,
        provider: ProviderId,
        old: Option<TaskState>,
        new: Option<TaskState>,
    ) {
        let pending = |s: Option<TaskState>| matches!(s, Some(TaskState::Provisioning | TaskState::Pending));
        let counting = self.counting(now);
        // Tasks become active or stop only through a state change, so at the first change once
        // counting has begun the active count is still the one counting began with.
        if counting && self.totals.tasks_active_at_start.is_none() {
            self.totals.tasks_active_at_start = Some(self.tasks_active());
        }
        if let Owner::Service(s) = owner {
            let st = &mut self.services[s.idx()];
            if pending(old) != pending(new) {
                let n = f64::from(st.by_state[0] + st.by_state[1]);
                if counting {
                    st.pending_task_seconds +=
                        n * now.saturating_since(st.pending_since.max(self.warmup)).as_secs_f64();
                }
                st.pending_since = now;
            }
            if let Some(o) = old {
                st.by_state[state_index(o)] -= 1;
            }
            if let Some(n) = new {
                st.by_state[state_index(n)] += 1;
            }
        }
        if pending(old) != pending(new) {
            let n: u32 = self.provider_tasks.iter().map(|c| c[0] + c[1]).sum();
            if counting {
                self.totals.pending_task_seconds +=
                    f64::from(n) * now.saturating_since(self.pending_since.max(self.warmup)).as_secs_f64();
            }
            self.pending_since = now;
        }
        let pt = &mut self.provider_tasks[provider.idx()];
        if let Some(o) = old {
            pt[state_index(o)] -= 1;
        }
        if let Some(n) = new {
            pt[state_index(n)] += 1;
        }
    }

    /// Closes the pending-task integrals at the end of the run.
    pub fn close_pending(&mut self, now: SimTime) {
        let warmup = self.warmup;
        for st in &mut self.services {
            let n = f64::from(st.by_state[0] + st.by_state[1]);
            st.pending_task_seconds += n * now.saturating_since(st.pending_since.max(warmup)).as_secs_f64();
            st.pending_since = now;
        }
        let n: u32 = self.provider_tasks.iter().map(|c| c[0] + c[1]).sum();
        self.totals.pending_task_seconds +=
            f64::from(n) * now.saturating_since(self.pending_since.max(warmup)).as_secs_f64();
        self.pending_since = now;
    }

    pub fn instance_state(
        &mut self,
        now: SimTime,
        p: ProviderId,
        old: Option<InstanceState>,
        new: Option<InstanceState>,
    ) {
        let c = &mut self.provider_instances[p.idx()];
        if let Some(o) = old {
            c[instance_index(o)] -= 1;
        }
        if let Some(n) = new {
            c[instance_index(n)] += 1;
        }
        if self.counting(now) {
            let live: u32 = self.provider_instances.iter().map(|c| c[0] + c[1] + c[2]).sum();
            self.totals.instances_peak = self.totals.instances_peak.max(live);
        }
    }

    /// Starts counting peaks at the end of the warm-up from the current state.
    pub fn warmup_over(&mut self) {
        let live: u32 = self.provider_instances.iter().map(|c| c[0] + c[1] + c[2]).sum();
        self.totals.instances_peak = self.totals.instances_peak.max(live);
    }

    /// Tasks active now (PROVISIONING to STOPPING), from the per-provider state tallies.
    pub fn tasks_active(&self) -> u64 {
        let stopped = state_index(TaskState::Stopped);
        self.provider_tasks.iter().map(|c| c[..stopped].iter().map(|&n| u64::from(n)).sum::<u64>()).sum()
    }

    /// Tasks active when counting began (now, if nothing has changed since).
    pub fn tasks_active_at_start(&self) -> u64 {
        self.totals.tasks_active_at_start.unwrap_or_else(|| self.tasks_active())
    }

    pub fn count_stop(&mut self, now: SimTime, owner: Owner, reason: StopReason) {
        if !self.counting(now) {
            return;
        }
        let k = StopReason::ALL.iter().position(|&r| r == reason).unwrap_or(0);
        self.totals.stops[k] += 1;
        if reason.is_interruption() {
            self.totals.tasks_interrupted += 1;
            if let Owner::Service(s) = owner {
                self.services[s.idx()].tasks_interrupted += 1;
            }
        }
    }

    pub fn count_placement_failure(&mut self, reason: PlacementFailure) {
        self.totals.placement_failures[reason.index()] += 1;
    }

    pub fn count_scaling(&mut self, s: ServiceId, d: Direction, policy: &str) {
        let st = &mut self.services[s.idx()];
        match d {
            Direction::Out => st.scale_out += 1,
            Direction::In => st.scale_in += 1,
        }
        if let Some(entry) = st.by_policy.iter_mut().find(|(n, _)| n == policy) {
            entry.1 += 1;
        }
    }

    pub fn deployment_started(&mut self, s: ServiceId) {
        self.services[s.idx()].deployments += 1;
    }

    pub fn deployment_completed(&mut self, s: ServiceId, took: SimDuration) {
        let st = &mut self.services[s.idx()];
        st.deployments_completed += 1;
        st.deployment_total_s += took.as_secs_f64();
        st.deployment_max_s = st.deployment_max_s.max(took.as_secs_f64());
    }

    pub fn deployment_superseded(&mut self, s: ServiceId, took: SimDuration) {
        let st = &mut self.services[s.idx()];
        st.deployment_total_s += took.as_secs_f64();
        st.deployment_max_s = st.deployment_max_s.max(took.as_secs_f64());
    }

    pub fn deployment_stalled(&mut self, s: ServiceId) {
        self.services[s.idx()].deployments_stalled += 1;
    }
}
