//! The load on services and Service Auto Scaling as the model runs them (ECS.md §6.1,
//! §6.2): each service's offered load, its RUNNING tasks by task definition (what they can
//! serve), CloudWatch's one-minute datapoints (one cluster-wide `MetricsSampled` event a
//! minute, only when some service has load or `autoScaling`), the alarms' datapoint counts,
//! the cooldowns and the scalable target's minimum and maximum; and the decision each
//! minute, which changes `desiredCount` as `UpdateService` does.

use std::collections::BTreeMap;

use des::{Queue, SimTime};

use super::{Cluster, Ctx};
use crate::autoscaling::{proportional, AutoScalingSpec, ScalingMetric, ScheduledWhen};
use crate::change::Change;
use crate::deployment::RolloutState;
use crate::event::Event;
use crate::ids::{ServiceId, TaskDefId};
use crate::load::{LoadReading, LoadSpec, TaskLoadModel};
use crate::task::TaskStatus;

const MINUTE_MS: u64 = 60_000;

/// Each service's load and scaling state, by `ServiceId`.
#[derive(Debug, Default)]
pub(super) struct Scaling {
    services: Vec<ServiceScaling>,
    /// Per task definition, what its tasks do with load.
    models: Vec<Option<TaskLoadModel>>,
}

#[derive(Debug)]
struct ServiceScaling {
    load: Option<LoadSpec>,
    spec: Option<AutoScalingSpec>,
    /// The offered load now, requests per second.
    requests_per_second: f64,
    /// RUNNING tasks by task definition (only for services with load or `autoScaling`).
    running: BTreeMap<TaskDefId, u32>,
    min_capacity: u32,
    max_capacity: u32,
    /// Per target tracking policy: consecutive datapoints above the target and below the
    /// scale-in threshold.
    above: Vec<u32>,
    below: Vec<u32>,
    /// Per step scaling policy: consecutive breaching datapoints, and its cooldown's end.
    breaching: Vec<u32>,
    step_cooldown_until: Vec<SimTime>,
    /// No scale-in before this (the last scale-in's cooldown; a scale-out ends it).
    scale_in_blocked_until: SimTime,
    /// The last scale-out's cooldown: until when, and the desired count it set. Within it,
    /// only a larger scale-out happens (the capacity it added counts).
    scale_out_cooldown: Option<(SimTime, u32)>,
}

impl ServiceScaling {
    fn followed(&self) -> bool {
        self.load.is_some() || self.spec.is_some()
    }
}

/// A wish of one policy: the count it asks for and why.
struct Wish {
    count: i64,
    cause: String,
    /// For scale-ins: the cooldown that follows.
    cooldown_ms: u64,
}

impl Scaling {
    pub(super) fn new(
        services: impl Iterator<Item = (Option<LoadSpec>, Option<AutoScalingSpec>)>,
        models: Vec<Option<TaskLoadModel>>,
    ) -> Scaling {
        let services = services
            .map(|(load, spec)| {
                let (min_capacity, max_capacity) = spec
                    .as_ref()
                    .map_or((0, u32::MAX), |s| (s.min_capacity, s.max_capacity));
                let tt = spec.as_ref().map_or(0, |s| s.target_tracking.len());
                let steps = spec.as_ref().map_or(0, |s| s.step_scaling.len());
                ServiceScaling {
                    load,
                    spec,
                    requests_per_second: 0.0,
                    running: BTreeMap::new(),
                    min_capacity,
                    max_capacity,
                    above: vec![0; tt],
                    below: vec![0; tt],
                    breaching: vec![0; steps],
                    step_cooldown_until: vec![SimTime::ZERO; steps],
                    scale_in_blocked_until: SimTime::ZERO,
                    scale_out_cooldown: None,
                }
            })
            .collect();
        Scaling { services, models }
    }

    /// A task of `service` reached RUNNING (`entered`) or left it.
    pub(super) fn running_changed(
        &mut self,
        service: ServiceId,
        definition: TaskDefId,
        entered: bool,
    ) {
        let Some(state) = self.services.get_mut(service.index()) else {
            return;
        };
        if !state.followed() {
            return;
        }
        let count = state.running.entry(definition).or_insert(0);
        if entered {
            *count += 1;
        } else {
            *count -= 1;
            if *count == 0 {
                state.running.remove(&definition);
            }
        }
    }

