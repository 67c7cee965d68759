//! SVG drawn by ecsim itself for `report.html`: step functions kept to a bounded number of
//! points while the run goes (`Trace`), charts on one shared time axis, and the text
//! helpers (times as `1d 02:00:00`, numbers, escaping). Everything is formatted with fixed
//! decimals, so the bytes depend only on the run.

use std::fmt::Write as _;

use des::SimTime;

/// The width of every chart's viewBox, and where the plot area begins and ends in it: all
/// charts share one time axis, so a moment is at the same x in each.
pub(super) const WIDTH: f64 = 1200.0;
pub(super) const X0: f64 = 150.0;
pub(super) const X1: f64 = 1185.0;

/// A trace keeps at most this many buckets; past it, buckets merge two by two.
const MAX_BUCKETS: usize = 2048;

pub(super) use crate::html::{escape, PALETTE};

pub(super) fn colour(index: usize) -> &'static str {
    PALETTE[index % PALETTE.len()]
}

/// A step function in bounded memory: while there are few changes each keeps its exact
/// time (buckets of 1 ms); past `MAX_BUCKETS`, the bucket width doubles and neighbours
/// merge, keeping the least, the greatest and the last value of each.
#[derive(Clone, Debug)]
pub(super) struct Trace {
    width_ms: u64,
    initial: Option<u64>,
    last: u64,
    buckets: Vec<Bucket>,
}

#[derive(Clone, Copy, Debug)]
struct Bucket {
    index: u64,
    /// The least and greatest value held in the bucket, the value entering it included.
    min: u64,
    max: u64,
    last: u64,
}

/// A pixel column of a drawn trace: where it is, when its first change was, and its values.
#[derive(Clone, Copy, Debug)]
pub(super) struct Column {
    pub(super) x: f64,
    pub(super) at: u64,
    pub(super) min: u64,
    pub(super) max: u64,
    pub(super) last: u64,
}

impl Default for Trace {
    fn default() -> Trace {
        Trace {
            width_ms: 1,
            initial: None,
            last: 0,
            buckets: Vec::new(),
        }
    }
}

impl Trace {
    /// The value from `at` on; calls come in time order.
    pub(super) fn push(&mut self, at: SimTime, value: u64) {
        let before = self.last;
        self.last = value;
        if self.initial.is_none() && at == SimTime::ZERO {
            self.initial = Some(value);
            return;
        }
        self.initial.get_or_insert(0);
        let index = at.as_ms() / self.width_ms;
        match self.buckets.last_mut() {
            Some(bucket) if bucket.index == index => {
                bucket.min = bucket.min.min(value);
                bucket.max = bucket.max.max(value);
                bucket.last = value;
            }
            _ => self.buckets.push(Bucket {
                index,
                min: before.min(value),
                max: before.max(value),
                last: value,
            }),
        }
        while self.buckets.len() > MAX_BUCKETS {
            self.coarsen();
        }
    }

    fn coarsen(&mut self) {
        self.width_ms *= 2;
        let mut merged: Vec<Bucket> = Vec::with_capacity(self.buckets.len() / 2 + 1);
        for bucket in &self.buckets {
            let index = bucket.index / 2;
            match merged.last_mut() {
                Some(last) if last.index == index => {
                    last.min = last.min.min(bucket.min);
                    last.max = last.max.max(bucket.max);
                    last.last = bucket.last;
                }
                _ => merged.push(Bucket { index, ..*bucket }),
            }
        }
        self.buckets = merged;
    }

    pub(super) fn initial(&self) -> u64 {
        self.initial.unwrap_or(0)
    }

    /// The value entering `axis`'s window, and the greatest value held in it.
    pub(super) fn window_max(&self, axis: &Axis) -> u64 {
        let (entering, columns) = self.columns(axis);
        columns
            .iter()
            .map(|column| column.max)
            .fold(entering, u64::max)
    }

    /// The value held at `at` (the last change at or before it).
    pub(super) fn value_at(&self, at: u64) -> u64 {
        let mut value = self.initial();
        for bucket in &self.buckets {
            if bucket.index * self.width_ms > at {
                break;
            }
            value = bucket.last;
        }
        value
    }

