//! The optimize file: which scenario, which figure to minimise, under which
//! constraints, with how many replications and runs at most, over which axes.
//!
//! ```toml
//! [optimize]
//! name = "cheapest-meeting-slo"
//! scenario = "cpu-target.toml"           # relative to this file
//! minimize = "cost.total_usd"
//! subject_to = ["latency.p99_ms <= 200", "requests.availability >= 0.999"]
//! replications = 5                       # the most any configuration gets
//! budget = 15                            # the most runs in all
//! confidence = 0.9                       # optional: constraints on a one-sided bound
//!
//! [[axes]]                               # and [[variants]], as in sweeps
//! key = "services[api].auto_scaling.target_tracking[cpu].target_value"
//! range = [50, 70]
//! step = 10
//! ```
//!
//! The axes and variants are a sweep's (one grid, one parser): the checked
//! file carries a [`SweepSpec`] whose metrics are the objective and the
//! constrained figures, so the sweep's planning and runner apply unchanged.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use crate::scenario::resolve::path_name_problem;
use crate::sweep::spec::{Checker, RawAxis, RawVariant, parse_error};
use crate::sweep::{SpecError, SweepSpec};

/// The most replications and runs an optimize file may ask for (as sweeps).
const MAX_REPLICATIONS: u32 = 10_000;
const MAX_BUDGET: u64 = 1_000_000;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOptimizeFile {
    optimize: RawOptimize,
    #[serde(default)]
    axes: Vec<RawAxis>,
    #[serde(default)]
    variants: Vec<RawVariant>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOptimize {
    name: Spanned<String>,
    scenario: Spanned<String>,
    minimize: Spanned<String>,
    #[serde(default)]
    subject_to: Vec<Spanned<String>>,
    replications: Spanned<u32>,
    budget: Spanned<u64>,
    #[serde(default)]
    confidence: Option<Spanned<f64>>,
}

/// `<=` or `>=`: a constraint bounds a figure from above or from below.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bound {
    AtMost,
    AtLeast,
}

/// One `subject_to` entry: `metric <= limit` or `metric >= limit`.
#[derive(Debug, Clone, PartialEq)]
pub struct Constraint {
    pub metric: String,
    pub bound: Bound,
    pub limit: f64,
}

impl fmt::Display for Constraint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let op = if self.bound == Bound::AtMost { "<=" } else { ">=" };
        write!(f, "{} {op} {}", self.metric, crate::fmt::fmt_f64(self.limit))
    }
}

/// A checked optimize file.
#[derive(Debug, Clone, PartialEq)]
pub struct OptimizeSpec {
    /// The grid: name, scenario, axes, variants; `replications` is the most
    /// any configuration gets; `metrics` the objective then the constrained figures.
    pub sweep: SweepSpec,
    pub minimize: String,
    pub constraints: Vec<Constraint>,
    /// The most simulator runs the search may use.
    pub budget: usize,
    /// When set, a constraint must hold on the one-sided bound of the mean at
    /// this level (Student t), not on the mean alone.
    pub confidence: Option<f64>,
}

impl OptimizeSpec {
    /// Figure names the file gives, each with where, for the check against the scenario.
    pub fn figure_names(&self) -> Vec<(String, String)> {
        let mut names = vec![("optimize.minimize".to_string(), self.minimize.clone())];
        names.extend(
            self.constraints.iter().enumerate().map(|(i, c)| (format!("optimize.subject_to[{i}]"), c.metric.clone())),
        );
        names
    }
}

/// Reads and checks an optimize file; `scenario` is resolved against its directory.
pub fn load_optimize(file: &Path) -> Result<OptimizeSpec, SpecError> {
    let text = std::fs::read_to_string(file).map_err(|io| SpecError::Read { file: file.to_path_buf(), io })?;
    parse_optimize(&text, file)
}

