//! `check_invariants`: what must hold after every event. Tests call it after each event
//! over many seeds; a broken invariant is a bug in the model, so it panics with the detail.

use super::Cluster;
use crate::instance::{InstanceStatus, MAX_RESERVED_PORTS, RESERVED_PORTS};
use crate::spec::Protocol;
use crate::task::TaskStatus;

impl Cluster {
    /// Panics, naming the broken invariant, unless:
    /// - each instance's remaining CPU, memory and ENIs equal its registered amounts less
    ///   what its unstopped tasks reserve, and never go negative (no over-commitment);
    /// - no two unstopped tasks on an instance hold the same host port, and static
    ///   reservations stay within the 100-port limit;
    /// - every unstopped task is on a live instance, and every task on an INACTIVE one is
    ///   STOPPED;
    /// - a service's counts match its tasks, and it never has more tasks than its
    ///   deployment configuration allows (`maximumPercent`).
    pub fn check_invariants(&self) {
        for instance in &self.instances {
            let tasks: Vec<_> = instance
                .tasks
                .iter()
                .map(|&id| &self.tasks[id.index()])
                .collect();
            if instance.status == InstanceStatus::Inactive {
                assert!(
                    tasks.is_empty(),
                    "{} is INACTIVE but hosts tasks",
                    instance.ec2_instance_id
                );
                continue;
            }
            let mut cpu = 0u64;
            let mut memory = 0u64;
            let mut enis = 0u32;
            let mut ports: Vec<(Protocol, u16)> =
                RESERVED_PORTS.iter().map(|&p| (Protocol::Tcp, p)).collect();
            let mut static_ports = RESERVED_PORTS.len();
            let mut active = 0;
            for task in &tasks {
                assert_ne!(
                    task.last_status,
                    TaskStatus::Stopped,
                    "{} is STOPPED but still on {}",
                    task.task_id,
                    instance.ec2_instance_id
                );
                assert_eq!(
                    task.instance, instance.id,
                    "{} is listed on the wrong instance",
                    task.task_id
                );
                let definition = &self.task_definitions[task.task_definition.index()];
                cpu += u64::from(definition.cpu_units);
                memory += u64::from(definition.memory_mib);
                enis += u32::from(definition.needs_eni());
                static_ports += definition.static_host_port_count();
                ports.extend(task.host_ports.iter().copied());
                active += u32::from(task.last_status.is_active());
            }
            let registered = &instance.instance_type;
            assert_eq!(
                cpu + u64::from(instance.remaining_cpu_units),
                u64::from(registered.cpu_units),
                "{}: CPU reserved by its tasks and remaining CPU do not add up",
                instance.ec2_instance_id
            );
            assert_eq!(
                memory + u64::from(instance.remaining_memory_mib),
                u64::from(registered.memory_mib),
                "{}: memory reserved and remaining do not add up",
                instance.ec2_instance_id
            );
            assert_eq!(
                enis + instance.remaining_enis,
                instance.eni_capacity(),
                "{}: ENIs in use and remaining do not add up",
                instance.ec2_instance_id
            );
            let held = ports.len();
            ports.sort_unstable();
            ports.dedup();
            assert_eq!(
                held,
                ports.len(),
                "{}: a host port is held twice",
                instance.ec2_instance_id
            );
            assert!(
                static_ports <= MAX_RESERVED_PORTS,
                "{}: over 100 reserved ports",
                instance.ec2_instance_id
            );
            assert_eq!(
                static_ports, instance.reserved_port_count,
                "{}: reserved port count is off",
                instance.ec2_instance_id
            );
            assert_eq!(
                active, instance.running_tasks_count,
                "{}: runningTasksCount is off",
                instance.ec2_instance_id
            );
        }
        for task in &self.tasks {
            if task.last_status != TaskStatus::Stopped {
                let instance = &self.instances[task.instance.index()];
                assert!(
                    instance.status != InstanceStatus::Inactive,
                    "{} runs on terminated {}",
                    task.task_id,
                    instance.ec2_instance_id
                );
                assert!(
                    instance.tasks.contains(&task.id),
                    "{} is missing from its instance",
                    task.task_id
                );
            }
        }
        let counts_stopping = self.parameters.max_percent_counts_stopping;
        for service in &self.services {
            let tasks = service.tasks.iter().map(|&id| &self.tasks[id.index()]);
            let active = tasks
                .clone()
                .filter(|task| task.last_status.is_active())
                .count() as u32;
            let running = tasks
                .clone()
                .filter(|task| task.last_status == TaskStatus::Running)
                .count() as u32;
            assert!(
                tasks
                    .clone()
                    .all(|task| task.last_status != TaskStatus::Stopped),
                "{}: lists a STOPPED task",
                service.service_name
            );
            assert_eq!(
                active, service.active_count,
                "{}: active count is off",
                service.service_name
            );
            assert_eq!(
                running, service.running_count,
                "{}: running count is off",
                service.service_name
            );
            let limit = service
                .deployment_configuration
                .max_tasks(service.desired_count);
            let counted = service.tasks_counted_for_maximum(counts_stopping);
            assert!(
                counted <= limit,
                "{}: {} tasks, more than maximumPercent allows ({})",
                service.service_name,
                counted,
                limit
            );
        }
    }
}
