//! `--fail-if` conditions: `METRIC OP THRESHOLD` on the change of one figure
//! from run A to run B, relative when the threshold ends in `%`
//! (`cost.total_usd > +5%`), absolute otherwise
//! (`requests.availability < -0.001`).

use std::fmt;

use thiserror::Error;

use super::compare::{Figures, PROVENANCE_KEYS, is_provenance};
use super::text::{format_number, format_relative};
use crate::scenario::diag::did_you_mean;

/// How a change is compared with the threshold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    Greater,
    GreaterOrEqual,
    Less,
    LessOrEqual,
}

impl Op {
    fn holds(self, change: f64, threshold: f64) -> bool {
        match self {
            Op::Greater => change > threshold,
            Op::GreaterOrEqual => change >= threshold,
            Op::Less => change < threshold,
            Op::LessOrEqual => change <= threshold,
        }
    }
}

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Op::Greater => ">",
            Op::GreaterOrEqual => ">=",
            Op::Less => "<",
            Op::LessOrEqual => "<=",
        })
    }
}

/// One parsed `--fail-if`.
#[derive(Clone, Debug, PartialEq)]
pub struct Condition {
    /// As given.
    pub text: String,
    pub metric: String,
    pub op: Op,
    /// A fraction when `relative` (`+5%` is 0.05), else in the figure's unit.
    pub threshold: f64,
    pub relative: bool,
}

/// The outcome of one condition.
#[derive(Clone, Debug, PartialEq)]
pub struct Verdict {
    pub holds: bool,
    /// The change compared with the threshold: (B − A) / |A| when relative
    /// (±infinity from A = 0 to any other B), B − A otherwise.
    pub change: f64,
    pub relative: bool,
}

impl Verdict {
    /// The change as the condition reads it: `+7.15%` or `-0.0002`.
    pub fn change_text(&self) -> String {
        if self.relative { format_relative(self.change) } else { format_number(self.change, true) }
    }
}

const SHAPE: &str = "write METRIC OP THRESHOLD with OP one of >, >=, <, <=, \
                     e.g. `cost.total_usd > +5%` or `requests.availability < -0.001`";

/// A condition that cannot be read, or that names no figure of both runs.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum ConditionError {
    #[error("--fail-if `{text}`: {reason}; {SHAPE}")]
    Syntax { text: String, reason: String },
    #[error(
        "--fail-if `{text}`: `{metric}` is provenance ({}), not a figure; name a figure of summary.json such as `cost.total_usd`",
        PROVENANCE_KEYS.join(", ")
    )]
    Provenance { text: String, metric: String },
    #[error("--fail-if `{text}`: `{metric}` is missing from {where_}{}", suggestion.as_ref().map(|s| format!("; did you mean `{s}`?")).unwrap_or_default())]
    Missing { text: String, metric: String, where_: &'static str, suggestion: Option<String> },
    #[error(
        "--fail-if `{text}`: `{metric}` is null in {side} (undefined there, e.g. a latency without requests), so it has no change"
    )]
    Null { text: String, metric: String, side: &'static str },
}

impl Condition {
    /// Parses `METRIC OP THRESHOLD`; spaces around the operator are optional.
    pub fn parse(text: &str) -> Result<Condition, ConditionError> {
        let syntax = |reason: &str| ConditionError::Syntax { text: text.to_string(), reason: reason.to_string() };
        let at = text.find(['<', '>']).ok_or_else(|| syntax("no comparison operator"))?;
        let (op, width) = match (&text[at..at + 1], text[at + 1..].starts_with('=')) {
            (">", true) => (Op::GreaterOrEqual, 2),
            (">", false) => (Op::Greater, 1),
            ("<", true) => (Op::LessOrEqual, 2),
            _ => (Op::Less, 1),
        };
        let metric = text[..at].trim();
        if metric.is_empty() {
            return Err(syntax("no metric before the operator"));
        }
        let rest = text[at + width..].trim();
        let (number, relative) = match rest.strip_suffix('%') {
            Some(number) => (number.trim_end(), true),
            None => (rest, false),
        };
        if number.is_empty() {
            return Err(syntax("no threshold after the operator"));
        }
        let value: f64 = number
            .parse()
            .ok()
            .filter(|v: &f64| v.is_finite() && !number.contains(['i', 'I', 'n', 'N']))
            .ok_or_else(|| syntax(&format!("`{rest}` is not a number (with `%` for a relative change)")))?;
        Ok(Condition {
            text: text.to_string(),
            metric: metric.to_string(),
            op,
            threshold: if relative { value / 100.0 } else { value },
            relative,
        })
    }

    /// Compares the change of the metric from `a` to `b` with the threshold.
    pub fn check(&self, a: &Figures, b: &Figures) -> Result<Verdict, ConditionError> {
        let metric = self.metric.as_str();
        if is_provenance(metric) {
            return Err(ConditionError::Provenance { text: self.text.clone(), metric: metric.to_string() });
        }
        // Suggestions come from the run(s) that lack the figure.
        let (where_, lacking): (_, &[&Figures]) = match (a.get(metric), b.get(metric)) {
            (Some(va), Some(vb)) => return self.verdict(*va, *vb),
            (None, None) => ("both runs", &[a, b]),
            (None, Some(_)) => ("run A", &[a]),
            (Some(_), None) => ("run B", &[b]),
        };
        let names = lacking.iter().flat_map(|figures| figures.keys()).map(String::as_str);
        Err(ConditionError::Missing {
            text: self.text.clone(),
            metric: metric.to_string(),
            where_,
            suggestion: did_you_mean(metric, names).map(str::to_string),
        })
    }

