//! Task placement on EC2 container instances and the choice of scale-in
//! victims, in ECS's order (docs/aws-facts.md §5). One concept per file:
//!
//! - `split`: which capacity provider a task uses (the strategy's base, then
//!   weights) and which gives up a task on scale-in;
//! - `choice`: which instance takes a task (checks, constraints, strategies);
//! - `victims`: which task a scale-in stops;
//! - `failure`: why a task could not be placed;
//! - `reservation`: what a placed task holds on its instance and in its
//!   group's zone tallies;
//! - `views`: the simulation as the policies see it.
//!
//! The policies are pure functions over read-only views, as the scaling
//! policies are; this file holds the simulation's entry points: place a
//! task, retry the waiting ones, log why one could not be placed.

mod choice;
mod failure;
mod reservation;
mod split;
mod victims;
mod views;

pub use failure::PlacementFailure;
pub use split::pick_provider;
pub use victims::{SpreadTally, VictimPool};

use super::Simulation;
use super::entities::{InstanceId, Owner, TaskId, TaskState};
use crate::rng::{Draws, Stream};
use crate::scenario::{PlacementStrategy, ProviderId};

/// The ECS API allows at most five placement strategy rules (validated at load).
const MAX_STRATEGIES: usize = 5;

impl<'s> Simulation<'s> {
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
    /// index when it can tell, by a scan of the provider's instances
    /// otherwise (see [`choice`]). Under `check_invariants` a scan checks
    /// every answer of the index.
    fn choose_instance(&mut self, t: TaskId) -> Result<InstanceId, PlacementFailure> {
        let owner = self.tasks[t.idx()].owner;
        let ask = self.ask(t);
        let view = self.candidates(t);
        let random = || ask.strategies.contains(&PlacementStrategy::Random).then(|| self.placement_draws(owner));
        let Some(indexed) = choice::indexed(&view, &ask) else {
            return choice::scan(&view, &ask, random());
        };
        if self.opts.check_invariants {
            let scanned = choice::scan(&view, &ask, random());
            if scanned != indexed && self.violation.is_none() {
                self.violation = Some(format!("task {t}: the index chose {indexed:?} but a scan {scanned:?}"));
            }
        }
        indexed
    }

    /// The random strategy's draws for the next placement of a group's task:
    /// a stream per group, keyed by the group's placements so far.
    fn placement_draws(&self, owner: Owner) -> Draws {
        let ordinal = match owner {
            Owner::Service(s) => self.services[s.idx()].placements,
            Owner::Batch(b, _) => self.batches[b.idx()].placements,
        };
        self.streams.draws(Stream::Placement, owner_key(owner), ordinal)
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
}

pub fn owner_name(sc: &crate::scenario::Scenario, owner: Owner) -> &str {
    match owner {
        Owner::Service(s) => &sc.services[s.idx()].name,
        Owner::Batch(b, _) => &sc.batch[b.idx()].name,
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
