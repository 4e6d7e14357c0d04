//! Corrections found by reviewing the model against the AWS documentation: each test
//! fails on the rule as it was and pins the corrected one with a value worked by hand.

use crate::assert_close;
use crate::common::{Captured, fig, header, run, run_captured, scenario};

/// The captured events of one kind, in order.
fn of_kind<'a>(c: &'a Captured, kind: &str) -> Vec<&'a (f64, String, String, String, String)> {
    c.events.iter().filter(|e| e.1 == kind).collect()
}

// ------------------------------------------------------------------ deployments

/// One Fargate task without a load balancer: provisioning 10 s, startup 10 s, stop timeout 10 s,
/// deployed to v2 at 10 min.
fn no_lb_deploy(min_healthy: u32) -> String {
    format!(
        "{}[[capacity_providers]]\nname = \"FARGATE\"\nkind = \"fargate\"\nprovisioning_time = \"10s\"\n\
         [[task_definitions]]\nfamily = \"v1\"\ncpu = 256\nmemory = 512\nnetwork_mode = \"awsvpc\"\nstartup_time = \"10s\"\nstop_timeout = \"10s\"\n\
         [[task_definitions]]\nfamily = \"v2\"\ncpu = 256\nmemory = 512\nnetwork_mode = \"awsvpc\"\nstartup_time = \"10s\"\nstop_timeout = \"10s\"\n\
         [[services]]\nname = \"web\"\ntask_definition = \"v1\"\ndesired_count = 1\n\
         [services.deployment_configuration]\nminimum_healthy_percent = {min_healthy}\n\
         [services.workload]\nrate = {{ pattern = \"constant\", value = 1 }}\ncpu_per_request = \"10ms\"\n\
         [[events]]\nat = \"10m\"\nkind = \"deploy\"\nservice = \"web\"\ntask_definition = \"v2\"\n",
        header("1h", &["a", "b", "c"])
    )
}

/// Rule (model.md 6, stall detection): a deployment is stalled only when nothing is on its way;
/// a task that counts as healthy at the very instant of a minute boundary is still on its way (the
/// scheduler reacts to it right after the boundary), so it neither stalls nor double counts.
///
/// Without a load balancer a task counts as healthy 40 s after RUNNING (docs/aws-facts.md §1.5).
/// The new task is created at 600 s, PENDING at 610 s, RUNNING at 620 s, healthy at 660 s: a
/// minute boundary.
/// - minimumHealthyPercent 0: the old task stops at 600 s (stop timeout 10 s, gone at 610 s), so
///   the deployment completes at 660 s, on the boundary: 60 s.
/// - minimumHealthyPercent 100: the old task may stop only once the new one is healthy, at 660 s;
///   it exits at the end of its 10 s stop timeout, so the deployment completes at 670 s: 70 s.
///
/// Either way the deployment is never stalled.
#[test]
fn a_deployment_whose_task_turns_healthy_on_a_minute_boundary_is_not_stalled() {
    for (min_healthy, took) in [(0, 60.0), (100, 70.0)] {
        let (s, c) = run_captured(&scenario(&no_lb_deploy(min_healthy)));
        assert_eq!(fig(&s, "deployments.web.completed"), 1.0, "min {min_healthy}");
        assert_close!(fig(&s, "deployments.web.max_s"), took, 1e-12);
        assert_eq!(fig(&s, "deployments.web.stalled"), 0.0, "min {min_healthy}");
        assert!(of_kind(&c, "deployment_stalled").is_empty(), "min {min_healthy}");
    }
}

// ------------------------------------------------------------------ cost

