//! Target tracking policies: Application Auto Scaling's two alarms per policy
//! and the proportional capacity they ask for.
//!
//! Sources: docs/aws-facts.md §6.3 (Application Auto Scaling User Guide "Target
//! tracking scaling policies"; API TargetTrackingScalingPolicyConfiguration;
//! alarm shapes observed in aws/copilot-cli#4233 and
//! hashicorp/terraform-provider-aws#42553).

use super::alarm::{Alarm, AlarmConfig, AlarmState, Comparison};
use super::cooldown::Cooldowns;
use super::metrics::{MinuteMetrics, ServiceMetric};
use super::vote::{Direction, Proposal, Vote};
use crate::engine::{SimDuration, SimTime};

/// ASSUMPTION (observed, not documented): the scale-out alarm needs this many
/// one-minute datapoints above the target, out of as many.
pub const HIGH_ALARM_DATAPOINTS: u32 = 3;

/// ASSUMPTION (observed, not documented): the scale-in alarm needs this many
/// one-minute datapoints below its threshold, out of as many.
pub const LOW_ALARM_DATAPOINTS: u32 = 15;

/// ASSUMPTION: the scale-in alarm's threshold as a fraction of the target. AWS
/// documents only that scale-in waits for the metric to be "usually more than
/// 10% lower" than the target; 0.9 × target is what deployed alarms show.
pub const LOW_ALARM_THRESHOLD_FRACTION: f64 = 0.9;

/// One target tracking policy as the scenario loader resolves it.
#[derive(Clone, Debug, PartialEq)]
pub struct TargetTrackingConfig {
    pub name: String,
    pub metric: ServiceMetric,
    pub target_value: f64,
    /// The loader fills absent cooldowns with `scaling::DEFAULT_COOLDOWN`.
    pub scale_out_cooldown: SimDuration,
    pub scale_in_cooldown: SimDuration,
    pub disable_scale_in: bool,
}

impl TargetTrackingConfig {
    /// The scale-out alarm: metric > target, 3 of 3 one-minute datapoints.
    pub fn high_alarm(&self) -> AlarmConfig {
        AlarmConfig {
            threshold: self.target_value,
            comparison: Comparison::GreaterThanThreshold,
            evaluation_periods: HIGH_ALARM_DATAPOINTS,
            datapoints_to_alarm: HIGH_ALARM_DATAPOINTS,
        }
    }

    /// The scale-in alarm: metric < 0.9 × target, 15 of 15 one-minute datapoints.
    pub fn low_alarm(&self) -> AlarmConfig {
        AlarmConfig {
            threshold: self.target_value * LOW_ALARM_THRESHOLD_FRACTION,
            comparison: Comparison::LessThanThreshold,
            evaluation_periods: LOW_ALARM_DATAPOINTS,
            datapoints_to_alarm: LOW_ALARM_DATAPOINTS,
        }
    }
}

/// Problems with one policy, each naming its field under `target_tracking[<name>]`.
pub fn validate_target_tracking_config(c: &TargetTrackingConfig) -> Vec<String> {
    let mut problems = Vec::new();
    let at = format!("target_tracking[{}]", c.name);
    if c.name.is_empty() {
        problems.push("target_tracking: a policy has an empty name".to_string());
    }
    if !(c.target_value.is_finite() && c.target_value > 0.0) {
        problems.push(format!("{at}.target_value: {} must be a number above 0", c.target_value));
    }
    problems
}

/// ASSUMPTION (AWS does not publish the formula): the capacity a target
/// tracking policy asks for, ceil(running × metric / target). Rounding up adds
/// enough on scale-out and removes fewer on scale-in, as AWS describes the
/// policy's bias toward availability.
pub fn proportional_capacity(running: u32, metric: f64, target: f64) -> u32 {
    let exact = f64::from(running) * metric / target;
    // Binary fractions can land a hair above an integer (6.000000000000001);
    // that must not cost a whole task.
    let rounded = (exact - exact.abs() * 1e-12).ceil();
    if rounded.is_nan() || rounded <= 0.0 {
        0
    } else if rounded >= f64::from(u32::MAX) {
        u32::MAX
    } else {
        rounded as u32
    }
}

/// A policy with its alarms and cooldowns.
#[derive(Clone, Debug)]
pub(crate) struct TargetTrackingPolicy {
    pub(crate) cfg: TargetTrackingConfig,
    high: Alarm,
    low: Alarm,
    pub(crate) cooldowns: Cooldowns,
}

impl TargetTrackingPolicy {
    pub(crate) fn new(cfg: TargetTrackingConfig) -> Self {
        let high = Alarm::new(cfg.high_alarm());
        let low = Alarm::new(cfg.low_alarm());
        TargetTrackingPolicy { cfg, high, low, cooldowns: Cooldowns::default() }
    }

    pub(crate) fn observe(&mut self, metrics: &MinuteMetrics) {
        let value = metrics.get(self.cfg.metric).map(|d| d.get(self.cfg.metric.tracked_statistic()));
        self.high.observe(value);
        self.low.observe(value);
    }

    pub(crate) fn high_state(&self) -> AlarmState {
        self.high.state()
    }

    pub(crate) fn low_state(&self) -> AlarmState {
        self.low.state()
    }

