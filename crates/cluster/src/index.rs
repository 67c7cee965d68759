//! Ordered indexes of ACTIVE instances, and the placement decision answered from them in
//! O(log N) instead of a scan.
//!
//! Instances are grouped into *parts*: the whole cluster, each Availability Zone, and each
//! value of every other attribute a chain spreads on first. A part keeps its instances in an
//! `OrderedIndex` by id and/or by remaining CPU or memory, only the orders the run's chains
//! read (`IndexPlan`); each entry carries the instance's remaining `[cpu, memory, enis]`, whose subtree maxima let
//! a search skip instances without room. `Capacity` keeps them current through its one
//! reserve/release pair; `check` rebuilds them from the instances.
//!
//! `place_indexed` answers the chains ECS users write: an optional leading `spread` on an
//! attribute (the zone, or any other), then optionally one of `binpack`, `spread` on
//! `instanceId` or `random`, then optionally `random`; with any constraints. It gives the
//! decision `placement::place_scan` gives, with the same draws (a property test holds it to
//! that). Other chains, and failures (whose reason needs the closest instance), go to the
//! scan.

use std::cell::OnceCell;
use std::collections::BTreeMap;

use des::SimRng;
use index::{OrderedIndex, Span};

use crate::ids::{InstanceId, ZoneId};
use crate::instance::{ContainerInstance, ATTRIBUTE_ZONE};
use crate::placement::{
    first_shortfall, pick, Placement, PlacementFailure, PlacementRequest, PlacementView, Selection,
    StrategyKind,
};
use crate::spec::{Resource, TieBreak};

/// Which orders a partition of the instances keeps.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Orders {
    by_id: bool,
    /// By remaining CPU, by remaining memory.
    by_resource: [bool; 2],
}

impl Orders {
    fn any(self) -> bool {
        self.by_id || self.by_resource.iter().any(|&used| used)
    }

    fn merge(&mut self, other: Orders) {
        self.by_id |= other.by_id;
        self.by_resource[0] |= other.by_resource[0];
        self.by_resource[1] |= other.by_resource[1];
    }
}

/// Which indexes a run needs: for each chain the indexes answer, the orders its partition
/// (the cluster, the zones, or an attribute's values) must keep. Nothing else is kept, so
/// a run pays only for the indexes its chains read.
#[derive(Clone, Debug, Default)]
pub struct IndexPlan {
    global: Orders,
    zones: Orders,
    /// Attributes other than the zone that lead a chain's `spread`, sorted.
    attributes: Vec<(String, Orders)>,
}

/// The shape of a chain the indexes answer: a leading attribute `spread`, then one step,
/// and whether a `random` ends it after that step. `None` for other chains.
struct Shape<'a> {
    lead: Option<&'a str>,
    step: Option<StrategyKind<'a>>,
    then_random: bool,
}

fn shape<'a>(kinds: &[StrategyKind<'a>]) -> Option<Shape<'a>> {
    let (lead, rest) = match kinds.split_first() {
        Some((StrategyKind::SpreadAttribute(name), rest)) => (Some(*name), rest),
        _ => (None, kinds),
    };
    let (step, then_random) = match rest {
        [] => (None, false),
        [StrategyKind::Random, ..] => (Some(StrategyKind::Random), false),
        [step] => (Some(*step), false),
        [step, StrategyKind::Random, ..] => (Some(*step), true),
        _ => return None,
    };
    if matches!(
        step,
        Some(StrategyKind::Custom | StrategyKind::SpreadAttribute(_))
    ) {
        return None;
    }
    Some(Shape {
        lead,
        step,
        then_random,
    })
}

/// The orders a chain of this shape reads.
fn orders_of(shape: &Shape<'_>) -> Orders {
    let mut orders = Orders {
        // A lead is chosen by searching each value's instances by id.
        by_id: shape.lead.is_some(),
        by_resource: [false; 2],
    };
    match shape.step {
        Some(StrategyKind::Binpack(resource)) => orders.by_resource[resource_slot(resource)] = true,
        _ => orders.by_id = true,
    }
    orders
}

