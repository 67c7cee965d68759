//! Validation of the top level, `parameters` and `cluster` into model types; task
//! definitions, services and faults live in their own files. Every check records its error
//! and carries on, so one pass reports every problem.

use std::collections::BTreeMap;

use cluster::ids::ZoneId;
use cluster::spec::{
    AutoScalingGroupSpec, ClusterSpec, FixedInstanceSpec, InstanceType, Parameters,
    SuspendedProcesses, TieBreak,
};

use crate::actions;
use crate::arrivals;
use crate::catalogue;
use crate::duration::{parse_decimal_scaled, DURATION_EXPECTED};
use crate::error::Loc;
use crate::faults;
use crate::node::{Node, Value};
use crate::outputs;
use crate::pricing::{self, Price, Pricing};
use crate::quotas::{self, Quotas, CONTAINER_INSTANCES};
use crate::read::{index_path, Cx, Fields};
use crate::requirements;
use crate::resolved::duration as duration_text;
use crate::service;
use crate::sources::Sources;
use crate::target_groups;
use crate::task_definition;
use crate::{Metrics, Scenario};

pub(crate) const TOP_KEYS: &[&str] = &[
    "name",
    "description",
    "seed",
    "duration",
    "parameters",
    "cluster",
    "taskDefinitions",
    "services",
    "targetGroups",
    "runTasks",
    "scheduledTasks",
    "actions",
    "faults",
    "outputs",
    "requirements",
    "metrics",
];

pub(crate) fn scenario(cx: &mut Cx, root: &Node) -> Option<Scenario> {
    let top = cx.fields(root, "")?;
    top.finish(cx, TOP_KEYS, &[]);
    let default_name = cx
        .file
        .file_stem()
        .map_or_else(String::new, |stem| stem.to_string_lossy().into_owned());
    let name = opt(cx, &top, "name", Cx::string).unwrap_or(Some(default_name));
    let description = opt(cx, &top, "description", Cx::string).unwrap_or(Some(String::new()));
    let seed = opt(cx, &top, "seed", |cx, node, field| {
        cx.uint(node, field, 0, u64::MAX)
    })
    .unwrap_or(Some(1));
    let duration_ms = top
        .required(cx, "duration", DURATION_EXPECTED)
        .and_then(|node| cx.positive_duration_ms(node, "duration"));
    let (parameters, overhead_per_mille) = parameters(cx, top.get("parameters"));
    // Before everything they bound, wherever they stand in the file.
    let (quotas, limits) = quotas::quotas(cx, top.get("parameters"));
    let outputs = outputs::outputs(cx, top.get("outputs"));
    let metrics = metrics(cx, top.get("metrics"), duration_ms);
    let cluster_node = top.required(
        cx,
        "cluster",
        "a mapping with availabilityZones and instances or autoScalingGroups",
    );
    let cluster = cluster_node.map(|node| cluster(cx, node, overhead_per_mille, &limits));
    let task_definitions = task_definition::task_definitions(cx, top.get("taskDefinitions"));
    let mut target_groups = target_groups::target_groups(cx, top.get("targetGroups"));
    let services = service::services(
        cx,
        top.get("services"),
        &task_definitions,
        &mut target_groups,
        &limits,
    );
    let service_names: Option<Vec<&str>> = services
        .iter()
        .map(|service| service.as_ref().map(|spec| spec.service_name.as_str()))
        .collect();
    let requirements =
        requirements::requirements(cx, top.get("requirements"), service_names.as_deref());
    let run_tasks = service::run_tasks(cx, top.get("runTasks"), &task_definitions);
    let scheduled_tasks =
        service::scheduled_tasks(cx, top.get("scheduledTasks"), &task_definitions);
    arrivals::check_groups(
        cx,
        top.get("runTasks"),
        &run_tasks,
        &scheduled_tasks,
        &services,
    );
    let actions = match &cluster {
        Some(cluster) => actions::actions(
            cx,
            top.get("actions"),
            &actions::Context {
                cluster,
                task_definitions: &task_definitions,
                services: &services,
                limits: &limits,
            },
        ),
        None => Vec::new(),
    };
    let faults = match &cluster {
        Some(cluster) => faults::faults(
            cx,
            top.get("faults"),
            &faults::Context {
                cluster,
                task_definitions: &task_definitions,
                services: &services,
                actions: &actions,
            },
        ),
        None => Vec::new(),
    };
    let cluster = cluster?;
    let pricing = Pricing {
        region: cluster.region?,
        auto_scaling_groups: cluster.asg_prices,
        instances: cluster.instance_prices,
    };
    Some(Scenario {
        name: name?,
        description: description?,
        seed: seed?,
        duration_ms: duration_ms?,
        cluster: cluster.spec?,
        pricing,
        parameters: parameters?,
        task_definitions: task_definitions
            .definitions
            .into_iter()
            .collect::<Option<Vec<_>>>()?,
        services: services.into_iter().collect::<Option<Vec<_>>>()?,
        run_tasks: run_tasks.into_iter().collect::<Option<Vec<_>>>()?,
        scheduled_tasks: scheduled_tasks.into_iter().collect::<Option<Vec<_>>>()?,
        target_groups: target_groups.into_specs()?,
        actions: actions.into_iter().collect::<Option<Vec<_>>>()?,
        faults: faults.into_iter().collect::<Option<Vec<_>>>()?,
        quotas: quotas?,
        outputs: outputs?,
        requirements: requirements?,
        metrics: metrics?,
        overrides: Vec::new(),
        sources: Sources::default(),
    })
}

