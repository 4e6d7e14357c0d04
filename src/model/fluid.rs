//! The fluid workload: request rates through the services, integrated
//! piecewise between the instants the serving sets change.
//!
//! Each service receives its entry rate (through its load balancer if it has
//! one) plus the calls of its callers (through their route). Traffic is split
//! evenly over the serving tasks; a route that still knows dead endpoints
//! (targets the load balancer has not yet marked unhealthy, records cached in
//! callers' DNS) sends them their share, which fails. Each task is an M/M/1
//! queue with a timeout (see `queueing`). A caller's request fails when one
//! of its downstream calls fails.

use super::queueing::{self, Component, LatencyHistogram, TaskLoad};
use super::{Event, Simulation};
use crate::engine::{SimDuration, SimTime};

/// Slices of a DNS TTL over which stale weights are re-evaluated.
const DNS_SLICES: u64 = 16;
use crate::scenario::{CallRoute, Scenario, ServiceId, TaskDefId, Workload};

/// Serving tasks of one task definition within a service.
#[derive(Clone, Debug)]
pub struct Group {
    pub task_def: TaskDefId,
    pub serving: u32,
    /// Tasks whose CPU and memory CloudWatch averages (RUNNING through STOPPING).
    pub reporting: u32,
    /// Requests per second one task can serve.
    pub mu: f64,
    /// Most requests per second one task admits (see `queueing::admission_limit`).
    pub limit: f64,
    /// Set through [`Group::set_load`], which keeps the CPU and memory below in step.
    pub load: TaskLoad,
    /// The task definition's memory (MiB), which the memory percentages divide by.
    memory_mib: f64,
    /// CPU% and memory% of a serving task under `load`, and memory% of an idle task:
    /// computed when the load changes, not at every integration (the same expressions).
    busy_cpu: f64,
    busy_mem: f64,
    idle_mem: f64,
}

impl Group {
    /// A group of task definition `td` with no task yet.
    fn new(w: &Workload, td: TaskDefId, memory_mib: f64, mu: f64, limit: f64) -> Self {
        let mut g = Group {
            task_def: td,
            serving: 0,
            reporting: 0,
            mu,
            limit,
            load: queueing::task_load(0.0, 1.0, 1.0, 1.0),
            memory_mib,
            busy_cpu: 0.0,
            busy_mem: 0.0,
            idle_mem: memory_percent(w, 0.0, memory_mib),
        };
        g.set_load(g.load, w);
        g
    }

    fn set_load(&mut self, load: TaskLoad, w: &Workload) {
        self.load = load;
        self.busy_cpu = (w.baseline_cpu_percent + 100.0 * load.utilization).min(100.0);
        self.busy_mem = memory_percent(w, load.in_flight, self.memory_mib);
    }
}

/// Memory% of a task holding `in_flight` requests (CloudWatch's MemoryUtilization).
fn memory_percent(w: &Workload, in_flight: f64, memory_mib: f64) -> f64 {
    ((w.memory_base_mib + w.memory_per_inflight_mib * in_flight) / memory_mib * 100.0).min(100.0)
}

/// A DNS record callers still hold for a task that is gone.
#[derive(Clone, Copy, Debug)]
pub struct DnsGhost {
    pub task: super::entities::TaskId,
    pub removed_at: SimTime,
    /// Before this the task still answers (it is draining behind its LB).
    pub dead_from: SimTime,
    pub expires_at: SimTime,
}

