//! Walking the AWS CLI's JSON with the path of every value at hand, so that
//! each error and each comment in the scenario can say where a value came from
//! (`services[0].deploymentConfiguration.maximumPercent`).

use super::document::Origin;
use super::error::ImportError;
use super::kind::Kind;
use serde_json::Value;

/// One file of the export, parsed.
#[derive(Debug)]
pub struct Doc {
    /// The file name inside the export directory (named in scenario comments).
    pub name: String,
    /// The path as the user gave it (named in messages).
    pub label: String,
    pub kind: Kind,
    pub value: Value,
}

/// A value of a document and its JSON path.
#[derive(Clone, Debug)]
pub struct Node<'a> {
    pub value: &'a Value,
    pub doc: &'a Doc,
    pub path: String,
}

impl<'a> Node<'a> {
    pub fn root(doc: &'a Doc) -> Node<'a> {
        Node { value: &doc.value, doc, path: String::new() }
    }

    fn at(&self, value: &'a Value, path: String) -> Node<'a> {
        Node { value, doc: self.doc, path }
    }

    pub fn child_path(&self, key: &str) -> String {
        let mut path = String::with_capacity(self.path.len() + key.len() + 1);
        path.push_str(&self.path);
        if !path.is_empty() {
            path.push('.');
        }
        path.push_str(key);
        path
    }

    /// The member `key`; absent and `null` are the same to the AWS CLI.
    pub fn get(&self, key: &str) -> Option<Node<'a>> {
        match self.value.get(key) {
            None | Some(Value::Null) => None,
            Some(v) => Some(self.at(v, self.child_path(key))),
        }
    }

    /// The member `key`, which the command always writes.
    pub fn need(&self, key: &str, expected: &str) -> Result<Node<'a>, ImportError> {
        self.get(key).ok_or_else(|| ImportError::Missing {
            file: self.doc.label.clone(),
            path: self.child_path(key),
            what: format!("{} writes it ({expected})", self.doc.kind.command()),
        })
    }

    pub fn invalid(&self, message: impl Into<String>) -> ImportError {
        ImportError::Invalid { file: self.doc.label.clone(), path: self.shown_path(), message: message.into() }
    }

    fn shown_path(&self) -> String {
        if self.path.is_empty() { "(top level)".to_string() } else { self.path.clone() }
    }

    fn wrong(&self, expected: &str) -> ImportError {
        self.invalid(format!("expected {expected}, found {}", describe(self.value)))
    }

    /// The elements of an array.
    pub fn items(&self) -> Result<Vec<Node<'a>>, ImportError> {
        let list = self.value.as_array().ok_or_else(|| self.wrong("an array"))?;
        Ok(list.iter().enumerate().map(|(i, v)| self.at(v, format!("{}[{i}]", self.path))).collect())
    }

    /// The elements of the array `key`; absent means empty.
    pub fn list(&self, key: &str) -> Result<Vec<Node<'a>>, ImportError> {
        self.get(key).map_or(Ok(Vec::new()), |n| n.items())
    }

    /// The member names of an object, in file order.
    pub fn keys(&self) -> Vec<&'a str> {
        self.value.as_object().map(|m| m.keys().map(String::as_str).collect()).unwrap_or_default()
    }

    pub fn str(&self) -> Result<&'a str, ImportError> {
        self.value.as_str().ok_or_else(|| self.wrong("a string"))
    }

    pub fn u64(&self) -> Result<u64, ImportError> {
        match self.value {
            Value::Number(n) => n
                .as_u64()
                .or_else(|| n.as_f64().filter(|f| f.fract() == 0.0 && *f >= 0.0 && *f < 9.0e15).map(|f| f as u64))
                .ok_or_else(|| self.wrong("a whole number of at least 0")),
            _ => Err(self.wrong("a whole number")),
        }
    }

    pub fn i64(&self) -> Result<i64, ImportError> {
        match self.value {
            Value::Number(n) => n
                .as_i64()
                .or_else(|| n.as_f64().filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15).map(|f| f as i64))
                .ok_or_else(|| self.wrong("a whole number")),
            _ => Err(self.wrong("a whole number")),
        }
    }

    pub fn f64(&self) -> Result<f64, ImportError> {
        self.value.as_f64().ok_or_else(|| self.wrong("a number"))
    }

    pub fn bool(&self) -> Result<bool, ImportError> {
        self.value.as_bool().ok_or_else(|| self.wrong("true or false"))
    }

    /// A whole number the API writes as a string ("256") or a number.
    pub fn u64_text(&self) -> Result<u64, ImportError> {
        match self.value {
            Value::String(s) => s.trim().parse().map_err(|_| self.wrong("a whole number (as text)")),
            _ => self.u64(),
        }
    }

    pub fn req_str(&self, key: &str) -> Result<&'a str, ImportError> {
        self.need(key, "a string")?.str()
    }

    pub fn opt_str(&self, key: &str) -> Result<Option<&'a str>, ImportError> {
        self.get(key).map(|n| n.str()).transpose()
    }

    pub fn opt_u64(&self, key: &str) -> Result<Option<u64>, ImportError> {
        self.get(key).map(|n| n.u64()).transpose()
    }

    pub fn opt_f64(&self, key: &str) -> Result<Option<f64>, ImportError> {
        self.get(key).map(|n| n.f64()).transpose()
    }

    pub fn opt_bool(&self, key: &str) -> Result<Option<bool>, ImportError> {
        self.get(key).map(|n| n.bool()).transpose()
    }

    /// Where this value came from, for the scenario's comments.
    pub fn origin(&self) -> Origin {
        Origin::Aws { command: self.doc.kind.command(), file: self.doc.name.clone(), path: self.path.clone() }
    }

    /// "describe-services: services[0].desiredCount (services.json)", for messages.
    pub fn source(&self) -> String {
        format!("{}: {} ({})", self.doc.kind.command(), self.shown_path(), self.doc.name)
    }
}

/// A value's JSON type, for "expected X, found Y".
pub fn describe(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => format!("{b}"),
        Value::Number(n) => format!("the number {n}"),
        Value::String(s) if s.chars().count() > 40 => "a string".into(),
        Value::String(s) => format!("the string \"{s}\""),
        Value::Array(_) => "an array".into(),
        Value::Object(_) => "an object".into(),
    }
}

/// Whether a member is worth reporting: present and not empty or off.
pub fn is_set(v: &Value) -> bool {
    match v {
        Value::Null | Value::Bool(false) => false,
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
        _ => true,
    }
}

/// The last part of an ARN after `/` (the name in most ECS ARNs).
pub fn arn_name(arn: &str) -> &str {
    arn.rsplit('/').next().unwrap_or(arn)
}

/// The region of an ARN (`arn:aws:ecs:us-east-1:...`), when it has one.
pub fn arn_region(arn: &str) -> Option<&str> {
    let region = arn.split(':').nth(3)?;
    (!region.is_empty()).then_some(region)
}