    fn any_followed(&self) -> bool {
        self.services.iter().any(ServiceScaling::followed)
    }

    /// The reading of a followed service with `requests_per_second` offered.
    fn reading(&self, service: ServiceId, requests_per_second: f64) -> Option<LoadReading> {
        let state = &self.services[service.index()];
        if !state.followed() {
            return None;
        }
        let mut capacity = 0.0;
        let mut tasks = 0u32;
        let mut memory_idle = 0.0;
        let mut memory_slope = 0.0;
        for (&definition, &count) in &state.running {
            let model = self.models[definition.index()].unwrap_or(TaskLoadModel {
                requests_per_second: 0.0,
                memory_idle_percent: TaskLoadModel::DEFAULT_MEMORY_IDLE_PERCENT,
                memory_full_percent: TaskLoadModel::DEFAULT_MEMORY_FULL_PERCENT,
            });
            capacity += model.requests_per_second * f64::from(count);
            tasks += count;
            memory_idle += model.memory_idle_percent * f64::from(count);
            memory_slope +=
                (model.memory_full_percent - model.memory_idle_percent) * f64::from(count);
        }
        let cpu_percent = (tasks > 0).then(|| {
            if capacity > 0.0 {
                (requests_per_second / capacity * 100.0).min(100.0)
            } else if requests_per_second > 0.0 {
                100.0
            } else {
                0.0
            }
        });
        let memory_percent =
            cpu_percent.map(|cpu| (memory_idle + memory_slope * cpu / 100.0) / f64::from(tasks));
        Some(LoadReading {
            requests_per_second,
            capacity,
            cpu_percent,
            memory_percent,
        })
    }
}

impl Cluster {
    /// Schedules the first load change of each service with load, its scheduled actions,
    /// and CloudWatch's first minute if anything listens.
    pub(super) fn start_scaling(&mut self, queue: &mut Queue<Event>) {
        for (index, state) in self.scaling.services.iter().enumerate() {
            let service = ServiceId(index as u32);
            if state.load.is_some() {
                queue.schedule(SimTime::ZERO, Event::ServiceLoadChanged { service });
            }
            if let Some(spec) = &state.spec {
                for action in 0..spec.scheduled_actions.len() as u32 {
                    self.plan_scheduled_scaling(service, action, None, queue);
                }
            }
        }
        if self.scaling.any_followed() {
            queue.schedule(SimTime(MINUTE_MS), Event::MetricsSampled);
        }
    }

    /// Schedules a scheduled action's next run after `after` (`None`: its first).
    fn plan_scheduled_scaling(
        &self,
        service: ServiceId,
        action: u32,
        after: Option<SimTime>,
        queue: &mut Queue<Event>,
    ) {
        let spec = self.scaling.services[service.index()]
            .spec
            .as_ref()
            .expect("a scheduled action belongs to a service with autoScaling");
        let at = match &spec.scheduled_actions[action as usize].when {
            ScheduledWhen::At(at_ms) => after.is_none().then_some(*at_ms),
            ScheduledWhen::Schedule(schedule) => schedule.next_after(
                after.map_or(0, SimTime::as_ms),
                self.config.parameters.start_time_unix_s,
            ),
        };
        if let Some(at) = at {
            queue.schedule(
                SimTime(at),
                Event::ScheduledScalingActionDue { service, action },
            );
        }
    }

    /// The service's offered load may have changed: the new value is told, and the next
    /// change scheduled.
    pub(super) fn service_load_changed(&mut self, service: ServiceId, ctx: &mut Ctx<'_>) {
        let Some(load) = &self.scaling.services[service.index()].load else {
            return;
        };
        let value = self.load_at(service, ctx.now);
        let next = load.next_change_after(ctx.now);
        let state = &mut self.scaling.services[service.index()];
        if value != state.requests_per_second || ctx.now == SimTime::ZERO {
            state.requests_per_second = value;
            self.emit(
                ctx,
                Change::ServiceLoadChanged {
                    service: &self.services[service.index()],
                    requests_per_second: value,
                },
            );
        }
        if let Some(next) = next {
            ctx.queue
                .schedule(next, Event::ServiceLoadChanged { service });
        }
    }

