//! `services` (CreateService shape, in YAML or from `file:` ECS JSON: REPLICA or DAEMON,
//! deployment configuration and circuit breaker, load balancers), `runTasks` and
//! `scheduledTasks`, and the placement strategies and constraints they carry (ECS.md §1.2,
//! §1.5, §4, §6.3).

use cluster::ids::TaskDefId;
use cluster::query::Expression;
use cluster::spec::{
    CircuitBreaker, ConstraintSpec, DeploymentConfiguration, DeploymentConfigurationUpdate,
    LoadBalancerSpec, PlacementSpec, Resource, RunTaskSpec, Schedule, ScheduledTaskSpec,
    SchedulingStrategy, ServiceSpec, SpreadField, StrategySpec, TaskDefinition,
};

use crate::aws_json;
use crate::error::Loc;
use crate::node::{Node, Value};
use crate::quotas::{Quotas, SERVICES, TASKS_PER_SERVICE};
use crate::read::{index_path, Cx, Fields};
use crate::target_groups::{target_group_name, TargetGroups};
use crate::task_definition::TaskDefinitions;
use crate::validate::opt;

/// Strategies per service or RunTask call (CreateService/RunTask API; ECS.md §1.5, A8).
const STRATEGIES_MAX: usize = 5;
/// Constraints per task, the task definition's included (ECS.md §1.2).
const CONSTRAINTS_MAX: usize = 10;

pub(crate) const SERVICE_KEYS: &[&str] = &[
    "file",
    "serviceName",
    "taskDefinition",
    "desiredCount",
    "schedulingStrategy",
    "placementStrategy",
    "placementConstraints",
    "deploymentConfiguration",
    "loadBalancers",
    "healthCheckGracePeriodSeconds",
    "capacityProviderStrategy",
    "load",
    "autoScaling",
];

/// CreateService fields that change nothing the simulator models.
pub(crate) const SERVICE_IGNORED: &[&str] = &[
    "cluster",
    "launchType",
    "platformVersion",
    "networkConfiguration",
    "propagateTags",
    "tags",
    "enableECSManagedTags",
    "enableExecuteCommand",
    "role",
    "clientToken",
    "serviceRegistries",
    "serviceConnectConfiguration",
    "deploymentController",
    "volumeConfigurations",
    "vpcLatticeConfigurations",
    "availabilityZoneRebalancing",
];

pub(crate) fn services(
    cx: &mut Cx,
    node: Option<&Node>,
    task_definitions: &TaskDefinitions,
    target_groups: &mut TargetGroups,
    limits: &Quotas,
) -> Vec<Option<ServiceSpec>> {
    let Some(node) = node else { return Vec::new() };
    let mut services: Vec<Option<ServiceSpec>> = Vec::new();
    let mut names: Vec<String> = Vec::new();
    let items = cx.seq(node, "services").unwrap_or_default();
    if items.len() as u64 > u64::from(limits.services_per_cluster) {
        let message = format!(
            "the cluster would have {} services, which {}",
            items.len(),
            SERVICES.exceeded(limits.services_per_cluster)
        );
        // Every service is still read, so their own problems are reported too.
        cx.rule(&node.loc, "services", message);
    }
    for (idx, item) in items.iter().enumerate() {
        let path = index_path("services", idx);
        let merged;
        let item = match item.get("file") {
            Some(file) => match aws_json::load_file(cx, file, &format!("{path}.file")) {
                Some(document) => {
                    merged = aws_json::merge(document, item, "service", "");
                    &merged
                }
                None => {
                    services.push(None);
                    continue;
                }
            },
            None => item,
        };
        let service = service(cx, item, &path, task_definitions, target_groups, limits);
        if let Some(service) = &service {
            if names.contains(&service.service_name) {
                let loc = item
                    .get("serviceName")
                    .map_or(item.loc.clone(), |name| name.loc.clone());
                cx.rule(
                    &loc,
                    &format!("{path}.serviceName"),
                    format!("service name {:?} is used twice", service.service_name),
                );
            }
            names.push(service.service_name.clone());
        }
        services.push(service);
    }
    services
}

