//! `random`: every candidate is equally likely (ECS.md §1.5). Each candidate gets an
//! independent uniform score, so the best one is a uniform pick among the candidates this
//! strategy sees; after `spread` that is a uniform pick within the best zone.

use cluster::cluster::Cluster;
use cluster::ids::InstanceId;
use cluster::placement::{PlacementRequest, PlacementStrategy};
use des::SimRng;
use rand::RngCore;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Random;

impl PlacementStrategy for Random {
    /// Draws in candidate order, which is instance-id order, so a seed gives one outcome.
    /// 63 random bits make a tie (left to the pipeline's tie-break) vanishingly rare.
    fn score(
        &self,
        _request: &PlacementRequest<'_>,
        _cluster: &Cluster,
        _candidates: &[InstanceId],
        scores: &mut [i64],
        rng: &mut SimRng,
    ) {
        for score in scores.iter_mut() {
            *score = (rng.next_u64() >> 1) as i64;
        }
    }
}

#[cfg(test)]
mod tests;
