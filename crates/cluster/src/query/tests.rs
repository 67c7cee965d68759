//! Query language tests: a table of expressions evaluated on two fixed instances, and a
//! table of bad expressions with the exact error each gives.

use std::collections::BTreeMap;

use des::SimTime;

use super::{Decimal, Expression, QueryError};
use crate::ids::{InstanceId, ZoneId};
use crate::instance::{ContainerInstance, InstanceStatus};
use crate::spec::InstanceType;

/// Instance `a`: an m5.large in us-east-1a registered at 1 h, running one task of
/// `service:web`. Instance `b`: a g2.2xlarge in us-east-1d registered at the start, idle,
/// with the custom attributes `stack=prod` and `weight=10`.
fn instances() -> [(ContainerInstance, &'static [&'static str]); 2] {
    let a = instance(
        "i-abcd1234",
        "m5.large",
        "us-east-1a",
        1,
        SimTime::from_secs(3600),
        &[],
    );
    let b = instance(
        "i-0000000b",
        "g2.2xlarge",
        "us-east-1d",
        0,
        SimTime::ZERO,
        &[("stack", "prod"), ("weight", "10")],
    );
    [(a, &["service:web"]), (b, &[])]
}

fn instance(
    ec2_instance_id: &str,
    instance_type: &str,
    zone: &str,
    running_tasks_count: u32,
    registered_at: SimTime,
    custom: &[(&str, &str)],
) -> ContainerInstance {
    let mut attributes: BTreeMap<String, String> = custom
        .iter()
        .map(|&(name, value)| (name.to_string(), value.to_string()))
        .collect();
    for (name, value) in [
        ("ecs.availability-zone", zone),
        ("ecs.instance-type", instance_type),
        ("ecs.os-type", "linux"),
        ("ecs.cpu-architecture", "x86_64"),
    ] {
        attributes.insert(name.to_string(), value.to_string());
    }
    ContainerInstance {
        id: InstanceId(0),
        ec2_instance_id: ec2_instance_id.to_string(),
        instance_type: InstanceType {
            name: instance_type.to_string(),
            cpu_units: 2048,
            memory_mib: 7680,
            enis: 3,
            cpu_architecture: "x86_64".to_string(),
        },
        availability_zone: ZoneId(0),
        auto_scaling_group: None,
        status: InstanceStatus::Active,
        agent_connected: true,
        terminating: None,
        registered_at,
        deregistered_at: None,
        loss: None,
        attributes,
        remaining_cpu_units: 2048,
        remaining_memory_mib: 7680,
        remaining_enis: 2,
        ports_tcp: Vec::new(),
        ports_udp: Vec::new(),
        reserved_ports: Vec::new(),
        reserved_port_count: 0,
        tasks: Vec::new(),
        running_tasks_count,
    }
}

/// Parses `source` and evaluates it on instances `a` and `b`.
#[track_caller]
fn check(source: &str, expected_a: bool, expected_b: bool) {
    let expression = match Expression::parse(source) {
        Ok(expression) => expression,
        Err(error) => panic!("`{source}` did not parse: {error}"),
    };
    assert_eq!(expression.source(), source);
    let [(a, groups_a), (b, groups_b)] = instances();
    let on = |instance: &ContainerInstance, groups: &[&str]| {
        expression.matches(instance, &|group: &str| groups.contains(&group))
    };
    assert_eq!(
        (on(&a, groups_a), on(&b, groups_b)),
        (expected_a, expected_b),
        "`{source}` on (a, b)"
    );
}

#[test]
fn ecs_examples() {
    // ECS.md §1.3, in the order the Developer Guide gives them.
    check("attribute:ecs.instance-type == t2.small", false, false);
    check("attribute:ecs.instance-type == m5.large", true, false);
    check(
        "attribute:ecs.availability-zone in [us-east-1a, us-east-1b]",
        true,
        false,
    );
    check(
        "attribute:ecs.instance-type =~ g2.* and attribute:ecs.availability-zone != us-east-1d",
        false,
        false,
    );
    check(
        "attribute:ecs.instance-type =~ g2.* and attribute:ecs.availability-zone != us-east-1a",
        false,
        true,
    );
    check("runningTasksCount == 1", true, false);
    check("agentVersion < 1.14.5", false, false);
    check("registeredAt < 2018-02-13", true, true);
    check("ec2InstanceId in ['i-abcd1234', 'i-wxyx7890']", true, false);
    check("task:group == service:web", true, false);
    check("not(task:group == service:web)", false, true);
}

