//! `[[events]]`: scripted deployments, zone outages, desired-count changes
//! and instance kills at given times.

use super::super::raw;
use super::super::types::*;
use super::ctx::{Ctx, offset_to_time};
use super::task_defs::{check_task_fits, reject_warmup};
use super::{Env, MAX_TASKS_PER_SERVICE, Names};
use crate::engine::SimTime;

/// The events that resolved, in time order. `services` are the resolved
/// services (empty when one failed); an event at or after the end is refused
/// when the duration is known (`duration_ok`).
pub(super) fn resolve_events(
    ctx: &mut Ctx,
    list: &[Option<raw::ScriptedEvent>],
    names: &Names,
    env: &Env,
    services: &[Service],
    duration_ok: bool,
) -> Vec<ScriptedEvent> {
    let duration = env.horizon.duration;
    let mut events = Vec::new();
    for (i, e) in list.iter().enumerate() {
        let Some(e) = e else { continue };
        let path = format!("events[{i}]");
        if let Some(ev) = resolve_event(ctx, &path, e, names, env, services) {
            if duration_ok && ev.at >= SimTime::ZERO + duration {
                ctx.err(
                    format!("{path}.at"),
                    format!(
                        "the event is at or after the end of the simulation ({duration}), so it would never happen"
                    ),
                );
            }
            events.push(ev);
        }
    }
    events.sort_by_key(|e| e.at);
    events
}

fn resolve_event(
    ctx: &mut Ctx,
    path: &str,
    e: &raw::ScriptedEvent,
    names: &Names,
    env: &Env,
    services: &[Service],
) -> Option<ScriptedEvent> {
    let at = offset_to_time(ctx, &format!("{path}.at"), &e.at.0, env.horizon.calendar);
    let allowed: &[&str] = match e.kind.as_str() {
        "deploy" => &["service", "task_definition"],
        "az_outage" => &["zone", "duration"],
        "set_desired_count" => &["service", "desired_count"],
        "kill_instances" => &["capacity_provider", "count", "fraction", "zone"],
        other => {
            ctx.enum_value::<()>(
                &format!("{path}.kind"),
                other,
                &[("deploy", ()), ("az_outage", ()), ("set_desired_count", ()), ("kill_instances", ())],
            );
            return None;
        }
    };
    check_event_keys(ctx, path, e, allowed);
    let kind = match e.kind.as_str() {
        "deploy" => deploy(ctx, path, e, names, env, services)?,
        "az_outage" => {
            need(ctx, path, e, "zone", e.zone.is_some());
            need(ctx, path, e, "duration", e.duration.is_some());
            let zone = event_zone(ctx, path, e, names);
            ScriptedKind::AzOutage { zone: zone?, duration: e.duration?.0 }
        }
        "set_desired_count" => {
            need(ctx, path, e, "service", e.service.is_some());
            need(ctx, path, e, "desired_count", e.desired_count.is_some());
            let count = e.desired_count?;
            if count > MAX_TASKS_PER_SERVICE {
                ctx.err(
                    format!("{path}.desired_count"),
                    format!("{count} is out of range; ECS allows at most {MAX_TASKS_PER_SERVICE} tasks per service"),
                );
            }
            ScriptedKind::SetDesiredCount { service: event_service(ctx, path, e, names)?, count }
        }
        "kill_instances" => kill_instances(ctx, path, e, names, env)?,
        _ => return None,
    };
    Some(ScriptedEvent { at, kind })
}

/// Refuses keys that do not belong to the event's kind (which takes `allowed`).
fn check_event_keys(ctx: &mut Ctx, path: &str, e: &raw::ScriptedEvent, allowed: &[&str]) {
    let fields = [
        ("service", e.service.is_some()),
        ("task_definition", e.task_definition.is_some()),
        ("zone", e.zone.is_some()),
        ("duration", e.duration.is_some()),
        ("desired_count", e.desired_count.is_some()),
        ("capacity_provider", e.capacity_provider.is_some()),
        ("count", e.count.is_some()),
        ("fraction", e.fraction.is_some()),
    ];
    for (k, set) in fields {
        if set && !allowed.contains(&k) {
            ctx.err(
                format!("{path}.{k}"),
                format!("`{k}` does not belong to kind = \"{}\", which takes {}", e.kind, allowed.join(", ")),
            );
        }
    }
}

/// Reports a key the event's kind requires when it is absent.
fn need(ctx: &mut Ctx, path: &str, e: &raw::ScriptedEvent, k: &str, present: bool) {
    if !present {
        ctx.err(path, format!("kind = \"{}\" needs `{k}`", e.kind));
    }
}

fn event_service(ctx: &mut Ctx, path: &str, e: &raw::ScriptedEvent, names: &Names) -> Option<ServiceId> {
    e.service.as_ref().and_then(|s| ctx.lookup(&format!("{path}.service"), "service", s, names.services))
}

fn event_zone(ctx: &mut Ctx, path: &str, e: &raw::ScriptedEvent, names: &Names) -> Option<ZoneId> {
    e.zone.as_ref().and_then(|z| ctx.lookup(&format!("{path}.zone"), "availability zone", z, names.zones))
}

fn deploy(
    ctx: &mut Ctx,
    path: &str,
    e: &raw::ScriptedEvent,
    names: &Names,
    env: &Env,
    services: &[Service],
) -> Option<ScriptedKind> {
    need(ctx, path, e, "service", e.service.is_some());
    need(ctx, path, e, "task_definition", e.task_definition.is_some());
    let svc = event_service(ctx, path, e, names);
    let td = e
        .task_definition
        .as_ref()
        .and_then(|t| ctx.lookup(&format!("{path}.task_definition"), "task definition", t, names.task_defs));
    if let (Some(svc), Some(td)) = (svc, td)
        && let Some(s) = services.get(svc.idx())
    {
        check_task_fits(ctx, path, td, &s.strategy, env);
        if s.load_balancer.is_none() {
            reject_warmup(ctx, path, td, env, "the service has no [services.load_balancer]");
        }
    }
    Some(ScriptedKind::Deploy { service: svc?, task_def: td? })
}

fn kill_instances(ctx: &mut Ctx, path: &str, e: &raw::ScriptedEvent, names: &Names, env: &Env) -> Option<ScriptedKind> {
    need(ctx, path, e, "capacity_provider", e.capacity_provider.is_some());
    let provider = e
        .capacity_provider
        .as_ref()
        .and_then(|p| ctx.lookup(&format!("{path}.capacity_provider"), "capacity provider", p, names.providers));
    if let Some(p) = provider
        && env.providers.get(p.idx()).is_some_and(Provider::is_fargate)
    {
        ctx.err(format!("{path}.capacity_provider"), "kill_instances needs an ec2 provider (Fargate has no instances)");
    }
    let amount = match (e.count, e.fraction) {
        (Some(c), None) => KillAmount::Count(c),
        (None, Some(f)) => {
            if !(f > 0.0 && f <= 1.0) {
                ctx.err(format!("{path}.fraction"), format!("{f} is out of range; expected more than 0 and at most 1"));
            }
            KillAmount::Fraction(f)
        }
        _ => {
            ctx.err(path, "kill_instances needs exactly one of `count` or `fraction`");
            return None;
        }
    };
    let zone = event_zone(ctx, path, e, names);
    Some(ScriptedKind::KillInstances { provider: provider?, amount, zone })
}
