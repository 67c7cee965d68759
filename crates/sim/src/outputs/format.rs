//! Numbers as the output files write them, without `core::fmt`: integers in decimal,
//! `SimTime` as seconds with three decimals and task names, each the exact bytes its
//! `Display` writes, straight into a row's buffer (`write_*`) or into a small value on the
//! stack that a `String` copies from (`u64`, `time`, ...). The per-row output files write
//! millions of them, and `fmt`'s machinery was a third of their writing.

use des::SimTime;

/// Pairs of decimal digits, `00` to `99`.
const PAIRS: &[u8; 200] = b"\
0001020304050607080910111213141516171819\
2021222324252627282930313233343536373839\
4041424344454647484950515253545556575859\
6061626364656667686970717273747576777879\
8081828384858687888990919293949596979899";

/// The longest text: `t-` and 20 digits (a task name of the largest number), or 17 digits,
/// the point and 3 decimals (`SimTime::MAX`), or a sign and 19 digits (`i64::MIN`).
const CAPACITY: usize = 24;

/// Where formatted bytes go: a row's buffer, or a `Formatted` on the stack.
pub(crate) trait Bytes {
    /// `len` more bytes at the end, to be overwritten.
    fn grow(&mut self, len: usize) -> &mut [u8];
}

impl Bytes for Vec<u8> {
    fn grow(&mut self, len: usize) -> &mut [u8] {
        let start = self.len();
        self.resize(start + len, b'0');
        &mut self[start..]
    }
}

/// Formatted text on the stack, for a `String` to copy (`as_str`).
#[derive(Clone, Copy)]
pub(crate) struct Formatted {
    bytes: [u8; CAPACITY],
    len: usize,
}

impl Bytes for Formatted {
    fn grow(&mut self, len: usize) -> &mut [u8] {
        let start = self.len;
        self.len += len;
        &mut self.bytes[start..self.len]
    }
}

impl Formatted {
    fn with(write: impl FnOnce(&mut Formatted)) -> Formatted {
        let mut out = Formatted {
            bytes: [0; CAPACITY],
            len: 0,
        };
        write(&mut out);
        out
    }

    pub(crate) fn as_str(&self) -> &str {
        // Only ASCII digits, `-`, `.` and `t` are ever written.
        std::str::from_utf8(&self.bytes[..self.len]).expect("ASCII")
    }
}

/// How many digits `n` has in decimal.
fn digit_count(n: u64) -> usize {
    let mut count = 1;
    let mut bound = 10u64;
    while n >= bound {
        count += 1;
        match bound.checked_mul(10) {
            Some(next) => bound = next,
            None => break,
        }
    }
    count
}

/// The digits of `n` at the end of `slot`, zeros before them; `slot` has room for them.
fn fill(slot: &mut [u8], mut n: u64) {
    let mut end = slot.len();
    while n >= 100 {
        let pair = (n % 100) as usize * 2;
        n /= 100;
        end -= 2;
        slot[end..end + 2].copy_from_slice(&PAIRS[pair..pair + 2]);
    }
    if n >= 10 {
        let pair = n as usize * 2;
        end -= 2;
        slot[end..end + 2].copy_from_slice(&PAIRS[pair..pair + 2]);
    } else {
        end -= 1;
        slot[end] = b'0' + n as u8;
    }
    slot[..end].fill(b'0');
}

/// `n` as `Display` writes it.
pub(crate) fn write_u64(out: &mut impl Bytes, n: u64) {
    fill(out.grow(digit_count(n)), n);
}

/// `n` as `Display` writes it: a `-` before the digits of a negative number.
pub(crate) fn write_i64(out: &mut impl Bytes, n: i64) {
    if n < 0 {
        out.grow(1)[0] = b'-';
    }
    write_u64(out, n.unsigned_abs());
}

/// `at` as `SimTime`'s `Display` writes it: whole seconds, a point, three digits of
/// milliseconds (`1234.567`, `0.005`).
pub(crate) fn write_time(out: &mut impl Bytes, at: SimTime) {
    let seconds = at.0 / 1000;
    let len = digit_count(seconds);
    let slot = out.grow(len + 4);
    fill(&mut slot[..len], seconds);
    slot[len] = b'.';
    fill(&mut slot[len + 1..], at.0 % 1000);
}

/// A task's name as `TaskName`'s `Display` writes it: `t-` and its number in at least six
/// digits (`t-000042`).
pub(crate) fn write_task_name(out: &mut impl Bytes, number: u64) {
    let len = digit_count(number).max(6);
    let slot = out.grow(len + 2);
    slot[..2].copy_from_slice(b"t-");
    fill(&mut slot[2..], number);
}

/// `write_u64` on the stack.
pub(crate) fn u64(n: u64) -> Formatted {
    Formatted::with(|out| write_u64(out, n))
}

/// `write_i64` on the stack.
pub(crate) fn i64(n: i64) -> Formatted {
    Formatted::with(|out| write_i64(out, n))
}

