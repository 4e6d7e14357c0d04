//! The ledger of costs beyond compute (`model::cost_items`): every task that
//! starts or stops closes it, so its `close` runs hundreds of thousands of
//! times in `scenarios/bench/large.toml`, and it must not walk every service
//! of the cluster when none of them has such a cost.
//!
//! - `close_unrated`: the large scenario as shipped (no load balancer, address
//!   or storage costs): nothing to integrate;
//! - `close_all_rated`: every service and provider with a rate (the cost of a
//!   walk over all rows, which a scenario charging them all does pay).

use criterion::{Criterion, criterion_group, criterion_main};
use ecsim::engine::SimTime;
use ecsim::model::cost_items::{Item, ItemLedger};
use std::hint::black_box;
use std::path::Path;

fn ledger_close(c: &mut Criterion) {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios/bench/large.toml");
    let sc = ecsim::scenario::load(&file).expect("the large scenario is valid");
    let mut group = c.benchmark_group("cost_items_close");
    let mut unrated = ItemLedger::new(&sc);
    let mut t = 0;
    group.bench_function("close_unrated", |b| {
        b.iter(|| {
            t += 1000;
            unrated.close(black_box(SimTime::from_millis(t)));
        })
    });
    let mut rated = ItemLedger::new(&sc);
    for o in 0..sc.services.len() {
        rated.change_rate(Some(o), 0, Item::PublicIpv4, 0.005);
    }
    for p in 0..sc.providers.len() {
        rated.change_rate(None, p, Item::Storage, 0.01);
    }
    let mut t = 0;
    group.bench_function("close_all_rated", |b| {
        b.iter(|| {
            t += 1000;
            rated.close(black_box(SimTime::from_millis(t)));
        })
    });
    group.finish();
}

criterion_group!(benches, ledger_close);
criterion_main!(benches);
