//! The subset of the ECS cluster query language used by `memberOf` placement
//! constraints.
//!
//! An expression is parsed once, when the scenario loads, into an [`Expression`]
//! tree; placement then calls [`Expression::matches`] for every candidate
//! container instance, which neither parses nor allocates.
//!
//! Reading is in `parse` (lexer and parser), printing the canonical text in
//! `display`; this file holds the tree and its evaluation.
//!
//! Syntax (ECS "Cluster query language",
//! <https://docs.aws.amazon.com/AmazonECS/latest/developerguide/cluster-query-language.html>):
//!
//! ```text
//! expression := term (("or" | "||") term)*          -- `and` binds tighter than `or`
//! term       := factor (("and" | "&&") factor)*
//! factor     := ("not" | "!") factor | "(" expression ")" | condition
//! condition  := subject operator [argument]
//! subject    := attribute:<name> | runningTasksCount
//! operator   := == | != | > | >= | < | <= | exists | !exists | in | !in | =~ | !~
//!               (or the word forms equals, not_equals, greater_than, greater_than_equal,
//!                less_than, less_than_equal, not_exists, not_in, matches, not_matches)
//! argument   := value | "[" value ("," value)* "]"   -- a list for in / !in
//! value      := bare word (letters, digits and - _ . @ / \ : *) | 'quoted' | "quoted"
//! ```
//!
//! For example `attribute:ecs.instance-type =~ m5.* and attribute:ecs.availability-zone
//! in [us-east-1a, us-east-1b]`. Keywords are lower case, as AWS writes them.
//! `not in` (two words) is not an operator: AWS spells it `!in` or `not_in`.
//!
//! Meaning, where AWS leaves it open (assumptions of this simulator):
//! - `=~` / `!~` are *wildcard* matches, not regular expressions: `*` matches
//!   any run of characters, every other character matches itself, and the
//!   pattern must cover the whole value. So `m*` matches `m5.large` and
//!   `t2.*` matches `t2.micro`. AWS documents Java regular expressions here;
//!   for its own examples (`t2.*`, `g2.*`) both readings select the same
//!   instance types, and a wildcard cannot be mistyped into a regex that
//!   silently matches everything.
//! - `>`, `>=`, `<`, `<=` compare numerically when both the attribute value and
//!   the argument are decimal numbers, and otherwise byte-wise as text.
//! - A condition on an attribute the instance does not have is false, and its
//!   negated form (`!=`, `!in`, `!~`, `!exists`) is true.
//! - `runningTasksCount` takes only `==`, `!=`, `>`, `>=`, `<`, `<=` and a whole
//!   number, as the AWS page lists. The other AWS subjects (agentConnected,
//!   agentVersion, ec2InstanceId, registeredAt, task:group) are rejected.

mod display;
mod parse;

/// Deeper nesting than this is refused, so that hostile input cannot exhaust
/// the stack of the recursive parser, evaluator or printer.
const MAX_NESTING: usize = 32;

/// A parsed cluster query language expression.
#[derive(Debug, Clone, PartialEq)]
pub struct Expression {
    root: Node,
}

/// What a condition looks at on a container instance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subject {
    Attribute(String),
    RunningTasksCount,
}

/// What the evaluator needs from a container instance.
pub trait InstanceFacts {
    fn attribute(&self, name: &str) -> Option<&str>;
    fn running_tasks_count(&self) -> u32;
}

#[derive(Debug, Clone, PartialEq)]
enum Node {
    Condition(Condition),
    Not(Box<Node>),
    And(Vec<Node>),
    Or(Vec<Node>),
}

#[derive(Debug, Clone, PartialEq)]
struct Condition {
    subject: Subject,
    test: Test,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Comparison {
    Equal,
    NotEqual,
    Greater,
    GreaterOrEqual,
    Less,
    LessOrEqual,
}

#[derive(Debug, Clone, PartialEq)]
enum Test {
    Compare(Comparison, Value),
    Exists,
    NotExists,
    In(Vec<Value>),
    NotIn(Vec<Value>),
    Matches(String),
    NotMatches(String),
}

/// An argument, with its number read once at parse time for ordered comparisons.
#[derive(Debug, Clone, PartialEq)]
struct Value {
    text: String,
    number: Option<f64>,
}

impl Value {
    fn new(text: &str) -> Value {
        Value { text: text.to_string(), number: parse_number(text) }
    }
}

/// A finite decimal number (so "inf" or "NaN", which Rust would accept, stay text).
fn parse_number(text: &str) -> Option<f64> {
    let looks_numeric = !text.is_empty()
        && text.bytes().all(|b| b.is_ascii_digit() || b"+-.eE".contains(&b))
        && text.bytes().any(|b| b.is_ascii_digit());
    if !looks_numeric {
        return None;
    }
    text.parse::<f64>().ok().filter(|n| n.is_finite())
}

impl Expression {
    /// Parses an expression. Errors give the 1-based byte column of the problem
    /// and what was expected, e.g. "at column 31: expected a value after `=~`".
    pub fn parse(src: &str) -> Result<Expression, String> {
        parse::parse(src).map(|root| Expression { root })
    }

