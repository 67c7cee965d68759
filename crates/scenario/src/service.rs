//! `services` (CreateService shape, in YAML or from `file:` ECS JSON), `runTasks`, and the
//! placement strategies and constraints they carry (ECS.md §1.2, §1.5).

use cluster::query::Expression;
use cluster::spec::{
    ConstraintSpec, DeploymentConfiguration, PlacementSpec, Resource, RunTaskSpec, ServiceSpec,
    SpreadField, StrategySpec,
};

use crate::aws_json;
use crate::error::{ErrorKind, Loc};
use crate::node::{Node, Value};
use crate::quotas::{Quotas, SERVICES, TASKS_PER_SERVICE};
use crate::read::{index_path, Cx, Fields};
use crate::task_definition::TaskDefinitions;
use crate::validate::opt;

/// Strategies per service or RunTask call (CreateService/RunTask API; ECS.md §1.5, A8).
const STRATEGIES_MAX: usize = 5;
/// Constraints per task, the task definition's included (ECS.md §1.2).
const CONSTRAINTS_MAX: usize = 10;

const SERVICE_KEYS: &[&str] = &[
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
];

/// CreateService fields that change nothing the simulator models.
const SERVICE_IGNORED: &[&str] = &[
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
        let service = service(cx, item, &path, task_definitions, limits);
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
    limits: &Quotas,
) -> Option<ServiceSpec> {
    let fields = cx.fields(node, path)?;
    fields.finish(cx, SERVICE_KEYS, SERVICE_IGNORED);
    fields.refuse(
        cx,
        "loadBalancers",
        "load balancers arrive with a later version",
    );
    fields.refuse(
        cx,
        "capacityProviderStrategy",
        "capacity providers arrive with a later version",
    );
    if let Some(grace) = fields.get("healthCheckGracePeriodSeconds") {
        // 0 is ECS's default and asks for nothing.
        if !matches!(&grace.value, Value::Scalar { text, quoted: false } if text == "0") {
            if let Some(loc) = fields.key_loc("healthCheckGracePeriodSeconds") {
                let why =
                    "health-check grace periods arrive with load balancers, in a later version";
                cx.error(
                    loc,
                    &fields.path_of("healthCheckGracePeriodSeconds"),
                    ErrorKind::NotSupported { why },
                );
            }
        }
    }
    let scheduling_ok = match fields.get("schedulingStrategy") {
        None => true,
        Some(strategy) => {
            let field = fields.path_of("schedulingStrategy");
            match cx.choice(strategy, &field, &["REPLICA", "DAEMON"]) {
                Some(0) => true,
                Some(_) => {
                    let why = "DAEMON services arrive with a later version";
                    cx.error(&strategy.loc, &field, ErrorKind::NotSupported { why });
                    false
                }
                None => false,
            }
        }
    };
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
    let desired_count = fields
        .required(cx, "desiredCount", "a whole number >= 0")
        .and_then(|node| {
            let field = fields.path_of("desiredCount");
            let count = cx.u32(node, &field, 0, u32::MAX)?;
            let quota = limits.tasks_per_service;
            if count > quota {
                let message = format!("desiredCount {count} {}", TASKS_PER_SERVICE.exceeded(quota));
                cx.rule(&node.loc, &field, message);
                return None;
            }
            Some(count)
        });
    let deployment_configuration = deployment_configuration(cx, &fields);
    let placement = placement(
        cx,
        &fields,
        task_definition.and_then(|id| task_definitions.get(id)),
    );
    if !scheduling_ok {
        return None;
    }
    Some(ServiceSpec {
        service_name: service_name?,
        task_definition: task_definition?,
        desired_count: desired_count?,
        placement: placement?,
        deployment_configuration: deployment_configuration?,
        scheduling_strategy: cluster::spec::SchedulingStrategy::Replica,
        load_balancers: Vec::new(),
        health_check_grace_period_ms: 0,
    })
}

