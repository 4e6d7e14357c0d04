//! Expansion of a sweep into configurations: every variant (outermost, in file
//! order) crossed with the cartesian product of the axes (the first axis varies
//! slowest). A configuration's scenario document is the base document with the
//! variant's overrides, then the axis values, applied ([`document`]).
//!
//! Every configuration's document is built once before anything runs, so
//! every override that cannot be applied is reported at once (a typo costs
//! one attempt, not one per configuration); the documents are then dropped
//! and built again when a run starts ([`document`]), so a sweep's memory does
//! not grow with the size of the scenario times the number of configurations.

use thiserror::Error;
use toml::{Table, Value};

use super::path::{PathError, get_path};
use super::spec::SweepSpec;

/// One grid point: a combination of axis values for one variant.
#[derive(Debug, Clone, PartialEq)]
pub struct Configuration {
    /// 0-based position in the grid (the `configuration` column).
    pub index: usize,
    pub variant: String,
    /// The axis keys as written in the sweep file, with this configuration's values.
    pub axis_values: Vec<(String, Value)>,
    /// The document's `simulation.seed`, when it is an integer (the `seed` column).
    pub seed: Option<i64>,
}

/// Overrides that cannot be applied, each with the configurations it breaks.
#[derive(Debug, Error)]
pub enum GridError {
    #[error(
        "{} override(s) of the sweep cannot be applied to the scenario:{}",
        .problems.len(),
        problem_lines(.problems, *.configurations)
    )]
    Overrides {
        problems: Vec<GridProblem>,
        /// Configurations in the grid, to put each problem's reach in proportion.
        configurations: usize,
    },
    #[error("the sweep grid is too large to enumerate ({variants} variant(s) times axes of lengths {lengths:?})")]
    TooLarge { variants: usize, lengths: Vec<usize> },
}

/// One failing override: which variant or axis, why, and where.
#[derive(Debug, Clone, PartialEq)]
pub struct GridProblem {
    /// `variant `name`` or `axes[i]`.
    pub source: String,
    pub error: PathError,
    /// Indices of the configurations it breaks, ascending.
    pub configurations: Vec<usize>,
}

fn problem_lines(problems: &[GridProblem], total: usize) -> String {
    problems
        .iter()
        .map(|problem| {
            format!(
                "\n  {}: {} (in {} of {total} configurations: {})",
                problem.source,
                problem.error,
                problem.configurations.len(),
                ranges(&problem.configurations)
            )
        })
        .collect()
}

/// `0, 2-5, 9`: ascending indices with consecutive runs collapsed.
fn ranges(indices: &[usize]) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut position = 0;
    while let Some(&start) = indices.get(position) {
        let mut end = start;
        while indices.get(position + 1) == Some(&(end + 1)) {
            end += 1;
            position += 1;
        }
        parts.push(if end == start { start.to_string() } else { format!("{start}-{end}") });
        position += 1;
    }
    parts.join(", ")
}

/// Configurations per variant (the product of the axis lengths), or too large.
fn per_variant(spec: &SweepSpec) -> Result<(usize, Vec<usize>), GridError> {
    let lengths: Vec<usize> = spec.axes.iter().map(|axis| axis.values.len()).collect();
    let too_large = || GridError::TooLarge { variants: spec.variants.len(), lengths: lengths.clone() };
    let per_variant =
        lengths.iter().try_fold(1_usize, |count, length| count.checked_mul(*length)).ok_or_else(too_large)?;
    per_variant.checked_mul(spec.variants.len()).ok_or_else(too_large)?;
    Ok((per_variant, lengths))
}

