//! A JSON Schema (draft 2020-12) of the scenario format, for YAML editors: every key the
//! validator accepts, `additionalProperties: false` where it rejects unknown keys, and the
//! AWS JSON keys it accepts and ignores. The validator stays the source of truth: the lists
//! of ignored keys, process names and action kinds are the validator's own, its lists of
//! accepted keys are checked against the schema's objects below, and a test checks every
//! scenario of `scenarios/` against this schema.

use serde_json::{json, Map, Value};

use crate::actions::ACTION_KINDS;
use crate::outputs::Output;
use crate::service::{RUN_TASK_IGNORED, SERVICE_IGNORED};
use crate::task_definition::{CONTAINER_IGNORED, TASK_DEFINITION_IGNORED};
use crate::validate::PROCESSES;

const DURATION: &str = "A duration: 250ms, 90s, 5m, 1h30m, 7d, or a plain number of seconds, \
     in whole milliseconds.";
const DISTRIBUTION: &str = "A distribution of durations: a duration (fixed), or one of \
     {fixed: 30s}, {exponential: {mean: 10m}}, {uniform: {min: 1m, max: 5m}}, \
     {lognormal: {median: 5m, sigma: 0.5}}, {weibull: {scale: 30d, shape: 1.5}}; each task \
     draws its own value.";
const IGNORED: &str =
    "A field of AWS's own JSON: accepted and ignored (it changes nothing ecsim models).";

/// The JSON Schema of a scenario file, as a `serde_json::Value`.
pub fn json_schema() -> Value {
    let mut schema = object(
        "An ecsim scenario: a cluster, its workload, and what happens to it. \
         Every field is described in docs/scenario-reference.md and the README.",
        vec![
            ("name", string("The scenario's name (default: the file's stem); names the output folder.")),
            ("description", string("A line printed with the results.")),
            ("seed", integer("The master seed (default 1); `--seed` overrides it.", 0, u64::MAX)),
            ("duration", duration("How long the run lasts (required, > 0).")),
            ("parameters", parameters()),
            ("cluster", cluster()),
            ("taskDefinitions", array("Task definitions in ECS's shape, plus `simulation` (how the workload behaves).", task_definition())),
            ("services", array("Services that keep their desired count of tasks.", service())),
            ("targetGroups", array("Elastic Load Balancing target groups services register their tasks with.", target_group())),
            ("runTasks", array("RunTask calls: once, periodic, or random arrivals.", run_task())),
            ("scheduledTasks", array("RunTask calls on an EventBridge schedule.", scheduled_task())),
            ("actions", array("Control-plane calls at given times: each entry has `at` and exactly one kind.", action())),
            ("faults", array("Scripted (`at`) or random (`mtbf`, `distribution`) failures.", fault())),
            ("outputs", outputs()),
            ("requirements", array(
                "What a run must achieve: `SERVICE.FIGURE OP NUMBER`, e.g. `web.availability >= 0.999`; exit code 3 when one fails.",
                string("SERVICE.FIGURE OP NUMBER, OP one of >=, >, <=, <, =="),
            )),
            ("metrics", object(
                "The measured window of the run's figures.",
                vec![("warmup", duration("Figures are measured from here to the end (default 0s); shorter than `duration`."))],
                &[],
                &[],
            )),
        ],
        &["duration", "cluster"],
        &[],
    );
    let map = schema.as_object_mut().expect("an object");
    map.insert(
        "$schema".into(),
        json!("https://json-schema.org/draft/2020-12/schema"),
    );
    map.insert(
        "$id".into(),
        json!("https://ecsim.invalid/scenario.schema.json"),
    );
    map.insert("title".into(), json!("ecsim scenario"));
    schema
}

/// An object with these properties, these required, and these AWS keys accepted and
/// ignored; any other key is an error, as in `validate`.
fn object(
    description: &str,
    properties: Vec<(&str, Value)>,
    required: &[&str],
    ignored: &[&str],
) -> Value {
    let mut props = Map::new();
    for (key, value) in properties {
        props.insert(key.to_string(), value);
    }
    for key in ignored {
        props.insert(key.to_string(), json!({ "description": IGNORED }));
    }
    let mut schema = json!({
        "type": "object",
        "description": description,
        "properties": props,
        "additionalProperties": false,
    });
    if !required.is_empty() {
        schema["required"] = json!(required);
    }
    schema
}

fn string(description: &str) -> Value {
    json!({ "type": "string", "description": description })
}

fn boolean(description: &str) -> Value {
    json!({ "type": "boolean", "description": description })
}

fn integer(description: &str, minimum: u64, maximum: u64) -> Value {
    json!({ "type": "integer", "description": description, "minimum": minimum, "maximum": maximum })
}

fn choice(description: &str, values: &[&str]) -> Value {
    json!({ "type": "string", "description": description, "enum": values })
}

fn array(description: &str, items: Value) -> Value {
    json!({ "type": "array", "description": description, "items": items })
}

fn duration(description: &str) -> Value {
    json!({
        "description": format!("{description} {DURATION}"),
        "anyOf": [
            { "type": "string", "examples": ["250ms", "90s", "5m", "1h30m", "7d"] },
            { "type": "number", "minimum": 0 },
        ],
    })
}

