//! Reading typed values out of the located tree while collecting errors: `Cx` holds every
//! problem found so far, `Fields` reads one mapping and reports keys nobody asked for.
//! Readers return `None` after recording an error, so validation carries on and reports
//! every problem in one pass.

use std::path::{Path, PathBuf};

use crate::error::{nearest, ErrorKind, Loc, Origin, ScenarioError};
use crate::node::{Entry, Node, Value};
use crate::sources::Sources;

/// The validation context: the scenario file, the errors found so far, and where each
/// mapping read so far (and each of its fields) was written.
pub(crate) struct Cx {
    pub file: PathBuf,
    pub errors: Vec<ScenarioError>,
    pub sources: Sources,
    /// The cluster's capacity providers, once read, for the strategies that name them.
    pub capacity_providers: crate::capacity_providers::ProviderNames,
}

impl Cx {
    pub fn new(file: &Path) -> Cx {
        Cx {
            file: file.to_path_buf(),
            errors: Vec::new(),
            sources: Sources::new(file),
            capacity_providers: Default::default(),
        }
    }

    pub fn error(&mut self, loc: &Loc, field: &str, kind: ErrorKind) {
        let file = match &loc.origin {
            Origin::File(path) => path.as_ref().clone(),
            Origin::Override(_) => self.file.clone(),
        };
        self.errors.push(ScenarioError {
            file,
            loc: Some(loc.clone()),
            field: field.to_string(),
            kind,
        });
    }

    pub fn invalid(&mut self, node: &Node, field: &str, expected: &str) {
        self.error(
            &node.loc,
            field,
            ErrorKind::Invalid {
                expected: expected.to_string(),
                found: node.describe(),
            },
        );
    }

    pub fn rule(&mut self, loc: &Loc, field: &str, message: String) {
        self.error(loc, field, ErrorKind::Rule { message });
    }

    /// A name that refers to nothing; suggests the nearest of `known`.
    pub fn unknown_name<'a>(
        &mut self,
        node: &Node,
        field: &str,
        what: &'static str,
        name: &str,
        known: impl IntoIterator<Item = &'a str>,
    ) {
        let suggestion = nearest(name, known);
        self.error(
            &node.loc,
            field,
            ErrorKind::UnknownName {
                what,
                name: name.to_string(),
                suggestion,
            },
        );
    }

    /// Any scalar as text (numbers included: a name may be `123`).
    pub fn string(&mut self, node: &Node, field: &str) -> Option<String> {
        match &node.value {
            Value::Scalar { text, .. } => Some(text.clone()),
            _ => {
                self.invalid(node, field, "a string");
                None
            }
        }
    }

    /// Reads the file `relative` names, relative to the scenario's folder (a `file:` entry,
    /// a trace); an error at `node` when it cannot be read.
    pub fn read_beside(
        &mut self,
        node: &Node,
        field: &str,
        relative: &str,
    ) -> Option<(PathBuf, String)> {
        let base = self
            .file
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        let path = base.join(relative);
        match std::fs::read_to_string(&path) {
            Ok(text) => Some((path, text)),
            Err(error) => {
                self.rule(
                    &node.loc,
                    field,
                    format!("cannot read {}: {error}", path.display()),
                );
                None
            }
        }
    }

    /// A non-empty string.
    pub fn name(&mut self, node: &Node, field: &str) -> Option<String> {
        match &node.value {
            Value::Scalar { text, .. } if !text.trim().is_empty() => Some(text.clone()),
            _ => {
                self.invalid(node, field, "a non-empty name");
                None
            }
        }
    }

    /// An unquoted whole number in `min..=max`.
    pub fn uint(&mut self, node: &Node, field: &str, min: u64, max: u64) -> Option<u64> {
        if let Value::Scalar {
            text,
            quoted: false,
        } = &node.value
        {
            if let Some(n) = parse_uint(text).filter(|n| (min..=max).contains(n)) {
                return Some(n);
            }
        }
        self.invalid(node, field, &whole_number(min, max));
        None
    }

    pub fn u32(&mut self, node: &Node, field: &str, min: u32, max: u32) -> Option<u32> {
        self.uint(node, field, u64::from(min), u64::from(max))
            .map(|n| n as u32)
    }

    /// An unquoted whole number, optionally negative, in `min..=max`.
    pub fn int(&mut self, node: &Node, field: &str, min: i64, max: i64) -> Option<i64> {
        if let Value::Scalar {
            text,
            quoted: false,
        } = &node.value
        {
            let (negative, digits) = match text.strip_prefix('-') {
                Some(digits) => (true, digits),
                None => (false, text.as_str()),
            };
            let magnitude = parse_uint(digits).and_then(|n| i64::try_from(n).ok());
            let value = magnitude.map(|n| if negative { -n } else { n });
            if let Some(n) = value.filter(|n| (min..=max).contains(n)) {
                return Some(n);
            }
        }
        self.invalid(node, field, &format!("a whole number from {min} to {max}"));
        None
    }

    pub fn bool(&mut self, node: &Node, field: &str) -> Option<bool> {
        if let Value::Scalar {
            text,
            quoted: false,
        } = &node.value
        {
            match text.as_str() {
                "true" | "True" | "TRUE" => return Some(true),
                "false" | "False" | "FALSE" => return Some(false),
                _ => {}
            }
        }
        self.invalid(node, field, "true or false");
        None
    }

    /// An unquoted finite number.
    pub fn number(&mut self, node: &Node, field: &str, expected: &str) -> Option<f64> {
        if let Value::Scalar {
            text,
            quoted: false,
        } = &node.value
        {
            if let Ok(x) = text.parse::<f64>() {
                if x.is_finite() {
                    return Some(x);
                }
            }
        }
        self.invalid(node, field, expected);
        None
    }

    /// A list (null = empty).
    pub fn seq<'a>(&mut self, node: &'a Node, field: &str) -> Option<&'a [Node]> {
        match &node.value {
            Value::Seq(items) => Some(items),
            Value::Null => Some(&[]),
            _ => {
                self.invalid(node, field, "a list");
                None
            }
        }
    }

    /// One of `choices`, compared without case (ECS JSON writes `spread`, docs `SPREAD`);
    /// returns the index of the choice.
    pub fn choice(&mut self, node: &Node, field: &str, choices: &[&str]) -> Option<usize> {
        if let Value::Scalar { text, .. } = &node.value {
            if let Some(idx) = choices
                .iter()
                .position(|choice| choice.eq_ignore_ascii_case(text))
            {
                return Some(idx);
            }
        }
        self.invalid(node, field, &format!("one of {}", choices.join(", ")));
        None
    }

    /// A mapping's fields, for `Fields`; `None` (and an error) for anything else.
    pub fn fields<'a>(&mut self, node: &'a Node, field: &str) -> Option<Fields<'a>> {
        match &node.value {
            Value::Map(entries) => {
                let fields = Fields {
                    node,
                    path: field.to_string(),
                    entries,
                };
                self.sources.note(field, &node.loc);
                for entry in entries {
                    self.sources
                        .note(&fields.path_of(&entry.key), &entry.value.loc);
                }
                Some(fields)
            }
            Value::Null => Some(Fields {
                node,
                path: field.to_string(),
                entries: &[],
            }),
            _ => {
                self.invalid(node, field, "a mapping");
                None
            }
        }
    }
}

