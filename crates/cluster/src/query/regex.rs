//! The regex subset of memberOf's `=~` and `!~`: what instance-type patterns need of Java's
//! syntax. A pattern compiles to a list of pieces and runs as an NFA whose state set is one
//! `u128`: linear in the text, with no allocation or recursion when matching.

use super::QueryError;

/// At most this many regex elements (a `+` counts twice): match states fit one `u128`.
const REGEX_ELEMENTS_MAX: usize = 127;

#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Regex {
    pieces: Vec<Piece>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct Piece {
    atom: Atom,
    repeat: Repeat,
}

/// How often a piece matches. `x+` compiles to `x` then `x*`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Repeat {
    One,
    Optional,
    Star,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Atom {
    Literal(char),
    /// `.`: any character but a line terminator, as in Java.
    Any,
    Class {
        negated: bool,
        ranges: Vec<(char, char)>,
    },
}

impl Atom {
    fn matches(&self, c: char) -> bool {
        match self {
            Atom::Literal(literal) => *literal == c,
            Atom::Any => !matches!(c, '\n' | '\r' | '\u{85}' | '\u{2028}' | '\u{2029}'),
            Atom::Class { negated, ranges } => {
                ranges.iter().any(|&(low, high)| low <= c && c <= high) != *negated
            }
        }
    }
}

const DIGIT: &[(char, char)] = &[('0', '9')];
const WORD: &[(char, char)] = &[('0', '9'), ('A', 'Z'), ('_', '_'), ('a', 'z')];
const SPACE: &[(char, char)] = &[('\t', '\r'), (' ', ' ')];

impl Regex {
    /// `offset` is where the pattern starts in the expression, for error offsets.
    pub(super) fn compile(pattern: &str, offset: usize) -> Result<Regex, QueryError> {
        let error = |at: usize, message: &str| QueryError {
            offset: offset + at,
            message: message.to_string(),
        };
        let mut pieces: Vec<Piece> = Vec::new();
        // Whether the last piece may take a quantifier (it is an atom, not yet quantified).
        let mut quantifiable = false;
        let mut chars = pattern.char_indices().peekable();
        while let Some((at, c)) = chars.next() {
            let atom = match c {
                // Java's matches() anchors both ends already, so the anchors are only
                // accepted where they change nothing.
                '^' if at == 0 => continue,
                '$' if at + 1 == pattern.len() => continue,
                '^' | '$' => {
                    return Err(error(
                        at,
                        "anchors `^` and `$` are only supported at the ends",
                    ))
                }
                '*' | '+' | '?' => {
                    quantify(&mut pieces, quantifiable, c).map_err(|m| error(at, m))?;
                    quantifiable = false;
                    continue;
                }
                '{' => return Err(error(at, "counted repetition `{n,m}` is not supported")),
                '(' | ')' => return Err(error(at, "groups `( )` are not supported")),
                '|' => return Err(error(at, "alternation `|` is not supported")),
                '.' => Atom::Any,
                '\\' => {
                    let Some((_, escaped)) = chars.next() else {
                        return Err(error(at, "a pattern cannot end with `\\`"));
                    };
                    escape(escaped).ok_or_else(|| error(at, "unsupported escape"))?
                }
                '[' => class(&mut chars, pattern.len()).map_err(|(at, m)| error(at, m))?,
                _ => Atom::Literal(c),
            };
            pieces.push(Piece {
                atom,
                repeat: Repeat::One,
            });
            quantifiable = true;
        }
        if pieces.len() > REGEX_ELEMENTS_MAX {
            return Err(error(
                0,
                "the pattern is too long: at most 127 elements, a `+` counting twice",
            ));
        }
        Ok(Regex { pieces })
    }

    /// Whether the whole of `text` matches (Java's `matches()`, not `find()`).
    pub(super) fn is_match(&self, text: &str) -> bool {
        let accept = 1u128 << self.pieces.len();
        let mut states = self.closure(1);
        for c in text.chars() {
            let mut next = 0u128;
            let mut remaining = states & !accept;
            while remaining != 0 {
                let i = remaining.trailing_zeros() as usize;
                remaining &= remaining - 1;
                let Some(piece) = self.pieces.get(i) else {
                    continue;
                };
                if piece.atom.matches(c) {
                    next |= match piece.repeat {
                        Repeat::Star => 1 << i,
                        Repeat::One | Repeat::Optional => 1 << (i + 1),
                    };
                }
            }
            states = self.closure(next);
            if states == 0 {
                return false;
            }
        }
        states & accept != 0
    }