/// `metrics: {warmup: DURATION}`: the measured window starts at `warmup` (default 0s) and
/// ends with the run, so it must start before the run's `duration` (when that is valid).
fn metrics(cx: &mut Cx, node: Option<&Node>, duration_ms: Option<u64>) -> Option<Metrics> {
    let Some(node) = node else {
        return Some(Metrics::default());
    };
    let fields = cx.fields(node, "metrics")?;
    fields.finish(cx, &["warmup"], &[]);
    let Some(warmup) = fields.get("warmup") else {
        return Some(Metrics::default());
    };
    let field = fields.path_of("warmup");
    let warmup_ms = cx.duration_ms(warmup, &field)?;
    let duration_ms = duration_ms?;
    if warmup_ms >= duration_ms {
        cx.invalid(
            warmup,
            &field,
            &format!(
                "a duration shorter than the run's duration ({}), so that the measured \
                 window is not empty",
                duration_text(duration_ms)
            ),
        );
        return None;
    }
    Some(Metrics { warmup_ms })
}

/// An optional field read with `read`: `None` when absent, `Some(None)` when invalid.
pub(crate) fn opt<T>(
    cx: &mut Cx,
    fields: &Fields<'_>,
    key: &str,
    read: impl FnOnce(&mut Cx, &Node, &str) -> Option<T>,
) -> Option<Option<T>> {
    fields
        .get(key)
        .map(|node| read(cx, node, &fields.path_of(key)))
}

/// `parameters`, and the memory overhead (per mille) that the catalogue applies.
fn parameters(cx: &mut Cx, node: Option<&Node>) -> (Option<Parameters>, u32) {
    let defaults = Parameters::default();
    let mut overhead_per_mille = 25;
    let Some(node) = node else {
        return (Some(defaults), overhead_per_mille);
    };
    let Some(fields) = cx.fields(node, "parameters") else {
        return (None, overhead_per_mille);
    };
    fields.finish(
        cx,
        &[
            "schedulerInterval",
            "stopTimeout",
            "eniAttachTime",
            "tieBreak",
            "maxPercentCountsStopping",
            "dynamicHostPortRange",
            "memoryOverheadPercent",
            "quotas",
            "eniDetachTime",
            "healthyDelay",
            "circuitBreakerMinThreshold",
            "throttleBase",
            "throttleMax",
            "elbInitialHealthyChecks",
            "spotNoticeTime",
            "managedDrainingTimeout",
            "startTime",
            "maxProvisioningTasks",
            "managedScalingScaleInDatapoints",
            "managedScalingInterval",
            "managedScalingFromZero",
            "capacityProviderWaitsWithoutScaling",
        ],
        &[],
    );
    let scheduler_interval_ms = opt(cx, &fields, "schedulerInterval", Cx::positive_duration_ms)
        .unwrap_or(Some(defaults.scheduler_interval_ms));
    let stop_timeout_ms =
        opt(cx, &fields, "stopTimeout", Cx::duration_ms).unwrap_or(Some(defaults.stop_timeout_ms));
    let eni_attach_ms =
        opt(cx, &fields, "eniAttachTime", Cx::duration_ms).unwrap_or(Some(defaults.eni_attach_ms));
    let tie_break = opt(cx, &fields, "tieBreak", |cx, node, field| {
        cx.choice(node, field, &["random", "stable"]).map(|idx| {
            if idx == 0 {
                TieBreak::Random
            } else {
                TieBreak::Stable
            }
        })
    })
    .unwrap_or(Some(defaults.tie_break));
    let max_percent_counts_stopping = opt(cx, &fields, "maxPercentCountsStopping", Cx::bool)
        .unwrap_or(Some(defaults.max_percent_counts_stopping));
    let port_range = opt(cx, &fields, "dynamicHostPortRange", port_range).unwrap_or(Some((
        defaults.dynamic_host_port_first,
        defaults.dynamic_host_port_last,
    )));
    if let Some(node) = fields.get("memoryOverheadPercent") {
        let expected = "a percentage from 0 to 50 with at most one decimal (e.g. 2.5)";
        match &node.value {
            Value::Scalar {
                text,
                quoted: false,
            } => match parse_decimal_scaled(text, 1) {
                Some(per_mille @ 0..=500) => overhead_per_mille = per_mille as u32,
                _ => cx.invalid(node, "parameters.memoryOverheadPercent", expected),
            },
            _ => cx.invalid(node, "parameters.memoryOverheadPercent", expected),
        }
    }
    let lifecycle = lifecycle_parameters(cx, &fields, &defaults);
    let (dynamic_host_port_first, dynamic_host_port_last) = match port_range {
        Some(range) => range,
        None => return (None, overhead_per_mille),
    };
    let parameters = (|| {
        Some(Parameters {
            scheduler_interval_ms: scheduler_interval_ms?,
            stop_timeout_ms: stop_timeout_ms?,
            eni_attach_ms: eni_attach_ms?,
            tie_break: tie_break?,
            max_percent_counts_stopping: max_percent_counts_stopping?,
            dynamic_host_port_first,
            dynamic_host_port_last,
            ..lifecycle?
        })
    })();
    (parameters, overhead_per_mille)
}

