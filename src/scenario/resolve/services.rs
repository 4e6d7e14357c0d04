//! `[[services]]`: task definition, placement, deployment, load balancer,
//! service discovery and the calls between services. Workload and auto
//! scaling have their own modules.

use super::super::raw;
use super::super::types::*;
use super::assumed;
use super::auto_scaling::resolve_auto_scaling;
use super::ctx::Ctx;
use super::placement::{resolve_placement, resolve_strategy, runs_on_fargate};
use super::predictive::PredictiveEnv;
use super::scheduled::resolve_scheduled_actions;
use super::task_defs::{check_task_fits, reject_warmup};
use super::workload::resolve_workload;
use super::{Env, MAX_TASKS_PER_SERVICE, Names};
use crate::engine::SimDuration;

/// The services that resolved, in file order.
pub(super) fn resolve_services(ctx: &mut Ctx, list: &[Option<raw::Service>], names: &Names, env: &Env) -> Vec<Service> {
    let mut services = Vec::new();
    for (i, s) in list.iter().enumerate() {
        let Some(s) = s else { continue };
        let path = format!("services[{i}]");
        if let Some(svc) = resolve_service(ctx, &path, s, names, env, list) {
            services.push(svc);
        }
    }
    services
}

/// Every service that receives load needs per-request work to turn it into CPU.
pub(super) fn check_requests_have_work(ctx: &mut Ctx, services: &[Service]) {
    // One pass over every call and every problem, so the check stays linear
    // in the number of services.
    let mut called = vec![false; services.len()];
    for c in services.iter().flat_map(|s| &s.calls) {
        if let Some(flag) = called.get_mut(c.service.idx()) {
            *flag = true;
        }
    }
    let reported: std::collections::BTreeSet<String> = ctx.problems.iter().map(|(p, _)| p.clone()).collect();
    for (i, svc) in services.iter().enumerate() {
        let has_own = !matches!(svc.workload.rate, RatePattern::Constant(v) if v == 0.0);
        let path = format!("services[{i}].workload.cpu_per_request");
        // A cpu_per_request given as 0 is already reported where it is written.
        if (called[i] || has_own) && svc.workload.cpu_per_request_s <= 0.0 && !reported.contains(&path) {
            ctx.err(path, "this service receives requests, so it needs cpu_per_request (vCPU-seconds of work per request, e.g. \"5ms\")");
        }
    }
}

fn resolve_service(
    ctx: &mut Ctx,
    path: &str,
    s: &raw::Service,
    names: &Names,
    env: &Env,
    all: &[Option<raw::Service>],
) -> Option<Service> {
    let td = ctx.lookup(&format!("{path}.task_definition"), "task definition", &s.task_definition, names.task_defs);
    if s.desired_count > MAX_TASKS_PER_SERVICE {
        ctx.err(
            format!("{path}.desired_count"),
            format!(
                "{} is out of range; ECS allows at most {MAX_TASKS_PER_SERVICE} tasks per service",
                s.desired_count
            ),
        );
    }
    let strategy = resolve_strategy(ctx, path, s.capacity_provider_strategy.as_ref(), names, env);
    let fargate = runs_on_fargate(&strategy, env);
    let (placement_strategy, constraints) =
        resolve_placement(ctx, path, s.placement_strategy.as_ref(), s.placement_constraints.as_ref(), fargate, true);
    if let Some(td) = td {
        check_task_fits(ctx, path, td, &strategy, env);
        if s.load_balancer.is_none() {
            reject_warmup(ctx, path, td, env, "this service has no [services.load_balancer]");
        }
    }
    let (min_healthy_percent, max_percent) = deployment_percents(ctx, path, s.deployment_configuration.as_ref());
    let load_balancer = s.load_balancer.as_ref().map(|lb| resolve_load_balancer(ctx, path, lb));
    let discovery = s.service_discovery.as_ref().map(|sd| resolve_discovery(ctx, path, sd));
    let workload = resolve_workload(ctx, &format!("{path}.workload"), s.workload.as_ref(), env.horizon);
    let for_predictive = PredictiveEnv {
        lb: load_balancer.as_ref(),
        service: &s.name,
        cluster: env.cluster_name,
        calendar: *env.horizon.calendar,
        workload_tz: workload.time_zone(),
    };
    let auto_scaling = s
        .auto_scaling
        .as_ref()
        .and_then(|a| resolve_auto_scaling(ctx, &format!("{path}.auto_scaling"), a, &for_predictive));
    let scheduled_actions = s
        .auto_scaling
        .as_ref()
        .map(|a| resolve_scheduled_actions(ctx, &format!("{path}.auto_scaling"), a))
        .unwrap_or_default();
    let calls = resolve_calls(ctx, path, s, names, all);
    let td = td?;
    Some(Service {
        name: s.name.clone(),
        task_def: td,
        desired_count: s.desired_count,
        health_check_grace: s.health_check_grace_period.map_or(SimDuration::ZERO, |d| d.0),
        strategy,
        placement_strategy,
        constraints,
        min_healthy_percent,
        max_percent,
        circuit_breaker: s
            .deployment_configuration
            .as_ref()
            .and_then(|d| d.deployment_circuit_breaker.as_ref())
            .and_then(|cb| cb.enable.then_some(CircuitBreaker { rollback: cb.rollback })),
        load_balancer,
        discovery,
        workload,
        auto_scaling,
        scheduled_actions,
        calls,
    })
}