fn distribution(description: &str) -> Value {
    let one = |kind: &str, params: Value| {
        object(
            &format!("A {kind} distribution."),
            vec![(kind, params)],
            &[kind],
            &[],
        )
    };
    let positive = || duration("> 0.");
    json!({
        "description": format!("{description} {DISTRIBUTION}"),
        "oneOf": [
            duration("Fixed."),
            one("fixed", duration("Every task draws this value.")),
            one("exponential", object("", vec![("mean", positive())], &["mean"], &[])),
            one("uniform", object("", vec![("min", duration("")), ("max", duration(">= min."))], &["min", "max"], &[])),
            one("lognormal", object("", vec![
                ("median", positive()),
                ("sigma", json!({ "type": "number", "minimum": 0 })),
            ], &["median", "sigma"], &[])),
            one("weibull", object("", vec![
                ("scale", positive()),
                ("shape", json!({ "type": "number", "exclusiveMinimum": 0 })),
            ], &["scale", "shape"], &[])),
        ],
    })
}

fn parameters() -> Value {
    let quota = |what: &str| integer(&format!("{what} (default 5000)."), 1, 10_000_000);
    object(
        "Behaviours ECS leaves open; docs/lifecycle.md says why each default.",
        vec![
            ("schedulerInterval", duration("Service scheduler reaction time and retry interval (default 10s, > 0).")),
            ("stopTimeout", duration("SIGTERM to SIGKILL when a container sets none (default 30s).")),
            ("eniAttachTime", duration("PROVISIONING of awsvpc tasks (default 5s).")),
            ("eniDetachTime", duration("DEPROVISIONING of awsvpc tasks (default 0s: skipped).")),
            ("tieBreak", choice("The last tie-break of placement: uniform among the candidates left, or the lowest instance id (default random).", &["random", "stable"])),
            ("maxPercentCountsStopping", boolean("Whether STOPPING tasks count against maximumPercent (default true).")),
            ("dynamicHostPortRange", json!({
                "type": "array",
                "description": "[first, last] dynamic host ports (default [49153, 65535]); 1024 <= first <= last <= 65535.",
                "items": { "type": "integer", "minimum": 1024, "maximum": 65535 },
            })),
            ("memoryOverheadPercent", json!({
                "type": "number",
                "description": "Registered memory is installed memory less this percentage (default 2.5), 0 to 50, at most one decimal.",
                "minimum": 0,
                "maximum": 50,
            })),
            ("quotas", object(
                "ECS's service quotas; raise them up to 10,000,000.",
                vec![
                    ("containerInstancesPerCluster", quota("Container instances per cluster")),
                    ("tasksPerService", quota("Tasks per service; bounds each desiredCount")),
                    ("servicesPerCluster", quota("Services per cluster")),
                ],
                &[],
                &[],
            )),
            ("healthyDelay", duration("A task without health checks counts as healthy this long after RUNNING (default 40s).")),
            ("circuitBreakerMinThreshold", integer("The circuit breaker's smallest failure threshold (default 3).", 1, 200)),
            ("throttleBase", duration("First wait of the start throttle (default 10s, > 0).")),
            ("throttleMax", duration("Longest wait of the start throttle (default 15m, >= throttleBase).")),
            ("elbInitialHealthyChecks", integer("Passed checks before a new target is healthy (default 1).", 1, 10)),
            ("spotNoticeTime", duration("Notice of a Spot interruption (default 2m).")),
            ("managedDrainingTimeout", duration("How long managed draining waits before terminating anyway (default 48h, > 0).")),
            ("startTime", string("The UTC calendar time of the run's start, YYYY-MM-DDTHH:MM:SSZ (default 2026-01-01T00:00:00Z), for cron schedules.")),
            ("maxProvisioningTasks", integer("Capacity-provider tasks that may wait in PROVISIONING at once (default 300).", 1, 1_000_000)),
            ("managedScalingScaleInDatapoints", integer("Managed scaling: datapoints in a row below targetCapacity before scale-in (default 15).", 1, 1_440)),
            ("managedScalingInterval", duration("Managed scaling: how often CapacityProviderReservation is published (default 1m, > 0).")),
            ("managedScalingFromZero", integer("Managed scaling: instances asked for when the group has none and tasks need some (default 2; 0 = as computed).", 0, 10_000)),
            ("capacityProviderWaitsWithoutScaling", boolean("A capacity provider's task waits in PROVISIONING even when its provider cannot grow (default true); false: it fails to be placed then.")),
        ],
        &[],
        &[],
    )
}

fn attributes() -> Value {
    json!({
        "type": "object",
        "description": "Custom attributes for memberOf and spread: names of 1-128 of [A-Za-z0-9-_/.], values of 1-128 characters.",
        "additionalProperties": { "type": ["string", "number", "boolean"] },
    })
}

fn reserved_ports() -> Value {
    json!({
        "type": "array",
        "description": "The agent's ECS_RESERVED_PORTS, replacing the default [22, 2375, 2376, 51678, 51679]: at most 100 distinct TCP ports.",
        "items": { "type": "integer", "minimum": 1, "maximum": 65535 },
    })
}

