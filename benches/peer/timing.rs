//! Timing and the one-line result format every PHOLD implementation prints,
//! so that `compare.sh` can read Rust and Python results alike.

use super::phold::{CASES, Case, TIMED_EVENTS};
use std::time::Instant;

/// How hard to measure: `cargo bench` passes `--bench`; `cargo test` does not
/// and only needs to see that the program runs.
pub struct Plan {
    pub events: u64,
    pub repetitions: u32,
    pub cases: Vec<Case>,
}

impl Plan {
    pub fn from_args() -> Self {
        if std::env::args().any(|arg| arg == "--bench") {
            Plan { events: TIMED_EVENTS, repetitions: 5, cases: CASES.to_vec() }
        } else {
            let small = CASES.iter().copied().filter(|case| case.population() <= 16_000).collect();
            Plan { events: 10_000, repetitions: 1, cases: small }
        }
    }
}

/// A simulation that can process a given number of events and report its
/// clock (integer milliseconds) afterwards.
pub trait Phold {
    fn process(&mut self, events: u64) -> u64;
}

/// Warms `sim` up, then times `plan.repetitions` runs of `plan.events` events
/// and prints the fastest: the least disturbed by other work on the machine.
pub fn measure(implementation: &str, case: Case, plan: &Plan, sim: &mut impl Phold) {
    sim.process(case.warm_up_events());
    let mut best_seconds = f64::INFINITY;
    let mut clock_ms = 0;
    for _ in 0..plan.repetitions {
        let start = Instant::now();
        clock_ms = std::hint::black_box(sim.process(plan.events));
        best_seconds = best_seconds.min(start.elapsed().as_secs_f64());
    }
    println!(
        "phold impl={implementation} lps={} per_lp={} events={} seconds={best_seconds:.6} events_per_sec={:.0} clock_ms={clock_ms}",
        case.lps,
        case.per_lp,
        plan.events,
        plan.events as f64 / best_seconds,
    );
}
