//! The simulation as the placement policies see it: the read-only views
//! they take ([`Candidates`] for placing a task, [`VictimView`] for
//! scale-in), the requests gathered from a task's owner, and the calls that
//! build them and hand back the policies' choices.

use super::super::Simulation;
use super::super::entities::{InstanceId, Owner, TaskId, TaskState};
use super::choice::{Ask, Candidates, Facts, Host, spread_value};
use super::victims::{self, Room, ScaleIn, Victim, VictimPool, VictimView};
use super::{SpreadTally, owner_key, same_group};
use crate::catalog::Arch;
use crate::model::free_index::FreeIndex;
use crate::rng::Stream;
use crate::scenario::{PlacementConstraint, PlacementStrategy, ProviderId, ServiceId, SpreadField, TaskDefId, ZoneId};
use crate::units::{CpuUnits, MemMib};

/// Placement rules of whoever owns a task (a service or a scheduled task).
pub(super) struct Rules<'a> {
    pub strategies: &'a [PlacementStrategy],
    pub constraints: &'a [PlacementConstraint],
}

/// One provider's instances, for placing a task of one group.
pub(super) struct Placing<'a, 's> {
    sim: &'a Simulation<'s>,
    provider: ProviderId,
    owner: Owner,
}

impl Candidates for Placing<'_, '_> {
    fn zones(&self) -> usize {
        self.sim.sc.zones.len()
    }
    fn zone_up(&self, z: ZoneId) -> bool {
        self.sim.zone_up(z)
    }
    fn instances(&self) -> &[InstanceId] {
        &self.sim.providers[self.provider.idx()].instances
    }
    fn index(&self) -> &FreeIndex {
        &self.sim.providers[self.provider.idx()].free
    }
    fn host(&self, i: InstanceId) -> Host<'_> {
        let inst = &self.sim.instances[i.idx()];
        Host {
            zone: inst.zone,
            takes_tasks: inst.accepts_tasks() && !inst.leaving,
            free_cpu: inst.free_cpu,
            free_mem: inst.free_mem,
            free_eni: inst.free_eni,
            ports: &inst.ports,
        }
    }
    fn arch(&self, i: InstanceId) -> Arch {
        self.sim.sc.instance_types[self.sim.instances[i.idx()].instance_type.idx()].arch
    }
    fn facts(&self, i: InstanceId) -> Facts<'_> {
        self.sim.instance_facts(i)
    }
    fn group_tasks_on(&self, i: InstanceId) -> u32 {
        self.sim.group_tasks_on(self.owner, i)
    }
    fn types_with_arch(&self, arch: Arch) -> Option<(usize, usize)> {
        let sc = self.sim.sc;
        let types = &sc.providers[self.provider.idx()].asg()?.instance_types;
        let matching = types.iter().filter(|ty| sc.instance_types[ty.idx()].arch == arch).count();
        Some((matching, types.len()))
    }
}

/// A service's tasks for scale-in: the simulation itself.
impl VictimView for Simulation<'_> {
    fn zone_count(&self) -> usize {
        self.sc.zones.len()
    }
    fn victim(&self, t: TaskId) -> Victim {
        let task = &self.tasks[t.idx()];
        Victim {
            provider: task.provider,
            task_def: task.task_def,
            instance: task.instance,
            zone: task.zone,
            serial: task.serial,
        }
    }
    fn victim_stage(&self, t: TaskId) -> u8 {
        match self.tasks[t.idx()].state {
            TaskState::Provisioning => 0,
            TaskState::Pending => 1,
            _ if !self.is_healthy(t, self.now) => 2,
            _ => 3,
        }
    }
    fn instance(&self, i: InstanceId) -> Room {
        let inst = &self.instances[i.idx()];
        Room { zone: inst.zone, free_cpu: inst.free_cpu, free_mem: inst.free_mem }
    }
    fn task_size(&self, td: TaskDefId) -> (CpuUnits, MemMib) {
        let td = &self.sc.task_defs[td.idx()];
        (td.cpu, td.memory)
    }
}

impl<'s> Simulation<'s> {
    /// Groups a service's scale-in candidates (see [`VictimPool`]).
    pub fn victim_pool(&self, s: ServiceId, candidates: &[TaskId]) -> VictimPool {
        let random = self.rules(Owner::Service(s)).strategies.contains(&PlacementStrategy::Random);
        VictimPool::new(self, candidates, random)
    }

