//! Determinism: the same scenario and seed give the same bytes; another seed gives other
//! bytes; and the fault schedule does not depend on placement decisions.

use crate::golden::scenario_files;
use crate::support::{csv_rows, outputs, scenario};

#[test]
fn every_scenario_twice_gives_identical_bytes() {
    for path in scenario_files() {
        let loaded = scenario::load(&path, &[]).unwrap_or_else(|errors| panic!("{errors}"));
        let first = outputs(&loaded, loaded.seed);
        let second = outputs(&loaded, loaded.seed);
        assert_eq!(
            first,
            second,
            "two runs differ: seed={} scenario={}",
            loaded.seed,
            path.display()
        );
    }
}

#[test]
fn another_seed_gives_another_run() {
    let path = scenario_files()
        .into_iter()
        .find(|path| path.ends_with("quickstart.yaml"))
        .expect("quickstart exists");
    let loaded = scenario::load(&path, &[]).unwrap();
    let events = |seed| {
        let files = outputs(&loaded, seed);
        files
            .into_iter()
            .find(|(name, _)| *name == "events.csv")
            .unwrap()
            .1
    };
    assert_ne!(
        events(1),
        events(2),
        "seeds 1 and 2 gave the same events.csv"
    );
}

/// Common random numbers: instance failure times are keyed by (seed, fault, instance), so
/// swapping the placement strategy must not move them.
#[test]
fn placement_strategy_does_not_shift_fault_times() {
    let yaml = |strategy: &str| {
        format!(
            r#"
name: crn
duration: 10d
cluster:
  availabilityZones: [a, b]
  instances:
    - {{instanceType: m5.large, availabilityZone: a, count: 3}}
    - {{instanceType: m5.large, availabilityZone: b, count: 3}}
taskDefinitions:
  - family: app
    containerDefinitions: [{{name: app, cpu: 256, memory: 512}}]
    simulation: {{runtime: {{exponential: {{mean: 2h}}}}}}
services:
  - serviceName: app
    taskDefinition: app
    desiredCount: 8
    placementStrategy: {strategy}
faults:
  - kind: instanceFailure
    mtbf: 5d
  - kind: taskExit
    service: app
    mtbf: 1d
"#
        )
    };
    let failures = |strategy: &str| {
        let files = outputs(&scenario(&yaml(strategy)), 3);
        csv_rows(&files, "instances.csv")
            .iter()
            .map(|row| {
                (
                    row.get("instanceId").to_string(),
                    row.get("deregisteredAt").to_string(),
                )
            })
            .collect::<Vec<_>>()
    };
    let spread = failures("[{type: spread, field: instanceId}]");
    let binpack = failures("[{type: binpack, field: memory}]");
    assert!(
        spread.iter().any(|(_, at)| !at.is_empty()),
        "the scenario should lose instances"
    );
    assert_eq!(spread, binpack);
}

/// Common random numbers for the workload: a task's startup and runtime draws are keyed by
/// its group and its ordinal in the group, so the n-th task of a service runs as long under
/// any placement strategy, even when another service's tasks interleave differently.
#[test]
fn placement_strategy_does_not_shift_task_runtimes() {
    // Two small instances. Spreading puts two `small` tasks on each and leaves room for one
    // `big` on each; binpacking puts all `small` tasks on one instance, so one `big` task
    // cannot be placed and keeps retrying: the services interleave differently.
    let yaml = |strategy: &str| {
        format!(
            r#"
name: crn-runtimes
duration: 2d
cluster:
  availabilityZones: [a]
  instanceTypes: [{{name: box, cpu: 4096, memory: 2048, enis: 3}}]
  instances: [{{instanceType: box, availabilityZone: a, count: 2}}]
taskDefinitions:
  - family: small
    containerDefinitions: [{{name: app, cpu: 256, memory: 256}}]
    simulation: {{startupTime: {{uniform: {{min: 5s, max: 30s}}}}, runtime: {{exponential: {{mean: 20m}}}}}}
  - family: big
    containerDefinitions: [{{name: app, cpu: 256, memory: 1536}}]
    simulation: {{startupTime: {{uniform: {{min: 5s, max: 30s}}}}, runtime: {{exponential: {{mean: 3h}}}}}}
services:
  - {{serviceName: small, taskDefinition: small, desiredCount: 4, placementStrategy: {strategy}}}
  - {{serviceName: big, taskDefinition: big, desiredCount: 2, placementStrategy: {strategy}}}
"#
        )
    };
    // The `small` service's tasks in creation order: (startup, runtime) of each.
    let small = |strategy: &str| {
        let files = outputs(&scenario(&yaml(strategy)), 11);
        let mut rows = csv_rows(&files, "tasks.csv");
        rows.sort_by_key(|row| row.get("taskId").to_string());
        let failures = csv_rows(&files, "placement_failures.csv").len();
        let durations: Vec<(u64, u64)> = rows
            .iter()
            .filter(|row| row.get("service") == "small" && row.get("exitCode") == "0")
            .map(|row| {
                let created = row.time_ms("createdAt").unwrap();
                let started = row.time_ms("startedAt").unwrap();
                (
                    started - created,
                    row.time_ms("stoppedAt").unwrap() - started,
                )
            })
            .collect();
        (durations, failures)
    };
    let (spread, spread_failures) = small("[{type: spread, field: instanceId}]");
    let (binpack, binpack_failures) = small("[{type: binpack, field: memory}]");
    assert_eq!(spread_failures, 0);
    assert!(
        binpack_failures > 0,
        "binpack leaves no room for the second big task"
    );
    assert!(spread.len() > 100, "the scenario should churn tasks");
    let n = spread.len().min(binpack.len());
    assert_eq!(spread[..n], binpack[..n]);
}

/// A run is a value with `Send` parts and no globals: every scenario on its own thread, all
/// at once, gives the bytes it gives alone (ARCHITECTURE.md, "Determinism").
#[test]
fn runs_on_many_threads_give_the_bytes_of_runs_alone() {
    fn send<T: Send>() {}
    send::<sim::Run>();
    send::<Box<dyn sim::Consumer>>();
    let scenarios: Vec<scenario::Scenario> = scenario_files()
        .iter()
        .map(|path| scenario::load(path, &[]).unwrap_or_else(|errors| panic!("{errors}")))
        .collect();
    let alone: Vec<_> = scenarios
        .iter()
        .map(|loaded| outputs(loaded, loaded.seed))
        .collect();
    let together: Vec<_> = std::thread::scope(|scope| {
        let handles: Vec<_> = scenarios
            .iter()
            .map(|loaded| scope.spawn(move || outputs(loaded, loaded.seed)))
            .collect();
        handles
            .into_iter()
            .map(|handle| handle.join().expect("no run panics"))
            .collect()
    });
    for ((loaded, alone), together) in scenarios.iter().zip(&alone).zip(&together) {
        assert_eq!(
            alone, together,
            "a run on its own thread differs: scenario {}",
            loaded.name
        );
    }
}
