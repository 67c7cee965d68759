//! Each service's running and desired counts followed through the change records, over the
//! one measured window (from `metrics.warmup` to the end of the run): the time-weighted
//! sums the figures need, and the spells below the desired count with the change that began
//! each. The service figures (`figures.rs`) and `episodes.csv` each keep one `Spells`, fed
//! the same records, so the two agree by construction.
//!
//! A count held over `[from, to)` is measured where that interval meets the window; a count
//! set and replaced at the same instant is measured if that instant is in the window. A
//! spell is a run of counts below desired; it is reported, cut to the window, when at least
//! one of its counts was measured.

use cluster::change::Change;
use cluster::cluster::Cluster;
use cluster::ids::{InstanceId, ServiceId};
use cluster::instance::{InstanceLoss, InstanceStatus};
use cluster::task::{StopCode, Task};
use des::SimTime;

/// What began a spell below the desired count: a closed list, written in `episodes.csv`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cause {
    /// The initial rollout: the service is below its desired count from the start.
    ServiceCreated,
    /// Its instance was lost: an `instanceFailure` fault, a `zoneOutage`, a Spot
    /// interruption, or its Auto Scaling group terminated it to rebalance zones or to
    /// scale in (directly, or by draining it first).
    Instance(InstanceLoss),
    /// The scheduler moved the task off an instance a user set DRAINING
    /// (`drainInstances`).
    DrainInstances,
    /// The task's essential container exited (a `taskExit` fault or the workload's end).
    TaskExit,
    /// The task failed its container or load balancer health checks and was replaced.
    HealthCheck,
    /// The scheduler stopped the task for a deployment (a new task definition, a forced
    /// deployment, a rollback, or a DAEMON that no longer belongs on its instance).
    Deployment,
    /// The desired count went up (UpdateService, or an instance a DAEMON now covers).
    DesiredCountIncrease,
    /// A user's `stopTask`.
    StopTask,
}

impl Cause {
    /// The `cause` column.
    pub fn as_str(self) -> &'static str {
        match self {
            Cause::ServiceCreated => "serviceCreated",
            Cause::Instance(loss) => loss.as_str(),
            Cause::DrainInstances => "drainInstances",
            Cause::TaskExit => "taskExit",
            Cause::HealthCheck => "healthCheck",
            Cause::Deployment => "deployment",
            Cause::DesiredCountIncrease => "desiredCountIncrease",
            Cause::StopTask => "stopTask",
        }
    }
}

/// One spell below the desired count, cut to the window: from `started_at` (the spell's
/// start, or the window's if it began before) to `ended_at` (`None`: still below at the
/// end), with the fewest tasks RUNNING in it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Spell {
    pub service: ServiceId,
    pub started_at: SimTime,
    pub ended_at: Option<SimTime>,
    pub min_running: u32,
    pub cause: Cause,
}

/// The spell a service is in.
#[derive(Clone, Copy, Debug)]
struct Open {
    started_at: SimTime,
    cause: Cause,
    /// The fewest RUNNING among its measured counts; `None` before the window.
    min_running: Option<u32>,
}

/// One service's counts since they last changed, and what was measured so far.
#[derive(Clone, Debug)]
pub struct Counts {
    running: u32,
    desired: u32,
    since: SimTime,
    /// When the service first had its desired count (> 0) RUNNING.
    pub steady_at: Option<SimTime>,
    /// Over the window: the integral of min(running, desired) and of desired, in
    /// task-milliseconds, the time below desired, and the fewest RUNNING measured.
    pub running_task_ms: u128,
    pub desired_task_ms: u128,
    pub below_ms: u64,
    pub min_running: Option<u32>,
    spell: Option<Open>,
}

impl Counts {
    /// Measures the counts held since `since` up to `now`, which replace them.
    fn measure(&mut self, now: SimTime, window_start: SimTime) {
        if now > window_start || self.since >= window_start {
            self.min_running = Some(
                self.min_running
                    .map_or(self.running, |m| m.min(self.running)),
            );
            if let Some(spell) = &mut self.spell {
                spell.min_running = Some(
                    spell
                        .min_running
                        .map_or(self.running, |m| m.min(self.running)),
                );
            }
        }
        let from = self.since.max(window_start);
        if now > from {
            let ms = now.since(from);
            self.running_task_ms += u128::from(self.running.min(self.desired)) * u128::from(ms);
            self.desired_task_ms += u128::from(self.desired) * u128::from(ms);
            if self.running < self.desired {
                self.below_ms += ms;
            }
        }
        self.since = now;
    }

    /// The spell, cut to the window, if any of its counts was measured.
    fn cut(
        open: Open,
        service: ServiceId,
        ended_at: Option<SimTime>,
        window_start: SimTime,
    ) -> Option<Spell> {
        Some(Spell {
            service,
            started_at: open.started_at.max(window_start),
            ended_at,
            min_running: open.min_running?,
            cause: open.cause,
        })
    }
}

/// Every service's counts, fed the change records in order.
#[derive(Clone, Debug)]
pub struct Spells {
    window_start: SimTime,
    services: Vec<Counts>,
    /// The instance whose termination is being told: its tasks' `TaskStopped` records
    /// follow its `InstanceTerminated` one.
    terminated: Option<(InstanceId, InstanceLoss)>,
}

