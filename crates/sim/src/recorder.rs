//! The recorder: streams `events.csv`, `tasks.csv`, `instances.csv` and
//! `placement_failures.csv` as the model produces them, in (time, seq) order.

use std::cell::RefCell;
use std::fmt;
use std::io::{self, Write};
use std::rc::Rc;

use cluster::cluster::Cluster;
use cluster::event::Observer;
use cluster::instance::{ContainerInstance, InstanceStatus};
use cluster::task::{Task, TaskStatus};
use des::SimTime;

/// Where the four streamed files go.
pub struct Writers {
    pub events: Box<dyn Write>,
    pub tasks: Box<dyn Write>,
    pub instances: Box<dyn Write>,
    pub placement_failures: Box<dyn Write>,
}

pub struct Recorder {
    events: csv::Writer<Box<dyn Write>>,
    tasks: csv::Writer<Box<dyn Write>>,
    instances: csv::Writer<Box<dyn Write>>,
    placement_failures: csv::Writer<Box<dyn Write>>,
    /// The first write error; observers cannot return one, so it is reported at the end.
    error: Option<csv::Error>,
    detail: String,
}

pub const EVENTS_HEADER: [&str; 5] = ["time", "seq", "kind", "subject", "detail"];
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
pub const INSTANCES_HEADER: [&str; 7] = [
    "instanceId",
    "instanceType",
    "availabilityZone",
    "autoScalingGroup",
    "registeredAt",
    "deregisteredAt",
    "reason",
];
pub const PLACEMENT_FAILURES_HEADER: [&str; 4] = ["time", "group", "taskDefinition", "reason"];

impl Recorder {
    pub fn new(writers: Writers) -> io::Result<Recorder> {
        let mut recorder = Recorder {
            events: csv::Writer::from_writer(writers.events),
            tasks: csv::Writer::from_writer(writers.tasks),
            instances: csv::Writer::from_writer(writers.instances),
            placement_failures: csv::Writer::from_writer(writers.placement_failures),
            error: None,
            detail: String::new(),
        };
        let results = [
            recorder.events.write_record(EVENTS_HEADER),
            recorder.tasks.write_record(TASKS_HEADER),
            recorder.instances.write_record(INSTANCES_HEADER),
            recorder
                .placement_failures
                .write_record(PLACEMENT_FAILURES_HEADER),
        ];
        for result in results {
            result.map_err(io::Error::other)?;
        }
        Ok(recorder)
    }

    /// Writes the rows of tasks and instances that are still live, in id order, and
    /// flushes everything.
    pub fn finish(mut self, cluster: &Cluster) -> io::Result<()> {
        for task in cluster.tasks() {
            if task.last_status != TaskStatus::Stopped {
                self.task_stopped(cluster, task);
            }
        }
        for instance in cluster.instances() {
            if instance.status != InstanceStatus::Inactive {
                self.instance_deregistered(cluster, instance);
            }
        }
        if let Some(error) = self.error.take() {
            return Err(io::Error::other(error));
        }
        self.events.flush()?;
        self.tasks.flush()?;
        self.instances.flush()?;
        self.placement_failures.flush()
    }

    fn keep(&mut self, result: csv::Result<()>) {
        if let Err(error) = result {
            self.error.get_or_insert(error);
        }
    }
}

fn time(at: Option<SimTime>) -> String {
    at.map(|at| at.to_string()).unwrap_or_default()
}

impl Observer for Recorder {
    fn change(
        &mut self,
        now: SimTime,
        seq: u64,
        kind: &'static str,
        subject: &str,
        detail: fmt::Arguments<'_>,
    ) {
        use std::fmt::Write as _;
        self.detail.clear();
        let _ = self.detail.write_fmt(detail);
        let result = self.events.write_record([
            now.to_string().as_str(),
            seq.to_string().as_str(),
            kind,
            subject,
            self.detail.as_str(),
        ]);
        self.keep(result);
    }

    fn task_stopped(&mut self, cluster: &Cluster, task: &Task) {
        let service = task
            .service
            .map(|id| cluster.service(id).service_name.as_str())
            .unwrap_or("");
        let instance = cluster.instance(task.instance);
        let definition = cluster.task_definition(task.task_definition);
        let images: Vec<&str> = definition
            .container_definitions
            .iter()
            .map(|container| container.image.as_str())
            .collect();
        let result = self.tasks.write_record([
            task.task_id.as_str(),
            cluster.group_name(task.group),
            service,
            cluster
                .task_definition(task.task_definition)
                .name()
                .as_str(),
            instance.ec2_instance_id.as_str(),
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
        self.keep(result);
    }

    fn instance_deregistered(&mut self, cluster: &Cluster, instance: &ContainerInstance) {
        let group = instance
            .auto_scaling_group
            .map(|asg| cluster.auto_scaling_group_name(asg))
            .unwrap_or("");
        let result = self.instances.write_record([
            instance.ec2_instance_id.as_str(),
            instance.instance_type.name.as_str(),
            cluster.zone_name(instance.availability_zone),
            group,
            instance.registered_at.to_string().as_str(),
            time(instance.deregistered_at).as_str(),
            instance.loss.map(|loss| loss.as_str()).unwrap_or(""),
        ]);
        self.keep(result);
    }

    fn placement_failed(&mut self, now: SimTime, group: &str, task_definition: &str, reason: &str) {
        let result = self.placement_failures.write_record([
            now.to_string().as_str(),
            group,
            task_definition,
            reason,
        ]);
        self.keep(result);
    }
}

/// In-memory writers whose bytes can be taken back after the run.
#[derive(Default, Clone)]
pub(crate) struct SharedBuffers {
    events: SharedBuffer,
    tasks: SharedBuffer,
    instances: SharedBuffer,
    placement_failures: SharedBuffer,
}

#[derive(Default, Clone)]
struct SharedBuffer(Rc<RefCell<Vec<u8>>>);

impl Write for SharedBuffer {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.0.borrow_mut().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl SharedBuffers {
    pub(crate) fn writers(&self) -> Writers {
        Writers {
            events: Box::new(self.events.clone()),
            tasks: Box::new(self.tasks.clone()),
            instances: Box::new(self.instances.clone()),
            placement_failures: Box::new(self.placement_failures.clone()),
        }
    }

    pub(crate) fn into_files(self) -> Vec<(&'static str, Vec<u8>)> {
        let take = |buffer: SharedBuffer| buffer.0.take();
        vec![
            ("events.csv", take(self.events)),
            ("tasks.csv", take(self.tasks)),
            ("instances.csv", take(self.instances)),
            ("placement_failures.csv", take(self.placement_failures)),
        ]
    }
}
