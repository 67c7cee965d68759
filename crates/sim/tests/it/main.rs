//! Integration tests of the whole path, scenario text to output files: golden outputs,
//! determinism, invariants over random scenarios, ECS behaviours that cite ECS.md, and the
//! figures' window and episodes, and random arrivals against Erlang's loss formula.

mod arrivals;
mod autoscaling;
mod behaviour;
mod capacity_providers;
mod cost;
mod determinism;
mod explain;
mod figures;
mod golden;
mod indexed;
mod invariants;
mod lifecycle;
mod phases;
mod regressions;
mod report;
mod scale_in;
mod support;
mod timeseries;
