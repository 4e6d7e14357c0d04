//! All scaling policies of one service: feeding their alarms each minute,
//! combining what they ask for, clamping to [min, max], scheduled actions.
//!
//! Combination (docs/conventions.md "Scaling", after Application Auto Scaling's
//! "multiple scaling policies" rules in docs/aws-facts.md §6.3): among target tracking
//! policies, scale out when any asks (largest capacity) and scale in only when
//! all with scale-in enabled ask (largest of their capacities); step policies
//! act whenever their alarm is in ALARM; when several act at one evaluation the
//! largest resulting capacity wins. Capacities are computed from the RUNNING
//! count (docs/aws-facts.md §6.1). Clamping happens only when an action happens, and an
//! action only ever moves desired in its own direction: a scale-out never
//! lowers desired (e.g. while tasks are still pending) and a scale-in never
//! raises it, which is how "desired below min + scale-in does nothing" and
//! "desired above max + scale-out does nothing" (docs/aws-facts.md §6.1) come out.

use std::fmt;

use super::alarm::AlarmState;
use super::cooldown::ScaleOutBasis;
use super::held::{HeldBack, HeldCause, mark_new};
use super::metrics::MinuteMetrics;
use super::predictive::{Floor, PredictiveConfig, PredictivePolicy, validate_predictive_config};
use super::step::{StepPolicy, StepScalingConfig, validate_step_config};
use super::target_tracking::{TargetTrackingConfig, TargetTrackingPolicy, validate_target_tracking_config};
use super::vote::{Direction, Proposal, Vote};
use crate::engine::SimTime;

/// A service's scalable target and policies, as the scenario loader resolves them.
#[derive(Clone, Debug, PartialEq)]
pub struct AutoScalingConfig {
    pub min_capacity: u32,
    pub max_capacity: u32,
    pub target_tracking: Vec<TargetTrackingConfig>,
    pub step_scaling: Vec<StepScalingConfig>,
    pub predictive: Vec<PredictiveConfig>,
}

/// Every problem with a service's auto scaling table, each naming its field
/// (relative to `[services.auto_scaling]`).
pub fn validate_auto_scaling_config(c: &AutoScalingConfig) -> Vec<String> {
    let mut problems = Vec::new();
    if c.min_capacity > c.max_capacity {
        problems.push(format!(
            "max_capacity: {} is below min_capacity {}; max must be at least min",
            c.max_capacity, c.min_capacity
        ));
    }
    let names = c
        .target_tracking
        .iter()
        .map(|p| p.name.as_str())
        .chain(c.step_scaling.iter().map(|p| p.name.as_str()))
        .chain(c.predictive.iter().map(|p| p.name.as_str()));
    let mut seen: Vec<&str> = Vec::new();
    for name in names {
        if seen.contains(&name) {
            problems.push(format!("policy name \"{name}\" is used twice; policy names must be unique per service"));
        } else {
            seen.push(name);
        }
        if name.contains(['.', '[']) {
            problems.push(format!("policy name \"{name}\" may not contain \".\" or \"[\" (they separate output keys)"));
        }
    }
    for p in &c.target_tracking {
        problems.extend(validate_target_tracking_config(p));
    }
    for p in &c.step_scaling {
        problems.extend(validate_step_config(p));
    }
    for p in &c.predictive {
        problems.extend(validate_predictive_config(p));
    }
    problems
}

/// A change of a service's desired count, with the reason a user can read.
#[derive(Clone, Debug, PartialEq)]
pub struct ScalingDecision {
    pub old_desired: u32,
    pub new_desired: u32,
    pub direction: Direction,
    /// Policy or scheduled action name.
    pub policy: String,
    pub metric_value: Option<f64>,
    pub threshold: Option<f64>,
    /// One line: which alarm, value vs threshold, running, computed capacity, clamps and cooldowns.
    pub reason: String,
}

/// A scheduled action that would leave min above max; Application Auto Scaling
/// refuses such a range, so the action changes nothing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScheduledActionRejected {
    pub name: String,
    pub min: u32,
    pub max: u32,
}

impl fmt::Display for ScheduledActionRejected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "scheduled action {}: min capacity {} would exceed max capacity {}; the action is rejected and min/max stay",
            self.name, self.min, self.max
        )
    }
}

impl std::error::Error for ScheduledActionRejected {}

/// Which policy a candidate came from, for cooldown bookkeeping.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Source {
    TargetTrackingOut(usize),
    /// Every target tracking policy with scale-in enabled agreed; `usize` is the one whose capacity won.
    TargetTrackingIn(usize),
    Step(usize),
    /// A ForecastAndScale policy's floor.
    Predictive(usize),
}

/// All scaling policies of one service.
#[derive(Clone, Debug)]
pub struct ServiceScaler {
    min: u32,
    max: u32,
    target_tracking: Vec<TargetTrackingPolicy>,
    step: Vec<StepPolicy>,
    predictive: Vec<PredictivePolicy>,
    /// The floor each predictive policy set at the last evaluation, and those
    /// that changed at this one (for events).
    floors: Vec<Option<Floor>>,
    floors_set: Vec<(usize, Floor)>,
    held_back: Vec<HeldBack>,
    /// (policy, cause) held back at the previous evaluation, to find new episodes.
    held_before: Vec<(String, HeldCause)>,
    /// Write `held_back` lines at every evaluation (off when nothing reads them, as in
    /// sweeps: the text costs more than the decision).
    explain_held_back: bool,
}

impl ServiceScaler {
    /// `cfg` is expected valid (see `validate_auto_scaling_config`); even if
    /// not, nothing here panics.
    pub fn new(cfg: AutoScalingConfig) -> Self {
        ServiceScaler {
            min: cfg.min_capacity,
            max: cfg.max_capacity,
            target_tracking: cfg.target_tracking.into_iter().map(TargetTrackingPolicy::new).collect(),
            step: cfg.step_scaling.into_iter().map(StepPolicy::new).collect(),
            floors: vec![None; cfg.predictive.len()],
            predictive: cfg.predictive.into_iter().map(PredictivePolicy::new).collect(),
            floors_set: Vec::new(),
            held_back: Vec::new(),
            held_before: Vec::new(),
            explain_held_back: false,
        }
    }

