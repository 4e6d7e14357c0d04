//! Control-plane launch limits as token buckets.
//!
//! AWS paces launches with token buckets: a bucket holds at most `burst`
//! tokens, refills at `per_second`, and each launch takes one
//! (docs/aws-facts.md §11). ecsim never refuses a launch over the limit: it
//! waits, first come first served, for the next token. That is what the
//! service scheduler and the ASG do in effect (they retry throttled calls
//! until they pass); the retries themselves are not modelled.
//!
//! The bucket is kept as a "theoretical arrival time" (the generic cell rate
//! algorithm): one number, the instant at which the bucket would be full
//! again if nobody took more. A request at `now` is granted at
//! `max(now, tat − (burst − 1) × interval)` and pushes `tat` on by one
//! interval. Granting in order of request makes the k-th request of a burst
//! from a full bucket wait exactly `(k − burst) × interval`, the figure worked
//! by hand from AWS's numbers.

use crate::engine::SimTime;
use crate::scenario::RateLimit;

/// One token bucket: what it allows, and the state of its reservations.
#[derive(Clone, Debug)]
pub struct TokenBucket {
    limit: RateLimit,
    /// Milliseconds at which the bucket would be full if no more tokens were taken.
    tat_ms: f64,
}

impl TokenBucket {
    /// A full bucket.
    pub fn new(limit: RateLimit) -> Self {
        TokenBucket { limit, tat_ms: 0.0 }
    }

    /// Takes the next token for a request made at `now`: the instant it is
    /// granted (`now` when the bucket has a token, later otherwise).
    pub fn take(&mut self, now: SimTime) -> SimTime {
        let interval = 1000.0 / self.limit.per_second;
        let now_ms = now.as_millis() as f64;
        let tat = self.tat_ms.max(now_ms);
        let allowed = tat - f64::from(self.limit.burst - 1) * interval;
        self.tat_ms = tat + interval;
        if allowed <= now_ms {
            now
        } else {
            // Whole milliseconds, rounded up: a token is never granted early.
            SimTime::from_millis(libm::ceil(allowed - 1e-6) as u64)
        }
    }
}

/// The limits a launch can meet, in `summary.json` order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Limit {
    FargateLaunch,
    FargateSpotLaunch,
    Ec2RunInstances,
    ServiceLaunch,
}

impl Limit {
    pub const ALL: [Limit; 4] =
        [Limit::FargateLaunch, Limit::FargateSpotLaunch, Limit::Ec2RunInstances, Limit::ServiceLaunch];

    /// The key under `[limits]` and in `summary.json`.
    pub const fn key(self) -> &'static str {
        match self {
            Limit::FargateLaunch => "fargate_launch",
            Limit::FargateSpotLaunch => "fargate_spot_launch",
            Limit::Ec2RunInstances => "ec2_run_instances",
            Limit::ServiceLaunch => "service_launch",
        }
    }
}

/// Every bucket of a run: the account-wide ones and one per service.
#[derive(Clone, Debug)]
pub struct Throttles {
    fargate: Option<TokenBucket>,
    fargate_spot: Option<TokenBucket>,
    ec2: Option<TokenBucket>,
    services: Vec<Option<TokenBucket>>,
    /// Service tasks held back by the scheduler's pace, waiting for their token.
    pub held: Vec<super::entities::TaskId>,
}

impl Throttles {
    pub fn new(limits: &crate::scenario::Limits, services: usize) -> Self {
        Throttles {
            fargate: limits.fargate_launch.map(TokenBucket::new),
            fargate_spot: limits.fargate_spot_launch.map(TokenBucket::new),
            ec2: limits.ec2_run_instances.map(TokenBucket::new),
            services: vec![limits.service_launch.map(TokenBucket::new); services],
            held: Vec::new(),
        }
    }

    /// When a launch asked for at `now` may go: `now` without a limit, else its token's grant.
    /// `service` picks the bucket of [`Limit::ServiceLaunch`].
    pub fn take(&mut self, limit: Limit, service: usize, now: SimTime) -> SimTime {
        let bucket = match limit {
            Limit::FargateLaunch => self.fargate.as_mut(),
            Limit::FargateSpotLaunch => self.fargate_spot.as_mut(),
            Limit::Ec2RunInstances => self.ec2.as_mut(),
            Limit::ServiceLaunch => self.services.get_mut(service).and_then(Option::as_mut),
        };
        bucket.map_or(now, |b| b.take(now))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(t: SimTime) -> u64 {
        t.as_millis()
    }

    #[test]
    fn a_burst_passes_then_the_refill_rate_paces() {
        // Fargate's bucket (docs/aws-facts.md §11): 100 tokens, 20 a second.
        let mut b = TokenBucket::new(RateLimit { burst: 100, per_second: 20.0 });
        let t0 = SimTime::ZERO;
        let grants: Vec<u64> = (0..1000).map(|_| ms(b.take(t0))).collect();
        // The first 100 at once.
        assert!(grants[..100].iter().all(|&g| g == 0));
        // The 101st waits one refill interval, 1 / 20 s = 50 ms.
        assert_eq!(grants[100], 50);
        // The 1,000th waits for 900 refilled tokens: 900 / 20 = 45 s.
        assert_eq!(grants[999], 45_000);
    }

    #[test]
    fn an_idle_bucket_refills_to_its_burst_and_no_further() {
        // EC2 RunInstances resource tokens (docs/aws-facts.md §11): 1,000, 2 a second.
        let mut b = TokenBucket::new(RateLimit { burst: 1000, per_second: 2.0 });
        for _ in 0..1000 {
            assert_eq!(ms(b.take(SimTime::ZERO)), 0);
        }
        // Empty: the next launch waits 500 ms.
        assert_eq!(ms(b.take(SimTime::ZERO)), 500);
        // An hour idle refills it to 1,000 tokens, not 7,200: 1,000 more pass at once, the next waits.
        let later = SimTime::from_millis(3_600_000);
        for _ in 0..1000 {
            assert_eq!(b.take(later), later);
        }
        assert_eq!(ms(b.take(later)), 3_600_500);
    }

    #[test]
    fn a_rate_that_does_not_divide_a_second_rounds_grants_up() {
        // 3 a second, burst 1: grants at 0, 333.3 ms → 334, 666.7 ms → 667, 1000 ms.
        let mut b = TokenBucket::new(RateLimit { burst: 1, per_second: 3.0 });
        let grants: Vec<u64> = (0..4).map(|_| ms(b.take(SimTime::ZERO))).collect();
        assert_eq!(grants, [0, 334, 667, 1000]);
    }
}
