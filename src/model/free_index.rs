//! Each provider's instances that take tasks, per zone: ordered by free CPU
//! and by free memory for binpack, which wants the fullest instance the task
//! still fits on (a walk upward from the task's size), and in id order under
//! a max tree for placements without binpack, which want the lowest id the
//! task fits on (a walk that skips subtrees of full instances). Neither scans
//! the fleet.
//!
//! Kept in step by [`Simulation::track_instance`](super::Simulation::track_instance),
//! like the fleet totals.

use super::entities::InstanceId;
use crate::scenario::{BinpackField, ZoneId};

/// Where an instance that takes tasks sits in the index.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Slot {
    pub zone: ZoneId,
    pub free_cpu: u32,
    pub free_mem: u32,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct ZoneSets {
    /// (free units, instance) in ascending order: sorted vectors, since a
    /// zone holds hundreds of instances, not millions, and walks dominate.
    by_cpu: Vec<(u32, InstanceId)>,
    by_mem: Vec<(u32, InstanceId)>,
    by_id: IdTree,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FreeIndex {
    zones: Vec<ZoneSets>,
}

impl FreeIndex {
    pub fn new(zones: usize) -> FreeIndex {
        FreeIndex { zones: vec![ZoneSets::default(); zones] }
    }

    /// Moves instance `i` from `before` to `after` (`None`: not taking tasks).
    pub fn update(&mut self, i: InstanceId, before: Option<Slot>, after: Option<Slot>) {
        if before == after {
            return;
        }
        match (before, after) {
            (Some(b), Some(a)) if b.zone == a.zone => {
                let z = &mut self.zones[a.zone.idx()];
                move_entry(&mut z.by_cpu, (b.free_cpu, i), (a.free_cpu, i));
                move_entry(&mut z.by_mem, (b.free_mem, i), (a.free_mem, i));
                z.by_id.set(i, [a.free_cpu, a.free_mem]);
            }
            _ => {
                if let Some(s) = before {
                    let z = &mut self.zones[s.zone.idx()];
                    remove_entry(&mut z.by_cpu, (s.free_cpu, i));
                    remove_entry(&mut z.by_mem, (s.free_mem, i));
                    z.by_id.remove(i);
                }
                if let Some(s) = after {
                    let z = &mut self.zones[s.zone.idx()];
                    insert_entry(&mut z.by_cpu, (s.free_cpu, i));
                    insert_entry(&mut z.by_mem, (s.free_mem, i));
                    z.by_id.insert(i, [s.free_cpu, s.free_mem]);
                }
            }
        }
    }

    /// The zone's instances with at least `need` free of `field`, least free first
    /// (ties by instance id).
    pub fn from_least_free(&self, zone: ZoneId, field: BinpackField, need: u32) -> &[(u32, InstanceId)] {
        let z = &self.zones[zone.idx()];
        let set = match field {
            BinpackField::Cpu => &z.by_cpu,
            BinpackField::Memory => &z.by_mem,
        };
        &set[set.partition_point(|e| e.0 < need)..]
    }

    /// The zone's instances with at least `cpu` and `mem` free, lowest id first.
    pub fn fitting_by_id(&self, zone: ZoneId, cpu: u32, mem: u32) -> impl Iterator<Item = InstanceId> + '_ {
        let tree = &self.zones[zone.idx()].by_id;
        let mut from = 0;
        std::iter::from_fn(move || {
            let pos = tree.first_fit(from, [cpu, mem])?;
            from = pos + 1;
            Some(tree.ids[pos])
        })
    }

    /// Instances indexed (for the invariant check).
    pub fn indexed(&self) -> usize {
        self.zones.iter().map(|z| z.by_cpu.len()).sum()
    }
}

fn insert_entry(list: &mut Vec<(u32, InstanceId)>, e: (u32, InstanceId)) {
    let at = list.partition_point(|x| *x < e);
    list.insert(at, e);
}

fn remove_entry(list: &mut Vec<(u32, InstanceId)>, e: (u32, InstanceId)) {
    if let Ok(at) = list.binary_search(&e) {
        list.remove(at);
    }
}

