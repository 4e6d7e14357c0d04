//! Bracket-aware key paths into a scenario's TOML document.
//!
//! A sweep names what it changes with paths such as
//! `services[web].auto_scaling.target_tracking[cpu60].target_value`: keys separated
//! by `.`, and `[...]` selectors that pick one element of an array, either by a
//! zero-based index (`[2]`) or by the element's name (`[web]`). Names may contain
//! dots (`instance_types[m7i.large]`), so a dot separates keys only outside brackets.
//!
//! Overrides are applied to the raw document before typed parsing, so the
//! scenario's own validation judges the result: this module only refuses paths
//! that cannot be followed, never values or keys the schema would reject.

use std::fmt;

use thiserror::Error;
use toml::{Table, Value};

use crate::scenario::diag::did_you_mean;

/// Keys that name an element of an array of tables, tried in this order
/// (docs/conventions.md, "Sweeps"): `name` (services, capacity providers, policies,
/// scheduled actions and tasks), `family` (task definitions), `capacity_provider`
/// (strategy items), `service` (calls), `instance_type` (spot pools, reserved
/// instances). An element's name is the first of these it has as a string.
pub const SELECTOR_KEYS: [&str; 5] = ["name", "family", "capacity_provider", "service", "instance_type"];

/// One step of a key path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    /// A key of a table.
    Key(String),
    /// A zero-based element of an array (`[2]`).
    Index(usize),
    /// The element of an array of tables with this name (`[web]`).
    Name(String),
    /// Every element of an array (`[*]`): setting through it sets each one.
    All,
}

impl fmt::Display for Segment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Segment::Key(key) => f.write_str(key),
            Segment::Index(index) => write!(f, "[{index}]"),
            Segment::Name(name) => write!(f, "[{name}]"),
            Segment::All => f.write_str("[*]"),
        }
    }
}

/// One step of a concrete path ([`KeyPath::steps`]): a table key or an array index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    Key(String),
    Index(usize),
}

/// A parsed key path. Parsing once lets a sweep reject a malformed path before
/// any configuration is built, and keeps the text as written for CSV headers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyPath {
    text: String,
    segments: Vec<Segment>,
}

/// A key path that cannot be parsed or followed. `segment` is the part of the
/// path where it failed, as written (empty when the problem is the path's end).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("key path `{path}`{}: {kind}", at_segment(.segment))]
pub struct PathError {
    pub path: String,
    pub segment: String,
    /// Boxed to keep `Result<_, PathError>` small on the success path.
    pub kind: Box<PathErrorKind>,
}

fn at_segment(segment: &str) -> String {
    if segment.is_empty() { String::new() } else { format!(", at `{segment}`") }
}

