//! Successive halving over common random numbers (docs/optimize.md).
//!
//! Round 0 runs every configuration once (replication 0). After each round
//! the survivors, which all have the same replications (the same random
//! streams, so their differences are not noise between draws), are ranked:
//! feasible before infeasible, feasible ones by the mean objective, infeasible
//! ones by how far they miss their constraints. The best third (η = 3, at
//! least one) survives and gets η times the replications, capped at
//! `replications` and at what the remaining budget pays for.
//!
//! Stopping rule: stop when the budget cannot give every survivor one more
//! replication, or when one survivor remains with every replication, or when
//! the survivors already have every replication (more rounds would only
//! re-rank the same figures). The answer is the best-ranked of the last
//! round's survivors; it is infeasible only when none of them is feasible.

use crate::sweep::stats::{mean, sample_sd, student_t_quantile};
use crate::sweep::{Figures, RunRecord};

use super::spec::{Bound, Constraint, OptimizeSpec};

/// A (configuration, replication) to run: the sweep's own run key.
pub type Pair = crate::sweep::exec::RunKey;

/// How much each round keeps (a third) and multiplies replications by.
pub const ETA: usize = 3;

/// What the search needs of the problem: the objective, the constraints,
/// the replication cap, the run budget and the confidence level.
#[derive(Debug, Clone)]
pub struct Problem<'a> {
    pub minimize: &'a str,
    pub constraints: &'a [Constraint],
    pub replications: u32,
    pub budget: usize,
    pub confidence: Option<f64>,
}

impl OptimizeSpec {
    /// The search's view of this file.
    pub fn problem(&self) -> Problem<'_> {
        Problem {
            minimize: &self.minimize,
            constraints: &self.constraints,
            replications: self.sweep.replications,
            budget: self.budget,
            confidence: self.confidence,
        }
    }
}

/// Everything the search learnt about one configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct Trial {
    pub configuration: usize,
    /// Its runs in replication order.
    pub runs: Vec<RunRecord>,
    /// The last round it was run in (it was dropped after it, unless it is in the final set).
    pub last_round: usize,
}

/// The figures the search judges a configuration by.
#[derive(Debug, Clone, PartialEq)]
pub struct Assessment {
    /// Mean objective; `None` when a run failed or the figure is null.
    pub objective: Option<f64>,
    /// Per constraint: the figure as judged (the mean, or its one-sided bound
    /// with `confidence`) and its relative slack, positive when it holds.
    pub constraints: Vec<Option<(f64, f64)>>,
}

impl Assessment {
    pub fn feasible(&self) -> bool {
        self.objective.is_some() && self.constraints.iter().all(|c| c.is_some_and(|(_, slack)| slack >= 0.0))
    }

    /// Sum of the relative shortfalls; infinite when a figure is missing.
    pub fn violation(&self) -> f64 {
        if self.objective.is_none() {
            return f64::INFINITY;
        }
        self.constraints.iter().map(|c| c.map_or(f64::INFINITY, |(_, slack)| (-slack).max(0.0))).sum()
    }

    /// The constraint with the least slack (the first on a tie); `None` without constraints.
    pub fn binding(&self) -> Option<usize> {
        let slack = |c: &Option<(f64, f64)>| c.map_or(f64::NEG_INFINITY, |(_, s)| s);
        (0..self.constraints.len()).min_by(|&a, &b| slack(&self.constraints[a]).total_cmp(&slack(&self.constraints[b])))
    }
}

/// The values of `metric` over `runs`; `None` when a run failed or lacks it.
fn values(runs: &[RunRecord], metric: &str) -> Option<Vec<f64>> {
    runs.iter().map(|run| run.outcome.as_ref().ok().and_then(|f: &Figures| f.get(metric).copied().flatten())).collect()
}

