//! Unit tests of `OrderedIndex`, one group per operation, with their edge cases.

use std::panic::{catch_unwind, AssertUnwindSafe};

use crate::ordered_index::NIL;
use crate::OrderedIndex;

/// Builds an index from `(key, id, res)` entries, checking it after each insert.
fn index_of(entries: &[(u64, u32, [u32; 3])]) -> OrderedIndex {
    let mut index = OrderedIndex::new();
    for &(key, id, res) in entries {
        index.insert(key, id, res);
        index.check();
    }
    index
}

fn entries(index: &OrderedIndex) -> Vec<(u64, u32, [u32; 3])> {
    index.iter().collect()
}

/// The pairs in pre-order: determines the tree's shape.
fn shape(index: &OrderedIndex) -> Vec<(u64, u32)> {
    fn walk(index: &OrderedIndex, t: u32, out: &mut Vec<(u64, u32)>) {
        if t != NIL {
            let node = &index.nodes[t as usize];
            out.push(node.pair());
            walk(index, node.left, out);
            walk(index, node.right, out);
        }
    }
    let mut out = Vec::new();
    walk(index, index.root, &mut out);
    out
}

fn depth(index: &OrderedIndex, t: u32) -> usize {
    if t == NIL {
        return 0;
    }
    let node = &index.nodes[t as usize];
    1 + depth(index, node.left).max(depth(index, node.right))
}

/// A small deterministic generator for the tests' inputs.
fn xorshift(state: &mut u64) -> u64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    *state
}

#[test]
fn node_is_48_bytes() {
    assert_eq!(std::mem::size_of::<crate::ordered_index::Node>(), 48);
}

#[test]
fn empty() {
    let mut index = OrderedIndex::new();
    index.check();
    assert_eq!(index.len(), 0);
    assert!(index.is_empty());
    assert_eq!(index.get(0, 0), None);
    assert_eq!(index.remove(0, 0), None);
    assert_eq!(index.first_fit((0, 0), [0; 3]), None);
    assert_eq!(index.first_fit((0, 0), [1, 1, 1]), None);
    assert_eq!(index.rank(5, 5), 0);
    assert_eq!(index.nth(0), None);
    assert_eq!(index.count_key(0), 0);
    assert_eq!(index.iter().next(), None);
    assert_eq!(index.iter_from((3, 0)).next(), None);
    assert_eq!(index.max_res(), [0; 3]);
    assert_eq!(format!("{index:?}"), "{}");
    index.check();
    assert!(OrderedIndex::default().is_empty());
}

#[test]
fn one_entry() {
    let mut index = index_of(&[(7, 3, [1, 2, 3])]);
    assert_eq!(index.len(), 1);
    assert!(!index.is_empty());
    assert_eq!(index.get(7, 3), Some([1, 2, 3]));
    assert_eq!(index.get(7, 2), None);
    assert_eq!(index.get(6, 3), None);
    assert_eq!(index.max_res(), [1, 2, 3]);
    assert_eq!(index.rank(7, 3), 0);
    assert_eq!(index.rank(7, 4), 1);
    assert_eq!(index.rank(0, 0), 0);
    assert_eq!(index.nth(0), Some((7, 3, [1, 2, 3])));
    assert_eq!(index.nth(1), None);
    assert_eq!(index.count_key(7), 1);
    assert_eq!(index.count_key(8), 0);
    assert_eq!(index.first_fit((0, 0), [1, 2, 3]), Some((7, 3)));
    assert_eq!(index.first_fit((7, 3), [1, 2, 3]), Some((7, 3)));
    assert_eq!(index.first_fit((7, 4), [0; 3]), None);
    assert_eq!(index.first_fit((0, 0), [1, 2, 4]), None);
    assert_eq!(format!("{index:?}"), "{(7, 3): [1, 2, 3]}");
    assert_eq!(index.remove(7, 3), Some([1, 2, 3]));
    index.check();
    assert!(index.is_empty());
    assert_eq!(index.max_res(), [0; 3]);
    assert_eq!(index.remove(7, 3), None);
}

