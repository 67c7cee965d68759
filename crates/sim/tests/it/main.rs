//! Integration tests of the whole path, scenario text to output files: golden outputs,
//! determinism, invariants over random scenarios, and ECS behaviours that cite ECS.md.

mod behaviour;
mod determinism;
mod explain;
mod golden;
mod indexed;
mod invariants;
mod lifecycle;
mod regressions;
mod support;
