//! End-to-end time through the call graph, minute by minute (docs/model.md §8.8).
//!
//! A request's end-to-end time is its own sojourn plus the time of the calls
//! it makes, capped at its timeout. A service that calls nobody has its own
//! latency as end-to-end time (the exact mixture, nothing new is computed).
//! For a caller, the minute's distribution is built on a grid (`e2e_grid`)
//! from the minute's latency mixtures of every service below it, and kept in
//! a log-binned histogram for intervals and the run.

use super::Simulation;
use super::e2e_grid::{Grid, Paths, STEPS};
use super::queueing::{self, Component};
use crate::scenario::{Call, Scenario};

/// Each sojourn summed into a span may exceed its share of the span with at
/// most this probability (a union bound puts the mass beyond the grid below
/// the number of sojourns times this).
const TAIL: f64 = 1e-14;

/// One service's minute, as the end-to-end computation sees it.
pub struct Local<'a> {
    /// Latency mixture of its admitted requests (each truncated at its timeout).
    pub comps: &'a [Component],
    /// Admitted share of the requests offered to it: the other calls fail at once.
    pub share: f64,
}

/// A caller's end-to-end distribution for one minute.
pub struct MinuteE2e {
    pub grid: Grid,
    /// The service's timeout: the mass beyond the grid is counted there.
    pub timeout: f64,
    pub mean: f64,
    /// Share of its admitted requests that every station served (sections
    /// 8.3–8.4) but whose end-to-end time reached a timeout: its own, or a
    /// callee's that calls others. They fail end to end.
    pub timed_out: f64,
    /// The histogram's bins this minute fills, from `first_bin`: the grid's
    /// CDF difference across each (computed once, added to every histogram).
    first_bin: usize,
    bin_shares: Vec<f64>,
}

impl MinuteE2e {
    fn new(grid: Grid, timeout: f64, timed_out: f64) -> MinuteE2e {
        // Each bin gets the grid's CDF difference across it (linear between
        // points); the bins begin at half a step, everything before in the first.
        let span = STEPS as f64 * grid.h;
        let first_bin = bin_of(0.5 * grid.h);
        let mut edge = upper_edge(first_bin);
        let mut below = 0.0;
        let mut bin_shares = Vec::new();
        loop {
            let f = grid.cdf_at(edge.min(span));
            bin_shares.push(f - below);
            below = f;
            if edge >= span {
                break;
            }
            edge *= R;
        }
        MinuteE2e { mean: grid.mean(timeout), grid, timeout, timed_out, first_bin, bin_shares }
    }

    /// P(end-to-end time ≤ x); the mass beyond the grid sits at the timeout.
    pub fn cdf(&self, x: f64) -> f64 {
        if x >= self.timeout { 1.0 } else { self.grid.cdf_at(x) }
    }
}

/// floor(p) calls, and one more with probability frac(p).
pub fn split_count(per_request: f64) -> (u32, f64) {
    let k = per_request.floor();
    (k as u32, per_request - k)
}

/// The minute's end-to-end distributions, and the inputs they were computed
/// from: a caller whose inputs (the minute mixtures and shares of every service
/// it reaches) are bit for bit those of its last computation keeps its result.
#[derive(Default)]
pub struct E2eCache {
    /// Per service: its inputs' bits when last computed (None: never).
    keys: Vec<Option<Vec<u64>>>,
    scratch: Vec<u64>,
    /// Per service: the distribution of the minute being closed (None for
    /// services that call nobody or admitted nothing).
    pub minute: Vec<Option<MinuteE2e>>,
}