#[test]
fn operators_and_their_word_forms() {
    let pairs = [
        ("==", "equals"),
        ("!=", "not_equals"),
        (">", "greater_than"),
        (">=", "greater_than_equal"),
        ("<", "less_than"),
        ("<=", "less_than_equal"),
    ];
    let expected = [
        (true, false),
        (false, true),
        (false, false),
        (true, false),
        (false, true),
        (true, true),
    ];
    for ((symbol, word), (on_a, on_b)) in pairs.into_iter().zip(expected) {
        check(&format!("runningTasksCount {symbol} 1"), on_a, on_b);
        check(&format!("runningTasksCount {word} 1"), on_a, on_b);
    }
    for exists in ["exists", "!exists", "not_exists"] {
        let positive = exists == "exists";
        check(&format!("attribute:stack {exists}"), !positive, positive);
    }
    for (operator, negated) in [("in", false), ("!in", true), ("not_in", true)] {
        check(
            &format!("ec2InstanceId {operator} [i-abcd1234]"),
            !negated,
            negated,
        );
    }
    for (operator, negated) in [
        ("=~", false),
        ("matches", false),
        ("!~", true),
        ("not_matches", true),
    ] {
        check(
            &format!("attribute:ecs.instance-type {operator} m5.*"),
            !negated,
            negated,
        );
    }
}

#[test]
fn missing_attributes_fail_positive_operators_and_pass_negated_ones() {
    check("attribute:stack == prod", false, true);
    check("attribute:stack != prod", true, false);
    check("attribute:stack in [prod, test]", false, true);
    check("attribute:stack !in [prod, test]", true, false);
    check("attribute:stack =~ p.*", false, true);
    check("attribute:stack !~ p.*", true, false);
    check("attribute:stack > a", false, true);
    check("attribute:stack <= zzz", false, true);
}

#[test]
fn text_orders_numbers_by_value_and_the_rest_by_bytes() {
    check("attribute:weight > 9", false, true);
    check("attribute:weight < 9.5", false, false);
    check("attribute:weight >= 10.000", false, true);
    check("attribute:weight > -11", false, true);
    // `==` compares text: 10.0 is not 10.
    check("attribute:weight == 10.0", false, false);
    check("attribute:weight == '10'", false, true);
    // Bytes when either side is not a number: "10" < "9a".
    check("attribute:weight < 9a", false, true);
    check("attribute:ecs.instance-type > m", true, false);
    let decimal = |s| Decimal::parse(s);
    assert!(decimal("-0") == decimal("0.000"));
    assert!(decimal("0.05") < decimal("0.5"));
    assert!(decimal("-2") < decimal("-1.5"));
    assert!(decimal("100") > decimal("99.99"));
    assert_eq!(decimal("1."), None);
    assert_eq!(decimal(".5"), None);
    assert_eq!(decimal("1e3"), None);
}

#[test]
fn compound_expressions_and_precedence() {
    // `and` binds tighter than `or`.
    check(
        "runningTasksCount == 0 or runningTasksCount == 1 and attribute:stack exists",
        false,
        true,
    );
    check(
        "(runningTasksCount == 0 or runningTasksCount == 1) and attribute:stack exists",
        false,
        true,
    );
    check(
        "runningTasksCount == 1 || attribute:stack exists && runningTasksCount == 5",
        true,
        false,
    );
    check(
        "(runningTasksCount == 1 || attribute:stack exists) && runningTasksCount == 0",
        false,
        true,
    );
    check("!attribute:stack exists", true, false);
    check("not not attribute:stack exists", false, true);
    check("! (ec2InstanceId == i-abcd1234)", false, true);
    check("((((agentConnected == true))))", true, true);
    check("agentConnected != true", false, false);
    check("runningTasksCount==1&&agentConnected==true", true, false);
    check("  runningTasksCount   <   1  ", false, true);
}

