//! EventBridge schedule expressions (ECS.md §6.3): `rate(5 minutes)` and
//! `cron(Minutes Hours Day-of-month Month Day-of-week Year)`, in UTC; their next firing
//! time in simulated milliseconds; and RFC 3339 UTC timestamps for the calendar instant of
//! simulated time zero. Calendar arithmetic is integer-only (Howard Hinnant's civil-date
//! algorithms); no floating point, no time zones, no leap seconds.

use std::fmt;

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
    /// The expression as written (trimmed), for messages and the resolved view.
    pub source: String,
    /// Bit `m` for minute `m`, 0-59.
    minutes: u64,
    /// Bit `h` for hour `h`, 0-23.
    hours: u32,
    /// Bit `m` for month `m`, 1-12.
    months: u16,
    /// Bit `y - 1970` for year `y`, 1970-2199.
    years: [u64; 4],
    day_of_month: DayOfMonth,
    day_of_week: DayOfWeek,
}

/// The day-of-month field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum DayOfMonth {
    /// `?`: the day-of-week field decides.
    Any,
    /// Bit `d` for day `d`, 1-31 (days past the month's end never match).
    Days(u32),
    /// `L`: the month's last day.
    Last,
    /// `LW`: the month's last weekday (Monday to Friday).
    LastWeekday,
    /// `nW`: the weekday nearest day `n`, within the month.
    NearestWeekday(u32),
}

/// The day-of-week field; days are 1 = Sunday ... 7 = Saturday.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum DayOfWeek {
    /// `?`: the day-of-month field decides.
    Any,
    /// Bit `w` for weekday `w`, 1-7 (`L` alone is 7, Saturday, the week's last day).
    Days(u8),
    /// `nL`: the month's last weekday `n` (`5L`: the last Thursday).
    LastOfMonth(u32),
    /// `n#k`: the month's `k`-th weekday `n` (`3#2`: the second Tuesday).
    Nth { weekday: u32, nth: u32 },
}

const MINUTE_MS: u64 = 60_000;
const HOUR_MS: u64 = 60 * MINUTE_MS;
const DAY_MS: u64 = 24 * HOUR_MS;

/// The first and last years a `cron(...)` year field, and a timestamp, may name.
const FIRST_YEAR: i64 = 1970;
const LAST_YEAR: i64 = 2199;

const MONTH_NAMES: [&str; 12] = [
    "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
];
const WEEKDAY_NAMES: [&str; 7] = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

/// What one cron field accepts, for parsing and for messages.
struct Field {
    name: &'static str,
    min: u32,
    max: u32,
    /// Names for `min`, `min + 1`, ... (months and weekdays).
    names: &'static [&'static str],
    /// What the field allows, as shown in messages.
    allowed: &'static str,
}

const MINUTES: Field = Field {
    name: "minutes",
    min: 0,
    max: 59,
    names: &[],
    allowed: "0-59, with , - * /",
};
const HOURS: Field = Field {
    name: "hours",
    min: 0,
    max: 23,
    names: &[],
    allowed: "0-23, with , - * /",
};
const DAY_OF_MONTH: Field = Field {
    name: "day-of-month",
    min: 1,
    max: 31,
    names: &[],
    allowed: "1-31, with , - * / ? L W",
};
const MONTH: Field = Field {
    name: "month",
    min: 1,
    max: 12,
    names: &MONTH_NAMES,
    allowed: "1-12 or JAN-DEC, with , - * /",
};
const DAY_OF_WEEK: Field = Field {
    name: "day-of-week",
    min: 1,
    max: 7,
    names: &WEEKDAY_NAMES,
    allowed: "1-7 or SUN-SAT, with , - * / ? L #",
};
const YEAR: Field = Field {
    name: "year",
    min: FIRST_YEAR as u32,
    max: LAST_YEAR as u32,
    names: &[],
    allowed: "1970-2199, with , - * /",
};

impl Field {
    /// "the hours field `25`: 25 is not in 0-23".
    fn error(&self, text: &str, problem: &str) -> String {
        format!("the {} field `{text}`: {problem}", self.name)
    }

    /// The generic complaint: what the field allows.
    fn expected(&self, text: &str) -> String {
        self.error(text, &format!("expected {}", self.allowed))
    }

    /// One value: a number in `min..=max` or, where the field has them, a name.
    fn value(&self, field_text: &str, text: &str) -> Result<u32, String> {
        if let Some(i) = self
            .names
            .iter()
            .position(|name| name.eq_ignore_ascii_case(text))
        {
            return Ok(self.min + i as u32);
        }
        let Some(n) = parse_number(text) else {
            return Err(self.expected(field_text));
        };
        match n {
            Number::Value(v) if (self.min..=self.max).contains(&v) => Ok(v),
            _ => Err(self.error(
                field_text,
                &format!("{text} is not in {}-{}", self.min, self.max),
            )),
        }
    }

    /// A list of `,`-separated terms, each `*`, `v`, `a-b`, with an optional `/step`,
    /// as inclusive `(first, last, step)` triples.
    fn terms(&self, text: &str) -> Result<Vec<(u32, u32, u32)>, String> {
        let mut terms = Vec::new();
        for term in text.split(',') {
            let (range, step) = match term.split_once('/') {
                Some((range, step)) => {
                    let step = match parse_number(step) {
                        Some(Number::Value(s)) if s >= 1 => s,
                        Some(Number::TooLarge) => {
                            return Err(self.error(text, &format!("the step {step} is too large")))
                        }
                        _ => {
                            return Err(self.error(
                                text,
                                "a step after / must be a whole number of at least 1",
                            ))
                        }
                    };
                    (range, Some(step))
                }
                None => (term, None),
            };
            let (first, last) = if range == "*" {
                (self.min, self.max)
            } else if let Some((a, b)) = range.split_once('-') {
                let (a, b) = (self.value(text, a)?, self.value(text, b)?);
                if a > b {
                    return Err(self.error(
                        text,
                        &format!("the range {range} runs backwards; a range runs from low to high"),
                    ));
                }
                (a, b)
            } else {
                let v = self.value(text, range)?;
                // `a/step` runs from `a` to the field's end.
                (v, if step.is_some() { self.max } else { v })
            };
            terms.push((first, last, step.unwrap_or(1)));
        }
        Ok(terms)
    }

    /// The set of values as a bitmask, bit `v - offset` for value `v`.
    fn mask(&self, text: &str, offset: u32) -> Result<u64, String> {
        let mut mask = 0u64;
        for (first, last, step) in self.terms(text)? {
            let mut v = first;
            while v <= last {
                mask |= 1 << (v - offset);
                v = match v.checked_add(step) {
                    Some(next) => next,
                    None => break,
                };
            }
        }
        Ok(mask)
    }

    /// Rejects `?`, `L`, `W` and `#` forms that are not alone in their field.
    fn alone(&self, text: &str, special: &[char]) -> Result<(), String> {
        if text.contains(',') && text.chars().any(|c| special.contains(&c)) {
            return Err(self.error(
                text,
                "a ?, L, W or # form must stand alone in its field, not in a list",
            ));
        }
        Ok(())
    }
}

/// A run of ASCII digits, read without overflow.
#[derive(Debug, PartialEq, Eq)]
enum Number {
    Value(u32),
    TooLarge,
}

/// `None` unless `text` is one or more ASCII digits.
fn parse_number(text: &str) -> Option<Number> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let mut n: u32 = 0;
    for b in text.bytes() {
        match n
            .checked_mul(10)
            .and_then(|n| n.checked_add(u32::from(b - b'0')))
        {
            Some(next) => n = next,
            None => return Some(Number::TooLarge),
        }
    }
    Some(Number::Value(n))
}

