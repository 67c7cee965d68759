//! The task lifecycle (ECS.md §3): launch on an instance with its resources reserved,
//! PROVISIONING (awsvpc) -> PENDING -> ACTIVATING (load balancer targets) -> RUNNING ->
//! DEACTIVATING (deregistration delay) -> STOPPING (stop timeout) -> DEPROVISIONING (awsvpc)
//! -> STOPPED, the health the service scheduler sees (ECS.md §3.5, §4.4, §4.6, §4.7), and the
//! release of resources at STOPPED (A19), after which the model forgets the task.

use std::sync::Arc;

use des::rng::{self, Stream};
use des::SimTime;

use super::{Cluster, Ctx};
use crate::change::Change;
use crate::event::Event;
use crate::ids::{GroupId, InstanceId, ServiceId, TaskDefId, TaskId};
use crate::instance::InstanceStatus;
use crate::spec::{ContainerHealthCheck, NetworkMode, TargetGroupSpec};
use crate::task::{Health, StopCode, Task, TaskStatus};

/// Which of a task's workload draws: each has its own stream, keyed by task.
#[derive(Clone, Copy)]
enum Draw {
    Startup = 0,
    Runtime = 1,
    Shutdown = 2,
    Unhealthy = 3,
}

/// Draws per task in the workload key space (`ordinal x DRAWS + draw`).
const DRAWS: u64 = 4;

impl Cluster {
    /// Creates a task on `instance` and reserves its CPU, memory, ENI and host ports: ECS's
    /// StartTask, from outside an event (tests, examples). Returns the new task's id. The
    /// instance must take tasks and have room (`placement::first_shortfall`). Its
    /// zero-length phases are applied before this returns, as `handle` would.
    pub fn start_task(
        &mut self,
        task_definition: TaskDefId,
        group: GroupId,
        service: Option<(ServiceId, u32)>,
        instance_id: InstanceId,
        ctx: &mut Ctx<'_>,
    ) -> TaskId {
        let id = self.start_task_as(task_definition, group, service, instance_id, None, ctx);
        self.apply_due_now(ctx);
        id
    }

