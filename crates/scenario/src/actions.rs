//! `actions`: control-plane calls at given times (UpdateService, UpdateContainerInstancesState
//! to DRAINING or ACTIVE, SetDesiredCapacity, StopTask), kept in scenario order: the engine
//! orders them by time, then by their place in the list.

use cluster::ids::{AsgId, ServiceId};
use cluster::spec::{
    Action, ActionSpec, ClusterSpec, SchedulingStrategy, ServiceSpec, TaskDefinition,
};

use crate::error::Loc;
use crate::faults::{instance_filter, task_filter};
use crate::node::{Node, Value};
use crate::quotas::{Quotas, CONTAINER_INSTANCES};
use crate::read::{index_path, Cx};
use crate::service::{deployment_configuration_update, desired_count, grace_period_ms};
use crate::task_definition::TaskDefinitions;
use crate::validate::{opt, ClusterNames};

pub(crate) const ACTION_KINDS: &[&str] = &[
    "updateService",
    "drainInstances",
    "activateInstances",
    "setDesiredCapacity",
    "stopTask",
];

pub(crate) const UPDATE_SERVICE_CHANGES: &[&str] = &[
    "taskDefinition",
    "desiredCount",
    "forceNewDeployment",
    "deploymentConfiguration",
    "healthCheckGracePeriodSeconds",
];

/// What actions may refer to.
pub(crate) struct Context<'a> {
    pub cluster: &'a ClusterNames,
    pub task_definitions: &'a TaskDefinitions,
    /// Every `services` entry in order (`None` where invalid): a position is a `ServiceId`.
    pub services: &'a [Option<ServiceSpec>],
    pub limits: &'a Quotas,
}

/// A `setDesiredCapacity`, kept to check the instance quota over the actions' timeline.
struct CapacityChange {
    at_ms: u64,
    group: usize,
    desired_capacity: u32,
    loc: Loc,
    field: String,
}

pub(crate) fn actions(
    cx: &mut Cx,
    node: Option<&Node>,
    context: &Context<'_>,
) -> Vec<Option<ActionSpec>> {
    let Some(node) = node else { return Vec::new() };
    let mut changes = Vec::new();
    let actions = cx
        .seq(node, "actions")
        .unwrap_or_default()
        .iter()
        .enumerate()
        .map(|(idx, item)| action(cx, item, &index_path("actions", idx), context, &mut changes))
        .collect();
    if let Some(spec) = &context.cluster.spec {
        check_capacity_quota(cx, spec, changes, context.limits);
    }
    actions
}

fn action(
    cx: &mut Cx,
    node: &Node,
    path: &str,
    context: &Context<'_>,
    changes: &mut Vec<CapacityChange>,
) -> Option<ActionSpec> {
    let fields = cx.fields(node, path)?;
    fields.finish(cx, &[&["at"], ACTION_KINDS].concat(), &[]);
    let at_ms = fields
        .required(cx, "at", "when the call is made, e.g. 1d")
        .and_then(|node| cx.duration_ms(node, &fields.path_of("at")));
    // By key, so that `drainInstances:` with no filter (every instance) counts.
    let given: Vec<&str> = ACTION_KINDS
        .iter()
        .copied()
        .filter(|kind| fields.key_loc(kind).is_some())
        .collect();
    if given.len() != 1 {
        let loc = given
            .get(1)
            .and_then(|kind| fields.key_loc(kind))
            .unwrap_or(&node.loc);
        let message = format!("an action needs exactly one of {}", ACTION_KINDS.join(", "));
        cx.rule(loc, path, message);
        return None;
    }
    let kind = given[0];
    let field = fields.path_of(kind);
    let body = node.get(kind)?;
    let action = match kind {
        "updateService" => update_service(cx, body, &field, context),
        "drainInstances" => instance_filter(cx, body, &field, context.cluster)
            .map(|target| Action::DrainInstances { target }),
        "activateInstances" => instance_filter(cx, body, &field, context.cluster)
            .map(|target| Action::ActivateInstances { target }),
        "setDesiredCapacity" => set_desired_capacity(cx, body, &field, context.cluster),
        _ => stop_task(cx, body, &field, context),
    };
    let (at_ms, action) = (at_ms?, action?);
    if let Action::SetDesiredCapacity {
        auto_scaling_group,
        desired_capacity,
    } = &action
    {
        let capacity = body.get("desiredCapacity").unwrap_or(body);
        changes.push(CapacityChange {
            at_ms,
            group: auto_scaling_group.index(),
            desired_capacity: *desired_capacity,
            loc: capacity.loc.clone(),
            field: format!("{field}.desiredCapacity"),
        });
    }
    Some(ActionSpec { at_ms, action })
}

