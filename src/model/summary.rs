//! The end of a run: close every integral and build `summary.json`.
//! Every provider, service, reason and policy key is always present (with 0)
//! so that a sweep's columns never depend on what happened in one run.

use super::e2e::{Combined, E2eHistogram};
use super::entities::StopReason;
use super::placement::PlacementFailure;
use super::queueing::{self, Component};
use super::record::Requests;
use super::{RunOutcome, Simulation};
use serde_json::{Map, Value, json};

/// A JSON number, or null for undefined values (never NaN).
fn num(v: f64) -> Value {
    serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number)
}

/// A count of requests. The fluid model's expectations can leave tails such as
/// 1e-110 timed-out requests; under a millionth of a request is shown as 0.
fn requests(v: f64) -> Value {
    num(if v.abs() < 1e-6 { 0.0 } else { v })
}

fn opt(v: Option<f64>) -> Value {
    v.map_or(Value::Null, num)
}

fn requests_json(r: &Requests) -> Value {
    let failed = r.failed();
    json!({
        "total": requests(r.offered),
        "served": requests(r.served),
        "failed": requests(failed),
        "availability": if r.offered > 0.0 { num(r.served / r.offered) } else { Value::Null },
        "failed_shed": requests(r.shed),
        "failed_timeout": requests(r.timeout),
        "failed_stale_endpoint": requests(r.stale),
        "failed_interrupted": requests(r.interrupted),
        "failed_downstream": requests(r.downstream),
        "failed_no_target": requests(r.no_target),
    })
}

fn latency_json(components: &[Component]) -> Value {
    let mut components = components.to_vec();
    queueing::compact_components(&mut components);
    let components = components.as_slice();
    let q = |p: f64| opt(queueing::mixture_quantile(components, p).map(|x| x * 1000.0));
    json!({
        "p50_ms": q(0.5),
        "p95_ms": q(0.95),
        "p99_ms": q(0.99),
        "mean_ms": opt(queueing::mixture_mean(components).map(|x| x * 1000.0)),
    })
}

/// Mean and quantiles of end-to-end times held partly exactly (services
/// without calls, compacted as `latency_json` does) and partly binned.
fn e2e_json(components: &[Component], hist: &E2eHistogram) -> Value {
    let mut components = components.to_vec();
    queueing::compact_components(&mut components);
    let c = Combined { comps: &components, hist };
    let q = |p: f64| opt(c.quantile(p).map(|x| x * 1000.0));
    json!({
        "p50_ms": q(0.5),
        "p95_ms": q(0.95),
        "p99_ms": q(0.99),
        "mean_ms": opt(c.mean().map(|x| x * 1000.0)),
    })
}

/// Quantile of a plain sample (nearest rank on the sorted values).
fn sample_quantile(sorted: &[f64], q: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    Some(sorted[rank - 1])
}

