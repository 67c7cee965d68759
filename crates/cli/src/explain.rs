//! `ecsim explain OUTDIR TASK_ID`: one task's story, told in sentences from a run's output
//! files: why it was placed where it was (`decisions.csv` when the run had `--explain`,
//! else what `events.csv` says), what happened to it, and what replaced it.

use std::fmt::Write as _;
use std::fs::File;
use std::path::Path;

/// Why the story cannot be told: bad input (exit code 2), or a file that cannot be read.
#[derive(Debug)]
pub enum ExplainError {
    /// The folder has no outputs, or the task is not in them.
    Input(String),
    Io(String),
}

/// One CSV file, read whole: its header and its rows.
struct Table {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Table {
    /// `None` when the file does not exist.
    fn read(path: &Path) -> Result<Option<Table>, ExplainError> {
        let file = match File::open(path) {
            Ok(file) => file,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(error) => {
                return Err(ExplainError::Io(format!(
                    "cannot read {}: {error}",
                    path.display()
                )))
            }
        };
        let bad = |error: csv::Error| {
            ExplainError::Input(format!(
                "{} is not an ecsim CSV file: {error}",
                path.display()
            ))
        };
        let mut reader = csv::Reader::from_reader(std::io::BufReader::new(file));
        let header = reader
            .headers()
            .map_err(bad)?
            .iter()
            .map(String::from)
            .collect();
        let mut rows = Vec::new();
        for record in reader.records() {
            rows.push(record.map_err(bad)?.iter().map(String::from).collect());
        }
        Ok(Some(Table { header, rows }))
    }

    fn column(&self, name: &str, path: &Path) -> Result<usize, ExplainError> {
        self.header.iter().position(|h| h == name).ok_or_else(|| {
            ExplainError::Input(format!(
                "{} has no column {name}: is it an ecsim output file?",
                path.display()
            ))
        })
    }
}

/// The columns of a table a story reads, by name.
struct Columns<const N: usize>([usize; N]);

impl<const N: usize> Columns<N> {
    fn of(table: &Table, names: [&str; N], path: &Path) -> Result<Self, ExplainError> {
        let mut columns = [0; N];
        for (slot, name) in columns.iter_mut().zip(names) {
            *slot = table.column(name, path)?;
        }
        Ok(Columns(columns))
    }
}

/// A time of the outputs (seconds with three decimals) in milliseconds.
fn millis(text: &str) -> Option<u64> {
    let (seconds, fraction) = text.split_once('.').unwrap_or((text, "0"));
    let fraction = format!("{fraction:0<3}");
    Some(seconds.parse::<u64>().ok()? * 1000 + fraction.get(..3)?.parse::<u64>().ok()?)
}

/// A time read as days and a clock: `1d 02:00:00`, with milliseconds when there are some
/// (`0d 00:00:15.238`).
pub fn clock(ms: u64) -> String {
    let (days, rest) = (ms / 86_400_000, ms % 86_400_000);
    let (hours, minutes, seconds, millis) = (
        rest / 3_600_000,
        rest / 60_000 % 60,
        rest / 1000 % 60,
        rest % 1000,
    );
    let mut text = format!("{days}d {hours:02}:{minutes:02}:{seconds:02}");
    if millis > 0 {
        let _ = write!(text, ".{millis:03}");
    }
    text
}

/// A time column read as a clock, or the text itself if it is not a time.
fn when(text: &str) -> String {
    millis(text).map_or_else(|| text.to_string(), clock)
}

/// `7` or `t-7` stand for `t-000007`.
fn normalize(task: &str) -> String {
    let digits = task.strip_prefix("t-").unwrap_or(task);
    match digits.parse::<u64>() {
        Ok(number) if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) => {
            format!("t-{number:06}")
        }
        _ => task.to_string(),
    }
}

