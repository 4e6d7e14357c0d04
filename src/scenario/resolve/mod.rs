//! Raw file → typed `Scenario`: defaults, name resolution, cross-checks.
//!
//! Every problem is recorded against an index path (`services[0].desired_count`)
//! and the resolver keeps going, so `ecsim validate` reports them all at once.
//! Defaults chosen here are listed in docs/scenario-format.md.
//!
//! [`resolve`] takes the sections in order, one module per concept; a later
//! section refers by name to earlier ones (a service to its task definition,
//! an event to its service).

mod asg;
pub mod assumed;
mod auto_scaling;
mod calls;
mod cost;
mod ctx;
mod events;
mod instance_types;
mod limits;
mod placement;
mod predictive;
mod predictive_metrics;
mod providers;
mod scheduled;
mod services;
mod settings;
mod spot;
mod task_defs;
mod workload;

pub use cost::family_of;
pub use ctx::path_name_problem;
pub use settings::DEFAULT_START;
pub use spot::parse_interruption_frequency;
pub use task_defs::AGENT_RESERVED_PORTS;

use super::raw;
use super::trace::load_trace;
use super::types::*;
use crate::calendar::Calendar;
use crate::catalog::InstanceType;
use crate::engine::SimDuration;
use ctx::{Ctx, index_ids};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// ECS service quota "tasks per service" and the largest sizes accepted.
const MAX_TASKS_PER_SERVICE: u32 = 5_000;
/// ECS service quota "container instances per cluster".
const MAX_INSTANCES_PER_PROVIDER: u32 = 5_000;

/// Resolves the raw scenario. `base_dir` is where relative trace paths start;
/// `broken_names` are elements that failed to parse (see [`ctx::Ctx`]).
pub fn resolve(
    raw: raw::RawScenario,
    source_text: &str,
    source_label: &str,
    base_dir: &Path,
    broken_names: &BTreeSet<String>,
) -> Result<Scenario, Vec<(String, String)>> {
    let mut ctx = Ctx::new(broken_names);
    let run = settings::resolve_run(&mut ctx, raw.simulation.unwrap_or_default(), raw.cloudwatch, source_label);
    let place = settings::resolve_place(&mut ctx, raw.region.unwrap_or_default(), raw.cluster.unwrap_or_default());
    let (instance_types, type_ids, unpriced) =
        instance_types::resolve_instance_types(&mut ctx, &raw.instance_types, &place.region);
    instance_types::check_priced(&mut ctx, &raw.capacity_providers, &unpriced, &place.region);
    let (providers, provider_ids) =
        providers::resolve_providers(&mut ctx, &raw.capacity_providers, &type_ids, &instance_types);
    let reserved = instance_types::resolve_reserved(&mut ctx, &raw.reserved_instances, &type_ids);
    let horizon = Horizon { calendar: &run.calendar, duration: run.duration, base_dir };
    let spot = raw.spot.unwrap_or_default();
    let spot = spot::resolve_spot(&mut ctx, spot, &instance_types, &type_ids, &place.zone_ids, &horizon);
    let limits = limits::resolve_limits(&mut ctx, raw.limits.unwrap_or_default());
    let (task_defs, task_def_ids) = task_defs::resolve_task_defs(&mut ctx, &raw.task_definitions);

    let service_names = raw.services.iter().map(|s| s.as_ref().map(|s| s.name.as_str()));
    let service_ids = index_ids(&mut ctx, "services", service_names, ServiceId::from_idx);
    let names =
        Names { providers: &provider_ids, task_defs: &task_def_ids, services: &service_ids, zones: &place.zone_ids };
    let env = Env {
        providers: &providers,
        task_defs: &task_defs,
        instance_types: &instance_types,
        trunking: place.awsvpc_trunking,
        horizon: &horizon,
        cluster_name: &place.cluster_name,
    };
    let services = services::resolve_services(&mut ctx, &raw.services, &names, &env);
    let services_ok = services.len() == raw.services.len();
    let call_order = if services_ok { calls::order_calls(&mut ctx, &services) } else { Vec::new() };
    if services_ok {
        services::check_requests_have_work(&mut ctx, &services);
    }

    let batch = scheduled::resolve_scheduled_tasks(&mut ctx, &raw.scheduled_tasks, &names, &env);
    let known_services = if services_ok { services.as_slice() } else { &[] };
    let events = events::resolve_events(&mut ctx, &raw.events, &names, &env, known_services, run.duration_ok);
    let output = settings::resolve_output(&mut ctx, raw.output.unwrap_or_default());
    let raw_cost = cost::RawCost {
        settings: raw.cost.as_ref(),
        plans: &raw.savings_plans,
        services: &raw.services,
        providers: &raw.capacity_providers,
        task_defs: &raw.task_definitions,
        fargate_arches: cost::fargate_arches(&providers, &task_defs, &services, &batch, false),
        fargate_on_demand_arches: cost::fargate_arches(&providers, &task_defs, &services, &batch, true),
    };
    let cost = cost::resolve_cost(&mut ctx, &raw_cost, &place.region, &services, &providers, &instance_types);
    settings::check_size(&mut ctx, &run, services.len());

    // A task definition that failed to parse leaves `task_defs` empty with no
    // problem here: the loader reports its parse error and discards this result.
    if !ctx.problems.is_empty() {
        return Err(ctx.problems);
    }
    Ok(Scenario {
        name: run.name,
        source_text: source_text.to_string(),
        source_label: source_label.to_string(),
        calendar: run.calendar,
        duration: run.duration,
        seed: run.seed,
        tick: run.tick,
        replications: run.replications,
        initial_state: run.initial_state,
        warmup: run.warmup,
        metric_delay: run.metric_delay,
        region: place.region,
        zones: place.zones,
        cluster_name: place.cluster_name,
        awsvpc_trunking: place.awsvpc_trunking,
        instance_types,
        providers,
        reserved,
        spot,
        limits,
        task_defs,
        services,
        call_order,
        batch,
        events,
        output,
        cost,
    })
}

