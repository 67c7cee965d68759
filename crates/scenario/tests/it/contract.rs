//! The scenario contract's own example (SCENARIO.md, with its actions block) validates
//! with nothing refused, and the resolved view of every lifecycle field matches its golden
//! file (`UPDATE_EXPECT=1 cargo test -p scenario` rewrites it; review the diff).

use std::fs;

use cluster::ids::{ServiceId, TaskDefId};
use cluster::spec::{Action, FaultKind, Schedule, SchedulingStrategy};

use crate::{data, error_text};

#[test]
fn the_contract_example_validates_with_nothing_refused() {
    let path = data("contract/scenario.yaml");
    let scenario =
        scenario::load(&path, &[]).unwrap_or_else(|errors| panic!("{}", error_text(&errors)));
    assert_eq!(scenario.name, "three-az-web");
    assert_eq!(
        scenario
            .task_definitions
            .iter()
            .map(|definition| definition.name())
            .collect::<Vec<_>>(),
        ["web:1", "api:1", "web:2", "nightly-batch:1", "report:1"]
    );
    let web = &scenario.services[0];
    assert_eq!(web.scheduling_strategy, SchedulingStrategy::Replica);
    assert!(web.deployment_configuration.circuit_breaker.enable);
    assert!(web.deployment_configuration.circuit_breaker.rollback);
    assert_eq!(web.health_check_grace_period_ms, 60_000);
    assert_eq!(web.load_balancers.len(), 1);
    let target_groups: Vec<&str> = scenario
        .target_groups
        .iter()
        .map(|group| group.name.as_str())
        .collect();
    assert_eq!(target_groups, ["web-tg", "api-tg"]);
    assert_eq!(
        scenario.scheduled_tasks[0].schedule,
        Schedule::parse("cron(0 * * * ? *)").expect("the contract's schedule parses")
    );
    assert_eq!(scenario.actions.len(), 4);
    assert_eq!(
        scenario.actions[0].action,
        Action::UpdateService {
            service: ServiceId(0),
            task_definition: Some(TaskDefId(2)),
            desired_count: Some(9),
            force_new_deployment: false,
            deployment_configuration: Default::default(),
            health_check_grace_period_ms: None,
        }
    );
    assert!(matches!(
        scenario.faults[4].kind,
        FaultKind::SpotInterruption { .. }
    ));
    assert!(scenario::warnings(&scenario).is_empty());

    // A capacity provider strategy names a provider of the cluster (ECS.md §5.5).
    let set =
        ["services[0].capacityProviderStrategy=[{capacityProvider: cp, weight: 1}]".to_string()];
    let errors = scenario::load(&path, &set).expect_err("cp is not a provider of the cluster");
    assert_eq!(
        error_text(&errors),
        "tests/data/contract/scenario.yaml: --set services[0].capacityProviderStrategy: \
         services[0].capacityProviderStrategy[0].capacityProvider: unknown capacity provider \"cp\""
    );
    let set = [
        "cluster.capacityProviders=[{name: cp, autoScalingGroup: general, managedScaling: {status: ENABLED}}]"
            .to_string(),
        "services[0].capacityProviderStrategy=[{capacityProvider: cp, weight: 1}]".to_string(),
    ];
    let scenario = match scenario::load(&path, &set) {
        Ok(scenario) => scenario,
        Err(errors) => panic!("{}", error_text(&errors)),
    };
    assert_eq!(scenario.cluster.capacity_providers[0].name, "cp");
    assert_eq!(scenario.services[0].capacity_provider_strategy.len(), 1);
}

#[test]
fn the_resolved_view_shows_every_lifecycle_field() {
    let path = data("resolved/lifecycle.yaml");
    let scenario =
        scenario::load(&path, &[]).unwrap_or_else(|errors| panic!("{}", error_text(&errors)));
    let got = scenario::resolved_yaml(&scenario);
    let expected_path = data("resolved/lifecycle.resolved");
    if std::env::var_os("UPDATE_EXPECT").is_some() {
        fs::write(&expected_path, &got).expect("writable expected file");
        return;
    }
    let expected = fs::read_to_string(&expected_path).unwrap_or_default();
    assert!(
        expected == got,
        "{} differs; got:\n{got}",
        expected_path.display()
    );
    // The resolved view is itself valid YAML.
    let value: serde_yaml::Value = serde_yaml::from_str(&got).expect("valid YAML");
    assert_eq!(value["parameters"]["startTime"], "2026-06-01T09:30:00Z");
}
