//! The cluster query language of memberOf constraints (ECS.md §1.3): a hand-written parser
//! into a small tree, and an evaluator that reads one instance without allocating.
//!
//! Where ECS is silent the choices are these, and the tests pin each of them:
//! - `and`/`&&` binds tighter than `or`/`||`; `not`/`!` binds tightest; both are left to right.
//! - Keywords, operators and subjects are case-sensitive, spelt as ECS documents them.
//! - A negated operator is exactly `not` of its positive form: `attribute:x != v`, `!in` and
//!   `!~` are true on an instance that lacks `x`, while `==`, `in`, `=~` and the orderings
//!   are false there.
//! - `==` and `in` compare text exactly. The orderings compare two decimal numbers by value
//!   when both sides are numbers, and bytes otherwise.
//! - `registeredAt` takes a duration since the simulation start (`90s`, `1h30m`) or a UTC
//!   date (`2018-02-13`, `2018-02-13T10:00:00Z`). A date compares with the instance's
//!   registration as a UTC time once the expression is anchored ([`Expression::anchor`]) to the
//!   run's start (the scenario's `parameters.startTime`, as scheduled tasks use it); an
//!   expression never anchored starts the run at 1970-01-01T00:00:00Z.
//! - `agentVersion` compares as a version with the simulated agent's, [`AGENT_VERSION`].
//! - `agentConnected` reads true: an instance whose agent is disconnected takes no task
//!   before constraints are evaluated (ECS.md §5.1), so a constraint never sees one, and
//!   `memberOf` results stay a function of the instance's static fields.
//! - `task:group` supports `==`, `!=`, `in` and `!in`: the instance hosts (or not) an active
//!   task of the group.
//! - `=~` takes a subset of Java regular expressions, matched against the whole value as
//!   Java's `matches()` does; anything outside the subset is refused when parsing.
//! - Quoted strings have no escapes: a value holding both quote characters cannot be written.

use std::cmp::Ordering;
use std::fmt;

use crate::instance::ContainerInstance;

mod regex;

use regex::Regex;

/// The agent version every simulated instance reports to `agentVersion` (major, minor,
/// patch, build): a 2024 release, recent enough that ECS's examples compare sensibly.
pub const AGENT_VERSION: [u32; 4] = [1, 80, 0, 0];

/// How deeply parentheses and `not`s may nest; a bound keeps the recursive parser and
/// evaluator far from the stack limit whatever the scenario says.
const DEPTH_MAX: usize = 32;

/// A parsed expression, e.g. `attribute:ecs.instance-type =~ m5.*`.
#[derive(Clone, Debug, PartialEq)]
pub struct Expression {
    source: String,
    root: Node,
}

/// A syntax error at a byte offset of the expression.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueryError {
    pub offset: usize,
    pub message: String,
}

impl fmt::Display for QueryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "at byte {}: {}", self.offset, self.message)
    }
}

impl std::error::Error for QueryError {}

impl Expression {
    /// Makes the expression's UTC dates (`registeredAt < 2026-02-01`) relative to a run that
    /// starts at `start_unix_s` (seconds since the Unix epoch).
    pub fn anchor(&mut self, start_unix_s: i64) {
        fn anchor(node: &mut Node, start_ms: i64) {
            match node {
                Node::And(left, right) | Node::Or(left, right) => {
                    anchor(left, start_ms);
                    anchor(right, start_ms);
                }
                Node::Not(inner) => anchor(inner, start_ms),
                Node::Comparison(comparison) => {
                    let values = match &mut comparison.argument {
                        Argument::One(value) => std::slice::from_mut(value),
                        Argument::List(values) => values.as_mut_slice(),
                        Argument::None | Argument::Pattern(_) => &mut [],
                    };
                    for value in values {
                        if let Value::Date(ms) = *value {
                            *value = Value::Millis(ms.saturating_sub(start_ms));
                        }
                    }
                }
            }
        }
        anchor(&mut self.root, start_unix_s.saturating_mul(1000));
    }

    pub fn parse(source: &str) -> Result<Expression, QueryError> {
        let mut parser = Parser { source, pos: 0 };
        let root = parser.or(0)?;
        parser.skip_whitespace();
        if parser.pos < source.len() {
            return Err(parser.expected("`and`, `or` or the end of the expression"));
        }
        Ok(Expression {
            source: source.to_string(),
            root,
        })
    }

