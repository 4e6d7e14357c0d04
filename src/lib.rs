//! ecsim: a discrete-event simulator of Amazon ECS scheduling, capacity and
//! auto scaling, for cost and reliability questions asked before a change.
//!
//! The flow is one way: a scenario file is parsed and validated into a typed
//! [`scenario::Scenario`]; [`model::simulate`] replays it as a discrete-event
//! simulation; [`report`] writes the results; [`sweep`] runs many variants in
//! parallel; [`chart`] draws them. `ARCHITECTURE.md` at the repository's
//! root is the map: layers, each module's job, where each ECS rule lives.

pub mod calendar;
pub mod calibrate;
pub mod catalog;
pub mod chart;
pub mod cli;
pub mod diff;
pub mod engine;
pub mod fmt;
pub mod hash;
pub mod import;
pub mod model;
pub mod observed;
pub mod optimize;
pub mod query;
pub mod report;
pub mod rng;
pub mod scaling;
pub mod scenario;
pub mod sweep;
pub mod units;
