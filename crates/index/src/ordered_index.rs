//! `OrderedIndex`: the arena treap, its updates, its queries and its self-check.

use std::cmp::Ordering;
use std::fmt;

use crate::iter::Iter;

/// Index of a node in the arena. Slot 0 is the sentinel that stands for "no node".
pub(crate) type Link = u32;

/// The sentinel link: an empty subtree.
pub(crate) const NIL: Link = 0;

/// One entry and the augmented data of the subtree it roots (48 bytes).
///
/// `repr(C)` keeps what every descent reads (the pair, the links and the maxima) in the first
/// 32 bytes, so that three nodes in four have it within one cache line.
/// A freed slot keeps its place in the arena and links the free list through `left`.
#[derive(Clone, Copy, Debug)]
#[repr(C)]
pub(crate) struct Node {
    pub(crate) key: u64,
    pub(crate) id: u32,
    pub(crate) left: Link,
    pub(crate) right: Link,
    /// Component-wise maximum of `res` over the subtree (zeros for the sentinel).
    max: [u32; 3],
    pub(crate) res: [u32; 3],
    /// Number of entries in the subtree rooted here (0 for the sentinel).
    size: u32,
}

const _: () = assert!(std::mem::size_of::<Node>() == 48);

impl Node {
    /// Slot 0: size 0 and maxima 0, so updating a parent needs no test for missing children.
    const SENTINEL: Node = Node {
        key: 0,
        id: 0,
        left: NIL,
        right: NIL,
        size: 0,
        res: [0; 3],
        max: [0; 3],
    };

    fn leaf(key: u64, id: u32, res: [u32; 3]) -> Node {
        Node {
            key,
            id,
            left: NIL,
            right: NIL,
            size: 1,
            res,
            max: res,
        }
    }

    #[inline]
    pub(crate) fn pair(&self) -> (u64, u32) {
        (self.key, self.id)
    }
}

/// Treap priority of a pair: SplitMix64 of the pair. Not injective; see [`outranks`].
#[inline]
fn priority(key: u64, id: u32) -> u64 {
    let mut z = (key.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ u64::from(id))
        .wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// True when the pair `a`, of priority `pa`, belongs above the pair `b`, of priority `pb`: a
/// higher priority, ties broken by the pair itself. This is a strict total order on pairs, so
/// the tree's shape depends only on the set of pairs.
#[inline]
fn outranks(pa: u64, a: (u64, u32), pb: u64, b: (u64, u32)) -> bool {
    pa > pb || (pa == pb && a > b)
}

/// True when `have` is at least `need` in every component.
#[inline]
fn fits(have: [u32; 3], need: [u32; 3]) -> bool {
    have[0] >= need[0] && have[1] >= need[1] && have[2] >= need[2]
}

#[inline]
fn max3(a: [u32; 3], b: [u32; 3]) -> [u32; 3] {
    [a[0].max(b[0]), a[1].max(b[1]), a[2].max(b[2])]
}

/// A run of consecutive entries, positions `start..start + len` in order, from
/// [`OrderedIndex::key_span`] or [`OrderedIndex::full_span`]; it also names the subtree
/// holding them, for [`OrderedIndex::nth_in`]. Valid until the index changes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Span {
    /// Position of the first entry in order.
    pub start: usize,
    /// Number of entries.
    pub len: usize,
    /// The root of the smallest subtree the search met that holds every entry of the span.
    root: Link,
    /// Entries of that subtree before the span.
    skip: usize,
}

/// An ordered set of entries `(key, id) -> res`, with O(log N) expected updates, fit queries,
/// ranks and in-order iteration. See the crate documentation for its invariants.
#[derive(Clone)]
pub struct OrderedIndex {
    /// The arena; `nodes[0]` is the sentinel.
    pub(crate) nodes: Vec<Node>,
    pub(crate) root: Link,
    /// Head of the list of freed slots, linked through `Node::left`.
    free: Link,
    /// Scratch for updates: the ancestors of the node being changed, root first. Kept so that
    /// updates allocate nothing once it has grown to the tree's depth.
    path: Vec<Link>,
}

