//! The service lifecycle (ECS.md §3-§5): deployments, health, load balancers, the circuit
//! breaker, the throttle, scale-in, draining, DAEMON services, scheduled tasks, Spot
//! interruptions and agent disconnects, each checked on the rows a run writes.

use crate::support::{csv_rows, outputs, scenario, Row};

/// One zone of three m5.large (2048 CPU units, 7987 MiB each) and whatever `rest` adds.
fn cluster(duration: &str, rest: &str) -> String {
    format!(
        r#"
name: lifecycle
duration: {duration}
cluster:
  availabilityZones: [a, b]
  autoScalingGroups:
    - {{name: nodes, instanceType: m5.large, desiredCapacity: 4, replacementDelay: 2m}}
{rest}"#
    )
}

/// Revisions 1 and 2 of `web`: 256 CPU units, 512 MiB, 10 s to start, 2 s to stop.
const WEB_TWO_REVISIONS: &str = r#"
taskDefinitions:
  - family: web
    containerDefinitions: [{name: app, image: web:1, cpu: 256, memory: 512, portMappings: [{containerPort: 80}]}]
    simulation: {startupTime: 10s, shutdownTime: 2s}
  - family: web
    containerDefinitions: [{name: app, image: web:2, cpu: 256, memory: 512, portMappings: [{containerPort: 80}]}]
    simulation: {startupTime: 10s, shutdownTime: 2s}
"#;

fn rows(text: &str, file: &str) -> Vec<Row> {
    csv_rows(&outputs(&scenario(text), 1), file)
}

fn all(text: &str) -> Vec<(&'static str, Vec<u8>)> {
    outputs(&scenario(text), 1)
}

pub(crate) fn events_of<'a>(events: &'a [Row], kind: &str) -> Vec<&'a Row> {
    events
        .iter()
        .filter(|row| row.get("kind") == kind)
        .collect()
}

/// Tasks of `service` whose lifespan [createdAt, stoppedAt) covers `at` (ms), counted by
/// task definition.
fn alive_at(tasks: &[Row], at: u64, definition: &str) -> usize {
    tasks
        .iter()
        .filter(|t| t.get("taskDefinition") == definition)
        .filter(|t| t.time_ms("createdAt").unwrap() <= at)
        .filter(|t| t.time_ms("stoppedAt").is_none_or(|stopped| stopped > at))
        .count()
}

/// ECS.md §4.2-§4.4: with the defaults (minimum 100 %, maximum 200 %), a new revision's
/// tasks start first, up to twice the desired count; old ones stop only once new ones
/// count as healthy (40 s after RUNNING without health checks); the deployment is
/// COMPLETED at steady state and the old one INACTIVE.
#[test]
fn rolling_update_starts_new_tasks_first_and_completes() {
    let text = cluster(
        "1h",
        &format!(
            "{WEB_TWO_REVISIONS}services:
  - {{serviceName: web, taskDefinition: 'web:1', desiredCount: 4}}
actions:
  - {{at: 10m, updateService: {{service: web, taskDefinition: 'web:2'}}}}
"
        ),
    );
    let files = all(&text);
    let tasks = csv_rows(&files, "tasks.csv");
    let deployments = csv_rows(&files, "deployments.csv");
    assert_eq!(deployments.len(), 2);
    assert_eq!(deployments[0].get("rolloutState"), "COMPLETED");
    assert_eq!(deployments[0].get("status"), "INACTIVE");
    assert_eq!(deployments[1].get("taskDefinition"), "web:2");
    assert_eq!(deployments[1].get("rolloutState"), "COMPLETED");
    assert_eq!(deployments[1].get("status"), "PRIMARY");
    let v2: Vec<&Row> = tasks
        .iter()
        .filter(|t| t.get("taskDefinition") == "web:2")
        .collect();
    assert_eq!(v2.len(), 4, "four new tasks");
    assert!(
        v2.iter().all(|t| t.time_ms("createdAt") == Some(600_000)),
        "all four at once (200 %)"
    );
    // No old task stops before the new ones are healthy: RUNNING at 10m10s, healthy 40 s later.
    let first_old_stop = tasks
        .iter()
        .filter(|t| t.get("taskDefinition") == "web:1")
        .filter_map(|t| t.time_ms("stoppedAt"))
        .min()
        .unwrap();
    assert!(
        first_old_stop >= 650_000,
        "old tasks stop only after 10m50s: {first_old_stop}"
    );
    for t in tasks.iter().filter(|t| t.get("taskDefinition") == "web:1") {
        assert_eq!(t.get("stopCode"), "ServiceSchedulerInitiated");
        assert!(t
            .get("stoppedReason")
            .starts_with("Scaling activity initiated by (deployment ecs-svc/"));
    }
    // Never more than 8 tasks (200 % of 4), never fewer than 4 running.
    for at in (0..3_600_000).step_by(1000) {
        let alive = alive_at(&tasks, at, "web:1") + alive_at(&tasks, at, "web:2");
        assert!(alive <= 8, "{alive} tasks at {at}");
    }
    let events = csv_rows(&files, "events.csv");
    assert!(events_of(&events, "ServiceEvent")
        .iter()
        .any(|e| e.get("detail").ends_with("deployment completed.")
            && e.get("detail").contains(deployments[1].get("id"))));
}

