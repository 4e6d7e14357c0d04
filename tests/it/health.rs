//! Load balancer health checks of slow-starting applications, and the
//! health check grace period that keeps ECS from replacing them.

use crate::common::{fig, header, run, run_captured, scenario, world_at};
use ecsim::model::entities::TaskState;

/// Two EC2 instances with room to spare; a web service behind an ALB with the default checks
/// (30 s × 5 healthy, 2 unhealthy) whose application answers only 90 s after RUNNING.
fn slow_web(grace: &str, events: &str) -> String {
    format!(
        "{}[[capacity_providers]]\nname = \"EC2\"\nkind = \"ec2\"\ninstance_types = [\"m5.large\"]\nmin_size = 2\nmax_size = 2\n\
         [[task_definitions]]\nfamily = \"v1\"\ncpu = 256\nmemory = 512\nstartup_time = \"5s\"\nwarmup_time = \"90s\"\n\
         [[task_definitions]]\nfamily = \"v2\"\ncpu = 256\nmemory = 512\nstartup_time = \"5s\"\nwarmup_time = \"90s\"\n\
         [[services]]\nname = \"web\"\ntask_definition = \"v1\"\ndesired_count = 2\nhealth_check_grace_period = \"{grace}\"\n\
         [services.load_balancer]\n\
         [services.workload]\nrate = {{ pattern = \"constant\", value = 10 }}\ncpu_per_request = \"10ms\"\n\
         {events}",
        header("1h", &["a", "b"])
    )
}

const DEPLOY_AT_10_MIN: &str =
    "[[events]]\nat = \"10m\"\nkind = \"deploy\"\nservice = \"web\"\ntask_definition = \"v2\"\n";

#[test]
fn a_grace_period_longer_than_the_warm_up_lets_a_deployment_finish() {
    // New tasks RUNNING at 605 s; checks at 30 and 60 s fail, pass from 90 s: healthy at 605 + 210 = 815 s.
    // Grace 300 s covers that. The old tasks then deregister (300 s) and stop (30 s): done at 1145 s,
    // 545 s after the deploy.
    let s = run(&scenario(&slow_web("300s", DEPLOY_AT_10_MIN)));
    assert_eq!(fig(&s, "deployments.web.max_s"), 545.0);
    assert_eq!(fig(&s, "deployments.web.duration_s"), 545.0);
    assert_eq!(fig(&s, "tasks.stopped.failed_health_checks"), 0.0);
    assert_eq!(fig(&s, "tasks.stopped.deployment"), 2.0);
}

#[test]
fn without_a_grace_period_ecs_replaces_slow_tasks_forever() {
    // Grace 0: each new task is unhealthy 60 s after RUNNING (605 + 60 = 665 s). ECS keeps the two
    // as stand-ins, but the two old and two new tasks fill maximumPercent (4), so it stops them one
    // at a time (never served: no deregistration delay; 30 s stop timeout): the newer is STOPPED at
    // 695 s and replaced, then the older, STOPPED at 725 s, and so on. Each of the two slots cycles
    // in 5 + 60 + 30 = 95 s: stops at 695 + 95k and 725 + 95k up to 3600 s, 31 each.
    let (s, captured) = run_captured(&scenario(&slow_web("0s", DEPLOY_AT_10_MIN)));
    assert_eq!(fig(&s, "tasks.stopped.failed_health_checks"), 62.0);
    assert_eq!(fig(&s, "deployments.web.completed"), 0.0);
    // The old tasks keep serving: nothing fails.
    assert_eq!(fig(&s, "requests.failed"), 0.0);
    let first = captured.events.iter().find(|e| e.1 == "task_unhealthy").expect("a task_unhealthy event");
    assert_eq!(first.0, 665.0);
    assert!(first.4.contains("60 s after RUNNING"), "{}", first.4);
    // At 680 s the older new task still stands in while the newer one stops.
    let sc = scenario(&slow_web("0s", DEPLOY_AT_10_MIN));
    assert_eq!(unhealthy_states(&world_at(&sc, 680)), [TaskState::Running, TaskState::Stopping]);
}

/// States of the tasks judged unhealthy, oldest first.
fn unhealthy_states(sim: &ecsim::model::Simulation<'_>) -> Vec<TaskState> {
    let mut unhealthy: Vec<(u64, TaskState)> =
        sim.tasks.iter().filter(|t| t.failed_health).map(|t| (t.serial, t.state)).collect();
    unhealthy.sort_by_key(|u| u.0);
    unhealthy.into_iter().map(|u| u.1).collect()
}

#[test]
fn a_grace_period_shorter_than_the_checks_need_delays_the_replacement() {
    // Grace 120 s: ECS acts at 120 s instead of 60 s. Each slot cycles in 5 + 120 + 30 = 155 s:
    // stops at 755 + 155k and 785 + 155k up to 3600 s, 19 each.
    let s = run(&scenario(&slow_web("120s", DEPLOY_AT_10_MIN)));
    assert_eq!(fig(&s, "tasks.stopped.failed_health_checks"), 38.0);
}

