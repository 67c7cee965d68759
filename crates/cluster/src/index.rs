//! Ordered indexes of ACTIVE instances that placement narrows candidates with, and the
//! indexed placement decision. (Filled in by the indexed-placement change.)

use des::SimRng;

use crate::ids::InstanceId;
use crate::instance::ContainerInstance;
use crate::placement::{Placement, PlacementFailure, PlacementRequest, PlacementView};

/// Which indexes a run needs, from every placement it will make.
#[derive(Clone, Debug, Default)]
pub struct IndexPlan {}

impl IndexPlan {
    pub fn of<'a>(_placements: impl Iterator<Item = &'a Placement>) -> IndexPlan {
        IndexPlan {}
    }
}

#[derive(Debug)]
pub struct PlacementIndex {}

impl PlacementIndex {
    pub(crate) fn new(_plan: IndexPlan, _zones: usize) -> PlacementIndex {
        PlacementIndex {}
    }

    pub(crate) fn insert(&mut self, _instance: &ContainerInstance) {}

    pub(crate) fn remove(&mut self, _instance: &ContainerInstance) {}

    pub(crate) fn check(&self, _instances: &[ContainerInstance]) {}
}

/// The decision `place_scan` would make, from the indexes; `None` when the chain is not one
/// the indexes know.
pub(crate) fn place_indexed(
    _view: &PlacementView<'_>,
    _request: &PlacementRequest<'_>,
    _placement: &Placement,
    _rng: &mut SimRng,
) -> Option<Result<InstanceId, PlacementFailure>> {
    None
}
