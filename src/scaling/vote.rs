//! What a policy answers at one evaluation: a vote to act (a proposal with
//! its direction and capacity), to hold, or blocked by a cooldown. The
//! policies (`target_tracking`, `step`) produce votes and the `scaler`
//! combines them; the types live here, below both, so that neither side
//! imports the other.

use super::cooldown::ScaleOutBasis;

/// Which way an action moves a service's desired count.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Direction {
    Out,
    In,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Out => "out",
            Direction::In => "in",
        }
    }
}

/// What one policy asks for at one evaluation, before clamping.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Proposal {
    pub(crate) direction: Direction,
    pub(crate) capacity: u32,
    pub(crate) metric_value: f64,
    pub(crate) threshold: f64,
    pub(crate) explanation: String,
    /// For scale-outs: the running count computed from, and the cooldown it met.
    pub(crate) basis: Option<ScaleOutBasis>,
}

/// A policy's answer at one evaluation.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Vote {
    Act(Proposal),
    /// In ALARM but kept from acting (cooldown); the line says why.
    Blocked(String),
    Hold,
}
