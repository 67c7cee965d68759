//! Tasks and their lifecycle states, stop codes and reasons as ECS writes them.

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

#[derive(Clone, Debug)]
pub struct Task {
    pub id: TaskId,
    /// `t-000001`: readable and stable across runs.
    pub task_id: String,
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
    pub stopped_reason: Option<String>,
    /// The essential container's exit code, when it exited by itself.
    pub exit_code: Option<i32>,
    /// Host ports this task holds (static and dynamic), released at STOPPED.
    pub host_ports: Vec<(Protocol, u16)>,
    /// Pending events about this task (lifecycle step, runtime end, random faults),
    /// cancelled when the task stops for another reason.
    pub timers: Vec<EventKey>,
}