/// `updateService: {service, ...}` with at least one change (ECS.md §4.3).
fn update_service(cx: &mut Cx, node: &Node, path: &str, context: &Context<'_>) -> Option<Action> {
    let fields = cx.fields(node, path)?;
    fields.finish(cx, &[&["service"], UPDATE_SERVICE_CHANGES].concat(), &[]);
    let service = fields
        .required(cx, "service", "the serviceName of a service")
        .and_then(|node| service(cx, node, &fields.path_of("service"), context.services));
    let spec = service.and_then(|(id, _)| context.services.get(id.index())?.as_ref());
    let strategy = spec.map(|spec| spec.scheduling_strategy);
    let changes_ok = UPDATE_SERVICE_CHANGES
        .iter()
        .any(|key| fields.get(key).is_some());
    if !changes_ok {
        let message = format!(
            "updateService needs at least one of {} besides service",
            UPDATE_SERVICE_CHANGES.join(", ")
        );
        cx.rule(&node.loc, path, message);
    }
    let task_definition = opt(cx, &fields, "taskDefinition", |cx, node, field| {
        let id = context.task_definitions.resolve(cx, node, field)?;
        if let (Some(spec), Some(definition)) = (spec, context.task_definitions.get(id)) {
            keeps_load_balanced_ports(cx, node, field, spec, definition)?;
        }
        Some(id)
    });
    let desired_count = opt(cx, &fields, "desiredCount", |cx, node, field| {
        if strategy == Some(SchedulingStrategy::Daemon) {
            let message = "a DAEMON service has no desiredCount to update: it runs one task on \
                           each eligible instance"
                .to_string();
            cx.rule(&node.loc, field, message);
            return None;
        }
        desired_count(cx, node, field, context.limits)
    });
    let force_new_deployment =
        opt(cx, &fields, "forceNewDeployment", Cx::bool).unwrap_or(Some(false));
    let deployment_configuration =
        opt(cx, &fields, "deploymentConfiguration", |cx, node, field| {
            deployment_configuration_update(cx, node, field, strategy, &["alarms"])
        })
        .unwrap_or(Some(Default::default()));
    let health_check_grace_period_ms = opt(
        cx,
        &fields,
        "healthCheckGracePeriodSeconds",
        grace_period_ms,
    );
    if !changes_ok {
        return None;
    }
    Some(Action::UpdateService {
        service: service?.0,
        task_definition: task_definition.map_or(Some(None), |id| id.map(Some))?,
        desired_count: desired_count.map_or(Some(None), |count| count.map(Some))?,
        force_new_deployment: force_new_deployment?,
        deployment_configuration: deployment_configuration?,
        health_check_grace_period_ms: health_check_grace_period_ms
            .map_or(Some(None), |ms| ms.map(Some))?,
    })
}

/// The service named by `node`, with its id.
fn service<'a>(
    cx: &mut Cx,
    node: &Node,
    field: &str,
    services: &'a [Option<ServiceSpec>],
) -> Option<(ServiceId, &'a ServiceSpec)> {
    let name = cx.name(node, field)?;
    let found = services.iter().enumerate().find_map(|(idx, spec)| {
        spec.as_ref()
            .filter(|spec| spec.service_name == name)
            .map(|spec| (ServiceId(idx as u32), spec))
    });
    if found.is_none() {
        let known: Vec<&str> = services
            .iter()
            .flatten()
            .map(|spec| spec.service_name.as_str())
            .collect();
        cx.unknown_name(node, field, "service", &name, known);
    }
    found
}

/// A new task definition must still have the container ports the service's load balancers
/// register (ECS refuses the update otherwise, ECS.md §4.7).
fn keeps_load_balanced_ports(
    cx: &mut Cx,
    node: &Node,
    field: &str,
    service: &ServiceSpec,
    definition: &TaskDefinition,
) -> Option<()> {
    for balancer in &service.load_balancers {
        let container = definition
            .container_definitions
            .iter()
            .find(|container| container.name == balancer.container_name);
        let maps_port = container.is_some_and(|container| {
            container
                .port_mappings
                .iter()
                .any(|mapping| mapping.container_port == balancer.container_port)
        });
        if !maps_port {
            let missing = match container {
                None => format!("has no container {:?}", balancer.container_name),
                Some(_) => format!(
                    "maps no containerPort {} in container {}",
                    balancer.container_port, balancer.container_name
                ),
            };
            let message = format!(
                "service {} registers container {} port {} with a load balancer, but task \
                 definition {} {missing}",
                service.service_name,
                balancer.container_name,
                balancer.container_port,
                definition.name()
            );
            cx.rule(&node.loc, field, message);
            return None;
        }
    }
    Some(())
}