impl IndexPlan {
    pub fn of<'a>(placements: impl Iterator<Item = &'a Placement>) -> IndexPlan {
        let mut plan = IndexPlan::default();
        for placement in placements {
            let kinds: Vec<StrategyKind<'_>> =
                placement.strategies.iter().map(|s| s.kind()).collect();
            let Some(shape) = shape(&kinds) else {
                continue;
            };
            let orders = orders_of(&shape);
            match shape.lead {
                None => plan.global.merge(orders),
                Some(ATTRIBUTE_ZONE) => plan.zones.merge(orders),
                Some(name) => match plan.attributes.iter_mut().find(|(a, _)| a == name) {
                    Some((_, kept)) => kept.merge(orders),
                    None => plan.attributes.push((name.to_string(), orders)),
                },
            }
        }
        plan.attributes.sort_by(|a, b| a.0.cmp(&b.0));
        plan
    }
}

fn resource_slot(resource: Resource) -> usize {
    match resource {
        Resource::Cpu => 0,
        Resource::Memory => 1,
    }
}

/// Remaining `[cpu, memory, enis]`: what every index entry carries.
fn remaining(instance: &ContainerInstance) -> [u32; 3] {
    instance.remaining()
}

/// The instances of one part, in the orders its partition keeps.
#[derive(Debug)]
struct Part {
    by_id: Option<OrderedIndex>,
    /// By remaining CPU, by remaining memory.
    by_resource: [Option<OrderedIndex>; 2],
}

impl Part {
    fn new(orders: Orders) -> Part {
        Part {
            by_id: orders.by_id.then(OrderedIndex::new),
            by_resource: orders.by_resource.map(|used| used.then(OrderedIndex::new)),
        }
    }

    fn insert(&mut self, instance: &ContainerInstance) {
        let res = remaining(instance);
        if let Some(index) = &mut self.by_id {
            index.insert(0, instance.id.0, res);
        }
        for (slot, index) in self.by_resource.iter_mut().enumerate() {
            if let Some(index) = index {
                index.insert(u64::from(res[slot]), instance.id.0, res);
            }
        }
    }

    fn remove(&mut self, instance: &ContainerInstance) {
        let res = remaining(instance);
        if let Some(index) = &mut self.by_id {
            let gone = index.remove(0, instance.id.0);
            assert_eq!(
                gone,
                Some(res),
                "{} was not indexed as it is",
                instance.ec2_instance_id
            );
        }
        for (slot, index) in self.by_resource.iter_mut().enumerate() {
            if let Some(index) = index {
                index.remove(u64::from(res[slot]), instance.id.0);
            }
        }
    }

    /// The instance's resources went from `before` to what they are now.
    fn update(&mut self, before: [u32; 3], instance: &ContainerInstance) {
        let res = remaining(instance);
        let id = instance.id.0;
        if let Some(index) = &mut self.by_id {
            index.update(0, id, 0, res);
        }
        for (slot, index) in self.by_resource.iter_mut().enumerate() {
            if let Some(index) = index {
                index.update(u64::from(before[slot]), id, u64::from(res[slot]), res);
            }
        }
    }

    fn id_order(&self) -> Option<&OrderedIndex> {
        self.by_id.as_ref()
    }

    fn by(&self, resource: Resource) -> Option<&OrderedIndex> {
        self.by_resource[resource_slot(resource)].as_ref()
    }

    /// Rebuilds the part from `members` and compares.
    fn check(&self, members: &[&ContainerInstance], what: &str) {
        if let Some(index) = &self.by_id {
            index.check();
            let expected: Vec<(u64, u32, [u32; 3])> = members
                .iter()
                .map(|instance| (0, instance.id.0, remaining(instance)))
                .collect();
            let actual: Vec<(u64, u32, [u32; 3])> = index.iter().collect();
            assert_eq!(actual, expected, "the id index of {what} is off");
        }
        for (slot, index) in self.by_resource.iter().enumerate() {
            if let Some(index) = index {
                index.check();
                let mut expected: Vec<(u64, u32, [u32; 3])> = members
                    .iter()
                    .map(|instance| {
                        let res = remaining(instance);
                        (u64::from(res[slot]), instance.id.0, res)
                    })
                    .collect();
                expected.sort_unstable();
                let actual: Vec<(u64, u32, [u32; 3])> = index.iter().collect();
                assert_eq!(actual, expected, "a resource index of {what} is off");
            }
        }
    }
}

