//! `Cluster`: the whole model as one plain value made of parts with private fields
//! (configuration, capacity, tasks, services, the scheduler's placement state), its read
//! API, and `Cluster::handle`, which applies one event.

mod actions;
mod arrivals;
mod autoscaling;
mod capacity_providers;
mod daemon;
mod deployments;
mod faults;
mod invariants;
mod lifecycle;
mod phases;
mod scale_in;
mod scaling;
mod scheduler;

use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;

use des::{rng, Queue, SimRng, SimTime, Stream};

use crate::capacity::Capacity;
use crate::capacity_provider::{CapacityProviderUser, CapacityProviders, ProviderPlacements};
use crate::change::{Change, Observer};
use crate::deployment::{
    Deployment, DeploymentCause, DeploymentId, DeploymentStatus, RolloutState,
};
use crate::event::Event;
use crate::ids::{GroupId, InstanceId, ServiceId, TaskDefId, TaskId, ZoneId};
use crate::index::IndexPlan;
use crate::instance::ContainerInstance;
use crate::placement::{Placement, PlacementView, Requirements};
use crate::service::Service;
use crate::spec::{
    ActionSpec, ClusterSpec, FaultSpec, Parameters, RunTaskSpec, ScheduledTaskSpec,
    SchedulingStrategy, ServiceSpec, TargetGroupSpec, TaskDefinition,
};
use crate::task::Task;
use crate::tasks::Tasks;

/// What `handle` needs besides the model: the queue to schedule into and the observer.
pub struct Ctx<'a> {
    pub now: SimTime,
    /// The number of the event being applied, counting events in the order they are applied
    /// from 0; every change it causes carries it.
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
    /// Each service with its placement for every task definition it may run (its own and
    /// every `updateService` target): service strategies and constraints plus the task
    /// definition's constraints.
    pub services: Vec<(ServiceSpec, Vec<(TaskDefId, Placement)>)>,
    pub run_tasks: Vec<(RunTaskSpec, Placement)>,
    pub scheduled_tasks: Vec<(ScheduledTaskSpec, Placement)>,
    pub target_groups: Vec<TargetGroupSpec>,
    pub actions: Vec<ActionSpec>,
    pub faults: Vec<FaultSpec>,
    /// Placements restricted to capacity providers' groups, for every service, RunTask and
    /// scheduled task with a capacity provider strategy (ECS.md §5.5).
    pub capacity_provider_placements: Vec<ProviderPlacements>,
    /// Whether the model explains its decisions (placements, stops, terminations) with
    /// `Change::*Explained` records. Off, it spends nothing on them.
    pub explain: bool,
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
    target_groups: Vec<TargetGroupSpec>,
    actions: Vec<ActionSpec>,
    /// ECS's `stoppedReason` when the essential container exits, shared by every such task.
    essential_container_exited: Arc<str>,
    /// `ClusterSetup::explain`.
    explain: bool,
}

/// The scheduler's own state: each service's and RunTask's built placement, and the one
/// stream that tie-breaks and `random` draw from.
#[derive(Debug)]
struct Scheduler {
    /// Per service, its placement for each task definition it may run.
    services: Vec<Vec<(TaskDefId, Placement)>>,
    run_tasks: Vec<(RunTaskSpec, Placement)>,
    scheduled_tasks: Vec<(ScheduledTaskSpec, Placement)>,
    rng: SimRng,
    /// Scale-in draws made so far (for `random` scale-in): each is keyed by its number.
    scale_in_draws: std::cell::Cell<u64>,
    /// The numbers of the tasks a pass or a RunTask call started, for its service event:
    /// a buffer kept between calls, so a pass allocates nothing for it.
    started: Vec<u64>,
}

/// The placement `service` uses for tasks of `task_definition`, out of `Scheduler::services`
/// (a free function, so the placement stream can be borrowed beside it).
fn placement_of(
    services: &[Vec<(TaskDefId, Placement)>],
    service: ServiceId,
    task_definition: TaskDefId,
) -> &Placement {
    services[service.index()]
        .iter()
        .find(|(id, _)| *id == task_definition)
        .map(|(_, placement)| placement)
        .expect("setup builds a placement for every task definition a service may run")
}

impl Scheduler {
    /// The placement `service` uses for tasks of `task_definition`.
    fn placement(&self, service: ServiceId, task_definition: TaskDefId) -> &Placement {
        placement_of(&self.services, service, task_definition)
    }

    /// The `started` buffer, empty; give it back when done.
    fn take_started(&mut self) -> Vec<u64> {
        let mut started = std::mem::take(&mut self.started);
        started.clear();
        started
    }