    /// The first moment after `after` from which the value is at least `value`, if any.
    pub(super) fn reaches(&self, after: u64, value: u64) -> Option<u64> {
        self.buckets
            .iter()
            .map(|bucket| (bucket.index * self.width_ms, bucket.last))
            .find(|&(at, last)| at >= after && last >= value)
            .map(|(at, _)| at)
    }

    /// The trace in pixel columns of `axis`'s window: the value entering the window, and
    /// the buckets in it, those in one column merged.
    pub(super) fn columns(&self, axis: &Axis) -> (u64, Vec<Column>) {
        let mut entering = self.initial();
        let mut columns: Vec<Column> = Vec::new();
        for bucket in &self.buckets {
            let at = bucket.index * self.width_ms;
            if at <= axis.start_ms && axis.start_ms > 0 {
                entering = bucket.last;
                continue;
            }
            if at > axis.end_ms {
                break;
            }
            let x = axis.x(at);
            match columns.last_mut() {
                Some(column) if column.x.floor() == x.floor() => {
                    column.min = column.min.min(bucket.min);
                    column.max = column.max.max(bucket.max);
                    column.last = bucket.last;
                }
                _ => columns.push(Column {
                    x,
                    at,
                    min: bucket.min,
                    max: bucket.max,
                    last: bucket.last,
                }),
            }
        }
        (entering, columns)
    }

    /// `[t0, v0, t1, v1, ...]` in ms, one pair per pixel column of `axis` (the value at
    /// the column's first change and after), for the page's script to read values off.
    pub(super) fn points(&self, axis: &Axis) -> Vec<u64> {
        let (entering, columns) = self.columns(axis);
        let mut points = vec![axis.start_ms, entering];
        for column in columns {
            points.extend([column.at, column.last]);
        }
        points
    }

    /// The spans where the value is above zero, in ms, cut to `axis`'s window: exact while
    /// the trace is; where a bucket merged a short one, the bucket's width.
    pub(super) fn spans(&self, axis: &Axis) -> Vec<(u64, u64)> {
        let mut spans = Vec::new();
        let mut open = (self.initial() > 0).then_some(0);
        for bucket in &self.buckets {
            let at = bucket.index * self.width_ms;
            if bucket.last > 0 {
                open.get_or_insert(at);
            } else if let Some(from) = open.take() {
                spans.push((from, at));
            } else if bucket.max > 0 {
                spans.push((at, at + self.width_ms));
            }
        }
        if let Some(from) = open {
            spans.push((from, axis.end_ms.max(from)));
        }
        spans
            .into_iter()
            .filter(|&(from, to)| to > axis.start_ms && from < axis.end_ms)
            .map(|(from, to)| (from.max(axis.start_ms), to.min(axis.end_ms)))
            .collect()
    }
}

/// The time axis: the window `[start, end]` onto `[X0, X1]`.
#[derive(Clone, Copy, Debug)]
pub(super) struct Axis {
    pub(super) start_ms: u64,
    pub(super) end_ms: u64,
}

impl Axis {
    pub(super) fn x(&self, at_ms: u64) -> f64 {
        if self.end_ms <= self.start_ms {
            return X0;
        }
        let at = at_ms.clamp(self.start_ms, self.end_ms) - self.start_ms;
        X0 + (X1 - X0) * (at as f64 / (self.end_ms - self.start_ms) as f64)
    }

    /// Tick times: a round step giving at most eight intervals.
    pub(super) fn ticks(&self) -> Vec<u64> {
        const SECOND: u64 = 1000;
        const MINUTE: u64 = 60 * SECOND;
        const HOUR: u64 = 60 * MINUTE;
        const DAY: u64 = 24 * HOUR;
        let steps = [
            SECOND,
            2 * SECOND,
            5 * SECOND,
            10 * SECOND,
            15 * SECOND,
            30 * SECOND,
            MINUTE,
            2 * MINUTE,
            5 * MINUTE,
            10 * MINUTE,
            15 * MINUTE,
            30 * MINUTE,
            HOUR,
            2 * HOUR,
            3 * HOUR,
            6 * HOUR,
            12 * HOUR,
            DAY,
            2 * DAY,
            7 * DAY,
            14 * DAY,
            28 * DAY,
            56 * DAY,
            112 * DAY,
            364 * DAY,
        ];
        let span = self.end_ms - self.start_ms;
        let step = steps
            .into_iter()
            .find(|step| span / step <= 8)
            .unwrap_or_else(|| span.div_ceil(8).max(1));
        (self.start_ms.div_ceil(step)..=self.end_ms / step)
            .map(|i| i * step)
            .collect()
    }
}

