//! What the charts of one run share: the run's data, its time axis and
//! warm-up shading, the record of a chart left out, and the line styles.
//! It sits below the chart files (cost, instances, services) that use it, so
//! that they import it and not each other.

use plotters::style::RGBColor;

use crate::chart::figure::{Dash, Figure, Layer, MarkerGroup, Panel, Shade};
use crate::chart::markers::{MarkerView, marker_groups};
use crate::chart::run_data::RunData;
use crate::chart::time_axis::TimeAxis;

/// A chart that would have shown nothing, named as its title would have been.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct SkippedChart {
    pub title: String,
    pub reason: String,
}

/// What every chart of a run shares: the data, the time axis and the
/// warm-up shading.
pub(crate) struct RunContext<'a> {
    pub run: &'a RunData,
    pub axis: TimeAxis,
    shade: Option<Shade>,
}

impl RunContext<'_> {
    pub(crate) fn new(run: &RunData) -> RunContext<'_> {
        let axis = TimeAxis::window(run, run.window_s.0, run.window_s.1);
        // Only a warm-up inside the window drawn is shaded (and in the legend).
        let shade = (run.warmup_s > axis.from_s).then(|| Shade {
            from: 0.0,
            to: axis.position(run.warmup_s),
            label: "warm-up (not in summary.json)".to_string(),
        });
        RunContext { run, axis, shade }
    }

    /// "<scenario>: <what>", the title of every run chart.
    pub(crate) fn title(&self, what: &str) -> String {
        format!("{}: {what}", self.run.scenario_name)
    }

    pub(crate) fn figure(
        &self,
        stem: String,
        what: &str,
        subtitle: String,
        panels: Vec<Panel>,
        markers: Vec<MarkerGroup>,
    ) -> Figure {
        Figure {
            stem,
            title: self.title(what),
            subtitle: Some(subtitle),
            x: match &self.run.clock {
                Some(clock) => self.axis.wall_clock_axis(clock),
                None => self.axis.x_axis(),
            },
            panels,
            markers,
            shade: self.shade.clone(),
        }
    }

    /// Markers for charts about the whole cluster (no scaling decisions).
    pub(crate) fn cluster_markers(&self) -> Vec<MarkerGroup> {
        marker_groups(&self.run.events, None, self.marker_view())
    }

    /// Markers for the charts of one service (with its scaling decisions).
    pub(crate) fn service_markers(&self, service: &str) -> Vec<MarkerGroup> {
        marker_groups(&self.run.events, Some(service), self.marker_view())
    }

    fn marker_view(&self) -> MarkerView {
        MarkerView {
            seconds_per_unit: self.axis.seconds_per_unit,
            window_s: (self.axis.from_s, self.axis.to_s),
            warmup_s: self.run.warmup_s,
        }
    }

    pub(crate) fn skipped(&self, what: &str, reason: impl Into<String>) -> SkippedChart {
        SkippedChart { title: self.title(what), reason: reason.into() }
    }
}

/// Default stroke width of data lines.
const LINE_WIDTH: u32 = 2;

/// A data line of the default width.
pub(crate) fn line(label: impl Into<String>, colour: RGBColor, dash: Dash, segments: Vec<Vec<(f64, f64)>>) -> Layer {
    Layer::Line { label: label.into(), colour, dash, width: LINE_WIDTH, marker: None, segments }
}

/// A line drawn wide underneath the others, so that it stays visible where
/// a narrow line on top equals it (demand under served, desired under running).
pub(crate) fn wide_line(label: impl Into<String>, colour: RGBColor, segments: Vec<Vec<(f64, f64)>>) -> Layer {
    Layer::Line { label: label.into(), colour, dash: Dash::Solid, width: 6, marker: None, segments }
}

/// Whether a series has a row whose value is not zero.
pub(crate) fn has_nonzero(points: &[(u64, f64)]) -> bool {
    points.iter().any(|p| p.1 != 0.0)
}
