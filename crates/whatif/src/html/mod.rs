//! The pages of the what-if commands, `sweep.html`, `compare.html` and `plan.html`: self-contained (style,
//! script and SVG charts inline, nothing fetched), built from the same numbers as the CSV
//! files and returned as bytes for the binary to write. What they share is here: the page's
//! frame (the head and style of `report.html`, `sim::html`), number scales with round ticks,
//! numbers as the pages write them, and shell quoting for the command shown at the top.

pub mod compare;
pub mod plan;
pub mod sweep;

use std::fmt::Write as _;

pub use sim::html::escape;

/// Rules of these pages, after `report.html`'s style sheet.
const STYLE: &str = include_str!("whatif.css");
/// Highlights one variant (or one figure) in every chart and table while the pointer is on
/// it; marks the page rendered.
const SCRIPT: &str = include_str!("whatif.js");

/// The page's head, with `title`.
fn head(title: &str) -> String {
    sim::html::head(title, &format!("{}{STYLE}", sim::html::STYLE))
}

/// The end of the page: its script, and the closing tags.
fn tail(page: &mut String) {
    let _ = write!(page, "<script>\n{SCRIPT}</script>\n</body>\n</html>\n");
}

/// A number as the pages write it: the six decimals of the CSV files without the trailing
/// zeros (`6`, `0.99962`, `-52.555867`).
pub fn plain(x: f64) -> String {
    trim(&crate::stats::fixed6(x))
}

/// A CSV cell as the pages write it: trailing zeros of the decimals dropped.
pub fn trim(cell: &str) -> String {
    if cell.contains('.') {
        let text = cell.trim_end_matches('0').trim_end_matches('.');
        if text == "-0" {
            "0".to_string()
        } else {
            text.to_string()
        }
    } else {
        cell.to_string()
    }
}

/// `text` quoted for a POSIX shell when it needs to be.
pub fn shell_quote(text: &str) -> String {
    let safe = !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:=,@+%".contains(c));
    if safe {
        text.to_string()
    } else {
        format!("'{}'", text.replace('\'', "'\\''"))
    }
}

/// A linear scale from `[low, high]` (round ticks at both ends) onto `[from, to]` pixels.
#[derive(Clone, Debug, PartialEq)]
pub struct Scale {
    pub low: f64,
    pub high: f64,
    pub from: f64,
    pub to: f64,
    /// The ticks, from low to high, and the decimals their labels need.
    pub ticks: Vec<f64>,
    pub decimals: usize,
}

impl Scale {
    /// A scale covering every value of `values` (at least one), with round ticks: about
    /// five steps of 1, 2 or 5 times a power of ten. A scale of values that are all at least
    /// zero and not far from it starts at zero; one value alone gets a range around it.
    pub fn covering(values: &[f64], from: f64, to: f64) -> Scale {
        let mut low = values.iter().copied().fold(f64::INFINITY, f64::min);
        let mut high = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        if !low.is_finite() || !high.is_finite() {
            (low, high) = (0.0, 1.0);
        }
        if low >= 0.0 && low <= 0.3 * high {
            low = 0.0;
        }
        if high - low <= f64::EPSILON * high.abs().max(1.0) {
            let pad = if low == 0.0 { 1.0 } else { 0.05 * low.abs() };
            high = low + pad;
            if low != 0.0 {
                low -= pad;
            }
        }
        let (step, decimals) = round_step((high - low) / 5.0);
        let first = libm::floor(low / step);
        let last = libm::ceil(high / step);
        let ticks: Vec<f64> = (0..=(last - first) as i64)
            .map(|k| (first + k as f64) * step)
            .collect();
        Scale {
            low: ticks[0],
            high: ticks[ticks.len() - 1],
            from,
            to,
            ticks,
            decimals,
        }
    }

    /// A scale symmetric about zero covering every value of `values`, ticks at its ends and
    /// at zero.
    pub fn around_zero(values: &[f64], from: f64, to: f64) -> Scale {
        let reach = values.iter().fold(0.0f64, |reach, x| reach.max(x.abs()));
        let reach = if reach > 0.0 { reach } else { 1.0 };
        let (step, decimals) = round_step(reach / 4.0);
        let high = libm::ceil(reach / step) * step;
        Scale {
            low: -high,
            high,
            from,
            to,
            ticks: vec![-high, 0.0, high],
            decimals,
        }
    }

    /// The pixel of `value`.
    pub fn at(&self, value: f64) -> f64 {
        self.from + (self.to - self.from) * (value - self.low) / (self.high - self.low)
    }

    /// A tick's label.
    pub fn label(&self, value: f64) -> String {
        let text = format!("{value:.*}", self.decimals);
        if text.starts_with('-') && text[1..].bytes().all(|b| b == b'0' || b == b'.') {
            text[1..].to_string()
        } else {
            text
        }
    }
}

/// The smallest step of 1, 2 or 5 times a power of ten that is at least `raw`, and the
/// decimals its multiples need.
fn round_step(raw: f64) -> (f64, usize) {
    let exponent = libm::floor(libm::log10(raw)) as i32;
    for (factor, exponent) in [
        (1.0, exponent),
        (2.0, exponent),
        (5.0, exponent),
        (1.0, exponent + 1),
    ] {
        let step = factor * libm::pow(10.0, f64::from(exponent));
        if step >= raw * (1.0 - 1e-12) {
            return (step, usize::try_from(-exponent).unwrap_or(0));
        }
    }
    unreachable!("ten times a power of ten at or below raw is above it")
}