/// Rule (model.md 10, minimums): Fargate bills each task per second with a one-minute minimum
/// (docs/aws-facts.md §7.1), so a job's top-up to the minute is that job's own cost, not spread
/// over every owner of the provider.
///
/// Two scheduled tasks on FARGATE fire at 10 min, one job each, 1 vCPU / 2 GB:
/// x86 rate = 1 × 0.04048 + 2 × 0.004445 = 0.04937 $/h. Provisioning 5 s (not billed), startup
/// 10 s, then `short` works 20 s and `long` 100 s: billed 30 s → 60 s (minimum) and 110 s.
/// - short: 60 × 0.04937 / 3600 = 0.000822833 $ (spreading the 30 s top-up over both jobs gave
///   30 × 170/140 s, 39% less);
/// - long: 110 × 0.04937 / 3600 = 0.001508528 $ (spread: 110 × 170/140 s, 21% more).
#[test]
fn each_fargate_job_pays_its_own_one_minute_minimum() {
    let rate = 1.0 * 0.04048 + 2.0 * 0.004445;
    let text = format!(
        "{}[[capacity_providers]]\nname = \"FARGATE\"\nkind = \"fargate\"\nprovisioning_time = \"5s\"\n\
         [[task_definitions]]\nfamily = \"job\"\ncpu = 1024\nmemory = 2048\nnetwork_mode = \"awsvpc\"\nstartup_time = \"10s\"\n\
         [[services]]\nname = \"idle\"\ntask_definition = \"job\"\ndesired_count = 0\n\
         [[scheduled_tasks]]\nname = \"short\"\ntask_definition = \"job\"\nschedule = \"at(2026-03-02T00:10:00)\"\nduration = \"20s\"\n\
         [[scheduled_tasks]]\nname = \"long\"\ntask_definition = \"job\"\nschedule = \"at(2026-03-02T00:10:00)\"\nduration = \"100s\"\n",
        header("1h", &["a", "b", "c"])
    );
    let s = run(&scenario(&text));
    assert_eq!(fig(&s, "batch.short.completed"), 1.0);
    assert_eq!(fig(&s, "batch.long.completed"), 1.0);
    assert_close!(fig(&s, "batch.short.cost_usd"), 60.0 * rate / 3600.0, 1e-9);
    assert_close!(fig(&s, "batch.short.cost_per_job_usd"), 60.0 * rate / 3600.0, 1e-9);
    assert_close!(fig(&s, "batch.long.cost_usd"), 110.0 * rate / 3600.0, 1e-9);
    assert_close!(fig(&s, "cost.total_usd"), 170.0 * rate / 3600.0, 1e-12);
    assert_eq!(fig(&s, "cost.unallocated_usd"), 0.0);
}

// ------------------------------------------------------------------ Fargate Spot on ARM64

/// Rule (model.md 7.5): FARGATE_SPOT runs arm64 tasks (ECS API Reference,
/// CapacityProviderStrategyItem: Linux ARM64 tasks on platform version 1.4.0 or later;
/// docs/aws-facts.md §3.4), priced as the model prices x86 Fargate Spot: the on-demand rate of
/// the task's architecture × (1 − discount).
///
/// Four arm64 tasks of 0.25 vCPU / 0.5 GB for 2 h, no interruption, discount 0.7:
/// 4 × (0.25 × 0.03238 + 0.5 × 0.00356) $/h × 2 h × 0.3 = 4 × 0.009875 × 2 × 0.3 = 0.0237 $.
#[test]
fn arm64_tasks_run_on_fargate_spot_at_the_arm_rate_less_the_discount() {
    let text = format!(
        "{}[[capacity_providers]]\nname = \"FARGATE_SPOT\"\nkind = \"fargate_spot\"\nprovisioning_time = \"5s\"\n\
         [spot.fargate]\ndiscount = 0.7\ninterruption_frequency = \"0%\"\n\
         [[task_definitions]]\nfamily = \"t\"\ncpu = 256\nmemory = 512\nnetwork_mode = \"awsvpc\"\ncpu_architecture = \"arm64\"\n\
         [[services]]\nname = \"s\"\ntask_definition = \"t\"\ndesired_count = 4\n",
        header("2h", &["a", "b", "c"])
    );
    let s = run(&scenario(&text));
    assert_close!(fig(&s, "cost.total_usd"), 0.0237, 1e-12);
    assert_close!(fig(&s, "tasks.task_hours.FARGATE_SPOT"), 8.0, 1e-12);
}

// ------------------------------------------------------------------ scaling proposals held back

