//! PHOLD on ecsim's own event queue, driven the way ecsim's model drives it:
//! `pop_until` in a loop, one handler per event, `schedule_at_or_now` for the
//! next one.

use super::phold::{Case, PholdDraws};
use ecsim::engine::{EventQueue, SimDuration, SimTime};

/// A PHOLD run in progress. The queue's payload is the LP the event is for.
pub struct EcsimPhold {
    queue: EventQueue<u32>,
    draws: PholdDraws,
    /// Per-LP state: events processed, so each handler touches its LP as in PHOLD.
    processed_per_lp: Vec<u64>,
}

impl EcsimPhold {
    /// Fills the queue with the initial population, `per_lp` events for every LP.
    pub fn new(case: Case) -> Self {
        let capacity = usize::try_from(case.population()).unwrap_or(usize::MAX);
        let mut phold = EcsimPhold {
            queue: EventQueue::with_capacity(capacity),
            draws: PholdDraws::new(case.lps),
            processed_per_lp: vec![0; case.lps as usize],
        };
        for lp in 0..case.lps {
            for _ in 0..case.per_lp {
                let at = SimTime::ZERO + SimDuration::from_millis(phold.draws.delay_ms());
                phold.queue.schedule_at_or_now(at, lp);
            }
        }
        phold
    }

    /// Processes exactly `events` events (the population never runs dry) and
    /// returns the clock afterwards, which pins down the whole sequence.
    pub fn run(&mut self, events: u64) -> SimTime {
        let mut remaining = events;
        while remaining > 0
            && let Some((now, lp)) = self.queue.pop_until(SimTime::MAX)
        {
            self.handle(now, lp);
            remaining -= 1;
        }
        self.queue.now()
    }

    #[inline]
    fn handle(&mut self, now: SimTime, lp: u32) {
        self.processed_per_lp[lp as usize] += 1;
        let delay = SimDuration::from_millis(self.draws.delay_ms());
        let destination = self.draws.destination();
        self.queue.schedule_at_or_now(now + delay, destination);
    }
}
