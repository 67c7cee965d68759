//! The lifecycle's fields of `parameters` (ECS.md §10), of Auto Scaling groups and fixed
//! instances (suspended processes, Spot and managed draining, reserved ports), and of task
//! definitions (container health checks, exit codes, start failures, unhealthy workloads).

use cluster::spec::{ContainerHealthCheck, Parameters, SuspendedProcesses};
use des::Distribution;

use crate::{fails, loads};

const CLUSTER: &str = "duration: 1h
cluster:
  availabilityZones: [a, b]
  autoScalingGroups:
    - {name: g, instanceType: m5.large, desiredCapacity: 2}
";

#[test]
fn lifecycle_parameters_default_to_ecs_md_section_10() {
    let scenario = loads(CLUSTER);
    let parameters = &scenario.parameters;
    assert_eq!(*parameters, Parameters::default());
    assert_eq!(
        (
            parameters.eni_detach_ms,
            parameters.healthy_delay_ms,
            parameters.circuit_breaker_min_threshold,
            parameters.throttle_base_ms,
            parameters.throttle_max_ms,
            parameters.elb_initial_healthy_checks,
            parameters.spot_notice_ms,
            parameters.managed_draining_timeout_ms,
        ),
        // §4.4 40 s, §4.5 3, §4.9 10 s to 15 min (A9), A13 1, §5.4 2 min, 48 h.
        (0, 40_000, 3, 10_000, 900_000, 1, 120_000, 172_800_000)
    );
}

#[test]
fn lifecycle_parameters_are_read() {
    let scenario = loads(&format!(
        "{CLUSTER}parameters:
  eniDetachTime: 3s
  healthyDelay: 0s
  circuitBreakerMinThreshold: 10
  throttleBase: 5s
  throttleMax: 5s
  elbInitialHealthyChecks: 5
  spotNoticeTime: 90s
  managedDrainingTimeout: 1h
"
    ));
    let parameters = &scenario.parameters;
    assert_eq!(
        (
            parameters.eni_detach_ms,
            parameters.healthy_delay_ms,
            parameters.circuit_breaker_min_threshold,
            parameters.throttle_base_ms,
            parameters.throttle_max_ms,
            parameters.elb_initial_healthy_checks,
            parameters.spot_notice_ms,
            parameters.managed_draining_timeout_ms,
        ),
        (3_000, 0, 10, 5_000, 5_000, 5, 90_000, 3_600_000)
    );
    // The parameters that were there before are untouched.
    assert_eq!(parameters.scheduler_interval_ms, 10_000);
}

#[test]
fn bad_lifecycle_parameters_are_located_errors() {
    assert_eq!(
        fails(&format!(
            "{CLUSTER}parameters:
  eniDetachTime: soon
  circuitBreakerMinThreshold: 0
  throttleBase: 0s
  elbInitialHealthyChecks: 11
  managedDrainingTimeout: 0s
  spotNoticeTime: -1s
"
        )),
        "\
s.yaml:7:18: parameters.eniDetachTime: expected a duration such as 250ms, 90s, 5m, 1h30m or 7d (a plain number is seconds) in whole milliseconds, found \"soon\"
s.yaml:8:31: parameters.circuitBreakerMinThreshold: expected a whole number from 1 to 200, found \"0\"
s.yaml:9:17: parameters.throttleBase: expected a duration > 0, found \"0s\"
s.yaml:10:28: parameters.elbInitialHealthyChecks: expected a whole number from 1 to 10, found \"11\"
s.yaml:11:27: parameters.managedDrainingTimeout: expected a duration > 0, found \"0s\"
s.yaml:12:19: parameters.spotNoticeTime: expected a duration such as 250ms, 90s, 5m, 1h30m or 7d (a plain number is seconds) in whole milliseconds, found \"-1s\""
    );
    // throttleMax below throttleBase: reported where it is given, else at throttleBase.
    assert_eq!(
        fails(&format!(
            "{CLUSTER}parameters: {{throttleBase: 1m, throttleMax: 30s}}\n"
        )),
        "s.yaml:6:45: parameters.throttleMax: expected a duration >= throttleBase (1m), found \"30s\""
    );
    assert_eq!(
        fails(&format!("{CLUSTER}parameters: {{throttleBase: 1h}}\n")),
        "s.yaml:6:28: parameters.throttleBase: expected a duration <= throttleMax (15m, the default), found \"1h\""
    );
}

