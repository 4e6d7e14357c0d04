//! Overloaded tasks: the CPU of a saturated task, load balancer health checks
//! that fail under load, the death spiral, and the deployment circuit breaker.

use crate::common::{fig, header, run, run_captured, scenario, world_at};
use ecsim::model::entities::TaskState;

/// Fargate tasks of 1 vCPU whose requests take 2 vCPU-seconds (μ = 0.5/s) against a 1 s
/// timeout: requests take twice the timeout (μτ = 0.5). 2 req/s offered to 2 tasks, target
/// tracking on CPU at 70%, no load balancer (its health checks are not the subject here).
fn slow_requests() -> String {
    format!(
        "{}[[capacity_providers]]\nname = \"FARGATE\"\nkind = \"fargate\"\n\
         [[task_definitions]]\nfamily = \"t\"\ncpu = 1024\nmemory = 2048\nnetwork_mode = \"awsvpc\"\n\
         [[services]]\nname = \"s\"\ntask_definition = \"t\"\ndesired_count = 2\n\
         [services.workload]\nrate = {{ pattern = \"constant\", value = 2 }}\ncpu_per_request = \"2s\"\nrequest_timeout = \"1s\"\n\
         [services.auto_scaling]\nmin_capacity = 2\nmax_capacity = 20\n\
         [[services.auto_scaling.target_tracking]]\nname = \"cpu70\"\npredefined_metric = \"ECSServiceAverageCPUUtilization\"\ntarget_value = 70\n",
        header("2h", &["a", "b"])
    )
}

#[test]
fn target_tracking_scales_out_a_service_whose_requests_outlast_the_timeout() {
    // μ = 0.5/s, τ = 1 s: the admission limit is a* = 0.26496/s (docs/model.md §8.3), a*/μ = 53%.
    // Counting only admitted work, each task showed 53% CPU with 1 req/s offered, below the 70%
    // target, and the service stayed at 2 tasks while it failed 87% of its requests. A task
    // that sheds is busy: CPU = min(λ, μ)/μ. Target tracking (desired = ⌈n × CPU / 70⌉):
    //   n = 2: λ = 1/s ≥ μ, 100%  → ⌈2 × 100/70⌉ = 3;
    //   n = 3: λ = 0.667/s ≥ μ, 100% → ⌈3 × 100/70⌉ = 5;
    //   n = 5: λ = 0.4/s, 80%      → ⌈5 × 80/70⌉ = 6;
    //   n = 6: λ = 0.333/s, 66.7%  → ⌈6 × 66.7/70⌉ = 6, and 66.7% is above the scale-in alarm's
    //          90% of the target (63%), so it stays at 6.
    let sc = scenario(&slow_requests());
    let sim = world_at(&sc, 7200);
    assert_eq!(sim.services[0].desired, 6);
}

/// Two Fargate tasks behind an ALB (checks every 30 s, 5 s timeout, 2 to fail, 5 to pass)
/// swamped from the start: μ = 10/s (100 ms per request on 1 vCPU), request timeout 1 s,
/// 20,000 req/s offered, λ = 10,000/s per task.
fn swamped(grace: &str) -> String {
    format!(
        "{}[[capacity_providers]]\nname = \"FARGATE\"\nkind = \"fargate\"\n\
         [[task_definitions]]\nfamily = \"t\"\ncpu = 1024\nmemory = 2048\nnetwork_mode = \"awsvpc\"\n\
         [[services]]\nname = \"web\"\ntask_definition = \"t\"\ndesired_count = 2\nhealth_check_grace_period = \"{grace}\"\n\
         [services.load_balancer]\n\
         [services.workload]\nrate = {{ pattern = \"constant\", value = 20000 }}\ncpu_per_request = \"100ms\"\nrequest_timeout = \"1s\"\n",
        header("9m", &["a", "b"])
    )
}

/// (time, kind) of the captured events of one kind.
fn event_times(captured: &crate::common::Captured, kind: &str) -> Vec<f64> {
    captured.events.iter().filter(|e| e.1 == kind).map(|e| e.0).collect()
}

