//! The service figures consumer: each service's counts reduced to the report's figures as
//! change records arrive. The model keeps no metrics; this does.
//!
//! Every figure is measured over one window, from `metrics.warmup` to the end of the run:
//! the same for every run of a scenario, whatever the run does. Running and desired counts,
//! and the spells below desired, come from `spells::Spells`; this adds task counts,
//! placement failures and healthy load balancer targets.

use std::collections::BTreeSet;

use cluster::change::Change;
use cluster::cluster::Cluster;
use cluster::task::{StopCode, Task};
use des::SimTime;

use crate::report::ServiceReport;
use crate::spells::{Spell, Spells};

/// A count over time (healthy targets), measured over the window as `spells` measures
/// running counts: its integral and its minimum.
#[derive(Clone, Debug, Default)]
struct Step {
    value: u32,
    since: SimTime,
    /// Integral over the window, in count-milliseconds.
    integral: u128,
    min: Option<u32>,
}

impl Step {
    /// The value held since `since` is replaced at `now`.
    fn measure(&mut self, now: SimTime, window_start: SimTime) {
        if now > window_start || self.since >= window_start {
            self.min = Some(self.min.map_or(self.value, |m| m.min(self.value)));
        }
        let from = self.since.max(window_start);
        if now > from {
            self.integral += u128::from(self.value) * u128::from(now.since(from));
        }
        self.since = now;
    }
}

/// What a service's counts do not tell.
#[derive(Clone, Debug, Default)]
struct ServiceStats {
    /// Reported spells that ended, and their total length in the window (mean time to
    /// recover).
    recoveries: u64,
    recovery_ms_total: u64,
    tasks_started: u64,
    tasks_failed: u64,
    placement_failures: u64,
    /// Healthy load balancer targets (task numbers), for services with load balancers.
    healthy_targets: BTreeSet<u64>,
    targets: Step,
}

/// Follows every service through the change records.
#[derive(Debug)]
pub struct Figures {
    spells: Spells,
    services: Vec<ServiceStats>,
    load: crate::load_figures::LoadFigures,
}

impl Figures {
    /// Figures of the services of `cluster` (at time zero), measured from `window_start`.
    pub fn new(cluster: &Cluster, window_start: SimTime) -> Figures {
        Figures {
            spells: Spells::new(cluster, window_start),
            services: vec![ServiceStats::default(); cluster.services().len()],
            load: crate::load_figures::LoadFigures::new(cluster, window_start),
        }
    }

    pub fn record(&mut self, at: SimTime, change: &Change<'_>, cluster: &Cluster) {
        if let Some(spell) = self.spells.record(at, change, cluster) {
            self.recovered(&spell);
        }
        self.load.record(at, change, cluster);
        match *change {
            Change::TargetHealthy { task }
            | Change::TaskUnhealthy { task, .. }
            | Change::TaskDeactivating { task, .. } => self.sync_target(task, at),
            Change::TaskRunning { task } => {
                if let Some(service) = task.service {
                    self.services[service.index()].tasks_started += 1;
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

    fn recovered(&mut self, spell: &Spell) {
        let ended_at = spell.ended_at.expect("an ended spell");
        let stats = &mut self.services[spell.service.index()];
        stats.recoveries += 1;
        stats.recovery_ms_total += ended_at.since(spell.started_at);
    }

    /// Picks up whether a task is a healthy target: registered, passed its target groups'
    /// checks, not failed by them since, and not deregistering (a DEACTIVATING task's
    /// targets are draining: they take no new requests).
    fn sync_target(&mut self, task: &Task, at: SimTime) {
        let Some(service) = task.service else { return };
        let healthy = task.registered
            && task.last_status.is_active()
            && task.health.target_healthy
            && !(task.health.unhealthy && task.health.failed_load_balancer);
        let window_start = self.spells.window_start();
        let stats = &mut self.services[service.index()];
        let changed = if healthy {
            stats.healthy_targets.insert(task.number)
        } else {
            stats.healthy_targets.remove(&task.number)
        };
        if changed {
            stats.targets.measure(at, window_start);
            stats.targets.value = stats.healthy_targets.len() as u32;
        }
    }

    /// The figures at `end`, the end of the run.
    pub fn report(mut self, cluster: &Cluster, end: SimTime) -> Vec<ServiceReport> {
        let window_start = self.spells.window_start();
        let window_ms = end.since(window_start);
        // Spells still open at the end are not recoveries.
        let _still_below = self.spells.finish(end);
        cluster
            .services()
            .iter()
            .zip(&mut self.services)
            .map(|(service, stats)| {
                let counts = self.spells.counts(service.id);
                stats.targets.measure(end, window_start);
                let load_balanced = !service.load_balancers.is_empty();
                let load = self.load.finish(service.id, end);
                ServiceReport {
                    service_name: service.service_name.clone(),
                    desired_count: service.desired_count,
                    availability: if counts.desired_task_ms == 0 {
                        1.0
                    } else {
                        counts.running_task_ms as f64 / counts.desired_task_ms as f64
                    },
                    min_running: counts.min_running.unwrap_or(0),
                    seconds_below_desired: SimTime(counts.below_ms),
                    mean_time_to_recover: (stats.recoveries > 0)
                        .then(|| SimTime(stats.recovery_ms_total / stats.recoveries)),
                    tasks_started: stats.tasks_started,
                    tasks_failed: stats.tasks_failed,
                    placement_failures: stats.placement_failures,
                    steady_at: counts.steady_at,
                    mean_healthy_targets: load_balanced.then(|| {
                        if window_ms == 0 {
                            0.0
                        } else {
                            stats.targets.integral as f64 / window_ms as f64
                        }
                    }),
                    min_healthy_targets: load_balanced.then(|| stats.targets.min.unwrap_or(0)),
                    unserved_requests: load.map(|(unserved, _)| unserved),
                    seconds_saturated: load.map(|(_, saturated)| saturated),
                    // Filled in from `cost::Costs` by `run`.
                    cost_usd: None,
                }
            })
            .collect()
    }
}