    pub fn source(&self) -> &str {
        &self.source
    }

    /// Whether `instance` satisfies the expression. The one question about other tasks,
    /// "does the instance host an active task of this group?", is answered by
    /// `hosts_group`, so the language needs nothing of the model but the instance.
    pub fn matches(
        &self,
        instance: &ContainerInstance,
        hosts_group: &dyn Fn(&str) -> bool,
    ) -> bool {
        self.root.evaluate(instance, hosts_group)
    }

    /// Whether the answer depends only on what an instance registered with (attributes,
    /// its id, registration time, agent): then it never changes while the instance is
    /// registered, and can be kept per instance.
    pub fn is_static(&self) -> bool {
        self.root.is_static()
    }

    /// Whether the answer is known from what the scenario says an instance registers with:
    /// static, and reading neither `ec2InstanceId` nor `registeredAt`, which the run hands
    /// out. Such an expression can be judged before the run on a stand-in instance.
    pub fn is_known_before_run(&self) -> bool {
        self.root.is_known_before_run()
    }
}

impl Node {
    fn is_known_before_run(&self) -> bool {
        match self {
            Node::And(left, right) | Node::Or(left, right) => {
                left.is_known_before_run() && right.is_known_before_run()
            }
            Node::Not(inner) => inner.is_known_before_run(),
            Node::Comparison(comparison) => matches!(
                comparison.subject,
                Subject::Attribute(_) | Subject::AgentConnected | Subject::AgentVersion
            ),
        }
    }

