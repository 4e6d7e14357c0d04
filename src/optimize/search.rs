//! Racing in objective order over common random numbers (docs/optimize.md).
//!
//! Round 0 runs every configuration once (replication 0). Then each round
//! takes the *open* configuration with the lowest mean objective and doubles
//! its replications (η = 2), capped at `replications`: small steps, so an
//! exclusion can stop it early.
//! A configuration with every replication is *settled*: its means are the
//! full sweep's means for it (same seeds), so settled configurations are
//! compared exactly as the sweep compares them. The others are *excluded*
//! only when that cannot change the sweep's answer, or cannot change it
//! but with a small, stated error rate:
//!
//! - **unusable**: a run failed or a judged figure is undefined (it can never
//!   be feasible, whatever the remaining replications give);
//! - **certainly infeasible**: a constraint's figure has a known range
//!   ([`figure_range`]) and even if every replication still to run gave the
//!   most favourable value in it, the mean over all of them would miss the
//!   limit (a `<=` figure that cannot be negative whose running sum is
//!   already past limit × replications): exact, on any number of replications;
//! - **clearly infeasible**: with at least two replications, a constraint
//!   misses its limit even at the one-sided [`ELIMINATION_LEVEL`] bound of
//!   the mean (Student t on its own spread);
//! - **clearly dearer**: the lower one-sided [`ELIMINATION_LEVEL`] bound of
//!   its objective's difference from the *incumbent* (the cheapest settled
//!   feasible configuration) is above zero (two-sample Student t, the spread
//!   pooled over every configuration with two or more replications).
//!
//! One replication gives no spread, so no bound excludes on one
//! replication's constraint figures (only the exact rule can): a
//! near-boundary configuration whose first replication is unlucky stays in
//! the race.
//!
//! Stopping rule: stop when no configuration is open (resolved: the answer is
//! the incumbent, or nothing is feasible), or when the budget is spent (the
//! answer is provisional: the best-ranked configuration on what was run).
//! Exclusions are recomputed from all the runs after every round, so one
//! made on little data is undone if later data (a wider pooled spread, a
//! dearer incumbent) no longer supports it.

use crate::sweep::stats::{mean, sample_sd, student_t_quantile};
use crate::sweep::{Figures, RunRecord};

use super::figure_range::figure_range;
use super::spec::{Bound, Constraint, OptimizeSpec};

/// A (configuration, replication) to run: the sweep's own run key.
pub type Pair = crate::sweep::exec::RunKey;

/// How much each round multiplies the replications of the configuration it
/// runs: doubling lets a bound exclude it after 2 or 4 replications.
pub const ETA: u32 = 2;

/// The one-sided confidence of every exclusion before a configuration is settled.
pub const ELIMINATION_LEVEL: f64 = 0.95;

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

/// Where a configuration stands in the race (recomputed after every round).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Every replication run: judged exactly as the full sweep judges it.
    Settled,
    /// A run failed or a judged figure is undefined: never feasible.
    Unusable,
    /// Whatever the replications still to run give, a constraint's mean misses.
    CertainlyInfeasible,
    /// A constraint misses even at the elimination bound.
    ClearlyInfeasible,
    /// Dearer than the incumbent even at the elimination bound.
    ClearlyDearer,
    /// Still in the race: could be the answer.
    Open,
}

impl Status {
    /// The word trials.csv writes.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Settled => "settled",
            Status::Unusable => "unusable",
            Status::CertainlyInfeasible => "certainly_infeasible",
            Status::ClearlyInfeasible => "clearly_infeasible",
            Status::ClearlyDearer => "clearly_dearer",
            Status::Open => "open",
        }
    }
}

/// Everything the search learnt about one configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct Trial {
    pub configuration: usize,
    /// Its runs in replication order (replications 0, 1, ...).
    pub runs: Vec<RunRecord>,
    /// The last round it was run in.
    pub last_round: usize,
    /// Where it stood when the search stopped.
    pub status: Status,
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