#[derive(Debug)]
pub struct PlacementIndex {
    global_orders: Orders,
    zone_orders: Orders,
    global: Option<Part>,
    zones: Vec<Part>,
    /// Per indexed attribute, the orders kept and a part per value (`None`: instances
    /// without it).
    attributes: Vec<(String, Orders, BTreeMap<Option<String>, Part>)>,
}

impl PlacementIndex {
    pub(crate) fn new(plan: IndexPlan, zones: usize) -> PlacementIndex {
        PlacementIndex {
            global_orders: plan.global,
            zone_orders: plan.zones,
            global: plan.global.any().then(|| Part::new(plan.global)),
            zones: if plan.zones.any() {
                (0..zones).map(|_| Part::new(plan.zones)).collect()
            } else {
                Vec::new()
            },
            attributes: plan
                .attributes
                .into_iter()
                .map(|(name, orders)| (name, orders, BTreeMap::new()))
                .collect(),
        }
    }

    /// Every part the instance belongs to.
    fn parts_of_mut<'a>(
        &'a mut self,
        instance: &'a ContainerInstance,
    ) -> impl Iterator<Item = &'a mut Part> + 'a {
        let zone = self.zones.get_mut(instance.availability_zone.index());
        let attributes = self.attributes.iter_mut().map(|(name, orders, values)| {
            values
                .entry(instance.attribute(name).map(str::to_string))
                .or_insert_with(|| Part::new(*orders))
        });
        self.global.iter_mut().chain(zone).chain(attributes)
    }

    /// Adds an ACTIVE instance as it is now.
    pub(crate) fn insert(&mut self, instance: &ContainerInstance) {
        for part in self.parts_of_mut(instance) {
            part.insert(instance);
        }
    }

    /// Takes out an instance, as it is now.
    pub(crate) fn remove(&mut self, instance: &ContainerInstance) {
        for part in self.parts_of_mut(instance) {
            part.remove(instance);
        }
    }

    /// The instance's remaining resources went from `before` (`[cpu, memory, enis]`) to
    /// what they are now.
    pub(crate) fn update(&mut self, before: [u32; 3], instance: &ContainerInstance) {
        for part in self.parts_of_mut(instance) {
            part.update(before, instance);
        }
    }

    /// For `check_invariants`: every part rebuilt from the ACTIVE instances and compared.
    pub(crate) fn check(&self, instances: &[ContainerInstance]) {
        let active: Vec<&ContainerInstance> =
            instances.iter().filter(|i| i.takes_tasks()).collect();
        if let Some(global) = &self.global {
            global.check(&active, "the cluster");
        }
        for (zone, part) in self.zones.iter().enumerate() {
            let members: Vec<&ContainerInstance> = active
                .iter()
                .copied()
                .filter(|instance| instance.availability_zone.index() == zone)
                .collect();
            part.check(&members, "a zone");
        }
        for (name, _, values) in &self.attributes {
            for (value, part) in values {
                let members: Vec<&ContainerInstance> = active
                    .iter()
                    .copied()
                    .filter(|instance| instance.attribute(name) == value.as_deref())
                    .collect();
                part.check(&members, name);
            }
        }
    }

    fn attribute_parts(&self, name: &str) -> Option<&BTreeMap<Option<String>, Part>> {
        self.attributes
            .iter()
            .find(|(indexed, _, _)| indexed == name)
            .map(|(_, _, values)| values)
    }

    /// Whether the partition a chain of this shape reads keeps the orders it needs (a test
    /// fixture may place with chains the run's plan did not see).
    fn answers(&self, shape: &Shape<'_>) -> bool {
        let kept = match shape.lead {
            None => self.global_orders,
            Some(ATTRIBUTE_ZONE) => self.zone_orders,
            Some(name) => match self.attributes.iter().find(|(a, _, _)| a == name) {
                Some((_, orders, _)) => *orders,
                None => return false,
            },
        };
        let needed = orders_of(shape);
        (kept.by_id || !needed.by_id)
            && (0..2).all(|slot| kept.by_resource[slot] || !needed.by_resource[slot])
    }
}

