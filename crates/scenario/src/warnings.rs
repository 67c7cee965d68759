//! Warnings about a valid scenario: things ECS accepts but that cannot work, each located at
//! the text it is about. Tasks that can never be placed: larger than every instance type
//! they may use, held to a `memberOf` that no instance the cluster can have satisfies,
//! `distinctInstance` with more tasks than instances can ever exist, or a static host port
//! every instance reserves; and schedules that do not fire during the run. `ecsim
//! validate` and `ecsim run` print them; they never stop a run.

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;

use cluster::ids::{InstanceId, TaskDefId, ZoneId};
use cluster::instance::{add_builtin_attributes, ContainerInstance, InstanceStatus};
use cluster::placement::Requirements;
use cluster::query::Expression;
use cluster::spec::{
    Action, ConstraintSpec, InstanceType, PlacementSpec, Protocol, SchedulingStrategy,
};
use des::SimTime;

use crate::resolved::duration as duration_text;
use crate::sources::Source;
use crate::Scenario;

/// One warning: `file:line:column: field: message`, like an error.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Warning {
    /// The scenario file (named when the value came from `--set`).
    pub file: PathBuf,
    /// Where the field was written; `None` when validation kept no position for it.
    pub source: Option<Source>,
    /// Field path, e.g. `services[0].placementConstraints[1]`.
    pub field: String,
    pub message: String,
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.source {
            Some(source) => source.write_prefix(&self.file, f)?,
            None => write!(f, "{}: ", self.file.display())?,
        }
        write!(f, "{}: {}", self.field, self.message)
    }
}

/// One warning per problem, in reading order (file, line, column).
pub fn warnings(scenario: &Scenario) -> Vec<Warning> {
    let mut found: Vec<(String, String)> = Vec::new();
    reserved_host_ports(scenario, &mut found);
    schedules_within_the_run(scenario, &mut found);
    placements(scenario, &mut found);
    unpriced_types(scenario, &mut found);
    let mut warnings: Vec<Warning> = found
        .into_iter()
        .map(|(field, message)| Warning {
            file: scenario.sources.file.clone(),
            source: scenario.sources.locate(&field).cloned(),
            field,
            message,
        })
        .collect();
    warnings.sort_by_key(|warning| warning.source.as_ref().map(Source::reading_order));
    warnings
}

/// An EC2 instance type the built-in price table does not price in the scenario's region
/// (the table has gaps: its source lacks some types and regions), with no `pricing` given:
/// the run's cost figures stay empty. Custom types have no price unless given one, as the
/// reference says, and are not warned about.
fn unpriced_types(scenario: &Scenario, found: &mut Vec<(String, String)>) {
    let pricing = &scenario.pricing;
    let message = |name: &str| {
        format!(
            "the built-in price table has no On-Demand price for {name} in {}, so the run's cost \
             figures stay empty; give one: pricing: {{onDemandUsdPerHour: 0.1}}, or Spot: \
             pricing: {{spot: {{usdPerHour: 0.03}}}}",
            pricing.region
        )
    };
    let is_ec2 = |name: &str| crate::catalogue::lookup(name, 0).is_some();
    for (idx, group) in scenario.cluster.auto_scaling_groups.iter().enumerate() {
        let name = &group.instance_type.name;
        if pricing.auto_scaling_groups.get(idx) == Some(&None) && is_ec2(name) {
            found.push((
                format!("cluster.autoScalingGroups[{idx}].instanceType"),
                message(name),
            ));
        }
    }
    let mut named: Vec<&str> = Vec::new();
    for (instance, price) in scenario.cluster.instances.iter().zip(&pricing.instances) {
        let name = instance.instance_type.name.as_str();
        if price.is_none() && is_ec2(name) && !named.contains(&name) {
            named.push(name);
            found.push(("cluster.instances".to_string(), message(name)));
        }
    }
}

/// A scheduled task whose schedule first fires after the run's end (from `startTime`), or
/// never: it starts no task.
fn schedules_within_the_run(scenario: &Scenario, found: &mut Vec<(String, String)>) {
    let start = scenario.parameters.start_time_unix_s;
    for (idx, scheduled) in scenario.scheduled_tasks.iter().enumerate() {
        let first = scheduled.schedule.next_after(0, start);
        if first.is_some_and(|at_ms| at_ms <= scenario.duration_ms) {
            continue;
        }
        let when = match first {
            Some(at_ms) => format!(
                "first fires {} after the start, after the run's end ({})",
                duration_text(at_ms),
                duration_text(scenario.duration_ms)
            ),
            None => "never fires after the start".to_string(),
        };
        found.push((
            format!("scheduledTasks[{idx}].schedule"),
            format!(
                "{} {when} (startTime {}); it starts no task",
                scheduled.schedule,
                cluster::cron::format_utc_timestamp(start),
            ),
        ));
    }
}