#[test]
fn same_key_different_ids_are_ordered_by_id() {
    let index = index_of(&[
        (5, 9, [1, 0, 0]),
        (5, 2, [2, 0, 0]),
        (4, 100, [3, 0, 0]),
        (5, 4, [4, 0, 0]),
        (6, 0, [5, 0, 0]),
    ]);
    let pairs: Vec<_> = index.iter().map(|(key, id, _)| (key, id)).collect();
    assert_eq!(pairs, [(4, 100), (5, 2), (5, 4), (5, 9), (6, 0)]);
    assert_eq!(index.count_key(5), 3);
    assert_eq!(index.count_key(4), 1);
    assert_eq!(index.count_key(7), 0);
    assert_eq!(index.rank(5, 0), 1);
    assert_eq!(index.rank(5, 4), 2);
    assert_eq!(index.rank(5, 5), 3);
    assert_eq!(index.rank(5, u32::MAX), 4);
    assert_eq!(index.nth(2), Some((5, 4, [4, 0, 0])));
    assert_eq!(index.first_fit((5, 3), [2, 0, 0]), Some((5, 4)));
    assert_eq!(index.first_fit((5, 0), [2, 0, 0]), Some((5, 2)));
}

#[test]
fn extreme_keys_and_ids() {
    let index = index_of(&[
        (u64::MAX, u32::MAX, [1; 3]),
        (u64::MAX, 0, [2; 3]),
        (0, 0, [3; 3]),
        (0, u32::MAX, [4; 3]),
    ]);
    assert_eq!(index.count_key(u64::MAX), 2);
    assert_eq!(index.count_key(0), 2);
    assert_eq!(index.rank(u64::MAX, u32::MAX), 3);
    assert_eq!(index.nth(3), Some((u64::MAX, u32::MAX, [1; 3])));
    assert_eq!(
        index.first_fit((u64::MAX, 1), [0; 3]),
        Some((u64::MAX, u32::MAX))
    );
    assert_eq!(index.max_res(), [4; 3]);
}

#[test]
#[should_panic(expected = "(3, 1) is already present")]
fn insert_of_a_present_pair_panics() {
    let mut index = index_of(&[(3, 1, [0; 3]), (3, 2, [0; 3])]);
    index.insert(3, 1, [9; 3]);
}

#[test]
fn a_panicking_insert_changes_nothing() {
    let mut rng = 0x1234_5678_u64;
    let mut index = OrderedIndex::new();
    for id in 0..500 {
        index.insert(xorshift(&mut rng) % 64, id, [id; 3]);
    }
    let before = entries(&index);
    let before_shape = shape(&index);
    // Every present pair, at every depth.
    for (key, id, _) in before.clone() {
        let result = catch_unwind(AssertUnwindSafe(|| index.insert(key, id, [0; 3])));
        assert!(result.is_err());
        index.check();
        assert_eq!(index.len(), before.len());
    }
    assert_eq!(entries(&index), before);
    assert_eq!(shape(&index), before_shape);
}

#[test]
fn remove_keeps_the_rest() {
    let mut index = index_of(&[
        (1, 0, [1, 0, 0]),
        (2, 0, [0, 9, 0]),
        (3, 0, [0, 0, 7]),
        (2, 1, [0, 4, 0]),
    ]);
    assert_eq!(index.max_res(), [1, 9, 7]);
    assert_eq!(index.remove(2, 0), Some([0, 9, 0]));
    index.check();
    assert_eq!(index.max_res(), [1, 4, 7]);
    assert_eq!(index.remove(2, 0), None);
    assert_eq!(index.remove(2, 2), None);
    assert_eq!(index.len(), 3);
    assert_eq!(
        entries(&index),
        [(1, 0, [1, 0, 0]), (2, 1, [0, 4, 0]), (3, 0, [0, 0, 7])]
    );
}

#[test]
fn freed_slots_are_reused() {
    let mut index = index_of(&[(1, 0, [0; 3]), (2, 0, [0; 3]), (3, 0, [0; 3])]);
    let slots = index.nodes.len();
    index.remove(2, 0);
    index.remove(1, 0);
    index.check();
    index.insert(9, 9, [1; 3]);
    index.insert(8, 8, [1; 3]);
    index.check();
    assert_eq!(index.nodes.len(), slots);
    index.insert(7, 7, [1; 3]);
    assert_eq!(index.nodes.len(), slots + 1);
    index.check();
}

