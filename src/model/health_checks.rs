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

use super::entities::{Owner, Streak, Task, TaskId, TaskState};
use super::fluid::Group;
use super::queueing::{self, TaskLoad};
use super::{Event, Simulation};
use crate::engine::{SimDuration, SimTime};
use crate::rng::Stream;
use crate::scenario::{LoadBalancer, ServiceId};
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

/// The consecutive results that change a target's state: passes to become
/// healthy, failures to become unhealthy (`None`: that way does not count).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Thresholds {
    pub healthy: Option<u32>,
    pub unhealthy: Option<u32>,
}

/// Walks checks in order, extending `streak` while their results agree and
/// starting it again otherwise; the first check at which it reaches a
/// threshold, and whether the target is then healthy.
pub fn walk_checks(
    streak: &mut Streak,
    thresholds: Thresholds,
    checks: RangeInclusive<u64>,
    mut fails: impl FnMut(u64) -> bool,
) -> Option<(u64, bool)> {
    for k in checks {
        let passed = !fails(k);
        if streak.count > 0 && streak.passing == passed {
            streak.count += 1;
        } else {
            *streak = Streak { passing: passed, count: 1 };
        }
        let limit = if passed { thresholds.healthy } else { thresholds.unhealthy };
        if limit.is_some_and(|n| streak.count >= n) {
            return Some((k, passed));
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

/// Passes a newly registered target needs to be healthy: one, whatever
/// `healthy_threshold`, which counts only for a target recovering from
/// unhealthy (docs/aws-facts.md §15).
pub const NEW_TARGET_PASSES: u32 = 1;

/// What the checks of `task` can change: an unhealthy target counts passes, a
/// healthy one failures, a target still in its initial checks both (one pass
/// makes it healthy).
fn thresholds(task: &Task, lb: &LoadBalancer) -> Thresholds {
    let (h, u) = (Some(lb.healthy_threshold), Some(lb.unhealthy_threshold));
    if task.lb_unhealthy {
        Thresholds { healthy: h, unhealthy: None }
    } else if task.checks.drawn && task.healthy_at == SimTime::MAX {
        Thresholds { healthy: Some(NEW_TARGET_PASSES), unhealthy: u }
    } else {
        Thresholds { healthy: None, unhealthy: u }
    }
}

/// Whether the checks of `task` are drawn: it serves, or it is unhealthy, or
/// it took traffic in its initial checks (fail-open).
fn drawn(task: &Task) -> bool {
    task.state == TaskState::Running && (task.serving || task.lb_unhealthy || task.checks.drawn)
}

/// Whether the checks of `task` can change something even when none can fail
/// (see `ServiceState::checks_pending`).
fn pending(task: &Task) -> bool {
    task.lb_unhealthy || task.checks.drawn || (task.checks.streak.count > 0 && !task.checks.streak.passing)
}

impl Simulation<'_> {
    /// At the close of a minute: draws the next minute's checks of every
    /// target behind a load balancer whose checks are drawn.
    pub fn health_check_minute(&mut self) {
        let (now, next) = (self.now, self.now + SimDuration::from_secs(60));
        for s in 0..self.sc.services.len() {
            let Some(lb) = &self.sc.services[s].load_balancer else { continue };
            let timeout = lb.health_check_timeout.as_secs_f64();
            let groups = &self.fluid.services[s].groups;
            // Nothing can fail and no target waits for passes: every target is healthy and
            // stays so, and its passes change nothing (the common case, skipped at its cost).
            if !self.services[s].checks_pending
                && groups.iter().all(|g| check_failure_probability(&g.load, timeout) <= NEGLIGIBLE)
            {
                continue;
            }
            // Per task definition, once a minute: (serving, idle) failure probabilities, in a
            // buffer kept from one minute to the next.
            let mut probs = std::mem::take(&mut self.check_probs);
            probs.clear();
            probs.extend(groups.iter().map(|g| {
                let (serving, idle) = probabilities(g, timeout);
                (g.task_def, serving, idle)
            }));
            let mut still_pending = false;
            for k in 0..self.services[s].tasks.len() {
                let t = self.services[s].tasks[k];
                let task = &self.tasks[t.idx()];
                if !drawn(task) {
                    continue;
                }
                let Some(&(_, serving, idle)) = probs.iter().find(|p| p.0 == task.task_def) else { continue };
                let p = if task.serving { serving } else { idle };
                self.draw_checks(t, p, now, next);
                still_pending |= pending(&self.tasks[t.idx()]);
            }
            self.services[s].checks_pending = still_pending;
            self.check_probs = probs;
        }
    }

    /// Notes that a target of `t`'s service may need its checks drawn though none can fail.
    fn note_pending(&mut self, t: TaskId) {
        if let Some(s) = self.tasks[t.idx()].service()
            && pending(&self.tasks[t.idx()])
        {
            self.services[s.idx()].checks_pending = true;
        }
    }

    /// Failure probability of a check of `t`: from its group's load while it
    /// serves, from an idle queue otherwise.
    fn check_probability(&self, t: TaskId, s: usize, timeout_s: f64) -> Option<f64> {
        let task = &self.tasks[t.idx()];
        let g = self.fluid.services[s].groups.iter().find(|g| g.task_def == task.task_def)?;
        let (serving, idle) = probabilities(g, timeout_s);
        Some(if task.serving { serving } else { idle })
    }

    /// Draws the checks of `t` in (from, to] not drawn yet, each failing with
    /// probability `p`; a target that reaches a threshold gets its event at
    /// that check and no more draws until the event has come.
    fn draw_checks(&mut self, t: TaskId, p: f64, from: SimTime, to: SimTime) {
        let task = &self.tasks[t.idx()];
        let (Owner::Service(s), Some(running_at)) = (task.owner, task.running_at) else { return };
        if !drawn(task) || task.checks.verdict.is_some() {
            return;
        }
        let Some(lb) = &self.sc.services[s.idx()].load_balancer else { return };
        let thresholds = thresholds(task, lb);
        let interval = lb.health_check_interval;
        let checks = checks_between(running_at, interval, from, to);
        let first = (*checks.start()).max(task.checks.next);
        let last = *checks.end();
        let (serial, streams) = (task.serial, self.streams);
        let c = &mut self.tasks[t.idx()].checks;
        // A healthy target with nothing failing draws nothing (its passes change nothing), and
        // keeps no batch: only targets that are not healthy are ever rerouted and replay one.
        if thresholds.healthy.is_none() && p <= NEGLIGIBLE && (c.streak.passing || c.streak.count == 0) {
            return;
        }
        (c.batch_from, c.batch_streak, c.batch_p) = (first, c.streak, p);
        let draw = |k: u64| streams.draws(Stream::HealthCheck, serial, k).uniform();
        let mut streak = c.streak;
        let reached = walk_checks(&mut streak, thresholds, first..=last, |k| check_fails(p, || draw(k)));
        c.streak = streak;
        c.next = c.next.max(reached.map_or(last, |r| r.0) + 1);
        if let Some((k, healthy)) = reached {
            let at = running_at + SimDuration::from_millis(interval.as_millis().saturating_mul(k));
            c.verdict = Some((at, healthy));
            self.at(at, if healthy { Event::TaskHealthy(t) } else { Event::TargetUnhealthy(t) });
        }
        self.note_pending(t);
    }

    /// The end of the minute already drawn.
    fn drawn_until(&self) -> SimTime {
        let minute = SimDuration::from_secs(60).as_millis();
        SimTime::from_millis((self.now.as_millis() / minute + 1) * minute)
    }

    /// Checks of `t` made by now (index of the last one).
    fn checks_done(&self, t: TaskId, interval: SimDuration) -> u64 {
        let running_at = self.tasks[t.idx()].running_at.unwrap_or(self.now);
        self.now.saturating_since(running_at).as_millis() / interval.as_millis().max(1)
    }

    /// A target changed state at a check: it counts its checks afresh, and
    /// its checks still to come in the minute already drawn are drawn again
    /// (the minute's checks were drawn at its start, and boundaries come
    /// before events).
    pub fn redraw_checks(&mut self, t: TaskId) {
        let Some(s) = self.tasks[t.idx()].service() else { return };
        let Some(lb) = &self.sc.services[s.idx()].load_balancer else { return };
        let (interval, timeout) = (lb.health_check_interval, lb.health_check_timeout.as_secs_f64());
        let done = self.checks_done(t, interval);
        let c = &mut self.tasks[t.idx()].checks;
        (c.streak, c.verdict, c.next) = (Streak::default(), None, done + 1);
        if let Some(p) = self.check_probability(t, s.idx(), timeout) {
            self.draw_checks(t, p, self.now, self.drawn_until());
        }
    }

    /// The load balancer changed where it routes `t` (fail-open began or
    /// ended): its state and the checks it has made stand, since routing does
    /// not change health; only its checks still to come are drawn again, for
    /// its new load. A threshold reached at this very instant stands too.
    fn reroute_checks(&mut self, t: TaskId) {
        let task = &self.tasks[t.idx()];
        let Some(s) = task.service() else { return };
        let Some(lb) = &self.sc.services[s.idx()].load_balancer else { return };
        let c = task.checks;
        if c.verdict.is_some_and(|(at, _)| at <= self.now) {
            return;
        }
        let (interval, timeout) = (lb.health_check_interval, lb.health_check_timeout.as_secs_f64());
        let done = self.checks_done(t, interval);
        // Replay the last batch up to now: the same draws, so the same results.
        let mut streak = c.batch_streak;
        let replayed = done.min(c.next.saturating_sub(1));
        if c.batch_from <= replayed {
            let (serial, streams, p) = (task.serial, self.streams, c.batch_p);
            let draw = |k: u64| streams.draws(Stream::HealthCheck, serial, k).uniform();
            walk_checks(&mut streak, thresholds(task, lb), c.batch_from..=replayed, |k| check_fails(p, || draw(k)));
        }
        let c = &mut self.tasks[t.idx()].checks;
        (c.streak, c.verdict, c.next) = (streak, None, done + 1);
        self.note_pending(t);
        if let Some(p) = self.check_probability(t, s.idx(), timeout) {
            self.draw_checks(t, p, self.now, self.drawn_until());
        }
    }

    /// Whether a check verdict event for `t` is the one its draws are waiting
    /// for (an event made stale by a redraw is ignored).
    pub fn verdict_due(&self, t: TaskId, healthy: bool) -> bool {
        self.tasks[t.idx()].checks.verdict == Some((self.now, healthy))
    }

    /// A target failed `unhealthy_threshold` checks in a row: it is unhealthy,
    /// and the load balancer stops sending it requests unless it fails open.
    /// ECS acts on it once its grace period is over.
    pub fn on_target_unhealthy(&mut self, t: TaskId) {
        if !self.task_exists(t) || !self.verdict_due(t, false) {
            return;
        }
        let task = &self.tasks[t.idx()];
        let Some(s) = task.service() else { return };
        if task.state != TaskState::Running || !task.serving || task.lb_unhealthy {
            return;
        }
        let grace_end = task.running_at.unwrap_or(self.now) + self.sc.services[s.idx()].health_check_grace;
        let serial = task.serial;
        let fail_open = self.services[s.idx()].fail_open;
        if !fail_open {
            self.set_serving(t, false);
        }
        let task = &mut self.tasks[t.idx()];
        task.lb_unhealthy = true;
        task.healthy_at = SimTime::MAX;
        self.services[s.idx()].checks_pending = true;
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

    /// Whether `t` is a registered target in its initial checks that fail-open
    /// routes to: RUNNING, never healthy, not unhealthy, and answering (a task
    /// definition with `warmup_time` is left out, docs/model.md §5.9).
    fn initial_target(&self, t: TaskId) -> bool {
        let task = &self.tasks[t.idx()];
        task.state == TaskState::Running
            && !task.lb_unhealthy
            && task.healthy_at == SimTime::MAX
            && self.sc.task_defs[task.task_def.idx()].warmup_time.is_none()
    }

    /// A target in its initial checks starts taking traffic in fail-open: its
    /// checks made so far passed (it answers), and from now on they are drawn.
    fn join_fail_open(&mut self, t: TaskId) {
        let Some(s) = self.tasks[t.idx()].service() else { return };
        let Some(lb) = &self.sc.services[s.idx()].load_balancer else { return };
        let done = self.checks_done(t, lb.health_check_interval);
        // Not yet healthy, so fewer passes than a new target needs so far.
        let passes = done.min(u64::from(NEW_TARGET_PASSES - 1)) as u32;
        self.services[s.idx()].checks_pending = true;
        let c = &mut self.tasks[t.idx()].checks;
        c.drawn = true;
        (c.batch_from, c.batch_streak, c.next) = (done + 1, Streak { passing: true, count: passes }, done + 1);
        c.streak = c.batch_streak;
        self.set_serving(t, true);
        self.reroute_checks(t);
    }

    /// A target reached RUNNING: if its load balancer fails open, it takes traffic at once.
    pub fn register_target(&mut self, t: TaskId) {
        let Some(s) = self.tasks[t.idx()].service() else { return };
        if self.services[s.idx()].fail_open && self.initial_target(t) {
            self.join_fail_open(t);
        }
    }

    /// A load balancer with no healthy target left routes to all its
    /// registered targets, unhealthy or in their initial checks (fail-open,
    /// docs/aws-facts.md §12, §15), until one passes its checks.
    pub fn begin_fail_open(&mut self, s: ServiceId) {
        // A target that died while registered is healthy to the load balancer
        // until its checks find it dead (`on_lb_ghost_gone`).
        if self.services[s.idx()].fail_open || self.fluid.serving(s) > 0 || self.lb_ghost_alive(s) {
            return;
        }
        let tasks = self.services[s.idx()].tasks.clone();
        let unhealthy: Vec<TaskId> = tasks
            .iter()
            .copied()
            .filter(|&t| self.tasks[t.idx()].lb_unhealthy && self.tasks[t.idx()].state == TaskState::Running)
            .collect();
        if unhealthy.is_empty() {
            return;
        }
        self.services[s.idx()].fail_open = true;
        for &t in &unhealthy {
            self.set_serving(t, true);
            self.reroute_checks(t);
        }
        let initial: Vec<TaskId> = tasks.iter().copied().filter(|&t| self.initial_target(t)).collect();
        for &t in &initial {
            self.join_fail_open(t);
        }
        let name = &self.sc.services[s.idx()].name;
        self.rec.event(
            self.now,
            "lb_fail_open",
            "service",
            name,
            format_args!(
                "no target healthy: the load balancer routes to all {} registered targets",
                unhealthy.len() + initial.len()
            ),
        );
    }

    /// The checks of a target that died while registered have found it
    /// unhealthy. If it was the last target the load balancer held healthy,
    /// none is left: it fails open, as when the last live one fails.
    pub fn on_lb_ghost_gone(&mut self, s: ServiceId) {
        self.flush();
        self.begin_fail_open(s);
    }

    /// A target is healthy: the load balancer routes to the healthy targets
    /// only again; the others leave the rotation, their checks counting on.
    pub fn end_fail_open(&mut self, s: ServiceId) {
        if !self.services[s.idx()].fail_open {
            return;
        }
        self.services[s.idx()].fail_open = false;
        for t in self.services[s.idx()].tasks.clone() {
            let task = &self.tasks[t.idx()];
            if task.state == TaskState::Running && task.serving && task.healthy_at == SimTime::MAX {
                self.set_serving(t, false);
                self.reroute_checks(t);
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

    const FAILURES: Thresholds = Thresholds { healthy: None, unhealthy: Some(2) };

    #[test]
    fn unhealthy_after_the_threshold_of_consecutive_failures() {
        // Threshold 2: fail, pass, fail, fail → unhealthy at the 4th check (index 4).
        let outcome = [true, false, true, true, true];
        let mut streak = Streak::default();
        assert_eq!(walk_checks(&mut streak, FAILURES, 1..=5, |k| outcome[k as usize - 1]), Some((4, false)));
        // A streak carries over from the minute before: one failure then one more.
        let mut streak = Streak { passing: false, count: 1 };
        assert_eq!(walk_checks(&mut streak, FAILURES, 7..=8, |_| true), Some((7, false)));
        // Alternating failures never reach 2.
        let mut streak = Streak::default();
        assert_eq!(walk_checks(&mut streak, FAILURES, 1..=10, |k| k % 2 == 0), None);
        assert_eq!(streak, Streak { passing: false, count: 1 });
    }

    #[test]
    fn a_target_in_its_initial_checks_counts_both_ways() {
        // Healthy after 3 passes, unhealthy after 2 failures. Pass, pass, fail, pass, pass,
        // pass: the failure starts the count again, so the target is healthy at check 6.
        let both = Thresholds { healthy: Some(3), unhealthy: Some(2) };
        let outcome = [false, false, true, false, false, false];
        let mut streak = Streak::default();
        assert_eq!(walk_checks(&mut streak, both, 1..=6, |k| outcome[k as usize - 1]), Some((6, true)));
        // Two passes made before (its idle initial checks), then fail, fail: unhealthy at 4.
        let mut streak = Streak { passing: true, count: 2 };
        assert_eq!(walk_checks(&mut streak, both, 3..=6, |_| true), Some((4, false)));
        // An unhealthy target counts only passes: failures never make a verdict.
        let passes = Thresholds { healthy: Some(3), unhealthy: None };
        let mut streak = Streak::default();
        assert_eq!(walk_checks(&mut streak, passes, 1..=9, |_| true), None);
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