impl Default for OrderedIndex {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for OrderedIndex {
    /// Formats the entries in order, as a map from `(key, id)` to `res`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map()
            .entries(self.iter().map(|(key, id, res)| ((key, id), res)))
            .finish()
    }
}

impl OrderedIndex {
    /// An empty index.
    pub fn new() -> Self {
        Self::with_capacity(0)
    }

    /// An empty index with room for `capacity` entries before its arena grows.
    pub fn with_capacity(capacity: usize) -> Self {
        let mut nodes = Vec::with_capacity(capacity + 1);
        nodes.push(Node::SENTINEL);
        OrderedIndex {
            nodes,
            root: NIL,
            free: NIL,
            path: Vec::new(),
        }
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.nodes[self.root as usize].size as usize
    }

    /// True when the index holds no entry.
    pub fn is_empty(&self) -> bool {
        self.root == NIL
    }

    /// Removes every entry, keeping the arena's allocation.
    pub fn clear(&mut self) {
        self.nodes.truncate(1);
        self.root = NIL;
        self.free = NIL;
    }

    /// Component-wise maximum of `res` over all entries; zeros when empty.
    pub fn max_res(&self) -> [u32; 3] {
        self.nodes[self.root as usize].max
    }

    // ----- updates -----

    /// Inserts the entry `(key, id)` with resources `res`.
    ///
    /// # Panics
    /// If `(key, id)` is already present (in release builds too). The index is left unchanged.
    pub fn insert(&mut self, key: u64, id: u32, res: [u32; 3]) {
        let at = (key, id);
        let prio = priority(key, id);
        // Walk down to the first node the new one outranks: it will take that node's place.
        // Nothing changes before the walk is over.
        self.path.clear();
        let mut t = self.root;
        while t != NIL {
            let node = &self.nodes[t as usize];
            if !outranks(priority(node.key, node.id), node.pair(), prio, at) {
                break;
            }
            let next = match at.cmp(&node.pair()) {
                Ordering::Less => node.left,
                Ordering::Greater => node.right,
                Ordering::Equal => unreachable!("a pair's priority is its own"),
            };
            self.path.push(t);
            t = next;
        }
        // A present pair has the new one's priority, so its ancestors outrank the new node and
        // the walk stops exactly at it.
        if t != NIL && self.nodes[t as usize].pair() == at {
            panic!("OrderedIndex::insert: ({key}, {id}) is already present");
        }
        let (before, after) = self.split(t, at);
        let n = self.alloc(key, id, res);
        self.nodes[n as usize].left = before;
        self.nodes[n as usize].right = after;
        self.pull(n);
        self.set_child(self.path.last().copied().unwrap_or(NIL), at, n);
        for i in 0..self.path.len() {
            let ancestor = self.path[i];
            self.grown(ancestor, res);
        }
    }

    /// Removes `(key, id)` and returns its resources, or `None` (and changes nothing) if absent.
    pub fn remove(&mut self, key: u64, id: u32) -> Option<[u32; 3]> {
        let at = (key, id);
        let t = self.find_with_path(at);
        if t == NIL {
            return None;
        }
        let node = self.nodes[t as usize];
        let joined = self.merge(node.left, node.right);
        self.set_child(self.path.last().copied().unwrap_or(NIL), at, joined);
        self.release(t);
        let mut max_changed = true;
        for i in (0..self.path.len()).rev() {
            let ancestor = self.path[i];
            self.nodes[ancestor as usize].size -= 1;
            if max_changed {
                max_changed = self.refresh_max(ancestor, node.res, [0; 3]);
            }
        }
        Some(node.res)
    }