/// t(level, n − 1) · sd / √n, the one-sided margin of a mean; `None` below two values.
fn margin(level: f64, v: &[f64]) -> Option<f64> {
    let sd = sample_sd(v)?;
    Some(student_t_quantile(level, (v.len() - 1) as f64)? * sd / (v.len() as f64).sqrt())
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
            let half = problem.confidence.and_then(|level| margin(level, &v)).unwrap_or(0.0);
            let scale = constraint.limit.abs().max(1e-9);
            Some(match constraint.bound {
                Bound::AtMost => (centre + half, (constraint.limit - (centre + half)) / scale),
                Bound::AtLeast => (centre - half, ((centre - half) - constraint.limit) / scale),
            })
        })
        .collect();
    Assessment { objective, constraints }
}

/// Some constraint's mean over all `replications` misses its limit whatever
/// the replications not yet run give: the runs so far, padded with the
/// figure's most favourable value, already miss. The padded mean is computed
/// by the very function the sweep's mean is (replications in order), and
/// every step of it (subtraction, sum, division) rounds monotonically, so
/// the sweep's mean can only be further from the limit: exact, in floating
/// point too. With `confidence`, the judged figure is further out still.
fn certainly_infeasible(problem: &Problem, runs: &[RunRecord]) -> bool {
    let missing = (problem.replications as usize).saturating_sub(runs.len());
    problem.constraints.iter().any(|constraint| {
        let range = figure_range(&constraint.metric);
        let favourable = match constraint.bound {
            Bound::AtMost => range.lowest,
            Bound::AtLeast => range.highest,
        };
        let (Some(favourable), Some(mut v)) = (favourable, values(runs, &constraint.metric)) else { return false };
        v.extend(std::iter::repeat_n(favourable, missing));
        let Some(padded) = mean(&v) else { return false };
        match constraint.bound {
            Bound::AtMost => padded > constraint.limit,
            Bound::AtLeast => padded < constraint.limit,
        }
    })
}

/// Some constraint misses its limit even at the favourable end of its
/// [`ELIMINATION_LEVEL`] bound; never on fewer than two replications.
fn clearly_infeasible(problem: &Problem, runs: &[RunRecord]) -> bool {
    problem.constraints.iter().any(|constraint| {
        let Some(v) = values(runs, &constraint.metric) else { return false };
        let (Some(centre), Some(half)) = (mean(&v), margin(ELIMINATION_LEVEL, &v)) else { return false };
        match constraint.bound {
            Bound::AtMost => centre - half > constraint.limit,
            Bound::AtLeast => centre + half < constraint.limit,
        }
    })
}

/// The objective's within-configuration standard deviation pooled over every
/// trial with two or more values, and its degrees of freedom (Σ (n − 1)).
fn pooled_spread(problem: &Problem, trials: &[Trial]) -> Option<(f64, f64)> {
    let (mut squares, mut df) = (0.0, 0.0);
    for trial in trials {
        let Some(v) = values(&trial.runs, problem.minimize) else { continue };
        let Some(sd) = sample_sd(&v) else { continue };
        squares += sd * sd * (v.len() - 1) as f64;
        df += (v.len() - 1) as f64;
    }
    (df > 0.0).then(|| ((squares / df).sqrt(), df))
}

/// Each trial's status, and the incumbent (the settled feasible trial with
/// the least mean objective, the lowest index on a tie), by position in `trials`.
fn judge(problem: &Problem, trials: &[Trial]) -> (Vec<Status>, Option<usize>) {
    let assessments: Vec<Assessment> = trials.iter().map(|t| assess(problem, &t.runs)).collect();
    let settled = |i: usize| trials[i].runs.len() >= problem.replications as usize;
    let objective = |i: usize| assessments[i].objective.unwrap_or(f64::INFINITY);
    let incumbent = (0..trials.len())
        .filter(|&i| settled(i) && assessments[i].feasible())
        .min_by(|&a, &b| objective(a).total_cmp(&objective(b)).then(a.cmp(&b)));
    let spread = pooled_spread(problem, trials);
    let dearer = |i: usize| {
        let (Some(best), Some((sd, df))) = (incumbent, spread) else { return false };
        let Some(t) = student_t_quantile(ELIMINATION_LEVEL, df) else { return false };
        let (n, m) = (trials[i].runs.len() as f64, trials[best].runs.len() as f64);
        objective(i) - t * sd * (1.0 / n + 1.0 / m).sqrt() > objective(best)
    };
    let statuses = (0..trials.len())
        .map(|i| {
            let a = &assessments[i];
            if settled(i) {
                Status::Settled
            } else if a.objective.is_none() || a.constraints.iter().any(Option::is_none) {
                Status::Unusable
            } else if certainly_infeasible(problem, &trials[i].runs) {
                Status::CertainlyInfeasible
            } else if clearly_infeasible(problem, &trials[i].runs) {
                Status::ClearlyInfeasible
            } else if dearer(i) {
                Status::ClearlyDearer
            } else {
                Status::Open
            }
        })
        .collect();
    (statuses, incumbent)
}

