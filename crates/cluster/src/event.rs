//! The closed set of events and the observer that hears every change they apply.
//!
//! Variants are facts in the past tense. Who schedules each is listed in ARCHITECTURE.md.

use std::fmt;

use des::SimTime;

use crate::cluster::Cluster;
use crate::ids::{AsgId, InstanceId, ServiceId, TaskId, ZoneId};
use crate::instance::{ContainerInstance, InstanceLoss};
use crate::task::Task;

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

/// Hears every change the model applies, in the order it applies them. The `sim` crate's
/// recorder streams these into the output files; tests collect them.
pub trait Observer {
    /// One row of `events.csv`: a change caused by the event with sequence number `seq`.
    fn change(
        &mut self,
        now: SimTime,
        seq: u64,
        kind: &'static str,
        subject: &str,
        detail: fmt::Arguments<'_>,
    );
    /// A task reached STOPPED; it will not change again.
    fn task_stopped(&mut self, cluster: &Cluster, task: &Task);
    /// An instance left the cluster; it will not change again.
    fn instance_deregistered(&mut self, cluster: &Cluster, instance: &ContainerInstance);
    /// A task could not be placed (one row of `placement_failures.csv`).
    fn placement_failed(&mut self, now: SimTime, group: &str, task_definition: &str, reason: &str);
}

/// An observer that keeps nothing, for benches and property tests.
pub struct Discard;

impl Observer for Discard {
    fn change(&mut self, _: SimTime, _: u64, _: &'static str, _: &str, _: fmt::Arguments<'_>) {}
    fn task_stopped(&mut self, _: &Cluster, _: &Task) {}
    fn instance_deregistered(&mut self, _: &Cluster, _: &ContainerInstance) {}
    fn placement_failed(&mut self, _: SimTime, _: &str, _: &str, _: &str) {}
}