fn parse_day_of_month(text: &str) -> Result<DayOfMonth, String> {
    let field = &DAY_OF_MONTH;
    field.alone(text, &['?', 'L', 'l', 'W', 'w', '#'])?;
    if text == "?" {
        return Ok(DayOfMonth::Any);
    }
    if text.eq_ignore_ascii_case("L") {
        return Ok(DayOfMonth::Last);
    }
    if text.eq_ignore_ascii_case("LW") {
        return Ok(DayOfMonth::LastWeekday);
    }
    if let Some(day) = text.strip_suffix(['W', 'w']) {
        return match parse_number(day) {
            Some(Number::Value(d)) if (1..=31).contains(&d) => Ok(DayOfMonth::NearestWeekday(d)),
            _ => Err(field.error(
                text,
                "W takes one day 1-31 before it, as in 15W (or LW, the last weekday)",
            )),
        };
    }
    if text.contains(['?', 'L', 'l', '#']) {
        return Err(field.expected(text));
    }
    Ok(DayOfMonth::Days(field.mask(text, 0)? as u32))
}

fn parse_day_of_week(text: &str) -> Result<DayOfWeek, String> {
    let field = &DAY_OF_WEEK;
    field.alone(text, &['?', 'L', 'l', '#'])?;
    if text == "?" {
        return Ok(DayOfWeek::Any);
    }
    if text.eq_ignore_ascii_case("L") {
        return Ok(DayOfWeek::Days(1 << 7));
    }
    if let Some((weekday, nth)) = text.split_once('#') {
        let weekday = field.value(text, weekday)?;
        return match parse_number(nth) {
            Some(Number::Value(k)) if (1..=5).contains(&k) => {
                Ok(DayOfWeek::Nth { weekday, nth: k })
            }
            _ => Err(field.error(
                text,
                "# takes a day 1-7 or SUN-SAT and an occurrence 1-5, as in 3#2 (the second Tuesday)",
            )),
        };
    }
    // No weekday name ends in L, so a trailing L is always the `nL` form.
    if let Some(weekday) = text.strip_suffix(['L', 'l']) {
        let weekday = field.value(text, weekday)?;
        return Ok(DayOfWeek::LastOfMonth(weekday));
    }
    Ok(DayOfWeek::Days(field.mask(text, 0)? as u8))
}

fn parse_cron(source: &str, inner: &str) -> Result<Cron, String> {
    let fields: Vec<&str> = inner.split_whitespace().collect();
    let [minutes, hours, day_of_month, month, day_of_week, year] = fields[..] else {
        return Err(format!(
            "`{source}` needs six fields separated by spaces (minutes hours day-of-month \
             month day-of-week year); it has {}",
            fields.len()
        ));
    };
    let minutes_mask = MINUTES.mask(minutes, 0)?;
    let hours_mask = HOURS.mask(hours, 0)? as u32;
    let dom = parse_day_of_month(day_of_month)?;
    let months_mask = MONTH.mask(month, 0)? as u16;
    let dow = parse_day_of_week(day_of_week)?;
    let mut years = [0u64; 4];
    for (first, last, step) in YEAR.terms(year)? {
        let mut y = first;
        while y <= last {
            let i = (y - YEAR.min) as usize;
            years[i / 64] |= 1 << (i % 64);
            y = match y.checked_add(step) {
                Some(next) => next,
                None => break,
            };
        }
    }
    match (dom, dow) {
        (DayOfMonth::Any, DayOfWeek::Any) => {
            return Err(format!(
                "`{source}`: `?` may be in only one of the day-of-month and day-of-week \
                 fields; give the other a value or `*`"
            ))
        }
        (DayOfMonth::Any, _) | (_, DayOfWeek::Any) => {}
        _ => {
            return Err(format!(
                "`{source}`: one of the day-of-month and day-of-week fields must be `?`, \
                 as in cron(0 10 * * ? *) or cron(0 18 ? * MON-FRI *)"
            ))
        }
    }
    Ok(Cron {
        source: source.to_string(),
        minutes: minutes_mask,
        hours: hours_mask,
        months: months_mask,
        years,
        day_of_month: dom,
        day_of_week: dow,
    })
}

fn parse_rate(source: &str, inner: &str) -> Result<u64, String> {
    let words: Vec<&str> = inner.split_whitespace().collect();
    let [value, unit] = words[..] else {
        return Err(format!(
            "`{source}`: expected rate(value unit), as in rate(1 hour) or rate(5 minutes)"
        ));
    };
    let value = match parse_number(value) {
        Some(Number::Value(v)) if v >= 1 => u64::from(v),
        Some(Number::TooLarge) => {
            return Err(format!("`{source}`: the value {value} is too large"))
        }
        _ => {
            return Err(format!(
                "`{source}`: the value `{value}` must be a whole number of at least 1"
            ))
        }
    };
    let (unit_ms, plural) = match unit {
        "minute" => (MINUTE_MS, false),
        "minutes" => (MINUTE_MS, true),
        "hour" => (HOUR_MS, false),
        "hours" => (HOUR_MS, true),
        "day" => (DAY_MS, false),
        "days" => (DAY_MS, true),
        _ => {
            return Err(format!(
                "`{source}`: the unit `{unit}` must be minute, minutes, hour, hours, day or days"
            ))
        }
    };
    if plural != (value > 1) {
        return Err(format!(
            "`{source}`: a value of 1 takes minute, hour or day; a larger value takes \
             minutes, hours or days"
        ));
    }
    value
        .checked_mul(unit_ms)
        .ok_or_else(|| format!("`{source}`: the value {value} is too large"))
}

impl Schedule {
    /// Parses an EventBridge schedule expression: `rate(value unit)` (unit `minute`,
    /// `hour` or `day` for a value of 1, `minutes`, `hours` or `days` above) or
    /// `cron(Minutes Hours Day-of-month Month Day-of-week Year)`. Surrounding whitespace
    /// is ignored. The error is a sentence naming the offending part and what it allows.
    pub fn parse(text: &str) -> Result<Schedule, String> {
        let source = text.trim();
        let inner = |prefix: &str| {
            source
                .strip_prefix(prefix)
                .and_then(|rest| rest.strip_suffix(')'))
        };
        if let Some(inner) = inner("rate(") {
            parse_rate(source, inner).map(|every_ms| Schedule::Rate { every_ms })
        } else if let Some(inner) = inner("cron(") {
            parse_cron(source, inner).map(Schedule::Cron)
        } else {
            Err(format!(
                "`{source}`: expected rate(value unit), as in rate(5 minutes), or \
                 cron(minutes hours day-of-month month day-of-week year), as in \
                 cron(0 10 * * ? *)"
            ))
        }
    }