/// `pricing` of an Auto Scaling group or fixed instances (`pricing.rs`).
fn pricing() -> Value {
    let usd = |description: &str| json!({ "type": "number", "description": description, "exclusiveMinimum": 0 });
    object(
        "What an instance costs per hour (default: On-Demand at the built-in table's price for the region and type). One of onDemandUsdPerHour or spot.",
        vec![
            ("onDemandUsdPerHour", usd("On-Demand at this price, US dollars per instance-hour.")),
            ("spot", object(
                "Spot: one of usdPerHour or discount.",
                vec![
                    ("usdPerHour", usd("The Spot price, US dollars per instance-hour.")),
                    ("discount", json!({ "type": "number", "description": "A fraction off the table's On-Demand price (0.7: pay 30 %).", "minimum": 0, "exclusiveMaximum": 1 })),
                ],
                &[],
                &[],
            )),
        ],
        &[],
        &[],
    )
}

fn cluster() -> Value {
    object(
        "Container instances in Availability Zones: Auto Scaling groups and fixed instances.",
        vec![
            ("name", string("The cluster's name (default `default`).")),
            ("region", choice("The AWS region whose On-Demand prices apply (default us-east-1).", &crate::pricing::regions())),
            ("availabilityZones", array("A non-empty list of distinct zone names.", string("A zone name, e.g. us-west-2a."))),
            ("instanceTypes", array("Custom instance types.", object(
                "A custom instance type: what it registers.",
                vec![
                    ("name", string("The type's name.")),
                    ("cpu", integer("Registered CPU units (1024 per vCPU).", 1, 4_194_304)),
                    ("memory", integer("Registered memory in MiB.", 1, u64::from(u32::MAX - 1))),
                    ("enis", integer("Elastic network interfaces.", 1, 100)),
                    ("cpuArchitecture", choice("Default x86_64.", &["x86_64", "arm64"])),
                ],
                &["name", "cpu", "memory", "enis"],
                &[],
            ))),
            ("autoScalingGroups", array("Auto Scaling groups: they spread their capacity over their zones and replace lost instances.", object(
                "An Auto Scaling group.",
                vec![
                    ("name", string("The group's name, unique.")),
                    ("instanceType", string("An EC2 instance type (m5.large) or a custom type.")),
                    ("desiredCapacity", integer("Instances the group keeps.", 0, u64::from(u32::MAX))),
                    ("availabilityZones", array("The zones it uses (default: every zone of the cluster).", string("A zone of cluster.availabilityZones."))),
                    ("replacementDelay", duration("From an instance's loss to its replacement's registration (default 5m, > 0).")),
                    ("attributes", attributes()),
                    ("suspendedProcesses", array(
                        "Suspended processes: Launch, Terminate, AZRebalance, ReplaceUnhealthy change what the group does; the others are accepted with no effect.",
                        choice("An EC2 Auto Scaling process name.", PROCESSES),
                    )),
                    ("spotInstanceDraining", boolean("ECS_ENABLE_SPOT_INSTANCE_DRAINING: DRAINING on a Spot interruption notice (default false).")),
                    ("managedDraining", boolean("The group drains an instance before terminating it for scale-in or rebalancing (default false).")),
                    ("reservedPorts", reserved_ports()),
                    ("pricing", pricing()),
                    ("minSize", integer("The smallest desired capacity (default 0).", 0, u64::from(u32::MAX))),
                    ("maxSize", integer("The largest desired capacity (default: the container-instance quota).", 0, u64::from(u32::MAX))),
                ],
                &["name", "instanceType", "desiredCapacity"],
                &[],
            ))),
            ("instances", array("Fixed instances, never replaced.", object(
                "One or more fixed instances.",
                vec![
                    ("instanceId", string("Its id, for filters (then count is 1).")),
                    ("instanceType", string("An EC2 instance type or a custom type.")),
                    ("availabilityZone", string("A zone of cluster.availabilityZones.")),
                    ("count", integer("How many (default 1).", 1, u64::from(u32::MAX))),
                    ("attributes", attributes()),
                    ("reservedPorts", reserved_ports()),
                    ("pricing", pricing()),
                ],
                &["instanceType", "availabilityZone"],
                &[],
            ))),
            ("capacityProviders", array("Auto Scaling group capacity providers.", object(
                "A capacity provider (CreateCapacityProvider's autoScalingGroupProvider).",
                vec![
                    ("name", string("The provider's name, unique.")),
                    ("autoScalingGroup", string("A group of autoScalingGroups; one provider per group.")),
                    ("managedScaling", object(
                        "ECS managed scaling (absent: DISABLED).",
                        vec![
                            ("status", choice("Default ENABLED.", &["ENABLED", "DISABLED"])),
                            ("targetCapacity", integer("Target CapacityProviderReservation (default 100).", 1, 100)),
                            ("minimumScalingStepSize", integer("Default 1.", 1, 10_000)),
                            ("maximumScalingStepSize", integer("Default 10000.", 1, 10_000)),
                            ("instanceWarmupPeriod", integer("Seconds (default 300).", 0, 10_000)),
                        ],
                        &[],
                        &[],
                    )),
                    ("managedTerminationProtection", choice("Default DISABLED; ENABLED needs managed scaling.", &["ENABLED", "DISABLED"])),
                    ("managedDraining", choice("Default ENABLED.", &["ENABLED", "DISABLED"])),
                ],
                &["name", "autoScalingGroup"],
                &["tags"],
            ))),
            ("defaultCapacityProviderStrategy", capacity_provider_strategy()),
        ],
        &["availabilityZones"],
        &[],
    )
}

