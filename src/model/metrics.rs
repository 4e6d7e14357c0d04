//! The minute: close the workload sums, publish CloudWatch datapoints,
//! evaluate service auto scaling and managed scaling, record the time series
//! and the SLO.

use super::Simulation;
use super::entities::{InstanceState, TaskState};
use super::queueing;
use super::record::Agg;
use crate::engine::{MS_PER_MINUTE, SimTime};
use crate::scaling::{Datapoint, MinuteMetrics};
use crate::scenario::{ProviderId, ServiceId};

/// Time-series ids, registered once in a fixed order (cluster, providers, services, batch).
#[derive(Default)]
pub struct SeriesIds {
    cluster: [usize; 7],
    providers: Vec<[usize; 11]>,
    services: Vec<[usize; 15]>,
    /// `latency_e2e_p99_ms`, for services that receive requests.
    e2e: Vec<Option<usize>>,
    alarms: Vec<Vec<usize>>,
    /// Per service, per predictive policy: load, forecast load, forecast capacity.
    predictive: Vec<Vec<[usize; 3]>>,
    batch: Vec<[usize; 2]>,
    /// Per availability zone: live instances, running tasks.
    zones: Vec<[usize; 2]>,
}

pub(super) const CLUSTER_METRICS: [(&str, Agg); 7] = [
    ("cost_usd_cumulative", Agg::Last),
    ("cost_usd_per_hour", Agg::Mean),
    ("instances", Agg::Last),
    ("tasks", Agg::Last),
    ("demand_rps", Agg::Mean),
    ("served_rps", Agg::Mean),
    ("failed_rps", Agg::Mean),
];

pub(super) const PROVIDER_METRICS: [(&str, Agg); 11] = [
    ("instances", Agg::Last),
    ("instances_launching", Agg::Last),
    ("instances_draining", Agg::Last),
    ("instances_on_demand", Agg::Last),
    ("instances_spot", Agg::Last),
    ("desired_capacity", Agg::Last),
    ("tasks", Agg::Last),
    ("cpu_reservation_percent", Agg::Mean),
    ("memory_reservation_percent", Agg::Mean),
    ("capacity_provider_reservation", Agg::Mean),
    ("cost_usd_per_hour", Agg::Mean),
];

pub(super) const SERVICE_METRICS: [(&str, Agg); 15] = [
    ("desired", Agg::Last),
    ("running", Agg::Last),
    ("pending", Agg::Last),
    ("healthy", Agg::Last),
    ("min_capacity", Agg::Last),
    ("max_capacity", Agg::Last),
    ("demand_rps", Agg::Mean),
    ("served_rps", Agg::Mean),
    ("failed_rps", Agg::Mean),
    ("capacity_rps", Agg::Mean),
    ("cpu_percent", Agg::Mean),
    ("memory_percent", Agg::Mean),
    ("requests_per_target", Agg::Mean),
    ("latency_p50_ms", Agg::Last),
    ("latency_p99_ms", Agg::Last),
];

