//! Prices of what runs around the compute: load balancers and their capacity
//! units, public IPv4 addresses, data transfer between availability zones,
//! EBS root volumes and Fargate ephemeral storage; and the rules that turn
//! usage into capacity units. Per region, only where a figure was confirmed
//! (docs/aws-facts.md §13); any other region needs explicit prices.

/// Date the prices below were read from their sources.
pub const INFRA_PRICES_DATE: &str = "2026-09-20";

/// Hours in the month AWS prices monthly figures with (EC2 and EBS pricing
/// pages: "730 hours in a month"); `cost.monthly_usd` scales by it.
pub const HOURS_PER_MONTH: f64 = 730.0;

/// Fargate ephemeral storage every task gets without charge (GiB).
pub const FARGATE_FREE_EPHEMERAL_GIB: f64 = 20.0;
/// The most ephemeral storage a Fargate task may have (GiB).
pub const FARGATE_MAX_EPHEMERAL_GIB: f64 = 200.0;

/// Root volume of an instance launched from the ECS-optimized Amazon Linux
/// 2023 AMI: one 30 GiB gp3 volume (docs/aws-facts.md §13.5, UNCONFIRMED size).
pub const DEFAULT_ROOT_VOLUME_GIB: f64 = 30.0;

/// One capacity unit of a load balancer: how much of each dimension it holds.
/// The hour is billed for the largest of the dimensions' unit counts.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CapacityUnit {
    pub new_connections_per_s: f64,
    /// Concurrent connections (sampled per minute).
    pub active_connections: f64,
    pub gb_per_hour: f64,
    /// Rule evaluations per second (`None`: the dimension does not exist).
    pub rule_evaluations_per_s: Option<f64>,
}

/// Application Load Balancer LCU with EC2/IP targets (docs/aws-facts.md §13.2).
pub const ALB_LCU: CapacityUnit = CapacityUnit {
    new_connections_per_s: 25.0,
    active_connections: 3000.0,
    gb_per_hour: 1.0,
    rule_evaluations_per_s: Some(1000.0),
};

/// Network Load Balancer NLCU for TCP (docs/aws-facts.md §13.2).
pub const NLB_NLCU: CapacityUnit = CapacityUnit {
    new_connections_per_s: 800.0,
    active_connections: 100_000.0,
    gb_per_hour: 1.0,
    rule_evaluations_per_s: None,
};

/// Listener rules an ALB evaluates free of charge per request.
pub const ALB_FREE_RULES: u32 = 10;

/// What one hour of a load balancer's traffic amounts to.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct LbHourUsage {
    pub new_connections: f64,
    /// Mean concurrent connections over the hour.
    pub active_connections: f64,
    pub processed_gb: f64,
    pub rule_evaluations: f64,
}

/// Capacity units one hour is billed for: the largest dimension, as AWS bills
/// (docs/aws-facts.md §13.2). `seconds` is the length of the hour counted.
pub fn capacity_units(unit: CapacityUnit, usage: LbHourUsage, seconds: f64) -> f64 {
    if seconds <= 0.0 {
        return 0.0;
    }
    let hours = seconds / 3600.0;
    let new = usage.new_connections / seconds / unit.new_connections_per_s;
    let active = usage.active_connections / unit.active_connections;
    let bytes = usage.processed_gb / hours / unit.gb_per_hour;
    let rules = unit.rule_evaluations_per_s.map_or(0.0, |per_s| usage.rule_evaluations / seconds / per_s);
    new.max(active).max(bytes).max(rules)
}

/// USD prices of one region (all zero by default: nothing charged).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct InfraPrices {
    pub alb_hourly: f64,
    pub alb_lcu_hourly: f64,
    pub nlb_hourly: f64,
    pub nlb_nlcu_hourly: f64,
    pub public_ipv4_hourly: f64,
    /// Per GB leaving one zone for another in the region, charged once on each side.
    pub cross_az_per_gb_each_way: f64,
    pub ebs_gp3_gb_month: f64,
    pub ebs_gp2_gb_month: f64,
    pub fargate_ephemeral_gb_hour: f64,
}

