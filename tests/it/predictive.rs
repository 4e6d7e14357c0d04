//! Predictive scaling end to end (docs/model.md §9.7): no forecast before a
//! day of history, the forecast floor against target tracking, and
//! ForecastOnly leaving every simulated figure as it was.

use crate::common::{fig, header, run_captured, scenario};
use serde_json::Value;

/// One Fargate service (0.5 vCPU tasks) at a constant 200 req/s of 5 ms each:
/// 1 vCPU of work = 200% of one task, whatever the task count, so the CPU
/// pair's load (the tasks' CPU summed) is 200. Target tracking at 60% asks
/// for ceil(200 / 60) = 4 tasks.
fn service(predictive: &str) -> String {
    format!(
        "{}[[capacity_providers]]\nname = \"FARGATE\"\nkind = \"fargate\"\n\
         [[task_definitions]]\nfamily = \"t\"\ncpu = 512\nmemory = 1024\nnetwork_mode = \"awsvpc\"\n\
         [[services]]\nname = \"web\"\ntask_definition = \"t\"\ndesired_count = 4\n\
         [services.workload]\nrate = {{ pattern = \"constant\", value = 200 }}\ncpu_per_request = \"5ms\"\n\
         [services.auto_scaling]\nmin_capacity = 1\nmax_capacity = 40\n\
         [[services.auto_scaling.target_tracking]]\nname = \"cpu60\"\n\
         predefined_metric = \"ECSServiceAverageCPUUtilization\"\ntarget_value = 60\n{predictive}",
        header("2d", &["a", "b"])
    )
}

fn predictive(mode: &str) -> String {
    format!(
        "[[services.auto_scaling.predictive]]\nname = \"forecast\"\nmetric_pair = \"ECSServiceCPUUtilization\"\n\
         target_value = 21\nmode = \"{mode}\"\n"
    )
}

#[test]
fn the_forecast_floor_starts_after_a_day_and_holds_against_target_tracking() {
    let (summary, captured) = run_captured(&scenario(&service(&predictive("ForecastAndScale"))));
    // A row at time t shows the minute [t, t + 60 s) and desired at its end.
    let desired = captured.series("service", "web", "desired");
    // Day 1: target tracking's 4 tasks (200% at 50% each); no forecast yet.
    assert!(desired.iter().filter(|(t, _)| *t + 60 < 86_400).all(|(_, d)| *d == 4.0));
    // At 24 h the first forecast (200 for every hour) sets ceil(200 / 21) = 10, which
    // is above target tracking's 4 and wins.
    let first = captured.events.iter().find(|e| e.1 == "scale_out").expect("the forecast scales out");
    assert_eq!(first.0, 86_400.0);
    assert!(first.4.starts_with("predictive forecast"), "{}", first.4);
    assert!(first.4.ends_with("desired 4 → 10"), "{}", first.4);
    // Day 2: 10 tasks at 20% CPU put target tracking's low alarm in ALARM (below 54%), and
    // it asks for ceil(10 × 20 / 60) = 4, but scale-in stops at the forecast's 10.
    assert!(desired.iter().filter(|(t, _)| *t + 60 >= 86_400).all(|(_, d)| *d == 10.0));
    assert!(!captured.events.iter().any(|e| e.1 == "scale_in"));
    assert_eq!(fig(&summary, "services.web.scaling.by_policy.forecast"), 1.0);
    // Forecasts at 24, 30, 36, 42 and 48 h (the last minute closes hour 47); the 24
    // hours of day 2 are compared, each at 0% error.
    assert_eq!(fig(&summary, "services.web.scaling.predictive.forecast.forecasts"), 5.0);
    assert_eq!(fig(&summary, "services.web.scaling.predictive.forecast.hours_compared"), 24.0);
    let mape = fig(&summary, "services.web.scaling.predictive.forecast.forecast_mape_percent");
    assert!(mape < 1e-6, "{mape}");
}

