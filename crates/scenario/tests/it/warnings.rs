//! Warnings that save a run: tasks that can never be placed (larger than every instance type
//! they may use, a memberOf no instance can match, distinctInstance with more tasks than
//! instances), each at the exact file:line:column of what causes it; and `metrics.warmup`,
//! the start of the measured window.

use std::path::Path;

use crate::{fails, loads, warnings_of};

const CLUSTER: &str = "duration: 1d
cluster:
  availabilityZones: [a, b]
  instanceTypes: [{name: lab.tiny, cpu: 1024, memory: 2000, enis: 1}]
  autoScalingGroups:
    - {name: general, instanceType: m5.large, desiredCapacity: 2, attributes: {stack: prod}}
  instances:
    - {instanceType: lab.tiny, availabilityZone: b, attributes: {stack: lab}}
taskDefinitions:
  - family: web
    containerDefinitions: [{name: app, cpu: 256, memory: 512}]
  - family: big
    containerDefinitions: [{name: app, cpu: 4096, memory: 512}]
  - family: vpc
    networkMode: awsvpc
    containerDefinitions: [{name: app, cpu: 256, memory: 512}]
";

#[test]
fn a_well_placed_scenario_has_no_warning() {
    let scenario = loads(&format!(
        "{CLUSTER}services:
  - serviceName: web
    taskDefinition: web
    desiredCount: 3
    placementConstraints:
      - {{type: memberOf, expression: \"attribute:stack in [prod, lab]\"}}
      - {{type: distinctInstance}}
runTasks:
  - {{taskDefinition: vpc, placementConstraints: [{{type: memberOf, expression: \"attribute:stack == prod\"}}]}}
"
    ));
    assert_eq!(warnings_of(&scenario), Vec::<String>::new());
}

#[test]
fn tasks_larger_than_every_instance_they_may_use() {
    // 4096 CPU units fit no m5.large (2048) and no lab.tiny (1024); an awsvpc task fits no
    // lab.tiny, whose only ENI is its own, and the memberOf leaves it nothing else.
    let scenario = loads(&format!(
        "{CLUSTER}services:
  - serviceName: big
    taskDefinition: big
    desiredCount: 1
scheduledTasks:
  - taskDefinition: vpc
    schedule: rate(1 hour)
    placementConstraints: [{{type: memberOf, expression: \"attribute:stack == lab\"}}]
"
    ));
    assert_eq!(
        warnings_of(&scenario),
        [
            "s.yaml:19:21: services[0].taskDefinition: big:1's tasks reserve 4096 CPU units \
             and 512 MiB, more than any instance service big may use has (registered: \
             lab.tiny 1024 CPU units, 2000 MiB, 1 ENI; m5.large 2048 CPU units, 7987 MiB, \
             3 ENIs): they can never be placed",
            "s.yaml:22:21: scheduledTasks[0].taskDefinition: vpc:1's tasks reserve 256 CPU \
             units and 512 MiB and an ENI of their own (awsvpc), more than any instance this \
             scheduled task may use has (registered: lab.tiny 1024 CPU units, 2000 MiB, \
             1 ENI): they can never be placed",
        ]
    );
}

#[test]
fn member_of_that_no_instance_can_match() {
    let scenario = loads(&format!(
        "{CLUSTER}services:
  - serviceName: web
    taskDefinition: web
    desiredCount: 1
    placementConstraints:
      - {{type: memberOf, expression: \"attribute:ecs.availability-zone == a\"}}
      - {{type: memberOf, expression: \"attribute:stack == staging\"}}
  - serviceName: both
    taskDefinition: web
    desiredCount: 1
    placementConstraints:
      - type: memberOf
        expression: \"attribute:ecs.instance-type == lab.tiny\"
      - type: memberOf
        expression: \"attribute:ecs.availability-zone == a\"
  # Judged only on what the run decides: never warned about.
  - serviceName: dynamic
    taskDefinition: web
    desiredCount: 1
    placementConstraints:
      - {{type: memberOf, expression: \"task:group == service:nothing\"}}
      - {{type: memberOf, expression: \"ec2InstanceId == i-0000ffff\"}}
"
    ));
    assert_eq!(
        warnings_of(&scenario),
        [
            "s.yaml:23:38: services[0].placementConstraints[1].expression: memberOf \
             `attribute:stack == staging` matches no instance the cluster can have (judged on \
             the attributes each Auto Scaling group and instance registers): service web's \
             tasks can never be placed (MemberOf constraint)",
            "s.yaml:28:7: services[1].placementConstraints: no instance the cluster can have \
             matches all of `attribute:ecs.instance-type == lab.tiny` and \
             `attribute:ecs.availability-zone == a`: service both's tasks can never be placed \
             (MemberOf constraint)",
        ]
    );
}

#[test]
fn member_of_in_the_task_definition_counts_too() {
    let text = CLUSTER.replace(
        "  - family: web\n    containerDefinitions",
        "  - family: web\n    placementConstraints: [{type: memberOf, expression: \"attribute:gpu exists\"}]\n    containerDefinitions",
    );
    // `exists` is not ECS's syntax; a plain comparison on an attribute no instance has is.
    let text = text.replace("attribute:gpu exists", "attribute:gpu == true");
    let scenario = loads(&format!(
        "{text}runTasks:\n  - {{taskDefinition: web, count: 2}}\n"
    ));
    assert_eq!(
        warnings_of(&scenario),
        [
            "s.yaml:11:57: taskDefinitions[0].placementConstraints[0].expression: memberOf \
          `attribute:gpu == true` matches no instance the cluster can have (judged on the \
          attributes each Auto Scaling group and instance registers): this RunTask's tasks \
          can never be placed (MemberOf constraint)"
        ]
    );
}

#[test]
fn distinct_instance_with_more_tasks_than_instances() {
    let service = "services:
  - serviceName: web
    taskDefinition: web
    desiredCount: 4
    placementConstraints: [{type: memberOf, expression: \"attribute:stack == prod\"}, {type: distinctInstance}]
";
    let scenario = loads(&format!("{CLUSTER}{service}"));
    assert_eq!(
        warnings_of(&scenario),
        [
            "s.yaml:21:85: services[0].placementConstraints[1]: distinctInstance with \
          desiredCount 4, but at most 2 instances that service web may use can ever exist: 2 \
          of its tasks can never be placed (DistinctInstance constraint)"
        ]
    );
    // A group that is raised to 4 instances later can hold them all.
    let raised = loads(&format!(
        "{CLUSTER}{service}actions:\n  - {{at: 1h, setDesiredCapacity: {{autoScalingGroup: general, desiredCapacity: 4}}}}\n"
    ));
    assert_eq!(warnings_of(&raised), Vec::<String>::new());
    // The lab instance counts once it may be used.
    let wider = loads(&format!("{CLUSTER}{service}").replace("stack == prod", "stack != none"));
    assert_eq!(
        warnings_of(&wider),
        [
            "s.yaml:21:85: services[0].placementConstraints[1]: distinctInstance with \
          desiredCount 4, but at most 3 instances that service web may use can ever exist: 1 \
          of its tasks can never be placed (DistinctInstance constraint)"
        ]
    );
}

#[test]
fn a_value_from_set_is_named_by_its_override() {
    let text = format!(
        "{CLUSTER}services:\n  - {{serviceName: web, taskDefinition: web, desiredCount: 1}}\n"
    );
    let set =
        "services[0].placementConstraints=[{type: memberOf, expression: 'attribute:stack == qa'}]";
    let scenario = scenario::load_str(&text, Path::new("s.yaml"), &[set.to_string()])
        .unwrap_or_else(|errors| panic!("{errors}"));
    assert_eq!(
        warnings_of(&scenario),
        ["s.yaml: --set services[0].placementConstraints: \
          services[0].placementConstraints[0].expression: memberOf `attribute:stack == qa` \
          matches no instance the cluster can have (judged on the attributes each Auto \
          Scaling group and instance registers): service web's tasks can never be placed \
          (MemberOf constraint)"]
    );
}

#[test]
fn metrics_warmup_starts_the_measured_window() {
    assert_eq!(loads(CLUSTER).metrics.warmup_ms, 0);
    assert_eq!(
        loads(&format!("{CLUSTER}metrics: {{warmup: 10m}}\n"))
            .metrics
            .warmup_ms,
        600_000
    );
    assert_eq!(
        fails(&format!("{CLUSTER}metrics: {{warmup: 1d}}\n")),
        "s.yaml:17:19: metrics.warmup: expected a duration shorter than the run's duration \
         (1d), so that the measured window is not empty, found \"1d\""
    );
    assert_eq!(
        fails(&format!("{CLUSTER}metrics: {{warmUp: 1m}}\n")),
        "s.yaml:17:11: metrics.warmUp: unknown field; did you mean warmup?"
    );
    assert_eq!(
        fails(&format!("{CLUSTER}metrics: {{warmup: soon}}\n")),
        "s.yaml:17:19: metrics.warmup: expected a duration such as 250ms, 90s, 5m, 1h30m \
         or 7d (a plain number is seconds) in whole milliseconds, found \"soon\""
    );
}

#[test]
fn a_scenario_with_its_sources_goes_to_other_threads() {
    fn shareable<T: Send + Sync>(_: &T) {}
    shareable(&loads(CLUSTER));
}
