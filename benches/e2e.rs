//! End-to-end latency's hot path (docs/model.md §8.8): one caller's minute on
//! the grid, for `scenarios/reference.toml`'s call graph (web calls api twice,
//! one after the other). Each minute of a run with calls costs one of these per
//! caller whose inputs changed; a run without calls costs none, so this is the
//! figure to bring down (the reference scenario spends most of its time here).
//!
//! - `all_paths`: a minute far from web's 30 s timeout (the common case);
//! - `with_timeouts`: web's sojourn so long that the span reaches its timeout,
//!   so the served paths are computed too (requests failing end to end);
//! - `repeated`: the same inputs as the minute before, kept (the exact reuse).

use criterion::{Criterion, criterion_group, criterion_main};
use ecsim::model::e2e::{E2eCache, Local, minute_e2e};
use ecsim::model::queueing::Component;
use std::hint::black_box;
use std::path::Path;

fn e2e_minute(c: &mut Criterion) {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios/reference.toml");
    let sc = ecsim::scenario::load(&file).expect("the reference scenario is valid");
    let idx = |name: &str| sc.services.iter().position(|s| s.name == name).expect("a service of the scenario");
    let (web, api) = (idx("web"), idx("api"));
    let comp = |rate: f64, weight: f64| Component { rate, weight, timeout: 30.0 };
    // A minute of web on two task definitions (a deployment), api on one.
    let web_fast = [comp(60.0, 30_000.0), comp(75.0, 6_000.0)];
    let web_slow = [comp(1.0, 30_000.0), comp(1.2, 6_000.0)];
    let api_comps = [comp(220.0, 72_000.0)];
    let locals = |web_comps: &'static [Component]| {
        (0..sc.services.len())
            .map(|s| match s {
                s if s == web => Local { comps: web_comps, share: 1.0 },
                s if s == api => Local { comps: &api_comps, share: 0.999 },
                _ => Local { comps: &[], share: 1.0 },
            })
            .collect::<Vec<_>>()
    };
    let web_fast: &'static [Component] = Box::leak(Box::new(web_fast));
    let web_slow: &'static [Component] = Box::leak(Box::new(web_slow));
    let mut group = c.benchmark_group("e2e_minute");
    let fast = locals(web_fast);
    group.bench_function("all_paths", |b| b.iter(|| minute_e2e(&sc, black_box(&fast), web)));
    let slow = locals(web_slow);
    assert!(minute_e2e(&sc, &slow, web).is_some_and(|m| m.timed_out > 0.0), "the slow minute reaches the timeout");
    group.bench_function("with_timeouts", |b| b.iter(|| minute_e2e(&sc, black_box(&slow), web)));
    let mut cache = E2eCache::default();
    cache.update(&sc, &fast);
    group.bench_function("repeated", |b| b.iter(|| cache.update(&sc, black_box(&fast))));
    group.finish();
}

criterion_group!(benches, e2e_minute);
criterion_main!(benches);