/// `setDesiredCapacity: {autoScalingGroup, desiredCapacity}`.
fn set_desired_capacity(
    cx: &mut Cx,
    node: &Node,
    path: &str,
    cluster: &ClusterNames,
) -> Option<Action> {
    let fields = cx.fields(node, path)?;
    fields.finish(cx, &["autoScalingGroup", "desiredCapacity"], &[]);
    let group = fields
        .required(cx, "autoScalingGroup", "the name of an Auto Scaling group")
        .and_then(|node| {
            let field = fields.path_of("autoScalingGroup");
            let name = cx.name(node, &field)?;
            let known = &cluster.auto_scaling_groups;
            let idx = known.iter().position(|group| *group == name);
            if idx.is_none() {
                cx.unknown_name(
                    node,
                    &field,
                    "Auto Scaling group",
                    &name,
                    known.iter().map(String::as_str),
                );
            }
            idx
        });
    // Bounded by the container-instance quota, checked over the actions' timeline.
    // Within the group's minSize and maxSize, as EC2 Auto Scaling requires.
    let bounds = group.and_then(|group| {
        let spec = cluster.spec.as_ref()?;
        let group = spec.auto_scaling_groups.get(group)?;
        Some((group.min_size, group.max_size))
    });
    let (min, max) = bounds.unwrap_or((0, u32::MAX));
    let desired_capacity = fields
        .required(cx, "desiredCapacity", "a whole number >= 0")
        .and_then(|node| cx.u32(node, &fields.path_of("desiredCapacity"), min, max));
    Some(Action::SetDesiredCapacity {
        auto_scaling_group: AsgId(group? as u16),
        desired_capacity: desired_capacity?,
    })
}

/// The container-instance quota holds at every step of the actions' timeline (in time
/// order, then list order, as the engine applies them), as it does for the groups' own
/// `desiredCapacity`.
fn check_capacity_quota(
    cx: &mut Cx,
    spec: &ClusterSpec,
    mut changes: Vec<CapacityChange>,
    limits: &Quotas,
) {
    let mut capacities: Vec<u64> = spec
        .auto_scaling_groups
        .iter()
        .map(|group| u64::from(group.desired_capacity))
        .collect();
    let fixed = spec.instances.len() as u64;
    let quota = u64::from(limits.container_instances_per_cluster);
    // Stable: equal times keep list order.
    changes.sort_by_key(|change| change.at_ms);
    for change in changes {
        let Some(capacity) = capacities.get_mut(change.group) else {
            continue;
        };
        *capacity = u64::from(change.desired_capacity);
        let total = fixed + capacities.iter().sum::<u64>();
        if total > quota {
            let message = format!(
                "the cluster would have {total} container instances, which {}",
                CONTAINER_INSTANCES.exceeded(limits.container_instances_per_cluster)
            );
            cx.rule(&change.loc, &change.field, message);
        }
    }
}

/// `stopTask: {service | taskDefinition, count, reason}`.
fn stop_task(cx: &mut Cx, node: &Node, path: &str, context: &Context<'_>) -> Option<Action> {
    let fields = cx.fields(node, path)?;
    fields.finish(cx, &["service", "taskDefinition", "count", "reason"], &[]);
    let service_names: Vec<String> = context
        .services
        .iter()
        .flatten()
        .map(|spec| spec.service_name.clone())
        .collect();
    let target = task_filter(
        cx,
        &fields,
        context.task_definitions,
        &service_names,
        "stopTask",
    );
    let count = opt(cx, &fields, "count", |cx, node, field| {
        cx.u32(node, field, 1, u32::MAX)
    });
    let reason = opt(cx, &fields, "reason", reason);
    Some(Action::StopTask {
        target: target?,
        count: count.map_or(Some(None), |count| count.map(Some))?,
        reason: reason.map_or(Some(None), |reason| reason.map(Some))?,
    })
}

/// StopTask's `reason`: any non-empty text; it becomes the task's stoppedReason.
fn reason(cx: &mut Cx, node: &Node, field: &str) -> Option<String> {
    match &node.value {
        Value::Scalar { text, .. } if !text.trim().is_empty() => Some(text.clone()),
        _ => {
            cx.invalid(node, field, "a non-empty reason (the tasks' stoppedReason)");
            None
        }
    }
}