    /// A scaler that also says, at every evaluation, why a policy that wanted to
    /// act did not (see [`ServiceScaler::held_back`]).
    pub fn explaining_held_back(mut self) -> Self {
        self.explain_held_back = true;
        self
    }

    pub fn min_capacity(&self) -> u32 {
        self.min
    }

    pub fn max_capacity(&self) -> u32 {
        self.max
    }

    /// Policy names in config order (target tracking, step, then predictive).
    pub fn policy_names(&self) -> Vec<&str> {
        self.target_tracking
            .iter()
            .map(|p| p.cfg.name.as_str())
            .chain(self.step.iter().map(|p| p.cfg.name.as_str()))
            .chain(self.predictive.iter().map(|p| p.cfg.name.as_str()))
            .collect()
    }

    /// Each proposal that did not act at the last evaluation, with why: cooldown,
    /// deployment, target tracking policies disagreeing, min/max leaving desired
    /// where it is, or a larger proposal winning. The answer to "why didn't it
    /// scale?". Empty unless built [`ServiceScaler::explaining_held_back`].
    pub fn held_back(&self) -> &[HeldBack] {
        &self.held_back
    }

    /// Feed the datapoints of one minute (the one that just became visible) and evaluate every alarm and policy at `now`.
    /// `running` = RUNNING tasks of the service (AWS scales from the actual running count), `desired` = current desired count,
    /// `deploying` = an ECS deployment is in progress (scale-in is suspended then, scale-out continues).
    pub fn on_minute(
        &mut self,
        now: SimTime,
        metrics: &MinuteMetrics,
        running: u32,
        desired: u32,
        deploying: bool,
    ) -> Option<ScalingDecision> {
        self.held_back.clear();
        for p in &mut self.target_tracking {
            p.observe(metrics);
        }
        for p in &mut self.step {
            p.observe(metrics);
        }

        let mut candidates: Vec<(Source, Proposal)> = Vec::new();
        self.target_tracking_candidate(now, running, &mut candidates);
        for j in 0..self.step.len() {
            match self.step[j].vote(now, running, desired) {
                Vote::Act(prop) => candidates.push((Source::Step(j), prop)),
                Vote::Blocked(note) => self.hold_back(Source::Step(j), HeldCause::Cooldown, |_| note),
                Vote::Hold => {}
            }
        }
        self.predictive_candidate(now, &mut candidates);

        // Clamp each, keep those that move desired their own way, take the largest.
        let mut movers: Vec<(Source, Proposal, u32)> = Vec::new();
        let mut best: Option<usize> = None;
        for (source, prop) in candidates {
            if prop.direction == Direction::In && deploying {
                self.hold_back(source, HeldCause::Deployment, |s| {
                    format!("{} (scale-in suspended during a deployment)", s.explanation(source, &prop, now, running))
                });
                continue;
            }
            let max = match source {
                Source::Predictive(i) => self.predictive[i].effective_max(prop.capacity, self.max),
                _ => self.max,
            };
            let new = prop.capacity.max(self.min).min(max);
            let moves = match prop.direction {
                Direction::Out => new > desired,
                Direction::In => new < desired,
            };
            // A floor at or below desired is not a wish to act: nothing to explain.
            if !moves && matches!(source, Source::Predictive(_)) {
                continue;
            }
            if !moves {
                let (min, max) = (self.min, self.max);
                self.hold_back(source, HeldCause::Bounds, |s| {
                    format!(
                        "{}; desired {desired} stays (min {min}, max {max})",
                        s.explanation(source, &prop, now, running)
                    )
                });
                continue;
            }
            if best.is_none_or(|b| new > movers[b].2) {
                best = Some(movers.len());
            }
            movers.push((source, prop, new));
        }
        let acting = movers.len();
        let Some(best) = best else {
            mark_new(&mut self.held_back, &mut self.held_before);
            return None;
        };
        let (source, mut prop, new) = movers.remove(best);
        let winner = self.source_name(source).to_string();
        for (other, lost, _) in movers {
            self.hold_back(other, HeldCause::Outbid, |s| {
                let lost = s.explanation(other, &lost, now, running);
                format!("{lost}; {winner}'s larger proposal won: desired {desired} → {new}")
            });
        }
        mark_new(&mut self.held_back, &mut self.held_before);
        // The winner's reason, written now if the votes were not (same state, same vote).
        if !self.explain_votes()
            && let Source::TargetTrackingOut(i) | Source::TargetTrackingIn(i) = source
            && let Vote::Act(explained) = self.target_tracking[i].vote(now, running, true)
        {
            prop.explanation = explained.explanation;
        }
        self.record_cooldowns(now, source, &prop, new);

        let clamp = if new > prop.capacity {
            format!("; raised to min {}", self.min)
        } else if new < prop.capacity {
            format!("; capped at max {new}")
        } else {
            String::new()
        };
        let agreement = match source {
            Source::TargetTrackingIn(_) => {
                let n = self.target_tracking.iter().filter(|p| !p.cfg.disable_scale_in).count();
                if n > 1 { format!(" (all {n} target tracking policies with scale-in agree)") } else { String::new() }
            }
            _ => String::new(),
        };
        let of = if acting > 1 { format!(" (largest of {acting} proposals)") } else { String::new() };
        Some(ScalingDecision {
            old_desired: desired,
            new_desired: new,
            direction: prop.direction,
            policy: winner,
            metric_value: Some(prop.metric_value),
            threshold: Some(prop.threshold),
            reason: format!("{}{agreement}{clamp}; desired {desired} → {new}{of}", prop.explanation),
        })
    }