/// Rates of one service during the current segment (requests/s).
#[derive(Clone, Debug, Default)]
pub struct Rates {
    pub offered: f64,
    pub entry_offered: f64,
    /// Offered requests reaching tasks (incl. those then shed).
    pub to_tasks: f64,
    /// Requests into healthy targets through the load balancer.
    pub lb_to_tasks: f64,
    pub served_local: f64,
    pub served: f64,
    pub shed: f64,
    pub timed_out: f64,
    pub stale: f64,
    pub no_target: f64,
    pub downstream: f64,
    pub entry_stale: f64,
    pub entry_no_target: f64,
    /// Share of `to_tasks` that is entry traffic.
    pub entry_share: f64,
    pub capacity: f64,
    /// Calls arriving by route: load balancer, service discovery, service connect.
    pub calls_in: [f64; 3],
    /// Per route: the share of calls sent to a stale endpoint, and whether no
    /// target exists at all (every call fails).
    pub route_stale_share: [f64; 3],
    pub route_no_target: [bool; 3],
    /// This service's outgoing calls, in `calls` order (requests/s).
    pub calls_out: Vec<Edge>,
    /// Products the integration adds up, formed once per rate change with the
    /// integration's own operation order (`offered − entry_offered`, `served ×
    /// entry_share`, ...), so each sum gets the same bits as before.
    pub calls_offered: f64,
    pub entry_served: f64,
    pub entry_shed: f64,
    pub entry_timed_out: f64,
    pub entry_downstream: f64,
}

/// One call edge (caller → callee): calls sent, and those failed at a stale
/// endpoint or for want of any target. Rates (requests/s) in [`Rates`], sums
/// (requests) over a minute or a run.
#[derive(Clone, Copy, Debug, Default)]
pub struct Edge {
    pub calls: f64,
    pub stale: f64,
    pub no_target: f64,
}

impl Edge {
    /// Adds `k` times `other` (rates over `k` seconds, or sums with `k` = 1).
    pub fn add_scaled(&mut self, other: &Edge, k: f64) {
        self.calls += other.calls * k;
        self.stale += other.stale * k;
        self.no_target += other.no_target * k;
    }
}

/// Index of a call route in [`Rates::calls_in`] and the route tables.
fn route_index(via: CallRoute) -> usize {
    match via {
        CallRoute::LoadBalancer => 0,
        CallRoute::ServiceDiscovery => 1,
        CallRoute::ServiceConnect => 2,
    }
}

/// Per-minute sums of one service (requests, not rates).
#[derive(Clone, Debug, Default)]
pub struct MinuteAcc {
    pub offered: f64,
    pub served: f64,
    pub failed_shed: f64,
    pub failed_timeout: f64,
    pub failed_stale: f64,
    pub failed_no_target: f64,
    pub failed_downstream: f64,
    pub failed_interrupted: f64,
    /// Served by every station but past a timeout end to end (section 8.8).
    pub failed_end_to_end_timeout: f64,
    pub entry_offered: f64,
    pub entry_served: f64,
    pub entry_failed_shed: f64,
    pub entry_failed_timeout: f64,
    pub entry_failed_stale: f64,
    pub entry_failed_no_target: f64,
    pub entry_failed_downstream: f64,
    pub entry_failed_interrupted: f64,
    pub entry_failed_end_to_end_timeout: f64,
    pub latency: Vec<Component>,
    pub entry_latency: Vec<Component>,
    /// Per outgoing call edge, in `calls` order (sized on first use: the spare
    /// accumulator moves between services).
    pub calls: Vec<Edge>,
    /// ∫ Σ task CPU% dt and ∫ reporting tasks dt (CloudWatch average).
    pub cpu_task_seconds: f64,
    pub mem_task_seconds: f64,
    pub task_seconds: f64,
    pub cpu_min: Option<f64>,
    pub cpu_max: Option<f64>,
    pub mem_min: Option<f64>,
    pub mem_max: Option<f64>,
    pub lb_received: f64,
    pub healthy_target_seconds: f64,
    pub capacity_seconds: f64,
    pub seconds: f64,
}

impl MinuteAcc {
    /// Zeroes the sums, keeping the component buffers' capacity.
    pub fn clear(&mut self) {
        let (mut latency, mut entry_latency, mut calls) = (
            std::mem::take(&mut self.latency),
            std::mem::take(&mut self.entry_latency),
            std::mem::take(&mut self.calls),
        );
        latency.clear();
        entry_latency.clear();
        calls.clear();
        *self = MinuteAcc { latency, entry_latency, calls, ..MinuteAcc::default() };
    }
}

