//! The chart of an optimize search: every configuration tried, its mean
//! objective against the figure of the binding constraint, feasible ones
//! apart from the others, the constraint's limit as a line, the choice
//! circled, each point labelled by its axis values (as the sweep's Pareto
//! charts label theirs).

use super::figure::{ErrorPoint, Figure, Layer, Panel, Shape, XAxis, XScale};
use super::palette;
use super::ticks::padded_range;

/// One configuration tried: its mean objective (x) and its binding figure (y).
#[derive(Debug, Clone, PartialEq)]
pub struct TrialPoint {
    pub configuration: usize,
    /// Its axis values and variant, "60 fargate" ([`super::values_label`]).
    pub label: String,
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
    /// What the labels list, "target_value variant" ([`super::labels_key`]).
    pub labels: String,
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
    let drawn = || chart.trials.iter().filter(|t| t.objective.is_finite() && t.constraint.is_finite());
    // The ring marks the choice; every label, the choice's too, is placed in one layer so none overlaps another.
    let chosen: Vec<(f64, f64, String)> =
        drawn().filter(|t| t.chosen).map(|t| (t.objective, t.constraint, String::new())).collect();
    let tags: Vec<(f64, f64, String)> = drawn().map(|t| (t.objective, t.constraint, t.label.clone())).collect();
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
        Layer::Tags { points: tags },
    ];
    let xs: Vec<f64> = chart.trials.iter().map(|t| t.objective).collect();
    let (min, max) = padded_range(&xs, &[]);
    Figure {
        stem: OPTIMIZE_STEM.to_string(),
        title: format!("{}: {} against {}", chart.name, chart.constraint_metric, chart.objective),
        subtitle: Some(format!(
            "one point per configuration tried (mean of its replications), labelled {}; binding constraint: {}",
            chart.labels, chart.constraint
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
    fn points_are_labelled_by_their_axis_values_and_the_choice_is_ringed() {
        let trial = |configuration, target: &str, variant: &str, objective, constraint, feasible, chosen| TrialPoint {
            configuration,
            label: crate::chart::values_label(&[target.to_string()], variant, true),
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
            labels: crate::chart::labels_key(
                &["services[api].auto_scaling.target_tracking[cpu].target_value".into()],
                true,
            ),
            trials: vec![
                trial(0, "70", "ec2", 40.0, 250.0, false, false),
                trial(4, "60", "fargate", 50.0, 150.0, true, true),
                trial(7, "50", "fargate", 60.0, 120.0, true, false),
            ],
        };
        let figure = optimize_figure(&chart);
        let layers = &figure.panels[0].layers;
        assert!(matches!(&layers[0], Layer::Threshold { y, .. } if *y == 200.0));
        assert!(matches!(&layers[1], Layer::Points { points, .. } if points.len() == 2));
        assert!(matches!(&layers[2], Layer::Points { points, .. } if points.len() == 1 && points[0].x == 40.0));
        // The ring: the choice, without a tag of its own; the tags: every point by its values.
        assert!(matches!(&layers[3], Layer::Frontier { points, .. } if points == &[(50.0, 150.0, String::new())]));
        let Layer::Tags { points } = &layers[4] else { panic!("{:?}", layers[4]) };
        let tags: Vec<&str> = points.iter().map(|p| p.2.as_str()).collect();
        assert_eq!(tags, ["70 ec2", "60 fargate", "50 fargate"]);
        let subtitle = figure.subtitle.clone().unwrap();
        assert!(subtitle.contains("labelled target_value variant"), "{subtitle}");
        assert!(!subtitle.contains("cN"), "{subtitle}");
        // The x axis covers 40..60 padded by 5% of the span: 39..61.
        assert_eq!((figure.x.min, figure.x.max), (39.0, 61.0));
        let svg = super::super::output::svg_string(&figure).unwrap();
        for text in ["chosen", "70 ec2", "60 fargate", "50 fargate"] {
            assert!(svg.contains(text), "{text} not in the SVG");
        }
        assert!(!svg.contains(">c4<"), "no cN tag");
    }
}
