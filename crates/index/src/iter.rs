//! `Iter`: in-order iteration over an `OrderedIndex` from a given pair, with an explicit stack.

use std::iter::FusedIterator;

use crate::ordered_index::{Link, OrderedIndex, NIL};

/// In-order iterator over the entries `(key, id, res)` of an [`OrderedIndex`], made by
/// [`OrderedIndex::iter`] and [`OrderedIndex::iter_from`].
///
/// Its stack holds the nodes still to visit whose left part is done: the path to the next entry.
#[derive(Clone, Debug)]
pub struct Iter<'a> {
    index: &'a OrderedIndex,
    stack: Vec<Link>,
}

impl<'a> Iter<'a> {
    /// Positions the iterator on the first pair at or after `from`.
    pub(crate) fn new(index: &'a OrderedIndex, from: (u64, u32)) -> Self {
        // A treap's depth is O(log N) expected; 64 covers any realistic index without regrowing.
        let mut stack = Vec::with_capacity(64);
        let mut t = index.root;
        while t != NIL {
            let node = &index.nodes[t as usize];
            if node.pair() < from {
                t = node.right;
            } else {
                stack.push(t);
                t = node.left;
            }
        }
        Iter { index, stack }
    }
}

impl Iterator for Iter<'_> {
    type Item = (u64, u32, [u32; 3]);

    fn next(&mut self) -> Option<Self::Item> {
        let t = self.stack.pop()?;
        let node = &self.index.nodes[t as usize];
        let mut child = node.right;
        while child != NIL {
            self.stack.push(child);
            child = self.index.nodes[child as usize].left;
        }
        Some((node.key, node.id, node.res))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.stack.len(), Some(self.index.len()))
    }
}

impl FusedIterator for Iter<'_> {}