fn service(
    cx: &mut Cx,
    node: &Node,
    path: &str,
    task_definitions: &TaskDefinitions,
    target_groups: &mut TargetGroups,
    limits: &Quotas,
) -> Option<ServiceSpec> {
    let fields = cx.fields(node, path)?;
    fields.finish(cx, SERVICE_KEYS, SERVICE_IGNORED);
    // `None` when the strategy itself is invalid: no check that depends on it is made.
    let scheduling_strategy = opt(cx, &fields, "schedulingStrategy", scheduling_strategy)
        .unwrap_or(Some(SchedulingStrategy::Replica));
    let service_name = fields
        .required(cx, "serviceName", "a service name")
        .and_then(|node| cx.name(node, &fields.path_of("serviceName")));
    let task_definition = fields
        .required(
            cx,
            "taskDefinition",
            "a task definition family or family:revision",
        )
        .and_then(|node| task_definitions.resolve(cx, node, &fields.path_of("taskDefinition")));
    let definition = task_definition.and_then(|id| task_definitions.get(id));
    let desired_count = if scheduling_strategy == Some(SchedulingStrategy::Daemon) {
        // Accepted and ignored, as describe-services output carries it: a DAEMON service
        // runs one task per eligible instance (ECS.md §4.1).
        opt(cx, &fields, "desiredCount", |cx, node, field| {
            cx.u32(node, field, 0, u32::MAX)
        })
        .unwrap_or(Some(0))
        .map(|_| 0)
    } else {
        fields
            .required(cx, "desiredCount", "a whole number >= 0")
            .and_then(|node| desired_count(cx, node, &fields.path_of("desiredCount"), limits))
    };
    let deployment_configuration = match fields.get("deploymentConfiguration") {
        None => Some(default_deployment_configuration(scheduling_strategy)),
        Some(node) => {
            let field = fields.path_of("deploymentConfiguration");
            deployment_configuration_update(cx, node, &field, scheduling_strategy, &["alarms"]).map(
                |update| {
                    let mut configuration = default_deployment_configuration(scheduling_strategy);
                    update.apply(&mut configuration);
                    configuration
                },
            )
        }
    };
    let daemon_strategy_ok = match (scheduling_strategy, fields.key_loc("placementStrategy")) {
        (Some(SchedulingStrategy::Daemon), Some(loc))
            if fields
                .get("placementStrategy")
                .is_some_and(|node| !node.is_empty()) =>
        {
            let message = "a DAEMON service takes no placementStrategy: it runs one task on \
                               each instance that meets its placement constraints"
                .to_string();
            cx.rule(loc, &fields.path_of("placementStrategy"), message);
            false
        }
        _ => true,
    };
    let placement = placement(cx, &fields, definition);
    let load_balancers = load_balancers(cx, &fields, definition, target_groups);
    let health_check_grace_period_ms = opt(
        cx,
        &fields,
        "healthCheckGracePeriodSeconds",
        grace_period_ms,
    )
    .unwrap_or(Some(0));
    let load = opt(cx, &fields, "load", |cx, node, field| {
        crate::autoscaling::load(cx, node, field, definition)
    });
    let auto_scaling = opt(cx, &fields, "autoScaling", |cx, node, field| {
        let service = crate::autoscaling::ServiceContext {
            strategy: scheduling_strategy,
            load_balanced: fields
                .get("loadBalancers")
                .is_some_and(|node| !node.is_empty()),
            max_tasks: limits.tasks_per_service,
        };
        crate::autoscaling::auto_scaling(cx, node, field, &service)
    });
    // A DAEMON service runs on every instance: ECS takes no capacity provider strategy for
    // it, and the cluster's default does not apply.
    let capacity_provider_strategy = match scheduling_strategy {
        Some(SchedulingStrategy::Daemon) => {
            if let (Some(node), Some(loc)) = (
                fields.get("capacityProviderStrategy"),
                fields.key_loc("capacityProviderStrategy"),
            ) {
                if !node.is_empty() {
                    cx.rule(
                        loc,
                        &fields.path_of("capacityProviderStrategy"),
                        "a DAEMON service takes no capacityProviderStrategy: it runs one task on each instance".to_string(),
                    );
                }
            }
            Some(Vec::new())
        }
        _ => crate::capacity_providers::strategy_of(cx, &fields),
    };
    if !daemon_strategy_ok {
        return None;
    }
    Some(ServiceSpec {
        service_name: service_name?,
        task_definition: task_definition?,
        desired_count: desired_count?,
        scheduling_strategy: scheduling_strategy?,
        placement: placement?,
        deployment_configuration: deployment_configuration?,
        load_balancers: load_balancers?,
        health_check_grace_period_ms: health_check_grace_period_ms?,
        load: load.map_or(Some(None), |load| load.map(Some))?,
        auto_scaling: auto_scaling.map_or(Some(None), |spec| spec.map(Some))?,
        // A bad strategy is reported; the service is still known to what refers to it.
        capacity_provider_strategy: capacity_provider_strategy.unwrap_or_default(),
    })
}

