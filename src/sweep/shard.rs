//! Splitting a sweep into shards that other machines run (AWS Batch array
//! jobs, Kubernetes Indexed Jobs), and merging their rows back into the
//! files one machine would have written.
//!
//! A sweep's runs are its (configuration, replication) pairs in input order.
//! Shard K of N takes the pairs at positions K, K + N, K + 2N, …: round robin
//! gives every shard the same number of runs (±1) and, when N divides the
//! replications, the same runs of every configuration, so slow and fast
//! configurations are spread evenly. Each shard writes its finished rows in
//! the `runs.csv` format with a `shard.json` manifest; the merge checks that
//! the shards belong to the same sweep and together hold every run exactly
//! once, then writes `runs.csv` and `summary.csv` through the same writers as
//! an unsharded sweep, which is why the bytes are identical.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::exec::RunRecord;
pub use super::exec::{RunKey, all_runs};
use super::figure_row::{FigureNames, Figures};
use super::spec::SweepSpec;
use crate::model::RunError;

/// Environment variables that carry a shard's index with `--shard auto/N`:
/// AWS Batch array jobs and Kubernetes Indexed Jobs, in that order.
pub const INDEX_VARIABLES: [&str; 2] = ["AWS_BATCH_JOB_ARRAY_INDEX", "JOB_COMPLETION_INDEX"];

/// The most shards a sweep may be split into: AWS Batch's largest array job
/// (10,000 children) and far more than any Kubernetes Job runs at once.
pub const MAX_SHARDS: usize = 10_000;

/// The manifest's file name in a shard directory.
pub const MANIFEST: &str = "shard.json";

/// One share of a sweep: the pairs at positions `index`, `index + count`, …
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub index: usize,
    pub count: usize,
}

#[derive(Debug, Error, PartialEq)]
pub enum ShardError {
    #[error("--shard {given:?}: expected K/N (K from 0 to N-1, N from 1 to {MAX_SHARDS}), or auto/N")]
    Syntax { given: String },
    #[error("--shard {given:?}: K must be below N ({count})")]
    IndexTooLarge { given: String, count: usize },
    #[error("--shard auto/{count}: neither {} is set", INDEX_VARIABLES.join(" nor "))]
    NoIndexVariable { count: usize },
    #[error("--shard auto/{count}: {variable}={value:?} is not a whole number below {count}")]
    BadIndexVariable { count: usize, variable: &'static str, value: String },
}

impl Shard {
    /// Parses `K/N`, or `auto/N` with K read by `lookup` from the first of
    /// [`INDEX_VARIABLES`] that is set (the process environment in the CLI).
    pub fn parse(given: &str, lookup: impl Fn(&str) -> Option<String>) -> Result<Shard, ShardError> {
        let syntax = || ShardError::Syntax { given: given.to_string() };
        let (index, count) = given.split_once('/').ok_or_else(syntax)?;
        let count: usize = count.trim().parse().map_err(|_| syntax())?;
        if count == 0 || count > MAX_SHARDS {
            return Err(syntax());
        }
        let index = if index.trim() == "auto" {
            let (variable, value) = INDEX_VARIABLES
                .iter()
                .find_map(|&variable| lookup(variable).map(|value| (variable, value)))
                .ok_or(ShardError::NoIndexVariable { count })?;
            match value.trim().parse::<usize>() {
                Ok(index) if index < count => index,
                _ => return Err(ShardError::BadIndexVariable { count, variable, value }),
            }
        } else {
            index.trim().parse().map_err(|_| syntax())?
        };
        if index >= count {
            return Err(ShardError::IndexTooLarge { given: given.to_string(), count });
        }
        Ok(Shard { index, count })
    }