#[derive(Clone, Debug)]
pub struct ServiceFluid {
    pub entry_rate: f64,
    /// Milliseconds integrated at the current entry rate since the last clock
    /// boundary. The entry rate changes only at boundaries, so the offered entry
    /// requests are added there as one product: the same total whatever events
    /// split the interval (common random numbers keep the offered load exact).
    pub entry_ms: u64,
    pub groups: Vec<Group>,
    pub lb_ghosts: Vec<SimTime>,
    pub dns_ghosts: Vec<DnsGhost>,
    pub rates: Rates,
    /// Boxed: closing a minute swaps it for a cleared one instead of copying it.
    pub minute: Box<MinuteAcc>,
    /// Requests lost in tasks that died, still to be moved from served to failed.
    pub lost_in_flight: f64,
    pub lost_entry_in_flight: f64,
    /// Service Connect calls cut off by tasks that died at the last instant:
    /// retried if a task of the service still serves once that instant is
    /// over, lost otherwise (and the part of them that counts, after warm-up).
    pub retry_pending: f64,
    pub retry_pending_counted: f64,
    /// Run-long latency of all requests and of entry requests (after warm-up).
    pub latency_run: LatencyHistogram,
    pub entry_latency_run: LatencyHistogram,
}

/// The workload state of all services. Services that call each other form a
/// component; a change in one service re-integrates and recomputes only its
/// component, so unrelated services are not touched on every event.
pub struct FluidState {
    pub services: Vec<ServiceFluid>,
    /// Services of each call-graph component, callers first.
    pub components: Vec<Vec<ServiceId>>,
    pub component_of: Vec<usize>,
    /// Per component: integrated up to this instant.
    since: Vec<SimTime>,
    /// Per component: its rates must be recomputed before the next integration.
    dirty: Vec<bool>,
    /// Per component: Service Connect retries wait for their instant to end.
    retries_pending: Vec<bool>,
    /// The local hours the rate patterns read, once per zone and tick.
    local_hours: super::workload::LocalHours,
}

impl FluidState {
    pub fn new(sc: &Scenario) -> Self {
        FluidState {
            services: sc
                .services
                .iter()
                .map(|_| ServiceFluid {
                    entry_ms: 0,
                    entry_rate: 0.0,
                    groups: Vec::new(),
                    lb_ghosts: Vec::new(),
                    dns_ghosts: Vec::new(),
                    rates: Rates::default(),
                    minute: Box::default(),
                    lost_in_flight: 0.0,
                    lost_entry_in_flight: 0.0,
                    retry_pending: 0.0,
                    retry_pending_counted: 0.0,
                    latency_run: LatencyHistogram::default(),
                    entry_latency_run: LatencyHistogram::default(),
                })
                .collect(),
            components: Vec::new(),
            component_of: Vec::new(),
            since: Vec::new(),
            dirty: Vec::new(),
            retries_pending: Vec::new(),
            local_hours: super::workload::LocalHours::new(sc.services.iter().map(|s| &s.workload)),
        }
        .with_components(sc)
    }

    /// Groups services connected by `calls` (union-find), each group in call order.
    fn with_components(mut self, sc: &Scenario) -> Self {
        let n = sc.services.len();
        let mut parent: Vec<usize> = (0..n).collect();
        fn root(parent: &mut [usize], mut i: usize) -> usize {
            while parent[i] != i {
                parent[i] = parent[parent[i]];
                i = parent[i];
            }
            i
        }
        for (s, svc) in sc.services.iter().enumerate() {
            for c in &svc.calls {
                let (a, b) = (root(&mut parent, s), root(&mut parent, c.service.idx()));
                if a != b {
                    parent[a.max(b)] = a.min(b);
                }
            }
        }
        let mut index_of_root: Vec<Option<usize>> = vec![None; n];
        self.component_of = vec![0; n];
        for &sid in &sc.call_order {
            let r = root(&mut parent, sid.idx());
            let c = *index_of_root[r].get_or_insert_with(|| {
                self.components.push(Vec::new());
                self.components.len() - 1
            });
            self.components[c].push(sid);
            self.component_of[sid.idx()] = c;
        }
        self.since = vec![SimTime::ZERO; self.components.len()];
        self.dirty = vec![true; self.components.len()];
        self.retries_pending = vec![false; self.components.len()];
        self
    }

