//! End-to-end time distributions on a uniform grid (docs/model.md §8.8).
//!
//! A distribution is held as its CDF at the points k·h, k = 0..=[`STEPS`],
//! of a discrete variable: mass at k·h, and `1 − cdf[STEPS]` beyond the grid.
//! Every continuous distribution enters rounded UP to the next point, so a
//! computed time is never below the exact one and exceeds it by at most one
//! step per rounding. Adding an exponential sojourn to a grid distribution
//! is exact (a first-order recursion, O(STEPS)); the maximum of independent
//! times is the product of their CDFs (exact); adding two grid distributions
//! is a convolution (FFT, O(STEPS log STEPS)), used only for callees that
//! make calls of their own.

use super::queueing::Component;

/// Steps of the grid; its span is chosen per service and minute.
pub const STEPS: usize = 4096;

/// A time on the grid: `cdf[k]` = P(X ≤ k·h).
#[derive(Clone, Debug, PartialEq)]
pub struct Grid {
    pub h: f64,
    pub cdf: Vec<f64>,
}

impl Grid {
    /// Zero time (a call that is not made).
    pub fn zero(h: f64) -> Grid {
        Grid { h, cdf: vec![1.0; STEPS + 1] }
    }

    /// min(T, τ) for T the request-weighted mixture `comps` (each truncated at
    /// its own timeout, rate 0 meaning every request reaches it), rounded up to
    /// the grid, taken with probability `share` (the rest: zero time).
    pub fn from_mixture(h: f64, comps: &[Component], share: f64) -> Grid {
        let total: f64 = comps.iter().map(|c| c.weight).sum();
        let mut cdf = vec![1.0 - share; STEPS + 1];
        if total <= 0.0 {
            return Grid { h, cdf: vec![1.0; STEPS + 1] };
        }
        for c in comps {
            let w = share * c.weight / total;
            let a = libm::exp(-c.rate * h);
            let mut tail = 1.0;
            for (k, v) in cdf.iter_mut().enumerate() {
                // `k as f64 * h >= timeout` as `mixture_cdf` decides it.
                if k as f64 * h >= c.timeout {
                    *v += w;
                } else {
                    *v += w * (1.0 - tail);
                }
                tail *= a;
            }
        }
        Grid { h, cdf }.clamped()
    }

    /// The CDF of X + min(T, τ) with T the mixture `comps` (taken with
    /// probability `share`, zero time otherwise). For one exponential of rate r
    /// capped at τ̂ = m·h (τ rounded up), with p_j the masses of X and
    /// S_k = Σ_{j≤k} p_j e^{−r(k−j)h} = e^{−rh} S_{k−1} + p_k:
    ///     P(X + min(T, τ̂) ≤ kh) = F_k − S_k + e^{−rmh} S_{k−m}.
    /// Exact for the grid variable X; T itself is not rounded.
    pub fn add_mixture(&self, comps: &[Component], share: f64) -> Grid {
        let total: f64 = comps.iter().map(|c| c.weight).sum();
        if total <= 0.0 || share <= 0.0 {
            return self.clone();
        }
        let mut out: Vec<f64> = self.cdf.iter().map(|f| f * (1.0 - share)).collect();
        let mut s = vec![0.0; STEPS + 1];
        for c in comps {
            let w = share * c.weight / total;
            let a = libm::exp(-c.rate * self.h);
            let m = (c.timeout / self.h).ceil();
            let m = if m.is_finite() && m >= 0.0 { (m as usize).min(STEPS + 1) } else { STEPS + 1 };
            let am = libm::exp(-c.rate * self.h * m as f64);
            let mut prev_f = 0.0;
            let mut acc = 0.0;
            for k in 0..=STEPS {
                let f = self.cdf[k];
                acc = a * acc + (f - prev_f);
                prev_f = f;
                s[k] = acc;
                let shifted = if k >= m { am * s[k - m] } else { 0.0 };
                out[k] += w * (f - acc + shifted);
            }
        }
        Grid { h: self.h, cdf: out }.clamped()
    }

    /// The CDF of X + Y for independent grid variables (same step).
    pub fn add_grid(&self, other: &Grid) -> Grid {
        let a = self.masses();
        let b = other.masses();
        let c = convolve(&a, &b);
        let mut cdf = Vec::with_capacity(STEPS + 1);
        let mut acc = 0.0;
        for &p in c.iter().take(STEPS + 1) {
            acc += p.max(0.0);
            cdf.push(acc);
        }
        Grid { h: self.h, cdf }.clamped()
    }

    /// The maximum of X and an independent Y: the product of the CDFs.
    pub fn max_with(&mut self, other: &Grid) {
        for (a, b) in self.cdf.iter_mut().zip(&other.cdf) {
            *a *= b;
        }
    }

    /// (1 − f)·self + f·other: one of two times, the second with probability f.
    pub fn blend(&self, other: &Grid, f: f64) -> Grid {
        let cdf = self.cdf.iter().zip(&other.cdf).map(|(a, b)| (1.0 - f) * a + f * b).collect();
        Grid { h: self.h, cdf }
    }

    /// min(X, τ) with τ rounded up to the grid: all mass at or beyond τ moves to it.
    pub fn cap(&mut self, timeout: f64) {
        let m = (timeout / self.h).ceil();
        if m.is_finite() && m >= 0.0 && (m as usize) <= STEPS {
            for v in &mut self.cdf[m as usize..] {
                *v = 1.0;
            }
        }
    }

