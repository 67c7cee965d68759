//! Numbers as the output files write them, without `core::fmt`: integers in decimal,
//! `SimTime` as seconds with three decimals and task names, each the exact bytes its
//! `Display` writes, into a small value on the stack that a row's buffer or a `String`
//! copies from. The per-row output files write millions of them, and `fmt`'s machinery was a
//! third of their writing.

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

/// Formatted text on the stack, written from the end of its buffer towards the start.
#[derive(Clone, Copy)]
pub(crate) struct Formatted {
    bytes: [u8; CAPACITY],
    start: usize,
}

impl Formatted {
    fn empty() -> Formatted {
        Formatted {
            bytes: [0; CAPACITY],
            start: CAPACITY,
        }
    }

    pub(crate) fn as_str(&self) -> &str {
        // Only ASCII digits, `-`, `.` and `t` are ever written.
        std::str::from_utf8(&self.bytes[self.start..]).expect("ASCII")
    }

    /// Appends the text to `out` byte by byte: for the few bytes of a number, cheaper than
    /// the call `extend_from_slice` makes.
    pub(crate) fn push_to(&self, out: &mut Vec<u8>) {
        out.reserve(CAPACITY);
        for &byte in &self.bytes[self.start..] {
            out.push(byte);
        }
    }

    fn push_front(&mut self, byte: u8) {
        self.start -= 1;
        self.bytes[self.start] = byte;
    }

    /// The digits of `n` in front of what is there, at least `width` of them (zero-padded).
    fn digits_front(&mut self, mut n: u64, width: usize) {
        let end = self.start;
        while n >= 100 {
            let pair = (n % 100) as usize * 2;
            n /= 100;
            self.start -= 2;
            self.bytes[self.start..self.start + 2].copy_from_slice(&PAIRS[pair..pair + 2]);
        }
        if n >= 10 {
            let pair = n as usize * 2;
            self.start -= 2;
            self.bytes[self.start..self.start + 2].copy_from_slice(&PAIRS[pair..pair + 2]);
        } else {
            self.push_front(b'0' + n as u8);
        }
        while end - self.start < width {
            self.push_front(b'0');
        }
    }
}

/// `n` as `Display` writes it.
pub(crate) fn u64(n: u64) -> Formatted {
    let mut out = Formatted::empty();
    out.digits_front(n, 1);
    out
}

/// `n` as `Display` writes it: a `-` before the digits of a negative number.
pub(crate) fn i64(n: i64) -> Formatted {
    let mut out = Formatted::empty();
    out.digits_front(n.unsigned_abs(), 1);
    if n < 0 {
        out.push_front(b'-');
    }
    out
}

/// `at` as `SimTime`'s `Display` writes it: whole seconds, a point, three digits of
/// milliseconds (`1234.567`, `0.005`).
pub(crate) fn time(at: SimTime) -> Formatted {
    let mut out = Formatted::empty();
    out.digits_front(at.0 % 1000, 3);
    out.push_front(b'.');
    out.digits_front(at.0 / 1000, 1);
    out
}

/// A task's name as `TaskName`'s `Display` writes it: `t-` and its number in at least six
/// digits (`t-000042`).
pub(crate) fn task_name(number: u64) -> Formatted {
    let mut out = Formatted::empty();
    out.digits_front(number, 6);
    out.push_front(b'-');
    out.push_front(b't');
    out
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

    /// What `push_to` appends to a buffer that already holds text.
    fn appended(text: Formatted) -> String {
        let mut out = b"before,".to_vec();
        text.push_to(&mut out);
        String::from_utf8(out)
            .unwrap()
            .strip_prefix("before,")
            .unwrap()
            .to_owned()
    }

    #[test]
    fn buffers_get_the_same_bytes_as_strings() {
        for n in edges() {
            assert_eq!(appended(u64(n)), u64(n).as_str());
            assert_eq!(appended(i64(n as i64)), i64(n as i64).as_str());
            assert_eq!(appended(time(SimTime(n))), time(SimTime(n)).as_str());
            assert_eq!(appended(task_name(n)), task_name(n).as_str());
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
            prop_assert_eq!(appended(time(SimTime(n))), SimTime(n).to_string());
            prop_assert_eq!(appended(i64(m)), m.to_string());
        }
    }
}
