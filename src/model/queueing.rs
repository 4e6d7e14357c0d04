//! M/M/1 per task, with a request timeout, and quantiles of mixtures.
//!
//! A task with service rate μ (requests/s it can serve) and arrival rate λ:
//! - it admits at most a* requests/s, the rate that maximises its goodput
//!   a (1 − e^{−(μ−a)τ}) — what a server with a bounded queue achieves by
//!   turning work away rather than letting every queued request time out;
//!   demand above a* (just under μ) is shed and fails at once;
//! - the admitted rate a = min(λ, a*) sees sojourn times T ~ Exp(μ − a);
//! - a request whose sojourn would exceed the timeout τ fails, so latency is
//!   min(T, τ).
//!
//! Latency over many tasks and minutes is the request-weighted mixture of
//! these truncated exponentials; its quantiles are found by safeguarded
//! Halley steps.

/// The steady-state outcome of one task for one arrival rate.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TaskLoad {
    /// Admitted requests/s (≤ μ).
    pub admitted: f64,
    /// Shed requests/s (λ − μ when overloaded).
    pub shed: f64,
    /// Admitted requests/s that exceed the timeout.
    pub timed_out: f64,
    /// Requests/s answered within the timeout.
    pub served: f64,
    /// Rate parameter of the sojourn-time distribution, μ − a (0 when saturated).
    pub decay: f64,
    /// Busy fraction of the task's CPU, min(λ, μ) / μ: a / μ below the
    /// admission limit; a task that sheds has a full queue and never idles
    /// (docs/model.md §8.3).
    pub utilization: f64,
    /// Mean requests in the system (Little's law on min(T, τ)).
    pub in_flight: f64,
}

/// The most a task with service rate `mu` and timeout `timeout_s` admits:
/// the a in [0, μ] maximising a (1 − e^{−(μ−a)τ}). The goodput is concave,
/// so its derivative 1 − e^{−(μ−a)τ}(1 + aτ) falls from positive to −μτ and
/// bisection finds its root.
pub fn admission_limit(mu: f64, timeout_s: f64) -> f64 {
    if !mu.is_finite() || mu <= 0.0 || !timeout_s.is_finite() {
        return mu.max(0.0);
    }
    let slope = |a: f64| 1.0 - libm::exp(-(mu - a) * timeout_s) * (1.0 + a * timeout_s);
    let (mut lo, mut hi) = (0.0, mu);
    for _ in 0..100 {
        let mid = 0.5 * (lo + hi);
        if slope(mid) > 0.0 {
            lo = mid;
        } else {
            hi = mid;
        }
        if hi - lo <= 1e-13 * mu {
            break;
        }
    }
    0.5 * (lo + hi)
}

/// One task with service rate `mu` and admission limit `limit` (see
/// [`admission_limit`]) receiving `lambda` requests/s.
pub fn task_load(lambda: f64, mu: f64, limit: f64, timeout_s: f64) -> TaskLoad {
    if mu <= 0.0 {
        return TaskLoad {
            admitted: 0.0,
            shed: lambda,
            timed_out: 0.0,
            served: 0.0,
            decay: 0.0,
            utilization: 1.0,
            in_flight: 0.0,
        };
    }
    let admitted = lambda.min(limit);
    let shed = lambda - admitted;
    let decay = mu - admitted;
    let late = libm::exp(-decay * timeout_s);
    let timed_out = admitted * late;
    TaskLoad {
        admitted,
        shed,
        timed_out,
        served: admitted - timed_out,
        decay,
        utilization: lambda.min(mu) / mu,
        in_flight: admitted * mean_truncated(decay, timeout_s),
    }
}

/// E[min(T, τ)] for T ~ Exp(rate): (1 − e^{−rate τ}) / rate, and τ when rate = 0.
pub fn mean_truncated(rate: f64, timeout_s: f64) -> f64 {
    if rate * timeout_s < 1e-12 {
        return timeout_s;
    }
    -libm::expm1(-rate * timeout_s) / rate
}

/// One part of a latency mixture: `weight` requests whose latency is
/// min(Exp(rate), timeout) (a rate of 0 means all reach the timeout).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Component {
    pub rate: f64,
    pub weight: f64,
    pub timeout: f64,
}

