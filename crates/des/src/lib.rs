//! Deterministic discrete-event engine: simulated time, the `(time, seq)` event queue and
//! seeded random streams. This crate knows nothing about ECS.

pub mod dist;
pub mod queue;
pub mod rng;
pub mod time;

pub use dist::Distribution;
pub use queue::{EventKey, Queue};
pub use rng::{SimRng, Stream};
pub use time::SimTime;
