//! `tasks.csv`: one row per task ever created, written when it is STOPPED (then the tasks
//! still alive at the end, in creation order).

use std::io;

use cluster::change::Change;
use cluster::cluster::Cluster;
use cluster::task::Task;
use des::SimTime;

use super::{time, Consumer, CsvFile, Sink, Start};

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
        let images: Vec<&str> = definition
            .container_definitions
            .iter()
            .map(|container| container.image.as_str())
            .collect();
        self.file.row([
            task.name().to_string().as_str(),
            cluster.group_name(task.group),
            service,
            definition.name().as_str(),
            cluster.instance(task.instance).ec2_instance_id.as_str(),
            cluster.zone_name(task.availability_zone),
            task.created_at.to_string().as_str(),
            time(task.started_at).as_str(),
            time(task.stopped_at).as_str(),
            task.last_status.as_str(),
            task.stop_code.map(|code| code.as_str()).unwrap_or(""),
            task.stopped_reason.as_deref().unwrap_or(""),
            task.exit_code
                .map(|code| code.to_string())
                .unwrap_or_default()
                .as_str(),
            images.join(" ").as_str(),
        ]);
    }
}

impl Consumer for Tasks {
    fn record(&mut self, _: SimTime, _: u64, change: &Change<'_>, cluster: &Cluster) {
        if let Change::TaskStopped { task } = *change {
            self.write(task, cluster);
        }
    }

    fn finish(mut self: Box<Self>, cluster: &Cluster) -> io::Result<()> {
        for task in cluster.tasks().live_in_creation_order() {
            self.write(task, cluster);
        }
        self.file.finish()
    }
}
