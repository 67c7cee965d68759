//! Capacity providers (ECS.md §5.5): the part of the model that holds each provider, the
//! tasks waiting in PROVISIONING for one, each strategy's placements restricted to its
//! providers' Auto Scaling groups, and managed scaling's state; with the arithmetic of
//! managed scaling (`CapacityProviderReservation`, the binpack of waiting tasks, target
//! tracking) as plain functions. `cluster/capacity_providers.rs` sequences them.

use std::collections::BTreeMap;

use des::SimTime;

use crate::ids::{AsgId, GroupId, ServiceId, TaskDefId};
use crate::instance::{ContainerInstance, MAX_RESERVED_PORTS};
use crate::placement::{
    Placement, PlacementConstraint, PlacementRequest, PlacementView, Requirements,
};
use crate::spec::{
    CapacityProviderSpec, CapacityProviderStrategyItem, InstanceType, ManagedScaling, Protocol,
};

/// Who asked for a task with a capacity provider strategy.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum CapacityProviderUser {
    Service(ServiceId),
    /// `runTasks[index]`.
    RunTask(u32),
    /// `scheduledTasks[index]`.
    Scheduled(u32),
}

/// One user's placements restricted to its providers: per task definition it may run, one
/// placement per strategy item (its own strategies and constraints, plus "on an instance
/// of the provider's group").
#[derive(Debug)]
pub struct ProviderPlacements {
    pub user: CapacityProviderUser,
    pub task_definition: TaskDefId,
    pub placements: Vec<Placement>,
}

/// The constraint a capacity provider adds: only instances of its Auto Scaling group.
#[derive(Debug)]
pub struct CapacityProviderConstraint {
    pub auto_scaling_group: AsgId,
    pub capacity_provider: String,
}

impl PlacementConstraint for CapacityProviderConstraint {
    fn allows(
        &self,
        _: &PlacementRequest<'_>,
        _: &PlacementView<'_>,
        instance: &ContainerInstance,
    ) -> bool {
        instance.auto_scaling_group == Some(self.auto_scaling_group)
    }

    fn failure_reason(&self) -> &'static str {
        "CapacityProvider constraint"
    }

    fn describe(&self) -> String {
        format!("capacityProvider {}", self.capacity_provider)
    }
}

/// A task created with a capacity provider and no instance yet: PROVISIONING until its
/// provider's group has room for it (ECS.md §3.1, §5.5, A4).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WaitingTask {
    /// Its number in creation order (`t-000042`), kept when it is placed.
    pub number: u64,
    pub task_definition: TaskDefId,
    pub group: GroupId,
    pub user: CapacityProviderUser,
    /// The service deployment that created it (`Service::deployments` index).
    pub deployment: Option<u32>,
    /// Which item of the user's strategy it was assigned.
    pub item: usize,
    pub capacity_provider: u16,
    pub created_at: SimTime,
}

/// Managed scaling's state of one provider.
#[derive(Clone, Debug, Default)]
struct Tracking {
    /// The last `CapacityProviderReservation` published (percent), if any.
    reservation: Option<u32>,
    /// Consecutive datapoints below `targetCapacity`.
    low_datapoints: u32,
}

#[derive(Debug)]
pub struct CapacityProviders {
    specs: Vec<CapacityProviderSpec>,
    tracking: Vec<Tracking>,
    /// When each Auto Scaling group last launched an instance (its warm-up starts then).
    last_launch: Vec<Option<SimTime>>,
    /// Tasks waiting in PROVISIONING, by number.
    waiting: BTreeMap<u64, WaitingTask>,
    /// Of `waiting`, per service.
    waiting_per_service: Vec<u32>,
    /// Per user with a strategy: the strategy and its placements.
    strategies: BTreeMap<CapacityProviderUser, Vec<CapacityProviderStrategyItem>>,
    placements: BTreeMap<(CapacityProviderUser, TaskDefId), Vec<Placement>>,
}

