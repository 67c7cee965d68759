//! ECS placement strategies and constraints, one file each, behind the traits of
//! `cluster::placement`; and `build`, which turns a validated `PlacementSpec` into the
//! `Placement` the engine places with. This crate only reads the cluster.

pub mod binpack;
pub mod constraints;
pub mod random;
pub mod spread;

#[cfg(test)]
mod fixture;
#[cfg(test)]
mod tests;

use cluster::instance::ATTRIBUTE_ZONE;
use cluster::placement::{Placement, PlacementConstraint, PlacementStrategy};
use cluster::spec::{ConstraintSpec, PlacementSpec, SpreadField, StrategySpec};

use crate::binpack::Binpack;
use crate::constraints::{DistinctInstance, MemberOf};
use crate::random::Random;
use crate::spread::Spread;

/// Which of ECS's defaults an empty strategy list stands for (ECS.md §1.6).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DefaultStrategy {
    /// A service: balance across zones, then across instances (A1).
    Service,
    /// A standalone RunTask: random (A22).
    RunTask,
}

/// The strategy chain and constraints for one service or RunTask. The request's own
/// constraints come first, then the task definition's; ECS's limit of 10 in total is
/// checked by the scenario, not here.
pub fn build(
    spec: &PlacementSpec,
    task_definition_constraints: &[ConstraintSpec],
    default: DefaultStrategy,
) -> Placement {
    let default_strategies;
    let strategies = if spec.strategies.is_empty() {
        default_strategies = default_chain(default);
        &default_strategies
    } else {
        &spec.strategies
    };
    Placement {
        strategies: strategies.iter().map(strategy).collect(),
        constraints: spec
            .constraints
            .iter()
            .chain(task_definition_constraints)
            .map(constraint)
            .collect(),
    }
}

/// ECS's default when no strategy is given, in the same terms a scenario would write.
pub fn default_chain(default: DefaultStrategy) -> Vec<StrategySpec> {
    match default {
        DefaultStrategy::Service => vec![
            StrategySpec::Spread(SpreadField::Attribute(ATTRIBUTE_ZONE.to_string())),
            StrategySpec::Spread(SpreadField::InstanceId),
        ],
        DefaultStrategy::RunTask => vec![StrategySpec::Random],
    }
}

fn strategy(spec: &StrategySpec) -> Box<dyn PlacementStrategy> {
    match spec {
        StrategySpec::Binpack(field) => Box::new(Binpack { field: *field }),
        StrategySpec::Spread(field) => Box::new(Spread {
            field: field.clone(),
        }),
        StrategySpec::Random => Box::new(Random),
    }
}

fn constraint(spec: &ConstraintSpec) -> Box<dyn PlacementConstraint> {
    match spec {
        ConstraintSpec::DistinctInstance => Box::new(DistinctInstance),
        ConstraintSpec::MemberOf(expression) => Box::new(MemberOf {
            expression: expression.clone(),
        }),
    }
}
