//! End-to-end latency through the call graph against closed forms (docs/model.md §8.8).
//!
//! Every scenario is steady: `web` runs 2 tasks of 1 vCPU at 10 ms per request and
//! receives 160 requests/s, so each task is an M/M/1 with μ = 100/s and λ = 80/s:
//! its sojourn is Exp(20/s). A callee runs tasks of 1 vCPU at 5 ms per request
//! (μ = 200/s) and receives 80 calls/s per task: its sojourn is Exp(120/s).
//!
//! The grid holds each caller's end-to-end CDF at 4,096 steps spanning the
//! (1 − 1e-14)-quantiles of the summed sojourns (§8.8), linear between points;
//! for Exp(20) + Exp(120), span = ln(1e14) (1/20 + 1/120) = 1.8804 s, a step of
//! 0.46 ms. Its error is second order in the step (the unit tests of
//! `model::e2e_grid` measure it); with the run-long histogram (bins 0.1% wide,
//! linear within) quantiles and means stay within 2e-4 of the closed forms per
//! callee. The alternatives a wrong rule would give (a sum for a maximum, a
//! power for a Bernoulli call, the callee left out) differ by 2% or more.

use crate::assert_close;
use crate::common::{TempDir, ecsim, fig, header, run, run_captured, scenario};

const BOUND: f64 = 2e-4;

/// `web` calling the services `callees` (each a `[[services.calls]]` body), which
/// are defined by `defs`.
fn web_calling(calls: &str, defs: &str, web_extra: &str) -> String {
    format!(
        "{}[[capacity_providers]]\nname = \"FARGATE\"\nkind = \"fargate\"\n\
         [[task_definitions]]\nfamily = \"t\"\ncpu = 1024\nmemory = 2048\nnetwork_mode = \"awsvpc\"\n\
         [[services]]\nname = \"web\"\ntask_definition = \"t\"\ndesired_count = 2\n\
         [services.workload]\nrate = {{ pattern = \"constant\", value = 160 }}\ncpu_per_request = \"10ms\"\n{web_extra}\n\
         {calls}\n{defs}",
        header("1h", &["a", "b", "c"])
    )
}

fn call(service: &str, extra: &str) -> String {
    format!("[[services.calls]]\nservice = \"{service}\"\nvia = \"service_connect\"\n{extra}\n")
}

/// A callee with `tasks` tasks of μ = 200/s.
fn callee(name: &str, tasks: u32) -> String {
    format!(
        "[[services]]\nname = \"{name}\"\ntask_definition = \"t\"\ndesired_count = {tasks}\n\
         [services.workload]\ncpu_per_request = \"5ms\"\n"
    )
}

#[test]
fn a_chain_of_two_mm1_stations_is_hypoexponential() {
    // 160 calls/s over 2 api tasks: 80/s each, Exp(120). T = Exp(20) + Exp(120):
    //   P(T > x) = (120 e^{−20x} − 20 e^{−120x}) / (120 − 20)
    //   mean = 1/20 + 1/120 = 58.333 ms;
    //   p99: 1.2 e^{−20x} − 0.2 e^{−120x} = 0.01; at x ≈ 0.24 the second term is
    //   0.2 e^{−28.7} ≈ 7e-14, so x = ln(120)/20 = 239.375 ms;
    //   p95: 1.2 e^{−20x} = 0.05 (second term 0.2 e^{−19.1} ≈ 1e-9): x = ln(24)/20 = 158.90 ms.
    let s = run(&scenario(&web_calling(&call("api", ""), &callee("api", 2), "")));
    assert_close!(fig(&s, "services.web.latency.end_to_end.mean_ms"), 1000.0 * (1.0 / 20.0 + 1.0 / 120.0), BOUND);
    assert_close!(fig(&s, "services.web.latency.end_to_end.p99_ms"), 1000.0 * 120f64.ln() / 20.0, BOUND);
    assert_close!(fig(&s, "services.web.latency.end_to_end.p95_ms"), 1000.0 * 24f64.ln() / 20.0, BOUND);
    // The median solves 1.2 e^{−20x} − 0.2 e^{−120x} = 0.5 (bisection on the closed form).
    let tail = |x: f64| 1.2 * (-20.0 * x).exp() - 0.2 * (-120.0 * x).exp();
    let (mut lo, mut hi) = (0.0, 1.0);
    for _ in 0..100 {
        let mid = 0.5 * (lo + hi);
        if tail(mid) > 0.5 { lo = mid } else { hi = mid }
    }
    assert_close!(fig(&s, "services.web.latency.end_to_end.p50_ms"), 1000.0 * lo, BOUND);
    // Own latency unchanged: Exp(20), p99 = ln(100)/20.
    assert_close!(fig(&s, "services.web.latency.p99_ms"), 1000.0 * 100f64.ln() / 20.0, 1e-9);
    // The callee calls nobody: its end-to-end time is its latency, exactly.
    assert_eq!(fig(&s, "services.api.latency.end_to_end.p99_ms"), fig(&s, "services.api.latency.p99_ms"));
    // Outside requests all enter at web.
    assert_eq!(fig(&s, "latency.end_to_end.p99_ms"), fig(&s, "services.web.latency.end_to_end.p99_ms"));
}

