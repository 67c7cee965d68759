//! `--set PATH=VALUE` overrides, applied to the scenario's tree before validation. PATH is
//! dots and `[index]` (`cluster.autoScalingGroups[0].desiredCapacity`), VALUE is YAML. The
//! value's nodes are located at `--set PATH`, so errors inside it name the override.

use std::rc::Rc;

use crate::error::{ErrorKind, Loc, Origin};
use crate::load::parse_yaml;
use crate::node::{Entry, Node, Value};
use crate::read::Cx;

enum Step {
    Key(String),
    Index(usize),
}

/// Applies every override in order; each bad one becomes an error naming it.
pub(crate) fn apply(cx: &mut Cx, root: &mut Node, overrides: &[String]) {
    for set in overrides {
        if let Err(message) = apply_one(root, set) {
            let path = set.split_once('=').map_or(set.as_str(), |(path, _)| path);
            let loc = Loc {
                origin: Origin::Override(Rc::from(path)),
                line: 1,
                column: 1,
            };
            cx.error(&loc, "", ErrorKind::Rule { message });
        }
    }
}

fn apply_one(root: &mut Node, set: &str) -> Result<(), String> {
    let Some((path, value_text)) = set.split_once('=') else {
        return Err(format!("expected PATH=VALUE, found {set:?}"));
    };
    let steps = parse_path(path)?;
    let origin = Origin::Override(Rc::from(path));
    let value = parse_yaml(value_text, &origin)
        .map_err(|error| format!("VALUE is not valid YAML: {}", error.message))?;
    if matches!(root.value, Value::Null) {
        root.value = Value::Map(Vec::new());
    }
    let mut node = root;
    let mut walked = String::new();
    for (idx, step) in steps.iter().enumerate() {
        let last = idx + 1 == steps.len();
        let loc = Loc {
            origin: origin.clone(),
            line: 1,
            column: 1,
        };
        node = match step {
            Step::Key(key) => {
                if matches!(node.value, Value::Null) {
                    node.value = Value::Map(Vec::new());
                }
                let Value::Map(entries) = &mut node.value else {
                    return Err(format!(
                        "{} is not a mapping, so it has no field {key}",
                        display(&walked)
                    ));
                };
                let pos = match entries.iter().position(|entry| entry.key == *key) {
                    Some(pos) => pos,
                    None if matches!(steps.get(idx + 1), Some(Step::Index(_))) => {
                        let name = if walked.is_empty() {
                            key.clone()
                        } else {
                            format!("{walked}.{key}")
                        };
                        return Err(format!("{name} does not exist, so it has no [index]"));
                    }
                    None => {
                        // New fields may be added (validation rejects unknown ones, naming
                        // this override); the parent must then be a mapping.
                        let filler = if last {
                            Value::Null
                        } else {
                            Value::Map(Vec::new())
                        };
                        entries.push(Entry {
                            key: key.clone(),
                            key_loc: loc.clone(),
                            value: Node { loc, value: filler },
                        });
                        entries.len() - 1
                    }
                };
                walked = if walked.is_empty() {
                    key.clone()
                } else {
                    format!("{walked}.{key}")
                };
                &mut entries[pos].value
            }
            Step::Index(index) => {
                let Value::Seq(items) = &mut node.value else {
                    return Err(format!("{} is not a list", display(&walked)));
                };
                // Appending one entry at the end is allowed; anything further is a typo.
                if *index == items.len() {
                    items.push(Node {
                        loc,
                        value: Value::Null,
                    });
                } else if *index > items.len() {
                    return Err(format!(
                        "{walked}[{index}] does not exist: {walked} has {} entries",
                        items.len()
                    ));
                }
                walked = format!("{walked}[{index}]");
                &mut items[*index]
            }
        };
    }
    *node = value;
    Ok(())
}

fn display(walked: &str) -> &str {
    if walked.is_empty() {
        "the scenario"
    } else {
        walked
    }
}

/// `a.b[2].c` into steps; names are ASCII letters, digits, `_` and `-`.
fn parse_path(path: &str) -> Result<Vec<Step>, String> {
    let bad = || {
        format!("bad PATH {path:?}: expected names joined by dots, with [index] after a list, e.g. services[0].desiredCount")
    };
    let mut steps = Vec::new();
    let mut rest = path;
    let mut expect_name = true;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix('[') {
            let (digits, after) = after.split_once(']').ok_or_else(bad)?;
            let index = crate::read::parse_uint(digits).ok_or_else(bad)?;
            steps.push(Step::Index(usize::try_from(index).map_err(|_| bad())?));
            rest = after;
            expect_name = false;
            continue;
        }
        if !expect_name {
            rest = rest.strip_prefix('.').ok_or_else(bad)?;
        }
        let len = rest.find(['.', '[']).unwrap_or(rest.len());
        let name = &rest[..len];
        if name.is_empty()
            || !name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        {
            return Err(bad());
        }
        steps.push(Step::Key(name.to_string()));
        rest = &rest[len..];
        expect_name = false;
    }
    if steps.is_empty() || matches!(steps.first(), Some(Step::Index(_))) {
        return Err(bad());
    }
    Ok(steps)
}
