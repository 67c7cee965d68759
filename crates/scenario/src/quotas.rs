//! `parameters.quotas`: ECS's default service quotas (ECS.md §4.1) as limits a scenario may
//! change, read before the fields they bound so their order in the file does not matter.

use crate::node::Node;
use crate::read::{Cx, Fields};
use crate::validate::opt;

/// The largest value any quota may be raised to: far beyond what ECS grants, small enough
/// that a typo cannot ask for billions of instances.
pub const QUOTA_MAX: u32 = 10_000_000;

/// Service quotas that bound a scenario. The defaults are ECS's defaults (ECS.md §4.1);
/// a scenario raises them under `parameters.quotas`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Quotas {
    /// `containerInstancesPerCluster`: Auto Scaling groups' `desiredCapacity` plus fixed
    /// instances.
    pub container_instances_per_cluster: u32,
    /// `tasksPerService`: a service's `desiredCount`.
    pub tasks_per_service: u32,
    /// `servicesPerCluster`: entries of `services`.
    pub services_per_cluster: u32,
}

impl Default for Quotas {
    fn default() -> Quotas {
        Quotas {
            container_instances_per_cluster: 5_000,
            tasks_per_service: 5_000,
            services_per_cluster: 5_000,
        }
    }
}

/// One quota: its field name under `parameters.quotas` and what it counts.
pub(crate) struct Quota {
    pub key: &'static str,
    pub what: &'static str,
}

pub(crate) const CONTAINER_INSTANCES: Quota = Quota {
    key: "containerInstancesPerCluster",
    what: "container instances per cluster",
};
pub(crate) const TASKS_PER_SERVICE: Quota = Quota {
    key: "tasksPerService",
    what: "tasks per service",
};
pub(crate) const SERVICES: Quota = Quota {
    key: "servicesPerCluster",
    what: "services per cluster",
};

impl Quota {
    /// "exceeds the quota of 5000 container instances per cluster
    /// (parameters.quotas.containerInstancesPerCluster); raise that quota, up to 10000000,
    /// to allow more".
    pub fn exceeded(&self, limit: u32) -> String {
        format!(
            "exceeds the quota of {limit} {} (parameters.quotas.{}); raise that quota, up to {QUOTA_MAX}, to allow more",
            self.what, self.key
        )
    }
}

/// The quotas of `parameters.quotas`: `.0` is what the scenario holds (`None` if a value
/// is invalid), `.1` the limits to check the rest of the scenario against (an invalid
/// value checks nothing, so one mistake is reported once).
pub(crate) fn quotas(cx: &mut Cx, parameters: Option<&Node>) -> (Option<Quotas>, Quotas) {
    let defaults = Quotas::default();
    let Some(node) = parameters.and_then(|parameters| parameters.get("quotas")) else {
        return (Some(defaults), defaults);
    };
    if node.is_empty() {
        return (Some(defaults), defaults);
    }
    let Some(fields) = cx.fields(node, "parameters.quotas") else {
        return (None, unbounded());
    };
    fields.finish(
        cx,
        &[CONTAINER_INSTANCES.key, TASKS_PER_SERVICE.key, SERVICES.key],
        &[],
    );
    let read = |cx: &mut Cx, quota: &Quota, default: u32| -> Option<u32> {
        quota_value(cx, &fields, quota.key).unwrap_or(Some(default))
    };
    let instances = read(
        cx,
        &CONTAINER_INSTANCES,
        defaults.container_instances_per_cluster,
    );
    let tasks = read(cx, &TASKS_PER_SERVICE, defaults.tasks_per_service);
    let services = read(cx, &SERVICES, defaults.services_per_cluster);
    let limits = Quotas {
        container_instances_per_cluster: instances.unwrap_or(QUOTA_MAX),
        tasks_per_service: tasks.unwrap_or(QUOTA_MAX),
        services_per_cluster: services.unwrap_or(QUOTA_MAX),
    };
    let scenario = (|| {
        Some(Quotas {
            container_instances_per_cluster: instances?,
            tasks_per_service: tasks?,
            services_per_cluster: services?,
        })
    })();
    (scenario, limits)
}

fn quota_value(cx: &mut Cx, fields: &Fields<'_>, key: &str) -> Option<Option<u32>> {
    opt(cx, fields, key, |cx, node, field| {
        cx.u32(node, field, 1, QUOTA_MAX)
    })
}

/// Limits that nothing exceeds: used when `parameters.quotas` itself is broken.
fn unbounded() -> Quotas {
    Quotas {
        container_instances_per_cluster: QUOTA_MAX,
        tasks_per_service: QUOTA_MAX,
        services_per_cluster: QUOTA_MAX,
    }
}