    /// The target tracking policies' joint proposal, if any.
    fn target_tracking_candidate(&mut self, now: SimTime, running: u32, out: &mut Vec<(Source, Proposal)>) {
        let mut best_out: Option<(usize, Proposal)> = None;
        let mut best_in: Option<(usize, Proposal)> = None;
        let mut all_agree_in = true;
        let mut any_scale_in_enabled = false;
        for i in 0..self.target_tracking.len() {
            let p = &self.target_tracking[i];
            let vote = p.vote(now, running, self.explain_votes());
            let votes_in = matches!(&vote, Vote::Act(prop) if prop.direction == Direction::In);
            if !p.cfg.disable_scale_in {
                any_scale_in_enabled = true;
                all_agree_in &= votes_in;
            }
            match vote {
                Vote::Act(prop) => {
                    let slot = if prop.direction == Direction::Out { &mut best_out } else { &mut best_in };
                    if slot.as_ref().is_none_or(|(_, b)| prop.capacity > b.capacity) {
                        *slot = Some((i, prop));
                    }
                }
                Vote::Blocked(note) => self.hold_back(Source::TargetTrackingOut(i), HeldCause::Cooldown, |s| {
                    if !note.is_empty() {
                        return note;
                    }
                    // Unexplained: the same vote again, with its text.
                    match s.target_tracking[i].vote(now, running, true) {
                        Vote::Blocked(explained) => explained,
                        _ => note,
                    }
                }),
                Vote::Hold => {}
            }
        }
        if let Some((i, prop)) = best_out {
            out.push((Source::TargetTrackingOut(i), prop));
        } else if let Some((i, prop)) = best_in {
            if any_scale_in_enabled && all_agree_in {
                out.push((Source::TargetTrackingIn(i), prop));
            } else {
                let source = Source::TargetTrackingIn(i);
                self.hold_back(source, HeldCause::Disagreement, |s| {
                    let explanation = s.explanation(source, &prop, now, running);
                    format!("{explanation} (not all target tracking policies with scale-in agree to scale in)")
                });
            }
        }
    }

    /// The largest floor of the ForecastAndScale policies: it raises every
    /// scale-in proposal to itself (scale-in follows the forecast only down to
    /// what the others allow and never below it) and is itself a scale-out
    /// proposal, so the higher of it and the other policies wins (docs/model.md §9.7).
    fn predictive_candidate(&mut self, now: SimTime, out: &mut Vec<(Source, Proposal)>) {
        self.floors_set.clear();
        let mut best: Option<(usize, Floor)> = None;
        for i in 0..self.predictive.len() {
            let floor = self.predictive[i].floor(now);
            if let Some(f) = floor
                && self.floors[i].is_none_or(|old| old.hour != f.hour || old.capacity != f.capacity)
            {
                self.floors_set.push((i, f));
            }
            self.floors[i] = floor;
            if let Some(f) = floor
                && best.is_none_or(|(_, b)| f.capacity > b.capacity)
            {
                best = Some((i, f));
            }
        }
        let Some((i, f)) = best else { return };
        let name = &self.predictive[i].cfg.name;
        for (_, prop) in out.iter_mut().filter(|(_, p)| p.direction == Direction::In && p.capacity < f.capacity) {
            prop.capacity = f.capacity;
            prop.explanation = format!("{}; not below {name}'s forecast capacity {}", prop.explanation, f.capacity);
        }
        let target = self.predictive[i].cfg.target_value;
        out.push((
            Source::Predictive(i),
            Proposal {
                direction: Direction::Out,
                capacity: f.capacity,
                metric_value: f.load,
                threshold: target,
                explanation: format!(
                    "predictive {name}: hour {} forecast load {} / target {} → {} tasks",
                    f.hour,
                    super::Shown(f.load),
                    super::Shown(target),
                    f.capacity
                ),
                basis: None,
            },
        ));
    }

    /// The floors that took effect at the last evaluation: (policy, floor).
    pub fn floors_set(&self) -> impl Iterator<Item = (&str, &Floor)> {
        self.floors_set.iter().map(|(i, f)| (self.predictive[*i].cfg.name.as_str(), f))
    }

    /// The predictive policies, for outputs.
    pub fn predictive(&self) -> &[PredictivePolicy] {
        &self.predictive
    }

    /// The load datapoint of the minute that ended at `now`, as published
    /// (before the alarms' delay): feeds the predictive policies' history.
    /// Returns true if any of them made a new forecast.
    pub fn observe_load(&mut self, now: SimTime, metrics: &MinuteMetrics) -> bool {
        let mut made = false;
        for p in &mut self.predictive {
            made |= p.observe(now, metrics);
        }
        made
    }

    /// The policy a proposal came from.
    fn source_name(&self, source: Source) -> &str {
        match source {
            Source::TargetTrackingOut(i) | Source::TargetTrackingIn(i) => &self.target_tracking[i].cfg.name,
            Source::Step(j) => &self.step[j].cfg.name,
            Source::Predictive(i) => &self.predictive[i].cfg.name,
        }
    }

    /// Notes why a proposal of `source` did not act; written only when explaining,
    /// and its line only for a new episode (`mark_new`'s test, against the
    /// previous evaluation): only those reach the events, and a policy held by a
    /// cooldown for an hour would otherwise format its line sixty times.
    fn hold_back(&mut self, source: Source, cause: HeldCause, line: impl FnOnce(&Self) -> String) {
        if self.explain_held_back {
            let policy = self.source_name(source);
            let new = !self.held_before.iter().any(|(p, c)| p == policy && *c == cause);
            let line = if new { line(self) } else { String::new() };
            let policy = policy.to_string();
            self.held_back.push(HeldBack { policy, cause, line, new: false });
        }
    }

    /// Whether votes write their explanations as they are cast. Only when a
    /// predictive floor may amend them (it appends to the proposals it raises);
    /// otherwise the few that are shown are written by voting again
    /// ([`ServiceScaler::explanation`]), and most minutes write none.
    fn explain_votes(&self) -> bool {
        self.explain_held_back && !self.predictive.is_empty()
    }

    /// The explanation of `source`'s proposal `prop`: its own, or, for a target
    /// tracking vote cast without text, the same vote cast again with it (same
    /// state, same vote, as for the winner's reason).
    fn explanation(&self, source: Source, prop: &Proposal, now: SimTime, running: u32) -> String {
        match source {
            Source::TargetTrackingOut(i) | Source::TargetTrackingIn(i) if !self.explain_votes() => {
                match self.target_tracking[i].vote(now, running, true) {
                    Vote::Act(explained) => explained.explanation,
                    _ => prop.explanation.clone(),
                }
            }
            _ => prop.explanation.clone(),
        }
    }

