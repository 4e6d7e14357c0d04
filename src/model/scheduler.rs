//! The ECS service scheduler: keep `desired` tasks of the current task
//! definition, replace what stops, and retire tasks that must go (an old
//! deployment's, or those on a draining instance) within the deployment
//! bounds:
//! - at most ⌊desired × maximumPercent / 100⌋ tasks exist (PENDING through
//!   STOPPING, as the 2023 ECS guide counts them), so new tasks start only
//!   while there is room;
//! - at least ⌈desired × minimumHealthyPercent / 100⌉ healthy tasks remain,
//!   so a healthy task is retired only when enough others are healthy.
//!
//! A scale-in (desired below the current count) is not bounded by the
//! minimum: ECS stops the extra tasks at once.

use super::entities::{InstanceState, StopReason, TaskId, TaskState};
use super::placement::{PlacementFailure, SpreadTally};
use super::{Deployment, Simulation};
use crate::scenario::{ServiceId, TaskDefId};
use crate::units::ceil_count;

/// Buffers of the scheduler's slow path, kept from one call to the next so
/// that a call allocates nothing.
#[derive(Debug, Default)]
pub struct ReconcileScratch {
    /// The service's live current tasks (listed only for a scale-in).
    current: Vec<TaskId>,
    /// Its live retiring tasks, oldest first, each with whether it counts as healthy.
    retiring: Vec<(bool, TaskId)>,
}