    /// `start_task` inside an event, the last step of every placement, for a task that may
    /// have a capacity provider and may have been created earlier, waiting in PROVISIONING
    /// (`waited`: its number and creation time). A zero-length first phase is due now.
    pub(super) fn start_task_as(
        &mut self,
        task_definition: TaskDefId,
        group: GroupId,
        service: Option<(ServiceId, u32)>,
        instance_id: InstanceId,
        provider: Option<(u16, Option<(u64, SimTime)>)>,
        ctx: &mut Ctx<'_>,
    ) -> TaskId {
        let (id, mut number) = self.tasks.next_slot();
        let mut created_at = ctx.now;
        if let Some((_, Some((waited_number, waited_since)))) = provider {
            number = waited_number;
            created_at = waited_since;
        }
        let needs = &self.config.requirements[task_definition.index()];
        let host_ports = self.capacity.reserve(instance_id, id, needs);
        let zone = self.capacity.instance(instance_id).availability_zone;
        let status = if needs.eni {
            TaskStatus::Provisioning
        } else {
            TaskStatus::Pending
        };
        let ordinal = self.tasks.group_enter(group, instance_id, zone);
        if let Some((service, _)) = service {
            let service = &mut self.services[service.index()];
            service.tasks.insert(number, id);
            service.active_count += 1;
        }
        self.tasks.insert(Task {
            id,
            number,
            group,
            ordinal,
            service: service.map(|(service, _)| service),
            task_definition,
            instance: instance_id,
            availability_zone: zone,
            created_at,
            placed_at: ctx.now,
            started_at: None,
            stopping_at: None,
            stopped_at: None,
            last_status: status,
            stop_code: None,
            stopped_reason: None,
            exit_code: None,
            deployment: service.map(|(_, deployment)| deployment),
            health: Health {
                healthy_at: None,
                target_healthy: false,
                unhealthy: false,
                failed_load_balancer: false,
            },
            registered: false,
            host_ports,
            timers: Vec::new(),
            phase_due_now: None,
            capacity_provider: provider.map(|(provider, _)| provider),
        });
        let length_ms = self
            .phase_length_ms(id)
            .expect("PROVISIONING and PENDING end");
        let next = if status == TaskStatus::Provisioning {
            Event::TaskProvisioned { task: id }
        } else {
            Event::TaskStarted { task: id }
        };
        self.begin_phase(id, length_ms, next, ctx);
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
            Draw::Unhealthy => workload
                .unhealthy_after
                .as_ref()
                .expect("asked only when set"),
        };
        // Keyed by the task's group and ordinal in it, not its slot or number: the n-th task
        // of a service gets the same draws whatever other services and placements did.
        let key = [
            u64::from(task.group.0),
            u64::from(task.ordinal) * DRAWS + draw as u64,
        ];
        distribution.sample_from(|| rng::stream(self.config.seed, Stream::Workload, key))
    }

    /// How long the phase task `id` is in lasts, from its start to the event that ends it:
    /// `eniAttachTime` (PROVISIONING), `startupTime` (PENDING), the workload's runtime
    /// (RUNNING, when it has one), the deregistration delay (DEACTIVATING), the shutdown
    /// (STOPPING) and `eniDetachTime` (DEPROVISIONING). `None` for a phase no event ends.
    /// The draws are keyed by task, so asking again gives the same length.
    pub(super) fn phase_length_ms(&self, id: TaskId) -> Option<u64> {
        let task = self.tasks.get(id);
        let workload = &self.config.task_definitions[task.task_definition.index()].workload;
        match task.last_status {
            TaskStatus::Provisioning => Some(self.config.parameters.eni_attach_ms),
            TaskStatus::Pending => Some(self.draw(id, Draw::Startup)),
            TaskStatus::Running => workload
                .runtime
                .is_some()
                .then(|| self.draw(id, Draw::Runtime)),
            TaskStatus::Deactivating => Some(self.deregistration_delay_ms(id)),
            TaskStatus::Stopping => Some(self.stopping_ms(id)),
            TaskStatus::Deprovisioning => Some(self.config.parameters.eni_detach_ms),
            TaskStatus::Activating | TaskStatus::Stopped => None,
        }
    }

    pub(super) fn task_provisioned(&mut self, id: TaskId, ctx: &mut Ctx<'_>) {
        let task = self.tasks.get_mut(id);
        task.timers.clear();
        task.last_status = TaskStatus::Pending;
        let length_ms = self.phase_length_ms(id).expect("PENDING ends");
        self.begin_phase(id, length_ms, Event::TaskStarted { task: id }, ctx);
        self.emit(
            ctx,
            Change::TaskPending {
                task: self.tasks.get(id),
            },
        );
    }

    /// Every container started: ACTIVATING (registered with the service's target groups)
    /// and RUNNING; or, for a workload with `startFailure`, STOPPED without ever running
    /// (ECS.md §3.4, §4.9).
    pub(super) fn task_started(&mut self, id: TaskId, ctx: &mut Ctx<'_>) {
        self.tasks.get_mut(id).timers.clear();
        let definition = self.tasks.get(id).task_definition;
        let workload = &self.config.task_definitions[definition.index()].workload;
        if let Some(reason) = &workload.start_failure {
            let reason: Arc<str> = Arc::from(reason.as_str());
            self.fail_to_start(id, reason, ctx);
            return;
        }
        let has_runtime = workload.runtime.is_some();
        let exit_code = workload.exit_code;
        let service = self.tasks.get(id).service;
        let load_balanced =
            service.is_some_and(|s| !self.services[s.index()].load_balancers.is_empty());
        if load_balanced {
            let task = self.tasks.get_mut(id);
            task.last_status = TaskStatus::Activating;
            task.registered = true;
            self.emit(
                ctx,
                Change::TaskActivating {
                    task: self.tasks.get(id),
                },
            );
        }
        let task = self.tasks.get_mut(id);
        task.last_status = TaskStatus::Running;
        task.started_at = Some(ctx.now);
        if let Some(service) = service {
            self.services[service.index()].running_count += 1;
            let definition = self.tasks.get(id).task_definition;
            self.scaling.running_changed(service, definition, true);
            self.task_reached_running(id, ctx);
            self.plan_health(id, ctx);
            let healthy_at = self.tasks.get(id).health.healthy_at;
            let service = &mut self.services[service.index()];
            service.healthy_by = service.healthy_by.zip(healthy_at).map(|(a, b)| a.max(b));
        }
        if has_runtime {
            let length_ms = self.phase_length_ms(id).expect("a runtime ends RUNNING");
            let exited = Event::TaskExited {
                task: id,
                exit_code,
                container: None,
            };
            self.begin_phase(id, length_ms, exited, ctx);
        }
        self.plan_task_faults(id, ctx);
        self.emit(
            ctx,
            Change::TaskRunning {
                task: self.tasks.get(id),
            },
        );
        if let Some(service) = service {
            // A pass when the task counts as healthy: a deployment or a steady state may
            // then be complete.
            if let Some(at) = self.tasks.get(id).health.healthy_at {
                self.request_pass_at(service, at, ctx);
            }
        }
    }

    /// Works out when a service task counts as healthy and whether (and when) it fails its
    /// health checks, from its container health checks, its target groups and the
    /// workload's `unhealthyAfter` (ECS.md §3.5, §4.4, §4.6, §4.7). Checks run every
    /// interval from RUNNING; a target needs `elbInitialHealthyChecks` passing checks (A13)
    /// and goes unhealthy after `unhealthyThresholdCount` failing ones; a container after
    /// `retries` failing ones not inside its `startPeriod`.
    fn plan_health(&mut self, id: TaskId, ctx: &mut Ctx<'_>) {
        let task = self.tasks.get(id);
        let service = &self.services[task.service.expect("service tasks only").index()];
        let definition = &self.config.task_definitions[task.task_definition.index()];
        let parameters = &self.config.parameters;
        let checks: Vec<ContainerHealthCheck> = definition
            .container_definitions
            .iter()
            .filter(|container| container.essential)
            .filter_map(|container| container.health_check)
            .collect();
        let groups: Vec<&TargetGroupSpec> = service
            .load_balancers
            .iter()
            .map(|lb| &self.config.target_groups[lb.target_group as usize])
            .collect();
        let start = ctx.now;
        let failing_from = if (checks.is_empty() && groups.is_empty())
            || definition.workload.unhealthy_after.is_none()
        {
            None
        } else {
            Some(self.draw(id, Draw::Unhealthy))
        };
        let mut healthy_after = Some(0u64);
        let mut unhealthy_after: Option<u64> = None;
        let mut target_healthy_after = Some(0u64);
        let mut target_first = false;
        if checks.is_empty() && groups.is_empty() {
            healthy_after = Some(parameters.healthy_delay_ms);
        }
        for check in &checks {
            let passes_first = failing_from.is_none_or(|u| check.interval_ms < u);
            healthy_after = healthy_after
                .zip(passes_first.then_some(check.interval_ms))
                .map(|(a, b)| a.max(b));
            if let Some(u) = failing_from {
                let first_failing = u.div_ceil(check.interval_ms).max(1);
                let first_counted = if first_failing > 1 {
                    first_failing
                } else {
                    check.start_period_ms.div_ceil(check.interval_ms).max(1)
                };
                let at = (first_counted + u64::from(check.retries) - 1) * check.interval_ms
                    + check.timeout_ms;
                unhealthy_after = Some(unhealthy_after.map_or(at, |other| other.min(at)));
            }
        }
        for group in &groups {
            let initial =
                u64::from(parameters.elb_initial_healthy_checks) * group.health_check_interval_ms;
            let passes = failing_from.is_none_or(|u| initial < u);
            target_healthy_after = target_healthy_after
                .zip(passes.then_some(initial))
                .map(|(a, b)| a.max(b));
            if let Some(u) = failing_from {
                let first_failing = u.div_ceil(group.health_check_interval_ms).max(1);
                let at = (first_failing + u64::from(group.unhealthy_threshold_count) - 1)
                    * group.health_check_interval_ms
                    + group.health_check_timeout_ms;
                if unhealthy_after.is_none_or(|other| at < other) {
                    unhealthy_after = Some(at);
                    target_first = true;
                } else {
                    target_first = false;
                }
            }
        }
        if !groups.is_empty() {
            healthy_after = healthy_after
                .zip(target_healthy_after)
                .map(|(a, b)| a.max(b));
        }
        let grace = service.health_check_grace_period_ms;
        let task = self.tasks.get_mut(id);
        task.health.healthy_at = healthy_after.map(|after| start.plus_ms(after));
        if let (false, Some(after)) = (groups.is_empty(), target_healthy_after) {
            let key = ctx
                .queue
                .schedule(start.plus_ms(after), Event::TargetHealthy { task: id });
            task.timers.push(key);
        }
        if let Some(after) = unhealthy_after {
            // Failures inside the grace period are ignored (ECS.md §4.6); the app does not
            // recover here, so it is found unhealthy when the grace period ends.
            let at = start.plus_ms(after.max(grace));
            let key = ctx.queue.schedule(at, Event::TaskUnhealthy { task: id });
            task.timers.push(key);
            task.health.failed_load_balancer = target_first;
        }
    }
}

