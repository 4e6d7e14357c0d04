//! Draws a `Figure` on any plotters backend (PNG file, in-memory bitmap, SVG).
//!
//! Layout of the 1200 × 700 canvas: title and subtitle on top, the panels
//! stacked on the left sharing the x axis, the legend in a strip on the right.

use plotters::coord::Shift;
use plotters::coord::ranged1d::ValueFormatter;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::chart::coord::TickedAxis;
use crate::chart::figure::{Dash, ErrorPoint, Figure, Layer, MarkerStyle, Panel, Shape, XScale};
use crate::chart::font::FAMILY;
use crate::chart::labels::place_labels;
use crate::chart::legend::{LegendEntry, Sample, draw_legend, fit_text};
use crate::chart::palette::{BLACK, DARK_GREY, LIGHT_GREY, MID_GREY, SHADE, SHADE_OPACITY};
use crate::chart::primitives::{Fill, draw_shape, fail};
use crate::chart::ticks::{MAX_TICKS, TickFormat, nice_ticks, padded_range, time_ticks, whole_number_ticks};

/// Canvas size of every chart, PNG and SVG alike.
pub(crate) const WIDTH: u32 = 1200;
pub(crate) const HEIGHT: u32 = 700;
const LEGEND_WIDTH: u32 = 250;
const TITLE_SIZE: u32 = 22;
const SUBTITLE_SIZE: u32 = 14;
/// Lines longer than this are drawn thinned (see `thin_min_max`): about two
/// points per horizontal pixel of the plot.
pub(crate) const THIN_BUCKETS: usize = 900;
/// Height of one row of event ticks above a panel, and of a tick in it.
const TICK_ROW: i32 = 9;
const TICK_LENGTH: i32 = 7;
/// Space between a panel's top edge and the lowest row of ticks.
const TICK_GAP: i32 = 3;

/// What the backend does with lines, which decides how thick lines are drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Target {
    /// SVG: the viewer strokes each polyline.
    Vector,
    /// Bitmaps: plotters fills a thick polyline as one polygon, which leaves
    /// spikes where a path turns back on itself, so lines go segment by segment.
    Raster,
}

/// Draws `figure` on `root` (which should be `WIDTH` × `HEIGHT`) and flushes it.
pub(crate) fn draw_figure<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    figure: &Figure,
    target: Target,
) -> anyhow::Result<()> {
    root.fill(&WHITE).map_err(fail)?;
    let (width, _) = root.dim_in_pixel();
    let header_height = draw_header(root, figure)?;
    let body = root.margin(header_height, 6, 6, 6);
    let (body_width, _) = body.dim_in_pixel();
    let (plots, legend_area) = body.split_horizontally(body_width.saturating_sub(LEGEND_WIDTH));
    let x_axis = XGeometry::new(figure);
    let panel_count = figure.panels.len().max(1);
    let areas = plots.split_evenly((panel_count, 1));
    for (index, (panel, area)) in figure.panels.iter().zip(&areas).enumerate() {
        let is_last = index + 1 == figure.panels.len();
        draw_panel(root, area, figure, &x_axis, panel, (is_last, panel_count), target)?;
    }
    let legend_area = legend_area.margin(8, 0, 10, 0);
    draw_legend(&legend_area, &legend_entries(figure))?;
    debug_assert!(width > 0);
    root.present().map_err(fail)?;
    Ok(())
}

/// Draws the title (and subtitle) and returns the height they take.
fn draw_header<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, figure: &Figure) -> anyhow::Result<u32> {
    let (width, _) = root.dim_in_pixel();
    let max_width = width.saturating_sub(32);
    let title_style = TextStyle::from((FAMILY, TITLE_SIZE).into_font()).color(&BLACK);
    let title = fit_text(root, &figure.title, &title_style, max_width)?;
    root.draw(&Text::new(title, (16, 10), title_style)).map_err(fail)?;
    match &figure.subtitle {
        Some(subtitle) => {
            let style = TextStyle::from((FAMILY, SUBTITLE_SIZE).into_font()).color(&DARK_GREY);
            let subtitle = fit_text(root, subtitle, &style, max_width)?;
            root.draw(&Text::new(subtitle, (16, 40), style)).map_err(fail)?;
            Ok(64)
        }
        None => Ok(44),
    }
}

/// The x range, ticks and tick labels every panel of a figure shares.
struct XGeometry {
    min: f64,
    max: f64,
    ticks: Vec<f64>,
    format: TickFormat,
    categories: Option<Vec<String>>,
    /// The label of each tick, when the axis gives them (wall clock).
    labels: Option<Vec<String>>,
}