fn scheduling_strategy(cx: &mut Cx, node: &Node, field: &str) -> Option<SchedulingStrategy> {
    match cx.choice(node, field, &["REPLICA", "DAEMON"])? {
        0 => Some(SchedulingStrategy::Replica),
        _ => Some(SchedulingStrategy::Daemon),
    }
}

/// A service's `desiredCount`, within the tasks-per-service quota.
pub(crate) fn desired_count(cx: &mut Cx, node: &Node, field: &str, limits: &Quotas) -> Option<u32> {
    let count = cx.u32(node, field, 0, u32::MAX)?;
    let quota = limits.tasks_per_service;
    if count > quota {
        let message = format!("desiredCount {count} {}", TASKS_PER_SERVICE.exceeded(quota));
        cx.rule(&node.loc, field, message);
        return None;
    }
    Some(count)
}

/// `healthCheckGracePeriodSeconds`: 0 to 2,147,483,647 s (ECS.md §4.6), in milliseconds.
pub(crate) fn grace_period_ms(cx: &mut Cx, node: &Node, field: &str) -> Option<u64> {
    cx.uint(node, field, 0, 2_147_483_647)
        .map(|seconds| seconds * 1000)
}

/// REPLICA's 100 % / 200 %, DAEMON's 0 % / 100 % (ECS.md §4.1, §4.2); an invalid strategy
/// gets REPLICA's.
fn default_deployment_configuration(
    strategy: Option<SchedulingStrategy>,
) -> DeploymentConfiguration {
    if strategy == Some(SchedulingStrategy::Daemon) {
        DeploymentConfiguration::daemon()
    } else {
        DeploymentConfiguration::default()
    }
}

