//! ECS cluster auto scaling (managed scaling) and ASG behaviour.

use crate::assert_close;
use crate::common::{fig, header, run, run_captured, scenario, world_at};
use ecsim::model::entities::{InstanceState, Purchase, TaskState};
use ecsim::scaling::AlarmState;
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

/// `shrink` started cold with no `min_size` floor (desired 4), so that managed scaling may remove an
/// instance; `serving` adds an ALB and 150 requests/s of 10 ms CPU each (μ = 100/s per 1-vCPU task).
///
/// Timeline (no load balancer): the 8 tasks are spread 2 per instance over i-0 (a), i-1 (b), i-2 (c),
/// i-3 (a). At 30 min the service stops 5 of them, in the zone with the most first (reversed
/// spread(zone)), leaving one task in each zone; zone a's survivor is on i-0, so i-3 ends empty. The
/// stops end at 1830 s (30 s stop timeout), so from minute 31 (1860 s) CPR = 3 / 4 = 75 < 100; seen a
/// minute later (1920 s), the 15th low datapoint is at 1920 + 14 × 60 = 2760 s: target
/// max(⌈3 × 100 / 100⌉, 0) = 3, remove ⌈(4 − 3) / 2⌉ = 1. By the ASG order (zone with the most
/// instances, then oldest) that is i-0, which is busy; with termination protection only the empty i-3
/// is eligible.
fn cold_shrink(protection: &str, draining: &str, serving: bool) -> String {
    let mut text = shrink(protection, draining)
        .replace("min_size = 4", "min_size = 0\ndesired_capacity = 4")
        .replace("seed = 1\n", "seed = 1\ninitial_state = \"cold\"\n");
    if serving {
        text = text.replace(
            "desired_count = 8\n",
            "desired_count = 8\n[services.workload]\nrate = { pattern = \"constant\", value = 150 }\ncpu_per_request = \"10ms\"\n\
             [services.load_balancer]\nkind = \"alb\"\n",
        );
    }
    text
}

/// When the capacity provider scaled in: the time of its `capacity_scale_in` event.
fn scale_in_time(events: &[(f64, String, String, String, String)]) -> u64 {
    let t = events.iter().find(|e| e.1 == "capacity_scale_in").expect("a capacity scale-in").0;
    t as u64
}

/// Managed termination protection: "Amazon ECS only terminates EC2 instances that don't have any
/// running Amazon ECS tasks" (docs/model.md §3.5, "Which instances"). The ASG order would take the
/// busy i-0 (see `cold_shrink`); protection makes the empty i-3 the only candidate, so no task is
/// drained and exactly the instances busy after the task scale-in survive.
#[test]
fn termination_protection_only_removes_empty_instances() {
    let sc = scenario(&cold_shrink("ENABLED", "ENABLED", false));
    let sim = world_at(&sc, 30 * 60 + 60);
    let busy: Vec<u32> = (0..sim.instances.len() as u32)
        .filter(|&i| {
            let inst = &sim.instances[i as usize];
            inst.state == InstanceState::Active && !inst.tasks.is_empty()
        })
        .collect();
    assert_eq!(busy, vec![0, 1, 2], "the scale-in of tasks leaves i-3 empty");
    let end = world_at(&sc, 7200);
    let live: Vec<u32> = (0..end.instances.len() as u32)
        .filter(|&i| end.instances[i as usize].state != InstanceState::Terminated)
        .collect();
    assert_eq!(live, busy, "only the empty instance was removed");
    assert!(live.iter().all(|&i| !end.instances[i as usize].tasks.is_empty()));
    let (s, captured) = run_captured(&sc);
    assert_eq!(scale_in_time(&captured.events), 2760);
    assert_eq!(fig(&s, "tasks.stopped.instance_terminated"), 0.0);
    // Without protection the busy i-0 would be drained (next test): nothing may be drained here.
    assert_eq!(fig(&s, "tasks.stopped.drained"), 0.0);
    assert_eq!(fig(&s, "tasks.started"), 8.0, "no task had to be replaced");
    assert_eq!(fig(&s, "instances.capacity_scale_in"), 1.0);
    let drained: Vec<&str> =
        captured.events.iter().filter(|e| e.1 == "instance_draining").map(|e| e.3.as_str()).collect();
    assert_eq!(drained, vec!["i-3"]);
}

