//! Services: what each keeps running and the counts of its live tasks. The figures reported
//! about them are worked out from change records by the `sim` crate, not kept here.

use std::collections::BTreeMap;

use des::EventKey;

use crate::ids::{GroupId, ServiceId, TaskDefId, TaskId};
use crate::spec::DeploymentConfiguration;

#[derive(Debug)]
pub struct Service {
    pub id: ServiceId,
    pub service_name: String,
    pub group: GroupId,
    pub task_definition: TaskDefId,
    pub desired_count: u32,
    pub deployment_configuration: DeploymentConfiguration,
    /// Tasks that are not STOPPED, by task number (creation order).
    pub tasks: BTreeMap<u64, TaskId>,
    /// Of `tasks`: PROVISIONING, PENDING or RUNNING.
    pub active_count: u32,
    /// Of `tasks`: RUNNING.
    pub running_count: u32,
    /// The next scheduler pass, if one is due.
    pub pass: Option<EventKey>,
}

impl Service {
    /// Tasks counted against `maximumPercent` (A6: STOPPING too, by default).
    pub fn tasks_counted_for_maximum(&self, counts_stopping: bool) -> u32 {
        if counts_stopping {
            self.tasks.len() as u32
        } else {
            self.active_count
        }
    }
}
