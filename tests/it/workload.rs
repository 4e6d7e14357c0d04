//! The fluid workload against textbook M/M/1 numbers.

use crate::assert_close;
use crate::common::{fig, header, run, run_captured, scenario};
use ecsim::model::queueing::admission_limit;

/// Two FARGATE tasks of 1 vCPU; 10 ms of CPU per request, so μ = 100 requests/s per task.
fn two_tasks(rate: f64, extra_workload: &str) -> String {
    format!(
        "{}[[capacity_providers]]\nname = \"FARGATE\"\nkind = \"fargate\"\n\
         [[task_definitions]]\nfamily = \"t\"\ncpu = 1024\nmemory = 2048\nnetwork_mode = \"awsvpc\"\n\
         [[services]]\nname = \"s\"\ntask_definition = \"t\"\ndesired_count = 2\n\
         [services.workload]\nrate = {{ pattern = \"constant\", value = {rate} }}\ncpu_per_request = \"10ms\"\n{extra_workload}\n",
        header("1h", &["a", "b", "c"])
    )
}

#[test]
fn steady_load_matches_mm1_formulas() {
    // λ = 80/s per task, μ = 100/s: W = 1/(μ−λ) = 50 ms; p50 = ln 2 / 20 s; p99 = ln 100 / 20 s.
    let s = run(&scenario(&two_tasks(160.0, "")));
    assert_close!(fig(&s, "requests.total"), 160.0 * 3600.0, 1e-12);
    assert_close!(fig(&s, "requests.served"), 160.0 * 3600.0, 1e-12);
    assert_eq!(fig(&s, "requests.availability"), 1.0);
    assert_close!(fig(&s, "latency.mean_ms"), 50.0, 1e-9);
    assert_close!(fig(&s, "latency.p50_ms"), 1000.0 * 2f64.ln() / 20.0, 1e-9);
    assert_close!(fig(&s, "latency.p99_ms"), 1000.0 * 100f64.ln() / 20.0, 1e-9);
}

#[test]
fn demand_above_capacity_is_shed() {
    // λ = 125/s per task > μ = 100/s. A task admits at most a*, the rate that maximises its goodput
    // a (1 − e^{−(μ−a)τ}) (τ = 60 s); the rest is shed at once.
    let a = admission_limit(100.0, 60.0);
    let s = run(&scenario(&two_tasks(250.0, "")));
    let hour = 3600.0;
    assert_close!(fig(&s, "requests.failed_shed"), 2.0 * (125.0 - a) * hour, 1e-9);
    let late = (-(100.0 - a) * 60.0).exp();
    assert_close!(fig(&s, "requests.failed_timeout"), 2.0 * a * late * hour, 1e-6);
    assert_close!(fig(&s, "requests.served"), 2.0 * a * (1.0 - late) * hour, 1e-9);
    // So an overloaded task still serves nearly its capacity, at a latency near the timeout.
    assert!(fig(&s, "requests.served") > 0.99 * 200.0 * hour);
    assert_close!(fig(&s, "latency.p99_ms"), 1000.0 * (100f64.ln() / (100.0 - a)).min(60.0), 1e-9);
}

#[test]
fn requests_slower_than_the_timeout_fail() {
    // μ − λ = 0.5/s and τ = 20 s: a share e^{−10} of the requests exceeds the timeout.
    let s = run(&scenario(&two_tasks(199.0, "request_timeout = \"20s\"")));
    assert_close!(fig(&s, "requests.failed_timeout") / fig(&s, "requests.total"), (-10.0f64).exp(), 1e-9);
}

#[test]
fn slo_minutes_count_minutes_over_the_p99_target() {
    // p99 = 230.26 ms every minute: above a 200 ms target in all 60 minutes, below a 250 ms one.
    let over = run(&scenario(&two_tasks(160.0, "slo = { latency_p99 = \"200ms\" }")));
    assert_eq!(fig(&over, "slo.violation_minutes"), 60.0);
    let under = run(&scenario(&two_tasks(160.0, "slo = { latency_p99 = \"250ms\" }")));
    assert_eq!(fig(&under, "slo.violation_minutes"), 0.0);
}

fn caller_and_callee(api_tasks: u32) -> String {
    format!(
        "{}[[capacity_providers]]\nname = \"FARGATE\"\nkind = \"fargate\"\n\
         [[task_definitions]]\nfamily = \"t\"\ncpu = 1024\nmemory = 2048\nnetwork_mode = \"awsvpc\"\n\
         [[services]]\nname = \"web\"\ntask_definition = \"t\"\ndesired_count = 4\n\
         [services.workload]\nrate = {{ pattern = \"constant\", value = 100 }}\ncpu_per_request = \"1ms\"\n\
         [[services.calls]]\nservice = \"api\"\nper_request = 2.0\nvia = \"service_connect\"\n\
         [[services]]\nname = \"api\"\ntask_definition = \"t\"\ndesired_count = {api_tasks}\n\
         [services.workload]\ncpu_per_request = \"10ms\"\n",
        header("1h", &["a", "b", "c"])
    )
}

