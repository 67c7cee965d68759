//! Random task arrivals (`runTasks[].arrivals`): each arrival is one RunTask call, which
//! fails as RunTask does when nothing fits (ECS.md §1.7: a `failures` entry, no task
//! object). Checked against a closed form: Poisson arrivals onto `c` one-task instances with
//! exponential runtimes and no waiting are Erlang's loss system M/M/c/c, which turns away
//! the Erlang-B fraction B(c, a) of arrivals, a = λ/μ.

use std::path::Path;

use crate::support::{csv_rows, outputs, run_checked, scenario};

/// Poisson arrivals every `mean_gap` on average onto five t3.medium instances that fit one
/// task each (1,536 of 2,048 CPU units); tasks start and stop at once (startup and shutdown
/// 0 s), so each holds its instance for its exponential runtime of mean 20 minutes.
fn loss_system(mean_gap: &str, duration: &str, warmup: &str, strategy: &str) -> String {
    format!(
        "name: erlang
seed: 1
duration: {duration}
cluster:
  availabilityZones: [us-east-1a]
  instances:
    - {{instanceId: i-1, instanceType: t3.medium, availabilityZone: us-east-1a}}
    - {{instanceId: i-2, instanceType: t3.medium, availabilityZone: us-east-1a}}
    - {{instanceId: i-3, instanceType: t3.medium, availabilityZone: us-east-1a}}
    - {{instanceId: i-4, instanceType: t3.medium, availabilityZone: us-east-1a}}
    - {{instanceId: i-5, instanceType: t3.medium, availabilityZone: us-east-1a}}
taskDefinitions:
  - family: job
    containerDefinitions:
      - {{name: job, image: example/job:1, cpu: 1536, memory: 512}}
    simulation:
      startupTime: 0s
      shutdownTime: 0s
      runtime: {{exponential: {{mean: 20m}}}}
runTasks:
  - taskDefinition: job
    group: jobs
    arrivals: {{poisson: {{mean: {mean_gap}}}}}
    placementStrategy: [{strategy}]
metrics: {{warmup: {warmup}}}
"
    )
}

/// Erlang's loss formula by its recurrence: B(0, a) = 1, B(k, a) = a B / (k + a B).
fn erlang_b(c: u32, a: f64) -> f64 {
    (1..=c).fold(1.0, |b, k| a * b / (f64::from(k) + a * b))
}

/// Student's t quantile 0.995 for 5 degrees of freedom (six seeds), from the tables: a
/// 99 % interval, so that a change of the random streams alone rarely moves the truth out.
const T_995_DF5: f64 = 4.032_143;

/// The failed fraction of each seed's run: independent replications, so a t interval over
/// them holds whatever the correlation between arrivals within one run.
fn failed_fractions(yaml: &str, seeds: &[u64]) -> Vec<f64> {
    let scenario = scenario(yaml);
    seeds
        .iter()
        .map(|&seed| {
            let report = sim::run(&scenario, seed, Vec::new()).expect("in memory");
            assert_eq!(report.groups.len(), 1, "one group with arrivals");
            let group = &report.groups[0];
            assert_eq!(group.group, "jobs");
            assert_eq!(
                group.tasks_requested,
                group.tasks_placed + group.tasks_failed,
                "nothing waits: a task is placed or fails at its call"
            );
            assert_eq!(group.tasks_requested, group.arrivals, "one task per call");
            assert!(
                group.arrivals > 20_000,
                "enough arrivals: {}",
                group.arrivals
            );
            group.tasks_failed as f64 / group.tasks_requested as f64
        })
        .collect()
}

/// The mean and the half width of its 99 % t interval.
fn t_interval(values: &[f64]) -> (f64, f64) {
    assert_eq!(values.len(), 6, "T_995_DF5 is for six values");
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let variance = values.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / (n - 1.0);
    (mean, T_995_DF5 * (variance / n).sqrt())
}

