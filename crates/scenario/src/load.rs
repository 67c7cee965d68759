//! YAML text to the located tree (`node::Node`), on the yaml-rust2 event parser: the one
//! file that knows a YAML library. Scalars keep their text and whether they were quoted;
//! typing happens in validation, field by field.

use std::collections::BTreeMap;

use yaml_rust2::parser::{Event, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

use crate::error::{Loc, Origin};
use crate::node::{Entry, Node, Value, DEPTH_MAX, NODES_MAX};

/// A syntax problem at a position.
#[derive(Debug)]
pub(crate) struct SyntaxError {
    pub loc: Loc,
    pub message: String,
}

/// A collection being built: a list, or a mapping waiting for its next key or value.
enum Open {
    Seq {
        loc: Loc,
        anchor: usize,
        items: Vec<Node>,
    },
    Map {
        loc: Loc,
        anchor: usize,
        entries: Vec<Entry>,
        key: Option<(String, Loc)>,
    },
}

/// Parses the first YAML document of `source`. An empty document is `Null`.
pub(crate) fn parse_yaml(source: &str, origin: &Origin) -> Result<Node, SyntaxError> {
    let loc_of = |mark: &Marker| Loc {
        origin: origin.clone(),
        line: mark.line(),
        column: mark.col() + 1,
    };
    let mut parser = Parser::new_from_str(source);
    let mut stack: Vec<Open> = Vec::new();
    let mut anchors: BTreeMap<usize, Node> = BTreeMap::new();
    let mut n_nodes = 0usize;
    let mut root: Option<Node> = None;
    // Events come in document order; the parser's own `load` recurses per nesting level,
    // so the tree is built here with an explicit stack instead.
    loop {
        let (event, mark) = parser.next_token().map_err(|error| SyntaxError {
            loc: loc_of(error.marker()),
            message: error.info().to_string(),
        })?;
        let loc = loc_of(&mark);
        let complete = match event {
            Event::StreamEnd | Event::DocumentEnd => break,
            Event::Nothing | Event::StreamStart | Event::DocumentStart => continue,
            Event::Scalar(text, style, anchor, tag) => {
                let quoted = !matches!(style, TScalarStyle::Plain) || tag.is_some();
                let value =
                    if !quoted && matches!(text.as_str(), "" | "~" | "null" | "Null" | "NULL") {
                        Value::Null
                    } else {
                        Value::Scalar { text, quoted }
                    };
                let node = Node { loc, value };
                if anchor > 0 {
                    anchors.insert(anchor, node.clone());
                }
                node
            }
            Event::Alias(anchor) => match anchors.get(&anchor) {
                Some(node) => {
                    n_nodes += count_nodes(node);
                    node.clone()
                }
                None => {
                    return Err(SyntaxError {
                        loc,
                        message: "alias to an unknown anchor".to_string(),
                    })
                }
            },
            Event::SequenceStart(anchor, _) => {
                stack.push(Open::Seq {
                    loc,
                    anchor,
                    items: Vec::new(),
                });
                if stack.len() > DEPTH_MAX {
                    return Err(too_deep(loc_of(&mark)));
                }
                continue;
            }
            Event::MappingStart(anchor, _) => {
                stack.push(Open::Map {
                    loc,
                    anchor,
                    entries: Vec::new(),
                    key: None,
                });
                if stack.len() > DEPTH_MAX {
                    return Err(too_deep(loc_of(&mark)));
                }
                continue;
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let (node, anchor) = match stack.pop() {
                    Some(Open::Seq { loc, anchor, items }) => (
                        Node {
                            loc,
                            value: Value::Seq(items),
                        },
                        anchor,
                    ),
                    Some(Open::Map {
                        loc,
                        anchor,
                        entries,
                        ..
                    }) => {
                        // A block mapping's start event sits after its first key; errors
                        // about the mapping (a missing field) should point at that key.
                        let loc = match entries.first() {
                            Some(first)
                                if (first.key_loc.line, first.key_loc.column)
                                    < (loc.line, loc.column) =>
                            {
                                first.key_loc.clone()
                            }
                            _ => loc,
                        };
                        (
                            Node {
                                loc,
                                value: Value::Map(entries),
                            },
                            anchor,
                        )
                    }
                    None => {
                        return Err(SyntaxError {
                            loc,
                            message: "unbalanced collection".to_string(),
                        })
                    }
                };
                if anchor > 0 {
                    anchors.insert(anchor, node.clone());
                }
                node
            }
        };
        n_nodes += 1;
        if n_nodes > NODES_MAX {
            return Err(SyntaxError {
                loc: complete.loc,
                message: "document too large (alias expansion?)".to_string(),
            });
        }
        match stack.last_mut() {
            None => {
                root = Some(complete);
            }
            Some(Open::Seq { items, .. }) => items.push(complete),
            Some(Open::Map { entries, key, .. }) => match key.take() {
                None => {
                    let Value::Scalar { text, .. } = complete.value else {
                        return Err(SyntaxError {
                            loc: complete.loc,
                            message: "mapping keys must be plain names".to_string(),
                        });
                    };
                    if entries.iter().any(|entry| entry.key == text) {
                        return Err(SyntaxError {
                            loc: complete.loc,
                            message: format!("duplicate key {text:?}"),
                        });
                    }
                    *key = Some((text, complete.loc));
                }
                Some((key, key_loc)) => entries.push(Entry {
                    key,
                    key_loc,
                    value: complete,
                }),
            },
        }
    }
    Ok(root.unwrap_or(Node {
        loc: Loc {
            origin: origin.clone(),
            line: 1,
            column: 1,
        },
        value: Value::Null,
    }))
}

fn too_deep(loc: Loc) -> SyntaxError {
    SyntaxError {
        loc,
        message: format!("nesting deeper than {DEPTH_MAX} levels"),
    }
}

fn count_nodes(node: &Node) -> usize {
    match &node.value {
        Value::Null | Value::Scalar { .. } => 1,
        Value::Seq(items) => 1 + items.iter().map(count_nodes).sum::<usize>(),
        Value::Map(entries) => {
            1 + entries
                .iter()
                .map(|entry| 1 + count_nodes(&entry.value))
                .sum::<usize>()
        }
    }
}
