//! What a run will need, estimated from the scenario before it starts, so a
//! run too big for the machine or the disk is refused up front with the
//! numbers (by the command line, against `--max-memory` / `--max-output`)
//! instead of dying out of memory or filling the disk hours later.
//!
//! The estimates are upper-bound-minded, not exact: every task a service may
//! run at once (its largest capacity, with a deployment's surplus), every
//! instance its groups allow, every time-series row a replication writes.

use super::metrics::{CLUSTER_METRICS, PROVIDER_METRICS, SERVICE_METRICS};
use crate::scenario::{Scenario, ScriptedKind};

/// Memory per task slot, measured: 300,000 Fargate tasks alive at once add
/// 76 MB to the peak resident size (about 255 bytes each), rounded up.
pub const BYTES_PER_TASK: u64 = 300;
/// Memory per instance, an upper bound (an instance keeps its attributes,
/// its task list and its free resources; ids are never reused).
pub const BYTES_PER_INSTANCE: u64 = 1024;
/// The program, its tables and the scenario itself: the peak size of a
/// one-task run is 17 MB.
pub const BASE_BYTES: u64 = 32_000_000;
/// The characters of a time-series row besides its time, scope, name and
/// metric: four commas, the newline and a value (measured over the examples:
/// values average under 10 characters).
const ROW_OVERHEAD_BYTES: u64 = 15;

/// Events a task or instance slot writes per hour (started, placed or not,
/// out of rotation and back, interrupted, stopped): 0.26 in the busiest
/// shipped example (scenarios/bench/large.toml, 3.2 million events over
/// 17,550 slots for 720 hours, health checks failing under load), doubled.
const EVENTS_PER_SLOT_HOUR: f64 = 0.5;
/// Decisions a scaling policy writes per hour (scale-out, scale-in, held):
/// at most one a minute, and one every 10 minutes here (2 an hour in
/// large.toml).
const EVENTS_PER_POLICY_HOUR: f64 = 6.0;
/// The characters of an event's `detail`, estimated: the mean over the
/// shipped examples is under 100 and the longest is 312.
const DETAIL_BYTES: u64 = 160;
/// The longest `kind` (`instance_launch_failed`) and `scope` (`provider`)
/// of events.csv, with the line's four commas and its newline.
const EVENT_FIXED_BYTES: u64 = 22 + 8 + 5;

/// What one replication needs; `timeseries_bytes` and `events_bytes` are per replication.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Estimate {
    /// Tasks that may be alive at once.
    pub tasks: u64,
    /// Instances the capacity providers' groups may hold.
    pub instances: u64,
    /// Time series (one per scope, name and metric).
    pub series: u64,
    /// Rows of timeseries.csv (0 when it is not written).
    pub rows: u64,
    /// Bytes of timeseries.csv.
    pub timeseries_bytes: u64,
    /// Lines of events.csv, estimated (0 when it is not written).
    pub events: u64,
    /// Bytes of events.csv.
    pub events_bytes: u64,
    /// Peak memory.
    pub memory_bytes: u64,
}

