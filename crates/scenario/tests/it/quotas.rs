//! `parameters.quotas` (ECS's default service quotas, ECS.md §4.1, which a scenario may
//! raise) and `outputs:` (the files a run writes).

use std::path::Path;

use scenario::{Output, Quotas};

use crate::error_text;

/// A cluster of `instances` in one Auto Scaling group, then `rest` verbatim.
fn cluster_of(instances: u32, rest: &str) -> String {
    format!(
        "duration: 1h
cluster:
  availabilityZones: [a, b, c]
  instanceTypes: [{{name: node, cpu: 4096, memory: 16384, enis: 3}}]
  autoScalingGroups:
    - {{name: nodes, instanceType: node, desiredCapacity: {instances}}}
{rest}"
    )
}

fn load(text: &str, sets: &[&str]) -> Result<scenario::Scenario, String> {
    let sets: Vec<String> = sets.iter().map(|set| set.to_string()).collect();
    scenario::load_str(text, Path::new("q.yaml"), &sets).map_err(|errors| error_text(&errors))
}

#[test]
fn the_default_quota_holds_5000_instances_and_refuses_5001() {
    let scenario = load(&cluster_of(5_000, ""), &[]).unwrap_or_else(|errors| panic!("{errors}"));
    assert_eq!(scenario.quotas, Quotas::default());
    assert_eq!(
        Quotas::default(),
        Quotas {
            container_instances_per_cluster: 5_000,
            tasks_per_service: 5_000,
            services_per_cluster: 5_000,
        }
    );
    assert_eq!(
        load(&cluster_of(5_001, ""), &[]).expect_err("over the default quota"),
        "q.yaml:6:58: cluster.autoScalingGroups[0].desiredCapacity: the cluster would have 5001 \
         container instances, which exceeds the quota of 5000 container instances per cluster \
         (parameters.quotas.containerInstancesPerCluster); raise that quota, up to 10000000, to \
         allow more"
    );
}

#[test]
fn a_raised_quota_accepts_100000_instances_wherever_it_stands() {
    // After the cluster it bounds, and beside other parameters.
    let text = cluster_of(
        100_000,
        "parameters:\n  schedulerInterval: 1s\n  quotas: {containerInstancesPerCluster: 100000}\n",
    );
    let scenario = load(&text, &[]).unwrap_or_else(|errors| panic!("{errors}"));
    assert_eq!(
        scenario.quotas,
        Quotas {
            container_instances_per_cluster: 100_000,
            ..Quotas::default()
        }
    );
    assert_eq!(
        scenario.cluster.auto_scaling_groups[0].desired_capacity,
        100_000
    );
    assert_eq!(scenario.parameters.scheduler_interval_ms, 1_000);
    let resolved = scenario::resolved_yaml(&scenario);
    assert!(
        resolved.contains("  quotas:\n    containerInstancesPerCluster: 100000\n"),
        "{resolved}"
    );
}

#[test]
fn a_quota_can_be_raised_with_set() {
    let set = "parameters.quotas.containerInstancesPerCluster=100000";
    let scenario =
        load(&cluster_of(100_000, ""), &[set]).unwrap_or_else(|errors| panic!("{errors}"));
    assert_eq!(scenario.quotas.container_instances_per_cluster, 100_000);
    // Also beside parameters the file already has.
    let text = cluster_of(100_000, "parameters: {tieBreak: stable}\n");
    let scenario = load(&text, &[set]).unwrap_or_else(|errors| panic!("{errors}"));
    assert_eq!(scenario.quotas.container_instances_per_cluster, 100_000);
    assert_eq!(
        scenario.parameters.tie_break,
        cluster::spec::TieBreak::Stable
    );
}

