//! Cost: EC2 per second with a 60-second minimum per instance, at the
//! on-demand or spot price; reserved instances paid for all the time and
//! covering on-demand instances of their type (the unused part is reported
//! apart); Fargate per vCPU-hour and GB-hour, per second with a one-minute
//! minimum, Fargate Spot at its discount.
//!
//! Costs accrue as piecewise-constant rates, integrated whenever a rate
//! changes. A service's share of an instance is its tasks' reserved CPU and
//! memory (half each), priced at the instance's list price and scaled so that
//! each provider's allocations and its unallocated remainder add up to what
//! the provider really cost (reserved coverage and instance minimums
//! included). A Fargate task's top-up to its one-minute minimum is billed per
//! task, so it is charged to that task's owner alone.

use super::Simulation;
use super::cost_items::{ITEM_KEYS, Item, ItemLedger};
use super::entities::{InstanceId, Owner, Purchase, TaskId};
use super::savings_plans::{Settled, SpBook};
use crate::catalog::{Arch, FARGATE_FREE_EPHEMERAL_GIB, HOURS_PER_MONTH};
use crate::engine::SimTime;
use crate::scenario::Scenario;

/// Minimum billed time per EC2 instance and per Fargate task.
pub const MINIMUM_BILLED_SECONDS: f64 = 60.0;

struct Reserved {
    instance_type: crate::scenario::TypeId,
    count: f64,
    hourly: f64,
    on_demand_hourly: f64,
    /// Live on-demand instances of the type per provider.
    live: Vec<u32>,
}

pub struct CostLedger {
    since: SimTime,
    warmup: SimTime,
    /// List-price rate of each provider's instances and Fargate tasks (USD/h).
    rate: Vec<f64>,
    /// Counted (after warm-up) list-price cost, reserved discount (negative) and minimum top-ups
    /// (instances' and Fargate tasks' together).
    nominal: Vec<f64>,
    discount: Vec<f64>,
    topups: Vec<f64>,
    /// Counted Fargate task top-ups per provider, and per owner and provider: charged to the
    /// task's owner, not shared out with the provider's other costs.
    task_topups: Vec<f64>,
    owner_topups: Vec<Vec<f64>>,
    pub reserved_unused: f64,
    /// Cost accrued this minute per provider, and for unused reservations (all of it, warm-up included).
    pub minute: Vec<f64>,
    pub minute_reserved_unused: f64,
    /// Cumulative cost from the start (for the time series).
    pub cumulative: f64,
    reserved: Vec<Reserved>,
    /// Instances and resource-holding tasks per provider, and their counted seconds.
    live_instances: Vec<u32>,
    live_tasks: Vec<u32>,
    pub instance_seconds: Vec<f64>,
    pub task_seconds: Vec<f64>,
    /// Per owner (services, then scheduled tasks) and provider: list-price allocation rate and counted total.
    alloc_rate: Vec<Vec<f64>>,
    alloc_total: Vec<Vec<f64>>,
    alloc_since: Vec<Vec<SimTime>>,
    /// Per owner and provider: resource-holding tasks and their counted seconds.
    owner_tasks: Vec<Vec<OwnerTasks>>,
    /// Savings Plans' eligible usage and totals (None without plans).
    sp: Option<SpBook>,
    /// Counted commitment the plans did not use.
    sp_unused: f64,
    /// Load balancers, public addresses, transfer, storage.
    pub items: ItemLedger,
}

#[derive(Clone, Copy)]
struct OwnerTasks {
    live: u32,
    since: SimTime,
    seconds: f64,
}

