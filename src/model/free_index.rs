//! Each provider's instances that take tasks, per zone, ordered by free CPU
//! and by free memory. Binpack wants the fullest instance the task still
//! fits on: a walk upward from the task's size, not a scan of the fleet.
//!
//! Kept in step by [`Simulation::track_instance`](super::Simulation::track_instance),
//! like the fleet totals.

use std::collections::BTreeSet;
use std::collections::btree_set::Range;

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
    by_cpu: BTreeSet<(u32, InstanceId)>,
    by_mem: BTreeSet<(u32, InstanceId)>,
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
        if let Some(s) = before {
            let z = &mut self.zones[s.zone.idx()];
            z.by_cpu.remove(&(s.free_cpu, i));
            z.by_mem.remove(&(s.free_mem, i));
        }
        if let Some(s) = after {
            let z = &mut self.zones[s.zone.idx()];
            z.by_cpu.insert((s.free_cpu, i));
            z.by_mem.insert((s.free_mem, i));
        }
    }

    /// The zone's instances with at least `need` free of `field`, least free first
    /// (ties by instance id).
    pub fn from_least_free(&self, zone: ZoneId, field: BinpackField, need: u32) -> Range<'_, (u32, InstanceId)> {
        let z = &self.zones[zone.idx()];
        let set = match field {
            BinpackField::Cpu => &z.by_cpu,
            BinpackField::Memory => &z.by_mem,
        };
        set.range((need, InstanceId(0))..)
    }

    /// Instances indexed (for the invariant check).
    pub fn indexed(&self) -> usize {
        self.zones.iter().map(|z| z.by_cpu.len()).sum()
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
            ix.from_least_free(ZoneId::from_idx(0), field, need).map(|e| e.1.0).collect()
        };
        assert_eq!(walk(&ix, BinpackField::Cpu, 600), vec![3, 1]);
        assert_eq!(walk(&ix, BinpackField::Memory, 1000), vec![3, 1, 2]);
        // Instance 1 takes a task: it becomes the fullest that fits 512 units.
        ix.update(InstanceId(1), slot(0, 2048, 4000), slot(0, 512, 3000));
        assert_eq!(walk(&ix, BinpackField::Cpu, 512), vec![1, 2, 3]);
        // Instance 2 stops taking tasks.
        ix.update(InstanceId(2), slot(0, 512, 8000), None);
        assert_eq!(walk(&ix, BinpackField::Cpu, 0), vec![1, 3]);
        assert_eq!(ix.indexed(), 3);
    }
}