/// The lifecycle's parameters (ECS.md §10), into `defaults` with these fields replaced.
fn lifecycle_parameters(
    cx: &mut Cx,
    fields: &Fields<'_>,
    defaults: &Parameters,
) -> Option<Parameters> {
    let duration = |cx: &mut Cx, key: &str, default: u64| {
        opt(cx, fields, key, Cx::duration_ms).unwrap_or(Some(default))
    };
    let positive = |cx: &mut Cx, key: &str, default: u64| {
        opt(cx, fields, key, Cx::positive_duration_ms).unwrap_or(Some(default))
    };
    let eni_detach_ms = duration(cx, "eniDetachTime", defaults.eni_detach_ms);
    let healthy_delay_ms = duration(cx, "healthyDelay", defaults.healthy_delay_ms);
    // ECS's floor (3, or 10 in the 2023 guide) and its ceiling of 200 (ECS.md §4.5, A7).
    let circuit_breaker_min_threshold = opt(
        cx,
        fields,
        "circuitBreakerMinThreshold",
        |cx, node, field| cx.u32(node, field, 1, 200),
    )
    .unwrap_or(Some(defaults.circuit_breaker_min_threshold));
    let throttle_base_ms = positive(cx, "throttleBase", defaults.throttle_base_ms);
    let throttle_max_ms = duration(cx, "throttleMax", defaults.throttle_max_ms);
    let elb_initial_healthy_checks =
        opt(cx, fields, "elbInitialHealthyChecks", |cx, node, field| {
            cx.u32(node, field, 1, 10)
        })
        .unwrap_or(Some(defaults.elb_initial_healthy_checks));
    let spot_notice_ms = duration(cx, "spotNoticeTime", defaults.spot_notice_ms);
    let managed_draining_timeout_ms = positive(
        cx,
        "managedDrainingTimeout",
        defaults.managed_draining_timeout_ms,
    );
    let start_time_unix_s =
        opt(cx, fields, "startTime", start_time).unwrap_or(Some(defaults.start_time_unix_s));
    // Capacity providers (ECS.md §5.5, §9, A12).
    let max_provisioning_tasks = opt(cx, fields, "maxProvisioningTasks", |cx, node, field| {
        cx.u32(node, field, 1, 1_000_000)
    })
    .unwrap_or(Some(defaults.max_provisioning_tasks));
    let managed_scaling_scale_in_datapoints = opt(
        cx,
        fields,
        "managedScalingScaleInDatapoints",
        |cx, node, field| cx.u32(node, field, 1, 1_440),
    )
    .unwrap_or(Some(defaults.managed_scaling_scale_in_datapoints));
    let managed_scaling_interval_ms = positive(
        cx,
        "managedScalingInterval",
        defaults.managed_scaling_interval_ms,
    );
    let managed_scaling_from_zero = opt(cx, fields, "managedScalingFromZero", |cx, node, field| {
        cx.u32(node, field, 0, 10_000)
    })
    .unwrap_or(Some(defaults.managed_scaling_from_zero));
    let capacity_provider_waits_without_scaling =
        opt(cx, fields, "capacityProviderWaitsWithoutScaling", Cx::bool)
            .unwrap_or(Some(defaults.capacity_provider_waits_without_scaling));
    let (throttle_base_ms, throttle_max_ms) = (throttle_base_ms?, throttle_max_ms?);
    if throttle_max_ms < throttle_base_ms {
        // At throttleMax when it is given, else at the throttleBase that passed the default.
        match (fields.get("throttleMax"), fields.get("throttleBase")) {
            (Some(node), _) => cx.invalid(
                node,
                &fields.path_of("throttleMax"),
                &format!(
                    "a duration >= throttleBase ({})",
                    duration_text(throttle_base_ms)
                ),
            ),
            (None, Some(node)) => cx.invalid(
                node,
                &fields.path_of("throttleBase"),
                &format!(
                    "a duration <= throttleMax ({}, the default)",
                    duration_text(throttle_max_ms)
                ),
            ),
            (None, None) => {}
        }
        return None;
    }
    Some(Parameters {
        eni_detach_ms: eni_detach_ms?,
        healthy_delay_ms: healthy_delay_ms?,
        circuit_breaker_min_threshold: circuit_breaker_min_threshold?,
        throttle_base_ms,
        throttle_max_ms,
        elb_initial_healthy_checks: elb_initial_healthy_checks?,
        spot_notice_ms: spot_notice_ms?,
        managed_draining_timeout_ms: managed_draining_timeout_ms?,
        start_time_unix_s: start_time_unix_s?,
        max_provisioning_tasks: max_provisioning_tasks?,
        managed_scaling_scale_in_datapoints: managed_scaling_scale_in_datapoints?,
        managed_scaling_interval_ms: managed_scaling_interval_ms?,
        managed_scaling_from_zero: managed_scaling_from_zero?,
        capacity_provider_waits_without_scaling: capacity_provider_waits_without_scaling?,
        ..defaults.clone()
    })
}

