//! `deployments.csv`: one row per service deployment (ECS.md §4.3, §4.5), by id, written
//! when the run ends: id, service, task definition, when it started and ended, its rollout
//! state and reason, the deployment it rolled back, and its final status.

use std::io;

use cluster::change::Change;
use cluster::cluster::Cluster;
use des::SimTime;

use super::{time, Consumer, CsvFile, Sink, Start};

pub const DEPLOYMENTS_HEADER: [&str; 9] = [
    "id",
    "serviceName",
    "taskDefinition",
    "startedAt",
    "endedAt",
    "rolloutState",
    "reason",
    "rollbackOf",
    "status",
];

struct Deployments {
    file: CsvFile,
}

pub(super) fn make(sink: Sink, _: &Start<'_>) -> io::Result<Box<dyn Consumer>> {
    Ok(Box::new(Deployments {
        file: CsvFile::new(sink, &DEPLOYMENTS_HEADER)?,
    }))
}

impl Consumer for Deployments {
    /// Deployments live with their services for the whole run (a few per service), so the
    /// file is written from them at the end.
    fn record(&mut self, _: SimTime, _: u64, _: &Change<'_>, _: &Cluster) {}

    fn finish(mut self: Box<Self>, cluster: &Cluster) -> io::Result<()> {
        let mut rows: Vec<_> = cluster
            .services()
            .iter()
            .flat_map(|service| {
                service
                    .deployments
                    .iter()
                    .map(move |deployment| (deployment, service))
            })
            .collect();
        rows.sort_by_key(|(deployment, _)| deployment.id);
        for (deployment, service) in rows {
            self.file.row([
                deployment.id.to_string().as_str(),
                service.service_name.as_str(),
                cluster
                    .task_definition(deployment.task_definition)
                    .name()
                    .as_str(),
                deployment.started_at.to_string().as_str(),
                time(deployment.ended_at).as_str(),
                deployment.rollout_state.as_str(),
                deployment.reason.as_str(),
                deployment
                    .rollback_of
                    .map(|id| id.to_string())
                    .unwrap_or_default()
                    .as_str(),
                deployment.status.as_str(),
            ]);
        }
        self.file.finish()
    }
}
