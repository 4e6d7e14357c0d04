//! CloudWatch-like one-minute datapoints of a service's scaling metrics.
//!
//! The model computes, per minute and per service, the statistics CloudWatch
//! would hold over the tasks' samples; policies and alarms read one statistic
//! of one metric from them.

/// The predefined ECS metrics a service's scaling policies can use.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ServiceMetric {
    CpuUtilization,
    MemoryUtilization,
    AlbRequestCountPerTarget,
}

impl ServiceMetric {
    pub const ALL: [ServiceMetric; 3] =
        [ServiceMetric::CpuUtilization, ServiceMetric::MemoryUtilization, ServiceMetric::AlbRequestCountPerTarget];

    /// Parses the Application Auto Scaling predefined metric type name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.aws_name() == s)
    }

    /// The Application Auto Scaling predefined metric type name.
    pub fn aws_name(self) -> &'static str {
        match self {
            ServiceMetric::CpuUtilization => "ECSServiceAverageCPUUtilization",
            ServiceMetric::MemoryUtilization => "ECSServiceAverageMemoryUtilization",
            ServiceMetric::AlbRequestCountPerTarget => "ALBRequestCountPerTarget",
        }
    }

    /// The statistic a target tracking policy reads from this metric.
    ///
    /// CPU and memory are averages over the service's tasks. For
    /// RequestCountPerTarget "the only valid statistic is Sum", which already
    /// denotes the per-target average (Elastic Load Balancing, "CloudWatch
    /// metrics for your Application Load Balancer",
    /// docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-cloudwatch-metrics.html).
    pub fn tracked_statistic(self) -> Statistic {
        match self {
            ServiceMetric::CpuUtilization | ServiceMetric::MemoryUtilization => Statistic::Average,
            ServiceMetric::AlbRequestCountPerTarget => Statistic::Sum,
        }
    }
}

/// CloudWatch statistics of one period.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Statistic {
    Average,
    Maximum,
    Minimum,
    Sum,
    SampleCount,
}

impl Statistic {
    pub const ALL: [Statistic; 5] =
        [Statistic::Average, Statistic::Maximum, Statistic::Minimum, Statistic::Sum, Statistic::SampleCount];

    /// Parses CloudWatch's statistic name ("Average", "Maximum", ...).
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|st| st.aws_name() == s)
    }

    pub fn aws_name(self) -> &'static str {
        match self {
            Statistic::Average => "Average",
            Statistic::Maximum => "Maximum",
            Statistic::Minimum => "Minimum",
            Statistic::Sum => "Sum",
            Statistic::SampleCount => "SampleCount",
        }
    }

    /// Step scaling's MetricAggregationType accepts only these three
    /// (API_StepScalingPolicyConfiguration: "Average, Minimum, Maximum").
    pub fn is_metric_aggregation_type(self) -> bool {
        matches!(self, Statistic::Average | Statistic::Minimum | Statistic::Maximum)
    }
}

/// One minute of one metric, as CloudWatch would hold it (statistics over the tasks' samples).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Datapoint {
    pub average: f64,
    pub minimum: f64,
    pub maximum: f64,
    pub sum: f64,
    pub sample_count: f64,
}

impl Datapoint {
    /// A datapoint made of one sample: every statistic but SampleCount equals it.
    /// Suits metrics that are already one figure per minute, such as requests per target.
    pub fn single(value: f64) -> Self {
        Datapoint { average: value, minimum: value, maximum: value, sum: value, sample_count: 1.0 }
    }

    /// Statistics over the samples (e.g. one per task), summed in the given
    /// order so results are reproducible; `None` when there is no sample.
    pub fn from_samples(samples: &[f64]) -> Option<Self> {
        let (first, rest) = samples.split_first()?;
        let mut dp = Datapoint { average: 0.0, minimum: *first, maximum: *first, sum: *first, sample_count: 1.0 };
        for &s in rest {
            dp.minimum = dp.minimum.min(s);
            dp.maximum = dp.maximum.max(s);
            dp.sum += s;
            dp.sample_count += 1.0;
        }
        dp.average = dp.sum / dp.sample_count;
        Some(dp)
    }

    pub fn get(&self, statistic: Statistic) -> f64 {
        match statistic {
            Statistic::Average => self.average,
            Statistic::Maximum => self.maximum,
            Statistic::Minimum => self.minimum,
            Statistic::Sum => self.sum,
            Statistic::SampleCount => self.sample_count,
        }
    }
}

/// The per-minute datapoints of one service, published `delay` after the minute closes.
/// `None` = no data (e.g. no running task), which alarms treat as missing.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct MinuteMetrics {
    pub cpu: Option<Datapoint>,
    pub memory: Option<Datapoint>,
    pub request_count_per_target: Option<Datapoint>,
    /// Requests the load balancer received in the minute (the load metric of
    /// predictive scaling's ALBRequestCount pair); services with an ALB only.
    pub request_count: Option<Datapoint>,
    /// The service's running count at the end of the minute (Container
    /// Insights' RunningTaskCount): predictive scaling's capacity metric.
    pub running_tasks: Option<f64>,
    /// Its desired count at the end of the minute, before the minute's
    /// scaling decision (DesiredTaskCount).
    pub desired_tasks: Option<f64>,
}

impl MinuteMetrics {
    pub fn get(&self, metric: ServiceMetric) -> Option<Datapoint> {
        match metric {
            ServiceMetric::CpuUtilization => self.cpu,
            ServiceMetric::MemoryUtilization => self.memory,
            ServiceMetric::AlbRequestCountPerTarget => self.request_count_per_target,
        }
    }

    /// Only CPU data, each statistic equal to `percent`: handy for tests and simple models.
    pub fn cpu_only(percent: f64) -> Self {
        MinuteMetrics { cpu: Some(Datapoint::single(percent)), ..Default::default() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for m in ServiceMetric::ALL {
            assert_eq!(ServiceMetric::parse(m.aws_name()), Some(m));
        }
        for s in Statistic::ALL {
            assert_eq!(Statistic::parse(s.aws_name()), Some(s));
        }
        assert_eq!(ServiceMetric::parse("CPUUtilization"), None);
        assert_eq!(Statistic::parse("average"), None);
        assert_eq!(ServiceMetric::parse("ALBRequestCountPerTarget"), Some(ServiceMetric::AlbRequestCountPerTarget));
    }

    #[test]
    fn statistics_over_task_samples() {
        let dp = Datapoint::from_samples(&[30.0, 90.0, 60.0]).expect("three samples");
        assert_eq!(dp.get(Statistic::Average), 60.0);
        assert_eq!(dp.get(Statistic::Minimum), 30.0);
        assert_eq!(dp.get(Statistic::Maximum), 90.0);
        assert_eq!(dp.get(Statistic::Sum), 180.0);
        assert_eq!(dp.get(Statistic::SampleCount), 3.0);
        assert_eq!(Datapoint::from_samples(&[]), None);
    }

    #[test]
    fn tracked_statistics_and_aggregation_types() {
        assert_eq!(ServiceMetric::CpuUtilization.tracked_statistic(), Statistic::Average);
        assert_eq!(ServiceMetric::AlbRequestCountPerTarget.tracked_statistic(), Statistic::Sum);
        assert!(Statistic::Minimum.is_metric_aggregation_type());
        assert!(!Statistic::Sum.is_metric_aggregation_type());
        let m = MinuteMetrics::cpu_only(42.0);
        assert_eq!(m.get(ServiceMetric::CpuUtilization).map(|d| d.get(Statistic::Maximum)), Some(42.0));
        assert_eq!(m.get(ServiceMetric::MemoryUtilization), None);
    }
}
