//! `[limits]`: the control-plane launch limits, each a token bucket, with
//! AWS's published figures as defaults (docs/aws-facts.md §11).

use super::super::raw;
use super::super::types::{Limits, RateLimit};
use super::ctx::Ctx;

/// Fargate On-Demand task launches: 100 at once, 20 a second, per account and region.
pub const FARGATE_LAUNCH: RateLimit = RateLimit { burst: 100, per_second: 20.0 };
/// Fargate Spot task launches: a bucket of its own with the same figures.
pub const FARGATE_SPOT_LAUNCH: RateLimit = RateLimit { burst: 100, per_second: 20.0 };
/// EC2 RunInstances resource tokens (instances launched): 1,000 at once, 2 a second.
pub const EC2_RUN_INSTANCES: RateLimit = RateLimit { burst: 1000, per_second: 2.0 };

pub(super) fn resolve_limits(ctx: &mut Ctx, raw: raw::Limits) -> Limits {
    let mut one = |key: &str, given: Option<raw::RateLimit>, default: Option<RateLimit>| {
        let Some(g) = given else { return default };
        let path = format!("limits.{key}");
        let burst_ok = (1..=1_000_000).contains(&g.burst);
        if !burst_ok {
            ctx.err(format!("{path}.burst"), format!("{} is out of range; expected 1 to 1000000 tokens", g.burst));
        }
        let rate_ok = ctx.range(
            &format!("{path}.per_second"),
            g.per_second,
            0.001,
            1_000_000.0,
            "a refill rate (tokens a second)",
        );
        (burst_ok && rate_ok).then_some(RateLimit { burst: g.burst, per_second: g.per_second }).or(default)
    };
    Limits {
        fargate_launch: one("fargate_launch", raw.fargate_launch, Some(FARGATE_LAUNCH)),
        fargate_spot_launch: one("fargate_spot_launch", raw.fargate_spot_launch, Some(FARGATE_SPOT_LAUNCH)),
        ec2_run_instances: one("ec2_run_instances", raw.ec2_run_instances, Some(EC2_RUN_INSTANCES)),
        service_launch: one("service_launch", raw.service_launch, None),
    }
}
