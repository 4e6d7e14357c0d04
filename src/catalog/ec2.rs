//! Built-in EC2 instance types (us-east-1, Linux, on-demand): size, ENI limits,
//! awsvpc task limits with and without ENI trunking, price, and the memory the
//! ECS agent registers.
//!
//! The data is one static table, [`INSTANCE_TYPE_TABLE`]; everything else in
//! this file is a documented rule applied to it.

use super::Arch;
use super::Arch::{Arm64, X86_64};

/// ECS counts 1,024 CPU units per vCPU (ECS Developer Guide, task definition
/// parameters "cpu"; docs/aws-facts.md §5.4).
pub const CPU_UNITS_PER_VCPU: u32 = 1024;

/// Numerator of the registered-memory ratio: AWS's example m4.large registers
/// 7985 MiB ("Container instance memory management", memory-management.html).
pub const REGISTERED_MEMORY_EXAMPLE_MIB: u32 = 7985;
/// Denominator of the registered-memory ratio: the example's advertised 8 GiB.
pub const REGISTERED_MEMORY_EXAMPLE_ADVERTISED_MIB: u32 = 8192;

/// The registered-memory rule as it appears in `summary.json` assumptions.
pub const REGISTERED_MEMORY_RULE: &str = "ASSUMPTION: registered memory = floor(advertised MiB \
     * 7985 / 8192), the ratio of AWS's only published example (m4.large, 8 GiB advertised, \
     7985 MiB registered on the ECS-optimized Amazon Linux AMI, ECS Developer Guide \
     'Container instance memory management'), with ECS_RESERVED_MEMORY = 0; a per-type \
     documented figure overrides it";

/// One EC2 instance type as the simulator sees it.
#[derive(Clone, Debug, PartialEq)]
pub struct InstanceType {
    /// API name, e.g. "m5.large".
    pub name: String,
    pub arch: Arch,
    pub vcpu: u32,
    /// Advertised memory (8 GiB -> 8192).
    pub memory_mib: u32,
    /// Memory the ECS agent registers: what tasks can reserve.
    pub registered_memory_mib: u32,
    /// Maximum network interfaces, the primary one included.
    pub max_enis: u32,
    pub ipv4_per_eni: u32,
    /// awsvpc tasks without trunking: one ENI each, the primary ENI excluded.
    pub awsvpc_tasks: u32,
    /// awsvpc tasks with the `awsvpcTrunking` account setting; `None` when ECS
    /// does not support trunking on this type.
    pub awsvpc_tasks_trunk: Option<u32>,
    /// On-demand USD per hour, us-east-1, Linux.
    pub on_demand_hourly: f64,
}

impl InstanceType {
    /// CPU units ECS registers for the instance (no CPU is reserved by default).
    pub fn cpu_units(&self) -> u32 {
        self.vcpu.saturating_mul(CPU_UNITS_PER_VCPU)
    }

    /// How many awsvpc tasks fit on one instance. With trunking on, a type
    /// that ECS does not support for trunking keeps its ordinary limit, as
    /// ECS only raises the limit on supported types.
    pub fn awsvpc_task_limit(&self, trunking: bool) -> u32 {
        match (trunking, self.awsvpc_tasks_trunk) {
            (true, Some(trunk_limit)) => trunk_limit,
            _ => self.awsvpc_tasks,
        }
    }
}

/// awsvpc tasks without trunking: every task takes an ENI and the primary ENI
/// counts against the limit (ECS "Elastic network interface trunking": a
/// c5.large has 3 ENIs, so 2 awsvpc tasks).
pub fn awsvpc_tasks_without_trunking(max_enis: u32) -> u32 {
    max_enis.saturating_sub(1)
}

/// Memory (MiB) the ECS agent registers for an instance with `advertised_mib`.
///
/// AWS documents the mechanism, not a formula: the agent registers the total
/// memory the OS reports minus `ECS_RESERVED_MEMORY` (default 0), and the OS
/// reports less than the advertised size because of platform and kernel
/// overhead. The only published figure is an m4.large: 8 GiB advertised,
/// 8373026816 bytes seen by the OS, 7985 MiB registered (ECS Developer Guide,
/// "Container instance memory management", memory-management.html).
///
/// ASSUMPTION ([`REGISTERED_MEMORY_RULE`]): the overhead is the same share of
/// memory for every size, so `registered = floor(advertised * 7985 / 8192)`
/// (about 2.5 % less, in the spirit of Karpenter's percentage-based VM memory
/// overhead). Newer AMIs may register somewhat less; a scenario can override
/// `registered_memory_mib` per type.
pub fn registered_memory_mib(advertised_mib: u32) -> u32 {
    let scaled = u64::from(advertised_mib) * u64::from(REGISTERED_MEMORY_EXAMPLE_MIB)
        / u64::from(REGISTERED_MEMORY_EXAMPLE_ADVERTISED_MIB);
    // The ratio is below 1, so the result always fits back into u32.
    u32::try_from(scaled).unwrap_or(advertised_mib)
}