    fn is_static(&self) -> bool {
        match self {
            Node::And(left, right) | Node::Or(left, right) => left.is_static() && right.is_static(),
            Node::Not(inner) => inner.is_static(),
            Node::Comparison(comparison) => !matches!(
                comparison.subject,
                Subject::RunningTasksCount | Subject::TaskGroup
            ),
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
enum Node {
    And(Box<Node>, Box<Node>),
    Or(Box<Node>, Box<Node>),
    Not(Box<Node>),
    Comparison(Comparison),
}

#[derive(Clone, Debug, PartialEq)]
struct Comparison {
    subject: Subject,
    operator: Operator,
    argument: Argument,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Subject {
    Attribute(String),
    Ec2InstanceId,
    RunningTasksCount,
    TaskGroup,
    AgentConnected,
    AgentVersion,
    RegisteredAt,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Operator {
    Equal,
    NotEqual,
    Greater,
    GreaterEqual,
    Less,
    LessEqual,
    Exists,
    NotExists,
    In,
    NotIn,
    Matches,
    NotMatches,
}

#[derive(Clone, Debug, PartialEq)]
enum Argument {
    None,
    One(Value),
    List(Vec<Value>),
    Pattern(Regex),
}

/// An argument, typed by its subject when parsed so that evaluation never re-parses it.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Value {
    Text(String),
    Integer(i64),
    /// Milliseconds since the simulation start; negative before it.
    Millis(i64),
    /// A UTC date, in milliseconds since the Unix epoch, until the expression is anchored to
    /// the run's start (then it is `Millis`).
    Date(i64),
    Version([u32; 4]),
    Bool(bool),
}

/// What a subject reads on one instance.
#[derive(Clone, Copy, Debug)]
enum Actual<'a> {
    Missing,
    Text(&'a str),
    Integer(i64),
    Millis(i64),
    Version([u32; 4]),
    Bool(bool),
}

impl Subject {
    fn name(&self) -> &str {
        match self {
            Subject::Attribute(_) => "attribute",
            Subject::Ec2InstanceId => "ec2InstanceId",
            Subject::RunningTasksCount => "runningTasksCount",
            Subject::TaskGroup => "task:group",
            Subject::AgentConnected => "agentConnected",
            Subject::AgentVersion => "agentVersion",
            Subject::RegisteredAt => "registeredAt",
        }
    }

    /// The operators that mean something for this subject, as an error message lists them.
    fn operators(&self) -> (&'static [Operator], &'static str) {
        use Operator::*;
        match self {
            Subject::Attribute(_) | Subject::Ec2InstanceId => (
                &[
                    Equal,
                    NotEqual,
                    Greater,
                    GreaterEqual,
                    Less,
                    LessEqual,
                    Exists,
                    NotExists,
                    In,
                    NotIn,
                    Matches,
                    NotMatches,
                ],
                "any operator",
            ),
            Subject::RunningTasksCount | Subject::AgentVersion | Subject::RegisteredAt => (
                &[
                    Equal,
                    NotEqual,
                    Greater,
                    GreaterEqual,
                    Less,
                    LessEqual,
                    In,
                    NotIn,
                ],
                "==, !=, >, >=, <, <=, in or !in",
            ),
            Subject::TaskGroup => (&[Equal, NotEqual, In, NotIn], "==, !=, in or !in"),
            Subject::AgentConnected => (&[Equal, NotEqual], "== or !="),
        }
    }

    fn read<'a>(&self, instance: &'a ContainerInstance) -> Actual<'a> {
        match self {
            Subject::Attribute(name) => instance
                .attribute(name)
                .map_or(Actual::Missing, Actual::Text),
            Subject::Ec2InstanceId => Actual::Text(&instance.ec2_instance_id),
            Subject::RunningTasksCount => Actual::Integer(i64::from(instance.running_tasks_count)),
            Subject::AgentConnected => Actual::Bool(true),
            Subject::AgentVersion => Actual::Version(AGENT_VERSION),
            Subject::RegisteredAt => {
                Actual::Millis(i64::try_from(instance.registered_at.as_ms()).unwrap_or(i64::MAX))
            }
            // Answered by `hosts_group` in `Comparison::evaluate`, never read as a value.
            Subject::TaskGroup => Actual::Missing,
        }
    }
}

impl Operator {
    fn symbol(self) -> &'static str {
        match self {
            Operator::Equal => "==",
            Operator::NotEqual => "!=",
            Operator::Greater => ">",
            Operator::GreaterEqual => ">=",
            Operator::Less => "<",
            Operator::LessEqual => "<=",
            Operator::Exists => "exists",
            Operator::NotExists => "!exists",
            Operator::In => "in",
            Operator::NotIn => "!in",
            Operator::Matches => "=~",
            Operator::NotMatches => "!~",
        }
    }

    /// The positive form of a negated operator, which evaluation negates.
    fn positive(self) -> Option<Operator> {
        match self {
            Operator::NotEqual => Some(Operator::Equal),
            Operator::NotExists => Some(Operator::Exists),
            Operator::NotIn => Some(Operator::In),
            Operator::NotMatches => Some(Operator::Matches),
            _ => None,
        }
    }
}

impl Node {
    fn evaluate(&self, instance: &ContainerInstance, hosts_group: &dyn Fn(&str) -> bool) -> bool {
        match self {
            Node::And(left, right) => {
                left.evaluate(instance, hosts_group) && right.evaluate(instance, hosts_group)
            }
            Node::Or(left, right) => {
                left.evaluate(instance, hosts_group) || right.evaluate(instance, hosts_group)
            }
            Node::Not(inner) => !inner.evaluate(instance, hosts_group),
            Node::Comparison(comparison) => comparison.evaluate(instance, hosts_group),
        }
    }
}

impl Comparison {
    fn evaluate(&self, instance: &ContainerInstance, hosts_group: &dyn Fn(&str) -> bool) -> bool {
        if let Some(positive) = self.operator.positive() {
            return !self.holds(positive, instance, hosts_group);
        }
        self.holds(self.operator, instance, hosts_group)
    }

    /// Evaluates a positive operator (never a negated one).
    fn holds(
        &self,
        operator: Operator,
        instance: &ContainerInstance,
        hosts_group: &dyn Fn(&str) -> bool,
    ) -> bool {
        if self.subject == Subject::TaskGroup {
            return self
                .values()
                .iter()
                .any(|value| matches!(value, Value::Text(group) if hosts_group(group)));
        }
        let actual = self.subject.read(instance);
        match operator {
            Operator::Exists => !matches!(actual, Actual::Missing),
            Operator::Equal | Operator::In => {
                self.values().iter().any(|value| equal(actual, value))
            }
            Operator::Matches => match (actual, &self.argument) {
                (Actual::Text(text), Argument::Pattern(regex)) => regex.is_match(text),
                _ => false,
            },
            Operator::Greater | Operator::GreaterEqual | Operator::Less | Operator::LessEqual => {
                let Argument::One(value) = &self.argument else {
                    return false;
                };
                let Some(ordering) = order(actual, value) else {
                    return false;
                };
                match operator {
                    Operator::Greater => ordering == Ordering::Greater,
                    Operator::GreaterEqual => ordering != Ordering::Less,
                    Operator::Less => ordering == Ordering::Less,
                    _ => ordering != Ordering::Greater,
                }
            }
            Operator::NotEqual | Operator::NotExists | Operator::NotIn | Operator::NotMatches => {
                false
            }
        }
    }