    /// Moves the entry `(key, id)` to `(new_key, id)` with resources `res`, and returns its old
    /// resources. The result is exactly that of `remove(key, id)` then `insert(new_key, id, res)`
    /// (the tree's shape depends only on the set of pairs); when `new_key == key` the node is
    /// updated in place, without restructuring.
    ///
    /// # Panics
    /// If `(key, id)` is absent, or if `new_key != key` and `(new_key, id)` is already present.
    /// The index is left unchanged in both cases.
    pub fn update(&mut self, key: u64, id: u32, new_key: u64, res: [u32; 3]) -> [u32; 3] {
        if new_key == key {
            let t = self.find_with_path((key, id));
            assert!(
                t != NIL,
                "OrderedIndex::update: ({key}, {id}) is not present"
            );
            let old = std::mem::replace(&mut self.nodes[t as usize].res, res);
            if self.refresh_max(t, old, res) {
                for i in (0..self.path.len()).rev() {
                    if !self.refresh_max(self.path[i], old, res) {
                        break;
                    }
                }
            }
            return old;
        }
        // Insert first: it panics before changing anything if the new pair is present; then undo
        // it if the old pair turns out to be absent, so a panic never leaves half an update.
        self.insert(new_key, id, res);
        match self.remove(key, id) {
            Some(old) => old,
            None => {
                self.remove(new_key, id);
                panic!("OrderedIndex::update: ({key}, {id}) is not present")
            }
        }
    }

    /// Finds the node holding `at` (or `NIL`), leaving its ancestors in `self.path`, root first.
    fn find_with_path(&mut self, at: (u64, u32)) -> Link {
        self.path.clear();
        let mut t = self.root;
        while t != NIL {
            let node = &self.nodes[t as usize];
            let next = match at.cmp(&node.pair()) {
                Ordering::Less => node.left,
                Ordering::Greater => node.right,
                Ordering::Equal => return t,
            };
            self.path.push(t);
            t = next;
        }
        NIL
    }

    /// Makes `child` the subtree of `parent` on the side where `at` belongs (the root when
    /// `parent` is `NIL`).
    fn set_child(&mut self, parent: Link, at: (u64, u32), child: Link) {
        if parent == NIL {
            self.root = child;
        } else if at < self.nodes[parent as usize].pair() {
            self.nodes[parent as usize].left = child;
        } else {
            self.nodes[parent as usize].right = child;
        }
    }

    /// Takes a slot for a new leaf, from the free list when it has one.
    fn alloc(&mut self, key: u64, id: u32, res: [u32; 3]) -> Link {
        let node = Node::leaf(key, id, res);
        if self.free != NIL {
            let slot = self.free;
            self.free = self.nodes[slot as usize].left;
            self.nodes[slot as usize] = node;
            slot
        } else {
            let slot =
                Link::try_from(self.nodes.len()).expect("OrderedIndex: more than u32::MAX entries");
            self.nodes.push(node);
            slot
        }
    }

    /// Returns a slot to the free list.
    fn release(&mut self, slot: Link) {
        self.nodes[slot as usize] = Node {
            left: self.free,
            ..Node::SENTINEL
        };
        self.free = slot;
    }

    /// Recomputes `size` and `max` of `t` from its own entry and its children.
    #[inline]
    fn pull(&mut self, t: Link) {
        let node = self.nodes[t as usize];
        let left = &self.nodes[node.left as usize];
        let right = &self.nodes[node.right as usize];
        let size = 1 + left.size + right.size;
        let max = max3(node.res, max3(left.max, right.max));
        let node = &mut self.nodes[t as usize];
        node.size = size;
        node.max = max;
    }

    /// Updates `t` after an entry with resources `res` was added below it: no child is read.
    #[inline]
    fn grown(&mut self, t: Link, res: [u32; 3]) {
        let node = &mut self.nodes[t as usize];
        node.size += 1;
        node.max = max3(node.max, res);
    }

    /// Updates the maxima of `t` after an entry in its subtree (or its own) went from `old` to
    /// `new` (zeros when it was removed), given that its children's maxima are up to date.
    /// Returns whether the maxima changed: when they did not, no ancestor's do either.
    ///
    /// The children are read only when a component's maximum may have been lost: `old` attained
    /// it, `new` does not, and neither does the node's own entry.
    #[inline]
    fn refresh_max(&mut self, t: Link, old: [u32; 3], new: [u32; 3]) -> bool {
        let node = &self.nodes[t as usize];
        let before = node.max;
        let lost =
            |c: usize| (old[c] == before[c]) & (new[c] < old[c]) & (node.res[c] != before[c]);
        let after = if lost(0) | lost(1) | lost(2) {
            let (left, right) = (
                &self.nodes[node.left as usize],
                &self.nodes[node.right as usize],
            );
            max3(node.res, max3(left.max, right.max))
        } else {
            max3(before, new)
        };
        self.nodes[t as usize].max = after;
        after != before
    }