/// Registered memory published by AWS for a specific type; wins over the rule.
/// m4.large: 7985 MiB on the ECS-optimized Amazon Linux AMI
/// (memory-management.html, "Determine Linux total memory" example).
const DOCUMENTED_REGISTERED_MEMORY: &[(&str, u32)] = &[("m4.large", 7985)];

/// Columns: name, arch, vCPU, advertised memory MiB, max ENIs, IPv4 per ENI,
/// awsvpc tasks with trunking (None = not supported), on-demand USD/hour.
type Row = (&'static str, Arch, u32, u32, u32, u32, Option<u32>, f64);

/// The built-in catalog. Source tags in each row's comment:
/// - P: price, aws/karpenter-provider-aws `pkg/providers/pricing/zz_generated.pricing_aws.go`
///   (commit 265ee0ba, "generated at 2026-02-09T13:43:35Z for us-east-1", from the AWS Price List API).
/// - V: max ENIs and IPv4 per ENI (and trunk compatibility), aws/karpenter-provider-aws
///   `pkg/providers/instancetype/zz_generated.vpclimits.go` (commit fbfa6388, generated
///   2025-10-10 from EC2 DescribeInstanceTypes).
/// - T: awsvpc task limit with trunking, ECS Developer Guide "Elastic network interface
///   trunking", supported instance types table (container-instance-eni.html).
/// - S: vCPU and memory, Amazon EC2 Instance Types guide, hardware specifications
///   (docs.aws.amazon.com/ec2/latest/instancetypes/gp.html, co.html, mo.html).
const INSTANCE_TYPE_TABLE: &[Row] = &[
    // name,       arch,   vCPU, MiB,  ENIs, IPv4, trunk tasks, $/hour
    ("c5.2xlarge", X86_64, 8, 16384, 4, 15, Some(40), 0.34), // P V T S
    ("c5.large", X86_64, 2, 4096, 3, 10, Some(10), 0.085),   // P V T S
    ("c5.xlarge", X86_64, 4, 8192, 4, 15, Some(20), 0.17),   // P V T S
    ("c6a.large", X86_64, 2, 4096, 3, 10, Some(10), 0.0765), // P V T S
    ("c6a.xlarge", X86_64, 4, 8192, 4, 15, Some(20), 0.153), // P V T S
    ("c6g.large", Arm64, 2, 4096, 3, 10, Some(10), 0.068),   // P V T S
    ("c6g.xlarge", Arm64, 4, 8192, 4, 15, Some(20), 0.136),  // P V T S
    ("c6i.large", X86_64, 2, 4096, 3, 10, Some(10), 0.085),  // P V T S
    ("c6i.xlarge", X86_64, 4, 8192, 4, 15, Some(20), 0.17),  // P V T S
    ("c7g.large", Arm64, 2, 4096, 3, 10, Some(10), 0.0725),  // P V T S
    ("c7g.xlarge", Arm64, 4, 8192, 4, 15, Some(20), 0.145),  // P V T S
    ("m4.large", X86_64, 2, 8192, 2, 10, None, 0.1),         // P V (Xen, not trunk-capable; absent from T) S
    ("m5.2xlarge", X86_64, 8, 32768, 4, 15, Some(40), 0.384), // P V T S
    ("m5.4xlarge", X86_64, 16, 65536, 8, 30, Some(60), 0.768), // P V T S
    ("m5.large", X86_64, 2, 8192, 3, 10, Some(10), 0.096),   // P V T S
    ("m5.xlarge", X86_64, 4, 16384, 4, 15, Some(20), 0.192), // P V T S
    ("m5a.large", X86_64, 2, 8192, 3, 10, Some(10), 0.086),  // P V T S
    ("m5a.xlarge", X86_64, 4, 16384, 4, 15, Some(20), 0.172), // P V T S
    ("m6a.large", X86_64, 2, 8192, 3, 10, Some(10), 0.0864), // P V T S
    ("m6a.xlarge", X86_64, 4, 16384, 4, 15, Some(20), 0.1728), // P V T S
    ("m6g.2xlarge", Arm64, 8, 32768, 4, 15, Some(40), 0.308), // P V T S
    ("m6g.large", Arm64, 2, 8192, 3, 10, Some(10), 0.077),   // P V T S
    ("m6g.medium", Arm64, 1, 4096, 2, 4, Some(4), 0.0385),   // P V T S
    ("m6g.xlarge", Arm64, 4, 16384, 4, 15, Some(20), 0.154), // P V T S
    ("m6i.2xlarge", X86_64, 8, 32768, 4, 15, Some(40), 0.384), // P V T S
    ("m6i.4xlarge", X86_64, 16, 65536, 8, 30, Some(60), 0.768), // P V T S
    ("m6i.large", X86_64, 2, 8192, 3, 10, Some(10), 0.096),  // P V T S
    ("m6i.xlarge", X86_64, 4, 16384, 4, 15, Some(20), 0.192), // P V T S
    ("m7g.2xlarge", Arm64, 8, 32768, 4, 15, Some(40), 0.3264), // P V T S
    ("m7g.large", Arm64, 2, 8192, 3, 10, Some(10), 0.0816),  // P V T S
    ("m7g.medium", Arm64, 1, 4096, 2, 4, Some(4), 0.0408),   // P V T S
    ("m7g.xlarge", Arm64, 4, 16384, 4, 15, Some(20), 0.1632), // P V T S
    // m7i postdates the ECS table snapshot we could read (June 2023); V marks it
    // trunk-compatible with the same ENIs as m6i, so the m6i trunk limits are used. UNCONFIRMED.
    ("m7i.large", X86_64, 2, 8192, 3, 10, Some(10), 0.1008), // P V S; trunk limit inferred
    ("m7i.xlarge", X86_64, 4, 16384, 4, 15, Some(20), 0.2016), // P V S; trunk limit inferred
    ("r5.large", X86_64, 2, 16384, 3, 10, Some(10), 0.126),  // P V T S
    ("r5.xlarge", X86_64, 4, 32768, 4, 15, Some(20), 0.252), // P V T S
    ("r6g.large", Arm64, 2, 16384, 3, 10, Some(10), 0.1008), // P V T S
    ("r6g.xlarge", Arm64, 4, 32768, 4, 15, Some(20), 0.2016), // P V T S
    ("r6i.large", X86_64, 2, 16384, 3, 10, Some(10), 0.126), // P V T S
    ("r6i.xlarge", X86_64, 4, 32768, 4, 15, Some(20), 0.252), // P V T S
    ("t3.large", X86_64, 2, 8192, 3, 12, None, 0.0832),      // P V (trunk=false; absent from T) S
    ("t3.medium", X86_64, 2, 4096, 3, 6, None, 0.0416),      // P V (trunk=false; absent from T) S
    ("t3.xlarge", X86_64, 4, 16384, 4, 15, None, 0.1664),    // P V (trunk=false; absent from T) S
    ("t4g.large", Arm64, 2, 8192, 3, 12, None, 0.0672),      // P V (trunk=false; absent from T) S
    ("t4g.medium", Arm64, 2, 4096, 3, 6, None, 0.0336),      // P V (trunk=false; absent from T) S
];

/// The built-in instance types, sorted by name.
pub fn builtin_instance_types() -> Vec<InstanceType> {
    let mut types: Vec<InstanceType> = INSTANCE_TYPE_TABLE
        .iter()
        .map(|&(name, arch, vcpu, memory_mib, max_enis, ipv4_per_eni, trunk, price)| {
            let registered_memory_mib = DOCUMENTED_REGISTERED_MEMORY
                .iter()
                .find(|(documented, _)| *documented == name)
                .map_or_else(|| registered_memory_mib(memory_mib), |&(_, mib)| mib);
            InstanceType {
                name: name.to_string(),
                arch,
                vcpu,
                memory_mib,
                registered_memory_mib,
                max_enis,
                ipv4_per_eni,
                awsvpc_tasks: awsvpc_tasks_without_trunking(max_enis),
                awsvpc_tasks_trunk: trunk,
                on_demand_hourly: price,
            }
        })
        .collect();
    types.sort_by(|a, b| a.name.cmp(&b.name));
    types
}

#[cfg(test)]
mod tests {
    use super::*;

    fn find(name: &str) -> InstanceType {
        builtin_instance_types()
            .into_iter()
            .find(|t| t.name == name)
            .unwrap_or_else(|| panic!("{name} missing from the catalog"))
    }

    #[test]
    fn m5_large_row_matches_hand_checked_values() {
        let m5 = find("m5.large");
        assert_eq!(m5.arch, Arch::X86_64);
        assert_eq!(m5.vcpu, 2);
        assert_eq!(m5.cpu_units(), 2048);
        assert_eq!(m5.memory_mib, 8192);
        assert_eq!(m5.max_enis, 3);
        assert_eq!(m5.ipv4_per_eni, 10);
        assert_eq!(m5.awsvpc_tasks, 2);
        assert_eq!(m5.awsvpc_tasks_trunk, Some(10));
        assert_eq!(m5.awsvpc_task_limit(false), 2);
        assert_eq!(m5.awsvpc_task_limit(true), 10);
        assert_eq!(m5.on_demand_hourly, 0.096);
        // floor(8192 * 7985 / 8192) = 7985
        assert_eq!(m5.registered_memory_mib, 7985);
    }

    #[test]
    fn c5_large_is_the_ecs_trunking_example() {
        // ECS "Elastic network interface trunking": c5.large, 3 ENIs -> 2 tasks; 10 with trunking.
        let c5 = find("c5.large");
        assert_eq!((c5.max_enis, c5.awsvpc_tasks), (3, 2));
        assert_eq!(c5.awsvpc_task_limit(true), 10);
    }

    #[test]
    fn t3_medium_is_not_trunk_capable() {
        let t3 = find("t3.medium");
        assert_eq!(t3.awsvpc_tasks_trunk, None);
        assert_eq!(t3.awsvpc_tasks, 2);
        assert_eq!(t3.awsvpc_task_limit(true), 2);
        assert_eq!((t3.vcpu, t3.memory_mib, t3.ipv4_per_eni), (2, 4096, 6));
        assert_eq!(t3.on_demand_hourly, 0.0416);
    }

    #[test]
    fn graviton_medium_follows_the_ecs_table() {
        // ECS table: m6g.medium 1 task without trunking, 4 with.
        let m6g = find("m6g.medium");
        assert_eq!(m6g.arch, Arch::Arm64);
        assert_eq!(m6g.awsvpc_task_limit(false), 1);
        assert_eq!(m6g.awsvpc_task_limit(true), 4);
    }

    #[test]
    fn registered_memory_reproduces_the_documented_example() {
        assert_eq!(registered_memory_mib(8192), 7985);
        assert_eq!(find("m4.large").registered_memory_mib, 7985);
        // 4096 * 7985 / 8192 = 3992.5 -> 3992
        assert_eq!(registered_memory_mib(4096), 3992);
        // 16384 * 7985 / 8192 = 15970 exactly
        assert_eq!(registered_memory_mib(16384), 15970);
        assert_eq!(registered_memory_mib(0), 0);
        assert!(registered_memory_mib(u32::MAX) < u32::MAX);
    }

    #[test]
    fn catalog_has_every_required_type() {
        let required = [
            "t3.medium",
            "t3.large",
            "t3.xlarge",
            "m5.large",
            "m5.xlarge",
            "m5.2xlarge",
            "m5.4xlarge",
            "m5a.large",
            "m5a.xlarge",
            "m6i.large",
            "m6i.xlarge",
            "m6i.2xlarge",
            "m6a.large",
            "m6g.large",
            "m6g.xlarge",
            "m7g.large",
            "m7g.xlarge",
            "m7i.large",
            "m7i.xlarge",
            "c5.large",
            "c5.xlarge",
            "c5.2xlarge",
            "c6i.large",
            "c6i.xlarge",
            "c6g.large",
            "c6g.xlarge",
            "c7g.large",
            "r5.large",
            "r5.xlarge",
            "r6g.large",
            "r6i.large",
        ];
        let types = builtin_instance_types();
        assert!(types.len() >= 30);
        for name in required {
            assert!(types.iter().any(|t| t.name == name), "{name} missing");
        }
        assert!(types.iter().any(|t| t.arch == Arch::Arm64));
        assert!(types.iter().any(|t| t.arch == Arch::X86_64));
    }

    #[test]
    fn names_are_unique_and_sorted() {
        let types = builtin_instance_types();
        for pair in types.windows(2) {
            assert!(pair[0].name < pair[1].name, "{} then {}", pair[0].name, pair[1].name);
        }
        // The static table itself is kept in the same order, so diffs stay readable.
        for pair in INSTANCE_TYPE_TABLE.windows(2) {
            assert!(pair[0].0 < pair[1].0, "table order: {} then {}", pair[0].0, pair[1].0);
        }
    }

    #[test]
    fn every_row_is_consistent() {
        for t in builtin_instance_types() {
            assert!(t.on_demand_hourly > 0.0, "{}", t.name);
            assert!(t.memory_mib > t.registered_memory_mib, "{}", t.name);
            assert!(t.vcpu > 0 && t.max_enis >= 2 && t.ipv4_per_eni > 0, "{}", t.name);
            assert_eq!(t.awsvpc_tasks + 1, t.max_enis, "{}", t.name);
            if let Some(trunk) = t.awsvpc_tasks_trunk {
                assert!(trunk > t.awsvpc_tasks, "{}", t.name);
            }
        }
    }

    #[test]
    fn documented_overrides_name_catalog_types() {
        let types = builtin_instance_types();
        for (name, _) in DOCUMENTED_REGISTERED_MEMORY {
            assert!(types.iter().any(|t| t.name == *name), "{name}");
        }
    }

    #[test]
    fn cpu_units_saturate_instead_of_overflowing() {
        let mut huge = find("m5.large");
        huge.vcpu = u32::MAX;
        assert_eq!(huge.cpu_units(), u32::MAX);
    }
}
