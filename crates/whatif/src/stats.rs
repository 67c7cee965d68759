//! Means and Student's t 95 % confidence intervals over seeds. The t quantile is computed
//! here (the regularized incomplete beta function by its continued fraction, then bisection),
//! with `libm`'s `lgamma`, `exp` and `log` so the bits are the same on every machine.

/// Mean, 95 % interval, minimum and maximum of a sample.
#[derive(Clone, Debug, PartialEq)]
pub struct Summary {
    pub n: usize,
    pub mean: f64,
    /// `mean ± t(0.975, n-1) · s / √n`; `None` for a single value.
    pub ci95: Option<(f64, f64)>,
    pub min: f64,
    pub max: f64,
}

/// The summary of `values` (in the order given, so sums are the same every time); `None`
/// when there are none.
pub fn summarize(values: &[f64]) -> Option<Summary> {
    if values.is_empty() {
        return None;
    }
    let n = values.len();
    let mean = values.iter().sum::<f64>() / n as f64;
    let min = values.iter().copied().fold(f64::INFINITY, f64::min);
    let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let ci95 = (n > 1).then(|| {
        let half = half_width_95(values, mean);
        (mean - half, mean + half)
    });
    Some(Summary {
        n,
        mean,
        ci95,
        min,
        max,
    })
}

/// The sample standard deviation (n - 1 in the denominator) of at least two values.
pub fn sample_sd(values: &[f64], mean: f64) -> f64 {
    let squares: f64 = values.iter().map(|x| (x - mean) * (x - mean)).sum();
    (squares / (values.len() - 1) as f64).sqrt()
}

/// `t(0.975, n-1) · s / √n`.
fn half_width_95(values: &[f64], mean: f64) -> f64 {
    let n = values.len();
    t_quantile(0.975, (n - 1) as f64) * sample_sd(values, mean) / (n as f64).sqrt()
}

/// The `p` quantile (0.5 < p < 1) of Student's t distribution with `df` degrees of freedom.
pub fn t_quantile(p: f64, df: f64) -> f64 {
    assert!(p > 0.5 && p < 1.0 && df > 0.0, "t_quantile({p}, {df})");
    let mut high = 1.0;
    while t_cdf(high, df) < p {
        high *= 2.0;
    }
    let mut low = 0.0;
    // Bisection to the last bit: stops when the midpoint no longer moves.
    loop {
        let mid = 0.5 * (low + high);
        if mid <= low || mid >= high {
            return high;
        }
        if t_cdf(mid, df) < p {
            low = mid;
        } else {
            high = mid;
        }
    }
}

/// P(T <= t) for t >= 0.
fn t_cdf(t: f64, df: f64) -> f64 {
    let x = df / (df + t * t);
    1.0 - 0.5 * incomplete_beta(x, 0.5 * df, 0.5)
}

/// The regularized incomplete beta function I_x(a, b).
fn incomplete_beta(x: f64, a: f64, b: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return 1.0;
    }
    let front = libm::exp(
        libm::lgamma(a + b) - libm::lgamma(a) - libm::lgamma(b)
            + a * libm::log(x)
            + b * libm::log(1.0 - x),
    );
    // The continued fraction converges quickly for x < (a + 1) / (a + b + 2); use the
    // symmetry I_x(a, b) = 1 - I_{1-x}(b, a) otherwise.
    if x < (a + 1.0) / (a + b + 2.0) {
        front * beta_fraction(x, a, b) / a
    } else {
        1.0 - front * beta_fraction(1.0 - x, b, a) / b
    }
}

/// The continued fraction of the incomplete beta function (modified Lentz).
fn beta_fraction(x: f64, a: f64, b: f64) -> f64 {
    const TINY: f64 = 1e-300;
    let mut c = 1.0;
    let mut d = 1.0 - (a + b) * x / (a + 1.0);
    if d.abs() < TINY {
        d = TINY;
    }
    d = 1.0 / d;
    let mut result = d;
    for m in 1..=1000 {
        let m = f64::from(m);
        let m2 = 2.0 * m;
        // Even step.
        let numerator = m * (b - m) * x / ((a + m2 - 1.0) * (a + m2));
        d = 1.0 + numerator * d;
        if d.abs() < TINY {
            d = TINY;
        }
        c = 1.0 + numerator / c;
        if c.abs() < TINY {
            c = TINY;
        }
        d = 1.0 / d;
        result *= d * c;
        // Odd step.
        let numerator = -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1.0));
        d = 1.0 + numerator * d;
        if d.abs() < TINY {
            d = TINY;
        }
        c = 1.0 + numerator / c;
        if c.abs() < TINY {
            c = TINY;
        }
        d = 1.0 / d;
        let step = d * c;
        result *= step;
        if (step - 1.0).abs() < 1e-16 {
            break;
        }
    }
    result
}

/// A number as the files write it: six decimals, and never `-0.000000`.
pub fn fixed6(x: f64) -> String {
    let text = format!("{x:.6}");
    if text
        .strip_prefix('-')
        .is_some_and(|rest| rest.bytes().all(|b| b == b'0' || b == b'.'))
    {
        text[1..].to_string()
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::{fixed6, sample_sd, summarize, t_quantile};

    fn close(a: f64, b: f64, tolerance: f64) -> bool {
        (a - b).abs() <= tolerance
    }

    #[test]
    fn t_quantiles_match_the_tables() {
        // Two-sided 95 % critical values, from any statistics table.
        for (df, expected) in [
            (1.0, 12.706205),
            (2.0, 4.302653),
            (4.0, 2.776445),
            (9.0, 2.262157),
            (29.0, 2.045230),
            (100.0, 1.983972),
            (1000.0, 1.962339),
        ] {
            let t = t_quantile(0.975, df);
            assert!(close(t, expected, 1e-6), "df {df}: {t} != {expected}");
        }
        assert!(close(t_quantile(0.95, 10.0), 1.812461, 1e-6));
    }

    #[test]
    fn the_interval_of_one_to_five_by_hand() {
        // mean 3, s = sqrt(2.5) = 1.5811, t(0.975, 4) = 2.7764, half-width
        // 2.7764 * 1.5811 / sqrt(5) = 1.9632.
        let values = [1.0, 2.0, 3.0, 4.0, 5.0];
        let summary = summarize(&values).unwrap();
        assert_eq!(summary.n, 5);
        assert_eq!(summary.mean, 3.0);
        assert!(close(sample_sd(&values, 3.0), 1.5811, 1e-4));
        let (low, high) = summary.ci95.unwrap();
        assert!(close(3.0 - low, 1.9632, 1e-4), "{low}");
        assert!(close(high - 3.0, 1.9632, 1e-4), "{high}");
        assert_eq!(fixed6(low), "1.036757");
        assert_eq!(fixed6(high), "4.963243");
        assert_eq!((summary.min, summary.max), (1.0, 5.0));
    }

    #[test]
    fn one_value_has_no_interval_and_equal_values_a_point() {
        let summary = summarize(&[7.5]).unwrap();
        assert_eq!(summary.ci95, None);
        assert_eq!(summary.mean, 7.5);
        let summary = summarize(&[2.0, 2.0, 2.0]).unwrap();
        assert_eq!(summary.ci95, Some((2.0, 2.0)));
        assert_eq!(summarize(&[]), None);
    }

    #[test]
    fn negative_zero_is_written_as_zero() {
        assert_eq!(fixed6(-0.0), "0.000000");
        assert_eq!(fixed6(-0.0000001), "0.000000");
        assert_eq!(fixed6(-0.5), "-0.500000");
        assert_eq!(fixed6(1.25), "1.250000");
    }
}