#[test]
fn overloaded_targets_leave_the_rotation_and_ecs_acts_only_after_the_grace_period() {
    // μ = 10/s, τ = 1 s: a* ≈ 9.8/s, so at λ = 10,000/s the shed share exceeds 0.999 and
    // P(check fails) = shed + (1 − shed) e^{−(μ−a*)×5} > 0.999. Checks run at 30 k s from RUNNING
    // (t = 0); a minute's checks are drawn when the minute before closes, so the first drawn
    // are at 90 and 120 s: two failures, and both targets fail at 120 s. With none healthy the
    // ALB fails open: it routes to both, still unhealthy.
    let (s, captured) = run_captured(&scenario(&swamped("0s")));
    assert_eq!(event_times(&captured, "target_unhealthy")[..2], [120.0, 120.0]);
    assert_eq!(event_times(&captured, "lb_fail_open")[0], 120.0);
    // No grace period: ECS judges both unhealthy at once and starts their replacements.
    assert_eq!(event_times(&captured, "task_unhealthy")[..2], [120.0, 120.0]);
    let sc0 = scenario(&swamped("0s"));
    let sim = world_at(&sc0, 121);
    let judged = sim.tasks.iter().filter(|t| t.failed_health && t.state == TaskState::Running).count();
    assert_eq!(judged, 2);
    assert!(fig(&s, "services.web.tasks.targets_unhealthy") >= 2.0);

    // Grace 400 s: the load balancer still marks them unhealthy at 120 s, but ECS does nothing.
    let (_, captured) = run_captured(&scenario(&swamped("400s")));
    assert_eq!(event_times(&captured, "target_unhealthy")[..2], [120.0, 120.0]);
    assert!(event_times(&captured, "task_unhealthy").iter().all(|&t| t >= 400.0));
    let sc400 = scenario(&swamped("400s"));
    let sim = world_at(&sc400, 121);
    let out: Vec<(bool, bool, bool)> = sim.tasks.iter().map(|t| (t.lb_unhealthy, t.serving, t.failed_health)).collect();
    assert_eq!(out, [(true, true, false), (true, true, false)]);
}

#[test]
fn in_fail_open_new_targets_take_traffic_and_fail_their_checks_too() {
    // Both targets fail at 120 s, the ALB fails open and ECS (grace 0) starts two replacements.
    // They are RUNNING while no target is healthy, so the ALB routes to them at once (fail-open
    // sends traffic to all registered targets, docs/aws-facts.md §15): 5,000 req/s each against
    // μ = 10/s, P(check fails) > 0.999, so they fail their first two checks, 30 and 60 s after
    // RUNNING, and are unhealthy 60 s after RUNNING. Left idle they would have passed five checks
    // and ended the fail-open 150 s after RUNNING, drawing the whole load onto themselves.
    let (_, captured) = run_captured(&scenario(&swamped("0s")));
    assert_eq!(event_times(&captured, "lb_fail_open"), [120.0]);
    let sc = scenario(&swamped("0s"));
    let sim = world_at(&sc, 200);
    let flags: Vec<(u64, bool, bool, bool)> =
        sim.tasks.iter().map(|t| (t.serial, t.serving, t.lb_unhealthy, t.checks.drawn)).collect();
    assert_eq!(flags, [(0, true, true, false), (1, true, true, false), (2, true, false, true), (3, true, false, true)]);
    for r in sim.tasks.iter().filter(|t| t.serial >= 2) {
        let unhealthy_ms = r.running_at.unwrap().as_millis() + 60_000;
        let at: Vec<f64> = captured
            .events
            .iter()
            .filter(|e| e.1 == "target_unhealthy" && e.4.starts_with(&format!("task {} ", r.serial)))
            .map(|e| e.0)
            .collect();
        assert_eq!((at[0] * 1000.0).round() as u64, unhealthy_ms, "task {}", r.serial);
    }
}

/// 100 req/s against μ = 10/s per task: two tasks are swamped; target tracking on CPU at 50%.
fn recovering() -> String {
    swamped("0s").replace("value = 20000", "value = 100").replace("duration = \"9m\"", "duration = \"30m\"")
        + "[services.auto_scaling]\nmin_capacity = 2\nmax_capacity = 40\n\
           [[services.auto_scaling.target_tracking]]\nname = \"cpu\"\npredefined_metric = \"ECSServiceAverageCPUUtilization\"\n\
           target_value = 50\nscale_out_cooldown = \"60s\"\n"
}

