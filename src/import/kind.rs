//! The AWS CLI commands ecsim imports, and the top-level key by which each
//! command's output is recognised. Its own file because both the parsed
//! documents (`json`) and the reader (`recognise`) name it.

/// The AWS CLI command a file holds the output of.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    Clusters,
    CapacityProviders,
    Services,
    TaskDefinition,
    AutoScalingGroups,
    LaunchTemplateVersions,
    ScalableTargets,
    ScalingPolicies,
    ScheduledActions,
    MetricAlarms,
    TargetGroups,
    TargetGroupAttributes,
    CloudMapService,
    MetricData,
    ServiceArns,
}

/// Top-level key -> command, checked in this order (describe-alarms also
/// writes `CompositeAlarms`; a wrapped attributes file also `TargetGroupArn`).
pub(super) const KEYS: &[(&str, Kind)] = &[
    ("clusters", Kind::Clusters),
    ("capacityProviders", Kind::CapacityProviders),
    ("services", Kind::Services),
    ("taskDefinition", Kind::TaskDefinition),
    ("AutoScalingGroups", Kind::AutoScalingGroups),
    ("LaunchTemplateVersions", Kind::LaunchTemplateVersions),
    ("ScalableTargets", Kind::ScalableTargets),
    ("ScalingPolicies", Kind::ScalingPolicies),
    ("ScheduledActions", Kind::ScheduledActions),
    ("MetricAlarms", Kind::MetricAlarms),
    ("TargetGroups", Kind::TargetGroups),
    ("Attributes", Kind::TargetGroupAttributes),
    ("Service", Kind::CloudMapService),
    ("MetricDataResults", Kind::MetricData),
    ("serviceArns", Kind::ServiceArns),
];

impl Kind {
    /// The CLI command, as named in comments and messages.
    pub fn command(self) -> &'static str {
        match self {
            Kind::Clusters => "describe-clusters",
            Kind::CapacityProviders => "describe-capacity-providers",
            Kind::Services => "describe-services",
            Kind::TaskDefinition => "describe-task-definition",
            Kind::AutoScalingGroups => "describe-auto-scaling-groups",
            Kind::LaunchTemplateVersions => "describe-launch-template-versions",
            Kind::ScalableTargets => "describe-scalable-targets",
            Kind::ScalingPolicies => "describe-scaling-policies",
            Kind::ScheduledActions => "describe-scheduled-actions",
            Kind::MetricAlarms => "describe-alarms",
            Kind::TargetGroups => "describe-target-groups",
            Kind::TargetGroupAttributes => "describe-target-group-attributes",
            Kind::CloudMapService => "get-service",
            Kind::MetricData => "get-metric-data",
            Kind::ServiceArns => "list-services",
        }
    }

    /// The key that holds the command's main list (or object).
    pub fn key(self) -> &'static str {
        KEYS.iter().find(|(_, k)| *k == self).map_or("", |(key, _)| key)
    }
}
