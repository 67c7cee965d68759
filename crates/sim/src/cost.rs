//! What the cluster's instances cost, followed through the change records (the model keeps
//! no such figure): each instance costs its price (`scenario::pricing`) for every
//! millisecond from `InstanceRegistered` to `InstanceTerminated` (or the end of the run),
//! and that cost is split between the tasks reserving part of it, the rest being idle.
//!
//! Exact and deterministic: prices are integer nano-dollars per hour, rates are kept in
//! femto-dollars per hour (nano x 10^6) and costs as rate x milliseconds in `u128`, so
//! nothing is rounded until a figure is written (to the micro-dollar, half up).
//!
//! A task's share of its instance: the mean of its share of the instance's registered CPU
//! and of its registered memory, `(cpu / CPU + memory / MEMORY) / 2`, for as long as it holds
//! the reservation (placed to STOPPED, ECS.md A19); its rate is rounded down to the
//! femto-dollar, so the shares on an instance never exceed its price. Idle cost is the rest:
//! the cluster's cost less every task's share, so the three add up exactly.

use cluster::change::Change;
use cluster::cluster::Cluster;
use cluster::ids::ServiceId;
use des::SimTime;
use scenario::pricing::Price;
use scenario::Scenario;
use serde::{Serialize, Serializer};

/// Femto-dollars per hour in one nano-dollar per hour.
const FEMTO_PER_NANO: u128 = 1_000_000;
/// Accumulated cost (femto-dollars per hour x milliseconds) in one micro-dollar.
const PER_MICRO_USD: u128 = 3_600_000 * 1_000_000_000;
/// The hours of a month, as AWS's price calculator counts them.
pub const HOURS_PER_MONTH: u128 = 730;

/// A rate held since a time, and what it has added up to over the window.
#[derive(Clone, Copy, Debug, Default)]
struct Meter {
    rate: u128,
    since: SimTime,
    total: u128,
}

impl Meter {
    /// Adds up the rate from `since` to `now`, counting only what is after `from`.
    fn accrue(&mut self, now: SimTime, from: SimTime) {
        let start = self.since.max(from);
        if now > start {
            self.total += self.rate * u128::from(now.since(start));
        }
        self.since = now;
    }

    fn add(&mut self, now: SimTime, from: SimTime, delta: u128) {
        self.accrue(now, from);
        self.rate += delta;
    }

    fn sub(&mut self, now: SimTime, from: SimTime, delta: u128) {
        self.accrue(now, from);
        self.rate -= delta;
    }
}

/// A live instance: what it is billed under and what it registers.
#[derive(Clone, Copy, Debug)]
struct Live {
    bucket: usize,
    rate: u128,
    cpu: u128,
    memory: u128,
}

/// One task's share: whose it is and its rate.
#[derive(Clone, Copy, Debug)]
struct Share {
    service: Option<ServiceId>,
    rate: u128,
}

/// The cost of a run, from its records. Buckets are the Auto Scaling groups (by id) then
/// the fixed instances (in the scenario's order).
#[derive(Clone, Debug)]
pub struct Costs {
    window_start: SimTime,
    known: bool,
    prices: Vec<Option<Price>>,
    n_asgs: usize,
    /// Fixed instances registered so far: the n-th instance without an Auto Scaling group
    /// is fixed instance n (`Cluster::start` registers them in order at time zero).
    fixed_seen: usize,
    /// The EC2 instance id of each fixed instance's bucket, once registered.
    fixed_ids: Vec<Option<String>>,
    live: Vec<Option<Live>>,
    buckets: Vec<Meter>,
    /// Live instances per bucket (rate 1 each): instance-milliseconds.
    instance_ms: Vec<Meter>,
    cluster: Meter,
    services: Vec<Meter>,
    run_tasks: Meter,
    /// Each live task's share, by its slot (`TaskId`): a slot is reused only after its
    /// task's `TaskStopped`, which takes the share out.
    shares: Vec<Option<Share>>,
}

