//! Placement in ECS's order: resources, then constraints, then strategies.

use crate::common::{fig, header, run, run_captured, scenario, world_at};
use ecsim::model::Simulation;
use ecsim::model::entities::TaskState;

/// Three (or `n`) m5.large instances, one service with the given task definition and placement lines.
fn cluster(n: u32, task_def: &str, service: &str, extra: &str) -> String {
    format!(
        "{}[cluster]\nname = \"c\"\n{extra}\n[[capacity_providers]]\nname = \"E\"\nkind = \"ec2\"\ninstance_types = [\"m5.large\"]\nmin_size = {n}\nmax_size = {n}\n\n\
         [[task_definitions]]\nfamily = \"t\"\n{task_def}\n\n[[services]]\nname = \"s\"\ntask_definition = \"t\"\n{service}\n",
        header("10m", &["a", "b", "c"])
    )
}

fn running(sim: &Simulation) -> usize {
    sim.tasks.iter().filter(|t| t.state == TaskState::Running).count()
}

fn tasks_per_instance(sim: &Simulation) -> Vec<usize> {
    sim.instances.iter().map(|i| i.tasks.len()).collect()
}

#[test]
fn cpu_limits_tasks_per_instance() {
    // m5.large registers 2048 CPU units: four 512-unit tasks each, twelve on three instances. The
    // 13th waits, and each task logs each reason once (docs/model.md §4.2): one CPU failure.
    let sc = scenario(&cluster(3, "cpu = 512\nmemory = 100", "desired_count = 13", ""));
    let sim = world_at(&sc, 60);
    assert_eq!(running(&sim), 12);
    assert_eq!(tasks_per_instance(&sim), vec![4, 4, 4]);
    let s = run(&sc);
    assert_eq!(fig(&s, "tasks.placement_failures.resource_cpu"), 1.0);
    assert_eq!(fig(&s, "tasks.placement_failures.resource_memory"), 0.0);
    // The fixed group never grows: the 13th task still waits when the first minute closes.
    assert_eq!(fig(&s, "tasks.unplaced_at_start"), 1.0);
}

#[test]
fn memory_limits_tasks_per_instance() {
    // m5.large registers 7985 MiB: two 3000 MiB tasks fit, a third does not: six run, the 7th
    // waits for memory (its CPU, 256 units, would fit).
    let sc = scenario(&cluster(3, "cpu = 256\nmemory = 3000", "desired_count = 7", ""));
    assert_eq!(running(&world_at(&sc, 60)), 6);
    let s = run(&sc);
    assert_eq!(fig(&s, "tasks.placement_failures.resource_memory"), 1.0);
    assert_eq!(fig(&s, "tasks.placement_failures.resource_cpu"), 0.0);
}

#[test]
fn static_host_port_allows_one_task_per_instance() {
    let static_port = "cpu = 256\nmemory = 256\nnetwork_mode = \"bridge\"\nport_mappings = [{ container_port = 80, host_port = 8080 }]";
    let sc = scenario(&cluster(3, static_port, "desired_count = 5", ""));
    assert_eq!(tasks_per_instance(&world_at(&sc, 60)), vec![1, 1, 1]);
    assert_eq!(fig(&run(&sc), "tasks.placement_failures.resource_ports"), 2.0, "tasks 4 and 5");
    // The waiting tasks' reason is in the event log, as ECS's service events give it.
    let (_, captured) = run_captured(&sc);
    let failed: Vec<&String> =
        captured.events.iter().filter(|e| e.1 == "placement_failed" && e.3 == "s").map(|e| &e.4).collect();
    assert_eq!(failed.len(), 2, "tasks 4 and 5 wait: {failed:?}");
    assert!(failed.iter().all(|d| d.contains("could not be placed on E: a required host port is already in use")));
    // Dynamic host ports (host_port 0) do not conflict.
    let dynamic = static_port.replace("host_port = 8080", "host_port = 0");
    assert_eq!(running(&world_at(&scenario(&cluster(3, &dynamic, "desired_count = 5", "")), 60)), 5);
}

