//! The service figures consumer: each service's running-count history, reduced to the
//! report's figures as change records arrive. The model keeps no metrics; this does.

use std::collections::BTreeSet;

use cluster::change::Change;
use cluster::cluster::Cluster;
use cluster::ids::ServiceId;
use cluster::task::{StopCode, Task};
use des::SimTime;

use crate::report::ServiceReport;

/// Running-count history reduced to the report's figures. The window opens at time zero
/// and opens again when the service first reaches its desired count, so the initial rollout
/// is not counted as an outage (a service that never gets there is measured from zero).
#[derive(Clone, Debug, Default)]
struct ServiceStats {
    /// When the service first had `desired_count` tasks RUNNING.
    steady_since: Option<SimTime>,
    /// Start of the measured window: zero, or `steady_since` once reached.
    window_start: SimTime,
    /// Integral of min(running, desired) over the window, in task-milliseconds.
    running_task_ms: u128,
    /// Integral of the desired count over the window: the denominator of availability,
    /// since the desired count can change (UpdateService, a DAEMON's instances).
    desired_task_ms: u128,
    /// Total time in the window with running < desired.
    below_desired_ms: u64,
    /// When the current below-desired episode began (after steady state).
    below_since: Option<SimTime>,
    /// Closed below-desired episodes and their total length (mean time to recover).
    recoveries: u64,
    recovery_ms_total: u64,
    min_running: u32,
    /// The running count as last seen, and when it last changed.
    running: u32,
    last_change: SimTime,
    tasks_started: u64,
    tasks_failed: u64,
    placement_failures: u64,
    /// The desired count in force since `last_change`.
    desired: u32,
    /// Healthy load balancer targets (task numbers), for services with load balancers.
    healthy_targets: BTreeSet<u64>,
    /// When the service first had `desired_count` healthy targets: the healthy-target
    /// figures are measured from then (targets pass their checks after the tasks run).
    targets_since: Option<SimTime>,
    /// Integral of the healthy target count since `targets_since`, in target-milliseconds,
    /// its minimum, and when it last changed.
    healthy_target_ms: u128,
    min_healthy_targets: Option<u32>,
    targets_changed: SimTime,
}

impl ServiceStats {
    /// Accounts for the time since the last change at the running count that held then.
    fn advance(&mut self, now: SimTime) {
        let desired = self.desired;
        let elapsed_ms = now.since(self.last_change);
        self.running_task_ms += u128::from(self.running.min(desired)) * u128::from(elapsed_ms);
        self.desired_task_ms += u128::from(desired) * u128::from(elapsed_ms);
        if self.running < desired {
            self.below_desired_ms += elapsed_ms;
        }
        self.last_change = now;
    }

    /// Records that the running count is `after` and the desired count `desired` from `now`
    /// on.
    fn running_changed(&mut self, now: SimTime, after: u32, desired: u32) {
        let before_below = self.running < self.desired;
        self.advance(now);
        self.running = after;
        self.desired = desired;
        if self.steady_since.is_none() {
            if after >= desired {
                self.steady_since = Some(now);
                self.window_start = now;
                self.min_running = after;
                self.running_task_ms = 0;
                self.desired_task_ms = 0;
                self.below_desired_ms = 0;
            }
            return;
        }
        self.min_running = self.min_running.min(after);
        let below = after < desired;
        if !before_below && below {
            self.below_since = Some(now);
        } else if before_below && !below {
            if let Some(since) = self.below_since.take() {
                self.recoveries += 1;
                self.recovery_ms_total += now.since(since);
            }
        }
    }

    /// Accounts for the healthy targets since their last change (`before` of them); their
    /// count now is `healthy_targets.len()`.
    fn targets_changed(&mut self, now: SimTime, before: u32) {
        let after = self.healthy_targets.len() as u32;
        if self.targets_since.is_none() {
            if self.desired == 0 || after < self.desired {
                return;
            }
            self.targets_since = Some(now);
            self.targets_changed = now;
        }
        self.healthy_target_ms += u128::from(before) * u128::from(now.since(self.targets_changed));
        self.targets_changed = now;
        self.min_healthy_targets = Some(self.min_healthy_targets.map_or(after, |m| m.min(after)));
    }

    /// min(running, desired) / desired, averaged over the window up to `end`.
    fn availability(&self) -> f64 {
        if self.desired_task_ms == 0 {
            return 1.0;
        }
        self.running_task_ms as f64 / self.desired_task_ms as f64
    }
}

/// Follows every service through the change records.
#[derive(Debug, Default)]
pub struct Figures {
    services: Vec<ServiceStats>,
}

