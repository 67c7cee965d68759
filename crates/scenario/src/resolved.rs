//! The scenario as the simulator understands it, written back as YAML: every default filled
//! in, every instance type with what it registers, every task definition with what it
//! reserves, every service with its deployment bounds, load balancers and target groups,
//! schedules with their first run, actions and faults in words. `ecsim validate --resolved` prints it, so a user can see why a task does or
//! does not fit before running anything.

use std::collections::BTreeMap;

use cluster::spec::{
    Action, CircuitBreaker, ConstraintSpec, DeploymentConfigurationUpdate, FaultKind, FaultTiming,
    InstanceFilter, InstanceType, NetworkMode, Protocol, Resource, SchedulingStrategy, SpreadField,
    StrategySpec, SuspendedProcesses, TaskDefinition, TaskFilter, TieBreak,
};
use des::Distribution;
use serde::Serialize;

use crate::Scenario;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Resolved {
    name: String,
    seed: u64,
    duration: String,
    metrics: MetricsView,
    parameters: Parameters,
    cluster: Cluster,
    task_definitions: Vec<TaskDefinitionView>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    services: Vec<ServiceView>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    target_groups: Vec<TargetGroupView>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    run_tasks: Vec<RunTaskView>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    scheduled_tasks: Vec<ScheduledTaskView>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    actions: Vec<ActionView>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    faults: Vec<FaultView>,
    /// The files a run writes.
    outputs: Vec<&'static str>,
}

/// `onDemand 0.096 USD/h`, `spot 0.0288 USD/h`, or `unknown (no price given)`.
fn price_text(price: Option<&Option<crate::pricing::Price>>) -> String {
    match price.copied().flatten() {
        Some(price) => format!(
            "{} {} USD/h",
            price.market.as_str(),
            crate::pricing::usd_text(price.nano_usd_per_hour)
        ),
        None => "unknown (no price given for a custom type)".to_string(),
    }
}