/// Share of the mixture's requests finished within `x` seconds; `None` when empty.
pub fn mixture_cdf(components: &[Component], x: f64) -> Option<f64> {
    let total: f64 = components.iter().map(|c| c.weight).sum();
    (total > 0.0).then(|| mixture_cdf_pdf(components, total, x).0)
}

/// Quantile `q` (0 < q < 1) of a mixture of truncated exponentials, in
/// seconds, solving CDF(x) = q. `None` when the mixture is empty.
pub fn mixture_quantile(components: &[Component], q: f64) -> Option<f64> {
    let total: f64 = components.iter().map(|c| c.weight).sum();
    if total <= 0.0 {
        return None;
    }
    let log_tail = -libm::log1p(-q);
    let single = |c: &Component| if c.rate > 0.0 { (log_tail / c.rate).min(c.timeout) } else { c.timeout };
    let mut lo = components.iter().map(single).fold(f64::INFINITY, f64::min).max(0.0);
    let mut hi = components.iter().map(single).fold(0.0, f64::max);
    if components.len() == 1 || hi - lo <= 1e-12 * hi.max(1e-300) {
        return Some(hi);
    }
    // Safeguarded Halley: a Halley step (Newton's with the curvature, converging cubically)
    // or a Newton step when they stay inside the bracket, a halving otherwise. The CDF is
    // increasing (with jumps at timeouts), so the bracket always holds the answer. A step
    // under 1e-5 of x means x is that close: the step's own error is then of the order of
    // its cube (times a modest constant for these mixtures), below the 1e-12 tolerance, so
    // its result is taken without another evaluation of the CDF (a test checks the accuracy).
    // Start from the request-weighted mean of the single-component quantiles: close to the
    // answer when the components are alike, and always inside the bracket.
    let mut x = (components.iter().map(|c| c.weight * single(c)).sum::<f64>() / total).clamp(lo, hi);
    for _ in 0..200 {
        let (cdf, pdf, slope) = mixture_cdf_pdf(components, total, x);
        if cdf < q {
            lo = x;
        } else {
            hi = x;
        }
        let f = cdf - q;
        if hi - lo <= 1e-12 * hi || f.abs() <= 1e-14 {
            break;
        }
        // Far from the answer (where the CDF is flat) Newton's step leaves the bracket and
        // the bracket is halved; Halley's would crawl there, so it is taken only when
        // Newton's stays inside.
        let newton = f / pdf;
        let halley = 2.0 * f * pdf / (2.0 * pdf * pdf - f * slope);
        let inside = |step: f64| pdf > 0.0 && x - step > lo && x - step < hi;
        let step = if inside(newton) && inside(halley) { halley } else { newton };
        if inside(step) {
            if step.abs() <= 1e-5 * x {
                return Some(x - step);
            }
            x -= step;
        } else {
            x = 0.5 * (lo + hi);
        }
    }
    Some(x)
}

/// The mixture's CDF, density and density's slope at `x` in one pass.
fn mixture_cdf_pdf(components: &[Component], total: f64, x: f64) -> (f64, f64, f64) {
    let (mut done, mut density, mut slope) = (0.0, 0.0, 0.0);
    for c in components {
        if x >= c.timeout {
            done += c.weight;
        } else {
            let tail = libm::exp(-c.rate * x);
            let d = c.weight * c.rate * tail;
            done += c.weight * (1.0 - tail);
            density += d;
            slope -= d * c.rate;
        }
    }
    (done / total, density / total, slope / total)
}

/// Mean of the mixture in seconds.
pub fn mixture_mean(components: &[Component]) -> Option<f64> {
    let total: f64 = components.iter().map(|c| c.weight).sum();
    if total <= 0.0 {
        return None;
    }
    Some(components.iter().map(|c| c.weight * mean_truncated(c.rate, c.timeout)).sum::<f64>() / total)
}

/// Adds a component, merging with an existing one of the same rate and timeout.
pub fn add_component(list: &mut Vec<Component>, rate: f64, weight: f64, timeout: f64) {
    if weight <= 0.0 {
        return;
    }
    match list.iter_mut().find(|c| c.rate == rate && c.timeout == timeout) {
        Some(c) => c.weight += weight,
        None => list.push(Component { rate, weight, timeout }),
    }
}

