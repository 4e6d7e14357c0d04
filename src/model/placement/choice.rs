//! Choosing the instance a task goes to, in ECS's order (docs/aws-facts.md
//! §5.1): the checks (architecture, CPU, memory, static host ports, awsvpc
//! ENIs, then the memberOf and distinctInstance constraints) decide which
//! instances can take the task; the strategies in order (binpack, spread,
//! random; later ones break ties of earlier ones, the lowest instance id
//! breaks what remains) rank those that can.
//!
//! Pure functions over a read-only [`Candidates`] view of one provider's
//! instances, so that the policy can be tested on a hand-built cluster; the
//! simulation builds the view and applies the choice. The free-resource
//! index answers the common strategies without a scan (binpack walks up from
//! the task's size, spread across instances and no strategy walk the fits in
//! id order); [`scan`] ranks every instance and is the reference the index
//! is checked against.

use super::failure::PlacementFailure;
use super::{MAX_STRATEGIES, lexi_less};
use crate::catalog::Arch;
use crate::model::entities::InstanceId;
use crate::model::free_index::FreeIndex;
use crate::query::InstanceFacts;
use crate::rng::Draws;
use crate::scenario::{
    BinpackField, NetworkMode, PlacementConstraint, PlacementStrategy, SpreadField, TaskDef, ZoneId,
};
use crate::units::{CpuUnits, MemMib};

/// Up zones the index handles at once (on the stack); a region with more falls back to a scan.
const MAX_WALKS: usize = 8;

/// What the checks and strategies read of one instance.
#[derive(Clone, Copy, Debug)]
pub struct Host<'a> {
    pub zone: ZoneId,
    /// ACTIVE and not being scaled in: the only instances a task may go to
    /// (and the only ones the free-resource index holds).
    pub takes_tasks: bool,
    pub free_cpu: CpuUnits,
    pub free_mem: MemMib,
    /// awsvpc task slots left.
    pub free_eni: u32,
    /// Static host ports in use.
    pub ports: &'a [u16],
}

/// An instance as the cluster query language (memberOf) and spread on an
/// attribute see it.
#[derive(Clone, Copy, Debug)]
pub struct Facts<'a> {
    pub zone: &'a str,
    pub instance_type: &'a str,
    pub arch: &'a str,
    /// Tasks on the instance (`runningTasksCount`).
    pub running: u32,
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

/// One provider's instances as the placement of one task sees them: what
/// the policy may read, nothing it may change.
pub trait Candidates {
    /// Zones in the region: ids `0..zones()`.
    fn zones(&self) -> usize;
    fn zone_up(&self, z: ZoneId) -> bool;
    /// The provider's live instances in id order (what a scan walks).
    fn instances(&self) -> &[InstanceId];
    /// The provider's instances that take tasks, by free resources; must
    /// agree with [`Candidates::host`].
    fn index(&self) -> &FreeIndex;
    fn host(&self, i: InstanceId) -> Host<'_>;
    /// Instance `i`'s CPU architecture (apart from [`Host`]: most tasks name none).
    fn arch(&self, i: InstanceId) -> Arch;
    fn facts(&self, i: InstanceId) -> Facts<'_>;
    /// Tasks of the task's group (its service, or scheduled task) on instance `i`.
    fn group_tasks_on(&self, i: InstanceId) -> u32;
    /// How many of the provider's instance types have `arch`, of how many
    /// (`None` for a provider without instance types).
    fn types_with_arch(&self, arch: Arch) -> Option<(usize, usize)>;
}

/// A task's placement request: its size, its owner's rules and its group's
/// current spread, gathered once per placement.
pub struct Ask<'a> {
    pub td: &'a TaskDef,
    pub strategies: &'a [PlacementStrategy],
    pub constraints: &'a [PlacementConstraint],
    /// The group's active tasks per zone.
    pub zone_counts: &'a [u32],
    /// The group's placed tasks per value of the spread attributes other than
    /// zone and instance id (see [`spread_value`]).
    pub attr_counts: Vec<(String, u32)>,
    n_keys: usize,
    distinct: bool,
}