/// Estimates one replication of `sc`.
pub fn estimate(sc: &Scenario) -> Estimate {
    // Per service: whether it is ever deployed, and the largest desired
    // count an event sets (one pass over the events).
    let mut deployed = vec![false; sc.services.len()];
    let mut set = vec![0u32; sc.services.len()];
    for e in &sc.events {
        match e.kind {
            ScriptedKind::Deploy { service, .. } => deployed[service.idx()] = true,
            ScriptedKind::SetDesiredCount { service, count } => set[service.idx()] = set[service.idx()].max(count),
            _ => {}
        }
    }
    let tasks: u64 = sc
        .services
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let scaled = s.auto_scaling.as_ref().map_or(0, |a| a.max_capacity);
            let scheduled = s.scheduled_actions.iter().filter_map(|a| a.max_capacity).max().unwrap_or(0);
            let most = u64::from(s.desired_count.max(scaled).max(scheduled).max(set[i]));
            // A rolling deployment runs up to maximumPercent of the desired count.
            let surplus = if deployed[i] { (s.max_percent / 100.0).max(1.0) } else { 1.0 };
            (most as f64 * surplus).ceil() as u64
        })
        .sum::<u64>()
        + sc.batch.iter().map(|b| u64::from(b.count)).sum::<u64>();
    let instances: u64 = sc.providers.iter().filter_map(|p| p.asg()).map(|a| u64::from(a.max_size)).sum();

    // The series `metrics::register_series` creates, with the length of
    // their scope, name and metric fields.
    let mut series = 0u64;
    let mut text = 0u64;
    let mut add = |scope: &str, name: &str, metric_chars: u64, count: u64| {
        series += count;
        text += count * (scope.len() + name.len()) as u64 + metric_chars;
    };
    let chars = |metrics: &[(&str, super::record::Agg)]| metrics.iter().map(|(m, _)| m.len() as u64).sum::<u64>();
    add("cluster", &sc.cluster_name, chars(&CLUSTER_METRICS), CLUSTER_METRICS.len() as u64);
    for p in &sc.providers {
        if p.is_fargate() {
            // A Fargate provider has no instances: only its tasks and cost are defined.
            add("provider", &p.name, ("tasks".len() + "cost_usd_per_hour".len()) as u64, 2);
        } else {
            add("provider", &p.name, chars(&PROVIDER_METRICS), PROVIDER_METRICS.len() as u64);
        }
    }
    for s in &sc.services {
        add("service", &s.name, chars(&SERVICE_METRICS), SERVICE_METRICS.len() as u64);
        if let Some(a) = &s.auto_scaling {
            // Target tracking has a high and a low alarm, a step policy one.
            for p in &a.target_tracking {
                add("service", &s.name, 2 * (p.name.len() as u64 + 11), 2);
            }
            for p in &a.step_scaling {
                add("service", &s.name, p.name.len() as u64 + 6, 1);
            }
        }
    }
    for b in &sc.batch {
        add("batch", &b.name, "running".len() as u64 + "waiting".len() as u64, 2);
    }
    let (rows, timeseries_bytes) = if sc.output.timeseries {
        let interval = sc.output.timeseries_interval.as_millis().max(1);
        let intervals = sc.duration.as_millis().div_ceil(interval);
        let time_chars = (sc.duration.as_millis() / 1000).max(1).to_string().len() as u64;
        let per_interval = text + series * (time_chars + ROW_OVERHEAD_BYTES);
        (series.saturating_mul(intervals), per_interval.saturating_mul(intervals))
    } else {
        (0, 0)
    };
    let (events, events_bytes) = if sc.output.events {
        let policies: usize = sc
            .services
            .iter()
            .filter_map(|s| s.auto_scaling.as_ref())
            .map(|a| a.target_tracking.len() + a.step_scaling.len())
            .sum();
        let hours = sc.duration.as_millis() as f64 / 3_600_000.0;
        let per_hour = EVENTS_PER_SLOT_HOUR * (tasks + instances) as f64 + EVENTS_PER_POLICY_HOUR * policies as f64;
        let events = (per_hour * hours).ceil().min(u64::MAX as f64) as u64;
        let names = sc.services.iter().map(|s| s.name.len()).chain(sc.providers.iter().map(|p| p.name.len()));
        let longest_name = names.chain(sc.batch.iter().map(|b| b.name.len())).max().unwrap_or(0) as u64;
        let time_chars = (sc.duration.as_millis() / 1000).max(1).to_string().len() as u64 + 4;
        let per_event = time_chars + EVENT_FIXED_BYTES + longest_name + DETAIL_BYTES;
        (events, events.saturating_mul(per_event))
    } else {
        (0, 0)
    };
    let memory_bytes = BASE_BYTES
        .saturating_add(tasks.saturating_mul(BYTES_PER_TASK))
        .saturating_add(instances.saturating_mul(BYTES_PER_INSTANCE));
    Estimate { tasks, instances, series, rows, timeseries_bytes, events, events_bytes, memory_bytes }
}
