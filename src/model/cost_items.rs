//! What a run costs besides compute and Savings Plans: load balancers (hours
//! and capacity units), public IPv4 addresses, data transfer between zones,
//! EBS root volumes and Fargate ephemeral storage (docs/model.md §10.2).
//! Each is charged only when `[cost]` turns it on.
//!
//! Rates (addresses, volumes, load balancer hours) are integrated like the
//! compute rates; traffic (capacity units, transfer) arrives once a minute.
//! An item of a task goes to the task's owner; an item of an instance
//! (its address, its volume) to the provider, shared out at the end like
//! the instance itself; a load balancer's hours equally to its services and
//! its capacity units by their share of its requests in each hour.

use crate::catalog::{ALB_FREE_RULES, ALB_LCU, CapacityUnit, LbHourUsage, NLB_NLCU, capacity_units};
use crate::engine::SimTime;
use crate::scenario::Scenario;

/// The items of `cost.by_item`, in output order.
pub const ITEM_KEYS: [&str; 6] =
    ["compute", "savings_plan_commitment", "load_balancer", "public_ipv4", "data_transfer", "storage"];

/// Items beyond compute, as indices of the per-owner and per-provider arrays.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Item {
    LoadBalancer = 0,
    PublicIpv4 = 1,
    DataTransfer = 2,
    Storage = 3,
}

/// Bytes in the GB of AWS bills (2^30; docs/aws-facts.md §13.3).
pub const BYTES_PER_GB: f64 = 1_073_741_824.0;

/// One load balancer's traffic in the current hour.
struct LbHour {
    unit: CapacityUnit,
    lcu_hourly: f64,
    /// Rules evaluated per request beyond the free ones (one rule per service, ASSUMPTION).
    billed_rules: f64,
    hour: u64,
    all: LbHourUsage,
    counted: LbHourUsage,
    all_s: f64,
    counted_s: f64,
    /// Per service behind it (position in the scenario's list): counted requests this hour.
    requests: Vec<f64>,
    services: Vec<usize>,
}

pub struct ItemLedger {
    since: SimTime,
    warmup: SimTime,
    owner_rate: Vec<[f64; 4]>,
    pub owner_total: Vec<[f64; 4]>,
    provider_rate: Vec<[f64; 4]>,
    pub provider_total: Vec<[f64; 4]>,
    /// Cost this minute (warm-up included), for the time series.
    pub minute: f64,
    pub cumulative: f64,
    lbs: Vec<LbHour>,
    /// Owners and providers whose rates were ever set, ascending: the only rows
    /// [`ItemLedger::close`] integrates (see there why skipping the others is exact).
    rated_owners: Vec<usize>,
    rated_providers: Vec<usize>,
}

impl ItemLedger {
    pub fn new(sc: &Scenario) -> ItemLedger {
        let owners = sc.services.len() + sc.batch.len();
        let mut owner_rate = vec![[0.0; 4]; owners];
        let mut lbs = Vec::new();
        let mut rated_owners = Vec::new();
        if sc.cost.load_balancers {
            let prices = sc.cost.prices;
            for lb in &sc.cost.lbs {
                let (hourly, unit, lcu_hourly) = if lb.alb {
                    (prices.alb_hourly, ALB_LCU, prices.alb_lcu_hourly)
                } else {
                    (prices.nlb_hourly, NLB_NLCU, prices.nlb_nlcu_hourly)
                };
                let n = lb.services.len().max(1) as f64;
                for s in &lb.services {
                    owner_rate[*s][Item::LoadBalancer as usize] += hourly / n;
                    mark(&mut rated_owners, *s);
                }
                let rules = if lb.alb { lb.services.len() as f64 - f64::from(ALB_FREE_RULES) } else { 0.0 };
                lbs.push(LbHour {
                    unit,
                    lcu_hourly,
                    billed_rules: rules.max(0.0),
                    hour: 0,
                    all: LbHourUsage::default(),
                    counted: LbHourUsage::default(),
                    all_s: 0.0,
                    counted_s: 0.0,
                    requests: vec![0.0; lb.services.len()],
                    services: lb.services.clone(),
                });
            }
        }
        ItemLedger {
            since: SimTime::ZERO,
            warmup: SimTime::ZERO + sc.warmup,
            owner_rate,
            owner_total: vec![[0.0; 4]; owners],
            provider_rate: vec![[0.0; 4]; sc.providers.len()],
            provider_total: vec![[0.0; 4]; sc.providers.len()],
            minute: 0.0,
            cumulative: 0.0,
            lbs,
            rated_owners,
            rated_providers: Vec::new(),
        }
    }

