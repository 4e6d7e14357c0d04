//! ecsim's built-in price and capacity data, Linux: EC2 instance types (size,
//! ENI and awsvpc task limits, us-east-1 on-demand price, memory the ECS
//! agent registers), Fargate (prices, valid task sizes, billing), and the
//! prices of the other listed regions (`regions.rs`, `prices.rs`).
//!
//! Every data row carries its source in a comment; rules that AWS does not
//! publish as formulas are named constants marked ASSUMPTION.
//!
//! ```
//! use ecsim::catalog::{builtin_instance_types, check_fargate_size, fargate_price, fargate_task_cost, Arch};
//!
//! let m5 = builtin_instance_types().into_iter().find(|t| t.name == "m5.large").unwrap();
//! assert_eq!((m5.cpu_units(), m5.awsvpc_task_limit(true)), (2048, 10));
//!
//! assert!(check_fargate_size(512, 1024).is_ok());
//! let cost = fargate_task_cost(fargate_price(Arch::X86_64), 1024, 2048, 3600.0);
//! assert!((cost - 0.04937).abs() < 1e-9);
//! ```

mod ec2;
mod fargate;
mod prices;
mod regions;
mod savings_plans;

pub use ec2::{
    CPU_UNITS_PER_VCPU, InstanceType, REGISTERED_MEMORY_EXAMPLE_ADVERTISED_MIB, REGISTERED_MEMORY_EXAMPLE_MIB,
    REGISTERED_MEMORY_RULE, awsvpc_tasks_without_trunking, builtin_instance_types, registered_memory_mib,
};
pub use fargate::{
    FARGATE_MINIMUM_BILLED_SECONDS, FARGATE_PRICE_ARM64, FARGATE_PRICE_X86_64, FargatePrice, check_fargate_size,
    fargate_billed_seconds, fargate_cpu_sizes, fargate_price, fargate_size_summary, fargate_sizes, fargate_task_cost,
};
pub use prices::{
    ALB_FREE_RULES, ALB_LCU, CapacityUnit, DEFAULT_ROOT_VOLUME_GIB, EBS_REGIONAL_SOURCE, EBS_VOLUME_TYPES,
    ELB_FARGATE_REGIONAL_SOURCE, FARGATE_FREE_EPHEMERAL_GIB, FARGATE_MAX_EPHEMERAL_GIB, HOURS_PER_MONTH,
    INFRA_PRICES_DATE, InfraPrices, KnownPrices, LbHourUsage, NLB_NLCU, capacity_units, ebs_gb_month, infra_prices,
    priced_regions,
};
pub use regions::{
    EC2_REGIONAL_SOURCE, FARGATE_REGIONAL_SOURCE, PRICED_REGIONS, REGIONAL_PRICES_DATE, ec2_on_demand_hourly,
    ec2_regional_rows, fargate_price_in,
};
pub use savings_plans::{
    SP_RATES_READ, SP_RATES_SOURCE, SpPayment, SpRate, SpTerm, SpUsage, compute_sp_fargate_discount,
    compute_sp_instance_discount, compute_sp_rate, compute_sp_rates, describe_compute_sp_rates,
};

/// Date of the EC2 on-demand price data: the Karpenter pricing file used was
/// "generated at 2026-02-09T13:43:35Z for us-east-1". Reported as
/// `catalog_date` in `summary.json`.
pub const CATALOG_DATE: &str = "2026-02-09";

/// CPU architecture, spelled as ECS's `ecs.cpu-architecture` attribute.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Arch {
    X86_64,
    Arm64,
}

impl Arch {
    /// "x86_64" or "arm64", the values of the `ecs.cpu-architecture` attribute.
    pub fn as_str(self) -> &'static str {
        match self {
            Arch::X86_64 => "x86_64",
            Arch::Arm64 => "arm64",
        }
    }

    /// Accepts the attribute spelling (x86_64, arm64) and the task definition
    /// `runtimePlatform.cpuArchitecture` spelling (X86_64, ARM64).
    pub fn parse(s: &str) -> Option<Arch> {
        match s {
            "x86_64" | "X86_64" => Some(Arch::X86_64),
            "arm64" | "ARM64" => Some(Arch::Arm64),
            _ => None,
        }
    }
}

