//! Unit and property tests of the query language.

use super::*;
use proptest::prelude::*;
use std::collections::BTreeMap;

/// A container instance for tests: attributes and a running task count.
struct Instance {
    attributes: BTreeMap<&'static str, &'static str>,
    running: u32,
}

impl InstanceFacts for Instance {
    fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes.get(name).copied()
    }
    fn running_tasks_count(&self) -> u32 {
        self.running
    }
}

fn instance(attributes: &[(&'static str, &'static str)], running: u32) -> Instance {
    Instance { attributes: attributes.iter().copied().collect(), running }
}

fn ec2(instance_type: &'static str, zone: &'static str) -> Instance {
    instance(
        &[
            ("ecs.instance-type", instance_type),
            ("ecs.availability-zone", zone),
            ("ecs.os-type", "linux"),
            ("ecs.cpu-architecture", "x86_64"),
        ],
        0,
    )
}

fn parse(src: &str) -> Expression {
    match Expression::parse(src) {
        Ok(expression) => expression,
        Err(err) => panic!("`{src}` should parse: {err}"),
    }
}

#[test]
fn wildcard_match_on_instance_type() {
    let expr = parse("attribute:ecs.instance-type =~ m*");
    assert!(expr.matches(&ec2("m5.large", "us-east-1a")));
    assert!(!expr.matches(&ec2("c5.xlarge", "us-east-1a")));
    // AWS's own example: t2 family.
    let t2 = parse("attribute:ecs.instance-type =~ t2.*");
    assert!(t2.matches(&ec2("t2.micro", "us-east-1a")));
    assert!(!t2.matches(&ec2("t3.micro", "us-east-1a")));
    // Whole-value match, `.` literal.
    assert!(!parse("attribute:ecs.instance-type =~ large").matches(&ec2("m5.large", "a")));
    assert!(parse("attribute:ecs.instance-type =~ *.large").matches(&ec2("m5.large", "a")));
    assert!(!parse("attribute:ecs.instance-type =~ t2.*").matches(&ec2("t2xmicro", "a")));
    let not_m = parse("attribute:ecs.instance-type !~ m*");
    assert!(!not_m.matches(&ec2("m5.large", "a")));
    assert!(not_m.matches(&ec2("c5.xlarge", "a")));
}

#[test]
fn wildcard_match_cases() {
    assert!(wildcard_match("", ""));
    assert!(wildcard_match("*", ""));
    assert!(wildcard_match("*", "anything"));
    assert!(!wildcard_match("", "x"));
    assert!(wildcard_match("a*b*c", "a-b-c"));
    assert!(wildcard_match("a*b*c", "abbbc"));
    assert!(!wildcard_match("a*b*c", "a-c-b"));
    assert!(wildcard_match("*a*a*", "banana"));
    assert!(!wildcard_match("*x*", "banana"));
    assert!(wildcard_match("us-east-1*", "us-east-1a"));
    assert!(!wildcard_match("us-east-1?", "us-east-1a"));
}

#[test]
fn in_list_of_zones() {
    let expr = parse("attribute:ecs.availability-zone in [us-east-1a, us-east-1b]");
    assert!(expr.matches(&ec2("m5.large", "us-east-1a")));
    assert!(expr.matches(&ec2("m5.large", "us-east-1b")));
    assert!(!expr.matches(&ec2("m5.large", "us-east-1c")));
    let not_in = parse("attribute:ecs.availability-zone !in [us-east-1a, us-east-1b]");
    assert!(!not_in.matches(&ec2("m5.large", "us-east-1a")));
    assert!(not_in.matches(&ec2("m5.large", "us-east-1c")));
    let word_form = parse("attribute:ecs.availability-zone not_in ['us-east-1a', \"us-east-1b\"]");
    assert_eq!(word_form, not_in);
}

#[test]
fn compound_with_and() {
    let expr = parse("attribute:ecs.instance-type == m5.large and attribute:ecs.availability-zone != us-east-1d");
    assert!(expr.matches(&ec2("m5.large", "us-east-1a")));
    assert!(!expr.matches(&ec2("m5.large", "us-east-1d")));
    assert!(!expr.matches(&ec2("m5.xlarge", "us-east-1a")));
    let symbols = parse("attribute:ecs.instance-type==m5.large&&attribute:ecs.availability-zone!=us-east-1d");
    assert_eq!(symbols, expr);
}

