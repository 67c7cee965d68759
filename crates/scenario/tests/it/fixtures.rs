//! Every fixture of `tests/data/fixtures/` loads, with the footprints and health checks of
//! its SOURCES.md table; both service fixtures load, the Mysfits one's capacity provider
//! strategy once the cluster has the provider it names.

use cluster::spec::{
    CircuitBreaker, ConstraintSpec, ContainerHealthCheck, DeploymentConfiguration,
    LoadBalancerSpec, NetworkMode, Protocol, Resource, SchedulingStrategy, SpreadField,
    StrategySpec, TargetGroupSpec,
};

use crate::{data, error_text};

/// (family, cpu units, memory MiB, essential containers, (container port, host port) list)
type Footprint<'a> = (&'a str, u32, u32, &'a [&'a str], &'a [(u16, Option<u16>)]);

#[test]
fn task_definition_fixtures_load_with_their_footprints() {
    let scenario = match scenario::load(&data("fixtures.yaml"), &[]) {
        Ok(scenario) => scenario,
        Err(errors) => panic!("{}", error_text(&errors)),
    };
    let expected: &[Footprint] = &[
        ("nginx", 256, 256, &["nginx"], &[(80, None)]),
        ("consulServer", 128, 64, &["consulServer"], &[]),
        (
            "firelens-example-cloudwatch",
            0,
            150,
            &["log_router", "app"],
            &[],
        ),
        (
            "appmesh-firelens-colorteller-black",
            1024,
            2048,
            &["log_router", "app", "envoy"],
            &[(9080, None), (9901, None), (15000, None), (15001, None)],
        ),
        ("ecsftest-oom-task", 1, 64, &["error"], &[]),
        ("katsubushi", 1024, 2048, &["katsubushi"], &[(11212, None)]),
        (
            "instances-production-app",
            256,
            512,
            &["instances-app"],
            &[(8080, None)],
        ),
        (
            "terraform-alb",
            256,
            512,
            &["${container_name}"],
            &[(2368, None)],
        ),
    ];
    assert_eq!(scenario.task_definitions.len(), expected.len());
    for (definition, (family, cpu_units, memory_mib, essential, ports)) in
        scenario.task_definitions.iter().zip(expected)
    {
        let found_essential: Vec<&str> = definition
            .container_definitions
            .iter()
            .filter(|container| container.essential)
            .map(|container| container.name.as_str())
            .collect();
        let found_ports: Vec<(u16, Option<u16>)> = definition
            .container_definitions
            .iter()
            .flat_map(|container| &container.port_mappings)
            .map(|mapping| (mapping.container_port, mapping.host_port))
            .collect();
        assert_eq!(
            (
                definition.family.as_str(),
                definition.cpu_units,
                definition.memory_mib,
                found_essential,
                found_ports
            ),
            (
                *family,
                *cpu_units,
                *memory_mib,
                essential.to_vec(),
                ports.to_vec()
            ),
        );
        assert_eq!(definition.revision, 1);
    }
    let consul = &scenario.task_definitions[1];
    assert_eq!(consul.network_mode, NetworkMode::Host);
    assert_eq!(consul.container_definitions[0].memory_mib, Some(256));
    assert_eq!(
        consul.container_definitions[0].memory_reservation_mib,
        Some(64)
    );
    assert_eq!(
        scenario.task_definitions[3].network_mode,
        NetworkMode::Awsvpc
    );
    assert!(scenario.task_definitions[3].needs_eni());
    assert_eq!(
        scenario.task_definitions[0]
            .dynamic_host_ports()
            .collect::<Vec<_>>(),
        vec![Protocol::Tcp]
    );
    assert_eq!(
        scenario.task_definitions[7].workload.startup,
        des::Distribution::Fixed { ms: 5_000 },
        "YAML fields beside file: apply"
    );
    // Container health checks as SOURCES.md lists them (ECS.md §3.5: startPeriod off
    // unless given).
    let health_checks: Vec<(&str, &str, Option<ContainerHealthCheck>)> = scenario
        .task_definitions
        .iter()
        .flat_map(|definition| {
            definition.container_definitions.iter().map(|container| {
                (
                    definition.family.as_str(),
                    container.name.as_str(),
                    container.health_check,
                )
            })
        })
        .filter(|(_, _, check)| check.is_some())
        .collect();
    let check = |interval_s: u64, timeout_s: u64, retries: u32, start_period_s: u64| {
        Some(ContainerHealthCheck {
            interval_ms: interval_s * 1000,
            timeout_ms: timeout_s * 1000,
            retries,
            start_period_ms: start_period_s * 1000,
        })
    };
    assert_eq!(
        health_checks,
        [
            (
                "firelens-example-cloudwatch",
                "log_router",
                check(10, 5, 2, 30)
            ),
            (
                "appmesh-firelens-colorteller-black",
                "envoy",
                check(5, 2, 3, 0)
            ),
            (
                "instances-production-app",
                "instances-app",
                check(300, 60, 5, 30)
            ),
        ]
    );

    let own = &scenario.services[0];
    assert_eq!((own.service_name.as_str(), own.desired_count), ("own", 3));
    assert_eq!(own.task_definition.0, 0);
    assert_eq!(
        own.placement.strategies,
        vec![
            StrategySpec::Spread(SpreadField::Attribute("ecs.availability-zone".to_string())),
            StrategySpec::Binpack(Resource::Memory),
        ]
    );
    assert_eq!(own.placement.constraints.len(), 2);
    assert_eq!(
        own.placement.constraints[0],
        ConstraintSpec::DistinctInstance
    );
    assert_eq!(
        (
            own.deployment_configuration.minimum_healthy_percent,
            own.deployment_configuration.maximum_percent
        ),
        (50, 150)
    );
    let katsubushi = &scenario.services[1];
    assert_eq!(
        (katsubushi.task_definition.0, katsubushi.desired_count),
        (5, 2)
    );
}

