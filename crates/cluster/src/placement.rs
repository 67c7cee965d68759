//! The placement pipeline (ECS.md §1.1, §1.8) and the two traits strategies and constraints
//! plug in through. Implementations live in the `placement` crate, one file each; users add
//! their own by implementing these traits.

use std::fmt::Debug;

use des::SimRng;
use rand::Rng;

use crate::cluster::Cluster;
use crate::ids::{GroupId, InstanceId, ServiceId};
use crate::instance::{ContainerInstance, MAX_RESERVED_PORTS};
use crate::spec::{Protocol, TaskDefinition, TieBreak};

/// What is being placed: one task of `task_definition` in `group`.
#[derive(Clone, Copy, Debug)]
pub struct PlacementRequest<'a> {
    pub task_definition: &'a TaskDefinition,
    pub group: GroupId,
    pub service: Option<ServiceId>,
}

/// A placement strategy scores every candidate; lower is better. The chain keeps the
/// candidates with the best score and passes them to the next strategy (ECS.md §1.5, A2).
pub trait PlacementStrategy: Debug {
    /// Writes one score per candidate: `scores[i]` belongs to `candidates[i]`. Candidates
    /// arrive in instance-id order, so any draws from `rng` happen in a fixed order.
    fn score(
        &self,
        request: &PlacementRequest<'_>,
        cluster: &Cluster,
        candidates: &[InstanceId],
        scores: &mut [i64],
        rng: &mut SimRng,
    );
}

/// A placement constraint: binding, unlike strategies (ECS.md §1.1).
pub trait PlacementConstraint: Debug {
    fn allows(
        &self,
        request: &PlacementRequest<'_>,
        cluster: &Cluster,
        instance: &ContainerInstance,
    ) -> bool;

    /// The `placement_failures.csv` reason when this constraint rules out the last
    /// candidates, e.g. `MemberOf constraint`.
    fn failure_reason(&self) -> &'static str;
}

/// A built strategy chain with its constraints: what a service or a RunTask places with.
#[derive(Debug, Default)]
pub struct Placement {
    pub strategies: Vec<Box<dyn PlacementStrategy>>,
    pub constraints: Vec<Box<dyn PlacementConstraint>>,
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

/// Chooses an instance for one task: resources, then constraints, then the strategy chain,
/// then the tie-break (ECS.md §1.8). Candidates are visited in instance-id order.
pub fn place(
    cluster: &Cluster,
    request: &PlacementRequest<'_>,
    placement: &Placement,
    rng: &mut SimRng,
) -> Result<InstanceId, PlacementFailure> {
    let range = cluster.dynamic_port_range();
    let needs = Requirements::of(request.task_definition);
    let mut candidates: Vec<InstanceId> = Vec::new();
    // The "closest matching" instance names the failure: the one that gets furthest
    // through the resource checks, ties to the lowest id.
    let mut closest: Option<PlacementFailure> = None;
    for instance in cluster.active_instances() {
        match first_shortfall(&needs, instance, range) {
            None => candidates.push(instance.id),
            Some(shortfall) => {
                if closest.is_none_or(|best| shortfall_rank(shortfall) > shortfall_rank(best)) {
                    closest = Some(shortfall);
                }
            }
        }
    }
    if candidates.is_empty() {
        return Err(closest.unwrap_or(PlacementFailure::NoInstance));
    }
    for constraint in &placement.constraints {
        candidates.retain(|&id| constraint.allows(request, cluster, cluster.instance(id)));
        if candidates.is_empty() {
            return Err(PlacementFailure::Constraint(constraint.failure_reason()));
        }
    }
    let mut scores = vec![0i64; candidates.len()];
    for strategy in &placement.strategies {
        if candidates.len() == 1 {
            break;
        }
        scores.resize(candidates.len(), 0);
        strategy.score(request, cluster, &candidates, &mut scores, rng);
        let best = *scores.iter().min().expect("candidates is not empty");
        let mut kept = 0;
        for i in 0..candidates.len() {
            if scores[i] == best {
                candidates[kept] = candidates[i];
                kept += 1;
            }
        }
        candidates.truncate(kept);
    }
    Ok(match cluster.parameters().tie_break {
        TieBreak::Stable => candidates[0],
        TieBreak::Random => candidates[rng.random_range(0..candidates.len() as u32) as usize],
    })
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
