//! The event queue: events ordered by `(time, seq)`, FIFO among events at the same instant,
//! and cancellable by the key that `schedule` returns.
//!
//! Ordering contract: `pop` returns events in increasing `time`; among events scheduled for
//! the same time, in the order they were scheduled (`seq` is a counter that never repeats).
//! No event may be scheduled before the time of the last popped event.
//!
//! The queue is a plain `std::collections::BinaryHeap` of small `(time, seq, event)` entries,
//! with lazy cancellation: `cancel` does not search the heap, it only marks the event's `seq`
//! as no longer pending, and the stale entry is dropped when it reaches the top (by `pop` or
//! `peek_time`). Every event that `pop` returns is one that really happens. Cancelling an
//! event that was already popped or cancelled is a no-op that returns false.
//!
//! Which seqs are pending is kept in a bitset over a window of seqs, from (about) the oldest
//! pending one to the newest scheduled, stored in a ring of words: one bit per event, set by
//! `schedule`, cleared by `pop` or `cancel`, so both tell a pending event from a popped or
//! cancelled one with a shift and a mask, no hashing. The window moves forward as its oldest
//! words empty. If a few events pending far in the future would stretch it beyond a few bits
//! per pending event, they are moved to a small hash set of stragglers, which stays empty
//! (and unallocated) in the usual case. Stale entries are purged from the heap in one pass
//! when they come to outnumber the live ones. So memory stays proportional to the peak
//! number of pending events, and once the heap and the ring have grown, neither `schedule`
//! nor `pop` allocates.
//!
//! One more trick makes the usual "pop an event, schedule its successor" cheaper than a bare
//! heap's pop and push: `pop` takes the event out of the top entry but leaves the entry (the
//! hole) in place, and a `schedule` right after overwrites it and sifts it down, one pass
//! through the heap instead of two. `pop` and `peek_time` remove the hole first when no
//! `schedule` came in between.

use std::cmp::Ordering;
use std::collections::binary_heap::PeekMut;
use std::collections::{BinaryHeap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

use crate::time::SimTime;

/// The handle of a scheduled event, used to cancel it. Keys are never reused.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub struct EventKey(u64);

pub struct Queue<E> {
    /// Live entries and cancelled ones not yet discarded; the greatest is the earliest.
    heap: BinaryHeap<Entry<E>>,
    /// Which seqs are pending (scheduled, neither popped nor cancelled); owns the counter.
    pending: Pending,
    /// How many entries in `heap` are cancelled ones.
    stale: usize,
    /// Whether the top of `heap` is the entry of the event popped last, its payload taken.
    /// `pop` leaves it there so that a `schedule` right after can overwrite it and sift it
    /// down: one pass through the heap instead of a pop's and a push's.
    hole: bool,
    now: SimTime,
}

/// A queued event. Ordered by `(time, seq)` alone, reversed so that the max-heap's top is
/// the earliest; the payload is never compared. The payload is `None` only in the hole.
struct Entry<E> {
    time: SimTime,
    seq: u64,
    event: Option<E>,
}

impl<E> Entry<E> {
    /// `(time, seq)` as one integer, so a comparison is a single branch-free 128-bit compare.
    #[inline(always)]
    fn key(&self) -> u128 {
        (u128::from(self.time.0) << 64) | u128::from(self.seq)
    }
}

impl<E> PartialEq for Entry<E> {
    fn eq(&self, other: &Self) -> bool {
        self.key() == other.key()
    }
}

impl<E> Eq for Entry<E> {}

impl<E> PartialOrd for Entry<E> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }

    // The heap sifts with `<=`: spell out the reversed comparisons so none goes through
    // `Ordering`.
    #[inline(always)]
    fn lt(&self, other: &Self) -> bool {
        other.key() < self.key()
    }

    #[inline(always)]
    fn le(&self, other: &Self) -> bool {
        other.key() <= self.key()
    }

    #[inline(always)]
    fn gt(&self, other: &Self) -> bool {
        other.key() > self.key()
    }

    #[inline(always)]
    fn ge(&self, other: &Self) -> bool {
        other.key() >= self.key()
    }
}

impl<E> Ord for Entry<E> {
    #[inline(always)]
    fn cmp(&self, other: &Self) -> Ordering {
        other.key().cmp(&self.key())
    }
}

