//! `faults`: what each kind strikes and when (scripted `at`, or random `mtbf` /
//! `distribution`), and the instance and task filters that actions share.

use cluster::spec::{FaultKind, FaultSpec, FaultTiming, InstanceFilter, TaskFilter};
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
];

pub(crate) fn faults(
    cx: &mut Cx,
    node: Option<&Node>,
    cluster: &ClusterNames,
    task_definitions: &TaskDefinitions,
    service_names: &[String],
) -> Vec<Option<FaultSpec>> {
    let Some(node) = node else { return Vec::new() };
    let items = cx.seq(node, "faults").unwrap_or_default();
    let mut faults = Vec::new();
    for (idx, item) in items.iter().enumerate() {
        let path = index_path("faults", idx);
        faults.push(fault(
            cx,
            item,
            &path,
            cluster,
            task_definitions,
            service_names,
        ));
    }
    faults
}

fn fault(
    cx: &mut Cx,
    node: &Node,
    path: &str,
    cluster: &ClusterNames,
    task_definitions: &TaskDefinitions,
    service_names: &[String],
) -> Option<FaultSpec> {
    let fields = cx.fields(node, path)?;
    let kind_node = fields.required(cx, "kind", "one of instanceFailure, taskExit, zoneOutage")?;
    let kind_idx = cx.choice(kind_node, &fields.path_of("kind"), FAULT_KINDS);
    let timing_keys = ["kind", "at", "count", "mtbf", "distribution"];
    let kind = match kind_idx? {
        0 => {
            fields.finish(cx, &[&timing_keys[..], &["target"]].concat(), &[]);
            let target = match fields.get("target") {
                Some(target) => instance_filter(cx, target, &fields.path_of("target"), cluster),
                None => Some(InstanceFilter::default()),
            };
            target.map(|target| FaultKind::InstanceFailure { target })
        }
        1 => {
            fields.finish(
                cx,
                &[&timing_keys[..], &["service", "taskDefinition", "exitCode"]].concat(),
                &[],
            );
            let target = task_filter(cx, &fields, task_definitions, service_names);
            let exit_code = opt(cx, &fields, "exitCode", |cx, node, field| {
                cx.u32(node, field, 0, 255)
            })
            .unwrap_or(Some(1));
            Some(FaultKind::TaskExit {
                target: target?,
                exit_code: exit_code? as i32,
                container: None,
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
                        &cluster.zones,
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
        _ => {
            let why = "Spot interruptions arrive with a later version";
            cx.error(
                &kind_node.loc,
                &fields.path_of("kind"),
                crate::error::ErrorKind::NotSupported { why },
            );
            None
        }
    };
    let timing = fault_timing(cx, &fields);
    Some(FaultSpec {
        kind: kind?,
        timing: timing?,
    })
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

/// `service: NAME` or `taskDefinition: FAMILY`, exactly one.
pub(crate) fn task_filter(
    cx: &mut Cx,
    fields: &Fields<'_>,
    task_definitions: &TaskDefinitions,
    service_names: &[String],
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
                "a taskExit fault needs exactly one of service or taskDefinition (a family)"
                    .to_string(),
            );
            None
        }
    }
}