/// What went wrong with a key path; `parent` is the path up to the failing segment.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PathErrorKind {
    #[error("the path is empty; write keys separated by '.', e.g. `simulation.seed`")]
    Empty,
    #[error("a path must start with a key, not a selector; e.g. `services[web].desired_count`")]
    LeadingSelector,
    #[error("empty key; keys are separated by a single '.', e.g. `simulation.seed`")]
    EmptyKey,
    #[error("key `{key}` has spaces around it; write keys without spaces, e.g. `a.b`")]
    SpacedKey { key: String },
    #[error("'[' is not closed; a selector is `[name]` or `[index]`, e.g. `services[web]`")]
    UnclosedBracket,
    #[error("']' without a matching '['")]
    UnmatchedCloseBracket,
    #[error("expected '.' or '[' after a selector, e.g. `services[web].desired_count`")]
    MissingDot,
    #[error("empty selector `[]`; allowed: a zero-based index such as `[0]` or a name such as `[web]`")]
    EmptySelector,
    #[error("index `{digits}` is too large")]
    IndexTooLarge { digits: String },
    #[error("`{parent}` is {found}, not a table, so it has no key `{key}`{}", array_hint(.found, .parent))]
    NotATable { parent: String, found: &'static str, key: String },
    #[error("`{parent}` is {found}, not an array; a selector `[...]` picks an element of an array")]
    NotAnArray { parent: String, found: &'static str },
    #[error("{} has no key `{key}`{}", owner(.parent), suggest(.suggestion))]
    MissingKey { parent: String, key: String, suggestion: Option<String> },
    /// `suggestion` corrects the first missing key on the way, which is the
    /// likely typo (`auto_scalng` in `services[web].auto_scalng.target_tracking[cpu60]`).
    #[error("{} has no key `{key}`, so there is no array to select from{}", owner(.parent), suggest(.suggestion))]
    MissingArray { parent: String, key: String, suggestion: Option<String> },
    #[error("index {index} is out of range: `{parent}` has {len} element(s){}", index_range(*.len))]
    IndexOutOfRange { parent: String, index: usize, len: usize },
    #[error("no element of `{parent}` is named `{name}`; {}{}", name_choices(.available, *.len), suggest(.suggestion))]
    UnknownName { parent: String, name: String, available: Vec<String>, len: usize, suggestion: Option<String> },
    #[error("{} elements of `{parent}` are named `{name}` (indices {}); select one by index instead", .indices.len(), join(.indices))]
    AmbiguousName { parent: String, name: String, indices: Vec<usize> },
    #[error("`{parent}` is empty, so `[*]` matches no element")]
    NoElements { parent: String },
    #[error("`[*]` names every element of `{parent}`; it can set values, not read one")]
    WildcardRead { parent: String },
}

fn array_hint(found: &str, parent: &str) -> String {
    if found == "an array" {
        format!("; pick an element first, e.g. `{parent}[0]` or `{parent}[name]`")
    } else {
        String::new()
    }
}

fn suggest(suggestion: &Option<String>) -> String {
    suggestion.as_ref().map(|s| format!("; did you mean `{s}`?")).unwrap_or_default()
}

/// `parent` in backticks, or "the document" for the top level.
fn owner(parent: &str) -> String {
    if parent.is_empty() { "the document".to_string() } else { format!("`{parent}`") }
}

fn index_choices(len: usize) -> String {
    match len {
        0 | 1 => "[0]".to_string(),
        _ => format!("[0] to [{}]", len - 1),
    }
}

fn index_range(len: usize) -> String {
    if len == 0 { String::new() } else { format!("; allowed: {}", index_choices(len)) }
}

fn name_choices(available: &[String], len: usize) -> String {
    if !available.is_empty() {
        let quoted: Vec<String> = available.iter().map(|name| format!("`{name}`")).collect();
        format!("names: {}", quoted.join(", "))
    } else if len == 0 {
        "the array is empty".to_string()
    } else {
        format!(
            "its elements have no name (none has a string {}); select by index {}",
            SELECTOR_KEYS.join(", "),
            index_choices(len)
        )
    }
}

fn join(items: &[usize]) -> String {
    let texts: Vec<String> = items.iter().map(usize::to_string).collect();
    texts.join(", ")
}

impl KeyPath {
    /// Parses `text`; the grammar is `key ( '.' key | '[' selector ']' )*` where a
    /// key has no `.`, `[` or `]` and a selector is all digits (an index) or any
    /// other text without brackets (a name, which may contain dots).
    pub fn parse(text: &str) -> Result<Self, PathError> {
        let fail = |segment: &str, kind: PathErrorKind| PathError {
            path: text.to_string(),
            segment: segment.to_string(),
            kind: Box::new(kind),
        };
        if text.is_empty() {
            return Err(fail("", PathErrorKind::Empty));
        }
        // Brackets and dots are ASCII, so scanning bytes never splits a character.
        let bytes = text.as_bytes();
        let mut segments = Vec::new();
        let mut pos = 0;
        let mut expect_key = true;
        loop {
            if expect_key {
                let start = pos;
                while pos < bytes.len() && !matches!(bytes[pos], b'.' | b'[' | b']') {
                    pos += 1;
                }
                let key = &text[start..pos];
                if key.is_empty() {
                    let kind = if start == 0 && bytes.first() == Some(&b'[') {
                        PathErrorKind::LeadingSelector
                    } else {
                        PathErrorKind::EmptyKey
                    };
                    return Err(fail(&text[start..], kind));
                }
                if key.trim() != key {
                    let kind = PathErrorKind::SpacedKey { key: key.to_string() };
                    return Err(fail(key, kind));
                }
                segments.push(Segment::Key(key.to_string()));
            }
            let Some(&delimiter) = bytes.get(pos) else {
                break;
            };
            match delimiter {
                b'.' => {
                    pos += 1;
                    expect_key = true;
                }
                b'[' => {
                    let open = pos;
                    let mut close = open + 1;
                    while close < bytes.len() && !matches!(bytes[close], b'[' | b']') {
                        close += 1;
                    }
                    if bytes.get(close) != Some(&b']') {
                        return Err(fail(&text[open..], PathErrorKind::UnclosedBracket));
                    }
                    let selector = &text[open + 1..close];
                    let written = &text[open..=close];
                    segments.push(parse_selector(selector).map_err(|kind| fail(written, kind))?);
                    pos = close + 1;
                    expect_key = false;
                }
                b']' => {
                    return Err(fail(&text[pos..], PathErrorKind::UnmatchedCloseBracket));
                }
                _ => return Err(fail(&text[pos..], PathErrorKind::MissingDot)),
            }
        }
        Ok(KeyPath { text: text.to_string(), segments })
    }

    /// The path exactly as written (used as the CSV column name).
    pub fn as_str(&self) -> &str {
        &self.text
    }

    pub fn segments(&self) -> &[Segment] {
        &self.segments
    }

    /// The value the path names, or why it cannot be reached.
    pub fn get<'a>(&self, doc: &'a Table) -> Result<&'a Value, PathError> {
        let first = self.first_key()?;
        let mut current = doc.get(first).ok_or_else(|| self.missing_key(0, doc))?;
        for at in 1..self.segments.len() {
            current = self.child(at, current)?;
        }
        Ok(current)
    }

    /// Sets the value the path names. A missing table key on the way is created as
    /// an empty table (a path may set a key the schema knows even if the file omits
    /// it); a missing array, a missing element, or a scalar on the way is an error.
    /// The path is checked before anything changes, so a failed set leaves `doc`
    /// as it was.
    pub fn set(&self, doc: &mut Table, value: Value) -> Result<(), PathError> {
        if self.segments.contains(&Segment::All) {
            let paths = self.expand(doc)?;
            for path in &paths {
                path.check_settable(doc)?;
            }
            for path in paths {
                path.set(doc, value.clone())?;
            }
            return Ok(());
        }
        self.check_settable(doc)?;
        let first = self.first_key()?.to_string();
        let last = self.segments.len() - 1;
        if last == 0 {
            doc.insert(first, value);
            return Ok(());
        }
        let mut current = doc.entry(first).or_insert_with(|| Value::Table(Table::new()));
        for at in 1..last {
            current = self.child_or_new_table(at, current)?;
        }
        self.assign(last, current, value)
    }

    /// The concrete steps [`KeyPath::set`] follows in `doc`, one list per
    /// element a `[*]` stands for: names turned into indices, keys missing
    /// on the way kept as keys (`set` creates them). For editors of the
    /// document's text (comment-keeping writers) that must change exactly
    /// what `set` changes.
    pub fn steps(&self, doc: &Table) -> Result<Vec<Vec<Step>>, PathError> {
        let paths = if self.segments.contains(&Segment::All) { self.expand(doc)? } else { vec![self.clone()] };
        paths.iter().map(|path| path.concrete_steps(doc)).collect()
    }

    /// [`KeyPath::steps`] of a path without wildcards.
    fn concrete_steps(&self, doc: &Table) -> Result<Vec<Step>, PathError> {
        self.check_settable(doc)?;
        let first = self.first_key()?;
        let mut steps = vec![Step::Key(first.to_string())];
        let mut current = doc.get(first);
        for at in 1..self.segments.len() {
            let step = match (&self.segments[at], current) {
                (Segment::Key(key), _) => Step::Key(key.clone()),
                (_, Some(Value::Array(array))) => Step::Index(self.select(at, array)?),
                (_, Some(other)) => return Err(self.not_an_array(at, other)),
                // check_settable refuses a selector after a missing key; said again, never a panic.
                (_, None) => {
                    let kind = PathErrorKind::MissingArray {
                        parent: self.prefix(at - 1),
                        key: self.segments[at - 1].to_string(),
                        suggestion: None,
                    };
                    return Err(self.error(at - 1, kind));
                }
            };
            current = match (&step, current) {
                (Step::Key(key), Some(Value::Table(table))) => table.get(key),
                (Step::Index(index), Some(Value::Array(array))) => array.get(*index),
                _ => None,
            };
            steps.push(step);
        }
        Ok(steps)
    }

    /// Walks the path without changing `doc`: every existing step must be
    /// followable, and what is missing must be creatable (keys only, no selectors).
    fn check_settable(&self, doc: &Table) -> Result<(), PathError> {
        let first = self.first_key()?;
        // The table that holds (or lacks) segment `at - 1`.
        let mut holder = doc;
        let mut current = doc.get(first);
        for at in 1..self.segments.len() {
            let Some(value) = current else {
                let rest = &self.segments[at..];
                return match rest.iter().position(|s| !matches!(s, Segment::Key(_))) {
                    None => Ok(()),
                    Some(offset) => Err(self.missing_array(at + offset - 1, at - 1, holder)),
                };
            };
            current = match (&self.segments[at], value) {
                (Segment::Key(key), Value::Table(table)) => {
                    holder = table;
                    table.get(key)
                }
                _ => Some(self.child(at, value)?),
            };
        }
        Ok(())
    }

    /// The concrete paths a path with `[*]` stands for in `doc`, each wildcard
    /// replaced by every index of its array, in document order.
    pub fn expand(&self, doc: &Table) -> Result<Vec<KeyPath>, PathError> {
        let mut prefixes: Vec<Vec<Segment>> = vec![Vec::new()];
        for (at, segment) in self.segments.iter().enumerate() {
            if *segment != Segment::All {
                prefixes.iter_mut().for_each(|prefix| prefix.push(segment.clone()));
                continue;
            }
            let mut next = Vec::new();
            for prefix in prefixes {
                let holder = KeyPath::from_segments(prefix.clone()).get(doc).map_err(|e| self.rebase(e))?;
                let Value::Array(array) = holder else {
                    return Err(self.not_an_array(at, holder));
                };
                if array.is_empty() {
                    return Err(self.error(at, PathErrorKind::NoElements { parent: self.prefix(at) }));
                }
                next.extend((0..array.len()).map(|index| {
                    let mut concrete = prefix.clone();
                    concrete.push(Segment::Index(index));
                    concrete
                }));
            }
            prefixes = next;
        }
        Ok(prefixes.into_iter().map(KeyPath::from_segments).collect())
    }

    /// A path from segments, its text written out (`services[0].desired_count`).
    fn from_segments(segments: Vec<Segment>) -> KeyPath {
        let mut path = KeyPath { text: String::new(), segments };
        path.text = path.prefix(path.segments.len());
        path
    }

    /// An error found on a concrete prefix, reported against the path as written.
    fn rebase(&self, error: PathError) -> PathError {
        PathError { path: self.text.clone(), ..error }
    }

    fn first_key(&self) -> Result<&str, PathError> {
        match self.segments.first() {
            Some(Segment::Key(key)) => Ok(key),
            _ => Err(self.error(0, PathErrorKind::LeadingSelector)),
        }
    }

    /// Follows segment `at` from `current` without changing anything.
    fn child<'a>(&self, at: usize, current: &'a Value) -> Result<&'a Value, PathError> {
        match (&self.segments[at], current) {
            (Segment::Key(key), Value::Table(table)) => table.get(key).ok_or_else(|| self.missing_key(at, table)),
            (Segment::Key(key), other) => Err(self.not_a_table(at, key, other)),
            (_, Value::Array(array)) => {
                let index = self.select(at, array)?;
                array.get(index).ok_or_else(|| self.out_of_range(at, index, array.len()))
            }
            (_, other) => Err(self.not_an_array(at, other)),
        }
    }

    /// Follows segment `at` (never the last) from `current`, creating a missing
    /// key as an empty table.
    fn child_or_new_table<'a>(&self, at: usize, current: &'a mut Value) -> Result<&'a mut Value, PathError> {
        match (&self.segments[at], current) {
            (Segment::Key(key), Value::Table(table)) => {
                Ok(table.entry(key.clone()).or_insert_with(|| Value::Table(Table::new())))
            }
            (Segment::Key(key), other) => Err(self.not_a_table(at, key, other)),
            (_, Value::Array(array)) => {
                let index = self.select(at, array)?;
                let len = array.len();
                array.get_mut(index).ok_or_else(|| self.out_of_range(at, index, len))
            }
            (_, other) => Err(self.not_an_array(at, other)),
        }
    }

    /// Puts `value` where the last segment `at` points inside `current`.
    fn assign(&self, at: usize, current: &mut Value, value: Value) -> Result<(), PathError> {
        match (&self.segments[at], current) {
            (Segment::Key(key), Value::Table(table)) => {
                table.insert(key.clone(), value);
                Ok(())
            }
            (Segment::Key(key), other) => Err(self.not_a_table(at, key, other)),
            (_, Value::Array(array)) => {
                let index = self.select(at, array)?;
                let len = array.len();
                let slot = array.get_mut(index).ok_or_else(|| self.out_of_range(at, index, len))?;
                *slot = value;
                Ok(())
            }
            (_, other) => Err(self.not_an_array(at, other)),
        }
    }

    /// The index of the array element that selector `at` names.
    fn select(&self, at: usize, array: &[Value]) -> Result<usize, PathError> {
        match &self.segments[at] {
            Segment::Index(index) if *index < array.len() => Ok(*index),
            Segment::Index(index) => Err(self.out_of_range(at, *index, array.len())),
            Segment::Name(name) => {
                let matches: Vec<usize> = array
                    .iter()
                    .enumerate()
                    .filter(|(_, element)| element_name(element) == Some(name.as_str()))
                    .map(|(index, _)| index)
                    .collect();
                match matches.as_slice() {
                    [index] => Ok(*index),
                    [] => {
                        let available: Vec<String> =
                            array.iter().filter_map(element_name).map(str::to_string).collect();
                        let suggestion = did_you_mean(name, available.iter().map(String::as_str)).map(str::to_string);
                        let kind = PathErrorKind::UnknownName {
                            parent: self.prefix(at),
                            name: name.clone(),
                            available,
                            len: array.len(),
                            suggestion,
                        };
                        Err(self.error(at, kind))
                    }
                    _ => {
                        let kind = PathErrorKind::AmbiguousName {
                            parent: self.prefix(at),
                            name: name.clone(),
                            indices: matches,
                        };
                        Err(self.error(at, kind))
                    }
                }
            }
            Segment::All => Err(self.error(at, PathErrorKind::WildcardRead { parent: self.prefix(at) })),
            // Callers only pass selectors; a key here is reported, never a panic.
            Segment::Key(key) => Err(self.not_a_table(at, key, &Value::Array(Vec::new()))),
        }
    }

    /// Segment `at`, a key `holder` lacks.
    fn missing_key(&self, at: usize, holder: &Table) -> PathError {
        let kind = PathErrorKind::MissingKey {
            parent: self.prefix(at),
            key: self.segments[at].to_string(),
            suggestion: self.corrected(at, holder),
        };
        self.error(at, kind)
    }

    /// Segment `at`, a key followed by a selector, is missing; the first
    /// missing key on the way is `first_missing`, which `holder` lacks.
    fn missing_array(&self, at: usize, first_missing: usize, holder: &Table) -> PathError {
        let kind = PathErrorKind::MissingArray {
            parent: self.prefix(at),
            key: self.segments[at].to_string(),
            suggestion: self.corrected(first_missing, holder),
        };
        self.error(at, kind)
    }

    /// The path up to segment `at` with that key replaced by the closest key
    /// `holder` has, when one is close enough to be a likely typo.
    fn corrected(&self, at: usize, holder: &Table) -> Option<String> {
        let Segment::Key(key) = &self.segments[at] else { return None };
        let best = did_you_mean(key, holder.keys().map(String::as_str))?;
        let prefix = self.prefix(at);
        Some(if prefix.is_empty() { best.to_string() } else { format!("{prefix}.{best}") })
    }

    fn not_a_table(&self, at: usize, key: &str, found: &Value) -> PathError {
        let kind =
            PathErrorKind::NotATable { parent: self.prefix(at), found: article_type(found), key: key.to_string() };
        self.error(at, kind)
    }

    fn not_an_array(&self, at: usize, found: &Value) -> PathError {
        let kind = PathErrorKind::NotAnArray { parent: self.prefix(at), found: article_type(found) };
        self.error(at, kind)
    }

    fn out_of_range(&self, at: usize, index: usize, len: usize) -> PathError {
        let kind = PathErrorKind::IndexOutOfRange { parent: self.prefix(at), index, len };
        self.error(at, kind)
    }

    /// The path text up to (not including) segment `at`.
    fn prefix(&self, at: usize) -> String {
        let mut text = String::new();
        for (position, segment) in self.segments.iter().take(at).enumerate() {
            if position > 0 && matches!(segment, Segment::Key(_)) {
                text.push('.');
            }
            text.push_str(&segment.to_string());
        }
        text
    }

    fn error(&self, at: usize, kind: PathErrorKind) -> PathError {
        PathError {
            path: self.text.clone(),
            segment: self.segments.get(at).map(Segment::to_string).unwrap_or_default(),
            kind: Box::new(kind),
        }
    }
}

