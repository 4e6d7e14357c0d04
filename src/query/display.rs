//! Printing an expression back as canonical text that parses to an equal one.

use super::parse::is_word_byte;
use super::{Condition, Expression, Node, Subject, Test, Value};
use std::fmt;

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