#[test]
fn and_binds_tighter_than_or() {
    // a or b and c  ==  a or (b and c)
    let a = "attribute:a exists";
    let b = "attribute:b exists";
    let c = "attribute:c exists";
    let expr = parse(&format!("{a} or {b} and {c}"));
    assert_eq!(expr, parse(&format!("{a} or ({b} and {c})")));
    assert_ne!(expr, parse(&format!("({a} or {b}) and {c}")));
    // Only a: true under a or (b and c); false under (a or b) and c.
    assert!(expr.matches(&instance(&[("a", "1")], 0)));
    assert!(!expr.matches(&instance(&[("b", "1")], 0)));
    assert!(expr.matches(&instance(&[("b", "1"), ("c", "1")], 0)));
    let grouped = parse(&format!("({a} || {b}) && {c}"));
    assert!(!grouped.matches(&instance(&[("a", "1")], 0)));
    assert!(grouped.matches(&instance(&[("a", "1"), ("c", "1")], 0)));
}

#[test]
fn negation() {
    let expr = parse("not(attribute:ecs.instance-type =~ t2.*)");
    assert!(!expr.matches(&ec2("t2.micro", "a")));
    assert!(expr.matches(&ec2("m5.large", "a")));
    assert_eq!(parse("!(attribute:ecs.instance-type =~ t2.*)"), expr);
    assert_eq!(parse("not attribute:ecs.instance-type =~ t2.*"), expr);
    // Negation binds to the next factor only.
    let narrow = parse("not attribute:a exists and attribute:b exists");
    assert!(narrow.matches(&instance(&[("b", "1")], 0)));
    assert!(!narrow.matches(&instance(&[], 0)));
    assert!(parse("not not attribute:a exists").matches(&instance(&[("a", "x")], 0)));
}

#[test]
fn running_tasks_count() {
    let empty = parse("runningTasksCount == 0");
    assert!(empty.matches(&instance(&[], 0)));
    assert!(!empty.matches(&instance(&[], 1)));
    let few = parse("runningTasksCount < 3");
    assert!(few.matches(&instance(&[], 2)));
    assert!(!few.matches(&instance(&[], 3)));
    assert!(parse("runningTasksCount >= 3").matches(&instance(&[], 3)));
    assert!(parse("runningTasksCount != 3").matches(&instance(&[], 4)));
    assert!(parse("runningTasksCount greater_than 3").matches(&instance(&[], 4)));
    assert!(parse("runningTasksCount <= 0").matches(&instance(&[], 0)));
}

#[test]
fn exists_and_missing_attributes() {
    let expr = parse("attribute:custom exists");
    assert!(expr.matches(&instance(&[("custom", "x")], 0)));
    assert!(!expr.matches(&instance(&[], 0)));
    let missing = parse("attribute:custom !exists");
    assert!(missing.matches(&instance(&[], 0)));
    assert_eq!(parse("attribute:custom not_exists"), missing);
    // A missing attribute fails positive tests and passes negated ones.
    let bare = instance(&[], 0);
    assert!(!parse("attribute:stack == prod").matches(&bare));
    assert!(parse("attribute:stack != prod").matches(&bare));
    assert!(!parse("attribute:stack in [prod]").matches(&bare));
    assert!(parse("attribute:stack !in [prod]").matches(&bare));
    assert!(!parse("attribute:stack =~ *").matches(&bare));
    assert!(parse("attribute:stack !~ p*").matches(&bare));
    assert!(!parse("attribute:stack > 1").matches(&bare));
}

#[test]
fn ordered_comparison_of_attributes() {
    let with_generation = |v: &'static str| instance(&[("generation", v)], 0);
    let expr = parse("attribute:generation > 9");
    assert!(expr.matches(&with_generation("10")), "numerically 10 > 9");
    assert!(!expr.matches(&with_generation("8.5")));
    assert!(parse("attribute:generation >= 1e1").matches(&with_generation("10")));
    // Not both numbers: byte order ("b" > "a", "10" < "9" as text when one side is text).
    assert!(parse("attribute:generation > a").matches(&with_generation("b")));
    assert!(!parse("attribute:generation > 9x").matches(&with_generation("10")));
    assert!(parse("attribute:generation <= 2018-06-18").matches(&with_generation("2018-02-13")));
    // `==` is string equality, as AWS documents.
    assert!(!parse("attribute:generation == 10.0").matches(&with_generation("10")));
}

#[test]
fn quoted_values() {
    let expr = parse("attribute:stack == 'blue green'");
    assert!(expr.matches(&instance(&[("stack", "blue green")], 0)));
    assert_eq!(expr.to_string(), "attribute:stack == \"blue green\"");
    let with_quote = parse("attribute:label == 'say \"hi\"'");
    assert!(with_quote.matches(&instance(&[("label", "say \"hi\"")], 0)));
    assert_eq!(with_quote.to_string(), "attribute:label == 'say \"hi\"'");
}

#[test]
fn attributes_are_listed_once_in_order() {
    let expr = parse(
        "attribute:ecs.instance-type =~ m* and (attribute:stack == prod or \
         attribute:ecs.instance-type == c5.large) and runningTasksCount < 4 \
         and not(attribute:drain exists)",
    );
    assert_eq!(expr.attributes(), ["ecs.instance-type", "stack", "drain"]);
    assert!(parse("runningTasksCount == 0").attributes().is_empty());
}

