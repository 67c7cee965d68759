//! `decisions.csv` (`ecsim run --explain`): one row per step of every explained decision
//! (where a task was placed or why it could not be, which task a pass stopped, which
//! instance an Auto Scaling group terminated), in the order the decisions were made.

use std::io;

use cluster::change::Change;
use cluster::cluster::Cluster;
use cluster::explain::Step;
use des::SimTime;

use super::{Consumer, CsvFile, Sink, Start};

/// The contract's columns first, in its order, then the ones ecsim adds: the event's `seq`,
/// the decision's number (its steps share it), what was decided (`placement`, `stop`,
/// `termination`) and the instance chosen.
pub const DECISIONS_HEADER: [&str; 11] = [
    "time",
    "taskId",
    "group",
    "step",
    "candidatesBefore",
    "candidatesAfter",
    "detail",
    "seq",
    "decision",
    "kind",
    "instanceId",
];

struct Decisions {
    file: CsvFile,
    /// Decisions written so far: the next one's number less one.
    decisions: u64,
}

pub(super) fn make(sink: Sink, _: &Start<'_>) -> io::Result<Box<dyn Consumer>> {
    Ok(Box::new(Decisions {
        file: CsvFile::new(sink, &DECISIONS_HEADER)?,
        decisions: 0,
    }))
}

impl Decisions {
    /// The rows of one decision: what is decided about (`task`, `group`, `instance`) on
    /// each.
    #[allow(clippy::too_many_arguments)]
    fn write(
        &mut self,
        at: SimTime,
        seq: u64,
        kind: &str,
        task: &str,
        group: &str,
        instance: &str,
        steps: &[Step],
    ) {
        self.decisions += 1;
        let (time, seq, decision) = (at.to_string(), seq.to_string(), self.decisions.to_string());
        for step in steps {
            self.file.row([
                time.as_str(),
                task,
                group,
                step.kind.as_str(),
                step.before.to_string().as_str(),
                step.after.to_string().as_str(),
                step.detail.as_str(),
                seq.as_str(),
                decision.as_str(),
                kind,
                instance,
            ]);
        }
    }
}

impl Consumer for Decisions {
    fn record(&mut self, at: SimTime, seq: u64, change: &Change<'_>, cluster: &Cluster) {
        match *change {
            Change::PlacementExplained {
                group,
                task,
                instance,
                steps,
                ..
            } => {
                let task = task.map(|task| task.name().to_string()).unwrap_or_default();
                let instance = instance
                    .map(|id| cluster.instance(id).ec2_instance_id.as_str())
                    .unwrap_or("");
                let group = cluster.group_name(group).to_string();
                self.write(at, seq, "placement", &task, &group, instance, steps);
            }
            Change::StopExplained { task, steps } => {
                let name = task.name().to_string();
                let group = cluster.group_name(task.group).to_string();
                let instance = cluster.instance(task.instance).ec2_instance_id.clone();
                self.write(at, seq, "stop", &name, &group, &instance, steps);
            }
            Change::TerminationExplained {
                asg,
                instance,
                steps,
            } => {
                let group = cluster.auto_scaling_group_name(asg).to_string();
                let id = instance.ec2_instance_id.clone();
                self.write(at, seq, "termination", "", &group, &id, steps);
            }
            _ => {}
        }
    }

    fn finish(self: Box<Self>, _: &Cluster) -> io::Result<()> {
        self.file.finish()
    }
}
