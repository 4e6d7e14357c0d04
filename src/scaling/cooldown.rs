//! Application Auto Scaling cooldowns of one policy.
//!
//! Semantics (API_StepScalingPolicyConfiguration "Cooldown" and
//! API_TargetTrackingScalingPolicyConfiguration "ScaleOutCooldown" /
//! "ScaleInCooldown", docs.aws.amazon.com/autoscaling/application/APIReference/):
//! - Scale-out: "the scaling policy won't increase the desired capacity again
//!   unless either a larger scale out is triggered or the cooldown period ends";
//!   "capacity added by the initiating scale-out activity is calculated as part
//!   of the desired capacity for the next scale-out activity" (example: an ECS
//!   service +2 tasks, then +3 during the cooldown adds only 1 more). So during
//!   the cooldown the policy computes from the running count it started from at
//!   the initiating scale-out, and acts only above the capacity that scale-out set.
//! - Scale-in: "scale-in activities are blocked until the cooldown period has
//!   expired"; but a scale-out by another alarm during it proceeds and "the
//!   cooldown period for the scale-in activity stops".

use crate::engine::{SimDuration, SimTime};

/// The running state of a scale-out cooldown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ScaleOutCooldown {
    /// First instant at which the cooldown no longer applies.
    pub until: SimTime,
    /// Running count the initiating scale-out computed from.
    pub base_running: u32,
    /// Desired count the latest scale-out of this policy set.
    pub capacity_set: u32,
}

/// How a scale-out must compute while (or after) cooling down.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ScaleOutBasis {
    /// Running count to compute from.
    pub running: u32,
    /// When in cooldown: the capacity a new scale-out must exceed.
    pub must_exceed: Option<u32>,
    /// When in cooldown: its end.
    pub until: Option<SimTime>,
}

/// Both cooldowns of one policy.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Cooldowns {
    scale_out: Option<ScaleOutCooldown>,
    scale_in_until: Option<SimTime>,
}

impl Cooldowns {
    pub fn scale_out_basis(&self, now: SimTime, running: u32) -> ScaleOutBasis {
        match self.scale_out {
            Some(c) if now < c.until => {
                ScaleOutBasis { running: c.base_running, must_exceed: Some(c.capacity_set), until: Some(c.until) }
            }
            _ => ScaleOutBasis { running, must_exceed: None, until: None },
        }
    }

    /// The end of the scale-in cooldown, if it still blocks scale-in at `now`.
    pub fn scale_in_blocked_until(&self, now: SimTime) -> Option<SimTime> {
        self.scale_in_until.filter(|until| now < *until)
    }

    /// Records a scale-out of this policy. A scale-out inside the cooldown
    /// restarts the timer but keeps the initiating base, so capacity already
    /// added is never added twice.
    pub fn record_scale_out(&mut self, now: SimTime, cooldown: SimDuration, basis: ScaleOutBasis, capacity_set: u32) {
        self.scale_out = Some(ScaleOutCooldown { until: now + cooldown, base_running: basis.running, capacity_set });
        self.scale_in_until = None;
    }

    pub fn record_scale_in(&mut self, now: SimTime, cooldown: SimDuration) {
        self.scale_in_until = Some(now + cooldown);
    }

    /// A scale-out by any policy ends this policy's scale-in cooldown.
    pub fn end_scale_in(&mut self) {
        self.scale_in_until = None;
    }

    pub fn scale_out(&self) -> Option<ScaleOutCooldown> {
        self.scale_out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scale_out_cooldown_keeps_the_initiating_base_until_it_ends() {
        let mut c = Cooldowns::default();
        let t0 = SimTime::from_secs(600);
        let basis = c.scale_out_basis(t0, 10);
        assert_eq!(basis, ScaleOutBasis { running: 10, must_exceed: None, until: None });
        c.record_scale_out(t0, SimDuration::from_secs(300), basis, 12);
        // 60 s later 12 tasks run, but the computation starts from 10 and must beat 12.
        let during = c.scale_out_basis(SimTime::from_secs(660), 12);
        assert_eq!(during.running, 10);
        assert_eq!(during.must_exceed, Some(12));
        assert_eq!(during.until, Some(SimTime::from_secs(900)));
        // A larger scale-out inside the cooldown: base stays 10, timer restarts.
        c.record_scale_out(SimTime::from_secs(660), SimDuration::from_secs(300), during, 13);
        let later = c.scale_out_basis(SimTime::from_secs(900), 13);
        assert_eq!((later.running, later.must_exceed), (10, Some(13)));
        // At the end of the cooldown the policy computes from running again.
        let after = c.scale_out_basis(SimTime::from_secs(960), 13);
        assert_eq!((after.running, after.must_exceed), (13, None));
    }

    #[test]
    fn scale_in_cooldown_blocks_until_it_ends_or_a_scale_out() {
        let mut c = Cooldowns::default();
        c.record_scale_in(SimTime::from_secs(0), SimDuration::from_secs(300));
        assert_eq!(c.scale_in_blocked_until(SimTime::from_secs(299)), Some(SimTime::from_secs(300)));
        assert_eq!(c.scale_in_blocked_until(SimTime::from_secs(300)), None);
        c.record_scale_in(SimTime::from_secs(300), SimDuration::from_secs(300));
        c.end_scale_in();
        assert_eq!(c.scale_in_blocked_until(SimTime::from_secs(301)), None);
    }
}
