//! The lifecycle's faults: Spot interruptions (ECS.md §5.4), agent disconnects (§5.3, A16)
//! and the container a `taskExit` strikes (§3.2).

use cluster::spec::{FaultKind, FaultSpec, FaultTiming, InstanceFilter, TaskFilter};
use des::Distribution;

use crate::{fails, loads};

const BASE: &str = "duration: 1h
cluster:
  availabilityZones: [a, b]
  autoScalingGroups:
    - {name: spot, instanceType: m5.large, desiredCapacity: 2, spotInstanceDraining: true}
taskDefinitions:
  - family: web
    containerDefinitions:
      - {name: app, memory: 256}
      - {name: logs, memory: 64, essential: false}
  - family: web
    containerDefinitions:
      - {name: app, memory: 256}
      - {name: metrics, memory: 64, essential: false}
  - family: batch
    containerDefinitions: [{name: job, memory: 256}]
services:
  - {serviceName: web, taskDefinition: web:1, desiredCount: 2}
";

#[test]
fn spot_interruptions_and_agent_disconnects_time_like_instance_failures() {
    let scenario = loads(&format!(
        "{BASE}faults:
  - {{kind: spotInterruption, target: {{autoScalingGroup: spot}}, mtbf: 3d}}
  - {{kind: spotInterruption, at: 2h, count: 1}}
  - {{kind: agentDisconnect, target: {{availabilityZone: b}}, at: 1h, duration: 10m}}
  - {{kind: agentDisconnect, distribution: {{uniform: {{min: 1h, max: 2h}}}}}}
"
    ));
    let spot = InstanceFilter {
        auto_scaling_group: Some("spot".to_string()),
        ..InstanceFilter::default()
    };
    assert_eq!(
        scenario.faults,
        [
            FaultSpec {
                kind: FaultKind::SpotInterruption { target: spot },
                timing: FaultTiming::Random {
                    time_to_failure: Distribution::Exponential {
                        mean_ms: 3 * 86_400_000
                    }
                },
            },
            FaultSpec {
                kind: FaultKind::SpotInterruption {
                    target: InstanceFilter::default()
                },
                timing: FaultTiming::At {
                    at_ms: 7_200_000,
                    count: Some(1)
                },
            },
            FaultSpec {
                kind: FaultKind::AgentDisconnect {
                    target: InstanceFilter {
                        availability_zone: Some(cluster::ids::ZoneId(1)),
                        ..InstanceFilter::default()
                    },
                    duration_ms: Some(600_000),
                },
                timing: FaultTiming::At {
                    at_ms: 3_600_000,
                    count: None
                },
            },
            FaultSpec {
                kind: FaultKind::AgentDisconnect {
                    target: InstanceFilter::default(),
                    duration_ms: None,
                },
                timing: FaultTiming::Random {
                    time_to_failure: Distribution::Uniform {
                        min_ms: 3_600_000,
                        max_ms: 7_200_000
                    }
                },
            },
        ]
    );
}

#[test]
fn task_exit_may_name_a_container_of_a_targeted_task_definition() {
    let scenario = loads(&format!(
        "{BASE}actions:
  - {{at: 1h, updateService: {{service: web, taskDefinition: web:2}}}}
faults:
  - {{kind: taskExit, service: web, container: logs, at: 1h}}
  - {{kind: taskExit, service: web, container: metrics, at: 1h}}
  - {{kind: taskExit, taskDefinition: web, container: metrics, exitCode: 137, mtbf: 1d}}
  - {{kind: taskExit, taskDefinition: batch, at: 1h}}
"
    ));
    let containers: Vec<(&TaskFilter, i32, Option<&str>)> = scenario
        .faults
        .iter()
        .map(|fault| match &fault.kind {
            FaultKind::TaskExit {
                target,
                exit_code,
                container,
            } => (target, *exit_code, container.as_deref()),
            other => panic!("{other:?}"),
        })
        .collect();
    let web = TaskFilter::Service("web".to_string());
    let family = TaskFilter::Family("web".to_string());
    let batch = TaskFilter::Family("batch".to_string());
    assert_eq!(
        containers,
        [
            (&web, 1, Some("logs")),
            // web:2 reaches the service through its updateService action.
            (&web, 1, Some("metrics")),
            (&family, 137, Some("metrics")),
            (&batch, 1, None),
        ]
    );
}

#[test]
fn bad_new_faults_are_located_errors() {
    assert_eq!(
        fails(&format!(
            "{BASE}faults:
  - {{kind: spotInterruption, target: {{autoScalingGroup: spt}}, mtbf: 3d, duration: 1h}}
  - {{kind: spotInterruption}}
  - {{kind: agentDisconnect, at: 1h, duration: 0s}}
  - {{kind: agentDisconnect, mtbf: 1d, count: 1}}
  - {{kind: taskExit, service: web, container: metrics, at: 1h}}
  - {{kind: taskExit, taskDefinition: batch, container: app, at: 1h}}
  - {{kind: taskExit, taskDefinition: web, container: \"\", at: 1h}}
  - {{kind: instanceFailure, at: 1h, duration: 1h}}
  - {{kind: hostReboot, at: 1h}}
  - {{at: 1h}}
"
        )),
        "\
s.yaml:20:57: faults[0].target.autoScalingGroup: unknown Auto Scaling group \"spt\"; did you mean spot?
s.yaml:20:73: faults[0].duration: unknown field; expected one of: kind, at, count, mtbf, distribution, target
s.yaml:21:5: faults[1]: a fault needs exactly one of at (scripted), mtbf (random, exponential with that mean) or distribution (random, any distribution of the time to failure)
s.yaml:22:47: faults[2].duration: expected a duration > 0, found \"0s\"
s.yaml:23:39: faults[3].count: count is only allowed with at (a scripted fault)
s.yaml:24:47: faults[4].container: no targeted task definition (web:1) has a container \"metrics\"; their containers: app, logs
s.yaml:25:56: faults[5].container: no targeted task definition (batch:1) has a container \"app\"; their containers: job
s.yaml:26:54: faults[6].container: expected a non-empty name, found \"\"
s.yaml:27:37: faults[7].duration: unknown field; expected one of: kind, at, count, mtbf, distribution, target
s.yaml:28:12: faults[8].kind: expected one of instanceFailure, taskExit, zoneOutage, spotInterruption, agentDisconnect, found \"hostReboot\"
s.yaml:29:5: faults[9].kind: missing required field; expected one of instanceFailure, taskExit, zoneOutage, spotInterruption, agentDisconnect"
    );
}
