//! Tasks and their lifecycle states, stop codes and reasons as ECS writes them.

use std::fmt;
use std::sync::Arc;

use des::{EventKey, SimTime};

use crate::ids::{GroupId, InstanceId, ServiceId, TaskDefId, TaskId, ZoneId};
use crate::spec::Protocol;

/// `lastStatus` (ECS.md §3.1). ACTIVATING/DEACTIVATING/DEPROVISIONING are instantaneous here
/// until load balancers arrive, so they are not states a task rests in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum TaskStatus {
    Provisioning,
    Pending,
    Running,
    Stopping,
    Stopped,
}

impl TaskStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            TaskStatus::Provisioning => "PROVISIONING",
            TaskStatus::Pending => "PENDING",
            TaskStatus::Running => "RUNNING",
            TaskStatus::Stopping => "STOPPING",
            TaskStatus::Stopped => "STOPPED",
        }
    }

    /// Counted by the scheduler and by `spread`: placed, and meant to keep running (A3).
    pub fn is_active(self) -> bool {
        matches!(
            self,
            TaskStatus::Provisioning | TaskStatus::Pending | TaskStatus::Running
        )
    }
}

/// `stopCode` (ECS.md §3.4).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StopCode {
    EssentialContainerExited,
    ServiceSchedulerInitiated,
    UserInitiated,
    TaskFailedToStart,
}

impl StopCode {
    pub fn as_str(self) -> &'static str {
        match self {
            StopCode::EssentialContainerExited => "EssentialContainerExited",
            StopCode::ServiceSchedulerInitiated => "ServiceSchedulerInitiated",
            StopCode::UserInitiated => "UserInitiated",
            StopCode::TaskFailedToStart => "TaskFailedToStart",
        }
    }
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
    /// Host ports this task holds (static and dynamic), released at STOPPED.
    pub host_ports: Vec<(Protocol, u16)>,
    /// Pending events about this task (lifecycle step, runtime end, random faults),
    /// cancelled when the task stops for another reason.
    pub timers: Vec<EventKey>,
}

impl Task {
    /// `t-000042`.
    pub fn name(&self) -> TaskName {
        TaskName(self.number)
    }
}