/// What the leading `spread` chose, for membership tests: the instance's zone or value.
enum Lead<'a> {
    None,
    Zones(Vec<ZoneId>),
    Values(&'a str, Vec<Option<&'a str>>),
}

/// Which pool members a part contributes, in pool order.
#[derive(Clone, Copy)]
enum Range {
    /// Every member, by id.
    All,
    /// Members with exactly this much of the resource left, by id.
    Key(Resource, u64),
}

/// What besides room and constraints makes a pool member a candidate.
enum Filter {
    Any,
    /// No active task of the group on it (`spread` on `instanceId` at its best, zero).
    NoGroupTask,
    /// Exactly this many active tasks of the group on it (`spread` on `instanceId` when
    /// every candidate hosts the group); enumerated from the group's hosts by count.
    GroupCount(u32),
}

struct Indexed<'a> {
    /// Per part, its pool members in the index read; worked out at the first draw.
    spans: OnceCell<Vec<Span>>,
    view: &'a PlacementView<'a>,
    request: &'a PlacementRequest<'a>,
    placement: &'a Placement,
    need: [u32; 3],
    parts: Vec<&'a Part>,
    lead: Lead<'a>,
    range: Range,
    filter: Filter,
}

impl Indexed<'_> {
    /// Room, ports, ENI and every constraint: a candidate before strategies.
    fn fits(&self, id: InstanceId) -> bool {
        let instance = self.view.instance(id);
        first_shortfall(
            self.request.requirements,
            instance,
            self.view.dynamic_port_range(),
        )
        .is_none()
            && self
                .placement
                .constraints
                .iter()
                .all(|constraint| constraint.allows(self.request, self.view, instance))
    }

    fn passes(&self, id: InstanceId) -> bool {
        match &self.filter {
            Filter::Any => true,
            Filter::NoGroupTask => self.view.group_tasks_on(self.request.group, id) == 0,
            Filter::GroupCount(count) => self.view.group_tasks_on(self.request.group, id) == *count,
        }
    }

    fn in_lead(&self, id: InstanceId) -> bool {
        let instance = self.view.instance(id);
        match &self.lead {
            Lead::None => true,
            Lead::Zones(zones) => zones.contains(&instance.availability_zone),
            Lead::Values(name, values) => values.contains(&instance.attribute(name)),
        }
    }

    fn in_range(&self, id: InstanceId) -> bool {
        match self.range {
            Range::All => true,
            Range::Key(resource, key) => key_of(self.view.instance(id), resource) == key,
        }
    }

    fn index_of<'p>(&self, part: &'p Part) -> &'p OrderedIndex {
        match self.range {
            Range::All => part.id_order().expect("the plan keeps it"),
            Range::Key(resource, _) => part.by(resource).expect("the plan keeps it"),
        }
    }

    /// The first candidate of `part` at or after `from` in its range, in order.
    fn next_in(&self, part: &Part, from: (u64, u32)) -> Option<(u64, u32)> {
        let index = self.index_of(part);
        let mut from = match self.range {
            Range::Key(_, key) if from < (key, 0) => (key, 0),
            _ => from,
        };
        let in_range = |key: u64| match self.range {
            Range::Key(_, wanted) => key == wanted,
            Range::All => true,
        };
        if !matches!(self.filter, Filter::NoGroupTask) {
            // Most entries with room are candidates: one search each.
            loop {
                let (key, id) = index.first_fit(from, self.need)?;
                if !in_range(key) {
                    return None;
                }
                let instance = InstanceId(id);
                if self.passes(instance) && self.fits(instance) {
                    return Some((key, id));
                }
                from = successor((key, id))?;
            }
        }
        loop {
            // Jump to the next entry with room, skipping those without; then walk on in
            // order while entries have room: cheaper than a search per entry when many
            // with room are turned down (e.g. hosts of the group, by `spread` on
            // `instanceId`). The walk stops at an entry without room, and the next search
            // starts there (and skips it).
            let start = index.first_fit(from, self.need)?;
            let mut walk = index.iter_from(start);
            loop {
                let (key, id, res) = walk.next()?;
                if !in_range(key) {
                    return None;
                }
                if !fits_resources(res, self.need) {
                    from = (key, id);
                    break;
                }
                let instance = InstanceId(id);
                if self.passes(instance) && self.fits(instance) {
                    return Some((key, id));
                }
            }
        }
    }

    /// The candidates hosting exactly `count` tasks of the group, in `zone` when given,
    /// by (zone, id).
    fn hosts_at(&self, count: u32, zone: Option<ZoneId>) -> impl Iterator<Item = InstanceId> + '_ {
        let start = (count, zone.unwrap_or(ZoneId(0)), InstanceId(0));
        self.view
            .group_hosts_by_count(self.request.group, start)
            .take_while(move |&(at, in_zone, _)| at == count && zone.is_none_or(|z| z == in_zone))
            .map(|(_, _, id)| id)
            .filter(|&id| self.view.instance(id).takes_tasks() && self.in_lead(id) && self.fits(id))
    }

    /// `hosts_at` over the lead's zones (each its own range), or over every host.
    fn hosts_at_lead(&self, count: u32) -> Box<dyn Iterator<Item = InstanceId> + '_> {
        match &self.lead {
            Lead::Zones(zones) => Box::new(
                zones
                    .iter()
                    .flat_map(move |&zone| self.hosts_at(count, Some(zone))),
            ),
            _ => Box::new(self.hosts_at(count, None)),
        }
    }

    /// Where an instance's part comes in pool order.
    fn part_position(&self, id: InstanceId) -> usize {
        let instance = self.view.instance(id);
        match &self.lead {
            Lead::None => 0,
            Lead::Zones(zones) => zones
                .iter()
                .position(|&zone| zone == instance.availability_zone)
                .unwrap_or(0),
            Lead::Values(name, values) => values
                .iter()
                .position(|&value| value == instance.attribute(name))
                .unwrap_or(0),
        }
    }

    fn spans(&self) -> &[Span] {
        self.spans.get_or_init(|| {
            self.parts
                .iter()
                .map(|part| {
                    let index = self.index_of(part);
                    match self.range {
                        Range::All => index.full_span(),
                        Range::Key(_, key) => index.key_span(key),
                    }
                })
                .collect()
        })
    }

    fn range_start(&self) -> (u64, u32) {
        match self.range {
            Range::All => (0, 0),
            Range::Key(_, key) => (key, 0),
        }
    }
}