    fn verdict(&self, a: Option<f64>, b: Option<f64>) -> Result<Verdict, ConditionError> {
        let null = |side| ConditionError::Null { text: self.text.clone(), metric: self.metric.clone(), side };
        let (a, b) = match (a, b) {
            (Some(a), Some(b)) => (a, b),
            (None, Some(_)) => return Err(null("run A")),
            (Some(_), None) => return Err(null("run B")),
            (None, None) => return Err(null("both runs")),
        };
        let change = if !self.relative {
            b - a
        } else if a != 0.0 {
            (b - a) / a.abs()
        } else if b == a {
            0.0
        } else {
            f64::INFINITY.copysign(b - a)
        };
        Ok(Verdict { holds: self.op.holds(change, self.threshold), change, relative: self.relative })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn figures(pairs: &[(&str, Option<f64>)]) -> Figures {
        pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect()
    }

    #[test]
    fn parses_relative_and_absolute_thresholds() {
        let c = Condition::parse("cost.total_usd > +5%").unwrap();
        assert_eq!((c.metric.as_str(), c.op, c.threshold, c.relative), ("cost.total_usd", Op::Greater, 0.05, true));
        let c = Condition::parse("requests.availability<-0.001").unwrap();
        assert_eq!(
            (c.metric.as_str(), c.op, c.threshold, c.relative),
            ("requests.availability", Op::Less, -0.001, false)
        );
        assert_eq!(Condition::parse("a >= 2").unwrap().op, Op::GreaterOrEqual);
        assert_eq!(Condition::parse("a <= 2 %").unwrap().op, Op::LessOrEqual);
    }

    #[test]
    fn bad_conditions_say_what_to_write() {
        let message = |text: &str| Condition::parse(text).unwrap_err().to_string();
        assert_eq!(
            message("cost.total_usd = 5"),
            format!("--fail-if `cost.total_usd = 5`: no comparison operator; {SHAPE}")
        );
        assert_eq!(message("> 5"), format!("--fail-if `> 5`: no metric before the operator; {SHAPE}"));
        assert_eq!(message("a >"), format!("--fail-if `a >`: no threshold after the operator; {SHAPE}"));
        assert_eq!(
            message("a > five%"),
            format!("--fail-if `a > five%`: `five%` is not a number (with `%` for a relative change); {SHAPE}")
        );
        assert!(Condition::parse("a > inf").is_err());
        assert!(Condition::parse("a > NaN%").is_err());
    }

    #[test]
    fn relative_and_absolute_changes_against_the_threshold() {
        // 2.0 -> 2.3: +0.3 absolute, +15% relative.
        let (a, b) = (figures(&[("cost", Some(2.0))]), figures(&[("cost", Some(2.3))]));
        let check = |text: &str| Condition::parse(text).unwrap().check(&a, &b).unwrap();
        assert!(check("cost > +5%").holds);
        assert!(!check("cost > +20%").holds);
        assert!(check("cost > 0.25").holds);
        assert!(!check("cost > 0.35").holds);
        assert!(!check("cost < 0").holds);
        let verdict = check("cost > +5%");
        assert!((verdict.change - 0.15).abs() < 1e-15, "{}", verdict.change);
        assert_eq!(verdict.change_text(), "+15.00%");
        // From 0, any increase is an infinite relative change; no change is 0.
        let (z, three) = (figures(&[("m", Some(0.0))]), figures(&[("m", Some(3.0))]));
        let from_zero = Condition::parse("m > +1000%").unwrap().check(&z, &three).unwrap();
        assert_eq!((from_zero.holds, from_zero.change), (true, f64::INFINITY));
        assert_eq!(Condition::parse("m > +0%").unwrap().check(&z, &z).unwrap().change, 0.0);
    }

    #[test]
    fn unknown_null_and_provenance_metrics_are_errors() {
        let a = figures(&[("cost.total_usd", Some(1.0)), ("latency.p99_ms", None), ("batch.x.jobs", Some(1.0))]);
        let b = figures(&[("cost.total_usd", Some(1.0)), ("latency.p99_ms", Some(3.0))]);
        let error = |text: &str| Condition::parse(text).unwrap().check(&a, &b).unwrap_err().to_string();
        assert_eq!(
            error("cost.totl_usd > 5%"),
            "--fail-if `cost.totl_usd > 5%`: `cost.totl_usd` is missing from both runs; did you mean `cost.total_usd`?"
        );
        assert_eq!(error("batch.x.jobs > 0"), "--fail-if `batch.x.jobs > 0`: `batch.x.jobs` is missing from run B");
        assert_eq!(
            error("latency.p99_ms > 0"),
            "--fail-if `latency.p99_ms > 0`: `latency.p99_ms` is null in run A (undefined there, e.g. a latency \
             without requests), so it has no change"
        );
        assert!(error("seed > 0").starts_with("--fail-if `seed > 0`: `seed` is provenance (assumptions, "));
    }
}
