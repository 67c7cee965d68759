//! The service scheduler (ECS.md §4): each pass works out a plan per service (which tasks
//! to start, which to stop) within `maximumPercent` and `minimumHealthyPercent`, and
//! `apply_plan` carries it out. RunTask and scheduled tasks place their tasks here too. Every
//! placement sees the reservations of the ones before (ECS.md §1.8).

use std::collections::BTreeMap;
use std::sync::Arc;

use des::SimTime;
use rand::Rng;

use super::{Cluster, Ctx};
use crate::change::{Change, ClosestMatch, ServiceMessage};
use crate::deployment::RolloutState;
use crate::event::Event;
use crate::explain::{explain_placement, strategy_name, Step, StepKind};
use crate::ids::{GroupId, InstanceId, ServiceId, TaskDefId, TaskId};
use crate::instance::{InstanceStatus, ATTRIBUTE_ZONE};
use crate::placement::{
    place_detailed, Placement, PlacementFailure, PlacementRequest, PlacementView, StrategyKind,
    Unplaced,
};
use crate::task::StopCode;

/// ECS writes a placement failure event again, unchanged, once six hours have passed
/// (ECS.md §1.7).
const UNPLACED_REPEAT_MS: u64 = 6 * 3600 * 1000;

/// Whose placement a batch of tasks uses.
#[derive(Clone, Copy)]
pub(super) enum Requester {
    /// A service's deployment (index into its deployments).
    Service(ServiceId, u32),
    RunTask(usize),
    Scheduled(usize),
}

/// What one pass decided for a REPLICA service.
#[derive(Debug, Default)]
struct Plan {
    /// Tasks of the PRIMARY deployment to start.
    start: u32,
    /// Tasks to stop, with their stop reason.
    stop: Vec<(TaskId, Arc<str>)>,
    /// Why each task of `stop` goes, in order; only when the model explains.
    why: Vec<Vec<Step>>,
    /// There is work the limits forbid: nothing can be started or stopped, and nothing in
    /// flight will change that (ECS.md §4.2).
    blocked: bool,
    /// Every task is of the PRIMARY deployment, RUNNING and healthy, as many as desired.
    steady: bool,
    /// When a task next counts as healthy, if the plan waits for it.
    wake: Option<SimTime>,
    /// Tasks it would start but for the throttle or a FAILED deployment.
    held_back: bool,
    /// `Service::healthy_by` recounted from the tasks, when the plan looked at each.
    healthy_by: Option<Option<SimTime>>,
}

/// A task as a pass sees it.
#[derive(Clone, Copy, Debug)]
struct Seen {
    id: TaskId,
    number: u64,
    healthy: bool,
    unhealthy: bool,
    /// The PRIMARY deployment's, on a working instance, not failing its checks.
    current: bool,
}

/// A pass's counts, for the explanations of its stops.
#[derive(Clone, Copy)]
struct PassCounts {
    service: ServiceId,
    desired: u32,
    current: u32,
    current_healthy: u32,
    healthy: u32,
    min_healthy: u32,
    counted: u32,
    max_tasks: u32,
}

/// Why a plan stops a task.
#[derive(Clone, Copy)]
enum StopKind {
    /// It failed its health checks (`by_lb`: its load balancer's).
    Unhealthy { by_lb: bool },
    /// Outgoing and not yet healthy.
    OutgoingIdle,
    /// Outgoing and healthy, `budget` of which may stop.
    OutgoingHealthy { budget: u32 },
    /// Beyond the desired count, not yet healthy.
    ExcessIdle,
    /// Beyond the desired count, healthy, `take` of which stop.
    ExcessHealthy { take: u32 },
}

impl Cluster {
    /// Asks for a pass of the service scheduler one `schedulerInterval` from now, unless
    /// one is already due: the scheduler reacts to changes in batches, not per event (A10).
    pub(super) fn request_pass(&mut self, service: ServiceId, ctx: &mut Ctx<'_>) {
        let at = ctx
            .now
            .plus_ms(self.config.parameters.scheduler_interval_ms);
        self.request_pass_at(service, at, ctx);
    }

    /// One pass of the service scheduler over one service.
    pub(super) fn service_pass(&mut self, id: ServiceId, ctx: &mut Ctx<'_>) {
        self.services[id.index()].pass = None;
        if self.services[id.index()].is_daemon() {
            self.daemon_pass(id, ctx);
            return;
        }
        self.trim_provisioning(id, ctx);
        let plan = self.plan(id, ctx.now);
        self.apply_plan(id, plan, ctx);
    }

