//! The load model: the requests per second a service is offered over time (a constant,
//! steps, a daily curve or a trace, optionally with per-minute noise), and what it makes of
//! the service's tasks (CPU and memory utilisation, unserved requests). Not an ECS field:
//! the simulator's own knowledge of the workload, as `Workload` is for tasks.
//!
//! The load seen by the model is piecewise constant: a `steps` load and a `step` trace
//! change exactly at their points; a `daily` curve, a `linear` trace and any noise are held
//! for each minute of the run (the value at the minute's start). `next_change_after` tells
//! where the next piece starts, so the figures integrate exactly between changes.

use des::{rng, SimTime, Stream};

const MINUTE_MS: u64 = 60_000;
const DAY_S: i64 = 86_400;

/// How a trace is read between its points.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Interpolation {
    /// Each point's value holds until the next point (exact).
    Step,
    /// Straight lines between points, held per minute of the run.
    Linear,
}

/// The shape of a service's load, in requests per second.
#[derive(Clone, Debug, PartialEq)]
pub enum LoadCurve {
    Constant(f64),
    /// `(at_ms, value)` sorted by time; 0 before the first step.
    Steps(Vec<(u64, f64)>),
    /// `trough + (peak - trough) x (1 + cos(2 pi (h - peak_hour) / 24)) / 2`, with `h` the
    /// UTC hour of day (fractional) of the minute, counted from `parameters.startTime`.
    Daily {
        trough: f64,
        peak: f64,
        peak_hour: f64,
    },
    /// `(at_ms, value)` sorted by time, from a CSV file; the first value before the first
    /// point, the last after the last.
    Trace {
        points: Vec<(u64, f64)>,
        interpolation: Interpolation,
    },
}

/// `load:` on a service.
#[derive(Clone, Debug, PartialEq)]
pub struct LoadSpec {
    pub requests_per_second: LoadCurve,
    /// `noise.cv`: each minute's load is multiplied by a lognormal factor of mean 1 and
    /// this coefficient of variation, drawn from the `Load` stream keyed by (service,
    /// minute); 0 = no noise.
    pub noise_cv: f64,
}

impl LoadSpec {
    /// Whether the load may change at every minute boundary (not only at its points).
    fn per_minute(&self) -> bool {
        self.noise_cv > 0.0
            || matches!(
                self.requests_per_second,
                LoadCurve::Daily { .. }
                    | LoadCurve::Trace {
                        interpolation: Interpolation::Linear,
                        ..
                    }
            )
    }

    /// The offered load at `at`, in requests per second (>= 0). `service` and `seed` key the
    /// noise; `start_time_unix_s` places the daily curve in the day.
    pub fn at(&self, at: SimTime, seed: u64, service: u32, start_time_unix_s: i64) -> f64 {
        let minute = at.as_ms() / MINUTE_MS;
        let minute_start = minute * MINUTE_MS;
        let base = match &self.requests_per_second {
            LoadCurve::Constant(value) => *value,
            LoadCurve::Steps(steps) => step_value(steps, at.as_ms(), 0.0),
            LoadCurve::Daily {
                trough,
                peak,
                peak_hour,
            } => {
                let seconds_of_day =
                    (start_time_unix_s + (minute_start / 1000) as i64).rem_euclid(DAY_S);
                let hour = seconds_of_day as f64 / 3600.0;
                let phase = std::f64::consts::TAU * (hour - peak_hour) / 24.0;
                trough + (peak - trough) * (1.0 + libm::cos(phase)) / 2.0
            }
            LoadCurve::Trace {
                points,
                interpolation: Interpolation::Step,
            } => step_value(points, at.as_ms(), points.first().map_or(0.0, |p| p.1)),
            LoadCurve::Trace {
                points,
                interpolation: Interpolation::Linear,
            } => linear_value(points, minute_start),
        };
        (base * self.noise(seed, service, minute)).max(0.0)
    }