/// A static TCP host port that every instance reserves (`reservedPorts`, the agent's
/// `ECS_RESERVED_PORTS`): ECS registers the task definition but never places its tasks,
/// which fail with RESOURCE:PORTS. Located at the first such port mapping.
fn reserved_host_ports(scenario: &Scenario, found: &mut Vec<(String, String)>) {
    let cluster = &scenario.cluster;
    let reserved_lists: Vec<&[u16]> = cluster
        .auto_scaling_groups
        .iter()
        .map(|group| group.reserved_ports.as_slice())
        .chain(
            cluster
                .instances
                .iter()
                .map(|instance| instance.reserved_ports.as_slice()),
        )
        .collect();
    if reserved_lists.is_empty() {
        return;
    }
    let reserved_everywhere = |port: u16| reserved_lists.iter().all(|list| list.contains(&port));
    for (idx, definition) in scenario.task_definitions.iter().enumerate() {
        let blocked: Vec<u16> = definition
            .static_host_ports()
            .into_iter()
            .filter(|&(protocol, port)| protocol == Protocol::Tcp && reserved_everywhere(port))
            .map(|(_, port)| port)
            .collect();
        let Some(&first) = blocked.first() else {
            continue;
        };
        let mapping = definition
            .container_definitions
            .iter()
            .enumerate()
            .flat_map(|(container, c)| {
                c.port_mappings
                    .iter()
                    .enumerate()
                    .map(move |(mapping, m)| (container, mapping, m))
            })
            .find(|(_, _, m)| m.protocol == Protocol::Tcp && m.host_port == Some(first));
        let field = match mapping {
            Some((container, mapping, _)) => format!(
                "taskDefinitions[{idx}].containerDefinitions[{container}].portMappings[{mapping}]"
            ),
            None => format!("taskDefinitions[{idx}]"),
        };
        let ports: Vec<String> = blocked.iter().map(u16::to_string).collect();
        let (noun, pronoun) = if blocked.len() == 1 {
            ("port", "it")
        } else {
            ("ports", "them")
        };
        found.push((
            field,
            format!(
                "{} maps host {noun} {}, which every instance of the cluster reserves \
                 (reservedPorts, ECS_RESERVED_PORTS); ECS accepts the task definition but \
                 never places its tasks on an instance that reserves {pronoun} (RESOURCE:PORTS)",
                definition.name(),
                ports.join(", "),
            ),
        ));
    }
}

/// What places tasks: a service, a RunTask entry or a scheduled task.
struct User<'a> {
    /// `services[0]`, `runTasks[1]`, `scheduledTasks[2]`.
    path: String,
    /// `service web`, `this RunTask`, `this scheduled task`.
    what: String,
    task_definition: TaskDefId,
    placement: &'a PlacementSpec,
    /// Tasks that must each have an instance of their own under `distinctInstance`: a
    /// REPLICA service's desired count, a RunTask's count; `None` for DAEMON services.
    distinct_tasks: Option<u32>,
}

fn users(scenario: &Scenario) -> Vec<User<'_>> {
    let services = scenario
        .services
        .iter()
        .enumerate()
        .map(|(idx, service)| User {
            path: format!("services[{idx}]"),
            what: format!("service {}", service.service_name),
            task_definition: service.task_definition,
            placement: &service.placement,
            distinct_tasks: (service.scheduling_strategy == SchedulingStrategy::Replica)
                .then_some(service.desired_count),
        });
    let run_tasks = scenario
        .run_tasks
        .iter()
        .enumerate()
        .map(|(idx, run)| User {
            path: format!("runTasks[{idx}]"),
            what: "this RunTask".to_string(),
            task_definition: run.task_definition,
            placement: &run.placement,
            distinct_tasks: Some(run.count),
        });
    let scheduled = scenario
        .scheduled_tasks
        .iter()
        .enumerate()
        .map(|(idx, scheduled)| User {
            path: format!("scheduledTasks[{idx}]"),
            what: "this scheduled task".to_string(),
            task_definition: scheduled.task_definition,
            placement: &scheduled.placement,
            distinct_tasks: Some(scheduled.count),
        });
    services.chain(run_tasks).chain(scheduled).collect()
}

/// A kind of instance the cluster can have: an Auto Scaling group's in one of its zones,
/// or fixed instances alike in type, zone and attributes, as they would register.
struct Host {
    instance: ContainerInstance,
    /// The Auto Scaling group (index) it belongs to, if any.
    group: Option<usize>,
    /// Fixed instances of this kind (0 for a group's).
    fixed: u64,
}