#[test]
fn awsvpc_tasks_are_limited_by_enis() {
    // m5.large: 3 ENIs, one is the instance's own, so 2 awsvpc tasks; 10 with ENI trunking.
    // Without trunking 6 of the 10 run and 4 wait for an ENI.
    let td = "cpu = 128\nmemory = 256\nnetwork_mode = \"awsvpc\"";
    let sc = scenario(&cluster(3, td, "desired_count = 10", ""));
    assert_eq!(tasks_per_instance(&world_at(&sc, 60)), vec![2, 2, 2]);
    assert_eq!(fig(&run(&sc), "tasks.placement_failures.resource_eni"), 4.0);
    let trunk = scenario(&cluster(1, td, "desired_count = 12", "awsvpc_trunking = true"));
    assert_eq!(tasks_per_instance(&world_at(&trunk, 60)), vec![10]);
}

/// Four m5.large (2048 CPU units, 7985 MiB registered), one per zone a-d, so i-k is in the k-th
/// zone. Filler services pinned to a zone by memberOf put 3, 0, 5 and 7 tasks of 256 units and
/// 1000 MiB on them, leaving free CPU 1280, 2048, 768, 256 and free memory 4985, 7985, 2985, 985.
/// Service `s` (task definition `task`, placement `strategy`) goes from 0 to 5 tasks at 60 s.
/// Returns the instance of each of its tasks, in the order they were placed.
fn binpack_order(strategy: &str, task: &str) -> Vec<u32> {
    let mut text = format!(
        "{}[[capacity_providers]]\nname = \"E\"\nkind = \"ec2\"\ninstance_types = [\"m5.large\"]\nmin_size = 4\nmax_size = 4\n\
         [[task_definitions]]\nfamily = \"filler\"\ncpu = 256\nmemory = 1000\n\
         [[task_definitions]]\nfamily = \"t\"\n{task}\n\
         [[services]]\nname = \"s\"\ntask_definition = \"t\"\ndesired_count = 0\nplacement_strategy = [{strategy}]\n\
         [[events]]\nat = \"60s\"\nkind = \"set_desired_count\"\nservice = \"s\"\ndesired_count = 5\n",
        header("10m", &["a", "b", "c", "d"])
    );
    for (zone, count) in [("a", 3), ("c", 5), ("d", 7)] {
        text += &format!(
            "[[services]]\nname = \"fill-{zone}\"\ntask_definition = \"filler\"\ndesired_count = {count}\n\
             placement_constraints = [{{ type = \"memberOf\", expression = \"attribute:ecs.availability-zone == us-east-1{zone}\" }}]\n"
        );
    }
    let sc = scenario(&text);
    let sim = world_at(&sc, 120);
    let zones: Vec<&str> = sim.instances.iter().map(|i| sc.zones[i.zone.idx()].as_str()).collect();
    assert_eq!(zones, ["us-east-1a", "us-east-1b", "us-east-1c", "us-east-1d"]);
    let mut placed: Vec<(u64, u32)> = sim
        .tasks
        .iter()
        .filter(|t| sc.task_defs[t.task_def.idx()].family == "t" && t.state == TaskState::Running)
        .map(|t| (t.serial, t.instance.expect("placed").0))
        .collect();
    placed.sort();
    placed.into_iter().map(|(_, i)| i).collect()
}

