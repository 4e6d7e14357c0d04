//! The comparison itself: which figures differ, in which order, and what in
//! the provenance of the two runs differs.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use serde_json::Value;

use crate::report::flatten;

/// Top-level keys of `summary.json` that say what was run rather than what
/// happened (versions, the scenario's name and hash, the seed, the horizon,
/// `--set` overrides, assumptions): shown when they differ, never compared as
/// figures, and not allowed in `--fail-if`.
pub const PROVENANCE_KEYS: [&str; 10] = [
    "assumptions",
    "catalog_date",
    "duration_s",
    "ecsim_version",
    "overrides",
    "replication",
    "scenario",
    "scenario_sha256",
    "seed",
    "warmup_s",
];

/// Sections (top-level keys) in report order: cost first, then reliability
/// (requests, SLO, latency), then what explains them. A section not listed
/// comes after these, by name.
pub const SECTIONS: [&str; 10] =
    ["cost", "requests", "slo", "latency", "tasks", "instances", "scaling", "deployments", "batch", "services"];

/// The figures of one summary: dotted name to value, `None` for null.
pub type Figures = BTreeMap<String, Option<f64>>;

/// Every scalar figure of a summary, without its provenance.
pub fn figures(summary: &Value) -> Figures {
    let mut all = flatten(summary);
    all.retain(|metric, _| !is_provenance(metric));
    all
}

/// Whether a dotted name is provenance (see [`PROVENANCE_KEYS`]).
pub fn is_provenance(metric: &str) -> bool {
    PROVENANCE_KEYS.contains(&section_of(metric))
}

fn section_of(metric: &str) -> &str {
    metric.split('.').next().unwrap_or(metric)
}

/// A figure both runs report, with different values.
#[derive(Clone, Debug, PartialEq)]
pub struct Change {
    pub metric: String,
    pub a: Option<f64>,
    pub b: Option<f64>,
}

impl Change {
    /// B − A; `None` when either is null.
    pub fn absolute(&self) -> Option<f64> {
        Some(self.b? - self.a?)
    }

    /// (B − A) / |A|, so an increase is positive whatever A's sign; `None`
    /// when A is 0 (no finite ratio) or either is null.
    pub fn relative(&self) -> Option<f64> {
        let (a, b) = (self.a?, self.b?);
        (a != 0.0).then(|| (b - a) / a.abs())
    }

    /// The top-level key the figure belongs to.
    pub fn section(&self) -> &str {
        section_of(&self.metric)
    }
}

/// A provenance value that differs; `None` where a run lacks the key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProvenanceChange {
    pub key: String,
    pub a: Option<String>,
    pub b: Option<String>,
}

/// What differs between two runs.
#[derive(Clone, Debug, PartialEq)]
pub struct Comparison {
    /// Figures both runs report that differ, in report order (see [`compare`]).
    pub changes: Vec<Change>,
    /// Figures both runs report.
    pub compared: usize,
    /// Figures only one run reports, by name.
    pub only_in_a: Vec<String>,
    pub only_in_b: Vec<String>,
    /// Provenance that differs, in [`PROVENANCE_KEYS`] order (each assumption on its own).
    pub provenance: Vec<ProvenanceChange>,
    /// The scenario names of A and B (empty when missing).
    pub scenarios: (String, String),
}

impl Comparison {
    /// Whether A and B are runs of scenarios with different names.
    pub fn different_scenarios(&self) -> bool {
        self.scenarios.0 != self.scenarios.1
    }
}

/// Compares summary A with summary B.
///
/// Report order: by section ([`SECTIONS`], then other sections by name);
/// within a section, the largest relative change first (a change from 0, or
/// to or from null, counts as infinite), then the largest absolute change,
/// then by name.
pub fn compare(a: &Value, b: &Value) -> Comparison {
    let (fa, fb) = (figures(a), figures(b));
    let mut changes: Vec<Change> = fa
        .iter()
        .filter_map(|(metric, &va)| {
            let &vb = fb.get(metric)?;
            (va != vb).then(|| Change { metric: metric.clone(), a: va, b: vb })
        })
        .collect();
    changes.sort_by(report_order);
    let only = |x: &Figures, y: &Figures| x.keys().filter(|k| !y.contains_key(*k)).cloned().collect::<Vec<_>>();
    let name = |v: &Value| v.get("scenario").and_then(Value::as_str).unwrap_or_default().to_string();
    Comparison {
        compared: fa.keys().filter(|k| fb.contains_key(*k)).count(),
        only_in_a: only(&fa, &fb),
        only_in_b: only(&fb, &fa),
        changes,
        provenance: provenance_changes(a, b),
        scenarios: (name(a), name(b)),
    }
}

