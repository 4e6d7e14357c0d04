//! Which task a scale-in stops (docs/aws-facts.md §5.2): tasks not yet
//! placed or started go first, then unhealthy ones; among the rest, the
//! capacity provider furthest above its share gives one up, and the
//! placement strategies reversed choose the task: spread stops where the
//! service is most concentrated, binpack where the stop frees the most,
//! random at random; the oldest task breaks ties.
//!
//! Pure functions over a read-only [`VictimView`] of the service's tasks,
//! so that the policy can be tested on hand-built tasks; the simulation is
//! the view and stops the tasks chosen.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use super::split::shrink_choice;
use super::{MAX_STRATEGIES, lexi_less};
use crate::model::entities::{InstanceId, TaskId};
use crate::rng::Draws;
use crate::scenario::{BinpackField, PlacementStrategy, ProviderId, SpreadField, StrategyItem, TaskDefId, ZoneId};
use crate::units::{CpuUnits, MemMib};

/// What the choice of scale-in victims reads about the service's tasks and
/// their instances.
pub trait VictimView {
    /// Zones in the region: ids `0..zone_count()`.
    fn zone_count(&self) -> usize;
    fn victim(&self, t: TaskId) -> Victim;
    /// How far along task `t` is: 0 waiting for capacity, 1 starting, 2
    /// running but not healthy, 3 running and healthy; earlier stages stop first.
    fn victim_stage(&self, t: TaskId) -> u8;
    fn instance(&self, i: InstanceId) -> Room;
    /// CPU and memory a task of `td` holds.
    fn task_size(&self, td: TaskDefId) -> (CpuUnits, MemMib);
}

/// A scale-in candidate as its victim key sees it.
#[derive(Clone, Copy, Debug)]
pub struct Victim {
    pub provider: ProviderId,
    pub task_def: TaskDefId,
    /// Its instance (`None` on Fargate or before placement).
    pub instance: Option<InstanceId>,
    pub zone: Option<ZoneId>,
    /// Creation order: the oldest wins ties.
    pub serial: u64,
}

/// An instance as a victim key sees it: its zone and free resources.
#[derive(Clone, Copy, Debug)]
pub struct Room {
    pub zone: ZoneId,
    pub free_cpu: CpuUnits,
    pub free_mem: MemMib,
}

/// The service's rules for a scale-in.
pub struct ScaleIn<'a> {
    /// Its capacity provider strategy, and its current tasks per item.
    pub strategy: &'a [StrategyItem],
    pub by_item: &'a [u32],
    /// Its placement strategies.
    pub placement: &'a [PlacementStrategy],
}