impl XGeometry {
    fn new(figure: &Figure) -> XGeometry {
        let (min, max) = if figure.x.max > figure.x.min {
            (figure.x.min, figure.x.max)
        } else {
            (figure.x.min - 0.5, figure.x.min + 0.5)
        };
        let (ticks, step, categories) = match &figure.x.scale {
            XScale::Time { in_days } => {
                let (ticks, step) = time_ticks(min, max, *in_days, MAX_TICKS + 2);
                (ticks, step, None)
            }
            XScale::Numeric => {
                let (ticks, step) = nice_ticks(min, max, MAX_TICKS);
                (ticks, step, None)
            }
            XScale::Categories(names) => {
                let ticks = (0..names.len()).map(|i| i as f64).collect();
                (ticks, 1.0, Some(names.clone()))
            }
            XScale::Labelled(ticks) => {
                let (positions, labels): (Vec<f64>, Vec<String>) = ticks.iter().cloned().unzip();
                let format = TickFormat::new(&positions, 1.0);
                return XGeometry { min, max, ticks: positions, format, categories: None, labels: Some(labels) };
            }
        };
        let format = TickFormat::new(&ticks, step);
        XGeometry { min, max, ticks, format, categories, labels: None }
    }

    fn label(&self, value: f64) -> String {
        if let Some(labels) = &self.labels {
            let nearest = self.ticks.iter().position(|t| (t - value).abs() <= 1e-9 * t.abs().max(1.0));
            return nearest.map_or_else(String::new, |i| labels[i].clone());
        }
        match &self.categories {
            Some(names) => {
                let index = value.round();
                if index >= 0.0 && (index as usize) < names.len() {
                    shorten(&names[index as usize], 18)
                } else {
                    String::new()
                }
            }
            None => self.format.format(value),
        }
    }
}

/// At most `max_chars` characters, the last one an ellipsis when cut.
fn shorten(text: &str, max_chars: usize) -> String {
    if text.chars().count() <= max_chars {
        text.to_string()
    } else {
        let kept: String = text.chars().take(max_chars.saturating_sub(1)).collect();
        kept + "…"
    }
}

