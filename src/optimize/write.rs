//! `best.json` and `trials.csv` of an optimize directory (the caller writes
//! them through the directory commit). Numbers print as everywhere else
//! (`fmt::fmt_f64`); an undefined figure is null in JSON, an empty cell in CSV.

use serde_json::{Map, Value as Json, json};

use super::search::{ELIMINATION_LEVEL, ETA, Outcome, Trial, assess};
use super::spec::OptimizeSpec;
use crate::sweep::Configuration;
use crate::sweep::stats::{mean, sample_sd};
use crate::sweep::write::value_cell;

/// The method, as best.json records it.
fn method() -> String {
    format!(
        "racing in objective order over common random numbers: every configuration once, then the cheapest open \
         one to {ETA}x its replications until it has them all; exclusions exact (a failed run, or a constraint \
         no remaining replication can bring back) or at one-sided {} Student t bounds",
        crate::fmt::fmt_f64(ELIMINATION_LEVEL)
    )
}

fn trial_of(outcome: &Outcome, configuration: usize) -> Option<&Trial> {
    outcome.trials.iter().find(|t| t.configuration == configuration)
}

/// The mean and sample sd of `metric` over a trial's successful runs.
fn statistics(trial: &Trial, metric: &str) -> (Option<f64>, Option<f64>) {
    let values: Vec<f64> = trial
        .runs
        .iter()
        .filter_map(|run| run.outcome.as_ref().ok().and_then(|f| f.get(metric).copied().flatten()))
        .collect();
    (mean(&values), sample_sd(&values))
}

fn number(value: Option<f64>) -> Json {
    value.filter(|v| v.is_finite()).map_or(Json::Null, Json::from)
}

/// best.json: the chosen configuration's values, objective, figures and
/// whether it meets every constraint, with how the search got there.
pub fn best_json(spec: &OptimizeSpec, configs: &[Configuration], outcome: &Outcome) -> Json {
    let problem = spec.problem();
    let config = &configs[outcome.best];
    let trial = trial_of(outcome, outcome.best);
    let runs = trial.map_or(&[][..], |t| &t.runs[..]);
    let assessment = assess(&problem, runs);
    let values: Map<String, Json> = config
        .axis_values
        .iter()
        .map(|(key, value)| (key.clone(), serde_json::to_value(value).unwrap_or(Json::Null)))
        .collect();
    let metrics: Map<String, Json> = spec
        .sweep
        .metrics
        .iter()
        .map(|metric| (metric.clone(), number(trial.and_then(|t| statistics(t, metric).0))))
        .collect();
    let constraints: Vec<Json> = spec
        .constraints
        .iter()
        .zip(&assessment.constraints)
        .map(|(constraint, judged)| {
            json!({
                "constraint": constraint.to_string(),
                "judged": number(judged.map(|(value, _)| value)),
                "relative_slack": number(judged.map(|(_, slack)| slack)),
                "holds": judged.is_some_and(|(_, slack)| slack >= 0.0),
            })
        })
        .collect();
    let binding = assessment.binding().map(|i| Json::from(spec.constraints[i].to_string()));
    json!({
        "name": spec.sweep.name,
        "values": values,
        "variant": config.variant,
        "configuration": config.index,
        "minimize": spec.minimize,
        "objective": number(assessment.objective),
        "metrics": metrics,
        "constraints": constraints,
        "binding": binding.unwrap_or(Json::Null),
        "confidence": number(spec.confidence),
        "feasible": assessment.feasible(),
        "replications": runs.len(),
        "runs": outcome.runs,
        "budget": spec.budget,
        "full_grid_runs": configs.len().saturating_mul(spec.sweep.replications as usize),
        "rounds": outcome.rounds,
        "resolved": outcome.resolved,
        "stopped": outcome.stopped,
        "method": method(),
    })
}

/// trials.csv: one row per configuration tried, in configuration order: its
/// values, replications, the round it was last run in, where it stood in the
/// race when the search stopped, whether it is feasible and chosen, mean and sd of every figure, and its binding constraint.
pub fn trials_csv(spec: &OptimizeSpec, configs: &[Configuration], outcome: &Outcome) -> std::io::Result<Vec<u8>> {
    let problem = spec.problem();
    let keys: Vec<&str> = spec.sweep.axes.iter().flat_map(|axis| axis.keys.iter().map(|k| k.as_str())).collect();
    let mut header: Vec<String> = ["configuration", "variant"].map(String::from).to_vec();
    header.extend(keys.iter().map(|k| k.to_string()));
    header.extend(["replications", "last_round", "status", "failed_runs", "feasible", "chosen"].map(String::from));
    for metric in &spec.sweep.metrics {
        header.extend([format!("{metric}.mean"), format!("{metric}.sd")]);
    }
    header.extend(["binding", "binding_judged", "binding_relative_slack"].map(String::from));
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(&header)?;
    let cell = |value: Option<f64>| value.filter(|v| v.is_finite()).map(crate::fmt::fmt_f64).unwrap_or_default();
    for trial in &outcome.trials {
        let config = &configs[trial.configuration];
        let assessment = assess(&problem, &trial.runs);
        let mut row = vec![config.index.to_string(), config.variant.clone()];
        row.extend(keys.iter().map(|key| {
            config.axis_values.iter().find(|(k, _)| k == key).map(|(_, v)| value_cell(v)).unwrap_or_default()
        }));
        let failed = trial.runs.iter().filter(|run| run.outcome.is_err()).count();
        row.extend([
            trial.runs.len().to_string(),
            trial.last_round.to_string(),
            trial.status.as_str().to_string(),
            failed.to_string(),
            assessment.feasible().to_string(),
            (trial.configuration == outcome.best).to_string(),
        ]);
        for metric in &spec.sweep.metrics {
            let (m, sd) = statistics(trial, metric);
            row.extend([cell(m), cell(sd)]);
        }
        let binding = assessment.binding();
        let judged = binding.and_then(|i| assessment.constraints[i]);
        row.extend([
            binding.map(|i| spec.constraints[i].to_string()).unwrap_or_default(),
            cell(judged.map(|(value, _)| value)),
            cell(judged.map(|(_, slack)| slack)),
        ]);
        writer.write_record(&row)?;
    }
    writer.into_inner().map_err(|e| std::io::Error::other(e.to_string()))
}
