//! Turns figures into bytes: PNG files, SVG text, or an in-memory RGB buffer.

use std::path::Path;

use anyhow::Context;
use plotters::prelude::*;

use crate::chart::figure::Figure;
use crate::chart::font;
use crate::chart::render::{HEIGHT, Target, WIDTH, draw_figure};
use crate::report::TempFile;

/// The SVG document of `figure` (also what the HTML report inlines).
pub(crate) fn svg_string(figure: &Figure) -> anyhow::Result<String> {
    font::ensure_registered()?;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, HEIGHT)).into_drawing_area();
        draw_figure(&root, figure, Target::Vector).with_context(|| format!("drawing chart {}", figure.stem))?;
    }
    Ok(svg)
}

/// `figure` rasterised into a `WIDTH` × `HEIGHT` row-major RGB buffer.
#[cfg(test)]
pub(crate) fn rgb_pixels(figure: &Figure) -> anyhow::Result<Vec<u8>> {
    font::ensure_registered()?;
    let mut buffer = vec![0u8; WIDTH as usize * HEIGHT as usize * 3];
    {
        let root = BitMapBackend::with_buffer(&mut buffer, (WIDTH, HEIGHT)).into_drawing_area();
        draw_figure(&root, figure, Target::Raster).with_context(|| format!("drawing chart {}", figure.stem))?;
    }
    Ok(buffer)
}

/// Writes `figure` as a PNG to `path`, through a temporary file renamed into
/// place so that a reader never sees half an image. The temporary is created
/// exclusively first (`report::TempFile`), so the encoder reopens a file that
/// is ours, never a link planted at its name.
pub(crate) fn write_png(figure: &Figure, path: &Path) -> anyhow::Result<()> {
    font::ensure_registered()?;
    // The encoder picks the format from the extension, so the temporary
    // name must end in ".png" too.
    let temporary =
        TempFile::create(path, ".png").with_context(|| format!("creating a file beside {}", path.display()))?;
    {
        let root = BitMapBackend::new(temporary.path(), (WIDTH, HEIGHT)).into_drawing_area();
        draw_figure(&root, figure, Target::Raster)
            .with_context(|| format!("writing {}", temporary.path().display()))?;
    }
    temporary.persist().with_context(|| format!("writing {}", path.display()))
}

/// Writes `bytes` to `path` through a temporary file renamed into place.
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    crate::report::replace_file(path, bytes).with_context(|| format!("writing {}", path.display()))
}
