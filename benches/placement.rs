//! Criterion bench: one placement decision on a half-full cluster of 1,000, 10,000 and
//! 100,000 instances, for the chains the ordered indexes answer (the bound: at
//! 100,000 instances at most 3x the time at 1,000). The decision is made on a fixed state
//! and not applied, so every iteration measures the same question.
//! Run with `cargo bench -p sim --bench placement`.

use std::hint::black_box;
use std::path::Path;

use cluster::change::Discard;
use cluster::ids::ServiceId;
use cluster::placement::{place, PlacementRequest};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use des::{rng, SimTime, Stream};

/// The chains measured, one service each.
const CHAINS: [(&str, &str); 4] = [
    ("binpack-memory", "[{type: binpack, field: memory}]"),
    (
        "default-spread",
        "[{type: spread, field: 'attribute:ecs.availability-zone'}, {type: spread, field: instanceId}]",
    ),
    (
        "zone-binpack",
        "[{type: spread, field: 'attribute:ecs.availability-zone'}, {type: binpack, field: memory}]",
    ),
    ("random", "[{type: random}]"),
];

/// `instances` m5.2xlarge-sized instances over three zones; each chain's service holds an
/// eighth of the cluster's memory in tasks of mixed sizes, so about half is taken.
fn scenario_text(instances: u32) -> String {
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
    for (index, (_, chain)) in CHAINS.iter().enumerate() {
        let memory = [1024u64, 2048, 3072, 4096][index];
        let desired = u64::from(instances) * 32768 / 8 / memory;
        text += &format!(
            "  - {{serviceName: s{index}, taskDefinition: f{index}, desiredCount: {desired}, placementStrategy: {chain}}}\n"
        );
    }
    text
}

fn decision(c: &mut Criterion) {
    let mut group = c.benchmark_group("placement-decision");
    for instances in [1_000u32, 10_000, 100_000] {
        let scenario = scenario::load_str(&scenario_text(instances), Path::new("bench.yaml"), &[])
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
            let service = cluster.service(ServiceId(index as u32));
            let request = PlacementRequest {
                task_definition: cluster.task_definition(service.task_definition),
                requirements: cluster.requirements(service.task_definition),
                group: service.group,
                service: Some(service.id),
            };
            let view = cluster.view();
            let mut stream = rng::stream(1, Stream::Placement, [0, 0]);
            group.bench_with_input(BenchmarkId::new(*name, instances), &instances, |b, _| {
                b.iter(|| {
                    black_box(place(&view, &request, &placements[index], &mut stream))
                        .expect("the cluster has room")
                })
            });
        }
    }
    group.finish();
}

criterion_group!(benches, decision);
criterion_main!(benches);