/// Tells the story of `task` from the outputs in `out`.
pub fn story(out: &Path, task: &str) -> Result<String, ExplainError> {
    let task = normalize(task);
    let tasks_path = out.join("tasks.csv");
    let Some(tasks) = Table::read(&tasks_path)? else {
        return Err(ExplainError::Input(if out.is_dir() {
            format!(
                "{} has no tasks.csv: it holds no ecsim run with tasks.csv (run `ecsim run --out {}`, with --explain for decisions.csv)",
                out.display(),
                out.display()
            )
        } else {
            format!("{} is not a folder of ecsim outputs", out.display())
        }));
    };
    let events_path = out.join("events.csv");
    let events = Table::read(&events_path)?;
    let decisions_path = out.join("decisions.csv");
    let decisions = Table::read(&decisions_path)?;

    let [id, group, service, definition, instance, zone, created, started, stopped, status, code, reason, exit] =
        Columns::of(
            &tasks,
            [
                "taskId",
                "group",
                "service",
                "taskDefinition",
                "instanceId",
                "availabilityZone",
                "createdAt",
                "startedAt",
                "stoppedAt",
                "lastStatus",
                "stopCode",
                "stoppedReason",
                "exitCode",
            ],
            &tasks_path,
        )?
        .0;
    let Some(row) = tasks.rows.iter().find(|row| row[id] == task) else {
        return Err(ExplainError::Input(format!(
            "no task {task} in {}: its tasks are {}",
            tasks_path.display(),
            match (tasks.rows.first(), tasks.rows.last()) {
                (Some(first), Some(last)) => format!("{} to {}", first[id], last[id]),
                _ => "none".to_string(),
            }
        )));
    };
    let mut text = String::new();
    let of_service = !row[service].is_empty();
    let whose = if of_service {
        format!("a task of service {}", row[service])
    } else {
        format!("a standalone task (RunTask) of group {}", row[group])
    };
    let _ = writeln!(
        text,
        "{task} is {whose}, task definition {}.",
        row[definition]
    );

    // Why it is where it is.
    let never_placed = row[instance].is_empty();
    let _ = writeln!(
        text,
        "\n{}",
        if never_placed {
            "Why it has no instance"
        } else {
            "Why it was placed there"
        }
    );
    // A capacity provider's task may have waited in PROVISIONING: placed later than created.
    let placed_at = events.as_ref().and_then(|events| {
        let [time, kind, subject] = Columns::of(events, ["time", "kind", "subject"], &events_path)
            .ok()?
            .0;
        let placed = events
            .rows
            .iter()
            .find(|e| e[kind] == "TaskPlaced" && e[subject] == task)?;
        Some(placed[time].clone())
    });
    if never_placed {
        let _ = writeln!(
            text,
            "It was never placed: created at {}, it waited in PROVISIONING for room on its capacity provider's instances{}.",
            when(&row[created]),
            if row[stopped].is_empty() {
                " until the end of the run"
            } else {
                ", and was stopped before any came"
            }
        );
    }
    let placed_at = placed_at.unwrap_or_else(|| row[created].clone());
    if never_placed {
        // Nothing more to say about a placement.
    } else if placed_at != row[created] {
        let _ = writeln!(
            text,
            "It was created at {} and waited in PROVISIONING for room on its capacity provider's instances.",
            when(&row[created])
        );
    }
    if !never_placed {
        let _ = writeln!(
            text,
            "It was placed at {} on {} in {}.",
            when(&placed_at),
            row[instance],
            row[zone]
        );
    }
    let decision_rows = |kind: &str| -> Result<Vec<Vec<String>>, ExplainError> {
        let Some(decisions) = &decisions else {
            return Ok(Vec::new());
        };
        let [kind_column, task_column] =
            Columns::of(decisions, ["kind", "taskId"], &decisions_path)?.0;
        Ok(decisions
            .rows
            .iter()
            .filter(|d| d[kind_column] == kind && d[task_column] == task)
            .cloned()
            .collect())
    };
    let placement = decision_rows("placement")?;
    if never_placed {
        // No instance was chosen: events.csv below says why it waited.
    } else if let (Some(decisions), false) = (&decisions, placement.is_empty()) {
        let [step, detail] = Columns::of(decisions, ["step", "detail"], &decisions_path)?.0;
        let _ = writeln!(text, "How the placement chose it, step by step:");
        for (n, d) in placement.iter().enumerate() {
            let _ = writeln!(text, "  {}. {}: {}", n + 1, d[step], sentence(&d[detail]));
        }
    } else {
        if let Some(events) = &events {
            let [seq, kind, subject, detail] =
                Columns::of(events, ["seq", "kind", "subject", "detail"], &events_path)?.0;
            let placed = events
                .rows
                .iter()
                .find(|e| e[kind] == "TaskPlaced" && e[subject] == task);
            if let Some(placed) = placed {
                let same = |e: &&Vec<String>| e[seq] == placed[seq];
                let started = events.rows.iter().filter(same).find(|e| {
                    e[kind] == "ServiceEvent"
                        && e[detail].contains("has started")
                        && e[detail].contains(&format!("(task {task})"))
                });
                match started {
                    Some(message) => {
                        let _ = writeln!(
                            text,
                            "The service scheduler started it in a pass: \"{}\"",
                            message[detail]
                        );
                    }
                    None if of_service => {
                        let _ = writeln!(text, "The service scheduler placed it.");
                    }
                    None => {
                        let _ = writeln!(
                            text,
                            "A RunTask call (or a scheduled task) placed it; standalone tasks use the group's strategy (random by default)."
                        );
                    }
                }
            }
        }
        let _ = writeln!(
            text,
            "Why this instance: run again with `ecsim run --explain` to write decisions.csv, which gives every step of the placement."
        );
    }

    // What happened to it.
    let _ = writeln!(text, "\nWhat happened to it");
    match &events {
        Some(events) => {
            let [time, seq, kind, subject, detail] = Columns::of(
                events,
                ["time", "seq", "kind", "subject", "detail"],
                &events_path,
            )?
            .0;
            let own: Vec<&Vec<String>> =
                events.rows.iter().filter(|e| e[subject] == task).collect();
            for e in &own {
                // A fault or a lost instance behind the change, told by the same event.
                for cause in events.rows.iter().filter(|c| c[seq] == e[seq]) {
                    let told = match cause[kind].as_str() {
                        "FaultInjected" if e[kind] != "TaskPlaced" => Some(format!(
                            "fault {} struck: {}",
                            cause[subject], cause[detail]
                        )),
                        "InstanceTerminated"
                            if cause[subject] == row[instance] && e[kind] == "TaskStopped" =>
                        {
                            Some(format!(
                                "its instance {} was terminated ({})",
                                cause[subject], cause[detail]
                            ))
                        }
                        _ => None,
                    };
                    if let Some(told) = told {
                        let _ = writeln!(text, "  {:<15}  {}.", when(&cause[time]), capital(&told));
                    }
                }
                let _ = writeln!(
                    text,
                    "  {:<15}  {}.",
                    when(&e[time]),
                    capital(&state_sentence(&e[kind], &e[detail]))
                );
            }
            if own.is_empty() {
                let _ = writeln!(text, "  events.csv has no row about it.");
            }
        }
        None => {
            let _ = writeln!(
                text,
                "  (events.csv is missing: only tasks.csv's times are known.)"
            );
            let _ = writeln!(text, "  {}  Placed.", when(&row[created]));
            if !row[started].is_empty() {
                let _ = writeln!(text, "  {}  RUNNING.", when(&row[started]));
            }
            if !row[stopped].is_empty() {
                let _ = writeln!(text, "  {}  STOPPED.", when(&row[stopped]));
            }
        }
    }
    let stop = decision_rows("stop")?;
    if let (Some(decisions), false) = (&decisions, stop.is_empty()) {
        let [step, detail] = Columns::of(decisions, ["step", "detail"], &decisions_path)?.0;
        let _ = writeln!(text, "Why the scheduler stopped it, step by step:");
        for (n, d) in stop.iter().enumerate() {
            let _ = writeln!(text, "  {}. {}: {}", n + 1, d[step], sentence(&d[detail]));
        }
    }
    if let (Some(decisions), false) = (&decisions, row[stopped].is_empty()) {
        // The Auto Scaling group's choice of its instance, if that is what stopped it.
        let [time, kind, instance_column, step, detail] = Columns::of(
            decisions,
            ["time", "kind", "instanceId", "step", "detail"],
            &decisions_path,
        )?
        .0;
        let stopped_at = millis(&row[stopped]);
        let termination: Vec<&Vec<String>> = decisions
            .rows
            .iter()
            .filter(|d| {
                d[kind] == "termination"
                    && d[instance_column] == row[instance]
                    && millis(&d[time]) <= stopped_at
            })
            .collect();
        if !termination.is_empty() && row[code].is_empty() {
            let _ = writeln!(
                text,
                "Why its Auto Scaling group terminated {}, step by step:",
                row[instance]
            );
            for (n, d) in termination.iter().enumerate() {
                let _ = writeln!(text, "  {}. {}: {}", n + 1, d[step], sentence(&d[detail]));
            }
        }
    }
    let mut end = format!("Its last status is {}", row[status]);
    if !row[stopped].is_empty() {
        let _ = write!(
            end,
            "; stop code {}, stopped reason \"{}\"",
            if row[code].is_empty() {
                "none (ECS gives none when the host goes)"
            } else {
                &row[code]
            },
            row[reason]
        );
        if row[exit].is_empty() {
            end.push_str(", no exit code (its container did not exit by itself)");
        } else {
            let _ = write!(
                end,
                ", exit code {}{}",
                row[exit],
                if row[exit] == "0" {
                    " (a clean exit)"
                } else {
                    " (a failure)"
                }
            );
        }
    }
    let _ = writeln!(text, "{end}.");

    // What replaced it.
    let _ = writeln!(text, "\nWhat replaced it");
    if !of_service {
        let _ = writeln!(
            text,
            "Nothing: ECS never replaces a standalone task (RunTask)."
        );
    } else if row[stopped].is_empty() {
        let _ = writeln!(
            text,
            "Nothing: it was still {} when the run ended.",
            row[status]
        );
    } else {
        // When each task of the service began to stop: its first DEACTIVATING, STOPPING or
        // STOPPED row (tasks.csv's stoppedAt without events.csv).
        let mut left: std::collections::BTreeMap<&str, u64> = std::collections::BTreeMap::new();
        if let Some(events) = &events {
            let [time, kind, subject] =
                Columns::of(events, ["time", "kind", "subject"], &events_path)?.0;
            for e in &events.rows {
                if matches!(
                    e[kind].as_str(),
                    "TaskDeactivating" | "TaskStopping" | "TaskStopped"
                ) {
                    if let Some(at) = millis(&e[time]) {
                        left.entry(e[subject].as_str()).or_insert(at);
                    }
                }
            }
        }
        let left_at = |other: &Vec<String>| {
            left.get(other[id].as_str())
                .copied()
                .or_else(|| millis(&other[stopped]))
        };
        // Each task that began to stop is replaced by the first task of the service placed
        // at or after that moment and not already the replacement of one that began to stop
        // before it (ECS replaces a task once it is on its way out, not once STOPPED).
        let of_this: Vec<&Vec<String>> = tasks
            .rows
            .iter()
            .filter(|other| other[service] == row[service])
            .collect();
        let mut leaving: Vec<(u64, &str)> = of_this
            .iter()
            .filter_map(|other| left_at(other).map(|at| (at, other[id].as_str())))
            .collect();
        leaving.sort();
        let mut placed: Vec<(u64, &str, &Vec<String>)> = of_this
            .iter()
            .filter_map(|other| millis(&other[created]).map(|at| (at, other[id].as_str(), *other)))
            .collect();
        placed.sort();
        let mut next = placed.iter().peekable();
        let mut replacement = None;
        let mut began = None;
        for (at, leaver) in leaving {
            while next
                .next_if(|(created_at, _, _)| *created_at < at)
                .is_some()
            {}
            let found = next.next();
            if leaver == task {
                replacement = found;
                began = Some(at);
                break;
            }
        }
        match (replacement, began) {
            (Some(&(placed_at, _, next)), Some(began)) => {
                let _ = writeln!(
                    text,
                    "It began to stop at {}. Its replacement: {}, placed at {} ({} later) on {} in {}, the first task of service {} placed after that which did not already replace another (run `ecsim explain {} {}` for its story).",
                    clock(began),
                    next[id],
                    when(&next[created]),
                    duration(placed_at - began),
                    next[instance],
                    next[zone],
                    row[service],
                    out.display(),
                    next[id]
                );
            }
            _ => {
                let _ = writeln!(
                    text,
                    "No task of service {} was placed after it began to stop (or each one replaced a task that stopped before it).",
                    row[service]
                );
            }
        }
    }
    Ok(text)
}