    /// The noise factor of one minute: lognormal with mean 1 and `noise_cv`.
    fn noise(&self, seed: u64, service: u32, minute: u64) -> f64 {
        if self.noise_cv <= 0.0 {
            return 1.0;
        }
        let sigma2 = libm::log(1.0 + self.noise_cv * self.noise_cv);
        let mut stream = rng::stream(seed, Stream::Load, [u64::from(service), minute]);
        let z = des::dist::standard_normal(&mut stream);
        libm::exp(-sigma2 / 2.0 + libm::sqrt(sigma2) * z)
    }

    /// The first time after `after` at which the load may change; `None` if it never does.
    pub fn next_change_after(&self, after: SimTime) -> Option<SimTime> {
        let minute = self
            .per_minute()
            .then(|| SimTime((after.as_ms() / MINUTE_MS + 1) * MINUTE_MS));
        let point = match &self.requests_per_second {
            LoadCurve::Steps(points)
            | LoadCurve::Trace {
                points,
                interpolation: Interpolation::Step,
            } => points
                .iter()
                .map(|&(at, _)| at)
                .find(|&at| at > after.as_ms())
                .map(SimTime),
            _ => None,
        };
        match (minute, point) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }
}

/// The value of the last point at or before `at`, else `before`.
fn step_value(points: &[(u64, f64)], at: u64, before: f64) -> f64 {
    points
        .iter()
        .take_while(|&&(time, _)| time <= at)
        .last()
        .map_or(before, |&(_, value)| value)
}

/// Straight lines between points; flat before the first and after the last.
fn linear_value(points: &[(u64, f64)], at: u64) -> f64 {
    let after = points.iter().position(|&(time, _)| time > at);
    match after {
        None => points.last().map_or(0.0, |p| p.1),
        Some(0) => points[0].1,
        Some(i) => {
            let (t0, v0) = points[i - 1];
            let (t1, v1) = points[i];
            v0 + (v1 - v0) * (at - t0) as f64 / (t1 - t0) as f64
        }
    }
}

/// What a task definition's tasks do with load (`simulation.requestsPerSecond` and the
/// memory model).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TaskLoadModel {
    /// Requests per second one task serves at 100 % of its CPU.
    pub requests_per_second: f64,
    /// Memory utilisation (% of the task's memory reservation) at 0 % and at 100 % CPU;
    /// linear in between.
    pub memory_idle_percent: f64,
    pub memory_full_percent: f64,
}

impl TaskLoadModel {
    pub const DEFAULT_MEMORY_IDLE_PERCENT: f64 = 25.0;
    pub const DEFAULT_MEMORY_FULL_PERCENT: f64 = 75.0;

    /// Memory utilisation at `cpu_percent` (0 to 100).
    pub fn memory_percent(&self, cpu_percent: f64) -> f64 {
        self.memory_idle_percent
            + (self.memory_full_percent - self.memory_idle_percent) * cpu_percent / 100.0
    }
}

/// A service's load against its RUNNING tasks at one moment.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LoadReading {
    /// Offered load, requests per second.
    pub requests_per_second: f64,
    /// What its RUNNING tasks can serve: the sum of their `requestsPerSecond`.
    pub capacity: f64,
    /// `load / capacity x 100`, capped at 100 %; `None` with no RUNNING task.
    pub cpu_percent: Option<f64>,
    /// The RUNNING tasks' mean memory utilisation at that CPU; `None` with no RUNNING task.
    pub memory_percent: Option<f64>,
}