    /// True when the node `a` belongs above the node `b`.
    #[inline]
    fn node_outranks(&self, a: Link, b: Link) -> bool {
        let (a, b) = (&self.nodes[a as usize], &self.nodes[b as usize]);
        outranks(
            priority(a.key, a.id),
            a.pair(),
            priority(b.key, b.id),
            b.pair(),
        )
    }

    /// Splits the subtree `t` into the pairs before `at` and those after it; `at` is absent.
    fn split(&mut self, t: Link, at: (u64, u32)) -> (Link, Link) {
        if t == NIL {
            return (NIL, NIL);
        }
        match self.nodes[t as usize].pair().cmp(&at) {
            Ordering::Less => {
                let (middle, after) = self.split(self.nodes[t as usize].right, at);
                self.nodes[t as usize].right = middle;
                self.pull(t);
                (t, after)
            }
            Ordering::Greater => {
                let (before, middle) = self.split(self.nodes[t as usize].left, at);
                self.nodes[t as usize].left = middle;
                self.pull(t);
                (before, t)
            }
            // `insert` stops its walk at a present pair and never splits above it.
            Ordering::Equal => unreachable!("OrderedIndex::split at a present pair {at:?}"),
        }
    }

    /// Joins two subtrees where every pair of `a` is before every pair of `b`.
    fn merge(&mut self, a: Link, b: Link) -> Link {
        if a == NIL {
            return b;
        }
        if b == NIL {
            return a;
        }
        if self.node_outranks(a, b) {
            let right = self.merge(self.nodes[a as usize].right, b);
            self.nodes[a as usize].right = right;
            self.pull(a);
            a
        } else {
            let left = self.merge(a, self.nodes[b as usize].left);
            self.nodes[b as usize].left = left;
            self.pull(b);
            b
        }
    }

    // ----- queries -----

    /// The resources of `(key, id)`, or `None` if absent.
    pub fn get(&self, key: u64, id: u32) -> Option<[u32; 3]> {
        let at = (key, id);
        let mut t = self.root;
        while t != NIL {
            let node = &self.nodes[t as usize];
            t = match at.cmp(&node.pair()) {
                Ordering::Less => node.left,
                Ordering::Greater => node.right,
                Ordering::Equal => return Some(node.res),
            };
        }
        None
    }

    /// The first pair in order at or after `from` whose `res` is at least `need` in every
    /// component, or `None`.
    ///
    /// It descends only into subtrees whose maxima allow `need`. Maxima are kept per component,
    /// so a subtree may pass that test without holding a fitting entry; the search then backs
    /// out of it and goes on. No allocation.
    pub fn first_fit(&self, from: (u64, u32), need: [u32; 3]) -> Option<(u64, u32)> {
        match self.first_fit_from::<64>(self.root, from, need) {
            NIL => None,
            t => Some(self.nodes[t as usize].pair()),
        }
    }

    /// `first_fit` within the subtree `t`, among the pairs at or after `from`.
    ///
    /// It walks down towards `from`, stacking the nodes at or after it (where the walk turns
    /// left), then tries them deepest first: each node, then its right subtree. A subtree whose
    /// maxima do not allow `need` ends the walk. The stack is a fixed array of `DEPTH` links;
    /// past that (64 is far beyond a treap's expected depth) the rest of the walk recurses.
    pub(crate) fn first_fit_from<const DEPTH: usize>(
        &self,
        mut t: Link,
        from: (u64, u32),
        need: [u32; 3],
    ) -> Link {
        let mut candidates = [NIL; DEPTH];
        let mut len = 0;
        while t != NIL {
            let node = &self.nodes[t as usize];
            if !fits(node.max, need) {
                break;
            }
            if node.pair() < from {
                t = node.right;
            } else if len == DEPTH {
                let found = self.first_fit_from::<DEPTH>(t, from, need);
                if found != NIL {
                    return found;
                }
                break;
            } else {
                candidates[len] = t;
                len += 1;
                t = node.left;
            }
        }
        for &c in candidates[..len].iter().rev() {
            let node = &self.nodes[c as usize];
            if fits(node.res, need) {
                return c;
            }
            let found = self.first_fit_all(node.right, need);
            if found != NIL {
                return found;
            }
        }
        NIL
    }