/// `0 s`, `10 s`, `2.5 s`, `4 min 30 s`; `1d 02:00:00` for an hour or more.
fn duration(ms: u64) -> String {
    let seconds = |ms: u64| {
        if ms.is_multiple_of(1000) {
            format!("{} s", ms / 1000)
        } else {
            format!("{} s", des::SimTime(ms))
        }
    };
    if ms >= 3_600_000 {
        clock(ms)
    } else if ms >= 60_000 {
        match ms % 60_000 {
            0 => format!("{} min", ms / 60_000),
            rest => format!("{} min {}", ms / 60_000, seconds(rest)),
        }
    } else {
        seconds(ms)
    }
}

/// One change to the task, in words.
fn state_sentence(kind: &str, detail: &str) -> String {
    match kind {
        "TaskPlaced" => format!("placed: {detail}"),
        "TaskPending" => "ENI attached: PENDING".to_string(),
        "TaskActivating" => "ACTIVATING: registering with its target groups".to_string(),
        "TaskRunning" => format!("RUNNING, {detail}"),
        "TargetHealthy" => "its load balancer targets are healthy".to_string(),
        "TaskUnhealthy" => format!("unhealthy: it {detail}"),
        "ContainerExited" => detail.to_string(),
        "TaskDeactivating" => format!("DEACTIVATING: {detail}"),
        "TaskStopping" => format!("STOPPING: {detail}"),
        "TaskDeprovisioning" => "DEPROVISIONING: detaching its ENI".to_string(),
        "TaskStopped" => format!("STOPPED: {detail}"),
        _ => format!("{kind}: {detail}"),
    }
}

fn capital(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// A step's detail as a sentence: with a full stop.
fn sentence(text: &str) -> String {
    if text.ends_with('.') {
        text.to_string()
    } else {
        format!("{text}.")
    }
}

#[cfg(test)]
mod tests {
    use super::{clock, millis, normalize};

    #[test]
    fn times_read_as_days_and_a_clock() {
        assert_eq!(clock(0), "0d 00:00:00");
        assert_eq!(clock(93_600_000), "1d 02:00:00");
        assert_eq!(clock(15_238), "0d 00:00:15.238");
        assert_eq!(millis("7210.000"), Some(7_210_000));
        assert_eq!(millis("15.238"), Some(15_238));
        assert_eq!(millis("x"), None);
    }

    #[test]
    fn task_ids_may_be_short() {
        assert_eq!(normalize("7"), "t-000007");
        assert_eq!(normalize("t-7"), "t-000007");
        assert_eq!(normalize("t-000007"), "t-000007");
        assert_eq!(normalize("web"), "web");
    }
}
