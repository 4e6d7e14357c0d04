//! docs/scenario-format.md against the files and the parser: every key the
//! reference scenario and sweep use is documented, every documented key is one
//! the parser knows, and every key the parser accepts is documented. The checks
//! on the parser read its source text, which is crude but catches a typo or a
//! key added without its documentation.

use ecsim::scenario::raw::TOP_LEVEL_KEYS;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use toml::{Table, Value};

const DOC: &str = include_str!("../../docs/scenario-format.md");
const RAW_RS: &str = include_str!("../../src/scenario/raw.rs");
const SWEEP_SPEC_RS: &str = include_str!("../../src/sweep/spec.rs");

/// Top-level tables of a sweep file; every other documented path is a scenario key.
const SWEEP_SECTIONS: [&str; 3] = ["sweep", "axes", "variants"];

fn repo_file(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(relative)
}

fn parse_table(path: &Path) -> Table {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    toml::from_str(&text).unwrap_or_else(|e| panic!("{} is not TOML: {e}", path.display()))
}

/// Every key path of a document in the documentation's form: arrays of tables
/// (inline or not) become `[]`; arrays of scalars, distributions and tables of
/// key paths (a sweep variant's `set`) are single values.
fn key_paths(doc: &Table) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    walk("", doc, &mut out);
    out
}

fn walk(prefix: &str, table: &Table, out: &mut BTreeSet<String>) {
    for (key, value) in table {
        let path = if prefix.is_empty() { key.clone() } else { format!("{prefix}.{key}") };
        match value {
            Value::Table(inner) if !is_single_value(inner) => walk(&path, inner, out),
            Value::Array(items) if !items.is_empty() && items.iter().all(Value::is_table) => {
                let element = format!("{path}[]");
                for item in items.iter().filter_map(Value::as_table) {
                    walk(&element, item, out);
                }
            }
            _ => {
                out.insert(path);
            }
        }
    }
}

/// A distribution (`{ dist = ... }`) is one value; so is a table whose keys are
/// key paths, since no scenario key contains '.' or '['.
fn is_single_value(table: &Table) -> bool {
    table.contains_key("dist") || table.keys().any(|k| k.contains(['.', '[']))
}

/// The paths in the first cell of the documentation's tables: a backquoted
/// dotted path such as `services[].workload.rate.peak_at`.
fn documented_paths() -> BTreeSet<String> {
    DOC.lines()
        .filter_map(|line| line.strip_prefix("| `"))
        .filter_map(|rest| rest.split_once('`').map(|(path, _)| path))
        .filter(|path| {
            path.contains('.')
                && path.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "_.[]".contains(c))
        })
        .map(str::to_string)
        .collect()
}

/// `services[].calls[].via` -> ["services", "calls", "via"].
fn segments(path: &str) -> Vec<&str> {
    path.split('.').map(|s| s.trim_end_matches("[]")).collect()
}

/// The paths that have no row of their own in the documentation's tables.
fn missing_from_doc(paths: &BTreeSet<String>) -> Vec<&str> {
    let documented = documented_paths();
    paths.iter().filter(|p| !documented.contains(*p)).map(String::as_str).collect()
}

#[test]
fn every_key_of_the_reference_scenario_is_documented() {
    let paths = key_paths(&parse_table(&repo_file("scenarios/reference.toml")));
    // The walk has the documented shape: arrays of tables, inline tables, distributions.
    for expected in [
        "simulation.duration",
        "region.availability_zones",
        "capacity_providers[].launch_time",
        "capacity_providers[].managed_scaling.target_capacity",
        "task_definitions[].port_mappings[].container_port",
        "services[].capacity_provider_strategy[].weight",
        "services[].workload.rate.peak_at",
        "services[].workload.spikes[].hold",
        "services[].auto_scaling.step_scaling[].steps[].adjustment",
        "scheduled_tasks[].duration",
    ] {
        assert!(paths.contains(expected), "the walk missed {expected}: {paths:#?}");
    }
    assert!(!paths.iter().any(|p| p.contains(".dist")), "distributions must be single values");
    let missing = missing_from_doc(&paths);
    assert!(
        missing.is_empty(),
        "docs/scenario-format.md does not document these keys of reference.toml:\n{missing:#?}"
    );
}

