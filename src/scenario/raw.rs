//! The scenario file as written: serde structs with every key optional where
//! a default exists. Nothing here is interpreted; `resolve` turns it into the
//! typed `Scenario`. Unknown keys are refused everywhere.

use super::dist::Dist;
use super::duration::{Offset, parse_duration, parse_offset, parse_seconds};
use crate::engine::SimDuration;
use serde::{Deserialize, Deserializer};

/// A duration string such as "90s", checked while parsing so errors carry a position.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Dur(pub SimDuration);

impl<'de> Deserialize<'de> for Dur {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = duration_string(d)?;
        parse_duration(&s).map(Dur).map_err(serde::de::Error::custom)
    }
}

/// A duration kept as exact seconds (per-request work can be "0.5ms").
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Secs(pub f64);

impl<'de> Deserialize<'de> for Secs {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = duration_string(d)?;
        parse_seconds(&s).map(Secs).map_err(serde::de::Error::custom)
    }
}

/// An offset from the start ("3d 10:00", "2h") or an RFC 3339 instant.
#[derive(Clone, Debug, PartialEq)]
pub struct When(pub Offset);

impl<'de> Deserialize<'de> for When {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = duration_string(d)?;
        parse_offset(&s).map(When).map_err(serde::de::Error::custom)
    }
}

/// Reads a string, turning a bare number into the "needs a unit" message.
fn duration_string<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    struct V;
    impl serde::de::Visitor<'_> for V {
        type Value = String;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a duration string with a unit, such as \"90s\", \"5m\", \"2h\" or \"7d\"")
        }
        fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<String, E> {
            Ok(v.to_string())
        }
        fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<String, E> {
            Err(E::custom(format!("{v} has no unit; write a duration string such as \"{v}s\" or \"{v}m\"")))
        }
        fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<String, E> {
            self.visit_i64(v as i64)
        }
        fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<String, E> {
            Err(E::custom(format!("{v} has no unit; write a duration string such as \"{v}s\"")))
        }
    }
    d.deserialize_any(V)
}

#[derive(Deserialize, Debug, Default)]
#[serde(deny_unknown_fields)]
pub struct Simulation {
    pub name: Option<String>,
    pub start: Option<String>,
    pub duration: Option<Dur>,
    pub seed: Option<u64>,
    pub tick: Option<Dur>,
    pub replications: Option<u32>,
    pub initial_state: Option<String>,
    pub warmup: Option<Dur>,
}

#[derive(Deserialize, Debug, Default)]
#[serde(deny_unknown_fields)]
pub struct Region {
    pub name: Option<String>,
    pub availability_zones: Option<Vec<String>>,
}

#[derive(Deserialize, Debug, Default)]
#[serde(deny_unknown_fields)]
pub struct Cluster {
    pub name: Option<String>,
    pub awsvpc_trunking: Option<bool>,
}

