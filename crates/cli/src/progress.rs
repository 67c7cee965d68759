//! The progress bars: `ecsim run`'s (simulated time reached over the run's duration) and
//! that of `sweep`, `compare` and `plan` (runs finished over runs to make), on stderr, shown
//! only when stderr is a terminal, once a second of wall time has passed, and never with
//! `--quiet`. It reads the wall clock (the one other place besides the
//! terminal's closing line), and nothing of it reaches a file.

use std::io::IsTerminal;
use std::time::{Duration, Instant};

use des::SimTime;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Runs shorter than this show no bar.
const SHOW_AFTER: Duration = Duration::from_secs(1);

pub struct Progress {
    /// `None` when no bar may be shown; else when the run started.
    started: Option<Instant>,
    end: SimTime,
    bar: Option<ProgressBar>,
}

impl Progress {
    /// A bar for a run that ends at simulated time `end`; shown on a terminal unless
    /// `quiet`.
    pub fn new(end: SimTime, quiet: bool) -> Progress {
        let shown = !quiet && std::io::stderr().is_terminal();
        Progress {
            // Wall-clock time, for the terminal only: it decides whether a bar is worth
            // showing and feeds its rate and ETA; it never reaches a file.
            #[allow(clippy::disallowed_methods)]
            started: shown.then(Instant::now),
            end,
            bar: None,
        }
    }

    /// The run has reached simulated time `now`.
    pub fn update(&mut self, now: SimTime) {
        let Some(started) = self.started else {
            return;
        };
        if self.bar.is_none() {
            if started.elapsed() < SHOW_AFTER {
                return;
            }
            self.bar = Some(self.make_bar());
        }
        if let Some(bar) = &self.bar {
            bar.set_position(now.as_ms());
            bar.set_message(format!("{} of {}", short(now), short(self.end)));
        }
    }

    fn make_bar(&self) -> ProgressBar {
        let bar =
            ProgressBar::with_draw_target(Some(self.end.as_ms()), ProgressDrawTarget::stderr());
        let style = ProgressStyle::with_template(
            "simulated {msg:>16} [{wide_bar}] {percent:>3}%  {elapsed} elapsed, ETA {eta}",
        )
        .expect("a valid template")
        .progress_chars("=> ");
        bar.set_style(style);
        bar
    }

    /// The run is over: the bar goes, leaving the terminal as it was.
    pub fn finish(self) {
        if let Some(bar) = self.bar {
            bar.finish_and_clear();
        }
    }
}

/// Runs finished out of runs to make, for the commands that make many (`sweep`, `compare`,
/// `plan`). Worker threads tell it as they finish: every method takes `&self`.
pub struct RunsProgress {
    /// `None` when no bar may be shown; else when the runs started.
    started: Option<Instant>,
    /// Hidden until a second has passed, then drawn on stderr.
    bar: ProgressBar,
    shown: std::sync::atomic::AtomicBool,
}

impl RunsProgress {
    pub fn new(total: usize, what: &str, quiet: bool) -> RunsProgress {
        let shown = !quiet && std::io::stderr().is_terminal();
        let bar = ProgressBar::with_draw_target(Some(total as u64), ProgressDrawTarget::hidden());
        let template = format!(
            "{what} {{pos:>5}}/{{len}} runs [{{wide_bar}}] {{elapsed}} elapsed, ETA {{eta}}"
        );
        bar.set_style(
            ProgressStyle::with_template(&template)
                .expect("a valid template")
                .progress_chars("=> "),
        );
        RunsProgress {
            // Wall-clock time, for the terminal only (see `Progress::new`).
            #[allow(clippy::disallowed_methods)]
            started: shown.then(Instant::now),
            bar,
            shown: std::sync::atomic::AtomicBool::new(false),
        }
    }

    /// One more run is finished.
    pub fn run_done(&self) {
        self.bar.inc(1);
        let Some(started) = self.started else {
            return;
        };
        if started.elapsed() >= SHOW_AFTER
            && !self.shown.swap(true, std::sync::atomic::Ordering::Relaxed)
        {
            self.bar.set_draw_target(ProgressDrawTarget::stderr());
        }
    }

    /// The runs are over: the bar goes, leaving the terminal as it was.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

/// Simulated time in its two largest units: `1d4h`, `3h20m`, `12m5s`, `40s`.
fn short(time: SimTime) -> String {
    let seconds = time.as_ms() / 1000;
    let units = [("d", 86_400), ("h", 3_600), ("m", 60), ("s", 1)];
    let mut parts = Vec::new();
    let mut rest = seconds;
    for (unit, size) in units {
        if rest >= size || (parts.is_empty() && size == 1) {
            parts.push(format!("{}{unit}", rest / size));
            rest %= size;
        } else if !parts.is_empty() {
            parts.push(format!("0{unit}"));
        }
        if parts.len() == 2 {
            break;
        }
    }
    parts.join("")
}

#[cfg(test)]
mod tests {
    use des::SimTime;

    use super::{short, Progress};

    #[test]
    fn simulated_time_in_two_units() {
        let check = |secs: u64, text: &str| assert_eq!(short(SimTime::from_secs(secs)), text);
        check(0, "0s");
        check(40, "40s");
        check(725, "12m5s");
        check(3 * 3_600 + 20 * 60 + 7, "3h20m");
        check(86_400 + 4 * 3_600, "1d4h");
        check(2 * 86_400, "2d0h");
        check(2 * 86_400 + 59, "2d0h");
    }

    #[test]
    fn quiet_shows_nothing() {
        let mut progress = Progress::new(SimTime::from_secs(60), true);
        progress.update(SimTime::from_secs(30));
        assert!(progress.started.is_none() && progress.bar.is_none());
        progress.finish();
    }
}
