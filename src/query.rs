//! The subset of the ECS cluster query language used by `memberOf` placement
//! constraints.
//!
//! An expression is parsed once, when the scenario loads, into an [`Expression`]
//! tree; placement then calls [`Expression::matches`] for every candidate
//! container instance, which neither parses nor allocates.
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

use std::fmt;

/// Deeper nesting than this is refused, so that hostile input cannot exhaust
/// the stack of the recursive parser, evaluator or printer.
const MAX_NESTING: usize = 32;

/// Custom attribute names are 1-128 characters (ECS "Amazon ECS task placement
/// constraints", Attributes: letters, numbers, hyphens, underscores, forward
/// slashes, back slashes, or periods).
const MAX_ATTRIBUTE_NAME_LEN: usize = 128;

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
        let tokens = lex(src)?;
        let mut parser = Parser { tokens: &tokens, at: 0, depth: 0 };
        let root = parser.expression()?;
        let next = parser.peek();
        if next.kind != Kind::End {
            return Err(error_at(
                next.at,
                format!("expected `and`, `or` or the end of the expression, found {}", next.describe()),
            ));
        }
        Ok(Expression { root })
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

// ---------------------------------------------------------------- lexer

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    LeftParen,
    RightParen,
    LeftBracket,
    RightBracket,
    Comma,
    /// `==` `!=` `>` `>=` `<` `<=` `=~` `!~` `!in` `!exists`
    Symbol,
    /// `&&`
    AndAnd,
    /// `||`
    OrOr,
    /// `!` standing alone (negation)
    Bang,
    Word,
    Quoted,
    End,
}

#[derive(Debug, Clone, Copy)]
struct Token<'a> {
    kind: Kind,
    /// The token's text; for quoted values, without the quotes.
    text: &'a str,
    /// Byte offset in the source.
    at: usize,
}

impl Token<'_> {
    fn describe(&self) -> String {
        match self.kind {
            Kind::End => "the end of the expression".to_string(),
            Kind::Quoted => format!("quoted value `{}`", self.text),
            _ => format!("`{}`", self.text),
        }
    }
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"-_.@/\\:*".contains(&b)
}

fn error_at(at: usize, message: String) -> String {
    format!("at column {}: {message}", at + 1)
}

fn lex(src: &str) -> Result<Vec<Token<'_>>, String> {
    let bytes = src.as_bytes();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let start = i;
        let next = bytes.get(i + 1).copied();
        let (kind, len) = match b {
            b' ' | b'\t' | b'\n' | b'\r' => {
                i += 1;
                continue;
            }
            b'(' => (Kind::LeftParen, 1),
            b')' => (Kind::RightParen, 1),
            b'[' => (Kind::LeftBracket, 1),
            b']' => (Kind::RightBracket, 1),
            b',' => (Kind::Comma, 1),
            b'=' if matches!(next, Some(b'=' | b'~')) => (Kind::Symbol, 2),
            b'=' => {
                return Err(error_at(start, "expected `==` or `=~`, found a lone `=`".to_string()));
            }
            b'!' if matches!(next, Some(b'=' | b'~')) => (Kind::Symbol, 2),
            b'!' => {
                let word_len = bytes[i + 1..].iter().take_while(|&&c| is_word_byte(c)).count();
                match &src[i + 1..i + 1 + word_len] {
                    "in" | "exists" => (Kind::Symbol, 1 + word_len),
                    _ => (Kind::Bang, 1),
                }
            }
            b'<' | b'>' if next == Some(b'=') => (Kind::Symbol, 2),
            b'<' | b'>' => (Kind::Symbol, 1),
            b'&' if next == Some(b'&') => (Kind::AndAnd, 2),
            b'|' if next == Some(b'|') => (Kind::OrOr, 2),
            b'&' | b'|' => {
                let ch = b as char;
                return Err(error_at(start, format!("expected `{ch}{ch}`, found a lone `{ch}`")));
            }
            b'\'' | b'"' => {
                let Some(close) = src[i + 1..].find(b as char) else {
                    return Err(error_at(start, format!("quoted value has no closing {}", b as char)));
                };
                tokens.push(Token { kind: Kind::Quoted, text: &src[i + 1..i + 1 + close], at: start });
                i += close + 2;
                continue;
            }
            _ if is_word_byte(b) => (Kind::Word, bytes[i..].iter().take_while(|&&c| is_word_byte(c)).count()),
            _ => {
                let ch = src[i..].chars().next().unwrap_or('?');
                return Err(error_at(start, format!("unexpected character `{ch}`")));
            }
        };
        tokens.push(Token { kind, text: &src[start..start + len], at: start });
        i += len;
    }
    tokens.push(Token { kind: Kind::End, text: "", at: src.len() });
    Ok(tokens)
}

