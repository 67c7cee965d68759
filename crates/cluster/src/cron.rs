//! EventBridge schedule expressions (ECS.md §6.3): `rate(5 minutes)` and
//! `cron(Minutes Hours Day-of-month Month Day-of-week Year)`, in UTC.

/// When a scheduled task runs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Schedule {
    /// `rate(value unit)`: every `every_ms`, the first one `every_ms` after time zero.
    Rate { every_ms: u64 },
    /// `cron(...)`: at every minute the six fields match.
    Cron(Cron),
}

/// A parsed `cron(...)` expression: each field as the set of values it matches.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cron {
    /// The expression as written, for messages and the resolved view.
    pub source: String,
}
