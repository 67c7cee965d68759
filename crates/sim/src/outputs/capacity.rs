//! Capacity providers in the outputs (ECS.md §5.5): the `events.csv` words of their change
//! records, and their step functions for `timeseries.csv`: per Auto Scaling group that a
//! capacity provider uses, `desiredCapacity` and `inService` (its instances registered with
//! the cluster), and per provider `capacityProviderReservation` (the metric managed scaling
//! publishes, told when its value changes). Groups no capacity provider uses have no series,
//! so scenarios without capacity providers write what they always wrote.
//!
//! Like `levels.rs`, rows of one instant are coalesced (a series is told once, with its last
//! value, if it differs from the value told before), and every series has a row at zero.

use std::fmt::Write as _;

use cluster::change::Change;
use cluster::cluster::Cluster;
use cluster::ids::AsgId;
use des::SimTime;

/// What a series follows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    DesiredCapacity(AsgId),
    InService(AsgId),
    Reservation(u16),
}

/// One row of `timeseries.csv`: time, series, key, value.
pub(crate) struct CapacityLevel<'a> {
    pub at: SimTime,
    pub series: &'static str,
    pub key: &'a str,
    pub value: u64,
}

#[derive(Debug, Default)]
pub(crate) struct CapacityLevels {
    series: Vec<(Kind, String)>,
    values: Vec<u64>,
    told: Vec<Option<u64>>,
    touched: Vec<usize>,
    now: SimTime,
}

impl CapacityLevels {
    pub(crate) fn new(cluster: &Cluster) -> CapacityLevels {
        let providers = cluster.capacity_providers().specs();
        let mut groups: Vec<AsgId> = providers.iter().map(|p| p.auto_scaling_group).collect();
        groups.sort_unstable();
        groups.dedup();
        let mut series = Vec::new();
        let mut values = Vec::new();
        for &asg in &groups {
            let name = cluster.auto_scaling_group_name(asg).to_string();
            series.push((Kind::DesiredCapacity(asg), name.clone()));
            values.push(u64::from(cluster.capacity().desired_capacity(asg)));
            series.push((Kind::InService(asg), name));
            values.push(cluster.capacity().asg_instances(asg).count() as u64);
        }
        for (index, provider) in providers.iter().enumerate() {
            series.push((Kind::Reservation(index as u16), provider.name.clone()));
            // No instance and nothing needed: 100 (ECS.md §5.5, A12).
            values.push(100);
        }
        let n = series.len();
        CapacityLevels {
            series,
            values,
            told: vec![None; n],
            touched: (0..n).collect(),
            now: SimTime::ZERO,
        }
    }

    fn set(&mut self, kind: Kind, value: impl Fn(u64) -> u64) {
        if let Some(slot) = self.series.iter().position(|(k, _)| *k == kind) {
            let new = value(self.values[slot]);
            if new != self.values[slot] {
                self.values[slot] = new;
                if !self.touched.contains(&slot) {
                    self.touched.push(slot);
                }
            }
        }
    }

    /// Hears one change; tells `out` the rows of instants now closed.
    pub(crate) fn record(
        &mut self,
        at: SimTime,
        change: &Change<'_>,
        out: &mut dyn FnMut(CapacityLevel<'_>),
    ) {
        if self.series.is_empty() {
            return;
        }
        if at > self.now {
            self.flush(out);
            self.now = at;
        }
        match *change {
            Change::DesiredCapacityChanged { asg, to, .. } => {
                self.set(Kind::DesiredCapacity(asg), |_| u64::from(to));
            }
            Change::InstanceRegistered { instance } => {
                if let Some(asg) = instance.auto_scaling_group {
                    self.set(Kind::InService(asg), |n| n + 1);
                }
            }
            Change::InstanceTerminated { instance, .. } => {
                if let Some(asg) = instance.auto_scaling_group {
                    self.set(Kind::InService(asg), |n| n - 1);
                }
            }
            Change::CapacityProviderReservation {
                capacity_provider,
                reservation,
                ..
            } => {
                self.set(Kind::Reservation(capacity_provider), |_| {
                    u64::from(reservation)
                });
            }
            _ => {}
        }
    }

    /// Tells the rows of the instant gathered so far.
    pub(crate) fn flush(&mut self, out: &mut dyn FnMut(CapacityLevel<'_>)) {
        for slot in std::mem::take(&mut self.touched) {
            let value = self.values[slot];
            if self.told[slot] == Some(value) {
                continue;
            }
            self.told[slot] = Some(value);
            let (kind, key) = &self.series[slot];
            let series = match kind {
                Kind::DesiredCapacity(_) => "desiredCapacity",
                Kind::InService(_) => "inService",
                Kind::Reservation(_) => "capacityProviderReservation",
            };
            out(CapacityLevel {
                at: self.now,
                series,
                key,
                value,
            });
        }
    }
}

/// The `subject` and `detail` of `events.csv` for the capacity providers' records; `false`
/// for any other record.
pub(crate) fn describe(
    change: &Change<'_>,
    cluster: &Cluster,
    subject: &mut String,
    detail: &mut String,
) -> bool {
    let providers = cluster.capacity_providers();
    let _ = match *change {
        Change::TaskProvisioning { task, reason } => {
            let _ = write!(subject, "t-{:06}", task.number);
            write!(
                detail,
                "PROVISIONING: {} waits for capacity of capacity provider {} (no instance of {} has room: {reason})",
                cluster.task_definition(task.task_definition).name(),
                providers.spec(task.capacity_provider).name,
                cluster.auto_scaling_group_name(
                    providers.spec(task.capacity_provider).auto_scaling_group
                ),
            )
        }
        Change::ProvisioningTaskStopped { task, reason } => {
            let _ = write!(subject, "t-{:06}", task.number);
            write!(detail, "STOPPED while PROVISIONING: {reason}")
        }
        Change::CapacityProviderReservation {
            capacity_provider,
            reservation,
            instances,
            needed,
        } => {
            subject.push_str(&providers.spec(capacity_provider).name);
            write!(
                detail,
                "CapacityProviderReservation {reservation} (M = {needed} instances needed, N = {instances} in the group)"
            )
        }
        Change::ManagedScaling {
            capacity_provider,
            reservation,
            from,
            to,
        } => {
            let spec = providers.spec(capacity_provider);
            subject.push_str(&spec.name);
            let target = spec.managed_scaling.map_or(100, |s| s.target_capacity);
            let way = if to > from { "scale-out" } else { "scale-in" };
            write!(
                detail,
                "managed scaling {way}: CapacityProviderReservation {reservation}, targetCapacity {target}: {} desiredCapacity {from} -> {to}",
                cluster.auto_scaling_group_name(spec.auto_scaling_group)
            )
        }
        _ => return false,
    };
    true
}