/// The fields of a `deploymentConfiguration` that are given: minimumHealthyPercent 0-100,
/// maximumPercent 100-10000 (100 for a DAEMON service), deploymentCircuitBreaker. ECS
/// documents the defaults and that the scheduler must be able to start or stop a task, not
/// an upper bound for maximumPercent; 10000 is the simulator's own limit. `strategy` is
/// `None` when unknown (no DAEMON rule is applied); `ignored` are fields accepted without
/// effect.
pub(crate) fn deployment_configuration_update(
    cx: &mut Cx,
    node: &Node,
    path: &str,
    strategy: Option<SchedulingStrategy>,
    ignored: &[&str],
) -> Option<DeploymentConfigurationUpdate> {
    let config = cx.fields(node, path)?;
    config.finish(
        cx,
        &[
            "minimumHealthyPercent",
            "maximumPercent",
            "deploymentCircuitBreaker",
        ],
        ignored,
    );
    let minimum_healthy_percent = opt(cx, &config, "minimumHealthyPercent", |cx, node, field| {
        cx.u32(node, field, 0, 100)
    });
    let maximum_percent = opt(cx, &config, "maximumPercent", |cx, node, field| {
        if strategy == Some(SchedulingStrategy::Daemon) {
            // ECS.md §4.1: "maximumPercent must be 100".
            match &node.value {
                Value::Scalar {
                    text,
                    quoted: false,
                } if crate::read::parse_uint(text) == Some(100) => Some(100),
                _ => {
                    cx.invalid(node, field, "100 for a DAEMON service");
                    None
                }
            }
        } else {
            cx.u32(node, field, 100, 10_000)
        }
    });
    let circuit_breaker = opt(cx, &config, "deploymentCircuitBreaker", circuit_breaker);
    Some(DeploymentConfigurationUpdate {
        minimum_healthy_percent: minimum_healthy_percent.map_or(Some(None), |v| v.map(Some))?,
        maximum_percent: maximum_percent.map_or(Some(None), |v| v.map(Some))?,
        circuit_breaker: circuit_breaker.map_or(Some(None), |v| v.map(Some))?,
    })
}

/// `deploymentCircuitBreaker: {enable, rollback}`, both required as in the ECS API
/// (ECS.md §4.5).
fn circuit_breaker(cx: &mut Cx, node: &Node, path: &str) -> Option<CircuitBreaker> {
    let fields = cx.fields(node, path)?;
    fields.finish(cx, &["enable", "rollback"], &[]);
    let enable = fields
        .required(cx, "enable", "true or false")
        .and_then(|node| cx.bool(node, &fields.path_of("enable")));
    let rollback = fields
        .required(cx, "rollback", "true or false")
        .and_then(|node| cx.bool(node, &fields.path_of("rollback")));
    Some(CircuitBreaker {
        enable: enable?,
        rollback: rollback?,
    })
}

/// Target groups per service (ECS.md §4.7).
const LOAD_BALANCERS_MAX: usize = 5;

/// `loadBalancers`: each entry names a target group (`targetGroupArn`, or a Classic Load
/// Balancer's `loadBalancerName`, taken as a target group of that name) and a container
/// port of the service's task definition, as CreateService requires.
fn load_balancers(
    cx: &mut Cx,
    fields: &Fields<'_>,
    definition: Option<&TaskDefinition>,
    target_groups: &mut TargetGroups,
) -> Option<Vec<LoadBalancerSpec>> {
    let Some(node) = fields.get("loadBalancers") else {
        return Some(Vec::new());
    };
    let path = fields.path_of("loadBalancers");
    let items = cx.seq(node, &path)?;
    if items.len() > LOAD_BALANCERS_MAX {
        cx.invalid(
            node,
            &path,
            &format!("at most {LOAD_BALANCERS_MAX} load balancers (target groups per service)"),
        );
        return None;
    }
    let entries: Vec<Option<LoadBalancerSpec>> = items
        .iter()
        .enumerate()
        .map(|(idx, item)| {
            load_balancer(cx, item, &index_path(&path, idx), definition, target_groups)
        })
        .collect();
    entries.into_iter().collect()
}

