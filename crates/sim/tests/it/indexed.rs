//! The ordered indexes decide exactly as the plain scan does (ARCHITECTURE.md,
//! "Placement"): on random clusters (zones, instance sizes, ENIs, attributes, fixed and Auto
//! Scaling instances that fail and are replaced), random task definitions (sizes, static and
//! dynamic host ports, awsvpc), random chains and constraints and both tie-breaks, every
//! decision the indexes make is the scan's, drawn with the same random numbers; and so is
//! every explanation's (`cluster::explain`).
//! Reproduce one case with `SIM_SEED=<n> cargo test -p sim --test it indexed`; run more
//! cases (seeds `0..n`, 300 by default) with `SIM_CASES=<n>`.

use cluster::change::Discard;
use cluster::cluster::{Cluster, Ctx};
use cluster::event::Event;
use cluster::explain::{explain_placement, StepKind};
use cluster::ids::{ServiceId, TaskDefId};
use cluster::index::place_indexed;
use cluster::placement::{place_scan, PlacementRequest};
use des::{rng, Queue, Stream};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::support::scenario;

fn seeds() -> Vec<u64> {
    if let Some(seed) = std::env::var("SIM_SEED").ok().and_then(|s| s.parse().ok()) {
        return vec![seed];
    }
    let cases = std::env::var("SIM_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(300);
    (0..cases).collect()
}

const CHAINS: [&str; 16] = [
    "[]",
    "[{type: binpack, field: memory}]",
    "[{type: binpack, field: cpu}]",
    "[{type: spread, field: instanceId}]",
    "[{type: random}]",
    "[{type: spread, field: 'attribute:ecs.availability-zone'}]",
    "[{type: spread, field: 'attribute:ecs.availability-zone'}, {type: spread, field: instanceId}]",
    "[{type: spread, field: 'attribute:ecs.availability-zone'}, {type: binpack, field: memory}]",
    "[{type: spread, field: 'attribute:ecs.availability-zone'}, {type: binpack, field: cpu}, {type: random}]",
    "[{type: spread, field: 'attribute:ecs.availability-zone'}, {type: random}]",
    "[{type: spread, field: 'attribute:rack'}, {type: binpack, field: memory}]",
    "[{type: spread, field: 'attribute:rack'}, {type: spread, field: instanceId}]",
    "[{type: spread, field: 'attribute:rack'}]",
    "[{type: binpack, field: memory}, {type: random}]",
    "[{type: spread, field: instanceId}, {type: random}]",
    // Not answered by the indexes: the scan decides (and the test checks it is asked).
    "[{type: binpack, field: cpu}, {type: binpack, field: memory}]",
];

const CONSTRAINTS: [&str; 5] = [
    "[]",
    "[{type: distinctInstance}]",
    "[{type: memberOf, expression: 'attribute:rack != r1'}]",
    "[{type: memberOf, expression: 'runningTasksCount < 3'}]",
    "[{type: distinctInstance}, {type: memberOf, expression: 'attribute:ecs.availability-zone in [z-a, z-b]'}]",
];

/// A random cluster and, per service, a random task definition, chain and constraints.
fn generate(seed: u64) -> String {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let zones = ["z-a", "z-b", "z-c"];
    let n_zones = rng.random_range(1..=3usize);
    let racks = ["r1", "r2", "r3"];
    let mut yaml = format!(
        "name: indexed-{seed}\nduration: 1d\nparameters: {{tieBreak: {}}}\n\
         cluster:\n  availabilityZones: [{}]\n  instanceTypes:\n\
         \x20   - {{name: small, cpu: 1024, memory: 2048, enis: 2}}\n\
         \x20   - {{name: medium, cpu: 2048, memory: 4096, enis: 3}}\n\
         \x20   - {{name: large, cpu: 4096, memory: 8192, enis: 4}}\n\
         \x20 autoScalingGroups:\n",
        if rng.random_bool(0.6) {
            "random"
        } else {
            "stable"
        },
        zones[..n_zones].join(", "),
    );
    let sizes = ["small", "medium", "large"];
    for asg in 0..rng.random_range(1..=3) {
        let rack = if rng.random_bool(0.7) {
            format!(", attributes: {{rack: {}}}", racks[rng.random_range(0..3)])
        } else {
            String::new()
        };
        yaml += &format!(
            "    - {{name: g{asg}, instanceType: {}, desiredCapacity: {}, replacementDelay: {}m{rack}}}\n",
            sizes[rng.random_range(0..3)],
            rng.random_range(1..12u32),
            rng.random_range(1..30u32),
        );
    }
    yaml += "  instances:\n";
    for _ in 0..rng.random_range(1..6) {
        yaml += &format!(
            "    - {{instanceType: {}, availabilityZone: {}, count: {}, attributes: {{rack: {}}}}}\n",
            sizes[rng.random_range(0..3)],
            zones[rng.random_range(0..n_zones)],
            rng.random_range(1..4u32),
            racks[rng.random_range(0..3)],
        );
    }
    yaml += "taskDefinitions:\n";
    let services = rng.random_range(1..5);
    for family in 0..services {
        let network = ["bridge", "bridge", "host", "awsvpc"][rng.random_range(0..4)];
        let ports = match (network, rng.random_range(0..3)) {
            ("awsvpc", _) | (_, 0) => "[]".to_string(),
            ("host", _) | (_, 1) => {
                format!("[{{containerPort: {}}}]", 8000 + rng.random_range(0..3))
            }
            _ => "[{containerPort: 80, hostPort: 0}]".to_string(),
        };
        yaml += &format!(
            "  - family: f{family}\n    networkMode: {network}\n    containerDefinitions: [{{name: app, cpu: {}, memory: {}, portMappings: {ports}}}]\n    simulation: {{startupTime: {}s, runtime: {{exponential: {{mean: {}m}}}}}}\n",
            [0, 128, 256, 512, 1024][rng.random_range(0..5)],
            [128, 256, 512, 1024, 2048][rng.random_range(0..5)],
            rng.random_range(0..60),
            rng.random_range(5..120),
        );
    }
    yaml += "services:\n";
    for family in 0..services {
        yaml += &format!(
            "  - serviceName: s{family}\n    taskDefinition: f{family}\n    desiredCount: 0\n    placementStrategy: {}\n    placementConstraints: {}\n",
            CHAINS[rng.random_range(0..CHAINS.len())],
            CONSTRAINTS[rng.random_range(0..CONSTRAINTS.len())],
        );
    }
    yaml += &format!(
        "faults:\n  - {{kind: instanceFailure, mtbf: {}h}}\n",
        rng.random_range(2..48)
    );
    // Instances that host tasks but take none: disconnected agents and DRAINING instances
    // must never be chosen, by the indexes or the scan.
    if rng.random_bool(0.5) {
        yaml += &format!(
            "  - {{kind: agentDisconnect, mtbf: {}h, duration: {}m}}\n",
            rng.random_range(1..24),
            rng.random_range(5..120),
        );
    }
    if rng.random_bool(0.5) {
        let zone = zones[rng.random_range(0..n_zones)];
        let at = rng.random_range(1..12u32);
        yaml += &format!(
            "actions:\n  - {{at: {at}h, drainInstances: {{availabilityZone: {zone}}}}}\n  - {{at: {}h, activateInstances: {{availabilityZone: {zone}}}}}\n",
            at + rng.random_range(1..6u32),
        );
    }
    yaml
}

#[test]
fn indexed_decisions_equal_the_scan() {
    let (mut indexed, mut total) = (0u64, 0u64);
    for seed in seeds() {
        let (i, t) = check(seed);
        indexed += i;
        total += t;
    }
    // Most chains above are answered by the indexes: the comparison is not vacuous.
    assert!(
        indexed * 2 > total,
        "only {indexed} of {total} decisions were indexed"
    );
}

/// Drives one random cluster: the queue's own events (tasks starting and exiting,
/// instances failing and being replaced) interleaved with hand-made placements of random
/// services, each compared with the scan and started when it succeeds. Returns how many
/// decisions the indexes made, out of how many.
fn check(seed: u64) -> (u64, u64) {
    let scenario = scenario(&generate(seed));
    let mut cluster = Cluster::new(sim::setup(&scenario, seed));
    // The same placements, built again: the run's own are the scheduler's.
    let placements: Vec<_> = sim::setup(&scenario, seed)
        .services
        .into_iter()
        .map(|(_, placement)| placement)
        .collect();
    let mut queue: Queue<Event> = Queue::new();
    cluster.start(&mut queue);
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0xABCD);
    let mut placement_rng = rng::stream(seed, Stream::Placement, [1, 0]);
    let (mut indexed, mut total) = (0u64, 0u64);
    for _ in 0..400 {
        if rng.random_bool(0.6) {
            let Some((now, seq, event)) = queue.pop() else {
                break;
            };
            let mut ctx = Ctx {
                now,
                seq,
                queue: &mut queue,
                observer: &mut Discard,
            };
            cluster.handle(event, &mut ctx);
        } else {
            let service = ServiceId(rng.random_range(0..placements.len() as u32));
            let task_definition: TaskDefId = cluster.service(service).task_definition();
            let group = cluster.service(service).group;
            let request = PlacementRequest {
                task_definition: cluster.task_definition(task_definition),
                requirements: cluster.requirements(task_definition),
                group,
                service: Some(service),
            };
            let placement = &placements[service.index()][0].1;
            let view = cluster.view();
            let mut scan_rng = placement_rng.clone();
            let mut explain_rng = placement_rng.clone();
            let scanned = place_scan(&view, &request, placement, &mut scan_rng);
            // The explanation runs the same scan: the same decision and draws.
            let (explained, steps) =
                explain_placement(&view, &request, placement, &mut explain_rng);
            assert_eq!(
                explained.map_err(|unplaced| unplaced.failure),
                scanned,
                "SIM_SEED={seed}: the explanation chose otherwise than the scan"
            );
            assert_eq!(
                explain_rng, scan_rng,
                "SIM_SEED={seed}: the explanation drew otherwise"
            );
            assert!(
                matches!(
                    steps.last().map(|s| s.kind),
                    Some(StepKind::Placed | StepKind::Failed)
                ),
                "SIM_SEED={seed}: an explanation ends with its outcome"
            );
            total += 1;
            if let Some(decided) = place_indexed(&view, &request, placement, &mut placement_rng) {
                indexed += 1;
                assert_eq!(
                    decided, scanned,
                    "SIM_SEED={seed}: the indexes chose otherwise than the scan"
                );
                assert_eq!(
                    placement_rng, scan_rng,
                    "SIM_SEED={seed}: the indexes drew otherwise than the scan"
                );
            } else {
                placement_rng = scan_rng;
            }
            if let Ok(instance) = scanned {
                let now = queue.now();
                let mut ctx = Ctx {
                    now,
                    seq: 0,
                    queue: &mut queue,
                    observer: &mut Discard,
                };
                // Outside the service (its desired count is zero), in its group.
                cluster.start_task(task_definition, group, None, instance, &mut ctx);
            }
        }
        cluster.check_invariants();
    }
    (indexed, total)
}