impl Cluster {
    /// The task's targets passed their initial health checks.
    pub(super) fn target_healthy(&mut self, id: TaskId, ctx: &mut Ctx<'_>) {
        self.tasks.get_mut(id).health.target_healthy = true;
        self.emit(
            ctx,
            Change::TargetHealthy {
                task: self.tasks.get(id),
            },
        );
    }

    /// The task failed its health checks: the service scheduler replaces it, starting the
    /// replacement first when `maximumPercent` allows (ECS.md §3.5, §4.8).
    pub(super) fn task_unhealthy(&mut self, id: TaskId, ctx: &mut Ctx<'_>) {
        let task = self.tasks.get_mut(id);
        task.health.unhealthy = true;
        let load_balancer = task.health.failed_load_balancer;
        let service = task.service.expect("only service tasks are checked");
        self.services[service.index()].unhealthy_count += 1;
        self.emit(
            ctx,
            Change::TaskUnhealthy {
                task: self.tasks.get(id),
                load_balancer,
            },
        );
        self.count_deployment_failure(id, false, ctx);
        self.request_pass(service, ctx);
    }

    /// A container exited by itself. The essential one stops the task and every other
    /// container is stopped (ECS.md §3.2); a non-essential one leaves the task running.
    pub(super) fn task_exited(
        &mut self,
        id: TaskId,
        exit_code: i32,
        container: Option<u32>,
        ctx: &mut Ctx<'_>,
    ) {
        let task = self.tasks.get(id);
        assert_eq!(
            task.last_status,
            TaskStatus::Running,
            "only RUNNING tasks exit"
        );
        let definition = &self.config.task_definitions[task.task_definition.index()];
        if let Some(index) = container {
            let container = &definition.container_definitions[index as usize];
            if !container.essential {
                self.emit(
                    ctx,
                    Change::ContainerExited {
                        task: self.tasks.get(id),
                        container: &container.name,
                        exit_code,
                    },
                );
                return;
            }
        }
        self.tasks.get_mut(id).exit_code = Some(exit_code);
        let reason = Arc::clone(&self.config.essential_container_exited);
        self.stop(id, StopCode::EssentialContainerExited, reason, ctx);
    }