/// A mixture that grows a component at a time, merging components of the
/// same rate and timeout as [`add_component`] does (same order, same sums).
/// An hour of a service's minutes holds tens of components, nearly all of
/// them new: a 1,024-bit filter of the (rate, timeout) pairs seen says so
/// without a search, and only a possible repeat scans the list (a hash map
/// cost a cache miss per addition).
#[derive(Clone, Debug, Default)]
pub struct Mixture {
    components: Vec<Component>,
    seen: [u64; 16],
}

impl Mixture {
    pub fn add(&mut self, rate: f64, weight: f64, timeout: f64) {
        if weight <= 0.0 {
            return;
        }
        // -0.0 and 0.0 are equal rates (as `add_component` compares them): one bit.
        let bits = (rate + 0.0).to_bits() ^ (timeout + 0.0).to_bits().rotate_left(32);
        let bit = (bits.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 54) as usize;
        let (word, mask) = (bit / 64, 1u64 << (bit % 64));
        if self.seen[word] & mask != 0
            && let Some(c) = self.components.iter_mut().rev().find(|c| c.rate == rate && c.timeout == timeout)
        {
            c.weight += weight;
            return;
        }
        self.seen[word] |= mask;
        self.components.push(Component { rate, weight, timeout });
    }

    pub fn components(&self) -> &[Component] {
        &self.components
    }

    /// Empties the mixture, keeping its capacity.
    pub fn clear(&mut self) {
        self.components.clear();
        self.seen = [0; 16];
    }
}

/// Merges components whose rates fall in the same 0.05%-wide log bin (and
/// have the same timeout): quantiles of long mixtures stay accurate to well
/// under 0.1% and cost a few thousand terms, not hundreds of thousands.
pub fn compact_components(components: &mut Vec<Component>) {
    let bin = |c: &Component| (c.timeout.to_bits(), if c.rate > 0.0 { log_bin(c.rate) } else { i64::MIN });
    // The bin grows with the rate, so ordering by (timeout, rate) orders by (timeout, bin,
    // rate) without a logarithm per comparison or a keyed copy (the whole cluster's
    // mixture can hold millions of components).
    components.sort_by(|a, b| a.timeout.to_bits().cmp(&b.timeout.to_bits()).then(a.rate.total_cmp(&b.rate)));
    // Each bin's merged component is written over the first free slot (behind the reading).
    let (mut read, mut write) = (0, 0);
    let mut next = components.first().map(bin);
    while let Some(key) = next.take() {
        let (first, timeout) = (components[read].rate, components[read].timeout);
        let (mut w, mut wr, mut same) = (0.0, 0.0, true);
        while read < components.len() {
            let c = components[read];
            w += c.weight;
            wr += c.weight * c.rate;
            same &= c.rate == first;
            read += 1;
            if let Some(c) = components.get(read).map(bin)
                && c != key
            {
                next = Some(c);
                break;
            }
        }
        components[write] = Component { rate: if same { first } else { wr / w }, weight: w, timeout };
        write += 1;
    }
    components.truncate(write);
}

/// A run-long latency mixture in bounded memory. Components are appended as
/// they come; when there are many, they are compacted by binning log(rate)
/// at 0.05% relative width (each bin keeps its weight and weighted mean
/// rate), so quantiles stay accurate to well under 0.1%. Few distinct rates
/// stay exact.
#[derive(Clone, Debug, Default)]
pub struct LatencyHistogram {
    /// (rate, weight) pairs, rate > 0.
    items: Vec<(f64, f64)>,
    saturated: f64,
    /// Length after the last compaction; the next one waits until it has doubled.
    compacted_len: usize,
}

const BINS_PER_E: f64 = 2000.0;

/// The 0.05%-wide bin of log(rate) a positive rate falls in; it never decreases as the
/// rate grows, so sorting by rate sorts by bin.
fn log_bin(rate: f64) -> i64 {
    (libm::log(rate) * BINS_PER_E).round() as i64
}
/// The order `f64::total_cmp` gives, as unsigned integers: negative numbers
/// have all bits but the sign flipped, positive ones the sign set.
fn total_order_key(x: f64) -> u64 {
    let bits = x.to_bits();
    if bits >> 63 == 1 { !bits } else { bits | (1 << 63) }
}