/// What the ledger reports at the end of a run (all counted after warm-up).
pub struct CostReport {
    pub by_provider: Vec<f64>,
    pub by_owner: Vec<f64>,
    pub unallocated: f64,
    pub reserved_unused: f64,
    pub total: f64,
    /// `cost.by_item`, in [`ITEM_KEYS`] order.
    pub by_item: [f64; 6],
    pub savings_plans: SavingsPlansReport,
    /// The total scaled to a 730-hour month (None when no time counted).
    pub monthly: Option<f64>,
    /// Per owner: its cost by item ([`ITEM_KEYS`] order; the commitment's
    /// used part is in compute, its unused part belongs to no owner).
    pub owner_items: Vec<[f64; 6]>,
}

/// `cost.savings_plans`: counted commitment, the part used at plan rates,
/// the rest, the on-demand usage covered and what the cover saved.
#[derive(Clone, Copy, Debug, Default)]
pub struct SavingsPlansReport {
    pub commitment: f64,
    pub used: f64,
    pub unused: f64,
    pub covered: f64,
}

impl CostReport {
    /// The item names with their figures.
    pub fn items(&self) -> impl Iterator<Item = (&'static str, f64)> + '_ {
        ITEM_KEYS.iter().copied().zip(self.by_item.iter().copied())
    }
}

impl CostLedger {
    pub fn new(sc: &Scenario) -> Self {
        let np = sc.providers.len();
        let owners = sc.services.len() + sc.batch.len();
        CostLedger {
            since: SimTime::ZERO,
            warmup: SimTime::ZERO + sc.warmup,
            rate: vec![0.0; np],
            nominal: vec![0.0; np],
            discount: vec![0.0; np],
            topups: vec![0.0; np],
            task_topups: vec![0.0; np],
            owner_topups: vec![vec![0.0; np]; owners],
            reserved_unused: 0.0,
            minute: vec![0.0; np],
            minute_reserved_unused: 0.0,
            cumulative: 0.0,
            reserved: sc
                .reserved
                .iter()
                .map(|r| Reserved {
                    instance_type: r.instance_type,
                    count: f64::from(r.count),
                    hourly: r.hourly.0,
                    on_demand_hourly: sc.instance_types[r.instance_type.idx()].on_demand_hourly,
                    live: vec![0; np],
                })
                .collect(),
            live_instances: vec![0; np],
            live_tasks: vec![0; np],
            instance_seconds: vec![0.0; np],
            task_seconds: vec![0.0; np],
            alloc_rate: vec![vec![0.0; np]; owners],
            alloc_total: vec![vec![0.0; np]; owners],
            alloc_since: vec![vec![SimTime::ZERO; np]; owners],
            owner_tasks: vec![vec![OwnerTasks { live: 0, since: SimTime::ZERO, seconds: 0.0 }; np]; owners],
            sp: SpBook::new(sc),
            sp_unused: 0.0,
            items: ItemLedger::new(sc),
        }
    }

    /// Seconds of [from, to) that count (after warm-up).
    fn counted(&self, from: SimTime, to: SimTime) -> f64 {
        to.saturating_since(from.max(self.warmup)).as_secs_f64()
    }