/// Which way `figure` is better, in words, from the comparison's directions.
fn better_words(figure: &str) -> &'static str {
    match crate::compare::better(figure) {
        crate::compare::Better::Higher => "higher is better",
        crate::compare::Better::Lower => "lower is better",
        crate::compare::Better::Neither => "neither way is better",
    }
}

/// A chart's SVG up to its marks: the `plot` element of `[width, height, left, right]`
/// (the plot area between `left` and `right`) with `label` for screen readers, and a grid
/// line at each of `scale`'s ticks, labelled on the left.
fn plot_open(frame: [f64; 4], label: &str, scale: &Scale) -> String {
    let [width, height, left, right] = frame;
    let mut svg = format!(
        "<svg class=\"plot\" viewBox=\"0 0 {width} {height}\" role=\"img\" aria-label=\"{}\"><g class=\"grid\">",
        escape(label)
    );
    for &tick in &scale.ticks {
        let y = scale.at(tick);
        let _ = write!(
            svg,
            "<line x1=\"{left}\" x2=\"{right}\" y1=\"{y:.1}\" y2=\"{y:.1}\"/>\
             <text class=\"tick\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
            left - 6.0,
            y + 4.0,
            scale.label(tick)
        );
    }
    svg.push_str("</g>");
    svg
}

/// The labels, left to right, without those that would overlap the one before.
fn without_overlaps(labels: Vec<(f64, Vec<String>)>) -> Vec<(f64, Vec<String>)> {
    let mut kept: Vec<(f64, Vec<String>)> = Vec::new();
    let mut right_edge = f64::NEG_INFINITY;
    for (x, lines) in labels {
        let half = lines
            .iter()
            .map(|line| text_width(line))
            .fold(0.0, f64::max)
            / 2.0;
        if x - half >= right_edge + 6.0 {
            right_edge = x + half;
            kept.push((x, lines));
        }
    }
    kept
}

/// About how wide `text` is at 12 px in the pages' sans-serif font.
fn text_width(text: &str) -> f64 {
    7.0 * text.chars().count() as f64
}

/// The numbers after every `name="` in `text`, for the tests of the pages.
#[cfg(test)]
fn attributes(text: &str, name: &str) -> Vec<f64> {
    text.split(&format!("{name}=\""))
        .skip(1)
        .map(|rest| rest[..rest.find('"').unwrap()].parse().unwrap())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::{plain, shell_quote, trim, Scale};

    #[test]
    fn scales_have_round_ticks_covering_the_values() {
        let scale = Scale::covering(&[0.999608, 0.999768], 200.0, 10.0);
        assert_eq!(scale.decimals, 5);
        assert!(scale.low <= 0.999608 && scale.high >= 0.999768);
        assert_eq!(scale.label(scale.ticks[0]), "0.99960");
        assert!(scale.ticks.len() <= 7, "{:?}", scale.ticks);
        assert_eq!(scale.at(scale.low), 200.0);
        assert_eq!(scale.at(scale.high), 10.0);
        // Counts near zero start at zero.
        let counts = Scale::covering(&[3.0, 8.0, 14.0], 100.0, 0.0);
        assert_eq!((counts.low, counts.high, counts.decimals), (0.0, 15.0, 0));
        assert_eq!(counts.label(counts.ticks[1]), "5");
        // One value alone gets a range around it; zero alone gets 0..1.
        let one = Scale::covering(&[6.0, 6.0], 100.0, 0.0);
        assert!(one.low < 6.0 && one.high > 6.0, "{one:?}");
        let zero = Scale::covering(&[0.0], 100.0, 0.0);
        assert_eq!((zero.low, zero.high), (0.0, 1.0));
        let negative = Scale::covering(&[-66.9, -38.2], 0.0, 100.0);
        assert_eq!((negative.low, negative.high), (-70.0, -30.0));
        assert_eq!(negative.label(-40.0), "-40");
    }

    #[test]
    fn scales_around_zero_are_symmetric() {
        let scale = Scale::around_zero(&[-66.888899, -38.222835, -52.5], 200.0, 760.0);
        assert_eq!((scale.low, scale.high), (-80.0, 80.0));
        assert_eq!(scale.at(0.0), 480.0);
        assert_eq!(scale.ticks, [-80.0, 0.0, 80.0]);
        let tiny = Scale::around_zero(&[-0.000055, 0.000034], 0.0, 100.0);
        assert_eq!(tiny.label(tiny.high), "0.00006");
        assert_eq!(tiny.label(0.0), "0.00000");
        let none = Scale::around_zero(&[0.0, 0.0], 0.0, 100.0);
        assert_eq!((none.low, none.high), (-1.0, 1.0));
    }

    #[test]
    fn numbers_and_quotes() {
        assert_eq!(plain(6.0), "6");
        assert_eq!(plain(-52.5558671), "-52.555867");
        assert_eq!(plain(-0.0000001), "0");
        assert_eq!(trim("0.999620"), "0.99962");
        assert_eq!(trim("14"), "14");
        assert_eq!(trim("135.000"), "135");
        assert_eq!(
            shell_quote("scenarios/quickstart.yaml"),
            "scenarios/quickstart.yaml"
        );
        assert_eq!(shell_quote("a=[1, 2]"), "'a=[1, 2]'");
        assert_eq!(shell_quote("it's"), "'it'\\''s'");
    }
}
