//! PHOLD parameters and random draws, shared by every Rust implementation so
//! that they process the very same event sequence.
//!
//! PHOLD: `lps` logical processes start with `per_lp` events each. Processing
//! an event at time `t` schedules exactly one new event at
//! `t + LOOKAHEAD_MS + Exp(MEAN_MS)` for a uniformly random LP, so the
//! population stays fixed and the run measures the event list alone.
//!
//! Time is integer milliseconds, as in ecsim. The mean (10^8 ms, about 28 h)
//! and lookahead (10^7 ms) are the textbook mean 1 / lookahead 0.1 at a
//! resolution fine enough that equal times are rare yet do happen: about one
//! event in 70 shares its millisecond with another when 1.6 M events are in
//! flight, one in 100,000 with 1,000 in flight (measured over a million
//! events). With a mean of 1,000 ms most events would be ties at the large
//! populations, and the benchmark would time the tie-breaker, not the heap.

use rand::rngs::Xoshiro256PlusPlus;
use rand::{Rng, SeedableRng};

/// Mean of the exponential part of each event's delay.
pub const MEAN_MS: f64 = 1e8;
/// Minimum delay between processing an event and the event it schedules.
pub const LOOKAHEAD_MS: u64 = 10_000_000;
/// Events timed per measurement in the Rust implementations.
pub const TIMED_EVENTS: u64 = 1_000_000;
/// The generator seed: every implementation and case starts from it.
pub const SEED: u64 = 9;

/// One benchmark configuration: how many LPs and how many events each starts with.
#[derive(Clone, Copy, Debug)]
pub struct Case {
    pub lps: u32,
    pub per_lp: u32,
}

/// The four configurations the comparison reports.
pub const CASES: [Case; 4] = [
    Case { lps: 1_000, per_lp: 1 },
    Case { lps: 1_000, per_lp: 16 },
    Case { lps: 100_000, per_lp: 1 },
    Case { lps: 100_000, per_lp: 16 },
];

impl Case {
    /// Events in flight at any moment.
    pub fn population(self) -> u64 {
        u64::from(self.lps) * u64::from(self.per_lp)
    }

    /// Untimed events processed after filling the queue: every initial event
    /// is replaced once, and small cases still run long enough to warm caches.
    pub fn warm_up_events(self) -> u64 {
        self.population().max(100_000)
    }
}

/// The random numbers one PHOLD run consumes, in processing order.
pub struct PholdDraws {
    rng: Xoshiro256PlusPlus,
    lps: u64,
}

impl PholdDraws {
    pub fn new(lps: u32) -> Self {
        PholdDraws { rng: Xoshiro256PlusPlus::seed_from_u64(SEED), lps: u64::from(lps) }
    }

    /// Lookahead plus an exponential draw (inverse transform), truncated to whole milliseconds.
    #[inline]
    pub fn delay_ms(&mut self) -> u64 {
        // 53 random bits give a uniform in [0, 1); one minus it is in (0, 1], safe for log.
        let uniform = (self.rng.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64);
        LOOKAHEAD_MS + (-MEAN_MS * libm::log(1.0 - uniform)) as u64
    }

    /// A uniformly random LP: the high word of a 64 × 64-bit product, whose
    /// bias (below lps / 2^64) is far under anything a run could detect.
    #[inline]
    pub fn destination(&mut self) -> u32 {
        ((u128::from(self.rng.next_u64()) * u128::from(self.lps)) >> 64) as u32
    }
}
