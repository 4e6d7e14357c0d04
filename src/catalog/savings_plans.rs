//! Savings Plans rates by plan type, term and payment option: what a plan
//! charges per unit of the usage it covers, beside the on-demand price of the
//! same usage, so a plan can be given as a term and payment option instead of
//! a stated discount (docs/aws-facts.md §16.8).
//!
//! AWS publishes one rate per usage type (instance type or Fargate resource),
//! region, term and payment option. Only the rows a readable source gave are
//! here; every other combination has no built-in figure and a scenario states
//! its own discount.

use super::Arch;

/// When the rates were read.
pub const SP_RATES_READ: &str = "2026-12-07";

/// Where the rates come from, and the date of the price list they were taken from.
pub const SP_RATES_SOURCE: &str = "namratabhatia21/Clarchy src/clarchy/data/prices/aws.yaml at commit 24812aa5 \
     (generated from the AWS Price List API: the Compute Savings Plans offer file for us-east-1, as of 2026-10-01; \
     Linux, shared tenancy)";

/// A plan's term.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SpTerm {
    OneYear,
    ThreeYears,
}

impl SpTerm {
    pub fn years(self) -> u32 {
        match self {
            SpTerm::OneYear => 1,
            SpTerm::ThreeYears => 3,
        }
    }
}

/// A plan's payment option.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SpPayment {
    NoUpfront,
    PartialUpfront,
    AllUpfront,
}

impl SpPayment {
    /// The spelling of the scenario key `payment`.
    pub fn as_str(self) -> &'static str {
        match self {
            SpPayment::NoUpfront => "no_upfront",
            SpPayment::PartialUpfront => "partial_upfront",
            SpPayment::AllUpfront => "all_upfront",
        }
    }
}

/// The usage a rate discounts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SpUsage {
    /// Fargate vCPU-hours of one CPU architecture.
    FargateVcpu(Arch),
    /// Fargate GB-hours of memory of one CPU architecture.
    FargateGb(Arch),
    /// Hours of one EC2 instance type.
    Instance(&'static str),
}

impl SpUsage {
    /// How the usage reads in the catalog listing and in errors.
    pub fn describe(self) -> String {
        match self {
            SpUsage::FargateVcpu(a) => format!("Fargate {} vCPU-hour", a.as_str()),
            SpUsage::FargateGb(a) => format!("Fargate {} GB-hour", a.as_str()),
            SpUsage::Instance(t) => format!("{t} hour"),
        }
    }
}

/// One published Compute Savings Plans rate beside the on-demand price of the
/// same usage (USD per unit).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SpRate {
    pub region: &'static str,
    pub usage: SpUsage,
    pub term: SpTerm,
    pub payment: SpPayment,
    pub on_demand: f64,
    pub rate: f64,
}

impl SpRate {
    /// The share off on-demand: 1 − rate / on-demand.
    pub fn discount(&self) -> f64 {
        1.0 - self.rate / self.on_demand
    }
}

const fn row(usage: SpUsage, term: SpTerm, on_demand: f64, rate: f64) -> SpRate {
    SpRate { region: "us-east-1", usage, term, payment: SpPayment::NoUpfront, on_demand, rate }
}

/// Compute Savings Plans rates (Clarchy's `fargate.vcpu_hours`,
/// `fargate.gb_hours` and `ec2.node_hours` entries: `price` is on-demand,
/// `commit_1yr` and `commit_3yr` the no-upfront plan rates). No partial or
/// all upfront rate, no other region, no EC2 Instance Savings Plans rate and
/// no other instance type was found in a readable source.
const COMPUTE_RATES: [SpRate; 6] = [
    row(SpUsage::FargateVcpu(Arch::X86_64), SpTerm::OneYear, 0.04048, 0.032384),
    row(SpUsage::FargateGb(Arch::X86_64), SpTerm::OneYear, 0.004445, 0.003556),
    row(SpUsage::FargateVcpu(Arch::X86_64), SpTerm::ThreeYears, 0.04048, 0.022264),
    row(SpUsage::FargateGb(Arch::X86_64), SpTerm::ThreeYears, 0.004445, 0.00244475),
    row(SpUsage::Instance("m7g.large"), SpTerm::OneYear, 0.0816, 0.0599),
    row(SpUsage::Instance("m7g.large"), SpTerm::ThreeYears, 0.0816, 0.0414),
];

/// Every built-in Compute Savings Plans rate, in listing order.
pub fn compute_sp_rates() -> &'static [SpRate] {
    &COMPUTE_RATES
}

/// The built-in Compute Savings Plans rate of `usage` in `region` for a term
/// and payment option, if a source gave it.
pub fn compute_sp_rate(region: &str, usage: SpUsage, term: SpTerm, payment: SpPayment) -> Option<SpRate> {
    COMPUTE_RATES
        .iter()
        .copied()
        .find(|r| r.region == region && r.usage == usage && r.term == term && r.payment == payment)
}

/// The discount of a Compute Savings Plan on hours of `instance_type`.
pub fn compute_sp_instance_discount(
    region: &str,
    instance_type: &str,
    term: SpTerm,
    payment: SpPayment,
) -> Option<f64> {
    COMPUTE_RATES
        .iter()
        .find(|r| {
            r.region == region
                && matches!(r.usage, SpUsage::Instance(t) if t == instance_type)
                && r.term == term
                && r.payment == payment
        })
        .map(SpRate::discount)
}

