//! Reservation bookkeeping: what a placed task holds on its instance (CPU,
//! memory, an ENI under awsvpc, its static host ports) and in its group's
//! zone tallies, taken when it is placed and given back when it stops. The
//! instance changes go through `track_instance`, which keeps the provider's
//! fleet totals and free-resource index in step.

use super::super::Simulation;
use super::super::entities::{InstanceId, Owner, TaskId};
use crate::scenario::NetworkMode;

impl Simulation<'_> {
    /// Counts a task in (or out of) its group's zone tallies.
    pub fn count_zone(&mut self, t: TaskId, delta: i32) {
        let task = &self.tasks[t.idx()];
        let Some(z) = task.zone else { return };
        let fargate = task.instance.is_none();
        let zones = match task.owner {
            Owner::Service(s) => &mut self.services[s.idx()].zones,
            Owner::Batch(b, _) => &mut self.batches[b.idx()].zones,
        };
        zones.all[z.idx()] = zones.all[z.idx()].saturating_add_signed(delta);
        if fargate {
            zones.fargate[z.idx()] = zones.fargate[z.idx()].saturating_add_signed(delta);
        }
    }

    /// Reserves a task's resources on an instance.
    pub fn reserve(&mut self, t: TaskId, i: InstanceId) {
        if !self.instances[i.idx()].accepts_tasks() && self.violation.is_none() {
            self.violation = Some(format!("task {t} placed on i-{} which is {:?}", i.0, self.instances[i.idx()].state));
        }
        let td = &self.sc.task_defs[self.tasks[t.idx()].task_def.idx()];
        self.track_instance(i, |sim| {
            let inst = &mut sim.instances[i.idx()];
            inst.free_cpu -= td.cpu;
            inst.free_mem -= td.memory;
            if td.network_mode == NetworkMode::Awsvpc {
                inst.free_eni -= 1;
            }
            inst.ports.extend_from_slice(&td.static_host_ports);
            inst.tasks.push(t);
        });
        let zone = self.instances[i.idx()].zone;
        let task = &mut self.tasks[t.idx()];
        task.instance = Some(i);
        task.zone = Some(zone);
        self.count_zone(t, 1);
        self.cost_reservation_changed(t, i, true);
    }

    /// Returns a stopped task's resources to its instance.
    pub fn unreserve(&mut self, t: TaskId, i: InstanceId) {
        let td = &self.sc.task_defs[self.tasks[t.idx()].task_def.idx()];
        self.cost_reservation_changed(t, i, false);
        self.track_instance(i, |sim| {
            let inst = &mut sim.instances[i.idx()];
            inst.free_cpu += td.cpu;
            inst.free_mem += td.memory;
            if td.network_mode == NetworkMode::Awsvpc {
                inst.free_eni += 1;
            }
            for p in &td.static_host_ports {
                if let Some(pos) = inst.ports.iter().position(|x| x == p) {
                    inst.ports.swap_remove(pos);
                }
            }
            if let Some(pos) = inst.tasks.iter().position(|&x| x == t) {
                inst.tasks.remove(pos);
            }
        });
    }
}
