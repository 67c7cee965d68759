//! Validated configuration: what a scenario asks for, in model types. The `scenario` crate
//! builds these once from YAML/JSON; nothing past that boundary re-checks them.

use std::collections::BTreeMap;
use std::sync::Arc;

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
    /// `capacityProviders`: Auto Scaling group capacity providers (ECS.md §5.5).
    pub capacity_providers: Vec<CapacityProviderSpec>,
    /// `defaultCapacityProviderStrategy`: used by REPLICA services, RunTask calls and
    /// scheduled tasks that give neither a strategy nor a `launchType`.
    pub default_capacity_provider_strategy: Vec<CapacityProviderStrategyItem>,
}

/// An Auto Scaling group capacity provider (ECS.md §5.5).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CapacityProviderSpec {
    pub name: String,
    pub auto_scaling_group: crate::ids::AsgId,
    /// `managedScaling` ENABLED: ECS tracks `CapacityProviderReservation`; `None`: DISABLED.
    pub managed_scaling: Option<ManagedScaling>,
    /// `managedTerminationProtection` ENABLED: instances with non-daemon tasks are protected
    /// from scale-in. Requires managed scaling.
    pub managed_termination_protection: bool,
}

/// `managedScaling` of a capacity provider, with ECS's defaults (ECS.md §5.5, §9).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ManagedScaling {
    /// `targetCapacity`, 1 to 100 (default 100).
    pub target_capacity: u32,
    /// `minimumScalingStepSize` (default 1).
    pub minimum_scaling_step_size: u32,
    /// `maximumScalingStepSize` (default 10,000).
    pub maximum_scaling_step_size: u32,
    /// `instanceWarmupPeriod` (default 300 s).
    pub instance_warmup_period_ms: u64,
}

impl Default for ManagedScaling {
    fn default() -> Self {
        ManagedScaling {
            target_capacity: 100,
            minimum_scaling_step_size: 1,
            maximum_scaling_step_size: 10_000,
            instance_warmup_period_ms: 300_000,
        }
    }
}

/// One item of a `capacityProviderStrategy` (ECS.md §5.5).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CapacityProviderStrategyItem {
    /// Index into `ClusterSpec::capacity_providers`.
    pub capacity_provider: u16,
    pub base: u32,
    pub weight: u32,
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
    /// EC2 Auto Scaling processes the group has suspended.
    pub suspended_processes: SuspendedProcesses,
    /// The agent's `ECS_ENABLE_SPOT_INSTANCE_DRAINING` on the group's instances: a Spot
    /// interruption notice sets the instance DRAINING (ECS.md §5.4). Default false, as ECS.
    pub spot_instance_draining: bool,
    /// ECS managed draining: an instance the group terminates for scale-in or rebalancing
    /// is set DRAINING first and terminated once its tasks have stopped (or the
    /// `managedDrainingTimeout` parameter passes). Default false.
    pub managed_draining: bool,
    /// TCP ports the agent reserves on each instance (`ECS_RESERVED_PORTS`, ECS.md §2.4).
    pub reserved_ports: Vec<u16>,
    /// `MinSize`/`MaxSize`: the bounds of the desired capacity (managed scaling stays within).
    pub min_size: u32,
    pub max_size: u32,
}

/// EC2 Auto Scaling processes that can be suspended (`SuspendProcesses`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct SuspendedProcesses {
    /// No instance is launched: neither replacements nor scale-out.
    pub launch: bool,
    /// No instance is terminated by the group: neither scale-in nor rebalancing.
    pub terminate: bool,
    /// Zones are not rebalanced after an outage ends.
    pub az_rebalance: bool,
    /// A failed instance is neither terminated nor replaced by the group: it stays in the
    /// group, counted against its desired capacity, out of the cluster.
    pub replace_unhealthy: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct FixedInstanceSpec {
    /// The EC2 instance id; generated (`i-0000000N`) when the scenario gives none.
    pub instance_id: Option<String>,
    pub instance_type: InstanceType,
    pub availability_zone: ZoneId,
    pub attributes: BTreeMap<String, String>,
    /// TCP ports the agent reserves (`ECS_RESERVED_PORTS`, ECS.md §2.4).
    pub reserved_ports: Vec<u16>,
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
    /// The container's `healthCheck` (ECS.md §3.5).
    pub health_check: Option<ContainerHealthCheck>,
}

