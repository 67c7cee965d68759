//! Services: the desired count, the placement they use, and the figures the report needs.

use des::{EventKey, SimTime};

use crate::ids::{GroupId, ServiceId, TaskDefId, TaskId};
use crate::placement::Placement;
use crate::spec::DeploymentConfiguration;

#[derive(Debug)]
pub struct Service {
    pub id: ServiceId,
    pub service_name: String,
    pub group: GroupId,
    pub task_definition: TaskDefId,
    pub desired_count: u32,
    pub deployment_configuration: DeploymentConfiguration,
    pub placement: Placement,
    /// Tasks that are not STOPPED, in id order.
    pub tasks: Vec<TaskId>,
    /// Of `tasks`: PROVISIONING, PENDING or RUNNING.
    pub active_count: u32,
    /// Of `tasks`: RUNNING.
    pub running_count: u32,
    /// The next scheduler pass, if one is due.
    pub pass: Option<EventKey>,
    pub stats: ServiceStats,
}

impl Service {
    /// Tasks counted against `maximumPercent` (A6: STOPPING too, by default).
    pub fn tasks_counted_for_maximum(&self, counts_stopping: bool) -> u32 {
        if counts_stopping {
            self.tasks.len() as u32
        } else {
            self.active_count
        }
    }
}

/// Running-count history reduced to the report's figures. The window opens at time zero
/// and opens again when the service first reaches its desired count, so the initial rollout
/// is not counted as an outage (a service that never gets there is measured from zero).
#[derive(Clone, Debug, Default)]
pub struct ServiceStats {
    /// When the service first had `desired_count` tasks RUNNING.
    pub steady_since: Option<SimTime>,
    /// Start of the measured window: zero, or `steady_since` once reached.
    pub window_start: SimTime,
    /// Integral of min(running, desired) over the window, in task-milliseconds.
    pub running_task_ms: u128,
    /// Total time in the window with running < desired.
    pub below_desired_ms: u64,
    /// When the current below-desired episode began (after steady state).
    pub below_since: Option<SimTime>,
    /// Closed below-desired episodes and their total length (mean time to recover).
    pub recoveries: u64,
    pub recovery_ms_total: u64,
    pub min_running: u32,
    /// When `running_count` last changed.
    pub last_change: SimTime,
    pub tasks_started: u64,
    pub tasks_failed: u64,
    pub placement_failures: u64,
}

impl ServiceStats {
    /// Accounts for the time since the last change at the running count that held then.
    pub fn advance(&mut self, now: SimTime, running: u32, desired: u32) {
        let elapsed_ms = now.since(self.last_change);
        self.running_task_ms += u128::from(running.min(desired)) * u128::from(elapsed_ms);
        if running < desired {
            self.below_desired_ms += elapsed_ms;
        }
        self.last_change = now;
    }

    /// Records that the running count went from `before` to `after` at `now`.
    pub fn running_changed(&mut self, now: SimTime, before: u32, after: u32, desired: u32) {
        self.advance(now, before, desired);
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
    pub fn availability(&self, desired: u32, end: SimTime) -> f64 {
        let window_ms = end.since(self.window_start);
        if desired == 0 || window_ms == 0 {
            return 1.0;
        }
        self.running_task_ms as f64 / (f64::from(desired) * window_ms as f64)
    }
}
