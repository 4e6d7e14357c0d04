//! The sweep file: which scenario to vary, along which axes, in which variants,
//! how many replications, and which figures to summarise.
//!
//! ```toml
//! [sweep]
//! name = "web-target-vs-spot"
//! scenario = "reference.toml"      # relative to the sweep file
//! replications = 8                 # default 1
//! metrics = ["cost.total_usd"]     # default: cost, availability, p99 latency
//!
//! [[axes]]
//! key = "services[web].auto_scaling.target_tracking[cpu60].target_value"
//! values = [40, 60, 80]
//!
//! [[variants]]                     # optional; none = one variant named "base"
//! name = "no-spot-draining"
//! set = { "capacity_providers[ec2-spot].enable_spot_draining" = false }
//! ```
//!
//! The file is parsed into raw serde structs (unknown keys refused, with
//! line:column), then checked once into a [`SweepSpec`] whose key paths are
//! parsed; every problem is reported, each naming its axis or variant.

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use thiserror::Error;
use toml::{Spanned, Table, Value};

use super::path::KeyPath;
use crate::scenario::resolve::path_name_problem;

/// Figures summarised when the sweep file names none.
pub const DEFAULT_METRICS: [&str; 3] = ["cost.total_usd", "requests.availability", "latency.p99_ms"];

/// The single variant a sweep without `[[variants]]` runs.
pub const BASE_VARIANT: &str = "base";

