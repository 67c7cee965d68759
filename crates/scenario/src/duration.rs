//! Durations (`250ms`, `90s`, `5m`, `1h30m`, `7d`, or a plain number of seconds) and
//! distributions of durations, into whole milliseconds. Arithmetic is exact (decimal
//! digits, no floats), so `0.5` is 500 ms and `0.0005` is refused instead of rounded.

use des::Distribution;

use crate::error::ErrorKind;
use crate::node::{Node, Value};
use crate::read::Cx;

pub(crate) const DURATION_EXPECTED: &str =
    "a duration such as 250ms, 90s, 5m, 1h30m or 7d (a plain number is seconds) in whole milliseconds";

pub(crate) const DISTRIBUTION_EXPECTED: &str = "a duration or one of {fixed: 30s}, {exponential: {mean: 10m}}, \
     {uniform: {min: 1m, max: 5m}}, {lognormal: {median: 5m, sigma: 0.5}}, {weibull: {scale: 30d, shape: 1.5}}";

pub(crate) use des::time::{parse_decimal_scaled, parse_duration_ms};

impl Cx {
    pub fn duration_ms(&mut self, node: &Node, field: &str) -> Option<u64> {
        if let Value::Scalar { text, .. } = &node.value {
            if let Some(ms) = parse_duration_ms(text) {
                return Some(ms);
            }
        }
        self.invalid(node, field, DURATION_EXPECTED);
        None
    }

    /// A duration that must be more than zero.
    pub fn positive_duration_ms(&mut self, node: &Node, field: &str) -> Option<u64> {
        match self.duration_ms(node, field)? {
            0 => {
                self.invalid(node, field, "a duration > 0");
                None
            }
            ms => Some(ms),
        }
    }

    /// A distribution of durations; a bare duration is `fixed`.
    pub fn distribution(&mut self, node: &Node, field: &str) -> Option<Distribution> {
        if let Value::Scalar { .. } = node.value {
            return self
                .duration_ms(node, field)
                .map(|ms| Distribution::Fixed { ms });
        }
        let Some(entries) = node.entries().filter(|entries| entries.len() == 1) else {
            self.invalid(node, field, DISTRIBUTION_EXPECTED);
            return None;
        };
        let entry = &entries[0];
        let path = format!("{field}.{}", entry.key);
        let params = &entry.value;
        match entry.key.as_str() {
            "fixed" => Some(Distribution::Fixed {
                ms: self.duration_ms(params, &path)?,
            }),
            "exponential" => {
                let fields = self.fields(params, &path)?;
                let mean = fields.required(self, "mean", "a duration > 0");
                fields.finish(self, &["mean"], &[]);
                let mean_ms = self.positive_duration_ms(mean?, &fields.path_of("mean"))?;
                Some(Distribution::Exponential { mean_ms })
            }
            "uniform" => {
                let fields = self.fields(params, &path)?;
                let min = fields.required(self, "min", DURATION_EXPECTED);
                let max = fields.required(self, "max", DURATION_EXPECTED);
                fields.finish(self, &["min", "max"], &[]);
                let min_ms = self.duration_ms(min?, &fields.path_of("min"));
                let max_node = max?;
                let max_ms = self.duration_ms(max_node, &fields.path_of("max"));
                let (min_ms, max_ms) = (min_ms?, max_ms?);
                if min_ms > max_ms {
                    self.invalid(max_node, &fields.path_of("max"), "a duration >= min");
                    return None;
                }
                Some(Distribution::Uniform { min_ms, max_ms })
            }
            "lognormal" => {
                let fields = self.fields(params, &path)?;
                let median = fields.required(self, "median", "a duration > 0");
                let sigma = fields.required(self, "sigma", "a number >= 0");
                fields.finish(self, &["median", "sigma"], &[]);
                let median_ms = self.positive_duration_ms(median?, &fields.path_of("median"));
                let sigma_node = sigma?;
                let sigma = self.number(sigma_node, &fields.path_of("sigma"), "a number >= 0")?;
                if sigma < 0.0 {
                    self.invalid(sigma_node, &fields.path_of("sigma"), "a number >= 0");
                    return None;
                }
                Some(Distribution::LogNormal {
                    median_ms: median_ms?,
                    sigma,
                })
            }
            "weibull" => {
                let fields = self.fields(params, &path)?;
                let scale = fields.required(self, "scale", "a duration > 0");
                let shape = fields.required(self, "shape", "a number > 0");
                fields.finish(self, &["scale", "shape"], &[]);
                let scale_ms = self.positive_duration_ms(scale?, &fields.path_of("scale"));
                let shape_node = shape?;
                let shape = self.number(shape_node, &fields.path_of("shape"), "a number > 0")?;
                if shape <= 0.0 {
                    self.invalid(shape_node, &fields.path_of("shape"), "a number > 0");
                    return None;
                }
                Some(Distribution::Weibull {
                    scale_ms: scale_ms?,
                    shape,
                })
            }
            _ => {
                let suggestion = crate::error::nearest(
                    &entry.key,
                    ["fixed", "exponential", "uniform", "lognormal", "weibull"],
                );
                let allowed = ["fixed", "exponential", "uniform", "lognormal", "weibull"]
                    .map(String::from)
                    .to_vec();
                self.error(
                    &entry.key_loc,
                    &path,
                    ErrorKind::UnknownField {
                        suggestion,
                        allowed,
                    },
                );
                None
            }
        }
    }
}

#[cfg(test)]
mod tests;
