//! Scenario files: parse, check, resolve into a typed [`Scenario`].
//!
//! Parsing is section by section (each `[[services]]` element on its own) so
//! that `ecsim validate` reports every problem at once; each problem names the
//! file, the line:column and the dotted key.
//!
//! ```
//! let text = r#"
//! [simulation]
//! name = "tiny"
//! duration = "1h"
//! [[capacity_providers]]
//! name = "FARGATE"
//! kind = "fargate"
//! [[task_definitions]]
//! family = "web"
//! cpu = 256
//! memory = 512
//! network_mode = "awsvpc"
//! [[services]]
//! name = "web"
//! task_definition = "web"
//! desired_count = 2
//! "#;
//! let s = ecsim::scenario::load_str(text, "tiny.toml", std::path::Path::new(".")).unwrap();
//! assert_eq!(s.services[0].desired_count, 2);
//! ```

pub mod cost;
pub mod diag;
pub mod dist;
pub mod duration;
pub mod raw;
pub mod resolve;
pub mod trace;
pub mod types;

pub use cost::{CostConfig, PlanRates, SavingsPlan, SavingsPlanKind};
pub use diag::{Diagnostics, Problem};
pub use dist::Dist;
pub use types::*;

use diag::{SpanIndex, did_you_mean, improve_serde_message};
use serde::de::DeserializeOwned;
use std::path::Path;
use toml::de::{DeTable, DeValue, ValueDeserializer};

/// Reads and resolves a scenario file.
pub fn load(path: &Path) -> Result<Scenario, Diagnostics> {
    let label = path.display().to_string();
    let text = read_text(path).map_err(|message| Diagnostics {
        values_ok: false,
        file: label.clone(),
        problems: vec![Problem { path: String::new(), line_col: None, message }],
    })?;
    let base = path.parent().unwrap_or(Path::new("."));
    load_str(&text, &label, base)
}

/// Reads a scenario file, lets `edit` change its TOML document (the command
/// line's `--set`) and resolves the result. The scenario's text, and so its
/// `source_text`, is the edited document as `toml` writes it, below `header`
/// as comment lines: the file's own comments and layout are not kept.
/// `edit` returns one message per change it could not make.
///
/// A problem the file has on its own keeps its line:column in the file; one
/// the edits brought is named by its dotted key only, since the lines of the
/// rewritten text are not the file's.
pub fn load_edited(
    path: &Path,
    header: &[String],
    edit: impl FnOnce(&mut toml::Table) -> Vec<String>,
) -> Result<Scenario, Diagnostics> {
    let label = path.display().to_string();
    let fail = |messages: Vec<String>| Diagnostics {
        values_ok: false,
        file: label.clone(),
        problems: messages
            .into_iter()
            .map(|message| Problem { path: String::new(), line_col: None, message })
            .collect(),
    };
    let original = read_text(path).map_err(|message| fail(vec![message]))?;
    let base = path.parent().unwrap_or(Path::new("."));
    let Ok(mut doc) = original.parse::<toml::Table>() else {
        // Not TOML at all: the file's own diagnostics say where.
        return load_str(&original, &label, base);
    };
    let problems = edit(&mut doc);
    if !problems.is_empty() {
        return Err(fail(problems));
    }
    let body = toml::to_string(&doc).map_err(|e| fail(vec![format!("cannot write the edited document: {e}")]))?;
    let mut text = String::new();
    for line in header {
        text.push_str("# ");
        text.push_str(&line.replace('\n', "\\n").replace('\r', "\\r"));
        text.push('\n');
    }
    text.push('\n');
    text.push_str(&body);
    load_str(&text, &label, base).map_err(|mut edited| {
        let own = load_str(&original, &label, base).err().map(|d| d.problems).unwrap_or_default();
        for problem in &mut edited.problems {
            let same = own.iter().find(|p| p.path == problem.path && p.message == problem.message);
            problem.line_col = same.and_then(|p| p.line_col);
        }
        edited
    })
}

/// Reads a text file with a clear error for missing, unreadable or binary files.
pub fn read_text(path: &Path) -> Result<String, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read the file: {e}"))?;
    String::from_utf8(bytes)
        .map_err(|e| format!("the file is not UTF-8 text (invalid byte at offset {})", e.utf8_error().valid_up_to()))
}