/// Moves an entry to its new place, shifting only the entries between.
fn move_entry(list: &mut [(u32, InstanceId)], from: (u32, InstanceId), to: (u32, InstanceId)) {
    let Ok(old) = list.binary_search(&from) else { return };
    if to > from {
        let new = old + list[old + 1..].partition_point(|x| *x < to);
        list[old..=new].rotate_left(1);
        list[new] = to;
    } else {
        let new = list[..old].partition_point(|x| *x < to);
        list[new..=old].rotate_right(1);
        list[new] = to;
    }
}

/// A zone's indexed instances in id order, with the largest free CPU and
/// memory of each subtree: a subtree where either is too small holds no fit.
/// The tree is rebuilt when an instance enters or leaves (a few times in an
/// instance's life) and patched when its free resources change (every placement).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct IdTree {
    /// Ascending.
    ids: Vec<InstanceId>,
    /// Heap-ordered, root at 1, leaves from `ids.len().next_power_of_two()`;
    /// padding leaves hold `None`, which fits nothing.
    max: Vec<Option<[u32; 2]>>,
}

impl IdTree {
    fn leaves(&self) -> usize {
        self.max.len() / 2
    }

    fn insert(&mut self, i: InstanceId, free: [u32; 2]) {
        let at = self.ids.partition_point(|&x| x < i);
        let mut values = self.values();
        self.ids.insert(at, i);
        values.insert(at, Some(free));
        self.rebuild(&values);
    }

    fn remove(&mut self, i: InstanceId) {
        let Ok(at) = self.ids.binary_search(&i) else { return };
        let mut values = self.values();
        self.ids.remove(at);
        values.remove(at);
        self.rebuild(&values);
    }

    /// The leaves in id order.
    fn values(&self) -> Vec<Option<[u32; 2]>> {
        self.max[self.leaves()..][..self.ids.len()].to_vec()
    }

    /// Lays the tree out afresh: the same contents give the same tree, however reached.
    fn rebuild(&mut self, values: &[Option<[u32; 2]>]) {
        self.max.clear();
        if values.is_empty() {
            return;
        }
        let leaves = values.len().next_power_of_two();
        self.max.resize(2 * leaves, None);
        self.max[leaves..leaves + values.len()].copy_from_slice(values);
        for n in (1..leaves).rev() {
            self.max[n] = combine(self.max[2 * n], self.max[2 * n + 1]);
        }
    }

    fn set(&mut self, i: InstanceId, free: [u32; 2]) {
        let Ok(at) = self.ids.binary_search(&i) else { return };
        let mut n = self.leaves() + at;
        self.max[n] = Some(free);
        while n > 1 {
            n /= 2;
            self.max[n] = combine(self.max[2 * n], self.max[2 * n + 1]);
        }
    }

    /// The first position at or after `from` whose instance has at least `need`
    /// free. From `from`'s leaf, it moves right subtree by subtree and goes
    /// down (leftmost first) into any whose maxima allow a fit; the maxima
    /// may come from different instances, so a subtree can turn out to hold
    /// none, and the walk then moves right again. Walking every fit in order
    /// costs a few steps per instance, not a descent from the root each.
    fn first_fit(&self, from: usize, need: [u32; 2]) -> Option<usize> {
        if from >= self.ids.len() {
            return None;
        }
        let fits = |n: usize| self.max[n].is_some_and(|m| m[0] >= need[0] && m[1] >= need[1]);
        let leaves = self.leaves();
        let mut n = leaves + from;
        loop {
            if fits(n) {
                if n >= leaves {
                    return Some(n - leaves);
                }
                n *= 2;
                continue;
            }
            // Up while a right child (its right neighbours are its parent's), then across.
            while n & 1 == 1 {
                if n == 1 {
                    return None;
                }
                n /= 2;
            }
            n += 1;
        }
    }
}