/// Every kind of instance the cluster can have, each as it would register. Fixed instances
/// alike in everything a judged memberOf can read are one kind, so a cluster of thousands
/// of fixed instances has a few kinds.
fn hosts(scenario: &Scenario) -> Vec<Host> {
    let cluster = &scenario.cluster;
    let mut hosts = Vec::new();
    for (idx, group) in cluster.auto_scaling_groups.iter().enumerate() {
        for &zone in &group.availability_zones {
            hosts.push(Host {
                instance: stand_in(scenario, &group.instance_type, zone, &group.attributes),
                group: Some(idx),
                fixed: 0,
            });
        }
    }
    let mut kinds: BTreeMap<(&str, ZoneId, &BTreeMap<String, String>), usize> = BTreeMap::new();
    for instance in &cluster.instances {
        let key = (
            instance.instance_type.name.as_str(),
            instance.availability_zone,
            &instance.attributes,
        );
        let idx = *kinds.entry(key).or_insert_with(|| {
            hosts.push(Host {
                instance: stand_in(
                    scenario,
                    &instance.instance_type,
                    instance.availability_zone,
                    &instance.attributes,
                ),
                group: None,
                fixed: 0,
            });
            hosts.len() - 1
        });
        hosts[idx].fixed += 1;
    }
    hosts
}

/// An instance of `instance_type` in `zone` as it registers: its custom attributes and the
/// built-in ones, every resource free.
fn stand_in(
    scenario: &Scenario,
    instance_type: &InstanceType,
    zone: ZoneId,
    custom: &BTreeMap<String, String>,
) -> ContainerInstance {
    let mut attributes = custom.clone();
    add_builtin_attributes(
        &mut attributes,
        &scenario.cluster.availability_zones[zone.index()],
        instance_type,
    );
    ContainerInstance {
        id: InstanceId(0),
        ec2_instance_id: String::new(),
        instance_type: instance_type.clone(),
        availability_zone: zone,
        auto_scaling_group: None,
        status: InstanceStatus::Active,
        agent_connected: true,
        terminating: None,
        registered_at: SimTime::ZERO,
        deregistered_at: None,
        loss: None,
        attributes,
        remaining_cpu_units: instance_type.cpu_units,
        remaining_memory_mib: instance_type.memory_mib,
        remaining_enis: instance_type.enis.saturating_sub(1),
        ports_tcp: Vec::new(),
        ports_udp: Vec::new(),
        reserved_ports: Vec::new(),
        reserved_port_count: 0,
        tasks: Vec::new(),
        running_tasks_count: 0,
    }
}

/// The most instances an Auto Scaling group can ever have: its desired capacity, or more
/// when a `setDesiredCapacity` action raises it.
fn most_instances(scenario: &Scenario, group: usize) -> u64 {
    let raised = scenario
        .actions
        .iter()
        .filter_map(|action| match &action.action {
            Action::SetDesiredCapacity {
                auto_scaling_group,
                desired_capacity,
            } if auto_scaling_group.index() == group => Some(*desired_capacity),
            _ => None,
        });
    let desired = scenario.cluster.auto_scaling_groups[group].desired_capacity;
    u64::from(raised.fold(desired, u32::max))
}

/// Whether a task with `needs` fits on an empty `instance`: CPU, memory and, for awsvpc,
/// an ENI beside the instance's own. (Reserved host ports are warned about on their own.)
fn fits(needs: &Requirements, instance: &ContainerInstance) -> bool {
    needs.cpu_units <= instance.remaining_cpu_units
        && needs.memory_mib <= instance.remaining_memory_mib
        && (!needs.eni || instance.remaining_enis > 0)
}

