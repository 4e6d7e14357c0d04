//! Reliability under churn: spot interruptions, draining, deregistration,
//! DNS staleness, deployments, batch retries.

use crate::assert_close;
use crate::common::{fig, header, run, run_captured, scenario, world_at};
use ecsim::model::entities::TaskState;

#[test]
fn spot_interruptions_follow_the_monthly_rate() {
    // 1000 spot instances for 30 days at "10-15%" (p = 0.125 a month): each is interrupted at hazard
    // −ln(1 − p) per month and replaced, so the count is Poisson with mean 1000 × 0.13353 = 133.5
    // (sd 11.6); 4 sd either side is [87, 180].
    let text = format!(
        "{}[[capacity_providers]]\nname = \"S\"\nkind = \"ec2\"\ninstance_types = [\"m5.large\"]\nlifecycle = \"spot\"\nmin_size = 1000\nmax_size = 1000\nlaunch_time = \"60s\"\n\
         [spot]\ninterruption_frequency = \"10-15%\"\n\
         [[task_definitions]]\nfamily = \"t\"\ncpu = 256\nmemory = 512\n\
         [[services]]\nname = \"s\"\ntask_definition = \"t\"\ndesired_count = 0\n\
         [output]\ntimeseries_interval = \"1h\"\n",
        header("30d", &["a", "b", "c"]).replace("seed = 1\n", "seed = 1\ntick = \"5m\"\n")
    );
    let s = run(&scenario(&text));
    let n = fig(&s, "instances.interrupted");
    let expected = 1000.0 * -(0.875f64).ln();
    assert!((n - expected).abs() <= 4.0 * expected.sqrt(), "{n} interruptions, expected about {expected:.1}");
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
    // Without it the tasks die with the instance: requests in flight are lost, and the load
    // balancer keeps sending to the dead targets until two failed health checks (10 s).
    assert!(fig(&killed, "tasks.killed_in_flight") > 0.0);
    assert!(fig(&killed, "requests.failed_stale_endpoint") > 0.0);
    assert!(fig(&killed, "requests.failed") > 0.0);
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

#[test]
fn dns_ttl_staleness_fails_calls_for_at_most_the_ttl() {
    // The stopped task's record stays in callers' caches, expiring evenly over the 60 s TTL: its
    // weight is w(t) = 1 − t/60 next to one live task, so the failed calls are
    // ∫₀⁶⁰ 200 × w/(1 + w) dt = 12000 × (1 − ln 2) ≈ 3682.
    let (s, captured) = run_captured(&scenario(&calls_during_scale_in(
        "service_discovery",
        "[services.service_discovery]\ndns_ttl = \"60s\"",
    )));
    let stale = fig(&s, "services.api.requests.failed_stale_endpoint");
    assert_close!(stale, 12000.0 * (1.0 - 2f64.ln()), 0.01);
    let failing: Vec<u64> =
        captured.series("service", "api", "failed_rps").into_iter().filter(|(_, v)| *v > 0.0).map(|(t, _)| t).collect();
    assert_eq!(failing, vec![600], "failures only within the TTL after the scale-in");
    // Each failed call fails its web request.
    assert!(fig(&s, "requests.failed_downstream") > 0.0);
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
    // Desired 2, min 100% max 200%: two new tasks start (provisioning 5 s, startup 5 s, healthy after
    // 2 × 10 s checks, at +30 s); then both old ones deregister (30 s) and stop (10 s): done at +70 s.
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
    assert_eq!(world_at(&sc, 600 + 29).tasks.iter().filter(|t| t.state == TaskState::Running).count(), 4);
    let s = run(&sc);
    assert_eq!(fig(&s, "deployments.web.count"), 1.0);
    assert_eq!(fig(&s, "deployments.web.completed"), 1.0);
    assert_close!(fig(&s, "deployments.web.max_s"), 70.0, 1e-12);
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
