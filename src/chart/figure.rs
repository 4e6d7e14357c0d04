//! A backend-neutral description of one chart.
//!
//! Chart builders (run and sweep) turn data into a `Figure`; the renderer
//! draws any `Figure` on PNG or SVG. Keeping the two apart lets tests check
//! what a chart shows without rasterising it, and keeps every chart's layout,
//! legend and axis rules in one place.

use plotters::style::RGBColor;

/// One chart: a title, a shared x axis and one or more stacked panels.
#[derive(Clone, Debug)]
pub(crate) struct Figure {
    /// File name without extension, unique within the output directory.
    pub stem: String,
    pub title: String,
    pub subtitle: Option<String>,
    pub x: XAxis,
    /// Drawn top to bottom with equal heights; each has its own y axis.
    pub panels: Vec<Panel>,
    /// Event markers drawn in every panel: full-height lines behind the
    /// data, or ticks in a strip above each panel (see `MarkerStyle`).
    pub markers: Vec<MarkerGroup>,
    /// An x interval shaded in every panel, such as the warm-up the summary
    /// leaves out, with its legend label.
    pub shade: Option<Shade>,
}

/// A shaded x interval `[from, to]` with a legend entry.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Shade {
    pub from: f64,
    pub to: f64,
    pub label: String,
}

#[derive(Clone, Debug)]
pub(crate) struct XAxis {
    pub label: String,
    pub scale: XScale,
    pub min: f64,
    pub max: f64,
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) enum XScale {
    /// Simulated time, already converted to hours or (`in_days`) days.
    Time {
        in_days: bool,
    },
    Numeric,
    /// Category `i` sits at x = i; labels come from this list.
    Categories(Vec<String>),
    /// Ticks at these positions with these labels (a wall-clock time axis).
    Labelled(Vec<(f64, String)>),
}

#[derive(Clone, Debug)]
pub(crate) struct Panel {
    pub y_label: String,
    pub layers: Vec<Layer>,
    /// Values the y range must contain (0 for counts, 100 for percentages).
    pub y_include: Vec<f64>,
    /// Counts: ticks only at whole numbers.
    pub integer_y: bool,
    /// Top of the y axis when rare spikes would flatten everything else:
    /// lines above it are drawn along the top edge (the subtitle says so).
    pub y_cap: Option<f64>,
    /// Bounds the y axis never passes, padding included: `(0, 1)` for shares
    /// such as availability, which cannot be above 1 or below 0 however wide
    /// a confidence interval is. Lines, bands and error bars beyond them are
    /// drawn along the edge.
    pub y_limits: Option<(f64, f64)>,
    /// Ticks at these positions with these labels instead of round numbers
    /// (a log scale: positions are log10 of the values the labels show).
    pub y_ticks: Option<Vec<(f64, String)>>,
}

impl Panel {
    /// A panel of a run chart: its y axis starts at zero (costs, rates,
    /// latencies, percentages), with no cap and no limits.
    pub(crate) fn from_zero(y_label: &str, layers: Vec<Layer>) -> Self {
        Panel {
            y_label: y_label.to_string(),
            layers,
            y_include: vec![0.0],
            integer_y: false,
            y_cap: None,
            y_limits: None,
            y_ticks: None,
        }
    }

    /// The same, for counts: ticks only at whole numbers.
    pub(crate) fn counts(y_label: &str, layers: Vec<Layer>) -> Self {
        Panel { integer_y: true, ..Panel::from_zero(y_label, layers) }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Dash {
    Solid,
    Dashed,
    /// Short dots: a third line style, for the third of several series.
    Dotted,
}

impl Dash {
    /// The line style of the `index`-th of several series drawn alike
    /// (sweep variants): solid, dashed, dotted, repeating. Where two such
    /// lines coincide the one on top is broken, so the one below shows
    /// through its gaps.
    pub(crate) fn nth(index: usize) -> Dash {
        [Dash::Solid, Dash::Dashed, Dash::Dotted][index % 3]
    }
}

/// Marker shapes cycle with colours so variants stay distinct in greyscale.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Shape {
    Circle,
    Triangle,
    Square,
    Diamond,
}

impl Shape {
    pub(crate) fn nth(index: usize) -> Shape {
        [Shape::Circle, Shape::Triangle, Shape::Square, Shape::Diamond][index % 4]
    }
}

/// A point with optional 95% CI half-widths in each direction.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct ErrorPoint {
    pub x: f64,
    pub y: f64,
    pub x_ci: Option<f64>,
    pub y_ci: Option<f64>,
}