/// A moment as the report writes it: `1d 02:00:00`, `02:00:00.250` (days only when there
/// are some, milliseconds only when not zero).
pub(super) fn clock(ms: u64) -> String {
    let days = ms / 86_400_000;
    let hours = ms / 3_600_000 % 24;
    let minutes = ms / 60_000 % 60;
    let seconds = ms / 1000 % 60;
    let millis = ms % 1000;
    let mut text = String::new();
    if days > 0 {
        let _ = write!(text, "{days}d ");
    }
    let _ = write!(text, "{hours:02}:{minutes:02}:{seconds:02}");
    if millis > 0 {
        let _ = write!(text, ".{millis:03}");
    }
    text
}

/// A length of time, as a moment: `01:02:03`, `1d 00:00:00`.
pub(super) fn duration(ms: u64) -> String {
    clock(ms)
}

/// A whole number with thousands separators: `47,922`.
pub(super) fn count(value: u64) -> String {
    let digits = value.to_string();
    let mut text = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            text.push(',');
        }
        text.push(digit);
    }
    text
}

/// A line of a chart: its trace, colour and dash.
pub(super) struct Line<'a> {
    pub(super) trace: &'a Trace,
    pub(super) colour: &'a str,
    pub(super) dashed: bool,
    pub(super) width: f64,
    pub(super) label: String,
}

/// What a chart's vertical axis counts, for its tick labels.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum YUnit {
    /// Whole things: `1,200`.
    Count,
    /// Micro-dollars, labelled in dollars: `$0.04`.
    MicroUsd,
    /// Nano-dollars (per hour), labelled in dollars: `$0.192`.
    NanoUsd,
}

impl YUnit {
    fn label(self, value: u64) -> String {
        match self {
            YUnit::Count => count(value),
            YUnit::MicroUsd => usd(value, 6),
            YUnit::NanoUsd => usd(value, 9),
        }
    }
}

/// `value` / 10^`decimals` as dollars, with the decimals it needs (at least two when it has
/// a fraction): `$2`, `$0.50`, `$0.0125`, `$1,200`.
pub(super) fn usd(value: u64, decimals: u32) -> String {
    let unit = 10u64.pow(decimals);
    let fraction = format!("{:0width$}", value % unit, width = decimals as usize);
    let mut fraction = fraction.trim_end_matches('0').to_string();
    if fraction.is_empty() {
        return format!("${}", count(value / unit));
    }
    while fraction.len() < 2 {
        fraction.push('0');
    }
    format!("${}.{fraction}", count(value / unit))
}

/// A piecewise-linear line in bounded memory: exact points `(ms, value)` in time order; past
/// `MAX_BUCKETS` points every other one is dropped (the first and the last kept), so the
/// line stays exact at the points it keeps and straight between them.
#[derive(Clone, Debug, Default)]
pub(super) struct Curve {
    points: Vec<(u64, u64)>,
}

impl Curve {
    /// The value at `at`; calls come in time order (a second value at one time replaces
    /// the first).
    pub(super) fn push(&mut self, at: SimTime, value: u64) {
        let at = at.as_ms();
        match self.points.last_mut() {
            Some(last) if last.0 == at => last.1 = value,
            _ => self.points.push((at, value)),
        }
        if self.points.len() > MAX_BUCKETS {
            let last = *self.points.last().expect("not empty");
            let mut kept: Vec<(u64, u64)> = self.points.iter().step_by(2).copied().collect();
            if kept.last() != Some(&last) {
                kept.push(last);
            }
            self.points = kept;
        }
    }

    pub(super) fn points(&self) -> &[(u64, u64)] {
        &self.points
    }

    pub(super) fn last(&self) -> Option<(u64, u64)> {
        self.points.last().copied()
    }

    /// The greatest value at a point in `axis`'s window.
    fn window_max(&self, axis: &Axis) -> u64 {
        self.points
            .iter()
            .filter(|(at, _)| *at >= axis.start_ms && *at <= axis.end_ms)
            .map(|&(_, value)| value)
            .max()
            .unwrap_or(0)
    }
}

