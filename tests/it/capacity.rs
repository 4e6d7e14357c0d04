//! ECS cluster auto scaling (managed scaling) and ASG behaviour.

use crate::common::{fig, header, run, scenario, world_at};
use ecsim::model::entities::{InstanceState, Purchase, TaskState};
use ecsim::scenario::ProviderId;

/// One ASG provider of m5.large with managed scaling; 1024-unit tasks, two per instance.
/// Starts with one instance running two tasks; at 10 min the service wants 20.
fn burst(step: u32, extra_provider: &str) -> String {
    format!(
        "{}[[capacity_providers]]\nname = \"E\"\nkind = \"ec2\"\ninstance_types = [\"m5.large\"]\nmin_size = 1\nmax_size = 20\nlaunch_time = \"60s\"\n{extra_provider}\n\
         [capacity_providers.managed_scaling]\ntarget_capacity = 100\nmaximum_scaling_step_size = {step}\ninstance_warmup_period = \"300s\"\n\
         [[task_definitions]]\nfamily = \"t\"\ncpu = 1024\nmemory = 2048\nstartup_time = \"10s\"\n\
         [[services]]\nname = \"s\"\ntask_definition = \"t\"\ndesired_count = 2\n\
         [[events]]\nat = \"10m\"\nkind = \"set_desired_count\"\nservice = \"s\"\ndesired_count = 20\n",
        header("1h", &["a", "b", "c"])
    )
}

#[test]
fn instances_needed_binpacks_provisioning_tasks_on_the_largest_type() {
    // 18 waiting tasks of 1024 CPU units, two per m5.large: 9 instances.
    let sc = scenario(&burst(10_000, ""));
    let sim = world_at(&sc, 600);
    assert_eq!(sim.providers[0].waiting.len(), 18);
    assert_eq!(sim.instances_needed(ProviderId(0)), 9);
}

#[test]
fn a_burst_scales_out_to_m_over_target_in_one_step() {
    // Minute 10 closes at 660 s with M = 1 busy + 9 needed = 10, N = 1: CPR = 1000 > 100. CloudWatch
    // shows it a minute later (publication delay): at 720 s desired becomes ⌈10 × 100 / 100⌉ = 10.
    let sc = scenario(&burst(10_000, ""));
    assert_eq!(world_at(&sc, 660).providers[0].last_cpr, Some(1000.0));
    assert_eq!(world_at(&sc, 719).providers[0].desired, 1);
    assert_eq!(world_at(&sc, 720).providers[0].desired, 10);
    // Launched at 720 s with a 60 s launch time; tasks start 10 s after placement.
    let sim = world_at(&sc, 800);
    let running = sim.tasks.iter().filter(|t| t.state == TaskState::Running).count();
    assert_eq!(running, 20);
    let s = run(&sc);
    assert_eq!(fig(&s, "instances.launched"), 9.0);
    assert_eq!(fig(&s, "instances.capacity_scale_out"), 1.0);
}

#[test]
fn step_size_and_warm_up_pace_the_scale_out() {
    // Maximum step 3: +3 at 720 s; blocked while those instances warm up (300 s from launch); +3 at
    // 1020 s; +3 at 1320 s.
    let sc = scenario(&burst(3, ""));
    let desired_at = |t| world_at(&sc, t).providers[0].desired;
    assert_eq!(desired_at(720), 4);
    assert_eq!(desired_at(1019), 4);
    assert_eq!(desired_at(1020), 7);
    assert_eq!(desired_at(1319), 7);
    assert_eq!(desired_at(1320), 10);
    // Minimum step: never fewer than 12 at once.
    let sc =
        scenario(&burst(10_000, "").replace("maximum_scaling_step_size = 10000", "minimum_scaling_step_size = 12"));
    assert_eq!(world_at(&sc, 720).providers[0].desired, 13);
}

/// Four busy instances; at 30 min the service drops to 3 tasks, leaving at least one instance empty.
fn shrink(protection: &str, draining: &str) -> String {
    format!(
        "{}[[capacity_providers]]\nname = \"E\"\nkind = \"ec2\"\ninstance_types = [\"m5.large\"]\nmin_size = 4\nmax_size = 10\n\
         managed_termination_protection = \"{protection}\"\nmanaged_draining = \"{draining}\"\n\
         [capacity_providers.managed_scaling]\ntarget_capacity = 100\n\
         [[task_definitions]]\nfamily = \"t\"\ncpu = 1024\nmemory = 2048\n\
         [[services]]\nname = \"s\"\ntask_definition = \"t\"\ndesired_count = 8\n\
         [[events]]\nat = \"30m\"\nkind = \"set_desired_count\"\nservice = \"s\"\ndesired_count = 3\n",
        header("2h", &["a", "b", "c"])
    )
}

#[test]
fn termination_protection_only_removes_empty_instances() {
    let text = shrink("ENABLED", "ENABLED")
        .replace("min_size = 4", "min_size = 0\ndesired_capacity = 4")
        .replace("seed = 1\n", "seed = 1\ninitial_state = \"cold\"\n");
    let sc = scenario(&text);
    let sim = world_at(&sc, 30 * 60 + 60);
    let busy = sim.instances.iter().filter(|i| i.state == InstanceState::Active && !i.tasks.is_empty()).count();
    assert!(busy < 4, "the scale-in of tasks must leave an instance empty (busy {busy})");
    let end = world_at(&sc, 7200);
    let live: Vec<_> = end.instances.iter().filter(|i| i.state != InstanceState::Terminated).collect();
    assert_eq!(live.len(), busy, "only the empty instances were removed");
    assert!(live.iter().all(|i| !i.tasks.is_empty()));
    let s = run(&sc);
    assert_eq!(fig(&s, "tasks.stopped.instance_terminated"), 0.0);
    assert!(fig(&s, "instances.capacity_scale_in") >= 1.0);
}

#[test]
fn mixed_lifecycle_keeps_the_on_demand_base_and_percentage() {
    // Base 1, 50% above base, 4 instances: 1 + ⌈1.5⌉ = 3 on-demand, 1 spot.
    let text = format!(
        "{}[[capacity_providers]]\nname = \"E\"\nkind = \"ec2\"\ninstance_types = [\"m6g.large\", \"m7g.large\"]\nlifecycle = \"mixed\"\n\
         on_demand_base_capacity = 1\non_demand_percentage_above_base_capacity = 50\nmin_size = 4\nmax_size = 4\n\
         [spot]\ninterruption_frequency = \"0%\"\n\
         [[task_definitions]]\nfamily = \"t\"\ncpu = 256\nmemory = 512\n\
         [[services]]\nname = \"s\"\ntask_definition = \"t\"\ndesired_count = 0\n",
        header("1h", &["a", "b", "c"])
    );
    let sc = scenario(&text);
    let sim = world_at(&sc, 60);
    let od = sim.instances.iter().filter(|i| i.purchase == Purchase::OnDemand).count();
    assert_eq!((od, sim.instances.len() - od), (3, 1));
    // Zones are balanced: 4 instances over 3 zones is 2/1/1.
    let mut per_zone = [0; 3];
    for i in &sim.instances {
        per_zone[i.zone.idx()] += 1;
    }
    per_zone.sort();
    assert_eq!(per_zone, [1, 1, 2]);
}
