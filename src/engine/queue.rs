//! The future event list: a binary heap keyed by (time, insertion sequence),
//! beside a first-in first-out lane for the events scheduled at the clock's
//! own instant.
//!
//! Ties at the same instant pop in the order they were scheduled, so a run
//! never depends on heap internals. Scheduling in the past is an error value,
//! not a panic.
//!
//! Why the lane: a simulation schedules many events for "right now" (the
//! ECS model's scheduler runs and placement retries, about a third of its
//! events). In the heap each would sift up to the root and back down, a
//! walk of the whole depth that grows with the queue, and so with the
//! cluster. Their sequence numbers only grow, so they are already in order:
//! the lane is a queue, and a pop takes the earlier of its front and the
//! heap's top by the same (time, sequence) key, so the order is exactly the
//! heap's alone.
//!
//! ```
//! use ecsim::engine::{EventQueue, SimTime};
//! let mut q = EventQueue::new();
//! q.schedule(SimTime::from_secs(5), "b").unwrap();
//! q.schedule(SimTime::from_secs(1), "a").unwrap();
//! q.schedule(SimTime::from_secs(5), "c").unwrap();
//! let order: Vec<_> = std::iter::from_fn(|| q.pop()).map(|(_, e)| e).collect();
//! assert_eq!(order, ["a", "b", "c"]);
//! ```

use super::time::SimTime;
use std::cmp::Ordering;
use std::collections::{BinaryHeap, VecDeque};

/// An event scheduled before the current time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("cannot schedule an event at {at} s: the clock is already at {now} s")]
pub struct ScheduleInPast {
    pub at: SimTime,
    pub now: SimTime,
}

struct Entry<E> {
    time: SimTime,
    seq: u64,
    event: E,
}

impl<E> PartialEq for Entry<E> {
    fn eq(&self, other: &Self) -> bool {
        self.time == other.time && self.seq == other.seq
    }
}
impl<E> Eq for Entry<E> {}
impl<E> PartialOrd for Entry<E> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl<E> Ord for Entry<E> {
    /// Reversed so that `BinaryHeap` (a max-heap) pops the earliest entry.
    /// One packed 128-bit key compare is measurably cheaper than a two-field
    /// compare in the hot loop (PHOLD bench) and orders exactly the same.
    fn cmp(&self, other: &Self) -> Ordering {
        let key = |e: &Self| (u128::from(e.time.as_millis()) << 64) | u128::from(e.seq);
        key(other).cmp(&key(self))
    }
}

/// Events of type `E` ordered by time, FIFO among equal times.
pub struct EventQueue<E> {
    heap: BinaryHeap<Entry<E>>,
    /// Events scheduled at `now` once the clock was there, as (sequence, event) in
    /// scheduling order. Empty whenever the clock moves on (they are all at `now`).
    lane: VecDeque<(u64, E)>,
    next_seq: u64,
    now: SimTime,
}

impl<E> Default for EventQueue<E> {
    fn default() -> Self {
        Self::new()
    }
}

impl<E> EventQueue<E> {
    pub fn new() -> Self {
        Self::with_capacity(0)
    }

    pub fn with_capacity(capacity: usize) -> Self {
        EventQueue { heap: BinaryHeap::with_capacity(capacity), lane: VecDeque::new(), next_seq: 0, now: SimTime::ZERO }
    }

    /// The time of the last event popped (the simulation clock).
    pub fn now(&self) -> SimTime {
        self.now
    }

    pub fn len(&self) -> usize {
        self.heap.len() + self.lane.len()
    }

    pub fn is_empty(&self) -> bool {
        self.heap.is_empty() && self.lane.is_empty()
    }

    /// Files an entry at `time` (not before `now`): in the lane when at `now`.
    fn push(&mut self, time: SimTime, event: E) {
        let seq = self.next_seq;
        self.next_seq += 1;
        if time == self.now {
            self.lane.push_back((seq, event));
        } else {
            self.heap.push(Entry { time, seq, event });
        }
    }

    /// Schedules `event` at `time`, which must not be before `now()`.
    pub fn schedule(&mut self, time: SimTime, event: E) -> Result<(), ScheduleInPast> {
        if time < self.now {
            return Err(ScheduleInPast { at: time, now: self.now });
        }
        self.push(time, event);
        Ok(())
    }

    /// Schedules at `max(time, now)`: for model code where "as soon as possible"
    /// is the right reading of an instant that has already passed.
    pub fn schedule_at_or_now(&mut self, time: SimTime, event: E) {
        self.push(time.max(self.now), event);
    }

    /// Time of the next event without removing it.
    pub fn peek_time(&self) -> Option<SimTime> {
        // Nothing in the heap is earlier than `now`, where the lane is.
        if self.lane.is_empty() { self.heap.peek().map(|e| e.time) } else { Some(self.now) }
    }

    /// Removes the earliest event and advances the clock to its time.
    pub fn pop(&mut self) -> Option<(SimTime, E)> {
        if let Some(&(lane_seq, _)) = self.lane.front() {
            // The lane's front is (now, lane_seq); the heap's top comes first only when it is
            // at `now` too (it cannot be earlier) with an earlier sequence.
            let heap_first = self.heap.peek().is_some_and(|e| e.time == self.now && e.seq < lane_seq);
            if !heap_first {
                let (_, event) = self.lane.pop_front()?;
                return Some((self.now, event));
            }
        }
        let entry = self.heap.pop()?;
        self.now = entry.time;
        Some((entry.time, entry.event))
    }

