//! `runTasks[].arrivals`: when a RunTask entry's calls come, instead of `at`/`every`. A
//! Poisson process (`poisson: {mean: 1m}`, optional `start`) or a trace file (`trace:
//! FILE`, a CSV of arrival times relative to the scenario's folder), both with an optional
//! `until`. Every bad row of a trace is an error located in the trace file.

use std::rc::Rc;
use std::sync::Arc;

use cluster::spec::{ArrivalProcess, Arrivals, RunTaskSpec, ScheduledTaskSpec, ServiceSpec};
use des::SimTime;

use crate::duration::parse_duration_ms;
use crate::error::{ErrorKind, Loc, Origin};
use crate::node::{Node, Value};
use crate::read::{index_path, Cx};
use crate::validate::opt;

pub(crate) const ARRIVALS_KEYS: &[&str] = &["poisson", "trace", "start", "until"];

/// What a trace's time must look like.
pub(crate) const TRACE_TIME_EXPECTED: &str = "a time since the start of the run: seconds \
     (12.5) or a duration (1h30m) in whole milliseconds";

/// Errors a trace reports at most; the rest are counted in one more.
const TRACE_ERRORS_MAX: usize = 10;

/// `arrivals` of a RunTask entry: exactly one of `poisson` and `trace`.
pub(crate) fn arrivals(cx: &mut Cx, node: &Node, path: &str) -> Option<Arrivals> {
    let fields = cx.fields(node, path)?;
    fields.finish(cx, ARRIVALS_KEYS, &[]);
    let start = opt(cx, &fields, "start", Cx::duration_ms);
    let until = opt(cx, &fields, "until", Cx::duration_ms);
    let process = match (fields.get("poisson"), fields.get("trace")) {
        (Some(poisson), None) => {
            let path = fields.path_of("poisson");
            let mean = cx.fields(poisson, &path).and_then(|poisson| {
                poisson.finish(cx, &["mean"], &[]);
                let mean = poisson.required(
                    cx,
                    "mean",
                    "the mean time between arrivals, a duration > 0",
                )?;
                cx.positive_duration_ms(mean, &poisson.path_of("mean"))
            });
            let start_ms = start.unwrap_or(Some(0))?;
            Some(ArrivalProcess::Poisson {
                mean_ms: mean?,
                start_ms,
            })
        }
        (None, Some(trace_node)) => {
            if let (Some(_), Some(loc)) = (start, fields.key_loc("start")) {
                cx.rule(
                    loc,
                    &fields.path_of("start"),
                    "start goes with poisson: a trace's times count from the start of the run"
                        .to_string(),
                );
            }
            trace(cx, trace_node, &fields.path_of("trace"))
        }
        (Some(_), Some(_)) => {
            cx.rule(
                &node.loc,
                path,
                "exactly one of poisson and trace, not both".to_string(),
            );
            None
        }
        (None, None) => {
            cx.error(
                &node.loc,
                path,
                ErrorKind::MissingField {
                    expected: "poisson: {mean: DURATION} or trace: FILE".to_string(),
                },
            );
            None
        }
    };
    let until_ms = until.map_or(Some(None), |until| until.map(Some))?;
    if let (Some(ArrivalProcess::Poisson { start_ms, .. }), Some(until_ms)) = (&process, until_ms) {
        if until_ms < *start_ms {
            let loc = fields.key_loc("until").unwrap_or(&node.loc);
            cx.rule(
                loc,
                &fields.path_of("until"),
                "until must not be before start".to_string(),
            );
            return None;
        }
    }
    Some(Arrivals {
        process: process?,
        until_ms,
    })
}

/// `trace: FILE`: the file, relative to the scenario's folder, read and checked.
fn trace(cx: &mut Cx, node: &Node, field: &str) -> Option<ArrivalProcess> {
    let file = cx.name(node, field)?;
    let (path, text) = cx.read_beside(node, field, &file)?;
    match parse_trace(&text) {
        Ok(times_ms) => Some(ArrivalProcess::Trace {
            file,
            times_ms: Arc::from(times_ms),
        }),
        Err(errors) => {
            let origin = Origin::File(Rc::new(path));
            for error in errors {
                let loc = match error.line {
                    Some(line) => Loc {
                        origin: origin.clone(),
                        line,
                        column: error.column,
                    },
                    None => node.loc.clone(),
                };
                cx.rule(&loc, field, error.message);
            }
            None
        }
    }
}