/// `(minimum_healthy_percent, maximum_percent)` of a rolling deployment.
fn deployment_percents(ctx: &mut Ctx, path: &str, dc: Option<&raw::DeploymentConfiguration>) -> (f64, f64) {
    let min_healthy_percent = dc.and_then(|d| d.minimum_healthy_percent).unwrap_or(100.0);
    let max_percent = dc.and_then(|d| d.maximum_percent).unwrap_or(200.0);
    ctx.range(
        &format!("{path}.deployment_configuration.minimum_healthy_percent"),
        min_healthy_percent,
        0.0,
        100.0,
        "minimum_healthy_percent",
    );
    ctx.range(
        &format!("{path}.deployment_configuration.maximum_percent"),
        max_percent,
        100.0,
        200.0,
        "maximum_percent",
    );
    (min_healthy_percent, max_percent)
}

fn resolve_load_balancer(ctx: &mut Ctx, path: &str, lb: &raw::LoadBalancer) -> LoadBalancer {
    let lp = format!("{path}.load_balancer");
    let kind = lb.kind.as_deref().map_or(Some(LbKind::Alb), |k| {
        ctx.enum_value(&format!("{lp}.kind"), k, &[("alb", LbKind::Alb), ("nlb", LbKind::Nlb)])
    });
    let cfg = LoadBalancer {
        kind: kind.unwrap_or(LbKind::Alb),
        deregistration_delay: lb.deregistration_delay.map_or(SimDuration::from_secs(300), |d| d.0),
        health_check_interval: lb.health_check_interval.map_or(SimDuration::from_secs(30), |d| d.0),
        // ELB defaults (docs/aws-facts.md §12): 5 s for an ALB's HTTP checks, 10 s for an NLB's TCP ones.
        health_check_timeout: lb
            .health_check_timeout
            .map_or(SimDuration::from_secs(if kind == Some(LbKind::Nlb) { 10 } else { 5 }), |d| d.0),
        healthy_threshold: lb.healthy_threshold.unwrap_or(5),
        unhealthy_threshold: lb.unhealthy_threshold.unwrap_or(2),
    };
    if cfg.deregistration_delay > SimDuration::from_secs(3600) {
        ctx.err(
            format!("{lp}.deregistration_delay"),
            format!("{} is out of range; ELB accepts 0 to 3600 s", cfg.deregistration_delay),
        );
    }
    if cfg.health_check_interval < SimDuration::from_secs(5) || cfg.health_check_interval > SimDuration::from_secs(300)
    {
        ctx.err(
            format!("{lp}.health_check_interval"),
            format!("{} is out of range; ELB accepts 5s to 300s", cfg.health_check_interval),
        );
    }
    if cfg.health_check_timeout < SimDuration::from_secs(2) || cfg.health_check_timeout > SimDuration::from_secs(120) {
        ctx.err(
            format!("{lp}.health_check_timeout"),
            format!("{} is out of range; ELB accepts 2s to 120s", cfg.health_check_timeout),
        );
    }
    for (k, v) in [("healthy_threshold", cfg.healthy_threshold), ("unhealthy_threshold", cfg.unhealthy_threshold)] {
        if !(2..=10).contains(&v) {
            ctx.err(format!("{lp}.{k}"), format!("{v} is out of range; ELB accepts 2 to 10"));
        }
    }
    cfg
}

