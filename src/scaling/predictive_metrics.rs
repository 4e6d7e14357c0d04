//! What a predictive policy measures: a predefined metric pair, or custom
//! scaling, load and capacity metrics (the API's customized metric
//! specifications) among the CloudWatch metrics ecsim computes for a service
//! (docs/model.md §9.7, docs/aws-facts.md §17).
//!
//! A pair's load is the sum over tasks of its scaling metric, so the capacity
//! of a forecast load L at target T is ceil(L / T). Custom metrics need not be
//! related so simply (the load may be requests and the scaling metric CPU), so
//! the policy learns the relation from the history: k = Σ (scaling metric ×
//! capacity) / Σ load over the minutes of the window that have all three, and
//! the capacity is ceil(L × k / T).

use super::metrics::MinuteMetrics;

/// The predefined metric pairs of predictive scaling for ECS services.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MetricPair {
    /// Load: the tasks' CPU utilisation summed (ECSServiceTotalCPUUtilization);
    /// target: average CPU per task.
    Cpu,
    /// The same for memory.
    Memory,
    /// Load: requests per minute at the target group (ALBRequestCount);
    /// target: requests per minute per task.
    AlbRequestCount,
}

impl MetricPair {
    pub const ALL: [(&'static str, MetricPair); 3] = [
        ("ECSServiceCPUUtilization", MetricPair::Cpu),
        ("ECSServiceMemoryUtilization", MetricPair::Memory),
        ("ALBRequestCount", MetricPair::AlbRequestCount),
    ];

    /// The minute's load: the sum over tasks of the scaling metric (the
    /// datapoint's Sum statistic), or the request count.
    pub fn load(self, m: &MinuteMetrics) -> Option<f64> {
        match self {
            MetricPair::Cpu => m.cpu.map(|d| d.sum),
            MetricPair::Memory => m.memory.map(|d| d.sum),
            MetricPair::AlbRequestCount => m.request_count.map(|d| d.sum),
        }
    }
}

/// The part a custom metric plays in a policy.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// The service's whole load, whatever its capacity (a total).
    Load,
    /// A per-task figure the target value is for (falls as tasks are added).
    Scaling,
    /// How many tasks there were.
    Capacity,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Load => "load",
            Role::Scaling => "scaling",
            Role::Capacity => "capacity",
        }
    }
}

/// The dimensions a metric is published with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dimensions {
    /// `ClusterName` and `ServiceName`: the policy's own service.
    Service,
    /// `TargetGroup`, optionally with `LoadBalancer`: the service's target
    /// group (ecsim gives each service one, so the values are not matched).
    TargetGroup,
}

/// A CloudWatch metric and statistic ecsim computes each minute for a service.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CustomMetric {
    CpuSum,
    CpuAverage,
    MemorySum,
    MemoryAverage,
    RequestCount,
    RequestCountPerTarget,
    RunningTaskCount,
    DesiredTaskCount,
}

/// One supported (namespace, metric, statistic) and what it is.
#[derive(Clone, Copy, Debug)]
pub struct Supported {
    pub namespace: &'static str,
    pub metric_name: &'static str,
    pub stat: &'static str,
    pub unit: &'static str,
    pub dimensions: Dimensions,
    pub role: Role,
    pub metric: CustomMetric,
}

const fn entry(
    namespace: &'static str,
    metric_name: &'static str,
    stat: &'static str,
    unit: &'static str,
    dimensions: Dimensions,
    role: Role,
    metric: CustomMetric,
) -> Supported {
    Supported { namespace, metric_name, stat, unit, dimensions, role, metric }
}

/// Every custom metric a predictive policy may name, by role.
pub const SUPPORTED: [Supported; 8] = {
    use CustomMetric::*;
    use Dimensions::*;
    use Role::*;
    [
        entry("AWS/ECS", "CPUUtilization", "Sum", "Percent", Service, Load, CpuSum),
        entry("AWS/ECS", "MemoryUtilization", "Sum", "Percent", Service, Load, MemorySum),
        entry("AWS/ApplicationELB", "RequestCount", "Sum", "Count", TargetGroup, Load, RequestCount),
        entry("AWS/ECS", "CPUUtilization", "Average", "Percent", Service, Scaling, CpuAverage),
        entry("AWS/ECS", "MemoryUtilization", "Average", "Percent", Service, Scaling, MemoryAverage),
        entry(
            "AWS/ApplicationELB",
            "RequestCountPerTarget",
            "Sum",
            "Count",
            TargetGroup,
            Scaling,
            RequestCountPerTarget,
        ),
        entry("ECS/ContainerInsights", "RunningTaskCount", "Average", "Count", Service, Capacity, RunningTaskCount),
        entry("ECS/ContainerInsights", "DesiredTaskCount", "Average", "Count", Service, Capacity, DesiredTaskCount),
    ]
};

impl CustomMetric {
    /// The minute's value: the datapoint's statistic, or the task count.
    pub fn value(self, m: &MinuteMetrics) -> Option<f64> {
        match self {
            CustomMetric::CpuSum => m.cpu.map(|d| d.sum),
            CustomMetric::CpuAverage => m.cpu.map(|d| d.average),
            CustomMetric::MemorySum => m.memory.map(|d| d.sum),
            CustomMetric::MemoryAverage => m.memory.map(|d| d.average),
            CustomMetric::RequestCount => m.request_count.map(|d| d.sum),
            CustomMetric::RequestCountPerTarget => m.request_count_per_target.map(|d| d.sum),
            CustomMetric::RunningTaskCount => m.running_tasks,
            CustomMetric::DesiredTaskCount => m.desired_tasks,
        }
    }