/// Judges a trial's runs against the problem.
pub fn assess(problem: &Problem, runs: &[RunRecord]) -> Assessment {
    let objective = values(runs, problem.minimize).and_then(|v| mean(&v));
    let constraints = problem
        .constraints
        .iter()
        .map(|constraint| {
            let v = values(runs, &constraint.metric)?;
            let centre = mean(&v)?;
            // One-sided bound at `confidence`; with one replication there is no spread, so the mean.
            let half = match (problem.confidence, sample_sd(&v)) {
                (Some(level), Some(sd)) => {
                    student_t_quantile(level, (v.len() - 1) as f64)? * sd / (v.len() as f64).sqrt()
                }
                _ => 0.0,
            };
            let scale = constraint.limit.abs().max(1e-9);
            Some(match constraint.bound {
                Bound::AtMost => (centre + half, (constraint.limit - (centre + half)) / scale),
                Bound::AtLeast => (centre - half, ((centre - half) - constraint.limit) / scale),
            })
        })
        .collect();
    Assessment { objective, constraints }
}

/// The search's result.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// One per configuration tried, in configuration order.
    pub trials: Vec<Trial>,
    /// The best-ranked configuration of the last round (feasible or the closest).
    pub best: usize,
    pub runs: usize,
    pub rounds: usize,
    /// Why the search stopped, for the log and best.json.
    pub stopped: String,
    /// Set when the caller's runner was cancelled (Ctrl-C): the search is incomplete.
    pub interrupted: bool,
}

/// Runs the search. `run` executes (configuration, replication) pairs and
/// returns their records in the order given (fewer when cancelled).
pub fn search(problem: &Problem, configurations: usize, run: &mut dyn FnMut(&[Pair]) -> Vec<RunRecord>) -> Outcome {
    let mut trials: Vec<Trial> =
        (0..configurations).map(|configuration| Trial { configuration, runs: Vec::new(), last_round: 0 }).collect();
    let mut survivors: Vec<usize> = (0..configurations).collect();
    let mut level: u32 = 0;
    let mut used = 0;
    let mut round = 0;
    let mut next_level: u32 = 1;
    let stopped;
    loop {
        let pairs: Vec<Pair> = survivors.iter().flat_map(|&c| (level..next_level).map(move |r| (c, r))).collect();
        let records = run(&pairs);
        let complete = records.len() == pairs.len();
        used += records.len();
        for record in records {
            let trial = &mut trials[record.configuration];
            trial.last_round = round;
            trial.runs.push(record);
        }
        if !complete {
            return finish(problem, trials, &survivors, used, round + 1, "interrupted".into(), true);
        }
        level = next_level;
        rank(problem, &trials, &mut survivors);
        let keep = survivors.len().div_ceil(ETA).max(1);
        if level >= problem.replications {
            stopped = format!("the last {} configuration(s) have every replication ({level})", survivors.len());
            break;
        }
        let wanted =
            if keep == 1 { problem.replications } else { level.saturating_mul(ETA as u32).min(problem.replications) };
        let affordable = u32::try_from((problem.budget - used) / keep).unwrap_or(u32::MAX);
        next_level = wanted.min(level.saturating_add(affordable));
        if next_level == level {
            stopped = format!("the budget ({} runs) cannot give the best {keep} another replication", problem.budget);
            break;
        }
        survivors.truncate(keep);
        // Run in configuration order: the same pairs in the same order at any `-j`.
        survivors.sort_unstable();
        round += 1;
    }
    finish(problem, trials, &survivors, used, round + 1, stopped, false)
}

/// Orders `survivors` best first: feasible by objective, then infeasible by violation, then by index.
fn rank(problem: &Problem, trials: &[Trial], survivors: &mut [usize]) {
    let key = |c: usize| {
        let a = assess(problem, &trials[c].runs);
        let feasible = a.feasible();
        let score = if feasible { a.objective.unwrap_or(f64::INFINITY) } else { a.violation() };
        (!feasible, score, c)
    };
    survivors.sort_by(|&x, &y| {
        let (fx, sx, cx) = key(x);
        let (fy, sy, cy) = key(y);
        fx.cmp(&fy).then(sx.total_cmp(&sy)).then(cx.cmp(&cy))
    });
}