    fn group_mut(&mut self, sc: &Scenario, s: ServiceId, td: TaskDefId) -> &mut Group {
        let groups = &mut self.services[s.idx()].groups;
        let pos = match groups.iter().position(|g| g.task_def == td) {
            Some(p) => p,
            None => {
                let w = &sc.services[s.idx()].workload;
                let vcpu = sc.task_defs[td.idx()].cpu.vcpu();
                let mu = if w.cpu_per_request_s > 0.0 { vcpu / w.cpu_per_request_s } else { f64::INFINITY };
                let limit = queueing::admission_limit(mu, w.request_timeout_s);
                let memory = f64::from(sc.task_defs[td.idx()].memory.0);
                groups.push(Group::new(w, td, memory, mu, limit));
                groups.len() - 1
            }
        };
        &mut groups[pos]
    }

    pub fn add_serving(&mut self, sc: &Scenario, s: ServiceId, td: TaskDefId, delta: i32) {
        let g = self.group_mut(sc, s, td);
        g.serving = g.serving.saturating_add_signed(delta);
        self.mark_dirty(s);
    }

    /// The service's rates must be recomputed (its serving set, ghosts or load changed).
    pub fn mark_dirty(&mut self, s: ServiceId) {
        let c = self.component_of[s.idx()];
        self.dirty[c] = true;
    }

    pub fn add_reporting(&mut self, sc: &Scenario, s: ServiceId, td: TaskDefId, delta: i32) {
        let g = self.group_mut(sc, s, td);
        g.reporting = g.reporting.saturating_add_signed(delta);
    }

    /// Mean requests inside one task of this group now.
    pub fn task_in_flight(&self, s: ServiceId, td: TaskDefId) -> f64 {
        self.services[s.idx()].groups.iter().find(|g| g.task_def == td).map_or(0.0, |g| g.load.in_flight)
    }

    pub fn serving(&self, s: ServiceId) -> u32 {
        self.services[s.idx()].groups.iter().map(|g| g.serving).sum()
    }
}

