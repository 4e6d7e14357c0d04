//! Why a scaling proposal did not act: the answer to "why didn't it scale?".
//! A policy held back for the same cause at consecutive evaluations is one
//! episode, so a service resting at its minimum with a low alarm in ALARM
//! says so once, not every minute.

/// What kept a proposal from acting.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HeldCause {
    /// The policy's own cooldown.
    Cooldown,
    /// Scale-in is suspended during a deployment.
    Deployment,
    /// Clamped to [min, max], it would leave desired where it is (or move it the other way).
    Bounds,
    /// Not every target tracking policy with scale-in enabled asks to scale in.
    Disagreement,
    /// Another proposal asked for more and won.
    Outbid,
}

/// One proposal that did not act, with the policy it came from.
#[derive(Clone, Debug, PartialEq)]
pub struct HeldBack {
    pub policy: String,
    pub cause: HeldCause,
    /// The proposal and why it was held, on one line: written for a new
    /// episode (the only ones the events show), empty for a repeat.
    pub line: String,
    /// The policy was not held for this cause at the previous evaluation.
    pub new: bool,
}

/// Marks which of this evaluation's held proposals start an episode;
/// `previous` holds the (policy, cause) pairs of the previous evaluation.
pub fn mark_new(held: &mut [HeldBack], previous: &mut Vec<(String, HeldCause)>) {
    for h in held.iter_mut() {
        h.new = !previous.iter().any(|(p, c)| *p == h.policy && *c == h.cause);
    }
    previous.clear();
    previous.extend(held.iter().map(|h| (h.policy.clone(), h.cause)));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn held(policy: &str, cause: HeldCause) -> HeldBack {
        HeldBack { policy: policy.into(), cause, line: String::new(), new: false }
    }

    #[test]
    fn an_episode_is_new_once_and_again_after_a_break_or_a_new_cause() {
        let mut previous = Vec::new();
        let mut a = [held("cpu", HeldCause::Bounds)];
        mark_new(&mut a, &mut previous);
        assert!(a[0].new);
        let mut b = [held("cpu", HeldCause::Bounds), held("steps", HeldCause::Outbid)];
        mark_new(&mut b, &mut previous);
        assert_eq!((b[0].new, b[1].new), (false, true));
        let mut c = [held("cpu", HeldCause::Cooldown)];
        mark_new(&mut c, &mut previous);
        assert!(c[0].new, "same policy, another cause");
        mark_new(&mut [], &mut previous);
        let mut d = [held("cpu", HeldCause::Cooldown)];
        mark_new(&mut d, &mut previous);
        assert!(d[0].new, "after an evaluation without it");
    }
}
