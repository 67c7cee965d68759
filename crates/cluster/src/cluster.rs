//! `Cluster`: the whole model as one plain value made of parts with private fields
//! (configuration, capacity, tasks, services, the scheduler's placement state), its read
//! API, and `Cluster::handle`, which applies one event.

mod faults;
mod invariants;
mod lifecycle;
mod scaling;
mod scheduler;

use std::collections::BTreeMap;
use std::sync::Arc;

use des::{rng, Queue, SimRng, SimTime, Stream};

use crate::capacity::Capacity;
use crate::change::{Change, Observer};
use crate::event::Event;
use crate::ids::{GroupId, InstanceId, ServiceId, TaskDefId, TaskId, ZoneId};
use crate::index::IndexPlan;
use crate::instance::ContainerInstance;
use crate::placement::{Placement, PlacementView, Requirements};
use crate::service::Service;
use crate::spec::{
    ActionSpec, ClusterSpec, FaultSpec, Parameters, RunTaskSpec, ScheduledTaskSpec, ServiceSpec,
    TargetGroupSpec, TaskDefinition,
};
use crate::task::Task;
use crate::tasks::Tasks;

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
    pub scheduled_tasks: Vec<(ScheduledTaskSpec, Placement)>,
    pub target_groups: Vec<TargetGroupSpec>,
    pub actions: Vec<ActionSpec>,
    pub faults: Vec<FaultSpec>,
}

/// What the scenario said: never changed by a run.
#[derive(Debug)]
struct Config {
    name: String,
    seed: u64,
    parameters: Parameters,
    task_definitions: Vec<TaskDefinition>,
    /// What a task of each definition needs from an instance, by `TaskDefId`.
    requirements: Vec<Requirements>,
    faults: Vec<FaultSpec>,
    random_faults: faults::RandomFaults,
    /// ECS's `stoppedReason` when the essential container exits, shared by every such task.
    essential_container_exited: Arc<str>,
}

/// The scheduler's own state: each service's and RunTask's built placement, and the one
/// stream that tie-breaks and `random` draw from.
#[derive(Debug)]
struct Scheduler {
    services: Vec<Placement>,
    run_tasks: Vec<(RunTaskSpec, Placement)>,
    rng: SimRng,
}

#[derive(Debug)]
pub struct Cluster {
    config: Config,
    capacity: Capacity,
    tasks: Tasks,
    services: Vec<Service>,
    scheduler: Scheduler,
    /// Zone-outage occurrences per fault, keys for their random draws.
    outage_occurrences: Vec<u64>,
}

impl Cluster {
    /// Builds the model at time zero; nothing exists until `start` schedules it.
    pub fn new(setup: ClusterSetup) -> Cluster {
        let ClusterSetup {
            seed,
            cluster,
            parameters,
            task_definitions,
            services,
            run_tasks,
            scheduled_tasks: _,
            target_groups: _,
            actions: _,
            faults,
        } = setup;
        let plan = IndexPlan::of(
            services
                .iter()
                .map(|(_, placement)| placement)
                .chain(run_tasks.iter().map(|(_, placement)| placement)),
        );
        let zone_count = cluster.availability_zones.len();
        let capacity = Capacity::new(
            cluster.availability_zones,
            cluster.auto_scaling_groups,
            cluster.instances,
            (
                parameters.dynamic_host_port_first,
                parameters.dynamic_host_port_last,
            ),
            plan,
        );
        let mut tasks = Tasks::new(zone_count);
        let mut service_placements = Vec::new();
        let mut model_services = Vec::new();
        for (index, (spec, placement)) in services.into_iter().enumerate() {
            let group = tasks.intern_group(&format!("service:{}", spec.service_name));
            model_services.push(Service {
                id: ServiceId(index as u32),
                service_name: spec.service_name,
                group,
                task_definition: spec.task_definition,
                desired_count: spec.desired_count,
                deployment_configuration: spec.deployment_configuration,
                tasks: BTreeMap::new(),
                active_count: 0,
                running_count: 0,
                pass: None,
            });
            service_placements.push(placement);
        }
        let outage_occurrences = vec![0; faults.len()];
        let service_names: Vec<String> = model_services
            .iter()
            .map(|service: &Service| service.service_name.clone())
            .collect();
        let random_faults = faults::RandomFaults::new(&faults, &service_names, &task_definitions);
        Cluster {
            config: Config {
                name: cluster.name,
                seed,
                requirements: task_definitions.iter().map(Requirements::of).collect(),
                parameters,
                task_definitions,
                faults,
                random_faults,
                essential_container_exited: Arc::from("Essential container in task exited"),
            },
            outage_occurrences,
            capacity,
            tasks,
            services: model_services,
            scheduler: Scheduler {
                services: service_placements,
                run_tasks,
                rng: rng::stream(seed, Stream::Placement, [0, 0]),
            },
        }
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
        for (index, (run, _)) in self.scheduler.run_tasks.iter().enumerate() {
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

    /// Tells the observer one change, with the model as it is now.
    fn emit(&self, ctx: &mut Ctx<'_>, change: Change<'_>) {
        ctx.observer.record(ctx.now, ctx.seq, &change, self);
    }

    // ---- reading ----

    pub fn name(&self) -> &str {
        &self.config.name
    }

    pub fn seed(&self) -> u64 {
        self.config.seed
    }

    pub fn parameters(&self) -> &Parameters {
        &self.config.parameters
    }

    pub fn capacity(&self) -> &Capacity {
        &self.capacity
    }

    pub fn tasks(&self) -> &Tasks {
        &self.tasks
    }

    /// What placement sees of the model.
    pub fn view(&self) -> PlacementView<'_> {
        PlacementView::new(
            &self.capacity,
            &self.tasks,
            self.config.parameters.tie_break,
        )
    }

    pub fn zone_name(&self, zone: ZoneId) -> &str {
        self.capacity.zone_name(zone)
    }

    pub fn zone_count(&self) -> usize {
        self.capacity.zone_count()
    }

    pub fn task_definition(&self, id: TaskDefId) -> &TaskDefinition {
        &self.config.task_definitions[id.index()]
    }

    pub fn requirements(&self, id: TaskDefId) -> &Requirements {
        &self.config.requirements[id.index()]
    }

    pub fn instance(&self, id: InstanceId) -> &ContainerInstance {
        self.capacity.instance(id)
    }

    /// Every instance ever registered, in id order.
    pub fn instances(&self) -> &[ContainerInstance] {
        self.capacity.instances()
    }

    pub fn auto_scaling_group_name(&self, id: crate::ids::AsgId) -> &str {
        self.capacity.auto_scaling_group_name(id)
    }

    /// A live task (not yet STOPPED and written out).
    pub fn task(&self, id: TaskId) -> &Task {
        self.tasks.get(id)
    }

    pub fn service(&self, id: ServiceId) -> &Service {
        &self.services[id.index()]
    }

    pub fn services(&self) -> &[Service] {
        &self.services
    }

    pub fn group_name(&self, id: GroupId) -> &str {
        self.tasks.group_name(id)
    }
}