fn resolve_discovery(ctx: &mut Ctx, path: &str, sd: &raw::ServiceDiscovery) -> Discovery {
    let dp = format!("{path}.service_discovery");
    if let Some(k) = &sd.kind {
        ctx.enum_value(&format!("{dp}.kind"), k, &[("cloud_map", ())]);
    }
    let ttl = sd.dns_ttl.map_or(SimDuration::from_secs(assumed::DNS_TTL_S), |d| d.0);
    if ttl > SimDuration::from_hours(24) {
        ctx.err(format!("{dp}.dns_ttl"), format!("{ttl} is longer than a day; Cloud Map TTLs are seconds to minutes"));
    }
    Discovery { dns_ttl: ttl }
}

/// The services `s` calls, each by a route its callee offers.
fn resolve_calls(
    ctx: &mut Ctx,
    path: &str,
    s: &raw::Service,
    names: &Names,
    all: &[Option<raw::Service>],
) -> Vec<Call> {
    let mut calls = Vec::new();
    for (j, c) in s.calls.iter().flatten().enumerate() {
        let cp = format!("{path}.calls[{j}]");
        let Some(target) = ctx.lookup(&format!("{cp}.service"), "service", &c.service, names.services) else {
            continue;
        };
        if c.service == s.name {
            ctx.err(format!("{cp}.service"), "a service cannot call itself");
            continue;
        }
        let per_request = c.per_request.unwrap_or(1.0);
        ctx.range(&format!("{cp}.per_request"), per_request, 0.0, 1000.0, "calls per request");
        let callee = all.get(target.idx()).and_then(Option::as_ref);
        if let Some(via) = call_route(ctx, &cp, c, callee) {
            calls.push(Call { service: target, per_request, via, parallel: c.parallel.unwrap_or(false) });
        }
    }
    calls
}

/// The route of a call: as given, else the callee's load balancer, else its
/// service discovery; a route the callee does not offer is refused.
fn call_route(ctx: &mut Ctx, cp: &str, c: &raw::Call, callee: Option<&raw::Service>) -> Option<CallRoute> {
    let has_lb = callee.is_some_and(|t| t.load_balancer.is_some());
    let has_sd = callee.is_some_and(|t| t.service_discovery.is_some());
    let via = match c.via.as_deref() {
        Some(v) => ctx.enum_value(
            &format!("{cp}.via"),
            v,
            &[
                ("load_balancer", CallRoute::LoadBalancer),
                ("service_discovery", CallRoute::ServiceDiscovery),
                ("service_connect", CallRoute::ServiceConnect),
            ],
        ),
        None if has_lb => Some(CallRoute::LoadBalancer),
        None if has_sd => Some(CallRoute::ServiceDiscovery),
        None => {
            ctx.err(cp, format!("service \"{}\" has neither a load_balancer nor service_discovery; set via = \"service_connect\" or give it one", c.service));
            None
        }
    };
    match via {
        Some(CallRoute::LoadBalancer) if !has_lb => ctx.err(
            format!("{cp}.via"),
            format!("via = \"load_balancer\" but service \"{}\" has no [services.load_balancer]", c.service),
        ),
        Some(CallRoute::ServiceDiscovery) if !has_sd => ctx.err(
            format!("{cp}.via"),
            format!("via = \"service_discovery\" but service \"{}\" has no [services.service_discovery]", c.service),
        ),
        _ => {}
    }
    via
}