#[derive(Clone, Debug)]
pub(crate) enum Layer {
    /// A polyline broken into segments wherever data is absent.
    Line {
        label: String,
        colour: RGBColor,
        dash: Dash,
        /// Stroke width in pixels; a wide light line drawn under a narrow one
        /// stays visible where the two coincide.
        width: u32,
        /// A hollow marker of this shape at every vertex (also in the legend),
        /// for lines through a few measured points such as sweep means:
        /// it shows where the data is, and outlines of different shapes stay
        /// visible when two series' points coincide.
        marker: Option<Shape>,
        segments: Vec<Vec<(f64, f64)>>,
    },
    /// A horizontal reference line across the whole x range (a target, an SLO).
    Threshold {
        label: String,
        colour: RGBColor,
        y: f64,
    },
    /// A shaded interval (x, low, high); an empty label keeps it out of the legend.
    Band {
        label: String,
        colour: RGBColor,
        /// Fill opacity: light for confidence bands, stronger for stacked areas.
        opacity: f64,
        /// Whether the upper edge is stroked in the full colour, which keeps
        /// thin layers of a stack visible.
        outline: bool,
        segments: Vec<Vec<(f64, f64, f64)>>,
    },
    Points {
        label: String,
        colour: RGBColor,
        shape: Shape,
        points: Vec<ErrorPoint>,
    },
    /// Pareto-optimal points in x order, each with a short tag naming it
    /// (an empty tag draws the ring without a label).
    Frontier {
        label: String,
        points: Vec<(f64, f64, String)>,
    },
    /// Tags naming points another layer draws: text only, kept apart from
    /// each other, never in the legend.
    Tags {
        points: Vec<(f64, f64, String)>,
    },
}

impl Layer {
    /// Whether the layer has anything to draw (a threshold always has).
    pub(crate) fn has_data(&self) -> bool {
        match self {
            Layer::Line { segments, .. } => segments.iter().any(|s| !s.is_empty()),
            Layer::Threshold { .. } => true,
            Layer::Band { segments, .. } => segments.iter().any(|s| !s.is_empty()),
            Layer::Points { points, .. } => !points.is_empty(),
            Layer::Frontier { points, .. } | Layer::Tags { points } => !points.is_empty(),
        }
    }

    /// Every y value the layer reaches, CI ends included, to size the axis.
    pub(crate) fn y_extent(&self) -> Vec<f64> {
        match self {
            Layer::Line { segments, .. } => segments.iter().flatten().map(|p| p.1).collect(),
            Layer::Threshold { y, .. } => vec![*y],
            Layer::Band { segments, .. } => segments.iter().flatten().flat_map(|&(_, low, high)| [low, high]).collect(),
            Layer::Points { points, .. } => points
                .iter()
                .flat_map(|p| {
                    let ci = p.y_ci.unwrap_or(0.0);
                    [p.y - ci, p.y + ci]
                })
                .collect(),
            Layer::Frontier { points, .. } | Layer::Tags { points } => points.iter().map(|p| p.1).collect(),
        }
    }

    /// Every x value the layer reaches, CI ends included.
    pub(crate) fn x_extent(&self) -> Vec<f64> {
        match self {
            Layer::Line { segments, .. } => segments.iter().flatten().map(|p| p.0).collect(),
            Layer::Threshold { .. } => Vec::new(),
            Layer::Band { segments, .. } => segments.iter().flatten().map(|p| p.0).collect(),
            Layer::Points { points, .. } => points
                .iter()
                .flat_map(|p| {
                    let ci = p.x_ci.unwrap_or(0.0);
                    [p.x - ci, p.x + ci]
                })
                .collect(),
            Layer::Frontier { points, .. } | Layer::Tags { points } => points.iter().map(|p| p.0).collect(),
        }
    }
}

