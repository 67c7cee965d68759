//! The load figures of services with `load`: requests nobody served (the load above what
//! the RUNNING tasks can serve, integrated over the measured window) and the time spent
//! saturated (load above that capacity). The load and the running tasks are step functions
//! that change only at change records, so integrating between records is exact; a `daily`
//! or `linear` trace load is itself held per minute (docs/autoscaling.md).

use cluster::change::Change;
use cluster::cluster::Cluster;
use cluster::ids::ServiceId;
use des::SimTime;

/// The service whose load reading (`Cluster::load_reading`) the change may have moved: a
/// load change, or one of its tasks entering or leaving RUNNING.
pub(crate) fn load_reading_touched(change: &Change<'_>) -> Option<ServiceId> {
    match *change {
        Change::ServiceLoadChanged { service, .. } => Some(service.id),
        Change::TaskRunning { task }
        | Change::TaskDeactivating { task, .. }
        | Change::TaskStopping { task }
        | Change::TaskStopped { task } => task.service,
        _ => None,
    }
}

#[derive(Clone, Debug, Default)]
struct Follow {
    /// Requests per second offered and servable, since `since`.
    load: f64,
    capacity: f64,
    since: SimTime,
    /// Requests unserved over the window so far, and milliseconds saturated.
    unserved: f64,
    saturated_ms: u64,
}

impl Follow {
    fn measure(&mut self, now: SimTime, window_start: SimTime) {
        let from = self.since.max(window_start);
        if now > from && self.load > self.capacity {
            let ms = now.since(from);
            self.unserved += (self.load - self.capacity) * ms as f64 / 1000.0;
            self.saturated_ms += ms;
        }
        self.since = now;
    }
}

/// Follows every service with load.
#[derive(Debug)]
pub(crate) struct LoadFigures {
    window_start: SimTime,
    /// By service; `None` for a service without load.
    services: Vec<Option<Follow>>,
}

impl LoadFigures {
    pub(crate) fn new(cluster: &Cluster, window_start: SimTime) -> LoadFigures {
        LoadFigures {
            window_start,
            services: cluster
                .services()
                .iter()
                .map(|service| cluster.load_reading(service.id).map(|_| Follow::default()))
                .collect(),
        }
    }

    pub(crate) fn record(&mut self, at: SimTime, change: &Change<'_>, cluster: &Cluster) {
        if let Some(service) = load_reading_touched(change) {
            self.sync(service, at, cluster);
        }
    }

    fn sync(&mut self, service: ServiceId, at: SimTime, cluster: &Cluster) {
        let Some(follow) = self.services[service.index()].as_mut() else {
            return;
        };
        let Some(reading) = cluster.load_reading(service) else {
            return;
        };
        if reading.requests_per_second == follow.load && reading.capacity == follow.capacity {
            return;
        }
        follow.measure(at, self.window_start);
        follow.load = reading.requests_per_second;
        follow.capacity = reading.capacity;
    }

    /// `(unservedRequests, secondsSaturated)` of a service at `end`; `None` without load.
    pub(crate) fn finish(&mut self, service: ServiceId, end: SimTime) -> Option<(f64, SimTime)> {
        let follow = self.services[service.index()].as_mut()?;
        follow.measure(end, self.window_start);
        Some((follow.unserved, SimTime(follow.saturated_ms)))
    }
}
