//! `Cluster`: the whole model as one plain value, its read API for placement, and
//! `Cluster::handle`, which applies one event.

use std::collections::BTreeMap;

use des::{Queue, SimRng, SimTime};

use crate::event::{Event, Observer};
use crate::ids::{GroupId, InstanceId, ServiceId, TaskDefId, TaskId, ZoneId};
use crate::instance::ContainerInstance;
use crate::placement::Placement;
use crate::service::Service;
use crate::spec::{
    AutoScalingGroupSpec, ClusterSpec, FaultSpec, Parameters, RunTaskSpec, ServiceSpec,
    TaskDefinition,
};
use crate::task::Task;

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
}

#[derive(Debug)]
pub struct Cluster {
    name: String,
    seed: u64,
    parameters: Parameters,
    zones: Vec<String>,
    task_definitions: Vec<TaskDefinition>,
    instances: Vec<ContainerInstance>,
    tasks: Vec<Task>,
    services: Vec<Service>,
    groups: Vec<Group>,
    group_ids: BTreeMap<String, GroupId>,
    rng_placement: SimRng,
    #[allow(dead_code)]
    asgs: Vec<AutoScalingGroupSpec>,
    #[allow(dead_code)]
    run_tasks: Vec<(RunTaskSpec, Placement)>,
    #[allow(dead_code)]
    faults: Vec<FaultSpec>,
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
        &self.zones[zone.index()]
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
        self.instances.iter().filter(|instance| instance.is_active())
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

    #[allow(clippy::unused_self, unused_variables)]
    pub fn handle(
        &mut self,
        now: SimTime,
        seq: u64,
        event: Event,
        queue: &mut Queue<Event>,
        observer: &mut dyn Observer,
    ) {
        todo!("engine being written")
    }
}