impl CapacityProviders {
    pub(crate) fn new(
        specs: Vec<CapacityProviderSpec>,
        asgs: usize,
        services: usize,
        strategies: BTreeMap<CapacityProviderUser, Vec<CapacityProviderStrategyItem>>,
        placements: Vec<ProviderPlacements>,
    ) -> CapacityProviders {
        CapacityProviders {
            tracking: vec![Tracking::default(); specs.len()],
            specs,
            last_launch: vec![None; asgs],
            waiting: BTreeMap::new(),
            waiting_per_service: vec![0; services],
            strategies,
            placements: placements
                .into_iter()
                .map(|p| ((p.user, p.task_definition), p.placements))
                .collect(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.specs.is_empty()
    }

    pub fn specs(&self) -> &[CapacityProviderSpec] {
        &self.specs
    }

    pub fn spec(&self, provider: u16) -> &CapacityProviderSpec {
        &self.specs[usize::from(provider)]
    }

    /// The providers using `asg`, in order.
    pub fn of_group(&self, asg: AsgId) -> impl Iterator<Item = u16> + '_ {
        self.specs
            .iter()
            .enumerate()
            .filter(move |(_, spec)| spec.auto_scaling_group == asg)
            .map(|(index, _)| index as u16)
    }

    /// The user's strategy, if it uses capacity providers.
    pub fn strategy(&self, user: CapacityProviderUser) -> Option<&[CapacityProviderStrategyItem]> {
        self.strategies.get(&user).map(Vec::as_slice)
    }

    /// The placement of strategy item `item` for `user`'s tasks of `task_definition`.
    pub(crate) fn placement(
        &self,
        user: CapacityProviderUser,
        task_definition: TaskDefId,
        item: usize,
    ) -> &Placement {
        &self
            .placements
            .get(&(user, task_definition))
            .expect("setup builds a provider placement for every task definition a user runs")[item]
    }

    /// Tasks waiting in PROVISIONING, by number.
    pub fn waiting(&self) -> &BTreeMap<u64, WaitingTask> {
        &self.waiting
    }

    pub fn waiting_of_service(&self, service: ServiceId) -> u32 {
        self.waiting_per_service
            .get(service.index())
            .copied()
            .unwrap_or(0)
    }

    pub(crate) fn add_waiting(&mut self, task: WaitingTask) {
        if let CapacityProviderUser::Service(service) = task.user {
            self.waiting_per_service[service.index()] += 1;
        }
        self.waiting.insert(task.number, task);
    }

    pub(crate) fn remove_waiting(&mut self, number: u64) -> WaitingTask {
        let task = self.waiting.remove(&number).expect("a waiting task");
        if let CapacityProviderUser::Service(service) = task.user {
            self.waiting_per_service[service.index()] -= 1;
        }
        task
    }

    pub(crate) fn note_launch(&mut self, asg: AsgId, now: SimTime) {
        self.last_launch[asg.index()] = Some(now);
    }

    /// Whether an instance of the group is within `warmup_ms` of its launch.
    pub fn warming_up(&self, asg: AsgId, warmup_ms: u64, now: SimTime) -> bool {
        self.last_launch[asg.index()].is_some_and(|at| now < at.plus_ms(warmup_ms))
    }

    /// Publishes a datapoint: returns whether the value differs from the last one.
    pub(crate) fn publish(&mut self, provider: u16, reservation: u32) -> bool {
        let tracking = &mut self.tracking[usize::from(provider)];
        let changed = tracking.reservation != Some(reservation);
        tracking.reservation = Some(reservation);
        changed
    }

    pub fn reservation(&self, provider: u16) -> Option<u32> {
        self.tracking[usize::from(provider)].reservation
    }

    pub(crate) fn low_datapoints_mut(&mut self, provider: u16) -> &mut u32 {
        &mut self.tracking[usize::from(provider)].low_datapoints
    }

    /// For `check_invariants`: the per-service counts of waiting tasks.
    pub(crate) fn check(&self, max: u32) {
        let mut counts = vec![0u32; self.waiting_per_service.len()];
        for (number, task) in &self.waiting {
            assert_eq!(
                *number, task.number,
                "a waiting task is filed under its number"
            );
            if let CapacityProviderUser::Service(service) = task.user {
                counts[service.index()] += 1;
            }
            let strategy = self
                .strategy(task.user)
                .expect("a waiting task's user has a capacity provider strategy");
            assert_eq!(
                strategy[task.item].capacity_provider, task.capacity_provider,
                "t-{:06} waits for a provider its strategy item does not name",
                task.number
            );
        }
        assert_eq!(
            counts, self.waiting_per_service,
            "the counts of PROVISIONING tasks per service are off"
        );
        assert!(
            self.waiting.len() <= max as usize,
            "more PROVISIONING tasks than maxProvisioningTasks"
        );
    }
}

/// The strategy item the next task goes to (ECS.md §5.5): the item with `base` until it has
/// that many tasks, then the items with a weight in proportion to it: the item whose count
/// beyond its base, plus one, is smallest relative to its weight (ties to the first listed),
/// so 1:4 puts 1 of every 5 tasks on the first. `counts` are the tasks each item has.
pub fn assign(strategy: &[CapacityProviderStrategyItem], counts: &[u32]) -> usize {
    if let Some(index) = strategy
        .iter()
        .zip(counts)
        .position(|(item, &count)| count < item.base)
    {
        return index;
    }
    let mut best: Option<(usize, u64, u64)> = None;
    for (index, (item, &count)) in strategy.iter().zip(counts).enumerate() {
        if item.weight == 0 {
            continue;
        }
        let next = u64::from(count.saturating_sub(item.base)) + 1;
        let weight = u64::from(item.weight);
        // next / weight < best_next / best_weight
        if best.is_none_or(|(_, b_next, b_weight)| next * b_weight < b_next * weight) {
            best = Some((index, next, weight));
        }
    }
    best.map(|(index, _, _)| index)
        .expect("validation refuses a strategy whose weights are all 0")
}

/// An empty instance of the group's type, as the binpack fills it.
#[derive(Clone, Debug)]
struct Bin {
    cpu: u32,
    memory: u32,
    enis: u32,
    static_ports: Vec<(Protocol, u16)>,
    reserved: usize,
    dynamic_tcp: usize,
    dynamic_udp: usize,
}

impl Bin {
    fn empty(instance_type: &InstanceType, reserved_ports: &[u16], range: (u16, u16)) -> Bin {
        let mut static_ports: Vec<(Protocol, u16)> =
            reserved_ports.iter().map(|&p| (Protocol::Tcp, p)).collect();
        static_ports.sort_unstable();
        static_ports.dedup();
        let in_range = |port: &&(Protocol, u16)| port.1 >= range.0 && port.1 <= range.1;
        let span = usize::from(range.1 - range.0) + 1;
        Bin {
            cpu: instance_type.cpu_units,
            memory: instance_type.memory_mib,
            enis: instance_type.enis.saturating_sub(1),
            reserved: static_ports.len(),
            dynamic_tcp: span - static_ports.iter().filter(in_range).count(),
            dynamic_udp: span,
            static_ports,
        }
    }