/// A piecewise-linear line of a chart: its points, colour and tooltip.
pub(super) struct CurveLine<'a> {
    pub(super) curve: &'a Curve,
    pub(super) colour: &'a str,
    pub(super) width: f64,
    pub(super) label: String,
}

/// A band behind a chart's lines, from `from` to `to` (ms), with a tooltip.
pub(super) struct Band {
    pub(super) from: u64,
    pub(super) to: u64,
    pub(super) class: &'static str,
    pub(super) title: String,
}

/// A vertical y scale from zero: its top value and ticks.
fn y_scale(max: u64) -> (u64, Vec<u64>) {
    let max = max.max(1);
    let mut magnitude = 1u64;
    loop {
        for factor in [1, 2, 5] {
            let step = factor * magnitude;
            if max.div_ceil(step) <= 4 {
                let top = max.div_ceil(step) * step;
                return (top, (0..=top / step).map(|i| i * step).collect());
            }
        }
        magnitude *= 10;
    }
}

/// One line chart of step functions over the time axis: its title, y-axis label, the
/// bands behind (outages, spells below desired), fault lines and a cursor the page's
/// script moves. `id` names it in the page.
pub(super) struct Chart<'a> {
    pub(super) id: String,
    pub(super) title: String,
    pub(super) y_label: &'a str,
    pub(super) height: f64,
    pub(super) lines: Vec<Line<'a>>,
    /// Piecewise-linear lines, drawn over the step lines.
    pub(super) curves: Vec<CurveLine<'a>>,
    pub(super) y_unit: YUnit,
    pub(super) bands: Vec<Band>,
    pub(super) marks: &'a [u64],
}

const TOP: f64 = 8.0;
const AXIS: f64 = 30.0;

impl Chart<'_> {
    pub(super) fn svg(&self, axis: &Axis) -> String {
        let height = self.height;
        let plot_bottom = height - AXIS;
        let plot_height = plot_bottom - TOP;
        let max = self
            .lines
            .iter()
            .map(|line| line.trace.window_max(axis))
            .chain(self.curves.iter().map(|curve| curve.curve.window_max(axis)))
            .max()
            .unwrap_or(0);
        let (top, y_ticks) = y_scale(max);
        let y = |value: u64| plot_bottom - plot_height * value as f64 / top as f64;
        let mut svg = String::new();
        let _ = write!(
            svg,
            "<svg class=\"chart\" id=\"{id}\" viewBox=\"0 0 {WIDTH} {height}\" role=\"img\" \
             aria-labelledby=\"{id}-title\" aria-describedby=\"{id}-desc\" data-x0=\"{X0}\" data-x1=\"{X1}\" \
             data-start=\"{start}\" data-end=\"{end}\" data-top=\"{TOP}\" data-bottom=\"{plot_bottom}\">\
             <title id=\"{id}-title\">{title}</title><desc id=\"{id}-desc\">Horizontal axis: time since \
             the start of the run (d hh:mm:ss); vertical axis: {y_label}.</desc>",
            id = self.id,
            start = axis.start_ms,
            end = axis.end_ms,
            title = escape(&self.title),
            y_label = escape(self.y_label),
        );
        svg.push_str(&self.frame(axis, plot_bottom, &y_ticks, &y));
        for band in &self.bands {
            let (from, to) = (axis.x(band.from), axis.x(band.to));
            let _ = write!(
                svg,
                "<rect class=\"{}\" x=\"{:.1}\" y=\"{TOP}\" width=\"{:.1}\" height=\"{plot_height:.1}\">\
                 <title>{}</title></rect>",
                band.class,
                from,
                (to - from).max(1.5),
                escape(&band.title)
            );
        }
        for &mark in self.marks {
            let x = axis.x(mark);
            let _ = write!(
                svg,
                "<line class=\"fault-line\" x1=\"{x:.1}\" x2=\"{x:.1}\" y1=\"{TOP}\" y2=\"{plot_bottom:.1}\"/>"
            );
        }
        for line in &self.lines {
            let _ = write!(
                svg,
                "<path class=\"series\" d=\"{}\" stroke=\"{}\" stroke-width=\"{}\"{}><title>{}</title></path>",
                step_path(line.trace, axis, &y),
                line.colour,
                line.width,
                if line.dashed {
                    " stroke-dasharray=\"6 4\""
                } else {
                    ""
                },
                escape(&line.label)
            );
        }
        for curve in &self.curves {
            let last = curve.curve.last().unwrap_or_default();
            let _ = write!(
                svg,
                "<path class=\"series curve\" d=\"{}\" stroke=\"{}\" stroke-width=\"{}\" \
                 data-last-ms=\"{}\" data-last=\"{}\"><title>{}</title></path>",
                curve_path(curve.curve, axis, &y),
                curve.colour,
                curve.width,
                last.0,
                last.1,
                escape(&curve.label)
            );
        }
        let _ = write!(
            svg,
            "<line class=\"cursor\" x1=\"{X0}\" x2=\"{X0}\" y1=\"{TOP}\" y2=\"{plot_bottom:.1}\" visibility=\"hidden\"/>\
             <text class=\"y-label\" transform=\"translate(14 {:.1}) rotate(-90)\" text-anchor=\"middle\">{}</text></svg>",
            TOP + plot_height / 2.0,
            escape(self.y_label)
        );
        svg
    }

    /// Grid, ticks and tick labels of both axes.
    fn frame(
        &self,
        axis: &Axis,
        plot_bottom: f64,
        y_ticks: &[u64],
        y: &dyn Fn(u64) -> f64,
    ) -> String {
        let mut svg = String::from("<g class=\"grid\">");
        for &tick in y_ticks {
            let at = y(tick);
            let _ = write!(
                svg,
                "<line x1=\"{X0}\" x2=\"{X1}\" y1=\"{at:.1}\" y2=\"{at:.1}\"/>\
                 <text class=\"tick\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
                X0 - 6.0,
                at + 4.0,
                self.y_unit.label(tick)
            );
        }
        svg.push_str(&time_ticks(axis, TOP, plot_bottom, true));
        svg.push_str("</g>");
        svg
    }
}