#[test]
fn calls_carry_the_callers_served_rate_times_the_fan_out() {
    let s = run(&scenario(&caller_and_callee(4)));
    assert_close!(fig(&s, "requests.total"), 100.0 * 3600.0, 1e-12);
    assert_close!(fig(&s, "services.api.requests.total"), 200.0 * 3600.0, 1e-12);
    assert_eq!(fig(&s, "requests.availability"), 1.0);
}

#[test]
fn a_request_fails_when_a_downstream_call_fails() {
    // One api task (μ = 100/s) gets 200 calls/s and serves a share `ok` of them; each web request
    // makes two calls, so it succeeds with probability ok². Web's own timeout is set past two
    // api timeouts (2 × 60 s) so that no request fails end to end: that rule has its own test
    // (e2e::requests_past_the_timeout_end_to_end_fail).
    let a = admission_limit(100.0, 60.0);
    let ok = a * (1.0 - (-(100.0 - a) * 60.0).exp()) / 200.0;
    let text = caller_and_callee(1).replacen(
        "cpu_per_request = \"1ms\"\n",
        "cpu_per_request = \"1ms\"\nrequest_timeout = \"10m\"\n",
        1,
    );
    let s = run(&scenario(&text));
    assert_close!(fig(&s, "services.api.requests.availability"), ok, 1e-9);
    assert_close!(fig(&s, "requests.availability"), ok * ok, 1e-9);
    assert_close!(fig(&s, "requests.failed_downstream"), 100.0 * 3600.0 * (1.0 - ok * ok), 1e-9);
}

#[test]
fn a_vanishing_expected_count_of_failed_requests_shows_as_zero() {
    // One Fargate task (1 vCPU, 10 ms a request) at 50 requests/s with a 1 s timeout: M/M/1 with
    // decay rate 100 − 50 = 50/s, so e^−50 ≈ 1.9e-22 of the requests time out, about 1.7e-16
    // requests in the hour. summary.json shows 0, not a number of that size.
    let text = format!(
        "{}[[capacity_providers]]\nname = \"FARGATE\"\nkind = \"fargate\"\n\
         [[task_definitions]]\nfamily = \"t\"\ncpu = 1024\nmemory = 2048\nnetwork_mode = \"awsvpc\"\n\
         [[services]]\nname = \"web\"\ntask_definition = \"t\"\ndesired_count = 1\n\
         [services.workload]\nrate = {{ pattern = \"constant\", value = 50 }}\ncpu_per_request = \"10ms\"\nrequest_timeout = \"1s\"\n",
        header("1h", &["a", "b"])
    );
    let s = run(&scenario(&text));
    assert_eq!(fig(&s, "requests.failed_timeout"), 0.0);
    assert_eq!(fig(&s, "requests.failed"), 0.0);
    assert_eq!(fig(&s, "services.web.requests.failed"), 0.0);
    assert_eq!(fig(&s, "requests.total"), 50.0 * 3600.0);
}

#[test]
fn slo_minutes_count_a_called_service_that_breaks_its_slo() {
    // api, called by web and given no outside traffic, serves only a share
    // ok ≈ 0.5 of its 200 calls/s (see a_request_fails_when_a_downstream_call_fails):
    // below its 0.999 availability target in each of the 60 minutes. web has
    // no SLO, so every one of those minutes is api's; before called services
    // counted, the headline was 0.
    let text = caller_and_callee(1).replace(
        "[services.workload]\ncpu_per_request = \"10ms\"\n",
        "[services.workload]\ncpu_per_request = \"10ms\"\nslo = { availability = 0.999 }\n",
    );
    let s = run(&scenario(&text));
    assert_eq!(fig(&s, "services.api.slo.violation_minutes"), 60.0);
    assert_eq!(fig(&s, "slo.violation_minutes"), 60.0);
    assert_eq!(s["slo"]["worst_service"], "api");
    // Without a violation the worst service is empty, not null.
    let calm = run(&scenario(&caller_and_callee(4)));
    assert_eq!(calm["slo"]["worst_service"], "");
    assert_eq!(fig(&calm, "tasks.unplaced_at_start"), 0.0);
    assert_eq!(calm["start"], "2026-03-02T00:00:00Z");
    assert_eq!(calm["timezone"], "UTC");
}

#[test]
fn zone_rows_count_running_tasks_per_zone() {
    // Fargate spreads each service over the three zones, least used first
    // and ties to the first zone: web's 4 tasks go a, b, c, a and api's the
    // same, so a runs 4 tasks and b and c 2 each, at every minute's end.
    let (_, captured) = run_captured(&scenario(&caller_and_callee(4)));
    for (zone, tasks) in [("us-east-1a", 4.0), ("us-east-1b", 2.0), ("us-east-1c", 2.0)] {
        let rows = captured.series("zone", zone, "tasks_running");
        assert_eq!(rows.len(), 60, "{zone}");
        assert!(rows.iter().all(|r| r.1 == tasks), "{zone}: {:?}", &rows[..3]);
        assert!(captured.series("zone", zone, "instances").iter().all(|r| r.1 == 0.0));
    }
}
