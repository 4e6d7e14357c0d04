//! `ecsim calibrate`: fits each service's `cpu_per_request` and
//! `baseline_cpu_percent` to observed minutes, and compares a run with
//! observed minutes (`ecsim run --observed`).
//!
//! The model's CPU (docs/model.md §8.5): a serving task with admitted rate
//! a requests/s and cpu units C has cpu% = baseline + 100 × a / μ with
//! μ = (C / 1024) / cpu_per_request, and the service's minute value averages
//! over reporting tasks, so with λ = requests/s over running tasks
//!
//! ```text
//! cpu% = baseline + (100 × cpu_per_request / vCPU) × λ
//! ```
//!
//! a straight line in λ: its intercept is the baseline and its slope s gives
//! cpu_per_request = s × vCPU / 100 (seconds).

pub mod edit;
pub mod estimator;
pub mod points;
pub mod replay;

use crate::observed::Observed;
use crate::scenario::Scenario;
use points::Excluded;
use serde_json::{Value, json};

/// Below this R², CPU does not follow requests: the service is flagged and keeps its values.
pub const MIN_R2: f64 = 0.5;
/// Fewer usable minutes than this give no fit.
pub const MIN_POINTS: usize = 30;
/// A standard error above this share of the value is worth a warning.
const LOOSE_RELATIVE_SE: f64 = 0.1;

/// A fitted service.
#[derive(Clone, Debug, PartialEq)]
pub struct Fitted {
    pub cpu_per_request_ms: f64,
    pub cpu_per_request_ms_se: f64,
    pub baseline_cpu_percent: f64,
    pub baseline_cpu_percent_se: f64,
    pub r2: f64,
}

/// One service's outcome.
#[derive(Clone, Debug)]
pub struct ServiceResult {
    pub service: String,
    pub previous_cpu_per_request_ms: f64,
    pub previous_baseline_cpu_percent: f64,
    pub fitted: Option<Fitted>,
    pub points_used: usize,
    pub excluded: Excluded,
    /// The scenario keeps its values.
    pub flagged: bool,
    /// Why it is flagged, or what to mind about the fit.
    pub messages: Vec<String>,
}

#[derive(Debug, Default)]
pub struct Calibration {
    pub services: Vec<ServiceResult>,
    pub notes: Vec<String>,
}

/// Fits every service of `sc` that receives requests.
pub fn calibrate(sc: &Scenario, obs: &Observed) -> Calibration {
    let mut out = Calibration::default();
    for name in obs.series.keys() {
        if !sc.services.iter().any(|s| &s.name == name) {
            out.notes.push(format!("observed service {name} is not in the scenario; its rows are not used"));
        }
    }
    for svc in &sc.services {
        let w = &svc.workload;
        if w.cpu_per_request_s <= 0.0 {
            out.notes.push(format!("service {} receives no requests in the scenario; nothing to fit", svc.name));
            continue;
        }
        let vcpu = sc.task_defs[svc.task_def.idx()].cpu.vcpu();
        let pts = points::cpu_points(obs, &svc.name);
        let mut r = ServiceResult {
            service: svc.name.clone(),
            previous_cpu_per_request_ms: w.cpu_per_request_s * 1000.0,
            previous_baseline_cpu_percent: w.baseline_cpu_percent,
            fitted: None,
            points_used: pts.xy.len(),
            excluded: pts.excluded,
            flagged: true,
            messages: Vec::new(),
        };
        judge(&mut r, &pts.xy, vcpu);
        out.services.push(r);
    }
    out
}

/// Fits the points and decides whether the fit is used.
fn judge(r: &mut ServiceResult, xy: &[(f64, f64)], vcpu: f64) {
    if xy.len() < MIN_POINTS {
        r.messages.push(format!(
            "only {} usable minutes (at least {MIN_POINTS} needed: minutes with CPU, requests and an unchanged running task count below {}% CPU)",
            xy.len(),
            points::SATURATED_CPU_PERCENT
        ));
        return;
    }
    let Some(fit) = estimator::fit(xy) else {
        r.messages.push("the per-task request rate is the same in every usable minute: no slope to fit".into());
        return;
    };
    // cpu% = baseline + slope × λ with slope = 100 × cpu_per_request / vCPU.
    let to_ms = vcpu / 100.0 * 1000.0;
    let f = Fitted {
        cpu_per_request_ms: fit.line.slope * to_ms,
        cpu_per_request_ms_se: fit.slope_se * to_ms,
        baseline_cpu_percent: fit.line.intercept,
        baseline_cpu_percent_se: fit.intercept_se,
        r2: fit.r2,
    };
    let spread = relative_spread(xy);
    let narrow = format!(
        "the per-task request rate varies by only {:.0}% around its median (10th to 90th percentile), as target tracking keeps it, so the slope is poorly identified",
        spread * 100.0
    );
    if f.r2 < MIN_R2 {
        r.messages.push(format!(
            "CPU does not follow requests: R² = {:.3} is below {MIN_R2}; the scenario keeps its values",
            f.r2
        ));
        if spread < 0.5 {
            r.messages.push(narrow);
        }
    } else if f.cpu_per_request_ms <= 0.0 {
        r.messages.push(format!(
            "CPU falls as requests rise (slope {:.4} ms per request); the scenario keeps its values",
            f.cpu_per_request_ms
        ));
    } else {
        r.flagged = false;
        if f.cpu_per_request_ms_se.is_nan() || f.cpu_per_request_ms_se > LOOSE_RELATIVE_SE * f.cpu_per_request_ms {
            r.messages.push(format!(
                "cpu_per_request is loosely determined: its standard error is {:.0}% of the value",
                100.0 * f.cpu_per_request_ms_se / f.cpu_per_request_ms
            ));
            if spread < 0.5 {
                r.messages.push(narrow);
            }
        }
        if !(0.0..=100.0).contains(&f.baseline_cpu_percent) {
            r.messages.push(format!(
                "the fitted baseline {:.2}% is outside 0–100% and is written as {:.2}%",
                f.baseline_cpu_percent,
                written_baseline(f.baseline_cpu_percent)
            ));
        }
    }
    r.fitted = Some(f);
}