    /// Adds the states reachable without reading: past optional and starred pieces.
    fn closure(&self, mut states: u128) -> u128 {
        for (i, piece) in self.pieces.iter().enumerate() {
            if states & (1 << i) != 0 && piece.repeat != Repeat::One {
                states |= 1 << (i + 1);
            }
        }
        states
    }
}

/// Applies a quantifier to the last piece, which must be a fresh atom: `x*` and `x?` change
/// its repeat; `x+` adds `x*` after it.
fn quantify(
    pieces: &mut Vec<Piece>,
    quantifiable: bool,
    quantifier: char,
) -> Result<(), &'static str> {
    let last = match pieces.last_mut() {
        Some(last) if quantifiable => last,
        Some(_) => return Err("lazy, possessive and repeated quantifiers are not supported"),
        None => return Err("a quantifier must follow a character, `.` or a class"),
    };
    match quantifier {
        '*' => last.repeat = Repeat::Star,
        '?' => last.repeat = Repeat::Optional,
        _ => {
            let atom = last.atom.clone();
            pieces.push(Piece {
                atom,
                repeat: Repeat::Star,
            });
        }
    }
    Ok(())
}

/// The atom for `\c` outside a class.
fn escape(c: char) -> Option<Atom> {
    let class = |negated: bool, ranges: &[(char, char)]| Atom::Class {
        negated,
        ranges: ranges.to_vec(),
    };
    Some(match c {
        'd' => class(false, DIGIT),
        'D' => class(true, DIGIT),
        'w' => class(false, WORD),
        'W' => class(true, WORD),
        's' => class(false, SPACE),
        'S' => class(true, SPACE),
        _ => Atom::Literal(escaped_literal(c)?),
    })
}

/// Java: a backslash before a non-alphanumeric character quotes it; `\t`, `\n`, `\r`,
/// `\f` and `\e` are control characters; other letters and digits mean constructs that
/// the subset does not support.
fn escaped_literal(c: char) -> Option<char> {
    match c {
        't' => Some('\t'),
        'n' => Some('\n'),
        'r' => Some('\r'),
        'f' => Some('\u{c}'),
        'e' => Some('\u{1b}'),
        _ if c.is_ascii_alphanumeric() => None,
        _ => Some(c),
    }
}

type Chars<'a> = std::iter::Peekable<std::str::CharIndices<'a>>;

/// The rest of a class after its `[`: `[abc]`, `[a-z0-9_]`, `[^.]`, `[\d.]`.
fn class(chars: &mut Chars<'_>, pattern_len: usize) -> Result<Atom, (usize, &'static str)> {
    let negated = chars.next_if(|&(_, c)| c == '^').is_some();
    let mut ranges = Vec::new();
    loop {
        let Some((at, c)) = chars.next() else {
            return Err((pattern_len, "expected `]` to close the character class"));
        };
        let low = match c {
            ']' if ranges.is_empty() => return Err((at, "empty character class")),
            ']' => return Ok(Atom::Class { negated, ranges }),
            '[' => return Err((at, "nested classes are not supported")),
            '&' if chars.peek().is_some_and(|&(_, c)| c == '&') => {
                return Err((at, "class intersections `&&` are not supported"))
            }
            '\\' => {
                let Some((_, escaped)) = chars.next() else {
                    return Err((at, "a pattern cannot end with `\\`"));
                };
                let shorthand = match escaped {
                    'd' => Some(DIGIT),
                    'w' => Some(WORD),
                    's' => Some(SPACE),
                    _ => None,
                };
                if let Some(shorthand) = shorthand {
                    ranges.extend_from_slice(shorthand);
                    continue;
                }
                escaped_literal(escaped).ok_or((at, "unsupported escape in a character class"))?
            }
            _ => c,
        };
        // `a-z` is a range; a `-` first, last or after a range is itself.
        let is_range = chars.peek().is_some_and(|&(_, c)| c == '-')
            && chars.clone().nth(1).is_some_and(|(_, c)| c != ']');
        if !is_range {
            ranges.push((low, low));
            continue;
        }
        chars.next();
        let Some((high_at, high)) = chars.next() else {
            return Err((pattern_len, "expected `]` to close the character class"));
        };
        let high = match high {
            '\\' => {
                let escaped = chars.next().map(|(_, c)| c);
                escaped
                    .and_then(escaped_literal)
                    .ok_or((high_at, "unsupported escape in a character class"))?
            }
            '[' => return Err((high_at, "nested classes are not supported")),
            _ => high,
        };
        if high < low {
            return Err((at, "the range's end comes before its start"));
        }
        ranges.push((low, high));
    }
}
