//! `taskDefinitions` (RegisterTaskDefinition shape, in YAML or from `file:` ECS JSON) into
//! `TaskDefinition` revisions, with the reservation rule of ECS.md §2.3 (A5) and ECS's
//! own validation of containers, memory and ports; and resolution of references
//! (`web` = latest revision, `web:2`).

use cluster::ids::TaskDefId;
use cluster::spec::{
    ConstraintSpec, ContainerDefinition, ContainerHealthCheck, NetworkMode, PortMapping, Protocol,
    TaskDefinition, Workload,
};
use des::Distribution;

use crate::aws_json;
use crate::error::ErrorKind;
use crate::node::{Node, Value};
use crate::read::{index_path, Cx, Fields};
use crate::service;
use crate::validate::opt;

/// Every `taskDefinitions` entry in order (`None` where invalid) and its family, so that
/// references resolve even to entries that had errors.
pub(crate) struct TaskDefinitions {
    pub definitions: Vec<Option<TaskDefinition>>,
    pub families: Vec<Option<String>>,
}

pub(crate) const TASK_DEFINITION_KEYS: &[&str] = &[
    "file",
    "family",
    "networkMode",
    "cpu",
    "memory",
    "containerDefinitions",
    "placementConstraints",
    "simulation",
];

/// RegisterTaskDefinition fields (and describe-task-definition read-only fields) that do
/// not change placement or lifecycle in the simulator.
pub(crate) const TASK_DEFINITION_IGNORED: &[&str] = &[
    "taskRoleArn",
    "executionRoleArn",
    "volumes",
    "requiresCompatibilities",
    "tags",
    "ephemeralStorage",
    "proxyConfiguration",
    "inferenceAccelerators",
    "pidMode",
    "ipcMode",
    "runtimePlatform",
    "enableFaultInjection",
    "status",
    "compatibilities",
    "taskDefinitionArn",
    "revision",
    "registeredAt",
    "registeredBy",
    "deregisteredAt",
    "requiresAttributes",
];

pub(crate) const CONTAINER_KEYS: &[&str] = &[
    "name",
    "image",
    "cpu",
    "memory",
    "memoryReservation",
    "essential",
    "portMappings",
    "stopTimeout",
    "healthCheck",
];

pub(crate) const CONTAINER_IGNORED: &[&str] = &[
    "repositoryCredentials",
    "links",
    "entryPoint",
    "command",
    "environment",
    "environmentFiles",
    "mountPoints",
    "volumesFrom",
    "linuxParameters",
    "secrets",
    "dependsOn",
    "startTimeout",
    "hostname",
    "user",
    "workingDirectory",
    "disableNetworking",
    "privileged",
    "readonlyRootFilesystem",
    "dnsServers",
    "dnsSearchDomains",
    "extraHosts",
    "dockerSecurityOptions",
    "interactive",
    "pseudoTerminal",
    "dockerLabels",
    "ulimits",
    "logConfiguration",
    "systemControls",
    "resourceRequirements",
    "firelensConfiguration",
    "credentialSpecs",
    "restartPolicy",
    "versionConsistency",
];

/// Containers per task definition (ECS.md §2.3).
const CONTAINERS_MAX: usize = 10;

pub(crate) fn task_definitions(cx: &mut Cx, node: Option<&Node>) -> TaskDefinitions {
    let mut out = TaskDefinitions {
        definitions: Vec::new(),
        families: Vec::new(),
    };
    let Some(node) = node else { return out };
    for (idx, item) in cx
        .seq(node, "taskDefinitions")
        .unwrap_or_default()
        .iter()
        .enumerate()
    {
        let path = index_path("taskDefinitions", idx);
        let merged;
        let item = match item.get("file") {
            Some(file) => match aws_json::load_file(cx, file, &format!("{path}.file")) {
                Some(document) => {
                    merged =
                        aws_json::merge(document, item, "taskDefinition", "containerDefinitions");
                    &merged
                }
                None => {
                    out.definitions.push(None);
                    out.families.push(item.get("family").and_then(scalar_text));
                    continue;
                }
            },
            None => item,
        };
        let family = item.get("family").and_then(scalar_text);
        let revision = out
            .families
            .iter()
            .filter(|known| **known == family)
            .count() as u32
            + 1;
        out.definitions
            .push(task_definition(cx, item, &path, revision));
        out.families.push(family);
    }
    out
}

