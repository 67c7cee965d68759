//! The service scheduler (a reconciliation pass per service, ECS.md §4.1, §4.8) and
//! RunTask calls. Both place one task at a time, each placement seeing the reservations of
//! the ones before (ECS.md §1.8).

use super::{Cluster, Ctx};
use crate::change::Change;
use crate::event::Event;
use crate::ids::{GroupId, ServiceId, TaskDefId};
use crate::placement::{place, PlacementRequest, PlacementView};

/// Whose placement a batch of tasks uses.
#[derive(Clone, Copy)]
enum Requester {
    Service(ServiceId),
    RunTask(usize),
}

impl Cluster {
    /// Asks for a pass of the service scheduler one `schedulerInterval` from now, unless
    /// one is already due: the scheduler reacts to changes in batches, not per event (A10).
    pub(super) fn request_pass(&mut self, service: ServiceId, ctx: &mut Ctx<'_>) {
        let interval_ms = self.config.parameters.scheduler_interval_ms;
        let service = &mut self.services[service.index()];
        if service.pass.is_none() {
            let at = ctx.now.plus_ms(interval_ms);
            service.pass = Some(ctx.queue.schedule(
                at,
                Event::ServiceSchedulerPassDue {
                    service: service.id,
                },
            ));
        }
    }

    /// One reconciliation: start tasks until the service has `desiredCount` active ones, as
    /// far as `maximumPercent` allows. A task that cannot be placed creates no task object:
    /// it is a placement failure, retried at the next pass (ECS.md §1.7, A4).
    pub(super) fn service_pass(&mut self, id: ServiceId, ctx: &mut Ctx<'_>) {
        let counts_stopping = self.config.parameters.max_percent_counts_stopping;
        let service = &mut self.services[id.index()];
        service.pass = None;
        let desired = service.desired_count;
        let missing = desired.saturating_sub(service.active_count);
        let max_tasks = service.deployment_configuration.max_tasks(desired);
        let room = max_tasks.saturating_sub(service.tasks_counted_for_maximum(counts_stopping));
        let to_start = missing.min(room);
        let (task_definition, group) = (service.task_definition, service.group);
        let started = self.place_and_start(
            task_definition,
            group,
            Requester::Service(id),
            to_start,
            ctx,
        );
        if started < missing {
            // Short of capacity or held back by maximumPercent: look again next interval.
            self.request_pass(id, ctx);
        }
        self.emit(
            ctx,
            Change::ServiceSchedulerPass {
                service: &self.services[id.index()],
                started,
                unplaced: to_start - started,
            },
        );
    }

    /// A RunTask call: `count` tasks, placed one at a time; those that do not fit are
    /// failures returned to the caller and never retried (ECS.md §1.7).
    pub(super) fn run_task(&mut self, run: u32, ctx: &mut Ctx<'_>) {
        let index = run as usize;
        let spec = &self.scheduler.run_tasks[index].0;
        let (task_definition, count, every_ms) = (spec.task_definition, spec.count, spec.every_ms);
        let group = self.tasks.intern_group(&spec.group);
        self.place_and_start(
            task_definition,
            group,
            Requester::RunTask(index),
            count,
            ctx,
        );
        if let Some(every_ms) = every_ms {
            ctx.queue
                .schedule(ctx.now.plus_ms(every_ms), Event::RunTaskRequested { run });
        }
    }

    /// Places and starts up to `count` tasks; returns how many started. Once a placement
    /// fails, the rest would fail the same way (nothing changed), so each is recorded with
    /// the same reason without searching again.
    fn place_and_start(
        &mut self,
        task_definition: TaskDefId,
        group: GroupId,
        requester: Requester,
        count: u32,
        ctx: &mut Ctx<'_>,
    ) -> u32 {
        let service = match requester {
            Requester::Service(service) => Some(service),
            Requester::RunTask(_) => None,
        };
        for started in 0..count {
            let request = PlacementRequest {
                task_definition: &self.config.task_definitions[task_definition.index()],
                requirements: &self.config.requirements[task_definition.index()],
                group,
                service,
            };
            let placement = match requester {
                Requester::Service(service) => &self.scheduler.services[service.index()],
                Requester::RunTask(run) => &self.scheduler.run_tasks[run].1,
            };
            let view = PlacementView::new(
                &self.capacity,
                &self.tasks,
                self.config.parameters.tie_break,
            );
            match place(&view, &request, placement, &mut self.scheduler.rng) {
                Ok(instance) => {
                    self.start_task(task_definition, group, service, instance, ctx);
                }
                Err(failure) => {
                    self.emit(
                        ctx,
                        Change::PlacementFailed {
                            group,
                            service,
                            task_definition,
                            reason: failure.reason(),
                            count: count - started,
                        },
                    );
                    return started;
                }
            }
        }
        count
    }
}