    /// A decided stop (desired status STOPPED): a registered task is deregistered and
    /// drains for its target groups' deregistration delay (DEACTIVATING) before SIGTERM;
    /// others go to STOPPING now (ECS.md §3.3). A service task that leaves the active set
    /// asks for a scheduler pass.
    pub(super) fn stop(
        &mut self,
        id: TaskId,
        stop_code: StopCode,
        reason: Arc<str>,
        ctx: &mut Ctx<'_>,
    ) {
        self.cancel_timers(id, ctx);
        self.leave_active(id);
        let task = self.tasks.get_mut(id);
        task.stopping_at = Some(ctx.now);
        task.stop_code = Some(stop_code);
        task.stopped_reason = Some(reason);
        let service = task.service;
        if task.registered {
            self.tasks.get_mut(id).last_status = TaskStatus::Deactivating;
            let delay_ms = self.phase_length_ms(id).expect("DEACTIVATING ends");
            self.begin_phase(id, delay_ms, Event::TaskDeregistered { task: id }, ctx);
            self.emit(
                ctx,
                Change::TaskDeactivating {
                    task: self.tasks.get(id),
                    delay_ms,
                },
            );
        } else {
            self.enter_stopping(id, ctx);
        }
        if let Some(service) = service {
            self.request_pass(service, ctx);
        }
    }

