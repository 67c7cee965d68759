//! `scheduledTasks` (RunTask calls on an EventBridge schedule, ECS.md §6.3) and the
//! `startTime` parameter that places simulated time zero on the calendar.

use cluster::spec::{PlacementSpec, Resource, Schedule, StrategySpec};

use crate::{fails, loads, warnings_of};

const BASE: &str = "duration: 1d
cluster:
  availabilityZones: [a]
  instances: [{instanceType: m5.large, availabilityZone: a}]
taskDefinitions:
  - family: report
    containerDefinitions: [{name: app, memory: 256}]
";

#[test]
fn scheduled_tasks_are_read_like_run_tasks() {
    let scenario = loads(&format!(
        "{BASE}parameters: {{startTime: \"2026-03-01T12:30:00Z\"}}
scheduledTasks:
  - taskDefinition: report
    schedule: \"cron(0 * * * ? *)\"
  - taskDefinition: report:1
    schedule: rate(5 minutes)
    count: 10
    group: nightly
    placementStrategy: [{{type: binpack, field: memory}}]
    placementConstraints: [{{type: distinctInstance}}]
"
    ));
    // 2026-03-01T12:30:00Z.
    assert_eq!(scenario.parameters.start_time_unix_s, 1_772_368_200);
    let [hourly, every_five] = scenario.scheduled_tasks.as_slice() else {
        panic!("{:?}", scenario.scheduled_tasks)
    };
    assert_eq!(
        hourly.schedule,
        Schedule::parse("cron(0 * * * ? *)").unwrap()
    );
    assert_eq!(hourly.schedule.to_string(), "cron(0 * * * ? *)");
    // Defaults as for RunTask: one task, group family:<family>, ECS's default placement.
    assert_eq!(
        (hourly.count, hourly.group.as_str(), &hourly.placement),
        (1, "family:report", &PlacementSpec::default())
    );
    // Half past twelve: the first hourly firing is 30 minutes in.
    assert_eq!(
        hourly
            .schedule
            .next_after(0, scenario.parameters.start_time_unix_s),
        Some(1_800_000)
    );
    assert_eq!(every_five.schedule, Schedule::Rate { every_ms: 300_000 });
    assert_eq!(
        (every_five.count, every_five.group.as_str()),
        (10, "nightly")
    );
    assert_eq!(
        every_five.placement.strategies,
        [StrategySpec::Binpack(Resource::Memory)]
    );
    assert_eq!(every_five.placement.constraints.len(), 1);
    // Ten tasks on distinct instances of a one-instance cluster: nine never run.
    assert_eq!(
        warnings_of(&scenario),
        [
            "s.yaml:17:28: scheduledTasks[1].placementConstraints[0]: distinctInstance with \
          count 10, but at most 1 instance that this scheduled task may use can ever exist: 9 \
          of its tasks can never be placed (DistinctInstance constraint)"
        ]
    );
}

#[test]
fn bad_scheduled_tasks_are_located_errors() {
    assert_eq!(
        fails(&format!(
            "{BASE}scheduledTasks:
  - {{taskDefinition: report, schedule: \"rate(0 minutes)\", count: 11}}
  - {{taskDefinition: report, schedule: \"cron(0 * * * * *)\", every: 1h}}
  - {{taskDefinition: reprot, schedule: every hour}}
  - {{taskDefinition: report, schedule: [rate(1 hour)], group: \"\"}}
  - {{taskDefinition: report, capacityProviderStrategy: [{{capacityProvider: cp}}]}}
"
        )),
        "\
s.yaml:9:40: scheduledTasks[0].schedule: `rate(0 minutes)`: the value `0` must be a whole number of at least 1
s.yaml:9:66: scheduledTasks[0].count: expected a whole number from 1 to 10, found \"11\"
s.yaml:10:40: scheduledTasks[1].schedule: `cron(0 * * * * *)`: one of the day-of-month and day-of-week fields must be `?`, as in cron(0 10 * * ? *) or cron(0 18 ? * MON-FRI *)
s.yaml:10:61: scheduledTasks[1].every: unknown field; expected one of: taskDefinition, schedule, count, group, placementStrategy, placementConstraints, capacityProviderStrategy
s.yaml:11:22: scheduledTasks[2].taskDefinition: unknown task definition \"reprot\"; did you mean report?
s.yaml:11:40: scheduledTasks[2].schedule: `every hour`: expected rate(value unit), as in rate(5 minutes), or cron(minutes hours day-of-month month day-of-week year), as in cron(0 10 * * ? *)
s.yaml:12:40: scheduledTasks[3].schedule: expected an EventBridge schedule, rate(5 minutes) or cron(0 * * * ? *), found a list
s.yaml:12:63: scheduledTasks[3].group: expected a non-empty name, found \"\"
s.yaml:13:5: scheduledTasks[4].schedule: missing required field; expected an EventBridge schedule, rate(5 minutes) or cron(0 * * * ? *)
s.yaml:13:76: scheduledTasks[4].capacityProviderStrategy[0].capacityProvider: unknown capacity provider \"cp\""
    );
}

#[test]
fn bad_start_times_are_located_errors() {
    assert_eq!(
        fails(&format!("{BASE}parameters: {{startTime: 2026-02-29T00:00:00Z}}\n")),
        "s.yaml:8:25: parameters.startTime: `2026-02-29T00:00:00Z`: the day 29 is not in 01-28 for that month"
    );
    assert_eq!(
        fails(&format!("{BASE}parameters: {{startTime: 2026-01-01}}\n")),
        "s.yaml:8:25: parameters.startTime: `2026-01-01`: expected a UTC time as YYYY-MM-DDTHH:MM:SSZ, as in 2026-01-01T00:00:00Z"
    );
    assert_eq!(
        fails(&format!("{BASE}parameters: {{startTime: [2026]}}\n")),
        "s.yaml:8:25: parameters.startTime: expected a UTC time as YYYY-MM-DDTHH:MM:SSZ, found a list"
    );
}

#[test]
fn schedules_that_do_not_fire_during_the_run_are_warned_about() {
    let scenario = loads(&format!(
        "{BASE}scheduledTasks:
  - {{taskDefinition: report, schedule: \"cron(0 0 1 1 ? 2025)\"}}
  - {{taskDefinition: report, schedule: rate(2 days)}}
  - {{taskDefinition: report, schedule: rate(1 day)}}
"
    ));
    assert_eq!(
        warnings_of(&scenario),
        [
            "s.yaml:9:40: scheduledTasks[0].schedule: cron(0 0 1 1 ? 2025) never fires after \
             the start (startTime 2026-01-01T00:00:00Z); it starts no task",
            "s.yaml:10:40: scheduledTasks[1].schedule: rate(2 days) first fires 2d after the \
             start, after the run's end (1d) (startTime 2026-01-01T00:00:00Z); it starts no task",
        ]
    );
}