/// Without termination protection (managed draining on) scale-in may pick a busy instance: the ASG
/// order takes i-0, the oldest in zone a, which still runs one task (see `cold_shrink`). Managed
/// draining sets it DRAINING (docs/model.md §3.5, §3.7); its one task is replaced elsewhere and
/// stopped as `drained` (exactly 1), and the instance terminates once empty — no task dies.
#[test]
fn without_termination_protection_scale_in_drains_a_busy_instance() {
    let sc = scenario(&cold_shrink("DISABLED", "ENABLED", false));
    let (s, captured) = run_captured(&sc);
    let t = scale_in_time(&captured.events);
    assert_eq!(t, 2760);
    let before = world_at(&sc, t - 1);
    assert_eq!(before.instances[0].tasks.len(), 1, "i-0 runs a task when it is chosen");
    assert!(before.instances[3].tasks.is_empty());
    let draining: Vec<&(f64, String, String, String, String)> =
        captured.events.iter().filter(|e| e.1 == "instance_draining").collect();
    assert_eq!(draining.len(), 1);
    assert_eq!((draining[0].0 as u64, draining[0].3.as_str()), (t, "i-0"));
    let at = world_at(&sc, t);
    assert_eq!(at.instances[0].state, InstanceState::Draining);
    assert!(!at.instances[0].tasks.is_empty(), "draining waits for the task to be replaced");
    assert_eq!(fig(&s, "tasks.stopped.drained"), 1.0);
    assert_eq!(fig(&s, "tasks.started"), 9.0, "8 + the replacement of the drained task");
    assert_eq!(fig(&s, "tasks.stopped.instance_terminated"), 0.0);
    assert_eq!(fig(&s, "tasks.killed_in_flight"), 0.0);
    let end = world_at(&sc, 7200);
    assert_eq!(end.instances[0].state, InstanceState::Terminated);
    let live: Vec<usize> = (0..4).filter(|&i| end.instances[i].state != InstanceState::Terminated).collect();
    assert_eq!(live, vec![1, 2, 3]);
    assert!(live.iter().all(|&i| end.instances[i].tasks.len() == 1));
}

/// Managed draining: only with protection and draining both DISABLED does scale-in terminate a busy
/// instance under its task (docs/model.md §3.5, §5.4); with draining on the task is drained, with
/// protection on the busy instance is not eligible. Expected losses, with 3 tasks sharing 150/s:
/// λ = 50/s per task, μ = 100/s, τ = 60 s, so in flight λ × (1 − e^{−(μ−λ)τ}) / (μ − λ) = 1.0
/// request (`failed_interrupted`), and the dead task stays a ghost target for 2 × 30 s with share
/// 1 / (2 + 1) until its replacement (placed at once, RUNNING 10 s later) serves at its first
/// check, 40 s after the death, then 1 / (3 + 1): 150 × (40 / 3 + 20 / 4) = 2750 requests
/// (`failed_stale_endpoint`). The other three combinations lose nothing beyond what all four
/// share (the cold start).
#[test]
fn only_disabled_draining_without_protection_kills_tasks_on_scale_in() {
    let mut failed = Vec::new();
    for (protection, draining) in
        [("ENABLED", "ENABLED"), ("DISABLED", "ENABLED"), ("ENABLED", "DISABLED"), ("DISABLED", "DISABLED")]
    {
        let (s, captured) = run_captured(&scenario(&cold_shrink(protection, draining, true)));
        let killed: Vec<&String> = captured
            .events
            .iter()
            .filter(|e| e.1 == "task_stopped" && e.4.ends_with("instance_terminated"))
            .map(|e| &e.4)
            .collect();
        let label = format!("protection {protection}, draining {draining}");
        assert_eq!(fig(&s, "instances.capacity_scale_in"), 1.0, "{label}");
        if (protection, draining) == ("DISABLED", "DISABLED") {
            assert_eq!(killed.len(), 1, "{label}: {killed:?}");
            assert_eq!(fig(&s, "tasks.stopped.instance_terminated"), 1.0, "{label}");
            assert_close!(fig(&s, "tasks.killed_in_flight"), 1.0, 1e-9);
            assert_close!(fig(&s, "requests.failed_interrupted"), 1.0, 1e-9);
            assert_close!(fig(&s, "requests.failed_stale_endpoint"), 2750.0, 1e-9);
        } else {
            assert!(killed.is_empty(), "{label}: {killed:?}");
            assert_eq!(fig(&s, "tasks.stopped.instance_terminated"), 0.0, "{label}");
            assert_eq!(fig(&s, "tasks.killed_in_flight"), 0.0, "{label}");
            assert_eq!(fig(&s, "requests.failed_interrupted"), 0.0, "{label}");
            assert_eq!(fig(&s, "requests.failed_stale_endpoint"), 0.0, "{label}");
        }
        failed.push(fig(&s, "requests.failed"));
    }
    assert_eq!(failed[0], failed[1]);
    assert_eq!(failed[0], failed[2]);
    assert_close!(failed[3] - failed[0], 2751.0, 1e-9);
}

