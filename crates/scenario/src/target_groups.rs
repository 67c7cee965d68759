//! `targetGroups`: the Elastic Load Balancing target groups that services register their
//! tasks with (ECS.md §4.7), as far as ECS's behaviour depends on them: health-check timing
//! and thresholds, and the deregistration delay. A group that a service's `loadBalancers`
//! names without it being listed gets ELB's defaults.

use cluster::spec::TargetGroupSpec;

use crate::node::{Node, Value};
use crate::read::{index_path, Cx};
use crate::validate::opt;

pub(crate) const TARGET_GROUP_KEYS: &[&str] = &[
    "name",
    "healthCheckIntervalSeconds",
    "healthCheckTimeoutSeconds",
    "healthyThresholdCount",
    "unhealthyThresholdCount",
    "deregistrationDelay",
];

const NAME_EXPECTED: &str =
    "a target group name, or its ARN (arn:aws:elasticloadbalancing:REGION:ACCOUNT:targetgroup/NAME/ID)";

/// The target groups of a scenario: the listed ones in order, then those only named by
/// services, in order of first reference. An index into this list is a
/// `LoadBalancerSpec::target_group`.
pub(crate) struct TargetGroups {
    /// `targetGroups` entries in order, `None` where invalid.
    listed: Vec<Option<TargetGroupSpec>>,
    /// The name of each listed entry, when it has a readable one, so that references to
    /// an entry with other errors still resolve.
    listed_names: Vec<Option<String>>,
    /// Groups named by a service but not listed: ELB's defaults.
    implied: Vec<TargetGroupSpec>,
}

impl TargetGroups {
    /// The index of the target group `name`; a group not listed is added once, with ELB's
    /// defaults (`TargetGroupSpec::with_defaults`).
    pub(crate) fn reference(&mut self, name: &str) -> u32 {
        if let Some(idx) = self
            .listed_names
            .iter()
            .position(|listed| listed.as_deref() == Some(name))
        {
            return idx as u32;
        }
        let implied = match self.implied.iter().position(|group| group.name == name) {
            Some(idx) => idx,
            None => {
                self.implied
                    .push(TargetGroupSpec::with_defaults(name.to_string()));
                self.implied.len() - 1
            }
        };
        (self.listed.len() + implied) as u32
    }

    /// Every target group, or `None` when a listed one is invalid.
    pub(crate) fn into_specs(self) -> Option<Vec<TargetGroupSpec>> {
        let mut specs = self.listed.into_iter().collect::<Option<Vec<_>>>()?;
        specs.extend(self.implied);
        Some(specs)
    }
}

pub(crate) fn target_groups(cx: &mut Cx, node: Option<&Node>) -> TargetGroups {
    let mut groups = TargetGroups {
        listed: Vec::new(),
        listed_names: Vec::new(),
        implied: Vec::new(),
    };
    let Some(node) = node else { return groups };
    for (idx, item) in cx
        .seq(node, "targetGroups")
        .unwrap_or_default()
        .iter()
        .enumerate()
    {
        let path = index_path("targetGroups", idx);
        let (name, spec) = target_group(cx, item, &path);
        let name = match (name, item.get("name")) {
            (Some(name), Some(name_node)) if groups.listed_names.contains(&Some(name.clone())) => {
                cx.rule(
                    &name_node.loc,
                    &format!("{path}.name"),
                    format!("target group {name:?} is listed twice"),
                );
                groups.listed.push(None);
                None
            }
            (name, _) => {
                groups.listed.push(spec);
                name
            }
        };
        groups.listed_names.push(name);
    }
    groups
}

