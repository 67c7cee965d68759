//! The two ECS placement constraints (ECS.md §1.2). Unlike strategies they are binding: an
//! instance they rule out is never chosen, and when they rule out every candidate the
//! placement fails with their reason.

use cluster::instance::ContainerInstance;
use cluster::placement::{PlacementConstraint, PlacementRequest, PlacementView};
use cluster::query::Expression;

/// `distinctInstance`: at most one active task of the request's group per instance.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DistinctInstance;

impl PlacementConstraint for DistinctInstance {
    fn allows(
        &self,
        request: &PlacementRequest<'_>,
        view: &PlacementView<'_>,
        instance: &ContainerInstance,
    ) -> bool {
        view.group_tasks_on(request.group, instance.id) == 0
    }

    fn failure_reason(&self) -> &'static str {
        "DistinctInstance constraint"
    }

    fn describe(&self) -> String {
        "distinctInstance".to_string()
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
        view: &PlacementView<'_>,
        instance: &ContainerInstance,
    ) -> bool {
        let hosts_group = |group: &str| {
            view.group_id(group)
                .is_some_and(|id| view.group_tasks_on(id, instance.id) > 0)
        };
        self.expression.matches(instance, &hosts_group)
    }

    fn failure_reason(&self) -> &'static str {
        "MemberOf constraint"
    }

    fn describe(&self) -> String {
        format!("memberOf({})", self.expression.source())
    }
}

#[cfg(test)]
mod tests;
