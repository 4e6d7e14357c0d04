//! Which members of each AWS object the import reads, which it ignores as
//! identity, state or history, and so which settings ecsim does not model.
//! Any other member that is set (an unknown one too) is reported by name:
//! nothing is dropped silently. docs/import.md lists the same tables.

use super::json::{Node, is_set};
use super::report::Report;

pub struct Keys {
    /// The command and generic path, as reported: `describe-services: services[]`.
    pub what: &'static str,
    /// Members the mapping reads.
    pub read: &'static [&'static str],
    /// Identity, state, history, permissions, tags and logging: nothing the
    /// simulation could use.
    pub ignored: &'static [&'static str],
    /// Members left unreported when they hold the AWS default (JSON text).
    pub defaults: &'static [(&'static str, &'static str)],
}

/// Reports every member of `node` that is set and neither read nor ignored.
pub fn report_unread(node: &Node<'_>, keys: &Keys, subject: &str, report: &mut Report) {
    let Some(object) = node.value.as_object() else { return };
    for (key, value) in object {
        let key = key.as_str();
        if keys.read.contains(&key) || keys.ignored.contains(&key) || !is_set(value) {
            continue;
        }
        if keys
            .defaults
            .iter()
            .any(|(k, d)| *k == key && serde_json::from_str::<serde_json::Value>(d).is_ok_and(|d| d == *value))
        {
            continue;
        }
        report.unmodelled(format!("{}.{key}", keys.what), subject);
    }
}

pub const CLUSTER: Keys = Keys {
    what: "describe-clusters: clusters[]",
    read: &["clusterArn", "clusterName", "capacityProviders", "defaultCapacityProviderStrategy"],
    ignored: &[
        "status",
        "registeredContainerInstancesCount",
        "runningTasksCount",
        "pendingTasksCount",
        "activeServicesCount",
        "statistics",
        "tags",
        "settings",
        "attachments",
        "attachmentsStatus",
    ],
    defaults: &[],
};

pub const CAPACITY_PROVIDER: Keys = Keys {
    what: "describe-capacity-providers: capacityProviders[]",
    read: &["name", "autoScalingGroupProvider", "type"],
    ignored: &["capacityProviderArn", "status", "updateStatus", "updateStatusReason", "tags", "cluster"],
    defaults: &[],
};

pub const ASG_PROVIDER: Keys = Keys {
    what: "describe-capacity-providers: capacityProviders[].autoScalingGroupProvider",
    read: &["autoScalingGroupArn", "managedScaling", "managedTerminationProtection", "managedDraining"],
    ignored: &[],
    defaults: &[],
};

pub const MANAGED_SCALING: Keys = Keys {
    what: "describe-capacity-providers: capacityProviders[].autoScalingGroupProvider.managedScaling",
    read: &["status", "targetCapacity", "minimumScalingStepSize", "maximumScalingStepSize", "instanceWarmupPeriod"],
    ignored: &[],
    defaults: &[],
};

pub const ASG: Keys = Keys {
    what: "describe-auto-scaling-groups: AutoScalingGroups[]",
    read: &[
        "AutoScalingGroupName",
        "AutoScalingGroupARN",
        "LaunchConfigurationName",
        "LaunchTemplate",
        "MixedInstancesPolicy",
        "MinSize",
        "MaxSize",
        "DesiredCapacity",
        "AvailabilityZones",
        "Instances",
        "NewInstancesProtectedFromScaleIn",
    ],
    ignored: &[
        "CreatedTime",
        "VPCZoneIdentifier",
        "EnabledMetrics",
        "Status",
        "Tags",
        "ServiceLinkedRoleARN",
        "PredictedCapacity",
        "WarmPoolSize",
        "Context",
        "LoadBalancerNames",
        "TrafficSources",
    ],
    defaults: &[
        ("DefaultCooldown", "300"),
        ("HealthCheckType", "\"EC2\""),
        ("HealthCheckGracePeriod", "0"),
        ("HealthCheckGracePeriod", "300"),
        ("TerminationPolicies", "[\"Default\"]"),
        ("DesiredCapacityType", "\"units\""),
    ],
};

pub const MIXED_INSTANCES: Keys = Keys {
    what: "describe-auto-scaling-groups: AutoScalingGroups[].MixedInstancesPolicy",
    read: &["LaunchTemplate", "InstancesDistribution"],
    ignored: &[],
    defaults: &[],
};

pub const OVERRIDE: Keys = Keys {
    what: "describe-auto-scaling-groups: AutoScalingGroups[].MixedInstancesPolicy.LaunchTemplate.Overrides[]",
    read: &["InstanceType"],
    ignored: &[],
    defaults: &[("WeightedCapacity", "\"1\"")],
};

