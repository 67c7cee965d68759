//! spread: even out the request's group over a field's values.

use cluster::instance::ATTRIBUTE_ZONE;
use cluster::placement::Placement;
use cluster::spec::{PlacementSpec, SpreadField, StrategySpec};

use crate::fixture::{host, Fixture, Host};
use crate::{build, DefaultStrategy};

fn spread(field: &str) -> Placement {
    let field = match field {
        "instanceId" => SpreadField::InstanceId,
        _ => SpreadField::Attribute(field.to_string()),
    };
    let spec = PlacementSpec {
        strategies: vec![StrategySpec::Spread(field)],
        constraints: Vec::new(),
    };
    build(&spec, &[], DefaultStrategy::Service)
}

/// Places `count` tasks of `service:web` with `spread(field)` and checks where they went
/// and the resulting per-zone counts.
#[track_caller]
fn check(fixture: &mut Fixture, field: &str, count: u32, placed: &str, per_zone: &str) {
    assert_eq!(fixture.place_tasks("web", &spread(field), count), placed);
    assert_eq!(fixture.per_zone("web"), per_zone);
}

#[test]
fn instance_id_balances_instances() {
    let mut fixture = Fixture::new(&[host('a'), host('a'), host('b')], 256, 512);
    check(
        &mut fixture,
        "instanceId",
        7,
        "i-1 i-2 i-3 i-1 i-2 i-3 i-1",
        "a=5 b=2 c=0",
    );
    assert_eq!(fixture.per_instance("web"), "i-1=3 i-2=2 i-3=2");
}

#[test]
fn zone_balances_a_batch_across_zones() {
    // Zone a has three instances and c one; the zones still get two tasks each.
    let hosts = [host('a'), host('a'), host('a'), host('b'), host('c')];
    let mut fixture = Fixture::new(&hosts, 256, 512);
    check(
        &mut fixture,
        ATTRIBUTE_ZONE,
        6,
        "i-1 i-4 i-5 i-1 i-4 i-5",
        "a=2 b=2 c=2",
    );
}

#[test]
fn a_zone_without_candidates_is_ignored() {
    // No instance in zone c (A17): a and b share the tasks and nothing fails.
    let mut fixture = Fixture::new(&[host('a'), host('b')], 256, 512);
    check(
        &mut fixture,
        ATTRIBUTE_ZONE,
        4,
        "i-1 i-2 i-1 i-2",
        "a=2 b=2 c=0",
    );
}

#[test]
fn tasks_on_full_instances_still_count_for_their_zone() {
    // i-1 is full after its one task but zone a keeps that task, so b goes first.
    let hosts = [
        Host {
            memory_mib: 512,
            ..host('a')
        },
        host('a'),
        host('b'),
    ];
    let mut fixture = Fixture::new(&hosts, 256, 512);
    fixture.add_task("web", 1);
    check(&mut fixture, ATTRIBUTE_ZONE, 2, "i-3 i-2", "a=2 b=1 c=0");
}

#[test]
fn only_the_requests_group_counts() {
    let mut fixture = Fixture::new(&[host('a'), host('b')], 256, 512);
    fixture.add_task("api", 1);
    fixture.add_task("api", 1);
    fixture.add_task("web", 2);
    check(&mut fixture, ATTRIBUTE_ZONE, 1, "i-1", "a=1 b=1 c=0");
    check(&mut fixture, "instanceId", 1, "i-1", "a=2 b=1 c=0");
}

#[test]
fn a_custom_attribute_balances_its_values() {
    // Racks r1 (two instances) and r2 (one), and i-4 with no rack, which is one more value.
    let hosts = [
        Host {
            attributes: &[("rack", "r1")],
            ..host('a')
        },
        Host {
            attributes: &[("rack", "r1")],
            ..host('b')
        },
        Host {
            attributes: &[("rack", "r2")],
            ..host('c')
        },
        host('a'),
    ];
    let mut fixture = Fixture::new(&hosts, 256, 512);
    check(
        &mut fixture,
        "rack",
        6,
        "i-1 i-3 i-4 i-1 i-3 i-4",
        "a=4 b=0 c=2",
    );
    // r1's two instances share one count: a task on i-2 makes i-1 less attractive too.
    let mut fixture = Fixture::new(&hosts, 256, 512);
    fixture.add_task("web", 2);
    check(&mut fixture, "rack", 1, "i-3", "a=0 b=1 c=1");
}

#[test]
fn the_zone_attribute_agrees_with_the_general_path() {
    // `ecs.availability-zone` takes a fast path; an attribute holding the same values
    // through the general path must choose the same instances.
    let zoned = |zone| Host {
        attributes: match zone {
            'a' => &[("zone-copy", "us-east-1a")],
            'b' => &[("zone-copy", "us-east-1b")],
            _ => &[("zone-copy", "us-east-1c")],
        },
        ..host(zone)
    };
    let hosts = [zoned('a'), zoned('b'), zoned('b'), zoned('c'), zoned('a')];
    let mut fast = Fixture::new(&hosts, 256, 512);
    let mut general = Fixture::new(&hosts, 256, 512);
    fast.add_task("web", 2);
    general.add_task("web", 2);
    assert_eq!(
        fast.place_tasks("web", &spread(ATTRIBUTE_ZONE), 8),
        general.place_tasks("web", &spread("zone-copy"), 8)
    );
}
