//! The cost of a minute of traffic: requests through a load balancer (its
//! capacity units) and calls between tasks in different zones (docs/model.md
//! §10.2). Read from the minute's sums, which the fluid model keeps anyway.

use super::Simulation;
use super::cost_items::{BYTES_PER_GB, Item, LbTraffic};
use super::fluid::MinuteAcc;
use super::queueing;
use crate::engine::SimTime;
use crate::scenario::{CallRoute, ServiceId};

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
        let (from, _) = self.zone_shares(s);
        for (k, call) in sc.services[s.idx()].calls.iter().enumerate() {
            let calls = m.calls.get(k).map_or(0.0, |e| e.calls);
            if calls <= 0.0 {
                continue;
            }
            let (to, callee_tasks) = self.zone_shares(call.service);
            let share = if call.via == CallRoute::ServiceConnect && zone_aware_applies(callee_tasks, sc.zones.len()) {
                zone_aware_cross_share(&from, &to)
            } else {
                cross_zone_share(&from, &to)
            };
            let (request, response) = cfg.service_bytes[call.service.idx()];
            let gb = calls * (request + response) / BYTES_PER_GB * share;
            // Charged as it leaves one zone and again as it enters the other.
            let usd = gb * 2.0 * cfg.prices.cross_az_per_gb_each_way;
            self.cost.items.charge(s.idx(), Item::DataTransfer, usd, counting);
        }
    }

    /// Each zone's share of the service's serving tasks (all zero without
    /// any), and how many serving tasks have a zone.
    fn zone_shares(&self, s: ServiceId) -> (Vec<f64>, usize) {
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
        (counts, n as usize)
    }
}

/// The share of calls that cross zones when a caller task in zone z (share
/// `from[z]`) picks a callee task uniformly: 1 − Σ from[z] × to[z].
pub fn cross_zone_share(from: &[f64], to: &[f64]) -> f64 {
    (1.0 - from.iter().zip(to).map(|(a, b)| a * b).sum::<f64>()).clamp(0.0, 1.0)
}

/// Service Connect routes by zone (its Envoy proxy's zone-aware routing, on
/// by default) unless the callee has fewer than two endpoints per zone, when
/// it picks endpoints round robin (docs/aws-facts.md §16.9). `zones` is the
/// number of zones the scenario's capacity spans.
pub fn zone_aware_applies(callee_tasks: usize, zones: usize) -> bool {
    zones > 1 && callee_tasks >= 2 * zones
}

/// The share of calls that cross zones under Envoy's zone-aware routing: a
/// caller zone keeps all its calls local when the callee's share of that zone
/// covers the caller's (d[z] ≥ s[z]) and otherwise keeps d[z] local and sends
/// the rest to zones with spare share, so each callee zone still receives
/// d[z] of the calls (per-task load unchanged) and Σ max(0, s[z] − d[z]) cross.
pub fn zone_aware_cross_share(from: &[f64], to: &[f64]) -> f64 {
    from.iter().zip(to).map(|(s, d)| (s - d).max(0.0)).sum::<f64>().clamp(0.0, 1.0)
}

#[cfg(test)]
mod tests {
    use super::{cross_zone_share, zone_aware_applies, zone_aware_cross_share};

    #[test]
    fn zone_aware_routing_crosses_only_the_imbalance() {
        let third = 1.0 / 3.0;
        // Both spread evenly over three zones: nothing crosses (uniform: 2/3).
        assert_eq!(zone_aware_cross_share(&[third; 3], &[third; 3]), 0.0);
        // Caller all in a, callee half in a, half in b: a keeps 1/2 local and
        // sends 1/2 to b — the same as picking uniformly.
        assert_eq!(zone_aware_cross_share(&[1.0, 0.0], &[0.5, 0.5]), 0.5);
        // Caller 1/2 : 1/2, callee 1/3 : 2/3: zone a keeps 1/3 of all calls,
        // sends 1/6 to b; b keeps its 1/2. Crossing 1/6, where uniform picking
        // crosses 1 − (1/2·1/3 + 1/2·2/3) = 1/2.
        let s = [0.5, 0.5];
        let d = [third, 2.0 * third];
        assert!((zone_aware_cross_share(&s, &d) - 1.0 / 6.0).abs() < 1e-15);
        assert!((cross_zone_share(&s, &d) - 0.5).abs() < 1e-15);
        // Callee only in b: everything from a crosses, as without routing.
        assert_eq!(zone_aware_cross_share(&[0.5, 0.5], &[0.0, 1.0]), 0.5);
        assert_eq!(cross_zone_share(&[0.5, 0.5], &[0.0, 1.0]), 0.5);
    }

    #[test]
    fn zone_aware_routing_needs_two_callee_tasks_per_zone() {
        assert!(!zone_aware_applies(5, 3));
        assert!(zone_aware_applies(6, 3));
        assert!(!zone_aware_applies(10, 1));
    }

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
