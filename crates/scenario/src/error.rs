//! Errors a scenario can have: each names its file, line and column (or the `--set` that
//! produced the value), the field path in ECS's camelCase names, what is wrong and what
//! would be accepted. Validation collects every problem, so `ScenarioErrors` is a list.

use std::fmt;
use std::path::PathBuf;
use std::rc::Rc;

/// Where a value came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    /// A scenario YAML or a `file:` JSON document.
    File(Rc<PathBuf>),
    /// The VALUE of `--set PATH=VALUE` (the string is PATH).
    Override(Rc<str>),
}

/// A position in a source: 1-based line and column (columns count characters).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Loc {
    pub origin: Origin,
    pub line: usize,
    pub column: usize,
}

/// What is wrong. `Display` on `ScenarioError` turns each into one sentence.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// The file could not be read.
    Io { message: String },
    /// The YAML or JSON text does not parse.
    Syntax { message: String },
    /// A key the format does not know; `suggestion` is the nearest known key.
    UnknownField {
        suggestion: Option<String>,
        allowed: Vec<String>,
    },
    /// A required field is absent; `expected` says what it should hold.
    MissingField { expected: String },
    /// A value of the wrong type or out of range.
    Invalid { expected: String, found: String },
    /// A name that refers to nothing (instance type, task definition, zone...).
    UnknownName {
        what: &'static str,
        name: String,
        suggestion: Option<String>,
    },
    /// A field the contract names but the simulator does not simulate yet.
    NotSupported { why: &'static str },
    /// Any other rule, stated in full.
    Rule { message: String },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScenarioError {
    /// The file the error is in (for `--set` values: the scenario file).
    pub file: PathBuf,
    /// `None` for errors without a position (a missing file).
    pub loc: Option<Loc>,
    /// Field path, e.g. `services[0].desiredCount`; empty for the whole document.
    pub field: String,
    pub kind: ErrorKind,
}

impl ScenarioError {
    /// Sort key: `--set` errors, then by file, line and column.
    pub(crate) fn reading_order(&self) -> (bool, String, usize, usize) {
        match &self.loc {
            None => (true, self.file.display().to_string(), 0, 0),
            Some(loc) => match &loc.origin {
                Origin::Override(_) => (false, String::new(), 0, 0),
                Origin::File(path) => (true, path.display().to_string(), loc.line, loc.column),
            },
        }
    }

    /// The 1-based line, when the error has a position in a file.
    pub fn line(&self) -> Option<usize> {
        match &self.loc {
            Some(Loc {
                origin: Origin::File(_),
                line,
                ..
            }) => Some(*line),
            _ => None,
        }
    }

    /// The 1-based column, when the error has a position in a file.
    pub fn column(&self) -> Option<usize> {
        match &self.loc {
            Some(Loc {
                origin: Origin::File(_),
                column,
                ..
            }) => Some(*column),
            _ => None,
        }
    }

    /// The message after `file:line:col: field: `.
    pub fn message(&self) -> String {
        match &self.kind {
            ErrorKind::Io { message } | ErrorKind::Syntax { message } => message.clone(),
            ErrorKind::UnknownField {
                suggestion: Some(name),
                ..
            } => {
                format!("unknown field; did you mean {name}?")
            }
            ErrorKind::UnknownField {
                suggestion: None,
                allowed,
            } => {
                format!("unknown field; expected one of: {}", allowed.join(", "))
            }
            ErrorKind::MissingField { expected } => {
                format!("missing required field; expected {expected}")
            }
            ErrorKind::Invalid { expected, found } => format!("expected {expected}, found {found}"),
            ErrorKind::UnknownName {
                what,
                name,
                suggestion: Some(near),
            } => {
                format!("unknown {what} {name:?}; did you mean {near}?")
            }
            ErrorKind::UnknownName {
                what,
                name,
                suggestion: None,
            } => {
                format!("unknown {what} {name:?}")
            }
            ErrorKind::NotSupported { why } => {
                format!("not supported yet ({why}); remove it to run this scenario")
            }
            ErrorKind::Rule { message } => message.clone(),
        }
    }
}

impl fmt::Display for ScenarioError {
    /// `file:line:col: field: message`, or `file: --set PATH: field: message` for a value
    /// given on the command line.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.loc {
            Some(Loc {
                origin: Origin::File(path),
                line,
                column,
            }) => write!(f, "{}:{line}:{column}: ", path.display())?,
            Some(Loc {
                origin: Origin::Override(set),
                ..
            }) => write!(f, "{}: --set {set}: ", self.file.display())?,
            None => write!(f, "{}: ", self.file.display())?,
        }
        if !self.field.is_empty() {
            write!(f, "{}: ", self.field)?;
        }
        f.write_str(&self.message())
    }
}

/// Every problem found in a scenario, in the order validation met them: section by
/// section, then document order within a section (deterministic for a given input).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScenarioErrors {
    pub errors: Vec<ScenarioError>,
}

impl fmt::Display for ScenarioErrors {
    /// One error per line.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (idx, error) in self.errors.iter().enumerate() {
            if idx > 0 {
                writeln!(f)?;
            }
            write!(f, "{error}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ScenarioErrors {}
impl std::error::Error for ScenarioError {}

/// Edit distance over chars (optimal string alignment: insertions, deletions,
/// substitutions and transpositions of neighbours, so `wbe` is one edit from `web`).
pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut rows = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in rows.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in rows[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (rows[i - 1][j] + 1)
                .min(rows[i][j - 1] + 1)
                .min(rows[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(rows[i - 2][j - 2] + 1);
            }
            rows[i][j] = best;
        }
    }
    rows[a.len()][b.len()]
}

/// The candidate nearest to `name`, if it is near enough to be a likely typo: at most a
/// third of the name's length in edits (at least one), fewer edits than the name has
/// characters, ties to the first candidate.
pub(crate) fn nearest<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<String> {
    let limit = (name.chars().count() / 3).max(1);
    let mut best: Option<(usize, &str)> = None;
    for candidate in candidates {
        let distance = edit_distance(&name.to_lowercase(), &candidate.to_lowercase());
        if distance <= limit
            && distance < name.chars().count()
            && best.is_none_or(|(d, _)| distance < d)
        {
            best = Some((distance, candidate));
        }
    }
    best.map(|(_, candidate)| candidate.to_string())
}
