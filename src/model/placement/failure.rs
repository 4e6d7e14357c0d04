//! Why a task could not be placed: one variant per reason, each with the
//! `summary.json` key (`tasks.placement_failures.<key>`) and the text of the
//! `placement_failed` event. An enum rather than strings so that the summary
//! counts every reason and no reason can go uncounted or unnamed.

/// Why no capacity could take a task. The EC2 variants come in the order
/// ECS makes its checks (architecture, resources, then constraints), so a
/// later one is a closer miss: a scan reports the furthest any instance got.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PlacementFailure {
    /// No instance of the provider takes tasks (none ACTIVE in an up zone).
    NoInstances,
    AttributeArch,
    ResourceCpu,
    ResourceMemory,
    ResourcePorts,
    ResourceEni,
    ConstraintMemberOf,
    ConstraintDistinctInstance,
    FargateQuota,
    FargateSpotCapacity,
    ZoneOutage,
}

impl PlacementFailure {
    /// Every reason, in `summary.json` order (the order of the variants).
    pub const ALL: [PlacementFailure; 11] = [
        PlacementFailure::NoInstances,
        PlacementFailure::AttributeArch,
        PlacementFailure::ResourceCpu,
        PlacementFailure::ResourceMemory,
        PlacementFailure::ResourcePorts,
        PlacementFailure::ResourceEni,
        PlacementFailure::ConstraintMemberOf,
        PlacementFailure::ConstraintDistinctInstance,
        PlacementFailure::FargateQuota,
        PlacementFailure::FargateSpotCapacity,
        PlacementFailure::ZoneOutage,
    ];

    /// Its position in [`PlacementFailure::ALL`] (for per-reason counters).
    pub fn index(self) -> usize {
        self as usize
    }

    /// The key under `tasks.placement_failures` in `summary.json`.
    pub fn key(self) -> &'static str {
        match self {
            PlacementFailure::NoInstances => "no_instances",
            PlacementFailure::AttributeArch => "attribute_arch",
            PlacementFailure::ResourceCpu => "resource_cpu",
            PlacementFailure::ResourceMemory => "resource_memory",
            PlacementFailure::ResourcePorts => "resource_ports",
            PlacementFailure::ResourceEni => "resource_eni",
            PlacementFailure::ConstraintMemberOf => "constraint_member_of",
            PlacementFailure::ConstraintDistinctInstance => "constraint_distinct_instance",
            PlacementFailure::FargateQuota => "fargate_quota",
            PlacementFailure::FargateSpotCapacity => "fargate_spot_capacity",
            PlacementFailure::ZoneOutage => "zone_outage",
        }
    }

    /// What the event log says.
    pub fn text(self) -> &'static str {
        match self {
            PlacementFailure::NoInstances => "no ACTIVE container instance",
            PlacementFailure::AttributeArch => "no instance of the task's CPU architecture",
            PlacementFailure::ResourceCpu => "insufficient CPU units on the closest matching instance",
            PlacementFailure::ResourceMemory => "insufficient memory on the closest matching instance",
            PlacementFailure::ResourcePorts => {
                "a required host port is already in use on the closest matching instance"
            }
            PlacementFailure::ResourceEni => "no free network interface (awsvpc) on the closest matching instance",
            PlacementFailure::ConstraintMemberOf => "no instance matches the memberOf constraint",
            PlacementFailure::ConstraintDistinctInstance => {
                "every matching instance already runs a task of this group (distinctInstance)"
            }
            PlacementFailure::FargateQuota => "the Fargate vCPU quota is reached",
            PlacementFailure::FargateSpotCapacity => "Fargate Spot capacity is unavailable at this time",
            PlacementFailure::ZoneOutage => "every availability zone is down",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_keep_their_summary_order() {
        // The summary's keys and order before the enum replaced the string table.
        let keys: Vec<&str> = PlacementFailure::ALL.iter().map(|r| r.key()).collect();
        assert_eq!(
            keys,
            [
                "no_instances",
                "attribute_arch",
                "resource_cpu",
                "resource_memory",
                "resource_ports",
                "resource_eni",
                "constraint_member_of",
                "constraint_distinct_instance",
                "fargate_quota",
                "fargate_spot_capacity",
                "zone_outage",
            ]
        );
        for (k, r) in PlacementFailure::ALL.iter().enumerate() {
            assert_eq!(r.index(), k, "{r:?}");
        }
    }
}
