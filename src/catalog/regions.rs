//! Prices that differ by region: EC2 on-demand per instance type and Fargate
//! per CPU architecture, for the regions ecsim lists. A region outside the
//! list, or a price no source confirmed (`None`), has no built-in figure: a
//! scenario that needs it gives it (docs/aws-facts.md §16).

use super::Arch;
use super::ec2::builtin_instance_types;
use super::fargate::{FARGATE_PRICE_ARM64, FARGATE_PRICE_X86_64, FargatePrice};

/// The regions with built-in prices, in listing order.
pub const PRICED_REGIONS: [&str; 6] =
    ["us-east-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-1", "ap-northeast-1"];

/// Date the prices of the regions other than us-east-1 were read.
pub const REGIONAL_PRICES_DATE: &str = "2026-12-07";

/// Where the EC2 prices of the other regions come from.
pub const EC2_REGIONAL_SOURCE: &str = "skypilot-org/skypilot-catalog catalogs/v7/aws/vms.csv at commit 001367d2 \
     (built from the AWS Price List API; Linux, shared tenancy, on-demand)";

/// Where the Fargate prices of the other regions come from.
pub const FARGATE_REGIONAL_SOURCE: &str = "QuinnyPig/aws-price-watcher processed/ecs.json at commit 66552b13 (the \
     per-region data behind aws.amazon.com/fargate/pricing; x86_64 agrees with theuves/fgcalc src/utils/data.js)";

/// On-demand USD per hour in [`PRICED_REGIONS`] order. The first column
/// (us-east-1) is the same source's figure, kept only to cross-check the
/// catalog's own us-east-1 price (`ec2.rs`); lookups in us-east-1 use that.
/// `None`: the row was not read from the source (docs/aws-facts.md §16.1).
const EC2_REGIONAL: &[(&str, [Option<f64>; 6])] = &[
    ("c5.2xlarge", [Some(0.34), Some(0.34), Some(0.384), Some(0.388), Some(0.392), Some(0.428)]),
    ("c5.large", [Some(0.085), Some(0.085), Some(0.096), Some(0.097), Some(0.098), Some(0.107)]),
    ("c5.xlarge", [Some(0.17), Some(0.17), Some(0.192), Some(0.194), Some(0.196), Some(0.214)]),
    ("c6a.large", [Some(0.0765), Some(0.0765), Some(0.08208), Some(0.0873), Some(0.0882), Some(0.0963)]),
    ("c6a.xlarge", [Some(0.153), Some(0.153), Some(0.16416), Some(0.1746), Some(0.1764), Some(0.1926)]),
    ("c6g.large", [Some(0.068), Some(0.068), Some(0.073), Some(0.0776), Some(0.0784), Some(0.0856)]),
    ("c6g.xlarge", [Some(0.136), Some(0.136), Some(0.1459), Some(0.1552), Some(0.1568), Some(0.1712)]),
    ("c6i.large", [Some(0.085), Some(0.085), Some(0.0912), Some(0.097), Some(0.098), Some(0.107)]),
    ("c6i.xlarge", [Some(0.17), Some(0.17), Some(0.1824), Some(0.194), Some(0.196), Some(0.214)]),
    ("c7g.large", [Some(0.0725), Some(0.0725), Some(0.0775), Some(0.0825), Some(0.0833), Some(0.091)]),
    ("c7g.xlarge", [Some(0.145), Some(0.145), Some(0.155), Some(0.1649), Some(0.1666), Some(0.1819)]),
    ("m4.large", [Some(0.1), Some(0.1), Some(0.111), Some(0.12), Some(0.125), Some(0.129)]),
    ("m5.2xlarge", [Some(0.384), Some(0.384), Some(0.428), Some(0.46), Some(0.48), Some(0.496)]),
    ("m5.4xlarge", [Some(0.768), Some(0.768), Some(0.856), Some(0.92), Some(0.96), Some(0.992)]),
    ("m5.large", [Some(0.096), Some(0.096), Some(0.107), Some(0.115), Some(0.12), Some(0.124)]),
    ("m5.xlarge", [Some(0.192), Some(0.192), Some(0.214), Some(0.23), Some(0.24), Some(0.248)]),
    ("m5a.large", [Some(0.086), Some(0.086), Some(0.096), Some(0.104), Some(0.108), Some(0.112)]),
    ("m5a.xlarge", [Some(0.172), Some(0.172), Some(0.192), Some(0.208), Some(0.216), Some(0.224)]),
    ("m6a.large", [Some(0.0864), Some(0.0864), Some(0.0963), Some(0.1035), Some(0.108), Some(0.1116)]),
    ("m6a.xlarge", [Some(0.1728), Some(0.1728), Some(0.1926), Some(0.207), Some(0.216), Some(0.2232)]),
    ("m6g.2xlarge", [Some(0.308), Some(0.308), Some(0.344), Some(0.368), Some(0.384), Some(0.396)]),
    ("m6g.large", [Some(0.077), Some(0.077), Some(0.086), Some(0.092), Some(0.096), Some(0.099)]),
    ("m6g.medium", [Some(0.0385), Some(0.0385), Some(0.043), Some(0.046), Some(0.048), Some(0.0495)]),
    ("m6g.xlarge", [Some(0.154), Some(0.154), Some(0.172), Some(0.184), Some(0.192), Some(0.198)]),
    ("m6i.2xlarge", [Some(0.384), Some(0.384), Some(0.428), Some(0.46), Some(0.48), Some(0.496)]),
    ("m6i.4xlarge", [Some(0.768), Some(0.768), Some(0.856), Some(0.92), Some(0.96), Some(0.992)]),
    ("m6i.large", [Some(0.096), Some(0.096), Some(0.107), Some(0.115), Some(0.12), Some(0.124)]),
    ("m6i.xlarge", [Some(0.192), Some(0.192), Some(0.214), Some(0.23), Some(0.24), Some(0.248)]),
    ("m7g.2xlarge", [Some(0.3264), Some(0.3264), Some(0.3638), Some(0.391), Some(0.408), Some(0.4216)]),
    ("m7g.large", [Some(0.0816), Some(0.0816), Some(0.091), Some(0.0978), Some(0.102), Some(0.1054)]),
    ("m7g.medium", [Some(0.0408), Some(0.0408), Some(0.0455), Some(0.0489), Some(0.051), Some(0.0527)]),
    ("m7g.xlarge", [Some(0.1632), Some(0.1632), Some(0.1819), Some(0.1955), Some(0.204), Some(0.2108)]),
    ("m7i.large", [Some(0.1008), Some(0.1008), Some(0.11235), Some(0.12075), Some(0.126), Some(0.1302)]),
    ("m7i.xlarge", [Some(0.2016), Some(0.2016), Some(0.2247), Some(0.2415), Some(0.252), Some(0.2604)]),
    ("r5.large", [Some(0.126), Some(0.126), Some(0.141), Some(0.152), Some(0.152), Some(0.152)]),
    ("r5.xlarge", [Some(0.252), Some(0.252), Some(0.282), Some(0.304), Some(0.304), Some(0.304)]),
    ("r6g.large", [Some(0.1008), Some(0.1008), Some(0.1128), Some(0.1216), Some(0.1216), Some(0.1216)]),
    ("r6g.xlarge", [Some(0.2016), Some(0.2016), Some(0.2256), Some(0.2432), Some(0.2432), Some(0.2432)]),
    ("r6i.large", [Some(0.126), Some(0.126), Some(0.141), Some(0.152), Some(0.152), Some(0.152)]),
    ("r6i.xlarge", [Some(0.252), Some(0.252), Some(0.282), Some(0.304), Some(0.304), Some(0.304)]),
    ("t3.large", [Some(0.0832), Some(0.0832), Some(0.0912), Some(0.096), Some(0.1056), Some(0.1088)]),
    ("t3.medium", [Some(0.0416), Some(0.0416), Some(0.0456), Some(0.048), Some(0.0528), Some(0.0544)]),
    ("t3.xlarge", [Some(0.1664), Some(0.1664), Some(0.1824), Some(0.192), Some(0.2112), Some(0.2176)]),
    ("t4g.large", [Some(0.0672), Some(0.0672), Some(0.0736), Some(0.0768), Some(0.0848), Some(0.0864)]),
    ("t4g.medium", [Some(0.0336), Some(0.0336), Some(0.0368), Some(0.0384), Some(0.0424), Some(0.0432)]),
];