#[derive(Deserialize, Debug, Default)]
#[serde(deny_unknown_fields)]
pub struct CloudWatch {
    /// How long after a minute closes its datapoint becomes visible to alarms.
    pub metric_delay: Option<Dur>,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct InstanceType {
    pub name: String,
    pub vcpu: Option<u32>,
    pub memory_mib: Option<u32>,
    pub registered_memory_mib: Option<u32>,
    pub max_enis: Option<u32>,
    pub ipv4_per_eni: Option<u32>,
    pub awsvpc_tasks: Option<u32>,
    pub awsvpc_tasks_trunk: Option<u32>,
    pub on_demand_hourly: Option<f64>,
    pub architecture: Option<String>,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct ManagedScaling {
    pub status: Option<String>,
    pub target_capacity: Option<f64>,
    pub minimum_scaling_step_size: Option<u32>,
    pub maximum_scaling_step_size: Option<u32>,
    pub instance_warmup_period: Option<Dur>,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct CapacityProvider {
    pub name: String,
    pub kind: String,
    // EC2 Auto Scaling group providers
    pub instance_types: Option<Vec<String>>,
    pub lifecycle: Option<String>,
    pub allocation_strategy: Option<String>,
    pub on_demand_allocation_strategy: Option<String>,
    pub on_demand_base_capacity: Option<u32>,
    pub on_demand_percentage_above_base_capacity: Option<f64>,
    pub min_size: Option<u32>,
    pub max_size: Option<u32>,
    pub desired_capacity: Option<u32>,
    pub launch_time: Option<Dist>,
    pub enable_spot_draining: Option<bool>,
    pub managed_termination_protection: Option<String>,
    pub managed_draining: Option<String>,
    pub managed_scaling: Option<ManagedScaling>,
    /// Instances get a public IPv4 address (charged when `[cost] public_ipv4`).
    pub public_ip: Option<bool>,
    pub root_volume_gib: Option<f64>,
    pub root_volume_type: Option<String>,
    // Fargate providers
    pub provisioning_time: Option<Dist>,
    pub max_vcpu: Option<f64>,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct ReservedInstances {
    pub instance_type: String,
    pub count: u32,
    pub effective_hourly: f64,
}

/// `[[savings_plans]]`: an hourly commitment bought at a discount.
#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct SavingsPlan {
    pub kind: String,
    pub family: Option<String>,
    pub commitment_per_hour: f64,
    pub discount: Option<f64>,
    pub fargate_discount: Option<f64>,
    /// Years (1 or 3); with `payment`, selects the built-in rates instead of `discount`.
    pub term: Option<u32>,
    pub payment: Option<String>,
}

/// `[cost]`: which items beyond compute are charged, and explicit prices.
#[derive(Deserialize, Debug, Default)]
#[serde(deny_unknown_fields)]
pub struct CostSettings {
    pub load_balancers: Option<bool>,
    pub public_ipv4: Option<bool>,
    pub data_transfer: Option<bool>,
    pub storage: Option<bool>,
    pub prices: Option<CostPrices>,
}

/// `[cost.prices]`: overrides of the built-in regional prices (USD).
#[derive(Deserialize, Debug, Default)]
#[serde(deny_unknown_fields)]
pub struct CostPrices {
    pub alb_hourly: Option<f64>,
    pub alb_lcu_hourly: Option<f64>,
    pub nlb_hourly: Option<f64>,
    pub nlb_nlcu_hourly: Option<f64>,
    pub public_ipv4_hourly: Option<f64>,
    pub cross_az_per_gb_each_way: Option<f64>,
    pub ebs_gp3_gb_month: Option<f64>,
    pub ebs_gp2_gb_month: Option<f64>,
    pub fargate_ephemeral_gb_hour: Option<f64>,
    pub fargate_vcpu_hour: Option<f64>,
    pub fargate_gb_hour: Option<f64>,
    pub fargate_arm64_vcpu_hour: Option<f64>,
    pub fargate_arm64_gb_hour: Option<f64>,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct SpotPool {
    pub instance_type: String,
    pub zone: Option<String>,
    pub interruption_frequency: Option<String>,
    pub discount: Option<f64>,
    /// CSV of `time_s,usd_per_hour` (seconds from start or RFC 3339): the pool's price over time.
    pub price_trace: Option<String>,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct ReclaimEvents {
    pub rate_per_month: f64,
    pub fraction: f64,
    pub instance_type: Option<String>,
    pub zone: Option<String>,
}

#[derive(Deserialize, Debug, Default)]
#[serde(deny_unknown_fields)]
pub struct FargateSpot {
    pub discount: Option<f64>,
    pub interruption_frequency: Option<String>,
    pub unavailable_probability: Option<f64>,
    pub reclaim_events: Option<Vec<FargateReclaimEvents>>,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct FargateReclaimEvents {
    pub rate_per_month: f64,
    pub fraction: f64,
    pub zone: Option<String>,
    pub drought: Option<Dur>,
    pub drought_unavailable_probability: Option<f64>,
}

/// One token bucket of `[limits]`.
#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct RateLimit {
    pub burst: u32,
    pub per_second: f64,
}

/// `[limits]`: control-plane launch limits, each a token bucket.
#[derive(Deserialize, Debug, Default)]
#[serde(deny_unknown_fields)]
pub struct Limits {
    pub fargate_launch: Option<RateLimit>,
    pub fargate_spot_launch: Option<RateLimit>,
    pub ec2_run_instances: Option<RateLimit>,
    pub service_launch: Option<RateLimit>,
}

#[derive(Deserialize, Debug, Default)]
#[serde(deny_unknown_fields)]
pub struct Spot {
    pub discount: Option<f64>,
    pub interruption_frequency: Option<String>,
    pub notice: Option<Dur>,
    pub launch_failure_probability: Option<f64>,
    pub pools: Option<Vec<SpotPool>>,
    pub reclaim_events: Option<Vec<ReclaimEvents>>,
    pub fargate: Option<FargateSpot>,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct PortMapping {
    pub container_port: u32,
    pub host_port: Option<u32>,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct TaskDefinition {
    pub family: String,
    pub cpu: u32,
    pub memory: u32,
    pub network_mode: Option<String>,
    pub port_mappings: Option<Vec<PortMapping>>,
    pub startup_time: Option<Dist>,
    pub shutdown_time: Option<Dist>,
    pub warmup_time: Option<Dist>,
    pub stop_timeout: Option<Dur>,
    pub cpu_architecture: Option<String>,
    /// Fargate ephemeral storage (GiB); above the free 20 GiB it is charged.
    pub ephemeral_storage_gib: Option<f64>,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct StrategyItem {
    pub capacity_provider: String,
    pub base: Option<u32>,
    pub weight: Option<u32>,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct PlacementStrategy {
    #[serde(rename = "type")]
    pub kind: String,
    pub field: Option<String>,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct PlacementConstraint {
    #[serde(rename = "type")]
    pub kind: String,
    pub expression: Option<String>,
}

#[derive(Deserialize, Debug, Default)]
#[serde(deny_unknown_fields)]
pub struct DeploymentConfiguration {
    pub minimum_healthy_percent: Option<f64>,
    pub maximum_percent: Option<f64>,
    pub deployment_circuit_breaker: Option<CircuitBreaker>,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct CircuitBreaker {
    pub enable: bool,
    pub rollback: bool,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct LoadBalancer {
    /// Services naming the same load balancer share it (and its cost).
    pub name: Option<String>,
    pub kind: Option<String>,
    pub deregistration_delay: Option<Dur>,
    pub health_check_interval: Option<Dur>,
    pub health_check_timeout: Option<Dur>,
    pub healthy_threshold: Option<u32>,
    pub unhealthy_threshold: Option<u32>,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct ServiceDiscovery {
    pub kind: Option<String>,
    pub dns_ttl: Option<Dur>,
}

/// One table for every rate form; `resolve` checks which keys go with which form.
#[derive(Deserialize, Debug, Default)]
#[serde(deny_unknown_fields)]
pub struct Rate {
    pub pattern: Option<String>,
    pub value: Option<f64>,
    pub base: Option<f64>,
    pub peak: Option<f64>,
    pub peak_at: Option<String>,
    pub timezone: Option<String>,
    pub from: Option<f64>,
    pub to: Option<f64>,
    pub start: Option<When>,
    pub end: Option<When>,
    pub noise: Option<f64>,
    pub trace: Option<String>,
    pub time_column: Option<String>,
    pub value_column: Option<String>,
    pub scale: Option<f64>,
    pub interpolate: Option<String>,
    pub peaks: Option<Vec<Peak>>,
    pub weekdays: Option<Vec<f64>>,
    pub holidays: Option<Vec<String>>,
}

/// One bump of a diurnal pattern with several peaks.
#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct Peak {
    pub at: String,
    pub height: f64,
    pub width: Dur,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct Spike {
    pub at: When,
    pub multiplier: f64,
    pub ramp: Option<Dur>,
    pub hold: Dur,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct Slo {
    pub latency_p99: Option<Secs>,
    pub availability: Option<f64>,
    pub end_to_end_p99: Option<Secs>,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct Workload {
    pub rate: Option<Rate>,
    pub spikes: Option<Vec<Spike>>,
    pub cpu_per_request: Option<Secs>,
    pub request_timeout: Option<Secs>,
    pub baseline_cpu_percent: Option<f64>,
    pub memory_base_mib: Option<f64>,
    pub memory_per_inflight_mib: Option<f64>,
    pub slo: Option<Slo>,
    /// Bytes of one request and of its response (load balancer and data transfer cost).
    pub request_bytes: Option<f64>,
    pub response_bytes: Option<f64>,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct TargetTracking {
    pub name: String,
    pub predefined_metric: String,
    pub target_value: f64,
    pub scale_out_cooldown: Option<Dur>,
    pub scale_in_cooldown: Option<Dur>,
    pub disable_scale_in: Option<bool>,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct Step {
    pub lower: Option<f64>,
    pub upper: Option<f64>,
    pub adjustment: i64,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct StepScaling {
    pub name: String,
    pub metric: String,
    pub statistic: Option<String>,
    pub comparison: String,
    pub threshold: f64,
    pub evaluation_periods: Option<u32>,
    pub datapoints_to_alarm: Option<u32>,
    pub adjustment_type: String,
    pub min_adjustment_magnitude: Option<u32>,
    pub cooldown: Option<Dur>,
    pub metric_aggregation_type: Option<String>,
    pub steps: Vec<Step>,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct ScheduledAction {
    pub name: String,
    pub schedule: String,
    pub timezone: Option<String>,
    pub min_capacity: Option<u32>,
    pub max_capacity: Option<u32>,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct AutoScaling {
    pub min_capacity: u32,
    pub max_capacity: u32,
    pub target_tracking: Option<Vec<TargetTracking>>,
    pub step_scaling: Option<Vec<StepScaling>>,
    pub scheduled: Option<Vec<ScheduledAction>>,
    pub predictive: Option<Vec<Predictive>>,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct Predictive {
    pub name: String,
    pub metric_pair: Option<String>,
    pub target_value: f64,
    pub mode: Option<String>,
    pub scheduling_buffer_time: Option<Dur>,
    pub max_capacity_breach_behavior: Option<String>,
    pub max_capacity_buffer: Option<u32>,
    pub forecaster: Option<String>,
    pub timezone: Option<String>,
    pub customized_scaling_metric_specification: Option<CustomizedMetric>,
    pub customized_load_metric_specification: Option<CustomizedMetric>,
    pub customized_capacity_metric_specification: Option<CustomizedMetric>,
}

/// PredictiveScalingCustomizedMetricSpecification.
#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct CustomizedMetric {
    pub metric_data_queries: Vec<MetricDataQuery>,
}

/// PredictiveScalingMetricDataQuery (without `label`, which only names a
/// series on a console).
#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct MetricDataQuery {
    pub id: String,
    pub expression: Option<String>,
    pub metric_stat: Option<MetricStat>,
    pub return_data: Option<bool>,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct MetricStat {
    pub metric: CloudWatchMetric,
    pub stat: String,
    pub unit: Option<String>,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct CloudWatchMetric {
    pub namespace: String,
    pub metric_name: String,
    pub dimensions: Option<Vec<MetricDimension>>,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct MetricDimension {
    pub name: String,
    pub value: String,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct Call {
    pub service: String,
    pub per_request: Option<f64>,
    pub via: Option<String>,
    pub parallel: Option<bool>,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct Service {
    pub name: String,
    pub task_definition: String,
    pub desired_count: u32,
    pub health_check_grace_period: Option<Dur>,
    pub capacity_provider_strategy: Option<Vec<StrategyItem>>,
    pub placement_strategy: Option<Vec<PlacementStrategy>>,
    pub placement_constraints: Option<Vec<PlacementConstraint>>,
    pub deployment_configuration: Option<DeploymentConfiguration>,
    pub load_balancer: Option<LoadBalancer>,
    pub service_discovery: Option<ServiceDiscovery>,
    pub workload: Option<Workload>,
    pub auto_scaling: Option<AutoScaling>,
    pub calls: Option<Vec<Call>>,
    /// Fargate tasks get a public IPv4 address (awsvpc `assignPublicIp`).
    pub assign_public_ip: Option<bool>,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct ScheduledTask {
    pub name: String,
    pub task_definition: String,
    pub schedule: String,
    pub timezone: Option<String>,
    pub count: Option<u32>,
    pub duration: Dist,
    pub capacity_provider_strategy: Option<Vec<StrategyItem>>,
    pub placement_strategy: Option<Vec<PlacementStrategy>>,
    pub placement_constraints: Option<Vec<PlacementConstraint>>,
    pub max_attempts: Option<u32>,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct ScriptedEvent {
    pub at: When,
    pub kind: String,
    pub service: Option<String>,
    pub task_definition: Option<String>,
    pub zone: Option<String>,
    pub duration: Option<Dur>,
    pub desired_count: Option<u32>,
    pub capacity_provider: Option<String>,
    pub count: Option<u32>,
    pub fraction: Option<f64>,
}

#[derive(Deserialize, Debug, Default)]
#[serde(deny_unknown_fields)]
pub struct Output {
    pub timeseries: Option<bool>,
    pub timeseries_interval: Option<Dur>,
    pub events: Option<bool>,
}

/// The whole file. Each part is deserialized on its own so that one bad
/// section does not hide problems in the others.
#[derive(Debug, Default)]
pub struct RawScenario {
    pub simulation: Option<Simulation>,
    pub region: Option<Region>,
    pub cluster: Option<Cluster>,
    pub cloudwatch: Option<CloudWatch>,
    pub instance_types: Vec<Option<InstanceType>>,
    pub capacity_providers: Vec<Option<CapacityProvider>>,
    pub reserved_instances: Vec<Option<ReservedInstances>>,
    pub savings_plans: Vec<Option<SavingsPlan>>,
    pub cost: Option<CostSettings>,
    pub spot: Option<Spot>,
    pub limits: Option<Limits>,
    pub task_definitions: Vec<Option<TaskDefinition>>,
    pub services: Vec<Option<Service>>,
    pub scheduled_tasks: Vec<Option<ScheduledTask>>,
    pub events: Vec<Option<ScriptedEvent>>,
    pub output: Option<Output>,
}

/// The top-level keys a scenario may have, in documentation order.
pub const TOP_LEVEL_KEYS: &[&str] = &[
    "simulation",
    "region",
    "cluster",
    "cloudwatch",
    "instance_types",
    "capacity_providers",
    "reserved_instances",
    "savings_plans",
    "cost",
    "spot",
    "limits",
    "task_definitions",
    "services",
    "scheduled_tasks",
    "events",
    "output",
];