/// summary.json without what predictive scaling adds.
fn without_predictive(mut s: Value) -> Value {
    let scaling = &mut s["services"]["web"]["scaling"];
    scaling.as_object_mut().unwrap().remove("predictive");
    scaling["by_policy"].as_object_mut().unwrap().remove("forecast");
    s.as_object_mut().unwrap().remove("scenario_sha256");
    s
}

#[test]
fn forecast_only_leaves_every_simulated_figure_unchanged() {
    let (plain, plain_run) = run_captured(&scenario(&service("")));
    let (only, only_run) = run_captured(&scenario(&service(&predictive("ForecastOnly"))));
    let mut plain = plain;
    plain.as_object_mut().unwrap().remove("scenario_sha256");
    assert_eq!(without_predictive(only), plain);
    assert_eq!(only_run.events, plain_run.events);
    let kept: Vec<_> = only_run.rows.iter().filter(|r| !r.3.starts_with("predictive_")).cloned().collect();
    assert_eq!(kept, plain_run.rows);
    // ... while the forecast is there: 200 from 24 h on, 10 tasks.
    let forecast = only_run.series("service", "web", "predictive_forecast_forecast_capacity");
    assert!(forecast.iter().any(|(t, v)| *t > 86_400 && *v == 10.0));
}

/// Ten 0.5 vCPU Fargate tasks (min = max = 10) under a diurnal load on New
/// York's clock (100 req/s at night, 400 at noon, 5 ms each: CPU summed over
/// tasks = the rate in percent), over three days from Saturday 7 March 2026
/// 00:00 EST, across the change to EDT on Sunday at 02:00, with a ForecastOnly
/// policy whose clock is `timezone` (the workload's when empty).
fn across_spring_forward(timezone: &str) -> String {
    format!(
        "{}[[capacity_providers]]\nname = \"FARGATE\"\nkind = \"fargate\"\n\
         [[task_definitions]]\nfamily = \"t\"\ncpu = 512\nmemory = 1024\nnetwork_mode = \"awsvpc\"\n\
         [[services]]\nname = \"web\"\ntask_definition = \"t\"\ndesired_count = 10\n\
         [services.workload]\nrate = {{ pattern = \"diurnal\", base = 100, peak = 400, peak_at = \"12:00\", timezone = \"America/New_York\" }}\n\
         cpu_per_request = \"5ms\"\n\
         [services.auto_scaling]\nmin_capacity = 10\nmax_capacity = 10\n\
         [[services.auto_scaling.predictive]]\nname = \"forecast\"\nmetric_pair = \"ECSServiceCPUUtilization\"\n\
         target_value = 60\n{timezone}",
        header("3d", &["a"]).replace("2026-03-02T00:00:00Z", "2026-03-07T05:00:00Z")
    )
}

#[test]
fn forecasts_keep_the_local_hour_across_a_daylight_saving_change() {
    // The policy reads hours on the workload's clock (New York): the forecasts of
    // Sunday and Monday (hours 24 to 71, 48 compared) are Saturday's and Sunday's
    // same local hours, and the load repeats by local hour, so every one is exact
    // (the same minutes of the same local clock give the same CPU).
    let (summary, captured) = run_captured(&scenario(&across_spring_forward("")));
    assert_eq!(fig(&summary, "services.web.scaling.predictive.forecast.hours_compared"), 48.0);
    let mape = fig(&summary, "services.web.scaling.predictive.forecast.forecast_mape_percent");
    assert!(mape < 1e-9, "{mape}");
    // Monday 9 March 12:00-13:00 EDT (16:00Z, 59 h after the start) is the peak hour.
    let forecast = captured.series("service", "web", "predictive_forecast_forecast_load");
    let load = captured.series("service", "web", "predictive_forecast_load");
    let at = |s: &[(u64, f64)], t: u64| s.iter().find(|(u, _)| *u == t).map(|(_, v)| *v).unwrap();
    let noon = 59 * 3600;
    let mean_load = (0..60).map(|m| at(&load, noon + 60 * m)).sum::<f64>() / 60.0;
    assert!((at(&forecast, noon) - mean_load).abs() < 1e-9 * mean_load, "{} {mean_load}", at(&forecast, noon));
    // The same policy on UTC's clock counts hours from the start: from Sunday 03:00
    // EDT on, each forecast is the load of the local hour before (Saturday's 16:00Z was
    // 11:00 EST), and the error shows.
    let (utc, _) = run_captured(&scenario(&across_spring_forward("timezone = \"UTC\"\n")));
    let off = fig(&utc, "services.web.scaling.predictive.forecast.forecast_mape_percent");
    assert!(off > 1.0, "{off}");
}

