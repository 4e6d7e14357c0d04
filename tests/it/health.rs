//! Load balancer health checks of slow-starting applications, and the
//! health check grace period that keeps ECS from replacing them.

use crate::common::{fig, header, run, run_captured, scenario, world_at};
use ecsim::model::entities::{StopReason, TaskState};

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

/// States of the tasks judged unhealthy and not yet STOPPED, oldest first.
fn unhealthy_states(sim: &ecsim::model::Simulation<'_>) -> Vec<TaskState> {
    let mut unhealthy: Vec<(u64, TaskState)> = sim
        .tasks
        .iter()
        .filter(|t| t.failed_health && t.state != TaskState::Stopped)
        .map(|t| (t.serial, t.state))
        .collect();
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
    // at 730 s: stopped, C and D still stand in), then G and H (730 s, unhealthy at 795 s), and so
    // on: each pair is marked 65 s after it starts and STOPPED 30 s later (it never served: no
    // deregistration delay), at 760 + 65k s, so 44 pairs by 3600 s (k = 0 … 43): 88 stops.
    // At 815 s C and D pass their checks and serve again, but ECS keeps them marked unhealthy:
    // they stop only once a replacement is healthy, which never happens with this grace period
    // (ECS services guide), and nothing is scaled in.
    let events = "[[events]]\nat = \"10m\"\nkind = \"set_desired_count\"\nservice = \"web\"\ndesired_count = 4\n";
    let sc = scenario(&slow_web("0s", events));
    let s = run(&sc);
    assert_eq!(fig(&s, "tasks.stopped.failed_health_checks"), 88.0);
    assert_eq!(fig(&s, "tasks.stopped.scaled_in"), 0.0);
    assert_eq!(fig(&s, "requests.failed"), 0.0);
    let sim = world_at(&sc, 1000);
    let stand_ins: Vec<(u64, bool, bool)> = sim
        .tasks
        .iter()
        .filter(|t| t.serial == 2 || t.serial == 3)
        .map(|t| (t.serial, t.serving, t.failed_health))
        .collect();
    assert_eq!(stand_ins, [(2, true, true), (3, true, true)]);
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

/// Fixed EC2 instances, one task per instance (static host port 8080), a slow web service (grace 0)
/// and the extra text.
fn one_per_instance(instances: u32, web_desired: u32, extra: &str) -> String {
    format!(
        "{}[[capacity_providers]]\nname = \"EC2\"\nkind = \"ec2\"\ninstance_types = [\"m5.large\"]\nmin_size = {instances}\nmax_size = {instances}\nlaunch_time = \"60s\"\n\
         [[task_definitions]]\nfamily = \"slow\"\ncpu = 256\nmemory = 512\nstartup_time = \"5s\"\nwarmup_time = \"90s\"\nport_mappings = [{{ container_port = 8080, host_port = 8080 }}]\n\
         [[task_definitions]]\nfamily = \"quick\"\ncpu = 256\nmemory = 512\nstartup_time = \"5s\"\nport_mappings = [{{ container_port = 8080, host_port = 8080 }}]\n\
         [[services]]\nname = \"web\"\ntask_definition = \"slow\"\ndesired_count = {web_desired}\n\
         [services.load_balancer]\n\
         [services.workload]\nrate = {{ pattern = \"constant\", value = 10 }}\ncpu_per_request = \"10ms\"\n\
         {extra}",
        header("1h", &["a", "b"])
    )
}

#[test]
fn a_slot_freed_by_a_stopped_stand_in_is_tried_before_another_stand_in_is_stopped() {
    // Four instances, web 1 → 3 at 600 s: B and C run on two free instances from 605 s and are
    // unhealthy at 665 s; replacement D takes the last instance, E fits nowhere, so C (the newer)
    // stops. At 695 s C is STOPPED and E takes its slot: B stays, and passes its checks at 815 s.
    let text = one_per_instance(
        4,
        1,
        "[[events]]\nat = \"10m\"\nkind = \"set_desired_count\"\nservice = \"web\"\ndesired_count = 3\n",
    );
    let sc = scenario(&text);
    assert_eq!(unhealthy_states(&world_at(&sc, 700)), [TaskState::Running]);
}

#[test]
fn a_replacement_that_loses_its_capacity_later_gets_a_stand_in_stopped() {
    // Four instances: web's A and other's O1, two free. At 600 s web wants 2: B takes a free
    // instance (unhealthy at 665 s). At 610 s other wants 3: O2 takes the last instance, O3 waits.
    // At 620 s A's instance is killed: web's replacement A' waits for the instance the group
    // launches (registered at 680 s), so at 665 s B stands in. At 680 s O3, waiting first, takes
    // the new instance: A' can no longer be placed, and ECS stops B at once to clear room.
    let extra = "[[services]]\nname = \"other\"\ntask_definition = \"quick\"\ndesired_count = 1\n\
                 [services.workload]\nrate = { pattern = \"constant\", value = 10 }\ncpu_per_request = \"10ms\"\n\
                 [[events]]\nat = \"600s\"\nkind = \"set_desired_count\"\nservice = \"web\"\ndesired_count = 2\n\
                 [[events]]\nat = \"610s\"\nkind = \"set_desired_count\"\nservice = \"other\"\ndesired_count = 3\n\
                 [[events]]\nat = \"620s\"\nkind = \"kill_instances\"\ncapacity_provider = \"EC2\"\ncount = 1\n";
    let sc = scenario(&one_per_instance(4, 1, extra));
    assert_eq!(unhealthy_states(&world_at(&sc, 670)), [TaskState::Running]);
    assert_eq!(unhealthy_states(&world_at(&sc, 700)), [TaskState::Stopping]);
}

#[test]
fn an_unhealthy_task_of_an_old_definition_goes_with_the_deployment() {
    // Desired 2 → 3 at 600 s: C is unhealthy at 665 s and stands in. The deployment to v2 at 670 s
    // makes it an old task too: it no longer stands in, and stops as replaced by the deployment.
    let events = "[[events]]\nat = \"600s\"\nkind = \"set_desired_count\"\nservice = \"web\"\ndesired_count = 3\n\
                  [[events]]\nat = \"670s\"\nkind = \"deploy\"\nservice = \"web\"\ntask_definition = \"v2\"\n";
    let sc = scenario(&slow_web("0s", events));
    assert_eq!(unhealthy_states(&world_at(&sc, 669)), [TaskState::Running]);
    let sim = world_at(&sc, 680);
    let c: Vec<_> = sim.tasks.iter().filter(|t| t.failed_health).map(|t| (t.state, t.stop_reason)).collect();
    assert_eq!(c, [(TaskState::Stopping, Some(StopReason::Deployment))]);
}