// ---------------------------------------------------------------- parser

struct Parser<'t, 'a> {
    tokens: &'t [Token<'a>],
    at: usize,
    depth: usize,
}

/// Operators, in the order error messages list them.
const OPERATORS: &str = "==, !=, >, >=, <, <=, exists, !exists, in, !in, =~ or !~";

enum Operator {
    Compare(Comparison),
    Exists,
    NotExists,
    In,
    NotIn,
    Matches,
    NotMatches,
}

fn operator_of(token: &Token) -> Option<Operator> {
    let op = match (token.kind, token.text) {
        (Kind::Symbol, "==") | (Kind::Word, "equals") => Operator::Compare(Comparison::Equal),
        (Kind::Symbol, "!=") | (Kind::Word, "not_equals") => Operator::Compare(Comparison::NotEqual),
        (Kind::Symbol, ">") | (Kind::Word, "greater_than") => Operator::Compare(Comparison::Greater),
        (Kind::Symbol, ">=") | (Kind::Word, "greater_than_equal") => Operator::Compare(Comparison::GreaterOrEqual),
        (Kind::Symbol, "<") | (Kind::Word, "less_than") => Operator::Compare(Comparison::Less),
        (Kind::Symbol, "<=") | (Kind::Word, "less_than_equal") => Operator::Compare(Comparison::LessOrEqual),
        (Kind::Word, "exists") => Operator::Exists,
        (Kind::Symbol, "!exists") | (Kind::Word, "not_exists") => Operator::NotExists,
        (Kind::Word, "in") => Operator::In,
        (Kind::Symbol, "!in") | (Kind::Word, "not_in") => Operator::NotIn,
        (Kind::Symbol, "=~") | (Kind::Word, "matches") => Operator::Matches,
        (Kind::Symbol, "!~") | (Kind::Word, "not_matches") => Operator::NotMatches,
        _ => return None,
    };
    Some(op)
}

