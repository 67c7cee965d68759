//! `random`: every candidate is equally likely (ECS.md §1.5). It ends the chain: the pick
//! is uniform over the candidates the strategies before it left, drawn by the pipeline
//! (`cluster::placement::place_scan`, step 4) from the placement stream.

use cluster::ids::InstanceId;
use cluster::placement::{PlacementRequest, PlacementStrategy, PlacementView, StrategyKind};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Random;

impl PlacementStrategy for Random {
    fn kind(&self) -> StrategyKind<'_> {
        StrategyKind::Random
    }

    /// Never asked: the pipeline draws the pick itself. Every instance scores the same.
    fn score(
        &self,
        _: &PlacementRequest<'_>,
        _: &PlacementView<'_>,
        _: &[InstanceId],
        scores: &mut [i64],
    ) {
        scores.fill(0);
    }
}

#[cfg(test)]
mod tests;
