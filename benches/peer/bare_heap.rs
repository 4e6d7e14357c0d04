//! PHOLD on a bare `std::collections::BinaryHeap` with no engine around it:
//! the speed limit of a sequential heap-based event loop, against which
//! ecsim's queue is judged.
//!
//! Entries carry an insertion sequence number, as ecsim's do, so equal times
//! pop first-in first-out and the run processes exactly the event sequence
//! ecsim processes (the printed clocks match).

#[path = "phold.rs"]
mod phold;
#[path = "timing.rs"]
mod timing;

use phold::{Case, PholdDraws};
use std::cmp::Reverse;
use std::collections::BinaryHeap;
use timing::{Phold, Plan};

/// (time in ms, insertion sequence, LP the event is for), smallest first.
type Entry = Reverse<(u64, u64, u32)>;

struct BareHeapPhold {
    heap: BinaryHeap<Entry>,
    next_seq: u64,
    draws: PholdDraws,
    processed_per_lp: Vec<u64>,
    clock_ms: u64,
}

impl BareHeapPhold {
    fn new(case: Case) -> Self {
        let capacity = usize::try_from(case.population()).unwrap_or(usize::MAX);
        let mut phold = BareHeapPhold {
            heap: BinaryHeap::with_capacity(capacity),
            next_seq: 0,
            draws: PholdDraws::new(case.lps),
            processed_per_lp: vec![0; case.lps as usize],
            clock_ms: 0,
        };
        for lp in 0..case.lps {
            for _ in 0..case.per_lp {
                let at = phold.draws.delay_ms();
                phold.push(at, lp);
            }
        }
        phold
    }

    #[inline]
    fn push(&mut self, at_ms: u64, lp: u32) {
        self.heap.push(Reverse((at_ms, self.next_seq, lp)));
        self.next_seq += 1;
    }
}

impl Phold for BareHeapPhold {
    fn process(&mut self, events: u64) -> u64 {
        for _ in 0..events {
            let Some(Reverse((now_ms, _, lp))) = self.heap.pop() else { break };
            self.clock_ms = now_ms;
            self.processed_per_lp[lp as usize] += 1;
            let at = now_ms + self.draws.delay_ms();
            let destination = self.draws.destination();
            self.push(at, destination);
        }
        self.clock_ms
    }
}

fn main() {
    let plan = Plan::from_args();
    for &case in &plan.cases {
        timing::measure("bare_heap", case, &plan, &mut BareHeapPhold::new(case));
    }
}