    /// `first_fit` within the whole subtree `t`.
    fn first_fit_all(&self, mut t: Link, need: [u32; 3]) -> Link {
        loop {
            let node = &self.nodes[t as usize];
            if t == NIL || !fits(node.max, need) {
                return NIL;
            }
            let found = self.first_fit_all(node.left, need);
            if found != NIL {
                return found;
            }
            if fits(node.res, need) {
                return t;
            }
            t = node.right;
        }
    }

    /// Number of entries strictly before `(key, id)`, which need not be present.
    pub fn rank(&self, key: u64, id: u32) -> usize {
        let at = (key, id);
        self.count_while(|pair| pair < at)
    }

    /// Number of entries whose key is exactly `key`.
    pub fn count_key(&self, key: u64) -> usize {
        self.count_while(|(k, _)| k <= key) - self.count_while(|(k, _)| k < key)
    }

    /// Number of entries in the leading run of pairs for which `before` holds; `before` must be
    /// true for a prefix of the order and false after it.
    fn count_while(&self, before: impl Fn((u64, u32)) -> bool) -> usize {
        let mut count = 0;
        let mut t = self.root;
        while t != NIL {
            let node = &self.nodes[t as usize];
            if before(node.pair()) {
                count += self.nodes[node.left as usize].size as usize + 1;
                t = node.right;
            } else {
                t = node.left;
            }
        }
        count
    }

    /// The entries whose key is exactly `key`: where they start in order (`rank(key, 0)`),
    /// how many there are (`count_key(key)`), and the subtree that holds them all, so that
    /// [`OrderedIndex::nth_in`] reaches one without descending from the root. One descent to
    /// that subtree's root, then one down each side of it.
    pub fn key_span(&self, key: u64) -> Span {
        let mut before = 0;
        let mut t = self.root;
        while t != NIL {
            let node = &self.nodes[t as usize];
            match node.key.cmp(&key) {
                Ordering::Less => {
                    before += self.nodes[node.left as usize].size as usize + 1;
                    t = node.right;
                }
                Ordering::Greater => t = node.left,
                Ordering::Equal => break,
            }
        }
        if t == NIL {
            return Span {
                start: before,
                len: 0,
                root: NIL,
                skip: 0,
            };
        }
        // `t` holds the key, so every entry with it lies in `t`'s subtree: those of the left
        // subtree not before the key, `t`, and those of the right subtree not after it.
        let node = &self.nodes[t as usize];
        let mut skip = 0;
        let mut u = node.left;
        while u != NIL {
            let below = &self.nodes[u as usize];
            if below.key < key {
                skip += self.nodes[below.left as usize].size as usize + 1;
                u = below.right;
            } else {
                u = below.left;
            }
        }
        let mut after = 0;
        let mut u = node.right;
        while u != NIL {
            let below = &self.nodes[u as usize];
            if below.key <= key {
                after += self.nodes[below.left as usize].size as usize + 1;
                u = below.right;
            } else {
                u = below.left;
            }
        }
        Span {
            start: before + skip,
            len: self.nodes[node.left as usize].size as usize - skip + 1 + after,
            root: t,
            skip,
        }
    }

    /// Every entry, as a [`Span`].
    pub fn full_span(&self) -> Span {
        Span {
            start: 0,
            len: self.len(),
            root: self.root,
            skip: 0,
        }
    }

    /// The entry at position `k` within `span` (0-based), that is `nth(span.start + k)`, or
    /// `None` if `k >= span.len`. It descends from the subtree that holds the span, not from
    /// the root. The span must come from this index, unchanged since.
    pub fn nth_in(&self, span: Span, k: usize) -> Option<(u64, u32, [u32; 3])> {
        if k >= span.len {
            return None;
        }
        self.nth_from(span.root, span.skip + k)
    }

