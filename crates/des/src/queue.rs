//! The event queue: events ordered by `(time, seq)`, FIFO among events at the same instant,
//! and cancellable by the key that `schedule` returns.
//!
//! Ordering contract: `pop` returns events in increasing `time`; among events scheduled for
//! the same time, in the order they were scheduled (`seq` is a counter that never repeats).
//! No event may be scheduled before the time of the last popped event.
//!
//! Cancellation is what the `priority-queue` crate buys us: a task that stops early takes its
//! pending "runtime ends" event out of the queue instead of leaving a stale entry behind, so
//! every popped event is one that really happens.

use std::cmp::Reverse;
use std::hash::{BuildHasherDefault, Hasher};

use priority_queue::PriorityQueue;

use crate::time::SimTime;

/// The handle of a scheduled event, used to cancel it. Keys are never reused.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub struct EventKey(u64);

pub struct Queue<E> {
    /// Keyed by `seq` (an `Entry` hashes and compares as its `seq`), prioritised by
    /// `(time, seq)`. Never iterated: only pushed, popped and removed by key.
    heap: PriorityQueue<Entry<E>, Reverse<(SimTime, u64)>, BuildHasherDefault<SeqHasher>>,
    seq_next: u64,
    now: SimTime,
}

/// A queued event. Identity is `seq` alone, so `cancel` can find it from its key.
struct Entry<E> {
    seq: u64,
    event: E,
}

impl<E> PartialEq for Entry<E> {
    fn eq(&self, other: &Self) -> bool {
        self.seq == other.seq
    }
}

impl<E> Eq for Entry<E> {}

impl<E> std::hash::Hash for Entry<E> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.seq.hash(state);
    }
}

impl<E> std::borrow::Borrow<u64> for Entry<E> {
    fn borrow(&self) -> &u64 {
        &self.seq
    }
}

impl<E> Default for Queue<E> {
    fn default() -> Self {
        Queue {
            heap: PriorityQueue::with_default_hasher(),
            seq_next: 0,
            now: SimTime::ZERO,
        }
    }
}

impl<E> Queue<E> {
    pub fn new() -> Queue<E> {
        Queue::default()
    }

    /// The time of the last popped event (zero before the first).
    pub fn now(&self) -> SimTime {
        self.now
    }

    /// Number of events waiting.
    pub fn len(&self) -> usize {
        self.heap.len()
    }

    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }

    /// The next sequence number: how many events have ever been scheduled.
    pub fn scheduled_total(&self) -> u64 {
        self.seq_next
    }

    /// Schedules `event` at `at`. Panics if `at` is in the past: that is a bug in the caller.
    pub fn schedule(&mut self, at: SimTime, event: E) -> EventKey {
        assert!(
            self.now <= at,
            "event scheduled in the past: at {at}, now {}",
            self.now
        );
        let seq = self.seq_next;
        self.seq_next += 1;
        self.heap.push(Entry { seq, event }, Reverse((at, seq)));
        EventKey(seq)
    }

    /// Removes a scheduled event; `None` if it was already popped or cancelled.
    pub fn cancel(&mut self, key: EventKey) -> Option<E> {
        self.heap.remove(&key.0).map(|(entry, _)| entry.event)
    }

    /// The time of the next event, without removing it.
    pub fn peek_time(&self) -> Option<SimTime> {
        self.heap.peek().map(|(_, Reverse((at, _)))| *at)
    }

    /// Removes the next event and advances `now` to its time. Returns `(time, seq, event)`.
    pub fn pop(&mut self) -> Option<(SimTime, u64, E)> {
        let (entry, Reverse((at, seq))) = self.heap.pop()?;
        debug_assert!(self.now <= at, "time went back");
        self.now = at;
        Some((at, seq, entry.event))
    }
}

/// A hasher for sequence numbers: they are distinct integers already, so a multiplicative
/// mix is enough, and unlike `RandomState` it is the same in every process.
#[derive(Default)]
pub struct SeqHasher(u64);

impl Hasher for SeqHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(b)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = (n ^ (n >> 29)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

#[cfg(test)]
mod tests {
    use super::Queue;
    use crate::time::SimTime;

    #[track_caller]
    fn check(schedule: &[(u64, &str)], expect: &str) {
        let mut queue = Queue::new();
        for &(at, name) in schedule {
            queue.schedule(SimTime(at), name);
        }
        let mut order = Vec::new();
        while let Some((_, _, name)) = queue.pop() {
            order.push(name);
        }
        assert_eq!(order.join(" "), expect);
    }

    #[test]
    fn orders_by_time_then_fifo_within_a_tick() {
        check(&[(5, "a"), (5, "b"), (3, "c")], "c a b");
        check(&[(1, "x"), (0, "y"), (1, "z"), (0, "w")], "y w x z");
    }

    #[test]
    fn cancelled_events_never_pop() {
        let mut queue = Queue::new();
        let a = queue.schedule(SimTime(1), "a");
        queue.schedule(SimTime(2), "b");
        assert_eq!(queue.cancel(a), Some("a"));
        assert_eq!(queue.cancel(a), None);
        assert_eq!(queue.pop().map(|(t, _, e)| (t, e)), Some((SimTime(2), "b")));
        assert!(queue.pop().is_none());
    }

    #[test]
    fn seq_numbers_are_unique_and_increasing() {
        let mut queue = Queue::new();
        for at in [4, 4, 1, 9] {
            queue.schedule(SimTime(at), ());
        }
        let seqs: Vec<u64> = std::iter::from_fn(|| queue.pop().map(|(_, s, _)| s)).collect();
        assert_eq!(seqs, vec![2, 0, 1, 3]);
    }

    #[test]
    fn scheduling_in_the_past_is_refused() {
        let result = std::panic::catch_unwind(|| {
            let mut queue = Queue::new();
            queue.schedule(SimTime(10), ());
            queue.pop();
            queue.schedule(SimTime(9), ());
        });
        assert!(result.is_err());
    }
}