    /// Pops the earliest event only if it is not later than `limit`.
    pub fn pop_until(&mut self, limit: SimTime) -> Option<(SimTime, E)> {
        if self.peek_time()? > limit {
            return None;
        }
        self.pop()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_times_pop_in_insertion_order() {
        let mut q = EventQueue::new();
        for i in 0..100u32 {
            q.schedule(SimTime::from_secs(u64::from(i % 3)), i).unwrap();
        }
        let popped: Vec<(SimTime, u32)> = std::iter::from_fn(|| q.pop()).collect();
        for w in popped.windows(2) {
            assert!(w[0].0 < w[1].0 || (w[0].0 == w[1].0 && w[0].1 < w[1].1));
        }
    }

    /// A small deterministic generator: each call draws below `bound`.
    fn draws(seed: u64) -> impl FnMut(u64) -> u64 {
        let mut state = seed;
        move |bound| {
            state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            (state >> 33) % bound
        }
    }

    /// Pushes and pops interleaved over thousands of entries (heaps a dozen
    /// levels deep) pop exactly what an ordered map of (time, sequence) pops.
    #[test]
    fn interleaved_pushes_and_pops_follow_time_then_sequence() {
        let mut q = EventQueue::new();
        let mut reference = std::collections::BTreeMap::new();
        let mut seq = 0u64;
        let mut draw = draws(0x9E37_79B9_7F4A_7C15u64);
        for round in 0..20_000u64 {
            let now = q.now().as_millis();
            for _ in 0..draw(3) {
                let at = now + draw(50);
                q.schedule(SimTime::from_millis(at), seq).unwrap();
                reference.insert((at, seq), seq);
                seq += 1;
            }
            if round % 7 != 0 {
                let want = reference.pop_first().map(|((at, _), e)| (SimTime::from_millis(at), e));
                assert_eq!(q.pop(), want);
            }
        }
        assert!(q.len() > 1_000, "the heap stayed shallow: {}", q.len());
        while let Some(want) = reference.pop_first() {
            assert_eq!(q.pop(), Some((SimTime::from_millis(want.0.0), want.1)));
        }
        assert!(q.is_empty());
    }

    /// Events at the clock's instant (the lane) mixed with earlier-scheduled events at
    /// the same instant and later ones pop exactly as an ordered map of (time, sequence)
    /// pops them, through `schedule`, `schedule_at_or_now` (clamped to now), `peek_time`
    /// and `pop_until`.
    #[test]
    fn events_at_the_current_instant_keep_time_then_sequence_order() {
        let mut q = EventQueue::new();
        let mut reference = std::collections::BTreeMap::new();
        let mut seq = 0u64;
        let mut draw = draws(0x2545_F491_4F6C_DD1Du64);
        let mut from_lane = 0;
        for round in 0..50_000u64 {
            let now = q.now().as_millis();
            for _ in 0..draw(4) {
                // Half at the current instant, some asked for in the past (clamped to now,
                // so in the lane too), the rest a little later, with many ties.
                let kind = draw(6);
                let asked = match kind {
                    0..=2 => now,
                    3 => now.saturating_sub(1 + draw(5)),
                    _ => now + draw(20),
                };
                let at = asked.max(now);
                if kind == 3 || draw(2) == 0 {
                    q.schedule_at_or_now(SimTime::from_millis(asked), seq);
                } else {
                    q.schedule(SimTime::from_millis(asked), seq).unwrap();
                }
                from_lane += u64::from(at == now);
                reference.insert((at, seq), seq);
                seq += 1;
            }
            assert_eq!(q.len(), reference.len());
            let first = reference.first_key_value().map(|(k, _)| SimTime::from_millis(k.0));
            assert_eq!(q.peek_time(), first);
            if round % 5 != 0 {
                let limit = SimTime::from_millis(now + draw(3));
                let want = match reference.first_key_value() {
                    Some((&(at, _), _)) if at <= limit.as_millis() => reference.pop_first(),
                    _ => None,
                };
                assert_eq!(q.pop_until(limit), want.map(|((at, _), e)| (SimTime::from_millis(at), e)));
            }
        }
        assert!(from_lane > 10_000 && q.len() > 100, "lane {from_lane}, queued {}", q.len());
        while let Some(want) = reference.pop_first() {
            assert_eq!(q.pop(), Some((SimTime::from_millis(want.0.0), want.1)));
        }
        assert!(q.is_empty());
        assert_eq!(q.pop(), None);
    }

    #[test]
    fn scheduling_in_the_past_is_an_error() {
        let mut q = EventQueue::new();
        q.schedule(SimTime::from_secs(10), ()).unwrap();
        q.pop();
        let err = q.schedule(SimTime::from_secs(9), ()).unwrap_err();
        assert_eq!(err.to_string(), "cannot schedule an event at 9.000 s: the clock is already at 10.000 s");
        q.schedule_at_or_now(SimTime::from_secs(1), ());
        assert_eq!(q.pop().unwrap().0, SimTime::from_secs(10));
    }

    #[test]
    fn pop_until_respects_the_limit() {
        let mut q = EventQueue::new();
        q.schedule(SimTime::from_secs(3), 'a').unwrap();
        q.schedule(SimTime::from_secs(7), 'b').unwrap();
        assert_eq!(q.pop_until(SimTime::from_secs(5)), Some((SimTime::from_secs(3), 'a')));
        assert_eq!(q.pop_until(SimTime::from_secs(5)), None);
        assert_eq!(q.len(), 1);
    }
}