#[test]
fn update_moves_or_rewrites_an_entry() {
    let mut index = index_of(&[(10, 1, [5, 5, 5]), (20, 2, [6, 6, 6]), (30, 3, [7, 7, 7])]);
    // Same key: in place.
    assert_eq!(index.update(20, 2, 20, [1, 1, 1]), [6, 6, 6]);
    index.check();
    assert_eq!(index.get(20, 2), Some([1, 1, 1]));
    assert_eq!(index.max_res(), [7, 7, 7]);
    // New key: moved.
    assert_eq!(index.update(30, 3, 5, [2, 2, 2]), [7, 7, 7]);
    index.check();
    assert_eq!(index.get(30, 3), None);
    assert_eq!(index.get(5, 3), Some([2, 2, 2]));
    assert_eq!(index.max_res(), [5, 5, 5]);
    assert_eq!(
        entries(&index),
        [(5, 3, [2, 2, 2]), (10, 1, [5, 5, 5]), (20, 2, [1, 1, 1])]
    );
}

#[test]
fn update_gives_the_tree_of_remove_then_insert() {
    let mut rng = 99_u64;
    let mut updated = OrderedIndex::new();
    for id in 0..300 {
        updated.insert(xorshift(&mut rng) % 100, id, [id; 3]);
    }
    let mut reinserted = updated.clone();
    for step in 0..1000_u32 {
        let (key, id, _) = updated.nth(xorshift(&mut rng) as usize % 300).unwrap();
        let new_key = if step % 3 == 0 {
            key
        } else {
            xorshift(&mut rng) % 100
        };
        if new_key != key && updated.get(new_key, id).is_some() {
            continue;
        }
        updated.update(key, id, new_key, [step; 3]);
        reinserted.remove(key, id).unwrap();
        reinserted.insert(new_key, id, [step; 3]);
    }
    updated.check();
    assert_eq!(entries(&updated), entries(&reinserted));
    assert_eq!(shape(&updated), shape(&reinserted));
}

#[test]
fn a_panicking_update_changes_nothing() {
    let mut index = index_of(&[(10, 1, [5; 3]), (20, 1, [6; 3]), (30, 3, [7; 3])]);
    let before = entries(&index);
    for (key, id, new_key) in [(11, 1, 11), (11, 1, 40), (10, 1, 20), (99, 9, 5)] {
        let result = catch_unwind(AssertUnwindSafe(|| {
            index.update(key, id, new_key, [0; 3]);
        }));
        assert!(
            result.is_err(),
            "update({key}, {id}, {new_key}) should panic"
        );
        index.check();
        assert_eq!(entries(&index), before);
    }
}

#[test]
fn first_fit_from_the_middle() {
    // Keyed by memory, as binpack on memory keeps them: res = [cpu, memory, enis].
    let index = index_of(&[
        (512, 0, [1024, 512, 1]),
        (1024, 1, [256, 1024, 1]),
        (2048, 2, [128, 2048, 2]),
        (2048, 3, [2048, 2048, 0]),
        (4096, 4, [2048, 4096, 1]),
        (8192, 5, [4096, 8192, 3]),
    ]);
    // The first with enough memory lacks CPU, the next lacks an ENI.
    assert_eq!(index.first_fit((1024, 0), [512, 1024, 1]), Some((4096, 4)));
    assert_eq!(index.first_fit((2048, 0), [128, 2048, 1]), Some((2048, 2)));
    // `from` between ids of one key.
    assert_eq!(index.first_fit((2048, 3), [0, 0, 0]), Some((2048, 3)));
    assert_eq!(index.first_fit((2048, 4), [0, 0, 0]), Some((4096, 4)));
    // Entries before `from` are never returned, even if they fit.
    assert_eq!(index.first_fit((600, 0), [1000, 0, 0]), Some((2048, 3)));
    assert_eq!(index.first_fit((0, 0), [1000, 0, 0]), Some((512, 0)));
    // `from` past the end.
    assert_eq!(index.first_fit((8192, 6), [0; 3]), None);
    assert_eq!(index.first_fit((u64::MAX, u32::MAX), [0; 3]), None);
}