/// Position of `region` in [`PRICED_REGIONS`].
fn region_index(region: &str) -> Option<usize> {
    PRICED_REGIONS.iter().position(|r| *r == region)
}

/// The built-in on-demand USD per hour of `instance_type` in `region`; `None`
/// when the region is not listed, the type is not in the catalog, or its
/// price there was not confirmed.
pub fn ec2_on_demand_hourly(instance_type: &str, region: &str) -> Option<f64> {
    match region_index(region)? {
        0 => builtin_instance_types().into_iter().find(|t| t.name == instance_type).map(|t| t.on_demand_hourly),
        i => EC2_REGIONAL.iter().find(|(name, _)| *name == instance_type).and_then(|(_, prices)| prices[i]),
    }
}

/// Linux Fargate prices per region: x86_64, then arm64 (`None`: not confirmed).
/// Outside us-east-1 from [`FARGATE_REGIONAL_SOURCE`] (docs/aws-facts.md §16.7).
const FARGATE_REGIONAL: [(&str, Option<FargatePrice>, Option<FargatePrice>); 6] = [
    ("us-east-1", Some(FARGATE_PRICE_X86_64), Some(FARGATE_PRICE_ARM64)),
    ("us-west-2", price(0.04048, 0.004445), price(0.03238, 0.00356)),
    ("eu-west-1", price(0.04048, 0.004445), price(0.03238, 0.00356)),
    ("eu-central-1", price(0.04656, 0.00511), price(0.03725, 0.00409)),
    ("ap-southeast-1", price(0.05056, 0.00553), price(0.04045, 0.00442)),
    ("ap-northeast-1", price(0.05056, 0.00553), price(0.04045, 0.00442)),
];

