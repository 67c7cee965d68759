//! The closed set of events the queue carries.
//!
//! Variants are facts in the past tense. Who schedules each is listed in ARCHITECTURE.md.

use crate::ids::{AsgId, InstanceId, ServiceId, TaskId, ZoneId};
use crate::instance::InstanceLoss;

/// Where a new instance comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Launch {
    /// The scenario's fixed instance number `n` (in `ClusterSpec::instances`).
    Fixed(u32),
    /// A launch by an Auto Scaling group into a zone.
    AutoScaling {
        asg: AsgId,
        zone: ZoneId,
        rebalance: bool,
    },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    /// An instance booted and its agent registered it with the cluster.
    InstanceRegistered {
        launch: Launch,
    },
    /// An instance was terminated (random `instanceFailure`).
    InstanceTerminated {
        instance: InstanceId,
        loss: InstanceLoss,
    },
    /// A scripted fault's time came (`faults[fault]` with `at`).
    FaultScheduled {
        fault: u32,
    },
    /// A zone went down (`faults[fault]` is a zoneOutage).
    ZoneOutageStarted {
        fault: u32,
    },
    ZoneOutageEnded {
        fault: u32,
    },
    /// An awsvpc task's ENI is attached: PROVISIONING to PENDING.
    TaskProvisioned {
        task: TaskId,
    },
    /// Every container started: PENDING to RUNNING.
    TaskStarted {
        task: TaskId,
    },
    /// The task's essential container exited by itself.
    TaskExited {
        task: TaskId,
        exit_code: i32,
    },
    /// The last container stopped: STOPPING to STOPPED.
    TaskStopped {
        task: TaskId,
    },
    /// The service scheduler looks at one service and acts.
    ServiceSchedulerPassDue {
        service: ServiceId,
    },
    /// A RunTask call (`runTasks[run]`) is made.
    RunTaskRequested {
        run: u32,
    },
}
