//! Regressions found in review, each named after what it fixes. Scenarios
//! live in tests/fixtures/regressions/.

use crate::assert_close;
use crate::common::{fig, run, run_captured, world_at};
use ecsim::model::entities::{InstanceState, TaskState};
use ecsim::scenario::{Scenario, load};
use std::path::Path;

fn fixture(name: &str) -> Scenario {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/regressions").join(format!("{name}.toml"));
    load(&path).unwrap_or_else(|d| panic!("{d}"))
}

#[test]
fn instance_killed_while_draining_is_billed_once() {
    // On-demand only, no reservations: the cost is exactly each instance's billed seconds at its price.
    let sc = fixture("dt");
    let sim = world_at(&sc, 3 * 3600);
    let end = 3.0 * 3600.0;
    let expected: f64 = sim
        .instances
        .iter()
        .map(|i| {
            let to = i.terminated_at.map_or(end, |t| t.as_secs_f64());
            let lived = to - i.launched_at.as_secs_f64();
            let billed = if i.terminated_at.is_some() { lived.ceil().max(60.0) } else { lived };
            billed * i.hourly / 3600.0
        })
        .sum();
    assert_close!(fig(&run(&sc), "cost.total_usd"), expected, 1e-12);
}

#[test]
fn fargate_quota_returns_when_a_provisioning_task_stops() {
    let sc = fixture("leak");
    let sim = world_at(&sc, 20 * 60);
    assert_eq!(sim.tasks.iter().filter(|t| t.state == TaskState::Running).count(), 4);
}

#[test]
fn several_reservations_of_one_type_cover_instances_in_turn() {
    // Two on-demand m5.large, two entries of 2 reservations each: all 4 reservations are paid.
    assert_close!(fig(&run(&fixture("ri")), "cost.total_usd"), 4.0 * 0.06, 1e-12);
}

#[test]
fn static_port_deployment_on_a_full_cluster_is_reported_stalled() {
    let s = run(&fixture("dep100"));
    assert_eq!(fig(&s, "deployments.web.stalled"), 1.0);
    assert_eq!(fig(&s, "deployments.web.completed"), 0.0);
    assert_eq!(fig(&s, "deployments.web.in_progress"), 1.0);
    // With minimumHealthyPercent 50 it completes and is never called stalled.
    let s = run(&fixture("dep50"));
    assert_eq!(fig(&s, "deployments.web.completed"), 1.0);
    assert_eq!(fig(&s, "deployments.web.stalled"), 0.0);
}

#[test]
fn instances_running_at_the_start_are_already_warm() {
    // One instance runs one 1024-unit task; at 30 s the service wants 6: one more fits beside it,
    // four wait. The datapoint of the first minute (at 60 s: M = 1 busy + 2 instances for the four
    // waiting tasks, two to an m5.large, N = 1, CPR 300) is visible at 120 s and the 1-of-1 alarm
    // fires then, with no warm-up blocking it: desired ⌈3 × 100 / 100⌉ = 3.
    let sc = fixture("warm");
    assert_eq!(world_at(&sc, 119).providers[0].desired, 1);
    assert_eq!(world_at(&sc, 120).providers[0].desired, 3);
}

#[test]
fn distinct_instance_tasks_each_need_an_instance() {
    // Five waiting tasks that must not share an instance: one scale-out to six instances.
    let sc = fixture("di");
    assert_eq!(world_at(&sc, 180).providers[0].desired, 6);
}

#[test]
fn an_event_at_a_minute_boundary_counts_in_the_minute_it_starts() {
    // kill_instances at exactly 300 s: the requests lost with the instance belong to [300, 360).
    // Two tasks (one per instance) share 100 requests/s, λ = 50/s each at μ = 200/s (1 vCPU, 5 ms):
    // λ/(μ − λ) = 1/3 request in flight dies with the task, and the ghost target keeps its share
    // of the traffic for two failed 30 s checks, all within [300, 360): half of it until the
    // replacement (RUNNING at 305 s) is healthy at its first check, 335 s, then a third:
    // 100 × (35/2 + 25/3) = 2583.3 requests. That minute's failed rate is (2583.3 + 1/3) / 60.
    let sc = fixture("kill");
    let sim = world_at(&sc, 300);
    assert_eq!(sim.instances.iter().filter(|i| i.state == InstanceState::Terminated).count(), 1);
    let (_, captured) = run_captured(&sc);
    let failed = captured.series("service", "web", "failed_rps");
    let at = |t: u64| failed.iter().find(|p| p.0 == t).map(|p| p.1);
    assert_eq!(at(240), Some(0.0));
    let stale = 100.0 * (35.0 / 2.0 + 25.0 / 3.0);
    assert_close!(at(300).unwrap_or(f64::NAN), (stale + 1.0 / 3.0) / 60.0, 1e-9);
    assert_eq!(at(360), Some(0.0));
    // The requests inside the killed task are counted even though the kill opens a minute.
    let s = run(&sc);
    assert_close!(fig(&s, "tasks.killed_in_flight"), 1.0 / 3.0, 1e-9);
    assert_close!(fig(&s, "requests.failed_interrupted"), 1.0 / 3.0, 1e-9);
    assert_close!(fig(&s, "requests.failed_stale_endpoint"), stale, 1e-9);
}

#[test]
fn maximum_percent_does_not_slow_a_plain_scale_out() {
    // desired 4 -> 2 at 2 min (two tasks drain for 300 s), back to 4 at 3 min: new tasks start at once.
    let sc = fixture("mx");
    let sim = world_at(&sc, 3 * 60 + 1);
    let starting = sim.tasks.iter().filter(|t| t.state <= TaskState::Pending).count();
    assert_eq!(starting, 2);
}