/// ECS.md §4.2's worked example: minimum 50 % of 4 lets the scheduler stop 2 old tasks before
/// starting any; maximum 100 % lets it start only as many as have stopped.
#[test]
fn minimum_50_stops_two_before_starting() {
    let text = cluster(
        "1h",
        &format!(
            "{WEB_TWO_REVISIONS}services:
  - {{serviceName: web, taskDefinition: 'web:1', desiredCount: 4,
      deploymentConfiguration: {{minimumHealthyPercent: 50, maximumPercent: 100}}}}
actions:
  - {{at: 10m, updateService: {{service: web, taskDefinition: 'web:2'}}}}
"
        ),
    );
    let tasks = rows(&text, "tasks.csv");
    let stopped_at_update = tasks
        .iter()
        .filter(|t| t.get("taskDefinition") == "web:1")
        .filter(|t| t.time_ms("stoppedAt").is_some_and(|at| at <= 602_000))
        .count();
    assert_eq!(stopped_at_update, 2, "two old tasks stop at once");
    for at in (0..3_600_000).step_by(1000) {
        let alive = alive_at(&tasks, at, "web:1") + alive_at(&tasks, at, "web:2");
        assert!(alive <= 4, "maximumPercent 100: {alive} tasks at {at}");
    }
    assert_eq!(alive_at(&tasks, 3_599_000, "web:2"), 4);
    assert_eq!(alive_at(&tasks, 3_599_000, "web:1"), 0);
}

/// ECS.md §4.2, §5.2: with 100 % and 100 % the scheduler can neither stop nor start, so a
/// drained instance keeps its tasks and ECS says why, in its words.
#[test]
fn blocked_deployment_configuration_is_reported_in_ecs_words() {
    let text = cluster(
        "1h",
        &format!(
            "{WEB_TWO_REVISIONS}services:
  - {{serviceName: web, taskDefinition: 'web:1', desiredCount: 4,
      deploymentConfiguration: {{minimumHealthyPercent: 100, maximumPercent: 100}}}}
actions:
  - {{at: 10m, drainInstances: {{availabilityZone: a}}}}
"
        ),
    );
    let files = all(&text);
    let events = csv_rows(&files, "events.csv");
    let blocked: Vec<_> = events_of(&events, "ServiceEvent")
        .into_iter()
        .filter(|e| e.get("detail").contains("was unable to stop or start tasks during a deployment because of the service deployment configuration"))
        .collect();
    assert_eq!(blocked.len(), 1, "said once");
    assert!(blocked[0].get("detail").starts_with("(service web) "));
    let tasks = csv_rows(&files, "tasks.csv");
    assert_eq!(tasks.len(), 4, "nothing stopped, nothing started");
}

/// ECS.md §5.2: a DRAINING instance gets no new task; its service tasks are replaced
/// elsewhere (start-first with maximum 200 %); standalone tasks run on.
#[test]
fn draining_replaces_service_tasks_and_leaves_standalone_ones() {
    let text = cluster(
        "2h",
        &format!(
            "{WEB_TWO_REVISIONS}services:
  - {{serviceName: web, taskDefinition: 'web:1', desiredCount: 4}}
runTasks:
  - {{taskDefinition: 'web:1', count: 4, at: 1m, group: batch}}
actions:
  - {{at: 10m, drainInstances: {{availabilityZone: a}}}}
"
        ),
    );
    let files = all(&text);
    let tasks = csv_rows(&files, "tasks.csv");
    let instances = csv_rows(&files, "instances.csv");
    let drained: Vec<&str> = instances
        .iter()
        .filter(|i| i.get("availabilityZone") == "a")
        .map(|i| i.get("instanceId"))
        .collect();
    for t in &tasks {
        if drained.contains(&t.get("instanceId")) {
            assert!(
                t.time_ms("createdAt").unwrap() < 600_000,
                "{} placed on a DRAINING instance",
                t.get("taskId")
            );
            if t.get("group") == "family:web" || t.get("group") == "batch" {
                assert_eq!(
                    t.get("lastStatus"),
                    "RUNNING",
                    "standalone tasks are not stopped"
                );
            } else {
                assert_eq!(t.get("lastStatus"), "STOPPED", "service tasks are replaced");
            }
        }
    }
    let running_service = tasks
        .iter()
        .filter(|t| t.get("service") == "web" && t.get("lastStatus") == "RUNNING")
        .count();
    assert_eq!(running_service, 4);
}

/// ECS.md §4.5: tasks of the new revision fail to start; at the threshold (clamp(ceil(4/2),
/// 3, 200) = 3) the deployment FAILED and the circuit breaker rolls back to the last
/// COMPLETED deployment, which completes.
#[test]
fn circuit_breaker_fails_the_deployment_and_rolls_back() {
    let text = cluster(
        "2h",
        r#"
taskDefinitions:
  - family: web
    containerDefinitions: [{name: app, cpu: 256, memory: 512}]
    simulation: {startupTime: 10s}
  - family: web
    containerDefinitions: [{name: app, cpu: 256, memory: 512}]
    simulation: {startupTime: 10s, startFailure: "CannotPullContainerError: web:broken not found"}
services:
  - serviceName: web
    taskDefinition: 'web:1'
    desiredCount: 4
    deploymentConfiguration: {deploymentCircuitBreaker: {enable: true, rollback: true}}
actions:
  - {at: 10m, updateService: {service: web, taskDefinition: 'web:2'}}
"#,
    );
    let files = all(&text);
    let deployments = csv_rows(&files, "deployments.csv");
    assert_eq!(deployments.len(), 3, "{deployments:?}");
    assert_eq!(deployments[1].get("rolloutState"), "FAILED");
    assert_eq!(
        deployments[1].get("reason"),
        "ECS deployment circuit breaker: tasks failed to start."
    );
    assert_eq!(deployments[2].get("taskDefinition"), "web:1");
    assert_eq!(deployments[2].get("rollbackOf"), deployments[1].get("id"));
    assert_eq!(deployments[2].get("rolloutState"), "COMPLETED");
    let tasks = csv_rows(&files, "tasks.csv");
    let failed: Vec<&Row> = tasks
        .iter()
        .filter(|t| t.get("taskDefinition") == "web:2")
        .collect();
    // All four were launched at once (200 %) and all fail; the third reached the threshold.
    assert_eq!(failed.len(), 4);
    for t in &failed {
        assert_eq!(t.get("stopCode"), "TaskFailedToStart");
        assert_eq!(
            t.get("stoppedReason"),
            "CannotPullContainerError: web:broken not found"
        );
        assert_eq!(t.get("startedAt"), "", "never RUNNING");
    }
    // The old tasks kept running throughout (minimum 100 %).
    assert_eq!(alive_at(&tasks, 7_000_000, "web:1"), 4);
}

