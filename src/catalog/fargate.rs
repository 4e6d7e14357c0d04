//! Fargate (us-east-1, Linux): prices per vCPU-hour and GB-hour, the valid
//! task sizes, and the cost of one task under per-second billing.

use super::Arch;

/// USD per vCPU-hour and per GB-hour of a Fargate task.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct FargatePrice {
    pub vcpu_hour: f64,
    pub gb_hour: f64,
}

/// Linux/x86_64 on-demand, us-east-1 (aws.amazon.com/fargate/pricing; docs/aws-facts.md §7.1).
pub const FARGATE_PRICE_X86_64: FargatePrice = FargatePrice { vcpu_hour: 0.04048, gb_hour: 0.004445 };

/// Linux/ARM64 (Graviton) on-demand, us-east-1 (aws.amazon.com/fargate/pricing; docs/aws-facts.md §7.1).
pub const FARGATE_PRICE_ARM64: FargatePrice = FargatePrice { vcpu_hour: 0.03238, gb_hour: 0.00356 };

/// Linux Fargate tasks are billed per second with a one-minute minimum
/// (aws.amazon.com/fargate/pricing; docs/aws-facts.md §7.1).
pub const FARGATE_MINIMUM_BILLED_SECONDS: f64 = 60.0;

/// On-demand Fargate price for the task's CPU architecture.
pub fn fargate_price(arch: Arch) -> FargatePrice {
    match arch {
        Arch::X86_64 => FARGATE_PRICE_X86_64,
        Arch::Arm64 => FARGATE_PRICE_ARM64,
    }
}

/// The memory sizes (MiB) Fargate accepts for one CPU size.
enum MemoryChoices {
    /// An irregular list.
    List(&'static [u32]),
    /// `min, min + step, ..., max`.
    Steps { min: u32, max: u32, step: u32 },
}

impl MemoryChoices {
    fn allows(&self, memory_mib: u32) -> bool {
        match *self {
            MemoryChoices::List(values) => values.contains(&memory_mib),
            MemoryChoices::Steps { min, max, step } => {
                (min..=max).contains(&memory_mib) && (memory_mib - min).is_multiple_of(step)
            }
        }
    }

    fn values(&self) -> Vec<u32> {
        match *self {
            MemoryChoices::List(values) => values.to_vec(),
            MemoryChoices::Steps { min, max, step } => (min..=max).step_by(step as usize).collect(),
        }
    }