/// A container `healthCheck` (ECS.md §3.5): the command is the workload's business; the
/// simulator knows when it starts failing from `Workload::unhealthy_after`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ContainerHealthCheck {
    /// 5 to 300 s, default 30 s.
    pub interval_ms: u64,
    /// 2 to 60 s, default 5 s.
    pub timeout_ms: u64,
    /// 1 to 10, default 3.
    pub retries: u32,
    /// 0 to 300 s, default 0: failures during it do not count.
    pub start_period_ms: u64,
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
    /// What the essential container exits with when its runtime ends (default 0).
    pub exit_code: i32,
    /// Tasks never reach RUNNING: they stop with `TaskFailedToStart` and this reason after
    /// `startup` (a bad image: `CannotPullContainerError: ...`).
    pub start_failure: Option<String>,
    /// From RUNNING until the application stops answering health checks (container and
    /// load balancer ones); `None` = it always answers.
    pub unhealthy_after: Option<Distribution>,
    /// `requestsPerSecond` and the memory model: what a task does with its service's load.
    pub load: Option<crate::load::TaskLoadModel>,
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
    /// `deploymentCircuitBreaker` (ECS.md §4.5).
    pub circuit_breaker: CircuitBreaker,
}

/// `deploymentCircuitBreaker {enable, rollback}` (ECS.md §4.5); both false by default.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct CircuitBreaker {
    pub enable: bool,
    pub rollback: bool,
}

impl Default for DeploymentConfiguration {
    /// REPLICA's defaults: 100 % and 200 % (ECS.md §4.2).
    fn default() -> Self {
        DeploymentConfiguration {
            minimum_healthy_percent: 100,
            maximum_percent: 200,
            circuit_breaker: CircuitBreaker::default(),
        }
    }
}

impl DeploymentConfiguration {
    /// DAEMON's defaults: 0 % and 100 % (ECS.md §4.1, A18).
    pub fn daemon() -> Self {
        DeploymentConfiguration {
            minimum_healthy_percent: 0,
            maximum_percent: 100,
            circuit_breaker: CircuitBreaker::default(),
        }
    }

    /// `floor(desired x maximumPercent / 100)`: the most tasks the service may have.
    pub fn max_tasks(&self, desired_count: u32) -> u32 {
        (u64::from(desired_count) * u64::from(self.maximum_percent) / 100) as u32
    }

    /// `ceil(desired x minimumHealthyPercent / 100)`: the fewest healthy tasks the scheduler
    /// may leave while it replaces tasks.
    pub fn min_healthy(&self, desired_count: u32) -> u32 {
        (u64::from(desired_count) * u64::from(self.minimum_healthy_percent)).div_ceil(100) as u32
    }
}

/// The fields of `deploymentConfiguration` an `updateService` action changes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct DeploymentConfigurationUpdate {
    pub minimum_healthy_percent: Option<u32>,
    pub maximum_percent: Option<u32>,
    pub circuit_breaker: Option<CircuitBreaker>,
}

impl DeploymentConfigurationUpdate {
    pub fn apply(&self, to: &mut DeploymentConfiguration) {
        if let Some(value) = self.minimum_healthy_percent {
            to.minimum_healthy_percent = value;
        }
        if let Some(value) = self.maximum_percent {
            to.maximum_percent = value;
        }
        if let Some(value) = self.circuit_breaker {
            to.circuit_breaker = value;
        }
    }
}

/// `schedulingStrategy` (ECS.md §4.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum SchedulingStrategy {
    /// Keep `desiredCount` tasks.
    #[default]
    Replica,
    /// One task on each ACTIVE instance that meets the placement constraints.
    Daemon,
}

/// An Elastic Load Balancing target group, as far as ECS's behaviour depends on it
/// (ECS.md §4.7). Defaults are ELB's: 30 s interval, 5 s timeout, healthy after 5,
/// unhealthy after 2, a 300 s deregistration delay.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TargetGroupSpec {
    /// The target group's name (the name part of an ARN).
    pub name: String,
    pub health_check_interval_ms: u64,
    pub health_check_timeout_ms: u64,
    pub healthy_threshold_count: u32,
    pub unhealthy_threshold_count: u32,
    /// `deregistration_delay.timeout_seconds`.
    pub deregistration_delay_ms: u64,
}

impl TargetGroupSpec {
    /// A target group the scenario names but does not describe: ELB's defaults.
    pub fn with_defaults(name: String) -> Self {
        TargetGroupSpec {
            name,
            health_check_interval_ms: 30_000,
            health_check_timeout_ms: 5_000,
            healthy_threshold_count: 5,
            unhealthy_threshold_count: 2,
            deregistration_delay_ms: 300_000,
        }
    }
}

/// One `loadBalancers` entry of a service: its tasks register `container_name`'s
/// `container_port` with the target group `target_group` (an index into the setup's
/// target groups).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoadBalancerSpec {
    pub target_group: u32,
    pub container_name: String,
    pub container_port: u16,
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

