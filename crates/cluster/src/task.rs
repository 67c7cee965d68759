//! Tasks and their lifecycle states, stop codes and reasons as ECS writes them.

use std::fmt;
use std::sync::Arc;

use des::{EventKey, SimTime};

use crate::ids::{GroupId, InstanceId, ServiceId, TaskDefId, TaskId, ZoneId};
use crate::spec::Protocol;

/// `lastStatus` (ECS.md §3.1), in lifecycle order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum TaskStatus {
    /// awsvpc: the ENI is being attached.
    Provisioning,
    /// Image pull and container start.
    Pending,
    /// Registering with the service's target groups (instantaneous).
    Activating,
    Running,
    /// Deregistered from the target groups, which drain it for their deregistration delay.
    Deactivating,
    /// SIGTERM sent; SIGKILL at the stop timeout.
    Stopping,
    /// awsvpc: the ENI is being detached (`eniDetachTime`).
    Deprovisioning,
    Stopped,
}

impl TaskStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            TaskStatus::Provisioning => "PROVISIONING",
            TaskStatus::Pending => "PENDING",
            TaskStatus::Activating => "ACTIVATING",
            TaskStatus::Running => "RUNNING",
            TaskStatus::Deactivating => "DEACTIVATING",
            TaskStatus::Stopping => "STOPPING",
            TaskStatus::Deprovisioning => "DEPROVISIONING",
            TaskStatus::Stopped => "STOPPED",
        }
    }

    /// Desired status RUNNING: counted by the scheduler and by `spread` (A3).
    pub fn is_active(self) -> bool {
        self <= TaskStatus::Running
    }
}

/// `stopCode` (ECS.md §3.4).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StopCode {
    TaskFailedToStart,
    EssentialContainerExited,
    UserInitiated,
    ServiceSchedulerInitiated,
    /// EC2 reclaimed the Spot instance (A14, INFERRED).
    SpotInterruption,
}

impl StopCode {
    pub fn as_str(self) -> &'static str {
        match self {
            StopCode::TaskFailedToStart => "TaskFailedToStart",
            StopCode::EssentialContainerExited => "EssentialContainerExited",
            StopCode::UserInitiated => "UserInitiated",
            StopCode::ServiceSchedulerInitiated => "ServiceSchedulerInitiated",
            StopCode::SpotInterruption => "SpotInterruption",
        }
    }
}

/// What the service scheduler sees of a task's health (ECS.md §4.4).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Health {
    /// From when the task counts as healthy for `minimumHealthyPercent`; `None` while it is
    /// not RUNNING or if it never becomes healthy.
    pub healthy_at: Option<SimTime>,
    /// Its targets passed the target groups' initial health checks.
    pub target_healthy: bool,
    /// It failed its container or load balancer health checks (after the grace period):
    /// the scheduler replaces it.
    pub unhealthy: bool,
    /// A target group found it unhealthy first (else a container health check will).
    pub failed_load_balancer: bool,
}

/// A task's name in outputs, `t-000042`: its number in creation order, readable and stable
/// across runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct TaskName(pub u64);

impl fmt::Display for TaskName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "t-{:06}", self.0)
    }
}

#[derive(Clone, Debug)]
pub struct Task {
    /// The task's slot while it lives; reused after it is STOPPED.
    pub id: TaskId,
    /// Creation order from 1, never reused: the name in outputs and the order of output rows.
    pub number: u64,
    pub group: GroupId,
    /// This task is the `ordinal`-th (from 0) its group ever started: with the group, the
    /// key of its random draws.
    pub ordinal: u32,
    pub service: Option<ServiceId>,
    pub task_definition: TaskDefId,
    pub instance: InstanceId,
    pub availability_zone: ZoneId,
    pub created_at: SimTime,
    /// When it got its instance: `created_at`, or later for a task that waited in
    /// PROVISIONING for its capacity provider.
    pub placed_at: SimTime,
    pub started_at: Option<SimTime>,
    pub stopping_at: Option<SimTime>,
    pub stopped_at: Option<SimTime>,
    pub last_status: TaskStatus,
    /// Empty when ECS documents none (a lost host, ECS.md §3.4 A14).
    pub stop_code: Option<StopCode>,
    /// ECS's `stoppedReason`: a fixed sentence, or one naming the lost host (shared by the
    /// tasks it hosted), so stopping allocates nothing per task.
    pub stopped_reason: Option<Arc<str>>,
    /// The essential container's exit code, when it exited by itself.
    pub exit_code: Option<i32>,
    /// The service deployment that started it (`Service::deployments` index).
    pub deployment: Option<u32>,
    pub health: Health,
    /// It is registered with its service's target groups (ACTIVATING until deregistered).
    pub registered: bool,
    /// Host ports this task holds (static and dynamic), released at STOPPED.
    pub host_ports: Vec<(Protocol, u16)>,
    /// Pending events about this task (lifecycle step, runtime end, random faults),
    /// cancelled when the task stops for another reason.
    pub timers: Vec<EventKey>,
    /// When the phase it is in has no length: the token of its entry on the model's "due
    /// now" list (`cluster/phases.rs`); only ever set inside an event.
    pub phase_due_now: Option<u64>,
    /// The capacity provider it was assigned (index into the cluster's), if its service or
    /// RunTask used a capacity provider strategy (ECS.md §5.5).
    pub capacity_provider: Option<u16>,
}

impl Task {
    /// `t-000042`.
    pub fn name(&self) -> TaskName {
        TaskName(self.number)
    }
}

impl Task {
    /// Counted healthy for `minimumHealthyPercent` at `now` (ECS.md §4.4).
    pub fn is_healthy(&self, now: SimTime) -> bool {
        self.last_status == TaskStatus::Running
            && !self.health.unhealthy
            && self.health.healthy_at.is_some_and(|at| at <= now)
            // A target's first passing check is its own event, which may fall at `now`
            // after the pass that reads this.
            && (!self.registered || self.health.target_healthy)
    }
}