#[test]
fn a_parallel_fan_out_of_two_takes_the_slower_call() {
    // api and db, 2 tasks each: Exp(120) both. max(A, B) has CDF (1 − e^{−120y})², so
    //   P(max > y) = 2 e^{−120y} − e^{−240y}, E[max] = 2/120 − 1/240 = 12.5 ms.
    // Adding L ~ Exp(20): P(L + E_s > x) = H_s(x) = (s e^{−20x} − 20 e^{−sx}) / (s − 20), so
    //   P(T > x) = 2 H_120(x) − H_240(x) ≈ (2 × 1.2 − 240/220) e^{−20x} = (1440/11) / 100 e^{−20x}
    //   near the p99 (the e^{−120x}, e^{−240x} terms are below 1e-12 there):
    //   p99 = ln(1440/11)/20 = 243.72 ms; mean = 50 + 12.5 = 62.5 ms.
    let calls = call("api", "parallel = true") + &call("db", "parallel = true");
    let defs = callee("api", 2) + &callee("db", 2);
    let s = run(&scenario(&web_calling(&calls, &defs, "")));
    assert_close!(fig(&s, "services.web.latency.end_to_end.p99_ms"), 1000.0 * (1440.0f64 / 11.0).ln() / 20.0, BOUND);
    assert_close!(fig(&s, "services.web.latency.end_to_end.mean_ms"), 62.5, BOUND);
    // The same calls one after the other: Exp(20) + Exp(120) + Exp(120), whose tail near the
    // p99 is (120/100)² e^{−20x}: p99 = ln(144)/20 = 248.49 ms; mean = 50 + 2 × 8.333 = 66.667 ms.
    let sequential = call("api", "") + &call("db", "");
    let s = run(&scenario(&web_calling(&sequential, &defs, "")));
    assert_close!(fig(&s, "services.web.latency.end_to_end.p99_ms"), 1000.0 * 144f64.ln() / 20.0, 2.0 * BOUND);
    assert_close!(fig(&s, "services.web.latency.end_to_end.mean_ms"), 50.0 + 2000.0 / 120.0, 2.0 * BOUND);
}

#[test]
fn a_fractional_per_request_is_floor_plus_a_bernoulli_call() {
    // per_request = 0.5: no call, or one call with probability 0.5. api gets 80 calls/s on one
    // task: Exp(120). P(T > x) = 0.5 e^{−20x} + 0.5 H_120(x) ≈ (0.5 + 0.6) e^{−20x} near the p99:
    //   p99 = ln(110)/20 = 235.03 ms; mean = 50 + 0.5 × 8.333 = 54.167 ms.
    let s = run(&scenario(&web_calling(&call("api", "per_request = 0.5"), &callee("api", 1), "")));
    assert_close!(fig(&s, "services.api.requests.total"), 80.0 * 3600.0, 1e-12);
    assert_close!(fig(&s, "services.web.latency.end_to_end.p99_ms"), 1000.0 * 110f64.ln() / 20.0, BOUND);
    assert_close!(fig(&s, "services.web.latency.end_to_end.mean_ms"), 50.0 + 500.0 / 120.0, BOUND);
    // per_request = 1.5: one call, and a second with probability 0.5. Near the p99 the tail is
    //   0.5 × 1.2 e^{−20x} + 0.5 × 1.44 e^{−20x} = 1.32 e^{−20x}: p99 = ln(132)/20 = 244.14 ms.
    //   api gets 240 calls/s over 3 tasks: 80/s each, Exp(120) again.
    let s = run(&scenario(&web_calling(&call("api", "per_request = 1.5"), &callee("api", 3), "")));
    assert_close!(fig(&s, "services.web.latency.end_to_end.p99_ms"), 1000.0 * 132f64.ln() / 20.0, 2.0 * BOUND);
}