impl Simulation<'_> {
    pub fn register_series(&mut self) {
        let sc = self.sc;
        let mut ids = SeriesIds::default();
        for (k, (m, agg)) in CLUSTER_METRICS.iter().enumerate() {
            ids.cluster[k] = self.rec.register("cluster", &sc.cluster_name, m, *agg);
        }
        for p in &sc.providers {
            let mut row = [0; 11];
            for (k, (m, agg)) in PROVIDER_METRICS.iter().enumerate() {
                row[k] = self.rec.register("provider", &p.name, m, *agg);
            }
            ids.providers.push(row);
        }
        for (s, svc) in sc.services.iter().enumerate() {
            let mut row = [0; 15];
            for (k, (m, agg)) in SERVICE_METRICS.iter().enumerate() {
                row[k] = self.rec.register("service", &svc.name, m, *agg);
            }
            ids.services.push(row);
            let receives = self.called[s] || super::e2e::has_entry_traffic(svc);
            ids.e2e.push(receives.then(|| self.rec.register("service", &svc.name, "latency_e2e_p99_ms", Agg::Last)));
            let mut alarms = Vec::new();
            if let Some(scaler) = &self.services[s].scaler {
                for (policy, which, _) in scaler.alarm_states() {
                    let metric =
                        if which == "alarm" { format!("alarm_{policy}") } else { format!("alarm_{policy}_{which}") };
                    alarms.push(self.rec.register("service", &svc.name, &metric, Agg::Last));
                }
            }
            ids.alarms.push(alarms);
            let mut predictive = Vec::new();
            for p in self.services[s].scaler.iter().flat_map(|sc| sc.predictive()) {
                let n = &p.cfg.name;
                predictive.push([
                    self.rec.register("service", &svc.name, &format!("predictive_{n}_load"), Agg::Mean),
                    self.rec.register("service", &svc.name, &format!("predictive_{n}_forecast_load"), Agg::Mean),
                    self.rec.register("service", &svc.name, &format!("predictive_{n}_forecast_capacity"), Agg::Last),
                ]);
            }
            ids.predictive.push(predictive);
        }
        for b in &sc.batch {
            ids.batch.push([
                self.rec.register("batch", &b.name, "running", Agg::Last),
                self.rec.register("batch", &b.name, "waiting", Agg::Last),
            ]);
        }
        for zone in &sc.zones {
            ids.zones.push([
                self.rec.register("zone", zone, "instances", Agg::Last),
                self.rec.register("zone", zone, "tasks_running", Agg::Last),
            ]);
        }
        self.series = ids;
    }

    /// Everything that happens once a minute, at the end of the minute.
    pub fn close_minute(&mut self) {
        let now = self.now;
        let minute_start = SimTime::from_millis(now.as_millis().saturating_sub(MS_PER_MINUTE));
        let counting = minute_start >= SimTime::ZERO + self.sc.warmup;
        if counting {
            self.rec.warmup_over();
        }
        self.cost.close(now);
        if self.rec.totals.unplaced_at_start.is_none() {
            let waiting: usize = self.providers.iter().map(|p| p.waiting.len()).sum();
            self.rec.totals.unplaced_at_start = Some(waiting as u64);
        }
        if let Some(bar) = &self.opts.progress {
            bar.set_position(now.minute_index());
        }
        let mut cluster_demand = 0.0;
        let mut cluster_served = 0.0;
        let mut cluster_failed = 0.0;
        self.update_minute_e2e();
        // Taken out while the services close (they borrow the simulation), then put back: the
        // next minute compares its inputs with these.
        let e2e = std::mem::take(&mut self.e2e.minute);
        for s in 0..self.sc.services.len() {
            let e = e2e.get(s).and_then(Option::as_ref);
            let (d, sv, f) = self.close_service_minute(ServiceId::from_idx(s), counting, e);
            cluster_demand += d;
            cluster_served += sv;
            cluster_failed += f;
        }
        self.e2e.minute = e2e;
        if std::mem::take(&mut self.rec.minute_slo_violated) {
            self.rec.totals.slo_violation_minutes += 1;
        }
        let mut instances = 0u32;
        let mut tasks = 0u32;
        for p in 0..self.sc.providers.len() {
            let (i, t) = self.close_provider_minute(ProviderId::from_idx(p));
            instances += i;
            tasks += t;
        }
        let c = self.series.cluster;
        self.cost.items.lb_minute_end(counting);
        let minute_cost: f64 =
            self.cost.minute.iter().sum::<f64>() + self.cost.minute_reserved_unused + self.cost.items.minute;
        self.rec.put(c[0], Some(self.cost.cumulative + self.cost.items.cumulative));
        self.rec.put(c[1], Some(minute_cost * 60.0));
        self.rec.put(c[2], Some(f64::from(instances)));
        self.rec.put(c[3], Some(f64::from(tasks)));
        self.rec.put(c[4], Some(cluster_demand / 60.0));
        self.rec.put(c[5], Some(cluster_served / 60.0));
        self.rec.put(c[6], Some(cluster_failed / 60.0));
        for v in &mut self.cost.minute {
            *v = 0.0;
        }
        self.cost.minute_reserved_unused = 0.0;
        self.cost.items.minute = 0.0;
        for b in 0..self.sc.batch.len() {
            let st = &self.batches[b];
            let running = st.active.iter().filter(|&&t| self.tasks[t.idx()].state == TaskState::Running).count();
            let waiting = st.active.iter().filter(|&&t| self.tasks[t.idx()].state <= TaskState::Pending).count();
            let ids = self.series.batch[b];
            self.rec.put(ids[0], Some(running as f64));
            self.rec.put(ids[1], Some(waiting as f64));
        }
        if self.rec.interval_ends(now, self.sc.end()) {
            if self.rec.wants_rows() {
                self.put_zone_counts();
            }
            for s in 0..self.sc.services.len() {
                // Borrowed, not taken: emit_interval clears the buffer and its capacity stays.
                let comps = self.rec.interval_latency[s].components();
                let p50 = queueing::mixture_quantile(comps, 0.5).map(|x| x * 1000.0);
                let p99 = queueing::mixture_quantile(comps, 0.99).map(|x| x * 1000.0);
                let ids = self.series.services[s];
                self.rec.set_interval_value(ids[13], p50);
                self.rec.set_interval_value(ids[14], p99);
                if let Some(id) = self.series.e2e[s] {
                    // A service without calls: its end-to-end time is its latency.
                    let e2e_p99 = if self.sc.services[s].calls.is_empty() {
                        p99
                    } else {
                        let hist = &self.rec.interval_e2e[s];
                        super::e2e::Combined { comps: &[], hist }.quantile(0.99).map(|x| x * 1000.0)
                    };
                    self.rec.set_interval_value(id, e2e_p99);
                }
            }
            self.rec.emit_interval(now);
        }
        self.health_check_minute();
    }

    /// Live instances and running tasks per availability zone, counted only
    /// where rows are kept: the values at the interval's end are the rows.
    fn put_zone_counts(&mut self) {
        let mut instances = vec![0u32; self.sc.zones.len()];
        let mut tasks = vec![0u32; self.sc.zones.len()];
        for instance in &self.instances {
            if instance.state != InstanceState::Terminated {
                instances[instance.zone.idx()] += 1;
            }
        }
        for task in &self.tasks {
            // Running as the service's `running` counts it (section 9.3).
            let running = matches!(task.state, TaskState::Running | TaskState::Deactivating | TaskState::Stopping);
            if let (true, Some(zone)) = (running, task.zone) {
                tasks[zone.idx()] += 1;
            }
        }
        for (z, ids) in self.series.zones.clone().iter().enumerate() {
            self.rec.put(ids[0], Some(f64::from(instances[z])));
            self.rec.put(ids[1], Some(f64::from(tasks[z])));
        }
    }

    /// Returns the minute's (offered, served, failed) entry requests. `e2e`:
    /// the minute's end-to-end time when the service makes calls.
    fn close_service_minute(
        &mut self,
        s: ServiceId,
        counting: bool,
        e2e: Option<&super::e2e::MinuteE2e>,
    ) -> (f64, f64, f64) {
        let now = self.now;
        let minute_start = SimTime::from_millis(now.as_millis().saturating_sub(MS_PER_MINUTE));
        let cfg = &self.sc.services[s.idx()];
        // Swap the minute's sums out for the cleared spare (a pointer swap, no copying).
        let mut m = self.minute_spare.take().unwrap_or_default();
        std::mem::swap(&mut m, &mut self.fluid.services[s.idx()].minute);
        // Requests lost inside killed tasks move from served to failed (as far as this
        // minute's served allows; any rest waits for the next minute).
        let f = &mut self.fluid.services[s.idx()];
        let lost = f.lost_in_flight.min(m.served.max(0.0));
        let lost_entry = f.lost_entry_in_flight.min(m.entry_served.max(0.0));
        f.lost_in_flight -= lost;
        f.lost_entry_in_flight -= lost_entry;
        m.served -= lost;
        m.failed_interrupted += lost;
        m.entry_served -= lost_entry;
        m.entry_failed_interrupted += lost_entry;
        // Requests every station served whose end-to-end time reached a timeout fail (8.8).
        if let Some(e) = e2e.filter(|e| e.timed_out > 0.0) {
            let admitted: f64 = m.latency.iter().map(|c| c.weight).sum();
            let entry: f64 = m.entry_latency.iter().map(|c| c.weight).sum();
            let moved = (admitted * e.timed_out).min(m.served.max(0.0));
            let moved_entry = (entry * e.timed_out).min(m.entry_served.max(0.0));
            m.served -= moved;
            m.failed_end_to_end_timeout += moved;
            m.entry_served -= moved_entry;
            m.entry_failed_end_to_end_timeout += moved_entry;
        }
        let secs = m.seconds.max(1e-9);
        let ids = self.series.services[s.idx()];
        let failed = (m.offered - m.served).max(0.0);
        let st = &self.rec.services[s.idx()];
        // ECS's runningCount: tasks whose last status is RUNNING, which includes tasks draining
        // behind the load balancer (they report CPU too, so the scaler's product stays consistent).
        let running = st.by_state[TaskState::Running as usize]
            + st.by_state[TaskState::Deactivating as usize]
            + st.by_state[TaskState::Stopping as usize];
        let pending = st.by_state[0] + st.by_state[1];
        let desired = self.services[s.idx()].desired;
        let healthy = self.fluid.serving(s);
        let put = |rec: &mut super::record::Recorder, k: usize, v: Option<f64>| rec.put(ids[k], v);
        put(&mut self.rec, 1, Some(f64::from(running)));
        put(&mut self.rec, 2, Some(f64::from(pending)));
        put(&mut self.rec, 3, Some(f64::from(healthy)));
        put(&mut self.rec, 6, Some(m.offered / secs));
        put(&mut self.rec, 7, Some(m.served / secs));
        put(&mut self.rec, 8, Some(failed / secs));
        put(&mut self.rec, 9, Some(m.capacity_seconds / secs));
        let cpu = (m.task_seconds > 0.0).then(|| (m.cpu_task_seconds / m.task_seconds).min(100.0));
        let mem = (m.task_seconds > 0.0).then(|| (m.mem_task_seconds / m.task_seconds).min(100.0));
        put(&mut self.rec, 10, cpu);
        put(&mut self.rec, 11, mem);
        let targets = m.healthy_target_seconds / secs;
        let rpt = (cfg.load_balancer.is_some() && targets > 0.0).then(|| m.lb_received / targets * 60.0 / secs);
        put(&mut self.rec, 12, rpt);
        for c in &m.latency {
            self.rec.interval_latency[s.idx()].add(c.rate, c.weight, c.timeout);
        }
        let admitted: f64 = m.latency.iter().map(|c| c.weight).sum();
        if let Some(e) = e2e {
            self.rec.interval_e2e[s.idx()].add(e, admitted);
        }
        if counting {
            let f = &mut self.fluid.services[s.idx()];
            for c in &m.latency {
                f.latency_run.add(c.rate, c.weight);
            }
            // A service nobody calls gets only entry requests: its entry mixture is its mixture.
            if self.called[s.idx()] {
                for c in &m.entry_latency {
                    f.entry_latency_run.add(c.rate, c.weight);
                }
            }
            let st = &mut self.rec.services[s.idx()];
            if let Some(e) = e2e {
                st.e2e.add(e, admitted);
                let entry: f64 = m.entry_latency.iter().map(|c| c.weight).sum();
                self.rec.totals.e2e_entry.add(e, entry);
            }
            let st = &mut self.rec.services[s.idx()];
            for (total, minute) in st.calls.iter_mut().zip(&m.calls) {
                total.add_scaled(minute, 1.0);
            }
            st.requests.offered += m.offered;
            st.requests.served += m.served;
            st.requests.shed += m.failed_shed;
            st.requests.timeout += m.failed_timeout;
            st.requests.stale += m.failed_stale;
            st.requests.no_target += m.failed_no_target;
            st.requests.downstream += m.failed_downstream;
            st.requests.interrupted += m.failed_interrupted;
            st.requests.end_to_end_timeout += m.failed_end_to_end_timeout;
            if healthy < desired {
                st.below_desired_minutes += 1;
            }
            if let Some(slo) = &cfg.workload.slo
                && m.offered > 0.0
            {
                let availability = m.served / m.offered;
                // p99 above the target ⟺ fewer than 99% of requests finish by it: one CDF value,
                // no quantile search.
                let slow = slo
                    .latency_p99_s
                    .is_some_and(|l| queueing::mixture_cdf(&m.latency, l + 1e-12).is_some_and(|f| f < 0.99));
                // The same test on the end-to-end time: its own grid for a service that makes
                // calls, its latency otherwise.
                let slow_e2e = slo.end_to_end_p99_s.is_some_and(|l| match e2e {
                    Some(e) => e.cdf(l + 1e-12) < 0.99,
                    None => queueing::mixture_cdf(&m.latency, l + 1e-12).is_some_and(|f| f < 0.99),
                });
                if slow || slow_e2e || availability < slo.availability {
                    st.slo_violation_minutes += 1;
                    // Every service with an SLO counts, called ones too: a backend
                    // breaking its SLO is a violated minute even when its callers meet theirs.
                    self.rec.minute_slo_violated = true;
                }
            }
            let t = &mut self.rec.totals.requests;
            t.offered += m.entry_offered;
            t.served += m.entry_served;
            t.shed += m.entry_failed_shed;
            t.timeout += m.entry_failed_timeout;
            t.stale += m.entry_failed_stale;
            t.no_target += m.entry_failed_no_target;
            t.downstream += m.entry_failed_downstream;
            t.interrupted += m.entry_failed_interrupted;
            t.end_to_end_timeout += m.entry_failed_end_to_end_timeout;
        }
        let entry = (m.entry_offered, m.entry_served, (m.entry_offered - m.entry_served).max(0.0));
        // CloudWatch: this minute's datapoints, visible after the publication delay.
        let sample_count = m.task_seconds / secs;
        let datapoint = |avg: Option<f64>, lo: Option<f64>, hi: Option<f64>| {
            avg.map(|a| Datapoint {
                average: a,
                minimum: lo.unwrap_or(a),
                maximum: hi.unwrap_or(a),
                sum: a * sample_count,
                sample_count,
            })
        };
        let metrics = MinuteMetrics {
            cpu: datapoint(cpu, m.cpu_min, m.cpu_max),
            memory: datapoint(mem, m.mem_min, m.mem_max),
            request_count_per_target: rpt.map(Datapoint::single),
            request_count: cfg.load_balancer.is_some().then(|| Datapoint::single(m.lb_received * 60.0 / secs)),
            running_tasks: Some(f64::from(running)),
            desired_tasks: Some(f64::from(desired)),
        };
        self.cost_traffic_minute(s, &m, minute_start, counting);
        // Keep the buffers (cleared) as the next spare so later minutes reuse their capacity.
        m.clear();
        self.minute_spare = Some(m);
        let delay = (self.sc.metric_delay.as_millis() / MS_PER_MINUTE) as usize;
        let st = &mut self.services[s.idx()];
        if let Some(scaler) = st.scaler.as_mut() {
            scaler.observe_load(now, &metrics);
        }
        st.published.push_back(metrics);
        let visible = if st.published.len() > delay {
            st.published.pop_front().unwrap_or_default()
        } else {
            MinuteMetrics::default()
        };
        let deploying = st.deployment.is_some();
        let decision = st.scaler.as_mut().and_then(|sc| sc.on_minute(now, &visible, running, desired, deploying));
        if let Some(scaler) = &self.services[s.idx()].scaler {
            for (k, (_, _, state)) in scaler.alarm_states().enumerate() {
                let id = self.series.alarms[s.idx()][k];
                self.rec.put(id, Some(f64::from(state.code())));
            }
        }
        self.record_forecasts(s, &metrics);
        if let Some(d) = decision {
            self.apply_scaling_decision(s, d);
        }
        // Proposals that did not act, each once per episode (model.md 9.5).
        if let Some(scaler) = &self.services[s.idx()].scaler {
            let name = &self.sc.services[s.idx()].name;
            for h in scaler.held_back().iter().filter(|h| h.new) {
                self.rec.event(now, "scaling_held", "service", name, format_args!("{}", h.line));
            }
        }
        // Desired and the bounds after this minute's evaluation, like the alarm states above:
        // an alarm and the scaling it triggers show in the same row.
        let ids = self.series.services[s.idx()];
        self.rec.put(ids[0], Some(f64::from(self.services[s.idx()].desired)));
        if let Some(scaler) = &self.services[s.idx()].scaler {
            self.rec.put(ids[4], Some(f64::from(scaler.min_capacity())));
            self.rec.put(ids[5], Some(f64::from(scaler.max_capacity())));
        }
        self.check_deployment_stall(s);
        entry
    }

    /// Predictive scaling's series (the minute's load, the forecast of its hour)
    /// and an event for each floor a forecast sets (docs/model.md §9.7).
    fn record_forecasts(&mut self, s: ServiceId, metrics: &MinuteMetrics) {
        let now = self.now;
        let Some(scaler) = &self.services[s.idx()].scaler else { return };
        for (k, p) in scaler.predictive().iter().enumerate() {
            let ids = self.series.predictive[s.idx()][k];
            let forecast = p.forecast_now(now);
            self.rec.put(ids[0], p.cfg.metrics.load(metrics));
            self.rec.put(ids[1], forecast.map(|f| f.0));
            self.rec.put(ids[2], forecast.and_then(|f| f.1).map(f64::from));
        }
        let name = &self.sc.services[s.idx()].name;
        for (policy, f) in scaler.floors_set() {
            let buffer_s = scaler
                .predictive()
                .iter()
                .find(|p| p.cfg.name == policy)
                .map_or(0, |p| p.cfg.scheduling_buffer.as_millis() / 1000);
            self.rec.event(
                now,
                "predictive_floor",
                "service",
                name,
                format_args!(
                    "{policy}: forecast load {} for the hour from {} s → {} tasks, the minimum capacity (scheduling buffer {buffer_s} s)",
                    crate::scaling::Shown(f.load),
                    f.hour as u64 * 3600,
                    f.capacity
                ),
            );
        }
    }

    /// Returns the provider's (instances, tasks) at the end of the minute.
    fn close_provider_minute(&mut self, p: ProviderId) -> (u32, u32) {
        let cpr = self.managed_scaling_minute(p);
        let ids = self.series.providers[p.idx()];
        let by_state = self.rec.provider_instances[p.idx()];
        let fleet = &mut self.providers[p.idx()].fleet;
        let (od, spot) = (fleet.on_demand, fleet.spot);
        let (cpu_reservation, memory_reservation) = fleet.take_reservation(self.now);
        let live = by_state[0] + by_state[1] + by_state[2];
        let tasks_by_state = self.rec.provider_tasks[p.idx()];
        let tasks = tasks_by_state[1] + tasks_by_state[2] + tasks_by_state[3] + tasks_by_state[4];
        let is_asg = self.sc.providers[p.idx()].asg().is_some();
        let rate = self.cost.minute[p.idx()] * 60.0;
        let put = |rec: &mut super::record::Recorder, k: usize, v: Option<f64>| rec.put(ids[k], v);
        if is_asg {
            put(&mut self.rec, 0, Some(f64::from(live)));
            put(&mut self.rec, 1, Some(f64::from(by_state[0])));
            put(&mut self.rec, 2, Some(f64::from(by_state[2])));
            put(&mut self.rec, 3, Some(f64::from(od)));
            put(&mut self.rec, 4, Some(f64::from(spot)));
            put(&mut self.rec, 5, Some(f64::from(self.providers[p.idx()].desired)));
            put(&mut self.rec, 7, cpu_reservation);
            put(&mut self.rec, 8, memory_reservation);
            put(&mut self.rec, 9, cpr);
        }
        put(&mut self.rec, 6, Some(f64::from(tasks)));
        put(&mut self.rec, 10, Some(rate));
        (live, tasks)
    }
}
