//! Explanations and ECS's words: `decisions.csv` (every step kind of a placement, a stop
//! and a termination), explanations that decide as the run does on random scenarios and
//! change nothing else, the service events as ECS writes them (ECS.md §1.7), a
//! `FaultInjected` row for every fault, and `seq` numbering rows in the order applied.

use std::collections::{BTreeMap, BTreeSet};

use crate::invariants::{generate, load};
use crate::support::{csv_rows, scenario, Row};

/// A run's output files, by name.
type Files = Vec<(&'static str, Vec<u8>)>;

/// Every output of a run with `--explain`.
fn explained(yaml: &str, seed: u64) -> Files {
    sim::run_to_memory_with(&scenario(yaml), seed, true)
}

fn rows_of<'a>(rows: &'a [Row], column: &str, value: &str) -> Vec<&'a Row> {
    rows.iter().filter(|row| row.get(column) == value).collect()
}

/// Services that between them reach every step kind: the default chain, `binpack` with a
/// `memberOf` constraint, a task that never fits, a DAEMON service, a scale-in and an Auto
/// Scaling group scaled in. Ties go to the lowest id, so the details are exact.
const STEPS: &str = "
name: explain-steps
duration: 2h
parameters: {tieBreak: stable}
cluster:
  availabilityZones: [z-a, z-b]
  instanceTypes:
    - {name: box, cpu: 2048, memory: 4096, enis: 3}
  autoScalingGroups:
    - {name: pool, instanceType: box, desiredCapacity: 4, replacementDelay: 1m}
  instances:
    - {instanceType: box, availabilityZone: z-a, count: 1, attributes: {tier: cache}}
    - {instanceType: box, availabilityZone: z-b, count: 1, attributes: {tier: cache}}
taskDefinitions:
  - family: web
    containerDefinitions: [{name: app, image: web:1, cpu: 256, memory: 512}]
  - family: cache
    containerDefinitions: [{name: c, image: cache:1, cpu: 256, memory: 1024}]
  - family: huge
    containerDefinitions: [{name: h, image: huge:1, cpu: 256, memory: 8000}]
  - family: agent
    containerDefinitions: [{name: a, image: agent:1, cpu: 64, memory: 64}]
services:
  - {serviceName: web, taskDefinition: web, desiredCount: 4}
  - serviceName: cache
    taskDefinition: cache
    desiredCount: 2
    placementStrategy: [{type: binpack, field: memory}]
    placementConstraints: [{type: memberOf, expression: 'attribute:tier == cache'}]
  - {serviceName: huge, taskDefinition: huge, desiredCount: 1}
  - {serviceName: agent, taskDefinition: agent, schedulingStrategy: DAEMON}
actions:
  - {at: 30m, updateService: {service: web, desiredCount: 2}}
  - {at: 1h, setDesiredCapacity: {autoScalingGroup: pool, desiredCapacity: 2}}
";