    /// Integrates every rate up to `now`.
    ///
    /// Only rows whose rate was ever set are visited, in the order of a visit of
    /// every row (owners, then providers, ascending), so the sums are the same to
    /// the bit: another row's rates are +0.0, its terms `+0.0 × t` are +0.0, and
    /// adding +0.0 changes no sum that is not −0.0, which these never are (they
    /// start at +0.0 and only ever add, and a sum of IEEE additions from +0.0 is
    /// −0.0 only if every term is). This keeps a task's start or stop, which closes
    /// the ledger, from costing a walk over every service of the cluster.
    pub fn close(&mut self, now: SimTime) {
        if now <= self.since {
            return;
        }
        let all = now.saturating_since(self.since).as_secs_f64() / 3600.0;
        let counted = now.saturating_since(self.since.max(self.warmup)).as_secs_f64() / 3600.0;
        let (minute, cumulative) = (&mut self.minute, &mut self.cumulative);
        let mut integrate = |rates: &[f64; 4], totals: &mut [f64; 4]| {
            for k in 0..4 {
                *minute += rates[k] * all;
                *cumulative += rates[k] * all;
                totals[k] += rates[k] * counted;
            }
        };
        for &o in &self.rated_owners {
            integrate(&self.owner_rate[o], &mut self.owner_total[o]);
        }
        for &p in &self.rated_providers {
            integrate(&self.provider_rate[p], &mut self.provider_total[p]);
        }
        self.since = now;
    }

    /// Changes an owner's (`Some`) or a provider's rate of `item` by `delta` USD/h; close first.
    pub fn change_rate(&mut self, owner: Option<usize>, provider: usize, item: Item, delta: f64) {
        match owner {
            Some(o) => {
                self.owner_rate[o][item as usize] += delta;
                mark(&mut self.rated_owners, o);
            }
            None => {
                self.provider_rate[provider][item as usize] += delta;
                mark(&mut self.rated_providers, provider);
            }
        }
    }

    /// Charges `usd` of `item` to `owner` now (traffic of a minute).
    pub fn charge(&mut self, owner: usize, item: Item, usd: f64, counting: bool) {
        self.minute += usd;
        self.cumulative += usd;
        if counting {
            self.owner_total[owner][item as usize] += usd;
        }
    }

    /// One minute (starting at `minute_start`) of requests through load
    /// balancer `lb` for the service at position `pos` behind it.
    pub fn lb_minute(&mut self, lb: usize, pos: usize, minute_start: SimTime, traffic: LbTraffic, counting: bool) {
        let hour = minute_start.as_millis() / 3_600_000;
        if hour != self.lbs[lb].hour {
            self.settle_lb(lb);
            self.lbs[lb].hour = hour;
        }
        let l = &mut self.lbs[lb];
        let usage = LbHourUsage {
            new_connections: traffic.requests,
            active_connections: traffic.requests * traffic.mean_latency_s,
            processed_gb: traffic.requests * traffic.bytes_per_request / BYTES_PER_GB,
            rule_evaluations: traffic.requests * l.billed_rules,
        };
        add_usage(&mut l.all, usage);
        if counting {
            add_usage(&mut l.counted, usage);
            l.requests[pos] += traffic.requests;
        }
    }

    /// The minute is over for every service: each load balancer counts its 60 seconds once.
    pub fn lb_minute_end(&mut self, counting: bool) {
        for l in &mut self.lbs {
            l.all_s += 60.0;
            if counting {
                l.counted_s += 60.0;
            }
        }
    }

    /// Bills every load balancer's unfinished hour (the end of the run).
    pub fn finish(&mut self, now: SimTime) {
        self.close(now);
        for lb in 0..self.lbs.len() {
            self.settle_lb(lb);
        }
    }