#[test]
fn a_swamped_service_fails_open_once_and_scales_out_of_it() {
    // Two tasks at 50 req/s each against μ = 10/s fail their checks; once none is healthy the
    // ALB routes to every registered target, replacements and new tasks included, so every task
    // serves and the CPU reads what the load makes it, and target tracking adds tasks until the
    // checks pass. A new target needs one passing check (docs/aws-facts.md §15), so the first
    // one that passes ends the fail-open with the whole load on itself and a few others, which
    // fail again: the fail-open begins twice (read from the run: at 256.5 s and 392.7 s), not at
    // every replacement as under the rules before, when idle replacements ended each fail-open
    // and the service stayed at 2 tasks for most of the run, failing 87% of its requests.
    let (s, captured) = run_captured(&scenario(&recovering()));
    assert_eq!(event_times(&captured, "lb_fail_open").len(), 2);
    // By 20 min target tracking has settled (36 tasks in this run) and every running task
    // serves, healthy: λ = 100/n req/s each against μ = 10/s, so the CPU is exactly 1000/n %.
    let sc = scenario(&recovering());
    let sim = world_at(&sc, 1200);
    let live: Vec<_> = sim.tasks.iter().filter(|t| t.state == TaskState::Running).collect();
    let n = live.len() as f64;
    assert_eq!(sim.services[0].desired as usize, live.len());
    assert!(n >= 20.0, "{n}");
    assert!(live.iter().all(|t| t.serving && !t.lb_unhealthy && t.healthy_at <= sim.now));
    assert!(sim.tasks.iter().all(|t| t.state == TaskState::Running || t.state == TaskState::Stopped));
    let cpu = captured.rows.iter().find(|r| r.0 == 1200 && r.3 == "cpu_percent").unwrap().4;
    assert!((cpu - 1000.0 / n).abs() < 1e-9, "{cpu}");
    assert!(fig(&s, "services.web.tasks.targets_unhealthy") >= 2.0);
}

fn death_spiral(target: u32) -> String {
    include_str!("../../scenarios/death-spiral.toml").replace("target_value = 80", &format!("target_value = {target}"))
}

#[test]
fn the_spiral_emerges_from_the_checks_and_headroom_prevents_it() {
    // At 2 h a deployment with minimumHealthyPercent 50 stops 8 of the 16 tasks: ECS itself
    // keeps ⌈16 × 0.5⌉ = 8 healthy. The 8 left get 38 req/s each against μ = 25/s for the ~2
    // minutes the new tasks take to start (a new target then serves at its first passing check):
    // they shed, fail their checks and leave the rotation one after another, loading the rest
    // more. Only the health checks can take the healthy count below 8 with demand unchanged.
    let sc = scenario(&death_spiral(80));
    let healthy = |t: u64| {
        let sim = world_at(&sc, t);
        sim.tasks
            .iter()
            .enumerate()
            .filter(|(k, task)| {
                task.state != TaskState::Stopped
                    && sim.is_healthy(ecsim::model::entities::TaskId(*k as u32, task.generation), sim.now)
            })
            .count()
    };
    // The first target out (task serial 6, at 3,900 s, the surge) is idle out of rotation:
    // P(check fails) = e^{−25 × 5}, so its next five checks pass and it serves again 150 s later.
    let serving = |t: u64| world_at(&sc, t).tasks.iter().any(|task| task.serial == 6 && task.serving);
    assert!(serving(3899) && !serving(3900) && !serving(4049) && serving(4050));
    assert_eq!(healthy(7199), 16);
    assert!(healthy(7320) < 8, "healthy {}", healthy(7320));
    let s = run(&sc);
    assert!(fig(&s, "services.web.tasks.targets_unhealthy") >= 8.0);
    // A 50% target keeps 26 tasks: 13 left after the deployment's stops serve 23 req/s each,
    // below a* = 24.45/s: no check fails (P(fail) ≤ e^{−(25−23)×5} per check, and none in a row).
    let s = run(&scenario(&death_spiral(50)));
    assert_eq!(fig(&s, "services.web.tasks.targets_unhealthy"), 0.0);
    assert_eq!(fig(&s, "tasks.stopped.failed_health_checks"), 0.0);
}

/// v1 healthy; v2's application never answers its checks (warm-up 1 h); grace 0; desired 2 on
/// two EC2 instances; the deployment circuit breaker on.
fn failing_deploy(rollback: bool) -> String {
    format!(
        "{}[[capacity_providers]]\nname = \"EC2\"\nkind = \"ec2\"\ninstance_types = [\"m5.large\"]\nmin_size = 2\nmax_size = 2\n\
         [[task_definitions]]\nfamily = \"v1\"\ncpu = 256\nmemory = 512\nstartup_time = \"5s\"\n\
         [[task_definitions]]\nfamily = \"v2\"\ncpu = 256\nmemory = 512\nstartup_time = \"5s\"\nwarmup_time = \"1h\"\n\
         [[services]]\nname = \"web\"\ntask_definition = \"v1\"\ndesired_count = 2\n\
         deployment_configuration = {{ deployment_circuit_breaker = {{ enable = true, rollback = {rollback} }} }}\n\
         [services.load_balancer]\n\
         [services.workload]\nrate = {{ pattern = \"constant\", value = 10 }}\ncpu_per_request = \"10ms\"\n\
         [[events]]\nat = \"10m\"\nkind = \"deploy\"\nservice = \"web\"\ntask_definition = \"v2\"\n",
        header("1h", &["a", "b"])
    )
}