/// A stable least-significant-digit radix sort of (rate, weight) pairs by
/// `total_order_key(rate)`, a byte at a time, skipping the bytes all keys share
/// (rates of one service span a narrow range: most high bytes are equal).
fn radix_sort_by_rate(v: &mut Vec<(f64, f64)>) {
    let n = v.len();
    if n < 2 {
        return;
    }
    let mut counts = [[0usize; 256]; 8];
    for &(rate, _) in v.iter() {
        let key = total_order_key(rate);
        for (byte, c) in counts.iter_mut().enumerate() {
            c[(key >> (8 * byte)) as u8 as usize] += 1;
        }
    }
    let mut from = std::mem::take(v);
    let mut to = vec![(0.0, 0.0); n];
    for (byte, c) in counts.iter().enumerate() {
        if c.contains(&n) {
            continue;
        }
        let mut next = [0usize; 256];
        let mut sum = 0;
        for (slot, &count) in next.iter_mut().zip(c) {
            *slot = sum;
            sum += count;
        }
        for &pair in &from {
            let digit = (total_order_key(pair.0) >> (8 * byte)) as u8 as usize;
            to[next[digit]] = pair;
            next[digit] += 1;
        }
        std::mem::swap(&mut from, &mut to);
    }
    *v = from;
}

/// Compact once this many components have accumulated.
const COMPACT_AT: usize = 4096;

impl LatencyHistogram {
    pub fn add(&mut self, rate: f64, weight: f64) {
        if weight <= 0.0 {
            return;
        }
        if rate <= 0.0 {
            self.saturated += weight;
            return;
        }
        self.items.push((rate, weight));
        if self.items.len() >= COMPACT_AT.max(2 * self.compacted_len) {
            self.compact();
        }
    }

    /// Merges components whose rates fall in the same log bin. The bin grows
    /// with the rate, so sorting the pairs by rate alone, in place, orders
    /// them by (bin, rate); each pair's bin is then computed once, as the
    /// merged pairs are written back behind the reading.
    fn compact(&mut self) {
        self.sort_by_rate();
        let items = &mut self.items;
        let (mut read, mut write) = (0, 0);
        let mut next = items.first().map(|&(r, _)| log_bin(r));
        while let Some(bin) = next.take() {
            let first_rate = items[read].0;
            let (mut w, mut wr, mut same_rate) = (0.0, 0.0, true);
            while read < items.len() {
                let (rate, weight) = items[read];
                w += weight;
                wr += weight * rate;
                same_rate &= rate == first_rate;
                read += 1;
                if let Some(&(r, _)) = items.get(read) {
                    let b = if r == rate { bin } else { log_bin(r) };
                    if b != bin {
                        next = Some(b);
                        break;
                    }
                }
            }
            // A bin of one exact rate keeps it exactly.
            items[write] = (if same_rate { first_rate } else { wr / w }, w);
            write += 1;
        }
        items.truncate(write);
        self.compacted_len = write;
    }

    /// Sorts the pairs by rate, stably (equal rates keep their order), as
    /// `sort_by(total_cmp)` does. The pairs of the last compaction come first
    /// and in order (checked: a merged bin's mean rate is computed, not
    /// guaranteed), so only the pairs added since are sorted (by radix, on
    /// the bits `total_cmp` orders by) and the two runs merged, the older
    /// first on a tie. Sorting the whole list each time was two thirds of the
    /// cost of adding to a histogram.
    fn sort_by_rate(&mut self) {
        let split = self.compacted_len.min(self.items.len());
        let (old, _) = self.items.split_at(split);
        if !old.windows(2).all(|w| w[0].0.total_cmp(&w[1].0).is_le()) {
            self.items.sort_by(|a, b| a.0.total_cmp(&b.0));
            return;
        }
        let mut new = self.items.split_off(split);
        radix_sort_by_rate(&mut new);
        let old = std::mem::take(&mut self.items);
        let mut merged = Vec::with_capacity(old.len() + new.len());
        let (mut i, mut j) = (0, 0);
        while i < old.len() && j < new.len() {
            if old[i].0.total_cmp(&new[j].0).is_le() {
                merged.push(old[i]);
                i += 1;
            } else {
                merged.push(new[j]);
                j += 1;
            }
        }
        merged.extend_from_slice(&old[i..]);
        merged.extend_from_slice(&new[j..]);
        self.items = merged;
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty() && self.saturated <= 0.0
    }

