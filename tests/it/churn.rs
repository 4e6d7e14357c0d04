//! Reliability under churn: spot interruptions, draining, deregistration,
//! DNS staleness, deployments, batch retries.

use crate::assert_close;
use crate::common::{Captured, fig, header, opts, run, run_captured, scenario, world_at};
use ecsim::engine::SimTime;
use ecsim::model::Simulation;
use ecsim::model::entities::{InstanceId, Task, TaskState};
use ecsim::model::record::NullSink;
use ecsim::scenario::Scenario;

/// Rule (docs/model.md §7.1): a monthly interruption share p is a constant hazard
/// λ = −ln(1 − p) per 30 days for each running spot instance, so that an instance survives a month
/// with probability 1 − p. The naive reading, p itself as the rate per month, is wrong.
///
/// The share is "99%" because there the two rules are far apart: λ = −ln(0.01) = 4.60517 a month
/// against the naive 0.99. (At "10-15%", p = 0.125, they are 0.13353 against 0.125, 6.8% apart:
/// telling them apart by 10 standard errors would take some 24,000 interruptions.)
///
/// 100 instances for 30 days, each replaced when reclaimed. Each slot is a renewal process: an
/// exponential life (mean 30 d / λ = 562,857 s, drawn when the instance is created), the notice,
/// and 120 s until the reclaim creates the replacement. The notices in 30 days are Poisson-like
/// with mean 100 × 4.60517 / (1 + 120 s × λ) = 460.52 / 1.000213 = 460.42 and standard error
/// √460.4 = 21.5. The band is ±5 standard errors, [353.1, 567.7]; the naive rule expects 99, 17
/// standard errors below the mean.
#[test]
fn spot_interruptions_follow_the_monthly_rate() {
    let text = format!(
        "{}[[capacity_providers]]\nname = \"S\"\nkind = \"ec2\"\ninstance_types = [\"m5.large\"]\nlifecycle = \"spot\"\nmin_size = 100\nmax_size = 100\nlaunch_time = \"60s\"\n\
         [spot]\ninterruption_frequency = \"99%\"\n\
         [[task_definitions]]\nfamily = \"t\"\ncpu = 256\nmemory = 512\n\
         [[services]]\nname = \"s\"\ntask_definition = \"t\"\ndesired_count = 0\n",
        header("30d", &["a", "b", "c"]).replace("seed = 1\n", "seed = 1\ntick = \"5m\"\n")
    );
    let s = run(&scenario(&text));
    let n = fig(&s, "instances.interrupted");
    let hazard = -(0.01f64).ln();
    let expected = 100.0 * hazard / (1.0 + 120.0 * hazard / 2_592_000.0);
    let band = 5.0 * expected.sqrt();
    assert!((n - expected).abs() <= band, "{n} interruptions, expected {expected:.1} ± {band:.1}");
}

/// Twelve spot instances with one web task each; interruptions at "99%" a month so a few happen in 3 days.
fn spot_web(draining: bool) -> String {
    format!(
        "{}[[capacity_providers]]\nname = \"S\"\nkind = \"ec2\"\ninstance_types = [\"m5.large\"]\nlifecycle = \"spot\"\nmin_size = 12\nmax_size = 12\nlaunch_time = \"60s\"\nenable_spot_draining = {draining}\n\
         [spot]\ninterruption_frequency = \"99%\"\n\
         [[task_definitions]]\nfamily = \"t\"\ncpu = 512\nmemory = 1024\nstartup_time = \"5s\"\nstop_timeout = \"10s\"\n\
         [[services]]\nname = \"web\"\ntask_definition = \"t\"\ndesired_count = 12\n\
         [services.load_balancer]\nderegistration_delay = \"30s\"\nhealth_check_interval = \"5s\"\nhealthy_threshold = 2\nunhealthy_threshold = 2\n\
         [services.workload]\nrate = {{ pattern = \"constant\", value = 100 }}\ncpu_per_request = \"10ms\"\n",
        header("3d", &["a", "b", "c"])
    )
}

#[test]
fn spot_draining_replaces_tasks_before_the_reclaim_and_loses_no_requests() {
    let drained = run(&scenario(&spot_web(true)));
    let killed = run(&scenario(&spot_web(false)));
    // The same instances are interrupted at the same times either way (common random numbers).
    let interrupted = fig(&drained, "instances.interrupted");
    assert!(interrupted >= 2.0, "the scenario needs interruptions, got {interrupted}");
    assert_eq!(interrupted, fig(&killed, "instances.interrupted"));
    // With draining (maximumPercent 200) replacements are healthy and the old tasks deregistered
    // before the two minutes are up: nothing fails.
    assert_eq!(fig(&drained, "requests.failed"), 0.0);
    assert_eq!(fig(&drained, "tasks.killed_in_flight"), 0.0);
    // Without it each task on a reclaimed instance dies with it (docs/model.md §5.4, §5.5). The 12
    // tasks share 100 requests/s (λ = 25/3 a second each) at μ = 50/s (0.5 vCPU, 10 ms a request),
    // so λ/(μ − λ) = 0.2 requests are in flight in each; and the load balancer keeps sending the
    // dead target its 1/12 of the traffic until two failed 5 s checks, 100/12 × 10 = 250/3 requests.
    let dead = fig(&killed, "tasks.stopped.spot_interruption");
    assert!(dead >= 2.0, "the scenario needs tasks killed, got {dead}");
    assert_close!(fig(&killed, "tasks.killed_in_flight"), 0.2 * dead, 1e-9);
    assert_close!(fig(&killed, "requests.failed_stale_endpoint"), 250.0 / 3.0 * dead, 1e-9);
    assert_close!(fig(&killed, "requests.failed"), (0.2 + 250.0 / 3.0) * dead, 1e-9);
}

