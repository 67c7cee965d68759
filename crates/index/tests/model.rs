//! Property test: random operation sequences on `OrderedIndex` against a `BTreeMap` model,
//! with `first_fit` computed by a linear scan and `check()` after every operation.

use std::collections::BTreeMap;

use index::OrderedIndex;
use proptest::prelude::*;

type Model = BTreeMap<(u64, u32), [u32; 3]>;

#[derive(Clone, Debug)]
enum Op {
    Insert(u64, u32, [u32; 3]),
    Remove(u64, u32),
    /// Removes the entry at this position modulo the length, so removals hit present pairs.
    RemoveAt(usize),
    Update(u64, u32, u64, [u32; 3]),
    /// Updates the entry at this position modulo the length to a new key and resources.
    UpdateAt(usize, u64, [u32; 3]),
    Get(u64, u32),
    FirstFit((u64, u32), [u32; 3]),
    Rank(u64, u32),
    Nth(usize),
    CountKey(u64),
    /// `key_span` of the key, and `nth_in` it at this position modulo its length.
    KeySpan(u64, usize),
    IterFrom((u64, u32)),
}

fn fits(have: [u32; 3], need: [u32; 3]) -> bool {
    (0..3).all(|i| have[i] >= need[i])
}

/// Operations over keys from `key`, ids from `id` and resource components below `res_max`.
fn op(
    key: impl Strategy<Value = u64> + Clone + 'static,
    id: impl Strategy<Value = u32> + Clone + 'static,
    res_max: u32,
) -> impl Strategy<Value = Op> {
    let res = proptest::array::uniform3(0..res_max);
    let need = proptest::array::uniform3(0..res_max + 1);
    let pair = (key.clone(), id.clone());
    prop_oneof![
        6 => (key.clone(), id.clone(), res.clone()).prop_map(|(k, i, r)| Op::Insert(k, i, r)),
        2 => pair.clone().prop_map(|(k, i)| Op::Remove(k, i)),
        2 => any::<usize>().prop_map(Op::RemoveAt),
        2 => (key.clone(), id.clone(), key.clone(), res.clone())
            .prop_map(|(k, i, n, r)| Op::Update(k, i, n, r)),
        2 => (any::<usize>(), key.clone(), res).prop_map(|(at, n, r)| Op::UpdateAt(at, n, r)),
        1 => pair.clone().prop_map(|(k, i)| Op::Get(k, i)),
        4 => (pair.clone(), need).prop_map(|(from, need)| Op::FirstFit(from, need)),
        1 => pair.clone().prop_map(|(k, i)| Op::Rank(k, i)),
        1 => (0usize..40).prop_map(Op::Nth),
        1 => key.clone().prop_map(Op::CountKey),
        2 => (key, any::<usize>()).prop_map(|(k, at)| Op::KeySpan(k, at)),
        1 => pair.prop_map(Op::IterFrom),
    ]
}

