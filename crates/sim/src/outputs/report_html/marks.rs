//! The marks of the overview (faults, instances lost and registered, Spot notices, agent
//! disconnections, deployments started and failed), kept in bounded memory: past `MAX_MARKS`, marks of one row and kind
//! that fall in one time bucket merge into one that counts them, the buckets doubling
//! until the marks fit, so a long run is drawn evenly over its whole length.

use cluster::instance::InstanceLoss;

use super::svg::clock;

/// At most this many marks are kept.
const MAX_MARKS: usize = 1000;

/// What a mark stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum MarkKind {
    Fault,
    Loss(InstanceLoss),
    SpotNotice,
    AgentDisconnected,
    Registered,
    DeploymentStarted,
    DeploymentFailed,
}

/// The row of the overview a mark goes in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Row {
    Faults,
    Zone(usize),
    Service(usize),
}

impl MarkKind {
    /// Several of them, for a merged mark's tooltip.
    fn several(self, count: u64) -> String {
        match self {
            MarkKind::Fault => format!("{count} faults struck"),
            MarkKind::Loss(loss) => format!("{count} instances lost ({})", loss.as_str()),
            MarkKind::SpotNotice => format!("{count} Spot interruption notices"),
            MarkKind::AgentDisconnected => format!("{count} agents disconnected"),
            MarkKind::Registered => format!("{count} instances registered"),
            MarkKind::DeploymentStarted => format!("{count} deployments started"),
            MarkKind::DeploymentFailed => format!("{count} deployments failed"),
        }
    }
}

#[derive(Clone, Debug)]
pub(super) struct Mark {
    /// When it happened (the first, for a merged mark) and the last one merged.
    pub(super) at: u64,
    pub(super) last: u64,
    /// The row it goes in.
    pub(super) row: Row,
    pub(super) kind: MarkKind,
    pub(super) count: u64,
    /// The tooltip of a single mark.
    pub(super) title: String,
}

impl Mark {
    pub(super) fn new(at: u64, row: Row, kind: MarkKind, title: String) -> Mark {
        Mark {
            at,
            last: at,
            row,
            kind,
            count: 1,
            title,
        }
    }

    /// Its tooltip.
    pub(super) fn title(&self) -> String {
        if self.count == 1 {
            self.title.clone()
        } else {
            format!(
                "{} from {} to {}",
                self.kind.several(self.count),
                clock(self.at),
                clock(self.last)
            )
        }
    }
}

/// The marks in time order, merged as needed.
#[derive(Debug)]
pub(super) struct Marks {
    width_ms: u64,
    list: Vec<Mark>,
}

impl Default for Marks {
    fn default() -> Marks {
        Marks {
            width_ms: 1,
            list: Vec::new(),
        }
    }
}

impl Marks {
    /// Adds a mark; marks come in time order.
    pub(super) fn push(&mut self, mark: Mark) {
        let bucket = mark.at / self.width_ms;
        let same = self
            .list
            .iter_mut()
            .rev()
            .take_while(|other| other.at / self.width_ms == bucket)
            .find(|other| other.row == mark.row && other.kind == mark.kind);
        match same {
            Some(other) => {
                other.count += mark.count;
                other.last = other.last.max(mark.last);
            }
            None => self.list.push(mark),
        }
        while self.list.len() > MAX_MARKS {
            self.coarsen();
        }
    }

    pub(super) fn iter(&self) -> impl Iterator<Item = &Mark> {
        self.list.iter()
    }

    /// Whether some marks stand for several.
    pub(super) fn merged(&self) -> bool {
        self.width_ms > 1
    }

    fn coarsen(&mut self) {
        self.width_ms *= 2;
        let width = self.width_ms;
        let mut merged: Vec<Mark> = Vec::with_capacity(self.list.len());
        let mut bucket_start = 0;
        for mark in self.list.drain(..) {
            let bucket = mark.at / width;
            if merged
                .get(bucket_start)
                .is_none_or(|first| first.at / width != bucket)
            {
                bucket_start = merged.len();
            }
            match merged[bucket_start..]
                .iter_mut()
                .find(|other| other.row == mark.row && other.kind == mark.kind)
            {
                Some(other) => {
                    other.count += mark.count;
                    other.last = other.last.max(mark.last);
                }
                None => merged.push(mark),
            }
        }
        self.list = merged;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_merge_evenly_past_the_limit() {
        let mut marks = Marks::default();
        for i in 0..10_000u64 {
            let kind = if i % 2 == 0 {
                MarkKind::Loss(InstanceLoss::InstanceFailure)
            } else {
                MarkKind::Registered
            };
            marks.push(Mark::new(
                i * 60_000,
                Row::Zone((i % 3) as usize),
                kind,
                String::new(),
            ));
        }
        assert!(marks.merged());
        assert!(marks.iter().count() <= MAX_MARKS);
        assert_eq!(marks.iter().map(|mark| mark.count).sum::<u64>(), 10_000);
        let last = marks.iter().map(|mark| mark.last).max();
        assert_eq!(
            last,
            Some(9_999 * 60_000),
            "the end of the run is still drawn"
        );
        assert!(marks
            .iter()
            .any(|mark| mark.title().contains("instances lost")));
    }
}
