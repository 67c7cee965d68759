//! Wiring: `run` turns a validated `Scenario` and a seed into the output files. It builds
//! the placements, drives the event loop and streams every change to the recorder.

mod recorder;
mod report;

use std::io;

use cluster::cluster::{Cluster, ClusterSetup, Ctx};
use cluster::event::{Event, Observer};
use des::{Queue, SimTime};
use placement::DefaultStrategy;
use scenario::Scenario;

pub use recorder::{Recorder, Writers};
pub use report::{Report, ServiceReport};

/// Builds the model for `scenario` with the seed of this run.
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
            .map(|service| {
                let placement = placement::build(
                    &service.placement,
                    constraints_of(service.task_definition),
                    DefaultStrategy::Service,
                );
                (service.clone(), placement)
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
        faults: scenario.faults.clone(),
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
    let mut cluster = Cluster::new(setup(scenario, seed));
    let mut queue: Queue<Event> = Queue::new();
    cluster.start(&mut queue);
    let end = SimTime(scenario.duration_ms);
    let mut events = 0u64;
    while queue.peek_time().is_some_and(|at| at <= end) {
        let (now, seq, event) = queue.pop().expect("peeked");
        events += 1;
        let mut ctx = Ctx {
            now,
            seq,
            queue: &mut queue,
            observer,
        };
        cluster.handle(event, &mut ctx);
        after_event(now, &cluster);
    }
    cluster.finish(end);
    (cluster, events)
}

/// Runs the scenario and writes the streamed files into `writers`; returns the report,
/// from which `services.csv` and `summary.json` are written.
pub fn run(scenario: &Scenario, seed: u64, writers: Writers) -> io::Result<Report> {
    let mut recorder = Recorder::new(writers)?;
    let (cluster, events) = simulate(scenario, seed, &mut recorder, &mut |_, _| {});
    recorder.finish(&cluster)?;
    Ok(Report::new(scenario, seed, &cluster, events))
}

/// All six output files in memory, by file name, for tests and comparisons.
pub fn run_to_memory(scenario: &Scenario, seed: u64) -> Vec<(&'static str, Vec<u8>)> {
    let buffers = recorder::SharedBuffers::default();
    let report = run(scenario, seed, buffers.writers()).expect("writing to memory cannot fail");
    let mut files = buffers.into_files();
    let mut services = Vec::new();
    report.write_services_csv(&mut services).expect("memory");
    files.push(("services.csv", services));
    let mut summary = Vec::new();
    report.write_summary_json(&mut summary).expect("memory");
    files.push(("summary.json", summary));
    files
}
