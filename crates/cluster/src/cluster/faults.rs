//! Faults: scripted ones fire at their time; random ones give each matching instance, task
//! or zone its own time to failure, drawn from `(seed, fault index, entity)` so that two
//! runs of the same scenario and seed see the same failures whatever they decide.

use des::rng::{self, Stream};
use des::SimTime;
use rand::Rng;

use super::{Cluster, Ctx};
use crate::change::Change;
use crate::event::Event;
use crate::ids::{InstanceId, TaskId};
use crate::instance::{ContainerInstance, InstanceLoss};
use crate::spec::{FaultKind, FaultSpec, FaultTiming, InstanceFilter, TaskDefinition, TaskFilter};
use crate::task::TaskStatus;

/// The random faults by what they can strike, worked out once: a task or an instance looks
/// only at the faults that may target it.
#[derive(Debug, Default)]
pub(super) struct RandomFaults {
    /// Random `instanceFailure` faults, ascending.
    instance: Vec<u32>,
    /// Random `taskExit` faults naming each service, ascending.
    by_service: Vec<Vec<u32>>,
    /// Random `taskExit` faults naming each task definition's family, ascending.
    by_task_definition: Vec<Vec<u32>>,
}

impl RandomFaults {
    pub(super) fn new(
        faults: &[FaultSpec],
        services: &[String],
        task_definitions: &[TaskDefinition],
    ) -> RandomFaults {
        let mut random = RandomFaults {
            instance: Vec::new(),
            by_service: vec![Vec::new(); services.len()],
            by_task_definition: vec![Vec::new(); task_definitions.len()],
        };
        for (index, fault) in faults.iter().enumerate() {
            if !matches!(fault.timing, FaultTiming::Random { .. }) {
                continue;
            }
            let index = index as u32;
            match &fault.kind {
                FaultKind::InstanceFailure { .. }
                | FaultKind::SpotInterruption { .. }
                | FaultKind::AgentDisconnect { .. } => random.instance.push(index),
                FaultKind::TaskExit {
                    target: TaskFilter::Service(name),
                    ..
                } => {
                    for (service, _) in services.iter().enumerate().filter(|(_, s)| *s == name) {
                        random.by_service[service].push(index);
                    }
                }
                FaultKind::TaskExit {
                    target: TaskFilter::Family(family),
                    ..
                } => {
                    for (definition, _) in task_definitions
                        .iter()
                        .enumerate()
                        .filter(|(_, d)| d.family == *family)
                    {
                        random.by_task_definition[definition].push(index);
                    }
                }
                FaultKind::ZoneOutage { .. } => {}
            }
        }
        random
    }
}

impl Cluster {
    /// When fault `fault` strikes an entity, counted from `now`. The draw is keyed by
    /// (seed, fault, entity) and nothing else, so it does not depend on what else happened in
    /// the run. Entities: `(0, instance number)`, `(0, outage occurrence)` for a zone, and
    /// `(group, ordinal)` for a task, the n-th of its task group.
    fn failure_time(
        &self,
        fault: usize,
        (group, number): (u64, u64),
        time_to_failure: &des::Distribution,
        now: SimTime,
    ) -> SimTime {
        let key = [((fault as u64) << 32) | group, number];
        now.plus_ms(
            time_to_failure.sample_from(|| rng::stream(self.config.seed, Stream::Faults, key)),
        )
    }

    /// Schedules scripted faults at their times and the first random zone outages.
    /// Random instance and task faults are planned as their entities appear.
    pub(super) fn plan_faults(&mut self, queue: &mut des::Queue<Event>) {
        for (index, fault) in self.config.faults.iter().enumerate() {
            let fault_id = index as u32;
            match (&fault.kind, &fault.timing) {
                (FaultKind::ZoneOutage { .. }, FaultTiming::At { at_ms, .. }) => {
                    queue.schedule(
                        SimTime(*at_ms),
                        Event::ZoneOutageStarted { fault: fault_id },
                    );
                }
                (FaultKind::ZoneOutage { .. }, FaultTiming::Random { time_to_failure }) => {
                    let at = self.failure_time(index, (0, 0), time_to_failure, SimTime::ZERO);
                    queue.schedule(at, Event::ZoneOutageStarted { fault: fault_id });
                }
                (_, FaultTiming::At { at_ms, .. }) => {
                    queue.schedule(SimTime(*at_ms), Event::FaultScheduled { fault: fault_id });
                }
                (_, FaultTiming::Random { .. }) => {}
            }
        }
    }

    /// A random zone outage has ended: the zone's next one comes after a fresh draw.
    pub(super) fn plan_next_zone_outage(&mut self, fault: u32, ctx: &mut Ctx<'_>) {
        let index = fault as usize;
        let FaultTiming::Random { time_to_failure } = &self.config.faults[index].timing else {
            return;
        };
        self.outage_occurrences[index] += 1;
        let occurrence = self.outage_occurrences[index];
        let at = self.failure_time(index, (0, occurrence), time_to_failure, ctx.now);
        ctx.queue.schedule(at, Event::ZoneOutageStarted { fault });
    }

