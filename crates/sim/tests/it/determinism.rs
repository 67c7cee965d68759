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