/// `startTime`: the calendar instant of simulated time zero, an RFC 3339 UTC timestamp
/// (`2026-01-01T00:00:00Z`), for `cron(...)` schedules; the parser's message says what is
/// wrong.
fn start_time(cx: &mut Cx, node: &Node, field: &str) -> Option<i64> {
    let Value::Scalar { text, .. } = &node.value else {
        cx.invalid(node, field, "a UTC time as YYYY-MM-DDTHH:MM:SSZ");
        return None;
    };
    match cluster::cron::parse_utc_timestamp(text) {
        Ok(unix_s) => Some(unix_s),
        Err(message) => {
            cx.rule(&node.loc, field, message);
            None
        }
    }
}

/// `[first, last]` with 1024 <= first <= last <= 65535.
fn port_range(cx: &mut Cx, node: &Node, field: &str) -> Option<(u16, u16)> {
    let expected = "[first, last] with 1024 <= first <= last <= 65535";
    let items = match &node.value {
        Value::Seq(items) if items.len() == 2 => items,
        _ => {
            cx.invalid(node, field, expected);
            return None;
        }
    };
    let first = cx.u32(&items[0], &index_path(field, 0), 1024, 65_535)?;
    let last = cx.u32(&items[1], &index_path(field, 1), 1024, 65_535)?;
    if first > last {
        cx.invalid(node, field, expected);
        return None;
    }
    Some((first as u16, last as u16))
}

/// The cluster, with the names faults may refer to.
pub(crate) struct ClusterNames {
    pub spec: Option<ClusterSpec>,
    pub zones: Vec<String>,
    pub auto_scaling_groups: Vec<String>,
    pub instance_types: Vec<String>,
    pub instance_ids: Vec<String>,
    /// `cluster.region` (`None` when invalid), and the price of each Auto Scaling group
    /// and each fixed instance (expanded), in order (`pricing.rs`).
    pub region: Option<String>,
    pub asg_prices: Vec<Option<Price>>,
    pub instance_prices: Vec<Option<Price>>,
}

