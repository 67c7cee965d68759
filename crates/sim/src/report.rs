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
}

/// One task group's figures (`groups.csv`, `summary.json`'s `groups`): the arrivals in the
/// window and their tasks (`docs/figures.md`).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GroupReport {
    pub group: String,
    /// RunTask calls, one per arrival.
    pub arrivals: u64,
    pub tasks_requested: u64,
    pub tasks_placed: u64,
    /// Tasks a call could not place (placement failures).
    pub tasks_failed: u64,
    /// Tasks neither placed nor failed by the end of the run.
    pub tasks_waiting: u64,
    /// `tasks_failed / tasks_requested`; `None` without a task requested.
    #[serde(serialize_with = "optional_six_decimals")]
    pub failed_fraction: Option<f64>,
    /// Waits from arrival to placement of the tasks placed: mean (to the millisecond) and
    /// percentiles by nearest rank; `None` without a task placed.
    #[serde(serialize_with = "optional_seconds")]
    pub mean_wait: Option<SimTime>,
    #[serde(serialize_with = "optional_seconds")]
    pub wait_p50: Option<SimTime>,
    #[serde(serialize_with = "optional_seconds")]
    pub wait_p95: Option<SimTime>,
    #[serde(serialize_with = "optional_seconds")]
    pub wait_p99: Option<SimTime>,
}

/// The columns of `groups.csv`.
pub const GROUPS_HEADER: [&str; 11] = [
    "group",
    "arrivals",
    "tasksRequested",
    "tasksPlaced",
    "tasksFailed",
    "tasksWaiting",
    "failedFraction",
    "meanWait",
    "waitP50",
    "waitP95",
    "waitP99",
];

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
    /// Task groups with arrivals; absent from `summary.json` when there are none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<GroupReport>,
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

/// Six decimals, the same as services.csv.
fn six_decimals<S: Serializer>(x: &f64, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_f64((x * 1e6).round() / 1e6)
}

pub const SERVICES_HEADER: [&str; 12] = [
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
];

impl Report {
    pub fn new(
        scenario: &Scenario,
        seed: u64,
        end: SimTime,
        events: u64,
        services: Vec<ServiceReport>,
        groups: Vec<GroupReport>,
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
            groups,
        }
    }

    /// `groups.csv`: one row per task group with arrivals. A run writes it only when the
    /// scenario has arrivals (`groups` is not empty).
    pub fn write_groups_csv(&self, out: impl Write) -> io::Result<()> {
        let mut writer = csv::Writer::from_writer(out);
        writer.write_record(GROUPS_HEADER)?;
        let time = |t: Option<SimTime>| t.map(|t| t.to_string()).unwrap_or_default();
        for group in &self.groups {
            writer.write_record([
                group.group.clone(),
                group.arrivals.to_string(),
                group.tasks_requested.to_string(),
                group.tasks_placed.to_string(),
                group.tasks_failed.to_string(),
                group.tasks_waiting.to_string(),
                group
                    .failed_fraction
                    .map(|f| format!("{f:.6}"))
                    .unwrap_or_default(),
                time(group.mean_wait),
                time(group.wait_p50),
                time(group.wait_p95),
                time(group.wait_p99),
            ])?;
        }
        writer.flush()
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
        let mut table = aligned(rows);
        if !self.groups.is_empty() {
            table.push('\n');
            table.push_str(&self.groups_table());
        }
        table
    }

    /// The per-group table printed after the services', for scenarios with arrivals.
    fn groups_table(&self) -> String {
        let mut rows = vec![[
            "group".to_string(),
            "arrivals".to_string(),
            "requested".to_string(),
            "placed".to_string(),
            "failed".to_string(),
            "failed fraction".to_string(),
            "wait p50".to_string(),
            "wait p99".to_string(),
        ]];
        let time = |t: Option<SimTime>| t.map_or("-".to_string(), |t| format!("{t} s"));
        for group in &self.groups {
            rows.push([
                group.group.clone(),
                group.arrivals.to_string(),
                group.tasks_requested.to_string(),
                group.tasks_placed.to_string(),
                group.tasks_failed.to_string(),
                group
                    .failed_fraction
                    .map_or("-".to_string(), |f| format!("{:.4}%", f * 100.0)),
                time(group.wait_p50),
                time(group.wait_p99),
            ]);
        }
        aligned(rows)
    }
}

/// Rows as a table: the first column left-aligned, the others right-aligned.
fn aligned<const N: usize>(rows: Vec<[String; N]>) -> String {
    let widths: Vec<usize> = (0..N)
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