impl Simulation<'_> {
    /// New entry rates at a tick boundary.
    pub fn fluid_tick(&mut self) {
        self.flush();
        let (now, cal) = (self.now, &self.sc.calendar);
        for (i, svc) in self.sc.services.iter().enumerate() {
            let hours = &mut self.fluid.local_hours;
            let rate = super::workload::entry_rate_in(&svc.workload, i, now, cal, &self.streams, |tz| {
                hours.hour(i, now, tz, cal)
            });
            if rate != self.fluid.services[i].entry_rate {
                self.fluid.services[i].entry_rate = rate;
                self.fluid.mark_dirty(ServiceId::from_idx(i));
            }
        }
    }

    /// Integrates every service up to now (at clock boundaries and the end).
    pub fn flush(&mut self) {
        for c in 0..self.fluid.components.len() {
            self.flush_component(c);
        }
    }

    /// Adds each service's offered entry requests since the last boundary (call
    /// right after [`Simulation::flush`] at a clock boundary, before the rates change).
    pub fn add_entry_offered(&mut self) {
        for f in &mut self.fluid.services {
            let offered = f.rates.entry_offered * (f.entry_ms as f64 / 1000.0);
            f.minute.offered += offered;
            f.minute.entry_offered += offered;
            f.entry_ms = 0;
        }
    }

    /// Integrates the component of service `s` up to now, before something changes it.
    pub fn flush_service(&mut self, s: ServiceId) {
        let c = self.fluid.component_of[s.idx()];
        self.flush_component(c);
    }

    /// Integrates one component with the rates of the state that held since its
    /// last integration (recomputing them first if that state changed).
    fn flush_component(&mut self, c: usize) {
        let now = self.now;
        let start = self.fluid.since[c];
        if now <= start {
            return;
        }
        if self.fluid.retries_pending[c] {
            self.settle_retries(c);
        }
        let fluid = &self.fluid;
        let mut dns_active = false;
        let mut ghosts = false;
        for s in &fluid.components[c] {
            let f = &fluid.services[s.idx()];
            dns_active |= !f.dns_ghosts.is_empty();
            ghosts |= !f.lb_ghosts.is_empty();
        }
        if self.fluid.dirty[c] || dns_active {
            let mid = SimTime::from_millis((start.as_millis() + now.as_millis()) / 2);
            self.compute_rates(c, mid);
            self.fluid.dirty[c] = dns_active;
        }
        let dt_ms = now.saturating_since(start).as_millis();
        let dt = dt_ms as f64 / 1000.0;
        let FluidState { services, components, .. } = &mut self.fluid;
        for s in &components[c] {
            let s = s.idx();
            integrate(&self.sc.services[s].workload, &mut services[s], dt, dt_ms);
        }
        self.fluid.since[c] = now;
        if ghosts || dns_active {
            self.expire_ghosts(c, now);
        }
    }

    fn expire_ghosts(&mut self, c: usize, now: SimTime) {
        let mut changed = false;
        for s in &self.fluid.components[c] {
            let f = &mut self.fluid.services[s.idx()];
            let before = f.lb_ghosts.len() + f.dns_ghosts.len();
            f.lb_ghosts.retain(|&t| t > now);
            f.dns_ghosts.retain(|g| g.expires_at > now);
            changed |= before != f.lb_ghosts.len() + f.dns_ghosts.len();
        }
        if changed {
            self.fluid.dirty[c] = true;
        }
    }

    /// A target that died while registered: the LB keeps sending it traffic until `until`.
    pub fn add_lb_ghost(&mut self, s: ServiceId, until: SimTime) {
        if until <= self.now {
            return;
        }
        self.flush_service(s);
        self.fluid.services[s.idx()].lb_ghosts.push(until);
        self.fluid.mark_dirty(s);
        self.at(until, Event::LbGhostGone(s));
    }

    /// Whether the load balancer still counts a dead target of `s` as healthy.
    pub fn lb_ghost_alive(&self, s: ServiceId) -> bool {
        self.fluid.services[s.idx()].lb_ghosts.iter().any(|&until| until > self.now)
    }

    /// A deregistered task whose DNS record callers may still hold.
    pub fn add_dns_ghost(
        &mut self,
        s: ServiceId,
        task: super::entities::TaskId,
        removed_at: SimTime,
        dead_from: SimTime,
    ) {
        let Some(d) = &self.sc.services[s.idx()].discovery else { return };
        let expires_at = removed_at + d.dns_ttl;
        if expires_at <= self.now || dead_from >= expires_at {
            return;
        }
        self.flush_service(s);
        self.fluid.services[s.idx()].dns_ghosts.push(DnsGhost { task, removed_at, dead_from, expires_at });
        self.fluid.mark_dirty(s);
        if dead_from > self.now {
            self.at(dead_from, Event::Refresh);
        }
        // The stale weight falls linearly; sixteen slices keep the midpoint rule within
        // a fraction of a percent of the exact failed calls.
        let step = (expires_at.saturating_since(removed_at).as_millis() / DNS_SLICES).max(1);
        for k in 1..=DNS_SLICES {
            let at = removed_at + SimDuration::from_millis(k * step);
            if at > self.now && at > dead_from && at < expires_at {
                self.at(at, Event::Refresh);
            }
        }
        self.at(expires_at, Event::Refresh);
    }

    /// A task whose DNS record callers still hold died early: their calls fail from now.
    pub fn dns_ghost_died(&mut self, s: ServiceId, task: super::entities::TaskId) {
        let now = self.now;
        if self.fluid.services[s.idx()].dns_ghosts.iter().any(|g| g.task == task && g.dead_from > now) {
            self.flush_service(s);
            for g in &mut self.fluid.services[s.idx()].dns_ghosts {
                if g.task == task && g.dead_from > now {
                    g.dead_from = now;
                }
            }
            self.fluid.mark_dirty(s);
        }
    }

    /// Requests lost inside a task that died.
    pub fn record_killed_in_flight(&mut self, s: ServiceId, lost: f64) {
        if lost <= 0.0 {
            return;
        }
        let counting = self.now >= SimTime::ZERO + self.sc.warmup;
        let f = &mut self.fluid.services[s.idx()];
        let r = &f.rates;
        // Entry requests never come through Service Connect.
        f.lost_entry_in_flight += lost * r.entry_share;
        // Service Connect callers' proxies retry a cut-off call on another task;
        // whether one is left is known once every death of this instant is done.
        let retryable = if r.to_tasks > 0.0 {
            lost * (r.calls_in[route_index(CallRoute::ServiceConnect)] / r.to_tasks).clamp(0.0, 1.0)
        } else {
            0.0
        };
        f.retry_pending += retryable;
        if retryable > 0.0 {
            self.fluid.retries_pending[self.fluid.component_of[s.idx()]] = true;
        }
        // They were counted as served as they arrived, possibly in an earlier
        // minute; they move from served to failed as the next minutes close.
        f.lost_in_flight += lost - retryable;
        if counting {
            f.retry_pending_counted += retryable;
            self.rec.totals.killed_in_flight += lost - retryable;
        }
    }

    /// Settles the Service Connect retries of an instant that is over: they
    /// succeed on a task that still serves, or are lost with the others.
    fn settle_retries(&mut self, c: usize) {
        if !std::mem::take(&mut self.fluid.retries_pending[c]) {
            return;
        }
        for k in 0..self.fluid.components[c].len() {
            let s = self.fluid.components[c][k];
            let none_serving = self.fluid.serving(s) == 0;
            let f = &mut self.fluid.services[s.idx()];
            if f.retry_pending > 0.0 && none_serving {
                f.lost_in_flight += f.retry_pending;
                self.rec.totals.killed_in_flight += f.retry_pending_counted;
            }
            f.retry_pending = 0.0;
            f.retry_pending_counted = 0.0;
        }
    }

    /// Settles what the last instant left pending, everywhere (at the end of the run).
    pub fn settle_all_retries(&mut self) {
        for c in 0..self.fluid.components.len() {
            self.settle_retries(c);
        }
    }

    /// Rates of every service for the state now, with DNS weights at `t`.
    fn compute_rates(&mut self, c: usize, t: SimTime) {
        let sc = self.sc;
        let order = std::mem::take(&mut self.fluid.components[c]);
        for s in &order {
            let rates = &mut self.fluid.services[s.idx()].rates;
            let mut calls_out = std::mem::take(&mut rates.calls_out);
            calls_out.clear();
            *rates = Rates { calls_out, ..Rates::default() };
        }
        // Callers first: demand flows down the call graph.
        for &sid in &order {
            let s = sid.idx();
            let cfg = &sc.services[s];
            let timeout = cfg.workload.request_timeout_s;
            let f = &mut self.fluid.services[s];
            let n: u32 = f.groups.iter().map(|g| g.serving).sum();
            let n_f = f64::from(n);
            let lb_ghosts = f.lb_ghosts.len() as f64;
            let dns_weight: f64 = f
                .dns_ghosts
                .iter()
                .filter(|g| t >= g.dead_from)
                .map(|g| {
                    1.0 - t.saturating_since(g.removed_at).as_secs_f64()
                        / g.expires_at.saturating_since(g.removed_at).as_secs_f64()
                })
                .map(|w| w.clamp(0.0, 1.0))
                .sum();
            let entry_ghosts = if cfg.load_balancer.is_some() { lb_ghosts } else { 0.0 };
            let calls = f.rates.calls_in;
            let routes = [
                (f.entry_rate, entry_ghosts, true),
                (calls[0], lb_ghosts, false),
                (calls[1], dns_weight, false),
                (calls[2], 0.0, false),
            ];
            let r = &mut f.rates;
            for (k, &(_, ghosts, _)) in routes[1..].iter().enumerate() {
                r.route_no_target[k] = n == 0 && ghosts <= 0.0;
                r.route_stale_share[k] = if n_f + ghosts > 0.0 { ghosts / (n_f + ghosts) } else { 0.0 };
            }
            for (rate, ghosts, is_entry) in routes {
                if rate <= 0.0 {
                    continue;
                }
                r.offered += rate;
                if is_entry {
                    r.entry_offered += rate;
                }
                if n == 0 && ghosts <= 0.0 {
                    r.no_target += rate;
                    if is_entry {
                        r.entry_no_target += rate;
                    }
                    continue;
                }
                let stale = rate * ghosts / (n_f + ghosts);
                r.stale += stale;
                r.to_tasks += rate - stale;
                if is_entry {
                    r.entry_stale += stale;
                    r.entry_share += rate - stale;
                }
            }
            if cfg.load_balancer.is_some() {
                let via_lb = f.entry_rate + calls[0];
                r.lb_to_tasks = if n > 0 { via_lb * n_f / (n_f + lb_ghosts) } else { 0.0 };
            }
            r.entry_share = if r.to_tasks > 0.0 { r.entry_share / r.to_tasks } else { 0.0 };
            let lambda = if n > 0 { r.to_tasks / n_f } else { 0.0 };
            for g in &mut f.groups {
                g.set_load(queueing::task_load(lambda, g.mu, g.limit, timeout), &cfg.workload);
                if g.serving > 0 {
                    let k = f64::from(g.serving);
                    r.served_local += k * g.load.served;
                    r.shed += k * g.load.shed;
                    r.timed_out += k * g.load.timed_out;
                    r.capacity += k * g.mu;
                }
            }
            let served_local = r.served_local;
            for c in &cfg.calls {
                let route = route_index(c.via);
                let calls = served_local * c.per_request;
                self.fluid.services[c.service.idx()].rates.calls_in[route] += calls;
                self.fluid.services[s].rates.calls_out.push(Edge { calls, ..Edge::default() });
            }
        }
        // Each edge's failures at its callee, by the route it takes.
        for &sid in &order {
            let s = sid.idx();
            for (k, c) in sc.services[s].calls.iter().enumerate() {
                let route = route_index(c.via);
                let callee = &self.fluid.services[c.service.idx()].rates;
                let (no_target, share) = (callee.route_no_target[route], callee.route_stale_share[route]);
                let e = &mut self.fluid.services[s].rates.calls_out[k];
                if no_target {
                    e.no_target = e.calls;
                } else {
                    e.stale = e.calls * share;
                }
            }
        }
        // Callees first: a request succeeds only if its downstream calls do.
        for &sid in order.iter().rev() {
            let s = sid.idx();
            let mut success = 1.0;
            for c in &sc.services[s].calls {
                let callee = &self.fluid.services[c.service.idx()].rates;
                let ok = if callee.offered > 0.0 { (callee.served / callee.offered).clamp(0.0, 1.0) } else { 1.0 };
                success *= call_success(ok, c.per_request);
            }
            let r = &mut self.fluid.services[s].rates;
            r.served = r.served_local * success;
            r.downstream = r.served_local - r.served;
            let e = r.entry_share;
            r.calls_offered = r.offered - r.entry_offered;
            r.entry_served = r.served * e;
            r.entry_shed = r.shed * e;
            r.entry_timed_out = r.timed_out * e;
            r.entry_downstream = r.downstream * e;
        }
        self.fluid.components[c] = order;
    }
}

