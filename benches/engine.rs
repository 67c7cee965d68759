//! Criterion bench: whole runs of a generated cluster, measured in events per second. The
//! queue alone, against a bare `BinaryHeap`, is `benches/queue.rs`. Run with
//! `cargo bench -p sim --bench engine`.

use std::path::Path;

use cluster::change::Discard;
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};

/// A cluster of `instances` m5.xlarge over three zones with 40 services whose tasks exit
/// after an hour on average, random instance failures and one zone outage.
fn scenario_text(instances: u32, days: u32) -> String {
    let mut text = format!(
        "name: bench\nduration: {days}d\ncluster:\n  availabilityZones: [a, b, c]\n  autoScalingGroups:\n    - {{name: g, instanceType: m5.xlarge, desiredCapacity: {instances}, replacementDelay: 5m, pricing: {{onDemandUsdPerHour: 0.192}}}}\ntaskDefinitions:\n"
    );
    for family in 0..40 {
        text += &format!(
            "  - family: f{family}\n    containerDefinitions: [{{name: app, cpu: {}, memory: {}, portMappings: [{{containerPort: 80}}]}}]\n    simulation: {{startupTime: 10s, runtime: {{exponential: {{mean: 1h}}}}}}\n",
            256 * (1 + family % 3),
            512 * (1 + family % 4),
        );
    }
    text += "services:\n";
    for family in 0..40 {
        // Desired counts fill roughly 60 % of the cluster's memory.
        let desired = instances * 15 * 6 / 10 / (40 * (1 + family % 4) / 2).max(1);
        text += &format!(
            "  - {{serviceName: s{family}, taskDefinition: f{family}, desiredCount: {desired}}}\n"
        );
    }
    text += &format!(
        "faults:\n  - {{kind: instanceFailure, mtbf: 7d}}\n  - {{kind: zoneOutage, availabilityZone: b, at: {}h, duration: 1h}}\n",
        days * 12
    );
    text
}

fn run(c: &mut Criterion) {
    let mut group = c.benchmark_group("run");
    group.sample_size(10);
    for instances in [100u32, 1_000] {
        let text = scenario_text(instances, 1);
        let scenario = scenario::load_str(&text, Path::new("bench.yaml"), &[]).expect("valid");
        let (_, events) = sim::simulate(&scenario, 1, &mut Discard, &mut |_, _| {});
        group.throughput(Throughput::Elements(events));
        group.bench_with_input(
            BenchmarkId::new("instances", instances),
            &scenario,
            |b, scenario| b.iter(|| sim::simulate(scenario, 1, &mut Discard, &mut |_, _| {}).1),
        );
    }
    group.finish();
}

criterion_group!(benches, run);
criterion_main!(benches);