#[test]
fn a_failed_call_fails_the_request_and_takes_no_time() {
    // api has no task: every call fails at once. With per_request = 0.5 half of web's requests
    // make the call and fail: availability 1 − 0.5 = 0.5 (floor + Bernoulli; the power rule
    // 0^0.5 would say 0). The failed calls add no time: web's end-to-end time is its own
    // Exp(20), p99 = ln(100)/20 = 230.26 ms, mean 50 ms.
    let s = run(&scenario(&web_calling(&call("api", "per_request = 0.5"), &callee("api", 0), "")));
    assert_close!(fig(&s, "requests.availability"), 0.5, 1e-12);
    assert_close!(fig(&s, "services.web.latency.end_to_end.p99_ms"), 1000.0 * 100f64.ln() / 20.0, BOUND);
    assert_close!(fig(&s, "services.web.latency.end_to_end.mean_ms"), 50.0, BOUND);
}

#[test]
fn the_timeout_caps_the_end_to_end_time() {
    // web's request_timeout = 200 ms (its admission limit is above 80/s: the goodput's slope
    // 1 − e^{−4}(1 + 16) > 0 at a = 80). A share e^{−4} of web's requests time out before
    // making their call, so api gets 80 (1 − e^{−4}) = 78.535 calls/s per task: Exp(r),
    // r = 200 − 78.535 = 121.465. T = Exp(20) + Exp(r):
    //   P(T > x) = (r e^{−20x} − 20 e^{−rx}) / (r − 20);
    //   P(T > 0.2) = (r e^{−4} − 20 e^{−24.3}) / 101.465 = 0.021926 > 1%: the p99 is the cap, 200 ms;
    //   p95 below it: r/(r − 20) e^{−20x} = 0.05 (the other term is 1e-9), x = ln(20 r/(r − 20))/20
    //   = 158.87 ms; the mean is ∫_0^0.2 P(T > x) dx
    //   = (r (1 − e^{−4})/20 − 20 (1 − e^{−0.2 r})/r) / (r − 20) = 57.24 ms.
    let s = run(&scenario(&web_calling(&call("api", ""), &callee("api", 2), "request_timeout = \"200ms\"")));
    let r = 200.0 - 80.0 * (1.0 - (-4.0f64).exp());
    assert_close!(fig(&s, "services.api.requests.total"), 2.0 * (200.0 - r) * 3600.0, 1e-9);
    assert_close!(fig(&s, "services.web.latency.end_to_end.p99_ms"), 200.0, 1e-3);
    assert_close!(
        fig(&s, "services.web.latency.end_to_end.p95_ms"),
        1000.0 * (20.0 * r / (r - 20.0)).ln() / 20.0,
        BOUND
    );
    let mean = (r * (1.0 - (-4.0f64).exp()) / 20.0 - 20.0 * (1.0 - (-0.2 * r).exp()) / r) / (r - 20.0);
    assert_close!(fig(&s, "services.web.latency.end_to_end.mean_ms"), 1000.0 * mean, BOUND);
}

