//! The two ECS placement constraints (ECS.md §1.2). Unlike strategies they are binding: an
//! instance they rule out is never chosen, and when they rule out every candidate the
//! placement fails with their reason.

use cluster::cluster::Cluster;
use cluster::instance::ContainerInstance;
use cluster::placement::{PlacementConstraint, PlacementRequest};
use cluster::query::Expression;

/// `distinctInstance`: at most one active task of the request's group per instance.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DistinctInstance;

impl PlacementConstraint for DistinctInstance {
    fn allows(
        &self,
        request: &PlacementRequest<'_>,
        cluster: &Cluster,
        instance: &ContainerInstance,
    ) -> bool {
        cluster.group_tasks_on(request.group, instance.id) == 0
    }

    fn failure_reason(&self) -> &'static str {
        "DistinctInstance constraint"
    }
}

/// `memberOf`: only instances that satisfy a cluster query language expression.
#[derive(Clone, Debug, PartialEq)]
pub struct MemberOf {
    pub expression: Expression,
}

impl PlacementConstraint for MemberOf {
    fn allows(
        &self,
        _request: &PlacementRequest<'_>,
        cluster: &Cluster,
        instance: &ContainerInstance,
    ) -> bool {
        self.expression.matches(cluster, instance)
    }

    fn failure_reason(&self) -> &'static str {
        "MemberOf constraint"
    }
}

#[cfg(test)]
mod tests;
