//! Wiring: `Run` is one simulation as a value (the model, its queue and its clock), `run`
//! drives it to the end while the output consumers and the service figures hear every
//! change. A `Run` has no globals and is `Send`, so runs go on as many threads as wanted
//! with byte-identical results.

pub mod cost;
mod figures;
mod groups;
pub mod html;
mod load_figures;
pub mod outputs;
mod report;
mod spells;

use std::io;
use std::sync::{Arc, Mutex};

use cluster::capacity_provider::{
    CapacityProviderConstraint, CapacityProviderUser, ProviderPlacements,
};
use cluster::change::{Change, Observer};
use cluster::cluster::{Cluster, ClusterSetup, Ctx};
use cluster::event::Event;
use cluster::spec::Action;
use des::{Queue, SimTime};
use placement::DefaultStrategy;
use scenario::Scenario;

pub use figures::Figures;
pub use groups::GroupFigures;
pub use outputs::{Consumer, Sink, Start, CONSUMERS, DECISIONS};
pub use report::{GroupReport, Report, ServiceReport, GROUPS_HEADER, SERVICES_HEADER};

/// Builds the model for `scenario` with the seed of this run; it does not explain its
/// decisions (set `explain` on the result for that).
pub fn setup(scenario: &Scenario, seed: u64) -> ClusterSetup {
    let constraints_of = |id: cluster::ids::TaskDefId| {
        scenario.task_definitions[id.index()]
            .placement_constraints
            .as_slice()
    };
    ClusterSetup {
        seed,
        cluster: scenario.cluster.clone(),
        parameters: scenario.parameters.clone(),
        task_definitions: scenario.task_definitions.clone(),
        services: scenario
            .services
            .iter()
            .enumerate()
            .map(|(index, service)| {
                let placements = service_definitions(scenario, index)
                    .into_iter()
                    .map(|definition| {
                        let placement = placement::build(
                            &service.placement,
                            constraints_of(definition),
                            DefaultStrategy::Service,
                        );
                        (definition, placement)
                    })
                    .collect();
                (service.clone(), placements)
            })
            .collect(),
        run_tasks: scenario
            .run_tasks
            .iter()
            .map(|run| {
                let placement = placement::build(
                    &run.placement,
                    constraints_of(run.task_definition),
                    DefaultStrategy::RunTask,
                );
                (run.clone(), placement)
            })
            .collect(),
        scheduled_tasks: scenario
            .scheduled_tasks
            .iter()
            .map(|scheduled| {
                let placement = placement::build(
                    &scheduled.placement,
                    constraints_of(scheduled.task_definition),
                    DefaultStrategy::RunTask,
                );
                (scheduled.clone(), placement)
            })
            .collect(),
        target_groups: scenario.target_groups.clone(),
        actions: scenario.actions.clone(),
        faults: scenario.faults.clone(),
        capacity_provider_placements: capacity_provider_placements(scenario),
        explain: false,
    }
}

/// The task definitions `services[index]` may run: its own, and every one an action
/// deploys to it.
fn service_definitions(scenario: &Scenario, index: usize) -> Vec<cluster::ids::TaskDefId> {
    let mut definitions = vec![scenario.services[index].task_definition];
    for action in &scenario.actions {
        if let Action::UpdateService {
            service: target,
            task_definition: Some(definition),
            ..
        } = &action.action
        {
            if target.index() == index && !definitions.contains(definition) {
                definitions.push(*definition);
            }
        }
    }
    definitions
}