#[test]
fn canonical_display() {
    let show = |src: &str| parse(src).to_string();
    assert_eq!(
        show("attribute:ecs.instance-type==m5.large&&attribute:ecs.availability-zone!=us-east-1d"),
        "attribute:ecs.instance-type == m5.large and attribute:ecs.availability-zone != us-east-1d"
    );
    assert_eq!(
        show("attribute:a exists || attribute:b exists && attribute:c exists"),
        "attribute:a exists or attribute:b exists and attribute:c exists"
    );
    assert_eq!(
        show("(attribute:a exists or attribute:b exists) and attribute:c exists"),
        "(attribute:a exists or attribute:b exists) and attribute:c exists"
    );
    assert_eq!(show("! attribute:zone not_in [ a ,b ]"), "not(attribute:zone !in [a, b])");
    assert_eq!(show("runningTasksCount less_than_equal 2"), "runningTasksCount <= 2");
    assert_eq!(show("attribute:t matches 'm*'"), "attribute:t =~ m*");
}

fn parse_err(src: &str) -> String {
    match Expression::parse(src) {
        Ok(expression) => panic!("`{src}` should not parse, got {expression}"),
        Err(err) => err,
    }
}

#[test]
fn errors_give_columns() {
    assert_eq!(
        parse_err("attribute:ecs.instance-type =~"),
        "at column 31: expected a value after `=~`, found the end of the expression"
    );
    assert_eq!(
        parse_err(""),
        "at column 1: expected a subject (`attribute:<name>` or `runningTasksCount`), \
         found the end of the expression"
    );
    assert_eq!(
        parse_err("attribute:zone in us-east-1a"),
        "at column 19: expected a list like [a, b] after `in`, found `us-east-1a`"
    );
    assert_eq!(parse_err("attribute:zone in [a b]"), "at column 22: expected `,` or `]` in the list, found `b`");
    assert_eq!(parse_err("attribute:zone in []"), "at column 20: expected a value after `[`, found `]`");
    assert_eq!(
        parse_err("attribute:zone not in [a]"),
        "at column 16: expected an operator (==, !=, >, >=, <, <=, exists, !exists, in, !in, =~ or !~) \
         after `attribute:zone`, found `not` (a negated list is written `!in` or `not_in`)"
    );
    assert_eq!(parse_err("attribute:zone = a"), "at column 16: expected `==` or `=~`, found a lone `=`");
    assert_eq!(parse_err("(attribute:a exists"), "at column 20: expected `)`, found the end of the expression");
    assert_eq!(
        parse_err("attribute:a exists attribute:b exists"),
        "at column 20: expected `and`, `or` or the end of the expression, found `attribute:b`"
    );
    assert_eq!(parse_err("attribute:a == 'open"), "at column 16: quoted value has no closing '");
    assert_eq!(parse_err("attribute:a == b & attribute:c exists"), "at column 18: expected `&&`, found a lone `&`");
    assert_eq!(parse_err("attribute:a == é"), "at column 16: unexpected character `é`");
    assert_eq!(
        parse_err("attribute: exists"),
        "at column 11: attribute name `` must be 1-128 letters, digits, hyphens, underscores, \
         slashes, back slashes or periods"
    );
    assert_eq!(
        parse_err("task:group == service:web"),
        "at column 1: subject `task:group` is not modelled by the simulator; \
         use `attribute:<name>` or `runningTasksCount`"
    );
    assert_eq!(
        parse_err("instanceType == m5.large"),
        "at column 1: expected a subject (`attribute:<name>` or `runningTasksCount`), \
         found `instanceType`"
    );
    assert_eq!(
        parse_err("runningTasksCount == many"),
        "at column 22: expected a whole number after `==` for runningTasksCount, found `many`"
    );
    assert_eq!(
        parse_err("runningTasksCount in [1, 2]"),
        "at column 19: runningTasksCount takes ==, !=, >, >=, < or <=, found `in`"
    );
    assert_eq!(
        parse_err("attribute:a exists and"),
        "at column 23: expected a subject (`attribute:<name>` or `runningTasksCount`), \
         found the end of the expression"
    );
}

