//! Writes calibrated values into the scenario's own TOML text, keeping the
//! user's layout and comments (toml_edit edits the document in place): each
//! replaced value keeps its decoration, and a comment line above its key
//! gives the standard error and the old value.

use toml_edit::{Decor, DocumentMut, Item, Table, Value};

/// Comment lines this module writes start with this, so a second calibration
/// replaces them instead of piling up.
pub const MARK: &str = "# ecsim calibrate:";

/// New values for one service.
#[derive(Clone, Debug)]
pub struct Change {
    pub service: String,
    /// The value of `cpu_per_request`, a duration string ("5.002ms").
    pub cpu_per_request: String,
    pub cpu_per_request_comment: String,
    pub baseline_cpu_percent: f64,
    pub baseline_comment: String,
}

/// Applies `changes` to the scenario text; an error names what could not be found.
pub fn apply(source: &str, changes: &[Change]) -> Result<String, String> {
    let mut doc: DocumentMut = source.parse().map_err(|e| format!("the scenario is not valid TOML: {e}"))?;
    let services = doc
        .get_mut("services")
        .and_then(Item::as_array_of_tables_mut)
        .ok_or("the scenario's services are not written as [[services]] tables; write them so to calibrate")?;
    for c in changes {
        let table = services
            .iter_mut()
            .find(|t| t.get("name").and_then(Item::as_str) == Some(c.service.as_str()))
            .ok_or_else(|| format!("service {} is not a [[services]] table of the scenario", c.service))?;
        apply_to_service(table, c)?;
    }
    Ok(doc.to_string())
}

fn apply_to_service(service: &mut Table, c: &Change) -> Result<(), String> {
    let missing = || format!("services[{}].workload is not in the file; add [services.workload]", c.service);
    let (mut workload_key, workload) = service.get_key_value_mut("workload").ok_or_else(missing)?;
    match workload {
        Item::Table(t) => {
            set(t, "cpu_per_request", Value::from(c.cpu_per_request.as_str()), &c.cpu_per_request_comment);
            set(t, "baseline_cpu_percent", Value::from(c.baseline_cpu_percent), &c.baseline_comment);
        }
        Item::Value(Value::InlineTable(t)) => {
            // An inline table holds no comment: both go above `workload = { ... }`.
            if let Some(v) = replace_value(t.get_mut("cpu_per_request"), Value::from(c.cpu_per_request.as_str())) {
                t.insert("cpu_per_request", v);
            }
            if let Some(v) = replace_value(t.get_mut("baseline_cpu_percent"), Value::from(c.baseline_cpu_percent)) {
                t.insert("baseline_cpu_percent", v);
            }
            set_comments(workload_key.leaf_decor_mut(), &[&c.cpu_per_request_comment, &c.baseline_comment]);
        }
        _ => return Err(format!("services[{}].workload is not a table", c.service)),
    }
    Ok(())
}

/// Replaces `key`'s value in a standard table (keeping its decoration) or adds
/// it, with `comment` on the line above.
fn set(t: &mut Table, key: &str, new: Value, comment: &str) {
    match t.get_key_value_mut(key) {
        Some((mut k, item)) => {
            match item.as_value_mut() {
                Some(old) => {
                    replace_value(Some(old), new);
                }
                None => *item = Item::Value(new),
            }
            set_comments(k.leaf_decor_mut(), &[comment]);
        }
        None => {
            t.insert(key, Item::Value(new));
            if let Some(mut k) = t.key_mut(key) {
                set_comments(k.leaf_decor_mut(), &[comment]);
            }
        }
    }
}

/// Puts `new` in place of `old` with `old`'s decoration; gives `new` back when there is no `old`.
fn replace_value(old: Option<&mut Value>, mut new: Value) -> Option<Value> {
    let Some(old) = old else { return Some(new) };
    *new.decor_mut() = old.decor().clone();
    *old = new;
    None
}

/// Sets this module's comment lines just above a key, after the user's own
/// comments and with the key's indentation; earlier lines of this module go.
fn set_comments(decor: &mut Decor, comments: &[&str]) {
    let prefix = decor.prefix().and_then(|p| p.as_str()).unwrap_or("").to_string();
    let (before, indent) = match prefix.rfind('\n') {
        Some(i) => (&prefix[..=i], &prefix[i + 1..]),
        None => ("", prefix.as_str()),
    };
    let mut out: String =
        before.split_inclusive('\n').filter(|line| !line.trim_start().starts_with(MARK)).collect::<String>();
    for c in comments {
        out.push_str(indent);
        out.push_str(MARK);
        out.push(' ');
        out.push_str(c);
        out.push('\n');
    }
    out.push_str(indent);
    decor.set_prefix(out);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(service: &str) -> Change {
        Change {
            service: service.into(),
            cpu_per_request: "5.002ms".into(),
            cpu_per_request_comment: "± 0.010ms (standard error); was \"9ms\"".into(),
            baseline_cpu_percent: 4.1,
            baseline_comment: "± 0.2 (standard error); was 0".into(),
        }
    }

    #[test]
    fn values_are_replaced_and_every_user_comment_stays() {
        let src = "\
# my cluster
[[services]]
name = \"web\"  # the front end

[services.workload]
# measured in 2025
cpu_per_request = \"9ms\"   # guess
request_timeout = \"30s\"

[[services]]
name = \"api\"
workload = { cpu_per_request = \"2ms\", baseline_cpu_percent = 3 }
";
        let out = apply(src, &[change("web"), change("api")]).unwrap();
        let expected = "\
# my cluster
[[services]]
name = \"web\"  # the front end

[services.workload]
# measured in 2025
# ecsim calibrate: ± 0.010ms (standard error); was \"9ms\"
cpu_per_request = \"5.002ms\"   # guess
request_timeout = \"30s\"
# ecsim calibrate: ± 0.2 (standard error); was 0
baseline_cpu_percent = 4.1

[[services]]
name = \"api\"
# ecsim calibrate: ± 0.010ms (standard error); was \"9ms\"
# ecsim calibrate: ± 0.2 (standard error); was 0
workload = { cpu_per_request = \"5.002ms\", baseline_cpu_percent = 4.1 }
";
        assert_eq!(out, expected);
        // Calibrating again replaces this module's comments rather than adding more.
        let again = apply(&out, &[change("web"), change("api")]).unwrap();
        assert_eq!(again, expected);
    }

    #[test]
    fn a_missing_service_or_workload_is_an_error() {
        let src = "[[services]]\nname = \"web\"\n";
        assert!(apply(src, &[change("api")]).unwrap_err().contains("service api is not a [[services]] table"));
        assert!(apply(src, &[change("web")]).unwrap_err().contains("services[web].workload is not in the file"));
    }
}
