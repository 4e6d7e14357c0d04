//! The values a summary figure can take, known from its name alone: what
//! lets the search drop a configuration *exactly*, before all its
//! replications are run, when the ones still to come cannot bring its mean
//! back within a constraint's limit.
//!
//! Only figures that cannot be negative (or are a fraction) by definition
//! have a range; any other figure has none and is never dropped this way.

use crate::diff::unit;

/// The least and the greatest value a figure can take; `None` where unknown.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FigureRange {
    pub lowest: Option<f64>,
    pub highest: Option<f64>,
}

/// The range of a dotted `summary.json` figure: an `availability` is a share
/// of requests, in [0, 1]; a figure in a unit of time (its unit as `ecsim
/// diff` reads it from the key: latencies and durations in ms or s, SLO and
/// pending task-minutes, task and instance hours) is at least 0. Costs have
/// no range (a remainder such as `cost.unallocated_usd` may be negative), nor
/// have counts or percentages.
pub fn figure_range(metric: &str) -> FigureRange {
    if metric.rsplit('.').next() == Some("availability") {
        return FigureRange { lowest: Some(0.0), highest: Some(1.0) };
    }
    let lowest = matches!(unit(metric), Some("ms" | "s" | "min" | "h")).then_some(0.0);
    FigureRange { lowest, highest: None }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_come_from_the_figures_unit() {
        let non_negative = FigureRange { lowest: Some(0.0), highest: None };
        assert_eq!(figure_range("latency.p99_ms"), non_negative);
        assert_eq!(figure_range("services.api.latency.end_to_end.p99_ms"), non_negative);
        assert_eq!(figure_range("slo.violation_minutes"), non_negative);
        assert_eq!(figure_range("tasks.pending_task_minutes"), non_negative);
        assert_eq!(figure_range("deployments.web.duration_s"), non_negative);
        assert_eq!(figure_range("tasks.task_hours.web"), non_negative);
        assert_eq!(figure_range("requests.availability"), FigureRange { lowest: Some(0.0), highest: Some(1.0) });
        assert_eq!(figure_range("services.web.requests.availability").highest, Some(1.0));
        // No range: costs, counts, percentages, and a name in a map that is not a unit.
        let unknown = FigureRange { lowest: None, highest: None };
        assert_eq!(figure_range("cost.unallocated_usd"), unknown);
        assert_eq!(figure_range("cost.total_usd"), unknown);
        assert_eq!(figure_range("requests.failed"), unknown);
        assert_eq!(figure_range("services.web.scaling.cpu_target_percent"), unknown);
        assert_eq!(figure_range("services.web.scaling.by_policy.cpu_s"), unknown);
    }
}
