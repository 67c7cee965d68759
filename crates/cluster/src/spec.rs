//! Validated configuration: what a scenario asks for, in model types. The `scenario` crate
//! builds these once from YAML/JSON; nothing past that boundary re-checks them.

use std::collections::BTreeMap;

use des::Distribution;

use crate::ids::{TaskDefId, ZoneId};
use crate::query::Expression;

/// An EC2 instance type as ECS sees it once the agent has registered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InstanceType {
    pub name: String,
    /// Registered CPU units: vCPU x 1024 (ECS.md §2.1).
    pub cpu_units: u32,
    /// Registered memory: installed memory less the OS/agent overhead (ECS.md §2.1, A11).
    pub memory_mib: u32,
    /// Elastic network interfaces; awsvpc tasks per instance = `enis - 1` (ECS.md §2.5).
    pub enis: u32,
    /// `x86_64` or `arm64`: the `ecs.cpu-architecture` attribute.
    pub cpu_architecture: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ClusterSpec {
    pub name: String,
    /// Zone names; `ZoneId(i)` is `availability_zones[i]`.
    pub availability_zones: Vec<String>,
    pub auto_scaling_groups: Vec<AutoScalingGroupSpec>,
    /// Fixed instances (already expanded from `count`), never replaced.
    pub instances: Vec<FixedInstanceSpec>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct AutoScalingGroupSpec {
    pub name: String,
    pub instance_type: InstanceType,
    pub desired_capacity: u32,
    /// Non-empty, in the order the scenario gives them.
    pub availability_zones: Vec<ZoneId>,
    /// From an instance's loss to its replacement registering with the cluster.
    pub replacement_delay_ms: u64,
    /// Custom attributes, usable in memberOf expressions and spread fields.
    pub attributes: BTreeMap<String, String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct FixedInstanceSpec {
    /// The EC2 instance id; generated (`i-0000000N`) when the scenario gives none.
    pub instance_id: Option<String>,
    pub instance_type: InstanceType,
    pub availability_zone: ZoneId,
    pub attributes: BTreeMap<String, String>,
}

/// `networkMode` of a task definition (ECS.md §2.5).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NetworkMode {
    Bridge,
    Host,
    Awsvpc,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Protocol {
    Tcp,
    Udp,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PortMapping {
    pub container_port: u16,
    /// `None`: a dynamic host port from the ephemeral range (bridge mode, `hostPort` 0 or
    /// absent). In host mode the scenario sets it to the container port; in awsvpc mode
    /// host ports are not used at all.
    pub host_port: Option<u16>,
    pub protocol: Protocol,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContainerDefinition {
    pub name: String,
    pub image: String,
    pub cpu_units: u32,
    /// Hard limit.
    pub memory_mib: Option<u32>,
    /// Soft limit; reserved instead of `memory_mib` when given (ECS.md §2.3).
    pub memory_reservation_mib: Option<u32>,
    pub essential: bool,
    pub port_mappings: Vec<PortMapping>,
    /// SIGTERM to SIGKILL; `None` = the `stopTimeout` parameter (30 s, ECS.md §3.3).
    pub stop_timeout_ms: Option<u64>,
}

/// How the workload behaves once placed. Not an ECS field: the simulator's own knowledge.
#[derive(Clone, Debug, PartialEq)]
pub struct Workload {
    /// PENDING to RUNNING: image pull and container start.
    pub startup: Distribution,
    /// RUNNING until the essential container exits 0; `None` = runs until stopped.
    pub runtime: Option<Distribution>,
    /// How long the containers take to exit after SIGTERM; capped by the stop timeout.
    pub shutdown: Distribution,
}

/// One revision of a task definition, with its reservation already computed.
#[derive(Clone, Debug, PartialEq)]
pub struct TaskDefinition {
    pub family: String,
    pub revision: u32,
    pub network_mode: NetworkMode,
    /// CPU units reserved on the instance: task-level `cpu` if given, else the sum over
    /// containers (ECS.md §2.3, A5).
    pub cpu_units: u32,
    /// Memory reserved on the instance: task-level `memory` if given, else the sum over
    /// containers of `memoryReservation`, else `memory` (ECS.md §2.3, A5).
    pub memory_mib: u32,
    pub container_definitions: Vec<ContainerDefinition>,
    /// memberOf constraints carried by the task definition (distinctInstance is not
    /// allowed there, ECS.md §1.2).
    pub placement_constraints: Vec<ConstraintSpec>,
    pub workload: Workload,
}

impl TaskDefinition {
    /// `family:revision`, as ECS writes it.
    pub fn name(&self) -> String {
        format!("{}:{}", self.family, self.revision)
    }

    /// Static host ports the task reserves on its instance, sorted.
    pub fn static_host_ports(&self) -> Vec<(Protocol, u16)> {
        let mut ports: Vec<(Protocol, u16)> = self
            .port_mappings()
            .filter_map(|mapping| mapping.host_port.map(|port| (mapping.protocol, port)))
            .collect();
        ports.sort_unstable();
        ports
    }

    /// How many static host ports the task reserves (the 100-port limit), without
    /// collecting them.
    pub fn static_host_port_count(&self) -> usize {
        self.port_mappings()
            .filter(|mapping| mapping.host_port.is_some())
            .count()
    }

    /// Dynamic host ports the task needs, by protocol.
    pub fn dynamic_host_ports(&self) -> impl Iterator<Item = Protocol> + '_ {
        self.port_mappings()
            .filter(|mapping| mapping.host_port.is_none())
            .map(|mapping| mapping.protocol)
    }

    /// Port mappings that use host ports (none in awsvpc mode).
    fn port_mappings(&self) -> impl Iterator<Item = &PortMapping> {
        let uses_host_ports = self.network_mode != NetworkMode::Awsvpc;
        self.container_definitions
            .iter()
            .filter(move |_| uses_host_ports)
            .flat_map(|container| &container.port_mappings)
    }

    /// awsvpc tasks take one ENI attachment each (ECS.md §2.5).
    pub fn needs_eni(&self) -> bool {
        self.network_mode == NetworkMode::Awsvpc
    }
}

/// `deploymentConfiguration` (ECS.md §4.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DeploymentConfiguration {
    pub minimum_healthy_percent: u32,
    pub maximum_percent: u32,
}

impl Default for DeploymentConfiguration {
    fn default() -> Self {
        DeploymentConfiguration {
            minimum_healthy_percent: 100,
            maximum_percent: 200,
        }
    }
}

impl DeploymentConfiguration {
    /// `floor(desired x maximumPercent / 100)`: the most tasks the service may have.
    pub fn max_tasks(&self, desired_count: u32) -> u32 {
        (u64::from(desired_count) * u64::from(self.maximum_percent) / 100) as u32
    }
}

/// A field that placement strategies and constraints read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Resource {
    Cpu,
    Memory,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SpreadField {
    /// `instanceId` or `host`.
    InstanceId,
    /// `attribute:NAME`, e.g. `ecs.availability-zone`.
    Attribute(String),
}

/// One entry of `placementStrategy` (ECS.md §1.5).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StrategySpec {
    Binpack(Resource),
    Spread(SpreadField),
    Random,
}

/// One entry of `placementConstraints` (ECS.md §1.2).
#[derive(Clone, Debug, PartialEq)]
pub enum ConstraintSpec {
    DistinctInstance,
    MemberOf(Expression),
}

/// A placement strategy chain and its constraints. An empty chain means ECS's default for
/// the kind of request (ECS.md §1.6).
#[derive(Clone, Debug, PartialEq, Default)]
pub struct PlacementSpec {
    pub strategies: Vec<StrategySpec>,
    pub constraints: Vec<ConstraintSpec>,
}

/// A REPLICA service (CreateService).
#[derive(Clone, Debug, PartialEq)]
pub struct ServiceSpec {
    pub service_name: String,
    pub task_definition: TaskDefId,
    pub desired_count: u32,
    pub placement: PlacementSpec,
    pub deployment_configuration: DeploymentConfiguration,
}

/// RunTask calls: `count` tasks at `at_ms`, again every `every_ms` if given.
#[derive(Clone, Debug, PartialEq)]
pub struct RunTaskSpec {
    pub task_definition: TaskDefId,
    pub count: u32,
    pub at_ms: u64,
    pub every_ms: Option<u64>,
    /// The task group; `family:<family>` unless the scenario names one (ECS.md §1.4).
    pub group: String,
    pub placement: PlacementSpec,
}

/// Which instances a fault may hit; every given field must match.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct InstanceFilter {
    pub availability_zone: Option<ZoneId>,
    pub instance_type: Option<String>,
    pub auto_scaling_group: Option<String>,
    pub instance_id: Option<String>,
}