    fn load_at(&self, service: ServiceId, at: SimTime) -> f64 {
        self.scaling.services[service.index()]
            .load
            .as_ref()
            .map_or(0.0, |load| {
                load.at(
                    at,
                    self.config.seed,
                    service.0,
                    self.config.parameters.start_time_unix_s,
                )
            })
    }

    /// The service's load against its RUNNING tasks now; `None` for a service with neither
    /// `load` nor `autoScaling`.
    pub fn load_reading(&self, service: ServiceId) -> Option<LoadReading> {
        let state = self.scaling.services.get(service.index())?;
        self.scaling.reading(service, state.requests_per_second)
    }

    /// The scalable target's minimum and maximum capacity now, for a service with
    /// `autoScaling`.
    pub fn scaling_limits(&self, service: ServiceId) -> Option<(u32, u32)> {
        let state = self.scaling.services.get(service.index())?;
        state
            .spec
            .as_ref()
            .map(|_| (state.min_capacity, state.max_capacity))
    }

    /// Healthy registered targets of the service: RUNNING, registered, passed the target
    /// groups' checks and not failed by them since.
    fn healthy_targets(&self, service: ServiceId) -> u32 {
        self.services[service.index()]
            .tasks
            .values()
            .map(|&id| self.tasks.get(id))
            .filter(|task| {
                task.last_status == TaskStatus::Running
                    && task.registered
                    && task.health.target_healthy
                    && !(task.health.unhealthy && task.health.failed_load_balancer)
            })
            .count() as u32
    }

    /// One datapoint of `metric`: `None` is no data; with load but no task (or target) to
    /// take it, it is infinite, so a service at 0 scales out from one datapoint.
    fn datapoint(
        &self,
        service: ServiceId,
        reading: &LoadReading,
        metric: ScalingMetric,
    ) -> Option<f64> {
        match metric {
            ScalingMetric::Cpu | ScalingMetric::Memory => {
                let value = if metric == ScalingMetric::Cpu {
                    reading.cpu_percent
                } else {
                    reading.memory_percent
                };
                match value {
                    Some(value) => Some(value),
                    None if reading.requests_per_second > 0.0 => Some(f64::INFINITY),
                    None => None,
                }
            }
            ScalingMetric::AlbRequestCountPerTarget => {
                let targets = self.healthy_targets(service);
                if targets > 0 {
                    Some(reading.requests_per_second * 60.0 / f64::from(targets))
                } else if reading.requests_per_second > 0.0 {
                    Some(f64::INFINITY)
                } else {
                    None
                }
            }
        }
    }

    /// CloudWatch's minute: every followed service publishes its datapoints; services with
    /// `autoScaling` act on them. Then the next minute is scheduled.
    pub(super) fn metrics_sampled(&mut self, ctx: &mut Ctx<'_>) {
        for index in 0..self.scaling.services.len() {
            let service = ServiceId(index as u32);
            if !self.scaling.services[index].followed() {
                continue;
            }
            // The curve itself, not the last change told: at a minute boundary the load's
            // own event may come after this one.
            let offered = self.load_at(service, ctx.now);
            let reading = self
                .scaling
                .reading(service, offered)
                .expect("a followed service has a reading");
            let load_balanced = !self.services[index].load_balancers.is_empty();
            let cpu = self.datapoint(service, &reading, ScalingMetric::Cpu);
            let memory = self.datapoint(service, &reading, ScalingMetric::Memory);
            let requests = load_balanced
                .then(|| self.datapoint(service, &reading, ScalingMetric::AlbRequestCountPerTarget))
                .flatten();
            self.emit(
                ctx,
                Change::MetricsPublished {
                    service: &self.services[index],
                    cpu_utilization: cpu.filter(|v| v.is_finite()),
                    memory_utilization: memory.filter(|v| v.is_finite()),
                    request_count_per_target: requests.filter(|v| v.is_finite()),
                },
            );
            if self.scaling.services[index].spec.is_some() {
                let value = |metric| match metric {
                    ScalingMetric::Cpu => cpu,
                    ScalingMetric::Memory => memory,
                    ScalingMetric::AlbRequestCountPerTarget => requests,
                };
                self.scale(service, &value, ctx);
            }
        }
        ctx.queue
            .schedule(ctx.now.plus_ms(MINUTE_MS), Event::MetricsSampled);
    }