#[test]
fn a_deregistered_task_drains_for_the_delay_then_stops_within_its_timeout() {
    // Two Fargate tasks behind an ALB (deregistration delay 300 s, stop timeout 30 s); desired 1 at
    // 600 s: one task stops receiving requests at once, stays DEACTIVATING (and billed) until 900 s,
    // gets SIGTERM, and is STOPPED at 930 s.
    let text = format!(
        "{}[[capacity_providers]]\nname = \"FARGATE\"\nkind = \"fargate\"\n\
         [[task_definitions]]\nfamily = \"t\"\ncpu = 256\nmemory = 512\nnetwork_mode = \"awsvpc\"\nstop_timeout = \"30s\"\n\
         [[services]]\nname = \"web\"\ntask_definition = \"t\"\ndesired_count = 2\n\
         [services.load_balancer]\nderegistration_delay = \"300s\"\n\
         [services.workload]\nrate = {{ pattern = \"constant\", value = 10 }}\ncpu_per_request = \"10ms\"\n\
         [[events]]\nat = \"10m\"\nkind = \"set_desired_count\"\nservice = \"web\"\ndesired_count = 1\n",
        header("1h", &["a", "b", "c"])
    );
    let sc = scenario(&text);
    let state_at = |t: u64| {
        let sim = world_at(&sc, t);
        let mut states: Vec<(TaskState, bool)> = sim.tasks.iter().map(|t| (t.state, t.serving)).collect();
        states.sort_by_key(|s| s.0);
        states
    };
    assert_eq!(state_at(600), vec![(TaskState::Running, true), (TaskState::Deactivating, false)]);
    assert_eq!(state_at(899), vec![(TaskState::Running, true), (TaskState::Deactivating, false)]);
    assert_eq!(state_at(900), vec![(TaskState::Running, true), (TaskState::Stopping, false)]);
    assert_eq!(state_at(929), vec![(TaskState::Running, true), (TaskState::Stopping, false)]);
    assert_eq!(state_at(930), vec![(TaskState::Running, true), (TaskState::Stopped, false)]);
    // Billed until STOPPED: 3600 s + 930 s of 0.25 vCPU / 0.5 GB; and no request failed.
    let s = run(&sc);
    assert_close!(fig(&s, "tasks.task_hours.FARGATE"), 4530.0 / 3600.0, 1e-12);
    assert_close!(fig(&s, "cost.total_usd"), 4530.0 / 3600.0 * (0.25 * 0.04048 + 0.5 * 0.004445), 1e-12);
    assert_eq!(fig(&s, "requests.failed"), 0.0);

    // A sampled shutdown time: the container exits 4 s after SIGTERM (STOPPED at 904 s) ...
    let exits_early =
        scenario(&text.replace("stop_timeout = \"30s\"", "stop_timeout = \"30s\"\nshutdown_time = \"4s\""));
    let stopped_at = |sc: &ecsim::scenario::Scenario, t: u64| {
        world_at(sc, t).tasks.iter().filter(|t| t.state == TaskState::Stopped).count()
    };
    assert_eq!((stopped_at(&exits_early, 903), stopped_at(&exits_early, 904)), (0, 1));
    // ... and one that would take longer is killed at the stop timeout (930 s).
    let killed = scenario(&text.replace(
        "stop_timeout = \"30s\"",
        "stop_timeout = \"30s\"\nshutdown_time = { dist = \"uniform\", min = \"40s\", max = \"50s\" }",
    ));
    assert_eq!((stopped_at(&killed, 929), stopped_at(&killed, 930)), (0, 1));
}

/// web calls api twice per request; api (two tasks, no load balancer) drops to one task at 600 s.
fn calls_during_scale_in(via: &str, api_extra: &str) -> String {
    format!(
        "{}[[capacity_providers]]\nname = \"FARGATE\"\nkind = \"fargate\"\n\
         [[task_definitions]]\nfamily = \"t\"\ncpu = 1024\nmemory = 2048\nnetwork_mode = \"awsvpc\"\n\
         [[services]]\nname = \"web\"\ntask_definition = \"t\"\ndesired_count = 2\n\
         [services.workload]\nrate = {{ pattern = \"constant\", value = 100 }}\ncpu_per_request = \"1ms\"\n\
         [[services.calls]]\nservice = \"api\"\nper_request = 2.0\nvia = \"{via}\"\n\
         [[services]]\nname = \"api\"\ntask_definition = \"t\"\ndesired_count = 2\n{api_extra}\n\
         [services.workload]\ncpu_per_request = \"1ms\"\n\
         [[events]]\nat = \"10m\"\nkind = \"set_desired_count\"\nservice = \"api\"\ndesired_count = 1\n",
        header("30m", &["a", "b", "c"])
    )
}

/// `f` summed by the midpoint rule over the sixteen equal slices of [0, 60 s] that the model
/// re-evaluates stale DNS weights on (docs/model.md §5.7; `DNS_SLICES` in src/model/fluid.rs).
fn over_ttl_slices(f: impl Fn(f64) -> f64) -> f64 {
    (0..16).map(|k| f((k as f64 + 0.5) * 3.75) * 3.75).sum()
}

#[test]
fn dns_ttl_staleness_fails_calls_for_at_most_the_ttl() {
    // The stopped task's record stays in callers' caches, expiring evenly over the 60 s TTL: its
    // weight is w(t) = 1 − t/60 next to one live task, so a share w/(1 + w) of api's 200 calls/s
    // fails: ∫₀⁶⁰ 200 × w/(1 + w) dt = 12000 × (1 − ln 2) = 3682.23; the model's sixteen midpoint
    // slices give 3683.70. A web request succeeds only if both its calls do, (1/(1 + w))²:
    // ∫₀⁶⁰ 100 × (1 − 1/(1 + w)²) dt = 6000 × [u + 1/u]₁² = 3000; by the slices 3001.71.
    let stale_share = |t: f64| (1.0 - t / 60.0) / (2.0 - t / 60.0);
    let stale_calls = over_ttl_slices(|t| 200.0 * stale_share(t));
    let failed_requests = over_ttl_slices(|t| 100.0 * (1.0 - (1.0 - stale_share(t)).powi(2)));
    let (s, captured) = run_captured(&scenario(&calls_during_scale_in(
        "service_discovery",
        "[services.service_discovery]\ndns_ttl = \"60s\"",
    )));
    assert_close!(fig(&s, "services.api.requests.failed_stale_endpoint"), stale_calls, 1e-9);
    let failing: Vec<u64> =
        captured.series("service", "api", "failed_rps").into_iter().filter(|(_, v)| *v > 0.0).map(|(t, _)| t).collect();
    assert_eq!(failing, vec![600], "failures only within the TTL after the scale-in");
    assert_close!(fig(&s, "requests.failed_downstream"), failed_requests, 1e-9);
    assert_close!(fig(&s, "requests.failed"), failed_requests, 1e-9);
    // Per edge: a second caller reaching api through Service Connect loses nothing, and the
    // stale failures are all web → api's.
    let two_callers = calls_during_scale_in("service_discovery", "[services.service_discovery]\ndns_ttl = \"60s\"")
        + "[[services]]\nname = \"admin\"\ntask_definition = \"t\"\ndesired_count = 1\n\
           [services.workload]\nrate = { pattern = \"constant\", value = 50 }\ncpu_per_request = \"1ms\"\n\
           [[services.calls]]\nservice = \"api\"\nper_request = 1.0\nvia = \"service_connect\"\n";
    let s = run(&scenario(&two_callers));
    assert_close!(fig(&s, "services.web.calls.api.failed_stale_endpoint"), stale_calls, 1e-9);
    assert_eq!(fig(&s, "services.admin.calls.api.failed_stale_endpoint"), 0.0);
    assert_close!(fig(&s, "services.admin.calls.api.requests"), 50.0 * 1800.0, 1e-9);
    assert_close!(
        fig(&s, "services.api.requests.failed_stale_endpoint"),
        fig(&s, "services.web.calls.api.failed_stale_endpoint"),
        1e-12
    );
}