#[test]
fn poisson_arrivals_onto_one_task_slots_lose_the_erlang_b_fraction() {
    // c = 5 slots, mean runtime 1/μ = 20 min. Six seeds of 4,000 simulated hours each, the
    // first 10 hours left out (the run starts empty). Each run has about 48,000 arrivals
    // at a = 4 and 24,000 at a = 2; the debug build runs all twelve in a few seconds.
    let seeds = [1, 2, 3, 4, 5, 6];
    let cases = [("5m", 4.0), ("10m", 2.0)];
    let mut means = Vec::new();
    for (gap, a) in cases {
        let expected = erlang_b(5, a);
        let fractions =
            failed_fractions(&loss_system(gap, "4000h", "10h", "{type: random}"), &seeds);
        let (mean, half) = t_interval(&fractions);
        assert!(
            half < 0.01,
            "a = {a}: the interval is narrow enough to tell loads apart: +-{half:.4}"
        );
        assert!(
            (mean - expected).abs() <= half,
            "a = {a}: failed fraction {mean:.5} +- {half:.5} (seeds {fractions:?}) does not \
             hold Erlang B(5, {a}) = {expected:.5}"
        );
        means.push((a, mean, half));
    }
    // B(5, 4) = 0.19907 and B(5, 2) = 0.03670: the test tells one load from the other, so
    // a model that lost a fixed fraction, or none, would fail it.
    assert!((erlang_b(5, 4.0) - 0.199_067).abs() < 1e-6);
    assert!((erlang_b(5, 2.0) - 0.036_697).abs() < 1e-6);
    let (_, heavy, heavy_half) = means[0];
    let (_, light, light_half) = means[1];
    assert!(
        heavy - heavy_half > light + light_half + 0.1,
        "a = 4 loses far more than a = 2: {heavy:.4} against {light:.4}"
    );
}

#[test]
fn every_strategy_sees_the_same_arrivals() {
    // The n-th arrival of an entry draws from its own stream (Stream::Arrivals, keyed by
    // entry and arrival number): placement draws do not move it.
    let arrival_times = |strategy: &str| {
        let files = outputs(&scenario(&loss_system("5m", "24h", "0s", strategy)), 3);
        let rows = csv_rows(&files, "events.csv");
        let times: Vec<String> = rows
            .iter()
            .filter(|row| row.get("kind") == "TaskArrived")
            .map(|row| row.get("time").to_string())
            .collect();
        let tasks: Vec<String> = csv_rows(&files, "tasks.csv")
            .iter()
            .map(|row| row.get("instanceId").to_string())
            .collect();
        (times, tasks)
    };
    let (random, random_hosts) = arrival_times("{type: random}");
    let (binpack, binpack_hosts) = arrival_times("{type: binpack, field: cpu}");
    assert!(random.len() > 200, "a day of arrivals: {}", random.len());
    assert_eq!(random, binpack, "the same arrival times");
    assert_ne!(random_hosts, binpack_hosts, "yet the tasks went elsewhere");
}

#[test]
fn an_arrival_that_does_not_fit_fails_as_run_task_does() {
    // ECS.md §1.7: RunTask returns failures for the tasks it cannot place and creates no
    // task object for them. Two instances, batches of three: the third of every batch
    // while the first two run fails.
    let yaml = "name: batches
duration: 2h
cluster:
  availabilityZones: [us-east-1a]
  instances:
    - {instanceType: t3.medium, availabilityZone: us-east-1a}
    - {instanceType: t3.medium, availabilityZone: us-east-1a}
taskDefinitions:
  - family: job
    containerDefinitions:
      - {name: job, image: example/job:1, cpu: 1536, memory: 512}
    simulation:
      startupTime: 5s
      runtime: {exponential: {mean: 2m}}
runTasks:
  - taskDefinition: job
    count: 3
    group: batch
    arrivals: {poisson: {mean: 10m}, start: 5m, until: 1h30m}
";
    let scenario = scenario(yaml);
    run_checked(&scenario, 1);
    let files = outputs(&scenario, 1);
    let group = &csv_rows(&files, "groups.csv")[0];
    let arrivals: u64 = group.get("arrivals").parse().expect("a count");
    let placed: u64 = group.get("tasksPlaced").parse().expect("a count");
    let failed: u64 = group.get("tasksFailed").parse().expect("a count");
    assert!(arrivals > 3, "some arrivals: {arrivals}");
    assert_eq!(group.get("tasksRequested"), (3 * arrivals).to_string());
    assert!(failed >= arrivals, "at least one of every three fails");
    assert_eq!(placed + failed, 3 * arrivals);
    let tasks = csv_rows(&files, "tasks.csv");
    assert_eq!(tasks.len() as u64, placed, "no task object for a failure");
    let failures = csv_rows(&files, "placement_failures.csv");
    assert_eq!(
        failures.len() as u64,
        failed,
        "every failed task has its placement failure row"
    );
    assert!(failures.iter().all(|row| row.get("group") == "batch"));
    // Arrivals begin after `start` and end by `until`.
    let events = csv_rows(&files, "events.csv");
    for row in events.iter().filter(|row| row.get("kind") == "TaskArrived") {
        let at: f64 = row.get("time").parse().expect("seconds");
        assert!((300.0..=5400.0).contains(&at), "arrival at {at} s");
    }
    // Placed at the call: no wait.
    assert_eq!(group.get("waitP99"), "0.000");
}

