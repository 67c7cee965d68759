//! `ecsim init`: writes a commented starter scenario for one kind of user (planner,
//! benchmarker, teacher) into a folder, never over an existing file.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// One starter: its name (and file stem), who it is for, and its text.
pub struct Starter {
    pub name: &'static str,
    pub about: &'static str,
    pub text: &'static str,
}

pub const STARTERS: &[Starter] = &[
    Starter {
        name: "teacher",
        about: "a small service that heals after an instance failure (the default)",
        text: TEACHER,
    },
    Starter {
        name: "planner",
        about: "a fleet and a zone loss, with the `ecsim plan` line that sizes it",
        text: PLANNER,
    },
    Starter {
        name: "benchmarker",
        about: "one workload and the `ecsim compare` line that pits two placement strategies",
        text: BENCHMARKER,
    },
];

const TEACHER: &str = r#"# A small web service that heals itself after an instance fails.
# Run it, then read the story:
#   ecsim run teacher.yaml --out results/teacher
#   open results/teacher/report.html            # tasks per service and instances per zone over time
#   grep -E 'InstanceTerminated|TaskStopped|TaskPlaced|ServiceEvent' results/teacher/events.csv
#   ecsim explain results/teacher t-000001        # one task's story: why there, what happened
# Every field: docs/scenario-reference.md and the README's "The scenario format".
# Editors: `ecsim schema > ecsim.schema.json`, then keep the next line to get completion.
# yaml-language-server: $schema=./ecsim.schema.json
name: teacher
description: Four web tasks on four instances over two zones; one instance fails at 1h.
seed: 1
duration: 3h

cluster:
  availabilityZones: [us-east-1a, us-east-1b]
  autoScalingGroups:
    - name: general
      instanceType: m5.large      # 2 vCPU, 8 GiB
      desiredCapacity: 4          # spread evenly over the two zones
      replacementDelay: 5m        # a lost instance is replaced after this

taskDefinitions:
  - family: web
    containerDefinitions:
      - name: app
        image: example/web:1
        cpu: 512
        memory: 1024
        portMappings: [{containerPort: 8080, hostPort: 0}]   # 0: a dynamic host port
    simulation:                    # how the workload behaves (not an ECS field)
      startupTime: 20s             # PENDING to RUNNING

services:
  - serviceName: web
    taskDefinition: web
    desiredCount: 4                # the scheduler keeps four tasks running

faults:
  - kind: instanceFailure          # its tasks stop; the service starts replacements elsewhere
    at: 1h
    target: {availabilityZone: us-east-1a}
    count: 1
"#;

const PLANNER: &str = r#"# How many instances does the web service need to stay whole when a zone is lost?
# Find the smallest fleet that keeps the service within two minutes of its desired count:
#   ecsim plan planner.yaml --seeds 1..5 \
#     --vary 'cluster.autoScalingGroups[0].desiredCapacity=3..12' \
#     --require 'web.secondsBelowDesired<=120'
# One run at a given size: ecsim run planner.yaml --set 'cluster.autoScalingGroups[0].desiredCapacity=6'
# Every field: docs/scenario-reference.md; the what-if commands: docs/whatif.md.
# yaml-language-server: $schema=./ecsim.schema.json
name: planner
description: Six web tasks on an Auto Scaling group over three zones; us-east-1a is lost at 1h.
seed: 1
duration: 3h

cluster:
  availabilityZones: [us-east-1a, us-east-1b, us-east-1c]
  autoScalingGroups:
    - name: general
      instanceType: m5.large
      desiredCapacity: 6           # the value plan varies
      replacementDelay: 4h         # replacements come too late to help: the fleet must absorb the loss

taskDefinitions:
  - family: web
    containerDefinitions:
      - name: app
        image: example/web:1
        cpu: 1024                  # two tasks per m5.large
        memory: 3072
        portMappings: [{containerPort: 8080, hostPort: 0}]
    simulation:
      startupTime: {uniform: {min: 15s, max: 45s}}

services:
  - serviceName: web
    taskDefinition: web
    desiredCount: 6

faults:
  - kind: zoneOutage
    availabilityZone: us-east-1a
    at: 1h
    duration: 2h                   # to the end of the run

metrics:
  warmup: 10m                      # measure the zone's loss, not the initial rollout

requirements:                      # `ecsim run` exits with code 3 when one fails
  - web.secondsBelowDesired <= 120
"#;

const BENCHMARKER: &str = r#"# One workload, two placement strategies, the same seeds and faults (paired):
#   ecsim compare benchmarker.yaml --seeds 1..30 \
#     --set-other 'services[0].placementStrategy=[{type: binpack, field: memory}]'
# compare.csv then says, figure by figure, whether the other strategy is better.
# Every field: docs/scenario-reference.md; the what-if commands: docs/whatif.md.
# yaml-language-server: $schema=./ecsim.schema.json
name: benchmarker
description: A worker service spread over zones and instances, with random instance failures.
seed: 1
duration: 1d

cluster:
  availabilityZones: [us-east-1a, us-east-1b, us-east-1c]
  autoScalingGroups:
    - name: general
      instanceType: m5.xlarge
      desiredCapacity: 9
      replacementDelay: 5m
      # What an instance costs per hour, for costUsd (docs/cost.md). Without it, the built-in
      # table's On-Demand price for the type in cluster.region (default us-east-1) applies;
      # the table lacks m5.xlarge there, so its On-Demand price is given.
      pricing: {onDemandUsdPerHour: 0.192}

taskDefinitions:
  - family: worker
    containerDefinitions:
      - name: app
        image: example/worker:1
        cpu: 512
        memoryReservation: 1536
    simulation:
      startupTime: {uniform: {min: 10s, max: 30s}}
      runtime: {exponential: {mean: 6h}}     # tasks exit by themselves and are replaced

services:
  - serviceName: worker
    taskDefinition: worker
    desiredCount: 24
    placementStrategy:             # the baseline; --set-other replaces it
      - {type: spread, field: "attribute:ecs.availability-zone"}
      - {type: spread, field: instanceId}

faults:
  - kind: instanceFailure          # random: each instance fails after an exponential time
    mtbf: 3d

outputs: [services, summary]       # compare needs the figures only
"#;

/// `ecsim init --list`.
pub fn list() -> ExitCode {
    for starter in STARTERS {
        println!("{:<12} {}", starter.name, starter.about);
    }
    ExitCode::SUCCESS
}

/// `ecsim init [NAME] [--dir DIR]`: writes DIR/NAME.yaml unless it exists.
pub fn init(name: Option<&str>, dir: Option<&Path>) -> ExitCode {
    let name = name.unwrap_or("teacher");
    let Some(starter) = STARTERS.iter().find(|starter| starter.name == name) else {
        let names: Vec<&str> = STARTERS.iter().map(|starter| starter.name).collect();
        eprintln!(
            "error: no starter named {name:?}; choose one of {}",
            names.join(", ")
        );
        return ExitCode::from(2);
    };
    let path: PathBuf = dir
        .unwrap_or(Path::new("."))
        .join(format!("{}.yaml", starter.name));
    let file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path);
    let written = match file {
        Ok(mut file) => file.write_all(starter.text.as_bytes()),
        Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => {
            eprintln!(
                "error: {} already exists; not overwritten (remove it or pass --dir)",
                path.display()
            );
            return ExitCode::from(1);
        }
        Err(error) => Err(error),
    };
    match written {
        Ok(()) => {
            println!("wrote {} ({})", path.display(), starter.about);
            println!("next: ecsim validate {}", path.display());
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("error: writing {}: {error}", path.display());
            ExitCode::from(1)
        }
    }
}