#[test]
fn decisions_csv_has_every_step_kind_with_counts_and_reasons() {
    let files = explained(STEPS, 1);
    let decisions = csv_rows(&files, "decisions.csv");
    let kinds: BTreeSet<&str> = decisions.iter().map(|row| row.get("step")).collect();
    for kind in [
        "resources",
        "constraint",
        "strategy",
        "tieBreak",
        "placed",
        "failed",
        "daemon",
        "plan",
        "stopped",
        "capacity",
        "zone",
        "instance",
        "terminated",
    ] {
        assert!(kinds.contains(kind), "no {kind} step in {kinds:?}");
    }
    // Each row narrows or keeps the candidates; decisions are numbered from 1 in order.
    let mut last = 0u64;
    for row in &decisions {
        let before: usize = row.get("candidatesBefore").parse().unwrap();
        let after: usize = row.get("candidatesAfter").parse().unwrap();
        assert!(after <= before, "{row:?}");
        let decision: u64 = row.get("decision").parse().unwrap();
        assert!(decision == last || decision == last + 1, "{row:?}");
        last = decision;
    }
    let detail_of = |step: &str, starts: &str| -> Vec<String> {
        decisions
            .iter()
            .filter(|row| row.get("step") == step && row.get("detail").starts_with(starts))
            .map(|row| row.get("detail").to_string())
            .collect()
    };
    // The cache service: its constraint, then binpack on memory (ECS.md §1.2, §1.5).
    let constraint = detail_of(
        "constraint",
        "memberOf(attribute:tier == cache): kept 2 of ",
    );
    assert_eq!(constraint.len(), 2, "{constraint:?}");
    let binpack = detail_of("strategy", "binpack(memory): kept ");
    assert!(
        binpack
            .iter()
            .any(|d| d.ends_with("MiB left after placing (the least)")),
        "{binpack:?}"
    );
    // The default chain spreads over zones first, then instances (ECS.md §1.6).
    assert!(!detail_of("strategy", "spread(attribute:ecs.availability-zone): kept ").is_empty());
    assert!(!detail_of("strategy", "spread(instanceId): ").is_empty());
    assert!(!detail_of("tieBreak", "tieBreak stable: the lowest instance id of ").is_empty());
    // The huge task never fits: the closest matching instance names the shortfall.
    let failed = detail_of("failed", "RESOURCE:MEMORY: no ACTIVE instance has room; the closest matching instance, i-00000001, has ");
    assert!(!failed.is_empty(), "{decisions:?}");
    // Scale-in at 30 min: two web tasks chosen in the service's scale-in order.
    let stops: Vec<&Row> = rows_of(&decisions, "kind", "stop");
    let plans: Vec<&&Row> = stops.iter().filter(|r| r.get("step") == "plan").collect();
    assert_eq!(plans.len(), 2, "{stops:?}");
    assert!(plans[0]
        .get("detail")
        .starts_with("beyond the desired count (4 current tasks for 2 desired)"));
    assert!(stops.iter().any(|r| r.get("step") == "strategy"
        && r.get("detail")
            .starts_with("spread(attribute:ecs.availability-zone): kept ")));
    // The group scaled in from 4 to 2: two terminations, oldest instance of the fullest zone.
    let capacity = detail_of("capacity", "scale-in: pool has ");
    assert_eq!(capacity.len(), 2, "{capacity:?}");
    assert!(!detail_of("instance", "the oldest instance of the zone").is_empty());
    assert!(!detail_of("daemon", "DAEMON: one task on each of the ").is_empty());

    // Every placement explained is the run's: the same instance as tasks.csv, once per task.
    let tasks = csv_rows(&files, "tasks.csv");
    let placed: Vec<&Row> = decisions
        .iter()
        .filter(|row| row.get("step") == "placed")
        .collect();
    assert_eq!(placed.len(), tasks.len());
    for row in placed {
        let task = rows_of(&tasks, "taskId", row.get("taskId"));
        assert_eq!(task.len(), 1, "{row:?}");
        assert_eq!(task[0].get("instanceId"), row.get("instanceId"), "{row:?}");
    }
    // Stops and terminations explained are those that happened.
    for row in rows_of(&decisions, "step", "stopped") {
        let task = &rows_of(&tasks, "taskId", row.get("taskId"))[0];
        assert_eq!(task.get("stopCode"), "ServiceSchedulerInitiated");
    }
    let instances = csv_rows(&files, "instances.csv");
    for row in rows_of(&decisions, "step", "terminated") {
        let instance = rows_of(&instances, "instanceId", row.get("instanceId"));
        assert_eq!(instance[0].get("reason"), "scaleIn", "{row:?}");
    }

    // Explaining changes nothing else, byte for byte.
    let plain = sim::run_to_memory(&scenario(STEPS), 1);
    for (name, bytes) in &plain {
        let with = &files.iter().find(|(file, _)| file == name).unwrap().1;
        assert!(with == bytes, "{name} differs when the run explains");
    }
}

