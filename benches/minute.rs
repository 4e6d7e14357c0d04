//! The per-minute and fluid hot paths of `scenarios/bench/large.toml` (50
//! services for a month: 2.16 million service-minutes), each on the inputs a
//! minute of that scenario gives it:
//!
//! - `alarm_observe`: a target tracking policy's two alarms (3 of 3 above, 15
//!   of 15 below) fed a day of CPU datapoints, as every service-minute does;
//! - `entry_rates_hour`: every service's entry rate at each tick of an hour
//!   (diurnal patterns in four time zones, lognormal noise), each service
//!   finding its local hour, and `entry_rates_hour_zones_shared` the same with
//!   the hour found once per zone and tick, as `fluid_tick` does;
//! - `task_load`: one task's M/M/1 outcome with its timeout, computed at every
//!   change of a service's serving set or rate;
//! - `latency_histogram`: a run-long latency mixture fed a month of one
//!   service's minute components (the compactions included);
//! - `hour_quantiles`: the p50 and p99 of an hour's latency mixture, as each
//!   time-series row of each service needs.

use criterion::{Criterion, criterion_group, criterion_main};
use ecsim::engine::SimTime;
use ecsim::model::queueing::{Component, LatencyHistogram, admission_limit, mixture_quantile, task_load};
use ecsim::model::workload::{LocalHours, entry_rate, entry_rate_in};
use ecsim::rng::RngStreams;
use ecsim::scaling::{Alarm, AlarmConfig, Comparison};
use std::hint::black_box;
use std::path::Path;

/// A reproducible stream of numbers in [0, 1) for the inputs.
fn uniforms(seed: u64) -> impl FnMut() -> f64 {
    let mut state = seed;
    move || {
        state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (state >> 11) as f64 / (1u64 << 53) as f64
    }
}

fn minute(c: &mut Criterion) {
    let mut group = c.benchmark_group("minute");

    // A day of CPU% around a 60% target: both alarms see breaching and quiet spells.
    let mut u = uniforms(7);
    let cpu: Vec<Option<f64>> = (0..1440)
        .map(|k| Some(55.0 + 10.0 * (f64::from(k) / 90.0).sin() + 4.0 * u()).filter(|_| k % 97 != 0))
        .collect();
    let high = AlarmConfig {
        threshold: 60.0,
        comparison: Comparison::GreaterThanThreshold,
        evaluation_periods: 3,
        datapoints_to_alarm: 3,
    };
    let low = AlarmConfig {
        threshold: 54.0,
        comparison: Comparison::LessThanThreshold,
        evaluation_periods: 15,
        datapoints_to_alarm: 15,
    };
    group.bench_function("alarm_observe_day", |b| {
        b.iter(|| {
            let (mut h, mut l) = (Alarm::new(high), Alarm::new(low));
            for &v in &cpu {
                black_box(h.observe(v));
                black_box(l.observe(v));
            }
        })
    });

    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios/bench/large.toml");
    let sc = ecsim::scenario::load(&file).expect("the large scenario is valid");
    let streams = RngStreams::new(sc.seed, 0);
    // An hour of ticks from day 3, 13:00 UTC: each service's rate, its zone's local hour
    // found per service (`entry_rate`) or once per zone and tick (`LocalHours`, as
    // `fluid_tick` does).
    let ticks: Vec<SimTime> = (0..60).map(|m| SimTime::from_secs(3 * 86_400 + 13 * 3600 + m * 60)).collect();
    group.bench_function("entry_rates_hour", |b| {
        b.iter(|| {
            let mut sum = 0.0;
            for &t in &ticks {
                for (i, s) in sc.services.iter().enumerate() {
                    sum += entry_rate(&s.workload, i, black_box(t), &sc.calendar, &streams);
                }
            }
            sum
        })
    });
    group.bench_function("entry_rates_hour_zones_shared", |b| {
        b.iter(|| {
            let mut hours = LocalHours::new(sc.services.iter().map(|s| &s.workload));
            let mut sum = 0.0;
            for &t in &ticks {
                for (i, s) in sc.services.iter().enumerate() {
                    let cal = &sc.calendar;
                    sum += entry_rate_in(&s.workload, i, black_box(t), cal, &streams, |tz| hours.hour(i, t, tz, cal));
                }
            }
            sum
        })
    });

    // A 0.5 vCPU task at 5 ms a request (μ = 100/s), 30 s timeout, at 60% load.
    let limit = admission_limit(100.0, 30.0);
    group.bench_function("task_load", |b| b.iter(|| task_load(black_box(60.0), 100.0, limit, 30.0)));

    // A month of one service's minute components: a few distinct decays a minute.
    let mut u = uniforms(11);
    let month: Vec<(f64, f64)> = (0..43_200 * 2).map(|_| (30.0 + 50.0 * u(), 1000.0 + 5000.0 * u())).collect();
    group.bench_function("latency_histogram_month", |b| {
        b.iter(|| {
            let mut h = LatencyHistogram::default();
            for &(rate, weight) in &month {
                h.add(rate, weight);
            }
            h
        })
    });

    // An hour's mixture: 120 components of nearby rates.
    let mut u = uniforms(13);
    let hour: Vec<Component> =
        (0..120).map(|_| Component { rate: 30.0 + 20.0 * u(), weight: 1000.0 + 5000.0 * u(), timeout: 30.0 }).collect();
    group.bench_function("hour_quantiles", |b| {
        b.iter(|| (mixture_quantile(black_box(&hour), 0.5), mixture_quantile(black_box(&hour), 0.99)))
    });
    group.finish();
}

criterion_group!(benches, minute);
criterion_main!(benches);
