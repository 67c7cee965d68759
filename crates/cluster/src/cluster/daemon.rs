//! DAEMON services (ECS.md §4.1): one task on each ACTIVE instance that meets the placement
//! constraints, the first to launch on a new instance and the last to stop on a draining
//! one; deployments replace them instance by instance within `minimumHealthyPercent`.

use std::sync::Arc;

use super::{Cluster, Ctx};
use crate::change::Change;
use crate::ids::{InstanceId, ServiceId, TaskId};
use crate::placement::{first_shortfall, PlacementFailure, PlacementRequest, PlacementView};
use crate::task::StopCode;

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
        let mut stops = Vec::new();
        for task in outgoing {
            let task_ref = self.tasks.get(task);
            if task_ref.health.unhealthy || !task_ref.is_healthy(now) {
                stops.push(task);
            } else if budget > 0 {
                budget -= 1;
                stops.push(task);
            }
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
        for task in stops {
            self.stop(
                task,
                StopCode::ServiceSchedulerInitiated,
                Arc::clone(&reason),
                ctx,
            );
        }
        let failed_or_throttled = self.services[id.index()].primary().is_failed()
            || now < self.services[id.index()].throttled_until;
        let mut started = 0;
        let mut unplaced = 0;
        if !failed_or_throttled {
            for instance in to_start {
                let needs = &self.config.requirements[definition.index()];
                let shortfall = first_shortfall(
                    needs,
                    self.capacity.instance(instance),
                    self.capacity.dynamic_port_range(),
                );
                match shortfall {
                    None => {
                        self.start_task(definition, group, Some((id, primary)), instance, ctx);
                        started += 1;
                    }
                    Some(failure) => {
                        unplaced += 1;
                        self.daemon_unplaced(id, failure, ctx);
                    }
                }
            }
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
