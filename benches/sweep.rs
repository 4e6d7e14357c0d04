//! Sweep throughput: the same small sweep (the quickstart over two CPU targets
//! and two variants, three replications: 12 runs) on one and on two threads.
//! Parallel efficiency = (time with 1 thread / time with 2 threads) / 2.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use ecsim::cli::sweep::{SimRunner, plan};
use ecsim::sweep::run_sweep;
use std::path::Path;
use std::sync::atomic::AtomicBool;

fn sweep_throughput(c: &mut Criterion) {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/small-sweep.toml");
    let plan = plan(&file).expect("the fixture sweep is valid");
    let runs = (plan.configs.len() * plan.spec.replications as usize) as u64;
    let runner = SimRunner::new(&plan);
    let cancel = AtomicBool::new(false);
    let mut group = c.benchmark_group("sweep");
    group.sample_size(10);
    group.throughput(Throughput::Elements(runs));
    for jobs in [1usize, 2] {
        group.bench_function(format!("jobs={jobs}"), |b| {
            b.iter(|| run_sweep(&plan.spec, &plan.configs, &runner, jobs, &cancel).expect("sweep runs"))
        });
    }
    group.finish();
}

criterion_group!(benches, sweep_throughput);
criterion_main!(benches);
