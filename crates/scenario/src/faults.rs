//! `faults`: what each kind strikes (instances, tasks, a zone) and when (scripted `at`, or
//! random `mtbf` / `distribution`), and the instance and task filters that actions share.

use cluster::ids::TaskDefId;
use cluster::spec::{
    Action, ActionSpec, FaultKind, FaultSpec, FaultTiming, InstanceFilter, ServiceSpec,
    TaskDefinition, TaskFilter,
};
use des::Distribution;

use crate::node::Node;
use crate::read::{index_path, Cx, Fields};
use crate::task_definition::TaskDefinitions;
use crate::validate::{opt, zone_id, ClusterNames};

const FAULT_KINDS: &[&str] = &[
    "instanceFailure",
    "taskExit",
    "zoneOutage",
    "spotInterruption",
    "agentDisconnect",
];

/// What faults may refer to.
pub(crate) struct Context<'a> {
    pub cluster: &'a ClusterNames,
    pub task_definitions: &'a TaskDefinitions,
    /// Every `services` entry in order, `None` where invalid.
    pub services: &'a [Option<ServiceSpec>],
    /// Every `actions` entry: an `updateService` gives its service more task definitions.
    pub actions: &'a [Option<ActionSpec>],
}

pub(crate) fn faults(
    cx: &mut Cx,
    node: Option<&Node>,
    context: &Context<'_>,
) -> Vec<Option<FaultSpec>> {
    let Some(node) = node else { return Vec::new() };
    let items = cx.seq(node, "faults").unwrap_or_default();
    items
        .iter()
        .enumerate()
        .map(|(idx, item)| fault(cx, item, &index_path("faults", idx), context))
        .collect()
}

fn fault(cx: &mut Cx, node: &Node, path: &str, context: &Context<'_>) -> Option<FaultSpec> {
    let fields = cx.fields(node, path)?;
    let kind_node = fields.required(cx, "kind", &format!("one of {}", FAULT_KINDS.join(", ")))?;
    let kind_idx = cx.choice(kind_node, &fields.path_of("kind"), FAULT_KINDS);
    let timing_keys = ["kind", "at", "count", "mtbf", "distribution"];
    let target = |cx: &mut Cx| match fields.get("target") {
        Some(target) => instance_filter(cx, target, &fields.path_of("target"), context.cluster),
        None => Some(InstanceFilter::default()),
    };
    let kind = match kind_idx? {
        0 => {
            fields.finish(cx, &[&timing_keys[..], &["target"]].concat(), &[]);
            target(cx).map(|target| FaultKind::InstanceFailure { target })
        }
        1 => {
            fields.finish(
                cx,
                &[
                    &timing_keys[..],
                    &["service", "taskDefinition", "exitCode", "container"],
                ]
                .concat(),
                &[],
            );
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
                "a taskExit fault",
            );
            let exit_code = opt(cx, &fields, "exitCode", |cx, node, field| {
                cx.u32(node, field, 0, 255)
            })
            .unwrap_or(Some(1));
            let container = match (&target, fields.get("container")) {
                (_, None) => Some(None),
                (target, Some(node)) => {
                    let field = fields.path_of("container");
                    cx.name(node, &field).and_then(|name| {
                        let target = target.as_ref()?;
                        targeted_container(cx, node, &field, &name, target, context)
                            .then_some(Some(name))
                    })
                }
            };
            Some(FaultKind::TaskExit {
                target: target?,
                exit_code: exit_code? as i32,
                container: container?,
            })
        }
        2 => {
            fields.finish(
                cx,
                &[&timing_keys[..], &["availabilityZone", "duration"]].concat(),
                &[],
            );
            let zone = fields
                .required(
                    cx,
                    "availabilityZone",
                    "a zone of cluster.availabilityZones",
                )
                .and_then(|node| {
                    zone_id(
                        cx,
                        node,
                        &fields.path_of("availabilityZone"),
                        &context.cluster.zones,
                    )
                });
            let duration_ms = fields
                .required(cx, "duration", "how long the zone is out, e.g. 2h")
                .and_then(|node| cx.positive_duration_ms(node, &fields.path_of("duration")));
            Some(FaultKind::ZoneOutage {
                zone: zone?,
                duration_ms: duration_ms?,
            })
        }
        3 => {
            fields.finish(cx, &[&timing_keys[..], &["target"]].concat(), &[]);
            target(cx).map(|target| FaultKind::SpotInterruption { target })
        }
        _ => {
            fields.finish(
                cx,
                &[&timing_keys[..], &["target", "duration"]].concat(),
                &[],
            );
            let target = target(cx);
            // Absent: the agent never reconnects (ECS.md §5.3, A16).
            let duration_ms = opt(cx, &fields, "duration", Cx::positive_duration_ms);
            Some(FaultKind::AgentDisconnect {
                target: target?,
                duration_ms: duration_ms.map_or(Some(None), |ms| ms.map(Some))?,
            })
        }
    };
    let timing = fault_timing(cx, &fields);
    Some(FaultSpec {
        kind: kind?,
        timing: timing?,
    })
}

