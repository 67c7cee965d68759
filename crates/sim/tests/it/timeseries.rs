//! `timeseries.csv` against the model: at the end of every moment at which an event was
//! applied, and at the end of the run, each series' step function holds what the model
//! says (running and desired counts, tasks counted healthy by `Task::is_healthy`, live
//! instances and their registered and reserved resources per zone, a loaded service's load
//! and utilisation as `Cluster::load_reading` gives them, capacity providers' groups and
//! metric), over the golden scenarios
//! and swarm-generated ones; rows are in time order, each a change. The cost series too:
//! each Auto Scaling group's and fixed instance's rate is the sum of its live instances'
//! prices, the cluster's the sum of all, and the cumulative cost at the end is each
//! instance's price times its time registered, added up independently here.

use std::collections::BTreeMap;

use cluster::change::Discard;
use cluster::cluster::Cluster;
use cluster::ids::ZoneId;
use des::SimTime;
use scenario::Scenario;

use crate::golden::scenario_files;
use crate::invariants::{generate, load};
use crate::support::{csv_rows, outputs};

type Levels = BTreeMap<(String, String), String>;

/// Every level as the model tells it at `now`, with the cost rates (nano-dollars per hour)
/// when every instance has a price.
fn model_levels(scenario: &Scenario, cluster: &Cluster, now: SimTime) -> Levels {
    let mut levels = Levels::new();
    if scenario.pricing.is_known() {
        let mut total = 0u64;
        let mut rates: BTreeMap<String, u64> = BTreeMap::new();
        for (key, price) in instance_prices(scenario, cluster) {
            let rate = rates.entry(key).or_insert(0);
            if let Some((instance, nano)) = price {
                if instance.is_live() {
                    *rate += nano;
                    total += nano;
                }
            }
        }
        for (key, rate) in rates {
            levels.insert(("costRateUsdPerHour".into(), key), rate.to_string());
        }
        levels.insert(
            (
                "clusterCostRateUsdPerHour".into(),
                scenario.cluster.name.clone(),
            ),
            total.to_string(),
        );
    }
    for service in cluster.services() {
        let name = service.service_name.clone();
        let healthy = service
            .tasks
            .values()
            .filter(|&&id| cluster.task(id).is_healthy(now))
            .count() as u64;
        levels.insert(
            ("running".into(), name.clone()),
            service.running_count.to_string(),
        );
        levels.insert(
            ("desired".into(), name.clone()),
            service.desired_count.to_string(),
        );
        if let Some(reading) = cluster.load_reading(service.id) {
            let text = |value: Option<f64>| value.map(|v| format!("{v:.3}")).unwrap_or_default();
            for (series, value) in [
                ("load", Some(reading.requests_per_second)),
                ("cpuUtilization", reading.cpu_percent),
                ("memoryUtilization", reading.memory_percent),
            ] {
                levels.insert((series.into(), name.clone()), text(value));
            }
        }
        levels.insert(("healthy".into(), name), healthy.to_string());
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
            levels.insert((series.into(), name.clone()), value.to_string());
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
            capacity.desired_capacity(asg).to_string(),
        );
        levels.insert(
            ("inService".into(), group),
            capacity.asg_instances(asg).count().to_string(),
        );
        levels.insert(
            ("capacityProviderReservation".into(), provider.name.clone()),
            providers
                .reservation(index as u16)
                .unwrap_or(100)
                .to_string(),
        );
    }
    levels
}

