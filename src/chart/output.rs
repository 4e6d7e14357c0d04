//! Turns figures into bytes: PNG files, SVG text, or an in-memory RGB buffer.

use std::path::{Path, PathBuf};

use anyhow::Context;
use plotters::prelude::*;

use crate::chart::figure::Figure;
use crate::chart::font;
use crate::chart::render::{HEIGHT, Target, WIDTH, draw_figure};

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
/// place so that a reader never sees half an image.
pub(crate) fn write_png(figure: &Figure, path: &Path) -> anyhow::Result<()> {
    font::ensure_registered()?;
    // The encoder picks the format from the extension, so the temporary
    // name must end in ".png" too.
    let temporary = sibling(path, ".partial.png");
    {
        let root = BitMapBackend::new(&temporary, (WIDTH, HEIGHT)).into_drawing_area();
        draw_figure(&root, figure, Target::Raster).with_context(|| format!("writing {}", temporary.display()))?;
    }
    std::fs::rename(&temporary, path).with_context(|| format!("moving {} to {}", temporary.display(), path.display()))
}

/// Writes `bytes` to `path` through a temporary file renamed into place.
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let temporary = sibling(path, ".partial");
    std::fs::write(&temporary, bytes).with_context(|| format!("writing {}", temporary.display()))?;
    std::fs::rename(&temporary, path).with_context(|| format!("moving {} to {}", temporary.display(), path.display()))
}

/// A hidden file next to `path`: ".<file name><suffix>".
fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    path.with_file_name(format!(".{name}{suffix}"))
}
