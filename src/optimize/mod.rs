//! `ecsim optimize`: the cheapest configuration of a grid that meets
//! constraints, found by successive halving over common random numbers
//! instead of running the whole grid (docs/optimize.md).
//!
//! - [`spec`]: the optimize file (objective, constraints, budget; axes and
//!   variants as in sweeps, whose grid, runner and statistics it reuses);
//! - [`search`]: the rounds, the ranking and the stopping rule, over any
//!   function that runs (configuration, replication) pairs;
//! - [`write`]: `best.json` and `trials.csv`.

pub mod search;
pub mod spec;
pub mod write;

pub use search::{Assessment, Outcome, Problem, Trial, assess, search};
pub use spec::{Bound, Constraint, OptimizeSpec, load_optimize, parse_optimize};
