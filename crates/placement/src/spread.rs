//! `spread`: prefer the candidates whose value of a field hosts the fewest active tasks of
//! the request's group (ECS.md §1.5, INFERRED model). Placing tasks one at a time, each
//! seeing the previous ones, this evens the group out over the field's values.
//!
//! Only candidates compete, so a value that no candidate has (a zone with no instance
//! left, say) is ignored rather than waited for (A17). Tasks on instances that are not
//! candidates (full, DRAINING, ruled out by a constraint) still count for their value:
//! they are part of the spread the user sees.

use std::collections::BTreeMap;

use cluster::ids::InstanceId;
use cluster::instance::ATTRIBUTE_ZONE;
use cluster::placement::{PlacementRequest, PlacementStrategy, PlacementView, StrategyKind};
use cluster::spec::SpreadField;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Spread {
    pub field: SpreadField,
}

impl PlacementStrategy for Spread {
    fn kind(&self) -> StrategyKind<'_> {
        match &self.field {
            SpreadField::InstanceId => StrategyKind::SpreadInstanceId,
            SpreadField::Attribute(name) => StrategyKind::SpreadAttribute(name),
        }
    }

    fn score(
        &self,
        request: &PlacementRequest<'_>,
        cluster: &PlacementView<'_>,
        candidates: &[InstanceId],
        scores: &mut [i64],
    ) {
        let group = request.group;
        match &self.field {
            SpreadField::InstanceId => {
                for (score, &id) in scores.iter_mut().zip(candidates) {
                    *score = i64::from(cluster.group_tasks_on(group, id));
                }
            }
            // The zone attribute always holds the instance's zone name, so the counts the
            // cluster keeps per zone answer without looking at attributes.
            SpreadField::Attribute(name) if name == ATTRIBUTE_ZONE => {
                for (score, &id) in scores.iter_mut().zip(candidates) {
                    let zone = cluster.instance(id).availability_zone;
                    *score = i64::from(cluster.group_tasks_in_zone(group, zone));
                }
            }
            SpreadField::Attribute(name) => {
                // Instances without the attribute form one more value, "none", and are
                // spread over like any other: the behaviour needs no special case, and a
                // scenario that tags only some instances still sees balance.
                let mut per_value: BTreeMap<Option<&str>, u32> = BTreeMap::new();
                for (id, count) in cluster.group_instances(group) {
                    *per_value
                        .entry(cluster.instance(id).attribute(name))
                        .or_default() += count;
                }
                for (score, &id) in scores.iter_mut().zip(candidates) {
                    let value = cluster.instance(id).attribute(name);
                    *score = i64::from(per_value.get(&value).copied().unwrap_or(0));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests;
