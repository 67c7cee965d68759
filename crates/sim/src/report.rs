//! The run's figures per service: `services.csv`, `summary.json` and the terminal table.

use std::io::{self, Write};

use des::SimTime;
use scenario::Scenario;
use serde::{Serialize, Serializer};

/// One service's figures; serialized with the contract's names into `summary.json`.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ServiceReport {
    pub service_name: String,
    pub desired_count: u32,
    /// The integral of min(running, desired) over that of desired, over the window.
    #[serde(serialize_with = "six_decimals")]
    pub availability: f64,
    /// The fewest tasks RUNNING at any time in the window.
    pub min_running: u32,
    #[serde(serialize_with = "seconds")]
    pub seconds_below_desired: SimTime,
    /// Mean length of the below-desired episodes that ended in the window (each cut to
    /// the window); `None` when none did.
    #[serde(serialize_with = "optional_seconds")]
    pub mean_time_to_recover: Option<SimTime>,
    pub tasks_started: u64,
    pub tasks_failed: u64,
    pub placement_failures: u64,
    /// When the service first had its desired count RUNNING; `None` if never.
    #[serde(serialize_with = "optional_seconds")]
    pub steady_at: Option<SimTime>,
    /// Time-weighted mean of healthy load balancer targets over the window; `None` for a
    /// service without load balancers (as `min_healthy_targets`).
    #[serde(serialize_with = "optional_six_decimals")]
    pub mean_healthy_targets: Option<f64>,
    pub min_healthy_targets: Option<u32>,
    /// For a service with load or autoScaling: requests above what its RUNNING tasks could
    /// serve, over the window (docs/autoscaling.md); and the time the load was above it.
    #[serde(serialize_with = "optional_three_decimals")]
    pub unserved_requests: Option<f64>,
    #[serde(serialize_with = "optional_seconds")]
    pub seconds_saturated: Option<SimTime>,
}

/// The run's figures: `summary.json` as it is written (no wall-clock figure, so the file
/// is byte-identical across runs), with what the run was: the scenario's name and the
/// fingerprint of its resolved form, the seed, the ecsim version and the `--set` applied.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    pub scenario: String,
    pub seed: u64,
    /// The ecsim version that ran it.
    pub version: &'static str,
    /// `scenario::resolved_hash`: FNV-1a 64 of the resolved scenario, in hex.
    pub scenario_hash: String,
    /// Every `--set PATH=VALUE` applied, in order.
    pub overrides: Vec<String>,
    #[serde(rename = "simulatedSeconds", serialize_with = "seconds")]
    pub simulated: SimTime,
    /// The figures are measured from here (`metrics.warmup`) to `simulatedSeconds`.
    #[serde(rename = "warmupSeconds", serialize_with = "seconds")]
    pub warmup: SimTime,
    pub events: u64,
    pub services: Vec<ServiceReport>,
}

fn seconds<S: Serializer>(time: &SimTime, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_f64(time.as_ms() as f64 / 1000.0)
}

fn optional_seconds<S: Serializer>(
    time: &Option<SimTime>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match time {
        Some(time) => seconds(time, serializer),
        None => serializer.serialize_none(),
    }
}

fn optional_six_decimals<S: Serializer>(x: &Option<f64>, serializer: S) -> Result<S::Ok, S::Error> {
    match x {
        Some(x) => six_decimals(x, serializer),
        None => serializer.serialize_none(),
    }
}

fn optional_three_decimals<S: Serializer>(
    x: &Option<f64>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match x {
        Some(x) => serializer.serialize_f64((x * 1e3).round() / 1e3),
        None => serializer.serialize_none(),
    }
}

/// Six decimals, the same as services.csv.
fn six_decimals<S: Serializer>(x: &f64, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_f64((x * 1e6).round() / 1e6)
}

pub const SERVICES_HEADER: [&str; 14] = [
    "serviceName",
    "desiredCount",
    "availability",
    "minRunning",
    "secondsBelowDesired",
    "meanTimeToRecover",
    "tasksStarted",
    "tasksFailed",
    "placementFailures",
    "steadyAt",
    "meanHealthyTargets",
    "minHealthyTargets",
    "unservedRequests",
    "secondsSaturated",
];

impl Report {
    pub fn new(
        scenario: &Scenario,
        seed: u64,
        end: SimTime,
        events: u64,
        services: Vec<ServiceReport>,
    ) -> Report {
        Report {
            scenario: scenario.name.clone(),
            seed,
            version: env!("CARGO_PKG_VERSION"),
            scenario_hash: scenario::resolved_hash(scenario),
            overrides: scenario.overrides.clone(),
            simulated: end,
            warmup: SimTime(scenario.metrics.warmup_ms),
            events,
            services,
        }
    }

    pub fn write_services_csv(&self, out: impl Write) -> io::Result<()> {
        let mut writer = csv::Writer::from_writer(out);
        writer.write_record(SERVICES_HEADER)?;
        for service in &self.services {
            writer.write_record([
                service.service_name.clone(),
                service.desired_count.to_string(),
                format!("{:.6}", service.availability),
                service.min_running.to_string(),
                service.seconds_below_desired.to_string(),
                service
                    .mean_time_to_recover
                    .map(|t| t.to_string())
                    .unwrap_or_default(),
                service.tasks_started.to_string(),
                service.tasks_failed.to_string(),
                service.placement_failures.to_string(),
                service.steady_at.map(|t| t.to_string()).unwrap_or_default(),
                service
                    .mean_healthy_targets
                    .map(|m| format!("{m:.6}"))
                    .unwrap_or_default(),
                service
                    .min_healthy_targets
                    .map(|m| m.to_string())
                    .unwrap_or_default(),
                service
                    .unserved_requests
                    .map(|u| format!("{u:.3}"))
                    .unwrap_or_default(),
                service
                    .seconds_saturated
                    .map(|t| t.to_string())
                    .unwrap_or_default(),
            ])?;
        }
        writer.flush()
    }

    pub fn write_summary_json(&self, mut out: impl Write) -> io::Result<()> {
        serde_json::to_writer_pretty(&mut out, self)?;
        out.write_all(b"\n")
    }

    /// The per-service table printed after a run.
    pub fn table(&self) -> String {
        let mut rows = vec![[
            "service".to_string(),
            "desired".to_string(),
            "availability".to_string(),
            "min running".to_string(),
            "below desired".to_string(),
            "mean time to recover".to_string(),
            "started".to_string(),
            "failed".to_string(),
            "placement failures".to_string(),
        ]];
        for service in &self.services {
            rows.push([
                service.service_name.clone(),
                service.desired_count.to_string(),
                format!("{:.4}%", service.availability * 100.0),
                service.min_running.to_string(),
                format!("{} s", service.seconds_below_desired),
                service
                    .mean_time_to_recover
                    .map_or("-".to_string(), |t| format!("{t} s")),
                service.tasks_started.to_string(),
                service.tasks_failed.to_string(),
                service.placement_failures.to_string(),
            ]);
        }
        let widths: Vec<usize> = (0..rows[0].len())
            .map(|column| rows.iter().map(|row| row[column].len()).max().unwrap_or(0))
            .collect();
        let mut table = String::new();
        for row in rows {
            let cells: Vec<String> = row
                .iter()
                .zip(&widths)
                .enumerate()
                .map(|(column, (cell, &width))| {
                    if column == 0 {
                        format!("{cell:<width$}")
                    } else {
                        format!("{cell:>width$}")
                    }
                })
                .collect();
            table.push_str(cells.join("  ").trim_end());
            table.push('\n');
        }
        table
    }
}