/// binpack(field) puts each task where the least of the field is left after placing it, among the
/// instances it fits on (docs/model.md §4.3); first fit (lowest id that fits) and worst fit (most
/// left) choose otherwise here, so only the right rule passes.
///
/// binpack(memory), tasks of 1500 MiB, free 4985 / 7985 / 2985 / 985 (i-3 does not fit):
/// i-2 (1485 left, no longer fits), then i-0 three times (3485, 1985, 485), then i-1: [2, 0, 0, 0, 1].
/// First fit would give [0, 0, 0, 1, 1], worst fit [1, 1, 0, 1, 0].
///
/// binpack(cpu), tasks of 512 units, free 1280 / 2048 / 768 / 256 (i-3 does not fit):
/// i-2 (256 left), i-0 twice (768, 256), i-1 twice (1536, 1024): [2, 0, 0, 1, 1].
/// First fit would give [0, 0, 1, 1, 1], worst fit [1, 1, 0, 1, 0].
///
/// `binpack, random` ranks the same way (the binpack keys never tie here) but is served by the
/// scan of every instance instead of the free-resource index.
#[test]
fn binpack_places_where_the_least_of_the_field_is_left() {
    let memory_task = "cpu = 128\nmemory = 1500";
    let by_memory = "{ type = \"binpack\", field = \"memory\" }";
    assert_eq!(binpack_order(by_memory, memory_task), [2, 0, 0, 0, 1]);
    let by_memory_then_random = format!("{by_memory}, {{ type = \"random\" }}");
    assert_eq!(binpack_order(&by_memory_then_random, memory_task), [2, 0, 0, 0, 1]);
    let cpu_task = "cpu = 512\nmemory = 512";
    assert_eq!(binpack_order("{ type = \"binpack\", field = \"cpu\" }", cpu_task), [2, 0, 0, 1, 1]);
}

#[test]
fn spread_over_three_zones_splits_eight_tasks_three_three_two() {
    let sc = scenario(&cluster(
        3,
        "cpu = 256\nmemory = 512",
        "desired_count = 8\nplacement_strategy = [{ type = \"spread\", field = \"attribute:ecs.availability-zone\" }]",
        "",
    ));
    let sim = world_at(&sc, 60);
    let mut per_zone = vec![0; 3];
    for t in sim.tasks.iter().filter(|t| t.state == TaskState::Running) {
        per_zone[t.zone.unwrap().idx()] += 1;
    }
    per_zone.sort();
    assert_eq!(per_zone, vec![2, 3, 3]);
}

#[test]
fn distinct_instance_places_one_task_per_instance() {
    let sc = scenario(&cluster(
        3,
        "cpu = 256\nmemory = 512",
        "desired_count = 4\nplacement_constraints = [{ type = \"distinctInstance\" }]",
        "",
    ));
    assert_eq!(tasks_per_instance(&world_at(&sc, 60)), vec![1, 1, 1]);
    // The 4th task passes every resource check and fails only distinctInstance.
    assert_eq!(fig(&run(&sc), "tasks.placement_failures.constraint_distinct_instance"), 1.0);
}

#[test]
fn member_of_keeps_tasks_on_matching_instances() {
    let sc = scenario(&cluster(
        3,
        "cpu = 256\nmemory = 512",
        "desired_count = 4\nplacement_constraints = [{ type = \"memberOf\", expression = \"attribute:ecs.availability-zone in [us-east-1b]\" }]",
        "",
    ));
    let sim = world_at(&sc, 60);
    assert_eq!(running(&sim), 4);
    for t in sim.tasks.iter() {
        assert_eq!(sc.zones[t.zone.unwrap().idx()], "us-east-1b");
    }
    let none = scenario(&cluster(
        3,
        "cpu = 256\nmemory = 512",
        "desired_count = 1\nplacement_constraints = [{ type = \"memberOf\", expression = \"attribute:ecs.instance-type =~ c5.*\" }]",
        "",
    ));
    assert_eq!(running(&world_at(&none, 60)), 0);
    assert_eq!(fig(&run(&none), "tasks.placement_failures.constraint_member_of"), 1.0);
}

