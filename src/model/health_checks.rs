//! Load balancer health checks of serving targets under load
//! (docs/model.md §5.9). A check is a request like any other: it waits in
//! the task's queue, and fails when the task sheds it or when its response
//! would come after `health_check_timeout`. A serving target that fails
//! `unhealthy_threshold` checks in a row leaves the load balancer's rotation
//! (and, outside the grace period, ECS replaces it); one out of rotation
//! receives no traffic, so its checks see an idle queue, and after
//! `healthy_threshold` passes in a row it serves again. Nothing here is
//! scripted: fewer serving targets load the others more, and they fail in turn.
//!
//! The checks of a minute are drawn when the minute before it closes, from
//! the queue state of that minute's last segment (the model's load changes
//! at minute boundaries, section 8.1); a target that reaches a threshold
//! gets an event at the very check that did it.

use super::entities::{Owner, TaskId, TaskState};
use super::fluid::Group;
use super::queueing::{self, TaskLoad};
use super::{Event, Simulation};
use crate::engine::{SimDuration, SimTime};
use crate::rng::Stream;
use crate::scenario::{ServiceId, TaskDefId};
use std::ops::RangeInclusive;

/// Below this a check cannot fail: the uniform has 53 bits, so u < p only for
/// u = 0. Such checks pass without a draw (healthy services cost no draws).
const NEGLIGIBLE: f64 = 1.0 / 9_007_199_254_740_992.0;

/// Probability that one check of a task in state `load` fails: it is shed
/// with the share of requests shed, otherwise it is admitted and its sojourn
/// T ~ Exp(μ − a) exceeds the timeout with probability e^{−(μ−a)τ}.
pub fn check_failure_probability(load: &TaskLoad, timeout_s: f64) -> f64 {
    let offered = load.admitted + load.shed;
    let shed = if offered > 0.0 { load.shed / offered } else { 0.0 };
    let late = libm::exp(-load.decay * timeout_s);
    (shed + (1.0 - shed) * late).min(1.0)
}

/// Whether a check with failure probability `p` fails; `draw` gives its uniform, taken only when needed.
pub fn check_fails(p: f64, draw: impl FnOnce() -> f64) -> bool {
    if p <= NEGLIGIBLE {
        false
    } else if p >= 1.0 {
        true
    } else {
        draw() < p
    }
}

/// Walks checks in order, extending `streak` while `counts(k)` holds and
/// resetting it otherwise; the first check at which it reaches `threshold`.
pub fn streak_reaches(
    streak: &mut u32,
    threshold: u32,
    checks: RangeInclusive<u64>,
    mut counts: impl FnMut(u64) -> bool,
) -> Option<u64> {
    for k in checks {
        if counts(k) {
            *streak += 1;
            if *streak >= threshold {
                return Some(k);
            }
        } else {
            *streak = 0;
        }
    }
    None
}

/// Indices of the checks of a target RUNNING since `running_at` (check k at
/// running_at + k × interval) that fall in (from, to].
pub fn checks_between(running_at: SimTime, interval: SimDuration, from: SimTime, to: SimTime) -> RangeInclusive<u64> {
    let i = interval.as_millis().max(1);
    let first = from.saturating_since(running_at).as_millis() / i + 1;
    let last = to.saturating_since(running_at).as_millis() / i;
    first..=last
}

/// (serving, idle) check failure probabilities of a task of group `g`.
fn probabilities(g: &Group, timeout_s: f64) -> (f64, f64) {
    let idle = queueing::task_load(0.0, g.mu, g.limit, timeout_s);
    (check_failure_probability(&g.load, timeout_s), check_failure_probability(&idle, timeout_s))
}

