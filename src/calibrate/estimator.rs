//! The Theil–Sen line (median of pairwise slopes), its R², and bootstrap
//! standard errors with a fixed seed.
//!
//! Why Theil–Sen (docs/calibration.md): CPU against per-task request rate is
//! a straight line in the model, and real minutes add points off the line —
//! a minute in which tasks started or stopped, a garbage-collection pause, a
//! deployment. The median of slopes ignores up to 29% of such points wherever
//! they lie (x or y), needs no scale parameter (unlike Huber regression), and
//! gives the exact line back when most points lie on one.

use rand::rngs::Xoshiro256PlusPlus;
use rand::{RngExt, SeedableRng};

/// Above this many pairs, the median is taken over this many pairs drawn at
/// random (with a fixed seed): its rank error is then about 0.1%, far below
/// the bootstrap's spread.
pub const MAX_PAIRS: usize = 250_000;
/// Pairs per bootstrap resample (the resample's own spread dominates).
const BOOT_PAIRS: usize = 20_000;
pub const BOOTSTRAP_RESAMPLES: usize = 200;
pub const SEED: u64 = 0x00ec_51a1_ca1b;

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Line {
    pub slope: f64,
    pub intercept: f64,
}

/// The fitted line with its goodness of fit and uncertainty.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Fit {
    pub line: Line,
    /// 1 − Σ(y − ŷ)² / Σ(y − ȳ)² over the points, for the robust line
    /// (so outliers lower it); 0 when every y is the same.
    pub r2: f64,
    /// Standard deviations of slope and intercept over bootstrap resamples.
    pub slope_se: f64,
    pub intercept_se: f64,
}

/// The median of `v` (mean of the two middle values for an even count); `v` is reordered.
pub fn median(v: &mut [f64]) -> Option<f64> {
    let n = v.len();
    if n == 0 {
        return None;
    }
    let (_, &mut hi, _) = v.select_nth_unstable_by(n / 2, f64::total_cmp);
    if n % 2 == 1 {
        return Some(hi);
    }
    let lo = v[..n / 2].iter().copied().fold(f64::NEG_INFINITY, f64::max);
    Some((lo + hi) / 2.0)
}

/// The Theil–Sen line through `points` (x, y): slope = median of the slopes
/// of every pair with distinct x (or of `max_pairs` random pairs when there
/// are more), intercept = median of y − slope × x. None with fewer than two
/// distinct x.
pub fn theil_sen(points: &[(f64, f64)], max_pairs: usize, rng: &mut Xoshiro256PlusPlus) -> Option<Line> {
    let n = points.len();
    let all = n.saturating_mul(n.saturating_sub(1)) / 2;
    let mut slopes = Vec::with_capacity(all.min(max_pairs));
    let mut push = |(x1, y1): (f64, f64), (x2, y2): (f64, f64)| {
        if x1 != x2 {
            slopes.push((y2 - y1) / (x2 - x1));
        }
    };
    if all <= max_pairs {
        for i in 0..n {
            for j in i + 1..n {
                push(points[i], points[j]);
            }
        }
    } else {
        for _ in 0..max_pairs {
            let (i, j) = (rng.random_range(0..n), rng.random_range(0..n));
            push(points[i], points[j]);
        }
    }
    let slope = median(&mut slopes)?;
    let mut residuals: Vec<f64> = points.iter().map(|&(x, y)| y - slope * x).collect();
    let intercept = median(&mut residuals)?;
    Some(Line { slope, intercept })
}

/// R² of `line` over `points`.
pub fn r_squared(points: &[(f64, f64)], line: Line) -> f64 {
    let n = points.len() as f64;
    let mean = points.iter().map(|p| p.1).sum::<f64>() / n;
    let total: f64 = points.iter().map(|p| (p.1 - mean).powi(2)).sum();
    let residual: f64 = points.iter().map(|&(x, y)| (y - line.intercept - line.slope * x).powi(2)).sum();
    if total > 0.0 { 1.0 - residual / total } else { 0.0 }
}

/// Theil–Sen with R² and bootstrap standard errors (resampling the points with
/// replacement, `BOOTSTRAP_RESAMPLES` times, seed `SEED`). None with fewer than
/// two distinct x.
pub fn fit(points: &[(f64, f64)]) -> Option<Fit> {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(SEED);
    let line = theil_sen(points, MAX_PAIRS, &mut rng)?;
    let n = points.len();
    let mut slopes = Vec::with_capacity(BOOTSTRAP_RESAMPLES);
    let mut intercepts = Vec::with_capacity(BOOTSTRAP_RESAMPLES);
    let mut sample = Vec::with_capacity(n);
    for _ in 0..BOOTSTRAP_RESAMPLES {
        sample.clear();
        sample.extend((0..n).map(|_| points[rng.random_range(0..n)]));
        if let Some(l) = theil_sen(&sample, BOOT_PAIRS, &mut rng) {
            slopes.push(l.slope);
            intercepts.push(l.intercept);
        }
    }
    Some(Fit {
        line,
        r2: r_squared(points, line),
        slope_se: standard_deviation(&slopes),
        intercept_se: standard_deviation(&intercepts),
    })
}

