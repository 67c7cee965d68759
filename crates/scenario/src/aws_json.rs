//! ECS JSON documents (`file:` entries) to the located tree. serde_json checks the syntax
//! and reports errors with their line and column; a small reader then walks the (now
//! known-valid) text again to record where every value sits, which serde_json does not
//! expose. The result is unwrapped from ECS's output shapes (`{"taskDefinition": {...}}`).

use crate::error::{Loc, Origin};
use crate::load::SyntaxError;
use crate::node::{Entry, Node, Value};

/// Parses a JSON document, keeping the position of every value and key.
pub(crate) fn parse_json(source: &str, origin: &Origin) -> Result<Node, SyntaxError> {
    // serde_json's recursion limit (128) also bounds the recursion of the reader below.
    if let Err(error) = serde_json::from_str::<serde_json::Value>(source) {
        return Err(SyntaxError {
            loc: Loc {
                origin: origin.clone(),
                line: error.line().max(1),
                column: error.column().max(1),
            },
            message: format!("invalid JSON: {}", strip_position(&error.to_string())),
        });
    }
    let mut reader = Reader {
        chars: source.char_indices().collect(),
        source,
        pos: 0,
        line: 1,
        column: 1,
        origin,
    };
    reader.skip_whitespace();
    reader.value()
}

/// serde_json appends " at line L column C"; the position is already in the prefix.
fn strip_position(message: &str) -> &str {
    message
        .rfind(" at line ")
        .map_or(message, |idx| &message[..idx])
}

struct Reader<'a> {
    chars: Vec<(usize, char)>,
    source: &'a str,
    pos: usize,
    line: usize,
    column: usize,
    origin: &'a Origin,
}

impl Reader<'_> {
    fn loc(&self) -> Loc {
        Loc {
            origin: self.origin.clone(),
            line: self.line,
            column: self.column,
        }
    }

    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).map(|&(_, ch)| ch)
    }

    fn bump(&mut self) -> Option<char> {
        let ch = self.peek()?;
        self.pos += 1;
        if ch == '\n' {
            self.line += 1;
            self.column = 1;
        } else {
            self.column += 1;
        }
        Some(ch)
    }

    fn skip_whitespace(&mut self) {
        while matches!(self.peek(), Some(' ' | '\t' | '\n' | '\r')) {
            self.bump();
        }
    }

    fn byte_pos(&self) -> usize {
        self.chars
            .get(self.pos)
            .map_or(self.source.len(), |&(idx, _)| idx)
    }

    fn error(&self, message: &str) -> SyntaxError {
        SyntaxError {
            loc: self.loc(),
            message: message.to_string(),
        }
    }

    fn value(&mut self) -> Result<Node, SyntaxError> {
        let loc = self.loc();
        let value = match self.peek() {
            Some('{') => {
                self.bump();
                let mut entries = Vec::new();
                self.skip_whitespace();
                if self.peek() == Some('}') {
                    self.bump();
                } else {
                    loop {
                        self.skip_whitespace();
                        let key_loc = self.loc();
                        let key = self.string()?;
                        self.skip_whitespace();
                        self.bump(); // ':'
                        self.skip_whitespace();
                        let value = self.value()?;
                        if entries.iter().any(|entry: &Entry| entry.key == key) {
                            return Err(SyntaxError {
                                loc: key_loc,
                                message: format!("duplicate key {key:?}"),
                            });
                        }
                        entries.push(Entry {
                            key,
                            key_loc,
                            value,
                        });
                        self.skip_whitespace();
                        match self.bump() {
                            Some(',') => continue,
                            _ => break, // '}'
                        }
                    }
                }
                Value::Map(entries)
            }
            Some('[') => {
                self.bump();
                let mut items = Vec::new();
                self.skip_whitespace();
                if self.peek() == Some(']') {
                    self.bump();
                } else {
                    loop {
                        self.skip_whitespace();
                        items.push(self.value()?);
                        self.skip_whitespace();
                        match self.bump() {
                            Some(',') => continue,
                            _ => break, // ']'
                        }
                    }
                }
                Value::Seq(items)
            }
            Some('"') => Value::Scalar {
                text: self.string()?,
                quoted: true,
            },
            Some(_) => {
                let start = self.byte_pos();
                while matches!(self.peek(), Some(ch) if !matches!(ch, ',' | '}' | ']' | ' ' | '\t' | '\n' | '\r'))
                {
                    self.bump();
                }
                let text = &self.source[start..self.byte_pos()];
                if text == "null" {
                    Value::Null
                } else {
                    Value::Scalar {
                        text: text.to_string(),
                        quoted: false,
                    }
                }
            }
            None => return Err(self.error("unexpected end of JSON")),
        };
        Ok(Node { loc, value })
    }

    /// A string token, unescaped by serde_json.
    fn string(&mut self) -> Result<String, SyntaxError> {
        let start = self.byte_pos();
        self.bump(); // opening quote
        while let Some(ch) = self.bump() {
            match ch {
                '\\' => {
                    self.bump();
                }
                '"' => break,
                _ => {}
            }
        }
        let raw = &self.source[start..self.byte_pos()];
        serde_json::from_str::<String>(raw).map_err(|_| self.error("invalid JSON string"))
    }
}

/// Loads the document a `file:` entry names (relative to the scenario's directory): JSON
/// when the name ends in `.json`, YAML otherwise. Errors name that file.
pub(crate) fn load_file(cx: &mut crate::read::Cx, node: &Node, field: &str) -> Option<Node> {
    let relative = cx.string(node, field)?;
    let (path, source) = cx.read_beside(node, field, &relative)?;
    let origin = Origin::File(std::rc::Rc::new(path.clone()));
    let is_json = path
        .extension()
        .is_some_and(|ext| ext.eq_ignore_ascii_case("json"));
    let parsed = if is_json {
        parse_json(&source, &origin)
    } else {
        crate::load::parse_yaml(&source, &origin)
    };
    match parsed {
        Ok(document) => Some(document),
        Err(error) => {
            cx.error(
                &error.loc,
                "",
                crate::error::ErrorKind::Syntax {
                    message: error.message,
                },
            );
            None
        }
    }
}

/// The mapping of a `file:` entry: the document's fields, then the YAML entry's own fields
/// beside `file` (which replace the document's). `wrapper` unwraps ECS output shapes
/// such as `{"taskDefinition": {...}}`; a bare list becomes `array_key` (Terraform's
/// `container_definitions` is a bare array of container definitions).
pub(crate) fn merge(document: Node, entry: &Node, wrapper: &str, array_key: &str) -> Node {
    let mut document = match document.get(wrapper) {
        Some(inner) if inner.entries().is_some() => inner.clone(),
        _ => document,
    };
    if let Value::Seq(_) = document.value {
        let key_loc = document.loc.clone();
        document = Node {
            loc: document.loc.clone(),
            value: Value::Map(vec![Entry {
                key: array_key.to_string(),
                key_loc,
                value: document,
            }]),
        };
    }
    let Value::Map(mut entries) = document.value else {
        // Not a mapping: keep it, so validation reports "expected a mapping" at the file.
        return document;
    };
    for own in entry
        .entries()
        .unwrap_or_default()
        .iter()
        .filter(|own| own.key != "file")
    {
        entries.retain(|existing| existing.key != own.key);
        entries.push(own.clone());
    }
    Node {
        loc: entry.loc.clone(),
        value: Value::Map(entries),
    }
}
