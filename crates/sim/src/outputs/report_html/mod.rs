//! `report.html`: one self-contained page (no remote script, style or font) that shows a run
//! on one time axis: tasks running, desired and healthy per service with its spells below
//! the desired count, instances and reserved CPU and memory per zone, the faults, the
//! service figures, and a timeline to step through (each zone's instances with their tasks
//! at a chosen moment). Charts are SVG drawn here; a small inline script moves the cursor
//! and draws the moment. Written when the run ends, from what the change records told.
//!
//! Memory stays bounded on big runs: step functions are kept in at most a few thousand
//! buckets each (`svg::Trace`), only the first `MAX_SERVICE_CHARTS` services get charts,
//! the timeline keeps tasks only up to `MAX_TIMELINE_TASKS` and instances up to
//! `MAX_TIMELINE_INSTANCES` (the page says what it left out), and marks close in time merge
//! (`marks.rs`); the cumulative cost keeps at most as many points (`svg::Curve`). With
//! capacity providers, each gets its group's and its metric's charts, and when every
//! instance has a price the cost accumulating is charted (`capacity_cost.rs`).

mod capacity_cost;
mod marks;
mod page;
mod svg;

use std::collections::{BTreeMap, BTreeSet};
use std::io::{self, Write as _};

use cluster::change::Change;
use cluster::cluster::Cluster;
use cluster::deployment::{DeploymentCause, RolloutState};
use cluster::ids::GroupId;
use cluster::spec::FaultKind;
use des::SimTime;
use serde::Serialize;

use super::levels::{Level, Levels, Series};
use super::load_levels::{LoadLevel, LoadLevels, LOAD_SERIES};
use super::{Consumer, Sink, Start};
use crate::report::Report;
use capacity_cost::{CapacityTraces, CostTraces};
use marks::{Mark, MarkKind, Marks, Row};
use page::Page;
use svg::{clock, Axis, Trace};

/// Services drawn one chart each, in scenario order; the rest are in the figures table.
const MAX_SERVICE_CHARTS: usize = 12;
/// The timeline shows tasks while the run created at most this many...
const MAX_TIMELINE_TASKS: usize = 5000;
/// ... and instances while at most this many registered; past that, counts only.
const MAX_TIMELINE_INSTANCES: usize = 2000;

/// A service's traces: running, desired and healthy, and 1 while running < desired.
#[derive(Default)]
struct ServiceTraces {
    levels: [Trace; 3],
    below: Trace,
    running: u64,
    desired: u64,
    /// Whether below desired, from which moment: pushed once the moment is closed.
    pending_below: Option<(SimTime, bool)>,
    was_below: bool,
    /// Spells below desired since the service first reached it: how many, the longest
    /// (length and start), and the one going on.
    reached: bool,
    spells: u64,
    longest: Option<(u64, u64)>,
    below_since: Option<u64>,
}

impl ServiceTraces {
    fn level(&mut self, level: &Level) {
        self.levels[level.series.offset()].push(level.at, level.value);
        match level.series {
            Series::Running => self.running = level.value,
            Series::Desired => self.desired = level.value,
            _ => return,
        }
        if let Some((at, below)) = self.pending_below {
            if at < level.at {
                self.push_below(at, below);
            }
        }
        self.pending_below = Some((level.at, self.running < self.desired));
    }

    fn push_below(&mut self, at: SimTime, below: bool) {
        self.pending_below = None;
        if below == self.was_below && at > SimTime::ZERO {
            return;
        }
        self.was_below = below;
        self.below.push(at, u64::from(below));
        if !below {
            self.reached = true;
            if let Some(since) = self.below_since.take() {
                self.spell(since, at.as_ms());
            }
        } else if self.reached {
            self.below_since = Some(at.as_ms());
        }
    }

    fn spell(&mut self, from: u64, to: u64) {
        self.spells += 1;
        if self.longest.is_none_or(|(length, _)| to - from > length) {
            self.longest = Some((to - from, from));
        }
    }

    fn finish(&mut self, end: SimTime) {
        if let Some((at, below)) = self.pending_below {
            self.push_below(at, below);
        }
        if let Some(since) = self.below_since.take() {
            self.spell(since, end.as_ms().max(since));
        }
    }
}

struct Outage {
    zone: usize,
    from: u64,
    to: Option<u64>,
}