/// Plain-text listing for `ecsim catalog`: the instance types, then Fargate
/// prices and task sizes. Columns are aligned; output depends only on input.
pub fn render_catalog_text(types: &[InstanceType]) -> String {
    use Align::{Left, Right};
    let mut out = format!("EC2 instance types (Linux; $/h: us-east-1 on-demand, prices of {CATALOG_DATE})\n");
    let header = ["name", "arch", "vCPU", "mem GiB", "reg MiB", "ENIs", "IPv4/ENI", "awsvpc tasks", "$/h"];
    let rows: Vec<Vec<String>> = types
        .iter()
        .map(|t| {
            let trunk = t.awsvpc_tasks_trunk.map_or_else(|| "-".to_string(), |n| n.to_string());
            vec![
                t.name.clone(),
                t.arch.as_str().to_string(),
                t.vcpu.to_string(),
                (f64::from(t.memory_mib) / 1024.0).to_string(),
                t.registered_memory_mib.to_string(),
                t.max_enis.to_string(),
                t.ipv4_per_eni.to_string(),
                format!("{}/{trunk}", t.awsvpc_tasks),
                t.on_demand_hourly.to_string(),
            ]
        })
        .collect();
    let align = [Left, Left, Right, Right, Right, Right, Right, Right, Right];
    out.push_str(&aligned_table(&header, &rows, &align));
    out.push_str("awsvpc tasks: without / with ENI trunking (- = not supported for trunking)\n");
    out.push_str(&format!(
        "reg MiB: memory the ECS agent registers; floor(advertised * {} / {}) unless AWS \
         documents the type (ASSUMPTION)\n",
        REGISTERED_MEMORY_EXAMPLE_MIB, REGISTERED_MEMORY_EXAMPLE_ADVERTISED_MIB
    ));

    out.push_str(&render_ec2_regional());
    out.push_str(&format!(
        "\nFargate prices (Linux, on-demand, USD; us-east-1 read 2026-09-20, others {REGIONAL_PRICES_DATE} from {FARGATE_REGIONAL_SOURCE})\n"
    ));
    let price_rows: Vec<Vec<String>> = PRICED_REGIONS
        .iter()
        .map(|&region| {
            let mut row = vec![region.to_string()];
            for arch in [Arch::X86_64, Arch::Arm64] {
                let p = fargate_price_in(region, arch);
                row.push(cell(p.map(|p| p.vcpu_hour)));
                row.push(cell(p.map(|p| p.gb_hour)));
            }
            row
        })
        .collect();
    let price_header = ["region", "x86 $/vCPU-h", "x86 $/GB-h", "arm64 $/vCPU-h", "arm64 $/GB-h"];
    out.push_str(&aligned_table(&price_header, &price_rows, &[Left, Right, Right, Right, Right]));
    out.push_str("billing: per second, rounded up, one-minute minimum\n");

    out.push_str("\nFargate task sizes (cpu units: memory)\n");
    let size_rows: Vec<Vec<String>> =
        fargate_size_summary().into_iter().map(|(cpu, memory)| vec![cpu.to_string(), memory]).collect();
    out.push_str(&aligned_table(&["cpu", "memory"], &size_rows, &[Right, Left]));
    out.push_str(&render_infra_prices());
    out.push_str(&render_savings_plans());
    out
}