/// Which tasks a `taskExit` fault may hit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TaskFilter {
    Service(String),
    /// Tasks of any revision of this family.
    Family(String),
}

#[derive(Clone, Debug, PartialEq)]
pub enum FaultKind {
    /// The EC2 instance is terminated: its tasks stop, its ASG replaces it.
    InstanceFailure { target: InstanceFilter },
    /// The essential container exits with `exit_code`.
    TaskExit { target: TaskFilter, exit_code: i32 },
    /// Every instance in the zone is lost and none launches there for `duration_ms`.
    ZoneOutage { zone: ZoneId, duration_ms: u64 },
}

#[derive(Clone, Debug, PartialEq)]
pub enum FaultTiming {
    /// Scripted: hits every matching target at `at_ms`, or `count` of them picked by the
    /// fault stream.
    At { at_ms: u64, count: Option<u32> },
    /// Random: each matching instance or task (or the zone) gets its own time to failure,
    /// drawn from `(seed, fault index, entity)`.
    Random { time_to_failure: Distribution },
}

#[derive(Clone, Debug, PartialEq)]
pub struct FaultSpec {
    pub kind: FaultKind,
    pub timing: FaultTiming,
}

/// How the final tie between equally good instances is broken (ECS.md §8 A2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TieBreak {
    /// Uniformly at random from the placement stream.
    Random,
    /// The lowest instance id.
    Stable,
}

/// The behaviours ECS leaves undocumented, as parameters (ECS.md §10).
#[derive(Clone, Debug, PartialEq)]
pub struct Parameters {
    /// From a change that needs the service scheduler to its pass, and between retries of
    /// a pass that could not place every task (A10).
    pub scheduler_interval_ms: u64,
    /// Container stop timeout when the container definition has none (ECS.md §3.3).
    pub stop_timeout_ms: u64,
    /// PROVISIONING time of an awsvpc task (ENI attachment).
    pub eni_attach_ms: u64,
    pub tie_break: TieBreak,
    /// Whether STOPPING tasks count against `maximumPercent` (A6).
    pub max_percent_counts_stopping: bool,
    /// The ephemeral range dynamic host ports come from (ECS.md §2.4).
    pub dynamic_host_port_first: u16,
    pub dynamic_host_port_last: u16,
}

impl Default for Parameters {
    fn default() -> Self {
        Parameters {
            scheduler_interval_ms: 10_000,
            stop_timeout_ms: 30_000,
            eni_attach_ms: 5_000,
            tie_break: TieBreak::Random,
            max_percent_counts_stopping: true,
            dynamic_host_port_first: 49_153,
            dynamic_host_port_last: 65_535,
        }
    }
}