impl Simulation<'_> {
    /// At the close of a minute: draws the next minute's checks of every
    /// target behind a load balancer that serves or is out of rotation.
    pub fn health_check_minute(&mut self) {
        let (now, next) = (self.now, self.now + SimDuration::from_secs(60));
        for s in 0..self.sc.services.len() {
            let Some(lb) = &self.sc.services[s].load_balancer else { continue };
            let timeout = lb.health_check_timeout.as_secs_f64();
            // Per task definition, once a minute: (serving, idle) failure probabilities.
            let probs: Vec<(TaskDefId, f64, f64)> = self.fluid.services[s]
                .groups
                .iter()
                .map(|g| {
                    let (serving, idle) = probabilities(g, timeout);
                    (g.task_def, serving, idle)
                })
                .collect();
            for k in 0..self.services[s].tasks.len() {
                let t = self.services[s].tasks[k];
                let task = &self.tasks[t.idx()];
                if task.state != TaskState::Running || !(task.serving || task.lb_unhealthy) {
                    continue;
                }
                let Some(&(_, serving, idle)) = probs.iter().find(|p| p.0 == task.task_def) else { continue };
                let p = if task.lb_unhealthy && !task.serving { idle } else { serving };
                self.draw_checks(t, p, now, next);
            }
        }
    }

    /// Failure probability of a check of `t`: from its group's load while it
    /// serves, from an idle queue while it is out of rotation.
    fn check_probability(&self, t: TaskId, s: usize, timeout_s: f64) -> Option<f64> {
        let task = &self.tasks[t.idx()];
        let g = self.fluid.services[s].groups.iter().find(|g| g.task_def == task.task_def)?;
        let (serving, idle) = probabilities(g, timeout_s);
        Some(if task.lb_unhealthy && !task.serving { idle } else { serving })
    }

    /// Draws the checks of `t` in (from, to] not drawn yet, each failing with
    /// probability `p`; a target that reaches a threshold gets its event at
    /// that check and no more draws until the event has come.
    fn draw_checks(&mut self, t: TaskId, p: f64, from: SimTime, to: SimTime) {
        let task = &self.tasks[t.idx()];
        let (Owner::Service(s), Some(running_at)) = (task.owner, task.running_at) else { return };
        if task.state != TaskState::Running || !(task.serving || task.lb_unhealthy) || task.verdict_pending {
            return;
        }
        let Some(lb) = &self.sc.services[s.idx()].load_balancer else { return };
        let unhealthy = task.lb_unhealthy;
        if !unhealthy && p <= NEGLIGIBLE && task.check_streak == 0 {
            return;
        }
        let interval = lb.health_check_interval;
        let checks = checks_between(running_at, interval, from, to);
        let checks = (*checks.start()).max(task.next_check)..=*checks.end();
        let (serial, streams) = (task.serial, self.streams);
        let draw = |k: u64| streams.draws(Stream::HealthCheck, serial, k).uniform();
        let mut streak = task.check_streak;
        let last = *checks.end();
        let reached = if unhealthy {
            streak_reaches(&mut streak, lb.healthy_threshold, checks, |k| !check_fails(p, || draw(k)))
        } else {
            streak_reaches(&mut streak, lb.unhealthy_threshold, checks, |k| check_fails(p, || draw(k)))
        };
        let task = &mut self.tasks[t.idx()];
        task.check_streak = streak;
        task.next_check = task.next_check.max(reached.unwrap_or(last) + 1);
        if let Some(k) = reached {
            task.verdict_pending = true;
            let at = running_at + SimDuration::from_millis(interval.as_millis().saturating_mul(k));
            self.at(at, if unhealthy { Event::TaskHealthy(t) } else { Event::TargetUnhealthy(t) });
        }
    }

    /// A target changed sides at a check: its checks still to come in the
    /// minute already drawn are drawn again for its new state (the minute's
    /// checks were drawn at its start, and boundaries come before events).
    pub fn redraw_checks(&mut self, t: TaskId) {
        let task = &mut self.tasks[t.idx()];
        task.verdict_pending = false;
        task.check_streak = 0;
        let Some(running_at) = task.running_at else { return };
        let Some(s) = task.service() else { return };
        let Some(lb) = &self.sc.services[s.idx()].load_balancer else { return };
        let i = lb.health_check_interval.as_millis().max(1);
        task.next_check = self.now.saturating_since(running_at).as_millis() / i + 1;
        let timeout = lb.health_check_timeout.as_secs_f64();
        let minute = SimDuration::from_secs(60).as_millis();
        let drawn_until = SimTime::from_millis((self.now.as_millis() / minute + 1) * minute);
        if let Some(p) = self.check_probability(t, s.idx(), timeout) {
            self.draw_checks(t, p, self.now, drawn_until);
        }
    }

    /// A serving target failed `unhealthy_threshold` checks in a row: the load
    /// balancer stops sending it requests. ECS acts on it once its grace period is over.
    pub fn on_target_unhealthy(&mut self, t: TaskId) {
        if !self.task_exists(t) {
            return;
        }
        let task = &self.tasks[t.idx()];
        let Some(s) = task.service() else { return };
        if task.state != TaskState::Running || !task.serving || task.lb_unhealthy {
            return;
        }
        let grace_end = task.running_at.unwrap_or(self.now) + self.sc.services[s.idx()].health_check_grace;
        let serial = task.serial;
        self.set_serving(t, false);
        let task = &mut self.tasks[t.idx()];
        task.lb_unhealthy = true;
        task.healthy_at = SimTime::MAX;
        self.redraw_checks(t);
        if self.counting() {
            self.rec.services[s.idx()].targets_unhealthy += 1;
        }
        let name = &self.sc.services[s.idx()].name;
        self.rec.event(
            self.now,
            "target_unhealthy",
            "service",
            name,
            format_args!("task {serial} failed its load balancer health checks under load: out of rotation"),
        );
        self.begin_fail_open(s);
        if self.now >= grace_end {
            self.on_task_unhealthy(t);
        } else {
            self.at(grace_end, Event::TaskUnhealthy(t));
            self.request_reconcile(s);
        }
    }

    /// Targets out of rotation for failed checks (not stopping).
    fn unhealthy_targets(&self, s: ServiceId) -> Vec<TaskId> {
        let tasks = &self.services[s.idx()].tasks;
        tasks
            .iter()
            .copied()
            .filter(|&t| self.tasks[t.idx()].lb_unhealthy && self.tasks[t.idx()].state == TaskState::Running)
            .collect()
    }

    /// An ALB whose targets are all unhealthy routes to all of them (fail-open,
    /// docs/aws-facts.md §12): when the last healthy target goes, every
    /// unhealthy one serves again, still unhealthy.
    fn begin_fail_open(&mut self, s: ServiceId) {
        if self.fluid.serving(s) > 0 {
            return;
        }
        let targets = self.unhealthy_targets(s);
        for &t in &targets {
            self.set_serving(t, true);
            self.redraw_checks(t);
        }
        if !targets.is_empty() {
            let name = &self.sc.services[s.idx()].name;
            self.rec.event(
                self.now,
                "lb_fail_open",
                "service",
                name,
                format_args!("all {} targets unhealthy: the load balancer routes to all of them", targets.len()),
            );
        }
    }

    /// A target is healthy: the unhealthy ones leave the rotation again.
    pub fn end_fail_open(&mut self, s: ServiceId) {
        for t in self.unhealthy_targets(s) {
            if self.tasks[t.idx()].serving {
                self.set_serving(t, false);
                self.redraw_checks(t);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(lambda: f64, mu: f64, timeout: f64) -> TaskLoad {
        queueing::task_load(lambda, mu, queueing::admission_limit(mu, timeout), timeout)
    }

    #[test]
    fn a_check_fails_when_its_sojourn_exceeds_the_timeout() {
        // μ = 1/s, λ = 0.8/s, request timeout 60 s: no shedding, T ~ Exp(0.2/s).
        // A 5 s check fails with P(T > 5) = e^{−0.2 × 5} = e^{−1} = 0.36788.
        let p = check_failure_probability(&load(0.8, 1.0, 60.0), 5.0);
        assert!((p - libm::exp(-1.0)).abs() < 1e-15, "{p}");
        // Idle (λ = 0): P(T > 5) = e^{−1 × 5} = 0.0067379.
        let p = check_failure_probability(&load(0.0, 1.0, 60.0), 5.0);
        assert!((p - libm::exp(-5.0)).abs() < 1e-15, "{p}");
    }

    #[test]
    fn a_shedding_task_fails_checks_it_sheds_or_answers_late() {
        // μ = 0.5/s, τ = 1 s: a* = 0.26496/s. At λ = 1/s the shed share is s = (1 − a*)/1 and
        // the admitted requests wait T ~ Exp(0.5 − a*): p = s + (1 − s) e^{−(0.5 − a*) × 5}.
        let l = load(1.0, 0.5, 1.0);
        let a = l.admitted;
        assert!((a - 0.264_96).abs() < 1e-5);
        let expected = (1.0 - a) + a * libm::exp(-(0.5 - a) * 5.0);
        assert!((check_failure_probability(&l, 5.0) - expected).abs() < 1e-15);
        // ≈ 0.73504 + 0.26496 × 0.30879 = 0.81686.
        assert!((expected - 0.816_86).abs() < 1e-4, "{expected}");
    }

    #[test]
    fn a_lightly_loaded_task_never_draws() {
        // μ = 100/s, λ = 50/s: P(T > 5 s) = e^{−250}, far below 2^−53: no draw is taken.
        let p = check_failure_probability(&load(50.0, 100.0, 60.0), 5.0);
        assert!(p < NEGLIGIBLE);
        assert!(!check_fails(p, || panic!("drew")));
        assert!(check_fails(1.0, || panic!("drew")));
        assert!(check_fails(0.5, || 0.49) && !check_fails(0.5, || 0.5));
    }

    #[test]
    fn unhealthy_after_the_threshold_of_consecutive_failures() {
        // Threshold 2: fail, pass, fail, fail → unhealthy at the 4th check (index 4).
        let outcome = [true, false, true, true, true];
        let mut streak = 0;
        assert_eq!(streak_reaches(&mut streak, 2, 1..=5, |k| outcome[k as usize - 1]), Some(4));
        // A streak carries over from the minute before: one failure then one more.
        let mut streak = 1;
        assert_eq!(streak_reaches(&mut streak, 2, 7..=8, |_| true), Some(7));
        // Alternating failures never reach 2.
        let mut streak = 0;
        assert_eq!(streak_reaches(&mut streak, 2, 1..=10, |k| k % 2 == 0), None);
        assert_eq!(streak, 1);
    }

    #[test]
    fn the_checks_of_a_minute() {
        // RUNNING at 10 s, interval 30 s: checks at 40, 70, 100, 130 s … (k = 1, 2, 3, 4).
        // The minute (60 s, 120 s] holds checks 2 (70 s) and 3 (100 s); (120, 180] holds 4 and 5.
        let r = SimTime::from_secs(10);
        let i = SimDuration::from_secs(30);
        assert_eq!(checks_between(r, i, SimTime::from_secs(60), SimTime::from_secs(120)), 2..=3);
        assert_eq!(checks_between(r, i, SimTime::from_secs(120), SimTime::from_secs(180)), 4..=5);
        // A check exactly at the end of a minute belongs to it: (100 − 10)/30 = 3.
        assert_eq!(checks_between(r, i, SimTime::from_secs(40), SimTime::from_secs(100)), 2..=3);
    }
}