    /// Application Auto Scaling's decision for one service this minute (ECS.md §6.2).
    fn scale(
        &mut self,
        service: ServiceId,
        value: &dyn Fn(ScalingMetric) -> Option<f64>,
        ctx: &mut Ctx<'_>,
    ) {
        let cluster_name = self.config.name.clone();
        let running = self.services[service.index()].running_count;
        let desired = self.services[service.index()].desired_count;
        let service_name = self.services[service.index()].service_name.clone();
        let state = &mut self.scaling.services[service.index()];
        let spec = state.spec.as_ref().expect("scale runs for autoScaling");
        let mut outs: Vec<Wish> = Vec::new();
        let mut ins: Vec<Wish> = Vec::new();
        // Target tracking: every policy with scale-in enabled must agree to scale in.
        let mut scale_in_voters = 0;
        let mut scale_in_agreed = 0;
        for (i, policy) in spec.target_tracking.iter().enumerate() {
            let datapoint = value(policy.metric);
            let threshold_low = policy.target * policy.scale_in_threshold_percent / 100.0;
            match datapoint {
                Some(v) => {
                    state.above[i] = if v > policy.target {
                        state.above[i] + 1
                    } else {
                        0
                    };
                    state.below[i] = if v < threshold_low {
                        state.below[i] + 1
                    } else {
                        0
                    };
                }
                // Never scale on insufficient data: the alarms forget their streak.
                None => {
                    state.above[i] = 0;
                    state.below[i] = 0;
                }
            }
            let alarm = |suffix: &str| {
                format!(
                    "monitor alarm TargetTracking-service/{cluster_name}/{service_name}-Alarm{suffix} in state ALARM triggered policy {}",
                    policy.policy_name
                )
            };
            if !policy.disable_scale_in {
                scale_in_voters += 1;
            }
            let Some(v) = datapoint else { continue };
            let from_zero = running == 0 && v.is_infinite();
            if (from_zero && state.above[i] >= 1) || state.above[i] >= policy.scale_out_datapoints {
                // Proportional, from the RUNNING count; from zero, the least step: one.
                let count = if running == 0 {
                    1
                } else {
                    proportional(running, v, policy.target)
                };
                outs.push(Wish {
                    count,
                    cause: alarm("High"),
                    cooldown_ms: policy.scale_out_cooldown_ms,
                });
            } else if !policy.disable_scale_in
                && v.is_finite()
                && state.below[i] >= policy.scale_in_datapoints
            {
                scale_in_agreed += 1;
                ins.push(Wish {
                    count: proportional(running, v, policy.target),
                    cause: alarm("Low"),
                    cooldown_ms: policy.scale_in_cooldown_ms,
                });
            }
        }
        let mut step_acted: Vec<(usize, bool)> = Vec::new();
        for (j, policy) in spec.step_scaling.iter().enumerate() {
            let datapoint = value(policy.metric);
            state.breaching[j] = match datapoint {
                Some(v) if policy.comparison.breached(v, policy.threshold) => {
                    state.breaching[j] + 1
                }
                _ => 0,
            };
            let Some(v) = datapoint else { continue };
            if state.breaching[j] < policy.datapoints {
                continue;
            }
            let Some(adjustment) = policy.adjustment_for(v) else {
                continue;
            };
            let count = policy.new_capacity(running, adjustment);
            let wish = Wish {
                count,
                cause: format!(
                    "monitor alarm StepScaling-service/{cluster_name}/{service_name}-{} in state ALARM triggered policy {}",
                    policy.policy_name, policy.policy_name
                ),
                cooldown_ms: policy.cooldown_ms,
            };
            if count > i64::from(running) {
                outs.push(wish);
                step_acted.push((j, true));
            } else if count < i64::from(running) && ctx.now >= state.step_cooldown_until[j] {
                ins.push(wish);
                step_acted.push((j, false));
            }
        }
        let (min, max) = (state.min_capacity, state.max_capacity);
        // Scale out if any policy wants to: the largest wish.
        if let Some(wish) = outs.into_iter().max_by_key(|wish| wish.count) {
            // Below the minimum, first to the minimum (ECS.md §6.2).
            let new = if desired < min {
                min
            } else {
                wish.count.clamp(i64::from(min), i64::from(max)) as u32
            };
            let larger = match state.scale_out_cooldown {
                Some((until, set_to)) if ctx.now < until => new > set_to,
                _ => true,
            };
            if new > desired && larger {
                state.scale_in_blocked_until = ctx.now;
                state.scale_out_cooldown = Some((ctx.now.plus_ms(wish.cooldown_ms), new));
                for &(j, out) in &step_acted {
                    if out {
                        state.step_cooldown_until[j] =
                            ctx.now.plus_ms(spec.step_scaling[j].cooldown_ms);
                    }
                }
                self.set_scaled_desired_count(service, new, &wish.cause, ctx);
            }
            return;
        }
        // Scale in only if every target tracking policy that may scale in agrees, never
        // during a deployment or the last scale-in's cooldown.
        if ins.is_empty() || scale_in_agreed < scale_in_voters {
            return;
        }
        if ctx.now < state.scale_in_blocked_until {
            return;
        }
        let deploying =
            self.services[service.index()].primary().rollout_state == RolloutState::InProgress;
        if deploying {
            return;
        }
        let wish = ins
            .into_iter()
            .max_by_key(|wish| wish.count)
            .expect("not empty");
        let new = if desired > max {
            max
        } else {
            wish.count.clamp(i64::from(min), i64::from(max)) as u32
        };
        if new < desired {
            let state = &mut self.scaling.services[service.index()];
            state.scale_in_blocked_until = ctx.now.plus_ms(wish.cooldown_ms);
            for &(j, out) in &step_acted {
                if !out {
                    state.step_cooldown_until[j] = ctx.now.plus_ms(wish.cooldown_ms);
                }
            }
            self.set_scaled_desired_count(service, new, &wish.cause, ctx);
        }
    }