impl<'a> Parser<'_, 'a> {
    fn peek(&self) -> Token<'a> {
        self.tokens[self.at.min(self.tokens.len() - 1)]
    }

    fn advance(&mut self) -> Token<'a> {
        let token = self.peek();
        if token.kind != Kind::End {
            self.at += 1;
        }
        token
    }

    fn peek_is(&self, kind: Kind, word: &str) -> bool {
        let token = self.peek();
        token.kind == kind && (kind != Kind::Word || token.text == word)
    }

    fn expression(&mut self) -> Result<Node, String> {
        let mut terms = vec![self.term()?];
        while self.peek_is(Kind::OrOr, "") || self.peek_is(Kind::Word, "or") {
            self.advance();
            terms.push(self.term()?);
        }
        Ok(if terms.len() == 1 { terms.remove(0) } else { Node::Or(terms) })
    }

    fn term(&mut self) -> Result<Node, String> {
        let mut factors = vec![self.factor()?];
        while self.peek_is(Kind::AndAnd, "") || self.peek_is(Kind::Word, "and") {
            self.advance();
            factors.push(self.factor()?);
        }
        Ok(if factors.len() == 1 { factors.remove(0) } else { Node::And(factors) })
    }

    fn factor(&mut self) -> Result<Node, String> {
        let token = self.peek();
        self.depth += 1;
        if self.depth > MAX_NESTING {
            return Err(error_at(token.at, format!("expression nests deeper than {MAX_NESTING} levels")));
        }
        let node = if token.kind == Kind::Bang || (token.kind == Kind::Word && token.text == "not") {
            self.advance();
            Node::Not(Box::new(self.factor()?))
        } else if token.kind == Kind::LeftParen {
            self.advance();
            let inner = self.expression()?;
            let close = self.advance();
            if close.kind != Kind::RightParen {
                return Err(error_at(close.at, format!("expected `)`, found {}", close.describe())));
            }
            inner
        } else {
            Node::Condition(self.condition()?)
        };
        self.depth -= 1;
        Ok(node)
    }

    fn condition(&mut self) -> Result<Condition, String> {
        let subject_token = self.advance();
        let subject = subject_of(&subject_token)?;
        let operator_token = self.advance();
        let Some(operator) = operator_of(&operator_token) else {
            let hint = if operator_token.kind == Kind::Word && operator_token.text == "not" {
                " (a negated list is written `!in` or `not_in`)"
            } else {
                ""
            };
            return Err(error_at(
                operator_token.at,
                format!(
                    "expected an operator ({OPERATORS}) after `{}`, found {}{hint}",
                    subject_token.text,
                    operator_token.describe()
                ),
            ));
        };
        let test = match subject {
            Subject::RunningTasksCount => self.count_test(operator, &operator_token)?,
            Subject::Attribute(_) => self.attribute_test(operator, &operator_token)?,
        };
        Ok(Condition { subject, test })
    }

    fn count_test(&mut self, operator: Operator, operator_token: &Token) -> Result<Test, String> {
        let Operator::Compare(comparison) = operator else {
            return Err(error_at(
                operator_token.at,
                format!("runningTasksCount takes ==, !=, >, >=, < or <=, found `{}`", operator_token.text),
            ));
        };
        let token = self.advance();
        let is_whole = matches!(token.kind, Kind::Word | Kind::Quoted)
            && !token.text.is_empty()
            && token.text.bytes().all(|b| b.is_ascii_digit())
            && token.text.parse::<u32>().is_ok();
        if !is_whole {
            return Err(error_at(
                token.at,
                format!(
                    "expected a whole number after `{}` for runningTasksCount, found {}",
                    operator_token.text,
                    token.describe()
                ),
            ));
        }
        Ok(Test::Compare(comparison, Value::new(token.text)))
    }

    fn attribute_test(&mut self, operator: Operator, operator_token: &Token) -> Result<Test, String> {
        Ok(match operator {
            Operator::Compare(comparison) => Test::Compare(comparison, self.value(operator_token)?),
            Operator::Exists => Test::Exists,
            Operator::NotExists => Test::NotExists,
            Operator::In => Test::In(self.value_list(operator_token)?),
            Operator::NotIn => Test::NotIn(self.value_list(operator_token)?),
            Operator::Matches => Test::Matches(self.value(operator_token)?.text),
            Operator::NotMatches => Test::NotMatches(self.value(operator_token)?.text),
        })
    }

    fn value(&mut self, after: &Token) -> Result<Value, String> {
        let token = self.advance();
        match token.kind {
            Kind::Word | Kind::Quoted => Ok(Value::new(token.text)),
            _ => {
                Err(error_at(token.at, format!("expected a value after `{}`, found {}", after.text, token.describe())))
            }
        }
    }

    fn value_list(&mut self, after: &Token) -> Result<Vec<Value>, String> {
        let open = self.advance();
        if open.kind != Kind::LeftBracket {
            return Err(error_at(
                open.at,
                format!("expected a list like [a, b] after `{}`, found {}", after.text, open.describe()),
            ));
        }
        let mut values = vec![self.value(&open)?];
        loop {
            let token = self.advance();
            match token.kind {
                Kind::Comma => values.push(self.value(&token)?),
                Kind::RightBracket => return Ok(values),
                _ => {
                    return Err(error_at(
                        token.at,
                        format!("expected `,` or `]` in the list, found {}", token.describe()),
                    ));
                }
            }
        }
    }
}

/// AWS subjects this simulator does not model, named so the error can say so.
const UNSUPPORTED_SUBJECTS: [&str; 5] =
    ["agentConnected", "agentVersion", "ec2InstanceId", "registeredAt", "task:group"];