    /// Mass at each point (the last entry includes nothing beyond the grid).
    pub fn masses(&self) -> Vec<f64> {
        let mut prev = 0.0;
        self.cdf
            .iter()
            .map(|&f| {
                let p = f - prev;
                prev = f;
                p
            })
            .collect()
    }

    /// P(X > STEPS·h).
    pub fn beyond(&self) -> f64 {
        (1.0 - self.cdf[STEPS]).max(0.0)
    }

    /// P(X ≤ x).
    pub fn cdf_at(&self, x: f64) -> f64 {
        let k = (x / self.h).floor();
        if k < 0.0 {
            0.0
        } else if k >= STEPS as f64 {
            self.cdf[STEPS]
        } else {
            self.cdf[k as usize]
        }
    }

    /// Rounding can leave values a hair outside [0, 1] or decreasing; the
    /// CDF is made a CDF again (changes of the order of 1e-15).
    fn clamped(mut self) -> Grid {
        let mut prev = 0.0f64;
        for v in &mut self.cdf {
            *v = v.clamp(prev, 1.0);
            prev = *v;
        }
        self
    }
}

/// Linear convolution of two real sequences by a radix-2 FFT.
fn convolve(a: &[f64], b: &[f64]) -> Vec<f64> {
    let n = (a.len() + b.len() - 1).next_power_of_two();
    let mut x: Vec<(f64, f64)> = (0..n).map(|i| (a.get(i).copied().unwrap_or(0.0), 0.0)).collect();
    let mut y: Vec<(f64, f64)> = (0..n).map(|i| (b.get(i).copied().unwrap_or(0.0), 0.0)).collect();
    fft(&mut x, false);
    fft(&mut y, false);
    for (p, q) in x.iter_mut().zip(&y) {
        *p = (p.0 * q.0 - p.1 * q.1, p.0 * q.1 + p.1 * q.0);
    }
    fft(&mut x, true);
    x.iter().map(|p| p.0 / n as f64).collect()
}

/// In-place iterative Cooley–Tukey FFT (length a power of two); `inverse`
/// flips the sign of the exponent (the caller divides by n).
fn fft(v: &mut [(f64, f64)], inverse: bool) {
    let n = v.len();
    let mut j = 0;
    for i in 1..n {
        let mut bit = n >> 1;
        while j & bit != 0 {
            j ^= bit;
            bit >>= 1;
        }
        j |= bit;
        if i < j {
            v.swap(i, j);
        }
    }
    let sign = if inverse { 1.0 } else { -1.0 };
    let mut len = 2;
    while len <= n {
        let half = len / 2;
        for k in 0..half {
            let angle = sign * 2.0 * std::f64::consts::PI * k as f64 / len as f64;
            let w = (libm::cos(angle), libm::sin(angle));
            for start in (0..n).step_by(len) {
                let (u, t) = (v[start + k], v[start + k + half]);
                let t = (t.0 * w.0 - t.1 * w.1, t.0 * w.1 + t.1 * w.0);
                v[start + k] = (u.0 + t.0, u.1 + t.1);
                v[start + k + half] = (u.0 - t.0, u.1 - t.1);
            }
        }
        len <<= 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exp(rate: f64) -> Vec<Component> {
        vec![Component { rate, weight: 1.0, timeout: f64::INFINITY }]
    }

    #[test]
    fn adding_an_exponential_to_a_point_is_the_exponential() {
        // X = 0: P(0 + T ≤ kh) = 1 − e^{−r k h} exactly (T is not rounded).
        let g = Grid::zero(0.001).add_mixture(&exp(20.0), 1.0);
        for k in [0usize, 1, 10, 100, 4096] {
            let x = k as f64 * 0.001;
            assert!((g.cdf[k] - (1.0 - (-20.0 * x).exp())).abs() < 1e-13, "{k}");
        }
    }

    #[test]
    fn a_grid_sum_matches_the_direct_convolution() {
        let a = Grid::from_mixture(0.01, &exp(3.0), 0.7);
        let b = Grid::from_mixture(0.01, &exp(5.0), 1.0);
        let fast = a.add_grid(&b);
        let (pa, pb) = (a.masses(), b.masses());
        let mut acc = 0.0;
        for k in 0..=STEPS {
            acc += (0..=k).map(|j| pa[j] * pb[k - j]).sum::<f64>();
            assert!((fast.cdf[k] - acc).abs() < 1e-12, "{k}");
        }
    }

    #[test]
    fn caps_move_the_tail_to_the_timeout() {
        // Exp(1) capped at 2 s on a 0.5 s grid: P(≤ 1.5) = 1 − e^{−1.5}, P(≤ 2) = 1.
        let mut g = Grid::from_mixture(0.5, &exp(1.0), 1.0);
        g.cap(2.0);
        assert!((g.cdf[3] - (1.0 - (-1.5f64).exp())).abs() < 1e-15);
        assert_eq!(g.cdf[4], 1.0);
        // The same cap inside `add_mixture`: X = 0 plus min(Exp(1), 2 s).
        let comps = [Component { rate: 1.0, weight: 1.0, timeout: 2.0 }];
        let h = Grid::zero(0.5).add_mixture(&comps, 1.0);
        assert!((h.cdf[3] - g.cdf[3]).abs() < 1e-15);
        assert!((h.cdf[4] - 1.0).abs() < 1e-15);
    }
}