    /// Sets the desired count as `UpdateService` does, told in Application Auto Scaling's
    /// words.
    fn set_scaled_desired_count(
        &mut self,
        service: ServiceId,
        desired: u32,
        cause: &str,
        ctx: &mut Ctx<'_>,
    ) {
        if self.set_desired_count(service, desired, ctx) {
            let description = format!("Setting desired count to {desired}.");
            self.emit(
                ctx,
                Change::ScalingActivity {
                    service: &self.services[service.index()],
                    description: &description,
                    cause,
                },
            );
            self.pass_now(service, ctx);
        }
    }

    /// A scheduled action: the new minimum and maximum, then the desired count into them.
    pub(super) fn scheduled_scaling(&mut self, service: ServiceId, action: u32, ctx: &mut Ctx<'_>) {
        let state = &mut self.scaling.services[service.index()];
        let spec = state
            .spec
            .as_ref()
            .expect("scheduled actions need autoScaling");
        let scheduled = &spec.scheduled_actions[action as usize];
        // Application Auto Scaling refuses bounds that cross; here the bound the action
        // leaves alone follows the one it sets.
        if let Some(min) = scheduled.min_capacity {
            state.min_capacity = min;
            state.max_capacity = state.max_capacity.max(min);
        }
        if let Some(max) = scheduled.max_capacity {
            state.max_capacity = max;
            state.min_capacity = state.min_capacity.min(max);
        }
        let (min, max) = (state.min_capacity, state.max_capacity);
        let cause = format!("scheduled action name {} was triggered", scheduled.name);
        let description = format!("Setting min capacity to {min} and max capacity to {max}.");
        self.emit(
            ctx,
            Change::ScalingActivity {
                service: &self.services[service.index()],
                description: &description,
                cause: &cause,
            },
        );
        let desired = self.services[service.index()].desired_count;
        let new = desired.clamp(min, max);
        if new != desired {
            self.set_scaled_desired_count(service, new, &cause, ctx);
        }
        self.plan_scheduled_scaling(service, action, Some(ctx.now), ctx.queue);
    }

    /// `check_invariants`: the RUNNING tasks by task definition match the tasks.
    pub(super) fn check_scaling(&self) {
        for (index, state) in self.scaling.services.iter().enumerate() {
            let mut running: BTreeMap<TaskDefId, u32> = BTreeMap::new();
            if state.followed() {
                for &id in self.services[index].tasks.values() {
                    let task = self.tasks.get(id);
                    if task.last_status == TaskStatus::Running {
                        *running.entry(task.task_definition).or_insert(0) += 1;
                    }
                }
            }
            assert_eq!(
                running, state.running,
                "service {index}: RUNNING tasks by task definition"
            );
            assert!(
                state.min_capacity <= state.max_capacity,
                "service {index}: minCapacity above maxCapacity"
            );
        }
    }
}
