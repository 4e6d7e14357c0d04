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

pub mod diag;
pub mod dist;
pub mod duration;
pub mod raw;
pub mod resolve;
pub mod trace;
pub mod types;

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
        file: label.clone(),
        problems: vec![Problem { path: String::new(), line_col: None, message }],
    })?;
    let base = path.parent().unwrap_or(Path::new("."));
    load_str(&text, &label, base)
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
    let fail = |problems: Vec<Problem>| Diagnostics { file: label.to_string(), problems };
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
    let (raw, problems) = parse_sections(doc.into_inner(), &index);
    if !problems.is_empty() {
        return Err(fail(problems));
    }
    resolve::resolve(raw, text, label, base_dir)
        .map_err(|list| fail(list.into_iter().map(|(p, m)| index.problem(&p, m)).collect()))
}

fn parse_sections(doc: DeTable<'_>, index: &SpanIndex) -> (raw::RawScenario, Vec<Problem>) {
    let mut raw = raw::RawScenario::default();
    let mut problems = Vec::new();
    for (key, value) in doc {
        let name = key.get_ref().to_string();
        let p = &mut problems;
        match name.as_str() {
            "simulation" => raw.simulation = one(value, &name, index, p),
            "region" => raw.region = one(value, &name, index, p),
            "cluster" => raw.cluster = one(value, &name, index, p),
            "cloudwatch" => raw.cloudwatch = one(value, &name, index, p),
            "spot" => raw.spot = one(value, &name, index, p),
            "output" => raw.output = one(value, &name, index, p),
            "instance_types" => raw.instance_types = many(value, &name, index, p),
            "capacity_providers" => raw.capacity_providers = many(value, &name, index, p),
            "reserved_instances" => raw.reserved_instances = many(value, &name, index, p),
            "task_definitions" => raw.task_definitions = many(value, &name, index, p),
            "services" => raw.services = many(value, &name, index, p),
            "scheduled_tasks" => raw.scheduled_tasks = many(value, &name, index, p),
            "events" => raw.events = many(value, &name, index, p),
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
    (raw, problems)
}

fn one<T: DeserializeOwned>(
    value: toml::Spanned<DeValue<'_>>,
    path: &str,
    index: &SpanIndex,
    problems: &mut Vec<Problem>,
) -> Option<T> {
    match T::deserialize(ValueDeserializer::from(value)) {
        Ok(v) => Some(v),
        Err(e) => {
            problems.push(index.problem_at_span(e.span(), path, improve_serde_message(e.message().trim())));
            None
        }
    }
}

fn many<T: DeserializeOwned>(
    value: toml::Spanned<DeValue<'_>>,
    path: &str,
    index: &SpanIndex,
    problems: &mut Vec<Problem>,
) -> Vec<Option<T>> {
    let span = value.span();
    match value.into_inner() {
        DeValue::Array(items) => {
            items.into_iter().enumerate().map(|(i, item)| one(item, &format!("{path}[{i}]"), index, problems)).collect()
        }
        _ => {
            problems.push(index.problem_at_span(
                Some(span),
                path,
                format!("`{path}` must be an array of tables, written [[{path}]]"),
            ));
            Vec::new()
        }
    }
}
