//! The task lifecycle (ECS.md §3): launch on an instance with its resources reserved,
//! PROVISIONING (awsvpc) -> PENDING -> RUNNING -> STOPPING -> STOPPED, and the release of
//! resources at STOPPED (A19), after which the model forgets the task.

use std::sync::Arc;

use des::rng::{self, Stream};

use super::{Cluster, Ctx};
use crate::change::Change;
use crate::event::Event;
use crate::ids::{GroupId, InstanceId, ServiceId, TaskDefId, TaskId};
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
        let (id, number) = self.tasks.next_slot();
        let needs = &self.config.requirements[task_definition.index()];
        let host_ports = self.capacity.reserve(instance_id, id, needs);
        let zone = self.capacity.instance(instance_id).availability_zone;
        let status = if needs.eni {
            TaskStatus::Provisioning
        } else {
            TaskStatus::Pending
        };
        let ordinal = self.tasks.group_enter(group, instance_id, zone);
        if let Some(service) = service {
            let service = &mut self.services[service.index()];
            service.tasks.insert(number, id);
            service.active_count += 1;
        }
        self.tasks.insert(Task {
            id,
            number,
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
            let at = ctx.now.plus_ms(self.config.parameters.eni_attach_ms);
            ctx.queue.schedule(at, Event::TaskProvisioned { task: id })
        } else {
            let at = ctx.now.plus_ms(self.draw(id, Draw::Startup));
            ctx.queue.schedule(at, Event::TaskStarted { task: id })
        };
        self.tasks.get_mut(id).timers.push(next);
        self.emit(
            ctx,
            Change::TaskPlaced {
                task: self.tasks.get(id),
            },
        );
        id
    }

    /// One workload draw of a task, in milliseconds.
    fn draw(&self, id: TaskId, draw: Draw) -> u64 {
        let task = self.tasks.get(id);
        let workload = &self.config.task_definitions[task.task_definition.index()].workload;
        let distribution = match draw {
            Draw::Startup => &workload.startup,
            Draw::Runtime => workload.runtime.as_ref().expect("asked only when set"),
            Draw::Shutdown => &workload.shutdown,
        };
        // Keyed by the task's group and ordinal in it, not its slot or number: the n-th task
        // of a service gets the same draws whatever other services and placements did.
        let key = [
            u64::from(task.group.0),
            u64::from(task.ordinal) * 4 + draw as u64,
        ];
        distribution.sample_from(|| rng::stream(self.config.seed, Stream::Workload, key))
    }

    pub(super) fn task_provisioned(&mut self, id: TaskId, ctx: &mut Ctx<'_>) {
        let task = self.tasks.get_mut(id);
        task.timers.clear();
        task.last_status = TaskStatus::Pending;
        let at = ctx.now.plus_ms(self.draw(id, Draw::Startup));
        let key = ctx.queue.schedule(at, Event::TaskStarted { task: id });
        self.tasks.get_mut(id).timers.push(key);
        self.emit(
            ctx,
            Change::TaskPending {
                task: self.tasks.get(id),
            },
        );
    }

    pub(super) fn task_started(&mut self, id: TaskId, ctx: &mut Ctx<'_>) {
        let task = self.tasks.get_mut(id);
        task.timers.clear();
        task.last_status = TaskStatus::Running;
        task.started_at = Some(ctx.now);
        let (service, definition) = (task.service, task.task_definition);
        if let Some(service) = service {
            self.services[service.index()].running_count += 1;
        }
        if self.config.task_definitions[definition.index()]
            .workload
            .runtime
            .is_some()
        {
            let at = ctx.now.plus_ms(self.draw(id, Draw::Runtime));
            let key = ctx.queue.schedule(
                at,
                Event::TaskExited {
                    task: id,
                    exit_code: 0,
                },
            );
            self.tasks.get_mut(id).timers.push(key);
        }
        self.plan_task_faults(id, ctx);
        self.emit(
            ctx,
            Change::TaskRunning {
                task: self.tasks.get(id),
            },
        );
    }

    /// The essential container exited: every other container is stopped (ECS.md §3.2).
    pub(super) fn task_exited(&mut self, id: TaskId, exit_code: i32, ctx: &mut Ctx<'_>) {
        let task = self.tasks.get_mut(id);
        assert_eq!(
            task.last_status,
            TaskStatus::Running,
            "only RUNNING tasks exit"
        );
        task.exit_code = Some(exit_code);
        let containers = self.config.task_definitions[task.task_definition.index()]
            .container_definitions
            .len();
        // With one container nothing is left to stop; otherwise the rest get SIGTERM.
        let shutdown_ms = if containers > 1 {
            self.shutdown_ms(id)
        } else {
            0
        };
        let reason = Arc::clone(&self.config.essential_container_exited);
        self.begin_stopping(
            id,
            StopCode::EssentialContainerExited,
            reason,
            shutdown_ms,
            ctx,
        );
    }

    /// How long STOPPING lasts: the containers' own shutdown, cut short by SIGKILL at the
    /// stop timeout (ECS.md §3.3).
    fn shutdown_ms(&self, id: TaskId) -> u64 {
        let parameters = &self.config.parameters;
        let definition = &self.config.task_definitions[self.tasks.get(id).task_definition.index()];
        let stop_timeout_ms = definition
            .container_definitions
            .iter()
            .map(|c| c.stop_timeout_ms.unwrap_or(parameters.stop_timeout_ms))
            .max()
            .unwrap_or(parameters.stop_timeout_ms);
        self.draw(id, Draw::Shutdown).min(stop_timeout_ms)
    }

    /// Sends the task to STOPPING (desired status STOPPED); it reaches STOPPED after
    /// `shutdown_ms`. A service task that leaves the active set asks for a scheduler pass.
    pub(super) fn begin_stopping(
        &mut self,
        id: TaskId,
        stop_code: StopCode,
        reason: Arc<str>,
        shutdown_ms: u64,
        ctx: &mut Ctx<'_>,
    ) {
        for key in std::mem::take(&mut self.tasks.get_mut(id).timers) {
            ctx.queue.cancel(key);
        }
        self.leave_active(id);
        let task = self.tasks.get_mut(id);
        task.last_status = TaskStatus::Stopping;
        task.stopping_at = Some(ctx.now);
        task.stop_code = Some(stop_code);
        task.stopped_reason = Some(reason);
        let key = ctx.queue.schedule(
            ctx.now.plus_ms(shutdown_ms),
            Event::TaskStopped { task: id },
        );
        task.timers.push(key);
        let service = task.service;
        self.emit(
            ctx,
            Change::TaskStopping {
                task: self.tasks.get(id),
            },
        );
        if let Some(service) = service {
            self.request_pass(service, ctx);
        }
    }

    pub(super) fn task_stopped(&mut self, id: TaskId, ctx: &mut Ctx<'_>) {
        self.tasks.get_mut(id).timers.clear();
        self.finish_stop(id, ctx);
    }

    /// The host is gone: the task is STOPPED now, with ECS's reason and no stop code
    /// (ECS.md §3.4, A14).
    pub(super) fn stop_task_at_once(&mut self, id: TaskId, reason: &Arc<str>, ctx: &mut Ctx<'_>) {
        for key in std::mem::take(&mut self.tasks.get_mut(id).timers) {
            ctx.queue.cancel(key);
        }
        if self.tasks.get(id).last_status.is_active() {
            self.leave_active(id);
            let task = self.tasks.get_mut(id);
            task.stop_code = None;
            task.stopped_reason = Some(Arc::clone(reason));
            task.stopping_at = Some(ctx.now);
        }
        if let Some(service) = self.tasks.get(id).service {
            self.request_pass(service, ctx);
        }
        self.finish_stop(id, ctx);
    }

    /// Takes a task out of the counts of active tasks: its group, its instance's
    /// `runningTasksCount` and its service's active and running counts.
    fn leave_active(&mut self, id: TaskId) {
        let task = self.tasks.get(id);
        let was_running = task.last_status == TaskStatus::Running;
        let (group, instance, zone, service) = (
            task.group,
            task.instance,
            task.availability_zone,
            task.service,
        );
        self.tasks.group_leave(group, instance, zone);
        self.capacity.task_deactivated(instance);
        if let Some(service) = service {
            let service = &mut self.services[service.index()];
            service.active_count -= 1;
            service.running_count -= u32::from(was_running);
        }
    }

    /// STOPPED: the task releases its resources and leaves its instance and service, its
    /// last change is told, and the model forgets it.
    fn finish_stop(&mut self, id: TaskId, ctx: &mut Ctx<'_>) {
        let task = self.tasks.get_mut(id);
        task.last_status = TaskStatus::Stopped;
        task.stopped_at = Some(ctx.now);
        let needs = &self.config.requirements[task.task_definition.index()];
        self.capacity
            .release(task.instance, id, needs, &task.host_ports);
        if let Some(service) = task.service {
            self.services[service.index()].tasks.remove(&task.number);
        }
        self.emit(
            ctx,
            Change::TaskStopped {
                task: self.tasks.get(id),
            },
        );
        self.tasks.remove(id);
    }
}