fn report_order(x: &Change, y: &Change) -> Ordering {
    let rank = |c: &Change| {
        let section = c.section();
        (SECTIONS.iter().position(|s| *s == section).unwrap_or(SECTIONS.len()), section.to_string())
    };
    let relative = |c: &Change| c.relative().map_or(f64::INFINITY, f64::abs);
    let absolute = |c: &Change| c.absolute().map_or(f64::INFINITY, f64::abs);
    rank(x)
        .cmp(&rank(y))
        .then_with(|| relative(y).total_cmp(&relative(x)))
        .then_with(|| absolute(y).total_cmp(&absolute(x)))
        .then_with(|| x.metric.cmp(&y.metric))
}

fn provenance_changes(a: &Value, b: &Value) -> Vec<ProvenanceChange> {
    let mut out = Vec::new();
    for key in PROVENANCE_KEYS {
        let (va, vb) = (a.get(key), b.get(key));
        if key == "assumptions" {
            let entries = |v: Option<&Value>| {
                v.and_then(Value::as_object)
                    .map(|map| map.iter().map(|(k, v)| (k.clone(), text(v))).collect::<BTreeMap<_, _>>())
                    .unwrap_or_default()
            };
            let (ea, eb) = (entries(va), entries(vb));
            let names: std::collections::BTreeSet<&String> = ea.keys().chain(eb.keys()).collect();
            for name in names {
                let (ta, tb) = (ea.get(name).cloned(), eb.get(name).cloned());
                if ta != tb {
                    out.push(ProvenanceChange { key: format!("assumptions.{name}"), a: ta, b: tb });
                }
            }
        } else if va != vb {
            out.push(ProvenanceChange { key: key.to_string(), a: va.map(text), b: vb.map(text) });
        }
    }
    out
}