    /// Whether the run at `position` (0-based, in input order) is this shard's.
    pub fn takes(&self, position: usize) -> bool {
        position % self.count == self.index
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// The runs a shard process runs: those not `done`, then this shard's share of
/// what is left (all of it without a shard).
pub fn select_runs(all: &[RunKey], done: &BTreeSet<RunKey>, shard: Option<Shard>) -> Vec<RunKey> {
    all.iter()
        .filter(|run| !done.contains(run))
        .enumerate()
        .filter(|(position, _)| shard.is_none_or(|shard| shard.takes(*position)))
        .map(|(_, run)| *run)
        .collect()
}

/// `shard.json`: what a shard directory holds and which sweep it belongs to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub ecsim_version: String,
    pub sweep: String,
    /// SHA-256 of the sweep file and of the base scenario (after `--set`), as copied beside the rows.
    pub sweep_sha256: String,
    pub scenario_sha256: String,
    /// `K/N`, or null for a run of `--only-missing` without `--shard`.
    pub shard: Option<String>,
    /// Runs that other directories already held (`--only-missing`).
    pub skipped_as_done: usize,
    /// Runs of the whole sweep, of this shard, and of this shard that finished.
    pub runs_in_sweep: usize,
    pub runs_assigned: usize,
    pub runs_finished: usize,
    /// False when the shard was interrupted: its finished rows are kept.
    pub complete: bool,
}

impl Manifest {
    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
    }
}

/// Why shard directories cannot be read or merged.
#[derive(Debug, Error)]
pub enum MergeError {
    #[error("{}: {what}", .dir.display())]
    Read { dir: PathBuf, what: String },
    #[error(
        "{} and {} are not shards of the same sweep ({what} differs: {a} against {b})",
        .first.display(), .other.display()
    )]
    Mismatch { first: PathBuf, other: PathBuf, what: &'static str, a: String, b: String },
    #[error("configuration {configuration} replication {replication} is in both {} and {}", .a.display(), .b.display())]
    Duplicate { configuration: usize, replication: u32, a: PathBuf, b: PathBuf },
    #[error("{}: row {row}: configuration {configuration} replication {replication} is not a run of this sweep", .dir.display())]
    Foreign { dir: PathBuf, row: usize, configuration: usize, replication: u32 },
    #[error("{} of {total} runs are missing: {}", .missing.len(), list_runs(.missing))]
    Missing { missing: Vec<RunKey>, total: usize },
}

fn list_runs(runs: &[RunKey]) -> String {
    const SHOWN: usize = 20;
    let mut text: Vec<String> = runs
        .iter()
        .take(SHOWN)
        .map(|(configuration, replication)| format!("configuration {configuration} replication {replication}"))
        .collect();
    if runs.len() > SHOWN {
        text.push(format!("and {} more", runs.len() - SHOWN));
    }
    text.join(", ")
}

/// Reads a shard's `shard.json`.
pub fn read_manifest(dir: &Path) -> Result<Manifest, MergeError> {
    let read = |what: String| MergeError::Read { dir: dir.to_path_buf(), what };
    let path = dir.join(MANIFEST);
    let text = std::fs::read_to_string(&path).map_err(|e| {
        read(format!("cannot read {MANIFEST} ({e}); is this a directory written by `ecsim sweep --shard`?"))
    })?;
    serde_json::from_str(&text).map_err(|e| read(format!("{MANIFEST} is not a shard manifest: {e}")))
}

/// A field of the manifest that shards of one sweep share.
type ManifestField = fn(&Manifest) -> &String;

