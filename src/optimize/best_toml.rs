//! `best.toml`: the scenario file as the user wrote it, comments and order
//! kept, with only the keys the chosen configuration sets changed (toml_edit
//! edits the text in place). Each change follows the same concrete path the
//! sweep's own edit follows ([`KeyPath::steps`]), and the result is checked
//! to mean exactly the document the configuration ran.

use toml_edit::{DocumentMut, Item};

use crate::sweep::{Assignment, Step};

/// `original` with `assignments` applied in order (the `--set` overrides, the
/// variant's, the axis values), below `header` as comment lines that also
/// list each change and the value it replaced.
pub fn edit_scenario(original: &str, assignments: &[Assignment], header: &[String]) -> Result<String, String> {
    let mut plain: toml::Table = original.parse().map_err(|e| format!("the scenario is not valid TOML: {e}"))?;
    let mut doc: DocumentMut = original.parse().map_err(|e| format!("the scenario is not valid TOML: {e}"))?;
    let mut changes = Vec::new();
    for assignment in assignments {
        let steps = assignment.path.steps(&plain).map_err(|e| format!("`{}`: {e}", assignment.text))?;
        let was = crate::sweep::get_path(&plain, assignment.path.as_str()).map(|v| v.to_string());
        assignment.path.set(&mut plain, assignment.value.clone()).map_err(|e| format!("`{}`: {e}", assignment.text))?;
        for concrete in &steps {
            set(&mut doc, concrete, &assignment.value).map_err(|e| format!("`{}`: {e}", assignment.text))?;
        }
        let was = match was {
            None => "not in the file".to_string(),
            Some(v) if v == assignment.value.to_string() => "unchanged".to_string(),
            Some(v) => format!("was {v}"),
        };
        changes.push(format!("  {} = {} ({was})", assignment.path, assignment.value));
    }
    let body = doc.to_string();
    // The text must say what the configuration ran, key for key.
    let reread: toml::Table = body.parse().map_err(|e| format!("the edited scenario is not valid TOML: {e}"))?;
    if reread != plain {
        return Err("the edited scenario does not match the configuration's document".to_string());
    }
    let mut text = String::new();
    for line in header.iter().chain(&changes) {
        text.push_str("# ");
        text.push_str(&line.replace('\n', "\\n").replace('\r', "\\r"));
        text.push('\n');
    }
    text.push('\n');
    text.push_str(&body);
    Ok(text)
}

/// Puts `value` at `steps` in the document, keeping the old value's decoration
/// (spaces and a trailing comment); a missing key on the way becomes a table.
fn set(doc: &mut DocumentMut, steps: &[Step], value: &toml::Value) -> Result<(), String> {
    let mut new: toml_edit::Value =
        value.to_string().parse().map_err(|e| format!("cannot write the value {value} as TOML: {e}"))?;
    let mut item: &mut Item = doc.as_item_mut();
    for step in steps {
        let next = match step {
            Step::Key(key) => item.get_mut(key.as_str()),
            Step::Index(index) => item.get_mut(*index),
        };
        item = next.ok_or_else(|| format!("cannot follow the path at `{}`", describe(step)))?;
    }
    if let Some(old) = item.as_value() {
        *new.decor_mut() = old.decor().clone();
    }
    *item = Item::Value(new);
    Ok(())
}

fn describe(step: &Step) -> String {
    match step {
        Step::Key(key) => key.clone(),
        Step::Index(index) => format!("[{index}]"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assignments(texts: &[&str]) -> Vec<Assignment> {
        texts.iter().map(|t| Assignment::parse(t).unwrap()).collect()
    }

    #[test]
    fn only_the_chosen_keys_change_and_every_comment_stays() {
        let original = "\
# my scenario
[simulation]
seed = 5  # the seed

[[services]]
name = \"web\"
capacity_provider_strategy = [{ capacity_provider = \"ec2\", weight = 1 }]
# scaling
[[services.auto_scaling.target_tracking]]
name = \"cpu\"
target_value = 60   # percent

[[services]]
name = \"api\"
desired_count = 2
";
        let set = assignments(&[
            "services[web].auto_scaling.target_tracking[cpu].target_value=70",
            "services[web].capacity_provider_strategy=[{ capacity_provider = \"FARGATE\", weight = 1 }]",
            "services[*].desired_count=3",
        ]);
        let text = edit_scenario(original, &set, &["chosen: configuration 8".to_string()]).unwrap();
        let expected = "\
# chosen: configuration 8
#   services[web].auto_scaling.target_tracking[cpu].target_value = 70 (was 60)
#   services[web].capacity_provider_strategy = [{ capacity_provider = \"FARGATE\", weight = 1 }] (was [{ capacity_provider = \"ec2\", weight = 1 }])
#   services[*].desired_count = 3 (not in the file)

# my scenario
[simulation]
seed = 5  # the seed

[[services]]
name = \"web\"
capacity_provider_strategy = [{ capacity_provider = \"FARGATE\", weight = 1 }]
desired_count = 3
# scaling
[[services.auto_scaling.target_tracking]]
name = \"cpu\"
target_value = 70   # percent

[[services]]
name = \"api\"
desired_count = 3
";
        assert_eq!(text, expected);
    }

    #[test]
    fn a_path_that_cannot_be_followed_is_an_error() {
        let error = edit_scenario("[simulation]\nseed = 5\n", &assignments(&["services[web].x=1"]), &[]).unwrap_err();
        assert!(error.starts_with("`services[web].x=1`: key path"), "{error}");
    }
}