    /// Needs an Application Load Balancer in front of the service.
    pub fn needs_alb(self) -> bool {
        matches!(self, CustomMetric::RequestCount | CustomMetric::RequestCountPerTarget)
    }

    /// A utilisation percentage (the target is at most 100).
    pub fn is_percent(self) -> bool {
        matches!(
            self,
            CustomMetric::CpuSum | CustomMetric::CpuAverage | CustomMetric::MemorySum | CustomMetric::MemoryAverage
        )
    }
}

/// The supported metrics of one role, as `namespace metric (stat)`, for messages.
pub fn supported_list(role: Role) -> String {
    let names: Vec<String> = SUPPORTED
        .iter()
        .filter(|s| s.role == role)
        .map(|s| format!("{} {} ({})", s.namespace, s.metric_name, s.stat))
        .collect();
    names.join(", ")
}

/// What a predictive policy measures.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PredictiveMetrics {
    Pair(MetricPair),
    /// Custom scaling and load metrics; capacity is the running count unless given.
    Custom {
        scaling: CustomMetric,
        load: CustomMetric,
        capacity: Option<CustomMetric>,
    },
}

impl PredictiveMetrics {
    /// Custom metrics that are a predefined pair's two metrics (and no capacity
    /// metric) are that pair, as the API's pairs are defined.
    pub fn custom(scaling: CustomMetric, load: CustomMetric, capacity: Option<CustomMetric>) -> Self {
        use CustomMetric::*;
        match (scaling, load, capacity) {
            (CpuAverage, CpuSum, None) => PredictiveMetrics::Pair(MetricPair::Cpu),
            (MemoryAverage, MemorySum, None) => PredictiveMetrics::Pair(MetricPair::Memory),
            (RequestCountPerTarget, RequestCount, None) => PredictiveMetrics::Pair(MetricPair::AlbRequestCount),
            _ => PredictiveMetrics::Custom { scaling, load, capacity },
        }
    }

    /// The minute's load.
    pub fn load(self, m: &MinuteMetrics) -> Option<f64> {
        match self {
            PredictiveMetrics::Pair(p) => p.load(m),
            PredictiveMetrics::Custom { load, .. } => load.value(m),
        }
    }

    /// For custom metrics, the minute's (scaling metric × capacity, load) when
    /// all three have a value; None for a pair (its relation is 1 by definition).
    pub fn relation(self, m: &MinuteMetrics) -> Option<(f64, f64)> {
        match self {
            PredictiveMetrics::Pair(_) => None,
            PredictiveMetrics::Custom { scaling, load, capacity } => {
                let capacity = capacity.unwrap_or(CustomMetric::RunningTaskCount).value(m)?;
                Some((scaling.value(m)? * capacity, load.value(m)?))
            }
        }
    }

    pub fn is_pair(self) -> bool {
        matches!(self, PredictiveMetrics::Pair(_))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scaling::Datapoint;

    #[test]
    fn a_custom_spec_naming_a_pairs_metrics_is_that_pair() {
        use CustomMetric::*;
        assert_eq!(PredictiveMetrics::custom(CpuAverage, CpuSum, None), PredictiveMetrics::Pair(MetricPair::Cpu));
        assert_eq!(
            PredictiveMetrics::custom(RequestCountPerTarget, RequestCount, None),
            PredictiveMetrics::Pair(MetricPair::AlbRequestCount)
        );
        // With a capacity metric, or across pairs, it is custom.
        assert!(!PredictiveMetrics::custom(CpuAverage, CpuSum, Some(DesiredTaskCount)).is_pair());
        assert!(!PredictiveMetrics::custom(CpuAverage, RequestCount, None).is_pair());
    }

    #[test]
    fn the_relation_multiplies_the_scaling_metric_by_the_capacity() {
        // 5 running tasks at 40% CPU while the load balancer took 1,200 requests in the
        // minute: scaling × capacity = 200, load = 1200.
        let m = MinuteMetrics {
            cpu: Some(Datapoint { sum: 200.0, ..Datapoint::single(40.0) }),
            request_count: Some(Datapoint::single(1200.0)),
            running_tasks: Some(5.0),
            desired_tasks: Some(6.0),
            ..Default::default()
        };
        let custom = PredictiveMetrics::custom(CustomMetric::CpuAverage, CustomMetric::RequestCount, None);
        assert_eq!(custom.relation(&m), Some((200.0, 1200.0)));
        assert_eq!(custom.load(&m), Some(1200.0));
        let desired = PredictiveMetrics::custom(
            CustomMetric::CpuAverage,
            CustomMetric::RequestCount,
            Some(CustomMetric::DesiredTaskCount),
        );
        assert_eq!(desired.relation(&m), Some((240.0, 1200.0)));
        // No request count (no load balancer): no relation that minute.
        let no_lb = MinuteMetrics { request_count: None, ..m };
        assert_eq!(custom.relation(&no_lb), None);
        assert_eq!(PredictiveMetrics::Pair(MetricPair::Cpu).relation(&m), None);
    }

    #[test]
    fn every_role_lists_its_metrics() {
        assert_eq!(
            supported_list(Role::Load),
            "AWS/ECS CPUUtilization (Sum), AWS/ECS MemoryUtilization (Sum), AWS/ApplicationELB RequestCount (Sum)"
        );
        assert_eq!(
            supported_list(Role::Capacity),
            "ECS/ContainerInsights RunningTaskCount (Average), ECS/ContainerInsights DesiredTaskCount (Average)"
        );
    }
}