impl LoadReading {
    /// Requests per second nobody serves: the load above capacity.
    pub fn unserved(&self) -> f64 {
        (self.requests_per_second - self.capacity).max(0.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(curve: LoadCurve) -> LoadSpec {
        LoadSpec {
            requests_per_second: curve,
            noise_cv: 0.0,
        }
    }

    #[test]
    fn steps_change_exactly_at_their_points() {
        let load = spec(LoadCurve::Steps(vec![(0, 100.0), (90_500, 250.0)]));
        assert_eq!(load.at(SimTime(90_499), 1, 0, 0), 100.0);
        assert_eq!(load.at(SimTime(90_500), 1, 0, 0), 250.0);
        assert_eq!(load.next_change_after(SimTime(0)), Some(SimTime(90_500)));
        assert_eq!(load.next_change_after(SimTime(90_500)), None);
        let late = spec(LoadCurve::Steps(vec![(10_000, 5.0)]));
        assert_eq!(late.at(SimTime(0), 1, 0, 0), 0.0);
    }

    #[test]
    fn the_daily_curve_peaks_at_its_hour_and_bottoms_twelve_hours_later() {
        let load = spec(LoadCurve::Daily {
            trough: 100.0,
            peak: 500.0,
            peak_hour: 14.0,
        });
        // Time zero at midnight UTC.
        let at_hour = |h: u64| load.at(SimTime(h * 3_600_000), 1, 0, 1_767_225_600);
        assert!((at_hour(14) - 500.0).abs() < 1e-9);
        assert!((at_hour(2) - 100.0).abs() < 1e-9);
        assert!((at_hour(8) - 300.0).abs() < 1e-9);
        // Held for the minute.
        assert_eq!(
            load.at(SimTime(14 * 3_600_000 + 59_999), 1, 0, 1_767_225_600),
            at_hour(14)
        );
        assert_eq!(
            load.next_change_after(SimTime(61_000)),
            Some(SimTime(120_000))
        );
        // A start time at 14:00 UTC puts the peak at time zero.
        assert!((load.at(SimTime(0), 1, 0, 1_767_225_600 + 14 * 3600) - 500.0).abs() < 1e-9);
    }

    #[test]
    fn traces_interpolate_linearly_per_minute_or_by_steps() {
        let points = vec![(60_000, 100.0), (180_000, 300.0)];
        let linear = spec(LoadCurve::Trace {
            points: points.clone(),
            interpolation: Interpolation::Linear,
        });
        assert_eq!(linear.at(SimTime(0), 1, 0, 0), 100.0);
        assert_eq!(linear.at(SimTime(120_000), 1, 0, 0), 200.0);
        assert_eq!(linear.at(SimTime(179_999), 1, 0, 0), 200.0);
        assert_eq!(linear.at(SimTime(500_000), 1, 0, 0), 300.0);
        let step = spec(LoadCurve::Trace {
            points,
            interpolation: Interpolation::Step,
        });
        assert_eq!(step.at(SimTime(0), 1, 0, 0), 100.0);
        assert_eq!(step.at(SimTime(179_999), 1, 0, 0), 100.0);
        assert_eq!(step.at(SimTime(180_000), 1, 0, 0), 300.0);
        assert_eq!(
            step.next_change_after(SimTime(60_000)),
            Some(SimTime(180_000))
        );
    }

    #[test]
    fn noise_is_keyed_by_service_and_minute_with_mean_one() {
        let load = LoadSpec {
            requests_per_second: LoadCurve::Constant(100.0),
            noise_cv: 0.1,
        };
        let a = load.at(SimTime(61_000), 7, 2, 0);
        assert_eq!(a, load.at(SimTime(119_999), 7, 2, 0), "held for the minute");
        assert_ne!(a, load.at(SimTime(120_000), 7, 2, 0));
        assert_ne!(a, load.at(SimTime(61_000), 7, 3, 0));
        assert_ne!(a, load.at(SimTime(61_000), 8, 2, 0));
        let minutes = 20_000u64;
        let values: Vec<f64> = (0..minutes)
            .map(|m| load.at(SimTime(m * 60_000), 7, 2, 0))
            .collect();
        let mean = values.iter().sum::<f64>() / minutes as f64;
        let var = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / minutes as f64;
        assert!((mean - 100.0).abs() < 0.5, "mean {mean}");
        assert!(
            (var.sqrt() / mean - 0.1).abs() < 0.005,
            "cv {}",
            var.sqrt() / mean
        );
        assert_eq!(load.next_change_after(SimTime(0)), Some(SimTime(60_000)));
    }

    #[test]
    fn memory_is_linear_in_cpu() {
        let model = TaskLoadModel {
            requests_per_second: 10.0,
            memory_idle_percent: 20.0,
            memory_full_percent: 60.0,
        };
        assert_eq!(model.memory_percent(0.0), 20.0);
        assert_eq!(model.memory_percent(50.0), 40.0);
        assert_eq!(model.memory_percent(100.0), 60.0);
    }
}