/// The measured window: from `warmup` to the end of the run.
#[derive(Serialize)]
struct MetricsView {
    warmup: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Parameters {
    scheduler_interval: String,
    stop_timeout: String,
    eni_attach_time: String,
    tie_break: &'static str,
    max_percent_counts_stopping: bool,
    dynamic_host_port_range: [u16; 2],
    eni_detach_time: String,
    healthy_delay: String,
    circuit_breaker_min_threshold: u32,
    throttle_base: String,
    throttle_max: String,
    elb_initial_healthy_checks: u32,
    spot_notice_time: String,
    managed_draining_timeout: String,
    /// The calendar time of simulated time zero, for `cron(...)` schedules.
    start_time: String,
    quotas: QuotasView,
    /// The capacity providers' parameters, when the cluster has any.
    #[serde(skip_serializing_if = "Option::is_none")]
    capacity_providers: Option<CapacityParametersView>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CapacityParametersView {
    max_provisioning_tasks: u32,
    managed_scaling_interval: String,
    managed_scaling_scale_in_datapoints: u32,
    managed_scaling_from_zero: u32,
    capacity_provider_waits_without_scaling: bool,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CapacityProviderView {
    name: String,
    auto_scaling_group: String,
    /// `DISABLED`, or the target tracking's settings.
    managed_scaling: String,
    managed_termination_protection: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct QuotasView {
    container_instances_per_cluster: u32,
    tasks_per_service: u32,
    services_per_cluster: u32,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Cluster {
    name: String,
    region: String,
    availability_zones: Vec<String>,
    /// Every type the scenario uses, with what an instance of it registers.
    instance_types: BTreeMap<String, InstanceTypeView>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    auto_scaling_groups: Vec<AutoScalingGroupView>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    instances: Vec<InstanceView>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    capacity_providers: Vec<CapacityProviderView>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    default_capacity_provider_strategy: Vec<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct InstanceTypeView {
    registered_cpu: u32,
    registered_memory_mib: u32,
    enis: u32,
    awsvpc_tasks_max: u32,
    cpu_architecture: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct AutoScalingGroupView {
    name: String,
    instance_type: String,
    desired_capacity: u32,
    availability_zones: Vec<String>,
    replacement_delay: String,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    attributes: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    suspended_processes: Vec<&'static str>,
    spot_instance_draining: bool,
    managed_draining: bool,
    /// TCP ports the agent reserves on each instance (ECS.md §2.4).
    reserved_ports: Vec<u16>,
    /// What an instance costs per hour (`pricing.rs`).
    pricing: String,
    /// Shown when not 0.
    #[serde(skip_serializing_if = "Option::is_none")]
    min_size: Option<u32>,
    /// Shown when not the default (the container-instance quota).
    #[serde(skip_serializing_if = "Option::is_none")]
    max_size: Option<u32>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct InstanceView {
    instance_id: String,
    instance_type: String,
    availability_zone: String,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    attributes: BTreeMap<String, String>,
    reserved_ports: Vec<u16>,
    pricing: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct TaskDefinitionView {
    task_definition: String,
    network_mode: &'static str,
    /// What one task takes from its instance (ECS.md §2.3).
    reserved_cpu: u32,
    reserved_memory_mib: u32,
    uses_eni: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    static_host_ports: Vec<String>,
    dynamic_host_ports: usize,
    essential_containers: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    placement_constraints: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    health_checks: Vec<HealthCheckView>,
    startup_time: String,
    runtime: String,
    shutdown_time: String,
    /// What the essential container exits with when its runtime ends.
    exit_code: i32,
    #[serde(skip_serializing_if = "Option::is_none")]
    start_failure: Option<String>,
    /// From RUNNING until the application stops answering health checks.
    unhealthy_after: String,
    /// What a task serves of its service's load, and its memory model (docs/autoscaling.md).
    #[serde(skip_serializing_if = "Option::is_none")]
    load: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct HealthCheckView {
    container: String,
    interval: String,
    timeout: String,
    retries: u32,
    start_period: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ServiceView {
    service_name: String,
    task_definition: String,
    scheduling_strategy: &'static str,
    /// `None` for DAEMON services: one task per eligible instance (ECS.md §4.1).
    #[serde(skip_serializing_if = "Option::is_none")]
    desired_count: Option<u32>,
    placement_strategy: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    placement_constraints: Vec<String>,
    minimum_healthy_percent: u32,
    maximum_percent: u32,
    /// ceil(desiredCount x minimumHealthyPercent / 100) (ECS.md §4.2); REPLICA only.
    #[serde(skip_serializing_if = "Option::is_none")]
    min_healthy: Option<u32>,
    /// floor(desiredCount x maximumPercent / 100) (ECS.md §4.2); REPLICA only.
    #[serde(skip_serializing_if = "Option::is_none")]
    max_tasks: Option<u32>,
    deployment_circuit_breaker: CircuitBreakerView,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    load_balancers: Vec<String>,
    health_check_grace_period: String,
    /// The offered load and Service Auto Scaling, in words (docs/autoscaling.md).
    #[serde(skip_serializing_if = "Option::is_none")]
    load: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    auto_scaling: Option<crate::autoscaling::AutoScalingView>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    capacity_provider_strategy: Vec<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CircuitBreakerView {
    enable: bool,
    rollback: bool,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct TargetGroupView {
    name: String,
    health_check_interval: String,
    health_check_timeout: String,
    healthy_threshold_count: u32,
    unhealthy_threshold_count: u32,
    deregistration_delay: String,
    /// The services whose tasks register with it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    services: Vec<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RunTaskView {
    task_definition: String,
    count: u32,
    group: String,
    /// `None` for an entry with `arrivals`.
    #[serde(skip_serializing_if = "Option::is_none")]
    at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    every: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    arrivals: Option<String>,
    placement_strategy: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    placement_constraints: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    capacity_provider_strategy: Vec<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ScheduledTaskView {
    task_definition: String,
    schedule: String,
    /// The first firing, from `startTime` (simulated time).
    first_run: String,
    count: u32,
    group: String,
    placement_strategy: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    placement_constraints: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    capacity_provider_strategy: Vec<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ActionView {
    at: String,
    action: &'static str,
    detail: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct FaultView {
    kind: &'static str,
    target: String,
    timing: String,
}

/// The resolved scenario as YAML.
pub fn resolved_yaml(scenario: &Scenario) -> String {
    serde_yaml::to_string(&resolve(scenario)).expect("plain data always serializes")
}

/// A fingerprint of the resolved scenario: FNV-1a (64 bits) of `resolved_yaml`, as 16 hex
/// digits. Two runs with the same fingerprint, seed and version ran the same scenario,
/// however it was written (defaults spelt out or not, `--set` or edited file).
pub fn resolved_hash(scenario: &Scenario) -> String {
    format!("{:016x}", fnv1a_64(resolved_yaml(scenario).as_bytes()))
}

/// FNV-1a, 64 bits (offset basis 0xcbf29ce484222325, prime 0x100000001b3): tiny, stable
/// across platforms and versions, and enough to tell scenarios apart (not a security hash).
fn fnv1a_64(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

fn resolve(scenario: &Scenario) -> Resolved {
    let zone = |id: cluster::ids::ZoneId| scenario.cluster.availability_zones[id.index()].clone();
    let definition = |id: cluster::ids::TaskDefId| &scenario.task_definitions[id.index()];
    let parameters = &scenario.parameters;
    let mut instance_types = BTreeMap::new();
    let mut note_type = |instance_type: &InstanceType| {
        instance_types.insert(
            instance_type.name.clone(),
            instance_type_view(instance_type),
        );
        instance_type.name.clone()
    };
    let auto_scaling_groups = scenario
        .cluster
        .auto_scaling_groups
        .iter()
        .enumerate()
        .map(|(idx, asg)| AutoScalingGroupView {
            name: asg.name.clone(),
            instance_type: note_type(&asg.instance_type),
            desired_capacity: asg.desired_capacity,
            availability_zones: asg.availability_zones.iter().map(|&z| zone(z)).collect(),
            replacement_delay: duration(asg.replacement_delay_ms),
            attributes: asg.attributes.clone(),
            suspended_processes: suspended_processes(asg.suspended_processes),
            spot_instance_draining: asg.spot_instance_draining,
            managed_draining: asg.managed_draining,
            reserved_ports: asg.reserved_ports.clone(),
            pricing: price_text(scenario.pricing.auto_scaling_groups.get(idx)),
            min_size: (asg.min_size != 0).then_some(asg.min_size),
            max_size: (asg.max_size
                != scenario
                    .quotas
                    .container_instances_per_cluster
                    .max(asg.desired_capacity)
                    .max(asg.min_size))
            .then_some(asg.max_size),
        })
        .collect();
    let instances = scenario
        .cluster
        .instances
        .iter()
        .enumerate()
        .map(|(idx, instance)| InstanceView {
            instance_id: instance
                .instance_id
                .clone()
                .unwrap_or_else(|| "(generated)".to_string()),
            instance_type: note_type(&instance.instance_type),
            availability_zone: zone(instance.availability_zone),
            attributes: instance.attributes.clone(),
            reserved_ports: instance.reserved_ports.clone(),
            pricing: price_text(scenario.pricing.instances.get(idx)),
        })
        .collect();
    Resolved {
        name: scenario.name.clone(),
        seed: scenario.seed,
        duration: duration(scenario.duration_ms),
        metrics: MetricsView {
            warmup: duration(scenario.metrics.warmup_ms),
        },
        parameters: Parameters {
            scheduler_interval: duration(parameters.scheduler_interval_ms),
            stop_timeout: duration(parameters.stop_timeout_ms),
            eni_attach_time: duration(parameters.eni_attach_ms),
            tie_break: match parameters.tie_break {
                TieBreak::Random => "random",
                TieBreak::Stable => "stable",
            },
            max_percent_counts_stopping: parameters.max_percent_counts_stopping,
            dynamic_host_port_range: [
                parameters.dynamic_host_port_first,
                parameters.dynamic_host_port_last,
            ],
            eni_detach_time: duration(parameters.eni_detach_ms),
            healthy_delay: duration(parameters.healthy_delay_ms),
            circuit_breaker_min_threshold: parameters.circuit_breaker_min_threshold,
            throttle_base: duration(parameters.throttle_base_ms),
            throttle_max: duration(parameters.throttle_max_ms),
            elb_initial_healthy_checks: parameters.elb_initial_healthy_checks,
            spot_notice_time: duration(parameters.spot_notice_ms),
            managed_draining_timeout: duration(parameters.managed_draining_timeout_ms),
            start_time: cluster::cron::format_utc_timestamp(parameters.start_time_unix_s),
            quotas: QuotasView {
                container_instances_per_cluster: scenario.quotas.container_instances_per_cluster,
                tasks_per_service: scenario.quotas.tasks_per_service,
                services_per_cluster: scenario.quotas.services_per_cluster,
            },
            capacity_providers: (!scenario.cluster.capacity_providers.is_empty()).then(|| {
                CapacityParametersView {
                    max_provisioning_tasks: parameters.max_provisioning_tasks,
                    managed_scaling_interval: duration(parameters.managed_scaling_interval_ms),
                    managed_scaling_scale_in_datapoints: parameters
                        .managed_scaling_scale_in_datapoints,
                    managed_scaling_from_zero: parameters.managed_scaling_from_zero,
                    capacity_provider_waits_without_scaling: parameters
                        .capacity_provider_waits_without_scaling,
                }
            }),
        },
        cluster: Cluster {
            name: scenario.cluster.name.clone(),
            region: scenario.pricing.region.clone(),
            availability_zones: scenario.cluster.availability_zones.clone(),
            instance_types,
            auto_scaling_groups,
            instances,
            capacity_providers: scenario
                .cluster
                .capacity_providers
                .iter()
                .map(|provider| CapacityProviderView {
                    name: provider.name.clone(),
                    auto_scaling_group: scenario.cluster.auto_scaling_groups
                        [provider.auto_scaling_group.index()]
                    .name
                    .clone(),
                    managed_scaling: provider.managed_scaling.map_or(
                        "DISABLED".to_string(),
                        |s| {
                            format!(
                                "ENABLED: targetCapacity {}, steps {} to {}, instanceWarmupPeriod {}",
                                s.target_capacity,
                                s.minimum_scaling_step_size,
                                s.maximum_scaling_step_size,
                                duration(s.instance_warmup_period_ms)
                            )
                        },
                    ),
                    managed_termination_protection: if provider.managed_termination_protection
                    {
                        "ENABLED"
                    } else {
                        "DISABLED"
                    },
                })
                .collect(),
            default_capacity_provider_strategy: provider_strategy(
                scenario,
                &scenario.cluster.default_capacity_provider_strategy,
            ),
        },
        task_definitions: scenario
            .task_definitions
            .iter()
            .map(task_definition_view)
            .collect(),
        services: scenario
            .services
            .iter()
            .map(|service| service_view(scenario, service))
            .collect(),
        target_groups: target_groups(scenario),
        run_tasks: scenario
            .run_tasks
            .iter()
            .map(|run| RunTaskView {
                task_definition: definition(run.task_definition).name(),
                count: run.count,
                group: run.group.clone(),
                at: run.arrivals.is_none().then(|| duration(run.at_ms)),
                every: run.every_ms.map(duration),
                arrivals: run.arrivals.as_ref().map(arrivals),
                placement_strategy: strategies(
                    &run.placement.strategies,
                    "random (ECS's default for RunTask)",
                ),
                placement_constraints: constraints(&run.placement.constraints),
                capacity_provider_strategy: provider_strategy(
                    scenario,
                    &run.capacity_provider_strategy,
                ),
            })
            .collect(),
        scheduled_tasks: scenario
            .scheduled_tasks
            .iter()
            .map(|scheduled| ScheduledTaskView {
                task_definition: definition(scheduled.task_definition).name(),
                schedule: scheduled.schedule.to_string(),
                first_run: scheduled
                    .schedule
                    .next_after(0, parameters.start_time_unix_s)
                    .map_or("never".to_string(), duration),
                count: scheduled.count,
                group: scheduled.group.clone(),
                placement_strategy: strategies(
                    &scheduled.placement.strategies,
                    "random (ECS's default for RunTask)",
                ),
                placement_constraints: constraints(&scheduled.placement.constraints),
                capacity_provider_strategy: provider_strategy(
                    scenario,
                    &scheduled.capacity_provider_strategy,
                ),
            })
            .collect(),
        actions: scenario
            .actions
            .iter()
            .map(|action| action_view(scenario, action, &zone))
            .collect(),
        faults: scenario
            .faults
            .iter()
            .map(|fault| fault_view(fault, &zone))
            .collect(),
        // The files the run writes: groups.csv only with arrivals (no group has figures
        // without them).
        outputs: scenario
            .outputs
            .iter()
            .filter(|&&output| {
                output != crate::Output::Groups
                    || scenario.run_tasks.iter().any(|run| run.arrivals.is_some())
            })
            .map(|output| output.file_name())
            .collect(),
    }
}

/// `runTasks[].arrivals` in words, a trace with its count, span and a fingerprint of its
/// times (so that `scenarioHash` tells two traces apart).
fn arrivals(arrivals: &cluster::spec::Arrivals) -> String {
    let process = match &arrivals.process {
        cluster::spec::ArrivalProcess::Poisson { mean_ms, start_ms } => format!(
            "poisson(mean {}) from {}",
            duration(*mean_ms),
            duration(*start_ms)
        ),
        cluster::spec::ArrivalProcess::Trace { file, times_ms } => {
            let bytes: Vec<u8> = times_ms.iter().flat_map(|t| t.to_le_bytes()).collect();
            format!(
                "trace {file}: {} arrivals from {} to {} (times {:016x})",
                times_ms.len(),
                duration(times_ms.first().copied().unwrap_or(0)),
                duration(times_ms.last().copied().unwrap_or(0)),
                fnv1a_64(&bytes)
            )
        }
    };
    match arrivals.until_ms {
        Some(until) => format!("{process} until {}", duration(until)),
        None => process,
    }
}

fn instance_type_view(instance_type: &InstanceType) -> InstanceTypeView {
    InstanceTypeView {
        registered_cpu: instance_type.cpu_units,
        registered_memory_mib: instance_type.memory_mib,
        enis: instance_type.enis,
        awsvpc_tasks_max: instance_type.enis.saturating_sub(1),
        cpu_architecture: instance_type.cpu_architecture.clone(),
    }
}

fn task_definition_view(definition: &TaskDefinition) -> TaskDefinitionView {
    let workload = &definition.workload;
    TaskDefinitionView {
        task_definition: definition.name(),
        network_mode: match definition.network_mode {
            NetworkMode::Bridge => "bridge",
            NetworkMode::Host => "host",
            NetworkMode::Awsvpc => "awsvpc",
        },
        reserved_cpu: definition.cpu_units,
        reserved_memory_mib: definition.memory_mib,
        uses_eni: definition.needs_eni(),
        static_host_ports: definition
            .static_host_ports()
            .iter()
            .map(|&(protocol, port)| format!("{port}/{}", protocol_name(protocol)))
            .collect(),
        dynamic_host_ports: definition.dynamic_host_ports().count(),
        essential_containers: definition
            .container_definitions
            .iter()
            .filter(|container| container.essential)
            .map(|container| container.name.clone())
            .collect(),
        placement_constraints: constraints(&definition.placement_constraints),
        health_checks: definition
            .container_definitions
            .iter()
            .filter_map(|container| {
                let check = container.health_check?;
                Some(HealthCheckView {
                    container: container.name.clone(),
                    interval: duration(check.interval_ms),
                    timeout: duration(check.timeout_ms),
                    retries: check.retries,
                    start_period: duration(check.start_period_ms),
                })
            })
            .collect(),
        startup_time: distribution(&workload.startup),
        runtime: workload
            .runtime
            .as_ref()
            .map_or("until stopped".to_string(), distribution),
        shutdown_time: distribution(&workload.shutdown),
        exit_code: workload.exit_code,
        start_failure: workload.start_failure.clone(),
        unhealthy_after: workload
            .unhealthy_after
            .as_ref()
            .map_or("never".to_string(), distribution),
        load: workload.load.map(|model| {
            format!(
                "{} requests/s at 100 % CPU; memory {} % idle, {} % at full CPU",
                model.requests_per_second, model.memory_idle_percent, model.memory_full_percent
            )
        }),
    }
}

fn suspended_processes(processes: SuspendedProcesses) -> Vec<&'static str> {
    [
        (processes.launch, "Launch"),
        (processes.terminate, "Terminate"),
        (processes.az_rebalance, "AZRebalance"),
        (processes.replace_unhealthy, "ReplaceUnhealthy"),
    ]
    .into_iter()
    .filter_map(|(suspended, name)| suspended.then_some(name))
    .collect()
}

fn service_view(scenario: &Scenario, service: &cluster::spec::ServiceSpec) -> ServiceView {
    let configuration = &service.deployment_configuration;
    let replica = service.scheduling_strategy == SchedulingStrategy::Replica;
    ServiceView {
        service_name: service.service_name.clone(),
        task_definition: scenario.task_definitions[service.task_definition.index()].name(),
        scheduling_strategy: match service.scheduling_strategy {
            SchedulingStrategy::Replica => "REPLICA",
            SchedulingStrategy::Daemon => "DAEMON",
        },
        desired_count: replica.then_some(service.desired_count),
        placement_strategy: if replica {
            strategies(
                &service.placement.strategies,
                "spread(attribute:ecs.availability-zone), spread(instanceId) (ECS's default for services)",
            )
        } else {
            vec!["one task on each instance that meets the constraints (DAEMON)".to_string()]
        },
        placement_constraints: constraints(&service.placement.constraints),
        minimum_healthy_percent: configuration.minimum_healthy_percent,
        maximum_percent: configuration.maximum_percent,
        min_healthy: replica.then(|| configuration.min_healthy(service.desired_count)),
        max_tasks: replica.then(|| configuration.max_tasks(service.desired_count)),
        deployment_circuit_breaker: CircuitBreakerView {
            enable: configuration.circuit_breaker.enable,
            rollback: configuration.circuit_breaker.rollback,
        },
        load_balancers: service
            .load_balancers
            .iter()
            .map(|balancer| {
                format!(
                    "target group {}: container {} port {}",
                    scenario.target_groups[balancer.target_group as usize].name,
                    balancer.container_name,
                    balancer.container_port
                )
            })
            .collect(),
        health_check_grace_period: duration(service.health_check_grace_period_ms),
        load: service.load.as_ref().map(crate::autoscaling::load_words),
        auto_scaling: service
            .auto_scaling
            .as_ref()
            .map(crate::autoscaling::auto_scaling_view),
        capacity_provider_strategy: provider_strategy(
            scenario,
            &service.capacity_provider_strategy,
        ),
    }
}

/// `NAME (base B, weight W)` per item of a capacity provider strategy.
fn provider_strategy(
    scenario: &Scenario,
    strategy: &[cluster::spec::CapacityProviderStrategyItem],
) -> Vec<String> {
    strategy
        .iter()
        .map(|item| {
            format!(
                "{} (base {}, weight {})",
                scenario.cluster.capacity_providers[usize::from(item.capacity_provider)].name,
                item.base,
                item.weight
            )
        })
        .collect()
}

fn target_groups(scenario: &Scenario) -> Vec<TargetGroupView> {
    scenario
        .target_groups
        .iter()
        .enumerate()
        .map(|(idx, group)| TargetGroupView {
            name: group.name.clone(),
            health_check_interval: duration(group.health_check_interval_ms),
            health_check_timeout: duration(group.health_check_timeout_ms),
            healthy_threshold_count: group.healthy_threshold_count,
            unhealthy_threshold_count: group.unhealthy_threshold_count,
            deregistration_delay: duration(group.deregistration_delay_ms),
            services: scenario
                .services
                .iter()
                .filter(|service| {
                    service
                        .load_balancers
                        .iter()
                        .any(|balancer| balancer.target_group as usize == idx)
                })
                .map(|service| service.service_name.clone())
                .collect(),
        })
        .collect()
}

/// An action in words.
fn action_view(
    scenario: &Scenario,
    action: &cluster::spec::ActionSpec,
    zone: &dyn Fn(cluster::ids::ZoneId) -> String,
) -> ActionView {
    let (kind, detail) = match &action.action {
        Action::UpdateService {
            service,
            task_definition,
            desired_count,
            force_new_deployment,
            deployment_configuration,
            health_check_grace_period_ms,
        } => {
            let mut changes = Vec::new();
            if let Some(id) = task_definition {
                changes.push(format!(
                    "taskDefinition {}",
                    scenario.task_definitions[id.index()].name()
                ));
            }
            if let Some(count) = desired_count {
                changes.push(format!("desiredCount {count}"));
            }
            if *force_new_deployment {
                changes.push("forceNewDeployment".to_string());
            }
            changes.extend(deployment_changes(deployment_configuration));
            if let Some(ms) = health_check_grace_period_ms {
                changes.push(format!("healthCheckGracePeriod {}", duration(*ms)));
            }
            let name = &scenario.services[service.index()].service_name;
            ("updateService", format!("{name}: {}", changes.join(", ")))
        }
        Action::DrainInstances { target } => (
            "drainInstances",
            format!("{} to DRAINING", instances(target, zone)),
        ),
        Action::ActivateInstances { target } => (
            "activateInstances",
            format!("{} back to ACTIVE", instances(target, zone)),
        ),
        Action::SetDesiredCapacity {
            auto_scaling_group,
            desired_capacity,
        } => (
            "setDesiredCapacity",
            format!(
                "Auto Scaling group {} to {desired_capacity} instances",
                scenario.cluster.auto_scaling_groups[auto_scaling_group.index()].name
            ),
        ),
        Action::StopTask {
            target,
            count,
            reason,
        } => {
            let which = match count {
                Some(1) => "1 task".to_string(),
                Some(count) => format!("{count} tasks"),
                None => "every task".to_string(),
            };
            let reason = reason.as_deref().unwrap_or("Task stopped by user");
            (
                "stopTask",
                format!("{which} of {}, reason {reason:?}", tasks(target)),
            )
        }
    };
    ActionView {
        at: duration(action.at_ms),
        action: kind,
        detail,
    }
}

fn deployment_changes(update: &DeploymentConfigurationUpdate) -> Vec<String> {
    let mut changes = Vec::new();
    if let Some(percent) = update.minimum_healthy_percent {
        changes.push(format!("minimumHealthyPercent {percent}"));
    }
    if let Some(percent) = update.maximum_percent {
        changes.push(format!("maximumPercent {percent}"));
    }
    if let Some(CircuitBreaker { enable, rollback }) = update.circuit_breaker {
        changes.push(format!(
            "deploymentCircuitBreaker enable {enable}, rollback {rollback}"
        ));
    }
    changes
}

/// The instances a filter matches, in words.
fn instances(target: &InstanceFilter, zone: &dyn Fn(cluster::ids::ZoneId) -> String) -> String {
    let mut parts = Vec::new();
    if let Some(z) = target.availability_zone {
        parts.push(format!("availabilityZone {}", zone(z)));
    }
    for (name, value) in [
        ("instanceType", &target.instance_type),
        ("autoScalingGroup", &target.auto_scaling_group),
        ("instanceId", &target.instance_id),
    ] {
        if let Some(value) = value {
            parts.push(format!("{name} {value}"));
        }
    }
    if parts.is_empty() {
        "every instance".to_string()
    } else {
        parts.join(", ")
    }
}

fn tasks(target: &TaskFilter) -> String {
    match target {
        TaskFilter::Service(name) => format!("service {name}"),
        TaskFilter::Family(family) => format!("family {family}"),
    }
}

fn fault_view(
    fault: &cluster::spec::FaultSpec,
    zone: &dyn Fn(cluster::ids::ZoneId) -> String,
) -> FaultView {
    let instances = |target: &InstanceFilter| instances(target, zone);
    let (kind, target) = match &fault.kind {
        FaultKind::InstanceFailure { target } => ("instanceFailure", instances(target)),
        FaultKind::SpotInterruption { target } => ("spotInterruption", instances(target)),
        FaultKind::AgentDisconnect {
            target,
            duration_ms,
        } => (
            "agentDisconnect",
            match duration_ms {
                Some(ms) => format!(
                    "{}, reconnecting after {}",
                    instances(target),
                    duration(*ms)
                ),
                None => instances(target),
            },
        ),
        FaultKind::TaskExit {
            target,
            exit_code,
            container,
        } => {
            let container = match container {
                Some(name) => format!("container {name}"),
                None => "the essential container".to_string(),
            };
            (
                "taskExit",
                format!(
                    "tasks of {}, {container}, exit code {exit_code}",
                    tasks(target)
                ),
            )
        }
        FaultKind::ZoneOutage {
            zone: z,
            duration_ms,
        } => (
            "zoneOutage",
            format!("{} for {}", zone(*z), duration(*duration_ms)),
        ),
    };
    let timing = match &fault.timing {
        FaultTiming::At { at_ms, count: None } => format!("at {}", duration(*at_ms)),
        FaultTiming::At {
            at_ms,
            count: Some(count),
        } => format!("at {}, {count} of the matching targets", duration(*at_ms)),
        FaultTiming::Random { time_to_failure } => {
            format!("each target after {}", distribution(time_to_failure))
        }
    };
    FaultView {
        kind,
        target,
        timing,
    }
}

fn strategies(specs: &[StrategySpec], default: &str) -> Vec<String> {
    if specs.is_empty() {
        return vec![default.to_string()];
    }
    specs
        .iter()
        .map(|spec| match spec {
            StrategySpec::Binpack(Resource::Cpu) => "binpack(cpu)".to_string(),
            StrategySpec::Binpack(Resource::Memory) => "binpack(memory)".to_string(),
            StrategySpec::Spread(SpreadField::InstanceId) => "spread(instanceId)".to_string(),
            StrategySpec::Spread(SpreadField::Attribute(name)) => {
                format!("spread(attribute:{name})")
            }
            StrategySpec::Random => "random".to_string(),
        })
        .collect()
}

fn constraints(specs: &[ConstraintSpec]) -> Vec<String> {
    specs
        .iter()
        .map(|spec| match spec {
            ConstraintSpec::DistinctInstance => "distinctInstance".to_string(),
            ConstraintSpec::MemberOf(expression) => format!("memberOf({})", expression.source()),
        })
        .collect()
}

fn protocol_name(protocol: Protocol) -> &'static str {
    match protocol {
        Protocol::Tcp => "tcp",
        Protocol::Udp => "udp",
    }
}

fn distribution(distribution: &Distribution) -> String {
    match *distribution {
        Distribution::Fixed { ms } => duration(ms),
        Distribution::Exponential { mean_ms } => format!("exponential(mean {})", duration(mean_ms)),
        Distribution::Uniform { min_ms, max_ms } => {
            format!("uniform({} to {})", duration(min_ms), duration(max_ms))
        }
        Distribution::LogNormal { median_ms, sigma } => {
            format!("lognormal(median {}, sigma {sigma})", duration(median_ms))
        }
        Distribution::Weibull { scale_ms, shape } => {
            format!("weibull(scale {}, shape {shape})", duration(scale_ms))
        }
    }
}

/// Milliseconds in the scenario's own notation: `1d2h`, `90s` is `1m30s`, `250ms`.
pub(crate) fn duration(ms: u64) -> String {
    if ms == 0 {
        return "0s".to_string();
    }
    let units = [
        ("d", 86_400_000),
        ("h", 3_600_000),
        ("m", 60_000),
        ("s", 1000),
        ("ms", 1),
    ];
    let mut rest = ms;
    let mut text = String::new();
    for (unit, size) in units {
        if rest >= size {
            text += &format!("{}{unit}", rest / size);
            rest %= size;
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::{duration, fnv1a_64};
    use std::path::Path;

    #[test]
    fn fnv1a_64_matches_the_reference_vectors() {
        // From the FNV reference test suite.
        assert_eq!(fnv1a_64(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a_64(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a_64(b"foobar"), 0x8594_4171_f739_67e8);
    }

    #[test]
    fn the_hash_is_of_the_resolved_scenario() {
        let load = |text: &str, sets: &[String]| {
            crate::load_str(text, Path::new("q.yaml"), sets).expect("loads")
        };
        let quickstart = load(crate::QUICKSTART, &[]);
        let hash = super::resolved_hash(&quickstart);
        assert_eq!(hash.len(), 16);
        // A default spelt out, or a comment, is the same scenario.
        let spelt = format!(
            "{}\nmetrics: {{warmup: 0s}}\n# a comment\n",
            crate::QUICKSTART
        );
        assert_eq!(super::resolved_hash(&load(&spelt, &[])), hash);
        // A --set that changes something changes it.
        let nine = load(
            crate::QUICKSTART,
            &["services[0].desiredCount=9".to_string()],
        );
        assert_ne!(super::resolved_hash(&nine), hash);
        assert_eq!(nine.overrides, ["services[0].desiredCount=9"]);
    }

    #[test]
    fn durations_read_back_in_scenario_notation() {
        assert_eq!(duration(0), "0s");
        assert_eq!(duration(250), "250ms");
        assert_eq!(duration(90_000), "1m30s");
        assert_eq!(duration(5_400_000), "1h30m");
        assert_eq!(duration(7 * 86_400_000 + 1), "7d1ms");
    }

    #[test]
    fn resolved_view_shows_registered_resources_and_reservations() {
        let scenario = crate::load_str(crate::QUICKSTART, Path::new("quickstart.yaml"), &[])
            .expect("quickstart loads");
        let yaml = super::resolved_yaml(&scenario);
        // m5.large: 2 vCPU x 1024, 8192 MiB less 2.5 % (ECS.md §2.1, §2.2).
        assert!(
            yaml.contains("m5.large:\n      registeredCpu: 2048\n      registeredMemoryMib: 7987"),
            "{yaml}"
        );
        // web reserves memoryReservation (512), not memory (1024) (ECS.md §2.3).
        assert!(yaml.contains("reservedMemoryMib: 512"), "{yaml}");
        assert!(yaml.contains("ECS's default for services"), "{yaml}");
        // ECS's default quotas, and every output file.
        assert!(
            yaml.contains(
                "  quotas:\n    containerInstancesPerCluster: 5000\n    tasksPerService: 5000\n    servicesPerCluster: 5000\n"
            ),
            "{yaml}"
        );
        assert!(
            yaml.ends_with(
                "outputs:\n- events.csv\n- tasks.csv\n- instances.csv\n- placement_failures.csv\n- deployments.csv\n- episodes.csv\n- services.csv\n- summary.json\n- timeseries.csv\n- report.html\n"
            ),
            "{yaml}"
        );
        // The resolved view is itself valid YAML.
        let value: serde_yaml::Value = serde_yaml::from_str(&yaml).expect("valid YAML");
        assert_eq!(value["seed"], serde_yaml::Value::from(42));
    }
}