    /// Integrates every provider rate up to `now`.
    pub fn close(&mut self, now: SimTime) {
        if now <= self.since {
            return;
        }
        let all = now.saturating_since(self.since).as_secs_f64();
        let counted = self.counted(self.since, now);
        for p in 0..self.rate.len() {
            let c = self.rate[p] * all / 3600.0;
            self.minute[p] += c;
            self.cumulative += c;
            self.nominal[p] += self.rate[p] * counted / 3600.0;
            self.instance_seconds[p] += f64::from(self.live_instances[p]) * counted;
            self.task_seconds[p] += f64::from(self.live_tasks[p]) * counted;
        }
        self.items.close(now);
        let mut sp_reserved = self.sp.as_ref().map(|sp| vec![0.0; sp.rate.len()]);
        for (k, r) in self.reserved.iter().enumerate() {
            let n: u32 = r.live.iter().sum();
            // Several reservations of one type cover its instances one after another.
            let before: f64 =
                self.reserved[..k].iter().filter(|o| o.instance_type == r.instance_type).map(|o| o.count).sum();
            let covered = (f64::from(n) - before).clamp(0.0, r.count);
            let unused = (r.count - covered) * r.hourly / 3600.0;
            self.minute_reserved_unused += unused * all;
            self.cumulative += unused * all;
            self.reserved_unused += unused * counted;
            if n > 0 {
                let saving = covered * (r.on_demand_hourly - r.hourly) / 3600.0;
                for (p, &live) in r.live.iter().enumerate() {
                    let share = saving * f64::from(live) / f64::from(n);
                    self.minute[p] -= share * all;
                    self.cumulative -= share * all;
                    self.discount[p] -= share * counted;
                    // Usage a reservation covers is not left for the Savings Plans (RIs apply first).
                    if let (Some(cover), Some(sp)) = (sp_reserved.as_mut(), self.sp.as_ref())
                        && let Some(c) = sp.instance_class(p, r.instance_type.idx())
                    {
                        cover[c] += covered * r.on_demand_hourly * f64::from(live) / f64::from(n);
                    }
                }
            }
        }
        if let (Some(mut sp), Some(cover)) = (self.sp.take(), sp_reserved) {
            let providers = sp.class_provider.clone();
            sp.advance(self.since, now, self.warmup, &cover, &mut |h| self.apply_settled(&providers, h));
            self.sp = Some(sp);
        }
        self.since = now;
    }

    /// Books one settled Savings Plans hour: the saving off each provider, the unused commitment.
    fn apply_settled(&mut self, providers: &[usize], h: Settled) {
        for (c, &p) in providers.iter().enumerate() {
            self.minute[p] -= h.all.saving[c];
            self.cumulative -= h.all.saving[c];
            self.discount[p] -= h.counted.saving[c];
        }
        self.items.minute += h.all.unused();
        self.cumulative += h.all.unused();
        self.sp_unused += h.counted.unused();
    }

    fn close_alloc(&mut self, owner: usize, p: usize, now: SimTime) {
        let since = self.alloc_since[owner][p];
        self.alloc_total[owner][p] += self.alloc_rate[owner][p] * self.counted(since, now) / 3600.0;
        self.alloc_since[owner][p] = now;
    }

    fn change_alloc(&mut self, owner: usize, p: usize, now: SimTime, delta: f64) {
        self.close_alloc(owner, p, now);
        self.alloc_rate[owner][p] += delta;
    }

    fn close_owner_tasks(&mut self, owner: usize, p: usize, now: SimTime) {
        let counted = self.counted(self.owner_tasks[owner][p].since, now);
        let o = &mut self.owner_tasks[owner][p];
        o.seconds += f64::from(o.live) * counted;
        o.since = now;
    }

    /// One of `owner`'s tasks on provider `p` starts (+1) or stops (-1) holding resources.
    fn change_owner_tasks(&mut self, owner: usize, p: usize, now: SimTime, started: bool) {
        self.close_owner_tasks(owner, p, now);
        let o = &mut self.owner_tasks[owner][p];
        o.live = if started { o.live + 1 } else { o.live.saturating_sub(1) };
    }

    /// Counted task-seconds of `owner` (services, then scheduled tasks) on provider `p`,
    /// up to the last change or [`CostLedger::finish`].
    pub fn owner_task_seconds(&self, owner: usize, p: usize) -> f64 {
        self.owner_tasks[owner][p].seconds
    }

    /// Bills the rest of the minimum (and the started second); returns the part that counts.
    fn topup(&mut self, p: usize, now: SimTime, hourly: f64, lived_s: f64) -> f64 {
        let billed = lived_s.ceil().max(MINIMUM_BILLED_SECONDS);
        let extra = (billed - lived_s) * hourly / 3600.0;
        self.minute[p] += extra;
        self.cumulative += extra;
        let counted = if now >= self.warmup { extra } else { 0.0 };
        self.topups[p] += counted;
        counted
    }

