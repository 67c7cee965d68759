//! `Cluster`: the whole model as one plain value, its read API for placement, and
//! `Cluster::handle`, which applies one event.

mod capacity;
mod faults;
mod invariants;
mod lifecycle;
mod scheduler;

use std::collections::BTreeMap;

use des::{rng, EventKey, Queue, SimRng, SimTime, Stream};

use crate::event::{Event, Observer};
use crate::ids::{GroupId, InstanceId, ServiceId, TaskDefId, TaskId, ZoneId};
use crate::instance::ContainerInstance;
use crate::placement::Placement;
use crate::service::{Service, ServiceStats};
use crate::spec::{
    AutoScalingGroupSpec, ClusterSpec, FaultSpec, FixedInstanceSpec, Parameters, RunTaskSpec,
    ServiceSpec, TaskDefinition,
};
use crate::task::Task;

/// What `handle` needs besides the model: the queue to schedule into and the observer.
pub struct Ctx<'a> {
    pub now: SimTime,
    /// Sequence number of the event being applied; every change it causes carries it.
    pub seq: u64,
    pub queue: &'a mut Queue<Event>,
    pub observer: &'a mut dyn Observer,
}

/// Everything `Cluster::new` needs: the validated scenario with its placements built.
#[derive(Debug)]
pub struct ClusterSetup {
    pub seed: u64,
    pub cluster: ClusterSpec,
    pub parameters: Parameters,
    pub task_definitions: Vec<TaskDefinition>,
    pub services: Vec<(ServiceSpec, Placement)>,
    pub run_tasks: Vec<(RunTaskSpec, Placement)>,
    pub faults: Vec<FaultSpec>,
}

/// Tasks of one task group that are PROVISIONING, PENDING or RUNNING, by instance and zone.
#[derive(Debug)]
pub struct Group {
    pub name: String,
    pub per_instance: BTreeMap<InstanceId, u32>,
    pub per_zone: Vec<u32>,
    /// Tasks ever started in the group; the next one's ordinal.
    pub launched: u32,
}

/// An Auto Scaling group's live state.
#[derive(Debug)]
struct AutoScalingGroup {
    spec: AutoScalingGroupSpec,
    desired_capacity: u32,
    /// Live instances, in id order.
    instances: Vec<InstanceId>,
    /// Launches under way, by zone index of the cluster.
    launching: Vec<u32>,
    /// Launches under way that only rebalance zones (capacity + 1 until they register).
    rebalancing: u32,
}

/// A zone's live state: down while any outage covers it.
#[derive(Debug)]
struct Zone {
    name: String,
    outages: u32,
}

#[derive(Debug)]
pub struct Cluster {
    name: String,
    seed: u64,
    parameters: Parameters,
    zones: Vec<Zone>,
    task_definitions: Vec<TaskDefinition>,
    fixed_instances: Vec<FixedInstanceSpec>,
    instances: Vec<ContainerInstance>,
    /// Pending random-fault events per instance, cancelled when the instance goes.
    instance_timers: Vec<Vec<EventKey>>,
    /// Ids of ACTIVE instances, ascending: the placement candidates.
    active: Vec<InstanceId>,
    tasks: Vec<Task>,
    services: Vec<Service>,
    groups: Vec<Group>,
    group_ids: BTreeMap<String, GroupId>,
    asgs: Vec<AutoScalingGroup>,
    run_tasks: Vec<(RunTaskSpec, Placement)>,
    faults: Vec<FaultSpec>,
    /// Zone-outage occurrences per fault, keys for their random draws.
    outage_occurrences: Vec<u64>,
    /// Tie-breaks and `random`; `None` only while lent to `place`.
    rng_placement: Option<SimRng>,
}

impl Cluster {
    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn seed(&self) -> u64 {
        self.seed
    }

    pub fn parameters(&self) -> &Parameters {
        &self.parameters
    }

    /// The ephemeral range dynamic host ports come from, inclusive.
    pub fn dynamic_port_range(&self) -> (u16, u16) {
        (
            self.parameters.dynamic_host_port_first,
            self.parameters.dynamic_host_port_last,
        )
    }

    pub fn zone_name(&self, zone: ZoneId) -> &str {
        &self.zones[zone.index()].name
    }

    /// Whether an outage has the zone down now.
    pub fn zone_is_down(&self, zone: ZoneId) -> bool {
        self.zones[zone.index()].outages > 0
    }

    pub fn zone_count(&self) -> usize {
        self.zones.len()
    }

    pub fn task_definition(&self, id: TaskDefId) -> &TaskDefinition {
        &self.task_definitions[id.index()]
    }

    pub fn instance(&self, id: InstanceId) -> &ContainerInstance {
        &self.instances[id.index()]
    }

    /// Every instance ever registered, in id order.
    pub fn instances(&self) -> &[ContainerInstance] {
        &self.instances
    }

    /// ACTIVE instances (placement candidates), in id order.
    pub fn active_instances(&self) -> impl Iterator<Item = &ContainerInstance> {
        self.active.iter().map(|&id| &self.instances[id.index()])
    }

    pub fn auto_scaling_group_name(&self, id: crate::ids::AsgId) -> &str {
        &self.asgs[id.index()].spec.name
    }

    pub fn task(&self, id: TaskId) -> &Task {
        &self.tasks[id.index()]
    }

    /// Every task ever created, in id order.
    pub fn tasks(&self) -> &[Task] {
        &self.tasks
    }

    pub fn service(&self, id: ServiceId) -> &Service {
        &self.services[id.index()]
    }

    pub fn services(&self) -> &[Service] {
        &self.services
    }