    fn values(&self) -> &[Value] {
        match &self.argument {
            Argument::One(value) => std::slice::from_ref(value),
            Argument::List(values) => values,
            Argument::None | Argument::Pattern(_) => &[],
        }
    }
}

fn equal(actual: Actual<'_>, value: &Value) -> bool {
    match (actual, value) {
        (Actual::Text(text), Value::Text(expected)) => text == expected,
        (Actual::Integer(n), Value::Integer(expected)) => n == *expected,
        (Actual::Millis(ms), Value::Millis(expected) | Value::Date(expected)) => ms == *expected,
        (Actual::Version(version), Value::Version(expected)) => version == *expected,
        (Actual::Bool(b), Value::Bool(expected)) => b == *expected,
        _ => false,
    }
}

/// `None` when the instance lacks the subject: every ordering is then false.
fn order(actual: Actual<'_>, value: &Value) -> Option<Ordering> {
    match (actual, value) {
        (Actual::Text(text), Value::Text(expected)) => Some(compare_text(text, expected)),
        (Actual::Integer(n), Value::Integer(expected)) => Some(n.cmp(expected)),
        (Actual::Millis(ms), Value::Millis(expected) | Value::Date(expected)) => {
            Some(ms.cmp(expected))
        }
        (Actual::Version(version), Value::Version(expected)) => Some(version.cmp(expected)),
        _ => None,
    }
}

/// Decimal numbers by value when both sides are numbers, else bytes.
fn compare_text(left: &str, right: &str) -> Ordering {
    match (Decimal::parse(left), Decimal::parse(right)) {
        (Some(left), Some(right)) => left.cmp(&right),
        _ => left.cmp(right),
    }
}

/// A decimal number held as its digits, so comparing never rounds: `-?[0-9]+(\.[0-9]+)?`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Decimal<'a> {
    negative: bool,
    /// Without leading zeros.
    integer: &'a str,
    /// Without trailing zeros.
    fraction: &'a str,
}

impl<'a> Decimal<'a> {
    fn parse(text: &'a str) -> Option<Decimal<'a>> {
        let (negative, digits) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let (integer, fraction) = digits.split_once('.').unwrap_or((digits, ""));
        let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if integer.is_empty()
            || !all_digits(integer)
            || !all_digits(fraction)
            || (fraction.is_empty() && digits.ends_with('.'))
        {
            return None;
        }
        let integer = integer.trim_start_matches('0');
        let fraction = fraction.trim_end_matches('0');
        // -0 and 0 are the same number.
        let negative = negative && !(integer.is_empty() && fraction.is_empty());
        Some(Decimal {
            negative,
            integer,
            fraction,
        })
    }

    fn magnitude_cmp(&self, other: &Decimal<'_>) -> Ordering {
        self.integer
            .len()
            .cmp(&other.integer.len())
            .then_with(|| self.integer.cmp(other.integer))
            .then_with(|| self.fraction.cmp(other.fraction))
    }
}

impl Ord for Decimal<'_> {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self.negative, other.negative) {
            (false, true) => Ordering::Greater,
            (true, false) => Ordering::Less,
            (false, false) => self.magnitude_cmp(other),
            (true, true) => other.magnitude_cmp(self),
        }
    }
}

impl PartialOrd for Decimal<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

// ---------------------------------------------------------------------------------------
// Parser: recursive descent straight over the bytes; lexing is driven by what the grammar
// expects next, which lets a bare regex such as `[a-z]+` stand where a list could not.
// ---------------------------------------------------------------------------------------

const SUBJECTS: &str = "a subject (attribute:<name>, ec2InstanceId, runningTasksCount, \
                        task:group, agentConnected, agentVersion or registeredAt)";

struct Parser<'a> {
    source: &'a str,
    pos: usize,
}

/// Characters of subjects, keywords and operator words.
fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b':' | b'/')
}

/// Characters that end a bare value; the rest (non-ASCII included) belong to it.
fn is_delimiter(b: u8) -> bool {
    b.is_ascii_whitespace() || matches!(b, b'(' | b')' | b'[' | b']' | b',' | b'\'' | b'"')
}