/// A customized metric specification of one query on `namespace`/`metric`.
fn custom(key: &str, namespace: &str, metric: &str, stat: &str, dimensions: &str) -> String {
    format!(
        "[services.auto_scaling.predictive.{key}]\nmetric_data_queries = [{{ id = \"q\", metric_stat = {{ \
         metric = {{ namespace = \"{namespace}\", metric_name = \"{metric}\", dimensions = [{dimensions}] }}, stat = \"{stat}\" }} }}]\n"
    )
}

const SERVICE_DIMS: &str =
    "{ name = \"ClusterName\", value = \"default\" }, { name = \"ServiceName\", value = \"web\" }";

fn custom_policy(load: &str) -> String {
    format!(
        "[[services.auto_scaling.predictive]]\nname = \"forecast\"\ntarget_value = 21\nmode = \"ForecastAndScale\"\n{}{load}",
        custom("customized_scaling_metric_specification", "AWS/ECS", "CPUUtilization", "Average", SERVICE_DIMS)
    )
}

#[test]
fn custom_metrics_that_name_a_pair_are_the_pair() {
    // CPUUtilization Average as the scaling metric and Sum as the load metric are the
    // ECSServiceCPUUtilization pair: every figure, row and event the same.
    let load = custom("customized_load_metric_specification", "AWS/ECS", "CPUUtilization", "Sum", SERVICE_DIMS);
    let (pair, pair_run) = run_captured(&scenario(&service(&predictive("ForecastAndScale"))));
    let (spec, spec_run) = run_captured(&scenario(&service(&custom_policy(&load))));
    let strip = |mut s: Value| {
        s.as_object_mut().unwrap().remove("scenario_sha256");
        s
    };
    assert_eq!(strip(spec), strip(pair));
    assert_eq!(spec_run.events, pair_run.events);
    assert_eq!(spec_run.rows, pair_run.rows);
}

#[test]
fn a_request_count_load_scales_a_cpu_target() {
    // Load: the load balancer's RequestCount, 200 req/s = 12,000 a minute; scaling
    // metric: average CPU at target 21. The history relates them: 4 tasks at 50% = 200
    // per 12,000 requests, so the forecast of 12,000 needs 12,000 × 200 / 12,000 / 21 =
    // 9.5 → 10 tasks, the same floor as the CPU pair's (the test above).
    let alb = "[services.load_balancer]\nkind = \"alb\"\n";
    let load = custom(
        "customized_load_metric_specification",
        "AWS/ApplicationELB",
        "RequestCount",
        "Sum",
        "{ name = \"TargetGroup\", value = \"targetgroup/web/0123456789abcdef\" }",
    );
    let text =
        service(&custom_policy(&load)).replace("[services.auto_scaling]", &format!("{alb}[services.auto_scaling]"));
    let (summary, captured) = run_captured(&scenario(&text));
    let first = captured.events.iter().find(|e| e.1 == "scale_out").expect("the forecast scales out");
    assert_eq!(first.0, 86_400.0);
    assert!(first.4.ends_with("desired 4 → 10"), "{}", first.4);
    let load = captured.series("service", "web", "predictive_forecast_load");
    assert!(load.iter().all(|(_, v)| *v == 12_000.0), "{:?}", &load[..3]);
    let capacity = captured.series("service", "web", "predictive_forecast_forecast_capacity");
    assert!(capacity.iter().all(|(_, v)| *v == 10.0));
    assert_eq!(fig(&summary, "services.web.scaling.predictive.forecast.hours_compared"), 24.0);
}
