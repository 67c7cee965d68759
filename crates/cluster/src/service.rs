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

/// Running-count history reduced to the report's figures, measured from the first time the
/// service reached its desired count (the initial rollout is not an outage).
#[derive(Clone, Debug, Default)]
pub struct ServiceStats {
    /// When the service first had `desired_count` tasks RUNNING.
    pub steady_since: Option<SimTime>,
    /// Integral of min(running, desired) over time, in task-milliseconds, since steady.
    pub running_task_ms: u128,
    /// Total time with running < desired, since steady.
    pub below_desired_ms: u64,
    /// When the current below-desired episode began.
    pub below_since: Option<SimTime>,
    /// Closed below-desired episodes and their total length (mean time to recover).
    pub recoveries: u64,
    pub recovery_ms_total: u64,
    pub min_running: Option<u32>,
    /// When `running_count` last changed (or steady began).
    pub last_change: SimTime,
    pub tasks_started: u64,
    pub tasks_failed: u64,
    pub placement_failures: u64,
}
