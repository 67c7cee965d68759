//! Typed change records: every change the model applies, as a value, handed to an
//! `Observer` together with a read-only view of the model right after the change.
//!
//! Records borrow from the model (`&Task`, `&ContainerInstance`), so they cost nothing to
//! make; an observer that keeps something copies it. The `sim` crate fans records out to
//! its consumers (one per output file, and the service figures).

use des::SimTime;

use crate::cluster::Cluster;
use crate::deployment::Deployment;
use crate::explain::Step;
use crate::ids::{AsgId, GroupId, InstanceId, ServiceId, TaskDefId, ZoneId};
use crate::instance::{ContainerInstance, InstanceLoss};
use crate::placement::PlacementFailure;
use crate::service::Service;
use crate::task::{Task, TaskName};

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
    /// The instance is DRAINING: no new tasks; its service tasks are replaced (ECS.md §5.2).
    InstanceDraining {
        instance: &'a ContainerInstance,
        cause: DrainCause,
    },
    /// The instance is ACTIVE again.
    InstanceActivated {
        instance: &'a ContainerInstance,
    },
    /// EC2 sent a Spot interruption notice: the instance is lost at `lost_at`.
    SpotInterruptionNotice {
        instance: &'a ContainerInstance,
        lost_at: SimTime,
    },
    AgentDisconnected {
        instance: &'a ContainerInstance,
    },
    AgentReconnected {
        instance: &'a ContainerInstance,
    },
    /// `SetDesiredCapacity` on an Auto Scaling group.
    DesiredCapacityChanged {
        asg: AsgId,
        from: u32,
        to: u32,
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
    /// A pass of the service scheduler ended, having started `started` tasks, stopped
    /// `stopped` and failed to place `unplaced`.
    ServiceSchedulerPass {
        service: &'a Service,
        started: u32,
        stopped: u32,
        unplaced: u32,
    },
    /// The service's desired count changed (UpdateService, or a DAEMON's eligible
    /// instances).
    DesiredCountChanged {
        service: &'a Service,
        from: u32,
    },
    /// The service's offered load changed (`services[].load`).
    ServiceLoadChanged {
        service: &'a Service,
        requests_per_second: f64,
    },
    /// The service's CloudWatch datapoints of one minute (`None`: no data).
    MetricsPublished {
        service: &'a Service,
        cpu_utilization: Option<f64>,
        memory_utilization: Option<f64>,
        request_count_per_target: Option<f64>,
    },
    /// Application Auto Scaling's activity, in its words: `description` ("Setting desired
    /// count to 6.") and `cause` (the alarm and policy, or the scheduled action).
    ScalingActivity {
        service: &'a Service,
        description: &'a str,
        cause: &'a str,
    },
    /// A deployment began (`deployments.csv` row opens).
    DeploymentStarted {
        service: &'a Service,
        deployment: &'a Deployment,
    },
    /// A deployment's status or rollout state changed.
    DeploymentUpdated {
        service: &'a Service,
        deployment: &'a Deployment,
    },
    /// A service event in ECS's words (`describe-services` `events`).
    ServiceMessage {
        service: &'a Service,
        message: ServiceMessage<'a>,
    },
    /// A task was created on an instance, its resources reserved.
    TaskPlaced {
        task: &'a Task,
    },
    /// PROVISIONING to PENDING: the ENI is attached.
    TaskPending {
        task: &'a Task,
    },
    /// PENDING to ACTIVATING: registering with the service's target groups.
    TaskActivating {
        task: &'a Task,
    },
    /// To RUNNING.
    TaskRunning {
        task: &'a Task,
    },
    /// The task's targets passed their initial health checks.
    TargetHealthy {
        task: &'a Task,
    },
    /// The task failed its health checks: `load_balancer` when a target group found it.
    TaskUnhealthy {
        task: &'a Task,
        load_balancer: bool,
    },
    /// A non-essential container exited; the task runs on (ECS.md §3.2).
    ContainerExited {
        task: &'a Task,
        container: &'a str,
        exit_code: i32,
    },
    /// RUNNING to DEACTIVATING: deregistered, draining for `delay_ms`.
    TaskDeactivating {
        task: &'a Task,
        delay_ms: u64,
    },
    /// The task is STOPPING; its stop code and reason are set.
    TaskStopping {
        task: &'a Task,
    },
    /// STOPPING to DEPROVISIONING: the ENI is being detached.
    TaskDeprovisioning {
        task: &'a Task,
    },
    /// The task is STOPPED, its resources released; this is its last record and its final
    /// state. The model forgets it right after.
    TaskStopped {
        task: &'a Task,
    },
    /// The `arrival`-th (from 0) arrival of `runTasks[run].arrivals`: a RunTask call for
    /// `count` tasks of `group`, told before the call places them.
    TaskArrived {
        run: u32,
        arrival: u32,
        group: GroupId,
        count: u32,
    },
    /// `count` tasks of `group` could not be placed, for `reason` (ECS.md §1.7).
    PlacementFailed {
        group: GroupId,
        service: Option<ServiceId>,
        task_definition: TaskDefId,
        reason: &'static str,
        count: u32,
    },
    /// Why a task was placed where it was, or could not be placed (`task` and `instance`
    /// `None`), step by step. Told only when the model explains (`ClusterSetup::explain`),
    /// right after the task's `TaskPlaced`, or before the `PlacementFailed`.
    PlacementExplained {
        group: GroupId,
        service: Option<ServiceId>,
        task: Option<&'a Task>,
        instance: Option<InstanceId>,
        steps: &'a [Step],
    },
    /// Why the scheduler chose this task to stop, step by step; the task is not stopped
    /// yet. Told only when the model explains.
    StopExplained {
        task: &'a Task,
        steps: &'a [Step],
    },
    /// Why an Auto Scaling group chose this instance to terminate (scale-in or
    /// rebalancing), step by step; the instance is still live. Told only when the model
    /// explains.
    TerminationExplained {
        asg: AsgId,
        instance: &'a ContainerInstance,
        steps: &'a [Step],
    },
    /// A task of a capacity provider strategy was created without an instance: no instance
    /// of its provider's group had room, so it waits in PROVISIONING (ECS.md §5.5, A4).
    /// `task` is in `Cluster::capacity_providers().waiting()`.
    TaskProvisioning {
        task: &'a crate::capacity_provider::WaitingTask,
        reason: &'static str,
    },
    /// A task waiting in PROVISIONING was stopped before it had an instance (the service no
    /// longer wanted it: scale-in or a newer deployment).
    ProvisioningTaskStopped {
        task: &'a crate::capacity_provider::WaitingTask,
        reason: &'a str,
    },
    /// Managed scaling published a new value of the provider's `CapacityProviderReservation`
    /// (ECS.md §5.5): `needed` (M) instances for `instances` (N). Told only when the value
    /// changes.
    CapacityProviderReservation {
        capacity_provider: u16,
        reservation: u32,
        instances: u32,
        needed: u32,
    },
    /// Managed scaling's target tracking moves the group's desired capacity (the
    /// `DesiredCapacityChanged` follows).
    ManagedScaling {
        capacity_provider: u16,
        reservation: u32,
        from: u32,
        to: u32,
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
            Change::InstanceDraining { .. } => "InstanceDraining",
            Change::InstanceActivated { .. } => "InstanceActivated",
            Change::SpotInterruptionNotice { .. } => "SpotInterruptionNotice",
            Change::AgentDisconnected { .. } => "AgentDisconnected",
            Change::AgentReconnected { .. } => "AgentReconnected",
            Change::DesiredCapacityChanged { .. } => "DesiredCapacityChanged",
            Change::ZoneOutageStarted { .. } => "ZoneOutageStarted",
            Change::ZoneOutageEnded { .. } => "ZoneOutageEnded",
            Change::FaultInjected { .. } => "FaultInjected",
            Change::ServiceSchedulerPass { .. } => "ServiceSchedulerPass",
            Change::DesiredCountChanged { .. } => "DesiredCountChanged",
            Change::ServiceLoadChanged { .. } => "ServiceLoadChanged",
            Change::MetricsPublished { .. } => "MetricsPublished",
            Change::ScalingActivity { .. } => "ScalingActivity",
            Change::DeploymentStarted { .. } => "DeploymentStarted",
            Change::DeploymentUpdated { .. } => "DeploymentUpdated",
            Change::ServiceMessage { .. } => "ServiceEvent",
            Change::TaskPlaced { .. } => "TaskPlaced",
            Change::TaskPending { .. } => "TaskPending",
            Change::TaskActivating { .. } => "TaskActivating",
            Change::TaskRunning { .. } => "TaskRunning",
            Change::TargetHealthy { .. } => "TargetHealthy",
            Change::TaskUnhealthy { .. } => "TaskUnhealthy",
            Change::ContainerExited { .. } => "ContainerExited",
            Change::TaskDeactivating { .. } => "TaskDeactivating",
            Change::TaskStopping { .. } => "TaskStopping",
            Change::TaskDeprovisioning { .. } => "TaskDeprovisioning",
            Change::TaskStopped { .. } => "TaskStopped",
            Change::TaskArrived { .. } => "TaskArrived",
            Change::PlacementFailed { .. } => "PlacementFailed",
            Change::PlacementExplained { .. } => "PlacementExplained",
            Change::StopExplained { .. } => "StopExplained",
            Change::TerminationExplained { .. } => "TerminationExplained",
            Change::TaskProvisioning { .. } => "TaskProvisioning",
            Change::ProvisioningTaskStopped { .. } => "ProvisioningTaskStopped",
            Change::CapacityProviderReservation { .. } => "CapacityProviderReservation",
            Change::ManagedScaling { .. } => "ManagedScaling",
        }
    }

    /// Whether the record explains a decision rather than changing the model: `events.csv`
    /// leaves these to `decisions.csv`.
    pub fn is_explanation(&self) -> bool {
        matches!(
            self,
            Change::PlacementExplained { .. }
                | Change::StopExplained { .. }
                | Change::TerminationExplained { .. }
        )
    }
}