impl fmt::Display for KeyPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

fn parse_selector(selector: &str) -> Result<Segment, PathErrorKind> {
    if selector.is_empty() {
        return Err(PathErrorKind::EmptySelector);
    }
    if selector == "*" {
        return Ok(Segment::All);
    }
    if selector.bytes().all(|byte| byte.is_ascii_digit()) {
        return selector
            .parse::<usize>()
            .map(Segment::Index)
            .map_err(|_| PathErrorKind::IndexTooLarge { digits: selector.to_string() });
    }
    Ok(Segment::Name(selector.to_string()))
}

/// The name of an array element: the first selector key it has as a string.
fn element_name(element: &Value) -> Option<&str> {
    let table = element.as_table()?;
    SELECTOR_KEYS.iter().find_map(|key| table.get(*key).and_then(Value::as_str))
}

/// "an integer", "a table", ...: reads naturally in "`x` is an integer, not a table".
fn article_type(value: &Value) -> &'static str {
    match value {
        Value::String(_) => "a string",
        Value::Integer(_) => "an integer",
        Value::Float(_) => "a float",
        Value::Boolean(_) => "a boolean",
        Value::Datetime(_) => "a datetime",
        Value::Array(_) => "an array",
        Value::Table(_) => "a table",
    }
}

/// Sets `path` in `doc` to `value` (see [`KeyPath::set`]).
pub fn set_path(doc: &mut Table, path: &str, value: Value) -> Result<(), PathError> {
    KeyPath::parse(path)?.set(doc, value)
}

