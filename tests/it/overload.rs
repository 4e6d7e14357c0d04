//! Overloaded tasks: the CPU of a saturated task, load balancer health checks
//! that fail under load, the death spiral, and the deployment circuit breaker.

use crate::common::{header, scenario, world_at};

/// Fargate tasks of 1 vCPU whose requests take 2 vCPU-seconds (μ = 0.5/s) against a 1 s
/// timeout: requests take twice the timeout (μτ = 0.5). 2 req/s offered to 2 tasks, target
/// tracking on CPU at 70%, no load balancer (its health checks are not the subject here).
fn slow_requests() -> String {
    format!(
        "{}[[capacity_providers]]\nname = \"FARGATE\"\nkind = \"fargate\"\n\
         [[task_definitions]]\nfamily = \"t\"\ncpu = 1024\nmemory = 2048\nnetwork_mode = \"awsvpc\"\n\
         [[services]]\nname = \"s\"\ntask_definition = \"t\"\ndesired_count = 2\n\
         [services.workload]\nrate = {{ pattern = \"constant\", value = 2 }}\ncpu_per_request = \"2s\"\nrequest_timeout = \"1s\"\n\
         [services.auto_scaling]\nmin_capacity = 2\nmax_capacity = 20\n\
         [[services.auto_scaling.target_tracking]]\nname = \"cpu70\"\npredefined_metric = \"ECSServiceAverageCPUUtilization\"\ntarget_value = 70\n",
        header("2h", &["a", "b"])
    )
}

#[test]
fn target_tracking_scales_out_a_service_whose_requests_outlast_the_timeout() {
    // μ = 0.5/s, τ = 1 s: the admission limit is a* = 0.26496/s (docs/model.md §8.3), a*/μ = 53%.
    // Counting only admitted work, each task showed 53% CPU with 1 req/s offered, below the 70%
    // target, and the service stayed at 2 tasks while it failed 87% of its requests. A task
    // that sheds is busy: CPU = min(λ, μ)/μ. Target tracking (desired = ⌈n × CPU / 70⌉):
    //   n = 2: λ = 1/s ≥ μ, 100%  → ⌈2 × 100/70⌉ = 3;
    //   n = 3: λ = 0.667/s ≥ μ, 100% → ⌈3 × 100/70⌉ = 5;
    //   n = 5: λ = 0.4/s, 80%      → ⌈5 × 80/70⌉ = 6;
    //   n = 6: λ = 0.333/s, 66.7%  → ⌈6 × 66.7/70⌉ = 6, and 66.7% is above the scale-in alarm's
    //          90% of the target (63%), so it stays at 6.
    let sc = scenario(&slow_requests());
    let sim = world_at(&sc, 7200);
    assert_eq!(sim.services[0].desired, 6);
}
