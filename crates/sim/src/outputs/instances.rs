//! `instances.csv`: one row per container instance ever registered, written when it leaves
//! the cluster (then the live ones, by id).

use std::io;

use cluster::change::Change;
use cluster::cluster::Cluster;
use cluster::instance::{ContainerInstance, InstanceLoss, InstanceStatus};
use des::SimTime;

use super::{time, Consumer, CsvFile, Sink, Start};

pub const INSTANCES_HEADER: [&str; 7] = [
    "instanceId",
    "instanceType",
    "availabilityZone",
    "autoScalingGroup",
    "registeredAt",
    "deregisteredAt",
    "reason",
];

struct Instances {
    file: CsvFile,
}

pub(super) fn make(sink: Sink, _: &Start<'_>) -> io::Result<Box<dyn Consumer>> {
    Ok(Box::new(Instances {
        file: CsvFile::new(sink, &INSTANCES_HEADER)?,
    }))
}

impl Instances {
    fn write(
        &mut self,
        instance: &ContainerInstance,
        left: Option<(SimTime, InstanceLoss)>,
        cluster: &Cluster,
    ) {
        let group = instance
            .auto_scaling_group
            .map(|asg| cluster.auto_scaling_group_name(asg))
            .unwrap_or("");
        self.file.row([
            instance.ec2_instance_id.as_str(),
            instance.instance_type.name.as_str(),
            cluster.zone_name(instance.availability_zone),
            group,
            instance.registered_at.to_string().as_str(),
            time(left.map(|(at, _)| at)).as_str(),
            left.map(|(_, loss)| loss.as_str()).unwrap_or(""),
        ]);
    }
}

impl Consumer for Instances {
    fn record(&mut self, at: SimTime, _: u64, change: &Change<'_>, cluster: &Cluster) {
        if let Change::InstanceTerminated { instance, loss } = *change {
            self.write(instance, Some((at, loss)), cluster);
        }
    }

    fn finish(mut self: Box<Self>, cluster: &Cluster) -> io::Result<()> {
        for instance in cluster.instances() {
            if instance.status != InstanceStatus::Inactive {
                self.write(instance, None, cluster);
            }
        }
        self.file.finish()
    }
}
