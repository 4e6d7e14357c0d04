//! Things that happen on a schedule: Service Auto Scaling scheduled actions
//! and `[[scheduled_tasks]]` (EventBridge RunTask targets).

use super::super::raw;
use super::super::types::*;
use super::ctx::{Ctx, check_name, index_names};
use super::placement::{resolve_placement, resolve_strategy, runs_on_fargate};
use super::task_defs::{check_task_fits, reject_warmup};
use super::{Env, Names};
use crate::calendar::{Schedule, parse_time_zone};

pub(super) fn resolve_scheduled_actions(ctx: &mut Ctx, path: &str, a: &raw::AutoScaling) -> Vec<ScheduledAction> {
    let mut out = Vec::new();
    for (j, s) in a.scheduled.iter().flatten().enumerate() {
        let sp = format!("{path}.scheduled[{j}]");
        check_name(ctx, &sp, &s.name);
        if s.min_capacity.is_none() && s.max_capacity.is_none() {
            ctx.err(&sp, "a scheduled action sets min_capacity, max_capacity or both");
        }
        if let (Some(lo), Some(hi)) = (s.min_capacity, s.max_capacity)
            && lo > hi
        {
            ctx.err(format!("{sp}.min_capacity"), format!("min_capacity {lo} is greater than max_capacity {hi}"));
        }
        if let Some(schedule) = parse_schedule(ctx, &sp, &s.schedule, s.timezone.as_deref()) {
            out.push(ScheduledAction {
                name: s.name.clone(),
                schedule,
                min_capacity: s.min_capacity,
                max_capacity: s.max_capacity,
            });
        }
    }
    out
}

/// A schedule expression in its time zone (UTC when none is given).
fn parse_schedule(ctx: &mut Ctx, path: &str, expr: &str, tz: Option<&str>) -> Option<Schedule> {
    let tz = match tz.map(parse_time_zone) {
        None => jiff::tz::TimeZone::UTC,
        Some(Ok(tz)) => tz,
        Some(Err(e)) => {
            ctx.err(format!("{path}.timezone"), e);
            return None;
        }
    };
    match Schedule::parse(expr, &tz) {
        Ok(s) => Some(s),
        Err(e) => {
            ctx.err(format!("{path}.schedule"), e);
            None
        }
    }
}

/// The scheduled tasks that resolved, in file order.
pub(super) fn resolve_scheduled_tasks(
    ctx: &mut Ctx,
    list: &[Option<raw::ScheduledTask>],
    names: &Names,
    env: &Env,
) -> Vec<ScheduledTask> {
    // Names are checked for duplicates; nothing refers to a scheduled task by name.
    index_names(ctx, "scheduled_tasks", list.iter().map(|b| b.as_ref().map(|b| b.name.as_str())));
    let mut batch = Vec::new();
    for (i, b) in list.iter().enumerate() {
        let Some(b) = b else { continue };
        let path = format!("scheduled_tasks[{i}]");
        if let Some(st) = resolve_scheduled_task(ctx, &path, b, names, env) {
            batch.push(st);
        }
    }
    batch
}

fn resolve_scheduled_task(
    ctx: &mut Ctx,
    path: &str,
    b: &raw::ScheduledTask,
    names: &Names,
    env: &Env,
) -> Option<ScheduledTask> {
    let td = ctx.lookup(&format!("{path}.task_definition"), "task definition", &b.task_definition, names.task_defs);
    let count = b.count.unwrap_or(1);
    if !(1..=10).contains(&count) {
        ctx.err(
            format!("{path}.count"),
            format!("{count} is out of range; EventBridge's RunTask target runs 1 to 10 tasks"),
        );
    }
    let max_attempts = b.max_attempts.unwrap_or(1);
    if !(1..=100).contains(&max_attempts) {
        ctx.err(format!("{path}.max_attempts"), format!("{max_attempts} is out of range; expected 1 to 100"));
    }
    let strategy = resolve_strategy(ctx, path, b.capacity_provider_strategy.as_ref(), names, env);
    let fargate = runs_on_fargate(&strategy, env);
    let (placement_strategy, constraints) =
        resolve_placement(ctx, path, b.placement_strategy.as_ref(), b.placement_constraints.as_ref(), fargate, false);
    if let Some(td) = td {
        check_task_fits(ctx, path, td, &strategy, env);
        reject_warmup(ctx, path, td, env, "scheduled tasks have no load balancer");
    }
    let schedule = parse_schedule(ctx, path, &b.schedule, b.timezone.as_deref());
    Some(ScheduledTask {
        name: b.name.clone(),
        task_def: td?,
        schedule: schedule?,
        count,
        duration: b.duration.clone(),
        strategy,
        placement_strategy,
        constraints,
        max_attempts,
    })
}
