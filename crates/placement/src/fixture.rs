//! A test cluster built through the engine's own doors: fixed instances registered by
//! `InstanceRegistered` events, task groups interned as services of desired count zero,
//! and tasks put on chosen instances with `Cluster::start_task`. Placements then run
//! through `cluster::placement::place`, exactly as the scheduler calls it.

use std::collections::BTreeMap;

use cluster::change::Discard;
use cluster::cluster::{Cluster, ClusterSetup, Ctx};
use cluster::event::Event;
use cluster::ids::{GroupId, InstanceId, TaskDefId, ZoneId};
use cluster::placement::{place, place_scan, Placement, PlacementFailure, PlacementRequest};
use cluster::spec::{
    ClusterSpec, DeploymentConfiguration, FixedInstanceSpec, InstanceType, NetworkMode, Parameters,
    PlacementSpec, ServiceSpec, TaskDefinition, TieBreak, Workload,
};
use des::{rng, Distribution, Queue, SimRng, SimTime, Stream};

/// Zones `us-east-1a`, `-1b`, `-1c`; instance `n` (from 1) is `i-n`.
pub const ZONES: [&str; 3] = ["us-east-1a", "us-east-1b", "us-east-1c"];

/// Groups `service:web` and `service:api` exist in every fixture.
pub const GROUPS: [&str; 2] = ["web", "api"];

/// One fixed instance: its zone (`'a'`, `'b'`, `'c'`), registered CPU and memory, and
/// custom attributes.
pub struct Host {
    pub zone: char,
    pub cpu_units: u32,
    pub memory_mib: u32,
    pub attributes: &'static [(&'static str, &'static str)],
}

/// A 2 vCPU, 4 GiB instance in `zone`.
pub fn host(zone: char) -> Host {
    Host {
        zone,
        cpu_units: 2048,
        memory_mib: 4096,
        attributes: &[],
    }
}

pub struct Fixture {
    pub cluster: Cluster,
    queue: Queue<Event>,
    rng: SimRng,
}

impl Fixture {
    /// Every task of the fixture reserves `cpu_units` and `memory_mib`. Ties left after the
    /// strategies go to the lowest instance id, so expectations are exact.
    pub fn new(hosts: &[Host], cpu_units: u32, memory_mib: u32) -> Fixture {
        Fixture::with_tie_break(hosts, cpu_units, memory_mib, TieBreak::Stable, 0)
    }

    pub fn with_tie_break(
        hosts: &[Host],
        cpu_units: u32,
        memory_mib: u32,
        tie_break: TieBreak,
        seed: u64,
    ) -> Fixture {
        let instances = hosts.iter().enumerate().map(fixed_instance).collect();
        let services = GROUPS
            .iter()
            .map(|name| (service(name), vec![(TaskDefId(0), Placement::default())]))
            .collect();
        let setup = ClusterSetup {
            seed,
            cluster: ClusterSpec {
                name: "test".to_string(),
                availability_zones: ZONES.iter().map(|zone| zone.to_string()).collect(),
                auto_scaling_groups: Vec::new(),
                instances,
                capacity_providers: Vec::new(),
                default_capacity_provider_strategy: Vec::new(),
            },
            parameters: Parameters {
                tie_break,
                ..Parameters::default()
            },
            task_definitions: vec![task_definition(cpu_units, memory_mib)],
            services,
            run_tasks: Vec::new(),
            scheduled_tasks: Vec::new(),
            target_groups: Vec::new(),
            actions: Vec::new(),
            faults: Vec::new(),
            capacity_provider_placements: Vec::new(),
            explain: false,
        };
        let mut fixture = Fixture {
            cluster: Cluster::new(setup),
            queue: Queue::new(),
            rng: rng::stream(seed, Stream::Placement, [0, 0]),
        };
        fixture.cluster.start(&mut fixture.queue);
        // Only the registrations: the services' passes would do nothing with a desired
        // count of zero, and tests place by hand.
        while let Some((now, seq, event)) = fixture.queue.pop() {
            if matches!(event, Event::InstanceRegistered { .. }) {
                let mut ctx = Ctx {
                    now,
                    seq,
                    queue: &mut fixture.queue,
                    observer: &mut Discard,
                };
                fixture.cluster.handle(event, &mut ctx);
            }
        }
        fixture
    }

    /// `service:web` for `"web"`.
    pub fn group(&self, name: &str) -> GroupId {
        self.cluster
            .tasks()
            .group_id(&format!("service:{name}"))
            .unwrap_or_else(|| panic!("the fixture has no group {name}"))
    }

    /// Puts one task of `group` on instance `i-<instance>`, bypassing placement.
    pub fn add_task(&mut self, group: &str, instance: u32) {
        let group = self.group(group);
        let mut ctx = Ctx {
            now: SimTime::ZERO,
            seq: 0,
            queue: &mut self.queue,
            observer: &mut Discard,
        };
        let instance = InstanceId(instance - 1);
        self.cluster
            .start_task(TaskDefId(0), group, None, instance, &mut ctx);
    }