/// Share of a caller's requests whose calls on one edge all succeed, each call
/// succeeding with probability `ok`: floor(p) calls, and one more with
/// probability frac(p), so ok^floor(p) × (1 − frac(p) + frac(p) × ok).
/// A whole p keeps the power as it always was (the same bits).
fn call_success(ok: f64, per_request: f64) -> f64 {
    let (k, frac) = super::e2e::split_count(per_request);
    if frac == 0.0 { libm::pow(ok, per_request) } else { libm::pow(ok, f64::from(k)) * (1.0 - frac + frac * ok) }
}

/// Adds `dt` seconds of the current rates to the minute's sums.
fn integrate(w: &Workload, f: &mut ServiceFluid, dt: f64, dt_ms: u64) {
    let r = &f.rates;
    let m = &mut f.minute;
    if !r.calls_out.is_empty() {
        if m.calls.len() < r.calls_out.len() {
            m.calls.resize(r.calls_out.len(), Edge::default());
        }
        for (sum, rate) in m.calls.iter_mut().zip(&r.calls_out) {
            sum.add_scaled(rate, dt);
        }
    }
    m.seconds += dt;
    // Offered entry requests are added at the next boundary (see `entry_ms`); calls here.
    m.offered += r.calls_offered * dt;
    f.entry_ms += dt_ms;
    m.served += r.served * dt;
    m.failed_shed += r.shed * dt;
    m.failed_timeout += r.timed_out * dt;
    m.failed_stale += r.stale * dt;
    m.failed_no_target += r.no_target * dt;
    m.failed_downstream += r.downstream * dt;
    let e = r.entry_share;
    m.entry_failed_stale += r.entry_stale * dt;
    m.entry_failed_no_target += r.entry_no_target * dt;
    m.entry_served += r.entry_served * dt;
    m.entry_failed_shed += r.entry_shed * dt;
    m.entry_failed_timeout += r.entry_timed_out * dt;
    m.entry_failed_downstream += r.entry_downstream * dt;
    m.lb_received += r.lb_to_tasks * dt;
    m.capacity_seconds += r.capacity * dt;
    let mut serving_total = 0u32;
    let base_cpu = w.baseline_cpu_percent;
    for g in &f.groups {
        serving_total += g.serving;
        let idle = g.reporting.saturating_sub(g.serving);
        let serving_reporting = g.serving.min(g.reporting);
        if serving_reporting > 0 {
            let k = f64::from(serving_reporting);
            m.cpu_task_seconds += k * g.busy_cpu * dt;
            m.mem_task_seconds += k * g.busy_mem * dt;
            extend(&mut m.cpu_min, &mut m.cpu_max, g.busy_cpu);
            extend(&mut m.mem_min, &mut m.mem_max, g.busy_mem);
        }
        if idle > 0 {
            let k = f64::from(idle);
            m.cpu_task_seconds += k * base_cpu * dt;
            m.mem_task_seconds += k * g.idle_mem * dt;
            extend(&mut m.cpu_min, &mut m.cpu_max, base_cpu);
            extend(&mut m.mem_min, &mut m.mem_max, g.idle_mem);
        }
        m.task_seconds += f64::from(g.reporting) * dt;
        if g.serving > 0 && g.load.admitted > 0.0 {
            let weight = f64::from(g.serving) * g.load.admitted * dt;
            let timeout = w.request_timeout_s;
            queueing::add_component(&mut m.latency, g.load.decay, weight, timeout);
            if e > 0.0 {
                queueing::add_component(&mut m.entry_latency, g.load.decay, weight * e, timeout);
            }
        }
    }
    m.healthy_target_seconds += f64::from(serving_total) * dt;
}

fn extend(lo: &mut Option<f64>, hi: &mut Option<f64>, v: f64) {
    *lo = Some(lo.map_or(v, |x| x.min(v)));
    *hi = Some(hi.map_or(v, |x| x.max(v)));
}
