//! Task placement on EC2 container instances, in ECS's order: resources
//! (CPU, memory, static host ports, awsvpc ENIs, architecture), then
//! constraints (distinctInstance, memberOf), then strategies in order
//! (binpack, spread, random; later ones break ties of earlier ones, and the
//! lowest instance id breaks what remains). The same strategies choose which
//! task to stop on scale-in: spread stops where the service is most
//! concentrated, binpack stops where it frees the most, random at random.
//!
//! Which capacity provider a new task uses follows the strategy's base and
//! weight: the base provider fills its base first, then each task goes to the
//! provider furthest below its weighted share (ties to the earlier provider).

use std::cmp::Reverse;
use std::collections::BinaryHeap;

mod failure;
mod reservation;
mod split;

pub use failure::PlacementFailure;
pub use split::pick_provider;
use split::shrink_choice;

use super::Simulation;
use super::entities::{InstanceId, Owner, TaskId, TaskState};
use crate::query::InstanceFacts;
use crate::rng::{Draws, Stream};
use crate::scenario::{
    BinpackField, NetworkMode, PlacementConstraint, PlacementStrategy, ProviderId, ServiceId, SpreadField, TaskDef,
    ZoneId,
};

/// The ECS API allows at most five placement strategy rules (validated at load).
const MAX_STRATEGIES: usize = 5;

/// Up zones the index handles at once (on the stack); a region with more falls back to a scan.
const MAX_WALKS: usize = 8;

/// An instance as the cluster query language sees it.
struct Facts<'a> {
    zone: &'a str,
    instance_type: &'a str,
    arch: &'a str,
    running: u32,
}

impl InstanceFacts for Facts<'_> {
    fn attribute(&self, name: &str) -> Option<&str> {
        match name {
            "ecs.availability-zone" => Some(self.zone),
            "ecs.instance-type" => Some(self.instance_type),
            "ecs.os-type" => Some("linux"),
            "ecs.os-family" => Some("LINUX"),
            "ecs.cpu-architecture" => Some(self.arch),
            _ => None,
        }
    }
    fn running_tasks_count(&self) -> u32 {
        self.running
    }
}

/// Placement rules of whoever owns a task (a service or a scheduled task).
struct Rules<'a> {
    strategies: &'a [PlacementStrategy],
    constraints: &'a [PlacementConstraint],
}

/// A task's placement request: its group, size and rules, and its group's
/// current spread, gathered once per placement.
struct Ask<'a> {
    owner: Owner,
    td: &'a TaskDef,
    rules: Rules<'a>,
    n_keys: usize,
    distinct: bool,
    zone_counts: &'a [u32],
    attr_counts: Vec<(String, u32)>,
}

/// How the index ranks the instances that pass every check, after any
/// spread across zones.
#[derive(Clone, Copy)]
enum Rank {
    /// No strategy: the lowest id.
    LowestId,
    /// Spread across instances: the fewest of the group's tasks, then the lowest id.
    FewestOfGroup,
    /// Binpack on a resource, later strategies breaking ties.
    Binpack(BinpackField),
}

/// An instance's placement key: one value per strategy, lower is better.
type Key = [f64; MAX_STRATEGIES];

impl<'s> Simulation<'s> {
    fn rules(&self, owner: Owner) -> Rules<'_> {
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

    /// Tasks of the same group (service, or scheduled task) on an instance.
    fn group_tasks_on(&self, owner: Owner, i: InstanceId) -> u32 {
        self.instances[i.idx()].tasks.iter().filter(|&&t| same_group(self.tasks[t.idx()].owner, owner)).count() as u32
    }

    /// Places a task on one of its provider's instances, or says why not.
    pub fn try_place(&mut self, t: TaskId) -> Result<(), PlacementFailure> {
        let i = self.choose_instance(t)?;
        match self.tasks[t.idx()].owner {
            Owner::Service(s) => self.services[s.idx()].placements += 1,
            Owner::Batch(b, _) => self.batches[b.idx()].placements += 1,
        }
        self.reserve(t, i);
        Ok(())
    }

    /// The instance a task goes to, or why none: from the free-resource
    /// index when the strategies lead with binpack, are a spread across
    /// instances, or are empty (each optionally after a spread across zones,
    /// as in ECS's default for services); by a scan of the provider's
    /// instances otherwise.
    fn choose_instance(&mut self, t: TaskId) -> Result<InstanceId, PlacementFailure> {
        let ask = self.ask(t);
        let provider = self.tasks[t.idx()].provider;
        let Some(indexed) = self.indexed_choice(&ask, provider) else {
            return self.scan_choice(&ask, provider);
        };
        if self.opts.check_invariants {
            let scanned = self.scan_choice(&ask, provider);
            if scanned != indexed && self.violation.is_none() {
                self.violation = Some(format!("task {t}: the index chose {indexed:?} but a scan {scanned:?}"));
            }
        }
        indexed
    }

