//! The scale-in order in O(log N) per task chosen, for the chains whose scores belong to an
//! instance: `binpack` and `spread` on `instanceId`, after at most one leading `spread` on
//! an attribute (ECS's default chain is one). It chooses exactly what the general order in
//! `scheduler.rs` chooses (ECS.md §1.6), which test builds check on every call.
//!
//! Why it is exact: every score of such a chain is a property of the task's instance, and
//! choosing a task changes only its own instance's scores (`spread` on `instanceId` counts
//! one task fewer there; `binpack` reads the resources left, which stopping has not yet
//! released) and its attribute value's count. So each value keeps its instances in a heap
//! by (scores, lowest id first); the chosen instance is the only entry to refresh, and the
//! leading `spread` compares the few values.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap};

use super::Cluster;
use crate::ids::{InstanceId, TaskId};
use crate::placement::{Placement, StrategyKind};
use crate::spec::Resource;

/// An instance's place in its value's heap: its scores in chain order, then the lowest id.
type Entry = (Vec<i64>, Reverse<InstanceId>);

impl Cluster {
    /// `scale_in_order` without a trace, for the chains described above; `None` for any
    /// other chain (a `random` step, a custom strategy, a second attribute `spread`).
    pub(super) fn scale_in_order_indexed(
        &self,
        placement: &Placement,
        per_instance: &BTreeMap<InstanceId, u32>,
        candidates: &[TaskId],
        count: u32,
    ) -> Option<Vec<TaskId>> {
        let kinds: Vec<StrategyKind<'_>> = placement.strategies.iter().map(|s| s.kind()).collect();
        let (lead, rest) = match kinds.split_first() {
            Some((StrategyKind::SpreadAttribute(name), rest)) => (Some(*name), rest),
            _ => (None, &kinds[..]),
        };
        if !rest.iter().all(|kind| {
            matches!(
                kind,
                StrategyKind::Binpack(_) | StrategyKind::SpreadInstanceId
            )
        }) {
            return None;
        }
        let mut per_instance = per_instance.clone();
        let value_of = |instance: InstanceId| {
            lead.and_then(|name| self.capacity.instance(instance).attribute(name))
        };
        // The lead's count per value: the service's active tasks there.
        let mut per_value: BTreeMap<Option<&str>, i64> = BTreeMap::new();
        if lead.is_some() {
            for (&instance, &n) in &per_instance {
                *per_value.entry(value_of(instance)).or_default() += i64::from(n);
            }
        }
        // The candidates per instance, oldest first: the newest is chosen first.
        let mut left: BTreeMap<InstanceId, Vec<(u64, TaskId)>> = BTreeMap::new();
        for &task in candidates {
            let task = self.tasks.get(task);
            left.entry(task.instance)
                .or_default()
                .push((task.number, task.id));
        }
        let scores = |per_instance: &BTreeMap<InstanceId, u32>, instance: InstanceId| -> Entry {
            let state = self.capacity.instance(instance);
            let scores = rest
                .iter()
                .map(|kind| match kind {
                    StrategyKind::SpreadInstanceId => {
                        i64::from(per_instance.get(&instance).copied().unwrap_or(0))
                    }
                    StrategyKind::Binpack(Resource::Cpu) => i64::from(state.remaining_cpu_units),
                    StrategyKind::Binpack(Resource::Memory) => {
                        i64::from(state.remaining_memory_mib)
                    }
                    _ => unreachable!("refused above"),
                })
                .collect();
            (scores, Reverse(instance))
        };
        let mut heaps: BTreeMap<Option<&str>, BinaryHeap<Entry>> = BTreeMap::new();
        for (&instance, tasks) in &mut left {
            tasks.sort_unstable();
            heaps
                .entry(value_of(instance))
                .or_default()
                .push(scores(&per_instance, instance));
        }
        let mut chosen = Vec::new();
        while chosen.len() < count as usize {
            // The lead's values with the most of the service's tasks, among those with a
            // candidate left; then the best instance of those values.
            let most = heaps
                .iter()
                .filter(|(_, heap)| !heap.is_empty())
                .map(|(value, _)| per_value.get(value).copied().unwrap_or(0))
                .max();
            let Some(most) = most else { break };
            let value = heaps
                .iter()
                .filter(|(value, heap)| {
                    !heap.is_empty() && per_value.get(*value).copied().unwrap_or(0) == most
                })
                .max_by(|a, b| a.1.peek().cmp(&b.1.peek()))
                .map(|(value, _)| *value)
                .expect("a value has a candidate");
            let heap = heaps.get_mut(&value).expect("chosen from the heaps");
            let (_, Reverse(instance)) = heap.pop().expect("not empty");
            let tasks = left
                .get_mut(&instance)
                .expect("a heap entry has candidates");
            let (_, victim) = tasks.pop().expect("an instance in a heap has candidates");
            chosen.push(victim);
            if let Some(n) = per_instance.get_mut(&instance) {
                *n -= 1;
                if let Some(count) = per_value.get_mut(&value) {
                    *count -= 1;
                }
            }
            if !tasks.is_empty() {
                heap.push(scores(&per_instance, instance));
            }
        }
        Some(chosen)
    }
}