fn scalar_text(node: &Node) -> Option<String> {
    match &node.value {
        Value::Scalar { text, .. } => Some(text.clone()),
        _ => None,
    }
}

impl TaskDefinitions {
    /// Resolves `family` (latest revision) or `family:revision`.
    pub(crate) fn resolve(&self, cx: &mut Cx, node: &Node, field: &str) -> Option<TaskDefId> {
        let reference = cx.name(node, field)?;
        let (family, revision) = match reference.rsplit_once(':') {
            Some((family, revision)) => match crate::read::parse_uint(revision) {
                Some(revision) => (family, Some(revision)),
                None => {
                    cx.invalid(node, field, "a task definition family, or family:revision");
                    return None;
                }
            },
            None => (reference.as_str(), None),
        };
        let revisions: Vec<usize> = (0..self.families.len())
            .filter(|&idx| self.families[idx].as_deref() == Some(family))
            .collect();
        if revisions.is_empty() {
            let known: Vec<&str> = self.families.iter().flatten().map(String::as_str).collect();
            cx.unknown_name(node, field, "task definition", &reference, known);
            return None;
        }
        let idx = match revision {
            None => revisions.last().copied(),
            Some(revision) => usize::try_from(revision)
                .ok()
                .and_then(|revision| revision.checked_sub(1))
                .and_then(|rank| revisions.get(rank).copied()),
        };
        match idx {
            Some(idx) => Some(TaskDefId(idx as u32)),
            None => {
                let message = format!(
                    "task definition {family} has revisions 1 to {}; found {reference:?}",
                    revisions.len()
                );
                cx.rule(&node.loc, field, message);
                None
            }
        }
    }

    pub(crate) fn get(&self, id: TaskDefId) -> Option<&TaskDefinition> {
        self.definitions.get(id.index())?.as_ref()
    }
}

fn task_definition(cx: &mut Cx, node: &Node, path: &str, revision: u32) -> Option<TaskDefinition> {
    let fields = cx.fields(node, path)?;
    fields.finish(cx, TASK_DEFINITION_KEYS, TASK_DEFINITION_IGNORED);
    let family = fields
        .required(cx, "family", "a family name")
        .and_then(|node| family(cx, node, &fields.path_of("family")));
    let network_mode =
        opt(cx, &fields, "networkMode", network_mode).unwrap_or(Some(NetworkMode::Bridge));
    let cpu_units = opt(cx, &fields, "cpu", task_cpu);
    let memory_mib = opt(cx, &fields, "memory", task_memory);
    let containers = containers(cx, &fields, network_mode, memory_mib.is_some());
    let placement_constraints = task_definition_constraints(cx, &fields);
    let workload = workload(cx, &fields);
    let (network_mode, containers) = (network_mode?, containers?);
    let reserved_cpu: u32 = containers.iter().map(|container| container.cpu_units).sum();
    let reserved_memory: u32 = containers
        .iter()
        .map(|container| {
            container
                .memory_reservation_mib
                .or(container.memory_mib)
                .unwrap_or(0)
        })
        .sum();
    // Task-level values, when given, are what the instance reserves (ECS.md §2.3, A5);
    // the containers must fit inside them.
    let cpu_units = match cpu_units {
        None => reserved_cpu,
        Some(cpu_units) => {
            let cpu_units = cpu_units?;
            if reserved_cpu > cpu_units {
                let message = format!("the containers reserve {reserved_cpu} CPU units, more than the task-level cpu {cpu_units}");
                cx.rule(&fields.get("cpu")?.loc, &fields.path_of("cpu"), message);
                return None;
            }
            cpu_units
        }
    };
    let memory_mib = match memory_mib {
        None => reserved_memory,
        Some(memory_mib) => {
            let memory_mib = memory_mib?;
            if reserved_memory > memory_mib {
                let message = format!("the containers reserve {reserved_memory} MiB, more than the task-level memory {memory_mib}");
                cx.rule(
                    &fields.get("memory")?.loc,
                    &fields.path_of("memory"),
                    message,
                );
                return None;
            }
            memory_mib
        }
    };
    Some(TaskDefinition {
        family: family?,
        revision,
        network_mode,
        cpu_units,
        memory_mib,
        container_definitions: containers,
        placement_constraints: placement_constraints?,
        workload: workload?,
    })
}

