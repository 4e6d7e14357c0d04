//! Reading the export directory: every `*.json` file in name order, parsed,
//! and recognised by the top-level keys the AWS CLI writes for each command.

use super::error::{Errors, ImportError};
use super::json::{Doc, Node};
use super::kind::{KEYS, Kind};
use super::report::Report;
use std::path::Path;

/// Every `*.json` file of `dir` (hidden files excepted, as a shell glob
/// would), sorted by name, parsed and recognised. Unreadable or malformed
/// files are errors; files of other commands are warnings.
pub fn read_export(dir: &Path, report: &mut Report, errors: &mut Errors) -> Vec<Doc> {
    let shown = dir.display().to_string();
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            errors.push(ImportError::ReadDir { dir: shown, message: e.to_string() });
            return Vec::new();
        }
    };
    let mut names: Vec<String> = entries
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_file())
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| n.ends_with(".json") && !n.starts_with('.'))
        .collect();
    names.sort();
    if names.is_empty() {
        errors.push(ImportError::NoFiles { dir: shown });
        return Vec::new();
    }
    let mut docs = Vec::new();
    for name in names {
        let path = dir.join(&name);
        let label = path.display().to_string();
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) => {
                errors.push(ImportError::ReadFile { file: label, message: e.to_string() });
                continue;
            }
        };
        match parse(&bytes, name, label) {
            Ok(Some(doc)) => {
                check_pages(&doc, report);
                docs.push(doc)
            }
            Ok(None) => {}
            Err(Parsed::Error(e)) => errors.push(e),
            Err(Parsed::Skipped(warning)) => report.warn(warning),
        }
    }
    docs
}

enum Parsed {
    Error(ImportError),
    Skipped(String),
}

/// Parses one file's text and recognises it.
fn parse(bytes: &[u8], name: String, label: String) -> Result<Option<Doc>, Parsed> {
    let value: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| {
        Parsed::Error(ImportError::Json {
            file: label.clone(),
            line: e.line(),
            column: e.column(),
            message: strip_position(&e.to_string()),
        })
    })?;
    let Some(object) = value.as_object() else {
        return Err(Parsed::Skipped(format!(
            "{label}: skipped: the top level is {}, not the object the AWS CLI prints (was --query used?)",
            super::json::describe(&value)
        )));
    };
    let Some(&(_, kind)) = KEYS.iter().find(|(key, _)| object.contains_key(*key)) else {
        let keys: Vec<&str> = object.keys().map(String::as_str).collect();
        return Err(Parsed::Skipped(format!(
            "{label}: skipped: not the output of a command the import reads (top-level keys: {}); see docs/import.md",
            if keys.is_empty() { "none".to_string() } else { keys.join(", ") }
        )));
    };
    if kind == Kind::ServiceArns {
        return Err(Parsed::Skipped(format!(
            "{label}: skipped: list-services output only names the services; the import reads describe-services"
        )));
    }
    Ok(Some(Doc { name, label, kind, value }))
}

/// serde_json appends " at line L column C"; the error shows them already.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}

/// A file holding one page of a longer answer, or reporting failures.
fn check_pages(doc: &Doc, report: &mut Report) {
    let root = Node::root(doc);
    for key in ["NextToken", "nextToken"] {
        if root.get(key).is_some() {
            report.warn_at(
                &root,
                format!(
                    "{} output has a {key}: it is one page of several; save every page \
                     (the AWS CLI fetches them all unless --max-items or --no-paginate is given)",
                    doc.kind.command()
                ),
            );
        }
    }
    if let Ok(failures) = root.list("failures") {
        for f in failures {
            let arn = f.opt_str("arn").ok().flatten().unwrap_or("?");
            let reason = f.opt_str("reason").ok().flatten().unwrap_or("?");
            report.warn_at(&f, format!("{} could not describe {arn}: {reason}", doc.kind.command()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn recognise(text: &str) -> Result<Option<Doc>, Parsed> {
        parse(text.as_bytes(), "f.json".into(), "dir/f.json".into())
    }

    #[test]
    fn each_command_is_recognised_by_its_top_level_key() {
        for (key, kind) in KEYS.iter().filter(|(_, k)| *k != Kind::ServiceArns) {
            let doc = recognise(&format!("{{\"{key}\": []}}")).ok().flatten().unwrap();
            assert_eq!(doc.kind, *kind, "{key}");
        }
        let alarms = recognise(r#"{"CompositeAlarms": [], "MetricAlarms": []}"#).ok().flatten().unwrap();
        assert_eq!(alarms.kind, Kind::MetricAlarms);
    }

    #[test]
    fn malformed_json_gives_line_and_column() {
        let Err(Parsed::Error(e)) = recognise("{\n  \"services\": [\n    {\"a\": 1,}\n  ]\n}") else { panic!() };
        assert_eq!(e.to_string(), "dir/f.json:3:13: not valid JSON: trailing comma");
    }

    #[test]
    fn other_commands_and_arrays_are_skipped_with_a_reason() {
        let Err(Parsed::Skipped(w)) = recognise(r#"{"Reservations": [], "x": 1}"#) else { panic!() };
        assert_eq!(
            w,
            "dir/f.json: skipped: not the output of a command the import reads (top-level keys: Reservations, x); see docs/import.md"
        );
        let Err(Parsed::Skipped(w)) = recognise("[1]") else { panic!() };
        assert!(w.contains("the top level is an array"), "{w}");
        let Err(Parsed::Skipped(w)) = recognise(r#"{"serviceArns": []}"#) else { panic!() };
        assert!(w.contains("list-services"), "{w}");
    }
}