    /// Works out the pass for a REPLICA service (ECS.md §4.2, §4.3, §4.8, §5.2; INFERRED where
    /// the docs give only examples):
    /// - *current* tasks are the PRIMARY deployment's (a rollback takes over the tasks of
    ///   the deployment it returns to) on ACTIVE instances and not failing health checks; every other active
    ///   task is *outgoing* (an older deployment's, on a DRAINING instance, or unhealthy);
    /// - start `desired - current`, as far as `maximumPercent` allows and unless the
    ///   deployment FAILED or the service is throttled;
    /// - stop outgoing tasks that are not healthy (they count for nothing), then healthy
    ///   ones while `minimumHealthyPercent` allows, then current tasks beyond `desired`
    ///   (scale-in); an unhealthy task is stopped once its replacement is healthy, or one
    ///   per pass when `maximumPercent` leaves no room to start its replacement first.
    ///   Which tasks go follows the service's strategy (`scale_in_order`).
    fn plan(&self, id: ServiceId, now: SimTime) -> Plan {
        if let Some(plan) = self.simple_plan(id, now) {
            return plan;
        }
        let service = &self.services[id.index()];
        let primary_index = service.deployments.len() as u32 - 1;
        let primary = service.primary();
        let desired = service.desired_count;
        let config = service.deployment_configuration;
        let max_tasks = config.max_tasks(desired);
        let min_healthy = config.min_healthy(desired);
        // Tasks waiting in PROVISIONING for a capacity provider (ECS.md §5.5) are current
        // tasks of the PRIMARY deployment (`trim_provisioning` stopped the others) and count
        // against maximumPercent; the scheduler waits for them.
        let waiting = self.capacity_providers.waiting_of_service(id);
        let counted = service
            .tasks_counted_for_maximum(self.config.parameters.max_percent_counts_stopping)
            + waiting;
        let mut seen: Vec<Seen> = Vec::with_capacity(service.tasks.len());
        // When tasks turn healthy: the first lets a deployment go on, the last may make the
        // service steady.
        let mut first_healthy: Option<SimTime> = None;
        let mut last_healthy: Option<SimTime> = None;
        // Tasks still counted but no longer active (draining, stopping) free room when they
        // stop, which asks for a pass: the scheduler is not stuck while any remain.
        let mut in_flight = service.tasks.len() as u32 > service.active_count || waiting > 0;
        for &task_id in service.tasks.values() {
            let task = self.tasks.get(task_id);
            if !task.last_status.is_active() {
                continue;
            }
            let instance = self.capacity.instance(task.instance);
            let healthy = task.is_healthy(now);
            if !healthy && !task.health.unhealthy {
                in_flight = true;
                // `at == now` only for a target whose first passing check is due now; the
                // pass then comes again right after it.
                if let Some(at) = task
                    .health
                    .healthy_at
                    .filter(|&at| at > now || task.registered)
                {
                    first_healthy = Some(first_healthy.map_or(at, |w: SimTime| w.min(at)));
                    last_healthy = Some(last_healthy.map_or(at, |w: SimTime| w.max(at)));
                }
            }
            // A rollback took over its target's tasks when it began (`start_deployment`).
            let of_primary = task.deployment == Some(primary_index);
            seen.push(Seen {
                id: task_id,
                number: task.number,
                healthy,
                unhealthy: task.health.unhealthy,
                current: of_primary
                    && instance.status == InstanceStatus::Active
                    && !task.health.unhealthy,
            });
        }
        let current = seen.iter().filter(|t| t.current).count() as u32 + waiting;
        let current_healthy = seen.iter().filter(|t| t.current && t.healthy).count() as u32;
        let healthy = seen.iter().filter(|t| t.healthy).count() as u32;
        let room = max_tasks.saturating_sub(counted);
        let wanted = desired.saturating_sub(current);
        let may_start = !primary.is_failed() && now >= service.throttled_until;
        let start = if may_start { wanted.min(room) } else { 0 };
        let held_back = !may_start && wanted > 0;

        let reason_of = |unhealthy_by_lb: Option<bool>| -> Arc<str> {
            match unhealthy_by_lb {
                Some(true) => Arc::from(format!(
                    "Task failed ELB health checks in (target-group {})",
                    service
                        .load_balancers
                        .first()
                        .map(|lb| self.config.target_groups[lb.target_group as usize]
                            .name
                            .as_str())
                        .unwrap_or("")
                )),
                Some(false) => Arc::from("Task failed container health checks"),
                None => Arc::from(format!(
                    "Scaling activity initiated by (deployment {})",
                    primary.id
                )),
            }
        };
        let explain = self.config.explain;
        let counts = PassCounts {
            service: id,
            desired,
            current,
            current_healthy,
            healthy,
            min_healthy,
            counted,
            max_tasks,
        };
        let mut stop: Vec<(TaskId, Arc<str>)> = Vec::new();
        let mut why: Vec<Vec<Step>> = Vec::new();
        // Unhealthy tasks: start-first replacement (ECS.md §4.8): all once the replacements
        // are healthy, else the oldest when maximumPercent leaves no room to start first.
        let mut unhealthy: Vec<&Seen> = seen.iter().filter(|t| t.unhealthy).collect();
        unhealthy.sort_by_key(|t| t.number);
        let replacements_ready = current_healthy >= desired;
        let unhealthy_stopped = if replacements_ready {
            unhealthy.len()
        } else if room == 0 {
            unhealthy.len().min(1)
        } else {
            0
        };
        for task in &unhealthy[..unhealthy_stopped] {
            let by_lb = self.tasks.get(task.id).health.failed_load_balancer;
            let reason = reason_of(Some(by_lb));
            if explain {
                let kind = StopKind::Unhealthy { by_lb };
                let of = (unhealthy.len(), unhealthy_stopped);
                why.push(self.explain_stop(task.id, &reason, kind, counts, of, Vec::new()));
            }
            stop.push((task.id, reason));
        }
        // Outgoing tasks that count for nothing: PENDING, or not yet healthy.
        let mut outgoing_idle: Vec<&Seen> = seen
            .iter()
            .filter(|t| !t.current && !t.unhealthy && !t.healthy)
            .collect();
        outgoing_idle.sort_by_key(|t| t.number);
        let idle_count = outgoing_idle.len();
        for task in outgoing_idle {
            let reason = reason_of(None);
            if explain {
                let of = (idle_count, idle_count);
                let kind = StopKind::OutgoingIdle;
                why.push(self.explain_stop(task.id, &reason, kind, counts, of, Vec::new()));
            }
            stop.push((task.id, reason));
        }
        // Healthy outgoing tasks, within minimumHealthyPercent.
        let mut budget = healthy.saturating_sub(min_healthy);
        let outgoing_healthy: Vec<TaskId> = seen
            .iter()
            .filter(|t| !t.current && t.healthy)
            .map(|t| t.id)
            .collect();
        let take = (outgoing_healthy.len() as u32).min(budget);
        let mut traces = explain.then(Vec::new);
        let chosen = self.scale_in_order(id, &outgoing_healthy, take, traces.as_mut());
        for (n, task) in chosen.into_iter().enumerate() {
            let reason = reason_of(None);
            if let Some(traces) = &mut traces {
                let kind = StopKind::OutgoingHealthy { budget };
                let of = (outgoing_healthy.len(), take as usize);
                let scale_in = std::mem::take(&mut traces[n]);
                why.push(self.explain_stop(task, &reason, kind, counts, of, scale_in));
            }
            stop.push((task, reason));
        }
        budget -= take;
        // Scale-in: current tasks beyond the desired count, not-yet-healthy ones first.
        let excess = current.saturating_sub(desired);
        if excess > 0 {
            let mut idle: Vec<&Seen> = seen.iter().filter(|t| t.current && !t.healthy).collect();
            idle.sort_by_key(|t| std::cmp::Reverse(t.number));
            let idle_taken = (idle.len() as u32).min(excess);
            for task in &idle[..idle_taken as usize] {
                let reason = reason_of(None);
                if explain {
                    let of = (idle.len(), idle_taken as usize);
                    let kind = StopKind::ExcessIdle;
                    why.push(self.explain_stop(task.id, &reason, kind, counts, of, Vec::new()));
                }
                stop.push((task.id, reason));
            }
            let current_healthy_ids: Vec<TaskId> = seen
                .iter()
                .filter(|t| t.current && t.healthy)
                .map(|t| t.id)
                .collect();
            let take = (excess - idle_taken).min(budget);
            let mut traces = explain.then(Vec::new);
            let chosen = self.scale_in_order(id, &current_healthy_ids, take, traces.as_mut());
            for (n, task) in chosen.into_iter().enumerate() {
                let reason = reason_of(None);
                if let Some(traces) = &mut traces {
                    let kind = StopKind::ExcessHealthy { take };
                    let of = (current_healthy_ids.len(), take as usize);
                    let scale_in = std::mem::take(&mut traces[n]);
                    why.push(self.explain_stop(task, &reason, kind, counts, of, scale_in));
                }
                stop.push((task, reason));
            }
        }
        // minimumHealthyPercent: the scheduler never stops healthy tasks below it.
        let healthy_stopped = stop
            .iter()
            .filter(|(task, _)| seen.iter().any(|t| t.id == *task && t.healthy))
            .count() as u32;
        assert!(
            healthy_stopped <= healthy.saturating_sub(min_healthy),
            "{}: the plan stops {healthy_stopped} healthy tasks of {healthy}, below minimumHealthyPercent ({min_healthy})",
            service.service_name
        );
        let outgoing = seen.iter().any(|t| !t.current);
        let work = wanted > 0 || outgoing || excess > 0;
        let blocked = work
            && may_start
            && start == 0
            && stop.is_empty()
            && room == 0
            && !in_flight
            && healthy <= min_healthy;
        let steady = !outgoing
            && current == desired
            && current_healthy == desired
            && seen.len() as u32 == desired;
        let replacing = outgoing || excess > 0;
        Plan {
            start,
            stop,
            why,
            blocked,
            steady,
            wake: match (steady, replacing) {
                (true, _) => None,
                (false, true) => first_healthy,
                (false, false) => last_healthy,
            },
            held_back,
            healthy_by: Some(
                service
                    .tasks
                    .values()
                    .map(|&task| self.tasks.get(task))
                    .filter(|task| task.last_status == crate::task::TaskStatus::Running)
                    .try_fold(SimTime::ZERO, |by, task| {
                        task.health.healthy_at.map(|at| by.max(at))
                    }),
            ),
        }
    }