#[test]
fn service_fixtures_load_and_their_capacity_provider_must_exist() {
    // The Mysfits service names a capacity provider the cluster here does not have.
    let errors = scenario::load(&data("fixtures_services.yaml"), &[])
        .expect_err("the capacity provider is not in the cluster");
    assert_eq!(
        error_text(&errors),
        "tests/data/fixtures/svc_mysfits_capacity_provider_spread_az.json:6:33: services[1].capacityProviderStrategy[0].capacityProvider: unknown capacity provider \"MythicalMysfits-CapacityProvider\""
    );
    for error in &errors.errors {
        assert!(error.line().is_some() && error.column().is_some());
    }

    // Without the capacity provider strategy, both load with every field read.
    let set = ["services[1].capacityProviderStrategy=null".to_string()];
    let scenario = match scenario::load(&data("fixtures_services.yaml"), &set) {
        Ok(scenario) => scenario,
        Err(errors) => panic!("{}", error_text(&errors)),
    };
    let ecspresso = &scenario.services[0];
    assert_eq!(
        (
            ecspresso.service_name.as_str(),
            ecspresso.desired_count,
            ecspresso.scheduling_strategy
        ),
        ("katsubushi", 2, SchedulingStrategy::Replica)
    );
    assert_eq!(
        ecspresso.deployment_configuration,
        DeploymentConfiguration {
            minimum_healthy_percent: 50,
            maximum_percent: 200,
            circuit_breaker: CircuitBreaker {
                enable: true,
                rollback: true
            },
        },
        "alarms are accepted and ignored"
    );
    assert_eq!(
        ecspresso.load_balancers,
        [LoadBalancerSpec {
            target_group: 0,
            container_name: "test".to_string(),
            container_port: 9999,
        }]
    );
    assert_eq!(ecspresso.health_check_grace_period_ms, 0);
    let mysfits = &scenario.services[1];
    assert_eq!(
        (mysfits.service_name.as_str(), mysfits.desired_count),
        ("MythicalMysfits-Service", 1)
    );
    assert_eq!(
        mysfits.placement.strategies,
        [StrategySpec::Spread(SpreadField::Attribute(
            "ecs.availability-zone".to_string()
        ))]
    );
    assert_eq!(
        mysfits.load_balancers,
        [LoadBalancerSpec {
            target_group: 1,
            container_name: "MythicalMysfits-Service".to_string(),
            container_port: 8080,
        }]
    );
    // Target groups named by ARN (its name part) or plainly, with ELB's defaults.
    assert_eq!(
        scenario.target_groups,
        [
            TargetGroupSpec::with_defaults("test".to_string()),
            TargetGroupSpec::with_defaults("REPLACE_ME_NLB_TARGET_GROUP_ARN".to_string()),
        ]
    );

    // With a cluster that has the provider, the strategy is read too (ECS.md §5.5: weight 1,
    // base 0 by default).
    let scenario = match scenario::load(&data("fixtures_capacity_provider.yaml"), &[]) {
        Ok(scenario) => scenario,
        Err(errors) => panic!("{}", error_text(&errors)),
    };
    assert_eq!(
        scenario.services[0].capacity_provider_strategy,
        [cluster::spec::CapacityProviderStrategyItem {
            capacity_provider: 0,
            base: 0,
            weight: 1,
        }]
    );
    let provider = &scenario.cluster.capacity_providers[0];
    assert_eq!(provider.name, "MythicalMysfits-CapacityProvider");
    assert!(provider.managed_termination_protection);
    assert_eq!(
        provider.managed_scaling,
        Some(cluster::spec::ManagedScaling::default())
    );
    // ECS managed draining is ENABLED by default: the group drains before terminating.
    assert!(scenario.cluster.auto_scaling_groups[0].managed_draining);
}
