//! `events.csv`: one row per change, in the order applied, `(time, seq, kind, subject,
//! detail)`; `seq` numbers the events in the order they were applied. Explanations of
//! decisions are left to `decisions.csv`.

use std::fmt::Write as _;
use std::io;

use cluster::change::Change;
use cluster::cluster::Cluster;
use cluster::spec::FaultTiming;
use cluster::task::Task;
use des::SimTime;

use super::format::{self, push_parts};
use super::{Consumer, CsvFile, Sink, Start};

pub const EVENTS_HEADER: [&str; 5] = ["time", "seq", "kind", "subject", "detail"];

/// Reusable buffers: a row allocates nothing once they have grown.
struct Events {
    file: CsvFile,
    subject: String,
    detail: String,
}

pub(super) fn make(sink: Sink, _: &Start<'_>) -> io::Result<Box<dyn Consumer>> {
    Ok(Box::new(Events {
        file: CsvFile::new(sink, &EVENTS_HEADER)?,
        subject: String::new(),
        detail: String::new(),
    }))
}

impl Consumer for Events {
    fn record(&mut self, at: SimTime, seq: u64, change: &Change<'_>, cluster: &Cluster) {
        // Load and metric datapoints change every minute: they are `timeseries.csv`'s.
        if change.is_explanation()
            || matches!(
                change,
                Change::ServiceLoadChanged { .. } | Change::MetricsPublished { .. }
            )
        {
            return;
        }
        self.subject.clear();
        self.detail.clear();
        // Writing into a String cannot fail.
        let _ = describe(change, cluster, &mut self.subject, &mut self.detail);
        let Events {
            file,
            subject,
            detail,
        } = self;
        file.record(|row| {
            row.time(at);
            row.u64(seq);
            row.str(change.kind());
            row.str(subject);
            row.str(detail);
        });
    }

    fn finish(self: Box<Self>, _: &Cluster) -> io::Result<()> {
        self.file.finish()
    }
}