impl Spells {
    /// Every service as the model has it at time zero (nothing RUNNING yet; a DAEMON wants
    /// no task before its instances register), measured from `window_start`.
    pub fn new(cluster: &Cluster, window_start: SimTime) -> Spells {
        let services = cluster
            .services()
            .iter()
            .map(|service| Counts {
                running: service.running_count,
                desired: service.desired_count,
                since: SimTime::ZERO,
                steady_at: None,
                running_task_ms: 0,
                desired_task_ms: 0,
                below_ms: 0,
                min_running: None,
                spell: (service.running_count < service.desired_count).then_some(Open {
                    started_at: SimTime::ZERO,
                    cause: Cause::ServiceCreated,
                    min_running: None,
                }),
            })
            .collect();
        Spells {
            window_start,
            services,
            terminated: None,
        }
    }

    pub fn window_start(&self) -> SimTime {
        self.window_start
    }

    /// Hears one change; returns the spell it ended, if it ended one that is reported.
    pub fn record(&mut self, at: SimTime, change: &Change<'_>, cluster: &Cluster) -> Option<Spell> {
        match *change {
            Change::InstanceTerminated { instance, loss } => {
                self.terminated = Some((instance.id, loss));
                None
            }
            Change::DesiredCountChanged { service, .. } => {
                self.sync(service.id, at, cluster, || Cause::DesiredCountIncrease)
            }
            Change::TaskRunning { task }
            | Change::TaskDeactivating { task, .. }
            | Change::TaskStopping { task } => {
                let service = task.service?;
                self.sync(service, at, cluster, || stopped_by(task, cluster))
            }
            Change::TaskStopped { task } => {
                let service = task.service?;
                let terminated = self.terminated;
                self.sync(service, at, cluster, || match terminated {
                    Some((instance, loss)) if instance == task.instance => Cause::Instance(loss),
                    _ => stopped_by(task, cluster),
                })
            }
            _ => None,
        }
    }

    /// Picks up a change of the service's running or desired count at `at`; `cause` says
    /// what began a spell if one begins.
    fn sync(
        &mut self,
        id: ServiceId,
        at: SimTime,
        cluster: &Cluster,
        cause: impl FnOnce() -> Cause,
    ) -> Option<Spell> {
        let service = cluster.service(id);
        let (running, desired) = (service.running_count, service.desired_count);
        let window_start = self.window_start;
        let counts = &mut self.services[id.index()];
        if running == counts.running && desired == counts.desired {
            return None;
        }
        counts.measure(at, window_start);
        let was_below = counts.running < counts.desired;
        counts.running = running;
        counts.desired = desired;
        if counts.steady_at.is_none() && desired > 0 && running >= desired {
            counts.steady_at = Some(at);
        }
        let below = running < desired;
        if below && !was_below {
            counts.spell = Some(Open {
                started_at: at,
                cause: if at == SimTime::ZERO {
                    Cause::ServiceCreated
                } else {
                    cause()
                },
                min_running: None,
            });
        } else if was_below && !below {
            let open = counts
                .spell
                .take()
                .expect("a service below desired is in a spell");
            return Counts::cut(open, id, Some(at), window_start);
        }
        None
    }

    /// Measures every service up to `end`, the end of the run; returns the spells still
    /// open, by service.
    pub fn finish(&mut self, end: SimTime) -> Vec<Spell> {
        let window_start = self.window_start;
        let mut open = Vec::new();
        for (idx, counts) in self.services.iter_mut().enumerate() {
            // The counts held at the end are measured (the window ends after `warmup`).
            counts.measure(end, window_start);
            if let Some(spell) = counts.spell {
                open.extend(Counts::cut(
                    spell,
                    ServiceId(idx as u32),
                    None,
                    window_start,
                ));
            }
        }
        open
    }

    pub fn counts(&self, id: ServiceId) -> &Counts {
        &self.services[id.index()]
    }
}

/// Why a decided stop took a RUNNING task away (its stop code and what the scheduler
/// stopped it for).
fn stopped_by(task: &Task, cluster: &Cluster) -> Cause {
    match task.stop_code {
        Some(StopCode::EssentialContainerExited) => Cause::TaskExit,
        Some(StopCode::UserInitiated) => Cause::StopTask,
        Some(StopCode::SpotInterruption) => Cause::Instance(InstanceLoss::SpotInterruption),
        Some(StopCode::ServiceSchedulerInitiated) if task.health.unhealthy => Cause::HealthCheck,
        Some(StopCode::ServiceSchedulerInitiated) => {
            let instance = cluster.instance(task.instance);
            match (instance.status, instance.terminating) {
                (InstanceStatus::Draining, Some(loss)) => Cause::Instance(loss),
                (InstanceStatus::Draining, None) => Cause::DrainInstances,
                _ => Cause::Deployment,
            }
        }
        // A task that never ran takes nothing away; a stop without a code is a lost host,
        // told by its instance's record first.
        Some(StopCode::TaskFailedToStart) | None => Cause::Instance(InstanceLoss::InstanceFailure),
    }
}