impl Costs {
    /// Costs of `scenario`'s run, measured from `window_start` (zero for the whole run).
    pub fn new(scenario: &Scenario, window_start: SimTime) -> Costs {
        let pricing = &scenario.pricing;
        let prices: Vec<Option<Price>> = pricing
            .auto_scaling_groups
            .iter()
            .chain(&pricing.instances)
            .copied()
            .collect();
        Costs {
            window_start,
            known: pricing.is_known(),
            n_asgs: pricing.auto_scaling_groups.len(),
            fixed_seen: 0,
            fixed_ids: vec![None; pricing.instances.len()],
            live: Vec::new(),
            buckets: vec![Meter::default(); prices.len()],
            instance_ms: vec![Meter::default(); prices.len()],
            prices,
            cluster: Meter::default(),
            services: vec![Meter::default(); scenario.services.len()],
            run_tasks: Meter::default(),
            shares: Vec::new(),
        }
    }

    pub fn record(&mut self, at: SimTime, change: &Change<'_>, cluster: &Cluster) {
        let from = self.window_start;
        match *change {
            Change::InstanceRegistered { instance } => {
                let bucket = match instance.auto_scaling_group {
                    Some(asg) => asg.index(),
                    None => {
                        let fixed = self.fixed_seen;
                        self.fixed_seen += 1;
                        assert!(
                            fixed < self.fixed_ids.len(),
                            "only the scenario's fixed instances register without an Auto Scaling group, once each"
                        );
                        self.fixed_ids[fixed] = Some(instance.ec2_instance_id.clone());
                        self.n_asgs + fixed
                    }
                };
                let rate = self.prices[bucket].map_or(0, |price| {
                    u128::from(price.nano_usd_per_hour) * FEMTO_PER_NANO
                });
                let index = instance.id.index();
                if self.live.len() <= index {
                    self.live.resize(index + 1, None);
                }
                self.live[index] = Some(Live {
                    bucket,
                    rate,
                    cpu: u128::from(instance.instance_type.cpu_units),
                    memory: u128::from(instance.instance_type.memory_mib),
                });
                self.buckets[bucket].add(at, from, rate);
                self.instance_ms[bucket].add(at, from, 1);
                self.cluster.add(at, from, rate);
            }
            Change::InstanceTerminated { instance, .. } => {
                if let Some(live) = self.live[instance.id.index()].take() {
                    self.buckets[live.bucket].sub(at, from, live.rate);
                    self.instance_ms[live.bucket].sub(at, from, 1);
                    self.cluster.sub(at, from, live.rate);
                }
            }
            // Without every price there is no cost to share: nothing to follow per task.
            Change::TaskPlaced { .. } | Change::TaskStopped { .. } if !self.known => {}
            Change::TaskPlaced { task } => {
                let Some(live) = self.live.get(task.instance.index()).copied().flatten() else {
                    return;
                };
                let needs = cluster.requirements(task.task_definition);
                let (cpu, memory) = (u128::from(needs.cpu_units), u128::from(needs.memory_mib));
                // rate x (cpu / CPU + memory / MEMORY) / 2, rounded down.
                let rate = live.rate * (cpu * live.memory + memory * live.cpu)
                    / (2 * live.cpu * live.memory);
                let slot = task.id.index();
                if self.shares.len() <= slot {
                    self.shares.resize(slot + 1, None);
                }
                self.shares[slot] = Some(Share {
                    service: task.service,
                    rate,
                });
                self.meter_of(task.service).add(at, from, rate);
            }
            Change::TaskStopped { task } => {
                if let Some(share) = self.shares.get_mut(task.id.index()).and_then(Option::take) {
                    self.meter_of(share.service).sub(at, from, share.rate);
                }
            }
            _ => {}
        }
    }

    fn meter_of(&mut self, service: Option<ServiceId>) -> &mut Meter {
        match service {
            Some(service) => &mut self.services[service.index()],
            None => &mut self.run_tasks,
        }
    }

    /// Everything added up to `end`.
    fn accrue_all(&mut self, end: SimTime) {
        let from = self.window_start;
        for meter in self
            .buckets
            .iter_mut()
            .chain(&mut self.instance_ms)
            .chain(&mut self.services)
            .chain([&mut self.cluster, &mut self.run_tasks])
        {
            meter.accrue(end, from);
        }
    }