#[test]
fn the_circuit_breaker_rolls_a_failing_deployment_back() {
    // Threshold for desired 2: max(⌈0.5 × 2⌉, 3) = 3. The two v2 tasks are RUNNING at 605 s and
    // judged unhealthy at 665 s (failures 1, 2); the old and new tasks fill maximumPercent (4),
    // so ECS stops the stand-ins one at a time (STOPPED at 695 and 725 s) and replaces them;
    // the first replacement is RUNNING at 700 s and judged unhealthy at 760 s: failure 3, the
    // deployment fails and rolls back to v1. The v1 tasks never left (minimumHealthyPercent
    // 100); the v2 tasks stop (never served: no deregistration delay; 30 s stop timeout), so the
    // rollback completes at 790 s. Without the breaker this churns for the whole hour
    // (62 stops, tests/it/health.rs).
    let (s, captured) = run_captured(&scenario(&failing_deploy(true)));
    assert_eq!(event_times(&captured, "deployment_failed"), [760.0]);
    assert_eq!(fig(&s, "deployments.web.failed"), 1.0);
    assert_eq!(fig(&s, "deployments.web.count"), 2.0);
    assert_eq!(fig(&s, "deployments.web.completed"), 1.0);
    assert_eq!(fig(&s, "tasks.stopped.failed_health_checks"), 2.0);
    assert_eq!(event_times(&captured, "deployment_complete"), [790.0]);
    let sc = scenario(&failing_deploy(true));
    let sim = world_at(&sc, 3600);
    assert_eq!(sc.task_defs[sim.services[0].task_def.idx()].family, "v1");
    assert!(
        sim.tasks
            .iter()
            .filter(|t| t.state != TaskState::Stopped)
            .all(|t| sc.task_defs[t.task_def.idx()].family == "v1")
    );
    assert_eq!(fig(&s, "requests.failed"), 0.0);
}

#[test]
fn without_rollback_the_failed_deployment_launches_nothing_more() {
    // Same failure at 760 s; ECS stops launching tasks: the v2 task started at 725 s is the last.
    let (s, captured) = run_captured(&scenario(&failing_deploy(false)));
    assert_eq!(event_times(&captured, "deployment_failed"), [760.0]);
    assert_eq!(fig(&s, "deployments.web.failed"), 1.0);
    let sc = scenario(&failing_deploy(false));
    let sim = world_at(&sc, 3600);
    let last_created = sim.tasks.iter().map(|t| t.created_at.as_millis()).max().unwrap();
    assert_eq!(last_created, 725_000);
}

/// `swamped` until the load falls to 1 req/s over the second minute, with replacements
/// that take 10 minutes to start (so the marked tasks recover long before them).
fn swamped_then_quiet() -> String {
    swamped("0s")
        .replace(
            "rate = { pattern = \"constant\", value = 20000 }",
            "rate = { pattern = \"ramp\", from = 20000, to = 1, start = \"1m\", end = \"2m\" }",
        )
        .replace("network_mode = \"awsvpc\"\n", "network_mode = \"awsvpc\"\nstartup_time = \"10m\"\n")
        .replace("duration = \"9m\"", "duration = \"30m\"")
}