/// A service (CreateService).
#[derive(Clone, Debug, PartialEq)]
pub struct ServiceSpec {
    pub service_name: String,
    pub task_definition: TaskDefId,
    /// Ignored for DAEMON services (one task per eligible instance).
    pub desired_count: u32,
    pub scheduling_strategy: SchedulingStrategy,
    pub placement: PlacementSpec,
    pub deployment_configuration: DeploymentConfiguration,
    pub load_balancers: Vec<LoadBalancerSpec>,
    /// `healthCheckGracePeriodSeconds` (ECS.md §4.6), default 0.
    pub health_check_grace_period_ms: u64,
    /// `load:`: the requests per second the service is offered (the simulator's own).
    pub load: Option<crate::load::LoadSpec>,
    /// `autoScaling:`: Service Auto Scaling (ECS.md §6.2).
    pub auto_scaling: Option<crate::autoscaling::AutoScalingSpec>,
    /// `capacityProviderStrategy` (the cluster's default when none is given); empty: the
    /// EC2 launch type, tasks go on any instance.
    pub capacity_provider_strategy: Vec<CapacityProviderStrategyItem>,
}

/// RunTask calls: `count` tasks at `at_ms`, again every `every_ms` if given; or, with
/// `arrivals`, one call per arrival of a random process or a trace (then `at_ms` and
/// `every_ms` are unused).
#[derive(Clone, Debug, PartialEq)]
pub struct RunTaskSpec {
    pub task_definition: TaskDefId,
    pub count: u32,
    pub at_ms: u64,
    pub every_ms: Option<u64>,
    /// `arrivals`: when the calls come, instead of `at`/`every`.
    pub arrivals: Option<Arrivals>,
    /// The task group; `family:<family>` unless the scenario names one (ECS.md §1.4).
    pub group: String,
    pub placement: PlacementSpec,
    /// `capacityProviderStrategy` (the cluster's default when none is given).
    pub capacity_provider_strategy: Vec<CapacityProviderStrategyItem>,
}