fn cluster(cx: &mut Cx, node: &Node, overhead_per_mille: u32, limits: &Quotas) -> ClusterNames {
    let mut names = ClusterNames {
        spec: None,
        zones: Vec::new(),
        auto_scaling_groups: Vec::new(),
        instance_types: Vec::new(),
        instance_ids: Vec::new(),
        region: None,
        asg_prices: Vec::new(),
        instance_prices: Vec::new(),
    };
    let Some(fields) = cx.fields(node, "cluster") else {
        return names;
    };
    fields.finish(
        cx,
        &[
            "name",
            "availabilityZones",
            "instanceTypes",
            "autoScalingGroups",
            "instances",
            "capacityProviders",
            "region",
            "defaultCapacityProviderStrategy",
        ],
        &[],
    );
    let name = opt(cx, &fields, "name", Cx::name).unwrap_or(Some("default".to_string()));
    names.region = pricing::region(cx, &fields);
    let zones_ok = zones(cx, &fields, &mut names.zones);
    let custom = fields
        .get("instanceTypes")
        .map_or_else(Vec::new, |node| instance_types(cx, node));
    let mut ok = name.is_some() && zones_ok;
    // Instances asked for so far, and the field that first took the total over the quota.
    let quota = u64::from(limits.container_instances_per_cluster);
    let mut n_instances: u64 = 0;
    let mut over_quota: Option<(Loc, String)> = None;
    let mut count_towards_quota = |n_instances: &mut u64, added: u64, at: &Node, field: String| {
        *n_instances += added;
        if *n_instances > quota && over_quota.is_none() {
            over_quota = Some((at.loc.clone(), field));
        }
    };
    let mut auto_scaling_groups = Vec::new();
    // Whether each group gave its maxSize (else it defaults once its provider is known).
    let mut max_given: Vec<bool> = Vec::new();
    let mut asg_locs: Vec<Loc> = Vec::new();
    if let Some(node) = fields.get("autoScalingGroups") {
        for (idx, item) in cx
            .seq(node, "cluster.autoScalingGroups")
            .unwrap_or_default()
            .iter()
            .enumerate()
        {
            let path = index_path("cluster.autoScalingGroups", idx);
            match auto_scaling_group(cx, item, &path, &custom, overhead_per_mille, &mut names) {
                Some(group) => {
                    let at = item.get("desiredCapacity").unwrap_or(item);
                    let field = format!("{path}.desiredCapacity");
                    let added = u64::from(group.desired_capacity);
                    count_towards_quota(&mut n_instances, added, at, field);
                    max_given.push(item.get("maxSize").is_some());
                    asg_locs.push(at.loc.clone());
                    auto_scaling_groups.push(group);
                }
                None => ok = false,
            }
        }
    }
    let mut instances = Vec::new();
    if let Some(node) = fields.get("instances") {
        for (idx, item) in cx
            .seq(node, "cluster.instances")
            .unwrap_or_default()
            .iter()
            .enumerate()
        {
            let path = index_path("cluster.instances", idx);
            let room = quota.saturating_sub(n_instances);
            let entry = FixedInstances {
                custom: &custom,
                overhead_per_mille,
                room,
            };
            match fixed_instances(cx, item, &path, &entry, &mut names, &mut instances) {
                Some(count) => {
                    let at = item.get("count").unwrap_or(item);
                    let field = match item.get("count") {
                        Some(_) => format!("{path}.count"),
                        None => path,
                    };
                    count_towards_quota(&mut n_instances, count, at, field);
                }
                None => ok = false,
            }
        }
    }
    let (providers, provider_names) = match fields.get("capacityProviders") {
        None => (Some(Vec::new()), Vec::new()),
        Some(node) => {
            crate::capacity_providers::capacity_providers(cx, node, &names.auto_scaling_groups)
        }
    };
    let providers = match providers {
        Some(providers) if auto_scaling_groups.len() == names.auto_scaling_groups.len() => {
            providers
        }
        Some(_) => Vec::new(),
        None => {
            ok = false;
            Vec::new()
        }
    };
    for provider in &providers {
        let group = &mut auto_scaling_groups[provider.spec.auto_scaling_group.index()];
        // ECS managed draining is the capacity provider's setting (ENABLED by default).
        group.managed_draining |= provider.managed_draining;
    }
    // maxSize defaults to the container-instance quota (the most the cluster may hold), so
    // managed scaling and setDesiredCapacity are bounded by the cluster alone unless the
    // scenario says otherwise. The desired capacity lies within.
    for (index, group) in auto_scaling_groups.iter_mut().enumerate() {
        if !max_given[index] {
            group.max_size = limits
                .container_instances_per_cluster
                .max(group.desired_capacity)
                .max(group.min_size);
        }
        if group.min_size > group.max_size
            || !(group.min_size..=group.max_size).contains(&group.desired_capacity)
        {
            let path = index_path("cluster.autoScalingGroups", index);
            cx.rule(
                &asg_locs[index],
                &format!("{path}.desiredCapacity"),
                format!(
                    "desiredCapacity {} must lie between minSize {} and maxSize {}",
                    group.desired_capacity, group.min_size, group.max_size
                ),
            );
            ok = false;
        }
    }
    cx.capacity_providers.names = provider_names;
    let default_strategy = match fields.get("defaultCapacityProviderStrategy") {
        None => Some(Vec::new()),
        Some(node) => {
            crate::capacity_providers::strategy(cx, node, "cluster.defaultCapacityProviderStrategy")
        }
    };
    match default_strategy {
        Some(strategy) => cx.capacity_providers.default_strategy = strategy,
        None => ok = false,
    }
    if let Some((loc, field)) = over_quota {
        let message = format!(
            "the cluster would have {n_instances} container instances, which {}",
            CONTAINER_INSTANCES.exceeded(limits.container_instances_per_cluster)
        );
        cx.rule(&loc, &field, message);
        ok = false;
    }
    if ok {
        names.spec = Some(ClusterSpec {
            name: name.unwrap_or_default(),
            availability_zones: names.zones.clone(),
            auto_scaling_groups,
            instances,
            capacity_providers: providers.into_iter().map(|p| p.spec).collect(),
            default_capacity_provider_strategy: cx.capacity_providers.default_strategy.clone(),
        });
    }
    names
}

/// `availabilityZones`: non-empty, distinct names. Returns whether they are valid; the
/// readable names go to `zones` either way, so references to them still resolve.
fn zones(cx: &mut Cx, fields: &Fields<'_>, zones: &mut Vec<String>) -> bool {
    let Some(node) = fields.required(cx, "availabilityZones", "a non-empty list of zone names")
    else {
        return false;
    };
    let Some(items) = cx.seq(node, "cluster.availabilityZones") else {
        return false;
    };
    let mut ok = true;
    if items.is_empty() {
        cx.invalid(
            node,
            "cluster.availabilityZones",
            "a non-empty list of zone names",
        );
        ok = false;
    }
    for (idx, item) in items.iter().enumerate() {
        let path = index_path("cluster.availabilityZones", idx);
        match cx.name(item, &path) {
            Some(zone) if zones.contains(&zone) => {
                cx.rule(&item.loc, &path, format!("zone {zone:?} is listed twice"));
                ok = false;
            }
            Some(zone) => zones.push(zone),
            None => ok = false,
        }
    }
    ok
}