/// Applies `op` to both and compares every answer; then checks the index's invariants.
fn apply(index: &mut OrderedIndex, model: &mut Model, op: &Op) {
    match *op {
        Op::Insert(key, id, res) => {
            // Inserting a present pair panics; the unit tests cover that.
            if let std::collections::btree_map::Entry::Vacant(entry) = model.entry((key, id)) {
                entry.insert(res);
                index.insert(key, id, res);
            }
        }
        Op::Remove(key, id) => {
            assert_eq!(index.remove(key, id), model.remove(&(key, id)));
        }
        Op::RemoveAt(at) => {
            if !model.is_empty() {
                let (&(key, id), _) = model.iter().nth(at % model.len()).unwrap();
                assert_eq!(index.remove(key, id), model.remove(&(key, id)));
            }
        }
        Op::Update(key, id, new_key, res) => update(index, model, key, id, new_key, res),
        Op::UpdateAt(at, new_key, res) => {
            if !model.is_empty() {
                let (&(key, id), _) = model.iter().nth(at % model.len()).unwrap();
                update(index, model, key, id, new_key, res);
            }
        }
        Op::Get(key, id) => assert_eq!(index.get(key, id), model.get(&(key, id)).copied()),
        Op::FirstFit(from, need) => {
            let expected = model
                .range(from..)
                .find(|&(_, &res)| fits(res, need))
                .map(|(&pair, _)| pair);
            assert_eq!(index.first_fit(from, need), expected, "{from:?} {need:?}");
        }
        Op::Rank(key, id) => assert_eq!(index.rank(key, id), model.range(..(key, id)).count()),
        Op::Nth(k) => assert_eq!(
            index.nth(k),
            model.iter().nth(k).map(|(&(key, id), &res)| (key, id, res))
        ),
        Op::CountKey(key) => assert_eq!(
            index.count_key(key),
            model.keys().filter(|&&(k, _)| k == key).count()
        ),
        Op::KeySpan(key, at) => {
            let span = index.key_span(key);
            let entries: Vec<_> = model
                .range((key, 0)..=(key, u32::MAX))
                .map(|(&(key, id), &res)| (key, id, res))
                .collect();
            assert_eq!(span.start, model.range(..(key, 0)).count());
            assert_eq!(span.len, entries.len());
            assert_eq!(index.nth_in(span, span.len), None);
            if !entries.is_empty() {
                let k = at % entries.len();
                assert_eq!(index.nth_in(span, k), Some(entries[k]));
            }
            let full = index.full_span();
            assert_eq!((full.start, full.len), (0, model.len()));
            if !model.is_empty() {
                let k = at % model.len();
                assert_eq!(index.nth_in(full, k), index.nth(k));
            }
        }
        Op::IterFrom(from) => {
            let got: Vec<_> = index.iter_from(from).collect();
            let expected: Vec<_> = model
                .range(from..)
                .map(|(&(key, id), &res)| (key, id, res))
                .collect();
            assert_eq!(got, expected);
        }
    }
    index.check();
    assert_eq!(index.len(), model.len());
    assert_eq!(index.is_empty(), model.is_empty());
    let max = model.values().fold([0; 3], |acc, res| {
        [acc[0].max(res[0]), acc[1].max(res[1]), acc[2].max(res[2])]
    });
    assert_eq!(index.max_res(), max);
}

/// `update` where it does not panic: the old pair is present, the new one absent (or the same).
fn update(
    index: &mut OrderedIndex,
    model: &mut Model,
    key: u64,
    id: u32,
    new_key: u64,
    res: [u32; 3],
) {
    let Some(&old) = model.get(&(key, id)) else {
        return;
    };
    if new_key != key && model.contains_key(&(new_key, id)) {
        return;
    }
    model.remove(&(key, id));
    model.insert((new_key, id), res);
    assert_eq!(index.update(key, id, new_key, res), old);
}

fn run(ops: &[Op]) {
    let mut index = OrderedIndex::new();
    let mut model = Model::new();
    for op in ops {
        apply(&mut index, &mut model, op);
    }
    let all: Vec<_> = index.iter().collect();
    let expected: Vec<_> = model.iter().map(|(&(k, i), &r)| (k, i, r)).collect();
    assert_eq!(all, expected);
    index.clear();
    index.check();
    assert!(index.is_empty());
}

proptest! {
    /// Few keys and ids, so pairs collide, keys repeat and removals hit.
    #[test]
    fn small_ranges_match_the_model(ops in proptest::collection::vec(op(0u64..8, 0u32..4, 5), 1..200)) {
        run(&ops);
    }

    /// Keys and ids over their whole range (extremes included), resources from a wider range.
    #[test]
    fn wide_ranges_match_the_model(ops in proptest::collection::vec(
        op(
            prop_oneof![Just(0u64), Just(u64::MAX), any::<u64>(), 0u64..16],
            prop_oneof![Just(0u32), Just(u32::MAX), any::<u32>(), 0u32..16],
            1000,
        ),
        1..200,
    )) {
        run(&ops);
    }
}