#[test]
fn unhealthy_tasks_stand_in_until_their_replacements_are_healthy() {
    // Desired 2 → 4 at 600 s with grace 0. C and D run at 605 s and are unhealthy at 665 s: only
    // two tasks are healthy, so ECS keeps them as stand-ins and starts E and F first (665 s, unhealthy
    // at 730 s: stopped, C and D still stand in), then G and H (730 s, unhealthy at 795 s: stopped),
    // then I and J (795 s). At 815 s C and D pass their checks and stay; I and J are now extra and
    // are scaled in. Four tasks failed their health checks, none of the stand-ins.
    let events = "[[events]]\nat = \"10m\"\nkind = \"set_desired_count\"\nservice = \"web\"\ndesired_count = 4\n";
    let s = run(&scenario(&slow_web("0s", events)));
    assert_eq!(fig(&s, "tasks.stopped.failed_health_checks"), 4.0);
    assert_eq!(fig(&s, "tasks.stopped.scaled_in"), 2.0);
    assert_eq!(fig(&s, "tasks.active_at_end"), 4.0);
    assert_eq!(fig(&s, "requests.failed"), 0.0);
}

#[test]
fn warmup_time_without_a_load_balancer_is_refused() {
    let text = slow_web("0s", "").replace("[services.load_balancer]\n", "");
    let err = ecsim::scenario::load_str(&text, "t.toml", std::path::Path::new(".")).expect_err("refused");
    let msg = err.to_string();
    assert!(
        msg.contains("services[web]") && msg.contains("warmup_time") && msg.contains("no [services.load_balancer]"),
        "{msg}"
    );
}

#[test]
fn when_maximum_percent_leaves_no_room_unhealthy_tasks_go_one_at_a_time() {
    // maximumPercent 100 with desired 4: C and D (unhealthy at 665 s) fill the four slots, so no
    // replacement can start. ECS stops one of them (the newer, D) and keeps C until D is STOPPED at
    // 695 s (no deregistration delay, 30 s stop timeout).
    let events = "[services.deployment_configuration]\nmaximum_percent = 100\nminimum_healthy_percent = 50\n\
                  [[events]]\nat = \"10m\"\nkind = \"set_desired_count\"\nservice = \"web\"\ndesired_count = 4\n";
    let text = slow_web("0s", events);
    let sc = scenario(&text);
    assert_eq!(unhealthy_states(&world_at(&sc, 680)), [TaskState::Running, TaskState::Stopping]);
}

#[test]
fn when_no_capacity_is_left_for_the_replacement_unhealthy_tasks_go_one_at_a_time() {
    // Static host port 8080 on two fixed instances: one task per instance. Desired 1 → 2 at 600 s:
    // C takes the second instance and is unhealthy at 665 s. Its replacement D fits nowhere and
    // no instance can come, so ECS stops C to clear room (STOPPED at 695 s) instead of waiting for
    // it to pass its checks at 815 s.
    let text = slow_web(
        "0s",
        "[[events]]\nat = \"10m\"\nkind = \"set_desired_count\"\nservice = \"web\"\ndesired_count = 2\n",
    )
    .replace("desired_count = 2\nhealth_check_grace_period", "desired_count = 1\nhealth_check_grace_period")
    .replace(
        "startup_time = \"5s\"\n",
        "startup_time = \"5s\"\nport_mappings = [{ container_port = 8080, host_port = 8080 }]\n",
    );
    let sc = scenario(&text);
    assert_eq!(unhealthy_states(&world_at(&sc, 680)), [TaskState::Stopping]);
    let waiting = world_at(&sc, 680).tasks.iter().filter(|t| t.state == TaskState::Provisioning).count();
    assert_eq!(waiting, 1);
}

#[test]
fn warmup_time_is_refused_for_scheduled_tasks_and_deployments_to_services_without_a_load_balancer() {
    let refused = |text: &str| {
        ecsim::scenario::load_str(text, "t.toml", std::path::Path::new(".")).expect_err("refused").to_string()
    };
    let batch = slow_web(
        "0s",
        "[[scheduled_tasks]]\nname = \"etl\"\ntask_definition = \"v2\"\nschedule = \"rate(1 hour)\"\nduration = \"5m\"\n",
    );
    let msg = refused(&batch);
    assert!(msg.contains("scheduled_tasks[etl]") && msg.contains("scheduled tasks have no load balancer"), "{msg}");
    // A service without a load balancer whose own task definition has no warm-up, deployed to one that has.
    let deploy = slow_web("0s", DEPLOY_AT_10_MIN).replace("[services.load_balancer]\n", "").replace(
        "startup_time = \"5s\"\nwarmup_time = \"90s\"\n[[task_definitions]]",
        "startup_time = \"5s\"\n[[task_definitions]]",
    );
    let msg = refused(&deploy);
    assert!(msg.contains("events[0]") && msg.contains("the service has no [services.load_balancer]"), "{msg}");
}
