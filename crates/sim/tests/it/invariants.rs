//! Invariants over many random scenarios: each seed generates a small cluster and workload,
//! turning whole features on or off (swarm testing), and `check_invariants` runs after
//! every event. Every seed runs; the test fails at the end listing each failing seed.
//!
//! - `SIM_SEEDS=<n>`: how many seeds (0..n, default 300); `SIM_SEED=<n>`: that one only.
//! - `SIM_SCENARIO=<file>`: run that YAML file instead (with `SIM_SEED`, default 0), e.g. a
//!   failing scenario shrunk by hand.
//! - Triage: `SIM_DUMP=<dir>` writes each failing scenario to `<dir>/seed-<n>.yaml`;
//!   `SIM_OFF=<feature>,...` turns lifecycle features off on every seed (`Features` names);
//!   `SIM_COVERAGE=1` prints which kinds of change the runs reached (with `--nocapture`).
//!
//! Besides the cluster, placement and fault features the generator always had (kept draw
//! for draw: a seed whose lifecycle features are all off makes the scenario it always
//! made), a second stream turns each lifecycle feature on or off per seed: deployment
//! configurations and circuit breakers, grace periods, load balancers and target groups,
//! DAEMON services, second revisions, container health checks, unhealthy workloads, start
//! failures, exit codes, control-plane actions, Auto Scaling groups' draining and suspended
//! processes, Spot interruptions, agent disconnects, `taskExit` on a named container,
//! scheduled tasks and the lifecycle's parameters.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use cluster::change::{Change, Observer, ServiceMessage};
use cluster::cluster::Cluster;
use cluster::deployment::DeploymentCause;
use cluster::task::StopCode;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use scenario::Scenario;

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

/// Events at one instant beyond which a run counts as hung (time no longer advances).
const MAX_EVENTS_AT_ONE_TIME: u64 = 200_000;
/// Events in one run beyond which it counts as runaway.
const MAX_EVENTS: u64 = 20_000_000;

/// Which lifecycle features a seed turns on (swarm testing: each is on or off for the whole
/// run, so that features which mask each other are also tried apart).
#[derive(Debug, Default)]
struct Features {
    deployment_configuration: bool,
    circuit_breaker: bool,
    grace_period: bool,
    load_balancers: bool,
    daemon: bool,
    revisions: bool,
    health_checks: bool,
    unhealthy: bool,
    start_failure: bool,
    exit_code: bool,
    update_service: bool,
    drain: bool,
    set_capacity: bool,
    stop_task: bool,
    group_fields: bool,
    spot: bool,
    agent_disconnect: bool,
    task_exit_container: bool,
    scheduled_tasks: bool,
    parameters: bool,
    /// Capacity providers: on unless `SIM_OFF` says otherwise; whether a seed uses them is
    /// drawn from their own stream, so every other draw stays as it was.
    capacity_providers: bool,
    /// Lifecycle phases of no length (`startupTime`, `shutdownTime`, `eniAttachTime`,
    /// `deregistrationDelay` of 0 s, a runtime of 0 s): on unless `SIM_OFF` says otherwise,
    /// used by a seed per their own stream, like capacity providers.
    zero_phases: bool,
}

impl Features {
    fn draw(rng: &mut ChaCha8Rng) -> Features {
        // Some seeds keep to the features the generator always had.
        if rng.random_bool(0.15) {
            return Features::default();
        }
        let mut on = || rng.random_bool(0.5);
        let mut features = Features {
            deployment_configuration: on(),
            circuit_breaker: on(),
            grace_period: on(),
            load_balancers: on(),
            daemon: on(),
            revisions: on(),
            health_checks: on(),
            unhealthy: on(),
            start_failure: on(),
            exit_code: on(),
            update_service: on(),
            drain: on(),
            set_capacity: on(),
            stop_task: on(),
            group_fields: on(),
            spot: on(),
            agent_disconnect: on(),
            task_exit_container: on(),
            scheduled_tasks: on(),
            parameters: on(),
            capacity_providers: true,
            zero_phases: true,
        };
        // Triage: `SIM_OFF=agent_disconnect,spot` turns features off on every seed.
        let off = std::env::var("SIM_OFF").unwrap_or_default();
        for name in off
            .split(',')
            .map(str::trim)
            .filter(|name| !name.is_empty())
        {
            *features.flag(name) = false;
        }
        features
    }