    /// The longest deregistration delay of the task's target groups.
    fn deregistration_delay_ms(&self, id: TaskId) -> u64 {
        let service = self
            .tasks
            .get(id)
            .service
            .expect("registered tasks belong to services");
        self.services[service.index()]
            .load_balancers
            .iter()
            .map(|lb| self.config.target_groups[lb.target_group as usize].deregistration_delay_ms)
            .max()
            .unwrap_or(0)
    }

    /// The deregistration delay is over: the task is no longer a target, and STOPPING.
    pub(super) fn task_deregistered(&mut self, id: TaskId, ctx: &mut Ctx<'_>) {
        let task = self.tasks.get_mut(id);
        task.timers.clear();
        task.registered = false;
        self.enter_stopping(id, ctx);
    }

    /// SIGTERM: the containers take their shutdown time, cut short by SIGKILL at the stop
    /// timeout (ECS.md §3.3). An exited single-container task has nothing left to stop.
    fn enter_stopping(&mut self, id: TaskId, ctx: &mut Ctx<'_>) {
        self.tasks.get_mut(id).last_status = TaskStatus::Stopping;
        let shutdown_ms = self.phase_length_ms(id).expect("STOPPING ends");
        self.begin_phase(id, shutdown_ms, Event::TaskStopped { task: id }, ctx);
        self.emit(
            ctx,
            Change::TaskStopping {
                task: self.tasks.get(id),
            },
        );
    }

    /// How long STOPPING lasts: nothing for an exited single-container task, else the
    /// containers' own shutdown, cut short by SIGKILL at the stop timeout (ECS.md §3.3).
    fn stopping_ms(&self, id: TaskId) -> u64 {
        let task = self.tasks.get(id);
        let definition = &self.config.task_definitions[task.task_definition.index()];
        if task.exit_code.is_some() && definition.container_definitions.len() <= 1 {
            return 0;
        }
        let parameters = &self.config.parameters;
        let stop_timeout_ms = definition
            .container_definitions
            .iter()
            .map(|c| c.stop_timeout_ms.unwrap_or(parameters.stop_timeout_ms))
            .max()
            .unwrap_or(parameters.stop_timeout_ms);
        self.draw(id, Draw::Shutdown).min(stop_timeout_ms)
    }

    /// Every container stopped: an awsvpc task detaches its ENI (DEPROVISIONING) first.
    pub(super) fn task_stopped(&mut self, id: TaskId, ctx: &mut Ctx<'_>) {
        self.tasks.get_mut(id).timers.clear();
        let detach_ms = self.config.parameters.eni_detach_ms;
        let awsvpc = self.config.task_definitions[self.tasks.get(id).task_definition.index()]
            .network_mode
            == NetworkMode::Awsvpc;
        if awsvpc && detach_ms > 0 {
            let task = self.tasks.get_mut(id);
            task.last_status = TaskStatus::Deprovisioning;
            let key = ctx.queue.schedule(
                ctx.now.plus_ms(detach_ms),
                Event::TaskDeprovisioned { task: id },
            );
            task.timers.push(key);
            self.emit(
                ctx,
                Change::TaskDeprovisioning {
                    task: self.tasks.get(id),
                },
            );
        } else {
            self.finish_stop(id, ctx);
        }
    }

    pub(super) fn task_deprovisioned(&mut self, id: TaskId, ctx: &mut Ctx<'_>) {
        self.tasks.get_mut(id).timers.clear();
        self.finish_stop(id, ctx);
    }