/// One `targetGroups` entry: its name (when readable) and the group (when valid). Ranges
/// and defaults are ELB's (ECS.md §4.7).
fn target_group(cx: &mut Cx, node: &Node, path: &str) -> (Option<String>, Option<TargetGroupSpec>) {
    let Some(fields) = cx.fields(node, path) else {
        return (None, None);
    };
    fields.finish(cx, TARGET_GROUP_KEYS, &[]);
    let name = fields
        .required(cx, "name", NAME_EXPECTED)
        .and_then(|node| target_group_name(cx, node, &fields.path_of("name")));
    let count = |cx: &mut Cx, key: &str, min: u32, max: u32, default: u32| {
        opt(cx, &fields, key, |cx, node, field| {
            cx.u32(node, field, min, max)
        })
        .unwrap_or(Some(default))
    };
    let interval_s = count(cx, "healthCheckIntervalSeconds", 5, 300, 30);
    let timeout_s = count(cx, "healthCheckTimeoutSeconds", 2, 120, 5);
    let healthy_threshold_count = count(cx, "healthyThresholdCount", 2, 10, 5);
    let unhealthy_threshold_count = count(cx, "unhealthyThresholdCount", 2, 10, 2);
    let deregistration_delay_ms = opt(cx, &fields, "deregistrationDelay", |cx, node, field| {
        let ms = cx.duration_ms(node, field)?;
        if ms > 3_600_000 {
            cx.invalid(node, field, "a duration from 0s to 1h");
            return None;
        }
        Some(ms)
    })
    .unwrap_or(Some(300_000));
    // ELB: the timeout must be less than the interval.
    let timeout_s = match (interval_s, timeout_s) {
        (Some(interval_s), Some(timeout_s)) if timeout_s >= interval_s => {
            let expected = format!(
                "a whole number of seconds less than healthCheckIntervalSeconds ({interval_s})"
            );
            match fields.get("healthCheckTimeoutSeconds") {
                Some(node) => cx.invalid(
                    node,
                    &fields.path_of("healthCheckTimeoutSeconds"),
                    &expected,
                ),
                // Only the interval was given, below the default timeout of 5 s.
                None => {
                    if let Some(node) = fields.get("healthCheckIntervalSeconds") {
                        cx.invalid(
                            node,
                            &fields.path_of("healthCheckIntervalSeconds"),
                            "a whole number of seconds more than healthCheckTimeoutSeconds (5, the default)",
                        );
                    }
                }
            }
            None
        }
        (_, timeout_s) => timeout_s,
    };
    let spec = (|| {
        Some(TargetGroupSpec {
            name: name.clone()?,
            health_check_interval_ms: u64::from(interval_s?) * 1000,
            health_check_timeout_ms: u64::from(timeout_s?) * 1000,
            healthy_threshold_count: healthy_threshold_count?,
            unhealthy_threshold_count: unhealthy_threshold_count?,
            deregistration_delay_ms: deregistration_delay_ms?,
        })
    })();
    (name, spec)
}

/// A target group's name: the NAME of an ARN
/// `arn:PARTITION:elasticloadbalancing:REGION:ACCOUNT:targetgroup/NAME/ID`, or the string
/// itself when it is not an ARN.
pub(crate) fn target_group_name(cx: &mut Cx, node: &Node, field: &str) -> Option<String> {
    let text = match &node.value {
        Value::Scalar { text, .. } if !text.trim().is_empty() => text,
        _ => {
            cx.invalid(node, field, NAME_EXPECTED);
            return None;
        }
    };
    if !text.starts_with("arn:") {
        return Some(text.clone());
    }
    let parts: Vec<&str> = text.splitn(6, ':').collect();
    let name = match parts.as_slice() {
        [_, _, "elasticloadbalancing", _, _, resource] => resource
            .strip_prefix("targetgroup/")
            .and_then(|rest| rest.split_once('/'))
            .filter(|(name, id)| !name.is_empty() && !id.is_empty() && !id.contains('/'))
            .map(|(name, _)| name.to_string()),
        _ => None,
    };
    if name.is_none() {
        cx.invalid(node, field, NAME_EXPECTED);
    }
    name
}