/// minimumHealthyPercent 0-100 (default 100), maximumPercent 100-10000 (default 200).
/// ECS documents the defaults and that the scheduler must be able to start or stop a
/// task, not an upper bound for maximumPercent; 10000 is the simulator's own limit.
fn deployment_configuration(cx: &mut Cx, fields: &Fields<'_>) -> Option<DeploymentConfiguration> {
    let defaults = DeploymentConfiguration::default();
    let Some(node) = fields.get("deploymentConfiguration") else {
        return Some(defaults);
    };
    let config = cx.fields(node, &fields.path_of("deploymentConfiguration"))?;
    config.finish(
        cx,
        &[
            "minimumHealthyPercent",
            "maximumPercent",
            "deploymentCircuitBreaker",
        ],
        &["alarms"],
    );
    let breaker_ok = match config.get("deploymentCircuitBreaker") {
        None => true,
        Some(breaker) => {
            let field = config.path_of("deploymentCircuitBreaker");
            let breaker_fields = cx.fields(breaker, &field)?;
            breaker_fields.finish(cx, &["enable", "rollback"], &[]);
            match breaker_fields
                .get("enable")
                .and_then(|enable| cx.bool(enable, &breaker_fields.path_of("enable")))
            {
                Some(true) => {
                    let loc = config
                        .key_loc("deploymentCircuitBreaker")
                        .unwrap_or(&breaker.loc);
                    let why = "the deployment circuit breaker arrives with a later version";
                    cx.error(loc, &field, ErrorKind::NotSupported { why });
                    false
                }
                _ => true,
            }
        }
    };
    let minimum_healthy_percent = opt(cx, &config, "minimumHealthyPercent", |cx, node, field| {
        cx.u32(node, field, 0, 100)
    })
    .unwrap_or(Some(100));
    let maximum_percent = opt(cx, &config, "maximumPercent", |cx, node, field| {
        cx.u32(node, field, 100, 10_000)
    })
    .unwrap_or(Some(200));
    if !breaker_ok {
        return None;
    }
    Some(DeploymentConfiguration {
        minimum_healthy_percent: minimum_healthy_percent?,
        maximum_percent: maximum_percent?,
        circuit_breaker: Default::default(),
    })
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

const RUN_TASK_KEYS: &[&str] = &[
    "taskDefinition",
    "count",
    "at",
    "every",
    "group",
    "placementStrategy",
    "placementConstraints",
    "capacityProviderStrategy",
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
    fields.finish(
        cx,
        RUN_TASK_KEYS,
        &[
            "launchType",
            "networkConfiguration",
            "tags",
            "startedBy",
            "overrides",
        ],
    );
    fields.refuse(
        cx,
        "capacityProviderStrategy",
        "capacity providers arrive with a later version",
    );
    let task_definition = fields
        .required(
            cx,
            "taskDefinition",
            "a task definition family or family:revision",
        )
        .and_then(|node| task_definitions.resolve(cx, node, &fields.path_of("taskDefinition")));
    let count = opt(cx, &fields, "count", |cx, node, field| {
        cx.u32(node, field, 1, 10)
    })
    .unwrap_or(Some(1));
    let at_ms = opt(cx, &fields, "at", Cx::duration_ms).unwrap_or(Some(0));
    let every_ms = opt(cx, &fields, "every", Cx::positive_duration_ms);
    let group = opt(cx, &fields, "group", group);
    let definition = task_definition.and_then(|id| task_definitions.get(id));
    let placement = placement(cx, &fields, definition);
    let group = match group {
        Some(group) => group?,
        None => format!("family:{}", definition?.family),
    };
    Some(RunTaskSpec {
        task_definition: task_definition?,
        count: count?,
        at_ms: at_ms?,
        every_ms: every_ms.map_or(Some(None), |ms| ms.map(Some))?,
        group,
        placement: placement?,
    })
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
