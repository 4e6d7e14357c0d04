//! Comparing two runs, to turn figures into a decision: every figure of
//! `summary.json` that differs between run A (the baseline) and run B (the
//! change), with its absolute and relative change, cost and reliability
//! first; and `--fail-if` conditions on those changes, so that a team can
//! stop an infrastructure change in CI on a simulated regression.
//!
//! Everything here is pure: two summaries in, a [`Comparison`] out, and text
//! from it. Reading the run directories and printing are the command line's.
//!
//! ```
//! let a = serde_json::json!({"scenario": "s", "cost": {"total_usd": 2.0}});
//! let b = serde_json::json!({"scenario": "s", "cost": {"total_usd": 2.5}});
//! let comparison = ecsim::diff::compare(&a, &b);
//! assert_eq!(comparison.changes[0].metric, "cost.total_usd");
//! assert_eq!(comparison.changes[0].relative(), Some(0.25));
//! ```

mod compare;
mod condition;
mod table;
mod text;
mod units;

pub use compare::{Change, Comparison, Figures, PROVENANCE_KEYS, ProvenanceChange, SECTIONS, compare, figures};
pub use condition::{Condition, ConditionError, Op, Verdict};
pub use table::diff_csv;
pub use text::{format_relative, render};
pub use units::unit;
