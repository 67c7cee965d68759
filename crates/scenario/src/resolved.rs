//! The scenario as the simulator understands it, written back as YAML: every default filled
//! in, every instance type with what it registers, every task definition with what it
//! reserves. `ecsim validate --resolved` prints it, so a user can see why a task does or
//! does not fit before running anything.

use std::collections::BTreeMap;

use cluster::spec::{
    ConstraintSpec, FaultKind, FaultTiming, InstanceType, NetworkMode, Protocol, Resource,
    SpreadField, StrategySpec, TaskDefinition, TieBreak,
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
    parameters: Parameters,
    cluster: Cluster,
    task_definitions: Vec<TaskDefinitionView>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    services: Vec<ServiceView>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    run_tasks: Vec<RunTaskView>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    faults: Vec<FaultView>,
    /// The files a run writes.
    outputs: Vec<&'static str>,
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
    quotas: QuotasView,
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
    availability_zones: Vec<String>,
    /// Every type the scenario uses, with what an instance of it registers.
    instance_types: BTreeMap<String, InstanceTypeView>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    auto_scaling_groups: Vec<AutoScalingGroupView>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    instances: Vec<InstanceView>,
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
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct InstanceView {
    instance_id: String,
    instance_type: String,
    availability_zone: String,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    attributes: BTreeMap<String, String>,
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
    startup_time: String,
    runtime: String,
    shutdown_time: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ServiceView {
    service_name: String,
    task_definition: String,
    desired_count: u32,
    placement_strategy: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    placement_constraints: Vec<String>,
    minimum_healthy_percent: u32,
    maximum_percent: u32,
    /// floor(desiredCount x maximumPercent / 100) (ECS.md §4.2).
    max_tasks: u32,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RunTaskView {
    task_definition: String,
    count: u32,
    group: String,
    at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    every: Option<String>,
    placement_strategy: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    placement_constraints: Vec<String>,
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
        .map(|asg| AutoScalingGroupView {
            name: asg.name.clone(),
            instance_type: note_type(&asg.instance_type),
            desired_capacity: asg.desired_capacity,
            availability_zones: asg.availability_zones.iter().map(|&z| zone(z)).collect(),
            replacement_delay: duration(asg.replacement_delay_ms),
            attributes: asg.attributes.clone(),
        })
        .collect();
    let instances = scenario
        .cluster
        .instances
        .iter()
        .map(|instance| InstanceView {
            instance_id: instance
                .instance_id
                .clone()
                .unwrap_or_else(|| "(generated)".to_string()),
            instance_type: note_type(&instance.instance_type),
            availability_zone: zone(instance.availability_zone),
            attributes: instance.attributes.clone(),
        })
        .collect();
    Resolved {
        name: scenario.name.clone(),
        seed: scenario.seed,
        duration: duration(scenario.duration_ms),
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
            quotas: QuotasView {
                container_instances_per_cluster: scenario.quotas.container_instances_per_cluster,
                tasks_per_service: scenario.quotas.tasks_per_service,
                services_per_cluster: scenario.quotas.services_per_cluster,
            },
        },
        cluster: Cluster {
            name: scenario.cluster.name.clone(),
            availability_zones: scenario.cluster.availability_zones.clone(),
            instance_types,
            auto_scaling_groups,
            instances,
        },
        task_definitions: scenario.task_definitions.iter().map(task_definition_view).collect(),
        services: scenario
            .services
            .iter()
            .map(|service| ServiceView {
                service_name: service.service_name.clone(),
                task_definition: definition(service.task_definition).name(),
                desired_count: service.desired_count,
                placement_strategy: strategies(
                    &service.placement.strategies,
                    "spread(attribute:ecs.availability-zone), spread(instanceId) (ECS's default for services)",
                ),
                placement_constraints: constraints(&service.placement.constraints),
                minimum_healthy_percent: service.deployment_configuration.minimum_healthy_percent,
                maximum_percent: service.deployment_configuration.maximum_percent,
                max_tasks: service.deployment_configuration.max_tasks(service.desired_count),
            })
            .collect(),
        run_tasks: scenario
            .run_tasks
            .iter()
            .map(|run| RunTaskView {
                task_definition: definition(run.task_definition).name(),
                count: run.count,
                group: run.group.clone(),
                at: duration(run.at_ms),
                every: run.every_ms.map(duration),
                placement_strategy: strategies(
                    &run.placement.strategies,
                    "random (ECS's default for RunTask)",
                ),
                placement_constraints: constraints(&run.placement.constraints),
            })
            .collect(),
        faults: scenario
            .faults
            .iter()
            .map(|fault| fault_view(fault, &zone))
            .collect(),
        outputs: scenario.outputs.iter().map(|output| output.file_name()).collect(),
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
        startup_time: distribution(&workload.startup),
        runtime: workload
            .runtime
            .as_ref()
            .map_or("until stopped".to_string(), distribution),
        shutdown_time: distribution(&workload.shutdown),
    }
}

fn fault_view(
    fault: &cluster::spec::FaultSpec,
    zone: &dyn Fn(cluster::ids::ZoneId) -> String,
) -> FaultView {
    let instances = |target: &cluster::spec::InstanceFilter| {
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
    };
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
            target, exit_code, ..
        } => {
            let target = match target {
                cluster::spec::TaskFilter::Service(name) => format!("tasks of service {name}"),
                cluster::spec::TaskFilter::Family(family) => format!("tasks of family {family}"),
            };
            ("taskExit", format!("{target}, exit code {exit_code}"))
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
    use super::duration;
    use std::path::Path;

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
                "outputs:\n- events.csv\n- tasks.csv\n- instances.csv\n- placement_failures.csv\n- deployments.csv\n- services.csv\n- summary.json\n"
            ),
            "{yaml}"
        );
        // The resolved view is itself valid YAML.
        let value: serde_yaml::Value = serde_yaml::from_str(&yaml).expect("valid YAML");
        assert_eq!(value["seed"], serde_yaml::Value::from(42));
    }
}
