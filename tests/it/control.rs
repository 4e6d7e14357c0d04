//! Control-plane launch limits (docs/model.md §3.10) and correlated Fargate
//! Spot reclaims and droughts (§7.6), with figures worked by hand.

use crate::common::{Captured, fig, header, opts, run, run_captured, scenario, world_at};
use ecsim::engine::SimTime;
use ecsim::model::entities::TaskState;
use ecsim::model::record::NullSink;
use ecsim::model::throttle::Limit;
use ecsim::model::{RunOptions, Simulation};

/// Tasks RUNNING in the world.
fn running(sim: &Simulation<'_>) -> usize {
    sim.tasks.iter().filter(|t| t.state == TaskState::Running).count()
}

fn events<'a>(c: &'a Captured, kind: &str) -> Vec<&'a (f64, String, String, String, String)> {
    c.events.iter().filter(|e| e.1 == kind).collect()
}

/// One service of `desired` 0.25-vCPU tasks on one provider, started cold (everything launched at
/// t = 0), fixed provisioning 30 s and startup 10 s, no load balancer.
fn fargate_service(provider: &str, desired: u32, extra: &str) -> String {
    format!(
        "{}[[capacity_providers]]\nname = \"P\"\nkind = \"{provider}\"\nprovisioning_time = \"30s\"\n\
         {extra}\
         [[task_definitions]]\nfamily = \"t\"\ncpu = 256\nmemory = 512\nnetwork_mode = \"awsvpc\"\nstartup_time = \"10s\"\n\
         [[services]]\nname = \"s\"\ntask_definition = \"t\"\ndesired_count = {desired}\n",
        header("10m", &["a"]).replace("seed = 1\n", "seed = 1\ninitial_state = \"cold\"\n")
    )
}

/// Rule (docs/aws-facts.md §11, Fargate throttling quotas): Fargate launches tasks from a token
/// bucket of 100 tokens refilled at 20 a second, and a launch over it waits for its token.
///
/// 0 → 1,000 tasks at t = 0: tasks 1–100 take the burst and go at once; task k > 100 waits for the
/// (k − 100)-th refilled token, (k − 100) / 20 s. Each is then provisioned in 30 s and started in
/// 10 s, so task k is RUNNING at 40 s + max(0, k − 100) × 50 ms:
/// - at 39 s none is RUNNING; at 40 s the first 100 are (the 101st comes 50 ms later);
/// - at 84 s: k − 100 ≤ 44 s × 20 = 880, so 980 tasks;
/// - at 85 s all 1,000: the last token comes at 900 / 20 = 45 s.
///
/// 900 launches waited, the longest 45 s.
#[test]
fn a_fargate_scale_out_from_0_to_1000_tasks_takes_the_token_bucket_time() {
    let sc = scenario(&fargate_service("fargate", 1000, "").replace("\"10m\"", "\"2m\""));
    // One world run on step by step (a thousand tasks: each invariant check walks them all).
    let mut sim = Simulation::new(&sc, 0, RunOptions::default(), Box::new(NullSink));
    let mut at = |t: u64| {
        sim.run_until(SimTime::from_secs(t)).expect("runs");
        running(&sim)
    };
    assert_eq!(at(39), 0);
    assert_eq!(at(40), 100);
    assert_eq!(at(84), 980);
    assert_eq!(at(85), 1000);
    let k = Limit::FargateLaunch as usize;
    assert_eq!(sim.rec.totals.throttled[k], 900);
    assert_eq!(sim.rec.totals.throttled_max_wait_s[k], 45.0);
    assert_eq!(sim.rec.totals.throttled[Limit::FargateSpotLaunch as usize], 0);
    // The same figures in summary.json.
    let s = sim.run().expect("runs").summary;
    assert_eq!(fig(&s, "limits.throttled_launches.fargate_launch"), 900.0);
    assert_eq!(fig(&s, "limits.max_wait_s.fargate_launch"), 45.0);
}

