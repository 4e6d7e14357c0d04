//! What the import could not take from the export as is: warnings (input it
//! skipped, and why), values ecsim assumed, and AWS settings ecsim does not
//! model. Printed at the end of the import and written into the scenario's
//! header, so that nothing is dropped silently.

use super::document::Origin;
use super::json::Node;
use std::collections::{BTreeMap, BTreeSet};

/// At most this many names per line of the printed lists; the rest are counted.
const NAMES_SHOWN: usize = 8;

#[derive(Debug, Default)]
pub struct Report {
    pub warnings: Vec<String>,
    /// (key of the scenario, reason) -> names of what it applies to.
    assumed: BTreeMap<(String, String), Names>,
    /// AWS setting -> names of what it is set on.
    unmodelled: BTreeMap<String, Names>,
}

impl Report {
    pub fn warn(&mut self, message: impl Into<String>) {
        self.warnings.push(message.into());
    }

    /// A warning about one value of the export: file, JSON path, message.
    pub fn warn_at(&mut self, node: &Node<'_>, message: impl AsRef<str>) {
        let path = if node.path.is_empty() { "(top level)" } else { &node.path };
        self.warnings.push(format!("{}: {path}: {}", node.doc.label, message.as_ref()));
    }

    /// Records that `key` (a scenario key, `services[].desired_count`) of
    /// `subject` was assumed, and gives the origin for its comment.
    pub fn assume(&mut self, key: &str, subject: &str, why: impl Into<String>) -> Origin {
        let why = why.into();
        self.assumed.entry((key.to_string(), why.clone())).or_default().push(subject);
        Origin::Assumed(why)
    }

    /// Records an AWS setting ecsim does not model, set on `subject`.
    pub fn unmodelled(&mut self, setting: impl Into<String>, subject: &str) {
        self.unmodelled.entry(setting.into()).or_default().push(subject);
    }

    /// One line per assumption: `key: reason (names)`.
    pub fn assumptions(&self) -> Vec<String> {
        self.assumed.iter().map(|((key, why), names)| format!("{key}: {why} ({})", shown(&names.order))).collect()
    }

    /// One line per setting: `setting (names)`.
    pub fn unmodelled_settings(&self) -> Vec<String> {
        self.unmodelled.iter().map(|(setting, names)| format!("{setting} ({})", shown(&names.order))).collect()
    }

    /// The three lists as printed at the end of an import.
    pub fn render(&self) -> String {
        let mut out = String::new();
        for (title, lines) in [
            ("warnings", self.warnings.clone()),
            ("assumed by ecsim", self.assumptions()),
            ("AWS settings ecsim does not model", self.unmodelled_settings()),
        ] {
            out.push_str(&format!("{title} ({}):\n", lines.len()));
            for line in lines {
                out.push_str(&format!("  - {line}\n"));
            }
        }
        out
    }
}

/// Names in the order first met, each once.
#[derive(Debug, Default)]
struct Names {
    order: Vec<String>,
    seen: BTreeSet<String>,
}

impl Names {
    fn push(&mut self, name: &str) {
        if self.seen.insert(name.to_string()) {
            self.order.push(name.to_string());
        }
    }
}

fn shown(names: &[String]) -> String {
    let mut s = names.iter().take(NAMES_SHOWN).cloned().collect::<Vec<_>>().join(", ");
    if names.len() > NAMES_SHOWN {
        s.push_str(&format!(" and {} more", names.len() - NAMES_SHOWN));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn assumptions_are_grouped_by_key_and_reason_with_names_counted() {
        let mut r = Report::default();
        for i in 0..10 {
            r.assume("task_definitions[].startup_time", &format!("td{i}"), "ecsim's default");
        }
        r.assume("task_definitions[].startup_time", "td0", "ecsim's default");
        assert_eq!(
            r.assumptions(),
            vec![
                "task_definitions[].startup_time: ecsim's default (td0, td1, td2, td3, td4, td5, td6, td7 and 2 more)"
            ]
        );
        r.unmodelled("describe-services: services[].deploymentController", "web");
        assert!(r.render().contains(
            "AWS settings ecsim does not model (1):\n  - describe-services: services[].deploymentController (web)\n"
        ));
    }
}