#[test]
fn load_balancer_and_service_connect_callers_lose_nothing_on_scale_in() {
    let lb = run(&scenario(&calls_during_scale_in(
        "load_balancer",
        "[services.load_balancer]\nderegistration_delay = \"30s\"",
    )));
    assert_eq!(fig(&lb, "requests.failed"), 0.0);
    let sc = run(&scenario(&calls_during_scale_in("service_connect", "")));
    assert_eq!(fig(&sc, "requests.failed"), 0.0);
}

#[test]
fn rolling_deployment_replaces_tasks_within_the_bounds() {
    // Desired 2, min 100% max 200%: two new tasks start (provisioning 5 s, startup 5 s, healthy at
    // their first check 10 s later, at +20 s: a new target needs one pass); then both old ones
    // deregister (30 s) and stop (10 s): done at +60 s.
    let text = format!(
        "{}[[capacity_providers]]\nname = \"FARGATE\"\nkind = \"fargate\"\nprovisioning_time = \"5s\"\n\
         [[task_definitions]]\nfamily = \"v1\"\ncpu = 256\nmemory = 512\nnetwork_mode = \"awsvpc\"\nstartup_time = \"5s\"\nstop_timeout = \"10s\"\n\
         [[task_definitions]]\nfamily = \"v2\"\ncpu = 256\nmemory = 512\nnetwork_mode = \"awsvpc\"\nstartup_time = \"5s\"\nstop_timeout = \"10s\"\n\
         [[services]]\nname = \"web\"\ntask_definition = \"v1\"\ndesired_count = 2\n\
         [services.load_balancer]\nderegistration_delay = \"30s\"\nhealth_check_interval = \"10s\"\nhealthy_threshold = 2\n\
         [services.workload]\nrate = {{ pattern = \"constant\", value = 10 }}\ncpu_per_request = \"10ms\"\n\
         [[events]]\nat = \"10m\"\nkind = \"deploy\"\nservice = \"web\"\ntask_definition = \"v2\"\n",
        header("1h", &["a", "b", "c"])
    );
    let sc = scenario(&text);
    assert_eq!(world_at(&sc, 600 + 19).tasks.iter().filter(|t| t.state == TaskState::Running).count(), 4);
    let s = run(&sc);
    assert_eq!(fig(&s, "deployments.web.count"), 1.0);
    assert_eq!(fig(&s, "deployments.web.completed"), 1.0);
    assert_close!(fig(&s, "deployments.web.max_s"), 60.0, 1e-12);
    assert_close!(fig(&s, "deployments.web.duration_s"), 60.0, 1e-12);
    assert_eq!(fig(&s, "requests.failed"), 0.0);
}

#[test]
fn an_interrupted_batch_job_restarts_from_scratch_and_wastes_its_running_time() {
    // The job fires at 01:00 (3600 s) on the one instance, runs from 3610 s (10 s startup) and needs
    // 20 min. The instance is killed at 3900 s (290 s wasted); the replacement registers at 3960 s
    // and the job runs again from 3970 s; killed again at 4500 s (530 s wasted); third attempt from
    // 4570 s completes at 5770 s.
    let text = format!(
        "{}[[capacity_providers]]\nname = \"E\"\nkind = \"ec2\"\ninstance_types = [\"m5.large\"]\nmin_size = 1\nmax_size = 1\nlaunch_time = \"60s\"\n\
         [[task_definitions]]\nfamily = \"etl\"\ncpu = 2048\nmemory = 4096\nstartup_time = \"10s\"\n\
         [[services]]\nname = \"idle\"\ntask_definition = \"etl\"\ndesired_count = 0\n\
         [[scheduled_tasks]]\nname = \"etl\"\ntask_definition = \"etl\"\nschedule = \"cron(0 1 * * ? *)\"\ncount = 1\nduration = \"20m\"\nmax_attempts = 3\n\
         [[events]]\nat = \"0d 01:05\"\nkind = \"kill_instances\"\ncapacity_provider = \"E\"\ncount = 1\n\
         [[events]]\nat = \"0d 01:15\"\nkind = \"kill_instances\"\ncapacity_provider = \"E\"\ncount = 1\n",
        header("3h", &["a", "b", "c"])
    );
    let s = run(&scenario(&text));
    assert_eq!(fig(&s, "batch.etl.jobs"), 1.0);
    assert_eq!(fig(&s, "batch.etl.completed"), 1.0);
    assert_eq!(fig(&s, "batch.etl.failed"), 0.0);
    assert_eq!(fig(&s, "batch.etl.attempts"), 3.0);
    assert_close!(fig(&s, "batch.etl.wasted_task_hours"), (290.0 + 530.0) / 3600.0, 1e-12);
    assert_close!(fig(&s, "batch.etl.wait_mean_s"), 10.0, 1e-12);
    // With only two attempts allowed the job fails.
    let s = run(&scenario(&text.replace("max_attempts = 3", "max_attempts = 2")));
    assert_eq!(fig(&s, "batch.etl.failed"), 1.0);
}

// ------------------------------------------------------------------ helpers for the tests below

/// One captured event: (time s, kind, scope, name, detail).
type Ev = (f64, String, String, String, String);

/// An event time (seconds, millisecond precision) in milliseconds.
fn ms(t: f64) -> u64 {
    (t * 1000.0).round() as u64
}

/// The captured events of one kind, in order.
fn of_kind<'a>(c: &'a Captured, kind: &str) -> Vec<&'a Ev> {
    c.events.iter().filter(|e| e.1 == kind).collect()
}

/// The task serial in a `task_stopped` / `task_interrupted` / `placement_failed` detail ("task 12 ...").
fn serial_of(detail: &str) -> u64 {
    let rest = detail.strip_prefix("task ").unwrap_or_else(|| panic!("no task serial in {detail:?}"));
    rest.split(|c: char| !c.is_ascii_digit()).next().and_then(|n| n.parse().ok()).expect("a serial")
}

/// The instance id in an event name ("i-3").
fn instance_of(name: &str) -> InstanceId {
    InstanceId(
        name.strip_prefix("i-").and_then(|n| n.parse().ok()).unwrap_or_else(|| panic!("not an instance: {name}")),
    )
}

/// A simulation stopped at `t_ms` milliseconds (events at that instant included).
fn world_at_ms(sc: &Scenario, t_ms: u64) -> Simulation<'_> {
    let mut sim = Simulation::new(sc, 0, opts(), Box::new(NullSink));
    sim.run_until(SimTime::from_millis(t_ms)).unwrap_or_else(|e| panic!("run failed: {e}"));
    sim
}

/// Tasks not yet STOPPED (slots of stopped tasks are reused, so stopped ones are left out).
fn live_tasks<'a>(sim: &'a Simulation<'_>) -> Vec<&'a Task> {
    sim.tasks.iter().filter(|t| t.state != TaskState::Stopped).collect()
}

fn at_ms(t_ms: u64) -> Option<SimTime> {
    Some(SimTime::from_millis(t_ms))
}