/// For every service, RunTask call and scheduled task with a capacity provider strategy
/// (ECS.md §5.5): per task definition it may run, its placement once per strategy item,
/// with the constraint that keeps it on that provider's Auto Scaling group.
fn capacity_provider_placements(scenario: &Scenario) -> Vec<ProviderPlacements> {
    let build = |user: CapacityProviderUser,
                 strategy: &[cluster::spec::CapacityProviderStrategyItem],
                 spec: &cluster::spec::PlacementSpec,
                 definitions: &[cluster::ids::TaskDefId],
                 default: DefaultStrategy| {
        definitions
            .iter()
            .map(|&definition| ProviderPlacements {
                user,
                task_definition: definition,
                placements: strategy
                    .iter()
                    .map(|item| {
                        let provider = &scenario.cluster.capacity_providers
                            [usize::from(item.capacity_provider)];
                        let mut placement = placement::build(
                            spec,
                            &scenario.task_definitions[definition.index()].placement_constraints,
                            default,
                        );
                        placement
                            .constraints
                            .push(Box::new(CapacityProviderConstraint {
                                auto_scaling_group: provider.auto_scaling_group,
                                capacity_provider: provider.name.clone(),
                            }));
                        placement
                    })
                    .collect(),
            })
            .collect::<Vec<_>>()
    };
    let mut placements = Vec::new();
    for (index, service) in scenario.services.iter().enumerate() {
        if service.capacity_provider_strategy.is_empty() {
            continue;
        }
        let definitions = service_definitions(scenario, index);
        placements.extend(build(
            CapacityProviderUser::Service(cluster::ids::ServiceId(index as u32)),
            &service.capacity_provider_strategy,
            &service.placement,
            &definitions,
            DefaultStrategy::Service,
        ));
    }
    for (index, run) in scenario.run_tasks.iter().enumerate() {
        if !run.capacity_provider_strategy.is_empty() {
            placements.extend(build(
                CapacityProviderUser::RunTask(index as u32),
                &run.capacity_provider_strategy,
                &run.placement,
                &[run.task_definition],
                DefaultStrategy::RunTask,
            ));
        }
    }
    for (index, scheduled) in scenario.scheduled_tasks.iter().enumerate() {
        if !scheduled.capacity_provider_strategy.is_empty() {
            placements.extend(build(
                CapacityProviderUser::Scheduled(index as u32),
                &scheduled.capacity_provider_strategy,
                &scheduled.placement,
                &[scheduled.task_definition],
                DefaultStrategy::RunTask,
            ));
        }
    }
    placements
}

/// One simulation: the model, the event queue and the end of simulated time.
pub struct Run {
    cluster: Cluster,
    queue: Queue<Event>,
    end: SimTime,
    events: u64,
}

impl Run {
    /// The model at time zero with its first events scheduled.
    pub fn new(scenario: &Scenario, seed: u64) -> Run {
        Run::with_explain(scenario, seed, false)
    }

    /// `new`, with the model explaining its decisions when `explain` is on
    /// (`Change::PlacementExplained` and the like, for `decisions.csv`).
    pub fn with_explain(scenario: &Scenario, seed: u64, explain: bool) -> Run {
        let mut cluster = Cluster::new(ClusterSetup {
            explain,
            ..setup(scenario, seed)
        });
        let mut queue = Queue::new();
        cluster.start(&mut queue);
        Run {
            cluster,
            queue,
            end: SimTime(scenario.duration_ms),
            events: 0,
        }
    }

    /// Applies the next event, if one is due by the end (events at exactly the end are
    /// included); returns its time, or `None` when the run is over.
    pub fn step(&mut self, observer: &mut dyn Observer) -> Option<SimTime> {
        if self.queue.peek_time().is_none_or(|at| at > self.end) {
            return None;
        }
        let (now, _, event) = self.queue.pop().expect("peeked");
        // Changes are numbered by the order events are applied, not scheduled.
        let seq = self.events;
        self.events += 1;
        let mut ctx = Ctx {
            now,
            seq,
            queue: &mut self.queue,
            observer,
        };
        self.cluster.handle(event, &mut ctx);
        Some(now)
    }

    pub fn cluster(&self) -> &Cluster {
        &self.cluster
    }

    /// Events applied so far.
    pub fn events(&self) -> u64 {
        self.events
    }

    pub fn end(&self) -> SimTime {
        self.end
    }
}

/// Runs the scenario to its end, telling `observer` every change and calling `after_event`
/// after each event (tests check invariants there). Returns the final model and the
/// number of events applied.
pub fn simulate(
    scenario: &Scenario,
    seed: u64,
    observer: &mut dyn Observer,
    after_event: &mut dyn FnMut(SimTime, &Cluster),
) -> (Cluster, u64) {
    let mut run = Run::new(scenario, seed);
    while let Some(now) = run.step(observer) {
        after_event(now, &run.cluster);
    }
    (run.cluster, run.events)
}

/// The service figures and the streamed files' consumers, hearing every change.
struct Listeners {
    figures: Figures,
    costs: cost::Costs,
    groups: GroupFigures,
    consumers: Vec<Box<dyn Consumer>>,
}

impl Observer for Listeners {
    fn record(&mut self, at: SimTime, seq: u64, change: &Change<'_>, cluster: &Cluster) {
        self.figures.record(at, change, cluster);
        self.costs.record(at, change, cluster);
        self.groups.record(at, change);
        for consumer in &mut self.consumers {
            consumer.record(at, seq, change, cluster);
        }
    }
}

