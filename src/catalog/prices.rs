//! Prices of what runs around the compute: load balancers and their capacity
//! units, public IPv4 addresses, data transfer between availability zones,
//! EBS root volumes and Fargate ephemeral storage; and the rules that turn
//! usage into capacity units. Per listed region, only where a figure was
//! confirmed (docs/aws-facts.md §13, §16); anything else needs explicit prices.

/// Date the us-east-1 prices were first read from the pricing pages' own
/// examples (the other regions' date is `REGIONAL_PRICES_DATE`).
pub const INFRA_PRICES_DATE: &str = "2026-09-20";

/// Hours in the month AWS prices monthly figures with (EC2 and EBS pricing
/// pages: "730 hours in a month"); `cost.monthly_usd` scales by it.
pub const HOURS_PER_MONTH: f64 = 730.0;

/// Fargate ephemeral storage every task gets without charge (GiB).
pub const FARGATE_FREE_EPHEMERAL_GIB: f64 = 20.0;
/// The most ephemeral storage a Fargate task may have (GiB).
pub const FARGATE_MAX_EPHEMERAL_GIB: f64 = 200.0;

/// Root volume of an instance launched from the ECS-optimized Amazon Linux
/// 2023 AMI: one 30 GiB volume (ECS Developer Guide, docs/aws-facts.md §16.6);
/// ecsim prices it as gp3 unless told (the page does not name the type).
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

/// What ecsim knows of one listed region's prices: `None` where no source
/// it could read confirmed a figure (a scenario that turns the item on must
/// then give the price in `[cost.prices]`).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct KnownPrices {
    pub alb_hourly: Option<f64>,
    pub alb_lcu_hourly: Option<f64>,
    pub nlb_hourly: Option<f64>,
    pub nlb_nlcu_hourly: Option<f64>,
    pub public_ipv4_hourly: Option<f64>,
    pub cross_az_per_gb_each_way: Option<f64>,
    pub ebs_gp3_gb_month: Option<f64>,
    pub ebs_gp2_gb_month: Option<f64>,
    pub fargate_ephemeral_gb_hour: Option<f64>,
}

/// Public IPv4: one rate in every region since 1 February 2024
/// (docs/aws-facts.md §13.3, §16.3).
const PUBLIC_IPV4_HOURLY: f64 = 0.005;

/// Where the load balancer and Fargate ephemeral storage figures of every
/// listed region come from (docs/aws-facts.md §16.2, §16.7).
pub const ELB_FARGATE_REGIONAL_SOURCE: &str = "QuinnyPig/aws-price-watcher processed/elb.json at commit daa3fca6 \
     and processed/ecs.json at commit 66552b13 (the per-region data behind AWS's ELB and Fargate pricing pages, \
     b0.p.awsstatic.com meteredUnitMaps)";

/// Where the EBS figures of every listed region come from (docs/aws-facts.md §16.5).
pub const EBS_REGIONAL_SOURCE: &str = "yeo/ec2.shop data/ebs/ebs.json at commit 576c890f (AWS's EBS pricing-page \
     data, b0.p.awsstatic.com meteredUnitMaps ec2/ebs.json, published 2024-07-18)";

/// Load balancer, EBS and Fargate ephemeral storage figures of one listed
/// region, all from the regional sources above: ALB hour, LCU-hour, NLB hour,
/// NLCU-hour, gp3 and gp2 GB-month, Fargate storage GB-hour.
const fn regional(alb: f64, lcu: f64, nlb: f64, nlcu: f64, gp3: f64, gp2: f64, disk: f64) -> KnownPrices {
    KnownPrices {
        alb_hourly: Some(alb),
        alb_lcu_hourly: Some(lcu),
        nlb_hourly: Some(nlb),
        nlb_nlcu_hourly: Some(nlcu),
        public_ipv4_hourly: Some(PUBLIC_IPV4_HOURLY),
        cross_az_per_gb_each_way: None,
        ebs_gp3_gb_month: Some(gp3),
        ebs_gp2_gb_month: Some(gp2),
        fargate_ephemeral_gb_hour: Some(disk),
    }
}