#[test]
fn base_then_weight_across_fargate_providers() {
    // FARGATE base 2 weight 1, FARGATE_SPOT weight 3, desired 10: 2 + 2 on FARGATE, 6 on SPOT.
    let text = format!(
        "{}[[capacity_providers]]\nname = \"FARGATE\"\nkind = \"fargate\"\n[[capacity_providers]]\nname = \"FARGATE_SPOT\"\nkind = \"fargate_spot\"\n\
         [spot.fargate]\ninterruption_frequency = \"0%\"\n\
         [[task_definitions]]\nfamily = \"t\"\ncpu = 256\nmemory = 512\nnetwork_mode = \"awsvpc\"\n\
         [[services]]\nname = \"s\"\ntask_definition = \"t\"\ndesired_count = 10\n\
         capacity_provider_strategy = [{{ capacity_provider = \"FARGATE\", base = 2, weight = 1 }}, {{ capacity_provider = \"FARGATE_SPOT\", weight = 3 }}]\n",
        header("1h", &["a", "b", "c"])
    );
    let s = run(&scenario(&text));
    assert_eq!(fig(&s, "tasks.task_hours.FARGATE"), 4.0);
    assert_eq!(fig(&s, "tasks.task_hours.FARGATE_SPOT"), 6.0);
}

#[test]
fn scale_in_keeps_zones_balanced() {
    // 9 tasks spread 3/3/3 over three zones; desired 6 at 5 min: one task stops in each zone at a
    // time, leaving 2/2/2 (each victim leaves the spread tallies before the next is chosen).
    let text = cluster(
        3,
        "cpu = 256\nmemory = 512",
        "desired_count = 9\nplacement_strategy = [{ type = \"spread\", field = \"attribute:ecs.availability-zone\" }]",
        "",
    ) + "\n[[events]]\nat = \"5m\"\nkind = \"set_desired_count\"\nservice = \"s\"\ndesired_count = 6\n";
    let sc = scenario(&text);
    let sim = world_at(&sc, 5 * 60);
    let mut per_zone = vec![0; 3];
    for t in sim.tasks.iter().filter(|t| t.state == TaskState::Running) {
        per_zone[t.zone.unwrap().idx()] += 1;
    }
    assert_eq!(per_zone, vec![2, 2, 2]);
}

/// Six instances with two tasks each; scale-in under the random strategy stops six of the twelve,
/// each victim drawn afresh among the tasks left (docs/model.md §4.4), so the six stopped are a
/// uniform 6-subset. An instance is emptied when both its tasks are in it: probability
/// C(10,4)/C(12,6) = 210/924, so X, the instances emptied, has mean 6 × 210/924 = 1.3636 and, with
/// E[X(X − 1)] = 30 × C(8,2)/C(12,6) = 30 × 28/924 = 0.9091, variance 0.9091 + 1.3636 − 1.3636² =
/// 0.4132 (sd 0.6428). Over 48 seeds the mean has standard error 0.6428/√48 = 0.0928; the band is
/// ±4 of them, [0.992, 1.735]. Picks that reuse one draw sequence stop neighbours in candidate
/// order (2.25 emptied a scale-in); picks that spread over instances empty none.
#[test]
fn random_scale_in_picks_each_victim_afresh() {
    let seeds = 48;
    let mut emptied = 0;
    for seed in 1..=seeds {
        let text = cluster(
            6,
            "cpu = 1024\nmemory = 512",
            "desired_count = 12\nplacement_strategy = [{ type = \"random\" }]",
            "",
        )
        .replace("seed = 1\n", &format!("seed = {seed}\n"))
            + "[[events]]\nat = \"5m\"\nkind = \"set_desired_count\"\nservice = \"s\"\ndesired_count = 6\n";
        let sc = scenario(&text);
        let sim = world_at(&sc, 9 * 60);
        let per_instance: Vec<usize> = sim
            .instances
            .iter()
            .map(|i| i.tasks.iter().filter(|t| sim.tasks[t.idx()].state == TaskState::Running).count())
            .collect();
        assert_eq!(per_instance.iter().sum::<usize>(), 6, "seed {seed}: {per_instance:?}");
        emptied += per_instance.iter().filter(|&&n| n == 0).count();
    }
    let mean = emptied as f64 / f64::from(seeds);
    let expected = 6.0 * 210.0 / 924.0;
    let variance = 30.0 * 28.0 / 924.0 + expected - expected * expected;
    let band = 4.0 * (variance / f64::from(seeds)).sqrt();
    assert!(
        (mean - expected).abs() <= band,
        "instances emptied per scale-in: {mean}, expected {expected:.4} ± {band:.4}"
    );
}