#[allow(clippy::too_many_arguments)]
fn draw_panel<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    area: &DrawingArea<DB, Shift>,
    figure: &Figure,
    x_axis: &XGeometry,
    panel: &Panel,
    (is_last, panel_count): (bool, usize),
    target: Target,
) -> anyhow::Result<()> {
    let y_values: Vec<f64> = panel.layers.iter().flat_map(Layer::y_extent).collect();
    let (y_min, y_max) = padded_range(&y_values, &panel.y_include);
    // A small count drawn at the very top edge is hard to read: counts get
    // at least one whole unit of headroom.
    let highest = y_values.iter().copied().filter(|v| v.is_finite()).fold(f64::NEG_INFINITY, f64::max);
    let y_max = if panel.integer_y && highest.is_finite() { y_max.max(highest.floor() + 1.0) } else { y_max };
    let y_max = match panel.y_cap {
        Some(cap) if cap > y_min && cap < y_max => cap,
        _ => y_max,
    };
    let (y_min, y_max) = limit_range((y_min, y_max), panel.y_limits);
    let y_tick_budget = if panel_count > 1 { MAX_TICKS / 2 } else { MAX_TICKS };
    let (y_ticks, y_step) = if let Some(given) = &panel.y_ticks {
        (given.iter().map(|t| t.0).filter(|t| (y_min..=y_max).contains(t)).collect(), 1.0)
    } else if panel.integer_y {
        whole_number_ticks(y_min, y_max, y_tick_budget)
    } else {
        nice_ticks(y_min, y_max, y_tick_budget)
    };
    let y_format = TickFormat::new(&y_ticks, y_step);
    let y_text = |value: f64| match &panel.y_ticks {
        Some(given) => given.iter().find(|t| (t.0 - value).abs() <= 1e-9).map_or_else(String::new, |t| t.1.clone()),
        None => y_format.format(value),
    };
    let tick_rows = figure.markers.iter().filter(|g| g.style == MarkerStyle::Ticks).count() as i32;
    let tick_strip = if tick_rows > 0 { tick_rows * TICK_ROW + TICK_GAP } else { 0 };
    let mut chart = ChartBuilder::on(area)
        .margin_top(8 + tick_strip)
        .margin_right(12)
        .x_label_area_size(if is_last { 52 } else { 26 })
        .y_label_area_size(76)
        .build_cartesian_2d(
            TickedAxis::new(x_axis.min, x_axis.max, x_axis.ticks.clone()),
            TickedAxis::new(y_min, y_max, y_ticks),
        )
        .map_err(fail)?;
    let x_label = |v: &f64| x_axis.label(*v);
    let y_label = |v: &f64| y_text(*v);
    let mut mesh = chart.configure_mesh();
    mesh.bold_line_style(LIGHT_GREY)
        .light_line_style(TRANSPARENT)
        .axis_style(MID_GREY)
        .label_style(TextStyle::from((FAMILY, 13).into_font()).color(&DARK_GREY))
        .axis_desc_style(TextStyle::from((FAMILY, 14).into_font()).color(&BLACK))
        .x_label_formatter(&x_label)
        .y_label_formatter(&y_label)
        .y_desc(panel.y_label.as_str());
    if is_last {
        mesh.x_desc(figure.x.label.as_str());
    }
    mesh.draw().map_err(fail)?;

    let plot = chart.plotting_area();
    if let Some(shade) = &figure.shade {
        let (from, to) = (shade.from.max(x_axis.min), shade.to.min(x_axis.max));
        if from < to {
            let fill = SHADE.mix(SHADE_OPACITY).filled();
            plot.draw(&Rectangle::new([(from, y_min), (to, y_max)], fill)).map_err(fail)?;
        }
    }
    let in_range = |t: &&f64| **t >= x_axis.min && **t <= x_axis.max;
    let mut tick_row = 0;
    for group in &figure.markers {
        match group.style {
            MarkerStyle::Lines => {
                let style = group.colour.mix(0.6).stroke_width(1);
                for &t in group.times.iter().filter(in_range) {
                    let line = vec![(t, y_min), (t, y_max)];
                    match group.dash {
                        Dash::Solid => plot.draw(&PathElement::new(line, style)),
                        Dash::Dashed => plot.draw(&DashedPathElement::new(line, 5, 4, style)),
                        Dash::Dotted => plot.draw(&DashedPathElement::new(line, 2, 3, style)),
                    }
                    .map_err(fail)?;
                }
            }
            MarkerStyle::Ticks => {
                // Rows stack upwards from just above the plot, in legend order
                // from the top, drawn on the canvas because they lie outside
                // the plotting area.
                let top = plot.get_pixel_range().1.start;
                let bottom = top - TICK_GAP - (tick_rows - 1 - tick_row) * TICK_ROW;
                let style = group.colour.stroke_width(1);
                for &t in group.times.iter().filter(in_range) {
                    let x = plot.map_coordinate(&(t, y_max)).0;
                    root.draw(&PathElement::new(vec![(x, bottom - TICK_LENGTH), (x, bottom)], style)).map_err(fail)?;
                }
                tick_row += 1;
            }
        }
    }
    // Bands first so that lines and points stay on top of the shading.
    let (bands, others): (Vec<&Layer>, Vec<&Layer>) =
        panel.layers.iter().partition(|layer| matches!(layer, Layer::Band { .. }));
    for layer in bands.into_iter().chain(others) {
        draw_layer(plot, layer, (x_axis.min, x_axis.max), (y_min, y_max), target)?;
    }
    if !panel.layers.iter().any(Layer::has_data) {
        let style =
            TextStyle::from((FAMILY, 16).into_font()).color(&DARK_GREY).pos(Pos::new(HPos::Center, VPos::Center));
        let centre = ((x_axis.min + x_axis.max) / 2.0, (y_min + y_max) / 2.0);
        plot.draw(&Text::new("no data", centre, style)).map_err(fail)?;
    }
    Ok(())
}

/// `range` narrowed to `limits` when given, unless nothing would be left
/// (data entirely outside the limits keeps its own range).
pub(crate) fn limit_range(range: (f64, f64), limits: Option<(f64, f64)>) -> (f64, f64) {
    match limits {
        Some((low, high)) if range.0.max(low) < range.1.min(high) => (range.0.max(low), range.1.min(high)),
        _ => range,
    }
}

type PlotArea<DB, X, Y> = DrawingArea<DB, Cartesian2d<X, Y>>;