impl Figures {
    /// Figures for the cluster's services, each measured against its desired count at
    /// time zero until that changes.
    pub fn new(cluster: &Cluster) -> Figures {
        Figures {
            services: cluster
                .services()
                .iter()
                .map(|service| ServiceStats {
                    desired: service.desired_count,
                    ..ServiceStats::default()
                })
                .collect(),
        }
    }

    pub fn record(&mut self, at: SimTime, change: &Change<'_>, cluster: &Cluster) {
        match *change {
            Change::TargetHealthy { task }
            | Change::TaskUnhealthy { task, .. }
            | Change::TaskDeactivating { task, .. } => self.sync_target(task, at),
            Change::DesiredCountChanged { service, .. } => self.sync(service.id, at, cluster),
            Change::TaskRunning { task } => {
                if let Some(service) = task.service {
                    self.services[service.index()].tasks_started += 1;
                    self.sync(service, at, cluster);
                }
            }
            Change::TaskStopping { task } => {
                if let Some(service) = task.service {
                    self.sync(service, at, cluster);
                }
            }
            Change::TaskStopped { task } => {
                if let Some(service) = task.service {
                    // A task that exits 0 by itself finished its work, and one the scheduler
                    // or a user stopped was not a failure; failed starts, crashes, failed
                    // health checks and lost hosts are.
                    let failed = match task.stop_code {
                        Some(StopCode::EssentialContainerExited) => task.exit_code != Some(0),
                        Some(StopCode::ServiceSchedulerInitiated) => task.health.unhealthy,
                        Some(StopCode::UserInitiated) => false,
                        Some(StopCode::TaskFailedToStart | StopCode::SpotInterruption) | None => {
                            true
                        }
                    };
                    self.services[service.index()].tasks_failed += u64::from(failed);
                    self.sync_target(task, at);
                    self.sync(service, at, cluster);
                }
            }
            Change::PlacementFailed {
                service: Some(service),
                count,
                ..
            } => {
                self.services[service.index()].placement_failures += u64::from(count);
            }
            _ => {}
        }
    }

    /// Picks up a change of the service's running or desired count.
    fn sync(&mut self, service: ServiceId, at: SimTime, cluster: &Cluster) {
        let model = cluster.service(service);
        let stats = &mut self.services[service.index()];
        if model.running_count != stats.running || model.desired_count != stats.desired {
            stats.running_changed(at, model.running_count, model.desired_count);
        }
    }

    /// Picks up whether a task is a healthy target: registered, passed its target groups'
    /// checks, not failed by them since.
    fn sync_target(&mut self, task: &Task, at: SimTime) {
        let Some(service) = task.service else { return };
        let healthy = task.registered
            && task.health.target_healthy
            && !(task.health.unhealthy && task.health.failed_load_balancer);
        let stats = &mut self.services[service.index()];
        let before = stats.healthy_targets.len() as u32;
        let changed = if healthy {
            stats.healthy_targets.insert(task.number)
        } else {
            stats.healthy_targets.remove(&task.number)
        };
        if changed {
            stats.targets_changed(at, before);
        }
    }

    /// The figures at `end`.
    pub fn report(&self, cluster: &Cluster, end: SimTime) -> Vec<ServiceReport> {
        cluster
            .services()
            .iter()
            .zip(&self.services)
            .map(|(service, stats)| {
                let mut stats = stats.clone();
                stats.advance(end);
                let targets = stats.healthy_targets.len() as u32;
                stats.targets_changed(end, targets);
                let load_balanced = !service.load_balancers.is_empty();
                let targets_ms = stats.targets_since.map_or(0, |since| end.since(since));
                ServiceReport {
                    service_name: service.service_name.clone(),
                    desired_count: service.desired_count,
                    availability: stats.availability(),
                    min_running: stats.min_running,
                    seconds_below_desired: SimTime(stats.below_desired_ms),
                    mean_time_to_recover: (stats.recoveries > 0)
                        .then(|| SimTime(stats.recovery_ms_total / stats.recoveries)),
                    tasks_started: stats.tasks_started,
                    tasks_failed: stats.tasks_failed,
                    placement_failures: stats.placement_failures,
                    steady_at: stats.steady_since,
                    mean_healthy_targets: load_balanced.then(|| {
                        if targets_ms == 0 {
                            0.0
                        } else {
                            stats.healthy_target_ms as f64 / targets_ms as f64
                        }
                    }),
                    min_healthy_targets: if load_balanced {
                        Some(stats.min_healthy_targets.unwrap_or(0))
                    } else {
                        None
                    },
                }
            })
            .collect()
    }
}
