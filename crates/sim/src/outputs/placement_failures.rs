//! `placement_failures.csv`: one row per task that could not be placed, per attempt, with
//! ECS's reason.

use std::io;

use cluster::change::Change;
use cluster::cluster::Cluster;
use des::SimTime;

use super::{Consumer, CsvFile, Sink, Start};

pub const PLACEMENT_FAILURES_HEADER: [&str; 4] = ["time", "group", "taskDefinition", "reason"];

struct PlacementFailures {
    file: CsvFile,
}

pub(super) fn make(sink: Sink, _: &Start<'_>) -> io::Result<Box<dyn Consumer>> {
    Ok(Box::new(PlacementFailures {
        file: CsvFile::new(sink, &PLACEMENT_FAILURES_HEADER)?,
    }))
}

impl Consumer for PlacementFailures {
    fn record(&mut self, at: SimTime, _: u64, change: &Change<'_>, cluster: &Cluster) {
        if let Change::PlacementFailed {
            group,
            task_definition,
            reason,
            count,
            ..
        } = *change
        {
            let time = at.to_string();
            let definition = cluster.task_definition(task_definition).name();
            for _ in 0..count {
                self.file.row([
                    time.as_str(),
                    cluster.group_name(group),
                    definition.as_str(),
                    reason,
                ]);
            }
        }
    }

    fn finish(self: Box<Self>, _: &Cluster) -> io::Result<()> {
        self.file.finish()
    }
}