impl E2eCache {
    /// Brings `minute` up to date for the minute's inputs `local`.
    pub fn update(&mut self, sc: &Scenario, local: &[Local<'_>]) {
        let n = local.len();
        self.keys.resize_with(n, || None);
        self.minute.resize_with(n, || None);
        for s in 0..n {
            if sc.services[s].calls.is_empty() {
                continue;
            }
            let mut key = std::mem::take(&mut self.scratch);
            key.clear();
            inputs_key(sc, local, s, &mut key);
            if self.keys[s].as_ref() == Some(&key) {
                self.scratch = key;
                continue;
            }
            self.minute[s] = minute_e2e(sc, local, s);
            self.scratch = self.keys[s].replace(key).unwrap_or_default();
        }
    }
}

/// The bits of everything `minute_e2e` reads for `s`: the mixtures and shares
/// of `s` and of every service below it, in call order (the graph is fixed).
fn inputs_key(sc: &Scenario, local: &[Local<'_>], s: usize, key: &mut Vec<u64>) {
    let l = &local[s];
    key.push(l.comps.len() as u64);
    key.push(l.share.to_bits());
    for c in l.comps {
        key.extend([c.rate.to_bits(), c.weight.to_bits(), c.timeout.to_bits()]);
    }
    for c in &sc.services[s].calls {
        inputs_key(sc, local, c.service.idx(), key);
    }
}

/// The distribution of caller `s` if it admitted requests this minute (None
/// otherwise, and for services without calls: they use their exact mixture).
pub fn minute_e2e(sc: &Scenario, local: &[Local<'_>], s: usize) -> Option<MinuteE2e> {
    let cfg = &sc.services[s];
    if cfg.calls.is_empty() || local[s].comps.is_empty() {
        return None;
    }
    let mut span = vec![None; local.len()];
    let (q, reaches_timeout) = time_bound(sc, local, s, &mut span);
    if !(q > 0.0 && q.is_finite()) {
        return None;
    }
    let h = q / STEPS as f64;
    let grid = e2e_grid(sc, local, s, h, Paths::All, &mut vec![None; local.len()]);
    let timeout = cfg.workload.request_timeout_s;
    // Below the span's bound no timeout is reached (beyond 1e-14 per sojourn):
    // the served paths are computed only when one may be.
    let timed_out = if reaches_timeout {
        let served = e2e_grid(sc, local, s, h, Paths::Served, &mut vec![None; local.len()]);
        (station_served(sc, local, s) - served.cdf[STEPS]).max(0.0)
    } else {
        0.0
    };
    Some(MinuteE2e::new(grid, timeout, timed_out))
}

/// A time the end-to-end time of `s` exceeds with probability at most TAIL
/// per sojourn summed: each sojourn's (1 − TAIL)-quantile, summed along the
/// calls (the largest of parallel ones), capped at the timeout. With it,
/// whether `s` or a service below it that makes calls is capped there.
fn time_bound(sc: &Scenario, local: &[Local<'_>], s: usize, memo: &mut [Option<(f64, bool)>]) -> (f64, bool) {
    if let Some(q) = memo[s] {
        return q;
    }
    let cfg = &sc.services[s];
    let own = queueing::mixture_quantile(local[s].comps, 1.0 - TAIL).unwrap_or(0.0);
    let (mut seq, mut par, mut capped) = (0.0, 0.0f64, false);
    for c in &cfg.calls {
        let callee = c.service.idx();
        let (q, below) = if local[callee].comps.is_empty() || local[callee].share <= 0.0 {
            (0.0, false)
        } else {
            time_bound(sc, local, callee, memo)
        };
        capped |= below;
        if c.parallel {
            if c.per_request > 0.0 {
                par = par.max(q);
            }
        } else {
            seq += c.per_request.ceil() * q;
        }
    }
    let sum = own + seq + par;
    let timeout = cfg.workload.request_timeout_s;
    let q = (sum.min(timeout), capped || (!cfg.calls.is_empty() && sum >= timeout));
    memo[s] = Some(q);
    q
}

/// Share of the requests admitted at `s` that every station serves, as
/// sections 8.3–8.4 count it: its own sojourn within its timeout, and every
/// call admitted by its callee and served there (recursively), the calls'
/// outcomes independent: floor(p) calls and one more with probability frac(p).
fn station_served(sc: &Scenario, local: &[Local<'_>], s: usize) -> f64 {
    let comps = local[s].comps;
    let total: f64 = comps.iter().map(|c| c.weight).sum();
    let own = if total > 0.0 {
        comps.iter().map(|c| c.weight * -libm::expm1(-c.rate * c.timeout)).sum::<f64>() / total
    } else {
        1.0
    };
    sc.services[s].calls.iter().fold(own, |acc, c| {
        let callee = c.service.idx();
        let ok = local[callee].share * station_served(sc, local, callee);
        let (k, frac) = split_count(c.per_request);
        acc * libm::pow(ok, f64::from(k)) * (1.0 - frac + frac * ok)
    })
}

/// The time one call to `c` takes, on step `h`: zero when it fails at once,
/// else the callee's end-to-end time capped at its timeout (for the served
/// paths: only the calls admitted and answered within it).
fn call_time(sc: &Scenario, local: &[Local<'_>], c: usize, h: f64, paths: Paths, memo: &mut [Option<Grid>]) -> Grid {
    if let Some(g) = &memo[c] {
        return g.clone();
    }
    let l = &local[c];
    let g = if sc.services[c].calls.is_empty() || l.comps.is_empty() {
        Grid::from_mixture_as(h, l.comps, l.share, paths)
    } else {
        let mut own = e2e_grid(sc, local, c, h, paths, memo);
        own.cap(sc.services[c].workload.request_timeout_s, paths);
        let failed = if paths == Paths::Served { Grid::none(h) } else { Grid::zero(h) };
        failed.blend(&own, l.share)
    };
    memo[c] = Some(g.clone());
    g
}

/// End-to-end time of `s` on step `h`: the parallel calls' maximum, plus the
/// sequential calls one after another, plus its own sojourn, capped.
fn e2e_grid(sc: &Scenario, local: &[Local<'_>], s: usize, h: f64, paths: Paths, memo: &mut [Option<Grid>]) -> Grid {
    let cfg = &sc.services[s];
    let mut f = Grid::zero(h);
    for c in cfg.calls.iter().filter(|c| c.parallel) {
        let d = call_time(sc, local, c.service.idx(), h, paths, memo);
        let (k, frac) = split_count(c.per_request);
        // The maximum of k independent copies: the CDF to the k-th power (for
        // the served paths, all k served and the slowest within x: the same).
        let pow = |n: u32| Grid { h, cdf: d.cdf.iter().map(|v| v.powi(n as i32)).collect() };
        let stage = if frac > 0.0 { pow(k).blend(&pow(k + 1), frac) } else { pow(k) };
        f.max_with(&stage);
    }
    for c in cfg.calls.iter().filter(|c| !c.parallel) {
        f = add_calls(sc, local, c, f, paths, memo);
    }
    // Its own sojourn uncapped: min(T + C, τ) = min(min(T, τ) + C, τ), and what
    // passes τ then stays beyond the grid (≤ τ), an atom at τ, not smeared over a step.
    let own: Vec<Component> = local[s].comps.iter().map(|c| Component { timeout: f64::INFINITY, ..*c }).collect();
    f.add_mixture(&own, 1.0)
}

/// Calls to a callee without calls of its own up to this many are added one
/// by one exactly; more are summed by squaring (a few convolutions).
const ADDED_ONE_BY_ONE: u32 = 4;

/// Adds floor(p) sequential calls, and one more with probability frac(p).
fn add_calls(
    sc: &Scenario,
    local: &[Local<'_>],
    c: &Call,
    mut f: Grid,
    paths: Paths,
    memo: &mut [Option<Grid>],
) -> Grid {
    let callee = c.service.idx();
    let (k, frac) = split_count(c.per_request);
    if sc.services[callee].calls.is_empty() && k <= ADDED_ONE_BY_ONE {
        // Its sojourn is added exactly (no rounding of it).
        let once = |g: &Grid| g.add_mixture_as(local[callee].comps, local[callee].share, paths);
        for _ in 0..k {
            f = once(&f);
        }
        if frac > 0.0 {
            let more = once(&f);
            f = f.blend(&more, frac);
        }
        return f;
    }
    let d = call_time(sc, local, callee, f.h, paths, memo);
    let mut g = match sum_of_copies(&d, k) {
        Some(sum) => f.add_grid(&sum),
        None => f,
    };
    if frac > 0.0 {
        let more = g.add_grid(&d);
        g = g.blend(&more, frac);
    }
    g
}

/// The sum of `k` independent copies of `d` (None for k = 0), by squaring.
fn sum_of_copies(d: &Grid, mut k: u32) -> Option<Grid> {
    let (mut power, mut sum): (Grid, Option<Grid>) = (d.clone(), None);
    while k > 0 {
        if k & 1 == 1 {
            sum = Some(match sum {
                Some(s) => s.add_grid(&power),
                None => power.clone(),
            });
        }
        k >>= 1;
        if k > 0 {
            power = power.add_grid(&power);
        }
    }
    sum
}

/// A run-long (or interval-long) mixture of end-to-end distributions, in
/// bins of log(time) 1% wide (linear within: a smooth CDF's quantiles stay
/// within about 1e-4), the atoms at timeouts apart; the mean is kept exactly.
#[derive(Clone, Debug, Default)]
pub struct E2eHistogram {
    bins: Vec<f64>,
    /// `upper_edge(b)` for every bin (computed once: quantiles read them often).
    edges: Vec<f64>,
    /// (timeout, weight) of the requests that reach their timeout.
    atoms: Vec<(f64, f64)>,
    /// Bins written since the last clear: [lo, hi).
    touched: (usize, usize),
    weight: f64,
    weighted_time: f64,
}

/// Bin 0 holds times up to X0; bin b ≥ 1 holds (X0·R^(b−1), X0·R^b].
const X0: f64 = 1e-7;
const R: f64 = 1.01;

fn bin_of(x: f64) -> usize {
    if x <= X0 { 0 } else { (libm::log(x / X0) / libm::log(R)).ceil().max(1.0) as usize }
}

fn upper_edge(b: usize) -> f64 {
    X0 * libm::pow(R, b as f64)
}

impl E2eHistogram {
    /// Adds `weight` requests distributed as `m`.
    pub fn add(&mut self, m: &MinuteE2e, weight: f64) {
        if weight <= 0.0 {
            return;
        }
        self.weight += weight;
        self.weighted_time += weight * m.mean;
        let (lo, hi) = (m.first_bin, m.first_bin + m.bin_shares.len());
        if self.bins.len() < hi {
            self.bins.resize(hi, 0.0);
            self.edges.extend((self.edges.len()..hi).map(upper_edge));
        }
        for (v, share) in self.bins[lo..hi].iter_mut().zip(&m.bin_shares) {
            *v += weight * share;
        }
        if lo < hi {
            self.touched = if self.touched.0 == self.touched.1 {
                (lo, hi)
            } else {
                (self.touched.0.min(lo), self.touched.1.max(hi))
            };
        }
        let beyond = m.grid.beyond();
        if beyond > 0.0 {
            match self.atoms.iter_mut().find(|a| a.0 == m.timeout) {
                Some(a) => a.1 += weight * beyond,
                None => self.atoms.push((m.timeout, weight * beyond)),
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.weight <= 0.0
    }

    /// Empties the histogram, keeping its memory.
    pub fn clear(&mut self) {
        let (lo, hi) = self.touched;
        for v in &mut self.bins[lo..hi] {
            *v = 0.0;
        }
        self.touched = (0, 0);
        self.atoms.clear();
        self.weight = 0.0;
        self.weighted_time = 0.0;
    }

    /// Weight in the bins before each bin (one more entry: the total).
    fn prefix(&self) -> Vec<f64> {
        let mut acc = 0.0;
        let mut out = Vec::with_capacity(self.bins.len() + 1);
        out.push(0.0);
        for w in &self.bins {
            acc += w;
            out.push(acc);
        }
        out
    }

    fn max_time(&self) -> f64 {
        let binned = self.bins.iter().rposition(|&w| w > 0.0).map_or(0.0, |b| self.edges[b]);
        self.atoms.iter().map(|a| a.0).fold(binned, f64::max)
    }
}

/// Mean and quantiles of a mixture of exact components (services without
/// calls) and histogrammed callers, in seconds, by bisection on the CDF.
pub struct Combined<'a> {
    pub comps: &'a [Component],
    pub hist: &'a E2eHistogram,
}

impl Combined<'_> {
    fn total(&self) -> f64 {
        self.comps.iter().map(|c| c.weight).sum::<f64>() + self.hist.weight
    }

    pub fn mean(&self) -> Option<f64> {
        let total = self.total();
        let exact: f64 = self.comps.iter().map(|c| c.weight * queueing::mean_truncated(c.rate, c.timeout)).sum();
        (total > 0.0).then(|| (exact + self.hist.weighted_time) / total)
    }

    pub fn quantile(&self, q: f64) -> Option<f64> {
        let total = self.total();
        if total <= 0.0 {
            return None;
        }
        let exact_total: f64 = self.comps.iter().map(|c| c.weight).sum();
        let prefix = self.hist.prefix();
        // Requests of the histogram finished by `x`, linear within the bin holding `x`.
        let hist_below = |x: f64| {
            let b = bin_of(x);
            let Some(&inside) = self.hist.bins.get(b) else { return prefix[prefix.len() - 1] };
            let lower = if b == 0 { 0.0 } else { self.hist.edges[b - 1] };
            prefix[b] + inside * ((x - lower) / (self.hist.edges[b] - lower)).clamp(0.0, 1.0)
        };
        let atoms_below = |x: f64| self.hist.atoms.iter().filter(|a| x >= a.0).map(|a| a.1).sum::<f64>();
        let cdf = |x: f64| {
            let exact = queueing::mixture_cdf(self.comps, x).map_or(0.0, |f| f * exact_total);
            (exact + hist_below(x) + atoms_below(x)) / total
        };
        let mut hi = self.comps.iter().map(|c| c.timeout).fold(self.hist.max_time(), f64::max);
        let mut lo = 0.0;
        for _ in 0..200 {
            let mid = 0.5 * (lo + hi);
            if cdf(mid) < q {
                lo = mid;
            } else {
                hi = mid;
            }
            if hi - lo <= 1e-12 * hi {
                break;
            }
        }
        Some(hi)
    }
}

impl Simulation<'_> {
    /// Brings `self.e2e.minute` to the minute's end-to-end distributions of
    /// the callers, from the minute sums not yet closed.
    pub fn update_minute_e2e(&mut self) {
        if self.sc.services.iter().all(|s| s.calls.is_empty()) {
            return;
        }
        let local: Vec<Local<'_>> = self
            .fluid
            .services
            .iter()
            .map(|f| {
                let m = &f.minute;
                let admitted: f64 = m.latency.iter().map(|c| c.weight).sum();
                let share = if m.offered > 0.0 { (admitted / m.offered).clamp(0.0, 1.0) } else { 1.0 };
                Local { comps: &m.latency, share }
            })
            .collect();
        self.e2e.update(self.sc, &local);
    }
}

/// The service has outside traffic of its own (a rate other than a constant 0).
pub fn has_entry_traffic(svc: &crate::scenario::Service) -> bool {
    !matches!(svc.workload.rate, crate::scenario::RatePattern::Constant(v) if v == 0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn many_copies_summed_by_squaring_are_erlang() {
        // Five calls of Exp(1): Erlang(5, 1), P(S ≤ x) = 1 − e^{−x} Σ_{i<5} x^i / i!.
        // On a 0.01 s grid (span 40.96 s) by three convolutions (1 + 4 = 5 copies).
        let comps = [Component { rate: 1.0, weight: 1.0, timeout: f64::INFINITY }];
        let d = Grid::from_mixture(0.01, &comps, 1.0);
        let sum = sum_of_copies(&d, 5).unwrap();
        let erlang = |x: f64| {
            let (mut term, mut acc) = (1.0, 0.0);
            for i in 0..5 {
                if i > 0 {
                    term *= x / f64::from(i);
                }
                acc += term;
            }
            1.0 - (-x).exp() * acc
        };
        let worst = (0..=STEPS).map(|k| (sum.cdf[k] - erlang(k as f64 * 0.01)).abs()).fold(0.0, f64::max);
        assert!(worst < 1e-4, "{worst:e}");
        // Its mean is 5 s (the mass beyond 40.96 s is below 1e-11).
        assert!((sum.mean(40.96) - 5.0).abs() < 1e-3, "{}", sum.mean(40.96));
        assert!(sum_of_copies(&d, 0).is_none());
    }

    #[test]
    fn split_count_is_floor_and_fraction() {
        assert_eq!(split_count(2.0), (2, 0.0));
        assert_eq!(split_count(0.5), (0, 0.5));
        assert_eq!(split_count(1.25), (1, 0.25));
    }
}
