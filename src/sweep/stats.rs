//! Replication statistics for summary.csv: mean, sample standard deviation and
//! the half-width of the 95% confidence interval of the mean, Student t with
//! n − 1 degrees of freedom (replications are few, so the normal 1.96 would be
//! too narrow: with 8 replications t is 2.365).
//!
//! The t quantile is computed, not tabled: the upper tail of Student's t is
//! ½·I_x(df/2, ½) with x = df / (df + t²), where I is the regularized incomplete
//! beta function (evaluated by its continued fraction), and the quantile is found
//! by bisection on t. `libm` keeps the result identical on every platform.

/// Mean, spread and confidence of one metric over a configuration's replications.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Summary {
    /// Number of values summarised.
    pub n: usize,
    /// `None` when there are no values.
    pub mean: Option<f64>,
    /// Sample standard deviation (divisor n − 1); `None` when n < 2.
    pub sd: Option<f64>,
    /// Half-width of the 95% confidence interval of the mean; `None` when n < 2.
    pub ci95: Option<f64>,
}

/// Summarises finite `values` (the caller drops nulls and non-finite figures).
pub fn summarize(values: &[f64]) -> Summary {
    Summary { n: values.len(), mean: mean(values), sd: sample_sd(values), ci95: ci95_half_width(values) }
}

/// Arithmetic mean, summed in the given order so results are reproducible, and
/// shifted by the first value so that identical values (an availability of 0.999
/// in every replication) give exactly that value and zero spread, not
/// 0.9989999999999999 with an sd of 1e-16.
pub fn mean(values: &[f64]) -> Option<f64> {
    let first = *values.first()?;
    let offsets: f64 = values.iter().map(|value| value - first).sum();
    Some(first + offsets / values.len() as f64)
}

/// Sample standard deviation with the n − 1 divisor (two-pass, for accuracy).
pub fn sample_sd(values: &[f64]) -> Option<f64> {
    if values.len() < 2 {
        return None;
    }
    let centre = mean(values)?;
    let squares: f64 = values.iter().map(|value| (value - centre) * (value - centre)).sum();
    Some(libm::sqrt(squares / (values.len() - 1) as f64))
}

/// t(0.975, n − 1) · sd / √n: the mean lies within ± this of the true mean with
/// 95% confidence, if replications are independent and roughly normal.
pub fn ci95_half_width(values: &[f64]) -> Option<f64> {
    let sd = sample_sd(values)?;
    let n = values.len() as f64;
    let t = student_t_quantile(0.975, n - 1.0)?;
    Some(t * sd / libm::sqrt(n))
}

/// The `p` quantile of Student's t with `df` degrees of freedom; `None` unless
/// 0 < p < 1 and df > 0 (both finite).
pub fn student_t_quantile(p: f64, df: f64) -> Option<f64> {
    if !(p > 0.0 && p < 1.0 && df > 0.0 && df.is_finite()) {
        return None;
    }
    if p == 0.5 {
        return Some(0.0);
    }
    // Symmetric: solve for the upper tail, which avoids cancellation near p = 1.
    let tail = if p > 0.5 { 1.0 - p } else { p };
    let mut low = 0.0_f64;
    let mut high = 1.0_f64;
    while upper_tail(high, df) > tail {
        low = high;
        high *= 2.0;
        if !high.is_finite() {
            return None;
        }
    }
    // Bisection until the interval stops shrinking: full double precision.
    for _ in 0..2000 {
        let middle = 0.5 * (low + high);
        if middle <= low || middle >= high {
            break;
        }
        if upper_tail(middle, df) > tail {
            low = middle;
        } else {
            high = middle;
        }
    }
    let quantile = 0.5 * (low + high);
    Some(if p > 0.5 { quantile } else { -quantile })
}

/// P(T > t) for t ≥ 0.
fn upper_tail(t: f64, df: f64) -> f64 {
    let x = df / (df + t * t);
    0.5 * regularized_incomplete_beta(df / 2.0, 0.5, x)
}

/// I_x(a, b) for a, b > 0 and 0 ≤ x ≤ 1.
fn regularized_incomplete_beta(a: f64, b: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return 1.0;
    }
    // x^a (1−x)^b / B(a, b), in logs to survive large a and b.
    let log_front = a * libm::log(x) + b * libm::log1p(-x) + libm::lgamma(a + b) - libm::lgamma(a) - libm::lgamma(b);
    let front = libm::exp(log_front);
    // The continued fraction converges fast for x < (a+1)/(a+b+2); otherwise use
    // the symmetry I_x(a, b) = 1 − I_{1−x}(b, a).
    if x < (a + 1.0) / (a + b + 2.0) {
        front * beta_continued_fraction(a, b, x) / a
    } else {
        1.0 - front * beta_continued_fraction(b, a, 1.0 - x) / b
    }
}