/// ECS.md §4.9: tasks that never reach RUNNING are relaunched after growing gaps (10 s,
/// 20 s, 40 s, ... at most 15 min, A9), and ECS reports it once.
#[test]
fn throttle_spaces_out_failing_launches() {
    let text = cluster(
        "3h",
        r#"
taskDefinitions:
  - family: bad
    containerDefinitions: [{name: app, cpu: 256, memory: 512}]
    simulation: {startupTime: 5s, startFailure: "CannotPullContainerError: nope"}
services:
  - {serviceName: bad, taskDefinition: bad, desiredCount: 1}
"#,
    );
    let files = all(&text);
    let tasks = csv_rows(&files, "tasks.csv");
    let created: Vec<u64> = tasks
        .iter()
        .map(|t| t.time_ms("createdAt").unwrap())
        .collect();
    let gaps: Vec<u64> = created.windows(2).map(|w| (w[1] - w[0]) / 1000).collect();
    // Each failure is at +5 s; the next launch waits 10 s x 2^(n-1) after it.
    assert_eq!(&gaps[..6], &[15, 25, 45, 85, 165, 325], "{gaps:?}");
    assert!(
        gaps.iter().all(|&g| g <= 905),
        "at most 15 min between attempts: {gaps:?}"
    );
    assert!(gaps.iter().rev().take(3).all(|&g| g == 905), "{gaps:?}");
    let events = csv_rows(&files, "events.csv");
    let throttled = events_of(&events, "ServiceEvent")
        .into_iter()
        .filter(|e| {
            e.get("detail") == "(service bad) is unable to consistently start tasks successfully."
        })
        .count();
    assert_eq!(throttled, 1);
}

/// ECS.md §3.3, §4.7: a task registered with a target group stops one deregistration delay
/// after the decision (DEACTIVATING), then within its stop timeout; one without a load
/// balancer goes straight to STOPPING.
#[test]
fn registered_tasks_drain_for_the_deregistration_delay() {
    let text = cluster(
        "1h",
        r#"
targetGroups:
  - {name: web-tg, deregistrationDelay: 60s}
taskDefinitions:
  - family: web
    containerDefinitions: [{name: app, cpu: 256, memory: 512, portMappings: [{containerPort: 80}]}]
    simulation: {startupTime: 10s, shutdownTime: 3s}
services:
  - serviceName: lb
    taskDefinition: web
    desiredCount: 1
    loadBalancers: [{targetGroupArn: web-tg, containerName: app, containerPort: 80}]
  - {serviceName: plain, taskDefinition: web, desiredCount: 1}
actions:
  - {at: 10m, stopTask: {service: lb}}
  - {at: 10m, stopTask: {service: plain}}
"#,
    );
    let files = all(&text);
    let tasks = csv_rows(&files, "tasks.csv");
    let stopped = |service: &str| {
        tasks
            .iter()
            .find(|t| t.get("service") == service && t.get("lastStatus") == "STOPPED")
            .unwrap()
    };
    assert_eq!(
        stopped("lb").time_ms("stoppedAt"),
        Some(600_000 + 60_000 + 3_000)
    );
    assert_eq!(stopped("plain").time_ms("stoppedAt"), Some(600_000 + 3_000));
    for service in ["lb", "plain"] {
        assert_eq!(stopped(service).get("stopCode"), "UserInitiated");
        assert_eq!(
            stopped(service).get("stoppedReason"),
            "Task stopped by user"
        );
    }
    let events = csv_rows(&files, "events.csv");
    assert_eq!(events_of(&events, "TaskDeactivating").len(), 1);
    assert_eq!(
        events_of(&events, "TaskActivating").len(),
        2,
        "the lb task and its replacement"
    );
}

/// ECS.md §4.7, §4.8, §4.6: a target that fails its health checks is replaced, the
/// replacement started first; failures inside the grace period are ignored.
#[test]
fn unhealthy_targets_are_replaced_after_the_grace_period() {
    let text = cluster(
        "1h",
        r#"
targetGroups:
  - {name: web-tg, healthCheckIntervalSeconds: 10, unhealthyThresholdCount: 3, healthCheckTimeoutSeconds: 5, deregistrationDelay: 0s}
taskDefinitions:
  - family: web
    containerDefinitions: [{name: app, cpu: 256, memory: 512, portMappings: [{containerPort: 80}]}]
    simulation: {startupTime: 10s, shutdownTime: 1s, unhealthyAfter: {fixed: 5m}}
services:
  - serviceName: web
    taskDefinition: web
    desiredCount: 1
    healthCheckGracePeriodSeconds: 600
    loadBalancers: [{targetGroupArn: web-tg, containerName: app, containerPort: 80}]
"#,
    );
    let files = all(&text);
    let tasks = csv_rows(&files, "tasks.csv");
    let first = &tasks[0];
    // RUNNING at 10 s; checks every 10 s fail from 5 min; the third failing one (at 5m20s)
    // concludes after its 5 s timeout; the grace period (600 s) ends later, at 10m10s.
    assert_eq!(
        first.get("stoppedReason"),
        "Task failed ELB health checks in (target-group web-tg)"
    );
    assert_eq!(first.get("stopCode"), "ServiceSchedulerInitiated");
    let replacement = &tasks[1];
    assert_eq!(
        replacement.time_ms("createdAt"),
        Some(610_000 + 10_000),
        "started at the next pass"
    );
    // Stopped once its replacement counted healthy (one passing check, 10 s after RUNNING).
    assert!(
        first.time_ms("stoppedAt").unwrap() >= replacement.time_ms("startedAt").unwrap() + 10_000
    );
}