/// An instance's life, for the timeline: `[id, zone, type, registered, deregistered, why]`.
#[derive(Serialize)]
struct InstanceSpan(
    String,
    usize,
    String,
    u64,
    Option<u64>,
    Option<&'static str>,
);

/// A task's life, for the timeline: number, instance (index in the instances), group, and
/// when it was created, RUNNING, left RUNNING and STOPPED.
struct TaskSpan {
    number: u64,
    instance: usize,
    group: GroupId,
    created: u64,
    running: Option<u64>,
    stopping: Option<u64>,
    stopped: Option<u64>,
}

/// How much of the run the timeline shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Detail {
    Tasks,
    Instances,
    Counts,
}

/// What the change records told, kept for the page.
struct ReportHtml {
    sink: Sink,
    levels: Levels,
    /// Load, CPU and memory utilisation of the charted services with load or autoScaling
    /// (rounded to whole requests per second and percent).
    load: LoadLevels,
    load_traces: Vec<Option<[Trace; 3]>>,
    services: Vec<ServiceTraces>,
    service_count: usize,
    zones: Vec<[Trace; 5]>,
    marks: Marks,
    /// The deployments already marked as failed, by (service, deployment id): a failed
    /// deployment is updated again when it is rolled back or replaced.
    failed: BTreeSet<(usize, u64)>,
    outages: Vec<Outage>,
    detail: Detail,
    instances: Vec<InstanceSpan>,
    tasks: Vec<TaskSpan>,
    /// Live tasks' places in `tasks`, by task number.
    task_slots: BTreeMap<u64, usize>,
    tasks_created: u64,
    instances_registered: u64,
    /// Instances lost, by why.
    losses: BTreeMap<&'static str, u64>,
    last_at: SimTime,
    /// The scenario's description, and its faults' kinds by index.
    description: String,
    fault_kinds: Vec<&'static str>,
    /// Capacity providers' groups and metric, and the cost, as `timeseries.csv` has them.
    capacity: CapacityTraces,
    cost: CostTraces,
}

pub(in crate::outputs) fn make(sink: Sink, start: &Start<'_>) -> io::Result<Box<dyn Consumer>> {
    let cluster = start.cluster;
    let service_count = cluster.services().len();
    Ok(Box::new(ReportHtml {
        sink,
        levels: Levels::new(cluster),
        load: LoadLevels::new(cluster),
        load_traces: cluster
            .services()
            .iter()
            .take(MAX_SERVICE_CHARTS)
            .map(|service| cluster.load_reading(service.id).map(|_| Default::default()))
            .collect(),
        services: (0..service_count.min(MAX_SERVICE_CHARTS))
            .map(|_| ServiceTraces::default())
            .collect(),
        service_count,
        zones: (0..cluster.zone_count())
            .map(|_| Default::default())
            .collect(),
        marks: Marks::default(),
        failed: BTreeSet::new(),
        outages: Vec::new(),
        detail: Detail::Tasks,
        instances: Vec::new(),
        tasks: Vec::new(),
        task_slots: BTreeMap::new(),
        tasks_created: 0,
        instances_registered: 0,
        losses: BTreeMap::new(),
        last_at: SimTime::ZERO,
        description: start.scenario.description.clone(),
        fault_kinds: start
            .scenario
            .faults
            .iter()
            .map(|fault| fault_kind(&fault.kind))
            .collect(),
        capacity: CapacityTraces::new(cluster),
        cost: CostTraces::new(start.scenario),
    }))
}

/// A fault's `kind` as scenarios write it.
fn fault_kind(kind: &FaultKind) -> &'static str {
    match kind {
        FaultKind::InstanceFailure { .. } => "instanceFailure",
        FaultKind::TaskExit { .. } => "taskExit",
        FaultKind::ZoneOutage { .. } => "zoneOutage",
        FaultKind::SpotInterruption { .. } => "spotInterruption",
        FaultKind::AgentDisconnect { .. } => "agentDisconnect",
    }
}

impl ReportHtml {
    fn mark(&mut self, at: SimTime, row: Row, kind: MarkKind, title: String) {
        self.marks.push(Mark::new(at.as_ms(), row, kind, title));
    }

    fn task(&mut self, number: u64) -> Option<&mut TaskSpan> {
        let slot = *self.task_slots.get(&number)?;
        self.tasks.get_mut(slot)
    }

    fn lower_detail(&mut self, detail: Detail) {
        if detail == Detail::Counts {
            self.instances = Vec::new();
        }
        self.detail = detail;
        self.tasks = Vec::new();
        self.task_slots = BTreeMap::new();
    }

