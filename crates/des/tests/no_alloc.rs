//! The queue's hot path does not allocate: once the heap has grown, a pop followed by a
//! schedule (and the occasional cancel) reuses the memory it has.
//!
//! The allocator counts process-wide, so this file holds a single test.

use std::alloc::System;

use des::{EventKey, Queue, SimTime};
use stats_alloc::{Region, StatsAlloc, INSTRUMENTED_SYSTEM};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// A xorshift step: the hold model's pseudo-random delays.
fn next(x: &mut u64) -> u64 {
    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
    *x
}

/// One hold-model step: pop the next event, schedule one more up to an hour later.
fn hold(queue: &mut Queue<u64>, x: &mut u64) -> EventKey {
    let (now, _, event) = queue.pop().expect("never empty");
    queue.schedule(now.plus_ms(next(x) % 3_600_000), event)
}

#[test]
fn pop_and_schedule_do_not_allocate() {
    const LIVE: u64 = 10_000;
    let mut x = 0x2545_F491_4F6C_DD1D_u64;
    let mut queue = Queue::new();
    for i in 0..LIVE {
        queue.schedule(SimTime(next(&mut x) % 3_600_000), i);
    }
    // Warm up: the heap and the pending window reach their steady size.
    for _ in 0..20 * LIVE {
        hold(&mut queue, &mut x);
    }

    let region = Region::new(GLOBAL);
    for _ in 0..10_000 {
        hold(&mut queue, &mut x);
    }
    let change = region.change();
    assert_eq!(queue.len(), LIVE as usize);
    assert_eq!(
        (change.allocations, change.reallocations),
        (0, 0),
        "pop+schedule allocated: {change:?}"
    );

    // With cancellations too (every tenth scheduled event, a while after), after a warm-up.
    let mut recent = [None; 16];
    let mut step = |queue: &mut Queue<u64>, x: &mut u64, i: usize| {
        let key = hold(queue, x);
        if i.is_multiple_of(10) {
            if let Some(old) = recent[(i / 10) % 16].replace(key) {
                if queue.cancel(old) {
                    let now = queue.now();
                    queue.schedule(now.plus_ms(next(x) % 3_600_000), 0);
                }
            }
        }
    };
    for i in 0..20 * LIVE as usize {
        step(&mut queue, &mut x, i);
    }
    let region = Region::new(GLOBAL);
    for i in 0..10_000 {
        step(&mut queue, &mut x, i);
    }
    let change = region.change();
    assert_eq!(
        (change.allocations, change.reallocations),
        (0, 0),
        "pop+schedule+cancel allocated: {change:?}"
    );
}