/// Whether remaining `[cpu, memory, enis]` cover `need`, component by component.
fn fits_resources(res: [u32; 3], need: [u32; 3]) -> bool {
    res[0] >= need[0] && res[1] >= need[1] && res[2] >= need[2]
}

fn successor((key, id): (u64, u32)) -> Option<(u64, u32)> {
    match id.checked_add(1) {
        Some(next) => Some((key, next)),
        None => key.checked_add(1).map(|key| (key, 0)),
    }
}

fn key_of(instance: &ContainerInstance, resource: Resource) -> u64 {
    u64::from(match resource {
        Resource::Cpu => instance.remaining_cpu_units,
        Resource::Memory => instance.remaining_memory_mib,
    })
}

impl Selection for Indexed<'_> {
    fn single(&self) -> Option<InstanceId> {
        if let Filter::GroupCount(count) = self.filter {
            let mut hosts = self.hosts_at_lead(count);
            let first = hosts.next();
            return if hosts.next().is_some() { None } else { first };
        }
        let mut found = None;
        for part in &self.parts {
            let mut from = self.range_start();
            while let Some(at) = self.next_in(part, from) {
                if found.is_some() {
                    return None;
                }
                found = Some(InstanceId(at.1));
                match successor(at) {
                    Some(next) => from = next,
                    None => break,
                }
            }
        }
        found
    }

    fn lowest(&self) -> InstanceId {
        if let Filter::GroupCount(count) = self.filter {
            return match &self.lead {
                Lead::Zones(zones) => zones
                    .iter()
                    .filter_map(|&zone| self.hosts_at(count, Some(zone)).next())
                    .min(),
                _ => self.hosts_at(count, None).min(),
            }
            .expect("the selection has candidates");
        }
        self.parts
            .iter()
            .filter_map(|part| self.next_in(part, self.range_start()))
            .map(|(_, id)| InstanceId(id))
            .min()
            .expect("the selection has candidates")
    }

    fn pool_len(&self) -> usize {
        self.spans().iter().map(|span| span.len).sum()
    }

    fn pool_candidate(&self, mut position: usize) -> Option<InstanceId> {
        for (part, &span) in self.parts.iter().zip(self.spans()) {
            if position < span.len {
                let (_, id, res) = self
                    .index_of(part)
                    .nth_in(span, position)
                    .expect("within the part");
                // The entry's remaining resources settle most refusals (CPU, memory, ENI,
                // as `fits` would) without reading the instance.
                let id = InstanceId(id);
                return (fits_resources(res, self.need)
                    && self.in_lead(id)
                    && self.in_range(id)
                    && self.passes(id)
                    && self.fits(id))
                .then_some(id);
            }
            position -= span.len;
        }
        unreachable!("a draw within the pool's length")
    }

    fn candidates(&self) -> Vec<InstanceId> {
        if let Filter::GroupCount(count) = self.filter {
            let mut hosts: Vec<InstanceId> = self.hosts_at_lead(count).collect();
            hosts.sort_by_key(|&id| (self.part_position(id), id));
            return hosts;
        }
        let mut candidates = Vec::new();
        for part in &self.parts {
            let mut from = self.range_start();
            while let Some(at) = self.next_in(part, from) {
                candidates.push(InstanceId(at.1));
                match successor(at) {
                    Some(next) => from = next,
                    None => break,
                }
            }
        }
        candidates
    }
}