    /// What placement needs to know about the task, gathered once.
    fn ask(&self, t: TaskId) -> Ask<'_> {
        let task = &self.tasks[t.idx()];
        let owner = task.owner;
        let rules = self.rules(owner);
        Ask {
            owner,
            td: &self.sc.task_defs[task.task_def.idx()],
            n_keys: rules.strategies.len().min(MAX_STRATEGIES),
            distinct: rules.constraints.iter().any(|c| matches!(c, PlacementConstraint::DistinctInstance)),
            zone_counts: self.group_zone_counts(owner),
            attr_counts: self.attribute_counts(owner, rules.strategies),
            rules,
        }
    }

    /// The first check (in ECS's order) instance `i` fails for the task, if any.
    fn failed_check(&self, ask: &Ask<'_>, i: InstanceId) -> Option<PlacementFailure> {
        let (td, inst) = (ask.td, &self.instances[i.idx()]);
        let itype = &self.sc.instance_types[inst.instance_type.idx()];
        if td.arch.is_some_and(|a| a != itype.arch) {
            Some(PlacementFailure::AttributeArch)
        } else if inst.free_cpu < td.cpu {
            Some(PlacementFailure::ResourceCpu)
        } else if inst.free_mem < td.memory {
            Some(PlacementFailure::ResourceMemory)
        } else if td.static_host_ports.iter().any(|p| inst.ports.contains(p)) {
            Some(PlacementFailure::ResourcePorts)
        } else if td.network_mode == NetworkMode::Awsvpc && inst.free_eni == 0 {
            Some(PlacementFailure::ResourceEni)
        } else if !ask.rules.constraints.iter().all(|c| match c {
            PlacementConstraint::MemberOf(e) => e.matches(&Facts {
                zone: &self.sc.zones[inst.zone.idx()],
                instance_type: &itype.name,
                arch: itype.arch.as_str(),
                running: inst.tasks.len() as u32,
            }),
            PlacementConstraint::DistinctInstance => true,
        }) {
            Some(PlacementFailure::ConstraintMemberOf)
        } else if ask.distinct && self.group_tasks_on(ask.owner, i) > 0 {
            Some(PlacementFailure::ConstraintDistinctInstance)
        } else {
            None
        }
    }

    /// Instance `i`'s key under the strategies (lower is better).
    fn placement_key(&self, ask: &Ask<'_>, i: InstanceId, random: &mut Option<Draws>) -> Key {
        let (td, inst) = (ask.td, &self.instances[i.idx()]);
        let mut key = [0.0; MAX_STRATEGIES];
        for (k, st) in ask.rules.strategies.iter().take(ask.n_keys).enumerate() {
            key[k] = match st {
                PlacementStrategy::Binpack(BinpackField::Cpu) => f64::from((inst.free_cpu - td.cpu).0),
                PlacementStrategy::Binpack(BinpackField::Memory) => f64::from((inst.free_mem - td.memory).0),
                PlacementStrategy::Spread(SpreadField::InstanceId) => f64::from(self.group_tasks_on(ask.owner, i)),
                PlacementStrategy::Spread(SpreadField::Zone) => f64::from(ask.zone_counts[inst.zone.idx()]),
                PlacementStrategy::Spread(field) => {
                    let value = self.spread_value(i, field);
                    ask.attr_counts.iter().find(|(v, _)| *v == value).map_or(0.0, |(_, n)| f64::from(*n))
                }
                PlacementStrategy::Random => random.as_mut().map_or(0.0, |d| d.uniform()),
            };
        }
        key
    }

    /// Scans the provider's instances in id order for the best key.
    fn scan_choice(&self, ask: &Ask<'_>, provider: ProviderId) -> Result<InstanceId, PlacementFailure> {
        let n_keys = ask.n_keys;
        let mut best: Option<(InstanceId, Key)> = None;
        // The furthest stage any instance reached, to name the closest miss.
        let mut closest = PlacementFailure::NoInstances;
        let mut random = ask.rules.strategies.contains(&PlacementStrategy::Random).then(|| {
            let ordinal = match ask.owner {
                Owner::Service(s) => self.services[s.idx()].placements,
                Owner::Batch(b, _) => self.batches[b.idx()].placements,
            };
            self.streams.draws(Stream::Placement, owner_key(ask.owner), ordinal)
        });
        // The best key any instance could have: once reached, later instances (higher ids)
        // cannot win, so the scan stops. Random keys have no such bound.
        let min_zone = (0..self.sc.zones.len())
            .filter(|&z| self.zone_up(ZoneId::from_idx(z)))
            .map(|z| ask.zone_counts[z])
            .min()
            .unwrap_or(0);
        let mut bound = [0.0; MAX_STRATEGIES];
        for (k, st) in ask.rules.strategies.iter().take(n_keys).enumerate() {
            if matches!(st, PlacementStrategy::Spread(SpreadField::Zone)) {
                bound[k] = f64::from(min_zone);
            }
        }
        let can_stop_early = random.is_none();
        for &i in &self.providers[provider.idx()].instances {
            let inst = &self.instances[i.idx()];
            if !inst.accepts_tasks() || inst.leaving || !self.zone_up(inst.zone) {
                continue;
            }
            if let Some(failure) = self.failed_check(ask, i) {
                closest = closest.max(failure);
                continue;
            }
            let key = self.placement_key(ask, i, &mut random);
            if best.as_ref().is_none_or(|(_, b)| lexi_less(&key[..n_keys], &b[..n_keys])) {
                best = Some((i, key));
                if can_stop_early && key[..n_keys] == bound[..n_keys] {
                    break;
                }
            }
        }
        best.map(|(i, _)| i).ok_or(closest)
    }

    /// The best instance from the free-resource index, for strategies that
    /// lead with binpack, spread across instances only, or have none (each
    /// optionally after spread across zones, the zones then taken from the
    /// least used), or why none fits: `None` when the index cannot tell.
    fn indexed_choice(&self, ask: &Ask<'_>, provider: ProviderId) -> Option<Result<InstanceId, PlacementFailure>> {
        let (by_zone, rest) = match ask.rules.strategies {
            [PlacementStrategy::Spread(SpreadField::Zone), rest @ ..] => (true, rest),
            rest => (false, rest),
        };
        let rank = match rest {
            [] => Rank::LowestId,
            [PlacementStrategy::Spread(SpreadField::InstanceId)] => Rank::FewestOfGroup,
            [PlacementStrategy::Binpack(f), ..] if !rest.contains(&PlacementStrategy::Random) => Rank::Binpack(*f),
            _ => return None,
        };
        let best_in = |zones: &[ZoneId]| match rank {
            Rank::Binpack(field) => self.best_at_least_free_level(ask, provider, zones, field),
            Rank::FewestOfGroup => self.fewest_of_group(ask, provider, zones),
            Rank::LowestId => self.lowest_fitting_id(ask, provider, zones),
        };
        // The up zones, on the stack (this runs for most placements).
        let mut up = [ZoneId::from_idx(0); MAX_WALKS];
        let mut n = 0;
        for z in (0..self.sc.zones.len()).map(ZoneId::from_idx).filter(|&z| self.zone_up(z)) {
            if n == MAX_WALKS {
                return None;
            }
            up[n] = z;
            n += 1;
        }
        let zones = &mut up[..n];
        let found = if by_zone {
            zones.sort_by_key(|z| (ask.zone_counts[z.idx()], z.idx()));
            zones.chunk_by(|a, b| ask.zone_counts[a.idx()] == ask.zone_counts[b.idx()]).find_map(best_in)
        } else {
            best_in(zones)
        };
        match found {
            Some(i) => Some(Ok(i)),
            None => self.closest_miss(ask, provider, zones).map(Err),
        }
    }

    /// Why no instance in `zones` takes the task, as a scan names it: the
    /// furthest check any instance passes. Instances without the CPU or
    /// memory stop at those checks; only those with both are checked one by
    /// one. `None` when only some of the provider's instance types have the
    /// task's architecture, which the index does not tell apart.
    fn closest_miss(&self, ask: &Ask<'_>, provider: ProviderId, zones: &[ZoneId]) -> Option<PlacementFailure> {
        let index = &self.providers[provider.idx()].free;
        let any = |cpu, mem| zones.iter().any(|&z| index.fitting_by_id(z, cpu, mem).next().is_some());
        if !any(0, 0) {
            return Some(PlacementFailure::NoInstances);
        }
        if let Some(arch) = ask.td.arch {
            let types = &self.sc.providers[provider.idx()].asg()?.instance_types;
            let matching = types.iter().filter(|ty| self.sc.instance_types[ty.idx()].arch == arch).count();
            if matching == 0 {
                return Some(PlacementFailure::AttributeArch);
            }
            if matching < types.len() {
                return None;
            }
        }
        // Past the architecture check, an instance fails on CPU, on memory, or later.
        let mut reached =
            if any(ask.td.cpu.0, 0) { PlacementFailure::ResourceMemory } else { PlacementFailure::ResourceCpu };
        for &z in zones {
            for i in index.fitting_by_id(z, ask.td.cpu.0, ask.td.memory.0) {
                reached = reached.max(self.failed_check(ask, i)?);
            }
        }
        Some(reached)
    }

    /// Among `zones`, the instances that pass every check at the lowest free
    /// level of `field`; the best of them by key, then by id. Within each
    /// zone, instances are walked from the least free upward; the first level
    /// (free units) holding an instance that passes is binpack's answer, and
    /// the later strategies and the instance id break ties within it, as a
    /// scan would.
    fn best_at_least_free_level(
        &self,
        ask: &Ask<'_>,
        provider: ProviderId,
        zones: &[ZoneId],
        field: BinpackField,
    ) -> Option<InstanceId> {
        let need = match field {
            BinpackField::Cpu => ask.td.cpu.0,
            BinpackField::Memory => ask.td.memory.0,
        };
        let index = &self.providers[provider.idx()].free;
        let mut walks: [&[(u32, InstanceId)]; MAX_WALKS] = [&[]; MAX_WALKS];
        let walks = &mut walks[..zones.len()];
        for (w, &z) in walks.iter_mut().zip(zones) {
            *w = index.from_least_free(z, field, need);
        }
        let mut level: Option<u32> = None;
        let mut best: Option<(Key, InstanceId)> = None;
        // The zone whose next instance has the least free.
        while let Some((free, k)) = walks.iter().enumerate().filter_map(|(k, w)| w.first().map(|e| (e.0, k))).min() {
            if level.is_some_and(|l| free > l) {
                break;
            }
            let i = walks[k][0].1;
            walks[k] = &walks[k][1..];
            if self.failed_check(ask, i).is_some() {
                continue;
            }
            level = Some(free);
            let key = self.placement_key(ask, i, &mut None);
            let better = best.as_ref().is_none_or(|(b, bi)| {
                lexi_less(&key[..ask.n_keys], &b[..ask.n_keys]) || (key[..ask.n_keys] == b[..ask.n_keys] && i < *bi)
            });
            if better {
                best = Some((key, i));
            }
        }
        best.map(|(_, i)| i)
    }

    /// Among `zones`, the instance that passes every check with the fewest of
    /// the group's tasks, the lowest id among equals (spread across instances,
    /// as a scan ranks it). Each zone is walked in id order; an instance
    /// without the group's tasks ends the walk, as nothing after it can win.
    fn fewest_of_group(&self, ask: &Ask<'_>, provider: ProviderId, zones: &[ZoneId]) -> Option<InstanceId> {
        let index = &self.providers[provider.idx()].free;
        let mut best: Option<(u32, InstanceId)> = None;
        for &z in zones {
            for i in index.fitting_by_id(z, ask.td.cpu.0, ask.td.memory.0) {
                if best.is_some_and(|(n, b)| n == 0 && b < i) {
                    break;
                }
                if self.failed_check(ask, i).is_some() {
                    continue;
                }
                let n = self.group_tasks_on(ask.owner, i);
                if best.is_none_or(|b| (n, i) < b) {
                    best = Some((n, i));
                }
                if n == 0 {
                    break;
                }
            }
        }
        best.map(|(_, i)| i)
    }

    /// Among `zones`, the lowest instance id that passes every check (what a
    /// scan in id order finds first when no strategy ranks instances). The
    /// index skips instances without the CPU and memory; the rest are checked.
    fn lowest_fitting_id(&self, ask: &Ask<'_>, provider: ProviderId, zones: &[ZoneId]) -> Option<InstanceId> {
        let index = &self.providers[provider.idx()].free;
        zones
            .iter()
            .filter_map(|&z| {
                index.fitting_by_id(z, ask.td.cpu.0, ask.td.memory.0).find(|&i| self.failed_check(ask, i).is_none())
            })
            .min()
    }

    /// The value an instance has for a spread field (not zone or instanceId).
    fn spread_value(&self, i: InstanceId, field: &SpreadField) -> String {
        let inst = &self.instances[i.idx()];
        let itype = &self.sc.instance_types[inst.instance_type.idx()];
        match field {
            SpreadField::InstanceType => itype.name.clone(),
            SpreadField::OsType => "linux".to_string(),
            SpreadField::Arch => itype.arch.as_str().to_string(),
            SpreadField::Zone => self.sc.zones[inst.zone.idx()].clone(),
            SpreadField::InstanceId => i.0.to_string(),
            SpreadField::Attribute(_) => String::new(),
        }
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
            for t in self.group_tasks(owner) {
                if let Some(i) = self.tasks[t.idx()].instance {
                    let v = self.spread_value(i, field);
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
    fn group_tasks(&self, owner: Owner) -> Vec<TaskId> {
        match owner {
            Owner::Service(s) => self.services[s.idx()].tasks.clone(),
            Owner::Batch(b, _) => self.batches[b.idx()].active.clone(),
        }
    }

    /// Active tasks of a group per zone.
    fn group_zone_counts(&self, owner: Owner) -> &[u32] {
        match owner {
            Owner::Service(s) => &self.services[s.idx()].zones.all,
            Owner::Batch(b, _) => &self.batches[b.idx()].zones.all,
        }
    }

    /// Logs a placement failure once per task and reason.
    pub fn note_placement_failure(&mut self, t: TaskId, reason: PlacementFailure) {
        if self.tasks[t.idx()].last_failure == Some(reason) {
            return;
        }
        self.tasks[t.idx()].last_failure = Some(reason);
        let owner = self.tasks[t.idx()].owner;
        let provider = self.tasks[t.idx()].provider;
        if self.counting() {
            self.rec.count_placement_failure(reason);
        }
        let name = owner_name(self.sc, owner);
        let pname = &self.sc.providers[provider.idx()].name;
        let serial = self.tasks[t.idx()].serial;
        let detail = format_args!("task {serial} of {name} could not be placed on {pname}: {}", reason.text());
        self.rec.event(self.now, "placement_failed", "task", name, detail);
    }

    /// The service or scheduled task's name (borrowing only the scenario).
    pub fn owner_name(&self, owner: Owner) -> &'s str {
        owner_name(self.sc, owner)
    }

    /// Retries the provider's waiting tasks, oldest first. Once a task of a
    /// group fails, later tasks of the same group and shape are skipped.
    pub fn place_waiting(&mut self, p: ProviderId) {
        self.providers[p.idx()].placement_requested = false;
        if self.sc.providers[p.idx()].is_fargate() {
            return self.fargate_place_waiting(p);
        }
        let waiting = std::mem::take(&mut self.providers[p.idx()].waiting);
        let mut keep = Vec::with_capacity(waiting.len());
        let mut failed: Vec<(Owner, crate::scenario::TaskDefId)> = Vec::new();
        for t in waiting {
            let task = &self.tasks[t.idx()];
            if task.generation != t.1 || task.state != TaskState::Provisioning {
                continue;
            }
            let group = (group_of(task.owner), task.task_def);
            if failed.contains(&group) {
                keep.push(t);
                continue;
            }
            match self.try_place(t) {
                Ok(()) => self.start_pending(t),
                Err(reason) => {
                    self.note_placement_failure(t, reason);
                    failed.push(group);
                    keep.push(t);
                    if let Owner::Service(s) = group.0
                        && self.services[s.idx()].holds_stand_in
                    {
                        self.request_reconcile(s);
                    }
                }
            }
        }
        let list = &mut self.providers[p.idx()].waiting;
        keep.append(list);
        *list = keep;
    }

    /// How far along a scale-in candidate is: never-started tasks go first,
    /// then starting ones, then running ones.
    pub fn victim_stage(&self, t: TaskId) -> u8 {
        match self.tasks[t.idx()].state {
            TaskState::Provisioning => 0,
            TaskState::Pending => 1,
            _ if !self.is_healthy(t, self.now) => 2,
            _ => 3,
        }
    }

    /// Groups a service's scale-in candidates (see [`VictimPool`]).
    pub fn victim_pool(&self, s: ServiceId, candidates: &[TaskId]) -> VictimPool {
        let random = self.rules(Owner::Service(s)).strategies.contains(&PlacementStrategy::Random);
        let group_key = |t: TaskId| {
            let task = &self.tasks[t.idx()];
            VictimGroupKey {
                stage: self.victim_stage(t),
                provider: task.provider,
                task_def: task.task_def,
                instance: task.instance,
                zone: task.zone,
                alone: if random { Some(t) } else { None },
            }
        };
        // By group, then newest first (the oldest at the end, ready to pop): packed into
        // integers, which sort faster. Serials are unique, so no two entries compare equal
        // and an unstable sort gives the one order.
        let mut keyed: Vec<((u128, u128), u64, TaskId)> =
            candidates.iter().map(|&t| (group_key(t).packed(), !self.tasks[t.idx()].serial, t)).collect();
        keyed.sort_unstable();
        let tasks: Vec<TaskId> = keyed.iter().map(|e| e.2).collect();
        let mut groups: Vec<VictimGroup> = Vec::new();
        let mut lanes: Vec<VictimLane> = Vec::new();
        let mut on_instances: Vec<(InstanceId, usize)> = Vec::new();
        let mut end = 0;
        for g in keyed.chunk_by(|a, b| a.0 == b.0) {
            let key = group_key(g[0].2);
            let start = end;
            end += g.len();
            let zone = key.instance.map_or(key.zone, |i| Some(self.instances[i.idx()].zone));
            let lane = match lanes.iter().position(|l| (l.stage, l.provider, l.zone) == (key.stage, key.provider, zone))
            {
                Some(lane) => lane,
                None => {
                    lanes.push(VictimLane {
                        stage: key.stage,
                        provider: key.provider,
                        zone,
                        live_groups: 0,
                        ranked: BinaryHeap::new(),
                        unranked: Vec::new(),
                    });
                    lanes.len() - 1
                }
            };
            let pos = groups.len();
            lanes[lane].live_groups += 1;
            lanes[lane].unranked.push(pos);
            if let Some(i) = key.instance {
                on_instances.push((i, pos));
            }
            groups.push(VictimGroup { key, lane, start, end, cached: None, ranking: 0 });
        }
        on_instances.sort_unstable();
        VictimPool { groups, tasks, lanes, on_instances, random, picks: 0 }
    }

    /// The victim key of a group whose oldest task is `oldest`, its zone slots left at 0.
    fn victim_key(
        &self,
        g: &VictimGroupKey,
        oldest: TaskId,
        strategies: &[PlacementStrategy],
        spread: &SpreadTally,
        random: &mut Option<Draws>,
    ) -> VictimKey {
        let mut key = VictimKey { values: [0.0; MAX_STRATEGIES + 1], len: 0, zone_slots: 0, zone: None };
        key.len = match g.instance {
            Some(i) => {
                let inst = &self.instances[i.idx()];
                let td = &self.sc.task_defs[g.task_def.idx()];
                key.zone = Some(inst.zone);
                let n_keys = strategies.len().min(MAX_STRATEGIES);
                for (k, st) in strategies.iter().take(n_keys).enumerate() {
                    key.values[k] = match st {
                        PlacementStrategy::Spread(SpreadField::Zone) => {
                            key.zone_slots |= 1 << k;
                            0.0
                        }
                        PlacementStrategy::Spread(SpreadField::InstanceId) => -f64::from(spread.on_instance(i)),
                        PlacementStrategy::Spread(_) => 0.0,
                        PlacementStrategy::Binpack(BinpackField::Cpu) => -f64::from((inst.free_cpu + td.cpu).0),
                        PlacementStrategy::Binpack(BinpackField::Memory) => -f64::from((inst.free_mem + td.memory).0),
                        PlacementStrategy::Random => random.as_mut().map_or(0.0, |d| d.uniform()),
                    };
                }
                n_keys
            }
            // Fargate: keep zones balanced.
            None => {
                key.zone = g.zone;
                key.zone_slots = 1;
                1
            }
        };
        // The oldest task wins what the strategies leave tied.
        key.values[key.len] = self.tasks[oldest.idx()].serial as f64;
        key
    }

    /// Takes the next task to stop on scale-in from `pool` (tasks of service
    /// `s`): the earliest stage first; among those, from the capacity
    /// provider furthest above its share; then by the placement strategies
    /// reversed; ties to the oldest task.
    pub fn pick_victim(&self, s: ServiceId, pool: &mut VictimPool, spread: &SpreadTally) -> Option<TaskId> {
        let live = || pool.lanes.iter().filter(|l| l.live_groups > 0);
        let min_stage = live().map(|l| l.stage).min()?;
        let strategy = &self.sc.services[s.idx()].strategy;
        // The strategy items that have a task at that stage (a strategy has at most a few items).
        let mut present = [false; 32];
        for l in live().filter(|l| l.stage == min_stage) {
            if let Some(item) = strategy.iter().position(|i| i.provider == l.provider) {
                present[item.min(31)] = true;
            }
        }
        let (mut items, mut n_items) = ([0usize; 32], 0);
        for k in (0..strategy.len().min(32)).filter(|&k| present[k]) {
            items[n_items] = k;
            n_items += 1;
        }
        let shrink = shrink_choice(strategy, &self.services[s.idx()].by_strategy_item, &items[..n_items])
            .map(|k| strategy[k].provider);
        let is_candidate =
            |l: &VictimLane| l.live_groups > 0 && l.stage == min_stage && shrink.is_none_or(|p| p == l.provider);
        let strategies = self.rules(Owner::Service(s)).strategies;
        // Zone counts change with every pick: filled in at each comparison, never cached.
        let with_zone_counts = |mut key: VictimKey| {
            if key.zone_slots != 0 {
                let count = -f64::from(key.zone.map_or(0, |z| spread.zones[z.idx()]));
                for k in 0..key.len {
                    if key.zone_slots & 1 << k != 0 {
                        key.values[k] = count;
                    }
                }
            }
            key
        };
        let mut best: Option<(usize, VictimKey)> = None;
        if pool.random {
            // Fresh draws for each pick of a scale-in (and apart from the placement draws),
            // taken group by group in pool order.
            let key = owner_key(Owner::Service(s)) | 1 << 33 | pool.picks << 34;
            let mut random = Some(self.streams.draws(Stream::Placement, key, self.services[s.idx()].placements));
            for (pos, g) in pool.groups.iter().enumerate() {
                let Some(oldest) = pool.oldest(g) else { continue };
                if !is_candidate(&pool.lanes[g.lane]) {
                    continue;
                }
                let key = with_zone_counts(self.victim_key(&g.key, oldest, strategies, spread, &mut random));
                if best.as_ref().is_none_or(|(_, b)| lexi_less(key.slice(), b.slice())) {
                    best = Some((pos, key));
                }
            }
        } else {
            // Within a lane every group has the same zone count, so the ranking by cached
            // keys is the ranking by full keys: only each candidate lane's first competes.
            for l in 0..pool.lanes.len() {
                if !is_candidate(&pool.lanes[l]) {
                    continue;
                }
                // Ranked straight into the heap (no Ranked is equal to another: positions
                // differ), the unranked list keeping its capacity for the next picks.
                let VictimPool { groups, tasks, lanes, .. } = &mut *pool;
                let lane = &mut lanes[l];
                lane.ranked.extend(lane.unranked.drain(..).filter_map(|pos| {
                    let g = &mut groups[pos];
                    let oldest = oldest_in(tasks, g)?;
                    let key = self.victim_key(&g.key, oldest, strategies, spread, &mut None);
                    g.cached = Some(key);
                    Some(Reverse(Ranked { order: key.order(), pos, ranking: g.ranking }))
                }));
                // Entries of groups invalidated since they were ranked are dropped as they surface.
                while lane.ranked.peek().is_some_and(|Reverse(r)| {
                    let g = &groups[r.pos];
                    g.cached.is_none() || g.ranking != r.ranking
                }) {
                    lane.ranked.pop();
                }
                let Some(&Reverse(Ranked { pos: first, .. })) = lane.ranked.peek() else { continue };
                let Some(cached) = groups[first].cached else { continue };
                let key = with_zone_counts(cached);
                let better = best.as_ref().is_none_or(|(b_pos, b)| {
                    lexi_less(key.slice(), b.slice()) || (!lexi_less(b.slice(), key.slice()) && first < *b_pos)
                });
                if better {
                    best = Some((first, key));
                }
            }
        }
        let (pos, _) = best?;
        pool.picks += 1;
        // The stop changes its instance's counts and free resources, and its group's oldest
        // task (zone counts are not cached).
        pool.invalidate(pos);
        if let Some(instance) = pool.groups[pos].key.instance {
            let start = pool.on_instances.partition_point(|e| e.0 < instance);
            for k in start..pool.on_instances.len() {
                let (i, other) = pool.on_instances[k];
                if i != instance {
                    break;
                }
                pool.invalidate(other);
            }
        }
        let group = &mut pool.groups[pos];
        if group.start == group.end {
            return None;
        }
        group.end -= 1;
        if group.start == group.end {
            pool.lanes[group.lane].live_groups -= 1;
        }
        Some(pool.tasks[group.end])
    }
}

/// A service's scale-in candidates, grouped by everything their victim key
/// depends on (stage, provider, task definition, instance or Fargate zone):
/// within a group only the oldest task can win, so each pick compares groups,
/// not tasks. Under the random strategy each task is its own group.
///
/// Groups are kept in lanes of one stage, provider and zone, each a heap of
/// cached keys, so a pick looks at the first of a few lanes instead of every
/// group; a pick re-ranks only the groups on its instance.
pub struct VictimPool {
    groups: Vec<VictimGroup>,
    /// The candidates, by group (each group's range newest first).
    tasks: Vec<TaskId>,
    lanes: Vec<VictimLane>,
    /// (instance, group) for the groups on instances, sorted.
    on_instances: Vec<(InstanceId, usize)>,
    /// Under the random strategy keys are drawn afresh at each pick, never ranked.
    random: bool,
    /// Victims taken so far (keys the random strategy's draws).
    picks: u64,
}

impl VictimPool {
    /// The group's oldest task not yet taken.
    fn oldest(&self, g: &VictimGroup) -> Option<TaskId> {
        oldest_in(&self.tasks, g)
    }

    /// Forgets a group's key: it is computed again when its lane next competes.
    fn invalidate(&mut self, pos: usize) {
        let g = &mut self.groups[pos];
        if g.cached.take().is_some() {
            // Its heap entry goes stale: a new ranking is pushed when the key is computed again.
            g.ranking += 1;
            self.lanes[g.lane].unranked.push(pos);
        }
    }
}

struct VictimGroup {
    key: VictimGroupKey,
    lane: usize,
    /// Its tasks not yet taken: `VictimPool::tasks[start..end]`, newest first.
    start: usize,
    end: usize,
    /// Its victim key while nothing it depends on has changed (never under random).
    cached: Option<VictimKey>,
    /// Times its key was invalidated: tells its current heap entry from stale ones.
    ranking: u32,
}

/// Groups of one stage, provider and zone.
struct VictimLane {
    stage: u8,
    provider: ProviderId,
    zone: Option<ZoneId>,
    /// Groups with tasks left.
    live_groups: usize,
    /// Groups with a cached key, best on top (and stale entries of invalidated ones).
    ranked: BinaryHeap<Reverse<Ranked>>,
    /// Groups whose key is to be computed (when the lane next competes), in no order.
    unranked: Vec<usize>,
}

/// A group's oldest task not yet taken, from the pool's candidates.
fn oldest_in(tasks: &[TaskId], g: &VictimGroup) -> Option<TaskId> {
    (g.start < g.end).then(|| tasks[g.end - 1])
}

/// A group in its lane's ranking: by key, then position.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Ranked {
    /// `VictimKey::order` of the key it was ranked with.
    order: [i64; MAX_STRATEGIES + 1],
    pos: usize,
    ranking: u32,
}