    /// The plan without looking at each task, when nothing needs replacing: every task is of
    /// the PRIMARY deployment, on an ACTIVE instance (none is DRAINING), none failed its
    /// health checks, and there are no more than desired. Then every active task is
    /// current and the plan only starts the missing ones; or, with none missing and the
    /// service already steady, it stays so. Anything else takes the full plan.
    fn simple_plan(&self, id: ServiceId, now: SimTime) -> Option<Plan> {
        let service = &self.services[id.index()];
        let desired = service.desired_count;
        let simple = service.only_primary()
            && self.capacity_providers.waiting_of_service(id) == 0
            && self.capacity.draining_count() == 0
            && service.unhealthy_count == 0
            && service.active_count <= desired;
        if !simple {
            return None;
        }
        if service.active_count == desired {
            if service.running_count != desired {
                return None;
            }
            // Steady before and nothing changed in the counts: still steady.
            if service.steady {
                return Some(Plan {
                    steady: true,
                    ..Plan::default()
                });
            }
            // Every task RUNNING: steady once they all count as healthy. A target's first
            // passing check is its own event, so load-balanced services take the full plan.
            if !service.load_balancers.is_empty() {
                return None;
            }
            let healthy_by = service.healthy_by?;
            return Some(Plan {
                steady: healthy_by <= now,
                wake: (healthy_by > now).then_some(healthy_by),
                ..Plan::default()
            });
        }
        let counted =
            service.tasks_counted_for_maximum(self.config.parameters.max_percent_counts_stopping);
        let room = service
            .deployment_configuration
            .max_tasks(desired)
            .saturating_sub(counted);
        let may_start = !service.primary().is_failed() && now >= service.throttled_until;
        let wanted = desired - service.active_count;
        // Tasks it starts ask for a pass when they turn healthy (`task_started`).
        Some(Plan {
            start: if may_start { wanted.min(room) } else { 0 },
            held_back: !may_start,
            ..Plan::default()
        })
    }