/// A problem with a trace: where in the file (`line` `None`: the whole file) and what.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct TraceError {
    pub line: Option<usize>,
    pub column: usize,
    pub message: String,
}

/// A trace's arrival times in milliseconds: one row per arrival, its time in the first
/// column, or in the column named `time` when the first row is a header naming one (other
/// columns are ignored). Blank lines and lines starting with `#` are skipped. Times are
/// seconds (`12.5`) or durations (`1h30m`), in whole milliseconds, and must not decrease.
pub(crate) fn parse_trace(text: &str) -> Result<Vec<u64>, Vec<TraceError>> {
    let mut times = Vec::new();
    let mut errors = Vec::new();
    let mut more = 0usize;
    let mut column_index: Option<usize> = None;
    let mut previous: Option<u64> = None;
    for (idx, line) in text.lines().enumerate() {
        let line_no = idx + 1;
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        let cells = cells(line);
        let column = match column_index {
            Some(column) => column,
            None => {
                let header = cells
                    .iter()
                    .position(|(_, text)| text.eq_ignore_ascii_case("time"));
                column_index = Some(header.unwrap_or(0));
                if header.is_some() {
                    continue;
                }
                0
            }
        };
        let mut fail = |column: usize, message: String| {
            if errors.len() < TRACE_ERRORS_MAX {
                errors.push(TraceError {
                    line: Some(line_no),
                    column,
                    message,
                });
            } else {
                more += 1;
            }
        };
        let Some(&(at_column, cell)) = cells.get(column) else {
            fail(
                line.chars().count() + 1,
                format!(
                    "expected {} in column {}, found no such column",
                    TRACE_TIME_EXPECTED,
                    column + 1
                ),
            );
            continue;
        };
        match parse_duration_ms(cell) {
            Some(ms) => {
                if let Some(before) = previous.filter(|&before| ms < before) {
                    fail(
                        at_column,
                        format!(
                            "arrival times must not decrease: {cell:?} ({} s) comes after {} s",
                            SimTime(ms),
                            SimTime(before)
                        ),
                    );
                } else {
                    previous = Some(ms);
                    times.push(ms);
                }
            }
            None => fail(
                at_column,
                format!("expected {TRACE_TIME_EXPECTED}, found {cell:?}"),
            ),
        }
    }
    if more > 0 {
        errors.push(TraceError {
            line: None,
            column: 0,
            message: format!("and {more} more bad rows in the trace"),
        });
    }
    if errors.is_empty() && times.is_empty() {
        errors.push(TraceError {
            line: None,
            column: 0,
            message: "the trace holds no arrival time".to_string(),
        });
    }
    if errors.is_empty() {
        Ok(times)
    } else {
        Err(errors)
    }
}

/// The cells of a CSV row, each with its 1-based column in characters, trimmed and
/// unquoted (a time never holds a comma, so quotes need no more than this).
fn cells(line: &str) -> Vec<(usize, &str)> {
    let mut cells = Vec::new();
    let mut column = 1;
    for raw in line.split(',') {
        let leading = raw.chars().take_while(|ch| ch.is_whitespace()).count();
        let trimmed = raw.trim();
        let unquoted = trimmed
            .strip_prefix('"')
            .and_then(|inner| inner.strip_suffix('"'))
            .unwrap_or(trimmed);
        cells.push((column + leading, unquoted));
        column += raw.chars().count() + 1;
    }
    cells
}

