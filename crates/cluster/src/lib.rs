//! The ECS model: container instances, task definitions, tasks, services and Auto Scaling
//! groups; the closed `Event` enum and `Cluster::handle`, which applies one event; typed
//! change records and the explanations of decisions; the placement pipeline, its traits and
//! its ordered indexes; and `check_invariants`. No IO, no serde.

pub mod autoscaling;
pub mod capacity;
pub mod capacity_provider;
pub mod change;
pub mod cluster;
pub mod cron;
pub mod deployment;
pub mod event;
pub mod explain;
pub mod ids;
pub mod index;
pub mod instance;
pub mod load;
pub mod placement;
pub mod query;
pub mod service;
pub mod spec;
pub mod task;
pub mod tasks;
