//! Placing short point labels (the `cN` tags of a Pareto frontier) so that
//! they never print on top of each other.
//!
//! Points that (nearly) coincide get one merged label, "c1,c2"; any other
//! label that would overlap one already placed moves to the first free spot
//! among a few around its point. Everything is in pixels, so the rule can be
//! tested without drawing.

use std::ops::Range;

/// Points closer than this (in pixels, on both axes) share one label: their
/// frontier circles (radius 9) overlap almost entirely.
pub(crate) const MERGE_DISTANCE: i32 = 6;
/// Distance from a point to the near edge of its label.
const OFFSET: i32 = 9;
/// Empty pixels kept between two labels.
const GAP: i32 = 2;

/// A label to draw: its text and the pixel of its top-left corner.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct PlacedLabel {
    pub text: String,
    pub top_left: (i32, i32),
}

/// Labels for `anchors` (a point's pixel and its tag, in drawing order)
/// inside the pixel rectangle `bounds` (x range, y range: the plot area).
///
/// Tags of points within `MERGE_DISTANCE` of an earlier point join that
/// point's label, separated by commas, in anchor order. Each label then goes
/// to the first of these spots that lies inside `bounds` and overlaps no
/// label placed before it: above right of its point (the usual place), below
/// right, above left, below left, then higher and higher above right; when
/// none is free, the usual place. `size` gives a text's width and height in
/// pixels.
pub(crate) fn place_labels(
    anchors: &[((i32, i32), String)],
    bounds: (Range<i32>, Range<i32>),
    size: impl Fn(&str) -> (i32, i32),
) -> Vec<PlacedLabel> {
    let mut groups: Vec<((i32, i32), Vec<&str>)> = Vec::new();
    for (point, tag) in anchors {
        let near = |p: &(i32, i32)| (p.0 - point.0).abs() <= MERGE_DISTANCE && (p.1 - point.1).abs() <= MERGE_DISTANCE;
        match groups.iter_mut().find(|(p, _)| near(p)) {
            Some((_, tags)) => tags.push(tag),
            None => groups.push((*point, vec![tag])),
        }
    }
    let mut placed: Vec<(PlacedLabel, (i32, i32))> = Vec::new();
    for ((x, y), tags) in groups {
        let text = tags.join(",");
        let (width, height) = size(&text);
        let above = y - OFFSET - height;
        let below = y + OFFSET;
        let (right, left) = (x + OFFSET, x - OFFSET - width);
        let mut candidates = vec![(right, above), (right, below), (left, above), (left, below)];
        candidates.extend((1..=4).map(|k| (right, above - k * (height + GAP))));
        let (x_bounds, y_bounds) = &bounds;
        let inside = |corner: (i32, i32)| {
            x_bounds.start <= corner.0
                && corner.0 + width <= x_bounds.end
                && y_bounds.start <= corner.1
                && corner.1 + height <= y_bounds.end
        };
        let overlaps = |corner: (i32, i32)| {
            placed.iter().any(|(other, (w, h))| {
                let (ox, oy) = other.top_left;
                corner.0 < ox + w + GAP
                    && ox < corner.0 + width + GAP
                    && corner.1 < oy + h + GAP
                    && oy < corner.1 + height + GAP
            })
        };
        let top_left = candidates.iter().copied().find(|&c| inside(c) && !overlaps(c)).unwrap_or(candidates[0]);
        placed.push((PlacedLabel { text, top_left }, (width, height)));
    }
    placed.into_iter().map(|(label, _)| label).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const BOUNDS: (Range<i32>, Range<i32>) = (0..1000, 0..600);

    /// 7 pixels per character, 12 high.
    fn size(text: &str) -> (i32, i32) {
        (7 * text.chars().count() as i32, 12)
    }

    fn anchors(points: &[(i32, i32, &str)]) -> Vec<((i32, i32), String)> {
        points.iter().map(|&(x, y, tag)| ((x, y), tag.to_string())).collect()
    }

    #[test]
    fn coincident_points_share_one_label() {
        let points = [(100, 100, "c1"), (100, 100, "c2"), (103, 98, "c5"), (200, 50, "c3")];
        let labels = place_labels(&anchors(&points), BOUNDS, size);
        assert_eq!(
            labels,
            [
                PlacedLabel { text: "c1,c2,c5".to_string(), top_left: (109, 79) },
                PlacedLabel { text: "c3".to_string(), top_left: (209, 29) },
            ]
        );
    }

    #[test]
    fn near_labels_move_apart() {
        // c2's usual spot (119, 79) would overlap c1's label (109..123):
        // it goes below right. c3's usual spot is free.
        let labels = place_labels(&anchors(&[(100, 100, "c1"), (110, 100, "c2"), (120, 100, "c3")]), BOUNDS, size);
        let corners: Vec<(i32, i32)> = labels.iter().map(|l| l.top_left).collect();
        assert_eq!(corners, [(109, 79), (119, 109), (129, 79)]);
        // Six points 8 px apart in a row: no two labels overlap.
        let crowd: Vec<((i32, i32), String)> = (0..6).map(|i| ((100 + 8 * i, 100), format!("c{i}"))).collect();
        let labels = place_labels(&crowd, BOUNDS, size);
        assert_eq!(labels.len(), 6);
        for (i, a) in labels.iter().enumerate() {
            for b in &labels[i + 1..] {
                let (wa, ha) = size(&a.text);
                let (wb, hb) = size(&b.text);
                let apart = a.top_left.0 + wa <= b.top_left.0
                    || b.top_left.0 + wb <= a.top_left.0
                    || a.top_left.1 + ha <= b.top_left.1
                    || b.top_left.1 + hb <= a.top_left.1;
                assert!(apart, "{a:?} overlaps {b:?}");
            }
        }
    }

    #[test]
    fn labels_stay_inside_the_plot() {
        // At the top edge the usual spot is above the plot: below right
        // instead. At the right edge: above left.
        let labels = place_labels(&anchors(&[(100, 5, "c1"), (995, 100, "c2")]), BOUNDS, size);
        let corners: Vec<(i32, i32)> = labels.iter().map(|l| l.top_left).collect();
        assert_eq!(corners, [(109, 14), (972, 79)]);
    }
}
