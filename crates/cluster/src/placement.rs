//! The placement pipeline (ECS.md §1.1, §1.8) and the two traits strategies and constraints
//! plug in through. Implementations live in the `placement` crate, one file each; users add
//! their own by implementing these traits.

use std::fmt::Debug;

use des::SimRng;
use rand::Rng;

use crate::capacity::Capacity;
use crate::ids::{GroupId, InstanceId, ServiceId, ZoneId};
use crate::index::PlacementIndex;
use crate::instance::{ContainerInstance, ATTRIBUTE_ZONE, MAX_RESERVED_PORTS};
use crate::spec::{Protocol, Resource, TaskDefinition, TieBreak};
use crate::tasks::Tasks;

/// What is being placed: one task of `task_definition` in `group`.
#[derive(Clone, Copy, Debug)]
pub struct PlacementRequest<'a> {
    pub task_definition: &'a TaskDefinition,
    /// What the task needs, worked out once per task definition.
    pub requirements: &'a Requirements,
    pub group: GroupId,
    pub service: Option<ServiceId>,
}

/// What a strategy is, as far as the ordered indexes are concerned. Built-in strategies
/// name their kind, and the indexes answer them in O(log N); a `Custom` strategy is scored
/// instance by instance (the whole decision then runs as a plain scan).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StrategyKind<'a> {
    /// Least of the resource left after placing.
    Binpack(Resource),
    /// Fewest active tasks of the group on the instance.
    SpreadInstanceId,
    /// Fewest active tasks of the group among instances with the same value of the
    /// attribute (instances without it share one value).
    SpreadAttribute(&'a str),
    /// A uniform pick among the candidates left: ends the chain.
    Random,
    Custom,
}

impl StrategyKind<'_> {
    /// Whether the strategy narrows the tie-break pool (see `place_scan`): strategies whose
    /// score is a property of the instance alone (a resource, an attribute value) do;
    /// `spread` on `instanceId` does not.
    pub fn narrows_pool(self) -> bool {
        matches!(
            self,
            StrategyKind::Binpack(_) | StrategyKind::SpreadAttribute(_)
        )
    }
}

/// A placement strategy scores instances; lower is better. The chain keeps the candidates
/// with the best score and passes them to the next strategy (ECS.md §1.5, A2).
pub trait PlacementStrategy: Debug + Send + Sync {
    fn kind(&self) -> StrategyKind<'_>;

    /// Writes one score per instance: `scores[i]` belongs to `instances[i]`. Instances
    /// arrive in id order and need not be candidates (a non-candidate's score decides
    /// whether it stays in the tie-break pool). `Random` is never asked.
    fn score(
        &self,
        request: &PlacementRequest<'_>,
        view: &PlacementView<'_>,
        instances: &[InstanceId],
        scores: &mut [i64],
    );
}

/// A placement constraint: binding, unlike strategies (ECS.md §1.1).
pub trait PlacementConstraint: Debug + Send + Sync {
    fn allows(
        &self,
        request: &PlacementRequest<'_>,
        view: &PlacementView<'_>,
        instance: &ContainerInstance,
    ) -> bool;

    /// The `placement_failures.csv` reason when this constraint rules out the last
    /// candidates, e.g. `MemberOf constraint`.
    fn failure_reason(&self) -> &'static str;

    /// The constraint as explanations and service events name it, e.g.
    /// `memberOf(attribute:stack == prod)`.
    fn describe(&self) -> String {
        self.failure_reason().to_string()
    }
}

/// A built strategy chain with its constraints: what a service or a RunTask places with.
#[derive(Debug, Default)]
pub struct Placement {
    pub strategies: Vec<Box<dyn PlacementStrategy>>,
    pub constraints: Vec<Box<dyn PlacementConstraint>>,
}

/// What placement may read of the model: instances, their resources and attributes, and
/// the task-group counts. Nothing else of `Cluster`.
#[derive(Clone, Copy)]
pub struct PlacementView<'a> {
    capacity: &'a Capacity,
    tasks: &'a Tasks,
    tie_break: TieBreak,
}

impl<'a> PlacementView<'a> {
    pub(crate) fn new(capacity: &'a Capacity, tasks: &'a Tasks, tie_break: TieBreak) -> Self {
        PlacementView {
            capacity,
            tasks,
            tie_break,
        }
    }