#[test]
fn auto_scaling_groups_read_processes_draining_and_reserved_ports() {
    let scenario = loads(
        "duration: 1h
cluster:
  availabilityZones: [a, b]
  autoScalingGroups:
    - name: spot
      instanceType: m5.large
      desiredCapacity: 2
      suspendedProcesses: [Launch, AZRebalance, HealthCheck, ScheduledActions]
      spotInstanceDraining: true
      managedDraining: true
      reservedPorts: [22, 8080]
    - {name: plain, instanceType: m5.large, desiredCapacity: 1}
    - {name: all, instanceType: m5.large, desiredCapacity: 1, reservedPorts: [],
       suspendedProcesses: [Terminate, ReplaceUnhealthy]}
  instances:
    - {instanceType: m5.large, availabilityZone: a, count: 2, reservedPorts: [22, 2375]}
    - {instanceType: m5.large, availabilityZone: b}
",
    );
    let groups = &scenario.cluster.auto_scaling_groups;
    assert_eq!(
        groups[0].suspended_processes,
        SuspendedProcesses {
            launch: true,
            terminate: false,
            az_rebalance: true,
            replace_unhealthy: false,
        },
        "HealthCheck and ScheduledActions govern nothing modelled"
    );
    assert!(groups[0].spot_instance_draining && groups[0].managed_draining);
    assert_eq!(groups[0].reserved_ports, [22, 8080]);
    // Defaults: nothing suspended, no draining, the agent's default list (ECS.md §2.4).
    assert_eq!(groups[1].suspended_processes, SuspendedProcesses::default());
    assert!(!groups[1].spot_instance_draining && !groups[1].managed_draining);
    assert_eq!(groups[1].reserved_ports, [22, 2375, 2376, 51678, 51679]);
    assert_eq!(groups[2].reserved_ports, Vec::<u16>::new());
    assert_eq!(
        groups[2].suspended_processes,
        SuspendedProcesses {
            terminate: true,
            replace_unhealthy: true,
            ..SuspendedProcesses::default()
        }
    );
    let instances = &scenario.cluster.instances;
    assert_eq!(instances.len(), 3);
    assert_eq!(instances[0].reserved_ports, [22, 2375]);
    assert_eq!(instances[1].reserved_ports, [22, 2375]);
    assert_eq!(
        instances[2].reserved_ports,
        cluster::instance::RESERVED_PORTS
    );
}