pub const DISTRIBUTION: Keys = Keys {
    what: "describe-auto-scaling-groups: AutoScalingGroups[].MixedInstancesPolicy.InstancesDistribution",
    read: &[
        "OnDemandAllocationStrategy",
        "OnDemandBaseCapacity",
        "OnDemandPercentageAboveBaseCapacity",
        "SpotAllocationStrategy",
    ],
    ignored: &[],
    defaults: &[("SpotInstancePools", "2")],
};

pub const SERVICE: Keys = Keys {
    what: "describe-services: services[]",
    read: &[
        "serviceName",
        "clusterArn",
        "taskDefinition",
        "desiredCount",
        "launchType",
        "capacityProviderStrategy",
        "deploymentConfiguration",
        "placementConstraints",
        "placementStrategy",
        "healthCheckGracePeriodSeconds",
        "loadBalancers",
        "serviceRegistries",
        "schedulingStrategy",
        "deployments",
    ],
    ignored: &[
        "serviceArn",
        "status",
        "runningCount",
        "pendingCount",
        "events",
        "createdAt",
        "createdBy",
        "roleArn",
        "tags",
        "networkConfiguration",
        "platformFamily",
        "enableECSManagedTags",
        "propagateTags",
        "enableExecuteCommand",
        "currentServiceDeployment",
        "currentServiceRevisions",
        "resourceManagementType",
    ],
    defaults: &[
        ("deploymentController", "{\"type\":\"ECS\"}"),
        ("platformVersion", "\"LATEST\""),
        ("availabilityZoneRebalancing", "\"DISABLED\""),
    ],
};

pub const DEPLOYMENT_CONFIGURATION: Keys = Keys {
    what: "describe-services: services[].deploymentConfiguration",
    read: &["maximumPercent", "minimumHealthyPercent"],
    ignored: &[],
    defaults: &[
        ("deploymentCircuitBreaker", "{\"enable\":false,\"rollback\":false}"),
        ("alarms", "{\"alarmNames\":[],\"enable\":false,\"rollback\":false}"),
        ("strategy", "\"ROLLING\""),
        ("bakeTimeInMinutes", "0"),
    ],
};

pub const TASK_DEFINITION: Keys = Keys {
    what: "describe-task-definition: taskDefinition",
    read: &[
        "taskDefinitionArn",
        "family",
        "revision",
        "containerDefinitions",
        "cpu",
        "memory",
        "networkMode",
        "runtimePlatform",
        "placementConstraints",
    ],
    ignored: &[
        "taskRoleArn",
        "executionRoleArn",
        "status",
        "requiresAttributes",
        "compatibilities",
        "requiresCompatibilities",
        "registeredAt",
        "registeredBy",
        "deregisteredAt",
        "volumes",
        "ephemeralStorage",
        "pidMode",
        "ipcMode",
        "enableFaultInjection",
    ],
    defaults: &[],
};

pub const CONTAINER: Keys = Keys {
    what: "describe-task-definition: taskDefinition.containerDefinitions[]",
    read: &["name", "cpu", "memory", "memoryReservation", "portMappings", "stopTimeout", "environment", "secrets"],
    ignored: &[
        "image",
        "essential",
        "command",
        "entryPoint",
        "links",
        "mountPoints",
        "volumesFrom",
        "logConfiguration",
        "environmentFiles",
        "workingDirectory",
        "user",
        "hostname",
        "dockerLabels",
        "ulimits",
        "linuxParameters",
        "privileged",
        "readonlyRootFilesystem",
        "disableNetworking",
        "dnsServers",
        "dnsSearchDomains",
        "extraHosts",
        "dockerSecurityOptions",
        "interactive",
        "pseudoTerminal",
        "systemControls",
        "repositoryCredentials",
        "credentialSpecs",
        "firelensConfiguration",
        "versionConsistency",
    ],
    defaults: &[],
};

pub const TARGET_GROUP: Keys = Keys {
    what: "describe-target-groups: TargetGroups[]",
    read: &[
        "TargetGroupArn",
        "TargetGroupName",
        "Protocol",
        "HealthCheckIntervalSeconds",
        "HealthyThresholdCount",
        "UnhealthyThresholdCount",
        "LoadBalancerArns",
        "HealthCheckEnabled",
    ],
    ignored: &[
        "Port",
        "VpcId",
        "HealthCheckProtocol",
        "HealthCheckPort",
        "HealthCheckPath",
        "Matcher",
        "TargetType",
        "ProtocolVersion",
        "IpAddressType",
    ],
    defaults: &[],
};