/// Vertical grid lines at the time ticks, labelled below `bottom` when `labels`.
pub(super) fn time_ticks(axis: &Axis, top: f64, bottom: f64, labels: bool) -> String {
    let mut svg = String::new();
    let ticks = axis.ticks();
    for (i, &tick) in ticks.iter().enumerate() {
        let x = axis.x(tick);
        let _ = write!(
            svg,
            "<line x1=\"{x:.1}\" x2=\"{x:.1}\" y1=\"{top:.1}\" y2=\"{bottom:.1}\"/>"
        );
        if labels {
            let anchor = if i == 0 {
                "start"
            } else if x >= X1 - 40.0 {
                "end"
            } else {
                "middle"
            };
            let _ = write!(
                svg,
                "<text class=\"tick\" x=\"{x:.1}\" y=\"{:.1}\" text-anchor=\"{anchor}\">{}</text>",
                bottom + 16.0,
                clock(tick)
            );
        }
    }
    svg
}

/// The SVG path of a piecewise-linear line: straight from point to point.
fn curve_path(curve: &Curve, axis: &Axis, y: &dyn Fn(u64) -> f64) -> String {
    let mut path = String::new();
    for (i, &(at, value)) in curve.points().iter().enumerate() {
        let _ = write!(
            path,
            "{}{:.1},{:.1}",
            if i == 0 { 'M' } else { 'L' },
            axis.x(at),
            y(value)
        );
    }
    path
}