fn draw_layer<DB, X, Y>(
    plot: &PlotArea<DB, X, Y>,
    layer: &Layer,
    (x_min, x_max): (f64, f64),
    (y_bottom, y_top): (f64, f64),
    target: Target,
) -> anyhow::Result<()>
where
    DB: DrawingBackend,
    X: Ranged<ValueType = f64> + ValueFormatter<f64>,
    Y: Ranged<ValueType = f64> + ValueFormatter<f64>,
{
    // Beyond a capped or limited axis, data runs along the edge.
    let inside = |y: f64| y.clamp(y_bottom, y_top);
    match layer {
        Layer::Line { colour, dash, width, marker, segments, .. } => {
            let capped: Vec<Vec<(f64, f64)>> =
                segments.iter().map(|s| s.iter().map(|&(x, y)| (x, inside(y))).collect()).collect();
            for segment in capped.iter().filter(|s| !s.is_empty()) {
                let style = colour.stroke_width(*width);
                match dash {
                    _ if segment.len() == 1 => plot.draw(&Circle::new(segment[0], 2, colour.filled())),
                    Dash::Solid if target == Target::Raster => {
                        for pair in segment.windows(2) {
                            plot.draw(&PathElement::new(pair.to_vec(), style)).map_err(fail)?;
                        }
                        Ok(())
                    }
                    Dash::Solid => plot.draw(&PathElement::new(segment.clone(), style)),
                    Dash::Dashed => plot.draw(&DashedPathElement::new(segment.iter().copied(), 7, 5, style)),
                    Dash::Dotted => plot.draw(&DashedPathElement::new(segment.iter().copied(), 2, 4, style)),
                }
                .map_err(fail)?;
            }
            if let Some(shape) = marker {
                for &point in capped.iter().flatten() {
                    draw_pixel_shape(plot, plot.map_coordinate(&point), *shape, *colour, Fill::Hollow)?;
                }
            }
        }
        Layer::Threshold { colour, y, .. } => {
            let line = vec![(x_min, *y), (x_max, *y)];
            plot.draw(&DashedPathElement::new(line, 10, 6, colour.stroke_width(2))).map_err(fail)?;
        }
        Layer::Band { colour, opacity, outline, segments, .. } => {
            for segment in segments.iter().filter(|s| s.len() > 1) {
                let upper: Vec<(f64, f64)> = segment.iter().map(|&(x, _, high)| (x, inside(high))).collect();
                let shape: Vec<(f64, f64)> =
                    upper.iter().copied().chain(segment.iter().rev().map(|&(x, low, _)| (x, inside(low)))).collect();
                plot.draw(&Polygon::new(shape, colour.mix(*opacity).filled())).map_err(fail)?;
                if *outline {
                    plot.draw(&PathElement::new(upper, colour.stroke_width(1))).map_err(fail)?;
                }
            }
        }
        Layer::Points { colour, shape, points, .. } => {
            for point in points {
                draw_error_bars(plot, point, *colour, (y_bottom, y_top))?;
                let (x, y) = plot.map_coordinate(&(point.x, inside(point.y)));
                draw_pixel_shape(plot, (x, y), *shape, *colour, Fill::Solid)?;
            }
        }
        Layer::Frontier { points, .. } => {
            let path: Vec<(f64, f64)> = points.iter().map(|p| (p.0, inside(p.1))).collect();
            plot.draw(&DashedPathElement::new(path.iter().copied(), 8, 5, BLACK.stroke_width(2))).map_err(fail)?;
            for &point in &path {
                plot.draw(&Circle::new(point, 9, BLACK.stroke_width(2))).map_err(fail)?;
            }
            draw_point_tags(plot, &path, points.iter().map(|p| p.2.as_str()))?;
        }
        Layer::Tags { points } => {
            let path: Vec<(f64, f64)> = points.iter().map(|p| (p.0, inside(p.1))).collect();
            draw_point_tags(plot, &path, points.iter().map(|p| p.2.as_str()))?;
        }
    }
    Ok(())
}

/// Tags next to points (in data coordinates), merged and moved apart by
/// `place_labels` so that none prints over another; empty tags are skipped.
fn draw_point_tags<'a, DB, X, Y>(
    plot: &PlotArea<DB, X, Y>,
    points: &[(f64, f64)],
    tags: impl Iterator<Item = &'a str>,
) -> anyhow::Result<()>
where
    DB: DrawingBackend,
    X: Ranged<ValueType = f64> + ValueFormatter<f64>,
    Y: Ranged<ValueType = f64> + ValueFormatter<f64>,
{
    let style = TextStyle::from((FAMILY, 12).into_font()).color(&BLACK);
    let (x_range, y_range) = plot.get_pixel_range();
    let anchors: Vec<((i32, i32), String)> = points
        .iter()
        .zip(tags)
        .filter(|(_, tag)| !tag.is_empty())
        .map(|(point, tag)| (plot.map_coordinate(point), tag.to_string()))
        .collect();
    let size = |text: &str| {
        let (width, height) = plot.estimate_text_size(text, &style).unwrap_or((6 * text.len() as u32, 12));
        (width as i32, height as i32)
    };
    let pixels = plot.strip_coord_spec();
    for label in place_labels(&anchors, (x_range.clone(), y_range.clone()), size) {
        let (x, y) = label.top_left;
        pixels.draw(&Text::new(label.text, (x - x_range.start, y - y_range.start), style.clone())).map_err(fail)?;
    }
    Ok(())
}