/// `spot_web(true)` with explicit deployment bounds.
fn spot_web_bounds(min_healthy: u32, max: u32) -> String {
    spot_web(true).replace(
        "desired_count = 12\n",
        &format!(
            "desired_count = 12\ndeployment_configuration = {{ minimum_healthy_percent = {min_healthy}, maximum_percent = {max} }}\n"
        ),
    )
}

/// Rule (model.md 6, 7.2): at a spot notice with spot draining, the instance's RUNNING tasks are
/// retiring and replaced within the deployment bounds.
///
/// maximumPercent 200, minimumHealthyPercent 100 (12 tasks, room for 24): at the notice T the
/// replacement is created and placed on another instance at once, RUNNING at T + 5 s (startup) and
/// healthy at T + 10 s (its first 5 s check: a new target needs one pass); only then may the old
/// task go (12 healthy needed): it deregisters at T + 10 s, drains 30 s, gets SIGTERM and is
/// STOPPED 10 s later, at T + 50 s, well before the reclaim at T + 120 s.
///
/// maximumPercent 100, minimumHealthyPercent 50 (room for 12, 6 must stay healthy): the old task
/// deregisters at T and is STOPPED at T + 40 s; only then is there room, so the replacement is
/// created at T + 40 s and RUNNING at T + 45 s — the old task stops first.
#[test]
fn spot_draining_max_200_runs_the_replacement_before_the_old_task_stops_and_max_100_does_not() {
    for (min_healthy, max, stop_after) in [(100, 200, 50_000), (50, 100, 40_000)] {
        let sc = scenario(&spot_web_bounds(min_healthy, max));
        let (s, c) = run_captured(&sc);
        let notices = of_kind(&c, "spot_notice");
        assert!(notices.len() >= 2, "the scenario needs notices, got {}", notices.len());
        assert!(of_kind(&c, "reclaim_event").is_empty());
        // Every notice: the tasks on the instance stop gracefully at T + stop_after, the instance
        // is reclaimed at T + 120 s with nothing left on it.
        for n in &notices {
            let t = ms(n.0);
            let on_it: usize = n.4.split("; ").last().and_then(|x| x.split(' ').next()).unwrap().parse().unwrap();
            let stops: Vec<u64> = c
                .events
                .iter()
                .filter(|e| e.1 == "task_stopped" && ms(e.0) > t && ms(e.0) <= t + 120_000)
                .map(|e| ms(e.0) - t)
                .collect();
            assert_eq!(stops, vec![stop_after; on_it], "max {max}%: stops after the notice at {t} ms");
            assert!(
                c.events.iter().any(|e| e.1 == "spot_interruption" && e.3 == n.3 && ms(e.0) == t + 120_000),
                "{} is reclaimed two minutes after its notice",
                n.3
            );
        }
        assert_eq!(fig(&s, "requests.failed"), 0.0);
        assert_eq!(fig(&s, "tasks.killed_in_flight"), 0.0);

        // The first notice in detail.
        let first = notices[0];
        let (t, inst) = (ms(first.0), instance_of(&first.3));
        let before_stop = world_at_ms(&sc, t + stop_after - 1);
        let old: Vec<&Task> = live_tasks(&before_stop).into_iter().filter(|x| x.instance == Some(inst)).collect();
        assert_eq!(old.len(), 1);
        assert_eq!(old[0].state, TaskState::Stopping, "max {max}%: SIGTERM sent, not yet STOPPED");
        let new_before: Vec<&Task> =
            live_tasks(&before_stop).into_iter().filter(|x| x.created_at >= SimTime::from_millis(t)).collect();
        if max == 200 {
            assert_eq!(new_before.len(), 1, "one replacement, created at the notice");
            let r = new_before[0];
            assert_eq!(r.created_at, SimTime::from_millis(t));
            assert_ne!(r.instance, Some(inst), "not placed on the draining instance");
            assert_eq!(r.running_at, at_ms(t + 5_000), "RUNNING 45 s before the old task stops");
            assert_eq!(r.healthy_at, SimTime::from_millis(t + 10_000));
            assert!(r.serving && r.state == TaskState::Running);
        } else {
            assert!(new_before.is_empty(), "max 100%: no replacement while the old task exists");
            let later = world_at_ms(&sc, t + stop_after + 5_000);
            assert!(live_tasks(&later).iter().all(|x| x.instance != Some(inst)), "the old task is STOPPED");
            let new: Vec<&Task> =
                live_tasks(&later).into_iter().filter(|x| x.created_at >= SimTime::from_millis(t)).collect();
            assert_eq!(new.len(), 1);
            assert_eq!(new[0].created_at, SimTime::from_millis(t + stop_after), "created when the old one stopped");
            assert_eq!(new[0].running_at, at_ms(t + stop_after + 5_000));
        }
    }
}

/// Rule (model.md 7.1, docs/conventions.md "Randomness (common random numbers)"): an instance's time to its notice is
/// drawn at launch from its own stream (provider, instance ordinal), so turning spot draining on or
/// off moves no interruption. Here it holds for every instance because the launches are the same
/// too: a spot-drained instance is not `leaving`, so it still counts toward the group and is
/// replaced only at the reclaim (notice + 2 min), exactly as without draining; the same ordinals are
/// launched at the same instants and get the same notices.
///
/// What is *not* invariant in general: (1) an instance launched at a different time (e.g. managed
/// scaling reacting differently to drained tasks) keeps its drawn lifetime but shifts its notice with
/// its launch time; (2) correlated reclaim events (`spot.reclaim_events`) arrive at the same times
/// (keyed by process and event count) but take ⌈fraction × n⌉ of the pool *as it is then* (live spot
/// instances without a notice, oldest first), so if the fleet differs the victims and their number
/// differ. This scenario has no reclaim events and a fixed-size group, so the full list of
/// (time, instance) notices must match.
#[test]
fn spot_draining_does_not_move_any_instance_interruption() {
    let notices = |draining: bool| {
        let (_, c) = run_captured(&scenario(&spot_web(draining)));
        assert!(of_kind(&c, "reclaim_event").is_empty());
        let list = |kind: &str| -> Vec<(u64, String, String)> {
            of_kind(&c, kind).into_iter().map(|e| (ms(e.0), e.3.clone(), e.4.clone())).collect()
        };
        (list("spot_notice"), list("spot_interruption"), list("instance_launch"))
    };
    let (on_notices, on_reclaims, on_launches) = notices(true);
    let (off_notices, off_reclaims, off_launches) = notices(false);
    assert!(on_notices.len() >= 2, "the scenario needs notices");
    let names = |v: &[(u64, String, String)]| v.iter().map(|x| (x.0, x.1.clone())).collect::<Vec<_>>();
    assert_eq!(names(&on_notices), names(&off_notices), "(time, instance) of every notice");
    assert_eq!(on_reclaims, off_reclaims, "every reclaim, 2 min after its notice");
    assert_eq!(on_launches, off_launches, "replacements launched at the reclaim either way");
    for ((t, name, _), (r, rname, _)) in on_notices.iter().zip(&on_reclaims) {
        assert_eq!((t + 120_000, name), (*r, rname));
    }
}

