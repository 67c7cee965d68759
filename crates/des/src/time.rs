//! Simulated time: whole milliseconds since the start of the scenario, never wall-clock;
//! and the duration notation (`250ms`, `1h30m`, `7d`) that scenarios and queries write.

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

/// A non-negative decimal number times `10^scale`, exactly; `None` if it has more
/// fractional digits than `scale` allows or is not a plain decimal.
pub fn parse_decimal_scaled(text: &str, scale: u32) -> Option<u128> {
    let (int_part, frac_part) = match text.split_once('.') {
        Some((int_part, frac_part)) => (int_part, frac_part),
        None => (text, ""),
    };
    if int_part.is_empty() && frac_part.is_empty() {
        return None;
    }
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if !all_digits(int_part) || !all_digits(frac_part) || int_part.len() > 20 {
        return None;
    }
    let frac_trimmed = frac_part.trim_end_matches('0');
    if frac_trimmed.len() > scale as usize {
        return None;
    }
    let int_value: u128 = if int_part.is_empty() {
        0
    } else {
        int_part.parse().ok()?
    };
    let mut frac_value: u128 = if frac_trimmed.is_empty() {
        0
    } else {
        frac_trimmed.parse().ok()?
    };
    frac_value = frac_value.checked_mul(10u128.pow(scale - frac_trimmed.len() as u32))?;
    int_value
        .checked_mul(10u128.pow(scale))?
        .checked_add(frac_value)
}

/// Parses a duration into milliseconds: `250ms`, `90s`, `5m`, `1h30m`, `7d` (units may be
/// combined and numbers may have decimals), or a plain number of seconds. `None` unless
/// the result is a whole number of milliseconds, exactly: no floats, no rounding.
pub fn parse_duration_ms(text: &str) -> Option<u64> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    // A plain number is seconds.
    if text.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return u64::try_from(parse_decimal_scaled(text, 3)?).ok();
    }
    let mut rest = text;
    let mut total_ms: u128 = 0;
    while !rest.is_empty() {
        let number_len = rest.find(|ch: char| !(ch.is_ascii_digit() || ch == '.'))?;
        let (number, after) = rest.split_at(number_len);
        let unit_len = after
            .find(|ch: char| ch.is_ascii_digit() || ch == '.')
            .unwrap_or(after.len());
        let (unit, next) = after.split_at(unit_len);
        let unit_ms: u128 = match unit.trim() {
            "ms" => 1,
            "s" => 1_000,
            "m" => 60_000,
            "h" => 3_600_000,
            "d" => 86_400_000,
            _ => return None,
        };
        // number * unit_ms must be whole milliseconds: scale by 1000 and check the rest.
        let scaled = parse_decimal_scaled(number, 9)?.checked_mul(unit_ms)?;
        if scaled % 1_000_000_000 != 0 {
            return None;
        }
        total_ms = total_ms.checked_add(scaled / 1_000_000_000)?;
        rest = next.trim_start();
    }
    u64::try_from(total_ms).ok()
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
    fn durations_parse_exactly_into_milliseconds() {
        use super::parse_duration_ms as parse;
        assert_eq!(parse("250ms"), Some(250));
        assert_eq!(parse("1h30m"), Some(5_400_000));
        assert_eq!(parse("1.5h"), Some(5_400_000));
        assert_eq!(parse("0.5"), Some(500), "a plain number is seconds");
        assert_eq!(parse("0.0005"), None, "not a whole millisecond");
        assert_eq!(parse("5 minutes"), None);
        assert_eq!(parse("-5m"), None);
    }

    #[test]
    fn arithmetic_saturates_instead_of_wrapping() {
        assert_eq!(SimTime::MAX.plus_ms(1), SimTime::MAX);
        assert_eq!(SimTime(5).since(SimTime(9)), 0);
        assert_eq!(SimTime(9).since(SimTime(5)), 4);
    }
}