/// Up to 255 letters, digits, `-` and `_` (RegisterTaskDefinition).
fn family(cx: &mut Cx, node: &Node, field: &str) -> Option<String> {
    let name = cx.name(node, field)?;
    if name.len() <= 255
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        Some(name)
    } else {
        cx.invalid(
            node,
            field,
            "up to 255 letters, digits, hyphens and underscores",
        );
        None
    }
}

fn network_mode(cx: &mut Cx, node: &Node, field: &str) -> Option<NetworkMode> {
    if let Value::Scalar { text, .. } = &node.value {
        if text == "none" {
            cx.error(
                &node.loc,
                field,
                ErrorKind::NotSupported {
                    why: "networkMode none arrives with a later version",
                },
            );
            return None;
        }
    }
    match cx.choice(node, field, &["bridge", "host", "awsvpc"])? {
        0 => Some(NetworkMode::Bridge),
        1 => Some(NetworkMode::Host),
        _ => Some(NetworkMode::Awsvpc),
    }
}

/// Task-level cpu: `512`, `"512"` or `"0.5 vCPU"`; 128 to 10240 units on EC2.
fn task_cpu(cx: &mut Cx, node: &Node, field: &str) -> Option<u32> {
    let expected = "CPU units from 128 to 10240, as a number, \"512\" or \"0.5 vCPU\"";
    match unit_value(node, &["vcpu"]) {
        Some(units @ 128..=10_240) => Some(units as u32),
        _ => {
            cx.invalid(node, field, expected);
            None
        }
    }
}

/// Task-level memory: `1024`, `"1024"` or `"1 GB"`, in MiB.
fn task_memory(cx: &mut Cx, node: &Node, field: &str) -> Option<u32> {
    let expected = "MiB >= 6, as a number, \"1024\" or \"1 GB\"";
    match unit_value(node, &["gb"]) {
        Some(mib @ 6..=4_194_304) => Some(mib as u32),
        _ => {
            cx.invalid(node, field, expected);
            None
        }
    }
}

/// A whole number, quoted or not, or `<decimal> <unit>` where the unit means x1024
/// (`vCPU` for CPU, `GB` for memory, as ECS accepts).
fn unit_value(node: &Node, units: &[&str]) -> Option<u64> {
    let Value::Scalar { text, .. } = &node.value else {
        return None;
    };
    let text = text.trim();
    if let Some(n) = crate::read::parse_uint(text) {
        return Some(n);
    }
    let split = text.find(|ch: char| !(ch.is_ascii_digit() || ch == '.'))?;
    let (number, unit) = text.split_at(split);
    if !units
        .iter()
        .any(|known| unit.trim().eq_ignore_ascii_case(known))
    {
        return None;
    }
    let thousandths = crate::duration::parse_decimal_scaled(number, 3)?;
    let scaled = thousandths.checked_mul(1024)?;
    (scaled % 1000 == 0)
        .then(|| u64::try_from(scaled / 1000).ok())
        .flatten()
}