impl<'a> Ask<'a> {
    pub fn new(
        td: &'a TaskDef,
        strategies: &'a [PlacementStrategy],
        constraints: &'a [PlacementConstraint],
        zone_counts: &'a [u32],
        attr_counts: Vec<(String, u32)>,
    ) -> Ask<'a> {
        Ask {
            td,
            strategies,
            constraints,
            zone_counts,
            attr_counts,
            n_keys: strategies.len().min(MAX_STRATEGIES),
            distinct: constraints.iter().any(|c| matches!(c, PlacementConstraint::DistinctInstance)),
        }
    }
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

/// The value an instance has for a spread field (zone and instance id are
/// counted apart, from the group's tallies).
pub fn spread_value(i: InstanceId, facts: &Facts<'_>, field: &SpreadField) -> String {
    match field {
        SpreadField::InstanceType => facts.instance_type.to_string(),
        SpreadField::OsType => "linux".to_string(),
        SpreadField::Arch => facts.arch.to_string(),
        SpreadField::Zone => facts.zone.to_string(),
        SpreadField::InstanceId => i.0.to_string(),
        SpreadField::Attribute(_) => String::new(),
    }
}

/// The first check (in ECS's order) instance `i` fails for the task, if any.
/// Inlined: the walks of the index meet many instances that lack the CPU or
/// memory, and those are rejected without a call.
#[inline(always)]
fn failed_check(view: &impl Candidates, ask: &Ask<'_>, i: InstanceId) -> Option<PlacementFailure> {
    let (td, host) = (ask.td, view.host(i));
    if td.arch.is_some_and(|a| a != view.arch(i)) {
        Some(PlacementFailure::AttributeArch)
    } else if host.free_cpu < td.cpu {
        Some(PlacementFailure::ResourceCpu)
    } else if host.free_mem < td.memory {
        Some(PlacementFailure::ResourceMemory)
    } else {
        failed_later_check(view, ask, i)
    }
}

/// The checks after CPU and memory, in ECS's order: host ports, ENIs, then
/// the constraints.
fn failed_later_check(view: &impl Candidates, ask: &Ask<'_>, i: InstanceId) -> Option<PlacementFailure> {
    let (td, host) = (ask.td, view.host(i));
    if td.static_host_ports.iter().any(|p| host.ports.contains(p)) {
        Some(PlacementFailure::ResourcePorts)
    } else if td.network_mode == NetworkMode::Awsvpc && host.free_eni == 0 {
        Some(PlacementFailure::ResourceEni)
    } else if !ask.constraints.iter().all(|c| match c {
        PlacementConstraint::MemberOf(e) => e.matches(&view.facts(i)),
        PlacementConstraint::DistinctInstance => true,
    }) {
        Some(PlacementFailure::ConstraintMemberOf)
    } else if ask.distinct && view.group_tasks_on(i) > 0 {
        Some(PlacementFailure::ConstraintDistinctInstance)
    } else {
        None
    }
}

/// Instance `i`'s key under the strategies (lower is better).
fn placement_key(view: &impl Candidates, ask: &Ask<'_>, i: InstanceId, random: &mut Option<Draws>) -> Key {
    let (td, host) = (ask.td, view.host(i));
    let mut key = [0.0; MAX_STRATEGIES];
    for (k, st) in ask.strategies.iter().take(ask.n_keys).enumerate() {
        key[k] = match st {
            PlacementStrategy::Binpack(BinpackField::Cpu) => f64::from((host.free_cpu - td.cpu).0),
            PlacementStrategy::Binpack(BinpackField::Memory) => f64::from((host.free_mem - td.memory).0),
            PlacementStrategy::Spread(SpreadField::InstanceId) => f64::from(view.group_tasks_on(i)),
            PlacementStrategy::Spread(SpreadField::Zone) => f64::from(ask.zone_counts[host.zone.idx()]),
            PlacementStrategy::Spread(field) => {
                let value = spread_value(i, &view.facts(i), field);
                ask.attr_counts.iter().find(|(v, _)| *v == value).map_or(0.0, |(_, n)| f64::from(*n))
            }
            PlacementStrategy::Random => random.as_mut().map_or(0.0, |d| d.uniform()),
        };
    }
    key
}