/// Parses optimize text; `file` names it in errors and anchors the scenario path.
pub fn parse_optimize(text: &str, file: &Path) -> Result<OptimizeSpec, SpecError> {
    let raw: RawOptimizeFile = toml::from_str(text).map_err(|error| parse_error(text, file, &error))?;
    let mut checker = Checker { text, problems: Vec::new() };
    let head = raw.optimize;
    let name = head.name.get_ref().clone();
    if name.trim().is_empty() {
        checker.problem(head.name.span(), "optimize.name is empty; give it a name, e.g. name = \"cheapest\"".into());
    } else if let Some(problem) = path_name_problem(&name) {
        checker.problem(head.name.span(), format!("optimize.name: {problem}"));
    }
    if head.scenario.get_ref().trim().is_empty() {
        checker.problem(
            head.scenario.span(),
            "optimize.scenario is empty; allowed: a scenario file path relative to this file".into(),
        );
    }
    let minimize = head.minimize.get_ref().clone();
    if !is_figure_name(&minimize) {
        checker.problem(
            head.minimize.span(),
            format!("optimize.minimize `{minimize}` is not a figure name; allowed: a dotted summary.json figure, e.g. \"cost.total_usd\""),
        );
    }
    let mut constraints = Vec::new();
    for (index, entry) in head.subject_to.iter().enumerate() {
        match parse_constraint(entry.get_ref()) {
            Ok(constraint) => constraints.push(constraint),
            Err(why) => {
                checker.problem(entry.span(), format!("optimize.subject_to[{index}] `{}`: {why}", entry.get_ref()))
            }
        }
    }
    let replications = *head.replications.get_ref();
    if replications == 0 || replications > MAX_REPLICATIONS {
        checker.problem(
            head.replications.span(),
            format!("optimize.replications is {replications}; allowed: 1 to {MAX_REPLICATIONS}"),
        );
    }
    if let Some(confidence) = &head.confidence {
        let level = *confidence.get_ref();
        if !(level > 0.5 && level < 1.0) {
            checker.problem(
                confidence.span(),
                format!("optimize.confidence is {level}; allowed: above 0.5 and below 1, e.g. 0.9"),
            );
        }
    }
    let axes = checker.check_axes(raw.axes);
    let variants = checker.check_variants(raw.variants, &axes);
    let configurations =
        axes.iter().fold(variants.len().max(1), |count: usize, axis| count.saturating_mul(axis.values.len()));
    let budget = *head.budget.get_ref();
    if budget > MAX_BUDGET {
        checker.problem(head.budget.span(), format!("optimize.budget is {budget}; allowed: at most {MAX_BUDGET} runs"));
    } else if (budget as usize) < configurations {
        checker.problem(
            head.budget.span(),
            format!(
                "optimize.budget is {budget} runs, fewer than the {configurations} configurations; \
                 every configuration is run at least once, so allowed: at least {configurations}"
            ),
        );
    }
    if !checker.problems.is_empty() {
        let mut problems = checker.problems;
        problems.sort_by_key(|problem| problem.location);
        return Err(SpecError::InvalidOptimize { file: file.to_path_buf(), problems });
    }
    let mut metrics = vec![minimize.clone()];
    for constraint in &constraints {
        if !metrics.contains(&constraint.metric) {
            metrics.push(constraint.metric.clone());
        }
    }
    let directory = file.parent().unwrap_or_else(|| Path::new(""));
    let scenario: PathBuf = directory.join(head.scenario.get_ref());
    Ok(OptimizeSpec {
        sweep: SweepSpec { name, scenario, replications, metrics, axes, variants },
        minimize,
        constraints,
        budget: budget as usize,
        confidence: head.confidence.map(|c| *c.get_ref()),
    })
}

fn is_figure_name(name: &str) -> bool {
    !name.is_empty() && !name.split('.').any(str::is_empty) && !name.contains(['[', ']', ' '])
}

/// `metric <= number` or `metric >= number`, spaces optional.
pub fn parse_constraint(text: &str) -> Result<Constraint, String> {
    let allowed = "allowed: \"FIGURE <= NUMBER\" or \"FIGURE >= NUMBER\", e.g. \"latency.p99_ms <= 200\"";
    let (at, bound) = match (text.find("<="), text.find(">=")) {
        (Some(at), None) => (at, Bound::AtMost),
        (None, Some(at)) => (at, Bound::AtLeast),
        _ => return Err(format!("no single `<=` or `>=`; {allowed}")),
    };
    let metric = text[..at].trim();
    let number = text[at + 2..].trim();
    if !is_figure_name(metric) {
        return Err(format!("`{metric}` is not a figure name; {allowed}"));
    }
    let limit: f64 = number.parse().map_err(|_| format!("`{number}` is not a number; {allowed}"))?;
    if !limit.is_finite() {
        return Err(format!("`{number}` is not a finite number; {allowed}"));
    }
    Ok(Constraint { metric: metric.to_string(), bound, limit })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constraints_read_both_directions_and_refuse_the_rest() {
        let c = parse_constraint("services.web.slo.violation_minutes<=0").unwrap();
        assert_eq!((c.metric.as_str(), c.bound, c.limit), ("services.web.slo.violation_minutes", Bound::AtMost, 0.0));
        let c = parse_constraint(" requests.availability >= 0.999 ").unwrap();
        assert_eq!((c.bound, c.limit), (Bound::AtLeast, 0.999));
        assert_eq!(c.to_string(), "requests.availability >= 0.999");
        assert!(parse_constraint("latency.p99_ms < 200").unwrap_err().starts_with("no single `<=` or `>=`"));
        assert!(parse_constraint("latency.p99_ms <= fast").unwrap_err().starts_with("`fast` is not a number"));
        assert!(parse_constraint("<= 3").unwrap_err().starts_with("`` is not a figure name"));
        assert!(parse_constraint("a <= inf").is_err());
    }

    #[test]
    fn every_problem_is_reported_with_its_place() {
        let text = "[optimize]\nname = \"o\"\nscenario = \"s.toml\"\nminimize = \"cost..usd\"\n\
                    subject_to = [\"latency.p99_ms < 200\"]\nreplications = 0\nbudget = 2\nconfidence = 1.5\n\
                    [[axes]]\nkey = \"a.b\"\nrange = [1, 3]\n";
        let error = parse_optimize(text, Path::new("o.toml")).unwrap_err().to_string();
        let expected = "o.toml: invalid optimize file (5 problem(s)):
  o.toml:4:12: optimize.minimize `cost..usd` is not a figure name; allowed: a dotted summary.json figure, e.g. \"cost.total_usd\"
  o.toml:5:15: optimize.subject_to[0] `latency.p99_ms < 200`: no single `<=` or `>=`; allowed: \"FIGURE <= NUMBER\" or \"FIGURE >= NUMBER\", e.g. \"latency.p99_ms <= 200\"
  o.toml:6:16: optimize.replications is 0; allowed: 1 to 10000
  o.toml:7:10: optimize.budget is 2 runs, fewer than the 3 configurations; every configuration is run at least once, so allowed: at least 3
  o.toml:8:14: optimize.confidence is 1.5; allowed: above 0.5 and below 1, e.g. 0.9";
        assert_eq!(error, expected);
    }
}
