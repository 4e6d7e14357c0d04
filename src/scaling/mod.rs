//! Service Auto Scaling as Application Auto Scaling does it for ECS services:
//! CloudWatch-like one-minute metrics and alarms, target tracking and step
//! scaling policies with cooldowns, scheduled min/max changes, predictive
//! scaling's hourly forecasts and the capacity floor they set. Pure logic: the
//! model calls [`ServiceScaler::on_minute`] once per simulated minute with the
//! datapoints that just became visible and applies the decision it returns.
//!
//! ```
//! use ecsim::engine::{SimDuration, SimTime};
//! use ecsim::scaling::{AutoScalingConfig, MinuteMetrics, ServiceMetric, ServiceScaler, TargetTrackingConfig};
//!
//! let cpu60 = TargetTrackingConfig {
//!     name: "cpu60".into(),
//!     metric: ServiceMetric::CpuUtilization,
//!     target_value: 60.0,
//!     scale_out_cooldown: SimDuration::from_secs(60),
//!     scale_in_cooldown: SimDuration::from_secs(300),
//!     disable_scale_in: false,
//! };
//! let cfg = AutoScalingConfig {
//!     min_capacity: 2,
//!     max_capacity: 80,
//!     target_tracking: vec![cpu60],
//!     step_scaling: vec![],
//!     predictive: vec![],
//! };
//! let mut scaler = ServiceScaler::new(cfg);
//! let hot = MinuteMetrics::cpu_only(90.0);
//! assert!(scaler.on_minute(SimTime::from_minute(1), &hot, 4, 4, false).is_none());
//! assert!(scaler.on_minute(SimTime::from_minute(2), &hot, 4, 4, false).is_none());
//! let decision = scaler.on_minute(SimTime::from_minute(3), &hot, 4, 4, false).expect("3 of 3 above 60");
//! assert_eq!(decision.new_desired, 6); // ceil(4 × 90 / 60)
//! ```

pub mod alarm;
pub mod cooldown;
pub mod forecast;
pub mod held;
pub mod metrics;
pub mod predictive;
pub mod predictive_metrics;
pub mod scaler;
pub mod step;
pub mod target_tracking;
pub mod vote;

pub use alarm::{Alarm, AlarmConfig, AlarmState, Comparison};
pub use forecast::{Forecaster, HourClock, Slot};
pub use held::{HeldBack, HeldCause};
pub use metrics::{Datapoint, MinuteMetrics, ServiceMetric, Statistic};
pub use predictive::{
    Floor, MaxCapacityBreach, PredictiveConfig, PredictiveMode, PredictivePolicy, validate_predictive_config,
};
pub use predictive_metrics::{CustomMetric, MetricPair, PredictiveMetrics};
pub use scaler::{
    AutoScalingConfig, ScalingDecision, ScheduledActionRejected, ServiceScaler, validate_auto_scaling_config,
};
pub use step::{AdjustmentType, StepAdjustment, StepScalingConfig, validate_step_config};
pub use target_tracking::{TargetTrackingConfig, validate_target_tracking_config};
pub use vote::Direction;

use crate::engine::SimDuration;

/// A metric value as explanations show it: at most two decimals, no trailing zeros.
pub struct Shown(pub f64);

impl std::fmt::Display for Shown {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let text = format!("{:.2}", self.0);
        let text = if text.contains('.') { text.trim_end_matches('0').trim_end_matches('.') } else { &text };
        if f.sign_plus() && self.0 >= 0.0 { write!(f, "+{text}") } else { f.write_str(text) }
    }
}

/// Cooldown when a policy gives none: 300 s for ECS services, for target
/// tracking scale-out and scale-in (CDK BaseTargetTrackingProps) and step
/// scaling (API StepScalingPolicyConfiguration); docs/aws-facts.md §6.3, 6.4.
pub const DEFAULT_COOLDOWN: SimDuration = SimDuration::from_secs(300);

/// A modelling choice that rests on an AWS behaviour not confirmed by a primary source.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Assumption {
    /// The constant or function that carries it.
    pub name: &'static str,
    pub value: &'static str,
    pub note: &'static str,
}

/// The assumptions this module relies on, for `summary.json`'s `assumptions`.
pub const ASSUMPTIONS: &[Assumption] = &[
    Assumption {
        name: "scaling::alarm::EVALUATION_RANGE_EXTRA_PERIODS",
        value: "2",
        note: "CloudWatch fetches N + 2 datapoints as the evaluation range (documented only for N = 3)",
    },
    Assumption {
        name: "scaling::target_tracking::HIGH_ALARM_DATAPOINTS",
        value: "3",
        note: "target tracking scale-out alarm: 3 of 3 one-minute datapoints above the target (observed)",
    },
    Assumption {
        name: "scaling::target_tracking::LOW_ALARM_DATAPOINTS",
        value: "15",
        note: "target tracking scale-in alarm: 15 of 15 one-minute datapoints below its threshold (observed)",
    },
    Assumption {
        name: "scaling::target_tracking::LOW_ALARM_THRESHOLD_FRACTION",
        value: "0.9",
        note: "target tracking scale-in alarm threshold = 0.9 x target (observed)",
    },
    Assumption {
        name: "scaling::target_tracking::proportional_capacity",
        value: "ceil(running x metric / target)",
        note: "target tracking capacity formula and rounding (not published)",
    },
    Assumption {
        name: "scaling::step::StepPolicy::vote",
        value: "latest datapoint, MetricAggregationType statistic",
        note: "which datapoints step scaling aggregates to pick a step (not published)",
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn assumptions_match_the_constants() {
        let value = |name: &str| ASSUMPTIONS.iter().find(|a| a.name.ends_with(name)).map(|a| a.value);
        assert_eq!(
            value("EVALUATION_RANGE_EXTRA_PERIODS"),
            Some(alarm::EVALUATION_RANGE_EXTRA_PERIODS.to_string().as_str())
        );
        assert_eq!(value("HIGH_ALARM_DATAPOINTS"), Some(target_tracking::HIGH_ALARM_DATAPOINTS.to_string().as_str()));
        assert_eq!(value("LOW_ALARM_DATAPOINTS"), Some(target_tracking::LOW_ALARM_DATAPOINTS.to_string().as_str()));
        assert_eq!(
            value("LOW_ALARM_THRESHOLD_FRACTION"),
            Some(target_tracking::LOW_ALARM_THRESHOLD_FRACTION.to_string().as_str())
        );
        assert_eq!(DEFAULT_COOLDOWN.as_millis(), 300_000);
    }
}