/// The value at `path`, or `None` when the path is malformed or leads nowhere.
pub fn get_path<'a>(doc: &'a Table, path: &str) -> Option<&'a Value> {
    KeyPath::parse(path).ok()?.get(doc).ok()
}

/// One `KEY=VALUE` override from the command line (`ecsim run --set`): a key
/// path, and a value in TOML syntax, so `=45`, `="2h"`, `=[1, 2]` and
/// `={ a = 1 }` mean what they would mean in the file.
#[derive(Debug, Clone, PartialEq)]
pub struct Assignment {
    /// The text as given, for provenance.
    pub text: String,
    pub path: KeyPath,
    pub value: Value,
}

/// A `KEY=VALUE` that cannot be read; `text` is the whole assignment as given.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum AssignmentError {
    #[error("`{text}` has no '='; write KEY=VALUE, e.g. `services[web].desired_count=4`")]
    NoEquals { text: String },
    #[error("`{text}`: {}", path_problem(.error))]
    Path { text: String, error: PathError },
    #[error("`{text}`: the value is empty; write a TOML value after '=', e.g. `{key}=4` or `{key}=\"2h\"`")]
    EmptyValue { text: String, key: String },
    /// A bare word: most likely a string without its quotes.
    #[error(
        "`{text}`: `{value}` is not a TOML value; quote a string: `{key}=\"{value}\"` \
         (in a shell, inside single quotes: '{key}=\"{value}\"')"
    )]
    Unquoted { text: String, key: String, value: String },
    #[error("`{text}`: `{value}` is not a TOML value: {reason}")]
    BadValue { text: String, value: String, reason: String },
}