    /// A new instance draws its time to failure from every random instance fault
    /// (`instanceFailure`, `spotInterruption`, `agentDisconnect`) whose target it matches.
    pub(super) fn plan_instance_faults(&mut self, id: InstanceId, ctx: &mut Ctx<'_>) {
        for &index in &self.config.random_faults.instance {
            let index = index as usize;
            let fault = &self.config.faults[index];
            let FaultTiming::Random { time_to_failure } = &fault.timing else {
                unreachable!("listed as a random fault");
            };
            let target = match &fault.kind {
                FaultKind::InstanceFailure { target }
                | FaultKind::SpotInterruption { target }
                | FaultKind::AgentDisconnect { target, .. } => target,
                _ => unreachable!("listed as a random instance fault"),
            };
            let event = Event::InstanceFaulted {
                instance: id,
                fault: index as u32,
            };
            if !self.instance_matches(target, self.capacity.instance(id)) {
                continue;
            }
            let at = self.failure_time(index, (0, u64::from(id.0)), time_to_failure, ctx.now);
            let key = ctx.queue.schedule(at, event);
            self.capacity.add_instance_timer(id, key);
        }
    }

    /// A task that just reached RUNNING draws its time to failure from every random
    /// `taskExit` fault that targets it (its service's and its family's, in fault order).
    pub(super) fn plan_task_faults(&mut self, id: TaskId, ctx: &mut Ctx<'_>) {
        let task = self.tasks.get(id);
        let by_service = task.service.map_or(&[][..], |service| {
            &self.config.random_faults.by_service[service.index()]
        });
        let by_family = &self.config.random_faults.by_task_definition[task.task_definition.index()];
        let (mut a, mut b) = (by_service.iter().peekable(), by_family.iter().peekable());
        // Both lists ascend: merge them into fault order.
        while let Some(&index) = match (a.peek(), b.peek()) {
            (Some(&&x), Some(&&y)) if x < y => a.next(),
            (Some(_), Some(_)) => b.next(),
            (Some(_), None) => a.next(),
            (None, _) => b.next(),
        } {
            let index = index as usize;
            let fault = &self.config.faults[index];
            let (FaultKind::TaskExit { container, .. }, FaultTiming::Random { time_to_failure }) =
                (&fault.kind, &fault.timing)
            else {
                unreachable!("listed as a random taskExit");
            };
            if self.container_index(id, container.as_deref()).is_none() {
                continue;
            }
            let task = self.tasks.get(id);
            let entity = (u64::from(task.group.0), u64::from(task.ordinal));
            let at = self.failure_time(index, entity, time_to_failure, ctx.now);
            let key = ctx.queue.schedule(
                at,
                Event::TaskFaulted {
                    task: id,
                    fault: index as u32,
                },
            );
            self.tasks.get_mut(id).timers.push(key);
        }
    }

    /// A random instance fault's time came: it is told, and strikes the instance.
    pub(super) fn instance_faulted(&mut self, id: InstanceId, fault: u32, ctx: &mut Ctx<'_>) {
        self.note_fault(fault, 1, ctx);
        match self.config.faults[fault as usize].kind {
            FaultKind::InstanceFailure { .. } => {
                self.terminate_instance(id, InstanceLoss::InstanceFailure, ctx);
            }
            FaultKind::SpotInterruption { .. } => self.spot_interruption_noticed(id, ctx),
            FaultKind::AgentDisconnect { .. } => self.agent_disconnected(id, fault, ctx),
            _ => unreachable!("InstanceFaulted is only scheduled for random instance faults"),
        }
    }

    /// A random `taskExit` fault's time came: it is told, and the container exits.
    pub(super) fn task_faulted(&mut self, id: TaskId, fault: u32, ctx: &mut Ctx<'_>) {
        let FaultKind::TaskExit {
            exit_code,
            ref container,
            ..
        } = self.config.faults[fault as usize].kind
        else {
            unreachable!("TaskFaulted is only scheduled for random taskExit faults");
        };
        let container = self
            .container_index(id, container.as_deref())
            .expect("planned only for a task with the container");
        self.note_fault(fault, 1, ctx);
        self.task_exited(id, exit_code, container, ctx);
    }