/// `write_time` on the stack.
pub(crate) fn time(at: SimTime) -> Formatted {
    Formatted::with(|out| write_time(out, at))
}

/// `write_task_name` on the stack.
pub(crate) fn task_name(number: u64) -> Formatted {
    Formatted::with(|out| write_task_name(out, number))
}

/// Appends every part to `out`: a line of text from literal pieces and formatted numbers
/// without `write!`.
pub(crate) fn push_parts(out: &mut String, parts: &[&str]) {
    for part in parts {
        out.push_str(part);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cluster::task::TaskName;
    use proptest::prelude::*;

    /// Numbers where the digit loop changes: each power of ten and its neighbours, and the
    /// type's ends.
    fn edges() -> Vec<u64> {
        let mut edges = vec![0, 1, 9, 10, 11, 99, 100, 101, u64::MAX, u64::MAX - 1];
        let mut power = 1u64;
        while let Some(next) = power.checked_mul(10) {
            power = next;
            edges.extend([power - 1, power, power + 1]);
        }
        edges
    }

    /// What the `write_` functions append to a buffer that already holds `before`.
    fn appended(write: impl FnOnce(&mut Vec<u8>)) -> String {
        let mut out = b"before,".to_vec();
        write(&mut out);
        String::from_utf8(out)
            .unwrap()
            .strip_prefix("before,")
            .unwrap()
            .to_owned()
    }

    #[test]
    fn buffers_get_the_same_bytes_as_the_stack() {
        for n in edges() {
            assert_eq!(appended(|out| write_u64(out, n)), u64(n).as_str());
            assert_eq!(
                appended(|out| write_i64(out, n as i64)),
                i64(n as i64).as_str()
            );
            assert_eq!(
                appended(|out| write_time(out, SimTime(n))),
                time(SimTime(n)).as_str()
            );
            assert_eq!(
                appended(|out| write_task_name(out, n)),
                task_name(n).as_str()
            );
        }
    }

    #[test]
    fn digit_counts_change_at_each_power_of_ten() {
        for n in edges() {
            assert_eq!(digit_count(n), n.to_string().len(), "{n}");
        }
    }

    #[test]
    fn unsigned_integers_are_written_as_display_writes_them() {
        for n in edges() {
            assert_eq!(u64(n).as_str(), n.to_string());
        }
    }

    #[test]
    fn signed_integers_are_written_as_display_writes_them() {
        for n in [
            0,
            1,
            -1,
            9,
            -9,
            10,
            -10,
            99,
            -100,
            i64::MAX,
            i64::MIN,
            i64::MIN + 1,
        ] {
            assert_eq!(i64(n).as_str(), n.to_string());
        }
        for n in edges() {
            let n = n as i64;
            assert_eq!(i64(n).as_str(), n.to_string());
            assert_eq!(i64(n.wrapping_neg()).as_str(), n.wrapping_neg().to_string());
        }
    }

    #[test]
    fn times_are_written_as_simtime_display_writes_them() {
        for ms in edges()
            .into_iter()
            .chain([5, 50, 500, 999, 1000, 1001, 1010, 1100, 60_000, 86_400_000])
        {
            assert_eq!(time(SimTime(ms)).as_str(), SimTime(ms).to_string());
        }
        assert_eq!(time(SimTime(5)).as_str(), "0.005");
        assert_eq!(time(SimTime(1_234_567)).as_str(), "1234.567");
        assert_eq!(time(SimTime::MAX).as_str(), "18446744073709551.615");
    }

    #[test]
    fn task_names_are_written_as_taskname_display_writes_them() {
        for n in edges() {
            assert_eq!(task_name(n).as_str(), TaskName(n).to_string());
        }
        assert_eq!(task_name(42).as_str(), "t-000042");
        assert_eq!(task_name(1_234_567).as_str(), "t-1234567");
    }

    proptest! {
        #[test]
        fn random_numbers_are_written_as_display_writes_them(n: u64, m: i64) {
            prop_assert_eq!(u64(n).as_str().to_owned(), n.to_string());
            prop_assert_eq!(u64(n >> (n % 64)).as_str().to_owned(), (n >> (n % 64)).to_string());
            prop_assert_eq!(i64(m).as_str().to_owned(), m.to_string());
            prop_assert_eq!(i64(m >> (n % 64)).as_str().to_owned(), (m >> (n % 64)).to_string());
            prop_assert_eq!(time(SimTime(n)).as_str().to_owned(), SimTime(n).to_string());
            let small = n % 100_000_000;
            prop_assert_eq!(time(SimTime(small)).as_str().to_owned(), SimTime(small).to_string());
            prop_assert_eq!(task_name(small).as_str().to_owned(), TaskName(small).to_string());
            prop_assert_eq!(appended(|out| write_time(out, SimTime(n))), SimTime(n).to_string());
            prop_assert_eq!(appended(|out| write_i64(out, m)), m.to_string());
        }
    }
}