fn finish(
    problem: &Problem,
    trials: Vec<Trial>,
    survivors: &[usize],
    runs: usize,
    rounds: usize,
    stopped: String,
    interrupted: bool,
) -> Outcome {
    let mut last = survivors.to_vec();
    rank(problem, &trials, &mut last);
    let best = last.first().copied().unwrap_or(0);
    let trials = trials.into_iter().filter(|t| !t.runs.is_empty()).collect();
    Outcome { trials, best, runs, rounds, stopped, interrupted }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Figures for configuration c, replication r: cost 10 + c (+ r/10 noise),
    /// latency 300 − 20c (+ r), so latency <= 200 needs c >= 5 (c = 5 is
    /// exactly 200 at r = 0, 201 at r = 1: infeasible on a two-replication mean
    /// of 200.5, so the answer with 3 replications is c = 6).
    fn fake(c: usize, r: u32) -> RunRecord {
        let (c, rf) = (c as f64, f64::from(r));
        let figures = Figures::from([
            ("cost".to_string(), Some(10.0 + c + rf / 10.0)),
            ("latency".to_string(), Some(300.0 - 20.0 * c + rf)),
        ]);
        RunRecord { configuration: c as usize, replication: r, seed: None, outcome: Ok(figures) }
    }

    fn problem(constraints: &[Constraint], replications: u32, budget: usize) -> Problem<'_> {
        Problem { minimize: "cost", constraints, replications, budget, confidence: None }
    }

    #[test]
    fn halves_with_common_replications_within_the_budget() {
        let limit = [Constraint { metric: "latency".into(), bound: Bound::AtMost, limit: 200.0 }];
        let mut calls: Vec<Vec<(usize, u32)>> = Vec::new();
        let outcome = search(&problem(&limit, 3, 15), 9, &mut |pairs| {
            calls.push(pairs.to_vec());
            pairs.iter().map(|&(c, r)| fake(c, r)).collect()
        });
        // Round 0: all nine once (9 runs). Feasible after it: c = 5..8 (latency 200, 180, 160, 140),
        // ranked by cost: 5, 6, 7. They get 3 replications: 6 more runs, 15 in all = the budget.
        assert_eq!(calls.len(), 2);
        assert_eq!(calls[0].len(), 9);
        assert_eq!(calls[1], [(5, 1), (5, 2), (6, 1), (6, 2), (7, 1), (7, 2)]);
        // c = 5: latency mean (200 + 201 + 202) / 3 = 201 > 200: infeasible; c = 6 is the answer.
        assert_eq!(outcome.best, 6);
        assert_eq!(outcome.runs, 15);
        assert_eq!(outcome.rounds, 2);
        assert_eq!(outcome.trials.len(), 9);
        assert!(outcome.stopped.contains("every replication"), "{}", outcome.stopped);
    }

    #[test]
    fn a_confidence_bound_is_stricter_than_the_mean() {
        // c = 6 at 3 replications: latency 180, 181, 182: mean 181, sd 1; the one-sided 95% bound is
        // 181 + t(0.95, 2) · 1/√3 = 181 + 2.919986 / 1.732051 = 182.6859; a limit of 182 refuses it.
        let runs: Vec<RunRecord> = (0..3).map(|r| fake(6, r)).collect();
        let limit = [Constraint { metric: "latency".into(), bound: Bound::AtMost, limit: 182.0 }];
        let mut p = problem(&limit, 3, 100);
        assert!(assess(&p, &runs).feasible());
        p.confidence = Some(0.95);
        let judged = assess(&p, &runs).constraints[0].unwrap().0;
        assert!((judged - 182.685_9).abs() < 1e-4, "{judged}");
        assert!(!assess(&p, &runs).feasible());
    }

    #[test]
    fn nothing_feasible_ranks_by_the_shortfall() {
        let limit = [Constraint { metric: "latency".into(), bound: Bound::AtMost, limit: 50.0 }];
        let outcome = search(&problem(&limit, 1, 9), 9, &mut |pairs| pairs.iter().map(|&(c, r)| fake(c, r)).collect());
        // Latency falls with c, so the closest is c = 8 (140, 180% over); one replication each.
        assert_eq!(outcome.best, 8);
        assert_eq!(outcome.runs, 9);
        let a = assess(&problem(&limit, 1, 9), &outcome.trials[8].runs);
        assert!(!a.feasible());
        assert_eq!(a.constraints[0], Some((140.0, -1.8)));
    }
}
