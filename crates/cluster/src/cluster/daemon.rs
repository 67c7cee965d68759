//! DAEMON services (ECS.md §4.1): one task on each ACTIVE instance that meets the placement
//! constraints, the first to launch on a new instance and the last to stop on a draining
//! one; deployments replace them instance by instance within `minimumHealthyPercent`.

use std::sync::Arc;

use super::{Cluster, Ctx};
use crate::change::{Change, ServiceMessage};
use crate::explain::{needs_text, shortfall_text, Step, StepKind};
use crate::ids::{InstanceId, ServiceId, TaskId};
use crate::placement::{
    first_shortfall, PlacementFailure, PlacementRequest, PlacementView, Unplaced,
};

impl Cluster {
    /// A pass of every DAEMON service, now: used when an instance registers or becomes
    /// ACTIVE again, so daemon tasks go before replica tasks.
    pub(super) fn daemon_passes(&mut self, ctx: &mut Ctx<'_>) {
        let daemons: Vec<ServiceId> = self
            .services
            .iter()
            .filter(|service| service.is_daemon())
            .map(|service| service.id)
            .collect();
        for id in daemons {
            self.daemon_pass(id, ctx);
        }
    }

    /// One pass of a DAEMON service: its desired count is the number of eligible
    /// instances; an eligible instance without a task of the service gets one (if it fits:
    /// otherwise a placement failure, retried at the next pass); tasks of older deployments
    /// are stopped as far as `minimumHealthyPercent` allows, and replaced once stopped
    /// (`maximumPercent` is 100).
    pub(super) fn daemon_pass(&mut self, id: ServiceId, ctx: &mut Ctx<'_>) {
        let now = ctx.now;
        let service = &self.services[id.index()];
        let primary = service.deployments.len() as u32 - 1;
        let definition = service.task_definition();
        let group = service.group;
        let placement = self.scheduler.placement(id, definition);
        let view = PlacementView::new(
            &self.capacity,
            &self.tasks,
            self.config.parameters.tie_break,
        );
        let request = PlacementRequest {
            task_definition: &self.config.task_definitions[definition.index()],
            requirements: &self.config.requirements[definition.index()],
            group,
            service: Some(id),
        };
        let eligible: Vec<InstanceId> = self
            .capacity
            .active_instances()
            .filter(|instance| {
                placement
                    .constraints
                    .iter()
                    .all(|constraint| constraint.allows(&request, &view, instance))
            })
            .map(|instance| instance.id)
            .collect();
        let desired = eligible.len() as u32;
        // The service's tasks per instance: (any not STOPPED, current, outgoing active).
        let mut to_start: Vec<InstanceId> = Vec::new();
        let mut outgoing: Vec<TaskId> = Vec::new();
        let mut healthy = 0u32;
        let mut steady = true;
        for &instance in &eligible {
            let tasks: Vec<TaskId> = self
                .capacity
                .instance(instance)
                .tasks
                .iter()
                .copied()
                .filter(|&task| self.tasks.get(task).service == Some(id))
                .collect();
            if tasks.is_empty() {
                to_start.push(instance);
                steady = false;
                continue;
            }
            for task_id in tasks {
                let task = self.tasks.get(task_id);
                if !task.last_status.is_active() {
                    steady = false;
                    continue;
                }
                let current = task.deployment == Some(primary) && !task.health.unhealthy;
                if task.is_healthy(now) {
                    healthy += 1;
                }
                if current {
                    steady &= task.is_healthy(now);
                } else {
                    outgoing.push(task_id);
                    steady = false;
                }
            }
        }
        let service = &self.services[id.index()];
        let min_healthy = service.deployment_configuration.min_healthy(desired);
        let mut budget = healthy.saturating_sub(min_healthy);
        let reason: Arc<str> = Arc::from(format!(
            "Scaling activity initiated by (deployment {})",
            service.primary().id
        ));
        let explain = self.config.explain;
        let mut stops = Vec::new();
        let mut why: Vec<Vec<Step>> = Vec::new();
        for task in outgoing {
            let task_ref = self.tasks.get(task);
            let unhealthy = task_ref.health.unhealthy;
            let idle = unhealthy || !task_ref.is_healthy(now);
            if !idle && budget == 0 {
                continue;
            }
            if explain {
                why.push(self.explain_daemon_stop(
                    id,
                    task,
                    idle,
                    (healthy, min_healthy, budget),
                    &reason,
                ));
            }
            if !idle {
                budget -= 1;
            }
            stops.push(task);
        }
        let from = service.desired_count;
        if from != desired {
            self.services[id.index()].desired_count = desired;
            self.services[id.index()].limit_lowered_at = now;
            self.emit(
                ctx,
                Change::DesiredCountChanged {
                    service: &self.services[id.index()],
                    from,
                },
            );
        }
        let stopped = stops.len() as u32;
        let stops = stops
            .into_iter()
            .map(|task| (task, Arc::clone(&reason)))
            .collect();
        self.stop_for_service(id, stops, why, ctx);
        let failed_or_throttled = self.services[id.index()].primary().is_failed()
            || now < self.services[id.index()].throttled_until;
        let mut started_tasks = self.scheduler.take_started();
        let mut unplaced = 0;
        let mut first_unplaced = None;
        if !failed_or_throttled {
            let eligible_count = eligible.len();
            for instance in to_start {
                let needs = &self.config.requirements[definition.index()];
                let shortfall = first_shortfall(
                    needs,
                    self.capacity.instance(instance),
                    self.capacity.dynamic_port_range(),
                );
                let steps =
                    explain.then(|| self.daemon_steps(id, instance, eligible_count, shortfall));
                match shortfall {
                    None => {
                        let service = Some((id, primary));
                        let task =
                            self.start_task_as(definition, group, service, instance, None, ctx);
                        started_tasks.push(self.tasks.get(task).number);
                        if let Some(steps) = steps {
                            self.emit(
                                ctx,
                                Change::PlacementExplained {
                                    group,
                                    service: Some(id),
                                    task: Some(self.tasks.get(task)),
                                    instance: Some(instance),
                                    steps: &steps,
                                },
                            );
                        }
                    }
                    Some(failure) => {
                        unplaced += 1;
                        if let Some(steps) = steps {
                            self.emit(
                                ctx,
                                Change::PlacementExplained {
                                    group,
                                    service: Some(id),
                                    task: None,
                                    instance: None,
                                    steps: &steps,
                                },
                            );
                        }
                        self.daemon_unplaced(id, failure, ctx);
                        first_unplaced.get_or_insert(Unplaced {
                            failure,
                            closest: Some(instance),
                            constraint: None,
                        });
                    }
                }
            }
        }
        let started = started_tasks.len() as u32;
        if !started_tasks.is_empty() {
            let message = ServiceMessage::TasksStarted {
                tasks: &started_tasks,
            };
            self.emit_message(id, message, ctx);
        }
        self.scheduler.started = started_tasks;
        match first_unplaced {
            Some(first) => self.report_unplaced(id, definition, first, ctx),
            None if started > 0 => self.services[id.index()].unplaced_reported = None,
            None => {}
        }
        if steady && desired > 0 {
            self.deployment_reached_steady_state(id, ctx);
        } else {
            self.services[id.index()].steady = false;
        }
        self.emit(
            ctx,
            Change::ServiceSchedulerPass {
                service: &self.services[id.index()],
                started,
                stopped,
                unplaced,
            },
        );
        if unplaced > 0 {
            // ECS keeps waiting for resources (ECS.md §4.1).
            self.request_pass(id, ctx);
        }
    }

