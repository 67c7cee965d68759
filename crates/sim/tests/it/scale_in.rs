//! The scale-in order (ECS.md §1.6) for the chains `cluster/scale_in.rs` answers in
//! O(log N) per task: test builds check its every order against the scan's (a
//! `debug_assert` in `scale_in_order`), so each run here fails on any difference; the
//! assertions are the balance ECS documents for each chain.

use std::collections::BTreeMap;

use crate::support::{csv_rows, outputs, scenario, Row};

/// Nine instances over three zones (one of them filled by a binpacked `batch` service), a
/// `web` service of 40 tasks placed by `strategy` and scaled in to `to` at 10 minutes:
/// every task of `web`.
fn web_tasks(strategy: &str, to: u32) -> Vec<Row> {
    let text = format!(
        r#"
name: scale-in
duration: 30m
cluster:
  availabilityZones: [a, b, c]
  instanceTypes: [{{name: node, cpu: 4096, memory: 16384, enis: 3}}]
  autoScalingGroups:
    - {{name: nodes, instanceType: node, desiredCapacity: 9}}
taskDefinitions:
  - family: web
    containerDefinitions: [{{name: app, image: web:1, cpu: 256, memory: 512}}]
    simulation: {{startupTime: 5s, shutdownTime: 0s}}
  - family: batch
    containerDefinitions: [{{name: app, image: batch:1, cpu: 1024, memory: 3072}}]
services:
  - {{serviceName: batch, taskDefinition: batch, desiredCount: 5, placementStrategy: [{{type: binpack, field: memory}}]}}
  - {{serviceName: web, taskDefinition: web, desiredCount: 40{strategy}}}
actions:
  - {{at: 10m, updateService: {{service: web, desiredCount: {to}}}}}
"#
    );
    csv_rows(&outputs(&scenario(&text), 5), "tasks.csv")
        .into_iter()
        .filter(|t| t.get("service") == "web")
        .collect()
}

/// The service's RUNNING tasks after the scale-in.
fn scaled_in(strategy: &str, to: u32) -> Vec<Row> {
    scaled_in_with_hosts(strategy, to).1
}

/// The instances that hosted the service, by zone, and its RUNNING tasks after the
/// scale-in.
fn scaled_in_with_hosts(strategy: &str, to: u32) -> (BTreeMap<String, Vec<String>>, Vec<Row>) {
    let tasks = web_tasks(strategy, to);
    let mut hosts: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for task in &tasks {
        let zone = hosts
            .entry(task.get("availabilityZone").to_string())
            .or_default();
        if !zone.iter().any(|id| id == task.get("instanceId")) {
            zone.push(task.get("instanceId").to_string());
        }
    }
    let running = tasks
        .into_iter()
        .filter(|t| t.get("lastStatus") == "RUNNING")
        .collect();
    (hosts, running)
}

fn count_by(tasks: &[Row], column: &str) -> BTreeMap<String, u32> {
    let mut counts = BTreeMap::new();
    for task in tasks {
        *counts.entry(task.get(column).to_string()).or_insert(0) += 1;
    }
    counts
}

fn spread(counts: &BTreeMap<String, u32>) -> u32 {
    let most = counts.values().max().copied().unwrap_or(0);
    let least = counts.values().min().copied().unwrap_or(0);
    most - least
}

/// ECS.md §1.6: with ECS's default placement (spread over zones, then instances) scale-in
/// stops tasks in the zone with the most of the service's tasks, then on that zone's
/// instance with the most: the zones stay within one task of each other, and so do the
/// instances of each zone that hosted the service.
#[test]
fn scale_in_with_the_default_chain_keeps_zones_and_instances_balanced() {
    for to in [31, 17, 6] {
        let (hosts, running) = scaled_in_with_hosts("", to);
        assert_eq!(running.len(), to as usize);
        assert!(
            spread(&count_by(&running, "availabilityZone")) <= 1,
            "to {to}"
        );
        let per_instance = count_by(&running, "instanceId");
        for (zone, instances) in &hosts {
            let counts: BTreeMap<String, u32> = instances
                .iter()
                .map(|id| (id.clone(), per_instance.get(id).copied().unwrap_or(0)))
                .collect();
            assert!(spread(&counts) <= 1, "to {to}, zone {zone}: {counts:?}");
        }
    }
}

/// ECS.md §1.6: `spread` on `instanceId` stops tasks on the instance with the most of them.
#[test]
fn scale_in_with_spread_on_instance_id_keeps_instances_balanced() {
    let running = scaled_in(
        ", placementStrategy: [{type: spread, field: instanceId}]",
        13,
    );
    assert_eq!(running.len(), 13);
    assert!(spread(&count_by(&running, "instanceId")) <= 1);
}

/// ECS.md §1.6: `binpack` stops tasks on the instance with the most of the resource left,
/// emptying the least packed first: the tasks that stay are on as few instances as the
/// binpack placed them on, fullest first.
#[test]
fn scale_in_with_binpack_empties_the_least_packed_instances() {
    let running = scaled_in(", placementStrategy: [{type: binpack, field: memory}]", 10);
    assert_eq!(running.len(), 10);
    // 40 tasks of 512 MiB binpacked fill 2 instances (up to 32 tasks each by CPU); scaling
    // in to 10 stops the tasks of the instance with more memory left first, so the 10 left
    // share one instance.
    assert_eq!(count_by(&running, "instanceId").len(), 1);
}

/// A leading `spread` on the zone with a `binpack` after it: the zones stay balanced.
#[test]
fn scale_in_with_zone_spread_then_binpack_keeps_zones_balanced() {
    let running = scaled_in(
        ", placementStrategy: [{type: spread, field: 'attribute:ecs.availability-zone'}, {type: binpack, field: cpu}]",
        11,
    );
    assert_eq!(running.len(), 11);
    assert!(spread(&count_by(&running, "availabilityZone")) <= 1);
}
