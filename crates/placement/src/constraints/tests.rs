//! distinctInstance and memberOf rule instances out, and name themselves when they rule
//! out the last one.

use cluster::placement::{Placement, PlacementFailure};
use cluster::query::Expression;
use cluster::spec::{ConstraintSpec, PlacementSpec, SpreadField, StrategySpec};

use crate::fixture::{host, Fixture, Host};
use crate::{build, DefaultStrategy};

fn member_of(source: &str) -> ConstraintSpec {
    match Expression::parse(source) {
        Ok(expression) => ConstraintSpec::MemberOf(expression),
        Err(error) => panic!("`{source}`: {error}"),
    }
}

/// `spread(instanceId)` with `constraints`, so the survivors are visible in the order the
/// fixture's tasks leave them.
fn constrained(constraints: Vec<ConstraintSpec>) -> Placement {
    let spec = PlacementSpec {
        strategies: vec![StrategySpec::Spread(SpreadField::InstanceId)],
        constraints,
    };
    build(&spec, &[], DefaultStrategy::Service)
}

#[track_caller]
fn check(fixture: &mut Fixture, constraints: Vec<ConstraintSpec>, count: u32, expected: &str) {
    assert_eq!(
        fixture.place_tasks("web", &constrained(constraints), count),
        expected
    );
}

fn three_zones() -> Fixture {
    let hosts = [
        host('a'),
        Host {
            attributes: &[("stack", "prod")],
            ..host('b')
        },
        host('c'),
    ];
    Fixture::new(&hosts, 256, 512)
}

#[test]
fn distinct_instance_allows_one_task_of_the_group_per_instance() {
    let mut fixture = three_zones();
    fixture.add_task("api", 1);
    fixture.add_task("web", 2);
    check(
        &mut fixture,
        vec![ConstraintSpec::DistinctInstance],
        3,
        "i-1 i-3 !DistinctInstance constraint",
    );
}

#[test]
fn member_of_keeps_the_instances_that_match() {
    let mut fixture = three_zones();
    let in_b_or_c = member_of("attribute:ecs.availability-zone in [us-east-1b, us-east-1c]");
    check(&mut fixture, vec![in_b_or_c], 3, "i-2 i-3 i-2");
    check(
        &mut fixture,
        vec![member_of("attribute:stack == prod")],
        2,
        "i-2 i-2",
    );
    check(
        &mut fixture,
        vec![member_of("attribute:stack == test")],
        1,
        "!MemberOf constraint",
    );
}

#[test]
fn member_of_task_group_gives_affinity_and_anti_affinity() {
    let mut fixture = three_zones();
    fixture.add_task("api", 3);
    check(
        &mut fixture,
        vec![member_of("task:group == service:api")],
        2,
        "i-3 i-3",
    );
    check(
        &mut fixture,
        vec![member_of("not(task:group == service:api)")],
        2,
        "i-1 i-2",
    );
}

#[test]
fn member_of_reads_running_tasks_count() {
    let mut fixture = three_zones();
    fixture.add_task("api", 1);
    check(
        &mut fixture,
        vec![member_of("runningTasksCount == 0")],
        3,
        "i-2 i-3 !MemberOf constraint",
    );
}

#[test]
fn the_constraint_that_rules_out_the_last_candidate_names_the_failure() {
    let mut fixture = three_zones();
    fixture.add_task("web", 2);
    let in_b = member_of("attribute:ecs.availability-zone == us-east-1b");
    let request = build(
        &PlacementSpec {
            strategies: Vec::new(),
            constraints: vec![ConstraintSpec::DistinctInstance],
        },
        &[in_b],
        DefaultStrategy::Service,
    );
    assert_eq!(
        fixture.place("web", &request),
        Err(PlacementFailure::Constraint("MemberOf constraint"))
    );
}

#[test]
fn resources_are_checked_before_constraints() {
    let mut fixture = Fixture::new(&[host('a')], 256, 8192);
    assert_eq!(
        fixture.place(
            "web",
            &constrained(vec![member_of("runningTasksCount == 5")])
        ),
        Err(PlacementFailure::Memory)
    );
}