/// Resolves a zone name to its id.
pub(crate) fn zone_id(cx: &mut Cx, node: &Node, field: &str, zones: &[String]) -> Option<ZoneId> {
    let name = cx.name(node, field)?;
    match zones.iter().position(|zone| *zone == name) {
        Some(idx) => Some(ZoneId(idx as u16)),
        None => {
            cx.unknown_name(
                node,
                field,
                "availability zone",
                &name,
                zones.iter().map(String::as_str),
            );
            None
        }
    }
}

/// `cluster.instanceTypes`: registered values, no overhead applied.
fn instance_types(cx: &mut Cx, node: &Node) -> Vec<InstanceType> {
    let mut types: Vec<InstanceType> = Vec::new();
    for (idx, item) in cx
        .seq(node, "cluster.instanceTypes")
        .unwrap_or_default()
        .iter()
        .enumerate()
    {
        let path = index_path("cluster.instanceTypes", idx);
        let Some(fields) = cx.fields(item, &path) else {
            continue;
        };
        fields.finish(
            cx,
            &["name", "cpu", "memory", "enis", "cpuArchitecture"],
            &[],
        );
        let name = fields
            .required(cx, "name", "a type name")
            .and_then(|node| cx.name(node, &fields.path_of("name")));
        let cpu_units = fields
            .required(cx, "cpu", "registered CPU units (1024 per vCPU)")
            .and_then(|node| cx.u32(node, &fields.path_of("cpu"), 1, 4_194_304));
        let memory_mib = fields
            .required(cx, "memory", "registered memory in MiB")
            .and_then(|node| cx.u32(node, &fields.path_of("memory"), 1, u32::MAX - 1));
        let enis = fields
            .required(cx, "enis", "the number of elastic network interfaces")
            .and_then(|node| cx.u32(node, &fields.path_of("enis"), 1, 100));
        let cpu_architecture = opt(cx, &fields, "cpuArchitecture", |cx, node, field| {
            cx.choice(node, field, &["x86_64", "arm64"])
                .map(|idx| ["x86_64", "arm64"][idx].to_string())
        })
        .unwrap_or(Some("x86_64".to_string()));
        if let Some(name) = &name {
            if types.iter().any(|known| known.name == *name) {
                cx.rule(
                    &item.loc,
                    &fields.path_of("name"),
                    format!("instance type {name:?} is defined twice"),
                );
                continue;
            }
        }
        if let (Some(name), Some(cpu_units), Some(memory_mib), Some(enis), Some(cpu_architecture)) =
            (name, cpu_units, memory_mib, enis, cpu_architecture)
        {
            types.push(InstanceType {
                name,
                cpu_units,
                memory_mib,
                enis,
                cpu_architecture,
            });
        }
    }
    types
}

/// The entry's required `instanceType`, noted among the names the cluster uses.
fn required_instance_type(
    cx: &mut Cx,
    fields: &Fields<'_>,
    custom: &[InstanceType],
    overhead_per_mille: u32,
    names: &mut ClusterNames,
) -> Option<InstanceType> {
    let node = fields.required(cx, "instanceType", "an instance type name")?;
    let found = instance_type(
        cx,
        node,
        &fields.path_of("instanceType"),
        custom,
        overhead_per_mille,
    )?;
    names.instance_types.push(found.name.clone());
    Some(found)
}

/// A custom type of that name, else the catalogue's.
fn instance_type(
    cx: &mut Cx,
    node: &Node,
    field: &str,
    custom: &[InstanceType],
    overhead_per_mille: u32,
) -> Option<InstanceType> {
    let name = cx.name(node, field)?;
    if let Some(found) = custom.iter().find(|known| known.name == name) {
        return Some(found.clone());
    }
    if let Some(found) = catalogue::lookup(&name, overhead_per_mille) {
        return Some(found);
    }
    let known: Vec<String> = custom
        .iter()
        .map(|known| known.name.clone())
        .chain(catalogue::entries().map(|entry| entry.name.to_string()))
        .collect();
    cx.unknown_name(
        node,
        field,
        "instance type",
        &name,
        known.iter().map(String::as_str),
    );
    None
}

/// Custom attributes: names of 1-128 of `[A-Za-z0-9-_/.]`, values of 1-128 characters.
fn attributes(cx: &mut Cx, fields: &Fields<'_>) -> Option<BTreeMap<String, String>> {
    let mut attributes = BTreeMap::new();
    let Some(node) = fields.get("attributes") else {
        return Some(attributes);
    };
    let path = fields.path_of("attributes");
    let Some(entries) = node.entries() else {
        cx.invalid(node, &path, "a mapping of attribute names to values");
        return None;
    };
    let mut ok = true;
    for entry in entries {
        let field = format!("{path}.{}", entry.key);
        let name_ok = (1..=128).contains(&entry.key.len())
            && entry
                .key
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_/.".contains(&b));
        if !name_ok {
            cx.rule(
                &entry.key_loc,
                &field,
                "attribute names are 1 to 128 letters, digits, -, _, / or .".to_string(),
            );
            ok = false;
            continue;
        }
        match &entry.value.value {
            Value::Scalar { text, .. } if (1..=128).contains(&text.chars().count()) => {
                attributes.insert(entry.key.clone(), text.clone());
            }
            _ => {
                cx.invalid(&entry.value, &field, "a value of 1 to 128 characters");
                ok = false;
            }
        }
    }
    ok.then_some(attributes)
}