impl<'a> Parser<'a> {
    fn rest(&self) -> &'a str {
        &self.source[self.pos..]
    }

    fn skip_whitespace(&mut self) {
        let rest = self.rest();
        // ASCII only, like the bare-value delimiters: other spaces belong to values.
        self.pos += rest.len()
            - rest
                .trim_start_matches(|c: char| c.is_ascii_whitespace())
                .len();
    }

    /// The run of word characters at the cursor (maybe empty).
    fn word(&self) -> &'a str {
        let rest = self.rest();
        let len = rest.bytes().take_while(|&b| is_word_byte(b)).count();
        &rest[..len]
    }

    /// Consumes `keyword` if the cursor is on it as a whole word.
    fn eat_keyword(&mut self, keyword: &str) -> bool {
        if self.word() == keyword {
            self.pos += keyword.len();
            true
        } else {
            false
        }
    }

    fn eat(&mut self, symbol: &str) -> bool {
        if self.rest().starts_with(symbol) {
            self.pos += symbol.len();
            true
        } else {
            false
        }
    }

    /// What sits at the cursor, for "expected X, found Y".
    fn found(&self) -> String {
        let rest = self.rest();
        let Some(&first) = rest.as_bytes().first() else {
            return "the end of the expression".to_string();
        };
        if first.is_ascii_whitespace() {
            return "whitespace".to_string();
        }
        let len = if is_delimiter(first) {
            rest.chars().next().map_or(1, char::len_utf8)
        } else {
            rest.bytes().take_while(|&b| !is_delimiter(b)).count()
        };
        format!("`{}`", &rest[..len])
    }

    fn expected(&self, what: &str) -> QueryError {
        QueryError {
            offset: self.pos,
            message: format!("expected {what}, found {}", self.found()),
        }
    }

    fn nested(&self, depth: usize) -> Result<usize, QueryError> {
        if depth >= DEPTH_MAX {
            return Err(QueryError {
                offset: self.pos,
                message: format!("expressions may nest at most {DEPTH_MAX} levels deep"),
            });
        }
        Ok(depth + 1)
    }

    fn or(&mut self, depth: usize) -> Result<Node, QueryError> {
        let mut node = self.and(depth)?;
        loop {
            self.skip_whitespace();
            if !(self.eat("||") || self.eat_keyword("or")) {
                return Ok(node);
            }
            let right = self.and(depth)?;
            node = Node::Or(Box::new(node), Box::new(right));
        }
    }

    fn and(&mut self, depth: usize) -> Result<Node, QueryError> {
        let mut node = self.unary(depth)?;
        loop {
            self.skip_whitespace();
            if !(self.eat("&&") || self.eat_keyword("and")) {
                return Ok(node);
            }
            let right = self.unary(depth)?;
            node = Node::And(Box::new(node), Box::new(right));
        }
    }

    fn unary(&mut self, depth: usize) -> Result<Node, QueryError> {
        self.skip_whitespace();
        if self.word() == "not" || self.rest().starts_with('!') {
            let depth = self.nested(depth)?;
            let _ = self.eat_keyword("not") || self.eat("!");
            return Ok(Node::Not(Box::new(self.unary(depth)?)));
        }
        if self.rest().starts_with('(') {
            let depth = self.nested(depth)?;
            self.pos += 1;
            let node = self.or(depth)?;
            self.skip_whitespace();
            if !self.eat(")") {
                return Err(self.expected("`)`, `and` or `or`"));
            }
            return Ok(node);
        }
        Ok(Node::Comparison(self.comparison()?))
    }

    fn comparison(&mut self) -> Result<Comparison, QueryError> {
        let subject = self.subject()?;
        self.skip_whitespace();
        let operator_at = self.pos;
        let operator = self.operator()?;
        let (allowed, allowed_text) = subject.operators();
        if !allowed.contains(&operator) {
            return Err(QueryError {
                offset: operator_at,
                message: format!(
                    "`{}` cannot be used with `{}`, which takes {allowed_text}",
                    operator.symbol(),
                    subject.name()
                ),
            });
        }
        let argument = match operator {
            Operator::Exists | Operator::NotExists => Argument::None,
            Operator::In | Operator::NotIn => Argument::List(self.list(&subject)?),
            Operator::Matches | Operator::NotMatches => Argument::Pattern(self.pattern()?),
            _ => Argument::One(self.value(&subject)?),
        };
        Ok(Comparison {
            subject,
            operator,
            argument,
        })
    }

    fn subject(&mut self) -> Result<Subject, QueryError> {
        let word = self.word();
        let subject = match word {
            "ec2InstanceId" => Subject::Ec2InstanceId,
            "runningTasksCount" => Subject::RunningTasksCount,
            "task:group" => Subject::TaskGroup,
            "agentConnected" => Subject::AgentConnected,
            "agentVersion" => Subject::AgentVersion,
            "registeredAt" => Subject::RegisteredAt,
            _ => match word.strip_prefix("attribute:") {
                // ECS attribute names are `[A-Za-z0-9-_/.]`; a `:` is refused too.
                Some(name) if !name.is_empty() && !name.contains(':') => {
                    Subject::Attribute(name.to_string())
                }
                Some(_) => {
                    self.pos += "attribute:".len();
                    return Err(self.expected("an attribute name after `attribute:`"));
                }
                None => return Err(self.expected(SUBJECTS)),
            },
        };
        self.pos += word.len();
        Ok(subject)
    }

    fn operator(&mut self) -> Result<Operator, QueryError> {
        // Two-character symbols before their one-character prefixes.
        const SYMBOLS: [(&str, Operator); 8] = [
            ("==", Operator::Equal),
            ("!=", Operator::NotEqual),
            (">=", Operator::GreaterEqual),
            ("<=", Operator::LessEqual),
            ("=~", Operator::Matches),
            ("!~", Operator::NotMatches),
            (">", Operator::Greater),
            ("<", Operator::Less),
        ];
        for (symbol, operator) in SYMBOLS {
            if self.eat(symbol) {
                return Ok(operator);
            }
        }
        let start = self.pos;
        let negated = self.eat("!");
        let operator = match (negated, self.word()) {
            (false, "equals") => Operator::Equal,
            (false, "not_equals") => Operator::NotEqual,
            (false, "greater_than") => Operator::Greater,
            (false, "greater_than_equal") => Operator::GreaterEqual,
            (false, "less_than") => Operator::Less,
            (false, "less_than_equal") => Operator::LessEqual,
            (false, "exists") => Operator::Exists,
            (false, "not_exists") | (true, "exists") => Operator::NotExists,
            (false, "in") => Operator::In,
            (false, "not_in") | (true, "in") => Operator::NotIn,
            (false, "matches") => Operator::Matches,
            (false, "not_matches") => Operator::NotMatches,
            _ => {
                self.pos = start;
                return Err(self.expected(
                    "an operator (==, !=, >, >=, <, <=, exists, !exists, in, !in, =~, !~ \
                     or a word form such as `equals`)",
                ));
            }
        };
        self.pos += self.word().len();
        Ok(operator)
    }

    /// `[a, b, c]`, at least one value.
    fn list(&mut self, subject: &Subject) -> Result<Vec<Value>, QueryError> {
        self.skip_whitespace();
        if !self.eat("[") {
            return Err(self.expected("`[` to open the list of values"));
        }
        let mut values = vec![self.value(subject)?];
        loop {
            self.skip_whitespace();
            if self.eat("]") {
                return Ok(values);
            }
            if !self.eat(",") {
                return Err(self.expected("`,` or `]`"));
            }
            values.push(self.value(subject)?);
        }
    }

    /// One value, typed by the subject it is compared with.
    fn value(&mut self, subject: &Subject) -> Result<Value, QueryError> {
        self.skip_whitespace();
        let start = self.pos;
        let text = self.text(is_delimiter)?;
        let typed = match subject {
            Subject::Attribute(_) | Subject::Ec2InstanceId | Subject::TaskGroup => {
                Some(Value::Text(text.to_string()))
            }
            Subject::RunningTasksCount => text.parse().ok().map(Value::Integer),
            Subject::AgentConnected => match text {
                "true" => Some(Value::Bool(true)),
                "false" => Some(Value::Bool(false)),
                _ => None,
            },
            Subject::AgentVersion => parse_version(text).map(Value::Version),
            Subject::RegisteredAt => parse_time(text),
        };
        typed.ok_or_else(|| {
            let what = match subject {
                Subject::RunningTasksCount => "a whole number".to_string(),
                Subject::AgentConnected => "`true` or `false`".to_string(),
                Subject::AgentVersion => "a version such as `1.14.5`".to_string(),
                _ => "a duration since the simulation start such as `90s` or `1h30m`, or a \
                      UTC date such as `2018-02-13` or `2018-02-13T10:00:00Z` (the run starts \
                      at parameters.startTime)"
                    .to_string(),
            };
            QueryError {
                offset: start,
                message: format!("expected {what} for `{}`, found `{text}`", subject.name()),
            }
        })
    }

    /// A quoted string, or a bare run of bytes up to one where `ends` holds.
    fn text(&mut self, ends: fn(u8) -> bool) -> Result<&'a str, QueryError> {
        let rest = self.rest();
        match rest.as_bytes().first() {
            Some(&quote @ (b'\'' | b'"')) => {
                let Some(len) = rest[1..].find(char::from(quote)) else {
                    return Err(QueryError {
                        offset: self.pos,
                        message: "unterminated quoted string".to_string(),
                    });
                };
                self.pos += len + 2;
                Ok(&rest[1..=len])
            }
            _ => {
                // `&&` and `||` end a bare value too, so `a==1&&b==2` reads as written.
                let bytes = rest.as_bytes();
                let len = (0..bytes.len())
                    .find(|&i| {
                        ends(bytes[i]) || matches!(&bytes[i..], [b'&', b'&', ..] | [b'|', b'|', ..])
                    })
                    .unwrap_or(bytes.len());
                if len == 0 {
                    return Err(self.expected("a value"));
                }
                self.pos += len;
                Ok(&rest[..len])
            }
        }
    }

    /// The argument of `=~`: a bare pattern may hold brackets, since no list can follow.
    fn pattern(&mut self) -> Result<Regex, QueryError> {
        self.skip_whitespace();
        let quoted = matches!(self.rest().as_bytes().first(), Some(b'\'' | b'"'));
        let start = self.pos + usize::from(quoted);
        let text = self.text(|b| b.is_ascii_whitespace() || b == b')')?;
        Regex::compile(text, start)
    }
}

