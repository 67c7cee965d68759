//! Criterion bench: one placement decision on a half-full cluster of 1,000, 10,000 and
//! 100,000 instances, for the chains the ordered indexes answer (the bound: at
//! 100,000 instances at most 3x the time at 1,000). The decision is made on a fixed state
//! and not applied, so every iteration measures the same question.
//! Run with `cargo bench -p sim --bench placement`.

use std::hint::black_box;
use std::path::Path;

use cluster::change::Discard;
use cluster::placement::{place, PlacementRequest};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use des::{rng, SimTime, Stream};

/// The chains measured, one service each.
const CHAINS: [(&str, &str); 4] = [
    (
        "default-spread",
        "[{type: spread, field: 'attribute:ecs.availability-zone'}, {type: spread, field: instanceId}]",
    ),
    ("binpack-memory", "[{type: binpack, field: memory}]"),
    (
        "zone-binpack",
        "[{type: spread, field: 'attribute:ecs.availability-zone'}, {type: binpack, field: memory}]",
    ),
    ("random", "[{type: random}]"),
];

/// How the cluster is filled before the decisions are timed.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Fill {
    /// One service per chain but the first, whose service binpacks too: no `spread` on
    /// `instanceId` in the cluster.
    NoSpread,
    /// The same, but the binpacked service places first and packs instances full: the
    /// known slow case of `spread` on `instanceId` (results/PERFORMANCE.md).
    PackedFirst,
    /// Every service uses ECS's default chain, as services without a `placementStrategy`.
    DefaultOnly,
}

/// `instances` m5.2xlarge-sized instances over three zones; each service holds an eighth
/// of the cluster's memory in tasks of mixed sizes, so about half is taken.
fn scenario_text(instances: u32, fill: Fill) -> String {
    let mut text = format!(
        "name: placement-bench\nduration: 1h\nparameters: {{quotas: {{containerInstancesPerCluster: {instances}, tasksPerService: 1000000}}}}\n\
         cluster:\n  availabilityZones: [a, b, c]\n  instanceTypes: [{{name: node, cpu: 8192, memory: 32768, enis: 3}}]\n\
         \x20 autoScalingGroups: [{{name: g, instanceType: node, desiredCapacity: {instances}}}]\ntaskDefinitions:\n"
    );
    for (index, _) in CHAINS.iter().enumerate() {
        let memory = [1024, 2048, 3072, 4096][index];
        text += &format!(
            "  - {{family: f{index}, containerDefinitions: [{{name: app, cpu: {}, memory: {memory}}}]}}\n",
            memory / 4
        );
    }
    text += "services:\n";
    let mut order: Vec<usize> = (0..CHAINS.len()).collect();
    if fill == Fill::PackedFirst {
        order.swap(0, 1);
    }
    for index in order {
        let chain = match fill {
            Fill::DefaultOnly => CHAINS[0].1,
            Fill::NoSpread if index == 0 => CHAINS[1].1,
            _ => CHAINS[index].1,
        };
        let memory = [1024u64, 2048, 3072, 4096][index];
        let desired = u64::from(instances) * 32768 / 8 / memory;
        text += &format!(
            "  - {{serviceName: s{index}, taskDefinition: f{index}, desiredCount: {desired}, placementStrategy: {chain}}}\n"
        );
    }
    text
}

/// binpack, zone-then-binpack and random on a cluster filled by a mix of them, at 1,000,
/// 10,000 and 100,000 instances; ECS's default chain on a cluster filled by services that
/// all use it, and in its known slow case, at 1,000 and 10,000 only: filling 100,000
/// instances with services that spread on `instanceId` hits the slow case of
/// results/PERFORMANCE.md and takes minutes.
fn decision(c: &mut Criterion) {
    let sizes = [1_000, 10_000, 100_000];
    measure(c, "placement-decision", Fill::NoSpread, &sizes);
    measure(
        c,
        "placement-decision-default-only",
        Fill::DefaultOnly,
        &sizes[..2],
    );
    measure(
        c,
        "placement-decision-spread-after-packed",
        Fill::PackedFirst,
        &sizes[..2],
    );
}

fn measure(c: &mut Criterion, name: &str, fill: Fill, sizes: &[u32]) {
    let mut group = c.benchmark_group(name);
    for &instances in sizes {
        let text = scenario_text(instances, fill);
        let scenario = scenario::load_str(&text, Path::new("bench.yaml"), &[])
            .unwrap_or_else(|errors| panic!("{errors}"));
        // Fill the cluster: the first passes place every service's tasks.
        let mut run = sim::Run::new(&scenario, 1);
        while run
            .step(&mut Discard)
            .is_some_and(|now| now < SimTime(30_000))
        {}
        let placements: Vec<_> = sim::setup(&scenario, 1)
            .services
            .into_iter()
            .map(|(_, placement)| placement)
            .collect();
        let cluster = run.cluster();
        for (index, (name, _)) in CHAINS.iter().enumerate() {
            if (fill == Fill::NoSpread) != (index != 0) {
                continue;
            }
            // Services are named by their chain's index, whatever order they were listed in.
            let service = cluster
                .services()
                .iter()
                .find(|service| service.service_name == format!("s{index}"))
                .expect("every chain has its service");
            let placement = &placements[service.id.index()][0].1;
            let request = PlacementRequest {
                task_definition: cluster.task_definition(service.task_definition()),
                requirements: cluster.requirements(service.task_definition()),
                group: service.group,
                service: Some(service.id),
            };
            let view = cluster.view();
            let mut stream = rng::stream(1, Stream::Placement, [0, 0]);
            group.bench_with_input(BenchmarkId::new(*name, instances), &instances, |b, _| {
                b.iter(|| {
                    black_box(place(&view, &request, placement, &mut stream))
                        .expect("the cluster has room")
                })
            });
        }
    }
    group.finish();
}

criterion_group!(benches, decision);
criterion_main!(benches);