    fn timeline(&mut self, at: SimTime, change: &Change<'_>) {
        let ms = at.as_ms();
        match *change {
            Change::InstanceRegistered { instance } => {
                self.instances_registered += 1;
                if self.detail != Detail::Counts && self.instances.len() >= MAX_TIMELINE_INSTANCES {
                    self.lower_detail(Detail::Counts);
                }
                if self.detail != Detail::Counts {
                    assert_eq!(
                        instance.id.index(),
                        self.instances.len(),
                        "ids in registration order"
                    );
                    self.instances.push(InstanceSpan(
                        instance.ec2_instance_id.clone(),
                        instance.availability_zone.index(),
                        instance.instance_type.name.clone(),
                        ms,
                        None,
                        None,
                    ));
                }
            }
            Change::InstanceTerminated { instance, loss } => {
                if let Some(span) = self.instances.get_mut(instance.id.index()) {
                    span.4 = Some(ms);
                    span.5 = Some(loss.as_str());
                }
            }
            Change::TaskPlaced { task } => {
                self.tasks_created += 1;
                if self.detail == Detail::Tasks && self.tasks.len() >= MAX_TIMELINE_TASKS {
                    self.lower_detail(Detail::Instances);
                }
                if self.detail == Detail::Tasks {
                    self.task_slots.insert(task.number, self.tasks.len());
                    self.tasks.push(TaskSpan {
                        number: task.number,
                        instance: task.instance.index(),
                        group: task.group,
                        created: ms,
                        running: None,
                        stopping: None,
                        stopped: None,
                    });
                }
            }
            Change::TaskRunning { task } => {
                if let Some(span) = self.task(task.number) {
                    span.running = Some(ms);
                }
            }
            Change::TaskDeactivating { task, .. } | Change::TaskStopping { task } => {
                if let Some(span) = self.task(task.number) {
                    span.stopping.get_or_insert(ms);
                }
            }
            Change::TaskStopped { task } => {
                if let Some(span) = self.task(task.number) {
                    span.stopping.get_or_insert(ms);
                    span.stopped = Some(ms);
                }
                self.task_slots.remove(&task.number);
            }
            _ => {}
        }
    }

    fn faults(&mut self, at: SimTime, change: &Change<'_>, cluster: &Cluster) {
        let ms = at.as_ms();
        match *change {
            Change::FaultInjected { fault, targets } => {
                let kind = self
                    .fault_kinds
                    .get(fault as usize)
                    .copied()
                    .unwrap_or("fault");
                self.mark(
                    at,
                    Row::Faults,
                    MarkKind::Fault,
                    format!(
                        "{}: faults[{fault}] ({kind}) struck {targets} target(s)",
                        clock(ms)
                    ),
                );
            }
            Change::InstanceTerminated { instance, loss } => {
                *self.losses.entry(loss.as_str()).or_default() += 1;
                self.mark(
                    at,
                    Row::Zone(instance.availability_zone.index()),
                    MarkKind::Loss(loss),
                    format!(
                        "{}: {} lost ({}), {} task(s) on it",
                        clock(ms),
                        instance.ec2_instance_id,
                        loss.as_str(),
                        instance.tasks.len()
                    ),
                )
            }
            Change::SpotInterruptionNotice { instance, lost_at } => self.mark(
                at,
                Row::Zone(instance.availability_zone.index()),
                MarkKind::SpotNotice,
                format!(
                    "{}: Spot interruption notice for {}, lost at {}",
                    clock(ms),
                    instance.ec2_instance_id,
                    clock(lost_at.as_ms())
                ),
            ),
            Change::AgentDisconnected { instance } => self.mark(
                at,
                Row::Zone(instance.availability_zone.index()),
                MarkKind::AgentDisconnected,
                format!(
                    "{}: the agent of {} disconnected",
                    clock(ms),
                    instance.ec2_instance_id
                ),
            ),
            Change::InstanceRegistered { instance } if at > SimTime::ZERO => self.mark(
                at,
                Row::Zone(instance.availability_zone.index()),
                MarkKind::Registered,
                format!(
                    "{}: {} ({}) registered",
                    clock(ms),
                    instance.ec2_instance_id,
                    instance.instance_type.name
                ),
            ),
            // Every service's first deployment begins with it: only later ones are marked.
            Change::DeploymentStarted {
                service,
                deployment,
            } if deployment.cause != DeploymentCause::ServiceCreated => {
                let task_definition = cluster.task_definition(deployment.task_definition).name();
                self.mark(
                    at,
                    Row::Service(service.id.index()),
                    MarkKind::DeploymentStarted,
                    format!(
                        "{}: deployment {} of {} started: {task_definition} ({})",
                        clock(ms),
                        deployment.id,
                        service.service_name,
                        match deployment.cause {
                            DeploymentCause::ServiceCreated => "CreateService",
                            DeploymentCause::NewTaskDefinition => "a new task definition",
                            DeploymentCause::ForceNewDeployment => "forceNewDeployment",
                            DeploymentCause::Rollback => "the circuit breaker rolled back",
                        }
                    ),
                )
            }
            Change::DeploymentUpdated {
                service,
                deployment,
            } if deployment.rollout_state == RolloutState::Failed
                && self.failed.insert((service.id.index(), deployment.id.0)) =>
            {
                self.mark(
                    at,
                    Row::Service(service.id.index()),
                    MarkKind::DeploymentFailed,
                    format!(
                        "{}: deployment {} of {} failed: {}",
                        clock(ms),
                        deployment.id,
                        service.service_name,
                        deployment.reason
                    ),
                )
            }
            Change::ZoneOutageStarted { zone, .. } => self.outages.push(Outage {
                zone: zone.index(),
                from: ms,
                to: None,
            }),
            Change::ZoneOutageEnded { zone } => {
                if let Some(outage) = self
                    .outages
                    .iter_mut()
                    .rev()
                    .find(|outage| outage.zone == zone.index() && outage.to.is_none())
                {
                    outage.to = Some(ms);
                }
            }
            _ => {}
        }
    }
}