    /// "1024, 2048, 3072 or 4096 MiB" for short lists, a range otherwise.
    fn describe(&self) -> String {
        const LONGEST_LISTED: usize = 8;
        match *self {
            MemoryChoices::Steps { min, max, step } if self.values().len() > LONGEST_LISTED => {
                format!("{min} to {max} MiB in steps of {step} MiB")
            }
            _ => {
                let values: Vec<String> = self.values().iter().map(u32::to_string).collect();
                match values.split_last() {
                    Some((last, [])) => format!("{last} MiB"),
                    Some((last, rest)) => format!("{} or {last} MiB", rest.join(", ")),
                    None => "no memory size".to_string(),
                }
            }
        }
    }
}

/// Valid Linux task sizes: task CPU units and the memory each allows.
/// Source: ECS Developer Guide, "Task CPU and memory" table for Fargate
/// (AWS_Fargate.html / task_definition_parameters.html#task_size; docs/aws-facts.md §7.1).
/// 8192 and 16384 CPU units need platform version 1.4.0 or later.
const FARGATE_SIZES: &[(u32, MemoryChoices)] = &[
    (256, MemoryChoices::List(&[512, 1024, 2048])),
    (512, MemoryChoices::Steps { min: 1024, max: 4096, step: 1024 }),
    (1024, MemoryChoices::Steps { min: 2048, max: 8192, step: 1024 }),
    (2048, MemoryChoices::Steps { min: 4096, max: 16384, step: 1024 }),
    (4096, MemoryChoices::Steps { min: 8192, max: 30720, step: 1024 }),
    (8192, MemoryChoices::Steps { min: 16384, max: 61440, step: 4096 }),
    (16384, MemoryChoices::Steps { min: 32768, max: 122880, step: 8192 }),
];

/// The valid Fargate CPU sizes in CPU units, ascending.
pub fn fargate_cpu_sizes() -> Vec<u32> {
    FARGATE_SIZES.iter().map(|(cpu, _)| *cpu).collect()
}

/// Every valid (cpu units, memory MiB) pair, ascending.
pub fn fargate_sizes() -> Vec<(u32, u32)> {
    FARGATE_SIZES.iter().flat_map(|(cpu, memory)| memory.values().into_iter().map(move |m| (*cpu, m))).collect()
}

/// For each CPU size, a short text of the memory it allows (for listings).
pub fn fargate_size_summary() -> Vec<(u32, String)> {
    FARGATE_SIZES.iter().map(|(cpu, memory)| (*cpu, memory.describe())).collect()
}

/// Ok if (cpu units, memory MiB) is a valid Fargate task size; otherwise a
/// message naming the bad value and what is allowed.
pub fn check_fargate_size(cpu: u32, memory_mib: u32) -> Result<(), String> {
    let Some((_, memory)) = FARGATE_SIZES.iter().find(|(size, _)| *size == cpu) else {
        let allowed: Vec<String> = fargate_cpu_sizes().iter().map(u32::to_string).collect();
        return Err(format!("invalid Fargate cpu {cpu}: Fargate cpu must be one of {}", allowed.join(", ")));
    };
    if memory.allows(memory_mib) {
        Ok(())
    } else {
        Err(format!(
            "invalid Fargate memory {memory_mib} MiB for cpu {cpu}: cpu {cpu} allows memory {}",
            memory.describe()
        ))
    }
}

/// Seconds Fargate bills for a task that ran `seconds`: rounded up to whole
/// seconds, at least one minute. A NaN or negative duration bills the minimum.
pub fn fargate_billed_seconds(seconds: f64) -> f64 {
    seconds.ceil().max(FARGATE_MINIMUM_BILLED_SECONDS)
}

/// Cost (USD) of one Fargate task of `cpu_units` and `memory_mib` billed for
/// `seconds` (per-second billing, one-minute minimum). GB = memory_mib / 1024.
pub fn fargate_task_cost(price: FargatePrice, cpu_units: u32, memory_mib: u32, seconds: f64) -> f64 {
    let vcpu = f64::from(cpu_units) / 1024.0;
    let gb = f64::from(memory_mib) / 1024.0;
    let hourly = price.vcpu_hour * vcpu + price.gb_hour * gb;
    hourly * fargate_billed_seconds(seconds) / 3600.0
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR: f64 = 3600.0;

    #[test]
    fn prices_per_architecture() {
        assert_eq!(fargate_price(Arch::X86_64), FargatePrice { vcpu_hour: 0.04048, gb_hour: 0.004445 });
        assert_eq!(fargate_price(Arch::Arm64), FargatePrice { vcpu_hour: 0.03238, gb_hour: 0.00356 });
    }

    #[test]
    fn quarter_vcpu_half_gb_for_one_hour() {
        // 0.25 * 0.04048 + 0.5 * 0.004445 = 0.01012 + 0.0022225 = 0.0123425.
        // docs/aws-facts.md §7.1 prints this as $0.012343/h (rounded to 6 decimals).
        let cost = fargate_task_cost(FARGATE_PRICE_X86_64, 256, 512, HOUR);
        assert!((cost - 0.0123425).abs() < 1e-9, "{cost}");
        assert!((cost - 0.012343).abs() < 1e-6, "{cost}");
    }

    #[test]
    fn one_vcpu_two_gb_for_one_hour() {
        // 1 * 0.04048 + 2 * 0.004445 = 0.04937
        let cost = fargate_task_cost(FARGATE_PRICE_X86_64, 1024, 2048, HOUR);
        assert!((cost - 0.04937).abs() < 1e-6, "{cost}");
    }

    #[test]
    fn other_documented_hourly_examples() {
        // docs/aws-facts.md §7.1: 1 vCPU/4 GB $0.05826, 2 vCPU/4 GB $0.09874, 4 vCPU/8 GB $0.19748.
        let x86 = FARGATE_PRICE_X86_64;
        assert!((fargate_task_cost(x86, 1024, 4096, HOUR) - 0.05826).abs() < 1e-9);
        assert!((fargate_task_cost(x86, 2048, 4096, HOUR) - 0.09874).abs() < 1e-9);
        assert!((fargate_task_cost(x86, 4096, 8192, HOUR) - 0.19748).abs() < 1e-9);
    }

    #[test]
    fn billing_rounds_up_and_has_a_one_minute_minimum() {
        assert_eq!(fargate_billed_seconds(30.0), 60.0);
        assert_eq!(fargate_billed_seconds(60.0), 60.0);
        assert_eq!(fargate_billed_seconds(60.2), 61.0);
        assert_eq!(fargate_billed_seconds(0.0), 60.0);
        assert_eq!(fargate_billed_seconds(-5.0), 60.0);
        assert_eq!(fargate_billed_seconds(f64::NAN), 60.0);
        let per_second = (1.0 * 0.04048 + 2.0 * 0.004445) / 3600.0;
        let short = fargate_task_cost(FARGATE_PRICE_X86_64, 1024, 2048, 30.0);
        assert!((short - 60.0 * per_second).abs() < 1e-15, "{short}");
        let odd = fargate_task_cost(FARGATE_PRICE_X86_64, 1024, 2048, 60.2);
        assert!((odd - 61.0 * per_second).abs() < 1e-15, "{odd}");
    }

    /// Every size from docs/aws-facts.md §7.1, written out from the table's wording
    /// ("1-4 GB in 1 GB steps" and so on), independently of FARGATE_SIZES.
    fn documented_sizes() -> Vec<(u32, u32)> {
        let gib = |g: u32| g * 1024;
        let mut sizes = vec![(256, 512), (256, gib(1)), (256, gib(2))];
        sizes.extend((1..=4).map(|g| (512, gib(g))));
        sizes.extend((2..=8).map(|g| (1024, gib(g))));
        sizes.extend((4..=16).map(|g| (2048, gib(g))));
        sizes.extend((8..=30).map(|g| (4096, gib(g))));
        sizes.extend((16..=60).step_by(4).map(|g| (8192, gib(g))));
        sizes.extend((32..=120).step_by(8).map(|g| (16384, gib(g))));
        sizes
    }

    #[test]
    fn every_documented_size_is_accepted() {
        let documented = documented_sizes();
        assert_eq!(documented.len(), 3 + 4 + 7 + 13 + 23 + 12 + 12);
        for &(cpu, memory) in &documented {
            assert_eq!(check_fargate_size(cpu, memory), Ok(()), "{cpu}/{memory}");
        }
        assert_eq!(fargate_sizes(), documented);
    }

    #[test]
    fn invalid_cpu_is_rejected_with_the_allowed_values() {
        let err = check_fargate_size(300, 1024).unwrap_err();
        assert_eq!(err, "invalid Fargate cpu 300: Fargate cpu must be one of 256, 512, 1024, 2048, 4096, 8192, 16384");
    }

    #[test]
    fn invalid_memory_is_rejected_with_the_allowed_values() {
        assert_eq!(
            check_fargate_size(512, 512).unwrap_err(),
            "invalid Fargate memory 512 MiB for cpu 512: cpu 512 allows memory 1024, 2048, 3072 or 4096 MiB"
        );
        assert_eq!(
            check_fargate_size(256, 3072).unwrap_err(),
            "invalid Fargate memory 3072 MiB for cpu 256: cpu 256 allows memory 512, 1024 or 2048 MiB"
        );
        // Within the range but off the 4 GB grid.
        assert_eq!(
            check_fargate_size(8192, 17408).unwrap_err(),
            "invalid Fargate memory 17408 MiB for cpu 8192: cpu 8192 allows memory 16384 to 61440 MiB in steps of 4096 MiB"
        );
        // Above the 30 GB ceiling of 4 vCPU.
        assert!(check_fargate_size(4096, 31744).is_err());
        // 1 vCPU cannot have 1 GB.
        assert!(check_fargate_size(1024, 1024).is_err());
    }
}