    pub fn finish(&mut self, now: SimTime) -> CostReport {
        self.close(now);
        // The last hour, if the run ends inside one, pays its share of the commitment.
        if let Some(mut sp) = self.sp.take() {
            if sp.pending() {
                let h = sp.settle();
                self.apply_settled(&sp.class_provider.clone(), h);
            }
            self.sp = Some(sp);
        }
        self.items.finish(now);
        for o in 0..self.alloc_rate.len() {
            for p in 0..self.rate.len() {
                self.close_alloc(o, p, now);
                self.close_owner_tasks(o, p, now);
            }
        }
        let by_provider: Vec<f64> =
            (0..self.rate.len()).map(|p| self.nominal[p] + self.discount[p] + self.topups[p]).collect();
        // Shared costs (reserved savings, instance minimums) scale the list-price allocations;
        // task top-ups go to their owners as they are.
        let factor: Vec<f64> = (0..self.rate.len())
            .map(|p| if self.nominal[p] > 0.0 { (by_provider[p] - self.task_topups[p]) / self.nominal[p] } else { 0.0 })
            .collect();
        let mut by_owner: Vec<f64> = self
            .alloc_total
            .iter()
            .zip(&self.owner_topups)
            .map(|(row, topups)| row.iter().zip(&factor).zip(topups).map(|((a, f), t)| a * f + t).sum())
            .collect();
        let provider_total: f64 = by_provider.iter().sum();
        let allocated: f64 = by_owner.iter().sum();
        // Rounding can leave a hair below zero when everything is allocated.
        let unallocated = provider_total - allocated;
        let mut unallocated = if unallocated.abs() <= 1e-9 * provider_total.max(1.0) { 0.0 } else { unallocated };
        let mut owner_items: Vec<[f64; 6]> = by_owner.iter().map(|&c| [c, 0.0, 0.0, 0.0, 0.0, 0.0]).collect();
        let mut by_item = [0.0; 6];
        let item_slot = |item: Item| 2 + item as usize;
        // Items of a task go to its owner.
        for (o, totals) in self.items.owner_total.iter().enumerate() {
            for item in [Item::LoadBalancer, Item::PublicIpv4, Item::DataTransfer, Item::Storage] {
                by_owner[o] += totals[item as usize];
                owner_items[o][item_slot(item)] += totals[item as usize];
                by_item[item_slot(item)] += totals[item as usize];
            }
        }
        // Items of an instance are shared like the instance: by the owners' list-price allocations.
        for (p, totals) in self.items.provider_total.iter().enumerate() {
            let extra: f64 = totals.iter().sum();
            for item in [Item::PublicIpv4, Item::Storage] {
                by_item[item_slot(item)] += totals[item as usize];
            }
            if extra == 0.0 {
                continue;
            }
            let mut shared = 0.0;
            if self.nominal[p] > 0.0 {
                for (o, row) in self.alloc_total.iter().enumerate() {
                    let share = row[p] / self.nominal[p];
                    by_owner[o] += extra * share;
                    shared += extra * share;
                    for item in [Item::PublicIpv4, Item::Storage] {
                        owner_items[o][item_slot(item)] += totals[item as usize] * share;
                    }
                }
            }
            unallocated += extra - shared;
        }
        let sp = self.sp.as_ref().map_or(SavingsPlansReport::default(), |b| SavingsPlansReport {
            commitment: b.commitment,
            used: b.used,
            unused: self.sp_unused,
            covered: b.covered,
        });
        by_item[0] = provider_total + self.reserved_unused - sp.used;
        by_item[1] = sp.commitment;
        let items_total: f64 = by_item[2..].iter().sum();
        let total = provider_total + self.reserved_unused + sp.unused + items_total;
        let counted_hours = now.saturating_since(self.warmup).as_secs_f64() / 3600.0;
        CostReport {
            unallocated,
            reserved_unused: self.reserved_unused,
            total,
            by_provider,
            by_owner,
            by_item,
            savings_plans: sp,
            monthly: (counted_hours > 0.0).then(|| total * HOURS_PER_MONTH / counted_hours),
            owner_items,
        }
    }
}

impl Simulation<'_> {
    fn owner_index(&self, owner: Owner) -> usize {
        match owner {
            Owner::Service(s) => s.idx(),
            Owner::Batch(b, _) => self.sc.services.len() + b.idx(),
        }
    }

