//! PHOLD on ecsim's event queue: events per second with 1,000 and 100,000
//! logical processes and 1 or 16 events in flight per process. The model and
//! its parameters live in `benches/peer/`, shared with the comparison against
//! SimPy and a bare binary heap (`benches/peer/compare.sh`).

#[path = "peer/ecsim_phold.rs"]
mod ecsim_phold;
#[path = "peer/phold.rs"]
mod phold;

use criterion::{BenchmarkId, Criterion, SamplingMode, Throughput, criterion_group, criterion_main};
use ecsim_phold::EcsimPhold;
use phold::{CASES, TIMED_EVENTS};
use std::time::Duration;

fn phold_on_event_queue(c: &mut Criterion) {
    let mut group = c.benchmark_group("phold");
    // Each iteration is a million events (tens to hundreds of milliseconds),
    // so a few flat samples are plenty and keep the run short.
    group
        .sampling_mode(SamplingMode::Flat)
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .throughput(Throughput::Elements(TIMED_EVENTS));
    for case in CASES {
        // The simulation carries on from one iteration to the next, so every
        // timed event is processed on a queue in its steady state.
        let mut sim = EcsimPhold::new(case);
        // 1.6 M events in flight run at about 1 M events/s: ten samples need longer.
        group.measurement_time(Duration::from_secs(if case.population() > 1_000_000 { 10 } else { 3 }));
        sim.run(case.warm_up_events());
        let id = BenchmarkId::new("ecsim", format!("lps={}/per_lp={}", case.lps, case.per_lp));
        group.bench_function(id, |b| b.iter(|| sim.run(TIMED_EVENTS)));
    }
    group.finish();
}

criterion_group!(benches, phold_on_event_queue);
criterion_main!(benches);