/// ECS.md §1.6: scale-in with no strategy stops tasks in the zone with the most of the
/// service's tasks, keeping the zones balanced.
#[test]
fn scale_in_keeps_zones_balanced() {
    let text = cluster(
        "1h",
        &format!(
            "{WEB_TWO_REVISIONS}services:
  - {{serviceName: web, taskDefinition: 'web:1', desiredCount: 6}}
actions:
  - {{at: 10m, updateService: {{service: web, desiredCount: 2}}}}
"
        ),
    );
    let tasks = rows(&text, "tasks.csv");
    let mut zones = std::collections::BTreeMap::new();
    for t in tasks.iter().filter(|t| t.get("lastStatus") == "RUNNING") {
        *zones
            .entry(t.get("availabilityZone").to_string())
            .or_insert(0) += 1;
    }
    assert_eq!(zones.values().copied().collect::<Vec<_>>(), vec![1, 1]);
    let stopped: Vec<&Row> = tasks
        .iter()
        .filter(|t| t.get("lastStatus") == "STOPPED")
        .collect();
    assert_eq!(stopped.len(), 4);
    assert!(stopped
        .iter()
        .all(|t| t.time_ms("stoppedAt").unwrap() <= 600_000 + 2_000));
}

/// ECS.md §4.1: a DAEMON service runs one task on every ACTIVE instance, including ones
/// that register later, before replica tasks are placed there.
#[test]
fn daemon_runs_one_task_per_instance() {
    let text = cluster(
        "2h",
        r#"
taskDefinitions:
  - family: agent
    containerDefinitions: [{name: agent, cpu: 128, memory: 128}]
    simulation: {startupTime: 5s}
  - family: web
    containerDefinitions: [{name: app, cpu: 256, memory: 512}]
    simulation: {startupTime: 5s}
services:
  - {serviceName: agent, taskDefinition: agent, schedulingStrategy: DAEMON}
  - {serviceName: web, taskDefinition: web, desiredCount: 4}
faults:
  - {kind: instanceFailure, at: 30m, count: 1}
actions:
  - {at: 1h, setDesiredCapacity: {autoScalingGroup: nodes, desiredCapacity: 6}}
"#,
    );
    let files = all(&text);
    let tasks = csv_rows(&files, "tasks.csv");
    let instances = csv_rows(&files, "instances.csv");
    for instance in instances
        .iter()
        .filter(|i| i.get("deregisteredAt").is_empty())
    {
        let daemons: Vec<&Row> = tasks
            .iter()
            .filter(|t| {
                t.get("service") == "agent" && t.get("instanceId") == instance.get("instanceId")
            })
            .collect();
        assert_eq!(daemons.len(), 1, "{}", instance.get("instanceId"));
        assert_eq!(
            daemons[0].time_ms("createdAt"),
            instance.time_ms("registeredAt"),
            "placed as it registers"
        );
    }
    assert_eq!(
        instances
            .iter()
            .filter(|i| i.get("deregisteredAt").is_empty())
            .count(),
        6
    );
}

/// EventBridge schedules (ECS.md §6.3): `rate(30 minutes)` fires every 30 minutes from the
/// rule's creation; `cron(0 * * * ? *)` at the top of every hour (UTC, from
/// `parameters.startTime`).
#[test]
fn scheduled_tasks_run_on_their_schedule() {
    let text = cluster(
        "3h",
        r#"
parameters: {startTime: "2026-01-01T00:15:00Z"}
taskDefinitions:
  - family: report
    containerDefinitions: [{name: app, cpu: 128, memory: 128}]
    simulation: {startupTime: 1s, runtime: {fixed: 1m}}
  - family: hourly
    containerDefinitions: [{name: app, cpu: 128, memory: 128}]
    simulation: {startupTime: 1s, runtime: {fixed: 1m}}
scheduledTasks:
  - {taskDefinition: report, schedule: "rate(30 minutes)"}
  - {taskDefinition: hourly, schedule: "cron(0 * * * ? *)", count: 2}
"#,
    );
    let tasks = rows(&text, "tasks.csv");
    let created = |family: &str| -> Vec<u64> {
        tasks
            .iter()
            .filter(|t| t.get("group") == format!("family:{family}"))
            .map(|t| t.time_ms("createdAt").unwrap() / 1000)
            .collect()
    };
    assert_eq!(created("report"), vec![1800, 3600, 5400, 7200, 9000, 10800]);
    // 00:15 start: the top of the hour is 45 min in, then every hour.
    assert_eq!(created("hourly"), vec![2700, 2700, 6300, 6300, 9900, 9900]);
}