/// Rule (docs/model.md §3.10): the steady initial state is not a launch, and a scale-out within the
/// burst waits for nothing: 100 tasks cold take the 100 tokens of a full bucket.
#[test]
fn launches_within_the_burst_are_not_throttled() {
    let s = run(&scenario(&fargate_service("fargate", 100, "")));
    assert_eq!(fig(&s, "limits.throttled_launches.fargate_launch"), 0.0);
    let steady = fargate_service("fargate", 300, "").replace("initial_state = \"cold\"\n", "");
    assert_eq!(fig(&run(&scenario(&steady)), "limits.throttled_launches.fargate_launch"), 0.0);
}

/// Rule (docs/scenario-format.md `[limits]`): a limit can be overridden. Fargate Spot at
/// 10 tokens and 2 a second: 30 tasks cold, the 30th waits 20 / 2 = 10 s, so all are RUNNING at
/// 10 + 30 + 10 = 50 s and 28 at 49 s (task k RUNNING at 40 s + (k − 10) × 0.5 s ≤ 49 s for
/// k ≤ 28).
#[test]
fn the_fargate_spot_bucket_can_be_overridden() {
    let extra = "[limits]\nfargate_spot_launch = { burst = 10, per_second = 2 }\n";
    let sc = scenario(
        &fargate_service("fargate_spot", 30, extra)
            .replace("[[task_definitions]]", "[spot.fargate]\ninterruption_frequency = \"0%\"\n[[task_definitions]]"),
    );
    assert_eq!(running(&world_at(&sc, 49)), 28);
    assert_eq!(running(&world_at(&sc, 50)), 30);
    assert_eq!(fig(&run(&sc), "limits.throttled_launches.fargate_spot_launch"), 20.0);
}

/// Rule (docs/model.md §3.10): the service scheduler's pace, when given, holds a service's new
/// tasks before they reach Fargate. 20 tasks, 5 at once then 1 a second: task k > 5 starts
/// provisioning at (k − 5) s and is RUNNING 40 s later; the last at 55 s.
#[test]
fn a_service_launch_pace_holds_tasks_back() {
    let extra = "[limits]\nservice_launch = { burst = 5, per_second = 1 }\n";
    let sc = scenario(&fargate_service("fargate", 20, extra));
    assert_eq!(running(&world_at(&sc, 40)), 5);
    assert_eq!(running(&world_at(&sc, 54)), 19);
    assert_eq!(running(&world_at(&sc, 55)), 20);
    assert_eq!(fig(&run(&sc), "limits.throttled_launches.service_launch"), 15.0);
}

/// Rule (docs/aws-facts.md §11, EC2 RunInstances resource tokens): every ASG launch takes a token;
/// over the limit it waits. With 2 tokens refilled at 0.5 a second, five instances launched cold go
/// at 0, 0, 2, 4 and 6 s.
#[test]
fn instance_launches_wait_for_run_instances_tokens() {
    let text = format!(
        "{}[[capacity_providers]]\nname = \"A\"\nkind = \"ec2\"\ninstance_types = [\"m5.large\"]\nmin_size = 5\nmax_size = 5\nlaunch_time = \"60s\"\n\
         [limits]\nec2_run_instances = {{ burst = 2, per_second = 0.5 }}\n\
         [[task_definitions]]\nfamily = \"t\"\ncpu = 256\nmemory = 512\n\
         [[services]]\nname = \"s\"\ntask_definition = \"t\"\ndesired_count = 0\n",
        header("10m", &["a"]).replace("seed = 1\n", "seed = 1\ninitial_state = \"cold\"\n")
    );
    let (s, c) = run_captured(&scenario(&text));
    let launches: Vec<f64> = events(&c, "instance_launch").iter().map(|e| e.0).collect();
    assert_eq!(launches, [0.0, 0.0, 2.0, 4.0, 6.0]);
    let active: Vec<f64> = events(&c, "instance_active").iter().map(|e| e.0).collect();
    assert_eq!(active, [60.0, 60.0, 62.0, 64.0, 66.0]);
    assert_eq!(fig(&s, "limits.throttled_launches.ec2_run_instances"), 3.0);
    assert_eq!(fig(&s, "instances.launched"), 5.0);
}