/// The discount of a Compute Savings Plan on Fargate usage of `arch`: the
/// vCPU and memory rates are the same share off on-demand in every row the
/// source gave (a unit test checks it), so one figure stands for both.
pub fn compute_sp_fargate_discount(region: &str, arch: Arch, term: SpTerm, payment: SpPayment) -> Option<f64> {
    compute_sp_rate(region, SpUsage::FargateVcpu(arch), term, payment).map(|r| r.discount())
}

/// The (region, term, payment, usage) combinations that have a built-in
/// rate, for error messages: "us-east-1 1-year no_upfront: Fargate x86_64, m7g.large; ...".
pub fn describe_compute_sp_rates() -> String {
    let mut groups: Vec<(String, Vec<String>)> = Vec::new();
    for r in &COMPUTE_RATES {
        let key = format!("{} {}-year {}", r.region, r.term.years(), r.payment.as_str());
        let what = match r.usage {
            SpUsage::FargateVcpu(a) | SpUsage::FargateGb(a) => format!("Fargate {}", a.as_str()),
            SpUsage::Instance(t) => t.to_string(),
        };
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, items)) if !items.contains(&what) => items.push(what),
            Some(_) => {}
            None => groups.push((key, vec![what])),
        }
    }
    groups.iter().map(|(k, items)| format!("{k}: {}", items.join(", "))).collect::<Vec<_>>().join("; ")
}

#[cfg(test)]
mod tests {
    use super::super::{FARGATE_PRICE_X86_64, builtin_instance_types};
    use super::*;

    #[test]
    fn on_demand_prices_agree_with_the_catalog() {
        // The source's on-demand figures are the catalog's own us-east-1 prices.
        for r in compute_sp_rates() {
            let catalog = match r.usage {
                SpUsage::FargateVcpu(Arch::X86_64) => FARGATE_PRICE_X86_64.vcpu_hour,
                SpUsage::FargateGb(Arch::X86_64) => FARGATE_PRICE_X86_64.gb_hour,
                SpUsage::Instance(t) => {
                    builtin_instance_types().into_iter().find(|i| i.name == t).unwrap().on_demand_hourly
                }
                other => panic!("no catalog price for {other:?}"),
            };
            assert_eq!(r.on_demand, catalog, "{r:?}");
        }
    }

    #[test]
    fn fargate_vcpu_and_memory_have_the_same_discount() {
        // 1 year: 0.032384 / 0.04048 = 0.003556 / 0.004445 = 0.8 (20 % off);
        // 3 years: 0.022264 / 0.04048 = 0.00244475 / 0.004445 = 0.55 (45 % off).
        for (term, expected) in [(SpTerm::OneYear, 0.2), (SpTerm::ThreeYears, 0.45)] {
            let rate = |u| compute_sp_rate("us-east-1", u, term, SpPayment::NoUpfront).unwrap().discount();
            let vcpu = rate(SpUsage::FargateVcpu(Arch::X86_64));
            let gb = rate(SpUsage::FargateGb(Arch::X86_64));
            assert!((vcpu - expected).abs() < 1e-12 && (gb - expected).abs() < 1e-12, "{term:?}: {vcpu} {gb}");
        }
    }

    #[test]
    fn m7g_large_rates() {
        // 1 − 0.0599 / 0.0816 and 1 − 0.0414 / 0.0816.
        let d = |term| {
            compute_sp_rate("us-east-1", SpUsage::Instance("m7g.large"), term, SpPayment::NoUpfront).unwrap().discount()
        };
        assert!((d(SpTerm::OneYear) - 0.0217 / 0.0816).abs() < 1e-12);
        assert!((d(SpTerm::ThreeYears) - 0.0402 / 0.0816).abs() < 1e-12);
    }

    #[test]
    fn combinations_without_a_source_have_no_rate() {
        let fargate = |region, term, payment| compute_sp_fargate_discount(region, Arch::X86_64, term, payment);
        assert!(fargate("us-east-1", SpTerm::OneYear, SpPayment::PartialUpfront).is_none());
        assert!(fargate("us-east-1", SpTerm::ThreeYears, SpPayment::AllUpfront).is_none());
        assert!(fargate("eu-west-1", SpTerm::OneYear, SpPayment::NoUpfront).is_none());
        assert!(compute_sp_fargate_discount("us-east-1", Arch::Arm64, SpTerm::OneYear, SpPayment::NoUpfront).is_none());
        assert!(
            compute_sp_instance_discount("us-east-1", "m6i.large", SpTerm::OneYear, SpPayment::NoUpfront).is_none()
        );
        assert!(
            compute_sp_instance_discount("us-east-1", "m7g.large", SpTerm::OneYear, SpPayment::NoUpfront).is_some()
        );
        assert_eq!(
            describe_compute_sp_rates(),
            "us-east-1 1-year no_upfront: Fargate x86_64, m7g.large; us-east-1 3-year no_upfront: Fargate x86_64, m7g.large"
        );
    }
}
