//! Capacity providers and ECS managed scaling (ECS.md §5.5, A4, A12): tasks wait in
//! PROVISIONING for their provider's group, managed scaling grows the group to the size the
//! closed form gives, warm-up blocks scale-out, scale-in waits for 15 datapoints and, with
//! managed termination protection, takes only empty instances; strategies split tasks by
//! base and weight; the Mythical Mysfits service fixture runs.

use std::collections::BTreeMap;

use crate::support::{csv_rows, outputs, run_checked, scenario, Row};

/// One zone pair, an Auto Scaling group `g` of m5.large (2048 CPU units) with `asg`
/// fields, a capacity provider `cp` on it with `provider` fields, and `rest`.
fn cluster(asg: &str, provider: &str, rest: &str) -> String {
    format!(
        r#"
name: capacity-providers
duration: 3h
cluster:
  availabilityZones: [a, b]
  autoScalingGroups:
    - {{name: g, instanceType: m5.large, replacementDelay: 2m, {asg}}}
  capacityProviders:
    - {{name: cp, autoScalingGroup: g, {provider}}}
taskDefinitions:
  - family: worker
    containerDefinitions: [{{name: app, cpu: 512, memory: 512}}]
    simulation: {{startupTime: 10s}}
{rest}"#
    )
}

fn rows_of<'a>(rows: &'a [Row], kind: &str) -> Vec<&'a Row> {
    rows.iter().filter(|row| row.get("kind") == kind).collect()
}

fn seconds(row: &Row, column: &str) -> f64 {
    row.get(column).parse().expect("a time")
}