fn auto_scaling_group(
    cx: &mut Cx,
    node: &Node,
    path: &str,
    custom: &[InstanceType],
    overhead_per_mille: u32,
    names: &mut ClusterNames,
) -> Option<AutoScalingGroupSpec> {
    let fields = cx.fields(node, path)?;
    fields.finish(
        cx,
        &[
            "name",
            "instanceType",
            "desiredCapacity",
            "availabilityZones",
            "replacementDelay",
            "attributes",
            "suspendedProcesses",
            "spotInstanceDraining",
            "managedDraining",
            "reservedPorts",
            "pricing",
            "minSize",
            "maxSize",
        ],
        &[],
    );
    let name = fields
        .required(cx, "name", "a group name")
        .and_then(|node| cx.name(node, &fields.path_of("name")));
    if let Some(name) = &name {
        if names.auto_scaling_groups.contains(name) {
            cx.rule(
                &node.loc,
                &fields.path_of("name"),
                format!("Auto Scaling group {name:?} is defined twice"),
            );
        } else {
            names.auto_scaling_groups.push(name.clone());
        }
    }
    let instance_type = required_instance_type(cx, &fields, custom, overhead_per_mille, names);
    let price = pricing::price(cx, &fields, names.region.as_deref(), instance_type.as_ref());
    names.asg_prices.push(price.flatten());
    // Bounded by the container-instance quota, which the cluster checks over all groups.
    let desired_capacity = fields
        .required(cx, "desiredCapacity", "a whole number >= 0")
        .and_then(|node| cx.u32(node, &fields.path_of("desiredCapacity"), 0, u32::MAX));
    let availability_zones = match fields.get("availabilityZones") {
        None => Some(
            (0..names.zones.len())
                .map(|idx| ZoneId(idx as u16))
                .collect(),
        ),
        Some(zones_node) => {
            let field = fields.path_of("availabilityZones");
            let items = cx.seq(zones_node, &field).unwrap_or_default();
            if items.is_empty() {
                cx.invalid(zones_node, &field, "a non-empty list of cluster zones");
            }
            let ids: Vec<Option<ZoneId>> = items
                .iter()
                .enumerate()
                .map(|(idx, item)| zone_id(cx, item, &index_path(&field, idx), &names.zones))
                .collect();
            ids.into_iter()
                .collect::<Option<Vec<_>>>()
                .filter(|ids| !ids.is_empty())
        }
    };
    let replacement_delay_ms =
        // Positive: a launch always takes time, and an instance that fails on registration
        // must not be replaced and lost again within the same millisecond forever.
        opt(cx, &fields, "replacementDelay", Cx::positive_duration_ms).unwrap_or(Some(300_000));
    let attributes = attributes(cx, &fields);
    let suspended_processes = opt(cx, &fields, "suspendedProcesses", suspended_processes)
        .unwrap_or(Some(SuspendedProcesses::default()));
    let spot_instance_draining =
        opt(cx, &fields, "spotInstanceDraining", Cx::bool).unwrap_or(Some(false));
    let managed_draining = opt(cx, &fields, "managedDraining", Cx::bool).unwrap_or(Some(false));
    let reserved_ports = reserved_ports(cx, &fields);
    let size = |cx: &mut Cx, key: &str| {
        opt(cx, &fields, key, |cx, node, field| {
            cx.u32(node, field, 0, u32::MAX)
        })
    };
    let min_size = size(cx, "minSize").unwrap_or(Some(0));
    // Defaulted by the cluster once it knows the group's capacity provider.
    let max_size = size(cx, "maxSize").unwrap_or(Some(u32::MAX));
    price?;
    Some(AutoScalingGroupSpec {
        min_size: min_size?,
        max_size: max_size?,
        name: name?,
        instance_type: instance_type?,
        desired_capacity: desired_capacity?,
        availability_zones: availability_zones?,
        replacement_delay_ms: replacement_delay_ms?,
        attributes: attributes?,
        suspended_processes: suspended_processes?,
        spot_instance_draining: spot_instance_draining?,
        managed_draining: managed_draining?,
        reserved_ports: reserved_ports?,
    })
}

/// EC2 Auto Scaling's process names (`SuspendProcesses`); the first four change what the
/// simulator does, the others govern nothing it models and are accepted and ignored.
pub(crate) const PROCESSES: &[&str] = &[
    "Launch",
    "Terminate",
    "AZRebalance",
    "ReplaceUnhealthy",
    "HealthCheck",
    "AlarmNotification",
    "ScheduledActions",
    "AddToLoadBalancer",
    "InstanceRefresh",
    "RemoveFromLoadBalancerLowPriority",
];