/// Runs the scenario, streaming the files named in `sinks` (file names from `CONSUMERS`;
/// any subset, in any order) as it goes; returns the report, from which `services.csv`,
/// `groups.csv` (with arrivals) and `summary.json` are written. The model explains its decisions only when `sinks` name
/// `decisions.csv`.
pub fn run(scenario: &Scenario, seed: u64, sinks: Vec<(&str, Sink)>) -> io::Result<Report> {
    run_with_progress(scenario, seed, sinks, &mut |_| {})
}

/// Events between two calls of a `run_with_progress` callback: often enough for a progress
/// bar, rare enough to cost nothing.
pub const PROGRESS_EVERY_EVENTS: u64 = 4096;

/// `run`, telling `progress` the simulated time reached every `PROGRESS_EVERY_EVENTS`
/// events and once at the end (the run ends at `scenario.duration_ms`). Nothing of it
/// reaches the outputs.
pub fn run_with_progress(
    scenario: &Scenario,
    seed: u64,
    sinks: Vec<(&str, Sink)>,
    progress: &mut dyn FnMut(SimTime),
) -> io::Result<Report> {
    let explain = sinks.iter().any(|(name, _)| *name == DECISIONS);
    let mut run = Run::with_explain(scenario, seed, explain);
    let start = Start {
        scenario,
        cluster: &run.cluster,
    };
    let mut consumers = Vec::new();
    for (name, sink) in sinks {
        let (_, make) = CONSUMERS
            .iter()
            .find(|(file, _)| *file == name)
            .ok_or_else(|| {
                io::Error::new(io::ErrorKind::InvalidInput, format!("no output {name}"))
            })?;
        consumers.push(make(sink, &start)?);
    }
    let mut listeners = Listeners {
        figures: Figures::new(&run.cluster, SimTime(scenario.metrics.warmup_ms)),
        costs: cost::Costs::new(scenario, SimTime(scenario.metrics.warmup_ms)),
        groups: GroupFigures::new(scenario, SimTime(scenario.metrics.warmup_ms)),
        consumers,
    };
    while let Some(now) = run.step(&mut listeners) {
        if run.events.is_multiple_of(PROGRESS_EVERY_EVENTS) {
            progress(now);
        }
    }
    progress(run.end);
    let mut services = listeners.figures.report(&run.cluster, run.end);
    let groups = listeners.groups.report();
    let cost = listeners.costs.report(scenario, run.end);
    for (service, share) in services.iter_mut().zip(&cost.services) {
        service.cost_usd = *share;
    }
    let mut report = Report::new(scenario, seed, run.end, run.events, services, groups);
    report.cost = cost;
    for consumer in listeners.consumers {
        consumer.finish_run(&run.cluster, &report)?;
    }
    Ok(report)
}

/// Every output file in memory, by file name, for tests and comparisons; without
/// `decisions.csv` (see `run_to_memory_with`).
pub fn run_to_memory(scenario: &Scenario, seed: u64) -> Vec<(&'static str, Vec<u8>)> {
    run_to_memory_with(scenario, seed, false)
}

/// Every output file in memory, `decisions.csv` too when `explain` is on.
pub fn run_to_memory_with(
    scenario: &Scenario,
    seed: u64,
    explain: bool,
) -> Vec<(&'static str, Vec<u8>)> {
    let buffers: Vec<(&'static str, SharedBuffer)> = CONSUMERS
        .iter()
        .filter(|&&(name, _)| explain || name != DECISIONS)
        .map(|&(name, _)| (name, SharedBuffer::default()))
        .collect();
    let sinks = buffers
        .iter()
        .map(|(name, buffer)| (*name, Box::new(buffer.clone()) as Sink))
        .collect();
    let report = run(scenario, seed, sinks).expect("writing to memory cannot fail");
    let mut files: Vec<(&'static str, Vec<u8>)> = buffers
        .into_iter()
        .map(|(name, buffer)| (name, buffer.take()))
        .collect();
    let mut services = Vec::new();
    report.write_services_csv(&mut services).expect("memory");
    files.push(("services.csv", services));
    if !report.groups.is_empty() {
        let mut groups = Vec::new();
        report.write_groups_csv(&mut groups).expect("memory");
        files.push(("groups.csv", groups));
    }
    let mut summary = Vec::new();
    report.write_summary_json(&mut summary).expect("memory");
    files.push(("summary.json", summary));
    files
}

/// An in-memory writer whose bytes can be taken back after the run.
#[derive(Default, Clone)]
struct SharedBuffer(Arc<Mutex<Vec<u8>>>);

impl SharedBuffer {
    fn take(&self) -> Vec<u8> {
        std::mem::take(&mut *self.0.lock().expect("not poisoned"))
    }
}

impl io::Write for SharedBuffer {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.0
            .lock()
            .expect("not poisoned")
            .extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}
