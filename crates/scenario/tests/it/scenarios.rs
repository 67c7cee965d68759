//! Every scenario the repository ships is valid: the examples of `scenarios/` and the
//! benchmarks of `scenarios/bench/` (validated only: running the benchmarks takes minutes,
//! see `benches/perf.sh`).

use std::fs;
use std::path::{Path, PathBuf};

use scenario::{Output, Scenario};

fn yaml_files(folder: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = fs::read_dir(folder)
        .unwrap_or_else(|error| panic!("{}: {error}", folder.display()))
        .map(|entry| entry.expect("readable folder").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "yaml"))
        .collect();
    files.sort();
    files
}

fn scenarios_folder() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios")
}

fn load(path: &Path) -> Scenario {
    scenario::load(path, &[]).unwrap_or_else(|errors| panic!("{}:\n{errors}", path.display()))
}

#[test]
fn every_example_scenario_is_valid() {
    let files = yaml_files(&scenarios_folder());
    assert!(files.len() >= 5, "the examples are there: {files:?}");
    for path in files {
        load(&path);
    }
}

#[test]
fn every_benchmark_scenario_is_valid() {
    let files = yaml_files(&scenarios_folder().join("bench"));
    let names: Vec<String> = files
        .iter()
        .map(|path| path.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    for expected in ["reference.yaml", "placement-20k.yaml", "scale-100k.yaml"] {
        assert!(names.iter().any(|name| name == expected), "{names:?}");
    }
    for path in files {
        load(&path);
    }
}

fn instances(scenario: &Scenario) -> u64 {
    let groups: u64 = scenario
        .cluster
        .auto_scaling_groups
        .iter()
        .map(|group| u64::from(group.desired_capacity))
        .sum();
    groups + scenario.cluster.instances.len() as u64
}

fn tasks(scenario: &Scenario) -> u64 {
    scenario
        .services
        .iter()
        .map(|service| u64::from(service.desired_count))
        .sum()
}

/// The sizes `benches/perf.sh` and `results/` rely on; regenerated files must keep them.
#[test]
fn benchmark_scenarios_have_their_documented_sizes() {
    let bench = scenarios_folder().join("bench");
    let day_ms = 86_400_000;

    let reference = load(&bench.join("reference.yaml"));
    assert_eq!(reference.duration_ms, 30 * day_ms);
    assert_eq!(
        (instances(&reference), reference.services.len()),
        (1_000, 100)
    );
    assert_eq!(reference.outputs, Output::ALL);

    let placement = load(&bench.join("placement-20k.yaml"));
    assert_eq!(instances(&placement), 20_000);
    assert_eq!(tasks(&placement), 40_000);
    assert!(placement.faults.is_empty());
    assert!(placement
        .task_definitions
        .iter()
        .all(|definition| definition.workload.runtime.is_none()));
    assert_eq!(placement.outputs, Output::ALL);

    let scale = load(&bench.join("scale-100k.yaml"));
    assert_eq!(scale.duration_ms, 7 * day_ms);
    assert_eq!(instances(&scale), 100_000);
    assert_eq!((scale.services.len(), tasks(&scale)), (1_000, 1_000_000));
    assert_eq!(
        scale.faults.len(),
        1 + 1_000,
        "one instance fault, one taskExit per service"
    );
    assert!(scale
        .services
        .iter()
        .all(|service| service.placement.strategies.is_empty()));
    assert_eq!(scale.outputs, [Output::Services, Output::Summary]);
    assert_eq!(scale.quotas.container_instances_per_cluster, 100_000);
}
