//! The deployment circuit breaker (docs/model.md §6.1; docs/aws-facts.md
//! §12): during a rolling deployment, tasks of the new task definition that
//! ECS judges unhealthy count as failures; a task of it that reaches a
//! healthy state resets the count (ECS's default, `resetOnHealthyTask`).
//! When the count reaches the threshold the deployment FAILS: with rollback
//! the service is deployed back to the last task definition that completed a
//! deployment; without, ECS stops launching tasks for the service until the
//! next deployment. A rollback that fails in turn is not rolled back again.

use super::Simulation;
use super::entities::TaskId;
use crate::scenario::ServiceId;

/// Failures that fail a deployment: 0.5 × desired, rounded up, at least 3 and
/// at most 200 (the ECS API reference's minimum, maximum and factor).
pub fn failure_threshold(desired: u32) -> u32 {
    desired.div_ceil(2).clamp(3, 200)
}

/// What a failed deployment leads to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Below the threshold: the deployment goes on.
    Continue,
    /// Deploy the last completed task definition.
    RollBack,
    /// Stop launching tasks until the next deployment.
    StopLaunching,
}

/// The breaker's decision after a failure: `failures` so far in this
/// deployment, `rollback` configured, `is_rollback` the deployment is itself one.
pub fn after_failure(failures: u32, desired: u32, rollback: bool, is_rollback: bool) -> Outcome {
    if failures < failure_threshold(desired) {
        Outcome::Continue
    } else if rollback && !is_rollback {
        Outcome::RollBack
    } else {
        Outcome::StopLaunching
    }
}

impl Simulation<'_> {
    /// ECS judged `t` unhealthy: a failure of the deployment if `t` runs its task definition.
    pub fn circuit_breaker_failure(&mut self, s: ServiceId, t: TaskId) {
        let Some(cfg) = self.sc.services[s.idx()].circuit_breaker else { return };
        let Some(dep) = self.services[s.idx()].deployment.as_mut() else { return };
        if self.tasks[t.idx()].task_def != dep.to {
            return;
        }
        dep.failures += 1;
        let dep = *dep;
        let desired = self.services[s.idx()].desired;
        let outcome = after_failure(dep.failures, desired, cfg.rollback, dep.rollback);
        if outcome == Outcome::Continue {
            return;
        }
        if dep.counted {
            self.rec.services[s.idx()].deployments_failed += 1;
        }
        let name = &self.sc.services[s.idx()].name;
        let threshold = failure_threshold(desired);
        let what = if outcome == Outcome::RollBack { "rolling back" } else { "no new tasks are launched" };
        self.rec.event(
            self.now,
            "deployment_failed",
            "service",
            name,
            format_args!("circuit breaker: {} failed tasks (threshold {threshold}); {what}", dep.failures),
        );
        if outcome == Outcome::RollBack {
            let to = self.services[s.idx()].last_completed;
            self.start_deployment(s, to);
            if let Some(d) = self.services[s.idx()].deployment.as_mut() {
                d.rollback = true;
            }
        } else {
            self.services[s.idx()].deployment = None;
            self.services[s.idx()].launches_stopped = true;
            if dep.counted {
                self.rec.deployment_superseded(s, self.now.saturating_since(dep.started));
            }
        }
    }

    /// A task reached a healthy state: the failure count of its deployment starts again.
    pub fn circuit_breaker_healthy(&mut self, s: ServiceId, t: TaskId) {
        let td = self.tasks[t.idx()].task_def;
        if let Some(dep) = self.services[s.idx()].deployment.as_mut()
            && dep.to == td
        {
            dep.failures = 0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn threshold_is_half_the_desired_count_between_3_and_200() {
        // desired 1: 0.5 → at least 3; 10: 5; 25: 12.5 → 13; 1000: 500 → at most 200.
        assert_eq!(failure_threshold(1), 3);
        assert_eq!(failure_threshold(10), 5);
        assert_eq!(failure_threshold(25), 13);
        assert_eq!(failure_threshold(1000), 200);
        // The developer guide's examples: 400 and 800 give 200.
        assert_eq!(failure_threshold(400), 200);
        assert_eq!(failure_threshold(800), 200);
        assert_eq!(failure_threshold(0), 3);
    }

    #[test]
    fn the_breaker_trips_at_the_threshold() {
        // desired 10: threshold 5; the 4th failure continues, the 5th fails the deployment.
        assert_eq!(after_failure(4, 10, true, false), Outcome::Continue);
        assert_eq!(after_failure(5, 10, true, false), Outcome::RollBack);
        assert_eq!(after_failure(5, 10, false, false), Outcome::StopLaunching);
        // A failing rollback is not rolled back again.
        assert_eq!(after_failure(5, 10, true, true), Outcome::StopLaunching);
    }
}
