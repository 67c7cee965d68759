//! Warnings about a valid scenario: things ECS accepts but that cannot work, such as a task
//! definition whose tasks no instance of the cluster can ever take, or a schedule that
//! does not fire during the run. `ecsim validate` shows
//! them; they never stop a run.

use cluster::spec::Protocol;

use crate::resolved::duration as duration_text;
use crate::Scenario;

/// One warning per problem, each naming the field it is about, in scenario order.
pub fn warnings(scenario: &Scenario) -> Vec<String> {
    let mut warnings = Vec::new();
    reserved_host_ports(scenario, &mut warnings);
    schedules_within_the_run(scenario, &mut warnings);
    warnings
}

/// A scheduled task whose schedule first fires after the run's end (from `startTime`), or
/// never: it starts no task.
fn schedules_within_the_run(scenario: &Scenario, warnings: &mut Vec<String>) {
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
        warnings.push(format!(
            "scheduledTasks[{idx}].schedule: {} {when} (startTime {}); it starts no task",
            scheduled.schedule,
            cluster::cron::format_utc_timestamp(start),
        ));
    }
}

/// A static TCP host port that every instance reserves (`reservedPorts`, the agent's
/// `ECS_RESERVED_PORTS`): ECS registers the task definition but never places its tasks,
/// which fail with RESOURCE:PORTS (ECS.md §2.4, §9).
fn reserved_host_ports(scenario: &Scenario, warnings: &mut Vec<String>) {
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
    for (idx, definition) in scenario.task_definitions.iter().enumerate() {
        let blocked: Vec<u16> = definition
            .static_host_ports()
            .into_iter()
            .filter(|&(protocol, port)| {
                protocol == Protocol::Tcp && reserved_lists.iter().all(|list| list.contains(&port))
            })
            .map(|(_, port)| port)
            .collect();
        if blocked.is_empty() {
            continue;
        }
        let ports: Vec<String> = blocked.iter().map(u16::to_string).collect();
        let (noun, pronoun) = if blocked.len() == 1 {
            ("port", "it")
        } else {
            ("ports", "them")
        };
        warnings.push(format!(
            "taskDefinitions[{idx}] ({}): maps host {noun} {}, which every instance of the \
             cluster reserves (reservedPorts, ECS_RESERVED_PORTS); ECS accepts the task \
             definition but never places its tasks on an instance that reserves {pronoun} \
             (RESOURCE:PORTS)",
            definition.name(),
            ports.join(", "),
        ));
    }
}