    fn flag(&mut self, name: &str) -> &mut bool {
        match name {
            "deployment_configuration" => &mut self.deployment_configuration,
            "circuit_breaker" => &mut self.circuit_breaker,
            "grace_period" => &mut self.grace_period,
            "load_balancers" => &mut self.load_balancers,
            "daemon" => &mut self.daemon,
            "revisions" => &mut self.revisions,
            "health_checks" => &mut self.health_checks,
            "unhealthy" => &mut self.unhealthy,
            "start_failure" => &mut self.start_failure,
            "exit_code" => &mut self.exit_code,
            "update_service" => &mut self.update_service,
            "drain" => &mut self.drain,
            "set_capacity" => &mut self.set_capacity,
            "stop_task" => &mut self.stop_task,
            "group_fields" => &mut self.group_fields,
            "spot" => &mut self.spot,
            "agent_disconnect" => &mut self.agent_disconnect,
            "task_exit_container" => &mut self.task_exit_container,
            "scheduled_tasks" => &mut self.scheduled_tasks,
            "parameters" => &mut self.parameters,
            "capacity_providers" => &mut self.capacity_providers,
            "zero_phases" => &mut self.zero_phases,
            other => panic!("SIM_OFF: no feature {other}"),
        }
    }
}

/// What the generator knows of a family it wrote.
struct Family {
    /// The essential container's `containerPort`, if it maps one (a load balancer needs it).
    port: Option<u16>,
    /// Its revisions: 1, or 1 and 2.
    revisions: u32,
}

/// What the generator knows of a service it wrote.
struct ServiceInfo {
    family: usize,
    revision: u32,
    daemon: bool,
    load_balanced: bool,
}

fn pick<'a, T>(rng: &mut ChaCha8Rng, items: &'a [T]) -> &'a T {
    &items[rng.random_range(0..items.len())]
}

/// A container `healthCheck` with short intervals, as flow-style YAML.
fn health_check(f: &mut ChaCha8Rng) -> String {
    let interval = f.random_range(5..=30u32);
    let mut text = format!(
        "{{command: [CMD-SHELL, \"curl -f http://localhost/ || exit 1\"], interval: {interval}, timeout: {}, retries: {}",
        f.random_range(2..interval.min(12)),
        f.random_range(1..=4u32),
    );
    if f.random_bool(0.5) {
        let _ = write!(text, ", startPeriod: {}", f.random_range(0..=90u32));
    }
    text + "}"
}

/// The lifecycle fields of a task definition's `simulation`, each starting with ", ".
fn simulation_extras(f: &mut ChaCha8Rng, features: &Features, start_failure_p: f64) -> String {
    let mut text = String::new();
    if features.unhealthy && f.random_bool(0.5) {
        if f.random_bool(0.7) {
            let _ = write!(
                text,
                ", unhealthyAfter: {{exponential: {{mean: {}m}}}}",
                f.random_range(2..240u32)
            );
        } else {
            let _ = write!(text, ", unhealthyAfter: {}s", f.random_range(0..1200u32));
        }
    }
    if features.exit_code && f.random_bool(0.6) {
        let _ = write!(text, ", exitCode: {}", pick(f, &[0, 1, 2, 137, 143, -1]));
    }
    if features.start_failure && f.random_bool(start_failure_p) {
        text += ", startFailure: \"CannotPullContainerError: pull access denied for example/app\"";
    }
    text
}

/// An instance filter for actions and faults: empty (every instance) or one field.
fn instance_filter(
    f: &mut ChaCha8Rng,
    zones: &[&str],
    groups: usize,
    types: &[&str],
    allow_empty: bool,
) -> String {
    match f.random_range(if allow_empty { 0 } else { 1 }..4) {
        0 => String::new(),
        1 => format!("{{availabilityZone: {}}}", pick(f, zones)),
        2 => format!("{{autoScalingGroup: asg{}}}", f.random_range(0..groups)),
        _ => format!("{{instanceType: {}}}", pick(f, types)),
    }
}

