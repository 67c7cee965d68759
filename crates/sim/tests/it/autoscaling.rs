//! Service Auto Scaling and the load model (ECS.md §6.1, §6.2, A20): target tracking
//! settles where the average utilisation meets its target, scales out fast and
//! proportionally, scales in gradually (15 datapoints below 90 % of the target, then the
//! cooldown), combines policies (out if any, in only if all), suspends scale-in during a
//! deployment, keeps to its minimum and maximum, runs scheduled actions; the unserved
//! requests figure is exact; noise is keyed, so the same for every strategy.

use crate::support::{csv_rows, outputs, run_checked, scenario, Row};

const MINUTE: u64 = 60_000;

/// One REPLICA service `web` (tasks serve 100 requests per second, start in 20 s) with
/// `load` and `autoScaling`, on four m5.4xlarge (room for 256 tasks).
fn web(duration: &str, desired: u32, load: &str, auto_scaling: &str, rest: &str) -> String {
    let load = if load.parse::<f64>().is_ok() {
        format!("{{requestsPerSecond: {load}}}")
    } else {
        load.to_string()
    };
    let auto_scaling = if auto_scaling.is_empty() {
        String::new()
    } else {
        format!("    autoScaling: {auto_scaling}\n")
    };
    format!(
        r#"
name: autoscaling
duration: {duration}
cluster:
  availabilityZones: [us-east-1a, us-east-1b]
  autoScalingGroups:
    - {{name: general, instanceType: m5.4xlarge, desiredCapacity: 4}}
taskDefinitions:
  - family: web
    containerDefinitions:
      - {{name: app, cpu: 256, memory: 512}}
    simulation: {{startupTime: 20s, requestsPerSecond: 100}}
services:
  - serviceName: web
    taskDefinition: web
    desiredCount: {desired}
    load: {load}
{auto_scaling}{rest}"#
    )
}

fn cpu(target: u32) -> String {
    format!("{{metric: ECSServiceAverageCPUUtilization, target: {target}}}")
}

/// Runs with invariants checked after every event, then for the outputs.
fn run(text: &str, seed: u64) -> Vec<(&'static str, Vec<u8>)> {
    let scenario = scenario(text);
    run_checked(&scenario, seed);
    outputs(&scenario, seed)
}

