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
    /// EC2 reclaimed a Spot instance at the end of its notice.
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
    /// A container exited by itself: the essential one (`container: None`, or one marked
    /// essential) stops the task; a non-essential one does not (ECS.md §3.2).
    TaskExited {
        task: TaskId,
        exit_code: i32,
        container: Option<u32>,
    },
    /// The task's targets passed their target groups' initial health checks.
    TargetHealthy {
        task: TaskId,
    },
    /// The task failed its container or load balancer health checks, grace period over.
    TaskUnhealthy {
        task: TaskId,
    },
    /// The target groups' deregistration delay is over: DEACTIVATING to STOPPING.
    TaskDeregistered {
        task: TaskId,
    },
    /// The last container stopped: STOPPING to DEPROVISIONING or STOPPED.
    TaskStopped {
        task: TaskId,
    },
    /// The ENI is detached: DEPROVISIONING to STOPPED.
    TaskDeprovisioned {
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
    /// The `arrival`-th (from 0) arrival of `runTasks[run].arrivals`: one RunTask call.
    TaskArrived {
        run: u32,
        arrival: u32,
    },
    /// A scheduled task's (`scheduledTasks[schedule]`) time came.
    ScheduledTaskDue {
        schedule: u32,
    },
    /// A control-plane action (`actions[action]`) is made.
    ActionDue {
        action: u32,
    },
    /// A random instance fault (`faults[fault]`: `instanceFailure`, `spotInterruption` or
    /// `agentDisconnect`) struck the instance.
    InstanceFaulted {
        instance: InstanceId,
        fault: u32,
    },
    /// A random `taskExit` fault (`faults[fault]`) struck the task.
    TaskFaulted {
        task: TaskId,
        fault: u32,
    },
    AgentReconnected {
        instance: InstanceId,
    },
    /// Managed draining gave up waiting for the instance's tasks.
    DrainingTimedOut {
        instance: InstanceId,
    },
    /// The service's offered load may change (`services[].load`).
    ServiceLoadChanged {
        service: ServiceId,
    },
    /// CloudWatch's minute: every service with load or Service Auto Scaling publishes its
    /// datapoints, and Application Auto Scaling's alarms and policies act on them.
    MetricsSampled,
    /// A Service Auto Scaling scheduled action's time came
    /// (`services[service].autoScaling.scheduledActions[action]`).
    ScheduledScalingActionDue {
        service: ServiceId,
        action: u32,
    },
    /// A minute passed for the capacity providers: tasks waiting in PROVISIONING are placed
    /// where there is room, and managed scaling publishes `CapacityProviderReservation` and
    /// acts on it (ECS.md §5.5). One event per period for the whole cluster.
    CapacityProviderReservationDue,
}
