//! Savings Plans, applied to one hour of usage the way AWS applies them
//! (docs/aws-facts.md §13.1): after reserved instances (the caller passes
//! usage they did not cover), EC2 Instance plans before Compute plans, and
//! within a plan the usage with the highest discount first (ties: the
//! earlier usage class). A plan covers usage at its rate, on-demand × (1 −
//! discount), until the hour's commitment is spent; the rest stays
//! on-demand; the commitment is paid in full whatever was used.
//!
//! A pure function over one hour, so the rule can be checked by hand.

use crate::engine::SimTime;
use crate::scenario::{ProviderKind, SavingsPlan, SavingsPlanKind, Scenario, resolve::family_of};

const HOUR_MS: u64 = 3_600_000;

/// The eligible usage of the current hour and the plans' totals so far.
/// Usage classes are (provider, instance family) for on-demand instances and
/// one per on-demand Fargate provider; spot usage is never eligible.
pub struct SpBook {
    plans: Vec<SavingsPlan>,
    families: Vec<Option<String>>,
    pub class_provider: Vec<usize>,
    /// Per provider and instance type: its usage class.
    type_class: Vec<Vec<Option<usize>>>,
    fargate_class: Vec<Option<usize>>,
    /// Eligible on-demand USD per hour of each class now (reserved cover not yet taken off).
    pub rate: Vec<f64>,
    all: Vec<f64>,
    counted: Vec<f64>,
    all_s: f64,
    counted_s: f64,
    /// Counted totals: commitment, the part used at plan rates, on-demand covered.
    pub commitment: f64,
    pub used: f64,
    pub covered: f64,
}

/// One hour settled: its outcome over everything, and over the counted part.
pub struct Settled {
    pub all: HourOutcome,
    pub counted: HourOutcome,
}

impl SpBook {
    pub fn new(sc: &Scenario) -> Option<SpBook> {
        if sc.cost.savings_plans.is_empty() {
            return None;
        }
        let mut families: Vec<Option<String>> = Vec::new();
        let mut class_provider = Vec::new();
        let mut type_class = vec![vec![None; sc.instance_types.len()]; sc.providers.len()];
        let mut fargate_class = vec![None; sc.providers.len()];
        for (p, cfg) in sc.providers.iter().enumerate() {
            match &cfg.kind {
                ProviderKind::Asg(a) => {
                    let first = families.len();
                    for t in &a.instance_types {
                        let family = family_of(&sc.instance_types[t.idx()].name).to_string();
                        let class = match families[first..].iter().position(|f| f.as_deref() == Some(&family)) {
                            Some(k) => first + k,
                            None => {
                                families.push(Some(family));
                                class_provider.push(p);
                                families.len() - 1
                            }
                        };
                        type_class[p][t.idx()] = Some(class);
                    }
                }
                ProviderKind::Fargate(f) if !f.spot => {
                    families.push(None);
                    class_provider.push(p);
                    fargate_class[p] = Some(families.len() - 1);
                }
                ProviderKind::Fargate(_) => {}
            }
        }
        let n = families.len();
        Some(SpBook {
            plans: sc.cost.savings_plans.clone(),
            families,
            class_provider,
            type_class,
            fargate_class,
            rate: vec![0.0; n],
            all: vec![0.0; n],
            counted: vec![0.0; n],
            all_s: 0.0,
            counted_s: 0.0,
            commitment: 0.0,
            used: 0.0,
            covered: 0.0,
        })
    }

    /// The usage class of an on-demand instance of `type_idx` on provider `p`.
    pub fn instance_class(&self, p: usize, type_idx: usize) -> Option<usize> {
        self.type_class[p][type_idx]
    }

    pub fn fargate_class(&self, p: usize) -> Option<usize> {
        self.fargate_class[p]
    }

    /// Adds [from, to) at the current rates less `reserved` (USD/h per class
    /// covered by reservations); `warmup` ends the uncounted part. Calls
    /// `settle` for every hour that ends on the way.
    pub fn advance(
        &mut self,
        from: SimTime,
        to: SimTime,
        warmup: SimTime,
        reserved: &[f64],
        settle: &mut impl FnMut(Settled),
    ) {
        let mut t = from.as_millis();
        let end = to.as_millis();
        while t < end {
            let hour_end = (t / HOUR_MS + 1) * HOUR_MS;
            let piece_end = hour_end.min(end);
            let all_s = (piece_end - t) as f64 / 1000.0;
            let counted_s = (piece_end - t.max(warmup.as_millis()).min(piece_end)) as f64 / 1000.0;
            for (c, (rate, cover)) in self.rate.iter().zip(reserved).enumerate() {
                let r = (rate - cover).max(0.0);
                self.all[c] += r * all_s / 3600.0;
                self.counted[c] += r * counted_s / 3600.0;
            }
            self.all_s += all_s;
            self.counted_s += counted_s;
            t = piece_end;
            if t == hour_end {
                settle(self.settle());
            }
        }
    }

    /// Whether part of an hour is gathered and not yet settled.
    pub fn pending(&self) -> bool {
        self.all_s > 0.0
    }

    /// Applies the plans to the hour gathered so far and starts the next.
    pub fn settle(&mut self) -> Settled {
        let families: Vec<Option<&str>> = self.families.iter().map(|f| f.as_deref()).collect();
        let all = apply_hour(&self.plans, &families, &self.all, self.all_s / 3600.0);
        let counted = apply_hour(&self.plans, &families, &self.counted, self.counted_s / 3600.0);
        self.commitment += counted.commitment;
        self.used += counted.used;
        self.covered += counted.covered.iter().sum::<f64>();
        self.all.iter_mut().chain(self.counted.iter_mut()).for_each(|v| *v = 0.0);
        self.all_s = 0.0;
        self.counted_s = 0.0;
        Settled { all, counted }
    }
}