    /// What this policy wants at an evaluation, before clamping and combining.
    /// The explanation text is written only with `explain` (it costs more than
    /// the decision, and most evaluations change nothing).
    pub(crate) fn vote(&self, now: SimTime, running: u32, explain: bool) -> Vote {
        let name = &self.cfg.name;
        let metric = self.cfg.metric.aws_name();
        let target = self.cfg.target_value;
        if self.high.state() == AlarmState::Alarm {
            let Some(value) = self.high.latest() else {
                return Vote::Hold;
            };
            let basis = self.cooldowns.scale_out_basis(now, running);
            // Scaling from zero: the smallest possible step (min applies later).
            let capacity = if basis.running == 0 { 1 } else { proportional_capacity(basis.running, value, target) };
            let mut explanation = String::new();
            if explain {
                let maths = if basis.running == 0 {
                    "0 running → 1".to_string()
                } else {
                    format!("ceil({} running × {} / {target}) = {capacity}", basis.running, super::Shown(value))
                };
                explanation = format!(
                    "{name}: high alarm {metric} {} in ALARM, latest {}; {maths}",
                    self.high.config().describe(),
                    super::Shown(value)
                );
            }
            if let (Some(must_exceed), Some(until)) = (basis.must_exceed, basis.until) {
                if explain {
                    explanation.push_str(&format!(
                        " (scale-out cooldown until {until} s: counted from the running count at the last scale-out, which set {must_exceed})"
                    ));
                }
                if capacity <= must_exceed {
                    return Vote::Blocked(explanation);
                }
            }
            return Vote::Act(Proposal {
                direction: Direction::Out,
                capacity,
                metric_value: value,
                threshold: self.high.config().threshold,
                explanation,
                basis: Some(basis),
            });
        }
        if self.cfg.disable_scale_in || self.low.state() != AlarmState::Alarm {
            return Vote::Hold;
        }
        let Some(value) = self.low.latest() else {
            return Vote::Hold;
        };
        let capacity = proportional_capacity(running, value, target);
        let explanation = if explain {
            format!(
                "{name}: low alarm {metric} {} in ALARM, latest {shown}; ceil({running} running × {shown} / {target}) = {capacity}",
                self.low.config().describe(),
                shown = super::Shown(value)
            )
        } else {
            String::new()
        };
        if let Some(until) = self.cooldowns.scale_in_blocked_until(now) {
            return Vote::Blocked(if explain {
                format!("{explanation} (scale-in cooldown until {until} s)")
            } else {
                explanation
            });
        }
        Vote::Act(Proposal {
            direction: Direction::In,
            capacity,
            metric_value: value,
            threshold: self.low.config().threshold,
            explanation,
            basis: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cpu60() -> TargetTrackingConfig {
        TargetTrackingConfig {
            name: "cpu60".into(),
            metric: ServiceMetric::CpuUtilization,
            target_value: 60.0,
            scale_out_cooldown: SimDuration::from_secs(300),
            scale_in_cooldown: SimDuration::from_secs(300),
            disable_scale_in: false,
        }
    }

    #[test]
    fn proportional_capacity_rounds_up() {
        assert_eq!(proportional_capacity(4, 90.0, 60.0), 6);
        assert_eq!(proportional_capacity(4, 91.0, 60.0), 7); // 6.07 → 7
        assert_eq!(proportional_capacity(4, 30.0, 60.0), 2);
        assert_eq!(proportional_capacity(10, 50.0, 60.0), 9); // 8.33 → 9: removes fewer
        assert_eq!(proportional_capacity(3, 70.0, 70.0), 3);
        assert_eq!(proportional_capacity(10, 0.7 * 60.0, 0.7 * 100.0), 6); // 6 despite binary fractions
        assert_eq!(proportional_capacity(0, 90.0, 60.0), 0);
        assert_eq!(proportional_capacity(5, 0.0, 60.0), 0);
    }

    #[test]
    fn alarm_shapes() {
        let c = cpu60();
        assert_eq!(c.high_alarm().describe(), "> 60 for 3 of 3 datapoints");
        assert_eq!(c.low_alarm().describe(), "< 54 for 15 of 15 datapoints");
    }

    #[test]
    fn high_alarm_fires_on_the_third_datapoint_above_target() {
        let mut p = TargetTrackingPolicy::new(cpu60());
        let now = SimTime::from_minute(20);
        for _ in 0..2 {
            p.observe(&MinuteMetrics::cpu_only(90.0));
            assert!(matches!(p.vote(now, 4, true), Vote::Hold));
        }
        p.observe(&MinuteMetrics::cpu_only(90.0));
        match p.vote(now, 4, true) {
            Vote::Act(prop) => {
                assert_eq!(prop.direction, Direction::Out);
                assert_eq!(prop.capacity, 6);
                assert_eq!(prop.threshold, 60.0);
            }
            other => panic!("expected a scale-out, got {other:?}"),
        }
    }

    #[test]
    fn disable_scale_in_and_missing_data_hold() {
        let mut c = cpu60();
        c.disable_scale_in = true;
        let mut p = TargetTrackingPolicy::new(c);
        for _ in 0..20 {
            p.observe(&MinuteMetrics::cpu_only(10.0));
        }
        assert_eq!(p.low_state(), AlarmState::Alarm);
        assert!(matches!(p.vote(SimTime::from_minute(20), 4, true), Vote::Hold));

        let mut q = TargetTrackingPolicy::new(cpu60());
        for _ in 0..20 {
            q.observe(&MinuteMetrics::default());
        }
        assert_eq!(q.high_state(), AlarmState::InsufficientData);
        assert_eq!(q.low_state(), AlarmState::InsufficientData);
        assert!(matches!(q.vote(SimTime::from_minute(20), 4, true), Vote::Hold));
    }

    #[test]
    fn validation() {
        let mut c = cpu60();
        assert!(validate_target_tracking_config(&c).is_empty());
        c.target_value = 0.0;
        assert_eq!(
            validate_target_tracking_config(&c),
            vec!["target_tracking[cpu60].target_value: 0 must be a number above 0".to_string()]
        );
    }
}
