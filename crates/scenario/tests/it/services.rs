//! Services' lifecycle fields: DAEMON scheduling (ECS.md §4.1), the deployment circuit
//! breaker (§4.5), the health-check grace period (§4.6) and load balancers with their
//! target groups (§4.7).

use cluster::spec::{
    CircuitBreaker, DeploymentConfiguration, LoadBalancerSpec, SchedulingStrategy, TargetGroupSpec,
};

use crate::{fails, loads};

const BASE: &str = "duration: 1h
cluster:
  availabilityZones: [a]
  instances: [{instanceType: m5.large, availabilityZone: a, count: 2}]
taskDefinitions:
  - family: web
    containerDefinitions:
      - {name: app, memory: 256, portMappings: [{containerPort: 3000}, {containerPort: 3001}]}
      - {name: sidecar, memory: 64, essential: false}
";

#[test]
fn daemon_services_take_daemon_defaults_and_ignore_desired_count() {
    let scenario = loads(&format!(
        "{BASE}services:
  - {{serviceName: agent, taskDefinition: web, schedulingStrategy: DAEMON, desiredCount: 4,
     placementConstraints: [{{type: memberOf, expression: \"attribute:ecs.availability-zone == a\"}}]}}
  - {{serviceName: quiet, taskDefinition: web, schedulingStrategy: daemon, placementStrategy: [],
     deploymentConfiguration: {{minimumHealthyPercent: 50, maximumPercent: 100}}}}
  - {{serviceName: web, taskDefinition: web, desiredCount: 3, schedulingStrategy: REPLICA}}
"
    ));
    let agent = &scenario.services[0];
    assert_eq!(agent.scheduling_strategy, SchedulingStrategy::Daemon);
    assert_eq!(agent.desired_count, 0, "DAEMON ignores desiredCount");
    assert_eq!(
        agent.deployment_configuration,
        DeploymentConfiguration::daemon()
    );
    assert_eq!(agent.placement.constraints.len(), 1);
    let quiet = &scenario.services[1];
    assert_eq!(
        (
            quiet.desired_count,
            quiet.deployment_configuration.minimum_healthy_percent,
            quiet.deployment_configuration.maximum_percent
        ),
        (0, 50, 100)
    );
    let web = &scenario.services[2];
    assert_eq!(web.scheduling_strategy, SchedulingStrategy::Replica);
    assert_eq!(
        web.deployment_configuration,
        DeploymentConfiguration::default()
    );
}

#[test]
fn daemon_services_refuse_strategies_and_a_maximum_other_than_100() {
    assert_eq!(
        fails(&format!(
            "{BASE}services:
  - serviceName: agent
    taskDefinition: web
    schedulingStrategy: DAEMON
    desiredCount: many
    placementStrategy: [{{type: binpack, field: memory}}]
    deploymentConfiguration: {{maximumPercent: 200}}
  - {{serviceName: x, taskDefinition: web, desiredCount: 1, schedulingStrategy: BATCH}}
"
        )),
        "\
s.yaml:14:19: services[0].desiredCount: expected a whole number >= 0, found \"many\"
s.yaml:15:5: services[0].placementStrategy: a DAEMON service takes no placementStrategy: it runs one task on each instance that meets its placement constraints
s.yaml:16:47: services[0].deploymentConfiguration.maximumPercent: expected 100 for a DAEMON service, found \"200\"
s.yaml:17:80: services[1].schedulingStrategy: expected one of REPLICA, DAEMON, found \"BATCH\""
    );
}

#[test]
fn circuit_breaker_and_grace_period_are_read() {
    let scenario = loads(&format!(
        "{BASE}services:
  - serviceName: web
    taskDefinition: web
    desiredCount: 4
    healthCheckGracePeriodSeconds: 2147483647
    deploymentConfiguration:
      minimumHealthyPercent: 50
      deploymentCircuitBreaker: {{enable: true, rollback: false}}
  - {{serviceName: plain, taskDefinition: web, desiredCount: 1, healthCheckGracePeriodSeconds: 0}}
"
    ));
    let web = &scenario.services[0];
    assert_eq!(
        web.deployment_configuration,
        DeploymentConfiguration {
            minimum_healthy_percent: 50,
            maximum_percent: 200,
            circuit_breaker: CircuitBreaker {
                enable: true,
                rollback: false
            },
        }
    );
    assert_eq!(web.health_check_grace_period_ms, 2_147_483_647_000);
    let plain = &scenario.services[1];
    assert_eq!(
        plain.deployment_configuration.circuit_breaker,
        CircuitBreaker::default()
    );
    assert_eq!(plain.health_check_grace_period_ms, 0);
}

#[test]
fn bad_circuit_breakers_and_grace_periods_are_located_errors() {
    assert_eq!(
        fails(&format!(
            "{BASE}services:
  - serviceName: web
    taskDefinition: web
    desiredCount: 1
    healthCheckGracePeriodSeconds: 2147483648
    deploymentConfiguration:
      deploymentCircuitBreaker: {{enable: true}}
  - serviceName: api
    taskDefinition: web
    desiredCount: 1
    healthCheckGracePeriodSeconds: -1
    deploymentConfiguration:
      deploymentCircuitBreaker: {{enable: on, rollback: false, alarms: true}}
"
        )),
        "\
s.yaml:14:36: services[0].healthCheckGracePeriodSeconds: expected a whole number from 0 to 2147483647, found \"2147483648\"
s.yaml:16:33: services[0].deploymentConfiguration.deploymentCircuitBreaker.rollback: missing required field; expected true or false
s.yaml:20:36: services[1].healthCheckGracePeriodSeconds: expected a whole number from 0 to 2147483647, found \"-1\"
s.yaml:22:42: services[1].deploymentConfiguration.deploymentCircuitBreaker.enable: expected true or false, found \"on\"
s.yaml:22:63: services[1].deploymentConfiguration.deploymentCircuitBreaker.alarms: unknown field; expected one of: enable, rollback"
    );
}

#[test]
fn load_balancers_name_target_groups_listed_or_implied() {
    let scenario = loads(&format!(
        "{BASE}targetGroups:
  - name: web-tg
    healthCheckIntervalSeconds: 10
    healthCheckTimeoutSeconds: 9
    healthyThresholdCount: 2
    unhealthyThresholdCount: 10
    deregistrationDelay: 30s
  - name: arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/listed-by-arn/73e2d6bc24d8a067
  - name: unused
services:
  - serviceName: web
    taskDefinition: web
    desiredCount: 2
    loadBalancers:
      - {{targetGroupArn: \"arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/implied/0123456789abcdef\", containerName: app, containerPort: 3000}}
      - {{targetGroupArn: web-tg, containerName: app, containerPort: 3001}}
      - {{loadBalancerName: classic, containerName: app, containerPort: 3000}}
  - serviceName: api
    taskDefinition: web
    desiredCount: 1
    loadBalancers:
      - {{targetGroupArn: classic, containerName: app, containerPort: 3001}}
      - {{targetGroupArn: listed-by-arn, containerName: app, containerPort: 3001}}
      - {{targetGroupArn: also-implied, containerName: app, containerPort: 3000}}
"
    ));
    let lb = |target_group: u32, container_port: u16| LoadBalancerSpec {
        target_group,
        container_name: "app".to_string(),
        container_port,
    };
    assert_eq!(
        scenario.services[0].load_balancers,
        [lb(3, 3000), lb(0, 3001), lb(4, 3000)]
    );
    assert_eq!(
        scenario.services[1].load_balancers,
        [lb(4, 3001), lb(1, 3001), lb(5, 3000)]
    );
    // The listed ones in order, then the implied ones in order of first reference, once
    // each, with ELB's defaults (ECS.md §4.7).
    assert_eq!(
        scenario.target_groups,
        [
            TargetGroupSpec {
                name: "web-tg".to_string(),
                health_check_interval_ms: 10_000,
                health_check_timeout_ms: 9_000,
                healthy_threshold_count: 2,
                unhealthy_threshold_count: 10,
                deregistration_delay_ms: 30_000,
            },
            TargetGroupSpec::with_defaults("listed-by-arn".to_string()),
            TargetGroupSpec::with_defaults("unused".to_string()),
            TargetGroupSpec::with_defaults("implied".to_string()),
            TargetGroupSpec::with_defaults("classic".to_string()),
            TargetGroupSpec::with_defaults("also-implied".to_string()),
        ]
    );
    assert_eq!(
        TargetGroupSpec::with_defaults(String::new()),
        TargetGroupSpec {
            name: String::new(),
            health_check_interval_ms: 30_000,
            health_check_timeout_ms: 5_000,
            healthy_threshold_count: 5,
            unhealthy_threshold_count: 2,
            deregistration_delay_ms: 300_000,
        }
    );
}

#[test]
fn bad_load_balancers_say_what_the_task_definition_has() {
    let six: Vec<String> = (0..6)
        .map(|idx| format!("{{targetGroupArn: t{idx}, containerName: app, containerPort: 3000}}"))
        .collect();
    assert_eq!(
        fails(&format!(
            "{BASE}services:
  - serviceName: web
    taskDefinition: web
    desiredCount: 1
    loadBalancers:
      - {{targetGroupArn: tg, containerName: web, containerPort: 3000}}
      - {{targetGroupArn: tg, containerName: app, containerPort: 8080}}
      - {{targetGroupArn: tg, containerName: sidecar, containerPort: 80}}
      - {{targetGroupArn: tg, loadBalancerName: clb, containerName: app, containerPort: 3000}}
      - {{containerName: app, containerPort: 3000, port: 1}}
  - serviceName: api
    taskDefinition: web
    desiredCount: 1
    loadBalancers:
      - {{targetGroupArn: \"arn:aws:elasticloadbalancing:us-east-1:1:loadbalancer/app/x/y\", containerPort: 0}}
      - {{targetGroupArn: \"\", containerName: app, containerPort: 3000}}
  - serviceName: many
    taskDefinition: web
    desiredCount: 1
    loadBalancers: [{}]
",
            six.join(", ")
        )),
        "\
s.yaml:15:45: services[0].loadBalancers[0].containerName: task definition web:1 has no container \"web\"; its containers: app, sidecar
s.yaml:16:65: services[0].loadBalancers[1].containerPort: container app of task definition web:1 maps no containerPort 8080; its containerPorts: 3000, 3001
s.yaml:17:69: services[0].loadBalancers[2].containerPort: container sidecar of task definition web:1 maps no containerPort 80; it has no portMappings
s.yaml:18:9: services[0].loadBalancers[3]: a load balancer needs exactly one of targetGroupArn (an Application or Network Load Balancer's target group) or loadBalancerName (a Classic Load Balancer)
s.yaml:19:9: services[0].loadBalancers[4]: a load balancer needs exactly one of targetGroupArn (an Application or Network Load Balancer's target group) or loadBalancerName (a Classic Load Balancer)
s.yaml:19:51: services[0].loadBalancers[4].port: unknown field; expected one of: targetGroupArn, loadBalancerName, containerName, containerPort
s.yaml:24:9: services[1].loadBalancers[0].containerName: missing required field; expected a container of the service's task definition
s.yaml:24:26: services[1].loadBalancers[0].targetGroupArn: expected a target group name, or its ARN (arn:aws:elasticloadbalancing:REGION:ACCOUNT:targetgroup/NAME/ID), found \"arn:aws:elasticloadbalancing:us-east-1:1:loadbalancer/app/x/y\"
s.yaml:24:106: services[1].loadBalancers[0].containerPort: expected a whole number from 1 to 65535, found \"0\"
s.yaml:25:26: services[1].loadBalancers[1].targetGroupArn: expected a target group name, or its ARN (arn:aws:elasticloadbalancing:REGION:ACCOUNT:targetgroup/NAME/ID), found \"\"
s.yaml:29:20: services[2].loadBalancers: expected at most 5 load balancers (target groups per service), found a list"
    );
}

#[test]
fn bad_target_groups_are_located_errors() {
    assert_eq!(
        fails(&format!(
            "{BASE}targetGroups:
  - {{name: a, healthCheckIntervalSeconds: 4, healthCheckTimeoutSeconds: 121}}
  - {{name: b, healthyThresholdCount: 1, unhealthyThresholdCount: 11, deregistrationDelay: 2h}}
  - {{name: c, healthCheckIntervalSeconds: 10, healthCheckTimeoutSeconds: 10}}
  - {{name: d, healthCheckIntervalSeconds: 5}}
  - {{name: a}}
  - {{healthCheckTimeoutSeconds: 2, interval: 5}}
  - \"arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/e/1\"
"
        )),
        "\
s.yaml:11:43: targetGroups[0].healthCheckIntervalSeconds: expected a whole number from 5 to 300, found \"4\"
s.yaml:11:73: targetGroups[0].healthCheckTimeoutSeconds: expected a whole number from 2 to 120, found \"121\"
s.yaml:12:38: targetGroups[1].healthyThresholdCount: expected a whole number from 2 to 10, found \"1\"
s.yaml:12:66: targetGroups[1].unhealthyThresholdCount: expected a whole number from 2 to 10, found \"11\"
s.yaml:12:91: targetGroups[1].deregistrationDelay: expected a duration from 0s to 1h, found \"2h\"
s.yaml:13:74: targetGroups[2].healthCheckTimeoutSeconds: expected a whole number of seconds less than healthCheckIntervalSeconds (10), found \"10\"
s.yaml:14:43: targetGroups[3].healthCheckIntervalSeconds: expected a whole number of seconds more than healthCheckTimeoutSeconds (5, the default), found \"5\"
s.yaml:15:12: targetGroups[4].name: target group \"a\" is listed twice
s.yaml:16:5: targetGroups[5].name: missing required field; expected a target group name, or its ARN (arn:aws:elasticloadbalancing:REGION:ACCOUNT:targetgroup/NAME/ID)
s.yaml:16:36: targetGroups[5].interval: unknown field; expected one of: name, healthCheckIntervalSeconds, healthCheckTimeoutSeconds, healthyThresholdCount, unhealthyThresholdCount, deregistrationDelay
s.yaml:17:5: targetGroups[6]: expected a mapping, found \"arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/e/1\""
    );
}