pub const CLOUD_MAP_SERVICE: Keys = Keys {
    what: "get-service: Service",
    read: &["Id", "Arn", "DnsConfig"],
    ignored: &[
        "Name",
        "NamespaceId",
        "Description",
        "InstanceCount",
        "Type",
        "CreateDate",
        "CreatorRequestId",
        "ResourceOwner",
        "CreatedByAccount",
    ],
    defaults: &[("HealthCheckCustomConfig", "{\"FailureThreshold\":1}")],
};

pub const SCALABLE_TARGET: Keys = Keys {
    what: "describe-scalable-targets: ScalableTargets[]",
    read: &["ServiceNamespace", "ResourceId", "ScalableDimension", "MinCapacity", "MaxCapacity"],
    ignored: &["RoleARN", "CreationTime", "ScalableTargetARN", "PredictedCapacity"],
    defaults: &[(
        "SuspendedState",
        "{\"DynamicScalingInSuspended\":false,\"DynamicScalingOutSuspended\":false,\"ScheduledScalingSuspended\":false}",
    )],
};

pub const SCALING_POLICY: Keys = Keys {
    what: "describe-scaling-policies: ScalingPolicies[]",
    read: &[
        "PolicyName",
        "ServiceNamespace",
        "ResourceId",
        "ScalableDimension",
        "PolicyType",
        "TargetTrackingScalingPolicyConfiguration",
        "StepScalingPolicyConfiguration",
        "Alarms",
    ],
    ignored: &["PolicyARN", "CreationTime"],
    defaults: &[],
};

pub const TARGET_TRACKING: Keys = Keys {
    what: "describe-scaling-policies: ScalingPolicies[].TargetTrackingScalingPolicyConfiguration",
    read: &[
        "TargetValue",
        "PredefinedMetricSpecification",
        "CustomizedMetricSpecification",
        "ScaleOutCooldown",
        "ScaleInCooldown",
        "DisableScaleIn",
    ],
    ignored: &[],
    defaults: &[],
};

pub const STEP_SCALING: Keys = Keys {
    what: "describe-scaling-policies: ScalingPolicies[].StepScalingPolicyConfiguration",
    read: &["AdjustmentType", "StepAdjustments", "MinAdjustmentMagnitude", "Cooldown", "MetricAggregationType"],
    ignored: &[],
    defaults: &[],
};

pub const ALARM: Keys = Keys {
    what: "describe-alarms: MetricAlarms[]",
    read: &[
        "AlarmName",
        "MetricName",
        "Namespace",
        "Statistic",
        "Dimensions",
        "Period",
        "EvaluationPeriods",
        "DatapointsToAlarm",
        "Threshold",
        "ComparisonOperator",
        "AlarmActions",
        "ActionsEnabled",
    ],
    ignored: &[
        "AlarmArn",
        "AlarmDescription",
        "AlarmConfigurationUpdatedTimestamp",
        "OKActions",
        "InsufficientDataActions",
        "StateValue",
        "StateReason",
        "StateReasonData",
        "StateUpdatedTimestamp",
        "StateTransitionedTimestamp",
        "Unit",
        "EvaluationState",
    ],
    defaults: &[("TreatMissingData", "\"missing\"")],
};

pub const SCHEDULED_ACTION: Keys = Keys {
    what: "describe-scheduled-actions: ScheduledActions[]",
    read: &[
        "ScheduledActionName",
        "ServiceNamespace",
        "Schedule",
        "Timezone",
        "ResourceId",
        "ScalableDimension",
        "ScalableTargetAction",
    ],
    ignored: &["ScheduledActionARN", "CreationTime"],
    defaults: &[],
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::json::Doc;
    use crate::import::kind::Kind;

    #[test]
    fn set_members_neither_read_nor_ignored_nor_default_are_reported() {
        let value = serde_json::json!({
            "serviceName": "web", "serviceArn": "arn", "schedulingStrategy": "REPLICA",
            "deploymentController": {"type": "ECS"}, "platformVersion": "1.4.0",
            "taskSets": [], "enableExecuteCommand": true, "somethingNew": 3
        });
        let doc = Doc { name: "s.json".into(), label: "d/s.json".into(), kind: Kind::Services, value };
        let mut report = Report::default();
        report_unread(&Node::root(&doc), &SERVICE, "web", &mut report);
        assert_eq!(
            report.unmodelled_settings(),
            vec![
                "describe-services: services[].platformVersion (web)",
                "describe-services: services[].somethingNew (web)"
            ]
        );
    }
}