    pub fn instance(&self, id: InstanceId) -> &'a ContainerInstance {
        self.capacity.instance(id)
    }

    /// ACTIVE instances, ascending.
    pub fn active_ids(&self) -> &'a [InstanceId] {
        self.capacity.active_ids()
    }

    pub fn zone_count(&self) -> usize {
        self.capacity.zone_count()
    }

    pub fn zone_name(&self, zone: ZoneId) -> &'a str {
        self.capacity.zone_name(zone)
    }

    pub fn dynamic_port_range(&self) -> (u16, u16) {
        self.capacity.dynamic_port_range()
    }

    pub fn tie_break(&self) -> TieBreak {
        self.tie_break
    }

    pub fn index(&self) -> &'a PlacementIndex {
        self.capacity.index()
    }

    pub fn group_id(&self, name: &str) -> Option<GroupId> {
        self.tasks.group_id(name)
    }

    /// `service:web`, `family:report`...
    pub fn group_name(&self, group: GroupId) -> &'a str {
        self.tasks.group_name(group)
    }

    pub fn group_tasks_on(&self, group: GroupId, instance: InstanceId) -> u32 {
        self.tasks.group_tasks_on(group, instance)
    }

    pub fn group_tasks_in_zone(&self, group: GroupId, zone: ZoneId) -> u32 {
        self.tasks.group_tasks_in_zone(group, zone)
    }

    /// Instances hosting active tasks of `group`, with their counts, in id order.
    pub fn group_instances(&self, group: GroupId) -> impl Iterator<Item = (InstanceId, u32)> + 'a {
        self.tasks.group_instances(group)
    }

    /// Live instances that take no task but may host the group's tasks.
    pub fn idle_live_count(&self) -> u32 {
        self.capacity.idle_live_count()
    }

    pub fn group_instance_count(&self, group: GroupId) -> usize {
        self.tasks.group_instance_count(group)
    }

    /// Instances hosting `group`, by ascending (count, zone, id), from `from` on.
    pub fn group_hosts_by_count(
        &self,
        group: GroupId,
        from: (u32, ZoneId, InstanceId),
    ) -> impl DoubleEndedIterator<Item = (u32, ZoneId, InstanceId)> + 'a {
        self.tasks.group_hosts_by_count(group, from)
    }

    /// Instances in `zone` hosting `group`.
    pub fn group_hosts_in_zone(&self, group: GroupId, zone: ZoneId) -> u32 {
        self.tasks.group_hosts_in_zone(group, zone)
    }
}

/// Why no instance could take the task, in ECS's words (ECS.md §1.7).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PlacementFailure {
    NoInstance,
    Cpu,
    Memory,
    Ports,
    Eni,
    Constraint(&'static str),
}

impl PlacementFailure {
    pub fn reason(self) -> &'static str {
        match self {
            PlacementFailure::NoInstance => "no container instance in zone",
            PlacementFailure::Cpu => "RESOURCE:CPU",
            PlacementFailure::Memory => "RESOURCE:MEMORY",
            PlacementFailure::Ports => "RESOURCE:PORTS",
            PlacementFailure::Eni => "RESOURCE:ENI",
            PlacementFailure::Constraint(reason) => reason,
        }
    }
}

/// What one task needs from an instance, worked out once per placement rather than once
/// per candidate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Requirements {
    pub cpu_units: u32,
    pub memory_mib: u32,
    /// Static host ports, sorted.
    pub static_host_ports: Vec<(Protocol, u16)>,
    pub dynamic_tcp_ports: usize,
    pub dynamic_udp_ports: usize,
    pub eni: bool,
}

impl Requirements {
    pub fn of(task_definition: &TaskDefinition) -> Requirements {
        let dynamic = |protocol| {
            task_definition
                .dynamic_host_ports()
                .filter(|&p| p == protocol)
                .count()
        };
        Requirements {
            cpu_units: task_definition.cpu_units,
            memory_mib: task_definition.memory_mib,
            static_host_ports: task_definition.static_host_ports(),
            dynamic_tcp_ports: dynamic(Protocol::Tcp),
            dynamic_udp_ports: dynamic(Protocol::Udp),
            eni: task_definition.needs_eni(),
        }
    }
}

