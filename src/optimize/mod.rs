//! `ecsim optimize`: the cheapest configuration of a grid that meets
//! constraints, found by racing in objective order over common random
//! numbers instead of running the whole grid (docs/optimize.md).
//!
//! - [`spec`]: the optimize file (objective, constraints, budget; axes and
//!   variants as in sweeps, whose grid, runner and statistics it reuses);
//! - [`figure_range`]: the values a figure can take (what exact exclusion needs);
//! - [`search`]: the rounds, the exclusions and the stopping rule, over any
//!   function that runs (configuration, replication) pairs;
//! - [`write`]: `best.json` and `trials.csv`;
//! - [`best_toml`]: the scenario text with the chosen values, comments kept.

pub mod best_toml;
pub mod figure_range;
pub mod search;
pub mod spec;
pub mod write;

pub use search::{Assessment, Outcome, Problem, Status, Trial, assess, search};
pub use spec::{Bound, Constraint, OptimizeSpec, load_optimize, parse_optimize};