/// The last value of a `timeseries.csv` series.
fn last_level(files: &[(&'static str, Vec<u8>)], series: &str, key: &str) -> u64 {
    csv_rows(files, "timeseries.csv")
        .iter()
        .rfind(|row| row.get("series") == series && row.get("key") == key)
        .unwrap_or_else(|| panic!("no {series} series for {key}"))
        .get("value")
        .parse()
        .expect("a number")
}

fn running(files: &[(&'static str, Vec<u8>)]) -> usize {
    csv_rows(files, "tasks.csv")
        .iter()
        .filter(|task| task.get("lastStatus") == "RUNNING")
        .count()
}

/// ECS.md §5.5, A4: a task of a capacity provider strategy that does not fit is created
/// and waits in PROVISIONING (no placement failure); managed scaling grows the group and
/// the task is placed when an instance registers, keeping its creation time.
#[test]
fn tasks_wait_in_provisioning_then_run_when_the_group_grows() {
    let text = cluster(
        "desiredCapacity: 1",
        "managedScaling: {status: ENABLED}",
        "services:\n  - {serviceName: work, taskDefinition: worker, desiredCount: 12, capacityProviderStrategy: [{capacityProvider: cp, weight: 1}]}\n",
    );
    let scenario = scenario(&text);
    for seed in 0..3 {
        run_checked(&scenario, seed);
    }
    let files = outputs(&scenario, 1);
    let events = csv_rows(&files, "events.csv");
    // 4 fit the first instance (2048 / 512); 8 wait.
    let provisioning = rows_of(&events, "TaskProvisioning");
    assert_eq!(provisioning.len(), 8);
    assert!(provisioning.iter().all(|row| seconds(row, "time") == 0.0));
    assert!(csv_rows(&files, "placement_failures.csv").is_empty());
    // The scheduler counts them: no duplicates, 12 tasks ever.
    let tasks = csv_rows(&files, "tasks.csv");
    assert_eq!(tasks.len(), 12);
    assert_eq!(running(&files), 12);
    // The first datapoint (60 s): N = 1, M = 1 + 2: out to 3.
    let scaling = rows_of(&events, "ManagedScaling");
    assert_eq!(scaling.len(), 1, "{scaling:?}");
    assert_eq!(seconds(scaling[0], "time"), 60.0);
    assert!(scaling[0].get("detail").contains("desiredCapacity 1 -> 3"));
    // The waiting tasks were created at 0 and started once the launches registered (60 s +
    // replacementDelay 2m).
    let late: Vec<&Row> = tasks
        .iter()
        .filter(|task| seconds(task, "startedAt") > 10.0)
        .collect();
    assert_eq!(late.len(), 8);
    for task in late {
        assert_eq!(seconds(task, "createdAt"), 0.0);
        assert_eq!(seconds(task, "startedAt"), 190.0);
        // Its startup counts from its placement at 180 s, not its creation.
        let running = events
            .iter()
            .find(|e| e.get("kind") == "TaskRunning" && e.get("subject") == task.get("taskId"))
            .expect("it ran");
        assert_eq!(running.get("detail"), "10.000 s after it was placed");
    }
    assert_eq!(last_level(&files, "inService", "g"), 3);
    assert_eq!(last_level(&files, "desiredCapacity", "g"), 3);
    assert_eq!(last_level(&files, "capacityProviderReservation", "cp"), 100);
}

/// Issue point 6, ECS.md §5.5: for identical tasks managed scaling settles at
/// ceil(M x 100 / targetCapacity) instances: 40 tasks, 4 per instance (M = 10), target 80
/// => 13 (3 spare empty instances, "target 90 ⇒ ~10 % spare"); target 100 => 10.
#[test]
fn managed_scaling_settles_at_the_closed_form() {
    for (target, expected) in [(80, 13), (100, 10), (50, 20)] {
        let text = cluster(
            "desiredCapacity: 1",
            &format!("managedScaling: {{status: ENABLED, targetCapacity: {target}}}"),
            "services:\n  - {serviceName: work, taskDefinition: worker, desiredCount: 40, placementStrategy: [{type: binpack, field: cpu}], capacityProviderStrategy: [{capacityProvider: cp, weight: 1}]}\n",
        );
        let scenario = scenario(&text);
        run_checked(&scenario, 1);
        let files = outputs(&scenario, 1);
        assert_eq!(running(&files), 40, "targetCapacity {target}");
        assert_eq!(
            last_level(&files, "inService", "g"),
            expected,
            "targetCapacity {target}"
        );
        assert_eq!(last_level(&files, "desiredCapacity", "g"), expected);
        // Settled: nothing moved in the last two hours.
        let events = csv_rows(&files, "events.csv");
        assert!(rows_of(&events, "ManagedScaling")
            .iter()
            .all(|row| seconds(row, "time") < 3600.0));
        // The metric settles at M / N.
        assert_eq!(
            last_level(&files, "capacityProviderReservation", "cp"),
            (10 * 100u64).div_ceil(expected)
        );
    }
}

/// ECS.md §5.5: scale-out is blocked while an instance is within `instanceWarmupPeriod` of
/// its launch.
#[test]
fn warm_up_blocks_scale_out() {
    let text = cluster(
        "desiredCapacity: 1",
        "managedScaling: {status: ENABLED, instanceWarmupPeriod: 600}",
        r#"services:
  - {serviceName: work, taskDefinition: worker, desiredCount: 8, capacityProviderStrategy: [{capacityProvider: cp, weight: 1}]}
actions:
  - {at: 5m, updateService: {service: work, desiredCount: 16}}
"#,
    );
    let scenario = scenario(&text);
    run_checked(&scenario, 1);
    let files = outputs(&scenario, 1);
    let events = csv_rows(&files, "events.csv");
    let scaling = rows_of(&events, "ManagedScaling");
    // Out at the first datapoint (launch at 60 s); the tasks added at 5 min wait until the
    // warm-up ends at 60 + 600 s.
    let times: Vec<f64> = scaling.iter().map(|row| seconds(row, "time")).collect();
    assert_eq!(times, vec![60.0, 660.0], "{scaling:?}");
    assert!(scaling[1].get("detail").contains("desiredCapacity 2 -> 4"));
    assert_eq!(running(&files), 16);
    assert_eq!(last_level(&files, "inService", "g"), 4);
}

/// ECS.md §5.5: scale-in waits for 15 datapoints below target, and with managed termination
/// protection only instances without non-daemon tasks are terminated; CPR 100 - empty.
#[test]
fn scale_in_after_15_datapoints_takes_only_empty_instances() {
    let text = cluster(
        "desiredCapacity: 4",
        "managedScaling: {status: ENABLED}, managedTerminationProtection: ENABLED",
        r#"services:
  - {serviceName: work, taskDefinition: worker, desiredCount: 8, capacityProviderStrategy: [{capacityProvider: cp, weight: 1}]}
actions:
  - {at: 10m, updateService: {service: work, desiredCount: 2}}
"#,
    );
    let scenario = scenario(&text);
    for seed in 0..5 {
        run_checked(&scenario, seed);
        let files = outputs(&scenario, seed);
        let events = csv_rows(&files, "events.csv");
        let scaling = rows_of(&events, "ManagedScaling");
        assert_eq!(scaling.len(), 1, "seed={seed} {scaling:?}");
        // The first datapoint below target, and the scale-in on the 15th.
        let low = rows_of(&events, "CapacityProviderReservation")
            .into_iter()
            .find(|row| {
                !row.get("detail")
                    .starts_with("CapacityProviderReservation 100 ")
            })
            .expect("a datapoint below target");
        assert_eq!(
            seconds(scaling[0], "time"),
            seconds(low, "time") + 14.0 * 60.0,
            "seed={seed}"
        );
        // The instances still hosting the 2 tasks stay: no task stops with its host.
        let tasks = csv_rows(&files, "tasks.csv");
        assert!(tasks
            .iter()
            .all(|task| !task.get("stoppedReason").starts_with("Host EC2")));
        let hosts: std::collections::BTreeSet<&str> = tasks
            .iter()
            .filter(|task| task.get("lastStatus") == "RUNNING")
            .map(|task| task.get("instanceId"))
            .collect();
        let instances = csv_rows(&files, "instances.csv");
        let live: std::collections::BTreeSet<&str> = instances
            .iter()
            .filter(|i| i.get("deregisteredAt").is_empty())
            .map(|i| i.get("instanceId"))
            .collect();
        assert_eq!(hosts, live, "seed={seed}");
        assert!(instances
            .iter()
            .filter(|i| !i.get("deregisteredAt").is_empty())
            .all(|i| i.get("reason") == "scaleIn"));
        assert_eq!(
            last_level(&files, "desiredCapacity", "g"),
            hosts.len() as u64
        );
    }
}

/// ECS.md §5.5: `base` first, then the rest in proportion to weight (1:4 => 1 of every 5 on
/// the first); each task goes only to its provider's group. RunTask tasks wait in
/// PROVISIONING too.
#[test]
fn base_and_weights_split_tasks_between_providers() {
    let text = r#"
name: split
duration: 1h
cluster:
  availabilityZones: [a]
  autoScalingGroups:
    - {name: ga, instanceType: m5.large, desiredCapacity: 2, replacementDelay: 2m}
    - {name: gb, instanceType: m5.large, desiredCapacity: 2, replacementDelay: 2m}
  capacityProviders:
    - {name: A, autoScalingGroup: ga, managedScaling: {status: ENABLED}}
    - {name: B, autoScalingGroup: gb, managedScaling: {status: ENABLED}}
taskDefinitions:
  - family: worker
    containerDefinitions: [{name: app, cpu: 256, memory: 256}]
services:
  - serviceName: work
    taskDefinition: worker
    desiredCount: 22
    capacityProviderStrategy:
      - {capacityProvider: A, base: 2, weight: 1}
      - {capacityProvider: B, weight: 4}
runTasks:
  - {taskDefinition: worker, count: 10, at: 1s, capacityProviderStrategy: [{capacityProvider: A, weight: 1}, {capacityProvider: B, weight: 4}]}
  - {taskDefinition: worker, count: 10, at: 2s, capacityProviderStrategy: [{capacityProvider: A, weight: 1}, {capacityProvider: B, weight: 4}]}
  - {taskDefinition: worker, count: 10, at: 3s, capacityProviderStrategy: [{capacityProvider: A, weight: 1}, {capacityProvider: B, weight: 4}]}
"#;
    let scenario = scenario(text);
    run_checked(&scenario, 3);
    let files = outputs(&scenario, 3);
    let group_of: BTreeMap<String, String> = csv_rows(&files, "instances.csv")
        .iter()
        .map(|i| {
            (
                i.get("instanceId").to_string(),
                i.get("autoScalingGroup").to_string(),
            )
        })
        .collect();
    let mut by_group: BTreeMap<(String, String), usize> = BTreeMap::new();
    for task in csv_rows(&files, "tasks.csv") {
        let requester = if task.get("service").is_empty() {
            "runTask"
        } else {
            "service"
        };
        *by_group
            .entry((
                requester.to_string(),
                group_of[task.get("instanceId")].clone(),
            ))
            .or_default() += 1;
    }
    // Service: 2 on A (base), then 20 split 1:4 => 4 on A, 16 on B.
    assert_eq!(by_group[&("service".into(), "ga".into())], 6);
    assert_eq!(by_group[&("service".into(), "gb".into())], 16);
    // RunTask: 30 tasks, each call split 1:4 => 2 + 8 per call.
    assert_eq!(by_group[&("runTask".into(), "ga".into())], 6);
    assert_eq!(by_group[&("runTask".into(), "gb".into())], 24);
    // gb (2 instances, 16 tasks each) needed more than it had for 40 tasks: some waited.
    let events = csv_rows(&files, "events.csv");
    assert!(!rows_of(&events, "TaskProvisioning").is_empty());
    assert_eq!(running(&files), 52);
}

/// A task that can never fit its provider's instance type stays PROVISIONING and is left
/// out of `M` (ECS.md §5.5): managed scaling does not grow the group for it.
#[test]
fn tasks_that_fit_no_instance_of_the_group_stay_provisioning() {
    let text = cluster(
        "desiredCapacity: 1, minSize: 1",
        "managedScaling: {status: ENABLED}",
        r#"  - family: huge
    containerDefinitions: [{name: app, cpu: 4096, memory: 512}]
runTasks:
  - {taskDefinition: huge, count: 3, capacityProviderStrategy: [{capacityProvider: cp, weight: 1}]}
"#,
    );
    let scenario = scenario(&text);
    let cluster = run_checked(&scenario, 1);
    assert_eq!(cluster.capacity_providers().waiting().len(), 3);
    let files = outputs(&scenario, 1);
    let events = csv_rows(&files, "events.csv");
    assert_eq!(rows_of(&events, "TaskProvisioning").len(), 3);
    assert!(rows_of(&events, "ManagedScaling").is_empty());
    // N = 1 idle instance, M = 0: CPR 0.
    assert_eq!(last_level(&files, "capacityProviderReservation", "cp"), 0);
}

/// `maxProvisioningTasks` (ECS.md §9: 300 per cluster): beyond it a task fails to be
/// placed as without a capacity provider.
#[test]
fn provisioning_tasks_are_limited_per_cluster() {
    let text = cluster(
        "desiredCapacity: 0",
        "managedScaling: {status: DISABLED}",
        r#"runTasks:
  - {taskDefinition: worker, count: 10, capacityProviderStrategy: [{capacityProvider: cp, weight: 1}]}
parameters: {maxProvisioningTasks: 4}
"#,
    );
    let scenario = scenario(&text);
    let cluster = run_checked(&scenario, 1);
    assert_eq!(cluster.capacity_providers().waiting().len(), 4);
    let files = outputs(&scenario, 1);
    let failures = csv_rows(&files, "placement_failures.csv");
    // One row per task that failed.
    assert_eq!(failures.len(), 6);
}

/// The Mythical Mysfits service (CreateService JSON with a capacityProviderStrategy, an
/// awsvpc task behind a target group, spread over zones) loads and runs with a capacity
/// provider of that name; its task waits for the empty group to grow (A12: two instances).
#[test]
fn the_mysfits_capacity_provider_fixture_runs() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../scenario/tests/data/fixtures_capacity_provider.yaml");
    let scenario = match scenario::load(&path, &[]) {
        Ok(scenario) => scenario,
        Err(errors) => panic!("{errors}"),
    };
    assert_eq!(
        scenario.cluster.capacity_providers[0].name,
        "MythicalMysfits-CapacityProvider"
    );
    run_checked(&scenario, 1);
    let files = outputs(&scenario, 1);
    let events = csv_rows(&files, "events.csv");
    assert_eq!(rows_of(&events, "TaskProvisioning").len(), 1);
    let scaling = rows_of(&events, "ManagedScaling");
    assert!(scaling[0].get("detail").contains("desiredCapacity 0 -> 2"));
    let tasks = csv_rows(&files, "tasks.csv");
    assert_eq!(tasks.len(), 1);
    assert_eq!(tasks[0].get("service"), "MythicalMysfits-Service");
    assert_eq!(tasks[0].get("lastStatus"), "RUNNING");
}

/// `capacityProviderWaitsWithoutScaling: false`: a task waits in PROVISIONING only while
/// its provider can grow (managed scaling below `maxSize`, or launches under way); else it
/// fails to be placed as without a provider (ECS.md A4). The default keeps it waiting
/// (ECS.md §5.5: "the tasks will fail to transition beyond the PROVISIONING state").
#[test]
fn tasks_fail_instead_of_waiting_when_the_provider_cannot_grow_if_asked() {
    for (waits, provisioning, failed) in [(true, 8, 0), (false, 4, 4)] {
        // 4 fit the one instance; managed scaling may add one more (maxSize 2), for the
        // first call's other 4; at 30 min the group is at maxSize with nothing launching.
        let text = cluster(
            "desiredCapacity: 1, maxSize: 2",
            "managedScaling: {status: ENABLED}",
            &format!(
                "runTasks:\n  - {{taskDefinition: worker, count: 8, capacityProviderStrategy: [{{capacityProvider: cp, weight: 1}}]}}\n  - {{taskDefinition: worker, count: 4, at: 30m, capacityProviderStrategy: [{{capacityProvider: cp, weight: 1}}]}}\nparameters: {{capacityProviderWaitsWithoutScaling: {waits}}}\n"
            ),
        );
        let scenario = scenario(&text);
        let cluster = run_checked(&scenario, 1);
        let files = outputs(&scenario, 1);
        let events = csv_rows(&files, "events.csv");
        assert_eq!(
            rows_of(&events, "TaskProvisioning").len(),
            provisioning,
            "waits={waits}"
        );
        assert_eq!(
            csv_rows(&files, "placement_failures.csv").len(),
            failed,
            "waits={waits}"
        );
        assert_eq!(running(&files), 8);
        assert_eq!(last_level(&files, "inService", "g"), 2);
        assert_eq!(cluster.capacity_providers().waiting().len(), 4 - failed);
    }
}

/// RunTask calls at random arrival times go through the same path: with a capacity provider
/// their tasks wait in PROVISIONING instead of failing, and managed scaling grows the group
/// for them (ECS.md §5.5), so every requested task is placed, some after a wait.
#[test]
fn random_run_task_arrivals_wait_for_managed_scaling() {
    let text = cluster(
        "desiredCapacity: 1",
        "managedScaling: {status: ENABLED}, managedTerminationProtection: ENABLED",
        r#"  - family: job
    containerDefinitions: [{name: app, cpu: 512, memory: 512}]
    simulation: {startupTime: 10s, runtime: {exponential: {mean: 20m}}}
runTasks:
  - {taskDefinition: job, count: 2, group: jobs, arrivals: {poisson: {mean: 1m}, until: 2h}, capacityProviderStrategy: [{capacityProvider: cp, weight: 1}]}
"#,
    );
    let scenario = scenario(&text);
    run_checked(&scenario, 2);
    let files = outputs(&scenario, 2);
    let groups = csv_rows(&files, "groups.csv");
    assert_eq!(groups[0].get("tasksFailed"), "0");
    assert_eq!(groups[0].get("tasksWaiting"), "0");
    assert_eq!(
        groups[0].get("tasksPlaced"),
        groups[0].get("tasksRequested")
    );
    // The waits are measured from arrival to placement: those that waited in PROVISIONING
    // for an instance to launch count.
    let p99: f64 = groups[0].get("waitP99").parse().expect("a p99 wait");
    assert!(
        p99 > 0.0,
        "some arrivals waited for managed scaling: p99 {p99}"
    );
    let events = csv_rows(&files, "events.csv");
    assert!(!rows_of(&events, "TaskProvisioning").is_empty());
    assert!(rows_of(&events, "ManagedScaling")
        .iter()
        .any(|row| row.get("detail").contains("scale-out")));
    assert!(csv_rows(&files, "placement_failures.csv").is_empty());
}

/// `tasks.csv` has one row per task ever created (the output contract), waiting ones
/// included (ECS.md A4: with a capacity provider an unplaceable task exists, in
/// PROVISIONING): a service's tasks that wait are stopped when the service scales back in
/// before an instance comes (a STOPPED row with no instance), and those still waiting at
/// the end are PROVISIONING rows; every task id of `events.csv` is in `tasks.csv` once.
#[test]
fn tasks_that_waited_without_an_instance_have_their_rows() {
    let text = cluster(
        "desiredCapacity: 1, minSize: 1, maxSize: 1",
        "managedScaling: {status: ENABLED}",
        r#"  - family: huge
    containerDefinitions: [{name: app, cpu: 4096, memory: 512}]
services:
  - {serviceName: w, taskDefinition: worker, desiredCount: 2, capacityProviderStrategy: [{capacityProvider: cp, weight: 1}]}
runTasks:
  - {taskDefinition: huge, count: 2, at: 5m, capacityProviderStrategy: [{capacityProvider: cp, weight: 1}]}
actions:
  - {at: 10m, updateService: {service: w, desiredCount: 8}}
  - {at: 1h, updateService: {service: w, desiredCount: 2}}
"#,
    );
    let scenario = scenario(&text);
    let files = outputs(&scenario, 1);
    let tasks = csv_rows(&files, "tasks.csv");
    let events = csv_rows(&files, "events.csv");
    // One m5.large (2048 units) holds four 512-unit tasks and the group cannot grow: of the
    // eight, four wait, then the scale-in stops the waiting ones first.
    let stopped_waiting: Vec<&Row> = tasks
        .iter()
        .filter(|row| row.get("lastStatus") == "STOPPED" && row.get("instanceId").is_empty())
        .collect();
    assert_eq!(stopped_waiting.len(), 4, "{tasks:?}");
    for row in &stopped_waiting {
        assert_eq!(row.get("service"), "w");
        assert_eq!(row.get("stopCode"), "ServiceSchedulerInitiated");
        assert_eq!(row.get("stoppedAt"), "3600.000");
        assert!(row.get("startedAt").is_empty());
    }
    // The RunTask's two tasks never fit (4096 units): still PROVISIONING at the end.
    let provisioning: Vec<&Row> = tasks
        .iter()
        .filter(|row| row.get("lastStatus") == "PROVISIONING")
        .collect();
    assert_eq!(provisioning.len(), 2);
    assert!(provisioning
        .iter()
        .all(|row| row.get("group") == "family:huge" && row.get("createdAt") == "300.000"));
    // Every task id the event log names is in tasks.csv exactly once.
    let mut ids: Vec<&str> = tasks.iter().map(|row| row.get("taskId")).collect();
    let listed = ids.len();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), listed, "no task twice");
    for row in rows_of(&events, "TaskPlaced")
        .into_iter()
        .chain(rows_of(&events, "TaskProvisioning"))
    {
        assert!(
            ids.binary_search(&row.get("subject")).is_ok(),
            "{} in tasks.csv",
            row.get("subject")
        );
    }
    // The rows still alive come in creation order after the stopped ones.
    let alive: Vec<&str> = tasks
        .iter()
        .filter(|row| row.get("stoppedAt").is_empty())
        .map(|row| row.get("taskId"))
        .collect();
    let mut sorted = alive.clone();
    sorted.sort_unstable();
    assert_eq!(alive, sorted);
}