    /// Bills the hour's capacity units and starts the next hour.
    fn settle_lb(&mut self, lb: usize) {
        let l = &mut self.lbs[lb];
        let bill = |usage: LbHourUsage, secs: f64| {
            // Active connections were gathered as connection-seconds: their mean is over the hour's seconds.
            let usage = LbHourUsage { active_connections: usage.active_connections / secs.max(1.0), ..usage };
            capacity_units(l.unit, usage, secs) * l.lcu_hourly * secs / 3600.0
        };
        let all = bill(l.all, l.all_s);
        let counted = bill(l.counted, l.counted_s);
        self.minute += all;
        self.cumulative += all;
        let total: f64 = l.requests.iter().sum();
        let n = l.services.len().max(1) as f64;
        for (k, &s) in l.services.iter().enumerate() {
            let share = if total > 0.0 { l.requests[k] / total } else { 1.0 / n };
            self.owner_total[s][Item::LoadBalancer as usize] += counted * share;
        }
        l.all = LbHourUsage::default();
        l.counted = LbHourUsage::default();
        l.all_s = 0.0;
        l.counted_s = 0.0;
        l.requests.iter_mut().for_each(|r| *r = 0.0);
    }
}

/// A minute of one service's requests through its load balancer.
#[derive(Clone, Copy, Debug)]
pub struct LbTraffic {
    pub requests: f64,
    pub mean_latency_s: f64,
    pub bytes_per_request: f64,
}

/// Adds `row` to the ascending list `rows` unless it is there already.
fn mark(rows: &mut Vec<usize>, row: usize) {
    if let Err(at) = rows.binary_search(&row) {
        rows.insert(at, row);
    }
}

fn add_usage(to: &mut LbHourUsage, u: LbHourUsage) {
    to.new_connections += u.new_connections;
    to.active_connections += u.active_connections;
    to.processed_gb += u.processed_gb;
    to.rule_evaluations += u.rule_evaluations;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::load_str;

    /// Three services on one provider, no load balancers: every rate starts at zero.
    fn scenario() -> Scenario {
        let mut text = String::from(
            "[simulation]\nduration = \"3h\"\nwarmup = \"30m\"\n[[capacity_providers]]\nname = \"E\"\nkind = \"ec2\"\n\
             instance_types = [\"m5.large\"]\nmin_size = 1\nmax_size = 1\n[[task_definitions]]\nfamily = \"t\"\n\
             cpu = 256\nmemory = 512\n",
        );
        for name in ["a", "b", "c"] {
            text += &format!("[[services]]\nname = \"{name}\"\ntask_definition = \"t\"\ndesired_count = 1\n");
        }
        load_str(&text, "items.toml", std::path::Path::new(".")).unwrap_or_else(|d| panic!("{d}"))
    }

    #[test]
    fn close_integrates_only_rated_rows_and_agrees_with_a_walk_over_every_row() {
        let sc = scenario();
        let mut ledger = ItemLedger::new(&sc);
        assert!(ledger.rated_owners.is_empty() && ledger.rated_providers.is_empty());
        let h = |hours: u64| SimTime::from_secs(hours * 3600);
        // Service b gets a public address ($0.005/h), the provider a root volume ($0.01/h).
        ledger.change_rate(Some(1), 0, Item::PublicIpv4, 0.005);
        ledger.change_rate(None, 0, Item::Storage, 0.01);
        assert_eq!((ledger.rated_owners.clone(), ledger.rated_providers.clone()), (vec![1], vec![0]));
        ledger.close(h(1));
        ledger.change_rate(Some(1), 0, Item::PublicIpv4, -0.005);
        ledger.close(h(2));
        // b: one hour at $0.005/h, half of it after the 30-minute warm-up: $0.0025 counted.
        assert_eq!(ledger.owner_total[1][Item::PublicIpv4 as usize], 0.005 * 0.5);
        // The volume: 1.5 counted hours at $0.01/h; the owners not rated stay exactly +0.0.
        assert_eq!(ledger.provider_total[0][Item::Storage as usize], 0.01 * 1.5);
        assert!(ledger.owner_total[0].iter().chain(&ledger.owner_total[2]).all(|v| v.to_bits() == 0));
        // The same sums, bit for bit, as visiting every row in order.
        let (mut minute, mut cumulative) = (0.0f64, 0.0f64);
        for (ipv4, storage) in [(0.005, 0.01), (0.0, 0.01)] {
            // Owners a, b, c, then the provider; each close spans one hour.
            let rows = [[0.0; 4], [0.0, ipv4, 0.0, 0.0], [0.0; 4], [0.0, 0.0, 0.0, storage]];
            for r in rows.iter().flatten() {
                minute += r * 1.0;
                cumulative += r * 1.0;
            }
        }
        assert_eq!((ledger.minute.to_bits(), ledger.cumulative.to_bits()), (minute.to_bits(), cumulative.to_bits()));
    }
}