/// The regions whose prices are confirmed. Sources (docs/aws-facts.md §13):
/// ELB pricing page (aws.amazon.com/elasticloadbalancing/pricing), VPC pricing
/// page's public IPv4 tab, EC2 on-demand pricing "data transfer within the same
/// region", EBS pricing page, Fargate pricing page.
const REGION_PRICES: &[(&str, InfraPrices)] = &[(
    "us-east-1",
    InfraPrices {
        alb_hourly: 0.0225,
        alb_lcu_hourly: 0.008,
        nlb_hourly: 0.0225,
        nlb_nlcu_hourly: 0.006,
        public_ipv4_hourly: 0.005,
        cross_az_per_gb_each_way: 0.01,
        ebs_gp3_gb_month: 0.08,
        ebs_gp2_gb_month: 0.10,
        fargate_ephemeral_gb_hour: 0.000111,
    },
)];

/// The built-in prices of `region`, if it is listed.
pub fn infra_prices(region: &str) -> Option<InfraPrices> {
    REGION_PRICES.iter().find(|(r, _)| *r == region).map(|(_, p)| *p)
}

/// The regions with built-in prices, in listing order.
pub fn priced_regions() -> Vec<&'static str> {
    REGION_PRICES.iter().map(|(r, _)| *r).collect()
}

/// The EBS volume types ecsim prices, with their USD per GB-month.
pub fn ebs_gb_month(prices: &InfraPrices, volume_type: &str) -> Option<f64> {
    match volume_type {
        "gp3" => Some(prices.ebs_gp3_gb_month),
        "gp2" => Some(prices.ebs_gp2_gb_month),
        _ => None,
    }
}

/// The EBS volume types [`ebs_gb_month`] knows.
pub const EBS_VOLUME_TYPES: &[&str] = &["gp3", "gp2"];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_hour_is_billed_for_its_largest_dimension() {
        // 90,000 new connections in an hour = 25/s: 1 LCU; 2 GB processed: 2 LCU; so 2.
        let usage = LbHourUsage { new_connections: 90_000.0, processed_gb: 2.0, ..LbHourUsage::default() };
        assert_eq!(capacity_units(ALB_LCU, usage, 3600.0), 2.0);
        // 7,200,000 rule evaluations in an hour = 2000/s: 2 LCU; 6000 active: 2 LCU; so 2.
        let usage = LbHourUsage { rule_evaluations: 7_200_000.0, active_connections: 6000.0, ..LbHourUsage::default() };
        assert_eq!(capacity_units(ALB_LCU, usage, 3600.0), 2.0);
        // An NLB has no rule dimension; 1,440,000 new connections = 400/s: 0.5 NLCU.
        let usage = LbHourUsage { new_connections: 1_440_000.0, rule_evaluations: 1e12, ..LbHourUsage::default() };
        assert_eq!(capacity_units(NLB_NLCU, usage, 3600.0), 0.5);
        // Half an hour with 0.5 GB: 1 GB/h, 1 LCU.
        let usage = LbHourUsage { processed_gb: 0.5, ..LbHourUsage::default() };
        assert_eq!(capacity_units(ALB_LCU, usage, 1800.0), 1.0);
        assert_eq!(capacity_units(ALB_LCU, usage, 0.0), 0.0);
    }

    #[test]
    fn us_east_1_is_listed_and_others_are_not() {
        let p = infra_prices("us-east-1").unwrap_or_else(|| panic!("us-east-1 missing"));
        assert_eq!((p.alb_hourly, p.alb_lcu_hourly, p.public_ipv4_hourly), (0.0225, 0.008, 0.005));
        assert_eq!(ebs_gb_month(&p, "gp3"), Some(0.08));
        assert_eq!(ebs_gb_month(&p, "io2"), None);
        assert_eq!(infra_prices("mars-north-1"), None);
        assert_eq!(priced_regions(), ["us-east-1"]);
    }
}
