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

/// A JSON number. A figure that is not finite becomes a marked string that
/// [`non_finite_figures`] finds, so the run fails instead of writing null
/// (which reads as "undefined") or a wrong number. Undefined figures go
/// through [`opt`].
fn num(v: f64) -> Value {
    serde_json::Number::from_f64(v).map_or_else(|| Value::String(format!("{NON_FINITE}{v}")), Value::Number)
}

/// The mark of a figure that came out infinite or NaN.
const NON_FINITE: &str = "\u{0}non-finite:";

/// The dotted paths of every figure of `summary` that is not finite (the
/// invariant every run's summary is checked against before it is written).
pub fn non_finite_figures(summary: &Value) -> Vec<String> {
    fn walk(v: &Value, path: &str, out: &mut Vec<String>) {
        match v {
            Value::Object(map) => {
                for (k, v) in map {
                    walk(v, &if path.is_empty() { k.clone() } else { format!("{path}.{k}") }, out);
                }
            }
            Value::String(s) if s.starts_with(NON_FINITE) => {
                out.push(format!("{path} = {}", &s[NON_FINITE.len()..]));
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(summary, "", &mut out);
    out
}

/// A count of requests. The fluid model's expectations can leave tails such as
/// 1e-110 timed-out requests; under a millionth of a request is shown as 0.
fn requests(v: f64) -> Value {
    num(if v.abs() < 1e-6 { 0.0 } else { v })
}

/// A figure that may be undefined (null), e.g. a latency with no request.
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
        "failed_end_to_end_timeout": requests(r.end_to_end_timeout),
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

/// The service with the most SLO violation minutes (the first in scenario
/// order on a tie), or "" when none violated its SLO. A string either way, so
/// that the flattened figures of two runs have the same names.
fn worst_slo_service(sc: &crate::scenario::Scenario, services: &[super::record::ServiceTotals]) -> String {
    let mut worst: Option<(usize, u64)> = None;
    for (s, st) in services.iter().enumerate() {
        if st.slo_violation_minutes > worst.map_or(0, |w| w.1) {
            worst = Some((s, st.slo_violation_minutes));
        }
    }
    worst.map_or_else(String::new, |(s, _)| sc.services[s].name.clone())
}

/// The time zone whose wall clock the charts show: the first service (in
/// scenario order) whose load pattern names a zone other than UTC, else UTC.
fn display_time_zone(sc: &crate::scenario::Scenario) -> String {
    sc.services
        .iter()
        .find_map(|svc| match &svc.workload.rate {
            crate::scenario::RatePattern::Diurnal { tz, .. } => tz.iana_name().filter(|name| *name != "UTC"),
            _ => None,
        })
        .unwrap_or("UTC")
        .to_string()
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
                        "targets_unhealthy": st.targets_unhealthy,
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
                    "cost_by_item": super::cost_items::ITEM_KEYS
                        .iter()
                        .zip(cost.owner_items[s])
                        .map(|(k, v)| (k.to_string(), num(v)))
                        .collect::<Map<String, Value>>(),
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
            // Only services with predictive policies get the key: other summaries stay as they were.
            if let Some(scaler) = self.services[s].scaler.as_ref().filter(|sc| !sc.predictive().is_empty())
                && let Some(scaling) = services.get_mut(&cfg.name).and_then(|v| v.get_mut("scaling"))
            {
                scaling["predictive"] = scaler
                    .predictive()
                    .iter()
                    .map(|p| {
                        let (mape, hours) = p.accuracy();
                        let figures = json!({
                            "forecasts": p.forecasts_made(),
                            "forecast_mape_percent": opt(mape),
                            "forecast_weighted_error_percent": opt(p.weighted_error()),
                            "hours_compared": hours,
                        });
                        (p.cfg.name.clone(), figures)
                    })
                    .collect::<Map<String, Value>>()
                    .into();
            }
            let running_s = self.services[s].deployment.map_or(0.0, |d| end.saturating_since(d.started).as_secs_f64());
            let total_s = st.deployment_total_s + running_s;
            deployments.insert(
                cfg.name.clone(),
                json!({
                    "count": st.deployments,
                    "completed": st.deployments_completed,
                    "stalled": st.deployments_stalled,
                    "failed": st.deployments_failed,
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
            "start": sc.calendar.start().to_string(),
            "timezone": display_time_zone(sc),
            "assumptions": assumptions,
            "cost": {
                "total_usd": num(cost.total),
                "by_provider": by_provider,
                "by_service": by_service,
                "unallocated_usd": num(cost.unallocated),
                "reserved_unused_usd": num(cost.reserved_unused),
                "by_item": cost.items().map(|(k, v)| (k.to_string(), num(v))).collect::<Map<String, Value>>(),
                "savings_plans": {
                    "commitment_usd": num(cost.savings_plans.commitment),
                    "used_usd": num(cost.savings_plans.used),
                    "unused_usd": num(cost.savings_plans.unused),
                    "covered_on_demand_usd": num(cost.savings_plans.covered),
                },
                "monthly_usd": opt(cost.monthly),
            },
            "requests": requests_json(&t.requests),
            "latency": latency,
            "slo": { "violation_minutes": t.slo_violation_minutes, "worst_service": worst_slo_service(sc, &self.rec.services) },
            "tasks": {
                "active_at_start": self.rec.tasks_active_at_start(),
                "unplaced_at_start": t.unplaced_at_start.unwrap_or(0),
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
            "limits": limits_json(t),
            "fargate_spot": {
                "reclaim_events": t.fargate_reclaim_events,
                "tasks_reclaimed": t.fargate_reclaimed_tasks,
                "drought_launch_failures": t.fargate_drought_failures,
            },
            "deployments": deployments,
            "batch": batch,
            "services": services,
        });
        RunOutcome { summary }
    }
}

/// Launches that waited for a token of each control-plane limit, and the longest wait.
fn limits_json(t: &super::record::Totals) -> Value {
    let mut throttled = serde_json::Map::new();
    let mut max_wait = serde_json::Map::new();
    for limit in super::throttle::Limit::ALL {
        let k = limit as usize;
        throttled.insert(limit.key().to_string(), json!(t.throttled[k]));
        max_wait.insert(limit.key().to_string(), num(t.throttled_max_wait_s[k]));
    }
    json!({ "throttled_launches": throttled, "max_wait_s": max_wait })
}

#[cfg(test)]
mod finite_tests {
    use super::*;

    /// An infinite or NaN figure is found by its path; an undefined one
    /// (null) and finite ones are not.
    #[test]
    fn non_finite_figures_are_named() {
        let summary = json!({
            "requests": { "total": num(f64::INFINITY), "served": num(2.5), "availability": opt(None) },
            "cost": { "total_usd": num(f64::NAN) },
            "scenario": "web",
        });
        assert_eq!(non_finite_figures(&summary), ["cost.total_usd = NaN", "requests.total = inf"]);
        assert!(non_finite_figures(&json!({ "a": num(0.0), "b": opt(None) })).is_empty());
    }
}
