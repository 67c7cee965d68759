//! `OrderedIndex` at 1,000, 10,000 and 100,000 container instances: `first_fit`,
//! `remove` + `insert` and `update`. Each iteration is one operation, so Criterion's time is ns per operation.
//!
//! Instances have 4,096 CPU units, 16,384 MiB and 3 ENIs. They are half full on average: the
//! remaining CPU and memory are each uniform from none to all, and one to three ENIs are free,
//! drawn by a seeded xorshift. They are keyed by remaining memory, as "binpack on memory" keeps
//! them. A task asks for a multiple of 128 MiB up to 8,192 MiB and one ENI; its CPU binds (the
//! instance lacks it) for about one instance in ten, or, in the `first_fit_cpu_tight` group, for
//! about nine in ten.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use index::OrderedIndex;

const CPU: u32 = 4096;
const MEMORY: u32 = 16_384;
const ENIS: u32 = 3;
const SIZES: [u32; 3] = [1_000, 10_000, 100_000];
/// Task memory sizes are multiples of this, MiB, up to half an instance.
const TASK_MEMORY_STEP: u32 = 128;

/// Xorshift64: deterministic, seeded, good enough to spread a benchmark's inputs.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// Uniform enough in `0..=max`.
    fn up_to(&mut self, max: u32) -> u32 {
        (self.next() % (u64::from(max) + 1)) as u32
    }
}

/// Remaining `[cpu, memory, enis]` of an instance half full on average.
fn remaining(rng: &mut XorShift) -> [u32; 3] {
    [rng.up_to(CPU), rng.up_to(MEMORY), 1 + rng.up_to(ENIS - 1)]
}

/// `n` instances with ids `0..n`, keyed by remaining memory; also returns each id's key.
fn cluster(n: u32, rng: &mut XorShift) -> (OrderedIndex, Vec<u64>) {
    let mut index = OrderedIndex::with_capacity(n as usize);
    let mut keys = Vec::with_capacity(n as usize);
    for id in 0..n {
        let res = remaining(rng);
        index.insert(u64::from(res[1]), id, res);
        keys.push(u64::from(res[1]));
    }
    (index, keys)
}

/// 1,024 task needs, over 64 memory sizes, whose CPU is more than the remaining CPU of
/// `cpu_binds_tenths` / 10 of the instances.
fn needs(rng: &mut XorShift, cpu_binds_tenths: u32) -> Vec<[u32; 3]> {
    let cpu = CPU / 10 * cpu_binds_tenths;
    (0..1024)
        .map(|_| {
            let memory = TASK_MEMORY_STEP * (1 + rng.up_to(MEMORY / 2 / TASK_MEMORY_STEP - 1));
            [cpu, memory, 1]
        })
        .collect()
}

fn bench_first_fit(c: &mut Criterion, group_name: &str, cpu_binds_tenths: u32) {
    let mut group = c.benchmark_group(group_name);
    for n in SIZES {
        let mut rng = XorShift(0x5EED_0000 + u64::from(n));
        let (index, _) = cluster(n, &mut rng);
        let needs = needs(&mut rng, cpu_binds_tenths);
        let mut i = 0;
        group.bench_function(BenchmarkId::from_parameter(n), |b| {
            b.iter(|| {
                let need = needs[i & 1023];
                i += 1;
                black_box(index.first_fit((u64::from(need[1]), 0), black_box(need)))
            })
        });
    }
    group.finish();
}

fn first_fit(c: &mut Criterion) {
    bench_first_fit(c, "first_fit", 1);
}

fn first_fit_cpu_tight(c: &mut Criterion) {
    bench_first_fit(c, "first_fit_cpu_tight", 9);
}

/// One instance's remaining resources change, and `apply` moves it from its old key to its new
/// one: `apply(index, old_key, id, new_key, res)`.
fn bench_move(
    c: &mut Criterion,
    group_name: &str,
    apply: impl Fn(&mut OrderedIndex, u64, u32, u64, [u32; 3]),
) {
    let mut group = c.benchmark_group(group_name);
    for n in SIZES {
        let mut rng = XorShift(0x5EED_1000 + u64::from(n));
        let (mut index, mut keys) = cluster(n, &mut rng);
        group.bench_function(BenchmarkId::from_parameter(n), |b| {
            b.iter(|| {
                let id = rng.up_to(n - 1);
                let res = remaining(&mut rng);
                let new_key = u64::from(res[1]);
                apply(&mut index, keys[id as usize], id, new_key, res);
                keys[id as usize] = new_key;
            })
        });
        index.check();
    }
    group.finish();
}

/// Remove the instance and insert it under its new key.
fn remove_insert(c: &mut Criterion) {
    bench_move(c, "remove+insert", |index, key, id, new_key, res| {
        let old = index.remove(key, id);
        debug_assert!(old.is_some());
        index.insert(new_key, id, res);
    });
}

/// The same change through `update`, as the placement indexes make it.
fn update(c: &mut Criterion) {
    bench_move(c, "update", |index, key, id, new_key, res| {
        black_box(index.update(key, id, new_key, res));
    });
}

criterion_group!(
    benches,
    first_fit,
    first_fit_cpu_tight,
    remove_insert,
    update
);
criterion_main!(benches);