/// The decision `place_scan` would make, from the indexes; `None` when the chain is not one
/// the indexes know, or when nothing can take the task (the scan then names the reason).
pub fn place_indexed(
    view: &PlacementView<'_>,
    request: &PlacementRequest<'_>,
    placement: &Placement,
    rng: &mut SimRng,
) -> Option<Result<InstanceId, PlacementFailure>> {
    let kinds: Vec<StrategyKind<'_>> = placement.strategies.iter().map(|s| s.kind()).collect();
    let shape = shape(&kinds)?;
    let index = view.index();
    if !index.answers(&shape) {
        return None;
    }
    let Shape {
        lead: lead_name,
        step,
        then_random,
    } = shape;
    let needs = request.requirements;
    let mut selection = Indexed {
        spans: OnceCell::new(),
        view,
        request,
        placement,
        need: [needs.cpu_units, needs.memory_mib, u32::from(needs.eni)],
        parts: index.global.iter().collect(),
        lead: Lead::None,
        range: Range::All,
        filter: Filter::Any,
    };
    if let Some(name) = lead_name {
        lead(&mut selection, name)?;
    }
    let mut uniform = view.tie_break() == TieBreak::Random || then_random;
    let any_candidate = |selection: &Indexed<'_>| {
        selection
            .parts
            .iter()
            .any(|part| selection.next_in(part, (0, 0)).is_some())
    };
    match step {
        None if !any_candidate(&selection) => return None,
        None => {}
        Some(StrategyKind::Random) if !any_candidate(&selection) => return None,
        Some(StrategyKind::Random) => uniform = true,
        Some(StrategyKind::Binpack(resource)) => binpack(&mut selection, resource)?,
        Some(StrategyKind::SpreadInstanceId) => spread_instance(&mut selection)?,
        Some(StrategyKind::Custom | StrategyKind::SpreadAttribute(_)) => {
            unreachable!("refused above")
        }
    }
    Some(Ok(pick(&selection, uniform, rng)))
}