    /// The service scheduler stops `stops` (each told with its explanation, `why`, when the
    /// run explains), then tells the service event "has stopped N running tasks".
    pub(super) fn stop_for_service(
        &mut self,
        id: ServiceId,
        stops: Vec<(TaskId, Arc<str>)>,
        why: Vec<Vec<Step>>,
        ctx: &mut Ctx<'_>,
    ) {
        let mut stopped_tasks: Vec<u64> = Vec::with_capacity(stops.len());
        let mut why = why.into_iter();
        for (task, reason) in stops {
            if let Some(steps) = why.next() {
                self.emit(
                    ctx,
                    Change::StopExplained {
                        task: self.tasks.get(task),
                        steps: &steps,
                    },
                );
            }
            stopped_tasks.push(self.tasks.get(task).number);
            self.stop(task, StopCode::ServiceSchedulerInitiated, reason, ctx);
        }
        if !stopped_tasks.is_empty() {
            let message = ServiceMessage::TasksStopped {
                tasks: &stopped_tasks,
            };
            self.emit_message(id, message, ctx);
        }
    }

    /// Carries out a pass's plan: stops first, then starts; reports deployments that
    /// completed, a steady state, a blocked deployment; and asks for the next pass when work
    /// remains.
    fn apply_plan(&mut self, id: ServiceId, plan: Plan, ctx: &mut Ctx<'_>) {
        if let Some(healthy_by) = plan.healthy_by {
            self.services[id.index()].healthy_by = healthy_by;
        }
        let stopped = plan.stop.len() as u32;
        self.stop_for_service(id, plan.stop, plan.why, ctx);
        let service = &self.services[id.index()];
        let deployment = service.deployments.len() as u32 - 1;
        let definition = service.task_definition();
        let group = service.group;
        let counted_before = service
            .tasks_counted_for_maximum(self.config.parameters.max_percent_counts_stopping)
            + self.capacity_providers.waiting_of_service(id);
        let limit = service
            .deployment_configuration
            .max_tasks(service.desired_count);
        assert!(
            plan.start == 0 || counted_before + plan.start <= limit,
            "{}: the plan starts more tasks than maximumPercent allows",
            service.service_name
        );
        let mut started_tasks = self.scheduler.take_started();
        let unplaced_by = self.place_and_start(
            definition,
            group,
            Requester::Service(id, deployment),
            plan.start,
            &mut started_tasks,
            ctx,
        );
        let started = started_tasks.len() as u32;
        if !started_tasks.is_empty() {
            let message = ServiceMessage::TasksStarted {
                tasks: &started_tasks,
            };
            self.emit_message(id, message, ctx);
        }
        self.scheduler.started = started_tasks;
        match unplaced_by {
            Some(unplaced) => self.report_unplaced(id, definition, unplaced, ctx),
            // Every task it wanted is placed: the cause of an earlier failure is resolved.
            None if plan.start > 0 => self.services[id.index()].unplaced_reported = None,
            None => {}
        }
        let service = &mut self.services[id.index()];
        let unplaced = plan.start - started;
        if plan.blocked {
            if !service.stuck_reported {
                service.stuck_reported = true;
                self.emit_message(id, ServiceMessage::DeploymentBlocked, ctx);
            }
        } else {
            self.services[id.index()].stuck_reported = false;
        }
        if plan.steady {
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
        // The next look: short of capacity, retry after an interval; throttled, when the
        // throttle lifts; waiting for tasks to turn healthy, when the first does. Tasks
        // reaching STOPPED ask for their own pass (room under maximumPercent).
        let service = &self.services[id.index()];
        if unplaced > 0 {
            self.request_pass(id, ctx);
        } else if plan.held_back && ctx.now < service.throttled_until {
            let at = service.throttled_until;
            self.request_pass_at(id, at, ctx);
        } else if let Some(at) = plan.wake {
            self.request_pass_at(id, at, ctx);
        }
    }

    /// The service is steady: its PRIMARY deployment completes, older ones with no tasks
    /// left become INACTIVE, and ECS says so once per spell.
    pub(super) fn deployment_reached_steady_state(&mut self, id: ServiceId, ctx: &mut Ctx<'_>) {
        let now = ctx.now;
        let service = &mut self.services[id.index()];
        let primary = service.deployments.len() - 1;
        let completed = service.deployments[primary].rollout_state == RolloutState::InProgress;
        if completed {
            let deployment = &mut service.deployments[primary];
            deployment.rollout_state = RolloutState::Completed;
            deployment.reason = "ECS deployment completed.".to_string();
            deployment.ended_at = Some(now);
        }
        self.retire_deployments(id, ctx);
        if completed {
            let service = &self.services[id.index()];
            let deployment = service.deployments.last().expect("primary");
            self.emit(
                ctx,
                Change::DeploymentUpdated {
                    service,
                    deployment,
                },
            );
            self.emit_message(
                id,
                ServiceMessage::DeploymentCompleted {
                    deployment: self.services[id.index()]
                        .deployments
                        .last()
                        .expect("primary"),
                },
                ctx,
            );
        }
        let service = &mut self.services[id.index()];
        if !service.steady {
            service.steady = true;
            self.emit_message(id, ServiceMessage::SteadyState, ctx);
        }
    }

    /// The order in which a service stops `count` of `candidates` (ECS.md §1.6): with ECS's
    /// default (no strategy), from the zone with the most of the service's tasks, then the
    /// instance with the most; `spread` keeps the balance on its field; `binpack` stops
    /// tasks on the instance with the most of its resource left (emptying the least packed);
    /// `random` picks uniformly. Ties go to the lowest instance id, then the newest task.
    /// With `trace`, the steps of each choice are added to it, one list per task chosen.
    fn scale_in_order(
        &self,
        id: ServiceId,
        candidates: &[TaskId],
        count: u32,
        trace: Option<&mut Vec<Vec<Step>>>,
    ) -> Vec<TaskId> {
        if count == 0 {
            return Vec::new();
        }
        let service = &self.services[id.index()];
        let placement = self.scheduler.placement(id, service.task_definition());
        // The service's active tasks by instance: the balance scale-in keeps.
        let mut per_instance: BTreeMap<InstanceId, u32> = BTreeMap::new();
        for &task in service.tasks.values() {
            let task = self.tasks.get(task);
            if task.last_status.is_active() {
                *per_instance.entry(task.instance).or_default() += 1;
            }
        }
        if trace.is_none() {
            if let Some(order) =
                self.scale_in_order_indexed(placement, &per_instance, candidates, count)
            {
                debug_assert_eq!(
                    order,
                    self.scale_in_order_scan(id, placement, per_instance, candidates, count, None),
                    "the indexed scale-in order is the scan's"
                );
                return order;
            }
        }
        self.scale_in_order_scan(id, placement, per_instance, candidates, count, trace)
    }

    /// `scale_in_order` for any chain, choosing each task by scoring every candidate left:
    /// O(candidates) per task chosen (`scale_in.rs` is the fast path for common chains).
    fn scale_in_order_scan(
        &self,
        id: ServiceId,
        placement: &Placement,
        mut per_instance: BTreeMap<InstanceId, u32>,
        candidates: &[TaskId],
        count: u32,
        mut trace: Option<&mut Vec<Vec<Step>>>,
    ) -> Vec<TaskId> {
        // Per `spread` on an attribute, the service's active tasks per value of it, kept as
        // tasks are chosen: a score is then a lookup, not a sum over every instance.
        let mut per_value: Vec<BTreeMap<Option<&str>, i64>> = placement
            .strategies
            .iter()
            .map(|strategy| {
                let mut counts = BTreeMap::new();
                if let StrategyKind::SpreadAttribute(name) = strategy.kind() {
                    for (&instance, &n) in &per_instance {
                        *counts
                            .entry(self.capacity.instance(instance).attribute(name))
                            .or_default() += i64::from(n);
                    }
                }
                counts
            })
            .collect();
        let mut left: Vec<TaskId> = candidates.to_vec();
        let mut chosen = Vec::new();
        let mut random_draws = self.scheduler.scale_in_rng(id, self.config.seed);
        while chosen.len() < count as usize && !left.is_empty() {
            let mut pool: Vec<TaskId> = left.clone();
            let mut steps = Vec::new();
            for (strategy, per_value) in placement.strategies.iter().zip(&per_value) {
                let score = |task: TaskId| -> i64 {
                    let task = self.tasks.get(task);
                    let instance = self.capacity.instance(task.instance);
                    match strategy.kind() {
                        StrategyKind::SpreadInstanceId => {
                            i64::from(per_instance.get(&task.instance).copied().unwrap_or(0))
                        }
                        StrategyKind::SpreadAttribute(name) => per_value
                            .get(&instance.attribute(name))
                            .copied()
                            .unwrap_or(0),
                        StrategyKind::Binpack(crate::spec::Resource::Cpu) => {
                            i64::from(instance.remaining_cpu_units)
                        }
                        StrategyKind::Binpack(crate::spec::Resource::Memory) => {
                            i64::from(instance.remaining_memory_mib)
                        }
                        StrategyKind::Random | StrategyKind::Custom => 0,
                    }
                };
                let before = pool.len();
                if strategy.kind() == StrategyKind::Random {
                    let pick = random_draws.random_range(0..pool.len() as u32) as usize;
                    pool = vec![pool[pick]];
                    if trace.is_some() {
                        steps.push(self.scale_in_random_step(before, pool[0]));
                    }
                    break;
                }
                let best = pool.iter().map(|&t| score(t)).max().unwrap_or(0);
                pool.retain(|&t| score(t) == best);
                if trace.is_some() {
                    steps.push(self.scale_in_step(&**strategy, before, &pool, best));
                }
            }
            let victim = pool
                .iter()
                .copied()
                .min_by_key(|&t| {
                    let task = self.tasks.get(t);
                    (task.instance, std::cmp::Reverse(task.number))
                })
                .expect("the pool is never empty");
            if let Some(trace) = trace.as_mut() {
                steps.push(self.scale_in_tie_step(pool.len(), victim));
                trace.push(steps);
            }
            let instance = self.tasks.get(victim).instance;
            if let Some(n) = per_instance.get_mut(&instance) {
                *n -= 1;
                for (strategy, counts) in placement.strategies.iter().zip(&mut per_value) {
                    if let StrategyKind::SpreadAttribute(name) = strategy.kind() {
                        let value = self.capacity.instance(instance).attribute(name);
                        if let Some(count) = counts.get_mut(&value) {
                            *count -= 1;
                        }
                    }
                }
            }
            left.retain(|&t| t != victim);
            chosen.push(victim);
        }
        chosen
    }

    /// A scale-in choice's `random` step: it picked `task` among `before`.
    #[cold]
    #[inline(never)]
    fn scale_in_random_step(&self, before: usize, task: TaskId) -> Step {
        Step::new(
            StepKind::Strategy,
            before,
            1,
            format!(
                "random: picked {} uniformly among {before}",
                self.tasks.get(task).name()
            ),
        )
    }

    /// A scale-in choice's last step: `victim`, of the `left` tasks the strategies kept.
    #[cold]
    #[inline(never)]
    fn scale_in_tie_step(&self, left: usize, victim: TaskId) -> Step {
        let task = self.tasks.get(victim);
        let at = format!(
            "{} on {}",
            task.name(),
            self.capacity.instance(task.instance).ec2_instance_id
        );
        let detail = if left == 1 {
            format!("one task left: {at}")
        } else {
            format!("the lowest instance id, then the newest task, of {left}: {at}")
        };
        Step::new(StepKind::TieBreak, left, 1, detail)
    }

    /// One strategy's step of a scale-in choice: it kept `kept` of `before` tasks, those
    /// scoring `best` (the most).
    #[cold]
    #[inline(never)]
    fn scale_in_step(
        &self,
        strategy: &dyn crate::placement::PlacementStrategy,
        before: usize,
        kept: &[TaskId],
        best: i64,
    ) -> Step {
        let name = strategy_name(strategy);
        let after = kept.len();
        let detail = match strategy.kind() {
            StrategyKind::SpreadInstanceId => format!(
                "{name}: kept {after} of {before} tasks on the instances running the most of the service ({best})"
            ),
            StrategyKind::SpreadAttribute(attribute) => {
                let mut values: Vec<(u16, String)> = kept
                    .iter()
                    .map(|&task| {
                        let instance = self.capacity.instance(self.tasks.get(task).instance);
                        if attribute == ATTRIBUTE_ZONE {
                            let zone = instance.availability_zone;
                            (zone.0, self.capacity.zone_name(zone).to_string())
                        } else {
                            (0, instance.attribute(attribute).unwrap_or("(none)").to_string())
                        }
                    })
                    .collect();
                values.sort();
                values.dedup();
                let values: Vec<String> = values.into_iter().map(|(_, value)| value).collect();
                let place = if attribute == ATTRIBUTE_ZONE {
                    format!("in {}", values.join(", "))
                } else {
                    format!("with {attribute} {}", values.join(", "))
                };
                format!(
                    "{name}: kept {after} of {before} tasks {place}, where the service runs the most tasks ({best})"
                )
            }
            StrategyKind::Binpack(crate::spec::Resource::Cpu) => format!(
                "{name}: kept {after} of {before} tasks on the instances with the most CPU left ({best} CPU units)"
            ),
            StrategyKind::Binpack(crate::spec::Resource::Memory) => format!(
                "{name}: kept {after} of {before} tasks on the instances with the most memory left ({best} MiB)"
            ),
            StrategyKind::Random | StrategyKind::Custom => {
                format!("{name}: does not order scale-in, kept all {before}")
            }
        };
        Step::new(StepKind::Strategy, before, after, detail)
    }

    /// The steps of a plan's stop of `task`: the plan's reason (`of`: the tasks of that
    /// kind, and how many it stops), the scale-in order's steps if it chose, the outcome.
    #[cold]
    #[inline(never)]
    fn explain_stop(
        &self,
        task: TaskId,
        reason: &str,
        kind: StopKind,
        counts: PassCounts,
        (of, stops): (usize, usize),
        scale_in: Vec<Step>,
    ) -> Vec<Step> {
        let PassCounts {
            service,
            desired,
            current,
            current_healthy,
            healthy,
            min_healthy,
            counted,
            max_tasks,
        } = counts;
        let detail = match kind {
            StopKind::Unhealthy { by_lb } => {
                let failed = if by_lb {
                    "failed its load balancer health checks"
                } else {
                    "failed its container health checks"
                };
                let now = if current_healthy >= desired {
                    format!(
                        "the service has {current_healthy} healthy current tasks for a desired count of {desired}, so the replacements started first are ready"
                    )
                } else {
                    format!(
                        "maximumPercent leaves no room to start a replacement first ({counted} of at most {max_tasks} tasks), so the oldest unhealthy task goes, one per pass"
                    )
                };
                format!("unhealthy, it {failed}: {now}")
            }
            StopKind::OutgoingIdle => format!(
                "outgoing ({}) and not yet healthy: it counts for nothing, so no limit holds it",
                self.outgoing_cause(service, task)
            ),
            StopKind::OutgoingHealthy { budget } => format!(
                "outgoing ({}) and healthy: with {healthy} healthy tasks and at least {min_healthy} to keep (minimumHealthyPercent {}), {budget} may stop; the scale-in order chooses which",
                self.outgoing_cause(service, task),
                self.services[service.index()]
                    .deployment_configuration
                    .minimum_healthy_percent,
            ),
            StopKind::ExcessIdle => format!(
                "beyond the desired count ({current} current tasks for {desired} desired) and not yet healthy: those go first, newest first"
            ),
            StopKind::ExcessHealthy { take } => format!(
                "beyond the desired count ({current} current tasks for {desired} desired), healthy: {take} may stop within minimumHealthyPercent; the scale-in order chooses which"
            ),
        };
        let mut steps = vec![Step::new(StepKind::Plan, of, stops, detail)];
        steps.extend(scale_in);
        self.stop_steps(task, reason, steps)
    }

    /// The steps of a stop decision, ending with the outcome.
    fn stop_steps(&self, task: TaskId, reason: &str, mut steps: Vec<Step>) -> Vec<Step> {
        let task = self.tasks.get(task);
        let instance = self.capacity.instance(task.instance);
        steps.push(Step::new(
            StepKind::Stopped,
            1,
            1,
            format!(
                "{} on {} in {}: ServiceSchedulerInitiated: {reason}",
                task.name(),
                instance.ec2_instance_id,
                self.capacity.zone_name(instance.availability_zone)
            ),
        ));
        steps
    }

    /// Why an active task of the service is outgoing: an older deployment's, or on an
    /// instance that is not ACTIVE.
    fn outgoing_cause(&self, service: ServiceId, task: TaskId) -> String {
        let service = &self.services[service.index()];
        let primary = service.primary();
        let task = self.tasks.get(task);
        let of_primary = task.deployment == Some(service.deployments.len() as u32 - 1);
        let mut causes = Vec::new();
        if !of_primary {
            let of = task
                .deployment
                .map(|d| service.deployments[d as usize].id.to_string())
                .unwrap_or_else(|| "no deployment".to_string());
            causes.push(format!(
                "of deployment {of}, while {} is PRIMARY",
                primary.id
            ));
        }
        let instance = self.capacity.instance(task.instance);
        if instance.status != InstanceStatus::Active {
            causes.push(format!(
                "on {} instance {}",
                instance.status.as_str(),
                instance.ec2_instance_id
            ));
        }
        causes.join(", ")
    }

    /// A RunTask call: `count` tasks, placed one at a time; those that do not fit are
    /// failures returned to the caller and never retried (ECS.md §1.7).
    pub(super) fn run_task(&mut self, run: u32, ctx: &mut Ctx<'_>) {
        let index = run as usize;
        let spec = &self.scheduler.run_tasks[index].0;
        let (task_definition, count, every_ms) = (spec.task_definition, spec.count, spec.every_ms);
        let group = self.tasks.intern_group(&spec.group);
        let mut started = self.scheduler.take_started();
        self.place_and_start(
            task_definition,
            group,
            Requester::RunTask(index),
            count,
            &mut started,
            ctx,
        );
        self.scheduler.started = started;
        if let Some(every_ms) = every_ms {
            ctx.queue
                .schedule(ctx.now.plus_ms(every_ms), Event::RunTaskRequested { run });
        }
    }

    /// A scheduled task's time came: EventBridge calls RunTask (ECS.md §6.3), and the next
    /// time is planned.
    pub(super) fn scheduled_task(&mut self, schedule: u32, ctx: &mut Ctx<'_>) {
        let index = schedule as usize;
        let spec = &self.scheduler.scheduled_tasks[index].0;
        let (task_definition, count) = (spec.task_definition, spec.count);
        let group = self.tasks.intern_group(&spec.group);
        let mut started = self.scheduler.take_started();
        self.place_and_start(
            task_definition,
            group,
            Requester::Scheduled(index),
            count,
            &mut started,
            ctx,
        );
        self.scheduler.started = started;
        self.plan_scheduled_task(schedule, ctx.now, ctx.queue);
    }

    /// Schedules the next run of `scheduledTasks[schedule]` after `after`.
    pub(super) fn plan_scheduled_task(
        &self,
        schedule: u32,
        after: SimTime,
        queue: &mut des::Queue<Event>,
    ) {
        let spec = &self.scheduler.scheduled_tasks[schedule as usize].0;
        if let Some(at) = spec
            .schedule
            .next_after(after.0, self.config.parameters.start_time_unix_s)
        {
            queue.schedule(SimTime(at), Event::ScheduledTaskDue { schedule });
        }
    }

    /// Places and starts up to `count` tasks, adding the numbers of those started to
    /// `started`; returns why the next could not be placed, if one could not. Once a
    /// placement fails, the rest
    /// would fail the same way (nothing changed), so each is recorded with the same reason
    /// without searching again. When the model explains, each decision is explained too,
    /// from a copy of the placement stream: the explanation must choose as the decision did.
    pub(super) fn place_and_start(
        &mut self,
        task_definition: TaskDefId,
        group: GroupId,
        requester: Requester,
        count: u32,
        started: &mut Vec<u64>,
        ctx: &mut Ctx<'_>,
    ) -> Option<Unplaced> {
        let service = match requester {
            Requester::Service(service, deployment) => Some((service, deployment)),
            _ => None,
        };
        let before = started.len();
        // With a capacity provider strategy (ECS.md §5.5): each task is assigned an item
        // (base first, then by weight) and placed on that provider's group only; a task that
        // does not fit waits in PROVISIONING. Once an item's placement fails, the later tasks
        // of that item wait without another search.
        let user = self.provider_user(requester);
        let mut counts = user.map(|user| self.provider_counts(user));
        let mut failed_items: Vec<Option<Unplaced>> = counts
            .as_ref()
            .map_or_else(Vec::new, |counts| vec![None; counts.len()]);
        for _ in 0..count {
            let item = match (user, counts.as_mut()) {
                (Some(user), Some(counts)) => {
                    let strategy = self.capacity_providers.strategy(user).expect("a strategy");
                    let item = crate::capacity_provider::assign(strategy, counts);
                    counts[item] += 1;
                    Some(item)
                }
                _ => None,
            };
            if let Some(unplaced) = item.and_then(|item| failed_items[item]) {
                let item = item.expect("an item");
                let reason = unplaced.failure.reason();
                match self.wait_for_capacity(task_definition, group, requester, item, reason, ctx) {
                    Some(number) => {
                        started.push(number);
                        continue;
                    }
                    None => {
                        let left = count - (started.len() - before) as u32;
                        let service = service.map(|(service, _)| service);
                        self.placement_failed(group, service, task_definition, reason, left, ctx);
                        return Some(unplaced);
                    }
                }
            }
            let request = PlacementRequest {
                task_definition: &self.config.task_definitions[task_definition.index()],
                requirements: &self.config.requirements[task_definition.index()],
                group,
                service: service.map(|(service, _)| service),
            };
            let placement = match (user, item) {
                (Some(user), Some(item)) => {
                    self.capacity_providers
                        .placement(user, task_definition, item)
                }
                _ => match requester {
                    Requester::Service(service, _) => {
                        super::placement_of(&self.scheduler.services, service, task_definition)
                    }
                    Requester::RunTask(run) => &self.scheduler.run_tasks[run].1,
                    Requester::Scheduled(index) => &self.scheduler.scheduled_tasks[index].1,
                },
            };
            let view = PlacementView::new(
                &self.capacity,
                &self.tasks,
                self.config.parameters.tie_break,
            );
            let (decision, steps) = decide(
                &view,
                &request,
                placement,
                &mut self.scheduler.rng,
                self.config.explain,
            );
            match decision {
                Ok(instance) => {
                    let provider = item.map(|item| {
                        let user = user.expect("a user");
                        let strategy = self.capacity_providers.strategy(user).expect("a strategy");
                        (strategy[item].capacity_provider, None)
                    });
                    let task = self.start_task_as(
                        task_definition,
                        group,
                        service,
                        instance,
                        provider,
                        ctx,
                    );
                    started.push(self.tasks.get(task).number);
                    if let Some(steps) = steps {
                        self.emit(
                            ctx,
                            Change::PlacementExplained {
                                group,
                                service: service.map(|(service, _)| service),
                                task: Some(self.tasks.get(task)),
                                instance: Some(instance),
                                steps: &steps,
                            },
                        );
                    }
                }
                Err(unplaced) => {
                    if let Some(item) = item {
                        failed_items[item] = Some(unplaced);
                    }
                    if let Some(steps) = steps {
                        self.emit(
                            ctx,
                            Change::PlacementExplained {
                                group,
                                service: service.map(|(service, _)| service),
                                task: None,
                                instance: None,
                                steps: &steps,
                            },
                        );
                    }
                    if let Some(item) = item {
                        let reason = unplaced.failure.reason();
                        if let Some(number) = self.wait_for_capacity(
                            task_definition,
                            group,
                            requester,
                            item,
                            reason,
                            ctx,
                        ) {
                            started.push(number);
                            continue;
                        }
                    }
                    let left = count - (started.len() - before) as u32;
                    let service = service.map(|(service, _)| service);
                    let reason = unplaced.failure.reason();
                    self.placement_failed(group, service, task_definition, reason, left, ctx);
                    return Some(unplaced);
                }
            }
        }
        None
    }

    /// `count` tasks could not be placed, for `reason` (ECS.md §1.7).
    fn placement_failed(
        &self,
        group: GroupId,
        service: Option<ServiceId>,
        task_definition: TaskDefId,
        reason: &'static str,
        count: u32,
        ctx: &mut Ctx<'_>,
    ) {
        let change = Change::PlacementFailed {
            group,
            service,
            task_definition,
            reason,
            count,
        };
        self.emit(ctx, change);
    }

    /// ECS's placement failure event for a service (ECS.md §1.7), naming the closest
    /// matching instance; a duplicate of the last one is left out until the cause is
    /// resolved (a pass places every task it wants) or six hours pass.
    #[cold]
    #[inline(never)]
    pub(super) fn report_unplaced(
        &mut self,
        id: ServiceId,
        task_definition: TaskDefId,
        unplaced: Unplaced,
        ctx: &mut Ctx<'_>,
    ) {
        let service = &mut self.services[id.index()];
        if let Some((failure, closest, at)) = service.unplaced_reported {
            if (failure, closest) == (unplaced.failure, unplaced.closest)
                && ctx.now < at.plus_ms(UNPLACED_REPEAT_MS)
            {
                return;
            }
        }
        service.unplaced_reported = Some((unplaced.failure, unplaced.closest, ctx.now));
        // A capacity provider's placement has the service's constraints and then its own
        // (`capacity_provider::CapacityProviderConstraint`), which the failure's reason names.
        let constraint = unplaced.constraint.and_then(|index| {
            let placement: &Placement = self.scheduler.placement(id, task_definition);
            placement.constraints.get(index).map(|c| c.describe())
        });
        let closest = match unplaced.closest {
            Some(instance) => ClosestMatch::Instance {
                id: &self.capacity.instance(instance).ec2_instance_id,
                failure: unplaced.failure,
                constraint: constraint.as_deref(),
            },
            None => {
                let mut live = self.capacity.live_instances().peekable();
                if live.peek().is_none() {
                    ClosestMatch::NoInstances
                } else {
                    match live.find(|instance| !instance.agent_connected) {
                        Some(instance) => ClosestMatch::Instance {
                            id: &instance.ec2_instance_id,
                            failure: PlacementFailure::NoInstance,
                            constraint: None,
                        },
                        None => ClosestMatch::Unnamed,
                    }
                }
            }
        };
        self.emit_message(id, ServiceMessage::UnableToPlace { closest }, ctx);
    }

    /// Tells a service event in ECS's words.
    pub(super) fn emit_message(
        &self,
        id: ServiceId,
        message: ServiceMessage<'_>,
        ctx: &mut Ctx<'_>,
    ) {
        self.emit(
            ctx,
            Change::ServiceMessage {
                service: &self.services[id.index()],
                message,
            },
        );
    }
}

/// One placement decision, with its explanation when `explain` (from a copy of the stream
/// taken before it, which must choose and draw as the decision did).
pub(super) fn decide(
    view: &PlacementView<'_>,
    request: &PlacementRequest<'_>,
    placement: &Placement,
    rng: &mut des::SimRng,
    explain: bool,
) -> (Result<InstanceId, Unplaced>, Option<Vec<Step>>) {
    let before = explain.then(|| rng.clone());
    let decision = place_detailed(view, request, placement, rng);
    let steps =
        before.map(|before| explain_decision(view, request, placement, before, &decision, rng));
    (decision, steps)
}

/// The explanation of a placement decision: the explaining scan from `rng`, a copy of the
/// placement stream taken before the decision, which must choose as `decision` did and
/// leave the stream as the decision left it (`after`).
#[cold]
#[inline(never)]
fn explain_decision(
    view: &PlacementView<'_>,
    request: &PlacementRequest<'_>,
    placement: &Placement,
    mut rng: des::SimRng,
    decision: &Result<InstanceId, Unplaced>,
    after: &des::SimRng,
) -> Vec<Step> {
    let (explained, steps) = explain_placement(view, request, placement, &mut rng);
    assert_eq!(
        &explained,
        decision,
        "the explanation of a placement of {} chose otherwise than the decision",
        view.group_name(request.group)
    );
    assert!(
        rng == *after,
        "the explanation of a placement of {} drew otherwise than the decision",
        view.group_name(request.group)
    );
    steps
}