/// Event times (in x units) drawn with one legend entry.
#[derive(Clone, Debug)]
pub(crate) struct MarkerGroup {
    pub label: String,
    pub colour: RGBColor,
    pub dash: Dash,
    pub style: MarkerStyle,
    pub times: Vec<f64>,
}

/// How a marker group is drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum MarkerStyle {
    /// Thin full-height vertical lines: right for a few events.
    Lines,
    /// Short ticks in a strip above the plot, one row per group, so that
    /// hundreds of events (scaling actions) show their rhythm without
    /// hiding the data.
    Ticks,
}

/// A file-name-safe form of a user-chosen name: ASCII letters, digits, `-`
/// and `_` kept, anything else becomes `_`.
pub(crate) fn slug(name: &str) -> String {
    let slug: String =
        name.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '_' }).collect();
    if slug.is_empty() { "_".to_string() } else { slug }
}

/// Makes every figure's stem unique by suffixing `-2`, `-3`, ... to repeats,
/// because two names can share a slug ("a b" and "a_b").
pub(crate) fn make_stems_unique(figures: &mut [Figure]) {
    let mut seen = std::collections::BTreeSet::new();
    for figure in figures.iter_mut() {
        let base = figure.stem.clone();
        let mut candidate = base.clone();
        let mut counter = 2;
        while !seen.insert(candidate.clone()) {
            candidate = format!("{base}-{counter}");
            counter += 1;
        }
        figure.stem = candidate;
    }
}

/// Thins a long polyline to at most about `2 * buckets` points by keeping,
/// in each of `buckets` consecutive runs, the lowest and the highest point in
/// their original order: peaks and troughs survive, so the drawn envelope is
/// the same at screen resolution while SVG files stay small.
pub(crate) fn thin_min_max(points: &[(f64, f64)], buckets: usize) -> Vec<(f64, f64)> {
    if buckets == 0 || points.len() <= 2 * buckets {
        return points.to_vec();
    }
    let chunk = points.len().div_ceil(buckets);
    let mut thinned = Vec::with_capacity(2 * buckets + 2);
    for run in points.chunks(chunk) {
        let mut low = 0;
        let mut high = 0;
        for (i, p) in run.iter().enumerate() {
            if p.1 < run[low].1 {
                low = i;
            }
            if p.1 > run[high].1 {
                high = i;
            }
        }
        let (first, second) = if low <= high { (low, high) } else { (high, low) };
        thinned.push(run[first]);
        if second != first {
            thinned.push(run[second]);
        }
    }
    thinned
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slug_replaces_unsafe_characters() {
        assert_eq!(slug("web-api_2"), "web-api_2");
        assert_eq!(slug("a b/c"), "a_b_c");
        assert_eq!(slug(""), "_");
    }

    #[test]
    fn thinning_keeps_extremes_in_order() {
        let points: Vec<(f64, f64)> =
            [3.0, 9.0, 1.0, 4.0, 4.0, 0.0, 7.0, 2.0].iter().enumerate().map(|(i, &y)| (i as f64, y)).collect();
        // Two buckets of four: [3,9,1,4] keeps 9 (x=1) then 1 (x=2);
        // [4,0,7,2] keeps 0 (x=5) then 7 (x=6).
        assert_eq!(thin_min_max(&points, 2), vec![(1.0, 9.0), (2.0, 1.0), (5.0, 0.0), (6.0, 7.0)]);
        assert_eq!(thin_min_max(&points, 4), points);
    }

    #[test]
    fn repeated_stems_get_suffixes() {
        let figure = |stem: &str| Figure {
            stem: stem.to_string(),
            title: String::new(),
            subtitle: None,
            x: XAxis { label: String::new(), scale: XScale::Numeric, min: 0.0, max: 1.0 },
            panels: Vec::new(),
            markers: Vec::new(),
            shade: None,
        };
        let mut figures = vec![figure("a_b"), figure("a_b"), figure("c"), figure("a_b")];
        make_stems_unique(&mut figures);
        let stems: Vec<_> = figures.iter().map(|f| f.stem.as_str()).collect();
        assert_eq!(stems, ["a_b", "a_b-2", "c", "a_b-3"]);
    }
}