/// The SVG path of a step function: horizontal runs, and per pixel column a vertical
/// stroke over every value the column held.
fn step_path(trace: &Trace, axis: &Axis, y: &dyn Fn(u64) -> f64) -> String {
    let mut path = String::new();
    let (mut value, columns) = trace.columns(axis);
    let _ = write!(path, "M{X0:.1},{:.1}", y(value));
    for column in columns {
        let _ = write!(path, "H{:.1}", column.x);
        let mut stops = Vec::with_capacity(3);
        if column.min < value.min(column.last) || column.max > value.max(column.last) {
            stops.extend([column.min, column.max]);
        }
        stops.push(column.last);
        for stop in stops {
            if stop != value {
                let _ = write!(path, "V{:.1}", y(stop));
                value = stop;
            }
        }
        value = column.last;
    }
    let _ = write!(path, "H{:.1}", axis.x(axis.end_ms));
    path
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clock_reads_days_hours_minutes_seconds() {
        assert_eq!(clock(0), "00:00:00");
        assert_eq!(clock(93_600_000), "1d 02:00:00");
        assert_eq!(clock(7_200_250), "02:00:00.250");
        assert_eq!(count(47_922), "47,922");
        assert_eq!(count(100), "100");
        assert_eq!(count(1_000_000), "1,000,000");
    }

    #[test]
    fn spans_are_exact_and_cut_to_the_window() {
        let mut below = Trace::default();
        below.push(SimTime(0), 1);
        below.push(SimTime(29_032), 0);
        below.push(SimTime(7_200_000), 1);
        below.push(SimTime(7_231_340), 0);
        let whole = Axis {
            start_ms: 0,
            end_ms: 172_800_000,
        };
        assert_eq!(
            below.spans(&whole),
            vec![(0, 29_032), (7_200_000, 7_231_340)]
        );
        let window = Axis {
            start_ms: 7_210_000,
            end_ms: 8_000_000,
        };
        assert_eq!(below.spans(&window), vec![(7_210_000, 7_231_340)]);
    }

    #[test]
    fn a_trace_keeps_exact_changes_then_min_and_max_per_bucket() {
        let mut trace = Trace::default();
        trace.push(SimTime(0), 6);
        trace.push(SimTime(7_200_000), 5);
        trace.push(SimTime(7_231_340), 6);
        assert_eq!(trace.initial(), 6);
        assert_eq!(trace.buckets.len(), 2);
        assert_eq!(trace.buckets[0].min, 5);
        let mut busy = Trace::default();
        for i in 0..100_000u64 {
            busy.push(SimTime(i * 1000 + 1), i % 7);
        }
        assert!(busy.buckets.len() <= MAX_BUCKETS);
        let axis = Axis {
            start_ms: 0,
            end_ms: 100_000_000,
        };
        assert_eq!(busy.window_max(&axis), 6);
        assert_eq!(busy.buckets.iter().map(|b| b.min).min(), Some(0));
        assert!(busy.columns(&axis).1.len() <= (X1 - X0) as usize + 1);
        assert_eq!(trace.value_at(7_200_000), 5);
        assert_eq!(trace.reaches(7_200_001, 6), Some(7_231_340));
    }

    #[test]
    fn a_curve_keeps_its_first_and_last_points_in_bounded_memory() {
        let mut curve = Curve::default();
        curve.push(SimTime(0), 0);
        curve.push(SimTime(0), 5);
        assert_eq!(curve.points(), &[(0, 5)]);
        for i in 1..=100_000u64 {
            curve.push(SimTime(i * 1000), 5 + i * 3);
        }
        assert!(curve.points().len() <= MAX_BUCKETS);
        assert_eq!(curve.points()[0], (0, 5));
        assert_eq!(curve.last(), Some((100_000_000, 300_005)));
        // Every point kept is exact: on the line 5 + 3 per second.
        assert!(curve.points().iter().all(|&(at, v)| v == 5 + at / 1000 * 3));
        assert!(curve.points().windows(2).all(|w| w[0].0 < w[1].0));
        assert_eq!(usd(36_207, 6), "$0.036207");
        assert_eq!(usd(2_000_000, 6), "$2");
        assert_eq!(usd(500_000, 6), "$0.50");
        assert_eq!(usd(1_200_000_000_000, 9), "$1,200");
        assert_eq!(YUnit::Count.label(1200), "1,200");
    }

    #[test]
    fn ticks_are_round_and_at_most_nine() {
        let ticks = Axis {
            start_ms: 0,
            end_ms: 2 * 86_400_000,
        }
        .ticks();
        assert_eq!(ticks.len(), 9);
        assert_eq!(ticks[1], 6 * 3_600_000);
        let window = Axis {
            start_ms: 84_600_000,
            end_ms: 93_600_000,
        };
        assert_eq!(window.ticks()[0], 84_600_000);
        assert!(window.ticks().len() <= 9);
        assert_eq!(y_scale(6), (6, vec![0, 2, 4, 6]));
        assert_eq!(y_scale(0), (1, vec![0, 1]));
        assert_eq!(y_scale(47_922).0, 60_000);
    }
}