    pub fn cost_instance_started(&mut self, i: InstanceId) {
        self.cost.close(self.now);
        let inst = &self.instances[i.idx()];
        let p = inst.provider.idx();
        self.cost.rate[p] += inst.hourly;
        self.cost.live_instances[p] += 1;
        if inst.purchase == Purchase::OnDemand {
            for r in self.cost.reserved.iter_mut().filter(|r| r.instance_type == inst.instance_type) {
                r.live[p] += 1;
            }
        }
        self.instance_extras_changed(i, 1.0);
    }

    /// An instance starts (+1) or stops (−1) adding its address, volume and Savings Plans usage.
    fn instance_extras_changed(&mut self, i: InstanceId, sign: f64) {
        let inst = &self.instances[i.idx()];
        let p = inst.provider.idx();
        let cfg = &self.sc.cost;
        let extras = cfg.instance_extras.get(p).copied().unwrap_or_default();
        if cfg.public_ipv4 && extras.public_ip {
            self.cost.items.change_rate(None, p, Item::PublicIpv4, sign * cfg.prices.public_ipv4_hourly);
        }
        if cfg.storage {
            let hourly = extras.root_volume_gib * extras.root_volume_gb_month / HOURS_PER_MONTH;
            self.cost.items.change_rate(None, p, Item::Storage, sign * hourly);
        }
        if inst.purchase == Purchase::OnDemand
            && let Some(sp) = self.cost.sp.as_mut()
            && let Some(c) = sp.instance_class(p, inst.instance_type.idx())
        {
            sp.rate[c] += sign * inst.hourly;
        }
    }

    pub fn cost_instance_stopped(&mut self, i: InstanceId) {
        self.cost.close(self.now);
        let inst = &self.instances[i.idx()];
        let p = inst.provider.idx();
        self.cost.rate[p] -= inst.hourly;
        self.cost.live_instances[p] -= 1;
        self.instance_extras_changed(i, -1.0);
        let inst = &self.instances[i.idx()];
        if inst.purchase == Purchase::OnDemand {
            for r in self.cost.reserved.iter_mut().filter(|r| r.instance_type == inst.instance_type) {
                r.live[p] = r.live[p].saturating_sub(1);
            }
        }
        let lived = self.now.saturating_since(inst.launched_at).as_secs_f64();
        let hourly = inst.hourly;
        let _ = self.cost.topup(p, self.now, hourly, lived);
    }

    /// A task's list-price rate on Fargate (None on EC2, where the instance is billed).
    fn fargate_rate(&self, t: TaskId) -> Option<f64> {
        let task = &self.tasks[t.idx()];
        let f = self.sc.providers[task.provider.idx()].fargate()?;
        let td = &self.sc.task_defs[task.task_def.idx()];
        let price = self.sc.cost.fargate_price(td.arch.unwrap_or(Arch::X86_64));
        let list = td.cpu.vcpu() * price.vcpu_hour + td.memory.gib() * price.gb_hour;
        Some(if f.spot { list * (1.0 - self.sc.spot.fargate_discount) } else { list })
    }

    /// Billing starts (PENDING).
    pub fn cost_task_started(&mut self, t: TaskId) {
        self.cost.close(self.now);
        let p = self.tasks[t.idx()].provider.idx();
        self.cost.live_tasks[p] += 1;
        let o = self.owner_index(self.tasks[t.idx()].owner);
        self.cost.change_owner_tasks(o, p, self.now, true);
        if let Some(rate) = self.fargate_rate(t) {
            self.cost.rate[p] += rate;
            self.cost.change_alloc(o, p, self.now, rate);
            self.fargate_extras_changed(t, o, rate, 1.0);
        }
    }