fn containers(
    cx: &mut Cx,
    fields: &Fields<'_>,
    network_mode: Option<NetworkMode>,
    task_memory: bool,
) -> Option<Vec<ContainerDefinition>> {
    let node = fields.required(
        cx,
        "containerDefinitions",
        "a list of container definitions",
    )?;
    let path = fields.path_of("containerDefinitions");
    let items = cx.seq(node, &path)?;
    if items.is_empty() || items.len() > CONTAINERS_MAX {
        cx.invalid(
            node,
            &path,
            &format!("1 to {CONTAINERS_MAX} container definitions"),
        );
        return None;
    }
    let mut containers = Vec::new();
    let mut ok = true;
    for (idx, item) in items.iter().enumerate() {
        match container(cx, item, &index_path(&path, idx), network_mode, task_memory) {
            Some(container) => {
                if containers
                    .iter()
                    .any(|known: &ContainerDefinition| known.name == container.name)
                {
                    cx.rule(
                        &item.loc,
                        &index_path(&path, idx),
                        format!("container name {:?} is used twice", container.name),
                    );
                    ok = false;
                }
                containers.push(container);
            }
            None => ok = false,
        }
    }
    if !ok {
        return None;
    }
    if !containers.iter().any(|container| container.essential) {
        cx.rule(
            &node.loc,
            &path,
            "no essential container; a task needs at least one container with essential: true"
                .to_string(),
        );
        return None;
    }
    let mut static_ports: Vec<(Protocol, u16)> = Vec::new();
    for (idx, container) in containers.iter().enumerate() {
        for (port_idx, mapping) in container.port_mappings.iter().enumerate() {
            let Some(host_port) = mapping
                .host_port
                .filter(|_| network_mode != Some(NetworkMode::Awsvpc))
            else {
                continue;
            };
            if static_ports.contains(&(mapping.protocol, host_port)) {
                let field = format!("{}.portMappings[{port_idx}]", index_path(&path, idx));
                let loc = items[idx]
                    .get("portMappings")
                    .and_then(|ports| match &ports.value {
                        Value::Seq(ports) => ports.get(port_idx).map(|port| port.loc.clone()),
                        _ => None,
                    });
                cx.rule(
                    &loc.unwrap_or_else(|| items[idx].loc.clone()),
                    &field,
                    format!("host port {host_port} is mapped twice in this task"),
                );
                return None;
            }
            static_ports.push((mapping.protocol, host_port));
        }
    }
    Some(containers)
}

fn container(
    cx: &mut Cx,
    node: &Node,
    path: &str,
    network_mode: Option<NetworkMode>,
    task_memory: bool,
) -> Option<ContainerDefinition> {
    let fields = cx.fields(node, path)?;
    fields.finish(cx, CONTAINER_KEYS, CONTAINER_IGNORED);
    let name = fields
        .required(cx, "name", "a container name")
        .and_then(|node| cx.name(node, &fields.path_of("name")));
    let image = opt(cx, &fields, "image", Cx::string).unwrap_or(Some(String::new()));
    let cpu_units = opt(cx, &fields, "cpu", |cx, node, field| {
        cx.u32(node, field, 0, 10_240)
    })
    .unwrap_or(Some(0));
    let memory_mib = opt(cx, &fields, "memory", |cx, node, field| {
        cx.u32(node, field, 6, 4_194_304)
    });
    let memory_reservation_mib = opt(cx, &fields, "memoryReservation", |cx, node, field| {
        cx.u32(node, field, 1, 4_194_304)
    });
    let essential = opt(cx, &fields, "essential", Cx::bool).unwrap_or(Some(true));
    let stop_timeout_ms = opt(cx, &fields, "stopTimeout", Cx::duration_ms);
    let port_mappings = port_mappings(cx, &fields, network_mode);
    let health_check = opt(cx, &fields, "healthCheck", health_check);
    let (memory_mib, memory_reservation_mib) = (
        memory_mib.map_or(Some(None), |m| m.map(Some))?,
        memory_reservation_mib.map_or(Some(None), |m| m.map(Some))?,
    );
    if let (Some(memory), Some(reservation)) = (memory_mib, memory_reservation_mib) {
        if reservation >= memory {
            let message = format!("memoryReservation {reservation} must be less than memory {memory} (the hard limit)");
            cx.rule(
                &fields.get("memoryReservation")?.loc,
                &fields.path_of("memoryReservation"),
                message,
            );
            return None;
        }
    }
    if memory_mib.is_none() && memory_reservation_mib.is_none() && !task_memory {
        let message = "needs memory or memoryReservation (MiB), unless the task definition sets task-level memory".to_string();
        cx.rule(&node.loc, path, message);
        return None;
    }
    Some(ContainerDefinition {
        name: name?,
        image: image?,
        cpu_units: cpu_units?,
        memory_mib,
        memory_reservation_mib,
        essential: essential?,
        port_mappings: port_mappings?,
        stop_timeout_ms: stop_timeout_ms.map_or(Some(None), |ms| ms.map(Some))?,
        health_check: health_check.map_or(Some(None), |check| check.map(Some))?,
    })
}