/// Rule (model.md 9.5): a proposal that does not act is written to events.csv as `scaling_held`,
/// with the policy, the proposal and why, once per episode.
///
/// Two Fargate tasks of 0.25 vCPU at 10 ms of CPU per request serve μ = 25/s each; 45 rps gives
/// λ = 22.5/s each, 90% CPU. Target 60%, max 2: the high alarm (3 of 3 above 60) sees minutes 0,
/// 1 and 2 at 240 s (metric delay 60 s) and asks for ceil(2 × 90 / 60) = 3, clamped to max 2:
/// desired 2 stays. One `scaling_held` line at 240 s, and none later while the same holds.
#[test]
fn a_proposal_held_at_max_is_written_once_as_scaling_held() {
    let text = format!(
        "{}[[capacity_providers]]\nname = \"FARGATE\"\nkind = \"fargate\"\n\
         [[task_definitions]]\nfamily = \"t\"\ncpu = 256\nmemory = 512\nnetwork_mode = \"awsvpc\"\n\
         [[services]]\nname = \"web\"\ntask_definition = \"t\"\ndesired_count = 2\n\
         [services.workload]\nrate = {{ pattern = \"constant\", value = 45 }}\ncpu_per_request = \"10ms\"\n\
         [services.auto_scaling]\nmin_capacity = 1\nmax_capacity = 2\n\
         [[services.auto_scaling.target_tracking]]\nname = \"cpu60\"\npredefined_metric = \"ECSServiceAverageCPUUtilization\"\ntarget_value = 60\n",
        header("1h", &["a", "b", "c"])
    );
    let (s, c) = run_captured(&scenario(&text));
    assert_eq!(fig(&s, "scaling.actions"), 0.0);
    let held = of_kind(&c, "scaling_held");
    assert_eq!(held.len(), 1, "{held:?}");
    let (t, _, scope, name, detail) = held[0];
    assert_eq!((*t, scope.as_str(), name.as_str()), (240.0, "service", "web"));
    assert_eq!(
        detail,
        "cpu60: high alarm ECSServiceAverageCPUUtilization > 60 for 3 of 3 datapoints in ALARM, latest 90; \
         ceil(2 running × 90 / 60) = 3; desired 2 stays (min 1, max 2)"
    );
}

// ------------------------------------------------------------------ managed scaling

/// Rule (model.md 3.5): an empty group with no task to run never scales out. AWS publishes
/// CPR = 100 for N = 0 and M = 0 (docs/aws-facts.md §4.2), and the target tracking policy behind
/// the alarms scales the group in proportion to its size: ⌈N × CPR / target⌉ = ⌈0 × 100 / 90⌉ = 0
/// instances. So at target 90 the high alarm may see 100 > 90, but no instance is launched.
///
/// An empty group (min 0) at target 90 and a service of 0 tasks for 6 h: 0 launches, 0 managed
/// scaling actions, 0 instance-hours, 0 cost.
#[test]
fn an_empty_group_without_tasks_launches_nothing_below_a_target_of_100() {
    let text = format!(
        "{}[[capacity_providers]]\nname = \"E\"\nkind = \"ec2\"\ninstance_types = [\"m5.large\"]\nmin_size = 0\nmax_size = 10\n\
         [capacity_providers.managed_scaling]\ntarget_capacity = 90\n\
         [[task_definitions]]\nfamily = \"t\"\ncpu = 1024\nmemory = 2048\n\
         [[services]]\nname = \"s\"\ntask_definition = \"t\"\ndesired_count = 0\n",
        header("6h", &["a", "b", "c"])
    );
    let s = run(&scenario(&text));
    assert_eq!(fig(&s, "instances.launched"), 0.0);
    assert_eq!(fig(&s, "instances.capacity_scale_out"), 0.0);
    assert_eq!(fig(&s, "instances.capacity_scale_in"), 0.0);
    assert_eq!(fig(&s, "instances.instance_hours.E"), 0.0);
    assert_eq!(fig(&s, "cost.total_usd"), 0.0);
}

// ------------------------------------------------------------------ zone outages

