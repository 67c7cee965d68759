//! Typed change records: every change the model applies, as a value, handed to an
//! `Observer` together with a read-only view of the model right after the change.
//!
//! Records borrow from the model (`&Task`, `&ContainerInstance`), so they cost nothing to
//! make; an observer that keeps something copies it. The `sim` crate fans records out to
//! its consumers (one per output file, and the service figures).

use des::SimTime;

use crate::cluster::Cluster;
use crate::ids::{AsgId, GroupId, ServiceId, TaskDefId, ZoneId};
use crate::instance::{ContainerInstance, InstanceLoss};
use crate::service::Service;
use crate::task::Task;

/// One change, in the past tense. Its kind names a row of `events.csv`.
#[derive(Clone, Copy, Debug)]
pub enum Change<'a> {
    /// The instance registered with the cluster, every resource free.
    InstanceRegistered {
        instance: &'a ContainerInstance,
    },
    /// An Auto Scaling group launched an instance that registers at `registers_at`.
    InstanceLaunched {
        asg: AsgId,
        zone: ZoneId,
        rebalance: bool,
        registers_at: SimTime,
    },
    /// A launch failed: its zone went down while the instance booted.
    InstanceLaunchFailed {
        asg: AsgId,
        zone: ZoneId,
    },
    /// The instance is gone; its tasks stop next and it leaves the cluster.
    InstanceTerminated {
        instance: &'a ContainerInstance,
        loss: InstanceLoss,
    },
    ZoneOutageStarted {
        zone: ZoneId,
        duration_ms: u64,
    },
    ZoneOutageEnded {
        zone: ZoneId,
    },
    /// A fault (`faults[fault]`) struck `targets` instances or tasks.
    FaultInjected {
        fault: u32,
        targets: usize,
    },
    /// A pass of the service scheduler ended, having started `started` tasks and failed to
    /// place `unplaced`.
    ServiceSchedulerPass {
        service: &'a Service,
        started: u32,
        unplaced: u32,
    },
    /// A task was created on an instance, its resources reserved.
    TaskPlaced {
        task: &'a Task,
    },
    /// PROVISIONING to PENDING: the ENI is attached.
    TaskPending {
        task: &'a Task,
    },
    /// PENDING to RUNNING.
    TaskRunning {
        task: &'a Task,
    },
    /// The task is STOPPING; its stop code and reason are set.
    TaskStopping {
        task: &'a Task,
    },
    /// The task is STOPPED, its resources released; this is its last record and its final
    /// state. The model forgets it right after.
    TaskStopped {
        task: &'a Task,
    },
    /// `count` tasks of `group` could not be placed, for `reason` (ECS.md §1.7).
    PlacementFailed {
        group: GroupId,
        service: Option<ServiceId>,
        task_definition: TaskDefId,
        reason: &'static str,
        count: u32,
    },
}

impl Change<'_> {
    /// The `kind` column of `events.csv`.
    pub fn kind(&self) -> &'static str {
        match self {
            Change::InstanceRegistered { .. } => "InstanceRegistered",
            Change::InstanceLaunched { .. } => "InstanceLaunched",
            Change::InstanceLaunchFailed { .. } => "InstanceLaunchFailed",
            Change::InstanceTerminated { .. } => "InstanceTerminated",
            Change::ZoneOutageStarted { .. } => "ZoneOutageStarted",
            Change::ZoneOutageEnded { .. } => "ZoneOutageEnded",
            Change::FaultInjected { .. } => "FaultInjected",
            Change::ServiceSchedulerPass { .. } => "ServiceSchedulerPass",
            Change::TaskPlaced { .. } => "TaskPlaced",
            Change::TaskPending { .. } => "TaskPending",
            Change::TaskRunning { .. } => "TaskRunning",
            Change::TaskStopping { .. } => "TaskStopping",
            Change::TaskStopped { .. } => "TaskStopped",
            Change::PlacementFailed { .. } => "PlacementFailed",
        }
    }
}

/// Hears every change the model applies, in the order it applies them, with the model as it
/// is right after the change. `seq` is the sequence number of the event that caused it.
pub trait Observer {
    fn record(&mut self, at: SimTime, seq: u64, change: &Change<'_>, cluster: &Cluster);
}

/// An observer that keeps nothing, for benches and property tests.
pub struct Discard;

impl Observer for Discard {
    fn record(&mut self, _: SimTime, _: u64, _: &Change<'_>, _: &Cluster) {}
}
