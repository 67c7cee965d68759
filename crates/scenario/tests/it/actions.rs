//! `actions`: control-plane calls at given times (UpdateService, draining and activating
//! instances, SetDesiredCapacity, StopTask), kept in scenario order.

use cluster::ids::{AsgId, ServiceId, TaskDefId, ZoneId};
use cluster::spec::{
    Action, ActionSpec, CircuitBreaker, DeploymentConfigurationUpdate, InstanceFilter, TaskFilter,
};

use crate::{fails, loads};

const BASE: &str = "duration: 1h
cluster:
  availabilityZones: [a, b]
  autoScalingGroups:
    - {name: general, instanceType: m5.large, desiredCapacity: 2}
    - {name: spot, instanceType: m5.large, desiredCapacity: 1}
  instances: [{instanceId: i-1, instanceType: c5.large, availabilityZone: a}]
taskDefinitions:
  - family: web
    containerDefinitions: [{name: app, memory: 256, portMappings: [{containerPort: 3000}]}]
  - family: web
    containerDefinitions: [{name: app, memory: 256, portMappings: [{containerPort: 3000}]}]
  - family: other
    containerDefinitions: [{name: main, memory: 256}]
services:
  - serviceName: web
    taskDefinition: web:1
    desiredCount: 2
    loadBalancers: [{targetGroupArn: tg, containerName: app, containerPort: 3000}]
  - {serviceName: agent, taskDefinition: other, schedulingStrategy: DAEMON}
";

