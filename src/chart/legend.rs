//! The legend, drawn in its own strip right of the plots so that it never
//! covers data, and text fitting shared with the chart header.

use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::chart::figure::{Dash, Shape};
use crate::chart::font::FAMILY;
use crate::chart::palette::{BLACK, LEGEND_BACKGROUND, LIGHT_GREY, MID_GREY};
use crate::chart::primitives::{Fill, draw_shape, fail};

/// What the small sample left of a legend label looks like.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Sample {
    /// Colour, dash, stroke width and the hollow marker on the line, if any.
    Line(RGBColor, Dash, u32, Option<Shape>),
    /// Colour and fill opacity.
    Band(RGBColor, f64),
    Point(RGBColor, Shape),
    Frontier,
    Marker(RGBColor, Dash),
    /// Event ticks above the plot: a few ticks on a baseline.
    Ticks(RGBColor),
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) struct LegendEntry {
    pub label: String,
    pub sample: Sample,
}

const ROW_HEIGHT: i32 = 22;
const PADDING: i32 = 8;
const SAMPLE_START: i32 = 10;
const SAMPLE_END: i32 = 40;
const TEXT_START: i32 = 48;
const LABEL_SIZE: u32 = 13;

/// Draws the entries top-down in a light box filling the strip's width; when
/// they do not fit, the last row says how many were left out.
pub(crate) fn draw_legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    entries: &[LegendEntry],
) -> anyhow::Result<()> {
    if entries.is_empty() {
        return Ok(());
    }
    let (width, height) = area.dim_in_pixel();
    let width = width as i32;
    let max_rows = ((height as i32 - 2 * PADDING) / ROW_HEIGHT).max(1) as usize;
    let mut rows: Vec<(String, Option<&Sample>)> =
        entries.iter().map(|entry| (entry.label.clone(), Some(&entry.sample))).collect();
    if rows.len() > max_rows {
        let hidden = rows.len() - (max_rows - 1);
        rows.truncate(max_rows - 1);
        rows.push((format!("… {hidden} more"), None));
    }
    let box_height = rows.len() as i32 * ROW_HEIGHT + 2 * PADDING;
    area.draw(&Rectangle::new([(0, 0), (width - 1, box_height)], LEGEND_BACKGROUND.filled())).map_err(fail)?;
    area.draw(&Rectangle::new([(0, 0), (width - 1, box_height)], LIGHT_GREY.stroke_width(1))).map_err(fail)?;
    let style = TextStyle::from((FAMILY, LABEL_SIZE).into_font()).color(&BLACK).pos(Pos::new(HPos::Left, VPos::Center));
    for (row, (label, sample)) in rows.iter().enumerate() {
        let y = PADDING + row as i32 * ROW_HEIGHT + ROW_HEIGHT / 2;
        if let Some(sample) = sample {
            draw_sample(area, sample, y)?;
        }
        let text = fit_text(area, label, &style, (width - TEXT_START - 6).max(0) as u32)?;
        area.draw(&Text::new(text, (TEXT_START, y), style.clone())).map_err(fail)?;
    }
    Ok(())
}

fn draw_sample<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, sample: &Sample, y: i32) -> anyhow::Result<()> {
    let middle = (SAMPLE_START + SAMPLE_END) / 2;
    let line = vec![(SAMPLE_START, y), (SAMPLE_END, y)];
    match sample {
        Sample::Line(colour, dash, width, marker) => {
            let style = colour.stroke_width(*width);
            match dash {
                Dash::Solid => area.draw(&PathElement::new(line, style)),
                Dash::Dashed => area.draw(&DashedPathElement::new(line, 6, 4, style)),
                Dash::Dotted => area.draw(&DashedPathElement::new(line, 2, 4, style)),
            }
            .map_err(fail)?;
            match marker {
                Some(shape) => draw_shape(area, (middle, y), *shape, *colour, Fill::Hollow),
                None => Ok(()),
            }
        }
        Sample::Band(colour, opacity) => area
            .draw(&Rectangle::new([(SAMPLE_START, y - 6), (SAMPLE_END, y + 6)], colour.mix(*opacity).filled()))
            .map_err(fail),
        Sample::Point(colour, shape) => draw_shape(area, (middle, y), *shape, *colour, Fill::Solid),
        Sample::Frontier => {
            area.draw(&DashedPathElement::new(line, 6, 4, BLACK.stroke_width(2))).map_err(fail)?;
            area.draw(&Circle::new((middle, y), 7, BLACK.stroke_width(2))).map_err(fail)
        }
        Sample::Marker(colour, dash) => {
            let vertical = vec![(middle, y - 8), (middle, y + 8)];
            let style = colour.mix(0.8).stroke_width(2);
            match dash {
                Dash::Solid => area.draw(&PathElement::new(vertical, style)),
                Dash::Dashed => area.draw(&DashedPathElement::new(vertical, 4, 3, style)),
                Dash::Dotted => area.draw(&DashedPathElement::new(vertical, 2, 3, style)),
            }
            .map_err(fail)
        }
        Sample::Ticks(colour) => {
            area.draw(&PathElement::new(vec![(SAMPLE_START, y + 5), (SAMPLE_END, y + 5)], MID_GREY.stroke_width(1)))
                .map_err(fail)?;
            for x in [SAMPLE_START + 4, middle - 3, middle + 1, SAMPLE_END - 4] {
                area.draw(&PathElement::new(vec![(x, y - 4), (x, y + 3)], colour.stroke_width(1))).map_err(fail)?;
            }
            Ok(())
        }
    }
}

/// `text`, shortened with an ellipsis until it is at most `max_width` pixels
/// wide in `style`, so long names never run out of their box.
pub(crate) fn fit_text<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    text: &str,
    style: &TextStyle,
    max_width: u32,
) -> anyhow::Result<String> {
    let width = |candidate: &str| area.estimate_text_size(candidate, style).map(|(w, _)| w).map_err(fail);
    if width(text)? <= max_width {
        return Ok(text.to_string());
    }
    let mut chars: Vec<char> = text.chars().collect();
    while !chars.is_empty() {
        chars.pop();
        let candidate: String = chars.iter().collect::<String>() + "…";
        if width(&candidate)? <= max_width {
            return Ok(candidate);
        }
    }
    Ok("…".to_string())
}