    /// A stream for one scale-in choice, keyed by the run's count of them.
    fn scale_in_rng(&self, service: ServiceId, seed: u64) -> SimRng {
        let draw = self.scale_in_draws.get();
        self.scale_in_draws.set(draw + 1);
        rng::stream(seed, Stream::Placement, [1 + u64::from(service.0), draw])
    }
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
    /// Deployments created so far over all services: the next one's number less one.
    deployments_created: u64,
    /// The instance `terminate_instance` is taking down, so its tasks' stops do not start
    /// its termination again.
    terminating_now: Option<InstanceId>,
    /// Services' load and Service Auto Scaling.
    scaling: autoscaling::Scaling,
    /// Capacity providers, their waiting tasks and managed scaling (ECS.md §5.5).
    capacity_providers: CapacityProviders,
    /// Zero-length lifecycle phases begun by the event being applied, applied before it
    /// ends (`phases.rs`), each with its token; empty between events.
    due_now: VecDeque<(Event, u64)>,
    /// The tokens given to entries of `due_now` so far: each entry's is new.
    due_tokens: u64,
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
            scheduled_tasks,
            target_groups,
            actions,
            faults,
            capacity_provider_placements,
            explain,
        } = setup;
        let plan = IndexPlan::of(
            services
                .iter()
                .flat_map(|(_, placements)| placements.iter().map(|(_, placement)| placement))
                .chain(run_tasks.iter().map(|(_, placement)| placement))
                .chain(scheduled_tasks.iter().map(|(_, placement)| placement))
                .chain(
                    capacity_provider_placements
                        .iter()
                        .flat_map(|placements| &placements.placements),
                ),
        );
        let mut strategies = BTreeMap::new();
        for (index, (spec, _)) in services.iter().enumerate() {
            let user = CapacityProviderUser::Service(ServiceId(index as u32));
            if !spec.capacity_provider_strategy.is_empty() {
                strategies.insert(user, spec.capacity_provider_strategy.clone());
            }
        }
        for (index, (spec, _)) in run_tasks.iter().enumerate() {
            if !spec.capacity_provider_strategy.is_empty() {
                let user = CapacityProviderUser::RunTask(index as u32);
                strategies.insert(user, spec.capacity_provider_strategy.clone());
            }
        }
        for (index, (spec, _)) in scheduled_tasks.iter().enumerate() {
            if !spec.capacity_provider_strategy.is_empty() {
                let user = CapacityProviderUser::Scheduled(index as u32);
                strategies.insert(user, spec.capacity_provider_strategy.clone());
            }
        }
        let capacity_providers = CapacityProviders::new(
            cluster.capacity_providers.clone(),
            cluster.auto_scaling_groups.len(),
            services.len(),
            strategies,
            capacity_provider_placements,
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
        let scaling = autoscaling::Scaling::new(
            services
                .iter()
                .map(|(spec, _)| (spec.load.clone(), spec.auto_scaling.clone())),
            task_definitions
                .iter()
                .map(|definition| definition.workload.load)
                .collect(),
        );
        let mut tasks = Tasks::new(zone_count);
        let mut service_placements = Vec::new();
        let mut model_services = Vec::new();
        let mut deployments_created = 0;
        for (index, (spec, placements)) in services.into_iter().enumerate() {
            let group = tasks.intern_group(&format!("service:{}", spec.service_name));
            deployments_created += 1;
            model_services.push(Service {
                id: ServiceId(index as u32),
                service_name: spec.service_name,
                group,
                scheduling_strategy: spec.scheduling_strategy,
                desired_count: if spec.scheduling_strategy == SchedulingStrategy::Daemon {
                    0
                } else {
                    spec.desired_count
                },
                deployment_configuration: spec.deployment_configuration,
                load_balancers: spec.load_balancers,
                health_check_grace_period_ms: spec.health_check_grace_period_ms,
                // CreateService's deployment, IN_PROGRESS until the service is steady.
                deployments: vec![Deployment {
                    id: DeploymentId(deployments_created),
                    task_definition: spec.task_definition,
                    status: DeploymentStatus::Primary,
                    rollout_state: RolloutState::InProgress,
                    reason: "ECS deployment in progress.".to_string(),
                    cause: DeploymentCause::ServiceCreated,
                    started_at: SimTime::ZERO,
                    ended_at: None,
                    rollback_of: None,
                    failed_tasks: 0,
                    any_running: false,
                }],
                tasks: BTreeMap::new(),
                active_count: 0,
                running_count: 0,
                unhealthy_count: 0,
                healthy_by: Some(SimTime::ZERO),
                pass: None,
                start_failures: 0,
                throttled_until: SimTime::ZERO,
                throttle_reported: false,
                stuck_reported: false,
                unplaced_reported: None,
                steady: false,
                limit_lowered_at: SimTime::ZERO,
            });
            service_placements.push(placements);
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
                target_groups,
                actions,
                essential_container_exited: Arc::from("Essential container in task exited"),
                explain,
            },
            outage_occurrences,
            deployments_created,
            terminating_now: None,
            scaling,
            capacity_providers,
            due_now: VecDeque::new(),
            due_tokens: 0,
            capacity,
            tasks,
            services: model_services,
            scheduler: Scheduler {
                services: service_placements,
                run_tasks,
                scheduled_tasks,
                rng: rng::stream(seed, Stream::Placement, [0, 0]),
                scale_in_draws: std::cell::Cell::new(0),
                started: Vec::new(),
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
            if let Some(arrivals) = &run.arrivals {
                self.plan_arrival(index as u32, arrivals, 0, SimTime::ZERO, queue);
                continue;
            }
            queue.schedule(
                SimTime(run.at_ms),
                Event::RunTaskRequested { run: index as u32 },
            );
        }
        for index in 0..self.scheduler.scheduled_tasks.len() {
            // EventBridge fires after the rule exists: strictly after time zero.
            self.plan_scheduled_task(index as u32, SimTime::ZERO, queue);
        }
        for (index, action) in self.config.actions.iter().enumerate() {
            queue.schedule(
                SimTime(action.at_ms),
                Event::ActionDue {
                    action: index as u32,
                },
            );
        }
        self.plan_faults(queue);
        self.start_scaling(queue);
        self.start_capacity_providers(queue);
    }

    /// Applies one event: the single place where the model changes. The zero-length
    /// phases it begins are applied in it too, after its own work (`phases.rs`).
    pub fn handle(&mut self, event: Event, ctx: &mut Ctx<'_>) {
        self.apply(event, ctx);
        self.apply_due_now(ctx);
    }

    /// What one event does, without the zero-length phases it begins.
    fn apply(&mut self, event: Event, ctx: &mut Ctx<'_>) {
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
            Event::TaskExited {
                task,
                exit_code,
                container,
            } => self.task_exited(task, exit_code, container, ctx),
            Event::TargetHealthy { task } => self.target_healthy(task, ctx),
            Event::TaskUnhealthy { task } => self.task_unhealthy(task, ctx),
            Event::TaskDeregistered { task } => self.task_deregistered(task, ctx),
            Event::TaskStopped { task } => self.task_stopped(task, ctx),
            Event::TaskDeprovisioned { task } => self.task_deprovisioned(task, ctx),
            Event::ServiceSchedulerPassDue { service } => self.service_pass(service, ctx),
            Event::RunTaskRequested { run } => self.run_task(run, ctx),
            Event::TaskArrived { run, arrival } => self.task_arrived(run, arrival, ctx),
            Event::ScheduledTaskDue { schedule } => self.scheduled_task(schedule, ctx),
            Event::ActionDue { action } => self.apply_action(action, ctx),
            Event::InstanceFaulted { instance, fault } => {
                self.instance_faulted(instance, fault, ctx);
            }
            Event::TaskFaulted { task, fault } => self.task_faulted(task, fault, ctx),
            Event::AgentReconnected { instance } => self.agent_reconnected(instance, ctx),
            Event::DrainingTimedOut { instance } => self.draining_timed_out(instance, ctx),
            Event::ServiceLoadChanged { service } => self.service_load_changed(service, ctx),
            Event::MetricsSampled => self.metrics_sampled(ctx),
            Event::ScheduledScalingActionDue { service, action } => {
                self.scheduled_scaling(service, action, ctx);
            }
            Event::CapacityProviderReservationDue => self.capacity_provider_period(ctx),
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

    /// Whether the model explains its decisions (`ClusterSetup::explain`).
    pub fn explains(&self) -> bool {
        self.config.explain
    }

    /// `faults[index]` of the scenario.
    pub fn fault(&self, index: u32) -> &FaultSpec {
        &self.config.faults[index as usize]
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

    /// Capacity providers, their PROVISIONING tasks and managed scaling's state.
    pub fn capacity_providers(&self) -> &CapacityProviders {
        &self.capacity_providers
    }

    /// Target groups, by the index `LoadBalancerSpec::target_group` holds.
    pub fn target_groups(&self) -> &[TargetGroupSpec] {
        &self.config.target_groups
    }
}