#[test]
fn deep_nesting_is_an_error_not_a_stack_overflow() {
    let deep = format!("{}attribute:a exists{}", "(".repeat(10_000), ")".repeat(10_000));
    // Reported at what the 33rd parenthesis opens (column 34).
    assert_eq!(parse_err(&deep), format!("at column {}: expression nests deeper than 32 levels", MAX_NESTING + 2));
    let nots = format!("{}attribute:a exists", "!".repeat(10_000));
    assert!(parse_err(&nots).contains("nests deeper than 32 levels"));
    // Exactly 32 levels are allowed, 33 are not.
    let ok = format!("{}attribute:a exists{}", "(".repeat(32), ")".repeat(32));
    assert!(Expression::parse(&ok).is_ok());
    let over = format!("{}attribute:a exists{}", "(".repeat(33), ")".repeat(33));
    assert_eq!(parse_err(&over), "at column 34: expression nests deeper than 32 levels");
    let nots = format!("{}attribute:a exists", "not ".repeat(32));
    assert!(Expression::parse(&nots).is_ok());
}

/// Fragments that often combine into valid expressions.
fn fragment() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "attribute:ecs.instance-type",
        "attribute:stack",
        "runningTasksCount",
        "==",
        "!=",
        "=~",
        "!~",
        ">",
        "<=",
        "exists",
        "!exists",
        "in",
        "!in",
        "[",
        "]",
        ",",
        "(",
        ")",
        "and",
        "or",
        "not",
        "!",
        "&&",
        "||",
        "m5.large",
        "t2.*",
        "3",
        "'a b'",
        "\"x'y\"",
        "=",
        "&",
        "'",
    ])
}

/// Source text of valid expressions in every accepted spelling.
fn valid_source() -> impl Strategy<Value = String> {
    let name = "[a-z][a-z0-9._/-]{0,10}";
    let value = prop_oneof!["[a-z0-9][a-z0-9.*:@-]{0,8}", "'[a-zA-Z0-9 *\"]{0,6}'", "\"[a-zA-Z0-9 *']{0,6}\"",];
    let compare = prop::sample::select(vec![
        "==",
        "!=",
        ">",
        ">=",
        "<",
        "<=",
        "=~",
        "!~",
        "equals",
        "not_equals",
        "greater_than",
        "greater_than_equal",
        "less_than",
        "less_than_equal",
        "matches",
        "not_matches",
    ]);
    let exists = prop::sample::select(vec!["exists", "!exists", "not_exists"]);
    let list = prop::sample::select(vec!["in", "!in", "not_in"]);
    let count = prop::sample::select(vec!["==", "!=", ">", ">=", "<", "<=", "less_than"]);
    let leaf = prop_oneof![
        (name, compare, value.clone()).prop_map(|(n, op, v)| format!("attribute:{n} {op} {v}")),
        (name, exists).prop_map(|(n, op)| format!("attribute:{n} {op}")),
        (name, list, prop::collection::vec(value, 1..4))
            .prop_map(|(n, op, vs)| format!("attribute:{n} {op} [{}]", vs.join(" , "))),
        (count, 0u32..100).prop_map(|(op, c)| format!("runningTasksCount {op} {c}")),
    ];
    leaf.prop_recursive(4, 24, 3, |inner| {
        let and = prop::sample::select(vec!["and", "&&"]);
        let or = prop::sample::select(vec!["or", "||"]);
        prop_oneof![
            (inner.clone(), and, inner.clone()).prop_map(|(a, k, b)| format!("{a} {k} {b}")),
            (inner.clone(), or, inner.clone()).prop_map(|(a, k, b)| format!("{a} {k} {b}")),
            inner.clone().prop_map(|a| format!("({a})")),
            inner.clone().prop_map(|a| format!("not({a})")),
            inner.prop_map(|a| format!("!({a})")),
        ]
    })
}

proptest! {
    #[test]
    fn arbitrary_text_never_panics(src in any::<String>()) {
        let _ = Expression::parse(&src);
    }

    #[test]
    fn fragments_parse_or_fail_cleanly_and_display_round_trips(
        parts in prop::collection::vec(fragment(), 0..14)
    ) {
        let src = parts.join(" ");
        match Expression::parse(&src) {
            Ok(expression) => {
                let shown = expression.to_string();
                let reparsed = Expression::parse(&shown);
                prop_assert_eq!(reparsed.as_ref(), Ok(&expression), "{} -> {}", src, shown);
                // Evaluation never panics either.
                let _ = expression.matches(&ec2("m5.large", "us-east-1a"));
            }
            Err(err) => prop_assert!(err.starts_with("at column "), "{}", err),
        }
    }

    #[test]
    fn valid_expressions_parse_and_display_round_trips(src in valid_source()) {
        let expression = Expression::parse(&src);
        prop_assert!(expression.is_ok(), "{} -> {:?}", src, expression);
        if let Ok(expression) = expression {
            let shown = expression.to_string();
            prop_assert_eq!(Expression::parse(&shown), Ok(expression.clone()), "{} -> {}", src, shown);
            // The canonical form is a fixed point.
            prop_assert_eq!(Expression::parse(&shown).map(|e| e.to_string()), Ok(shown.clone()));
            let _ = expression.matches(&ec2("m5.large", "us-east-1a"));
        }
    }
}