/// A path error without the path, which the assignment already shows.
fn path_problem(error: &PathError) -> String {
    if error.segment.is_empty() { error.kind.to_string() } else { format!("at `{}`: {}", error.segment, error.kind) }
}

impl Assignment {
    /// Splits at the first '=' outside brackets (a selector's name may hold
    /// one), parses the key path and the TOML value. Spaces around '=' are allowed.
    pub fn parse(text: &str) -> Result<Assignment, AssignmentError> {
        let mut depth = 0usize;
        let equals = text.char_indices().find_map(|(at, c)| {
            match c {
                '[' => depth += 1,
                ']' => depth = depth.saturating_sub(1),
                '=' if depth == 0 => return Some(at),
                _ => {}
            }
            None
        });
        let Some(equals) = equals else {
            return Err(AssignmentError::NoEquals { text: text.to_string() });
        };
        let key = text[..equals].trim();
        let value_text = text[equals + 1..].trim();
        let path = KeyPath::parse(key).map_err(|error| AssignmentError::Path { text: text.to_string(), error })?;
        let value = parse_value(value_text).map_err(|reason| {
            let (text, key, value) = (text.to_string(), key.to_string(), value_text.to_string());
            if value.is_empty() {
                AssignmentError::EmptyValue { text, key }
            } else if is_bare_word(&value) {
                AssignmentError::Unquoted { text, key, value }
            } else {
                AssignmentError::BadValue { text, value, reason }
            }
        })?;
        Ok(Assignment { text: text.to_string(), path, value })
    }

    /// Applies the override to `doc` (see [`KeyPath::set`]).
    pub fn apply(&self, doc: &mut Table) -> Result<(), AssignmentError> {
        self.path.set(doc, self.value.clone()).map_err(|error| AssignmentError::Path { text: self.text.clone(), error })
    }
}

/// One TOML value, read as the right-hand side of `key = ...`.
fn parse_value(text: &str) -> Result<Value, String> {
    let mut table: Table =
        format!("value = {text}\n").parse().map_err(|e: toml::de::Error| e.message().trim().to_string())?;
    // A value with a line break could smuggle in more keys: `1\nother = 2`.
    match (table.remove("value"), table.is_empty()) {
        (Some(value), true) => Ok(value),
        _ => Err("it must be one value, not several lines of keys".to_string()),
    }
}