/// A confirmed Fargate price: USD per vCPU-hour and per GB-hour.
const fn price(vcpu_hour: f64, gb_hour: f64) -> Option<FargatePrice> {
    Some(FargatePrice { vcpu_hour, gb_hour })
}

/// The built-in on-demand Fargate price of `arch` in `region`, if confirmed.
pub fn fargate_price_in(region: &str, arch: Arch) -> Option<FargatePrice> {
    let (_, x86, arm) = FARGATE_REGIONAL.iter().find(|(r, _, _)| *r == region)?;
    match arch {
        Arch::X86_64 => *x86,
        Arch::Arm64 => *arm,
    }
}

/// Every catalog type with its price in each listed region (for listings).
pub fn ec2_regional_rows() -> Vec<(String, Vec<Option<f64>>)> {
    builtin_instance_types()
        .into_iter()
        .map(|t| {
            let prices = PRICED_REGIONS.iter().map(|r| ec2_on_demand_hourly(&t.name, r)).collect();
            (t.name, prices)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hand_checked_figures_per_region() {
        // Read from the source rows (docs/aws-facts.md §16.1).
        assert_eq!(ec2_on_demand_hourly("m5.large", "us-east-1"), Some(0.096));
        assert_eq!(ec2_on_demand_hourly("m5.large", "us-west-2"), Some(0.096));
        assert_eq!(ec2_on_demand_hourly("m5.large", "eu-west-1"), Some(0.107));
        assert_eq!(ec2_on_demand_hourly("m5.large", "eu-central-1"), Some(0.115));
        assert_eq!(ec2_on_demand_hourly("m5.large", "ap-southeast-1"), Some(0.12));
        assert_eq!(ec2_on_demand_hourly("m5.large", "ap-northeast-1"), Some(0.124));
        assert_eq!(ec2_on_demand_hourly("c6g.xlarge", "eu-west-1"), Some(0.1459));
        assert_eq!(ec2_on_demand_hourly("t3.medium", "ap-northeast-1"), Some(0.0544));
        // The rows read last (2026-12-07): each is twice its family's next size down or half the
        // next size up in the same region (t4g.medium 0.0368, r6i.xlarge 0.304, m7i.xlarge 0.2604).
        assert_eq!(ec2_on_demand_hourly("t4g.large", "eu-west-1"), Some(0.0736));
        assert_eq!(ec2_on_demand_hourly("r6i.large", "eu-central-1"), Some(0.152));
        assert_eq!(ec2_on_demand_hourly("m7i.large", "ap-northeast-1"), Some(0.1302));
        // Unlisted region or type.
        assert_eq!(ec2_on_demand_hourly("m5.large", "sa-east-1"), None);
        assert_eq!(ec2_on_demand_hourly("z9.huge", "eu-west-1"), None);
    }

    #[test]
    fn every_catalog_type_has_a_row_and_us_east_1_agrees_with_the_catalog() {
        let types = builtin_instance_types();
        assert_eq!(EC2_REGIONAL.len(), types.len());
        for (row, t) in EC2_REGIONAL.iter().zip(&types) {
            assert_eq!(row.0, t.name);
            // Two independent sources for us-east-1 (Karpenter's file and this one) agree.
            if let Some(p) = row.1[0] {
                assert_eq!(p, t.on_demand_hourly, "{}", t.name);
            }
            for p in row.1.iter().flatten() {
                assert!(*p > 0.0 && *p < 10.0, "{}", t.name);
            }
        }
    }

    #[test]
    fn fargate_per_region() {
        assert_eq!(fargate_price_in("us-east-1", Arch::Arm64), Some(FARGATE_PRICE_ARM64));
        let frankfurt = fargate_price_in("eu-central-1", Arch::X86_64);
        assert_eq!(frankfurt, Some(FargatePrice { vcpu_hour: 0.04656, gb_hour: 0.00511 }));
        // arm64 as read from the Fargate pricing page's data (docs/aws-facts.md §16.7).
        let arm = fargate_price_in("eu-central-1", Arch::Arm64);
        assert_eq!(arm, Some(FargatePrice { vcpu_hour: 0.03725, gb_hour: 0.00409 }));
        let tokyo = fargate_price_in("ap-northeast-1", Arch::Arm64);
        assert_eq!(tokyo, Some(FargatePrice { vcpu_hour: 0.04045, gb_hour: 0.00442 }));
        // Every listed region has both architectures.
        for (r, x86, arm) in FARGATE_REGIONAL {
            assert!(x86.is_some() && arm.is_some(), "{r}");
        }
        assert_eq!(fargate_price_in("sa-east-1", Arch::X86_64), None);
        assert!(FARGATE_REGIONAL.iter().map(|r| r.0).eq(PRICED_REGIONS));
    }
}