fn load_balancer(
    cx: &mut Cx,
    node: &Node,
    path: &str,
    definition: Option<&TaskDefinition>,
    target_groups: &mut TargetGroups,
) -> Option<LoadBalancerSpec> {
    let fields = cx.fields(node, path)?;
    fields.finish(
        cx,
        &[
            "targetGroupArn",
            "loadBalancerName",
            "containerName",
            "containerPort",
        ],
        &[],
    );
    let target_group = match (fields.get("targetGroupArn"), fields.get("loadBalancerName")) {
        (Some(arn), None) => target_group_name(cx, arn, &fields.path_of("targetGroupArn")),
        (None, Some(name)) => cx.name(name, &fields.path_of("loadBalancerName")),
        _ => {
            cx.rule(
                &node.loc,
                path,
                "a load balancer needs exactly one of targetGroupArn (an Application or \
                 Network Load Balancer's target group) or loadBalancerName (a Classic Load \
                 Balancer)"
                    .to_string(),
            );
            None
        }
    };
    let container_name = fields
        .required(
            cx,
            "containerName",
            "a container of the service's task definition",
        )
        .and_then(|node| {
            cx.name(node, &fields.path_of("containerName"))
                .map(|name| (node, name))
        });
    let container_port = fields
        .required(
            cx,
            "containerPort",
            "a containerPort of that container's portMappings",
        )
        .and_then(|node| {
            cx.u32(node, &fields.path_of("containerPort"), 1, 65_535)
                .map(|port| (node, port as u16))
        });
    let ((name_node, container_name), (port_node, container_port)) =
        (container_name?, container_port?);
    if let Some(definition) = definition {
        let field = fields.path_of("containerName");
        check_container_port(
            cx,
            definition,
            (name_node, &container_name, &field),
            (port_node, container_port, &fields.path_of("containerPort")),
        )?;
    }
    Some(LoadBalancerSpec {
        target_group: target_groups.reference(&target_group?),
        container_name,
        container_port,
    })
}

/// ECS refuses a load balancer whose container is not in the task definition, or whose
/// port that container does not map; the message lists what is there.
fn check_container_port(
    cx: &mut Cx,
    definition: &TaskDefinition,
    (name_node, name, name_field): (&Node, &str, &str),
    (port_node, port, port_field): (&Node, u16, &str),
) -> Option<()> {
    let task_definition = definition.name();
    let Some(container) = definition
        .container_definitions
        .iter()
        .find(|container| container.name == name)
    else {
        let names: Vec<&str> = definition
            .container_definitions
            .iter()
            .map(|container| container.name.as_str())
            .collect();
        let message = format!(
            "task definition {task_definition} has no container {name:?}; its containers: {}",
            names.join(", ")
        );
        cx.rule(&name_node.loc, name_field, message);
        return None;
    };
    if container
        .port_mappings
        .iter()
        .any(|mapping| mapping.container_port == port)
    {
        return Some(());
    }
    let ports: Vec<String> = container
        .port_mappings
        .iter()
        .map(|mapping| mapping.container_port.to_string())
        .collect();
    let available = if ports.is_empty() {
        "it has no portMappings".to_string()
    } else {
        format!("its containerPorts: {}", ports.join(", "))
    };
    let message = format!(
        "container {name} of task definition {task_definition} maps no containerPort {port}; {available}"
    );
    cx.rule(&port_node.loc, port_field, message);
    None
}

/// `placementStrategy` and `placementConstraints` of a service or RunTask; the task
/// definition's constraints count towards the limit of 10.
fn placement(
    cx: &mut Cx,
    fields: &Fields<'_>,
    task_definition: Option<&cluster::spec::TaskDefinition>,
) -> Option<PlacementSpec> {
    let strategies = match fields.get("placementStrategy") {
        None => Some(Vec::new()),
        Some(node) => strategies(cx, node, &fields.path_of("placementStrategy")),
    };
    let constraints = match fields.get("placementConstraints") {
        None => Some(Vec::new()),
        Some(node) => constraints(cx, node, &fields.path_of("placementConstraints")),
    };
    let constraints = constraints?;
    let from_task_definition =
        task_definition.map_or(0, |definition| definition.placement_constraints.len());
    if constraints.len() + from_task_definition > CONSTRAINTS_MAX {
        let node = fields.get("placementConstraints")?;
        let message = format!(
            "{} constraints here and {from_task_definition} in the task definition; a task allows at most {CONSTRAINTS_MAX}",
            constraints.len()
        );
        cx.rule(&node.loc, &fields.path_of("placementConstraints"), message);
        return None;
    }
    Some(PlacementSpec {
        strategies: strategies?,
        constraints,
    })
}