/// The load balancer, address, transfer and storage prices per listed region.
fn render_infra_prices() -> String {
    use Align::{Left, Right};
    let mut out = String::from("\nOther prices (USD; docs/aws-facts.md §13, §16)\n");
    let header = [
        "region",
        "read",
        "ALB/h",
        "LCU-h",
        "NLB/h",
        "NLCU-h",
        "IPv4/h",
        "cross-AZ/GB",
        "gp3/GB-mo",
        "gp2/GB-mo",
        "Fargate disk/GB-h",
    ];
    let rows: Vec<Vec<String>> = priced_regions()
        .into_iter()
        .filter_map(|region| infra_prices(region).map(|p| (region, p)))
        .map(|(region, p)| {
            let read = if region == "us-east-1" { INFRA_PRICES_DATE } else { REGIONAL_PRICES_DATE };
            let cells = [
                p.alb_hourly,
                p.alb_lcu_hourly,
                p.nlb_hourly,
                p.nlb_nlcu_hourly,
                p.public_ipv4_hourly,
                p.cross_az_per_gb_each_way,
                p.ebs_gp3_gb_month,
                p.ebs_gp2_gb_month,
                p.fargate_ephemeral_gb_hour,
            ];
            [region.to_string(), read.to_string()].into_iter().chain(cells.into_iter().map(cell)).collect()
        })
        .collect();
    let mut align = vec![Right; header.len()];
    align[0] = Left;
    align[1] = Left;
    out.push_str(&aligned_table(&header, &rows, &align));
    out.push_str(&format!(
        "cross-AZ: per GB, charged on each side; LCU: {} new connections/s, {} active connections, {} GB/h or {} \
         rule evaluations/s ({} rules free); NLCU: {} new connections/s, {} active connections, {} GB/h\n",
        ALB_LCU.new_connections_per_s,
        ALB_LCU.active_connections,
        ALB_LCU.gb_per_hour,
        ALB_LCU.rule_evaluations_per_s.unwrap_or(0.0),
        ALB_FREE_RULES,
        NLB_NLCU.new_connections_per_s,
        NLB_NLCU.active_connections,
        NLB_NLCU.gb_per_hour
    ));
    out.push_str(&format!(
        "root volume default: {DEFAULT_ROOT_VOLUME_GIB} GiB gp3; Fargate ephemeral storage: {FARGATE_FREE_EPHEMERAL_GIB} \
         GiB free, up to {FARGATE_MAX_EPHEMERAL_GIB} GiB; a month is {HOURS_PER_MONTH} hours\n"
    ));
    out.push_str(&format!(
        "sources: us-east-1 from the pricing pages' examples (elasticloadbalancing, ebs, fargate), every region's \
         load balancer and Fargate disk figures from {ELB_FARGATE_REGIONAL_SOURCE}, EBS from {EBS_REGIONAL_SOURCE}, \
         public IPv4 from aws.amazon.com/vpc/pricing (and processed/vpc.json of the same watcher), cross-AZ from aws.amazon.com/ec2/pricing/on-demand (us-east-1) and \
         a measurement (us-west-2)\n"
    ));
    out.push_str(&format!(
        "-: no figure a readable source confirmed; a scenario that needs it gives it ([cost.prices], \
         instance_types[].on_demand_hourly). Regions not listed ({} listed) have no built-in prices.\n",
        PRICED_REGIONS.len()
    ));
    out
}

/// The built-in Compute Savings Plans rates, each beside its on-demand price.
fn render_savings_plans() -> String {
    use Align::{Left, Right};
    let mut out =
        format!("\nCompute Savings Plans rates (USD per unit; read {SP_RATES_READ} from {SP_RATES_SOURCE})\n");
    let header = ["region", "usage", "term", "payment", "on-demand", "plan rate", "discount"];
    let rows: Vec<Vec<String>> = compute_sp_rates()
        .iter()
        .map(|r| {
            vec![
                r.region.to_string(),
                r.usage.describe(),
                format!("{}y", r.term.years()),
                r.payment.as_str().to_string(),
                r.on_demand.to_string(),
                r.rate.to_string(),
                format!("{:.1} %", 100.0 * r.discount()),
            ]
        })
        .collect();
    out.push_str(&aligned_table(&header, &rows, &[Left, Left, Left, Left, Right, Right, Right]));
    out.push_str(
        "[[savings_plans]] term and payment select these; any other combination (other regions, instance types, \
         partial or all upfront, EC2 Instance Savings Plans) has no built-in rate: give the plan's discount\n",
    );
    out
}