/// Ten Fargate Spot tasks behind an ALB at a "99.99%" monthly share (hazard −ln(0.0001) ≈ 9.2 a
/// month): with seed 1 exactly one task (serial 9) is interrupted within the day.
fn fargate_spot_web(deregistration_delay: &str) -> String {
    format!(
        "{}[[capacity_providers]]\nname = \"FARGATE_SPOT\"\nkind = \"fargate_spot\"\nprovisioning_time = \"5s\"\n\
         [spot.fargate]\ninterruption_frequency = \"99.99%\"\n\
         [[task_definitions]]\nfamily = \"t\"\ncpu = 256\nmemory = 512\nnetwork_mode = \"awsvpc\"\nstartup_time = \"5s\"\nstop_timeout = \"30s\"\n\
         [[services]]\nname = \"web\"\ntask_definition = \"t\"\ndesired_count = 10\n\
         [services.load_balancer]\nderegistration_delay = \"{deregistration_delay}\"\nhealth_check_interval = \"5s\"\nhealthy_threshold = 2\nunhealthy_threshold = 2\n\
         [services.workload]\nrate = {{ pattern = \"constant\", value = 100 }}\ncpu_per_request = \"10ms\"\n",
        header("1d", &["a", "b", "c"])
    )
}

/// Rule (model.md 7.5, docs/conventions.md, Deregistration): at a Fargate Spot notice T the task is
/// deregistered and stopped gracefully, cut short at the end of the 2-minute notice; its replacement
/// starts at once.
///
/// Deregistration delay 300 s: the task would drain until T + 300 s, so it is killed while still
/// DEACTIVATING at T + 120 s. Its replacement is created at T, PENDING (billed) at T + 5 s, RUNNING
/// at T + 10 s, healthy at T + 20 s. Being deregistered, it loses no request. Billing: nine tasks
/// for the whole day, the old one to T + 120 s, the new one from T + 5 s: 10 × 86400 s + 115 s.
/// Deregistration delay 30 s: SIGTERM at T + 30 s, STOPPED at the 30 s stop timeout, T + 60 s
/// (inside the notice): 10 × 86400 s + 55 s.
#[test]
fn fargate_spot_notice_stops_the_task_within_two_minutes_and_replaces_it() {
    for (delay, stopped_after, extra_s) in [("300s", 120_000u64, 115.0), ("30s", 60_000, 55.0)] {
        let sc = scenario(&fargate_spot_web(delay));
        let (s, c) = run_captured(&sc);
        let notices = of_kind(&c, "task_interrupted");
        assert_eq!(notices.len(), 1, "seed 1 gives one interruption in the day");
        let (t, serial) = (ms(notices[0].0), serial_of(&notices[0].4));
        let stops = of_kind(&c, "task_stopped");
        assert_eq!(stops.len(), 1);
        assert_eq!((ms(stops[0].0), serial_of(&stops[0].4)), (t + stopped_after, serial), "delay {delay}");
        assert!(stops[0].4.ends_with("on FARGATE_SPOT: spot_interruption"), "{}", stops[0].4);

        let w = world_at_ms(&sc, t + stopped_after - 1);
        let live = live_tasks(&w);
        let old = live.iter().find(|x| x.serial == serial).expect("the interrupted task still exists");
        let expected = if delay == "300s" { TaskState::Deactivating } else { TaskState::Stopping };
        assert_eq!(old.state, expected);
        assert!(!old.serving, "deregistered at the notice");
        assert_eq!(old.kill_at, at_ms(t + 120_000));
        let new: Vec<&&Task> = live.iter().filter(|x| x.created_at >= SimTime::from_millis(t)).collect();
        assert_eq!(new.len(), 1, "one replacement");
        assert_eq!(new[0].created_at, SimTime::from_millis(t), "started at the notice");
        assert_eq!(new[0].billed_from, at_ms(t + 5_000));
        assert_eq!(new[0].running_at, at_ms(t + 10_000));
        // RUNNING at +10 s, healthy at its first check 5 s later (a new target needs one pass).
        assert_eq!(new[0].healthy_at, SimTime::from_millis(t + 15_000));
        assert_eq!(live.iter().filter(|x| x.serving).count(), 10);

        assert_eq!(fig(&s, "tasks.interrupted"), 1.0);
        assert_eq!(fig(&s, "tasks.stopped.spot_interruption"), 1.0);
        assert_eq!(fig(&s, "tasks.started"), 11.0);
        assert_eq!(fig(&s, "requests.failed"), 0.0);
        assert_eq!(fig(&s, "tasks.killed_in_flight"), 0.0);
        assert_close!(fig(&s, "tasks.task_hours.FARGATE_SPOT"), (10.0 * 86400.0 + extra_s) / 3600.0, 1e-12);
    }
}

/// Rule (model.md 3.9 step 3): each Fargate Spot provisioning attempt finds no capacity with
/// probability `unavailable_probability`; the task logs `fargate_spot_capacity` (once per task: a
/// waiting task counts again only when its reason changes, model.md 13.1), waits 30 s and retries;
/// it never falls back to FARGATE; it is not billed until PENDING.
///
/// Desired 0 → 10 at 60 s, provisioning 5 s, startup 5 s, p = 0.5: a task whose first k attempts
/// fail is RUNNING at 60 + 30k + 10 s. With K = Σk failed attempts, pending time is
/// 10 × 10 s + 30 K s and task time 10 × (3600 − 65) s − 30 K s.
#[test]
fn fargate_spot_capacity_shortage_retries_every_30_s_on_fargate_spot() {
    let text = format!(
        "{}[[capacity_providers]]\nname = \"FARGATE\"\nkind = \"fargate\"\nprovisioning_time = \"5s\"\n\
         [[capacity_providers]]\nname = \"FARGATE_SPOT\"\nkind = \"fargate_spot\"\nprovisioning_time = \"5s\"\n\
         [spot.fargate]\ninterruption_frequency = \"0%\"\nunavailable_probability = 0.5\n\
         [[task_definitions]]\nfamily = \"t\"\ncpu = 256\nmemory = 512\nnetwork_mode = \"awsvpc\"\nstartup_time = \"5s\"\n\
         [[services]]\nname = \"web\"\ntask_definition = \"t\"\ndesired_count = 0\n\
         capacity_provider_strategy = [{{ capacity_provider = \"FARGATE_SPOT\", weight = 1 }}]\n\
         [[events]]\nat = \"1m\"\nkind = \"set_desired_count\"\nservice = \"web\"\ndesired_count = 10\n",
        header("1h", &["a", "b", "c"])
    );
    let sc = scenario(&text);
    let (s, c) = run_captured(&sc);
    let failed: Vec<u64> = of_kind(&c, "placement_failed")
        .into_iter()
        .filter(|e| e.4.ends_with("Fargate Spot capacity is unavailable at this time"))
        .map(|e| {
            assert_eq!(ms(e.0), 60_000, "first attempts are all at 60 s; retries are not logged again");
            serial_of(&e.4)
        })
        .collect();
    assert!(!failed.is_empty(), "p = 0.5 over ten tasks: some attempts fail");
    assert_eq!(fig(&s, "tasks.placement_failures.fargate_spot_capacity"), failed.len() as f64);

    let w = world_at(&sc, 3600);
    let tasks = live_tasks(&w);
    assert_eq!(tasks.len(), 10);
    let mut retried = Vec::new();
    let mut attempts_failed = 0u64;
    for t in &tasks {
        assert_eq!(w.sc.providers[t.provider.idx()].name, "FARGATE_SPOT", "no fallback to FARGATE");
        assert_eq!(t.created_at, SimTime::from_secs(60));
        let wait = t.running_at.expect("RUNNING").as_millis() - 60_000;
        assert_eq!((wait - 10_000) % 30_000, 0, "task {}: RUNNING {wait} ms after creation", t.serial);
        let k = (wait - 10_000) / 30_000;
        attempts_failed += k;
        if k > 0 {
            retried.push(t.serial);
        }
    }
    retried.sort();
    let mut failed_sorted = failed.clone();
    failed_sorted.sort();
    assert_eq!(retried, failed_sorted, "exactly the tasks logged were retried");
    assert!(attempts_failed > failed.len() as u64, "some task failed more than once (K = {attempts_failed})");
    let k = attempts_failed as f64;
    assert_close!(fig(&s, "tasks.pending_task_minutes"), (100.0 + 30.0 * k) / 60.0, 1e-12);
    assert_close!(fig(&s, "tasks.task_hours.FARGATE_SPOT"), (10.0 * 3535.0 - 30.0 * k) / 3600.0, 1e-12);
    assert_eq!(fig(&s, "tasks.task_hours.FARGATE"), 0.0);
}