#[test]
fn first_fit_with_zero_need_is_the_first_at_or_after_from() {
    let mut rng = 7_u64;
    let mut index = OrderedIndex::new();
    for id in 0..200 {
        index.insert(xorshift(&mut rng) % 50, id, [0; 3]);
    }
    for key in 0..52 {
        let expected = index.iter_from((key, 0)).next().map(|(k, i, _)| (k, i));
        assert_eq!(index.first_fit((key, 0), [0; 3]), expected);
    }
}

#[test]
fn first_fit_when_nothing_meets_the_need() {
    // Each component's maximum is met by some entry, but no entry meets all three: the
    // maxima pass at the root and the search must back out of every subtree.
    let index = index_of(&[
        (1, 0, [10, 0, 0]),
        (2, 0, [0, 10, 0]),
        (3, 0, [0, 0, 10]),
        (4, 0, [10, 10, 0]),
        (5, 0, [0, 10, 10]),
    ]);
    assert_eq!(index.max_res(), [10, 10, 10]);
    assert_eq!(index.first_fit((0, 0), [1, 1, 1]), None);
    assert_eq!(index.first_fit((0, 0), [11, 0, 0]), None);
    assert_eq!(index.first_fit((0, 0), [10, 10, 0]), Some((4, 0)));
    assert_eq!(index.first_fit((5, 0), [10, 10, 0]), None);
}

#[test]
fn first_fit_matches_a_scan() {
    let mut rng = 0xF1F1_u64;
    let mut index = OrderedIndex::new();
    for id in 0..2000 {
        let res = [
            (xorshift(&mut rng) % 16) as u32,
            (xorshift(&mut rng) % 16) as u32,
            (xorshift(&mut rng) % 4) as u32,
        ];
        index.insert(u64::from(res[1]), id, res);
    }
    index.check();
    let all = entries(&index);
    for _ in 0..2000 {
        let from = (xorshift(&mut rng) % 17, (xorshift(&mut rng) % 2000) as u32);
        let need = [
            (xorshift(&mut rng) % 17) as u32,
            (xorshift(&mut rng) % 17) as u32,
            (xorshift(&mut rng) % 5) as u32,
        ];
        let expected = all
            .iter()
            .find(|&&(key, id, res)| {
                (key, id) >= from && res.iter().zip(need).all(|(&have, need)| have >= need)
            })
            .map(|&(key, id, _)| (key, id));
        assert_eq!(index.first_fit(from, need), expected, "{from:?} {need:?}");
    }
}

#[test]
fn first_fit_past_its_fixed_stack_recurses() {
    let mut rng = 0xDEE9_u64;
    let mut index = OrderedIndex::new();
    for id in 0..3000 {
        let res = [
            (xorshift(&mut rng) % 8) as u32,
            (xorshift(&mut rng) % 8) as u32,
            1,
        ];
        index.insert(xorshift(&mut rng) % 64, id, res);
    }
    for _ in 0..3000 {
        let from = (xorshift(&mut rng) % 66, (xorshift(&mut rng) % 3000) as u32);
        let need = [
            (xorshift(&mut rng) % 9) as u32,
            (xorshift(&mut rng) % 9) as u32,
            1,
        ];
        let expected = index.first_fit(from, need);
        for found in [
            index.first_fit_from::<1>(index.root, from, need),
            index.first_fit_from::<2>(index.root, from, need),
            index.first_fit_from::<3>(index.root, from, need),
        ] {
            let found = (found != NIL).then(|| index.nodes[found as usize].pair());
            assert_eq!(found, expected, "{from:?} {need:?}");
        }
    }
}

/// Ids 0..1000 under keys drawn below `keys` from the seed, with resources `[id, 0, 0]`.
fn random_keys(seed: u64, keys: u64) -> OrderedIndex {
    let mut rng = seed;
    let mut index = OrderedIndex::new();
    for id in 0..1000 {
        index.insert(xorshift(&mut rng) % keys, id, [id, 0, 0]);
    }
    index
}

