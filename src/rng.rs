//! Named, independent random streams (common random numbers).
//!
//! Every draw is keyed by (seed, replication, stream name, entity ordinal,
//! draw index): a stream for one entity is a fresh generator seeded from a
//! hash of that key, and its draws are taken in order. So the 7th instance a
//! provider launches gets the same spot-interruption draw whatever a scaling
//! target or the tick is, and sweep variants differ only by what they change.
//!
//! Sampling uses `libm` for every transcendental function so that results do
//! not depend on the platform's math library.
//!
//! ```
//! use ecsim::rng::{RngStreams, Stream};
//! let streams = RngStreams::new(42, 0);
//! let a = streams.draws(Stream::SpotInterruption, 3, 7).uniform();
//! let b = streams.draws(Stream::SpotInterruption, 3, 7).uniform();
//! assert_eq!(a, b);
//! assert_ne!(a, streams.draws(Stream::SpotInterruption, 3, 8).uniform());
//! ```

use rand::rngs::Xoshiro256PlusPlus;
use rand::{Rng, SeedableRng};

/// The purposes randomness serves. Each has its own stream so that, for
/// instance, adding a task launch never shifts a spot interruption.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stream {
    /// Workload noise, keyed by (service, minute index).
    Noise,
    /// EC2 instance launch time, keyed by (provider, instance ordinal).
    InstanceLaunch,
    /// Spot launch failures for lack of capacity, keyed by (provider, launch attempt ordinal).
    LaunchFailure,
    /// Fargate provisioning time, keyed by (provider, task ordinal on that provider).
    FargateProvisioning,
    /// Fargate Spot capacity unavailable, keyed by (provider, attempt ordinal).
    FargateSpotUnavailable,
    /// Task startup time, keyed by (task definition, task ordinal of that definition).
    TaskStartup,
    /// Application warm-up before it answers health checks, keyed by (task definition, ordinal of its tasks reaching RUNNING behind a load balancer).
    TaskWarmup,
    /// Task shutdown time after SIGTERM, keyed by (task definition, stop ordinal of that definition).
    TaskShutdown,
    /// Batch job duration, keyed by (scheduled task, job ordinal).
    BatchDuration,
    /// EC2 Spot interruption time, keyed by (provider, instance ordinal).
    SpotInterruption,
    /// Correlated reclaim events, keyed by (pool, event ordinal).
    SpotReclaim,
    /// Fargate Spot interruption time, keyed by (provider, task ordinal).
    FargateSpotInterruption,
    /// The `random` placement strategy, keyed by (service or job, placement ordinal).
    Placement,
    /// Correlated Fargate Spot reclaims, keyed by (reclaim process, event ordinal).
    FargateSpotReclaim,
    /// Load balancer health checks of a serving target, keyed by (task serial, check index).
    HealthCheck,
}

impl Stream {
    /// Every stream, in declaration order (`Stream::X as usize` indexes it).
    pub const ALL: [Stream; 15] = [
        Stream::Noise,
        Stream::InstanceLaunch,
        Stream::LaunchFailure,
        Stream::FargateProvisioning,
        Stream::FargateSpotUnavailable,
        Stream::TaskStartup,
        Stream::TaskWarmup,
        Stream::TaskShutdown,
        Stream::BatchDuration,
        Stream::SpotInterruption,
        Stream::SpotReclaim,
        Stream::FargateSpotInterruption,
        Stream::Placement,
        Stream::FargateSpotReclaim,
        Stream::HealthCheck,
    ];

    pub const fn name(self) -> &'static str {
        match self {
            Stream::Noise => "noise",
            Stream::InstanceLaunch => "instance_launch",
            Stream::LaunchFailure => "launch_failure",
            Stream::FargateProvisioning => "fargate_provisioning",
            Stream::FargateSpotUnavailable => "fargate_spot_unavailable",
            Stream::TaskStartup => "task_startup",
            Stream::TaskWarmup => "task_warmup",
            Stream::TaskShutdown => "task_shutdown",
            Stream::BatchDuration => "batch_duration",
            Stream::SpotInterruption => "spot_interruption",
            Stream::SpotReclaim => "spot_reclaim",
            Stream::FargateSpotInterruption => "fargate_spot_interruption",
            Stream::Placement => "placement",
            Stream::FargateSpotReclaim => "fargate_spot_reclaim",
            Stream::HealthCheck => "health_check",
        }
    }
}

// `Stream::ALL` lists every stream in declaration order, so that `stream as usize`
// indexes it: checked when compiling. (A stream declared after the last one
// listed and left out of the list is not caught here: its first draw panics.)
const _: () = {
    let mut k = 0;
    while k < Stream::ALL.len() {
        assert!(Stream::ALL[k] as usize == k, "Stream::ALL is out of declaration order");
        k += 1;
    }
};

/// The root of all streams of one run: (seed, replication).
#[derive(Clone, Copy, Debug)]
pub struct RngStreams {
    /// Each stream's key, hashed from the root and the stream's name once (not at
    /// every draw: noise alone asks for a stream per service per minute).
    stream_keys: [u64; Stream::ALL.len()],
}

