//! Zero-length lifecycle phases (ECS.md §3.1-§3.3): a phase of no length ends in the event
//! that began it, with that event's `seq`, and nothing else at that instant sees the state
//! in between; a phase with a length is still its own queue event.

use cluster::change::Discard;

use crate::lifecycle::events_of;
use crate::support::{csv_rows, outputs, scenario, Row};

/// One m5.large in one zone, and whatever `rest` adds.
fn one_instance(duration: &str, rest: &str) -> String {
    format!(
        r#"
name: phases
duration: {duration}
cluster:
  availabilityZones: [a]
  autoScalingGroups:
    - {{name: nodes, instanceType: m5.large, desiredCapacity: 1}}
{rest}"#
    )
}

/// A service of four tasks (two load-balanced, two not) starting in `startup`.
fn services(startup: &str) -> String {
    one_instance(
        "1h",
        &format!(
            r#"
targetGroups:
  - {{name: tg, healthCheckIntervalSeconds: 10, deregistrationDelay: 30s}}
taskDefinitions:
  - family: web
    containerDefinitions: [{{name: app, cpu: 256, memory: 256, portMappings: [{{containerPort: 80}}]}}]
    simulation: {{startupTime: {startup}, shutdownTime: 2s}}
services:
  - serviceName: web
    taskDefinition: web
    desiredCount: 2
    loadBalancers: [{{targetGroupArn: tg, containerName: app, containerPort: 80}}]
  - serviceName: worker
    taskDefinition: web
    desiredCount: 2
"#
        ),
    )
}

fn rows_of<'a>(rows: &'a [Row], kind: &str, task: &str) -> Vec<&'a Row> {
    rows.iter()
        .filter(|row| row.get("kind") == kind && row.get("subject") == task)
        .collect()
}

/// The one row of `kind` about `task`.
#[track_caller]
fn row<'a>(rows: &'a [Row], kind: &str, task: &str) -> &'a Row {
    let found = rows_of(rows, kind, task);
    assert_eq!(found.len(), 1, "one {kind} row of {task}: {found:?}");
    found[0]
}

fn seq(row: &Row) -> u64 {
    row.get("seq").parse().expect("seq is a number")
}

fn events_applied(text: &str) -> u64 {
    sim::simulate(&scenario(text), 1, &mut Discard, &mut |_, cluster| {
        cluster.check_invariants();
    })
    .1
}

/// ECS.md §3.1: PENDING lasts while images are pulled and containers start; with no
/// startup time the task is RUNNING (and, behind a load balancer, ACTIVATING first) in the
/// very event that placed it: same time, same `seq`. The queue carries one event less per
/// task than with the shortest startup that has a length (1 ms), and nothing else changes
/// in the number of events.
#[test]
fn a_task_with_no_startup_time_is_running_in_the_event_that_placed_it() {
    let text = services("0s");
    let files = outputs(&scenario(&text), 1);
    let events = csv_rows(&files, "events.csv");
    let placed: Vec<&Row> = events_of(&events, "TaskPlaced");
    assert_eq!(placed.len(), 4);
    for placed in &placed {
        let task = placed.get("subject");
        let running = row(&events, "TaskRunning", task);
        assert_eq!(
            seq(running),
            seq(placed),
            "{task}: RUNNING in its placement's event"
        );
        assert_eq!(running.get("time"), placed.get("time"));
    }
    // The load-balanced tasks register (ACTIVATING) in the same event, and their targets
    // turn healthy at the first check, an event of its own 10 s later (ECS.md §4.7).
    for activating in events_of(&events, "TaskActivating") {
        let task = activating.get("subject");
        assert_eq!(seq(activating), seq(row(&events, "TaskPlaced", task)));
        let healthy = row(&events, "TargetHealthy", task);
        assert!(seq(healthy) > seq(activating));
        assert_eq!(
            healthy.time_ms("time"),
            activating.time_ms("time").map(|t| t + 10_000)
        );
    }
    let tasks = csv_rows(&files, "tasks.csv");
    for task in &tasks {
        assert_eq!(task.get("startedAt"), task.get("createdAt"));
    }
    let without = events_applied(&text);
    let with = events_applied(&services("1ms"));
    assert_eq!(
        with - without,
        placed.len() as u64,
        "one queue event fewer per task started ({with} with a 1 ms startup, {without} with none)"
    );
}