    /// A scripted fault's time has come: it hits every matching target, or `count` of
    /// them picked by the fault-victim stream.
    pub(super) fn inject_fault(&mut self, fault: u32, ctx: &mut Ctx<'_>) {
        let index = fault as usize;
        let FaultTiming::At { count, .. } = self.config.faults[index].timing else {
            unreachable!("only scripted faults are scheduled as FaultScheduled");
        };
        match self.config.faults[index].kind.clone() {
            FaultKind::InstanceFailure { target } => {
                let victims = self.instance_victims(index, &target, count);
                self.note_fault(fault, victims.len(), ctx);
                for id in victims {
                    self.terminate_instance(id, InstanceLoss::InstanceFailure, ctx);
                }
            }
            FaultKind::SpotInterruption { target } => {
                let victims = self.instance_victims(index, &target, count);
                self.note_fault(fault, victims.len(), ctx);
                for id in victims {
                    self.spot_interruption_noticed(id, ctx);
                }
            }
            FaultKind::AgentDisconnect { target, .. } => {
                let victims = self.instance_victims(index, &target, count);
                self.note_fault(fault, victims.len(), ctx);
                for id in victims {
                    self.agent_disconnected(id, fault, ctx);
                }
            }
            FaultKind::TaskExit {
                target,
                exit_code,
                container,
            } => {
                // In creation order: the order victims are drawn from.
                let matching: Vec<TaskId> = self
                    .tasks
                    .live_in_creation_order()
                    .into_iter()
                    .filter(|task| task.last_status == TaskStatus::Running)
                    .map(|task| task.id)
                    .filter(|&id| self.task_matches(&target, id))
                    .filter(|&id| self.container_index(id, container.as_deref()).is_some())
                    .collect();
                let victims = self.pick_victims(index as u64, matching, count);
                self.note_fault(fault, victims.len(), ctx);
                for id in victims {
                    let container = self
                        .container_index(id, container.as_deref())
                        .expect("filtered above");
                    self.task_exited(id, exit_code, container, ctx);
                }
            }
            FaultKind::ZoneOutage { .. } => {
                unreachable!("zone outages are scheduled as ZoneOutageStarted")
            }
        }
    }

    /// Live instances matching `target`, or `count` of them.
    fn instance_victims(
        &self,
        fault: usize,
        target: &InstanceFilter,
        count: Option<u32>,
    ) -> Vec<InstanceId> {
        let matching: Vec<InstanceId> = self
            .capacity
            .live_instances()
            .filter(|instance| self.instance_matches(target, instance))
            .map(|instance| instance.id)
            .collect();
        self.pick_victims(fault as u64, matching, count)
    }

    /// Which container a `taskExit` fault makes exit in the task: `Some(None)` for the
    /// essential one(s), `Some(Some(i))` for a named one, `None` if the task's definition
    /// has no container of that name.
    fn container_index(&self, id: TaskId, name: Option<&str>) -> Option<Option<u32>> {
        let Some(name) = name else {
            return Some(None);
        };
        self.config.task_definitions[self.tasks.get(id).task_definition.index()]
            .container_definitions
            .iter()
            .position(|container| container.name == name)
            .map(|index| Some(index as u32))
    }

    pub(super) fn note_fault(&self, fault: u32, targets: usize, ctx: &mut Ctx<'_>) {
        self.emit(ctx, Change::FaultInjected { fault, targets });
    }

    /// All of `matching` (in id or creation order), or `count` of them chosen uniformly by a
    /// partial Fisher-Yates shuffle on the fault-victim stream, returned in that order.
    /// `key` is the fault's index, or `1 << 32 | index` for an action.
    pub(super) fn pick_victims<T: Copy>(
        &self,
        key: u64,
        matching: Vec<T>,
        count: Option<u32>,
    ) -> Vec<T> {
        let Some(count) = count else {
            return matching;
        };
        let count = (count as usize).min(matching.len());
        let mut positions: Vec<usize> = (0..matching.len()).collect();
        let mut stream = rng::stream(self.config.seed, Stream::FaultVictims, [key, 0]);
        for i in 0..count {
            let j = i + stream.random_range(0..(positions.len() - i) as u32) as usize;
            positions.swap(i, j);
        }
        positions.truncate(count);
        positions.sort_unstable();
        positions.into_iter().map(|p| matching[p]).collect()
    }

    pub(super) fn instance_matches(
        &self,
        filter: &InstanceFilter,
        instance: &ContainerInstance,
    ) -> bool {
        let asg_name = instance
            .auto_scaling_group
            .map(|asg| self.capacity.auto_scaling_group_name(asg));
        filter
            .availability_zone
            .is_none_or(|zone| zone == instance.availability_zone)
            && filter
                .instance_type
                .as_ref()
                .is_none_or(|name| *name == instance.instance_type.name)
            && filter
                .auto_scaling_group
                .as_deref()
                .is_none_or(|name| Some(name) == asg_name)
            && filter
                .instance_id
                .as_ref()
                .is_none_or(|id| *id == instance.ec2_instance_id)
    }

    pub(super) fn task_matches(&self, filter: &TaskFilter, id: TaskId) -> bool {
        let task = self.tasks.get(id);
        match filter {
            TaskFilter::Service(name) => task
                .service
                .is_some_and(|service| self.services[service.index()].service_name == *name),
            TaskFilter::Family(family) => {
                self.config.task_definitions[task.task_definition.index()].family == *family
            }
        }
    }
}
