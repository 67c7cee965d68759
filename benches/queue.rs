//! Criterion bench of the event queue in the hold model: `des::Queue` against a bare
//! `BinaryHeap` loop doing the same work, and `des::Queue` with cancellations.
//! Run with `cargo bench -p des --bench queue`.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use des::{EventKey, Queue, SimTime};

/// Delays are uniform over an hour, in milliseconds, as in `benches/engine.rs`.
const HOUR_MS: u64 = 3_600_000;

/// One xorshift step, the pseudo-random source of every delay.
#[inline(always)]
fn xorshift(x: &mut u64) -> u64 {
    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
    *x
}

const SEED: u64 = 0x2545_F491_4F6C_DD1D;

/// The hold model with `live` pending events: each operation pops the next event and
/// schedules one more at a pseudo-random later time. One criterion iteration is one
/// operation on a queue that persists across iterations, so the count stays at `live`.
fn hold(c: &mut Criterion) {
    let mut group = c.benchmark_group("hold");
    group.throughput(Throughput::Elements(1));
    for live in [1_000u64, 100_000, 1_000_000] {
        group.bench_with_input(BenchmarkId::new("des", live), &live, |b, &live| {
            let mut x = SEED;
            let mut queue: Queue<u32> = Queue::new();
            for i in 0..live {
                queue.schedule(SimTime(xorshift(&mut x) % HOUR_MS), i as u32);
            }
            b.iter(|| {
                let (now, _, event) = queue.pop().expect("never empty");
                let delay = xorshift(&mut x) % HOUR_MS;
                queue.schedule(now.plus_ms(delay), black_box(event))
            });
            assert_eq!(queue.len() as u64, live);
        });

        group.bench_with_input(BenchmarkId::new("bare", live), &live, |b, &live| {
            let mut x = SEED;
            let mut seq = 0u64;
            let mut heap: BinaryHeap<Reverse<(u64, u64, u32)>> = BinaryHeap::new();
            for i in 0..live {
                heap.push(Reverse((xorshift(&mut x) % HOUR_MS, seq, i as u32)));
                seq += 1;
            }
            b.iter(|| {
                let Reverse((now, _, event)) = heap.pop().expect("never empty");
                let delay = xorshift(&mut x) % HOUR_MS;
                heap.push(Reverse((now + delay, seq, black_box(event))));
                seq += 1;
                seq
            });
            assert_eq!(heap.len() as u64, live);
        });

        // One scheduled event in ten is cancelled a while after it was scheduled (as a task
        // that stops early cancels its timer): every ninth operation cancels the event
        // scheduled sixteen such operations ago and, if it was still pending, schedules a
        // replacement, so the count of pending events stays at `live`.
        group.bench_with_input(
            BenchmarkId::new("des-cancel-10%", live),
            &live,
            |b, &live| {
                let mut x = SEED;
                let mut queue: Queue<u32> = Queue::new();
                for i in 0..live {
                    queue.schedule(SimTime(xorshift(&mut x) % HOUR_MS), i as u32);
                }
                let mut recent: [Option<EventKey>; 16] = [None; 16];
                let mut op = 0usize;
                b.iter(|| {
                    let (now, _, event) = queue.pop().expect("never empty");
                    let delay = xorshift(&mut x) % HOUR_MS;
                    let key = queue.schedule(now.plus_ms(delay), black_box(event));
                    op += 1;
                    if op.is_multiple_of(9) {
                        let slot = &mut recent[(op / 9) % 16];
                        if let Some(old) = slot.replace(key) {
                            if queue.cancel(old) {
                                let delay = xorshift(&mut x) % HOUR_MS;
                                queue.schedule(now.plus_ms(delay), event);
                            }
                        }
                    }
                });
                assert_eq!(queue.len() as u64, live);
            },
        );
    }
    group.finish();
}

criterion_group!(benches, hold);
criterion_main!(benches);