    /// The first firing strictly after `after_ms`, in simulated milliseconds, where
    /// simulated time zero is the UTC instant `start_time_unix_s` (seconds since the Unix
    /// epoch). `Rate` fires at `every_ms`, `2 * every_ms`, ...; `Cron` at each UTC minute
    /// (second 0) its fields match. `None` if there is no such firing: for `Cron`, none
    /// before the end of 2199 (or none that a `u64` of milliseconds can hold).
    pub fn next_after(&self, after_ms: u64, start_time_unix_s: i64) -> Option<u64> {
        match self {
            Schedule::Rate { every_ms } => {
                if *every_ms == 0 {
                    return None;
                }
                (after_ms / every_ms).checked_add(1)?.checked_mul(*every_ms)
            }
            Schedule::Cron(cron) => {
                let start_ms = i128::from(start_time_unix_s) * 1000;
                let after_unix_ms = start_ms + i128::from(after_ms);
                // The first minute boundary strictly after `after_unix_ms`; none before 1970
                // can match, and past 2199 there is nothing to find.
                let first = (after_unix_ms.div_euclid(60_000) + 1).max(0);
                if first > last_minute() {
                    return None;
                }
                let minute = cron.next_match(first as i64)?;
                u64::try_from(i128::from(minute) * 60_000 - start_ms).ok()
            }
        }
    }
}

/// The last minute of 2199, in minutes since the Unix epoch.
fn last_minute() -> i128 {
    i128::from(days_from_civil(LAST_YEAR + 1, 1, 1)) * 1440 - 1
}

impl Cron {
    /// The first matching minute at or after `from` (minutes since the Unix epoch, >= 0).
    fn next_match(&self, from: i64) -> Option<i64> {
        let (mut y, mut m, mut d) = civil_from_days(from.div_euclid(1440));
        let minute_of_day = from.rem_euclid(1440) as u32;
        let (mut h, mut mi) = (minute_of_day / 60, minute_of_day % 60);
        // Each pass either returns or moves a field forward and resets the finer ones;
        // a field past its end (month 13, a day past the month's last, hour 24) finds no
        // match and carries into the coarser field on the next pass.
        loop {
            let year = self.next_year(y)?;
            if year != y {
                (y, m, d, h, mi) = (year, 1, 1, 0, 0);
            }
            let Some(month) = next_bit(u64::from(self.months), m) else {
                (y, m, d, h, mi) = (y + 1, 1, 1, 0, 0);
                continue;
            };
            if month != m {
                (m, d, h, mi) = (month, 1, 0, 0);
            }
            let Some(day) = next_bit(u64::from(self.day_mask(y, m)), d) else {
                (m, d, h, mi) = (m + 1, 1, 0, 0);
                continue;
            };
            if day != d {
                (d, h, mi) = (day, 0, 0);
            }
            let Some(hour) = next_bit(u64::from(self.hours), h) else {
                (d, h, mi) = (d + 1, 0, 0);
                continue;
            };
            if hour != h {
                (h, mi) = (hour, 0);
            }
            let Some(minute) = next_bit(self.minutes, mi) else {
                (h, mi) = (h + 1, 0);
                continue;
            };
            let days = days_from_civil(y, m, d);
            return Some(days * 1440 + i64::from(h) * 60 + i64::from(minute));
        }
    }

    /// The first year at or after `y` the year field matches, if any up to 2199.
    fn next_year(&self, y: i64) -> Option<i64> {
        let mut i = usize::try_from(y.max(FIRST_YEAR) - FIRST_YEAR).ok()?;
        while i <= (LAST_YEAR - FIRST_YEAR) as usize {
            let rest = self.years[i / 64] >> (i % 64);
            if rest != 0 {
                let found = i + rest.trailing_zeros() as usize;
                return Some(FIRST_YEAR + found as i64);
            }
            i = (i / 64 + 1) * 64;
        }
        None
    }

    /// The days of month `m` of year `y` both day fields match: bit `d` for day `d`.
    fn day_mask(&self, y: i64, m: u32) -> u32 {
        let len = days_in_month(y, m);
        let all = ((1u64 << (len + 1)) - 2) as u32;
        let first_weekday = weekday(days_from_civil(y, m, 1));
        let weekday_of = |d: u32| (first_weekday + d - 2) % 7 + 1;
        let dom = match self.day_of_month {
            DayOfMonth::Any => all,
            DayOfMonth::Days(days) => days & all,
            DayOfMonth::Last => 1 << len,
            DayOfMonth::LastWeekday => match weekday_of(len) {
                7 => 1 << (len - 1),
                1 => 1 << (len - 2),
                _ => 1 << len,
            },
            DayOfMonth::NearestWeekday(n) if n > len => 0,
            DayOfMonth::NearestWeekday(n) => match weekday_of(n) {
                7 if n == 1 => 1 << 3,
                7 => 1 << (n - 1),
                1 if n == len => 1 << (n - 2),
                1 => 1 << (n + 1),
                _ => 1 << n,
            },
        };
        let dow = match self.day_of_week {
            DayOfWeek::Any => all,
            DayOfWeek::Days(weekdays) => (1..=len)
                .filter(|&d| weekdays & (1 << weekday_of(d)) != 0)
                .fold(0, |mask, d| mask | (1 << d)),
            DayOfWeek::LastOfMonth(w) => 1 << (len - (weekday_of(len) + 7 - w) % 7),
            DayOfWeek::Nth { weekday, nth } => {
                let d = 1 + (weekday + 7 - first_weekday) % 7 + 7 * (nth - 1);
                if d <= len {
                    1 << d
                } else {
                    0
                }
            }
        };
        dom & dow
    }
}

/// The lowest set bit of `mask` at position `from` or above.
fn next_bit(mask: u64, from: u32) -> Option<u32> {
    let rest = mask.checked_shr(from)?;
    (rest != 0).then(|| from + rest.trailing_zeros())
}

impl fmt::Display for Schedule {
    /// The expression: a `cron(...)` as written (trimmed); a rate in its largest whole
    /// unit, `rate(1 hour)`, `rate(90 minutes)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Schedule::Cron(cron) => f.write_str(&cron.source),
            Schedule::Rate { every_ms } => {
                let (value, unit) = [(DAY_MS, "day"), (HOUR_MS, "hour"), (MINUTE_MS, "minute")]
                    .into_iter()
                    .find(|(unit_ms, _)| every_ms % unit_ms == 0 && *every_ms > 0)
                    .map(|(unit_ms, unit)| (every_ms / unit_ms, unit))
                    // Only a hand-built rate can get here; rates parse in whole minutes.
                    .unwrap_or((*every_ms, "millisecond"));
                let plural = if value == 1 { "" } else { "s" };
                write!(f, "rate({value} {unit}{plural})")
            }
        }
    }
}

/// Days since 1970-01-01 of the proleptic Gregorian date `y-m-d` (Hinnant's
/// `days_from_civil`); `m` is 1-12 and `d` 1-31.
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let (m, d) = (i64::from(m), i64::from(d));
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The proleptic Gregorian date `(y, m, d)` of `days` since 1970-01-01 (Hinnant's
/// `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// The weekday of `days` since 1970-01-01, 1 = Sunday ... 7 = Saturday (1970-01-01 was a
/// Thursday, 5).
fn weekday(days: i64) -> u32 {
    (days + 4).rem_euclid(7) as u32 + 1
}

fn is_leap_year(y: i64) -> bool {
    y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)
}