    pub fn group(&self, id: GroupId) -> &Group {
        &self.groups[id.index()]
    }

    pub fn group_name(&self, id: GroupId) -> &str {
        &self.groups[id.index()].name
    }

    /// The group named `name` (`service:web`, `family:batch`...), if any task ever used it.
    pub fn group_id(&self, name: &str) -> Option<GroupId> {
        self.group_ids.get(name).copied()
    }

    /// Active tasks of `group` on `instance`.
    pub fn group_tasks_on(&self, group: GroupId, instance: InstanceId) -> u32 {
        self.group(group)
            .per_instance
            .get(&instance)
            .copied()
            .unwrap_or(0)
    }

    /// Active tasks of `group` in `zone`.
    pub fn group_tasks_in_zone(&self, group: GroupId, zone: ZoneId) -> u32 {
        self.group(group).per_zone[zone.index()]
    }

    /// Instances hosting active tasks of `group`, with their counts, in id order.
    pub fn group_instances(&self, group: GroupId) -> impl Iterator<Item = (InstanceId, u32)> + '_ {
        self.group(group)
            .per_instance
            .iter()
            .map(|(&instance, &count)| (instance, count))
    }

    /// Builds the model at time zero; nothing exists until `start` schedules it.
    pub fn new(setup: ClusterSetup) -> Cluster {
        let ClusterSetup {
            seed,
            cluster,
            parameters,
            task_definitions,
            services,
            run_tasks,
            faults,
        } = setup;
        let zones: Vec<Zone> = cluster
            .availability_zones
            .into_iter()
            .map(|name| Zone { name, outages: 0 })
            .collect();
        let asgs = cluster
            .auto_scaling_groups
            .into_iter()
            .map(|spec| AutoScalingGroup {
                desired_capacity: spec.desired_capacity,
                spec,
                instances: Vec::new(),
                launching: vec![0; zones.len()],
                rebalancing: 0,
            })
            .collect();
        let mut model = Cluster {
            name: cluster.name,
            seed,
            parameters,
            zones,
            task_definitions,
            fixed_instances: cluster.instances,
            instances: Vec::new(),
            instance_timers: Vec::new(),
            active: Vec::new(),
            tasks: Vec::new(),
            services: Vec::new(),
            groups: Vec::new(),
            group_ids: BTreeMap::new(),
            asgs,
            outage_occurrences: vec![0; faults.len()],
            run_tasks,
            faults,
            rng_placement: Some(rng::stream(seed, Stream::Placement, [0, 0])),
        };
        for (index, (spec, placement)) in services.into_iter().enumerate() {
            let group = model.intern_group(&format!("service:{}", spec.service_name));
            model.services.push(Service {
                id: ServiceId(index as u32),
                service_name: spec.service_name,
                group,
                task_definition: spec.task_definition,
                desired_count: spec.desired_count,
                deployment_configuration: spec.deployment_configuration,
                placement,
                tasks: Vec::new(),
                active_count: 0,
                running_count: 0,
                pass: None,
                stats: ServiceStats::default(),
            });
        }
        model
    }

    /// Schedules what happens at time zero or at fixed times: the first instances, each
    /// service's creation, RunTask calls and scripted faults.
    pub fn start(&mut self, queue: &mut Queue<Event>) {
        self.start_capacity(queue);
        for service in &mut self.services {
            service.pass = Some(queue.schedule(
                SimTime::ZERO,
                Event::ServiceSchedulerPassDue {
                    service: service.id,
                },
            ));
        }
        for (index, (run, _)) in self.run_tasks.iter().enumerate() {
            queue.schedule(
                SimTime(run.at_ms),
                Event::RunTaskRequested { run: index as u32 },
            );
        }
        self.plan_faults(queue);
    }

    /// Applies one event: the single place where the model changes.
    pub fn handle(&mut self, event: Event, ctx: &mut Ctx<'_>) {
        match event {
            Event::InstanceRegistered { launch } => self.register_instance(launch, ctx),
            Event::InstanceTerminated { instance, loss } => {
                self.terminate_instance(instance, loss, ctx);
            }
            Event::FaultScheduled { fault } => self.inject_fault(fault, ctx),
            Event::ZoneOutageStarted { fault } => self.start_zone_outage(fault, ctx),
            Event::ZoneOutageEnded { fault } => self.end_zone_outage(fault, ctx),
            Event::TaskProvisioned { task } => self.task_provisioned(task, ctx),
            Event::TaskStarted { task } => self.task_started(task, ctx),
            Event::TaskExited { task, exit_code } => self.task_exited(task, exit_code, ctx),
            Event::TaskStopped { task } => self.task_stopped(task, ctx),
            Event::ServiceSchedulerPassDue { service } => self.service_pass(service, ctx),
            Event::RunTaskRequested { run } => self.run_task(run, ctx),
        }
    }

    /// Brings every service's time-weighted figures up to `now`, for the report.
    pub fn finish(&mut self, now: SimTime) {
        for service in &mut self.services {
            let (running, desired) = (service.running_count, service.desired_count);
            service.stats.advance(now, running, desired);
        }
    }

    fn intern_group(&mut self, name: &str) -> GroupId {
        if let Some(&id) = self.group_ids.get(name) {
            return id;
        }
        let id = GroupId(self.groups.len() as u32);
        self.groups.push(Group {
            name: name.to_string(),
            per_instance: BTreeMap::new(),
            per_zone: vec![0; self.zones.len()],
            launched: 0,
        });
        self.group_ids.insert(name.to_string(), id);
        id
    }
}