#[test]
fn an_invalid_quota_is_a_located_error_reported_once() {
    let text = cluster_of(
        9_000,
        "parameters:\n  quotas:\n    containerInstancesPerCluster: 0\n",
    );
    // Only the quota is reported: 9,000 instances are not checked against a broken quota.
    assert_eq!(
        load(&text, &[]).expect_err("0 is no quota"),
        "q.yaml:9:35: parameters.quotas.containerInstancesPerCluster: expected a whole number \
         from 1 to 10000000, found \"0\""
    );
    for (value, found) in [
        ("lots", "\"lots\""),
        ("2.5", "\"2.5\""),
        ("'100'", "\"100\""),
    ] {
        assert_eq!(
            load(
                &cluster_of(1, ""),
                &[&format!("parameters.quotas.tasksPerService={value}")]
            )
            .expect_err("not a whole number"),
            format!(
                "q.yaml: --set parameters.quotas.tasksPerService: parameters.quotas.tasksPerService: \
                 expected a whole number from 1 to 10000000, found {found}"
            )
        );
    }
}

#[test]
fn lowered_quotas_bound_services_and_their_tasks() {
    let text = cluster_of(
        3,
        "taskDefinitions: [{family: web, containerDefinitions: [{name: app, memory: 128}]}]
services:
  - {serviceName: web, taskDefinition: web, desiredCount: 3}
parameters: {quotas: {tasksPerService: 3, servicesPerCluster: 1}}
",
    );
    let scenario = load(&text, &[]).unwrap_or_else(|errors| panic!("{errors}"));
    assert_eq!(scenario.services[0].desired_count, 3);
    assert_eq!(
        (
            scenario.quotas.tasks_per_service,
            scenario.quotas.services_per_cluster
        ),
        (3, 1)
    );
    assert!(load(&text, &["services[0].desiredCount=4"]).is_err());
    assert!(load(
        &text,
        &["services[1]={serviceName: api, taskDefinition: web, desiredCount: 1}"]
    )
    .is_err());
}

#[test]
fn outputs_default_to_every_file_in_order() {
    let scenario = load(&cluster_of(1, ""), &[]).unwrap_or_else(|errors| panic!("{errors}"));
    assert_eq!(scenario.outputs, Output::ALL.to_vec());
    let names: Vec<&str> = Output::ALL
        .iter()
        .map(|output| output.file_name())
        .collect();
    assert_eq!(
        names,
        [
            "events.csv",
            "tasks.csv",
            "instances.csv",
            "placement_failures.csv",
            "deployments.csv",
            "episodes.csv",
            "services.csv",
            "groups.csv",
            "summary.json",
            "timeseries.csv",
            "report.html"
        ]
    );
}

#[test]
fn outputs_are_sorted_and_deduplicated() {
    let cases: [(&str, &[Output]); 5] = [
        (
            "outputs: [summary, services, summary]\n",
            &[Output::Services, Output::Summary],
        ),
        ("outputs: all\n", &Output::ALL),
        ("outputs: [services, all]\n", &Output::ALL),
        ("outputs: summary\n", &[Output::Summary]),
        (
            "outputs:\n  - placement_failures\n  - Events\n",
            &[Output::Events, Output::PlacementFailures],
        ),
    ];
    for (rest, expected) in cases {
        let scenario = load(&cluster_of(1, rest), &[]).unwrap_or_else(|errors| panic!("{errors}"));
        assert_eq!(scenario.outputs, expected, "{rest}");
    }
    let scenario = load(
        &cluster_of(1, "outputs: [events]\n"),
        &["outputs=[services, summary]"],
    )
    .unwrap_or_else(|errors| panic!("{errors}"));
    assert_eq!(scenario.outputs, [Output::Services, Output::Summary]);
    let resolved = scenario::resolved_yaml(&scenario);
    assert!(
        resolved.ends_with("outputs:\n- services.csv\n- summary.json\n"),
        "{resolved}"
    );
}

#[test]
fn an_unknown_output_is_a_located_error() {
    assert_eq!(
        load(&cluster_of(1, "outputs: [services, sumary]\n"), &[]).expect_err("a typo"),
        "q.yaml:7:21: outputs[1]: unknown output \"sumary\"; did you mean summary?"
    );
    assert_eq!(
        scenario::parse_outputs("services,graphs"),
        Err(
            "unknown output \"graphs\"; expected a comma-separated list of events, tasks, \
             instances, placement_failures, deployments, episodes, services, groups, summary, timeseries, report or all"
                .to_string()
        )
    );
}
