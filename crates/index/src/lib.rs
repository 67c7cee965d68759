//! Ordered indexes of container instances, so that placement finds a candidate among up to
//! 100,000 instances in O(log N) instead of scanning them all.
//!
//! [`OrderedIndex`] holds entries keyed by a unique pair `(key: u64, id: u32)`, ordered
//! lexicographically, each carrying remaining resources `res: [u32; 3]` (CPU, memory, ENIs).
//! The key is whatever the strategy sorts by (for "binpack on memory", the remaining memory);
//! the id breaks ties and names the instance. It is a treap stored in an arena
//! (`Vec` of nodes linked by `u32` indices, freed slots reused through a free list), and it keeps
//! these invariants, all verified by [`OrderedIndex::check`]:
//!
//! - **Order:** an in-order walk visits the pairs in strictly increasing order (so each pair is
//!   present at most once).
//! - **Heap:** every node's priority is greater than its children's. A priority is a pure
//!   function of the pair (SplitMix64 of `(key, id)`, ties broken by the pair itself), never a
//!   random draw, so the shape of the tree depends only on the set of pairs it holds: the same
//!   operations always give the same tree, on any machine.
//! - **Augmentation:** every node stores the size of its subtree and the component-wise maximum
//!   of `res` over its subtree. The maxima let [`OrderedIndex::first_fit`] skip subtrees where no
//!   single component could fit; the sizes give [`OrderedIndex::rank`] and
//!   [`OrderedIndex::nth`].
//!
//! Queries and updates allocate nothing: `first_fit` walks with a fixed stack, updates reuse one
//! path buffer, and only the arena grows. An iterator allocates its stack once. The crate has no
//! dependencies, no hashing and no clock.

mod iter;
mod ordered_index;

pub use iter::Iter;
pub use ordered_index::{OrderedIndex, Span};

#[cfg(test)]
mod tests;
