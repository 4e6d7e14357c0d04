//! Writes calibrated values into the scenario's own TOML text, keeping the
//! user's layout and comments (toml_edit edits the document in place): each
//! replaced value keeps its decoration, and a comment line above its key
//! gives the standard error and the old value.

use std::path::Path;

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

/// Rewrites every relative `trace = "..."` path of the scenario text so that,
/// read from `to` (the directory the copy is written to), it names the same
/// file as it did read from `from` (the original's directory): the copy runs
/// where it is written. Paths stay relative when both directories resolve;
/// decoration (comments) is kept.
pub fn relocate_traces(source: &str, from: &Path, to: &Path) -> Result<String, String> {
    let mut doc: DocumentMut = source.parse().map_err(|e| format!("the scenario is not valid TOML: {e}"))?;
    let mut moved = |text: &str| -> Option<String> {
        let path = Path::new(text);
        if path.is_absolute() {
            return None;
        }
        Some(relative_to(&from.join(path), to).to_string_lossy().into_owned())
    };
    relocate_table(doc.as_table_mut(), &mut moved);
    Ok(doc.to_string())
}

fn relocate_table(table: &mut Table, moved: &mut dyn FnMut(&str) -> Option<String>) {
    for (key, item) in table.iter_mut() {
        relocate_item(key.get() == "trace", item, moved);
    }
}

fn relocate_item(is_trace: bool, item: &mut Item, moved: &mut dyn FnMut(&str) -> Option<String>) {
    match item {
        Item::Table(t) => relocate_table(t, moved),
        Item::ArrayOfTables(a) => a.iter_mut().for_each(|t| relocate_table(t, moved)),
        Item::Value(v) => relocate_value(is_trace, v, moved),
        Item::None => {}
    }
}

fn relocate_value(is_trace: bool, value: &mut Value, moved: &mut dyn FnMut(&str) -> Option<String>) {
    match value {
        Value::String(s) if is_trace => {
            if let Some(new) = moved(s.value()) {
                let decor = s.decor().clone();
                *value = Value::from(new);
                *value.decor_mut() = decor;
            }
        }
        Value::InlineTable(t) => {
            for (key, v) in t.iter_mut() {
                relocate_value(key.get() == "trace", v, moved);
            }
        }
        Value::Array(a) => a.iter_mut().for_each(|v| relocate_value(false, v, moved)),
        _ => {}
    }
}

/// `target` written relative to the directory `base` ("../traces/web.csv"),
/// or absolute when either cannot be resolved.
fn relative_to(target: &Path, base: &Path) -> std::path::PathBuf {
    let absolute = |p: &Path| std::path::absolute(p).ok();
    let (Some(target), Some(base)) = (absolute(target), absolute(base)) else { return target.to_path_buf() };
    let (t, b): (Vec<_>, Vec<_>) = (target.components().collect(), base.components().collect());
    let common = t.iter().zip(&b).take_while(|(x, y)| x == y).count();
    if common == 0 {
        return target;
    }
    let mut out = std::path::PathBuf::new();
    for _ in common..b.len() {
        out.push("..");
    }
    t[common..].iter().for_each(|c| out.push(c));
    out
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

    #[test]
    fn relative_traces_follow_the_copy() {
        let text = "[[services]]\nname = \"web\"\n[services.workload]\n\
                    rate = { trace = \"traces/web.csv\", scale = 1.0 }  # kept\n\
                    [[services]]\nname = \"api\"\n[services.workload.rate]\ntrace = \"/abs/api.csv\"\n";
        let moved = relocate_traces(text, Path::new("/work/s"), Path::new("/work/s/calibrated")).unwrap();
        assert!(moved.contains("rate = { trace = \"../traces/web.csv\", scale = 1.0 }  # kept\n"), "{moved}");
        assert!(moved.contains("trace = \"/abs/api.csv\"\n"), "{moved}");
        assert_eq!(relative_to(Path::new("/a/b/t.csv"), Path::new("/a/c/d")), Path::new("../../b/t.csv"));
    }
}