#[test]
fn rank_and_nth_agree() {
    let index = random_keys(5, 300);
    let all = entries(&index);
    for (k, &(key, id, res)) in all.iter().enumerate() {
        assert_eq!(index.nth(k), Some((key, id, res)));
        assert_eq!(index.rank(key, id), k);
    }
    assert_eq!(index.nth(all.len()), None);
    assert_eq!(index.nth(usize::MAX), None);
    // Absent pairs.
    assert_eq!(index.rank(u64::MAX, u32::MAX), all.len());
    for key in 0..301 {
        let before = all.iter().filter(|&&(k, _, _)| k < key).count();
        assert_eq!(index.rank(key, 0), before);
        let of_key = all.iter().filter(|&&(k, _, _)| k == key).count();
        assert_eq!(index.count_key(key), of_key);
    }
}

#[test]
fn a_key_span_is_the_run_of_its_key() {
    let index = random_keys(9, 40);
    let all = entries(&index);
    for key in 0..41 {
        let span = index.key_span(key);
        assert_eq!(span.start, index.rank(key, 0), "key {key}");
        assert_eq!(span.len, index.count_key(key), "key {key}");
        for k in 0..span.len {
            assert_eq!(index.nth_in(span, k), Some(all[span.start + k]));
        }
        assert_eq!(index.nth_in(span, span.len), None);
    }
    let full = index.full_span();
    assert_eq!((full.start, full.len), (0, all.len()));
    for (k, &entry) in all.iter().enumerate() {
        assert_eq!(index.nth_in(full, k), Some(entry));
    }
    let empty = OrderedIndex::new();
    assert_eq!(empty.key_span(3).len, 0);
    assert_eq!(empty.nth_in(empty.full_span(), 0), None);
}

#[test]
fn iter_from_starts_at_the_first_pair_at_or_after() {
    let index = index_of(&[
        (1, 1, [0; 3]),
        (3, 0, [0; 3]),
        (3, 5, [0; 3]),
        (8, 2, [0; 3]),
    ]);
    let from = |key, id| -> Vec<(u64, u32)> {
        index.iter_from((key, id)).map(|(k, i, _)| (k, i)).collect()
    };
    assert_eq!(from(0, 0), [(1, 1), (3, 0), (3, 5), (8, 2)]);
    assert_eq!(from(1, 1), [(1, 1), (3, 0), (3, 5), (8, 2)]);
    assert_eq!(from(1, 2), [(3, 0), (3, 5), (8, 2)]);
    assert_eq!(from(3, 1), [(3, 5), (8, 2)]);
    assert_eq!(from(8, 2), [(8, 2)]);
    assert_eq!(from(8, 3), []);
    let mut iter = index.iter_from((9, 0));
    assert_eq!(iter.next(), None);
    assert_eq!(iter.next(), None);
}

#[test]
fn clear_empties_and_the_index_is_reusable() {
    let mut index = index_of(&[(1, 1, [1; 3]), (2, 2, [2; 3])]);
    index.clear();
    index.check();
    assert!(index.is_empty());
    assert_eq!(index.max_res(), [0; 3]);
    assert_eq!(index.get(1, 1), None);
    index.insert(1, 1, [3; 3]);
    index.check();
    assert_eq!(entries(&index), [(1, 1, [3; 3])]);
}

#[test]
fn the_shape_depends_only_on_the_set_of_pairs() {
    let pairs: Vec<(u64, u32)> = (0..400).map(|i| (u64::from(i % 37), i)).collect();
    let forward = {
        let mut index = OrderedIndex::new();
        for &(key, id) in &pairs {
            index.insert(key, id, [id; 3]);
        }
        index
    };
    let backward_with_churn = {
        let mut index = OrderedIndex::new();
        for &(key, id) in pairs.iter().rev() {
            index.insert(key, id, [id; 3]);
            index.insert(1000, id, [0; 3]);
        }
        for &(_, id) in &pairs {
            index.remove(1000, id);
        }
        index
    };
    backward_with_churn.check();
    assert_eq!(shape(&forward), shape(&backward_with_churn));
    assert_eq!(entries(&forward), entries(&backward_with_churn));
}

#[test]
fn depth_stays_logarithmic() {
    // Sorted inserts are a plain binary tree's worst case.
    let mut index = OrderedIndex::new();
    for id in 0..100_000 {
        index.insert(u64::from(id / 4), id, [1; 3]);
    }
    let depth = depth(&index, index.root);
    // log2(100,000) is about 17; a treap's expected depth is about 2.99 log2 N at worst.
    assert!(depth <= 60, "depth {depth}");
    index.check();
}