/// A random but valid scenario for `seed`, with `scheduledTasks` (if any) last.
pub(crate) fn generate(seed: u64) -> String {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    // `rng` makes the draws the generator always made, in the same order; the lifecycle's
    // come from their own stream `f`.
    let mut f = ChaCha8Rng::seed_from_u64(seed ^ 0x6c69_6665_6379_636c);
    let features = Features::draw(&mut f);
    // Zero-length phases come from a stream of their own too, so the other draws stay.
    let mut zp = ChaCha8Rng::seed_from_u64(seed ^ 0x7a65_726f_7068_6173);
    let zero_phases = features.zero_phases && zp.random_bool(0.4);
    let zones = ["z-a", "z-b", "z-c"];
    let n_zones = rng.random_range(1..=3usize);
    let zones = &zones[..n_zones];
    let zone_list = zones.join(", ");
    let types = ["t3.medium", "m5.large", "c5.xlarge", "lab.tiny"];
    let hours = rng.random_range(2..30u32);
    let tie_break = if rng.random_bool(0.5) {
        "random"
    } else {
        "stable"
    };
    let counts_stopping = rng.random_bool(0.7);
    let mut parameters =
        format!("tieBreak: {tie_break}, maxPercentCountsStopping: {counts_stopping}");
    if features.parameters {
        let lifecycle = [
            format!("eniDetachTime: {}s", f.random_range(0..=15u32)),
            format!("healthyDelay: {}s", f.random_range(0..=60u32)),
            format!("throttleBase: {}s", f.random_range(1..=60u32)),
            format!("circuitBreakerMinThreshold: {}", f.random_range(1..=5u32)),
            format!("spotNoticeTime: {}s", f.random_range(0..=180u32)),
            format!("managedDrainingTimeout: {}m", f.random_range(5..=180u32)),
            format!("elbInitialHealthyChecks: {}", f.random_range(1..=5u32)),
        ];
        for parameter in lifecycle {
            if f.random_bool(0.5) {
                parameters += ", ";
                parameters += &parameter;
            }
        }
    }
    if zero_phases && zp.random_bool(0.5) {
        parameters += ", eniAttachTime: 0s";
    }
    let mut yaml = format!(
        "name: random-{seed}\nduration: {hours}h\nparameters: {{{parameters}}}\n\
         cluster:\n  region: us-west-2\n  availabilityZones: [{zone_list}]\n  instanceTypes:\n    - {{name: lab.tiny, cpu: 1024, memory: 1000, enis: 2}}\n  autoScalingGroups:\n",
    );
    let n_groups = rng.random_range(1..=2);
    let mut used_types = Vec::new();
    for asg in 0..n_groups {
        let instance_type = types[rng.random_range(0..types.len())];
        used_types.push(instance_type);
        let _ = write!(
            yaml,
            "    - {{name: asg{asg}, instanceType: {instance_type}, desiredCapacity: {}, replacementDelay: {}s",
            rng.random_range(0..7u32),
            rng.random_range(1..600u32),
        );
        if features.group_fields {
            if f.random_bool(0.5) {
                let _ = write!(yaml, ", managedDraining: {}", f.random_bool(0.7));
            }
            if f.random_bool(0.5) {
                let _ = write!(yaml, ", spotInstanceDraining: {}", f.random_bool(0.7));
            }
            if f.random_bool(0.4) {
                let processes: Vec<&str> = [
                    "Launch",
                    "Terminate",
                    "AZRebalance",
                    "ReplaceUnhealthy",
                    "HealthCheck",
                ]
                .into_iter()
                .filter(|_| f.random_bool(0.3))
                .collect();
                let _ = write!(yaml, ", suspendedProcesses: [{}]", processes.join(", "));
            }
        }
        yaml += "}\n";
    }
    if rng.random_bool(0.5) {
        let _ = writeln!(
            yaml,
            "  instances:\n    - {{instanceType: m5.large, availabilityZone: {}, count: {}}}",
            zones[rng.random_range(0..n_zones)],
            rng.random_range(1..3u32)
        );
        used_types.push("m5.large");
    }
    // Capacity providers (ECS.md §5.5) on some groups, and the cluster's default strategy,
    // which every REPLICA service, RunTask and scheduled task then uses.
    let mut cp = ChaCha8Rng::seed_from_u64(seed ^ 0x6361_7061_6369_7479);
    if features.capacity_providers && cp.random_bool(0.3) {
        yaml += "  capacityProviders:\n";
        let mut providers = Vec::new();
        for asg in 0..n_groups {
            if asg > 0 && cp.random_bool(0.5) {
                continue;
            }
            let managed = cp.random_bool(0.8);
            let scaling = if managed {
                format!(
                    "{{status: ENABLED, targetCapacity: {}, minimumScalingStepSize: {}, maximumScalingStepSize: {}, instanceWarmupPeriod: {}}}",
                    *pick(&mut cp, &[100, 100, 90, 75, 50]),
                    cp.random_range(1..=2u32),
                    cp.random_range(2..=20u32),
                    cp.random_range(0..=600u32),
                )
            } else {
                "{status: DISABLED}".to_string()
            };
            let protection = if managed && cp.random_bool(0.5) {
                "ENABLED"
            } else {
                "DISABLED"
            };
            let draining = if cp.random_bool(0.7) {
                "ENABLED"
            } else {
                "DISABLED"
            };
            let _ = writeln!(
                yaml,
                "    - {{name: cp{asg}, autoScalingGroup: asg{asg}, managedScaling: {scaling}, managedTerminationProtection: {protection}, managedDraining: {draining}}}"
            );
            providers.push(asg);
        }
        let mut items = Vec::new();
        for (n, asg) in providers.iter().enumerate() {
            let base = if n == 0 { cp.random_range(0..=3u32) } else { 0 };
            let weight = if n == 0 {
                cp.random_range(1..=4u32)
            } else {
                cp.random_range(0..=4u32)
            };
            items.push(format!(
                "{{capacityProvider: cp{asg}, base: {base}, weight: {weight}}}"
            ));
        }
        let _ = writeln!(
            yaml,
            "  defaultCapacityProviderStrategy: [{}]",
            items.join(", ")
        );
    }

    yaml += "taskDefinitions:\n";
    let modes = ["bridge", "host", "awsvpc"];
    let n_families = rng.random_range(1..=3);
    let mut families = Vec::new();
    let mut second_revisions = String::new();
    for family in 0..n_families {
        let mode = modes[rng.random_range(0..modes.len())];
        let (port, container_port) = match (mode, rng.random_range(0..3)) {
            ("host", _) | (_, 0) => (
                format!("[{{containerPort: {}}}]", 8000 + family),
                Some(8000 + family as u16),
            ),
            ("bridge", 1) => (
                format!("[{{containerPort: 80, hostPort: {}}}]", 8080 + family),
                Some(80),
            ),
            _ => ("[]".to_string(), None),
        };
        let runtime = if rng.random_bool(0.5) {
            format!(
                ", runtime: {{exponential: {{mean: {}m}}}}",
                rng.random_range(5..300u32)
            )
        } else {
            String::new()
        };
        let cpu = rng.random_range(0..4u32) * 256;
        let memory = rng.random_range(1..8u32) * 128;
        let mut definition = |f: &mut ChaCha8Rng,
                              mode: &str,
                              cpu: u32,
                              memory: u32,
                              runtime: &str,
                              start_failure_p: f64| {
            let mut main = String::new();
            let mut side = String::new();
            if features.health_checks && f.random_bool(0.6) {
                main = format!(", healthCheck: {}", health_check(f));
            }
            if features.health_checks && f.random_bool(0.2) {
                side = format!(", healthCheck: {}", health_check(f));
            }
            let extras = simulation_extras(f, &features, start_failure_p);
            let mut zero = |p: f64| zero_phases && zp.random_bool(p);
            let startup = if zero(0.6) {
                "0s"
            } else {
                "{uniform: {min: 1s, max: 40s}}"
            };
            let shutdown = if zero(0.6) {
                "0s"
            } else {
                "{uniform: {min: 0s, max: 60s}}"
            };
            let runtime = if !runtime.is_empty() && zero(0.05) {
                ", runtime: 0s"
            } else {
                runtime
            };
            format!(
                "  - family: f{family}\n    networkMode: {mode}\n    containerDefinitions:\n      - {{name: main, cpu: {cpu}, memory: {memory}, portMappings: {port}{main}}}\n      - {{name: side, cpu: 0, memoryReservation: 32, essential: false{side}}}\n    simulation: {{startupTime: {startup}, shutdownTime: {shutdown}{runtime}{extras}}}\n",
            )
        };
        yaml += &definition(&mut f, mode, cpu, memory, &runtime, 0.1);
        let mut revisions = 1;
        if features.revisions && f.random_bool(0.7) {
            revisions = 2;
            // The same containers and ports (the load balancers still find theirs); other
            // sizes, and often a workload that fails.
            let mode = if container_port != Some(80) && f.random_bool(0.3) {
                *pick(&mut f, &modes)
            } else {
                mode
            };
            let cpu = f.random_range(0..4u32) * 256;
            let memory = f.random_range(1..8u32) * 128;
            let runtime = if f.random_bool(0.3) {
                format!(
                    ", runtime: {{exponential: {{mean: {}m}}}}",
                    f.random_range(5..300u32)
                )
            } else {
                String::new()
            };
            second_revisions += &definition(&mut f, mode, cpu, memory, &runtime, 0.4);
        }
        families.push(Family {
            port: container_port,
            revisions,
        });
    }
    yaml += &second_revisions;

    yaml += "services:\n";
    let mut services = Vec::new();
    let mut target_groups = String::new();
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
        let family = rng.random_range(0..n_families);
        let desired = rng.random_range(0..12u32);
        let strategy = strategies[rng.random_range(0..strategies.len())];
        let mut maximum = [100, 150, 200][rng.random_range(0..3)];
        let daemon = features.daemon && f.random_bool(0.4);
        let revision = match families[family].revisions {
            2 if f.random_bool(0.2) => 2,
            _ => 1,
        };
        let reference = if families[family].revisions == 2 {
            format!("f{family}:{revision}")
        } else {
            format!("f{family}")
        };
        let strategy = if daemon { "[]" } else { strategy };
        if daemon {
            maximum = 100;
        } else if features.deployment_configuration && f.random_bool(0.5) {
            maximum = f.random_range(100..=200);
        }
        let mut configuration = format!("maximumPercent: {maximum}");
        if features.deployment_configuration {
            let minimum = match f.random_range(0..5) {
                0 => 0,
                1 => 50,
                2 => 100,
                _ => f.random_range(0..=100),
            };
            let _ = write!(configuration, ", minimumHealthyPercent: {minimum}");
        }
        if features.circuit_breaker && f.random_bool(0.7) {
            let _ = write!(
                configuration,
                ", deploymentCircuitBreaker: {{enable: {}, rollback: {}}}",
                f.random_bool(0.8),
                f.random_bool(0.7)
            );
        }
        let _ = write!(
            yaml,
            "  - {{serviceName: s{service}, taskDefinition: {reference}, desiredCount: {desired}, placementStrategy: {strategy}, placementConstraints: {constraints}, deploymentConfiguration: {{{configuration}}}"
        );
        if daemon {
            yaml += ", schedulingStrategy: DAEMON";
        }
        if features.grace_period && f.random_bool(0.6) {
            let _ = write!(
                yaml,
                ", healthCheckGracePeriodSeconds: {}",
                f.random_range(0..=120u32)
            );
        }
        let mut load_balanced = false;
        if let (true, Some(port)) = (features.load_balancers, families[family].port) {
            if f.random_bool(0.7) {
                load_balanced = true;
                let groups = if f.random_bool(0.2) { 2 } else { 1 };
                let entries: Vec<String> = (0..groups)
                    .map(|n| {
                        format!(
                            "{{targetGroupArn: tg-s{service}-{n}, containerName: main, containerPort: {port}}}"
                        )
                    })
                    .collect();
                let _ = write!(yaml, ", loadBalancers: [{}]", entries.join(", "));
                for n in 0..groups {
                    // Described, with short checks and delays; or not (ELB's defaults).
                    if f.random_bool(0.8) {
                        let interval = f.random_range(5..=30u32);
                        let _ = writeln!(
                            target_groups,
                            "  - {{name: tg-s{service}-{n}, healthCheckIntervalSeconds: {interval}, healthCheckTimeoutSeconds: {}, healthyThresholdCount: {}, unhealthyThresholdCount: {}, deregistrationDelay: {}s}}",
                            f.random_range(2..interval),
                            f.random_range(2..=5u32),
                            f.random_range(2..=5u32),
                            {
                                let delay = f.random_range(5..=60u32);
                                if zero_phases && zp.random_bool(0.5) {
                                    0
                                } else {
                                    delay
                                }
                            },
                        );
                    }
                }
            }
        }
        yaml += "}\n";
        services.push(ServiceInfo {
            family,
            revision,
            daemon,
            load_balanced,
        });
    }
    if !target_groups.is_empty() {
        yaml += "targetGroups:\n";
        yaml += &target_groups;
    }
    // Random arrivals (runTasks[].arrivals) from a stream of their own, `a`, so the rest of
    // each seed's scenario is what it was before them.
    let mut a = ChaCha8Rng::seed_from_u64(seed ^ 0x6172_7269_7661_6c73);
    let arrivals = a.random_bool(0.5).then(|| {
        format!(
            "  - {{taskDefinition: f0, group: swarm-arrivals, count: {}, arrivals: {{poisson: {{mean: {}m}}, start: {}m}}}}\n",
            a.random_range(1..=4u32),
            a.random_range(1..=30u32),
            a.random_range(0..120u32)
        )
    });
    if rng.random_bool(0.5) {
        let _ = writeln!(
            yaml,
            "runTasks:\n  - {{taskDefinition: f0, count: {}, at: 10m, every: {}h}}",
            rng.random_range(1..=10u32),
            rng.random_range(1..5u32)
        );
        yaml += arrivals.as_deref().unwrap_or_default();
    } else if let Some(arrivals) = &arrivals {
        yaml += "runTasks:\n";
        yaml += arrivals;
    }

    let minutes = hours * 60;
    let mut actions: Vec<String> = Vec::new();
    if features.update_service {
        for _ in 0..f.random_range(1..=4) {
            // Most often a service with a second revision to deploy.
            let with_revisions: Vec<usize> = (0..services.len())
                .filter(|&index| families[services[index].family].revisions == 2)
                .collect();
            let index = if !with_revisions.is_empty() && f.random_bool(0.7) {
                *pick(&mut f, &with_revisions)
            } else {
                f.random_range(0..services.len())
            };
            let service = &services[index];
            let mut changes: Vec<String> = Vec::new();
            if f.random_bool(0.6) {
                let family = &families[service.family];
                let reference = if family.revisions == 2 {
                    // Most often the other revision of its family.
                    let revision = if f.random_bool(0.8) {
                        3 - service.revision
                    } else {
                        service.revision
                    };
                    format!("f{}:{revision}", service.family)
                } else if !service.load_balanced && f.random_bool(0.3) {
                    format!("f{}", f.random_range(0..n_families))
                } else {
                    format!("f{}", service.family)
                };
                changes.push(format!("taskDefinition: \"{reference}\""));
            }
            if !service.daemon && f.random_bool(0.5) {
                changes.push(format!("desiredCount: {}", f.random_range(0..=16u32)));
            }
            if f.random_bool(0.3) {
                changes.push("forceNewDeployment: true".to_string());
            }
            if f.random_bool(0.4) {
                let mut configuration = Vec::new();
                if f.random_bool(0.6) {
                    configuration.push(format!(
                        "minimumHealthyPercent: {}",
                        f.random_range(0..=100u32)
                    ));
                }
                if f.random_bool(0.5) {
                    let maximum = if service.daemon {
                        100
                    } else {
                        f.random_range(100..=200u32)
                    };
                    configuration.push(format!("maximumPercent: {maximum}"));
                }
                if f.random_bool(0.4) {
                    configuration.push(format!(
                        "deploymentCircuitBreaker: {{enable: {}, rollback: {}}}",
                        f.random_bool(0.7),
                        f.random_bool(0.5)
                    ));
                }
                if !configuration.is_empty() {
                    changes.push(format!(
                        "deploymentConfiguration: {{{}}}",
                        configuration.join(", ")
                    ));
                }
            }
            if f.random_bool(0.2) {
                changes.push(format!(
                    "healthCheckGracePeriodSeconds: {}",
                    f.random_range(0..=120u32)
                ));
            }
            if changes.is_empty() {
                changes.push("forceNewDeployment: true".to_string());
            }
            actions.push(format!(
                "{{at: {}m, updateService: {{service: s{index}, {}}}}}",
                f.random_range(0..minutes),
                changes.join(", ")
            ));
        }
    }
    if features.drain {
        for _ in 0..f.random_range(1..=2) {
            let filter = instance_filter(&mut f, zones, n_groups, &used_types, true);
            let at = f.random_range(0..minutes);
            actions.push(format!("{{at: {at}m, drainInstances: {filter}}}"));
            if f.random_bool(0.7) {
                let filter = if f.random_bool(0.7) {
                    filter
                } else {
                    instance_filter(&mut f, zones, n_groups, &used_types, true)
                };
                actions.push(format!(
                    "{{at: {}m, activateInstances: {filter}}}",
                    at + f.random_range(0..240u32)
                ));
            }
        }
    }
    if features.set_capacity {
        for _ in 0..f.random_range(1..=3) {
            actions.push(format!(
                "{{at: {}m, setDesiredCapacity: {{autoScalingGroup: asg{}, desiredCapacity: {}}}}}",
                f.random_range(0..minutes),
                f.random_range(0..n_groups),
                f.random_range(0..=8u32)
            ));
        }
    }
    if features.stop_task {
        for _ in 0..f.random_range(1..=3) {
            let target = if f.random_bool(0.6) {
                format!("service: s{}", f.random_range(0..services.len()))
            } else {
                format!("taskDefinition: f{}", f.random_range(0..n_families))
            };
            let mut call = format!(
                "{{at: {}m, stopTask: {{{target}",
                f.random_range(0..minutes)
            );
            if f.random_bool(0.6) {
                let _ = write!(call, ", count: {}", f.random_range(1..=3u32));
            }
            if f.random_bool(0.3) {
                call += ", reason: \"Stopped by the swarm\"";
            }
            actions.push(call + "}}");
        }
    }
    if !actions.is_empty() {
        yaml += "actions:\n";
        for action in &actions {
            let _ = writeln!(yaml, "  - {action}");
        }
    }

    yaml += "faults:\n";
    // Swarm testing: each fault kind is on or off for the whole run.
    let mut any = false;
    if rng.random_bool(0.6) {
        any = true;
        let _ = writeln!(
            yaml,
            "  - {{kind: instanceFailure, mtbf: {}h}}",
            rng.random_range(1..48u32)
        );
    }
    if rng.random_bool(0.5) {
        any = true;
        let _ = writeln!(
            yaml,
            "  - {{kind: instanceFailure, at: {}m, count: 2}}",
            rng.random_range(0..600u32)
        );
    }
    if rng.random_bool(0.6) {
        any = true;
        let _ = writeln!(
            yaml,
            "  - {{kind: taskExit, taskDefinition: f0, mtbf: {}m, exitCode: 137}}",
            rng.random_range(10..600u32)
        );
    }
    if rng.random_bool(0.5) {
        any = true;
        let _ = writeln!(
            yaml,
            "  - {{kind: zoneOutage, availabilityZone: z-a, at: {}m, duration: {}m}}",
            rng.random_range(0..600u32),
            rng.random_range(1..180u32)
        );
    }
    if rng.random_bool(0.3) {
        any = true;
        yaml += "  - {kind: zoneOutage, availabilityZone: z-a, mtbf: 6h, duration: 30m}\n";
    }
    if features.spot {
        any = true;
        let scripted = f.random_bool(0.6);
        if scripted {
            let _ = writeln!(
                yaml,
                "  - {{kind: spotInterruption, at: {}m, count: {}}}",
                f.random_range(0..minutes),
                f.random_range(1..=2u32)
            );
        }
        if !scripted || f.random_bool(0.5) {
            let target = instance_filter(&mut f, zones, n_groups, &used_types, false);
            let _ = writeln!(
                yaml,
                "  - {{kind: spotInterruption, mtbf: {}h, target: {target}}}",
                f.random_range(2..48u32)
            );
        }
    }
    if features.agent_disconnect {
        any = true;
        let duration = |f: &mut ChaCha8Rng| {
            if f.random_bool(0.7) {
                format!(", duration: {}m", f.random_range(1..=90u32))
            } else {
                String::new()
            }
        };
        let scripted = f.random_bool(0.6);
        if scripted {
            let d = duration(&mut f);
            let _ = writeln!(
                yaml,
                "  - {{kind: agentDisconnect, at: {}m, count: 1{d}}}",
                f.random_range(0..minutes),
            );
        }
        if !scripted || f.random_bool(0.5) {
            let d = duration(&mut f);
            let _ = writeln!(
                yaml,
                "  - {{kind: agentDisconnect, mtbf: {}h{d}}}",
                f.random_range(4..72u32),
            );
        }
    }
    if features.task_exit_container {
        any = true;
        for _ in 0..f.random_range(1..=2) {
            let target = if f.random_bool(0.5) {
                format!("service: s{}", f.random_range(0..services.len()))
            } else {
                format!("taskDefinition: f{}", f.random_range(0..n_families))
            };
            let container = if f.random_bool(0.7) { "side" } else { "main" };
            let timing = if f.random_bool(0.5) {
                format!("at: {}m", f.random_range(0..minutes))
            } else {
                format!("mtbf: {}m", f.random_range(10..600u32))
            };
            let _ = writeln!(
                yaml,
                "  - {{kind: taskExit, {target}, container: {container}, {timing}, exitCode: {}}}",
                pick(&mut f, &[0, 1, 137])
            );
        }
    }
    if !any {
        yaml = yaml.trim_end_matches("faults:\n").to_string();
    }
    if features.scheduled_tasks {
        yaml += "scheduledTasks:\n";
        for _ in 0..f.random_range(1..=2) {
            let schedule = match f.random_range(0..7) {
                0 => format!("rate({} minutes)", f.random_range(5..=120u32)),
                1 => "rate(1 hour)".to_string(),
                2 => format!("rate({} hours)", f.random_range(2..=6u32)),
                3 => format!("cron(0/{} * * * ? *)", f.random_range(10..=30u32)),
                4 => format!("cron({} * * * ? *)", f.random_range(0..60u32)),
                5 => "cron(0 0/2 * * ? *)".to_string(),
                _ => "cron(30 9 ? * MON-FRI *)".to_string(),
            };
            let _ = writeln!(
                yaml,
                "  - {{taskDefinition: f{}, schedule: \"{schedule}\", count: {}}}",
                f.random_range(0..n_families),
                f.random_range(1..=3u32)
            );
        }
    }
    yaml
}