/// The ids by name that services, scheduled tasks and events refer to.
struct Names<'a> {
    providers: &'a BTreeMap<String, ProviderId>,
    task_defs: &'a BTreeMap<String, TaskDefId>,
    services: &'a BTreeMap<String, ServiceId>,
    zones: &'a BTreeMap<String, ZoneId>,
}

/// What is resolved before the services, for checks that look inside it.
struct Env<'a> {
    providers: &'a [Provider],
    task_defs: &'a [TaskDef],
    instance_types: &'a [InstanceType],
    trunking: bool,
    horizon: &'a Horizon<'a>,
    /// The cluster's name (the `ClusterName` dimension of its metrics).
    cluster_name: &'a str,
}

/// The run's calendar and length, and the directory relative trace paths
/// start from: what a trace file or a point in time is read against.
struct Horizon<'a> {
    calendar: &'a Calendar,
    duration: SimDuration,
    base_dir: &'a Path,
}

impl Horizon<'_> {
    /// Reads a trace file named relative to the scenario.
    fn load_trace(
        &self,
        file: &str,
        time_column: &str,
        value_column: &str,
        scale: f64,
        linear: bool,
    ) -> Result<Trace, String> {
        load_trace(&self.base_dir.join(file), time_column, value_column, scale, linear, self.calendar, self.duration)
    }
}

#[cfg(test)]
mod tests {
    use crate::scenario::load_str;
    use std::path::Path;

    /// A task definition that fails to parse is reported, not a panic (a debug
    /// assertion once required every task definition to have resolved).
    #[test]
    fn a_broken_task_definition_is_reported() {
        let text = "[simulation]\nduration = \"1h\"\n[[capacity_providers]]\nname = \"FARGATE\"\nkind = \"fargate\"\n\
                    [[task_definitions]]\nfamily = \"web\"\ncpu = \"x\"\nmemory = 512\n\
                    [[services]]\nname = \"web\"\ntask_definition = \"web\"\ndesired_count = 2\n";
        let Err(diagnostics) = load_str(text, "t.toml", Path::new(".")) else { panic!("the scenario is refused") };
        let paths: Vec<&str> = diagnostics.problems.iter().map(|p| p.path.as_str()).collect();
        assert_eq!(paths, ["task_definitions[web].cpu"]);
    }
}