fn strategies(cx: &mut Cx, node: &Node, path: &str) -> Option<Vec<StrategySpec>> {
    bounded_list(cx, node, path, STRATEGIES_MAX, "strategies", strategy)
}

/// A list of at most `max` items, each read by `item`; every item is read (and every
/// problem reported) even when one is bad.
fn bounded_list<T>(
    cx: &mut Cx,
    node: &Node,
    path: &str,
    max: usize,
    what: &str,
    item: fn(&mut Cx, &Node, &str) -> Option<T>,
) -> Option<Vec<T>> {
    let items = cx.seq(node, path)?;
    if items.len() > max {
        cx.invalid(node, path, &format!("at most {max} {what}"));
        return None;
    }
    let parsed: Vec<Option<T>> = items
        .iter()
        .enumerate()
        .map(|(idx, entry)| item(cx, entry, &index_path(path, idx)))
        .collect();
    parsed.into_iter().collect()
}

/// `{type: binpack, field: cpu|memory}`, `{type: spread, field: instanceId|host|attribute:NAME}`
/// or `{type: random}`.
fn strategy(cx: &mut Cx, node: &Node, path: &str) -> Option<StrategySpec> {
    let fields = cx.fields(node, path)?;
    fields.finish(cx, &["type", "field"], &[]);
    let kind = fields.required(cx, "type", "binpack, spread or random")?;
    let kind = cx.choice(
        kind,
        &fields.path_of("type"),
        &["binpack", "spread", "random"],
    )?;
    let field_path = fields.path_of("field");
    match kind {
        0 => {
            let field = fields.required(cx, "field", "cpu or memory")?;
            match cx.choice(field, &field_path, &["cpu", "memory"])? {
                0 => Some(StrategySpec::Binpack(Resource::Cpu)),
                _ => Some(StrategySpec::Binpack(Resource::Memory)),
            }
        }
        1 => {
            let expected =
                "instanceId, host or attribute:NAME (e.g. attribute:ecs.availability-zone)";
            let field = fields.required(cx, "field", expected)?;
            let text = cx.string(field, &field_path)?;
            if text.eq_ignore_ascii_case("instanceId") || text.eq_ignore_ascii_case("host") {
                Some(StrategySpec::Spread(SpreadField::InstanceId))
            } else {
                match text
                    .strip_prefix("attribute:")
                    .filter(|name| !name.is_empty())
                {
                    Some(name) => Some(StrategySpec::Spread(SpreadField::Attribute(
                        name.to_string(),
                    ))),
                    None => {
                        cx.invalid(field, &field_path, expected);
                        None
                    }
                }
            }
        }
        _ => {
            if let Some(field) = fields.get("field") {
                cx.invalid(field, &field_path, "no field for the random strategy");
                return None;
            }
            Some(StrategySpec::Random)
        }
    }
}

pub(crate) fn constraints(cx: &mut Cx, node: &Node, path: &str) -> Option<Vec<ConstraintSpec>> {
    bounded_list(cx, node, path, CONSTRAINTS_MAX, "constraints", constraint)
}

/// `{type: distinctInstance}` or `{type: memberOf, expression: ...}`.
fn constraint(cx: &mut Cx, node: &Node, path: &str) -> Option<ConstraintSpec> {
    let fields = cx.fields(node, path)?;
    fields.finish(cx, &["type", "expression"], &[]);
    let kind = fields.required(cx, "type", "distinctInstance or memberOf")?;
    match cx.choice(
        kind,
        &fields.path_of("type"),
        &["distinctInstance", "memberOf"],
    )? {
        0 => {
            if let Some(expression) = fields.get("expression") {
                cx.invalid(
                    expression,
                    &fields.path_of("expression"),
                    "no expression for distinctInstance",
                );
                return None;
            }
            Some(ConstraintSpec::DistinctInstance)
        }
        _ => {
            let field = fields.path_of("expression");
            let expression =
                fields.required(cx, "expression", "a cluster query language expression")?;
            let source = cx.string(expression, &field)?;
            match Expression::parse(&source) {
                Ok(parsed) => Some(ConstraintSpec::MemberOf(parsed)),
                Err(error) => {
                    let loc = offset_loc(expression, &source, error.offset);
                    cx.rule(
                        &loc,
                        &field,
                        format!("invalid memberOf expression: {}", error.message),
                    );
                    None
                }
            }
        }
    }
}