impl Consumer for ReportHtml {
    fn record(&mut self, at: SimTime, _: u64, change: &Change<'_>, cluster: &Cluster) {
        let ReportHtml {
            levels,
            services,
            zones,
            load,
            load_traces,
            ..
        } = self;
        load.record(at, change, cluster, &mut |level| {
            take_load_level(load_traces, &level)
        });
        levels.record(at, change, cluster, &mut |level| {
            take_level(services, zones, &level)
        });
        self.capacity.record(at, change);
        self.cost.record(at, change, cluster);
        self.faults(at, change, cluster);
        self.timeline(at, change);
        self.last_at = at;
    }

    /// Without the run's figures or its end: the page as far as the last change.
    fn finish(self: Box<Self>, cluster: &Cluster) -> io::Result<()> {
        let end = self.last_at;
        self.write(cluster, end, None)
    }

    fn finish_run(self: Box<Self>, cluster: &Cluster, report: &Report) -> io::Result<()> {
        self.write(cluster, report.simulated, Some(report))
    }
}

fn take_load_level(traces: &mut [Option<[Trace; 3]>], level: &LoadLevel<'_>) {
    let Some(Some(traces)) = traces.get_mut(level.service.index()) else {
        return;
    };
    let series = LOAD_SERIES
        .iter()
        .position(|&name| name == level.series)
        .expect("one of the load series");
    let value = level.number.map_or(0, |number| number.round() as u64);
    traces[series].push(level.at, value);
}

fn take_level(services: &mut [ServiceTraces], zones: &mut [[Trace; 5]], level: &Level) {
    if level.series.of_service() {
        if let Some(service) = services.get_mut(level.key) {
            service.level(level);
        }
    } else if let Some(zone) = zones.get_mut(level.key) {
        zone[level.series.offset()].push(level.at, level.value);
    }
}

impl ReportHtml {
    fn write(
        mut self: Box<Self>,
        cluster: &Cluster,
        end: SimTime,
        report: Option<&Report>,
    ) -> io::Result<()> {
        {
            let ReportHtml {
                levels,
                services,
                zones,
                load,
                load_traces,
                ..
            } = &mut *self;
            load.flush(&mut |level| take_load_level(load_traces, &level));
            levels.finish(end, &mut |level| take_level(services, zones, &level));
        }
        for service in &mut self.services {
            service.finish(end);
        }
        self.capacity.finish();
        self.cost.finish(report.map(|_| end));
        let page = Page {
            html: &self,
            cluster,
            whole: Axis {
                start_ms: 0,
                end_ms: end.as_ms(),
            },
            report,
        }
        .render();
        let mut sink = self.sink;
        sink.write_all(page.as_bytes())?;
        sink.flush()
    }
}