/// The swarm's random scenarios, run with explanations: the model asserts that every
/// explanation chooses the instance its decision chose, with the same draws; the files
/// other than `decisions.csv` are those of the run without explanations; and every task
/// has exactly one placement decision, naming its instance. `SIM_SEEDS` (default 60) or
/// `SIM_SEED` choose the scenarios.
#[test]
fn explanations_decide_as_the_run_on_random_scenarios() {
    let seeds: Vec<u64> = match std::env::var("SIM_SEED").ok().and_then(|s| s.parse().ok()) {
        Some(seed) => vec![seed],
        None => (0..std::env::var("SIM_SEEDS")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(60))
            .collect(),
    };
    let mut explained_steps = 0;
    for seed in seeds {
        let scenario = load(&generate(seed));
        let with = std::panic::catch_unwind(|| sim::run_to_memory_with(&scenario, seed, true))
            .unwrap_or_else(|_| panic!("SIM_SEED={seed}: the explained run failed"));
        let without = sim::run_to_memory(&scenario, seed);
        for (name, bytes) in &without {
            let explained = &with.iter().find(|(file, _)| file == name).unwrap().1;
            assert!(
                explained == bytes,
                "SIM_SEED={seed}: {name} differs when the run explains"
            );
        }
        let decisions = csv_rows(&with, "decisions.csv");
        explained_steps += decisions.len();
        // Every task that got an instance (a capacity provider's task may never get one).
        let tasks: Vec<_> = csv_rows(&with, "tasks.csv")
            .into_iter()
            .filter(|task| !task.get("instanceId").is_empty())
            .collect();
        let mut placed: BTreeMap<&str, &str> = BTreeMap::new();
        for row in rows_of(&decisions, "step", "placed") {
            assert!(
                placed
                    .insert(row.get("taskId"), row.get("instanceId"))
                    .is_none(),
                "SIM_SEED={seed}: {} placed twice",
                row.get("taskId")
            );
        }
        assert_eq!(placed.len(), tasks.len(), "SIM_SEED={seed}");
        for task in &tasks {
            assert_eq!(
                placed.get(task.get("taskId")),
                Some(&task.get("instanceId")),
                "SIM_SEED={seed}: {}",
                task.get("taskId")
            );
        }
    }
    assert!(explained_steps > 0);
}

/// The `detail` of every `ServiceEvent` row of a run.
fn service_events(yaml: &str) -> Vec<String> {
    let files = sim::run_to_memory(&scenario(yaml), 1);
    csv_rows(&files, "events.csv")
        .into_iter()
        .filter(|row| row.get("kind") == "ServiceEvent")
        .map(|row| row.get("detail").to_string())
        .collect()
}

/// One service of `desired` tasks of `cpu` units and `memory` MiB, with extra YAML.
fn one_service(instances: &str, task: &str, service: &str, extra: &str) -> String {
    format!(
        "
name: words
duration: 10m
parameters: {{tieBreak: stable}}
cluster:
  availabilityZones: [z-a]
  instanceTypes:
    - {{name: box, cpu: 1024, memory: 2048, enis: 3}}
  instances: {instances}
taskDefinitions:
  - family: app
    containerDefinitions: [{task}]
services:
  - {service}
{extra}"
    )
}

