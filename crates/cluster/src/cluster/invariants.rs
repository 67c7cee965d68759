//! `check_invariants`: what must hold after every event. Tests call it after each event
//! over many seeds; a broken invariant is a bug in the model, so it panics with the detail.
//! Every derived count and index is recomputed from primary data and compared.

use super::Cluster;
use crate::instance::{InstanceStatus, MAX_RESERVED_PORTS};
use crate::spec::Protocol;
use crate::task::TaskStatus;

impl Cluster {
    /// Panics, naming the broken invariant, unless:
    /// - each instance's remaining CPU, memory and ENIs equal its registered amounts less
    ///   what its unstopped tasks reserve, and never go negative (no over-commitment);
    /// - no two unstopped tasks on an instance hold the same host port, and static
    ///   reservations stay within the 100-port limit;
    /// - every live task is on a live instance and listed there, and every task on an
    ///   INACTIVE one is gone;
    /// - the ACTIVE list, the placement indexes and the task-group counts equal what the
    ///   instances and tasks give when recounted;
    /// - a service's counts match its tasks, and it never has more tasks than its
    ///   deployment configuration allows (`maximumPercent`);
    /// - no task rests in a lifecycle phase of zero length (`phases.rs`).
    pub fn check_invariants(&self) {
        self.check_scaling();
        self.check_phases();
        for instance in self.capacity.instances() {
            let tasks: Vec<_> = instance
                .tasks
                .iter()
                .map(|&id| self.tasks.get(id))
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
            let mut ports: Vec<(Protocol, u16)> = instance
                .reserved_ports
                .iter()
                .map(|&p| (Protocol::Tcp, p))
                .collect();
            let mut static_ports = instance.reserved_ports.len();
            let mut active = 0;
            for task in &tasks {
                assert_ne!(
                    task.last_status,
                    TaskStatus::Stopped,
                    "{} is STOPPED but still on {}",
                    task.name(),
                    instance.ec2_instance_id
                );
                assert_eq!(
                    task.instance,
                    instance.id,
                    "{} is listed on the wrong instance",
                    task.name()
                );
                let needs = self.requirements(task.task_definition);
                cpu += u64::from(needs.cpu_units);
                memory += u64::from(needs.memory_mib);
                enis += u32::from(needs.eni);
                static_ports += needs.static_host_ports.len();
                ports.extend(task.host_ports.iter().copied());
                active += u32::from(task.last_status.is_active());
            }
            let mut sorted_ports = ports.clone();
            sorted_ports.sort_unstable();
            let mut listed: Vec<(Protocol, u16)> = instance
                .ports_tcp
                .iter()
                .map(|&p| (Protocol::Tcp, p))
                .chain(instance.ports_udp.iter().map(|&p| (Protocol::Udp, p)))
                .collect();
            listed.sort_unstable();
            assert_eq!(
                sorted_ports, listed,
                "{}: the ports in use are not the ports its tasks hold",
                instance.ec2_instance_id
            );
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
        for task in self.tasks.iter() {
            assert_ne!(
                task.last_status,
                TaskStatus::Stopped,
                "{} is STOPPED but still kept",
                task.name()
            );
            let instance = self.capacity.instance(task.instance);
            assert!(
                instance.status != InstanceStatus::Inactive,
                "{} runs on terminated {}",
                task.name(),
                instance.ec2_instance_id
            );
            assert!(
                instance.tasks.contains(&task.id),
                "{} is missing from its instance",
                task.name()
            );
            if let Some(service) = task.service {
                assert!(
                    self.services[service.index()].tasks.get(&task.number) == Some(&task.id),
                    "{} is missing from its service",
                    task.name()
                );
            }
        }
        self.capacity.check_indexes();
        self.tasks.check_groups();
        self.check_capacity_providers();
        let counts_stopping = self.config.parameters.max_percent_counts_stopping;
        for service in &self.services {
            let tasks = service.tasks.values().map(|&id| self.tasks.get(id));
            let active = tasks
                .clone()
                .filter(|task| task.last_status.is_active())
                .count() as u32;
            let running = tasks
                .clone()
                .filter(|task| task.last_status == TaskStatus::Running)
                .count() as u32;
            assert!(
                tasks.clone().all(|task| task.service == Some(service.id)),
                "{}: lists another service's task",
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
            let unhealthy = tasks
                .clone()
                .filter(|task| task.last_status.is_active() && task.health.unhealthy)
                .count() as u32;
            assert_eq!(
                unhealthy, service.unhealthy_count,
                "{}: unhealthy count is off",
                service.service_name
            );
            if let Some(by) = service.healthy_by {
                assert!(
                    tasks
                        .clone()
                        .filter(|task| task.last_status == TaskStatus::Running)
                        .all(|task| task.health.healthy_at.is_some_and(|at| at <= by)),
                    "{}: a RUNNING task turns healthy after healthy_by",
                    service.service_name
                );
            }
            // Lowering the desired count or maximumPercent can leave more tasks than the new
            // limit until the scheduler stops some; tasks started since must fit under it
            // (the scheduler also asserts it before every start).
            let limit = service
                .deployment_configuration
                .max_tasks(service.desired_count);
            let counted = service.tasks_counted_for_maximum(counts_stopping);
            let started_since_lowered = service
                .tasks
                .values()
                .filter(|&&id| self.tasks.get(id).created_at > service.limit_lowered_at)
                .count() as u32;
            if service.is_daemon() {
                // A DAEMON's maximumPercent is 100 per instance: never two active tasks of
                // it on one instance (its desired count leaves out DRAINING instances, whose
                // daemon tasks stop last).
                let mut hosts: Vec<_> = service
                    .tasks
                    .values()
                    .map(|&id| self.tasks.get(id))
                    .filter(|task| task.last_status.is_active())
                    .map(|task| task.instance)
                    .collect();
                let active = hosts.len();
                hosts.sort_unstable();
                hosts.dedup();
                assert_eq!(
                    hosts.len(),
                    active,
                    "{}: two active daemon tasks on one instance",
                    service.service_name
                );
            } else {
                assert!(
                    counted <= limit || started_since_lowered == 0,
                    "{}: {} tasks, more than maximumPercent allows ({})",
                    service.service_name,
                    counted,
                    limit
                );
            }
            assert!(
                service.deployments.iter().rev().skip(1).all(|deployment| {
                    deployment.status != crate::deployment::DeploymentStatus::Primary
                }) && service.primary().status == crate::deployment::DeploymentStatus::Primary,
                "{}: exactly the newest deployment is PRIMARY",
                service.service_name
            );
        }
    }
}