#[test]
fn a_task_marked_unhealthy_stays_marked_and_stops_once_its_replacement_is_healthy() {
    // ECS services guide: a task marked unhealthy is stopped once its replacement is HEALTHY.
    // Both targets fail at 120 s (as above), ECS (grace 0) marks both and starts two
    // replacements, RUNNING only 10 minutes after they are placed. The load has fallen to
    // 1 req/s, so the unhealthy targets pass every check from then on and are healthy again at
    // their 5th pass. The load balancer routes to them (they are still registered), but ECS
    // keeps them marked: nothing is scaled in, and they stop (failed_health_checks) at the very
    // instant their replacements are healthy.
    let sc = scenario(&swamped_then_quiet());
    let sim = world_at(&sc, 600);
    let old: Vec<(u64, bool, bool, bool)> = sim
        .tasks
        .iter()
        .filter(|t| t.serial < 2)
        .map(|t| (t.serial, t.serving, t.failed_health, t.healthy_at <= sim.now))
        .collect();
    assert_eq!(old, [(0, true, true, true), (1, true, true, true)]);
    let waiting: Vec<(u64, TaskState)> =
        sim.tasks.iter().filter(|t| t.serial >= 2).map(|t| (t.serial, t.state)).collect();
    assert_eq!(waiting, [(2, TaskState::Pending), (3, TaskState::Pending)]);

    let s = run(&sc);
    assert_eq!(fig(&s, "tasks.started"), 4.0);
    assert_eq!(fig(&s, "tasks.stopped.scaled_in"), 0.0);
    assert_eq!(fig(&s, "tasks.stopped.failed_health_checks"), 2.0);
    // One goes as each replacement is healthy: the first healthy replacement leaves one healthy
    // task missing, so the older marked task stands in and the newer one goes; the second
    // takes the older one. They served, so each drains for the 300 s deregistration delay, then
    // waits the 30 s stop timeout.
    let end = world_at(&sc, 1800);
    let mut healthy: Vec<_> = end.tasks.iter().filter(|t| t.serial >= 2).map(|t| t.healthy_at).collect();
    healthy.sort();
    for (t, at) in end.tasks.iter().filter(|t| t.serial < 2).zip([healthy[1], healthy[0]]) {
        assert_eq!(t.state, TaskState::Stopped);
        assert_eq!(t.stop_reason, Some(ecsim::model::entities::StopReason::FailedHealthChecks));
        assert_eq!(t.stopped_at.unwrap().saturating_since(at).as_secs_f64(), 330.0, "task {}", t.serial);
    }
}

/// Two healthy Fargate targets behind an ALB (checks every 30 s, 2 to fail), lightly loaded;
/// ECS leaves unhealthy targets alone for an hour.
fn two_light_targets() -> String {
    format!(
        "{}[[capacity_providers]]\nname = \"FARGATE\"\nkind = \"fargate\"\n\
         [[task_definitions]]\nfamily = \"t\"\ncpu = 1024\nmemory = 2048\nnetwork_mode = \"awsvpc\"\n\
         [[services]]\nname = \"web\"\ntask_definition = \"t\"\ndesired_count = 2\nhealth_check_grace_period = \"1h\"\n\
         [services.load_balancer]\nhealth_check_interval = \"30s\"\nunhealthy_threshold = 2\n\
         [services.workload]\nrate = {{ pattern = \"constant\", value = 2 }}\ncpu_per_request = \"100ms\"\nrequest_timeout = \"1s\"\n",
        header("20m", &["a", "b"])
    )
}

#[test]
fn the_last_healthy_target_killed_leaves_the_alb_failing_open_once_its_checks_find_it_dead() {
    // At 600 s both targets are healthy. Target 0 is found unhealthy (out of rotation), then
    // target 1 dies abruptly (its zone fails). The load balancer keeps sending target 1 its
    // share until its checks find it dead: 2 failures × 30 s = 60 s, at 660 s. Then no target
    // is healthy and the ALB fails open (docs/aws-facts.md §12, §15): it routes to target 0,
    // unhealthy as it is, and to the replacement in its initial checks. Before this rule the
    // service kept no target in rotation and every request failed until one passed its checks.
    use ecsim::engine::SimTime;
    use ecsim::model::entities::{StopReason, TaskId};
    let sc = scenario(&two_light_targets());
    let mut sim = world_at(&sc, 600);
    let id = |sim: &ecsim::model::Simulation, serial: u64| {
        let i = sim.tasks.iter().position(|t| t.serial == serial && t.state.is_active()).unwrap();
        TaskId(i as u32, sim.tasks[i].generation)
    };
    let (t0, t1) = (id(&sim, 0), id(&sim, 1));
    assert!(sim.tasks[t0.idx()].serving && sim.tasks[t1.idx()].serving);
    // Target 0's checks reach their verdict now.
    sim.tasks[t0.idx()].checks.verdict = Some((sim.now, false));
    sim.on_target_unhealthy(t0);
    assert!(!sim.tasks[t0.idx()].serving && !sim.services[0].fail_open);
    sim.kill_task(t1, StopReason::ZoneOutage);
    sim.run_until(SimTime::from_secs(659)).unwrap();
    assert!(!sim.services[0].fail_open, "the ALB still counts the dead target healthy");
    assert!(!sim.tasks[t0.idx()].serving);
    sim.run_until(SimTime::from_secs(661)).unwrap();
    assert!(sim.services[0].fail_open, "no target healthy at 660 s: fail-open");
    assert!(sim.tasks[t0.idx()].serving && sim.tasks[t0.idx()].lb_unhealthy);
}