    /// The mixture, for requests with the given timeout (identical rates merged).
    pub fn components(&self, timeout: f64) -> Vec<Component> {
        let mut sorted = self.items.clone();
        sorted.sort_by(|a, b| a.0.total_cmp(&b.0));
        let mut out: Vec<Component> = Vec::with_capacity(sorted.len() + 1);
        for (rate, weight) in sorted {
            match out.last_mut() {
                Some(c) if c.rate == rate => c.weight += weight,
                _ => out.push(Component { rate, weight, timeout }),
            }
        }
        if self.saturated > 0.0 {
            out.push(Component { rate: 0.0, weight: self.saturated, timeout });
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_of_random_mixtures_match_a_long_bisection() {
        // Mixtures like a service-hour's: up to 100 components of rates within 1% to 3×
        // of each other. The reference bisects the CDF 200 times.
        let mut state = 99u64;
        let mut uniform = || {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (state >> 11) as f64 / (1u64 << 53) as f64
        };
        let mut worst = 0.0f64;
        for _ in 0..1000 {
            let n = 1 + (uniform() * 100.0) as usize;
            let base = 5.0 + uniform() * 500.0;
            let spread = [0.01, 0.1, 0.5, 2.0][(uniform() * 4.0) as usize];
            let c: Vec<Component> = (0..n)
                .map(|_| Component {
                    rate: base * (1.0 + spread * uniform()),
                    weight: 0.1 + uniform() * 10.0,
                    timeout: 30.0,
                })
                .collect();
            for q in [0.5, 0.95, 0.99] {
                let x = mixture_quantile(&c, q).unwrap();
                let (mut lo, mut hi) = (0.0f64, 30.0f64);
                for _ in 0..200 {
                    let mid = 0.5 * (lo + hi);
                    if mixture_cdf(&c, mid).unwrap() < q {
                        lo = mid;
                    } else {
                        hi = mid;
                    }
                }
                let reference = 0.5 * (lo + hi);
                worst = worst.max((x - reference).abs() / reference);
            }
        }
        assert!(worst < 1e-12, "worst relative error {worst:e}");
    }

    #[test]
    fn a_mixture_merges_repeats_as_add_component_does() {
        // Many distinct pairs (so the filter has collisions), some of them repeated.
        let (mut mixture, mut list) = (Mixture::default(), Vec::new());
        for k in 0..3000u32 {
            let rate = f64::from(k % 1700) * 0.37 + if k % 5 == 0 { -0.0 } else { 0.0 };
            let timeout = if k % 7 == 0 { 30.0 } else { 60.0 };
            let weight = f64::from(k % 11 + 1);
            mixture.add(rate, weight, timeout);
            add_component(&mut list, rate, weight, timeout);
        }
        assert_eq!(mixture.components(), list.as_slice());
        assert!(list.len() > 1700 && list.len() < 3000);
        mixture.clear();
        mixture.add(2.0, 1.0, 60.0);
        assert_eq!(mixture.components(), &[Component { rate: 2.0, weight: 1.0, timeout: 60.0 }]);
    }

    #[test]
    fn compaction_merges_rates_of_one_bin_and_timeout_only() {
        let c = |rate, weight, timeout| Component { rate, weight, timeout };
        // 100 and 100.005 share a 0.05% bin; 101 does not; the 30 s timeout keeps its own.
        let mut list = vec![
            c(101.0, 1.0, 60.0),
            c(100.005, 3.0, 60.0),
            c(0.0, 2.0, 60.0),
            c(100.0, 1.0, 30.0),
            c(100.0, 1.0, 60.0),
        ];
        compact_components(&mut list);
        let merged = (100.005 * 3.0 + 100.0) / 4.0;
        assert_eq!(list, vec![c(100.0, 1.0, 30.0), c(0.0, 2.0, 60.0), c(merged, 4.0, 60.0), c(101.0, 1.0, 60.0)]);
    }

    #[test]
    fn mm1_textbook_values() {
        // μ = 100/s, λ = 80/s: mean sojourn 1/(μ−λ) = 50 ms, p99 = ln(100)/20 = 230.26 ms.
        let l = task_load(80.0, 100.0, admission_limit(100.0, 60.0), 60.0);
        assert_eq!(l.admitted, 80.0);
        assert_eq!(l.shed, 0.0);
        assert!(l.timed_out < 1e-300);
        assert!((l.utilization - 0.8).abs() < 1e-15);
        let c = [Component { rate: l.decay, weight: l.admitted, timeout: 60.0 }];
        assert!((mixture_mean(&c).unwrap() - 0.05).abs() < 1e-12);
        let p99 = mixture_quantile(&c, 0.99).unwrap();
        assert!((p99 - libm::log(100.0) / 20.0).abs() < 1e-12, "{p99}");
        let p50 = mixture_quantile(&c, 0.5).unwrap();
        assert!((p50 - libm::log(2.0) / 20.0).abs() < 1e-12);
        // Little's law: L = λ W = 80 × 0.05 = 4 = ρ/(1−ρ).
        assert!((l.in_flight - 4.0).abs() < 1e-9);
    }

    #[test]
    fn overload_sheds_above_the_goodput_maximum() {
        // μ = 100/s, τ = 30 s: the admission limit a* solves e^{−(μ−a)τ}(1 + aτ) = 1.
        let limit = admission_limit(100.0, 30.0);
        let slope = |a: f64| 1.0 - (-(100.0 - a) * 30.0f64).exp() * (1.0 + a * 30.0);
        assert!(slope(limit).abs() < 1e-6, "{limit}");
        assert!(limit > 99.7 && limit < 100.0, "{limit}");
        let l = task_load(150.0, 100.0, limit, 30.0);
        assert!((l.admitted - limit).abs() < 1e-12);
        assert!((l.shed - (150.0 - limit)).abs() < 1e-12);
        // Nearly all admitted requests finish in time: goodput close to μ.
        assert!(l.served > 99.5 && l.served < limit, "{}", l.served);
        // Any other admitted rate serves less.
        for a in [90.0, 99.0, 99.9, 99.99] {
            let other = task_load(a, 100.0, 100.0, 30.0);
            assert!(other.served <= l.served + 1e-9, "{a}: {} > {}", other.served, l.served);
        }
    }

    #[test]
    fn slow_tasks_still_admit_what_they_can_serve_in_time() {
        // μ = 2/s, τ = 1 s: the goodput a (1 − e^{−(2−a)}) peaks at a ≈ 1.2079 (grid search).
        let limit = admission_limit(2.0, 1.0);
        assert!((limit - 1.2079).abs() < 1e-4, "{limit}");
        let goodput = |a: f64| a * (1.0 - (-(2.0 - a)).exp());
        assert!((0..2000).all(|k| goodput(f64::from(k) / 1000.0) <= goodput(limit) + 1e-12));
    }

    #[test]
    fn a_saturated_task_is_busy_even_when_requests_outlast_the_timeout() {
        // Requests take twice the timeout: μ = 0.5/s, τ = 1 s, μτ = 0.5. The admission limit
        // solves 1 − e^{−(0.5−a)}(1 + a) = 0: a* = 0.26496/s (bisection by hand to 5 digits),
        // a*/μ = 0.5299 — the old busy fraction, which made a task failing most requests look
        // half idle. Offered λ = 1/s = 2μ: the task sheds λ − a*, so its queue is full and the
        // CPU never idles: busy fraction min(λ, μ)/μ = 1.
        let limit = admission_limit(0.5, 1.0);
        assert!((limit - 0.264_96).abs() < 1e-5, "{limit}");
        let l = task_load(1.0, 0.5, limit, 1.0);
        assert_eq!(l.utilization, 1.0);
        assert!((l.shed - (1.0 - limit)).abs() < 1e-15);
        // Between a* and μ (λ = 0.4/s): busy 0.4/0.5 = 0.8, the large-buffer M/M/1/K limit.
        assert_eq!(task_load(0.4, 0.5, limit, 1.0).utilization, 0.4 / 0.5);
        // Below the admission limit nothing changes: ρ = λ/μ = 0.2/0.5 = 0.4 exactly.
        assert_eq!(task_load(0.2, 0.5, limit, 1.0).utilization, 0.2 / 0.5);
    }

    #[test]
    fn timeout_tail() {
        // μ − λ = 0.1/s, τ = 10 s: e^{-1} of admitted requests time out.
        let l = task_load(9.9, 10.0, 10.0, 10.0);
        assert!((l.timed_out / l.admitted - libm::exp(-1.0)).abs() < 1e-12);
    }

    #[test]
    fn mixture_quantile_solves_the_cdf() {
        let c = [
            Component { rate: 10.0, weight: 3.0, timeout: 60.0 },
            Component { rate: 100.0, weight: 1.0, timeout: 60.0 },
        ];
        let x = mixture_quantile(&c, 0.95).unwrap();
        let f = (3.0 * (1.0 - (-10.0 * x).exp()) + (1.0 - (-100.0 * x).exp())) / 4.0;
        assert!((f - 0.95).abs() < 1e-10, "{f}");
    }

    #[test]
    fn different_timeouts_mix() {
        // Half the requests all time out at 1 s, half finish fast: the median is where the fast half ends.
        let c = [
            Component { rate: 0.0, weight: 1.0, timeout: 1.0 },
            Component { rate: 1000.0, weight: 1.0, timeout: 30.0 },
        ];
        assert!((mixture_quantile(&c, 0.75).unwrap() - 1.0).abs() < 1e-9);
        let p25 = mixture_quantile(&c, 0.25).unwrap();
        assert!((p25 - libm::log(2.0) / 1000.0).abs() < 1e-12, "{p25}");
    }

    #[test]
    fn histogram_compaction_sorts_as_a_stable_sort_of_the_whole_list() {
        // The radix sort and merge against the sort they replace, on the pairs the
        // histogram holds before each compaction: repeated rates (stability), rates
        // across several binades, and an old run carried over from the last compaction.
        let mut u = {
            let mut state = 5u64;
            move || {
                state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                (state >> 11) as f64 / (1u64 << 53) as f64
            }
        };
        let mut h = LatencyHistogram::default();
        for k in 0..30_000u32 {
            let rate = if k % 3 == 0 { f64::from(k % 50) + 1.0 } else { 0.5 + 400.0 * u() * u() };
            let weight = f64::from(k % 7) + 0.25;
            h.items.push((rate, weight));
            if h.items.len() >= COMPACT_AT.max(2 * h.compacted_len) {
                let mut expected = h.items.clone();
                expected.sort_by(|a, b| a.0.total_cmp(&b.0));
                h.sort_by_rate();
                let bits = |v: &[(f64, f64)]| v.iter().map(|p| (p.0.to_bits(), p.1.to_bits())).collect::<Vec<_>>();
                assert_eq!(bits(&h.items), bits(&expected), "at {k}");
                h.compact();
            }
        }
        assert!(h.compacted_len > 100);
        // Keys order as total_cmp does, signs and infinities included.
        let xs = [f64::NEG_INFINITY, -2.0, -0.0, 0.0, 1e-300, 3.0, f64::INFINITY];
        assert!(xs.windows(2).all(|w| total_order_key(w[0]) < total_order_key(w[1])));
    }

    #[test]
    fn histogram_keeps_quantiles() {
        let mut h = LatencyHistogram::default();
        let mut exact = Vec::new();
        for i in 1..5000 {
            let r = 5.0 + f64::from(i) * 0.037;
            h.add(r, 1.0);
            add_component(&mut exact, r, 1.0, 60.0);
        }
        let a = mixture_quantile(&h.components(60.0), 0.99).unwrap();
        let b = mixture_quantile(&exact, 0.99).unwrap();
        assert!((a - b).abs() / b < 1e-3, "{a} {b}");
    }
}
