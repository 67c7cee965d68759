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
/// eighth of the cluster's memory in tasks of mixed sizes, so about half is taken. With
/// `only_default`, every service uses ECS's default chain (spread over zones, then
/// instances), as a cluster of services without a `placementStrategy` does.
fn scenario_text(instances: u32, only_default: bool) -> String {
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
        let chain = if only_default { CHAINS[1].1 } else { chain };
        let memory = [1024u64, 2048, 3072, 4096][index];
        let desired = u64::from(instances) * 32768 / 8 / memory;
        text += &format!(
            "  - {{serviceName: s{index}, taskDefinition: f{index}, desiredCount: {desired}, placementStrategy: {chain}}}\n"
        );
    }
    text
}

/// Every chain on a cluster filled by a mix of them; then the default chain on a cluster
/// filled by services that all use it. The mix stops at 10,000 instances: there a binpacked
/// service packs some instances full before the default-spread one places, and `spread` on
/// `instanceId` then searches past every fitting instance that already hosts the group
/// (results/PERFORMANCE.md, "Known slow case"), so filling 100,000 takes minutes.
fn decision(c: &mut Criterion) {
    measure(c, "placement-decision", false, &[1_000, 10_000]);
    measure(
        c,
        "placement-decision-default-only",
        true,
        &[1_000, 10_000, 100_000],
    );
}

fn measure(c: &mut Criterion, name: &str, only_default: bool, sizes: &[u32]) {
    let mut group = c.benchmark_group(name);
    for &instances in sizes {
        let text = scenario_text(instances, only_default);
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
            if only_default && index != 1 {
                continue;
            }
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
