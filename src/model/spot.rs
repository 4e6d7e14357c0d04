//! Spot capacity: EC2 Spot interruptions per pool, correlated reclaim
//! events, and Fargate Spot task interruptions.
//!
//! A pool's monthly interruption share p (from a Spot Instance Advisor band
//! or a percentage) becomes a constant hazard −ln(1 − p) per 30 days for each
//! running instance. Each instance's interruption time is drawn at launch
//! from its own stream (provider, instance ordinal), so turning spot draining
//! on or off, or changing a scaling target, leaves the interruptions alone.
//! A notice comes 2 minutes before the reclaim; with spot draining the
//! instance goes DRAINING at the notice, without it its tasks die at the end.

use super::entities::{InstanceId, InstanceState, Purchase, StopReason, TaskId, TaskState};
use super::{Event, Simulation};
use crate::engine::{MS_PER_DAY, SimDuration, SimTime};
use crate::rng::Stream;
use crate::scenario::{SpotPoolConfig, TypeId, ZoneId};
use crate::units::ceil_count;

/// The month the advisor's shares refer to.
pub const MONTH: SimDuration = SimDuration::from_millis(30 * MS_PER_DAY);

/// Mean time to interruption for a monthly share p: 30 days / −ln(1 − p).
pub fn mean_time_to_interruption(monthly_share: f64) -> Option<f64> {
    if monthly_share <= 0.0 {
        return None;
    }
    let hazard_per_month = -libm::log1p(-monthly_share);
    Some(MONTH.as_secs_f64() / hazard_per_month)
}

/// One correlated reclaim process: a pool (type × zone) and its rate.
#[derive(Clone, Debug)]
pub struct ReclaimProcess {
    pub instance_type: TypeId,
    pub zone: ZoneId,
    pub rate_per_month: f64,
    pub fraction: f64,
    /// Events so far (keys the draws of the next gap).
    pub count: u64,
}

/// One correlated Fargate Spot reclaim process: a configured source in one zone.
#[derive(Clone, Debug)]
pub struct FargateReclaimProcess {
    /// Index into `spot.fargate_reclaims`.
    pub config: usize,
    pub zone: ZoneId,
    /// Events so far (keys the draws of the next gap).
    pub count: u64,
}

/// A zone whose Fargate Spot capacity is short until `until`.
#[derive(Clone, Copy, Debug)]
pub struct Drought {
    pub until: SimTime,
    pub unavailable_probability: f64,
}

#[derive(Debug, Default)]
pub struct SpotState {
    pub reclaims: Vec<ReclaimProcess>,
    pub fargate_reclaims: Vec<FargateReclaimProcess>,
    /// Per zone: the drought under way, if any.
    pub droughts: Vec<Option<Drought>>,
}

impl SpotState {
    /// One reclaim process per configured event source and spot-capable pool it covers.
    pub fn new(sc: &crate::scenario::Scenario) -> Self {
        let mut spot_types: Vec<TypeId> = Vec::new();
        for p in &sc.providers {
            if let Some(a) = p.asg()
                && a.lifecycle != crate::scenario::Lifecycle::OnDemand
            {
                for &t in &a.instance_types {
                    if !spot_types.contains(&t) {
                        spot_types.push(t);
                    }
                }
            }
        }
        spot_types.sort();
        let mut reclaims = Vec::new();
        for r in &sc.spot.reclaims {
            for &t in &spot_types {
                if r.instance_type.is_some_and(|x| x != t) {
                    continue;
                }
                for z in 0..sc.zones.len() {
                    let zone = ZoneId::from_idx(z);
                    if r.zone.is_some_and(|x| x != zone) {
                        continue;
                    }
                    reclaims.push(ReclaimProcess {
                        instance_type: t,
                        zone,
                        rate_per_month: r.rate_per_month,
                        fraction: r.fraction,
                        count: 0,
                    });
                }
            }
        }
        // Fargate Spot reclaims need a Fargate Spot provider to take from.
        let fargate_spot = sc.providers.iter().any(|p| p.fargate().is_some_and(|f| f.spot));
        let mut fargate_reclaims = Vec::new();
        for (config, r) in sc.spot.fargate_reclaims.iter().enumerate().filter(|_| fargate_spot) {
            for z in 0..sc.zones.len() {
                let zone = ZoneId::from_idx(z);
                if r.zone.is_none_or(|x| x == zone) {
                    fargate_reclaims.push(FargateReclaimProcess { config, zone, count: 0 });
                }
            }
        }
        SpotState { reclaims, fargate_reclaims, droughts: vec![None; sc.zones.len()] }
    }
}

