//! Mean and 95% confidence interval of a few replications.
//!
//! Used where the sweep's `summary.csv` has no column for a figure the charts
//! need (cost when it is not among the sweep's metrics, and means over the
//! other axes); the formula is the one `summary.csv` documents.

/// Two-sided 95% critical values t(0.975; df) of Student's t distribution,
/// to three decimals, from the NIST/SEMATECH e-Handbook of Statistical
/// Methods, table 1.3.6.7.2
/// (<https://www.itl.nist.gov/div898/handbook/eda/section3/eda3672.htm>).
const T_975: [(usize, f64); 33] = [
    (1, 12.706),
    (2, 4.303),
    (3, 3.182),
    (4, 2.776),
    (5, 2.571),
    (6, 2.447),
    (7, 2.365),
    (8, 2.306),
    (9, 2.262),
    (10, 2.228),
    (11, 2.201),
    (12, 2.179),
    (13, 2.160),
    (14, 2.145),
    (15, 2.131),
    (16, 2.120),
    (17, 2.110),
    (18, 2.101),
    (19, 2.093),
    (20, 2.086),
    (21, 2.080),
    (22, 2.074),
    (23, 2.069),
    (24, 2.064),
    (25, 2.060),
    (26, 2.056),
    (27, 2.052),
    (28, 2.048),
    (29, 2.045),
    (30, 2.042),
    (40, 2.021),
    (60, 2.000),
    (100, 1.984),
];

/// The normal quantile the t values approach for large df.
const Z_975: f64 = 1.960;

/// t(0.975; df); between tabulated rows the row below (fewer df) is used,
/// which errs towards a wider interval. `None` for df = 0.
pub(crate) fn t_975(df: usize) -> Option<f64> {
    if df == 0 {
        return None;
    }
    if df > 100 {
        return Some(Z_975);
    }
    T_975.iter().rev().find(|(tabulated, _)| *tabulated <= df).map(|(_, t)| *t)
}

/// A sample mean with the half-width of its 95% confidence interval.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Estimate {
    pub mean: f64,
    /// `None` with a single value: one replication says nothing of spread.
    pub ci95: Option<f64>,
}

/// Mean and Student-t 95% CI half-width (t × sd / √n, sd with n − 1);
/// `None` for no values.
pub(crate) fn estimate(values: &[f64]) -> Option<Estimate> {
    if values.is_empty() {
        return None;
    }
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let ci95 = t_975(values.len() - 1).map(|t| {
        let variance = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0);
        t * variance.sqrt() / n.sqrt()
    });
    Some(Estimate { mean, ci95 })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn t_values_come_from_the_table_and_err_wide_between_rows() {
        assert_eq!(t_975(0), None);
        assert_eq!(t_975(1), Some(12.706));
        assert_eq!(t_975(3), Some(3.182));
        assert_eq!(t_975(30), Some(2.042));
        assert_eq!(t_975(45), Some(2.021));
        assert_eq!(t_975(100), Some(1.984));
        assert_eq!(t_975(1000), Some(1.960));
    }

    #[test]
    fn estimate_of_four_values() {
        // mean 2.5; sd = sqrt(5/3) = 1.2909944; CI = 3.182 × 1.2909944 / 2.
        let e = estimate(&[1.0, 2.0, 3.0, 4.0]).unwrap_or(Estimate { mean: f64::NAN, ci95: None });
        assert_eq!(e.mean, 2.5);
        let ci = e.ci95.unwrap_or(f64::NAN);
        assert!((ci - 2.053_972).abs() < 1e-6, "{ci}");
        assert_eq!(estimate(&[7.0]), Some(Estimate { mean: 7.0, ci95: None }));
        assert_eq!(estimate(&[]), None);
    }
}
