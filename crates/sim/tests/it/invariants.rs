//! Invariants over many random scenarios: each seed generates a small cluster and workload,
//! turning whole fault kinds on or off (swarm testing), and `check_invariants` runs after
//! every event. Reproduce one failure with `SIM_SEED=<n> cargo test -p sim --test it invariants`.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::support::{run_checked, scenario};

pub(crate) fn seeds() -> Vec<u64> {
    if let Some(seed) = std::env::var("SIM_SEED").ok().and_then(|s| s.parse().ok()) {
        return vec![seed];
    }
    let count = std::env::var("SIM_SEEDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(300);
    (0..count).collect()
}

/// A random but valid scenario for `seed`.
pub(crate) fn generate(seed: u64) -> String {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let zones = ["z-a", "z-b", "z-c"];
    let n_zones = rng.random_range(1..=3usize);
    let zone_list = zones[..n_zones].join(", ");
    let types = ["t3.medium", "m5.large", "c5.xlarge", "lab.tiny"];
    let mut yaml = format!(
        "name: random-{seed}\nduration: {}h\nparameters: {{tieBreak: {}, maxPercentCountsStopping: {}}}\n\
         cluster:\n  availabilityZones: [{zone_list}]\n  instanceTypes:\n    - {{name: lab.tiny, cpu: 1024, memory: 1000, enis: 2}}\n  autoScalingGroups:\n",
        rng.random_range(2..30u32),
        if rng.random_bool(0.5) { "random" } else { "stable" },
        rng.random_bool(0.7),
    );
    for asg in 0..rng.random_range(1..=2) {
        yaml += &format!(
            "    - {{name: asg{asg}, instanceType: {}, desiredCapacity: {}, replacementDelay: {}s}}\n",
            types[rng.random_range(0..types.len())],
            rng.random_range(0..7u32),
            rng.random_range(1..600u32),
        );
    }
    if rng.random_bool(0.5) {
        yaml += &format!(
            "  instances:\n    - {{instanceType: m5.large, availabilityZone: {}, count: {}}}\n",
            zones[rng.random_range(0..n_zones)],
            rng.random_range(1..3u32)
        );
    }
    yaml += "taskDefinitions:\n";
    let modes = ["bridge", "host", "awsvpc"];
    let n_families = rng.random_range(1..=3);
    for family in 0..n_families {
        let mode = modes[rng.random_range(0..modes.len())];
        let port = match (mode, rng.random_range(0..3)) {
            ("host", _) | (_, 0) => format!("[{{containerPort: {}}}]", 8000 + family),
            ("bridge", 1) => format!("[{{containerPort: 80, hostPort: {}}}]", 8080 + family),
            _ => "[]".to_string(),
        };
        let runtime = if rng.random_bool(0.5) {
            format!(
                ", runtime: {{exponential: {{mean: {}m}}}}",
                rng.random_range(5..300u32)
            )
        } else {
            String::new()
        };
        yaml += &format!(
            "  - family: f{family}\n    networkMode: {mode}\n    containerDefinitions:\n      - {{name: main, cpu: {}, memory: {}, portMappings: {port}}}\n      - {{name: side, cpu: 0, memoryReservation: 32, essential: false}}\n    simulation: {{startupTime: {{uniform: {{min: 1s, max: 40s}}}}, shutdownTime: {{uniform: {{min: 0s, max: 60s}}}}{runtime}}}\n",
            rng.random_range(0..4u32) * 256,
            rng.random_range(1..8u32) * 128,
        );
    }
    yaml += "services:\n";
    for service in 0..rng.random_range(1..=3) {
        let strategies = [
            "[]",
            "[{type: binpack, field: memory}]",
            "[{type: spread, field: attribute:ecs.availability-zone}, {type: binpack, field: cpu}]",
            "[{type: random}]",
            "[{type: spread, field: instanceId}]",
        ];
        let constraints = if rng.random_bool(0.3) {
            "[{type: distinctInstance}]"
        } else {
            "[]"
        };
        yaml += &format!(
            "  - {{serviceName: s{service}, taskDefinition: f{}, desiredCount: {}, placementStrategy: {}, placementConstraints: {constraints}, deploymentConfiguration: {{maximumPercent: {}}}}}\n",
            rng.random_range(0..n_families),
            rng.random_range(0..12u32),
            strategies[rng.random_range(0..strategies.len())],
            [100, 150, 200][rng.random_range(0..3)],
        );
    }
    if rng.random_bool(0.5) {
        yaml += &format!(
            "runTasks:\n  - {{taskDefinition: f0, count: {}, at: 10m, every: {}h}}\n",
            rng.random_range(1..=10u32),
            rng.random_range(1..5u32)
        );
    }
    yaml += "faults:\n";
    // Swarm testing: each fault kind is on or off for the whole run.
    let mut any = false;
    if rng.random_bool(0.6) {
        any = true;
        yaml += &format!(
            "  - {{kind: instanceFailure, mtbf: {}h}}\n",
            rng.random_range(1..48u32)
        );
    }
    if rng.random_bool(0.5) {
        any = true;
        yaml += &format!(
            "  - {{kind: instanceFailure, at: {}m, count: 2}}\n",
            rng.random_range(0..600u32)
        );
    }
    if rng.random_bool(0.6) {
        any = true;
        yaml += &format!(
            "  - {{kind: taskExit, taskDefinition: f0, mtbf: {}m, exitCode: 137}}\n",
            rng.random_range(10..600u32)
        );
    }
    if rng.random_bool(0.5) {
        any = true;
        yaml += &format!(
            "  - {{kind: zoneOutage, availabilityZone: z-a, at: {}m, duration: {}m}}\n",
            rng.random_range(0..600u32),
            rng.random_range(1..180u32)
        );
    }
    if rng.random_bool(0.3) {
        any = true;
        yaml += "  - {kind: zoneOutage, availabilityZone: z-a, mtbf: 6h, duration: 30m}\n";
    }
    if !any {
        yaml = yaml.trim_end_matches("faults:\n").to_string();
    }
    yaml
}

#[test]
fn invariants_hold_after_every_event_in_random_scenarios() {
    for seed in seeds() {
        let text = generate(seed);
        let loaded = scenario(&text);
        let outcome = std::panic::catch_unwind(|| run_checked(&loaded, seed));
        if outcome.is_err() {
            panic!(
                "invariant broken: reproduce with SIM_SEED={seed} cargo test -p sim --test it invariants\nscenario:\n{text}"
            );
        }
    }
}