/// A phase with a length, however short, is still its own event (ECS.md §3.1, §3.3):
/// RUNNING 1 ms after placement, STOPPED 2 s after STOPPING, each with a later `seq`.
#[test]
fn a_phase_with_a_length_is_its_own_event() {
    let text = services("1ms").replace(
        "services:\n",
        "actions:\n  - {at: 30m, stopTask: {service: worker}}\nservices:\n",
    );
    let files = outputs(&scenario(&text), 1);
    let events = csv_rows(&files, "events.csv");
    let placed: Vec<&Row> = events_of(&events, "TaskPlaced");
    assert!(!placed.is_empty());
    for placed in &placed {
        let task = placed.get("subject");
        let running = row(&events, "TaskRunning", task);
        assert!(
            seq(running) > seq(placed),
            "{task}: RUNNING in an event of its own"
        );
        assert_eq!(
            running.time_ms("time"),
            placed.time_ms("time").map(|t| t + 1)
        );
    }
    let stopping: Vec<&Row> = events_of(&events, "TaskStopping");
    assert_eq!(stopping.len(), 2, "StopTask stops both worker tasks");
    for stopping in stopping {
        let stopped = row(&events, "TaskStopped", stopping.get("subject"));
        assert!(seq(stopped) > seq(stopping));
        assert_eq!(
            stopped.time_ms("time"),
            stopping.time_ms("time").map(|t| t + 2_000)
        );
    }
}

/// ECS.md §3.3 and A19: with no shutdown time a stopped task is STOPPED in the event that
/// stopped it, and its resources are free from that instant. A task that fills the only
/// instance exits at 61m; a RunTask call at that same instant, applied after the exit,
/// finds the room (with STOPPED as an event of its own after the call, it found the
/// instance full and failed).
#[test]
fn a_task_with_no_shutdown_time_is_stopped_and_its_resources_free_in_the_same_event() {
    let text = one_instance(
        "2h",
        r#"
taskDefinitions:
  - family: big
    containerDefinitions: [{name: app, cpu: 2048, memory: 1024}]
    simulation: {startupTime: 0s, runtime: 1h, shutdownTime: 0s}
  - family: next
    containerDefinitions: [{name: app, cpu: 2048, memory: 1024}]
    simulation: {startupTime: 0s, shutdownTime: 0s}
runTasks:
  - {taskDefinition: big, count: 1, at: 1m}
  - {taskDefinition: next, count: 1, at: 31m, every: 30m}
"#,
    );
    let files = outputs(&scenario(&text), 1);
    let events = csv_rows(&files, "events.csv");
    let big = row(&events, "TaskPlaced", "t-000001");
    assert!(big.get("detail").starts_with("family:big"));
    let stopping = row(&events, "TaskStopping", "t-000001");
    let stopped = row(&events, "TaskStopped", "t-000001");
    assert_eq!(stopping.time_ms("time"), Some(61 * 60_000));
    assert_eq!(seq(stopped), seq(stopping), "STOPPED in the exit's event");
    assert_eq!(stopped.time_ms("time"), stopping.time_ms("time"));
    // The calls at 31m and 91m found the instance full; the one at 61m placed its task.
    let failures: Vec<Option<u64>> = csv_rows(&files, "placement_failures.csv")
        .iter()
        .map(|row| row.time_ms("time"))
        .collect();
    assert_eq!(failures, [Some(31 * 60_000), Some(91 * 60_000)]);
    let next = row(&events, "TaskPlaced", "t-000002");
    assert!(next.get("detail").starts_with("family:next"));
    assert_eq!(next.time_ms("time"), Some(61 * 60_000));
    assert_eq!(seq(next), seq(stopped) + 1, "the call is the next event");
    assert_eq!(seq(row(&events, "TaskRunning", "t-000002")), seq(next));
    let tasks = csv_rows(&files, "tasks.csv");
    let first = tasks
        .iter()
        .find(|t| t.get("taskId") == "t-000001")
        .unwrap();
    assert_eq!(first.time_ms("stoppedAt"), Some(61 * 60_000));
}

/// ECS.md §3.3: a stopped target drains for its target group's deregistration delay; with
/// none, DEACTIVATING ends in the event that stopped it, while STOPPING (2 s) is still an
/// event of its own.
#[test]
fn no_deregistration_delay_goes_on_to_stopping_in_the_same_event() {
    let text = services("0s")
        .replace("deregistrationDelay: 30s", "deregistrationDelay: 0s")
        .replace(
            "services:\n",
            "actions:\n  - {at: 30m, stopTask: {service: web}}\nservices:\n",
        );
    let events = csv_rows(&outputs(&scenario(&text), 1), "events.csv");
    let deactivating: Vec<&Row> = events_of(&events, "TaskDeactivating");
    assert_eq!(deactivating.len(), 2);
    for deactivating in deactivating {
        let task = deactivating.get("subject");
        assert_eq!(deactivating.time_ms("time"), Some(30 * 60_000));
        let stopping = row(&events, "TaskStopping", task);
        assert_eq!(seq(stopping), seq(deactivating));
        let stopped = row(&events, "TaskStopped", task);
        assert!(seq(stopped) > seq(stopping));
        assert_eq!(stopped.time_ms("time"), Some(30 * 60_000 + 2_000));
    }
}