/// Checks that `other` belongs to the same sweep as `first`, field by field.
pub fn check_same_sweep(first: (&Path, &Manifest), other: (&Path, &Manifest)) -> Result<(), MergeError> {
    let fields: [(&'static str, ManifestField); 4] = [
        ("ecsim version", |m| &m.ecsim_version),
        ("sweep file", |m| &m.sweep_sha256),
        ("base scenario", |m| &m.scenario_sha256),
        ("sweep name", |m| &m.sweep),
    ];
    for (what, field) in fields {
        let (a, b) = (field(first.1), field(other.1));
        if a != b {
            return Err(MergeError::Mismatch {
                first: first.0.to_path_buf(),
                other: other.0.to_path_buf(),
                what,
                a: a.clone(),
                b: b.clone(),
            });
        }
    }
    Ok(())
}

/// Reads the rows of a shard's `runs.csv` back into run records. Rows of runs
/// that were interrupted are not results: they are left out, so the run
/// counts as missing. Figure columns that are empty are null, as written.
pub fn read_rows(dir: &Path, spec: &SweepSpec) -> Result<Vec<RunRecord>, MergeError> {
    let read = |what: String| MergeError::Read { dir: dir.to_path_buf(), what };
    let path = dir.join("runs.csv");
    let mut reader = csv::Reader::from_path(&path).map_err(|e| read(format!("cannot read runs.csv: {e}")))?;
    let header: Vec<String> =
        reader.headers().map_err(|e| read(format!("runs.csv: {e}")))?.iter().map(str::to_string).collect();
    let mut expected = vec!["configuration".to_string(), "variant".to_string()];
    expected.extend(spec.axes.iter().flat_map(|axis| axis.keys.iter().map(|key| key.as_str().to_string())));
    expected.extend(["replication", "seed", "status", "error"].map(String::from));
    if header.len() < expected.len() || header[..expected.len()] != expected[..] {
        return Err(read(format!("runs.csv does not start with the columns {}", expected.join(","))));
    }
    let figure_names = &header[expected.len()..];
    let first_figure = expected.len();
    // Every row has the same columns: one list of names for the whole file.
    let names = FigureNames::new();
    let mut records = Vec::new();
    for (row, result) in reader.records().enumerate() {
        let row = row + 2;
        let cells = result.map_err(|e| read(format!("runs.csv: {e}")))?;
        let cell = |column: usize| cells.get(column).unwrap_or("");
        let number = |column: usize, what: &str| {
            cell(column)
                .parse::<u64>()
                .map_err(|_| read(format!("runs.csv line {row}: {what} {:?} is not a whole number", cell(column))))
        };
        let configuration = usize::try_from(number(0, "configuration")?).unwrap_or(usize::MAX);
        let replication = u32::try_from(number(first_figure - 4, "replication")?).unwrap_or(u32::MAX);
        let seed = match cell(first_figure - 3) {
            "" => None,
            text => Some(
                text.parse::<i64>()
                    .map_err(|_| read(format!("runs.csv line {row}: seed {text:?} is not an integer")))?,
            ),
        };
        let outcome = match (cell(first_figure - 2), cell(first_figure - 1)) {
            ("ok", _) => Ok(names.intern(
                figures(&cells, figure_names, first_figure).map_err(|e| read(format!("runs.csv line {row}: {e}")))?,
            )),
            ("error", "interrupted") => continue,
            ("error", message) => Err(RunError::Recorded(message.to_string())),
            (status, _) => return Err(read(format!("runs.csv line {row}: status {status:?} is neither ok nor error"))),
        };
        records.push(RunRecord { configuration, replication, seed, outcome });
    }
    Ok(records)
}

/// A successful row's figures: every figure column, null where empty.
fn figures(cells: &csv::StringRecord, names: &[String], first: usize) -> Result<Figures, String> {
    names
        .iter()
        .enumerate()
        .map(|(offset, name)| match cells.get(first + offset).unwrap_or("") {
            "" => Ok((name.clone(), None)),
            text => text
                .parse::<f64>()
                .ok()
                .filter(|value| value.is_finite())
                .map(|value| (name.clone(), Some(value)))
                .ok_or_else(|| format!("{name} {text:?} is not a finite number")),
        })
        .collect()
}

/// The runs held by several shard directories, each checked to belong to
/// the sweep; duplicates are an error naming both directories.
pub fn collect_runs(
    shards: &[(PathBuf, Vec<RunRecord>)],
    all: &[RunKey],
) -> Result<BTreeMap<RunKey, RunRecord>, MergeError> {
    let known: BTreeSet<RunKey> = all.iter().copied().collect();
    let mut held: BTreeMap<RunKey, (RunRecord, &Path)> = BTreeMap::new();
    for (dir, records) in shards {
        for (row, record) in records.iter().enumerate() {
            let key = (record.configuration, record.replication);
            if !known.contains(&key) {
                return Err(MergeError::Foreign {
                    dir: dir.clone(),
                    row: row + 2,
                    configuration: key.0,
                    replication: key.1,
                });
            }
            if let Some((_, first)) = held.get(&key) {
                return Err(MergeError::Duplicate {
                    configuration: key.0,
                    replication: key.1,
                    a: first.to_path_buf(),
                    b: dir.clone(),
                });
            }
            held.insert(key, (record.clone(), dir));
        }
    }
    Ok(held.into_iter().map(|(key, (record, _))| (key, record)).collect())
}

/// The sweep's runs, in input order, when every one is held; otherwise the
/// list of missing runs.
pub fn complete_runs(mut held: BTreeMap<RunKey, RunRecord>, all: &[RunKey]) -> Result<Vec<RunRecord>, MergeError> {
    let missing: Vec<RunKey> = all.iter().filter(|run| !held.contains_key(run)).copied().collect();
    if !missing.is_empty() {
        return Err(MergeError::Missing { missing, total: all.len() });
    }
    Ok(all.iter().filter_map(|run| held.remove(run)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_env(_: &str) -> Option<String> {
        None
    }

    #[test]
    fn parses_explicit_and_automatic_indices() {
        assert_eq!(Shard::parse("0/1", no_env), Ok(Shard { index: 0, count: 1 }));
        assert_eq!(Shard::parse("6/7", no_env), Ok(Shard { index: 6, count: 7 }));
        let batch = |name: &str| (name == "AWS_BATCH_JOB_ARRAY_INDEX").then(|| "3".to_string());
        assert_eq!(Shard::parse("auto/4", batch), Ok(Shard { index: 3, count: 4 }));
        let kubernetes = |name: &str| (name == "JOB_COMPLETION_INDEX").then(|| "0".to_string());
        assert_eq!(Shard::parse("auto/4", kubernetes), Ok(Shard { index: 0, count: 4 }));
        // AWS Batch's variable wins when both are set.
        let both = |name: &str| Some(if name == "AWS_BATCH_JOB_ARRAY_INDEX" { "1" } else { "2" }.to_string());
        assert_eq!(Shard::parse("auto/4", both), Ok(Shard { index: 1, count: 4 }));
    }

    #[test]
    fn refuses_what_is_not_a_shard() {
        for given in ["", "3", "1/0", "a/2", "-1/2", "0/10001", "1/2/3"] {
            assert_eq!(Shard::parse(given, no_env), Err(ShardError::Syntax { given: given.to_string() }), "{given}");
        }
        assert_eq!(Shard::parse("7/7", no_env), Err(ShardError::IndexTooLarge { given: "7/7".to_string(), count: 7 }));
        assert_eq!(Shard::parse("auto/3", no_env), Err(ShardError::NoIndexVariable { count: 3 }));
        let out_of_range = |_: &str| Some("3".to_string());
        assert_eq!(
            Shard::parse("auto/3", out_of_range),
            Err(ShardError::BadIndexVariable {
                count: 3,
                variable: "AWS_BATCH_JOB_ARRAY_INDEX",
                value: "3".to_string()
            })
        );
    }

    #[test]
    fn round_robin_covers_every_run_once_and_balances() {
        // 5 configurations × 3 replications = 15 runs over 4 shards: 4, 4, 4, 3.
        let all: Vec<RunKey> = (0..5).flat_map(|c| (0..3).map(move |r| (c, r))).collect();
        let mut seen = BTreeSet::new();
        let mut sizes = Vec::new();
        for index in 0..4 {
            let runs = select_runs(&all, &BTreeSet::new(), Some(Shard { index, count: 4 }));
            sizes.push(runs.len());
            for run in runs {
                assert!(seen.insert(run), "{run:?} twice");
            }
        }
        assert_eq!(sizes, [4, 4, 4, 3]);
        assert_eq!(seen.len(), 15);
        // Shard 1 of 4 takes positions 1, 5, 9, 13.
        let one = select_runs(&all, &BTreeSet::new(), Some(Shard { index: 1, count: 4 }));
        assert_eq!(one, [(0, 1), (1, 2), (3, 0), (4, 1)]);
    }

    #[test]
    fn only_missing_runs_what_no_directory_holds() {
        let all: Vec<RunKey> = (0..2).flat_map(|c| (0..2).map(move |r| (c, r))).collect();
        let done: BTreeSet<RunKey> = [(0, 0), (1, 1)].into();
        assert_eq!(select_runs(&all, &done, None), [(0, 1), (1, 0)]);
        // The missing runs can themselves be split: positions among the missing.
        assert_eq!(select_runs(&all, &done, Some(Shard { index: 1, count: 2 })), [(1, 0)]);
    }

    fn record(configuration: usize, replication: u32) -> RunRecord {
        RunRecord { configuration, replication, seed: Some(1), outcome: Ok(Figures::new()) }
    }

    #[test]
    fn merge_finds_duplicates_foreign_rows_and_missing_runs() {
        let all: Vec<RunKey> = vec![(0, 0), (0, 1), (1, 0), (1, 1)];
        let a = PathBuf::from("a");
        let b = PathBuf::from("b");
        let twice = [(a.clone(), vec![record(0, 0)]), (b.clone(), vec![record(1, 1), record(0, 0)])];
        let error = collect_runs(&twice, &all).unwrap_err().to_string();
        assert_eq!(error, "configuration 0 replication 0 is in both a and b");
        let foreign = [(a.clone(), vec![record(0, 2)])];
        let error = collect_runs(&foreign, &all).unwrap_err().to_string();
        assert_eq!(error, "a: row 2: configuration 0 replication 2 is not a run of this sweep");
        let partial = [(a.clone(), vec![record(1, 1)]), (b.clone(), vec![record(0, 0)])];
        let held = collect_runs(&partial, &all).unwrap();
        let error = complete_runs(held, &all).unwrap_err().to_string();
        assert_eq!(error, "2 of 4 runs are missing: configuration 0 replication 1, configuration 1 replication 0");
        let whole = [(a, vec![record(1, 1), record(0, 1)]), (b, vec![record(1, 0), record(0, 0)])];
        let runs = complete_runs(collect_runs(&whole, &all).unwrap(), &all).unwrap();
        let order: Vec<RunKey> = runs.iter().map(|run| (run.configuration, run.replication)).collect();
        assert_eq!(order, all);
    }
}
