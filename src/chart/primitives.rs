//! Drawing primitives shared by the plots (`render`) and the legend
//! (`legend`): the drawing-error wrapper and the marker shapes. Kept below
//! both, so the legend does not import the renderer that imports it.

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::chart::figure::Shape;

/// Turns a plotters drawing error into one that says what failed.
pub(crate) fn fail<E: std::error::Error + Send + Sync>(error: DrawingAreaErrorKind<E>) -> anyhow::Error {
    anyhow::anyhow!("drawing the chart failed: {error}")
}

/// How a marker is drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Fill {
    /// Filled: scatter points.
    Solid,
    /// Outline only: markers on lines, where outlines of different shapes
    /// on the same spot all stay visible.
    Hollow,
}

/// Draws a marker of `shape` centred on pixel `centre` of `area`.
pub(crate) fn draw_shape<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    centre: (i32, i32),
    shape: Shape,
    colour: RGBColor,
    fill: Fill,
) -> anyhow::Result<()> {
    let (x, y) = centre;
    let corners = match shape {
        Shape::Circle => Vec::new(),
        Shape::Triangle => vec![(x, y - 6), (x + 5, y + 3), (x - 5, y + 3)],
        Shape::Square => vec![(x - 5, y - 5), (x + 5, y - 5), (x + 5, y + 5), (x - 5, y + 5)],
        Shape::Diamond => vec![(x, y - 6), (x + 6, y), (x, y + 6), (x - 6, y)],
    };
    match (shape, fill) {
        (Shape::Circle, Fill::Solid) => area.draw(&Circle::new(centre, 5, colour.filled())),
        (Shape::Circle, Fill::Hollow) => area.draw(&Circle::new(centre, 5, colour.stroke_width(2))),
        (_, Fill::Solid) => area.draw(&Polygon::new(corners, colour.filled())),
        (_, Fill::Hollow) => {
            let closed: Vec<(i32, i32)> = corners.iter().chain(corners.first()).copied().collect();
            area.draw(&PathElement::new(closed, colour.stroke_width(2)))
        }
    }
    .map_err(fail)
}
