//! The task lifecycle (ECS.md §3): launch on an instance with its resources reserved,
//! PROVISIONING (awsvpc) -> PENDING -> RUNNING -> STOPPING -> STOPPED, and the release of
//! resources at STOPPED (A19).

use des::rng::{self, Stream};
use des::SimTime;

use super::{Cluster, Ctx};
use crate::event::Event;
use crate::ids::{GroupId, InstanceId, ServiceId, TaskDefId, TaskId};
use crate::placement::{first_shortfall, Requirements};
use crate::spec::Protocol;
use crate::task::{StopCode, Task, TaskStatus};

/// Which of a task's workload draws: each has its own stream, keyed by task.
#[derive(Clone, Copy)]
enum Draw {
    Startup = 0,
    Runtime = 1,
    Shutdown = 2,
}

impl Cluster {
    /// Creates a task on `instance` and reserves its CPU, memory, ENI and host ports: ECS's
    /// StartTask, and the last step of every placement. Returns the new task's id.
    /// The instance must be ACTIVE and have room (`placement::first_shortfall`).
    pub fn start_task(
        &mut self,
        task_definition: TaskDefId,
        group: GroupId,
        service: Option<ServiceId>,
        instance_id: InstanceId,
        ctx: &mut Ctx<'_>,
    ) -> TaskId {
        let id = TaskId(self.tasks.len() as u32);
        let definition = &self.task_definitions[task_definition.index()];
        let (first, last) = self.dynamic_port_range();
        let instance = &mut self.instances[instance_id.index()];
        assert!(instance.is_active(), "tasks start only on ACTIVE instances");
        // Callers place first; starting a task that does not fit is a bug. Debug builds (and
        // so every test) check the whole fit; release builds still never let the
        // arithmetic below wrap.
        debug_assert_eq!(
            first_shortfall(&Requirements::of(definition), instance, (first, last)),
            None,
            "{} does not fit on {}",
            definition.name(),
            instance.ec2_instance_id
        );
        let overcommitted = "a task was started on an instance without room for it";
        instance.remaining_cpu_units = instance
            .remaining_cpu_units
            .checked_sub(definition.cpu_units)
            .expect(overcommitted);
        instance.remaining_memory_mib = instance
            .remaining_memory_mib
            .checked_sub(definition.memory_mib)
            .expect(overcommitted);
        if definition.needs_eni() {
            instance.remaining_enis = instance.remaining_enis.checked_sub(1).expect(overcommitted);
        }
        let mut host_ports = definition.static_host_ports();
        instance.reserved_port_count += host_ports.len();
        for &(protocol, port) in &host_ports {
            insert_port(instance.ports_mut(protocol), port);
        }
        for protocol in definition.dynamic_host_ports() {
            // The lowest free port of the ephemeral range: deterministic, and what a
            // fresh kernel hands out first.
            let ports = instance.ports_mut(protocol);
            let port = (first..=last)
                .find(|port| ports.binary_search(port).is_err())
                .expect("placement checked a free dynamic port");
            insert_port(ports, port);
            host_ports.push((protocol, port));
        }
        instance.tasks.push(id);
        instance.running_tasks_count += 1;
        let zone = instance.availability_zone;
        let status = if definition.needs_eni() {
            TaskStatus::Provisioning
        } else {
            TaskStatus::Pending
        };
        let group_state = &mut self.groups[group.index()];
        *group_state.per_instance.entry(instance_id).or_default() += 1;
        group_state.per_zone[zone.index()] += 1;
        let ordinal = group_state.launched;
        group_state.launched += 1;
        if let Some(service) = service {
            let service = &mut self.services[service.index()];
            service.tasks.push(id);
            service.active_count += 1;
        }
        self.tasks.push(Task {
            id,
            task_id: format!("t-{:06}", id.0 + 1),
            group,
            ordinal,
            service,
            task_definition,
            instance: instance_id,
            availability_zone: zone,
            created_at: ctx.now,
            started_at: None,
            stopping_at: None,
            stopped_at: None,
            last_status: status,
            stop_code: None,
            stopped_reason: None,
            exit_code: None,
            host_ports,
            timers: Vec::new(),
        });
        let next = if status == TaskStatus::Provisioning {
            let at = ctx.now.plus_ms(self.parameters.eni_attach_ms);
            ctx.queue.schedule(at, Event::TaskProvisioned { task: id })
        } else {
            let at = ctx.now.plus_ms(self.draw(id, Draw::Startup));
            ctx.queue.schedule(at, Event::TaskStarted { task: id })
        };
        self.tasks[id.index()].timers.push(next);
        let instance = &self.instances[instance_id.index()];
        ctx.observer.change(
            ctx.now,
            ctx.seq,
            "TaskPlaced",
            &self.tasks[id.index()].task_id,
            format_args!(
                "{} {} on {} in {}, {}",
                self.groups[group.index()].name,
                self.task_definitions[task_definition.index()].name(),
                instance.ec2_instance_id,
                self.zone_name(zone),
                status.as_str()
            ),
        );
        id
    }