/// Text that TOML would read only as a string, were it quoted: no quote,
/// bracket or brace to start it, and no spaces or '=' inside.
fn is_bare_word(text: &str) -> bool {
    !text.starts_with(['"', '\'', '[', '{']) && !text.contains([' ', '\t', '\n', '=', '"', '\''])
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn reference() -> Table {
        let text = include_str!("../../tests/fixtures/sweep/reference.toml");
        match text.parse::<Table>() {
            Ok(table) => table,
            Err(error) => panic!("reference fixture does not parse: {error}"),
        }
    }

    fn set_err(doc: &mut Table, path: &str, value: Value) -> PathError {
        match set_path(doc, path, value) {
            Ok(()) => panic!("setting `{path}` should fail"),
            Err(error) => error,
        }
    }

    #[test]
    fn parses_brackets_with_dots_and_indices() {
        let path = KeyPath::parse("instance_types[m7i.large].vcpu").unwrap();
        assert_eq!(
            path.segments(),
            &[Segment::Key("instance_types".into()), Segment::Name("m7i.large".into()), Segment::Key("vcpu".into()),]
        );
        let path = KeyPath::parse("a[0][12].b").unwrap();
        assert_eq!(
            path.segments(),
            &[Segment::Key("a".into()), Segment::Index(0), Segment::Index(12), Segment::Key("b".into()),]
        );
    }

    #[test]
    fn rejects_malformed_paths() {
        let kind = |text: &str| *KeyPath::parse(text).unwrap_err().kind;
        assert_eq!(kind(""), PathErrorKind::Empty);
        assert_eq!(kind("[web].x"), PathErrorKind::LeadingSelector);
        assert_eq!(kind("a..b"), PathErrorKind::EmptyKey);
        assert_eq!(kind("a."), PathErrorKind::EmptyKey);
        assert_eq!(kind(".a"), PathErrorKind::EmptyKey);
        assert_eq!(kind("services[web"), PathErrorKind::UnclosedBracket);
        assert_eq!(kind("services[we[b]"), PathErrorKind::UnclosedBracket);
        assert_eq!(kind("services]"), PathErrorKind::UnmatchedCloseBracket);
        assert_eq!(kind("services[]"), PathErrorKind::EmptySelector);
        assert_eq!(kind("a[web]b"), PathErrorKind::MissingDot);
        assert_eq!(kind("a. b"), PathErrorKind::SpacedKey { key: " b".into() });
        assert_eq!(
            kind("a[99999999999999999999999]"),
            PathErrorKind::IndexTooLarge { digits: "99999999999999999999999".into() }
        );
        let error = KeyPath::parse("services[web").unwrap_err();
        assert_eq!(
            error.to_string(),
            "key path `services[web`, at `[web`: '[' is not closed; a selector is `[name]` or `[index]`, e.g. `services[web]`"
        );
    }

    #[test]
    fn resolves_the_reference_paths_by_name() {
        let doc = reference();
        let get = |path: &str| get_path(&doc, path).cloned();
        assert_eq!(get("services[web].auto_scaling.target_tracking[cpu60].target_value"), Some(Value::Integer(60)));
        assert_eq!(get("capacity_providers[ec2-spot].enable_spot_draining"), Some(Value::Boolean(true)));
        assert_eq!(get("instance_types[m7i.large].vcpu"), Some(Value::Integer(2)));
        assert_eq!(get("services[web].capacity_provider_strategy[FARGATE_SPOT].weight"), Some(Value::Integer(3)));
        // family, service and instance_type name elements too.
        assert_eq!(get("task_definitions[web-v2].cpu"), Some(Value::Integer(1024)));
        assert_eq!(get("services[web].calls[api].per_request"), Some(Value::Float(2.0)));
        assert_eq!(get("spot.pools[c5.xlarge].discount"), Some(Value::Float(0.6)));
        assert_eq!(get("reserved_instances[m5.large].effective_hourly"), Some(Value::Float(0.06)));
    }

    #[test]
    fn sets_the_reference_paths_by_name_keeping_the_value_type() {
        let mut doc = reference();
        let cases = [
            ("services[web].auto_scaling.target_tracking[cpu60].target_value", Value::Integer(45)),
            ("capacity_providers[ec2-spot].enable_spot_draining", Value::Boolean(false)),
            ("instance_types[m7i.large].vcpu", Value::Integer(4)),
            ("services[web].capacity_provider_strategy[FARGATE_SPOT].weight", Value::Integer(9)),
        ];
        for (path, value) in cases {
            set_path(&mut doc, path, value.clone()).unwrap();
            assert_eq!(get_path(&doc, path), Some(&value), "{path}");
        }
        // The sibling policy and the other strategy item are untouched.
        assert_eq!(
            get_path(&doc, "services[web].auto_scaling.target_tracking[rpt].target_value"),
            Some(&Value::Integer(6000))
        );
        assert_eq!(
            get_path(&doc, "services[web].capacity_provider_strategy[FARGATE].weight"),
            Some(&Value::Integer(1))
        );
    }

    #[test]
    fn a_wildcard_sets_every_element_and_reads_none() {
        let mut doc = reference();
        set_path(&mut doc, "services[*].desired_count", Value::Integer(9)).unwrap();
        // The reference has three services: web (4), api (6) and admin; all are 9 now.
        for name in ["web", "api", "admin"] {
            let path = format!("services[{name}].desired_count");
            assert_eq!(get_path(&doc, &path), Some(&Value::Integer(9)), "{path}");
        }
        let paths = KeyPath::parse("services[*].capacity_provider_strategy[*].weight").unwrap().expand(&doc).unwrap();
        assert_eq!(paths[0].as_str(), "services[0].capacity_provider_strategy[0].weight");
        assert!(paths.len() >= 3, "{paths:?}");
        let read = KeyPath::parse("services[*].desired_count").unwrap().get(&doc).unwrap_err();
        assert_eq!(
            read.to_string(),
            "key path `services[*].desired_count`, at `[*]`: `[*]` names every element of `services`; \
             it can set values, not read one"
        );
        // A wildcard over a missing key fails, and nothing changes.
        let before = doc.clone();
        let error = set_err(&mut doc, "services[*].auto_scalng.target_tracking[*].target_value", Value::Integer(1));
        assert!(error.to_string().starts_with("key path `services[*].auto_scalng"), "{error}");
        assert_eq!(doc, before);
        let mut empty = Table::new();
        empty.insert("services".into(), Value::Array(Vec::new()));
        let error = set_err(&mut empty, "services[*].desired_count", Value::Integer(1));
        assert_eq!(
            error.to_string(),
            "key path `services[*].desired_count`, at `[*]`: `services` is empty, so `[*]` matches no element"
        );
    }

    #[test]
    fn selects_by_index() {
        let mut doc = reference();
        assert_eq!(get_path(&doc, "services[1].name"), Some(&Value::String("api".into())));
        set_path(&mut doc, "services[0].capacity_provider_strategy[1].weight", Value::Integer(7)).unwrap();
        assert_eq!(
            get_path(&doc, "services[web].capacity_provider_strategy[FARGATE_SPOT].weight"),
            Some(&Value::Integer(7))
        );
        // A selector may be the last segment: it replaces the whole element.
        set_path(&mut doc, "capacity_providers[ec2-spot].instance_types[0]", Value::String("m7i.large".into()))
            .unwrap();
        assert_eq!(get_path(&doc, "capacity_providers[1].instance_types[0]"), Some(&Value::String("m7i.large".into())));
    }

    #[test]
    fn creates_missing_intermediate_tables() {
        let mut doc = reference();
        // The `api` service has no load balancer and no deployment circuit breaker.
        assert_eq!(get_path(&doc, "services[api].load_balancer"), None);
        set_path(&mut doc, "services[api].load_balancer.deregistration_delay", Value::String("10s".into())).unwrap();
        let mut expected = Table::new();
        expected.insert("deregistration_delay".into(), Value::String("10s".into()));
        assert_eq!(get_path(&doc, "services[api].load_balancer"), Some(&Value::Table(expected)));
        set_path(&mut doc, "brand_new.deeper.key", Value::Integer(1)).unwrap();
        assert_eq!(get_path(&doc, "brand_new.deeper.key"), Some(&Value::Integer(1)));
    }

    #[test]
    fn unknown_name_lists_the_existing_names() {
        let mut doc = reference();
        let error = set_err(&mut doc, "services[wbe].desired_count", Value::Integer(1));
        assert_eq!(error.segment, "[wbe]");
        assert_eq!(
            error.to_string(),
            "key path `services[wbe].desired_count`, at `[wbe]`: no element of `services` \
             is named `wbe`; names: `web`, `api`, `admin`; did you mean `web`?"
        );
        let error =
            set_err(&mut doc, "services[web].auto_scaling.target_tracking[cpu70].target_value", Value::Integer(1));
        assert_eq!(
            error.to_string(),
            "key path `services[web].auto_scaling.target_tracking[cpu70].target_value`, at \
             `[cpu70]`: no element of `services[web].auto_scaling.target_tracking` is named \
             `cpu70`; names: `cpu60`, `rpt`; did you mean `cpu60`?"
        );
    }

    #[test]
    fn index_out_of_range_says_what_is_allowed() {
        let mut doc = reference();
        let error = set_err(&mut doc, "services[3].desired_count", Value::Integer(1));
        assert_eq!(
            error.to_string(),
            "key path `services[3].desired_count`, at `[3]`: index 3 is out of range: \
             `services` has 3 element(s); allowed: [0] to [2]"
        );
    }

    #[test]
    fn descending_into_a_scalar_is_an_error() {
        let mut doc = reference();
        let error = set_err(&mut doc, "simulation.seed.value", Value::Integer(1));
        assert_eq!(
            error.to_string(),
            "key path `simulation.seed.value`, at `value`: `simulation.seed` is an integer, \
             not a table, so it has no key `value`"
        );
        let error = set_err(&mut doc, "simulation.seed[0]", Value::Integer(1));
        assert_eq!(*error.kind, PathErrorKind::NotAnArray { parent: "simulation.seed".into(), found: "an integer" });
        let error = set_err(&mut doc, "services.name", Value::Integer(1));
        assert_eq!(
            error.to_string(),
            "key path `services.name`, at `name`: `services` is an array, not a table, so \
             it has no key `name`; pick an element first, e.g. `services[0]` or `services[name]`"
        );
    }

    #[test]
    fn selecting_in_a_missing_array_is_an_error_and_changes_nothing() {
        let mut doc = reference();
        // `admin` has no auto scaling at all: `auto_scaling` could be created, but
        // no override can create the policy array it then selects from by name.
        let error =
            set_err(&mut doc, "services[admin].auto_scaling.target_tracking[cpu60].target_value", Value::Integer(1));
        assert_eq!(
            error.to_string(),
            "key path `services[admin].auto_scaling.target_tracking[cpu60].target_value`, at \
             `target_tracking`: `services[admin].auto_scaling` has no key `target_tracking`, \
             so there is no array to select from"
        );
        assert_eq!(doc, reference());
        let error = set_err(&mut doc, "nothing[0]", Value::Integer(1));
        assert_eq!(
            error.to_string(),
            "key path `nothing[0]`, at `nothing`: the document has no key `nothing`, so \
             there is no array to select from"
        );
    }

    #[test]
    fn a_misspelt_key_before_a_selector_gets_a_suggestion() {
        let mut doc = reference();
        // `auto_scalng` is the first missing key: the suggestion corrects it,
        // though the array that cannot be selected from is `target_tracking`.
        let error =
            set_err(&mut doc, "services[web].auto_scalng.target_tracking[cpu60].target_value", Value::Integer(1));
        assert_eq!(
            error.to_string(),
            "key path `services[web].auto_scalng.target_tracking[cpu60].target_value`, at \
             `target_tracking`: `services[web].auto_scalng` has no key `target_tracking`, so there \
             is no array to select from; did you mean `services[web].auto_scaling`?"
        );
        let error = set_err(&mut doc, "servics[web].desired_count", Value::Integer(1));
        assert_eq!(
            error.to_string(),
            "key path `servics[web].desired_count`, at `servics`: the document has no key \
             `servics`, so there is no array to select from; did you mean `services`?"
        );
        let path = KeyPath::parse("simulation.sede").unwrap();
        assert_eq!(
            path.get(&doc).unwrap_err().to_string(),
            "key path `simulation.sede`, at `sede`: `simulation` has no key `sede`; did you mean `simulation.seed`?"
        );
    }

    #[test]
    fn assignments_read_a_path_and_a_toml_value() {
        let read = |text: &str| Assignment::parse(text).map(|a| (a.path.as_str().to_string(), a.value));
        let target = "services[web].auto_scaling.target_tracking[cpu60].target_value".to_string();
        assert_eq!(read(&format!("{target}=45")), Ok((target.clone(), Value::Integer(45))));
        assert_eq!(read("simulation.duration=\"2h\""), Ok(("simulation.duration".into(), Value::String("2h".into()))));
        assert_eq!(read("a.b = [1, 2]"), Ok(("a.b".into(), Value::Array(vec![Value::Integer(1), Value::Integer(2)]))));
        let mut inline = Table::new();
        inline.insert("a".into(), Value::Integer(1));
        assert_eq!(read("a={ a = 1 }"), Ok(("a".into(), Value::Table(inline))));
        // The '=' inside a selector is part of the name.
        assert_eq!(read("a[x=y].b=true"), Ok(("a[x=y].b".into(), Value::Boolean(true))));
        // Applying one sets the value in the document.
        let mut doc = reference();
        Assignment::parse(&format!("{target}=45")).unwrap().apply(&mut doc).unwrap();
        assert_eq!(get_path(&doc, &target), Some(&Value::Integer(45)));
    }

    #[test]
    fn bad_assignments_say_what_to_write() {
        let message = |text: &str| Assignment::parse(text).unwrap_err().to_string();
        assert_eq!(
            message("simulation.duration=2h"),
            "`simulation.duration=2h`: `2h` is not a TOML value; quote a string: `simulation.duration=\"2h\"` \
             (in a shell, inside single quotes: 'simulation.duration=\"2h\"')"
        );
        assert_eq!(
            message("simulation.seed"),
            "`simulation.seed` has no '='; write KEY=VALUE, e.g. `services[web].desired_count=4`"
        );
        assert_eq!(
            message("simulation.seed="),
            "`simulation.seed=`: the value is empty; write a TOML value after '=', e.g. \
             `simulation.seed=4` or `simulation.seed=\"2h\"`"
        );
        assert_eq!(
            message("services[web=3"),
            "`services[web=3` has no '='; write KEY=VALUE, e.g. `services[web].desired_count=4`"
        );
        assert_eq!(
            message("services[].x=3"),
            "`services[].x=3`: at `[]`: empty selector `[]`; allowed: a zero-based index such as `[0]` or a name such as `[web]`"
        );
        assert!(message("a=[1, 2").starts_with("`a=[1, 2`: `[1, 2` is not a TOML value: "), "{}", message("a=[1, 2"));
        assert_eq!(
            message("a=1\nb = 2"),
            "`a=1\nb = 2`: `1\nb = 2` is not a TOML value: it must be one value, not several lines of keys"
        );
        let mut doc = reference();
        let error = Assignment::parse("services[wbe].desired_count=3").unwrap().apply(&mut doc).unwrap_err();
        assert_eq!(
            error.to_string(),
            "`services[wbe].desired_count=3`: at `[wbe]`: no element of `services` is named `wbe`; \
             names: `web`, `api`, `admin`; did you mean `web`?"
        );
    }

    #[test]
    fn names_come_from_family_service_and_instance_type_too() {
        let doc = reference();
        // Events carry `service`, so the deploy event of `web` is `events[web]`.
        assert_eq!(get_path(&doc, "events[web].task_definition"), Some(&Value::String("web-v2".into())));
        assert_eq!(get_path(&doc, "events[api].desired_count"), Some(&Value::Integer(12)));
    }

    #[test]
    fn names_on_arrays_without_names_suggest_an_index() {
        let mut doc = reference();
        let error = set_err(&mut doc, "capacity_providers[ec2-spot].instance_types[m5.large]", Value::Integer(1));
        assert_eq!(
            error.to_string(),
            "key path `capacity_providers[ec2-spot].instance_types[m5.large]`, at `[m5.large]`: \
             no element of `capacity_providers[ec2-spot].instance_types` is named `m5.large`; \
             its elements have no name (none has a string name, family, capacity_provider, \
             service, instance_type); select by index [0] to [3]"
        );
    }

    #[test]
    fn ambiguous_names_are_refused() {
        let mut doc: Table = "[[a]]\nname = \"x\"\n[[a]]\nname = \"y\"\n[[a]]\nname = \"x\"\n".parse().unwrap();
        let error = set_err(&mut doc, "a[x].v", Value::Integer(1));
        assert_eq!(
            error.to_string(),
            "key path `a[x].v`, at `[x]`: 2 elements of `a` are named `x` (indices 0, 2); \
             select one by index instead"
        );
    }

    proptest! {
        #[test]
        fn arbitrary_paths_never_panic(path in "[a-z0-9_.\\[\\] -]{0,40}", value in any::<i64>()) {
            let mut doc = reference();
            let _ = get_path(&doc, &path);
            let _ = set_path(&mut doc, &path, Value::Integer(value));
        }

        #[test]
        fn arbitrary_unicode_paths_never_panic(path in "\\PC{0,30}") {
            let mut doc = reference();
            let _ = get_path(&doc, &path);
            let _ = set_path(&mut doc, &path, Value::Boolean(true));
        }

        #[test]
        fn parsed_paths_are_set_then_read_back(
            keys in proptest::collection::vec("[a-z_]{1,8}", 1..5),
            value in any::<i64>(),
        ) {
            // Paths made only of keys always succeed on an empty document and read back.
            let path = keys.join(".");
            let mut doc = Table::new();
            set_path(&mut doc, &path, Value::Integer(value)).unwrap();
            prop_assert_eq!(get_path(&doc, &path), Some(&Value::Integer(value)));
        }
    }
}