/// The listed regions, in [`crate::catalog::PRICED_REGIONS`] order. Sources
/// (docs/aws-facts.md §13 and §16): the ELB, EBS and Fargate pricing pages'
/// own per-region data ([`ELB_FARGATE_REGIONAL_SOURCE`],
/// [`EBS_REGIONAL_SOURCE`]), the VPC pricing page's public IPv4 tab, EC2
/// on-demand pricing "data transfer within the same region". Cross-zone
/// transfer has no source read outside us-east-1 and us-west-2 (§16.4).
const REGION_PRICES: &[(&str, KnownPrices)] = &[
    (
        "us-east-1",
        KnownPrices {
            // Page examples (§13.2, §13.5), agreeing with the regional sources.
            cross_az_per_gb_each_way: Some(0.01),
            ..regional(0.0225, 0.008, 0.0225, 0.006, 0.08, 0.10, 0.000111)
        },
    ),
    (
        "us-west-2",
        KnownPrices {
            // Measured in us-west-2 (docs/aws-facts.md §16.4).
            cross_az_per_gb_each_way: Some(0.01),
            ..regional(0.0225, 0.008, 0.0225, 0.006, 0.08, 0.10, 0.000111)
        },
    ),
    ("eu-west-1", regional(0.0252, 0.008, 0.0252, 0.006, 0.088, 0.11, 0.000122)),
    ("eu-central-1", regional(0.027, 0.008, 0.027, 0.006, 0.0952, 0.119, 0.000132)),
    ("ap-southeast-1", regional(0.0252, 0.008, 0.0252, 0.006, 0.096, 0.12, 0.000133)),
    ("ap-northeast-1", regional(0.0243, 0.008, 0.0243, 0.006, 0.096, 0.12, 0.000133)),
];

/// What is known of `region`'s prices, if it is listed.
pub fn infra_prices(region: &str) -> Option<KnownPrices> {
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
        assert_eq!((p.alb_hourly, p.alb_lcu_hourly, p.public_ipv4_hourly), (Some(0.0225), Some(0.008), Some(0.005)));
        assert_eq!(ebs_gb_month(&InfraPrices { ebs_gp3_gb_month: 0.08, ..InfraPrices::default() }, "gp3"), Some(0.08));
        assert_eq!(ebs_gb_month(&InfraPrices::default(), "io2"), None);
        assert_eq!(infra_prices("mars-north-1"), None);
        assert_eq!(
            priced_regions(),
            ["us-east-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-1", "ap-northeast-1"]
        );
        // Public IPv4 costs the same everywhere.
        for r in priced_regions() {
            assert_eq!(infra_prices(r).and_then(|p| p.public_ipv4_hourly), Some(0.005), "{r}");
        }
    }

    #[test]
    fn regional_figures_as_read_from_the_pricing_page_data() {
        // docs/aws-facts.md §16.2, §16.5, §16.7: (ALB h, LCU-h, NLB h, NLCU-h, gp3, gp2, Fargate disk).
        let row = |r: &str| {
            let p = infra_prices(r).unwrap_or_default();
            [
                p.alb_hourly,
                p.alb_lcu_hourly,
                p.nlb_hourly,
                p.nlb_nlcu_hourly,
                p.ebs_gp3_gb_month,
                p.ebs_gp2_gb_month,
                p.fargate_ephemeral_gb_hour,
            ]
        };
        let some = |v: [f64; 7]| v.map(Some);
        assert_eq!(row("us-east-1"), some([0.0225, 0.008, 0.0225, 0.006, 0.08, 0.10, 0.000111]));
        assert_eq!(row("us-west-2"), some([0.0225, 0.008, 0.0225, 0.006, 0.08, 0.10, 0.000111]));
        assert_eq!(row("eu-west-1"), some([0.0252, 0.008, 0.0252, 0.006, 0.088, 0.11, 0.000122]));
        assert_eq!(row("eu-central-1"), some([0.027, 0.008, 0.027, 0.006, 0.0952, 0.119, 0.000132]));
        assert_eq!(row("ap-southeast-1"), some([0.0252, 0.008, 0.0252, 0.006, 0.096, 0.12, 0.000133]));
        assert_eq!(row("ap-northeast-1"), some([0.0243, 0.008, 0.0243, 0.006, 0.096, 0.12, 0.000133]));
        // Cross-zone transfer: a source only for us-east-1 and us-west-2 (§16.4).
        let cross: Vec<Option<f64>> =
            priced_regions().into_iter().map(|r| infra_prices(r).and_then(|p| p.cross_az_per_gb_each_way)).collect();
        assert_eq!(cross, [Some(0.01), Some(0.01), None, None, None, None]);
    }
}