/// Rule (model.md 3.3): a spot launch fails with `launch_failure_probability` (one draw per
/// attempt), counts toward the group while it waits 30 s, and is retried avoiding the type that
/// just failed ("the next pool of the mixed instances policy"); failed launches are not billed.
///
/// Cold start of 6 spot instances over m5a.large and m5.large (both "0%", so price-capacity-optimized
/// picks the cheaper m5a.large first), p = 0.5: every failure of type X at t is followed by an
/// attempt of the other type at t + 30 s, and the group ends with 6 instances.
#[test]
fn a_failed_spot_launch_is_retried_in_the_other_pool_30_s_later() {
    let text = format!(
        "{}[[capacity_providers]]\nname = \"S\"\nkind = \"ec2\"\ninstance_types = [\"m5.large\", \"m5a.large\"]\nlifecycle = \"spot\"\nmin_size = 6\nmax_size = 6\nlaunch_time = \"60s\"\n\
         [spot]\ninterruption_frequency = \"0%\"\nlaunch_failure_probability = 0.5\n\
         [[task_definitions]]\nfamily = \"t\"\ncpu = 256\nmemory = 512\n\
         [[services]]\nname = \"s\"\ntask_definition = \"t\"\ndesired_count = 0\n",
        header("1h", &["a", "b", "c"]).replace("seed = 1\n", "seed = 1\ninitial_state = \"cold\"\n")
    );
    let (s, c) = run_captured(&scenario(&text));
    // (time, type, failed) of every launch attempt.
    let attempts: Vec<(u64, String, bool)> = c
        .events
        .iter()
        .filter_map(|e| match e.1.as_str() {
            "instance_launch" => Some((ms(e.0), e.4.split(' ').nth(2).unwrap().to_string(), false)),
            "instance_launch_failed" => Some((ms(e.0), e.4.split(' ').nth(4).unwrap().to_string(), true)),
            _ => None,
        })
        .collect();
    let failures: Vec<&(u64, String, bool)> = attempts.iter().filter(|a| a.2).collect();
    assert!(!failures.is_empty(), "p = 0.5: some launches fail");
    assert_eq!((&attempts[0].1[..], &failures[0].1[..]), ("m5a.large", "m5a.large"), "the cheaper pool is tried first");
    let other = |t: &str| if t == "m5.large" { "m5a.large" } else { "m5.large" };
    let mut times: Vec<u64> = failures.iter().map(|f| f.0).collect();
    times.dedup();
    for t in times {
        let mut expected: Vec<&str> = failures.iter().filter(|f| f.0 == t).map(|f| other(&f.1)).collect();
        let mut retried: Vec<&str> = attempts.iter().filter(|a| a.0 == t + 30_000).map(|a| &a.1[..]).collect();
        expected.sort();
        retried.sort();
        assert_eq!(retried, expected, "retries at {} s avoid the pools that failed at {} s", t / 1000 + 30, t / 1000);
    }
    // A failure at 0 s followed by a successful launch of the other type at 30 s.
    assert!(attempts.iter().any(|a| a.0 == 30_000 && !a.2 && a.1 == other(&failures[0].1)));
    assert_eq!(fig(&s, "instances.launch_failures"), failures.len() as f64);
    let launches: Vec<&(u64, String, bool)> = attempts.iter().filter(|a| !a.2).collect();
    assert_eq!(launches.len(), 6);
    assert_eq!(fig(&s, "instances.launched"), 6.0);
    // Billed from each successful launch request to the end of the hour.
    let billed: f64 = launches.iter().map(|a| 3600.0 - a.0 as f64 / 1000.0).sum();
    assert_close!(fig(&s, "instances.instance_hours.S"), billed / 3600.0, 1e-12);
}

/// Rule (model.md 7.3, docs/conventions.md, Reclaim events): a correlated reclaim event gives notices at once to
/// ⌈fraction × n⌉ of the pool's n live spot instances without a notice, oldest first; they are
/// reclaimed 2 minutes later and replaced.
///
/// One zone, ten m5.large spot instances ("0%": no independent interruptions), fraction 0.25:
/// ⌈2.5⌉ = 3 at each event: i-0..i-2 at the first, then the next-oldest three, and so on.
#[test]
fn a_reclaim_event_takes_the_configured_fraction_of_the_pool_at_once() {
    let text = format!(
        "{}[[capacity_providers]]\nname = \"S\"\nkind = \"ec2\"\ninstance_types = [\"m5.large\"]\nlifecycle = \"spot\"\nmin_size = 10\nmax_size = 10\nlaunch_time = \"60s\"\n\
         [spot]\ninterruption_frequency = \"0%\"\n\
         [[spot.reclaim_events]]\nrate_per_month = 30\nfraction = 0.25\n\
         [[task_definitions]]\nfamily = \"t\"\ncpu = 256\nmemory = 512\n\
         [[services]]\nname = \"s\"\ntask_definition = \"t\"\ndesired_count = 0\n",
        header("2d", &["a"])
    );
    let (s, c) = run_captured(&scenario(&text));
    let events = of_kind(&c, "reclaim_event");
    assert!(!events.is_empty(), "rate 30 a month over two days: seed 1 gives some events");
    let mut next_oldest = 0u32;
    for e in &events {
        assert_eq!(e.4, "EC2 reclaims 3 of 10 spot m5.large in us-east-1a");
        let t = ms(e.0);
        let noticed: Vec<String> =
            c.events.iter().filter(|x| x.1 == "spot_notice" && ms(x.0) == t).map(|x| x.3.clone()).collect();
        let oldest: Vec<String> = (next_oldest..next_oldest + 3).map(|i| format!("i-{i}")).collect();
        assert_eq!(noticed, oldest, "three notices at once, oldest first");
        next_oldest += 3;
        let reclaimed: Vec<String> = c
            .events
            .iter()
            .filter(|x| x.1 == "spot_interruption" && ms(x.0) == t + 120_000)
            .map(|x| x.3.clone())
            .collect();
        assert_eq!(reclaimed, oldest, "reclaimed two minutes later");
    }
    assert_eq!(fig(&s, "instances.interrupted"), 3.0 * events.len() as f64);
    assert_eq!(fig(&s, "instances.launched"), 3.0 * events.len() as f64);
}