/// A victim key: one value per placement strategy (reversed), then the oldest task's serial.
#[derive(Clone, Copy, Debug)]
struct VictimKey {
    values: [f64; MAX_STRATEGIES + 1],
    len: usize,
    /// Positions holding minus the zone's task count (spread by zone, or a Fargate
    /// group's balance), filled in at each pick from `zone`.
    zone_slots: u8,
    zone: Option<ZoneId>,
}

impl VictimKey {
    fn slice(&self) -> &[f64] {
        &self.values[..=self.len]
    }

    /// The values as integers in `f64::total_cmp` order (the transform `total_cmp`
    /// itself makes), so that ranking compares integers; unused places stay 0.
    fn order(&self) -> [i64; MAX_STRATEGIES + 1] {
        let mut order = [0; MAX_STRATEGIES + 1];
        for (o, v) in order.iter_mut().zip(self.slice()) {
            let bits = v.to_bits() as i64;
            *o = bits ^ (((bits >> 63) as u64) >> 1) as i64;
        }
        order
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct VictimGroupKey {
    stage: u8,
    provider: ProviderId,
    task_def: crate::scenario::TaskDefId,
    instance: Option<InstanceId>,
    zone: Option<ZoneId>,
    alone: Option<TaskId>,
}

impl VictimGroupKey {
    /// The key as two integers in the derived order (options: 0 for none, the value
    /// above a flag bit for some).
    fn packed(&self) -> (u128, u128) {
        let option = |x: Option<u32>| x.map_or(0, |v| 1 << 32 | u128::from(v));
        let alone = self.alone.map_or(0, |t| 1 << 64 | u128::from(t.0) << 32 | u128::from(t.1));
        let high = u128::from(self.stage) << 120
            | u128::from(self.provider.0) << 88
            | u128::from(self.task_def.0) << 56
            | option(self.instance.map(|i| i.0)) << 23;
        (high, option(self.zone.map(|z| z.0)) << 95 | alone << 30)
    }
}

pub fn owner_name(sc: &crate::scenario::Scenario, owner: Owner) -> &str {
    match owner {
        Owner::Service(s) => &sc.services[s.idx()].name,
        Owner::Batch(b, _) => &sc.batch[b.idx()].name,
    }
}

/// A service's staying tasks per zone and per instance, for choosing scale-in
/// victims one after another (instances kept sparse: only those the service uses).
pub struct SpreadTally {
    pub zones: Vec<u32>,
    /// (instance, tasks of the service on it), sorted by instance.
    instances: Vec<(InstanceId, u32)>,
}

impl SpreadTally {
    pub fn of(sim: &Simulation<'_>, tasks: &[TaskId]) -> SpreadTally {
        let mut zones = vec![0; sim.sc.zones.len()];
        let mut on: Vec<InstanceId> = Vec::with_capacity(tasks.len());
        for &t in tasks {
            let task = &sim.tasks[t.idx()];
            if let Some(z) = task.zone {
                zones[z.idx()] += 1;
            }
            if let Some(i) = task.instance {
                on.push(i);
            }
        }
        on.sort_unstable();
        let mut instances: Vec<(InstanceId, u32)> = Vec::new();
        for i in on {
            match instances.last_mut() {
                Some((last, n)) if *last == i => *n += 1,
                _ => instances.push((i, 1)),
            }
        }
        SpreadTally { zones, instances }
    }

    /// The service's staying tasks on instance `i`.
    pub fn on_instance(&self, i: InstanceId) -> u32 {
        self.instances.binary_search_by_key(&i, |e| e.0).map_or(0, |k| self.instances[k].1)
    }

    pub fn remove(&mut self, sim: &Simulation<'_>, t: TaskId) {
        let task = &sim.tasks[t.idx()];
        if let Some(z) = task.zone {
            self.zones[z.idx()] = self.zones[z.idx()].saturating_sub(1);
        }
        if let Some(i) = task.instance
            && let Ok(k) = self.instances.binary_search_by_key(&i, |e| e.0)
        {
            self.instances[k].1 = self.instances[k].1.saturating_sub(1);
        }
    }
}

fn same_group(a: Owner, b: Owner) -> bool {
    match (a, b) {
        (Owner::Service(x), Owner::Service(y)) => x == y,
        (Owner::Batch(x, _), Owner::Batch(y, _)) => x == y,
        _ => false,
    }
}

/// A group key independent of the batch job number.
fn group_of(owner: Owner) -> Owner {
    match owner {
        Owner::Batch(b, _) => Owner::Batch(b, 0),
        o => o,
    }
}

fn owner_key(owner: Owner) -> u64 {
    match owner {
        Owner::Service(s) => s.0 as u64,
        Owner::Batch(b, _) => (1 << 32) | b.0 as u64,
    }
}

/// Strict lexicographic "less than"; equal keys keep the earlier candidate.
fn lexi_less(a: &[f64], b: &[f64]) -> bool {
    for (x, y) in a.iter().zip(b) {
        match x.total_cmp(y) {
            std::cmp::Ordering::Less => return true,
            std::cmp::Ordering::Greater => return false,
            std::cmp::Ordering::Equal => {}
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packed_victim_group_keys_sort_as_the_keys() {
        let mut keys = Vec::new();
        for stage in [0, 3] {
            for provider in [0, u32::MAX] {
                for instance in [None, Some(InstanceId(0)), Some(InstanceId(u32::MAX))] {
                    for zone in [None, Some(ZoneId(0)), Some(ZoneId(u32::MAX))] {
                        for alone in [None, Some(TaskId(0, u32::MAX)), Some(TaskId(u32::MAX, 0))] {
                            let task_def = crate::scenario::TaskDefId(provider / 2);
                            let provider = ProviderId(provider);
                            keys.push(VictimGroupKey { stage, provider, task_def, instance, zone, alone });
                        }
                    }
                }
            }
        }
        for a in &keys {
            for b in &keys {
                assert_eq!(a.packed().cmp(&b.packed()), a.cmp(b), "{a:?} {b:?}");
            }
        }
    }
}