/// A container `healthCheck` in ECS's shape, times in whole seconds (ECS.md §3.5): the
/// command is required but not interpreted; `Workload::unhealthy_after` says when it fails.
fn health_check(cx: &mut Cx, node: &Node, path: &str) -> Option<ContainerHealthCheck> {
    let fields = cx.fields(node, path)?;
    fields.finish(
        cx,
        &["command", "interval", "timeout", "retries", "startPeriod"],
        &[],
    );
    let command_expected =
        "a non-empty list of strings, e.g. [CMD-SHELL, curl -f http://localhost/ || exit 1]";
    let command_ok = fields
        .required(cx, "command", command_expected)
        .is_some_and(|node| {
            let field = fields.path_of("command");
            match &node.value {
                Value::Seq(items) if !items.is_empty() => {
                    // Every item is read, so every bad one is reported.
                    let read: Vec<bool> = items
                        .iter()
                        .enumerate()
                        .map(|(idx, item)| cx.string(item, &index_path(&field, idx)).is_some())
                        .collect();
                    read.into_iter().all(|ok| ok)
                }
                _ => {
                    cx.invalid(node, &field, command_expected);
                    false
                }
            }
        });
    let seconds = |cx: &mut Cx, key: &str, min: u32, max: u32, default: u32| {
        opt(cx, &fields, key, |cx, node, field| {
            cx.u32(node, field, min, max)
        })
        .unwrap_or(Some(default))
        .map(|seconds| u64::from(seconds) * 1000)
    };
    let interval_ms = seconds(cx, "interval", 5, 300, 30);
    let timeout_ms = seconds(cx, "timeout", 2, 60, 5);
    let retries = opt(cx, &fields, "retries", |cx, node, field| {
        cx.u32(node, field, 1, 10)
    })
    .unwrap_or(Some(3));
    let start_period_ms = seconds(cx, "startPeriod", 0, 300, 0);
    if !command_ok {
        return None;
    }
    Some(ContainerHealthCheck {
        interval_ms: interval_ms?,
        timeout_ms: timeout_ms?,
        retries: retries?,
        start_period_ms: start_period_ms?,
    })
}

fn port_mappings(
    cx: &mut Cx,
    fields: &Fields<'_>,
    network_mode: Option<NetworkMode>,
) -> Option<Vec<PortMapping>> {
    let Some(node) = fields.get("portMappings") else {
        return Some(Vec::new());
    };
    let path = fields.path_of("portMappings");
    let mut mappings = Vec::new();
    let mut ok = true;
    for (idx, item) in cx.seq(node, &path)?.iter().enumerate() {
        match port_mapping(cx, item, &index_path(&path, idx), network_mode) {
            Some(mapping) => mappings.push(mapping),
            None => ok = false,
        }
    }
    ok.then_some(mappings)
}

fn port_mapping(
    cx: &mut Cx,
    node: &Node,
    path: &str,
    network_mode: Option<NetworkMode>,
) -> Option<PortMapping> {
    let fields = cx.fields(node, path)?;
    fields.finish(
        cx,
        &[
            "containerPort",
            "hostPort",
            "protocol",
            "containerPortRange",
        ],
        &["appProtocol", "name"],
    );
    fields.refuse(
        cx,
        "containerPortRange",
        "port ranges arrive with a later version",
    );
    let container_port = fields
        .required(cx, "containerPort", "a port from 1 to 65535")
        .and_then(|node| cx.u32(node, &fields.path_of("containerPort"), 1, 65_535));
    let host_port = opt(cx, &fields, "hostPort", |cx, node, field| {
        cx.u32(node, field, 0, 65_535)
    });
    let protocol = opt(cx, &fields, "protocol", |cx, node, field| {
        cx.choice(node, field, &["tcp", "udp"])
    })
    .unwrap_or(Some(0))
    .map(|idx| {
        if idx == 0 {
            Protocol::Tcp
        } else {
            Protocol::Udp
        }
    });
    let (container_port, protocol, network_mode) =
        (container_port? as u16, protocol?, network_mode?);
    let host_port = host_port.map_or(Some(None), |port| port.map(|port| Some(port as u16)))?;
    let host_node = fields.get("hostPort");
    let host_field = fields.path_of("hostPort");
    let host_port = match network_mode {
        NetworkMode::Host | NetworkMode::Awsvpc => {
            if host_port.is_some_and(|port| port != container_port) {
                let mode = if network_mode == NetworkMode::Host {
                    "host"
                } else {
                    "awsvpc"
                };
                let expected = format!("no hostPort or hostPort equal to containerPort ({container_port}) in {mode} network mode");
                cx.invalid(host_node?, &host_field, &expected);
                return None;
            }
            // Host mode binds the container port on the host; awsvpc uses the task's ENI.
            (network_mode == NetworkMode::Host).then_some(container_port)
        }
        NetworkMode::Bridge => host_port.filter(|&port| port != 0),
    };
    // A reserved host port (22, 2375, ...) is accepted: ECS registers such a task definition
    // and refuses its tasks only at placement, with RESOURCE:PORTS (ECS.md §2.4, §9); which
    // ports an instance reserves is its own setting (`reservedPorts`).
    Some(PortMapping {
        container_port,
        host_port,
        protocol,
    })
}