/// Loads generated scenario text; a generated scenario is always valid.
pub(crate) fn load(text: &str) -> Scenario {
    scenario::load_str(text, Path::new("swarm.yaml"), &[])
        .unwrap_or_else(|errors| panic!("the scenario does not load:\n{errors}\n{text}"))
}

/// What runs reached: each kind of change, with service messages, drain causes, instance
/// losses, stop codes, deployment causes and rollout states told apart. `SIM_COVERAGE=1`
/// prints, per kind, how many seeds reached it and how often (run with `--nocapture`), to
/// see which behaviours the swarm reaches.
#[derive(Default)]
struct Coverage {
    /// This run's counts.
    run: BTreeMap<(&'static str, &'static str), u64>,
}

impl Observer for Coverage {
    fn record(&mut self, _: des::SimTime, _: u64, change: &Change<'_>, _: &Cluster) {
        let detail = match change {
            Change::ServiceMessage { message, .. } => match message {
                ServiceMessage::SteadyState => "SteadyState",
                ServiceMessage::Throttled => "Throttled",
                ServiceMessage::DeploymentBlocked => "DeploymentBlocked",
                ServiceMessage::DeploymentCompleted { .. } => "DeploymentCompleted",
                ServiceMessage::DeploymentFailed { .. } => "DeploymentFailed",
                ServiceMessage::RollingBack { .. } => "RollingBack",
                ServiceMessage::TasksStarted { .. } => "TasksStarted",
                ServiceMessage::TasksStopped { .. } => "TasksStopped",
                ServiceMessage::UnableToPlace { .. } => "UnableToPlace",
            },
            Change::InstanceDraining { cause, .. } => cause.as_str(),
            Change::InstanceTerminated { loss, .. } => loss.as_str(),
            Change::TaskStopped { task } => task.stop_code.map_or("(none)", StopCode::as_str),
            Change::TaskUnhealthy { load_balancer, .. } => {
                if *load_balancer {
                    "loadBalancer"
                } else {
                    "container"
                }
            }
            Change::DeploymentStarted { deployment, .. } => match deployment.cause {
                DeploymentCause::ServiceCreated => "ServiceCreated",
                DeploymentCause::NewTaskDefinition => "NewTaskDefinition",
                DeploymentCause::ForceNewDeployment => "ForceNewDeployment",
                DeploymentCause::Rollback => "Rollback",
            },
            Change::DeploymentUpdated { deployment, .. } => deployment.rollout_state.as_str(),
            Change::PlacementFailed { reason, .. } => reason,
            Change::ManagedScaling { from, to, .. } => {
                if to > from {
                    "scaleOut"
                } else {
                    "scaleIn"
                }
            }
            _ => "",
        };
        *self.run.entry((change.kind(), detail)).or_default() += 1;
    }
}

