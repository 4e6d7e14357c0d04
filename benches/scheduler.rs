//! The service scheduler under churn: the first two hours of
//! `scenarios/bench/large.toml`, where load balancer health checks fail under
//! load and tasks are replaced by the hundred thousand (the death spiral the
//! scenario starts in). Each event that stops, starts or judges a task runs the
//! scheduler's slow path (`reconcile` with retiring tasks), so this run is the
//! figure to bring down for it; it also carries placement, the task
//! lifecycle and the per-minute health checks of the same churn. The second
//! figure writes the run's `events.csv` as `ecsim run` does (hundreds of
//! thousands of `target_unhealthy` and `task_unhealthy` rows), to a
//! temporary file that is dropped uncommitted.

use criterion::{Criterion, SamplingMode, criterion_group, criterion_main};
use ecsim::engine::SimDuration;
use ecsim::model::record::NullSink;
use ecsim::model::{RunOptions, simulate};
use ecsim::report::CsvSink;
use std::path::Path;
use std::time::Duration;

fn churn(c: &mut Criterion) {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios/bench/large.toml");
    let mut sc = ecsim::scenario::load(&file).expect("the large scenario is valid");
    // Its scripted events (days 10 and 20) fall after this horizon and never fire.
    sc.duration = SimDuration::from_secs(2 * 3600);
    let mut group = c.benchmark_group("scheduler");
    group.sampling_mode(SamplingMode::Flat).sample_size(10).warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(20));
    group.bench_function("large_first_2h", |b| {
        b.iter(|| simulate(&sc, 0, RunOptions::default(), Box::new(NullSink)).expect("the run completes"))
    });
    let dir = std::env::temp_dir().join(format!("ecsim-bench-events-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temporary directory");
    group.bench_function("large_first_2h_events_csv", |b| {
        b.iter(|| {
            let sink = CsvSink::create(&dir, false, true).expect("events.csv can be created");
            simulate(&sc, 0, RunOptions::default(), Box::new(sink)).expect("the run completes")
        })
    });
    let _ = std::fs::remove_dir_all(&dir);
    group.finish();
}

criterion_group!(benches, churn);
criterion_main!(benches);