#[test]
fn typed_subjects() {
    check("agentVersion == 1.80.0", true, true);
    check("agentVersion == v1.80", true, true);
    check("agentVersion >= 1.9.0", true, true);
    check("agentVersion in [1.14.5, 1.80.0.0]", true, true);
    check("registeredAt >= 1h", true, false);
    check("registeredAt > 59m59s999ms", true, false);
    check("registeredAt < 1970-01-01T01:00:00Z", false, true);
    check("registeredAt == 1970-01-01T01:00", true, false);
    check("registeredAt <= 1970-01-01", false, true);
    check("registeredAt > 1969-12-31", true, true);
    check("runningTasksCount in [0, 2]", false, true);
    check("runningTasksCount > -1", true, true);
    check("task:group in [family:batch, service:web]", true, false);
    check("task:group != service:web", false, true);
    check("task:group !in [service:web]", false, true);
    check("task:group == 'service:api'", false, false);
}

#[test]
fn regex_subset() {
    let cases: &[(&str, &[&str], &[&str])] = &[
        (
            "m5.*",
            &["m5.large", "m5.", "m5"],
            &["m", "xm5.large", "m6.large"],
        ),
        ("g2.*", &["g2.2xlarge", "g2"], &["g3.xlarge"]),
        ("m5\\.large", &["m5.large"], &["m5xlarge"]),
        ("[a-c]+[0-9]?", &["a", "abc9", "cc"], &["", "d", "a99"]),
        ("[^0-9]*", &["", "abc"], &["a1"]),
        ("\\d+x\\w*", &["12x", "1xlarge"], &["x", "1x-"]),
        (
            "^c5n?\\..*$",
            &["c5.large", "c5n.large"],
            &["c5nn.large", "c5"],
        ),
        ("[-a]+", &["-a-"], &["b"]),
        ("[a-]+", &["a-"], &["b"]),
        ("a?a?a?aaa", &["aaa", "aaaaaa"], &["aa", "aaaaaaa"]),
        (".", &["x", "é"], &["\n", "xy"]),
        (
            "us-east-1[abc]",
            &["us-east-1a", "us-east-1c"],
            &["us-east-1d", "us-east-1"],
        ),
        ("a.*b.*c", &["abc", "a-b-c", "abbbcc"], &["acb", "ab"]),
    ];
    for &(pattern, accepted, rejected) in cases {
        let regex = match super::Regex::compile(pattern, 0) {
            Ok(regex) => regex,
            Err(error) => panic!("`{pattern}` did not compile: {error}"),
        };
        for text in accepted {
            assert!(regex.is_match(text), "`{pattern}` should match `{text}`");
        }
        for text in rejected {
            assert!(
                !regex.is_match(text),
                "`{pattern}` should not match `{text}`"
            );
        }
    }
    // Bare patterns may hold brackets; quoted ones may hold spaces.
    check("attribute:ecs.instance-type =~ [gm][25]\\..*", true, true);
    check("attribute:ecs.instance-type =~ 'm5 .*'", false, false);
    check("(attribute:ecs.instance-type =~ m5.*)", true, false);
}

/// Parses `source` and expects exactly `error`.
#[track_caller]
fn check_error(source: &str, offset: usize, message: &str) {
    let expected = QueryError {
        offset,
        message: message.to_string(),
    };
    assert_eq!(Expression::parse(source), Err(expected), "`{source}`");
}