#[test]
fn service_events_are_in_ecs_words() {
    // A pass that started tasks, then the steady state (ECS.md §1.7).
    let quickstart = scenario::load_str(
        scenario::QUICKSTART,
        std::path::Path::new("quickstart.yaml"),
        &[],
    )
    .unwrap();
    let files = sim::run_to_memory(&quickstart, 42);
    let events = csv_rows(&files, "events.csv");
    let messages: Vec<&str> = rows_of(&events, "kind", "ServiceEvent")
        .into_iter()
        .map(|row| row.get("detail"))
        .collect();
    assert_eq!(
        messages[0],
        "(service web) has started 6 tasks: (task t-000001) (task t-000002) (task t-000003) (task t-000004) (task t-000005) (task t-000006)."
    );
    assert!(messages.contains(&"(service web) has reached a steady state."));
    assert!(messages.contains(&"(service web) has started 1 tasks: (task t-000007)."));

    // A pass that stopped tasks: the rolling deployment stops two old tasks first.
    let rolling = scenario::load(
        std::path::Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../scenarios/rolling-deployment.yaml"
        )),
        &[],
    )
    .unwrap();
    let files = sim::run_to_memory(&rolling, rolling.seed);
    let events = csv_rows(&files, "events.csv");
    let stopped: Vec<&Row> = rows_of(&events, "kind", "ServiceEvent")
        .into_iter()
        .filter(|row| row.get("detail").contains("has stopped"))
        .collect();
    assert_eq!(
        stopped[0].get("detail"),
        "(service web) has stopped 2 running tasks: (task t-000004) (task t-000003)."
    );
    // Its tasks' stop rows at the same seq, before the message.
    let seq = stopped[0].get("seq");
    let stopping: Vec<&Row> = events
        .iter()
        .filter(|row| row.get("seq") == seq && row.get("kind") == "TaskDeactivating")
        .collect();
    assert_eq!(stopping.len(), 2);

    let prefix = "(service app) was unable to place a task because no container instance met all of its requirements. The closest matching (container-instance i-00000001) ";
    let one_box = "[{instanceType: box, availabilityZone: z-a}]";
    // Memory, once only: the duplicate is left out until the cause is resolved.
    let memory = service_events(&one_service(
        one_box,
        "{name: c, image: app:1, cpu: 128, memory: 4096}",
        "{serviceName: app, taskDefinition: app, desiredCount: 1}",
        "",
    ));
    let unable: Vec<&String> = memory
        .iter()
        .filter(|m| m.contains("unable to place"))
        .collect();
    assert_eq!(
        unable,
        [&format!("{prefix}has insufficient memory available.")]
    );
    // CPU.
    let cpu = service_events(&one_service(
        one_box,
        "{name: c, image: app:1, cpu: 2048, memory: 128}",
        "{serviceName: app, taskDefinition: app, desiredCount: 1}",
        "",
    ));
    assert!(
        cpu.contains(&format!("{prefix}has insufficient CPU units available.")),
        "{cpu:?}"
    );
    // Ports: a static host port, two tasks, one instance.
    let ports = service_events(&one_service(
        one_box,
        "{name: c, image: app:1, cpu: 128, memory: 128, portMappings: [{containerPort: 80, hostPort: 80}]}",
        "{serviceName: app, taskDefinition: app, desiredCount: 2}",
        "",
    ));
    assert!(
        ports.contains(&format!(
            "{prefix}is already using a port required by your task."
        )),
        "{ports:?}"
    );
    // A constraint no instance meets.
    let constraint = service_events(&one_service(
        one_box,
        "{name: c, image: app:1, cpu: 128, memory: 128}",
        "{serviceName: app, taskDefinition: app, desiredCount: 1, placementConstraints: [{type: memberOf, expression: 'attribute:tier == gpu'}]}",
        "",
    ));
    assert!(
        constraint.contains(&format!(
            "{prefix}does not satisfy the placement constraint memberOf(attribute:tier == gpu)."
        )),
        "{constraint:?}"
    );
    // An instance whose agent is disconnected: ECS's AGENT error.
    let agent = service_events(&one_service(
        one_box,
        "{name: c, image: app:1, cpu: 128, memory: 128}",
        "{serviceName: app, taskDefinition: app, desiredCount: 1}",
        "faults:\n  - {kind: agentDisconnect, at: 1m}\nactions:\n  - {at: 2m, updateService: {service: app, desiredCount: 2}}",
    ));
    assert!(
        agent.contains(&format!("{prefix}encountered error \"AGENT\".")),
        "{agent:?}"
    );
    // Every instance DRAINING: no instance to name.
    let draining = service_events(&one_service(
        one_box,
        "{name: c, image: app:1, cpu: 128, memory: 128}",
        "{serviceName: app, taskDefinition: app, desiredCount: 1}",
        "actions:\n  - {at: 1m, drainInstances: {availabilityZone: z-a}}",
    ));
    assert!(
        draining.contains(&"(service app) was unable to place a task because no container instance met all of its requirements.".to_string()),
        "{draining:?}"
    );
    // No instance at all.
    let empty = service_events(&one_service(
        "[]",
        "{name: c, image: app:1, cpu: 128, memory: 128}",
        "{serviceName: app, taskDefinition: app, desiredCount: 1}",
        "",
    ));
    assert!(
        empty.contains(&"(service app) was unable to place a task. Reason: No Container Instances were found in your cluster.".to_string()),
        "{empty:?}"
    );
}

#[test]
fn a_stop_row_tells_the_stop_code_and_exit_code() {
    let yaml = one_service(
        "[{instanceType: box, availabilityZone: z-a}]",
        "{name: c, image: app:1, cpu: 128, memory: 128}",
        "{serviceName: app, taskDefinition: app, desiredCount: 1}",
        "faults:\n  - {kind: taskExit, service: app, at: 2m, exitCode: 137}",
    );
    let files = sim::run_to_memory(&scenario(&yaml), 1);
    let events = csv_rows(&files, "events.csv");
    let stopped = rows_of(&events, "kind", "TaskStopped");
    assert_eq!(
        stopped[0].get("detail"),
        "EssentialContainerExited: Essential container in task exited (exit code 137)"
    );
}