/// ECS.md §5.4: a Spot notice drains the instance when the group enables it, the service's
/// tasks are replaced during the two minutes, and the instance is lost at the end of them.
#[test]
fn spot_interruption_drains_then_reclaims() {
    let text = format!(
        r#"
name: spot
duration: 1h
cluster:
  availabilityZones: [a]
  autoScalingGroups:
    - {{name: spot, instanceType: m5.large, desiredCapacity: 2, replacementDelay: 3m, spotInstanceDraining: true}}
{WEB_TWO_REVISIONS}services:
  - {{serviceName: web, taskDefinition: 'web:1', desiredCount: 2}}
faults:
  - {{kind: spotInterruption, at: 10m, target: {{autoScalingGroup: spot}}, count: 1}}
"#
    );
    let files = all(&text);
    let instances = csv_rows(&files, "instances.csv");
    let lost: Vec<&Row> = instances
        .iter()
        .filter(|i| i.get("reason") == "spotInterruption")
        .collect();
    assert_eq!(lost.len(), 1);
    assert_eq!(lost[0].time_ms("deregisteredAt"), Some(720_000));
    let tasks = csv_rows(&files, "tasks.csv");
    // Its task was replaced on the other instance during the notice, and stopped by the
    // scheduler (not killed with the host) once the replacement counted healthy... or at
    // the latest when the instance went.
    let on_lost: Vec<&Row> = tasks
        .iter()
        .filter(|t| t.get("instanceId") == lost[0].get("instanceId"))
        .collect();
    assert!(on_lost
        .iter()
        .all(|t| t.time_ms("stoppedAt").unwrap() <= 720_000));
    let replacement = tasks
        .iter()
        .filter(|t| t.time_ms("createdAt").unwrap() >= 600_000)
        .min_by_key(|t| t.time_ms("createdAt"))
        .unwrap();
    assert!(
        replacement.time_ms("createdAt").unwrap() < 720_000,
        "replaced during the notice"
    );
    let events = csv_rows(&files, "events.csv");
    assert_eq!(events_of(&events, "SpotInterruptionNotice").len(), 1);
    assert_eq!(
        events_of(&events, "InstanceDraining")[0].get("detail"),
        "spotInterruption"
    );
}

/// ECS.md §5.3 (A16): when an agent disconnects, its tasks are neither stopped nor
/// replaced, and it takes no new task until it reconnects.
#[test]
fn agent_disconnect_neither_stops_nor_replaces() {
    let text = cluster(
        "1h",
        &format!(
            "{WEB_TWO_REVISIONS}services:
  - {{serviceName: web, taskDefinition: 'web:1', desiredCount: 4}}
faults:
  - {{kind: agentDisconnect, at: 10m, target: {{autoScalingGroup: nodes}}, count: 1, duration: 20m}}
actions:
  - {{at: 15m, updateService: {{service: web, desiredCount: 8}}}}
"
        ),
    );
    let files = all(&text);
    let tasks = csv_rows(&files, "tasks.csv");
    assert!(tasks.iter().all(|t| t.get("lastStatus") == "RUNNING"));
    let events = csv_rows(&files, "events.csv");
    let disconnected = events_of(&events, "AgentDisconnected")[0]
        .get("subject")
        .to_string();
    assert_eq!(
        events_of(&events, "AgentReconnected")[0].time_ms("time"),
        Some(1_800_000)
    );
    assert!(tasks
        .iter()
        .filter(|t| t.get("instanceId") == disconnected)
        .all(|t| {
            let at = t.time_ms("createdAt").unwrap();
            !(600_000..1_800_000).contains(&at)
        }));
    assert_eq!(tasks.len(), 8);
}

/// ECS.md §2.4: a reserved host port is refused at placement with RESOURCE:PORTS; and an
/// essential container's `exitCode` lands in its task's row.
#[test]
fn reserved_ports_fail_placement_and_exit_codes_are_written() {
    let text = cluster(
        "1h",
        r#"
taskDefinitions:
  - family: ssh
    networkMode: host
    containerDefinitions: [{name: app, cpu: 128, memory: 128, portMappings: [{containerPort: 22, hostPort: 22}]}]
  - family: job
    containerDefinitions: [{name: app, cpu: 128, memory: 128}]
    simulation: {startupTime: 1s, runtime: {fixed: 1m}, exitCode: 3}
runTasks:
  - {taskDefinition: ssh, count: 1, at: 1m}
  - {taskDefinition: job, count: 1, at: 1m}
"#,
    );
    let files = all(&text);
    let failures = csv_rows(&files, "placement_failures.csv");
    assert_eq!(failures.len(), 1);
    assert_eq!(failures[0].get("reason"), "RESOURCE:PORTS");
    let tasks = csv_rows(&files, "tasks.csv");
    assert_eq!(tasks.len(), 1);
    assert_eq!(tasks[0].get("exitCode"), "3");
    assert_eq!(tasks[0].get("stopCode"), "EssentialContainerExited");
}

/// EC2 Auto Scaling with managed draining: lowering the desired capacity drains the
/// instances it terminates first; their service tasks are replaced before they go.
#[test]
fn scale_in_with_managed_draining_replaces_tasks_first() {
    let text = format!(
        r#"
name: managed
duration: 1h
cluster:
  availabilityZones: [a, b]
  autoScalingGroups:
    - {{name: nodes, instanceType: m5.large, desiredCapacity: 4, managedDraining: true}}
{WEB_TWO_REVISIONS}services:
  - {{serviceName: web, taskDefinition: 'web:1', desiredCount: 4}}
actions:
  - {{at: 10m, setDesiredCapacity: {{autoScalingGroup: nodes, desiredCapacity: 2}}}}
"#
    );
    let files = all(&text);
    let instances = csv_rows(&files, "instances.csv");
    let gone: Vec<&Row> = instances
        .iter()
        .filter(|i| i.get("reason") == "scaleIn")
        .collect();
    assert_eq!(gone.len(), 2);
    let tasks = csv_rows(&files, "tasks.csv");
    for instance in &gone {
        let left = instance.time_ms("deregisteredAt").unwrap();
        assert!(left > 600_000, "drained first, then terminated");
        for t in tasks
            .iter()
            .filter(|t| t.get("instanceId") == instance.get("instanceId"))
        {
            assert!(t.time_ms("stoppedAt").unwrap() <= left);
            assert_eq!(t.get("stopCode"), "ServiceSchedulerInitiated");
        }
    }
    assert_eq!(
        tasks
            .iter()
            .filter(|t| t.get("lastStatus") == "RUNNING")
            .count(),
        4
    );
}