/// `(time ms, new desired count)` of every Service Auto Scaling activity that set it.
fn scaled(files: &[(&'static str, Vec<u8>)]) -> Vec<(u64, u32)> {
    csv_rows(files, "events.csv")
        .iter()
        .filter(|row| row.get("kind") == "ScalingActivity")
        .filter_map(|row| {
            let detail = row.get("detail");
            let count = detail
                .strip_prefix("Setting desired count to ")?
                .split('.')
                .next()?
                .parse()
                .ok()?;
            Some((row.time_ms("time").unwrap(), count))
        })
        .collect()
}

fn service(files: &[(&'static str, Vec<u8>)]) -> Row {
    csv_rows(files, "services.csv").remove(0)
}

fn final_desired(files: &[(&'static str, Vec<u8>)]) -> u32 {
    service(files).get("desiredCount").parse().unwrap()
}

/// ECS.md §6.2: with a constant load L, tasks serving r requests per second at 100 % CPU
/// and a target of T %, target tracking settles at ceil(L / (r x T / 100)) tasks, from
/// below (proportional scale-outs, each from the RUNNING count) and from above
/// (conservative scale-in, rounding up).
#[test]
fn target_tracking_settles_where_the_average_utilisation_meets_its_target() {
    for (load, target, start) in [
        (900, 50, 2),
        (1000, 70, 2),
        (350, 75, 1),
        (900, 50, 40),
        (1000, 70, 30),
    ] {
        let expected = (load as f64 / (100.0 * target as f64 / 100.0)).ceil() as u32;
        let text = web(
            "3h",
            start,
            &load.to_string(),
            &format!(
                "{{minCapacity: 1, maxCapacity: 100, targetTracking: [{}]}}",
                cpu(target)
            ),
            "",
        );
        let files = run(&text, 1);
        assert_eq!(
            final_desired(&files),
            expected,
            "L={load} T={target} from {start}: {:?}",
            scaled(&files)
        );
        // Settled: nothing changes in the last hour.
        assert!(
            scaled(&files).iter().all(|&(at, _)| at < 120 * MINUTE),
            "L={load} T={target}: {:?}",
            scaled(&files)
        );
        // And the utilisation there is at or below the target, above 90 % of it or at the
        // least count that keeps it under the target.
        let utilisation = load as f64 / (expected as f64 * 100.0) * 100.0;
        assert!(utilisation <= target as f64 + 1e-9);
    }
}

/// ECS.md §6.2: "scales out proportionally to the metric as fast as it can": after 3
/// datapoints above the target (A20), desired = ceil(running x metric / target), and the
/// capacity just added counts (no second scale-out until the new tasks run and the metric
/// still says so).
#[test]
fn scale_out_is_fast_and_proportional_on_a_step_of_load() {
    let text = web(
        "1h",
        4,
        "{requestsPerSecond: {steps: [{at: 0, value: 200}, {at: 30m, value: 800}]}}",
        &format!(
            "{{minCapacity: 1, maxCapacity: 100, targetTracking: [{}]}}",
            cpu(50)
        ),
        "",
    );
    let files = run(&text, 1);
    // Datapoints at 30, 31 and 32 min are at 100 % (capped): 4 x 100 / 50 = 8 at 32 min.
    // At 33 min 8 tasks RUNNING are at 100 % again: 16, which holds the load at 50 %.
    assert_eq!(scaled(&files), vec![(32 * MINUTE, 8), (33 * MINUTE, 16)]);
}

/// ECS.md §6.2, A20: scale-in waits for 15 datapoints below 90 % of the target, then goes
/// to ceil(running x metric / target), and no further scale-in before the cooldown ends.
#[test]
fn scale_in_waits_for_its_datapoints_and_then_its_cooldown() {
    let policy = "{metric: ECSServiceAverageCPUUtilization, target: 50, scaleInCooldown: 30m}";
    let text = web(
        "2h",
        32,
        "{requestsPerSecond: {steps: [{at: 0, value: 1600}, {at: 60m, value: 800}, {at: 76m, value: 200}]}}",
        &format!("{{minCapacity: 1, maxCapacity: 100, targetTracking: [{policy}]}}"),
        "",
    );
    let files = run(&text, 1);
    // Low from 60 min (25 %): the 15th datapoint is at 74 min: 32 x 25 / 50 = 16. Low again
    // from 76 min (12.5 %) but the cooldown lasts until 104 min: 16 x 12.5 / 50 = 4 then.
    assert_eq!(scaled(&files), vec![(74 * MINUTE, 16), (104 * MINUTE, 4)]);
}

/// ECS.md §6.2: "scale-in blocked during its cooldown but a scale-out interrupts it".
#[test]
fn a_scale_out_ends_the_scale_in_cooldown() {
    let policy = "{metric: ECSServiceAverageCPUUtilization, target: 50, scaleInCooldown: 30m}";
    let text = web(
        "2h",
        32,
        "{requestsPerSecond: {steps: [{at: 0, value: 1600}, {at: 60m, value: 800}, {at: 80m, value: 1600}, {at: 85m, value: 800}]}}",
        &format!("{{minCapacity: 1, maxCapacity: 100, targetTracking: [{policy}]}}"),
        "",
    );
    let files = run(&text, 1);
    // In at 74 min (cooldown to 104 min); out at 82 min (3 datapoints at 100 %); low again
    // from 85 min: in at 99 min, inside what was the scale-in cooldown.
    assert_eq!(
        scaled(&files),
        vec![(74 * MINUTE, 16), (82 * MINUTE, 32), (99 * MINUTE, 16)]
    );
}

/// ECS.md §6.2: several policies: scale out if any wants to, scale in only if all agree.
/// Memory is 25 % + CPU / 2 (the default memory model): at 40 % CPU the CPU policy (target
/// 50) wants in while the memory policy (target 40, memory 45 %) wants out.
#[test]
fn two_policies_scale_out_if_any_and_in_only_if_all_agree() {
    let memory = "{metric: ECSServiceAverageMemoryUtilization, target: 40}";
    let both = web(
        "2h",
        10,
        "400",
        &format!(
            "{{minCapacity: 1, maxCapacity: 100, targetTracking: [{}, {memory}]}}",
            cpu(50)
        ),
        "",
    );
    let files = run(&both, 1);
    // 10 x 45 / 40 -> 12 at 3 min (memory 41.67 %) -> 13 (40.38 %) -> 14 (39.29 %, not
    // above 40 and not below 36), a minute apart while the high alarm stays in ALARM (each
    // larger than the last: the scale-out cooldown lets it through). CPU at 28.6 % would
    // scale in; memory does not agree.
    assert_eq!(
        scaled(&files),
        vec![(3 * MINUTE, 12), (4 * MINUTE, 13), (5 * MINUTE, 14)]
    );
    // The CPU policy alone scales in: 10 x 40 / 50 = 8 after 15 datapoints.
    let alone = web(
        "2h",
        10,
        "400",
        &format!(
            "{{minCapacity: 1, maxCapacity: 100, targetTracking: [{}]}}",
            cpu(50)
        ),
        "",
    );
    assert_eq!(scaled(&run(&alone, 1)), vec![(15 * MINUTE, 8)]);
}

/// ECS.md §6.2: "Scale-in suspended during deployments; scale-out continues".
#[test]
fn scale_in_is_suspended_while_a_deployment_is_in_progress() {
    let rest = r#"
actions:
  - at: 5m
    updateService: {service: web, taskDefinition: "web:2"}
"#;
    let mut text = web(
        "2h",
        20,
        "200",
        &format!(
            "{{minCapacity: 1, maxCapacity: 100, targetTracking: [{}]}}",
            cpu(50)
        ),
        rest,
    );
    // A second revision whose tasks take 40 minutes to start.
    text = text.replace(
        "services:",
        "  - family: web\n    containerDefinitions:\n      - {name: app, cpu: 256, memory: 512}\n    simulation: {startupTime: 40m, requestsPerSecond: 100}\nservices:",
    );
    text = text.replace("taskDefinition: web\n", "taskDefinition: \"web:1\"\n");
    let files = run(&text, 1);
    let deployment = csv_rows(&files, "deployments.csv")
        .into_iter()
        .find(|row| row.get("taskDefinition") == "web:2")
        .expect("the update's deployment");
    assert_eq!(deployment.get("rolloutState"), "COMPLETED");
    let completed = deployment.time_ms("endedAt").unwrap();
    assert!(completed > 45 * MINUTE, "completed at {completed}");
    // Without the deployment the 15th low datapoint (10 % CPU) would scale in at 15 min.
    let activities = scaled(&files);
    assert!(!activities.is_empty(), "scales in after the deployment");
    assert!(
        activities.iter().all(|&(at, _)| at >= completed),
        "no scale-in before {completed}: {activities:?}"
    );
    assert_eq!(activities[0].1, 4, "20 x 10 / 50");
}

/// ECS.md §6.2: desired stays within [minCapacity, maxCapacity]; "desired < min with
/// scale-out alarm ⇒ goes to min, then continues".
#[test]
fn minimum_and_maximum_capacity_bound_the_desired_count() {
    // Wants 18, may have 6.
    let capped = web(
        "1h",
        2,
        "900",
        &format!(
            "{{minCapacity: 1, maxCapacity: 6, targetTracking: [{}]}}",
            cpu(50)
        ),
        "",
    );
    let files = run(&capped, 1);
    assert_eq!(final_desired(&files), 6);
    assert!(scaled(&files).iter().all(|&(_, count)| count <= 6));
    // No load: scales in to the minimum, not below.
    let floor = web(
        "1h",
        10,
        "0",
        &format!(
            "{{minCapacity: 3, maxCapacity: 20, targetTracking: [{}]}}",
            cpu(50)
        ),
        "",
    );
    assert_eq!(scaled(&run(&floor, 1)), vec![(15 * MINUTE, 3)]);
    // Below the minimum with a scale-out alarm: first to the minimum (5, not 1 x 100 / 50
    // = 2), then proportionally on (5 tasks at 100 % -> 10).
    let below = web(
        "1h",
        1,
        "900",
        &format!(
            "{{minCapacity: 5, maxCapacity: 100, targetTracking: [{}]}}",
            cpu(50)
        ),
        "",
    );
    let activities = scaled(&run(&below, 1));
    assert_eq!(activities[0], (3 * MINUTE, 5));
    assert_eq!(activities[1], (4 * MINUTE, 10));
    assert_eq!(activities.last().unwrap().1, 18);
}

/// ECS.md §6.2: "Min capacity 0: from 0 running, waits for one data point, then scales out
/// by the minimum amount"; and back to 0 when the load is gone.
#[test]
fn from_zero_tasks_one_datapoint_scales_out_to_one() {
    let text = web(
        "1h",
        0,
        "{requestsPerSecond: {steps: [{at: 10m, value: 100}, {at: 30m, value: 0}]}}",
        &format!(
            "{{minCapacity: 0, maxCapacity: 10, targetTracking: [{}]}}",
            cpu(50)
        ),
        "",
    );
    let activities = scaled(&run(&text, 1));
    // 10 min: the first datapoint with load and no task: 1. It opens the high alarm's
    // streak; 1 task at 100 % at 11 and 12 min makes 3 datapoints: 2. From 30 min at 0 %:
    // 15 datapoints, 0 at 44 min.
    assert_eq!(
        activities,
        vec![(10 * MINUTE, 1), (12 * MINUTE, 2), (44 * MINUTE, 0)]
    );
}

/// Step scaling (StepScalingPolicyConfiguration): the step whose interval holds the
/// breach decides the change; scale-ins are spaced by the policy's cooldown.
#[test]
fn step_scaling_follows_its_steps_and_cooldown() {
    let policies = r#"
      stepScaling:
        - metric: ECSServiceAverageCPUUtilization
          threshold: 70
          comparisonOperator: GreaterThanOrEqualToThreshold
          adjustmentType: ChangeInCapacity
          stepAdjustments:
            - {metricIntervalLowerBound: 0, metricIntervalUpperBound: 15, scalingAdjustment: 1}
            - {metricIntervalLowerBound: 15, scalingAdjustment: 3}
        - metric: ECSServiceAverageCPUUtilization
          threshold: 20
          comparisonOperator: LessThanThreshold
          adjustmentType: ChangeInCapacity
          stepAdjustments: [{metricIntervalUpperBound: 0, scalingAdjustment: -1}]
"#;
    let text = web(
        "1h",
        4,
        "{requestsPerSecond: {steps: [{at: 0, value: 420}, {at: 30m, value: 50}]}}",
        &format!("\n      minCapacity: 1\n      maxCapacity: 20{policies}"),
        "",
    );
    let activities = scaled(&run(&text, 1));
    // 1 min: 4 tasks at 100 % (30 above 70): +3 -> 7 (60 %, no alarm). From 30 min, 7 %
    // CPU: -1 at 30 min, then every 5 minutes (the 300 s cooldown).
    assert_eq!(
        activities[..4],
        [
            (MINUTE, 7),
            (30 * MINUTE, 6),
            (35 * MINUTE, 5),
            (40 * MINUTE, 4)
        ]
    );
}

/// A scheduled action sets the minimum and maximum at its time, and the desired count into
/// them (ECS.md §6.2); `at` once, or an EventBridge schedule (ECS.md §6.3).
#[test]
fn scheduled_actions_change_the_minimum_and_maximum_at_their_time() {
    let auto_scaling = format!(
        r#"
      minCapacity: 2
      maxCapacity: 20
      targetTracking: [{}]
      scheduledActions:
        - {{scheduledActionName: morning, at: 30m, minCapacity: 8}}
        - {{scheduledActionName: night, schedule: "cron(0 1 * * ? *)", minCapacity: 1, maxCapacity: 3}}"#,
        cpu(50)
    );
    let text = web("2h", 2, "100", &auto_scaling, "");
    let files = run(&text, 1);
    let activities: Vec<(u64, String)> = csv_rows(&files, "events.csv")
        .iter()
        .filter(|row| row.get("kind") == "ScalingActivity")
        .map(|row| (row.time_ms("time").unwrap(), row.get("detail").to_string()))
        .collect();
    let at = |ms: u64| -> Vec<&str> {
        activities
            .iter()
            .filter(|(time, _)| *time == ms)
            .map(|(_, detail)| detail.as_str())
            .collect()
    };
    assert_eq!(
        at(30 * MINUTE),
        vec![
            "Setting min capacity to 8 and max capacity to 20. Cause: scheduled action name morning was triggered",
            "Setting desired count to 8. Cause: scheduled action name morning was triggered",
        ]
    );
    // parameters.startTime is midnight UTC: cron(0 1 * * ? *) fires at 1 h. The 8 tasks
    // had been at 12.5 % CPU for 30 datapoints: with the minimum down to 1 the low alarm,
    // still in ALARM, scales in at the same minute (8 x 12.5 / 50 = 2).
    assert_eq!(
        at(60 * MINUTE),
        vec![
            "Setting min capacity to 1 and max capacity to 3. Cause: scheduled action name night was triggered",
            "Setting desired count to 3. Cause: scheduled action name night was triggered",
            "Setting desired count to 2. Cause: monitor alarm TargetTracking-service/default/web-AlarmLow in state ALARM triggered policy ECSServiceAverageCPUUtilization-target-tracking",
        ]
    );
    assert_eq!(final_desired(&files), 2);
}

/// `unservedRequests` and `secondsSaturated` by hand: 150 rps from 0 (no task RUNNING until
/// 20 s: 3,000 requests), 500 rps from 10 min against 2 tasks (200 rps) until the 5 tasks
/// asked for at 20 min run at 20 min 20 s (620 s x 300 = 186,000); at 500 rps against 500
/// nothing is unserved.
#[test]
fn unserved_requests_are_integrated_exactly() {
    let rest = r#"
actions:
  - at: 20m
    updateService: {service: web, desiredCount: 5}
"#;
    let load = "{requestsPerSecond: {steps: [{at: 0, value: 150}, {at: 10m, value: 500}]}}";
    let text = web("1h", 2, load, "", rest);
    let files = run(&text, 1);
    let row = service(&files);
    assert_eq!(row.get("unservedRequests"), "189000.000");
    assert_eq!(row.get("secondsSaturated"), "640.000");
    // Measured over the window only.
    let windowed = text.replace("duration: 1h", "duration: 1h\nmetrics: {warmup: 5m}");
    let row = service(&run(&windowed, 1));
    assert_eq!(row.get("unservedRequests"), "186000.000");
    assert_eq!(row.get("secondsSaturated"), "620.000");
    // A service without load has neither figure.
    let plain = text.replace(&format!("    load: {load}\n"), "");
    let row = service(&run(&plain, 1));
    assert_eq!(row.get("unservedRequests"), "");
    assert_eq!(row.get("secondsSaturated"), "");
}

/// The load's noise is drawn per (service, minute) from its own keyed stream: the same for
/// one seed whatever the placement strategy, different for another seed.
#[test]
fn noise_is_deterministic_per_seed_and_the_same_across_strategies() {
    let load_series = |strategy: &str, seed: u64| -> Vec<String> {
        let text = web(
            "2h",
            4,
            "{requestsPerSecond: 400, noise: {cv: 0.2}}",
            &format!(
                "{{minCapacity: 1, maxCapacity: 50, targetTracking: [{}]}}",
                cpu(50)
            ),
            "",
        )
        .replace(
            "    desiredCount: 4\n",
            &format!("    desiredCount: 4\n    placementStrategy: [{strategy}]\n"),
        );
        let files = run(&text, seed);
        csv_rows(&files, "timeseries.csv")
            .iter()
            .filter(|row| row.get("series") == "load")
            .map(|row| format!("{} {}", row.get("time"), row.get("value")))
            .collect()
    };
    let binpack = load_series("{type: binpack, field: cpu}", 7);
    assert_eq!(binpack.len(), 121, "one value a minute, from time zero");
    assert_eq!(binpack, load_series("{type: spread, field: instanceId}", 7));
    assert_eq!(binpack, load_series("{type: binpack, field: cpu}", 7));
    assert_ne!(binpack, load_series("{type: binpack, field: cpu}", 8));
}

/// `timeseries.csv` carries the load and the utilisation as step functions written at
/// changes (ECS.md §6.1: utilisation = load over what the RUNNING tasks serve).
#[test]
fn timeseries_has_load_and_utilisation_at_changes() {
    let text = web(
        "10m",
        2,
        "{requestsPerSecond: {steps: [{at: 0, value: 150}, {at: 5m, value: 300}]}}",
        "",
        "",
    );
    let files = run(&text, 1);
    let rows: Vec<String> = csv_rows(&files, "timeseries.csv")
        .iter()
        .filter(|row| {
            row.get("series") != "running"
                && row.get("series") != "desired"
                && row.get("series") != "healthy"
        })
        .filter(|row| row.get("key") == "web")
        .map(|row| {
            format!(
                "{} {} {}",
                row.get("time"),
                row.get("series"),
                row.get("value")
            )
        })
        .collect();
    assert_eq!(
        rows,
        vec![
            "0.000 load 150.000",
            "0.000 cpuUtilization ",
            "0.000 memoryUtilization ",
            "20.000 cpuUtilization 75.000",
            "20.000 memoryUtilization 62.500",
            "300.000 load 300.000",
            "300.000 cpuUtilization 100.000",
            "300.000 memoryUtilization 75.000",
        ]
    );
}

/// A `trace` load read from a CSV beside the scenario (times in seconds or durations), by
/// steps (exact) or linearly (held per minute); and a `daily` curve placed in the day by
/// `parameters.startTime`.
#[test]
fn trace_and_daily_loads_drive_the_service() {
    let dir = std::env::temp_dir().join(format!("ecsim-trace-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("trace.csv"),
        "time,value\n0,100\n5m,400\n600,100\n",
    )
    .unwrap();
    let load_series = |load: &str, extra: &str| -> Vec<String> {
        let text = web("15m", 2, load, "", "")
            .replace("duration: 15m", &format!("duration: 15m\n{extra}"));
        let scenario = match scenario::load_str(&text, &dir.join("s.yaml"), &[]) {
            Ok(scenario) => scenario,
            Err(errors) => panic!("{errors}"),
        };
        run_checked(&scenario, 1);
        let files = outputs(&scenario, 1);
        csv_rows(&files, "timeseries.csv")
            .iter()
            .filter(|row| row.get("series") == "load")
            .map(|row| format!("{} {}", row.get("time"), row.get("value")))
            .collect()
    };
    assert_eq!(
        load_series(
            "{requestsPerSecond: {trace: {file: trace.csv, interpolation: step}}}",
            ""
        ),
        vec!["0.000 100.000", "300.000 400.000", "600.000 100.000"]
    );
    let linear = load_series("{requestsPerSecond: {trace: trace.csv}}", "");
    assert_eq!(
        linear[..3],
        ["0.000 100.000", "60.000 160.000", "120.000 220.000"]
    );
    assert_eq!(linear[5], "300.000 400.000");
    assert_eq!(linear.last().unwrap(), "600.000 100.000");
    // Peak at 12:00 UTC, time zero at 12:00: the first minute is the peak, then it falls.
    let daily = load_series(
        "{requestsPerSecond: {daily: {trough: 100, peak: 500, peakHour: 12}}}",
        "parameters: {startTime: \"2026-01-01T12:00:00Z\"}",
    );
    assert_eq!(daily[0], "0.000 500.000");
    assert_eq!(
        daily.len(),
        16,
        "a value a minute, 0 to 15 min (the end included)"
    );
    std::fs::remove_dir_all(&dir).ok();
}

/// Invariants after every event (`check_invariants`, which recounts each loaded service's
/// RUNNING tasks by task definition) hold while target tracking, step scaling and a
/// scheduled action act among random instance failures, task exits and a deployment; and
/// Service Auto Scaling never sets a desired count outside [minCapacity, maxCapacity]
/// (ECS.md §6.2).
#[test]
fn invariants_hold_while_scaling_among_faults() {
    let auto_scaling = r#"
      minCapacity: 3
      maxCapacity: 25
      targetTracking:
        - {metric: ECSServiceAverageCPUUtilization, target: 50}
        - {metric: ECSServiceAverageMemoryUtilization, target: 70, disableScaleIn: true}
      stepScaling:
        - metric: ECSServiceAverageCPUUtilization
          threshold: 95
          comparisonOperator: GreaterThanThreshold
          adjustmentType: PercentChangeInCapacity
          stepAdjustments: [{metricIntervalLowerBound: 0, scalingAdjustment: 50}]
          minAdjustmentMagnitude: 2
      scheduledActions:
        - {at: 4h, minCapacity: 5, maxCapacity: 12}"#;
    let rest = r#"
actions:
  - at: 2h
    updateService: {service: web, forceNewDeployment: true}
faults:
  - {kind: instanceFailure, mtbf: 3h}
  - {kind: taskExit, service: web, mtbf: 2h}
"#;
    for seed in 0..6 {
        let text = web(
            "6h",
            6,
            "{requestsPerSecond: {daily: {trough: 100, peak: 2000, peakHour: 3}}, noise: {cv: 0.3}}",
            auto_scaling,
            rest,
        );
        let files = run(&text, seed);
        let activities = scaled(&files);
        assert!(activities.len() >= 3, "seed={seed}: {activities:?}");
        for &(at, count) in &activities {
            let (min, max) = if at < 4 * 60 * MINUTE {
                (3, 25)
            } else {
                (5, 12)
            };
            assert!(
                (min..=max).contains(&count),
                "seed={seed}: {count} at {at} ms outside [{min}, {max}]"
            );
        }
    }
}

/// ECS.md §6.2: `ALBRequestCountPerTarget` is the requests per minute per healthy target:
/// 200 requests/s over 2 targets is 6,000 a minute each; a target of 3,000 asks for
/// ceil(2 x 6,000 / 3,000) = 4 tasks, where it settles (3,000 is not above the target).
#[test]
fn request_count_per_target_tracks_healthy_targets() {
    let text = web(
        "1h",
        2,
        "200",
        "{minCapacity: 1, maxCapacity: 20, targetTracking: [{metric: ALBRequestCountPerTarget, target: 3000}]}",
        "targetGroups:\n  - {name: web-tg, healthCheckIntervalSeconds: 10}\n",
    )
    .replace(
        "{name: app, cpu: 256, memory: 512}",
        "{name: app, cpu: 256, memory: 512, portMappings: [{containerPort: 8080}]}",
    )
    .replace(
        "    desiredCount: 2\n",
        "    desiredCount: 2\n    loadBalancers: [{targetGroupArn: web-tg, containerName: app, containerPort: 8080}]\n",
    );
    let files = run(&text, 1);
    assert_eq!(scaled(&files), vec![(3 * MINUTE, 4)]);
    // Without load balancers the metric is refused.
    let unbalanced = web(
        "1h",
        2,
        "200",
        "{minCapacity: 1, maxCapacity: 20, targetTracking: [{metric: ALBRequestCountPerTarget, target: 3000}]}",
        "",
    );
    let errors = scenario::load_str(&unbalanced, std::path::Path::new("test.yaml"), &[])
        .expect_err("ALBRequestCountPerTarget needs loadBalancers")
        .to_string();
    assert!(
        errors.contains("needs the service to have loadBalancers"),
        "{errors}"
    );
}

/// A scheduled action's bound that crosses the other one takes it along (Application Auto
/// Scaling would refuse the action; ecsim keeps min <= max, which `check_invariants`
/// asserts).
#[test]
fn a_scheduled_minimum_above_the_maximum_raises_it() {
    let auto_scaling = format!(
        "{{minCapacity: 1, maxCapacity: 4, targetTracking: [{}], scheduledActions: [{{at: 10m, minCapacity: 6}}]}}",
        cpu(50)
    );
    let files = run(&web("30m", 2, "100", &auto_scaling, ""), 1);
    let activities: Vec<String> = csv_rows(&files, "events.csv")
        .iter()
        .filter(|row| row.get("kind") == "ScalingActivity")
        .map(|row| row.get("detail").to_string())
        .collect();
    assert!(
        activities[0].starts_with("Setting min capacity to 6 and max capacity to 6."),
        "{activities:?}"
    );
    assert_eq!(scaled(&files), vec![(10 * MINUTE, 6)]);
}