    /// Why a DAEMON pass stops `task`, an outgoing task: not healthy (`idle`), or healthy
    /// within `(healthy, min_healthy, budget)`.
    #[cold]
    #[inline(never)]
    fn explain_daemon_stop(
        &self,
        id: ServiceId,
        task: TaskId,
        idle: bool,
        (healthy, min_healthy, budget): (u32, u32, u32),
        reason: &str,
    ) -> Vec<Step> {
        let task = self.tasks.get(task);
        let whose = if task.health.unhealthy {
            "unhealthy".to_string()
        } else {
            format!(
                "of an older deployment, while {} is PRIMARY",
                self.services[id.index()].primary().id
            )
        };
        let detail = if idle {
            format!("DAEMON: outgoing task ({whose}) that is not healthy: no limit holds it")
        } else {
            format!(
                "DAEMON: outgoing task ({whose}), healthy: {healthy} healthy tasks with at least {min_healthy} to keep, {budget} may stop"
            )
        };
        let instance = self.capacity.instance(task.instance);
        vec![
            Step::new(StepKind::Daemon, 1, 1, detail),
            Step::new(
                StepKind::Stopped,
                1,
                1,
                format!(
                    "{} on {} in {}: ServiceSchedulerInitiated: {reason}",
                    task.name(),
                    instance.ec2_instance_id,
                    self.capacity.zone_name(instance.availability_zone)
                ),
            ),
        ]
    }

    /// Why a DAEMON task goes on `instance`, or cannot: the instance is eligible and runs
    /// none of the service's tasks; it has room, or its first shortfall.
    #[cold]
    #[inline(never)]
    fn daemon_steps(
        &self,
        id: ServiceId,
        instance: InstanceId,
        eligible: usize,
        shortfall: Option<PlacementFailure>,
    ) -> Vec<Step> {
        let service = &self.services[id.index()];
        let needs = &self.config.requirements[service.task_definition().index()];
        let host = self.capacity.instance(instance);
        let id_text = &host.ec2_instance_id;
        let mut steps = vec![Step::new(
            StepKind::Daemon,
            eligible,
            1,
            format!(
                "DAEMON: one task on each of the {eligible} ACTIVE instances that meet the constraints; {id_text} runs none of {}",
                service.service_name
            ),
        )];
        match shortfall {
            None => {
                steps.push(Step::new(
                    StepKind::Resources,
                    1,
                    1,
                    format!("{id_text} has room for {}", needs_text(needs)),
                ));
                steps.push(Step::new(
                    StepKind::Placed,
                    1,
                    1,
                    format!(
                        "on {id_text} in {}, which had {} CPU units and {} MiB left",
                        self.capacity.zone_name(host.availability_zone),
                        host.remaining_cpu_units,
                        host.remaining_memory_mib
                    ),
                ));
            }
            Some(failure) => {
                steps.push(Step::new(
                    StepKind::Resources,
                    1,
                    0,
                    format!("{id_text} lacks room for {}", needs_text(needs)),
                ));
                steps.push(Step::new(
                    StepKind::Failed,
                    0,
                    0,
                    format!(
                        "{}: {id_text} {}",
                        failure.reason(),
                        shortfall_text(failure, needs, host)
                    ),
                ));
            }
        }
        steps
    }

    fn daemon_unplaced(&mut self, id: ServiceId, failure: PlacementFailure, ctx: &mut Ctx<'_>) {
        let service = &self.services[id.index()];
        self.emit(
            ctx,
            Change::PlacementFailed {
                group: service.group,
                service: Some(id),
                task_definition: service.task_definition(),
                reason: failure.reason(),
                count: 1,
            },
        );
    }
}