/// Takes the next task to stop on scale-in from `pool`: the earliest
/// stage first; among those, from the capacity provider furthest above
/// its share; then by the placement strategies reversed; ties to the
/// oldest task. `spread` holds the service's staying tasks (the caller
/// removes each victim from it); `random` gives this pick's draws under
/// the random strategy, one per group on an instance, in pool order.
pub fn pick_victim(
    view: &impl VictimView,
    rules: &ScaleIn<'_>,
    pool: &mut VictimPool,
    spread: &SpreadTally,
    random: Option<Draws>,
) -> Option<TaskId> {
    let live = || pool.lanes.iter().filter(|l| l.live_groups > 0);
    let min_stage = live().map(|l| l.stage).min()?;
    let strategy = rules.strategy;
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
    let shrink = shrink_choice(strategy, rules.by_item, &items[..n_items]).map(|k| strategy[k].provider);
    let is_candidate =
        |l: &VictimLane| l.live_groups > 0 && l.stage == min_stage && shrink.is_none_or(|p| p == l.provider);
    let strategies = rules.placement;
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
        let mut random = random;
        for (pos, g) in pool.groups.iter().enumerate() {
            let Some(oldest) = pool.oldest(g) else { continue };
            if !is_candidate(&pool.lanes[g.lane]) {
                continue;
            }
            let key = with_zone_counts(victim_key(view, &g.key, oldest, strategies, spread, &mut random));
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
                let key = victim_key(view, &g.key, oldest, strategies, spread, &mut None);
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

/// The victim key of a group whose oldest task is `oldest`, its zone slots left at 0.
fn victim_key(
    view: &impl VictimView,
    g: &VictimGroupKey,
    oldest: TaskId,
    strategies: &[PlacementStrategy],
    spread: &SpreadTally,
    random: &mut Option<Draws>,
) -> VictimKey {
    let mut key = VictimKey { values: [0.0; MAX_STRATEGIES + 1], len: 0, zone_slots: 0, zone: None };
    key.len = match g.instance {
        Some(i) => {
            let room = view.instance(i);
            let (cpu, memory) = view.task_size(g.task_def);
            key.zone = Some(room.zone);
            let n_keys = strategies.len().min(MAX_STRATEGIES);
            for (k, st) in strategies.iter().take(n_keys).enumerate() {
                key.values[k] = match st {
                    PlacementStrategy::Spread(SpreadField::Zone) => {
                        key.zone_slots |= 1 << k;
                        0.0
                    }
                    PlacementStrategy::Spread(SpreadField::InstanceId) => -f64::from(spread.on_instance(i)),
                    PlacementStrategy::Spread(_) => 0.0,
                    PlacementStrategy::Binpack(BinpackField::Cpu) => -f64::from((room.free_cpu + cpu).0),
                    PlacementStrategy::Binpack(BinpackField::Memory) => -f64::from((room.free_mem + memory).0),
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
    key.values[key.len] = view.victim(oldest).serial as f64;
    key
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
    /// Groups a service's scale-in candidates; under the random strategy
    /// (`random`) each is a group of its own.
    pub fn new(view: &impl VictimView, candidates: &[TaskId], random: bool) -> VictimPool {
        let group_key = |t: TaskId| {
            let task = view.victim(t);
            VictimGroupKey {
                stage: view.victim_stage(t),
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
            candidates.iter().map(|&t| (group_key(t).packed(), !view.victim(t).serial, t)).collect();
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
            let zone = key.instance.map_or(key.zone, |i| Some(view.instance(i).zone));
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

    /// Whether keys are drawn at random (the service's strategies include random).
    pub fn is_random(&self) -> bool {
        self.random
    }

    /// Victims taken so far.
    pub fn picks(&self) -> u64 {
        self.picks
    }

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

/// A service's staying tasks per zone and per instance, for choosing scale-in
/// victims one after another (instances kept sparse: only those the service uses).
pub struct SpreadTally {
    pub zones: Vec<u32>,
    /// (instance, tasks of the service on it), sorted by instance.
    instances: Vec<(InstanceId, u32)>,
}

impl SpreadTally {
    pub fn of(view: &impl VictimView, tasks: &[TaskId]) -> SpreadTally {
        let mut zones = vec![0; view.zone_count()];
        let mut on: Vec<InstanceId> = Vec::with_capacity(tasks.len());
        for &t in tasks {
            let task = view.victim(t);
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

    /// Takes a victim out of the tallies.
    pub fn remove(&mut self, view: &impl VictimView, t: TaskId) {
        let task = view.victim(t);
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Hand-built tasks of one service on one provider: task `k` is `tasks[k]`,
    /// instance `k` is `instances[k]` (zone, free CPU).
    struct Service {
        tasks: Vec<(Victim, u8)>,
        instances: Vec<(usize, u32)>,
    }

    impl Service {
        /// Adds a task on instance `i` (`None`: waiting for capacity), healthy if placed.
        fn add(&mut self, i: Option<u32>) -> TaskId {
            let instance = i.map(InstanceId);
            let zone = instance.map(|i| ZoneId::from_idx(self.instances[i.idx()].0));
            let serial = self.tasks.len() as u64;
            let v = Victim { provider: ProviderId(0), task_def: TaskDefId(0), instance, zone, serial };
            self.tasks.push((v, if i.is_some() { 3 } else { 0 }));
            TaskId(serial as u32, 0)
        }
    }

    impl VictimView for Service {
        fn zone_count(&self) -> usize {
            3
        }
        fn victim(&self, t: TaskId) -> Victim {
            self.tasks[t.idx()].0
        }
        fn victim_stage(&self, t: TaskId) -> u8 {
            self.tasks[t.idx()].1
        }
        fn instance(&self, i: InstanceId) -> Room {
            let (zone, cpu) = self.instances[i.idx()];
            Room { zone: ZoneId::from_idx(zone), free_cpu: CpuUnits(cpu), free_mem: MemMib(4096) }
        }
        fn task_size(&self, _: TaskDefId) -> (CpuUnits, MemMib) {
            (CpuUnits(512), MemMib(1024))
        }
    }

    /// The first `n` victims of a scale-in of every task, as the scheduler takes them.
    fn victims(service: &Service, placement: &[PlacementStrategy], n: usize) -> Vec<TaskId> {
        let candidates: Vec<TaskId> = (0..service.tasks.len() as u32).map(|k| TaskId(k, 0)).collect();
        let strategy = [StrategyItem { provider: ProviderId(0), base: 0, weight: 1 }];
        let by_item = [candidates.len() as u32];
        let rules = ScaleIn { strategy: &strategy, by_item: &by_item, placement };
        let mut pool = VictimPool::new(service, &candidates, false);
        let mut spread = SpreadTally::of(service, &candidates);
        let mut out = Vec::new();
        for _ in 0..n {
            let v = pick_victim(service, &rules, &mut pool, &spread, None).expect("a victim");
            spread.remove(service, v);
            out.push(v);
        }
        out
    }

    #[test]
    fn spread_stops_where_the_service_is_most_concentrated() {
        // Zones a, b, c; i1 and i2 in b. Tasks (oldest first): t0 on i0 (a), t1 t2 on i1,
        // t3 on i2 (b), t4 t5 on i3 (c): 1 / 3 / 2 per zone.
        let mut svc = Service { tasks: Vec::new(), instances: vec![(0, 0), (1, 0), (1, 0), (2, 0)] };
        let t: Vec<TaskId> = [0, 1, 1, 2, 3, 3].into_iter().map(|i| svc.add(Some(i))).collect();
        let placement =
            [PlacementStrategy::Spread(SpreadField::Zone), PlacementStrategy::Spread(SpreadField::InstanceId)];
        // 1. Zone b has the most (3); in it i1 has the most (2); its oldest: t1.
        // 2. Zones b and c tie at 2; by instance, i3 holds 2 and i1, i2 one each: t4.
        // 3. Zone b alone has 2; i1 and i2 tie at 1; the older of t2 and t3: t2.
        // That leaves one task per zone (t0, t3, t5). The oldest first would stop t0.
        assert_eq!(victims(&svc, &placement, 3), vec![t[1], t[4], t[2]]);
    }

    #[test]
    fn binpack_stops_where_the_stop_frees_the_most() {
        // 512-unit tasks; free CPU i0 1024, i1 3072, i2 512. After a stop, i0 would have
        // 1536 free, i1 3584, i2 1024: binpack (cpu) stops on i1, its oldest task t2.
        // The oldest task overall (t0) and the fullest instance's (t1 on i2) stay.
        let mut svc = Service { tasks: Vec::new(), instances: vec![(0, 1024), (1, 3072), (2, 512)] };
        let t: Vec<TaskId> = [0, 2, 1, 1].into_iter().map(|i| svc.add(Some(i))).collect();
        let placement = [PlacementStrategy::Binpack(BinpackField::Cpu)];
        assert_eq!(victims(&svc, &placement, 1), vec![t[2]]);
        // A task still waiting for capacity goes before any running one, whatever the strategy.
        let waiting = svc.add(None);
        assert_eq!(victims(&svc, &placement, 2), vec![waiting, t[2]]);
    }

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