/// Why an instance is DRAINING.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DrainCause {
    /// `UpdateContainerInstancesState` (a `drainInstances` action).
    User,
    /// A Spot interruption notice, with Spot draining enabled (ECS.md §5.4).
    SpotInterruption,
    /// Its Auto Scaling group terminates it and drains it first (managed draining).
    ManagedDraining,
}

impl DrainCause {
    pub fn as_str(self) -> &'static str {
        match self {
            DrainCause::User => "drainInstances",
            DrainCause::SpotInterruption => "spotInterruption",
            DrainCause::ManagedDraining => "managedDraining",
        }
    }
}

/// Service events as ECS words them (ECS.md §4.2, §4.5, §4.9).
#[derive(Clone, Copy, Debug)]
pub enum ServiceMessage<'a> {
    /// `(service web) has reached a steady state.`
    SteadyState,
    /// `(service web) is unable to consistently start tasks successfully.`
    Throttled,
    /// `(service web) was unable to stop or start tasks during a deployment because of the
    /// service deployment configuration. ...`
    DeploymentBlocked,
    /// `(service web) (deployment ...) deployment completed.`
    DeploymentCompleted { deployment: &'a Deployment },
    /// `(service web) (deployment ...) deployment failed: tasks failed to start.`
    DeploymentFailed { deployment: &'a Deployment },
    /// `(service web) rolling back to deployment ...`
    RollingBack { to: &'a Deployment },
    /// `(service web) has started 2 tasks: (task t-000001) (task t-000002).`: a pass
    /// started these tasks (by task number).
    TasksStarted { tasks: &'a [u64] },
    /// `(service web) has stopped 1 running tasks: (task t-000003).`: a pass stopped these
    /// tasks (by task number).
    TasksStopped { tasks: &'a [u64] },
    /// `(service web) was unable to place a task because no container instance met all of
    /// its requirements. The closest matching (container-instance i-...) has insufficient
    /// memory available.` (ECS.md §1.7).
    UnableToPlace { closest: ClosestMatch<'a> },
}

/// What the placement failure event names (ECS.md §1.7). The *closest matching* instance
/// is the one the reference placement got furthest with: for resources, the ACTIVE instance
/// that passed the most checks in ECS's order (CPU, memory, ports, ENI), the lowest id among
/// equals; for a constraint, the lowest id among the instances with room that the
/// constraint ruled out; with no ACTIVE instance, the first live one whose agent is
/// disconnected.
#[derive(Clone, Copy, Debug)]
pub enum ClosestMatch<'a> {
    /// The cluster has no container instance at all.
    NoInstances,
    /// Instances, but none to name (every one is DRAINING).
    Unnamed,
    /// The closest matching instance (`ec2InstanceId`) and what ruled it out:
    /// `PlacementFailure::NoInstance` for an instance whose agent is disconnected, and for
    /// a constraint its description (`memberOf(attribute:stack == prod)`).
    Instance {
        id: &'a str,
        failure: PlacementFailure,
        constraint: Option<&'a str>,
    },
}

impl ServiceMessage<'_> {
    /// The message, for `service_name`.
    pub fn text(&self, service_name: &str) -> String {
        match self {
            ServiceMessage::SteadyState => format!("(service {service_name}) has reached a steady state."),
            ServiceMessage::Throttled => format!(
                "(service {service_name}) is unable to consistently start tasks successfully."
            ),
            ServiceMessage::DeploymentBlocked => format!(
                "(service {service_name}) was unable to stop or start tasks during a deployment because of the service deployment configuration. Update the minimumHealthyPercent or maximumPercent value and try again."
            ),
            ServiceMessage::DeploymentCompleted { deployment } => format!(
                "(service {service_name}) (deployment {}) deployment completed.",
                deployment.id
            ),
            ServiceMessage::DeploymentFailed { deployment } => format!(
                "(service {service_name}) (deployment {}) deployment failed: {}",
                deployment.id, deployment.reason
            ),
            ServiceMessage::RollingBack { to } => format!(
                "(service {service_name}) rolling back to deployment {}.",
                to.id
            ),
            ServiceMessage::TasksStarted { tasks } => format!(
                "(service {service_name}) has started {} tasks:{}.",
                tasks.len(),
                task_list(tasks)
            ),
            ServiceMessage::TasksStopped { tasks } => format!(
                "(service {service_name}) has stopped {} running tasks:{}.",
                tasks.len(),
                task_list(tasks)
            ),
            ServiceMessage::UnableToPlace { closest } => match closest {
                ClosestMatch::NoInstances => format!(
                    "(service {service_name}) was unable to place a task. Reason: No Container Instances were found in your cluster."
                ),
                ClosestMatch::Unnamed => format!(
                    "(service {service_name}) was unable to place a task because no container instance met all of its requirements."
                ),
                ClosestMatch::Instance {
                    id,
                    failure,
                    constraint,
                } => {
                    let lacks = match failure {
                        PlacementFailure::Cpu => "has insufficient CPU units available.".to_string(),
                        PlacementFailure::Memory => "has insufficient memory available.".to_string(),
                        PlacementFailure::Ports => {
                            "is already using a port required by your task.".to_string()
                        }
                        PlacementFailure::Eni => {
                            "has no ENI attachment point available.".to_string()
                        }
                        PlacementFailure::NoInstance => "encountered error \"AGENT\".".to_string(),
                        PlacementFailure::Constraint(reason) => format!(
                            "does not satisfy the placement constraint {}.",
                            constraint.unwrap_or(reason)
                        ),
                    };
                    format!(
                        "(service {service_name}) was unable to place a task because no container instance met all of its requirements. The closest matching (container-instance {id}) {lacks}"
                    )
                }
            },
        }
    }
}

/// ` (task t-000001) (task t-000002)`.
fn task_list(tasks: &[u64]) -> String {
    let mut list = String::new();
    for &number in tasks {
        list.push_str(&format!(" (task {})", TaskName(number)));
    }
    list
}

/// Hears every change the model applies, in the order it applies them, with the model as it
/// is right after the change. `seq` numbers the event that caused it, in the order events
/// are applied (from 0): every change of one event carries the same number.
pub trait Observer {
    fn record(&mut self, at: SimTime, seq: u64, change: &Change<'_>, cluster: &Cluster);
}

/// An observer that keeps nothing, for benches and property tests.
pub struct Discard;

impl Observer for Discard {
    fn record(&mut self, _: SimTime, _: u64, _: &Change<'_>, _: &Cluster) {}
}

#[cfg(test)]
mod tests {
    use super::{ClosestMatch, ServiceMessage};
    use crate::placement::PlacementFailure;

    #[test]
    fn service_events_read_as_ecs_writes_them() {
        let text = |message: ServiceMessage<'_>| message.text("web");
        assert_eq!(
            text(ServiceMessage::TasksStarted { tasks: &[1, 2] }),
            "(service web) has started 2 tasks: (task t-000001) (task t-000002)."
        );
        assert_eq!(
            text(ServiceMessage::TasksStopped { tasks: &[3] }),
            "(service web) has stopped 1 running tasks: (task t-000003)."
        );
        let closest = |failure| ServiceMessage::UnableToPlace {
            closest: ClosestMatch::Instance {
                id: "i-00000002",
                failure,
                constraint: Some("distinctInstance"),
            },
        };
        let prefix = "(service web) was unable to place a task because no container instance met all of its requirements. The closest matching (container-instance i-00000002) ";
        for (failure, ends) in [
            (
                PlacementFailure::Cpu,
                "has insufficient CPU units available.",
            ),
            (
                PlacementFailure::Memory,
                "has insufficient memory available.",
            ),
            (
                PlacementFailure::Ports,
                "is already using a port required by your task.",
            ),
            (
                PlacementFailure::Eni,
                "has no ENI attachment point available.",
            ),
            (PlacementFailure::NoInstance, "encountered error \"AGENT\"."),
            (
                PlacementFailure::Constraint("DistinctInstance constraint"),
                "does not satisfy the placement constraint distinctInstance.",
            ),
        ] {
            assert_eq!(text(closest(failure)), format!("{prefix}{ends}"));
        }
        assert_eq!(
            text(ServiceMessage::UnableToPlace {
                closest: ClosestMatch::NoInstances
            }),
            "(service web) was unable to place a task. Reason: No Container Instances were found in your cluster."
        );
        assert_eq!(
            text(ServiceMessage::SteadyState),
            "(service web) has reached a steady state."
        );
    }
}