#[test]
fn every_key_of_the_reference_sweep_is_documented() {
    // The project keeps the shared reference sweep as a test fixture next to its scenario.
    let own = repo_file("scenarios/reference-sweep.toml");
    let file = if own.exists() { own } else { repo_file("tests/fixtures/sweep/reference-sweep.toml") };
    let paths = key_paths(&parse_table(&file));
    let expected: BTreeSet<String> = [
        "sweep.name",
        "sweep.scenario",
        "sweep.replications",
        "sweep.metrics",
        "axes[].key",
        "axes[].values",
        "variants[].name",
        "variants[].set",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    assert_eq!(paths, expected, "{}", file.display());
    let missing = missing_from_doc(&paths);
    assert!(missing.is_empty(), "docs/scenario-format.md does not document these sweep keys:\n{missing:#?}");
}

#[test]
fn every_documented_key_is_known_to_the_parser() {
    let paths = documented_paths();
    let mut unknown = Vec::new();
    for path in &paths {
        let segs = segments(path);
        let known = if SWEEP_SECTIONS.contains(&segs[0]) {
            segs.iter().all(|s| SWEEP_SPEC_RS.contains(&format!("{s}: ")))
        } else {
            TOP_LEVEL_KEYS.contains(&segs[0])
                && segs[1..]
                    .iter()
                    .all(|s| RAW_RS.contains(&format!("pub {s}: ")) || RAW_RS.contains(&format!("rename = \"{s}\"")))
        };
        if !known {
            unknown.push(path.as_str());
        }
    }
    assert!(unknown.is_empty(), "docs/scenario-format.md documents keys the parser does not have:\n{unknown:#?}");
    for expected in ["cloudwatch.metric_delay", "services[].workload.rate.peak_at", "variants[].set"] {
        assert!(paths.contains(expected), "the table reading missed {expected}; has the layout changed? {paths:#?}");
    }
}

/// Field names of the serde structs in raw.rs, under their file names (`rename`).
fn raw_field_names() -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let (mut derives_deserialize, mut in_struct, mut rename) = (false, false, None::<String>);
    for line in RAW_RS.lines().map(str::trim) {
        if line.starts_with("#[derive(") {
            derives_deserialize = line.contains("Deserialize");
        } else if line.starts_with("pub struct ") && line.ends_with('{') {
            in_struct = derives_deserialize;
        } else if line == "}" {
            in_struct = false;
        } else if let Some(r) = line.strip_prefix("#[serde(rename = \"") {
            rename = r.split_once('"').map(|(name, _)| name.to_string());
        } else if in_struct && let Some((field, _)) = line.strip_prefix("pub ").and_then(|f| f.split_once(':')) {
            names.insert(rename.take().unwrap_or_else(|| field.to_string()));
        }
    }
    names
}

#[test]
fn every_key_the_parser_accepts_is_documented() {
    let fields = raw_field_names();
    for expected in ["metric_delay", "peak_at", "type", "price_trace", "datapoints_to_alarm"] {
        assert!(fields.contains(expected), "raw.rs reading missed `{expected}`: {fields:?}");
    }
    let paths = documented_paths();
    let sections: BTreeSet<&str> = paths.iter().map(|p| segments(p)[0]).collect();
    let keys: BTreeSet<&str> = paths.iter().flat_map(|p| segments(p).into_iter().skip(1)).collect();
    let mut undocumented: Vec<String> =
        TOP_LEVEL_KEYS.iter().filter(|s| !sections.contains(*s)).map(|s| format!("[{s}]")).collect();
    undocumented.extend(fields.iter().filter(|f| !keys.contains(f.as_str())).cloned());
    assert!(
        undocumented.is_empty(),
        "raw.rs accepts keys docs/scenario-format.md does not document:\n{undocumented:#?}"
    );
}
