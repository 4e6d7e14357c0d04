//! The scenario as a tree of tables whose every value carries its origin, and
//! its rendering as commented TOML. Scalars come before sub-tables, as TOML
//! requires; arrays of tables are written as `[[a.b]]` so that each value of
//! a strategy item or a step gets its own comment.

use std::fmt::Write as _;

/// Where a value of the scenario comes from.
#[derive(Clone, Debug, PartialEq)]
pub enum Origin {
    /// Read from the export: command, file name, JSON path.
    Aws { command: &'static str, file: String, path: String },
    /// Computed from exported values or documented AWS defaults; says how.
    Derived(String),
    /// Not in the export: ecsim had to assume it; says what and why.
    Assumed(String),
}

impl Origin {
    pub fn comment(&self) -> String {
        match self {
            Origin::Aws { command, file, path } => format!("{command}: {path} ({file})"),
            Origin::Derived(how) => how.clone(),
            Origin::Assumed(why) => format!("ASSUMED: {why}"),
        }
    }
}

/// One line of a table: `key = value  # origin`, or a comment alone when
/// ecsim's default stands in for a value the export lacks.
#[derive(Clone, Debug)]
pub struct Entry {
    pub key: String,
    pub value: Option<String>,
    pub origin: Origin,
}

#[derive(Clone, Debug, Default)]
pub struct Table {
    pub entries: Vec<Entry>,
    pub children: Vec<(String, Child)>,
}

#[derive(Clone, Debug)]
pub enum Child {
    Table(Table),
    Array(Vec<Table>),
}

impl Table {
    pub fn set(&mut self, key: &str, value: String, origin: Origin) {
        self.entries.push(Entry { key: key.to_string(), value: Some(value), origin });
    }

    /// A comment line for a key left to ecsim's default.
    pub fn note(&mut self, key: &str, origin: Origin) {
        self.entries.push(Entry { key: key.to_string(), value: None, origin });
    }

    pub fn table(&mut self, name: &str, t: Table) {
        self.children.push((name.to_string(), Child::Table(t)));
    }

    pub fn array(&mut self, name: &str, items: Vec<Table>) {
        if !items.is_empty() {
            self.children.push((name.to_string(), Child::Array(items)));
        }
    }

    /// The rendered value of `key`, if set (for tests and cross-references).
    pub fn value(&self, key: &str) -> Option<&str> {
        self.entries.iter().find(|e| e.key == key).and_then(|e| e.value.as_deref())
    }

    pub fn is_empty(&self) -> bool {
        self.entries.iter().all(|e| e.value.is_none()) && self.children.is_empty()
    }
}

/// Renders a top-level table as TOML text.
pub fn render(root: &Table) -> String {
    let mut out = String::new();
    render_into(&mut out, "", root);
    out.trim_start_matches('\n').to_string()
}

fn render_into(out: &mut String, prefix: &str, t: &Table) {
    let width = t
        .entries
        .iter()
        .filter_map(|e| e.value.as_ref().map(|v| e.key.len() + 3 + v.len()))
        .filter(|&w| w <= 44)
        .max()
        .unwrap_or(0);
    for e in &t.entries {
        match &e.value {
            Some(v) => {
                let line = format!("{} = {v}", e.key);
                let _ = writeln!(out, "{line:<width$}  # {}", e.origin.comment());
            }
            None => {
                let _ = writeln!(out, "# {}: {}", e.key, e.origin.comment());
            }
        }
    }
    for (name, child) in &t.children {
        let path = if prefix.is_empty() { name.clone() } else { format!("{prefix}.{name}") };
        match child {
            Child::Table(sub) => {
                let _ = writeln!(out, "\n[{path}]");
                render_into(out, &path, sub);
            }
            Child::Array(items) => {
                for item in items {
                    let _ = writeln!(out, "\n[[{path}]]");
                    render_into(out, &path, item);
                }
            }
        }
    }
}

/// TOML string literal, escaped as TOML requires.
pub fn tv_str(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

/// A whole number (TOML refuses one above i64::MAX, which validation then reports).
pub fn tv_int(n: impl std::fmt::Display) -> String {
    n.to_string()
}

/// A number as TOML: whole numbers without a fraction, others in Rust's
/// shortest round-trip form (never an exponent, which TOML floats would need
/// written differently).
pub fn tv_num(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 { format!("{}", x as i64) } else { format!("{x}") }
}

pub fn tv_bool(b: bool) -> String {
    b.to_string()
}

/// A duration in whole seconds, as the scenario format writes it.
pub fn tv_secs(s: u64) -> String {
    format!("\"{s}s\"")
}

pub fn tv_str_array(items: &[String]) -> String {
    let parts: Vec<String> = items.iter().map(|s| tv_str(s)).collect();
    format!("[{}]", parts.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scalars_come_before_tables_and_arrays_repeat_their_header() {
        let mut root = Table::default();
        let mut svc = Table::default();
        svc.set("name", tv_str("web"), Origin::Derived("d".into()));
        let mut item = Table::default();
        item.set("weight", tv_int(1), Origin::Assumed("why".into()));
        svc.array("capacity_provider_strategy", vec![item.clone(), item]);
        root.array("services", vec![svc]);
        root.note("x", Origin::Assumed("default".into()));
        let text = render(&root);
        assert_eq!(
            text,
            "# x: ASSUMED: default\n\n[[services]]\nname = \"web\"  # d\n\n\
             [[services.capacity_provider_strategy]]\nweight = 1  # ASSUMED: why\n\n\
             [[services.capacity_provider_strategy]]\nweight = 1  # ASSUMED: why\n"
        );
        let parsed: toml::Table = toml::from_str(&text).unwrap();
        assert_eq!(parsed["services"][0]["capacity_provider_strategy"].as_array().unwrap().len(), 2);
    }

    #[test]
    fn numbers_and_strings_are_valid_toml() {
        assert_eq!(tv_num(60.0), "60");
        assert_eq!(tv_num(0.5), "0.5");
        assert_eq!(tv_num(-50.0), "-50");
        for s in ["a\"b", "it's", "tab\there", "x"] {
            let parsed: toml::Table = toml::from_str(&format!("k = {}", tv_str(s))).unwrap();
            assert_eq!(parsed["k"].as_str(), Some(s));
        }
        assert_eq!(tv_secs(30), "\"30s\"");
    }
}
