//! The cost of a minute of traffic: requests through a load balancer (its
//! capacity units) and calls between tasks in different zones (docs/model.md
//! §10.2). Read from the minute's sums, which the fluid model keeps anyway.

use super::Simulation;
use super::cost_items::{BYTES_PER_GB, Item, LbTraffic};
use super::fluid::MinuteAcc;
use super::queueing;
use crate::engine::SimTime;
use crate::scenario::ServiceId;

impl Simulation<'_> {
    /// One minute (starting at `minute_start`) of service `s`'s traffic.
    pub fn cost_traffic_minute(&mut self, s: ServiceId, m: &MinuteAcc, minute_start: SimTime, counting: bool) {
        let sc = self.sc;
        let cfg = &sc.cost;
        if cfg.load_balancers
            && let Some(lb) = cfg.service_lb.get(s.idx()).copied().flatten()
        {
            let pos = cfg.lbs[lb].services.iter().position(|x| *x == s.idx()).unwrap_or(0);
            let (request, response) = cfg.service_bytes[s.idx()];
            let traffic = LbTraffic {
                requests: m.lb_received,
                mean_latency_s: queueing::mixture_mean(&m.latency).unwrap_or(0.0),
                bytes_per_request: request + response,
            };
            self.cost.items.lb_minute(lb, pos, minute_start, traffic, counting);
        }
        if !cfg.data_transfer || sc.services[s.idx()].calls.is_empty() {
            return;
        }
        let from = self.zone_shares(s);
        for (k, call) in sc.services[s.idx()].calls.iter().enumerate() {
            let calls = m.calls.get(k).map_or(0.0, |e| e.calls);
            if calls <= 0.0 {
                continue;
            }
            let to = self.zone_shares(call.service);
            let (request, response) = cfg.service_bytes[call.service.idx()];
            let gb = calls * (request + response) / BYTES_PER_GB * cross_zone_share(&from, &to);
            // Charged as it leaves one zone and again as it enters the other.
            let usd = gb * 2.0 * cfg.prices.cross_az_per_gb_each_way;
            self.cost.items.charge(s.idx(), Item::DataTransfer, usd, counting);
        }
    }

    /// Each zone's share of the service's serving tasks (all zero without any).
    fn zone_shares(&self, s: ServiceId) -> Vec<f64> {
        let mut counts = vec![0.0; self.sc.zones.len()];
        for &t in &self.services[s.idx()].tasks {
            let task = &self.tasks[t.idx()];
            if task.serving
                && let Some(z) = task.zone
            {
                counts[z.idx()] += 1.0;
            }
        }
        let n: f64 = counts.iter().sum();
        if n > 0.0 {
            counts.iter_mut().for_each(|c| *c /= n);
        }
        counts
    }
}

/// The share of calls that cross zones when a caller task in zone z (share
/// `from[z]`) picks a callee task uniformly: 1 − Σ from[z] × to[z].
pub fn cross_zone_share(from: &[f64], to: &[f64]) -> f64 {
    (1.0 - from.iter().zip(to).map(|(a, b)| a * b).sum::<f64>()).clamp(0.0, 1.0)
}

#[cfg(test)]
mod tests {
    use super::cross_zone_share;

    #[test]
    fn spreading_raises_the_cross_zone_share() {
        // Both services in one zone: nothing crosses.
        assert_eq!(cross_zone_share(&[1.0, 0.0, 0.0], &[1.0, 0.0, 0.0]), 0.0);
        // Both spread evenly over three zones: 1 − 3 × (1/3 × 1/3) = 2/3.
        let third = 1.0 / 3.0;
        assert!((cross_zone_share(&[third; 3], &[third; 3]) - 2.0 / 3.0).abs() < 1e-15);
        // Caller in a, callee spread over a and b: half the calls cross.
        assert_eq!(cross_zone_share(&[1.0, 0.0], &[0.5, 0.5]), 0.5);
    }
}
