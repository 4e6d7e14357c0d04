//! `--set KEY=VALUE` on `run` and `sweep`: overrides applied to the
//! scenario's TOML document before it is checked, with the sweep's key paths
//! (`services[web].desired_count`) and a TOML value on the right.

use crate::scenario::{self, Diagnostics, Scenario};
use crate::sweep::{Assignment, SweepSpec};
use serde_json::Value;
use std::path::Path;

/// Loads a scenario with the overrides applied in order, so every check of
/// the scenario judges the result. Without overrides this is
/// [`scenario::load`], and the scenario's text is the file's.
pub fn load(path: &Path, set: &[String]) -> Result<Scenario, Diagnostics> {
    if set.is_empty() {
        return scenario::load(path);
    }
    let file = path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned());
    let mut header = vec![format!("{file} with overrides from the command line (its comments are not kept):")];
    header.extend(set.iter().map(|s| format!("  --set {s}")));
    scenario::load_edited(path, &header, |doc| {
        let mut problems = Vec::new();
        for text in set {
            let applied = Assignment::parse(text).and_then(|a| a.apply(doc));
            problems.extend(applied.err().map(|e| format!("--set {e}")));
        }
        problems
    })
}

/// Records the overrides in summary.json's provenance (`overrides`, as
/// given); without any the summary is left as it is, key for key.
pub fn record(summary: &mut Value, set: &[String]) {
    if !set.is_empty()
        && let Value::Object(map) = summary
    {
        map.insert("overrides".to_string(), Value::from(set.to_vec()));
    }
}

/// Refuses a `--set` on a key an axis or a variant of the sweep sets: that
/// would always win, and the override would silently do nothing.
pub fn check_not_swept(spec: &SweepSpec, set: &[String]) -> Result<(), String> {
    let axes = spec.axes.iter().enumerate().flat_map(|(i, a)| a.keys.iter().map(move |k| (k, format!("axes[{i}]"))));
    let variants =
        spec.variants.iter().flat_map(|v| v.set.iter().map(move |(k, _)| (k, format!("variant `{}`", v.name))));
    let swept: Vec<_> = axes.chain(variants).collect();
    for text in set {
        let assignment = Assignment::parse(text).map_err(|e| format!("--set {e}"))?;
        if let Some((_, by)) = swept.iter().find(|(key, _)| key.segments() == assignment.path.segments()) {
            return Err(format!(
                "--set `{text}`: {by} of the sweep sets the same key and would always win; \
                 drop the --set, or change the sweep file"
            ));
        }
    }
    Ok(())
}