/// (90th − 10th percentile) / median of the per-task request rates.
fn relative_spread(xy: &[(f64, f64)]) -> f64 {
    let mut x: Vec<f64> = xy.iter().map(|p| p.0).collect();
    x.sort_by(f64::total_cmp);
    let at = |q: f64| x[((x.len() - 1) as f64 * q).round() as usize];
    let median = at(0.5);
    if median > 0.0 { (at(0.9) - at(0.1)) / median } else { f64::INFINITY }
}

/// The baseline as written: within the scenario's 0–100, two decimals.
pub fn written_baseline(b: f64) -> f64 {
    (b.clamp(0.0, 100.0) * 100.0).round() / 100.0
}

/// A duration in milliseconds with four significant digits ("5.002ms"), never in exponent form.
pub fn written_ms(ms: f64) -> String {
    let digits = if ms > 0.0 { (3 - libm::floor(libm::log10(ms)) as i32).clamp(0, 12) as usize } else { 0 };
    let s = format!("{ms:.digits$}");
    let s = if s.contains('.') { s.trim_end_matches('0').trim_end_matches('.').to_string() } else { s };
    format!("{s}ms")
}

/// The scenario edits for the services not flagged.
pub fn changes(c: &Calibration) -> Vec<edit::Change> {
    c.services
        .iter()
        .filter(|r| !r.flagged)
        .filter_map(|r| {
            let f = r.fitted.as_ref()?;
            let prev_ms = written_ms(r.previous_cpu_per_request_ms);
            Some(edit::Change {
                service: r.service.clone(),
                cpu_per_request: written_ms(f.cpu_per_request_ms),
                cpu_per_request_comment: format!(
                    "± {} (standard error, bootstrap), Theil–Sen over {} minutes, R² {:.3}; was \"{prev_ms}\"",
                    written_ms(f.cpu_per_request_ms_se),
                    r.points_used,
                    f.r2
                ),
                baseline_cpu_percent: written_baseline(f.baseline_cpu_percent),
                baseline_comment: format!(
                    "± {:.2} (standard error, bootstrap); was {}",
                    f.baseline_cpu_percent_se, r.previous_baseline_cpu_percent
                ),
            })
        })
        .collect()
}

fn num(v: f64) -> Value {
    if v.is_finite() { json!(v) } else { Value::Null }
}

/// REPORT.json: per service the fitted values (null without a fit), their
/// standard errors, R², minutes used and left out, the values before, and
/// whether the service is flagged (then the scenario keeps its values).
pub fn report_json(c: &Calibration) -> Value {
    let services: serde_json::Map<String, Value> = c
        .services
        .iter()
        .map(|r| {
            let f = r.fitted.as_ref();
            let e = r.excluded;
            let v = json!({
                "cpu_per_request_ms": f.map_or(Value::Null, |f| num(f.cpu_per_request_ms)),
                "cpu_per_request_ms_se": f.map_or(Value::Null, |f| num(f.cpu_per_request_ms_se)),
                "baseline_cpu_percent": f.map_or(Value::Null, |f| num(f.baseline_cpu_percent)),
                "baseline_cpu_percent_se": f.map_or(Value::Null, |f| num(f.baseline_cpu_percent_se)),
                "r2": f.map_or(Value::Null, |f| num(f.r2)),
                "points_used": r.points_used,
                "points_excluded": {
                    "incomplete": e.incomplete,
                    "no_task": e.no_task,
                    "tasks_changed": e.tasks_changed,
                    "saturated": e.saturated,
                },
                "previous_cpu_per_request_ms": num(r.previous_cpu_per_request_ms),
                "previous_baseline_cpu_percent": num(r.previous_baseline_cpu_percent),
                "flagged": r.flagged,
                "messages": r.messages,
            });
            (r.service.clone(), v)
        })
        .collect();
    json!({
        "estimator": {
            "method": "Theil-Sen (median of pairwise slopes; intercept = median residual)",
            "standard_errors": format!("bootstrap, {} resamples of the minutes, seed {}", estimator::BOOTSTRAP_RESAMPLES, estimator::SEED),
            "min_r2": MIN_R2,
            "min_points": MIN_POINTS,
        },
        "services": services,
        "notes": c.notes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_are_written_with_four_significant_digits() {
        assert_eq!(written_ms(5.00213), "5.002ms");
        assert_eq!(written_ms(12.0), "12ms");
        assert_eq!(written_ms(0.0123456), "0.01235ms");
        assert_eq!(written_ms(1234.56), "1235ms");
        assert_eq!(written_baseline(-0.4), 0.0);
        assert_eq!(written_baseline(4.056), 4.06);
    }
}