/// Tasks that can never be placed, per service, RunTask and scheduled task: a `memberOf`
/// (judged on what each instance would register) that no instance matches, tasks larger
/// than every instance left, or `distinctInstance` with more tasks than instances.
fn placements(scenario: &Scenario, found: &mut Vec<(String, String)>) {
    let hosts = hosts(scenario);
    if hosts.is_empty() {
        return;
    }
    for user in users(scenario) {
        let definition = &scenario.task_definitions[user.task_definition.index()];
        // memberOf constraints that can be judged now, with their paths: the user's own,
        // then the task definition's.
        let member_of: Vec<(String, &Expression)> = user
            .placement
            .constraints
            .iter()
            .enumerate()
            .map(|(idx, c)| (format!("{}.placementConstraints[{idx}]", user.path), c))
            .chain(
                definition
                    .placement_constraints
                    .iter()
                    .enumerate()
                    .map(|(idx, c)| {
                        let path = format!(
                            "taskDefinitions[{}].placementConstraints[{idx}]",
                            user.task_definition.index()
                        );
                        (path, c)
                    }),
            )
            .filter_map(|(path, constraint)| match constraint {
                ConstraintSpec::MemberOf(expression) if expression.is_known_before_run() => {
                    Some((path, expression))
                }
                _ => None,
            })
            .collect();
        let matches = |expression: &Expression, host: &Host| {
            expression.matches(&host.instance, &|_: &str| false)
        };
        if let Some((path, expression)) = member_of
            .iter()
            .find(|(_, expression)| !hosts.iter().any(|host| matches(expression, host)))
        {
            found.push((
                format!("{path}.expression"),
                format!(
                    "memberOf `{}` matches no instance the cluster can have (judged on the \
                     attributes each Auto Scaling group and instance registers): {}'s tasks \
                     can never be placed (MemberOf constraint)",
                    expression.source(),
                    user.what
                ),
            ));
            continue;
        }
        let eligible: Vec<&Host> = hosts
            .iter()
            .filter(|host| member_of.iter().all(|(_, e)| matches(e, host)))
            .collect();
        if eligible.is_empty() {
            let sources: Vec<String> = member_of
                .iter()
                .map(|(_, e)| format!("`{}`", e.source()))
                .collect();
            found.push((
                format!("{}.placementConstraints", user.path),
                format!(
                    "no instance the cluster can have matches all of {}: {}'s tasks can \
                     never be placed (MemberOf constraint)",
                    sources.join(" and "),
                    user.what
                ),
            ));
            continue;
        }
        let needs = Requirements::of(definition);
        let usable: Vec<&Host> = eligible
            .iter()
            .copied()
            .filter(|host| fits(&needs, &host.instance))
            .collect();
        if usable.is_empty() {
            found.push((
                format!("{}.taskDefinition", user.path),
                too_large(definition.name(), &needs, &eligible, &user.what),
            ));
            continue;
        }
        distinct_instance(scenario, &user, &usable, found);
    }
}

/// The message for tasks larger than every instance they may use, naming what each of
/// those instance types registers.
fn too_large(name: String, needs: &Requirements, eligible: &[&Host], what: &str) -> String {
    let mut types: BTreeMap<&str, &InstanceType> = BTreeMap::new();
    for host in eligible {
        let instance_type = &host.instance.instance_type;
        types.insert(instance_type.name.as_str(), instance_type);
    }
    let registers: Vec<String> = types
        .values()
        .map(|t| {
            format!(
                "{} {} CPU units, {} MiB, {} ENI{}",
                t.name,
                t.cpu_units,
                t.memory_mib,
                t.enis,
                if t.enis == 1 { "" } else { "s" }
            )
        })
        .collect();
    let eni = if needs.eni {
        " and an ENI of their own (awsvpc)"
    } else {
        ""
    };
    format!(
        "{name}'s tasks reserve {} CPU units and {} MiB{eni}, more than any instance {what} \
         may use has (registered: {}): they can never be placed",
        needs.cpu_units,
        needs.memory_mib,
        registers.join("; ")
    )
}

/// `distinctInstance` with more tasks than instances they may use can ever exist (Auto
/// Scaling groups at their largest desired capacity, fixed instances once each).
fn distinct_instance(
    scenario: &Scenario,
    user: &User<'_>,
    usable: &[&Host],
    found: &mut Vec<(String, String)>,
) {
    let Some(tasks) = user.distinct_tasks else {
        return;
    };
    let Some(idx) = user
        .placement
        .constraints
        .iter()
        .position(|c| *c == ConstraintSpec::DistinctInstance)
    else {
        return;
    };
    let mut groups: Vec<usize> = usable.iter().filter_map(|host| host.group).collect();
    groups.sort_unstable();
    groups.dedup();
    let fixed: u64 = usable.iter().map(|host| host.fixed).sum();
    let most: u64 = groups
        .iter()
        .map(|&group| most_instances(scenario, group))
        .sum::<u64>()
        + fixed;
    if u64::from(tasks) <= most {
        return;
    }
    let count = if user.path.starts_with("services") {
        "desiredCount"
    } else {
        "count"
    };
    found.push((
        format!("{}.placementConstraints[{idx}]", user.path),
        format!(
            "distinctInstance with {count} {tasks}, but at most {most} instance{} that {} may \
             use can ever exist: {} of its tasks can never be placed (DistinctInstance \
             constraint)",
            if most == 1 { "" } else { "s" },
            user.what,
            u64::from(tasks) - most
        ),
    ));
}
