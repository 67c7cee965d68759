//! Simulated time: whole milliseconds since the start of the scenario, never wall-clock.

use std::fmt;

/// Milliseconds since the scenario started.
///
/// Integer time keeps runs exact: two events are simultaneous or they are not, and no
/// rounding can differ between machines.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Default)]
pub struct SimTime(pub u64);

impl SimTime {
    pub const ZERO: SimTime = SimTime(0);
    pub const MAX: SimTime = SimTime(u64::MAX);

    pub const fn from_secs(secs: u64) -> SimTime {
        SimTime(secs * 1000)
    }

    pub const fn as_ms(self) -> u64 {
        self.0
    }

    /// `self + ms`, saturating at `SimTime::MAX` (which stands for "never").
    #[must_use]
    pub const fn plus_ms(self, ms: u64) -> SimTime {
        SimTime(self.0.saturating_add(ms))
    }

    /// Milliseconds from `earlier` to `self`; zero when `earlier` is later.
    pub const fn since(self, earlier: SimTime) -> u64 {
        self.0.saturating_sub(earlier.0)
    }
}

/// Seconds with exactly three decimals (`12.345`), the format of every output file.
impl fmt::Display for SimTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{:03}", self.0 / 1000, self.0 % 1000)
    }
}

#[cfg(test)]
mod tests {
    use super::SimTime;

    #[test]
    fn displays_seconds_with_millisecond_resolution() {
        assert_eq!(SimTime(0).to_string(), "0.000");
        assert_eq!(SimTime(12_345).to_string(), "12.345");
        assert_eq!(SimTime::from_secs(3600).to_string(), "3600.000");
    }

    #[test]
    fn arithmetic_saturates_instead_of_wrapping() {
        assert_eq!(SimTime::MAX.plus_ms(1), SimTime::MAX);
        assert_eq!(SimTime(5).since(SimTime(9)), 0);
        assert_eq!(SimTime(9).since(SimTime(5)), 4);
    }
}
