//! binpack: the fullest instance that still fits wins.

use cluster::placement::Placement;
use cluster::spec::{PlacementSpec, Resource, StrategySpec};

use crate::fixture::{host, Fixture, Host};
use crate::{build, DefaultStrategy};

fn binpack(field: Resource) -> Placement {
    let spec = PlacementSpec {
        strategies: vec![StrategySpec::Binpack(field)],
        constraints: Vec::new(),
    };
    build(&spec, &[], DefaultStrategy::Service)
}

fn sized(zone: char, cpu_units: u32, memory_mib: u32) -> Host {
    Host {
        cpu_units,
        memory_mib,
        ..host(zone)
    }
}

/// Places `count` tasks of 256 CPU units and 1024 MiB one at a time.
#[track_caller]
fn check(hosts: &[Host], field: Resource, count: u32, expected: &str) {
    let mut fixture = Fixture::new(hosts, 256, 1024);
    assert_eq!(fixture.place_tasks("web", &binpack(field), count), expected);
}

#[test]
fn picks_the_fullest_instance_that_still_fits() {
    // i-1 has too little memory to be a candidate; i-3 is left with the least.
    let hosts = [
        sized('a', 2048, 512),
        sized('a', 2048, 4096),
        sized('b', 2048, 2048),
        sized('c', 2048, 3072),
    ];
    check(&hosts, Resource::Memory, 1, "i-3");
}

#[test]
fn fills_one_instance_before_the_next() {
    let hosts = [host('a'), host('b'), host('c')];
    check(
        &hosts,
        Resource::Memory,
        10,
        "i-1 i-1 i-1 i-1 i-2 i-2 i-2 i-2 i-3 i-3",
    );
    // Once everything is full the pipeline names the resource.
    check(
        &hosts,
        Resource::Memory,
        13,
        "i-1 i-1 i-1 i-1 i-2 i-2 i-2 i-2 i-3 i-3 i-3 i-3 !RESOURCE:MEMORY",
    );
}

#[test]
fn the_field_chooses_the_resource() {
    // i-1 is short of CPU, i-2 of memory.
    let hosts = [sized('a', 512, 4096), sized('b', 4096, 2048)];
    check(&hosts, Resource::Cpu, 1, "i-1");
    check(&hosts, Resource::Memory, 1, "i-2");
}

#[test]
fn tasks_already_running_count() {
    let mut fixture = Fixture::new(&[host('a'), host('b'), host('c')], 256, 1024);
    fixture.add_task("api", 3);
    assert_eq!(
        fixture.place_tasks("web", &binpack(Resource::Memory), 1),
        "i-3"
    );
}