/// Checks the resources of one instance in ECS's order (CPU, memory, ports, ENI) and
/// returns the first that is short, or `None` if the task fits.
pub fn first_shortfall(
    needs: &Requirements,
    instance: &ContainerInstance,
    dynamic_port_range: (u16, u16),
) -> Option<PlacementFailure> {
    if instance.remaining_cpu_units < needs.cpu_units {
        return Some(PlacementFailure::Cpu);
    }
    if instance.remaining_memory_mib < needs.memory_mib {
        return Some(PlacementFailure::Memory);
    }
    if needs
        .static_host_ports
        .iter()
        .any(|&(protocol, port)| instance.port_in_use(protocol, port))
        || instance.reserved_port_count + needs.static_host_ports.len() > MAX_RESERVED_PORTS
    {
        return Some(PlacementFailure::Ports);
    }
    if needs.dynamic_tcp_ports > free_dynamic_ports(instance, Protocol::Tcp, dynamic_port_range)
        || needs.dynamic_udp_ports > free_dynamic_ports(instance, Protocol::Udp, dynamic_port_range)
    {
        return Some(PlacementFailure::Ports);
    }
    if needs.eni && instance.remaining_enis == 0 {
        return Some(PlacementFailure::Eni);
    }
    None
}

/// Free ports of the ephemeral range: the instance's ports are sorted, so two binary
/// searches count the used ones.
fn free_dynamic_ports(
    instance: &ContainerInstance,
    protocol: Protocol,
    range: (u16, u16),
) -> usize {
    let (first, last) = range;
    let ports = instance.ports(protocol);
    let used =
        ports.partition_point(|&port| port <= last) - ports.partition_point(|&port| port < first);
    usize::from(last - first) + 1 - used
}

/// How many uniform draws from the pool a random pick tries before it enumerates the
/// candidates (see `place_scan`).
pub const POOL_DRAWS: u32 = 32;

/// Chooses an instance for one task: the ordered indexes answer when the chain is one they
/// know (`crate::index::place_indexed`), and the plain scan otherwise. Both give the same
/// decision with the same draws; a property test holds them to it.
pub fn place(
    view: &PlacementView<'_>,
    request: &PlacementRequest<'_>,
    placement: &Placement,
    rng: &mut SimRng,
) -> Result<InstanceId, PlacementFailure> {
    place_detailed(view, request, placement, rng).map_err(|unplaced| unplaced.failure)
}

/// Why a task could not be placed, and the *closest matching* instance that ECS's placement
/// failure event names (see `place_scan`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Unplaced {
    pub failure: PlacementFailure,
    /// The ACTIVE instance the placement got furthest with; `None` when none is ACTIVE.
    pub closest: Option<InstanceId>,
    /// For a constraint failure, which of `Placement::constraints` ruled the last
    /// candidates out.
    pub constraint: Option<usize>,
}

/// `place`, with the closest matching instance when the task cannot be placed.
pub fn place_detailed(
    view: &PlacementView<'_>,
    request: &PlacementRequest<'_>,
    placement: &Placement,
    rng: &mut SimRng,
) -> Result<InstanceId, Unplaced> {
    match crate::index::place_indexed(view, request, placement, rng) {
        Some(Ok(instance)) => Ok(instance),
        Some(Err(failure)) => Err(Unplaced {
            failure,
            closest: None,
            constraint: None,
        }),
        None => scan(view, request, placement, rng, &mut NoTrace),
    }
}

/// The reference decision, by a scan of every ACTIVE instance (ECS.md §1.8):
/// 1. candidates: the instances with room for the task (CPU, memory, ports, ENI), else the
///    closest one's shortfall (the closest matching instance gets furthest through the
///    checks in that order; the lowest id among equals);
/// 2. each constraint keeps the candidates it allows, else its reason (the closest matching
///    instance is then the lowest id it ruled out);
/// 3. each strategy keeps the candidates with the best score. `random` ends the chain.
/// 4. The pick: one candidate is the answer; with tie-break `stable` the lowest id.
///    Otherwise (tie-break `random`, or a `random` strategy) the pick is uniform over the
///    candidates, drawn this way so that indexes can draw it without listing them: the
///    *pool* is the ACTIVE instances that score the best on every pool-narrowing strategy
///    (`binpack`, `spread` on an attribute), whether or not they are candidates, ordered by
///    their value of a leading attribute `spread` and then by id. Up to `POOL_DRAWS` times,
///    draw a pool member uniformly; the first that is a candidate is the pick. If none is,
///    draw uniformly among the candidates in pool order. Either way each candidate is
///    equally likely.
pub fn place_scan(
    view: &PlacementView<'_>,
    request: &PlacementRequest<'_>,
    placement: &Placement,
    rng: &mut SimRng,
) -> Result<InstanceId, PlacementFailure> {
    scan(view, request, placement, rng, &mut NoTrace).map_err(|unplaced| unplaced.failure)
}

/// Why a strategy of the chain did not narrow the candidates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Skip {
    /// One candidate was left before it.
    OneLeft,
    /// A `random` strategy before it ended the chain.
    AfterRandom,
}