/// The continued fraction 1/(1+ d1/(1+ d2/(1+ ...))) of the incomplete beta
/// function, with d(2m+1) = −(a+m)(a+b+m)x / ((a+2m)(a+2m+1)) and
/// d(2m) = m(b−m)x / ((a+2m−1)(a+2m)), evaluated by the modified Lentz method.
fn beta_continued_fraction(a: f64, b: f64, x: f64) -> f64 {
    const TINY: f64 = 1e-300;
    const EPSILON: f64 = 1e-16;
    let guard = |value: f64| if value.abs() < TINY { TINY } else { value };

    let mut numerator_ratio = 1.0; // Lentz's C
    let mut denominator_ratio = 1.0 / guard(1.0 - (a + b) * x / (a + 1.0)); // Lentz's D
    let mut fraction = denominator_ratio;
    for m in 1..10_000 {
        let m = f64::from(m);
        let even = m * (b - m) * x / ((a + 2.0 * m - 1.0) * (a + 2.0 * m));
        denominator_ratio = 1.0 / guard(1.0 + even * denominator_ratio);
        numerator_ratio = guard(1.0 + even / numerator_ratio);
        fraction *= denominator_ratio * numerator_ratio;

        let odd = -(a + m) * (a + b + m) * x / ((a + 2.0 * m) * (a + 2.0 * m + 1.0));
        denominator_ratio = 1.0 / guard(1.0 + odd * denominator_ratio);
        numerator_ratio = guard(1.0 + odd / numerator_ratio);
        let step = denominator_ratio * numerator_ratio;
        fraction *= step;
        if (step - 1.0).abs() < EPSILON {
            break;
        }
    }
    fraction
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(actual: Option<f64>, expected: f64, tolerance: f64) {
        let actual = actual.unwrap_or(f64::NAN);
        assert!((actual - expected).abs() <= tolerance, "got {actual}, expected {expected} ± {tolerance}");
    }

    #[test]
    fn t_quantiles_match_published_values() {
        // df = 1 is Cauchy: tan(π(p − ½)); df = 2 has t = (2p − 1)·√(2 / (4p(1 − p))).
        close(student_t_quantile(0.975, 1.0), 12.706_204_736_174_7, 1e-9);
        close(student_t_quantile(0.975, 1.0), 12.706_204_7, 1e-7);
        close(student_t_quantile(0.975, 2.0), 4.302_652_729_749_464, 1e-11);
        close(student_t_quantile(0.975, 4.0), 2.776_445_105, 1e-9);
        close(student_t_quantile(0.975, 7.0), 2.364_624_25, 1e-8);
        close(student_t_quantile(0.975, 30.0), 2.042_272_46, 1e-8);
        close(student_t_quantile(0.995, 10.0), 3.169_272_673, 1e-9);
        close(student_t_quantile(0.9, 3.0), 1.637_744_354, 1e-9);
        // Large df tends to the normal quantile 1.959964.
        close(student_t_quantile(0.975, 1e7), 1.959_964, 1e-6);
    }

    #[test]
    fn t_quantile_is_symmetric_and_refuses_bad_input() {
        close(student_t_quantile(0.025, 7.0), -2.364_624_25, 1e-8);
        assert_eq!(student_t_quantile(0.5, 3.0), Some(0.0));
        assert_eq!(student_t_quantile(0.0, 3.0), None);
        assert_eq!(student_t_quantile(1.0, 3.0), None);
        assert_eq!(student_t_quantile(0.975, 0.0), None);
        assert_eq!(student_t_quantile(f64::NAN, 3.0), None);
        assert_eq!(student_t_quantile(0.975, f64::INFINITY), None);
    }

    #[test]
    fn summary_of_one_to_five() {
        let summary = summarize(&[1.0, 2.0, 3.0, 4.0, 5.0]);
        assert_eq!(summary.n, 5);
        assert_eq!(summary.mean, Some(3.0));
        // sd = √(10 / 4) = √2.5; ci = t(0.975, 4) · sd / √5 = 2.776445105 · 0.7071068.
        close(summary.sd, 1.581_138_830_084_19, 1e-12);
        close(summary.ci95, 1.963_243_2, 1e-7);
    }

    #[test]
    fn fewer_than_two_values_have_no_spread() {
        assert_eq!(summarize(&[]), Summary { n: 0, mean: None, sd: None, ci95: None });
        assert_eq!(summarize(&[7.5]), Summary { n: 1, mean: Some(7.5), sd: None, ci95: None });
        // Identical values: exactly that mean, no spread, a zero-width interval
        // (a plain sum of eight 0.999 divided by 8 gives 0.9989999999999999).
        let same = summarize(&[0.999; 8]);
        assert_eq!((same.mean, same.sd, same.ci95), (Some(0.999), Some(0.0), Some(0.0)));
    }
}
