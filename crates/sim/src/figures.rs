//! The service figures consumer: each service's running-count history, reduced to the
//! report's figures as change records arrive. The model keeps no metrics; this does.

use cluster::change::Change;
use cluster::cluster::Cluster;
use cluster::ids::ServiceId;
use cluster::task::StopCode;
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
}

impl ServiceStats {
    /// Accounts for the time since the last change at the running count that held then.
    fn advance(&mut self, now: SimTime, desired: u32) {
        let elapsed_ms = now.since(self.last_change);
        self.running_task_ms += u128::from(self.running.min(desired)) * u128::from(elapsed_ms);
        if self.running < desired {
            self.below_desired_ms += elapsed_ms;
        }
        self.last_change = now;
    }

    /// Records that the running count is `after` from `now` on.
    fn running_changed(&mut self, now: SimTime, after: u32, desired: u32) {
        let before = self.running;
        self.advance(now, desired);
        self.running = after;
        if self.steady_since.is_none() {
            if after >= desired {
                self.steady_since = Some(now);
                self.window_start = now;
                self.min_running = after;
                self.running_task_ms = 0;
                self.below_desired_ms = 0;
            }
            return;
        }
        self.min_running = self.min_running.min(after);
        if before >= desired && after < desired {
            self.below_since = Some(now);
        } else if before < desired && after >= desired {
            if let Some(since) = self.below_since.take() {
                self.recoveries += 1;
                self.recovery_ms_total += now.since(since);
            }
        }
    }

    /// min(running, desired) / desired, averaged over the window up to `end`.
    fn availability(&self, desired: u32, end: SimTime) -> f64 {
        let window_ms = end.since(self.window_start);
        if desired == 0 || window_ms == 0 {
            return 1.0;
        }
        self.running_task_ms as f64 / (f64::from(desired) * window_ms as f64)
    }
}

/// Follows every service through the change records.
#[derive(Debug, Default)]
pub struct Figures {
    services: Vec<ServiceStats>,
}

impl Figures {
    pub fn new(services: usize) -> Figures {
        Figures {
            services: vec![ServiceStats::default(); services],
        }
    }

    pub fn record(&mut self, at: SimTime, change: &Change<'_>, cluster: &Cluster) {
        match *change {
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
                    // A task that exits 0 by itself finished its work; any other stop that
                    // the service did not ask for is a failure.
                    let failed = match task.stop_code {
                        Some(StopCode::EssentialContainerExited) => task.exit_code != Some(0),
                        Some(_) => false,
                        None => true,
                    };
                    self.services[service.index()].tasks_failed += u64::from(failed);
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

    /// Picks up a change of the service's running count.
    fn sync(&mut self, service: ServiceId, at: SimTime, cluster: &Cluster) {
        let model = cluster.service(service);
        let stats = &mut self.services[service.index()];
        if model.running_count != stats.running {
            stats.running_changed(at, model.running_count, model.desired_count);
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
                stats.advance(end, service.desired_count);
                ServiceReport {
                    service_name: service.service_name.clone(),
                    desired_count: service.desired_count,
                    availability: stats.availability(service.desired_count, end),
                    min_running: stats.min_running,
                    seconds_below_desired: SimTime(stats.below_desired_ms),
                    mean_time_to_recover: (stats.recoveries > 0)
                        .then(|| SimTime(stats.recovery_ms_total / stats.recoveries)),
                    tasks_started: stats.tasks_started,
                    tasks_failed: stats.tasks_failed,
                    placement_failures: stats.placement_failures,
                }
            })
            .collect()
    }
}