/// The search's result.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// One per configuration tried, in configuration order.
    pub trials: Vec<Trial>,
    /// The answer: the incumbent when resolved, else the best-ranked trial.
    pub best: usize,
    pub runs: usize,
    pub rounds: usize,
    /// True when no configuration was left open: the answer is the full sweep's
    /// (but for the stated error rate of the exclusions).
    pub resolved: bool,
    /// Why the search stopped, for the log and best.json.
    pub stopped: String,
    /// Set when the caller's runner was cancelled (Ctrl-C): the search is incomplete.
    pub interrupted: bool,
}

/// Runs the search. `run` executes (configuration, replication) pairs and
/// returns their records in the order given (fewer when cancelled).
pub fn search(problem: &Problem, configurations: usize, run: &mut dyn FnMut(&[Pair]) -> Vec<RunRecord>) -> Outcome {
    let mut trials: Vec<Trial> = (0..configurations)
        .map(|configuration| Trial { configuration, runs: Vec::new(), last_round: 0, status: Status::Open })
        .collect();
    let mut pairs: Vec<Pair> = (0..configurations).map(|c| (c, 0)).collect();
    let mut used = 0;
    let mut round = 0;
    loop {
        let records = run(&pairs);
        let complete = records.len() == pairs.len();
        used += records.len();
        for record in records {
            let trial = &mut trials[record.configuration];
            trial.last_round = round;
            trial.runs.push(record);
        }
        round += 1;
        let (statuses, incumbent) = judge(problem, &trials);
        for (trial, status) in trials.iter_mut().zip(&statuses) {
            trial.status = *status;
        }
        if !complete {
            return finish(problem, trials, None, used, round, "interrupted".into(), true);
        }
        // The open configuration with the least mean objective, the lowest index on a tie.
        let objective = |i: usize| assess(problem, &trials[i].runs).objective.unwrap_or(f64::INFINITY);
        let next = (0..configurations)
            .filter(|&i| statuses[i] == Status::Open)
            .min_by(|&a, &b| objective(a).total_cmp(&objective(b)).then(a.cmp(&b)));
        let Some(next) = next else {
            let stopped = match incumbent {
                Some(best) => format!(
                    "resolved: configuration {best} has every replication and meets the constraints, \
                     and every other is settled or excluded"
                ),
                None => "resolved: no configuration meets the constraints (each is settled or excluded)".to_string(),
            };
            return finish(problem, trials, Some(incumbent), used, round, stopped, false);
        };
        let have = trials[next].runs.len() as u32;
        let left = u32::try_from(problem.budget.saturating_sub(used)).unwrap_or(u32::MAX);
        if left == 0 {
            let open = statuses.iter().filter(|s| **s == Status::Open).count();
            let stopped = format!(
                "the budget ({} runs) ran out with {open} configuration(s) still open; the choice is provisional",
                problem.budget
            );
            return finish(problem, trials, None, used, round, stopped, false);
        }
        let to = have.saturating_mul(ETA).min(problem.replications).min(have.saturating_add(left));
        pairs = (have..to).map(|r| (next, r)).collect();
    }
}