/// The capacity provider's two CapacityProviderReservation alarms as the simulation builds them
/// (docs/model.md §3.5: high = CPR > targetCapacity for 1 of 1 datapoints, low = CPR <
/// targetCapacity for 15 of 15, `CPR_LOW_DATAPOINTS`), fed by hand. targetCapacity 80 shows the
/// threshold is the target: a datapoint at 80 breaches neither alarm.
#[test]
fn capacity_provider_alarms_are_one_of_one_above_and_fifteen_of_fifteen_below_the_target() {
    let sc = scenario(&burst(10_000, "").replace("target_capacity = 100", "target_capacity = 80"));
    let sim = world_at(&sc, 0);
    let provider = &sim.providers[0];
    let (high, low) =
        (provider.cpr_high.as_ref().expect("a high alarm"), provider.cpr_low.as_ref().expect("a low alarm"));
    // Scale-out: the first datapoint above the target fires it; one at the target does not.
    let mut a = high.clone();
    assert_eq!(a.observe(Some(80.0)), AlarmState::Ok);
    assert_eq!(a.observe(Some(80.5)), AlarmState::Alarm);
    assert_eq!(a.observe(Some(80.0)), AlarmState::Ok);
    let mut a = high.clone();
    assert_eq!(a.observe(Some(200.0)), AlarmState::Alarm, "1 of 1: no earlier datapoint needed");
    // Scale-in: 14 datapoints below the target are not enough, the 15th fires it.
    let mut a = low.clone();
    for k in 1..=14 {
        assert_ne!(a.observe(Some(79.5)), AlarmState::Alarm, "datapoint {k}");
    }
    assert_eq!(a.observe(Some(79.5)), AlarmState::Alarm, "datapoint 15");
    // One datapoint at the target breaks the run: 15 more below are needed (14 of 15 would fire at
    // the 14th).
    assert_eq!(a.observe(Some(80.0)), AlarmState::Ok);
    for k in 1..=14 {
        assert_eq!(a.observe(Some(10.0)), AlarmState::Ok, "datapoint {k} after the break");
    }
    assert_eq!(a.observe(Some(10.0)), AlarmState::Alarm, "datapoint 15 after the break");
}

/// The CapacityProviderReservation series (published at each minute's end, in the row of the
/// minute's start) and the times the capacity provider scaled out and in, with the default
/// one-minute publication delay and without it (docs/model.md §3.5).
fn cpr_and_scaling_times(text: &str) -> (Vec<(u64, f64)>, Vec<u64>, Vec<u64>) {
    let (_, captured) = run_captured(&scenario(text));
    let times =
        |kind: &str| -> Vec<u64> { captured.events.iter().filter(|e| e.1 == kind).map(|e| e.0 as u64).collect() };
    let cpr = captured.series("provider", "E", "capacity_provider_reservation");
    (cpr, times("capacity_scale_out"), times("capacity_scale_in"))
}

