//! `cluster.capacityProviders`, `cluster.defaultCapacityProviderStrategy` and the
//! `capacityProviderStrategy` of services, RunTask calls and scheduled tasks (ECS.md §5.5),
//! with ECS's rules: a provider names an Auto Scaling group of the cluster; managed
//! termination protection needs managed scaling; in a strategy, providers exist and appear
//! once, only one item has a `base`, and not every weight is 0.

use cluster::ids::AsgId;
use cluster::spec::{CapacityProviderSpec, CapacityProviderStrategyItem, ManagedScaling};

use crate::node::{Node, Value};
use crate::read::{index_path, Cx, Fields};
use crate::validate::opt;

/// The cluster's providers as strategies refer to them, kept in `Cx` while the services,
/// RunTask calls and scheduled tasks are read.
#[derive(Clone, Debug, Default)]
pub(crate) struct ProviderNames {
    pub names: Vec<String>,
    pub default_strategy: Vec<CapacityProviderStrategyItem>,
}

/// One provider as read: its spec and its `managedDraining` (ENABLED by default, as ECS).
pub(crate) struct ReadProvider {
    pub spec: CapacityProviderSpec,
    pub managed_draining: bool,
}

const STATUS: &[&str] = &["ENABLED", "DISABLED"];

fn enabled(cx: &mut Cx, node: &Node, field: &str) -> Option<bool> {
    cx.choice(node, field, STATUS).map(|index| index == 0)
}

/// `cluster.capacityProviders`: each names an Auto Scaling group of `groups`, one provider
/// per group. Returns the providers (`None` if any is bad) and every name given, so that
/// strategies naming a bad provider are not reported again.
pub(crate) fn capacity_providers(
    cx: &mut Cx,
    node: &Node,
    groups: &[String],
) -> (Option<Vec<ReadProvider>>, Vec<String>) {
    let path = "cluster.capacityProviders";
    let mut providers = Vec::new();
    let mut names = Vec::new();
    let mut ok = true;
    let mut used: Vec<(String, AsgId)> = Vec::new();
    let Some(items) = cx.seq(node, path) else {
        return (None, names);
    };
    for (idx, item) in items.iter().enumerate() {
        let path = index_path(path, idx);
        if let Some(Value::Scalar { text, .. }) = item.get("name").map(|n| &n.value) {
            names.push(text.clone());
        }
        match capacity_provider(cx, item, &path, groups) {
            Some(provider) => {
                let asg = provider.spec.auto_scaling_group;
                if providers
                    .iter()
                    .any(|other: &ReadProvider| other.spec.name == provider.spec.name)
                {
                    cx.rule(
                        &item.loc,
                        &format!("{path}.name"),
                        format!(
                            "capacity provider {:?} is defined twice",
                            provider.spec.name
                        ),
                    );
                    ok = false;
                } else if let Some((other, _)) = used.iter().find(|(_, group)| *group == asg) {
                    cx.rule(
                        &item.get("autoScalingGroup").unwrap_or(item).loc,
                        &format!("{path}.autoScalingGroup"),
                        format!(
                            "Auto Scaling group {:?} is already the capacity provider {other:?}'s: a group belongs to one capacity provider",
                            groups[asg.index()]
                        ),
                    );
                    ok = false;
                } else {
                    used.push((provider.spec.name.clone(), asg));
                    providers.push(provider);
                }
            }
            None => ok = false,
        }
    }
    (ok.then_some(providers), names)
}

fn capacity_provider(
    cx: &mut Cx,
    node: &Node,
    path: &str,
    groups: &[String],
) -> Option<ReadProvider> {
    let fields = cx.fields(node, path)?;
    fields.finish(
        cx,
        &[
            "name",
            "autoScalingGroup",
            "managedScaling",
            "managedTerminationProtection",
            "managedDraining",
        ],
        &["tags"],
    );
    let name = fields
        .required(cx, "name", "a capacity provider name")
        .and_then(|node| cx.name(node, &fields.path_of("name")));
    let auto_scaling_group = fields
        .required(
            cx,
            "autoScalingGroup",
            "the name of an Auto Scaling group of the cluster",
        )
        .and_then(|node| {
            let field = fields.path_of("autoScalingGroup");
            let name = cx.name(node, &field)?;
            match groups.iter().position(|group| *group == name) {
                Some(index) => Some(AsgId(index as u16)),
                None => {
                    cx.unknown_name(
                        node,
                        &field,
                        "Auto Scaling group",
                        &name,
                        groups.iter().map(String::as_str),
                    );
                    None
                }
            }
        });
    let managed_scaling = match fields.get("managedScaling") {
        None => Some(None),
        Some(node) => managed_scaling(cx, node, &fields.path_of("managedScaling")),
    };
    let protection =
        opt(cx, &fields, "managedTerminationProtection", enabled).unwrap_or(Some(false));
    let managed_draining = opt(cx, &fields, "managedDraining", enabled).unwrap_or(Some(true));
    if let (Some(true), Some(None)) = (protection, &managed_scaling) {
        let at = fields.get("managedTerminationProtection").unwrap_or(node);
        cx.rule(
            &at.loc,
            &fields.path_of("managedTerminationProtection"),
            "managed termination protection needs managed scaling: set managedScaling.status to ENABLED or this to DISABLED".to_string(),
        );
        return None;
    }
    Some(ReadProvider {
        spec: CapacityProviderSpec {
            name: name?,
            auto_scaling_group: auto_scaling_group?,
            managed_scaling: managed_scaling?,
            managed_termination_protection: protection?,
        },
        managed_draining: managed_draining?,
    })
}

