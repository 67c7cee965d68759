//! Where each part of a validated scenario was written: a side table from field paths
//! (`services[0].placementConstraints[1]`) to `file:line:column`, or to the `--set` that
//! gave the value, kept so that warnings about a valid scenario can point at the text they
//! are about. Validation fills it as it reads each mapping; the model types stay free of
//! positions. Plain owned data, so a `Scenario` can go to other threads.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use crate::error::{Loc, Origin};

/// Where one value was written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    /// A position in the scenario file or in a `file:` JSON document (1-based line and
    /// column, columns counting characters).
    File {
        path: PathBuf,
        line: usize,
        column: usize,
    },
    /// The VALUE of `--set PATH=VALUE`; `set` is PATH.
    Override { set: String },
}

impl Source {
    pub(crate) fn of(loc: &Loc) -> Source {
        match &loc.origin {
            Origin::File(path) => Source::File {
                path: path.as_ref().clone(),
                line: loc.line,
                column: loc.column,
            },
            Origin::Override(set) => Source::Override {
                set: set.to_string(),
            },
        }
    }

    /// Sort key in reading order: `--set` values first, then by file, line and column.
    pub(crate) fn reading_order(&self) -> (bool, String, usize, usize) {
        match self {
            Source::Override { .. } => (false, String::new(), 0, 0),
            Source::File { path, line, column } => {
                (true, path.display().to_string(), *line, *column)
            }
        }
    }

    /// `file:line:column: ` or `scenario: --set PATH: ` (the scenario file given for the
    /// second), as errors write it.
    pub(crate) fn write_prefix(
        &self,
        scenario_file: &Path,
        f: &mut fmt::Formatter<'_>,
    ) -> fmt::Result {
        match self {
            Source::File { path, line, column } => {
                write!(f, "{}:{line}:{column}: ", path.display())
            }
            Source::Override { set } => write!(f, "{}: --set {set}: ", scenario_file.display()),
        }
    }
}

/// Field path to where its value was written, for every mapping validation read and each
/// of its fields.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Sources {
    /// The scenario file (for values given with `--set`).
    pub file: PathBuf,
    by_path: BTreeMap<String, Source>,
}

impl Sources {
    pub(crate) fn new(file: &Path) -> Sources {
        Sources {
            file: file.to_path_buf(),
            by_path: BTreeMap::new(),
        }
    }

    /// Notes where `path` was written; the first note of a path stands (a `file:` entry
    /// before the JSON document it names).
    pub(crate) fn note(&mut self, path: &str, loc: &Loc) {
        if !self.by_path.contains_key(path) {
            self.by_path.insert(path.to_string(), Source::of(loc));
        }
    }

    /// Where `path` was written, exactly.
    pub fn get(&self, path: &str) -> Option<&Source> {
        self.by_path.get(path)
    }

    /// Where `path` was written, or else its nearest enclosing field that was (a default
    /// value has no position of its own: `services[0].desiredCount` falls back to
    /// `services[0]`).
    pub fn locate(&self, path: &str) -> Option<&Source> {
        let mut path = path;
        loop {
            if let Some(source) = self.by_path.get(path) {
                return Some(source);
            }
            let cut = path.rfind(['.', '['])?;
            path = &path[..cut];
        }
    }
}