/// Sample standard deviation (n − 1); infinite with fewer than two values,
/// since then nothing bounds the estimate.
fn standard_deviation(v: &[f64]) -> f64 {
    if v.len() < 2 {
        return f64::INFINITY;
    }
    let n = v.len() as f64;
    let mean = v.iter().sum::<f64>() / n;
    (v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rng() -> Xoshiro256PlusPlus {
        Xoshiro256PlusPlus::seed_from_u64(SEED)
    }

    #[test]
    fn median_of_odd_and_even_counts() {
        assert_eq!(median(&mut [3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&mut [4.0, 1.0, 3.0, 2.0]), Some(2.5));
        assert_eq!(median(&mut []), None);
    }

    /// Five points on y = 2 + 3x and one wild outlier (x = 5, y = 100 instead
    /// of 17). The 15 pairwise slopes: the 10 pairs among the line's points have
    /// slope 3; the 5 pairs with the outlier have slopes (100 − yi) / (5 − xi):
    /// 98/5, 95/4, 92/3, 89/2, 86/1 — all above 3. Sorted, the 8th of 15 (the
    /// median) is 3. Residuals y − 3x: 2, 2, 2, 2, 2, 85 → median 2. So the line
    /// is exactly y = 2 + 3x, where least squares would give a slope of 260 / 17.5 = 14.86.
    #[test]
    fn theil_sen_ignores_an_outlier_exactly() {
        let pts = [(0.0, 2.0), (1.0, 5.0), (2.0, 8.0), (3.0, 11.0), (4.0, 14.0), (5.0, 100.0)];
        let line = theil_sen(&pts, MAX_PAIRS, &mut rng()).unwrap();
        assert_eq!(line, Line { slope: 3.0, intercept: 2.0 });
    }

    /// Four points (0,0), (1,1), (2,4), (3,3): slopes of the 6 pairs are
    /// 1, 2, 1, 3, 1, −1 → sorted −1, 1, 1, 1, 2, 3 → median (1 + 1)/2 = 1.
    /// Residuals y − x: 0, 0, 2, 0 → median 0. R²: ȳ = 2, SS_tot = 4+1+4+1 = 10,
    /// SS_res = 0+0+4+0 = 4 → R² = 0.6.
    #[test]
    fn theil_sen_and_r2_by_hand() {
        let pts = [(0.0, 0.0), (1.0, 1.0), (2.0, 4.0), (3.0, 3.0)];
        let line = theil_sen(&pts, MAX_PAIRS, &mut rng()).unwrap();
        assert_eq!(line, Line { slope: 1.0, intercept: 0.0 });
        assert_eq!(r_squared(&pts, line), 0.6);
    }

    #[test]
    fn pairs_with_the_same_x_are_skipped_and_one_x_gives_no_line() {
        // (1,1),(1,5) has no slope; the other pairs: (1,1)-(3,5) = 2, (1,5)-(3,5) = 0 → median 1.
        let line = theil_sen(&[(1.0, 1.0), (1.0, 5.0), (3.0, 5.0)], MAX_PAIRS, &mut rng()).unwrap();
        assert_eq!(line.slope, 1.0);
        assert!(theil_sen(&[(2.0, 1.0), (2.0, 3.0)], MAX_PAIRS, &mut rng()).is_none());
        assert!(fit(&[(2.0, 1.0)]).is_none());
    }

    /// Points exactly on a line: every resample gives the same line, so the
    /// standard errors are 0 and R² is 1.
    #[test]
    fn an_exact_line_has_no_uncertainty() {
        let pts: Vec<(f64, f64)> = (0..40).map(|i| (f64::from(i), 4.0 + 0.5 * f64::from(i))).collect();
        let f = fit(&pts).unwrap();
        assert_eq!(f.line, Line { slope: 0.5, intercept: 4.0 });
        assert_eq!((f.r2, f.slope_se, f.intercept_se), (1.0, 0.0, 0.0));
    }

    /// The same noise over a wide and a narrow range of x: the narrow range
    /// (what target tracking leaves) identifies the slope far less well.
    #[test]
    fn a_narrow_range_of_x_shows_in_the_standard_error() {
        let noise = |i: i32| f64::from((i * 7919) % 13 - 6); // deterministic, mean 0, ±6
        let wide: Vec<(f64, f64)> =
            (0..200).map(|i| (f64::from(i % 100), 5.0 + 0.8 * f64::from(i % 100) + noise(i))).collect();
        let narrow: Vec<(f64, f64)> =
            (0..200).map(|i| (45.0 + f64::from(i % 10), 5.0 + 0.8 * (45.0 + f64::from(i % 10)) + noise(i))).collect();
        let (w, n) = (fit(&wide).unwrap(), fit(&narrow).unwrap());
        assert!((w.line.slope - 0.8).abs() < 0.05, "{w:?}");
        assert!(n.slope_se > 5.0 * w.slope_se, "wide {w:?}\nnarrow {n:?}");
        assert!(n.r2 < 0.5 && w.r2 > 0.95, "wide {w:?}\nnarrow {n:?}");
    }

    #[test]
    fn many_points_use_a_sample_of_pairs_and_stay_deterministic() {
        let pts: Vec<(f64, f64)> = (0..1000).map(|i| (f64::from(i), 1.0 + 2.0 * f64::from(i))).collect();
        let a = fit(&pts).unwrap();
        assert_eq!(a.line, Line { slope: 2.0, intercept: 1.0 });
        assert_eq!(a, fit(&pts).unwrap());
    }
}
