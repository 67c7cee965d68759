//! ECS behaviours, each test citing the section of `../shared/ECS.md` it checks.

use std::collections::BTreeMap;

use cluster::task::TaskStatus;

use crate::support::{csv_rows, outputs, run_checked, scenario, Row};

/// Three zones, two m5.large per zone, and whatever `rest` adds.
fn three_zones(rest: &str) -> String {
    format!(
        r#"
name: behaviour
duration: 1h
cluster:
  availabilityZones: [us-east-1a, us-east-1b, us-east-1c]
  autoScalingGroups:
    - {{name: general, instanceType: m5.large, desiredCapacity: 6, replacementDelay: 4m}}
{rest}"#
    )
}

const WEB: &str = r#"
taskDefinitions:
  - family: web
    containerDefinitions:
      - {name: app, cpu: 256, memory: 512, portMappings: [{containerPort: 3000}]}
    simulation: {startupTime: 20s}
"#;

fn tasks_by(
    files: &[(&'static str, Vec<u8>)],
    column: &str,
    service: &str,
) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for row in csv_rows(files, "tasks.csv") {
        if row.get("service") == service && row.get("lastStatus") == "RUNNING" {
            *counts.entry(row.get(column).to_string()).or_default() += 1;
        }
    }
    counts
}

/// ECS.md §1.6: a service with no strategy spreads over zones, then over the instances of
/// each zone ("favoring container instances with the fewest number of running tasks").
#[test]
fn default_service_placement_balances_zones_then_instances() {
    for seed in 0..20 {
        let text = three_zones(&format!(
            "{WEB}services:\n  - {{serviceName: web, taskDefinition: web, desiredCount: 6}}\n"
        ));
        let files = outputs(&scenario(&text), seed);
        let zones = tasks_by(&files, "availabilityZone", "web");
        assert_eq!(
            zones.values().copied().collect::<Vec<_>>(),
            vec![2, 2, 2],
            "seed={seed} zones {zones:?}"
        );
        let instances = tasks_by(&files, "instanceId", "web");
        assert_eq!(
            instances.len(),
            6,
            "seed={seed}: one task per instance, got {instances:?}"
        );
    }
}

/// ECS.md §1.6 worked example: "if zone A has one running service task and zones B and C
/// each have zero, valid container instances in either zone B or C are considered optimal".
#[test]
fn default_service_placement_prefers_zones_with_fewest_tasks() {
    for seed in 0..20 {
        let text = three_zones(&format!(
            "{WEB}services:\n  - {{serviceName: web, taskDefinition: web, desiredCount: 4}}\n"
        ));
        let files = outputs(&scenario(&text), seed);
        let mut zones: Vec<usize> = tasks_by(&files, "availabilityZone", "web")
            .into_values()
            .collect();
        zones.sort_unstable();
        assert_eq!(zones, vec![1, 1, 2], "seed={seed}");
    }
}

/// ECS.md §5.3: tasks on a terminated instance stop with `Host EC2 (instance i-…)
/// terminated` and the service scheduler replaces them elsewhere; the Auto Scaling group
/// launches a replacement instance.
#[test]
fn lost_instance_tasks_are_stopped_and_replaced_elsewhere() {
    let text = three_zones(&format!(
        "{WEB}services:\n  - {{serviceName: web, taskDefinition: web, desiredCount: 6}}\n\
         faults:\n  - {{kind: instanceFailure, at: 10m, target: {{availabilityZone: us-east-1a}}, count: 1}}\n\
         metrics: {{warmup: 5m}}\n"
    ));
    let loaded = scenario(&text);
    let files = outputs(&loaded, 1);
    let tasks = csv_rows(&files, "tasks.csv");
    let lost: Vec<&Row> = tasks
        .iter()
        .filter(|t| t.get("lastStatus") == "STOPPED")
        .collect();
    assert_eq!(lost.len(), 1, "one task was on the failed instance");
    let victim = lost[0];
    assert_eq!(
        victim.get("stoppedReason"),
        format!(
            "Host EC2 (instance {}) terminated",
            victim.get("instanceId")
        )
    );
    assert_eq!(victim.time_ms("stoppedAt"), Some(600_000));
    let running: Vec<&Row> = tasks
        .iter()
        .filter(|t| t.get("lastStatus") == "RUNNING")
        .collect();
    assert_eq!(running.len(), 6, "the service is back at its desired count");
    let replacement = running
        .iter()
        .max_by_key(|t| t.time_ms("createdAt"))
        .unwrap();
    assert_ne!(replacement.get("instanceId"), victim.get("instanceId"));
    // Within the scheduler's reaction time (10 s) plus the startup time (20 s).
    assert_eq!(replacement.time_ms("createdAt"), Some(610_000));
    assert_eq!(replacement.time_ms("startedAt"), Some(630_000));
    // The group replaced the instance after its replacementDelay, in the same zone.
    let instances = csv_rows(&files, "instances.csv");
    assert_eq!(instances.len(), 7);
    let new = instances
        .iter()
        .find(|i| i.time_ms("registeredAt") == Some(600_000 + 240_000))
        .expect("replacement registered at 14m");
    assert_eq!(new.get("availabilityZone"), "us-east-1a");
    // Measured from the 5-minute warmup, after the initial rollout: one spell of 30 s.
    let services = csv_rows(&files, "services.csv");
    assert_eq!(services[0].get("minRunning"), "5");
    assert_eq!(services[0].get("meanTimeToRecover"), "30.000");
    assert_eq!(services[0].get("secondsBelowDesired"), "30.000");
    assert_eq!(services[0].get("tasksFailed"), "1");
    let episodes = csv_rows(&files, "episodes.csv");
    assert_eq!(episodes.len(), 1);
    assert_eq!(
        [
            episodes[0].get("startedAt"),
            episodes[0].get("endedAt"),
            episodes[0].get("seconds"),
            episodes[0].get("minRunning"),
            episodes[0].get("cause"),
        ],
        ["600.000", "630.000", "30.000", "5", "instanceFailure"]
    );
}

/// ECS.md §3.2 and §3.4: when the essential container exits the task stops with
/// `EssentialContainerExited` / `Essential container in task exited`; a service replaces
/// it (§4.8), a RunTask task is never replaced.
#[test]
fn essential_container_exit_stops_the_task_and_only_services_replace_it() {
    let text = three_zones(&format!(
        "{WEB}  - family: job\n    containerDefinitions: [{{name: job, cpu: 128, memory: 128}}]\n    simulation: {{runtime: 5m}}\n\
         services:\n  - {{serviceName: web, taskDefinition: web, desiredCount: 3}}\n\
         runTasks:\n  - {{taskDefinition: job, count: 2, at: 1m}}\n\
         faults:\n  - {{kind: taskExit, service: web, at: 20m, count: 1, exitCode: 137}}\n"
    ));
    let files = outputs(&scenario(&text), 5);
    let tasks = csv_rows(&files, "tasks.csv");
    let jobs: Vec<&Row> = tasks
        .iter()
        .filter(|t| t.get("group") == "family:job")
        .collect();
    assert_eq!(jobs.len(), 2, "RunTask tasks are not replaced");
    for job in &jobs {
        assert_eq!(job.get("lastStatus"), "STOPPED");
        assert_eq!(job.get("stopCode"), "EssentialContainerExited");
        assert_eq!(
            job.get("stoppedReason"),
            "Essential container in task exited"
        );
        assert_eq!(job.get("exitCode"), "0");
        assert_eq!(job.time_ms("stoppedAt"), Some(60_000 + 10_000 + 300_000));
    }
    let web: Vec<&Row> = tasks.iter().filter(|t| t.get("service") == "web").collect();
    let crashed: Vec<&&Row> = web
        .iter()
        .filter(|t| t.get("lastStatus") == "STOPPED")
        .collect();
    assert_eq!(crashed.len(), 1);
    assert_eq!(crashed[0].get("exitCode"), "137");
    assert_eq!(crashed[0].get("stopCode"), "EssentialContainerExited");
    assert_eq!(web.len(), 4, "the crashed web task was replaced");
}

/// ECS.md §2.3: `memoryReservation` is reserved instead of `memory`; a task-level value
/// wins over the containers' sum.
#[test]
fn memory_reservation_is_what_is_reserved() {
    let text = r#"
name: reservation
duration: 10m
cluster:
  availabilityZones: [a]
  instanceTypes: [{name: box, cpu: 4096, memory: 1000, enis: 3}]
  instances: [{instanceType: box, availabilityZone: a}]
taskDefinitions:
  - family: soft
    containerDefinitions: [{name: c, memory: 900, memoryReservation: 100}]
  - family: sized
    memory: "300"
    containerDefinitions: [{name: c, memoryReservation: 10}]
services:
  - {serviceName: soft, taskDefinition: soft, desiredCount: 7}
  - {serviceName: sized, taskDefinition: sized, desiredCount: 2}
"#;
    let cluster = run_checked(&scenario(text), 1);
    let instance = &cluster.instances()[0];
    // 7 x 100 + ... the sized tasks take 300 each: only one fits in the remaining 300.
    let running = |name: &str| {
        cluster
            .tasks()
            .live_in_creation_order()
            .into_iter()
            .filter(|t| {
                t.last_status == TaskStatus::Running
                    && cluster.service(t.service.unwrap()).service_name == name
            })
            .count()
    };
    assert_eq!(running("soft"), 7);
    assert_eq!(running("sized"), 1);
    assert_eq!(instance.remaining_memory_mib, 0);
}

/// ECS.md §2.4: a static host port can be used by one task per instance; the rest fail
/// with RESOURCE:PORTS (§1.7), create no task object (A4), and are retried at every
/// scheduler pass.
#[test]
fn static_host_ports_allow_one_task_per_instance() {
    let text = r#"
name: ports
duration: 1m
cluster:
  availabilityZones: [a, b]
  instances:
    - {instanceType: m5.large, availabilityZone: a}
    - {instanceType: m5.large, availabilityZone: b}
taskDefinitions:
  - family: web
    containerDefinitions:
      - {name: app, cpu: 128, memory: 128, portMappings: [{containerPort: 80, hostPort: 8080}]}
services:
  - {serviceName: web, taskDefinition: web, desiredCount: 3}
"#;
    let files = outputs(&scenario(text), 1);
    assert_eq!(
        csv_rows(&files, "tasks.csv").len(),
        2,
        "no task object for the unplaced one"
    );
    let failures = csv_rows(&files, "placement_failures.csv");
    // Passes at 0 s, 10 s, ..., 60 s: seven attempts for the one task that never fits.
    assert_eq!(failures.len(), 7);
    assert!(failures
        .iter()
        .all(|f| f.get("reason") == "RESOURCE:PORTS" && f.get("group") == "service:web"));
    assert_eq!(failures[1].time_ms("time"), Some(10_000));
}

/// ECS.md §2.5: an awsvpc task takes an ENI; an instance holds `enis - 1` such tasks,
/// and the next fails with RESOURCE:ENI.
#[test]
fn awsvpc_tasks_are_limited_by_eni_attachments() {
    let text = r#"
name: eni
duration: 1m
cluster:
  availabilityZones: [a]
  instances: [{instanceType: m5.large, availabilityZone: a}]
taskDefinitions:
  - family: api
    networkMode: awsvpc
    containerDefinitions: [{name: app, cpu: 64, memory: 64}]
runTasks:
  - {taskDefinition: api, count: 3}
"#;
    let files = outputs(&scenario(text), 1);
    let tasks = csv_rows(&files, "tasks.csv");
    assert_eq!(tasks.len(), 2, "m5.large has 3 ENIs: 2 awsvpc tasks");
    let failures = csv_rows(&files, "placement_failures.csv");
    assert_eq!(failures.len(), 1, "RunTask does not retry");
    assert_eq!(failures[0].get("reason"), "RESOURCE:ENI");
    // PROVISIONING (ENI attach, 5 s) then PENDING (startup, 10 s by default).
    assert_eq!(tasks[0].time_ms("startedAt"), Some(15_000));
}

/// ECS.md §1.7 and A4: a service that cannot place keeps retrying; when capacity comes
/// back (the zone outage ends and the group rebalances), the tasks are placed.
#[test]
fn zone_outage_blocks_launches_until_it_ends() {
    let text = r#"
name: outage
duration: 3h
cluster:
  availabilityZones: [a, b]
  autoScalingGroups:
    - {name: g, instanceType: m5.large, desiredCapacity: 2, availabilityZones: [a], replacementDelay: 2m}
taskDefinitions:
  - family: web
    containerDefinitions: [{name: app, cpu: 1024, memory: 1024}]
services:
  - {serviceName: web, taskDefinition: web, desiredCount: 2}
faults:
  - {kind: zoneOutage, availabilityZone: a, at: 30m, duration: 1h}
"#;
    let files = outputs(&scenario(text), 1);
    let instances = csv_rows(&files, "instances.csv");
    let lost: Vec<&Row> = instances
        .iter()
        .filter(|i| i.get("reason") == "zoneOutage")
        .collect();
    assert_eq!(lost.len(), 2);
    // Nothing registers in the zone while it is down; replacements come at end + delay.
    let replacements: Vec<&Row> = instances
        .iter()
        .filter(|i| i.get("reason").is_empty())
        .collect();
    assert_eq!(replacements.len(), 2);
    for instance in &replacements {
        assert_eq!(
            instance.time_ms("registeredAt"),
            Some(90 * 60_000 + 2 * 60_000)
        );
    }
    let failures = csv_rows(&files, "placement_failures.csv");
    assert!(failures
        .iter()
        .all(|f| f.get("reason") == "no container instance in zone"));
    assert!(!failures.is_empty());
    let services = csv_rows(&files, "services.csv");
    assert_eq!(services[0].get("minRunning"), "0");
    let running = csv_rows(&files, "tasks.csv")
        .iter()
        .filter(|t| t.get("lastStatus") == "RUNNING")
        .count();
    assert_eq!(running, 2, "the service recovered once capacity returned");
}

/// ECS.md §4.2 and §5.2: with maximumPercent 100, a replacement starts only once the task
/// it replaces has STOPPED (STOPPING counts against the maximum, A6).
#[test]
fn maximum_percent_100_waits_for_the_stopped_task() {
    let text = r#"
name: max100
duration: 30m
parameters: {stopTimeout: 2m}
cluster:
  availabilityZones: [a]
  instances: [{instanceType: m5.large, availabilityZone: a, count: 2}]
taskDefinitions:
  - family: web
    containerDefinitions:
      - {name: app, cpu: 128, memory: 128}
      - {name: sidecar, cpu: 0, memory: 64, essential: false}
    simulation: {startupTime: 5s, shutdownTime: 45s}
services:
  - serviceName: web
    taskDefinition: web
    desiredCount: 2
    deploymentConfiguration: {maximumPercent: 100, minimumHealthyPercent: 0}
faults:
  - {kind: taskExit, service: web, at: 10m, count: 1}
"#;
    let files = outputs(&scenario(text), 1);
    let tasks = csv_rows(&files, "tasks.csv");
    let stopped = tasks
        .iter()
        .find(|t| t.get("lastStatus") == "STOPPED")
        .unwrap();
    // The sidecar takes its 45 s to exit after SIGTERM.
    assert_eq!(stopped.time_ms("stoppedAt"), Some(600_000 + 45_000));
    let replacement = tasks.iter().max_by_key(|t| t.time_ms("createdAt")).unwrap();
    // The pass at 10m10s is held back by maximumPercent; the task's STOPPED at 10m45s asks
    // for the pass one scheduler interval later, which starts the replacement.
    assert_eq!(replacement.time_ms("createdAt"), Some(655_000));
}

/// The quickstart's story (README): when us-west-2b is lost at 1 d, its tasks stop with
/// ECS's host-terminated reason (ECS.md §5.3), replacements are placed in the other zones
/// within one scheduler interval (A10, 10 s), and the service ends at its desired count.
#[test]
fn quickstart_heals_a_lost_zone_in_the_other_zones() {
    let loaded = scenario::load_str(
        scenario::QUICKSTART,
        std::path::Path::new("quickstart.yaml"),
        &[],
    )
    .unwrap();
    let files = outputs(&loaded, loaded.seed);
    let tasks = csv_rows(&files, "tasks.csv");
    let outage_ms = 86_400_000;
    let web = |t: &&Row| t.get("service") == "web";
    let lost: Vec<&Row> = tasks
        .iter()
        .filter(web)
        .filter(|t| t.time_ms("stoppedAt") == Some(outage_ms))
        .collect();
    assert_eq!(lost.len(), 2, "two web tasks ran in us-west-2b");
    for task in &lost {
        assert_eq!(task.get("availabilityZone"), "us-west-2b");
        assert!(task
            .get("stoppedReason")
            .starts_with("Host EC2 (instance i-"));
    }
    let replacements: Vec<&Row> = tasks
        .iter()
        .filter(web)
        .filter(|t| {
            t.time_ms("createdAt")
                .is_some_and(|at| at > outage_ms && at <= outage_ms + 10_000)
        })
        .collect();
    assert_eq!(replacements.len(), 2);
    assert!(replacements
        .iter()
        .all(|t| t.get("availabilityZone") != "us-west-2b"));
    let running = tasks
        .iter()
        .filter(web)
        .filter(|t| t.get("lastStatus") == "RUNNING")
        .count();
    assert_eq!(running, 6);
    let services = csv_rows(&files, "services.csv");
    assert_eq!(services[0].get("placementFailures"), "0");
}

/// ECS.md §4.3 and the contract: a second entry of a family is revision 2; `family` means
/// the latest revision and `family:1` the first.
#[test]
fn task_definition_revisions() {
    let text = three_zones(
        r#"
taskDefinitions:
  - family: web
    containerDefinitions: [{name: app, cpu: 128, memory: 128}]
  - family: web
    containerDefinitions: [{name: app, cpu: 256, memory: 256}]
services:
  - {serviceName: latest, taskDefinition: web, desiredCount: 2}
  - {serviceName: first, taskDefinition: "web:1", desiredCount: 2}
"#,
    );
    let files = outputs(&scenario(&text), 1);
    for task in csv_rows(&files, "tasks.csv") {
        let expected = if task.get("service") == "latest" {
            "web:2"
        } else {
            "web:1"
        };
        assert_eq!(task.get("taskDefinition"), expected);
    }
}

/// ECS.md §5.3 (an Auto Scaling group replaces lost instances) with EC2 Auto Scaling's
/// zone balance: capacity is spread evenly (7 over 3 zones is 3, 2, 2); while a zone is
/// down its instances are replaced in the others; when it returns the group rebalances,
/// launching there first and then terminating in the most crowded zone.
#[test]
fn auto_scaling_groups_balance_zones_and_rebalance_after_an_outage() {
    let text = r#"
name: asg-balance
duration: 4h
cluster:
  availabilityZones: [a, b, c]
  autoScalingGroups:
    - {name: g, instanceType: m5.large, desiredCapacity: 7, replacementDelay: 3m}
faults:
  - {kind: zoneOutage, availabilityZone: a, at: 1h, duration: 1h}
"#;
    let files = outputs(&scenario(text), 1);
    let instances = csv_rows(&files, "instances.csv");
    let live_at = |ms: u64| {
        let mut per_zone = BTreeMap::<String, usize>::new();
        for row in &instances {
            let registered = row.time_ms("registeredAt").unwrap();
            let gone = row.time_ms("deregisteredAt").unwrap_or(u64::MAX);
            if registered <= ms && ms < gone {
                *per_zone
                    .entry(row.get("availabilityZone").to_string())
                    .or_default() += 1;
            }
        }
        per_zone.into_iter().collect::<Vec<_>>()
    };
    let zones = |a, b, c| {
        vec![
            ("a".to_string(), a),
            ("b".to_string(), b),
            ("c".to_string(), c),
        ]
    };
    assert_eq!(live_at(0), zones(3, 2, 2));
    // During the outage the three lost instances come back in b and c, evenly.
    assert_eq!(live_at(90 * 60_000)[..], zones(0, 4, 3)[1..]);
    // After it, the group is balanced again (no zone more than one instance above another,
    // which is all EC2 Auto Scaling's AZ balance asks for), and every termination after the
    // outage is a rebalance that followed a launch in zone a.
    let end: Vec<usize> = live_at(4 * 3_600_000 - 1)
        .into_iter()
        .map(|(_, n)| n)
        .collect();
    assert_eq!(end.len(), 3);
    assert_eq!(end.iter().sum::<usize>(), 7);
    assert!(
        end.iter().max().unwrap() - end.iter().min().unwrap() <= 1,
        "{end:?}"
    );
    let rebalanced: Vec<&Row> = instances
        .iter()
        .filter(|i| i.get("reason") == "azRebalance")
        .collect();
    assert_eq!(
        rebalanced.len(),
        2,
        "a: 0 -> 2 takes two launch-then-terminate rounds"
    );
    for row in &rebalanced {
        assert_ne!(row.get("availabilityZone"), "a");
        let at = row.time_ms("deregisteredAt").unwrap();
        assert!(instances
            .iter()
            .any(|i| i.get("availabilityZone") == "a" && i.time_ms("registeredAt") == Some(at)));
    }
}

/// The contract: fixed `instances` are never replaced; their service tasks move to the
/// instances left (ECS.md §5.3).
#[test]
fn fixed_instances_are_never_replaced() {
    let text = r#"
name: fixed
duration: 2h
cluster:
  availabilityZones: [a, b]
  instances:
    - {instanceId: i-a, instanceType: m5.large, availabilityZone: a}
    - {instanceId: i-b, instanceType: m5.large, availabilityZone: b}
taskDefinitions:
  - family: web
    containerDefinitions: [{name: app, cpu: 256, memory: 256}]
services:
  - {serviceName: web, taskDefinition: web, desiredCount: 4}
faults:
  - {kind: instanceFailure, at: 30m, target: {instanceId: i-a}}
"#;
    let files = outputs(&scenario(text), 1);
    let instances = csv_rows(&files, "instances.csv");
    assert_eq!(instances.len(), 2, "no replacement registered");
    let running: Vec<Row> = csv_rows(&files, "tasks.csv")
        .into_iter()
        .filter(|t| t.get("lastStatus") == "RUNNING")
        .collect();
    assert_eq!(running.len(), 4);
    assert!(running.iter().all(|t| t.get("instanceId") == "i-b"));
}

/// ECS.md §1.3: `registeredAt` compares an instance's registration time with a date. The
/// run's clock starts at `parameters.startTime`, so a date five minutes past it keeps the
/// instance registered at the start and admits the Auto Scaling group's replacement, which
/// registered at 15 minutes.
#[test]
fn registered_at_dates_read_the_runs_clock() {
    let scenario = crate::support::scenario(
        "name: registered-at
duration: 2h
parameters: {startTime: \"2026-03-01T00:00:00Z\"}
cluster:
  availabilityZones: [us-east-1a]
  autoScalingGroups:
    - {name: asg, instanceType: m5.large, desiredCapacity: 1, replacementDelay: 5m}
  instances:
    - {instanceId: i-old, instanceType: m5.large, availabilityZone: us-east-1a}
taskDefinitions:
  - family: job
    containerDefinitions: [{name: job, image: job, cpu: 256, memory: 256}]
runTasks:
  - taskDefinition: job
    at: 1h
    count: 2
    placementConstraints:
      - {type: memberOf, expression: \"registeredAt >= 2026-03-01T00:05:00Z\"}
faults:
  - {kind: instanceFailure, at: 10m, target: {autoScalingGroup: asg}}
",
    );
    let files = crate::support::outputs(&scenario, 1);
    let instances = crate::support::csv_rows(&files, "instances.csv");
    let replacement = instances
        .iter()
        .find(|row| row.get("autoScalingGroup") == "asg" && row.get("deregisteredAt").is_empty())
        .expect("the group replaced its instance");
    assert_eq!(replacement.get("registeredAt"), "900.000");
    let tasks = crate::support::csv_rows(&files, "tasks.csv");
    assert_eq!(tasks.len(), 2);
    for task in &tasks {
        assert_eq!(task.get("instanceId"), replacement.get("instanceId"));
    }
}
