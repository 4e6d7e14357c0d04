//! Running totals of each provider's instances, kept as instances change so
//! that the per-minute figures (CapacityProviderReservation's M and N,
//! instances by purchase option, CPU and memory reservation) cost O(1) and
//! never scan the fleet.
//!
//! Every change to an instance that can move a total goes through
//! [`Simulation::track_instance`], which takes the instance's contribution
//! before and after the change (and moves it in the provider's
//! [`FreeIndex`](super::free_index::FreeIndex)).

use super::Simulation;
use super::entities::{InstanceId, InstanceState, Purchase};
use super::free_index::Slot;
use crate::engine::SimTime;

/// What one instance adds to its provider's totals.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
struct Contribution {
    member: u32,
    busy: u32,
    on_demand: u32,
    spot: u32,
    registered_cpu: u64,
    registered_mem: u64,
    free_cpu: u64,
    free_mem: u64,
}

/// A provider's fleet totals, and the time integrals of its reservation for
/// the minute being built.
#[derive(Clone, Debug, Default)]
pub struct FleetTotals {
    /// Instances that count toward the Auto Scaling group's size (N).
    pub members: u32,
    /// Members running at least one task.
    pub busy: u32,
    /// Live instances by purchase option.
    pub on_demand: u32,
    pub spot: u32,
    /// Registered and free CPU units and MiB over ACTIVE and DRAINING instances.
    pub registered_cpu: u64,
    pub registered_mem: u64,
    pub free_cpu: u64,
    pub free_mem: u64,
    since: SimTime,
    reserved_cpu_s: f64,
    registered_cpu_s: f64,
    reserved_mem_s: f64,
    registered_mem_s: f64,
}

impl FleetTotals {
    /// Integrates the reservation up to `now`.
    fn close(&mut self, now: SimTime) {
        let dt = now.saturating_since(self.since).as_secs_f64();
        if dt > 0.0 {
            self.reserved_cpu_s += (self.registered_cpu - self.free_cpu) as f64 * dt;
            self.registered_cpu_s += self.registered_cpu as f64 * dt;
            self.reserved_mem_s += (self.registered_mem - self.free_mem) as f64 * dt;
            self.registered_mem_s += self.registered_mem as f64 * dt;
        }
        self.since = now;
    }

    /// The minute's average CPU and memory reservation (percent of registered), then starts a new minute.
    pub fn take_reservation(&mut self, now: SimTime) -> (Option<f64>, Option<f64>) {
        self.close(now);
        let cpu = (self.registered_cpu_s > 0.0).then(|| self.reserved_cpu_s / self.registered_cpu_s * 100.0);
        let mem = (self.registered_mem_s > 0.0).then(|| self.reserved_mem_s / self.registered_mem_s * 100.0);
        self.reserved_cpu_s = 0.0;
        self.registered_cpu_s = 0.0;
        self.reserved_mem_s = 0.0;
        self.registered_mem_s = 0.0;
        (cpu, mem)
    }

    fn apply(&mut self, c: Contribution, sign: i64) {
        let add32 = |x: &mut u32, v: u32| *x = (i64::from(*x) + sign * i64::from(v)).max(0) as u32;
        let add64 = |x: &mut u64, v: u64| *x = (*x as i64 + sign * v as i64).max(0) as u64;
        add32(&mut self.members, c.member);
        add32(&mut self.busy, c.busy);
        add32(&mut self.on_demand, c.on_demand);
        add32(&mut self.spot, c.spot);
        add64(&mut self.registered_cpu, c.registered_cpu);
        add64(&mut self.registered_mem, c.registered_mem);
        add64(&mut self.free_cpu, c.free_cpu);
        add64(&mut self.free_mem, c.free_mem);
    }
}

impl Simulation<'_> {
    fn contribution(&self, i: InstanceId) -> Contribution {
        let inst = &self.instances[i.idx()];
        if !inst.is_live() {
            return Contribution::default();
        }
        let member = inst.counts_for_asg();
        let registered = matches!(inst.state, InstanceState::Active | InstanceState::Draining);
        Contribution {
            member: u32::from(member),
            busy: u32::from(member && !inst.tasks.is_empty()),
            on_demand: u32::from(inst.purchase == Purchase::OnDemand),
            spot: u32::from(inst.purchase == Purchase::Spot),
            registered_cpu: if registered { u64::from(inst.registered_cpu.0) } else { 0 },
            registered_mem: if registered { u64::from(inst.registered_mem.0) } else { 0 },
            free_cpu: if registered { u64::from(inst.free_cpu.0) } else { 0 },
            free_mem: if registered { u64::from(inst.free_mem.0) } else { 0 },
        }
    }

    /// Where the instance sits in the free-resource index, if it takes tasks.
    pub fn free_slot(&self, i: InstanceId) -> Option<Slot> {
        let inst = &self.instances[i.idx()];
        (inst.accepts_tasks() && !inst.leaving).then_some(Slot {
            zone: inst.zone,
            free_cpu: inst.free_cpu.0,
            free_mem: inst.free_mem.0,
        })
    }

    /// Applies `change` to instance `i`, keeping its provider's totals and
    /// free-resource index in step.
    pub fn track_instance(&mut self, i: InstanceId, change: impl FnOnce(&mut Self)) {
        let p = self.instances[i.idx()].provider.idx();
        let before = self.contribution(i);
        let slot_before = self.free_slot(i);
        change(self);
        let after = self.contribution(i);
        let slot_after = self.free_slot(i);
        self.providers[p].free.update(i, slot_before, slot_after);
        if before != after {
            let now = self.now;
            let totals = &mut self.providers[p].fleet;
            totals.close(now);
            totals.apply(before, -1);
            totals.apply(after, 1);
        }
    }

    /// Adds a new instance to its provider's totals.
    pub fn fleet_enter(&mut self, i: InstanceId) {
        let p = self.instances[i.idx()].provider.idx();
        let c = self.contribution(i);
        let slot = self.free_slot(i);
        self.providers[p].free.update(i, None, slot);
        let now = self.now;
        let totals = &mut self.providers[p].fleet;
        totals.close(now);
        totals.apply(c, 1);
    }

    /// Recounts a provider's totals from its instances (for the invariant check).
    pub fn recount_fleet(&self, p: usize) -> (u32, u32, u32, u32, u64, u64) {
        let mut sum = FleetTotals::default();
        for &i in &self.providers[p].instances {
            sum.apply(self.contribution(i), 1);
        }
        (sum.members, sum.busy, sum.on_demand, sum.spot, sum.registered_cpu, sum.free_cpu)
    }
}