/// End to end, targetCapacity 100. `burst`: the datapoint published at 600 s is 100 (M = N = 1, at
/// the target); the one published at 660 s is 1000, the first above, and is seen at 720 s, when
/// the provider scales out: one datapoint. `cold_shrink`: the datapoints published from 1860 s
/// are 75 (see there); the 15th, published at 2700 s and seen at 2760 s, scales in. Without the
/// publication delay both happen a minute earlier, at 660 s and 2700 s.
#[test]
fn capacity_provider_scales_out_after_one_datapoint_above_and_in_after_fifteen_below() {
    let no_delay = |text: String| text + "\n[cloudwatch]\nmetric_delay = \"0m\"\n";
    let burst = burst(10_000, "");
    let (cpr, out, _) = cpr_and_scaling_times(&burst);
    let at = |cpr: &[(u64, f64)], row: u64| cpr.iter().find(|r| r.0 == row).map(|r| r.1);
    assert_eq!((at(&cpr, 540), at(&cpr, 600)), (Some(100.0), Some(1000.0)), "published at 600 s and 660 s");
    assert_eq!(out, [720]);
    assert_eq!(cpr_and_scaling_times(&no_delay(burst)).1, [660]);

    let shrink = cold_shrink("ENABLED", "ENABLED", false);
    let (cpr, _, scale_in) = cpr_and_scaling_times(&shrink);
    assert_eq!(at(&cpr, 1740), Some(100.0), "published at 1800 s");
    for row in (1800..=2640).step_by(60) {
        assert_eq!(at(&cpr, row), Some(75.0), "published at {} s", row + 60);
    }
    assert_eq!(scale_in, [2760]);
    assert_eq!(cpr_and_scaling_times(&no_delay(shrink)).2, [2700]);
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

/// A spot group of m5.large, m5a.large and m6i.large (3 instances at start) with the given
/// allocation strategy (`None`: the default) and m6i.large interruption band. Spot pools (docs/model.md §7.1, §7.4;
/// on-demand prices from src/catalog/ec2.rs: m5.large and m6i.large 0.096, m5a.large 0.086 USD/h):
///
/// | type      | discount | spot price          | band     | monthly share |
/// |-----------|----------|---------------------|----------|---------------|
/// | m5.large  | 0.80     | 0.096 × 0.20 = 0.0192 | ">20%" | 25%           |
/// | m5a.large | 0.65     | 0.086 × 0.35 = 0.0301 | "<5%"  | 2.5%          |
/// | m6i.large | 0.72     | 0.096 × 0.28 = 0.02688 | `m6i_band` (5-10% → 7.5%) |  |
fn spot_mix(strategy: Option<&str>, m6i_band: &str) -> String {
    let strategy = strategy.map(|s| format!("allocation_strategy = \"{s}\"\n")).unwrap_or_default();
    format!(
        "{}[[capacity_providers]]\nname = \"E\"\nkind = \"ec2\"\ninstance_types = [\"m5.large\", \"m5a.large\", \"m6i.large\"]\n\
         lifecycle = \"spot\"\n{strategy}min_size = 3\nmax_size = 3\n\
         [spot]\ndiscount = 0.65\n\
         [[spot.pools]]\ninstance_type = \"m5.large\"\ninterruption_frequency = \">20%\"\ndiscount = 0.80\n\
         [[spot.pools]]\ninstance_type = \"m5a.large\"\ninterruption_frequency = \"<5%\"\n\
         [[spot.pools]]\ninstance_type = \"m6i.large\"\ninterruption_frequency = \"{m6i_band}\"\ndiscount = 0.72\n\
         [[task_definitions]]\nfamily = \"t\"\ncpu = 256\nmemory = 512\n\
         [[services]]\nname = \"s\"\ntask_definition = \"t\"\ndesired_count = 0\n",
        header("10m", &["a", "b", "c"])
    )
}

/// The instance types of the group's instances, and their hourly prices.
fn launched_types(text: &str) -> Vec<(String, f64)> {
    let sc = scenario(text);
    let sim = world_at(&sc, 60);
    sim.instances
        .iter()
        .map(|i| {
            assert_eq!(i.purchase, Purchase::Spot);
            (sim.sc.instance_types[i.instance_type.idx()].name.clone(), i.hourly)
        })
        .collect()
}

/// Spot allocation strategies (docs/model.md §3.2, pools in `spot_mix`): `lowest-price` takes the
/// cheapest pool (m5.large, 0.0192); `capacity-optimized` the lowest interruption share (m5a.large,
/// 2.5%); `price-capacity-optimized` the cheapest pool within `PRICE_CAPACITY_BAND` = 5 points of the
/// safest (2.5% + 5 = 7.5%: m5a.large and m6i.large qualify, m6i.large is cheaper at 0.02688). With
/// m6i.large at "10-15%" (12.5%) only m5a.large is in the band.
#[test]
fn spot_allocation_strategies_pick_different_types() {
    for (strategy, band, expected, price) in [
        (Some("lowest-price"), "5-10%", "m5.large", 0.096 * 0.20),
        (Some("capacity-optimized"), "5-10%", "m5a.large", 0.086 * 0.35),
        (Some("price-capacity-optimized"), "5-10%", "m6i.large", 0.096 * 0.28),
        (Some("price-capacity-optimized"), "10-15%", "m5a.large", 0.086 * 0.35),
        // The default strategy is price-capacity-optimized.
        (None, "5-10%", "m6i.large", 0.096 * 0.28),
    ] {
        let types = launched_types(&spot_mix(strategy, band));
        assert_eq!(types.len(), 3, "{strategy:?}, m6i {band}");
        for (name, hourly) in &types {
            assert_eq!(name, expected, "{strategy:?}, m6i {band}: {types:?}");
            assert_close!(*hourly, price, 1e-9);
        }
    }
}

/// Two m5.large in one zone (fixed group) and a service of 5 tasks with the given placement
/// strategy and task size; at 5 min it drops to 3 tasks. Returns the RUNNING tasks per instance
/// before (4 min) and after (9 min) the scale-in.
fn scale_in_layout(strategy: &str, task: &str) -> (Vec<usize>, Vec<usize>) {
    let text = format!(
        "{}[[capacity_providers]]\nname = \"E\"\nkind = \"ec2\"\ninstance_types = [\"m5.large\"]\nmin_size = 2\nmax_size = 2\n\
         [[task_definitions]]\nfamily = \"t\"\n{task}\n\
         [[services]]\nname = \"s\"\ntask_definition = \"t\"\ndesired_count = 5\nplacement_strategy = [{strategy}]\n\
         [[events]]\nat = \"5m\"\nkind = \"set_desired_count\"\nservice = \"s\"\ndesired_count = 3\n",
        header("10m", &["a"])
    );
    let sc = scenario(&text);
    let per_instance = |t| {
        let sim = world_at(&sc, t);
        sim.instances
            .iter()
            .map(|i| i.tasks.iter().filter(|t| sim.tasks[t.idx()].state == TaskState::Running).count())
            .collect::<Vec<_>>()
    };
    (per_instance(4 * 60), per_instance(9 * 60))
}

/// Scale-in under binpack stops tasks where the most of the resource is free after stopping
/// (docs/model.md §4.4), so it empties instances. Three tasks fit an m5.large (640 CPU units:
/// 3 × 640 = 1920 ≤ 2048 < 2560; or 2600 MiB: 3 × 2600 = 7800 ≤ 7985 registered < 10400), so binpack
/// places 5 tasks as 3 + 2. Going to 3: i-1 frees 2048 − 2 × 640 + 640 = 1408 units against i-0's
/// 128 + 640 = 768, so both victims come from i-1, which ends empty: 3 + 0. Under spread(instanceId)
/// (placed 3 + 2 too, alternating: tasks 0, 2, 4 on i-0, tasks 1, 3 on i-1) the first victim is on
/// the instance with the most tasks, i-0 (its oldest, task 0); the 2 + 2 tie then goes to the oldest
/// task left, task 1 on i-1: 2 + 1, both instances still in use.
#[test]
fn binpack_scale_in_empties_the_least_loaded_instance() {
    let binpack_cpu = "{ type = \"binpack\", field = \"cpu\" }";
    let binpack_mem = "{ type = \"binpack\", field = \"memory\" }";
    for (strategy, task) in [(binpack_cpu, "cpu = 640\nmemory = 512"), (binpack_mem, "cpu = 256\nmemory = 2600")] {
        assert_eq!(scale_in_layout(strategy, task), (vec![3, 2], vec![3, 0]), "{strategy}");
    }
    let spread = "{ type = \"spread\", field = \"instanceId\" }";
    assert_eq!(scale_in_layout(spread, "cpu = 640\nmemory = 512"), (vec![3, 2], vec![2, 1]));
}

/// spread(instanceId) places each task on the instance with the fewest tasks of the service
/// (docs/model.md §4.3), so 6 tasks on 6 instances in one zone go one per instance; binpack(memory)
/// stacks them on the lowest-id instance (6 × 512 MiB and 6 × 256 CPU units fit an m5.large).
#[test]
fn spread_by_instance_puts_one_task_per_instance() {
    let layout = |strategy: &str| {
        let text = format!(
            "{}[[capacity_providers]]\nname = \"E\"\nkind = \"ec2\"\ninstance_types = [\"m5.large\"]\nmin_size = 6\nmax_size = 6\n\
             [[task_definitions]]\nfamily = \"t\"\ncpu = 256\nmemory = 512\n\
             [[services]]\nname = \"s\"\ntask_definition = \"t\"\ndesired_count = 6\nplacement_strategy = [{strategy}]\n",
            header("10m", &["a"])
        );
        let sc = scenario(&text);
        let sim = world_at(&sc, 60);
        sim.instances
            .iter()
            .map(|i| i.tasks.iter().filter(|t| sim.tasks[t.idx()].state == TaskState::Running).count())
            .collect::<Vec<_>>()
    };
    assert_eq!(layout("{ type = \"spread\", field = \"instanceId\" }"), vec![1; 6]);
    assert_eq!(layout("{ type = \"binpack\", field = \"memory\" }"), vec![6, 0, 0, 0, 0, 0]);
}