    /// The cost figures at `end`, the end of the run, for `summary.json` and `services.csv`.
    pub fn report(mut self, scenario: &Scenario, end: SimTime) -> CostReport {
        self.accrue_all(end);
        let known = self.known;
        let money = |total: u128| known.then(|| Usd::of(total));
        let window_ms = u128::from(end.since(self.window_start));
        let reserved: u128 =
            self.services.iter().map(|meter| meter.total).sum::<u128>() + self.run_tasks.total;
        let bucket = |idx: usize| BucketCost {
            market: self.prices[idx].map(|price| price.market.as_str()),
            usd_per_hour: self.prices[idx].map(|price| UsdPerHour(price.nano_usd_per_hour)),
            instance_hours: Hours(self.instance_ms[idx].total),
            cost_usd: self.prices[idx].map(|_| Usd::of(self.buckets[idx].total)),
        };
        CostReport {
            region: scenario.pricing.region.clone(),
            cost_usd: money(self.cluster.total),
            cost_usd_per_month: (known && window_ms > 0).then(|| {
                Usd(round_div(
                    self.cluster.total * HOURS_PER_MONTH,
                    window_ms * 1_000_000_000,
                ))
            }),
            idle_cost_usd: money(self.cluster.total - reserved),
            run_task_cost_usd: money(self.run_tasks.total),
            auto_scaling_groups: scenario
                .cluster
                .auto_scaling_groups
                .iter()
                .enumerate()
                .map(|(idx, asg)| GroupCost {
                    name: asg.name.clone(),
                    instance_type: asg.instance_type.name.clone(),
                    cost: bucket(idx),
                })
                .collect(),
            instances: scenario
                .cluster
                .instances
                .iter()
                .enumerate()
                .map(|(idx, instance)| InstanceCost {
                    instance_id: self.fixed_ids[idx].clone().unwrap_or_default(),
                    instance_type: instance.instance_type.name.clone(),
                    cost: bucket(self.n_asgs + idx),
                })
                .collect(),
            services: self
                .services
                .iter()
                .map(|meter| money(meter.total))
                .collect(),
        }
    }

    /// The rate of each bucket, then the cluster's, in nano-dollars per hour.
    fn rates(&self) -> impl Iterator<Item = u128> + '_ {
        self.buckets
            .iter()
            .map(|meter| meter.rate / FEMTO_PER_NANO)
            .chain([self.cluster.rate / FEMTO_PER_NANO])
    }
}

/// `a / b`, rounded half up.
fn round_div(a: u128, b: u128) -> u64 {
    u64::try_from((a + b / 2) / b).unwrap_or(u64::MAX)
}

/// Micro-dollars: written with six decimals in CSV, as a number in JSON.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Usd(pub u64);

impl Usd {
    /// An accumulated cost (femto-dollars per hour x milliseconds), to the micro-dollar.
    fn of(total: u128) -> Usd {
        Usd(round_div(total, PER_MICRO_USD))
    }

    pub fn micro(self) -> u64 {
        self.0
    }

    /// `2.880000`, as `services.csv` writes it.
    pub fn cell(self) -> String {
        format!("{}.{:06}", self.0 / 1_000_000, self.0 % 1_000_000)
    }
}

impl Serialize for Usd {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_f64(self.0 as f64 / 1e6)
    }
}

/// A price in nano-dollars per hour, written as dollars.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UsdPerHour(pub u64);

impl Serialize for UsdPerHour {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_f64(self.0 as f64 / 1e9)
    }
}

/// Instance-milliseconds, written as hours with six decimals.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Hours(pub u128);

impl Serialize for Hours {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let micro_hours = round_div(self.0 * 1_000, 3_600);
        serializer.serialize_f64(micro_hours as f64 / 1e6)
    }
}

/// What one Auto Scaling group's or fixed instance's instances cost over the window.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BucketCost {
    /// `onDemand` or `spot`; `None` without a price.
    pub market: Option<&'static str>,
    pub usd_per_hour: Option<UsdPerHour>,
    pub instance_hours: Hours,
    pub cost_usd: Option<Usd>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GroupCost {
    pub name: String,
    pub instance_type: String,
    #[serde(flatten)]
    pub cost: BucketCost,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InstanceCost {
    pub instance_id: String,
    pub instance_type: String,
    #[serde(flatten)]
    pub cost: BucketCost,
}

/// The run's cost over the measured window (`metrics.warmup` to the end), as `summary.json`
/// writes it. Every figure is `None` (null) when some instance has no price.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CostReport {
    pub region: String,
    pub cost_usd: Option<Usd>,
    /// `costUsd` over the window's length, times 730 hours.
    pub cost_usd_per_month: Option<Usd>,
    /// The cost of capacity no task reserved.
    pub idle_cost_usd: Option<Usd>,
    /// The share of tasks started by RunTask and scheduled tasks.
    pub run_task_cost_usd: Option<Usd>,
    pub auto_scaling_groups: Vec<GroupCost>,
    pub instances: Vec<InstanceCost>,
    /// Each service's share, by service id (`services.csv`'s `costUsd`).
    #[serde(skip)]
    pub services: Vec<Option<Usd>>,
}