#[test]
fn bad_group_and_instance_fields_are_located_errors() {
    let hundred_and_one: Vec<String> = (1000..1101).map(|port| port.to_string()).collect();
    let text = format!(
        "duration: 1h
cluster:
  availabilityZones: [a]
  autoScalingGroups:
    - name: g
      instanceType: m5.large
      desiredCapacity: 1
      suspendedProcesses: [Launch, Lunch, Hibernate]
      spotInstanceDraining: yes
      managedDraining: 1
      reservedPorts: [22, 0, 22, 65536]
  instances:
    - {{instanceType: m5.large, availabilityZone: a, reservedPorts: 22}}
    - {{instanceType: m5.large, availabilityZone: a, reservedPorts: [{}]}}
",
        hundred_and_one.join(", ")
    );
    let allowed = "Launch, Terminate, AZRebalance, ReplaceUnhealthy, HealthCheck, \
                   AlarmNotification, ScheduledActions, AddToLoadBalancer, InstanceRefresh, \
                   RemoveFromLoadBalancerLowPriority";
    assert_eq!(
        fails(&text),
        format!(
            "\
s.yaml:8:36: cluster.autoScalingGroups[0].suspendedProcesses[1]: expected one of {allowed}, found \"Lunch\"
s.yaml:8:43: cluster.autoScalingGroups[0].suspendedProcesses[2]: expected one of {allowed}, found \"Hibernate\"
s.yaml:9:29: cluster.autoScalingGroups[0].spotInstanceDraining: expected true or false, found \"yes\"
s.yaml:10:24: cluster.autoScalingGroups[0].managedDraining: expected true or false, found \"1\"
s.yaml:11:27: cluster.autoScalingGroups[0].reservedPorts[1]: expected a whole number from 1 to 65535, found \"0\"
s.yaml:11:30: cluster.autoScalingGroups[0].reservedPorts[2]: port 22 is listed twice
s.yaml:11:34: cluster.autoScalingGroups[0].reservedPorts[3]: expected a whole number from 1 to 65535, found \"65536\"
s.yaml:13:68: cluster.instances[0].reservedPorts: expected a list, found \"22\"
s.yaml:14:68: cluster.instances[1].reservedPorts: expected at most 100 ports, found a list"
        )
    );
}

#[test]
fn reserved_host_ports_are_accepted_and_warned_about() {
    // ECS registers the task definition and refuses its tasks only at placement, with
    // RESOURCE:PORTS (ECS.md §2.4, §9).
    let text = "duration: 1h
cluster:
  availabilityZones: [a]
  autoScalingGroups: [{name: g, instanceType: m5.large, desiredCapacity: 1}]
  instances: [{instanceType: m5.large, availabilityZone: a}]
taskDefinitions:
  - family: ssh
    containerDefinitions:
      - {name: app, memory: 256, portMappings: [{containerPort: 8022, hostPort: 22}]}
  - family: agent
    networkMode: host
    containerDefinitions:
      - name: app
        memory: 256
        portMappings: [{containerPort: 51678}, {containerPort: 51679}, {containerPort: 80}]
  - family: udp
    containerDefinitions:
      - {name: app, memory: 256, portMappings: [{containerPort: 22, hostPort: 22, protocol: udp}]}
";
    let scenario = loads(text);
    assert_eq!(
        scenario.task_definitions[0].static_host_ports(),
        [(cluster::spec::Protocol::Tcp, 22)]
    );
    assert_eq!(
        crate::warnings_of(&scenario),
        [
            "s.yaml:9:49: taskDefinitions[0].containerDefinitions[0].portMappings[0]: ssh:1 maps \
             host port 22, which every instance of the cluster reserves (reservedPorts, \
             ECS_RESERVED_PORTS); ECS accepts the task definition but never places its tasks \
             on an instance that reserves it (RESOURCE:PORTS)",
            "s.yaml:15:24: taskDefinitions[1].containerDefinitions[0].portMappings[0]: agent:1 \
             maps host ports 51678, 51679, which every instance of the cluster reserves \
             (reservedPorts, ECS_RESERVED_PORTS); ECS accepts the task definition but never \
             places its tasks on an instance that reserves them (RESOURCE:PORTS)",
        ]
    );
    // One instance that does not reserve port 22 is enough for ssh's tasks.
    let freed = text.replace(
        "instances: [{instanceType: m5.large, availabilityZone: a}]",
        "instances: [{instanceType: m5.large, availabilityZone: a, reservedPorts: [51678, 51679]}]",
    );
    let warnings = scenario::warnings(&loads(&freed));
    assert_eq!(warnings.len(), 1);
    assert!(warnings[0].message.starts_with("agent:1 maps"));
}

const TASK_DEFINITION: &str = "duration: 1h
cluster:
  availabilityZones: [a]
  instances: [{instanceType: m5.large, availabilityZone: a}]
taskDefinitions:
  - family: web
    containerDefinitions:
";