/// Builds every configuration of `spec` from the base scenario document
/// `base`, checking that every override applies; keeps only what each
/// configuration's rows need (its variant, axis values and seed).
pub fn expand(spec: &SweepSpec, base: &Table) -> Result<Vec<Configuration>, GridError> {
    let (per_variant, lengths) = per_variant(spec)?;
    let total = per_variant * spec.variants.len();
    let mut problems: Vec<GridProblem> = Vec::new();
    let mut configurations = Vec::with_capacity(total);
    for (variant_index, variant) in spec.variants.iter().enumerate() {
        let first = variant_index * per_variant;
        let mut variant_doc = base.clone();
        for (key, value) in &variant.set {
            // A failed set changes nothing, so the other overrides still apply.
            if let Err(error) = key.set(&mut variant_doc, value.clone()) {
                record(&mut problems, format!("variant `{}`", variant.name), error, first..first + per_variant);
            }
        }
        for combination in 0..per_variant {
            let index = first + combination;
            let mut doc = variant_doc.clone();
            let mut axis_values = Vec::with_capacity(spec.axes.len());
            for (axis_index, (axis, row)) in axis_rows(spec, combination, &lengths).enumerate() {
                let Some(row) = row else { continue };
                for (key, value) in axis.keys.iter().zip(row) {
                    if let Err(error) = key.set(&mut doc, value.clone()) {
                        record(&mut problems, format!("axes[{axis_index}]"), error, index..index + 1);
                    }
                    axis_values.push((key.as_str().to_string(), value.clone()));
                }
            }
            let seed = get_path(&doc, "simulation.seed").and_then(Value::as_integer);
            configurations.push(Configuration { index, variant: variant.name.clone(), axis_values, seed });
        }
    }
    if problems.is_empty() { Ok(configurations) } else { Err(GridError::Overrides { problems, configurations: total }) }
}

/// The scenario document of configuration `index` of `spec` over `base`: the
/// variant's overrides, then the axis values, applied, as [`expand`] checked
/// them. Built when the configuration's run starts.
pub fn document(spec: &SweepSpec, base: &Table, index: usize) -> Result<Table, GridError> {
    let (per_variant, lengths) = per_variant(spec)?;
    let mut doc = base.clone();
    let Some(variant) = spec.variants.get(index / per_variant.max(1)) else { return Ok(doc) };
    // Overrides that do not apply were reported by `expand`; here, as there, they change nothing.
    for (key, value) in &variant.set {
        let _ = key.set(&mut doc, value.clone());
    }
    for (axis, row) in axis_rows(spec, index % per_variant.max(1), &lengths) {
        for (key, value) in axis.keys.iter().zip(row.into_iter().flatten()) {
            let _ = key.set(&mut doc, value.clone());
        }
    }
    Ok(doc)
}

/// Each axis with its row of values (one per key) at the `combination`-th point of a variant.
fn axis_rows<'a>(
    spec: &'a SweepSpec,
    combination: usize,
    lengths: &[usize],
) -> impl Iterator<Item = (&'a super::spec::Axis, Option<&'a Vec<Value>>)> {
    spec.axes
        .iter()
        .zip(axis_value_indices(combination, lengths))
        .map(|(axis, value_index)| (axis, axis.values.get(value_index)))
}

/// The value index of each axis for the `combination`-th point of one variant,
/// in mixed radix with the last axis as the fastest digit.
fn axis_value_indices(mut combination: usize, lengths: &[usize]) -> Vec<usize> {
    let mut indices = vec![0; lengths.len()];
    for (slot, length) in indices.iter_mut().zip(lengths).rev() {
        if *length > 0 {
            *slot = combination % length;
            combination /= length;
        }
    }
    indices
}

