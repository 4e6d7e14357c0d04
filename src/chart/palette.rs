//! Colours: the Okabe–Ito palette, distinguishable with the common forms of
//! colour blindness (Okabe & Ito, "Color Universal Design", 2008,
//! <https://jfly.uni-koeln.de/color/>), plus neutral greys for chrome.

use plotters::style::RGBColor;

pub(crate) const BLACK: RGBColor = RGBColor(0x00, 0x00, 0x00);
pub(crate) const ORANGE: RGBColor = RGBColor(0xE6, 0x9F, 0x00);
pub(crate) const SKY_BLUE: RGBColor = RGBColor(0x56, 0xB4, 0xE9);
pub(crate) const BLUISH_GREEN: RGBColor = RGBColor(0x00, 0x9E, 0x73);
pub(crate) const YELLOW: RGBColor = RGBColor(0xF0, 0xE4, 0x42);
pub(crate) const BLUE: RGBColor = RGBColor(0x00, 0x72, 0xB2);
pub(crate) const VERMILLION: RGBColor = RGBColor(0xD5, 0x5E, 0x00);
pub(crate) const REDDISH_PURPLE: RGBColor = RGBColor(0xCC, 0x79, 0xA7);

/// Secondary text (subtitles, tick labels).
pub(crate) const DARK_GREY: RGBColor = RGBColor(0x44, 0x44, 0x44);
/// Reference lines that are context rather than data (capacity bounds).
pub(crate) const MID_GREY: RGBColor = RGBColor(0x77, 0x77, 0x77);
/// Grid lines and legend borders.
pub(crate) const LIGHT_GREY: RGBColor = RGBColor(0xDD, 0xDD, 0xDD);
/// Shaded time spans (the warm-up), light enough for lines on top.
pub(crate) const SHADE: RGBColor = MID_GREY;
pub(crate) const SHADE_OPACITY: f64 = 0.14;
/// Fill opacity of every 95% confidence band: light, so that where the
/// bands of two series overlap both lines stay readable on the mix.
pub(crate) const CI_BAND_OPACITY: f64 = 0.12;
/// Legend background: light enough that it never hides a line behind it.
pub(crate) const LEGEND_BACKGROUND: RGBColor = RGBColor(0xF7, 0xF7, 0xF7);

/// Series colours in order of use: strongest contrast on white first, yellow
/// last because it is faint on a white background.
const SERIES: [RGBColor; 8] = [BLUE, ORANGE, BLUISH_GREEN, VERMILLION, REDDISH_PURPLE, SKY_BLUE, BLACK, YELLOW];

/// The colour of the `index`-th series (providers, variants); cycles after eight.
pub(crate) fn series(index: usize) -> RGBColor {
    SERIES[index % SERIES.len()]
}