    /// Whether `instance` satisfies the expression.
    pub fn matches(&self, instance: &impl InstanceFacts) -> bool {
        self.root.matches(instance)
    }

    /// The attribute names the expression reads, each once, in order of first use.
    pub fn attributes(&self) -> Vec<&str> {
        let mut names = Vec::new();
        self.root.collect_attributes(&mut names);
        names
    }
}

impl Node {
    fn matches<I: InstanceFacts + ?Sized>(&self, instance: &I) -> bool {
        match self {
            Node::Condition(condition) => condition.matches(instance),
            Node::Not(inner) => !inner.matches(instance),
            Node::And(nodes) => nodes.iter().all(|node| node.matches(instance)),
            Node::Or(nodes) => nodes.iter().any(|node| node.matches(instance)),
        }
    }

    fn collect_attributes<'a>(&'a self, names: &mut Vec<&'a str>) {
        match self {
            Node::Condition(Condition { subject: Subject::Attribute(name), .. }) => {
                if !names.contains(&name.as_str()) {
                    names.push(name);
                }
            }
            Node::Condition(_) => {}
            Node::Not(inner) => inner.collect_attributes(names),
            Node::And(nodes) | Node::Or(nodes) => nodes.iter().for_each(|node| node.collect_attributes(names)),
        }
    }
}

impl Condition {
    fn matches<I: InstanceFacts + ?Sized>(&self, instance: &I) -> bool {
        match &self.subject {
            Subject::RunningTasksCount => match &self.test {
                // The parser guarantees a whole-number argument for this subject.
                Test::Compare(comparison, value) => value.number.is_some_and(|number| {
                    let count = f64::from(instance.running_tasks_count());
                    count.partial_cmp(&number).is_some_and(|order| comparison.holds(order))
                }),
                _ => false,
            },
            Subject::Attribute(name) => attribute_test(&self.test, instance.attribute(name)),
        }
    }
}

fn attribute_test(test: &Test, actual: Option<&str>) -> bool {
    match test {
        Test::Compare(Comparison::Equal, value) => actual == Some(value.text.as_str()),
        Test::Compare(Comparison::NotEqual, value) => actual != Some(value.text.as_str()),
        Test::Compare(comparison, value) => actual.is_some_and(|actual| comparison.holds(order_values(actual, value))),
        Test::Exists => actual.is_some(),
        Test::NotExists => actual.is_none(),
        Test::In(values) => actual.is_some_and(|actual| values.iter().any(|v| v.text == actual)),
        Test::NotIn(values) => !actual.is_some_and(|actual| values.iter().any(|v| v.text == actual)),
        Test::Matches(pattern) => actual.is_some_and(|actual| wildcard_match(pattern, actual)),
        Test::NotMatches(pattern) => !actual.is_some_and(|actual| wildcard_match(pattern, actual)),
    }
}

/// Numeric order when both sides are numbers, byte order otherwise.
fn order_values(actual: &str, argument: &Value) -> std::cmp::Ordering {
    if let (Some(left), Some(right)) = (parse_number(actual), argument.number)
        && let Some(order) = left.partial_cmp(&right)
    {
        return order;
    }
    actual.cmp(argument.text.as_str())
}

impl Comparison {
    fn holds(self, order: std::cmp::Ordering) -> bool {
        use std::cmp::Ordering::{Equal, Greater, Less};
        match self {
            Comparison::Equal => order == Equal,
            Comparison::NotEqual => order != Equal,
            Comparison::Greater => order == Greater,
            Comparison::GreaterOrEqual => order != Less,
            Comparison::Less => order == Less,
            Comparison::LessOrEqual => order != Greater,
        }
    }

    fn symbol(self) -> &'static str {
        match self {
            Comparison::Equal => "==",
            Comparison::NotEqual => "!=",
            Comparison::Greater => ">",
            Comparison::GreaterOrEqual => ">=",
            Comparison::Less => "<",
            Comparison::LessOrEqual => "<=",
        }
    }
}

/// Whole-value match where `*` stands for any run of bytes (possibly empty).
///
/// Greedy with backtracking to the last `*`: linear for the usual one-star
/// patterns, O(pattern × text) at worst, and no allocation.
fn wildcard_match(pattern: &str, text: &str) -> bool {
    let (pattern, text) = (pattern.as_bytes(), text.as_bytes());
    let (mut p, mut t) = (0, 0);
    // Where the last `*` was, and the text position it currently absorbs up to.
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        if p < pattern.len() && pattern[p] == b'*' {
            star = Some((p, t));
            p += 1;
        } else if p < pattern.len() && pattern[p] == text[t] {
            p += 1;
            t += 1;
        } else if let Some((star_p, star_t)) = star {
            // Let the star absorb one more byte and retry after it.
            p = star_p + 1;
            t = star_t + 1;
            star = Some((star_p, star_t + 1));
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|&b| b == b'*')
}

#[cfg(test)]
mod tests;