/// Where the change shows: a StopTask call at the instant RunTask placed tasks with no
/// startup time. ECS.md §3.1: with nothing to pull or start, the task is RUNNING from its
/// placement, so the call stops RUNNING tasks: they have a `TaskRunning` row and a
/// `startedAt`. (When PENDING to RUNNING was an event of its own, scheduled after the
/// call, the call found them PENDING and they never ran: `startedAt` was empty.)
#[test]
fn a_stop_at_the_instant_of_placement_finds_the_task_running() {
    let text = one_instance(
        "1h",
        r#"
taskDefinitions:
  - family: job
    containerDefinitions: [{name: app, cpu: 256, memory: 256}]
    simulation: {startupTime: 0s, runtime: 30m, shutdownTime: 5s}
runTasks:
  - {taskDefinition: job, count: 2, at: 5m}
actions:
  - {at: 5m, stopTask: {taskDefinition: job}}
"#,
    );
    let files = outputs(&scenario(&text), 1);
    let events = csv_rows(&files, "events.csv");
    for task in ["t-000001", "t-000002"] {
        let placed = row(&events, "TaskPlaced", task);
        let running = row(&events, "TaskRunning", task);
        let stopping = row(&events, "TaskStopping", task);
        assert_eq!(seq(running), seq(placed));
        assert!(
            seq(stopping) > seq(running),
            "the call is an event after RunTask's"
        );
        assert_eq!(stopping.time_ms("time"), Some(5 * 60_000));
        assert!(stopping.get("detail").starts_with("UserInitiated"));
    }
    for task in csv_rows(&files, "tasks.csv") {
        assert_eq!(task.time_ms("startedAt"), Some(5 * 60_000));
        assert_eq!(task.time_ms("stoppedAt"), Some(5 * 60_000 + 5_000));
        assert_eq!(task.get("stopCode"), "UserInitiated");
    }
}

/// An `awsvpc` task with no ENI attach time and no startup time goes PROVISIONING,
/// PENDING and RUNNING in its placement's event (ECS.md §3.1); a single-container task
/// whose container exited has nothing left to stop (STOPPING of no length), and with no
/// runtime drawn it exits in the event that started it. Every row is still written, in
/// lifecycle order, and the invariants hold after every event.
#[test]
fn every_row_of_a_lifecycle_of_zero_length_phases_is_written_in_order() {
    let text = one_instance(
        "10m",
        r#"
parameters: {eniAttachTime: 0s, eniDetachTime: 0s}
taskDefinitions:
  - family: blink
    networkMode: awsvpc
    containerDefinitions: [{name: app, cpu: 256, memory: 256}]
    simulation: {startupTime: 0s, runtime: 0s, shutdownTime: 0s, exitCode: 3}
runTasks:
  - {taskDefinition: blink, count: 1, at: 1m}
"#,
    );
    assert!(events_applied(&text) > 0);
    let files = outputs(&scenario(&text), 1);
    let events = csv_rows(&files, "events.csv");
    let of_task: Vec<(&str, u64)> = events
        .iter()
        .filter(|row| row.get("subject") == "t-000001")
        .map(|row| (row.get("kind"), seq(row)))
        .collect();
    let kinds: Vec<&str> = of_task.iter().map(|(kind, _)| *kind).collect();
    assert_eq!(
        kinds,
        [
            "TaskPlaced",
            "TaskPending",
            "TaskRunning",
            "TaskStopping",
            "TaskStopped"
        ]
    );
    assert!(
        of_task.iter().all(|&(_, s)| s == of_task[0].1),
        "{of_task:?}"
    );
    let tasks = csv_rows(&files, "tasks.csv");
    assert_eq!(tasks[0].get("exitCode"), "3");
    assert_eq!(tasks[0].time_ms("stoppedAt"), Some(60_000));
}

/// Determinism with zero-length phases in every part of the lifecycle (the scenario files'
/// test runs `scenarios/zero-phases.yaml` too): two runs give the same bytes.
#[test]
fn zero_length_phases_run_twice_give_the_same_bytes() {
    let text = services("0s")
        .replace("deregistrationDelay: 30s", "deregistrationDelay: 0s")
        .replace(
            "shutdownTime: 2s",
            "shutdownTime: 0s, runtime: {exponential: {mean: 5m}}",
        )
        .replace(
            "services:\n",
            "actions:\n  - {at: 20m, stopTask: {service: web, count: 1}}\nservices:\n",
        );
    let loaded = scenario(&text);
    assert_eq!(outputs(&loaded, 5), outputs(&loaded, 5));
}
