//! `timeseries.csv` against the model: at the end of every moment at which an event was
//! applied, and at the end of the run, each series' step function holds what the model
//! says (running and desired counts, tasks counted healthy by `Task::is_healthy`, live
//! instances and their registered and reserved resources per zone, capacity providers'
//! groups and metric), over the golden
//! scenarios and swarm-generated ones; rows are in time order, each a change.

use std::collections::BTreeMap;

use cluster::change::Discard;
use cluster::cluster::Cluster;
use cluster::ids::ZoneId;
use des::SimTime;
use scenario::Scenario;

use crate::golden::scenario_files;
use crate::invariants::{generate, load};
use crate::support::{csv_rows, outputs};

type Levels = BTreeMap<(String, String), u64>;

/// Every level as the model tells it at `now`.
fn model_levels(cluster: &Cluster, now: SimTime) -> Levels {
    let mut levels = Levels::new();
    for service in cluster.services() {
        let name = service.service_name.clone();
        let healthy = service
            .tasks
            .values()
            .filter(|&&id| cluster.task(id).is_healthy(now))
            .count() as u64;
        levels.insert(
            ("running".into(), name.clone()),
            service.running_count.into(),
        );
        levels.insert(
            ("desired".into(), name.clone()),
            service.desired_count.into(),
        );
        levels.insert(("healthy".into(), name), healthy);
    }
    for zone in 0..cluster.zone_count() {
        let name = cluster.zone_name(ZoneId(zone as u16)).to_string();
        let live: Vec<_> = cluster
            .instances()
            .iter()
            .filter(|instance| instance.is_live() && instance.availability_zone.index() == zone)
            .collect();
        let sum = |f: &dyn Fn(&cluster::instance::ContainerInstance) -> u32| -> u64 {
            live.iter().map(|instance| u64::from(f(instance))).sum()
        };
        let values = [
            ("instances", live.len() as u64),
            ("registeredCpu", sum(&|i| i.instance_type.cpu_units)),
            ("registeredMemory", sum(&|i| i.instance_type.memory_mib)),
            (
                "reservedCpu",
                sum(&|i| i.instance_type.cpu_units - i.remaining_cpu_units),
            ),
            (
                "reservedMemory",
                sum(&|i| i.instance_type.memory_mib - i.remaining_memory_mib),
            ),
        ];
        for (series, value) in values {
            levels.insert((series.into(), name.clone()), value);
        }
    }
    // Capacity providers (ECS.md §5.5): their groups' desired capacity and instances in
    // service, and the last CapacityProviderReservation published (100 before any).
    let providers = cluster.capacity_providers();
    for (index, provider) in providers.specs().iter().enumerate() {
        let asg = provider.auto_scaling_group;
        let group = cluster.auto_scaling_group_name(asg).to_string();
        let capacity = cluster.capacity();
        levels.insert(
            ("desiredCapacity".into(), group.clone()),
            capacity.desired_capacity(asg).into(),
        );
        levels.insert(
            ("inService".into(), group),
            capacity.asg_instances(asg).count() as u64,
        );
        levels.insert(
            ("capacityProviderReservation".into(), provider.name.clone()),
            providers.reservation(index as u16).unwrap_or(100).into(),
        );
    }
    levels
}

fn millis(time: &str) -> u64 {
    let (seconds, millis) = time.split_once('.').expect("three decimals");
    seconds.parse::<u64>().unwrap() * 1000 + millis.parse::<u64>().unwrap()
}

/// Checks one run; the error names the first difference.
fn check(scenario: &Scenario, seed: u64) -> Result<(), String> {
    let files = outputs(scenario, seed);
    let mut series: BTreeMap<(String, String), Vec<(u64, u64)>> = BTreeMap::new();
    let mut last_time = 0;
    for row in csv_rows(&files, "timeseries.csv") {
        let at = millis(row.get("time"));
        if at < last_time {
            return Err(format!(
                "row at {} after one at {last_time} ms",
                row.get("time")
            ));
        }
        last_time = at;
        let steps = series
            .entry((row.get("series").to_string(), row.get("key").to_string()))
            .or_default();
        let value: u64 = row.get("value").parse().unwrap();
        if steps.is_empty() && at != 0 {
            return Err(format!("{:?} starts at {at} ms, not 0", row));
        }
        if let Some(&(before, previous)) = steps.last() {
            if previous == value || before == at {
                return Err(format!("{row:?} is no change of its series"));
            }
        }
        steps.push((at, value));
    }
    let value_at = |key: &(String, String), now: SimTime| -> Option<u64> {
        let steps = series.get(key)?;
        let index = steps.partition_point(|&(at, _)| at <= now.as_ms());
        Some(steps[index.checked_sub(1)?].1)
    };
    // The model after the last event of each moment.
    let mut moments: Vec<(SimTime, Levels)> = Vec::new();
    let (cluster, _) = sim::simulate(scenario, seed, &mut Discard, &mut |now, cluster| {
        let levels = model_levels(cluster, now);
        match moments.last_mut() {
            Some((at, last)) if *at == now => *last = levels,
            _ => moments.push((now, levels)),
        }
    });
    let end = SimTime(scenario.duration_ms);
    moments.push((end, model_levels(&cluster, end)));
    for (now, levels) in &moments {
        for (key, &expected) in levels {
            let got = value_at(key, *now);
            if got != Some(expected) {
                return Err(format!(
                    "{} of {} at {now}: the model has {expected}, timeseries.csv {got:?}",
                    key.0, key.1
                ));
            }
        }
    }
    if series.len() != moments[0].1.len() {
        return Err(format!(
            "timeseries.csv has {} series, the model {}",
            series.len(),
            moments[0].1.len()
        ));
    }
    Ok(())
}

#[test]
fn timeseries_follows_the_model_in_every_golden_scenario() {
    for path in scenario_files() {
        let loaded = scenario::load(&path, &[]).unwrap_or_else(|errors| panic!("{errors}"));
        if let Err(error) = check(&loaded, loaded.seed) {
            panic!("{error} (seed={} scenario={})", loaded.seed, path.display());
        }
    }
}

#[test]
fn timeseries_follows_the_model_in_random_scenarios() {
    let seeds: u64 = std::env::var("SIM_SEEDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(40);
    for seed in 0..seeds {
        let text = generate(seed);
        let loaded = load(&text);
        if let Err(error) = check(&loaded, seed) {
            panic!("{error} (SIM_SEED={seed}); the scenario:\n{text}");
        }
    }
}