fn capacity_provider_strategy() -> Value {
    array(
        "A capacity provider strategy: only one item may have a base, and not every weight may be 0.",
        object(
            "A capacity provider strategy item.",
            vec![
                ("capacityProvider", string("A provider of cluster.capacityProviders.")),
                ("base", integer("Tasks on this provider first (default 0).", 0, 100_000)),
                ("weight", integer("Share of the tasks after the base (default 0).", 0, 1_000)),
            ],
            &["capacityProvider"],
            &[],
        ),
    )
}

fn placement_strategy() -> Value {
    let kind = |name: &str| json!({ "type": "string", "enum": [name] });
    json!({
        "description": "A placement strategy: binpack on cpu or memory, spread on instanceId, host or attribute:NAME, or random.",
        "oneOf": [
            object("binpack", vec![("type", kind("binpack")), ("field", choice("", &["cpu", "memory"]))], &["type", "field"], &[]),
            object("spread", vec![("type", kind("spread")), ("field", string("instanceId, host or attribute:NAME (e.g. attribute:ecs.availability-zone)."))], &["type", "field"], &[]),
            object("random", vec![("type", kind("random"))], &["type"], &[]),
        ],
    })
}

fn placement_constraint(types: &[&str]) -> Value {
    let mut options = Vec::new();
    if types.contains(&"distinctInstance") {
        options.push(object(
            "Each task on a different instance.",
            vec![(
                "type",
                json!({ "type": "string", "enum": ["distinctInstance"] }),
            )],
            &["type"],
            &[],
        ));
    }
    options.push(object(
        "Only instances that match a cluster query language expression.",
        vec![
            ("type", json!({ "type": "string", "enum": ["memberOf"] })),
            (
                "expression",
                string("e.g. attribute:ecs.instance-type =~ m5.*"),
            ),
        ],
        &["type", "expression"],
        &[],
    ));
    json!({ "description": "A placement constraint.", "oneOf": options })
}