    /// One workload draw of a task, in milliseconds.
    fn draw(&self, task: TaskId, draw: Draw) -> u64 {
        let workload =
            &self.task_definitions[self.tasks[task.index()].task_definition.index()].workload;
        let distribution = match draw {
            Draw::Startup => &workload.startup,
            Draw::Runtime => workload.runtime.as_ref().expect("asked only when set"),
            Draw::Shutdown => &workload.shutdown,
        };
        // Keyed by the task's group and ordinal in it, not its global id: the n-th task of a
        // service gets the same draws whatever other services and placements did.
        let task = &self.tasks[task.index()];
        let key = [
            u64::from(task.group.0),
            u64::from(task.ordinal) * 4 + draw as u64,
        ];
        distribution.sample(&mut rng::stream(self.seed, Stream::Workload, key))
    }

    pub(super) fn task_provisioned(&mut self, id: TaskId, ctx: &mut Ctx<'_>) {
        let task = &mut self.tasks[id.index()];
        task.timers.clear();
        task.last_status = TaskStatus::Pending;
        let at = ctx.now.plus_ms(self.draw(id, Draw::Startup));
        let key = ctx.queue.schedule(at, Event::TaskStarted { task: id });
        self.tasks[id.index()].timers.push(key);
        ctx.observer.change(
            ctx.now,
            ctx.seq,
            "TaskPending",
            &self.tasks[id.index()].task_id,
            format_args!("ENI attached"),
        );
    }

    pub(super) fn task_started(&mut self, id: TaskId, ctx: &mut Ctx<'_>) {
        let task = &mut self.tasks[id.index()];
        task.timers.clear();
        task.last_status = TaskStatus::Running;
        task.started_at = Some(ctx.now);
        if let Some(service) = task.service {
            self.change_running(service, 1, ctx.now);
            self.services[service.index()].stats.tasks_started += 1;
        }
        let definition = &self.task_definitions[self.tasks[id.index()].task_definition.index()];
        if definition.workload.runtime.is_some() {
            let at = ctx.now.plus_ms(self.draw(id, Draw::Runtime));
            let key = ctx.queue.schedule(
                at,
                Event::TaskExited {
                    task: id,
                    exit_code: 0,
                },
            );
            self.tasks[id.index()].timers.push(key);
        }
        self.plan_task_faults(id, ctx);
        let task = &self.tasks[id.index()];
        ctx.observer.change(
            ctx.now,
            ctx.seq,
            "TaskRunning",
            &task.task_id,
            format_args!(
                "{} s after it was placed",
                des::SimTime(ctx.now.since(task.created_at))
            ),
        );
    }

    /// The essential container exited: every other container is stopped (ECS.md §3.2).
    pub(super) fn task_exited(&mut self, id: TaskId, exit_code: i32, ctx: &mut Ctx<'_>) {
        let task = &mut self.tasks[id.index()];
        assert_eq!(
            task.last_status,
            TaskStatus::Running,
            "only RUNNING tasks exit"
        );
        task.exit_code = Some(exit_code);
        let containers = self.task_definitions[task.task_definition.index()]
            .container_definitions
            .len();
        // With one container nothing is left to stop; otherwise the rest get SIGTERM.
        let shutdown_ms = if containers > 1 {
            self.shutdown_ms(id)
        } else {
            0
        };
        self.begin_stopping(
            id,
            StopCode::EssentialContainerExited,
            "Essential container in task exited",
            shutdown_ms,
            ctx,
        );
    }

    /// How long STOPPING lasts: the containers' own shutdown, cut short by SIGKILL at the
    /// stop timeout (ECS.md §3.3).
    fn shutdown_ms(&self, id: TaskId) -> u64 {
        let definition = &self.task_definitions[self.tasks[id.index()].task_definition.index()];
        let stop_timeout_ms = definition
            .container_definitions
            .iter()
            .map(|c| c.stop_timeout_ms.unwrap_or(self.parameters.stop_timeout_ms))
            .max()
            .unwrap_or(self.parameters.stop_timeout_ms);
        self.draw(id, Draw::Shutdown).min(stop_timeout_ms)
    }

    /// Sends the task to STOPPING (desired status STOPPED); it reaches STOPPED after
    /// `shutdown_ms`. A service task that leaves the active set asks for a scheduler pass.
    pub(super) fn begin_stopping(
        &mut self,
        id: TaskId,
        stop_code: StopCode,
        reason: &str,
        shutdown_ms: u64,
        ctx: &mut Ctx<'_>,
    ) {
        for key in std::mem::take(&mut self.tasks[id.index()].timers) {
            ctx.queue.cancel(key);
        }
        self.leave_active(id, ctx.now);
        let task = &mut self.tasks[id.index()];
        task.last_status = TaskStatus::Stopping;
        task.stopping_at = Some(ctx.now);
        task.stop_code = Some(stop_code);
        task.stopped_reason = Some(reason.to_string());
        let key = ctx.queue.schedule(
            ctx.now.plus_ms(shutdown_ms),
            Event::TaskStopped { task: id },
        );
        task.timers.push(key);
        ctx.observer.change(
            ctx.now,
            ctx.seq,
            "TaskStopping",
            &task.task_id,
            format_args!("{}: {}", stop_code.as_str(), reason),
        );
        if let Some(service) = task.service {
            self.request_pass(service, ctx);
        }
    }

