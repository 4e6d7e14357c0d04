//! Integration tests: one binary, one module per concern. Most run the
//! library on small scenarios whose figures are worked out by hand; `cli`
//! runs the built binary; `validation` holds AWS's published worked examples.
//! One binary, so a build links the library and the test dependencies once.

mod architecture;
mod bad;
mod calibrate;
mod capacity;
mod charts;
mod churn;
mod cli;
mod common;
mod control;
mod corrections;
mod cost;
mod cost_items;
mod diff;
mod docs;
mod e2e;
mod export;
mod health;
mod hostile;
mod import;
mod long;
mod optimize;
mod overload;
mod placement;
mod predictive;
mod props;
mod regressions;
mod scaling;
mod shards;
mod sweep;
mod validation;
mod workload;