fn placement() -> [(&'static str, Value); 2] {
    [
        (
            "placementStrategy",
            array(
                "At most 5 strategies, applied in order.",
                placement_strategy(),
            ),
        ),
        (
            "placementConstraints",
            array(
                "At most 10 constraints, the task definition's included.",
                placement_constraint(&["distinctInstance", "memberOf"]),
            ),
        ),
    ]
}

fn task_definition() -> Value {
    let port_mapping = object(
        "A port mapping.",
        vec![
            ("containerPort", integer("", 1, 65535)),
            (
                "hostPort",
                integer("0 or absent: a dynamic host port (bridge).", 0, 65535),
            ),
            ("protocol", choice("Default tcp.", &["tcp", "udp"])),
        ],
        &["containerPort"],
        &["appProtocol", "name"],
    );
    let health_check = object(
        "A container health check in ECS's shape, times in whole seconds; only essential containers' count.",
        vec![
            ("command", array("Non-empty, e.g. [CMD-SHELL, \"curl -f http://localhost/ || exit 1\"]; not run.", json!({ "type": "string" }))),
            ("interval", integer("Default 30.", 5, 300)),
            ("timeout", integer("Default 5.", 2, 60)),
            ("retries", integer("Default 3.", 1, 10)),
            ("startPeriod", integer("Default 0.", 0, 300)),
        ],
        &["command"],
        &[],
    );
    let container = object(
        "A container definition.",
        vec![
            ("name", string("The container's name.")),
            ("image", string("The image (recorded, not pulled).")),
            ("cpu", integer("CPU units (default 0).", 0, 10_240)),
            ("memory", integer("Hard memory limit in MiB.", 6, 4_194_304)),
            ("memoryReservation", integer("Soft memory limit in MiB, reserved instead of memory.", 1, 4_194_304)),
            ("essential", boolean("Default true; a task definition needs at least one essential container.")),
            ("portMappings", array("Port mappings.", port_mapping)),
            ("stopTimeout", duration("SIGTERM to SIGKILL (default parameters.stopTimeout); a plain number is seconds, as in ECS.")),
            ("healthCheck", health_check),
        ],
        &["name"],
        CONTAINER_IGNORED,
    );
    let unit_value =
        |description: &str| json!({ "description": description, "type": ["integer", "string"] });
    let simulation = object(
        "How the workload behaves; not an ECS field.",
        vec![
            ("startupTime", distribution("PENDING to RUNNING (default 10s).")),
            ("runtime", distribution("RUNNING until the essential container exits by itself (default: runs until stopped).")),
            ("shutdownTime", distribution("SIGTERM to exit, cut short by the stop timeout (default 1s).")),
            ("exitCode", json!({ "type": "integer", "description": "What the essential container exits with when runtime ends (default 0).", "minimum": i32::MIN, "maximum": i32::MAX })),
            ("startFailure", string("Every task fails to start with this stoppedReason, e.g. \"CannotPullContainerError: pull access denied\".")),
            ("unhealthyAfter", distribution("From RUNNING until the application stops answering health checks (default: always answers).")),
            ("requestsPerSecond", json!({ "type": "number", "exclusiveMinimum": 0, "description": "Requests per second one task serves at 100 % of its CPU (needed by a service with load)." })),
            ("memoryUtilizationIdle", json!({ "type": "number", "minimum": 0, "description": "Memory utilisation (%) of a task at 0 % CPU (default 25)." })),
            ("memoryUtilizationAtFullCpu", json!({ "type": "number", "minimum": 0, "description": "Memory utilisation (%) of a task at 100 % CPU (default 75); linear in between." })),
        ],
        &[],
        &[],
    );
    let mut schema = object(
        "A task definition (RegisterTaskDefinition's shape), or `file:` an ECS JSON file whose fields these override.",
        vec![
            ("file", string("An ECS JSON file: RegisterTaskDefinition input, describe-task-definition output, a console copy or a container array.")),
            ("family", string("The family; each entry of a family is the next revision.")),
            ("networkMode", choice("Default bridge (none is not simulated yet).", &["bridge", "host", "awsvpc"])),
            ("cpu", unit_value("Task-level CPU units, 128 to 10240: 512, \"512\" or \"0.5 vCPU\".")),
            ("memory", unit_value("Task-level memory in MiB: 1024, \"1024\" or \"1 GB\".")),
            ("containerDefinitions", array("1 to 10 containers.", container)),
            ("placementConstraints", array("memberOf constraints only.", placement_constraint(&["memberOf"]))),
            ("simulation", simulation),
        ],
        &[],
        TASK_DEFINITION_IGNORED,
    );
    schema["anyOf"] = json!([
        { "required": ["file"] },
        { "required": ["family", "containerDefinitions"] },
    ]);
    schema
}

fn deployment_configuration() -> Value {
    object(
        "How deployments and replacements proceed.",
        vec![
            (
                "minimumHealthyPercent",
                integer("Default 100 (REPLICA), 0 (DAEMON).", 0, 100),
            ),
            (
                "maximumPercent",
                integer(
                    "Default 200 (REPLICA), 100 (DAEMON, and only 100).",
                    100,
                    10_000,
                ),
            ),
            (
                "deploymentCircuitBreaker",
                object(
                    "Fails, and optionally rolls back, a deployment whose tasks keep failing.",
                    vec![("enable", boolean("")), ("rollback", boolean(""))],
                    &["enable", "rollback"],
                    &[],
                ),
            ),
        ],
        &[],
        &["alarms"],
    )
}

fn service() -> Value {
    let load_balancer = object(
        "A target group (or Classic Load Balancer) the service's tasks register with.",
        vec![
            ("targetGroupArn", string("A target group's name or ARN.")),
            (
                "loadBalancerName",
                string("A Classic Load Balancer, treated as a target group of that name."),
            ),
            (
                "containerName",
                string("A container of the service's task definition."),
            ),
            (
                "containerPort",
                integer(
                    "A containerPort of that container's portMappings.",
                    1,
                    65535,
                ),
            ),
        ],
        &["containerName", "containerPort"],
        &[],
    );
    let mut properties = vec![
        ("file", string("An ECS JSON file (CreateService input or describe-services output) whose fields these override.")),
        ("serviceName", string("The service's name, unique.")),
        ("taskDefinition", string("family (latest revision) or family:revision.")),
        ("desiredCount", integer("Required for REPLICA, 0 to parameters.quotas.tasksPerService; ignored for DAEMON.", 0, 10_000_000)),
        ("schedulingStrategy", choice("Default REPLICA; DAEMON runs one task per eligible instance.", &["REPLICA", "DAEMON"])),
        ("deploymentConfiguration", deployment_configuration()),
        ("loadBalancers", array("At most 5.", load_balancer)),
        ("healthCheckGracePeriodSeconds", integer("Default 0.", 0, 2_147_483_647)),
        ("load", load()),
        ("autoScaling", auto_scaling()),
        ("capacityProviderStrategy", capacity_provider_strategy()),
    ];
    properties.extend(placement());
    let mut schema = object(
        "A service (CreateService's shape).",
        properties,
        &[],
        SERVICE_IGNORED,
    );
    schema["anyOf"] = json!([
        { "required": ["file"] },
        { "required": ["serviceName", "taskDefinition"] },
    ]);
    schema
}

/// `services[].load` (docs/autoscaling.md).
fn load() -> Value {
    let number =
        |description: &str| json!({ "type": "number", "minimum": 0, "description": description });
    let one = |key: &str, value: Value| object("", vec![(key, value)], &[key], &[]);
    let step = object(
        "",
        vec![
            ("at", duration("When.")),
            ("value", number("Requests per second from then.")),
        ],
        &["at", "value"],
        &[],
    );
    let daily = object(
        "A cosine between trough and peak, highest at peakHour (UTC, from parameters.startTime), held per minute.",
        vec![("trough", number("")), ("peak", number("")), ("peakHour", json!({ "type": "number", "minimum": 0, "maximum": 24 }))],
        &["trough", "peak", "peakHour"],
        &[],
    );
    let trace_file = string(
        "A CSV of time,value rows, relative to the scenario; times in seconds or durations.",
    );
    let trace = json!({ "oneOf": [
        trace_file,
        object("", vec![("file", string("The CSV file.")), ("interpolation", choice("Default linear (held per minute); step is exact.", &["linear", "step"]))], &["file"], &[]),
    ]});
    object(
        "The requests per second the service is offered; not an ECS field.",
        vec![
            (
                "requestsPerSecond",
                json!({ "oneOf": [
                    number("Constant."),
                    one("steps", array("From each at on, its value (0 before the first).", step)),
                    one("daily", daily),
                    one("trace", trace),
                ]}),
            ),
            (
                "noise",
                object(
                    "Per-minute lognormal noise of mean 1.",
                    vec![("cv", number("Coefficient of variation."))],
                    &["cv"],
                    &[],
                ),
            ),
        ],
        &["requestsPerSecond"],
        &[],
    )
}

/// `services[].autoScaling` (docs/autoscaling.md).
fn auto_scaling() -> Value {
    let metrics = [
        "ECSServiceAverageCPUUtilization",
        "ECSServiceAverageMemoryUtilization",
        "ALBRequestCountPerTarget",
    ];
    let datapoints = |description: &str| integer(description, 1, 1440);
    let target_tracking = object(
        "A target tracking policy.",
        vec![
            ("policyName", string("Default METRIC-target-tracking.")),
            ("metric", choice("", &metrics)),
            ("target", json!({ "type": "number", "exclusiveMinimum": 0 })),
            ("scaleOutCooldown", duration("Default 300 s.")),
            ("scaleInCooldown", duration("Default 300 s.")),
            ("disableScaleIn", boolean("Default false.")),
            (
                "scaleOutDatapoints",
                datapoints("Datapoints above target to scale out (default 3)."),
            ),
            (
                "scaleInDatapoints",
                datapoints("Datapoints below the scale-in threshold to scale in (default 15)."),
            ),
            (
                "scaleInThresholdPercent",
                json!({ "type": "number", "exclusiveMinimum": 0, "maximum": 100, "description": "The scale-in alarm's threshold, % of target (default 90)." }),
            ),
        ],
        &["metric", "target"],
        &[],
    );
    let bound = json!({ "type": "number" });
    let step_adjustment = object(
        "Bounds relative to the threshold.",
        vec![
            ("metricIntervalLowerBound", bound.clone()),
            ("metricIntervalUpperBound", bound),
            ("scalingAdjustment", json!({ "type": "integer" })),
        ],
        &["scalingAdjustment"],
        &[],
    );
    let step_scaling = object(
        "A step scaling policy and its alarm.",
        vec![
            ("policyName", string("Default METRIC-step-scaling.")),
            ("metric", choice("", &metrics)),
            ("threshold", json!({ "type": "number" })),
            (
                "comparisonOperator",
                choice(
                    "",
                    &[
                        "GreaterThanOrEqualToThreshold",
                        "GreaterThanThreshold",
                        "LessThanThreshold",
                        "LessThanOrEqualToThreshold",
                    ],
                ),
            ),
            (
                "evaluationPeriods",
                datapoints("Breaching datapoints in a row (default 1)."),
            ),
            (
                "adjustmentType",
                choice(
                    "",
                    &[
                        "ChangeInCapacity",
                        "PercentChangeInCapacity",
                        "ExactCapacity",
                    ],
                ),
            ),
            ("stepAdjustments", array("", step_adjustment)),
            (
                "minAdjustmentMagnitude",
                integer("", 1, u64::from(u32::MAX)),
            ),
            ("cooldown", duration("Default 300 s.")),
        ],
        &[
            "metric",
            "threshold",
            "comparisonOperator",
            "adjustmentType",
            "stepAdjustments",
        ],
        &[],
    );
    let scheduled_action = object(
        "New minimum and/or maximum capacity at a time or on a schedule.",
        vec![
            ("scheduledActionName", string("")),
            ("at", duration("Once, at this time.")),
            ("schedule", string("rate(...) or cron(...), UTC.")),
            ("minCapacity", integer("", 0, u64::from(u32::MAX))),
            ("maxCapacity", integer("", 0, u64::from(u32::MAX))),
        ],
        &[],
        &[],
    );
    object(
        "Service Auto Scaling (Application Auto Scaling).",
        vec![
            ("minCapacity", integer("", 0, 10_000_000)),
            ("maxCapacity", integer(">= minCapacity.", 0, 10_000_000)),
            ("targetTracking", array("", target_tracking)),
            ("stepScaling", array("", step_scaling)),
            ("scheduledActions", array("", scheduled_action)),
        ],
        &["minCapacity", "maxCapacity"],
        &[],
    )
}

fn target_group() -> Value {
    object(
        "A target group, as far as ECS's behaviour depends on it; ELB's ranges and defaults.",
        vec![
            ("name", string("A name or ARN, unique.")),
            ("healthCheckIntervalSeconds", integer("Default 30.", 5, 300)),
            (
                "healthCheckTimeoutSeconds",
                integer("Default 5; less than the interval.", 2, 120),
            ),
            (
                "healthyThresholdCount",
                integer("Default 5; accepted, no effect.", 2, 10),
            ),
            ("unhealthyThresholdCount", integer("Default 2.", 2, 10)),
            ("deregistrationDelay", duration("Default 300s, 0s to 1h.")),
        ],
        &["name"],
        &[],
    )
}

fn task_request(extra: Vec<(&'static str, Value)>, required: &[&str], description: &str) -> Value {
    let mut properties = vec![
        (
            "taskDefinition",
            string("family (latest revision) or family:revision."),
        ),
        ("count", integer("Tasks per call (default 1).", 1, 10)),
        (
            "group",
            string("The task group (default family:FAMILY), 1 to 255 characters."),
        ),
        ("capacityProviderStrategy", capacity_provider_strategy()),
    ];
    properties.extend(extra);
    properties.extend(placement());
    object(description, properties, required, RUN_TASK_IGNORED)
}

fn run_task() -> Value {
    task_request(
        vec![
            ("at", duration("When (default 0s); not with arrivals.")),
            (
                "every",
                duration("Repeat with this period (> 0); not with arrivals."),
            ),
            ("arrivals", arrivals()),
        ],
        &["taskDefinition"],
        "A RunTask call; placement defaults to random, and tasks are never replaced.",
    )
}

/// `runTasks[].arrivals`: exactly one of `poisson` and `trace` (docs/arrivals.md).
fn arrivals() -> Value {
    let poisson = object(
        "A Poisson process: exponential times between arrivals.",
        vec![("mean", duration("The mean time between arrivals (> 0)."))],
        &["mean"],
        &[],
    );
    let mut schema = object(
        "Random arrivals instead of at/every: each arrival is one RunTask call of count tasks. \
         Exactly one of poisson and trace.",
        vec![
            ("poisson", poisson),
            (
                "trace",
                string("A CSV file of arrival times (seconds or durations since the start), relative to the scenario's folder."),
            ),
            ("start", duration("When the Poisson process begins (default 0s); poisson only.")),
            ("until", duration("No arrival after this time (default: the end of the run).")),
        ],
        &[],
        &[],
    );
    schema["oneOf"] = json!([{ "required": ["poisson"] }, { "required": ["trace"] }]);
    schema
}

fn scheduled_task() -> Value {
    task_request(
        vec![(
            "schedule",
            string("rate(VALUE UNIT) or cron(MINUTES HOURS DAY-OF-MONTH MONTH DAY-OF-WEEK YEAR) in UTC."),
        )],
        &["taskDefinition", "schedule"],
        "A RunTask call on an EventBridge schedule.",
    )
}

fn instance_filter(description: &str) -> Value {
    let mut schema = object(
        &format!("{description} Every given field must match; {{}} matches every instance."),
        vec![
            (
                "availabilityZone",
                string("A zone of cluster.availabilityZones."),
            ),
            ("instanceType", string("An instance type the cluster uses.")),
            ("autoScalingGroup", string("A group's name.")),
            (
                "instanceId",
                string("An instanceId given in cluster.instances."),
            ),
        ],
        &[],
        &[],
    );
    schema["type"] = json!(["object", "null"]);
    schema
}

fn action() -> Value {
    let update_service = object(
        "UpdateService: at least one field besides service.",
        vec![
            ("service", string("A serviceName.")),
            (
                "taskDefinition",
                string("family or family:revision; a different one starts a deployment."),
            ),
            (
                "desiredCount",
                integer("Not for a DAEMON service.", 0, 10_000_000),
            ),
            (
                "forceNewDeployment",
                boolean("true starts a deployment of the current task definition."),
            ),
            ("deploymentConfiguration", deployment_configuration()),
            (
                "healthCheckGracePeriodSeconds",
                integer("", 0, 2_147_483_647),
            ),
        ],
        &["service"],
        &[],
    );
    let set_desired_capacity = object(
        "Sets an Auto Scaling group's desired capacity.",
        vec![
            ("autoScalingGroup", string("A group's name.")),
            ("desiredCapacity", integer("", 0, u64::from(u32::MAX))),
        ],
        &["autoScalingGroup", "desiredCapacity"],
        &[],
    );
    let stop_task = object(
        "StopTask on matching tasks: one of service and taskDefinition is required.",
        vec![
            ("service", string("A serviceName.")),
            ("taskDefinition", string("A family (every revision).")),
            (
                "count",
                integer(
                    "Default: all matching tasks; which ones is drawn from the seed.",
                    1,
                    u64::from(u32::MAX),
                ),
            ),
            (
                "reason",
                string("The tasks' stoppedReason (default `Task stopped by user`)."),
            ),
        ],
        &[],
        &[],
    );
    let mut schema = object(
        "A control-plane call: `at` and exactly one of updateService, drainInstances, activateInstances, setDesiredCapacity, stopTask.",
        vec![
            ("at", duration("When the call is made.")),
            ("updateService", update_service),
            ("drainInstances", instance_filter("Sets matching instances DRAINING.")),
            ("activateInstances", instance_filter("Sets matching instances ACTIVE.")),
            ("setDesiredCapacity", set_desired_capacity),
            ("stopTask", stop_task),
        ],
        &["at"],
        &[],
    );
    schema["oneOf"] = Value::Array(
        ACTION_KINDS
            .iter()
            .map(|kind| json!({ "required": [kind] }))
            .collect(),
    );
    schema
}

fn fault() -> Value {
    let timing = || {
        vec![
            ("at", duration("Scripted: when it strikes.")),
            (
                "count",
                integer(
                    "With at only: that many of the matching targets (default every one).",
                    1,
                    u64::from(u32::MAX),
                ),
            ),
            (
                "mtbf",
                duration("Random: an exponential time to failure with this mean (> 0)."),
            ),
            ("distribution", distribution("Random: the time to failure.")),
        ]
    };
    let kind =
        |name: &str, description: &str, extra: Vec<(&'static str, Value)>, required: &[&str]| {
            let mut properties = vec![("kind", json!({ "type": "string", "enum": [name] }))];
            properties.extend(timing());
            properties.extend(extra);
            let mut all = vec!["kind"];
            all.extend_from_slice(required);
            object(description, properties, &all, &[])
        };
    let target = || instance_filter("Which instances (default every instance).");
    json!({
        "description": "A fault: kind and exactly one of at, mtbf, distribution.",
        "oneOf": [
            kind("instanceFailure", "Matching instances fail and are terminated.", vec![("target", target())], &[]),
            kind("taskExit", "Matching tasks' containers exit: one of service and taskDefinition is required.", vec![
                ("service", string("A serviceName.")),
                ("taskDefinition", string("A family (every revision).")),
                ("exitCode", integer("Default 1.", 0, 255)),
                ("container", string("A container of a targeted task definition (default the essential ones).")),
            ], &[]),
            kind("zoneOutage", "A zone is out for a while.", vec![
                ("availabilityZone", string("A zone of cluster.availabilityZones.")),
                ("duration", duration("How long the zone is out (> 0).")),
            ], &["availabilityZone", "duration"]),
            kind("spotInterruption", "A Spot interruption notice, then termination.", vec![("target", target())], &[]),
            kind("agentDisconnect", "The container agent disconnects; its tasks are neither stopped nor replaced.", vec![
                ("target", target()),
                ("duration", duration("Until it reconnects (default never, > 0).")),
            ], &[]),
        ],
    })
}

fn outputs() -> Value {
    let names: Vec<&str> = Output::ALL
        .iter()
        .map(|output| output.name())
        .chain(["all"])
        .collect();
    let name = choice("An output file's stem, or all.", &names);
    json!({
        "description": "The files to write (default all); `--outputs` overrides it.",
        "anyOf": [name.clone(), { "type": "array", "items": name }],
    })
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::actions::UPDATE_SERVICE_CHANGES;
    use crate::arrivals::ARRIVALS_KEYS;
    use crate::service::{RUN_TASK_KEYS, SCHEDULED_TASK_KEYS, SERVICE_KEYS};
    use crate::target_groups::TARGET_GROUP_KEYS;
    use crate::task_definition::{CONTAINER_KEYS, TASK_DEFINITION_KEYS};
    use crate::validate::TOP_KEYS;

    /// The property names of the object at `path` (`.`-separated; `[]` steps into a list's
    /// items), merged over the alternatives (`oneOf`, `anyOf`) where the schema has several.
    fn properties(schema: &Value, path: &str) -> BTreeSet<String> {
        let mut nodes = vec![schema];
        for step in path.split('.').filter(|step| !step.is_empty()) {
            let (name, items) = match step.strip_suffix("[]") {
                Some(name) => (name, true),
                None => (step, false),
            };
            nodes = nodes
                .into_iter()
                .flat_map(alternatives)
                .filter_map(|node| node.get("properties")?.get(name))
                .collect();
            if items {
                nodes = nodes
                    .into_iter()
                    .flat_map(alternatives)
                    .filter_map(|node| node.get("items"))
                    .collect();
            }
        }
        nodes
            .into_iter()
            .flat_map(alternatives)
            .filter_map(|node| node.get("properties")?.as_object())
            .flat_map(|map| map.keys().cloned())
            .collect()
    }

    /// A node and its `oneOf`/`anyOf` alternatives, recursively.
    fn alternatives(node: &Value) -> Vec<&Value> {
        let mut all = vec![node];
        for key in ["oneOf", "anyOf"] {
            if let Some(Value::Array(items)) = node.get(key) {
                all.extend(items.iter().flat_map(alternatives));
            }
        }
        all
    }

    fn set(lists: &[&[&str]]) -> BTreeSet<String> {
        lists
            .iter()
            .flat_map(|list| list.iter().map(|key| key.to_string()))
            .collect()
    }

    /// Every object whose keys the validator lists by name accepts exactly those keys (and
    /// the AWS keys it ignores) in the schema: neither can gain a key the other lacks.
    #[test]
    fn the_schema_accepts_exactly_the_validators_keys() {
        let schema = json_schema();
        let cases: [(&str, BTreeSet<String>); 9] = [
            ("", set(&[TOP_KEYS])),
            (
                "taskDefinitions[]",
                set(&[TASK_DEFINITION_KEYS, TASK_DEFINITION_IGNORED]),
            ),
            (
                "taskDefinitions[].containerDefinitions[]",
                set(&[CONTAINER_KEYS, CONTAINER_IGNORED]),
            ),
            ("services[]", set(&[SERVICE_KEYS, SERVICE_IGNORED])),
            ("runTasks[]", set(&[RUN_TASK_KEYS, RUN_TASK_IGNORED])),
            ("runTasks[].arrivals", set(&[ARRIVALS_KEYS])),
            (
                "scheduledTasks[]",
                set(&[SCHEDULED_TASK_KEYS, RUN_TASK_IGNORED]),
            ),
            ("targetGroups[]", set(&[TARGET_GROUP_KEYS])),
            (
                "actions[].updateService",
                set(&[&["service"], UPDATE_SERVICE_CHANGES]),
            ),
        ];
        for (path, validator) in cases {
            let schema = properties(&schema, path);
            assert_eq!(schema, validator, "the keys of `{path}`: schema, validator");
        }
        let kinds = properties(&json_schema(), "actions[]");
        for kind in ACTION_KINDS {
            assert!(kinds.contains(*kind), "actions[] accepts {kind}");
        }
    }
}