    /// The entry at position `k` in order (0-based), or `None` if `k >= len()`.
    pub fn nth(&self, k: usize) -> Option<(u64, u32, [u32; 3])> {
        self.nth_from(self.root, k)
    }

    /// The entry at position `k` in the subtree `t`.
    #[inline]
    fn nth_from(&self, mut t: Link, mut k: usize) -> Option<(u64, u32, [u32; 3])> {
        while t != NIL {
            let node = &self.nodes[t as usize];
            let left = self.nodes[node.left as usize].size as usize;
            match k.cmp(&left) {
                Ordering::Less => t = node.left,
                Ordering::Equal => return Some((node.key, node.id, node.res)),
                Ordering::Greater => {
                    k -= left + 1;
                    t = node.right;
                }
            }
        }
        None
    }

    /// The entries in order, from the first.
    pub fn iter(&self) -> Iter<'_> {
        Iter::new(self, (0, 0))
    }

    /// The entries in order, from the first pair at or after `from`. Starting costs O(log N);
    /// each step is amortised O(1). The iterator allocates its stack once.
    pub fn iter_from(&self, from: (u64, u32)) -> Iter<'_> {
        Iter::new(self, from)
    }

    // ----- self-check -----

    /// Recomputes every node's size and maxima and verifies the order, the heap property of
    /// priorities, the sentinel and the free list. Panics on any mismatch. O(N); for tests.
    #[doc(hidden)]
    pub fn check(&self) {
        let sentinel = &self.nodes[NIL as usize];
        assert!(
            sentinel.size == 0 && sentinel.max == [0; 3] && sentinel.res == [0; 3],
            "the sentinel was written to: {sentinel:?}"
        );
        assert!(
            sentinel.left == NIL && sentinel.right == NIL,
            "the sentinel has links: {sentinel:?}"
        );
        let mut seen = vec![false; self.nodes.len()];
        seen[NIL as usize] = true;
        let live = self.check_subtree(self.root, None, None, &mut seen).0;
        assert_eq!(live as usize, self.len(), "root size");
        let mut free = 0usize;
        let mut slot = self.free;
        while slot != NIL {
            assert!(
                !seen[slot as usize],
                "free slot {slot} is also in the tree or listed twice"
            );
            seen[slot as usize] = true;
            free += 1;
            slot = self.nodes[slot as usize].left;
        }
        assert_eq!(
            1 + live as usize + free,
            self.nodes.len(),
            "slots neither in the tree nor free"
        );
    }

    /// Checks the subtree `t`, whose pairs must lie strictly between `lo` and `hi`; returns its
    /// recomputed size and maxima.
    fn check_subtree(
        &self,
        t: Link,
        lo: Option<(u64, u32)>,
        hi: Option<(u64, u32)>,
        seen: &mut [bool],
    ) -> (u32, [u32; 3]) {
        if t == NIL {
            return (0, [0; 3]);
        }
        assert!(!seen[t as usize], "slot {t} is reached twice");
        seen[t as usize] = true;
        let node = self.nodes[t as usize];
        let pair = node.pair();
        assert!(
            lo.is_none_or(|lo| lo < pair),
            "order: {pair:?} after {lo:?}"
        );
        assert!(
            hi.is_none_or(|hi| pair < hi),
            "order: {pair:?} before {hi:?}"
        );
        for child in [node.left, node.right] {
            if child != NIL {
                assert!(
                    self.node_outranks(t, child),
                    "heap: child {:?} outranks its parent {pair:?}",
                    self.nodes[child as usize].pair()
                );
            }
        }
        let (left_size, left_max) = self.check_subtree(node.left, lo, Some(pair), seen);
        let (right_size, right_max) = self.check_subtree(node.right, Some(pair), hi, seen);
        let size = 1 + left_size + right_size;
        let max = max3(node.res, max3(left_max, right_max));
        assert_eq!(node.size, size, "size of the subtree at {pair:?}");
        assert_eq!(node.max, max, "maxima of the subtree at {pair:?}");
        (size, max)
    }
}
