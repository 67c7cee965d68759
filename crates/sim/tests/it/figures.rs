//! The figures' window and `episodes.csv`: every figure is measured from `metrics.warmup` to
//! the end, whatever the run does; each spell below the desired count is one row naming
//! the change that began it; and the rows add up to `services.csv` on every golden
//! scenario, with any warmup.

use std::collections::BTreeMap;

use crate::golden::scenario_files;
use crate::support::{csv_rows, outputs, scenario, Row};

/// The episodes of a run as `serviceName,startedAt,endedAt,seconds,minRunning,cause` lines.
fn episode_lines(files: &[(&'static str, Vec<u8>)]) -> Vec<String> {
    csv_rows(files, "episodes.csv")
        .iter()
        .map(|row| {
            [
                "serviceName",
                "startedAt",
                "endedAt",
                "seconds",
                "minRunning",
                "cause",
            ]
            .map(|column| row.get(column))
            .join(",")
        })
        .collect()
}

/// How `minRunning` compares with the fewest running in a service's episodes.
#[derive(Clone, Copy, PartialEq)]
enum Fewest {
    /// Equal: the fewest tasks RUNNING were while below desired (always so when the
    /// desired count only rises, as in the golden scenarios).
    InEpisodes,
    /// At most: a lowered desired count (UpdateService, a DAEMON losing instances) can
    /// leave fewer running without a spell below it.
    AtMost,
}

/// `services.csv` agrees with `episodes.csv`: per service, the episodes' seconds add up to
/// `secondsBelowDesired`, the fewest running in them is `minRunning` (`fewest`), the ended
/// ones average to `meanTimeToRecover`, and each lies in the window.
#[track_caller]
fn check_agreement(
    files: &[(&'static str, Vec<u8>)],
    warmup_ms: u64,
    end_ms: u64,
    fewest: Fewest,
    what: &str,
) {
    let services = csv_rows(files, "services.csv");
    let episodes = csv_rows(files, "episodes.csv");
    let mut by_service: BTreeMap<&str, Vec<&Row>> = BTreeMap::new();
    for episode in &episodes {
        by_service
            .entry(episode.get("serviceName"))
            .or_default()
            .push(episode);
    }
    for service in &services {
        let name = service.get("serviceName");
        let own = by_service.remove(name).unwrap_or_default();
        let total_ms: u64 = own.iter().map(|e| e.time_ms("seconds").unwrap()).sum();
        assert_eq!(
            Some(total_ms),
            service.time_ms("secondsBelowDesired"),
            "{what}: {name}: episodes add up to secondsBelowDesired"
        );
        let min_running: u32 = service.get("minRunning").parse().unwrap();
        if let Some(in_episodes) = own
            .iter()
            .map(|e| e.get("minRunning").parse::<u32>().unwrap())
            .min()
        {
            if fewest == Fewest::InEpisodes {
                assert_eq!(in_episodes, min_running, "{what}: {name}: minRunning");
            } else {
                assert!(in_episodes >= min_running, "{what}: {name}: minRunning");
            }
        }
        let ended: Vec<u64> = own
            .iter()
            .filter(|e| !e.get("endedAt").is_empty())
            .map(|e| e.time_ms("seconds").unwrap())
            .collect();
        let mean = (!ended.is_empty()).then(|| ended.iter().sum::<u64>() / ended.len() as u64);
        assert_eq!(
            mean,
            service.time_ms("meanTimeToRecover"),
            "{what}: {name}: meanTimeToRecover"
        );
        for (idx, episode) in own.iter().enumerate() {
            let started = episode.time_ms("startedAt").unwrap();
            let ended = episode.time_ms("endedAt").unwrap_or(end_ms);
            assert!(
                started >= warmup_ms,
                "{what}: {name}: {episode:?} in the window"
            );
            assert_eq!(ended - started, episode.time_ms("seconds").unwrap());
            assert!(
                episode.time_ms("endedAt").is_some() || idx + 1 == own.len(),
                "{what}: {name}: only the last episode may be open"
            );
        }
    }
    assert!(
        by_service.is_empty(),
        "{what}: episodes of unknown services"
    );
}

#[test]
fn episodes_agree_with_services_on_every_golden_scenario() {
    for path in scenario_files() {
        let plain = scenario::load(&path, &[]).unwrap_or_else(|errors| panic!("{errors}"));
        let end_ms = plain.duration_ms;
        // From the start, and from warmups that cut spells.
        for warmup_ms in [0, 25_000, end_ms / 3, end_ms - 1] {
            let set = format!("metrics.warmup={warmup_ms}ms");
            let loaded = scenario::load(&path, &[set]).unwrap_or_else(|errors| panic!("{errors}"));
            let what = format!(
                "{} with warmup {warmup_ms} ms (seed={})",
                path.display(),
                loaded.seed
            );
            let files = outputs(&loaded, loaded.seed);
            check_agreement(&files, warmup_ms, end_ms, Fewest::InEpisodes, &what);
        }
    }
}

/// The same agreement on random swarm scenarios (those of `invariants.rs`), measured from
/// the start (even seeds) or from a warmup at a third of the run (odd seeds). Reproduce one
/// with `SIM_SEED=<n>`.
#[test]
fn episodes_agree_with_services_in_random_scenarios() {
    for seed in crate::invariants::seeds() {
        let text = crate::invariants::generate(seed);
        let end_ms = scenario(&text).duration_ms;
        let warmup_ms = if seed % 2 == 0 { 0 } else { end_ms / 3 };
        let loaded = scenario(&format!("{text}\nmetrics: {{warmup: {warmup_ms}ms}}\n"));
        let what =
            format!("SIM_SEED={seed} cargo test -p sim --test it figures, warmup {warmup_ms} ms");
        check_agreement(
            &outputs(&loaded, seed),
            warmup_ms,
            end_ms,
            Fewest::AtMost,
            &what,
        );
    }
}

/// A service that can never have its desired count: measured from the warmup, not from a
/// steady state it never reaches.
#[test]
fn a_service_that_never_reaches_its_count_is_measured_from_the_warmup() {
    // An m5.large registers 2048 CPU units: two of the three tasks fit.
    let text = "name: short
duration: 1h
cluster:
  availabilityZones: [a]
  instances: [{instanceType: m5.large, availabilityZone: a}]
taskDefinitions:
  - family: web
    containerDefinitions: [{name: app, cpu: 1024, memory: 512}]
    simulation: {startupTime: 20s}
services:
  - {serviceName: web, taskDefinition: web, desiredCount: 3}
";
    let files = outputs(&scenario(text), 1);
    let web = &csv_rows(&files, "services.csv")[0];
    assert_eq!(web.get("steadyAt"), "", "never steady");
    assert_eq!(web.get("secondsBelowDesired"), "3600.000");
    assert_eq!(web.get("minRunning"), "0");
    assert_eq!(web.get("meanTimeToRecover"), "");
    // Two of three from 20 s on.
    let availability: f64 = web.get("availability").parse().unwrap();
    let expected = 2.0 * (3600.0 - 20.0) / (3.0 * 3600.0);
    assert!((availability - expected).abs() < 1e-6, "{availability}");
    assert_eq!(
        episode_lines(&files),
        ["web,0.000,,3600.000,0,serviceCreated"]
    );

    let files = outputs(&scenario(&format!("{text}metrics: {{warmup: 10m}}\n")), 1);
    let web = &csv_rows(&files, "services.csv")[0];
    assert_eq!(web.get("steadyAt"), "");
    assert_eq!(web.get("secondsBelowDesired"), "3000.000");
    assert_eq!(web.get("minRunning"), "2");
    assert_eq!(web.get("availability"), "0.666667");
    assert_eq!(
        episode_lines(&files),
        ["web,600.000,,3000.000,2,serviceCreated"]
    );
    let summary = &files
        .iter()
        .find(|(name, _)| *name == "summary.json")
        .unwrap()
        .1;
    let summary: serde_json::Value = serde_json::from_slice(summary).unwrap();
    assert_eq!(summary["warmupSeconds"], 600.0);
}

const FAULTS: &str = "name: causes
duration: 6h
cluster:
  availabilityZones: [a, b, c]
  autoScalingGroups: [{name: nodes, instanceType: m5.large, desiredCapacity: 6, replacementDelay: 2m}]
taskDefinitions:
  - family: web
    containerDefinitions: [{name: app, cpu: 256, memory: 512}]
    simulation: {startupTime: 20s, shutdownTime: 0s}
services:
  - {serviceName: web, taskDefinition: web, desiredCount: 6}
faults:
  - {kind: zoneOutage, availabilityZone: b, at: 1h, duration: 30m}
  - {kind: taskExit, service: web, at: 3h, count: 1, exitCode: 1}
  - {kind: instanceFailure, at: 4h, count: 1}
";

/// A zone outage, the zone's return (its group rebalances: launch, then terminate), a task
/// exit and an instance failure each begin a spell, named in `cause`; every spell lasts
/// one scheduler interval (10 s) and the replacement's startup (20 s).
#[test]
fn episodes_name_the_fault_that_began_them() {
    let files = outputs(&scenario(FAULTS), 1);
    assert_eq!(
        episode_lines(&files),
        [
            "web,0.000,20.000,20.000,0,serviceCreated",
            "web,3600.000,3630.000,30.000,4,zoneOutage",
            "web,5520.000,5550.000,30.000,4,azRebalance",
            "web,5640.000,5670.000,30.000,4,azRebalance",
            "web,10800.000,10830.000,30.000,5,taskExit",
            "web,14400.000,14430.000,30.000,5,instanceFailure",
        ]
    );
    check_agreement(&files, 0, 6 * 3_600_000, Fewest::InEpisodes, "faults");
    // A warmup inside the outage's spell cuts it: the window starts at the warmup, the
    // cause stays the outage.
    let files = outputs(
        &scenario(&format!("{FAULTS}metrics: {{warmup: 3605s}}\n")),
        1,
    );
    assert_eq!(
        episode_lines(&files)[0],
        "web,3605.000,3630.000,25.000,4,zoneOutage"
    );
    check_agreement(
        &files,
        3_605_000,
        6 * 3_600_000,
        Fewest::InEpisodes,
        "faults from 3605 s",
    );
}

/// Control-plane calls and health checks: a user's stopTask, a raised desired count, a
/// user's drain, a deployment, a lowered Auto Scaling group, failed container health
/// checks; and Spot interruptions and managed draining, whose tasks the scheduler moves
/// off DRAINING instances before they go.
#[test]
fn episodes_name_the_call_or_check_that_began_them() {
    let text = "name: calls
duration: 8h
cluster:
  availabilityZones: [a, b]
  autoScalingGroups: [{name: nodes, instanceType: m5.large, desiredCapacity: 4, replacementDelay: 2m}]
taskDefinitions:
  - family: web
    containerDefinitions: [{name: app, cpu: 256, memory: 512}]
    simulation: {startupTime: 20s, shutdownTime: 0s}
  - family: flaky
    containerDefinitions:
      - {name: app, cpu: 256, memory: 512,
         healthCheck: {command: [CMD-SHELL, \"true\"], interval: 10, timeout: 5, retries: 3}}
    simulation: {startupTime: 20s, shutdownTime: 0s, unhealthyAfter: {fixed: 30m}}
services:
  - serviceName: web
    taskDefinition: web
    desiredCount: 4
    deploymentConfiguration: {minimumHealthyPercent: 50, maximumPercent: 100}
  - serviceName: flaky
    taskDefinition: flaky
    desiredCount: 1
    deploymentConfiguration: {minimumHealthyPercent: 0, maximumPercent: 100}
actions:
  - {at: 1h, stopTask: {service: web, count: 1}}
  - {at: 2h, updateService: {service: web, desiredCount: 6}}
  - {at: 3h, drainInstances: {availabilityZone: a}}
  - {at: 4h, updateService: {service: web, forceNewDeployment: true}}
  - {at: 5h, setDesiredCapacity: {autoScalingGroup: nodes, desiredCapacity: 1}}
";
    let files = outputs(&scenario(text), 1);
    let lines = episode_lines(&files);
    let web: Vec<&String> = lines.iter().filter(|l| l.starts_with("web,")).collect();
    assert_eq!(
        web,
        [
            "web,0.000,20.000,20.000,0,serviceCreated",
            "web,3600.000,3630.000,30.000,3,stopTask",
            "web,7200.000,7220.000,20.000,4,desiredCountIncrease",
            "web,10810.000,10840.000,30.000,3,drainInstances",
            // minimumHealthyPercent 50 of 6: three at a time.
            "web,14400.000,14430.000,30.000,3,deployment",
            "web,14470.000,14500.000,30.000,3,deployment",
            "web,18000.000,18030.000,30.000,3,scaleIn",
        ]
    );
    // The flaky task fails its checks 30 minutes after each start (plus the checks'
    // retries), and is stopped before its replacement starts.
    let flaky: Vec<&String> = lines.iter().filter(|l| l.starts_with("flaky,")).collect();
    assert_eq!(flaky[1], "flaky,1855.000,1885.000,30.000,0,healthCheck");
    assert!(flaky[2..]
        .iter()
        .all(|l| l.ends_with(",healthCheck") || l.ends_with(",scaleIn")));
    check_agreement(&files, 0, 8 * 3_600_000, Fewest::InEpisodes, "calls");

    let spot = "name: spot
duration: 3h
cluster:
  availabilityZones: [a, b]
  autoScalingGroups:
    - {name: spot, instanceType: m5.large, desiredCapacity: 4, replacementDelay: 2m,
       spotInstanceDraining: true, managedDraining: true}
taskDefinitions:
  - family: web
    containerDefinitions: [{name: app, cpu: 256, memory: 512}]
    simulation: {startupTime: 20s, shutdownTime: 0s}
services:
  - serviceName: web
    taskDefinition: web
    desiredCount: 4
    deploymentConfiguration: {minimumHealthyPercent: 50, maximumPercent: 100}
faults:
  - {kind: spotInterruption, target: {autoScalingGroup: spot}, at: 1h, count: 1}
actions:
  - {at: 2h, setDesiredCapacity: {autoScalingGroup: spot, desiredCapacity: 2}}
metrics: {warmup: 1m}
";
    let files = outputs(&scenario(spot), 1);
    assert_eq!(
        episode_lines(&files),
        [
            "web,3610.000,3640.000,30.000,3,spotInterruption",
            "web,7210.000,7240.000,30.000,2,scaleIn",
            "web,7280.000,7310.000,30.000,3,scaleIn",
        ]
    );
    check_agreement(&files, 60_000, 3 * 3_600_000, Fewest::InEpisodes, "spot");
}

/// `summary.json` says what ran: the version, the seed, the scenario's name, the hash of
/// its resolved form and every `--set`, in order.
#[test]
fn the_summary_describes_the_run() {
    let sets = [
        "services[0].desiredCount=5".to_string(),
        "metrics.warmup=1m".to_string(),
    ];
    let loaded = scenario::load_str(FAULTS, std::path::Path::new("causes.yaml"), &sets)
        .unwrap_or_else(|errors| panic!("{errors}"));
    let files = outputs(&loaded, 7);
    let summary = &files
        .iter()
        .find(|(name, _)| *name == "summary.json")
        .unwrap()
        .1;
    let summary: serde_json::Value = serde_json::from_slice(summary).unwrap();
    assert_eq!(summary["scenario"], "causes");
    assert_eq!(summary["seed"], 7);
    assert_eq!(summary["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(summary["scenarioHash"], scenario::resolved_hash(&loaded));
    assert_eq!(
        summary["overrides"],
        serde_json::json!(["services[0].desiredCount=5", "metrics.warmup=1m"])
    );
    assert_eq!(summary["warmupSeconds"], 60.0);
    assert_eq!(summary["simulatedSeconds"], 21_600.0);
    // The hash is of the resolved scenario: another --set gives another one.
    let other = scenario::load_str(FAULTS, std::path::Path::new("causes.yaml"), &[])
        .unwrap_or_else(|errors| panic!("{errors}"));
    assert_ne!(
        scenario::resolved_hash(&other),
        scenario::resolved_hash(&loaded)
    );
}

/// A target stops counting as healthy when its task starts deregistering (DEACTIVATING: it
/// drains and takes no new requests), not when the task is finally STOPPED; the service
/// stops counting it as running then too.
#[test]
fn draining_targets_are_not_healthy_targets() {
    let text = r#"name: draining
duration: 1h
cluster:
  availabilityZones: [a, b]
  autoScalingGroups: [{name: nodes, instanceType: m5.large, desiredCapacity: 2}]
targetGroups:
  - {name: web-tg, healthCheckIntervalSeconds: 10, deregistrationDelay: 60s}
taskDefinitions:
  - family: web
    containerDefinitions: [{name: app, cpu: 256, memory: 512, portMappings: [{containerPort: 80}]}]
    simulation: {startupTime: 10s, shutdownTime: 0s}
services:
  - serviceName: web
    taskDefinition: web
    desiredCount: 2
    loadBalancers: [{targetGroupArn: web-tg, containerName: app, containerPort: 80}]
actions:
  - {at: 30m, stopTask: {service: web, count: 1}}
metrics: {warmup: 1m}
"#;
    let files = outputs(&scenario(text), 1);
    // Stopped at 1800 s: draining until 1860 s. Its replacement is placed at the next pass
    // (1810 s), RUNNING at 1820 s and a healthy target after one check, at 1830 s.
    let web = &csv_rows(&files, "services.csv")[0];
    assert_eq!(web.get("minHealthyTargets"), "1");
    let mean: f64 = web.get("meanHealthyTargets").parse().unwrap();
    let expected = 2.0 - 30.0 / (3_600.0 - 60.0);
    assert!((mean - expected).abs() < 1e-6, "{mean} vs {expected}");
    assert_eq!(
        episode_lines(&files),
        ["web,1800.000,1820.000,20.000,1,stopTask"]
    );
}