/// Parses and resolves scenario text. `label` names it in errors; relative
/// trace paths start at `base_dir`.
pub fn load_str(text: &str, label: &str, base_dir: &Path) -> Result<Scenario, Diagnostics> {
    let fail = |problems: Vec<Problem>| Diagnostics { file: label.to_string(), problems, values_ok: false };
    if text.trim().is_empty() {
        return Err(fail(vec![Problem {
            path: String::new(),
            line_col: None,
            message: "the file is empty; a scenario needs at least [simulation] duration, a capacity provider, a task definition and a service".into(),
        }]));
    }
    let doc = match DeTable::parse(text) {
        Ok(doc) => doc,
        Err(e) => {
            let lines = SpanIndex::lines_only(text);
            return Err(fail(vec![Problem {
                path: String::new(),
                line_col: e.span().map(|s| lines.line_col(s.start)),
                message: format!("not valid TOML: {}", e.message().trim()),
            }]));
        }
    };
    let index = SpanIndex::build(text, doc.get_ref());
    let (raw, mut problems, broken) = parse_sections(doc.into_inner(), &index);
    // With a broken top-level section, the defaults standing in for it would only
    // produce misleading cross-check problems.
    if broken.section {
        return Err(fail(problems));
    }
    match resolve::resolve(raw, text, label, base_dir, &broken.names) {
        Ok(scenario) if problems.is_empty() => Ok(scenario),
        Ok(_) => Err(fail(problems)),
        Err(list) => {
            let values_ok = problems.is_empty();
            let own = list.into_iter().filter(|(p, _)| !broken.covers(p));
            problems.extend(own.map(|(p, m)| index.problem(&p, m)));
            Err(Diagnostics { values_ok, ..fail(problems) })
        }
    }
}

/// What failed to deserialize, so cross-checks can leave it alone: they
/// would only restate its problem (an unknown name, a missing element).
#[derive(Default)]
struct Broken {
    /// A whole top-level table (`[simulation]`, `[region]`, ...) failed.
    section: bool,
    /// Array elements that failed, as index paths (`services[2]`).
    elements: Vec<String>,
    /// Their `name` / `family`, so references to them are not called unknown.
    names: std::collections::BTreeSet<String>,
}

impl Broken {
    /// Whether a cross-check problem at `path` concerns a broken element or
    /// its array as a whole ("at least one ... is required").
    fn covers(&self, path: &str) -> bool {
        self.elements.iter().any(|e| {
            let section = e.split('[').next().unwrap_or(e);
            path == section
                || path.strip_prefix(e.as_str()).is_some_and(|rest| rest.is_empty() || rest.starts_with(['.', '[']))
        })
    }
}

fn parse_sections(doc: DeTable<'_>, index: &SpanIndex) -> (raw::RawScenario, Vec<Problem>, Broken) {
    let mut raw = raw::RawScenario::default();
    let mut problems = Vec::new();
    let mut broken = Broken::default();
    for (key, value) in doc {
        let name = key.get_ref().to_string();
        let p = &mut problems;
        let b = &mut broken;
        match name.as_str() {
            "simulation" => raw.simulation = section(value, &name, index, p, b),
            "region" => raw.region = section(value, &name, index, p, b),
            "cluster" => raw.cluster = section(value, &name, index, p, b),
            "cloudwatch" => raw.cloudwatch = section(value, &name, index, p, b),
            "spot" => raw.spot = section(value, &name, index, p, b),
            "limits" => raw.limits = section(value, &name, index, p, b),
            "output" => raw.output = section(value, &name, index, p, b),
            "cost" => raw.cost = section(value, &name, index, p, b),
            "savings_plans" => raw.savings_plans = many(value, &name, index, p, b),
            "instance_types" => raw.instance_types = many(value, &name, index, p, b),
            "capacity_providers" => raw.capacity_providers = many(value, &name, index, p, b),
            "reserved_instances" => raw.reserved_instances = many(value, &name, index, p, b),
            "task_definitions" => raw.task_definitions = many(value, &name, index, p, b),
            "services" => raw.services = many(value, &name, index, p, b),
            "scheduled_tasks" => raw.scheduled_tasks = many(value, &name, index, p, b),
            "events" => raw.events = many(value, &name, index, p, b),
            other => {
                let hint = did_you_mean(other, raw::TOP_LEVEL_KEYS.iter().copied())
                    .map(|b| format!("; did you mean `{b}`?"))
                    .unwrap_or_default();
                problems.push(index.problem(
                    other,
                    format!("unknown section `{other}`; expected one of {}{hint}", raw::TOP_LEVEL_KEYS.join(", ")),
                ));
            }
        }
    }
    (raw, problems, broken)
}

/// A top-level table; marks the scenario broken when it fails.
fn section<T: DeserializeOwned>(
    value: toml::Spanned<DeValue<'_>>,
    path: &str,
    index: &SpanIndex,
    problems: &mut Vec<Problem>,
    broken: &mut Broken,
) -> Option<T> {
    let parsed = one(value, path, index, problems);
    broken.section |= parsed.is_none();
    parsed
}