    fn fits(&self, needs: &Requirements, range: (u16, u16)) -> bool {
        let in_range = |protocol: Protocol| {
            needs
                .static_host_ports
                .iter()
                .filter(|port| port.0 == protocol && port.1 >= range.0 && port.1 <= range.1)
                .count()
        };
        self.cpu >= needs.cpu_units
            && self.memory >= needs.memory_mib
            && (!needs.eni || self.enis > 0)
            && self.reserved + needs.static_host_ports.len() <= MAX_RESERVED_PORTS
            && needs
                .static_host_ports
                .iter()
                .all(|port| self.static_ports.binary_search(port).is_err())
            && self.dynamic_tcp >= needs.dynamic_tcp_ports + in_range(Protocol::Tcp)
            && self.dynamic_udp >= needs.dynamic_udp_ports + in_range(Protocol::Udp)
    }

    fn take(&mut self, needs: &Requirements, range: (u16, u16)) {
        self.cpu -= needs.cpu_units;
        self.memory -= needs.memory_mib;
        self.enis -= u32::from(needs.eni);
        self.reserved += needs.static_host_ports.len();
        for &port in &needs.static_host_ports {
            let at = self.static_ports.binary_search(&port).unwrap_err();
            self.static_ports.insert(at, port);
            if port.1 >= range.0 && port.1 <= range.1 {
                match port.0 {
                    Protocol::Tcp => self.dynamic_tcp -= 1,
                    Protocol::Udp => self.dynamic_udp -= 1,
                }
            }
        }
        self.dynamic_tcp -= needs.dynamic_tcp_ports;
        self.dynamic_udp -= needs.dynamic_udp_ports;
    }
}

/// Instances of the group's type that the waiting tasks need (ECS.md §5.5, the scale-out
/// part of `M`): tasks grouped by identical requirements (`groups`, in order), each group
/// binpacked first-fit over CPU, memory, ENIs and host ports onto empty instances opened as
/// needed. A group that does not fit an empty instance at all is left out (its tasks stay
/// PROVISIONING). Returns (instances needed, tasks left out).
pub fn instances_needed(
    groups: &[(&Requirements, u32)],
    instance_type: &InstanceType,
    reserved_ports: &[u16],
    range: (u16, u16),
) -> (u32, u32) {
    let empty = Bin::empty(instance_type, reserved_ports, range);
    let mut bins: Vec<Bin> = Vec::new();
    let mut left_out = 0;
    for &(needs, count) in groups {
        if !empty.fits(needs, range) {
            left_out += count;
            continue;
        }
        // Bins before `from` are known to be too full for this group.
        let mut from = 0;
        for _ in 0..count {
            while from < bins.len() && !bins[from].fits(needs, range) {
                from += 1;
            }
            if from == bins.len() {
                bins.push(empty.clone());
            }
            bins[from].take(needs, range);
        }
    }
    (bins.len() as u32, left_out)
}

/// `CapacityProviderReservation` in percent (ECS.md §5.5): `M / N x 100`, rounded up; with
/// no instance, 100 when none is needed and 200 when some are (A12).
pub fn reservation(instances: u32, needed: u32) -> u32 {
    match (instances, needed) {
        (0, 0) => 100,
        (0, _) => 200,
        (n, m) => (u64::from(m) * 100).div_ceil(u64::from(n)) as u32,
    }
}

/// What target tracking on `CapacityProviderReservation` wants next.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScalingDecision {
    /// Raise the desired capacity to this.
    ScaleOut(u32),
    /// Lower it to this (after enough datapoints below target).
    ScaleIn(u32),
    /// A scale-out is due but an instance is still warming up.
    WarmingUp,
    None,
}

