//! Turns figures into bytes: PNG files, SVG text, or an in-memory RGB buffer.

use std::path::Path;

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
///
/// The PNG is encoded here with the `png` crate rather than by plotters'
/// file backend, which would pull in the `image` crate (and its JPEG decoder)
/// only to call the same encoder: about 30 s of CPU in a cold build. The
/// settings are the ones that backend used (fast compression, adaptive
/// filtering starting from Sub), so the bytes are the same.
pub(crate) fn write_png(figure: &Figure, path: &Path) -> anyhow::Result<()> {
    let pixels = rgb_pixels(figure)?;
    let bytes = encode_png(&pixels, WIDTH, HEIGHT).with_context(|| format!("encoding {}", path.display()))?;
    write_atomic(path, &bytes)
}

/// `rgb` (row-major, 8 bits per channel) as the bytes of a PNG file.
fn encode_png(rgb: &[u8], width: u32, height: u32) -> Result<Vec<u8>, png::EncodingError> {
    let mut bytes = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut bytes, width, height);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        encoder.set_compression(png::Compression::Fast);
        encoder.set_filter(png::FilterType::Sub);
        encoder.set_adaptive_filter(png::AdaptiveFilterType::Adaptive);
        let mut writer = encoder.write_header()?;
        writer.write_image_data(rgb)?;
        writer.finish()?;
    }
    Ok(bytes)
}

/// Writes `bytes` to `path` through a temporary file renamed into place.
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    crate::report::replace_file(path, bytes).with_context(|| format!("writing {}", path.display()))
}
