//! `build` and whole chains: ECS's defaults and its documented combinations.

use cluster::instance::ATTRIBUTE_ZONE;
use cluster::placement::Placement;
use cluster::query::Expression;
use cluster::spec::{ConstraintSpec, PlacementSpec, Resource, SpreadField, StrategySpec, TieBreak};

use crate::fixture::{host, Fixture, Host};
use crate::{build, DefaultStrategy};

fn spread_zone() -> StrategySpec {
    StrategySpec::Spread(SpreadField::Attribute(ATTRIBUTE_ZONE.to_string()))
}

fn chain(strategies: Vec<StrategySpec>) -> Placement {
    let spec = PlacementSpec {
        strategies,
        constraints: Vec::new(),
    };
    build(&spec, &[], DefaultStrategy::Service)
}

/// What `build` makes, as `strategies | constraints`.
#[track_caller]
fn check_build(
    spec: &PlacementSpec,
    task_definition: &[ConstraintSpec],
    default: DefaultStrategy,
    expected: &str,
) {
    let placement = build(spec, task_definition, default);
    let actual = format!("{:?} | {:?}", placement.strategies, placement.constraints);
    assert_eq!(actual, expected);
}

#[test]
fn build_fills_in_ecs_defaults_and_appends_task_definition_constraints() {
    let empty = PlacementSpec::default();
    check_build(
        &empty,
        &[],
        DefaultStrategy::Service,
        r#"[Spread { field: Attribute("ecs.availability-zone") }, Spread { field: InstanceId }] | []"#,
    );
    check_build(&empty, &[], DefaultStrategy::RunTask, "[Random] | []");
    let expression = Expression::parse("runningTasksCount < 3").map_err(|e| e.message);
    let Ok(expression) = expression else {
        panic!("{expression:?}");
    };
    let spec = PlacementSpec {
        strategies: vec![StrategySpec::Binpack(Resource::Cpu)],
        constraints: vec![ConstraintSpec::DistinctInstance],
    };
    let placement = build(
        &spec,
        &[ConstraintSpec::MemberOf(expression)],
        DefaultStrategy::RunTask,
    );
    let actual = format!("{:?} | {:?}", placement.strategies, placement.constraints);
    assert!(
        actual.starts_with("[Binpack { field: Cpu }] | [DistinctInstance, MemberOf { expression: Expression { source: \"runningTasksCount < 3\""),
        "{actual}"
    );
}

#[test]
fn default_service_chain_prefers_the_emptiest_zone() {
    // ECS.md §1.6: zone A has one task, B and C none, so B or C is chosen.
    let hosts = [host('a'), host('a'), host('b'), host('b'), host('c')];
    let placement = build(&PlacementSpec::default(), &[], DefaultStrategy::Service);
    for seed in 0..20 {
        let mut fixture = Fixture::with_tie_break(&hosts, 256, 512, TieBreak::Random, seed);
        fixture.add_task("web", 1);
        let chosen = fixture.place("web", &placement).map(|id| fixture.name(id));
        assert!(
            matches!(chosen.as_deref(), Ok("i-3" | "i-4" | "i-5")),
            "seed={seed}: {chosen:?}"
        );
    }
}

#[test]
fn default_service_chain_balances_zones_then_instances() {
    let hosts = [
        host('a'),
        host('a'),
        host('b'),
        host('b'),
        host('c'),
        host('c'),
    ];
    let placement = build(&PlacementSpec::default(), &[], DefaultStrategy::Service);
    let mut fixture = Fixture::new(&hosts, 256, 512);
    assert_eq!(
        fixture.place_tasks("web", &placement, 9),
        "i-1 i-3 i-5 i-2 i-4 i-6 i-1 i-3 i-5"
    );
    assert_eq!(fixture.per_zone("web"), "a=3 b=3 c=3");
    assert_eq!(
        fixture.per_instance("web"),
        "i-1=2 i-2=1 i-3=2 i-4=1 i-5=2 i-6=1"
    );
}

#[test]
fn spread_zone_then_binpack_memory_packs_within_zones() {
    let sized = |zone, memory_mib| Host {
        memory_mib,
        ..host(zone)
    };
    let hosts = [
        sized('a', 4096),
        sized('a', 2048),
        sized('b', 4096),
        sized('b', 3072),
    ];
    let placement = chain(vec![spread_zone(), StrategySpec::Binpack(Resource::Memory)]);
    let mut fixture = Fixture::new(&hosts, 256, 1024);
    // Each zone in turn; inside it the instance with the least memory left. Once i-2 is
    // full, zone a still has the fewest tasks and its only candidate is i-1.
    assert_eq!(
        fixture.place_tasks("web", &placement, 6),
        "i-2 i-4 i-2 i-4 i-4 i-1"
    );
    assert_eq!(fixture.per_zone("web"), "a=3 b=3 c=0");
}

#[test]
fn spread_zone_then_spread_instance_matches_the_default_chain() {
    let hosts = [host('a'), host('b'), host('b'), host('c')];
    let explicit = chain(vec![
        spread_zone(),
        StrategySpec::Spread(SpreadField::InstanceId),
    ]);
    let default = build(&PlacementSpec::default(), &[], DefaultStrategy::Service);
    let mut first = Fixture::new(&hosts, 256, 512);
    let mut second = Fixture::new(&hosts, 256, 512);
    assert_eq!(
        first.place_tasks("web", &explicit, 8),
        second.place_tasks("web", &default, 8)
    );
}