/// The healthy-target figures (ECS.md §4.7): a target counts from its first passing check
/// (A13) until it is deregistered; `services.csv` reports their time-weighted mean and
/// minimum over the measured window.
#[test]
fn healthy_targets_are_figures() {
    let text = cluster(
        "1h",
        r#"
targetGroups:
  - {name: web-tg, healthCheckIntervalSeconds: 10, deregistrationDelay: 0s}
taskDefinitions:
  - family: web
    containerDefinitions: [{name: app, cpu: 256, memory: 512, portMappings: [{containerPort: 80}]}]
    simulation: {startupTime: 10s, shutdownTime: 0s}
services:
  - serviceName: web
    taskDefinition: web
    desiredCount: 2
    loadBalancers: [{targetGroupArn: "arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/web-tg/1", containerName: app, containerPort: 80}]
  - {serviceName: plain, taskDefinition: web, desiredCount: 1}
actions:
  - {at: 30m, stopTask: {service: web, count: 1}}
"#,
    );
    // RUNNING at 10 s, healthy targets from 20 s; one target lost from 30m until its
    // replacement's first passing check: one scheduler interval (10 s) + 10 s start + 10 s
    // check later. Measured from the start, the first 20 s count with no target.
    let services = rows(&text, "services.csv");
    let web = &services[0];
    assert_eq!(web.get("steadyAt"), "10.000");
    assert_eq!(web.get("minHealthyTargets"), "0");
    let mean: f64 = web.get("meanHealthyTargets").parse().unwrap();
    let expected = 2.0 - (2.0 * 20.0 + 30.0) / 3_600.0;
    assert!((mean - expected).abs() < 1e-6, "{mean} vs {expected}");
    assert_eq!(
        services[1].get("meanHealthyTargets"),
        "",
        "no load balancer"
    );
    // Measured from a one-minute warmup: at least one target throughout.
    let services = rows(&format!("{text}metrics: {{warmup: 1m}}\n"), "services.csv");
    let web = &services[0];
    assert_eq!(
        web.get("steadyAt"),
        "10.000",
        "steadyAt does not depend on the window"
    );
    assert_eq!(web.get("minHealthyTargets"), "1");
    let mean: f64 = web.get("meanHealthyTargets").parse().unwrap();
    let expected = 2.0 - 30.0 / (3_600.0 - 60.0);
    assert!((mean - expected).abs() < 1e-6, "{mean} vs {expected}");
}

/// ECS.md §3.5, §4.4: with a container health check, a task counts as healthy after its
/// first passing check, and one failing `retries` checks in a row is stopped and replaced
/// ("Failed container health checks").
#[test]
fn container_health_checks_replace_unhealthy_tasks() {
    let text = cluster(
        "30m",
        r#"
taskDefinitions:
  - family: web
    containerDefinitions:
      - {name: app, cpu: 256, memory: 512,
         healthCheck: {command: [CMD-SHELL, "curl -f localhost"], interval: 10, timeout: 5, retries: 3}}
    simulation: {startupTime: 10s, shutdownTime: 0s, unhealthyAfter: {fixed: 2m}}
services:
  - {serviceName: web, taskDefinition: web, desiredCount: 1}
"#,
    );
    let tasks = rows(&text, "tasks.csv");
    let first = &tasks[0];
    assert_eq!(
        first.get("stoppedReason"),
        "Task failed container health checks"
    );
    // RUNNING at 10 s; checks at 10 s intervals fail from 2 min; the third failing one
    // (at 2m20s) times out after 5 s: unhealthy at 10 + 145 s. Its replacement starts one
    // interval later and counts healthy 10 s after RUNNING, when the old one stops.
    let replacement = &tasks[1];
    assert_eq!(replacement.time_ms("createdAt"), Some(165_000));
    assert_eq!(first.time_ms("stoppedAt"), Some(165_000 + 10_000 + 10_000));
}

/// ECS.md §4.5 stage 2: once a task of the deployment ran, failed health checks count; at
/// the threshold the deployment FAILED and rolls back.
#[test]
fn circuit_breaker_counts_failed_health_checks_in_stage_two() {
    let text = cluster(
        "2h",
        r#"
taskDefinitions:
  - family: web
    containerDefinitions:
      - {name: app, cpu: 256, memory: 512, healthCheck: {command: [CMD, ok], interval: 10, retries: 1}}
    simulation: {startupTime: 5s, shutdownTime: 0s}
  - family: web
    containerDefinitions:
      - {name: app, cpu: 256, memory: 512, healthCheck: {command: [CMD, ok], interval: 10, retries: 1}}
    simulation: {startupTime: 5s, shutdownTime: 0s, unhealthyAfter: {fixed: 0s}}
services:
  - serviceName: web
    taskDefinition: 'web:1'
    desiredCount: 2
    deploymentConfiguration: {deploymentCircuitBreaker: {enable: true, rollback: true}}
actions:
  - {at: 10m, updateService: {service: web, taskDefinition: 'web:2'}}
"#,
    );
    let deployments = rows(&text, "deployments.csv");
    assert_eq!(deployments.len(), 3, "{deployments:?}");
    assert_eq!(deployments[1].get("rolloutState"), "FAILED");
    assert_eq!(
        deployments[1].get("reason"),
        "ECS deployment circuit breaker: tasks failed health checks."
    );
    assert_eq!(deployments[2].get("rolloutState"), "COMPLETED");
    assert_eq!(deployments[2].get("taskDefinition"), "web:1");
}