fn combine(a: Option<[u32; 2]>, b: Option<[u32; 2]>) -> Option<[u32; 2]> {
    match (a, b) {
        (Some(a), Some(b)) => Some([a[0].max(b[0]), a[1].max(b[1])]),
        (a, None) => a,
        (None, b) => b,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slot(zone: usize, cpu: u32, mem: u32) -> Option<Slot> {
        Some(Slot { zone: ZoneId::from_idx(zone), free_cpu: cpu, free_mem: mem })
    }

    #[test]
    fn walks_from_the_task_size_upward_and_follows_moves() {
        let mut ix = FreeIndex::new(2);
        ix.update(InstanceId(1), None, slot(0, 2048, 4000));
        ix.update(InstanceId(2), None, slot(0, 512, 8000));
        ix.update(InstanceId(3), None, slot(0, 1024, 1000));
        ix.update(InstanceId(4), None, slot(1, 256, 256));
        let walk = |ix: &FreeIndex, field, need| -> Vec<u32> {
            ix.from_least_free(ZoneId::from_idx(0), field, need).iter().map(|e| e.1.0).collect()
        };
        assert_eq!(walk(&ix, BinpackField::Cpu, 600), vec![3, 1]);
        assert_eq!(walk(&ix, BinpackField::Memory, 1000), vec![3, 1, 2]);
        // Instance 1 takes a task: it becomes the fullest that fits 512 units.
        ix.update(InstanceId(1), slot(0, 2048, 4000), slot(0, 512, 3000));
        assert_eq!(walk(&ix, BinpackField::Cpu, 512), vec![1, 2, 3]);
        // Instance 1 frees it again: back above the others.
        ix.update(InstanceId(1), slot(0, 512, 3000), slot(0, 2048, 4000));
        assert_eq!(walk(&ix, BinpackField::Cpu, 0), vec![2, 3, 1]);
        // Instance 2 stops taking tasks.
        ix.update(InstanceId(2), slot(0, 512, 8000), None);
        assert_eq!(walk(&ix, BinpackField::Cpu, 0), vec![3, 1]);
        assert_eq!(ix.indexed(), 3);
    }

    #[test]
    fn walking_the_fits_matches_a_filter_of_every_instance() {
        // Zones of 1 to 40 instances with pseudo-random free resources and ids.
        let mut state = 12345u64;
        let mut next = |m: u64| {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            ((state >> 33) % m) as u32
        };
        for n in 1..=40 {
            let mut ix = FreeIndex::new(1);
            let mut all = Vec::new();
            for _ in 0..n {
                let (i, cpu, mem) = (next(1000), next(8) * 512, next(8) * 1024);
                if all.iter().any(|&(j, _, _)| j == i) {
                    continue;
                }
                ix.update(InstanceId(i), None, slot(0, cpu, mem));
                all.push((i, cpu, mem));
            }
            all.sort();
            for (cpu, mem) in [(0, 0), (512, 1024), (2048, 2048), (3584, 7168), (4096, 8192)] {
                let want: Vec<u32> = all.iter().filter(|e| e.1 >= cpu && e.2 >= mem).map(|e| e.0).collect();
                let got: Vec<u32> = ix.fitting_by_id(ZoneId::from_idx(0), cpu, mem).map(|i| i.0).collect();
                assert_eq!(got, want, "{n} instances, need {cpu}/{mem}");
            }
        }
    }

    #[test]
    fn finds_the_lowest_id_that_fits_both_resources() {
        let mut ix = FreeIndex::new(1);
        let z = ZoneId::from_idx(0);
        // Ids entered out of order; one has CPU but no memory, one memory but no CPU.
        for (i, cpu, mem) in [(7, 4096, 8192), (2, 4096, 100), (5, 100, 8192), (9, 1024, 1024), (3, 2048, 2048)] {
            ix.update(InstanceId(i), None, slot(0, cpu, mem));
        }
        let fits = |ix: &FreeIndex, cpu, mem| -> Vec<u32> { ix.fitting_by_id(z, cpu, mem).map(|i| i.0).collect() };
        assert_eq!(fits(&ix, 1024, 1024), vec![3, 7, 9]);
        assert_eq!(fits(&ix, 2048, 4096), vec![7]);
        assert_eq!(fits(&ix, 0, 0), vec![2, 3, 5, 7, 9]);
        assert_eq!(fits(&ix, 8192, 0), Vec::<u32>::new());
        // Instance 3 fills up; instance 7 leaves.
        ix.update(InstanceId(3), slot(0, 2048, 2048), slot(0, 0, 0));
        ix.update(InstanceId(7), slot(0, 4096, 8192), None);
        assert_eq!(fits(&ix, 1024, 1024), vec![9]);
        assert_eq!(fits(&ix, 0, 0), vec![2, 3, 5, 9]);
        // The same contents built in another order make an equal index.
        let mut again = FreeIndex::new(1);
        for (i, cpu, mem) in [(9, 1024, 1024), (5, 100, 8192), (3, 0, 0), (2, 4096, 100)] {
            again.update(InstanceId(i), None, slot(0, cpu, mem));
        }
        assert_eq!(again, ix);
    }
}