#[test]
fn container_health_checks_are_read_with_ecs_defaults() {
    let scenario = loads(&format!(
        "{TASK_DEFINITION}      - name: app
        memory: 256
        healthCheck:
          command: [CMD-SHELL, curl -f http://localhost/ || exit 1]
          interval: 10
          timeout: 3
          retries: 4
          startPeriod: 60
      - name: sidecar
        memory: 64
        essential: false
        healthCheck: {{command: [CMD, /bin/true]}}
      - {{name: plain, memory: 64}}
"
    ));
    let containers = &scenario.task_definitions[0].container_definitions;
    assert_eq!(
        containers[0].health_check,
        Some(ContainerHealthCheck {
            interval_ms: 10_000,
            timeout_ms: 3_000,
            retries: 4,
            start_period_ms: 60_000,
        })
    );
    // ECS.md §3.5: interval 30 s, timeout 5 s, retries 3, startPeriod off.
    assert_eq!(
        containers[1].health_check,
        Some(ContainerHealthCheck {
            interval_ms: 30_000,
            timeout_ms: 5_000,
            retries: 3,
            start_period_ms: 0,
        })
    );
    assert_eq!(containers[2].health_check, None);
}

#[test]
fn bad_container_health_checks_are_located_errors() {
    assert_eq!(
        fails(&format!(
            "{TASK_DEFINITION}      - name: app
        memory: 256
        healthCheck: {{command: [], interval: 4, timeout: 61, retries: 0, startPeriod: 301}}
      - name: b
        memory: 256
        healthCheck: {{interval: 300, timeout: 60, retries: 10, startPeriod: 300, cmd: x}}
      - name: c
        memory: 256
        healthCheck: {{command: [CMD, [nested]]}}
      - name: d
        memory: 256
        healthCheck: CMD-SHELL true
"
        )),
        "\
s.yaml:10:32: taskDefinitions[0].containerDefinitions[0].healthCheck.command: expected a non-empty list of strings, e.g. [CMD-SHELL, curl -f http://localhost/ || exit 1], found a list
s.yaml:10:46: taskDefinitions[0].containerDefinitions[0].healthCheck.interval: expected a whole number from 5 to 300, found \"4\"
s.yaml:10:58: taskDefinitions[0].containerDefinitions[0].healthCheck.timeout: expected a whole number from 2 to 60, found \"61\"
s.yaml:10:71: taskDefinitions[0].containerDefinitions[0].healthCheck.retries: expected a whole number from 1 to 10, found \"0\"
s.yaml:10:87: taskDefinitions[0].containerDefinitions[0].healthCheck.startPeriod: expected a whole number from 0 to 300, found \"301\"
s.yaml:13:22: taskDefinitions[0].containerDefinitions[1].healthCheck.command: missing required field; expected a non-empty list of strings, e.g. [CMD-SHELL, curl -f http://localhost/ || exit 1]
s.yaml:13:82: taskDefinitions[0].containerDefinitions[1].healthCheck.cmd: unknown field; expected one of: command, interval, timeout, retries, startPeriod
s.yaml:16:38: taskDefinitions[0].containerDefinitions[2].healthCheck.command[1]: expected a string, found a list
s.yaml:19:22: taskDefinitions[0].containerDefinitions[3].healthCheck: expected a mapping, found \"CMD-SHELL true\""
    );
}

#[test]
fn health_checks_are_read_from_real_ecs_json() {
    // td_firelens_uptime_healthcheck.json: interval 10, timeout 5, retries 2, startPeriod 30;
    // the other fixtures with health checks (td_appmesh_colorteller_dependson.json,
    // td_ec2instances_info_production_fargate.json) are checked in fixtures.rs.
    let scenario = loads(&format!(
        "duration: 1h
cluster:
  availabilityZones: [a]
  instances: [{{instanceType: m5.large, availabilityZone: a}}]
taskDefinitions:
  - file: {}
",
        crate::data("fixtures/td_firelens_uptime_healthcheck.json").display()
    ));
    let containers = &scenario.task_definitions[0].container_definitions;
    assert_eq!(
        containers[0].health_check,
        Some(ContainerHealthCheck {
            interval_ms: 10_000,
            timeout_ms: 5_000,
            retries: 2,
            start_period_ms: 30_000,
        })
    );
    assert_eq!(containers[1].health_check, None);
}

#[test]
fn simulation_reads_exit_code_start_failure_and_unhealthy_after() {
    let scenario = loads(&format!(
        "{TASK_DEFINITION}      - {{name: app, memory: 256}}
    simulation:
      runtime: 10m
      exitCode: -1
      startFailure: \"CannotPullContainerError: pull access denied for example/web\"
      unhealthyAfter: {{exponential: {{mean: 2h}}}}
  - family: defaults
    containerDefinitions: [{{name: app, memory: 256}}]
  - family: quoted
    containerDefinitions: [{{name: app, memory: 256}}]
    simulation: {{exitCode: 2147483647, startFailure: \"true\", unhealthyAfter: 30s}}
"
    ));
    let workload = &scenario.task_definitions[0].workload;
    assert_eq!(workload.exit_code, -1);
    assert_eq!(
        workload.start_failure.as_deref(),
        Some("CannotPullContainerError: pull access denied for example/web")
    );
    assert_eq!(
        workload.unhealthy_after,
        Some(Distribution::Exponential { mean_ms: 7_200_000 })
    );
    let defaults = &scenario.task_definitions[1].workload;
    assert_eq!(
        (
            defaults.exit_code,
            &defaults.start_failure,
            &defaults.unhealthy_after
        ),
        (0, &None, &None)
    );
    let quoted = &scenario.task_definitions[2].workload;
    assert_eq!(quoted.exit_code, i32::MAX);
    assert_eq!(quoted.start_failure.as_deref(), Some("true"));
    assert_eq!(
        quoted.unhealthy_after,
        Some(Distribution::Fixed { ms: 30_000 })
    );
}

#[test]
fn bad_simulation_fields_are_located_errors() {
    assert_eq!(
        fails(&format!(
            "{TASK_DEFINITION}      - {{name: app, memory: 256}}
    simulation: {{exitCode: 2147483648, startFailure: \"\", unhealthyAfter: {{normal: 1m}}}}
  - family: b
    containerDefinitions: [{{name: app, memory: 256}}]
    simulation: {{exitCode: \"1\", startFailure: true, unhealthyAfter: never}}
  - family: c
    containerDefinitions: [{{name: app, memory: 256}}]
    simulation: {{exitCode: -2147483649, startFailure: [x]}}
"
        )),
        "\
s.yaml:9:28: taskDefinitions[0].simulation.exitCode: expected a whole number from -2147483648 to 2147483647, found \"2147483648\"
s.yaml:9:54: taskDefinitions[0].simulation.startFailure: expected a stoppedReason, e.g. \"CannotPullContainerError: pull access denied\", found \"\"
s.yaml:9:75: taskDefinitions[0].simulation.unhealthyAfter.normal: unknown field; expected one of: fixed, exponential, uniform, lognormal, weibull
s.yaml:12:28: taskDefinitions[1].simulation.exitCode: expected a whole number from -2147483648 to 2147483647, found \"1\"
s.yaml:12:47: taskDefinitions[1].simulation.startFailure: expected a stoppedReason, e.g. \"CannotPullContainerError: pull access denied\", found \"true\"
s.yaml:12:69: taskDefinitions[1].simulation.unhealthyAfter: expected a duration such as 250ms, 90s, 5m, 1h30m or 7d (a plain number is seconds) in whole milliseconds, found \"never\"
s.yaml:15:28: taskDefinitions[2].simulation.exitCode: expected a whole number from -2147483648 to 2147483647, found \"-2147483649\"
s.yaml:15:55: taskDefinitions[2].simulation.startFailure: expected a stoppedReason, e.g. \"CannotPullContainerError: pull access denied\", found a list"
    );
}