/// Columns of runs.csv and summary.csv that an axis column may not shadow.
pub const RESERVED_COLUMNS: [&str; 7] = ["configuration", "variant", "replication", "seed", "status", "error", "runs"];

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSweepFile {
    sweep: RawSweep,
    #[serde(default)]
    axes: Vec<RawAxis>,
    #[serde(default)]
    variants: Vec<RawVariant>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSweep {
    name: Spanned<String>,
    scenario: Spanned<String>,
    #[serde(default = "default_replications")]
    replications: Spanned<u32>,
    #[serde(default = "default_metrics")]
    metrics: Spanned<Vec<Spanned<String>>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawAxis {
    #[serde(default)]
    pub(crate) key: Option<Spanned<String>>,
    /// Linked keys: every row of `values` sets all of them at once.
    #[serde(default)]
    pub(crate) keys: Option<Spanned<Vec<Spanned<String>>>>,
    #[serde(default)]
    pub(crate) values: Option<Spanned<Vec<Value>>>,
    /// `[lo, hi]`, integers, both included, every `step` (default 1).
    #[serde(default)]
    pub(crate) range: Option<Spanned<Vec<Value>>>,
    #[serde(default)]
    pub(crate) step: Option<Spanned<i64>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawVariant {
    name: Spanned<String>,
    #[serde(default = "empty_set")]
    set: Spanned<Table>,
}

/// Limits that keep a typo (an extra zero, a huge axis) from exhausting memory
/// or running for days: the scenario's own replication limit, and grids far
/// beyond what a chart or a table can show.
const MAX_REPLICATIONS: u32 = 10_000;
const MAX_CONFIGURATIONS: usize = 100_000;
const MAX_RUNS: usize = 1_000_000;

fn default_replications() -> Spanned<u32> {
    Spanned::new(0..0, 1)
}

fn empty_set() -> Spanned<Table> {
    Spanned::new(0..0, Table::new())
}

fn default_metrics() -> Spanned<Vec<Spanned<String>>> {
    let metrics = DEFAULT_METRICS.iter().map(|metric| Spanned::new(0..0, metric.to_string())).collect();
    Spanned::new(0..0, metrics)
}

/// A checked sweep: every key path parsed, every name unique, at least one variant.
#[derive(Debug, Clone, PartialEq)]
pub struct SweepSpec {
    pub name: String,
    /// The base scenario, resolved against the sweep file's directory.
    pub scenario: PathBuf,
    pub replications: u32,
    /// Dotted figure names summarised in summary.csv, in file order.
    pub metrics: Vec<String>,
    /// In file order; the first axis varies slowest.
    pub axes: Vec<Axis>,
    /// In file order; never empty (an implicit [`BASE_VARIANT`] when the file has none).
    pub variants: Vec<Variant>,
}

/// One swept key (or several linked keys) and the values it takes, in file order.
#[derive(Debug, Clone, PartialEq)]
pub struct Axis {
    /// One key, or linked keys that move together (`keys = [...]`).
    pub keys: Vec<KeyPath>,
    /// One row per point of the axis, one value per key.
    pub values: Vec<Vec<Value>>,
}

impl Axis {
    /// A single-key axis.
    pub fn single(key: KeyPath, values: Vec<Value>) -> Axis {
        Axis { keys: vec![key], values: values.into_iter().map(|value| vec![value]).collect() }
    }

    /// The keys as written, for messages: `a` or `a, b`.
    pub fn label(&self) -> String {
        let keys: Vec<&str> = self.keys.iter().map(KeyPath::as_str).collect();
        keys.join("`, `")
    }
}

/// A named set of overrides applied before the axis values.
#[derive(Debug, Clone, PartialEq)]
pub struct Variant {
    pub name: String,
    /// Applied in this order: sorted by key text, so a table is set before any
    /// key inside it (a prefix sorts first) and the result never depends on
    /// how the file orders its keys.
    pub set: Vec<(KeyPath, Value)>,
}

impl SweepSpec {
    /// Configurations in the grid: product of the axis lengths times the variants
    /// (saturating, so an absurd grid is reported as huge rather than wrapping).
    pub fn configuration_count(&self) -> usize {
        self.axes.iter().fold(self.variants.len(), |count, axis| count.saturating_mul(axis.values.len()))
    }

    /// Simulator runs: configurations times replications.
    pub fn run_count(&self) -> usize {
        let replications = usize::try_from(self.replications).unwrap_or(usize::MAX);
        self.configuration_count().saturating_mul(replications)
    }
}

/// A sweep or scenario file that cannot be read, parsed or accepted.
#[derive(Debug, Error)]
pub enum SpecError {
    #[error("cannot read {}: {io}", .file.display())]
    Read { file: PathBuf, io: std::io::Error },
    /// TOML syntax or schema (unknown key, wrong type), as `FILE:LINE:COL: message`.
    #[error("{}{}: {message}", .file.display(), line_column(*.location))]
    Parse { file: PathBuf, location: Option<(usize, usize)>, message: String },
    /// Every rule the file breaks, one per line.
    #[error("{}: invalid sweep ({} problem(s)):{}", .file.display(), .problems.len(), problem_lines(.file, .problems))]
    Invalid { file: PathBuf, problems: Vec<Problem> },
    /// The same, for an `ecsim optimize` file.
    #[error("{}: invalid optimize file ({} problem(s)):{}", .file.display(), .problems.len(), problem_lines(.file, .problems))]
    InvalidOptimize { file: PathBuf, problems: Vec<Problem> },
}

/// One broken rule, with the 1-based line and column of the offending value when known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub location: Option<(usize, usize)>,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

fn line_column(location: Option<(usize, usize)>) -> String {
    location.map(|(line, column)| format!(":{line}:{column}")).unwrap_or_default()
}

fn problem_lines(file: &Path, problems: &[Problem]) -> String {
    problems
        .iter()
        .map(|problem| format!("\n  {}{}: {}", file.display(), line_column(problem.location), problem.message))
        .collect()
}

/// 1-based line and column (in characters) of byte `offset` in `text`.
pub(crate) fn locate(text: &str, offset: usize) -> (usize, usize) {
    let mut end = offset.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let before = &text[..end];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |newline| newline + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

/// Reads and parses a sweep file; `scenario` is resolved against its directory.
pub fn load_sweep(file: &Path) -> Result<SweepSpec, SpecError> {
    let text = std::fs::read_to_string(file).map_err(|io| SpecError::Read { file: file.to_path_buf(), io })?;
    parse_sweep(&text, file)
}

/// Parses sweep text; `file` names it in errors and anchors the scenario path.
pub fn parse_sweep(text: &str, file: &Path) -> Result<SweepSpec, SpecError> {
    let raw: RawSweepFile = toml::from_str(text).map_err(|error| parse_error(text, file, &error))?;
    Checker { text, problems: Vec::new() }.check(raw, file)
}

/// Reads a TOML file (the base scenario) as a plain table for the overrides.
pub fn load_toml_table(file: &Path) -> Result<Table, SpecError> {
    let text = std::fs::read_to_string(file).map_err(|io| SpecError::Read { file: file.to_path_buf(), io })?;
    parse_toml_table(&text, file)
}

/// Parses TOML text as a plain table; errors carry `file` and line:column.
pub fn parse_toml_table(text: &str, file: &Path) -> Result<Table, SpecError> {
    toml::from_str(text).map_err(|error| parse_error(text, file, &error))
}

pub(crate) fn parse_error(text: &str, file: &Path, error: &toml::de::Error) -> SpecError {
    SpecError::Parse {
        file: file.to_path_buf(),
        location: error.span().map(|span| locate(text, span.start)),
        message: error.message().trim_end().to_string(),
    }
}

/// Collects every problem of a raw sweep before building the checked spec.
pub(crate) struct Checker<'a> {
    pub(crate) text: &'a str,
    pub(crate) problems: Vec<Problem>,
}

impl Checker<'_> {
    pub(crate) fn problem(&mut self, span: Range<usize>, message: String) {
        // Defaults carry an empty 0..0 span: they have no place in the file.
        let location = (span != (0..0)).then(|| locate(self.text, span.start));
        self.problems.push(Problem { location, message });
    }

    fn check(mut self, raw: RawSweepFile, file: &Path) -> Result<SweepSpec, SpecError> {
        let sweep = raw.sweep;
        if sweep.name.get_ref().trim().is_empty() {
            self.problem(
                sweep.name.span(),
                "sweep.name is empty; give the sweep a name, e.g. name = \"web-target\"".into(),
            );
        } else if let Some(problem) = path_name_problem(sweep.name.get_ref()) {
            self.problem(sweep.name.span(), format!("sweep.name: {problem}"));
        }
        if sweep.scenario.get_ref().trim().is_empty() {
            self.problem(
                sweep.scenario.span(),
                "sweep.scenario is empty; allowed: a scenario file path relative to the \
                 sweep file, e.g. scenario = \"reference.toml\""
                    .into(),
            );
        }
        let replications = *sweep.replications.get_ref();
        if replications == 0 || replications > MAX_REPLICATIONS {
            self.problem(
                sweep.replications.span(),
                format!("sweep.replications is {replications}; allowed: 1 to {MAX_REPLICATIONS}"),
            );
        }
        let metrics = self.check_metrics(sweep.metrics);
        let axes = self.check_axes(raw.axes);
        let variants = self.check_variants(raw.variants, &axes);
        // Refuse an absurd grid with its size, before anything is expanded or allocated.
        let configurations =
            axes.iter().fold(variants.len().max(1), |count: usize, axis| count.saturating_mul(axis.values.len()));
        let runs = configurations.saturating_mul(replications as usize);
        let replications_ok = (1..=MAX_REPLICATIONS).contains(&replications);
        if replications_ok && (configurations > MAX_CONFIGURATIONS || runs > MAX_RUNS) {
            self.problem(
                sweep.name.span(),
                format!(
                    "this sweep is too large: {configurations} configuration(s) × {replications} replication(s) = {runs} runs; allowed: at most {MAX_CONFIGURATIONS} configurations and {MAX_RUNS} runs (split it into several sweeps, or use fewer axis values)"
                ),
            );
        }

        if !self.problems.is_empty() {
            // File order reads best; the sort is stable, so one place keeps check order.
            self.problems.sort_by_key(|problem| problem.location);
            return Err(SpecError::Invalid { file: file.to_path_buf(), problems: self.problems });
        }
        let directory = file.parent().unwrap_or_else(|| Path::new(""));
        Ok(SweepSpec {
            name: sweep.name.into_inner(),
            scenario: directory.join(sweep.scenario.into_inner()),
            replications: sweep.replications.into_inner(),
            metrics,
            axes,
            variants,
        })
    }

    fn check_metrics(&mut self, metrics: Spanned<Vec<Spanned<String>>>) -> Vec<String> {
        if metrics.get_ref().is_empty() {
            self.problem(
                metrics.span(),
                format!(
                    "sweep.metrics is empty; list at least one dotted figure name, or omit \
                     it for the default {DEFAULT_METRICS:?}"
                ),
            );
        }
        let metrics: Vec<(Range<usize>, String)> =
            metrics.into_inner().into_iter().map(|metric| (metric.span(), metric.into_inner())).collect();
        let mut checked = Vec::new();
        for (position, (span, name)) in metrics.iter().enumerate() {
            if name.is_empty() || name.split('.').any(str::is_empty) || name.contains(['[', ']']) {
                self.problem(
                    span.clone(),
                    format!(
                        "sweep.metrics[{position}] `{name}` is not a figure name; allowed: the \
                         dotted name of a summary.json figure, e.g. \"latency.p99_ms\" or \
                         \"services.web.cost_usd\""
                    ),
                );
            } else if let Some(first) = metrics[..position].iter().position(|(_, earlier)| earlier == name) {
                self.problem(
                    span.clone(),
                    format!(
                        "sweep.metrics[{position}] `{name}` repeats sweep.metrics[{first}]; \
                         list each metric once"
                    ),
                );
            } else {
                checked.push(name.clone());
            }
        }
        checked
    }

    pub(crate) fn check_variants(&mut self, raw_variants: Vec<RawVariant>, axes: &[Axis]) -> Vec<Variant> {
        if raw_variants.is_empty() {
            return vec![Variant { name: BASE_VARIANT.to_string(), set: Vec::new() }];
        }
        let mut variants: Vec<Variant> = Vec::new();
        let mut names: Vec<String> = Vec::new();
        for (index, raw) in raw_variants.into_iter().enumerate() {
            let name_span = raw.name.span();
            let name = raw.name.into_inner();
            let label = format!("variants[{index}] (`{name}`)");
            if name.trim().is_empty() {
                self.problem(
                    name_span.clone(),
                    format!("variants[{index}]: name is empty; give every variant a unique name"),
                );
            } else if let Some(problem) = path_name_problem(&name) {
                // Each variant names a directory of `--keep-runs`.
                self.problem(name_span, format!("variants[{index}].name: {problem}"));
            } else if let Some(first) = names.iter().position(|earlier| *earlier == name) {
                self.problem(
                    name_span,
                    format!("{label}: same name as variants[{first}]; variant names must be unique"),
                );
            }
            names.push(name.clone());

            let set_span = raw.set.span();
            let mut set = Vec::new();
            for (key_text, value) in raw.set.into_inner() {
                let key = match KeyPath::parse(&key_text) {
                    Ok(key) => key,
                    Err(error) => {
                        self.problem(set_span.clone(), format!("{label}: set key `{key_text}`: {}", error.kind));
                        continue;
                    }
                };
                if key.segments().len() == 1 && value.is_table() {
                    // `set = { simulation.seed = 7 }` (unquoted) is TOML for
                    // `{ simulation = { seed = 7 } }`, which would replace the whole
                    // [simulation] table: almost surely not what was meant.
                    self.problem(
                        set_span.clone(),
                        format!(
                            "{label}: set key `{key_text}` would replace the whole \
                             [{key_text}] table; quote dotted keys so they are read as one \
                             path, e.g. set = {{ \"{key_text}.key\" = value }}"
                        ),
                    );
                    continue;
                }
                if let Some(axis_index) = axes.iter().position(|axis| axis.keys.iter().any(|k| same_target(k, &key))) {
                    self.problem(
                        set_span.clone(),
                        format!(
                            "{label}: sets `{key_text}`, which axes[{axis_index}] also sets; \
                             the axis value would always win, so set it in one place only"
                        ),
                    );
                    continue;
                }
                set.push((key, value));
            }
            variants.push(Variant { name, set });
        }
        variants
    }
}

/// Two paths with the same segments. (`services[web]` and `services[0]` may name
/// the same element too, but only the scenario can tell; the grid then applies
/// the later one last.)
pub(crate) fn same_target(left: &KeyPath, right: &KeyPath) -> bool {
    left.segments() == right.segments()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture_dir() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sweep")
    }

    fn invalid(text: &str) -> String {
        match parse_sweep(text, Path::new("w.toml")) {
            Ok(spec) => panic!("should be refused, got {spec:?}"),
            Err(error) => error.to_string(),
        }
    }

    #[test]
    fn accepts_the_reference_sweep_as_is() {
        let file = fixture_dir().join("reference-sweep.toml");
        let spec = load_sweep(&file).unwrap();
        assert_eq!(spec.name, "web-target-vs-spot");
        assert_eq!(spec.scenario, fixture_dir().join("reference.toml"));
        assert_eq!(spec.replications, 8);
        assert_eq!(spec.metrics, ["cost.total_usd", "requests.availability", "latency.p99_ms"]);
        let keys: Vec<String> = spec.axes.iter().map(Axis::label).collect();
        assert_eq!(
            keys,
            [
                "services[web].auto_scaling.target_tracking[cpu60].target_value",
                "services[web].capacity_provider_strategy[FARGATE_SPOT].weight",
            ]
        );
        let integers = |values: &[i64]| values.iter().map(|v| vec![Value::Integer(*v)]).collect::<Vec<_>>();
        assert_eq!(spec.axes[0].values, integers(&[40, 50, 60, 70, 80]));
        assert_eq!(spec.axes[1].values, integers(&[0, 1, 3, 9]));
        assert_eq!(spec.variants.len(), 2);
        assert_eq!(spec.variants[0].name, "spot-draining");
        assert!(spec.variants[0].set.is_empty());
        assert_eq!(spec.variants[1].name, "no-spot-draining");
        assert_eq!(spec.variants[1].set.len(), 1);
        assert_eq!(spec.variants[1].set[0].0.as_str(), "capacity_providers[ec2-spot].enable_spot_draining");
        assert_eq!(spec.variants[1].set[0].1, Value::Boolean(false));
        assert_eq!(spec.configuration_count(), 40);
        assert_eq!(spec.run_count(), 320);
    }

    #[test]
    fn applies_defaults() {
        let spec =
            parse_sweep("[sweep]\nname = \"n\"\nscenario = \"../s.toml\"\n", Path::new("sweeps/w.toml")).unwrap();
        assert_eq!(spec.scenario, Path::new("sweeps/../s.toml"));
        assert_eq!(spec.replications, 1);
        assert_eq!(spec.metrics, DEFAULT_METRICS);
        assert!(spec.axes.is_empty());
        assert_eq!(spec.variants, [Variant { name: "base".into(), set: Vec::new() }]);
        assert_eq!(spec.configuration_count(), 1);
    }

    #[test]
    fn absurd_sizes_are_refused_with_the_count_before_anything_is_expanded() {
        let head = "[sweep]\nname = \"n\"\nscenario = \"s.toml\"\n";
        assert_eq!(
            invalid(&format!("{head}replications = 1000000000\n")),
            "w.toml: invalid sweep (1 problem(s)):\n  w.toml:4:16: sweep.replications is 1000000000; allowed: 1 to 10000"
        );
        // 3000 × 3000 values: nine million configurations, refused without building them.
        let values: Vec<String> = (0..3000).map(|v| v.to_string()).collect();
        let axes = format!(
            "[[axes]]\nkey = \"simulation.seed\"\nvalues = [{0}]\n[[axes]]\nkey = \"a.b\"\nvalues = [{0}]\n",
            values.join(",")
        );
        let message = invalid(&format!("{head}{axes}"));
        assert!(
            message.contains(
                "w.toml:2:8: this sweep is too large: 9000000 configuration(s) × 1 replication(s) = 9000000 runs"
            ),
            "{message}"
        );
        // At the limit it is accepted: 1000 configurations × 1000 replications.
        let thousand: Vec<String> = (0..1000).map(|v| v.to_string()).collect();
        let ok = format!(
            "{head}replications = 1000\n[[axes]]\nkey = \"simulation.seed\"\nvalues = [{}]\n",
            thousand.join(",")
        );
        assert_eq!(parse_sweep(&ok, Path::new("w.toml")).map(|s| s.run_count()).ok(), Some(1_000_000));
    }

    #[test]
    fn parse_errors_carry_file_line_and_column() {
        assert_eq!(
            invalid("[sweep]\nname = \"n\"\nscenario = \"s.toml\"\nreplication = 3\n"),
            "w.toml:4:1: unknown field `replication`, expected one of `name`, `scenario`, \
             `replications`, `metrics`"
        );
        assert_eq!(
            invalid("[sweep]\nname = \"n\"\nscenario = \"s.toml\"\nreplications = -2\n"),
            "w.toml:4:16: invalid value: integer `-2`, expected u32"
        );
        assert_eq!(
            invalid("[sweep]\nname = \"n\"\nscenario = \"s.toml\"\n[[axes]]\nkey = \"a\"\nvalues = [1,\n"),
            "w.toml:6:13: unclosed array, expected `]`"
        );
    }

    #[test]
    fn reports_every_problem_naming_the_axis_or_variant() {
        let text = r#"[sweep]
name = "n"
scenario = "s.toml"
replications = 0
metrics = ["cost.total_usd", "latency..p99", "cost.total_usd"]

[[axes]]
key = "services[web].desired_count"
values = []

[[axes]]
key = "services[web.x"
values = [1]

[[axes]]
key = "services[web].desired_count"
values = [2, 3, 2]

[[variants]]
name = "a"
set = { simulation.seed = 7 }

[[variants]]
name = "a"
set = { "services[web].desired_count" = 1, "x..y" = 2 }
"#;
        let expected = "w.toml: invalid sweep (11 problem(s)):
  w.toml:4:16: sweep.replications is 0; allowed: 1 to 10000
  w.toml:5:30: sweep.metrics[1] `latency..p99` is not a figure name; allowed: the dotted name of a summary.json figure, e.g. \"latency.p99_ms\" or \"services.web.cost_usd\"
  w.toml:5:46: sweep.metrics[2] `cost.total_usd` repeats sweep.metrics[0]; list each metric once
  w.toml:9:10: axes[0] (`services[web].desired_count`): values is empty; allowed: a non-empty array, e.g. values = [40, 60]
  w.toml:12:7: axes[1] (`services[web.x`): key: '[' is not closed; a selector is `[name]` or `[index]`, e.g. `services[web]`
  w.toml:16:7: axes[2] (`services[web].desired_count`): sets the same key as axes[0]; one key may be swept by one axis only (put all its values in one axis)
  w.toml:17:10: axes[2] (`services[web].desired_count`): value 2 is listed twice (positions 0 and 2); each value makes its own configurations, list it once
  w.toml:21:7: variants[0] (`a`): set key `simulation` would replace the whole [simulation] table; quote dotted keys so they are read as one path, e.g. set = { \"simulation.key\" = value }
  w.toml:24:8: variants[1] (`a`): same name as variants[0]; variant names must be unique
  w.toml:25:7: variants[1] (`a`): sets `services[web].desired_count`, which axes[0] also sets; the axis value would always win, so set it in one place only
  w.toml:25:7: variants[1] (`a`): set key `x..y`: empty key; keys are separated by a single '.', e.g. `simulation.seed`";
        assert_eq!(invalid(text), expected);
    }

    #[test]
    fn refuses_empty_names_and_output_column_keys() {
        let text = "[sweep]\nname = \" \"\nscenario = \"\"\nmetrics = []\n\
                    [[axes]]\nkey = \"seed\"\nvalues = [1]\n[[variants]]\nname = \"\"\n";
        let expected = "w.toml: invalid sweep (5 problem(s)):
  w.toml:2:8: sweep.name is empty; give the sweep a name, e.g. name = \"web-target\"
  w.toml:3:12: sweep.scenario is empty; allowed: a scenario file path relative to the sweep file, e.g. scenario = \"reference.toml\"
  w.toml:4:11: sweep.metrics is empty; list at least one dotted figure name, or omit it for the default [\"cost.total_usd\", \"requests.availability\", \"latency.p99_ms\"]
  w.toml:6:7: axes[0] (`seed`): `seed` is an output column, not a scenario key; allowed: a path into the scenario such as `simulation.seed`
  w.toml:9:8: variants[0]: name is empty; give every variant a unique name";
        assert_eq!(invalid(text), expected);
    }

    #[test]
    fn refuses_names_that_would_leave_the_output_directory() {
        let text = "[sweep]\nname = \"../../x\"\nscenario = \"s.toml\"\n\
                    [[variants]]\nname = \"../../../escaped\"\n[[variants]]\nname = \"/abs\"\n[[variants]]\nname = \"..\"\n";
        let allowed = "(it names a directory of results); allowed: a non-empty name of at most 200 bytes \
                       without '/', '\\', control characters or surrounding spaces, other than \".\" and \"..\"";
        let expected = format!(
            "w.toml: invalid sweep (4 problem(s)):
  w.toml:2:8: sweep.name: \"../../x\" cannot be a directory name {allowed}
  w.toml:5:8: variants[0].name: \"../../../escaped\" cannot be a directory name {allowed}
  w.toml:7:8: variants[1].name: \"/abs\" cannot be a directory name {allowed}
  w.toml:9:8: variants[2].name: \"..\" cannot be a directory name {allowed}"
        );
        assert_eq!(invalid(text), expected);
    }

    #[test]
    fn scenario_parse_errors_carry_line_and_column() {
        let error = parse_toml_table("[simulation]\nseed = 4x\n", Path::new("s.toml")).unwrap_err();
        let text = error.to_string();
        assert!(text.starts_with("s.toml:2:"), "{text}");
    }
}
