//! The chart of an optimize search: every configuration tried, its mean
//! objective against the figure of the binding constraint, feasible ones
//! apart from the others, the constraint's limit as a line, the choice circled.

use super::figure::{ErrorPoint, Figure, Layer, Panel, Shape, XAxis, XScale};
use super::palette;
use super::ticks::padded_range;

/// One configuration tried: its mean objective (x) and its binding figure (y).
#[derive(Debug, Clone, PartialEq)]
pub struct TrialPoint {
    pub configuration: usize,
    pub objective: f64,
    pub constraint: f64,
    pub feasible: bool,
    pub chosen: bool,
}

/// What the chart shows: names for the axes and title, the limit, the points.
#[derive(Debug, Clone, PartialEq)]
pub struct OptimizeChart {
    pub name: String,
    /// The figure minimised (x axis).
    pub objective: String,
    /// The binding constraint's figure (y axis), and the constraint as text.
    pub constraint_metric: String,
    pub constraint: String,
    pub limit: f64,
    pub trials: Vec<TrialPoint>,
}

/// File stem of the chart under DIR/charts/.
pub const OPTIMIZE_STEM: &str = "optimize-trials";

pub(crate) fn optimize_figure(chart: &OptimizeChart) -> Figure {
    let points = |feasible: bool| -> Vec<ErrorPoint> {
        chart
            .trials
            .iter()
            .filter(|t| t.feasible == feasible && t.objective.is_finite() && t.constraint.is_finite())
            .map(|t| ErrorPoint { x: t.objective, y: t.constraint, x_ci: None, y_ci: None })
            .collect()
    };
    let chosen: Vec<(f64, f64, String)> = chart
        .trials
        .iter()
        .filter(|t| t.chosen && t.objective.is_finite() && t.constraint.is_finite())
        .map(|t| (t.objective, t.constraint, format!("c{}", t.configuration)))
        .collect();
    let layers = vec![
        Layer::Threshold { label: format!("limit: {}", chart.constraint), colour: palette::DARK_GREY, y: chart.limit },
        Layer::Points {
            label: "feasible".to_string(),
            colour: palette::BLUISH_GREEN,
            shape: Shape::Circle,
            points: points(true),
        },
        Layer::Points {
            label: "infeasible".to_string(),
            colour: palette::VERMILLION,
            shape: Shape::Triangle,
            points: points(false),
        },
        Layer::Frontier { label: "chosen".to_string(), points: chosen },
    ];
    let xs: Vec<f64> = chart.trials.iter().map(|t| t.objective).collect();
    let (min, max) = padded_range(&xs, &[]);
    Figure {
        stem: OPTIMIZE_STEM.to_string(),
        title: format!("{}: {} against {}", chart.name, chart.constraint_metric, chart.objective),
        subtitle: Some(format!(
            "one point per configuration tried (mean of its replications); binding constraint: {}; cN = configuration N",
            chart.constraint
        )),
        x: XAxis { label: chart.objective.clone(), scale: XScale::Numeric, min, max },
        panels: vec![Panel {
            y_label: chart.constraint_metric.clone(),
            layers,
            y_include: vec![chart.limit],
            integer_y: false,
            y_cap: None,
            y_limits: None,
            y_ticks: None,
        }],
        markers: Vec::new(),
        shade: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn feasible_infeasible_and_the_choice_are_separate_layers() {
        let trial = |configuration, objective, constraint, feasible, chosen| TrialPoint {
            configuration,
            objective,
            constraint,
            feasible,
            chosen,
        };
        let chart = OptimizeChart {
            name: "o".into(),
            objective: "cost.total_usd".into(),
            constraint_metric: "latency.p99_ms".into(),
            constraint: "latency.p99_ms <= 200".into(),
            limit: 200.0,
            trials: vec![
                trial(0, 40.0, 250.0, false, false),
                trial(1, 50.0, 150.0, true, true),
                trial(2, 60.0, 120.0, true, false),
            ],
        };
        let figure = optimize_figure(&chart);
        let layers = &figure.panels[0].layers;
        assert!(matches!(&layers[0], Layer::Threshold { y, .. } if *y == 200.0));
        assert!(matches!(&layers[1], Layer::Points { points, .. } if points.len() == 2));
        assert!(matches!(&layers[2], Layer::Points { points, .. } if points.len() == 1 && points[0].x == 40.0));
        assert!(matches!(&layers[3], Layer::Frontier { points, .. } if points == &[(50.0, 150.0, "c1".to_string())]));
        // The x axis covers 40..60 padded by 5% of the span: 39..61.
        assert_eq!((figure.x.min, figure.x.max), (39.0, 61.0));
        assert!(super::super::output::svg_string(&figure).unwrap().contains("chosen"));
    }
}
