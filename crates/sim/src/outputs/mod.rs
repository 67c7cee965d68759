//! The output files that stream as a run goes, one consumer per file, registered by name in
//! `CONSUMERS`. Adding an output is one file here and one line in that table.

mod capacity;
mod csv_file;
mod decisions;
mod deployments;
mod episodes;
mod events;
mod format;
mod instances;
mod levels;
mod load_levels;
mod placement_failures;
mod report_html;
mod tasks;
mod timeseries;

use std::io::{self, Write};

use cluster::change::Change;
use cluster::cluster::Cluster;
use des::SimTime;
use scenario::Scenario;

use crate::report::Report;

pub(crate) use csv_file::CsvFile;

pub use decisions::DECISIONS_HEADER;
pub use deployments::DEPLOYMENTS_HEADER;
pub use episodes::EPISODES_HEADER;
pub use events::EVENTS_HEADER;
pub use instances::INSTANCES_HEADER;
pub use placement_failures::PLACEMENT_FAILURES_HEADER;
pub use tasks::TASKS_HEADER;
pub use timeseries::TIMESERIES_HEADER;

/// Where a streamed file goes: any writer a thread can own.
pub type Sink = Box<dyn Write + Send>;

/// Hears the run's change records and writes one file from them.
pub trait Consumer: Send {
    fn record(&mut self, at: SimTime, seq: u64, change: &Change<'_>, cluster: &Cluster);

    /// The run is over: write what is still pending (rows of what is still alive) and
    /// flush. Reports the first write error of the whole run.
    fn finish(self: Box<Self>, cluster: &Cluster) -> io::Result<()>;

    /// The run is over at `report.simulated` with these figures: what `run` calls. Files
    /// that need the end of the run or the figures (`timeseries.csv`, `report.html`) say
    /// so here; the others just `finish`.
    fn finish_run(self: Box<Self>, cluster: &Cluster, report: &Report) -> io::Result<()> {
        let _ = report;
        self.finish(cluster)
    }
}

/// What a consumer may know before the first event: the scenario, and the model at time
/// zero (every first event scheduled, none applied).
pub struct Start<'a> {
    pub scenario: &'a Scenario,
    pub cluster: &'a Cluster,
}

/// A constructor: writes the header to the sink and returns the consumer.
type Make = fn(Sink, &Start<'_>) -> io::Result<Box<dyn Consumer>>;

/// The streamed files, by file name, in the order a run lists them.
pub const CONSUMERS: [(&str, Make); 9] = [
    ("events.csv", events::make),
    ("tasks.csv", tasks::make),
    ("instances.csv", instances::make),
    ("placement_failures.csv", placement_failures::make),
    ("deployments.csv", deployments::make),
    ("episodes.csv", episodes::make),
    ("timeseries.csv", timeseries::make),
    ("report.html", report_html::make),
    (DECISIONS, decisions::make),
];

/// The file of explained decisions: a run that writes it makes the model explain
/// (`ClusterSetup::explain`), and only such a run (`ecsim run --explain`).
pub const DECISIONS: &str = "decisions.csv";

/// An optional time as the outputs write it: seconds, or empty for "not yet / never".
pub(crate) fn time(at: Option<SimTime>) -> String {
    at.map(|at| at.to_string()).unwrap_or_default()
}
