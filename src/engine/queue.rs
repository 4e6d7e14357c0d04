//! The future event list: a four-way heap keyed by (time, insertion sequence).
//!
//! Ties at the same instant pop in the order they were scheduled, so a run
//! never depends on heap internals. Scheduling in the past is an error value,
//! not a panic.
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

/// An event scheduled before the current time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("cannot schedule an event at {at} s: the clock is already at {now} s")]
pub struct ScheduleInPast {
    pub at: SimTime,
    pub now: SimTime,
}

/// Children per node. A four-way heap is half as deep as a binary one, so a
/// pop from a queue of tens of thousands of events (the large scenario's)
/// touches half as many cache lines, for a few more compares within each.
const ARITY: usize = 4;

#[derive(Clone, Copy)]
struct Entry<E> {
    /// Time in milliseconds in the high half, insertion sequence in the low:
    /// unique, so any correct heap pops the entries in the same order.
    key: u128,
    event: E,
}

impl<E: Copy> Entry<E> {
    fn time(&self) -> SimTime {
        SimTime::from_millis((self.key >> 64) as u64)
    }
}

/// Events of type `E` ordered by time, FIFO among equal times. Events are
/// small `Copy` values (ids), moved by copy as they sift.
pub struct EventQueue<E> {
    /// A min-heap of `ARITY` children per node: children of `i` are `ARITY * i + 1 ..= ARITY * i + ARITY`.
    heap: Vec<Entry<E>>,
    next_seq: u64,
    now: SimTime,
}

impl<E: Copy> Default for EventQueue<E> {
    fn default() -> Self {
        Self::new()
    }
}

impl<E: Copy> EventQueue<E> {
    pub fn new() -> Self {
        Self::with_capacity(0)
    }

    pub fn with_capacity(capacity: usize) -> Self {
        EventQueue { heap: Vec::with_capacity(capacity), next_seq: 0, now: SimTime::ZERO }
    }

    /// The time of the last event popped (the simulation clock).
    pub fn now(&self) -> SimTime {
        self.now
    }

    pub fn len(&self) -> usize {
        self.heap.len()
    }

    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
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
        self.heap.first().map(Entry::time)
    }

    /// Removes the earliest event and advances the clock to its time.
    pub fn pop(&mut self) -> Option<(SimTime, E)> {
        let entry = self.pop_min()?;
        self.now = entry.time();
        Some((self.now, entry.event))
    }

    /// Pops the earliest event only if it is not later than `limit`.
    pub fn pop_until(&mut self, limit: SimTime) -> Option<(SimTime, E)> {
        if self.peek_time()? > limit {
            return None;
        }
        self.pop()
    }

    fn push(&mut self, time: SimTime, event: E) {
        let entry = Entry { key: u128::from(time.as_millis()) << 64 | u128::from(self.next_seq), event };
        self.next_seq += 1;
        // Sift up through a hole: parents move down, the entry is written once.
        let mut i = self.heap.len();
        self.heap.push(entry);
        while i > 0 {
            let parent = (i - 1) / ARITY;
            if self.heap[parent].key < entry.key {
                break;
            }
            self.heap[i] = self.heap[parent];
            i = parent;
        }
        self.heap[i] = entry;
    }

    fn pop_min(&mut self) -> Option<Entry<E>> {
        let last = self.heap.pop()?;
        let Some(&min) = self.heap.first() else { return Some(last) };
        // Sift the last entry down from the root through a hole: the least child moves up.
        let n = self.heap.len();
        let mut i = 0;
        loop {
            let first = ARITY * i + 1;
            if first >= n {
                break;
            }
            let (mut least, mut least_key) = (first, self.heap[first].key);
            for c in first + 1..(first + ARITY).min(n) {
                if self.heap[c].key < least_key {
                    (least, least_key) = (c, self.heap[c].key);
                }
            }
            if last.key < least_key {
                break;
            }
            self.heap[i] = self.heap[least];
            i = least;
        }
        self.heap[i] = last;
        Some(min)
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

    /// Pushes and pops interleaved over thousands of entries (heaps five and
    /// six levels deep) pop exactly what an ordered map of (time, sequence) pops.
    #[test]
    fn interleaved_pushes_and_pops_follow_time_then_sequence() {
        let mut q = EventQueue::new();
        let mut reference = std::collections::BTreeMap::new();
        let mut seq = 0u64;
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        let mut draw = |bound: u64| {
            state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            (state >> 33) % bound
        };
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