/// Every cost bucket's key (group name, or fixed instance id) with each instance ever
/// registered in it and its price; buckets with no instance yet have `None`.
fn instance_prices<'a>(
    scenario: &Scenario,
    cluster: &'a Cluster,
) -> Vec<(
    String,
    Option<(&'a cluster::instance::ContainerInstance, u64)>,
)> {
    let price = |price: Option<scenario::pricing::Price>| price.unwrap().nano_usd_per_hour;
    let mut out: Vec<_> = scenario
        .cluster
        .auto_scaling_groups
        .iter()
        .map(|asg| (asg.name.clone(), None))
        .collect();
    let mut fixed = 0;
    for instance in cluster.instances() {
        match instance.auto_scaling_group {
            Some(asg) => out.push((
                scenario.cluster.auto_scaling_groups[asg.index()]
                    .name
                    .clone(),
                Some((
                    instance,
                    price(scenario.pricing.auto_scaling_groups[asg.index()]),
                )),
            )),
            None => {
                out.push((
                    instance.ec2_instance_id.clone(),
                    Some((instance, price(scenario.pricing.instances[fixed]))),
                ));
                fixed += 1;
            }
        }
    }
    out
}

/// A value of `series` as the tests compare it: cost rates in nano-dollars, cumulative cost
/// in micro-dollars, the rest as written.
fn value_of(series: &str, text: &str) -> String {
    let scale = match series {
        "costRateUsdPerHour" | "clusterCostRateUsdPerHour" => 9,
        "clusterCostUsd" => 6,
        _ => return text.to_string(),
    };
    des::time::parse_decimal_scaled(text, scale)
        .and_then(|value| u64::try_from(value).ok())
        .unwrap_or_else(|| panic!("{series} value {text:?}"))
        .to_string()
}

fn millis(time: &str) -> u64 {
    let (seconds, millis) = time.split_once('.').expect("three decimals");
    seconds.parse::<u64>().unwrap() * 1000 + millis.parse::<u64>().unwrap()
}

/// Checks one run; the error names the first difference.
fn check(scenario: &Scenario, seed: u64) -> Result<(), String> {
    let files = outputs(scenario, seed);
    let mut series: BTreeMap<(String, String), Vec<(u64, String)>> = BTreeMap::new();
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
        let value = value_of(row.get("series"), row.get("value"));
        if steps.is_empty() && at != 0 {
            return Err(format!("{:?} starts at {at} ms, not 0", row));
        }
        // The cumulative cost may stand still (no instance) while the rate changes.
        let cumulative = row.get("series") == "clusterCostUsd";
        if let Some((before, previous)) = steps.last() {
            if (*previous == value && !cumulative) || *before == at {
                return Err(format!("{row:?} is no change of its series"));
            }
        }
        steps.push((at, value));
    }
    let value_at = |key: &(String, String), now: SimTime| -> Option<&str> {
        let steps = series.get(key)?;
        let index = steps.partition_point(|(at, _)| *at <= now.as_ms());
        Some(steps[index.checked_sub(1)?].1.as_str())
    };
    // The model after the last event of each moment.
    let mut moments: Vec<(SimTime, Levels)> = Vec::new();
    let (cluster, _) = sim::simulate(scenario, seed, &mut Discard, &mut |now, cluster| {
        let levels = model_levels(scenario, cluster, now);
        match moments.last_mut() {
            Some((at, last)) if *at == now => *last = levels,
            _ => moments.push((now, levels)),
        }
    });
    let end = SimTime(scenario.duration_ms);
    moments.push((end, model_levels(scenario, &cluster, end)));
    for (now, levels) in &moments {
        for (key, expected) in levels {
            let got = value_at(key, *now);
            if got != Some(expected.as_str()) {
                return Err(format!(
                    "{} of {} at {now}: the model has {expected}, timeseries.csv {got:?}",
                    key.0, key.1
                ));
            }
        }
    }
    let cumulative = scenario.pricing.is_known() as usize;
    if series.len() != moments[0].1.len() + cumulative {
        return Err(format!(
            "timeseries.csv has {} series, the model {} and {cumulative} cumulative cost",
            series.len(),
            moments[0].1.len()
        ));
    }
    if cumulative == 1 {
        // Each instance's price times its time registered, added up (nano-dollars per hour
        // x ms), to the micro-dollar, half up.
        let total: u128 = instance_prices(scenario, &cluster)
            .into_iter()
            .filter_map(|(_, price)| price)
            .map(|(instance, nano)| {
                let until = instance.deregistered_at.unwrap_or(end).min(end);
                u128::from(nano) * u128::from(until.since(instance.registered_at))
            })
            .sum();
        let expected = ((total + 1_800_000_000) / 3_600_000_000) as u64;
        let key = ("clusterCostUsd".to_string(), scenario.cluster.name.clone());
        let last = series[&key].last().cloned();
        if last != Some((end.as_ms(), expected.to_string())) {
            return Err(format!(
                "clusterCostUsd ends at {last:?}, each instance's price x time registered adds up to {expected} micro-dollars at {end}"
            ));
        }
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
