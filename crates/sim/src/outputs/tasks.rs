//! `tasks.csv`: one row per task ever created, written when it is STOPPED (then the tasks
//! still alive at the end, in creation order). A capacity provider's task that waited in
//! PROVISIONING and was placed is a task like any other; one stopped while it waited has a
//! row without an instance, and one still waiting at the end a row with `lastStatus`
//! PROVISIONING (ECS.md §5.5, A4).

use std::io;

use cluster::capacity_provider::{CapacityProviderUser, WaitingTask};
use cluster::change::Change;
use cluster::cluster::Cluster;
use cluster::spec::TaskDefinition;
use cluster::task::{StopCode, Task};
use des::SimTime;

use super::csv_file::Row;
use super::{Consumer, CsvFile, Sink, Start};

/// The contract's columns, then `images` (the containers' images, space-separated: carried
/// into the output, never pulled).
pub const TASKS_HEADER: [&str; 14] = [
    "taskId",
    "group",
    "service",
    "taskDefinition",
    "instanceId",
    "availabilityZone",
    "createdAt",
    "startedAt",
    "stoppedAt",
    "lastStatus",
    "stopCode",
    "stoppedReason",
    "exitCode",
    "images",
];

struct Tasks {
    file: CsvFile,
}

pub(super) fn make(sink: Sink, _: &Start<'_>) -> io::Result<Box<dyn Consumer>> {
    Ok(Box::new(Tasks {
        file: CsvFile::new(sink, &TASKS_HEADER)?,
    }))
}

impl Tasks {
    fn write(&mut self, task: &Task, cluster: &Cluster) {
        let service = task
            .service
            .map(|id| cluster.service(id).service_name.as_str())
            .unwrap_or("");
        let definition = cluster.task_definition(task.task_definition);
        self.file.record(|row| {
            row.task_name(task.number);
            row.str(cluster.group_name(task.group));
            row.str(service);
            definition_name(row, definition);
            row.str(&cluster.instance(task.instance).ec2_instance_id);
            row.str(cluster.zone_name(task.availability_zone));
            row.time(task.created_at);
            row.opt_time(task.started_at);
            row.opt_time(task.stopped_at);
            row.str(task.last_status.as_str());
            row.str(task.stop_code.map(|code| code.as_str()).unwrap_or(""));
            row.str(task.stopped_reason.as_deref().unwrap_or(""));
            match task.exit_code {
                Some(code) => row.i64(code.into()),
                None => row.str(""),
            }
            images(row, definition);
        });
    }

    /// A task that never had an instance: still waiting in PROVISIONING (`stopped`: none),
    /// or stopped while it waited.
    fn write_waiting(
        &mut self,
        task: &WaitingTask,
        stopped: Option<(SimTime, &str)>,
        cluster: &Cluster,
    ) {
        let service = match task.user {
            CapacityProviderUser::Service(id) => cluster.service(id).service_name.as_str(),
            _ => "",
        };
        let definition = cluster.task_definition(task.task_definition);
        let (stopped_at, last_status, stop_code, reason) = match stopped {
            Some((at, reason)) => (
                Some(at),
                "STOPPED",
                StopCode::ServiceSchedulerInitiated.as_str(),
                reason,
            ),
            None => (None, "PROVISIONING", "", ""),
        };
        self.file.record(|row| {
            row.task_name(task.number);
            row.str(cluster.group_name(task.group));
            row.str(service);
            definition_name(row, definition);
            row.str("");
            row.str("");
            row.time(task.created_at);
            row.str("");
            row.opt_time(stopped_at);
            row.str(last_status);
            row.str(stop_code);
            row.str(reason);
            row.str("");
            images(row, definition);
        });
    }
}

impl Consumer for Tasks {
    fn record(&mut self, at: SimTime, _: u64, change: &Change<'_>, cluster: &Cluster) {
        match *change {
            Change::TaskStopped { task } => self.write(task, cluster),
            Change::ProvisioningTaskStopped { task, reason } => {
                self.write_waiting(task, Some((at, reason)), cluster);
            }
            _ => {}
        }
    }

    /// The live tasks and the tasks still waiting in PROVISIONING, together in creation
    /// order.
    fn finish(mut self: Box<Self>, cluster: &Cluster) -> io::Result<()> {
        let live = cluster.tasks().live_in_creation_order();
        let mut waiting = cluster.capacity_providers().waiting().values().peekable();
        for task in live {
            while let Some(early) = waiting.next_if(|early| early.number < task.number) {
                self.write_waiting(early, None, cluster);
            }
            self.write(task, cluster);
        }
        for task in waiting {
            self.write_waiting(task, None, cluster);
        }
        self.file.finish()
    }
}

/// The task definition's name, `family:revision` (`TaskDefinition::name`).
fn definition_name(row: &mut Row<'_>, definition: &TaskDefinition) {
    row.with(|field| {
        field.str(&definition.family);
        field.str(":");
        field.u64(definition.revision.into());
    });
}

/// The containers' images, space-separated (the `images` column).
fn images(row: &mut Row<'_>, definition: &TaskDefinition) {
    row.with(|field| {
        for (i, container) in definition.container_definitions.iter().enumerate() {
            if i > 0 {
                field.str(" ");
            }
            field.str(&container.image);
        }
    });
}