/// ECS.md §1.6: `binpack` scale-in stops tasks on the instance with the most of its resource
/// left; `spread(instanceId)` on the instance with the most of the service's tasks.
#[test]
fn scale_in_follows_the_strategy() {
    for (strategy, check) in [
        ("[{type: binpack, field: memory}]", "binpack"),
        ("[{type: spread, field: instanceId}]", "spread"),
    ] {
        let text = format!(
            r#"
name: scale-in
duration: 30m
cluster:
  availabilityZones: [a]
  instances: [{{instanceType: m5.large, availabilityZone: a, count: 2}}]
taskDefinitions:
  - family: web
    containerDefinitions: [{{name: app, cpu: 128, memory: 1024}}]
    simulation: {{startupTime: 1s, shutdownTime: 0s}}
  - family: big
    containerDefinitions: [{{name: app, cpu: 128, memory: 4096}}]
    simulation: {{startupTime: 1s}}
runTasks:
  - {{taskDefinition: big, count: 1, at: 0s, placementConstraints: [{{type: memberOf, expression: "ec2InstanceId == i-00000001"}}]}}
services:
  - serviceName: web
    taskDefinition: web
    desiredCount: 0
    placementStrategy: {strategy}
actions:
  - {{at: 1m, updateService: {{service: web, desiredCount: 4}}}}
  - {{at: 10m, updateService: {{service: web, desiredCount: 2}}}}
  - {{at: 5m, updateService: {{service: web, desiredCount: 3}}}}
"#
        );
        let tasks = rows(&text, "tasks.csv");
        let stopped: Vec<&Row> = tasks
            .iter()
            .filter(|t| t.get("group") == "service:web" && t.get("lastStatus") == "STOPPED")
            .collect();
        assert_eq!(stopped.len(), 2, "{check}");
        let running_on = |id: &str| {
            tasks
                .iter()
                .filter(|t| t.get("group") == "service:web" && t.get("lastStatus") == "RUNNING")
                .filter(|t| t.get("instanceId") == id)
                .count()
        };
        match check {
            // i-00000001 holds the big task, so binpack put three of the four there; scale-in
            // stops tasks on the instance with the most memory left, i-00000002, first.
            "binpack" => assert_eq!(running_on("i-00000002"), 0, "binpack"),
            // Spread keeps one on each.
            _ => assert_eq!((running_on("i-00000001"), running_on("i-00000002")), (1, 1)),
        }
    }
}

/// EC2 Auto Scaling's suspended processes: with `Launch` suspended a lost instance is not
/// replaced; with `ReplaceUnhealthy` suspended neither, as the failed one stays in the group.
#[test]
fn suspended_processes_stop_replacements() {
    for process in ["Launch", "ReplaceUnhealthy"] {
        let text = format!(
            r#"
name: suspended
duration: 1h
cluster:
  availabilityZones: [a]
  autoScalingGroups:
    - {{name: nodes, instanceType: m5.large, desiredCapacity: 2, replacementDelay: 1m, suspendedProcesses: [{process}]}}
faults:
  - {{kind: instanceFailure, at: 10m, count: 1}}
"#
        );
        let instances = rows(&text, "instances.csv");
        assert_eq!(instances.len(), 2, "{process}: no replacement");
    }
}

/// ECS.md §4.1: on a DRAINING instance, daemon tasks stop last, once the replica tasks are
/// gone; ECS.md §3.2: a non-essential container's exit leaves its task running.
#[test]
fn daemons_stop_last_when_draining_and_sidecars_may_exit() {
    let text = cluster(
        "1h",
        r#"
taskDefinitions:
  - family: agent
    containerDefinitions: [{name: agent, cpu: 128, memory: 128}]
    simulation: {startupTime: 5s, shutdownTime: 0s}
  - family: web
    containerDefinitions:
      - {name: app, cpu: 256, memory: 512}
      - {name: sidecar, cpu: 0, memory: 64, essential: false}
    simulation: {startupTime: 5s, shutdownTime: 20s}
services:
  - {serviceName: agent, taskDefinition: agent, schedulingStrategy: DAEMON}
  - {serviceName: web, taskDefinition: web, desiredCount: 4}
faults:
  - {kind: taskExit, service: web, container: sidecar, exitCode: 137, at: 5m}
actions:
  - {at: 10m, drainInstances: {availabilityZone: a}}
"#,
    );
    let files = all(&text);
    let tasks = csv_rows(&files, "tasks.csv");
    let events = csv_rows(&files, "events.csv");
    assert_eq!(events_of(&events, "ContainerExited").len(), 4);
    assert!(
        tasks
            .iter()
            .filter(|t| t.get("group") == "service:web")
            .all(|t| t.time_ms("stoppedAt").is_none_or(|at| at >= 600_000)),
        "sidecar exits stop nothing"
    );
    let drained: Vec<String> = events_of(&events, "InstanceDraining")
        .iter()
        .map(|e| e.get("subject").to_string())
        .collect();
    assert_eq!(drained.len(), 2);
    for instance in &drained {
        let on = |group: &str| -> Vec<&Row> {
            tasks
                .iter()
                .filter(|t| t.get("instanceId") == instance && t.get("group") == group)
                .collect()
        };
        let last_replica = on("service:web")
            .iter()
            .filter_map(|t| t.time_ms("stoppedAt"))
            .max()
            .unwrap_or(600_000);
        let daemon = on("service:agent");
        assert_eq!(daemon.len(), 1);
        assert!(
            daemon[0].time_ms("stoppedAt").unwrap() >= last_replica,
            "the daemon stops last"
        );
    }
}