    /// A Fargate task starts (+1) or stops (−1) adding its address, its
    /// storage above the free 20 GiB, and its Savings Plans usage.
    fn fargate_extras_changed(&mut self, t: TaskId, o: usize, rate: f64, sign: f64) {
        let task = &self.tasks[t.idx()];
        let p = task.provider.idx();
        let cfg = &self.sc.cost;
        let public = task.service().is_some_and(|s| cfg.service_public_ip.get(s.idx()).copied().unwrap_or(false));
        if cfg.public_ipv4 && public {
            self.cost.items.change_rate(Some(o), p, Item::PublicIpv4, sign * cfg.prices.public_ipv4_hourly);
        }
        let gib = cfg.ephemeral_gib.get(task.task_def.idx()).copied().unwrap_or(FARGATE_FREE_EPHEMERAL_GIB);
        if cfg.storage && gib > FARGATE_FREE_EPHEMERAL_GIB {
            let hourly = (gib - FARGATE_FREE_EPHEMERAL_GIB) * cfg.prices.fargate_ephemeral_gb_hour;
            self.cost.items.change_rate(Some(o), p, Item::Storage, sign * hourly);
        }
        if let Some(sp) = self.cost.sp.as_mut()
            && let Some(c) = sp.fargate_class(p)
        {
            sp.rate[c] += sign * rate;
        }
    }

    /// Billing ends (STOPPED); only tasks that started billing are passed on.
    pub fn cost_task_stopped(&mut self, t: TaskId) {
        let Some(from) = self.tasks[t.idx()].billed_from else { return };
        self.cost.close(self.now);
        let p = self.tasks[t.idx()].provider.idx();
        self.cost.live_tasks[p] = self.cost.live_tasks[p].saturating_sub(1);
        let o = self.owner_index(self.tasks[t.idx()].owner);
        self.cost.change_owner_tasks(o, p, self.now, false);
        if let Some(rate) = self.fargate_rate(t) {
            self.cost.rate[p] -= rate;
            self.cost.change_alloc(o, p, self.now, -rate);
            self.fargate_extras_changed(t, o, rate, -1.0);
            let lived = self.now.saturating_since(from).as_secs_f64();
            let counted = self.cost.topup(p, self.now, rate, lived);
            self.cost.task_topups[p] += counted;
            self.cost.owner_topups[o][p] += counted;
        }
    }

    /// A task's share of its instance starts or ends.
    pub fn cost_reservation_changed(&mut self, t: TaskId, i: InstanceId, added: bool) {
        let inst = &self.instances[i.idx()];
        let td = &self.sc.task_defs[self.tasks[t.idx()].task_def.idx()];
        let share = 0.5 * f64::from(td.cpu.0) / f64::from(inst.registered_cpu.0.max(1))
            + 0.5 * f64::from(td.memory.0) / f64::from(inst.registered_mem.0.max(1));
        let delta = share * inst.hourly;
        let o = self.owner_index(self.tasks[t.idx()].owner);
        let p = inst.provider.idx();
        self.cost.change_alloc(o, p, self.now, if added { delta } else { -delta });
    }

    /// Re-prices a running instance (spot price trace) for it and its tasks' shares.
    pub fn set_instance_price(&mut self, i: InstanceId, hourly: f64) {
        self.cost.close(self.now);
        let tasks = self.instances[i.idx()].tasks.clone();
        for &t in &tasks {
            self.cost_reservation_changed(t, i, false);
        }
        let p = self.instances[i.idx()].provider.idx();
        self.cost.rate[p] += hourly - self.instances[i.idx()].hourly;
        self.instances[i.idx()].hourly = hourly;
        for &t in &tasks {
            self.cost_reservation_changed(t, i, true);
        }
    }
}