/// Whether a task definition the fault can strike has a container `name`: the service's
/// own and those its `updateService` actions deploy, or every revision of the family.
/// Records an error listing their containers when none has it.
fn targeted_container(
    cx: &mut Cx,
    node: &Node,
    field: &str,
    name: &str,
    target: &TaskFilter,
    context: &Context<'_>,
) -> bool {
    let definitions: Vec<TaskDefId> = match target {
        TaskFilter::Service(service) => {
            let Some(idx) = context.services.iter().position(|spec| {
                spec.as_ref()
                    .is_some_and(|spec| spec.service_name == *service)
            }) else {
                return true;
            };
            let own = context.services[idx]
                .as_ref()
                .map(|spec| spec.task_definition);
            let updates = context
                .actions
                .iter()
                .flatten()
                .filter_map(|spec| match &spec.action {
                    Action::UpdateService {
                        service,
                        task_definition,
                        ..
                    } if service.index() == idx => *task_definition,
                    _ => None,
                });
            own.into_iter().chain(updates).collect()
        }
        TaskFilter::Family(family) => (0..context.task_definitions.families.len())
            .filter(|&idx| context.task_definitions.families[idx].as_deref() == Some(family))
            .map(|idx| TaskDefId(idx as u32))
            .collect(),
    };
    let definitions: Vec<&TaskDefinition> = definitions
        .into_iter()
        .filter_map(|id| context.task_definitions.get(id))
        .collect();
    if definitions.is_empty()
        || definitions.iter().any(|definition| {
            definition
                .container_definitions
                .iter()
                .any(|container| container.name == name)
        })
    {
        return true;
    }
    let mut containers: Vec<&str> = Vec::new();
    for definition in &definitions {
        for container in &definition.container_definitions {
            if !containers.contains(&container.name.as_str()) {
                containers.push(&container.name);
            }
        }
    }
    let targeted: Vec<String> = definitions
        .iter()
        .map(|definition| definition.name())
        .collect();
    let message = format!(
        "no targeted task definition ({}) has a container {name:?}; their containers: {}",
        targeted.join(", "),
        containers.join(", ")
    );
    cx.rule(&node.loc, field, message);
    false
}

/// Scripted (`at`, optional `count`) or random (`mtbf`: exponential time to failure with
/// that mean; or `distribution`: any distribution of the time to failure). Exactly one of
/// `at`, `mtbf` and `distribution`.
fn fault_timing(cx: &mut Cx, fields: &Fields<'_>) -> Option<FaultTiming> {
    let rule =
        "a fault needs exactly one of at (scripted), mtbf (random, exponential with that mean) \
                or distribution (random, any distribution of the time to failure)";
    let given: Vec<&str> = ["at", "mtbf", "distribution"]
        .into_iter()
        .filter(|key| fields.get(key).is_some())
        .collect();
    if given.len() != 1 {
        let loc = given
            .get(1)
            .and_then(|key| fields.key_loc(key))
            .unwrap_or(&fields.node.loc);
        cx.rule(loc, &fields.path, rule.to_string());
        return None;
    }
    if given[0] != "at" {
        if let Some(loc) = fields.key_loc("count") {
            cx.rule(
                loc,
                &fields.path_of("count"),
                "count is only allowed with at (a scripted fault)".to_string(),
            );
            return None;
        }
    }
    match given[0] {
        "at" => {
            let at_ms = fields
                .get("at")
                .and_then(|node| cx.duration_ms(node, &fields.path_of("at")));
            let count = opt(cx, fields, "count", |cx, node, field| {
                cx.u32(node, field, 1, u32::MAX - 1)
            });
            Some(FaultTiming::At {
                at_ms: at_ms?,
                count: count.map_or(Some(None), |count| count.map(Some))?,
            })
        }
        "mtbf" => {
            let mean_ms = fields
                .get("mtbf")
                .and_then(|node| cx.positive_duration_ms(node, &fields.path_of("mtbf")))?;
            Some(FaultTiming::Random {
                time_to_failure: Distribution::Exponential { mean_ms },
            })
        }
        _ => {
            let node = fields.get("distribution")?;
            let field = fields.path_of("distribution");
            let time_to_failure = cx.distribution(node, &field)?;
            // A time to failure that is always zero would strike each new instance or task
            // the moment it appears: refuse it rather than loop without time passing.
            let always_zero = matches!(
                time_to_failure,
                Distribution::Fixed { ms: 0 } | Distribution::Uniform { max_ms: 0, .. }
            );
            if always_zero {
                cx.rule(
                    &node.loc,
                    &field,
                    "a time to failure that is always zero would strike every instance or task \
                     the moment it appears; give a distribution that can be above zero"
                        .to_string(),
                );
                return None;
            }
            Some(FaultTiming::Random { time_to_failure })
        }
    }
}