/// The real service JSON of the fixtures (an ALB target group by ARN, the circuit breaker
/// with rollback, minimum 50 %) loads and runs.
#[test]
fn the_real_alb_service_json_runs() {
    let text = r#"
name: fixture
duration: 1h
cluster:
  availabilityZones: [us-east-1a, us-east-1b]
  autoScalingGroups: [{name: nodes, instanceType: m5.large, desiredCapacity: 2}]
taskDefinitions:
  - family: test
    networkMode: awsvpc
    containerDefinitions:
      - {name: test, image: x, cpu: 256, memory: 128, portMappings: [{containerPort: 9999}]}
    simulation: {startupTime: 10s}
services:
  - file: ../scenario/tests/data/fixtures/svc_ecspresso_circuit_breaker_alb.json
    serviceName: katsubushi
    taskDefinition: test
metrics: {warmup: 5m}
"#;
    let files = all(text);
    let services = csv_rows(&files, "services.csv");
    assert_eq!(services[0].get("serviceName"), "katsubushi");
    assert_eq!(services[0].get("desiredCount"), "2");
    assert_eq!(services[0].get("minHealthyTargets"), "2");
    let deployments = csv_rows(&files, "deployments.csv");
    assert_eq!(deployments[0].get("rolloutState"), "COMPLETED");
}

/// EC2 Auto Scaling rebalancing after a zone outage, with managed draining: each instance
/// the group terminates to even the zones is drained first (its service tasks replaced by
/// the scheduler), one at a time.
#[test]
fn rebalancing_with_managed_draining_drains_one_instance_at_a_time() {
    let text = format!(
        r#"
name: rebalance
duration: 3h
cluster:
  availabilityZones: [a, b]
  autoScalingGroups:
    - {{name: nodes, instanceType: m5.large, desiredCapacity: 4, replacementDelay: 2m, managedDraining: true}}
{WEB_TWO_REVISIONS}services:
  - {{serviceName: web, taskDefinition: 'web:1', desiredCount: 4}}
faults:
  - {{kind: zoneOutage, availabilityZone: a, at: 10m, duration: 30m}}
"#
    );
    let files = all(&text);
    let instances = csv_rows(&files, "instances.csv");
    let rebalanced: Vec<&Row> = instances
        .iter()
        .filter(|i| i.get("reason") == "azRebalance")
        .collect();
    assert_eq!(rebalanced.len(), 2, "{instances:?}");
    for at in (0..10_800_000).step_by(1000) {
        let live = instances
            .iter()
            .filter(|i| i.time_ms("registeredAt").unwrap() <= at)
            .filter(|i| i.time_ms("deregisteredAt").is_none_or(|gone| gone > at))
            .count();
        assert!(live <= 5, "{live} instances at {at}");
    }
    let tasks = csv_rows(&files, "tasks.csv");
    for victim in rebalanced {
        for t in tasks
            .iter()
            .filter(|t| t.get("instanceId") == victim.get("instanceId"))
        {
            assert_eq!(
                t.get("stopCode"),
                "ServiceSchedulerInitiated",
                "drained, not killed"
            );
        }
    }
    let end: Vec<&Row> = instances
        .iter()
        .filter(|i| i.get("deregisteredAt").is_empty())
        .collect();
    assert_eq!(
        end.iter()
            .filter(|i| i.get("availabilityZone") == "a")
            .count(),
        2
    );
}

/// EC2 Auto Scaling's suspended processes: with `Terminate` suspended, lowering the desired
/// capacity terminates nothing; with `AZRebalance` suspended, zones are not evened out when
/// an outage ends.
#[test]
fn suspended_terminate_and_rebalance() {
    let base = |process: &str, rest: &str| {
        format!(
            r#"
name: suspended
duration: 3h
cluster:
  availabilityZones: [a, b]
  autoScalingGroups:
    - {{name: nodes, instanceType: m5.large, desiredCapacity: 4, replacementDelay: 1m, suspendedProcesses: [{process}]}}
{rest}"#
        )
    };
    let terminate = rows(
        &base(
            "Terminate",
            "actions:\n  - {at: 10m, setDesiredCapacity: {autoScalingGroup: nodes, desiredCapacity: 2}}\n",
        ),
        "instances.csv",
    );
    assert!(
        terminate.iter().all(|i| i.get("deregisteredAt").is_empty()),
        "{terminate:?}"
    );
    let outage = "faults:\n  - {kind: zoneOutage, availabilityZone: a, at: 10m, duration: 30m}\n";
    let rebalance = rows(&base("AZRebalance", outage), "instances.csv");
    assert!(rebalance.iter().all(|i| i.get("reason") != "azRebalance"));
    let live_in_b = rebalance
        .iter()
        .filter(|i| i.get("deregisteredAt").is_empty() && i.get("availabilityZone") == "b")
        .count();
    assert_eq!(live_in_b, 4, "replacements stay in b");
    // Without the suspension the group rebalances to two and two.
    let normal = rows(&base("HealthCheck", outage), "instances.csv");
    assert_eq!(
        normal
            .iter()
            .filter(|i| i.get("reason") == "azRebalance")
            .count(),
        2
    );
}

/// ECS.md §4.9: "If you update your service to use a new task definition, your service
/// returns to a normal, non-throttled state immediately."
#[test]
fn a_new_task_definition_lifts_the_throttle() {
    let text = cluster(
        "2h",
        r#"
taskDefinitions:
  - family: app
    containerDefinitions: [{name: app, cpu: 256, memory: 512}]
    simulation: {startupTime: 5s, startFailure: "CannotPullContainerError: nope"}
  - family: app
    containerDefinitions: [{name: app, cpu: 256, memory: 512}]
    simulation: {startupTime: 5s}
services:
  - {serviceName: app, taskDefinition: 'app:1', desiredCount: 1}
actions:
  - {at: 30m, updateService: {service: app, taskDefinition: 'app:2'}}
"#,
    );
    let tasks = rows(&text, "tasks.csv");
    let fixed = tasks
        .iter()
        .find(|t| t.get("taskDefinition") == "app:2")
        .unwrap();
    // By 30 min the throttle's gap has reached minutes; the new revision starts at once.
    assert_eq!(fixed.time_ms("createdAt"), Some(1_800_000));
    assert_eq!(fixed.get("lastStatus"), "RUNNING");
}