impl<E> Default for Queue<E> {
    fn default() -> Self {
        Queue {
            heap: BinaryHeap::new(),
            pending: Pending::default(),
            stale: 0,
            hole: false,
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

    /// Number of events waiting (cancelled ones not counted).
    #[inline(always)]
    pub fn len(&self) -> usize {
        self.heap.len() - self.stale - usize::from(self.hole)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The next sequence number: how many events have ever been scheduled.
    pub fn scheduled_total(&self) -> u64 {
        self.pending.next
    }

    /// Schedules `event` at `at`. Panics if `at` is in the past: that is a bug in the caller.
    #[inline(always)]
    pub fn schedule(&mut self, at: SimTime, event: E) -> EventKey {
        assert!(
            self.now <= at,
            "event scheduled in the past: at {at}, now {}",
            self.now
        );
        let seq = self.pending.push(self.len());
        let entry = Entry {
            time: at,
            seq,
            event: Some(event),
        };
        if std::mem::take(&mut self.hole) {
            if let Some(mut top) = self.heap.peek_mut() {
                *top = entry;
                return EventKey(seq);
            }
        }
        self.heap.push(entry);
        EventKey(seq)
    }

    /// Cancels a scheduled event: it will never pop. Returns true if it was pending and is
    /// now cancelled; false if it was already popped or cancelled, in which case this is a
    /// no-op (keys are never reused, so a stale key cannot touch a later event). The key
    /// must come from this queue.
    pub fn cancel(&mut self, key: EventKey) -> bool {
        if !self.pending.remove(key.0) {
            return false;
        }
        // The entry stays in the heap until it reaches the top; purge when stale entries
        // outnumber live ones, so the heap stays within twice the peak pending count.
        self.stale += 1;
        if self.stale > self.len() + 64 {
            let pending = &self.pending;
            self.heap.retain(|entry| pending.contains(entry.seq));
            self.stale = 0;
            self.hole = false;
        }
        true
    }

    /// The time of the next pending event, without removing it. Cancelled entries found at
    /// the top on the way are discarded.
    pub fn peek_time(&mut self) -> Option<SimTime> {
        if std::mem::take(&mut self.hole) {
            self.heap.pop();
        }
        loop {
            let top = self.heap.peek()?;
            if self.pending.contains(top.seq) {
                return Some(top.time);
            }
            self.heap.pop();
            self.stale -= 1;
        }
    }

    /// Removes the next event and advances `now` to its time. Returns `(time, seq, event)`.
    #[inline(always)]
    pub fn pop(&mut self) -> Option<(SimTime, u64, E)> {
        if std::mem::take(&mut self.hole) {
            self.heap.pop();
        }
        loop {
            let mut top = self.heap.peek_mut()?;
            if self.pending.take(top.seq) {
                let (time, seq) = (top.time, top.seq);
                debug_assert!(self.now <= time, "time went back");
                let event = top.event.take().expect("only the hole has no payload");
                drop(top);
                self.hole = true;
                self.now = time;
                return Some((time, seq, event));
            }
            PeekMut::pop(top);
            self.stale -= 1;
        }
    }
}

/// Bits per window word.
const WORD: u64 = 64;

/// The ring's first length in words; it grows (never shrinks) while the window holds at
/// least one pending seq per four bits, plus this many words of slack.
const MIN_WORDS: usize = 64;

/// The set of pending seqs: a bitset over the window of seqs `[base * 64, next)`, kept in a
/// ring of words, plus the few pending seqs below the window (`stragglers`).
#[derive(Default)]
struct Pending {
    /// Bit `s % 64` of `ring[(s / 64) % ring.len()]` is set iff seq `s` is pending, for `s`
    /// in the window. The ring's length is a power of two (zero before the first push) and
    /// the window's words fit in it; slots outside the window are zero.
    ring: Vec<u64>,
    /// The word (`seq / 64`) where the window starts. It moves forward lazily, when a new
    /// word opens, past the words that have emptied, so it may lag behind the oldest
    /// pending seq (the words in between are zero).
    base: u64,
    /// Pending seqs below the window: events scheduled long ago for a far future, moved out
    /// so that the window does not span the whole run. Never iterated, only probed, so a
    /// fixed hasher is all it needs; empty and unallocated in the usual case.
    stragglers: HashSet<u64, BuildHasherDefault<SeqHasher>>,
    /// The next seq to hand out.
    next: u64,
}

impl Pending {
    /// The ring slot of `word`.
    #[inline(always)]
    fn slot(&self, word: u64) -> usize {
        (word & (self.ring.len() as u64).wrapping_sub(1)) as usize
    }

    /// Hands out the next seq, pending from now on; `live` seqs are pending before it.
    #[inline(always)]
    fn push(&mut self, live: usize) -> u64 {
        let seq = self.next;
        if seq.is_multiple_of(WORD) {
            self.open_word(seq / WORD, live);
        }
        self.next = seq + 1;
        let slot = self.slot(seq / WORD);
        self.ring[slot] |= 1 << (seq % WORD);
        seq
    }

    #[inline(always)]
    fn contains(&self, seq: u64) -> bool {
        if seq >= self.next {
            return false;
        }
        if seq / WORD >= self.base {
            self.ring[self.slot(seq / WORD)] & (1 << (seq % WORD)) != 0
        } else {
            !self.stragglers.is_empty() && self.stragglers.contains(&seq)
        }
    }

    /// Marks `seq` no longer pending; false if it was not pending (already popped or
    /// cancelled, or never handed out).
    #[inline(always)]
    fn remove(&mut self, seq: u64) -> bool {
        seq < self.next && self.take(seq)
    }

    /// `remove` for a seq already handed out (one found in the heap).
    #[inline(always)]
    fn take(&mut self, seq: u64) -> bool {
        debug_assert!(seq < self.next);
        if seq / WORD >= self.base {
            let slot = self.slot(seq / WORD);
            let bit = 1 << (seq % WORD);
            let was = self.ring[slot] & bit != 0;
            self.ring[slot] &= !bit;
            was
        } else {
            !self.stragglers.is_empty() && self.stragglers.remove(&seq)
        }
    }

    /// Makes room in the window for `word`, whose first seq is about to be handed out (so
    /// every earlier word is complete): slides the window past its leading empty words, then
    /// if `word` still does not fit, grows the ring while the window holds at least one
    /// pending seq per four bits (plus slack), and otherwise sheds the window's oldest words
    /// to `stragglers`. Each seq is shed at most once, so all this is amortised constant
    /// time per seq; and the ring stays within about eight bits per pending seq at its peak.
    #[inline(never)]
    fn open_word(&mut self, word: u64, live: usize) {
        while self.base < word && self.ring[self.slot(self.base)] == 0 {
            self.base += 1;
        }
        let needed = (word - self.base + 1) as usize;
        if needed > self.ring.len() {
            if needed <= 4 * live / WORD as usize + MIN_WORDS {
                let len = needed
                    .next_power_of_two()
                    .max(2 * self.ring.len())
                    .max(MIN_WORDS);
                let mut ring = vec![0; len];
                for w in self.base..word {
                    ring[(w % len as u64) as usize] = self.ring[self.slot(w)];
                }
                self.ring = ring;
            } else {
                while (word - self.base + 1) as usize > self.ring.len() {
                    let slot = self.slot(self.base);
                    let mut bits = std::mem::take(&mut self.ring[slot]);
                    while bits != 0 {
                        self.stragglers
                            .insert(self.base * WORD + u64::from(bits.trailing_zeros()));
                        bits &= bits - 1;
                    }
                    self.base += 1;
                }
            }
        }
        debug_assert_eq!(self.ring[self.slot(word)], 0, "a slot outside the window");
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
    use std::collections::BTreeMap;

    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    use super::{EventKey, Queue, MIN_WORDS};
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

    fn drain<E>(queue: &mut Queue<E>) -> Vec<E> {
        std::iter::from_fn(|| queue.pop().map(|(_, _, e)| e)).collect()
    }

    #[test]
    fn orders_by_time_then_fifo_within_a_tick() {
        check(&[(5, "a"), (5, "b"), (3, "c")], "c a b");
        check(&[(1, "x"), (0, "y"), (1, "z"), (0, "w")], "y w x z");
    }

    #[test]
    fn fifo_among_many_events_at_one_time() {
        let mut queue = Queue::new();
        for i in 0..1_000u32 {
            queue.schedule(SimTime(7), i);
        }
        assert_eq!(drain(&mut queue), (0..1_000).collect::<Vec<_>>());
    }

    #[test]
    fn cancelled_events_never_pop() {
        let mut queue = Queue::new();
        let a = queue.schedule(SimTime(1), "a");
        queue.schedule(SimTime(2), "b");
        assert!(queue.cancel(a));
        assert!(!queue.cancel(a));
        assert_eq!(queue.pop().map(|(t, _, e)| (t, e)), Some((SimTime(2), "b")));
        assert!(queue.pop().is_none());
    }

    #[test]
    fn cancel_after_pop_is_a_no_op() {
        let mut queue = Queue::new();
        let a = queue.schedule(SimTime(1), "a");
        let (_, seq, _) = queue.pop().expect("a");
        assert_eq!(seq, 0);
        queue.schedule(SimTime(1), "b");
        queue.schedule(SimTime(2), "c");
        assert!(!queue.cancel(a));
        assert_eq!(queue.len(), 2);
        assert_eq!(drain(&mut queue), vec!["b", "c"]);
    }

    #[test]
    fn cancel_twice_returns_false_the_second_time() {
        let mut queue = Queue::new();
        queue.schedule(SimTime(1), 'a');
        let b = queue.schedule(SimTime(2), 'b');
        queue.schedule(SimTime(3), 'c');
        assert!(queue.cancel(b));
        assert!(!queue.cancel(b));
        assert_eq!(queue.len(), 2);
        assert_eq!(drain(&mut queue), vec!['a', 'c']);
        assert!(!queue.cancel(b));
    }

    #[test]
    fn a_key_from_nowhere_cancels_nothing() {
        let mut queue = Queue::new();
        queue.schedule(SimTime(1), ());
        assert!(!queue.cancel(EventKey(1)));
        assert!(!queue.cancel(EventKey(u64::MAX)));
        assert_eq!(queue.len(), 1);
    }

    #[test]
    fn len_and_peek_skip_cancelled_entries() {
        let mut queue = Queue::new();
        let a = queue.schedule(SimTime(1), "a");
        let b = queue.schedule(SimTime(2), "b");
        queue.schedule(SimTime(3), "c");
        assert_eq!(queue.len(), 3);
        assert_eq!(queue.peek_time(), Some(SimTime(1)));
        queue.cancel(a);
        queue.cancel(b);
        assert_eq!(queue.len(), 1);
        assert!(!queue.is_empty());
        assert_eq!(queue.peek_time(), Some(SimTime(3)));
        assert_eq!(queue.pop().map(|(t, _, e)| (t, e)), Some((SimTime(3), "c")));
        assert_eq!(queue.len(), 0);
        assert!(queue.is_empty());
        assert_eq!(queue.peek_time(), None);
        let d = queue.schedule(SimTime(4), "d");
        queue.cancel(d);
        assert!(queue.is_empty());
        assert_eq!(queue.peek_time(), None);
        assert!(queue.pop().is_none());
        assert_eq!(queue.now(), SimTime(3));
    }

    #[test]
    fn cancelling_most_events_purges_them_from_the_heap() {
        let mut queue = Queue::new();
        queue.schedule(SimTime(0), 0);
        let keys: Vec<EventKey> = (1..=1_000).map(|i| queue.schedule(SimTime(i), i)).collect();
        // The popped event's entry waits at the top for the next `schedule`.
        assert_eq!(queue.pop().map(|(_, _, e)| e), Some(0));
        for (i, &key) in keys.iter().enumerate() {
            if i % 10 != 0 {
                assert!(queue.cancel(key));
            }
        }
        assert_eq!(queue.len(), 100);
        assert!(queue.heap.len() <= 2 * queue.len() + 65);
        queue.schedule(SimTime(5), 5_000);
        let expect: Vec<u64> = (1..=1_000)
            .step_by(10)
            .flat_map(|i| if i == 1 { vec![1, 5_000] } else { vec![i] })
            .collect();
        assert_eq!(drain(&mut queue), expect);
    }

    #[test]
    fn entries_are_as_small_as_a_bare_tuple() {
        use std::mem::size_of;
        assert_eq!(size_of::<super::Entry<u32>>(), size_of::<(u64, u64, u32)>());
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
        let message = *result
            .expect_err("panics")
            .downcast::<String>()
            .expect("text");
        assert_eq!(message, "event scheduled in the past: at 0.009, now 0.010");
    }

    #[test]
    fn an_event_pending_far_ahead_survives_a_long_run() {
        // One early event far in the future holds the window's start back: it is moved to
        // the stragglers, and can still be cancelled or popped exactly once.
        for cancel_it in [false, true] {
            let mut queue = Queue::new();
            let far = queue.schedule(SimTime(u64::MAX), u32::MAX);
            let mut keys = Vec::new();
            for i in 0..100_000u32 {
                keys.push(queue.schedule(SimTime(u64::from(i)), i));
                if i >= 100 {
                    let (_, _, e) = queue.pop().expect("pending");
                    assert!(!queue.cancel(keys[e as usize]));
                }
            }
            assert!(queue.pending.ring.len() <= 2 * MIN_WORDS);
            assert!(queue.pending.stragglers.contains(&far.0));
            if cancel_it {
                assert!(queue.cancel(far));
                assert!(!queue.pending.stragglers.contains(&far.0));
            }
            assert!(!queue.cancel(EventKey(1)), "popped long ago");
            let last = drain(&mut queue).last().copied();
            assert_eq!(last, Some(if cancel_it { 99_999 } else { u32::MAX }));
            assert!(queue.pending.stragglers.is_empty());
            assert!(!queue.cancel(far));
        }
    }

    /// Random schedules, cancels, peeks and pops, checked step by step against a `BTreeMap`.
    #[test]
    fn matches_a_reference_model() {
        const FAR: u64 = 1 << 40;
        let mut shed = 0;
        for seed in 0..200u64 {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            let mut queue = Queue::new();
            let mut model: BTreeMap<(SimTime, u64), u32> = BTreeMap::new();
            let mut keys: Vec<(EventKey, SimTime)> = Vec::new();
            // Some seeds use few distinct times (many ties), some many.
            let spread = [3u64, 100, 1_000_000][(seed % 3) as usize];
            // Even seeds schedule more than they pop: a growing queue. Odd seeds pop more,
            // but never an event `FAR` ahead, which they schedule now and then: a small
            // queue whose window sheds its long-pending events to the stragglers.
            let growing = seed % 2 == 0;
            let steps = if seed < 10 { 50_000 } else { 2_000 };
            let mut max_len = 0;
            for step in 0..steps {
                let op = match rng.random_range(0..10u32) {
                    3..=4 if !growing => 9,
                    op => op,
                };
                let now = queue.now();
                let near = |model: &BTreeMap<(SimTime, u64), u32>| {
                    model
                        .keys()
                        .next()
                        .is_some_and(|&(at, _)| at.since(now) < FAR / 2)
                };
                match op {
                    0..=4 => {
                        let far = !growing && rng.random_range(0..50u32) == 0;
                        let delay = rng.random_range(0..spread) + if far { FAR } else { 0 };
                        let at = now.plus_ms(delay);
                        let key = queue.schedule(at, step);
                        model.insert((at, key.0), step);
                        keys.push((key, at));
                    }
                    5..=6 if !keys.is_empty() => {
                        // Mostly a recent key (often still pending), sometimes any key, and
                        // now and then every key of the last few hundred (a purge).
                        let oldest = match rng.random_range(0..100u32) {
                            0 => {
                                for &(key, at) in &keys[keys.len().saturating_sub(300)..] {
                                    let was_pending = model.remove(&(at, key.0)).is_some();
                                    assert_eq!(queue.cancel(key), was_pending, "seed {seed}");
                                }
                                keys.len() - 1
                            }
                            1..=12 => 0,
                            _ => keys.len().saturating_sub(64),
                        };
                        let (key, at) = keys[rng.random_range(oldest..keys.len())];
                        let was_pending = model.remove(&(at, key.0)).is_some();
                        assert_eq!(queue.cancel(key), was_pending, "seed {seed} step {step}");
                    }
                    7 => {
                        let expect = model.keys().next().map(|&(at, _)| at);
                        assert_eq!(queue.peek_time(), expect, "seed {seed} step {step}");
                    }
                    _ if growing || near(&model) || model.is_empty() => {
                        let expect = model.pop_first().map(|((at, seq), e)| (at, seq, e));
                        assert_eq!(queue.pop(), expect, "seed {seed} step {step}");
                    }
                    _ => {}
                }
                assert_eq!(queue.len(), model.len(), "seed {seed} step {step}");
                max_len = max_len.max(queue.len());
                assert!(queue.heap.len() <= 2 * max_len + 65);
                assert!(queue.pending.ring.len() <= 2 * (4 * max_len / 64 + MIN_WORDS));
                if !queue.pending.stragglers.is_empty() {
                    shed += 1;
                }
            }
            while let Some(expect) = model.pop_first() {
                assert_eq!(queue.pop(), Some((expect.0 .0, expect.0 .1, expect.1)));
            }
            assert!(queue.pop().is_none());
        }
        assert!(shed > 0, "no seed exercised the stragglers");
    }
}