/// The position of byte `offset` of a single-line scalar (one column further when the
/// scalar is quoted); multi-line scalars point at their start.
fn offset_loc(node: &Node, source: &str, offset: usize) -> Loc {
    let mut loc = node.loc.clone();
    let quoted = matches!(node.value, Value::Scalar { quoted: true, .. });
    if !source.contains('\n') {
        let prefix = source.get(..offset.min(source.len())).unwrap_or(source);
        loc.column += prefix.chars().count() + usize::from(quoted);
    }
    loc
}

pub(crate) const RUN_TASK_KEYS: &[&str] = &[
    "taskDefinition",
    "count",
    "at",
    "every",
    "arrivals",
    "group",
    "placementStrategy",
    "placementConstraints",
    "capacityProviderStrategy",
];

/// RunTask fields that change nothing the simulator models.
pub(crate) const RUN_TASK_IGNORED: &[&str] = &[
    "launchType",
    "networkConfiguration",
    "tags",
    "startedBy",
    "overrides",
];

pub(crate) fn run_tasks(
    cx: &mut Cx,
    node: Option<&Node>,
    task_definitions: &TaskDefinitions,
) -> Vec<Option<RunTaskSpec>> {
    let Some(node) = node else { return Vec::new() };
    let items = cx.seq(node, "runTasks").unwrap_or_default();
    items
        .iter()
        .enumerate()
        .map(|(idx, item)| run_task(cx, item, &index_path("runTasks", idx), task_definitions))
        .collect()
}

fn run_task(
    cx: &mut Cx,
    node: &Node,
    path: &str,
    task_definitions: &TaskDefinitions,
) -> Option<RunTaskSpec> {
    let fields = cx.fields(node, path)?;
    fields.finish(cx, RUN_TASK_KEYS, RUN_TASK_IGNORED);
    let request = task_request(cx, &fields, task_definitions);
    let at_ms = opt(cx, &fields, "at", Cx::duration_ms).unwrap_or(Some(0));
    let every_ms = opt(cx, &fields, "every", Cx::positive_duration_ms);
    let arrivals = opt(cx, &fields, "arrivals", crate::arrivals::arrivals);
    if let (Some(_), Some(loc)) = (&arrivals, fields.key_loc("arrivals")) {
        if fields.get("at").is_some() || fields.get("every").is_some() {
            cx.rule(
                loc,
                &fields.path_of("arrivals"),
                "give either at (and every) or arrivals, not both: arrivals say when each call comes"
                    .to_string(),
            );
            return None;
        }
    }
    let request = request?;
    Some(RunTaskSpec {
        task_definition: request.task_definition,
        count: request.count,
        at_ms: at_ms?,
        every_ms: every_ms.map_or(Some(None), |ms| ms.map(Some))?,
        arrivals: arrivals.map_or(Some(None), |arrivals| arrivals.map(Some))?,
        group: request.group,
        placement: request.placement,
        capacity_provider_strategy: request.capacity_provider_strategy,
    })
}

/// What a RunTask call asks for, whether made once (`runTasks`) or on a schedule
/// (`scheduledTasks`).
struct TaskRequest {
    task_definition: TaskDefId,
    count: u32,
    group: String,
    placement: PlacementSpec,
    capacity_provider_strategy: Vec<cluster::spec::CapacityProviderStrategyItem>,
}