    fn record_cooldowns(&mut self, now: SimTime, source: Source, prop: &Proposal, new: u32) {
        match prop.direction {
            Direction::Out => {
                let basis = prop.basis.unwrap_or(ScaleOutBasis { running: new, must_exceed: None, until: None });
                match source {
                    Source::TargetTrackingOut(i) | Source::TargetTrackingIn(i) => {
                        let p = &mut self.target_tracking[i];
                        p.cooldowns.record_scale_out(now, p.cfg.scale_out_cooldown, basis, new);
                    }
                    Source::Step(j) => {
                        let p = &mut self.step[j];
                        p.cooldowns.record_scale_out(now, p.cfg.cooldown, basis, new);
                    }
                    // Like a scheduled action, the floor neither starts nor ends a cooldown.
                    Source::Predictive(_) => return,
                }
                // A scale-out by any policy ends every scale-in cooldown.
                for p in &mut self.target_tracking {
                    p.cooldowns.end_scale_in();
                }
                for p in &mut self.step {
                    p.cooldowns.end_scale_in();
                }
            }
            Direction::In => match source {
                Source::Step(j) => {
                    let p = &mut self.step[j];
                    p.cooldowns.record_scale_in(now, p.cfg.cooldown);
                }
                Source::TargetTrackingIn(_) | Source::TargetTrackingOut(_) => {
                    for p in self.target_tracking.iter_mut().filter(|p| !p.cfg.disable_scale_in) {
                        p.cooldowns.record_scale_in(now, p.cfg.scale_in_cooldown);
                    }
                }
                Source::Predictive(_) => {}
            },
        }
    }

    /// A scheduled action fires: set min and/or max; if desired < new min raise it to min, if desired > new max lower it
    /// to max. Ignores cooldowns and neither starts nor ends one. Rejected, changing nothing, when min would exceed max.
    pub fn apply_scheduled(
        &mut self,
        now: SimTime,
        name: &str,
        min: Option<u32>,
        max: Option<u32>,
        desired: u32,
    ) -> Result<Option<ScalingDecision>, ScheduledActionRejected> {
        let new_min = min.unwrap_or(self.min);
        let new_max = max.unwrap_or(self.max);
        if new_min > new_max {
            return Err(ScheduledActionRejected { name: name.to_string(), min: new_min, max: new_max });
        }
        let range = format!(
            "scheduled action {name} at {now} s set min {new_min} (was {}), max {new_max} (was {})",
            self.min, self.max
        );
        self.min = new_min;
        self.max = new_max;
        let (direction, new, why) = if desired < new_min {
            (Direction::Out, new_min, "below the new min")
        } else if desired > new_max {
            (Direction::In, new_max, "above the new max")
        } else {
            return Ok(None);
        };
        Ok(Some(ScalingDecision {
            old_desired: desired,
            new_desired: new,
            direction,
            policy: name.to_string(),
            metric_value: None,
            threshold: None,
            reason: format!("{range}; desired {desired} {why} → {new}"),
        }))
    }