/// What the scan reports as it goes. A decision reports nothing (`NoTrace`, every method a
/// no-op the compiler removes); an explanation (`crate::explain`) records every step.
pub(crate) trait ScanTrace {
    /// Whether the trace wants the strategies the chain skipped.
    const SKIPPED: bool = false;
    /// An ACTIVE instance without room: its first shortfall.
    fn shortfall(&mut self, _instance: InstanceId, _shortfall: PlacementFailure) {}
    /// Step 1: of `active` ACTIVE instances, these have room.
    fn resources(&mut self, _active: usize, _candidates: &[InstanceId]) {}
    /// Step 2: `placement.constraints[index]` kept these of `before`.
    fn constraint(&mut self, _index: usize, _before: usize, _kept: &[InstanceId]) {}
    /// Step 3: `placement.strategies[index]` kept these of `before`, the best scoring
    /// `best`.
    fn strategy(&mut self, _index: usize, _before: usize, _kept: &[InstanceId], _best: i64) {}
    /// Step 3: the `random` strategy at `index`, among `candidates`.
    fn random(&mut self, _index: usize, _candidates: usize) {}
    /// Step 3: the strategy at `index` was not applied.
    fn skipped(&mut self, _index: usize, _candidates: usize, _why: Skip) {}
    /// Step 4: the pick among `candidates` (in pool order) from a pool of `pool`.
    fn pick(
        &mut self,
        _candidates: &[InstanceId],
        _pool: usize,
        _uniform: bool,
        _chosen: InstanceId,
    ) {
    }
}

/// The trace of a plain decision: nothing.
pub(crate) struct NoTrace;

impl ScanTrace for NoTrace {}

/// `place_scan`, telling `trace` each step.
pub(crate) fn scan<T: ScanTrace>(
    view: &PlacementView<'_>,
    request: &PlacementRequest<'_>,
    placement: &Placement,
    rng: &mut SimRng,
    trace: &mut T,
) -> Result<InstanceId, Unplaced> {
    let range = view.dynamic_port_range();
    let needs = request.requirements;
    let mut candidates: Vec<InstanceId> = Vec::new();
    // The "closest matching" instance names the failure: the one that gets furthest
    // through the resource checks, ties to the lowest id.
    let mut closest: Option<(PlacementFailure, InstanceId)> = None;
    for &id in view.active_ids() {
        match first_shortfall(needs, view.instance(id), range) {
            None => candidates.push(id),
            Some(shortfall) => {
                trace.shortfall(id, shortfall);
                if closest.is_none_or(|(best, _)| shortfall_rank(shortfall) > shortfall_rank(best))
                {
                    closest = Some((shortfall, id));
                }
            }
        }
    }
    trace.resources(view.active_ids().len(), &candidates);
    if candidates.is_empty() {
        return Err(Unplaced {
            failure: closest.map_or(PlacementFailure::NoInstance, |(failure, _)| failure),
            closest: closest.map(|(_, id)| id),
            constraint: None,
        });
    }
    for (index, constraint) in placement.constraints.iter().enumerate() {
        let before = candidates.len();
        let nearest = candidates[0];
        candidates.retain(|&id| constraint.allows(request, view, view.instance(id)));
        trace.constraint(index, before, &candidates);
        if candidates.is_empty() {
            return Err(Unplaced {
                failure: PlacementFailure::Constraint(constraint.failure_reason()),
                closest: Some(nearest),
                constraint: Some(index),
            });
        }
    }
    let mut pool: Vec<InstanceId> = view.active_ids().to_vec();
    let mut uniform = view.tie_break() == TieBreak::Random;
    let mut scores = Vec::new();
    for (index, strategy) in placement.strategies.iter().enumerate() {
        let kind = strategy.kind();
        if kind == StrategyKind::Random {
            uniform = true;
            trace.random(index, candidates.len());
            if T::SKIPPED {
                for later in index + 1..placement.strategies.len() {
                    trace.skipped(later, candidates.len(), Skip::AfterRandom);
                }
            }
            break;
        }
        if candidates.len() == 1 {
            if T::SKIPPED {
                for later in index..placement.strategies.len() {
                    trace.skipped(later, 1, Skip::OneLeft);
                }
            }
            break;
        }
        let before = candidates.len();
        scores.resize(candidates.len(), 0);
        strategy.score(request, view, &candidates, &mut scores);
        let best = *scores.iter().min().expect("candidates is not empty");
        keep_best(&mut candidates, &scores, best);
        trace.strategy(index, before, &candidates, best);
        if kind.narrows_pool() {
            scores.resize(pool.len(), 0);
            strategy.score(request, view, &pool, &mut scores);
            keep_best(&mut pool, &scores, best);
        }
    }
    // Candidates are in id order here: kept so, for membership tests by binary search.
    let by_id = candidates.clone();
    if let Some(part) = leading_part(view, placement) {
        // Stable sorts: id order within a part.
        candidates.sort_by_key(|&id| part(id));
        pool.sort_by_key(|&id| part(id));
    }
    let chosen = pick(
        &ScanSelection {
            candidates: &candidates,
            by_id: &by_id,
            pool: &pool,
        },
        uniform,
        rng,
    );
    trace.pick(&candidates, pool.len(), uniform, chosen);
    Ok(chosen)
}