/// Rule (model.md 7.4): with a `price_trace` every live spot instance of the pool is re-priced at
/// each row (held between rows). One m5.large spot instance for an hour at 0.03 $/h for the first
/// half and 0.06 $/h for the second: 0.5 × 0.03 + 0.5 × 0.06 = 0.045 $ (the time average).
#[test]
fn a_spot_price_trace_bills_each_period_at_its_price() {
    let text = format!(
        "{}[[capacity_providers]]\nname = \"S\"\nkind = \"ec2\"\ninstance_types = [\"m5.large\"]\nlifecycle = \"spot\"\nmin_size = 1\nmax_size = 1\n\
         [spot]\ninterruption_frequency = \"0%\"\n\
         [[spot.pools]]\ninstance_type = \"m5.large\"\nprice_trace = \"churn-spot-price.csv\"\n\
         [[task_definitions]]\nfamily = \"t\"\ncpu = 256\nmemory = 512\n\
         [[services]]\nname = \"s\"\ntask_definition = \"t\"\ndesired_count = 0\n",
        header("1h", &["a"])
    );
    let (s, c) = run_captured(&scenario(&text));
    assert_close!(fig(&s, "cost.total_usd"), 0.045, 1e-12);
    assert_close!(fig(&s, "cost.by_provider.S"), 0.045, 1e-12);
    // The per-minute rate steps at 1800 s.
    let rate = c.series("provider", "S", "cost_usd_per_hour");
    let at = |t: u64| rate.iter().find(|r| r.0 == t).map(|r| r.1).expect("a row");
    assert_close!(at(1740), 0.03, 1e-12);
    assert_close!(at(1800), 0.06, 1e-12);
}

/// Rule (model.md 12): `az_outage` kills every Fargate task in the zone that is provisioning or
/// later (reason `zone_outage`), and replacements go to the other zones; nothing moves back.
///
/// Six Fargate tasks (two per zone, 0.25 vCPU, 10 ms of CPU per request → μ = 25/s) share 60 rps
/// (λ = 10/s each). Zone b fails at 600 s: its two tasks die with λ/(μ − λ) = 2/3 request each in
/// flight (4/3 in all), and stay ghost targets for 2 × 5 s, taking 2/6 of 60 rps: 200 requests
/// fail. Replacements are created at 600 s in zones a and c, RUNNING at 610 s.
#[test]
fn an_az_outage_kills_the_fargate_tasks_in_the_zone() {
    let text = format!(
        "{}[[capacity_providers]]\nname = \"FARGATE\"\nkind = \"fargate\"\nprovisioning_time = \"5s\"\n\
         [[task_definitions]]\nfamily = \"t\"\ncpu = 256\nmemory = 512\nnetwork_mode = \"awsvpc\"\nstartup_time = \"5s\"\n\
         [[services]]\nname = \"web\"\ntask_definition = \"t\"\ndesired_count = 6\n\
         [services.load_balancer]\nderegistration_delay = \"30s\"\nhealth_check_interval = \"5s\"\nhealthy_threshold = 2\nunhealthy_threshold = 2\n\
         [services.workload]\nrate = {{ pattern = \"constant\", value = 60 }}\ncpu_per_request = \"10ms\"\n\
         [[events]]\nat = \"10m\"\nkind = \"az_outage\"\nzone = \"us-east-1b\"\nduration = \"30m\"\n",
        header("2h", &["a", "b", "c"])
    );
    let sc = scenario(&text);
    let zones_at = |t: u64| {
        let w = world_at(&sc, t);
        let mut per_zone = [0u32; 3];
        for task in live_tasks(&w) {
            per_zone[task.zone.expect("a zone").idx()] += 1;
        }
        per_zone
    };
    assert_eq!(zones_at(599), [2, 2, 2]);
    assert_eq!(zones_at(600), [3, 0, 3], "two dead in b, two replacements in a and c");
    assert_eq!(zones_at(7199), [3, 0, 3], "nothing moves back when the zone returns at 2400 s");

    let (s, c) = run_captured(&sc);
    let stopped = of_kind(&c, "task_stopped");
    assert_eq!(stopped.len(), 2);
    for e in &stopped {
        assert_eq!(ms(e.0), 600_000);
        assert!(e.4.ends_with("on FARGATE: zone_outage"), "{}", e.4);
    }
    assert_eq!(fig(&s, "tasks.stopped.zone_outage"), 2.0);
    assert_eq!(fig(&s, "tasks.interrupted"), 0.0, "outage kills are not interruptions (model.md 13.1)");
    assert_close!(fig(&s, "tasks.killed_in_flight"), 4.0 / 3.0, 1e-9);
    assert_close!(fig(&s, "requests.failed_stale_endpoint"), 200.0, 1e-9);
    let w = world_at(&sc, 700);
    let replacements: Vec<Option<SimTime>> =
        live_tasks(&w).into_iter().filter(|t| t.created_at == SimTime::from_secs(600)).map(|t| t.running_at).collect();
    assert_eq!(replacements, vec![Some(SimTime::from_secs(610)); 2]);
}