/// `target` of an instance fault: every given field must name something in the cluster.
pub(crate) fn instance_filter(
    cx: &mut Cx,
    node: &Node,
    path: &str,
    cluster: &ClusterNames,
) -> Option<InstanceFilter> {
    let fields = cx.fields(node, path)?;
    fields.finish(
        cx,
        &[
            "availabilityZone",
            "instanceType",
            "autoScalingGroup",
            "instanceId",
        ],
        &[],
    );
    let mut ok = true;
    let mut filter = InstanceFilter::default();
    if let Some(zone) = fields.get("availabilityZone") {
        filter.availability_zone = zone_id(
            cx,
            zone,
            &fields.path_of("availabilityZone"),
            &cluster.zones,
        );
        ok &= filter.availability_zone.is_some();
    }
    let named = [
        (
            "instanceType",
            "instance type in this cluster",
            &cluster.instance_types,
        ),
        (
            "autoScalingGroup",
            "Auto Scaling group",
            &cluster.auto_scaling_groups,
        ),
        (
            "instanceId",
            "instance id in cluster.instances",
            &cluster.instance_ids,
        ),
    ];
    for (key, what, known) in named {
        let Some(value) = fields.get(key) else {
            continue;
        };
        let field = fields.path_of(key);
        let name = cx.name(value, &field);
        match name {
            Some(name) if known.contains(&name) => match key {
                "instanceType" => filter.instance_type = Some(name),
                "autoScalingGroup" => filter.auto_scaling_group = Some(name),
                _ => filter.instance_id = Some(name),
            },
            Some(name) => {
                cx.unknown_name(value, &field, what, &name, known.iter().map(String::as_str));
                ok = false;
            }
            None => ok = false,
        }
    }
    ok.then_some(filter)
}

/// `service: NAME` or `taskDefinition: FAMILY`, exactly one; `what` names the fault or
/// action in the error.
pub(crate) fn task_filter(
    cx: &mut Cx,
    fields: &Fields<'_>,
    task_definitions: &TaskDefinitions,
    service_names: &[String],
    what: &str,
) -> Option<TaskFilter> {
    match (fields.get("service"), fields.get("taskDefinition")) {
        (Some(node), None) => {
            let field = fields.path_of("service");
            let name = cx.name(node, &field)?;
            if service_names.contains(&name) {
                Some(TaskFilter::Service(name))
            } else {
                cx.unknown_name(
                    node,
                    &field,
                    "service",
                    &name,
                    service_names.iter().map(String::as_str),
                );
                None
            }
        }
        (None, Some(node)) => {
            let field = fields.path_of("taskDefinition");
            let family = cx.name(node, &field)?;
            if family.contains(':') {
                cx.invalid(
                    node,
                    &field,
                    "a task definition family, without :revision (every revision is targeted)",
                );
                return None;
            }
            if task_definitions
                .families
                .iter()
                .flatten()
                .any(|known| *known == family)
            {
                Some(TaskFilter::Family(family))
            } else {
                let known: Vec<&str> = task_definitions
                    .families
                    .iter()
                    .flatten()
                    .map(String::as_str)
                    .collect();
                cx.unknown_name(node, &field, "task definition family", &family, known);
                None
            }
        }
        _ => {
            cx.rule(
                &fields.node.loc,
                &fields.path,
                format!("{what} needs exactly one of service or taskDefinition (a family)"),
            );
            None
        }
    }
}