/// A JSON value as people read it: strings without quotes, arrays joined by ", ".
fn text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.as_f64().map_or_else(|| n.to_string(), crate::fmt::fmt_f64),
        Value::Array(items) => items.iter().map(text).collect::<Vec<_>>().join(", "),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn summary(total: f64, p99: Option<f64>, extra: Value) -> Value {
        let mut v = json!({
            "scenario": "s", "seed": 7, "scenario_sha256": "aa", "duration_s": 3600.0,
            "assumptions": {"x": "1"},
            "cost": {"total_usd": total, "by_provider": {"FARGATE": total}},
            "latency": {"p99_ms": p99},
            "requests": {"availability": 1.0},
            "tasks": {"started": 4},
        });
        if let (Value::Object(map), Value::Object(more)) = (&mut v, extra) {
            map.extend(more);
        }
        v
    }

    #[test]
    fn figures_read_from_summary_text_keep_every_digit() {
        // Full-precision figures as summary.json prints them (shortest round trip). serde_json's
        // default parser reads each of these one ulp off (15.50985880356732, 212.55914277211505,
        // 0.0018832081314846512), so a diff would print a figure that is not in the file; its
        // `float_roundtrip` feature reads them exactly.
        for (text, exact) in [
            ("15.509858803567319", 15.509_858_803_567_319),
            ("212.55914277211502", 212.559_142_772_115_02),
            ("0.0018832081314846514", 0.001_883_208_131_484_651_4),
        ] {
            let summary: Value = serde_json::from_str(&format!("{{\"cost\": {{\"total_usd\": {text}}}}}")).unwrap();
            assert_eq!(figures(&summary)["cost.total_usd"], Some(exact), "{text}");
            assert_eq!(format!("{exact}"), text);
        }
    }

    #[test]
    fn a_run_against_itself_differs_in_nothing() {
        let a = summary(2.0, Some(80.0), json!({}));
        let c = compare(&a, &a);
        assert!(c.changes.is_empty() && c.provenance.is_empty() && c.only_in_a.is_empty() && c.only_in_b.is_empty());
        // cost.total_usd, cost.by_provider.FARGATE, latency.p99_ms,
        // requests.availability, tasks.started; seed and duration_s are provenance.
        assert_eq!(c.compared, 5);
    }

    #[test]
    fn changes_are_exact_and_provenance_is_apart() {
        let a = summary(2.0, Some(80.0), json!({}));
        let b = summary(2.5, Some(80.0), json!({"seed": 8, "overrides": ["a.b=1", "c=\"x\""]}));
        let c = compare(&a, &b);
        let names: Vec<&str> = c.changes.iter().map(|c| c.metric.as_str()).collect();
        assert_eq!(names, ["cost.by_provider.FARGATE", "cost.total_usd"]);
        // 2.0 -> 2.5: +0.5 absolute, +0.5 / 2 = +25% relative.
        assert_eq!(c.changes[1].absolute(), Some(0.5));
        assert_eq!(c.changes[1].relative(), Some(0.25));
        assert_eq!(
            c.provenance,
            [
                ProvenanceChange { key: "overrides".into(), a: None, b: Some("a.b=1, c=\"x\"".into()) },
                ProvenanceChange { key: "seed".into(), a: Some("7".into()), b: Some("8".into()) },
            ]
        );
        assert!(!c.different_scenarios());
    }

    #[test]
    fn report_order_is_section_then_relative_then_absolute_then_name() {
        let a = json!({"services": {"w": {"x": 1.0}}, "tasks": {"started": 10, "stopped": 1, "zero": 0},
                       "requests": {"availability": 1.0}, "cost": {"total_usd": 100.0, "unallocated_usd": 1.0},
                       "zeta": {"q": 1}, "alpha": {"q": 1}});
        let b = json!({"services": {"w": {"x": 2.0}}, "tasks": {"started": 20, "stopped": 2, "zero": 3},
                       "requests": {"availability": 0.99}, "cost": {"total_usd": 110.0, "unallocated_usd": 2.0},
                       "zeta": {"q": 2}, "alpha": {"q": 2}});
        let c = compare(&a, &b);
        let names: Vec<&str> = c.changes.iter().map(|c| c.metric.as_str()).collect();
        // cost: unallocated +100% before total +10%. tasks: zero (from 0,
        // infinite) first; started and stopped both +100%, started's +10
        // absolute before stopped's +1. Unlisted sections last, by name.
        assert_eq!(
            names,
            [
                "cost.unallocated_usd",
                "cost.total_usd",
                "requests.availability",
                "tasks.zero",
                "tasks.started",
                "tasks.stopped",
                "services.w.x",
                "alpha.q",
                "zeta.q",
            ]
        );
    }

    #[test]
    fn null_and_one_sided_figures() {
        let a = summary(2.0, None, json!({"batch": {"nightly": {"jobs": 3}}}));
        let b = summary(2.0, Some(80.0), json!({"scenario": "other", "assumptions": {"x": "2", "y": "3"}}));
        let c = compare(&a, &b);
        assert_eq!(c.changes, [Change { metric: "latency.p99_ms".into(), a: None, b: Some(80.0) }]);
        assert_eq!(c.changes[0].absolute(), None);
        assert_eq!(c.changes[0].relative(), None);
        assert_eq!(c.only_in_a, ["batch.nightly.jobs"]);
        assert!(c.only_in_b.is_empty());
        assert!(c.different_scenarios());
        let keys: Vec<&str> = c.provenance.iter().map(|p| p.key.as_str()).collect();
        assert_eq!(keys, ["assumptions.x", "assumptions.y", "scenario"]);
    }

    #[test]
    fn relative_change_from_a_negative_or_zero_baseline() {
        let change = |a: f64, b: f64| Change { metric: "m".into(), a: Some(a), b: Some(b) };
        // An increase is positive even from a negative baseline: -2 -> -1 is +50%.
        assert_eq!(change(-2.0, -1.0).relative(), Some(0.5));
        assert_eq!(change(0.0, 3.0).relative(), None);
        assert_eq!(change(0.0, 3.0).absolute(), Some(3.0));
    }
}