#[test]
fn requests_past_the_timeout_end_to_end_fail() {
    // The scenario of the test above: web's timeout 200 ms, T = Exp(20) + Exp(r),
    // r = 200 − 80 (1 − e^{−4}) = 121.465. Of web's 160 requests/s (all admitted):
    //   P(T > 0.2) = (r e^{−4} − 20 e^{−0.2 r}) / (r − 20) = 0.0219259 fail in all;
    //   e^{−4} = 0.0183156 of them at web itself (its own sojourn passes 200 ms: failed_timeout);
    //   the rest, 0.0036102, are served by web and by api (whose timeout, 30 s, no call reaches)
    //   but the client gives up before api's answer is back: failed end to end,
    //   160 × 3600 × 0.0036102 = 2,079.5 requests in the hour.
    // Entry requests all arrive at web: availability 1 − 0.0219259 = 0.978074. Counting them
    // as served (the rule before) would say 1 − e^{−4} = 0.981684.
    let s = run(&scenario(&web_calling(&call("api", ""), &callee("api", 2), "request_timeout = \"200ms\"")));
    let r = 200.0 - 80.0 * (1.0 - (-4.0f64).exp());
    let all = (r * (-4.0f64).exp() - 20.0 * (-0.2 * r).exp()) / (r - 20.0);
    let own = (-4.0f64).exp();
    let offered = 160.0 * 3600.0;
    assert_close!(fig(&s, "services.web.requests.failed_timeout"), offered * own, 1e-9);
    // Measured: 2,079.498 against 2,079.492 (3e-6 relative; the grid's step is 0.05 ms).
    assert_close!(fig(&s, "services.web.requests.failed_end_to_end_timeout"), offered * (all - own), 1e-5);
    assert_close!(fig(&s, "requests.failed_end_to_end_timeout"), offered * (all - own), 1e-5);
    assert_close!(fig(&s, "requests.availability"), 1.0 - all, 1e-7);
    assert_close!(fig(&s, "services.web.requests.served"), offered * (1.0 - all), 1e-7);
    // api serves every call: its own figure is 0, as for any service that calls nobody.
    assert_eq!(fig(&s, "services.api.requests.failed_end_to_end_timeout"), 0.0);
    // Without the timeout (30 s) nothing comes near it: nothing fails end to end.
    let s = run(&scenario(&web_calling(&call("api", ""), &callee("api", 2), "")));
    assert_eq!(fig(&s, "requests.failed_end_to_end_timeout"), 0.0);
    assert_eq!(fig(&s, "requests.availability"), 1.0);
}

#[test]
fn the_end_to_end_series_and_slo_count_minutes() {
    // The chain's p99 is 239.37 ms every minute: above a 235 ms objective in all 60 minutes,
    // below a 245 ms one in none (its own latency p99, 230.26 ms, is below both).
    let with_slo = |target: &str| {
        let extra = format!("slo = {{ end_to_end_p99 = \"{target}\" }}");
        scenario(&web_calling(&call("api", ""), &callee("api", 2), &extra))
    };
    let (over, rows) = run_captured(&with_slo("235ms"));
    assert_eq!(fig(&over, "services.web.slo.violation_minutes"), 60.0);
    assert_eq!(fig(&over, "slo.violation_minutes"), 60.0);
    assert_eq!(fig(&over, "services.web.slo.end_to_end_p99_ms"), 235.0);
    let under = run(&with_slo("245ms"));
    assert_eq!(fig(&under, "slo.violation_minutes"), 0.0);
    let series = rows.series("service", "web", "latency_e2e_p99_ms");
    assert_eq!(series.len(), 60);
    for (_, v) in series {
        assert_close!(v, 1000.0 * 120f64.ln() / 20.0, BOUND);
    }
}

#[test]
fn the_cli_writes_the_end_to_end_keys_and_column() {
    let dir = TempDir::new("e2e");
    let file = dir.join("s.toml");
    let text = web_calling(&call("api", ""), &callee("api", 2), "slo = { end_to_end_p99 = \"235ms\" }");
    std::fs::write(&file, text).unwrap();
    let out = dir.join("out");
    let r = ecsim(&["run", file.to_str().unwrap(), "--out", out.to_str().unwrap(), "--quiet"]);
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    for key in ["mean_ms", "p50_ms", "p95_ms", "p99_ms"] {
        assert!(fig(&summary, &format!("latency.end_to_end.{key}")) > 0.0);
        assert!(fig(&summary, &format!("services.web.latency.end_to_end.{key}")) > 0.0);
        assert!(fig(&summary, &format!("services.api.latency.end_to_end.{key}")) > 0.0);
    }
    assert_eq!(fig(&summary, "services.web.slo.violation_minutes"), 60.0);
    let ts = std::fs::read_to_string(out.join("timeseries.csv")).unwrap();
    let rows: Vec<&str> = ts.lines().filter(|l| l.contains(",service,web,latency_e2e_p99_ms,")).collect();
    assert_eq!(rows.len(), 60, "{ts}");
    let v: f64 = rows[0].rsplit(',').next().unwrap().parse().unwrap();
    assert_close!(v, 1000.0 * 120f64.ln() / 20.0, BOUND);
}