/// What one datapoint of one provider does, given `N` (`instances`) and `M` (`needed`),
/// the group's desired capacity and bounds, and how many datapoints in a row were below the
/// target before this one (`low`, updated). The size that puts the metric at the target is
/// `ceil(M x 100 / targetCapacity)`; scale-out moves towards it by a step clamped to
/// [`minimumScalingStepSize`, `maximumScalingStepSize`] and to `maxSize`, unless an instance
/// is warming up; scale-in goes to it (not below `minSize`) once `datapoints` in a row were
/// below target. A datapoint at or above target ends a run of low ones.
#[allow(clippy::too_many_arguments)]
pub fn target_tracking(
    scaling: &ManagedScaling,
    instances: u32,
    needed: u32,
    desired: u32,
    (min_size, max_size): (u32, u32),
    from_zero: u32,
    warming_up: bool,
    low: &mut u32,
    datapoints: u32,
) -> ScalingDecision {
    let target = if instances == 0 && needed > 0 && from_zero > 0 {
        from_zero
    } else {
        (u64::from(needed) * 100).div_ceil(u64::from(scaling.target_capacity)) as u32
    };
    if target > instances {
        *low = 0;
        if warming_up {
            return ScalingDecision::WarmingUp;
        }
        let computed = target - instances;
        let step = if computed < scaling.minimum_scaling_step_size {
            scaling.minimum_scaling_step_size
        } else {
            computed.min(scaling.maximum_scaling_step_size)
        };
        let to = instances.saturating_add(step).min(max_size);
        return if to > desired {
            ScalingDecision::ScaleOut(to)
        } else {
            ScalingDecision::None
        };
    }
    if target == instances {
        *low = 0;
        return ScalingDecision::None;
    }
    *low += 1;
    if *low < datapoints {
        return ScalingDecision::None;
    }
    *low = 0;
    let to = target.max(min_size);
    if to < desired {
        ScalingDecision::ScaleIn(to)
    } else {
        ScalingDecision::None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(capacity_provider: u16, base: u32, weight: u32) -> CapacityProviderStrategyItem {
        CapacityProviderStrategyItem {
            capacity_provider,
            base,
            weight,
        }
    }

    fn split(strategy: &[CapacityProviderStrategyItem], tasks: u32) -> Vec<u32> {
        let mut counts = vec![0; strategy.len()];
        for _ in 0..tasks {
            let item = assign(strategy, &counts);
            counts[item] += 1;
        }
        counts
    }

    /// ECS.md §5.5: "1:4 ⇒ 1 of every 5 on A".
    #[test]
    fn weights_split_in_proportion() {
        let strategy = [item(0, 0, 1), item(1, 0, 4)];
        assert_eq!(split(&strategy, 5), vec![1, 4]);
        assert_eq!(split(&strategy, 50), vec![10, 40]);
        // Every prefix of 5 tasks has exactly one on A.
        let mut counts = vec![0, 0];
        for n in 1..=20u32 {
            let item = assign(&strategy, &counts);
            counts[item] += 1;
            if n % 5 == 0 {
                assert_eq!(counts[0], n / 5);
            }
        }
    }

    /// ECS.md §5.5: `base` first, then the weights; weight-0 items get nothing past base.
    #[test]
    fn base_first_then_weights() {
        let strategy = [item(0, 2, 0), item(1, 0, 1)];
        assert_eq!(split(&strategy, 2), vec![2, 0]);
        assert_eq!(split(&strategy, 7), vec![2, 5]);
        let strategy = [item(0, 3, 1), item(1, 0, 1)];
        assert_eq!(split(&strategy, 3), vec![3, 0]);
        assert_eq!(split(&strategy, 9), vec![6, 3]);
    }

    fn requirements(cpu: u32, memory: u32) -> Requirements {
        Requirements {
            cpu_units: cpu,
            memory_mib: memory,
            static_host_ports: Vec::new(),
            dynamic_tcp_ports: 0,
            dynamic_udp_ports: 0,
            eni: false,
        }
    }

    fn m5_large() -> InstanceType {
        InstanceType {
            name: "m5.large".into(),
            cpu_units: 2048,
            memory_mib: 7680,
            enis: 3,
            cpu_architecture: "x86_64".into(),
        }
    }

    const RANGE: (u16, u16) = (49153, 65535);

    #[test]
    fn binpack_counts_instances_by_the_tightest_resource() {
        // 4 per instance by CPU: 10 tasks need 3 instances.
        let needs = requirements(512, 1024);
        assert_eq!(
            instances_needed(&[(&needs, 10)], &m5_large(), &[], RANGE),
            (3, 0)
        );
        // awsvpc: 2 ENIs for tasks, so 2 per instance.
        let awsvpc = Requirements {
            eni: true,
            ..requirements(256, 256)
        };
        assert_eq!(
            instances_needed(&[(&awsvpc, 5)], &m5_large(), &[], RANGE),
            (3, 0)
        );
        // One static port 80: one per instance.
        let web = Requirements {
            static_host_ports: vec![(Protocol::Tcp, 80)],
            ..requirements(128, 128)
        };
        assert_eq!(
            instances_needed(&[(&web, 4)], &m5_large(), &[22], RANGE),
            (4, 0)
        );
        // A reserved port the task wants: it never fits (stays PROVISIONING).
        let ssh = Requirements {
            static_host_ports: vec![(Protocol::Tcp, 22)],
            ..requirements(128, 128)
        };
        assert_eq!(
            instances_needed(&[(&ssh, 4)], &m5_large(), &[22], RANGE),
            (0, 4)
        );
        // Too big for the type: left out.
        let big = requirements(4096, 1024);
        assert_eq!(
            instances_needed(&[(&big, 3), (&needs, 1)], &m5_large(), &[], RANGE),
            (1, 3)
        );
    }

    #[test]
    fn binpack_fills_the_gaps_of_earlier_groups() {
        let big = requirements(1536, 1024);
        let small = requirements(512, 1024);
        // Two big ones leave 512 each: two small ones fill them, the third opens one.
        assert_eq!(
            instances_needed(&[(&big, 2), (&small, 3)], &m5_large(), &[], RANGE),
            (3, 0)
        );
    }

    #[test]
    fn reservation_is_m_over_n() {
        assert_eq!(reservation(10, 10), 100);
        assert_eq!(reservation(13, 10), 77);
        assert_eq!(reservation(4, 5), 125);
        assert_eq!(reservation(0, 0), 100);
        assert_eq!(reservation(0, 3), 200);
    }

    fn scaling(target_capacity: u32) -> ManagedScaling {
        ManagedScaling {
            target_capacity,
            ..ManagedScaling::default()
        }
    }

    /// Issue point 6: identical tasks settle at ceil(M x 100 / targetCapacity).
    #[test]
    fn target_tracking_settles_at_the_closed_form() {
        let mut low = 0;
        let s = scaling(80);
        // From 1 instance needing 10: out to 13 at once (step within [1, 10000]).
        let d = target_tracking(&s, 1, 10, 1, (0, 100), 2, false, &mut low, 15);
        assert_eq!(d, ScalingDecision::ScaleOut(13));
        // At 13 with 10 needed: 77 < 80, but 13 is the size for the target: no change.
        for _ in 0..30 {
            let d = target_tracking(&s, 13, 10, 13, (0, 100), 2, false, &mut low, 15);
            assert_eq!(d, ScalingDecision::None);
        }
        // At 15: scale-in to 13 on the 15th low datapoint only.
        for n in 1..15 {
            let d = target_tracking(&s, 15, 10, 15, (0, 100), 2, false, &mut low, 15);
            assert_eq!(d, ScalingDecision::None, "datapoint {n}");
        }
        let d = target_tracking(&s, 15, 10, 15, (0, 100), 2, false, &mut low, 15);
        assert_eq!(d, ScalingDecision::ScaleIn(13));
    }

    #[test]
    fn target_tracking_steps_warmup_and_bounds() {
        let mut low = 0;
        let s = ManagedScaling {
            minimum_scaling_step_size: 2,
            maximum_scaling_step_size: 3,
            ..scaling(100)
        };
        // Needs 1 more: the minimum step is 2.
        let d = target_tracking(&s, 4, 5, 4, (0, 100), 2, false, &mut low, 15);
        assert_eq!(d, ScalingDecision::ScaleOut(6));
        // Needs 6 more: the maximum step is 3.
        let d = target_tracking(&s, 4, 10, 4, (0, 100), 2, false, &mut low, 15);
        assert_eq!(d, ScalingDecision::ScaleOut(7));
        // maxSize caps it.
        let d = target_tracking(&s, 4, 10, 4, (0, 5), 2, false, &mut low, 15);
        assert_eq!(d, ScalingDecision::ScaleOut(5));
        // Warming up: blocked.
        let d = target_tracking(&s, 4, 10, 4, (0, 100), 2, true, &mut low, 15);
        assert_eq!(d, ScalingDecision::WarmingUp);
        // From zero: the A12 parameter.
        let d = target_tracking(&s, 0, 10, 0, (0, 100), 2, false, &mut low, 15);
        assert_eq!(d, ScalingDecision::ScaleOut(2));
        // minSize holds scale-in.
        let mut low = 14;
        let d = target_tracking(&s, 4, 1, 4, (3, 100), 2, false, &mut low, 15);
        assert_eq!(d, ScalingDecision::ScaleIn(3));
    }

    /// ECS.md §5.5: a datapoint above target cancels a pending scale-in.
    #[test]
    fn a_high_datapoint_cancels_a_pending_scale_in() {
        let s = scaling(100);
        let mut low = 0;
        for _ in 0..14 {
            target_tracking(&s, 5, 3, 5, (0, 100), 2, false, &mut low, 15);
        }
        assert_eq!(low, 14);
        target_tracking(&s, 5, 6, 5, (0, 100), 2, true, &mut low, 15);
        assert_eq!(low, 0);
        let d = target_tracking(&s, 5, 3, 5, (0, 100), 2, false, &mut low, 15);
        assert_eq!(d, ScalingDecision::None);
    }
}