#[test]
fn every_action_is_read_in_scenario_order() {
    let scenario = loads(&format!(
        "{BASE}actions:
  - at: 1d
    updateService: {{service: web, taskDefinition: \"web:2\", desiredCount: 9}}
  - at: 2h
    updateService:
      service: agent
      forceNewDeployment: true
      deploymentConfiguration:
        minimumHealthyPercent: 50
        deploymentCircuitBreaker: {{enable: true, rollback: true}}
      healthCheckGracePeriodSeconds: 30
  - {{at: 2d, drainInstances: {{availabilityZone: b}}}}
  - {{at: 2d, activateInstances: {{autoScalingGroup: spot, instanceType: m5.large}}}}
  - {{at: 3d, drainInstances: }}
  - {{at: 3d, setDesiredCapacity: {{autoScalingGroup: spot, desiredCapacity: 0}}}}
  - {{at: 4d, stopTask: {{service: web, count: 2}}}}
  - {{at: 4d, stopTask: {{taskDefinition: other, reason: \"Scaling down by hand\"}}}}
"
    ));
    assert_eq!(
        scenario.actions,
        [
            ActionSpec {
                at_ms: 86_400_000,
                action: Action::UpdateService {
                    service: ServiceId(0),
                    task_definition: Some(TaskDefId(1)),
                    desired_count: Some(9),
                    force_new_deployment: false,
                    deployment_configuration: DeploymentConfigurationUpdate::default(),
                    health_check_grace_period_ms: None,
                },
            },
            ActionSpec {
                at_ms: 7_200_000,
                action: Action::UpdateService {
                    service: ServiceId(1),
                    task_definition: None,
                    desired_count: None,
                    force_new_deployment: true,
                    deployment_configuration: DeploymentConfigurationUpdate {
                        minimum_healthy_percent: Some(50),
                        maximum_percent: None,
                        circuit_breaker: Some(CircuitBreaker {
                            enable: true,
                            rollback: true
                        }),
                    },
                    health_check_grace_period_ms: Some(30_000),
                },
            },
            ActionSpec {
                at_ms: 2 * 86_400_000,
                action: Action::DrainInstances {
                    target: InstanceFilter {
                        availability_zone: Some(ZoneId(1)),
                        ..InstanceFilter::default()
                    }
                },
            },
            ActionSpec {
                at_ms: 2 * 86_400_000,
                action: Action::ActivateInstances {
                    target: InstanceFilter {
                        auto_scaling_group: Some("spot".to_string()),
                        instance_type: Some("m5.large".to_string()),
                        ..InstanceFilter::default()
                    }
                },
            },
            ActionSpec {
                at_ms: 3 * 86_400_000,
                action: Action::DrainInstances {
                    target: InstanceFilter::default()
                },
            },
            ActionSpec {
                at_ms: 3 * 86_400_000,
                action: Action::SetDesiredCapacity {
                    auto_scaling_group: AsgId(1),
                    desired_capacity: 0
                },
            },
            ActionSpec {
                at_ms: 4 * 86_400_000,
                action: Action::StopTask {
                    target: TaskFilter::Service("web".to_string()),
                    count: Some(2),
                    reason: None,
                },
            },
            ActionSpec {
                at_ms: 4 * 86_400_000,
                action: Action::StopTask {
                    target: TaskFilter::Family("other".to_string()),
                    count: None,
                    reason: Some("Scaling down by hand".to_string()),
                },
            },
        ]
    );
}

#[test]
fn bad_actions_are_located_errors() {
    assert_eq!(
        fails(&format!(
            "{BASE}actions:
  - {{at: 1h}}
  - {{at: 1h, drainInstances: {{}}, stopTask: {{service: web}}}}
  - {{drainInstances: {{zone: a}}}}
  - {{at: soon, activateInstances: {{instanceId: i-2}}}}
  - {{at: 1h, setDesiredCapacity: {{autoScalingGroup: genral, desiredCapacity: -1}}}}
  - {{at: 1h, setDesiredCapacity: {{desiredCapacity: 1}}}}
  - {{at: 1h, stopTask: {{service: web, taskDefinition: web}}}}
  - {{at: 1h, stopTask: {{taskDefinition: \"web:1\", count: 0, reason: \"\"}}}}
  - {{at: 1h, stopTask: {{service: api}}}}
  - {{at: 1h, restartService: {{service: web}}}}
"
        )),
        "\
s.yaml:22:5: actions[0]: an action needs exactly one of updateService, drainInstances, activateInstances, setDesiredCapacity, stopTask
s.yaml:23:34: actions[1]: an action needs exactly one of updateService, drainInstances, activateInstances, setDesiredCapacity, stopTask
s.yaml:24:5: actions[2].at: missing required field; expected when the call is made, e.g. 1d
s.yaml:24:23: actions[2].drainInstances.zone: unknown field; expected one of: availabilityZone, instanceType, autoScalingGroup, instanceId
s.yaml:25:10: actions[3].at: expected a duration such as 250ms, 90s, 5m, 1h30m or 7d (a plain number is seconds) in whole milliseconds, found \"soon\"
s.yaml:25:48: actions[3].activateInstances.instanceId: unknown instance id in cluster.instances \"i-2\"; did you mean i-1?
s.yaml:26:53: actions[4].setDesiredCapacity.autoScalingGroup: unknown Auto Scaling group \"genral\"; did you mean general?
s.yaml:26:78: actions[4].setDesiredCapacity.desiredCapacity: expected a whole number >= 0, found \"-1\"
s.yaml:27:34: actions[5].setDesiredCapacity.autoScalingGroup: missing required field; expected the name of an Auto Scaling group
s.yaml:28:24: actions[6].stopTask: stopTask needs exactly one of service or taskDefinition (a family)
s.yaml:29:41: actions[7].stopTask.taskDefinition: expected a task definition family, without :revision (every revision is targeted), found \"web:1\"
s.yaml:29:57: actions[7].stopTask.count: expected a whole number >= 1, found \"0\"
s.yaml:29:68: actions[7].stopTask.reason: expected a non-empty reason (the tasks' stoppedReason), found \"\"
s.yaml:30:34: actions[8].stopTask.service: unknown service \"api\"
s.yaml:31:5: actions[9]: an action needs exactly one of updateService, drainInstances, activateInstances, setDesiredCapacity, stopTask
s.yaml:31:14: actions[9].restartService: unknown field; expected one of: at, updateService, drainInstances, activateInstances, setDesiredCapacity, stopTask"
    );
}

#[test]
fn bad_update_service_actions_are_located_errors() {
    assert_eq!(
        fails(&format!(
            "{BASE}  - serviceName: single
    taskDefinition: other
    desiredCount: 1
    deploymentConfiguration: {{minimumHealthyPercent: 0}}
actions:
  - {{at: 1h, updateService: {{service: web}}}}
  - {{at: 1h, updateService: {{service: agent, desiredCount: 3}}}}
  - {{at: 1h, updateService: {{service: agent, deploymentConfiguration: {{maximumPercent: 200}}}}}}
  - {{at: 1h, updateService: {{service: web, taskDefinition: other}}}}
  - {{at: 1h, updateService: {{service: web, desiredCount: 5001, forceNewDeployment: yes}}}}
  - at: 1h
    updateService:
      service: web
      deploymentConfiguration: {{minimumHealthyPercent: 101, maximumPercent: 99, deploymentCircuitBreaker: {{enable: true}}}}
      healthCheckGracePeriodSeconds: 1.5
  - {{at: 1h, updateService: {{service: webb, desiredCount: 1}}}}
  - {{at: 1h, updateService: {{desiredCount: 1}}}}
  - {{at: 1h, updateService: {{service: single, taskDefinition: \"web:3\"}}}}
"
        )),
        "\
s.yaml:26:29: actions[0].updateService: updateService needs at least one of taskDefinition, desiredCount, forceNewDeployment, deploymentConfiguration, healthCheckGracePeriodSeconds besides service
s.yaml:27:60: actions[1].updateService.desiredCount: a DAEMON service has no desiredCount to update: it runs one task on each eligible instance
s.yaml:28:88: actions[2].updateService.deploymentConfiguration.maximumPercent: expected 100 for a DAEMON service, found \"200\"
s.yaml:29:60: actions[3].updateService.taskDefinition: service web registers container app port 3000 with a load balancer, but task definition other:1 has no container \"app\"
s.yaml:30:58: actions[4].updateService.desiredCount: desiredCount 5001 exceeds the quota of 5000 tasks per service (parameters.quotas.tasksPerService); raise that quota, up to 10000000, to allow more
s.yaml:30:84: actions[4].updateService.forceNewDeployment: expected true or false, found \"yes\"
s.yaml:34:56: actions[5].updateService.deploymentConfiguration.minimumHealthyPercent: expected a whole number from 0 to 100, found \"101\"
s.yaml:34:77: actions[5].updateService.deploymentConfiguration.maximumPercent: expected a whole number from 100 to 10000, found \"99\"
s.yaml:34:107: actions[5].updateService.deploymentConfiguration.deploymentCircuitBreaker.rollback: missing required field; expected true or false
s.yaml:35:38: actions[5].updateService.healthCheckGracePeriodSeconds: expected a whole number from 0 to 2147483647, found \"1.5\"
s.yaml:36:39: actions[6].updateService.service: unknown service \"webb\"; did you mean web?
s.yaml:37:29: actions[7].updateService.service: missing required field; expected the serviceName of a service
s.yaml:38:63: actions[8].updateService.taskDefinition: task definition web has revisions 1 to 2; found \"web:3\""
    );
}

#[test]
fn set_desired_capacity_keeps_to_the_instance_quota_over_time() {
    // 3 fixed and grouped instances, then 2 + 1 + 1 = 4, then a raise to 5 at 2h while the
    // first raise (at 3h, listed first) has not happened yet, then both: 1 + 5 + 1 = 7.
    let text = format!(
        "{BASE}parameters: {{quotas: {{containerInstancesPerCluster: 6}}}}
actions:
  - {{at: 3h, setDesiredCapacity: {{autoScalingGroup: spot, desiredCapacity: 2}}}}
  - {{at: 2h, setDesiredCapacity: {{autoScalingGroup: general, desiredCapacity: 4}}}}
  - {{at: 3h, setDesiredCapacity: {{autoScalingGroup: general, desiredCapacity: 3}}}}
"
    );
    // 1 + 4 + 1 = 6 at 2h; at 3h: spot to 2 (1 + 4 + 2 = 7, over), then general to 3 (6).
    assert_eq!(
        fails(&text),
        "s.yaml:23:76: actions[0].setDesiredCapacity.desiredCapacity: the cluster would have 7 \
         container instances, which exceeds the quota of 6 container instances per cluster \
         (parameters.quotas.containerInstancesPerCluster); raise that quota, up to 10000000, to \
         allow more"
    );
    let reordered = text.replace(
        "  - {at: 3h, setDesiredCapacity: {autoScalingGroup: spot, desiredCapacity: 2}}\n",
        "",
    )
        + "  - {at: 3h, setDesiredCapacity: {autoScalingGroup: spot, desiredCapacity: 2}}\n";
    let scenario = loads(&reordered);
    assert_eq!(scenario.actions.len(), 3);
}