/// `managedScaling`: `None` when its status is DISABLED (ENABLED unless it says so).
fn managed_scaling(cx: &mut Cx, node: &Node, path: &str) -> Option<Option<ManagedScaling>> {
    let fields = cx.fields(node, path)?;
    fields.finish(
        cx,
        &[
            "status",
            "targetCapacity",
            "minimumScalingStepSize",
            "maximumScalingStepSize",
            "instanceWarmupPeriod",
        ],
        &[],
    );
    let defaults = ManagedScaling::default();
    let status = opt(cx, &fields, "status", enabled).unwrap_or(Some(true));
    let number = |cx: &mut Cx, key: &str, min: u32, max: u32, default: u32| {
        opt(cx, &fields, key, |cx, node, field| {
            cx.u32(node, field, min, max)
        })
        .unwrap_or(Some(default))
    };
    let target_capacity = number(cx, "targetCapacity", 1, 100, defaults.target_capacity);
    let min_step = number(
        cx,
        "minimumScalingStepSize",
        1,
        10_000,
        defaults.minimum_scaling_step_size,
    );
    let max_step = number(
        cx,
        "maximumScalingStepSize",
        1,
        10_000,
        defaults.maximum_scaling_step_size,
    );
    let warmup_s = number(
        cx,
        "instanceWarmupPeriod",
        0,
        10_000,
        (defaults.instance_warmup_period_ms / 1000) as u32,
    );
    let (min_step, max_step) = (min_step?, max_step?);
    if min_step > max_step {
        let at = fields
            .get("minimumScalingStepSize")
            .or(fields.get("maximumScalingStepSize"))
            .unwrap_or(node);
        cx.rule(
            &at.loc,
            &fields.path_of("minimumScalingStepSize"),
            format!(
                "minimumScalingStepSize ({min_step}) is larger than maximumScalingStepSize ({max_step})"
            ),
        );
        return None;
    }
    let scaling = ManagedScaling {
        target_capacity: target_capacity?,
        minimum_scaling_step_size: min_step,
        maximum_scaling_step_size: max_step,
        instance_warmup_period_ms: u64::from(warmup_s?) * 1000,
    };
    Some(status?.then_some(scaling))
}

/// A `capacityProviderStrategy` (ECS.md §5.5) against the cluster's providers in `cx`.
pub(crate) fn strategy(
    cx: &mut Cx,
    node: &Node,
    path: &str,
) -> Option<Vec<CapacityProviderStrategyItem>> {
    let providers = cx.capacity_providers.names.clone();
    let mut items: Vec<CapacityProviderStrategyItem> = Vec::new();
    let mut ok = true;
    let nodes = cx.seq(node, path)?;
    for (idx, item) in nodes.iter().enumerate() {
        let path = index_path(path, idx);
        let Some(fields) = cx.fields(item, &path) else {
            ok = false;
            continue;
        };
        fields.finish(cx, &["capacityProvider", "base", "weight"], &[]);
        let provider = fields
            .required(
                cx,
                "capacityProvider",
                "the name of a capacity provider of the cluster",
            )
            .and_then(|node| {
                let field = fields.path_of("capacityProvider");
                let name = cx.name(node, &field)?;
                match providers.iter().position(|p| *p == name) {
                    Some(index) => Some(index as u16),
                    None => {
                        cx.unknown_name(
                            node,
                            &field,
                            "capacity provider",
                            &name,
                            providers.iter().map(String::as_str),
                        );
                        None
                    }
                }
            });
        let base = opt(cx, &fields, "base", |cx, node, field| {
            cx.u32(node, field, 0, 100_000)
        })
        .unwrap_or(Some(0));
        let weight = opt(cx, &fields, "weight", |cx, node, field| {
            cx.u32(node, field, 0, 1_000)
        })
        .unwrap_or(Some(0));
        match (provider, base, weight) {
            (Some(capacity_provider), Some(base), Some(weight)) => {
                if items
                    .iter()
                    .any(|i| i.capacity_provider == capacity_provider)
                {
                    cx.rule(
                        &item.loc,
                        &fields.path_of("capacityProvider"),
                        format!(
                            "capacity provider {:?} appears twice in the strategy",
                            providers[usize::from(capacity_provider)]
                        ),
                    );
                    ok = false;
                } else if base > 0 && items.iter().any(|i| i.base > 0) {
                    cx.rule(
                        &fields.get("base").unwrap_or(item).loc,
                        &fields.path_of("base"),
                        "only one capacity provider in a strategy can have a base".to_string(),
                    );
                    ok = false;
                }
                items.push(CapacityProviderStrategyItem {
                    capacity_provider,
                    base,
                    weight,
                });
            }
            _ => ok = false,
        }
    }
    if !ok {
        return None;
    }
    if !items.is_empty() && items.iter().all(|item| item.weight == 0) {
        cx.rule(
            &node.loc,
            path,
            "every weight is 0: at least one capacity provider in a strategy needs a weight greater than 0".to_string(),
        );
        return None;
    }
    Some(items)
}

/// The strategy of a service, RunTask call or scheduled task: its own, else the cluster's
/// default unless it names a `launchType` (ECS.md §5.5; ECS refuses both together).
pub(crate) fn strategy_of(
    cx: &mut Cx,
    fields: &Fields<'_>,
) -> Option<Vec<CapacityProviderStrategyItem>> {
    match fields.get("capacityProviderStrategy") {
        Some(node) if !node.is_empty() => {
            if let Some(loc) = fields.key_loc("launchType") {
                cx.rule(
                    loc,
                    &fields.path_of("launchType"),
                    "a launchType and a capacityProviderStrategy cannot both be given".to_string(),
                );
                return None;
            }
            strategy(cx, node, &fields.path_of("capacityProviderStrategy"))
        }
        _ if fields.get("launchType").is_some() => Some(Vec::new()),
        _ => Some(cx.capacity_providers.default_strategy.clone()),
    }
}
