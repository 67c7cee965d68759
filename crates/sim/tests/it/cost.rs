//! The run's cost (`sim::cost`, docs/cost.md): each instance costs its price from
//! registration to termination (ECS.md §5.1: an instance belongs to the cluster from
//! registering until it is gone), over the measured window; hand-computed cases are exact,
//! Spot prices follow their discount, and the services' shares, RunTask's share and the
//! idle cost add up to the total on every golden scenario.

use serde_json::Value;

use crate::golden::scenario_files;
use crate::support::{csv_rows, outputs, scenario};

/// summary.json of a run's files.
fn summary_of(files: &[(&'static str, Vec<u8>)]) -> Value {
    let (_, bytes) = files
        .iter()
        .find(|(name, _)| *name == "summary.json")
        .unwrap();
    serde_json::from_slice(bytes).unwrap()
}

/// summary.json and services.csv's `costUsd` cells of a run.
fn run(yaml: &str) -> (Value, Vec<String>) {
    let loaded = scenario(yaml);
    let files = outputs(&loaded, loaded.seed);
    let summary = summary_of(&files);
    let costs = csv_rows(&files, "services.csv")
        .iter()
        .map(|row| row.get("costUsd").to_string())
        .collect();
    (summary, costs)
}

const THREE_M5_LARGE: &str = "\
duration: 10h
cluster:
  availabilityZones: [a, b, c]
  autoScalingGroups:
    - {name: web, instanceType: m5.large, desiredCapacity: 3, replacementDelay: 5m PRICING}
taskDefinitions:
  - family: app
    containerDefinitions: [{name: app, image: x, cpu: 512, memory: 1024}]
services:
  - {serviceName: app, taskDefinition: app, desiredCount: 3}
";

fn three(pricing: &str, extra: &str) -> String {
    format!("{}{extra}", THREE_M5_LARGE.replace(" PRICING", pricing))
}

#[test]
fn three_m5_large_for_ten_hours_cost_two_dollars_eighty_eight() {
    // 3 x 10 h x 0.096 USD (the table's On-Demand price in us-east-1, the default region).
    let (summary, _) = run(&three("", ""));
    assert_eq!(summary["region"], "us-east-1");
    assert_eq!(summary["costUsd"].as_f64(), Some(2.88));
    assert_eq!(
        summary["costUsdPerMonth"].as_f64(),
        Some(210.24),
        "2.88 / 10 h x 730 h"
    );
    let group = &summary["autoScalingGroups"][0];
    assert_eq!(group["market"], "onDemand");
    assert_eq!(group["usdPerHour"].as_f64(), Some(0.096));
    assert_eq!(group["instanceHours"].as_f64(), Some(30.0));
    assert_eq!(group["costUsd"].as_f64(), Some(2.88));
}

#[test]
fn a_failed_instance_costs_nothing_until_its_replacement_registers() {
    // One instance fails at 2 h; the group's replacement registers 5 m later (ECS.md §5.3):
    // 5 minutes of one m5.large are not paid, 2.88 - 0.096 / 12 = 2.872.
    let (summary, _) = run(&three(
        "",
        "faults:\n  - {kind: instanceFailure, at: 2h, count: 1}\n",
    ));
    assert_eq!(summary["costUsd"].as_f64(), Some(2.872));
    assert_eq!(
        summary["autoScalingGroups"][0]["instanceHours"].as_f64(),
        Some(29.916667),
        "30 h less 5 m, to the micro-hour"
    );
}

#[test]
fn spot_is_priced_by_discount_or_price() {
    // 70 % off 0.096 is 0.0288 per hour: 3 x 10 h = 0.864.
    let (summary, _) = run(&three(", pricing: {spot: {discount: 0.7}}", ""));
    let group = &summary["autoScalingGroups"][0];
    assert_eq!(group["market"], "spot");
    assert_eq!(group["usdPerHour"].as_f64(), Some(0.0288));
    assert_eq!(summary["costUsd"].as_f64(), Some(0.864));
    let (summary, _) = run(&three(", pricing: {spot: {usdPerHour: 0.03}}", ""));
    assert_eq!(summary["costUsd"].as_f64(), Some(0.9));
    let (summary, _) = run(&three(", pricing: {onDemandUsdPerHour: 0.1}", ""));
    assert_eq!(summary["autoScalingGroups"][0]["market"], "onDemand");
    assert_eq!(summary["costUsd"].as_f64(), Some(3.0));
}

#[test]
fn cost_is_measured_over_the_window_like_every_figure() {
    // From metrics.warmup (1 h) to the end: 9 h of three instances.
    let (summary, _) = run(&three("", "metrics: {warmup: 1h}\n"));
    assert_eq!(summary["costUsd"].as_f64(), Some(2.592));
    assert_eq!(summary["costUsdPerMonth"].as_f64(), Some(210.24));
}

/// One instance of a custom type registering 2048 CPU units and 4096 MiB (its `pricing`
/// entry after the zone), a service `web` of one task reserving 1024 units and 1024 MiB,
/// and `more` (task definitions, then any top-level keys).
fn box_instance(duration: &str, pricing: &str, more: &str) -> String {
    format!(
        "\
duration: {duration}
cluster:
  availabilityZones: [a]
  instanceTypes: [{{name: box, cpu: 2048, memory: 4096, enis: 3}}]
  instances: [{{instanceType: box, availabilityZone: a{pricing}}}]
services:
  - {{serviceName: web, taskDefinition: web, desiredCount: 1}}
taskDefinitions:
  - family: web
    containerDefinitions: [{{name: web, image: x, cpu: 1024, memory: 1024}}]
{more}"
    )
}

#[test]
fn a_task_pays_the_mean_of_its_cpu_and_memory_shares() {
    // One instance registering 2048 CPU units and 4096 MiB at 1 USD per hour; one task
    // reserving 1024 units (half) and 1024 MiB (a quarter) from time zero: its share is
    // (1/2 + 1/4) / 2 = 0.375 of the instance, 3.75 USD over 10 h; a RunTask task reserving
    // 512 units and 2048 MiB for the first 5 h of it pays (1/4 + 1/2) / 2 x 5 h = 1.875; the
    // rest, 10 - 3.75 - 1.875 = 4.375, is idle.
    let (summary, costs) = run(&box_instance(
        "10h",
        ", pricing: {onDemandUsdPerHour: 1}",
        "  - family: batch
    containerDefinitions: [{name: batch, image: x, cpu: 512, memory: 2048}]
    simulation: {startupTime: 0s, runtime: 5h, shutdownTime: 0s}
runTasks:
  - {taskDefinition: batch, count: 1, at: 0s}
",
    ));
    assert_eq!(summary["costUsd"].as_f64(), Some(10.0));
    assert_eq!(costs, ["3.750000"]);
    assert_eq!(summary["services"][0]["costUsd"].as_f64(), Some(3.75));
    assert_eq!(summary["runTaskCostUsd"].as_f64(), Some(1.875));
    assert_eq!(summary["idleCostUsd"].as_f64(), Some(4.375));
    let instance = &summary["instances"][0];
    assert_eq!(instance["instanceType"], "box");
    assert_eq!(instance["costUsd"].as_f64(), Some(10.0));
}

#[test]
fn without_a_price_for_a_custom_type_the_cost_is_unknown() {
    let (summary, costs) = run(&box_instance("1h", "", ""));
    assert_eq!(summary["costUsd"], Value::Null);
    assert_eq!(summary["idleCostUsd"], Value::Null);
    assert_eq!(summary["instances"][0]["costUsd"], Value::Null);
    assert_eq!(summary["instances"][0]["instanceHours"].as_f64(), Some(1.0));
    assert_eq!(costs, [""]);
}

/// Micro-dollars of a JSON figure.
fn micro(value: &Value) -> i64 {
    (value.as_f64().expect("a cost") * 1e6).round() as i64
}

#[test]
fn shares_and_idle_cost_add_up_to_the_cost_in_every_golden_scenario() {
    for path in scenario_files() {
        let loaded = scenario::load(&path, &[]).unwrap_or_else(|errors| panic!("{errors}"));
        let summary = summary_of(&outputs(&loaded, loaded.seed));
        let services = summary["services"].as_array().unwrap();
        let parts: i64 = services.iter().map(|s| micro(&s["costUsd"])).sum::<i64>()
            + micro(&summary["runTaskCostUsd"])
            + micro(&summary["idleCostUsd"]);
        // Each part is rounded to the micro-dollar on its own.
        let slack = services.len() as i64 + 2;
        let total = micro(&summary["costUsd"]);
        assert!(
            (parts - total).abs() <= slack,
            "{}: shares and idle {parts} vs cost {total} micro-dollars",
            path.display()
        );
        let groups: i64 = summary["autoScalingGroups"]
            .as_array()
            .unwrap()
            .iter()
            .chain(summary["instances"].as_array().unwrap())
            .map(|group| micro(&group["costUsd"]))
            .sum();
        let slack = summary["autoScalingGroups"].as_array().unwrap().len() as i64
            + summary["instances"].as_array().unwrap().len() as i64;
        assert!(
            (groups - total).abs() <= slack,
            "{}: groups {groups} vs cost {total}",
            path.display()
        );
        assert!(micro(&summary["idleCostUsd"]) >= 0, "{}", path.display());
    }
}