fn keep_best(ids: &mut Vec<InstanceId>, scores: &[i64], best: i64) {
    let mut kept = 0;
    for i in 0..ids.len() {
        if scores[i] == best {
            ids[kept] = ids[i];
            kept += 1;
        }
    }
    ids.truncate(kept);
}

/// The pool order's first key: an instance's value of the chain's leading attribute
/// `spread`, as a rank among the values (zones by their order in the cluster; other
/// attributes by value, instances without it first). `None` without such a leading step.
fn leading_part<'v>(
    view: &'v PlacementView<'_>,
    placement: &'v Placement,
) -> Option<impl Fn(InstanceId) -> PartRank + 'v> {
    let StrategyKind::SpreadAttribute(name) = placement.strategies.first()?.kind() else {
        return None;
    };
    Some(move |id: InstanceId| {
        let instance = view.instance(id);
        if name == ATTRIBUTE_ZONE {
            PartRank::Zone(instance.availability_zone)
        } else {
            PartRank::Value(instance.attribute(name).map(str::to_string))
        }
    })
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum PartRank {
    Zone(ZoneId),
    Value(Option<String>),
}

/// The candidates left once the chain has run, as the pick sees them. The scan lists them;
/// the indexes answer the same questions without listing.
pub(crate) trait Selection {
    /// The only candidate, if there is exactly one.
    fn single(&self) -> Option<InstanceId>;
    /// The candidate with the lowest id.
    fn lowest(&self) -> InstanceId;
    fn pool_len(&self) -> usize;
    /// The pool member at `position` in pool order, if it is a candidate.
    fn pool_candidate(&self, position: usize) -> Option<InstanceId>;
    /// Every candidate, in pool order.
    fn candidates(&self) -> Vec<InstanceId>;
}

struct ScanSelection<'a> {
    /// In pool order.
    candidates: &'a [InstanceId],
    /// The same, in id order.
    by_id: &'a [InstanceId],
    pool: &'a [InstanceId],
}

impl Selection for ScanSelection<'_> {
    fn single(&self) -> Option<InstanceId> {
        (self.candidates.len() == 1).then(|| self.candidates[0])
    }

    fn lowest(&self) -> InstanceId {
        self.by_id[0]
    }

    fn pool_len(&self) -> usize {
        self.pool.len()
    }

    fn pool_candidate(&self, position: usize) -> Option<InstanceId> {
        let id = self.pool[position];
        self.by_id.binary_search(&id).is_ok().then_some(id)
    }

    fn candidates(&self) -> Vec<InstanceId> {
        self.candidates.to_vec()
    }
}

/// Step 4 of `place_scan`, the same for the scan and the indexes.
pub(crate) fn pick(selection: &impl Selection, uniform: bool, rng: &mut SimRng) -> InstanceId {
    if let Some(only) = selection.single() {
        return only;
    }
    if !uniform {
        return selection.lowest();
    }
    let pool = selection.pool_len() as u32;
    for _ in 0..POOL_DRAWS {
        if let Some(drawn) = selection.pool_candidate(rng.random_range(0..pool) as usize) {
            return drawn;
        }
    }
    let candidates = selection.candidates();
    candidates[rng.random_range(0..candidates.len() as u32) as usize]
}

/// How far through the checks a shortfall got: CPU fails first, ENI last.
fn shortfall_rank(failure: PlacementFailure) -> u8 {
    match failure {
        PlacementFailure::NoInstance | PlacementFailure::Constraint(_) => 0,
        PlacementFailure::Cpu => 1,
        PlacementFailure::Memory => 2,
        PlacementFailure::Ports => 3,
        PlacementFailure::Eni => 4,
    }
}
