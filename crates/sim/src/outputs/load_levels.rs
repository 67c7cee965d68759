//! The load levels of services with `load` or `autoScaling`, for `timeseries.csv`: the
//! offered requests per second (`load`), and the CPU and memory utilisation of the service's
//! RUNNING tasks (`cpuUtilization`, `memoryUtilization`, percent; empty with no task
//! RUNNING). Step functions, written when a value changes: at a load change or a change of
//! the RUNNING tasks, never sampled. Rows of one instant are coalesced as in `levels.rs`.

use cluster::change::Change;
use cluster::cluster::Cluster;
use cluster::ids::ServiceId;
use des::SimTime;

/// The three series of one service, in row order.
pub(crate) const LOAD_SERIES: [&str; 3] = ["load", "cpuUtilization", "memoryUtilization"];

/// One value change: `(at, series index, service, value as written)`.
pub(crate) struct LoadLevel<'a> {
    pub(crate) at: SimTime,
    pub(crate) series: &'static str,
    pub(crate) service: ServiceId,
    pub(crate) value: &'a str,
    /// The value as a number; `None` when empty.
    pub(crate) number: Option<f64>,
}

/// A series' value now (as written) and as last told (`None` before the first).
type Value = (String, Option<String>);

#[derive(Debug, Default)]
pub(crate) struct LoadLevels {
    now: SimTime,
    /// Per service: `None` if not followed, else the values now and as last written.
    services: Vec<Option<[Value; 3]>>,
    /// Services touched in the instant being gathered, in the order first touched.
    touched: Vec<ServiceId>,
}

fn format(value: Option<f64>) -> String {
    value.map(|v| format!("{v:.3}")).unwrap_or_default()
}

impl LoadLevels {
    pub(crate) fn new(cluster: &Cluster) -> LoadLevels {
        let mut levels = LoadLevels {
            services: cluster
                .services()
                .iter()
                .map(|service| {
                    cluster.load_reading(service.id).map(|_| {
                        [
                            (String::new(), None),
                            (String::new(), None),
                            (String::new(), None),
                        ]
                    })
                })
                .collect(),
            ..LoadLevels::default()
        };
        for service in cluster.services() {
            levels.sync(service.id, cluster);
        }
        levels
    }

    /// Hears one change; tells `out` the values of instants now closed.
    pub(crate) fn record(
        &mut self,
        at: SimTime,
        change: &Change<'_>,
        cluster: &Cluster,
        out: &mut dyn FnMut(LoadLevel<'_>),
    ) {
        if at > self.now {
            self.flush(out);
            self.now = at;
        }
        if let Some(service) = crate::load_figures::load_reading_touched(change) {
            self.sync(service, cluster);
        }
    }

    fn sync(&mut self, service: ServiceId, cluster: &Cluster) {
        let Some(values) = self.services[service.index()].as_mut() else {
            return;
        };
        let Some(reading) = cluster.load_reading(service) else {
            return;
        };
        let now = [
            format(Some(reading.requests_per_second)),
            format(reading.cpu_percent),
            format(reading.memory_percent),
        ];
        let mut changed = false;
        for ((value, _), new) in values.iter_mut().zip(now) {
            if *value != new {
                *value = new;
                changed = true;
            }
        }
        if (changed || self.now == SimTime::ZERO) && !self.touched.contains(&service) {
            self.touched.push(service);
        }
    }

    /// Tells the gathered instant's changed values.
    pub(crate) fn flush(&mut self, out: &mut dyn FnMut(LoadLevel<'_>)) {
        for service in std::mem::take(&mut self.touched) {
            let Some(values) = self.services[service.index()].as_mut() else {
                continue;
            };
            for (series, (value, told)) in LOAD_SERIES.into_iter().zip(values.iter_mut()) {
                if told.as_ref() != Some(value) {
                    *told = Some(value.clone());
                    out(LoadLevel {
                        at: self.now,
                        series,
                        service,
                        value,
                        number: value.parse().ok(),
                    });
                }
            }
        }
    }
}