    /// The task never reached RUNNING: PENDING to STOPPED with `TaskFailedToStart`. Its
    /// service counts it for the throttle and the circuit breaker (ECS.md §4.5, §4.9).
    fn fail_to_start(&mut self, id: TaskId, reason: Arc<str>, ctx: &mut Ctx<'_>) {
        self.leave_active(id);
        let task = self.tasks.get_mut(id);
        task.stopping_at = Some(ctx.now);
        task.stop_code = Some(StopCode::TaskFailedToStart);
        task.stopped_reason = Some(reason);
        if let Some(service) = task.service {
            self.note_start_failure(service, ctx);
            self.count_deployment_failure(id, true, ctx);
            self.request_pass(service, ctx);
        }
        self.task_stopped(id, ctx);
    }

    /// The host is gone: the task is STOPPED now, with ECS's reason (ECS.md §3.4, A14).
    pub(super) fn stop_task_at_once(
        &mut self,
        id: TaskId,
        stop_code: Option<StopCode>,
        reason: &Arc<str>,
        ctx: &mut Ctx<'_>,
    ) {
        self.cancel_timers(id, ctx);
        if self.tasks.get(id).last_status.is_active() {
            self.leave_active(id);
            let task = self.tasks.get_mut(id);
            task.stop_code = stop_code;
            task.stopped_reason = Some(Arc::clone(reason));
            task.stopping_at = Some(ctx.now);
        }
        self.tasks.get_mut(id).registered = false;
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
        let was_unhealthy = task.health.unhealthy;
        let (group, instance, zone, service, definition) = (
            task.group,
            task.instance,
            task.availability_zone,
            task.service,
            task.task_definition,
        );
        self.tasks.group_leave(group, instance, zone);
        self.capacity.task_deactivated(instance);
        if let Some(service) = service {
            let service = &mut self.services[service.index()];
            service.active_count -= 1;
            service.running_count -= u32::from(was_running);
            if was_running {
                self.scaling.running_changed(service.id, definition, false);
            }
            service.unhealthy_count -= u32::from(was_unhealthy);
        }
    }

    /// STOPPED: the task releases its resources and leaves its instance and service, its
    /// last change is told, and the model forgets it. A DRAINING instance may be done.
    fn finish_stop(&mut self, id: TaskId, ctx: &mut Ctx<'_>) {
        debug_assert!(
            !self.has_phase_due_now(id),
            "a STOPPED task has no phase due"
        );
        let task = self.tasks.get_mut(id);
        task.last_status = TaskStatus::Stopped;
        task.stopped_at = Some(ctx.now);
        let needs = &self.config.requirements[task.task_definition.index()];
        self.capacity
            .release(task.instance, id, needs, &task.host_ports);
        let service = task.service;
        if let Some(service) = service {
            self.services[service.index()].tasks.remove(&task.number);
        }
        let instance = task.instance;
        self.emit(
            ctx,
            Change::TaskStopped {
                task: self.tasks.get(id),
            },
        );
        self.tasks.remove(id);
        if let Some(service) = service {
            // Room under maximumPercent, or a daemon's instance free again.
            self.request_pass(service, ctx);
        }
        if self.capacity.instance(instance).status == InstanceStatus::Draining
            && self.terminating_now != Some(instance)
        {
            self.draining_progress(instance, ctx);
        }
    }

    /// A pass of `service` now, instead of any later one already due (a control-plane
    /// call the scheduler acts on at once).
    pub(super) fn pass_now(&mut self, service: ServiceId, ctx: &mut Ctx<'_>) {
        if let Some(key) = self.services[service.index()].pass.take() {
            ctx.queue.cancel(key);
        }
        self.request_pass_at(service, ctx.now, ctx);
    }

    /// Asks for a pass of `service` at `at` (not before the one already due).
    pub(super) fn request_pass_at(&mut self, service: ServiceId, at: SimTime, ctx: &mut Ctx<'_>) {
        let service = &mut self.services[service.index()];
        if service.pass.is_none() {
            service.pass = Some(ctx.queue.schedule(
                at.max(ctx.now),
                Event::ServiceSchedulerPassDue {
                    service: service.id,
                },
            ));
        }
    }
}