/// Distinct broken invariants told per run.
const MAX_BREAKS: usize = 5;

thread_local! {
    /// Set while `quietly` runs a check, so that its panic is not printed.
    static QUIET: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Runs `check`, returning its panic message instead of printing it. Other threads' panics
/// (other tests) print as ever.
fn quietly(check: impl FnOnce()) -> Result<(), String> {
    static HOOK: std::sync::Once = std::sync::Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !QUIET.with(std::cell::Cell::get) {
                previous(info);
            }
        }));
    });
    QUIET.with(|quiet| quiet.set(true));
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(check));
    QUIET.with(|quiet| quiet.set(false));
    outcome.map_err(|payload| panic_message(payload.as_ref()))
}

/// A broken invariant's message without its numbers and names: the same break at another
/// time or on another instance has the same shape.
fn shape(message: &str) -> String {
    let first = message.lines().next().unwrap_or_default();
    first
        .split_whitespace()
        .filter(|word| !word.chars().any(|c| c.is_ascii_digit()))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Runs to the end with invariants checked after every event; returns what went wrong: each
/// distinct broken invariant (the run goes on after one), a panic of the model, time
/// standing still, or a run that does not end.
fn run_checked(scenario: &Scenario, seed: u64, coverage: &mut Coverage) -> Vec<String> {
    let mut problems = Vec::new();
    let mut broken = false;
    let mut seen: Vec<String> = Vec::new();
    let mut last = des::SimTime::ZERO;
    let mut at_last = 0u64;
    let mut events = 0u64;
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        sim::simulate(scenario, seed, coverage, &mut |now, cluster| {
            assert!(last <= now, "time went back: {last} then {now}");
            if now == last {
                at_last += 1;
                assert!(
                    at_last < MAX_EVENTS_AT_ONE_TIME,
                    "hang: over {MAX_EVENTS_AT_ONE_TIME} events at {now} and time does not advance"
                );
            } else {
                at_last = 0;
            }
            events += 1;
            assert!(
                events < MAX_EVENTS,
                "runaway: over {MAX_EVENTS} events by {now}"
            );
            last = now;
            // Checking goes on after an invariant breaks, each distinct break told once:
            // one bug does not hide the next.
            let check = quietly(|| cluster.check_invariants());
            if let Err(message) = check {
                broken = true;
                let kind = shape(&message);
                if !seen.contains(&kind) && seen.len() < MAX_BREAKS {
                    seen.push(kind);
                    problems.push(format!("at {now}: {message}"));
                }
            }
        });
    }));
    if let Err(payload) = outcome {
        let then = if broken { "then " } else { "" };
        problems.push(format!(
            "{then}the run panicked at {last}: {}",
            panic_message(payload.as_ref())
        ));
    }
    problems
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_else(|| "(no message)".to_string())
}