/// The cost series of `timeseries.csv`, from the start of the run: `costRateUsdPerHour` per
/// Auto Scaling group (key its name) and fixed instance (key its EC2 instance id),
/// `clusterCostRateUsdPerHour` and the cumulative `clusterCostUsd` (key the cluster's name),
/// each told at time zero and then at every instant its value changed (the cumulative cost
/// at every instant the cluster's rate changed, and at the end of the run).
pub(crate) struct CostSeries {
    costs: Costs,
    names: Vec<String>,
    cluster_name: String,
    now: SimTime,
    told: Vec<Option<u128>>,
    told_total_at: Option<SimTime>,
}

/// One row of a cost series.
pub(crate) struct CostRow<'a> {
    pub at: SimTime,
    pub series: &'static str,
    pub key: &'a str,
    pub value: String,
}

impl CostSeries {
    pub(crate) fn new(scenario: &Scenario) -> CostSeries {
        let costs = Costs::new(scenario, SimTime::ZERO);
        let names = scenario
            .cluster
            .auto_scaling_groups
            .iter()
            .map(|asg| asg.name.clone())
            .collect();
        CostSeries {
            told: vec![None; costs.buckets.len() + 1],
            costs,
            names,
            cluster_name: scenario.cluster.name.clone(),
            now: SimTime::ZERO,
            told_total_at: None,
        }
    }

    /// Hears one change; tells `out` the rows of instants now closed (before `at`).
    pub(crate) fn record(
        &mut self,
        at: SimTime,
        change: &Change<'_>,
        cluster: &Cluster,
        out: &mut dyn FnMut(CostRow<'_>),
    ) {
        if at > self.now {
            self.flush(out);
            self.now = at;
        }
        if matches!(
            change,
            Change::InstanceRegistered { .. } | Change::InstanceTerminated { .. }
        ) {
            self.costs.record(at, change, cluster);
        }
    }

    /// The rows of the last instant heard.
    pub(crate) fn finish(&mut self, out: &mut dyn FnMut(CostRow<'_>)) {
        self.flush(out);
    }

    /// The run ended at `end`: the cumulative cost then (after `finish`, and after every
    /// other row, which are all at or before `end`).
    pub(crate) fn finish_run(&mut self, end: SimTime, out: &mut dyn FnMut(CostRow<'_>)) {
        if !self.costs.known {
            return;
        }
        self.now = end.max(self.now);
        if self.told_total_at != Some(self.now) {
            self.tell_total(out);
        }
    }

    /// Tells the closed instant's changed rates (nothing when the cost is unknown).
    fn flush(&mut self, out: &mut dyn FnMut(CostRow<'_>)) {
        if !self.costs.known {
            return;
        }
        let rates: Vec<u128> = self.costs.rates().collect();
        let n_buckets = rates.len() - 1;
        let mut cluster_changed = false;
        for (idx, &rate) in rates.iter().enumerate() {
            if self.told[idx] == Some(rate) {
                continue;
            }
            self.told[idx] = Some(rate);
            let value = scenario::pricing::usd_text(u64::try_from(rate).unwrap_or(u64::MAX));
            if idx == n_buckets {
                cluster_changed = true;
                out(CostRow {
                    at: self.now,
                    series: "clusterCostRateUsdPerHour",
                    key: &self.cluster_name,
                    value,
                });
                continue;
            }
            let key = match self.names.get(idx) {
                Some(name) => name.as_str(),
                None => self.costs.fixed_ids[idx - self.names.len()]
                    .as_deref()
                    .unwrap_or(""),
            };
            out(CostRow {
                at: self.now,
                series: "costRateUsdPerHour",
                key,
                value,
            });
        }
        if cluster_changed {
            self.tell_total(out);
        }
    }

    fn tell_total(&mut self, out: &mut dyn FnMut(CostRow<'_>)) {
        let mut cluster = self.costs.cluster;
        cluster.accrue(self.now, SimTime::ZERO);
        self.told_total_at = Some(self.now);
        out(CostRow {
            at: self.now,
            series: "clusterCostUsd",
            key: &self.cluster_name,
            value: Usd::of(cluster.total).cell(),
        });
    }
}