    pub(super) fn task_stopped(&mut self, id: TaskId, ctx: &mut Ctx<'_>) {
        self.tasks[id.index()].timers.clear();
        self.finish_stop(id, ctx);
    }

    /// The host is gone: the task is STOPPED now, with ECS's reason and no stop code
    /// (ECS.md §3.4, A14).
    pub(super) fn stop_task_at_once(&mut self, id: TaskId, reason: &str, ctx: &mut Ctx<'_>) {
        for key in std::mem::take(&mut self.tasks[id.index()].timers) {
            ctx.queue.cancel(key);
        }
        let task = &mut self.tasks[id.index()];
        if task.last_status.is_active() {
            task.stop_code = None;
            task.stopped_reason = Some(reason.to_string());
            task.stopping_at = Some(ctx.now);
            self.leave_active(id, ctx.now);
        }
        if let Some(service) = self.tasks[id.index()].service {
            self.request_pass(service, ctx);
        }
        self.finish_stop(id, ctx);
    }

    /// Takes a task out of the counts of active tasks: its group, its instance's
    /// `runningTasksCount` and its service's active and running counts.
    fn leave_active(&mut self, id: TaskId, now: SimTime) {
        let task = &self.tasks[id.index()];
        let was_running = task.last_status == TaskStatus::Running;
        let group = &mut self.groups[task.group.index()];
        let count = group
            .per_instance
            .get_mut(&task.instance)
            .expect("an active task is counted on its instance");
        *count -= 1;
        if *count == 0 {
            group.per_instance.remove(&task.instance);
        }
        group.per_zone[task.availability_zone.index()] -= 1;
        self.instances[task.instance.index()].running_tasks_count -= 1;
        if let Some(service) = task.service {
            self.services[service.index()].active_count -= 1;
            if was_running {
                self.change_running(service, -1, now);
            }
        }
    }

    /// STOPPED: the task releases its resources and leaves its instance and service.
    fn finish_stop(&mut self, id: TaskId, ctx: &mut Ctx<'_>) {
        let task = &mut self.tasks[id.index()];
        task.last_status = TaskStatus::Stopped;
        task.stopped_at = Some(ctx.now);
        let definition = &self.task_definitions[task.task_definition.index()];
        let instance = &mut self.instances[task.instance.index()];
        instance.remaining_cpu_units += definition.cpu_units;
        instance.remaining_memory_mib += definition.memory_mib;
        if definition.needs_eni() {
            instance.remaining_enis += 1;
        }
        for &(protocol, port) in &task.host_ports {
            let ports = instance.ports_mut(protocol);
            if let Ok(position) = ports.binary_search(&port) {
                ports.remove(position);
            }
        }
        instance.reserved_port_count -= definition.static_host_port_count();
        instance.tasks.retain(|&other| other != id);
        if let Some(service) = task.service {
            let service = &mut self.services[service.index()];
            service.tasks.retain(|&other| other != id);
            let failed = match task.stop_code {
                Some(StopCode::EssentialContainerExited) => task.exit_code != Some(0),
                Some(_) => false,
                None => true,
            };
            service.stats.tasks_failed += u64::from(failed);
        }
        ctx.observer.change(
            ctx.now,
            ctx.seq,
            "TaskStopped",
            &task.task_id,
            format_args!("{}", task.stopped_reason.as_deref().unwrap_or("")),
        );
        ctx.observer.task_stopped(self, &self.tasks[id.index()]);
    }

    /// Adds `delta` to a service's running count and keeps its availability figures.
    fn change_running(&mut self, service: ServiceId, delta: i32, now: SimTime) {
        let service = &mut self.services[service.index()];
        let before = service.running_count;
        service.running_count = before.checked_add_signed(delta).expect("count stays >= 0");
        service
            .stats
            .running_changed(now, before, service.running_count, service.desired_count);
    }
}

fn insert_port(ports: &mut Vec<u16>, port: u16) {
    let position = ports.binary_search(&port).unwrap_or_else(|p| p);
    ports.insert(position, port);
}

impl crate::instance::ContainerInstance {
    fn ports_mut(&mut self, protocol: Protocol) -> &mut Vec<u16> {
        match protocol {
            Protocol::Tcp => &mut self.ports_tcp,
            Protocol::Udp => &mut self.ports_udp,
        }
    }
}
