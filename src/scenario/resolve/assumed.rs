//! Defaults that stand for AWS behaviour ecsim could not confirm from a
//! primary source; each is reported in `summary.json` under `assumptions`.

/// Spot price = on-demand × (1 − discount) when no pool says otherwise (docs/aws-facts.md §3.2: 0.30–0.40 × on-demand).
pub const SPOT_DISCOUNT: f64 = 0.65;
/// Spot Instance Advisor band used when none is given: most general-purpose types sit in "<5%" (docs/aws-facts.md §3.2).
pub const SPOT_INTERRUPTION_BAND: &str = "<5%";
/// Fargate Spot discount when none is given (docs/aws-facts.md §3.4: "up to ~70%").
pub const FARGATE_SPOT_DISCOUNT: f64 = 0.70;
/// Delay between a minute closing and its CloudWatch datapoint being visible (docs/aws-facts.md §6.2: ~1–2 min).
pub const METRIC_DELAY_S: u64 = 60;
/// EC2 launch to ACTIVE registration: lognormal median and p95 (docs/aws-facts.md §8: ~1–3 min).
pub const LAUNCH_MEDIAN_S: f64 = 90.0;
pub const LAUNCH_P95_S: f64 = 180.0;
/// Fargate provisioning (capacity, ENI): lognormal median and p95 (docs/aws-facts.md §8: ~30–60 s).
pub const FARGATE_PROVISIONING_MEDIAN_S: f64 = 35.0;
pub const FARGATE_PROVISIONING_P95_S: f64 = 70.0;
/// Container start on a host with a cached image (docs/aws-facts.md §8: a few seconds to ~10–20 s).
pub const TASK_STARTUP_S: f64 = 10.0;
/// Cloud Map DNS record TTL when a service discovery block gives none.
pub const DNS_TTL_S: u64 = 60;
/// Bytes of a request and of its response when a service gives none (load
/// balancer capacity units and cross-zone transfer; no AWS figure exists).
pub const REQUEST_BYTES: f64 = 1024.0;
pub const RESPONSE_BYTES: f64 = 10240.0;