/// Eight FARGATE_SPOT tasks in one zone (steady start, so RUNNING at t = 0, serials 0–7), no
/// independent interruptions, and one Fargate Spot reclaim source.
fn fargate_spot_pool(reclaim: &str) -> String {
    format!(
        "{}[[capacity_providers]]\nname = \"SPOT\"\nkind = \"fargate_spot\"\nprovisioning_time = \"30s\"\n\
         [spot.fargate]\ninterruption_frequency = \"0%\"\n\
         [[spot.fargate.reclaim_events]]\nrate_per_month = 30\nfraction = 0.5\n{reclaim}\
         [[task_definitions]]\nfamily = \"t\"\ncpu = 256\nmemory = 512\nnetwork_mode = \"awsvpc\"\nstartup_time = \"10s\"\n\
         [[services]]\nname = \"s\"\ntask_definition = \"t\"\ndesired_count = 8\n",
        header("2d", &["a"])
    )
}

/// Rule (docs/model.md §7.6): a Fargate Spot reclaim gives ⌈fraction × n⌉ of a zone's n Fargate
/// Spot tasks their two-minute notice at once, oldest first. Fraction 0.5 of 8: tasks 0, 1, 2, 3.
#[test]
fn a_fargate_spot_reclaim_takes_half_of_the_zone_oldest_first() {
    let (s, c) = run_captured(&scenario(&fargate_spot_pool("")));
    let reclaims = events(&c, "reclaim_event");
    assert!(!reclaims.is_empty(), "rate 30 a month over two days: seed 1 gives some events");
    let first = reclaims[0];
    assert_eq!(first.4, "Fargate Spot reclaims 4 of 8 tasks in us-east-1a");
    let noticed: Vec<&str> =
        events(&c, "task_interrupted").iter().filter(|e| e.0 == first.0).map(|e| e.4.as_str()).collect();
    assert_eq!(
        noticed,
        [0, 1, 2, 3]
            .map(|k| format!("task {k}: Fargate Spot interruption notice"))
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>()
    );
    assert_eq!(fig(&s, "fargate_spot.reclaim_events"), reclaims.len() as f64);
    assert_eq!(fig(&s, "fargate_spot.tasks_reclaimed"), 4.0 * reclaims.len() as f64);
    assert_eq!(fig(&s, "tasks.interrupted"), 4.0 * reclaims.len() as f64);
}

/// Rule (docs/model.md §7.6): after a reclaim with a drought, every Fargate Spot launch in the zone
/// finds no capacity (probability 1) until the drought ends; each failed attempt retries 30 s later
/// (§3.9) and ECS does not fall back to FARGATE. With a 10-minute drought from the event at T, the
/// four replacements fail at T, T + 30 s, …, T + 570 s (20 attempts each), succeed at T + 600 s, and
/// are RUNNING 30 s + 10 s later: 4 tasks RUNNING at T + 639 s, 8 at T + 640 s.
#[test]
fn a_drought_after_a_reclaim_keeps_the_replacements_out_until_it_ends() {
    let sc = scenario(&fargate_spot_pool("drought = \"10m\"\n"));
    let (_, c) = run_captured(&sc);
    let reclaims = events(&c, "reclaim_event");
    let t = reclaims[0].0;
    assert!(reclaims.get(1).is_none_or(|e| e.0 > t + 700.0), "no second event within the window");
    let t_ms = (t * 1000.0).round() as u64;
    let at = |offset_s: u64| {
        let mut sim = Simulation::new(&sc, 0, opts(), Box::new(NullSink));
        sim.run_until(SimTime::from_millis(t_ms + offset_s * 1000)).expect("runs");
        (running(&sim), sim.rec.totals.fargate_drought_failures)
    };
    assert_eq!(at(639), (4, 80));
    assert_eq!(at(640).0, 8);
}
