//! Service Auto Scaling end to end: metrics published a minute late, alarms,
//! target tracking, scheduled actions.

use crate::common::{fig, header, run, run_captured, scenario, world_at};

/// Four 1-vCPU Fargate tasks, μ = 100 requests/s each; the trace puts CPU at
/// 30% until 10 min, 90% until 30 min, then 30% of four tasks' worth again.
fn stepped(extra: &str) -> String {
    format!(
        "{}{extra}\n[[capacity_providers]]\nname = \"FARGATE\"\nkind = \"fargate\"\n\
         [[task_definitions]]\nfamily = \"t\"\ncpu = 1024\nmemory = 2048\nnetwork_mode = \"awsvpc\"\n\
         [[services]]\nname = \"s\"\ntask_definition = \"t\"\ndesired_count = 4\n\
         [services.workload]\nrate = {{ trace = \"step.csv\", interpolate = \"step\" }}\ncpu_per_request = \"10ms\"\n\
         [services.auto_scaling]\nmin_capacity = 2\nmax_capacity = 20\n\
         [[services.auto_scaling.target_tracking]]\nname = \"cpu60\"\npredefined_metric = \"ECSServiceAverageCPUUtilization\"\ntarget_value = 60\n",
        header("1h", &["a", "b", "c"])
    )
}

#[test]
fn scale_out_fires_on_the_third_breaching_datapoint() {
    // Minute 10 ([600 s, 660 s)) is the first at 90%; with the default one-minute publication delay
    // its datapoint is visible at 720 s, minute 12's at 840 s: the high alarm (3 of 3) fires then and
    // sets ⌈4 × 90 / 60⌉ = 6.
    let sc = scenario(&stepped(""));
    assert_eq!(world_at(&sc, 839).services[0].desired, 4);
    assert_eq!(world_at(&sc, 840).services[0].desired, 6);
    // In timeseries.csv (rows at the minute's start, values at its end) the alarm going to
    // ALARM (code 1) and the desired count it sets show in the same row, 780 s.
    let (_, captured) = run_captured(&sc);
    let at = |metric: &str, t: u64| captured.series("service", "s", metric).into_iter().find(|r| r.0 == t).map(|r| r.1);
    assert_eq!((at("alarm_cpu60_high", 720), at("desired", 720)), (Some(0.0), Some(4.0)));
    assert_eq!((at("alarm_cpu60_high", 780), at("desired", 780)), (Some(1.0), Some(6.0)));
    // Without the delay the same datapoints are seen a minute earlier.
    let sc = scenario(&stepped("[cloudwatch]\nmetric_delay = \"0m\"\n"));
    assert_eq!(world_at(&sc, 779).services[0].desired, 4);
    assert_eq!(world_at(&sc, 780).services[0].desired, 6);
}

#[test]
fn scale_in_waits_for_fifteen_low_datapoints() {
    // From 30 min the 6 tasks run at 120 / 600 = 20% < 0.9 × 60. Minute 30's datapoint is visible at
    // 1920 s; the 15th low one (minute 44) at 2760 s: desired ⌈6 × 20 / 60⌉ = 2.
    let sc = scenario(&stepped(""));
    assert_eq!(world_at(&sc, 2759).services[0].desired, 6);
    assert_eq!(world_at(&sc, 2760).services[0].desired, 2);
    let s = run(&sc);
    assert_eq!(fig(&s, "services.s.scaling.scale_out"), 1.0);
    assert_eq!(fig(&s, "services.s.scaling.scale_in"), 1.0);
    assert_eq!(fig(&s, "scaling.actions"), 2.0);
}

#[test]
fn disable_scale_in_keeps_the_capacity() {
    let text = stepped("") + "disable_scale_in = true\n";
    let sc = scenario(&text);
    assert_eq!(world_at(&sc, 3600).services[0].desired, 6);
}

#[test]
fn scheduled_action_follows_cron_in_its_time_zone() {
    // cron(0 7 ? * MON-FRI *) in New York on Monday 2026-03-02: 07:00 EST = 12:00 UTC = 43200 s.
    let text = format!(
        "{}[[capacity_providers]]\nname = \"FARGATE\"\nkind = \"fargate\"\n\
         [[task_definitions]]\nfamily = \"t\"\ncpu = 256\nmemory = 512\nnetwork_mode = \"awsvpc\"\n\
         [[services]]\nname = \"s\"\ntask_definition = \"t\"\ndesired_count = 2\n\
         [services.auto_scaling]\nmin_capacity = 2\nmax_capacity = 20\n\
         [[services.auto_scaling.scheduled]]\nname = \"morning\"\nschedule = \"cron(0 7 ? * MON-FRI *)\"\ntimezone = \"America/New_York\"\nmin_capacity = 10\n\
         [[services.auto_scaling.scheduled]]\nname = \"evening\"\nschedule = \"cron(0 19 ? * MON-FRI *)\"\ntimezone = \"America/New_York\"\nmin_capacity = 2\nmax_capacity = 5\n",
        header("2d", &["a", "b", "c"])
    );
    let sc = scenario(&text);
    assert_eq!(world_at(&sc, 43_199).services[0].desired, 2);
    assert_eq!(world_at(&sc, 43_200).services[0].desired, 10);
    // 19:00 EST = 24:00 UTC: max 5 brings desired down to 5.
    assert_eq!(world_at(&sc, 86_399).services[0].desired, 10);
    assert_eq!(world_at(&sc, 86_400).services[0].desired, 5);
}

#[test]
fn absent_cooldowns_are_aws_default_of_300_s() {
    // Target tracking cooldowns default to 300 s each for ECS services (docs/aws-facts.md §6.3);
    // a policy that leaves them out behaves as one that says 300 s.
    let implicit = scenario(&stepped(""));
    let policy = &implicit.services[0].auto_scaling.as_ref().unwrap().target_tracking[0];
    assert_eq!((policy.scale_out_cooldown.as_millis(), policy.scale_in_cooldown.as_millis()), (300_000, 300_000));
    let explicit = scenario(&(stepped("") + "scale_out_cooldown = \"300s\"\nscale_in_cooldown = \"300s\"\n"));
    let summary = |sc| {
        let mut s = run(sc);
        s.as_object_mut().unwrap().remove("scenario_sha256");
        s
    };
    assert_eq!(summary(&implicit), summary(&explicit));
}