/// Orders trial positions best first: feasible by objective, then
/// infeasible by violation, then by configuration.
fn ranked(problem: &Problem, trials: &[Trial]) -> Vec<usize> {
    let keys: Vec<(bool, f64, usize)> = trials
        .iter()
        .map(|t| {
            let a = assess(problem, &t.runs);
            let feasible = a.feasible();
            let score = if feasible { a.objective.unwrap_or(f64::INFINITY) } else { a.violation() };
            (!feasible, score, t.configuration)
        })
        .collect();
    let mut order: Vec<usize> = (0..trials.len()).collect();
    order.sort_by(|&x, &y| {
        let ((fx, sx, cx), (fy, sy, cy)) = (keys[x], keys[y]);
        fx.cmp(&fy).then(sx.total_cmp(&sy)).then(cx.cmp(&cy))
    });
    order
}

/// `resolved` is `Some(incumbent)` when no configuration was left open.
fn finish(
    problem: &Problem,
    trials: Vec<Trial>,
    resolved: Option<Option<usize>>,
    runs: usize,
    rounds: usize,
    stopped: String,
    interrupted: bool,
) -> Outcome {
    let best = match resolved {
        Some(Some(incumbent)) => incumbent,
        _ => ranked(problem, &trials).first().copied().unwrap_or(0),
    };
    let best = trials.get(best).map_or(0, |t| t.configuration);
    let trials = trials.into_iter().filter(|t| !t.runs.is_empty()).collect();
    Outcome { trials, best, runs, rounds, resolved: resolved.is_some(), stopped, interrupted }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Cost `cost + r/10` and latency `latency[r]` for replication r.
    fn record(configuration: usize, r: u32, cost: f64, latency: f64) -> RunRecord {
        let figures = Figures::from([
            ("cost".to_string(), Some(cost + f64::from(r) / 10.0)),
            ("latency".to_string(), Some(latency)),
        ]);
        RunRecord { configuration, replication: r, seed: None, outcome: Ok(figures) }
    }

    fn problem(constraints: &[Constraint], replications: u32, budget: usize) -> Problem<'_> {
        Problem { minimize: "cost", constraints, replications, budget, confidence: None }
    }

    fn latency_at_most(limit: f64) -> [Constraint; 1] {
        [Constraint { metric: "latency".into(), bound: Bound::AtMost, limit }]
    }

    /// The near-boundary trap of cheapest-meeting-slo in miniature (limit 200,
    /// 5 replications), as (cost, latency of replications 0..4):
    /// c0 looks feasible on its first three (mean 196.7) but not on five (216);
    /// c1 misses by far from the start; c2 is the answer (mean 192) although its
    /// first replication is 400; c3 and c4 are feasible but dearer.
    const TRAP: [(f64, [f64; 5]); 5] = [
        (10.0, [190.0, 195.0, 205.0, 300.0, 190.0]),
        (11.0, [300.0, 310.0, 320.0, 330.0, 340.0]),
        (12.0, [400.0, 130.0, 120.0, 110.0, 200.0]),
        (20.0, [100.0; 5]),
        (30.0, [90.0; 5]),
    ];

    fn trap(c: usize, r: u32) -> RunRecord {
        record(c, r, TRAP[c].0, TRAP[c].1[r as usize])
    }

    #[test]
    fn a_near_boundary_answer_with_an_unlucky_first_replication_is_found_and_settled() {
        let limit = latency_at_most(200.0);
        let mut calls: Vec<Vec<Pair>> = Vec::new();
        let outcome = search(&problem(&limit, 5, 25), 5, &mut |pairs| {
            calls.push(pairs.to_vec());
            pairs.iter().map(|&(c, r)| trap(c, r)).collect()
        });
        // Round 0: all five once. c0 is the cheapest open: 2, 4, then 5 replications (mean 216:
        // settled infeasible). c1 next: on 2 replications, mean 305, sd 7.071068, the 95% one-sided
        // bound 305 − t(0.95, 1) · 7.071068/√2 = 305 − 6.313752 · 5 = 273.43 > 200: clearly
        // infeasible, no more runs. c2: 2 (mean 265, sd 191: not clear), 4 (mean 190), 5 (mean 192).
        let expected: Vec<Vec<Pair>> = vec![
            (0..5).map(|c| (c, 0)).collect(),
            vec![(0, 1)],
            vec![(0, 2), (0, 3)],
            vec![(0, 4)],
            vec![(1, 1)],
            vec![(2, 1)],
            vec![(2, 2), (2, 3)],
            vec![(2, 4)],
        ];
        assert_eq!(calls, expected);
        assert_eq!(outcome.best, 2);
        assert!(outcome.resolved, "{}", outcome.stopped);
        assert_eq!((outcome.runs, outcome.rounds), (14, 8));
        // c3 and c4 (one replication, cost 20 and 30) are clearly dearer than c2 (12.2): the
        // pooled sd of cost is √((4·0.025 + 1·0.005 + 4·0.025) / 9) = 0.150923 (c0 and c2: sd
        // 0.158114 on 4 df; c1: 0.070711 on 1 df), t(0.95, 9) = 1.833113, so the bound on the
        // difference is 1.833113 · 0.150923 · √(1 + 1/5) = 0.3031 < 20 − 12.2.
        let statuses: Vec<Status> = outcome.trials.iter().map(|t| t.status).collect();
        use Status::*;
        assert_eq!(statuses, [Settled, ClearlyInfeasible, Settled, ClearlyDearer, ClearlyDearer]);
        // The choice's figures are the means over all five replications: the sweep's.
        let a = assess(&problem(&limit, 5, 25), &outcome.trials[2].runs);
        assert!((a.objective.unwrap() - 12.2).abs() < 1e-12);
        assert_eq!(a.constraints[0].unwrap().0, 192.0);
    }

    #[test]
    fn a_constraint_that_the_remaining_replications_cannot_rescue_is_dropped_exactly() {
        // p99_ms (a latency: at least 0) <= 200 over 5 replications: c0's first is 1200, so even
        // four more at 0 ms give a mean of 1200 / 5 = 240 > 200: certainly infeasible on one
        // replication, never run again. c1's first is 900: 900 / 5 = 180 could still hold.
        let fake = |c: usize, r: u32| {
            let p99 = [1200.0, 900.0][c];
            let figures =
                Figures::from([("cost".to_string(), Some(10.0 - c as f64)), ("p99_ms".to_string(), Some(p99))]);
            RunRecord { configuration: c, replication: r, seed: None, outcome: Ok(figures) }
        };
        let limit = [Constraint { metric: "p99_ms".into(), bound: Bound::AtMost, limit: 200.0 }];
        let mut calls: Vec<Vec<Pair>> = Vec::new();
        let outcome = search(&problem(&limit, 5, 10), 2, &mut |pairs| {
            calls.push(pairs.to_vec());
            pairs.iter().map(|&(c, r)| fake(c, r)).collect()
        });
        // c1 (900 every time, cost 9) is open and the cheaper, so it runs next; after 2
        // replications (900 + 900 + 3 · 0) / 5 = 360 > 200: certainly infeasible (the exact rule
        // is judged before the t bound). c0 stays at 1 replication.
        assert_eq!(calls, [vec![(0, 0), (1, 0)], vec![(1, 1)]]);
        assert_eq!(outcome.trials[0].status, Status::CertainlyInfeasible);
        assert_eq!(outcome.trials[1].status, Status::CertainlyInfeasible);
        assert!(outcome.resolved);

        // A share bounded by 1 from above: availability >= 0.999 over 4 replications; a first
        // replication at 0.99 gives at most (0.99 + 3 · 1) / 4 = 0.9975 < 0.999.
        let at_least = [Constraint { metric: "requests.availability".into(), bound: Bound::AtLeast, limit: 0.999 }];
        let share = |a: f64| {
            let figures =
                Figures::from([("cost".to_string(), Some(1.0)), ("requests.availability".to_string(), Some(a))]);
            vec![RunRecord { configuration: 0, replication: 0, seed: None, outcome: Ok(figures) }]
        };
        assert!(certainly_infeasible(&problem(&at_least, 4, 10), &share(0.99)));
        // 0.997: at most (0.997 + 3) / 4 = 0.99925, which could still hold.
        assert!(!certainly_infeasible(&problem(&at_least, 4, 10), &share(0.997)));
        // A figure with no known range (a count) is never dropped this way.
        let count = [Constraint { metric: "cost".into(), bound: Bound::AtMost, limit: 0.1 }];
        assert!(!certainly_infeasible(&problem(&count, 4, 10), &share(0.99)));
    }

    #[test]
    fn the_budget_stops_the_race_with_a_provisional_choice() {
        let limit = latency_at_most(200.0);
        let outcome = search(&problem(&limit, 5, 9), 5, &mut |pairs| pairs.iter().map(|&(c, r)| trap(c, r)).collect());
        // 5 + 1 (c0 to 2) + 2 (c0 to 4) + 1 (c0 to 5): the budget of 9 is spent with c1..c4 open (one
        // replication each). Ranked on what was run: c3 (cost 20, latency 100) is the cheapest
        // that looks feasible (c1 and c2 miss on their first replication).
        assert!(!outcome.resolved);
        assert_eq!(outcome.runs, 9);
        assert_eq!(outcome.best, 3);
        assert!(outcome.stopped.contains("4 configuration(s) still open"), "{}", outcome.stopped);
    }

    #[test]
    fn a_round_gets_only_what_the_budget_has_left() {
        let limit = latency_at_most(200.0);
        let mut calls: Vec<Vec<Pair>> = Vec::new();
        search(&problem(&limit, 5, 6), 5, &mut |pairs| {
            calls.push(pairs.to_vec());
            pairs.iter().map(|&(c, r)| trap(c, r)).collect()
        });
        assert_eq!(calls[1], [(0, 1)]);
        assert_eq!(calls.len(), 2);
    }

    #[test]
    fn a_confidence_bound_is_stricter_than_the_mean() {
        // Latency 180, 181, 182: mean 181, sd 1; the one-sided 95% bound is
        // 181 + t(0.95, 2) · 1/√3 = 181 + 2.919986 / 1.732051 = 182.6859; a limit of 182 refuses it.
        let runs: Vec<RunRecord> = (0..3).map(|r| record(6, r, 16.0, 180.0 + f64::from(r))).collect();
        let limit = latency_at_most(182.0);
        let mut p = problem(&limit, 3, 100);
        assert!(assess(&p, &runs).feasible());
        p.confidence = Some(0.95);
        let judged = assess(&p, &runs).constraints[0].unwrap().0;
        assert!((judged - 182.685_9).abs() < 1e-4, "{judged}");
        assert!(!assess(&p, &runs).feasible());
    }

    #[test]
    fn nothing_feasible_ranks_by_the_shortfall() {
        // Latency 300 − 20c: nothing meets 50; the closest is c = 8 (140, 180% over).
        let fake = |c: usize, r: u32| record(c, r, 10.0 + c as f64, 300.0 - 20.0 * c as f64);
        let limit = latency_at_most(50.0);
        let outcome = search(&problem(&limit, 1, 9), 9, &mut |pairs| pairs.iter().map(|&(c, r)| fake(c, r)).collect());
        // One replication each settles every configuration: resolved after round 0.
        assert!(outcome.resolved);
        assert_eq!(outcome.best, 8);
        assert_eq!(outcome.runs, 9);
        let a = assess(&problem(&limit, 1, 9), &outcome.trials[8].runs);
        assert!(!a.feasible());
        assert_eq!(a.constraints[0], Some((140.0, -1.8)));
        assert!(outcome.stopped.contains("no configuration meets"), "{}", outcome.stopped);
    }

    #[test]
    fn a_failed_run_makes_a_configuration_unusable_at_once() {
        let limit = latency_at_most(200.0);
        let outcome = search(&problem(&limit, 5, 25), 5, &mut |pairs| {
            pairs
                .iter()
                .map(|&(c, r)| {
                    let mut run = trap(c, r);
                    if c == 0 {
                        run.outcome = Err(crate::model::RunError::Interrupted);
                    }
                    run
                })
                .collect()
        });
        // c0 is never run again; c1 is the first the race runs.
        assert_eq!(outcome.trials[0].status, Status::Unusable);
        assert_eq!(outcome.trials[0].runs.len(), 1);
        assert_eq!(outcome.best, 2);
    }
}
