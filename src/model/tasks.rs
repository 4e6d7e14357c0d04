//! Task lifecycle: PROVISIONING → PENDING → RUNNING → DEACTIVATING →
//! STOPPING → STOPPED, with a graceful path (deregister, wait the
//! deregistration delay, SIGTERM, stop timeout) and an abrupt one (the task
//! dies with its instance, zone or spot capacity; requests in flight fail and
//! the load balancer keeps routing to it until its health checks notice).

use super::entities::{CheckState, InstanceState, Owner, StopReason, Task, TaskId, TaskState};
use super::{Event, Simulation};
use crate::engine::{SimDuration, SimTime};
use crate::rng::Stream;
use crate::scenario::{ProviderId, ProviderKind, ServiceId, TaskDefId};

/// Without a load balancer or container health check, ECS counts a task as
/// healthy for deployments 40 s after it reaches RUNNING (docs/aws-facts.md §1.5).
pub const NO_LB_HEALTHY_DELAY: SimDuration = SimDuration::from_secs(40);

impl Simulation<'_> {
    /// Creates a task in PROVISIONING; the caller starts its provisioning.
    pub fn new_task(&mut self, owner: Owner, task_def: TaskDefId, provider: ProviderId) -> TaskId {
        let ordinal = self.providers[provider.idx()].tasks_assigned;
        self.providers[provider.idx()].tasks_assigned += 1;
        let serial = self.next_serial;
        self.next_serial += 1;
        let (slot, generation) = match self.free_task_slots.pop() {
            Some(slot) => (slot, self.tasks[slot as usize].generation.wrapping_add(1)),
            None => (self.tasks.len() as u32, 0),
        };
        let id = TaskId(slot, generation);
        let task = Task {
            generation,
            serial,
            owner,
            task_def,
            provider,
            provider_ordinal: ordinal,
            instance: None,
            zone: None,
            state: TaskState::Provisioning,
            created_at: self.now,
            running_at: None,
            healthy_at: SimTime::MAX,
            serving: false,
            billed_from: None,
            stopped_at: None,
            stop_reason: None,
            retiring: false,
            failed_health: false,
            kill_at: None,
            last_failure: None,
            provisioning_started: false,
            lb_unhealthy: false,
            checks: CheckState::default(),
        };
        if slot as usize == self.tasks.len() {
            self.tasks.push(task);
        } else {
            self.tasks[slot as usize] = task;
        }
        if let Owner::Service(s) = owner {
            self.services[s.idx()].tasks.push(id);
            self.services[s.idx()].live.push(id);
            self.services[s.idx()].provisioning_current += 1;
            if let Some(k) = self.sc.services[s.idx()].strategy.iter().position(|i| i.provider == provider) {
                self.services[s.idx()].by_strategy_item[k] += 1;
            }
        }
        self.count_state(id, None, Some(TaskState::Provisioning));
        if self.counting() {
            self.rec.totals.tasks_started += 1;
            if let Owner::Service(s) = owner {
                self.rec.services[s.idx()].tasks_started += 1;
            }
        }
        id
    }

    /// A new service task on the provider the capacity provider strategy picks.
    /// With `instant`, a task that can be placed now starts RUNNING and
    /// healthy at once (the steady initial state).
    pub fn create_service_task(&mut self, s: ServiceId, instant: bool) -> TaskId {
        let provider = self.pick_provider_for_service(s);
        let td = self.services[s.idx()].task_def;
        let t = self.new_task(Owner::Service(s), td, provider);
        if instant && self.try_start_instantly(t) {
            return t;
        }
        // The scheduler's launch pace per service (off unless `limits.service_launch` is set).
        let wait = self.launch_wait(super::throttle::Limit::ServiceLaunch, s.idx());
        if wait > SimDuration::ZERO {
            self.throttles.held.push(t);
            self.after(wait, Event::LaunchTask(t));
            return t;
        }
        self.begin_provisioning(t);
        t
    }

    /// A task the service scheduler held back for its launch pace starts provisioning.
    pub fn on_launch_task(&mut self, t: TaskId) {
        self.throttles.held.retain(|&h| h != t);
        if self.task_exists(t) && self.tasks[t.idx()].state == TaskState::Provisioning {
            self.begin_provisioning(t);
        }
    }

    /// Initial state: placed and healthy at t = 0, with no startup delay.
    fn try_start_instantly(&mut self, t: TaskId) -> bool {
        let provider = self.tasks[t.idx()].provider;
        let placed = match &self.sc.providers[provider.idx()].kind {
            ProviderKind::Asg(_) => self.try_place(t).is_ok(),
            ProviderKind::Fargate(_) => self.fargate_admit(t).is_ok(),
        };
        if !placed {
            return false;
        }
        self.set_task_state(t, TaskState::Pending);
        self.tasks[t.idx()].billed_from = Some(self.now);
        self.cost_task_started(t);
        self.set_task_state(t, TaskState::Running);
        let task = &mut self.tasks[t.idx()];
        task.running_at = Some(self.now);
        task.healthy_at = self.now;
        self.set_serving(t, true);
        self.after_running(t);
        true
    }

    /// Starts placement (EC2) or provisioning (Fargate) of a PROVISIONING task.
    pub fn begin_provisioning(&mut self, t: TaskId) {
        let provider = self.tasks[t.idx()].provider;
        match &self.sc.providers[provider.idx()].kind {
            ProviderKind::Asg(_) => match self.try_place(t) {
                Ok(()) => self.start_pending(t),
                Err(reason) => {
                    self.note_placement_failure(t, reason);
                    self.providers[provider.idx()].waiting.push(t);
                }
            },
            ProviderKind::Fargate(_) => self.fargate_begin(t),
        }
    }

    /// Resources are reserved: PENDING, then RUNNING after the startup time.
    pub fn start_pending(&mut self, t: TaskId) {
        self.set_task_state(t, TaskState::Pending);
        self.tasks[t.idx()].billed_from = Some(self.now);
        let td = self.tasks[t.idx()].task_def;
        let ordinal = self.task_def_starts[td.idx()];
        self.task_def_starts[td.idx()] += 1;
        let mut draws = self.streams.draws(Stream::TaskStartup, td.idx() as u64, ordinal);
        let startup = self.sc.task_defs[td.idx()].startup_time.sample(&mut draws);
        self.after(startup, Event::TaskStarted(t));
        self.cost_task_started(t);
    }

    pub fn on_task_started(&mut self, t: TaskId) {
        if !self.task_exists(t) {
            return;
        }
        if self.tasks[t.idx()].state != TaskState::Pending {
            return;
        }
        self.set_task_state(t, TaskState::Running);
        self.tasks[t.idx()].running_at = Some(self.now);
        match self.tasks[t.idx()].owner {
            Owner::Service(s) => match &self.sc.services[s.idx()].load_balancer {
                Some(lb) => {
                    let warmup = self.sample_warmup(self.tasks[t.idx()].task_def);
                    let checks = lb.health_checks(warmup, self.sc.services[s.idx()].health_check_grace);
                    self.after(checks.healthy_after, Event::TaskHealthy(t));
                    if let Some(after) = checks.unhealthy_after {
                        self.after(after, Event::TaskUnhealthy(t));
                    }
                    self.register_target(t);
                }
                None => {
                    self.tasks[t.idx()].healthy_at = self.now + NO_LB_HEALTHY_DELAY;
                    self.set_serving(t, true);
                    // The scheduler re-checks deployments when the task counts as healthy.
                    self.after(NO_LB_HEALTHY_DELAY, Event::Reconcile(s));
                    self.request_reconcile(s);
                }
            },
            Owner::Batch(..) => {}
        }
        self.after_running(t);
    }

    /// Work that starts with RUNNING whatever the path: batch work, Fargate Spot draws.
    fn after_running(&mut self, t: TaskId) {
        if let Owner::Batch(b, job) = self.tasks[t.idx()].owner {
            self.batch_job_running(t, b, job);
        }
        self.fargate_spot_schedule(t);
    }

    pub fn on_task_healthy(&mut self, t: TaskId) {
        if !self.task_exists(t) {
            return;
        }
        let task = &self.tasks[t.idx()];
        if task.state != TaskState::Running {
            return;
        }
        // Targets whose checks are drawn become healthy at the check their draws chose (a
        // target the load balancer routes to only because it fails open can pass too);
        // the others, new and idle, when their initial checks have passed.
        let by_draws = task.serving || task.lb_unhealthy || task.checks.drawn;
        if by_draws && !(self.verdict_due(t, true) && task.healthy_at == SimTime::MAX) {
            return;
        }
        let task = &mut self.tasks[t.idx()];
        task.healthy_at = self.now;
        task.lb_unhealthy = false;
        task.checks.drawn = false;
        self.set_serving(t, true);
        self.redraw_checks(t);
        if let Some(s) = self.tasks[t.idx()].service() {
            self.end_fail_open(s);
        }
        // A task ECS marked unhealthy stays marked though its target passes again: the load
        // balancer routes to it (it is still registered) until ECS stops it, once its
        // replacement is healthy (docs/model.md §5.2.1).
        if let Some(s) = self.tasks[t.idx()].service() {
            if !self.tasks[t.idx()].failed_health {
                self.circuit_breaker_healthy(s, t);
            }
            self.request_reconcile(s);
        }
    }

    /// The application's warm-up before it answers health checks (0 without `warmup_time`).
    fn sample_warmup(&mut self, td: TaskDefId) -> SimDuration {
        let Some(dist) = &self.sc.task_defs[td.idx()].warmup_time else { return SimDuration::ZERO };
        let ordinal = self.task_def_warmups[td.idx()];
        self.task_def_warmups[td.idx()] += 1;
        dist.sample(&mut self.streams.draws(Stream::TaskWarmup, td.idx() as u64, ordinal))
    }

    /// ECS saw the task fail its health checks once the grace period was
    /// over: it is marked unhealthy and replaced (the scheduler starts its
    /// replacement first). If its checks pass before ECS stops it, it serves
    /// again but stays marked.
    pub fn on_task_unhealthy(&mut self, t: TaskId) {
        if !self.task_exists(t) {
            return;
        }
        let task = &self.tasks[t.idx()];
        let Some(s) = task.service() else { return };
        // Judged once: a marked task stays marked until ECS stops it.
        if task.state != TaskState::Running || (task.serving && !task.lb_unhealthy) || task.failed_health {
            return;
        }
        let serial = task.serial;
        self.tasks[t.idx()].failed_health = true;
        self.set_retiring(t, true);
        let name = &self.sc.services[s.idx()].name;
        let since = self.tasks[t.idx()].running_at.map_or(0, |r| self.now.saturating_since(r).as_secs_rounded());
        self.rec.event(
            self.now,
            "task_unhealthy",
            "service",
            name,
            format_args!("task {serial} failed its load balancer health checks {since} s after RUNNING"),
        );
        self.circuit_breaker_failure(s, t);
        self.request_reconcile(s);
    }

    /// Graceful stop: deregister, wait the deregistration delay, SIGTERM, stop timeout.
    pub fn stop_task(&mut self, t: TaskId, reason: StopReason) {
        let state = self.tasks[t.idx()].state;
        match state {
            TaskState::Provisioning | TaskState::Pending => {
                self.tasks[t.idx()].stop_reason = Some(reason);
                self.finish_task(t);
            }
            TaskState::Running => {
                self.tasks[t.idx()].stop_reason = Some(reason);
                let delay = self.deregistration_delay(t);
                self.deregister(t, delay);
                self.set_task_state(t, TaskState::Deactivating);
                self.after(delay, Event::TaskDeregistered(t));
            }
            TaskState::Deactivating | TaskState::Stopping | TaskState::Stopped => {}
        }
    }

    /// The load balancer's deregistration delay; a target that never received
    /// traffic has no connections to drain, so ELB completes its
    /// deregistration at once (ELB target group docs, "Deregistration delay").
    fn deregistration_delay(&self, t: TaskId) -> SimDuration {
        if !self.tasks[t.idx()].serving {
            return SimDuration::ZERO;
        }
        match self.tasks[t.idx()].owner {
            Owner::Service(s) => {
                self.sc.services[s.idx()].load_balancer.as_ref().map_or(SimDuration::ZERO, |lb| lb.deregistration_delay)
            }
            Owner::Batch(..) => SimDuration::ZERO,
        }
    }

    /// The task stops receiving new requests; DNS callers keep its record until their TTL runs out.
    fn deregister(&mut self, t: TaskId, alive_for: SimDuration) {
        if !self.tasks[t.idx()].serving {
            return;
        }
        self.set_serving(t, false);
        if let Some(s) = self.tasks[t.idx()].service() {
            self.add_dns_ghost(s, t, self.now, self.now + alive_for);
            // The last healthy target going leaves only unhealthy ones: fail-open.
            if self.sc.services[s.idx()].load_balancer.is_some() {
                self.begin_fail_open(s);
            }
        }
    }

    pub fn on_task_deregistered(&mut self, t: TaskId) {
        if !self.task_exists(t) {
            return;
        }
        if self.tasks[t.idx()].state != TaskState::Deactivating {
            return;
        }
        self.set_task_state(t, TaskState::Stopping);
        // SIGTERM: the container exits after its shutdown time, or is killed at the stop timeout.
        let td = self.tasks[t.idx()].task_def;
        let cfg = &self.sc.task_defs[td.idx()];
        let exit = match &cfg.shutdown_time {
            Some(dist) => {
                let ordinal = self.task_def_stops[td.idx()];
                self.task_def_stops[td.idx()] += 1;
                let mut draws = self.streams.draws(Stream::TaskShutdown, td.idx() as u64, ordinal);
                dist.sample(&mut draws).min(cfg.stop_timeout)
            }
            None => cfg.stop_timeout,
        };
        self.after(exit, Event::TaskExited(t));
    }

    pub fn on_task_exited(&mut self, t: TaskId) {
        if !self.task_exists(t) {
            return;
        }
        if self.tasks[t.idx()].state != TaskState::Stopping {
            return;
        }
        self.finish_task(t);
    }

    /// Abrupt death. Requests in flight fail; a task that was still
    /// registered keeps receiving its share until the LB marks it unhealthy.
    pub fn kill_task(&mut self, t: TaskId, reason: StopReason) {
        let task = &self.tasks[t.idx()];
        if !task.state.is_active() {
            return;
        }
        let was_serving = task.serving;
        if let Some(s) = task.service()
            && !was_serving
        {
            self.dns_ghost_died(s, t);
        }
        if was_serving {
            if let Some(s) = self.tasks[t.idx()].service() {
                self.flush_service(s);
            }
            let lost = self.in_flight(t);
            if let Some(s) = self.tasks[t.idx()].service() {
                self.record_killed_in_flight(s, lost);
                self.set_serving(t, false);
                if let Some(lb) = &self.sc.services[s.idx()].load_balancer {
                    let until = self.now + lb.time_to_unhealthy();
                    self.add_lb_ghost(s, until);
                }
                self.add_dns_ghost(s, t, self.now, self.now);
            }
        }
        self.tasks[t.idx()].stop_reason = Some(reason);
        self.finish_task(t);
    }

    /// STOPPED: release resources, bill, tell the owner.
    pub fn finish_task(&mut self, t: TaskId) {
        let prev = self.tasks[t.idx()].state;
        if prev == TaskState::Stopped {
            return;
        }
        if self.tasks[t.idx()].serving {
            self.set_serving(t, false);
        }
        self.cost_task_stopped(t);
        self.count_zone(t, -1);
        self.set_task_state(t, TaskState::Stopped);
        let now = self.now;
        let task = &mut self.tasks[t.idx()];
        task.stopped_at = Some(now);
        let reason = task.stop_reason.unwrap_or(StopReason::ScaledIn);
        let owner = task.owner;
        let provider = task.provider;
        let instance = task.instance;
        if let Some(i) = instance {
            self.unreserve(t, i);
            let inst = &self.instances[i.idx()];
            if inst.state == InstanceState::Draining && inst.leaving && !inst.terminating && inst.tasks.is_empty() {
                self.terminate_instance(i, StopReason::InstanceTerminated);
            }
        } else if self.sc.providers[provider.idx()].is_fargate() {
            // Returns the vCPU quota whenever it was taken, even if the task never left PROVISIONING.
            self.fargate_release(t);
        }
        self.rec.count_stop(now, owner, reason);
        if reason.is_forced() {
            let name = super::placement::owner_name(self.sc, owner);
            let pname = &self.sc.providers[provider.idx()].name;
            self.rec.event(
                now,
                "task_stopped",
                "task",
                name,
                format_args!("task {} on {pname}: {}", self.tasks[t.idx()].serial, reason.key()),
            );
        }
        match owner {
            Owner::Service(s) => {
                // Order does not matter: every choice among tasks breaks ties by creation order (serial).
                let list = &mut self.services[s.idx()].tasks;
                if let Some(pos) = list.iter().position(|&x| x == t) {
                    list.swap_remove(pos);
                }
                self.request_reconcile(s);
            }
            Owner::Batch(b, job) => self.batch_task_stopped(t, b, job, reason),
        }
        self.request_placement(provider);
        self.free_task_slots.push(t.0);
    }

    /// Whether `t` still names the task in its slot (an older generation's events find nothing).
    pub fn task_exists(&self, t: TaskId) -> bool {
        self.tasks.get(t.idx()).is_some_and(|task| task.generation == t.1)
    }

    /// Requests currently inside a task (Little's law on its current load).
    pub fn in_flight(&self, t: TaskId) -> f64 {
        let task = &self.tasks[t.idx()];
        let Some(s) = task.service() else { return 0.0 };
        self.fluid.task_in_flight(s, task.task_def)
    }

    /// Moves a task to a new state and keeps every counter in step.
    pub fn set_task_state(&mut self, t: TaskId, new: TaskState) {
        let old = self.tasks[t.idx()].state;
        if old == new {
            return;
        }
        if let Some(s) = self.tasks[t.idx()].service() {
            self.flush_service(s);
        }
        self.with_strategy_tally(t, |sim| sim.tasks[t.idx()].state = new);
        let going = |s: TaskState| matches!(s, TaskState::Deactivating | TaskState::Stopping);
        if going(old) != going(new)
            && self.tasks[t.idx()].failed_health
            && let Some(s) = self.tasks[t.idx()].service()
        {
            // A task is marked unhealthy only while RUNNING, so the mark never changes this count.
            let c = &mut self.services[s.idx()].failed_going;
            *c = if going(new) { *c + 1 } else { c.saturating_sub(1) };
        }
        if old <= TaskState::Running
            && new > TaskState::Running
            && let Some(s) = self.tasks[t.idx()].service()
        {
            // No longer live: out of the list the scheduler walks, which stays in creation order.
            let live = &mut self.services[s.idx()].live;
            if let Some(pos) = live.iter().position(|&x| x == t) {
                live.remove(pos);
            }
        }
        self.count_state(t, Some(old), Some(new));
    }

    fn count_state(&mut self, t: TaskId, old: Option<TaskState>, new: Option<TaskState>) {
        let task = &self.tasks[t.idx()];
        let (owner, td, provider) = (task.owner, task.task_def, task.provider);
        let reporting = |s: Option<TaskState>| {
            matches!(s, Some(TaskState::Running | TaskState::Deactivating | TaskState::Stopping))
        };
        self.rec.task_state_changed(self.now, owner, provider, old, new);
        if let Owner::Service(s) = owner {
            let delta = i32::from(reporting(new)) - i32::from(reporting(old));
            if delta != 0 {
                self.fluid.add_reporting(self.sc, s, td, delta);
            }
        }
    }

    /// Adds or removes a task from its service's serving set (flushing the workload first).
    pub fn set_serving(&mut self, t: TaskId, serving: bool) {
        if self.tasks[t.idx()].serving == serving {
            return;
        }
        if let Some(s) = self.tasks[t.idx()].service() {
            self.flush_service(s);
        }
        self.tasks[t.idx()].serving = serving;
        if let Some(s) = self.tasks[t.idx()].service() {
            let td = self.tasks[t.idx()].task_def;
            self.fluid.add_serving(self.sc, s, td, if serving { 1 } else { -1 });
        }
    }

    /// Whether a task counts as healthy for minimum-healthy-percent at `now`:
    /// ECS's view, so a task it marked unhealthy never counts again.
    pub fn is_healthy(&self, t: TaskId, now: SimTime) -> bool {
        self.tasks[t.idx()].counts_healthy(now)
    }
}
