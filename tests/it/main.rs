//! Integration tests: one binary, one module per concern. Most run the
//! library on small scenarios whose figures are worked out by hand; `cli`
//! runs the built binary.

mod architecture;
mod bad;
mod calibrate;
mod capacity;
mod charts;
mod churn;
mod cli;
mod common;
mod corrections;
mod cost;
mod diff;
mod docs;
mod e2e;
mod export;
mod health;
mod hostile;
mod import;
mod long;
mod placement;
mod props;
mod regressions;
mod scaling;
mod sweep;
mod workload;