/// Scans the instances in id order for the best key, or names the closest
/// miss: the furthest check any instance reached. `random` gives the draws
/// of the random strategy, one per instance that passes every check, in id
/// order (the strategies hold no random: `None`).
pub fn scan(view: &impl Candidates, ask: &Ask<'_>, mut random: Option<Draws>) -> Result<InstanceId, PlacementFailure> {
    let n_keys = ask.n_keys;
    let mut best: Option<(InstanceId, Key)> = None;
    let mut closest = PlacementFailure::NoInstances;
    // The best key any instance could have: once reached, later instances (higher ids)
    // cannot win, so the scan stops. Random keys have no such bound.
    let min_zone = (0..view.zones())
        .map(ZoneId::from_idx)
        .filter(|&z| view.zone_up(z))
        .map(|z| ask.zone_counts[z.idx()])
        .min()
        .unwrap_or(0);
    let mut bound = [0.0; MAX_STRATEGIES];
    for (k, st) in ask.strategies.iter().take(n_keys).enumerate() {
        if matches!(st, PlacementStrategy::Spread(SpreadField::Zone)) {
            bound[k] = f64::from(min_zone);
        }
    }
    let can_stop_early = !ask.strategies.contains(&PlacementStrategy::Random);
    for &i in view.instances() {
        let host = view.host(i);
        if !host.takes_tasks || !view.zone_up(host.zone) {
            continue;
        }
        if let Some(failure) = failed_check(view, ask, i) {
            closest = closest.max(failure);
            continue;
        }
        let key = placement_key(view, ask, i, &mut random);
        if best.as_ref().is_none_or(|(_, b)| lexi_less(&key[..n_keys], &b[..n_keys])) {
            best = Some((i, key));
            if can_stop_early && key[..n_keys] == bound[..n_keys] {
                break;
            }
        }
    }
    best.map(|(i, _)| i).ok_or(closest)
}

/// The choice [`scan`] makes, from the free-resource index, for strategies
/// that lead with binpack, spread across instances only, or have none (each
/// optionally after spread across zones, the zones then taken from the
/// least used), or why none fits: `None` when the index cannot tell.
pub fn indexed(view: &impl Candidates, ask: &Ask<'_>) -> Option<Result<InstanceId, PlacementFailure>> {
    let (by_zone, rest) = match ask.strategies {
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
        Rank::Binpack(field) => best_at_least_free_level(view, ask, zones, field),
        Rank::FewestOfGroup => fewest_of_group(view, ask, zones),
        Rank::LowestId => lowest_fitting_id(view, ask, zones),
    };
    // The up zones, on the stack (this runs for most placements).
    let mut up = [ZoneId::from_idx(0); MAX_WALKS];
    let mut n = 0;
    for z in (0..view.zones()).map(ZoneId::from_idx).filter(|&z| view.zone_up(z)) {
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
        None => closest_miss(view, ask, zones).map(Err),
    }
}

