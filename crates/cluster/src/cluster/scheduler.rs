//! The service scheduler (a reconciliation pass per service, ECS.md §4.1, §4.8) and
//! RunTask calls. Both place one task at a time, each placement seeing the reservations of
//! the ones before (ECS.md §1.8).

use super::{Cluster, Ctx};
use crate::event::Event;
use crate::ids::{GroupId, ServiceId, TaskDefId};
use crate::placement::{place, Placement, PlacementFailure, PlacementRequest};

impl Cluster {
    /// Asks for a pass of the service scheduler one `schedulerInterval` from now, unless
    /// one is already due: the scheduler reacts to changes in batches, not per event (A10).
    pub(super) fn request_pass(&mut self, service: ServiceId, ctx: &mut Ctx<'_>) {
        let interval_ms = self.parameters.scheduler_interval_ms;
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
        let counts_stopping = self.parameters.max_percent_counts_stopping;
        let service = &mut self.services[id.index()];
        service.pass = None;
        let desired = service.desired_count;
        let missing = desired.saturating_sub(service.active_count);
        let max_tasks = service.deployment_configuration.max_tasks(desired);
        let room = max_tasks.saturating_sub(service.tasks_counted_for_maximum(counts_stopping));
        let to_start = missing.min(room);
        let (task_definition, group) = (service.task_definition, service.group);
        // The placement is taken out for the pass so that strategies can read the rest
        // of the model while the service's tasks are added.
        let placement = std::mem::take(&mut self.services[id.index()].placement);
        let started =
            self.place_and_start(task_definition, group, Some(id), &placement, to_start, ctx);
        let service = &mut self.services[id.index()];
        service.placement = placement;
        service.stats.placement_failures += u64::from(to_start - started);
        if started < missing {
            // Short of capacity or held back by maximumPercent: look again next interval.
            self.request_pass(id, ctx);
        }
        let service = &self.services[id.index()];
        ctx.observer.change(
            ctx.now,
            ctx.seq,
            "ServiceSchedulerPass",
            &service.service_name,
            format_args!(
                "desired {}, active {}, running {}, started {}, unplaced {}",
                desired,
                service.active_count,
                service.running_count,
                started,
                to_start - started
            ),
        );
    }

    /// A RunTask call: `count` tasks, placed one at a time; those that do not fit are
    /// failures returned to the caller and never retried (ECS.md §1.7).
    pub(super) fn run_task(&mut self, run: u32, ctx: &mut Ctx<'_>) {
        let index = run as usize;
        let placement = std::mem::take(&mut self.run_tasks[index].1);
        let spec = &self.run_tasks[index].0;
        let (task_definition, count, every_ms) = (spec.task_definition, spec.count, spec.every_ms);
        let group = self.intern_group(&spec.group.clone());
        self.place_and_start(task_definition, group, None, &placement, count, ctx);
        if let Some(every_ms) = every_ms {
            ctx.queue
                .schedule(ctx.now.plus_ms(every_ms), Event::RunTaskRequested { run });
        }
        self.run_tasks[index].1 = placement;
    }

    /// Places and starts up to `count` tasks; returns how many started. Once a placement
    /// fails, the rest would fail the same way (nothing changed), so each is recorded with
    /// the same reason without searching again.
    fn place_and_start(
        &mut self,
        task_definition: TaskDefId,
        group: GroupId,
        service: Option<ServiceId>,
        placement: &Placement,
        count: u32,
        ctx: &mut Ctx<'_>,
    ) -> u32 {
        for started in 0..count {
            let request = PlacementRequest {
                task_definition: &self.task_definitions[task_definition.index()],
                group,
                service,
            };
            // The stream is lent out while `place` reads the model.
            let mut rng = self.rng_placement.take().expect("placement stream is home");
            let chosen = place(self, &request, placement, &mut rng);
            self.rng_placement = Some(rng);
            match chosen {
                Ok(instance) => {
                    self.start_task(task_definition, group, service, instance, ctx);
                }
                Err(failure) => {
                    self.record_placement_failures(
                        task_definition,
                        group,
                        failure,
                        count - started,
                        ctx,
                    );
                    return started;
                }
            }
        }
        count
    }

    fn record_placement_failures(
        &self,
        task_definition: TaskDefId,
        group: GroupId,
        failure: PlacementFailure,
        count: u32,
        ctx: &mut Ctx<'_>,
    ) {
        let definition = self.task_definitions[task_definition.index()].name();
        let group_name = self.group_name(group);
        for _ in 0..count {
            ctx.observer
                .placement_failed(ctx.now, group_name, &definition, failure.reason());
        }
        ctx.observer.change(
            ctx.now,
            ctx.seq,
            "PlacementFailed",
            group_name,
            format_args!("{} task(s) of {}: {}", count, definition, failure.reason()),
        );
    }
}