/// When a RunTask entry's calls arrive (`runTasks[].arrivals`): each arrival is one call
/// of `count` tasks.
#[derive(Clone, Debug, PartialEq)]
pub struct Arrivals {
    pub process: ArrivalProcess,
    /// No arrival after this time (`until`); `None`: until the end of the run.
    pub until_ms: Option<u64>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ArrivalProcess {
    /// A Poisson process from `start_ms`: exponential gaps with mean `mean_ms`, the first
    /// one counted from `start_ms`.
    Poisson { mean_ms: u64, start_ms: u64 },
    /// Arrival times read from a file, in milliseconds since the start, not decreasing.
    Trace {
        /// The file as the scenario names it (relative to the scenario's folder).
        file: String,
        times_ms: Arc<[u64]>,
    },
}

/// An EventBridge schedule (ECS.md §6.3).
pub use crate::cron::Schedule;

/// `scheduledTasks`: RunTask calls on an EventBridge schedule; their tasks are never
/// replaced.
#[derive(Clone, Debug, PartialEq)]
pub struct ScheduledTaskSpec {
    pub task_definition: TaskDefId,
    pub count: u32,
    pub schedule: Schedule,
    /// The task group; `family:<family>` unless the scenario names one (ECS.md §1.4).
    pub group: String,
    pub placement: PlacementSpec,
    /// `capacityProviderStrategy` (the cluster's default when none is given).
    pub capacity_provider_strategy: Vec<CapacityProviderStrategyItem>,
}

/// A control-plane call at a given time (`actions:`).
#[derive(Clone, Debug, PartialEq)]
pub struct ActionSpec {
    pub at_ms: u64,
    pub action: Action,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    /// `UpdateService`: a new task definition or `forceNewDeployment` starts a deployment;
    /// `desiredCount` alone scales the current one (ECS.md §4.3).
    UpdateService {
        service: crate::ids::ServiceId,
        task_definition: Option<TaskDefId>,
        desired_count: Option<u32>,
        force_new_deployment: bool,
        deployment_configuration: DeploymentConfigurationUpdate,
        health_check_grace_period_ms: Option<u64>,
    },
    /// `UpdateContainerInstancesState` to DRAINING for every matching ACTIVE instance.
    DrainInstances { target: InstanceFilter },
    /// `UpdateContainerInstancesState` back to ACTIVE for every matching DRAINING instance.
    ActivateInstances { target: InstanceFilter },
    /// `SetDesiredCapacity` on an Auto Scaling group.
    SetDesiredCapacity {
        auto_scaling_group: crate::ids::AsgId,
        desired_capacity: u32,
    },
    /// `StopTask` on `count` of the matching tasks (all when `None`), picked by the fault
    /// victim stream; `reason` defaults to `Task stopped by user`.
    StopTask {
        target: TaskFilter,
        count: Option<u32>,
        reason: Option<String>,
    },
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
    /// A container exits with `exit_code`: the essential one unless `container` names
    /// another; a non-essential container's exit leaves the task running (ECS.md §3.2).
    TaskExit {
        target: TaskFilter,
        exit_code: i32,
        container: Option<String>,
    },
    /// Every instance in the zone is lost and none launches there for `duration_ms`.
    ZoneOutage { zone: ZoneId, duration_ms: u64 },
    /// EC2 reclaims a Spot instance: a two-minute notice (`spotNoticeTime`), DRAINING on
    /// the notice when its group enables Spot draining, then loss (ECS.md §5.4).
    SpotInterruption { target: InstanceFilter },
    /// The instance's agent disconnects: its tasks are neither stopped nor replaced and it
    /// takes no new task (ECS.md §5.3, A16); it reconnects after `duration_ms` if given.
    AgentDisconnect {
        target: InstanceFilter,
        duration_ms: Option<u64>,
    },
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

impl FaultKind {
    /// The `kind` of the scenario's fault: `instanceFailure`, `taskExit`...
    pub fn name(&self) -> &'static str {
        match self {
            FaultKind::InstanceFailure { .. } => "instanceFailure",
            FaultKind::TaskExit { .. } => "taskExit",
            FaultKind::ZoneOutage { .. } => "zoneOutage",
            FaultKind::SpotInterruption { .. } => "spotInterruption",
            FaultKind::AgentDisconnect { .. } => "agentDisconnect",
        }
    }
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
    /// DEPROVISIONING time of an awsvpc task (ENI detachment).
    pub eni_detach_ms: u64,
    /// A task without load balancer or container health check counts as healthy this long
    /// after RUNNING (ECS.md §4.4: 40 s).
    pub healthy_delay_ms: u64,
    /// The circuit breaker's threshold is `clamp(ceil(desired / 2), this, 200)` (A7: 3).
    pub circuit_breaker_min_threshold: u32,
    /// The service throttle: the n-th consecutive task that fails to start delays the next
    /// launch by `throttle_base_ms x 2^(n-1)`, at most `throttle_max_ms` (A9: 10 s, 15 min).
    pub throttle_base_ms: u64,
    pub throttle_max_ms: u64,
    /// Passing checks a new target needs before it is healthy (A13: 1, ELB's words).
    pub elb_initial_healthy_checks: u32,
    /// From a Spot interruption notice to the instance's loss (ECS.md §5.4: 2 min).
    pub spot_notice_ms: u64,
    /// The longest managed draining waits for an instance's tasks before terminating it.
    pub managed_draining_timeout_ms: u64,
    /// Calendar time of simulated time zero, in seconds since the Unix epoch (UTC), for
    /// `cron(...)` schedules.
    pub start_time_unix_s: i64,
    /// Capacity-provider tasks that may wait in PROVISIONING at once in the cluster
    /// (`maxProvisioningTasks`; ECS.md §5.5, §9: 300, the 2022 quota).
    pub max_provisioning_tasks: u32,
    /// Managed scaling: consecutive datapoints below `targetCapacity` before scale-in
    /// (`managedScalingScaleInDatapoints`; ECS.md §5.5: 15).
    pub managed_scaling_scale_in_datapoints: u32,
    /// Managed scaling's period: `CapacityProviderReservation` is published this often
    /// (`managedScalingInterval`; ECS.md §5.5: every minute).
    pub managed_scaling_interval_ms: u64,
    /// Instances managed scaling asks for when the group has none and tasks need some
    /// (`managedScalingFromZero`; ECS.md A12 "scales-out to 200% (two instances)": 2;
    /// 0 = as many as the computed `M` needs).
    pub managed_scaling_from_zero: u32,
    /// Whether a capacity provider's task that finds no room waits in PROVISIONING even when
    /// its provider cannot grow (no managed scaling, or the group at `maxSize` with nothing
    /// launching): ECS.md §5.5 "the tasks will fail to transition beyond the PROVISIONING
    /// state" (true, the default); false: it fails to be placed, as without a provider.
    pub capacity_provider_waits_without_scaling: bool,
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
            eni_detach_ms: 0,
            healthy_delay_ms: 40_000,
            circuit_breaker_min_threshold: 3,
            throttle_base_ms: 10_000,
            throttle_max_ms: 900_000,
            elb_initial_healthy_checks: 1,
            spot_notice_ms: 120_000,
            managed_draining_timeout_ms: 48 * 3_600_000,
            // 2026-01-01T00:00:00Z, a Thursday.
            start_time_unix_s: 1_767_225_600,
            max_provisioning_tasks: 300,
            managed_scaling_scale_in_datapoints: 15,
            managed_scaling_interval_ms: 60_000,
            managed_scaling_from_zero: 2,
            capacity_provider_waits_without_scaling: true,
        }
    }
}