    /// Places one task of `group` and returns the chosen instance's EC2 id, or the reason.
    pub fn place(
        &mut self,
        group: &str,
        placement: &Placement,
    ) -> Result<InstanceId, PlacementFailure> {
        let request = PlacementRequest {
            task_definition: self.cluster.task_definition(TaskDefId(0)),
            requirements: self.cluster.requirements(TaskDefId(0)),
            group: self.group(group),
            service: None,
        };
        let view = self.cluster.view();
        let mut scan_rng = self.rng.clone();
        let scanned = place_scan(&view, &request, placement, &mut scan_rng);
        let decided = place(&view, &request, placement, &mut self.rng);
        // Every fixture placement also checks the indexes against the scan: the same
        // decision from the same draws.
        assert_eq!(
            decided, scanned,
            "the indexed decision differs from the scan's"
        );
        assert_eq!(scan_rng, self.rng, "the indexed decision drew differently");
        decided
    }

    /// Places and starts `count` tasks one at a time, each seeing the previous ones, and
    /// returns where they went, e.g. `i-1 i-3 i-2`, or `... !RESOURCE:MEMORY` once one fails.
    pub fn place_tasks(&mut self, group: &str, placement: &Placement, count: u32) -> String {
        let mut placed = Vec::new();
        for _ in 0..count {
            match self.place(group, placement) {
                Ok(instance) => {
                    placed.push(self.name(instance));
                    self.add_task(group, instance.0 + 1);
                }
                Err(failure) => {
                    placed.push(format!("!{}", failure.reason()));
                    break;
                }
            }
        }
        placed.join(" ")
    }

    pub fn name(&self, instance: InstanceId) -> String {
        self.cluster.instance(instance).ec2_instance_id.clone()
    }

    /// Active tasks of `group` per zone, `a=2 b=1 c=1`.
    pub fn per_zone(&self, group: &str) -> String {
        let group = self.group(group);
        (0..ZONES.len())
            .map(|zone| {
                let count = self
                    .cluster
                    .tasks()
                    .group_tasks_in_zone(group, ZoneId(zone as u16));
                format!("{}={count}", zone_letter(zone))
            })
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// Active tasks of `group` per instance, in id order: `i-1=2 i-2=0 ...`.
    pub fn per_instance(&self, group: &str) -> String {
        let group = self.group(group);
        self.cluster
            .instances()
            .iter()
            .map(|instance| {
                let count = self.cluster.tasks().group_tasks_on(group, instance.id);
                format!("{}={count}", instance.ec2_instance_id)
            })
            .collect::<Vec<_>>()
            .join(" ")
    }
}

fn zone_letter(zone: usize) -> char {
    ZONES[zone].chars().last().unwrap_or('?')
}

fn fixed_instance((index, host): (usize, &Host)) -> FixedInstanceSpec {
    let zone = ZONES
        .iter()
        .position(|name| name.ends_with(host.zone))
        .unwrap_or_else(|| panic!("no zone {}", host.zone));
    let attributes: BTreeMap<String, String> = host
        .attributes
        .iter()
        .map(|&(name, value)| (name.to_string(), value.to_string()))
        .collect();
    FixedInstanceSpec {
        instance_id: Some(format!("i-{}", index + 1)),
        instance_type: InstanceType {
            name: "m5.large".to_string(),
            cpu_units: host.cpu_units,
            memory_mib: host.memory_mib,
            enis: 3,
            cpu_architecture: "x86_64".to_string(),
        },
        availability_zone: ZoneId(zone as u16),
        attributes,
        reserved_ports: cluster::instance::RESERVED_PORTS.to_vec(),
    }
}

fn service(name: &str) -> ServiceSpec {
    ServiceSpec {
        service_name: name.to_string(),
        task_definition: TaskDefId(0),
        desired_count: 0,
        placement: PlacementSpec::default(),
        deployment_configuration: DeploymentConfiguration::default(),
        scheduling_strategy: Default::default(),
        load_balancers: Vec::new(),
        health_check_grace_period_ms: 0,
        load: None,
        auto_scaling: None,
        capacity_provider_strategy: Vec::new(),
    }
}

fn task_definition(cpu_units: u32, memory_mib: u32) -> TaskDefinition {
    TaskDefinition {
        family: "app".to_string(),
        revision: 1,
        network_mode: NetworkMode::Bridge,
        cpu_units,
        memory_mib,
        container_definitions: Vec::new(),
        placement_constraints: Vec::new(),
        workload: Workload {
            startup: Distribution::Fixed { ms: 1000 },
            runtime: None,
            shutdown: Distribution::Fixed { ms: 1000 },
            exit_code: 0,
            start_failure: None,
            unhealthy_after: None,
            load: None,
        },
    }
}