/// Random faults of every kind, with short times to failure.
const RANDOM_FAULTS: &str = "
name: random-faults
duration: 2d
cluster:
  availabilityZones: [z-a, z-b]
  autoScalingGroups:
    - {name: pool, instanceType: m5.large, desiredCapacity: 4, replacementDelay: 2m}
taskDefinitions:
  - family: web
    containerDefinitions: [{name: app, image: web:1, cpu: 256, memory: 512}]
services:
  - {serviceName: web, taskDefinition: web, desiredCount: 4}
faults:
  - {kind: instanceFailure, mtbf: 1d}
  - {kind: taskExit, service: web, mtbf: 6h, exitCode: 3}
  - {kind: zoneOutage, availabilityZone: z-b, mtbf: 1d, duration: 30m}
  - {kind: spotInterruption, mtbf: 2d}
  - {kind: agentDisconnect, mtbf: 2d, duration: 10m}
";

#[test]
fn every_random_fault_has_its_fault_injected_row() {
    let files = sim::run_to_memory(&scenario(RANDOM_FAULTS), 3);
    let events = csv_rows(&files, "events.csv");
    // The rows a fault strikes with, by its index, and the row that must follow at the
    // same seq.
    let effects = [
        (0, "InstanceTerminated", "instanceFailure"),
        (1, "TaskStopping", "EssentialContainerExited"),
        (2, "ZoneOutageStarted", ""),
        (3, "SpotInterruptionNotice", ""),
        (4, "AgentDisconnected", ""),
    ];
    for (fault, kind, detail) in effects {
        let injected: Vec<&Row> = rows_of(&events, "subject", &format!("faults[{fault}]"));
        assert!(!injected.is_empty(), "faults[{fault}] never struck");
        for row in &injected {
            assert_eq!(row.get("kind"), "FaultInjected");
            assert!(
                row.get("detail").ends_with("(random): 1 target(s) hit"),
                "{row:?}"
            );
        }
        // Every effect of the fault comes right after its FaultInjected row.
        let struck: Vec<&Row> = events
            .iter()
            .filter(|row| row.get("kind") == kind && row.get("detail").starts_with(detail))
            .collect();
        for row in struck {
            let seq = row.get("seq");
            assert!(
                injected.iter().any(|i| i.get("seq") == seq),
                "{kind} at seq {seq} without its FaultInjected row"
            );
        }
    }
    // The task fault's exit code is in the stop row.
    assert!(events.iter().any(|row| row.get("kind") == "TaskStopped"
        && row.get("detail")
            == "EssentialContainerExited: Essential container in task exited (exit code 3)"));
}

#[test]
fn seq_numbers_rows_in_the_order_they_were_applied() {
    let mut runs: Vec<(String, Files)> = vec![(
        "random-faults".to_string(),
        sim::run_to_memory(&scenario(RANDOM_FAULTS), 3),
    )];
    for path in crate::golden::scenario_files() {
        let scenario = scenario::load(&path, &[]).unwrap();
        runs.push((
            path.display().to_string(),
            sim::run_to_memory(&scenario, scenario.seed),
        ));
    }
    for (name, files) in runs {
        let events = csv_rows(&files, "events.csv");
        let summary: serde_json::Value =
            serde_json::from_slice(&files.iter().find(|(f, _)| *f == "summary.json").unwrap().1)
                .unwrap();
        let applied = summary["events"].as_u64().unwrap();
        let mut last: Option<(u64, u64)> = None;
        for row in &events {
            let seq: u64 = row.get("seq").parse().unwrap();
            let time = row.time_ms("time").unwrap();
            assert!(seq < applied, "{name}: seq {seq} of {applied} events");
            if let Some((last_seq, last_time)) = last {
                assert!(
                    seq >= last_seq && time >= last_time,
                    "{name}: seq {seq} at {time} ms after seq {last_seq} at {last_time} ms"
                );
                // A new event's time is never before the last one's.
            }
            last = Some((seq, time));
        }
    }
}
