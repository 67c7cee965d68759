//! Container instances: what each has registered, what its tasks reserve, and its status.

use std::collections::BTreeMap;

use des::SimTime;

use crate::ids::{AsgId, InstanceId, TaskId, ZoneId};
use crate::spec::{InstanceType, Protocol};

/// ECS's container instance status (ECS.md §5.1). The simulator's instances register
/// straight to ACTIVE.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InstanceStatus {
    Active,
    Draining,
    Inactive,
}

impl InstanceStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            InstanceStatus::Active => "ACTIVE",
            InstanceStatus::Draining => "DRAINING",
            InstanceStatus::Inactive => "INACTIVE",
        }
    }
}

/// Why an instance left the cluster; written to `instances.csv`'s `reason` column.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InstanceLoss {
    /// An `instanceFailure` fault terminated it.
    InstanceFailure,
    /// A `zoneOutage` took its zone down.
    ZoneOutage,
    /// EC2 Auto Scaling terminated it to rebalance its zones.
    AzRebalance,
    /// EC2 Auto Scaling terminated it because its desired capacity was lowered.
    ScaleIn,
    /// EC2 reclaimed the Spot instance after its interruption notice.
    SpotInterruption,
}

impl InstanceLoss {
    pub fn as_str(self) -> &'static str {
        match self {
            InstanceLoss::InstanceFailure => "instanceFailure",
            InstanceLoss::ZoneOutage => "zoneOutage",
            InstanceLoss::AzRebalance => "azRebalance",
            InstanceLoss::ScaleIn => "scaleIn",
            InstanceLoss::SpotInterruption => "spotInterruption",
        }
    }
}

/// Built-in attributes every instance carries (ECS.md §1.2).
pub const ATTRIBUTE_ZONE: &str = "ecs.availability-zone";
pub const ATTRIBUTE_INSTANCE_TYPE: &str = "ecs.instance-type";
pub const ATTRIBUTE_OS_TYPE: &str = "ecs.os-type";
pub const ATTRIBUTE_CPU_ARCHITECTURE: &str = "ecs.cpu-architecture";

/// Adds the built-in attributes (ECS.md §1.2) an instance of `instance_type` in the zone
/// named `zone` carries to its custom `attributes`.
pub fn add_builtin_attributes(
    attributes: &mut BTreeMap<String, String>,
    zone: &str,
    instance_type: &InstanceType,
) {
    attributes.insert(ATTRIBUTE_ZONE.to_string(), zone.to_string());
    attributes.insert(
        ATTRIBUTE_INSTANCE_TYPE.to_string(),
        instance_type.name.clone(),
    );
    attributes.insert(ATTRIBUTE_OS_TYPE.to_string(), "linux".to_string());
    attributes.insert(
        ATTRIBUTE_CPU_ARCHITECTURE.to_string(),
        instance_type.cpu_architecture.clone(),
    );
}

/// Linux's default reserved TCP ports (ECS.md §2.1); `ECS_RESERVED_PORTS` replaces them
/// per Auto Scaling group or fixed instance (`reservedPorts`).
pub const RESERVED_PORTS: [u16; 5] = [22, 2375, 2376, 51678, 51679];
/// At most this many reserved (static) ports per instance, defaults included (ECS.md §2.4).
pub const MAX_RESERVED_PORTS: usize = 100;

#[derive(Clone, Debug)]
pub struct ContainerInstance {
    pub id: InstanceId,
    /// The EC2 instance id, e.g. `i-0000000a`.
    pub ec2_instance_id: String,
    pub instance_type: InstanceType,
    pub availability_zone: ZoneId,
    pub auto_scaling_group: Option<AsgId>,
    pub status: InstanceStatus,
    /// `agentConnected`: false while an `agentDisconnect` fault lasts (ECS.md §5.3).
    pub agent_connected: bool,
    /// It is to be terminated, and why: its Auto Scaling group terminates it once drained
    /// (managed draining), or EC2 reclaims it soon (a Spot notice). Never a victim twice.
    pub terminating: Option<InstanceLoss>,
    pub registered_at: SimTime,
    pub deregistered_at: Option<SimTime>,
    pub loss: Option<InstanceLoss>,
    /// Built-in and custom attributes, by name. Built-ins are filled in at registration.
    pub attributes: BTreeMap<String, String>,
    /// Remaining resources (ECS's `remainingResources`).
    pub remaining_cpu_units: u32,
    pub remaining_memory_mib: u32,
    pub remaining_enis: u32,
    /// Host ports in use, reserved defaults included.
    pub ports_tcp: Vec<u16>,
    pub ports_udp: Vec<u16>,
    /// The agent's reserved TCP ports (`ECS_RESERVED_PORTS`), sorted.
    pub reserved_ports: Vec<u16>,
    /// How many of the ports above are static reservations (the 100-port limit).
    pub reserved_port_count: usize,
    /// Tasks on this instance that are not STOPPED, in id order.
    pub tasks: Vec<TaskId>,
    /// Tasks counted by `runningTasksCount`: PROVISIONING, PENDING or RUNNING.
    pub running_tasks_count: u32,
}

impl ContainerInstance {
    pub fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes.get(name).map(String::as_str)
    }

    pub fn is_active(&self) -> bool {
        self.status == InstanceStatus::Active
    }

    /// A placement candidate: ACTIVE with its agent connected.
    pub fn takes_tasks(&self) -> bool {
        self.status == InstanceStatus::Active && self.agent_connected
    }

    /// Registered with the cluster (ACTIVE or DRAINING).
    pub fn is_live(&self) -> bool {
        self.status != InstanceStatus::Inactive
    }

    pub fn ports(&self, protocol: Protocol) -> &[u16] {
        match protocol {
            Protocol::Tcp => &self.ports_tcp,
            Protocol::Udp => &self.ports_udp,
        }
    }

    pub fn port_in_use(&self, protocol: Protocol, port: u16) -> bool {
        self.ports(protocol).binary_search(&port).is_ok()
    }

    /// Remaining `[cpu units, MiB, ENI attachments]`, as the placement indexes carry them.
    pub fn remaining(&self) -> [u32; 3] {
        [
            self.remaining_cpu_units,
            self.remaining_memory_mib,
            self.remaining_enis,
        ]
    }

    /// ENI attachment points for awsvpc tasks: every ENI but the primary one.
    pub fn eni_capacity(&self) -> u32 {
        self.instance_type.enis.saturating_sub(1)
    }
}