    /// Alarm states for the time series: (policy name, "high" | "low" for target tracking, "alarm" for step, state),
    /// in config order.
    pub fn alarm_states(&self) -> impl Iterator<Item = (&str, &'static str, AlarmState)> {
        let tracking = self
            .target_tracking
            .iter()
            .flat_map(|p| [(p.cfg.name.as_str(), "high", p.high_state()), (p.cfg.name.as_str(), "low", p.low_state())]);
        tracking.chain(self.step.iter().map(|p| (p.cfg.name.as_str(), "alarm", p.alarm_state())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::SimDuration;
    use crate::scaling::alarm::Comparison;
    use crate::scaling::metrics::{Datapoint, ServiceMetric, Statistic};
    use crate::scaling::step::{AdjustmentType, StepAdjustment};

    /// The datapoint of minute `k` becomes visible at the end of that minute.
    fn at(k: u64) -> SimTime {
        SimTime::from_minute(k + 1)
    }

    fn cpu(v: f64) -> MinuteMetrics {
        MinuteMetrics::cpu_only(v)
    }

    fn cpu_rpt(cpu: f64, rpt: f64) -> MinuteMetrics {
        MinuteMetrics {
            cpu: Some(Datapoint::single(cpu)),
            request_count_per_target: Some(Datapoint::single(rpt)),
            ..Default::default()
        }
    }

    fn cpu_mem(cpu: f64, mem: f64) -> MinuteMetrics {
        MinuteMetrics { cpu: Some(Datapoint::single(cpu)), memory: Some(Datapoint::single(mem)), ..Default::default() }
    }

    fn tt(name: &str, metric: ServiceMetric, target: f64) -> TargetTrackingConfig {
        TargetTrackingConfig {
            name: name.into(),
            metric,
            target_value: target,
            scale_out_cooldown: SimDuration::from_secs(300),
            scale_in_cooldown: SimDuration::from_secs(300),
            disable_scale_in: false,
        }
    }

    fn cpu60() -> TargetTrackingConfig {
        tt("cpu60", ServiceMetric::CpuUtilization, 60.0)
    }

    fn step_policy(
        name: &str,
        metric: ServiceMetric,
        comparison: Comparison,
        threshold: f64,
        adjustment_type: AdjustmentType,
        steps: &[(Option<f64>, Option<f64>, i64)],
    ) -> StepScalingConfig {
        StepScalingConfig {
            name: name.into(),
            metric,
            statistic: Statistic::Average,
            comparison,
            threshold,
            evaluation_periods: 1,
            datapoints_to_alarm: 1,
            adjustment_type,
            min_adjustment_magnitude: None,
            cooldown: SimDuration::from_secs(300),
            metric_aggregation_type: Statistic::Average,
            steps: steps
                .iter()
                .map(|&(lower, upper, adjustment)| StepAdjustment { lower, upper, adjustment })
                .collect(),
        }
    }

    fn scaler(
        min: u32,
        max: u32,
        target_tracking: Vec<TargetTrackingConfig>,
        step_scaling: Vec<StepScalingConfig>,
    ) -> ServiceScaler {
        let cfg = AutoScalingConfig {
            min_capacity: min,
            max_capacity: max,
            target_tracking,
            step_scaling,
            predictive: vec![],
        };
        assert_eq!(validate_auto_scaling_config(&cfg), Vec::<String>::new());
        ServiceScaler::new(cfg).explaining_held_back()
    }

    fn moved(d: &Option<ScalingDecision>) -> Option<(u32, u32)> {
        d.as_ref().map(|d| (d.old_desired, d.new_desired))
    }

    #[test]
    fn cpu_step_from_30_to_90_fires_on_the_third_high_datapoint() {
        let mut s = scaler(1, 10, vec![cpu60()], vec![]);
        for k in 0..12 {
            let v = if k < 10 { 30.0 } else { 90.0 };
            assert_eq!(s.on_minute(at(k), &cpu(v), 4, 4, false), None, "minute {k}");
        }
        // Minute 12's datapoint is the third above 60; visible at 13 min = 780 s.
        let d = s.on_minute(at(12), &cpu(90.0), 4, 4, false).expect("the high alarm fires");
        assert_eq!(at(12), SimTime::from_secs(780));
        assert_eq!(
            d,
            ScalingDecision {
                old_desired: 4,
                new_desired: 6,
                direction: Direction::Out,
                policy: "cpu60".into(),
                metric_value: Some(90.0),
                threshold: Some(60.0),
                reason: "cpu60: high alarm ECSServiceAverageCPUUtilization > 60 for 3 of 3 datapoints in ALARM, \
                         latest 90; ceil(4 running × 90 / 60) = 6; desired 4 → 6"
                    .into(),
            }
        );
        assert_eq!(
            s.alarm_states().collect::<Vec<_>>(),
            vec![("cpu60", "high", AlarmState::Alarm), ("cpu60", "low", AlarmState::Ok)]
        );
    }

    #[test]
    fn scale_in_needs_fifteen_low_datapoints_and_waits_for_deployments() {
        let mut s = scaler(1, 10, vec![cpu60()], vec![]);
        for k in 0..14 {
            assert_eq!(s.on_minute(at(k), &cpu(30.0), 4, 4, false), None, "minute {k}");
        }
        let mut during_deployment = s.clone();
        let d = s.on_minute(at(14), &cpu(30.0), 4, 4, false);
        assert_eq!(moved(&d), Some((4, 2))); // ceil(4 × 30 / 60) = 2
        assert_eq!(d.map(|d| d.threshold), Some(Some(54.0)));

        assert_eq!(during_deployment.on_minute(at(14), &cpu(30.0), 4, 4, true), None);
        assert!(during_deployment.held_back()[0].line.ends_with("(scale-in suspended during a deployment)"));
        assert_eq!(moved(&during_deployment.on_minute(at(15), &cpu(30.0), 4, 4, false)), Some((4, 2)));
    }

    #[test]
    fn target_tracking_scale_out_cooldown_allows_only_larger_scale_outs() {
        let mut s = scaler(1, 20, vec![cpu60()], vec![]);
        assert_eq!(s.on_minute(at(0), &cpu(90.0), 4, 4, false), None);
        assert_eq!(s.on_minute(at(1), &cpu(90.0), 4, 4, false), None);
        // 180 s: 4 → 6; cooldown until 480 s from a base of 4 running.
        assert_eq!(moved(&s.on_minute(at(2), &cpu(90.0), 4, 4, false)), Some((4, 6)));
        // 240 s: 6 run at a stale 90%: ceil(4 × 90 / 60) = 6 is not above 6.
        assert_eq!(s.on_minute(at(3), &cpu(90.0), 6, 6, false), None);
        assert!(s.held_back()[0].line.contains("scale-out cooldown until 480.000 s"));
        // 300 s: 120% → ceil(4 × 120 / 60) = 8 > 6, so it scales inside the cooldown.
        let d = s.on_minute(at(4), &cpu(120.0), 6, 6, false).expect("larger scale-out");
        assert_eq!((d.old_desired, d.new_desired), (6, 8));
        assert!(d.reason.contains("ceil(4 running × 120 / 60) = 8"), "{}", d.reason);
        // Cooldown restarted at 300 s until 600 s, still from 4 running.
        for k in 5..9 {
            assert_eq!(s.on_minute(at(k), &cpu(90.0), 8, 8, false), None, "minute {k}");
        }
        // 600 s: cooldown over, computes from 8 running: ceil(8 × 90 / 60) = 12.
        assert_eq!(moved(&s.on_minute(at(9), &cpu(90.0), 8, 8, false)), Some((8, 12)));
    }

    #[test]
    fn scale_in_cooldown_blocks_until_a_scale_out_ends_it() {
        let mem_out = step_policy(
            "mem-out",
            ServiceMetric::MemoryUtilization,
            Comparison::GreaterThanThreshold,
            80.0,
            AdjustmentType::ChangeInCapacity,
            &[(Some(0.0), None, 1)],
        );
        let mut s = scaler(1, 20, vec![cpu60()], vec![mem_out]);
        for k in 0..14 {
            assert_eq!(s.on_minute(at(k), &cpu_mem(30.0, 50.0), 8, 8, false), None);
        }
        // 900 s: 15th low datapoint, ceil(8 × 30 / 60) = 4; scale-in cooldown until 1200 s.
        assert_eq!(moved(&s.on_minute(at(14), &cpu_mem(30.0, 50.0), 8, 8, false)), Some((8, 4)));
        // 960 s: the low alarm still asks for 2, but the cooldown blocks it.
        assert_eq!(s.on_minute(at(15), &cpu_mem(30.0, 50.0), 4, 4, false), None);
        assert!(s.held_back()[0].line.ends_with("(scale-in cooldown until 1200.000 s)"));
        // 1020 s: memory 90 > 80 makes the step policy scale out 4 → 5, ending the cooldown.
        let d = s.on_minute(at(16), &cpu_mem(30.0, 90.0), 4, 4, false).expect("scale-out");
        assert_eq!((d.policy.as_str(), d.new_desired), ("mem-out", 5));
        // 1080 s, before 1200 s: scale-in proceeds, ceil(5 × 30 / 60) = 3.
        assert_eq!(moved(&s.on_minute(at(17), &cpu_mem(30.0, 50.0), 5, 5, false)), Some((5, 3)));
    }

    #[test]
    fn step_cooldown_adds_only_the_difference_and_blocks_scale_in() {
        // API StepScalingPolicyConfiguration example: +2 tasks, then +3 during the cooldown adds 1.
        let out = step_policy(
            "out",
            ServiceMetric::CpuUtilization,
            Comparison::GreaterThanOrEqualToThreshold,
            50.0,
            AdjustmentType::ChangeInCapacity,
            &[(Some(0.0), Some(10.0), 2), (Some(10.0), None, 3)],
        );
        let mut s = scaler(1, 100, vec![], vec![out]);
        assert_eq!(moved(&s.on_minute(at(0), &cpu(55.0), 10, 10, false)), Some((10, 12)));
        let d = s.on_minute(at(1), &cpu(65.0), 12, 12, false).expect("a larger step in cooldown");
        assert_eq!((d.old_desired, d.new_desired), (12, 13));
        assert!(d.reason.contains("10 +3 = 13"), "{}", d.reason);
        for k in 2..6 {
            assert_eq!(s.on_minute(at(k), &cpu(65.0), 13, 13, false), None, "minute {k}");
        }
        // Cooldown restarted at 120 s, over at 420 s: 13 running + 3.
        assert_eq!(moved(&s.on_minute(at(6), &cpu(65.0), 13, 13, false)), Some((13, 16)));

        let inn = step_policy(
            "in",
            ServiceMetric::CpuUtilization,
            Comparison::LessThanThreshold,
            30.0,
            AdjustmentType::ChangeInCapacity,
            &[(None, Some(0.0), -1)],
        );
        let mut s = scaler(1, 100, vec![], vec![inn]);
        assert_eq!(moved(&s.on_minute(at(0), &cpu(20.0), 10, 10, false)), Some((10, 9)));
        for k in 1..5 {
            assert_eq!(s.on_minute(at(k), &cpu(20.0), 9, 9, false), None, "minute {k}");
        }
        // 360 s ≥ 60 s + 300 s: scale-in allowed again.
        assert_eq!(moved(&s.on_minute(at(5), &cpu(20.0), 9, 9, false)), Some((9, 8)));
    }

    #[test]
    fn guide_step_example_with_two_policies() {
        // Threshold 50, capacity 10, no cooldowns so every minute acts as in the guide.
        let mut out = step_policy(
            "out",
            ServiceMetric::CpuUtilization,
            Comparison::GreaterThanOrEqualToThreshold,
            50.0,
            AdjustmentType::PercentChangeInCapacity,
            &[(Some(0.0), Some(10.0), 0), (Some(10.0), Some(20.0), 10), (Some(20.0), None, 30)],
        );
        out.cooldown = SimDuration::ZERO;
        let mut inn = step_policy(
            "in",
            ServiceMetric::CpuUtilization,
            Comparison::LessThanOrEqualToThreshold,
            50.0,
            AdjustmentType::PercentChangeInCapacity,
            &[(Some(-10.0), Some(0.0), 0), (Some(-20.0), Some(-10.0), -10), (None, Some(-20.0), -30)],
        );
        inn.cooldown = SimDuration::ZERO;
        let mut s = scaler(1, 100, vec![], vec![out, inn]);
        assert_eq!(moved(&s.on_minute(at(0), &cpu(60.0), 10, 10, false)), Some((10, 11)));
        assert_eq!(moved(&s.on_minute(at(1), &cpu(70.0), 11, 11, false)), Some((11, 14)));
        assert_eq!(moved(&s.on_minute(at(2), &cpu(40.0), 14, 14, false)), Some((14, 13)));
        assert_eq!(moved(&s.on_minute(at(3), &cpu(30.0), 13, 13, false)), Some((13, 10)));
        // At the threshold both alarms breach, but both pick a 0 step: nothing happens.
        assert_eq!(s.on_minute(at(4), &cpu(50.0), 10, 10, false), None);
    }

    #[test]
    fn two_target_tracking_policies_disagreeing() {
        let policies = || vec![cpu60(), tt("rpt", ServiceMetric::AlbRequestCountPerTarget, 6000.0)];
        // CPU high while requests are low: any scale-out wins.
        let mut s = scaler(1, 20, policies(), vec![]);
        s.on_minute(at(0), &cpu_rpt(90.0, 1000.0), 4, 4, false);
        s.on_minute(at(1), &cpu_rpt(90.0, 1000.0), 4, 4, false);
        let d = s.on_minute(at(2), &cpu_rpt(90.0, 1000.0), 4, 4, false).expect("cpu60 scales out");
        assert_eq!((d.policy.as_str(), d.new_desired), ("cpu60", 6));

        // Requests low (1000 < 5400) but CPU 57 is neither above 60 nor below 54: no scale-in.
        let mut s = scaler(1, 20, policies(), vec![]);
        let mut first_line = None;
        for k in 0..20 {
            assert_eq!(s.on_minute(at(k), &cpu_rpt(57.0, 1000.0), 4, 4, false), None, "minute {k}");
            if let Some(h) = s.held_back().first().filter(|h| h.new) {
                first_line.get_or_insert_with(|| (k, h.line.clone()));
            }
        }
        assert_eq!(s.alarm_states().nth(3).unwrap(), ("rpt", "low", AlarmState::Alarm));
        // The 15th low rpt datapoint (minute 14) starts the episode and says why, once.
        let (k, line) = first_line.expect("a new episode");
        assert_eq!(k, 14);
        assert!(line.ends_with("(not all target tracking policies with scale-in agree to scale in)"), "{line}");
        assert!(line.starts_with("rpt: low alarm ALBRequestCountPerTarget"), "{line}");
        // Minute 19 repeats it: held for the same cause, not new, and with no line written.
        let h = &s.held_back()[0];
        assert_eq!((h.cause, h.new, h.line.as_str()), (HeldCause::Disagreement, false, ""));
        // Then CPU drops to 30: after 15 low CPU datapoints both agree; the larger capacity wins.
        for k in 20..34 {
            assert_eq!(s.on_minute(at(k), &cpu_rpt(30.0, 1000.0), 4, 4, false), None, "minute {k}");
        }
        let d = s.on_minute(at(34), &cpu_rpt(30.0, 1000.0), 4, 4, false).expect("both agree");
        // cpu60: ceil(4 × 30 / 60) = 2; rpt: ceil(4 × 1000 / 6000) = 1.
        assert_eq!((d.policy.as_str(), d.old_desired, d.new_desired), ("cpu60", 4, 2));
        assert!(d.reason.contains("(all 2 target tracking policies with scale-in agree)"), "{}", d.reason);
    }

    #[test]
    fn put_scaling_policy_example_largest_capacity_wins() {
        // Current 10; policy A adds 3, policy B adds 200%: 13 versus 30, so 30.
        let a = step_policy(
            "A",
            ServiceMetric::CpuUtilization,
            Comparison::GreaterThanOrEqualToThreshold,
            50.0,
            AdjustmentType::ChangeInCapacity,
            &[(Some(0.0), None, 3)],
        );
        let b = step_policy(
            "B",
            ServiceMetric::CpuUtilization,
            Comparison::GreaterThanOrEqualToThreshold,
            50.0,
            AdjustmentType::PercentChangeInCapacity,
            &[(Some(0.0), None, 200)],
        );
        let mut s = scaler(1, 100, vec![], vec![a, b]);
        let d = s.on_minute(at(0), &cpu(80.0), 10, 10, false).expect("both act");
        assert_eq!((d.policy.as_str(), d.new_desired), ("B", 30));
        assert!(d.reason.ends_with("desired 10 → 30 (largest of 2 proposals)"), "{}", d.reason);
        // A's proposal did not act: it says so, naming the winner.
        let held = s.held_back();
        assert_eq!(held.len(), 1);
        assert_eq!((held[0].policy.as_str(), held[0].cause, held[0].new), ("A", HeldCause::Outbid, true));
        assert!(held[0].line.starts_with("A: alarm ECSServiceAverageCPUUtilization"), "{}", held[0].line);
        assert!(held[0].line.ends_with("10 +3 = 13; B's larger proposal won: desired 10 → 30"), "{}", held[0].line);
    }

    /// The reference scenario's `api` service.
    fn api_config() -> AutoScalingConfig {
        let mut out = step_policy(
            "cpu-steps",
            ServiceMetric::CpuUtilization,
            Comparison::GreaterThanOrEqualToThreshold,
            70.0,
            AdjustmentType::PercentChangeInCapacity,
            &[(Some(0.0), Some(15.0), 20), (Some(15.0), None, 50)],
        );
        out.evaluation_periods = 2;
        out.datapoints_to_alarm = 2;
        out.min_adjustment_magnitude = Some(2);
        out.cooldown = SimDuration::from_secs(120);
        let mut inn = step_policy(
            "cpu-scale-in",
            ServiceMetric::CpuUtilization,
            Comparison::LessThanThreshold,
            25.0,
            AdjustmentType::ChangeInCapacity,
            &[(None, Some(0.0), -1)],
        );
        inn.evaluation_periods = 10;
        inn.datapoints_to_alarm = 10;
        AutoScalingConfig {
            min_capacity: 3,
            max_capacity: 60,
            target_tracking: vec![],
            step_scaling: vec![out, inn],
            predictive: vec![],
        }
    }

    #[test]
    fn reference_api_service_scales_out_and_later_in() {
        let cfg = api_config();
        assert_eq!(validate_auto_scaling_config(&cfg), Vec::<String>::new());
        let mut s = ServiceScaler::new(cfg);
        for k in 0..5 {
            assert_eq!(s.on_minute(at(k), &cpu(50.0), 6, 6, false), None);
        }
        assert_eq!(s.on_minute(at(5), &cpu(80.0), 6, 6, false), None); // 1 of 2
        // 420 s: 2 of 2 ≥ 70; 80 is threshold +10 → +20% of 6 = 1.2 → 1 → min magnitude 2 → 8.
        let d = s.on_minute(at(6), &cpu(80.0), 6, 6, false).expect("scale-out");
        assert_eq!((d.old_desired, d.new_desired, d.policy.as_str()), (6, 8, "cpu-steps"));
        assert_eq!(
            d.reason,
            "cpu-steps: alarm ECSServiceAverageCPUUtilization Average >= 70 for 2 of 2 datapoints in ALARM; \
             Average 80 is threshold +10, step [0, 15): +20% of 6 = 1.2 → +1, min magnitude 2 → +2, 6 +2 = 8; \
             desired 6 → 8"
        );
        // 480 s, cooldown until 540 s: from 6 again gives 8, not above 8.
        assert_eq!(s.on_minute(at(7), &cpu(80.0), 8, 8, false), None);
        // 540 s: cooldown over; +20% of 8 = 1.6 → 1 → 2: 10.
        assert_eq!(moved(&s.on_minute(at(8), &cpu(80.0), 8, 8, false)), Some((8, 10)));
        // 600 s, in cooldown from 8: 90 is +20 → +50% of 8 = 4 → 12 > 10.
        assert_eq!(moved(&s.on_minute(at(9), &cpu(90.0), 10, 10, false)), Some((10, 12)));
        // CPU falls to 20: the scale-in alarm needs 10 of 10 below 25.
        for k in 10..19 {
            assert_eq!(s.on_minute(at(k), &cpu(20.0), 12, 12, false), None, "minute {k}");
        }
        assert_eq!(moved(&s.on_minute(at(19), &cpu(20.0), 12, 12, false)), Some((12, 11)));
        // Cooldown 300 s from 1200 s: blocked at 1260..1440 s, then -1 again at 1500 s.
        for k in 20..24 {
            assert_eq!(s.on_minute(at(k), &cpu(20.0), 11, 11, false), None, "minute {k}");
        }
        assert_eq!(moved(&s.on_minute(at(24), &cpu(20.0), 11, 11, false)), Some((11, 10)));
    }

    #[test]
    fn scheduled_actions_raise_min_and_lower_max() {
        let mut s = scaler(2, 10, vec![cpu60()], vec![]);
        let now = SimTime::from_secs(25_200);
        let d =
            s.apply_scheduled(now, "morning-floor", Some(6), None, 4).expect("valid range").expect("raises desired");
        assert_eq!((d.direction, d.old_desired, d.new_desired, d.metric_value), (Direction::Out, 4, 6, None));
        assert_eq!(
            d.reason,
            "scheduled action morning-floor at 25200.000 s set min 6 (was 2), max 10 (was 10); desired 4 below the new min → 6"
        );
        assert_eq!((s.min_capacity(), s.max_capacity()), (6, 10));
        let d = s.apply_scheduled(now, "cap", Some(2), Some(3), 6).expect("valid range").expect("lowers desired");
        assert_eq!((d.direction, d.new_desired), (Direction::In, 3));
        assert_eq!(s.apply_scheduled(now, "night", Some(2), Some(10), 5), Ok(None));
        let err = s.apply_scheduled(now, "bad", Some(12), None, 5).expect_err("min above max");
        assert_eq!(err, ScheduledActionRejected { name: "bad".into(), min: 12, max: 10 });
        assert_eq!((s.min_capacity(), s.max_capacity()), (2, 10));
    }

    #[test]
    fn clamps_apply_only_when_an_action_happens() {
        // Desired below min and a scale-out: at least min.
        let mut s = scaler(5, 10, vec![cpu60()], vec![]);
        s.on_minute(at(0), &cpu(90.0), 2, 2, false);
        s.on_minute(at(1), &cpu(90.0), 2, 2, false);
        let d = s.on_minute(at(2), &cpu(90.0), 2, 2, false).expect("scale-out");
        assert_eq!(d.new_desired, 5);
        assert!(d.reason.ends_with("ceil(2 running × 90 / 60) = 3; raised to min 5; desired 2 → 5"), "{}", d.reason);

        // Desired above max and a scale-in: at most max.
        let mut s = scaler(1, 4, vec![cpu60()], vec![]);
        for k in 0..14 {
            s.on_minute(at(k), &cpu(45.0), 8, 8, false);
        }
        let d = s.on_minute(at(14), &cpu(45.0), 8, 8, false).expect("scale-in");
        assert_eq!(d.new_desired, 4);
        assert!(d.reason.ends_with("= 6; capped at max 4; desired 8 → 4"), "{}", d.reason);

        // Desired above max and a scale-out: nothing; near the target: the manual value stays.
        let mut s = scaler(1, 4, vec![cpu60()], vec![]);
        for k in 0..5 {
            assert_eq!(s.on_minute(at(k), &cpu(90.0), 8, 8, false), None);
        }
        let mut s = scaler(1, 4, vec![cpu60()], vec![]);
        for k in 0..30 {
            assert_eq!(s.on_minute(at(k), &cpu(57.0), 8, 8, false), None);
        }
        // Running below desired (tasks pending): a scale-out never lowers desired.
        let mut s = scaler(1, 20, vec![cpu60()], vec![]);
        for k in 0..5 {
            assert_eq!(s.on_minute(at(k), &cpu(90.0), 4, 8, false), None); // ceil(4 × 90 / 60) = 6 < 8
        }
    }

    #[test]
    fn scale_from_zero_on_request_count() {
        let rpt = tt("rpt", ServiceMetric::AlbRequestCountPerTarget, 100.0);
        let mut s = scaler(0, 10, vec![rpt.clone()], vec![]);
        let m = MinuteMetrics { request_count_per_target: Some(Datapoint::single(500.0)), ..Default::default() };
        assert_eq!(s.on_minute(at(0), &m, 0, 0, false), None);
        assert_eq!(s.on_minute(at(1), &m, 0, 0, false), None);
        assert_eq!(moved(&s.on_minute(at(2), &m, 0, 0, false)), Some((0, 1)));
        let mut s = scaler(2, 10, vec![rpt], vec![]);
        s.on_minute(at(0), &m, 0, 0, false);
        s.on_minute(at(1), &m, 0, 0, false);
        assert_eq!(moved(&s.on_minute(at(2), &m, 0, 0, false)), Some((0, 2)));
    }

    /// Runs write no held-back lines, but every decision and its reason is the
    /// same as with them: the quiet votes differ only in text.
    #[test]
    fn quiet_and_explaining_scalers_decide_alike() {
        let mut loud = scaler(2, 20, vec![cpu60()], vec![]);
        let mut quiet = loud.clone();
        quiet.explain_held_back = false;
        let (mut desired, mut decisions, mut held) = (4, 0, 0);
        for k in 0..120 {
            let load = if (20..60).contains(&k) { 95.0 } else { 15.0 };
            let (a, b) = (
                loud.on_minute(at(k), &cpu(load), desired, desired, false),
                quiet.on_minute(at(k), &cpu(load), desired, desired, false),
            );
            assert_eq!(a, b, "minute {k}");
            assert!(quiet.held_back().is_empty());
            held += loud.held_back().len();
            if let Some(d) = a {
                assert!(d.reason.starts_with("cpu60: "), "{}", d.reason);
                desired = d.new_desired;
                decisions += 1;
            }
        }
        assert!(decisions >= 3, "{decisions}");
        assert!(held > 0, "the explaining scaler said why it held back at least once");
    }

    #[test]
    fn missing_data_never_scales() {
        let mut s = ServiceScaler::new(api_config());
        let mut t = scaler(1, 10, vec![cpu60()], vec![]);
        for k in 0..30 {
            assert_eq!(s.on_minute(at(k), &MinuteMetrics::default(), 6, 6, false), None);
            assert_eq!(t.on_minute(at(k), &MinuteMetrics::default(), 4, 4, false), None);
        }
        assert!(s.alarm_states().all(|(_, _, st)| st == AlarmState::InsufficientData));
        assert_eq!(
            t.alarm_states().collect::<Vec<_>>(),
            vec![("cpu60", "high", AlarmState::InsufficientData), ("cpu60", "low", AlarmState::InsufficientData)]
        );
        assert_eq!(s.policy_names(), vec!["cpu-steps", "cpu-scale-in"]);
    }

    #[test]
    fn config_validation_collects_every_problem() {
        let mut cfg = api_config();
        cfg.min_capacity = 70;
        cfg.target_tracking.push(tt("cpu-steps", ServiceMetric::CpuUtilization, -1.0));
        cfg.step_scaling[1].name = "a.b".into();
        assert_eq!(
            validate_auto_scaling_config(&cfg),
            vec![
                "max_capacity: 60 is below min_capacity 70; max must be at least min".to_string(),
                "policy name \"cpu-steps\" is used twice; policy names must be unique per service".to_string(),
                "policy name \"a.b\" may not contain \".\" or \"[\" (they separate output keys)".to_string(),
                "target_tracking[cpu-steps].target_value: -1 must be a number above 0".to_string(),
            ]
        );
    }
}