impl Simulation<'_> {
    /// The spot terms of a type in a zone (a zone-specific pool overrides the type's).
    pub fn spot_pool(&self, t: TypeId, zone: ZoneId) -> &SpotPoolConfig {
        self.sc
            .spot
            .pools
            .iter()
            .rev()
            .find(|p| p.instance_type == t && p.zone == Some(zone))
            .unwrap_or(&self.sc.spot.pools[t.idx()])
    }

    pub fn spot_start(&mut self) {
        for k in 0..self.spot.reclaims.len() {
            self.schedule_next_reclaim(k);
        }
        for k in 0..self.spot.fargate_reclaims.len() {
            self.schedule_next_fargate_reclaim(k);
        }
        let end = self.sc.end();
        for (k, pool) in self.sc.spot.pools.iter().enumerate() {
            let Some(trace) = &pool.price_trace else { continue };
            for &t in &trace.times {
                let at = crate::engine::SimTime::from_millis(t);
                if at > crate::engine::SimTime::ZERO && at < end {
                    self.at(at, Event::SpotPrice(k as u32));
                }
            }
        }
    }

    /// A pool's price changes: its running spot instances are billed at the new price from now.
    pub fn on_spot_price(&mut self, pool: u32) {
        let cfg = &self.sc.spot.pools[pool as usize];
        let (t, zone) = (cfg.instance_type, cfg.zone);
        let members: Vec<InstanceId> = (0..self.instances.len())
            .map(|i| InstanceId(i as u32))
            .filter(|&i| {
                let inst = &self.instances[i.idx()];
                inst.is_live()
                    && inst.purchase == Purchase::Spot
                    && inst.instance_type == t
                    && zone.is_none_or(|z| z == inst.zone)
                    && std::ptr::eq(self.spot_pool(t, inst.zone), cfg)
            })
            .collect();
        for i in members {
            let price = self.spot_pool(t, self.instances[i.idx()].zone).price_at(self.now);
            self.set_instance_price(i, price);
        }
    }

    fn schedule_next_reclaim(&mut self, k: usize) {
        let r = &self.spot.reclaims[k];
        if r.rate_per_month <= 0.0 {
            return;
        }
        let mean = MONTH.as_secs_f64() / r.rate_per_month;
        let gap = self.streams.draws(Stream::SpotReclaim, k as u64, r.count).exponential(mean);
        self.spot.reclaims[k].count += 1;
        let at = self.now + SimDuration::from_secs_f64(gap);
        if at < self.sc.end() {
            self.at(at, Event::Reclaim(k as u32));
        }
    }

    /// Draws when a new spot instance will be interrupted.
    pub fn spot_instance_created(&mut self, i: InstanceId) {
        let inst = &self.instances[i.idx()];
        let share = self.spot_pool(inst.instance_type, inst.zone).monthly_interruption;
        let Some(mean) = mean_time_to_interruption(share) else { return };
        let life =
            self.streams.draws(Stream::SpotInterruption, inst.provider.idx() as u64, inst.ordinal).exponential(mean);
        let at = self.now + SimDuration::from_secs_f64(life);
        if at < self.sc.end() {
            self.at(at, Event::SpotNotice(i));
        }
    }

    pub fn on_spot_notice(&mut self, i: InstanceId) {
        let inst = &self.instances[i.idx()];
        if !inst.is_live() || inst.spot_termination_at.is_some() || inst.purchase != Purchase::Spot {
            return;
        }
        let end = self.now + self.sc.spot.notice;
        self.instances[i.idx()].spot_termination_at = Some(end);
        let p = self.instances[i.idx()].provider;
        if self.counting() {
            self.rec.totals.instances_interrupted += 1;
        }
        let name = &self.sc.providers[p.idx()].name;
        let tasks = self.instances[i.idx()].tasks.len();
        self.rec.event(
            self.now,
            "spot_notice",
            "instance",
            &format!("i-{}", i.0),
            format_args!("{name}: interruption notice; reclaimed in {}; {tasks} task(s) on it", self.sc.spot.notice),
        );
        let draining = self.sc.providers[p.idx()].asg().is_some_and(|a| a.spot_draining);
        if draining && self.instances[i.idx()].state == InstanceState::Active {
            self.drain_instance(i, false, "spot interruption notice (ECS_ENABLE_SPOT_INSTANCE_DRAINING)");
        }
        self.after(self.sc.spot.notice, Event::SpotReclaimed(i));
    }

    pub fn on_spot_reclaimed(&mut self, i: InstanceId) {
        if !self.instances[i.idx()].is_live() {
            return;
        }
        let p = self.instances[i.idx()].provider;
        let name = &self.sc.providers[p.idx()].name;
        self.rec.event(
            self.now,
            "spot_interruption",
            "instance",
            &format!("i-{}", i.0),
            format_args!("{name}: reclaimed by EC2"),
        );
        self.terminate_instance(i, StopReason::SpotInterruption);
    }

    /// A correlated reclaim: ⌈fraction × running⌉ instances of the pool get notices at once (oldest first).
    pub fn on_reclaim(&mut self, k: u32) {
        let k = k as usize;
        let (t, z, fraction) = {
            let r = &self.spot.reclaims[k];
            (r.instance_type, r.zone, r.fraction)
        };
        let mut pool: Vec<InstanceId> = self
            .instances
            .iter()
            .enumerate()
            .filter(|(_, x)| {
                x.is_live()
                    && x.purchase == Purchase::Spot
                    && x.instance_type == t
                    && x.zone == z
                    && x.spot_termination_at.is_none()
            })
            .map(|(i, _)| InstanceId(i as u32))
            .collect();
        pool.sort_by_key(|&i| (self.instances[i.idx()].provider, self.instances[i.idx()].ordinal));
        let take = ceil_count(fraction * pool.len() as f64) as usize;
        if take > 0 {
            let tname = &self.sc.instance_types[t.idx()].name;
            let zname = &self.sc.zones[z.idx()];
            self.rec.event(
                self.now,
                "reclaim_event",
                "cluster",
                &self.sc.cluster_name,
                format_args!("EC2 reclaims {take} of {} spot {tname} in {zname}", pool.len()),
            );
            for &i in pool.iter().take(take) {
                self.on_spot_notice(i);
            }
        }
        self.schedule_next_reclaim(k);
    }

    fn schedule_next_fargate_reclaim(&mut self, k: usize) {
        let r = &self.spot.fargate_reclaims[k];
        let rate = self.sc.spot.fargate_reclaims[r.config].rate_per_month;
        if rate <= 0.0 {
            return;
        }
        let gap =
            self.streams.draws(Stream::FargateSpotReclaim, k as u64, r.count).exponential(MONTH.as_secs_f64() / rate);
        self.spot.fargate_reclaims[k].count += 1;
        let at = self.now + SimDuration::from_secs_f64(gap);
        if at < self.sc.end() {
            self.at(at, Event::FargateReclaim(k as u32));
        }
    }

    /// A correlated Fargate Spot reclaim in one zone: ⌈fraction × n⌉ of the n
    /// Fargate Spot tasks holding capacity there (PENDING through STOPPING, no
    /// notice yet) get their two-minute notice at once, oldest first; then the
    /// zone's Fargate Spot capacity may stay short for the configured drought.
    pub fn on_fargate_reclaim(&mut self, k: u32) {
        let (zone, config) = {
            let r = &self.spot.fargate_reclaims[k as usize];
            (r.zone, r.config)
        };
        let cfg = &self.sc.spot.fargate_reclaims[config];
        let mut pool: Vec<TaskId> = self
            .tasks
            .iter()
            .enumerate()
            .filter(|(_, task)| {
                task.state >= TaskState::Pending
                    && task.state != TaskState::Stopped
                    && task.zone == Some(zone)
                    && task.kill_at.is_none()
                    && self.sc.providers[task.provider.idx()].fargate().is_some_and(|f| f.spot)
            })
            .map(|(slot, task)| TaskId(slot as u32, task.generation))
            .collect();
        pool.sort_by_key(|&t| self.tasks[t.idx()].serial);
        let take = ceil_count(cfg.fraction * pool.len() as f64) as usize;
        let zname = &self.sc.zones[zone.idx()];
        let drought = cfg.drought;
        if take > 0 || drought > SimDuration::ZERO {
            let dry = if drought > SimDuration::ZERO {
                format!(
                    "; capacity short for {drought} (launches fail with probability {})",
                    cfg.drought_unavailable_probability
                )
            } else {
                String::new()
            };
            self.rec.event(
                self.now,
                "reclaim_event",
                "cluster",
                &self.sc.cluster_name,
                format_args!("Fargate Spot reclaims {take} of {} tasks in {zname}{dry}", pool.len()),
            );
        }
        if self.counting() {
            self.rec.totals.fargate_reclaim_events += 1;
            self.rec.totals.fargate_reclaimed_tasks += take as u64;
        }
        if drought > SimDuration::ZERO {
            let until = self.now + drought;
            let p = cfg.drought_unavailable_probability;
            let d = &mut self.spot.droughts[zone.idx()];
            *d = Some(match *d {
                Some(old) if old.until > self.now => {
                    Drought { until: old.until.max(until), unavailable_probability: old.unavailable_probability.max(p) }
                }
                _ => Drought { until, unavailable_probability: p },
            });
        }
        for &t in pool.iter().take(take) {
            self.on_fargate_spot_notice(t);
        }
        self.schedule_next_fargate_reclaim(k as usize);
    }

    /// The probability that a Fargate Spot launch in `zone` finds no capacity
    /// now, and whether a drought raised it above `unavailable_probability`.
    pub fn fargate_spot_unavailable(&self, zone: ZoneId) -> (f64, bool) {
        let base = self.sc.spot.fargate_unavailable_probability;
        match self.spot.droughts.get(zone.idx()).copied().flatten() {
            Some(d) if d.until > self.now && d.unavailable_probability > base => (d.unavailable_probability, true),
            _ => (base, false),
        }
    }

    /// Draws a Fargate Spot task's interruption when it starts running.
    pub fn fargate_spot_schedule(&mut self, t: TaskId) {
        let task = &self.tasks[t.idx()];
        let is_spot = self.sc.providers[task.provider.idx()].fargate().is_some_and(|f| f.spot);
        if !is_spot {
            return;
        }
        let Some(mean) = mean_time_to_interruption(self.sc.spot.fargate_monthly_interruption) else { return };
        let life = self
            .streams
            .draws(Stream::FargateSpotInterruption, task.provider.idx() as u64, task.provider_ordinal)
            .exponential(mean);
        let at = self.now + SimDuration::from_secs_f64(life);
        if at < self.sc.end() {
            self.at(at, Event::FargateSpotNotice(t));
        }
    }

    /// SIGTERM and two minutes: the task deregisters and stops, cut short at the end of the notice.
    pub fn on_fargate_spot_notice(&mut self, t: TaskId) {
        if !self.task_exists(t) {
            return;
        }
        if !self.tasks[t.idx()].state.is_active() || self.tasks[t.idx()].kill_at.is_some() {
            return;
        }
        let end = self.now + self.sc.spot.notice;
        self.tasks[t.idx()].kill_at = Some(end);
        let owner = self.tasks[t.idx()].owner;
        let name = self.owner_name(owner).to_string();
        self.rec.event(
            self.now,
            "task_interrupted",
            "task",
            &name,
            format_args!("task {}: Fargate Spot interruption notice", self.tasks[t.idx()].serial),
        );
        self.stop_task(t, StopReason::SpotInterruption);
        self.after(self.sc.spot.notice, Event::FargateSpotKill(t));
        if let Some(s) = self.tasks[t.idx()].service() {
            self.request_reconcile(s);
        }
    }

    pub fn on_fargate_spot_kill(&mut self, t: TaskId) {
        if !self.task_exists(t) {
            return;
        }
        if self.tasks[t.idx()].state.is_active() {
            self.kill_task(t, StopReason::SpotInterruption);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hazard_from_monthly_share() {
        // 7.5% a month -> mean life 30 d / −ln(0.925).
        let mean = mean_time_to_interruption(0.075).unwrap();
        assert!((mean - 30.0 * 86400.0 / -(0.925f64).ln()).abs() < 1e-6);
        // P(survive a month) = e^{−month/mean} = 1 − p.
        assert!((libm::exp(-MONTH.as_secs_f64() / mean) - 0.925).abs() < 1e-12);
        assert_eq!(mean_time_to_interruption(0.0), None);
    }
}