/// Arrivals are measured per task group, so an arrivals entry's group must hold only
/// tasks of arrivals: not the group of another RunTask entry without arrivals, of a
/// scheduled task or of a service (`service:NAME`).
pub(crate) fn check_groups(
    cx: &mut Cx,
    node: Option<&Node>,
    run_tasks: &[Option<RunTaskSpec>],
    scheduled_tasks: &[Option<ScheduledTaskSpec>],
    services: &[Option<ServiceSpec>],
) {
    let Some(Value::Seq(items)) = node.map(|node| &node.value) else {
        return;
    };
    for (idx, run) in run_tasks.iter().enumerate() {
        let Some(run) = run.as_ref().filter(|run| run.arrivals.is_some()) else {
            continue;
        };
        let other_run = run_tasks.iter().position(|other| {
            other
                .as_ref()
                .is_some_and(|other| other.arrivals.is_none() && other.group == run.group)
        });
        let scheduled = scheduled_tasks
            .iter()
            .position(|other| other.as_ref().is_some_and(|other| other.group == run.group));
        let service = services
            .iter()
            .flatten()
            .find(|service| run.group == format!("service:{}", service.service_name));
        let sharer = match (other_run, scheduled, service) {
            (Some(other), _, _) => index_path("runTasks", other),
            (None, Some(other), _) => index_path("scheduledTasks", other),
            (None, None, Some(service)) => format!("service {}", service.service_name),
            (None, None, None) => continue,
        };
        let path = index_path("runTasks", idx);
        let item = &items[idx];
        let (loc, field) = match item.get("group") {
            Some(group) => (group.loc.clone(), format!("{path}.group")),
            None => (item.loc.clone(), path),
        };
        cx.rule(
            &loc,
            &field,
            format!(
                "the group {:?} of these arrivals is also {sharer}'s: arrivals are measured per \
                 group, so give them a group of their own",
                run.group
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::{parse_trace, TraceError};

    fn error(line: usize, column: usize, message: &str) -> TraceError {
        TraceError {
            line: Some(line),
            column,
            message: message.to_string(),
        }
    }

    #[test]
    fn a_trace_reads_seconds_and_durations() {
        let text = "# arrivals of the nightly batch\n0\n12.5\n\n1m\n1h30m\n1h30m\n";
        assert_eq!(
            parse_trace(text),
            Ok(vec![0, 12_500, 60_000, 5_400_000, 5_400_000])
        );
    }

    #[test]
    fn a_header_names_the_time_column_and_other_columns_are_ignored() {
        let text = "job,time,size\r\na,30s,3\r\nb,\"45\",1\r\n";
        assert_eq!(parse_trace(text), Ok(vec![30_000, 45_000]));
        // Without a header, the first column.
        assert_eq!(parse_trace("10, x\n20, y\n"), Ok(vec![10_000, 20_000]));
    }

    #[test]
    fn bad_rows_are_located() {
        let text = "time\n10\nsoon\n5\n 0.0005\n20\n";
        assert_eq!(
            parse_trace(text),
            Err(vec![
                error(
                    3,
                    1,
                    "expected a time since the start of the run: seconds (12.5) or a duration \
                     (1h30m) in whole milliseconds, found \"soon\""
                ),
                error(
                    4,
                    1,
                    "arrival times must not decrease: \"5\" (5.000 s) comes after 10.000 s"
                ),
                error(
                    5,
                    2,
                    "expected a time since the start of the run: seconds (12.5) or a duration \
                     (1h30m) in whole milliseconds, found \"0.0005\""
                ),
            ])
        );
        assert_eq!(
            parse_trace("a,time\n1,2\n3\n"),
            Err(vec![error(
                3,
                2,
                "expected a time since the start of the run: seconds (12.5) or a duration \
                 (1h30m) in whole milliseconds in column 2, found no such column"
            )])
        );
    }

    #[test]
    fn an_empty_trace_and_many_bad_rows_are_errors() {
        let empty = parse_trace("time\n# nothing yet\n").unwrap_err();
        assert_eq!(empty.len(), 1);
        assert_eq!(empty[0].line, None);
        assert_eq!(empty[0].message, "the trace holds no arrival time");
        let bad = "x\n".repeat(25);
        let errors = parse_trace(&bad).unwrap_err();
        assert_eq!(
            errors.len(),
            11,
            "ten located errors, then a count of the rest"
        );
        assert_eq!(errors[10].message, "and 15 more bad rows in the trace");
    }
}