impl RngStreams {
    pub fn new(seed: u64, replication: u32) -> Self {
        let root = mix(mix(seed) ^ mix(0x5eed_0000 ^ u64::from(replication)));
        RngStreams { stream_keys: Stream::ALL.map(|stream| mix(root ^ fnv1a(stream.name()))) }
    }

    /// The draws of one entity in one stream. `a` and `b` identify the entity
    /// (for instance provider index and instance ordinal).
    pub fn draws(&self, stream: Stream, a: u64, b: u64) -> Draws {
        let key = self.stream_keys[stream as usize];
        let key = mix(key ^ mix(a.wrapping_add(0x9e37_79b9_7f4a_7c15)));
        let key = mix(key ^ mix(b.wrapping_add(0x632b_e59b_d9b4_e019)));
        Draws { rng: Xoshiro256PlusPlus::seed_from_u64(key) }
    }
}

/// A sequence of draws for one entity.
pub struct Draws {
    rng: Xoshiro256PlusPlus,
}

impl Draws {
    /// Uniform in [0, 1) with 53 random bits.
    pub fn uniform(&mut self) -> f64 {
        (self.rng.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform in (0, 1], safe to take the logarithm of.
    fn uniform_open0(&mut self) -> f64 {
        1.0 - self.uniform()
    }

    /// True with probability `p`.
    pub fn bernoulli(&mut self, p: f64) -> bool {
        self.uniform() < p
    }

    /// Exponential with the given mean (inverse transform).
    pub fn exponential(&mut self, mean: f64) -> f64 {
        -mean * libm::log(self.uniform_open0())
    }

    /// Standard normal (Box–Muller, one value per pair of uniforms).
    pub fn standard_normal(&mut self) -> f64 {
        let u1 = self.uniform_open0();
        let u2 = self.uniform();
        libm::sqrt(-2.0 * libm::log(u1)) * libm::cos(2.0 * std::f64::consts::PI * u2)
    }

    /// Lognormal with the given median and log-standard deviation.
    pub fn lognormal(&mut self, median: f64, sigma: f64) -> f64 {
        median * libm::exp(sigma * self.standard_normal())
    }

    /// Index in 0..n, uniform; n must be positive.
    pub fn index(&mut self, n: usize) -> usize {
        debug_assert!(n > 0);
        ((self.uniform() * n as f64) as usize).min(n.saturating_sub(1))
    }
}

/// SplitMix64 finaliser: a bijective, well-mixing 64-bit hash.
const fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// FNV-1a of a stream name: stable across builds and platforms.
const fn fnv1a(s: &str) -> u64 {
    let bytes = s.as_bytes();
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut i = 0;
    while i < bytes.len() {
        h ^= bytes[i] as u64;
        h = h.wrapping_mul(0x0100_0000_01b3);
        i += 1;
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_are_reproducible_and_independent() {
        let s = RngStreams::new(7, 0);
        let a: Vec<f64> = (0..5)
            .map({
                let mut d = s.draws(Stream::Noise, 1, 2);
                move |_| d.uniform()
            })
            .collect();
        let b: Vec<f64> = (0..5)
            .map({
                let mut d = s.draws(Stream::Noise, 1, 2);
                move |_| d.uniform()
            })
            .collect();
        assert_eq!(a, b);
        assert_ne!(s.draws(Stream::Noise, 1, 2).uniform(), s.draws(Stream::TaskStartup, 1, 2).uniform());
        assert_ne!(s.draws(Stream::Noise, 1, 2).uniform(), RngStreams::new(7, 1).draws(Stream::Noise, 1, 2).uniform());
        assert_ne!(s.draws(Stream::Noise, 2, 1).uniform(), s.draws(Stream::Noise, 1, 2).uniform());
    }

    #[test]
    fn sample_moments_match_the_distributions() {
        let s = RngStreams::new(1, 0);
        let n = 200_000;
        let mut d = s.draws(Stream::Noise, 0, 0);
        let mean_exp = (0..n).map(|_| d.exponential(2.0)).sum::<f64>() / n as f64;
        assert!((mean_exp - 2.0).abs() < 0.02, "{mean_exp}");
        let mut d = s.draws(Stream::Noise, 0, 1);
        let xs: Vec<f64> = (0..n).map(|_| d.standard_normal()).collect();
        let mean = xs.iter().sum::<f64>() / n as f64;
        let var = xs.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / n as f64;
        assert!(mean.abs() < 0.01 && (var - 1.0).abs() < 0.01, "{mean} {var}");
        let mut d = s.draws(Stream::Noise, 0, 2);
        let mut ln: Vec<f64> = (0..n).map(|_| d.lognormal(3.0, 0.5)).collect();
        ln.sort_by(f64::total_cmp);
        let median = ln[n / 2];
        assert!((median - 3.0).abs() < 0.03, "{median}");
        let mut d = s.draws(Stream::Noise, 0, 3);
        let hits = (0..n).filter(|_| d.bernoulli(0.25)).count() as f64 / n as f64;
        assert!((hits - 0.25).abs() < 0.005);
    }

    #[test]
    fn uniform_stays_in_range() {
        let mut d = RngStreams::new(3, 2).draws(Stream::Placement, 0, 0);
        for _ in 0..10_000 {
            let u = d.uniform();
            assert!((0.0..1.0).contains(&u));
            assert!(d.index(3) < 3);
        }
    }
}
