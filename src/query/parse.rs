//! Reading an expression: a lexer into tokens, then a recursive-descent
//! parser into the [`Node`] tree, with errors that name the column.

use super::{Comparison, Condition, MAX_NESTING, Node, Subject, Test, Value};

/// Custom attribute names are 1-128 characters (ECS "Amazon ECS task placement
/// constraints", Attributes: letters, numbers, hyphens, underscores, forward
/// slashes, back slashes, or periods).
const MAX_ATTRIBUTE_NAME_LEN: usize = 128;

/// Parses a whole expression into its tree.
pub(super) fn parse(src: &str) -> Result<Node, String> {
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
    Ok(root)
}

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

pub(super) fn is_word_byte(b: u8) -> bool {
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
        // The outermost factor is level 0: MAX_NESTING parentheses or `not`s are allowed.
        if self.depth > MAX_NESTING + 1 {
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