/// The RunTask fields: `taskDefinition`, `count` (1 to 10, ECS.md §9), `group` (default
/// `family:<family>`, ECS.md §1.4) and placement (ECS's default for RunTask when none).
fn task_request(
    cx: &mut Cx,
    fields: &Fields<'_>,
    task_definitions: &TaskDefinitions,
) -> Option<TaskRequest> {
    let capacity_provider_strategy = crate::capacity_providers::strategy_of(cx, fields);
    let task_definition = fields
        .required(
            cx,
            "taskDefinition",
            "a task definition family or family:revision",
        )
        .and_then(|node| task_definitions.resolve(cx, node, &fields.path_of("taskDefinition")));
    let count = opt(cx, fields, "count", |cx, node, field| {
        cx.u32(node, field, 1, 10)
    })
    .unwrap_or(Some(1));
    let group = opt(cx, fields, "group", group);
    let definition = task_definition.and_then(|id| task_definitions.get(id));
    let placement = placement(cx, fields, definition);
    let group = match group {
        Some(group) => group?,
        None => format!("family:{}", definition?.family),
    };
    Some(TaskRequest {
        task_definition: task_definition?,
        count: count?,
        group,
        placement: placement?,
        capacity_provider_strategy: capacity_provider_strategy?,
    })
}

pub(crate) const SCHEDULED_TASK_KEYS: &[&str] = &[
    "taskDefinition",
    "schedule",
    "count",
    "group",
    "placementStrategy",
    "placementConstraints",
    "capacityProviderStrategy",
];

/// `scheduledTasks`: RunTask calls on an EventBridge schedule (ECS.md §6.3).
pub(crate) fn scheduled_tasks(
    cx: &mut Cx,
    node: Option<&Node>,
    task_definitions: &TaskDefinitions,
) -> Vec<Option<ScheduledTaskSpec>> {
    let Some(node) = node else { return Vec::new() };
    let items = cx.seq(node, "scheduledTasks").unwrap_or_default();
    items
        .iter()
        .enumerate()
        .map(|(idx, item)| {
            scheduled_task(
                cx,
                item,
                &index_path("scheduledTasks", idx),
                task_definitions,
            )
        })
        .collect()
}

fn scheduled_task(
    cx: &mut Cx,
    node: &Node,
    path: &str,
    task_definitions: &TaskDefinitions,
) -> Option<ScheduledTaskSpec> {
    let fields = cx.fields(node, path)?;
    fields.finish(cx, SCHEDULED_TASK_KEYS, RUN_TASK_IGNORED);
    let request = task_request(cx, &fields, task_definitions);
    let schedule = fields
        .required(
            cx,
            "schedule",
            "an EventBridge schedule, rate(5 minutes) or cron(0 * * * ? *)",
        )
        .and_then(|node| schedule(cx, node, &fields.path_of("schedule")));
    let request = request?;
    Some(ScheduledTaskSpec {
        task_definition: request.task_definition,
        count: request.count,
        schedule: schedule?,
        group: request.group,
        placement: request.placement,
        capacity_provider_strategy: request.capacity_provider_strategy,
    })
}

/// `rate(value unit)` or `cron(minutes hours day-of-month month day-of-week year)`, in UTC
/// (ECS.md §6.3); the parser's message says what is wrong.
fn schedule(cx: &mut Cx, node: &Node, field: &str) -> Option<Schedule> {
    let text = match &node.value {
        Value::Scalar { text, .. } => text,
        _ => {
            cx.invalid(
                node,
                field,
                "an EventBridge schedule, rate(5 minutes) or cron(0 * * * ? *)",
            );
            return None;
        }
    };
    match Schedule::parse(text) {
        Ok(schedule) => Some(schedule),
        Err(message) => {
            cx.rule(&node.loc, field, message);
            None
        }
    }
}

/// A task group: 1 to 255 characters (ECS.md §1.4).
fn group(cx: &mut Cx, node: &Node, field: &str) -> Option<String> {
    let name = cx.name(node, field)?;
    if name.chars().count() > 255 {
        cx.invalid(node, field, "a group name of at most 255 characters");
        return None;
    }
    Some(name)
}