    /// Takes the next task of service `s` to stop on scale-in from `pool`
    /// (see [`victims::pick_victim`]).
    pub fn pick_victim(&self, s: ServiceId, pool: &mut VictimPool, spread: &SpreadTally) -> Option<TaskId> {
        let rules = ScaleIn {
            strategy: &self.sc.services[s.idx()].strategy,
            by_item: &self.services[s.idx()].by_strategy_item,
            placement: self.rules(Owner::Service(s)).strategies,
        };
        // Fresh draws for each pick of a scale-in (and apart from the placement draws).
        let random = pool.is_random().then(|| {
            let key = owner_key(Owner::Service(s)) | 1 << 33 | pool.picks() << 34;
            self.streams.draws(Stream::Placement, key, self.services[s.idx()].placements)
        });
        victims::pick_victim(self, &rules, pool, spread, random)
    }

    pub(super) fn rules(&self, owner: Owner) -> Rules<'s> {
        match owner {
            Owner::Service(s) => {
                let svc = &self.sc.services[s.idx()];
                Rules { strategies: &svc.placement_strategy, constraints: &svc.constraints }
            }
            Owner::Batch(b, _) => {
                let st = &self.sc.batch[b.idx()];
                Rules { strategies: &st.placement_strategy, constraints: &st.constraints }
            }
        }
    }

    /// Task `t`'s provider's instances, as its placement sees them.
    pub(super) fn candidates(&self, t: TaskId) -> Placing<'_, 's> {
        let task = &self.tasks[t.idx()];
        Placing { sim: self, provider: task.provider, owner: task.owner }
    }

    /// What placement needs to know about the task, gathered once.
    pub(super) fn ask(&self, t: TaskId) -> Ask<'_> {
        let task = &self.tasks[t.idx()];
        let owner = task.owner;
        let rules = self.rules(owner);
        Ask::new(
            &self.sc.task_defs[task.task_def.idx()],
            rules.strategies,
            rules.constraints,
            self.group_zone_counts(owner),
            self.attribute_counts(owner, rules.strategies),
        )
    }

    /// Instance `i` as the cluster query language sees it.
    fn instance_facts(&self, i: InstanceId) -> Facts<'s> {
        let inst = &self.instances[i.idx()];
        let itype = &self.sc.instance_types[inst.instance_type.idx()];
        Facts {
            zone: &self.sc.zones[inst.zone.idx()],
            instance_type: &itype.name,
            arch: itype.arch.as_str(),
            running: inst.tasks.len() as u32,
        }
    }

    /// Tasks of the same group (service, or scheduled task) on an instance.
    fn group_tasks_on(&self, owner: Owner, i: InstanceId) -> u32 {
        self.instances[i.idx()].tasks.iter().filter(|&&t| same_group(self.tasks[t.idx()].owner, owner)).count() as u32
    }

    /// Counts of the group's placed tasks by attribute value, for spread on
    /// instance type, OS or architecture (empty when no such strategy).
    fn attribute_counts(&self, owner: Owner, strategies: &[PlacementStrategy]) -> Vec<(String, u32)> {
        let mut out: Vec<(String, u32)> = Vec::new();
        for s in strategies {
            let PlacementStrategy::Spread(field) = s else { continue };
            if matches!(field, SpreadField::Zone | SpreadField::InstanceId) {
                continue;
            }
            for &t in self.group_tasks(owner) {
                if let Some(i) = self.tasks[t.idx()].instance {
                    let v = spread_value(i, &self.instance_facts(i), field);
                    match out.iter_mut().find(|(k, _)| *k == v) {
                        Some(e) => e.1 += 1,
                        None => out.push((v, 1)),
                    }
                }
            }
        }
        out
    }

    /// Active tasks of a placement group.
    fn group_tasks(&self, owner: Owner) -> &[TaskId] {
        match owner {
            Owner::Service(s) => &self.services[s.idx()].tasks,
            Owner::Batch(b, _) => &self.batches[b.idx()].active,
        }
    }

    /// Active tasks of a group per zone.
    fn group_zone_counts(&self, owner: Owner) -> &[u32] {
        match owner {
            Owner::Service(s) => &self.services[s.idx()].zones.all,
            Owner::Batch(b, _) => &self.batches[b.idx()].zones.all,
        }
    }
}
