//! The typed cost settings: Savings Plans, which items beyond compute are
//! charged, the prices they are charged at, and the per-service,
//! per-provider and per-task-definition figures they need. Kept apart from
//! the other scenario types because only the cost ledger reads them.

use crate::catalog::{FargatePrice, InfraPrices, SpPayment, SpTerm};

#[derive(Clone, Debug, PartialEq)]
pub enum SavingsPlanKind {
    /// Any on-demand EC2 instance and Fargate (not spot).
    Compute,
    /// On-demand EC2 instances of one family ("m5") in the region.
    Ec2Instance { family: String },
}

#[derive(Clone, Debug)]
pub struct SavingsPlan {
    pub kind: SavingsPlanKind,
    /// USD per hour spent at the plan's rates, paid whether used or not.
    pub commitment_per_hour: f64,
    pub rates: PlanRates,
}

/// Where a plan's discounts come from.
#[derive(Clone, Debug, PartialEq)]
pub enum PlanRates {
    /// Stated in the scenario: one share off on-demand for all covered EC2
    /// usage, one for Fargate usage.
    Stated { ec2: f64, fargate: f64 },
    /// The built-in rates (catalog `compute_sp_rate`) of a term and payment
    /// option: a share off on-demand per instance family the scenario runs,
    /// and one for its on-demand Fargate usage (None when it runs none).
    Catalog { term: SpTerm, payment: SpPayment, families: Vec<(String, f64)>, fargate: Option<f64> },
}

impl SavingsPlan {
    /// The discount on a usage class, or None when the plan does not cover it.
    /// `family` is the instance family of EC2 usage, None for Fargate.
    pub fn discount_on(&self, family: Option<&str>) -> Option<f64> {
        let covered = match (&self.kind, family) {
            (SavingsPlanKind::Compute, _) => true,
            (SavingsPlanKind::Ec2Instance { family: f }, Some(g)) => f == g,
            (SavingsPlanKind::Ec2Instance { .. }, None) => false,
        };
        if !covered {
            return None;
        }
        match (&self.rates, family) {
            (PlanRates::Stated { fargate, .. }, None) => Some(*fargate),
            (PlanRates::Stated { ec2, .. }, Some(_)) => Some(*ec2),
            (PlanRates::Catalog { fargate, .. }, None) => *fargate,
            (PlanRates::Catalog { families, .. }, Some(g)) => families.iter().find(|(f, _)| f == g).map(|(_, d)| *d),
        }
    }
}

/// A load balancer and the services behind it (indices into
/// `Scenario::services`; plain indices so this file needs nothing of `types`).
#[derive(Clone, Debug)]
pub struct SharedLb {
    pub name: String,
    /// An Application Load Balancer (else a Network Load Balancer).
    pub alb: bool,
    pub services: Vec<usize>,
}

/// What an EC2 provider's instances cost besides the instance.
#[derive(Clone, Copy, Debug, Default)]
pub struct InstanceExtras {
    pub public_ip: bool,
    pub root_volume_gib: f64,
    /// USD per GB-month of the root volume's type.
    pub root_volume_gb_month: f64,
}

#[derive(Clone, Debug, Default)]
pub struct CostConfig {
    pub load_balancers: bool,
    pub public_ipv4: bool,
    pub data_transfer: bool,
    pub storage: bool,
    /// Built-in prices of the region, with `[cost.prices]` applied; zeros
    /// where the region is unlisted and no item needs them.
    pub prices: InfraPrices,
    /// On-demand Fargate prices of the region (Linux), with `[cost.prices]`
    /// applied; zeros for an architecture no Fargate task uses and the
    /// region does not price.
    pub fargate_x86_64: FargatePrice,
    pub fargate_arm64: FargatePrice,
    pub savings_plans: Vec<SavingsPlan>,
    pub lbs: Vec<SharedLb>,
    /// Per service: its load balancer in `lbs`.
    pub service_lb: Vec<Option<usize>>,
    pub service_public_ip: Vec<bool>,
    /// Per service: bytes of a request and of its response.
    pub service_bytes: Vec<(f64, f64)>,
    /// Per provider (Fargate providers: default).
    pub instance_extras: Vec<InstanceExtras>,
    /// Per task definition: ephemeral storage (GiB).
    pub ephemeral_gib: Vec<f64>,
}

impl CostConfig {
    /// The on-demand Fargate price of a task of `arch`.
    pub fn fargate_price(&self, arch: crate::catalog::Arch) -> FargatePrice {
        match arch {
            crate::catalog::Arch::X86_64 => self.fargate_x86_64,
            crate::catalog::Arch::Arm64 => self.fargate_arm64,
        }
    }

    /// Whether any item beyond compute is charged.
    pub fn any_item(&self) -> bool {
        self.load_balancers || self.public_ipv4 || self.data_transfer || self.storage
    }
}