/// What the plans did with one hour.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct HourOutcome {
    /// Per usage class: on-demand USD the plans covered.
    pub covered: Vec<f64>,
    /// Per usage class: what the cover saved (covered × discount).
    pub saving: Vec<f64>,
    /// Commitment spent at plan rates, and the whole commitment of the hour.
    pub used: f64,
    pub commitment: f64,
}

impl HourOutcome {
    pub fn unused(&self) -> f64 {
        (self.commitment - self.used).max(0.0)
    }
}

/// Applies `plans` to one hour. `usage[c]` is eligible on-demand USD of usage
/// class `c`, `families[c]` its instance family (None: Fargate); `hours` is
/// the share of the hour that counts (1 for a whole hour), which scales each
/// commitment.
pub fn apply_hour(plans: &[SavingsPlan], families: &[Option<&str>], usage: &[f64], hours: f64) -> HourOutcome {
    let mut left: Vec<f64> = usage.iter().map(|u| u.max(0.0)).collect();
    let mut out =
        HourOutcome { covered: vec![0.0; usage.len()], saving: vec![0.0; usage.len()], ..HourOutcome::default() };
    let instance_first = |p: &&SavingsPlan| !matches!(p.kind, SavingsPlanKind::Ec2Instance { .. });
    let mut ordered: Vec<&SavingsPlan> = plans.iter().collect();
    ordered.sort_by_key(instance_first);
    for plan in ordered {
        let commitment = plan.commitment_per_hour * hours;
        out.commitment += commitment;
        let mut remaining = commitment;
        let mut classes: Vec<(usize, f64)> =
            families.iter().enumerate().filter_map(|(c, f)| plan.discount_on(*f).map(|d| (c, d))).collect();
        // Highest discount first; a stable sort keeps the class order for ties.
        classes.sort_by(|a, b| b.1.total_cmp(&a.1));
        for (c, d) in classes {
            if remaining <= 0.0 {
                break;
            }
            let rate = 1.0 - d;
            let at_plan_rate = left[c] * rate;
            let covered = if at_plan_rate <= remaining { left[c] } else { remaining / rate };
            remaining = (remaining - covered * rate).max(0.0);
            left[c] -= covered;
            out.covered[c] += covered;
            out.saving[c] += covered * d;
        }
        out.used += commitment - remaining;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::PlanRates;

    fn compute(commitment: f64, discount: f64, fargate: f64) -> SavingsPlan {
        SavingsPlan {
            kind: SavingsPlanKind::Compute,
            commitment_per_hour: commitment,
            rates: PlanRates::Stated { ec2: discount, fargate },
        }
    }

    #[test]
    fn an_hour_under_at_and_over_the_commitment() {
        let plan = [compute(1.0, 0.2, 0.2)];
        // Under: $1.00 of usage costs $0.80 at the plan rate; the $1 commitment is paid, $0.20 unused.
        let h = apply_hour(&plan, &[Some("m5")], &[1.0], 1.0);
        assert_eq!((h.covered[0], h.used, h.unused()), (1.0, 0.8, 0.19999999999999996));
        // At: $1.25 of usage × 0.8 = $1.00, exactly the commitment.
        let h = apply_hour(&plan, &[Some("m5")], &[1.25], 1.0);
        assert_eq!((h.covered[0], h.used, h.unused()), (1.25, 1.0, 0.0));
        // Over: $2.00 of usage; $1.25 covered for $1.00, $0.75 stays on-demand: the hour costs $1.75.
        let h = apply_hour(&plan, &[Some("m5")], &[2.0], 1.0);
        assert_eq!((h.covered[0], h.saving[0], h.used), (1.25, 0.25, 1.0));
    }

    #[test]
    fn the_highest_discount_is_covered_first() {
        // EC2 at 40 % off, Fargate at 20 % off, $1 each; $0.9 commitment.
        // EC2 first: $1 × 0.6 = $0.60; then $0.30 left covers $0.30 / 0.8 = $0.375 of Fargate.
        let h = apply_hour(&[compute(0.9, 0.4, 0.2)], &[None, Some("c5")], &[1.0, 1.0], 1.0);
        assert!((h.covered[0] - 0.375).abs() < 1e-15, "{:?}", h.covered);
        assert_eq!(h.covered[1], 1.0);
        assert!((h.used - 0.9).abs() < 1e-15);
    }

    #[test]
    fn instance_plans_apply_before_compute_plans_and_only_to_their_family() {
        let m5 = SavingsPlan {
            kind: SavingsPlanKind::Ec2Instance { family: "m5".into() },
            commitment_per_hour: 0.5,
            rates: PlanRates::Stated { ec2: 0.5, fargate: 0.5 },
        };
        // Listed after the compute plan, still applied first: $1 of m5 at 50 % uses all $0.50.
        // The compute plan ($0.4 at 20 %) then covers $0.5 of c5: $0.4.
        let h = apply_hour(&[compute(0.4, 0.2, 0.2), m5], &[Some("m5"), Some("c5")], &[1.0, 0.5], 1.0);
        assert_eq!(h.covered, [1.0, 0.5]);
        assert_eq!(h.commitment, 0.9);
        assert!((h.used - 0.9).abs() < 1e-15);
    }

    #[test]
    fn a_partial_hour_pays_its_share_of_the_commitment() {
        let h = apply_hour(&[compute(2.0, 0.3, 0.3)], &[None], &[0.0], 0.25);
        assert_eq!((h.commitment, h.used, h.unused()), (0.5, 0.0, 0.5));
    }
}
