//! `binpack`: prefer the instance with the least of a resource left once the task is on it
//! (ECS.md §1.5), which packs tasks onto few instances and leaves others free.

use cluster::cluster::Cluster;
use cluster::ids::InstanceId;
use cluster::placement::{PlacementRequest, PlacementStrategy};
use cluster::spec::Resource;
use des::SimRng;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Binpack {
    pub field: Resource,
}

impl PlacementStrategy for Binpack {
    /// The score is what would remain after placing: CPU units or MiB. Remaining before
    /// placing would rank the candidates the same way (the task's size is subtracted from
    /// each), but "after" is the figure ECS's wording describes.
    fn score(
        &self,
        request: &PlacementRequest<'_>,
        cluster: &Cluster,
        candidates: &[InstanceId],
        scores: &mut [i64],
        _rng: &mut SimRng,
    ) {
        let definition = request.task_definition;
        for (score, &id) in scores.iter_mut().zip(candidates) {
            let instance = cluster.instance(id);
            let (remaining, needed) = match self.field {
                Resource::Cpu => (instance.remaining_cpu_units, definition.cpu_units),
                Resource::Memory => (instance.remaining_memory_mib, definition.memory_mib),
            };
            // Candidates fit, so this does not go below zero; widening keeps it exact anyway.
            *score = i64::from(remaining) - i64::from(needed);
        }
    }
}

#[cfg(test)]
mod tests;