#[test]
fn bad_expressions() {
    const SUBJECT: &str = "expected a subject (attribute:<name>, ec2InstanceId, \
                           runningTasksCount, task:group, agentConnected, agentVersion or \
                           registeredAt)";
    const OPERATOR: &str = "expected an operator (==, !=, >, >=, <, <=, exists, !exists, in, \
                            !in, =~, !~ or a word form such as `equals`)";
    check_error(
        "",
        0,
        &format!("{SUBJECT}, found the end of the expression"),
    );
    check_error(
        "   ",
        3,
        &format!("{SUBJECT}, found the end of the expression"),
    );
    check_error(
        "instanceType == t2.small",
        0,
        &format!("{SUBJECT}, found `instanceType`"),
    );
    check_error(
        "attribute: == x",
        10,
        "expected an attribute name after `attribute:`, found whitespace",
    );
    check_error(
        "runningTasksCount",
        17,
        &format!("{OPERATOR}, found the end of the expression"),
    );
    check_error(
        "runningTasksCount is 1",
        18,
        &format!("{OPERATOR}, found `is`"),
    );
    check_error(
        "runningTasksCount = 1",
        18,
        &format!("{OPERATOR}, found `=`"),
    );
    check_error(
        "runningTasksCount == ",
        21,
        "expected a value, found the end of the expression",
    );
    check_error(
        "runningTasksCount == one",
        21,
        "expected a whole number for `runningTasksCount`, found `one`",
    );
    check_error(
        "agentConnected == yes",
        18,
        "expected `true` or `false` for `agentConnected`, found `yes`",
    );
    check_error(
        "agentVersion < 1.x",
        15,
        "expected a version such as `1.14.5` for `agentVersion`, found `1.x`",
    );
    check_error(
        "registeredAt < 2018-02-30",
        15,
        "expected a duration since the simulation start such as `90s` or `1h30m`, or a \
         UTC date such as `2018-02-13` or `2018-02-13T10:00:00Z` (the run starts at \
         parameters.startTime) for `registeredAt`, found `2018-02-30`",
    );
    check_error("registeredAt > 5", 15, "expected a duration since the simulation start such as `90s` or `1h30m`, or a UTC date such as `2018-02-13` or `2018-02-13T10:00:00Z` (the run starts at parameters.startTime) for `registeredAt`, found `5`");
    check_error(
        "task:group > a",
        11,
        "`>` cannot be used with `task:group`, which takes ==, !=, in or !in",
    );
    check_error(
        "runningTasksCount =~ 1",
        18,
        "`=~` cannot be used with `runningTasksCount`, which takes ==, !=, >, >=, <, <=, in or !in",
    );
    check_error(
        "agentConnected in [true]",
        15,
        "`in` cannot be used with `agentConnected`, which takes == or !=",
    );
    check_error(
        "ec2InstanceId in i-1",
        17,
        "expected `[` to open the list of values, found `i-1`",
    );
    check_error(
        "ec2InstanceId in [i-1 i-2]",
        22,
        "expected `,` or `]`, found `i-2`",
    );
    check_error("ec2InstanceId in [i-1,]", 22, "expected a value, found `]`");
    check_error("ec2InstanceId in []", 18, "expected a value, found `]`");
    check_error("ec2InstanceId == 'i-1", 17, "unterminated quoted string");
    check_error(
        "(runningTasksCount == 1",
        23,
        "expected `)`, `and` or `or`, found the end of the expression",
    );
    check_error(
        "runningTasksCount == 1)",
        22,
        "expected `and`, `or` or the end of the expression, found `)`",
    );
    check_error(
        "runningTasksCount == 1 runningTasksCount",
        23,
        "expected `and`, `or` or the end of the expression, found `runningTasksCount`",
    );
    check_error(
        "runningTasksCount == 1 and",
        26,
        &format!("{SUBJECT}, found the end of the expression"),
    );
    check_error(
        "runningTasksCount == 1 AND agentConnected == true",
        23,
        "expected `and`, `or` or the end of the expression, found `AND`",
    );
    check_error(
        &format!("{}agentConnected == true", "(".repeat(40)),
        32,
        "expressions may nest at most 32 levels deep",
    );
    check_error(
        &format!("{}agentConnected == true", "not ".repeat(40)),
        128,
        "expressions may nest at most 32 levels deep",
    );
}