fn subject_of(token: &Token) -> Result<Subject, String> {
    const EXPECTED: &str = "expected a subject (`attribute:<name>` or `runningTasksCount`)";
    if token.kind != Kind::Word {
        return Err(error_at(token.at, format!("{EXPECTED}, found {}", token.describe())));
    }
    if token.text == "runningTasksCount" {
        return Ok(Subject::RunningTasksCount);
    }
    if let Some(name) = token.text.strip_prefix("attribute:") {
        let name_at = token.at + "attribute:".len();
        let valid_name = !name.is_empty()
            && name.len() <= MAX_ATTRIBUTE_NAME_LEN
            && name.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_/\\.".contains(&b));
        if !valid_name {
            return Err(error_at(
                name_at,
                format!(
                    "attribute name `{name}` must be 1-{MAX_ATTRIBUTE_NAME_LEN} letters, digits, \
                     hyphens, underscores, slashes, back slashes or periods"
                ),
            ));
        }
        return Ok(Subject::Attribute(name.to_string()));
    }
    if UNSUPPORTED_SUBJECTS.contains(&token.text) {
        return Err(error_at(
            token.at,
            format!(
                "subject `{}` is not modelled by the simulator; use `attribute:<name>` or `runningTasksCount`",
                token.text
            ),
        ));
    }
    Err(error_at(token.at, format!("{EXPECTED}, found {}", token.describe())))
}

// ---------------------------------------------------------------- display

impl fmt::Display for Expression {
    /// Canonical text: word keywords, symbol operators, single spaces,
    /// parentheses only where precedence needs them, `not(...)`.
    /// Parsing the output gives back an equal expression.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.root)
    }
}

impl fmt::Display for Node {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Node::Condition(condition) => write!(f, "{condition}"),
            Node::Not(inner) => write!(f, "not({inner})"),
            Node::And(nodes) => join(f, nodes, " and ", |node| matches!(node, Node::And(_) | Node::Or(_))),
            Node::Or(nodes) => join(f, nodes, " or ", |node| matches!(node, Node::Or(_))),
        }
    }
}

fn join(
    f: &mut fmt::Formatter<'_>,
    nodes: &[Node],
    separator: &str,
    needs_parens: impl Fn(&Node) -> bool,
) -> fmt::Result {
    for (i, node) in nodes.iter().enumerate() {
        if i > 0 {
            f.write_str(separator)?;
        }
        if needs_parens(node) {
            write!(f, "({node})")?;
        } else {
            write!(f, "{node}")?;
        }
    }
    Ok(())
}

impl fmt::Display for Subject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Subject::Attribute(name) => write!(f, "attribute:{name}"),
            Subject::RunningTasksCount => f.write_str("runningTasksCount"),
        }
    }
}

impl fmt::Display for Condition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let subject = &self.subject;
        match &self.test {
            Test::Compare(comparison, value) => {
                write!(f, "{subject} {} {}", comparison.symbol(), Literal(&value.text))
            }
            Test::Exists => write!(f, "{subject} exists"),
            Test::NotExists => write!(f, "{subject} !exists"),
            Test::In(values) => write!(f, "{subject} in {}", List(values)),
            Test::NotIn(values) => write!(f, "{subject} !in {}", List(values)),
            Test::Matches(pattern) => write!(f, "{subject} =~ {}", Literal(pattern)),
            Test::NotMatches(pattern) => write!(f, "{subject} !~ {}", Literal(pattern)),
        }
    }
}

/// A value as the parser reads it back: bare when it is one word, else quoted.
struct Literal<'a>(&'a str);

impl fmt::Display for Literal<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = self.0;
        if !text.is_empty() && text.bytes().all(is_word_byte) {
            f.write_str(text)
        } else if text.contains('"') {
            // The lexer ends a quoted value at its own quote character, so a
            // value holding `"` came from single quotes and holds no `'`.
            write!(f, "'{text}'")
        } else {
            write!(f, "\"{text}\"")
        }
    }
}

struct List<'a>(&'a [Value]);

impl fmt::Display for List<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[")?;
        for (i, value) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{}", Literal(&value.text))?;
        }
        f.write_str("]")
    }
}

#[cfg(test)]
mod tests {
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
        assert_eq!(parse_err(&deep), format!("at column {}: expression nests deeper than 32 levels", MAX_NESTING + 1));
        let nots = format!("{}attribute:a exists", "!".repeat(10_000));
        assert!(parse_err(&nots).contains("nests deeper than 32 levels"));
        let ok = format!("{}attribute:a exists{}", "(".repeat(31), ")".repeat(31));
        assert!(Expression::parse(&ok).is_ok());
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
}