/// `1.14.5`, `v1.14.5`, `1`, up to four numeric parts.
fn parse_version(text: &str) -> Option<[u32; 4]> {
    let text = text.strip_prefix('v').unwrap_or(text);
    let mut version = [0u32; 4];
    for (index, part) in text.split('.').enumerate() {
        if part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        *version.get_mut(index)? = part.parse().ok()?;
    }
    Some(version)
}

/// A duration (`1h30m`, `90s`, `500ms`, `2d`) or a UTC date, as milliseconds since the
/// simulation start, which is 1970-01-01T00:00:00Z.
fn parse_time(text: &str) -> Option<Value> {
    if text.as_bytes().get(4) == Some(&b'-') {
        parse_date(text).map(Value::Date)
    } else {
        // A bare number is refused here: next to dates it would read as a year or an epoch.
        let has_unit = text.bytes().any(|b| b.is_ascii_alphabetic());
        has_unit
            .then(|| des::time::parse_duration_ms(text))
            .flatten()
            .and_then(|ms| i64::try_from(ms).ok())
            .map(Value::Millis)
    }
}

fn parse_date(text: &str) -> Option<i64> {
    let (date, time) = text.split_once('T').unwrap_or((text, ""));
    let number = |s: &str, len: usize| -> Option<i64> {
        (s.len() == len && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse().ok())
            .flatten()
    };
    let mut fields = date.split('-');
    let year = number(fields.next()?, 4)?;
    let month = number(fields.next()?, 2)?;
    let day = number(fields.next()?, 2)?;
    if fields.next().is_some() || !(1..=12).contains(&month) || day < 1 {
        return None;
    }
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let month_days = match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    if day > month_days {
        return None;
    }
    let time = time.strip_suffix('Z').unwrap_or(time);
    let mut seconds = 0;
    if !time.is_empty() || text.contains('T') {
        let mut fields = time.split(':');
        let hour = number(fields.next()?, 2)?;
        let minute = number(fields.next()?, 2)?;
        let second = fields.next().map_or(Some(0), |s| number(s, 2))?;
        if fields.next().is_some() || hour > 23 || minute > 59 || second > 59 {
            return None;
        }
        seconds = hour * 3600 + minute * 60 + second;
    }
    Some((days_from_civil(year, month, day) * 86_400 + seconds) * 1000)
}

/// Days from 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_from_march = (month + 9) % 12;
    let day_of_year = (153 * month_from_march + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

#[cfg(test)]
mod tests;