/// The number of days in month `m` (1-12) of year `y`.
fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        2 if is_leap_year(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Parses an RFC 3339 UTC timestamp, `YYYY-MM-DDTHH:MM:SSZ` (or with `+00:00` for `Z`),
/// into seconds since the Unix epoch. Years 1970-2199; surrounding whitespace is ignored.
pub fn parse_utc_timestamp(text: &str) -> Result<i64, String> {
    let text = text.trim();
    let malformed = || {
        format!("`{text}`: expected a UTC time as YYYY-MM-DDTHH:MM:SSZ, as in 2026-01-01T00:00:00Z")
    };
    let b = text.as_bytes();
    let zone_ok = match b.len() {
        20 => b[19] == b'Z',
        25 => &b[19..] == b"+00:00",
        _ => false,
    };
    let separators_ok = b.len() >= 19
        && b[4] == b'-'
        && b[7] == b'-'
        && b[10] == b'T'
        && b[13] == b':'
        && b[16] == b':';
    if !zone_ok || !separators_ok {
        return Err(malformed());
    }
    let number = |from: usize, to: usize| -> Option<u32> {
        b[from..to].iter().try_fold(0u32, |n, &c| {
            c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
        })
    };
    let fields = (
        number(0, 4),
        number(5, 7),
        number(8, 10),
        number(11, 13),
        number(14, 16),
        number(17, 19),
    );
    let (Some(y), Some(m), Some(d), Some(h), Some(mi), Some(s)) = fields else {
        return Err(malformed());
    };
    let y = i64::from(y);
    if !(FIRST_YEAR..=LAST_YEAR).contains(&y) {
        return Err(format!("`{text}`: the year {y} is not in 1970-2199"));
    }
    if !(1..=12).contains(&m) {
        return Err(format!("`{text}`: the month {m:02} is not in 01-12"));
    }
    let len = days_in_month(y, m);
    if !(1..=len).contains(&d) {
        return Err(format!(
            "`{text}`: the day {d:02} is not in 01-{len} for that month"
        ));
    }
    if h > 23 {
        return Err(format!("`{text}`: the hour {h:02} is not in 00-23"));
    }
    if mi > 59 {
        return Err(format!("`{text}`: the minute {mi:02} is not in 00-59"));
    }
    if s > 59 {
        return Err(format!("`{text}`: the second {s:02} is not in 00-59"));
    }
    Ok(days_from_civil(y, m, d) * 86_400 + i64::from(h * 3600 + mi * 60 + s))
}

/// Formats seconds since the Unix epoch as an RFC 3339 UTC timestamp,
/// `2026-01-01T00:00:00Z`; the inverse of [`parse_utc_timestamp`].
pub fn format_utc_timestamp(unix_s: i64) -> String {
    let (y, m, d) = civil_from_days(unix_s.div_euclid(86_400));
    let s = unix_s.rem_euclid(86_400);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        s / 3600,
        s / 60 % 60,
        s % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2026-01-01T00:00:00Z, a Thursday.
    const JAN_1_2026: i64 = 1_767_225_600;

    fn cron(text: &str) -> Schedule {
        match Schedule::parse(text) {
            Ok(schedule) => schedule,
            Err(e) => panic!("{text}: {e}"),
        }
    }

    fn ts(text: &str) -> i64 {
        match parse_utc_timestamp(text) {
            Ok(s) => s,
            Err(e) => panic!("{e}"),
        }
    }

    /// The next `n` firings after `after` (a timestamp), as timestamps, starting the
    /// simulation at `start`.
    fn firings(text: &str, start: &str, after: &str, n: usize) -> Vec<String> {
        let schedule = cron(text);
        let start_s = ts(start);
        let mut at = u64::try_from(ts(after) - start_s).expect("after the start") * 1000;
        let mut out = Vec::new();
        for _ in 0..n {
            match schedule.next_after(at, start_s) {
                Some(next) => {
                    assert!(next > at);
                    assert_eq!(next % 1000, 0);
                    out.push(format_utc_timestamp(start_s + (next / 1000) as i64));
                    at = next;
                }
                None => break,
            }
        }
        out
    }

    fn err(text: &str) -> String {
        match Schedule::parse(text) {
            Ok(s) => panic!("{text} parsed as {s:?}"),
            Err(e) => e,
        }
    }

    #[test]
    fn calendar_fixed_dates() {
        assert_eq!(ts("2026-01-01T00:00:00Z"), JAN_1_2026);
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(weekday(0), 5); // Thursday
        assert_eq!(weekday(JAN_1_2026 / 86_400), 5); // Thursday
        assert_eq!(civil_from_days(JAN_1_2026 / 86_400), (2026, 1, 1));
        assert!(parse_utc_timestamp("2024-02-29T00:00:00Z").is_ok());
        assert!(parse_utc_timestamp("2023-02-29T00:00:00Z").is_err());
        assert!(parse_utc_timestamp("2100-02-29T00:00:00Z").is_err());
        assert!(parse_utc_timestamp("2000-02-29T00:00:00Z").is_ok());
        assert_eq!(days_in_month(2100, 2), 28);
        assert_eq!(days_in_month(2000, 2), 29);
        // Round trip over every day 1970-2199, and days_from_civil agrees.
        let last = days_from_civil(2200, 1, 1);
        for days in 0..last {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
            assert!(d >= 1 && d <= days_in_month(y, m));
        }
        assert_eq!(civil_from_days(last - 1), (2199, 12, 31));
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
    }

    #[test]
    fn timestamps() {
        assert_eq!(ts("1970-01-01T00:00:00Z"), 0);
        assert_eq!(ts(" 2026-01-01T00:00:00+00:00 "), JAN_1_2026);
        assert_eq!(ts("2026-01-01T01:02:03Z"), JAN_1_2026 + 3723);
        assert_eq!(format_utc_timestamp(JAN_1_2026), "2026-01-01T00:00:00Z");
        assert_eq!(
            format_utc_timestamp(JAN_1_2026 + 3723),
            "2026-01-01T01:02:03Z"
        );
        assert_eq!(format_utc_timestamp(-1), "1969-12-31T23:59:59Z");
        assert_eq!(
            ts("2199-12-31T23:59:59Z"),
            days_from_civil(2200, 1, 1) * 86_400 - 1
        );
        for s in [0, 1, 59, 86_399, 951_782_400, JAN_1_2026 + 12_345_678] {
            assert_eq!(ts(&format_utc_timestamp(s)), s);
        }
        for bad in [
            "",
            "2026-01-01",
            "2026-01-01 00:00:00Z",
            "2026-01-01T00:00:00",
            "2026-01-01t00:00:00z",
            "2026-01-01T00:00:00+01:00",
            "2026-1-01T00:00:00Z",
            "2026-01-01T00:00:00.5Z",
            "1969-12-31T23:59:59Z",
            "2200-01-01T00:00:00Z",
            "2026-00-01T00:00:00Z",
            "2026-13-01T00:00:00Z",
            "2026-04-31T00:00:00Z",
            "2026-01-00T00:00:00Z",
            "2026-01-01T24:00:00Z",
            "2026-01-01T00:60:00Z",
            "2026-01-01T00:00:60Z",
            "2026-01-01T00:00:0éZ",
            "２０２６-01-01T00:00:00Z",
            "+026-01-01T00:00:00Z",
        ] {
            assert!(parse_utc_timestamp(bad).is_err(), "{bad}");
        }
        assert_eq!(
            parse_utc_timestamp("2026-02-30T00:00:00Z").unwrap_err(),
            "`2026-02-30T00:00:00Z`: the day 30 is not in 01-28 for that month"
        );
        // Out-of-range inputs to the formatter do not panic.
        let _ = format_utc_timestamp(i64::MIN);
        let _ = format_utc_timestamp(i64::MAX);
    }

    #[test]
    fn documentation_examples() {
        let start = "2026-01-01T00:00:00Z"; // a Thursday
        assert_eq!(
            firings("cron(0 10 * * ? *)", start, start, 2),
            ["2026-01-01T10:00:00Z", "2026-01-02T10:00:00Z"]
        );
        assert_eq!(
            firings("cron(15 12 * * ? *)", start, start, 2),
            ["2026-01-01T12:15:00Z", "2026-01-02T12:15:00Z"]
        );
        assert_eq!(
            firings("cron(0 18 ? * MON-FRI *)", start, start, 3),
            [
                "2026-01-01T18:00:00Z",
                "2026-01-02T18:00:00Z",
                "2026-01-05T18:00:00Z"
            ]
        );
        assert_eq!(
            firings("cron(0 8 1 * ? *)", start, start, 2),
            ["2026-01-01T08:00:00Z", "2026-02-01T08:00:00Z"]
        );
        assert_eq!(
            firings("cron(0/15 * * * ? *)", start, start, 5),
            [
                "2026-01-01T00:15:00Z",
                "2026-01-01T00:30:00Z",
                "2026-01-01T00:45:00Z",
                "2026-01-01T01:00:00Z",
                "2026-01-01T01:15:00Z"
            ]
        );
        assert_eq!(
            firings(
                "cron(0/10 * ? * MON-FRI *)",
                start,
                "2026-01-02T23:45:00Z",
                2
            ),
            ["2026-01-02T23:50:00Z", "2026-01-05T00:00:00Z"]
        );
        assert_eq!(
            firings(
                "cron(0/5 8-17 ? * MON-FRI *)",
                start,
                "2026-01-02T17:50:00Z",
                3
            ),
            [
                "2026-01-02T17:55:00Z",
                "2026-01-05T08:00:00Z",
                "2026-01-05T08:05:00Z"
            ]
        );
        // The first Monday of the month.
        assert_eq!(
            firings("cron(0 9 ? * 2#1 *)", start, start, 3),
            [
                "2026-01-05T09:00:00Z",
                "2026-02-02T09:00:00Z",
                "2026-03-02T09:00:00Z"
            ]
        );
    }

    #[test]
    fn l_w_and_hash() {
        let start = "2026-01-01T00:00:00Z";
        // The last day of the month, leap years included.
        assert_eq!(
            firings("cron(0 0 L * ? *)", start, start, 3),
            [
                "2026-01-31T00:00:00Z",
                "2026-02-28T00:00:00Z",
                "2026-03-31T00:00:00Z"
            ]
        );
        assert_eq!(
            firings("cron(0 0 L 2 ? *)", start, start, 3),
            [
                "2026-02-28T00:00:00Z",
                "2027-02-28T00:00:00Z",
                "2028-02-29T00:00:00Z"
            ]
        );
        // The last weekday: 2026-01-31 is a Saturday, 2026-05-31 a Sunday.
        assert_eq!(
            firings("cron(0 0 LW 1,5,6 ? 2026)", start, start, 4),
            [
                "2026-01-30T00:00:00Z",
                "2026-05-29T00:00:00Z",
                "2026-06-30T00:00:00Z"
            ]
        );
        // L alone in day-of-week is Saturday; 5L the last Thursday; 6#3 the third Friday.
        assert_eq!(
            firings("cron(0 0 ? * L *)", start, start, 2),
            ["2026-01-03T00:00:00Z", "2026-01-10T00:00:00Z"]
        );
        assert_eq!(
            firings("cron(0 0 ? * 5L *)", start, start, 3),
            [
                "2026-01-29T00:00:00Z",
                "2026-02-26T00:00:00Z",
                "2026-03-26T00:00:00Z"
            ]
        );
        assert_eq!(
            firings("cron(0 0 ? * thuL *)", start, start, 1),
            ["2026-01-29T00:00:00Z"]
        );
        assert_eq!(
            firings("cron(0 0 ? * FRI#3 *)", start, start, 2),
            ["2026-01-16T00:00:00Z", "2026-02-20T00:00:00Z"]
        );
        assert_eq!(
            firings("cron(0 9 ? * 3#2 *)", start, start, 1),
            ["2026-01-13T09:00:00Z"]
        );
        // A fifth Thursday only in months that have one (Jan, Apr, Jul, Oct, Dec 2026).
        assert_eq!(
            firings("cron(0 0 ? * 5#5 2026)", start, start, 6),
            [
                "2026-01-29T00:00:00Z",
                "2026-04-30T00:00:00Z",
                "2026-07-30T00:00:00Z",
                "2026-10-29T00:00:00Z",
                "2026-12-31T00:00:00Z"
            ]
        );
        // W: 2026-01-03 is a Saturday -> Friday the 2nd; 2026-01-04 a Sunday -> Monday the
        // 5th; 2026-08-01 a Saturday -> Monday the 3rd (not July); 2026-05-31 a Sunday ->
        // Friday the 29th (not June); a weekday stays put.
        assert_eq!(
            firings("cron(0 0 3W 1 ? 2026)", start, start, 1),
            ["2026-01-02T00:00:00Z"]
        );
        assert_eq!(
            firings("cron(0 0 4W 1 ? 2026)", start, start, 1),
            ["2026-01-05T00:00:00Z"]
        );
        assert_eq!(
            firings("cron(0 0 1W 8 ? 2026)", start, start, 1),
            ["2026-08-03T00:00:00Z"]
        );
        assert_eq!(
            firings("cron(0 0 31W 5 ? 2026)", start, start, 1),
            ["2026-05-29T00:00:00Z"]
        );
        assert_eq!(
            firings("cron(0 0 7w 1 ? 2026)", start, start, 1),
            ["2026-01-07T00:00:00Z"]
        );
        // 31W never fires in a 30-day month.
        assert_eq!(
            firings("cron(0 0 31W 4,5 ? 2026)", start, start, 2),
            ["2026-05-29T00:00:00Z"]
        );
    }

    #[test]
    fn leap_years_and_year_ranges() {
        let start = "2026-01-01T00:00:00Z";
        assert_eq!(
            firings("cron(0 0 29 2 ? *)", start, start, 4),
            [
                "2028-02-29T00:00:00Z",
                "2032-02-29T00:00:00Z",
                "2036-02-29T00:00:00Z",
                "2040-02-29T00:00:00Z"
            ]
        );
        // 2100 is not a leap year: from 2097 the next Feb 29 is in 2104.
        assert_eq!(
            firings("cron(0 0 29 2 ? *)", start, "2097-01-01T00:00:00Z", 1),
            ["2104-02-29T00:00:00Z"]
        );
        // The last one before 2200, then none.
        assert_eq!(
            firings("cron(0 0 29 2 ? *)", start, "2196-03-01T00:00:00Z", 2),
            Vec::<String>::new()
        );
        assert_eq!(
            firings("cron(59 23 31 12 ? *)", start, "2199-01-01T00:00:00Z", 2),
            ["2199-12-31T23:59:00Z"]
        );
        // Never: February 31st, or only years already past.
        let t0 = ts(start);
        assert_eq!(cron("cron(0 0 31 2 ? *)").next_after(0, t0), None);
        assert_eq!(cron("cron(0 0 30 FEB ? *)").next_after(0, t0), None);
        assert_eq!(cron("cron(0 0 * * ? 1970-2025)").next_after(0, t0), None);
        assert_eq!(
            firings("cron(30 6 1 1 ? 2027-2029)", start, start, 4),
            [
                "2027-01-01T06:30:00Z",
                "2028-01-01T06:30:00Z",
                "2029-01-01T06:30:00Z"
            ]
        );
        assert_eq!(
            firings("cron(0 0 1 JAN ? 2030/50)", start, start, 4),
            [
                "2030-01-01T00:00:00Z",
                "2080-01-01T00:00:00Z",
                "2130-01-01T00:00:00Z",
                "2180-01-01T00:00:00Z"
            ]
        );
        assert_eq!(
            firings(
                "cron(0 0 1 1 ? 2026,2150,2199)",
                "2025-12-31T00:00:00Z",
                "2025-12-31T00:00:00Z",
                4
            ),
            [
                "2026-01-01T00:00:00Z",
                "2150-01-01T00:00:00Z",
                "2199-01-01T00:00:00Z"
            ]
        );
        // A start before 1970 still finds 1970.
        assert_eq!(
            cron("cron(0 0 1 1 ? 1970)").next_after(0, -86_400),
            Some(86_400_000)
        );
        // Nothing past the end of 2199, and nothing a u64 cannot hold.
        assert_eq!(cron("cron(* * * * ? *)").next_after(u64::MAX, t0), None);
        assert_eq!(cron("cron(* * * * ? *)").next_after(0, i64::MIN), None);
        assert_eq!(cron("cron(* * * * ? *)").next_after(0, i64::MAX), None);
    }

    #[test]
    fn strictly_after_and_unaligned_start() {
        let t0 = JAN_1_2026;
        let daily = cron("cron(0 10 * * ? *)");
        let ten = 10 * HOUR_MS;
        assert_eq!(daily.next_after(0, t0), Some(ten));
        assert_eq!(daily.next_after(ten - 1, t0), Some(ten));
        assert_eq!(daily.next_after(ten, t0), Some(ten + DAY_MS));
        // Time zero at 00:00:30: minutes fire at 00:01:00, 00:02:00, ...
        let every = cron("cron(* * * * ? *)");
        assert_eq!(every.next_after(0, t0 + 30), Some(30_000));
        assert_eq!(every.next_after(29_999, t0 + 30), Some(30_000));
        assert_eq!(every.next_after(30_000, t0 + 30), Some(90_000));
        assert_eq!(daily.next_after(0, t0 + 30), Some(ten - 30_000));
        // Time zero exactly on a firing (10:00:00): that one is not strictly after time
        // zero, so the first is a day later.
        assert_eq!(daily.next_after(0, t0 + 36_000), Some(DAY_MS));
        // A firing time itself: strictly after it.
        let quarter = cron("cron(0/15 * * * ? *)");
        assert_eq!(quarter.next_after(15 * MINUTE_MS, t0), Some(30 * MINUTE_MS));
        assert_eq!(
            quarter.next_after(15 * MINUTE_MS - 1, t0),
            Some(15 * MINUTE_MS)
        );
    }

    #[test]
    fn rates() {
        let r = |text: &str| match Schedule::parse(text) {
            Ok(Schedule::Rate { every_ms }) => every_ms,
            other => panic!("{text}: {other:?}"),
        };
        assert_eq!(r("rate(1 minute)"), MINUTE_MS);
        assert_eq!(r("rate(5 minutes)"), 5 * MINUTE_MS);
        assert_eq!(r("rate(1 hour)"), HOUR_MS);
        assert_eq!(r("rate(12 hours)"), 12 * HOUR_MS);
        assert_eq!(r("rate(1 day)"), DAY_MS);
        assert_eq!(r("  rate(7 days) "), 7 * DAY_MS);
        assert_eq!(r("rate( 2   hours )"), 2 * HOUR_MS);
        for bad in [
            "rate(1 minutes)",
            "rate(5 minute)",
            "rate(1 hours)",
            "rate(2 day)",
            "rate(0 minutes)",
            "rate(-1 minutes)",
            "rate(1.5 hours)",
            "rate(5 seconds)",
            "rate(5 Minutes)",
            "rate(5)",
            "rate(minutes)",
            "rate()",
            "rate(5 minutes",
            "rate 5 minutes",
            "rate(5 minutes) x",
            "rate(99999999999999999999 days)",
        ] {
            assert!(Schedule::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(
            err("rate(1 minutes)"),
            "`rate(1 minutes)`: a value of 1 takes minute, hour or day; a larger value \
             takes minutes, hours or days"
        );
        // Fires at every_ms, 2 * every_ms, ..., whatever the calendar start.
        let five = Schedule::Rate {
            every_ms: 5 * MINUTE_MS,
        };
        assert_eq!(five.next_after(0, 12_345), Some(5 * MINUTE_MS));
        assert_eq!(five.next_after(5 * MINUTE_MS - 1, 0), Some(5 * MINUTE_MS));
        assert_eq!(five.next_after(5 * MINUTE_MS, 0), Some(10 * MINUTE_MS));
        assert_eq!(five.next_after(u64::MAX - 1, 0), None);
        assert_eq!(Schedule::Rate { every_ms: 0 }.next_after(0, 0), None);
    }

    #[test]
    fn display() {
        for text in [
            "rate(1 minute)",
            "rate(5 minutes)",
            "rate(1 hour)",
            "rate(90 minutes)",
            "rate(1 day)",
            "rate(3 days)",
            "cron(0 18 ? * MON-FRI *)",
            "cron(0/5  8-17 ? * mon-fri *)",
        ] {
            let schedule = cron(&format!("  {text}\n"));
            assert_eq!(schedule.to_string(), text);
            assert_eq!(cron(&schedule.to_string()), schedule);
        }
        assert_eq!(cron("rate(60 minutes)").to_string(), "rate(1 hour)");
        assert_eq!(cron("rate(48 hours)").to_string(), "rate(2 days)");
    }

    #[test]
    fn field_errors() {
        assert_eq!(
            err("cron(0 10 ? * MON-XYZ *)"),
            "the day-of-week field `MON-XYZ`: expected 1-7 or SUN-SAT, with , - * / ? L #"
        );
        assert_eq!(
            err("cron(60 10 * * ? *)"),
            "the minutes field `60`: 60 is not in 0-59"
        );
        assert_eq!(
            err("cron(0 24 * * ? *)"),
            "the hours field `24`: 24 is not in 0-23"
        );
        assert_eq!(
            err("cron(0 0 0 * ? *)"),
            "the day-of-month field `0`: 0 is not in 1-31"
        );
        assert_eq!(
            err("cron(0 0 32 * ? *)"),
            "the day-of-month field `32`: 32 is not in 1-31"
        );
        assert_eq!(
            err("cron(0 0 1 13 ? *)"),
            "the month field `13`: 13 is not in 1-12"
        );
        assert_eq!(
            err("cron(0 0 1 JANUARY ? *)"),
            "the month field `JANUARY`: expected 1-12 or JAN-DEC, with , - * /"
        );
        assert_eq!(
            err("cron(0 0 ? * 8 *)"),
            "the day-of-week field `8`: 8 is not in 1-7"
        );
        assert_eq!(
            err("cron(0 0 ? * 0 *)"),
            "the day-of-week field `0`: 0 is not in 1-7"
        );
        assert_eq!(
            err("cron(0 0 1 * ? 1969)"),
            "the year field `1969`: 1969 is not in 1970-2199"
        );
        assert_eq!(
            err("cron(0 0 1 * ? 2200)"),
            "the year field `2200`: 2200 is not in 1970-2199"
        );
        assert_eq!(
            err("cron(0 17-9 * * ? *)"),
            "the hours field `17-9`: the range 17-9 runs backwards; a range runs from low to high"
        );
        assert_eq!(
            err("cron(0/0 * * * ? *)"),
            "the minutes field `0/0`: a step after / must be a whole number of at least 1"
        );
        assert_eq!(
            err("cron(0 0 ? * 3#6 *)"),
            "the day-of-week field `3#6`: # takes a day 1-7 or SUN-SAT and an occurrence 1-5, \
             as in 3#2 (the second Tuesday)"
        );
        assert_eq!(
            err("cron(0 0 ? * 3#1,6#3 *)"),
            "the day-of-week field `3#1,6#3`: a ?, L, W or # form must stand alone in its \
             field, not in a list"
        );
        assert_eq!(
            err("cron(0 0 32W * ? *)"),
            "the day-of-month field `32W`: W takes one day 1-31 before it, as in 15W (or LW, \
             the last weekday)"
        );
        for (bad, field) in [
            ("cron(? 0 1 * ? *)", "minutes"),
            ("cron(L 0 1 * ? *)", "minutes"),
            ("cron(0 ? 1 * ? *)", "hours"),
            ("cron(0 0 1 ? * *)", "month"),
            ("cron(0 0 1 L ? *)", "month"),
            ("cron(0 0 1 * ? ?)", "year"),
            ("cron(0 0 1 * ? L)", "year"),
            ("cron(0 0 1#2 * ? *)", "day-of-month"),
            ("cron(0 0 ? * 3W *)", "day-of-week"),
            ("cron(0 0 L,15 * ? *)", "day-of-month"),
            ("cron(0 0 15W-20 * ? *)", "day-of-month"),
            ("cron(0 0 ? * 1-3L *)", "day-of-week"),
            ("cron(0 0 ? * 2,5L *)", "day-of-week"),
            ("cron(0 0 ? * ?,1 *)", "day-of-week"),
            ("cron(0 0 ?,1 * ? *)", "day-of-month"),
            ("cron(0 0 1 * 2 *)", "day-of-month and day-of-week"),
            ("cron(0 0 ? * ? *)", "day-of-month and day-of-week"),
            ("cron(0 0 * * * *)", "day-of-month and day-of-week"),
            ("cron(0-60 0 1 * ? *)", "minutes"),
            ("cron(1,,2 0 1 * ? *)", "minutes"),
            ("cron(*/ 0 1 * ? *)", "minutes"),
            ("cron(-1 0 1 * ? *)", "minutes"),
            ("cron(0 0 1 * ? 2026-)", "year"),
            ("cron(0 0 1 FEB-JAN ? *)", "month"),
            ("cron(0 0 1 * ? 99999999999)", "year"),
        ] {
            let e = err(bad);
            assert!(e.contains(field), "{bad}: {e}");
        }
        assert!(err("cron(0 0 1 * ?)").contains("six fields"));
        assert!(err("cron(0 0 1 * ? * *)").contains("six fields"));
        assert!(err("cron(0 0 ? * ? *)").contains("only one"));
        assert!(err("cron(0 0 1 * MON *)").contains("must be `?`"));
    }

    #[test]
    fn names_and_lists() {
        let start = "2025-12-31T00:00:00Z";
        assert_eq!(
            firings("cron(0 0 1 jan,Mar-apr ? 2026)", start, start, 4),
            [
                "2026-01-01T00:00:00Z",
                "2026-03-01T00:00:00Z",
                "2026-04-01T00:00:00Z"
            ]
        );
        assert_eq!(
            firings("cron(0 12 ? * sat,SUN 2026)", start, start, 3),
            [
                "2026-01-03T12:00:00Z",
                "2026-01-04T12:00:00Z",
                "2026-01-10T12:00:00Z"
            ]
        );
        assert_eq!(
            firings("cron(5,10-12,40/10 2 1 1 ? 2026)", start, start, 9),
            [
                "2026-01-01T02:05:00Z",
                "2026-01-01T02:10:00Z",
                "2026-01-01T02:11:00Z",
                "2026-01-01T02:12:00Z",
                "2026-01-01T02:40:00Z",
                "2026-01-01T02:50:00Z"
            ]
        );
        assert_eq!(
            firings("cron(0 0 */10 2 ? 2026)", start, start, 4),
            [
                "2026-02-01T00:00:00Z",
                "2026-02-11T00:00:00Z",
                "2026-02-21T00:00:00Z"
            ]
        );
        assert_eq!(
            firings("cron(0 0 1 1-12/5 ? 2026)", start, start, 4),
            [
                "2026-01-01T00:00:00Z",
                "2026-06-01T00:00:00Z",
                "2026-11-01T00:00:00Z"
            ]
        );
    }

    #[test]
    fn odd_strings_do_not_panic() {
        let long = "9".repeat(10_000);
        let odd = [
            String::new(),
            " ".into(),
            "cron()".into(),
            "rate()".into(),
            "cron(".into(),
            "rate(".into(),
            ")".into(),
            "cron)".into(),
            "cron(0 0 1 * ? *".into(),
            "cron(0 0 1 * ? *))".into(),
            "CRON(0 0 1 * ? *)".into(),
            "cron(0 0 1 * ? *) rate(1 day)".into(),
            format!("cron({long} 0 1 * ? *)"),
            format!("cron(0/{long} 0 1 * ? *)"),
            format!("cron(0 0 {long}W * ? *)"),
            format!("cron(0 0 ? * 1#{long} *)"),
            format!("rate({long} minutes)"),
            "cron(é 0 1 * ? *)".into(),
            "cron(0 0 1 * ? ２０２６)".into(),
            "cron(0 0 1é * ? *)".into(),
            "cron(0 0 ? * ÉL *)".into(),
            "cron(0 0 ? * L# *)".into(),
            "cron(0 0 ? * # *)".into(),
            "cron(0 0 ? * #L *)".into(),
            "cron(0 0 W * ? *)".into(),
            "cron(0 0 LW,1 * ? *)".into(),
            "cron(0 0 ? * - *)".into(),
            "cron(0 0 ? * / *)".into(),
            "cron(0 0 ? * */ *)".into(),
            "cron(0 0 ? * /1 *)".into(),
            "cron(* * * * ? */1/2)".into(),
            "cron(0\u{a0}0 1 * ? *)".into(),
            "rate(5 minutes\u{301})".into(),
            "rate(１ minute)".into(),
            "🦀".into(),
            "\0".into(),
        ];
        for text in &odd {
            if let Ok(schedule) = Schedule::parse(text) {
                let _ = schedule.next_after(0, JAN_1_2026);
                let _ = schedule.to_string();
            }
            let _ = parse_utc_timestamp(text);
        }
        assert!(Schedule::parse("").is_err());
        assert!(Schedule::parse("cron()").is_err());
        assert!(Schedule::parse("rate()").is_err());
        assert!(Schedule::parse(&format!("cron({long} 0 1 * ? *)")).is_err());
    }

    /// A tiny deterministic generator (a 64-bit LCG, high bits out).
    struct Lcg(u64);

    impl Lcg {
        fn next(&mut self) -> u32 {
            self.0 = self
                .0
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (self.0 >> 33) as u32
        }

        /// Uniform-ish in `lo..=hi`.
        fn range(&mut self, lo: u32, hi: u32) -> u32 {
            lo + self.next() % (hi - lo + 1)
        }

        fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
            items[self.next() as usize % items.len()]
        }
    }

    /// A random list-and-range field over `lo..=hi`.
    fn random_field(g: &mut Lcg, lo: u32, hi: u32, names: &[&str]) -> String {
        let value = |g: &mut Lcg, v: u32| -> String {
            if !names.is_empty() && g.next().is_multiple_of(3) {
                let name = names[(v - lo) as usize];
                if g.next().is_multiple_of(2) {
                    name.to_ascii_lowercase()
                } else {
                    name.to_string()
                }
            } else {
                v.to_string()
            }
        };
        let terms = 1 + g.next() % 3;
        let mut parts = Vec::new();
        for _ in 0..terms {
            let a = g.range(lo, hi);
            let b = g.range(a, hi);
            let step = g.range(1, (hi - lo) / 2 + 1);
            parts.push(match g.next() % 6 {
                // `*` in a list would swamp the other terms.
                0 if terms == 1 => "*".to_string(),
                0 => value(g, b),
                1 => value(g, a),
                2 => format!("{}-{}", value(g, a), value(g, b)),
                3 => format!("{}/{step}", value(g, a)),
                4 => format!("*/{step}"),
                _ => format!("{}-{}/{step}", value(g, a), value(g, b)),
            });
        }
        parts.join(",")
    }

    /// A random cron expression; the year field covers 2026-2027 more often than not.
    fn random_cron(g: &mut Lcg) -> String {
        let minutes = match g.next() % 3 {
            0 => random_field(g, 0, 59, &[]),
            // Keep some schedules sparse so the day logic decides.
            _ => g.range(0, 59).to_string(),
        };
        let hours = match g.next() % 3 {
            0 => random_field(g, 0, 23, &[]),
            1 => "*".into(),
            _ => g.range(0, 23).to_string(),
        };
        let months = match g.next() % 2 {
            0 => "*".into(),
            _ => random_field(g, 1, 12, &MONTH_NAMES),
        };
        let years = g
            .pick(&[
                "*",
                "*",
                "2026",
                "2026-2027",
                "2027",
                "2020/3",
                "1970-2025,2027",
            ])
            .to_string();
        let (dom, dow) = if g.next().is_multiple_of(2) {
            let dom = match g.next() % 6 {
                0 => "L".to_string(),
                1 => "LW".to_string(),
                // Half the time at a month's edges, where W must not cross into the next.
                2 if g.next().is_multiple_of(2) => {
                    format!("{}W", g.pick(&["1", "2", "28", "29", "30", "31"]))
                }
                2 => format!("{}W", g.range(1, 31)),
                3 => "*".to_string(),
                _ => random_field(g, 1, 31, &[]),
            };
            (dom, "?".to_string())
        } else {
            let day = |g: &mut Lcg| -> String {
                let w = g.range(1, 7);
                if g.next().is_multiple_of(2) {
                    WEEKDAY_NAMES[(w - 1) as usize].to_string()
                } else {
                    w.to_string()
                }
            };
            let dow = match g.next() % 6 {
                0 => "L".to_string(),
                1 => format!("{}L", day(g)),
                2 => format!("{}#{}", day(g), g.range(1, 5)),
                3 => "*".to_string(),
                _ => random_field(g, 1, 7, &WEEKDAY_NAMES),
            };
            ("?".to_string(), dow)
        };
        format!("cron({minutes} {hours} {dom} {months} {dow} {years})")
    }

    /// Whether `cron` fires at `minute` (since the Unix epoch), checked field by field
    /// with the day rules written out longhand.
    fn reference_matches(cron: &Cron, minute: i64) -> bool {
        let days = minute.div_euclid(1440);
        let (y, m, d) = civil_from_days(days);
        let (h, mi) = (minute.rem_euclid(1440) / 60, minute.rem_euclid(60));
        let len = days_in_month(y, m);
        let wd = weekday(days);
        let weekday_of = |day: u32| weekday(days_from_civil(y, m, day));
        let is_weekday = |day: u32| (2..=6).contains(&weekday_of(day));
        let year_ok = (1970..=2199).contains(&y) && {
            let i = (y - 1970) as usize;
            cron.years[i / 64] & (1 << (i % 64)) != 0
        };
        let time_ok = cron.months & (1 << m) != 0
            && cron.hours & (1 << h) != 0
            && cron.minutes & (1 << mi) != 0;
        if !(year_ok && time_ok) {
            return false;
        }
        let dom_ok = match cron.day_of_month {
            DayOfMonth::Any => true,
            DayOfMonth::Days(mask) => mask & (1 << d) != 0,
            DayOfMonth::Last => d == len,
            DayOfMonth::LastWeekday => (1..=len).filter(|&c| is_weekday(c)).max() == Some(d),
            DayOfMonth::NearestWeekday(n) => {
                n <= len
                    && (1..=len)
                        .filter(|&c| is_weekday(c))
                        .min_by_key(|&c| c.abs_diff(n))
                        == Some(d)
            }
        };
        let dow_ok = match cron.day_of_week {
            DayOfWeek::Any => true,
            DayOfWeek::Days(mask) => mask & (1 << wd) != 0,
            DayOfWeek::LastOfMonth(w) => wd == w && d + 7 > len,
            DayOfWeek::Nth { weekday, nth } => wd == weekday && (d - 1) / 7 + 1 == nth,
        };
        dom_ok && dow_ok
    }

    #[test]
    fn matches_brute_force_reference() {
        let mut g = Lcg(0x5eed_cafe);
        let window_minutes = 62 * 1440;
        for _ in 0..64 {
            let text = random_cron(&mut g);
            let schedule = cron(&text);
            let Schedule::Cron(parsed) = &schedule else {
                panic!("{text}: not a cron")
            };
            // Time zero somewhere in 2026, at any second.
            let start_s = JAN_1_2026 + i64::from(g.range(0, 364 * 86_400));
            let mut after_ms = u64::from(g.range(0, 3_600_000));
            let window_end = (start_s * 1000 + after_ms as i64) / 60_000 + window_minutes;
            // Every firing in the window, in order, as the brute force finds them.
            let mut minute = (start_s * 1000 + after_ms as i64).div_euclid(60_000) + 1;
            while minute <= window_end {
                let got = schedule
                    .next_after(after_ms, start_s)
                    .map(|ms| (start_s * 1000 + ms as i64) / 60_000);
                // Firings are on minute boundaries.
                assert!(schedule
                    .next_after(after_ms, start_s)
                    .is_none_or(|ms| (start_s * 1000 + ms as i64) % 60_000 == 0));
                while minute <= window_end && !reference_matches(parsed, minute) {
                    minute += 1;
                }
                if minute > window_end {
                    assert!(
                        !matches!(got, Some(m) if m <= window_end),
                        "{text}: start {} got {:?} but the reference finds none by {}",
                        format_utc_timestamp(start_s),
                        got.map(|m| format_utc_timestamp(m * 60)),
                        format_utc_timestamp(window_end * 60),
                    );
                    break;
                }
                assert_eq!(
                    got.map(|m| format_utc_timestamp(m * 60)),
                    Some(format_utc_timestamp(minute * 60)),
                    "{text}: start {}, after {after_ms} ms",
                    format_utc_timestamp(start_s),
                );
                after_ms = u64::try_from((minute * 60 - start_s) * 1000).expect("after zero");
                minute += 1;
            }
        }
    }

    #[test]
    fn sparse_schedules_are_fast() {
        // Each answer takes a few hundred steps at most, not a walk over every minute.
        let t0 = JAN_1_2026;
        for text in [
            "cron(0 0 31 2 ? *)",
            "cron(0 0 29 2 ? *)",
            "cron(59 23 31 12 ? 2199)",
            "cron(0 0 ? * 6#5 2199)",
            "cron(0 0 30W 2 ? *)",
        ] {
            let schedule = cron(text);
            let mut at = 0;
            for _ in 0..300 {
                match schedule.next_after(at, t0) {
                    Some(next) => at = next,
                    None => break,
                }
            }
        }
    }
}