/// A leading `spread` on an attribute: the values with the fewest tasks of the group
/// among those with a candidate. `None` when no value has one.
fn lead<'a>(selection: &mut Indexed<'a>, name: &'a str) -> Option<()> {
    let view = selection.view;
    let group = selection.request.group;
    let index = view.index();
    // (count, part), in part order; `values` says what each attribute part stands for.
    let mut parts: Vec<(u32, &Part)> = Vec::new();
    let mut values: Vec<Option<&str>> = Vec::new();
    if name == ATTRIBUTE_ZONE {
        for (zone, part) in index.zones.iter().enumerate() {
            parts.push((view.group_tasks_in_zone(group, ZoneId(zone as u16)), part));
        }
    } else {
        let mut counts: BTreeMap<Option<&str>, u32> = BTreeMap::new();
        for (instance, count) in view.group_instances(group) {
            *counts
                .entry(view.instance(instance).attribute(name))
                .or_default() += count;
        }
        for (value, part) in index.attribute_parts(name)? {
            let value = value.as_deref();
            parts.push((counts.get(&value).copied().unwrap_or(0), part));
            values.push(value);
        }
    }
    // The fewest tasks among values with a candidate; the pool is every value with that
    // many, candidates or not (as the scan narrows it).
    let mut order: Vec<usize> = (0..parts.len()).collect();
    order.sort_by_key(|&i| parts[i].0);
    let best = order
        .into_iter()
        .find(|&i| selection.next_in(parts[i].1, (0, 0)).is_some())
        .map(|i| parts[i].0)?;
    let chosen: Vec<usize> = (0..parts.len()).filter(|&i| parts[i].0 == best).collect();
    selection.parts = chosen.iter().map(|&i| parts[i].1).collect();
    selection.lead = if name == ATTRIBUTE_ZONE {
        Lead::Zones(chosen.iter().map(|&i| ZoneId(i as u16)).collect())
    } else {
        Lead::Values(name, chosen.iter().map(|&i| values[i]).collect())
    };
    Some(())
}

/// `binpack`: the least of the resource left among the candidates; the pool narrows to the
/// instances with exactly that much left.
fn binpack(selection: &mut Indexed<'_>, resource: Resource) -> Option<()> {
    let need = u64::from(selection.need[resource_slot(resource)]);
    let mut best: Option<u64> = None;
    for part in &selection.parts {
        let index = part.by(resource).expect("the plan keeps it");
        let mut from = (need, 0);
        while let Some((key, id)) = index.first_fit(from, selection.need) {
            if best.is_some_and(|best| key >= best) {
                break;
            }
            if selection.fits(InstanceId(id)) {
                best = Some(key);
                break;
            }
            match successor((key, id)) {
                Some(next) => from = next,
                None => break,
            }
        }
    }
    selection.range = Range::Key(resource, best?);
    Some(())
}

/// `spread` on `instanceId`: the fewest tasks of the group on the instance. The pool stays
/// as it is (the score is not a property of the instance alone).
fn spread_instance(selection: &mut Indexed<'_>) -> Option<()> {
    let view = selection.view;
    let group = selection.request.group;
    // A candidate without the group's tasks wins; none can exist where every instance of
    // the parts hosts the group already (big services), so skip the search there. The
    // group's hosts are counted over every live instance, so the shortcut holds only while
    // every live instance is a candidate.
    let maybe_free = view.idle_live_count() > 0
        || match &selection.lead {
            Lead::None => selection
                .parts
                .iter()
                .any(|part| view.group_instance_count(group) < selection.index_of(part).len()),
            Lead::Zones(zones) => zones.iter().zip(&selection.parts).any(|(&zone, part)| {
                (view.group_hosts_in_zone(group, zone) as usize) < selection.index_of(part).len()
            }),
            Lead::Values(..) => true,
        };
    if maybe_free {
        selection.filter = Filter::NoGroupTask;
        if selection
            .parts
            .iter()
            .any(|part| selection.next_in(part, (0, 0)).is_some())
        {
            return Some(());
        }
    }
    // Every candidate hosts the group: the fewest, from the group's hosts by count.
    selection.filter = Filter::Any;
    let best = match &selection.lead {
        // Count by count, within the lead's zones only.
        Lead::Zones(zones) => {
            let most = view
                .group_hosts_by_count(group, (0, ZoneId(0), InstanceId(0)))
                .next_back()
                .map_or(0, |(count, _, _)| count);
            (1..=most).find(|&count| {
                zones
                    .iter()
                    .any(|&zone| selection.hosts_at(count, Some(zone)).next().is_some())
            })
        }
        _ => view
            .group_hosts_by_count(group, (0, ZoneId(0), InstanceId(0)))
            .find(|&(_, _, id)| {
                view.instance(id).takes_tasks() && selection.in_lead(id) && selection.fits(id)
            })
            .map(|(count, _, _)| count),
    }?;
    selection.filter = Filter::GroupCount(best);
    Some(())
}
