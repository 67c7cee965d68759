//! `binpack`: prefer the instance with the least of a resource left once the task is on it
//! (ECS.md §1.5), which packs tasks onto few instances and leaves others free.

use cluster::ids::InstanceId;
use cluster::placement::{PlacementRequest, PlacementStrategy, PlacementView, StrategyKind};
use cluster::spec::Resource;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Binpack {
    pub field: Resource,
}

impl PlacementStrategy for Binpack {
    fn kind(&self) -> StrategyKind<'_> {
        StrategyKind::Binpack(self.field)
    }

    /// The score is what would remain after placing: CPU units or MiB. Remaining before
    /// placing would rank the instances the same way (the task's size is subtracted from
    /// each), but "after" is the figure ECS's wording describes. It is negative on an
    /// instance without room, which can only be in the tie-break pool, never chosen.
    fn score(
        &self,
        request: &PlacementRequest<'_>,
        view: &PlacementView<'_>,
        instances: &[InstanceId],
        scores: &mut [i64],
    ) {
        let needs = request.requirements;
        for (score, &id) in scores.iter_mut().zip(instances) {
            let instance = view.instance(id);
            let (remaining, needed) = match self.field {
                Resource::Cpu => (instance.remaining_cpu_units, needs.cpu_units),
                Resource::Memory => (instance.remaining_memory_mib, needs.memory_mib),
            };
            *score = i64::from(remaining) - i64::from(needed);
        }
    }
}

#[cfg(test)]
mod tests;