/// A task definition may carry memberOf constraints only (ECS.md §1.2).
fn task_definition_constraints(cx: &mut Cx, fields: &Fields<'_>) -> Option<Vec<ConstraintSpec>> {
    let Some(node) = fields.get("placementConstraints") else {
        return Some(Vec::new());
    };
    let path = fields.path_of("placementConstraints");
    let constraints = service::constraints(cx, node, &path)?;
    let mut ok = true;
    for (idx, constraint) in constraints.iter().enumerate() {
        if *constraint == ConstraintSpec::DistinctInstance {
            let loc = match &node.value {
                Value::Seq(items) => items
                    .get(idx)
                    .map_or(node.loc.clone(), |item| item.loc.clone()),
                _ => node.loc.clone(),
            };
            let message = "distinctInstance is not allowed in a task definition (only memberOf); put it in the service or runTask".to_string();
            cx.rule(&loc, &index_path(&path, idx), message);
            ok = false;
        }
    }
    ok.then_some(constraints)
}

fn workload(cx: &mut Cx, fields: &Fields<'_>) -> Option<Workload> {
    let defaults = Workload {
        startup: Distribution::Fixed { ms: 10_000 },
        runtime: None,
        shutdown: Distribution::Fixed { ms: 1_000 },
        exit_code: 0,
        start_failure: None,
        unhealthy_after: None,
    };
    let Some(node) = fields.get("simulation") else {
        return Some(defaults);
    };
    let simulation = cx.fields(node, &fields.path_of("simulation"))?;
    simulation.finish(
        cx,
        &[
            "startupTime",
            "runtime",
            "shutdownTime",
            "exitCode",
            "startFailure",
            "unhealthyAfter",
        ],
        &[],
    );
    let startup =
        opt(cx, &simulation, "startupTime", Cx::distribution).unwrap_or(Some(defaults.startup));
    let runtime = opt(cx, &simulation, "runtime", Cx::distribution);
    let shutdown =
        opt(cx, &simulation, "shutdownTime", Cx::distribution).unwrap_or(Some(defaults.shutdown));
    let exit_code = opt(cx, &simulation, "exitCode", |cx, node, field| {
        cx.int(node, field, i64::from(i32::MIN), i64::from(i32::MAX))
            .map(|code| code as i32)
    })
    .unwrap_or(Some(defaults.exit_code));
    let start_failure = opt(cx, &simulation, "startFailure", start_failure);
    let unhealthy_after = opt(cx, &simulation, "unhealthyAfter", Cx::distribution);
    Some(Workload {
        startup: startup?,
        runtime: runtime.map_or(Some(None), |dist| dist.map(Some))?,
        shutdown: shutdown?,
        exit_code: exit_code?,
        start_failure: start_failure.map_or(Some(None), |reason| reason.map(Some))?,
        unhealthy_after: unhealthy_after.map_or(Some(None), |dist| dist.map(Some))?,
    })
}

/// `startFailure`: the stoppedReason of tasks that never reach RUNNING (ECS.md §3.4).
fn start_failure(cx: &mut Cx, node: &Node, field: &str) -> Option<String> {
    match &node.value {
        Value::Scalar { text, quoted }
            if !text.trim().is_empty()
                && (*quoted || !matches!(text.as_str(), "true" | "false")) =>
        {
            Some(text.clone())
        }
        _ => {
            cx.invalid(
                node,
                field,
                "a stoppedReason, e.g. \"CannotPullContainerError: pull access denied\"",
            );
            None
        }
    }
}
