//! Why a run produced no results. One type from the model up to the command
//! line, so that callers match on the kind of failure (Ctrl-C is exit 130,
//! anything else exit 3; a sweep counts interrupted runs apart from failed
//! ones) instead of comparing message text.

use thiserror::Error;

use super::Event;
use crate::engine::SimTime;

/// A run that did not complete. The messages are the ones the user reads
/// (on stderr, or in the `error` column of a sweep's `runs.csv`).
#[derive(Clone, Debug, PartialEq, Error)]
pub enum RunError {
    /// Ctrl-C: the run stopped at the next clock boundary and wrote nothing.
    #[error("interrupted")]
    Interrupted,
    /// With invariant checks on, the world was inconsistent after `event`:
    /// a bug in the model, stopped before it could spread into the results.
    #[error("invariant violated at {at} s after {event:?}: {what}")]
    InvariantViolated { at: SimTime, event: Event, what: String },
    /// A figure of `summary.json` came out infinite or NaN (serde would
    /// print it as null, read as "undefined"): a model bug or an input past
    /// the bounds the scenario checks; nothing is written.
    #[error("summary figure(s) not finite: {}; the results would be wrong, so none were written", .0.join(", "))]
    NonFinite(Vec<String>),
    /// A sweep configuration whose scenario does not resolve; the message
    /// says where and why, as `ecsim validate` would.
    #[error("{0}")]
    Scenario(String),
    /// The results could not be written (the message names the file).
    #[error("{0}")]
    Output(String),
    /// The simulator panicked (a bug); a sweep records the run as failed
    /// and goes on with the others.
    #[error("the simulator panicked: {0}")]
    Panicked(String),
    /// A failure read back from a sweep shard's `runs.csv`: only its message
    /// is known, and it is written again as it was.
    #[error("{0}")]
    Recorded(String),
}