/// Rule (model.md 13.1): tasks and instances lost to an availability zone outage are counted
/// under the outage (`tasks.stopped.zone_outage`, `instances.terminated_by_zone_outage`), not as
/// interruptions, a spot word: `instances.interrupted` counts EC2 spot notices only, and
/// `tasks.interrupted` no longer counts outage kills either.
///
/// Three m5.large on-demand, one per zone, one task each (spread by zone). Zone b fails at 10 min:
/// its instance (1) and its task (1) are lost; nothing is a spot interruption.
#[test]
fn a_zone_outage_counts_its_tasks_and_instances_under_its_own_reason() {
    let text = format!(
        "{}[[capacity_providers]]\nname = \"E\"\nkind = \"ec2\"\ninstance_types = [\"m5.large\"]\nmin_size = 3\nmax_size = 3\n\
         [[task_definitions]]\nfamily = \"t\"\ncpu = 1024\nmemory = 2048\n\
         [[services]]\nname = \"web\"\ntask_definition = \"t\"\ndesired_count = 3\n\
         [[events]]\nat = \"10m\"\nkind = \"az_outage\"\nzone = \"us-east-1b\"\nduration = \"30m\"\n",
        header("2h", &["a", "b", "c"])
    );
    let s = run(&scenario(&text));
    assert_eq!(fig(&s, "tasks.stopped.zone_outage"), 1.0);
    assert_eq!(fig(&s, "instances.terminated_by_zone_outage"), 1.0);
    assert_eq!(fig(&s, "tasks.interrupted"), 0.0);
    assert_eq!(fig(&s, "services.web.tasks.interrupted"), 0.0);
    assert_eq!(fig(&s, "instances.interrupted"), 0.0);
}

/// Rule (model.md 3.5 and 15; docs/aws-facts.md §4.3 step 5): a group with several instance types
/// in several zones scales out by the instances its waiting tasks need, within the step sizes, as
/// the current ECS pages describe; not by exactly minimumScalingStepSize, as an older API sentence
/// (still on the CloudFormation page) said.
///
/// Types m5.xlarge (listed first, launched by the prioritized strategy) and m5.large, three zones,
/// one m5.xlarge at start with 2 tasks of 2048 CPU units / 4000 MiB (they fill its 4096 units).
/// At 10 min desired goes to 8: 6 tasks wait; each fits the smallest type (m5.large: 2048 units,
/// 7985 MiB), and two fit the largest, so 3 instances are needed: M = 1 + 3 = 4, N = 1,
/// CPR 400. Minute 10's datapoint is seen at 12 min: step = ⌈4 × 100 / 100⌉ − 1 = 3, within
/// [1, 10]: desired 1 → 4 in one step (the older rule: 1 → 2). Once the three register and take
/// the 6 tasks, CPR is 100: no further scale-out.
#[test]
fn a_group_of_several_types_and_zones_scales_out_by_what_is_needed() {
    let text = format!(
        "{}[[capacity_providers]]\nname = \"E\"\nkind = \"ec2\"\ninstance_types = [\"m5.xlarge\", \"m5.large\"]\nmin_size = 1\nmax_size = 10\n\
         [capacity_providers.managed_scaling]\ntarget_capacity = 100\nminimum_scaling_step_size = 1\nmaximum_scaling_step_size = 10\n\
         [[task_definitions]]\nfamily = \"t\"\ncpu = 2048\nmemory = 4000\n\
         [[services]]\nname = \"s\"\ntask_definition = \"t\"\ndesired_count = 2\n\
         [[events]]\nat = \"10m\"\nkind = \"set_desired_count\"\nservice = \"s\"\ndesired_count = 8\n",
        header("1h", &["a", "b", "c"])
    );
    let (s, c) = run_captured(&scenario(&text));
    let outs = of_kind(&c, "capacity_scale_out");
    assert_eq!(outs.len(), 1, "{outs:?}");
    assert_eq!(outs[0].0, 720.0);
    assert!(outs[0].4.ends_with("(M=4, N=1): desired 1 -> 4"), "{}", outs[0].4);
    assert_eq!(fig(&s, "instances.launched"), 3.0);
    assert_eq!(fig(&s, "instances.capacity_scale_out"), 1.0);
}