#[test]
fn invariants_hold_after_every_event_in_random_scenarios() {
    let file = std::env::var("SIM_SCENARIO").ok();
    let mut failures = Vec::new();
    // Per kind of change: seeds that reached it, and how many times.
    let mut reached: BTreeMap<(&'static str, &'static str), (u64, u64)> = BTreeMap::new();
    let seeds = match (&file, std::env::var("SIM_SEED").is_ok()) {
        (Some(_), false) => vec![0],
        _ => seeds(),
    };
    let runs = seeds.len();
    for seed in seeds {
        let text = match &file {
            Some(path) => std::fs::read_to_string(path).expect("SIM_SCENARIO is readable"),
            None => generate(seed),
        };
        let loaded = load(&text);
        let mut coverage = Coverage::default();
        let problems = run_checked(&loaded, seed, &mut coverage);
        for (key, count) in coverage.run {
            let entry = reached.entry(key).or_default();
            entry.0 += 1;
            entry.1 += count;
        }
        if !problems.is_empty() {
            // Triage: `SIM_DUMP=<dir>` keeps each failing scenario as <dir>/seed-<n>.yaml.
            if let (Ok(dir), None) = (std::env::var("SIM_DUMP"), &file) {
                let _ = std::fs::create_dir_all(&dir);
                let _ = std::fs::write(Path::new(&dir).join(format!("seed-{seed}.yaml")), &text);
            }
            failures.push((seed, problems.join("\n    "), text));
        }
    }
    if std::env::var("SIM_COVERAGE").is_ok() {
        for ((kind, detail), (seeds, count)) in &reached {
            eprintln!("{seeds:>6} seeds {count:>9} x {kind} {detail}");
        }
    }
    if let Some((seed, _, text)) = failures.first() {
        let list: Vec<String> = failures
            .iter()
            .map(|(seed, message, _)| format!("  SIM_SEED={seed}: {message}"))
            .collect();
        panic!(
            "{} of {} seeds broke an invariant, panicked or hung:\n{}\nreproduce with SIM_SEED={seed} cargo test -p sim --test it invariants\nscenario of SIM_SEED={seed}:\n{text}",
            failures.len(),
            runs,
            list.join("\n")
        );
    }
}