impl Simulation<'_> {
    /// Closes the run at the current instant and builds `summary.json`.
    pub fn finish(mut self) -> RunOutcome {
        let end = self.now;
        self.flush();
        self.settle_all_retries();
        self.rec.close_pending(end);
        // Requests lost in flight that no later minute could absorb still count as failed.
        for (s, f) in self.fluid.services.iter_mut().enumerate() {
            let st = &mut self.rec.services[s];
            let lost = std::mem::take(&mut f.lost_in_flight).min(st.requests.served.max(0.0));
            st.requests.served -= lost;
            st.requests.interrupted += lost;
            let t = &mut self.rec.totals.requests;
            let lost_entry = std::mem::take(&mut f.lost_entry_in_flight).min(t.served.max(0.0));
            t.served -= lost_entry;
            t.interrupted += lost_entry;
        }
        let cost = self.cost.finish(end);
        let sc = self.sc;
        let t = &self.rec.totals;

        let mut by_provider = Map::new();
        let mut task_hours = Map::new();
        let mut instance_hours = Map::new();
        for (p, cfg) in sc.providers.iter().enumerate() {
            by_provider.insert(cfg.name.clone(), num(cost.by_provider[p]));
            task_hours.insert(cfg.name.clone(), num(self.cost.task_seconds[p] / 3600.0));
            instance_hours.insert(cfg.name.clone(), num(self.cost.instance_seconds[p] / 3600.0));
        }
        let mut by_service = Map::new();
        for (s, cfg) in sc.services.iter().enumerate() {
            by_service.insert(cfg.name.clone(), num(cost.by_owner[s]));
        }
        let mut failures = Map::new();
        for reason in PlacementFailure::ALL {
            failures.insert(reason.key().to_string(), json!(t.placement_failures[reason.index()]));
        }
        let mut stopped = Map::new();
        for (k, reason) in StopReason::ALL.iter().enumerate() {
            stopped.insert(reason.key().to_string(), json!(t.stops[k]));
        }

        // Run-long latency: entry requests over all services, each with its own timeout.
        let mut entry_components = Vec::new();
        // Entry requests of services without calls: their end-to-end time is their latency.
        let mut leaf_entry_components = Vec::new();
        let mut services = Map::new();
        let mut deployments = Map::new();
        let (mut actions, mut outs, mut ins) = (0u64, 0u64, 0u64);
        for (s, cfg) in sc.services.iter().enumerate() {
            let timeout = cfg.workload.request_timeout_s;
            let f = &self.fluid.services[s];
            let entry = if self.called[s] { &f.entry_latency_run } else { &f.latency_run };
            entry_components.extend(entry.components(timeout));
            if cfg.calls.is_empty() {
                leaf_entry_components.extend(entry.components(timeout));
            }
            let st = &self.rec.services[s];
            actions += st.scale_out + st.scale_in;
            outs += st.scale_out;
            ins += st.scale_in;
            let cpu_target = cfg.auto_scaling.as_ref().and_then(|a| {
                a.target_tracking
                    .iter()
                    .find(|p| p.metric == crate::scaling::ServiceMetric::CpuUtilization)
                    .map(|p| p.target_value)
            });
            let slo = cfg.workload.slo.as_ref();
            let mut latency = latency_json(&f.latency_run.components(timeout));
            if self.called[s] || super::e2e::has_entry_traffic(cfg) {
                let e2e = if cfg.calls.is_empty() { latency.clone() } else { e2e_json(&[], &st.e2e) };
                latency["end_to_end"] = e2e;
            }
            services.insert(
                cfg.name.clone(),
                json!({
                    "requests": requests_json(&st.requests),
                    "latency": latency,
                    "slo": {
                        "violation_minutes": st.slo_violation_minutes,
                        "latency_p99_ms": opt(slo.and_then(|x| x.latency_p99_s).map(|x| x * 1000.0)),
                        "availability": opt(slo.map(|x| x.availability)),
                        "end_to_end_p99_ms": opt(slo.and_then(|x| x.end_to_end_p99_s).map(|x| x * 1000.0)),
                    },
                    "tasks": {
                        "started": st.tasks_started,
                        "interrupted": st.tasks_interrupted,
                        "pending_task_minutes": num(st.pending_task_seconds / 60.0),
                        "below_desired_minutes": st.below_desired_minutes,
                        "task_hours": cfg
                            .strategy
                            .iter()
                            .map(|i| {
                                let hours = self.cost.owner_task_seconds(s, i.provider.idx()) / 3600.0;
                                (sc.providers[i.provider.idx()].name.clone(), num(hours))
                            })
                            .collect::<Map<String, Value>>(),
                    },
                    "scaling": {
                        "actions": st.scale_out + st.scale_in,
                        "scale_out": st.scale_out,
                        "scale_in": st.scale_in,
                        "cpu_target_percent": opt(cpu_target),
                        "by_policy": st.by_policy.iter().map(|(n, c)| (n.clone(), json!(c))).collect::<Map<String, Value>>(),
                    },
                    "cost_usd": num(cost.by_owner[s]),
                    "calls": cfg
                        .calls
                        .iter()
                        .zip(&st.calls)
                        .map(|(c, e)| {
                            let figures = json!({
                                "requests": requests(e.calls),
                                "failed_stale_endpoint": requests(e.stale),
                                "failed_no_target": requests(e.no_target),
                            });
                            (sc.services[c.service.idx()].name.clone(), figures)
                        })
                        .collect::<Map<String, Value>>(),
                }),
            );
            let running_s = self.services[s].deployment.map_or(0.0, |d| end.saturating_since(d.started).as_secs_f64());
            let total_s = st.deployment_total_s + running_s;
            deployments.insert(
                cfg.name.clone(),
                json!({
                    "count": st.deployments,
                    "completed": st.deployments_completed,
                    "stalled": st.deployments_stalled,
                    "in_progress": u64::from(self.services[s].deployment.is_some()),
                    "total_s": num(total_s),
                    "max_s": num(st.deployment_max_s.max(running_s)),
                    "duration_s": opt((st.deployments > 0).then(|| total_s / st.deployments as f64)),
                }),
            );
        }

        let mut batch = Map::new();
        for (b, cfg) in sc.batch.iter().enumerate() {
            let jobs: Vec<&super::batch::Job> = self.batches[b].jobs.iter().filter(|j| j.counted).collect();
            let completed = jobs.iter().filter(|j| j.done).count();
            let failed = jobs.iter().filter(|j| j.failed).count();
            let mut waits: Vec<f64> = jobs
                .iter()
                .filter_map(|j| j.first_running.map(|r| r.saturating_since(j.fired_at).as_secs_f64()))
                .collect();
            waits.sort_by(f64::total_cmp);
            let wasted: f64 = jobs.iter().map(|j| j.wasted_s).sum::<f64>() / 3600.0;
            let c = cost.by_owner[sc.services.len() + b];
            batch.insert(
                cfg.name.clone(),
                json!({
                    "jobs": jobs.len(),
                    "completed": completed,
                    "failed": failed,
                    "attempts": jobs.iter().map(|j| u64::from(j.attempts)).sum::<u64>(),
                    "wait_mean_s": if waits.is_empty() { Value::Null } else { num(waits.iter().sum::<f64>() / waits.len() as f64) },
                    "wait_p95_s": opt(sample_quantile(&waits, 0.95)),
                    "wasted_task_hours": num(wasted),
                    "cost_usd": num(c),
                    "cost_per_job_usd": if completed > 0 { num(c / completed as f64) } else { Value::Null },
                }),
            );
        }

        let mut assumptions = Map::new();
        for a in crate::scaling::ASSUMPTIONS {
            assumptions.insert(a.name.to_string(), Value::String(a.value.to_string()));
        }
        for (name, value) in super::ASSUMPTIONS {
            assumptions.insert((*name).to_string(), Value::String((*value).to_string()));
        }

        let mut latency = latency_json(&entry_components);
        latency["end_to_end"] =
            if t.e2e_entry.is_empty() { latency.clone() } else { e2e_json(&leaf_entry_components, &t.e2e_entry) };
        let summary = json!({
            "ecsim_version": env!("CARGO_PKG_VERSION"),
            "scenario": sc.name,
            "scenario_sha256": crate::hash::sha256_hex(sc.source_text.as_bytes()),
            "catalog_date": crate::catalog::CATALOG_DATE,
            "seed": sc.seed,
            "replication": self.replication,
            "duration_s": num(sc.duration.as_secs_f64()),
            "warmup_s": num(sc.warmup.as_secs_f64()),
            "assumptions": assumptions,
            "cost": {
                "total_usd": num(cost.total),
                "by_provider": by_provider,
                "by_service": by_service,
                "unallocated_usd": num(cost.unallocated),
                "reserved_unused_usd": num(cost.reserved_unused),
            },
            "requests": requests_json(&t.requests),
            "latency": latency,
            "slo": { "violation_minutes": t.slo_violation_minutes },
            "tasks": {
                "active_at_start": self.rec.tasks_active_at_start(),
                "started": t.tasks_started,
                "active_at_end": self.rec.tasks_active(),
                "interrupted": t.tasks_interrupted,
                "killed_in_flight": requests(t.killed_in_flight),
                "pending_task_minutes": num(t.pending_task_seconds / 60.0),
                "task_hours": task_hours,
                "placement_failures": failures,
                "stopped": stopped,
            },
            "instances": {
                "launched": t.instances_launched,
                "interrupted": t.instances_interrupted,
                "terminated_by_zone_outage": t.instances_zone_outage,
                "launch_failures": t.launch_failures,
                "peak": t.instances_peak,
                "instance_hours": instance_hours,
                "capacity_scale_out": t.capacity_scale_out,
                "capacity_scale_in": t.capacity_scale_in,
            },
            "scaling": { "actions": actions, "scale_out": outs, "scale_in": ins },
            "deployments": deployments,
            "batch": batch,
            "services": services,
        });
        RunOutcome { summary }
    }
}
