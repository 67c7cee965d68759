//! random: uniform over the candidates it sees, and reproducible per seed.

use cluster::instance::ATTRIBUTE_ZONE;
use cluster::placement::Placement;
use cluster::spec::{PlacementSpec, SpreadField, StrategySpec, TieBreak};

use crate::fixture::{host, Fixture};
use crate::{build, DefaultStrategy};

fn chain(strategies: Vec<StrategySpec>) -> Placement {
    let spec = PlacementSpec {
        strategies,
        constraints: Vec::new(),
    };
    build(&spec, &[], DefaultStrategy::Service)
}

/// How often each of the fixture's instances is chosen in `draws` placements from the same
/// state (nothing is started), for `seed`.
fn histogram(fixture: &mut Fixture, placement: &Placement, draws: u32) -> Vec<u32> {
    let mut counts = vec![0; fixture.cluster.instances().len()];
    for _ in 0..draws {
        if let Ok(instance) = fixture.place("web", placement) {
            counts[instance.index()] += 1;
        }
    }
    counts
}

fn fixture(zones: &[char], seed: u64) -> Fixture {
    let hosts: Vec<_> = zones.iter().map(|&zone| host(zone)).collect();
    // The stable tie-break shows that `random` alone does the choosing.
    Fixture::with_tie_break(&hosts, 256, 512, TieBreak::Stable, seed)
}

#[track_caller]
fn check_uniform(counts: &[u32], expected_each: u32, tolerance: u32) {
    for &count in counts {
        assert!(
            count.abs_diff(expected_each) <= tolerance,
            "counts {counts:?}, expected about {expected_each} each"
        );
    }
}

#[test]
fn picks_uniformly() {
    let placement = chain(vec![StrategySpec::Random]);
    for seed in 0..5 {
        let counts = histogram(&mut fixture(&['a', 'a', 'b', 'c'], seed), &placement, 4000);
        // 4000 draws over 4: sd is about 27, so 150 is over five sd.
        check_uniform(&counts, 1000, 150);
    }
}

#[test]
fn is_deterministic_per_seed() {
    let placement = chain(vec![StrategySpec::Random]);
    let run = |seed| fixture(&['a', 'a', 'b', 'c', 'c'], seed).place_tasks("web", &placement, 12);
    assert_eq!(run(7), run(7));
    assert_ne!(run(7), run(8));
}

#[test]
fn after_spread_picks_uniformly_within_the_best_zone() {
    let placement = chain(vec![
        StrategySpec::Spread(SpreadField::Attribute(ATTRIBUTE_ZONE.to_string())),
        StrategySpec::Random,
    ]);
    let mut fixture = fixture(&['a', 'a', 'a', 'b', 'c'], 3);
    fixture.add_task("web", 4);
    fixture.add_task("web", 5);
    let counts = histogram(&mut fixture, &placement, 3000);
    assert_eq!(&counts[3..], [0, 0]);
    check_uniform(&counts[..3], 1000, 150);
}