/// `suspendedProcesses: [Launch, AZRebalance]`.
fn suspended_processes(cx: &mut Cx, node: &Node, field: &str) -> Option<SuspendedProcesses> {
    let mut suspended = SuspendedProcesses::default();
    let mut ok = true;
    for (idx, item) in cx.seq(node, field)?.iter().enumerate() {
        match cx.choice(item, &index_path(field, idx), PROCESSES) {
            Some(0) => suspended.launch = true,
            Some(1) => suspended.terminate = true,
            Some(2) => suspended.az_rebalance = true,
            Some(3) => suspended.replace_unhealthy = true,
            Some(_) => {}
            None => ok = false,
        }
    }
    ok.then_some(suspended)
}

/// `reservedPorts`: the agent's `ECS_RESERVED_PORTS`, which replaces the default list
/// (22, 2375, 2376, 51678, 51679; ECS.md §2.4, §9): at most 100 distinct TCP ports.
fn reserved_ports(cx: &mut Cx, fields: &Fields<'_>) -> Option<Vec<u16>> {
    let Some(node) = fields.get("reservedPorts") else {
        return Some(cluster::instance::RESERVED_PORTS.to_vec());
    };
    let field = fields.path_of("reservedPorts");
    let items = cx.seq(node, &field)?;
    if items.len() > cluster::instance::MAX_RESERVED_PORTS {
        cx.invalid(
            node,
            &field,
            &format!("at most {} ports", cluster::instance::MAX_RESERVED_PORTS),
        );
        return None;
    }
    let mut ports: Vec<u16> = Vec::new();
    let mut ok = true;
    for (idx, item) in items.iter().enumerate() {
        let path = index_path(&field, idx);
        match cx.u32(item, &path, 1, 65_535) {
            Some(port) if ports.contains(&(port as u16)) => {
                cx.rule(&item.loc, &path, format!("port {port} is listed twice"));
                ok = false;
            }
            Some(port) => ports.push(port as u16),
            None => ok = false,
        }
    }
    ok.then_some(ports)
}

/// What reading one `instances` entry needs besides the entry.
struct FixedInstances<'a> {
    custom: &'a [InstanceType],
    overhead_per_mille: u32,
    /// How many more instances the quota allows: a larger `count` is not expanded (the
    /// caller reports the quota).
    room: u64,
}

/// One `instances` entry, expanded by `count` into `instances` when it fits the quota's
/// `room`. Returns its `count`, or `None` when it is invalid.
fn fixed_instances(
    cx: &mut Cx,
    node: &Node,
    path: &str,
    entry: &FixedInstances<'_>,
    names: &mut ClusterNames,
    instances: &mut Vec<FixedInstanceSpec>,
) -> Option<u64> {
    let fields = cx.fields(node, path)?;
    fields.finish(
        cx,
        &[
            "instanceId",
            "instanceType",
            "availabilityZone",
            "count",
            "attributes",
            "reservedPorts",
            "pricing",
        ],
        &[],
    );
    let instance_id = opt(cx, &fields, "instanceId", Cx::name);
    if let Some(Some(id)) = &instance_id {
        if names.instance_ids.contains(id) {
            cx.rule(
                &node.loc,
                &fields.path_of("instanceId"),
                format!("instance id {id:?} is used twice"),
            );
        } else {
            names.instance_ids.push(id.clone());
        }
    }
    // With an instanceId the entry is one instance: `count: 1` says so (the contract's own
    // example writes it), anything more is refused.
    let count = match fields.get("count") {
        None => Some(1),
        // Bounded by the container-instance quota, which the cluster checks.
        Some(count_node) => cx
            .u32(count_node, &fields.path_of("count"), 1, u32::MAX)
            .filter(|&count| {
                let fine = count == 1 || instance_id.is_none();
                if !fine {
                    cx.rule(
                        &count_node.loc,
                        &fields.path_of("count"),
                        "count other than 1 is only allowed without instanceId".to_string(),
                    );
                }
                fine
            }),
    };
    let instance_type =
        required_instance_type(cx, &fields, entry.custom, entry.overhead_per_mille, names);
    let price = pricing::price(cx, &fields, names.region.as_deref(), instance_type.as_ref());
    let zone = fields
        .required(
            cx,
            "availabilityZone",
            "a zone of cluster.availabilityZones",
        )
        .and_then(|node| zone_id(cx, node, &fields.path_of("availabilityZone"), &names.zones));
    let attributes = attributes(cx, &fields);
    let reserved_ports = reserved_ports(cx, &fields);
    let (
        Some(instance_id),
        Some(count),
        Some(instance_type),
        Some(availability_zone),
        Some(attributes),
        Some(reserved_ports),
        Some(price),
    ) = (
        instance_id.unwrap_or(Some(String::new())),
        count,
        instance_type,
        zone,
        attributes,
        reserved_ports,
        price,
    )
    else {
        return None;
    };
    if u64::from(count) > entry.room {
        return Some(u64::from(count));
    }
    for _ in 0..count {
        names.instance_prices.push(price);
        instances.push(FixedInstanceSpec {
            instance_id: (!instance_id.is_empty()).then(|| instance_id.clone()),
            instance_type: instance_type.clone(),
            availability_zone,
            attributes: attributes.clone(),
            reserved_ports: reserved_ports.clone(),
        });
    }
    Some(u64::from(count))
}