/// The subject and detail columns of one change.
fn describe(
    change: &Change<'_>,
    cluster: &Cluster,
    subject: &mut String,
    detail: &mut String,
) -> std::fmt::Result {
    match *change {
        Change::InstanceRegistered { instance } => {
            subject.push_str(&instance.ec2_instance_id);
            write!(
                detail,
                "{} in {}, {} CPU units, {} MiB",
                instance.instance_type.name,
                cluster.zone_name(instance.availability_zone),
                instance.remaining_cpu_units,
                instance.remaining_memory_mib
            )
        }
        Change::InstanceLaunched {
            asg,
            zone,
            rebalance,
            registers_at,
        } => {
            subject.push_str(cluster.auto_scaling_group_name(asg));
            write!(
                detail,
                "{} into {}{}, registers at {registers_at}",
                cluster.capacity().asg_instance_type(asg).name,
                cluster.zone_name(zone),
                if rebalance { " to rebalance zones" } else { "" }
            )
        }
        Change::InstanceLaunchFailed { asg, zone } => {
            subject.push_str(cluster.auto_scaling_group_name(asg));
            write!(detail, "zone {} is down", cluster.zone_name(zone))
        }
        Change::InstanceTerminated { instance, loss } => {
            subject.push_str(&instance.ec2_instance_id);
            detail.push_str(loss.as_str());
            Ok(())
        }
        Change::ZoneOutageStarted { zone, duration_ms } => {
            subject.push_str(cluster.zone_name(zone));
            write!(detail, "for {} s", duration_ms / 1000)
        }
        Change::ZoneOutageEnded { zone } => {
            subject.push_str(cluster.zone_name(zone));
            detail.push_str("launches allowed again");
            Ok(())
        }
        Change::FaultInjected { fault, targets } => {
            write!(subject, "faults[{fault}]")?;
            let spec = cluster.fault(fault);
            let timing = match spec.timing {
                FaultTiming::At { .. } => "scripted",
                FaultTiming::Random { .. } => "random",
            };
            write!(
                detail,
                "{} ({timing}): {targets} target(s) hit",
                spec.kind.name()
            )
        }
        Change::ServiceSchedulerPass {
            service,
            started,
            stopped,
            unplaced,
        } => {
            subject.push_str(&service.service_name);
            push_parts(
                detail,
                &[
                    "desired ",
                    format::u64(service.desired_count.into()).as_str(),
                    ", active ",
                    format::u64(service.active_count.into()).as_str(),
                    ", running ",
                    format::u64(service.running_count.into()).as_str(),
                    ", started ",
                    format::u64(started.into()).as_str(),
                    ", stopped ",
                    format::u64(stopped.into()).as_str(),
                    ", unplaced ",
                    format::u64(unplaced.into()).as_str(),
                ],
            );
            Ok(())
        }
        Change::DesiredCountChanged { service, from } => {
            subject.push_str(&service.service_name);
            write!(detail, "desiredCount {from} -> {}", service.desired_count)
        }
        Change::DeploymentStarted {
            service,
            deployment,
        }
        | Change::DeploymentUpdated {
            service,
            deployment,
        } => {
            subject.push_str(&service.service_name);
            write!(
                detail,
                "{} {} {} {}: {}",
                deployment.id,
                cluster.task_definition(deployment.task_definition).name(),
                deployment.status.as_str(),
                deployment.rollout_state.as_str(),
                deployment.reason
            )
        }
        Change::ServiceMessage { service, message } => {
            subject.push_str(&service.service_name);
            detail.push_str(&message.text(&service.service_name));
            Ok(())
        }
        Change::InstanceDraining { instance, cause } => {
            subject.push_str(&instance.ec2_instance_id);
            detail.push_str(cause.as_str());
            Ok(())
        }
        Change::InstanceActivated { instance }
        | Change::AgentDisconnected { instance }
        | Change::AgentReconnected { instance } => {
            subject.push_str(&instance.ec2_instance_id);
            Ok(())
        }
        Change::SpotInterruptionNotice { instance, lost_at } => {
            subject.push_str(&instance.ec2_instance_id);
            write!(detail, "reclaimed at {lost_at}")
        }
        Change::DesiredCapacityChanged { asg, from, to } => {
            subject.push_str(cluster.auto_scaling_group_name(asg));
            write!(detail, "desiredCapacity {from} -> {to}")
        }
        Change::TaskActivating { task } => {
            push_task_name(subject, task);
            detail.push_str("registering targets");
            Ok(())
        }
        Change::TargetHealthy { task } => {
            push_task_name(subject, task);
            detail.push_str("targets healthy");
            Ok(())
        }
        Change::TaskUnhealthy {
            task,
            load_balancer,
        } => {
            push_task_name(subject, task);
            detail.push_str(if load_balancer {
                "failed load balancer health checks"
            } else {
                "failed container health checks"
            });
            Ok(())
        }
        Change::ContainerExited {
            task,
            container,
            exit_code,
        } => {
            push_task_name(subject, task);
            write!(
                detail,
                "non-essential container {container} exited with {exit_code}"
            )
        }
        Change::TaskDeactivating { task, delay_ms } => {
            push_task_name(subject, task);
            write!(detail, "deregistered, draining for {}", SimTime(delay_ms))
        }
        Change::TaskDeprovisioning { task } => {
            push_task_name(subject, task);
            detail.push_str("detaching ENI");
            Ok(())
        }
        Change::TaskPlaced { task } => {
            push_task_name(subject, task);
            let instance = cluster.instance(task.instance);
            let definition = cluster.task_definition(task.task_definition);
            push_parts(
                detail,
                &[
                    cluster.group_name(task.group),
                    " ",
                    &definition.family,
                    ":",
                    format::u64(definition.revision.into()).as_str(),
                    " on ",
                    &instance.ec2_instance_id,
                    " in ",
                    cluster.zone_name(task.availability_zone),
                    ", ",
                    task.last_status.as_str(),
                ],
            );
            Ok(())
        }
        Change::TaskPending { task } => {
            push_task_name(subject, task);
            detail.push_str("ENI attached");
            Ok(())
        }
        Change::TaskRunning { task } => {
            push_task_name(subject, task);
            let since = task.started_at.unwrap_or(task.placed_at);
            push_parts(
                detail,
                &[
                    format::time(SimTime(since.since(task.placed_at))).as_str(),
                    " s after it was placed",
                ],
            );
            Ok(())
        }
        Change::TaskStopping { task } => {
            push_task_name(subject, task);
            push_parts(
                detail,
                &[
                    task.stop_code.map(|code| code.as_str()).unwrap_or(""),
                    ": ",
                    task.stopped_reason.as_deref().unwrap_or(""),
                ],
            );
            Ok(())
        }
        Change::TaskStopped { task } => {
            push_task_name(subject, task);
            if let Some(code) = task.stop_code {
                push_parts(detail, &[code.as_str(), ": "]);
            }
            detail.push_str(task.stopped_reason.as_deref().unwrap_or(""));
            if let Some(code) = task.exit_code {
                push_parts(
                    detail,
                    &[" (exit code ", format::i64(code.into()).as_str(), ")"],
                );
            }
            Ok(())
        }
        Change::PlacementFailed {
            group,
            task_definition,
            reason,
            count,
            ..
        } => {
            subject.push_str(cluster.group_name(group));
            write!(
                detail,
                "{count} task(s) of {}: {reason}",
                cluster.task_definition(task_definition).name()
            )
        }
        Change::TaskArrived {
            run,
            arrival,
            group,
            count,
        } => {
            subject.push_str(cluster.group_name(group));
            write!(
                detail,
                "arrival {} of runTasks[{run}]: RunTask for {count} task(s)",
                u64::from(arrival) + 1
            )
        }
        Change::ScalingActivity {
            service,
            description,
            cause,
        } => {
            subject.push_str(&service.service_name);
            write!(detail, "{description} Cause: {cause}")
        }
        Change::PlacementExplained { .. }
        | Change::StopExplained { .. }
        | Change::TerminationExplained { .. }
        | Change::ServiceLoadChanged { .. }
        | Change::MetricsPublished { .. } => Ok(()),
        Change::TaskProvisioning { .. }
        | Change::ProvisioningTaskStopped { .. }
        | Change::CapacityProviderReservation { .. }
        | Change::ManagedScaling { .. } => {
            super::capacity::describe(change, cluster, subject, detail);
            Ok(())
        }
    }
}

/// A task's name as the subject.
fn push_task_name(subject: &mut String, task: &Task) {
    subject.push_str(format::task_name(task.number).as_str());
}