/// Why no instance in `zones` takes the task, as a scan names it: the
/// furthest check any instance passes. Instances without the CPU or
/// memory stop at those checks; only those with both are checked one by
/// one. `None` when only some of the provider's instance types have the
/// task's architecture, which the index does not tell apart.
fn closest_miss(view: &impl Candidates, ask: &Ask<'_>, zones: &[ZoneId]) -> Option<PlacementFailure> {
    let index = view.index();
    let any = |cpu, mem| zones.iter().any(|&z| index.fitting_by_id(z, cpu, mem).next().is_some());
    if !any(0, 0) {
        return Some(PlacementFailure::NoInstances);
    }
    if let Some(arch) = ask.td.arch {
        let (matching, types) = view.types_with_arch(arch)?;
        if matching == 0 {
            return Some(PlacementFailure::AttributeArch);
        }
        if matching < types {
            return None;
        }
    }
    // Past the architecture check, an instance fails on CPU, on memory, or later.
    let mut reached =
        if any(ask.td.cpu.0, 0) { PlacementFailure::ResourceMemory } else { PlacementFailure::ResourceCpu };
    for &z in zones {
        for i in index.fitting_by_id(z, ask.td.cpu.0, ask.td.memory.0) {
            reached = reached.max(failed_check(view, ask, i)?);
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
    view: &impl Candidates,
    ask: &Ask<'_>,
    zones: &[ZoneId],
    field: BinpackField,
) -> Option<InstanceId> {
    let need = match field {
        BinpackField::Cpu => ask.td.cpu.0,
        BinpackField::Memory => ask.td.memory.0,
    };
    let index = view.index();
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
        if failed_check(view, ask, i).is_some() {
            continue;
        }
        level = Some(free);
        let key = placement_key(view, ask, i, &mut None);
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
fn fewest_of_group(view: &impl Candidates, ask: &Ask<'_>, zones: &[ZoneId]) -> Option<InstanceId> {
    let index = view.index();
    let mut best: Option<(u32, InstanceId)> = None;
    for &z in zones {
        for i in index.fitting_by_id(z, ask.td.cpu.0, ask.td.memory.0) {
            if best.is_some_and(|(n, b)| n == 0 && b < i) {
                break;
            }
            if failed_check(view, ask, i).is_some() {
                continue;
            }
            let n = view.group_tasks_on(i);
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
fn lowest_fitting_id(view: &impl Candidates, ask: &Ask<'_>, zones: &[ZoneId]) -> Option<InstanceId> {
    let index = view.index();
    zones
        .iter()
        .filter_map(|&z| {
            index.fitting_by_id(z, ask.td.cpu.0, ask.td.memory.0).find(|&i| failed_check(view, ask, i).is_none())
        })
        .min()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::SimDuration;
    use crate::model::free_index::Slot;
    use crate::rng::{RngStreams, Stream};
    use crate::scenario::Dist;

    const ZONE_NAMES: [&str; 3] = ["us-east-1a", "us-east-1b", "us-east-1c"];

    /// A hand-built instance: its zone, free CPU and memory, and the group's tasks on it.
    struct Machine {
        zone: usize,
        cpu: u32,
        mem: u32,
        group: u32,
    }

    fn m(zone: usize, cpu: u32, mem: u32, group: u32) -> Machine {
        Machine { zone, cpu, mem, group }
    }

    /// Instance `k` is `machines[k]`; every zone is up unless said.
    struct Cluster {
        machines: Vec<Machine>,
        ids: Vec<InstanceId>,
        up: Vec<bool>,
        index: FreeIndex,
    }

    impl Cluster {
        fn new(machines: Vec<Machine>) -> Cluster {
            let mut index = FreeIndex::new(ZONE_NAMES.len());
            for (k, m) in machines.iter().enumerate() {
                let slot = Slot { zone: ZoneId::from_idx(m.zone), free_cpu: m.cpu, free_mem: m.mem };
                index.update(InstanceId(k as u32), None, Some(slot));
            }
            let ids = (0..machines.len() as u32).map(InstanceId).collect();
            Cluster { machines, ids, up: vec![true; ZONE_NAMES.len()], index }
        }
    }

    impl Candidates for Cluster {
        fn zones(&self) -> usize {
            ZONE_NAMES.len()
        }
        fn zone_up(&self, z: ZoneId) -> bool {
            self.up[z.idx()]
        }
        fn instances(&self) -> &[InstanceId] {
            &self.ids
        }
        fn index(&self) -> &FreeIndex {
            &self.index
        }
        fn host(&self, i: InstanceId) -> Host<'_> {
            let m = &self.machines[i.idx()];
            Host {
                zone: ZoneId::from_idx(m.zone),
                takes_tasks: true,
                free_cpu: CpuUnits(m.cpu),
                free_mem: MemMib(m.mem),
                free_eni: 2,
                ports: &[],
            }
        }
        fn arch(&self, _: InstanceId) -> Arch {
            Arch::X86_64
        }
        fn facts(&self, i: InstanceId) -> Facts<'_> {
            let m = &self.machines[i.idx()];
            Facts { zone: ZONE_NAMES[m.zone], instance_type: "m5.large", arch: "x86_64", running: m.group }
        }
        fn group_tasks_on(&self, i: InstanceId) -> u32 {
            self.machines[i.idx()].group
        }
        fn types_with_arch(&self, arch: Arch) -> Option<(usize, usize)> {
            Some((usize::from(arch == Arch::X86_64), 1))
        }
    }

    fn task(cpu: u32, memory: u32) -> TaskDef {
        TaskDef {
            family: "web".into(),
            cpu: CpuUnits(cpu),
            memory: MemMib(memory),
            network_mode: NetworkMode::Bridge,
            static_host_ports: Vec::new(),
            startup_time: Dist::Constant(0.0),
            shutdown_time: None,
            warmup_time: None,
            stop_timeout: SimDuration::from_secs(30),
            arch: None,
        }
    }

    /// The choice of both paths, which must agree; the index must answer.
    fn indexed_and_scanned(c: &Cluster, ask: &Ask<'_>) -> Result<InstanceId, PlacementFailure> {
        let scanned = scan(c, ask, None);
        let from_index = indexed(c, ask).expect("the index answers these strategies");
        assert_eq!(from_index, scanned, "the index and a scan disagree");
        scanned
    }

    #[test]
    fn binpack_cpu_takes_the_least_cpu_left_that_fits() {
        // A 512-unit task. CPU left after placing it: i0 2048 - 512 = 1536, i2 1024 - 512
        // = 512, i3 4096 - 512 = 3584; i1 (256 free) does not fit. Binpack: i2, the least
        // left. First fit would take i0, the most left i3, the least free ignoring the
        // fit i1. i2 is in another zone than the others: binpack ranks across zones.
        let c = Cluster::new(vec![m(0, 2048, 8192, 0), m(0, 256, 8192, 0), m(1, 1024, 8192, 0), m(0, 4096, 8192, 0)]);
        let td = task(512, 512);
        let strategies = [PlacementStrategy::Binpack(BinpackField::Cpu)];
        let ask = Ask::new(&td, &strategies, &[], &[0, 0, 0], Vec::new());
        assert_eq!(indexed_and_scanned(&c, &ask), Ok(InstanceId(2)));
    }

    #[test]
    fn binpack_memory_takes_the_least_memory_left_that_fits() {
        // A 1024 MiB task. Memory left: i0 8192 - 1024 = 7168, i1 1536 - 1024 = 512, i2
        // 4096 - 1024 = 3072; i3 (512 MiB) does not fit. Binpack memory: i1. First fit and
        // the most left would take i0; binpack on CPU would take i2 (256 units, none left).
        let c = Cluster::new(vec![m(0, 512, 8192, 0), m(1, 4096, 1536, 0), m(2, 256, 4096, 0), m(0, 4096, 512, 0)]);
        let td = task(256, 1024);
        let strategies = [PlacementStrategy::Binpack(BinpackField::Memory)];
        let ask = Ask::new(&td, &strategies, &[], &[0, 0, 0], Vec::new());
        assert_eq!(indexed_and_scanned(&c, &ask), Ok(InstanceId(1)));
    }

    #[test]
    fn spread_by_zone_takes_a_zone_with_the_fewest_of_the_group() {
        // The group has 3 tasks in zone a, 1 in b, 1 in c: b and c tie with the fewest,
        // and the lowest instance id among theirs wins: i1 (zone c) before i2 and i3
        // (zone b). The lowest id overall, i0, is in the busiest zone.
        let c = Cluster::new(vec![m(0, 1024, 2048, 0), m(2, 1024, 2048, 0), m(1, 1024, 2048, 0), m(1, 1024, 2048, 0)]);
        let td = task(512, 512);
        let strategies = [PlacementStrategy::Spread(SpreadField::Zone)];
        let ask = Ask::new(&td, &strategies, &[], &[3, 1, 1], Vec::new());
        assert_eq!(indexed_and_scanned(&c, &ask), Ok(InstanceId(1)));
        // With zone b alone the least used, its lowest id wins: i2.
        let ask = Ask::new(&td, &strategies, &[], &[3, 1, 2], Vec::new());
        assert_eq!(indexed_and_scanned(&c, &ask), Ok(InstanceId(2)));
    }

    #[test]
    fn spread_by_instance_takes_the_fewest_of_the_group_that_fits() {
        // The group's tasks: i0 2, i1 1, i2 1, i3 0 but i3 lacks the CPU. Among those that
        // fit, i1 and i2 tie with 1 and the lower id wins: i1. First fit would take i0,
        // and ignoring the fit i3.
        let c = Cluster::new(vec![m(0, 2048, 4096, 2), m(1, 2048, 4096, 1), m(0, 2048, 4096, 1), m(1, 256, 4096, 0)]);
        let td = task(512, 512);
        let strategies = [PlacementStrategy::Spread(SpreadField::InstanceId)];
        let ask = Ask::new(&td, &strategies, &[], &[0, 0, 0], Vec::new());
        assert_eq!(indexed_and_scanned(&c, &ask), Ok(InstanceId(1)));
    }

    #[test]
    fn the_default_service_spread_balances_zones_then_instances() {
        // spread(zone) then spread(instanceId), ECS's default for services
        // (docs/aws-facts.md §1.2): zone b has the fewest of the group (1); of its
        // instances, i1 holds one task and i3 none: i3. The lowest id in zone b is i1.
        let c = Cluster::new(vec![m(0, 1024, 2048, 2), m(1, 1024, 2048, 1), m(2, 1024, 2048, 2), m(1, 1024, 2048, 0)]);
        let td = task(512, 512);
        let strategies =
            [PlacementStrategy::Spread(SpreadField::Zone), PlacementStrategy::Spread(SpreadField::InstanceId)];
        let ask = Ask::new(&td, &strategies, &[], &[2, 1, 2], Vec::new());
        assert_eq!(indexed_and_scanned(&c, &ask), Ok(InstanceId(3)));
    }

    #[test]
    fn random_draws_once_per_fitting_instance_in_id_order() {
        // i1 and i3 lack the CPU; i0, i2 and i4 fit. The random strategy keys each
        // fitting instance by the next uniform draw of the stream, in id order, and takes
        // the least: worked out here from the same stream, then compared.
        let c = Cluster::new(vec![
            m(0, 1024, 2048, 0),
            m(1, 128, 2048, 0),
            m(1, 1024, 2048, 0),
            m(2, 128, 2048, 0),
            m(2, 1024, 2048, 0),
        ]);
        let td = task(512, 512);
        let strategies = [PlacementStrategy::Random];
        let ask = Ask::new(&td, &strategies, &[], &[0, 0, 0], Vec::new());
        assert!(indexed(&c, &ask).is_none(), "random is the scan's");
        let streams = RngStreams::new(42, 0);
        let mut seen = [0; 5];
        let mut drawing_for_every_instance_differs = false;
        for ordinal in 0..32 {
            let mut d = streams.draws(Stream::Placement, 7, ordinal);
            let u: Vec<f64> = (0..5).map(|_| d.uniform()).collect();
            let least = |of: &[usize]| of.iter().copied().min_by(|&a, &b| u[a].total_cmp(&u[b])).unwrap();
            // Fitting instances i0, i2, i4 get draws 0, 1, 2.
            let fitting = [0, 2, 4];
            let want = fitting[least(&[0, 1, 2])];
            let got = scan(&c, &ask, Some(streams.draws(Stream::Placement, 7, ordinal))).unwrap();
            assert_eq!(got, InstanceId(want as u32), "ordinal {ordinal}");
            // Deterministic: the same stream gives the same choice.
            assert_eq!(scan(&c, &ask, Some(streams.draws(Stream::Placement, 7, ordinal))), Ok(got));
            seen[want] += 1;
            // Had every instance taken a draw, instance k would get draw k.
            drawing_for_every_instance_differs |= fitting[least(&[0, 1, 2])] != least(&[0, 2, 4]);
        }
        assert_eq!((seen[1], seen[3]), (0, 0), "only fitting instances are chosen");
        assert!(seen[0] > 0 && seen[2] > 0 && seen[4] > 0, "each fitting instance is drawn: {seen:?}");
        assert!(drawing_for_every_instance_differs);
    }

    #[test]
    fn no_fit_names_the_closest_miss() {
        // i0 lacks the CPU, i1 has the CPU but not the memory: i1 got further, so the
        // failure is memory (a scan names the furthest check any instance reached).
        let c = Cluster::new(vec![m(0, 256, 8192, 0), m(1, 1024, 256, 0)]);
        let td = task(512, 512);
        let strategies = [PlacementStrategy::Binpack(BinpackField::Memory)];
        let ask = Ask::new(&td, &strategies, &[], &[0, 0, 0], Vec::new());
        assert_eq!(indexed_and_scanned(&c, &ask), Err(PlacementFailure::ResourceMemory));
        // distinctInstance: the only fitting instance already holds one of the group's tasks.
        let c = Cluster::new(vec![m(0, 256, 8192, 0), m(1, 1024, 1024, 1)]);
        let distinct = [PlacementConstraint::DistinctInstance];
        let ask = Ask::new(&td, &strategies, &distinct, &[0, 0, 0], Vec::new());
        assert_eq!(indexed_and_scanned(&c, &ask), Err(PlacementFailure::ConstraintDistinctInstance));
        // Every zone down: no instance takes tasks.
        let mut c = Cluster::new(vec![m(0, 1024, 1024, 0)]);
        c.up = vec![false; 3];
        assert_eq!(indexed_and_scanned(&c, &ask), Err(PlacementFailure::NoInstances));
    }
}
