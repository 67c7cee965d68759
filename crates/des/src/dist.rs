//! Distributions of durations, sampled into whole milliseconds.
//!
//! Floating point is used only to draw a duration; the result is rounded to an integer
//! number of milliseconds before it touches simulated time, so no decision compares floats.
//! The transcendental functions come from the `libm` crate, a pure-Rust implementation,
//! not from the platform's C library: `ln`, `exp` and `pow` then give the same bits on
//! every machine, and so do the outputs.

use rand::Rng;

use crate::rng::SimRng;

/// A distribution of durations in milliseconds. Parameters are validated when a scenario
/// is loaded; the constructors here assume valid values (positive means, `min <= max`...).
#[derive(Clone, Debug, PartialEq)]
pub enum Distribution {
    Fixed { ms: u64 },
    Exponential { mean_ms: u64 },
    Uniform { min_ms: u64, max_ms: u64 },
    LogNormal { median_ms: u64, sigma: f64 },
    Weibull { scale_ms: u64, shape: f64 },
}

impl Distribution {
    /// One draw, in milliseconds. `Fixed` consumes no randomness; the others invert the
    /// distribution function at uniform draws (Box-Muller for the normal under lognormal).
    pub fn sample(&self, rng: &mut SimRng) -> u64 {
        match *self {
            Distribution::Fixed { ms } => ms,
            Distribution::Exponential { mean_ms } => {
                to_ms(standard_exponential(rng) * mean_ms as f64)
            }
            Distribution::Uniform { min_ms, max_ms } => rng.random_range(min_ms..=max_ms),
            Distribution::LogNormal { median_ms, sigma } => {
                let mu = libm::log(median_ms.max(1) as f64);
                to_ms(libm::exp(mu + sigma * standard_normal(rng)))
            }
            Distribution::Weibull { scale_ms, shape } => {
                to_ms(scale_ms as f64 * libm::pow(standard_exponential(rng), 1.0 / shape))
            }
        }
    }
}

impl Distribution {
    /// `sample` from the stream `stream` makes, made only when the distribution draws
    /// (keyed streams cost a ChaCha key setup; a `Fixed` duration needs none).
    pub fn sample_from(&self, stream: impl FnOnce() -> SimRng) -> u64 {
        match *self {
            Distribution::Fixed { ms } => ms,
            _ => self.sample(&mut stream()),
        }
    }
}

/// Exp(1): `-ln(1 - U)` with U uniform on [0, 1), so the logarithm's argument is never 0.
fn standard_exponential(rng: &mut SimRng) -> f64 {
    let u: f64 = rng.random();
    -libm::log(1.0 - u)
}

/// N(0, 1) by Box-Muller, from two uniform draws.
pub fn standard_normal(rng: &mut SimRng) -> f64 {
    let radius = libm::sqrt(2.0 * standard_exponential(rng));
    let angle: f64 = rng.random::<f64>() * std::f64::consts::TAU;
    radius * libm::cos(angle)
}

/// Rounds a non-negative draw to milliseconds, saturating instead of overflowing.
fn to_ms(x: f64) -> u64 {
    if x.is_nan() || x <= 0.0 {
        0
    } else if x >= u64::MAX as f64 {
        u64::MAX
    } else {
        x.round() as u64
    }
}

#[cfg(test)]
mod tests {
    use super::Distribution;
    use crate::rng::{stream, Stream};

    /// The distribution's mean in milliseconds: the oracle the sample means are held to.
    fn mean_ms(dist: &Distribution) -> f64 {
        match *dist {
            Distribution::Fixed { ms } => ms as f64,
            Distribution::Exponential { mean_ms } => mean_ms as f64,
            Distribution::Uniform { min_ms, max_ms } => (min_ms + max_ms) as f64 / 2.0,
            Distribution::LogNormal { median_ms, sigma } => {
                median_ms as f64 * (sigma * sigma / 2.0).exp()
            }
            Distribution::Weibull { scale_ms, shape } => scale_ms as f64 * gamma(1.0 + 1.0 / shape),
        }
    }

    /// The gamma function for x >= 1, by Stirling's series after shifting x up past 8.
    fn gamma(mut x: f64) -> f64 {
        let mut factor = 1.0;
        while x < 8.0 {
            factor *= x;
            x += 1.0;
        }
        let series = 1.0 + 1.0 / (12.0 * x) + 1.0 / (288.0 * x * x) - 139.0 / (51840.0 * x.powi(3));
        (2.0 * std::f64::consts::PI / x).sqrt() * (x / std::f64::consts::E).powf(x) * series
            / factor
    }

    fn sample_mean(dist: &Distribution, n: u32) -> f64 {
        let mut rng = stream(9, Stream::Workload, [0, 0]);
        (0..n).map(|_| dist.sample(&mut rng) as f64).sum::<f64>() / f64::from(n)
    }

    #[track_caller]
    fn check_mean(dist: Distribution) {
        let expected = mean_ms(&dist);
        let got = sample_mean(&dist, 40_000);
        assert!(
            (got - expected).abs() / expected < 0.03,
            "{dist:?}: sample mean {got}, expected {expected}"
        );
    }

    #[test]
    fn sample_means_match_the_distributions() {
        check_mean(Distribution::Exponential { mean_ms: 600_000 });
        check_mean(Distribution::Uniform {
            min_ms: 60_000,
            max_ms: 300_000,
        });
        check_mean(Distribution::LogNormal {
            median_ms: 300_000,
            sigma: 0.5,
        });
        check_mean(Distribution::Weibull {
            scale_ms: 1_000_000,
            shape: 1.5,
        });
        check_mean(Distribution::Weibull {
            scale_ms: 1_000_000,
            shape: 1.0,
        });
    }

    #[test]
    fn fixed_is_fixed_and_uniform_stays_in_bounds() {
        let mut rng = stream(1, Stream::Workload, [0, 1]);
        assert_eq!(Distribution::Fixed { ms: 30_000 }.sample(&mut rng), 30_000);
        let uniform = Distribution::Uniform {
            min_ms: 5,
            max_ms: 7,
        };
        for _ in 0..1000 {
            assert!((5..=7).contains(&uniform.sample(&mut rng)));
        }
    }

    /// The bits of each distribution's draws are part of the output: pinned here so that a
    /// change of sampler or of `libm` is caught before it silently moves every golden file.
    #[test]
    fn draws_are_pinned() {
        let draws: Vec<u64> = [
            Distribution::Exponential { mean_ms: 600_000 },
            Distribution::Uniform {
                min_ms: 1_000,
                max_ms: 9_000,
            },
            Distribution::LogNormal {
                median_ms: 300_000,
                sigma: 0.5,
            },
            Distribution::Weibull {
                scale_ms: 1_000_000,
                shape: 1.5,
            },
        ]
        .iter()
        .map(|dist| dist.sample(&mut stream(1, Stream::Workload, [0, 0])))
        .collect();
        assert_eq!(draws, PINNED);
    }

    const PINNED: [u64; 4] = [210_004, 3_362, 351_902, 496_650];
}