impl Simulation<'_> {
    pub fn reconcile(&mut self, s: ServiceId) {
        self.services[s.idx()].reconcile_pending = false;
        let now = self.now;
        let cfg = &self.sc.services[s.idx()];
        let desired = self.services[s.idx()].desired;
        let max_total = (f64::from(desired) * cfg.max_percent / 100.0 + 1e-9).floor() as u32;
        let min_healthy = ceil_count(f64::from(desired) * cfg.min_healthy_percent / 100.0);

        // Fast path: nothing to replace, so only the count matters.
        let current_count: u32 = self.services[s.idx()].by_strategy_item.iter().sum();
        let replacing = self.services[s.idx()].deployment.is_some() || self.services[s.idx()].retiring_live > 0;
        // A deployment the circuit breaker failed without rollback launches nothing more.
        let desired_new = if self.services[s.idx()].launches_stopped { 0 } else { desired };
        if !replacing && current_count <= desired {
            self.services[s.idx()].holds_stand_in = false;
            for _ in current_count..desired_new {
                self.create_service_task(s, false);
            }
            return;
        }

        // Live tasks, current or retiring, in one pass over the service's live tasks (in creation
        // order): the current ones counted, the retiring ones listed oldest first, into buffers
        // kept from one call to the next.
        let mut scratch = std::mem::take(&mut self.reconcile_scratch);
        let ReconcileScratch { current, retiring } = &mut scratch;
        current.clear();
        retiring.clear();
        let mut current_len = 0u32;
        let mut healthy_current = 0u32;
        for &t in &self.services[s.idx()].live {
            let task = &self.tasks[t.idx()];
            debug_assert!(task.state <= TaskState::Running);
            if task.retiring {
                retiring.push((false, t));
            } else {
                current_len += 1;
                healthy_current += u32::from(task.counts_healthy(now));
            }
        }

        // 1. Scale-in: stop the extra current tasks (listed only now: most calls stop none).
        if current_len > desired {
            let tasks = &self.tasks;
            current.extend(self.services[s.idx()].live.iter().copied().filter(|&t| !tasks[t.idx()].retiring));
            // Spread balance counts the tasks that stay: each victim leaves the tallies.
            let mut spread = SpreadTally::of(self, current);
            let mut pool = self.victim_pool(s, current);
            for _ in 0..(current_len - desired) {
                let Some(v) = self.pick_victim(s, &mut pool, &spread) else { break };
                spread.remove(self, v);
                self.stop_task(v, StopReason::ScaledIn);
            }
            // The victims left the current tasks (stopped, or deactivating and no longer healthy).
            current.retain(|&t| self.tasks[t.idx()].state <= TaskState::Running);
            current_len = current.len() as u32;
            healthy_current = current.iter().filter(|&&t| self.is_healthy(t, now)).count() as u32;
        }

        // 2. Retire: unhealthy retiring tasks go at once, except that tasks which only failed
        // their health checks stay, oldest first, while they stand in for healthy current tasks
        // still missing (ECS starts their replacements first); healthy ones go while enough
        // stay healthy. Only RUNNING tasks are healthy, and every live one is current or
        // retiring, so the healthy tasks are those two counts. The retiring tasks' health is
        // read here, after any scale-in's stops.
        let mut healthy_retiring = 0u32;
        for (healthy, t) in retiring.iter_mut() {
            *healthy = self.tasks[t.idx()].counts_healthy(now);
            healthy_retiring += u32::from(*healthy);
        }
        let healthy_now = healthy_current + healthy_retiring;
        let mut can_stop = healthy_now.saturating_sub(min_healthy);
        let mut stand_ins = desired.saturating_sub(healthy_current);
        let mut kept_stand_in = None;
        // Unhealthy first, then healthy, each oldest first.
        let unhealthy = retiring.iter().filter(|e| !e.0);
        for &(_, t) in unhealthy.chain(retiring.iter().filter(|e| e.0)) {
            if self.is_healthy(t, now) {
                if can_stop == 0 {
                    continue;
                }
                can_stop -= 1;
            } else if stand_ins > 0 && self.tasks[t.idx()].failed_health && !self.must_retire_otherwise(t) {
                stand_ins -= 1;
                kept_stand_in = Some(t);
                continue;
            }
            let reason = self.retire_reason(t);
            self.stop_task(t, reason);
        }

        // 3. Start what is missing, within maximumPercent.
        // Retiring stops leave the current tasks as they are.
        let current_now = current_len;
        debug_assert_eq!(
            current_now as usize,
            self.services[s.idx()]
                .tasks
                .iter()
                .filter(|&&t| self.tasks[t.idx()].state <= TaskState::Running && !self.tasks[t.idx()].retiring)
                .count()
        );
        let existing = self.services[s.idx()].tasks.len() as u32;
        let want = desired.saturating_sub(current_now);
        // maximumPercent bounds the tasks that exist (PENDING through STOPPING) only while tasks
        // are being replaced: during a deployment or while an instance drains.
        let replacing = self.services[s.idx()].deployment.is_some() || !retiring.is_empty();
        self.reconcile_scratch = scratch;
        let room = if replacing { max_total.saturating_sub(existing) } else { want };
        let launches = if self.services[s.idx()].launches_stopped { 0 } else { want.min(room) };
        for _ in 0..launches {
            self.create_service_task(s, false);
        }
        // No room for a replacement (maximumPercent, or no capacity to place it): unhealthy
        // tasks go one at a time to clear room.
        if let Some(t) = kept_stand_in
            && !self.stand_in_going(s)
            && (want > room || self.replacement_stuck(s))
        {
            self.stop_task(t, StopReason::FailedHealthChecks);
        }
        self.services[s.idx()].holds_stand_in = kept_stand_in.is_some();

        self.deployment_progress(s);
    }

    /// A replacement waits with no placement attempt due at this instant (a slot just
    /// freed is tried first) and no capacity can come.
    fn replacement_stuck(&self, s: ServiceId) -> bool {
        debug_assert_eq!(self.services[s.idx()].provisioning_current, self.provisioning_current_count(s));
        if self.services[s.idx()].provisioning_current == 0 {
            return false;
        }
        self.services[s.idx()].live.iter().any(|&t| {
            let task = &self.tasks[t.idx()];
            task.state == TaskState::Provisioning
                && !task.retiring
                && !self.providers[task.provider.idx()].placement_requested
                && !self.task_can_progress(t)
        })
    }

    /// A task judged unhealthy is already on its way out (deregistering or stopping).
    fn stand_in_going(&self, s: ServiceId) -> bool {
        debug_assert_eq!(self.services[s.idx()].failed_going, self.failed_going_count(s));
        self.services[s.idx()].failed_going > 0
    }

    /// The service's tasks marked unhealthy and deregistering or stopping, counted
    /// (what `ServiceState::failed_going` keeps; for the checks).
    pub fn failed_going_count(&self, s: ServiceId) -> u32 {
        let going = |&&t: &&TaskId| {
            let task = &self.tasks[t.idx()];
            task.failed_health && matches!(task.state, TaskState::Deactivating | TaskState::Stopping)
        };
        self.services[s.idx()].tasks.iter().filter(going).count() as u32
    }

    /// The service's current tasks still PROVISIONING, counted (what
    /// `ServiceState::provisioning_current` keeps; for the checks).
    pub fn provisioning_current_count(&self, s: ServiceId) -> u32 {
        self.services[s.idx()].live.iter().filter(|&&t| self.provisioning_current(t)).count() as u32
    }

    fn on_draining_instance(&self, t: TaskId) -> bool {
        self.tasks[t.idx()].instance.is_some_and(|i| self.instances[i.idx()].state == InstanceState::Draining)
    }

    fn retire_reason(&self, t: TaskId) -> StopReason {
        let task = &self.tasks[t.idx()];
        let on_draining = self.on_draining_instance(t);
        let spot_notice = task.instance.is_some_and(|i| self.instances[i.idx()].spot_termination_at.is_some());
        if on_draining && spot_notice {
            StopReason::SpotInterruption
        } else if on_draining {
            StopReason::Drained
        } else if task.kill_at.is_some() {
            StopReason::SpotInterruption
        } else if task.service().is_some_and(|s| task.task_def != self.services[s.idx()].task_def) {
            StopReason::Deployment
        } else if task.failed_health {
            StopReason::FailedHealthChecks
        } else {
            StopReason::Deployment
        }
    }

    /// Completes a deployment once only new, healthy tasks remain.
    fn deployment_progress(&mut self, s: ServiceId) {
        let Some(dep) = self.services[s.idx()].deployment else { return };
        let now = self.now;
        let desired = self.services[s.idx()].desired;
        let tasks = &self.services[s.idx()].tasks;
        let old_left = tasks.iter().any(|&t| self.tasks[t.idx()].task_def != dep.to);
        let new_healthy =
            tasks.iter().filter(|&&t| self.tasks[t.idx()].task_def == dep.to && self.is_healthy(t, now)).count() as u32;
        if old_left || new_healthy < desired {
            return;
        }
        let took = now.saturating_since(dep.started);
        self.services[s.idx()].deployment = None;
        self.services[s.idx()].last_completed = dep.to;
        if dep.counted {
            self.rec.deployment_completed(s, took);
        }
        let name = &self.sc.services[s.idx()].name;
        self.rec.event(
            now,
            "deployment_complete",
            "service",
            name,
            format_args!("rolled out in {:.0} s", took.as_secs_f64()),
        );
    }

    /// Once a minute: a deployment is stuck when no task is on its way to a
    /// new state, no capacity is coming, and it is not done. Reported once
    /// per episode (again only after it has moved).
    pub fn check_deployment_stall(&mut self, s: ServiceId) {
        let Some(dep) = self.services[s.idx()].deployment else { return };
        let now = self.now;
        let tasks = &self.services[s.idx()].tasks;
        let moving = tasks.iter().any(|&t| {
            let task = &self.tasks[t.idx()];
            match task.state {
                TaskState::Pending | TaskState::Deactivating | TaskState::Stopping => true,
                // Healthy only from this very instant (no load balancer: the time is known in
                // advance): the scheduler sees it right after the boundary, so it still moves.
                TaskState::Running => task.healthy_at >= now,
                TaskState::Provisioning => self.task_can_progress(t),
                TaskState::Stopped => false,
            }
        });
        if moving {
            if let Some(d) = self.services[s.idx()].deployment.as_mut() {
                d.stall_logged = false;
            }
            return;
        }
        if dep.stall_logged {
            return;
        }
        let waiting: Vec<&'static str> = tasks
            .iter()
            .filter(|&&t| self.tasks[t.idx()].state == TaskState::Provisioning)
            .map(|&t| self.tasks[t.idx()].last_failure.unwrap_or(PlacementFailure::NoInstances).key())
            .collect();
        let why = match waiting.first() {
            Some(reason) => format!(
                "{} new task(s) cannot be placed ({reason}) and minimumHealthyPercent keeps the old tasks running",
                waiting.len()
            ),
            None => "unable to stop or start tasks during a deployment because of the service deployment configuration"
                .to_string(),
        };
        if let Some(d) = self.services[s.idx()].deployment.as_mut() {
            d.stall_logged = true;
        }
        if dep.counted {
            self.rec.deployment_stalled(s);
        }
        let name = &self.sc.services[s.idx()].name;
        self.rec.event(now, "deployment_stalled", "service", name, format_args!("{why}"));
    }

    /// Whether a service task is to be replaced: an older task definition, a
    /// draining instance, a Fargate Spot notice, or failed health checks.
    pub fn must_retire(&self, t: TaskId) -> bool {
        self.tasks[t.idx()].failed_health || self.must_retire_otherwise(t)
    }

    /// Whether a service task is to be replaced for a reason other than its health
    /// (such a task never stands in for a missing healthy one).
    fn must_retire_otherwise(&self, t: TaskId) -> bool {
        let task = &self.tasks[t.idx()];
        let Some(s) = task.service() else { return false };
        task.task_def != self.services[s.idx()].task_def || self.on_draining_instance(t) || task.kill_at.is_some()
    }

    /// Starts a rolling deployment to `td`.
    pub fn start_deployment(&mut self, s: ServiceId, td: TaskDefId) {
        let now = self.now;
        if let Some(prev) = self.services[s.idx()].deployment.take()
            && prev.counted
        {
            self.rec.deployment_superseded(s, now.saturating_since(prev.started));
        }
        self.services[s.idx()].task_def = td;
        // A rollback to a task definition still running keeps those tasks.
        for t in self.services[s.idx()].tasks.clone() {
            let retiring = self.must_retire(t);
            self.set_retiring(t, retiring);
        }
        let counted = self.counting();
        self.services[s.idx()].deployment =
            Some(Deployment { started: now, to: td, stall_logged: false, counted, failures: 0, rollback: false });
        self.services[s.idx()].launches_stopped = false;
        if counted {
            self.rec.deployment_started(s);
        }
        let name = &self.sc.services[s.idx()].name;
        let family = &self.sc.task_defs[td.idx()].family;
        self.rec.event(
            now,
            "deployment_start",
            "service",
            name,
            format_args!("rolling update to task definition {family}"),
        );
        self.request_reconcile(s);
    }

    /// Sets the desired count (scaling action, scheduled action, or manual).
    pub fn set_desired(&mut self, s: ServiceId, desired: u32) {
        if self.services[s.idx()].desired != desired {
            self.services[s.idx()].desired = desired;
            self.request_reconcile(s);
        }
    }
}