/// Adds `configurations` to the problem with the same source and message, or
/// starts a new one, so one bad override is one line however many points it breaks.
fn record(problems: &mut Vec<GridProblem>, source: String, error: PathError, configurations: std::ops::Range<usize>) {
    match problems.iter_mut().find(|problem| problem.source == source && problem.error == error) {
        Some(problem) => problem.configurations.extend(configurations),
        None => problems.push(GridProblem { source, error, configurations: configurations.collect() }),
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::super::path::get_path;
    use super::super::spec::{load_sweep, load_toml_table, parse_sweep};
    use super::*;

    fn fixture(name: &str) -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sweep").join(name)
    }

    fn reference_grid() -> (SweepSpec, Table, Vec<Configuration>) {
        let spec = load_sweep(&fixture("reference-sweep.toml")).unwrap();
        let base = load_toml_table(&spec.scenario).unwrap();
        let grid = expand(&spec, &base).unwrap();
        (spec, base, grid)
    }

    const TARGET: &str = "services[web].auto_scaling.target_tracking[cpu60].target_value";
    const WEIGHT: &str = "services[web].capacity_provider_strategy[FARGATE_SPOT].weight";
    const DRAINING: &str = "capacity_providers[ec2-spot].enable_spot_draining";

    #[test]
    fn reference_sweep_expands_to_forty_configurations_in_order() {
        let (spec, base, grid) = reference_grid();
        assert_eq!(grid.len(), 40);
        assert!(grid.iter().enumerate().all(|(i, c)| c.index == i));
        // (index, variant, target value, spot weight, spot draining)
        let expected = [
            (0, "spot-draining", 40, 0, true),
            (1, "spot-draining", 40, 1, true),
            (3, "spot-draining", 40, 9, true),
            (4, "spot-draining", 50, 0, true),
            (10, "spot-draining", 60, 3, true),
            (19, "spot-draining", 80, 9, true),
            (20, "no-spot-draining", 40, 0, false),
            (27, "no-spot-draining", 50, 9, false),
            (39, "no-spot-draining", 80, 9, false),
        ];
        for (index, variant, target, weight, draining) in expected {
            let configuration = &grid[index];
            assert_eq!(configuration.variant, variant, "configuration {index}");
            assert_eq!(
                configuration.axis_values,
                [(TARGET.to_string(), Value::Integer(target)), (WEIGHT.to_string(), Value::Integer(weight)),]
            );
            assert_eq!(configuration.seed, Some(42));
            let doc = &document(&spec, &base, index).unwrap();
            assert_eq!(get_path(doc, TARGET), Some(&Value::Integer(target)));
            assert_eq!(get_path(doc, WEIGHT), Some(&Value::Integer(weight)));
            assert_eq!(get_path(doc, DRAINING), Some(&Value::Boolean(draining)));
            // Untouched neighbours keep the base values.
            assert_eq!(
                get_path(doc, "services[web].capacity_provider_strategy[FARGATE].weight"),
                Some(&Value::Integer(1))
            );
            assert_eq!(get_path(doc, "simulation.seed"), Some(&Value::Integer(42)));
        }
        let per_variant = grid.iter().filter(|c| c.variant == "spot-draining").count();
        assert_eq!(per_variant, 20);
    }

    #[test]
    fn every_broken_override_is_reported_before_anything_runs() {
        let text = r#"
[sweep]
name = "broken"
scenario = "reference.toml"

[[axes]]
key = "services[web].desired_count"
values = [2, 4]

[[axes]]
key = "services[web].capacity_provider_strategy[FARGATE_SPOT].weight"
values = [1, 3]

[[variants]]
name = "ok"

[[variants]]
name = "fargate-only"
set = { "services[web].capacity_provider_strategy" = [{ capacity_provider = "FARGATE", weight = 1 }], "services[wbe].desired_count" = 3 }
"#;
        let spec = parse_sweep(text, &fixture("broken.toml")).unwrap();
        let base = load_toml_table(&spec.scenario).unwrap();
        let error = expand(&spec, &base).unwrap_err();
        assert_eq!(
            error.to_string(),
            "2 override(s) of the sweep cannot be applied to the scenario:\n  \
             variant `fargate-only`: key path `services[wbe].desired_count`, at `[wbe]`: no \
             element of `services` is named `wbe`; names: `web`, `api`, `admin`; did you mean \
             `web`? (in 4 of 8 configurations: 4-7)\n  \
             axes[1]: key path `services[web].capacity_provider_strategy[FARGATE_SPOT].weight`, \
             at `[FARGATE_SPOT]`: no element of `services[web].capacity_provider_strategy` is \
             named `FARGATE_SPOT`; names: `FARGATE`; did you mean `FARGATE`? (in 4 of 8 \
             configurations: 4-7)"
        );
    }

    #[test]
    fn no_axes_gives_one_configuration_per_variant() {
        let text = "[sweep]\nname = \"n\"\nscenario = \"reference.toml\"\nreplications = 3\n";
        let spec = parse_sweep(text, &fixture("plain.toml")).unwrap();
        let base = load_toml_table(&spec.scenario).unwrap();
        let grid = expand(&spec, &base).unwrap();
        assert_eq!(grid.len(), 1);
        assert_eq!(grid[0].variant, "base");
        assert!(grid[0].axis_values.is_empty());
        assert_eq!(document(&spec, &base, 0).unwrap(), base);
    }

    #[test]
    fn mixed_radix_runs_the_last_axis_fastest() {
        assert_eq!(axis_value_indices(0, &[5, 4]), [0, 0]);
        assert_eq!(axis_value_indices(7, &[5, 4]), [1, 3]);
        assert_eq!(axis_value_indices(23, &[2, 3, 4]), [1, 2, 3]);
        assert_eq!(ranges(&[0, 2, 3, 4, 5, 9]), "0, 2-5, 9");
        assert_eq!(ranges(&[]), "");
    }
}