/// 95% CI whiskers with short caps, in data coordinates; a whisker beyond
/// the y axis's `(bottom, top)` stops at the edge, without a cap.
fn draw_error_bars<DB, X, Y>(
    plot: &PlotArea<DB, X, Y>,
    point: &ErrorPoint,
    colour: RGBColor,
    (bottom, top): (f64, f64),
) -> anyhow::Result<()>
where
    DB: DrawingBackend,
    X: Ranged<ValueType = f64> + ValueFormatter<f64>,
    Y: Ranged<ValueType = f64> + ValueFormatter<f64>,
{
    let style = colour.mix(0.85).stroke_width(1);
    if let Some(ci) = point.x_ci.filter(|ci| *ci > 0.0) {
        plot.draw(&PathElement::new(vec![(point.x - ci, point.y), (point.x + ci, point.y)], style)).map_err(fail)?;
        for end in [point.x - ci, point.x + ci] {
            plot.draw(&(EmptyElement::at((end, point.y)) + PathElement::new(vec![(0, -4), (0, 4)], style)))
                .map_err(fail)?;
        }
    }
    if let Some(ci) = point.y_ci.filter(|ci| *ci > 0.0) {
        let (low, high) = (point.y - ci, point.y + ci);
        let whisker = vec![(point.x, low.clamp(bottom, top)), (point.x, high.clamp(bottom, top))];
        plot.draw(&PathElement::new(whisker, style)).map_err(fail)?;
        for end in [low, high].into_iter().filter(|end| (bottom..=top).contains(end)) {
            plot.draw(&(EmptyElement::at((point.x, end)) + PathElement::new(vec![(-4, 0), (4, 0)], style)))
                .map_err(fail)?;
        }
    }
    Ok(())
}

/// Draws a marker centred on a pixel of `plot`'s backend (the plot area's
/// coordinates are data values, so go through its pixel-space twin).
fn draw_pixel_shape<DB, X, Y>(
    plot: &PlotArea<DB, X, Y>,
    centre: (i32, i32),
    shape: Shape,
    colour: RGBColor,
    fill: Fill,
) -> anyhow::Result<()>
where
    DB: DrawingBackend,
    X: Ranged<ValueType = f64> + ValueFormatter<f64>,
    Y: Ranged<ValueType = f64> + ValueFormatter<f64>,
{
    let (x_range, y_range) = plot.get_pixel_range();
    let pixels = plot.strip_coord_spec();
    let local = (centre.0 - x_range.start, centre.1 - y_range.start);
    draw_shape(&pixels, local, shape, colour, fill)
}

/// Legend rows: every labelled layer once (first panel first), then markers.
pub(crate) fn legend_entries(figure: &Figure) -> Vec<LegendEntry> {
    let mut entries: Vec<LegendEntry> = Vec::new();
    for layer in figure.panels.iter().flat_map(|p| &p.layers) {
        let (label, sample) = match layer {
            Layer::Line { label, colour, dash, width, marker, .. } => {
                (label, Sample::Line(*colour, *dash, *width, *marker))
            }
            Layer::Threshold { label, colour, .. } => (label, Sample::Line(*colour, Dash::Dashed, 2, None)),
            Layer::Band { label, colour, opacity, .. } => (label, Sample::Band(*colour, *opacity)),
            Layer::Points { label, colour, shape, .. } => (label, Sample::Point(*colour, *shape)),
            Layer::Frontier { label, .. } => (label, Sample::Frontier),
            Layer::Tags { .. } => continue,
        };
        if label.is_empty() || entries.iter().any(|e| &e.label == label) {
            continue;
        }
        let label = if layer.has_data() { label.clone() } else { format!("{label} (no data)") };
        entries.push(LegendEntry { label, sample });
    }
    if let Some(shade) = &figure.shade {
        entries.push(LegendEntry { label: shade.label.clone(), sample: Sample::Band(SHADE, SHADE_OPACITY) });
    }
    for group in &figure.markers {
        let sample = match group.style {
            MarkerStyle::Lines => Sample::Marker(group.colour, group.dash),
            MarkerStyle::Ticks => Sample::Ticks(group.colour),
        };
        entries.push(LegendEntry { label: group.label.clone(), sample });
    }
    entries
}