/// The on-demand price of every catalog type in every listed region.
fn render_ec2_regional() -> String {
    let mut out = format!(
        "\nEC2 on-demand $/h by region (us-east-1: prices of {CATALOG_DATE}; others read {REGIONAL_PRICES_DATE} from \
         {EC2_REGIONAL_SOURCE})\n"
    );
    let header: Vec<&str> = std::iter::once("name").chain(PRICED_REGIONS).collect();
    let rows: Vec<Vec<String>> = ec2_regional_rows()
        .into_iter()
        .map(|(name, prices)| std::iter::once(name).chain(prices.into_iter().map(cell)).collect())
        .collect();
    let mut align = vec![Align::Right; header.len()];
    align[0] = Align::Left;
    out.push_str(&aligned_table(&header, &rows, &align));
    out
}

/// A price cell: the figure, or "-" where none is confirmed.
fn cell(price: Option<f64>) -> String {
    price.map_or_else(|| "-".to_string(), |p| p.to_string())
}

/// Which side of its column a cell is flush with.
#[derive(Clone, Copy, PartialEq)]
enum Align {
    Left,
    Right,
}

/// Lays out `header` and `rows` in columns two spaces apart, each aligned as
/// `align` says. Trailing spaces are trimmed.
fn aligned_table(header: &[&str], rows: &[Vec<String>], align: &[Align]) -> String {
    let header: Vec<String> = header.iter().map(|h| h.to_string()).collect();
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    for row in std::iter::once(&header).chain(rows) {
        let cells: Vec<String> = row
            .iter()
            .zip(&widths)
            .zip(align)
            .map(|((cell, &width), side)| match side {
                Align::Left => format!("{cell:<width$}"),
                Align::Right => format!("{cell:>width$}"),
            })
            .collect();
        out.push_str(cells.join("  ").trim_end());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arch_round_trips_through_both_spellings() {
        assert_eq!(Arch::X86_64.as_str(), "x86_64");
        assert_eq!(Arch::Arm64.as_str(), "arm64");
        for (text, arch) in
            [("x86_64", Arch::X86_64), ("X86_64", Arch::X86_64), ("arm64", Arch::Arm64), ("ARM64", Arch::Arm64)]
        {
            assert_eq!(Arch::parse(text), Some(arch));
        }
        assert_eq!(Arch::parse("amd64"), None);
        assert_eq!(Arch::parse(""), None);
    }

    #[test]
    fn rendering_lists_the_other_prices_with_their_date() {
        let text = render_catalog_text(&builtin_instance_types());
        let row: Vec<&str> = text
            .lines()
            .skip_while(|line| !line.starts_with("Other prices"))
            .find(|line| line.starts_with("us-east-1 "))
            .map(|line| line.split_whitespace().collect())
            .unwrap_or_default();
        assert_eq!(
            row,
            [
                "us-east-1",
                "2026-09-20",
                "0.0225",
                "0.008",
                "0.0225",
                "0.006",
                "0.005",
                "0.01",
                "0.08",
                "0.1",
                "0.000111"
            ]
        );
        // Another region shows its own figures and read date, and "-" where no source confirmed one
        // (cross-zone transfer, docs/aws-facts.md §16.4).
        let frankfurt: Vec<&str> = text
            .lines()
            .find(|line| line.starts_with("eu-central-1 ") && line.contains(REGIONAL_PRICES_DATE))
            .map(|line| line.split_whitespace().collect())
            .unwrap_or_default();
        assert_eq!(
            frankfurt,
            [
                "eu-central-1",
                "2026-12-07",
                "0.027",
                "0.008",
                "0.027",
                "0.006",
                "0.005",
                "-",
                "0.0952",
                "0.119",
                "0.000132"
            ]
        );
        assert!(text.contains(ELB_FARGATE_REGIONAL_SOURCE) && text.contains(EBS_REGIONAL_SOURCE), "{text}");
    }

    #[test]
    fn rendering_lists_ec2_prices_by_region() {
        let text = render_catalog_text(&builtin_instance_types());
        let row = |name: &str| -> Vec<String> {
            text.lines()
                .skip_while(|l| !l.starts_with("EC2 on-demand $/h by region"))
                .find(|l| l.starts_with(&format!("{name} ")))
                .map(|l| l.split_whitespace().map(str::to_string).collect())
                .unwrap_or_default()
        };
        assert_eq!(row("m5.large"), ["m5.large", "0.096", "0.096", "0.107", "0.115", "0.12", "0.124"]);
        assert_eq!(row("t4g.large"), ["t4g.large", "0.0672", "0.0672", "0.0736", "0.0768", "0.0848", "0.0864"]);
        assert!(text.contains(EC2_REGIONAL_SOURCE), "{text}");
    }

    #[test]
    fn rendering_lists_savings_plans_rates() {
        let text = render_catalog_text(&builtin_instance_types());
        let rows: Vec<Vec<&str>> = text
            .lines()
            .skip_while(|l| !l.starts_with("Compute Savings Plans rates"))
            .filter(|l| l.starts_with("us-east-1 "))
            .map(|l| l.split_whitespace().collect())
            .collect();
        assert_eq!(rows.len(), 6, "{text}");
        assert_eq!(
            rows[0],
            ["us-east-1", "Fargate", "x86_64", "vCPU-hour", "1y", "no_upfront", "0.04048", "0.032384", "20.0", "%"]
        );
        assert_eq!(rows[5], ["us-east-1", "m7g.large", "hour", "3y", "no_upfront", "0.0816", "0.0414", "49.3", "%"]);
        assert!(text.contains(SP_RATES_SOURCE), "{text}");
    }

    #[test]
    fn catalog_date_is_an_iso_date() {
        let parts: Vec<&str> = CATALOG_DATE.split('-').collect();
        assert_eq!(parts.len(), 3);
        assert!(parts.iter().all(|p| p.chars().all(|c| c.is_ascii_digit())));
    }

    fn ec2_section(text: &str) -> Vec<&str> {
        text.lines().skip(1).take_while(|line| !line.starts_with("awsvpc tasks:")).collect()
    }

    #[test]
    fn rendered_rows_hold_the_catalog_values() {
        let types = builtin_instance_types();
        let text = render_catalog_text(&types);
        let section = ec2_section(&text);
        assert_eq!(section.len(), types.len() + 1);
        let m5: Vec<&str> = section
            .iter()
            .find(|line| line.starts_with("m5.large "))
            .map(|line| line.split_whitespace().collect())
            .unwrap_or_default();
        assert_eq!(m5, ["m5.large", "x86_64", "2", "8", "7985", "3", "10", "2/10", "0.096"]);
        let t3: Vec<&str> = section
            .iter()
            .find(|line| line.starts_with("t3.medium "))
            .map(|line| line.split_whitespace().collect())
            .unwrap_or_default();
        assert_eq!(t3, ["t3.medium", "x86_64", "2", "4", "3992", "3", "6", "2/-", "0.0416"]);
    }

    #[test]
    fn rendered_columns_are_aligned() {
        let text = render_catalog_text(&builtin_instance_types());
        let section = ec2_section(&text);
        // Right-aligned last column: every line ends at the same place.
        let width = section[0].len();
        assert!(section.iter().all(|line| line.len() == width), "{text}");
        // The second column starts at the same offset on every line.
        let arch_at = section[0].find("arch").unwrap_or(0);
        for line in &section[1..] {
            let start = line[arch_at..].chars().next();
            assert!(matches!(start, Some('x' | 'a')), "{line}");
        }
    }

    #[test]
    fn rendering_includes_fargate_and_is_deterministic() {
        let types = builtin_instance_types();
        let text = render_catalog_text(&types);
        assert_eq!(text, render_catalog_text(&types));
        let fargate = |region: &str| -> Vec<String> {
            text.lines()
                .skip_while(|l| !l.starts_with("Fargate prices"))
                .find(|l| l.starts_with(region))
                .map(|l| l.split_whitespace().map(str::to_string).collect())
                .unwrap_or_default()
        };
        assert_eq!(fargate("us-east-1"), ["us-east-1", "0.04048", "0.004445", "0.03238", "0.00356"]);
        assert_eq!(fargate("ap-northeast-1"), ["ap-northeast-1", "0.05056", "0.00553", "0.04045", "0.00442"]);
        assert!(text.contains("\n  512  1024, 2048, 3072 or 4096 MiB\n"), "{text}");
        assert!(text.contains("16384  32768 to 122880 MiB in steps of 8192 MiB\n"), "{text}");
    }
}