/// "a whole number >= 0", "a whole number from 1 to 10".
pub(crate) fn whole_number(min: u64, max: u64) -> String {
    if max >= u64::from(u32::MAX) {
        format!("a whole number >= {min}")
    } else {
        format!("a whole number from {min} to {max}")
    }
}

/// Decimal digits with an optional `+`; no sign, no fraction.
pub(crate) fn parse_uint(text: &str) -> Option<u64> {
    let digits = text.strip_prefix('+').unwrap_or(text);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// The fields of one mapping, with its field path.
pub(crate) struct Fields<'a> {
    pub node: &'a Node,
    pub path: String,
    entries: &'a [Entry],
}

impl<'a> Fields<'a> {
    /// The path of a field of this mapping, e.g. `services[0]` + `desiredCount`.
    pub fn path_of(&self, key: &str) -> String {
        if self.path.is_empty() {
            key.to_string()
        } else {
            format!("{}.{key}", self.path)
        }
    }

    /// The value of `key`; a null value counts as absent (ECS JSON writes `"x": null`).
    pub fn get(&self, key: &str) -> Option<&'a Node> {
        self.entries
            .iter()
            .find(|entry| entry.key == key)
            .map(|entry| &entry.value)
            .filter(|node| node.value != Value::Null)
    }

    pub fn key_loc(&self, key: &str) -> Option<&'a Loc> {
        self.entries
            .iter()
            .find(|entry| entry.key == key)
            .map(|entry| &entry.key_loc)
    }

    /// The value of a required field; records an error at the mapping when it is absent.
    pub fn required(&self, cx: &mut Cx, key: &str, expected: &str) -> Option<&'a Node> {
        let node = self.get(key);
        if node.is_none() {
            cx.error(
                &self.node.loc,
                &self.path_of(key),
                ErrorKind::MissingField {
                    expected: expected.to_string(),
                },
            );
        }
        node
    }

    /// Refuses a field the contract names but the simulator does not simulate yet, unless
    /// it asks for nothing (null, `[]`, `{}`).
    pub fn refuse(&self, cx: &mut Cx, key: &str, why: &'static str) {
        if let (Some(node), Some(loc)) = (self.get(key), self.key_loc(key)) {
            if !node.is_empty() {
                cx.error(loc, &self.path_of(key), ErrorKind::NotSupported { why });
            }
        }
    }

    /// Reports keys that are neither simulated (`known`) nor AWS fields we ignore
    /// (`ignored`). In AWS JSON documents unknown keys are ignored too: AWS adds fields often.
    pub fn finish(&self, cx: &mut Cx, known: &[&str], ignored: &[&str]) {
        for entry in self.entries {
            let key = entry.key.as_str();
            if known.contains(&key) || ignored.contains(&key) || entry.key_loc.is_aws_json() {
                continue;
            }
            let suggestion = nearest(key, known.iter().chain(ignored).copied());
            let allowed = known.iter().map(|key| key.to_string()).collect();
            cx.error(
                &entry.key_loc,
                &self.path_of(key),
                ErrorKind::UnknownField {
                    suggestion,
                    allowed,
                },
            );
        }
    }
}

/// `path[idx]`.
pub(crate) fn index_path(path: &str, idx: usize) -> String {
    format!("{path}[{idx}]")
}
