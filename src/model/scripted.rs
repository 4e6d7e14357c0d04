//! Scripted events (deployments, zone outages, manual desired counts,
//! instance kills) and scheduled scaling actions.

use super::entities::{InstanceId, InstanceState, StopReason, TaskId};
use super::{Event, Simulation};
use crate::scaling::{Direction, ScalingDecision};
use crate::scenario::{KillAmount, ScriptedKind, ServiceId, ZoneId};
use crate::units::ceil_count;

impl Simulation<'_> {
    pub fn on_scripted(&mut self, index: u32) {
        let ev = &self.sc.events[index as usize];
        match ev.kind.clone() {
            ScriptedKind::Deploy { service, task_def } => self.start_deployment(service, task_def),
            ScriptedKind::SetDesiredCount { service, count } => {
                let name = &self.sc.services[service.idx()].name;
                let old = self.services[service.idx()].desired;
                self.rec.event(
                    self.now,
                    "set_desired_count",
                    "service",
                    name,
                    format_args!("desired count {old} -> {count} (manual)"),
                );
                self.set_desired(service, count);
            }
            ScriptedKind::AzOutage { zone, duration } => self.zone_outage(zone, duration),
            ScriptedKind::KillInstances { provider, amount, zone } => {
                let mut live: Vec<InstanceId> = self.providers[provider.idx()]
                    .instances
                    .iter()
                    .copied()
                    .filter(|&i| self.instances[i.idx()].state != InstanceState::Launching)
                    .filter(|&i| zone.is_none_or(|z| self.instances[i.idx()].zone == z))
                    .collect();
                live.sort();
                let n = match amount {
                    KillAmount::Count(c) => (c as usize).min(live.len()),
                    KillAmount::Fraction(f) => ceil_count(f * live.len() as f64) as usize,
                };
                let name = &self.sc.providers[provider.idx()].name;
                self.rec.event(
                    self.now,
                    "kill_instances",
                    "provider",
                    name,
                    format_args!("killing {n} of {} instance(s), oldest first", live.len()),
                );
                for &i in live.iter().take(n) {
                    self.terminate_instance(i, StopReason::InstanceTerminated);
                }
            }
        }
    }

    /// Everything in the zone dies; nothing launches there until it returns.
    fn zone_outage(&mut self, zone: ZoneId, duration: crate::engine::SimDuration) {
        let until = self.now + duration;
        self.zones[zone.idx()].down_until = Some(until);
        let zname = &self.sc.zones[zone.idx()];
        self.rec.event(
            self.now,
            "az_outage_start",
            "cluster",
            &self.sc.cluster_name,
            format_args!("{zname} down for {duration}"),
        );
        let victims: Vec<InstanceId> = (0..self.instances.len())
            .map(|i| InstanceId(i as u32))
            .filter(|&i| self.instances[i.idx()].is_live() && self.instances[i.idx()].zone == zone)
            .collect();
        if self.counting() {
            self.rec.totals.instances_zone_outage += victims.len() as u64;
        }
        for i in victims {
            self.terminate_instance(i, StopReason::ZoneOutage);
        }
        let fargate: Vec<TaskId> = (0..self.tasks.len())
            .map(|t| TaskId(t as u32, self.tasks[t].generation))
            .filter(|&t| {
                let task = &self.tasks[t.idx()];
                task.state.is_active()
                    && task.instance.is_none()
                    && task.zone == Some(zone)
                    && task.provisioning_started
            })
            .collect();
        for t in fargate {
            self.kill_task(t, StopReason::ZoneOutage);
        }
        self.at(until, Event::OutageEnd(zone));
    }

    pub fn on_outage_end(&mut self, zone: ZoneId) {
        if self.zones[zone.idx()].down_until.is_some_and(|t| t <= self.now) {
            self.zones[zone.idx()].down_until = None;
            let zname = &self.sc.zones[zone.idx()];
            self.rec.event(
                self.now,
                "az_outage_end",
                "cluster",
                &self.sc.cluster_name,
                format_args!("{zname} is back"),
            );
            for p in 0..self.providers.len() {
                let pid = crate::scenario::ProviderId::from_idx(p);
                self.request_placement(pid);
                self.asg_reconcile(pid);
            }
        }
    }

    pub fn schedule_next_action(&mut self, s: ServiceId, action: usize, after: Option<crate::engine::SimTime>) {
        let schedule = &self.sc.services[s.idx()].scheduled_actions[action].schedule;
        if let Some(t) = self.next_schedule_time(schedule, after) {
            self.at(t, Event::ScheduledAction { service: s, action: action as u32 });
        }
    }

    pub fn on_scheduled_action(&mut self, s: ServiceId, action: u32) {
        let cfg = &self.sc.services[s.idx()].scheduled_actions[action as usize];
        let desired = self.services[s.idx()].desired;
        let now = self.now;
        let result = match self.services[s.idx()].scaler.as_mut() {
            Some(scaler) => scaler.apply_scheduled(now, &cfg.name, cfg.min_capacity, cfg.max_capacity, desired),
            None => Ok(None),
        };
        let name = &self.sc.services[s.idx()].name;
        match result {
            Ok(decision) => {
                let (lo, hi) =
                    self.services[s.idx()].scaler.as_ref().map_or((0, 0), |x| (x.min_capacity(), x.max_capacity()));
                self.rec.event(
                    now,
                    "scheduled_action",
                    "service",
                    name,
                    format_args!("{}: capacity range now [{lo}, {hi}]", cfg.name),
                );
                if let Some(d) = decision {
                    self.apply_scaling_decision(s, d);
                }
            }
            Err(e) => self.rec.event(now, "scheduled_action", "service", name, format_args!("{e}")),
        }
        self.schedule_next_action(s, action as usize, Some(now));
    }

    /// Applies an auto scaling decision: new desired count, event, counters.
    pub fn apply_scaling_decision(&mut self, s: ServiceId, d: ScalingDecision) {
        let kind = match d.direction {
            Direction::Out => "scale_out",
            Direction::In => "scale_in",
        };
        if self.counting() {
            self.rec.count_scaling(s, d.direction, &d.policy);
        }
        let name = &self.sc.services[s.idx()].name;
        self.rec.event(self.now, kind, "service", name, format_args!("{}", d.reason));
        self.set_desired(s, d.new_desired);
        if let Some(scaler) = &self.services[s.idx()].scaler
            && (d.new_desired < scaler.min_capacity() || d.new_desired > scaler.max_capacity())
            && self.violation.is_none()
        {
            self.violation = Some(format!(
                "scaling set desired {} outside [{}, {}]",
                d.new_desired,
                scaler.min_capacity(),
                scaler.max_capacity()
            ));
        }
    }
}