/// Rule (model.md 12): `kill_instances` with a fraction terminates ⌈fraction × n⌉ of the provider's
/// n registered instances (ACTIVE or DRAINING; launching ones excluded), oldest first, abruptly
/// (reason `instance_terminated`), and the ASG replaces them.
///
/// Ten m5.large, one task each: at 600 s fraction 0.25 kills ⌈2.5⌉ = 3 (i-0..i-2; replacements
/// i-10..i-12 registered at 660 s). At 1800 s fraction 0.5 kills 5 of the 10 registered, the oldest
/// i-3..i-7 (their 8 tasks: three replacements had been placed on i-3..i-5). At 1830 s the five
/// replacements are still launching, so fraction 0.2 counts only the 5 registered: ⌈1⌉ = 1, i-8,
/// with two tasks (the 8 tasks lost at 1800 s were re-placed at once on the five registered
/// instances, where an m5.large holds two 1024-unit tasks: 1 + 1 + 3 × 2 free slots). Tasks killed: 3 + 8 + 2 = 13.
#[test]
fn kill_instances_with_a_fraction_kills_the_oldest_registered_instances() {
    let text = format!(
        "{}[[capacity_providers]]\nname = \"E\"\nkind = \"ec2\"\ninstance_types = [\"m5.large\"]\nmin_size = 10\nmax_size = 10\nlaunch_time = \"60s\"\n\
         [[task_definitions]]\nfamily = \"t\"\ncpu = 1024\nmemory = 2048\nstartup_time = \"5s\"\n\
         [[services]]\nname = \"s\"\ntask_definition = \"t\"\ndesired_count = 10\n\
         [[events]]\nat = \"10m\"\nkind = \"kill_instances\"\ncapacity_provider = \"E\"\nfraction = 0.25\n\
         [[events]]\nat = \"30m\"\nkind = \"kill_instances\"\ncapacity_provider = \"E\"\nfraction = 0.5\n\
         [[events]]\nat = \"1830s\"\nkind = \"kill_instances\"\ncapacity_provider = \"E\"\nfraction = 0.2\n",
        header("2h", &["a", "b", "c"])
    );
    let (s, c) = run_captured(&scenario(&text));
    let kills: Vec<(u64, &str)> = of_kind(&c, "kill_instances").into_iter().map(|e| (ms(e.0), &e.4[..])).collect();
    assert_eq!(
        kills,
        vec![
            (600_000, "killing 3 of 10 instance(s), oldest first"),
            (1_800_000, "killing 5 of 10 instance(s), oldest first"),
            (1_830_000, "killing 1 of 5 instance(s), oldest first"),
        ]
    );
    let terminated_at = |t: u64| -> Vec<String> {
        of_kind(&c, "instance_terminated")
            .into_iter()
            .filter(|e| ms(e.0) == t)
            .map(|e| {
                assert_eq!(e.4, "E: instance_terminated");
                e.3.clone()
            })
            .collect()
    };
    assert_eq!(terminated_at(600_000), ["i-0", "i-1", "i-2"]);
    assert_eq!(terminated_at(1_800_000), ["i-3", "i-4", "i-5", "i-6", "i-7"]);
    assert_eq!(terminated_at(1_830_000), ["i-8"]);
    let tasks_killed = of_kind(&c, "task_stopped");
    assert!(tasks_killed.iter().all(|e| e.4.ends_with("on E: instance_terminated")));
    assert_eq!(tasks_killed.len(), 3 + 8 + 2);
    assert_eq!(fig(&s, "tasks.stopped.instance_terminated"), 13.0);
    assert_eq!(fig(&s, "instances.launched"), 9.0);
}

/// web (Fargate, 100 requests/s) calls api twice per request; api's two tasks sit on two EC2
/// instances (spread by instance), one of which is killed at 600 s.
fn api_task_dies(via: &str, api_tasks: u32) -> String {
    format!(
        "{}[[capacity_providers]]\nname = \"FARGATE\"\nkind = \"fargate\"\n\
         [[capacity_providers]]\nname = \"E\"\nkind = \"ec2\"\ninstance_types = [\"m5.large\"]\nmin_size = 2\nmax_size = 2\n\
         [[task_definitions]]\nfamily = \"t\"\ncpu = 1024\nmemory = 2048\nnetwork_mode = \"awsvpc\"\n\
         [[services]]\nname = \"web\"\ntask_definition = \"t\"\ndesired_count = 2\ncapacity_provider_strategy = [{{ capacity_provider = \"FARGATE\", weight = 1 }}]\n\
         [services.workload]\nrate = {{ pattern = \"constant\", value = 100 }}\ncpu_per_request = \"1ms\"\n\
         [[services.calls]]\nservice = \"api\"\nper_request = 2.0\nvia = \"{via}\"\n\
         [[services]]\nname = \"api\"\ntask_definition = \"t\"\ndesired_count = {api_tasks}\ncapacity_provider_strategy = [{{ capacity_provider = \"E\", weight = 1 }}]\n\
         placement_strategy = [{{ type = \"spread\", field = \"instanceId\" }}]\n\
         [services.load_balancer]\n\
         [services.workload]\ncpu_per_request = \"1ms\"\n\
         [[events]]\nat = \"10m\"\nkind = \"kill_instances\"\ncapacity_provider = \"E\"\ncount = 1\n",
        header("30m", &["a", "b"])
    )
}

#[test]
fn service_connect_retries_calls_cut_off_by_a_dying_task() {
    // Through the load balancer the calls inside the dying task are lost (about 100/s × 1/900 s,
    // M/M/1 at 100 of 1000 requests/s), and the ghost target keeps its share of the 200 calls/s
    // until two failed checks at the default 30 s interval, 60 s. Its replacement is placed on the
    // other instance at once, RUNNING 10 s later and serving at its first check, 30 s after that:
    // the ghost's share is 1/2 for 40 s, then 1/3 for 20 s: 200 × (40/2 + 20/3) = 5333.3 calls.
    // A web request fails when either of its calls does, 1 − (1 − g)² of 100/s:
    // 100 × (40 × 3/4 + 20 × 5/9) = 4111.1 (the calls lost in flight are api's own, not entry
    // traffic: docs/model.md §5.4).
    let lb = run(&scenario(&api_task_dies("load_balancer", 2)));
    assert_close!(fig(&lb, "tasks.killed_in_flight"), 100.0 / 900.0, 1e-6);
    assert_close!(fig(&lb, "services.api.requests.failed_stale_endpoint"), 200.0 * (20.0 + 20.0 / 3.0), 1e-9);
    assert_close!(fig(&lb, "requests.failed_downstream"), 100.0 * (30.0 + 20.0 * 5.0 / 9.0), 1e-9);
    // Service Connect's proxy learns of the death at once and retries the cut-off calls on the
    // other task: nothing fails.
    let sc = run(&scenario(&api_task_dies("service_connect", 2)));
    assert_eq!(fig(&sc, "tasks.killed_in_flight"), 0.0);
    assert_eq!(fig(&sc, "requests.failed"), 0.0);
    // With no other task to retry on, the calls are lost all the same.
    let alone = run(&scenario(&api_task_dies("service_connect", 1)));
    assert_close!(fig(&alone, "tasks.killed_in_flight"), 200.0 / 800.0, 1e-6);
    // Both tasks on the killed instance (binpack): they die in the same instant, so neither can
    // take the other's retries; each loses its 100/900 in flight.
    let packed = api_task_dies("service_connect", 2).replace(
        "placement_strategy = [{ type = \"spread\", field = \"instanceId\" }]",
        "placement_strategy = [{ type = \"binpack\", field = \"cpu\" }]",
    );
    let packed = run(&scenario(&packed));
    assert_close!(fig(&packed, "tasks.killed_in_flight"), 2.0 * 100.0 / 900.0, 1e-6);
    assert_close!(fig(&packed, "services.api.requests.failed_interrupted"), 2.0 * 100.0 / 900.0, 1e-6);
}