/// Deserializes one table. A key whose value is wrong is reported, left out,
/// and the rest tried again, so the problems after it show up in the same run.
/// A "missing field" for a key left out that way (or misspelt) is only a
/// consequence and stays unreported; any other missing field is reported.
fn one<T: DeserializeOwned>(
    value: toml::Spanned<DeValue<'_>>,
    path: &str,
    index: &SpanIndex,
    problems: &mut Vec<Problem>,
) -> Option<T> {
    /// Enough for any real table; bounds the work on hostile input.
    const MAX_PROBLEMS_PER_TABLE: usize = 50;
    let mut value = value;
    let mut left_out: Vec<String> = Vec::new();
    let mut last_message = String::new();
    for _ in 0..MAX_PROBLEMS_PER_TABLE {
        let e = match T::deserialize(ValueDeserializer::from(value.clone())) {
            Ok(v) => return left_out.is_empty().then_some(v),
            Err(e) => e,
        };
        let message = e.message().trim();
        let missing = message.strip_prefix("missing field `").and_then(|rest| rest.split('`').next());
        // Left out as such, or misspelt (the unknown key's "did you mean" names it).
        let consequence = missing.is_some_and(|k| left_out.iter().any(|l| l == k || did_you_mean(l, [k]).is_some()));
        let removed = e.span().and_then(|span| remove_key_at(value.get_mut(), &span));
        if !consequence && (left_out.is_empty() || removed.is_some() || missing.is_some()) {
            let mut problem = index.problem_at_span(e.span(), path, improve_serde_message(message));
            problem.message = diag::with_key_range(&problem.path, problem.message);
            problems.push(problem);
        }
        match removed {
            Some(key) => left_out.push(key),
            None => return None,
        }
        last_message = message.to_string();
    }
    // The limit was reached: say how many unknown keys are left unlisted.
    let known: Vec<&str> = match last_message.strip_prefix("unknown field `") {
        Some(rest) => rest.split('`').skip(2).step_by(2).collect(),
        None => Vec::new(),
    };
    let more = match value.get_ref() {
        DeValue::Table(t) if !known.is_empty() => {
            let unknown = t.keys().filter(|k| !known.contains(&k.get_ref().as_ref())).count();
            format!("{unknown} more unknown key(s) are not listed")
        }
        _ => "further problems are not listed".to_string(),
    };
    problems.push(
        index.problem(path, format!("only the first {MAX_PROBLEMS_PER_TABLE} problems of a table are listed; {more}")),
    );
    None
}

/// Removes the innermost table key whose key or value holds `span` (the place
/// of a deserialization error) and returns its name; `None` when no key holds
/// it. Children are searched first: a table written as a `[header]` has only
/// the header's span.
fn remove_key_at(value: &mut DeValue<'_>, span: &std::ops::Range<usize>) -> Option<String> {
    let holds = |outer: std::ops::Range<usize>| outer.start <= span.start && span.end <= outer.end;
    match value {
        DeValue::Table(table) => {
            let mut hit = None;
            for (k, v) in table.iter_mut() {
                if let Some(inner) = remove_key_at(v.get_mut(), span) {
                    return Some(inner);
                }
                if holds(k.span()) || holds(v.span()) {
                    hit = Some(k.clone());
                    break;
                }
            }
            let key = hit?;
            table.remove(&key).map(|_| key.get_ref().to_string())
        }
        DeValue::Array(items) => items.iter_mut().find_map(|item| remove_key_at(item.get_mut(), span)),
        _ => None,
    }
}

/// The `name` (or `family`) of an array element, when it has one.
fn element_name(value: &DeValue<'_>) -> Option<String> {
    let DeValue::Table(table) = value else { return None };
    ["name", "family"].iter().find_map(|k| match table.get(*k).map(|v| v.get_ref()) {
        Some(DeValue::String(s)) => Some(s.to_string()),
        _ => None,
    })
}

fn many<T: DeserializeOwned>(
    value: toml::Spanned<DeValue<'_>>,
    path: &str,
    index: &SpanIndex,
    problems: &mut Vec<Problem>,
    broken: &mut Broken,
) -> Vec<Option<T>> {
    let span = value.span();
    match value.into_inner() {
        DeValue::Array(items) => items
            .into_iter()
            .enumerate()
            .map(|(i, item)| {
                let element = format!("{path}[{i}]");
                let name = element_name(item.get_ref());
                let parsed = one(item, &element, index, problems);
                if parsed.is_none() {
                    broken.names.extend(name);
                    broken.elements.push(element);
                }
                parsed
            })
            .collect(),
        _ => {
            problems.push(index.problem_at_span(
                Some(span),
                path,
                format!("`{path}` must be an array of tables, written [[{path}]]"),
            ));
            broken.section = true;
            Vec::new()
        }
    }
}
