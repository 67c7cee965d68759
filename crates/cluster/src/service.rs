//! Services: what each keeps running, its deployments, and the counts of its live tasks.
//! The figures reported about them are worked out from change records by the `sim` crate,
//! not kept here.

use std::collections::BTreeMap;

use des::{EventKey, SimTime};

use crate::deployment::Deployment;
use crate::ids::{GroupId, ServiceId, TaskDefId, TaskId};
use crate::spec::{DeploymentConfiguration, LoadBalancerSpec, SchedulingStrategy};

#[derive(Debug)]
pub struct Service {
    pub id: ServiceId,
    pub service_name: String,
    pub group: GroupId,
    pub scheduling_strategy: SchedulingStrategy,
    /// REPLICA: the scenario's or the last update's. DAEMON: the eligible instances.
    pub desired_count: u32,
    pub deployment_configuration: DeploymentConfiguration,
    pub load_balancers: Vec<LoadBalancerSpec>,
    pub health_check_grace_period_ms: u64,
    /// Every deployment of the run, oldest first; the last one is PRIMARY.
    pub deployments: Vec<Deployment>,
    /// Tasks that are not STOPPED, by task number (creation order).
    pub tasks: BTreeMap<u64, TaskId>,
    /// Of `tasks`: desired status RUNNING (PROVISIONING to RUNNING).
    pub active_count: u32,
    /// Of `tasks`: RUNNING.
    pub running_count: u32,
    /// Of the active tasks: failed their health checks, awaiting replacement.
    pub unhealthy_count: u32,
    /// By when every RUNNING task counts as healthy (the latest `healthy_at` among them, or
    /// later: a task that left may have raised it); `None` if one may never. Lets a pass
    /// see a steady state without looking at each task.
    pub healthy_by: Option<SimTime>,
    /// The next scheduler pass, if one is due.
    pub pass: Option<EventKey>,
    /// The service throttle (ECS.md §4.9): consecutive tasks that failed to start, and no
    /// launch before `throttled_until`.
    pub start_failures: u32,
    pub throttled_until: SimTime,
    /// Whether the current spell has been reported once (throttle, a stuck deployment,
    /// steady state), so ECS's messages come once per spell.
    pub throttle_reported: bool,
    pub stuck_reported: bool,
    /// The placement failure event last written (its reason and closest matching instance)
    /// and when: ECS omits a duplicate until the cause is resolved or six hours pass
    /// (ECS.md §1.7).
    pub unplaced_reported: Option<(
        crate::placement::PlacementFailure,
        Option<crate::ids::InstanceId>,
        SimTime,
    )>,
    pub steady: bool,
    /// When the desired count or `maximumPercent` was last changed: tasks started since
    /// must fit under the limit (`check_invariants`).
    pub limit_lowered_at: SimTime,
}

impl Service {
    /// The PRIMARY deployment.
    pub fn primary(&self) -> &Deployment {
        self.deployments
            .last()
            .expect("a service has a deployment from its creation")
    }

    /// Every task is of the PRIMARY deployment: older ones are all INACTIVE.
    pub fn only_primary(&self) -> bool {
        let older = self.deployments.len().saturating_sub(1);
        self.deployments[..older]
            .iter()
            .all(|deployment| deployment.status == crate::deployment::DeploymentStatus::Inactive)
    }

    /// The task definition new tasks are started from.
    pub fn task_definition(&self) -> TaskDefId {
        self.primary().task_definition
    }

    pub fn is_daemon(&self) -> bool {
        self.scheduling_strategy == SchedulingStrategy::Daemon
    }

    /// Tasks counted against `maximumPercent` (A6: STOPPING too, by default).
    pub fn tasks_counted_for_maximum(&self, counts_stopping: bool) -> u32 {
        if counts_stopping {
            self.tasks.len() as u32
        } else {
            self.active_count
        }
    }
}