#[test]
fn a_trace_drives_the_arrivals_and_the_window_counts_from_the_warmup() {
    let dir = std::env::temp_dir().join(format!("ecsim-arrivals-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temporary folder");
    std::fs::write(
        dir.join("arrivals.csv"),
        "time,note\n0,first\n30s,\n2.5,out of order\n1m,\n10m,\n10m,\n1h,after until\n",
    )
    .expect("written");
    let yaml = "name: trace
duration: 30m
cluster:
  availabilityZones: [us-east-1a]
  instances: [{instanceType: m5.large, availabilityZone: us-east-1a}]
taskDefinitions:
  - family: job
    containerDefinitions: [{name: job, image: example/job:1, cpu: 256, memory: 256}]
    simulation: {runtime: 1m}
runTasks:
  - {taskDefinition: job, group: traced, arrivals: {trace: arrivals.csv, until: 20m}}
metrics: {warmup: 45s}
";
    let path = dir.join("trace.yaml");
    std::fs::write(&path, yaml).expect("written");
    // Out of order: an error located in the trace, row 4.
    let errors = scenario::load(&path, &[])
        .expect_err("a time goes back")
        .to_string();
    assert!(
        errors.contains(
            "arrivals.csv:4:1: runTasks[0].arrivals.trace: arrival times must not decrease"
        ),
        "{errors}"
    );
    std::fs::write(
        dir.join("arrivals.csv"),
        "time,note\n0,first\n30s,\n1m,\n10m,\n10m,\n1h,after until\n",
    )
    .expect("written");
    let scenario = scenario::load(&path, &[]).unwrap_or_else(|errors| panic!("{errors}"));
    let files = outputs(&scenario, 1);
    let arrived: Vec<String> = csv_rows(&files, "events.csv")
        .iter()
        .filter(|row| row.get("kind") == "TaskArrived")
        .map(|row| row.get("time").to_string())
        .collect();
    assert_eq!(arrived, ["0.000", "30.000", "60.000", "600.000", "600.000"]);
    // The window starts at 45 s: three arrivals in it.
    let group = &csv_rows(&files, "groups.csv")[0];
    assert_eq!(group.get("group"), "traced");
    assert_eq!(group.get("arrivals"), "3");
    assert_eq!(group.get("tasksPlaced"), "3");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn scenarios_without_arrivals_have_no_group_figures() {
    // RunTask entries with at/every keep their outputs: no groups.csv, no `groups` key.
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios/run-tasks.yaml");
    let scenario = scenario::load(&path, &[]).unwrap_or_else(|errors| panic!("{errors}"));
    let files = outputs(&scenario, scenario.seed);
    assert!(files.iter().all(|(name, _)| *name != "groups.csv"));
    let summary = &files
        .iter()
        .find(|(name, _)| *name == "summary.json")
        .expect("summary")
        .1;
    assert!(!String::from_utf8_lossy(summary).contains("\"groups\""));
}