#[test]
fn bad_patterns() {
    // The offset points into the expression: `attribute:x =~ ` is 15 bytes.
    let cases = [
        ("a|b", 1, "alternation `|` is not supported"),
        ("(ab)", 0, "groups `( )` are not supported"),
        ("a{2}", 1, "counted repetition `{n,m}` is not supported"),
        (
            "*a",
            0,
            "a quantifier must follow a character, `.` or a class",
        ),
        (
            "a**",
            2,
            "lazy, possessive and repeated quantifiers are not supported",
        ),
        (
            "a*?",
            2,
            "lazy, possessive and repeated quantifiers are not supported",
        ),
        (
            "a^b",
            1,
            "anchors `^` and `$` are only supported at the ends",
        ),
        ("[a-z", 4, "expected `]` to close the character class"),
        ("[]", 1, "empty character class"),
        ("[z-a]", 1, "the range's end comes before its start"),
        ("[a[b]]", 2, "nested classes are not supported"),
        ("\\bm5", 0, "unsupported escape"),
        ("\\1", 0, "unsupported escape"),
        ("m5\\", 2, "a pattern cannot end with `\\`"),
    ];
    for (pattern, at, message) in cases {
        check_error(&format!("attribute:x =~ {pattern}"), 15 + at, message);
    }
    check_error(
        "attribute:x =~ 'a|b'",
        17,
        "alternation `|` is not supported",
    );
    // A bare pattern ends at `&&` like any bare value, so intersections need quotes.
    check_error(
        "attribute:x =~ '[a&&b]'",
        18,
        "class intersections `&&` are not supported",
    );
    check_error(
        &format!("attribute:x =~ {}", "a+".repeat(64)),
        15,
        "the pattern is too long: at most 127 elements, a `+` counting twice",
    );
    assert!(Expression::parse(&format!("attribute:x =~ {}", "a+".repeat(63))).is_ok());
}

#[test]
fn a_regex_of_many_stars_matches_in_linear_time() {
    let regex = super::Regex::compile(&"a*".repeat(60), 0).map_err(|e| e.message);
    let text = "a".repeat(10_000) + "b";
    assert_eq!(regex.map(|regex| regex.is_match(&text)), Ok(false));
}

#[test]
fn equal_sources_parse_to_equal_expressions() {
    let parse = |s: &str| Expression::parse(s).map_err(|e| e.message);
    assert_eq!(
        parse("runningTasksCount == 1"),
        parse("runningTasksCount == 1")
    );
    assert_ne!(
        parse("runningTasksCount == 1"),
        parse("runningTasksCount == 2")
    );
}

#[test]
fn static_and_known_before_the_run() {
    let check = |source: &str, is_static: bool, known: bool| {
        let expression = Expression::parse(source).expect("parses");
        assert_eq!(expression.is_static(), is_static, "{source}: static");
        assert_eq!(expression.is_known_before_run(), known, "{source}: known");
    };
    check("attribute:stack == prod", true, true);
    check(
        "attribute:a == x and not agentConnected == false",
        true,
        true,
    );
    check("agentVersion >= 1.0.0", true, true);
    check("ec2InstanceId == i-1 or attribute:a == x", true, false);
    check("registeredAt < 1h", true, false);
    check("runningTasksCount == 0", false, false);
    check(
        "attribute:a == x and task:group == service:web",
        false,
        false,
    );
}

/// `registeredAt` against a date reads the instance's registration as a UTC time once the
/// expression is anchored to the run's start (`parameters.startTime`); durations stay
/// relative to the start (ECS.md §1.3: `registeredAt < 2018-02-13`).
#[test]
fn dates_are_anchored_to_the_start_of_the_run() {
    let [(a, _), (b, _)] = instances(); // a registered 1 h into the run, b at its start
    let start = 1_767_225_600; // 2026-01-01T00:00:00Z
    let on = |source: &str| {
        let mut expression = Expression::parse(source).expect("parses");
        expression.anchor(start);
        let groups = |_: &str| false;
        (
            expression.matches(&a, &groups),
            expression.matches(&b, &groups),
        )
    };
    assert_eq!(on("registeredAt < 2026-01-01T00:30:00Z"), (false, true));
    assert_eq!(on("registeredAt == 2026-01-01T01:00:00Z"), (true, false));
    assert_eq!(on("registeredAt >= 2026-01-01"), (true, true));
    assert_eq!(on("registeredAt < 2018-02-13"), (false, false));
    assert_eq!(on("registeredAt in [2026-01-01, 1h]"), (true, true));
    assert_eq!(on("registeredAt >= 30m"), (true, false));
}
