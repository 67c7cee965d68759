//! The located document tree every source is read into: YAML scenario files, `file:` JSON
//! documents and `--set` values alike. Each node keeps where it came from, so validation
//! can point at the exact line and column of any field, and report every problem instead
//! of stopping at the first (which typed serde deserialization would do).

use crate::error::{Loc, Origin};

#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Value {
    /// `null`, `~`, an empty value, or JSON `null`.
    Null,
    /// A scalar's text; `quoted` when written in quotes (so `"512"` is a string, `512` a
    /// number, and `"true"` not a boolean).
    Scalar {
        text: String,
        quoted: bool,
    },
    Seq(Vec<Node>),
    Map(Vec<Entry>),
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Entry {
    pub key: String,
    pub key_loc: Loc,
    pub value: Node,
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Node {
    pub loc: Loc,
    pub value: Value,
}

impl Node {
    /// How the value reads in an error message: scalars as quoted text, collections by kind.
    pub fn describe(&self) -> String {
        match &self.value {
            Value::Null => "null".to_string(),
            Value::Scalar { text, .. } => format!("{text:?}"),
            Value::Seq(_) => "a list".to_string(),
            Value::Map(_) => "a mapping".to_string(),
        }
    }

    /// Null, an empty list or an empty mapping: "nothing given". AWS JSON often carries
    /// `"loadBalancers": []`, which asks for nothing the simulator lacks.
    pub fn is_empty(&self) -> bool {
        match &self.value {
            Value::Null => true,
            Value::Seq(items) => items.is_empty(),
            Value::Map(entries) => entries.is_empty(),
            Value::Scalar { .. } => false,
        }
    }

    pub fn entries(&self) -> Option<&[Entry]> {
        match &self.value {
            Value::Map(entries) => Some(entries),
            _ => None,
        }
    }

    /// The value of `key` in a mapping.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entries()?
            .iter()
            .find(|entry| entry.key == key)
            .map(|entry| &entry.value)
    }
}

impl Loc {
    /// Whether the position lies in an AWS JSON document, where unknown fields are ignored
    /// because AWS adds fields often.
    pub(crate) fn is_aws_json(&self) -> bool {
        match &self.origin {
            Origin::File(path) => path
                .extension()
                .is_some_and(|ext| ext.eq_ignore_ascii_case("json")),
            Origin::Override(_) => false,
        }
    }
}

/// Deeper nesting than any scenario needs; the limit keeps hostile input from exhausting
/// the stack when the tree is walked or dropped.
pub(crate) const DEPTH_MAX: usize = 64;

/// More nodes than any scenario needs; the limit stops alias bombs.
pub(crate) const NODES_MAX: usize = 1_000_000;
